/*
 * delivery: where codes and temporary passwords go. See delivery.h.
 *
 * The emulator has no mail or SMS gateway: a message is one info line of the log, which is how
 * a developer reads the code (the issue requires username, medium and destination on it), and
 * a record in the code inbox (below), which is how a test reads it. The code itself is logged
 * on purpose, as delivery.h says: it is the message, and the emulator's only way of handing it
 * over. A delivery without a code (code NULL) is the simulated one Cognito answers for an
 * unknown user: only the details are made, nothing reaches the inbox, and the log says so. The
 * CodeDeliveryDetails returned to the caller mask the destination as Cognito does; they are
 * made at once (they are part of the response), and so is the inbox row, inside the request's
 * transaction; the message itself goes out after the commit (ops_after_commit), with the custom
 * message and sender triggers, so that a rolled-back request sends nothing and no trigger holds
 * the write lock.
 *
 * The inbox's listener (http_wake, set by control_messages.c) is an atomic pointer: it is set
 * once and read by every thread that records a message, with no lock held while it runs.
 */
#include "config.h"

#include "userpool/delivery.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/ops_common.h"
#include "triggers/triggers.h"
#include "util/clock.h"
#include "util/jsonutil.h"
#include "util/log.h"

/*
 * Cognito's masking, as seen in real responses: an email keeps the first character of its
 * local part and of its domain, "s***@g***" for an address at gmail.com (SignUp outputs
 * captured with the AWS CLI in 2023-2024; older documentation examples still show the
 * top-level domain, "j***@e***.com"). A phone number keeps its "+" and last four digits,
 * "+********4114" (a captured SignUp output). Anything else keeps its first character.
 */
static void mask(const char *medium, const char *dest, char *out, size_t n)
{
    const char *at = strchr(dest, '@');
    size_t len = strlen(dest), o = 0;

    if (strcmp(medium, "EMAIL") == 0 && at != NULL && at != dest && at[1] != '\0') {
        snprintf(out, n, "%c***@%c***", dest[0], at[1]);
        return;
    }
    if (strcmp(medium, "SMS") == 0 && len > 4) {
        for (size_t i = 0; i < len && o + 1 < n; i++)
            out[o++] = (i == 0 && dest[0] == '+') || i >= len - 4 ? dest[i] : '*';
        out[o] = '\0';
        return;
    }
    snprintf(out, n, "%.1s***", dest);
}

/* The custom message trigger's source for a delivery kind (../shared/lambda-triggers.md). */
static const char *message_source(const char *kind)
{
    static const char *const SOURCES[][2] = {
        {"sign-up", "CustomMessage_SignUp"},
        {"forgot-password", "CustomMessage_ForgotPassword"},
        {"verify-attribute", "CustomMessage_VerifyUserAttribute"},
        {"invitation", "CustomMessage_AdminCreateUser"},
        {"mfa", "CustomMessage_Authentication"},
    };

    for (size_t i = 0; i < sizeof(SOURCES) / sizeof(SOURCES[0]); i++)
        if (strcmp(SOURCES[i][0], kind) == 0)
            return SOURCES[i][1];
    return "CustomMessage_SignUp";
}

/* A message waiting for its commit: struct delivery with its strings and config owned. */
struct pending {
    struct delivery d;
    char *strings[7];
    cJSON *lambda_config;
};

static void pending_free(void *arg)
{
    struct pending *p = arg;

    for (size_t i = 0; p != NULL && i < sizeof(p->strings) / sizeof(p->strings[0]); i++)
        free(p->strings[i]);
    if (p != NULL)
        cJSON_Delete(p->lambda_config);
    free(p);
}

/* A copy of d that outlives the caller, or NULL when out of memory. */
static struct pending *pending_new(const struct delivery *d)
{
    const char *src[7] = {d->pool_id,   d->username,    d->kind, d->medium,
                          d->attribute, d->destination, d->code};
    struct pending *p = calloc(1, sizeof(*p));

    for (size_t i = 0; p != NULL && i < 7; i++)
        if (src[i] != NULL && (p->strings[i] = strdup(src[i])) == NULL) {
            pending_free(p);
            return NULL;
        }
    if (p != NULL && d->lambda_config != NULL &&
        (p->lambda_config = cJSON_Duplicate(d->lambda_config, 1)) == NULL) {
        pending_free(p);
        return NULL;
    }
    if (p != NULL)
        p->d = (struct delivery){p->strings[0], p->strings[1], p->strings[2], p->strings[3],
                                 p->strings[4], p->strings[5], p->strings[6], p->lambda_config};
    return p;
}

/*
 * Send one message, once the request's writes are committed: the custom message and sender
 * triggers (which may take seconds, so never under the write lock), then the log line. The
 * inbox already has it (delivery_send).
 */
static void send_now(struct op_ctx *ctx, void *arg)
{
    const struct delivery *d = &((struct pending *)arg)->d;
    const char *dest = d->destination ? d->destination : "";

    if (d->code == NULL) {
        log_info("delivery: none (simulated %s code for unknown user %s of pool %s, "
                 "PreventUserExistenceErrors)",
                 d->kind, d->username, d->pool_id);
        return;
    }
    triggers_custom_message(ctx, d->lambda_config, d->pool_id, message_source(d->kind), d->username,
                            d->medium);
    log_info("delivery: %s %s for user %s of pool %s to %s %s (%s): %s", d->kind,
             strcmp(d->kind, "invitation") == 0 ? "temporary password" : "code", d->username,
             d->pool_id, d->medium, dest, d->attribute, d->code);
}

int delivery_send(struct op_ctx *ctx, const struct delivery *d, cJSON *details)
{
    char masked[64];
    const char *dest = d->destination ? d->destination : "";
    struct pending *p = pending_new(d);

    if (p == NULL)
        return cog_err_oom(&ctx->err);
    /* The inbox row joins the request's transaction (no second commit, gone with a rollback). */
    if (d->code != NULL)
        inbox_record(ctx->db, d, clock_now_ms());
    if (ops_after_commit(ctx, send_now, p, pending_free) != 0)
        return -1;
    if (details == NULL)
        return 0;
    mask(d->medium, dest, masked, sizeof(masked));
    if (json_set_str(details, "Destination", masked) != 0 ||
        json_set_str(details, "DeliveryMedium", d->medium) != 0 ||
        json_set_str(details, "AttributeName", d->attribute) != 0)
        return cog_err_set(&ctx->err, COG_E_INTERNAL_ERROR, "Out of memory.");
    return 0;
}

/* ---- The code inbox ------------------------------------------------------------------------ */

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
