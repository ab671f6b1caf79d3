/* The seed pipeline with every hop encrypted, run by dromd as users run it
 * (routes/cdc-pipeline.xml and its properties, the TLS settings given
 * through the environment): MariaDB with sslMode=verify_identity, Kafka
 * over its SSL listener, Artemis over the acceptor that needs a client
 * certificate. And a login the database refuses: /health/ready 503 naming
 * the endpoint and the user, no secret anywhere, and once the password is
 * fixed on the server every change arrives once. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "e2e_util.h"

Test(e2e_tls, every_hop_encrypted, .timeout = 180)
{
    struct e2e t;
    e2e_init(&t, "tls", 7741, 1);
    t.tls = true;
    e2e_start(&t);
    e2e_insert_customers(t.db, 1);
    e2e_expect_customers(&t, 1, 3);
    char *log = ts_slurp(t.log);
    /* what each start check negotiated, at INFO */
    cr_assert(strstr(log, "over TLSv1.3 with ") || strstr(log, "over TLSv1.2 with "),
              "the binlog connection says its protocol and cipher:\n%.4000s", log);
    cr_assert(strstr(log, "(sslMode=verify_identity)"), "and its mode:\n%.4000s", log);
    free(log);
    e2e_finish(&t);
}

static bool has_secret(const char *text)
{
    return text && (strstr(text, "e2e-old-pw") || strstr(text, "e2e-new-pw"));
}

Test(e2e_tls, refused_database_login_is_an_outage_that_heals, .timeout = 180)
{
    struct e2e t;
    e2e_init(&t, "tlslogin", 7742, 1);
    t.tls = true;
    MYSQL *m = ts_root(10000);
    ts_sql(m, "DROP USER IF EXISTS 'e2e_tlsuser'@'%%'; CREATE USER 'e2e_tlsuser'@'%%' IDENTIFIED BY 'e2e-old-pw'; "
               "GRANT SELECT, RELOAD, SHOW DATABASES, REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO "
               "'e2e_tlsuser'@'%%'");
    setenv("MARIADB_USER", "e2e_tlsuser", 1);
    setenv("MARIADB_PASSWORD", "e2e-new-pw", 1);
    e2e_launch(&t);
    /* not ready, saying which endpoint, server and user, and why */
    char want[160], *body = NULL;
    snprintf(want, sizeof want, "the server at 127.0.0.1:%s refused the login of user 'e2e_tlsuser'",
             ts_env("MARIADB_PORT", "13306"));
    long long end = ts_now_ms() + 30000;
    int st = -1;
    while (ts_now_ms() < end) {
        free(body);
        st = e2e_http(&t, "/health/ready", &body);
        if (st == 503 && body && strstr(body, want))
            break;
        proc_pause_ms(100);
    }
    cr_log_info("/health/ready %d: %s", st, body ? body : "");
    cr_assert_eq(st, 503, "not ready while the login is refused");
    cr_assert(body && strstr(body, want), "the reason says '%s': %s", want, body ? body : "");
    cr_assert(strstr(body, "mysql-binlog:cdc?"), "the reason names the endpoint: %s", body);
    cr_assert_not(has_secret(body), "no password in /health/ready: %s", body);
    free(body);
    /* changes written during the outage */
    e2e_insert_customers(t.db, 1);
    static const char *const paths[] = {"/routes", "/metrics", "/health/live"};
    for (size_t i = 0; i < 3; i++) {
        char *b = NULL;
        e2e_http(&t, paths[i], &b);
        cr_assert_not(has_secret(b), "no password in %s", paths[i]);
        free(b);
    }
    /* fixed on the server: dromd reconnects by itself */
    ts_sql(m, "ALTER USER 'e2e_tlsuser'@'%%' IDENTIFIED BY 'e2e-new-pw'");
    cr_assert(e2e_wait_ready(&t, 200, 60000), "ready once the password matches");
    e2e_insert_customers(t.db, 4);
    e2e_expect_customers(&t, 1, 6);
    char *log = ts_slurp(t.log);
    cr_assert(strstr(log, want), "the log says it too");
    cr_assert_not(has_secret(log), "no password in the log");
    free(log);
    e2e_finish(&t);
    ts_sql(m, "DROP USER IF EXISTS 'e2e_tlsuser'@'%%'");
    mysql_close(m);
}
