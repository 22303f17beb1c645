// Jinja template parser: splits text from {{ }}, {% %} and {# #} tags and
// builds TEXT, OUT, IF (with elif/else), FOR (with else) and SET nodes.
// Whitespace follows Mistral's environment (trim_blocks and lstrip_blocks on,
// - and + modifiers, newlines normalised to \n, one trailing newline
// dropped). Expressions inside tags go to lang_jinja_expr().
#include <stdlib.h>
#include <string.h>

#include "lang_parse.h"

typedef enum { S_TAG_VAR, S_TAG_BLOCK, S_TAG_COMMENT } s_tag_t;

typedef struct {
    lang_parser_t *p;
    size_t start;    // region start
    size_t end;      // region end, trailing newline dropped
    size_t orig_end; // region end as given
    size_t cur;      // next byte of text
    bool strip_next; // the last tag ended with '-'
    bool trim_next;  // the last tag was a block or comment (trim_blocks)
    bool is_single;  // a {{ }} spans the whole region
} s_scan_t;

static sr_err_t s_body(s_scan_t *s, const char *const *ends, size_t open_pos,
                       lang_node_t **out, int *which);

static bool
s_is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
           c == '\v';
}

// Next "{{", "{%" or "{#" at or after `from`; s->end when none.
static size_t
s_find_tag(const s_scan_t *s, size_t from, s_tag_t *tag)
{
    const char *src = s->p->src;
    for (size_t i = from; i + 1 < s->end; i++) {
        if (src[i] != '{')
            continue;
        char c = src[i + 1];
        if (c == '{' || c == '%' || c == '#') {
            *tag = c == '{'   ? S_TAG_VAR
                   : c == '%' ? S_TAG_BLOCK
                              : S_TAG_COMMENT;
            return i;
        }
    }
    return s->end;
}

// Text [a, b) before a tag whose modifier is `mod` ('-', '+' or 0).
static sr_err_t
s_text(s_scan_t *s, size_t a, size_t b, bool tag_is_block, char mod,
       lang_nodes_t *seq)
{
    const char *src = s->p->src;
    size_t lo = a, hi = b;
    if (s->strip_next) {
        while (lo < hi && s_is_ws(src[lo]))
            lo++;
    } else if (s->trim_next && lo < hi) {
        if (src[lo] == '\r' && lo + 1 < hi && src[lo + 1] == '\n')
            lo += 2;
        else if (src[lo] == '\n' || src[lo] == '\r')
            lo++;
    }
    if (mod == '-') {
        while (hi > lo && s_is_ws(src[hi - 1]))
            hi--;
    } else if (tag_is_block && mod != '+' && b < s->end) {
        size_t k = b;
        while (k > a && (src[k - 1] == ' ' || src[k - 1] == '\t'))
            k--;
        bool line_start =
            k == a ? a == s->start : src[k - 1] == '\n' || src[k - 1] == '\r';
        if (line_start && k < hi)
            hi = k > lo ? k : lo;
    }
    if (hi <= lo)
        return SR_OK;
    char *buf = malloc(hi - lo);
    if (!buf)
        return lang_parse_oom(s->p);
    size_t n = 0;
    for (size_t i = lo; i < hi; i++) {
        if (src[i] == '\r') {
            buf[n++] = '\n';
            if (i + 1 < hi && src[i + 1] == '\n')
                i++;
        } else {
            buf[n++] = src[i];
        }
    }
    lang_node_t *node = lang_node_new(s->p->arena, LANG_N_TEXT, (uint32_t)lo);
    sr_value_t *v = sr_value_new_strn(buf, n);
    free(buf);
    if (lang_arena_keep(s->p->arena, v) != SR_OK || !node)
        return lang_parse_oom(s->p);
    node->value = v;
    return lang_nodes_push(s->p, seq, node);
}

// The current token must end a block tag; continue after it.
static sr_err_t
s_end_block(s_scan_t *s)
{
    lang_parser_t *p = s->p;
    if (p->tok.kind != LANG_T_END_BLOCK)
        return lang_parse_unexpected(p, "'%}'");
    s->cur = p->pos;
    s->strip_next = p->tok.strip;
    s->trim_next = !p->tok.plus;
    return SR_OK;
}

static sr_err_t
s_var(s_scan_t *s, size_t tag, lang_nodes_t *seq)
{
    lang_parser_t *p = s->p;
    size_t body = tag + 2;
    if (body < s->end && (p->src[body] == '-' || p->src[body] == '+'))
        body++;
    lang_node_t *expr, *out;
    sr_err_t rc = lang_lex_begin(p, body, s->end);
    if (rc == SR_OK && p->tok.kind == LANG_T_END_VAR)
        return lang_parse_fail(p, p->tok.pos, "empty expression");
    if (rc != SR_OK || (rc = lang_jinja_expr(p, true, &expr)) != SR_OK)
        return rc;
    if (p->tok.kind != LANG_T_END_VAR)
        return lang_parse_unexpected(p, "'}}'");
    size_t a = body, b = p->tok.pos;
    while (a < b && s_is_ws(p->src[a]))
        a++;
    while (b > a && s_is_ws(p->src[b - 1]))
        b--;
    if ((rc = lang_parse_node(p, LANG_N_OUT, (uint32_t)a, &expr, 1, &out)) !=
        SR_OK)
        return rc;
    out->len = (uint32_t)(b - a);
    if (tag == s->start && p->pos == s->orig_end)
        s->is_single = true;
    s->cur = p->pos;
    s->strip_next = p->tok.strip;
    s->trim_next = false;
    return lang_nodes_push(p, seq, out);
}

