/* The runtime callbacks of both schemes (mb_endpoint.c). */
#ifndef DROM_COMPONENTS_MYSQL_BINLOG_MB_ENDPOINT_H
#define DROM_COMPONENTS_MYSQL_BINLOG_MB_ENDPOINT_H

#include "runtime/component.h"

int mb_create(struct drom_endpoint *ep, struct drom_error *err);
void mb_destroy(struct drom_endpoint *ep);
int mb_start(struct drom_endpoint *ep, struct drom_error *err);
void mb_stop(struct drom_endpoint *ep);
void mb_commit(struct drom_endpoint *ep, const void *pos);
void mb_position_free(void *pos);
/* For a transactional producer that stores the offsets (runtime/engine.h). */
int mb_offset_location(struct drom_endpoint *ep, struct drom_offset_location *out, struct drom_error *err);
char *mb_position_json(const void *pos);
/* The route's window is maxQueueSize. */
void mb_consumer_settings(const struct drom_endpoint *ep, struct drom_consumer_settings *out);

#endif
