/*
 * inbox: messages recorded in the store and a condition variable for the readers that wait.
 * See inbox.h.
 *
 * A generation counter, bumped under the mutex by every record, tells a waiting reader that
 * something arrived since it last looked; it then queries the store again (its filter may not
 * match the new message). A message recorded inside a transaction becomes visible only at the
 * commit, after the wake-up, so readers also look again every WAIT_SLICE_MS. The condition
 * variable runs on CLOCK_MONOTONIC: moving the emulator's clock (or the wall clock) does not
 * stretch or cut a wait.
 */
#include "config.h"

#include "inbox.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <time.h>

#include "clock.h"
#include "log.h"

#define WAIT_SLICE_MS 100

static pthread_once_t once = PTHREAD_ONCE_INIT;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv;
static uint64_t generation; /* under mu */
static atomic_bool stopping;

static void init_cv(void)
{
    pthread_condattr_t attr;

    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&cv, &attr);
    pthread_condattr_destroy(&attr);
}

void inbox_record(struct store_conn *conn, const struct delivery *d, int64_t now_ms)
{
    struct store_message m = {
        .time_ms = now_ms,
        .pool_id = (char *)d->pool_id,
        .username = (char *)d->username,
        .kind = (char *)d->kind,
        .medium = (char *)d->medium,
        .attribute = (char *)d->attribute,
        .destination = (char *)d->destination,
        .code = (char *)d->code,
    };

    pthread_once(&once, init_cv);
    if (conn == NULL || store_message_put(conn, &m, NULL) != STORE_OK) {
        log_warn("inbox: could not record a %s message for user %s of pool %s", d->kind,
                 d->username, d->pool_id);
        return;
    }
    pthread_mutex_lock(&mu);
    generation++;
    pthread_cond_broadcast(&cv);
    pthread_mutex_unlock(&mu);
}

static uint64_t current_generation(void)
{
    uint64_t g;

    pthread_mutex_lock(&mu);
    g = generation;
    pthread_mutex_unlock(&mu);
    return g;
}

/* Wait until the generation moves past seen, the server stops, or until_ms (monotonic). */
static void wait_for_news(uint64_t seen, double until_ms)
{
    double end = clock_monotonic_ms() + WAIT_SLICE_MS;
    struct timespec ts;

    if (until_ms < end)
        end = until_ms;
    /* clock_monotonic_ms() reads CLOCK_MONOTONIC, the condition variable's clock. */
    ts.tv_sec = (time_t)(end / 1000.0);
    ts.tv_nsec = (long)((end - (double)ts.tv_sec * 1000.0) * 1e6);
    if (ts.tv_nsec < 0)
        ts.tv_nsec = 0;
    if (ts.tv_nsec > 999999999L)
        ts.tv_nsec = 999999999L;
    pthread_mutex_lock(&mu);
    while (generation == seen && !atomic_load(&stopping))
        if (pthread_cond_timedwait(&cv, &mu, &ts) != 0)
            break;
    pthread_mutex_unlock(&mu);
}

int inbox_list(struct store *st, const struct store_message_filter *f, int64_t wait_ms,
               struct store_message ***out, size_t *count, int64_t *last_id)
{
    double until = clock_monotonic_ms() + (double)(wait_ms > 0 ? wait_ms : 0);

    pthread_once(&once, init_cv);
    *out = NULL;
    *count = 0;
    for (;;) {
        uint64_t seen = current_generation();
        struct store_conn *conn = store_acquire(st);
        int status = store_message_list(conn, f, out, count);

        *last_id = status == STORE_OK ? store_message_last_id(conn) : -1;
        store_release(st, conn);
        if (status != STORE_OK || *last_id < 0) {
            store_message_list_free(*out, *count);
            *out = NULL;
            *count = 0;
            return -1;
        }
        if (*count > 0 || atomic_load(&stopping) || clock_monotonic_ms() >= until)
            return 0;
        store_message_list_free(*out, *count);
        *out = NULL;
        wait_for_news(seen, until);
    }
}

void inbox_start(void)
{
    atomic_store(&stopping, false);
}

void inbox_stop(void)
{
    pthread_once(&once, init_cv);
    pthread_mutex_lock(&mu);
    atomic_store(&stopping, true);
    pthread_cond_broadcast(&cv);
    pthread_mutex_unlock(&mu);
}
