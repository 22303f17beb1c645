// The client half of `sirocco run` (see cmd_run_client.h): plain protocol
// messages over a DEALER socket, so it is also a small example of a
// client. Requests are answered in order here; EVENTs that arrive while
// waiting for a reply are shown as they come.
#include "cmd_run_client.h"

#include <czmq.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "sr_id.h"
#include "sr_msg.h"
#include "sr_value_json.h"
#include "sr_wire.h"

#define S_WAIT_MS 30000 // a reply later than this means the engine is stuck

typedef struct {
    const run_client_opts_t *o;
    zsock_t *sock;
    int64_t req;
    sr_id_t id;
    bool have_id;
    const char *final; // the execution's final state, once seen
} s_run_t;

static const char *
s_final_state(const char *state)
{
    static const char *finals[] = {"SUCCESS", "ERROR", "CANCELLED", "PAUSED"};
    for (size_t i = 0; i < 4; i++)
        if (strcmp(state, finals[i]) == 0)
            return finals[i];
    return NULL;
}

static void
s_event(s_run_t *r, const sr_msg_t *m)
{
    sr_id_t id;
    if (!r->have_id || !sr_msg_id(m, SR_F_EVENT_execution_id, &id) ||
        !sr_id_equal(&id, &r->id))
        return; // sub-workflows and other executions
    const char *kind = sr_msg_str(m, SR_F_EVENT_kind);
    const char *state = sr_msg_str(m, SR_F_EVENT_state);
    const char *info = sr_msg_str(m, SR_F_EVENT_state_info);
    if (kind && strcmp(kind, "task") == 0) {
        const char *name = sr_msg_str(m, SR_F_EVENT_name);
        fprintf(stderr, "  %-24s %s%s%.200s\n", name ? name : "?", state,
                info ? "  " : "", info ? info : "");
    } else if (state && s_final_state(state))
        r->final = s_final_state(state);
}

// Send a request and wait for its reply; *body is the REPLY body (owned).
static int
s_call(s_run_t *r, sr_msg_t *m, sr_value_t **body)
{
    sr_error_t err;
    int64_t req = ++r->req;
    sr_field_t f = sr_msg_field_find(sr_msg_type(m), "req_id", 6);
    if (sr_msg_set_int(m, f, req) || sr_wire_send(r->sock, NULL, m, &err)) {
        fprintf(stderr, "sirocco run: cannot send %s\n",
                sr_msg_type_name(sr_msg_type(m)));
        sr_msg_destroy(&m);
        return CLI_FAILED;
    }
    const char *what = sr_msg_type_name(sr_msg_type(m));
    sr_msg_destroy(&m);
    for (;;) {
        sr_wire_in_t in;
        sr_err_t rc = sr_wire_recv(r->sock, S_WAIT_MS, NULL, &in, &err);
        if (rc) {
            fprintf(stderr, "sirocco run: no answer to %s: %s\n", what,
                    err.msg);
            sr_wire_in_fini(&in);
            return CLI_FAILED;
        }
        if (in.type == SR_MSG_EVENT)
            s_event(r, in.msg);
        else if (sr_msg_req_id(in.msg) == req) {
            int code = CLI_OK;
            if (in.type == SR_MSG_REPLY)
                *body = sr_msg_take(in.msg, SR_F_REPLY_body);
            else {
                sr_msg_to_error(in.msg, &err);
                fprintf(stderr, "sirocco run: %s refused: %s\n", what, err.msg);
                code = CLI_FAILED;
            }
            sr_wire_in_fini(&in);
            return code;
        }
        sr_wire_in_fini(&in);
    }
}

static int
s_get(s_run_t *r, sr_msg_type_t type, sr_value_t **body)
{
    sr_msg_t *m = sr_msg_new(type);
    sr_field_t f = sr_msg_field_find(type, "execution_id", 12);
    if (!m || sr_msg_set_id(m, f, &r->id)) {
        sr_msg_destroy(&m);
        return CLI_FAILED;
    }
    return s_call(r, m, body);
}