static sr_err_t
s_comment(s_scan_t *s, size_t tag)
{
    const char *src = s->p->src;
    for (size_t i = tag + 2; i + 1 < s->end; i++) {
        if (src[i] == '#' && src[i + 1] == '}') {
            s->strip_next = i > tag + 2 && src[i - 1] == '-';
            s->trim_next = true;
            s->cur = i + 2;
            return SR_OK;
        }
    }
    return lang_parse_fail(s->p, tag, "missing end of comment tag '#}'");
}

// {% if %} ... {% elif %} ... {% else %} ... {% endif %}
static sr_err_t
s_if(s_scan_t *s, size_t tag, lang_node_t **out)
{
    static const char *const ends[] = {"elif", "else", "endif", NULL};
    static const char *const endif[] = {"endif", NULL};
    lang_parser_t *p = s->p;
    lang_node_t *kids[3] = {NULL, NULL, NULL};
    int which;
    sr_err_t rc;
    if ((rc = lang_jinja_expr(p, true, &kids[0])) != SR_OK ||
        (rc = s_end_block(s)) != SR_OK ||
        (rc = s_body(s, ends, tag, &kids[1], &which)) != SR_OK)
        return rc;
    if (which == 0) { // elif: the rest is an if of its own
        rc = s_if(s, p->tok.pos, &kids[2]);
    } else if (which == 1) {
        if ((rc = s_end_block(s)) == SR_OK &&
            (rc = s_body(s, endif, tag, &kids[2], &which)) == SR_OK)
            rc = s_end_block(s);
    } else {
        rc = s_end_block(s);
    }
    if (rc == SR_OK)
        rc = lang_parse_node(p, LANG_N_IF, (uint32_t)tag, kids, 3, out);
    return rc;
}

// {% for a[, b...] in expr %} ... {% else %} ... {% endfor %}
static sr_err_t
s_for(s_scan_t *s, size_t tag, lang_node_t **out)
{
    static const char *const ends[] = {"else", "endfor", NULL};
    static const char *const endfor[] = {"endfor", NULL};
    lang_parser_t *p = s->p;
    const char *names[8];
    size_t nnames = 0;
    sr_err_t rc = SR_OK;
    for (;;) {
        if (p->tok.kind != LANG_T_NAME || lang_tok_word(p, "in"))
            return lang_parse_unexpected(p, "a loop variable");
        if (nnames == 8)
            return lang_parse_fail(p, p->tok.pos, "too many loop variables");
        names[nnames] =
            lang_arena_strndup(p->arena, p->src + p->tok.pos, p->tok.len);
        if (!names[nnames++])
            return lang_parse_oom(p);
        if ((rc = lang_lex_next(p)) != SR_OK)
            return rc;
        if (!lang_tok_punct(p, LANG_P_COMMA))
            break;
        if ((rc = lang_lex_next(p)) != SR_OK)
            return rc;
    }
    if (!lang_tok_word(p, "in"))
        return lang_parse_unexpected(p, "'in'");
    lang_node_t *kids[3] = {NULL, NULL, NULL};
    int which;
    if ((rc = lang_lex_next(p)) != SR_OK ||
        (rc = lang_jinja_expr(p, false, &kids[0])) != SR_OK)
        return rc;
    if (lang_tok_word(p, "if") || lang_tok_word(p, "recursive"))
        return lang_parse_fail(p, p->tok.pos,
                               "loop filters and recursive loops are not "
                               "supported");
    if ((rc = s_end_block(s)) != SR_OK ||
        (rc = s_body(s, ends, tag, &kids[1], &which)) != SR_OK ||
        (rc = s_end_block(s)) != SR_OK)
        return rc;
    if (which == 0 &&
        ((rc = s_body(s, endfor, tag, &kids[2], &which)) != SR_OK ||
         (rc = s_end_block(s)) != SR_OK))
        return rc;
    if ((rc = lang_parse_node(p, LANG_N_FOR, (uint32_t)tag, kids, 3, out)) !=
        SR_OK)
        return rc;
    const char **copy = lang_arena_alloc(p->arena, nnames * sizeof *copy);
    if (!copy)
        return lang_parse_oom(p);
    memcpy(copy, names, nnames * sizeof *copy);
    (*out)->names = copy;
    (*out)->nnames = (uint16_t)nnames;
    return SR_OK;
}

