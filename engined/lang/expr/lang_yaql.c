// YAQL parser: precedence climbing over YAQL's operator table (tightest
// first: . ?. then [] then unary + - then * / mod then + - then comparisons
// and `in`, then not, and, or). A bare identifier is a string constant, as in
// YAQL (`$.name = ubuntu`); `name(` is a call and `x.name(` a method call,
// resolved against the built-in tables here, once. Builds nodes only.
#include <stdint.h>
#include <string.h>

#include "lang_fn.h"
#include "lang_parse.h"

enum {
    S_LVL_OR = 1,
    S_LVL_AND,
    S_LVL_NOT,
    S_LVL_CMP,
    S_LVL_ADD,
    S_LVL_MUL,
    S_LVL_UNARY
};

static sr_err_t s_expr(lang_parser_t *p, int min_level, lang_node_t **out);

sr_err_t
lang_parse_node(lang_parser_t *p, lang_kind_t kind, uint32_t pos,
                lang_node_t *const *kids, size_t n, lang_node_t **out)
{
    lang_node_t *node = lang_node_new(p->arena, kind, pos);
    if (!node || lang_node_set_kids(p->arena, node, kids, n) != SR_OK)
        return lang_parse_oom(p);
    sr_err_t rc = lang_parse_check_depth(p, node);
    if (rc == SR_OK)
        *out = node;
    return rc;
}

// The binary operator at the current token: its level (0: none).
static int
s_binary(lang_parser_t *p, lang_kind_t *kind, lang_op_t *op)
{
    *kind = LANG_N_BINARY;
    *op = LANG_OP_NONE;
    if (p->tok.kind == LANG_T_NAME) {
        if (lang_tok_word(p, "or"))
            return *kind = LANG_N_OR, S_LVL_OR;
        if (lang_tok_word(p, "and"))
            return *kind = LANG_N_AND, S_LVL_AND;
        if (lang_tok_word(p, "in"))
            return *op = LANG_OP_IN, S_LVL_CMP;
        if (lang_tok_word(p, "mod"))
            return *op = LANG_OP_MOD, S_LVL_MUL;
        return 0;
    }
    if (p->tok.kind != LANG_T_PUNCT)
        return 0;
    switch (p->tok.punct) {
    case LANG_P_ASSIGN:
        return *op = LANG_OP_EQ, S_LVL_CMP;
    case LANG_P_NE:
        return *op = LANG_OP_NE, S_LVL_CMP;
    case LANG_P_LT:
        return *op = LANG_OP_LT, S_LVL_CMP;
    case LANG_P_LE:
        return *op = LANG_OP_LE, S_LVL_CMP;
    case LANG_P_GT:
        return *op = LANG_OP_GT, S_LVL_CMP;
    case LANG_P_GE:
        return *op = LANG_OP_GE, S_LVL_CMP;
    case LANG_P_PLUS:
        return *op = LANG_OP_ADD, S_LVL_ADD;
    case LANG_P_MINUS:
        return *op = LANG_OP_SUB, S_LVL_ADD;
    case LANG_P_STAR:
        return *op = LANG_OP_MUL, S_LVL_MUL;
    case LANG_P_SLASH:
        return *op = LANG_OP_YDIV, S_LVL_MUL;
    default:
        return 0;
    }
}

// Arguments up to `close`: values or `key => value` pairs (at most `max`).
static sr_err_t
s_args(lang_parser_t *p, lang_punct_t close, size_t max, lang_nodes_t *list)
{
    if (lang_tok_punct(p, close))
        return lang_lex_next(p);
    for (;;) {
        if (list->count == max)
            return lang_parse_fail(p, p->tok.pos,
                                   "too many arguments (limit %zu)", max);
        lang_node_t *arg;
        uint32_t pos = (uint32_t)p->tok.pos;
        sr_err_t rc = s_expr(p, S_LVL_OR, &arg);
        if (rc != SR_OK)
            return rc;
        if (lang_tok_punct(p, LANG_P_MAPS_TO)) {
            lang_node_t *pair[2] = {arg, NULL};
            if ((rc = lang_lex_next(p)) != SR_OK ||
                (rc = s_expr(p, S_LVL_OR, &pair[1])) != SR_OK ||
                (rc = lang_parse_node(p, LANG_N_PAIR, pos, pair, 2, &arg)) !=
                    SR_OK)
                return rc;
        }
        if ((rc = lang_nodes_push(p, list, arg)) != SR_OK)
            return rc;
        if (lang_tok_punct(p, close))
            return lang_lex_next(p);
        if (!lang_tok_punct(p, LANG_P_COMMA))
            return lang_parse_unexpected(
                p, close == LANG_P_RPAREN   ? "',' or ')'"
                   : close == LANG_P_RBRACK ? "',' or ']'"
                                            : "',' or '}'");
        if ((rc = lang_lex_next(p)) != SR_OK)
            return rc;
    }
}

