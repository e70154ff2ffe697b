/*
 * auth_password: password sign-in (USER_PASSWORD_AUTH; ADMIN_USER_PASSWORD_AUTH and its old
 * name ADMIN_NO_SRP_AUTH) with the migration of an unknown user (userpool/migrate.h), the
 * NEW_PASSWORD_REQUIRED challenge of a user whose password an administrator set, and the
 * lockout after repeated wrong passwords. What a proved password leads to
 * (auth_password_accepted) and the lockout are also USER_SRP_AUTH's (auth_srp.c), which
 * proves the same password without sending it.
 */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/auth_int.h"
#include "aws/ops_common.h"
#include "store/store.h"
#include "userpool/client.h"
#include "userpool/migrate.h"
#include "userpool/pool.h"
#include "userpool/user.h"
#include "util/jsonutil.h"
#include "util/log.h"

/* Cognito's default TemporaryPasswordValidityDays: 7. */
#define DEFAULT_TEMPORARY_PASSWORD_DAYS 7

/* ---- Lockout -----------------------------------------------------------------------------
 *
 * Cognito locks a user out after repeated wrong passwords: "After five failed sign-in
 * attempts ... temporary lockouts start at one second and increase exponentially, doubling
 * with each failed attempt up to about 15 minutes. Attempts during a temporary lockout period
 * are ignored ... Waiting for about 15 minutes without any attempts also resets the temporary
 * lockout" (developer guide, authentication flow, "Locking out users"), with
 * NotAuthorizedException "Password attempts exceeded" (../shared/cognito-facts.md). So the
 * n-th consecutive failure (n >= 5) locks for 2^(n-5) seconds, at most 15 minutes; a correct
 * password after the lockout signs in and forgets the failures.
 */

#define LOCKOUT_FREE_FAILURES 5
#define LOCKOUT_MAX_MS (15 * 60 * 1000LL)
#define LOCKOUT_FORGET_MS (15 * 60 * 1000LL)

/* Refuse a sign-in of a->user during its lockout. 0 or -1. */
int auth_check_lockout(struct auth *a)
{
    struct store_lockout l;

    if (store_lockout_get(a->ctx->db, a->user->seq, &l) != STORE_OK)
        return ops_fail_internal(a->ctx, "could not read the lockout");
    if (a->ctx->now_ms < l.locked_until_ms)
        return cog_err_set(&a->ctx->err, COG_E_NOT_AUTHORIZED, "Password attempts exceeded");
    return 0;
}

/* Count a wrong password of a->user (outside any transaction that the error rolls back).
 * The request fails anyway: a store error is only logged. */
void auth_note_wrong_password(struct auth *a)
{
    struct store_lockout l;
    int64_t now = a->ctx->now_ms, shift;

    if (store_lockout_get(a->ctx->db, a->user->seq, &l) != STORE_OK)
        return;
    if (l.failures > 0 && now - l.last_failure_ms >= LOCKOUT_FORGET_MS)
        l.failures = 0;
    l.failures++;
    l.last_failure_ms = now;
    if (l.failures >= LOCKOUT_FREE_FAILURES) {
        shift = l.failures - LOCKOUT_FREE_FAILURES;
        l.locked_until_ms = now + (shift >= 20                          ? LOCKOUT_MAX_MS
                                   : (1000LL << shift) < LOCKOUT_MAX_MS ? 1000LL << shift
                                                                        : LOCKOUT_MAX_MS);
    }
    if (store_lockout_put(a->ctx->db, a->user->seq, &l) != STORE_OK)
        log_error("auth: could not count a failed sign-in of user %s", a->user->username);
}

/* Forget a->user's failures after a proved password (no write when there are none). */
int auth_clear_lockout(struct auth *a)
{
    struct store_lockout l;

    if (store_lockout_get(a->ctx->db, a->user->seq, &l) != STORE_OK ||
        (l.failures > 0 && store_lockout_clear(a->ctx->db, a->user->seq) != STORE_OK))
        return ops_fail_internal(a->ctx, "could not update the lockout");
    return 0;
}

/* ---- NEW_PASSWORD_REQUIRED --------------------------------------------------------------- */

