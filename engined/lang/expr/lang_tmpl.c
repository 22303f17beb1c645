// Templates: decide whether a string holds YAQL (<% %>), Jinja ({{ }} and
// {% %}) or nothing, refuse a mix of both (as Mistral does), split and parse
// it once, and apply Mistral's result rule when evaluating: one expression
// alone keeps its type, anything else is text with Python's str() of each
// value. Owns the source copy and the node arena of each template.
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lang_eval.h"
#include "lang_expr.h"
#include "lang_parse.h"
#include "lang_text.h"

struct lang_tmpl {
    lang_syntax_t syntax;
    bool typed; // one expression alone: keep the value's type
    char *text; // source copy, NUL-terminated
    size_t len;
    lang_arena_t *arena;
    lang_node_t *root;    // SEQ of template nodes; NULL for plain text
    sr_value_t *constant; // plain text as a string value
};

// First "open" that has a later "close"; SIZE_MAX when none.
static size_t
s_find_pair(const char *s, size_t len, const char *open, const char *close)
{
    const char *o = memmem(s, len, open, 2);
    if (!o)
        return SIZE_MAX;
    size_t at = (size_t)(o - s);
    if (!memmem(s + at + 2, len - at - 2, close, 2))
        return SIZE_MAX;
    return at;
}

static bool
s_is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
           c == '\v';
}

// Prefix the parser's message with the language; report its offset.
static sr_err_t
s_fail(const lang_parser_t *p, sr_err_t rc, const char *lang,
       size_t *err_offset, sr_error_t *err)
{
    if (rc == SR_EEXPR && err) {
        char msg[sizeof err->msg + 64];
        snprintf(msg, sizeof msg, "invalid %s expression: %s", lang, err->msg);
        snprintf(err->msg, sizeof err->msg, "%.*s", (int)sizeof err->msg - 1,
                 msg);
    }
    if (err_offset)
        *err_offset = p->err_off;
    return rc;
}

static lang_tmpl_t *
s_new(const char *text, size_t len)
{
    lang_tmpl_t *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->text = malloc(len + 1);
    t->arena = lang_arena_new();
    if (!t->text || !t->arena) {
        lang_tmpl_destroy(&t);
        return NULL;
    }
    if (len)
        memcpy(t->text, text, len);
    t->text[len] = '\0';
    t->len = len;
    return t;
}

// An OUT node for the YAQL expression inside <% %> at [open, close).
static sr_err_t
s_yaql_part(lang_parser_t *p, size_t open, size_t close, lang_node_t **out)
{
    // Mistral strips the characters < % > from both ends, then spaces.
    size_t a = open, b = close + 2;
    while (a < b && strchr("<%>", p->src[a]))
        a++;
    while (b > a && strchr("<%>", p->src[b - 1]))
        b--;
    while (a < b && s_is_space(p->src[a]))
        a++;
    while (b > a && s_is_space(p->src[b - 1]))
        b--;
    if (a == b)
        return lang_parse_fail(p, open, "empty expression");
    lang_node_t *expr;
    sr_err_t rc = lang_yaql_parse(p, a, b, &expr);
    if (rc == SR_OK)
        rc = lang_parse_node(p, LANG_N_OUT, (uint32_t)a, &expr, 1, out);
    if (rc == SR_OK)
        (*out)->len = (uint32_t)(b - a);
    return rc;
}

static sr_err_t
s_text_part(lang_parser_t *p, size_t a, size_t b, lang_nodes_t *seq)
{
    if (a == b)
        return SR_OK;
    lang_node_t *n = lang_node_new(p->arena, LANG_N_TEXT, (uint32_t)a);
    sr_value_t *v = sr_value_new_strn(p->src + a, b - a);
    if (lang_arena_keep(p->arena, v) != SR_OK || !n)
        return lang_parse_oom(p);
    n->value = v;
    return lang_nodes_push(p, seq, n);
}

