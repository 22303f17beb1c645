// sirocco-workerd: runs actions for Sirocco engines. Reads the options
// (flags and YAML file, by the table of wrk_opts.h), makes the action
// registry, starts a worker node (wrk_node.h), waits for SIGTERM or SIGINT
// and stops the node gracefully. SIGTERM and SIGINT are blocked in every thread
// and taken with sigwait; SIGCHLD is left alone (each action reaps its own
// children). Exit status: 0 after a clean stop, 1 when the worker could
// not start, 2 for bad flags or config.
#include <czmq.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "sirocco/version.h"
#include "sr_cfg.h"
#include "sr_curve.h"
#include "sr_log.h"
#include "wrk_node.h"
#include "wrk_opts.h"
#include "wrk_registry.h"

#define S_PROGRAM "sirocco-workerd"

// Start the node, wait for a signal, stop. Returns the exit status.
static int
s_serve(const wrk_opts_t *opts, const sigset_t *signals)
{
    wrk_config_t wcfg;
    wrk_node_config_t ncfg;
    wrk_registry_t *registry = NULL;
    wrk_node_t *node = NULL;
    sr_curve_t *curve = NULL;
    sr_error_t err;
    char text[400];
    if (opts->curve_secret &&
        sr_curve_load(opts->curve_secret, opts->curve_server_key, &curve,
                      &err) != SR_OK) {
        fprintf(stderr, "%s: %s\n", S_PROGRAM, err.msg);
        return 1;
    }
    wrk_opts_worker_config(opts, &wcfg);
    if (wrk_registry_new(&wcfg, &registry, &err) != SR_OK) {
        fprintf(stderr, "%s: actions_dir: %s\n", S_PROGRAM,
                sr_error_text(&err, text, sizeof text));
        sr_curve_destroy(&curve);
        return 1;
    }
    wrk_opts_node_config(opts, &ncfg);
    ncfg.registry = registry;
    ncfg.curve = curve;
    if (wrk_node_start(&ncfg, &node, &err) != SR_OK) {
        fprintf(stderr, "%s: %s\n", S_PROGRAM,
                sr_error_text(&err, text, sizeof text));
        wrk_registry_destroy(&registry);
        sr_curve_destroy(&curve);
        return 1;
    }
    sr_info("started worker=%s version=%s engines=%zu slots=%zu shell=%s "
            "curve=%s",
            wrk_node_name(node), SIROCCO_VERSION, ncfg.n_engines,
            ncfg.slots ? ncfg.slots : (size_t)WRK_NODE_DEFAULT_SLOTS,
            wcfg.is_shell_enabled ? "on" : "off",
            curve ? sr_curve_public_txt(curve) : "off");
    int sig = 0;
    while (sigwait(signals, &sig) != 0)
        ;
    sr_info("signal=%s stopping", strsignal(sig));
    wrk_node_stop(&node);
    wrk_registry_destroy(&registry);
    sr_curve_destroy(&curve);
    sr_info("stopped");
    return 0;
}

int
main(int argc, char **argv)
{
    wrk_opts_t opts;
    int status = sr_cfg_main(wrk_opts_table(), &opts, argc, argv);
    if (status < 0) {
        // Before any thread starts, so that every thread inherits the mask
        // and the signals wait for sigwait. Children get a clean mask.
        sigset_t signals;
        sigemptyset(&signals);
        sigaddset(&signals, SIGTERM);
        sigaddset(&signals, SIGINT);
        pthread_sigmask(SIG_BLOCK, &signals, NULL);
        signal(SIGPIPE, SIG_IGN); // reset to default in action children
        zsys_handler_set(NULL);   // no czmq signal handling
        sr_log_set_level((sr_log_level_t)opts.log_level);
        char log_name[300]; // set before any thread logs
        snprintf(log_name, sizeof log_name, "workerd%s%s", opts.name ? ":" : "",
                 opts.name ? opts.name : "");
        sr_log_set_name(log_name);
        status = s_serve(&opts, &signals);
    }
    wrk_opts_fini(&opts);
    return status;
}