/*
 * The NEW_PASSWORD_REQUIRED challenge of a user made by AdminCreateUser. Its parameters are
 * strings, two of them JSON text: USER_ID_FOR_SRP (the username), requiredAttributes (the
 * pool's required attributes the user lacks, as "userAttributes.<name>") and userAttributes
 * (the user's attributes without sub). Shape of real responses: amplify-ui e2e fixtures
 * force-change-password*.json, and an aws cli transcript with USER_ID_FOR_SRP.
 */
static int challenge_new_password(struct auth *a)
{
    cJSON *params = cJSON_CreateObject(), *attrs = user_attributes(a->user);
    cJSON *required = cJSON_CreateArray();
    const cJSON *attr;
    char *required_text = NULL, *attrs_text = NULL;
    int bad = params == NULL || attrs == NULL || required == NULL;

    if (!bad) {
        cJSON_DeleteItemFromObjectCaseSensitive(attrs, "sub");
        cJSON_ArrayForEach(attr, json_get(a->pool, "SchemaAttributes"))
        {
            const char *name = json_str(attr, "Name");
            char entry[160];
            if (name == NULL || !json_bool(attr, "Required", false) || strcmp(name, "sub") == 0 ||
                json_get(attrs, name) != NULL)
                continue;
            snprintf(entry, sizeof(entry), "userAttributes.%s", name);
            bad |= !cJSON_AddItemToArray(required, cJSON_CreateString(entry));
        }
        required_text = cJSON_PrintUnformatted(required);
        attrs_text = cJSON_PrintUnformatted(attrs);
        bad |= required_text == NULL || attrs_text == NULL;
        bad |= json_set_str(params, "USER_ID_FOR_SRP", a->user->username);
        bad |= json_set_str(params, "requiredAttributes", required_text ? required_text : "");
        bad |= json_set_str(params, "userAttributes", attrs_text ? attrs_text : "");
    }
    cJSON_Delete(attrs);
    cJSON_Delete(required);
    free(required_text);
    free(attrs_text);
    if (bad) {
        cJSON_Delete(params);
        return ops_fail_internal(a->ctx, "out of memory");
    }
    return auth_answer_challenge(a, "NEW_PASSWORD_REQUIRED", params);
}

/*
 * Apply the "userAttributes.<name>" responses to attrs (the user's attribute object), then
 * require every required attribute. Cognito refuses to change a required attribute that
 * already has a value ("Cannot modify an already provided email"; the API reference: "you
 * can't modify a required attribute that already has a value") and names a missing one
 * ("Invalid attributes given, name is missing", aws-amplify/aws-sdk-android#1402).
 */
static int apply_new_password_attributes(struct auth *a, cJSON *attrs)
{
    static const char prefix[] = "userAttributes.";
    const size_t plen = sizeof(prefix) - 1;
    const cJSON *item, *attr;

    cJSON_ArrayForEach(item, a->params)
    {
        const char *name = item->string, *old;
        const cJSON *schema;
        if (name == NULL || strncmp(name, prefix, plen) != 0 || !cJSON_IsString(item))
            continue;
        name += plen;
        schema = pool_schema_entry(a->pool, name);
        if (schema == NULL)
            return cog_err_set(&a->ctx->err, COG_E_INVALID_PARAMETER,
                               "Attribute does not exist in the schema.");
        old = json_str(attrs, name);
        if (old != NULL && strcmp(old, item->valuestring) != 0 &&
            (json_bool(schema, "Required", false) || strcmp(name, "sub") == 0))
            return cog_err_set(&a->ctx->err, COG_E_INVALID_PARAMETER,
                               "Cannot modify an already provided %s", name);
        if (json_set_str(attrs, name, item->valuestring) != 0)
            return ops_fail_internal(a->ctx, "out of memory");
    }
    cJSON_ArrayForEach(attr, json_get(a->pool, "SchemaAttributes"))
    {
        const char *name = json_str(attr, "Name");
        if (name != NULL && json_bool(attr, "Required", false) && strcmp(name, "sub") != 0 &&
            json_get(attrs, name) == NULL)
            return cog_err_set(&a->ctx->err, COG_E_INVALID_PARAMETER,
                               "Invalid attributes given, %s is missing", name);
    }
    return 0;
}

