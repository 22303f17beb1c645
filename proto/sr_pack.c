// The piece-by-piece msgpack writer: msgpack-c's packer over a buffer of
// our own (so its size can be reserved and its bytes handed over). Owns the
// buffer; knows nothing of what the items mean.
#include "sr_pack.h"

#include <msgpack.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

struct sr_pack {
    char *data; // owned; NULL while empty
    size_t len, cap;
    msgpack_packer pk; // writes through s_write into data
    bool failed;       // a write could not grow the buffer
};

static sr_err_t
s_grow(sr_pack_t *p, size_t more)
{
    if (more <= p->cap - p->len)
        return SR_OK;
    if (more > SIZE_MAX / 2 - p->len)
        return SR_ENOMEM;
    size_t cap = p->cap ? p->cap : 64;
    while (cap - p->len < more)
        cap *= 2;
    char *data = realloc(p->data, cap);
    if (!data)
        return SR_ENOMEM;
    p->data = data;
    p->cap = cap;
    return SR_OK;
}

// msgpack-c's write callback: 0 on success.
static int
s_write(void *arg, const char *buf, size_t len)
{
    sr_pack_t *p = arg;
    if (s_grow(p, len)) {
        p->failed = true;
        return -1;
    }
    memcpy(p->data + p->len, buf, len);
    p->len += len;
    return 0;
}

// The outcome of a packer call: SR_ENOMEM when a write failed.
static sr_err_t
s_done(sr_pack_t *p, int rc)
{
    bool failed = p->failed || rc != 0;
    p->failed = false;
    return failed ? SR_ENOMEM : SR_OK;
}

sr_pack_t *
sr_pack_new(void)
{
    sr_pack_t *p = calloc(1, sizeof *p);
    if (p)
        msgpack_packer_init(&p->pk, p, s_write);
    return p;
}

void
sr_pack_destroy(sr_pack_t **pack_p)
{
    sr_pack_t *p = pack_p ? *pack_p : NULL;
    if (!p)
        return;
    free(p->data);
    free(p);
    *pack_p = NULL;
}

sr_err_t
sr_pack_array(sr_pack_t *pk, size_t n)
{
    if (n > UINT32_MAX)
        return SR_ETOOBIG;
    return s_done(pk, msgpack_pack_array(&pk->pk, n));
}

sr_err_t
sr_pack_map(sr_pack_t *pk, size_t n)
{
    if (n > UINT32_MAX)
        return SR_ETOOBIG;
    return s_done(pk, msgpack_pack_map(&pk->pk, n));
}

sr_err_t
sr_pack_nil(sr_pack_t *pk)
{
    return s_done(pk, msgpack_pack_nil(&pk->pk));
}

sr_err_t
sr_pack_int(sr_pack_t *pk, int64_t v)
{
    return s_done(pk, msgpack_pack_int64(&pk->pk, v));
}

sr_err_t
sr_pack_uint(sr_pack_t *pk, uint64_t v)
{
    return s_done(pk, msgpack_pack_uint64(&pk->pk, v));
}

sr_err_t
sr_pack_str(sr_pack_t *pk, const char *s, size_t len)
{
    if (len > UINT32_MAX)
        return SR_ETOOBIG;
    int rc = msgpack_pack_str(&pk->pk, len);
    if (!rc && len)
        rc = msgpack_pack_str_body(&pk->pk, s, len);
    return s_done(pk, rc);
}

sr_err_t
sr_pack_bin(sr_pack_t *pk, const void *data, size_t len)
{
    if (len > UINT32_MAX)
        return SR_ETOOBIG;
    int rc = msgpack_pack_bin(&pk->pk, len);
    if (!rc && len)
        rc = msgpack_pack_bin_body(&pk->pk, data, len);
    return s_done(pk, rc);
}

sr_err_t
sr_pack_raw(sr_pack_t *pk, const void *data, size_t len)
{
    return len ? s_done(pk, s_write(pk, data, len)) : SR_OK;
}

sr_err_t
sr_pack_reserve(sr_pack_t *pk, size_t len)
{
    return s_grow(pk, len);
}

const void *
sr_pack_data(const sr_pack_t *pk, size_t *len)
{
    *len = pk->len;
    return pk->data;
}

void
sr_pack_take(sr_pack_t *pk, char **buf, size_t *len)
{
    *buf = pk->data;
    *len = pk->len;
    pk->data = NULL;
    pk->len = pk->cap = 0;
}
