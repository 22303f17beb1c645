// `sirocco validate`: loads each file with the workflow loader, prints
// every problem as FILE:LINE:COL: message on stderr, and with --json prints
// one JSON array on stdout describing each file (its workflows and actions
// when valid, its errors otherwise). Owns nothing past the call.
#include "cmd_validate.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "lang_describe.h"
#include "lang_spec.h"
#include "sr_value_json.h"

static sr_value_t *
s_errors(const lang_diags_t *d)
{
    sr_value_t *a = sr_value_new_array(d->count);
    for (size_t i = 0; a && i < d->count; i++) {
        sr_value_t *e = sr_value_new_map(3);
        if (!e ||
            sr_value_map_put(e, "line",
                             sr_value_new_int(d->items[i].pos.line)) ||
            sr_value_map_put(e, "col", sr_value_new_int(d->items[i].pos.col)) ||
            sr_value_map_put(e, "message", sr_value_new_str(d->items[i].msg)) ||
            sr_value_array_append(a, e)) {
            sr_value_destroy(&a);
            return NULL;
        }
    }
    return a;
}

// Validate one file; appends its description to `report` when not NULL.
static bool
s_validate(const char *path, sr_value_t *report)
{
    lang_diags_t diags = {0};
    lang_doc_t *doc = NULL;
    sr_err_t rc = lang_doc_load(path, NULL, &doc, &diags);
    if (rc == SR_ENOMEM)
        fprintf(stderr, "%s: out of memory\n", path);
    lang_diags_print(&diags, path, stderr);
    if (report) {
        sr_value_t *m = sr_value_new_map(8), *desc = NULL;
        bool good =
            m && !sr_value_map_put(m, "file", sr_value_new_str(path)) &&
            !sr_value_map_put(m, "valid", sr_value_new_bool(rc == SR_OK));
        if (good && rc == SR_OK)
            good = lang_doc_describe(doc, &desc) == SR_OK &&
                   sr_value_map_merge(m, desc, false) == SR_OK;
        else if (good)
            good = !sr_value_map_put(m, "errors", s_errors(&diags));
        sr_value_destroy(&desc);
        if (!good || sr_value_array_append(report, m) != SR_OK) {
            fprintf(stderr, "%s: out of memory\n", path);
            rc = SR_ENOMEM;
        }
    }
    lang_doc_destroy(&doc);
    lang_diags_fini(&diags);
    return rc == SR_OK;
}

int
cli_validate(int argc, char **argv)
{
    bool json = false;
    int nfiles = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0)
            json = true;
        else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            cli_usage(stdout, "validate");
            return CLI_OK;
        } else if (argv[i][0] == '-') {
            fprintf(stderr, "sirocco validate: unknown option '%s'\n", argv[i]);
            cli_usage(stderr, "validate");
            return CLI_USAGE;
        } else
            nfiles++;
    }
    if (nfiles == 0) {
        fprintf(stderr, "sirocco validate: no file given\n");
        cli_usage(stderr, "validate");
        return CLI_USAGE;
    }
    sr_value_t *report = json ? sr_value_new_array(nfiles) : NULL;
    if (json && !report) {
        fprintf(stderr, "sirocco validate: out of memory\n");
        return CLI_FAILED;
    }
    bool all_ok = true;
    for (int i = 1; i < argc; i++)
        if (argv[i][0] != '-')
            all_ok &= s_validate(argv[i], report);
    if (report) {
        char *text = sr_value_to_json(report, SR_JSON_PRETTY);
        if (text)
            printf("%s\n", text);
        else
            all_ok = false;
        free(text);
        sr_value_destroy(&report);
    }
    return all_ok ? CLI_OK : CLI_FAILED;
}
