// Raft configurations as msgpack (see rft_conf.h).
#include "rft_conf.h"

#include <string.h>

sr_err_t
rft_conf_pack(sr_pack_t *pk, const struct raft_configuration *c)
{
    sr_err_t rc = sr_pack_array(pk, c->n);
    for (unsigned i = 0; !rc && i < c->n; i++) {
        const struct raft_server *s = &c->servers[i];
        const char *addr = s->address ? s->address : "";
        if (!(rc = sr_pack_array(pk, 3)) &&
            !(rc = sr_pack_int(pk, (int64_t)s->id)) &&
            !(rc = sr_pack_str(pk, addr, strlen(addr))))
            rc = sr_pack_int(pk, s->role);
    }
    return rc;
}

static sr_err_t
s_server(sr_unpack_t *u, struct raft_configuration *c, size_t i,
         sr_error_t *err)
{
    size_t n, alen;
    int64_t id, role;
    const char *addr;
    sr_err_t rc;
    if ((rc = sr_unpack_array(u, &n, err)))
        return rc;
    if (n != 3)
        return sr_error_set(err, SR_EPROTO,
                            "configuration server %zu: %zu items, not 3", i, n);
    if ((rc = sr_unpack_int(u, &id, err)) ||
        (rc = sr_unpack_str(u, &addr, &alen, err)) ||
        (rc = sr_unpack_int(u, &role, err)))
        return rc;
    if (id <= 0)
        return sr_error_set(err, SR_EPROTO,
                            "configuration server %zu: id %lld is not positive",
                            i, (long long)id);
    if (alen == 0 || alen > RFT_ADDRESS_MAX || memchr(addr, 0, alen))
        return sr_error_set(err, SR_EPROTO,
                            "configuration server %zu: the address is empty, "
                            "longer than %d bytes or holds a NUL",
                            i, RFT_ADDRESS_MAX);
    if (role != RAFT_STANDBY && role != RAFT_VOTER && role != RAFT_SPARE)
        return sr_error_set(err, SR_EPROTO,
                            "configuration server %zu: unknown role %lld", i,
                            (long long)role);
    char a[RFT_ADDRESS_MAX + 1];
    memcpy(a, addr, alen);
    a[alen] = 0;
    int rv = raft_configuration_add(c, (raft_id)id, a, (int)role);
    if (rv == RAFT_NOMEM)
        return sr_error_set(err, SR_ENOMEM, "out of memory");
    if (rv)
        return sr_error_set(err, SR_EPROTO,
                            "configuration server %zu (id %lld): %s", i,
                            (long long)id, raft_strerror(rv));
    return SR_OK;
}

sr_err_t
rft_conf_unpack(sr_unpack_t *u, struct raft_configuration *c, sr_error_t *err)
{
    size_t n;
    raft_configuration_init(c);
    sr_err_t rc = sr_unpack_array(u, &n, err);
    if (!rc && n > RFT_CONF_MAX)
        rc = sr_error_set(err, SR_EPROTO,
                          "configuration: %zu servers, at most %d", n,
                          RFT_CONF_MAX);
    for (size_t i = 0; !rc && i < n; i++)
        rc = s_server(u, c, i, err);
    if (rc)
        raft_configuration_close(c);
    return rc;
}
