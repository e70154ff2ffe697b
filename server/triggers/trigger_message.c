/*
 * trigger_message: the message triggers of triggers.h. CustomMessage lets a function rewrite
 * a message before Cognito sends it (synchronous, and its failure fails the operation); the
 * custom senders (CustomEmailSender, CustomSMSSender) take a channel's delivery over
 * (asynchronous, their failures never reach the caller). What the message is and where it goes
 * is delivery.c's business (userpool/); this file builds the events and reads the answers as
 * Cognito does (../shared/lambda-triggers.md sections 5.8 and 5.9).
 *
 * Choices where Cognito's behaviour is not documented, each pinned by check_trigger_message:
 * - A function's answer is checked against MessageTemplateType's constraints (the API model's
 *   lengths and patterns) for the parts the message's channel uses; the other channel's parts
 *   are ignored, unchecked. The violation is reported in the AWS validator's words at
 *   'emailBody' (seen in amazon-archives/amazon-cognito-identity-js#99), 'emailSubject' and
 *   'smsMessage' (the emulator's by analogy).
 * - A link email (a pool that verifies email by link, sign-up and resend) whose body has no
 *   "{##label##}" placeholder ("{####}", which the link pattern admits, is the code's):
 *   InvalidParameterException "The message is empty.", the words Cognito answered for a
 *   message without the placeholder its verification type needs
 *   (amazon-archives/amazon-cognito-identity-js#521; hashicorp/terraform-provider-aws#3770,
 *   where a link template of "Testing Template: {####}" got them).
 * - An email body or subject from a pool whose EmailSendingAccount is not DEVELOPER:
 *   InvalidLambdaResponseException "Unrecognizable lambda output" (the facts' rule, with the
 *   words Cognito uses for disallowed members), again only for an email message.
 * - A CustomMessage_AdminCreateUser part without "{username}" is dropped for the pool's own
 *   (awsdocs/amazon-cognito-developer-guide#31: "the default message is used instead and no
 *   warning is given"); the emulator logs a warning.
 * - A channel with a custom sender does not run CustomMessage: the sender's event carries
 *   only the code, so a rewritten text could reach nobody (unverified).
 * - Custom senders get the code in plaintext: the emulator has no KMS, and a base64 blob no
 *   function can decrypt would be a fake success. request.code is the code itself (a temporary
 *   password HTML-escaped, as Cognito escapes it before encrypting) and the request carries
 *   "cognitoEmuPlaintextCode": true, a member real events never have, so a function can tell
 *   and skip its decryption step (e.g. `if (event.request.cognitoEmuPlaintextCode)`).
 */
#include "config.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "aws/ops_common.h"
#include "triggers/trigger_call.h"
#include "triggers/triggers.h"
#include "util/jsonutil.h"
#include "util/log.h"

/* The placeholders Cognito puts in the request and replaces after the function returned. */
#define CODE_PARAMETER "{####}"
#define USERNAME_PARAMETER "{username}"

/* The marker of a plaintext code in a custom sender's request (this file's header). */
#define PLAINTEXT_MARKER "cognitoEmuPlaintextCode"

/* How much of a refused value the error message echoes, as the validator does (params.c). */
#define VALUE_CAP 100

/*
 * One part of the answer and MessageTemplateType's constraints on it (the API model's
 * EmailVerificationMessageType, EmailVerificationMessageByLinkType,
 * EmailVerificationSubjectType and SmsVerificationMessageType).
 */
struct part_rule {
    const char *member; /* the response member */
    const char *path;   /* the name the validation message gives it */
    size_t min, max;    /* characters */
    const char *pattern;
    bool link; /* needs a link placeholder, {##label##} ("{####}" is the code's, not one) */
};

static const struct part_rule EMAIL_BODY = {
    "emailMessage",
    "emailBody",
    6,
    20000,
    "[\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}\\s*]*\\{####\\}[\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}\\s*]*",
    false};
static const struct part_rule LINK_BODY = {"emailMessage",
                                           "emailBody",
                                           6,
                                           20000,
                                           "[\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}\\s*]*\\{##[\\p{L}\\p{M}"
                                           "\\p{S}\\p{N}\\p{P}\\s*]*##\\}[\\p{L}\\p{M}\\p{S}\\p{N}"
                                           "\\p{P}\\s*]*",
                                           true};
static const struct part_rule EMAIL_SUBJECT = {
    "emailSubject", "emailSubject", 1, 140, "[\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}\\s]+", false};
static const struct part_rule SMS_MESSAGE = {"smsMessage", "smsMessage",     6,
                                             140,          ".*\\{####\\}.*", false};

void trigger_message_text_free(struct trigger_message_text *t)
{
    free(t->email_message);
    free(t->email_subject);
    free(t->sms_message);
    memset(t, 0, sizeof(*t));
}

