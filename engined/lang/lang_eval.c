// Evaluator placeholder of the first commit: compiling works, evaluation
// reports that it is not there yet. Replaced by the evaluator proper.
#include <stdarg.h>
#include <stdio.h>

#include "lang_eval.h"
#include "lang_text.h"

void
lang_env_init(lang_env_t *e, const char *src, const lang_eval_ctx_t *ctx)
{
    *e = (lang_env_t){.ctx = ctx, .src = src};
}

void
lang_env_fini(lang_env_t *e)
{
    (void)e;
}

sr_err_t
lang_fail_code(lang_env_t *e, sr_err_t code)
{
    snprintf(e->detail, sizeof e->detail, "%s", sr_strerror(code));
    return code;
}

sr_err_t
lang_eval(lang_env_t *e, const lang_node_t *n, sr_value_t **out)
{
    (void)n;
    (void)out;
    snprintf(e->detail, sizeof e->detail, "evaluation is not available yet");
    return SR_EINTERNAL;
}

sr_err_t
lang_render(lang_env_t *e, const lang_node_t *n, lang_buf_t *buf)
{
    (void)buf;
    return lang_eval(e, n, NULL);
}
