/* mysql-binlog over TLS on the test MariaDB servers: the main one has a
 * server certificate of the test CA (tests/services/mariadb/ctl) and a user
 * REQUIRE X509, the second one (MARIADB_PLAIN_PORT) no TLS at all. "A
 * server that requires TLS" is the main one with require_secure_transport
 * switched on for the test. Each fault is fixed while the source waits,
 * and every row written meanwhile must arrive once. */
#include "test_mysql_binlog_util.h"
#include "tests/support/tlstest.h"

#define DB "mbt_tls"

static char dir[128];

/* Certificates of a CA the server does not know, and an expired server
 * certificate of the right CA, made for this run. */
static void make_certs(void)
{
    tlst_mkdir(dir, sizeof dir, "mtls");
    tlst_foreign_client(dir, "cdcx509");
    tlst_sh("(cd %s && E='-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes' && "
            "openssl req -new $E -keyout expired.key -out expired.csr -subj /CN=localhost && "
            "printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\\n' > ext && "
            "openssl x509 -req -in expired.csr -CA %s -CAkey %s -CAcreateserial -days -1 -extfile ext -out expired.pem && "
            "cp %s ca.pem && cp %s client.pem && cp %s client.key) >/dev/null 2>&1",
            dir, tlst_need("MARIADB_TLS_CA"), tlst_need("MARIADB_TLS_CA_KEY"), tlst_need("MARIADB_TLS_CA"),
            tlst_need("MARIADB_TLS_CLIENT_CERT"), tlst_need("MARIADB_TLS_CLIENT_KEY"));
}

static void setup(void)
{
    make_certs();
    MYSQL *root = ts_root(0);
    ts_sql(root, "SET GLOBAL require_secure_transport = OFF");
    ts_fresh_db(root, DB);
    ts_sql(root, "CREATE TABLE " DB ".t (id INT PRIMARY KEY, v VARCHAR(20))");
    ts_sql(root, "DROP USER IF EXISTS 'mbt_tlspw'@'%%'; CREATE USER 'mbt_tlspw'@'%%' IDENTIFIED BY 'right-pw'; "
                  "GRANT SELECT, RELOAD, SHOW DATABASES, REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO "
                  "'mbt_tlspw'@'%%'");
    mysql_close(root);
}

static void teardown(void)
{
    MYSQL *root = ts_root_try();
    if (root) {
        ts_sql_try(root, "SET GLOBAL require_secure_transport = OFF");
        mysql_close(root);
    }
    tlst_rmdir(dir);
}

TestSuite(mysql_tls, .init = setup, .fini = teardown, .timeout = 120);

/* A route from DB.t into mock:out; `extra` are more options ('&' as is). */
static int start(struct mbt_run *r, unsigned port, const char *user, const char *password, unsigned server_id,
                 const char *extra, struct drom_error *err)
{
    char xml[4096], esc[2048];
    size_t n = 0;
    for (const char *p = extra; *p && n + 6 < sizeof esc; p++) {
        if (*p == '&') {
            memcpy(esc + n, "&amp;", 5);
            n += 5;
        } else
            esc[n++] = *p;
    }
    esc[n] = '\0';
    snprintf(xml, sizeof xml,
             "<routes><route id=\"cdc\"><from uri=\"mysql-binlog:tls?host=127.0.0.1&amp;port=%u&amp;user=%s&amp;"
             "password=%s&amp;serverId=%u&amp;topicPrefix=t&amp;tableIncludeList=" DB ".t"
             "&amp;connectBackoffMaxDelayMs=500&amp;%s\"/><to uri=\"mock:out\"/></route></routes>",
             port, user, password, server_id, esc);
    /* a state directory of its own: each start begins without a stored position */
    static char state[160];
    snprintf(state, sizeof state, "%s/state-XXXXXX", dir);
    cr_assert_not_null(mkdtemp(state));
    return mbt_start_xml(r, xml, state, err);
}

static void insert(unsigned port, const char *sock_env, int id)
{
    MYSQL *m = mysql_init(NULL);
    const char *sock = sock_env ? getenv(sock_env) : getenv("MARIADB_SOCKET");
    cr_assert_not_null(mysql_real_connect(m, NULL, "root", NULL, NULL, 0, sock, 0), "%s", mysql_error(m));
    char q[200];
    snprintf(q, sizeof q, "INSERT INTO " DB ".t VALUES (%d, 'v%d')", id, id);
    cr_assert_eq(mysql_query(m, q), 0, "%s", mysql_error(m));
    mysql_close(m);
    (void)port;
}

/* Ready within the deadline, then row `id` arrives as the `n`-th exchange. */
static void works(struct mbt_run *r, unsigned port, const char *sock_env, int id, size_t n)
{
    char reason[1024];
    cr_assert(mbt_wait_ready(r, 20000, reason, sizeof reason), "ready: %s", reason);
    insert(port, sock_env, id);
    struct drom_mock *m = mbt_out(r, n, 20000);
    json_t *j = mbt_json(m, n - 1);
    char *got = mbt_get(j, "payload.after.id");
    if (!got)
        got = mbt_get(j, "after.id");
    char want[16];
    snprintf(want, sizeof want, "%d", id);
    cr_assert(got && strcmp(got, want) == 0, "row %d arrives, got %s", id, got ? got : "(none)");
    free(got);
    json_decref(j);
}