// A call: the FUNC token is current; `recv` is the receiver or NULL.
static sr_err_t
s_call(lang_parser_t *p, lang_node_t *recv, uint16_t flags, lang_node_t **out)
{
    lang_tok_t t = p->tok;
    lang_nodes_t args = {0};
    sr_err_t rc = SR_OK;
    if (recv)
        rc = lang_nodes_push(p, &args, recv);
    if (rc == SR_OK)
        rc = lang_lex_next(p);
    if (rc == SR_OK)
        rc = s_args(p, LANG_P_RPAREN, LANG_MAX_ARGS, &args);
    lang_node_t *call = NULL;
    uint32_t pos = recv ? recv->pos : (uint32_t)t.pos;
    if (rc == SR_OK)
        rc =
            lang_parse_node(p, LANG_N_CALL, pos, args.items, args.count, &call);
    lang_nodes_fini(&args);
    if (rc != SR_OK)
        return rc;
    size_t name_len = t.len - 1; // without '('
    call->name = lang_arena_strndup(p->arena, p->src + t.pos, name_len);
    if (!call->name)
        return lang_parse_oom(p);
    call->flags = (uint16_t)(LANG_F_YAQL | flags);
    call->fn = lang_builtin_find(recv ? LANG_NS_YAQL_METHOD : LANG_NS_YAQL_FUNC,
                                 call->name, name_len);
    *out = call;
    return SR_OK;
}

static sr_err_t
s_keyword_const(lang_parser_t *p, lang_node_t **out)
{
    const char *s = p->src + p->tok.pos;
    size_t n = p->tok.len;
    sr_value_t *v;
    if (lang_tok_word(p, "true"))
        v = sr_value_new_bool(true);
    else if (lang_tok_word(p, "false"))
        v = sr_value_new_bool(false);
    else if (lang_tok_word(p, "null"))
        v = sr_value_new_nil();
    else if (lang_tok_word(p, "and") || lang_tok_word(p, "or") ||
             lang_tok_word(p, "in") || lang_tok_word(p, "mod"))
        return lang_parse_unexpected(p, "a value");
    else
        v = sr_value_new_strn(s, n);
    lang_node_t *node = lang_node_const(p->arena, v, (uint32_t)p->tok.pos);
    if (!node)
        return lang_parse_oom(p);
    *out = node;
    return lang_lex_next(p);
}

static sr_err_t
s_collection(lang_parser_t *p, lang_node_t **out)
{
    bool is_map = lang_tok_punct(p, LANG_P_LBRACE);
    uint32_t pos = (uint32_t)p->tok.pos;
    lang_nodes_t args = {0}, kv = {0};
    sr_err_t rc = lang_lex_next(p);
    if (rc == SR_OK)
        rc = s_args(p, is_map ? LANG_P_RBRACE : LANG_P_RBRACK, SIZE_MAX, &args);
    for (size_t i = 0; rc == SR_OK && i < args.count; i++) {
        lang_node_t *arg = args.items[i];
        if (!is_map && arg->kind == LANG_N_PAIR)
            rc = lang_parse_fail(p, arg->pos, "'=>' is not allowed in a list");
        else if (is_map && arg->kind != LANG_N_PAIR)
            rc = lang_parse_fail(p, arg->pos,
                                 "expected 'key => value' in a dict");
        else if (is_map &&
                 (rc = lang_nodes_push(p, &kv, arg->kids[0])) == SR_OK)
            rc = lang_nodes_push(p, &kv, arg->kids[1]);
    }
    if (rc == SR_OK && is_map)
        rc = lang_parse_node(p, LANG_N_MAP, pos, kv.items, kv.count, out);
    else if (rc == SR_OK)
        rc = lang_parse_node(p, LANG_N_LIST, pos, args.items, args.count, out);
    lang_nodes_fini(&args);
    lang_nodes_fini(&kv);
    return rc;
}