static sr_err_t
s_compile_yaql(lang_tmpl_t *t, lang_parser_t *p)
{
    lang_nodes_t seq = {0};
    size_t cur = 0;
    sr_err_t rc = SR_OK;
    bool whole = false;
    while (rc == SR_OK && cur < t->len) {
        const char *o = memmem(t->text + cur, t->len - cur, "<%", 2);
        const char *c =
            o ? memmem(o + 2, t->len - (size_t)(o + 2 - t->text), "%>", 2)
              : NULL;
        if (!c) {
            rc = s_text_part(p, cur, t->len, &seq);
            break;
        }
        size_t open = (size_t)(o - t->text), close = (size_t)(c - t->text);
        lang_node_t *part;
        if ((rc = s_text_part(p, cur, open, &seq)) == SR_OK &&
            (rc = s_yaql_part(p, open, close, &part)) == SR_OK)
            rc = lang_nodes_push(p, &seq, part);
        whole = open == 0 && close + 2 == t->len;
        cur = close + 2;
    }
    if (rc == SR_OK)
        rc = lang_parse_node(p, LANG_N_SEQ, 0, seq.items, seq.count, &t->root);
    lang_nodes_fini(&seq);
    t->typed = rc == SR_OK && whole && t->root->nkids == 1;
    return rc;
}

sr_err_t
lang_tmpl_compile(const char *text, size_t len, lang_tmpl_t **out,
                  size_t *err_offset, sr_error_t *err)
{
    if (len > UINT32_MAX / 2) {
        if (err_offset)
            *err_offset = 0;
        return sr_error_set(err, SR_ETOOBIG,
                            "template of %zu bytes is too "
                            "long",
                            len);
    }
    lang_tmpl_t *t = s_new(text, len);
    if (!t)
        return sr_error_set(err, SR_ENOMEM, "out of memory");
    size_t yaql = s_find_pair(t->text, len, "<%", "%>");
    size_t jv = s_find_pair(t->text, len, "{{", "}}");
    size_t jb = s_find_pair(t->text, len, "{%", "%}");
    size_t jinja = jv < jb ? jv : jb;
    lang_parser_t p = {.src = t->text, .arena = t->arena, .err = err};
    sr_err_t rc = SR_OK;
    if (yaql != SIZE_MAX && jinja != SIZE_MAX) {
        rc = sr_error_set(err, SR_EEXPR,
                          "YAQL (<%% %%>) and Jinja ({{ }}) expressions "
                          "cannot be mixed in one string");
        if (err_offset)
            *err_offset = yaql > jinja ? yaql : jinja;
    } else if (yaql != SIZE_MAX) {
        t->syntax = LANG_SYNTAX_YAQL;
        if ((rc = s_compile_yaql(t, &p)) != SR_OK)
            rc = s_fail(&p, rc, "YAQL", err_offset, err);
    } else if (jinja != SIZE_MAX) {
        t->syntax = LANG_SYNTAX_JINJA;
        if ((rc = lang_jinja_template(&p, 0, len, &t->root, &t->typed)) !=
            SR_OK)
            rc = s_fail(&p, rc, "Jinja", err_offset, err);
    } else {
        t->constant = sr_value_new_strn(t->text, len);
        if (!t->constant)
            rc = sr_error_set(err, SR_ENOMEM, "out of memory");
    }
    if (rc != SR_OK) {
        lang_tmpl_destroy(&t);
        return rc;
    }
    *out = t;
    return SR_OK;
}

