/* The seed pipeline run by dromd --exit-on-failure, when the binlog route
 * fails for good: its topic takes records of at most 64 KiB
 * (max.message.bytes) and one row's event is larger, which the broker
 * refuses with MSG_SIZE_TOO_LARGE, an error no retry cures. dromd must
 * drain, exit 3 within seconds, and leave the binlog position committed
 * before that row. Once the topic takes larger records, a new dromd resumes
 * from there: every change reaches the queue exactly once.
 *
 * Order: the changes before the large row come first, in order, and the
 * changes made while dromd is down come after it, in order. The changes
 * made just after the large row were handed to the Kafka producer before
 * its refusal came back; the broker stores them, and they stay ahead of
 * the large row's replay (Artemis drops their replays as duplicates).
 * Each is a row of its own, so every row's changes are still in order. */
#include "tests/integration/e2e_util.h"

#define ROWS 21
#define BIG_ROW 11             /* the row whose event the small topic refuses */
#define IN_FLIGHT_TO 16        /* rows BIG_ROW+1..this written at once after it; the rest while dromd is down */
#define BIG_NOTE 150000        /* characters of its note: its event is larger than SMALL_MAX */
#define SMALL_MAX "65536"
#define LARGE_MAX "1048588"    /* Kafka's default */

/* The topic's max.message.bytes as the broker reports it; "" when it does not answer. */
static void topic_max_bytes(rd_kafka_t *rk, const char *topic, char *out, size_t size)
{
    out[0] = '\0';
    rd_kafka_ConfigResource_t *res = rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, topic);
    rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
    rd_kafka_DescribeConfigs(rk, &res, 1, NULL, q);
    rd_kafka_event_t *ev = rd_kafka_queue_poll(q, 10000);
    const rd_kafka_DescribeConfigs_result_t *r = ev ? rd_kafka_event_DescribeConfigs_result(ev) : NULL;
    size_t n = 0, nent = 0;
    const rd_kafka_ConfigResource_t **rs = r ? rd_kafka_DescribeConfigs_result_resources(r, &n) : NULL;
    const rd_kafka_ConfigEntry_t **ents = n == 1 ? rd_kafka_ConfigResource_configs(rs[0], &nent) : NULL;
    for (size_t i = 0; i < nent; i++)
        if (strcmp(rd_kafka_ConfigEntry_name(ents[i]), "max.message.bytes") == 0 && rd_kafka_ConfigEntry_value(ents[i]))
            snprintf(out, size, "%s", rd_kafka_ConfigEntry_value(ents[i]));
    if (ev)
        rd_kafka_event_destroy(ev);
    rd_kafka_queue_destroy(q);
    rd_kafka_ConfigResource_destroy(res);
}

/* Sets the topic's max.message.bytes and waits until the broker reports it. */
static void set_topic_max_bytes(const char *topic, const char *value)
{
    rd_kafka_t *rk = ts_kafka_admin();
    rd_kafka_ConfigResource_t *res = rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, topic);
    cr_assert_eq(rd_kafka_ConfigResource_set_config(res, "max.message.bytes", value), RD_KAFKA_RESP_ERR_NO_ERROR);
    rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
    rd_kafka_AlterConfigs(rk, &res, 1, NULL, q);
    rd_kafka_event_t *ev = rd_kafka_queue_poll(q, 30000);
    cr_assert_not_null(ev, "AlterConfigs %s answered", topic);
    size_t n = 0;
    const rd_kafka_ConfigResource_t **rs =
        rd_kafka_AlterConfigs_result_resources(rd_kafka_event_AlterConfigs_result(ev), &n);
    cr_assert(rd_kafka_event_error(ev) == 0 && n == 1 && rd_kafka_ConfigResource_error(rs[0]) == 0,
              "max.message.bytes=%s on %s: %s", value, topic,
              n == 1 ? rd_kafka_ConfigResource_error_string(rs[0]) : rd_kafka_event_error_string(ev));
    rd_kafka_event_destroy(ev);
    rd_kafka_queue_destroy(q);
    rd_kafka_ConfigResource_destroy(res);
    char now[32] = "";
    long long end = ts_now_ms() + 30000;
    while (topic_max_bytes(rk, topic, now, sizeof now), strcmp(now, value) != 0 && ts_now_ms() < end)
        proc_pause_ms(100);
    rd_kafka_destroy(rk);
    cr_assert_str_eq(now, value, "the broker reports max.message.bytes=%s on %s", value, topic);
}

