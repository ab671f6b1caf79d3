#include <getopt.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cmd/dromd/cli.h"
#include "cmd/dromd/offsets.h"
#include "components/kafka/kafka.h"
#include "components/mysql-binlog/mb_options.h"
#include "components/mysql-binlog/mb_source.h"
#include "dsl/properties.h"
#include "runtime/xalloc.h"

static void usage(FILE *out)
{
    fputs("usage: dromd offsets show  [STORE] [--json] [KEY]\n"
          "       dromd offsets set   [STORE] KEY --to FILE:POS[:GTIDS] [--event N] [--row N]\n"
          "       dromd offsets reset [STORE] KEY\n"
          "STORE: --state-dir DIR (its offsets.json; dromd's default state dir when absent)\n"
          "       --file FILE (offsetStorageFileName)\n"
          "       --kafka BROKERS --topic TOPIC [--command-config FILE] (offsetStorage=kafka; FILE:\n"
          "       the client's security.protocol, ssl.* and sasl.* as Kafka's tools take them)\n"
          "KEY is the source's key, e.g. mysql-binlog/<topicPrefix> (`show` lists them).\n"
          "set writes a checked position (keeping the source's epoch, so replays keep their ids);\n"
          "reset marks the entry: the source starts over from its configured start (snapshotMode).\n"
          "Run them while the dromd that owns the store is stopped.\n",
          out);
}

struct args {
    const char *cmd, *state_dir, *file, *brokers, *topic, *key, *to, *command_config;
    long long event, row;
    bool json;
};

static int parse(int argc, char **argv, struct args *a)
{
    enum { O_STATE = 256, O_FILE, O_KAFKA, O_TOPIC, O_TO, O_EVENT, O_ROW, O_JSON, O_HELP, O_CONFIG };
    static const struct option longs[] = {
        {"state-dir", required_argument, NULL, O_STATE}, {"file", required_argument, NULL, O_FILE},
        {"kafka", required_argument, NULL, O_KAFKA},     {"topic", required_argument, NULL, O_TOPIC},
        {"to", required_argument, NULL, O_TO},           {"event", required_argument, NULL, O_EVENT},
        {"row", required_argument, NULL, O_ROW},         {"json", no_argument, NULL, O_JSON},
        {"help", no_argument, NULL, O_HELP},             {"command-config", required_argument, NULL, O_CONFIG},
        {0},
    };
    memset(a, 0, sizeof *a);
    if (argc < 2) {
        usage(stderr);
        return -1;
    }
    a->cmd = argv[1];
    if (strcmp(a->cmd, "--help") == 0 || strcmp(a->cmd, "-h") == 0) {
        usage(stdout);
        return 1;
    }
    if (strcmp(a->cmd, "show") != 0 && strcmp(a->cmd, "set") != 0 && strcmp(a->cmd, "reset") != 0) {
        fprintf(stderr, "dromd offsets: unknown command '%s' (show, set or reset)\n", a->cmd);
        return -1;
    }
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc - 1, argv + 1, "h", longs, NULL)) != -1) {
        switch (c) {
        case O_STATE: a->state_dir = optarg; break;
        case O_FILE: a->file = optarg; break;
        case O_KAFKA: a->brokers = optarg; break;
        case O_TOPIC: a->topic = optarg; break;
        case O_CONFIG: a->command_config = optarg; break;
        case O_TO: a->to = optarg; break;
        case O_EVENT: a->event = atoll(optarg); break;
        case O_ROW: a->row = atoll(optarg); break;
        case O_JSON: a->json = true; break;
        case 'h':
        case O_HELP: usage(stdout); return 1;
        default:
            fprintf(stderr, "dromd offsets %s: unknown or incomplete option '%s'\n", a->cmd, argv[optind]);
            return -1;
        }
    }
    int rest = argc - 1 - optind;
    if (rest > 1) {
        fprintf(stderr, "dromd offsets %s: one KEY at most\n", a->cmd);
        return -1;
    }
    a->key = rest == 1 ? argv[1 + optind] : NULL;
    if (!!a->brokers != !!a->topic || (a->command_config && !a->brokers)) {
        fputs("dromd offsets: --kafka and --topic go together (and --command-config with them)\n", stderr);
        return -1;
    }
    if ((a->file != NULL) + (a->brokers != NULL) + (a->state_dir != NULL) > 1) {
        fputs("dromd offsets: one store: --state-dir, --file or --kafka/--topic\n", stderr);
        return -1;
    }
    if (strcmp(a->cmd, "show") != 0 && !a->key) {
        fprintf(stderr, "dromd offsets %s: which KEY? (`dromd offsets show` lists them)\n", a->cmd);
        return -1;
    }
    if (strcmp(a->cmd, "set") == 0 && !a->to) {
        fputs("dromd offsets set: --to FILE:POS[:GTIDS] is required\n", stderr);
        return -1;
    }
    return 0;
}