// {% set name = expr %}
static sr_err_t
s_set(s_scan_t *s, size_t tag, lang_node_t **out)
{
    lang_parser_t *p = s->p;
    if (p->tok.kind != LANG_T_NAME)
        return lang_parse_unexpected(p, "a variable name");
    lang_tok_t name = p->tok;
    lang_node_t *expr;
    sr_err_t rc = lang_lex_next(p);
    if (rc != SR_OK)
        return rc;
    if (!lang_tok_punct(p, LANG_P_ASSIGN))
        return lang_parse_fail(p, p->tok.pos,
                               "only '{%% set name = value %%}' is "
                               "supported");
    if ((rc = lang_lex_next(p)) != SR_OK ||
        (rc = lang_jinja_expr(p, true, &expr)) != SR_OK ||
        (rc = s_end_block(s)) != SR_OK ||
        (rc = lang_parse_node(p, LANG_N_SET, (uint32_t)tag, &expr, 1, out)) !=
            SR_OK)
        return rc;
    (*out)->name = lang_arena_strndup(p->arena, p->src + name.pos, name.len);
    return (*out)->name ? SR_OK : lang_parse_oom(p);
}

// A {% %} tag. Returns the index in `ends` of a closing keyword in *which,
// or -1 after reading a whole statement into *out.
static sr_err_t
s_block(s_scan_t *s, size_t tag, const char *const *ends, lang_node_t **out,
        int *which)
{
    lang_parser_t *p = s->p;
    size_t body = tag + 2;
    if (body < s->end && (p->src[body] == '-' || p->src[body] == '+'))
        body++;
    sr_err_t rc = lang_lex_begin(p, body, s->end);
    if (rc != SR_OK)
        return rc;
    if (p->tok.kind != LANG_T_NAME)
        return lang_parse_unexpected(p, "a statement name");
    *which = -1;
    for (int i = 0; ends && ends[i]; i++) {
        if (lang_tok_word(p, ends[i])) {
            *which = i;
            return lang_lex_next(p);
        }
    }
    lang_tok_t kw = p->tok;
    if ((rc = lang_lex_next(p)) != SR_OK)
        return rc;
    if ((rc = lang_parse_enter(p)) != SR_OK)
        return rc;
    if (kw.len == 2 && memcmp(p->src + kw.pos, "if", 2) == 0)
        rc = s_if(s, tag, out);
    else if (kw.len == 3 && memcmp(p->src + kw.pos, "for", 3) == 0)
        rc = s_for(s, tag, out);
    else if (kw.len == 3 && memcmp(p->src + kw.pos, "set", 3) == 0)
        rc = s_set(s, tag, out);
    else
        rc = lang_parse_fail(p, kw.pos, "unknown or unexpected tag '%.*s'",
                             (int)(kw.len > 24 ? 24 : kw.len), p->src + kw.pos);
    lang_parse_leave(p);
    return rc;
}

static sr_err_t
s_body(s_scan_t *s, const char *const *ends, size_t open_pos, lang_node_t **out,
       int *which)
{
    lang_parser_t *p = s->p;
    lang_nodes_t seq = {0};
    sr_err_t rc = SR_OK;
    *which = -1;
    while (rc == SR_OK) {
        s_tag_t tag = S_TAG_VAR;
        size_t at = s_find_tag(s, s->cur, &tag);
        char mod = at + 2 < s->end ? p->src[at + 2] : 0;
        if (mod != '-' && mod != '+')
            mod = 0;
        if ((rc = s_text(s, s->cur, at, tag != S_TAG_VAR, mod, &seq)) != SR_OK)
            break;
        if (at >= s->end) {
            if (ends) {
                size_t last = 0;
                while (ends[last + 1])
                    last++;
                rc = lang_parse_fail(p, open_pos,
                                     "unexpected end of template, "
                                     "expected '{%% %s %%}'",
                                     ends[last]);
            }
            break;
        }
        s->strip_next = s->trim_next = false;
        lang_node_t *node = NULL;
        if (tag == S_TAG_VAR) {
            rc = s_var(s, at, &seq);
        } else if (tag == S_TAG_COMMENT) {
            rc = s_comment(s, at);
        } else if ((rc = s_block(s, at, ends, &node, which)) == SR_OK) {
            if (*which >= 0)
                break;
            rc = lang_nodes_push(p, &seq, node);
        }
    }
    if (rc == SR_OK)
        rc = lang_parse_node(p, LANG_N_SEQ, (uint32_t)open_pos, seq.items,
                             seq.count, out);
    lang_nodes_fini(&seq);
    return rc;
}

sr_err_t
lang_jinja_template(lang_parser_t *p, size_t start, size_t end,
                    lang_node_t **out, bool *is_single)
{
    p->yaql = false;
    p->depth = 0;
    s_scan_t s = {
        .p = p, .start = start, .end = end, .orig_end = end, .cur = start};
    const char *src = p->src;
    if (s.end > start && src[s.end - 1] == '\n')
        s.end--;
    if (s.end > start && src[s.end - 1] == '\r')
        s.end--;
    int which;
    sr_err_t rc = s_body(&s, NULL, start, out, &which);
    if (rc == SR_OK)
        *is_single = s.is_single && (*out)->nkids == 1;
    return rc;
}
