// Fuzz target: what a worker takes from outside before running anything --
// an HTTP response (status line, headers, body) given to std.http's
// collectors, and action input checked against every built-in parameter
// table -- must never crash or leak.
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sr_value_json.h"
#include "wrk_http.h"
#include "wrk_http_resp.h"
#include "wrk_shell.h"
#include "wrk_std.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

// Feed header lines up to the first empty one, then the rest as body in
// two chunks, as libcurl would.
static void
s_response(const char *text, size_t size, CURL *h)
{
    wrk_http_resp_t resp;
    wrk_http_resp_init(&resp, 4096);
    size_t pos = 0;
    while (pos < size) {
        const char *nl = memchr(text + pos, '\n', size - pos);
        size_t len = nl ? (size_t)(nl - (text + pos)) + 1 : size - pos;
        char *line = (char *)text + pos;
        pos += len;
        if (wrk_http_resp_on_header(line, 1, len, &resp) != len || len <= 2)
            break;
    }
    size_t half = (size - pos) / 2;
    if (wrk_http_resp_on_body((char *)text + pos, 1, half, &resp) == half)
        wrk_http_resp_on_body((char *)text + pos + half, 1, size - pos - half,
                              &resp);
    sr_value_t *result = wrk_http_resp_result(&resp, h);
    free(sr_value_to_json(result, SR_JSON_COMPACT));
    sr_value_destroy(&result);
    wrk_http_resp_fini(&resp);
}

static void
s_check(const wrk_action_def_t *def, const sr_value_t *input)
{
    sr_error_t err;
    wrk_params_check(def->name, def->params, def->n_params, input, &err);
    if (def->waits)
        (void)def->waits(input); // any input, checked or not
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static CURL *h;
    if (!h && !(h = curl_easy_init()))
        return 0;
    s_response((const char *)data, size, h);
    sr_value_t *input = NULL;
    sr_error_t err;
    if (sr_value_from_json((const char *)data, size, NULL, &input, &err) ==
        SR_OK) {
        size_t n = 0;
        const wrk_action_def_t *std = wrk_std_actions(&n);
        for (size_t i = 0; i < n; i++)
            s_check(&std[i], input);
        s_check(&wrk_http_action, input);
        s_check(&wrk_shell_action, input);
        sr_value_destroy(&input);
    }
    return 0;
}