static int
s_begin(s_run_t *r)
{
    const run_client_opts_t *o = r->o;
    sr_value_t *body = NULL;
    int rc = s_call(r, sr_msg_new(SR_MSG_SUBSCRIBE), &body);
    sr_value_destroy(&body);
    if (rc)
        return rc;
    if (o->resume) {
        if (sr_id_parse(o->resume, &r->id)) {
            fprintf(stderr, "sirocco run: '%s' is not an execution id\n",
                    o->resume);
            return CLI_USAGE;
        }
        r->have_id = true;
        rc = s_get(r, SR_MSG_EX_RESUME, &body);
        sr_value_destroy(&body);
        return rc;
    }
    sr_msg_t *m = sr_msg_new(SR_MSG_WF_CREATE);
    if (!m || sr_msg_set_str(m, SR_F_WF_CREATE_definition, o->definition))
        return CLI_FAILED;
    if ((rc = s_call(r, m, &body)))
        return rc;
    sr_value_destroy(&body);
    m = sr_msg_new(SR_MSG_EX_START);
    sr_value_t *params = sr_value_new_map(1);
    if (!m || !params ||
        sr_msg_set_str(m, SR_F_EX_START_workflow, o->workflow) ||
        (o->input && sr_msg_set(m, SR_F_EX_START_input,
                                sr_value_ref((sr_value_t *)o->input))) ||
        (o->env && sr_msg_set(m, SR_F_EX_START_env,
                              sr_value_ref((sr_value_t *)o->env))) ||
        (o->task &&
         sr_value_map_put(params, "task_name", sr_value_new_str(o->task))) ||
        sr_msg_set(m, SR_F_EX_START_params, sr_value_ref(params))) {
        sr_value_destroy(&params);
        sr_msg_destroy(&m);
        return CLI_FAILED;
    }
    sr_value_destroy(&params);
    if ((rc = s_call(r, m, &body)))
        return rc;
    rc = sr_id_from_value(sr_value_map_get(body, "id"), &r->id) ? CLI_FAILED
                                                                : CLI_OK;
    r->have_id = !rc;
    const char *state = sr_value_map_str(body, "state");
    if (state && s_final_state(state))
        r->final = s_final_state(state);
    if (!rc && !o->json) {
        char text[SR_ID_TEXT_SIZE];
        fprintf(stderr, "execution %s of %s\n", sr_id_format(&r->id, text),
                o->workflow);
    }
    sr_value_destroy(&body);
    return rc;
}

// Wait for the final (or paused) state; every second check with EX_GET
// in case an event was missed.
static int
s_wait(s_run_t *r)
{
    int64_t beat = zclock_mono();
    while (!r->final) {
        sr_wire_in_t in;
        sr_error_t err;
        if (zclock_mono() - beat > 1000) { // keep the subscription alive
            sr_msg_t *hb = sr_msg_new(SR_MSG_HEARTBEAT);
            if (hb)
                (void)sr_wire_send(r->sock, NULL, hb, &err);
            sr_msg_destroy(&hb);
            beat = zclock_mono();
        }
        sr_err_t rc = sr_wire_recv(r->sock, 1000, NULL, &in, &err);
        if (rc == SR_OK && in.type == SR_MSG_EVENT)
            s_event(r, in.msg);
        sr_wire_in_fini(&in);
        if (rc == SR_ETIMEDOUT) {
            sr_value_t *body = NULL;
            if (s_get(r, SR_MSG_EX_GET, &body))
                return CLI_FAILED;
            const char *state = sr_value_map_str(body, "state");
            if (state && s_final_state(state))
                r->final = s_final_state(state);
            sr_value_destroy(&body);
        }
    }
    return CLI_OK;
}

static bool
s_tasks_settled(const sr_value_t *tasks)
{
    for (size_t i = 0; i < sr_value_len(tasks); i++) {
        const char *st = sr_value_map_str(sr_value_array_at(tasks, i), "state");
        if (!st || !s_final_state(st) || strcmp(st, "PAUSED") == 0)
            return false;
    }
    return true;
}

