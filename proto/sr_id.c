// Id creation, parsing and formatting. Randomness comes from libsodium
// (sodium_init is called once, thread-safely, by the first sr_id_make).
#include "sr_id.h"

#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>

// Random bytes from a per-thread pool refilled from libsodium (the OS
// source) 4 KiB at a time: one system call per ~400 ids, not two per id.
// A forked child must not reuse the bytes its parent had left (two
// processes would make the same ids): a fork bumps a generation number
// and a pool from an older generation is thrown away.
static atomic_uint s_fork_gen;
static pthread_once_t s_atfork_once = PTHREAD_ONCE_INIT;

static void
s_on_fork_child(void)
{
    atomic_fetch_add(&s_fork_gen, 1);
}

static void
s_register_atfork(void)
{
    (void)pthread_atfork(NULL, NULL, s_on_fork_child);
}

void
sr_random(void *buf, size_t n)
{
    static _Thread_local uint8_t pool[4096];
    static _Thread_local size_t left;
    static _Thread_local unsigned gen;
    pthread_once(&s_atfork_once, s_register_atfork);
    unsigned now_gen = atomic_load(&s_fork_gen);
    if (gen != now_gen) {
        sodium_memzero(pool, sizeof pool);
        left = 0;
        gen = now_gen;
    }
    uint8_t *out = buf;
    while (n) {
        if (!left) {
            if (sodium_init() < 0) {
                // randombytes still works from the OS source.
            }
            randombytes_buf(pool, sizeof pool);
            left = sizeof pool;
        }
        size_t take = n < left ? n : left;
        memcpy(out, pool + sizeof pool - left, take);
        sodium_memzero(pool + sizeof pool - left, take); // used once only
        left -= take;
        out += take;
        n -= take;
    }
}

// Ids a thread makes in one millisecond carry a sequence number (16 bits)
// right after the time, so that they sort in the order they were made.
static _Thread_local int64_t s_seq_ms = -1;
static _Thread_local unsigned s_seq;

void
sr_id_make(uint16_t partition, int64_t now_ms, sr_id_t *out)
{
    if (now_ms <= 0) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        now_ms = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
    }
    if (now_ms == s_seq_ms)
        s_seq = (s_seq + 1) & 0xffff;
    else {
        s_seq_ms = now_ms;
        s_seq = 0;
    }
    uint64_t secs = (uint64_t)(now_ms / 1000);
    unsigned ms = (unsigned)(now_ms % 1000);
    out->b[0] = (uint8_t)(partition >> 8);
    out->b[1] = (uint8_t)partition;
    out->b[2] = (uint8_t)(secs >> 24);
    out->b[3] = (uint8_t)(secs >> 16);
    out->b[4] = (uint8_t)(secs >> 8);
    out->b[5] = (uint8_t)secs;
    out->b[6] = (uint8_t)(0x80 | ((ms >> 6) & 0x0f));
    out->b[7] = (uint8_t)(((ms & 0x3f) << 2) | ((s_seq >> 14) & 0x03));
    out->b[8] = (uint8_t)(0x80 | ((s_seq >> 8) & 0x3f));
    out->b[9] = (uint8_t)s_seq;
    sr_random(&out->b[10], 6);
}

uint16_t
sr_id_partition(const sr_id_t *id)
{
    return (uint16_t)((id->b[0] << 8) | id->b[1]);
}

int64_t
sr_id_time_ms(const sr_id_t *id)
{
    uint64_t secs = ((uint64_t)id->b[2] << 24) | ((uint64_t)id->b[3] << 16) |
                    ((uint64_t)id->b[4] << 8) | id->b[5];
    unsigned ms = ((id->b[6] & 0x0fu) << 6) | (id->b[7] >> 2);
    return (int64_t)secs * 1000 + ms;
}

