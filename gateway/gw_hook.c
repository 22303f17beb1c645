// Webhook signatures (libsodium's HMAC-SHA256, compared with
// sodium_memcmp) and the replay cache of delivery ids: an open-addressed
// table of SHA-256 digests of "hook NUL id" with the time each was seen,
// under one mutex. Owns the table; knows nothing of HTTP.
#include "gw_hook.h"

#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define S_PROBES 16 // slots an id may occupy

static void
s_hmac(const char *secret, const void *body, size_t len, uint8_t out[32])
{
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, (const unsigned char *)secret,
                                strlen(secret));
    crypto_auth_hmacsha256_update(&st, body, len);
    crypto_auth_hmacsha256_final(&st, out);
    sodium_memzero(&st, sizeof st);
}

sr_err_t
gw_hook_verify(const char *secret, const char *header, const void *body,
               size_t len, sr_error_t *err)
{
    if (!header)
        return sr_error_set(err, SR_EAUTH, "no %s header: sign the body",
                            GW_SIGNATURE_HEADER);
    uint8_t want[32], got[32];
    size_t n = 0;
    const char *hex = header + 7;
    if (strncasecmp(header, "sha256=", 7) != 0 || strlen(hex) != 64 ||
        sodium_hex2bin(got, sizeof got, hex, 64, NULL, &n, NULL) != 0 ||
        n != sizeof got)
        return sr_error_set(err, SR_EAUTH,
                            "%s must read sha256=<64 hex digits>",
                            GW_SIGNATURE_HEADER);
    s_hmac(secret, body, len, want);
    int differ = sodium_memcmp(want, got, sizeof want);
    sodium_memzero(want, sizeof want);
    if (differ)
        return sr_error_set(err, SR_EAUTH,
                            "%s does not match the body: wrong secret or "
                            "changed body",
                            GW_SIGNATURE_HEADER);
    return SR_OK;
}

void
gw_hook_sign(const char *secret, const void *body, size_t len, char out[72])
{
    uint8_t mac[32];
    s_hmac(secret, body, len, mac);
    memcpy(out, "sha256=", 7);
    sodium_bin2hex(out + 7, 65, mac, sizeof mac);
}

// --- replay cache ---------------------------------------------------------

typedef struct {
    uint8_t digest[32];
    int64_t seen_ms; // 0: empty
} s_slot_t;

struct gw_replay {
    pthread_mutex_t lock;
    s_slot_t *slots;
    size_t mask; // capacity - 1
    int64_t window_ms;
};

gw_replay_t *
gw_replay_new(size_t capacity, int64_t window_ms)
{
    size_t cap = S_PROBES;
    while (cap < capacity)
        cap <<= 1;
    gw_replay_t *r = calloc(1, sizeof *r);
    if (!r || !(r->slots = calloc(cap, sizeof *r->slots))) {
        free(r);
        return NULL;
    }
    pthread_mutex_init(&r->lock, NULL);
    r->mask = cap - 1;
    r->window_ms = window_ms;
    return r;
}

void
gw_replay_destroy(gw_replay_t **r_p)
{
    if (!r_p || !*r_p)
        return;
    pthread_mutex_destroy(&(*r_p)->lock);
    free((*r_p)->slots);
    free(*r_p);
    *r_p = NULL;
}

static void
s_digest(const char *hook, const char *id, uint8_t out[32])
{
    crypto_hash_sha256_state st;
    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, (const unsigned char *)hook,
                              strlen(hook) + 1);
    crypto_hash_sha256_update(&st, (const unsigned char *)id, strlen(id));
    crypto_hash_sha256_final(&st, out);
}

static size_t
s_home(const gw_replay_t *r, const uint8_t d[32])
{
    size_t h = 0;
    memcpy(&h, d, sizeof h);
    return h & r->mask;
}

bool
gw_replay_admit(gw_replay_t *r, const char *hook, const char *id,
                int64_t now_ms)
{
    uint8_t d[32];
    s_digest(hook, id, d);
    pthread_mutex_lock(&r->lock);
    s_slot_t *free_slot = NULL, *oldest = NULL;
    bool replay = false;
    for (size_t k = 0; k < S_PROBES && !replay; k++) {
        s_slot_t *s = &r->slots[(s_home(r, d) + k) & r->mask];
        bool live = s->seen_ms && now_ms - s->seen_ms < r->window_ms;
        if (live && memcmp(s->digest, d, 32) == 0)
            replay = true;
        else if (!live && !free_slot)
            free_slot = s;
        else if (live && (!oldest || s->seen_ms < oldest->seen_ms))
            oldest = s;
    }
    if (!replay) {
        s_slot_t *s = free_slot ? free_slot : oldest;
        memcpy(s->digest, d, 32);
        s->seen_ms = now_ms ? now_ms : 1;
    }
    pthread_mutex_unlock(&r->lock);
    return !replay;
}

void
gw_replay_forget(gw_replay_t *r, const char *hook, const char *id)
{
    uint8_t d[32];
    s_digest(hook, id, d);
    pthread_mutex_lock(&r->lock);
    for (size_t k = 0; k < S_PROBES; k++) {
        s_slot_t *s = &r->slots[(s_home(r, d) + k) & r->mask];
        if (s->seen_ms && memcmp(s->digest, d, 32) == 0)
            s->seen_ms = 0;
    }
    pthread_mutex_unlock(&r->lock);
}
