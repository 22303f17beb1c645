// Fuzz target: decoding protocol messages must never crash or leak, and a
// message that decodes must encode again and decode to the same fields.
#include <stdint.h>
#include <stdlib.h>

#include "sr_msg.h"
#include "sr_msg_codec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
s_same_or_abort(const sr_msg_t *a, const sr_msg_t *b)
{
    sr_msg_type_t t = sr_msg_type(a);
    if (sr_msg_type(b) != t)
        abort();
    for (size_t i = 0; i < sr_msg_field_count(t); i++) {
        sr_field_t f = sr_msg_field_at(t, i);
        const sr_value_t *x = sr_msg_get(a, f), *y = sr_msg_get(b, f);
        if ((x == NULL) != (y == NULL) || (x && !sr_value_equal(x, y)))
            abort();
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sr_msg_t *m = NULL;
    sr_error_t err;
    sr_msg_type_t type;
    int64_t req_id;
    if (sr_msg_decode(data, size, NULL, &m, &err) != SR_OK) {
        sr_msg_peek(data, size, NULL, &type, &req_id);
        sr_msg_t *reply = sr_msg_error_new(&err, req_id);
        char *buf;
        size_t len;
        if (!reply || sr_msg_encode(reply, &buf, &len, &err) != SR_OK)
            abort(); // an ERROR reply can always be built
        free(buf);
        sr_msg_destroy(&reply);
        return 0;
    }
    char *buf = NULL;
    size_t len = 0;
    if (sr_msg_encode(m, &buf, &len, &err) != SR_OK)
        abort(); // what decodes is valid
    sr_msg_t *back = NULL;
    if (sr_msg_decode(buf, len, NULL, &back, &err) != SR_OK)
        abort();
    s_same_or_abort(m, back);
    sr_msg_destroy(&back);
    // A BATCH's items are messages of their own, decoded the same way.
    const sr_value_t *items = sr_msg_type(m) == SR_MSG_BATCH
                                  ? sr_msg_get(m, SR_F_BATCH_messages)
                                  : NULL;
    for (size_t i = 0; i < sr_value_len(items); i++) {
        size_t n = 0;
        const void *item = sr_value_bin(sr_value_array_at(items, i), &n);
        if (item)
            (void)LLVMFuzzerTestOneInput(item, n);
    }
    sr_msg_destroy(&m);
    free(buf);
    return 0;
}