void
sr_id_floor(uint16_t partition, int64_t ms, sr_id_t *out)
{
    const int64_t max = (int64_t)0xffffffff * 1000 + 999;
    ms = ms < 0 ? 0 : ms > max ? max : ms;
    uint64_t secs = (uint64_t)(ms / 1000);
    unsigned rest = (unsigned)(ms % 1000);
    memset(out->b, 0, sizeof out->b);
    out->b[0] = (uint8_t)(partition >> 8);
    out->b[1] = (uint8_t)partition;
    out->b[2] = (uint8_t)(secs >> 24);
    out->b[3] = (uint8_t)(secs >> 16);
    out->b[4] = (uint8_t)(secs >> 8);
    out->b[5] = (uint8_t)secs;
    out->b[6] = (uint8_t)(0x80 | ((rest >> 6) & 0x0f));
    out->b[7] = (uint8_t)((rest & 0x3f) << 2);
}

bool
sr_id_is_nil(const sr_id_t *id)
{
    for (int i = 0; i < SR_ID_SIZE; i++)
        if (id->b[i])
            return false;
    return true;
}

int
sr_id_compare(const sr_id_t *a, const sr_id_t *b)
{
    return memcmp(a->b, b->b, SR_ID_SIZE);
}

bool
sr_id_equal(const sr_id_t *a, const sr_id_t *b)
{
    return memcmp(a->b, b->b, SR_ID_SIZE) == 0;
}

sr_err_t
sr_id_check_layout(const sr_id_t *id, sr_error_t *err)
{
    char text[SR_ID_TEXT_SIZE];
    unsigned version = id->b[6] >> 4, variant = id->b[8] >> 6;
    if (version == 8 && variant == 2)
        return SR_OK;
    sr_id_format(id, text);
    if (version != 8)
        return sr_error_set(err, SR_EINVAL,
                            "%s is not a Sirocco id: its version is %u, not "
                            "8 (docs/protocol.md, EX_START)",
                            text, version);
    return sr_error_set(err, SR_EINVAL,
                        "%s is not a Sirocco id: its variant bits are %u%u, "
                        "not 10 (docs/protocol.md, EX_START)",
                        text, variant >> 1, variant & 1);
}

const char *
sr_id_format(const sr_id_t *id, char out[SR_ID_TEXT_SIZE])
{
    static const char hex[] = "0123456789abcdef";
    char *p = out;
    for (int i = 0; i < SR_ID_SIZE; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            *p++ = '-';
        *p++ = hex[id->b[i] >> 4];
        *p++ = hex[id->b[i] & 0x0f];
    }
    *p = '\0';
    return out;
}

static int
s_hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

sr_err_t
sr_id_parse(const char *text, sr_id_t *out)
{
    if (!text)
        return SR_EINVAL;
    size_t len = strlen(text);
    bool dashed = len == 36;
    if (!dashed && len != 32)
        return SR_EINVAL;
    sr_id_t id;
    const char *p = text;
    for (int i = 0; i < SR_ID_SIZE; i++) {
        if (dashed && (i == 4 || i == 6 || i == 8 || i == 10)) {
            if (*p != '-')
                return SR_EINVAL;
            p++;
        }
        int hi = s_hexval(p[0]), lo = s_hexval(p[1]);
        if (hi < 0 || lo < 0)
            return SR_EINVAL;
        id.b[i] = (uint8_t)(hi << 4 | lo);
        p += 2;
    }
    *out = id;
    return SR_OK;
}

sr_value_t *
sr_id_to_value(const sr_id_t *id)
{
    return sr_value_new_bin(id->b, SR_ID_SIZE);
}

sr_err_t
sr_id_from_value(const sr_value_t *v, sr_id_t *out)
{
    if (sr_value_is(v, SR_T_STR))
        return sr_id_parse(sr_value_str(v), out);
    if (!sr_value_is(v, SR_T_BIN) || sr_value_len(v) != SR_ID_SIZE)
        return SR_EINVAL;
    size_t len;
    memcpy(out->b, sr_value_bin(v, &len), SR_ID_SIZE);
    return SR_OK;
}
