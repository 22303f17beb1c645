// Test helpers for workerd: temporary folders, scripts, running actions
// from JSON text and checking results. Used by tests only; one thread each
// except the cancel timer.
#include "wrk_test_support.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sr_value_json.h"

char *
wt_tmpdir(void)
{
    const char *base = getenv("TMPDIR");
    char *path = NULL;
    assert_true(asprintf(&path, "%s/sirocco-wrk-XXXXXX",
                         base && base[0] ? base : "/tmp") > 0);
    assert_non_null(mkdtemp(path));
    return path;
}

static int
s_remove(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

void
wt_rmtree(char **dir)
{
    if (!*dir)
        return;
    nftw(*dir, s_remove, 16, FTW_DEPTH | FTW_PHYS);
    free(*dir);
    *dir = NULL;
}

void
wt_write_file(const char *dir, const char *name, const char *text, int is_exec)
{
    char *path = NULL;
    assert_true(asprintf(&path, "%s/%s", dir, name) > 0);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    assert_int_equal(fputs(text, f) >= 0, 1);
    assert_int_equal(fclose(f), 0);
    assert_int_equal(chmod(path, is_exec ? 0755 : 0644), 0);
    free(path);
}

sr_value_t *
wt_json(const char *text)
{
    sr_value_t *v = NULL;
    sr_error_t err;
    if (sr_value_from_json(text, strlen(text), NULL, &v, &err) != SR_OK)
        fail_msg("bad JSON in test: %s (%s)", text, err.msg);
    return v;
}

wrk_result_t
wt_run(const wrk_registry_t *reg, const char *action, const char *input_json,
       const char *context_json, int64_t deadline_in_ms, wrk_cancel_t *cancel)
{
    sr_value_t *input = input_json ? wt_json(input_json) : NULL;
    sr_value_t *context = context_json ? wt_json(context_json) : NULL;
    wrk_call_t call = {
        .action = action,
        .input = input,
        .context = context,
        .deadline_ms = deadline_in_ms ? wrk_now_ms() + deadline_in_ms : 0,
        .cancel = cancel,
    };
    wrk_result_t r = {0};
    sr_error_t err;
    assert_int_equal(wrk_registry_run(reg, &call, &r, &err), SR_OK);
    assert_non_null(r.value);
    sr_value_destroy(&input);
    sr_value_destroy(&context);
    return r;
}

void
wt_assert_result(const wrk_result_t *r, int status, const char *json)
{
    char *text = sr_value_to_json(r->value, SR_JSON_COMPACT);
    assert_non_null(text);
    if ((int)r->status != status || strcmp(text, json) != 0)
        fail_msg("expected %s %s, got %s %s",
                 wrk_status_name((wrk_status_t)status), json,
                 wrk_status_name(r->status), text);
    free(text);
}

void
wt_assert_error_has(const wrk_result_t *r, const char *part)
{
    const char *msg = sr_value_str(r->value);
    if (r->status != WRK_ERROR || !sr_value_is(r->value, SR_T_STR) ||
        !strstr(msg, part)) {
        char *text = sr_value_to_json(r->value, SR_JSON_COMPACT);
        fail_msg("expected an ERROR containing '%s', got %s %s", part,
                 wrk_status_name(r->status), text ? text : "?");
    }
}

static void *
s_timer(void *arg)
{
    wt_timer_t *t = arg;
    usleep((useconds_t)(t->ms * 1000));
    wrk_cancel_set(t->cancel);
    return NULL;
}

void
wt_timer_start(wt_timer_t *t, wrk_cancel_t *cancel, int64_t ms)
{
    t->cancel = cancel;
    t->ms = ms;
    assert_int_equal(pthread_create(&t->thread, NULL, s_timer, t), 0);
}

void
wt_timer_join(wt_timer_t *t)
{
    pthread_join(t->thread, NULL);
}
