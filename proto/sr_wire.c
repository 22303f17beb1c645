// Protocol messages on czmq sockets. Frames go through libzmq directly
// (zsock_resolve) so that the encoded buffer is handed to ZeroMQ without a
// copy and every call can be non-blocking. Owns nothing between calls; the
// caller owns the sockets. Does not poll several sockets (the engine loop
// does) and keeps no per-peer state (see sr_heartbeat.c).
#include "sr_wire.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sr_msg_codec.h"
#include "sr_wire_count.h"

static void
s_free_payload(void *data, void *hint)
{
    (void)hint;
    free(data);
}

// Map a failed zmq send to an error (errno set by libzmq).
static sr_err_t
s_send_error(sr_error_t *err, const char *what)
{
    int e = errno;
    if (e == EAGAIN)
        return sr_error_set(err, SR_EUNAVAIL, "%s: send queue full", what);
    if (e == EHOSTUNREACH)
        return sr_error_set(err, SR_EUNAVAIL, "%s: peer unknown or gone", what);
    if (e == EINTR)
        return sr_error_set(err, SR_EUNAVAIL, "%s: interrupted", what);
    return sr_error_set(err, SR_EIO, "%s: %s", what, zmq_strerror(e));
}

// Send the frames that address `peer` on a ROUTER socket.
static sr_err_t
s_send_envelope(void *handle, const sr_wire_peer_t *peer, const char *what,
                sr_error_t *err)
{
    if (zmq_send(handle, peer->id, peer->len, ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0)
        return s_send_error(err, what);
    if (peer->is_req && zmq_send(handle, "", 0, ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0)
        return s_send_error(err, what);
    return SR_OK;
}

sr_err_t
sr_wire_send(zsock_t *sock, const sr_wire_peer_t *peer, const sr_msg_t *m,
             sr_error_t *err)
{
    char *buf = NULL;
    size_t len = 0;
    sr_err_t rc = sr_msg_encode(m, &buf, &len, err);
    if (rc)
        return rc;
    const char *what = sr_msg_type_name(sr_msg_type(m));
    rc = sr_wire_send_encoded(sock, peer, &buf, len, what, err);
    free(buf); // NULL once sent
    return rc;
}

sr_err_t
sr_wire_send_encoded(zsock_t *sock, const sr_wire_peer_t *peer, char **buf_p,
                     size_t len, const char *what, sr_error_t *err)
{
    void *handle = zsock_resolve(sock);
    bool is_router = zsock_type(sock) == ZMQ_ROUTER;
    bool has_peer = peer && peer->len > 0;
    if (is_router != has_peer)
        return sr_error_set(err, SR_EINVAL,
                            is_router ? "%s: a ROUTER socket needs a peer"
                                      : "%s: only a ROUTER socket takes a peer",
                            what);
    sr_err_t rc;
    if (has_peer && (rc = s_send_envelope(handle, peer, what, err)) != SR_OK)
        return rc;
    zmq_msg_t part;
    if (zmq_msg_init_data(&part, *buf_p, len, s_free_payload, NULL) != 0)
        return sr_error_set(err, SR_ENOMEM, "%s: out of memory", what);
    *buf_p = NULL; // ZeroMQ frees it now, also when the send fails
    if (zmq_msg_send(&part, handle, ZMQ_DONTWAIT) < 0) {
        rc = s_send_error(err, what);
        zmq_msg_close(&part);
        return rc;
    }
    sr_wire_count_t *count = sr_wire_count_of(sock);
    if (count)
        count->sent++;
    return SR_OK;
}

// Wait for the first frame: 1 = got it, 0 = nothing, -1 = socket error.
static int
s_recv_first(void *handle, zmq_msg_t *part, int timeout_ms, sr_error_t *err)
{
    if (zmq_msg_recv(part, handle, ZMQ_DONTWAIT) >= 0)
        return 1;
    if (errno != EAGAIN && errno != EINTR)
        goto fail;
    if (timeout_ms == 0)
        return 0;
    zmq_pollitem_t item = {handle, 0, ZMQ_POLLIN, 0};
    int n = zmq_poll(&item, 1, timeout_ms < 0 ? -1 : timeout_ms);
    if (n < 0 && errno != EINTR)
        goto fail;
    if (n <= 0)
        return 0;
    if (zmq_msg_recv(part, handle, ZMQ_DONTWAIT) >= 0)
        return 1;
    if (errno == EAGAIN || errno == EINTR)
        return 0;
fail:
    sr_error_set(err, SR_EIO, "receive: %s", zmq_strerror(errno));
    return -1;
}

// Read the frames after `part` (already received): the ROUTER envelope,
// the payload into `payload`, and count any extra frames (drained).
static size_t
s_recv_rest(void *handle, bool is_router, zmq_msg_t *part, zmq_msg_t *payload,
            sr_wire_peer_t *peer)
{
    size_t frames = 1;
    int state = is_router ? 0 : 2; // 0 routing id, 1 delimiter?, 2 payload
    for (;;) {
        bool more = zmq_msg_more(part);
        if (state == 0) {
            sr_wire_peer_set(peer, zmq_msg_data(part), zmq_msg_size(part));
            state = 1;
        } else if (state == 1 && zmq_msg_size(part) == 0 && more) {
            peer->is_req = true;
            state = 2;
        } else if (state < 3) {
            zmq_msg_move(payload, part);
            state = 3;
        } else {
            frames++;
        }
        if (!more)
            break;
        if (zmq_msg_recv(part, handle, 0) < 0) // parts arrive together
            break;
    }
    return state == 3 ? frames : 0;
}

// Decode the payload of a one-frame message (or an item of a BATCH) into
// `in`.
static sr_err_t
s_decode(const void *data, size_t len, const sr_limits_t *limits,
         sr_wire_in_t *in, sr_error_t *err)
{
    in->payload_bytes = len;
    sr_err_t rc = sr_msg_decode(data, len, limits, &in->msg, err);
    if (rc) {
        sr_msg_peek(data, len, limits, &in->type, &in->req_id);
        return rc;
    }
    in->type = sr_msg_type(in->msg);
    in->req_id = sr_msg_req_id(in->msg);
    return SR_OK;
}

sr_err_t
sr_wire_recv(zsock_t *sock, int timeout_ms, const sr_limits_t *limits,
             sr_wire_in_t *in, sr_error_t *err)
{
    memset(in, 0, sizeof *in);
    in->req_id = -1;
    void *handle = zsock_resolve(sock);
    zmq_msg_t part, payload;
    zmq_msg_init(&part);
    zmq_msg_init(&payload);
    sr_err_t rc = SR_OK;
    int got = s_recv_first(handle, &part, timeout_ms, err);
    if (got < 0) {
        rc = SR_EIO;
    } else if (got == 0) {
        rc = sr_error_set(err, SR_ETIMEDOUT, "no message within %d ms",
                          timeout_ms);
    } else {
        sr_wire_count_t *count = sr_wire_count_of(sock);
        if (count)
            count->received++;
        size_t frames = s_recv_rest(handle, zsock_type(sock) == ZMQ_ROUTER,
                                    &part, &payload, &in->peer);
        const char *key = frames ? zmq_msg_gets(&payload, "User-Id") : NULL;
        if (key && strlen(key) < sizeof in->key)
            strcpy(in->key, key);
        if (frames == 1)
            rc = s_decode(zmq_msg_data(&payload), zmq_msg_size(&payload),
                          limits, in, err);
        else if (frames == 0)
            rc =
                sr_error_set(err, SR_EPROTO, "message without a payload frame");
        else
            rc = sr_error_set(err, SR_EPROTO,
                              "message of %zu frames; expected one", frames);
    }
    zmq_msg_close(&part);
    zmq_msg_close(&payload);
    return rc;
}

void
sr_wire_in_fini(sr_wire_in_t *in)
{
    if (!in)
        return;
    sr_msg_destroy(&in->msg);
    memset(in, 0, sizeof *in);
    in->req_id = -1;
}

size_t
sr_wire_in_items(const sr_wire_in_t *in)
{
    const sr_value_t *list = in->type == SR_MSG_BATCH
                                 ? sr_msg_get(in->msg, SR_F_BATCH_messages)
                                 : NULL;
    return list ? sr_value_len(list) : 0;
}

sr_err_t
sr_wire_in_item(const sr_wire_in_t *in, size_t i, const sr_limits_t *limits,
                sr_wire_in_t *item, sr_error_t *err)
{
    memset(item, 0, sizeof *item);
    item->req_id = -1;
    item->peer = in->peer;
    memcpy(item->key, in->key, sizeof item->key);
    const sr_value_t *v =
        i < sr_wire_in_items(in)
            ? sr_value_array_at(sr_msg_get(in->msg, SR_F_BATCH_messages), i)
            : NULL;
    sr_err_t rc = SR_EPROTO;
    if (!sr_value_is(v, SR_T_BIN)) {
        sr_error_set(err, rc,
                     "BATCH: item %zu is %s, not a binary holding "
                     "a message",
                     i, v ? sr_type_name(sr_value_type(v)) : "missing");
        goto fail;
    }
    size_t len = 0;
    const void *data = sr_value_bin(v, &len);
    if ((rc = s_decode(data, len, limits, item, err)) != SR_OK)
        return rc; // the item's own error, as if it had come alone
    if (item->type == SR_MSG_BATCH) {
        sr_msg_destroy(&item->msg);
        rc = sr_error_set(err, SR_EPROTO,
                          "BATCH: item %zu is a BATCH; a BATCH does not nest",
                          i);
        goto fail;
    }
    return SR_OK;
fail:
    if (err)
        snprintf(err->where, sizeof err->where, "field 'messages'");
    return rc;
}

sr_err_t
sr_wire_reply_error(zsock_t *sock, const sr_wire_in_t *in,
                    const sr_error_t *cause, sr_error_t *err)
{
    if (in->type == SR_MSG_ERROR)
        return SR_OK;
    sr_msg_t *m = sr_msg_error_new(cause, in->req_id);
    if (!m)
        return sr_error_set(err, SR_ENOMEM, "ERROR: out of memory");
    sr_err_t rc = sr_wire_send(sock, in->peer.len ? &in->peer : NULL, m, err);
    sr_msg_destroy(&m);
    return rc;
}

bool
sr_wire_peer_set(sr_wire_peer_t *peer, const void *id, size_t len)
{
    if (len == 0 || len > SR_WIRE_PEER_MAX)
        return false;
    memcpy(peer->id, id, len);
    peer->len = (uint8_t)len;
    peer->is_req = false;
    return true;
}

bool
sr_wire_peer_equal(const sr_wire_peer_t *a, const sr_wire_peer_t *b)
{
    return a->len == b->len && a->is_req == b->is_req &&
           memcmp(a->id, b->id, a->len) == 0;
}

void
sr_wire_set_max_frame(zsock_t *sock, const sr_limits_t *limits)
{
    sr_limits_t l = sr_limits_resolve(limits);
    zsock_set_maxmsgsize(sock, (int)(l.max_bytes * SR_WIRE_FRAME_FACTOR));
}
