// Tokens of YAQL and Jinja expressions, and the parser state both parsers
// share. The lexer reads a region [start, end) of the template text and
// reports byte offsets into the whole text, so errors point at the right
// place. It allocates nothing; string literals are decoded on demand.
//
// Thread rule: a parser state belongs to one compile call.
#ifndef LANG_LEX_H
#define LANG_LEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lang_ast.h"
#include "sr_err.h"
#include "sr_value.h"

typedef enum {
    LANG_T_EOF = 0,
    LANG_T_INT,
    LANG_T_FLOAT,
    LANG_T_STR,      // quoted string (decode with lang_lex_string)
    LANG_T_NAME,     // identifier or keyword (and, or, not, in, ...)
    LANG_T_FUNC,     // YAQL: identifier immediately followed by '('
    LANG_T_DOLLAR,   // YAQL: $ or $name
    LANG_T_PUNCT,    // operator or bracket: see lang_punct_t
    LANG_T_END_VAR,  // Jinja }}
    LANG_T_END_BLOCK // Jinja %}
} lang_tok_kind_t;

typedef enum {
    LANG_P_NONE = 0,
    LANG_P_LPAREN,
    LANG_P_RPAREN,
    LANG_P_LBRACK,
    LANG_P_RBRACK,
    LANG_P_LBRACE,
    LANG_P_RBRACE,
    LANG_P_COMMA,
    LANG_P_DOT,
    LANG_P_QDOT, // ?.
    LANG_P_COLON,
    LANG_P_PIPE,
    LANG_P_TILDE,
    LANG_P_PLUS,
    LANG_P_MINUS,
    LANG_P_STAR,
    LANG_P_SLASH,
    LANG_P_DSLASH,
    LANG_P_PERCENT,
    LANG_P_DSTAR,
    LANG_P_ASSIGN, // =
    LANG_P_EQ,     // ==
    LANG_P_NE,     // !=
    LANG_P_LT,
    LANG_P_LE,
    LANG_P_GT,
    LANG_P_GE,
    LANG_P_MAPS_TO, // =>
    LANG_P_ARROW,   // ->
    LANG_P_MATCH,   // =~
    LANG_P_NMATCH,  // !~
    LANG_P_SEMI
} lang_punct_t;

typedef struct {
    uint8_t kind;  // lang_tok_kind_t
    uint8_t punct; // lang_punct_t for LANG_T_PUNCT
    bool strip;    // END tokens: written -}} or -%}
    bool plus;     // END_BLOCK written +%}
    size_t pos;    // byte offset in the text
    size_t len;    // bytes of source
    int64_t i;     // LANG_T_INT
    double f;      // LANG_T_FLOAT
} lang_tok_t;

typedef struct {
    const char *src;     // the whole template text (borrowed)
    size_t end;          // end of the region being read
    size_t pos;          // next byte to read
    lang_tok_t tok;      // current token
    lang_arena_t *arena; // where nodes go
    bool yaql;           // YAQL rules, else Jinja
    int depth;           // parser recursion
    int braces;          // Jinja: open { not yet closed
    sr_error_t *err;     // first error (may be NULL)
    size_t err_off;      // its byte offset
    bool failed;
} lang_parser_t;

// Start reading [start, end) of src and read the first token.
sr_err_t lang_lex_begin(lang_parser_t *p, size_t start, size_t end);
// Read the next token into p->tok. SR_EEXPR on a lexical error.
sr_err_t lang_lex_next(lang_parser_t *p);
// The token after the current one, without consuming anything.
sr_err_t lang_lex_peek(lang_parser_t *p, lang_tok_t *out);
// Decode a LANG_T_STR token into a new string value (caller owns it).
sr_err_t lang_lex_string(lang_parser_t *p, const lang_tok_t *t,
                         sr_value_t **out);

bool lang_tok_punct(const lang_parser_t *p, lang_punct_t punct);
bool lang_tok_word(const lang_parser_t *p, const char *word);

// Record a compile error at byte offset `off` (the first one wins) and
// return SR_EEXPR (SR_ENOMEM when `fmt` is NULL).
sr_err_t lang_parse_fail(lang_parser_t *p, size_t off, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
// "unexpected 'x'" for the current token.
sr_err_t lang_parse_unexpected(lang_parser_t *p, const char *expected);
sr_err_t lang_parse_oom(lang_parser_t *p);
// Enter / leave one level of parser recursion (refused past LANG_MAX_DEPTH).
sr_err_t lang_parse_enter(lang_parser_t *p);
void lang_parse_leave(lang_parser_t *p);
// Refuse a node nested deeper than LANG_MAX_DEPTH.
sr_err_t lang_parse_check_depth(lang_parser_t *p, const lang_node_t *n);

// A growable list of nodes while a collection literal is read.
typedef struct {
    lang_node_t **items; // malloc'd; free with lang_nodes_fini()
    size_t count, cap;
} lang_nodes_t;

sr_err_t lang_nodes_push(lang_parser_t *p, lang_nodes_t *list,
                         lang_node_t *node);
void lang_nodes_fini(lang_nodes_t *list);

#endif
