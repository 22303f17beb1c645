// Jinja expression parser, following Jinja2's grammar: conditional
// expressions, or/and/not, chained comparisons with in / not in, + -, ~,
// * / // %, **, unary - +, postfix . [] () and the filter / test chain
// (| name(args), is [not] name args). Calls with a name resolve against the
// built-in tables once; other names go to the host at run time.
#include <stdint.h>
#include <string.h>

#include "lang_fn.h"
#include "lang_parse.h"

typedef sr_err_t (*s_level_fn)(lang_parser_t *p, lang_node_t **out);

static sr_err_t s_unary(lang_parser_t *p, bool with_filter, lang_node_t **out);
static sr_err_t s_or(lang_parser_t *p, lang_node_t **out);

static sr_err_t
s_binary(lang_parser_t *p, lang_kind_t kind, lang_op_t op, uint32_t pos,
         lang_node_t *a, lang_node_t *b, lang_node_t **out)
{
    lang_node_t *kids[2] = {a, b};
    sr_err_t rc = lang_parse_node(p, kind, pos, kids, 2, out);
    if (rc == SR_OK)
        (*out)->op = (uint8_t)op;
    return rc;
}

static lang_op_t
s_math_op(lang_parser_t *p, int level)
{
    if (p->tok.kind != LANG_T_PUNCT)
        return LANG_OP_NONE;
    switch (p->tok.punct) {
    case LANG_P_PLUS:
        return level == 1 ? LANG_OP_ADD : LANG_OP_NONE;
    case LANG_P_MINUS:
        return level == 1 ? LANG_OP_SUB : LANG_OP_NONE;
    case LANG_P_TILDE:
        return level == 2 ? LANG_OP_CONCAT : LANG_OP_NONE;
    case LANG_P_STAR:
        return level == 3 ? LANG_OP_MUL : LANG_OP_NONE;
    case LANG_P_SLASH:
        return level == 3 ? LANG_OP_DIV : LANG_OP_NONE;
    case LANG_P_DSLASH:
        return level == 3 ? LANG_OP_FLOORDIV : LANG_OP_NONE;
    case LANG_P_PERCENT:
        return level == 3 ? LANG_OP_MOD : LANG_OP_NONE;
    case LANG_P_DSTAR:
        return level == 4 ? LANG_OP_POW : LANG_OP_NONE;
    default:
        return LANG_OP_NONE;
    }
}

// Levels 1 (+ -), 2 (~), 3 (* / // %), 4 (**): all left associative.
static sr_err_t
s_math(lang_parser_t *p, int level, lang_node_t **out)
{
    lang_node_t *left;
    sr_err_t rc =
        level == 4 ? s_unary(p, true, &left) : s_math(p, level + 1, &left);
    while (rc == SR_OK) {
        lang_op_t op = s_math_op(p, level);
        if (op == LANG_OP_NONE)
            break;
        uint32_t pos = (uint32_t)p->tok.pos;
        lang_node_t *right;
        if ((rc = lang_lex_next(p)) != SR_OK)
            break;
        rc = level == 4 ? s_unary(p, true, &right)
                        : s_math(p, level + 1, &right);
        if (rc == SR_OK)
            rc = s_binary(p, LANG_N_BINARY, op, pos, left, right, &left);
    }
    if (rc == SR_OK)
        *out = left;
    return rc;
}

static lang_op_t
s_cmp_op(lang_parser_t *p, bool *two_words)
{
    *two_words = false;
    if (lang_tok_word(p, "in"))
        return LANG_OP_IN;
    if (lang_tok_word(p, "not")) {
        lang_tok_t next;
        if (lang_lex_peek(p, &next) == SR_OK && next.kind == LANG_T_NAME &&
            next.len == 2 && memcmp(p->src + next.pos, "in", 2) == 0) {
            *two_words = true;
            return LANG_OP_NOT_IN;
        }
        return LANG_OP_NONE;
    }
    if (p->tok.kind != LANG_T_PUNCT)
        return LANG_OP_NONE;
    switch (p->tok.punct) {
    case LANG_P_EQ:
        return LANG_OP_EQ;
    case LANG_P_NE:
        return LANG_OP_NE;
    case LANG_P_LT:
        return LANG_OP_LT;
    case LANG_P_LE:
        return LANG_OP_LE;
    case LANG_P_GT:
        return LANG_OP_GT;
    case LANG_P_GE:
        return LANG_OP_GE;
    default:
        return LANG_OP_NONE;
    }
}

