// Helpers shared by the store's tests: a partition in a folder of its
// own, made fresh for each test and removed after it; documents parsed
// from YAML; writes through the core's state interface in one
// transaction; the write sets of commits kept, applied to a copy, and the
// copies compared record by record. Every helper asserts (cmocka) instead
// of returning errors.
#ifndef STORE_TEST_UTIL_H
#define STORE_TEST_UTIL_H

#include <stdint.h>

#include "core_state.h"
#include "lang_spec.h"
#include "store_part.h"

typedef struct {
    char dir[64];
    store_part_t *part; // partition 0, STORE_NOSYNC
} st_fix_t;

// cmocka setup and teardown: *state is an st_fix_t.
int st_setup(void **state);
int st_teardown(void **state);

// A new empty folder under /tmp (dir[64]); removed with st_rmdir.
void st_mkdir(char dir[64]);
void st_rmdir(const char *dir);
// Open partition `partition` in `dir`, without sync.
store_part_t *st_open(const char *dir, uint16_t partition);

// A document parsed from `yaml`; caller owns it.
lang_doc_t *st_doc(const char *yaml);

// The encoded write sets of committed transactions, in commit order.
typedef struct {
    char **bufs; // owned
    size_t *lens;
    size_t n, cap;
} st_log_t;

void st_log_fini(st_log_t *log);
// Encode the write set of `txn` into `log` (when not NULL), then commit.
void st_commit(store_txn_t **txn_p, st_log_t *log);
// Apply every write set of `log` to `part`, in order.
void st_log_apply(const st_log_t *log, store_part_t *part);

// Run `fn` on the core's state of one write transaction, then flush and
// commit (its write set into `log` when not NULL).
typedef void (*st_write_fn)(core_state_t *st, void *arg);
void st_write(store_part_t *part, st_write_fn fn, void *arg, st_log_t *log);

// The number of records two copies hold when they hold the same records
// (store_records), byte for byte; else 0 and `why` says where they part.
size_t st_same(store_part_t *a, store_part_t *b, char why[128]);
// The same, failing the test when they differ.
size_t st_assert_same(store_part_t *a, store_part_t *b);

#endif
