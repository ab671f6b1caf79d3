/* What each replica shows of its role, on the real servers: two dromd
 * sharing a Kafka consumer group on a 6-partition topic list the partitions
 * each holds (/routes, `dromd status`, /metrics), and after one stops the
 * other lists all six; a reload (SIGHUP) that turns standby on for the
 * binlog source joins its group and leads, one that turns it off leaves
 * the group and runs the source without. */
#include "tests/integration/e2e_util.h"

#define ROUTE_ID "customers-to-kafka"

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f, "%s: %s", path, strerror(errno));
    fputs(text, f);
    fclose(f);
}

/* The route `id` of replica t's /routes (a new reference), NULL when absent. */
static json_t *route_of(struct e2e *t, const char *id)
{
    char *body = NULL;
    json_t *found = NULL;
    json_t *doc = e2e_http(t, "/routes", &body) == 200 && body ? json_loads(body, 0, NULL) : NULL;
    size_t i;
    json_t *r;
    json_array_foreach(json_object_get(doc, "routes"), i, r)
        if (!found && strcmp(json_string_value(json_object_get(r, "id")) ?: "", id) == 0)
            found = json_incref(r);
    json_decref(doc);
    free(body);
    return found;
}

/* The line of `dromd status` (run against replica t) that shows route
 * `id`, malloc'ed; the whole output when no line does. */
static char *status_line(struct e2e *t, const char *id)
{
    char http[64], out[256];
    snprintf(http, sizeof http, "127.0.0.1:%d", t->http);
    snprintf(out, sizeof out, "%s/status-%d.txt", t->dir, t->http);
    char *argv[] = {(char *)ts_env("DROMD_BIN", "build/dromd"), "status", "--http", http, NULL};
    cr_assert_eq(proc_run(argv, out, out, 10000), 0, "dromd status --http %s", http);
    char *text = ts_slurp(out);
    e2e_say("%s: dromd status:\n%s", t->name, text);
    char key[160];
    snprintf(key, sizeof key, " %s ", id);
    char *line = strstr(text, key);
    if (!line)
        return text;
    while (line > text && line[-1] != '\n')
        line--;
    char *end = strchr(line, '\n');
    char *copy = strndup(line, end ? (size_t)(end - line) : strlen(line));
    free(text);
    return copy;
}

/* --- two consumers of one group on six partitions --- */

/* Bit i for partition i of `topic` the route "parts" of replica t holds,
 * as /routes lists it; -1 when /routes does not show it as a consumer. */
static int held_in_routes(struct e2e *t, const char *topic)
{
    json_t *r = route_of(t, "parts");
    const char *role = json_string_value(json_object_get(r, "role"));
    json_t *parts = json_object_get(json_object_get(r, "partitions"), topic);
    int mask = -1;
    if (role && strcmp(role, "consumer") == 0 && json_is_array(parts)) {
        mask = 0;
        size_t i;
        json_t *p;
        json_array_foreach(parts, i, p)
            mask |= 1 << json_integer_value(p);
    }
    json_decref(r);
    return mask;
}

/* The partitions `dromd status` names after "consumer of TOPIC " ("0,2-4"),
 * as bits; -1 when its line does not say so. */
static int held_in_status(struct e2e *t, const char *topic)
{
    char *line = status_line(t, "parts");
    char want[256];
    snprintf(want, sizeof want, "Started (consumer of %s ", topic);
    const char *at = strstr(line, want);
    int mask = at ? 0 : -1;
    for (const char *p = at ? at + strlen(want) : ""; mask >= 0 && *p && *p != ')';) {
        char *end;
        long a = strtol(p, &end, 10), b = a;
        if (end == p) {
            mask = -1;
            break;
        }
        if (*end == '-')
            b = strtol(end + 1, &end, 10);
        for (long k = a; k <= b && k < 31; k++)
            mask |= 1 << k;
        p = *end == ',' ? end + 1 : end;
    }
    free(line);
    return mask;
}

