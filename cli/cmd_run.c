// sirocco run: a workflow file run to its end in this process. The real
// engine node and a real worker node start over inproc:// endpoints (the
// same code as sirocco-engined and sirocco-workerd) with LMDB in a data
// folder, a client socket subscribes to the execution's events, prints
// progress, and the outcome is printed (or, with --json, one JSON object).
#include "cmd_run.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "cmd_run_client.h"
#include "eng.h"
#include "lang_spec.h"
#include "sr_log.h"
#include "sr_value_json.h"
#include "wrk_node.h"

typedef struct {
    const char *file, *workflow, *input, *env, *task, *data, *resume;
    long workers;
    bool json;
} s_args_t;

static int
s_usage_error(const char *fmt, const char *arg)
{
    fprintf(stderr, "sirocco run: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\nusage:\n");
    cli_usage(stderr, "run");
    return CLI_USAGE;
}

static int
s_parse(int argc, char **argv, s_args_t *a)
{
    memset(a, 0, sizeof *a);
    a->workers = WRK_NODE_DEFAULT_SLOTS;
    for (int i = 1; i < argc; i++) {
        const char *o = argv[i];
        const char **slot = strcmp(o, "--workflow") == 0 ? &a->workflow
                            : strcmp(o, "--input") == 0  ? &a->input
                            : strcmp(o, "--env") == 0    ? &a->env
                            : strcmp(o, "--task") == 0   ? &a->task
                            : strcmp(o, "--data") == 0   ? &a->data
                            : strcmp(o, "--resume") == 0 ? &a->resume
                                                         : NULL;
        if (slot) {
            if (i + 1 >= argc)
                return s_usage_error("%s needs a value", o);
            *slot = argv[++i];
        } else if (strcmp(o, "--workers") == 0) {
            char *end = NULL;
            if (i + 1 >= argc)
                return s_usage_error("%s needs a value", o);
            a->workers = strtol(argv[++i], &end, 10);
            if (*end || a->workers < 1 || a->workers > WRK_NODE_SLOTS_MAX)
                return s_usage_error("--workers must be 1 to " WRK_NODE_TEXT(
                                         WRK_NODE_SLOTS_MAX) ", not '%s'",
                                     argv[i]);
        } else if (strcmp(o, "--json") == 0)
            a->json = true;
        else if (o[0] == '-' && o[1])
            return s_usage_error("unknown option '%s'", o);
        else if (!a->file)
            a->file = o;
        else
            return s_usage_error("unexpected argument '%s'", o);
    }
    if (a->resume && !a->data)
        return s_usage_error("--resume needs the --data folder it ran in%s",
                             "");
    if (!a->file && !a->resume)
        return s_usage_error("a workflow file is required%s", "");
    return CLI_OK;
}

// JSON from the argument, or from a file with @path. NULL arg: NULL.
static int
s_json_arg(const char *what, const char *arg, sr_value_t **out)
{
    *out = NULL;
    if (!arg)
        return CLI_OK;
    char *text = NULL;
    size_t len = 0;
    if (arg[0] == '@') {
        FILE *f = fopen(arg + 1, "rb");
        if (!f) {
            fprintf(stderr, "sirocco run: %s: cannot open %s: %s\n", what,
                    arg + 1, strerror(errno));
            return CLI_USAGE;
        }
        text = malloc(1 << 20);
        len = text ? fread(text, 1, 1 << 20, f) : 0;
        fclose(f);
    } else {
        text = strdup(arg);
        len = text ? strlen(text) : 0;
    }
    sr_error_t err;
    sr_err_t rc =
        text ? sr_value_from_json(text, len, NULL, out, &err) : SR_ENOMEM;
    free(text);
    if (rc || !sr_value_is(*out, SR_T_MAP)) {
        fprintf(stderr, "sirocco run: %s must be a JSON object%s%s\n", what,
                rc ? ": " : "", rc ? err.msg : "");
        sr_value_destroy(out);
        return CLI_USAGE;
    }
    return CLI_OK;
}

// Read and validate the file; pick the workflow to run.
static int
s_load(const s_args_t *a, char **text, const char **wf_name, lang_doc_t **doc)
{
    lang_diags_t diags = {0};
    if (lang_doc_load(a->file, NULL, doc, &diags)) {
        if (diags.count)
            lang_diags_print(&diags, a->file, stderr);
        else
            fprintf(stderr, "sirocco run: cannot read %s\n", a->file);
        lang_diags_fini(&diags);
        return CLI_USAGE;
    }
    lang_diags_fini(&diags);
    const lang_workflow_t *wf = a->workflow
                                    ? lang_doc_workflow(*doc, a->workflow)
                                    : lang_doc_workflow_at(*doc, 0);
    if (!wf) {
        fprintf(stderr, "sirocco run: %s: no workflow named '%s'\n", a->file,
                a->workflow ? a->workflow : "");
        return CLI_USAGE;
    }
    *wf_name = wf->name;
    *text = strdup(lang_doc_text(*doc));
    return *text ? CLI_OK : CLI_FAILED;
}

