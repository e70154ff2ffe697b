/*
 * account: changing an existing user's attributes and starting password resets, shared by
 * ops_account.c and ops_admin.c. See account.h for the contract.
 *
 * Sources of Cognito's behaviour and wording, cited once here and referred to below:
 *   [api]   the API reference text carried in server/aws/model/cognito-idp.json
 * (UpdateUserAttributes, AdminUpdateUserAttributes, UserAttributeUpdateSettingsType,
 * ForgotPassword). [facts] ../shared/cognito-facts.md (code messages). [seen]  messages of real
 * Cognito quoted in issue reports and application codebases: "Cannot modify the non-mutable
 * attribute sub" (an AWS rejection quoted in a backup tool's tests); "User password cannot be reset
 * in the current state." for a user who never set a password
 * (aws-solutions/distributed-load-testing-on-aws#1, RunaVault/RunaVault#15); "Cannot reset password
 * for the user as there is no registered/verified email or phone_number"
 * (amazon-cognito-identity-js#678, aws-amplify/aws-sdk-android#142). Wording marked "the
 * emulator's" was not found anywhere and is this emulator's own.
 */
#include "config.h"

#include "userpool/account.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "triggers/triggers.h"
#include "userpool/delivery.h"
#include "util/jsonutil.h"
#include "aws/ops_common.h"
#include "crypto/secrets.h"
#include "userpool/pool.h"
#include "userpool/user.h"

/* Password-reset codes last 1 hour (the issue, after Cognito); attribute verification codes
 * 24 hours, as sign-up codes ([facts]). */
#define RESET_LIFETIME_MS (60LL * 60 * 1000)
#define VERIFY_LIFETIME_MS (24LL * 60 * 60 * 1000)

/* The attribute name as a static string when it is one that can be verified, else NULL. */
static const char *verifiable(const char *name)
{
    if (name != NULL && strcmp(name, "email") == 0)
        return "email";
    if (name != NULL && strcmp(name, "phone_number") == 0)
        return "phone_number";
    return NULL;
}

static const char *verify_purpose(const char *attribute)
{
    return strcmp(attribute, "email") == 0 ? ACCOUNT_VERIFY_PURPOSE_EMAIL
                                           : ACCOUNT_VERIFY_PURPOSE_PHONE;
}

static bool is_verified_flag(const char *name)
{
    return strcmp(name, "email_verified") == 0 || strcmp(name, "phone_number_verified") == 0;
}

void account_codes_free(struct account_codes *codes)
{
    for (size_t i = 0; i < codes->count; i++)
        free(codes->items[i].destination);
    memset(codes, 0, sizeof(*codes));
}

/*
 * Draw a code for attribute (a static string) and destination, store it under purpose for
 * lifetime_ms and add it to codes, to be sent as source says (struct account_code). 0, or -1
 * with InternalErrorException.
 */
static int add_code(struct op_ctx *ctx, const struct store_user *u, struct account_codes *codes,
                    const char *source, const char *purpose, const char *attribute,
                    const char *destination, int64_t lifetime_ms)
{
    struct account_code *c;

    if (codes->count >= sizeof(codes->items) / sizeof(codes->items[0]))
        return ops_fail_internal(ctx, "too many codes in one request");
    c = &codes->items[codes->count];
    secrets_code(c->code);
    if ((c->destination = strdup(destination)) == NULL)
        return ops_fail_internal(ctx, "out of memory");
    if (store_code_put(ctx->db, u->seq, purpose, c->code, ctx->now_ms + lifetime_ms) != STORE_OK) {
        free(c->destination);
        c->destination = NULL;
        return ops_fail_internal(ctx, "storing a code");
    }
    c->kind = strcmp(source, "ForgotPassword") == 0 ? "forgot-password" : "verify-attribute";
    c->source = source;
    c->attribute = attribute;
    codes->count++;
    return 0;
}

/* Store attrs as u's attributes (u changes at the request's time). */
static int save_attributes(struct op_ctx *ctx, struct store_user *u, const cJSON *attrs)
{
    char *text = cJSON_PrintUnformatted(attrs);

    if (text == NULL)
        return ops_fail_internal(ctx, "out of memory");
    free(u->attributes);
    u->attributes = text;
    return user_save(ctx, u);
}

/*
 * An attribute whose schema entry is not Mutable keeps the value it has ([seen]; one without
 * a value yet may be given one). InvalidParameterException otherwise.
 */
