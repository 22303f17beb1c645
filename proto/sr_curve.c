// CurveZMQ keypairs: read from czmq certificates (zcert files), checked
// (a secret key that is there and matches its public key), applied to
// sockets as server or client, and made anew for `sirocco keygen`. Keeps
// the raw keys only, so a loaded sr_curve_t is plain read-only data. Does
// not decide who may connect (sr_curve_auth.c) nor log refusals
// (sr_curve_watch.c). Loading and keygen touch files; any thread.
#include "sr_curve.h"

#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sr_log.h"

// czmq builds "PATH_secret" in a 256-byte buffer; keep well inside it.
#define S_PATH_MAX 240
#define S_CERT_MAX 65536 // a certificate file is a few hundred bytes
#define S_NAME_MAX 64

struct sr_curve {
    uint8_t public_key[SR_CURVE_KEY_BYTES];
    uint8_t secret_key[SR_CURVE_KEY_BYTES];
    uint8_t server_key[SR_CURVE_KEY_BYTES];
    char public_txt[SR_CURVE_TXT_SIZE];
    char server_txt[SR_CURVE_TXT_SIZE];
};

static bool
s_is_zero(const uint8_t *key)
{
    uint8_t any = 0;
    for (size_t i = 0; i < SR_CURVE_KEY_BYTES; i++)
        any |= key[i];
    return any == 0;
}

static sr_err_t
s_check_curve(sr_error_t *err)
{
    if (!zmq_has("curve"))
        return sr_error_set(err, SR_EUNAVAIL,
                            "this libzmq was built without CURVE security");
    return SR_OK;
}

// Load the certificate at `path` (czmq tries PATH_secret first).
zcert_t *
sr_curve_cert_load(const char *path)
{
    char secret[S_PATH_MAX + 16];
    if (strlen(path) > S_PATH_MAX)
        return NULL;
    snprintf(secret, sizeof secret, "%s_secret", path);
    FILE *f = fopen(access(secret, R_OK) == 0 ? secret : path, "rb");
    if (!f)
        return NULL;
    char *text = malloc(S_CERT_MAX + 1);
    size_t n = text ? fread(text, 1, S_CERT_MAX + 1, f) : 0;
    fclose(f);
    if (!text || n == 0 || n > S_CERT_MAX || memchr(text, '\0', n)) {
        free(text);
        return NULL;
    }
    text[n] = '\0';
    zconfig_t *root = zconfig_str_load(text);
    sodium_memzero(text, n);
    free(text);
    if (!root)
        return NULL;
    const char *pub = zconfig_get(root, "curve/public-key", NULL);
    const char *sec = zconfig_get(root, "curve/secret-key", NULL);
    uint8_t pk[SR_CURVE_KEY_BYTES], sk[SR_CURVE_KEY_BYTES] = {0};
    zcert_t *cert = NULL;
    if (pub && strlen(pub) == 40 && zmq_z85_decode(pk, pub) &&
        (!sec || (strlen(sec) == 40 && zmq_z85_decode(sk, sec))))
        cert = zcert_new_from(pk, sk);
    sodium_memzero(sk, sizeof sk);
    zconfig_destroy(&root);
    return cert;
}

// `what` names the setting in errors.
static sr_err_t
s_load_cert(const char *path, const char *what, zcert_t **out, sr_error_t *err)
{
    if (!path || !*path)
        return sr_error_set(err, SR_EINVAL, "%s: no file given", what);
    if (strlen(path) > S_PATH_MAX)
        return sr_error_set(err, SR_EINVAL, "%s %.64s...: path over %d bytes",
                            what, path, S_PATH_MAX);
    char secret[S_PATH_MAX + 16];
    snprintf(secret, sizeof secret, "%s_secret", path);
    int e = access(path, R_OK) == 0 ? 0 : errno;
    if (e && access(secret, R_OK) != 0)
        return sr_error_set(err, SR_EIO, "%s %s: cannot read: %s", what, path,
                            strerror(e));
    zcert_t *cert = sr_curve_cert_load(path);
    if (!cert)
        return sr_error_set(err, SR_EINVAL,
                            "%s %s: not a CurveZMQ certificate (make one with "
                            "`sirocco keygen NAME`)",
                            what, path);
    *out = cert;
    return SR_OK;
}

// Warn when a secret certificate can be read by others than its owner.
static void
s_check_mode(const char *path)
{
    char secret[S_PATH_MAX + 16];
    snprintf(secret, sizeof secret, "%s_secret", path);
    struct stat st;
    const char *used = stat(secret, &st) == 0 ? secret : path;
    if (stat(used, &st) == 0 && (st.st_mode & 077))
        sr_warn("curve: %s is readable by others (mode %03o); chmod 600 it",
                used, (unsigned)(st.st_mode & 0777));
}

