/*
 * inbox: messages recorded in the store, and a listener told about each one. See inbox.h.
 *
 * The listener (http_wake, set by control_messages.c) is an atomic pointer: it is set once and
 * read by every thread that records a message, with no lock held while it runs.
 */
#include "config.h"

#include "userpool/inbox.h"

#include <stdatomic.h>

#include "util/log.h"

static _Atomic(inbox_listener *) listener;
static atomic_bool stopping;

static void tell_listener(void)
{
    inbox_listener *fn = atomic_load(&listener);

    if (fn != NULL)
        fn();
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

    if (conn == NULL || store_message_put(conn, &m, NULL) != STORE_OK) {
        log_warn("inbox: could not record a %s message for user %s of pool %s", d->kind,
                 d->username, d->pool_id);
        return;
    }
    tell_listener();
}

int inbox_list(struct store *st, const struct store_message_filter *f, struct store_message ***out,
               size_t *count, int64_t *last_id)
{
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
    return 0;
}

void inbox_listen(inbox_listener *fn)
{
    atomic_store(&listener, fn);
}

void inbox_start(void)
{
    atomic_store(&stopping, false);
}

void inbox_stop(void)
{
    atomic_store(&stopping, true);
    tell_listener();
}

bool inbox_stopping(void)
{
    return atomic_load(&stopping);
}