static int check_mutable(struct op_ctx *ctx, const cJSON *pool, const cJSON *attrs,
                         const char *name, const char *value)
{
    const cJSON *entry = pool_schema_entry(pool, name);
    const char *old = json_str(attrs, name);

    if (entry == NULL || json_bool(entry, "Mutable", true) || old == NULL || *old == '\0' ||
        strcmp(old, value) == 0)
        return 0;
    return cog_err_set(&ctx->err, COG_E_INVALID_PARAMETER,
                       "Cannot modify the non-mutable attribute %s", name);
}

/* Remove attribute name from attrs; for email / phone_number also its verified flag, the
 * value waiting for verification and the pending verification code. */
static int remove_attribute(struct op_ctx *ctx, const struct store_user *u, cJSON *attrs,
                            const char *name)
{
    const char *attribute = verifiable(name);
    char flag[64];

    cJSON_DeleteItemFromObjectCaseSensitive(attrs, name);
    if (attribute == NULL)
        return 0;
    snprintf(flag, sizeof(flag), "%s_verified", attribute);
    cJSON_DeleteItemFromObjectCaseSensitive(attrs, flag);
    if (store_pending_delete(ctx->db, u->seq, attribute) != STORE_OK ||
        store_code_delete(ctx->db, u->seq, verify_purpose(attribute)) == STORE_ERROR)
        return ops_fail_internal(ctx, "clearing a verification");
    return 0;
}

/*
 * A new value of email / phone_number (attribute, a static string). verified_now: an
 * administrator set its verified flag to "true" in the same request, which skips
 * verification ([api], AdminUpdateUserAttributes UserAttributes). Otherwise, in a pool whose
 * AttributesRequireVerificationBeforeUpdate names it, the value waits and the old one stays
 * ([api]); else the value changes unverified. Either way a pool that auto-verifies it gets a
 * code to the new value (AttributesRequireVerificationBeforeUpdate needs auto-verification).
 */
static int change_verifiable(struct op_ctx *ctx, const cJSON *pool, const struct store_user *u,
                             cJSON *attrs, const char *attribute, const char *value,
                             bool verified_now, struct account_codes *codes)
{
    const cJSON *wait_list = json_get(json_get(pool, "UserAttributeUpdateSettings"),
                                      "AttributesRequireVerificationBeforeUpdate");
    bool waits = !verified_now && json_list_has(wait_list, attribute);
    bool auto_verified = json_list_has(json_get(pool, "AutoVerifiedAttributes"), attribute);
    const char *old = json_str(attrs, attribute);
    char flag[64];

    snprintf(flag, sizeof(flag), "%s_verified", attribute);
    if (old != NULL && strcmp(old, value) == 0 && !verified_now) {
        /* Setting the current value again cancels a value waiting for verification. */
        if (store_pending_delete(ctx->db, u->seq, attribute) != STORE_OK)
            return ops_fail_internal(ctx, "clearing a pending attribute");
        return 0;
    }
    if (waits) {
        if (store_pending_put(ctx->db, u->seq, attribute, value) != STORE_OK)
            return ops_fail_internal(ctx, "storing a pending attribute");
        return add_code(ctx, u, codes, "UpdateUserAttribute", verify_purpose(attribute), attribute,
                        value, VERIFY_LIFETIME_MS);
    }
    if (store_pending_delete(ctx->db, u->seq, attribute) != STORE_OK)
        return ops_fail_internal(ctx, "clearing a pending attribute");
    if (json_set_str(attrs, attribute, value) != 0 ||
        json_set_str(attrs, flag, verified_now ? "true" : "false") != 0)
        return ops_fail_internal(ctx, "out of memory");
    if (verified_now)
        return store_code_delete(ctx->db, u->seq, verify_purpose(attribute)) == STORE_ERROR
                   ? ops_fail_internal(ctx, "deleting a code")
                   : 0;
    if (!auto_verified)
        return 0;
    return add_code(ctx, u, codes, "UpdateUserAttribute", verify_purpose(attribute), attribute,
                    value, VERIFY_LIFETIME_MS);
}

/*
 * An administrator's verified flag (name is email_verified or phone_number_verified). "true"
 * also verifies a value waiting for verification, which then replaces the old one ([api],
 * UserAttributeUpdateSettingsType: "You can also call the AdminUpdateUserAttributes API and
 * set email_verified or phone_number_verified to true").
 */
