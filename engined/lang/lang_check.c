// Graph checks of a loaded workflow. Direct: inbound transitions of every
// task (one per source task and clause), start tasks (no inbound), joins
// that can be satisfied. Reverse: an iterative depth-first search over
// `requires` that names each cycle it meets. Arrays go to the document.
#include "lang_check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S_MAX_JOIN_NAME 208 // Mistral: 255 - 47

static bool
s_inbound(lang_ld_t *ld, lang_workflow_t *wf)
{
    size_t n = wf->ntasks;
    size_t *count = calloc(n ? n : 1, sizeof *count);
    size_t *stamp = calloc(n ? n : 1, sizeof *stamp); // last (source, clause)
    if (!count || !stamp) {
        free(count);
        free(stamp);
        return lang_ld_oom(ld) != NULL;
    }
    // Pass 1 counts, pass 2 fills; a (source, clause) pair counts once.
    for (int pass = 0; pass < 2; pass++) {
        memset(stamp, 0, (n ? n : 1) * sizeof *stamp);
        for (size_t i = 0; i < n; i++) {
            const lang_task_t *t = &wf->tasks[i];
            for (int on = 0; on < LANG_ON_COUNT; on++) {
                size_t mark = i * LANG_ON_COUNT + (size_t)on + 1;
                for (size_t j = 0; j < t->on[on].count; j++) {
                    int to = t->on[on].next[j].task_index;
                    if (to < 0 || stamp[to] == mark)
                        continue;
                    stamp[to] = mark;
                    if (pass == 0) {
                        count[to]++;
                        continue;
                    }
                    lang_task_t *dst = &wf->tasks[to];
                    lang_inbound_t in = {(int)i, (lang_on_t)on};
                    dst->inbound[dst->ninbound++] = in;
                }
            }
        }
        for (size_t i = 0; pass == 0 && i < n; i++) {
            wf->tasks[i].inbound =
                lang_doc_alloc(ld->doc, count[i], sizeof *wf->tasks[i].inbound);
            if (!wf->tasks[i].inbound) {
                free(count);
                free(stamp);
                return lang_ld_oom(ld) != NULL;
            }
        }
    }
    free(count);
    free(stamp);
    return true;
}

// Distinct source tasks of a task's inbound transitions (they are sorted
// by source, so duplicates are neighbours).
static size_t
s_sources(const lang_task_t *t)
{
    size_t n = 0;
    for (size_t i = 0; i < t->ninbound; i++)
        n += i == 0 || t->inbound[i].from != t->inbound[i - 1].from;
    return n;
}

static bool
s_joins(lang_ld_t *ld, const lang_workflow_t *wf)
{
    bool ok = true;
    for (size_t i = 0; i < wf->ntasks; i++) {
        const lang_task_t *t = &wf->tasks[i];
        if (t->join == LANG_JOIN_NONE)
            continue;
        size_t in = s_sources(t);
        if (strlen(t->name) > S_MAX_JOIN_NAME) {
            lang_ld_err_pos(ld, t->pos,
                            "The length of a '%.40s...' join task name must "
                            "not exceed %d symbols",
                            t->name, S_MAX_JOIN_NAME);
            ok = false;
        }
        if (t->join == LANG_JOIN_ALL && in == 0) {
            lang_ld_err_pos(ld, t->pos,
                            "No inbound tasks for task with 'join: all' "
                            "[task_name=%s]",
                            t->name);
            ok = false;
        } else if (t->join > 0 && in < (size_t)t->join) {
            lang_ld_err_pos(ld, t->pos,
                            "Not enough inbound tasks for task with 'join' "
                            "[task_name=%s, join=%d, inbound_tasks=%zu]",
                            t->name, t->join, in);
            ok = false;
        }
    }
    return ok;
}

static bool
s_direct(lang_ld_t *ld, lang_workflow_t *wf)
{
    if (!s_inbound(ld, wf))
        return false;
    size_t n = 0;
    for (size_t i = 0; i < wf->ntasks; i++)
        n += wf->tasks[i].ninbound == 0;
    if (n == 0) {
        lang_ld_err_pos(ld, wf->pos,
                        "Failed to find start tasks in direct workflow '%s': "
                        "there must be at least one task without inbound "
                        "transition",
                        wf->name);
        return false;
    }
    wf->start = lang_doc_alloc(ld->doc, n, sizeof *wf->start);
    if (!wf->start)
        return lang_ld_oom(ld) != NULL;
    for (size_t i = 0; i < wf->ntasks; i++)
        if (wf->tasks[i].ninbound == 0)
            wf->start[wf->nstart++] = (int)i;
    return s_joins(ld, wf);
}

// Report the cycle that closes at `at` on the DFS path path[0..depth).
static void
s_cycle(lang_ld_t *ld, const lang_workflow_t *wf, const int *path, size_t depth,
        int at)
{
    size_t from = depth;
    while (from > 0 && path[from - 1] != at)
        from--;
    from = from > 0 ? from - 1 : 0;
    char buf[400];
    size_t used = 0;
    for (size_t i = from; i <= depth && used < sizeof buf; i++) {
        const char *name = wf->tasks[i < depth ? path[i] : at].name;
        int w = snprintf(buf + used, sizeof buf - used, "%s%s",
                         i > from ? " -> " : "", name);
        used += w > 0 ? (size_t)w : 0;
    }
    lang_ld_err_pos(ld, wf->tasks[at].pos, "'requires' form a cycle: %s", buf);
}

static bool
s_reverse(lang_ld_t *ld, const lang_workflow_t *wf)
{
    size_t n = wf->ntasks;
    // color: 0 new, 1 on the path, 2 done; path and next-edge stacks.
    unsigned char *color = calloc(n ? n : 1, 1);
    int *path = malloc((n ? n : 1) * sizeof *path);
    size_t *edge = malloc((n ? n : 1) * sizeof *edge);
    bool ok = true;
    if (!color || !path || !edge) {
        ok = lang_ld_oom(ld) != NULL;
        n = 0;
    }
    for (size_t root = 0; root < n; root++) {
        if (color[root])
            continue;
        size_t depth = 0;
        path[depth] = (int)root;
        edge[depth++] = 0;
        color[root] = 1;
        while (depth > 0) {
            const lang_task_t *t = &wf->tasks[path[depth - 1]];
            if (edge[depth - 1] == t->nrequires) {
                color[path[--depth]] = 2;
                continue;
            }
            int next = t->requires_index[edge[depth - 1]++];
            if (color[next] == 1) {
                s_cycle(ld, wf, path, depth, next);
                ok = false;
            } else if (color[next] == 0) {
                color[next] = 1;
                path[depth] = next;
                edge[depth++] = 0;
            }
        }
    }
    free(color);
    free(path);
    free(edge);
    return ok;
}

bool
lang_check_wf(lang_ld_t *ld, lang_workflow_t *wf)
{
    if (wf->type == LANG_WF_DIRECT)
        return s_direct(ld, wf);
    return s_reverse(ld, wf);
}
