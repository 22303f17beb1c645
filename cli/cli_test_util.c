/* Support for the tests of the sirocco cluster commands: runs the built
 * binary through the shell against the fake engines of the client tests'
 * fixture and keeps what it printed. Test support only.
 */
#include "cli_test_util.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "sr_value_json.h"

sr_fx_t cli_fx;
char cli_out[65536], cli_err[65536];
static char s_bin[1024], s_out_path[256], s_err_path[256];
static const char *s_cluster; // $SIROCCO_CLUSTER of runs; NULL = both

static void
s_slurp(const char *path, char *buf, size_t size)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    size_t n = fread(buf, 1, size - 1, f);
    buf[n] = '\0';
    fclose(f);
}

int
cli_test_run(const char *fmt, ...)
{
    char args[4096], cmd[8192];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(args, sizeof args, fmt, ap);
    va_end(ap);
    snprintf(cmd, sizeof cmd,
             "cd '%s' && SIROCCO_CLUSTER='%s' '%s' </dev/null %s >'%s' 2>'%s'",
             cli_fx.dir, s_cluster ? s_cluster : cli_fx.both, s_bin, args,
             s_out_path, s_err_path);
    int st = system(cmd);
    assert_true(WIFEXITED(st));
    s_slurp(s_out_path, cli_out, sizeof cli_out);
    s_slurp(s_err_path, cli_err, sizeof cli_err);
    return WEXITSTATUS(st);
}

void
cli_test_set_cluster(const char *value)
{
    s_cluster = value;
}

void
cli_test_has(const char *text, const char *part)
{
    if (!strstr(text, part))
        fail_msg("expected '%s' in:\n%s", part, text);
}

sr_value_t *
cli_test_json_out(void)
{
    sr_value_t *v = NULL;
    sr_error_t err;
    if (sr_value_from_json(cli_out, strlen(cli_out), NULL, &v, &err) != SR_OK)
        fail_msg("not JSON (%s):\n%s", err.msg, cli_out);
    return v;
}

void
cli_test_write(const char *name, const char *text)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", cli_fx.dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

int
cli_test_setup(void **state)
{
    (void)state;
    const char *build = getenv("SR_BUILD_DIR");
    snprintf(s_bin, sizeof s_bin, "%s/bin/sirocco", build ? build : "..");
    if (sr_fx_setup(&cli_fx))
        return -1;
    snprintf(s_out_path, sizeof s_out_path, "%s/stdout", cli_fx.dir);
    snprintf(s_err_path, sizeof s_err_path, "%s/stderr", cli_fx.dir);
    return 0;
}

int
cli_test_teardown(void **state)
{
    (void)state;
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "rm -f '%s'/*.yaml '%s'/*.json '%s' '%s'",
             cli_fx.dir, cli_fx.dir, s_out_path, s_err_path);
    if (system(cmd) != 0)
        return -1;
    sr_fx_teardown(&cli_fx);
    return 0;
}
