// sirocco-gateway: HTTP in front of a Sirocco cluster. Settings come from
// --config FILE (YAML) and flags (which win); SIGTERM or SIGINT stop it
// after the requests in hand are answered.
#include <czmq.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "gw.h"
#include "gw_server.h"
#include "sirocco/version.h"

static void
s_usage(FILE *out)
{
    fprintf(out, "usage: sirocco-gateway [--config FILE] [--SETTING VALUE]...\n"
                 "Settings (also the keys of the YAML config file):\n");
    gw_config_usage(out);
}

// Settings from the config file (wherever --config is), then the flags.
static int
s_settings(gw_config_t *cfg, int argc, char **argv)
{
    sr_error_t err;
    for (int i = 1; i + 1 < argc; i++)
        if (strcmp(argv[i], "--config") == 0 &&
            gw_config_load(cfg, argv[i + 1], &err)) {
            fprintf(stderr, "sirocco-gateway: %s\n", err.msg);
            return 2;
        }
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            s_usage(stdout);
            return 0;
        }
        if (strncmp(argv[i], "--", 2) != 0 || i + 1 >= argc) {
            fprintf(stderr, "sirocco-gateway: unexpected argument '%s'\n",
                    argv[i]);
            s_usage(stderr);
            return 2;
        }
        if (strcmp(argv[i], "--config") != 0 &&
            gw_config_set(cfg, argv[i] + 2, argv[i + 1], &err)) {
            fprintf(stderr, "sirocco-gateway: %s\n", err.msg);
            return 2;
        }
        i++;
    }
    if (gw_config_check(cfg, &err)) {
        fprintf(stderr, "sirocco-gateway: %s\n", err.msg);
        return 2;
    }
    return -1;
}

int
main(int argc, char **argv)
{
    gw_config_t cfg;
    gw_config_init(&cfg);
    int code = s_settings(&cfg, argc, argv);
    if (code >= 0) {
        gw_config_fini(&cfg);
        return code;
    }
    sr_log_set_level(cfg.log_level);
    sr_log_set_name("gateway");
    // Every thread started from here on blocks these; main waits for them.
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    signal(SIGPIPE, SIG_IGN);
    zsys_handler_set(NULL);
    zsys_init();
    gw_t *gw = NULL;
    gw_server_t *server = NULL;
    sr_error_t err;
    if (gw_new(&cfg, &gw, &err) || gw_server_start(gw, &cfg, &server, &err)) {
        fprintf(stderr, "sirocco-gateway: %s\n", err.msg);
        gw_destroy(&gw);
        gw_config_fini(&cfg);
        zsys_shutdown();
        return 1;
    }
    sr_info("gateway %s listening on %s (port %u) for cluster %s, %zu hooks, "
            "auth %s",
            SIROCCO_VERSION, cfg.listen, gw_server_port(server), cfg.cluster,
            cfg.nhooks, cfg.ntokens ? "bearer" : "off");
    int sig = 0;
    sigwait(&stop, &sig);
    sr_info("gateway stopping on signal %d", sig);
    gw_server_stop(&server);
    gw_destroy(&gw);
    gw_config_fini(&cfg);
    zsys_shutdown();
    return 0;
}