/* Not ready, with a reason that holds `what` and the server's address. */
static void refused(struct mbt_run *r, unsigned port, const char *what)
{
    char reason[1024] = "", where[64];
    snprintf(where, sizeof where, "127.0.0.1:%u", port);
    int64_t end = ts_now_ms() + 20000;
    while (ts_now_ms() < end) {
        bool ready = drom_engine_ready(r->eng, reason, sizeof reason);
        cr_assert_not(ready, "not ready (%s)", what);
        if (strstr(reason, what))
            break;
        usleep(50000);
    }
    cr_log_info("%s", reason);
    cr_assert(strstr(reason, what), "the reason says '%s': %s", what, reason);
    cr_assert(strstr(reason, where), "the reason names the server %s: %s", where, reason);
    cr_assert_null(strstr(reason, "right-pw"), "no password: %s", reason);
    cr_assert_null(strstr(reason, "wrong-pw"), "no password: %s", reason);
}

static void stop(struct mbt_run *r)
{
    mbt_stop(r);
}

static const char *modes[] = {"disabled", "preferred", "required", "verify_ca", "verify_identity"};

static void mode_opts(char *buf, size_t size, const char *mode)
{
    /* a CA only where the mode verifies: required encrypts without one */
    bool verifies = strncmp(mode, "verify", 6) == 0;
    snprintf(buf, size, "sslMode=%s%s%s%s&snapshotMode=no_data", mode, verifies ? "&sslCa=" : "", verifies ? dir : "",
             verifies ? "/ca.pem" : "");
}

Test(mysql_tls, each_mode_against_a_server_that_requires_tls)
{
    MYSQL *root = ts_root(0);
    ts_sql(root, "SET GLOBAL require_secure_transport = ON");
    mysql_close(root);
    for (int i = 0; i < 5; i++) {
        struct mbt_run r;
        struct drom_error err = {0};
        char opts[512];
        mode_opts(opts, sizeof opts, modes[i]);
        cr_assert_eq(start(&r, mbt_port(), "debezium", "debezium", 5440 + i, opts, &err), 0, "%s", err.msg);
        if (i == 0)
            refused(&r, mbt_port(), "accepts TLS connections only (require_secure_transport=ON) set sslMode=required");
        else
            works(&r, mbt_port(), NULL, 100 + i, 1);
        stop(&r);
    }
}

Test(mysql_tls, each_mode_against_a_server_without_tls)
{
    unsigned port = (unsigned)atoi(tlst_need("MARIADB_PLAIN_PORT"));
    MYSQL *root = mysql_init(NULL);
    cr_assert_not_null(mysql_real_connect(root, NULL, "root", NULL, NULL, 0, tlst_need("MARIADB_PLAIN_SOCKET"),
                                          CLIENT_MULTI_STATEMENTS), "%s", mysql_error(root));
    ts_sql(root, "DROP DATABASE IF EXISTS " DB "; CREATE DATABASE " DB "; "
                  "CREATE TABLE " DB ".t (id INT PRIMARY KEY, v VARCHAR(20))");
    mysql_close(root);
    for (int i = 0; i < 5; i++) {
        struct mbt_run r;
        struct drom_error err = {0};
        char opts[512];
        mode_opts(opts, sizeof opts, modes[i]);
        cr_assert_eq(start(&r, port, "debezium", "debezium", 5450 + i, opts, &err), 0, "%s", err.msg);
        if (i < 2)
            works(&r, port, "MARIADB_PLAIN_SOCKET", 200 + i, 1);
        else
            refused(&r, port, "offers no TLS");
        stop(&r);
    }
}

/* Rows 1..3 written while the source cannot connect, then the fix, then a
 * sentinel: 4 exchanges with ids 1..3 and 99, none twice. */
static void heals(struct mbt_run *r, void (*fix)(void))
{
    for (int id = 1; id <= 3; id++)
        insert(mbt_port(), NULL, id);
    fix();
    char reason[1024];
    cr_assert(mbt_wait_ready(r, 30000, reason, sizeof reason), "ready after the fix: %s", reason);
    insert(mbt_port(), NULL, 99);
    struct drom_mock *m = mbt_out(r, 4, 30000);
    bool seen[100] = {0};
    for (size_t i = 0; i < drom_mock_received(m); i++) {
        json_t *j = mbt_json(m, i);
        char *id = mbt_get(j, "payload.after.id");
        int v = id ? atoi(id) : -1;
        cr_assert(v == 1 || v == 2 || v == 3 || v == 99, "exchange %zu is a row written here: %s", i, id);
        cr_assert_not(seen[v], "row %d arrives once", v);
        seen[v] = true;
        free(id);
        json_decref(j);
    }
    cr_assert_eq(drom_mock_received(m), 4, "nothing twice");
}

