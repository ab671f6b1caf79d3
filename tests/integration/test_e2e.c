/* The seed pipeline end to end, as `make demo` runs it: routes/cdc-pipeline.xml
 * and its properties file in build/dromd, MariaDB binlog -> Kafka -> Artemis,
 * the seed's three changes, and what a JMS client reads from the queue. */
#include "tests/integration/e2e_util.h"

/* The envelope's members in Debezium's order (the ones a change event always has). */
static void expect_envelope_order(struct e2e *t, json_t *ev, size_t i)
{
    static const char *const order[] = {"before", "after", "source", "transaction", "op", "ts_ms", "ts_us", "ts_ns"};
    size_t at = 0;
    const char *key;
    json_t *v;
    json_object_foreach(ev, key, v)
    {
        while (at < sizeof order / sizeof *order && strcmp(order[at], key) != 0)
            at++;
        E2E_EXPECT(t, at < sizeof order / sizeof *order, "event %zu: member %s in Debezium's order", i, key);
    }
}

static void expect_row(struct e2e *t, json_t *got, const char *want, size_t i, const char *which)
{
    json_error_t je;
    json_t *w = json_loads(want, JSON_DECODE_ANY, &je);
    cr_assert_not_null(w, "%s", je.text);
    char *g = json_dumps(got, JSON_ENCODE_ANY | JSON_COMPACT | JSON_PRESERVE_ORDER);
    E2E_EXPECT(t, json_equal(got, w), "event %zu: %s is %s, want %s", i, which, g ? g : "(absent)", want);
    free(g);
    json_decref(w);
}

static void expect_str(struct e2e *t, const char *got, const char *want, const char *fmt, size_t i)
{
    char what[256];
    snprintf(what, sizeof what, fmt, i);
    E2E_EXPECT(t, got && strcmp(got, want) == 0, "%s: got %s, want %s", what, got ? got : "(absent)", want);
}

Test(e2e, seed_three_changes_arrive_in_order_as_debezium_events, .timeout = 180)
{
    long long t0 = ts_now_ms(), wall0 = ts_wall_ms();
    struct e2e t;
    e2e_init(&t, "seed", 7701, 1);
    e2e_start(&t);

    struct e2e_msgs ms;
    e2e_seed_changes(&t, &ms);

    static const char *const ops[] = {"c", "u", "c"};
    static const char *const befores[] = {
        "null",
        "{\"id\":1,\"first_name\":\"John\",\"last_name\":\"Doe\",\"email\":\"jdoe@example.com\"}",
        "null",
    };
    static const char *const afters[] = {
        "{\"id\":1,\"first_name\":\"John\",\"last_name\":\"Doe\",\"email\":\"jdoe@example.com\"}",
        "{\"id\":1,\"first_name\":\"Jane\",\"last_name\":\"Doe\",\"email\":\"jdoe@example.com\"}",
        "{\"id\":2,\"first_name\":\"Chuck\",\"last_name\":\"Norris\",\"email\":\"cnorris@example.com\"}",
    };
    for (size_t i = 0; i < 3; i++) {
        struct e2e_msg *msg = &ms.v[i];
        cr_log_info("message %zu: _AMQ_DUPL_ID=%s %.400s", i, msg->dupl_id ? msg->dupl_id : "-", msg->body);
        expect_str(&t, msg->type, "text", "message %zu is a TextMessage", i);
        cr_assert_not_null(msg->event, "message %zu is a JSON change event: %.300s", i, msg->body);
        /* schemas=true (the converter's default): the envelope has its schema */
        json_t *whole = json_loads(msg->body, 0, NULL);
        E2E_EXPECT(&t, json_object_get(whole, "schema") != NULL, "message %zu carries Kafka Connect's schema", i);
        json_decref(whole);
        json_t *ev = msg->event;
        expect_str(&t, json_string_value(json_object_get(ev, "op")), ops[i], "event %zu op", i);
        expect_row(&t, json_object_get(ev, "before"), befores[i], i, "before");
        expect_row(&t, json_object_get(ev, "after"), afters[i], i, "after");
        json_t *src = json_object_get(ev, "source");
        expect_str(&t, json_string_value(json_object_get(src, "db")), t.db, "event %zu source.db", i);
        expect_str(&t, json_string_value(json_object_get(src, "table")), "customers",
                         "event %zu source.table", i);
        expect_str(&t, json_string_value(json_object_get(src, "snapshot")) ?: "false", "false",
                         "event %zu is streamed, not snapshotted", i);
        expect_envelope_order(&t, ev, i);
        /* The broker's duplicate id is the event id: the epoch of the source's
         * offset history (its first start, in ms), then server_id:gtid:pos:row
         * of the binlog event. */
        cr_assert_not_null(msg->dupl_id, "message %zu has _AMQ_DUPL_ID", i);
        const char *gtid = json_string_value(json_object_get(src, "gtid"));
        long long epoch = atoll(msg->dupl_id);
        E2E_EXPECT(&t, epoch >= wall0 && epoch <= ts_wall_ms(), "message %zu: the id's epoch %lld is the first start's "
                   "time", i, epoch);
        if (gtid) {
            char want[256];
            snprintf(want, sizeof want, "%lld/%lld:%s:%lld:%lld", epoch,
                     (long long)json_integer_value(json_object_get(src, "server_id")), gtid,
                     (long long)json_integer_value(json_object_get(src, "pos")),
                     (long long)json_integer_value(json_object_get(src, "row")));
            expect_str(&t, msg->dupl_id, want, "message %zu: _AMQ_DUPL_ID is the event id", i);
        }
    }
    for (size_t i = 0; i < 3; i++)
        E2E_EXPECT(&t, strcmp(ms.v[i].dupl_id, ms.v[(i + 1) % 3].dupl_id) != 0, "distinct _AMQ_DUPL_ID: %s %s",
                   ms.v[i].dupl_id, ms.v[(i + 1) % 3].dupl_id);
    e2e_msgs_free(&ms);
    e2e_finish(&t);
    e2e_say("seed: %lld ms", ts_now_ms() - t0);
}
