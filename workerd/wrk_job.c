// One action execution of a worker node: made from a TASK, turned into a
// CONFIRM, run in a pool thread (or inline, in the node's), turned into a
// RESULT. Owns its TASK, its RESULT and its cancel handle. Does not send
// anything, and knows nothing of links, queues or the table of jobs
// (wrk_jobs.c). Thread rule in wrk_job.h: wrk_job_run belongs to the pool
// thread running the job (the node thread for an inline one), the rest to
// the node thread.
#include "wrk_job.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sr_msg_codec.h"
#include "sr_value_json.h"

sr_err_t
wrk_job_new(sr_msg_t **task_p, size_t link, uint64_t session, wrk_job_t **out,
            sr_error_t *err)
{
    sr_msg_t *task = *task_p;
    if (!task || sr_msg_type(task) != SR_MSG_TASK)
        return sr_error_set(err, SR_EPROTO, "not a TASK");
    wrk_job_t *job = calloc(1, sizeof *job);
    if (!job)
        return sr_error_set(err, SR_ENOMEM, "out of memory");
    if (!sr_msg_id(task, SR_F_TASK_action_id, &job->action_id)) {
        free(job);
        return sr_error_at(err, SR_EPROTO, "field 'action_id'", "missing");
    }
    job->attempt = sr_msg_int(task, SR_F_TASK_attempt, 1);
    job->epoch = sr_msg_int(task, SR_F_TASK_epoch, 0);
    char text[SR_ID_TEXT_SIZE];
    snprintf(job->key, sizeof job->key, "%s/%" PRId64,
             sr_id_format(&job->action_id, text), job->attempt);
    job->link = link;
    job->sent_link = WRK_JOB_UNSENT;
    job->session = session;
    job->state = WRK_JOB_QUEUED;
    job->task = task;
    *task_p = NULL;
    *out = job;
    return SR_OK;
}

void
wrk_job_destroy(wrk_job_t **job_p)
{
    if (!job_p || !*job_p)
        return;
    wrk_job_t *job = *job_p;
    sr_msg_destroy(&job->task);
    sr_msg_destroy(&job->result);
    wrk_cancel_destroy(&job->cancel);
    free(job);
    *job_p = NULL;
}

const char *
wrk_job_action(const wrk_job_t *job)
{
    const char *action =
        job->task ? sr_msg_str(job->task, SR_F_TASK_action) : NULL;
    return action ? action : "";
}

// A message of `type` carrying the job's action_id and attempt (and epoch
// when `epoch_field` is a field). NULL when out of memory.
static sr_msg_t *
s_answer_new(const wrk_job_t *job, sr_msg_type_t type, sr_field_t id_field,
             sr_field_t attempt_field, sr_field_t epoch_field)
{
    sr_msg_t *m = sr_msg_new(type);
    if (!m || sr_msg_set_id(m, id_field, &job->action_id) ||
        sr_msg_set_int(m, attempt_field, job->attempt) ||
        sr_msg_set_int(m, epoch_field, job->epoch))
        sr_msg_destroy(&m);
    return m;
}

sr_msg_t *
wrk_job_confirm_new(const wrk_job_t *job)
{
    return s_answer_new(job, SR_MSG_CONFIRM, SR_F_CONFIRM_action_id,
                        SR_F_CONFIRM_attempt, SR_F_CONFIRM_epoch);
}

bool
wrk_job_offers(const char *const *actions, size_t n, const char *action)
{
    if (n == 0)
        return true;
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(actions[i]);
        if (len > 0 && actions[i][len - 1] == '*') {
            if (strncmp(actions[i], action, len - 1) == 0)
                return true;
        } else if (strcmp(actions[i], action) == 0) {
            return true;
        }
    }
    return false;
}

// Put a text entry into the context map (a NULL text is skipped).
static sr_err_t
s_put_str(sr_value_t *map, const char *key, const char *text)
{
    return text ? sr_value_map_put(map, key, sr_value_new_str(text)) : SR_OK;
}

static sr_err_t
s_put_id(sr_value_t *map, const char *key, const sr_msg_t *task, sr_field_t f)
{
    sr_id_t id;
    char text[SR_ID_TEXT_SIZE];
    if (!sr_msg_id(task, f, &id))
        return SR_OK;
    return s_put_str(map, key, sr_id_format(&id, text));
}

// The registry's context for the TASK: its `context` map plus the ids,
// the task name and the callback token. NULL when out of memory.
static sr_value_t *
s_context_new(const sr_msg_t *task)
{
    const sr_value_t *given = sr_msg_get(task, SR_F_TASK_context);
    sr_value_t *ctx = given ? sr_value_dup(given) : sr_value_new_map(6);
    if (!ctx)
        return NULL;
    if (s_put_id(ctx, "execution_id", task, SR_F_TASK_execution_id) ||
        s_put_id(ctx, "task_id", task, SR_F_TASK_task_id) ||
        s_put_id(ctx, "action_id", task, SR_F_TASK_action_id) ||
        s_put_str(ctx, "task_name", sr_msg_str(task, SR_F_TASK_task_name)) ||
        s_put_str(ctx, "token", sr_msg_str(task, SR_F_TASK_token)))
        sr_value_destroy(&ctx);
    return ctx;
}