static sr_err_t
s_primary(lang_parser_t *p, lang_node_t **out)
{
    lang_tok_t t = p->tok;
    sr_err_t rc;
    switch (t.kind) {
    case LANG_T_INT:
    case LANG_T_FLOAT:
    case LANG_T_STR: {
        sr_value_t *v = NULL;
        if (t.kind == LANG_T_STR) {
            if ((rc = lang_lex_string(p, &t, &v)) != SR_OK)
                return rc;
        } else {
            v = t.kind == LANG_T_INT ? sr_value_new_int(t.i)
                                     : sr_value_new_float(t.f);
        }
        if (!(*out = lang_node_const(p->arena, v, (uint32_t)t.pos)))
            return lang_parse_oom(p);
        return lang_lex_next(p);
    }
    case LANG_T_NAME:
        return s_keyword_const(p, out);
    case LANG_T_FUNC:
        return s_call(p, NULL, 0, out);
    case LANG_T_DOLLAR:
        if (t.len > 1)
            return lang_parse_fail(p, t.pos,
                                   "unknown variable '%.*s' (only $ is "
                                   "supported)",
                                   (int)(t.len > 32 ? 32 : t.len),
                                   p->src + t.pos);
        if (!(*out = lang_node_new(p->arena, LANG_N_DOLLAR, (uint32_t)t.pos)))
            return lang_parse_oom(p);
        return lang_lex_next(p);
    case LANG_T_PUNCT:
        if (t.punct == LANG_P_LPAREN) {
            if ((rc = lang_lex_next(p)) != SR_OK ||
                (rc = s_expr(p, S_LVL_OR, out)) != SR_OK)
                return rc;
            if (!lang_tok_punct(p, LANG_P_RPAREN))
                return lang_parse_unexpected(p, "')'");
            return lang_lex_next(p);
        }
        if (t.punct == LANG_P_LBRACK || t.punct == LANG_P_LBRACE)
            return s_collection(p, out);
        if (t.punct == LANG_P_EQ)
            return lang_parse_fail(p, t.pos,
                                   "unexpected '==' (YAQL "
                                   "compares with '=')");
        return lang_parse_unexpected(p, "a value");
    default:
        return lang_parse_unexpected(p, "a value");
    }
}

static sr_err_t
s_postfix(lang_parser_t *p, lang_node_t **node)
{
    for (;;) {
        sr_err_t rc;
        if (lang_tok_punct(p, LANG_P_DOT) || lang_tok_punct(p, LANG_P_QDOT)) {
            uint16_t flags =
                lang_tok_punct(p, LANG_P_QDOT) ? LANG_F_NULLSAFE : 0;
            if ((rc = lang_lex_next(p)) != SR_OK)
                return rc;
            if (p->tok.kind == LANG_T_FUNC) {
                rc = s_call(p, *node, LANG_F_METHOD | flags, node);
            } else if (p->tok.kind == LANG_T_NAME) {
                lang_node_t *attr;
                rc = lang_parse_node(p, LANG_N_ATTR, (uint32_t)p->tok.pos, node,
                                     1, &attr);
                if (rc != SR_OK)
                    return rc;
                attr->flags = (uint16_t)(LANG_F_YAQL | flags);
                attr->name = lang_arena_strndup(p->arena, p->src + p->tok.pos,
                                                p->tok.len);
                sr_value_t *key =
                    sr_value_new_strn(p->src + p->tok.pos, p->tok.len);
                // keep first: the arena owns the key whatever happens
                if (lang_arena_keep(p->arena, key) != SR_OK || !attr->name)
                    return lang_parse_oom(p);
                attr->value = key;
                *node = attr;
                rc = lang_lex_next(p);
            } else {
                return lang_parse_unexpected(p, "a key or a method");
            }
        } else if (lang_tok_punct(p, LANG_P_LBRACK)) {
            uint32_t pos = (uint32_t)p->tok.pos;
            lang_nodes_t args = {0};
            if ((rc = lang_nodes_push(p, &args, *node)) == SR_OK &&
                (rc = lang_lex_next(p)) == SR_OK)
                rc = s_args(p, LANG_P_RBRACK, 3, &args);
            if (rc == SR_OK && (args.count < 2 || args.count > 3))
                rc = lang_parse_fail(p, pos, "an index takes 1 or 2 values");
            for (size_t i = 1; rc == SR_OK && i < args.count; i++)
                if (args.items[i]->kind == LANG_N_PAIR)
                    rc = lang_parse_fail(p, args.items[i]->pos,
                                         "'=>' is not allowed in an index");
            if (rc == SR_OK)
                rc = lang_parse_node(p, LANG_N_INDEX, pos, args.items,
                                     args.count, node);
            if (rc == SR_OK)
                (*node)->flags = LANG_F_YAQL;
            lang_nodes_fini(&args);
        } else {
            return SR_OK;
        }
        if (rc != SR_OK)
            return rc;
    }
}

