// The options of sirocco-workerd: the table of keys (file key, flag, type,
// range, default, doc), the command line parsed with getopt_long over
// that table, the checks that span several keys, and the conversion into
// the registry and node configurations. The YAML file is read by
// wrk_opts_yaml.c through wrk_opts_set. Owns the option strings.
// Single-threaded (getopt keeps global state).
#include "wrk_opts.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define S_OFF(field) offsetof(wrk_opts_t, field)
#define S_MS_MAX     ((int64_t)1 << 40) // about 35 years
#define S_BYTES_MAX  ((int64_t)1 << 40)

static const wrk_opt_def_t s_defs[] = {
    {"name", "name", WRK_OPT_STR, 0, 0, S_OFF(name), "NAME", "HOST:PID",
     "worker name, unique in the cluster"},
    {"engines", "engine", WRK_OPT_LIST, 0, 0, S_OFF(engines), "ENDPOINT",
     "(required)", "worker endpoint of an engine (repeatable)"},
    {"slots", "slots", WRK_OPT_INT, 1, WRK_NODE_SLOTS_MAX, S_OFF(slots), "N",
     "4", "actions run at once"},
    {"offer", "offer", WRK_OPT_LIST, 0, 0, S_OFF(offer), "NAME", "every action",
     "action offered, `p.*` a family (repeatable)"},
    {"target", "target", WRK_OPT_STR, 0, 0, S_OFF(target), "GROUP", "none",
     "target group (a Mistral task's `target`)"},
    {"actions_dir", "actions-dir", WRK_OPT_STR, 0, 0, S_OFF(actions_dir), "DIR",
     "none", "folder of custom action executables"},
    {"enable_shell", "enable-shell", WRK_OPT_BOOL, 0, 0, S_OFF(enable_shell),
     NULL, "false", "offer the sirocco.shell action"},
    {"heartbeat_ms", "heartbeat-ms", WRK_OPT_INT, 1, S_MS_MAX,
     S_OFF(heartbeat_ms), "MS", "1000",
     "HEARTBEAT to an engine after this much silence"},
    {"expiry_ms", "expiry-ms", WRK_OPT_INT, 1, S_MS_MAX, S_OFF(expiry_ms), "MS",
     "5 x heartbeat_ms", "an engine silent this long is lost"},
    {"resend_ms", "resend-ms", WRK_OPT_INT, 1, S_MS_MAX, S_OFF(resend_ms), "MS",
     "2000", "a RESULT without ACK is sent again after this"},
    {"grace_ms", "grace-ms", WRK_OPT_INT, 1, S_MS_MAX, S_OFF(grace_ms), "MS",
     "10000", "on SIGTERM, time running actions get to finish"},
    {"max_message_bytes", "max-message-bytes", WRK_OPT_INT, 1024, S_BYTES_MAX,
     S_OFF(max_message_bytes), "BYTES", "1048576",
     "largest message taken, and largest RESULT sent"},
    {"action_timeout_ms", "action-timeout-ms", WRK_OPT_INT, 0, S_MS_MAX,
     S_OFF(action_timeout_ms), "MS", "0 (none)",
     "bound of executables, sirocco.shell and std.http"},
    {"output_limit_bytes", "output-limit-bytes", WRK_OPT_INT, 1, S_BYTES_MAX,
     S_OFF(output_limit_bytes), "BYTES", "1048576",
     "bytes kept of a process's stdout and stderr"},
    {"http_limit_bytes", "http-limit-bytes", WRK_OPT_INT, 1, S_BYTES_MAX,
     S_OFF(http_limit_bytes), "BYTES", "10485760",
     "most bytes of a std.http response body"},
    {"kill_grace_ms", "kill-grace-ms", WRK_OPT_INT, 1, S_MS_MAX,
     S_OFF(kill_grace_ms), "MS", "2000",
     "from SIGTERM to SIGKILL, when a process must end"},
    {"curve_secret", "curve-secret", WRK_OPT_STR, 0, 0, S_OFF(curve_secret),
     "FILE", "none (no CurveZMQ)",
     "this worker's secret key (NAME_secret of `sirocco keygen`)"},
    {"curve_server_key", "curve-server-key", WRK_OPT_STR, 0, 0,
     S_OFF(curve_server_key), "FILE", "none",
     "the engines' public key (with curve_secret)"},
    {"log_level", "log-level", WRK_OPT_LEVEL, 0, 0, S_OFF(log_level), "LEVEL",
     "info", "debug, info, warn, error or off"},
};

#define S_NDEFS (sizeof s_defs / sizeof s_defs[0])

const wrk_opt_def_t *
wrk_opts_defs(size_t *count)
{
    *count = S_NDEFS;
    return s_defs;
}