static void expect_metrics_agree(struct e2e *t, int mask, long long min_rebalances)
{
    char *body = NULL;
    cr_assert_eq(e2e_http(t, "/metrics", &body), 200);
    long long held = ts_metric(body, "drom_endpoint_consumer_partitions{routeId=\"parts\"");
    long long rebalances = ts_metric(body, "drom_endpoint_consumer_rebalances{routeId=\"parts\"");
    free(body);
    E2E_EXPECT(t, held == __builtin_popcount((unsigned)mask), "%s: drom_endpoint_consumer_partitions %lld, /routes "
               "lists %d", t->name, held, __builtin_popcount((unsigned)mask));
    E2E_EXPECT(t, rebalances >= min_rebalances, "%s: drom_endpoint_consumer_rebalances %lld, want at least %lld",
               t->name, rebalances, min_rebalances);
}

/* Both replicas hold some partitions, none twice, all six together. */
static bool shared(struct e2e r[2], const char *topic, int held[2])
{
    held[0] = held_in_routes(&r[0], topic);
    held[1] = held_in_routes(&r[1], topic);
    return held[0] > 0 && held[1] > 0 && (held[0] & held[1]) == 0 && (held[0] | held[1]) == 0x3f;
}

static void replica(struct e2e *t, const char *dir, int i, const char *routes)
{
    memset(t, 0, sizeof *t);
    snprintf(t->name, sizeof t->name, "parts.%d", i);
    snprintf(t->dir, sizeof t->dir, "%s", dir);
    snprintf(t->routes, sizeof t->routes, "%s", routes);
    snprintf(t->state, sizeof t->state, "%s/state%d", dir, i);
    snprintf(t->log, sizeof t->log, "%s/dromd%d.log", dir, i);
}

Test(e2e_roles, two_replicas_list_the_partitions_each_holds, .timeout = 240)
{
    char dir[64] = "/tmp/drom-e2e-parts-XXXXXX", routes[128], topic[96];
    cr_assert(mkdtemp(dir), "mkdtemp: %s", strerror(errno));
    snprintf(routes, sizeof routes, "%s/routes.xml", dir);
    snprintf(topic, sizeof topic, "parts-%d-%lld", (int)getpid(), ts_now_ms());
    cr_assert_eq(ts_ctl(NULL, "kafka", "start"), 0, "tests/services/kafka/ctl start");
    ts_create_topic(topic, 6, NULL);
    char xml[1024];
    snprintf(xml, sizeof xml,
             "<routes xmlns=\"http://camel.apache.org/schema/xml-io\"><route id=\"parts\">"
             "<from uri=\"kafka:%s?groupId=%s-g&amp;autoOffsetReset=earliest\"/><to uri=\"log:parts\"/>"
             "</route></routes>\n",
             topic, topic);
    write_text(routes, xml);
    struct e2e r[2];
    for (int i = 0; i < 2; i++) {
        replica(&r[i], dir, i, routes);
        e2e_start(&r[i]);
    }
    int held[2] = {-1, -1};
    long long end = ts_now_ms() + 60000;
    while (!shared(r, topic, held) && ts_now_ms() < end)
        proc_pause_ms(200);
    e2e_say("parts: /routes lists partitions %#x in replica 0 and %#x in replica 1", held[0], held[1]);
    cr_assert(shared(r, topic, held), "two replicas hold disjoint partitions that together are 0..5: %#x and %#x",
              held[0], held[1]);
    for (int i = 0; i < 2; i++) {
        int shown = held_in_status(&r[i], topic);
        E2E_EXPECT(&r[0], shown == held[i], "dromd status of replica %d shows partitions %#x, /routes %#x", i, shown,
                   held[i]);
        expect_metrics_agree(&r[i], held[i], 1);
    }

    char *body = NULL;
    e2e_http(&r[0], "/metrics", &body);
    long long before = body ? ts_metric(body, "drom_endpoint_consumer_rebalances{routeId=\"parts\"") : -1;
    free(body);
    e2e_kill(&r[1], SIGTERM);
    end = ts_now_ms() + 60000;
    while ((held[0] = held_in_routes(&r[0], topic)) != 0x3f && ts_now_ms() < end)
        proc_pause_ms(200);
    E2E_EXPECT(&r[0], held[0] == 0x3f, "after replica 1 stopped, replica 0 lists all six partitions: %#x", held[0]);
    char *line = status_line(&r[0], "parts");
    char want[160];
    snprintf(want, sizeof want, "Started (consumer of %s 0-5)", topic);
    E2E_EXPECT(&r[0], strstr(line, want), "dromd status shows %s: %s", want, line);
    free(line);
    expect_metrics_agree(&r[0], 0x3f, before + 1);

    e2e_kill(&r[0], SIGTERM);
    e2e_delete_topic(topic);
    bool failed = r[0].failed || r[1].failed;
    if (!failed && !getenv("E2E_KEEP")) {
        char cmd[128];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
        if (system(cmd) != 0)
            e2e_say("cannot remove %s", dir);
    }
}

