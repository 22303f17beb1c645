// Fuzz target: msgpack and JSON decoding of values must never crash or leak,
// and whatever decodes must survive a round trip.
#include <stdint.h>
#include <stdlib.h>

#include "sr_value.h"
#include "sr_value_json.h"
#include "sr_value_msgpack.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sr_value_t *v = NULL;
    sr_error_t err;
    if (sr_value_decode(data, size, NULL, &v, &err) == SR_OK) {
        char *buf;
        size_t len;
        if (sr_value_encode(v, &buf, &len) == SR_OK) {
            sr_value_t *back = NULL;
            if (sr_value_decode(buf, len, NULL, &back, &err) != SR_OK ||
                !sr_value_equal(v, back))
                abort();
            sr_value_destroy(&back);
            free(buf);
        }
        free(sr_value_to_json(v, SR_JSON_PRETTY));
        sr_value_destroy(&v);
    }
    if (sr_value_from_json((const char *)data, size, NULL, &v, &err) == SR_OK)
        sr_value_destroy(&v);
    return 0;
}