// a < b < c is (a < b) and (b < c), b read twice.
static sr_err_t
s_compare(lang_parser_t *p, lang_node_t **out)
{
    lang_node_t *left, *result = NULL;
    sr_err_t rc = s_math(p, 1, &left);
    while (rc == SR_OK) {
        bool two;
        lang_op_t op = s_cmp_op(p, &two);
        if (op == LANG_OP_NONE)
            break;
        uint32_t pos = (uint32_t)p->tok.pos;
        lang_node_t *right, *cmp;
        if ((rc = lang_lex_next(p)) != SR_OK ||
            (two && (rc = lang_lex_next(p)) != SR_OK) ||
            (rc = s_math(p, 1, &right)) != SR_OK ||
            (rc = s_binary(p, LANG_N_BINARY, op, pos, left, right, &cmp)) !=
                SR_OK)
            break;
        if (result)
            rc = s_binary(p, LANG_N_AND, LANG_OP_NONE, pos, result, cmp,
                          &result);
        else
            result = cmp;
        left = right;
    }
    if (rc == SR_OK)
        *out = result ? result : left;
    return rc;
}

static sr_err_t
s_not(lang_parser_t *p, lang_node_t **out)
{
    if (!lang_tok_word(p, "not"))
        return s_compare(p, out);
    uint32_t pos = (uint32_t)p->tok.pos;
    sr_err_t rc = lang_parse_enter(p);
    lang_node_t *operand;
    if (rc == SR_OK && (rc = lang_lex_next(p)) == SR_OK &&
        (rc = s_not(p, &operand)) == SR_OK &&
        (rc = lang_parse_node(p, LANG_N_UNARY, pos, &operand, 1, out)) == SR_OK)
        (*out)->op = LANG_OP_NOT;
    lang_parse_leave(p);
    return rc;
}

static sr_err_t
s_logic(lang_parser_t *p, const char *word, lang_kind_t kind, s_level_fn next,
        lang_node_t **out)
{
    lang_node_t *left;
    sr_err_t rc = next(p, &left);
    while (rc == SR_OK && lang_tok_word(p, word)) {
        uint32_t pos = (uint32_t)p->tok.pos;
        lang_node_t *right;
        if ((rc = lang_lex_next(p)) == SR_OK && (rc = next(p, &right)) == SR_OK)
            rc = s_binary(p, kind, LANG_OP_NONE, pos, left, right, &left);
    }
    if (rc == SR_OK)
        *out = left;
    return rc;
}

static sr_err_t
s_and(lang_parser_t *p, lang_node_t **out)
{
    return s_logic(p, "and", LANG_N_AND, s_not, out);
}

static sr_err_t
s_or(lang_parser_t *p, lang_node_t **out)
{
    return s_logic(p, "or", LANG_N_OR, s_and, out);
}

sr_err_t
lang_jinja_expr(lang_parser_t *p, bool with_cond, lang_node_t **out)
{
    sr_err_t rc = lang_parse_enter(p);
    if (rc != SR_OK)
        return rc;
    lang_node_t *expr;
    if ((rc = s_or(p, &expr)) != SR_OK)
        goto done;
    while (with_cond && lang_tok_word(p, "if")) {
        uint32_t pos = (uint32_t)p->tok.pos;
        lang_node_t *kids[3] = {NULL, expr, NULL};
        if ((rc = lang_lex_next(p)) != SR_OK ||
            (rc = s_or(p, &kids[0])) != SR_OK)
            goto done;
        if (lang_tok_word(p, "else") &&
            ((rc = lang_lex_next(p)) != SR_OK ||
             (rc = lang_jinja_expr(p, true, &kids[2])) != SR_OK))
            goto done;
        if ((rc = lang_parse_node(p, LANG_N_COND, pos, kids, 3, &expr)) !=
            SR_OK)
            goto done;
    }
    *out = expr;
done:
    lang_parse_leave(p);
    return rc;
}

