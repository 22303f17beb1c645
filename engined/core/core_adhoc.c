// Ad-hoc action chains: input top-down (declared inputs with defaults,
// base-input evaluated over them), output bottom-up. Owns nothing beyond
// one expansion; the definitions are borrowed from the document.
#include "core_adhoc.h"

#include "core_ctx.h"

// Input given to an ad-hoc action: its declared inputs with defaults.
static sr_err_t
s_declared(core_run_t *r, core_exec_t *exec, core_task_t *task,
           const lang_action_t *adhoc, const sr_value_t *given,
           sr_value_t **out)
{
    sr_value_t *in = sr_value_new_map(adhoc->ninputs);
    if (!in)
        return SR_ENOMEM;
    for (size_t i = 0; i < adhoc->ninputs; i++) {
        const lang_param_t *p = &adhoc->inputs[i];
        sr_value_t *v = sr_value_map_get(given, p->name);
        sr_err_t rc;
        if (v)
            rc = sr_value_map_put(in, p->name, sr_value_ref(v));
        else if (p->default_value) {
            sr_value_t *d = NULL;
            rc = core_eval(r, exec, task, NULL, NULL, p->default_value, NULL,
                           &d);
            if (!rc)
                rc = sr_value_map_put(in, p->name, d);
        } else
            rc = sr_error_set(r->err, SR_EEXPR,
                              "action '%s': missing required input '%s'",
                              adhoc->name, p->name);
        if (rc) {
            sr_value_destroy(&in);
            return rc;
        }
    }
    for (size_t i = 0; i < sr_value_len(given); i++) {
        const char *k = sr_value_str(sr_value_map_key(given, i));
        if (!sr_value_map_has(in, k)) {
            sr_value_destroy(&in);
            return sr_error_set(r->err, SR_EEXPR,
                                "action '%s': unexpected input '%s'",
                                adhoc->name, k);
        }
    }
    *out = in;
    return SR_OK;
}

// One level: the base's input from this level's input.
static sr_err_t
s_level(core_run_t *r, core_exec_t *exec, core_task_t *task,
        const lang_action_t *adhoc, sr_value_t **input)
{
    sr_value_t *declared = NULL, *base_in = NULL;
    sr_err_t rc = s_declared(r, exec, task, adhoc, *input, &declared);
    if (!rc)
        rc = core_eval(r, exec, NULL, declared, NULL, adhoc->base_input, NULL,
                       &base_in);
    sr_value_destroy(&declared);
    if (!rc && sr_value_is(base_in, SR_T_NIL)) // no base-input: nothing
        sr_value_destroy(&base_in);
    if (!rc && base_in && !sr_value_is(base_in, SR_T_MAP))
        rc = sr_error_set(r->err, SR_EEXPR,
                          "action '%s': base-input must be a map", adhoc->name);
    if (!rc && !base_in && !(base_in = sr_value_new_map(0)))
        rc = SR_ENOMEM;
    if (rc) {
        sr_value_destroy(&base_in);
        return rc;
    }
    sr_value_destroy(input);
    *input = base_in;
    return SR_OK;
}

sr_err_t
core_adhoc_expand(core_run_t *r, core_exec_t *exec, core_task_t *task,
                  const lang_doc_t *doc, const char *name, sr_value_t **input,
                  const char **base, const char **adhoc)
{
    const lang_action_t *top = lang_doc_action(doc, name);
    const lang_action_t *level = top;
    const char *runs = name;
    for (int depth = 0; level; depth++) {
        if (depth == CORE_ADHOC_MAX_DEPTH)
            return sr_error_set(r->err, SR_EEXPR,
                                "action '%s': ad-hoc actions nested deeper "
                                "than %d (a cycle?)",
                                top->name, CORE_ADHOC_MAX_DEPTH);
        sr_err_t rc = s_level(r, exec, task, level, input);
        if (rc)
            return rc;
        runs = level->base;
        level = lang_doc_action(doc, level->base);
    }
    *base = runs;
    *adhoc = top ? top->name : NULL;
    return SR_OK;
}

sr_err_t
core_adhoc_output(core_run_t *r, const lang_doc_t *doc, const char *name,
                  const sr_value_t *result, sr_value_t **out)
{
    const lang_action_t *chain[CORE_ADHOC_MAX_DEPTH];
    size_t n = 0;
    for (const lang_action_t *a = lang_doc_action(doc, name);
         a && n < CORE_ADHOC_MAX_DEPTH; a = lang_doc_action(doc, a->base))
        chain[n++] = a;
    sr_value_t *v = result ? sr_value_ref((sr_value_t *)result) : NULL;
    for (size_t i = n; i-- > 0;) {
        if (!chain[i]->output)
            continue;
        sr_value_t *data = v ? v : sr_value_new_nil(), *next = NULL;
        lang_eval_ctx_t ctx = {.data = data,
                               .now_ms = r->now,
                               .max_steps = r->core->max_expr_steps,
                               .max_bytes = r->core->max_value_bytes};
        sr_err_t rc = data ? lang_vt_eval(chain[i]->output, &ctx, &next, r->err)
                           : SR_ENOMEM;
        if (data != v)
            sr_value_destroy(&data);
        sr_value_destroy(&v);
        if (rc)
            return rc != SR_ENOMEM ? SR_EEXPR : rc;
        v = next;
    }
    *out = v;
    return SR_OK;
}
