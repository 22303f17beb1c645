// Defaults of the worker's action configuration. Owns nothing; reentrant.
#include "wrk_config.h"

wrk_config_t
wrk_config_resolve(const wrk_config_t *cfg)
{
    wrk_config_t out = {0};
    if (cfg)
        out = *cfg;
    if (out.default_timeout_ms < 0)
        out.default_timeout_ms = 0;
    if (out.output_limit_bytes == 0)
        out.output_limit_bytes = WRK_DEFAULT_OUTPUT_LIMIT;
    if (out.http_limit_bytes == 0)
        out.http_limit_bytes = WRK_DEFAULT_HTTP_LIMIT;
    if (out.kill_grace_ms <= 0)
        out.kill_grace_ms = WRK_DEFAULT_KILL_GRACE_MS;
    return out;
}
