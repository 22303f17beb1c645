// The allow list of an engine, as a czmq actor: a REP socket bound to
// ZeroMQ's ZAP endpoint answers each handshake's request from czmq's
// certificate store of the folder, and PAIR sockets read the monitors of
// the watched server sockets. Refusals go to the refusal log. Also checks
// the folder at start (it exists; how many keys; nothing secret in it).
// Owns the actor, the log and the folder path; the actor's thread owns
// its sockets and the certificate store.
#include "sr_curve_auth.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sr_curve_log.h"
#include "sr_log.h"

#define S_ZAP_ENDPOINT "inproc://zeromq.zap.01"
#define S_EVENTS                                                               \
    (ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL |                                    \
     ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL | ZMQ_EVENT_HANDSHAKE_FAILED_AUTH)

enum { S_STARTED = 0, S_ZAP_TAKEN = 1, S_FAILED = 2 }; // actor start status

struct sr_curve_auth {
    zactor_t *actor;
    sr_curve_log_t *log;              // written by the actor's thread only
    char *dir;                        // absolute
    char also_key[SR_CURVE_TXT_SIZE]; // accepted besides the folder; "" none
    unsigned next_mon;                // monitor endpoints made
    size_t nwatched;
    int start_status; // written by the actor before zactor_new returns
};

// The actor's state (its thread only).
typedef struct {
    sr_curve_auth_t *auth;
    zsock_t *pipe, *handler;
    zcertstore_t *certs;
    zpoller_t *poller;
    zsock_t *mons[SR_CURVE_AUTH_WATCH_MAX];
    char *names[SR_CURVE_AUTH_WATCH_MAX];
    size_t n;
} s_self_t;

// --- the folder -------------------------------------------------------------

static bool
s_is_secret_name(const char *path)
{
    size_t len = strlen(path);
    return len >= 7 && strcmp(path + len - 7, "_secret") == 0;
}

// Count the certificates of `dir` as czmq's store reads them; tell
// whether `key_txt` (may be NULL) is one; warn about secret files when
// `is_start`.
static sr_err_t
s_scan(const char *dir, const char *key_txt, bool is_start, size_t *keys,
       bool *has_key, sr_error_t *err)
{
    zdir_t *d = zdir_new(dir, NULL);
    if (!d)
        return sr_error_set(err, SR_EIO, "allow folder %s: cannot read it",
                            dir);
    zfile_t **files = zdir_flatten(d);
    *keys = 0;
    *has_key = false;
    for (size_t i = 0; files && files[i]; i++) {
        const char *path = zfile_filename(files[i], NULL);
        if (!zfile_is_regular(files[i]))
            continue;
        if (s_is_secret_name(path)) {
            if (is_start)
                sr_warn("curve: %s is a secret key; an allow folder needs "
                        "only public certificates",
                        path);
            continue;
        }
        zcert_t *cert = sr_curve_cert_load(path);
        if (!cert)
            continue; // not a certificate: the store skips it too
        (*keys)++;
        if (key_txt && strcmp(zcert_public_txt(cert), key_txt) == 0)
            *has_key = true;
        zcert_destroy(&cert);
    }
    sr_err_t rc = files ? SR_OK : sr_error_set(err, SR_ENOMEM, "out of memory");
    zdir_flatten_free(&files);
    zdir_destroy(&d);
    return rc;
}

static sr_err_t
s_check_dir(const char *allow_dir, char **abs, sr_error_t *err)
{
    struct stat st;
    if (!allow_dir || !*allow_dir)
        return sr_error_set(err, SR_EINVAL, "allow folder: none given");
    if (stat(allow_dir, &st) != 0)
        return sr_error_set(err, SR_EINVAL, "allow folder %s: %s", allow_dir,
                            strerror(errno));
    if (!S_ISDIR(st.st_mode))
        return sr_error_set(err, SR_EINVAL, "allow folder %s: not a folder",
                            allow_dir);
    if (!(*abs = realpath(allow_dir, NULL)))
        return sr_error_set(err, SR_EIO, "allow folder %s: %s", allow_dir,
                            strerror(errno));
    return SR_OK;
}

// --- the actor --------------------------------------------------------------