/* The client settings of a Kafka that requires TLS or SASL, as Kafka's own
 * tools read them (--command-config): security.protocol, ssl.truststore.location
 * (PEM), ssl.keystore.location, ssl.keystore.password, ssl.key.password,
 * sasl.mechanism and sasl.jaas.config, checked and turned into the store's
 * client properties as a source's are. */
static int command_config(const char *path, struct drom_kafka_props *out, struct drom_error *err)
{
    struct drom_props p = DROM_PROPS_INIT;
    if (drom_props_load_file(&p, path, err) < 0)
        return -1;
    struct drom_kafka_security s = {
        .protocol = -1, .mechanism = drom_props_get(&p, "sasl.mechanism"), .jaas = drom_props_get(&p, "sasl.jaas.config"),
        .truststore = drom_props_get(&p, "ssl.truststore.location"),
        .keystore = drom_props_get(&p, "ssl.keystore.location"),
        .keystore_password = drom_props_get(&p, "ssl.keystore.password"),
        .key_password = drom_props_get(&p, "ssl.key.password"),
        .names = MB_KAFKA_EXPAND(MB_KAFKA_NAMES, "", MB_KAFKA_JAVA_NAMES)};
    const char *protocol = drom_props_get(&p, "security.protocol");
    for (int i = 0; protocol && drom_kafka_protocols[i]; i++)
        if (strcasecmp(protocol, drom_kafka_protocols[i]) == 0)
            s.protocol = i;
    int rc = 0;
    if (protocol && s.protocol < 0)
        rc = drom_err(err, DROM_EINVAL, "security.protocol '%s' is not PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL",
                      protocol);
    if (rc == 0 && (drom_kafka_security_check(&s, err) < 0 || drom_kafka_props_build(&s, out, err) < 0))
        rc = -1;
    if (rc < 0)
        drom_err_prefix(err, "%s", path);
    drom_props_free(&p);
    return rc;
}

static struct drom_offset_store *open_store(const struct args *a, char *where, size_t size, struct drom_error *err)
{
    struct drom_offset_config cfg = {.brokers = a->brokers, .topic = a->topic, .timeout_ms = 15000};
    if (a->brokers) {
        snprintf(where, size, "Kafka topic %s on %s", a->topic, a->brokers);
        struct drom_kafka_props props = {0};
        if (a->command_config && command_config(a->command_config, &props, err) < 0)
            return NULL;
        cfg.props = drom_kafka_props_list(&props);
        struct drom_offset_store *s = drom_offset_backend_kafka.open(&cfg, err);
        drom_kafka_props_free(&props);
        return s;
    }
    char *dir = a->state_dir ? drom_xstrdup(a->state_dir) : dromd_default_state_dir();
    if (a->file)
        snprintf(where, size, "%s", a->file);
    else
        snprintf(where, size, "%s/offsets.json", dir);
    free(dir);
    cfg.path = where;
    return drom_offset_backend_file.open(&cfg, err);
}

/* One line per key: where the source resumes and whether the entry checks. */
static void show_one(struct drom_offset_store *s, const char *key, bool raw)
{
    char *json = NULL;
    struct drom_error err = {0};
    if (drom_offset_get(s, key, &json, &err) || !json) {
        printf("%s\t(no entry)\n", key);
        free(json);
        return;
    }
    if (raw || !mb_is_offset_key(key)) {
        printf("%s\t%s\n", key, json);
        free(json);
        return;
    }
    struct mb_offset o;
    if (mb_offset_from_json(&o, key, json, &err)) {
        printf("%s\tREFUSED: %s\n", key, err.msg);
    } else if (o.reset) {
        printf("%s\treset: starts over from its configured start (snapshotMode)\n", key);
    } else {
        printf("%s\t%s:%" PRIu64, key, o.file, o.pos);
        if (o.event || o.row)
            printf(" event %u row %u", o.event, o.row);
        if (o.gtids[0])
            printf(" gtids %s", o.gtids);
        if (o.snapshot)
            printf(" (snapshot in progress)");
        static const char *const running[] = {"incremental_snapshot", "blocking_snapshot"};
        for (size_t i = 0; i < sizeof running / sizeof *running; i++) {
            char *ctx = mb_offset_member(json, running[i]);
            if (ctx)
                printf(" (%.*s snapshot in progress)", (int)strcspn(running[i], "_"), running[i]);
            free(ctx);
        }
        /* the Kafka signal last acted on: a start reads the signal topic after it */
        if (o.signal_resume > 0)
            printf(" signal offset %" PRId64, o.signal_resume - 1);
        printf(" epoch %" PRId64 " %s\n", o.epoch_ms, o.legacy ? "no checksum (older dromd)" : "checksum ok");
    }
    free(json);
}

