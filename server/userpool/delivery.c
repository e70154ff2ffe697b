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
 * made at once (they are part of the response). The message itself goes out after the commit
 * (ops_after_commit), so that a rolled-back request sends nothing and no trigger holds the
 * write lock: first the channel's custom sender, if the pool names one (it takes the code
 * instead of Cognito's own delivery), else the CustomMessage trigger; then the text is
 * composed, logged and recorded in the inbox.
 *
 * CustomMessage runs after the commit, yet Cognito waits for it before it answers and fails
 * the operation when it fails (lambda-triggers.md section 6). The emulator keeps both: its
 * failure becomes the operation's error (ops_after_commit jobs can fail the request), and what
 * was committed stands. For SignUp, whether Cognito keeps the new user is unverified; here the
 * user stays, UNCONFIRMED, with a code nobody received (ResendConfirmationCode sends another),
 * as AdminCreateUser keeps its user and ForgotPassword its code. Running the trigger before
 * the transaction instead would need the code before it is drawn and stored, and would hold
 * a Lambda call between the checks and the write that they guard.
 *
 * The texts. Each message has a template set by its source (triggers.h): the verification
 * template (VerificationMessageTemplate: sign-up, resend, password reset, attribute
 * verification), its link variant (a pool with DefaultEmailOption CONFIRM_WITH_LINK, sign-up
 * and resend emails only: "Emails from attribute-update and password-reset operations use the
 * code template", developer guide, message customizations), the invitation
 * (AdminCreateUserConfig.InviteMessageTemplate) and the MFA code (SmsAuthenticationMessage,
 * EmailMfaConfiguration). Cognito's own texts fill what the pool leaves unset: those of a
 * console-made pool as DescribeUserPool shows them (aws-cli's describe-user-pool example:
 * "Your verification code is {####}. ", "Your authentication code is {####}. ", "Your
 * username is {username} and temporary password is {####}. ") and of its link template
 * (CreateUserPool requests copied from console pools). The email MFA default is the
 * emulator's (no source shows it). {####} becomes the code, {username} the username (the
 * invitation only: Cognito allows it nowhere else), and a link email's {##text##} a link to
 * the pool's /confirmUser/ endpoint on the emulator's public URL, which Cognito would answer
 * on the pool's domain (the emulator serves no such page; the code is in the inbox).
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
#include "util/strbuf.h"
#include "settings.h"
#include "triggers/triggers.h"
#include "userpool/user.h"
#include "util/clock.h"
#include "util/jsonutil.h"
#include "util/log.h"

#define CODE_PLACEHOLDER "{####}"
#define USERNAME_PLACEHOLDER "{username}"

/* Cognito's texts for a pool that sets none (the header says where they come from). */
#define DEFAULT_VERIFY "Your verification code is {####}. "
#define DEFAULT_VERIFY_SUBJECT "Your verification code"
#define DEFAULT_LINK "Please click the link below to verify your email address. {##Verify Email##} "
#define DEFAULT_LINK_SUBJECT "Your verification link"
#define DEFAULT_INVITE "Your username is {username} and temporary password is {####}. "
#define DEFAULT_INVITE_SUBJECT "Your temporary password"
#define DEFAULT_MFA "Your authentication code is {####}. "
#define DEFAULT_MFA_SUBJECT "Your authentication code"

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

/* The message triggers' source of d: its own, else its kind's (lambda-triggers.md section 1). */
static const char *source_of(const struct delivery *d)
{
    static const char *const SOURCES[][2] = {
        {"sign-up", "SignUp"},
        {"forgot-password", "ForgotPassword"},
        {"verify-attribute", "VerifyUserAttribute"},
        {"invitation", "AdminCreateUser"},
        {"mfa", "Authentication"},
    };

    if (d->source != NULL)
        return d->source;
    for (size_t i = 0; i < sizeof(SOURCES) / sizeof(SOURCES[0]); i++)
        if (strcmp(SOURCES[i][0], d->kind) == 0)
            return SOURCES[i][1];
    return "SignUp";
}

/* ---- The texts ----------------------------------------------------------------------------- */

/* Where a template set lives in the pool document ("A.B" paths) and its defaults. */
struct template_set {
    const char *email_body, *email_subject, *sms;
    const char *default_body, *default_subject, *default_sms;
};

static const struct template_set VERIFY = {"VerificationMessageTemplate.EmailMessage",
                                           "VerificationMessageTemplate.EmailSubject",
                                           "VerificationMessageTemplate.SmsMessage",
                                           DEFAULT_VERIFY,
                                           DEFAULT_VERIFY_SUBJECT,
                                           DEFAULT_VERIFY};
static const struct template_set LINK = {"VerificationMessageTemplate.EmailMessageByLink",
                                         "VerificationMessageTemplate.EmailSubjectByLink",
                                         "VerificationMessageTemplate.SmsMessage",
                                         DEFAULT_LINK,
                                         DEFAULT_LINK_SUBJECT,
                                         DEFAULT_VERIFY};
static const struct template_set INVITE = {
    "AdminCreateUserConfig.InviteMessageTemplate.EmailMessage",
    "AdminCreateUserConfig.InviteMessageTemplate.EmailSubject",
    "AdminCreateUserConfig.InviteMessageTemplate.SMSMessage",
    DEFAULT_INVITE,
    DEFAULT_INVITE_SUBJECT,
    DEFAULT_INVITE};
static const struct template_set MFA = {"EmailMfaConfiguration.Message",
                                        "EmailMfaConfiguration.Subject",
                                        "SmsAuthenticationMessage",
                                        DEFAULT_MFA,
                                        DEFAULT_MFA_SUBJECT,
                                        DEFAULT_MFA};

/* The non-empty string at path ("A.B.C") of doc, or fallback. */
static const char *pool_text(const cJSON *doc, const char *path, const char *fallback)
{
    char name[64];
    const char *dot;

    while ((dot = strchr(path, '.')) != NULL) {
        snprintf(name, sizeof(name), "%.*s", (int)(dot - path), path);
        doc = json_get(doc, name);
        path = dot + 1;
    }
    return json_str(doc, path) != NULL && *json_str(doc, path) != '\0' ? json_str(doc, path)
                                                                       : fallback;
}

/* One message about to go out: what the triggers are told, and the pool's texts for it. */
struct plan {
    struct trigger_message m;
    const char *body;    /* the pool's template (or default) for the channel */
    const char *subject; /* the email's; NULL for an SMS */
    char link_parameter[128];
};

/* The plan of d (the texts borrowed from d->pool or static). */
static void plan_message(const struct delivery *d, struct plan *p)
{
    const cJSON *pool = d->pool;
    const char *source = source_of(d), *start, *end;
    bool email = strcmp(d->medium, "EMAIL") == 0;
    bool link_pool = strcmp(pool_text(pool, "VerificationMessageTemplate.DefaultEmailOption", ""),
                            "CONFIRM_WITH_LINK") == 0;
    const struct template_set *set = &VERIFY;

    memset(p, 0, sizeof(*p));
    p->m.source = source;
    p->m.email = email;
    p->m.developer =
        strcmp(pool_text(pool, "EmailConfiguration.EmailSendingAccount", ""), "DEVELOPER") == 0;
    p->m.by_link =
        link_pool && email && (strcmp(source, "SignUp") == 0 || strcmp(source, "ResendCode") == 0);
    if (strcmp(source, "AdminCreateUser") == 0)
        set = &INVITE;
    else if (strcmp(source, "Authentication") == 0)
        set = &MFA;
    else if (p->m.by_link)
        set = &LINK;
    p->body = email ? pool_text(pool, set->email_body, set->default_body)
                    : pool_text(pool, set->sms, set->default_sms);
    p->subject = email ? pool_text(pool, set->email_subject, set->default_subject) : NULL;
    /* linkParameter: the placeholder of the pool's link template, in every event of its pool. */
    start = strstr(pool_text(pool, LINK.email_body, DEFAULT_LINK), "{##");
    end = start ? strstr(start + 3, "##}") : NULL;
    if (link_pool && end != NULL && (size_t)(end + 3 - start) < sizeof(p->link_parameter)) {
        memcpy(p->link_parameter, start, (size_t)(end + 3 - start));
        p->m.link_parameter = p->link_parameter;
    }
}

/* The link of a link email whose placeholder text is label (n bytes): an HTML anchor. */
static void put_link(struct strbuf *t, const struct op_ctx *ctx, const struct delivery *d,
                     const char *label, size_t n)
{
    strbuf_puts(t, "<a href=\"");
    strbuf_puts(t, ctx->settings->public_url);
    strbuf_puts(t, "/confirmUser/?client_id=");
    strbuf_percent_encode(t, d->client_id ? d->client_id : "", NULL);
    strbuf_puts(t, "&user_name=");
    strbuf_percent_encode(t, d->username, NULL);
    strbuf_puts(t, "&confirmation_code=");
    strbuf_percent_encode(t, d->code, NULL);
    strbuf_puts(t, "\">");
    strbuf_add(t, label, n);
    strbuf_puts(t, "</a>");
}

/*
 * template with its placeholders replaced: {####} by the code, {username} by the username
 * (an invitation's only), {##label##} by the link (a link email's only). A new string, or
 * NULL when out of memory.
 */
static char *fill(const struct op_ctx *ctx, const struct delivery *d, const struct plan *p,
                  const char *template)
{
    bool invitation = strcmp(p->m.source, "AdminCreateUser") == 0;
    struct strbuf t = {0};
    const char *c = template, *end;

    while (*c != '\0') {
        if (strncmp(c, CODE_PLACEHOLDER, strlen(CODE_PLACEHOLDER)) == 0) {
            strbuf_puts(&t, d->code);
            c += strlen(CODE_PLACEHOLDER);
        } else if (invitation &&
                   strncmp(c, USERNAME_PLACEHOLDER, strlen(USERNAME_PLACEHOLDER)) == 0) {
            strbuf_puts(&t, d->username);
            c += strlen(USERNAME_PLACEHOLDER);
        } else if (p->m.by_link && strncmp(c, "{##", 3) == 0 && (end = strstr(c + 3, "##}"))) {
            put_link(&t, ctx, d, c + 3, (size_t)(end - c - 3));
            c = end + 3;
        } else {
            strbuf_add(&t, c++, 1);
        }
    }
    return strbuf_take(&t);
}

/* ---- Sending -------------------------------------------------------------------------------- */

#define PENDING_STRINGS 9

/* A message waiting for its commit: struct delivery with what it points to owned. */
struct pending {
    struct delivery d;
    char *strings[PENDING_STRINGS];
    cJSON *pool, *attributes, *client_metadata;
};

static void pending_free(void *arg)
{
    struct pending *p = arg;

    if (p == NULL)
        return;
    for (size_t i = 0; i < PENDING_STRINGS; i++)
        free(p->strings[i]);
    cJSON_Delete(p->pool);
    cJSON_Delete(p->attributes);
    cJSON_Delete(p->client_metadata);
    free(p);
}

/* A copy of item (NULL stays NULL) into *out. 0, or -1 when out of memory. */
static int dup_json(const cJSON *item, cJSON **out)
{
    *out = item != NULL ? cJSON_Duplicate(item, 1) : NULL;
    return item != NULL && *out == NULL ? -1 : 0;
}

/*
 * A copy of d that outlives the caller, with the user's attributes in the triggers' form
 * taken now (the user as the request left it), or NULL when out of memory.
 */
static struct pending *pending_new(const struct delivery *d)
{
    const char *src[PENDING_STRINGS] = {d->pool_id,     d->username, d->kind,
                                        d->source,      d->medium,   d->attribute,
                                        d->destination, d->code,     d->client_id};
    struct pending *p = calloc(1, sizeof(*p));
    int bad = p == NULL;

    for (size_t i = 0; !bad && i < PENDING_STRINGS; i++)
        bad = src[i] != NULL && (p->strings[i] = strdup(src[i])) == NULL;
    bad = bad || dup_json(d->pool, &p->pool) != 0 ||
          dup_json(d->client_metadata, &p->client_metadata) != 0 ||
          (d->user != NULL && (p->attributes = user_trigger_attributes(d->pool, d->user)) == NULL);
    if (bad) {
        pending_free(p);
        return NULL;
    }
    p->d = (struct delivery){
        .pool_id = p->strings[0],
        .username = p->strings[1],
        .kind = p->strings[2],
        .source = p->strings[3],
        .medium = p->strings[4],
        .attribute = p->strings[5],
        .destination = p->strings[6],
        .code = p->strings[7],
        .pool = p->pool,
        .client_id = p->strings[8],
        .client_metadata = p->client_metadata,
    };
    return p;
}

/*
 * The text of d by plan: the function's part when CustomMessage returned one, else the pool's,
 * placeholders filled, into *message and *subject (new strings; subject NULL for an SMS).
 * 0, or -1 when out of memory.
 */
static int compose(const struct op_ctx *ctx, const struct delivery *d, const struct plan *p,
                   const struct trigger_message_text *custom, char **message, char **subject)
{
    const char *body = p->m.email ? custom->email_message : custom->sms_message;
    const char *title = custom->email_subject ? custom->email_subject : p->subject;

    *message = fill(ctx, d, p, body ? body : p->body);
    *subject = title != NULL ? fill(ctx, d, p, title) : NULL;
    if (*message == NULL || (title != NULL && *subject == NULL)) {
        free(*message);
        free(*subject);
        *message = *subject = NULL;
        return -1;
    }
    return 0;
}

/*
 * Send one message, once the request's writes are committed (never under the write lock: the
 * triggers may take seconds): the custom sender, or CustomMessage, then the log line and the
 * inbox row. 0, or -1 with ctx->err set (CustomMessage failed, or out of memory).
 */
static int send_now(struct op_ctx *ctx, void *arg)
{
    struct pending *pd = arg;
    const struct delivery *d = &pd->d;
    struct trigger_message_text custom = {NULL, NULL, NULL};
    struct trigger_caller caller;
    struct plan p;
    char *message = NULL, *subject = NULL;
    int handed, rc = -1;

    if (d->code == NULL) {
        log_info("delivery: none (simulated %s code for unknown user %s of pool %s, "
                 "PreventUserExistenceErrors)",
                 d->kind, d->username, d->pool_id);
        return 0;
    }
    plan_message(d, &p);
    caller = triggers_caller(d->pool, d->client_id, d->username, pd->attributes);
    caller.pool_id = d->pool_id;
    caller.client_metadata = d->client_metadata;
    handed = triggers_custom_sender(ctx, &caller, &p.m, d->code,
                                    strcmp(p.m.source, "AdminCreateUser") == 0);
    if (handed < 0 || (handed == 0 && triggers_custom_message(ctx, &caller, &p.m, &custom) != 0))
        goto out;
    if (compose(ctx, d, &p, &custom, &message, &subject) != 0) {
        cog_err_oom(&ctx->err);
        goto out;
    }
    log_info("delivery: %s %s for user %s of pool %s to %s %s (%s)%s: %s", d->kind,
             strcmp(d->kind, "invitation") == 0 ? "temporary password" : "code", d->username,
             d->pool_id, d->medium, d->destination ? d->destination : "", d->attribute,
             handed ? (p.m.email ? ", handed to CustomEmailSender" : ", handed to CustomSMSSender")
                    : "",
             d->code);
    inbox_record(
        ctx->db, d,
        &(struct inbox_text){message, subject,
                             handed ? (p.m.email ? "CustomEmailSender" : "CustomSMSSender") : NULL},
        clock_now_ms());
    rc = 0;
out:
    trigger_message_text_free(&custom);
    free(message);
    free(subject);
    return rc;
}

int delivery_send(struct op_ctx *ctx, const struct delivery *d, cJSON *details)
{
    char masked[64];
    const char *dest = d->destination ? d->destination : "";
    struct pending *p;

    if (details != NULL) {
        mask(d->medium, dest, masked, sizeof(masked));
        if (json_set_str(details, "Destination", masked) != 0 ||
            json_set_str(details, "DeliveryMedium", d->medium) != 0 ||
            json_set_str(details, "AttributeName", d->attribute) != 0)
            return cog_err_oom(&ctx->err);
    }
    if ((p = pending_new(d)) == NULL)
        return cog_err_oom(&ctx->err);
    return ops_after_commit(ctx, send_now, p, pending_free);
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

void inbox_record(struct store_conn *conn, const struct delivery *d, const struct inbox_text *t,
                  int64_t now_ms)
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
        .message = (char *)t->message,
        .subject = (char *)t->subject,
        .sender = (char *)t->sender,
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
