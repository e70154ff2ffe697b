/*
 * trigger_log: the recent trigger invocations, for tests and people to see what each Lambda
 * was sent and answered (the control API's GET /_emu/triggers). It keeps the last
 * TRIGGER_LOG_SIZE calls in memory, newest first to readers, with ids that only grow (a reader
 * asks for what came after the last id it saw, as with the code inbox). Recording tells the one
 * listener, so that readers waiting for a call look again; the log itself never blocks.
 */
#ifndef COG_TRIGGER_LOG_H
#define COG_TRIGGER_LOG_H

#include <cJSON.h>
#include <stdint.h>

#define TRIGGER_LOG_SIZE 1000

/* One invocation, as the trigger module records it (all strings borrowed while recording). */
struct trigger_record {
    int64_t time_ms;           /* the emulator clock when the call began */
    const char *pool_id;       /* the user pool */
    const char *source;        /* the triggerSource, e.g. "PreSignUp_SignUp" */
    const char *trigger;       /* the LambdaConfig key, e.g. "PreSignUp" */
    const char *function;      /* the ARN (or name) called */
    const cJSON *event;        /* what was sent */
    const char *answer;        /* the function's answer text, or NULL (none, or a service error) */
    const char *error_type;    /* the exception the call became, or NULL when it went well */
    const char *error_message; /* its message */
    double duration_ms;        /* the Invoke call's wall time */
    int async;                 /* 1 for an Event (custom sender) call */
};

/* Record r (copied; the oldest record goes when the log is full) and tell the listener. */
void trigger_log_record(const struct trigger_record *r);

/* Which records a reader wants: each NULL / 0 member matches everything. */
struct trigger_log_filter {
    const char *pool_id;
    const char *source;
    int64_t after_id; /* only records with a larger id */
    int limit;        /* at most this many (newest first) */
};

/*
 * The records matching f as a new JSON array, newest first ({"id", "time", "timeMs", "poolId",
 * "triggerSource", "trigger", "function", "invocationType", "event", "response" or "error",
 * "durationMs"}); *last_id is the largest id given so far. NULL when out of memory.
 */
cJSON *trigger_log_list(const struct trigger_log_filter *f, int64_t *last_id);

/* How many records match f (no copies). */
int trigger_log_count(const struct trigger_log_filter *f);

/* Forget every record (ids keep growing). */
void trigger_log_clear(void);

/* Set the one listener (NULL: none), told after every record. */
void trigger_log_listen(void (*fn)(void));

#endif
