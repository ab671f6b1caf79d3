/* dromc import end to end: the seed article's own connector configurations
 * (tests/import/seed/, verbatim) imported, then the route and properties run
 * by build/dromd on the real servers with the seed's three changes, which
 * reach the queue as the hand-written routes/cdc-pipeline.xml delivers them.
 * Only the names that keep tests apart change (database, topic prefix,
 * server id, queue), and the ${file:...} secrets point at the seed's own
 * properties files, so the credentials travel through {{file:PATH:KEY}}. */
#include "compiler/import.h"
#include "tests/integration/e2e_util.h"

static char *import_seed(struct e2e *t)
{
    static const char *const files[] = {"tests/import/seed/mysql-source.yaml", "tests/import/seed/amq-sink.yaml"};
    struct drom_import_input in[2];
    for (int i = 0; i < 2; i++) {
        char *s = ts_slurp(files[i]);
        cr_assert(s[0], "%s is readable (run from the checkout's root)", files[i]);
        in[i] = (struct drom_import_input){.name = files[i], .data = s, .len = strlen(s)};
    }
    struct drom_import_opts o = {.properties_name = "imported.properties"};
    struct drom_import_out out;
    struct drom_error err = {0};
    cr_assert_eq(drom_import(in, 2, &o, &out, &err), 0, "import: %s:%d: %s", err.file, err.line, err.msg);
    char sid[32];
    snprintf(sid, sizeof sid, "serverId=%u", t->server_id);
    char *a = e2e_replace_all(out.route, "cdcdb", t->db);
    char *b = e2e_replace_all(a, "my-mysql", t->prefix);
    char *c = e2e_replace_all(b, "queue.customers", t->queue);
    char *d = e2e_replace_all(c, "serverId=224466", sid);
    FILE *f = fopen(t->routes, "w");
    cr_assert_not_null(f);
    fputs(d, f);
    fclose(f);
    char *p1 = e2e_replace_all(out.properties, "/opt/kafka/external-configuration/debezium-config", "tests/import/seed");
    char *p2 = e2e_replace_all(p1, "/opt/kafka/external-configuration/camel-config", "tests/import/seed");
    char *path = malloc(256);
    snprintf(path, 256, "%s/imported.properties", t->dir);
    f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs(p2, f);
    fclose(f);
    free(a), free(b), free(c), free(d), free(p1), free(p2);
    drom_import_out_free(&out);
    for (int i = 0; i < 2; i++)
        free((char *)in[i].data);
    return path;
}

Test(import_e2e, seed_connectors_imported_deliver_the_three_changes, .timeout = 180)
{
    struct e2e t;
    e2e_init(&t, "import", 7741, 1);
    char *props = import_seed(&t);
    /* the installation's addresses, as -D overrides of the imported values */
    static char host[64], port[64], brokers[256], amq[256];
    snprintf(host, sizeof host, "mysql-source.database.hostname=127.0.0.1");
    snprintf(port, sizeof port, "mysql-source.database.port=%s", ts_env("MARIADB_PORT", "13306"));
    snprintf(brokers, sizeof brokers, "camel.component.kafka.brokers=%s", ts_env("KAFKA_BROKERS", "127.0.0.1:19092"));
    snprintf(amq, sizeof amq, "camel.component.sjms2.remoteURI=%s", ts_env("ARTEMIS_URI", "amqp://127.0.0.1:61716"));
    t.props = props;
    t.defines[0] = host;
    t.defines[1] = port;
    t.defines[2] = brokers;
    t.defines[3] = amq;
    e2e_start(&t);

    struct e2e_msgs ms;
    e2e_seed_changes(&t, &ms);
    static const char *const ops[] = {"c", "u", "c"};
    static const char *const firsts[] = {"John", "Jane", "Chuck"};
    for (size_t i = 0; i < 3; i++) {
        cr_assert_not_null(ms.v[i].event, "message %zu is a JSON change event: %.300s", i, ms.v[i].body);
        const char *op = json_string_value(json_object_get(ms.v[i].event, "op"));
        const char *first =
            json_string_value(json_object_get(json_object_get(ms.v[i].event, "after"), "first_name"));
        E2E_EXPECT(&t, op && strcmp(op, ops[i]) == 0, "event %zu op %s, want %s", i, op ? op : "-", ops[i]);
        E2E_EXPECT(&t, first && strcmp(first, firsts[i]) == 0, "event %zu first_name %s, want %s", i,
                   first ? first : "-", firsts[i]);
        E2E_EXPECT(&t, ms.v[i].dupl_id != NULL, "message %zu has _AMQ_DUPL_ID", i);
    }
    /* the credentials came from the seed's files, never from the command line */
    char *log = ts_slurp(t.log);
    E2E_EXPECT(&t, !strstr(log, "password=debezium") && !strstr(log, "password=admin"), "no secret in dromd's log");
    free(log);
    e2e_msgs_free(&ms);
    e2e_finish(&t);
    free(props);
}
