#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/support/unprivileged.h"
#include "components/registry.h"
#include "runtime/engine.h"
#include "runtime/offset_store.h"

static char dir[256];

static void mkdir_tmp(void)
{
    snprintf(dir, sizeof dir, "/tmp/drom-offsets-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs(text, f);
    fclose(f);
}

static void rm_rf(void)
{
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
}

Test(offset_file, roundtrip_and_reopen)
{
    mkdir_tmp();
    char path[300];
    snprintf(path, sizeof path, "%s/state/sub/offsets.json", dir);
    struct drom_error err = {0};
    struct drom_offset_store *s = drom_offset_file_open(path, &err);
    cr_assert_not_null(s, "%s", err.msg);
    char *json = (char *)1;
    cr_assert_eq(drom_offset_get(s, "cdc", &json, &err), 0);
    cr_assert_null(json, "a missing file is an empty store");
    cr_assert_eq(drom_offset_put(s, "cdc", "{\"file\":\"binlog.000003\",\"pos\":1234}", &err), 0, "%s", err.msg);
    cr_assert_eq(drom_offset_put(s, "other", "42", &err), 0, "%s", err.msg);
    cr_assert_eq(drom_offset_put(s, "cdc", "{\"file\":\"binlog.000003\",\"pos\":5678}", &err), 0, "%s", err.msg);
    cr_assert_eq(drom_offset_put(s, "bad", "{not json", &err), -1);
    cr_assert_eq(err.code, DROM_EINVAL);
    drom_offset_store_close(s);

    char tmp[320];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    cr_assert_neq(access(tmp, F_OK), 0, "no temp file is left behind");

    s = drom_offset_file_open(path, &err);
    cr_assert_not_null(s, "%s", err.msg);
    cr_assert_eq(drom_offset_get(s, "cdc", &json, &err), 0);
    cr_assert_str_eq(json, "{\"file\":\"binlog.000003\",\"pos\":5678}");
    free(json);
    cr_assert_eq(drom_offset_get(s, "other", &json, &err), 0);
    cr_assert_str_eq(json, "42");
    free(json);
    drom_offset_store_close(s);
    rm_rf();
}

static void expect_refused(const char *content, const char *needle)
{
    mkdir_tmp();
    char path[300];
    snprintf(path, sizeof path, "%s/offsets.json", dir);
    write_file(path, content);
    struct drom_error err = {0};
    struct drom_offset_store *s = drom_offset_file_open(path, &err);
    cr_assert_null(s, "a bad offset file must not open as empty: %s", content);
    cr_assert_eq(err.code, DROM_ESTATE);
    cr_assert(strstr(err.msg, path), "names the file: %s", err.msg);
    cr_assert(strstr(err.msg, needle), "says what is wrong (%s): %s", needle, err.msg);
    /* The bad file is left as it was for the operator. */
    struct stat st;
    cr_assert_eq(stat(path, &st), 0);
    cr_assert_eq((size_t)st.st_size, strlen(content));
    rm_rf();
}

Test(offset_file, truncated_is_refused)
{
    expect_refused("{\"format\":1,\"offsets\":{\"cdc\":{\"file\":\"binlog.0000", "corrupt or truncated");
}

Test(offset_file, empty_is_refused)
{
    expect_refused("", "empty");
}

Test(offset_file, garbage_is_refused)
{
    expect_refused("\x01\x02garbage", "corrupt");
}

Test(offset_file, wrong_shape_is_refused)
{
    expect_refused("[1,2,3]", "corrupt");
}

Test(offset_file, future_format_is_refused)
{
    expect_refused("{\"format\":7,\"offsets\":{}}", "format 7");
}

Test(offset_file, a_file_without_offsets_is_refused)
{
    /* parseable, but dromd never writes it: a new start would replay everything under new ids */
    expect_refused("{\"format\":1,\"offsets\":{}}", "holds no offsets");
}

Test(offset_file, unwritable_directory_is_an_error)
{
    test_drop_root();
    mkdir_tmp();
    char path[300];
    snprintf(path, sizeof path, "%s/offsets.json", dir);
    struct drom_error err = {0};
    struct drom_offset_store *s = drom_offset_file_open(path, &err);
    cr_assert_not_null(s, "%s", err.msg);
    chmod(dir, 0500);
    cr_assert_eq(drom_offset_put(s, "k", "1", &err), -1);
    cr_assert_eq(err.code, DROM_EIO);
    char *json;
    cr_assert_eq(drom_offset_get(s, "k", &json, &err), 0);
    cr_assert_null(json, "a failed put does not change what get answers");
    chmod(dir, 0700);
    drom_offset_store_close(s);
    rm_rf();
}

/* Backends are found by their registered name, as a source's offsetStorage
 * value chooses them; an unknown name is no backend. */
Test(offset_file, backends_are_registered_by_name)
{
    const struct drom_offset_backend *file = drom_registry_offset_backend("file");
    cr_assert_eq(file, &drom_offset_backend_file);
    const struct drom_offset_backend *kafka = drom_registry_offset_backend("kafka");
    cr_assert_not_null(kafka);
    cr_assert_str_eq(kafka->name, "kafka");
    cr_assert_null(drom_registry_offset_backend("jdbc"));
    cr_assert_null(drom_registry_offset_backend(""));

    mkdir_tmp();
    char path[300];
    snprintf(path, sizeof path, "%s/by-name.json", dir);
    struct drom_error err = {0};
    struct drom_offset_store *s = file->open(&(struct drom_offset_config){.path = path}, &err);
    cr_assert_not_null(s, "%s", err.msg);
    cr_assert_str_eq(s->ops->name, "file");
    cr_assert_eq(drom_offset_put(s, "k", "{\"n\":1}", &err), 0, "%s", err.msg);
    drom_offset_store_close(s);
    s = drom_offset_file_open(path, &err);
    char *json = NULL;
    cr_assert_eq(drom_offset_get(s, "k", &json, &err), 0, "%s", err.msg);
    cr_assert_str_eq(json, "{\"n\":1}");
    free(json);
    drom_offset_store_close(s);
    rm_rf();
}

/* The engine opens a source's store through the program's registry, and
 * refuses a name it does not know with the name in the message. */
Test(offset_file, engine_opens_stores_by_name)
{
    mkdir_tmp();
    struct drom_graph g = {.format = 1};
    struct drom_engine_options o = {.quiet = true, .state_dir = dir, .offset_backend = drom_registry_offset_backend};
    struct drom_error err = {0};
    struct drom_engine *eng = drom_engine_new(&g, &o, &err);
    cr_assert_not_null(eng, "%s", err.msg);
    char path[300];
    snprintf(path, sizeof path, "%s/engine.json", dir);
    struct drom_offset_store *s = drom_engine_open_offsets(eng, "file", &(struct drom_offset_config){.path = path}, &err);
    cr_assert_not_null(s, "%s", err.msg);
    drom_offset_store_close(s);
    cr_assert_null(drom_engine_open_offsets(eng, "jdbc", &(struct drom_offset_config){0}, &err));
    cr_assert(strstr(err.msg, "offsetStorage=jdbc"), "%s", err.msg);
    drom_engine_free(eng);
    rm_rf();
}
