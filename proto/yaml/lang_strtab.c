// String keys (copied) to borrowed pointers: an array of items in the
// order their keys came, indexed by sr_hash (keyed, so that keys chosen
// by whoever wrote the YAML cannot collide on purpose). Never shrinks; no
// removal (the loader never needs it). Owns the keys and the array.
#include "lang_strtab.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sr_hash.h"

typedef struct {
    char *key; // owned; NUL-terminated copy
    size_t len;
    void *val;
} s_item_t;

struct lang_strtab {
    s_item_t *items; // owned
    size_t count, cap;
    sr_hash_t index; // key -> position in items
};

static bool
s_key_is(const void *arg, size_t pos, const void *key, size_t len)
{
    const s_item_t *it = (const s_item_t *)arg + pos;
    return it->len == len && memcmp(it->key, key, len) == 0;
}

lang_strtab_t *
lang_strtab_new(size_t hint)
{
    lang_strtab_t *tab = calloc(1, sizeof *tab);
    if (!tab)
        return NULL;
    sr_hash_init(&tab->index);
    if (hint && (sr_hash_reserve(&tab->index, hint) != SR_OK ||
                 !(tab->items = calloc(hint, sizeof *tab->items)))) {
        sr_hash_fini(&tab->index);
        free(tab);
        return NULL;
    }
    tab->cap = hint;
    return tab;
}

void
lang_strtab_destroy(lang_strtab_t **tab_p)
{
    if (!tab_p || !*tab_p)
        return;
    lang_strtab_t *tab = *tab_p;
    for (size_t i = 0; i < tab->count; i++)
        free(tab->items[i].key);
    free(tab->items);
    sr_hash_fini(&tab->index);
    free(tab);
    *tab_p = NULL;
}

static size_t
s_find(const lang_strtab_t *tab, const char *key, size_t len, uint32_t hash)
{
    return sr_hash_find(&tab->index, hash, s_key_is, tab->items, key, len);
}

void *
lang_strtab_get(const lang_strtab_t *tab, const char *key, size_t len)
{
    size_t at = s_find(tab, key, len, sr_hash_bytes(key, len));
    return at == SR_HASH_NONE ? NULL : tab->items[at].val;
}

sr_err_t
lang_strtab_put(lang_strtab_t *tab, const char *key, size_t len, void *val)
{
    uint32_t hash = sr_hash_bytes(key, len);
    size_t at = s_find(tab, key, len, hash);
    if (at != SR_HASH_NONE) {
        tab->items[at].val = val;
        return SR_OK;
    }
    if (tab->count == tab->cap) {
        size_t cap = tab->cap ? tab->cap * 2 : 8;
        s_item_t *items = realloc(tab->items, cap * sizeof *items);
        if (!items)
            return SR_ENOMEM;
        tab->items = items;
        tab->cap = cap;
    }
    char *copy = malloc(len + 1);
    if (!copy || sr_hash_add(&tab->index, hash, tab->count) != SR_OK) {
        free(copy);
        return SR_ENOMEM;
    }
    memcpy(copy, key, len);
    copy[len] = '\0';
    tab->items[tab->count++] = (s_item_t){copy, len, val};
    return SR_OK;
}

size_t
lang_strtab_count(const lang_strtab_t *tab)
{
    return tab->count;
}
