// Open-addressing hash table (linear probing, FNV-1a) from copied string
// keys to borrowed pointers. Grows at 50% load; never shrinks; no removal
// (the loader never needs it). Owns the keys and the slot array.
#include "lang_strtab.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    char *key; // owned; NULL for an empty slot
    size_t len;
    void *val;
} s_slot_t;

struct lang_strtab {
    s_slot_t *slots;
    size_t cap; // power of two
    size_t count;
};

static uint64_t
s_hash(const char *key, size_t len)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)key[i];
        h *= 1099511628211ULL;
    }
    return h;
}

lang_strtab_t *
lang_strtab_new(size_t hint)
{
    lang_strtab_t *tab = calloc(1, sizeof *tab);
    if (!tab)
        return NULL;
    tab->cap = 16;
    while (tab->cap < hint * 2 && tab->cap < ((size_t)1 << 40))
        tab->cap *= 2;
    tab->slots = calloc(tab->cap, sizeof *tab->slots);
    if (!tab->slots) {
        free(tab);
        return NULL;
    }
    return tab;
}

void
lang_strtab_destroy(lang_strtab_t **tab_p)
{
    if (!tab_p || !*tab_p)
        return;
    lang_strtab_t *tab = *tab_p;
    for (size_t i = 0; i < tab->cap; i++)
        free(tab->slots[i].key);
    free(tab->slots);
    free(tab);
    *tab_p = NULL;
}

static s_slot_t *
s_find(s_slot_t *slots, size_t cap, const char *key, size_t len)
{
    size_t i = (size_t)s_hash(key, len) & (cap - 1);
    while (slots[i].key &&
           (slots[i].len != len || memcmp(slots[i].key, key, len) != 0))
        i = (i + 1) & (cap - 1);
    return &slots[i];
}

void *
lang_strtab_get(const lang_strtab_t *tab, const char *key, size_t len)
{
    s_slot_t *s = s_find(tab->slots, tab->cap, key, len);
    return s->key ? s->val : NULL;
}

static sr_err_t
s_grow(lang_strtab_t *tab)
{
    size_t cap = tab->cap * 2;
    s_slot_t *slots = calloc(cap, sizeof *slots);
    if (!slots)
        return SR_ENOMEM;
    for (size_t i = 0; i < tab->cap; i++)
        if (tab->slots[i].key)
            *s_find(slots, cap, tab->slots[i].key, tab->slots[i].len) =
                tab->slots[i];
    free(tab->slots);
    tab->slots = slots;
    tab->cap = cap;
    return SR_OK;
}

sr_err_t
lang_strtab_put(lang_strtab_t *tab, const char *key, size_t len, void *val)
{
    if ((tab->count + 1) * 2 > tab->cap && s_grow(tab) != SR_OK)
        return SR_ENOMEM;
    s_slot_t *s = s_find(tab->slots, tab->cap, key, len);
    if (!s->key) {
        s->key = malloc(len + 1);
        if (!s->key)
            return SR_ENOMEM;
        memcpy(s->key, key, len);
        s->key[len] = '\0';
        s->len = len;
        tab->count++;
    }
    s->val = val;
    return SR_OK;
}

size_t
lang_strtab_count(const lang_strtab_t *tab)
{
    return tab->count;
}
