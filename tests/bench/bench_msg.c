// Benchmark of the message codec: encode and decode rates of TASK and
// RESULT messages as the engine and workers exchange them. Prints figures;
// never fails on speed. Usage: bench_msg [ITERATIONS]
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "sr_msg.h"
#include "sr_msg_codec.h"

static double
s_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static sr_msg_t *
s_task(void)
{
    sr_msg_t *m = sr_msg_new(SR_MSG_TASK);
    sr_id_t id;
    sr_id_make(3, 0, &id);
    sr_msg_set_id(m, SR_F_TASK_action_id, &id);
    sr_msg_set_id(m, SR_F_TASK_execution_id, &id);
    sr_msg_set_id(m, SR_F_TASK_task_id, &id);
    sr_msg_set_str(m, SR_F_TASK_task_name, "send_notification");
    sr_msg_set_str(m, SR_F_TASK_action, "std.echo");
    sr_value_t *input = sr_value_new_map(3);
    sr_value_map_put(input, "output", sr_value_new_str("Hello, world"));
    sr_value_map_put(input, "count", sr_value_new_int(3));
    sr_value_map_put(input, "flag", sr_value_new_bool(true));
    sr_msg_set(m, SR_F_TASK_input, input);
    sr_msg_set_int(m, SR_F_TASK_attempt, 1);
    sr_msg_set_int(m, SR_F_TASK_epoch, 12);
    sr_msg_set_int(m, SR_F_TASK_deadline_ms, 1763900000000);
    return m;
}

static sr_msg_t *
s_result(void)
{
    sr_msg_t *m = sr_msg_new(SR_MSG_RESULT);
    sr_id_t id;
    sr_id_make(3, 0, &id);
    sr_msg_set_id(m, SR_F_RESULT_action_id, &id);
    sr_msg_set_int(m, SR_F_RESULT_attempt, 1);
    sr_msg_set_int(m, SR_F_RESULT_epoch, 12);
    sr_msg_set_str(m, SR_F_RESULT_status, "success");
    sr_msg_set_str(m, SR_F_RESULT_output, "Hello, world");
    return m;
}

static int
s_run(const char *name, sr_msg_t *m, long n)
{
    char *buf = NULL;
    size_t len = 0;
    sr_error_t err;
    double t0 = s_now();
    for (long i = 0; i < n; i++) {
        if (sr_msg_encode(m, &buf, &len, &err) != SR_OK)
            goto fail;
        free(buf);
    }
    double t1 = s_now();
    if (sr_msg_encode(m, &buf, &len, &err) != SR_OK)
        goto fail;
    for (long i = 0; i < n; i++) {
        sr_msg_t *out = NULL;
        if (sr_msg_decode(buf, len, NULL, &out, &err) != SR_OK) {
            free(buf);
            goto fail;
        }
        sr_msg_destroy(&out);
    }
    double t2 = s_now();
    free(buf);
    printf("%-7s %4zu bytes  encode %9.0f msg/s  decode %9.0f msg/s  "
           "encode+decode %9.0f msg/s\n",
           name, len, n / (t1 - t0), n / (t2 - t1), n / (t2 - t0));
    return 0;
fail:
    fprintf(stderr, "bench_msg: %s: %s: %s\n", name, err.where, err.msg);
    return 1;
}

int
main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 200000;
    if (n <= 0) {
        fprintf(stderr, "usage: bench_msg [ITERATIONS]\n");
        return 2;
    }
    sr_msg_t *task = s_task(), *result = s_result();
    int rc = s_run("TASK", task, n) || s_run("RESULT", result, n);
    sr_msg_destroy(&task);
    sr_msg_destroy(&result);
    return rc;
}
