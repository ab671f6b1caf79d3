#include "components/file/file_append.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

int file_write_record(int fd, const char *body, size_t len, const char *chars)
{
    size_t n = chars ? strlen(chars) : 0;
    struct iovec iov[2] = {{(void *)body, body ? len : 0}, {(void *)chars, n}};
    size_t left = iov[0].iov_len + n;
    int i = 0;
    while (left) {
        ssize_t w = writev(fd, iov + i, 2 - i);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        left -= (size_t)w;
        for (size_t done = (size_t)w; done && i < 2;) {
            size_t take = done < iov[i].iov_len ? done : iov[i].iov_len;
            iov[i].iov_base = (char *)iov[i].iov_base + take;
            iov[i].iov_len -= take;
            done -= take;
            if (!iov[i].iov_len)
                i++;
        }
    }
    return 0;
}

int file_end_cut_record(int fd, const char *chars)
{
    size_t n = strlen(chars);
    struct stat st;
    char tail[64];
    size_t k = n < sizeof tail ? n : sizeof tail;
    if (!n || fstat(fd, &st) < 0 || st.st_size == 0)
        return 0;
    if (st.st_size >= (off_t)k && pread(fd, tail, k, st.st_size - (off_t)k) == (ssize_t)k &&
        memcmp(tail, chars + n - k, k) == 0)
        return 0;
    return file_write_record(fd, NULL, 0, chars);
}