/* --- a reload that turns standby on, then off --- */

/* The value of metric line `prefix` on replica t once it reaches `min`
 * (within timeout_ms); the last value read otherwise. */
static long long wait_metric(struct e2e *t, const char *prefix, long long min, int timeout_ms)
{
    long long end = ts_now_ms() + timeout_ms, v;
    while ((v = e2e_metric(t, prefix)) < min && ts_now_ms() < end)
        proc_pause_ms(100);
    return v;
}

/* Route ROUTE_ID is Started with role `role` (NULL: none) within 60 s. */
static bool wait_role(struct e2e *t, const char *role)
{
    for (long long end = ts_now_ms() + 60000; ts_now_ms() < end; proc_pause_ms(100)) {
        json_t *r = route_of(t, ROUTE_ID);
        const char *state = json_string_value(json_object_get(r, "state"));
        const char *has = json_string_value(json_object_get(r, "role"));
        bool ok = state && strcmp(state, "Started") == 0 && (role ? has && strcmp(has, role) == 0 : !has);
        json_decref(r);
        if (ok)
            return true;
    }
    return false;
}

/* The epoch group `group` committed on partition 0 of `topic`: what the
 * elector takes on leading; -1 when the group has none. */
static long long committed_epoch(const char *group, const char *topic)
{
    char why[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "bootstrap.servers", ts_brokers(), why, sizeof why);
    rd_kafka_conf_set(conf, "group.id", group, why, sizeof why);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, why, sizeof why);
    cr_assert_not_null(rk, "%s", why);
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(l, topic, 0);
    long long epoch = rd_kafka_committed(rk, l, 20000) == RD_KAFKA_RESP_ERR_NO_ERROR ? l->elems[0].offset : -1;
    rd_kafka_topic_partition_list_destroy(l);
    rd_kafka_destroy(rk);
    return epoch;
}

static void reload(struct e2e *t, const char *routes_text, long long nth)
{
    write_text(t->routes, routes_text);
    kill(t->pid, SIGHUP);
    long long n = wait_metric(t, "drom_reloads_total", nth, 60000);
    cr_assert_geq(n, nth, "reload %lld done (drom_reloads_total %lld); log %s", nth, n, t->log);
}

