/* Checks a worker node's configuration, fills in its defaults and copies
 * its strings into memory the node owns. Every error names the field.
 * Does not open anything (bad endpoints show when the node connects).
 * Single-threaded; the result is read-only.
 */
#include "wrk_node_cfg.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define S_ENDPOINT_MAX 1024 // bytes of an endpoint
#define S_ACTION_MAX   1024 // bytes of an action name (TASK's limit)
#define S_ACTIONS_MAX  4096 // offered actions (READY's limit)

struct wrk_node_cfg {
    wrk_node_config_t cfg; // complete; its strings point below
    char *name;
    char *target;
    char **actions;
    char **engines;
};

static sr_err_t s_bad(sr_error_t *err, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static sr_err_t
s_bad(sr_error_t *err, const char *field, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sr_error_vset(err, SR_EINVAL, fmt, ap);
    va_end(ap);
    if (err)
        snprintf(err->where, sizeof err->where, "field '%s'", field);
    return SR_EINVAL;
}

// Check one optional text: absent is fine, empty or over `max` is not.
static sr_err_t
s_check_text(const char *field, const char *text, size_t max, sr_error_t *err)
{
    if (!text)
        return SR_OK;
    size_t len = strlen(text);
    if (len == 0)
        return s_bad(err, field, "empty");
    if (len > max)
        return s_bad(err, field, "'%.40s...' is over %zu bytes", text, max);
    return SR_OK;
}

static sr_err_t
s_check_list(const char *field, const char *const *items, size_t n,
             size_t max_items, size_t max_bytes, sr_error_t *err)
{
    if (n > max_items)
        return s_bad(err, field, "more than %zu entries", max_items);
    for (size_t i = 0; i < n; i++) {
        if (!items || !items[i])
            return s_bad(err, field, "entry %zu is missing", i);
        sr_err_t rc = s_check_text(field, items[i], max_bytes, err);
        if (rc)
            return rc;
    }
    return SR_OK;
}

static sr_err_t
s_check_times(const wrk_node_config_t *c, sr_error_t *err)
{
    const struct {
        const char *field;
        int64_t ms;
    } times[] = {{"heartbeat_ms", c->heartbeat_ms},
                 {"expiry_ms", c->expiry_ms},
                 {"resend_ms", c->resend_ms},
                 {"grace_ms", c->grace_ms}};
    for (size_t i = 0; i < sizeof times / sizeof times[0]; i++) {
        if (times[i].ms < 0)
            return s_bad(err, times[i].field, "negative");
    }
    return SR_OK;
}

static sr_err_t
s_check(const wrk_node_config_t *c, sr_error_t *err)
{
    sr_err_t rc;
    if (!c->registry)
        return s_bad(err, "registry", "required");
    if (c->slots > WRK_NODE_SLOTS_MAX)
        return s_bad(err, "slots", "%zu is over the most, %d", c->slots,
                     WRK_NODE_SLOTS_MAX);
    if (c->n_engines == 0)
        return s_bad(err, "engines", "at least one engine endpoint is needed");
    if ((rc = s_check_list("engines", c->engines, c->n_engines,
                           WRK_NODE_ENGINES_MAX, S_ENDPOINT_MAX, err)) ||
        (rc = s_check_list("actions", c->actions, c->n_actions, S_ACTIONS_MAX,
                           S_ACTION_MAX, err)) ||
        (rc = s_check_text("name", c->name, WRK_NODE_NAME_MAX, err)) ||
        (rc = s_check_text("target", c->target, WRK_NODE_NAME_MAX, err)) ||
        (rc = s_check_times(c, err)))
        return rc;
    return SR_OK;
}

static int64_t
s_or(int64_t value, int64_t dflt)
{
    return value > 0 ? value : dflt;
}

// Fill in the defaults of the numbers; SR_EINVAL when the expiry is not
// above the heartbeat.
static sr_err_t
s_resolve(wrk_node_config_t *c, sr_error_t *err)
{
    c->slots = c->slots ? c->slots : WRK_NODE_DEFAULT_SLOTS;
    c->heartbeat_ms = s_or(c->heartbeat_ms, WRK_NODE_DEFAULT_HEARTBEAT_MS);
    c->expiry_ms =
        s_or(c->expiry_ms, c->heartbeat_ms * WRK_NODE_DEFAULT_EXPIRY_BEATS);
    c->resend_ms = s_or(c->resend_ms, WRK_NODE_DEFAULT_RESEND_MS);
    c->grace_ms = s_or(c->grace_ms, WRK_NODE_DEFAULT_GRACE_MS);
    if (c->max_message_bytes == 0)
        c->max_message_bytes = SR_DEFAULT_MAX_BYTES;
    if (c->expiry_ms <= c->heartbeat_ms)
        return s_bad(err, "expiry_ms",
                     "%" PRId64 " must be above heartbeat_ms, %" PRId64,
                     c->expiry_ms, c->heartbeat_ms);
    return SR_OK;
}

static char **
s_copy_list(const char *const *items, size_t n)
{
    char **copy = calloc(n + 1, sizeof *copy);
    for (size_t i = 0; copy && i < n; i++) {
        if (!(copy[i] = strdup(items[i]))) {
            for (size_t k = 0; k < i; k++)
                free(copy[k]);
            free(copy);
            return NULL;
        }
    }
    return copy;
}

static void
s_free_list(char **items)
{
    for (size_t i = 0; items && items[i]; i++)
        free(items[i]);
    free(items);
}

// The default name: "HOST:PID".
static char *
s_default_name(void)
{
    char host[128] = "";
    if (gethostname(host, sizeof host - 1) != 0 || !host[0])
        strcpy(host, "worker");
    char name[160];
    snprintf(name, sizeof name, "%s:%ld", host, (long)getpid());
    return strdup(name);
}

sr_err_t
wrk_node_cfg_new(const wrk_node_config_t *config, wrk_node_cfg_t **out,
                 sr_error_t *err)
{
    sr_err_t rc = s_check(config, err);
    if (rc)
        return rc;
    wrk_node_cfg_t *self = calloc(1, sizeof *self);
    if (!self)
        return sr_error_set(err, SR_ENOMEM, "out of memory");
    self->cfg = *config;
    if ((rc = s_resolve(&self->cfg, err)) != SR_OK)
        goto fail;
    self->name = config->name ? strdup(config->name) : s_default_name();
    self->target = config->target ? strdup(config->target) : NULL;
    self->actions = s_copy_list(config->actions, config->n_actions);
    self->engines = s_copy_list(config->engines, config->n_engines);
    if (!self->name || (config->target && !self->target) || !self->actions ||
        !self->engines) {
        rc = sr_error_set(err, SR_ENOMEM, "out of memory");
        goto fail;
    }
    self->cfg.name = self->name;
    self->cfg.target = self->target;
    self->cfg.actions = (const char *const *)self->actions;
    self->cfg.engines = (const char *const *)self->engines;
    *out = self;
    return SR_OK;
fail:
    wrk_node_cfg_destroy(&self);
    return rc;
}

void
wrk_node_cfg_destroy(wrk_node_cfg_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    wrk_node_cfg_t *self = *self_p;
    free(self->name);
    free(self->target);
    s_free_list(self->actions);
    s_free_list(self->engines);
    free(self);
    *self_p = NULL;
}

const wrk_node_config_t *
wrk_node_cfg_get(const wrk_node_cfg_t *self)
{
    return &self->cfg;
}
