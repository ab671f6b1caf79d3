/* The HTTP answers of a running dromd, as runtime/http.h callbacks over a
 * struct dromd_service. Called on the HTTP thread. */
#ifndef DROMD_ANSWERS_H
#define DROMD_ANSWERS_H

#include "cmd/dromd/service.h"
#include "runtime/http.h"

struct drom_http_handlers dromd_answers(struct dromd_service *svc);

#endif
