#include "runtime/component.h"

static const char *const exist_values[] = {"Override", "Append", "Fail", "Ignore", "Move", "TryRename", NULL};
static const char *const read_locks[] = {"none", "markerFile", "fileLock", "rename", "changed", "idempotent",
                                         "idempotent-changed", "idempotent-rename", NULL};

/* Camel 4's file endpoint options and defaults (the subset dromedary
 * implements, plus common ones accepted and ignored). */
static const struct drom_option options[] = {
    /* common */
    {.name = "fileName", .type = DROM_OPT_STRING, .group = "common",
     .doc = "Simple expression for the file name; producer default: the exchange id; consumer: only this name"},
    {.name = "charset", .type = DROM_OPT_STRING, .flags = DROM_OPT_IGNORED, .group = "common",
     .doc = "Encoding of the file (bytes are written as they are)"},
    {.name = "doneFileName", .type = DROM_OPT_STRING, .flags = DROM_OPT_IGNORED, .group = "common",
     .doc = "Name of a done marker file"},
    /* consumer */
    {.name = "noop", .type = DROM_OPT_BOOL, .def = "false", .group = "consumer",
     .doc = "Leave files where they are; each file is picked up once per run"},
    {.name = "delete", .type = DROM_OPT_BOOL, .def = "false", .group = "consumer",
     .doc = "Delete the file after it was processed"},
    {.name = "move", .type = DROM_OPT_STRING, .group = "consumer",
     .doc = "Directory (relative to the endpoint's) to move processed files to; default .camel"},
    {.name = "moveFailed", .type = DROM_OPT_STRING, .group = "consumer",
     .doc = "Directory to move a file to when its exchange failed (default: left in place)"},
    {.name = "include", .type = DROM_OPT_STRING, .group = "filter",
     .doc = "POSIX extended regex the file name must match"},
    {.name = "exclude", .type = DROM_OPT_STRING, .group = "filter",
     .doc = "POSIX extended regex of file names to skip"},
    {.name = "recursive", .type = DROM_OPT_BOOL, .def = "false", .flags = DROM_OPT_IGNORED, .group = "consumer",
     .doc = "Look in subdirectories too (not supported)"},
    {.name = "delay", .type = DROM_OPT_DURATION, .def = "500", .group = "scheduler",
     .doc = "Milliseconds between polls"},
    {.name = "initialDelay", .type = DROM_OPT_DURATION, .def = "1000", .group = "scheduler",
     .doc = "Milliseconds before the first poll"},
    {.name = "maxMessagesPerPoll", .type = DROM_OPT_INT, .def = "0", .group = "filter",
     .doc = "Files taken per poll (0: all)"},
    {.name = "readLock", .type = DROM_OPT_ENUM, .def = "none", .values = read_locks, .flags = DROM_OPT_IGNORED,
     .group = "lock", .doc = "Read lock strategy (files are expected to be complete when they appear)"},
    {.name = "sendEmptyMessageWhenIdle", .type = DROM_OPT_BOOL, .def = "false", .flags = DROM_OPT_IGNORED,
     .group = "consumer (advanced)", .doc = "Send an empty message when a poll found nothing"},
    /* producer */
    {.name = "fileExist", .type = DROM_OPT_ENUM, .def = "Override", .values = exist_values, .group = "producer",
     .doc = "What to do when the file exists: Override, Append, Fail, Ignore (Move, TryRename as Override)"},
    {.name = "autoCreate", .type = DROM_OPT_BOOL, .def = "true", .group = "advanced",
     .doc = "Create missing directories"},
    {.name = "tempFileName", .type = DROM_OPT_STRING, .flags = DROM_OPT_IGNORED, .group = "producer",
     .doc = "Write under a temporary name first (always done here, as a hidden .tmp file)"},
    {.name = "flatten", .type = DROM_OPT_BOOL, .def = "false", .group = "common",
     .doc = "Strip leading directories from the file name"},
    {.name = "appendChars", .type = DROM_OPT_STRING, .group = "producer",
     .doc = "Characters to append after writing the body (e.g. \\n)"},
    {.name = "bufferSize", .type = DROM_OPT_SIZE, .def = "131072", .flags = DROM_OPT_IGNORED,
     .group = "advanced", .doc = "Write buffer size"},
    {.name = "keepLastModified", .type = DROM_OPT_BOOL, .def = "false", .flags = DROM_OPT_IGNORED,
     .group = "producer", .doc = "Keep the last modified time of the source file"},
    {.name = "chmod", .type = DROM_OPT_STRING, .group = "producer",
     .doc = "Permissions of written files, octal (e.g. 644)"},
    {.name = "lazyStartProducer", .type = DROM_OPT_BOOL, .def = "false", .flags = DROM_OPT_IGNORED,
     .group = "producer (advanced)", .doc = "Start the producer on first message"},
    {.name = "bridgeErrorHandler", .type = DROM_OPT_BOOL, .def = "false", .flags = DROM_OPT_IGNORED,
     .group = "consumer (advanced)", .doc = "Route consumer exceptions through the error handler"},
    DROM_OPTIONS_END,
};

const struct drom_component drom_component_file = {
    .name = "file",
    .title = "Read and write files in a directory",
    .path_syntax = "directoryName",
    .path_required = true,
    .roles = DROM_ROLE_CONSUMER | DROM_ROLE_PRODUCER,
    .options = options,
};
