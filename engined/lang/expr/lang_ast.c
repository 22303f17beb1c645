// Arena and node constructors of compiled templates. The arena is a list of
// chunks that only grows; it also keeps the constant values the nodes point
// to. It does not parse or evaluate anything. One thread per arena while it
// is built; read-only afterwards.
#include "lang_ast.h"

#include <stdlib.h>
#include <string.h>

#define S_CHUNK_SIZE 4096

typedef struct s_chunk s_chunk_t;
struct s_chunk {
    s_chunk_t *next;
    size_t used, size;
    max_align_t data[]; // size bytes follow
};

typedef struct s_kept s_kept_t;
struct s_kept {
    s_kept_t *next;
    sr_value_t *value; // one reference
};

struct lang_arena {
    s_chunk_t *chunks; // newest first
    s_kept_t *kept;
};

lang_arena_t *
lang_arena_new(void)
{
    return calloc(1, sizeof(lang_arena_t));
}

void
lang_arena_destroy(lang_arena_t **arena_p)
{
    if (!arena_p || !*arena_p)
        return;
    lang_arena_t *a = *arena_p;
    *arena_p = NULL;
    for (s_kept_t *k = a->kept; k; k = k->next)
        sr_value_destroy(&k->value);
    s_chunk_t *c = a->chunks;
    while (c) {
        s_chunk_t *next = c->next;
        free(c);
        c = next;
    }
    free(a);
}

void *
lang_arena_alloc(lang_arena_t *a, size_t size)
{
    const size_t align = sizeof(max_align_t);
    size = (size + align - 1) / align * align;
    if (size == 0)
        size = align;
    s_chunk_t *c = a->chunks;
    if (!c || c->size - c->used < size) {
        size_t cap = size > S_CHUNK_SIZE ? size : S_CHUNK_SIZE;
        c = malloc(sizeof *c + cap);
        if (!c)
            return NULL;
        c->size = cap;
        c->used = 0;
        c->next = a->chunks;
        a->chunks = c;
    }
    void *p = (char *)c->data + c->used;
    c->used += size;
    memset(p, 0, size);
    return p;
}

char *
lang_arena_strndup(lang_arena_t *a, const char *s, size_t len)
{
    char *p = lang_arena_alloc(a, len + 1);
    if (p && len)
        memcpy(p, s, len);
    return p;
}

sr_err_t
lang_arena_keep(lang_arena_t *a, sr_value_t *value)
{
    if (!value)
        return SR_ENOMEM;
    s_kept_t *k = lang_arena_alloc(a, sizeof *k);
    if (!k) {
        sr_value_destroy(&value);
        return SR_ENOMEM;
    }
    k->value = value;
    k->next = a->kept;
    a->kept = k;
    return SR_OK;
}

lang_node_t *
lang_node_new(lang_arena_t *a, lang_kind_t kind, uint32_t pos)
{
    lang_node_t *n = lang_arena_alloc(a, sizeof *n);
    if (n) {
        n->kind = (uint8_t)kind;
        n->pos = pos;
        n->depth = 1;
    }
    return n;
}

lang_node_t *
lang_node_const(lang_arena_t *a, sr_value_t *value, uint32_t pos)
{
    if (!value)
        return NULL;
    if (lang_arena_keep(a, value) != SR_OK)
        return NULL;
    lang_node_t *n = lang_node_new(a, LANG_N_CONST, pos);
    if (n)
        n->value = value;
    return n;
}

sr_err_t
lang_node_set_kids(lang_arena_t *a, lang_node_t *node, lang_node_t *const *kids,
                   size_t n)
{
    node->kids = NULL;
    node->nkids = 0;
    if (n == 0)
        return SR_OK;
    lang_node_t **copy = lang_arena_alloc(a, n * sizeof *copy);
    if (!copy)
        return SR_ENOMEM;
    unsigned depth = 0;
    for (size_t i = 0; i < n; i++) {
        copy[i] = kids[i];
        if (kids[i] && kids[i]->depth > depth)
            depth = kids[i]->depth;
    }
    node->kids = copy;
    node->nkids = (uint16_t)n;
    node->depth = (uint16_t)(depth + 1 > UINT16_MAX ? UINT16_MAX : depth + 1);
    return SR_OK;
}