// Arguments of a call, filter or test, up to ')': values and name=value.
static sr_err_t
s_call_args(lang_parser_t *p, lang_node_t **kids, const char **names, size_t *n)
{
    sr_err_t rc = lang_lex_next(p); // '('
    while (rc == SR_OK && !lang_tok_punct(p, LANG_P_RPAREN)) {
        if (*n >= LANG_MAX_ARGS)
            return lang_parse_fail(
                p, p->tok.pos, "too many arguments (limit %d)", LANG_MAX_ARGS);
        lang_tok_t next;
        names[*n] = NULL;
        if (p->tok.kind == LANG_T_NAME &&
            (rc = lang_lex_peek(p, &next)) == SR_OK &&
            next.kind == LANG_T_PUNCT && next.punct == LANG_P_ASSIGN) {
            names[*n] =
                lang_arena_strndup(p->arena, p->src + p->tok.pos, p->tok.len);
            if (!names[*n])
                return lang_parse_oom(p);
            if ((rc = lang_lex_next(p)) != SR_OK ||
                (rc = lang_lex_next(p)) != SR_OK)
                return rc;
        } else if (*n > 0 && names[*n - 1]) {
            return lang_parse_fail(p, p->tok.pos,
                                   "positional argument after a keyword "
                                   "argument");
        }
        if ((rc = lang_jinja_expr(p, true, &kids[*n])) != SR_OK)
            return rc;
        (*n)++;
        if (lang_tok_punct(p, LANG_P_COMMA))
            rc = lang_lex_next(p);
        else if (!lang_tok_punct(p, LANG_P_RPAREN))
            return lang_parse_unexpected(p, "',' or ')'");
    }
    return rc == SR_OK ? lang_lex_next(p) : rc;
}

// A call node: kids[0] is the receiver or subject when `first` is set.
static sr_err_t
s_make_call(lang_parser_t *p, lang_ns_t ns, const char *name, size_t len,
            lang_node_t *first, uint32_t pos, uint16_t flags, lang_node_t **out)
{
    lang_node_t *kids[LANG_MAX_ARGS];
    const char *names[LANG_MAX_ARGS];
    size_t n = 0;
    sr_err_t rc;
    if (first) {
        kids[0] = first;
        names[0] = NULL;
        n = 1;
    }
    if (lang_tok_punct(p, LANG_P_LPAREN) &&
        (rc = s_call_args(p, kids, names, &n)) != SR_OK)
        return rc;
    if ((rc = lang_parse_node(p, LANG_N_CALL, pos, kids, n, out)) != SR_OK)
        return rc;
    lang_node_t *call = *out;
    call->flags = flags;
    call->name = lang_arena_strndup(p->arena, name, len);
    if (!call->name)
        return lang_parse_oom(p);
    for (size_t i = 0; i < n; i++) {
        if (!names[i])
            continue;
        if (!call->names &&
            !(call->names = lang_arena_alloc(p->arena, n * sizeof(char *))))
            return lang_parse_oom(p);
        call->names[i] = names[i];
    }
    call->fn = lang_builtin_find(ns, name, len);
    return SR_OK;
}

static sr_err_t s_postfix(lang_parser_t *p, lang_node_t **node);