static int set_verified_flag(struct op_ctx *ctx, const struct store_user *u, cJSON *attrs,
                             const char *name, const char *value)
{
    const char *attribute = strncmp(name, "email", 5) == 0 ? "email" : "phone_number";
    char *pending = NULL;
    int st;

    if (json_set_str(attrs, name, value) != 0)
        return ops_fail_internal(ctx, "out of memory");
    if (strcmp(value, "true") != 0)
        return 0;
    st = store_pending_get(ctx->db, u->seq, attribute, &pending);
    if (st == STORE_ERROR)
        return ops_fail_internal(ctx, "reading a pending attribute");
    if (st == STORE_OK) {
        int bad = json_set_str(attrs, attribute, pending);
        free(pending);
        if (bad || store_pending_delete(ctx->db, u->seq, attribute) != STORE_OK)
            return ops_fail_internal(ctx, "applying a pending attribute");
    }
    return store_code_delete(ctx->db, u->seq, verify_purpose(attribute)) == STORE_ERROR
               ? ops_fail_internal(ctx, "deleting a code")
               : 0;
}

/*
 * The attributes of req applied to attrs in three passes: immutability first (nothing changes
 * when one is refused), then the values, then an administrator's verified flags (so that an
 * explicit flag wins over the "false" a changed value gets).
 */
static int apply_update(struct op_ctx *ctx, const cJSON *pool, bool admin,
                        const struct store_user *u, cJSON *attrs, const cJSON *req,
                        struct account_codes *codes)
{
    const cJSON *item;

    cJSON_ArrayForEach(item, req)
    {
        if (check_mutable(ctx, pool, attrs, item->string, item->valuestring) != 0)
            return -1;
    }
    cJSON_ArrayForEach(item, req)
    {
        const char *name = item->string, *value = item->valuestring;
        const char *attribute = verifiable(name);
        char flag[64];
        int rc;

        if (is_verified_flag(name))
            continue;
        if (*value == '\0') {
            rc = remove_attribute(ctx, u, attrs, name);
        } else if (attribute != NULL) {
            snprintf(flag, sizeof(flag), "%s_verified", attribute);
            rc = change_verifiable(ctx, pool, u, attrs, attribute, value,
                                   admin && json_str(req, flag) != NULL &&
                                       strcmp(json_str(req, flag), "true") == 0,
                                   codes);
        } else {
            rc =
                json_set_str(attrs, name, value) == 0 ? 0 : ops_fail_internal(ctx, "out of memory");
        }
        if (rc != 0)
            return -1;
    }
    cJSON_ArrayForEach(item, req)
    {
        if (is_verified_flag(item->string) &&
            set_verified_flag(ctx, u, attrs, item->string, item->valuestring) != 0)
            return -1;
    }
    return 0;
}

int account_update_attributes(struct op_ctx *ctx, const cJSON *pool, const cJSON *client,
                              struct store_user *u, const cJSON *list, struct account_codes *codes)
{
    cJSON *req = NULL, *attrs = NULL;
    int rc = -1;

    if (user_read_attributes(ctx, pool, client, list, true, &req) != 0)
        return -1;
    if ((attrs = user_attributes(u)) == NULL)
        ops_fail_internal(ctx, "out of memory");
    else if (apply_update(ctx, pool, client == NULL, u, attrs, req, codes) == 0 &&
             user_check_required(ctx, pool, attrs) == 0 && save_attributes(ctx, u, attrs) == 0)
        rc = user_sync_aliases(ctx, pool, u, false, COG_E_ALIAS_EXISTS);
    cJSON_Delete(req);
    cJSON_Delete(attrs);
    return rc;
}

int account_delete_attributes(struct op_ctx *ctx, const cJSON *pool, const cJSON *client,
                              struct store_user *u, const cJSON *names)
{
    cJSON *attrs = user_attributes(u);
    const cJSON *item;
    int rc = -1;

    if (attrs == NULL)
        return ops_fail_internal(ctx, "out of memory");
    cJSON_ArrayForEach(item, names)
    {
        const char *name = cJSON_IsString(item) ? item->valuestring : NULL;
        if (user_check_attribute(ctx, pool, client, name, NULL, true) != 0 ||
            check_mutable(ctx, pool, attrs, name, "") != 0 ||
            remove_attribute(ctx, u, attrs, name) != 0)
            goto out;
    }
    if (user_check_required(ctx, pool, attrs) == 0 && save_attributes(ctx, u, attrs) == 0)
        rc = user_sync_aliases(ctx, pool, u, false, COG_E_ALIAS_EXISTS);
out:
    cJSON_Delete(attrs);
    return rc;
}

