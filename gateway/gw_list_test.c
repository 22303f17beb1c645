// Mistral list semantics over resource maps: filters, sort keys and
// directions (default created_at ascending, then id), marker, limit and
// fields; a marker that is not in the list is refused.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "gw_list.h"
#include "sr_value_json.h"

static const char *s_items =
    "[{\"id\": \"c\", \"state\": \"RUNNING\", \"created_at\": \"2020-01-03\"},"
    " {\"id\": \"a\", \"state\": \"SUCCESS\", \"created_at\": \"2020-01-01\"},"
    " {\"id\": \"b\", \"state\": \"RUNNING\", \"created_at\": \"2020-01-01\"},"
    " {\"id\": \"d\", \"state\": null, \"created_at\": \"2020-01-04\"}]";

// The ids of the items `query` (k=v&k=v) keeps, as "a,b,c".
static char *
s_ids(const char *query, sr_err_t want)
{
    gw_kv_t kv[8];
    char *q = strdup(query), *save = NULL;
    size_t n = 0;
    for (char *t = strtok_r(q, "&", &save); t && n < 8;
         t = strtok_r(NULL, "&", &save)) {
        char *eq = strchr(t, '=');
        *eq = '\0';
        kv[n].key = t;
        kv[n++].value = eq + 1;
    }
    gw_req_t req = {
        .method = GW_GET, .path = "/", .path_len = 1, .query = kv, .nquery = n};
    sr_value_t *items = NULL, *parsed = NULL, *out = NULL;
    sr_error_t err;
    assert_int_equal(
        sr_value_from_json(s_items, strlen(s_items), NULL, &items, NULL),
        SR_OK);
    sr_err_t rc = gw_list_query(&req, &parsed, &err);
    if (!rc)
        rc = gw_list_apply(items, parsed, &out, &err);
    assert_int_equal(rc, want);
    char *ids = calloc(1, 64);
    for (size_t i = 0; out && i < sr_value_len(out); i++) {
        const sr_value_t *it = sr_value_array_at(out, i);
        strcat(ids, i ? "," : "");
        strcat(ids, sr_value_map_str(it, "id"));
        if (strstr(query, "fields=state"))
            assert_int_equal(sr_value_len(it), 2); // state and id
    }
    sr_value_destroy(&items);
    sr_value_destroy(&parsed);
    sr_value_destroy(&out);
    free(q);
    return ids;
}

static void
lists_filter_sort_page_and_project(void **state)
{
    (void)state;
    static const struct {
        const char *query, *ids;
    } cases[] = {
        {"x=1", ""},
        {"nulls=", "a,b,c,d"},
        {"state=RUNNING", "b,c"},
        {"state=null", "d"},
        {"sort_dirs=desc", "d,c,b,a"},
        {"sort_keys=state,id&sort_dirs=desc,asc", "a,b,c,d"},
        {"limit=2", "a,b"},
        {"marker=b&limit=1", "c"},
        {"marker=d", ""},
        {"fields=state&limit=1", "a"},
        {"state=RUNNING&sort_dirs=desc&limit=1", "c"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *ids = s_ids(cases[i].query, SR_OK);
        if (strcmp(ids, cases[i].ids) != 0)
            fail_msg("%s: %s, want %s", cases[i].query, ids, cases[i].ids);
        free(ids);
    }
    free(s_ids("marker=zz", SR_EINVAL));
    free(s_ids("limit=1x", SR_EINVAL));
    free(s_ids("sort_keys=a;b", SR_EINVAL));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(lists_filter_sort_page_and_project),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