/* A note no codec shrinks much, so the event stays larger than SMALL_MAX. */
static char *big_note(void)
{
    static const char abc[] = "abcdefghijklmnopqrstuvwxyz0123456789";
    char *s = malloc(BIG_NOTE + 1);
    uint64_t seed = 42;
    for (int i = 0; i < BIG_NOTE; i++)
        s[i] = abc[e2e_rand(&seed) % (sizeof abc - 1)];
    s[BIG_NOTE] = '\0';
    return s;
}

static void insert_rows(MYSQL *m, int from, int to, const char *note)
{
    struct drom_buf b = DROM_BUF_INIT;
    drom_buf_puts(&b, "START TRANSACTION;");
    for (int id = from; id <= to; id++) {
        char line[256];
        snprintf(line, sizeof line,
                 "INSERT INTO customers (id, first_name, last_name, email, note) VALUES (%d, 'R%d', 'L%d', "
                 "'%d@example.com', ",
                 id, id, id, id);
        drom_buf_puts(&b, line);
        if (note) {
            drom_buf_puts(&b, "'");
            drom_buf_puts(&b, note);
            drom_buf_puts(&b, "');");
        } else {
            drom_buf_puts(&b, "NULL);");
        }
    }
    drom_buf_puts(&b, "COMMIT");
    drom_buf_cstr(&b);
    cr_assert_eq(ts_sql_try(m, b.data), 0, "rows %d..%d: %s", from, to, mysql_error(m));
    drom_buf_free(&b);
}

static void wait_queue(struct e2e *t, long long n, const char *what)
{
    long long c = e2e_wait_queue(t, n, 60000);
    if (c < n) {
        t->failed = true;
        char *log = ts_slurp(t->log);
        cr_assert_fail("%s: the queue %s holds %lld of %lld messages after 60 s; dromd log:\n%.6000s", what,
                       t->queue, c, n, log);
    }
}

