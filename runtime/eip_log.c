/* <log message="..." loggingLevel="INFO" logName="..."/>: the message is
 * Simple; the logger name defaults to the route id, as Camel's does. */
#include <stdlib.h>

#include "runtime/engine_int.h"
#include "runtime/log.h"

enum eip_result eip_log(struct xctx *x, struct eng_step *s)
{
    const char *lvl = drom_step_param(s->g, "loggingLevel");
    int level = lvl ? drom_log_level_parse(lvl) : DROM_LOG_INFO;
    if (level < 0)
        level = DROM_LOG_INFO;
    if (level == DROM_LOG_OFF || level < (int)drom_log_min_level())
        return EIP_NEXT;
    char *msg;
    if (x_eval_str(x, s, &msg) < 0)
        return EIP_FAIL;
    const char *name = drom_step_param(s->g, "logName");
    drom_log((enum drom_log_level)level, name ? name : x->route->g->id, "%s", msg);
    free(msg);
    return EIP_NEXT;
}
