// A small scanner for the one-line forms: names, key=value parameters with
// quoted, template, flow and bare values, engine commands with
// parentheses, and with-items clauses. It only finds spans; lang_ld.c
// turns them into values and templates. Owns the parameter array.
#include "lang_inline.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
    const char *s;
    size_t len, i;
    const char *error;
    size_t error_at;
} s_scan_t;

static bool
s_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static bool
s_word(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || c == '_' || (unsigned char)c >= 0x80;
}

static void
s_skip_space(s_scan_t *sc)
{
    while (sc->i < sc->len && s_space(sc->s[sc->i]))
        sc->i++;
}

static bool
s_fail(s_scan_t *sc, const char *msg, size_t at)
{
    sc->error = msg;
    sc->error_at = at;
    return false;
}

// The closing delimiter of an expression opening at sc->i, or NULL.
static const char *
s_expr_close(const s_scan_t *sc)
{
    if (sc->i + 1 >= sc->len)
        return NULL;
    const char *p = sc->s + sc->i;
    if (p[0] == '<' && p[1] == '%')
        return "%>";
    if (p[0] == '{' && p[1] == '{')
        return "}}";
    if (p[0] == '{' && p[1] == '%')
        return "%}";
    return NULL;
}

// Skip one expression; false when it is not closed.
static bool
s_skip_expr(s_scan_t *sc, const char *close)
{
    size_t start = sc->i;
    for (sc->i += 2; sc->i + 1 < sc->len; sc->i++)
        if (sc->s[sc->i] == close[0] && sc->s[sc->i + 1] == close[1]) {
            sc->i += 2;
            return true;
        }
    return s_fail(sc, "the expression is not closed", start);
}

// A run of non-space characters and whole expressions; stops also at the
// characters of `stop`. Sets *has_expr.
static bool
s_run(s_scan_t *sc, const char *stop, bool *has_expr)
{
    *has_expr = false;
    while (sc->i < sc->len && !s_space(sc->s[sc->i]) &&
           !strchr(stop, sc->s[sc->i])) {
        const char *close = s_expr_close(sc);
        if (close) {
            *has_expr = true;
            if (!s_skip_expr(sc, close))
                return false;
        } else
            sc->i++;
    }
    return true;
}

// [ ... ] or { ... } with nesting, skipping quoted strings.
static bool
s_flow(s_scan_t *sc)
{
    size_t start = sc->i;
    int depth = 0;
    while (sc->i < sc->len) {
        char c = sc->s[sc->i];
        if (c == '"' || c == '\'') {
            const char *end = memchr(sc->s + sc->i + 1, c, sc->len - sc->i - 1);
            if (!end)
                return s_fail(sc, "the quoted text is not closed", sc->i);
            sc->i = (size_t)(end - sc->s) + 1;
            continue;
        }
        if (c == '[' || c == '{')
            depth++;
        else if ((c == ']' || c == '}') && --depth == 0) {
            sc->i++;
            return true;
        }
        sc->i++;
    }
    return s_fail(sc, "the list or map is not closed", start);
}

static bool
s_value(s_scan_t *sc, lang_pspan_t *p, const char *stop)
{
    char c = sc->i < sc->len ? sc->s[sc->i] : '\0';
    if (c == '"' || c == '\'') {
        const char *end = memchr(sc->s + sc->i + 1, c, sc->len - sc->i - 1);
        if (!end)
            return s_fail(sc, "the quoted text is not closed", sc->i);
        p->kind = LANG_PV_QUOTED;
        p->val = sc->i + 1;
        p->val_len = (size_t)(end - sc->s) - p->val;
        sc->i = (size_t)(end - sc->s) + 1;
        return true;
    }
    p->val = sc->i;
    if ((c == '[' || c == '{') && !s_expr_close(sc)) {
        p->kind = LANG_PV_FLOW;
        if (!s_flow(sc))
            return false;
    } else {
        bool has_expr;
        if (!s_run(sc, stop, &has_expr))
            return false;
        p->kind = has_expr ? LANG_PV_TEMPLATE : LANG_PV_WORD;
    }
    p->val_len = sc->i - p->val;
    if (p->val_len == 0)
        return s_fail(sc, "a parameter needs a value after '='", sc->i);
    return true;
}

static sr_err_t
s_push(lang_inline_t *out, size_t *cap, const lang_pspan_t *p)
{
    if (out->nparams == *cap) {
        size_t ncap = *cap ? *cap * 2 : 4;
        lang_pspan_t *ps = realloc(out->params, ncap * sizeof *ps);
        if (!ps)
            return SR_ENOMEM;
        out->params = ps;
        *cap = ncap;
    }
    out->params[out->nparams++] = *p;
    return SR_OK;
}