/* Only email and phone_number are verified: InvalidParameterException (the emulator's). */
static const char *verifiable_or_fail(struct op_ctx *ctx, const char *name)
{
    const char *attribute = verifiable(name);

    if (attribute == NULL)
        cog_err_set(&ctx->err, COG_E_INVALID_PARAMETER,
                    "Invalid attribute name: %s can not be verified; only email and "
                    "phone_number can.",
                    name ? name : "");
    return attribute;
}

int account_verification_code(struct op_ctx *ctx, const cJSON *pool, const struct store_user *u,
                              const char *name, struct account_codes *codes)
{
    const char *attribute = verifiable_or_fail(ctx, name);
    cJSON *attrs = NULL;
    char *pending = NULL;
    const char *value;
    int rc = -1, st;

    (void)pool;
    if (attribute == NULL)
        return -1;
    if ((st = store_pending_get(ctx->db, u->seq, attribute, &pending)) == STORE_ERROR)
        return ops_fail_internal(ctx, "reading a pending attribute");
    if ((attrs = user_attributes(u)) == NULL) {
        free(pending);
        return ops_fail_internal(ctx, "out of memory");
    }
    value = pending != NULL ? pending : json_str(attrs, attribute);
    if (value == NULL || *value == '\0')
        cog_err_set(&ctx->err, COG_E_INVALID_PARAMETER, "The user has no %s to verify.", attribute);
    else
        rc = add_code(ctx, u, codes, "VerifyUserAttribute", verify_purpose(attribute), attribute,
                      value, VERIFY_LIFETIME_MS);
    free(pending);
    cJSON_Delete(attrs);
    return rc;
}

/*
 * The code checks of Cognito: no pending code or another one, CodeMismatchException "Invalid
 * verification code provided, please try again."; the right one after its lifetime,
 * ExpiredCodeException "Invalid code provided, please request a code again." ([facts]).
 */
static int check_code(struct op_ctx *ctx, const struct store_user *u, const char *purpose,
                      const char *given)
{
    char *code = NULL;
    int64_t expires = 0;
    int st = store_code_get(ctx->db, u->seq, purpose, &code, &expires), rc = 0;

    if (st == STORE_ERROR)
        return ops_fail_internal(ctx, "reading a code");
    if (st == STORE_NOT_FOUND || given == NULL || !secrets_equal(code, given))
        rc = cog_err_set(&ctx->err, COG_E_CODE_MISMATCH,
                         "Invalid verification code provided, please try again.");
    else if (ctx->now_ms >= expires)
        rc = cog_err_set(&ctx->err, COG_E_EXPIRED_CODE,
                         "Invalid code provided, please request a code again.");
    free(code);
    return rc;
}

int account_verify_attribute(struct op_ctx *ctx, const cJSON *pool, struct store_user *u,
                             const char *name, const char *code)
{
    const char *attribute = verifiable_or_fail(ctx, name);
    cJSON *attrs = NULL;
    char flag[64];
    int rc = -1;

    if (attribute == NULL || check_code(ctx, u, verify_purpose(attribute), code) != 0)
        return -1;
    snprintf(flag, sizeof(flag), "%s_verified", attribute);
    if ((attrs = user_attributes(u)) == NULL)
        return ops_fail_internal(ctx, "out of memory");
    if (set_verified_flag(ctx, u, attrs, flag, "true") == 0 && save_attributes(ctx, u, attrs) == 0)
        rc = user_sync_aliases(ctx, pool, u, false, COG_E_ALIAS_EXISTS);
    cJSON_Delete(attrs);
    return rc;
}

/*
 * Where a reset code goes: the pool's RecoveryMechanisms by Priority, "verified_email" and
 * "verified_phone_number" each needing that attribute verified; without an
 * AccountRecoverySetting, the legacy rule, a verified phone number before a verified email
 * (pool.h). "admin_only": NotAuthorizedException "Contact administrator to reset
 * password." (as moto mirrors AWS). Nothing verified: InvalidParameterException [seen], the
 * error ForgotPassword's API reference names for it.
 */
