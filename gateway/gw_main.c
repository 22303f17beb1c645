// sirocco-gateway: HTTP in front of a Sirocco cluster. Settings come from
// --config FILE (YAML) and flags (which win), read by the table of
// gw_config.h; SIGTERM or SIGINT stop it after the requests in hand are
// answered.
#include <czmq.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "gw.h"
#include "gw_server.h"
#include "sr_cfg.h"
#include "sr_log.h"
#include "sirocco/version.h"

int
main(int argc, char **argv)
{
    gw_config_t cfg;
    int code = sr_cfg_main(gw_config_table(), &cfg, argc, argv);
    if (code >= 0) {
        gw_config_fini(&cfg);
        return code;
    }
    sr_log_set_level((sr_log_level_t)cfg.log_level);
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
