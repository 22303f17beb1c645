// sirocco-engined: the engine daemon. Settings come from --config FILE
// (YAML) and flags (which win); SIGTERM or SIGINT stop it cleanly after
// the batch in hand is committed and answered.
#include <czmq.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "eng_config.h"

static void
s_on_signal(int sig)
{
    (void)sig;
    eng_request_stop();
}

static void
s_usage(FILE *out)
{
    fprintf(out,
            "usage: sirocco-engined [--config FILE] [--name NAME]\n"
            "         [--client ENDPOINT] [--worker ENDPOINT] [--data DIR]\n"
            "         [--partitions 0,1|0-3] [--durability sync|nosync]\n"
            "         [--max-batch N] [--heartbeat-ms MS] [--expiry-ms MS]\n"
            "         [--expire-after-s S]   (delete executions finished S "
            "seconds ago)\n"
            "         [--callback-url URL] [--log-level LEVEL]\n"
            "         [--cluster FILE]   (with --name: this engine's entry)\n"
            "         [--curve-secret FILE --curve-allow DIR]   (CurveZMQ: "
            "the\n"
            "           engines' secret key, the folder of keys they "
            "accept)\n"
            "Defaults: client tcp://127.0.0.1:7100, worker "
            "tcp://127.0.0.1:7101,\n"
            "data ./sirocco-data, partition 0, durability sync.\n");
}

int
main(int argc, char **argv)
{
    zsys_handler_set(NULL); // our own signal handling, below
    eng_settings_t s;
    sr_error_t err;
    eng_settings_init(&s);
    // The config file first, wherever --config is, then the flags.
    for (int i = 1; i + 1 < argc; i++)
        if (strcmp(argv[i], "--config") == 0 &&
            eng_settings_load(&s, argv[i + 1], &err)) {
            fprintf(stderr, "sirocco-engined: %s\n", err.msg);
            eng_settings_fini(&s);
            return 2;
        }
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            s_usage(stdout);
            eng_settings_fini(&s);
            return 0;
        }
        if (strncmp(argv[i], "--", 2) != 0 || i + 1 >= argc) {
            fprintf(stderr, "sirocco-engined: unexpected argument '%s'\n",
                    argv[i]);
            s_usage(stderr);
            eng_settings_fini(&s);
            return 2;
        }
        if (strcmp(argv[i], "--config") != 0 &&
            eng_settings_set(&s, argv[i] + 2, argv[i + 1], &err)) {
            fprintf(stderr, "sirocco-engined: %s\n", err.msg);
            eng_settings_fini(&s);
            return 2;
        }
        i++;
    }
    if (eng_settings_finish(&s, &err)) {
        fprintf(stderr, "sirocco-engined: %s\n", err.msg);
        eng_settings_fini(&s);
        return 2;
    }
    sr_log_set_level(s.log_level);
    char logname[300];
    snprintf(logname, sizeof logname, "engined:%s", s.name ? s.name : "-");
    sr_log_set_name(logname);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = s_on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sr_err_t rc = eng_run(&s.cfg, &err);
    if (rc)
        fprintf(stderr, "sirocco-engined: %s\n", err.msg);
    eng_settings_fini(&s);
    zsys_shutdown();
    return rc ? 1 : 0;
}
