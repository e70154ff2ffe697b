/*
 * log: leveled lines on stderr. Each line is formatted into one buffer and written with one
 * write(2), so concurrent workers never interleave partial lines. See log.h.
 */
#include "config.h"

#include "util/log.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static _Atomic int min_level = LOG_LEVEL_INFO;

static const char *const level_names[] = {"debug", "info", "warn", "error"};

int log_level_parse(const char *name, enum log_level *out)
{
    for (size_t i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++) {
        if (strcasecmp(name, level_names[i]) == 0) {
            *out = (enum log_level)i;
            return 0;
        }
    }
    return -1;
}

void log_set_level(enum log_level level)
{
    atomic_store(&min_level, (int)level);
}

bool log_enabled(enum log_level level)
{
    return (int)level >= atomic_load(&min_level);
}

void log_write(enum log_level level, const char *fmt, ...)
{
    char line[2048];
    struct timeval tv;
    struct tm tm;
    size_t len;
    va_list ap;

    if (!log_enabled(level))
        return;
    gettimeofday(&tv, NULL);
    gmtime_r(&tv.tv_sec, &tm);
    len = strftime(line, sizeof(line), "%Y-%m-%dT%H:%M:%S", &tm);
    len += (size_t)snprintf(line + len, sizeof(line) - len, ".%03dZ %-5s ",
                            (int)(tv.tv_usec / 1000), level_names[level]);
    va_start(ap, fmt);
    int n = vsnprintf(line + len, sizeof(line) - len, fmt, ap);
    va_end(ap);
    len = n < 0 ? len : (len + (size_t)n >= sizeof(line) - 1 ? sizeof(line) - 2 : len + (size_t)n);
    line[len++] = '\n';
    /* One write per line; a short write to stderr is not worth retrying. */
    if (write(STDERR_FILENO, line, len) < 0)
        return;
}