// Decide one ZAP request (RFC 27) and answer it.
static void
s_on_zap(s_self_t *self)
{
    zmsg_t *req = zmsg_recv(self->handler);
    if (!req)
        return;
    char *version = zmsg_popstr(req), *seq = zmsg_popstr(req);
    char *domain = zmsg_popstr(req), *address = zmsg_popstr(req);
    zframe_t *identity = zmsg_pop(req);
    char *mechanism = zmsg_popstr(req);
    zframe_t *cred = zmsg_pop(req);
    const char *code = "400", *status = "No access";
    char key[SR_CURVE_TXT_SIZE] = "";
    if (!version || !seq || !mechanism || !streq(version, "1.0")) {
        code = "500";
        status = "Malformed request";
    } else if (streq(mechanism, "NULL")) {
        code = "200"; // no security asked for: not this list's business
        status = "OK";
    } else if (!streq(mechanism, "CURVE") || !cred ||
               zframe_size(cred) != SR_CURVE_KEY_BYTES) {
        status = "Mechanism not supported";
    } else {
        zmq_z85_encode(key, zframe_data(cred), SR_CURVE_KEY_BYTES);
        if (streq(key, self->auth->also_key) ||
            zcertstore_lookup(self->certs, key)) {
            code = "200";
            status = "OK";
            sr_debug("curve: accepted key=%s address=%s", key, address);
        } else {
            char text[512], repeat[128];
            snprintf(text, sizeof text,
                     "key=%s address=%s: not in the allow folder %s", key,
                     address && *address ? address : "(local)",
                     self->auth->dir);
            snprintf(repeat, sizeof repeat, "zap|%s|%s", key,
                     address ? address : "");
            sr_curve_log_refusal(self->auth->log, zclock_mono(), repeat, text);
        }
    }
    if (zstr_sendx(self->handler, "1.0", seq ? seq : "", code, status, key, "",
                   NULL) != 0)
        sr_warn("curve: cannot answer a ZAP request: %s",
                zmq_strerror(zmq_errno()));
    free(version);
    free(seq);
    free(domain);
    free(address);
    free(mechanism);
    zframe_destroy(&identity);
    zframe_destroy(&cred);
    zmsg_destroy(&req);
}

// Why a handshake failed. A peer without CurveZMQ shows either as a
// mechanism mismatch or, when it sees the mismatch first and hangs up,
// as a failure without detail: one kind, for summing up repeats.
static unsigned
s_kind(uint16_t event, uint32_t value)
{
    if (event != ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL ||
        value == ZMQ_PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH)
        return 0;
    return value;
}

static const char *
s_reason(uint16_t event, uint32_t value, char *buf, size_t size)
{
    if (event == ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL &&
        value == ZMQ_PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH)
        snprintf(buf, size, "the peer does not use CurveZMQ (no keys set?)");
    else if (event == ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL &&
             value == ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC)
        snprintf(buf, size,
                 "the peer's CurveZMQ handshake does not decrypt (a wrong "
                 "server key?)");
    else if (event == ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL)
        snprintf(buf, size, "protocol error 0x%x in the handshake",
                 (unsigned)value);
    else
        snprintf(buf, size,
                 "handshake failed (%s): the peer does not use CurveZMQ, or "
                 "hung up",
                 zmq_strerror((int)value));
    return buf;
}

// A monitor event of watched socket `i`: a failed handshake.
static void
s_on_monitor(s_self_t *self, size_t i)
{
    zmsg_t *msg = zmsg_recv(self->mons[i]);
    zframe_t *head = msg ? zmsg_first(msg) : NULL;
    if (head && zframe_size(head) == 6) {
        uint16_t event;
        uint32_t value;
        memcpy(&event, zframe_data(head), sizeof event);
        memcpy(&value, zframe_data(head) + 2, sizeof value);
        // A key refused by the ZAP handler was logged there, with the key.
        if (event != ZMQ_EVENT_HANDSHAKE_FAILED_AUTH) {
            char reason[128], text[512], repeat[160];
            snprintf(text, sizeof text, "connection endpoint=%s: %s",
                     self->names[i], s_reason(event, value, reason, 128));
            snprintf(repeat, sizeof repeat, "mon|%zu|%u", i,
                     s_kind(event, value));
            sr_curve_log_refusal(self->auth->log, zclock_mono(), repeat, text);
        }
    }
    zmsg_destroy(&msg);
}

// "WATCH" ENDPOINT NAME: connect a PAIR to a socket's monitor.
static int
s_on_watch(s_self_t *self, zmsg_t *cmd)
{
    char *ep = zmsg_popstr(cmd), *name = zmsg_popstr(cmd);
    zsock_t *pair = NULL;
    int rc = -1;
    if (ep && name && self->n < SR_CURVE_AUTH_WATCH_MAX &&
        (pair = zsock_new(ZMQ_PAIR)) && zsock_connect(pair, "%s", ep) == 0 &&
        zpoller_add(self->poller, pair) == 0) {
        self->mons[self->n] = pair;
        self->names[self->n++] = name;
        name = NULL;
        pair = NULL;
        rc = 0;
    }
    zsock_destroy(&pair);
    free(ep);
    free(name);
    return rc;
}

// A command of the pipe; false on $TERM.
static bool
s_on_pipe(s_self_t *self)
{
    zmsg_t *cmd = zmsg_recv(self->pipe);
    char *verb = cmd ? zmsg_popstr(cmd) : NULL;
    bool is_term = !verb || streq(verb, "$TERM");
    if (verb && streq(verb, "WATCH"))
        zsock_signal(self->pipe, s_on_watch(self, cmd) ? 1 : 0);
    free(verb);
    zmsg_destroy(&cmd);
    return !is_term;
}

static int
s_open(s_self_t *self)
{
    self->handler = zsock_new(ZMQ_REP);
    if (!self->handler)
        return S_FAILED;
    if (zsock_bind(self->handler, S_ZAP_ENDPOINT) != 0)
        return S_ZAP_TAKEN;
    self->certs = zcertstore_new(self->auth->dir);
    self->poller = zpoller_new(self->pipe, self->handler, NULL);
    return self->certs && self->poller ? S_STARTED : S_FAILED;
}