Test(e2e_roles, sighup_turns_standby_on_then_off, .timeout = 300)
{
    struct e2e t;
    e2e_init(&t, "hupstandby", 7761, 1);
    t.route_file = "routes/cdc-pipeline-ha.xml";
    t.props = "routes/cdc-pipeline-ha.properties";
    e2e_write_routes(&t);
    char *with = ts_slurp(t.routes), opts[512], group[160], sb_topic[160], leader[320], epoch_line[320];
    snprintf(group, sizeof group, "%s.standby", t.prefix);
    snprintf(sb_topic, sizeof sb_topic, "%s.standby", t.prefix);
    snprintf(opts, sizeof opts, "&amp;standby=true&amp;standbyGroupId=%s&amp;standbyTopic=%s", group, sb_topic);
    cr_assert(strstr(with, opts), "the HA routes turn standby on with %s", opts);
    char *without = e2e_replace_all(with, opts, "");
    write_text(t.routes, without);
    snprintf(leader, sizeof leader, "drom_standby_leader{routeId=\"" ROUTE_ID "\",group=\"%s\"}", group);
    snprintf(epoch_line, sizeof epoch_line, "drom_standby_epoch{routeId=\"" ROUTE_ID "\",group=\"%s\"}", group);

    e2e_start(&t);
    E2E_EXPECT(&t, wait_role(&t, NULL), "without standby the source runs with no role");
    E2E_EXPECT(&t, e2e_metric(&t, "drom_standby_leader") == -1, "no standby metric without standby");
    e2e_insert_customers(t.db, 1);
    e2e_expect_customers(&t, 1, 3);

    reload(&t, with, 1);
    E2E_EXPECT(&t, wait_role(&t, "leader"), "the reload that turned standby on made this replica the leader");
    E2E_EXPECT(&t, wait_metric(&t, leader, 1, 10000) == 1, "%s is 1", leader);
    long long epoch = e2e_metric(&t, epoch_line);
    long long stored = committed_epoch(group, sb_topic);
    E2E_EXPECT(&t, epoch >= 1 && stored == epoch, "group %s committed epoch %lld, /metrics says %lld", group, stored,
               epoch);
    char *line = status_line(&t, ROUTE_ID);
    E2E_EXPECT(&t, strstr(line, "Started (leader)"), "dromd status shows the leader: %s", line);
    free(line);
    char joined[320];
    snprintf(joined, sizeof joined, "route " ROUTE_ID ": standing by in group %s", group);
    E2E_EXPECT(&t, proc_wait_text(t.log, joined, 100), "the log says: %s", joined);
    e2e_insert_customers(t.db, 4);
    e2e_expect_customers(&t, 4, 3);

    /* A reload that changes the standby settings but whose routes do not
     * start (a file consumer in a directory no one can create) rolls back:
     * the leader keeps its elector and its lead, no new election. */
    char changed[600], sessions[320];
    snprintf(changed, sizeof changed, "%s&amp;standbySessionTimeoutMs=7000", opts);
    char *broken_sb = e2e_replace_all(with, opts, changed);
    char *broken = e2e_replace_all(broken_sb, "</routes>",
                                   "<route id=\"broken\"><from uri=\"file:/proc/drom-none/in\"/>"
                                   "<to uri=\"log:broken\"/></route></routes>");
    snprintf(sessions, sizeof sessions, "drom_standby_leadership_changes_total{routeId=\"" ROUTE_ID "\",group=\"%s\"}",
             group);
    long long changes = e2e_metric(&t, sessions);
    write_text(t.routes, broken);
    kill(t.pid, SIGHUP);
    E2E_EXPECT(&t, wait_metric(&t, "drom_reload_failures_total", 1, 60000) == 1, "the broken reload is counted");
    char kept[320];
    snprintf(kept, sizeof kept, "route " ROUTE_ID ": the reload rolled back; staying in standby group %s", group);
    E2E_EXPECT(&t, proc_wait_text(t.log, kept, 10000), "the log says: %s", kept);
    E2E_EXPECT(&t, wait_role(&t, "leader"), "after the rollback the replica still leads");
    proc_pause_ms(2000);   /* a re-created elector would give up the lead and join again meanwhile */
    E2E_EXPECT(&t, e2e_metric(&t, sessions) == changes && e2e_metric(&t, epoch_line) == epoch,
               "no leadership change (%lld, was %lld) and the same epoch (%lld, was %lld)", e2e_metric(&t, sessions),
               changes, e2e_metric(&t, epoch_line), epoch);
    E2E_EXPECT(&t, e2e_metric(&t, "drom_reloads_total") == 1, "the broken reload swapped nothing");
    free(broken_sb);
    free(broken);
    write_text(t.routes, with);
    e2e_insert_customers(t.db, 7);
    e2e_expect_customers(&t, 7, 3);

    reload(&t, without, 2);
    E2E_EXPECT(&t, wait_role(&t, NULL), "the reload that turned standby off runs the source with no role");
    E2E_EXPECT(&t, e2e_metric(&t, "drom_standby_leader") == -1, "no standby metric once standby is off");
    char left[320];
    snprintf(left, sizeof left, "route " ROUTE_ID ": left standby group %s", group);
    E2E_EXPECT(&t, proc_wait_text(t.log, left, 10000), "the log says: %s", left);
    e2e_insert_customers(t.db, 10);
    e2e_expect_customers(&t, 10, 3);

    free(with);
    free(without);
    char offsets[160];
    snprintf(offsets, sizeof offsets, "%s.offsets", t.prefix);
    e2e_finish(&t);
    e2e_delete_topic(sb_topic);
    e2e_delete_topic(offsets);
}
