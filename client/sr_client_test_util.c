/* The fixture shared by the client tests: a temp folder with two fake
 * engines, helpers to open clients and make ids. Test support only.
 */
#include "sr_client_test_util.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "sr_value_json.h"

int
sr_fx_setup(sr_fx_t *fx)
{
    memset(fx, 0, sizeof *fx);
    snprintf(fx->dir, sizeof fx->dir, "/tmp/sirocco-client-XXXXXX");
    if (!mkdtemp(fx->dir))
        return -1;
    snprintf(fx->ep[0], sizeof fx->ep[0], "ipc://%s/a", fx->dir);
    snprintf(fx->ep[1], sizeof fx->ep[1], "ipc://%s/b", fx->dir);
    snprintf(fx->both, sizeof fx->both, "%s,%s", fx->ep[0], fx->ep[1]);
    snprintf(fx->nobody, sizeof fx->nobody, "ipc://%s/nobody", fx->dir);
    static const uint16_t a[] = {0, 1}, b[] = {2, 3};
    fx->fe[0] = sr_fake_engine_new("A", fx->ep[0], a, 2);
    fx->fe[1] = sr_fake_engine_new("B", fx->ep[1], b, 2);
    return fx->fe[0] && fx->fe[1] ? 0 : -1;
}

void
sr_fx_teardown(sr_fx_t *fx)
{
    sr_fake_engine_destroy(&fx->fe[0]);
    sr_fake_engine_destroy(&fx->fe[1]);
    char path[256];
    const char *names[] = {"a", "b", "nobody"};
    for (size_t i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "%s/%s", fx->dir, names[i]);
        unlink(path);
    }
    rmdir(fx->dir);
}

int
sr_fx_setup_state(void **state)
{
    return sr_fx_setup(*state);
}

int
sr_fx_teardown_state(void **state)
{
    sr_fx_teardown(*state);
    return 0;
}

sr_client_t *
sr_fx_open(const char *endpoints)
{
    sr_client_t *c = NULL;
    sr_error_t err;
    sr_fx_ok(sr_client_open(endpoints, NULL, &c, &err), &err);
    return c;
}

// Wait until a STATUS of each engine answered.
static sr_client_t *
s_connected(sr_client_t *c)
{
    for (size_t i = 0; i < sr_client_engine_count(c); i++) {
        sr_value_t *v = NULL;
        sr_error_t err;
        sr_fx_ok(sr_client_status(c, i, SR_FX_WAIT_MS, &v, &err), &err);
        sr_value_destroy(&v);
    }
    return c;
}

sr_client_t *
sr_fx_open_connected(const char *endpoints)
{
    return s_connected(sr_fx_open(endpoints));
}

sr_client_t *
sr_fx_open_connected_with(const char *endpoints, const sr_client_opts_t *opts)
{
    sr_client_t *c = NULL;
    sr_error_t err;
    sr_fx_ok(sr_client_open(endpoints, opts, &c, &err), &err);
    return s_connected(c);
}

sr_client_t *
sr_fx_open_three_then_close_c(sr_fx_t *fx, const sr_client_opts_t *opts)
{
    static const uint16_t six[] = {0, 1, 2, 3, 4, 5}, c_parts[] = {4, 5};
    sr_fake_engine_t *fc = sr_fake_engine_new("C", fx->nobody, c_parts, 2);
    assert_non_null(fc);
    char eps[640];
    snprintf(eps, sizeof eps, "%s,%s", fx->both, fx->nobody);
    sr_fake_engine_set_cluster(fc, eps, six, 6);
    for (int i = 0; i < 2; i++)
        sr_fake_engine_set_cluster(fx->fe[i], eps, six, 6);
    sr_client_t *c = sr_fx_open_connected_with(eps, opts);
    sr_value_t *v = NULL;
    sr_error_t err;
    sr_fake_engine_destroy(&fc);
    bool is_gone = false;
    for (int i = 0; i < 200 && !is_gone; i++) {
        is_gone = sr_client_status(c, 2, 50, &v, &err) != SR_OK &&
                  strstr(err.msg, "not connected");
        sr_value_destroy(&v);
    }
    if (!is_gone)
        fail_msg("the client still sees engine C after 200 tries");
    return c;
}

sr_id_t
sr_fx_id(uint16_t partition, int64_t ms)
{
    sr_id_t id;
    sr_id_make(partition, ms, &id);
    return id;
}

const char *
sr_fx_text(const sr_id_t *id, int slot)
{
    static char texts[8][SR_ID_TEXT_SIZE];
    return sr_id_format(id, texts[slot % 8]);
}

void
sr_fx_ok(sr_err_t rc, const sr_error_t *err)
{
    if (rc != SR_OK)
        fail_msg("%s: %s: %s", sr_strerror(rc), err->where, err->msg);
}

sr_value_t *
sr_fx_json(const char *text)
{
    sr_value_t *v = NULL;
    sr_error_t err;
    sr_fx_ok(sr_value_from_json(text, strlen(text), NULL, &v, &err), &err);
    return v;
}
