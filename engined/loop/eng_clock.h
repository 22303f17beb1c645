// The engine loop's clocks: wall-clock milliseconds, the time that ids,
// records, timers and STATUS speak, and a monotonic one. Every object of the
// loop reads it here, so that none depends on the node file for the time.
//
// Thread rule: any thread.
#ifndef ENG_CLOCK_H
#define ENG_CLOCK_H

#include <stdint.h>
#include <time.h>

static inline int64_t
eng_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

// Monotonic milliseconds, for intervals that a clock set back must not
// stretch (Raft's timers).
static inline int64_t
eng_mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

// Monotonic microseconds, for intervals measured finer than a ms (a Raft
// entry's commit).
static inline int64_t
eng_mono_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

#endif
