/* A worker node as a czmq actor: the public start / stop / stats calls,
 * and the actor's loop, which polls its pipe and the machine's sockets,
 * passes the monotonic clock to the machine's timers, and on "$TERM"
 * (zactor_destroy) runs the graceful stop to its end before returning.
 * Owns the checked configuration and the actor; the actor's thread owns
 * the machine. The caller's thread only talks to the actor through its
 * pipe.
 */
#include "wrk_node.h"

#include <czmq.h>
#include <errno.h>
#include <string.h>

#include "sr_log.h"
#include "wrk_machine.h"
#include "wrk_node_cfg.h"

#define S_POLL_MAX_MS   1000 // longest poll, whatever the timers say
#define S_STATS_WAIT_MS 5000 // bounded wait for the actor's answer
#define S_ITEMS         (WRK_NODE_ENGINES_MAX + 2) // pipe, links, pool

struct wrk_node {
    wrk_node_cfg_t *cfg; // owned; read by the actor's thread
    zactor_t *actor;
    sr_err_t start_rc;    // written by the actor before its first signal
    sr_error_t start_err; // idem
};

// Answer one command from the pipe; false when the pipe asks to stop.
static bool
s_on_pipe(zsock_t *pipe, wrk_machine_t *machine)
{
    char *cmd = zstr_recv(pipe);
    if (!cmd)
        return errno == EINTR; // interrupted, else the pipe is gone
    bool is_term = streq(cmd, "$TERM");
    if (streq(cmd, "STATS")) {
        wrk_node_stats_t stats;
        wrk_machine_stats(machine, &stats);
        zsock_send(pipe, "b", &stats, sizeof stats);
    }
    zstr_free(&cmd);
    return !is_term;
}

// Poll the pipe and the machine's sockets until `next_ms`; false when
// polling failed for good.
static bool
s_poll(zsock_t *pipe, wrk_machine_t *machine, int64_t next_ms,
       bool *is_stop_asked)
{
    zmq_pollitem_t items[S_ITEMS];
    items[0] = (zmq_pollitem_t){zsock_resolve(pipe), 0, ZMQ_POLLIN, 0};
    size_t n = wrk_machine_poll_items(machine, items + 1, S_ITEMS - 1);
    int64_t wait = next_ms - zclock_mono();
    wait = wait < 0 ? 0 : wait > S_POLL_MAX_MS ? S_POLL_MAX_MS : wait;
    if (*is_stop_asked && wait > 50)
        wait = 50; // the stop checks often whether it is over
    if (zmq_poll(items, (int)n + 1, (long)wait) < 0)
        return errno == EINTR;
    int64_t now = zclock_mono();
    if ((items[0].revents & ZMQ_POLLIN) && !*is_stop_asked &&
        !s_on_pipe(pipe, machine)) {
        *is_stop_asked = true;
        wrk_machine_stop(machine, now);
    }
    for (size_t i = 0; i < n; i++) {
        if (items[i + 1].revents & ZMQ_POLLIN)
            wrk_machine_handle(machine, i, now);
    }
    return true;
}

static void
s_actor(zsock_t *pipe, void *arg)
{
    wrk_node_t *node = arg;
    wrk_machine_t *machine = NULL;
    node->start_rc = wrk_machine_new(wrk_node_cfg_get(node->cfg), zclock_mono(),
                                     &machine, &node->start_err);
    zsock_signal(pipe, 0);
    if (node->start_rc != SR_OK)
        return;
    bool is_stop_asked = false;
    for (;;) {
        int64_t now = zclock_mono();
        int64_t next = wrk_machine_tick(machine, now);
        if (is_stop_asked && wrk_machine_is_stopped(machine, now))
            break;
        if (!s_poll(pipe, machine, next, &is_stop_asked)) {
            sr_errorf("worker=%s poll failed: %s; stopping",
                      wrk_node_cfg_get(node->cfg)->name, zmq_strerror(errno));
            break;
        }
    }
    wrk_machine_destroy(&machine);
}

sr_err_t
wrk_node_start(const wrk_node_config_t *config, wrk_node_t **out,
               sr_error_t *err)
{
    wrk_node_t *node = calloc(1, sizeof *node);
    if (!node)
        return sr_error_set(err, SR_ENOMEM, "out of memory");
    sr_err_t rc = wrk_node_cfg_new(config, &node->cfg, err);
    if (rc)
        goto fail;
    node->actor = zactor_new(s_actor, node);
    if (!node->actor) {
        rc = sr_error_set(err, SR_EIO, "cannot start the node's thread");
        goto fail;
    }
    if ((rc = node->start_rc) != SR_OK) {
        if (err)
            *err = node->start_err;
        goto fail;
    }
    *out = node;
    return SR_OK;
fail:
    zactor_destroy(&node->actor);
    wrk_node_cfg_destroy(&node->cfg);
    free(node);
    return rc;
}

void
wrk_node_stop(wrk_node_t **node_p)
{
    if (!node_p || !*node_p)
        return;
    wrk_node_t *node = *node_p;
    zactor_destroy(&node->actor); // "$TERM", then waits for the stop
    wrk_node_cfg_destroy(&node->cfg);
    free(node);
    *node_p = NULL;
}

sr_err_t
wrk_node_stats(wrk_node_t *node, wrk_node_stats_t *out, sr_error_t *err)
{
    zsock_t *pipe = zactor_sock(node->actor);
    if (zstr_send(node->actor, "STATS") != 0)
        return sr_error_set(err, SR_EIO, "node: %s", zmq_strerror(errno));
    zsock_set_rcvtimeo(pipe, S_STATS_WAIT_MS);
    zframe_t *frame = zframe_recv(pipe);
    zsock_set_rcvtimeo(pipe, -1);
    if (!frame || zframe_size(frame) != sizeof *out) {
        zframe_destroy(&frame);
        return sr_error_set(err, SR_EIO, "node: no answer within %d ms",
                            S_STATS_WAIT_MS);
    }
    memcpy(out, zframe_data(frame), sizeof *out);
    zframe_destroy(&frame);
    return SR_OK;
}

const char *
wrk_node_name(const wrk_node_t *node)
{
    return wrk_node_cfg_get(node->cfg)->name;
}
