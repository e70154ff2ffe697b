/*
 * clock: the emulator's one notion of "now", movable for tests.
 *
 * Everything time-dependent (timestamps, token and code expiry, sessions) reads
 * clock_now_ms(). The clock is wall time plus an offset that a test (or the control
 * API, POST /_emu/clock) can set; the offset is a single atomic, so reading the clock is
 * thread-safe and cheap.
 */
#ifndef COG_CLOCK_H
#define COG_CLOCK_H

#include <stddef.h>
#include <stdint.h>

/* Milliseconds since the Unix epoch, as the emulator sees it (wall time + offset). */
int64_t clock_now_ms(void);

/* The current offset from wall time, in milliseconds. */
int64_t clock_offset_ms(void);

/* Set the offset from wall time, in milliseconds (0 restores real time). */
void clock_set_offset_ms(int64_t offset);

/* Monotonic milliseconds for measuring durations (never moved by the offset). */
double clock_monotonic_ms(void);

/* ms since the epoch as ISO 8601 UTC with milliseconds, "2024-05-01T12:00:00.123Z" (out: 32). */
void clock_format_iso(int64_t ms, char *out, size_t n);

/*
 * Parse ISO 8601 "YYYY-MM-DDTHH:MM:SS" with optional ".fff" fractions and "Z" or "+HH:MM" /
 * "-HH:MM" (no zone: UTC) into ms since the epoch. 0, or -1 when s is not such a time.
 */
int clock_parse_iso(const char *s, int64_t *ms);

#endif
