/* Where a client's subscriptions are held: an array of the executions
 * subscribed to (each with its engine, epoch and last state heard), the
 * wish for every execution with a flag per engine, and the time of the
 * next check. It plans checks from STATUS bodies and makes the event of
 * a state change missed during a move; it sends nothing.
 * Thread rule: one thread.
 */
#include "sr_client_subs.h"

#include <stdlib.h>
#include <string.h>

#include "sirocco/client.h"
#include "sr_body.h"
#include "sr_client_cover.h"

#define S_STATE_MAX 32 // an EVENT's state field is at most 32 bytes

// A subscription to one execution.
typedef struct {
    sr_id_t id;
    size_t engine;           // where its SUBSCRIBE was answered
    int64_t epoch;           // its partition's epoch there; -1: unknown
    char state[S_STATE_MAX]; // the last state heard; "": none
    uint64_t heard;          // `execution` events heard so far
    bool is_ended;           // DELETED: the engine ended it
} s_one_t;

struct sr_client_subs {
    size_t engines;
    bool is_all;                          // every execution wanted
    bool held_all[SR_CLIENT_ENGINES_MAX]; // engines holding it
    s_one_t *ones;                        // owned
    size_t n, cap;
    int64_t due_ms; // the next check; 0: none
};

sr_client_subs_t *
sr_client_subs_new(size_t engines)
{
    if (engines == 0 || engines > SR_CLIENT_ENGINES_MAX)
        return NULL;
    sr_client_subs_t *s = calloc(1, sizeof *s);
    if (s)
        s->engines = engines;
    return s;
}

void
sr_client_subs_destroy(sr_client_subs_t **s_p)
{
    if (!s_p || !*s_p)
        return;
    free((*s_p)->ones);
    free(*s_p);
    *s_p = NULL;
}

static s_one_t *
s_find(sr_client_subs_t *s, const sr_id_t *id)
{
    for (size_t k = 0; k < s->n; k++)
        if (sr_id_equal(&s->ones[k].id, id))
            return &s->ones[k];
    return NULL;
}

sr_err_t
sr_client_subs_add(sr_client_subs_t *s, const sr_id_t *id, size_t engine,
                   sr_error_t *err)
{
    s_one_t *one = s_find(s, id);
    if (one) {
        one->is_ended = false;
        return SR_OK;
    }
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 4;
        s_one_t *more = realloc(s->ones, cap * sizeof *more);
        if (!more)
            return sr_error_set(err, SR_ENOMEM, "out of memory");
        s->ones = more;
        s->cap = cap;
    }
    s->ones[s->n++] = (s_one_t){.id = *id, .engine = engine, .epoch = -1};
    return SR_OK;
}

void
sr_client_subs_want_all(sr_client_subs_t *s)
{
    s->is_all = true;
}

void
sr_client_subs_held_all(sr_client_subs_t *s, size_t engine)
{
    if (engine < s->engines)
        s->held_all[engine] = true;
}

void
sr_client_subs_clear(sr_client_subs_t *s)
{
    s->is_all = false;
    memset(s->held_all, 0, sizeof s->held_all);
    s->n = 0;
    s->due_ms = 0;
}

bool
sr_client_subs_is_empty(const sr_client_subs_t *s)
{
    return !s->is_all && s->n == 0;
}

int64_t
sr_client_subs_due_ms(const sr_client_subs_t *s)
{
    return s->due_ms;
}

void
sr_client_subs_set_due_ms(sr_client_subs_t *s, int64_t due_ms)
{
    s->due_ms = due_ms;
}

static void
s_set_state(s_one_t *one, const char *state)
{
    size_t len = state ? strlen(state) : 0;
    if (len >= sizeof one->state) // no state is this long: unknown
        len = 0;
    memcpy(one->state, state ? state : "", len);
    one->state[len] = '\0';
}

void
sr_client_subs_seen(const sr_value_t *event, void *arg)
{
    sr_client_subs_t *s = arg;
    const char *kind = sr_value_map_str(event, "kind");
    const char *text = sr_value_map_str(event, "execution_id");
    const char *state = sr_value_map_str(event, "state");
    sr_id_t id;
    if (!kind || strcmp(kind, "execution") != 0 || !text || !state ||
        sr_id_parse(text, &id) != SR_OK)
        return;
    s_one_t *one = s_find(s, &id);
    if (!one)
        return;
    s_set_state(one, state);
    one->heard++;
    one->is_ended = strcmp(state, "DELETED") == 0;
}

uint64_t
sr_client_subs_heard(sr_client_subs_t *s, const sr_id_t *id)
{
    const s_one_t *one = s_find(s, id);
    return one ? one->heard : 0;
}

// --- checks -------------------------------------------------------------

// Has engine i forgotten this client (it answered, saying it holds none
// of its subscriptions)? An engine that does not say is trusted.
static bool
s_forgot(const sr_value_t *statuses, size_t i)
{
    const sr_value_t *st = sr_value_array_at(statuses, i);
    return sr_value_is(st, SR_T_MAP) &&
           sr_body_int(st, SR_B_STATUS_subscriptions, -1) == 0;
}

