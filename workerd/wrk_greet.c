/* Builders of the session messages of a worker node (READY, HEARTBEAT,
 * CREDIT, BYE) from its configuration. Owns nothing; sends nothing (the
 * machine does). Reentrant.
 */
#include "wrk_greet.h"

#include <czmq.h>
#include <stdlib.h>
#include <unistd.h>

static sr_value_t *
s_strs_new(const char *const *items, size_t n)
{
    sr_value_t *array = sr_value_new_array(n);
    for (size_t i = 0; array && i < n; i++) {
        if (sr_value_array_append(array, sr_value_new_str(items[i])))
            sr_value_destroy(&array);
    }
    return array;
}

// Set a string field when `text` is given.
static sr_err_t
s_set_opt_str(sr_msg_t *m, sr_field_t f, const char *text)
{
    return text ? sr_msg_set_str(m, f, text) : SR_OK;
}

sr_msg_t *
wrk_greet_ready_new(const wrk_node_config_t *cfg)
{
    char host[256] = "";
    if (gethostname(host, sizeof host - 1) != 0)
        host[0] = '\0';
    sr_msg_t *m = sr_msg_new(SR_MSG_READY);
    if (!m || sr_msg_set_str(m, SR_F_READY_worker, cfg->name) ||
        sr_msg_set_int(m, SR_F_READY_slots, (int64_t)cfg->slots) ||
        s_set_opt_str(m, SR_F_READY_target, cfg->target) ||
        sr_msg_set_int(m, SR_F_READY_pid, (int64_t)getpid()) ||
        s_set_opt_str(m, SR_F_READY_host, host[0] ? host : NULL))
        goto fail;
    if (cfg->n_actions > 0 &&
        sr_msg_set(m, SR_F_READY_actions,
                   s_strs_new(cfg->actions, cfg->n_actions)) != SR_OK)
        goto fail;
    return m;
fail:
    sr_msg_destroy(&m);
    return NULL;
}

sr_msg_t *
wrk_greet_heartbeat_new(const wrk_node_config_t *cfg)
{
    double load[1];
    sr_msg_t *m = sr_msg_new(SR_MSG_HEARTBEAT);
    if (!m || sr_msg_set_int(m, SR_F_HEARTBEAT_sent_ms, zclock_time()) ||
        sr_msg_set_str(m, SR_F_HEARTBEAT_name, cfg->name))
        goto fail;
    if (getloadavg(load, 1) == 1 &&
        sr_msg_set(m, SR_F_HEARTBEAT_load, sr_value_new_float(load[0])))
        goto fail;
    return m;
fail:
    sr_msg_destroy(&m);
    return NULL;
}

sr_msg_t *
wrk_greet_credit_new(size_t slots)
{
    sr_msg_t *m = sr_msg_new(SR_MSG_CREDIT);
    if (m && sr_msg_set_int(m, SR_F_CREDIT_slots, (int64_t)slots))
        sr_msg_destroy(&m);
    return m;
}

sr_msg_t *
wrk_greet_bye_new(const wrk_node_config_t *cfg)
{
    sr_msg_t *m = sr_msg_new(SR_MSG_BYE);
    if (m && sr_msg_set_str(m, SR_F_BYE_worker, cfg->name))
        sr_msg_destroy(&m);
    return m;
}