static sr_err_t
s_load_secret(sr_curve_t *c, const char *path, sr_error_t *err)
{
    zcert_t *cert = NULL;
    sr_err_t rc = s_load_cert(path, "secret key", &cert, err);
    if (rc)
        return rc;
    memcpy(c->public_key, zcert_public_key(cert), SR_CURVE_KEY_BYTES);
    memcpy(c->secret_key, zcert_secret_key(cert), SR_CURVE_KEY_BYTES);
    zcert_destroy(&cert);
    uint8_t derived[SR_CURVE_KEY_BYTES];
    if (s_is_zero(c->secret_key))
        return sr_error_set(err, SR_EINVAL,
                            "secret key %s: holds no secret key (a public "
                            "certificate? give NAME_secret)",
                            path);
    if (crypto_scalarmult_base(derived, c->secret_key) != 0 ||
        memcmp(derived, c->public_key, sizeof derived) != 0)
        return sr_error_set(err, SR_EINVAL,
                            "secret key %s: the secret key does not match "
                            "the public key",
                            path);
    s_check_mode(path);
    return SR_OK;
}

static sr_err_t
s_load_server(sr_curve_t *c, const char *path, sr_error_t *err)
{
    zcert_t *cert = NULL;
    sr_err_t rc = s_load_cert(path, "server key", &cert, err);
    if (rc)
        return rc;
    memcpy(c->server_key, zcert_public_key(cert), SR_CURVE_KEY_BYTES);
    zcert_destroy(&cert);
    if (s_is_zero(c->server_key))
        return sr_error_set(err, SR_EINVAL, "server key %s: no public key",
                            path);
    return SR_OK;
}

sr_err_t
sr_curve_load(const char *secret_path, const char *server_key_path,
              sr_curve_t **out, sr_error_t *err)
{
    sr_err_t rc = s_check_curve(err);
    if (rc)
        return rc;
    if (sodium_init() < 0)
        return sr_error_set(err, SR_EINTERNAL, "libsodium does not start");
    sr_curve_t *c = calloc(1, sizeof *c);
    if (!c)
        return sr_error_set(err, SR_ENOMEM, "out of memory");
    rc = s_load_secret(c, secret_path, err);
    if (!rc && server_key_path)
        rc = s_load_server(c, server_key_path, err);
    else if (!rc)
        memcpy(c->server_key, c->public_key, SR_CURVE_KEY_BYTES);
    if (rc) {
        sr_curve_destroy(&c);
        return rc;
    }
    zmq_z85_encode(c->public_txt, c->public_key, SR_CURVE_KEY_BYTES);
    zmq_z85_encode(c->server_txt, c->server_key, SR_CURVE_KEY_BYTES);
    *out = c;
    return SR_OK;
}

void
sr_curve_destroy(sr_curve_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    sodium_memzero((*self_p)->secret_key, SR_CURVE_KEY_BYTES);
    free(*self_p);
    *self_p = NULL;
}

const char *
sr_curve_public_txt(const sr_curve_t *self)
{
    return self->public_txt;
}

const char *
sr_curve_server_txt(const sr_curve_t *self)
{
    return self->server_txt;
}

static sr_err_t
s_set(zsock_t *sock, int option, const void *value, size_t len,
      const char *what, sr_error_t *err)
{
    if (zmq_setsockopt(zsock_resolve(sock), option, value, len) != 0)
        return sr_error_set(err, SR_EIO, "cannot set %s on a socket: %s", what,
                            zmq_strerror(zmq_errno()));
    return SR_OK;
}

sr_err_t
sr_curve_apply_server(const sr_curve_t *self, zsock_t *sock, sr_error_t *err)
{
    int one = 1;
    sr_err_t rc;
    if ((rc = s_set(sock, ZMQ_CURVE_SERVER, &one, sizeof one, "CURVE_SERVER",
                    err)) ||
        (rc = s_set(sock, ZMQ_CURVE_SECRETKEY, self->secret_key,
                    SR_CURVE_KEY_BYTES, "CURVE_SECRETKEY", err)) ||
        (rc = s_set(sock, ZMQ_CURVE_PUBLICKEY, self->public_key,
                    SR_CURVE_KEY_BYTES, "CURVE_PUBLICKEY", err)))
        return rc;
    return s_set(sock, ZMQ_ZAP_DOMAIN, SR_CURVE_ZAP_DOMAIN,
                 strlen(SR_CURVE_ZAP_DOMAIN), "ZAP_DOMAIN", err);
}

