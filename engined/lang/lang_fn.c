// Name lookup over the built-in tables of every library file. Runs at
// compile time only (a linear scan); evaluation uses the resolved pointer.
#include <string.h>

#include "lang_fn.h"

typedef struct {
    const lang_fn_table_t *tables;
    const size_t *count;
} s_lib_t;

const lang_builtin_t *
lang_builtin_find(lang_ns_t ns, const char *name, size_t len)
{
    const s_lib_t libs[1] = {{NULL, NULL}};
    for (size_t l = 0; l < sizeof libs / sizeof libs[0] && libs[l].count;
         l++) {
        for (size_t t = 0; t < *libs[l].count; t++) {
            const lang_fn_table_t *table = &libs[l].tables[t];
            if (table->ns != ns)
                continue;
            for (size_t i = 0; i < table->count; i++) {
                const lang_builtin_t *b = &table->entries[i];
                if (strlen(b->name) == len && memcmp(b->name, name, len) == 0)
                    return b;
            }
        }
    }
    return NULL;
}
