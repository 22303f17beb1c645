// The two expression parsers and the Jinja template parser. Each builds
// nodes (lang_ast.h) in the parser's arena from a region of the template
// text; errors carry the byte offset of the problem in the whole text.
//
// Thread rule: one parser state per compile call.
#ifndef LANG_PARSE_H
#define LANG_PARSE_H

#include <stdbool.h>
#include <stddef.h>

#include "lang_ast.h"
#include "lang_lex.h"

// Build a node of `kind` with kids[0..n) and check its depth.
sr_err_t lang_parse_node(lang_parser_t *p, lang_kind_t kind, uint32_t pos,
                         lang_node_t *const *kids, size_t n, lang_node_t **out);

// One YAQL expression filling [start, end) of p->src.
sr_err_t lang_yaql_parse(lang_parser_t *p, size_t start, size_t end,
                         lang_node_t **out);

// One Jinja expression at the current token (the caller checks what
// follows). `with_cond` allows "a if b else c" at the top.
sr_err_t lang_jinja_expr(lang_parser_t *p, bool with_cond, lang_node_t **out);

// A Jinja primary (name, literal, (...), [...], {...}) at the current token.
sr_err_t lang_jinja_primary(lang_parser_t *p, lang_node_t **out);

// A Jinja template filling [start, end): a SEQ of TEXT, OUT, IF, FOR and
// SET nodes. *is_single is true when the region is exactly one {{ }}.
sr_err_t lang_jinja_template(lang_parser_t *p, size_t start, size_t end,
                             lang_node_t **out, bool *is_single);

#endif
