/* The enum lists both schemes of this folder accept, in the order of their
 * enums (mb_options.h), shared by the two option tables and the messages. */
#include "components/mysql-binlog/mb_options.h"

const char *const mb_snapshot_modes[] = {"initial", "initial_only", "no_data", "schema_only", "when_needed", "never",
                                         "always", NULL};
const int mb_snapshot_ints[] = {MB_SNAP_INITIAL, MB_SNAP_INITIAL_ONLY, MB_SNAP_NO_DATA, MB_SNAP_NO_DATA,
                                MB_SNAP_WHEN_NEEDED, MB_SNAP_NEVER, MB_SNAP_ALWAYS};
const char *const mb_decimal_modes[] = {"precise", "double", "string", NULL};
const int mb_decimal_ints[] = {MB_DEC_PRECISE, MB_DEC_DOUBLE, MB_DEC_STRING};
const char *const mb_time_modes[] = {"adaptive_time_microseconds", "connect", NULL};
const char *const mb_binary_modes[] = {"bytes", "base64", "base64-url-safe", "hex", NULL};
const int mb_binary_ints[] = {MB_BIN_BYTES, MB_BIN_BASE64, MB_BIN_BASE64_URL, MB_BIN_HEX};
const char *const mb_bigint_modes[] = {"long", "precise", NULL};
const char *const mb_ssl_modes[] = {"disabled", "preferred", "required", "verify_ca", "verify_identity", NULL};
const char *const mb_failure_modes[] = {"fail", "warn", "skip", "ignore", NULL};
const int mb_failure_ints[] = {MB_FAIL_FAIL, MB_FAIL_WARN, MB_FAIL_SKIP, MB_FAIL_SKIP};
const int mb_store_ints[] = {MB_STORE_FILE, MB_STORE_KAFKA};
