// Daemon processes of a local cluster (sirocco cluster up/down/status):
// start one detached with its output in a log file, tell whether a PID is
// still the process that was started (PIDs are reused: the start time
// from /proc tells them apart), and stop one with SIGTERM, then SIGKILL
// after a bound. Linux only (/proc).
//
// Thread rule: the main thread (fork and signals).
#ifndef CLI_PROC_H
#define CLI_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "sr_err.h"

// Start argv[0] (a path) with `argv` (NULL-terminated) in a new session,
// stdin from /dev/null, stdout and stderr appended to `log_path`. Returns
// once the program runs (exec succeeded). The process is our child until
// we exit: cli_proc_reap collects it if it ends first. Errors: SR_EIO
// (the log cannot be opened, fork fails, or exec fails: the message
// names the program and the reason).
sr_err_t cli_proc_spawn(char *const argv[], const char *log_path, pid_t *pid,
                        sr_error_t *err);

// When our child `pid` has ended, collect it and return true.
bool cli_proc_reap(pid_t pid);

// The start time of `pid` (clock ticks after boot, /proc/PID/stat), or 0
// when there is no such process or it is a zombie (dead, not collected).
uint64_t cli_proc_start_ticks(pid_t pid);

// True when `pid` runs and, unless `start_ticks` is 0, started then.
bool cli_proc_is_alive(pid_t pid, uint64_t start_ticks);

// Send SIGTERM to every alive process of pids[0..n) (those with matching
// start ticks), wait up to `timeout_ms` for all to end, then SIGKILL the
// rest and wait a little more. killed[i] tells which needed SIGKILL; it
// may be NULL. Returns how many processes were signalled.
size_t cli_proc_stop(const pid_t *pids, const uint64_t *start_ticks, size_t n,
                     int timeout_ms, bool *killed);

// Monotonic milliseconds, for waits.
int64_t cli_proc_now_ms(void);

// The folder holding the running program (from /proc/self/exe), where
// sirocco-engined and sirocco-workerd are looked for. SR_EIO when
// unknown, SR_ETOOBIG when over `size`.
sr_err_t cli_proc_self_dir(char *out, size_t size, sr_error_t *err);

#endif
