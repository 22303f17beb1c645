// The compiled form of expressions and templates: a tree of nodes that live
// in one arena per template, built once by the YAQL and Jinja parsers and
// walked by the evaluator (lang_eval.c) without re-parsing.
//
// Ownership: the arena owns every node, name and argument array, and holds
// one reference on every constant value registered with lang_arena_keep().
// Nodes are immutable once the template is compiled. Thread rule: an arena
// belongs to its template; reading nodes from several threads is safe.
#ifndef LANG_AST_H
#define LANG_AST_H

#include <stddef.h>
#include <stdint.h>

#include "sr_err.h"
#include "sr_value.h"

#define LANG_MAX_DEPTH 100 // deepest node tree (and parser recursion)
#define LANG_MAX_ARGS  16  // arguments of one call

typedef enum {
    LANG_N_CONST = 0, // value
    LANG_N_DOLLAR,    // YAQL $ (the current item or the data)
    LANG_N_NAME,      // Jinja variable: name
    LANG_N_ATTR,      // kids[0].name; value = the key as a string
    LANG_N_INDEX,     // kids[0][kids[1]] (YAQL: optional default kids[2])
    LANG_N_SLICE,     // kids[0][kids[1]:kids[2]:kids[3]] (kids may be NULL)
    LANG_N_LIST,      // [kids...]
    LANG_N_MAP,       // {kids[2i]: kids[2i+1]}
    LANG_N_UNARY,     // op kids[0]
    LANG_N_BINARY,    // kids[0] op kids[1]
    LANG_N_AND,       // kids[0] and kids[1] (short circuit, Python value)
    LANG_N_OR,        // kids[0] or kids[1]
    LANG_N_COND,      // kids[1] if kids[0] else kids[2] (kids[2] may be NULL)
    LANG_N_CALL,      // name(kids...); method: kids[0] is the receiver
    LANG_N_TEST,      // kids[0] is name(kids[1..])
    LANG_N_PAIR,      // kids[0] => kids[1] (an argument only)
    LANG_N_TEXT,      // template text: value
    LANG_N_OUT,       // template output of kids[0]; pos/len: its source
    LANG_N_IF,        // if kids[0]: kids[1] else kids[2] (may be NULL)
    LANG_N_FOR,       // for names in kids[0]: kids[1] else kids[2]
    LANG_N_SET,       // set name = kids[0]
    LANG_N_SEQ        // kids in order
} lang_kind_t;

typedef enum {
    LANG_OP_NONE = 0,
    LANG_OP_ADD,
    LANG_OP_SUB,
    LANG_OP_MUL,
    LANG_OP_DIV,      // Jinja: true division
    LANG_OP_YDIV,     // YAQL: int / int is floor division
    LANG_OP_FLOORDIV, // Jinja //
    LANG_OP_MOD,
    LANG_OP_POW,
    LANG_OP_CONCAT, // Jinja ~
    LANG_OP_EQ,
    LANG_OP_NE,
    LANG_OP_LT,
    LANG_OP_LE,
    LANG_OP_GT,
    LANG_OP_GE,
    LANG_OP_IN,
    LANG_OP_NOT_IN,
    LANG_OP_NEG,
    LANG_OP_POS,
    LANG_OP_NOT
} lang_op_t;

enum {
    LANG_F_YAQL = 1 << 0,     // YAQL semantics (attribute, null ordering)
    LANG_F_METHOD = 1 << 1,   // call with a receiver in kids[0]
    LANG_F_NULLSAFE = 1 << 2, // YAQL ?. : null receiver gives null
    LANG_F_FILTER = 1 << 3,   // Jinja filter call
    LANG_F_NEGATE = 1 << 4,   // Jinja "is not"
    LANG_F_CALLED = 1 << 5    // Jinja name used as a function
};

struct lang_builtin;
typedef struct lang_node lang_node_t;

struct lang_node {
    uint8_t kind;       // lang_kind_t
    uint8_t op;         // lang_op_t
    uint16_t flags;     // LANG_F_*
    uint16_t depth;     // 1 + deepest kid
    uint16_t nkids;     // entries of kids
    uint16_t nnames;    // entries of names for FOR (loop variables)
    uint32_t pos;       // byte offset of the node in the template text
    uint32_t len;       // source length (OUT nodes: the expression text)
    lang_node_t **kids; // arena; entries may be NULL
    const char **names; // CALL: keyword per kid or NULL; FOR
    const char *name;   // NAME, ATTR, CALL, TEST, SET (arena)
    sr_value_t *value;  // CONST, TEXT, ATTR key (kept)
    const struct lang_builtin *fn; // CALL, TEST: resolved, or NULL (host)
};

typedef struct lang_arena lang_arena_t;

// A new empty arena; NULL on OOM. Destroy releases every node and kept value.
lang_arena_t *lang_arena_new(void);
void lang_arena_destroy(lang_arena_t **arena_p);
// Zeroed memory, aligned for any node; NULL on OOM.
void *lang_arena_alloc(lang_arena_t *arena, size_t size);
// A NUL-terminated copy of s[0..len); NULL on OOM.
char *lang_arena_strndup(lang_arena_t *arena, const char *s, size_t len);
// Hand a value reference to the arena (consumed, also on failure).
sr_err_t lang_arena_keep(lang_arena_t *arena, sr_value_t *value);

// A node of `kind` at byte offset `pos`; NULL on OOM.
lang_node_t *lang_node_new(lang_arena_t *arena, lang_kind_t kind, uint32_t pos);
// A constant node; consumes `value` (also on failure). NULL on OOM.
lang_node_t *lang_node_const(lang_arena_t *arena, sr_value_t *value,
                             uint32_t pos);
// Give `node` a copy of kids[0..n) and compute its depth. SR_ENOMEM on OOM.
sr_err_t lang_node_set_kids(lang_arena_t *arena, lang_node_t *node,
                            lang_node_t *const *kids, size_t n);

#endif
