// Runs one child process for an action, without a shell: posix_spawn of an
// executable in its own process group, with given argv, environment, working
// folder and stdin bytes; collects stdout and stderr up to a limit each, and
// ends it (SIGTERM to the group, then SIGKILL after a grace period) when the
// run is cancelled, reaches its time bound or writes too much.
//
// Guarantees: the child is always reaped (no zombie), anything left in its
// process group when it ends is killed, no descriptor but stdin/stdout/stderr
// reaches the child, and stdin is written while stdout and stderr are read
// (poll), so a child that writes much and reads little cannot deadlock us.
// A child that exits without reading its stdin is not an error.
//
// Thread rule: reentrant; call from any thread. SIGPIPE is blocked in the
// calling thread while it writes stdin, never process-wide. The process must
// not ignore SIGCHLD nor reap children it did not start (waitpid(-1)).
#ifndef WRK_PROC_H
#define WRK_PROC_H

#include <stddef.h>
#include <stdint.h>

#include "sr_err.h"
#include "wrk_bound.h"

typedef struct {
    const char *path;         // executable to run
    char *const *argv;        // NULL-terminated; argv[0] is shown in `ps`
    char *const *envp;        // NULL-terminated environment
    const char *cwd;          // working folder; NULL = the worker's
    const char *stdin_data;   // bytes for stdin; NULL = empty stdin
    size_t stdin_len;         //
    size_t output_limit;      // bytes per stream; more ends the child
    int64_t kill_grace_ms;    // SIGTERM -> SIGKILL wait
    const wrk_bound_t *bound; // deadline and cancel of the run
} wrk_proc_opts_t;

typedef enum {
    WRK_PROC_EXITED = 0, // exited; `code` is its status
    WRK_PROC_SIGNALED,   // killed by signal `code` (not by us)
    WRK_PROC_TIMEOUT,    // we ended it: time bound reached
    WRK_PROC_CANCELLED,  // we ended it: cancelled
    WRK_PROC_OVERFLOW,   // we ended it: `overflow` stream over the limit
} wrk_proc_end_t;

typedef struct {
    wrk_proc_end_t end;
    int code;             // exit status or signal number
    const char *overflow; // "stdout" or "stderr" when OVERFLOW; static
    char *out;            // owned, NUL-terminated stdout (at most the limit)
    size_t out_len;
    char *err; // owned, NUL-terminated stderr (at most the limit)
    size_t err_len;
} wrk_proc_result_t;

// Run the child to its end. SR_OK with *out filled whenever the child was
// started (however it ended); SR_EIO when it could not be started (message
// names the path and the system's reason), SR_ENOMEM. Caller finalises *out
// with wrk_proc_result_fini.
sr_err_t wrk_proc_run(const wrk_proc_opts_t *opts, wrk_proc_result_t *out,
                      sr_error_t *err);

void wrk_proc_result_fini(wrk_proc_result_t *self);

#endif
