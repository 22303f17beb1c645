// Fuzz target: sirocco-workerd's YAML config file, read by the config
// reader (sr_cfg.h) with workerd's table. Any bytes given as the file must
// give options or named problems, never a crash or a leak.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "sr_cfg.h"
#include "wrk_opts.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[] = "/tmp/sirocco-fuzz-opts-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0)
        return 0;
    if (write(fd, data, size) != (ssize_t)size) {
        close(fd);
        unlink(path);
        return 0;
    }
    close(fd);
    char *argv[] = {"sirocco-workerd", "--config", path, NULL};
    wrk_opts_t opts;
    sr_cfg_t *cfg = NULL;
    if (sr_cfg_new(wrk_opts_table(), &opts, &cfg) == SR_OK)
        sr_cfg_args(cfg, 3, argv);
    sr_cfg_destroy(&cfg);
    wrk_opts_fini(&opts);
    unlink(path);
    return 0;
}
