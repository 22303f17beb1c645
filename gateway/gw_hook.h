// Webhook checks: the HMAC-SHA256 signature of a body (GitHub's
// `X-Hub-Signature-256: sha256=<hex>`), compared in constant time, and a
// replay cache of delivery ids (hook name + id), each refused again
// within a window.
//
// The cache is bounded: a table of `capacity` slots, each new id probing
// a few slots; when every probed slot holds a live id, the oldest of them
// is dropped (so a flood of signed deliveries can shorten the window for
// the oldest ids, never grow memory). Only ids of correctly signed
// requests are remembered, so an outsider cannot fill it.
//
// Thread rule: gw_hook_verify is reentrant; a replay cache may be used by
// several threads at once (it locks itself).
#ifndef GW_HOOK_H
#define GW_HOOK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sr_err.h"

#define GW_SIGNATURE_HEADER "X-Hub-Signature-256"

// SR_OK when `header` is "sha256=" and the hex HMAC-SHA256 of body with
// `secret`; SR_EAUTH (missing, malformed or wrong, said which) otherwise.
sr_err_t gw_hook_verify(const char *secret, const char *header,
                        const void *body, size_t len, sr_error_t *err);

// The header value that signs `body` with `secret` ("sha256=" + 64 hex
// digits + NUL), for tests and clients.
void gw_hook_sign(const char *secret, const void *body, size_t len,
                  char out[72]);

typedef struct gw_replay gw_replay_t;

// A cache of `capacity` ids (rounded up to a power of two) remembered for
// `window_ms`. NULL on OOM.
gw_replay_t *gw_replay_new(size_t capacity, int64_t window_ms);
void gw_replay_destroy(gw_replay_t **r_p);

// Remember delivery `id` of hook `hook` at `now_ms`. False (and nothing
// changes) when it was admitted within the window: a replay.
bool gw_replay_admit(gw_replay_t *r, const char *hook, const char *id,
                     int64_t now_ms);
// Forget an admitted id, so that a retry of a delivery that failed
// before anything started is welcome.
void gw_replay_forget(gw_replay_t *r, const char *hook, const char *id);

#endif
