#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/dromd/cli.h"
#include "runtime/http.h"
#include "runtime/option.h"
#include "runtime/xalloc.h"

void dromd_usage(FILE *out)
{
    fputs("usage: dromd [OPTIONS] ROUTES.xml|GRAPH.json\n"
          "       dromd status [--http ADDR:PORT] [--state-dir DIR] [--json] [--watch [--interval 1s]]\n"
          "       dromd health [--http ADDR:PORT]\n"
          "       dromd offsets show|set|reset [STORE] [KEY] ...   (dromd offsets --help)\n"
          "\n"
          "Runs Camel XML routes (compiled in memory, checked like `dromc validate`)\n"
          "or a graph written by `dromc compile`, until SIGTERM or SIGINT.\n"
          "\n"
          "  --properties FILE      Camel Main properties (camel.component.*)\n"
          "  -D KEY=VALUE           a property, overriding the file (repeatable)\n"
          "  --http ADDR:PORT       serve /health/live, /health/ready, /metrics, /routes\n"
          "  --state-dir DIR        offsets and other state\n"
          "                         (default $STATE_DIRECTORY from systemd,\n"
          "                         else $XDG_STATE_HOME/dromedary, else ./.dromd-state)\n"
          "  --drain-timeout TIME   how long SIGTERM waits for in-flight exchanges (30s)\n"
          "  --exit-on-failure      when a route stops after a failure it must not skip\n"
          "                         (a binlog source), drain and exit 3, so that the\n"
          "                         service manager restarts dromd from the last\n"
          "                         committed position (default: keep running, not ready)\n"
          "  --log-format text|json\n"
          "  --log-level LEVEL      trace, debug, info, warn, error, off (info)\n"
          "  --version, --help\n"
          "\n"
          "Signals: SIGTERM/SIGINT drain and exit 0; SIGHUP reloads the route file.\n"
          "Exit: 0 stopped by a signal, 1 invalid routes or a runtime failure at start,\n"
          "      2 usage, 3 a route failed and --exit-on-failure was given.\n",
          out);
}

char *dromd_default_state_dir(void)
{
    /* systemd's StateDirectory= sets it (a colon-separated list; ours is first). */
    const char *sd = getenv("STATE_DIRECTORY");
    if (sd && sd[0] == '/')
        return drom_xstrndup(sd, strcspn(sd, ":"));
    const char *xdg = getenv("XDG_STATE_HOME");
    if (xdg && xdg[0] == '/') {
        size_t len = strlen(xdg) + sizeof "/dromedary";
        char *dir = drom_xmalloc(len);
        snprintf(dir, len, "%s/dromedary", xdg);
        return dir;
    }
    return drom_xstrdup("./.dromd-state");
}

static int usage_error(const char *fmt, const char *arg)
{
    fputs("dromd: ", stderr);
    fprintf(stderr, fmt, arg);
    fputs("\nTry 'dromd --help'.\n", stderr);
    return -1;
}

int dromd_parse_args(int argc, char **argv, struct dromd_opts *o)
{
    enum { OPT_PROPS = 256, OPT_HTTP, OPT_STATE, OPT_DRAIN, OPT_LOGFMT, OPT_LOGLVL, OPT_EXIT_FAIL,
           OPT_VERSION };
    static const struct option longopts[] = {
        {"properties", required_argument, NULL, OPT_PROPS},
        {"http", required_argument, NULL, OPT_HTTP},
        {"state-dir", required_argument, NULL, OPT_STATE},
        {"drain-timeout", required_argument, NULL, OPT_DRAIN},
        {"exit-on-failure", no_argument, NULL, OPT_EXIT_FAIL},
        {"log-format", required_argument, NULL, OPT_LOGFMT},
        {"log-level", required_argument, NULL, OPT_LOGLVL},
        {"version", no_argument, NULL, OPT_VERSION},
        {"help", no_argument, NULL, 'h'},
        {0},
    };
    *o = (struct dromd_opts){.drain_ms = 30000, .log_format = DROM_LOG_TEXT,
                             .log_level = DROM_LOG_INFO};
    size_t cap = 0;
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":D:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'D':
            if (!strchr(optarg, '=') || optarg[0] == '=')
                return usage_error("-D takes KEY=VALUE, got '%s'", optarg);
            drom_xgrow((void **)&o->defines, &cap, o->ndefines + 1, sizeof *o->defines);
            o->defines[o->ndefines++] = optarg;
            break;
        case OPT_PROPS:
            o->properties = optarg;
            break;
        case OPT_HTTP: {
            struct drom_error err = {0};
            if (drom_http_check_addr(optarg, &err) < 0)
                return usage_error("--http: %s", err.msg);
            o->http = optarg;
            break;
        }
        case OPT_STATE:
            if (!optarg[0])
                return usage_error("--state-dir must not be empty%s", "");
            free(o->state_dir);
            o->state_dir = drom_xstrdup(optarg);
            break;
        case OPT_DRAIN:
            if (drom_parse_duration_ms(optarg, &o->drain_ms) < 0 || o->drain_ms < 0)
                return usage_error("--drain-timeout: expected a duration such as 30s, got '%s'",
                                   optarg);
            break;
        case OPT_EXIT_FAIL:
            o->exit_on_failure = true;
            break;
        case OPT_LOGFMT:
            if (strcmp(optarg, "text") == 0)
                o->log_format = DROM_LOG_TEXT;
            else if (strcmp(optarg, "json") == 0)
                o->log_format = DROM_LOG_JSON;
            else
                return usage_error("--log-format: expected text or json, got '%s'", optarg);
            break;
        case OPT_LOGLVL: {
            int lvl = drom_log_level_parse(optarg);
            if (lvl < 0)
                return usage_error("--log-level: expected trace, debug, info, warn, error or "
                                   "off, got '%s'", optarg);
            o->log_level = (enum drom_log_level)lvl;
            break;
        }
        case OPT_VERSION:
            printf("dromd %s\n", DROMD_VERSION);
            return 1;
        case 'h':
            dromd_usage(stdout);
            return 1;
        case ':':
            return usage_error("%s needs a value", argv[optind - 1]);
        default:
            return usage_error("unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind == argc)
        return usage_error("no route file given%s", "");
    if (optind + 1 < argc)
        return usage_error("one route file only, got also '%s'", argv[optind + 1]);
    o->routes_file = argv[optind];
    if (!o->state_dir)
        o->state_dir = dromd_default_state_dir();
    return 0;
}

void dromd_opts_free(struct dromd_opts *o)
{
    free(o->defines);
    free(o->state_dir);
    *o = (struct dromd_opts){0};
}
