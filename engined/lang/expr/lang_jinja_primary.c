// Jinja primary expressions: names and the literals true/false/none (both
// spellings), numbers, strings (adjacent ones joined), parentheses and
// tuples, lists and dicts. Builds nodes only; the operators around them are
// in lang_jinja.c.
#include <stdlib.h>
#include <string.h>

#include "lang_parse.h"

// Items of a list, tuple or dict literal up to `close`; dict items are
// key, value, key, value. A trailing comma is allowed.
static sr_err_t
s_items(lang_parser_t *p, lang_punct_t close, bool is_map, lang_nodes_t *list)
{
    sr_err_t rc = SR_OK;
    while (rc == SR_OK && !lang_tok_punct(p, close)) {
        lang_node_t *item;
        if ((rc = lang_jinja_expr(p, true, &item)) != SR_OK ||
            (rc = lang_nodes_push(p, list, item)) != SR_OK)
            return rc;
        if (is_map) {
            if (!lang_tok_punct(p, LANG_P_COLON))
                return lang_parse_unexpected(p, "':'");
            if ((rc = lang_lex_next(p)) != SR_OK ||
                (rc = lang_jinja_expr(p, true, &item)) != SR_OK ||
                (rc = lang_nodes_push(p, list, item)) != SR_OK)
                return rc;
        }
        if (lang_tok_punct(p, LANG_P_COMMA))
            rc = lang_lex_next(p);
        else if (!lang_tok_punct(p, close))
            return lang_parse_unexpected(
                p, close == LANG_P_RBRACK   ? "',' or ']'"
                   : close == LANG_P_RBRACE ? "',' or '}'"
                                            : "',' or ')'");
    }
    return rc == SR_OK ? lang_lex_next(p) : rc;
}

// ( expr ) or a tuple ( a, b ) read as a list.
static sr_err_t
s_paren(lang_parser_t *p, lang_node_t **out)
{
    uint32_t pos = (uint32_t)p->tok.pos;
    lang_nodes_t list = {0};
    sr_err_t rc = lang_lex_next(p);
    if (rc != SR_OK)
        return rc;
    if (lang_tok_punct(p, LANG_P_RPAREN)) {
        rc = lang_lex_next(p);
        return rc == SR_OK ? lang_parse_node(p, LANG_N_LIST, pos, NULL, 0, out)
                           : rc;
    }
    lang_node_t *first;
    if ((rc = lang_jinja_expr(p, true, &first)) != SR_OK)
        return rc;
    if (lang_tok_punct(p, LANG_P_RPAREN)) {
        *out = first;
        return lang_lex_next(p);
    }
    if (!lang_tok_punct(p, LANG_P_COMMA))
        return lang_parse_unexpected(p, "',' or ')'");
    if ((rc = lang_nodes_push(p, &list, first)) == SR_OK &&
        (rc = lang_lex_next(p)) == SR_OK &&
        (rc = s_items(p, LANG_P_RPAREN, false, &list)) == SR_OK)
        rc = lang_parse_node(p, LANG_N_LIST, pos, list.items, list.count, out);
    lang_nodes_fini(&list);
    return rc;
}

static sr_err_t
s_name(lang_parser_t *p, lang_node_t **out)
{
    lang_tok_t t = p->tok;
    sr_value_t *v = NULL;
    if (lang_tok_word(p, "true") || lang_tok_word(p, "True"))
        v = sr_value_new_bool(true);
    else if (lang_tok_word(p, "false") || lang_tok_word(p, "False"))
        v = sr_value_new_bool(false);
    else if (lang_tok_word(p, "none") || lang_tok_word(p, "None"))
        v = sr_value_new_nil();
    static const char *const reserved[] = {"and", "or", "not", "in",
                                           "is",  "if", "else"};
    for (size_t i = 0; !v && i < sizeof reserved / sizeof reserved[0]; i++)
        if (lang_tok_word(p, reserved[i]))
            return lang_parse_unexpected(p, "a value");
    if (v) {
        if (!(*out = lang_node_const(p->arena, v, (uint32_t)t.pos)))
            return lang_parse_oom(p);
    } else {
        lang_node_t *n = lang_node_new(p->arena, LANG_N_NAME, (uint32_t)t.pos);
        if (!n ||
            !(n->name = lang_arena_strndup(p->arena, p->src + t.pos, t.len)))
            return lang_parse_oom(p);
        *out = n;
    }
    return lang_lex_next(p);
}

// Adjacent string literals join: 'a' "b" is 'ab'.
static sr_err_t
s_strings(lang_parser_t *p, lang_node_t **out)
{
    uint32_t pos = (uint32_t)p->tok.pos;
    sr_value_t *acc = NULL;
    sr_err_t rc = SR_OK;
    while (rc == SR_OK && p->tok.kind == LANG_T_STR) {
        sr_value_t *part;
        if ((rc = lang_lex_string(p, &p->tok, &part)) != SR_OK)
            break;
        if (!acc) {
            acc = part;
        } else {
            size_t a = sr_value_len(acc), b = sr_value_len(part);
            char *buf = malloc(a + b + 1);
            sr_value_t *joined = NULL;
            if (buf) {
                memcpy(buf, sr_value_str(acc), a);
                memcpy(buf + a, sr_value_str(part), b);
                joined = sr_value_new_strn(buf, a + b);
                free(buf);
            }
            sr_value_destroy(&acc);
            sr_value_destroy(&part);
            if (!(acc = joined))
                rc = lang_parse_oom(p);
        }
        if (rc == SR_OK)
            rc = lang_lex_next(p);
    }
    if (rc != SR_OK) {
        sr_value_destroy(&acc);
        return rc;
    }
    if (!(*out = lang_node_const(p->arena, acc, pos)))
        return lang_parse_oom(p);
    return SR_OK;
}

sr_err_t
lang_jinja_primary(lang_parser_t *p, lang_node_t **out)
{
    lang_tok_t t = p->tok;
    lang_nodes_t list = {0};
    sr_err_t rc;
    switch (t.kind) {
    case LANG_T_NAME:
        return s_name(p, out);
    case LANG_T_STR:
        return s_strings(p, out);
    case LANG_T_INT:
    case LANG_T_FLOAT:
        *out = lang_node_const(p->arena,
                               t.kind == LANG_T_INT ? sr_value_new_int(t.i)
                                                    : sr_value_new_float(t.f),
                               (uint32_t)t.pos);
        if (!*out)
            return lang_parse_oom(p);
        return lang_lex_next(p);
    case LANG_T_PUNCT:
        if (t.punct == LANG_P_LPAREN)
            return s_paren(p, out);
        if (t.punct != LANG_P_LBRACK && t.punct != LANG_P_LBRACE)
            break;
        bool is_map = t.punct == LANG_P_LBRACE;
        if ((rc = lang_lex_next(p)) == SR_OK &&
            (rc = s_items(p, is_map ? LANG_P_RBRACE : LANG_P_RBRACK, is_map,
                          &list)) == SR_OK)
            rc = lang_parse_node(p, is_map ? LANG_N_MAP : LANG_N_LIST,
                                 (uint32_t)t.pos, list.items, list.count, out);
        lang_nodes_fini(&list);
        return rc;
    default:
        break;
    }
    return lang_parse_unexpected(p, "a value");
}
