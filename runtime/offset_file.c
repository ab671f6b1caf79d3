/* The file backend of the offset store (runtime/offset_store.h). */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <libgen.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runtime/offset_store.h"
#include "runtime/xalloc.h"

struct file_store {
    struct drom_offset_store base;
    pthread_mutex_t mu;
    char *path;
    char *dir;
    json_t *offsets;   /* object key -> blob */
};

static int mkdirs(const char *dir, struct drom_error *err)
{
    char *p = drom_xstrdup(dir);
    for (char *s = p + 1; *s; s++) {
        if (*s != '/')
            continue;
        *s = '\0';
        if (mkdir(p, 0755) < 0 && errno != EEXIST) {
            drom_err(err, DROM_EIO, "cannot create directory %s: %s", p, strerror(errno));
            free(p);
            return -1;
        }
        *s = '/';
    }
    int rc = 0;
    if (mkdir(p, 0755) < 0 && errno != EEXIST)
        rc = drom_err(err, DROM_EIO, "cannot create directory %s: %s", p, strerror(errno));
    free(p);
    return rc;
}

static int load(struct file_store *fs, struct drom_error *err)
{
    int fd = open(fs->path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT) {
            fs->offsets = json_object();
            return 0;
        }
        return drom_err(err, DROM_ESTATE, "offset file %s cannot be read: %s", fs->path, strerror(errno));
    }
    struct stat st;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return drom_err(err, DROM_ESTATE, "offset file %s is not a regular file", fs->path);
    }
    if (st.st_size == 0) {
        close(fd);
        return drom_err(err, DROM_ESTATE,
                        "offset file %s is empty (truncated); refusing to start from scratch: "
                        "restore it, or remove it to replay the sources from their configured start",
                        fs->path);
    }
    json_error_t jerr;
    json_t *root = json_loadfd(fd, JSON_REJECT_DUPLICATES, &jerr);
    close(fd);
    if (!root)
        return drom_err(err, DROM_ESTATE,
                        "offset file %s is corrupt or truncated (line %d, column %d: %s); refusing to start "
                        "from scratch: restore it, or remove it to replay the sources from their configured start",
                        fs->path, jerr.line, jerr.column, jerr.text);
    json_t *fmt = json_object_get(root, "format");
    json_t *offs = json_object_get(root, "offsets");
    if (!json_is_object(root) || !json_is_integer(fmt) || !json_is_object(offs)) {
        json_decref(root);
        return drom_err(err, DROM_ESTATE,
                        "offset file %s is corrupt: expected {\"format\":1,\"offsets\":{...}}", fs->path);
    }
    long long format = (long long)json_integer_value(fmt);
    if (format != 1) {
        json_decref(root);
        return drom_err(err, DROM_ESTATE, "offset file %s has format %lld; this dromd reads format 1", fs->path,
                        format);
    }
    if (json_object_size(offs) == 0) {
        /* dromd creates the file with its first position and never empties
         * it, so this one was written or emptied by hand (or is another
         * deployment's): starting over would send every change again under
         * new event ids, past the broker's de-duplication. */
        json_decref(root);
        return drom_err(err, DROM_ESTATE,
                        "offset file %s holds no offsets, which dromd never writes (made or emptied by hand?); "
                        "refusing to start the sources over: restore the file, set positions with `dromd offsets "
                        "set`, or remove the file to replay every source from its configured start", fs->path);
    }
    fs->offsets = json_incref(offs);
    json_decref(root);
    return 0;
}

static int fsync_path(const char *path, int flags, struct drom_error *err)
{
    int fd = open(path, flags | O_CLOEXEC);
    if (fd < 0)
        return drom_err(err, DROM_EIO, "cannot open %s to sync it: %s", path, strerror(errno));
    int rc = fsync(fd);
    int e = errno;
    close(fd);
    if (rc < 0)
        return drom_err(err, DROM_EIO, "fsync of %s failed: %s", path, strerror(e));
    return 0;
}

static int write_all(int fd, const char *data, size_t len)
{
    while (len) {
        ssize_t w = write(fd, data, len);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        data += w;
        len -= (size_t)w;
    }
    return 0;
}

static int save(struct file_store *fs, json_t *offsets, struct drom_error *err)
{
    json_t *root = json_pack("{s:i,s:O}", "format", 1, "offsets", offsets);
    char *text = json_dumps(root, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(root);
    if (!text)
        return drom_err(err, DROM_ENOMEM, "cannot serialise offsets for %s", fs->path);
    size_t len = strlen(text);
    char *tmp = drom_xmalloc(strlen(fs->path) + 5);
    sprintf(tmp, "%s.tmp", fs->path);
    int rc = -1;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        drom_err(err, DROM_EIO, "cannot write offset file %s: %s", tmp, strerror(errno));
        goto out;
    }
    if (write_all(fd, text, len) < 0 || write_all(fd, "\n", 1) < 0) {
        drom_err(err, DROM_EIO, "cannot write offset file %s: %s", tmp, strerror(errno));
        close(fd);
        unlink(tmp);
        goto out;
    }
    if (fsync(fd) < 0) {
        drom_err(err, DROM_EIO, "fsync of %s failed: %s", tmp, strerror(errno));
        close(fd);
        unlink(tmp);
        goto out;
    }
    close(fd);
    if (rename(tmp, fs->path) < 0) {
        drom_err(err, DROM_EIO, "cannot rename %s to %s: %s", tmp, fs->path, strerror(errno));
        unlink(tmp);
        goto out;
    }
    rc = fsync_path(fs->dir, O_RDONLY | O_DIRECTORY, err);
out:
    free(tmp);
    free(text);
    return rc;
}

