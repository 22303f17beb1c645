// Answers on a ROUTER socket (see eng_reply.h).
#include "eng_reply.h"

#include "sr_log.h"
#include "sr_msg.h"

void
eng_reply_error(zsock_t *sock, const sr_wire_peer_t *peer, int64_t req_id,
                const sr_error_t *e)
{
    sr_msg_t *m = sr_msg_error_new(e, req_id);
    sr_error_t se;
    if (m && sr_wire_send(sock, peer, m, &se))
        sr_warn("cannot send an error reply: %s", se.msg);
    sr_msg_destroy(&m);
}

void
eng_reply(zsock_t *sock, const sr_wire_peer_t *peer, int64_t req_id,
          sr_value_t *body)
{
    sr_msg_t *m = sr_msg_new(SR_MSG_REPLY);
    sr_error_t e;
    if (!m || sr_msg_set_int(m, SR_F_REPLY_req_id, req_id) ||
        sr_msg_set(m, SR_F_REPLY_body, body ? body : sr_value_new_nil())) {
        sr_error_set(&e, SR_ENOMEM, "out of memory building the reply");
        eng_reply_error(sock, peer, req_id, &e);
    } else if (sr_wire_send(sock, peer, m, &e)) {
        if (e.code == SR_ETOOBIG)
            eng_reply_error(sock, peer, req_id, &e);
        else
            sr_warn("cannot send a reply: %s", e.msg);
    }
    sr_msg_destroy(&m);
}
