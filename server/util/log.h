/*
 * log: one line per event on stderr, "<ISO time> <LEVEL> <message>", written atomically so
 * lines from worker threads never interleave. Never log passwords, codes or tokens.
 */
#ifndef COG_LOG_H
#define COG_LOG_H

#include <stdbool.h>

enum log_level { LOG_LEVEL_DEBUG, LOG_LEVEL_INFO, LOG_LEVEL_WARN, LOG_LEVEL_ERROR };

/* Parse "debug", "info", "warn" or "error" into *out. 0, or -1 for anything else. */
int log_level_parse(const char *name, enum log_level *out);

/* Set the lowest level that is written (default info). */
void log_set_level(enum log_level level);

/* True when a message of level would be written. */
bool log_enabled(enum log_level level);

/* Write one line at level (printf-style) if enabled. */
void log_write(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_debug(...) log_write(LOG_LEVEL_DEBUG, __VA_ARGS__)
#define log_info(...) log_write(LOG_LEVEL_INFO, __VA_ARGS__)
#define log_warn(...) log_write(LOG_LEVEL_WARN, __VA_ARGS__)
#define log_error(...) log_write(LOG_LEVEL_ERROR, __VA_ARGS__)

#endif