/* The faulty starts below take the initial snapshot once they connect:
 * rows written before are read by it, the sentinel after it streamed. */
static void fix_ca(void) { tlst_sh("cp %s %s/ca.pem", tlst_need("MARIADB_TLS_CA"), dir); }

Test(mysql_tls, wrong_ca_then_fixed)
{
    tlst_sh("cp %s/other-ca.pem %s/ca.pem", dir, dir);
    struct mbt_run r;
    struct drom_error err = {0};
    char opts[512];
    snprintf(opts, sizeof opts, "sslMode=verify_ca&sslCa=%s/ca.pem&snapshotMode=initial", dir);
    cr_assert_eq(start(&r, mbt_port(), "debezium", "debezium", 5460, opts, &err), 0, "%s", err.msg);
    refused(&r, mbt_port(), "does not verify against sslCa");
    heals(&r, fix_ca);
    stop(&r);
}

static void flush_ssl(void)
{
    MYSQL *root = ts_root(0);
    ts_sql(root, "FLUSH SSL");
    mysql_close(root);
}

static void fix_server_cert(void)
{
    tlst_sh("cp %s/server.pem.good %s && cp %s/server.key.good %s", dir, tlst_need("MARIADB_TLS_SERVER_CERT"), dir,
       tlst_need("MARIADB_TLS_SERVER_KEY"));
    flush_ssl();
}

Test(mysql_tls, expired_server_certificate_then_renewed)
{
    tlst_sh("cp %s %s/server.pem.good && cp %s %s/server.key.good && cp %s/expired.pem %s && cp %s/expired.key %s",
       tlst_need("MARIADB_TLS_SERVER_CERT"), dir, tlst_need("MARIADB_TLS_SERVER_KEY"), dir, dir,
       tlst_need("MARIADB_TLS_SERVER_CERT"), dir, tlst_need("MARIADB_TLS_SERVER_KEY"));
    flush_ssl();
    struct mbt_run r;
    struct drom_error err = {0};
    char opts[512];
    snprintf(opts, sizeof opts, "sslMode=verify_identity&sslCa=%s/ca.pem&snapshotMode=initial", dir);
    int rc = start(&r, mbt_port(), "debezium", "debezium", 5461, opts, &err);
    if (rc == 0)
        refused(&r, mbt_port(), "has expired");
    fix_server_cert();
    cr_assert_eq(rc, 0, "%s", err.msg);
    heals(&r, fix_ca);
    stop(&r);
}

static void fix_client_cert(void)
{
    tlst_sh("cp %s %s/client.pem", tlst_need("MARIADB_TLS_CLIENT_CERT"), dir);
    tlst_sh("cp %s %s/client.key", tlst_need("MARIADB_TLS_CLIENT_KEY"), dir);
}

Test(mysql_tls, client_certificate_of_a_require_x509_user)
{
    /* no certificate: the server refuses the login and the message says why it may */
    struct mbt_run r;
    struct drom_error err = {0};
    char opts[512];
    snprintf(opts, sizeof opts, "sslMode=verify_identity&sslCa=%s/ca.pem&snapshotMode=initial", dir);
    cr_assert_eq(start(&r, mbt_port(), tlst_need("MARIADB_X509_USER"), tlst_need("MARIADB_X509_PASSWORD"), 5462, opts, &err), 0,
                 "%s", err.msg);
    refused(&r, mbt_port(), "refused the login of user 'cdcx509'");
    refused(&r, mbt_port(), "if the user is REQUIRE X509, give a client certificate");
    stop(&r);
    /* a certificate of a CA the server does not trust, replaced by the right one while waiting */
    tlst_sh("cp %s/other.pem %s/client.pem && cp %s/other.key %s/client.key", dir, dir, dir, dir);
    snprintf(opts, sizeof opts, "sslMode=verify_identity&sslCa=%s/ca.pem&sslCert=%s/client.pem&sslKey=%s/client.key"
             "&snapshotMode=initial", dir, dir, dir);
    cr_assert_eq(start(&r, mbt_port(), tlst_need("MARIADB_X509_USER"), tlst_need("MARIADB_X509_PASSWORD"), 5463, opts, &err), 0,
                 "%s", err.msg);
    refused(&r, mbt_port(), "refused the client certificate sslCert=");
    heals(&r, fix_client_cert);
    stop(&r);
}

static void fix_password(void)
{
    MYSQL *root = ts_root(0);
    ts_sql(root, "ALTER USER 'mbt_tlspw'@'%%' IDENTIFIED BY 'wrong-pw'");
    mysql_close(root);
}

Test(mysql_tls, wrong_password_then_fixed_on_the_server)
{
    struct mbt_run r;
    struct drom_error err = {0};
    char opts[512];
    snprintf(opts, sizeof opts, "sslMode=required&snapshotMode=initial");
    cr_assert_eq(start(&r, mbt_port(), "mbt_tlspw", "wrong-pw", 5464, opts, &err), 0, "%s", err.msg);
    refused(&r, mbt_port(), "refused the login of user 'mbt_tlspw'");
    heals(&r, fix_password);
    stop(&r);
}
