// Transitions: the value of on-success / on-error / on-complete in all its
// forms (a name, a list of names, `name: <% condition %>` entries and
// engine commands with (msg=...), or {next: ..., publish: ...}) read into a
// lang_clause_t, target tasks resolved against ld->tasks.
#ifndef LANG_LOAD_CLAUSE_H
#define LANG_LOAD_CLAUSE_H

#include <stdbool.h>

#include "lang_ld.h"

// Read `node` (the value of keyword `what`) into *out (arrays and
// templates belong to the document). False after a report or on OOM.
bool lang_load_clause(lang_ld_t *ld, const lang_node_t *node, const char *what,
                      lang_clause_t *out);

#endif
