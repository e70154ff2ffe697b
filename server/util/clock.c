/*
 * clock: wall time plus an atomic offset. See clock.h.
 */
#include "config.h"

#include "util/clock.h"

#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
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

void clock_format_iso(int64_t ms, char *out, size_t n)
{
    time_t secs = (time_t)(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
    struct tm tm;
    char date[24];

    gmtime_r(&secs, &tm);
    strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out, n, "%s.%03dZ", date, (int)(ms - (int64_t)secs * 1000));
}

/* Read exactly width digits at *p into *v, advancing *p. 0, or -1. */
static int digits(const char **p, int width, int *v)
{
    *v = 0;
    for (int i = 0; i < width; i++, (*p)++) {
        if (**p < '0' || **p > '9')
            return -1;
        *v = *v * 10 + (**p - '0');
    }
    return 0;
}

int clock_parse_iso(const char *s, int64_t *ms)
{
    struct tm tm;
    int year, mon, day, hour, min, sec, frac = 0, zone = 0;
    const char *p = s;

    memset(&tm, 0, sizeof(tm));
    if (digits(&p, 4, &year) || *p++ != '-' || digits(&p, 2, &mon) || *p++ != '-' ||
        digits(&p, 2, &day) || (*p != 'T' && *p != 't' && *p != ' ') || !*p++ ||
        digits(&p, 2, &hour) || *p++ != ':' || digits(&p, 2, &min) || *p++ != ':' ||
        digits(&p, 2, &sec))
        return -1;
    if (*p == '.') {
        int scale = 100;
        p++;
        if (*p < '0' || *p > '9')
            return -1;
        for (; *p >= '0' && *p <= '9'; p++, scale /= 10)
            frac += (*p - '0') * scale;
    }
    if (*p == 'Z' || *p == 'z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        int sign = *p++ == '-' ? -1 : 1, zh, zm;
        if (digits(&p, 2, &zh) || *p++ != ':' || digits(&p, 2, &zm) || zh > 23 || zm > 59)
            return -1;
        zone = sign * (zh * 60 + zm);
    }
    if (*p != '\0' || mon < 1 || mon > 12 || day < 1 || day > 31 || hour > 23 || min > 59 ||
        sec > 60)
        return -1;
    tm.tm_year = year - 1900;
    tm.tm_mon = mon - 1;
    tm.tm_mday = day;
    tm.tm_hour = hour;
    tm.tm_min = min;
    tm.tm_sec = sec;
    *ms = ((int64_t)timegm(&tm) - (int64_t)zone * 60) * 1000 + frac;
    return 0;
}
