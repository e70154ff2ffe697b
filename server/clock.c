/*
 * clock: wall time plus an atomic offset. See clock.h.
 */
#include "config.h"

#include "clock.h"

#include <stdatomic.h>
#include <time.h>

static _Atomic int64_t offset_ms;

int64_t clock_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 + atomic_load(&offset_ms);
}

int64_t clock_offset_ms(void)
{
    return atomic_load(&offset_ms);
}

void clock_set_offset_ms(int64_t offset)
{
    atomic_store(&offset_ms, offset);
}

double clock_monotonic_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}
