// Lexer shared by the YAQL and Jinja parsers: numbers, quoted strings with
// Python escapes, identifiers, YAQL $ and name( tokens, operators, and the
// Jinja end markers }} and %} (with - and + modifiers, and brace balancing
// so a dict literal may end in "}}"). Owns no memory; records the first
// error with its byte offset.
#include "lang_lex.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const char *text;
    lang_punct_t punct;
} s_punct_t;

// Longest first, so "==" wins over "=".
static const s_punct_t s_puncts[] = {
    {"?.", LANG_P_QDOT},  {"//", LANG_P_DSLASH},  {"**", LANG_P_DSTAR},
    {"==", LANG_P_EQ},    {"!=", LANG_P_NE},      {"<=", LANG_P_LE},
    {">=", LANG_P_GE},    {"=>", LANG_P_MAPS_TO}, {"->", LANG_P_ARROW},
    {"=~", LANG_P_MATCH}, {"!~", LANG_P_NMATCH},  {"(", LANG_P_LPAREN},
    {")", LANG_P_RPAREN}, {"[", LANG_P_LBRACK},   {"]", LANG_P_RBRACK},
    {"{", LANG_P_LBRACE}, {"}", LANG_P_RBRACE},   {",", LANG_P_COMMA},
    {".", LANG_P_DOT},    {":", LANG_P_COLON},    {"|", LANG_P_PIPE},
    {"~", LANG_P_TILDE},  {"+", LANG_P_PLUS},     {"-", LANG_P_MINUS},
    {"*", LANG_P_STAR},   {"/", LANG_P_SLASH},    {"%", LANG_P_PERCENT},
    {"=", LANG_P_ASSIGN}, {"<", LANG_P_LT},       {">", LANG_P_GT},
    {";", LANG_P_SEMI},
};

static bool
s_is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' ||
           c == '\v';
}

static bool
s_is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool
s_is_ident_start(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
           (unsigned char)c >= 0x80;
}

static bool
s_is_ident(char c)
{
    return s_is_ident_start(c) || s_is_digit(c);
}

sr_err_t
lang_parse_fail(lang_parser_t *p, size_t off, const char *fmt, ...)
{
    if (!p->failed) {
        p->failed = true;
        p->err_off = off;
        if (fmt) {
            va_list ap;
            va_start(ap, fmt);
            sr_error_vset(p->err, SR_EEXPR, fmt, ap);
            va_end(ap);
        } else {
            sr_error_set(p->err, SR_ENOMEM, "out of memory");
        }
    }
    return fmt ? SR_EEXPR : SR_ENOMEM;
}

sr_err_t
lang_parse_oom(lang_parser_t *p)
{
    return lang_parse_fail(p, p->tok.pos, NULL);
}

sr_err_t
lang_parse_unexpected(lang_parser_t *p, const char *expected)
{
    const lang_tok_t *t = &p->tok;
    const char *sep = expected ? ", expected " : "";
    if (!expected)
        expected = "";
    if (t->kind == LANG_T_EOF)
        return lang_parse_fail(p, t->pos, "unexpected end of expression%s%s",
                               sep, expected);
    int n = t->len > 24 ? 24 : (int)t->len;
    return lang_parse_fail(p, t->pos, "unexpected '%.*s'%s%s%s", n,
                           p->src + t->pos, t->len > 24 ? "..." : "", sep,
                           expected);
}

sr_err_t
lang_parse_enter(lang_parser_t *p)
{
    if (++p->depth > LANG_MAX_DEPTH)
        return lang_parse_fail(p, p->tok.pos,
                               "expression is nested too deeply (limit %d)",
                               LANG_MAX_DEPTH);
    return SR_OK;
}

void
lang_parse_leave(lang_parser_t *p)
{
    p->depth--;
}

sr_err_t
lang_parse_check_depth(lang_parser_t *p, const lang_node_t *n)
{
    if (n->depth > LANG_MAX_DEPTH)
        return lang_parse_fail(p, n->pos,
                               "expression is nested too deeply (limit %d)",
                               LANG_MAX_DEPTH);
    return SR_OK;
}

sr_err_t
lang_nodes_push(lang_parser_t *p, lang_nodes_t *list, lang_node_t *node)
{
    if (list->count == list->cap) {
        size_t cap = list->cap ? list->cap * 2 : 8;
        lang_node_t **items = realloc(list->items, cap * sizeof *items);
        if (!items)
            return lang_parse_oom(p);
        list->items = items;
        list->cap = cap;
    }
    list->items[list->count++] = node;
    return SR_OK;
}

void
lang_nodes_fini(lang_nodes_t *list)
{
    free(list->items);
    list->items = NULL;
    list->count = list->cap = 0;
}

bool
lang_tok_punct(const lang_parser_t *p, lang_punct_t punct)
{
    return p->tok.kind == LANG_T_PUNCT && p->tok.punct == punct;
}

bool
lang_tok_word(const lang_parser_t *p, const char *word)
{
    size_t n = strlen(word);
    return p->tok.kind == LANG_T_NAME && p->tok.len == n &&
           memcmp(p->src + p->tok.pos, word, n) == 0;
}