// key=value pairs up to the end, or up to ')' when in_parens.
static sr_err_t
s_params(s_scan_t *sc, lang_inline_t *out, bool in_parens)
{
    size_t cap = 0;
    for (;;) {
        s_skip_space(sc);
        if (in_parens && sc->i < sc->len && sc->s[sc->i] == ')')
            return SR_OK;
        if (sc->i >= sc->len) {
            if (!in_parens)
                return SR_OK;
            s_fail(sc, "')' is missing", sc->len);
            return SR_EINVAL;
        }
        lang_pspan_t p = {.key = sc->i};
        while (sc->i < sc->len && (s_word(sc->s[sc->i]) || sc->s[sc->i] == '-'))
            sc->i++;
        p.key_len = sc->i - p.key;
        if (p.key_len == 0 || sc->i >= sc->len || sc->s[sc->i] != '=') {
            s_fail(sc, "expected a parameter as name=value", p.key);
            return SR_EINVAL;
        }
        sc->i++;
        if (!s_value(sc, &p, in_parens ? ")," : ""))
            return SR_EINVAL;
        if (s_push(out, &cap, &p) != SR_OK)
            return SR_ENOMEM;
        if (sc->i < sc->len && !s_space(sc->s[sc->i]) &&
            !(in_parens && (sc->s[sc->i] == ',' || sc->s[sc->i] == ')'))) {
            s_fail(sc, "unexpected text after a parameter value", sc->i);
            return SR_EINVAL;
        }
        if (in_parens && sc->i < sc->len && sc->s[sc->i] == ',')
            sc->i++;
    }
}

static bool
s_name(s_scan_t *sc, lang_inline_t *out)
{
    if (s_expr_close(sc)) {
        bool has_expr;
        if (!s_run(sc, "", &has_expr))
            return false;
        out->name_is_expr = true;
    } else {
        while (sc->i < sc->len && !s_space(sc->s[sc->i]) &&
               !strchr("=(\"", sc->s[sc->i]))
            sc->i++;
        if (sc->i == 0 || !(s_word(sc->s[0]) || sc->s[0] == '.'))
            return s_fail(sc, "expected a name", 0);
    }
    out->name_len = sc->i;
    return true;
}

// After "name(": the parameters, ')' and nothing but spaces.
static sr_err_t
s_parens(s_scan_t *sc, lang_inline_t *out)
{
    out->has_parens = true;
    sc->i++;
    sr_err_t rc = s_params(sc, out, true);
    if (rc != SR_OK)
        return rc;
    sc->i++; // ')'
    s_skip_space(sc);
    if (sc->i < sc->len) {
        s_fail(sc, "unexpected text after ')'", sc->i);
        return SR_EINVAL;
    }
    return SR_OK;
}

sr_err_t
lang_inline_parse(const char *s, size_t len, bool with_name, lang_inline_t *out)
{
    memset(out, 0, sizeof *out);
    s_scan_t sc = {.s = s, .len = len};
    sr_err_t rc = SR_OK;
    if (with_name) {
        if (!s_name(&sc, out))
            rc = SR_EINVAL;
        else if (sc.i < len && s[sc.i] == '(')
            rc = s_parens(&sc, out);
        else if (sc.i < len && !s_space(s[sc.i])) {
            s_fail(&sc, "expected a space after the name", sc.i);
            rc = SR_EINVAL;
        } else
            rc = s_params(&sc, out, false);
    } else
        rc = s_params(&sc, out, false);
    if (rc == SR_EINVAL) {
        out->error = sc.error ? sc.error : "cannot parse";
        out->error_at = sc.error_at;
    }
    return rc;
}

void
lang_inline_fini(lang_inline_t *in)
{
    free(in->params);
    in->params = NULL;
    in->nparams = 0;
}

sr_err_t
lang_inline_items(const char *s, size_t len, size_t *var, size_t *var_len,
                  size_t *rest, size_t *rest_len)
{
    size_t i = 0;
    while (i < len && s_space(s[i]))
        i++;
    size_t v = i;
    while (i < len && (s_word(s[i]) || s[i] == '-'))
        i++;
    size_t vl = i - v, sp = i;
    while (i < len && s_space(s[i]))
        i++;
    if (vl == 0 || i == sp || i + 2 > len || s[i] != 'i' || s[i + 1] != 'n')
        return SR_EINVAL;
    i += 2;
    if (i < len && !s_space(s[i]) && !strchr("[<{", s[i]))
        return SR_EINVAL;
    while (i < len && s_space(s[i]))
        i++;
    size_t end = len;
    while (end > i && s_space(s[end - 1]))
        end--;
    if (end == i)
        return SR_EINVAL;
    *var = v;
    *var_len = vl;
    *rest = i;
    *rest_len = end - i;
    return SR_OK;
}

bool
lang_inline_is_expr(const char *s, size_t len)
{
    while (len > 0 && s_space(s[len - 1]))
        len--;
    if (len < 4)
        return false;
    return (s[0] == '<' && s[1] == '%' && s[len - 2] == '%' &&
            s[len - 1] == '>') ||
           (s[0] == '{' && s[1] == '{' && s[len - 2] == '}' &&
            s[len - 1] == '}') ||
           (s[0] == '{' && s[1] == '%' && s[len - 2] == '%' &&
            s[len - 1] == '}');
}
