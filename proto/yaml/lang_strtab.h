// A string-keyed hash table of borrowed pointers: anchors by name,
// duplicate keys of a YAML map, tasks and workflows by name. Keys are
// copied (any bytes, length-delimited). One thread at a time.
#ifndef LANG_STRTAB_H
#define LANG_STRTAB_H

#include <stddef.h>

#include "sr_err.h"

typedef struct lang_strtab lang_strtab_t;

// NULL when memory runs out.
lang_strtab_t *lang_strtab_new(size_t hint);
void lang_strtab_destroy(lang_strtab_t **tab_p);
// The value stored under key, or NULL.
void *lang_strtab_get(const lang_strtab_t *tab, const char *key, size_t len);
// Insert or replace. `val` must not be NULL.
sr_err_t lang_strtab_put(lang_strtab_t *tab, const char *key, size_t len,
                         void *val);
size_t lang_strtab_count(const lang_strtab_t *tab);

#endif