// Digits with optional single underscores between them (Jinja allows them).
static size_t
s_digits(lang_parser_t *p, size_t at)
{
    size_t i = at;
    while (i < p->end && (s_is_digit(p->src[i]) ||
                          (!p->yaql && p->src[i] == '_' && i + 1 < p->end &&
                           s_is_digit(p->src[i + 1]) && i > at)))
        i++;
    return i - at;
}

static sr_err_t
s_lex_number(lang_parser_t *p, lang_tok_t *t)
{
    size_t i = t->pos + s_digits(p, t->pos);
    bool is_float = false;
    if (i + 1 < p->end && p->src[i] == '.' && s_is_digit(p->src[i + 1])) {
        is_float = true;
        i += 1 + s_digits(p, i + 1);
    }
    if (!p->yaql && i < p->end && (p->src[i] == 'e' || p->src[i] == 'E')) {
        size_t j = i + 1;
        if (j < p->end && (p->src[j] == '+' || p->src[j] == '-'))
            j++;
        if (j < p->end && s_is_digit(p->src[j])) {
            is_float = true;
            i = j + s_digits(p, j);
        }
    }
    if (i < p->end && s_is_ident(p->src[i]))
        return lang_parse_fail(p, t->pos, "invalid number");
    t->len = i - t->pos;
    char buf[64];
    size_t n = 0;
    for (size_t k = t->pos; k < i; k++) {
        if (p->src[k] == '_')
            continue;
        if (n + 1 >= sizeof buf)
            return lang_parse_fail(p, t->pos, "number literal too long");
        buf[n++] = p->src[k];
    }
    buf[n] = '\0';
    if (is_float) {
        t->kind = LANG_T_FLOAT;
        t->f = strtod(buf, NULL);
        return SR_OK;
    }
    int64_t v = 0;
    for (size_t k = 0; k < n; k++) {
        int d = buf[k] - '0';
        if (v > (INT64_MAX - d) / 10)
            return lang_parse_fail(p, t->pos, "integer literal too large");
        v = v * 10 + d;
    }
    t->kind = LANG_T_INT;
    t->i = v;
    return SR_OK;
}

static sr_err_t
s_lex_string(lang_parser_t *p, lang_tok_t *t)
{
    char quote = p->src[t->pos];
    size_t i = t->pos + 1;
    while (i < p->end && p->src[i] != quote) {
        if (p->src[i] == '\\' && i + 1 < p->end)
            i++;
        i++;
    }
    if (i >= p->end)
        return lang_parse_fail(p, t->pos, "unterminated string");
    t->kind = LANG_T_STR;
    t->len = i + 1 - t->pos;
    return SR_OK;
}

// Jinja end markers, only outside braces: }} %} -}} -%} +%}
static bool
s_lex_jinja_end(lang_parser_t *p, lang_tok_t *t)
{
    const char *s = p->src + t->pos;
    size_t left = p->end - t->pos;
    size_t skip = 0;
    if (left >= 3 && (s[0] == '-' || s[0] == '+') && s[2] == '}' &&
        (s[1] == '}' || s[1] == '%'))
        skip = 1;
    if (left < skip + 2 || s[skip + 1] != '}')
        return false;
    if (s[skip] == '}' && s[0] != '+')
        t->kind = LANG_T_END_VAR;
    else if (s[skip] == '%')
        t->kind = LANG_T_END_BLOCK;
    else
        return false;
    t->strip = s[0] == '-' && skip;
    t->plus = s[0] == '+' && skip;
    t->len = skip + 2;
    return true;
}

static sr_err_t
s_lex_punct(lang_parser_t *p, lang_tok_t *t)
{
    const char *s = p->src + t->pos;
    size_t left = p->end - t->pos;
    for (size_t k = 0; k < sizeof s_puncts / sizeof s_puncts[0]; k++) {
        size_t n = strlen(s_puncts[k].text);
        if (n <= left && memcmp(s, s_puncts[k].text, n) == 0) {
            t->kind = LANG_T_PUNCT;
            t->punct = (uint8_t)s_puncts[k].punct;
            t->len = n;
            if (t->punct == LANG_P_LBRACE)
                p->braces++;
            else if (t->punct == LANG_P_RBRACE && p->braces > 0)
                p->braces--;
            return SR_OK;
        }
    }
    unsigned char c = (unsigned char)s[0];
    if (c >= 0x20 && c < 0x7f)
        return lang_parse_fail(p, t->pos, "unexpected character '%c'", c);
    return lang_parse_fail(p, t->pos, "unexpected character 0x%02x", c);
}

