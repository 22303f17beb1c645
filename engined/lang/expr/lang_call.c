// Calls: argument evaluation for built-ins (eager, lazy, keywords, YAQL's
// `name => value`), Jinja tests, the host functions of Mistral (task(),
// execution(), env(), ...) through ctx->call, and Python slices. Releases
// every argument it evaluated, also on failure.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lang_eval.h"
#include "lang_ops.h"
#include "lang_text.h"

sr_value_t *
lang_call_arg(const lang_call_t *c, size_t pos, const char *name)
{
    if (name)
        for (size_t i = 0; i < c->argc; i++)
            if (c->names[i] && strcmp(c->names[i], name) == 0)
                return c->argv[i];
    if (pos < c->argc && !c->names[pos])
        return c->argv[pos];
    return NULL;
}

sr_err_t
lang_call_eval(lang_call_t *c, size_t i, sr_value_t **out)
{
    return lang_eval(c->env, c->args[i], out);
}

sr_err_t
lang_call_eval_item(lang_call_t *c, size_t i, sr_value_t *item,
                    sr_value_t **out)
{
    lang_env_t *e = c->env;
    sr_value_t *dollar = e->dollar;
    bool root = e->dollar_is_root;
    e->dollar = item;
    e->dollar_is_root = false;
    sr_err_t rc = lang_eval(e, c->args[i], out);
    e->dollar = dollar;
    e->dollar_is_root = root;
    return rc;
}

sr_err_t
lang_call_host(lang_env_t *e, const char *name, sr_value_t **argv, size_t argc,
               sr_value_t **out)
{
    const lang_eval_ctx_t *ctx = e->ctx;
    if (!ctx->call)
        return lang_fail(e, "unknown function '%s'", name);
    sr_error_t err;
    sr_error_clear(&err);
    sr_value_t *v = NULL;
    sr_err_t rc = ctx->call(ctx->user, name, argv, argc, &v, &err);
    if (rc == SR_ENOTFOUND)
        return lang_fail(e, "unknown function '%s'", name);
    if (rc != SR_OK) {
        snprintf(e->detail, sizeof e->detail, "%.*s", (int)sizeof e->detail - 1,
                 err.msg[0] ? err.msg : sr_strerror(rc));
        e->undefined = false;
        return rc;
    }
    if (!v)
        v = sr_value_new_nil();
    *out = v;
    return SR_OK;
}

static sr_err_t
s_unknown(lang_env_t *e, const lang_node_t *n, const sr_value_t *recv)
{
    if (n->kind == LANG_N_TEST)
        return lang_fail(e, "No test named '%s'.", n->name);
    if (n->flags & LANG_F_FILTER)
        return lang_fail(e, "No filter named '%s'.", n->name);
    if (n->flags & LANG_F_YAQL)
        return lang_fail(e, "unknown method '%s' for type '%s'", n->name,
                         lang_type_name(recv));
    return lang_fail_undefined(e, "'%s object' has no attribute '%s'",
                               lang_type_name(recv), n->name);
}

// The arguments' nodes and keywords; `name => value` with a constant
// string name is a keyword unless the built-in reads pairs itself.
static sr_err_t
s_bind(lang_env_t *e, const lang_node_t *n, const lang_builtin_t *fn,
       lang_call_t *c)
{
    c->env = e;
    c->node = n;
    c->argc = n->nkids;
    for (size_t i = 0; i < n->nkids; i++)
        c->argv[i] = NULL; // released by s_release() whatever happens
    for (size_t i = 0; i < n->nkids; i++) {
        const lang_node_t *arg = n->kids[i];
        c->names[i] = n->names ? n->names[i] : NULL;
        if (arg->kind == LANG_N_PAIR &&
            !(fn && (fn->flags & LANG_FN_LAZY_ALL))) {
            const lang_node_t *k = arg->kids[0];
            if (k->kind != LANG_N_CONST || sr_value_type(k->value) != SR_T_STR)
                return lang_fail(e,
                                 "%s(): unexpected 'key => value' "
                                 "argument",
                                 n->name);
            c->names[i] = sr_value_str(k->value);
            arg = arg->kids[1];
        }
        c->args[i] = arg;
        if (c->names[i] && !(fn && (fn->flags & LANG_FN_KEYWORDS)))
            return lang_fail(e, "%s() got an unexpected keyword argument '%s'",
                             n->name, c->names[i]);
    }
    return SR_OK;
}