static void
s_actor(zsock_t *pipe, void *arg)
{
    s_self_t self = {.auth = arg, .pipe = pipe};
    int status = s_open(&self);
    self.auth->start_status = status;
    zsock_signal(pipe, 0); // zactor_new waits for it
    while (status == S_STARTED) {
        void *which = zpoller_wait(self.poller, -1);
        if (which == pipe) {
            if (!s_on_pipe(&self))
                break;
        } else if (which == self.handler) {
            s_on_zap(&self);
        } else if (which) {
            for (size_t i = 0; i < self.n; i++)
                if (which == self.mons[i])
                    s_on_monitor(&self, i);
        } else if (zpoller_terminated(self.poller))
            break;
    }
    for (size_t i = 0; i < self.n; i++) {
        zsock_destroy(&self.mons[i]);
        free(self.names[i]);
    }
    zpoller_destroy(&self.poller);
    zcertstore_destroy(&self.certs);
    if (status != S_ZAP_TAKEN && self.handler)
        zsock_unbind(self.handler, S_ZAP_ENDPOINT);
    zsock_destroy(&self.handler);
}

// --- public -----------------------------------------------------------------

static sr_err_t
s_start_actor(sr_curve_auth_t *self, sr_error_t *err)
{
    self->actor = zactor_new(s_actor, self);
    if (!self->actor)
        return sr_error_set(err, SR_EIO, "cannot start the allow list thread");
    int status = self->start_status;
    if (status == S_ZAP_TAKEN)
        return sr_error_set(err, SR_ESTATE,
                            "a ZAP handler already runs in this process (one "
                            "allow list per process)");
    if (status != S_STARTED)
        return sr_error_set(err, SR_EIO, "cannot start the ZAP handler");
    return SR_OK;
}

sr_err_t
sr_curve_auth_start(const char *allow_dir, const char *also_key,
                    sr_curve_auth_t **out, sr_error_t *err)
{
    sr_curve_auth_t *self = calloc(1, sizeof *self);
    if (!self)
        return sr_error_set(err, SR_ENOMEM, "out of memory");
    if (also_key)
        snprintf(self->also_key, sizeof self->also_key, "%s", also_key);
    size_t keys = 0;
    bool has_key = false;
    sr_err_t rc = s_check_dir(allow_dir, &self->dir, err);
    if (!rc)
        rc = s_scan(self->dir, NULL, true, &keys, &has_key, err);
    if (!rc && !(self->log = sr_curve_log_new(SR_CURVE_LOG_QUIET_MS)))
        rc = sr_error_set(err, SR_ENOMEM, "out of memory");
    if (!rc)
        rc = s_start_actor(self, err);
    if (rc) {
        sr_curve_auth_stop(&self);
        return rc;
    }
    if (keys == 0)
        sr_warn("curve: allow folder %s holds no public certificate; every "
                "client and worker will be refused",
                self->dir);
    else
        sr_info("curve: allow folder %s keys=%zu", self->dir, keys);
    *out = self;
    return SR_OK;
}

void
sr_curve_auth_stop(sr_curve_auth_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    sr_curve_auth_t *self = *self_p;
    zactor_destroy(&self->actor);
    sr_curve_log_destroy(&self->log);
    free(self->dir);
    free(self);
    *self_p = NULL;
}

bool
sr_curve_auth_allows(const sr_curve_auth_t *self, const char *key_txt)
{
    size_t keys = 0;
    bool has_key = false;
    sr_error_t err;
    return s_scan(self->dir, key_txt, false, &keys, &has_key, &err) == SR_OK &&
           has_key;
}

sr_err_t
sr_curve_auth_watch(sr_curve_auth_t *self, zsock_t *sock, const char *what,
                    sr_error_t *err)
{
    if (self->nwatched == SR_CURVE_AUTH_WATCH_MAX)
        return sr_error_set(err, SR_ETOOBIG, "more than %d watched sockets",
                            SR_CURVE_AUTH_WATCH_MAX);
    char ep[96];
    snprintf(ep, sizeof ep, "inproc://sr-curve-monitor-%p-%u", (void *)self,
             self->next_mon++);
    if (zmq_socket_monitor(zsock_resolve(sock), ep, S_EVENTS) != 0)
        return sr_error_set(err, SR_EIO, "%s: cannot monitor the socket: %s",
                            what, zmq_strerror(zmq_errno()));
    if (zstr_sendx(self->actor, "WATCH", ep, what, NULL) != 0 ||
        zsock_wait(self->actor) != 0) {
        zmq_socket_monitor(zsock_resolve(sock), NULL, 0);
        return sr_error_set(err, SR_EIO, "%s: cannot watch the socket", what);
    }
    self->nwatched++;
    return SR_OK;
}

uint64_t
sr_curve_auth_refusals(const sr_curve_auth_t *self)
{
    return sr_curve_log_count(self->log);
}

const char *
sr_curve_auth_dir(const sr_curve_auth_t *self)
{
    return self->dir;
}
