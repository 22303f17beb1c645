// Fuzz target: the gateway's request handling short of the engines. The
// input is a request: byte 0 picks the method and whether the body is
// signed for the test hook, then NUL-separated path, query (k=v&k=v),
// header lines (Name: value) and body. gw_translate must never crash or
// leak; it either answers with a JSON error or yields a call whose
// arguments are a map. Bodies that parse as JSON also go through the
// Mistral shapes and the list semantics (engine answers are input too).
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gw.h"
#include "gw_hook.h"
#include "gw_list.h"
#include "gw_shape.h"
#include "sr_value_json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define S_MAX_KV 16

static gw_config_t s_cfg;
static gw_t *s_gw;

static void
s_init(void)
{
    sr_error_t err;
    char *args[] = {"fuzz",   "--cluster",         "ipc:///fuzz",
                    "--hook", "gh:wf:fuzz-secret", "--max-body-bytes",
                    "4096"};
    if (sr_cfg_read(gw_config_table(), &s_cfg, 7, args, &err) ||
        gw_new(&s_cfg, &s_gw, &err))
        abort();
}

// Split the next NUL-terminated field (or the rest) off *p.
static char *
s_field(char **p, char *end)
{
    char *start = *p;
    char *nul = memchr(start, '\0', (size_t)(end - start));
    *p = nul ? nul + 1 : end;
    return start;
}

static size_t
s_pairs(char *text, const char *sep, char split, gw_kv_t *kv)
{
    size_t n = 0;
    char *save = NULL;
    for (char *t = strtok_r(text, sep, &save); t && n < S_MAX_KV;
         t = strtok_r(NULL, sep, &save)) {
        char *at = strchr(t, split);
        if (at) {
            *at = '\0';
            at++;
            while (*at == ' ')
                at++;
        }
        kv[n].key = t;
        kv[n++].value = at;
    }
    return n;
}

// Engine answers are input too: shape and list whatever parses.
static void
s_shapes(const char *body, size_t len)
{
    sr_value_t *v = NULL, *m = NULL;
    if (sr_value_from_json(body, len, NULL, &v, NULL))
        return;
    m = gw_shape_execution(v);
    sr_value_destroy(&m);
    m = gw_shape_task(v, "wf");
    sr_value_destroy(&m);
    m = gw_shape_action(v, NULL);
    sr_value_destroy(&m);
    m = gw_shape_workflows(v, v);
    sr_value_destroy(&m);
    if (sr_value_is(v, SR_T_ARRAY)) {
        gw_kv_t q[] = {{"sort_keys", "state,id"}, {"state", "RUNNING"}};
        gw_req_t req = {.path = "/", .path_len = 1, .query = q, .nquery = 2};
        sr_value_t *query = NULL, *out = NULL;
        if (gw_list_query(&req, &query, NULL) == SR_OK &&
            gw_list_apply(v, query, &out, NULL) == SR_OK &&
            !sr_value_is(out, SR_T_ARRAY))
            abort();
        sr_value_destroy(&query);
        sr_value_destroy(&out);
    }
    sr_value_destroy(&v);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!s_gw)
        s_init();
    if (size < 1)
        return 0;
    char *buf = malloc(size + 1);
    memcpy(buf, data + 1, size - 1);
    buf[size - 1] = '\0';
    char *p = buf, *end = buf + size - 1;
    char *path = s_field(&p, end);
    char *query = s_field(&p, end);
    char *headers = s_field(&p, end);
    char *body = p;
    size_t body_len = (size_t)(end - p);
    gw_kv_t q[S_MAX_KV], h[S_MAX_KV + 1];
    size_t nq = s_pairs(query, "&", '=', q);
    size_t nh = s_pairs(headers, "\n", ':', h);
    char sig[72];
    if (data[0] & 0x80) { // sign the body for the test hook
        gw_hook_sign("fuzz-secret", body, body_len, sig);
        h[nh].key = GW_SIGNATURE_HEADER;
        h[nh++].value = sig;
    }
    gw_req_t req = {.method = (gw_method_t)((data[0] & 0x7f) % (GW_OTHER + 1)),
                    .path = path,
                    .path_len = strlen(path),
                    .query = q,
                    .nquery = nq,
                    .headers = h,
                    .nheaders = nh,
                    .body = body,
                    .body_len = body_len};
    gw_call_t call;
    gw_resp_t resp = {0};
    if (gw_translate(s_gw, &req, &call, &resp)) {
        if (!sr_value_is(call.args, SR_T_MAP))
            abort();
        gw_call_fini(&call);
    } else {
        sr_value_t *fault = NULL;
        if (resp.status < 400 ||
            sr_value_from_json(resp.body, resp.body_len, NULL, &fault, NULL))
            abort(); // every refusal is a JSON error
        sr_value_destroy(&fault);
    }
    gw_resp_fini(&resp);
    s_shapes(body, body_len);
    free(buf);
    return 0;
}
