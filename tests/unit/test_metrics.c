/* The names of /metrics: Camel's, Debezium's and ours, one casing each. */
#include <criterion/criterion.h>
#include <string.h>

#include "runtime/metrics.h"
#include "runtime/option.h"

static char *render(struct drom_route_metrics *r, struct drom_endpoint_metrics **eps, size_t neps)
{
    struct drom_route_metrics *routes[1] = {r};
    struct drom_metrics_view v = {.camel_context = "cdc-pipeline", .routes = routes, .nroutes = 1,
                                  .eps = eps, .neps = neps, .now_ms = 100000};
    struct drom_buf b = DROM_BUF_INIT;
    drom_metrics_render(&b, &v);
    return drom_buf_detach(&b);
}

Test(metrics, snake_case)
{
    char out[64];
    const char *cases[][2] = {{"MilliSecondsBehindSource", "milli_seconds_behind_source"},
                              {"Connected", "connected"},
                              {"connected", "connected"},
                              {"consumer_lag", "consumer_lag"},
                              {"SnapshotRowsScanned", "snapshot_rows_scanned"},
                              {"HTTPStatus", "http_status"}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        drom_metric_snake(cases[i][0], out, sizeof out);
        cr_expect_str_eq(out, cases[i][1]);
    }
}

Test(metrics, camel_names_and_labels)
{
    struct drom_route_metrics r;
    drom_route_metrics_init(&r, "customers-to-kafka");
    atomic_store(&r.total, 5);
    atomic_store(&r.running, 1);
    drom_route_metrics_latency(&r, 1500);
    drom_route_metrics_latency(&r, 30000);
    char *t = render(&r, NULL, 0);
    const char *want[] = {
        "camel_exchanges_total{routeId=\"customers-to-kafka\",camelContext=\"cdc-pipeline\",eventType=\"route\","
        "serviceName=\"MicrometerRoutePolicyService\"} 5\n",
        "# TYPE camel_exchanges_external_redeliveries_total counter\n",
        "# TYPE camel_route_policy_seconds histogram\n",
        "camel_route_policy_seconds_bucket{routeId=\"customers-to-kafka\",camelContext=\"cdc-pipeline\","
        "eventType=\"route\",serviceName=\"MicrometerRoutePolicyService\",le=\"0.0025\"} 1\n",
        "camel_route_policy_seconds_bucket{routeId=\"customers-to-kafka\",camelContext=\"cdc-pipeline\","
        "eventType=\"route\",serviceName=\"MicrometerRoutePolicyService\",le=\"+Inf\"} 2\n",
        "camel_route_policy_seconds_count{routeId=\"customers-to-kafka\",camelContext=\"cdc-pipeline\","
        "eventType=\"route\",serviceName=\"MicrometerRoutePolicyService\"} 2\n",
        "camel_route_policy_seconds_max{routeId=\"customers-to-kafka\",camelContext=\"cdc-pipeline\","
        "eventType=\"route\",serviceName=\"MicrometerRoutePolicyService\"} 0.030000\n",
        "camel_routes_added_routes{camelContext=\"cdc-pipeline\",eventType=\"RouteEvent\","
        "serviceName=\"MicrometerEventNotifierService\"} 1\n",
        "camel_routes_running_routes{camelContext=\"cdc-pipeline\",eventType=\"RouteEvent\","
        "serviceName=\"MicrometerEventNotifierService\"} 1\n",
        "drom_exchange_latency_seconds_count{routeId=\"customers-to-kafka\"} 2\n",
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        cr_expect(strstr(t, want[i]), "missing %s in\n%s", want[i], t);
    cr_expect_eq(atomic_load(&r.lat_last_us), 30000);
    free(t);
}

Test(metrics, debezium_names_and_one_casing)
{
    struct drom_route_metrics r;
    drom_route_metrics_init(&r, "cdc");
    r.window = 1000;
    atomic_store(&r.inflight, 10);
    struct drom_endpoint_metrics src, amqp;
    drom_endpoint_metrics_init(&src, "cdc", "mysql-binlog:cdc?host=db");
    drom_endpoint_metrics_init(&amqp, "sink", "sjms2:queue:q");
    src.route = &r;
    drom_endpoint_metrics_identity(&src, "mysql", "my-mysql");
    drom_endpoint_metrics_put(&src, "Connected", 1, 1);
    drom_endpoint_metrics_put(&src, "MilliSecondsBehindSource", 42, 1);
    drom_endpoint_metrics_put(&src, "TotalNumberOfEventsSeen", 3, 0);
    drom_endpoint_metrics_put(&src, "LastEventMs", 99000, 1);
    drom_endpoint_metrics_text(&src, "BinlogFilename", "mysql-bin.000003");
    drom_endpoint_metrics_put(&src, "SnapshotRowsScanned", 12, 0);
    drom_endpoint_metrics_put_table(&src, "SnapshotRowsScanned", "cdcdb.customers", 7, 1);
    drom_endpoint_metrics_put_table(&src, "SnapshotRowsScanned", "cdcdb.orders", 5, 1);
    drom_endpoint_metrics_put(&amqp, "connected", 0, 1);
    struct drom_endpoint_metrics *eps[2] = {&src, &amqp};
    char *t = render(&r, eps, 2);
#define DBZ(ctx) "{context=\"" ctx "\",name=\"my-mysql\",server=\"my-mysql\",plugin=\"mysql\"}"
    const char *want[] = {
        "debezium_metrics_Connected" DBZ("streaming") " 1\n",
        "debezium_metrics_MilliSecondsBehindSource" DBZ("streaming") " 42\n",
        "debezium_metrics_TotalNumberOfEventsSeen" DBZ("streaming") " 3\n",
        "debezium_metrics_TotalNumberOfEventsSeen" DBZ("snapshot") " 0\n",
        "debezium_metrics_MilliSecondsSinceLastEvent" DBZ("streaming") " 1000\n",
        "debezium_metrics_MilliSecondsSinceLastEvent" DBZ("snapshot") " -1\n",
        "debezium_metrics_QueueTotalCapacity" DBZ("streaming") " 1000\n",
        "debezium_metrics_QueueRemainingCapacity" DBZ("streaming") " 990\n",
        /* RowsScanned per table, as the MBean's map; the sum stays dromd's own */
        "debezium_metrics_RowsScanned{context=\"snapshot\",name=\"my-mysql\",server=\"my-mysql\",plugin=\"mysql\","
        "table=\"cdcdb.customers\"} 7\n",
        "debezium_metrics_RowsScanned{context=\"snapshot\",name=\"my-mysql\",server=\"my-mysql\",plugin=\"mysql\","
        "table=\"cdcdb.orders\"} 5\n",
        "drom_endpoint_snapshot_rows_scanned{routeId=\"cdc\",endpoint=\"mysql-binlog:cdc?host=db\"} 12\n",
        "debezium_metrics_SnapshotCompleted" DBZ("snapshot") " 0\n",
        "debezium_metrics_BinlogFilename{context=\"streaming\",name=\"my-mysql\",server=\"my-mysql\","
        "plugin=\"mysql\",value=\"mysql-bin.000003\"} 1\n",
        "drom_endpoint_connected{routeId=\"cdc\",endpoint=\"mysql-binlog:cdc?host=db\"} 1\n",
        "drom_endpoint_connected{routeId=\"sink\",endpoint=\"sjms2:queue:q\"} 0\n",
        "drom_endpoint_milli_seconds_behind_source{routeId=\"cdc\",endpoint=\"mysql-binlog:cdc?host=db\"} 42\n",
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        cr_expect(strstr(t, want[i]), "missing %s in\n%s", want[i], t);
    /* One family per name: a single TYPE line, and no name in two casings. */
    const char *type = "# TYPE drom_endpoint_connected gauge\n";
    char *first = strstr(t, type);
    cr_expect(first && !strstr(first + 1, type), "%s", t);
    cr_expect_null(strstr(t, "drom_endpoint_Connected"));
    cr_expect_null(strstr(t, "debezium_metrics_Connected{routeId"));
    cr_expect_null(strstr(t, "debezium_metrics_RowsScanned" DBZ("snapshot")), "no RowsScanned without a table");
    cr_expect_eq(drom_endpoint_metrics_get(&src, "SnapshotRowsScanned"), 12, "the item without a table");
    free(t);
    drom_endpoint_metrics_destroy(&src);
    drom_endpoint_metrics_destroy(&amqp);
}

/* What /status masks besides the options a table flags. */
Test(metrics, names_that_hold_secrets)
{
    cr_expect(drom_option_name_secret("additionalProperties.sasl.password"));
    cr_expect(drom_option_name_secret("db.password"));
    cr_expect(drom_option_name_secret("additionalProperties.sasl.jaas.config"));
    cr_expect(drom_option_name_secret("camel.component.kafka.saslPassword"));
    cr_expect_not(drom_option_name_secret("brokers"));
    cr_expect_not(drom_option_name_secret("db.user"));
}