// The engine that answered and serves `p`, in the highest epoch (`held`
// wins a tie); false when none does.
static bool
s_owner(const sr_value_t *statuses, uint16_t p, size_t held, size_t *engine,
        int64_t *epoch)
{
    bool found = false;
    for (size_t i = 0; i < sr_value_len(statuses); i++) {
        const sr_value_t *st = sr_value_array_at(statuses, i);
        int64_t e =
            sr_value_is(st, SR_T_MAP) ? sr_client_cover_epoch(st, p) : -1;
        if (e < 0 || (found && (e < *epoch || (e == *epoch && i != held))))
            continue;
        *engine = i;
        *epoch = e;
        found = true;
    }
    return found;
}

// The step for one subscription, or NOTHING.
static sr_client_subs_step_t
s_step(s_one_t *one, const sr_value_t *statuses, bool *is_waiting)
{
    sr_client_subs_step_t step = {.what = SR_CLIENT_SUBS_NOTHING,
                                  .id = one->id};
    if (one->is_ended)
        return step;
    if (!s_owner(statuses, sr_id_partition(&one->id), one->engine, &step.engine,
                 &step.epoch)) {
        *is_waiting = true; // an election, say: not served yet
        return step;
    }
    bool is_held =
        step.engine == one->engine && !s_forgot(statuses, step.engine);
    if (is_held && one->epoch < 0) // first seen served there: from now on
        one->epoch = step.epoch;
    else if (is_held && one->epoch != step.epoch)
        step.what = SR_CLIENT_SUBS_READ;
    else if (!is_held)
        step.what = SR_CLIENT_SUBS_MOVE;
    return step;
}

sr_err_t
sr_client_subs_plan(sr_client_subs_t *s, const sr_value_t *statuses,
                    sr_client_subs_step_t **steps, size_t *n, bool *is_waiting,
                    sr_error_t *err)
{
    sr_client_subs_step_t *out = malloc((s->n + s->engines + 1) * sizeof *out);
    if (!out)
        return sr_error_set(err, SR_ENOMEM, "out of memory");
    size_t count = 0;
    *is_waiting = false;
    for (size_t i = 0; i < s->engines && i < sr_value_len(statuses); i++) {
        if (s_forgot(statuses, i))
            s->held_all[i] = false;
        if (s->is_all && !s->held_all[i] &&
            sr_value_is(sr_value_array_at(statuses, i), SR_T_MAP))
            out[count++] = (sr_client_subs_step_t){.what = SR_CLIENT_SUBS_ALL,
                                                   .engine = i};
    }
    for (size_t k = 0; k < s->n; k++) {
        sr_client_subs_step_t step = s_step(&s->ones[k], statuses, is_waiting);
        if (step.what != SR_CLIENT_SUBS_NOTHING)
            out[count++] = step;
    }
    *steps = out;
    *n = count;
    return SR_OK;
}

// An `execution` event of `execution` as it is now.
static sr_value_t *
s_event(const sr_value_t *execution, const char *text)
{
    const char *name = sr_body_str(execution, SR_B_EXECUTION_workflow_name);
    const char *state = sr_body_str(execution, SR_B_EXECUTION_state);
    const char *info = sr_body_str(execution, SR_B_EXECUTION_state_info);
    sr_value_t *ev = sr_value_new_map(6);
    if (!ev || sr_value_map_put(ev, "execution_id", sr_value_new_str(text)) ||
        sr_value_map_put(ev, "kind", sr_value_new_str("execution")) ||
        (name && sr_value_map_put(ev, "name", sr_value_new_str(name))) ||
        sr_value_map_put(ev, "state", sr_value_new_str(state)) ||
        (info && sr_value_map_put(ev, "state_info", sr_value_new_str(info))) ||
        sr_value_map_put(ev, "time_ms",
                         sr_value_new_int(sr_body_int(
                             execution, SR_B_EXECUTION_updated_ms, 0))))
        sr_value_destroy(&ev);
    return ev;
}

sr_err_t
sr_client_subs_moved(sr_client_subs_t *s, const sr_id_t *id, size_t engine,
                     int64_t epoch, const sr_value_t *execution, uint64_t heard,
                     sr_value_t **event, sr_error_t *err)
{
    *event = NULL;
    s_one_t *one = s_find(s, id);
    if (!one)
        return SR_OK;
    one->engine = engine;
    one->epoch = epoch;
    const char *state = sr_body_str(execution, SR_B_EXECUTION_state);
    const char *text = sr_value_map_str(execution, "id");
    if (!state || !text || one->heard != heard ||
        strcmp(state, one->state) == 0 ||
        (!one->state[0] && !sr_client_state_is_final(state)))
        return SR_OK; // nothing missed, told since, or nothing to compare
    s_set_state(one, state);
    *event = s_event(execution, text);
    if (!*event)
        return sr_error_set(err, SR_ENOMEM, "out of memory");
    return SR_OK;
}