// A finished execution may still have tasks running (they were started
// before `succeed` or `fail` ended it, and end in their own state): wait
// a little for them so the report shows where they ended.
static void
s_settle(s_run_t *r)
{
    if (strcmp(r->final, "PAUSED") == 0)
        return;
    for (int i = 0; i < 200; i++) {
        sr_value_t *tasks = NULL;
        if (s_get(r, SR_MSG_TASK_LIST, &tasks))
            return;
        bool settled = s_tasks_settled(tasks);
        sr_value_destroy(&tasks);
        if (settled)
            return;
        zclock_sleep(50);
    }
}

static sr_value_t *
s_summary_tasks(const sr_value_t *tasks)
{
    static const char *keys[] = {"name", "state", "state_info", "published"};
    sr_value_t *out = sr_value_new_array(sr_value_len(tasks));
    for (size_t i = 0; out && i < sr_value_len(tasks); i++) {
        const sr_value_t *t = sr_value_array_at(tasks, i);
        sr_value_t *m = sr_value_new_map(4);
        for (size_t k = 0; m && k < 4; k++) {
            sr_value_t *v = sr_value_map_get(t, keys[k]);
            if (sr_value_map_put(m, keys[k],
                                 v ? sr_value_ref(v) : sr_value_new_nil()))
                sr_value_destroy(&m);
        }
        if (!m || sr_value_array_append(out, m))
            sr_value_destroy(&out);
    }
    return out;
}

static int
s_report(s_run_t *r)
{
    sr_value_t *ex = NULL, *tasks = NULL;
    int rc = s_get(r, SR_MSG_EX_GET, &ex);
    if (!rc)
        rc = s_get(r, SR_MSG_TASK_LIST, &tasks);
    if (rc) {
        sr_value_destroy(&ex);
        return rc;
    }
    const char *state = sr_value_map_str(ex, "state");
    const char *info = sr_value_map_str(ex, "state_info");
    sr_value_t *output = sr_value_map_get(ex, "output");
    if (r->o->json) {
        sr_value_t *o = sr_value_new_map(6);
        sr_value_t *keep[] = {sr_value_map_get(ex, "id"),
                              sr_value_map_get(ex, "workflow_name"),
                              sr_value_map_get(ex, "state"), output,
                              sr_value_map_get(ex, "state_info")};
        const char *names[] = {"id", "workflow", "state", "output",
                               "state_info"};
        for (size_t i = 0; o && i < 5; i++)
            if (sr_value_map_put(o, names[i],
                                 keep[i] ? sr_value_ref(keep[i])
                                         : sr_value_new_nil()))
                sr_value_destroy(&o);
        if (o && sr_value_map_put(o, "tasks", s_summary_tasks(tasks)))
            sr_value_destroy(&o);
        char *text = o ? sr_value_to_json(o, SR_JSON_SPACED) : NULL;
        if (text)
            printf("%s\n", text);
        free(text);
        sr_value_destroy(&o);
    } else {
        char *text = sr_value_to_json(output, SR_JSON_PRETTY);
        printf("%s%s%s\n%s\n", state ? state : "?", info ? ": " : "",
               info ? info : "", text ? text : "null");
        free(text);
    }
    rc = !state                          ? CLI_FAILED
         : strcmp(state, "SUCCESS") == 0 ? CLI_OK
         : strcmp(state, "PAUSED") == 0  ? CLI_PAUSED
                                         : CLI_FAILED;
    if (rc == CLI_PAUSED && !r->o->json) {
        char text[SR_ID_TEXT_SIZE];
        fprintf(stderr, "paused: resume with --resume %s\n",
                sr_id_format(&r->id, text));
    }
    sr_value_destroy(&ex);
    sr_value_destroy(&tasks);
    return rc;
}

int
run_client(const run_client_opts_t *o)
{
    s_run_t r = {.o = o};
    r.sock = zsock_new_dealer(o->endpoint);
    if (!r.sock) {
        fprintf(stderr, "sirocco run: cannot connect to %s\n", o->endpoint);
        return CLI_FAILED;
    }
    int rc = s_begin(&r);
    if (!rc)
        rc = s_wait(&r);
    if (!rc)
        s_settle(&r);
    if (!rc)
        rc = s_report(&r);
    zsock_destroy(&r.sock);
    return rc;
}
