/* libFuzzer target: dromc import on any text (YAML and JSON connector
 * configurations). Besides not crashing or leaking: an import either fails
 * with a message or gives a route, a properties file and a report. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compiler/import.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct drom_import_input in = {.name = "fuzz.yaml", .data = (const char *)data, .len = size};
    for (int camel = 0; camel < 2; camel++) {
        struct drom_import_opts o = {.camel_compatible = camel};
        struct drom_import_out out;
        struct drom_error err = {0};
        if (drom_import(&in, 1, &o, &out, &err) == 0) {
            if (!out.route || !out.properties || !out.report)
                abort();
            drom_import_out_free(&out);
        } else if (!err.msg[0]) {
            abort();
        }
    }
    return 0;
}