static sr_err_t
s_test(lang_parser_t *p, lang_node_t **node)
{
    uint32_t pos = (uint32_t)p->tok.pos;
    sr_err_t rc = lang_lex_next(p); // 'is'
    bool negate = false;
    if (rc == SR_OK && lang_tok_word(p, "not")) {
        negate = true;
        rc = lang_lex_next(p);
    }
    if (rc != SR_OK)
        return rc;
    if (p->tok.kind != LANG_T_NAME)
        return lang_parse_unexpected(p, "a test name");
    lang_tok_t name = p->tok;
    if ((rc = lang_lex_next(p)) != SR_OK)
        return rc;
    if (!lang_tok_punct(p, LANG_P_LPAREN)) {
        bool arg = p->tok.kind == LANG_T_NAME || p->tok.kind == LANG_T_STR ||
                   p->tok.kind == LANG_T_INT || p->tok.kind == LANG_T_FLOAT ||
                   lang_tok_punct(p, LANG_P_LBRACK) ||
                   lang_tok_punct(p, LANG_P_LBRACE);
        if (lang_tok_word(p, "else") || lang_tok_word(p, "or") ||
            lang_tok_word(p, "and") || lang_tok_word(p, "if") ||
            lang_tok_word(p, "in") || lang_tok_word(p, "not") ||
            lang_tok_word(p, "is"))
            arg = false;
        if (arg) {
            lang_node_t *kids[2] = {*node, NULL};
            if ((rc = s_unary(p, false, &kids[1])) != SR_OK ||
                (rc = lang_parse_node(p, LANG_N_TEST, pos, kids, 2, node)) !=
                    SR_OK)
                return rc;
            goto named;
        }
    }
    if ((rc = s_make_call(p, LANG_NS_JINJA_TEST, p->src + name.pos, name.len,
                          *node, pos, 0, node)) != SR_OK)
        return rc;
    (*node)->kind = LANG_N_TEST;
named:
    (*node)->name = lang_arena_strndup(p->arena, p->src + name.pos, name.len);
    if (!(*node)->name)
        return lang_parse_oom(p);
    (*node)->fn =
        lang_builtin_find(LANG_NS_JINJA_TEST, (*node)->name, name.len);
    if (negate)
        (*node)->flags |= LANG_F_NEGATE;
    return SR_OK;
}

// The filter / test chain after a unary expression.
static sr_err_t
s_filters(lang_parser_t *p, lang_node_t **node)
{
    for (;;) {
        sr_err_t rc;
        if (lang_tok_punct(p, LANG_P_PIPE)) {
            uint32_t pos = (uint32_t)p->tok.pos;
            if ((rc = lang_lex_next(p)) != SR_OK)
                return rc;
            if (p->tok.kind != LANG_T_NAME)
                return lang_parse_unexpected(p, "a filter name");
            lang_tok_t name = p->tok;
            if ((rc = lang_lex_next(p)) != SR_OK ||
                (rc = s_make_call(p, LANG_NS_JINJA_FILTER, p->src + name.pos,
                                  name.len, *node, pos, LANG_F_FILTER, node)) !=
                    SR_OK)
                return rc;
        } else if (lang_tok_word(p, "is")) {
            if ((rc = s_test(p, node)) != SR_OK)
                return rc;
        } else {
            return SR_OK;
        }
        if ((rc = s_postfix(p, node)) != SR_OK)
            return rc;
    }
}

static sr_err_t
s_subscript(lang_parser_t *p, lang_node_t **node)
{
    uint32_t pos = (uint32_t)p->tok.pos;
    lang_node_t *kids[4] = {*node, NULL, NULL, NULL};
    size_t part = 1;
    bool slice = false;
    sr_err_t rc = lang_lex_next(p);
    while (rc == SR_OK && !lang_tok_punct(p, LANG_P_RBRACK)) {
        if (lang_tok_punct(p, LANG_P_COLON)) {
            if (++part > 3)
                return lang_parse_unexpected(p, "']'");
            slice = true;
            rc = lang_lex_next(p);
            continue;
        }
        if (kids[part])
            return lang_parse_unexpected(p, "':' or ']'");
        rc = lang_jinja_expr(p, true, &kids[part]);
    }
    if (rc != SR_OK)
        return rc;
    if (!slice && !kids[1])
        return lang_parse_unexpected(p, "an index");
    if ((rc = lang_lex_next(p)) != SR_OK)
        return rc;
    return lang_parse_node(p, slice ? LANG_N_SLICE : LANG_N_INDEX, pos, kids,
                           slice ? 4 : 2, node);
}

