/*
 * clock: the emulator's one notion of "now", movable for tests.
 *
 * Everything time-dependent (timestamps, token and code expiry, sessions) reads
 * clock_now_ms(). The clock is wall time plus an offset that a test (or later the control
 * API) can set; the offset is a single atomic, so reading the clock is thread-safe and cheap.
 */
#ifndef COG_CLOCK_H
#define COG_CLOCK_H

#include <stdint.h>

/* Milliseconds since the Unix epoch, as the emulator sees it (wall time + offset). */
int64_t clock_now_ms(void);

/* The current offset from wall time, in milliseconds. */
int64_t clock_offset_ms(void);

/* Set the offset from wall time, in milliseconds (0 restores real time). */
void clock_set_offset_ms(int64_t offset);

/* Monotonic milliseconds for measuring durations (never moved by the offset). */
double clock_monotonic_ms(void);

#endif