static void
s_release(lang_call_t *c)
{
    for (size_t i = 0; i < c->argc; i++)
        sr_value_destroy(&c->argv[i]);
}

static sr_err_t
s_call_host(lang_env_t *e, const lang_node_t *n, sr_value_t **out)
{
    lang_call_t c;
    sr_err_t rc = s_bind(e, n, NULL, &c);
    for (size_t i = 0; rc == SR_OK && i < c.argc; i++)
        rc = lang_eval(e, c.args[i], &c.argv[i]);
    if (rc == SR_OK)
        rc = lang_call_host(e, n->name, c.argv, c.argc, out);
    s_release(&c);
    return rc;
}

static sr_err_t
s_arity(lang_env_t *e, const lang_node_t *n, const lang_builtin_t *fn)
{
    size_t skip = (n->flags & LANG_F_METHOD) ? 1 : 0;
    if (n->nkids >= fn->min_args && n->nkids <= fn->max_args)
        return SR_OK;
    size_t lo = fn->min_args - skip, hi = fn->max_args - skip;
    if (lo == hi)
        return lang_fail(e, "%s() takes %zu argument%s (%zu given)", n->name,
                         lo, lo == 1 ? "" : "s", n->nkids - skip);
    return lang_fail(e, "%s() takes %zu to %zu arguments (%zu given)", n->name,
                     lo, hi, n->nkids - skip);
}

sr_err_t lang_eval_call(lang_env_t *e, const lang_node_t *n, sr_value_t **out);

sr_err_t
lang_eval_call(lang_env_t *e, const lang_node_t *n, sr_value_t **out)
{
    const lang_builtin_t *fn = n->fn;
    bool has_recv =
        (n->flags & (LANG_F_METHOD | LANG_F_FILTER)) || n->kind == LANG_N_TEST;
    if (!fn && !has_recv)
        return s_call_host(e, n, out);
    lang_call_t c;
    sr_err_t rc = fn ? s_arity(e, n, fn) : SR_OK;
    if (rc == SR_OK)
        rc = s_bind(e, n, fn, &c);
    if (rc != SR_OK)
        return rc;
    unsigned flags = fn ? fn->flags : 0;
    for (size_t i = 0; rc == SR_OK && i < c.argc; i++) {
        if ((flags & LANG_FN_LAZY_ALL) || (i > 0 && (flags & LANG_FN_LAZY)))
            continue;
        rc = lang_eval(e, c.args[i], &c.argv[i]);
        if (rc == SR_EEXPR && i == 0 && e->undefined &&
            (flags & LANG_FN_UNDEF_OK)) {
            rc = SR_OK; // the built-in sees NULL: `is defined`, `default`
            e->undefined = false;
        }
        if (rc == SR_OK && !c.argv[i] &&
            !(i == 0 && (flags & LANG_FN_UNDEF_OK)))
            rc = lang_oom(e);
        if (rc == SR_OK && i == 0 && !fn)
            rc = s_unknown(e, n, c.argv[0]);
        if (rc == SR_OK && i == 0 && (n->flags & LANG_F_NULLSAFE) &&
            sr_value_type(c.argv[0]) == SR_T_NIL) {
            s_release(&c);
            *out = sr_value_new_nil();
            return SR_OK;
        }
    }
    sr_value_t *v = NULL;
    if (rc == SR_OK)
        rc = fn->fn(&c, &v);
    s_release(&c);
    if (rc != SR_OK)
        return rc;
    if (n->kind == LANG_N_TEST && (n->flags & LANG_F_NEGATE)) {
        bool b = sr_value_truthy(v);
        sr_value_destroy(&v);
        v = sr_value_new_bool(!b);
    }
    *out = v;
    return SR_OK;
}