sr_err_t
lang_tmpl_compile_yaql(const char *text, size_t len, lang_tmpl_t **out,
                       size_t *err_offset, sr_error_t *err)
{
    if (len > UINT32_MAX / 2) {
        if (err_offset)
            *err_offset = 0;
        return sr_error_set(err, SR_ETOOBIG,
                            "expression of %zu bytes is too "
                            "long",
                            len);
    }
    lang_tmpl_t *t = s_new(text, len);
    if (!t)
        return sr_error_set(err, SR_ENOMEM, "out of memory");
    t->syntax = LANG_SYNTAX_YAQL;
    t->typed = true;
    lang_parser_t p = {.src = t->text, .arena = t->arena, .err = err};
    lang_node_t *expr, *outn;
    size_t a = 0, b = len;
    while (a < b && s_is_space(t->text[a]))
        a++;
    while (b > a && s_is_space(t->text[b - 1]))
        b--;
    sr_err_t rc = lang_yaql_parse(&p, a, b, &expr);
    if (rc == SR_OK)
        rc = lang_parse_node(&p, LANG_N_OUT, (uint32_t)a, &expr, 1, &outn);
    if (rc == SR_OK) {
        outn->len = (uint32_t)(b - a);
        rc = lang_parse_node(&p, LANG_N_SEQ, 0, &outn, 1, &t->root);
    }
    if (rc != SR_OK) {
        rc = s_fail(&p, rc, "YAQL", err_offset, err);
        lang_tmpl_destroy(&t);
        return rc;
    }
    *out = t;
    return SR_OK;
}

void
lang_tmpl_destroy(lang_tmpl_t **tmpl_p)
{
    if (!tmpl_p || !*tmpl_p)
        return;
    lang_tmpl_t *t = *tmpl_p;
    *tmpl_p = NULL;
    lang_arena_destroy(&t->arena);
    sr_value_destroy(&t->constant);
    free(t->text);
    free(t);
}

bool
lang_tmpl_is_const(const lang_tmpl_t *tmpl)
{
    return tmpl->syntax == LANG_SYNTAX_NONE;
}

lang_syntax_t
lang_tmpl_syntax(const lang_tmpl_t *tmpl)
{
    return tmpl->syntax;
}

const char *
lang_tmpl_text(const lang_tmpl_t *tmpl)
{
    return tmpl->text;
}

// Mistral's wrapper around an evaluation error, with the expression text.
static sr_err_t
s_eval_error(const lang_tmpl_t *t, const lang_env_t *e, sr_err_t rc,
             sr_error_t *err, size_t pos, size_t len)
{
    if (rc == SR_ENOMEM)
        return sr_error_set(err, rc, "out of memory");
    if (rc != SR_EEXPR && rc != SR_ETOOBIG)
        return sr_error_set(err, rc, "%s", e->detail);
    const char *lang = t->syntax == LANG_SYNTAX_YAQL ? "YAQL" : "Jinja";
    const size_t max = 96;
    return sr_error_set(err, rc,
                        "Can not evaluate %s expression [expression=%.*s%s, "
                        "error=%s]",
                        lang, (int)(len > max ? max : len), t->text + pos,
                        len > max ? "..." : "", e->detail);
}

sr_err_t
lang_tmpl_eval(const lang_tmpl_t *tmpl, const lang_eval_ctx_t *ctx,
               sr_value_t **out, sr_error_t *err)
{
    if (tmpl->syntax == LANG_SYNTAX_NONE) {
        *out = sr_value_ref(tmpl->constant);
        return SR_OK;
    }
    lang_env_t env;
    lang_env_init(&env, tmpl->text, ctx);
    sr_value_t *v = NULL;
    sr_err_t rc;
    // Where the error message points: the expression (YAQL, lone Jinja
    // expression) or the whole template (Jinja rendering).
    size_t pos = 0, len = tmpl->len;
    if (tmpl->typed) {
        const lang_node_t *o = tmpl->root->kids[0];
        pos = o->pos;
        len = o->len;
        rc = lang_eval(&env, o->kids[0], &v);
    } else {
        lang_buf_t buf = {.limit = env.max_bytes};
        rc = lang_render(&env, tmpl->root, &buf);
        if (rc == SR_OK && (rc = lang_buf_take(&buf, &v)) != SR_OK)
            rc = lang_fail_code(&env, rc);
        lang_buf_fini(&buf);
        if (rc != SR_OK && tmpl->syntax == LANG_SYNTAX_YAQL) {
            pos = env.err_pos;
            len = env.err_len;
        }
    }
    if (rc != SR_OK)
        rc = s_eval_error(tmpl, &env, rc, err, pos, len);
    else
        *out = v;
    lang_env_fini(&env);
    return rc;
}