/* The number of characters (UTF-8 code points) of s. */
static size_t chars(const char *s)
{
    size_t n = 0;

    for (; *s != '\0'; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

/*
 * Whether s matches pattern as a whole, as the AWS validator matches (params.c: Java
 * semantics, UTF-8, '.' across lines). Invalid UTF-8 does not match; a pattern that does not
 * compile (a programmer error, caught by the suite) matches.
 */
static bool matches(const char *pattern, const char *s)
{
    int errcode;
    PCRE2_SIZE erroff;
    pcre2_code *code = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED,
                                     PCRE2_UTF | PCRE2_DOTALL | PCRE2_ANCHORED | PCRE2_ENDANCHORED,
                                     &errcode, &erroff, NULL);
    pcre2_match_data *md = code ? pcre2_match_data_create(1, NULL) : NULL;
    bool ok = code == NULL || md == NULL ||
              pcre2_match(code, (PCRE2_SPTR)s, strlen(s), 0, 0, md, NULL) >= 0;

    pcre2_match_data_free(md);
    pcre2_code_free(code);
    return ok;
}

/* Set ctx->err to the validator's message for value of rule failing constraint. -1. */
static int violation(struct op_ctx *ctx, const struct part_rule *rule, const char *value,
                     const char *constraint)
{
    size_t len = strlen(value), cut = len > VALUE_CAP ? VALUE_CAP : len;

    while (cut < len && cut > 0 && ((unsigned char)value[cut] & 0xC0) == 0x80)
        cut--; /* never half a character */
    return cog_err_set(&ctx->err, COG_E_INVALID_PARAMETER,
                       "1 validation error detected: Value '%.*s%s' at '%s' failed to satisfy "
                       "constraint: %s",
                       (int)cut, value, cut < len ? "..." : "", rule->path, constraint);
}

/* Whether s holds a link placeholder "{##label##}" with a label. */
static bool has_link(const char *s)
{
    const char *start, *end;

    for (start = strstr(s, "{##"); start != NULL; start = strstr(start + 1, "{##"))
        if ((end = strstr(start + 3, "##}")) != NULL && end > start + 3)
            return true;
    return false;
}

/* Check value against rule. 0, or -1 with InvalidParameterException. */
static int check_part(struct op_ctx *ctx, const struct part_rule *rule, const char *value)
{
    size_t n = chars(value);
    char constraint[256];

    if (n < rule->min || n > rule->max) {
        snprintf(constraint, sizeof(constraint), "Member must have length %s than or equal to %zu",
                 n < rule->min ? "greater" : "less", n < rule->min ? rule->min : rule->max);
        return violation(ctx, rule, value, constraint);
    }
    if (rule->link && !has_link(value))
        return cog_err_set(&ctx->err, COG_E_INVALID_PARAMETER, "The message is empty.");
    if (matches(rule->pattern, value))
        return 0;
    snprintf(constraint, sizeof(constraint), "Member must satisfy regular expression pattern: %s",
             rule->pattern);
    return violation(ctx, rule, value, constraint);
}

static int unrecognizable(struct op_ctx *ctx)
{
    return cog_err_set(&ctx->err, COG_E_INVALID_LAMBDA_RESPONSE, "Unrecognizable lambda output");
}

/*
 * Read response member rule->member into *out (a copy, or NULL when absent or null: the
 * pool's own part), checked. 0, or -1 with ctx->err set.
 */
static int read_part(struct op_ctx *ctx, const cJSON *response, const struct trigger_message *m,
                     const struct part_rule *rule, char **out)
{
    const cJSON *item = json_get(response, rule->member);

    *out = NULL;
    if (item == NULL || cJSON_IsNull(item))
        return 0;
    if (!cJSON_IsString(item))
        return unrecognizable(ctx);
    if (rule != &SMS_MESSAGE && !m->developer)
        return unrecognizable(ctx);
    if (check_part(ctx, rule, item->valuestring) != 0)
        return -1;
    if (strcmp(m->source, "AdminCreateUser") == 0 && rule != &EMAIL_SUBJECT &&
        strstr(item->valuestring, USERNAME_PARAMETER) == NULL) {
        log_warn("trigger CustomMessage_AdminCreateUser: its %s has no %s, so the pool's own "
                 "is sent (as Cognito does)",
                 rule->member, USERNAME_PARAMETER);
        return 0;
    }
    if ((*out = strdup(item->valuestring)) == NULL)
        return cog_err_oom(&ctx->err);
    return 0;
}

/* The parts of response for m's channel into *out. 0, or -1 with ctx->err set. */
static int read_parts(struct op_ctx *ctx, const cJSON *response, const struct trigger_message *m,
                      struct trigger_message_text *out)
{
    int rc;

    if (!m->email)
        rc = read_part(ctx, response, m, &SMS_MESSAGE, &out->sms_message);
    else if ((rc = read_part(ctx, response, m, m->by_link ? &LINK_BODY : &EMAIL_BODY,
                             &out->email_message)) == 0)
        rc = read_part(ctx, response, m, &EMAIL_SUBJECT, &out->email_subject);
    if (rc != 0)
        trigger_message_text_free(out);
    return rc;
}

/* The CustomMessage event of m: the placeholders, clientMetadata, the null defaults. */
static cJSON *message_event(const struct trigger_caller *caller, const struct trigger_message *m)
{
    char source[64];
    cJSON *event, *request, *defaults;
    bool admin = strcmp(m->source, "AdminCreateUser") == 0;
    int bad;

    snprintf(source, sizeof(source), "CustomMessage_%s", m->source);
    if ((event = trigger_event(caller, source, "1")) == NULL)
        return NULL;
    request = trigger_request(event);
    defaults = trigger_response(event);
    bad = json_set_str(request, "codeParameter", CODE_PARAMETER) != 0 ||
          json_set_item(request, "usernameParameter",
                        admin ? cJSON_CreateString(USERNAME_PARAMETER) : cJSON_CreateNull()) != 0 ||
          (m->link_parameter != NULL &&
           json_set_str(request, "linkParameter", m->link_parameter) != 0) ||
          trigger_add_metadata(request, "clientMetadata", caller->client_metadata) != 0 ||
          json_set_item(defaults, "smsMessage", cJSON_CreateNull()) != 0 ||
          json_set_item(defaults, "emailMessage", cJSON_CreateNull()) != 0 ||
          json_set_item(defaults, "emailSubject", cJSON_CreateNull()) != 0;
    if (bad) {
        cJSON_Delete(event);
        return NULL;
    }
    return event;
}

int triggers_custom_message(struct op_ctx *ctx, const struct trigger_caller *caller,
                            const struct trigger_message *m, struct trigger_message_text *out)
{
    cJSON *event, *response = NULL;
    int rc;

    assert(!ops_txn_open(ctx) && "a trigger must not run inside a write transaction");
    *out = (struct trigger_message_text){NULL, NULL, NULL};
    if (triggers_function(caller->lambda_config, "CustomMessage") == NULL)
        return 0;
    if ((event = message_event(caller, m)) == NULL)
        return cog_err_oom(&ctx->err);
    rc = trigger_call(ctx, caller, "CustomMessage", event, false, &response);
    cJSON_Delete(event);
    if (rc == 0)
        rc = read_parts(ctx, response, m, out);
    cJSON_Delete(response);
    return rc < 0 ? -1 : 0;
}

/* code HTML-escaped (& < > "), a new string, or NULL when out of memory. */
static char *html_escape(const char *code)
{
    size_t n = 1;
    char *out, *o;

    for (const char *c = code; *c != '\0'; c++)
        n += *c == '&' ? 5 : *c == '<' || *c == '>' ? 4 : *c == '"' ? 6 : 1;
    if ((out = malloc(n)) == NULL)
        return NULL;
    o = out;
    for (const char *c = code; *c != '\0'; c++) {
        const char *e = *c == '&'   ? "&amp;"
                        : *c == '<' ? "&lt;"
                        : *c == '>' ? "&gt;"
                        : *c == '"' ? "&quot;"
                                    : NULL;
        if (e == NULL) {
            *o++ = *c;
        } else {
            memcpy(o, e, strlen(e));
            o += strlen(e);
        }
    }
    *o = '\0';
    return out;
}

/* The custom sender event of m: {type, code, the plaintext marker, clientMetadata}. */
static cJSON *sender_event(const struct trigger_caller *caller, const struct trigger_message *m,
                           const char *trigger, const char *code)
{
    char source[64];
    cJSON *event, *request;

    snprintf(source, sizeof(source), "%s_%s", trigger, m->source);
    if ((event = trigger_event(caller, source, "1")) == NULL)
        return NULL;
    request = trigger_request(event);
    if (json_set_str(request, "type",
                     m->email ? "customEmailSenderRequestV1" : "customSMSSenderRequestV1") != 0 ||
        json_set_str(request, "code", code) != 0 ||
        json_set_bool(request, PLAINTEXT_MARKER, true) != 0 ||
        trigger_add_metadata(request, "clientMetadata", caller->client_metadata) != 0) {
        cJSON_Delete(event);
        return NULL;
    }
    return event;
}

int triggers_custom_sender(struct op_ctx *ctx, const struct trigger_caller *caller,
                           const struct trigger_message *m, const char *code,
                           bool temporary_password)
{
    const char *trigger = m->email ? "CustomEmailSender" : "CustomSMSSender";
    char *escaped = NULL;
    cJSON *event, *response = NULL;
    int rc;

    assert(!ops_txn_open(ctx) && "a trigger must not run inside a write transaction");
    if (triggers_function(caller->lambda_config, trigger) == NULL)
        return 0;
    if (temporary_password && (escaped = html_escape(code)) == NULL)
        return cog_err_oom(&ctx->err);
    event = sender_event(caller, m, trigger, escaped ? escaped : code);
    free(escaped);
    if (event == NULL)
        return cog_err_oom(&ctx->err);
    rc = trigger_call(ctx, caller, trigger, event, true, &response);
    cJSON_Delete(event);
    cJSON_Delete(response);
    return rc < 0 ? -1 : rc == 0;
}