static sr_err_t
s_lex(lang_parser_t *p, lang_tok_t *t)
{
    while (p->pos < p->end && s_is_space(p->src[p->pos]))
        p->pos++;
    memset(t, 0, sizeof *t);
    t->pos = p->pos;
    if (p->pos >= p->end) {
        t->kind = LANG_T_EOF;
        return SR_OK;
    }
    char c = p->src[p->pos];
    sr_err_t rc = SR_OK;
    if (s_is_digit(c)) {
        rc = s_lex_number(p, t);
    } else if (c == '\'' || c == '"' || (p->yaql && c == '`')) {
        rc = s_lex_string(p, t);
    } else if (s_is_ident_start(c)) {
        size_t i = p->pos;
        while (i < p->end && s_is_ident(p->src[i]))
            i++;
        t->kind = LANG_T_NAME;
        t->len = i - p->pos;
        if (p->yaql && i < p->end && p->src[i] == '(') {
            t->kind = LANG_T_FUNC;
            t->len++;
        }
    } else if (p->yaql && c == '$') {
        size_t i = p->pos + 1;
        while (i < p->end && s_is_ident(p->src[i]))
            i++;
        t->kind = LANG_T_DOLLAR;
        t->len = i - p->pos;
    } else if (!p->yaql && p->braces == 0 && s_lex_jinja_end(p, t)) {
        rc = SR_OK;
    } else {
        rc = s_lex_punct(p, t);
    }
    if (rc == SR_OK)
        p->pos = t->pos + t->len;
    return rc;
}

sr_err_t
lang_lex_next(lang_parser_t *p)
{
    return s_lex(p, &p->tok);
}

sr_err_t
lang_lex_begin(lang_parser_t *p, size_t start, size_t end)
{
    p->pos = start;
    p->end = end;
    p->braces = 0;
    return lang_lex_next(p);
}

sr_err_t
lang_lex_peek(lang_parser_t *p, lang_tok_t *out)
{
    size_t pos = p->pos;
    int braces = p->braces;
    bool failed = p->failed;
    sr_error_t saved;
    if (p->err)
        saved = *p->err;
    sr_err_t rc = s_lex(p, out);
    p->pos = pos;
    p->braces = braces;
    if (rc != SR_OK && !failed) {
        // A bad token after the current one is reported when it is read.
        p->failed = false;
        if (p->err)
            *p->err = saved;
        memset(out, 0, sizeof *out);
        out->kind = LANG_T_EOF;
        out->pos = pos;
    }
    return SR_OK;
}

static size_t
s_put_utf8(char *o, uint32_t cp)
{
    if (cp < 0x80) {
        o[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (char)(0xc0 | (cp >> 6));
        o[1] = (char)(0x80 | (cp & 0x3f));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (char)(0xe0 | (cp >> 12));
        o[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        o[2] = (char)(0x80 | (cp & 0x3f));
        return 3;
    }
    o[0] = (char)(0xf0 | (cp >> 18));
    o[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
    o[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
    o[3] = (char)(0x80 | (cp & 0x3f));
    return 4;
}

static int
s_hex(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static const char s_simple_from[] = "\\'\"abfnrtv";
static const char s_simple_to[] = "\\'\"\a\b\f\n\r\t\v";

// Decode one escape at s[i] == '\\'; writes to o, returns bytes written,
// advances *i past the escape; -1 on an invalid code point.
static int
s_escape(const char *s, size_t end, size_t *i, char *o)
{
    size_t k = *i + 1;
    char c = s[k];
    const char *hit = strchr(s_simple_from, c);
    if (c && hit) {
        *i = k + 1;
        o[0] = s_simple_to[hit - s_simple_from];
        return 1;
    }
    uint32_t cp = 0;
    size_t digits = c == 'x' ? 2 : c == 'u' ? 4 : c == 'U' ? 8 : 0;
    if (digits) {
        for (size_t d = 0; d < digits; d++) {
            int h = k + 1 + d < end ? s_hex(s[k + 1 + d]) : -1;
            if (h < 0)
                goto literal;
            cp = cp * 16 + (uint32_t)h;
        }
        *i = k + 1 + digits;
    } else if (c >= '0' && c <= '7') {
        size_t d = 0;
        while (d < 3 && k + d < end && s[k + d] >= '0' && s[k + d] <= '7')
            cp = cp * 8 + (uint32_t)(s[k + d++] - '0');
        *i = k + d;
    } else {
        goto literal;
    }
    if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return -1;
    return (int)s_put_utf8(o, cp);
literal:
    o[0] = '\\';
    *i = k;
    return 1;
}

sr_err_t
lang_lex_string(lang_parser_t *p, const lang_tok_t *t, sr_value_t **out)
{
    const char *s = p->src;
    size_t end = t->pos + t->len - 1; // the closing quote
    char quote = s[t->pos];
    char *buf = malloc(t->len + 1);
    if (!buf)
        return lang_parse_fail(p, t->pos, NULL);
    size_t n = 0, i = t->pos + 1;
    while (i < end) {
        if (s[i] != '\\') {
            buf[n++] = s[i++];
        } else if (quote == '`') {
            if (i + 1 < end && s[i + 1] == '`')
                i++;
            buf[n++] = s[i++];
        } else {
            size_t at = i;
            int w = s_escape(s, end, &i, buf + n);
            if (w < 0) {
                free(buf);
                return lang_parse_fail(p, at, "invalid escape in string");
            }
            n += (size_t)w;
        }
    }
    sr_value_t *v = sr_value_new_strn(buf, n);
    free(buf);
    if (!v)
        return lang_parse_fail(p, t->pos, NULL);
    *out = v;
    return SR_OK;
}