static int show(struct drom_offset_store *s, const struct args *a, const char *where)
{
    if (a->key) {
        show_one(s, a->key, a->json);
        return 0;
    }
    char **keys;
    size_t n;
    struct drom_error err = {0};
    if (drom_offset_keys(s, &keys, &n, &err)) {
        fprintf(stderr, "dromd offsets show: %s\n", err.msg);
        return 1;
    }
    if (!n)
        printf("# %s holds no offsets\n", where);
    for (size_t i = 0; i < n; i++)
        show_one(s, keys[i], a->json);
    drom_offset_keys_free(keys, n);
    return 0;
}

/* FILE:POS[:GTIDS] */
static int parse_to(const char *to, struct mb_offset *o)
{
    const char *c1 = strchr(to, ':');
    if (!c1 || c1 == to || (size_t)(c1 - to) >= sizeof o->file)
        return -1;
    memcpy(o->file, to, (size_t)(c1 - to));
    o->file[c1 - to] = '\0';
    char *end;
    unsigned long long pos = strtoull(c1 + 1, &end, 10);
    if (end == c1 + 1 || pos < 4 || (*end && *end != ':'))
        return -1;
    o->pos = pos;
    if (*end == ':')
        snprintf(o->gtids, sizeof o->gtids, "%s", end + 1);
    return 0;
}

static int set(struct drom_offset_store *s, const struct args *a, const char *where)
{
    if (!mb_is_offset_key(a->key)) {
        fprintf(stderr, "dromd offsets set: %s is not a binlog source's key (mysql-binlog/... or debezium-mysql/...)\n",
                a->key);
        return 2;
    }
    struct mb_offset o = {0};
    if (parse_to(a->to, &o)) {
        fprintf(stderr, "dromd offsets set: --to %s: expected FILE:POS[:GTIDS], e.g. mysql-bin.000003:4\n", a->to);
        return 2;
    }
    o.event = (uint32_t)a->event;
    o.row = (uint32_t)a->row;
    char *json = NULL;
    struct drom_error err = {0};
    /* The entry's epoch, even from an entry that fails its checksum (the one
     * being repaired): replays keep their ids, so the broker still drops them. */
    if (drom_offset_get(s, a->key, &json, &err) == 0 && json) {
        json_t *j = json_loads(json, 0, NULL);
        json_t *e = json_object_get(j, "epoch");
        if (json_is_integer(e) && json_integer_value(e) > 0)
            o.epoch_ms = json_integer_value(e);
        json_decref(j);
    }
    free(json);
    if (!o.epoch_ms) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        o.epoch_ms = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;   /* a new history: new ids */
    }
    struct drom_buf b = DROM_BUF_INIT;
    mb_offset_to_json(&o, a->key, &b);
    int rc = drom_offset_put(s, a->key, b.data, &err);
    if (rc)
        fprintf(stderr, "dromd offsets set: %s\n", err.msg);
    else
        printf("%s\t%s (in %s)\n", a->key, b.data, where);
    drom_buf_free(&b);
    return rc ? 1 : 0;
}

int dromd_cmd_offsets(int argc, char **argv)
{
    struct args a;
    int rc = parse(argc, argv, &a);
    if (rc)
        return rc < 0 ? 2 : 0;
    char where[1024];
    struct drom_error err = {0};
    struct drom_offset_store *s = open_store(&a, where, sizeof where, &err);
    if (!s) {
        /* The refusal is what `show` is for: say it, and how the entries look. */
        fprintf(stderr, "dromd offsets %s: %s\n", a.cmd, err.msg);
        return 1;
    }
    if (strcmp(a.cmd, "show") == 0) {
        rc = show(s, &a, where);
    } else if (strcmp(a.cmd, "set") == 0) {
        rc = set(s, &a, where);
    } else if (mb_is_offset_key(a.key)) {
        /* A mark rather than nothing: the source then knows the fresh start
         * is meant, and does not refuse it for what its topic already holds. */
        struct mb_offset o = {.reset = true};
        struct drom_buf b = DROM_BUF_INIT;
        mb_offset_to_json(&o, a.key, &b);
        rc = drom_offset_put(s, a.key, b.data, &err) ? 1 : 0;
        drom_buf_free(&b);
        if (rc)
            fprintf(stderr, "dromd offsets reset: %s\n", err.msg);
        else
            printf("%s\treset in %s: the source starts over from its configured start (snapshotMode), in a new "
                   "history\n", a.key, where);
    } else {
        rc = drom_offset_del(s, a.key, &err) ? 1 : 0;
        if (rc)
            fprintf(stderr, "dromd offsets reset: %s\n", err.msg);
        else
            printf("%s\tremoved from %s\n", a.key, where);
    }
    drom_offset_store_close(s);
    return rc;
}
