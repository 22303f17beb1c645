// sirocco-engined: the engine daemon. Settings come from --config FILE
// (YAML) and flags (which win), read by the table of eng_config.h;
// SIGTERM or SIGINT stop it cleanly after the batch in hand is committed
// and answered.
#include <czmq.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "eng_config.h"
#include "sr_cfg.h"
#include "sr_log.h"

static void
s_on_signal(int sig)
{
    (void)sig;
    eng_request_stop();
}

int
main(int argc, char **argv)
{
    zsys_handler_set(NULL); // our own signal handling, below
    eng_settings_t s;
    int status = sr_cfg_main(eng_settings_table(), &s, argc, argv);
    if (status >= 0) {
        eng_settings_fini(&s);
        return status;
    }
    sr_log_set_level((sr_log_level_t)s.log_level);
    char logname[300];
    snprintf(logname, sizeof logname, "engined:%s", s.name ? s.name : "-");
    sr_log_set_name(logname);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = s_on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sr_error_t err;
    sr_err_t rc = eng_run(&s.cfg, &err);
    if (rc)
        fprintf(stderr, "sirocco-engined: %s\n", err.msg);
    eng_settings_fini(&s);
    zsys_shutdown();
    return rc ? 1 : 0;
}
