/*
 * inbox: every code and temporary password the emulator "sends", kept for tests to read (the
 * control API's GET /_emu/messages), so that nobody has to scrape codes from the log.
 *
 * delivery.c records each message here (in the messages table, through the store) and wakes
 * the readers waiting for one. A reader asks for the messages matching a filter, newest first,
 * and may wait a bounded time for a first match to arrive ("the next code for alice": a filter
 * with after = the last id it has seen). Waiting holds no database connection; it does hold
 * the HTTP worker thread that serves the request.
 */
#ifndef COG_INBOX_H
#define COG_INBOX_H

#include <stddef.h>
#include <stdint.h>

#include "delivery.h"
#include "store.h"

/* The longest wait a reader may ask for, in milliseconds. */
#define INBOX_MAX_WAIT_MS 30000

/*
 * Record message d (sent now_ms) through conn, part of conn's transaction when one is open,
 * and wake the waiting readers. A failure is logged and otherwise ignored: the message was
 * still "sent" (logged by delivery.c), only the inbox misses it.
 */
void inbox_record(struct store_conn *conn, const struct delivery *d, int64_t now_ms);

/*
 * The messages matching f, newest first, waiting up to wait_ms (0: answer at once) while none
 * matches. On 0 *out holds *count messages (store_message_list_free()) and *last_id the largest
 * message id given so far (a mark for a later "after"). -1 on a store failure (logged).
 * A wait ends early when the server stops (inbox_stop()).
 */
int inbox_list(struct store *st, const struct store_message_filter *f, int64_t wait_ms,
               struct store_message ***out, size_t *count, int64_t *last_id);

/* Serving starts: waits are allowed (again). */
void inbox_start(void);

/* Serving stops: end every wait now and refuse new ones, so that shutdown is not delayed. */
void inbox_stop(void);

#endif