// Fill the RESULT's status and its output or error from an action's
// result; consumes r->value.
static sr_err_t
s_result_fill(sr_msg_t *m, wrk_result_t *r)
{
    sr_value_t *value = r->value;
    r->value = NULL;
    if (r->status == WRK_SUCCESS) {
        sr_err_t rc = sr_msg_set_str(m, SR_F_RESULT_status, "success");
        if (rc) {
            sr_value_destroy(&value);
            return rc;
        }
        return sr_msg_set(m, SR_F_RESULT_output, value);
    }
    if (r->status == WRK_PENDING) {
        sr_value_destroy(&value);
        return sr_msg_set_str(m, SR_F_RESULT_status, "pending");
    }
    sr_err_t rc = sr_msg_set_str(m, SR_F_RESULT_status, "error");
    if (rc == SR_OK && sr_value_is(value, SR_T_STR))
        rc = sr_msg_set(m, SR_F_RESULT_error, sr_value_ref(value));
    else if (rc == SR_OK) {
        // Error data that is not text (std.fail's error_data, std.http's
        // response): the text is its JSON, the value itself goes in output.
        char *json = sr_value_to_json(value, SR_JSON_COMPACT);
        rc = json ? sr_msg_set_str(m, SR_F_RESULT_error, json) : SR_ENOMEM;
        free(json);
        if (rc == SR_OK)
            rc = sr_msg_set(m, SR_F_RESULT_output, sr_value_ref(value));
    }
    sr_value_destroy(&value);
    return rc;
}

static sr_msg_t *
s_result_new(const wrk_job_t *job)
{
    return s_answer_new(job, SR_MSG_RESULT, SR_F_RESULT_action_id,
                        SR_F_RESULT_attempt, SR_F_RESULT_epoch);
}

// An `error` RESULT with the given text; NULL when out of memory.
static sr_msg_t *
s_error_result_new(const wrk_job_t *job, const char *text)
{
    sr_msg_t *m = s_result_new(job);
    if (m && (sr_msg_set_str(m, SR_F_RESULT_status, "error") ||
              sr_msg_set_str(m, SR_F_RESULT_error, text)))
        sr_msg_destroy(&m);
    return m;
}

bool
wrk_job_is_inline(const wrk_job_t *job, const wrk_job_env_t *env)
{
    return job->task &&
           wrk_registry_is_inline(env->registry, wrk_job_action(job),
                                  sr_msg_get(job->task, SR_F_TASK_input));
}

// Run the action of the TASK; `out` gets its result.
static void
s_call(const wrk_job_t *job, const wrk_job_env_t *env, wrk_result_t *out)
{
    const char *action = wrk_job_action(job);
    if (!wrk_job_offers(env->actions, env->n_actions, action)) {
        wrk_result_error(out, action, "not offered by worker '%s'",
                         env->worker);
        return;
    }
    sr_value_t *ctx = s_context_new(job->task);
    if (!ctx) {
        wrk_result_success(out, NULL); // out of memory
        return;
    }
    wrk_call_t call = {
        .action = action,
        .input = sr_msg_get(job->task, SR_F_TASK_input),
        .context = ctx,
        .deadline_ms = sr_msg_int(job->task, SR_F_TASK_deadline_ms, 0),
        .cancel = job->cancel,
    };
    if (wrk_registry_run(env->registry, &call, out, NULL) != SR_OK)
        wrk_result_success(out, NULL);
    sr_value_destroy(&ctx);
}

// Replace a RESULT whose encoding is over the limit by an error saying so.
static sr_msg_t *
s_bounded(wrk_job_t *job, sr_msg_t *m, const char *action, size_t max_bytes)
{
    char *buf = NULL;
    size_t len = 0;
    if (sr_msg_encode(m, &buf, &len, NULL) != SR_OK) {
        sr_msg_destroy(&m);
        return s_error_result_new(job, "worker could not encode the result");
    }
    free(buf);
    if (max_bytes == 0 || len <= max_bytes)
        return m;
    sr_msg_destroy(&m);
    char text[512];
    snprintf(text, sizeof text,
             "%s: result of %zu bytes is over the limit of %zu bytes", action,
             len, max_bytes);
    return s_error_result_new(job, text);
}

void
wrk_job_run(wrk_job_t *job, const wrk_job_env_t *env)
{
    wrk_result_t r = {0};
    s_call(job, env, &r);
    sr_msg_t *m = r.value ? s_result_new(job) : NULL; // NULL: out of memory
    if (m && s_result_fill(m, &r) != SR_OK)
        sr_msg_destroy(&m);
    wrk_result_fini(&r);
    if (m)
        m = s_bounded(job, m, wrk_job_action(job), env->max_result_bytes);
    sr_msg_destroy(&job->task);
    sr_msg_destroy(&job->result);
    job->result = m;
}

sr_err_t
wrk_job_fail(wrk_job_t *job, const char *text, sr_error_t *err)
{
    sr_msg_destroy(&job->task);
    sr_msg_destroy(&job->result);
    job->result = s_error_result_new(job, text);
    return job->result ? SR_OK : sr_error_set(err, SR_ENOMEM, "out of memory");
}

sr_err_t
wrk_job_fallback(wrk_job_t *job, sr_error_t *err)
{
    if (job->result)
        return SR_OK;
    return wrk_job_fail(
        job, "worker ran out of memory while running the action", err);
}