void
wrk_opts_error(wrk_opts_t *self, const char *fmt, ...)
{
    char *line = NULL;
    va_list ap;
    va_start(ap, fmt);
    int n = vasprintf(&line, fmt, ap);
    va_end(ap);
    char **items = n >= 0 ? realloc(self->errors.items,
                                    (self->errors.n + 2) * sizeof *items)
                          : NULL;
    if (!items) {
        free(n >= 0 ? line : NULL);
        return; // the parse still fails: is_set or a check noticed
    }
    items[self->errors.n++] = line;
    items[self->errors.n] = NULL;
    self->errors.items = items;
}

static void
s_list_free(wrk_opt_list_t *list)
{
    for (size_t i = 0; i < list->n; i++)
        free(list->items[i]);
    free(list->items);
    list->items = NULL;
    list->n = 0;
}

static bool
s_list_add(wrk_opt_list_t *list, const char *text)
{
    char **items = realloc(list->items, (list->n + 2) * sizeof *items);
    if (!items)
        return false;
    list->items = items;
    if (!(items[list->n] = strdup(text)))
        return false;
    items[++list->n] = NULL;
    return true;
}

static bool
s_parse_int(const char *text, int64_t *out)
{
    char *end = NULL;
    errno = 0;
    long long v = strtoll(text, &end, 10);
    if (errno || end == text || *end)
        return false;
    *out = v;
    return true;
}

static bool
s_parse_bool(const char *text, bool *out)
{
    static const char *const yes[] = {"true", "yes", "on", "1"};
    static const char *const no[] = {"false", "no", "off", "0"};
    for (size_t i = 0; i < 4; i++) {
        if (strcasecmp(text, yes[i]) == 0 || strcasecmp(text, no[i]) == 0) {
            *out = strcasecmp(text, yes[i]) == 0;
            return true;
        }
    }
    return false;
}

bool
wrk_opts_set(wrk_opts_t *self, const wrk_opt_def_t *def, const char *text,
             const char *where)
{
    void *field = (char *)self + def->offset;
    int64_t i = 0;
    sr_log_level_t level;
    switch (def->type) {
    case WRK_OPT_STR:
        if (!text[0])
            break;
        free(*(char **)field);
        if ((*(char **)field = strdup(text)) != NULL)
            return true;
        wrk_opts_error(self, "%s: out of memory", where);
        return false;
    case WRK_OPT_LIST:
        if (!text[0])
            break;
        if (s_list_add(field, text))
            return true;
        wrk_opts_error(self, "%s: out of memory", where);
        return false;
    case WRK_OPT_INT:
        if (!s_parse_int(text, &i) || i < def->min || i > def->max) {
            wrk_opts_error(self,
                           "%s: expected an integer from %" PRId64
                           " to %" PRId64 ", got '%s'",
                           where, def->min, def->max, text);
            return false;
        }
        *(int64_t *)field = i;
        return true;
    case WRK_OPT_BOOL:
        if (s_parse_bool(text, field))
            return true;
        wrk_opts_error(self, "%s: expected true or false, got '%s'", where,
                       text);
        return false;
    case WRK_OPT_LEVEL:
        if (sr_log_parse_level(text, &level)) {
            *(int64_t *)field = level;
            return true;
        }
        wrk_opts_error(self,
                       "%s: expected debug, info, warn, error or off, "
                       "got '%s'",
                       where, text);
        return false;
    }
    wrk_opts_error(self, "%s: empty", where);
    return false;
}

// The long options of the table, plus --config, --help and --version.
static void
s_long_options(struct option *opts)
{
    for (size_t i = 0; i < S_NDEFS; i++)
        opts[i] = (struct option){
            s_defs[i].flag,
            s_defs[i].type == WRK_OPT_BOOL ? no_argument : required_argument,
            NULL, (int)i};
    opts[S_NDEFS] = (struct option){"config", required_argument, NULL, 'c'};
    opts[S_NDEFS + 1] = (struct option){"help", no_argument, NULL, 'h'};
    opts[S_NDEFS + 2] = (struct option){"version", no_argument, NULL, 'V'};
    opts[S_NDEFS + 3] = (struct option){NULL, 0, NULL, 0};
}

static void
s_parse_flags(wrk_opts_t *self, int argc, char **argv)
{
    struct option longs[S_NDEFS + 4];
    s_long_options(longs);
    opterr = 0;
    optind = 1;
    int c, index = 0;
    while ((c = getopt_long(argc, argv, ":c:hV", longs, &index)) != -1) {
        if (c == 'c' && !(self->config_path = strdup(optarg)))
            wrk_opts_error(self, "out of memory");
        else if (c == 'h' || c == 'V')
            *(c == 'h' ? &self->is_help : &self->is_version) = true;
        else if (c == '?')
            wrk_opts_error(self, "%s: unknown flag (see --help)",
                           argv[optind - 1]);
        else if (c == ':')
            wrk_opts_error(self, "%s: needs an argument", argv[optind - 1]);
        else if (c >= 0 && (size_t)c < S_NDEFS) {
            char where[80];
            snprintf(where, sizeof where, "--%s", s_defs[c].flag);
            self->is_set[c] = true;
            wrk_opts_set(self, &s_defs[c],
                         s_defs[c].type == WRK_OPT_BOOL ? "true" : optarg,
                         where);
        }
    }
    for (int i = optind; i < argc; i++)
        wrk_opts_error(self, "'%s': unexpected argument (see --help)", argv[i]);
}