/* Replace *field (an owned string of a store_user) with a copy of value. 0 or -1. */
static int set_field(char **field, const char *value)
{
    char *copy = strdup(value);

    if (copy == NULL)
        return -1;
    free(*field);
    *field = copy;
    return 0;
}

/*
 * RespondToAuthChallenge NEW_PASSWORD_REQUIRED: ChallengeResponses {USERNAME, NEW_PASSWORD,
 * userAttributes.<name>...}. Sets the new password (the pool's policy applies:
 * InvalidPasswordException), the attributes, and status CONFIRMED; the user is then signed in.
 */
int auth_respond_new_password(struct auth *a, const struct store_session *s)
{
    const char *password = auth_param(a, "NEW_PASSWORD");
    struct store_user *u = a->user;
    cJSON *attrs = NULL;
    char *text = NULL;
    int rc = -1;

    (void)s;
    if (u == NULL) /* a session of this challenge always names its user */
        return auth_invalid_session(a->ctx);
    if (password == NULL)
        return auth_missing(a->ctx, "NEW_PASSWORD");
    if (!u->enabled)
        return cog_err_set(&a->ctx->err, COG_E_NOT_AUTHORIZED, "User is disabled.");
    if (user_set_password(a->ctx, a->pool, u, password) != 0)
        return -1;
    if ((attrs = user_attributes(u)) == NULL) {
        ops_fail_internal(a->ctx, "out of memory");
        goto out;
    }
    if (apply_new_password_attributes(a, attrs) != 0)
        goto out;
    if ((text = cJSON_PrintUnformatted(attrs)) == NULL || set_field(&u->attributes, text) != 0 ||
        set_field(&u->status, "CONFIRMED") != 0) {
        ops_fail_internal(a->ctx, "out of memory");
        goto out;
    }
    u->modified_ms = a->ctx->now_ms;
    if (store_user_update(a->ctx->db, u) != STORE_OK) {
        ops_fail_internal(a->ctx, "could not update the user");
        goto out;
    }
    a->token_source = "TokenGeneration_NewPasswordChallenge";
    rc = auth_ask_mfa(a);
out:
    cJSON_Delete(attrs);
    free(text);
    return rc;
}

/* ---- Password sign-in (USER_PASSWORD_AUTH, ADMIN_USER_PASSWORD_AUTH, USER_SRP_AUTH) ------- */

/* Whether the temporary password of a FORCE_CHANGE_PASSWORD user is older than the pool's
 * TemporaryPasswordValidityDays. The user's last change is when the password was set. */
static bool temporary_password_expired(const struct auth *a)
{
    const cJSON *policy = json_get(json_get(a->pool, "Policies"), "PasswordPolicy");
    int64_t days = json_int(policy, "TemporaryPasswordValidityDays", 0);

    if (days <= 0)
        days = DEFAULT_TEMPORARY_PASSWORD_DAYS;
    return a->ctx->now_ms - a->user->modified_ms > days * 86400000;
}

/* Disabled and unconfirmed users, refused in the words below (auth_int.h). */
int auth_check_user_state(const struct auth *a)
{
    if (a->user == NULL)
        return 0;
    if (!a->user->enabled)
        return cog_err_set(&a->ctx->err, COG_E_NOT_AUTHORIZED, "User is disabled.");
    if (strcmp(a->user->status, "UNCONFIRMED") == 0)
        return cog_err_set(&a->ctx->err, COG_E_USER_NOT_CONFIRMED, "User is not confirmed.");
    return 0;
}

/*
 * What a user who proved the password (USER_PASSWORD_AUTH's PASSWORD, or USER_SRP_AUTH's
 * PASSWORD_VERIFIER) gets, by state. The password is checked first: a disabled or unconfirmed
 * user with a wrong password gets "Incorrect username or password." ("If a user is disabled
 * and the password is incorrect, the error will also indicate that either the username or
 * password is incorrect", developer guide, managing error responses); then "User is
 * disabled." (localstack#8454 quotes AWS), then UserNotConfirmedException. A user in
 * FORCE_CHANGE_PASSWORD is asked NEW_PASSWORD_REQUIRED; any other is signed in: a->signed_in
 * is set, and the caller issues the tokens (after its transaction, if it has one).
 */
