// The options of sirocco-workerd: the table of keys that the config reader
// (sr_cfg.h) walks for the YAML file, the flags, --help and
// docs/operations.md; the checks that span keys; the conversion into the
// registry and node configurations. Owns nothing beyond the options'
// values. Single-threaded.
#include "wrk_opts.h"

#include <inttypes.h>
#include <string.h>

#include "sr_log.h"

#define S_OFF(field) offsetof(wrk_opts_t, field)
#define S_MS_MAX     ((int64_t)1 << 40) // about 35 years
#define S_BYTES_MAX  ((int64_t)1 << 40)

static const sr_cfg_key_t s_keys[] = {
    {.name = "name",
     .type = SR_CFG_STR,
     .offset = S_OFF(name),
     .arg = "NAME",
     .shown = "`HOST:PID`",
     .doc = "worker name, unique in the cluster; engines name it in their "
            "logs and errors"},
    {.name = "engines",
     .flag = "engine",
     .type = SR_CFG_LIST,
     .flags = SR_CFG_REQUIRED,
     .offset = S_OFF(engines.items),
     .count_offset = S_OFF(engines.n),
     .arg = "ENDPOINT",
     .doc = "worker endpoint of an engine, e.g. `tcp://10.0.0.1:5571`; one "
            "per engine of the cluster"},
    {.name = "slots",
     .type = SR_CFG_INT,
     .offset = S_OFF(slots),
     .min = 1,
     .max = WRK_NODE_SLOTS_MAX,
     .arg = "N",
     .dflt = WRK_NODE_DEFAULT_SLOTS_TEXT,
     .doc = "actions run at once (TASKs held from CONFIRM to RESULT); an "
            "action that blocks holds one of up to this many threads while "
            "it runs, an inline one (`std.noop`, `std.echo`) none"},
    {.name = "offer",
     .type = SR_CFG_LIST,
     .offset = S_OFF(offer.items),
     .count_offset = S_OFF(offer.n),
     .arg = "NAME",
     .shown = "every action",
     .doc = "actions offered; `prefix.*` offers a family (`std.*`). Engines "
            "send a worker only the actions it offers"},
    {.name = "target",
     .type = SR_CFG_STR,
     .offset = S_OFF(target),
     .arg = "GROUP",
     .doc = "target group: a task with `target: GROUP` runs only on workers "
            "of that group"},
    {.name = "actions_dir",
     .type = SR_CFG_STR,
     .offset = S_OFF(actions_dir),
     .arg = "DIR",
     .doc = "folder of custom action executables (docs/actions.md); it must "
            "exist"},
    {.name = "enable_shell",
     .type = SR_CFG_BOOL,
     .offset = S_OFF(enable_shell),
     .dflt = "false",
     .doc = "offer `sirocco.shell` (runs command lines; see docs/actions.md "
            "before turning it on)"},
    {.name = "heartbeat_ms",
     .type = SR_CFG_INT,
     .offset = S_OFF(heartbeat_ms),
     .min = 1,
     .max = S_MS_MAX,
     .arg = "MS",
     .dflt = "1000",
     .doc = "a `HEARTBEAT` goes to an engine after this much silence"},
    {.name = "expiry_ms",
     .type = SR_CFG_INT,
     .offset = S_OFF(expiry_ms),
     .min = 1,
     .max = S_MS_MAX,
     .arg = "MS",
     .shown = "5 × `heartbeat_ms`",
     .doc = "an engine silent this long is taken as lost: the worker makes a "
            "new socket and sends `READY` again. Must be above "
            "`heartbeat_ms` and above the engines' heartbeat interval"},
    {.name = "resend_ms",
     .type = SR_CFG_INT,
     .offset = S_OFF(resend_ms),
     .min = 1,
     .max = S_MS_MAX,
     .arg = "MS",
     .dflt = "2000",
     .doc = "a `RESULT` without `ACK` is sent again after this"},
    {.name = "grace_ms",
     .type = SR_CFG_INT,
     .offset = S_OFF(grace_ms),
     .min = 1,
     .max = S_MS_MAX,
     .arg = "MS",
     .dflt = "10000",
     .doc = "on `SIGTERM`, how long running actions get to finish"},
    {.name = "max_message_bytes",
     .type = SR_CFG_INT,
     .offset = S_OFF(max_message_bytes),
     .min = 1024,
     .max = S_BYTES_MAX,
     .arg = "BYTES",
     .dflt = "1048576",
     .doc = "largest message taken from an engine, and largest `RESULT` sent "
            "(a larger result becomes an error result saying so); keep it "
            "equal to the engines' payload limit"},
    {.name = "action_timeout_ms",
     .type = SR_CFG_INT,
     .offset = S_OFF(action_timeout_ms),
     .min = 0,
     .max = S_MS_MAX,
     .arg = "MS",
     .dflt = "0",
     .shown = "0 (none)",
     .doc = "time bound of custom actions, `sirocco.shell` and `std.http` "
            "when the engine gives no earlier deadline"},
    {.name = "output_limit_bytes",
     .type = SR_CFG_INT,
     .offset = S_OFF(output_limit_bytes),
     .min = 1,
     .max = S_BYTES_MAX,
     .arg = "BYTES",
     .dflt = "1048576",
     .doc = "bytes kept of a program's stdout, and of its stderr"},
    {.name = "http_limit_bytes",
     .type = SR_CFG_INT,
     .offset = S_OFF(http_limit_bytes),
     .min = 1,
     .max = S_BYTES_MAX,
     .arg = "BYTES",
     .dflt = "10485760",
     .doc = "largest `std.http` response body"},
    {.name = "kill_grace_ms",
     .type = SR_CFG_INT,
     .offset = S_OFF(kill_grace_ms),
     .min = 1,
     .max = S_MS_MAX,
     .arg = "MS",
     .dflt = "2000",
     .doc = "time between `SIGTERM` and `SIGKILL` when a program must stop"},
    {.name = "curve_secret",
     .type = SR_CFG_STR,
     .offset = S_OFF(curve_secret),
     .arg = "FILE",
     .shown = "none (no CurveZMQ)",
     .doc = "this worker's secret key, `NAME_secret` as `sirocco keygen` "
            "writes it; with `curve_server_key`, every link to an engine "
            "uses CurveZMQ (docs/security.md)"},
    {.name = "curve_server_key",
     .type = SR_CFG_STR,
     .offset = S_OFF(curve_server_key),
     .arg = "FILE",
     .doc = "the engines' public key (the cluster's shared server "
            "certificate)"},
    {.name = "log_level",
     .type = SR_CFG_ENUM,
     .offset = S_OFF(log_level),
     .choices = sr_cfg_log_levels,
     .dflt = "info",
     .doc = "how much the worker logs on stderr"},
};

