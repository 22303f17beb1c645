// Fuzz target: arbitrary bytes as a workflow file. Loading must never
// crash, leak or hang; a document that loads must describe itself, and a
// failed load must leave no document and at least one diagnostic.
#include <stdint.h>
#include <stdlib.h>

#include "lang_describe.h"
#include "lang_spec.h"
#include "sr_value_json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    lang_limits_t lim = {.max_nodes = 20000};
    lang_diags_t diags = {0};
    lang_doc_t *doc = NULL;
    sr_err_t rc = lang_doc_parse("fuzz.yaml", (const char *)data, size, &lim,
                                 &doc, &diags);
    if (rc == SR_OK) {
        sr_value_t *v = NULL;
        if (lang_doc_describe(doc, &v) == SR_OK)
            free(sr_value_to_json(v, SR_JSON_COMPACT));
        sr_value_destroy(&v);
    } else if (doc || (rc == SR_EINVAL && diags.count == 0))
        abort();
    lang_doc_destroy(&doc);
    lang_diags_fini(&diags);
    return 0;
}
