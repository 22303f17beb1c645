// CurveZMQ keys for Sirocco's sockets. A process has one keypair, read
// from a secret certificate as czmq's zcert_save writes it (NAME_secret,
// next to the public NAME); `sirocco keygen` makes them. The engines of a
// cluster share one server keypair: clients and workers name its public
// certificate (--curve-server-key), and an engine connecting to its peers
// uses that same keypair as a client. Which clients an engine accepts is
// sr_curve_auth.h's business.
//
// An sr_curve_t is plain data once loaded: read-only, it may be shared by
// threads (a worker node's links, the gateway's clients). Sockets are set
// up in the thread that owns them, before bind or connect.
#ifndef SR_CURVE_H
#define SR_CURVE_H

#include <czmq.h>
#include <stdbool.h>

#include "sr_err.h"

#define SR_CURVE_KEY_BYTES  32
#define SR_CURVE_TXT_SIZE   41 // Z85 text of a key, with its NUL
#define SR_CURVE_ZAP_DOMAIN "sirocco"

typedef struct sr_curve sr_curve_t;

// Load the keypair of the secret certificate `secret_path` (NAME_secret;
// NAME also works when NAME_secret lies next to it) and the server key
// from the public certificate `server_key_path`, or, with NULL, take this
// keypair's own public key as the server key (an engine talking to its
// peers). Errors name the file: SR_EIO (cannot read), SR_EINVAL (not a
// certificate, no secret key, keys that do not match), SR_EUNAVAIL
// (libzmq built without CURVE), SR_ENOMEM. Caller owns *out.
sr_err_t sr_curve_load(const char *secret_path, const char *server_key_path,
                       sr_curve_t **out, sr_error_t *err);

// Wipe the secret key and free. NULL-safe; sets *self_p to NULL.
void sr_curve_destroy(sr_curve_t **self_p);

// Z85 texts (40 characters), borrowed from `self`.
const char *sr_curve_public_txt(const sr_curve_t *self);
const char *sr_curve_server_txt(const sr_curve_t *self);

// Make `sock` a CurveZMQ server with this keypair (ZAP domain "sirocco",
// so that sr_curve_auth decides who gets in). Call before bind. SR_EIO
// with libzmq's reason when an option is refused.
sr_err_t sr_curve_apply_server(const sr_curve_t *self, zsock_t *sock,
                               sr_error_t *err);

// Make `sock` a CurveZMQ client of the server key with this keypair.
// Call before connect. SR_EIO as above.
sr_err_t sr_curve_apply_client(const sr_curve_t *self, zsock_t *sock,
                               sr_error_t *err);

// Read certificate `path` as czmq's zcert_load does (NAME_secret when it
// lies next to NAME, else NAME; a public certificate gets a zero secret
// key), parsing the text with zconfig_str_load: czmq's file loader leaks
// on a file that is not a certificate. NULL when it is none (or cannot be
// read). Caller owns the result.
zcert_t *sr_curve_cert_load(const char *path);

// Make a new keypair: DIR/NAME (public) and DIR/NAME_secret (mode 0600),
// making DIR (mode 0700) when missing. NAME is a plain file name, not
// ending in "_secret". Existing files are kept (SR_EEXIST) unless
// `is_overwrite`. *public_txt gets the public key's Z85 text.
sr_err_t sr_curve_keygen(const char *dir, const char *name, bool is_overwrite,
                         char public_txt[SR_CURVE_TXT_SIZE], sr_error_t *err);

#endif