static const char *reset_attribute(struct op_ctx *ctx, const cJSON *pool, const cJSON *attrs)
{
    const char *order[2] = {"verified_phone_number", "verified_email"};
    const cJSON *mechanisms =
        json_get(json_get(pool, "AccountRecoverySetting"), "RecoveryMechanisms");
    const cJSON *m;
    size_t n = mechanisms ? 0 : 2;

    cJSON_ArrayForEach(m, mechanisms)
    {
        int64_t priority = json_int(m, "Priority", 1);
        const char *name = json_str(m, "Name");
        if (name == NULL || priority < 1 || priority > 2)
            continue;
        order[priority - 1] = name;
        if ((size_t)priority > n)
            n = (size_t)priority;
    }
    for (size_t i = 0; i < n; i++) {
        const char *attribute = strcmp(order[i], "verified_email") == 0          ? "email"
                                : strcmp(order[i], "verified_phone_number") == 0 ? "phone_number"
                                                                                 : NULL;
        char flag[64];
        if (strcmp(order[i], "admin_only") == 0) {
            cog_err_set(&ctx->err, COG_E_NOT_AUTHORIZED,
                        "Contact administrator to reset password.");
            return NULL;
        }
        if (attribute == NULL)
            continue;
        snprintf(flag, sizeof(flag), "%s_verified", attribute);
        if (json_str(attrs, attribute) != NULL && *json_str(attrs, attribute) != '\0' &&
            json_str(attrs, flag) != NULL && strcmp(json_str(attrs, flag), "true") == 0)
            return attribute;
    }
    cog_err_set(&ctx->err, COG_E_INVALID_PARAMETER,
                "Cannot reset password for the user as there is no registered/verified email or "
                "phone_number");
    return NULL;
}

/* A user made by AdminCreateUser who has not chosen a password yet cannot reset it [seen]. */
int account_start_reset(struct op_ctx *ctx, const cJSON *pool, const struct store_user *u,
                        struct account_codes *codes)
{
    cJSON *attrs;
    const char *attribute;
    int rc = -1;

    if (strcmp(u->status, "FORCE_CHANGE_PASSWORD") == 0)
        return cog_err_set(&ctx->err, COG_E_NOT_AUTHORIZED,
                           "User password cannot be reset in the current state.");
    if ((attrs = user_attributes(u)) == NULL)
        return ops_fail_internal(ctx, "out of memory");
    if ((attribute = reset_attribute(ctx, pool, attrs)) != NULL)
        rc = add_code(ctx, u, codes, "ForgotPassword", ACCOUNT_RESET_PURPOSE, attribute,
                      json_str(attrs, attribute), RESET_LIFETIME_MS);
    cJSON_Delete(attrs);
    return rc;
}

int account_check_reset_code(struct op_ctx *ctx, const struct store_user *u, const char *code)
{
    return check_code(ctx, u, ACCOUNT_RESET_PURPOSE, code);
}

int account_send(struct op_ctx *ctx, const cJSON *pool, const char *client_id,
                 const struct store_user *u, const struct account_codes *codes, cJSON *details)
{
    for (size_t i = 0; i < codes->count; i++) {
        const struct account_code *c = &codes->items[i];
        struct delivery d = {
            .pool_id = u->pool_id,
            .username = u->username,
            .kind = c->kind,
            .source = c->source,
            .medium = strcmp(c->attribute, "email") == 0 ? "EMAIL" : "SMS",
            .attribute = c->attribute,
            .destination = c->destination,
            .code = c->code,
            .pool = pool,
            .client_id = client_id,
            .user = u,
            .client_metadata = json_get(ctx->in, "ClientMetadata"),
        };
        cJSON *one = details != NULL ? cJSON_CreateObject() : NULL;

        if (details != NULL && (one == NULL || !cJSON_AddItemToArray(details, one))) {
            cJSON_Delete(one);
            return ops_fail_internal(ctx, "out of memory");
        }
        if (delivery_send(ctx, &d, one) != 0)
            return -1;
    }
    return 0;
}

int account_post_confirmation(struct op_ctx *ctx, const cJSON *pool, const char *client_id,
                              const struct store_user *u, const char *source)
{
    cJSON *attrs;
    struct trigger_caller caller;
    int rc;

    /* A pool without the trigger pays for nothing (not even the attribute map). */
    if (triggers_function(json_get(pool, "LambdaConfig"), "PostConfirmation") == NULL)
        return 0;
    if ((attrs = user_trigger_attributes(pool, u)) == NULL)
        return ops_fail_internal(ctx, "out of memory");
    caller = triggers_caller(pool, client_id, u->username, attrs);
    caller.client_metadata = json_get(ctx->in, "ClientMetadata");
    rc = triggers_post_confirmation(ctx, &caller, source);
    cJSON_Delete(attrs);
    return rc;
}