sr_err_t
sr_curve_apply_client(const sr_curve_t *self, zsock_t *sock, sr_error_t *err)
{
    sr_err_t rc;
    if ((rc = s_set(sock, ZMQ_CURVE_SERVERKEY, self->server_key,
                    SR_CURVE_KEY_BYTES, "CURVE_SERVERKEY", err)) ||
        (rc = s_set(sock, ZMQ_CURVE_PUBLICKEY, self->public_key,
                    SR_CURVE_KEY_BYTES, "CURVE_PUBLICKEY", err)))
        return rc;
    return s_set(sock, ZMQ_CURVE_SECRETKEY, self->secret_key,
                 SR_CURVE_KEY_BYTES, "CURVE_SECRETKEY", err);
}

// --- keygen ---------------------------------------------------------------

static sr_err_t
s_check_name(const char *name, sr_error_t *err)
{
    size_t len = name ? strlen(name) : 0;
    if (len == 0 || len > S_NAME_MAX)
        return sr_error_set(err, SR_EINVAL,
                            "key name must have 1 to %d characters",
                            S_NAME_MAX);
    if (name[0] == '.' || name[0] == '-')
        return sr_error_set(err, SR_EINVAL,
                            "key name '%s' must not start with '%c'", name,
                            name[0]);
    for (size_t i = 0; i < len; i++) {
        char ch = name[i];
        bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                  (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' ||
                  ch == '-';
        if (!ok)
            return sr_error_set(err, SR_EINVAL,
                                "key name '%s': only letters, digits, '.', "
                                "'_' and '-'",
                                name);
    }
    if (len >= 7 && strcmp(name + len - 7, "_secret") == 0)
        return sr_error_set(err, SR_EINVAL,
                            "key name '%s' must not end in _secret (that is "
                            "the secret file's suffix)",
                            name);
    return SR_OK;
}

// Make `dir` (one level) when it is missing; it must be a folder.
static sr_err_t
s_make_dir(const char *dir, sr_error_t *err)
{
    struct stat st;
    if (stat(dir, &st) == 0)
        return S_ISDIR(st.st_mode)
                   ? SR_OK
                   : sr_error_set(err, SR_EINVAL, "%s: not a folder", dir);
    if (errno != ENOENT || mkdir(dir, 0700) != 0)
        return sr_error_set(err, SR_EIO, "%s: cannot make the folder: %s", dir,
                            strerror(errno));
    return SR_OK;
}

static sr_err_t
s_save(zcert_t *cert, const char *pub, const char *sec, sr_error_t *err)
{
    errno = 0;
    if (zcert_save_public(cert, pub) != 0)
        return sr_error_set(err, SR_EIO, "%s: cannot write: %s", pub,
                            errno ? strerror(errno) : "czmq refused");
    // czmq writes it with a private umask; make sure of it.
    if (zcert_save_secret(cert, sec) != 0 || chmod(sec, 0600) != 0)
        return sr_error_set(err, SR_EIO, "%s: cannot write: %s", sec,
                            errno ? strerror(errno) : "czmq refused");
    return SR_OK;
}

sr_err_t
sr_curve_keygen(const char *dir, const char *name, bool is_overwrite,
                char public_txt[SR_CURVE_TXT_SIZE], sr_error_t *err)
{
    sr_err_t rc;
    if ((rc = s_check_curve(err)) || (rc = s_check_name(name, err)))
        return rc;
    if (!dir || !*dir)
        dir = ".";
    char pub[S_PATH_MAX + 16], sec[S_PATH_MAX + 16];
    if (strlen(dir) + strlen(name) + 1 > S_PATH_MAX)
        return sr_error_set(err, SR_EINVAL, "%s/%s: path over %d bytes", dir,
                            name, S_PATH_MAX);
    snprintf(pub, sizeof pub, "%s/%s", dir, name);
    snprintf(sec, sizeof sec, "%s/%s_secret", dir, name);
    if ((rc = s_make_dir(dir, err)))
        return rc;
    struct stat st;
    if (!is_overwrite && (stat(pub, &st) == 0 || stat(sec, &st) == 0))
        return sr_error_set(err, SR_EEXIST,
                            "%s: a key of that name exists (give --force to "
                            "replace it)",
                            stat(pub, &st) == 0 ? pub : sec);
    zcert_t *cert = zcert_new();
    if (!cert)
        return sr_error_set(err, SR_ENOMEM, "cannot make a keypair");
    rc = s_save(cert, pub, sec, err);
    if (!rc)
        memcpy(public_txt, zcert_public_txt(cert), SR_CURVE_TXT_SIZE);
    zcert_destroy(&cert);
    return rc;
}
