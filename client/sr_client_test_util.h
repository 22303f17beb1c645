// Fixture of the client tests: a temporary folder and two fake engines on
// ipc:// endpoints in it, A owning partitions 0 and 1, B owning 2 and 3.
#ifndef SR_CLIENT_TEST_UTIL_H
#define SR_CLIENT_TEST_UTIL_H

#include <stdint.h>

#include "sirocco/client.h"
#include "sr_fake_engine.h"

#define SR_FX_WAIT_MS 5000 // timeout of calls expected to succeed

typedef struct {
    char dir[128];
    char ep[2][192];  // endpoints of A and B
    char both[400];   // "A,B"
    char nobody[192]; // an endpoint nothing listens on
    sr_fake_engine_t *fe[2];
} sr_fx_t;

// Create the folder and start both engines; 0 on success (cmocka setup).
int sr_fx_setup(sr_fx_t *fx);
// Stop the engines and remove the folder.
void sr_fx_teardown(sr_fx_t *fx);
// The same as cmocka setup and teardown of the fixture given as the
// test's state (cmocka_unit_test_prestate_setup_teardown).
int sr_fx_setup_state(void **state);
int sr_fx_teardown_state(void **state);
// Open a client on `endpoints`, failing the test when it cannot.
sr_client_t *sr_fx_open(const char *endpoints);
// The same, once connected to every engine (a STATUS of each answered),
// so that what a call sends where does not depend on connection races.
sr_client_t *sr_fx_open_connected(const char *endpoints);
// The same with options (may be NULL).
sr_client_t *sr_fx_open_connected_with(const char *endpoints,
                                       const sr_client_opts_t *opts);
// A third engine C on fx->nobody, owning 4 and 5, in a cluster of
// partitions 0 .. 5 that every engine names (A, B and C); a client
// opened with `opts` (may be NULL) and connected to all three; then C
// closed (as if killed) and the client seeing that it is gone.
sr_client_t *sr_fx_open_three_then_close_c(sr_fx_t *fx,
                                           const sr_client_opts_t *opts);
// An id in `partition` created at `ms` (unix ms).
sr_id_t sr_fx_id(uint16_t partition, int64_t ms);
// Its text form, in a static buffer per slot (0..7).
const char *sr_fx_text(const sr_id_t *id, int slot);
// Fail the test unless `rc` is SR_OK (prints err).
void sr_fx_ok(sr_err_t rc, const sr_error_t *err);
// The value of JSON `text`, failing the test when it is not JSON. Caller
// owns it.
sr_value_t *sr_fx_json(const char *text);

#endif