static sr_err_t
s_postfix(lang_parser_t *p, lang_node_t **node)
{
    for (;;) {
        sr_err_t rc;
        if (lang_tok_punct(p, LANG_P_DOT)) {
            if ((rc = lang_lex_next(p)) != SR_OK)
                return rc;
            lang_tok_t t = p->tok;
            if (t.kind == LANG_T_INT) {
                lang_node_t *kids[2] = {*node, NULL};
                kids[1] = lang_node_const(p->arena, sr_value_new_int(t.i),
                                          (uint32_t)t.pos);
                if (!kids[1])
                    return lang_parse_oom(p);
                if ((rc = lang_lex_next(p)) != SR_OK ||
                    (rc = lang_parse_node(p, LANG_N_INDEX, (uint32_t)t.pos,
                                          kids, 2, node)) != SR_OK)
                    return rc;
                continue;
            }
            if (t.kind != LANG_T_NAME)
                return lang_parse_unexpected(p, "an attribute name");
            if ((rc = lang_lex_next(p)) != SR_OK)
                return rc;
            if (lang_tok_punct(p, LANG_P_LPAREN)) {
                rc = s_make_call(p, LANG_NS_JINJA_METHOD, p->src + t.pos, t.len,
                                 *node, (uint32_t)t.pos, LANG_F_METHOD, node);
            } else {
                lang_node_t *attr;
                sr_value_t *key = sr_value_new_strn(p->src + t.pos, t.len);
                if ((rc = lang_parse_node(p, LANG_N_ATTR, (uint32_t)t.pos, node,
                                          1, &attr)) != SR_OK) {
                    sr_value_destroy(&key);
                    return rc;
                }
                attr->name =
                    lang_arena_strndup(p->arena, p->src + t.pos, t.len);
                if (lang_arena_keep(p->arena, key) != SR_OK || !attr->name)
                    return lang_parse_oom(p);
                attr->value = key;
                *node = attr;
            }
        } else if (lang_tok_punct(p, LANG_P_LBRACK)) {
            rc = s_subscript(p, node);
        } else if (lang_tok_punct(p, LANG_P_LPAREN)) {
            if ((*node)->kind != LANG_N_NAME)
                return lang_parse_fail(p, p->tok.pos,
                                       "only functions and methods can be "
                                       "called");
            lang_node_t *name = *node;
            rc = s_make_call(p, LANG_NS_JINJA_FUNC, name->name,
                             strlen(name->name), NULL, name->pos, 0, node);
        } else {
            return SR_OK;
        }
        if (rc != SR_OK)
            return rc;
    }
}

static sr_err_t
s_unary(lang_parser_t *p, bool with_filter, lang_node_t **out)
{
    sr_err_t rc = lang_parse_enter(p);
    if (rc != SR_OK)
        return rc;
    uint32_t pos = (uint32_t)p->tok.pos;
    lang_op_t op = lang_tok_punct(p, LANG_P_MINUS)  ? LANG_OP_NEG
                   : lang_tok_punct(p, LANG_P_PLUS) ? LANG_OP_POS
                                                    : LANG_OP_NONE;
    lang_node_t *node;
    if (op != LANG_OP_NONE) {
        lang_node_t *operand;
        if ((rc = lang_lex_next(p)) == SR_OK &&
            (rc = s_unary(p, false, &operand)) == SR_OK &&
            (rc = lang_parse_node(p, LANG_N_UNARY, pos, &operand, 1, &node)) ==
                SR_OK)
            node->op = (uint8_t)op;
    } else {
        rc = lang_jinja_primary(p, &node);
    }
    if (rc == SR_OK)
        rc = s_postfix(p, &node);
    if (rc == SR_OK && with_filter)
        rc = s_filters(p, &node);
    if (rc == SR_OK)
        *out = node;
    lang_parse_leave(p);
    return rc;
}
