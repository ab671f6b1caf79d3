# The fields of an event that differ from run to run, set to fixed values in expected/ (and by the
# debezium_golden suite in dromedary's events before they are compared):
#   envelope ts_ms/ts_us/ts_ns        when the event was made
#   source ts_ms/ts_us/ts_ns          the snapshot's clock, or the binlog event's time
#   source file, pos, gtid            where in the binlog: each run writes its own
#   source thread                     the id of the connection that ran the DML
# Everything else (schemas, values, keys, op, source.snapshot/db/table/server_id/row, the order of
# events within a table) is compared as Debezium wrote it.
def norm: if . == null then . else
    (.payload |= (if has("ts_ms") then .ts_ms = 0 | .ts_us = 0 | .ts_ns = 0 else . end))
  | (.payload.source |= (if . == null then . else
        .ts_ms = 0 | .ts_us = 0 | .ts_ns = 0 | .file = "" | .pos = 0
      | (if .gtid != null then .gtid = "" else . end) | (if .thread != null then .thread = 0 else . end) end))
  end;
.value |= norm
