/* Records appended to a file (fileExist=Append): the body and its
 * appendChars in one write, and the end of a record a kill cut short.
 * Internal to this folder; the functions borrow their arguments. */
#ifndef DROM_COMPONENTS_FILE_FILE_APPEND_H
#define DROM_COMPONENTS_FILE_FILE_APPEND_H

#include <stddef.h>

/* Writes body (len bytes; NULL: none) then chars (NULL: none) in one
 * write where the kernel takes it whole: two writes let a kill -9 between
 * them leave a body without its separator. 0, or -1 with errno. */
int file_write_record(int fd, const char *body, size_t len, const char *chars);
/* A record a kill cut short (the write of a large one can stop at a page)
 * lacks its chars, and the next record appended would run into it: when
 * the file does not end with chars, writes them, so a reader by lines
 * loses only the cut record, which was never acknowledged and is delivered
 * again. fd is open for reading and appending. 0, or -1 with errno. */
int file_end_cut_record(int fd, const char *chars);

#endif