static int file_get(struct drom_offset_store *s, const char *key, char **json, struct drom_error *err)
{
    struct file_store *fs = (struct file_store *)s;
    pthread_mutex_lock(&fs->mu);
    json_t *v = json_object_get(fs->offsets, key);
    *json = v ? json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
    pthread_mutex_unlock(&fs->mu);
    return 0;
}

static int file_put(struct drom_offset_store *s, const char *key, const char *json, struct drom_error *err)
{
    struct file_store *fs = (struct file_store *)s;
    json_error_t jerr;
    json_t *v = json_loads(json, JSON_DECODE_ANY, &jerr);
    if (!v)
        return drom_err(err, DROM_EINVAL, "offset for '%s' is not JSON: %s", key, jerr.text);
    pthread_mutex_lock(&fs->mu);
    /* Write a new object first so a failed write leaves memory and disk agreeing. */
    json_t *next = json_copy(fs->offsets);
    json_object_set_new(next, key, v);
    int rc = save(fs, next, err);
    if (rc == 0) {
        json_decref(fs->offsets);
        fs->offsets = next;
    } else {
        json_decref(next);
    }
    pthread_mutex_unlock(&fs->mu);
    return rc;
}

static int file_del(struct drom_offset_store *s, const char *key, struct drom_error *err)
{
    struct file_store *fs = (struct file_store *)s;
    pthread_mutex_lock(&fs->mu);
    int rc = 0;
    if (json_object_get(fs->offsets, key)) {
        json_t *next = json_copy(fs->offsets);
        json_object_del(next, key);
        if (json_object_size(next) > 0) {
            rc = save(fs, next, err);
        } else if (unlink(fs->path) < 0 && errno != ENOENT) {
            rc = drom_err(err, DROM_EIO, "cannot remove offset file %s: %s", fs->path, strerror(errno));
        } else {
            rc = fsync_path(fs->dir, O_RDONLY | O_DIRECTORY, err);
        }
        if (rc == 0) {
            json_decref(fs->offsets);
            fs->offsets = next;
        } else {
            json_decref(next);
        }
    }
    pthread_mutex_unlock(&fs->mu);
    return rc;
}

static int file_keys(struct drom_offset_store *s, char ***keys, size_t *n, struct drom_error *err)
{
    struct file_store *fs = (struct file_store *)s;
    pthread_mutex_lock(&fs->mu);
    *keys = drom_xcalloc(json_object_size(fs->offsets) + 1, sizeof **keys);
    const char *k;
    json_t *v;
    json_object_foreach(fs->offsets, k, v)
        (*keys)[(*n)++] = drom_xstrdup(k);
    pthread_mutex_unlock(&fs->mu);
    return 0;
}

static void file_close(struct drom_offset_store *s)
{
    struct file_store *fs = (struct file_store *)s;
    json_decref(fs->offsets);
    pthread_mutex_destroy(&fs->mu);
    free(fs->path);
    free(fs->dir);
    free(fs);
}

#define FILE_BACKEND "file"

static const struct drom_offset_store_ops file_ops = {
    .name = FILE_BACKEND,
    .get = file_get,
    .put = file_put,
    .del = file_del,
    .keys = file_keys,
    .close = file_close,
};

struct drom_offset_store *drom_offset_file_open(const char *path, struct drom_error *err)
{
    if (!path || !*path) {
        drom_err(err, DROM_EINVAL, "offset file path is empty");
        return NULL;
    }
    struct file_store *fs = drom_xcalloc(1, sizeof *fs);
    fs->base.ops = &file_ops;
    fs->base.impl = fs;
    pthread_mutex_init(&fs->mu, NULL);
    fs->path = drom_xstrdup(path);
    char *copy = drom_xstrdup(path);
    fs->dir = drom_xstrdup(dirname(copy));
    free(copy);
    if (mkdirs(fs->dir, err) < 0 || load(fs, err) < 0) {
        fs->offsets = NULL;
        file_close(&fs->base);
        return NULL;
    }
    return &fs->base;
}

static struct drom_offset_store *backend_open(const struct drom_offset_config *cfg, struct drom_error *err)
{
    return drom_offset_file_open(cfg->path, err);
}

const struct drom_offset_backend drom_offset_backend_file = {.name = FILE_BACKEND, .open = backend_open};
