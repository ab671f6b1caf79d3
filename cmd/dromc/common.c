#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cmd/dromc/dromc.h"
#include "compiler/beans.h"

int dromc_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "dromc %s: ", cmd);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry 'dromc %s --help'.\n", cmd);
    return DROMC_USAGE;
}

static int print_error(const struct drom_error *err)
{
    char buf[1400];
    const char *m = drom_err_format(err, buf, sizeof buf);
    /* gcc style: FILE:LINE:COL: error: MESSAGE */
    if (err->file[0] && err->line > 0)
        fprintf(stderr, "%s:%d:%d: error: %s\n", err->file, err->line, err->col, err->msg);
    else if (err->file[0])
        fprintf(stderr, "%s: error: %s\n", err->file, err->msg);
    else
        fprintf(stderr, "error: %s\n", m);
    return -2;
}

int dromc_common_arg(struct dromc_common *c, int argc, char **argv, int *i, const char *cmd)
{
    const char *a = argv[*i], *val = NULL;
    bool props = false, def = false;
    if (strcmp(a, "--properties") == 0 || strcmp(a, "-p") == 0) {
        props = true;
    } else if (strncmp(a, "--properties=", 13) == 0) {
        props = true;
        val = a + 13;
    } else if (strcmp(a, "-D") == 0) {
        def = true;
    } else if (strncmp(a, "-D", 2) == 0) {
        def = true;
        val = a + 2;
    } else {
        return 0;
    }
    if (!val) {
        if (*i + 1 >= argc) {
            dromc_usage_error(cmd, "%s needs a value", a);
            return -1;
        }
        val = argv[++*i];
    }
    struct drom_error err = {0};
    if (props) {
        if (c->have_props) {
            dromc_usage_error(cmd, "--properties given twice");
            return -1;
        }
        c->have_props = true;
        if (drom_props_load_file(&c->props, val, &err) < 0)
            return print_error(&err);
    } else if (def) {
        if (!strchr(val, '=')) {
            dromc_usage_error(cmd, "-D needs key=value, got '%s'", val);
            return -1;
        }
        if (drom_props_define(&c->props, val, &err) < 0)
            return print_error(&err);
    }
    return 1;
}

void dromc_common_free(struct dromc_common *c)
{
    drom_props_free(&c->props);
}

int dromc_compile_one(const char *path, struct dromc_common *c, struct drom_graph *out)
{
    if (!c->beans_done) {
        struct drom_error err = {0};
        c->beans_done = true;
        if (drom_beans_apply(&c->props, &err) < 0)
            return print_error(&err), -1;
    }
    struct drom_diags d = DROM_DIAGS_INIT;
    struct drom_compile_opts o = {.props = &c->props};
    int rc = drom_compile_file(path, &o, out, &d);
    drom_diags_print(&d, stderr);
    drom_diags_free(&d);
    return rc;
}
