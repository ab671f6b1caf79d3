/* dromd: runs route graphs as a service, and the clients that ask a
 * running one about its routes and health. */
#include <stdio.h>
#include <string.h>

#include "cmd/dromd/cli.h"
#include "cmd/dromd/offsets.h"
#include "cmd/dromd/service.h"
#include "cmd/dromd/status.h"

int main(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "status") == 0)
        return dromd_cmd_status(argc - 1, argv + 1);
    if (argc >= 2 && strcmp(argv[1], "offsets") == 0)
        return dromd_cmd_offsets(argc - 1, argv + 1);
    if (argc >= 2 && strcmp(argv[1], "health") == 0)
        return dromd_cmd_health(argc - 1, argv + 1);
    struct dromd_opts o;
    int rc = dromd_parse_args(argc, argv, &o);
    if (rc != 0) {
        dromd_opts_free(&o);
        return rc < 0 ? DROMD_EXIT_USAGE : DROMD_EXIT_OK;
    }
    rc = dromd_run(&o);
    dromd_opts_free(&o);
    return rc;
}
