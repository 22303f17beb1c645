// Results of action runs and the helpers actions use to read their input.
// Owns nothing beyond the result values it is handed; reentrant.
#include "wrk_action.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

const char *
wrk_status_name(wrk_status_t status)
{
    switch (status) {
    case WRK_SUCCESS:
        return "SUCCESS";
    case WRK_ERROR:
        return "ERROR";
    case WRK_PENDING:
        return "PENDING";
    }
    return "UNKNOWN";
}

void
wrk_result_fini(wrk_result_t *self)
{
    if (!self)
        return;
    sr_value_destroy(&self->value);
    self->status = WRK_SUCCESS;
}

static void
s_fill(wrk_result_t *self, wrk_status_t status, sr_value_t *value)
{
    sr_value_destroy(&self->value);
    self->status = status;
    self->value = value;
}

void
wrk_result_success(wrk_result_t *self, sr_value_t *value)
{
    s_fill(self, WRK_SUCCESS, value);
}

void
wrk_result_error_value(wrk_result_t *self, sr_value_t *value)
{
    s_fill(self, WRK_ERROR, value);
}

void
wrk_result_pending(wrk_result_t *self)
{
    s_fill(self, WRK_PENDING, sr_value_new_nil());
}

void
wrk_result_error(wrk_result_t *self, const char *action, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *text = NULL;
    int n = vasprintf(&text, fmt, ap);
    va_end(ap);
    sr_value_t *msg = NULL;
    if (n >= 0)
        msg = sr_value_new_strf("%s: %s", action, text);
    free(n >= 0 ? text : NULL);
    s_fill(self, WRK_ERROR, msg);
}

const sr_value_t *
wrk_run_arg(const wrk_run_t *run, const char *name)
{
    const sr_value_t *v = sr_value_map_get(run->input, name);
    if (v && !sr_value_is(v, SR_T_NIL))
        return v;
    if (run->defaults) {
        const sr_value_t *d = sr_value_map_get(run->defaults, name);
        if (d && !sr_value_is(d, SR_T_NIL))
            return d;
    }
    return NULL;
}

const char *
wrk_run_context_str(const wrk_run_t *run, const char *key)
{
    if (!run->context)
        return NULL;
    const sr_value_t *v = sr_value_map_get(run->context, key);
    return sr_value_is(v, SR_T_STR) ? sr_value_str(v) : NULL;
}