// The engine and the worker of the embedded mode.
typedef struct {
    eng_t *eng;
    wrk_registry_t *registry;
    wrk_node_t *node;
    char client_ep[96], worker_ep[96];
    char data[4096];
    bool temp_data;
} s_embed_t;

static int
s_embed_start(const s_args_t *a, s_embed_t *e)
{
    sr_error_t err;
    snprintf(e->client_ep, sizeof e->client_ep, "inproc://sirocco-run-%d-c",
             (int)getpid());
    snprintf(e->worker_ep, sizeof e->worker_ep, "inproc://sirocco-run-%d-w",
             (int)getpid());
    if (a->data)
        snprintf(e->data, sizeof e->data, "%s", a->data);
    else {
        const char *tmp = getenv("TMPDIR");
        snprintf(e->data, sizeof e->data, "%s/sirocco-run-XXXXXX",
                 tmp && *tmp ? tmp : "/tmp");
        if (!mkdtemp(e->data)) {
            fprintf(stderr, "sirocco run: cannot make a data folder: %s\n",
                    strerror(errno));
            return CLI_FAILED;
        }
        e->temp_data = true;
    }
    eng_config_t cfg = {.name = "embedded",
                        .client_endpoint = e->client_ep,
                        .worker_endpoint = e->worker_ep,
                        .data_dir = e->data,
                        .durability = a->data ? STORE_SYNC : STORE_NOSYNC};
    if (eng_start(&cfg, &e->eng, &err)) {
        fprintf(stderr, "sirocco run: engine: %s\n", err.msg);
        return CLI_FAILED;
    }
    const char *engines[] = {e->worker_ep};
    if (wrk_registry_new(NULL, &e->registry, &err)) {
        fprintf(stderr, "sirocco run: worker: %s\n", err.msg);
        return CLI_FAILED;
    }
    wrk_node_config_t wc = {.name = "embedded",
                            .slots = (size_t)a->workers,
                            .engines = engines,
                            .n_engines = 1,
                            .registry = e->registry};
    if (wrk_node_start(&wc, &e->node, &err)) {
        fprintf(stderr, "sirocco run: worker: %s\n", err.msg);
        return CLI_FAILED;
    }
    return CLI_OK;
}

static void
s_embed_stop(s_embed_t *e, bool keep)
{
    wrk_node_stop(&e->node);
    wrk_registry_destroy(&e->registry);
    eng_stop(&e->eng);
    if (e->temp_data && !keep) {
        char cmd[4200];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", e->data);
        if (system(cmd) != 0)
            fprintf(stderr, "sirocco run: could not remove %s\n", e->data);
    }
}

int
cli_run(int argc, char **argv)
{
    s_args_t a;
    int rc = s_parse(argc, argv, &a);
    if (rc)
        return rc;
    sr_value_t *input = NULL, *env = NULL;
    char *text = NULL;
    const char *wf_name = NULL;
    lang_doc_t *doc = NULL;
    if ((rc = s_json_arg("--input", a.input, &input)) ||
        (rc = s_json_arg("--env", a.env, &env)) ||
        (a.file && (rc = s_load(&a, &text, &wf_name, &doc)))) {
        sr_value_destroy(&input);
        sr_value_destroy(&env);
        free(text);
        lang_doc_destroy(&doc);
        return rc;
    }
    if (!getenv("SIROCCO_LOG_LEVEL"))
        sr_log_set_level(SR_LOG_WARN); // progress lines say enough
    s_embed_t e = {0};
    rc = s_embed_start(&a, &e);
    if (!rc) {
        run_client_opts_t o = {.endpoint = e.client_ep,
                               .definition = text,
                               .workflow = wf_name,
                               .input = input,
                               .env = env,
                               .task = a.task,
                               .resume = a.resume,
                               .json = a.json};
        rc = run_client(&o);
    }
    bool paused = rc == CLI_PAUSED;
    if (paused && e.temp_data)
        fprintf(stderr,
                "sirocco run: paused; its state is kept in %s (continue with "
                "--data %s --resume ID)\n",
                e.data, e.data);
    s_embed_stop(&e, paused);
    sr_value_destroy(&input);
    sr_value_destroy(&env);
    free(text);
    lang_doc_destroy(&doc);
    return rc;
}