// Checks that span keys.
static void
s_check(wrk_opts_t *self)
{
    if (self->engines.n == 0)
        wrk_opts_error(self, "no engine: give --engine ENDPOINT, or "
                             "'engines' in the config file");
    int64_t heartbeat =
        self->heartbeat_ms ? self->heartbeat_ms : WRK_NODE_DEFAULT_HEARTBEAT_MS;
    if (self->expiry_ms && self->expiry_ms <= heartbeat)
        wrk_opts_error(self,
                       "expiry_ms: %" PRId64 " must be above heartbeat_ms, "
                       "%" PRId64,
                       self->expiry_ms, heartbeat);
    if (!self->curve_secret != !self->curve_server_key)
        wrk_opts_error(self,
                       "%s needs %s too: CurveZMQ takes this worker's secret "
                       "key and the engines' public key",
                       self->curve_secret ? "curve_secret" : "curve_server_key",
                       self->curve_secret ? "curve_server_key"
                                          : "curve_secret");
}

sr_err_t
wrk_opts_parse(int argc, char **argv, wrk_opts_t *out, sr_error_t *err)
{
    memset(out, 0, sizeof *out);
    out->log_level = SR_LOG_INFO;
    if (!(out->is_set = calloc(S_NDEFS, sizeof *out->is_set)))
        return sr_error_set(err, SR_ENOMEM, "out of memory");
    s_parse_flags(out, argc, argv);
    if (out->is_help || out->is_version)
        return SR_OK;
    if (out->config_path)
        wrk_opts_load_file(out, out->config_path);
    if (out->errors.n == 0)
        s_check(out);
    if (out->errors.n == 0)
        return SR_OK;
    return sr_error_set(err, SR_EINVAL, "%s%s", out->errors.items[0],
                        out->errors.n > 1 ? " (and more)" : "");
}

void
wrk_opts_fini(wrk_opts_t *self)
{
    if (!self)
        return;
    free(self->config_path);
    free(self->name);
    free(self->target);
    free(self->actions_dir);
    free(self->curve_secret);
    free(self->curve_server_key);
    s_list_free(&self->engines);
    s_list_free(&self->offer);
    s_list_free(&self->errors);
    free(self->is_set);
    memset(self, 0, sizeof *self);
}

void
wrk_opts_worker_config(const wrk_opts_t *self, wrk_config_t *out)
{
    *out = (wrk_config_t){
        .action_dir = self->actions_dir,
        .is_shell_enabled = self->enable_shell,
        .default_timeout_ms = self->action_timeout_ms,
        .output_limit_bytes = (size_t)self->output_limit_bytes,
        .http_limit_bytes = (size_t)self->http_limit_bytes,
        .kill_grace_ms = self->kill_grace_ms,
    };
}

void
wrk_opts_node_config(const wrk_opts_t *self, wrk_node_config_t *out)
{
    *out = (wrk_node_config_t){
        .name = self->name,
        .slots = (size_t)self->slots,
        .actions = (const char *const *)self->offer.items,
        .n_actions = self->offer.n,
        .target = self->target,
        .engines = (const char *const *)self->engines.items,
        .n_engines = self->engines.n,
        .heartbeat_ms = self->heartbeat_ms,
        .expiry_ms = self->expiry_ms,
        .resend_ms = self->resend_ms,
        .grace_ms = self->grace_ms,
        .max_message_bytes = (size_t)self->max_message_bytes,
    };
}

void
wrk_opts_usage(FILE *out, const char *program)
{
    fprintf(out,
            "usage: %s [--config FILE] [FLAGS]\n\n"
            "Runs actions for Sirocco engines. Every flag but --config,\n"
            "--help and --version is also a key of the YAML config file;\n"
            "a flag wins over the file.\n\n",
            program);
    for (size_t i = 0; i < S_NDEFS; i++) {
        const wrk_opt_def_t *d = &s_defs[i];
        char flag[64];
        snprintf(flag, sizeof flag, "--%s%s%s", d->flag, d->arg ? " " : "",
                 d->arg ? d->arg : "");
        fprintf(out, "  %-28s %s\n  %-28s (file: %s; default: %s)\n", flag,
                d->doc, "", d->key, d->dflt);
    }
    fprintf(out, "  %-28s %s\n  %-28s %s\n  %-28s %s\n", "--config FILE",
            "read the keys above from a YAML file", "--help", "this text",
            "--version", "print the version");
}
