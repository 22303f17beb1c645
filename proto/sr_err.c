// Error codes and error details. Owns nothing; every function is reentrant.
#include "sirocco/errors.h"

#include <stdio.h>
#include <string.h>

static const char *const s_names[SR_ERR_COUNT] = {
    [SR_OK] = "OK",
    [SR_ENOMEM] = "ENOMEM",
    [SR_EINVAL] = "EINVAL",
    [SR_EPROTO] = "EPROTO",
    [SR_EVERSION] = "EVERSION",
    [SR_ETOOBIG] = "ETOOBIG",
    [SR_ENOTFOUND] = "ENOTFOUND",
    [SR_EEXIST] = "EEXIST",
    [SR_ESTORE] = "ESTORE",
    [SR_EIO] = "EIO",
    [SR_ETIMEDOUT] = "ETIMEDOUT",
    [SR_ESTATE] = "ESTATE",
    [SR_EEXPR] = "EEXPR",
    [SR_EUNAVAIL] = "EUNAVAIL",
    [SR_EAUTH] = "EAUTH",
    [SR_EINTERNAL] = "EINTERNAL",
};

const char *
sr_strerror(sr_err_t code)
{
    if ((int)code < 0 || code >= SR_ERR_COUNT)
        return "EUNKNOWN";
    return s_names[code];
}

void
sr_error_clear(sr_error_t *err)
{
    if (err) {
        err->code = SR_OK;
        err->where[0] = '\0';
        err->msg[0] = '\0';
    }
}

sr_err_t
sr_error_vset(sr_error_t *err, sr_err_t code, const char *fmt, va_list ap)
{
    if (err) {
        err->code = code;
        err->where[0] = '\0';
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    }
    return code;
}

sr_err_t
sr_error_set(sr_error_t *err, sr_err_t code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sr_error_vset(err, code, fmt, ap);
    va_end(ap);
    return code;
}

sr_err_t
sr_error_at(sr_error_t *err, sr_err_t code, const char *where, const char *fmt,
            ...)
{
    va_list ap;
    va_start(ap, fmt);
    sr_error_vset(err, code, fmt, ap);
    va_end(ap);
    if (err && where)
        snprintf(err->where, sizeof err->where, "%s", where);
    return code;
}

const char *
sr_error_text(const sr_error_t *err, char *buf, size_t size)
{
    if (!err || err->code == SR_OK)
        snprintf(buf, size, "no error");
    else if (err->where[0])
        snprintf(buf, size, "%s: %s", err->where, err->msg);
    else if (err->msg[0])
        snprintf(buf, size, "%s", err->msg);
    else
        snprintf(buf, size, "%s", sr_strerror(err->code));
    return buf;
}