static sr_err_t
s_prefix(lang_parser_t *p, lang_node_t **out)
{
    sr_err_t rc = lang_parse_enter(p);
    if (rc != SR_OK)
        return rc;
    uint32_t pos = (uint32_t)p->tok.pos;
    lang_op_t op = LANG_OP_NONE;
    int level = 0;
    if (lang_tok_word(p, "not"))
        op = LANG_OP_NOT, level = S_LVL_NOT;
    else if (lang_tok_punct(p, LANG_P_MINUS))
        op = LANG_OP_NEG, level = S_LVL_UNARY;
    else if (lang_tok_punct(p, LANG_P_PLUS))
        op = LANG_OP_POS, level = S_LVL_UNARY;
    if (op != LANG_OP_NONE) {
        lang_node_t *operand;
        if ((rc = lang_lex_next(p)) == SR_OK &&
            (rc = s_expr(p, level + 1, &operand)) == SR_OK &&
            (rc = lang_parse_node(p, LANG_N_UNARY, pos, &operand, 1, out)) ==
                SR_OK)
            (*out)->op = (uint8_t)op;
    } else if ((rc = s_primary(p, out)) == SR_OK) {
        rc = s_postfix(p, out);
    }
    lang_parse_leave(p);
    return rc;
}

static sr_err_t
s_expr(lang_parser_t *p, int min_level, lang_node_t **out)
{
    sr_err_t rc = lang_parse_enter(p);
    if (rc != SR_OK)
        return rc;
    lang_node_t *left;
    if ((rc = s_prefix(p, &left)) != SR_OK)
        goto done;
    for (;;) {
        lang_kind_t kind;
        lang_op_t op;
        int level = s_binary(p, &kind, &op);
        if (level == 0 || level < min_level)
            break;
        uint32_t pos = (uint32_t)p->tok.pos;
        lang_node_t *kids[2] = {left, NULL};
        if ((rc = lang_lex_next(p)) != SR_OK ||
            (rc = s_expr(p, level + 1, &kids[1])) != SR_OK ||
            (rc = lang_parse_node(p, kind, pos, kids, 2, &left)) != SR_OK)
            goto done;
        left->op = (uint8_t)op;
        left->flags = LANG_F_YAQL;
    }
    if (lang_tok_punct(p, LANG_P_MATCH) || lang_tok_punct(p, LANG_P_NMATCH))
        rc = lang_parse_fail(p, p->tok.pos,
                             "regular expression operators are not "
                             "supported");
    else if (lang_tok_punct(p, LANG_P_ARROW))
        rc = lang_parse_fail(p, p->tok.pos, "operator '->' is not supported");
    else
        *out = left;
done:
    lang_parse_leave(p);
    return rc;
}

sr_err_t
lang_yaql_parse(lang_parser_t *p, size_t start, size_t end, lang_node_t **out)
{
    p->yaql = true;
    p->depth = 0;
    sr_err_t rc = lang_lex_begin(p, start, end);
    if (rc != SR_OK)
        return rc;
    if (p->tok.kind == LANG_T_EOF)
        return lang_parse_fail(p, start, "empty expression");
    lang_node_t *node;
    if ((rc = s_expr(p, S_LVL_OR, &node)) != SR_OK)
        return rc;
    if (p->tok.kind != LANG_T_EOF)
        return lang_parse_unexpected(p, "an operator or the end");
    *out = node;
    return SR_OK;
}
