// Key layouts: fixed-width big-endian fields packed and unpacked. Owns no
// state; knows nothing of LMDB or of what the records hold.
#include "store_key.h"

#include <string.h>

static void
s_put_u32(uint8_t out[4], uint32_t v)
{
    out[0] = (uint8_t)(v >> 24);
    out[1] = (uint8_t)(v >> 16);
    out[2] = (uint8_t)(v >> 8);
    out[3] = (uint8_t)v;
}

void
store_key_ms(uint8_t out[8], int64_t ms)
{
    uint64_t u = (uint64_t)ms ^ ((uint64_t)1 << 63);
    for (int i = 7; i >= 0; i--) {
        out[i] = (uint8_t)u;
        u >>= 8;
    }
}

int64_t
store_key_get_ms(const uint8_t in[8])
{
    uint64_t u = 0;
    for (int i = 0; i < 8; i++)
        u = (u << 8) | in[i];
    return (int64_t)(u ^ ((uint64_t)1 << 63));
}

void
store_key_task(uint8_t out[STORE_KEY_TASK], const sr_id_t *exec_id,
               uint32_t seq)
{
    memcpy(out, exec_id->b, SR_ID_SIZE);
    s_put_u32(out + SR_ID_SIZE, seq);
}

// A time, then an id: the layout of timer and queue keys.
static void
s_time_id(uint8_t out[24], int64_t ms, const sr_id_t *id)
{
    store_key_ms(out, ms);
    memcpy(out + 8, id->b, SR_ID_SIZE);
}

static bool
s_time_id_parse(const void *key, size_t klen, int64_t *ms, sr_id_t *id)
{
    if (klen != 8 + SR_ID_SIZE)
        return false;
    if (ms)
        *ms = store_key_get_ms(key);
    memcpy(id->b, (const uint8_t *)key + 8, SR_ID_SIZE);
    return true;
}

void
store_key_timer(uint8_t out[STORE_KEY_TIMER], int64_t due_ms, const sr_id_t *id)
{
    s_time_id(out, due_ms, id);
}

bool
store_key_timer_parse(const void *key, size_t klen, int64_t *due_ms,
                      sr_id_t *id)
{
    return s_time_id_parse(key, klen, due_ms, id);
}

void
store_key_queue(uint8_t out[STORE_KEY_QUEUE], int64_t created_ms,
                const sr_id_t *action_id)
{
    s_time_id(out, created_ms, action_id);
}

bool
store_key_queue_parse(const void *key, size_t klen, sr_id_t *action_id)
{
    return s_time_id_parse(key, klen, NULL, action_id);
}
