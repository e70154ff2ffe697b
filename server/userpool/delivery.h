/*
 * delivery: where codes and temporary passwords are "sent". The emulator sends nothing: each
 * message is composed as Cognito would send it (the pool's templates, or Cognito's defaults,
 * or what the CustomMessage trigger returned, with the code substituted), logged at info level
 * (username, medium, destination, kind and code) so that a developer can read it, and recorded
 * in the code inbox (below) for tests. A pool whose CustomEmailSender / CustomSMSSender takes
 * the channel gets the code handed to that function instead; the inbox still records the
 * message, marked with the sender.
 *
 * The inbox keeps every code and temporary password the emulator "sends" for tests to read
 * (the control API's GET /_emu/messages), so that nobody has to scrape codes from the log.
 * delivery_send records each message there (in the messages table, through the store) and tells
 * the one listener, so that readers waiting for a message look again. A reader asks for the
 * messages matching a filter, newest first ("the next code for alice": a filter with after =
 * the last id it has seen); waiting is the reader's business (control_messages.c parks its
 * HTTP request), the inbox never blocks.
 */
#ifndef COG_DELIVERY_H
#define COG_DELIVERY_H

#include <cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "aws/op.h"
#include "store/store.h"

struct delivery {
    const char *pool_id;
    const char *username;
    const char *kind;   /* "sign-up", "forgot-password", "verify-attribute", "invitation", "mfa" */
    const char *source; /* the message triggers' source suffix when the kind does not say it:
                           "ResendCode" (kind sign-up), "UpdateUserAttribute" (kind
                           verify-attribute); NULL: the kind's (SignUp, ForgotPassword,
                           VerifyUserAttribute, AdminCreateUser, Authentication) */
    const char *medium; /* "EMAIL" or "SMS" */
    const char *attribute;         /* "email" or "phone_number" */
    const char *destination;       /* the address or number */
    const char *code;              /* the code or temporary password */
    const cJSON *pool;             /* the pool document (borrowed, may be NULL: Cognito's default
                                      texts, no triggers): its templates and LambdaConfig */
    const char *client_id;         /* the request's app client; NULL for an administrator's */
    const struct store_user *user; /* the user, whose attributes the triggers get; may be NULL */
    const cJSON *client_metadata;  /* the request's ClientMetadata where Cognito routes it to
                                      the message triggers (lambda-triggers.md section 3), or NULL */
};

/*
 * Deliver d (copied), and when details is not NULL fill it as Cognito's CodeDeliveryDetailsType
 * ({"Destination": masked, "DeliveryMedium", "AttributeName"}). The message goes out when the
 * request's transaction commits (at once outside one), and not at all when it rolls back:
 * the custom sender or CustomMessage trigger, then the log line and the inbox row. A
 * CustomMessage function that fails or answers a message Cognito refuses fails the request
 * (Cognito waits for it before it sends): 0, or -1 with ctx->err set, here when the message
 * went out at once, else from the ops_txn_end() that sends it. A code of NULL is the simulated
 * delivery to an unknown user: details only, nothing sent.
 */
int delivery_send(struct op_ctx *ctx, const struct delivery *d, cJSON *details);

/* ---- The code inbox ------------------------------------------------------------------------ */

/*
 * How often a waiting reader should look again even when not told. The listener is told when
 * a message is recorded, but a message recorded inside a transaction becomes visible only at
 * the commit, after that.
 */
#define INBOX_RECHECK_MS 100

/* Told that something changed (a message, or the inbox stopping); any thread, must be quick. */
typedef void inbox_listener(void);

/* What was sent for one delivery: the text, and who took it. */
struct inbox_text {
    const char *message; /* the message as sent, code substituted */
    const char *subject; /* the email's subject; NULL for an SMS */
    const char *sender;  /* "CustomEmailSender" / "CustomSMSSender" when that trigger took the
                            message instead of the emulator's own delivery, else NULL */
};

/*
 * Record message d with text t (sent now_ms) through conn, part of conn's transaction when
 * one is open, and tell the listener. A failure is logged and otherwise ignored: the message
 * was still "sent" (logged by delivery.c), only the inbox misses it.
 */
void inbox_record(struct store_conn *conn, const struct delivery *d, const struct inbox_text *t,
                  int64_t now_ms);

/*
 * The messages matching f now, newest first. On 0 *out holds *count messages
 * (store_message_list_free()) and *last_id the largest message id given so far (a mark for a
 * later "after"). -1 on a store failure (logged).
 */
int inbox_list(struct store *st, const struct store_message_filter *f, struct store_message ***out,
               size_t *count, int64_t *last_id);

/* Set the one listener (NULL: none); it may be called as soon as this returns. */
void inbox_listen(inbox_listener *fn);

/* Serving starts: readers may wait (again). */
void inbox_start(void);

/* Serving stops: readers should stop waiting; the listener is told, so that they look now. */
void inbox_stop(void);

/* True between inbox_stop() and inbox_start(): a reader answers with what there is. */
bool inbox_stopping(void);

#endif