int auth_password_accepted(struct auth *a)
{
    if (auth_check_user_state(a) != 0)
        return -1;
    if (strcmp(a->user->status, "FORCE_CHANGE_PASSWORD") == 0) {
        if (temporary_password_expired(a))
            return cog_err_set(&a->ctx->err, COG_E_NOT_AUTHORIZED,
                               "Temporary password has expired and must be reset by an "
                               "administrator.");
        return challenge_new_password(a);
    }
    return auth_ask_mfa(a);
}

/*
 * After AdminResetUserPassword the old password no longer signs in: Cognito answers
 * PasswordResetRequiredException "Password reset required for the user" (amplify-ui fixture
 * force-reset-password.json), unless the password is plainly wrong. matched is whether the
 * password was proved. Returns -1 with that error, or 0.
 */
int auth_check_reset_required(const struct auth *a, bool matched)
{
    if (strcmp(a->user->status, "RESET_REQUIRED") == 0 &&
        (matched || a->user->srp_verifier == NULL))
        return cog_err_set(&a->ctx->err, COG_E_PASSWORD_RESET_REQUIRED,
                           "Password reset required for the user");
    return 0;
}

/*
 * An unknown username at a password sign-in: the user migration trigger may vouch for it
 * (migrate.h), before anything else of the sign-in runs (../shared/lambda-triggers.md section
 * 3: UserMigration, then PreAuthentication). Returns STORE_OK with a->user the migrated user,
 * STORE_NOT_FOUND when the name stays unknown, or STORE_ERROR with a->ctx->err set. A client
 * that hides users answers a function's refusal as any unknown user, so that the refusal
 * does not tell who exists; the trigger's other failures (it could not be called, or answered
 * nothing usable) are the pool's configuration and reach the caller.
 */
static int migrate_unknown(struct auth *a, const char *username, const char *password)
{
    int rc = migrate_user(a->ctx, a->pool, a->client_id, username, password, &a->user);

    if (rc < 0 && client_hides_users(a->client) &&
        a->ctx->err.code == COG_E_USER_LAMBDA_VALIDATION) {
        a->ctx->err.code = COG_OK;
        rc = 1;
    }
    return rc == 0 ? STORE_OK : rc > 0 ? STORE_NOT_FOUND : STORE_ERROR;
}

int auth_start_password(struct auth *a)
{
    const char *username = auth_param(a, "USERNAME"), *password = auth_param(a, "PASSWORD");
    int st;

    if (username == NULL)
        return auth_missing(a->ctx, "USERNAME");
    if (password == NULL)
        return auth_missing(a->ctx, "PASSWORD");
    if (!a->hosted &&
        client_check_secret_hash(a->ctx, a->client, username, auth_param(a, "SECRET_HASH")) != 0)
        return -1;
    st = user_find(a->ctx, a->pool, username, &a->user);
    if (st == STORE_NOT_FOUND)
        st = migrate_unknown(a, username, password);
    if (st == STORE_ERROR)
        return -1;
    if (st != STORE_OK && client_hides_users(a->client) &&
        auth_pre_authentication(a, username) != 0)
        return -1;
    if (st != STORE_OK)
        return auth_unknown_user(a);
    if (auth_pre_authentication(a, username) != 0 || auth_check_lockout(a) != 0)
        return -1;
    st = user_password_matches(a->pool, a->user, password);
    if (st < 0)
        return ops_fail_internal(a->ctx, "could not check the password");
    if (st == 0)
        auth_note_wrong_password(a);
    if (auth_check_reset_required(a, st == 1) != 0)
        return -1;
    if (st == 0)
        return auth_incorrect_password(a->ctx);
    if (auth_clear_lockout(a) != 0 || auth_password_accepted(a) != 0)
        return -1;
    return a->signed_in ? auth_answer_sign_in(a) : 0;
}