Test(e2e_exit, a_record_too_large_exits_3_and_the_restart_resumes_exactly_once, .timeout = 300)
{
    long long t0 = ts_now_ms();
    struct e2e t;
    e2e_init(&t, "exit", 7731, 1);
    MYSQL *m = ts_root(10000);
    ts_sql(m, "USE `%s`", t.db);
    ts_sql(m, "ALTER TABLE customers ADD COLUMN note MEDIUMTEXT NULL");
    set_topic_max_bytes(t.topic, SMALL_MAX);
    t.flag = "--exit-on-failure";
    e2e_start(&t);

    insert_rows(m, 1, BIG_ROW - 1, NULL);
    wait_queue(&t, BIG_ROW - 1, "the rows before the large one");
    char *note = big_note();
    long long t_big = ts_now_ms();
    insert_rows(m, BIG_ROW, BIG_ROW, note);
    insert_rows(m, BIG_ROW + 1, IN_FLIGHT_TO, NULL);
    pid_t was = t.pid;
    int rc = proc_wait_exit(t.pid, 60000);
    long long took = ts_now_ms() - t_big;
    if (rc < 0) {
        kill(t.pid, SIGKILL);
        proc_wait_exit(t.pid, 10000);
    }
    t.pid = 0;
    char *log = ts_slurp(t.log);
    e2e_say("exit: dromd %d exited %d, %lld ms after the large row was written", (int)was, rc, took);
    E2E_EXPECT(&t, rc == 3, "dromd --exit-on-failure exits 3 once its binlog route has failed; exit %d, log:\n%.6000s",
               rc, log);
    E2E_EXPECT(&t, took < 15000, "it exits within seconds of the failure: %lld ms", took);
    const char *line = NULL;
    int len = 0;
    for (const char *p = log; p && *p && !line;) {
        const char *eol = strchr(p, '\n');
        int n = eol ? (int)(eol - p) : (int)strlen(p);
        if (memmem(p, (size_t)n, " ERROR ", 7) && memmem(p, (size_t)n, "exits with status 3", 19)) {
            line = p;
            len = n;
        }
        p = eol ? eol + 1 : NULL;
    }
    E2E_EXPECT(&t, line && memmem(line, (size_t)len, "route customers-to-kafka: ", 26) &&
                       memmem(line, (size_t)len, "MSG_SIZE_TOO_LARGE", 18) &&
                       memmem(line, (size_t)len, "restart it from the last committed position", 43),
               "one ERROR line names the route, its error and the restart: %.*s", len, line ? line : "(none)");
    E2E_EXPECT(&t, strstr(log, "shutdown in"), "dromd drained and stopped before exiting:\n%.6000s", log);
    free(log);
    long long before = e2e_queue_count(&t);
    e2e_say("exit: the queue holds %lld messages after the failed run", before);
    E2E_EXPECT(&t, before >= BIG_ROW - 1 && before <= IN_FLIGHT_TO - 1,
               "the changes before the large row arrived, the large one not: %lld", before);

    /* Changes made while dromd is down, then the fix an operator would
     * make; the restart replays from the committed position. */
    insert_rows(m, IN_FLIGHT_TO + 1, ROWS, NULL);
    set_topic_max_bytes(t.topic, LARGE_MAX);
    e2e_start(&t);
    wait_queue(&t, ROWS, "after the restart");
    E2E_EXPECT(&t, e2e_wait_quiet(&t, 60000), "dromd goes quiet (no exchange in flight, no consumer lag)");
    e2e_kill(&t, SIGTERM);
    mysql_close(m);

    struct e2e_msgs ms;
    e2e_drain_queue(&t, 100, 3000, &ms);
    E2E_EXPECT(&t, ms.n == ROWS, "one message per change, none lost, none twice: %zu for %d rows", ms.n, ROWS);
    int pos[ROWS + 1];
    for (int id = 0; id <= ROWS; id++)
        pos[id] = -1;
    for (size_t i = 0; i < ms.n; i++) {
        json_t *after = json_object_get(ms.v[i].event, "after");
        const char *op = json_string_value(json_object_get(ms.v[i].event, "op"));
        json_int_t id = json_integer_value(json_object_get(after, "id"));
        bool known = op && strcmp(op, "c") == 0 && id >= 1 && id <= ROWS;
        E2E_EXPECT(&t, known && pos[id] < 0, "message %zu is the first insert of row %lld: op %s", i, (long long)id,
                   op ? op : "-");
        if (!known)
            continue;
        pos[id] = (int)i;
        const char *got = json_string_value(json_object_get(after, "note"));
        if (id == BIG_ROW)
            E2E_EXPECT(&t, got && strcmp(got, note) == 0, "the large row arrives whole: %zu characters",
                       got ? strlen(got) : 0);
        else
            E2E_EXPECT(&t, json_is_null(json_object_get(after, "note")), "row %lld has no note", (long long)id);
    }
    struct drom_buf order = DROM_BUF_INIT;
    for (size_t i = 0; i < ms.n; i++) {
        char id[16];
        snprintf(id, sizeof id, "%s%lld", i ? " " : "",
                 (long long)json_integer_value(json_object_get(json_object_get(ms.v[i].event, "after"), "id")));
        drom_buf_puts(&order, id);
    }
    drom_buf_cstr(&order);
    e2e_say("exit: rows in the queue's order: %s", order.data ? order.data : "");
    for (int id = 1; id <= ROWS; id++)
        E2E_EXPECT(&t, pos[id] >= 0, "row %d arrived (order: %s)", id, order.data);
    for (int id = 1; id < BIG_ROW; id++)
        E2E_EXPECT(&t, pos[id] == id - 1, "row %d, committed before the failure, is message %d (order: %s)", id,
                   id - 1, order.data);
    for (int id = BIG_ROW + 2; id <= IN_FLIGHT_TO; id++)
        E2E_EXPECT(&t, pos[id - 1] < pos[id], "row %d after row %d (order: %s)", id, id - 1, order.data);
    for (int id = IN_FLIGHT_TO + 1; id <= ROWS; id++)
        E2E_EXPECT(&t, pos[id] > pos[BIG_ROW] && pos[id] > pos[id - 1],
                   "row %d, made while dromd was down, after the replayed large row and row %d (order: %s)", id,
                   id - 1, order.data);
    drom_buf_free(&order);
    e2e_msgs_free(&ms);
    free(note);
    e2e_finish(&t);
    e2e_say("exit: %lld ms", ts_now_ms() - t0);
}