// Python slice bounds for a sequence of `len` items.
static sr_err_t
s_bound(lang_env_t *e, const lang_node_t *n, int64_t len, int64_t step,
        bool is_start, int64_t *out)
{
    if (!n) {
        *out = step > 0 ? (is_start ? 0 : len) : (is_start ? len - 1 : -1);
        return SR_OK;
    }
    sr_value_t *v;
    int64_t i;
    sr_err_t rc = lang_eval(e, n, &v);
    if (rc != SR_OK)
        return rc;
    bool ok = lang_int(v, &i) || sr_value_type(v) == SR_T_NIL;
    bool nil = sr_value_type(v) == SR_T_NIL;
    sr_value_destroy(&v);
    if (!ok)
        return lang_fail(e, "slice indices must be integers or None");
    if (nil)
        return s_bound(e, NULL, len, step, is_start, out);
    if (i < 0)
        i += len;
    int64_t lo = step > 0 ? 0 : -1, hi = step > 0 ? len : len - 1;
    *out = i < lo ? lo : i > hi ? hi : i;
    return SR_OK;
}

sr_err_t lang_eval_slice(lang_env_t *e, const lang_node_t *n, sr_value_t **out);

sr_err_t
lang_eval_slice(lang_env_t *e, const lang_node_t *n, sr_value_t **out)
{
    sr_value_t *obj = NULL, *stepv = NULL;
    int64_t step = 1, start, stop;
    sr_err_t rc = lang_eval(e, n->kids[0], &obj);
    if (rc == SR_OK && n->kids[3] &&
        (rc = lang_eval(e, n->kids[3], &stepv)) == SR_OK &&
        sr_value_type(stepv) != SR_T_NIL && !lang_int(stepv, &step))
        rc = lang_fail(e, "slice indices must be integers or None");
    sr_value_destroy(&stepv);
    sr_type_t t = sr_value_type(obj);
    if (rc == SR_OK && step == 0)
        rc = lang_fail(e, "slice step cannot be zero");
    if (rc == SR_OK && t != SR_T_ARRAY && t != SR_T_STR)
        rc = lang_fail(e, "'%s' object is not subscriptable",
                       lang_type_name(obj));
    const char *s = t == SR_T_STR ? sr_value_str(obj) : NULL;
    size_t bytes = sr_value_len(obj);
    int64_t len = rc != SR_OK     ? 0
                  : t == SR_T_STR ? (int64_t)lang_utf8_count(s, bytes)
                                  : (int64_t)bytes;
    if (rc == SR_OK)
        rc = s_bound(e, n->kids[1], len, step, true, &start);
    if (rc == SR_OK)
        rc = s_bound(e, n->kids[2], len, step, false, &stop);
    sr_value_t *res = NULL;
    lang_buf_t buf = {.limit = e->max_bytes};
    size_t *offs = NULL; // byte offset of each character when not ASCII
    if (rc == SR_OK && t == SR_T_STR && len != (int64_t)bytes) {
        if (!(offs = malloc(((size_t)len + 1) * sizeof *offs)))
            rc = lang_oom(e);
        for (int64_t k = 0, at = 0; rc == SR_OK && k <= len; k++) {
            offs[k] = (size_t)at;
            at += (int64_t)lang_utf8_offset(s + at, bytes - (size_t)at, 1);
        }
    }
    if (rc == SR_OK && t == SR_T_ARRAY && !(res = sr_value_new_array(0)))
        rc = lang_oom(e);
    for (int64_t i = start; rc == SR_OK && (step > 0 ? i < stop : i > stop);
         i += step) {
        if ((rc = lang_step(e, 1)) != SR_OK)
            break;
        if (t == SR_T_ARRAY) {
            if (sr_value_array_append(res, sr_value_ref(sr_value_array_at(
                                               obj, (size_t)i))) != SR_OK)
                rc = lang_oom(e);
            continue;
        }
        size_t a = offs ? offs[i] : (size_t)i;
        size_t b = offs ? offs[i + 1] : a + 1;
        if ((rc = lang_buf_put(&buf, s + a, b - a)) != SR_OK)
            rc = lang_fail_code(e, rc);
    }
    if (rc == SR_OK && t == SR_T_STR &&
        (rc = lang_buf_take(&buf, &res)) != SR_OK)
        rc = lang_fail_code(e, rc);
    lang_buf_fini(&buf);
    free(offs);
    sr_value_destroy(&obj);
    if (rc != SR_OK)
        sr_value_destroy(&res);
    else
        *out = res;
    return rc;
}