// Checks that span keys.
static void
s_finish(sr_cfg_t *cfg, void *values)
{
    const wrk_opts_t *self = values;
    if (self->expiry_ms && self->expiry_ms <= self->heartbeat_ms)
        sr_cfg_problem(cfg,
                       "expiry_ms: %" PRId64 " must be above heartbeat_ms, "
                       "%" PRId64,
                       self->expiry_ms, self->heartbeat_ms);
    if (!self->curve_secret != !self->curve_server_key)
        sr_cfg_problem(cfg,
                       "%s needs %s too: CurveZMQ takes this worker's secret "
                       "key and the engines' public key",
                       self->curve_secret ? "curve_secret" : "curve_server_key",
                       self->curve_secret ? "curve_server_key"
                                          : "curve_secret");
}

static const sr_cfg_table_t s_table = {
    "sirocco-workerd",
    "Runs actions for Sirocco engines: connects to the worker endpoint of "
    "every engine, announces its slots and the actions it offers, and runs "
    "the tasks they send (docs/operations.md, \"Running workerd\").",
    s_keys,
    sizeof s_keys / sizeof *s_keys,
    sizeof(wrk_opts_t),
    s_finish,
};

const sr_cfg_table_t *
wrk_opts_table(void)
{
    return &s_table;
}

void
wrk_opts_fini(wrk_opts_t *self)
{
    sr_cfg_free(&s_table, self);
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
