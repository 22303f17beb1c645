// Ad-hoc actions: an action defined over another (its base), possibly a
// chain of them. Expanding a chain evaluates each level's input top-down
// into the base action's input; a result goes back through the levels'
// `output` transformers bottom-up.
#ifndef CORE_ADHOC_H
#define CORE_ADHOC_H

#include "core_run.h"

// Levels of ad-hoc actions over one another that are followed (a longer
// chain is most likely a cycle).
#define CORE_ADHOC_MAX_DEPTH 16

// Expand `name` when it is an ad-hoc action of `doc`. Each level gets its
// declared inputs (defaults filled, unknown keys refused) and evaluates its
// base-input into the next level's input. *input (owned; a map) is replaced
// by the base action's input; *base gets the action a worker runs and
// *adhoc the top ad-hoc action (both borrowed from `doc`; *adhoc is NULL
// for a plain action). SR_EEXPR with r->err's message when an input is
// missing or unexpected, base-input is not a map or fails, or the chain is
// too deep; the unit then fails as the action would.
sr_err_t core_adhoc_expand(core_run_t *r, core_exec_t *exec, core_task_t *task,
                           const lang_doc_t *doc, const char *name,
                           sr_value_t **input, const char **base,
                           const char **adhoc);

// Apply the `output` of every level of the chain that starts at ad-hoc
// action `name`, the deepest first, to a successful `result` (borrowed;
// NULL = none). Each transformer sees the previous value as `$`. Caller
// owns *out (NULL when there is no result and no transformer). SR_EEXPR
// with r->err's message when an expression fails.
sr_err_t core_adhoc_output(core_run_t *r, const lang_doc_t *doc,
                           const char *name, const sr_value_t *result,
                           sr_value_t **out);

#endif
