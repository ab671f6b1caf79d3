/* TLS towards the server with Debezium's database.ssl.mode values, for
 * every connection of the source (start check, snapshot, binlog), and the
 * words for a connection the server or the handshake refused: a login, a
 * certificate that does not verify, TLS required by one side and not
 * offered by the other. Internal to this folder. */
#ifndef DROM_COMPONENTS_MYSQL_BINLOG_MB_TLS_H
#define DROM_COMPONENTS_MYSQL_BINLOG_MB_TLS_H

#include <mysql.h>
#include <stddef.h>

#include "components/mysql-binlog/mb_config.h"
#include "runtime/error.h"
#include "runtime/option.h"


/* "verify_identity" for MB_SSL_VERIFY_IDENTITY, and so on. */
const char *mb_ssl_mode_name(enum mb_ssl_mode mode);

/* Sets the TLS options of `m` before mysql_real_connect. */
void mb_tls_apply(MYSQL *m, const struct mb_config *c);

/* "TLSv1.3 with TLS_AES_256_GCM_SHA384" or "no TLS" for a connected `m`. */
void mb_tls_describe(MYSQL *m, char *buf, size_t size);

/* The error of a failed mysql_real_connect on `m`, in words that name the
 * endpoint, the server, the user and the fix; never the password. */
void mb_tls_connect_error(MYSQL *m, const struct mb_config *c, struct drom_error *err);

/* After a successful connect: fails when the mode requires TLS and the
 * connection has none. */
int mb_tls_check_negotiated(MYSQL *m, const struct mb_config *c, struct drom_error *err);

/* Compile-time checks: the files parse as PEM, the key matches the
 * certificate, a mode that verifies has a CA. */
int mb_tls_validate(const struct mb_options *o, bool camel, struct drom_error *err);

#endif
