/*
 * ops_user: the user operations: SignUp, ConfirmSignUp, ResendConfirmationCode,
 * AdminConfirmSignUp, AdminCreateUser, AdminGetUser, ListUsers and GetUser.
 *
 * Users live in the store's user table (store.h); the rules every user operation shares
 * (finding a user by any of its names, naming and storing a new one, SECRET_HASH, passwords,
 * which attributes a request may write, alias rows, attribute output) are in user.c and
 * client.c. This file holds what only creating and confirming users needs: sign-up codes and
 * invitations, sent through delivery.c.
 *
 * Sources of Cognito's behaviour and wording, cited once here and referred to below:
 *   [facts]  ../shared/cognito-facts.md (common error messages, code lifetimes).
 *   [errors] the developer guide's "Managing user existence error responses"
 *            (awsdocs/amazon-cognito-developer-guide, cognito-user-pool-managing-errors.md).
 *   [case]   the developer guide's "User pool case sensitivity": in a case-insensitive pool,
 *            username, email and preferred_username are case-insensitive and "mixed-case
 *            attribute values ... are flattened to lowercase in user pool text output".
 *   [api]    the API reference text carried in server/aws/model/cognito-idp.json.
 *   [seen]   messages of real Cognito quoted in many application codebases and issue
 *            reports (dictionaries of Amplify UI translations, error handlers).
 * Wording marked "the emulator's" was not found anywhere and is this emulator's own.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "userpool/delivery.h"
#include "util/jsonutil.h"
#include "userpool/mfa.h"
#include "aws/op.h"
#include "aws/ops_common.h"
#include "userpool/password.h"
#include "crypto/secrets.h"
#include "store/store.h"
#include "triggers/triggers.h"
#include "userpool/tokens.h"
#include "userpool/pool.h"
#include "userpool/account.h"
#include "userpool/client.h"
#include "userpool/user.h"

/* Sign-up codes last 24 hours [facts]. */
#define CODE_LIFETIME_MS (24LL * 60 * 60 * 1000)
#define CODE_PURPOSE "sign-up"

/* Session bytes and Cognito's default AuthSessionValidity, as auth/auth.c makes sessions. */
#define SESSION_BYTES 64
#define DEFAULT_SESSION_MINUTES 3

/* ---- Sessions of passwordless sign-up ---------------------------------------------------- */

/*
 * SignUp and ConfirmSignUp answer a Session when the app client allows USER_AUTH (SignUp's is
 * null until ALLOW_USER_AUTH is on: aws/aws-sdk-js-v3#6724; ConfirmSignUp's always, since
 * Amplify never forwards SignUp's: ../shared/user-auth-passkeys.md 2.1). Each is an auth
 * session row of u named name, valid for the client's AuthSessionValidity: ConfirmSignUp's
 * (USER_AUTO_SIGN_IN; also SignUp's for a user the pre sign-up trigger confirmed) signs u in once
 * through InitiateAuth USER_AUTH (auth/auth_choice.c); SignUp's (SIGN_UP) only names the sign-up. 0
 * or -1.
 */
static int answer_session(struct op_ctx *ctx, const cJSON *pool, const cJSON *client,
                          const struct store_user *u, const char *name)
{
    int64_t minutes = json_int(client, "AuthSessionValidity", DEFAULT_SESSION_MINUTES);
    struct store_session s = {
        .pool_id = (char *)json_str(pool, "Id"),
        .client_id = (char *)json_str(client, "ClientId"),
        .user_seq = u->seq,
        .challenge = (char *)name,
        .data = (char *)"{}",
        .expires_ms = ctx->now_ms + (minutes > 0 ? minutes : DEFAULT_SESSION_MINUTES) * 60000,
    };
    char *session;
    int rc = 0;

    if (!json_list_has(json_get(client, "ExplicitAuthFlows"), "ALLOW_USER_AUTH"))
        return 0;
    if ((session = secrets_token(SESSION_BYTES)) == NULL)
        return ops_fail_internal(ctx, "out of memory");
    if (store_session_put(ctx->db, session, &s) != STORE_OK)
        rc = ops_fail_internal(ctx, "could not store the session");
    else if (json_set_str(ctx->out, "Session", session) != 0)
        rc = ops_fail_internal(ctx, "out of memory");
    free(session);
    return rc;
}

/* ---- New users --------------------------------------------------------------------------- */

/*
 * A new user of the request's Username and UserAttributes in status, not yet stored and
 * without a password (user_draft, which names it and checks its attributes).
 */
static int draft_user(struct op_ctx *ctx, const cJSON *pool, const cJSON *client,
                      const char *status, struct store_user **out)
{
    return user_draft(ctx, pool, client, json_str(ctx->in, "Username"),
                      json_get(ctx->in, "UserAttributes"), status, out);
}

/* ---- Codes ------------------------------------------------------------------------------- */

/*
 * Where a sign-up code goes: the first of the pool's AutoVerifiedAttributes the user has,
 * phone_number before email ("If both email and phone is set, Cognito only verifies the phone
 * number": the AWS CDK reference, AutoVerifiedAttrs). A pool without AutoVerifiedAttributes
 * sends no code, and SignUp then returns no CodeDeliveryDetails. Returns the attribute name,
 * or NULL.
 */
static const char *code_attribute(const cJSON *pool, const cJSON *attrs)
{
    const cJSON *auto_verified = json_get(pool, "AutoVerifiedAttributes");

    if (json_list_has(auto_verified, "phone_number") && json_str(attrs, "phone_number") != NULL)
        return "phone_number";
    if (json_list_has(auto_verified, "email") && json_str(attrs, "email") != NULL)
        return "email";
    return NULL;
}

/* A pending code: what is stored, then sent once the transaction has committed. */
struct pending_code {
    char code[7];
    const char *attribute; /* NULL: no code */
};

/* Draw and store a new sign-up code for u, when the pool sends one (pc->attribute NULL if not). */
static int put_code(struct op_ctx *ctx, const cJSON *pool, const struct store_user *u,
                    struct pending_code *pc)
{
    cJSON *attrs = user_attributes(u);

    pc->attribute = attrs ? code_attribute(pool, attrs) : NULL;
    cJSON_Delete(attrs);
    if (pc->attribute == NULL)
        return 0;
    secrets_code(pc->code);
    if (store_code_put(ctx->db, u->seq, CODE_PURPOSE, pc->code, ctx->now_ms + CODE_LIFETIME_MS) !=
        STORE_OK)
        return ops_fail_internal(ctx, "storing a code");
    return 0;
}

/*
 * Send d, a sign-up code (username, attribute, destination and code given; source "ResendCode"
 * for a resend, the user and client when known), and set ctx->out's CodeDeliveryDetails; a
 * code of NULL sends nothing real (the simulated answer for an unknown user).
 */
static int send_code(struct op_ctx *ctx, const cJSON *pool, struct delivery d)
{
    cJSON *details = cJSON_CreateObject();

    d.pool_id = json_str(pool, "Id");
    d.kind = "sign-up";
    d.medium = strcmp(d.attribute, "email") == 0 ? "EMAIL" : "SMS";
    d.pool = pool;
    d.client_metadata = json_get(ctx->in, "ClientMetadata");
    if (details == NULL)
        return ops_fail_internal(ctx, "out of memory");
    if (delivery_send(ctx, &d, details) != 0) {
        cJSON_Delete(details);
        return -1;
    }
    return ops_out_set(ctx, "CodeDeliveryDetails", details);
}

/* send_code() for a code put_code() stored for u, with the message triggers' source. */
static int send_pending(struct op_ctx *ctx, const cJSON *pool, const cJSON *client,
                        const struct store_user *u, const struct pending_code *pc,
                        const char *source)
{
    cJSON *attrs = user_attributes(u);
    int rc;

    if (attrs == NULL)
        return ops_fail_internal(ctx, "out of memory");
    rc = send_code(ctx, pool,
                   (struct delivery){.username = u->username,
                                     .source = source,
                                     .attribute = pc->attribute,
                                     .destination = json_str(attrs, pc->attribute),
                                     .code = pc->code,
                                     .client_id = json_str(client, "ClientId"),
                                     .user = u});
    cJSON_Delete(attrs);
    return rc;
}

/* ---- Operations -------------------------------------------------------------------------- */

/*
 * The pre sign-up trigger for the draft u, before the transaction that writes it (source
 * "PreSignUp_SignUp" or "PreSignUp_AdminCreateUser"; client NULL for the latter). 0, or -1
 * with ctx->err set.
 */
static int pre_sign_up(struct op_ctx *ctx, const cJSON *pool, const cJSON *client,
                       const char *source, const struct store_user *u, struct trigger_sign_up *out)
{
    cJSON *attrs;
    struct trigger_caller caller;
    int rc;

    *out = (struct trigger_sign_up){0};
    /* A pool without the trigger pays for nothing (not even the attribute map). */
    if (triggers_function(json_get(pool, "LambdaConfig"), "PreSignUp") == NULL)
        return 0;
    if ((attrs = user_attributes(u)) == NULL)
        return ops_fail_internal(ctx, "out of memory");
    caller = triggers_caller(pool, json_str(client, "ClientId"), u->username, attrs);
    /* The event carries only what the caller supplied: the sub is not made yet in Cognito. */
    cJSON_DeleteItemFromObjectCaseSensitive(attrs, "sub");
    caller.client_metadata = json_get(ctx->in, "ClientMetadata");
    rc = triggers_pre_sign_up(ctx, &caller, source, json_get(ctx->in, "ValidationData"), out);
    cJSON_Delete(attrs);
    return rc;
}

/*
 * Apply a pre sign-up decision to the draft u, inside the transaction that writes it: an
 * auto-confirmed user is CONFIRMED, auto-verified attributes are "true" (the trigger has
 * refused a flag for an attribute the user lacks). 0, or -1 when out of memory.
 */
static int apply_sign_up(struct op_ctx *ctx, struct store_user *u, const struct trigger_sign_up *t)
{
    static const char *const FLAGS[][2] = {{"email", "email_verified"},
                                           {"phone_number", "phone_number_verified"}};
    const bool verify[] = {t->auto_verify_email, t->auto_verify_phone};
    cJSON *attrs;
    char *text, *status;
    int bad = 0;

    if (!t->auto_confirm && !t->auto_verify_email && !t->auto_verify_phone)
        return 0;
    if ((attrs = user_attributes(u)) == NULL)
        return ops_fail_internal(ctx, "out of memory");
    for (size_t i = 0; i < 2; i++)
        if (verify[i] && json_str(attrs, FLAGS[i][0]) != NULL)
            bad |= json_set_str(attrs, FLAGS[i][1], "true");
    text = bad ? NULL : cJSON_PrintUnformatted(attrs);
    cJSON_Delete(attrs);
    status = t->auto_confirm ? strdup("CONFIRMED") : NULL;
    if (text == NULL || (t->auto_confirm && status == NULL)) {
        free(text);
        return ops_fail_internal(ctx, "out of memory");
    }
    free(u->attributes);
    u->attributes = text;
    if (status != NULL) {
        free(u->status);
        u->status = status;
    }
    return 0;
}

/*
 * SignUp. Refused when only administrators may create users (NotAuthorizedException "SignUp
 * is not permitted for this user pool" [seen]). Password may be omitted only in a pool that
 * allows passwordless sign-in (pool_allows_passwordless; the Password member's [api], which
 * also allows "a blank value", but the model's pattern [\S]+ refuses a blank one before this
 * runs): the user then has none. Elsewhere a missing one gets the validation error Cognito
 * gave before it had passwordless sign-in. The new user is UNCONFIRMED and gets a code,
 * UserConfirmed false; unless the pre sign-up trigger confirms it, which sends no code and runs
 * post confirmation after the commit. A client allowing USER_AUTH also gets a Session.
 */
int op_sign_up(struct op_ctx *ctx)
{
    const char *username = json_str(ctx->in, "Username");
    const char *password = json_str(ctx->in, "Password");
    struct pending_code pc = {.attribute = NULL};
    struct trigger_sign_up decision;
    cJSON *client = NULL, *pool = NULL;
    struct store_user *u = NULL;
    int rc = -1;

    if (client_load(ctx, json_str(ctx->in, "ClientId"), &client, &pool) != 0 ||
        client_check_secret_hash(ctx, client, username, json_str(ctx->in, "SecretHash")) != 0)
        goto out;
    if (json_bool(json_get(pool, "AdminCreateUserConfig"), "AllowAdminCreateUserOnly", false)) {
        cog_err_set(&ctx->err, COG_E_NOT_AUTHORIZED, "SignUp is not permitted for this user pool");
        goto out;
    }
    if (password == NULL && !pool_allows_passwordless(pool)) {
        cog_err_set(&ctx->err, COG_E_INVALID_PARAMETER,
                    "1 validation error detected: Value null at 'password' failed to satisfy "
                    "constraint: Member must not be null");
        goto out;
    }
    /* The trigger that shapes the write runs first; the transaction applies its decision. */
    if (draft_user(ctx, pool, client, "UNCONFIRMED", &u) != 0 ||
        (password != NULL && user_set_password(ctx, pool, u, password) != 0) ||
        pre_sign_up(ctx, pool, client, "PreSignUp_SignUp", u, &decision) != 0 ||
        ops_txn_begin(ctx) != 0)
        goto out;
    rc = apply_sign_up(ctx, u, &decision);
    /* An auto-verified alias moves from a user who holds it (lambda-triggers.md 5.1). */
    if (rc == 0)
        rc = user_insert(ctx, pool, u, decision.auto_verify_email || decision.auto_verify_phone);
    if (rc == 0 && !decision.auto_confirm)
        rc = put_code(ctx, pool, u, &pc);
    if (rc == 0)
        rc = answer_session(ctx, pool, client, u,
                            decision.auto_confirm ? USER_AUTO_SIGN_IN : "SIGN_UP");
    if ((rc = ops_txn_end(ctx, rc)) != 0)
        goto out;
    if (decision.auto_confirm &&
        (rc = account_post_confirmation(ctx, pool, json_str(client, "ClientId"), u,
                                        "PostConfirmation_ConfirmSignUp")) != 0)
        goto out;
    if (json_set_bool(ctx->out, "UserConfirmed", decision.auto_confirm) != 0)
        rc = ops_fail_internal(ctx, "out of memory");
    else if (pc.attribute != NULL)
        rc = send_pending(ctx, pool, client, u, &pc, "SignUp");
    if (rc == 0 && json_set_str(ctx->out, "UserSub", u->sub) != 0)
        rc = ops_fail_internal(ctx, "out of memory");
out:
    cJSON_Delete(client);
    cJSON_Delete(pool);
    store_user_free(u);
    return rc;
}

/*
 * The code check of ConfirmSignUp: CodeMismatchException "Invalid verification code provided,
 * please try again." and, for the right code after its 24 hours, ExpiredCodeException
 * "Invalid code provided, please request a code again." [facts]. A user with no pending code
 * (a pool that sends none) can only be confirmed by an administrator: any code mismatches.
 */
static int check_code(struct op_ctx *ctx, const struct store_user *u, const char *given)
{
    char *code = NULL;
    int64_t expires = 0;
    int st = store_code_get(ctx->db, u->seq, CODE_PURPOSE, &code, &expires), rc = 0;

    if (st == STORE_ERROR)
        return ops_fail_internal(ctx, "reading a code");
    if (st == STORE_NOT_FOUND || !secrets_equal(code, given))
        rc = cog_err_set(&ctx->err, COG_E_CODE_MISMATCH,
                         "Invalid verification code provided, please try again.");
    else if (ctx->now_ms >= expires)
        rc = cog_err_set(&ctx->err, COG_E_EXPIRED_CODE,
                         "Invalid code provided, please request a code again.");
    free(code);
    return rc;
}

/* An already confirmed user: NotAuthorizedException "User cannot be confirmed. Current status
 * is CONFIRMED" [facts], with whatever status the user has. */
static int check_unconfirmed(struct op_ctx *ctx, const struct store_user *u)
{
    if (strcmp(u->status, "UNCONFIRMED") == 0)
        return 0;
    return cog_err_set(&ctx->err, COG_E_NOT_AUTHORIZED,
                       "User cannot be confirmed. Current status is %s", u->status);
}

/*
 * Confirm u: CONFIRMED, its pending code gone, and, when verified is an attribute name, that
 * attribute verified (the one the code was sent to), which makes it an alias in a pool with
 * AliasAttributes (force: ForceAliasCreation). In the caller's transaction.
 */
static int confirm_user(struct op_ctx *ctx, const cJSON *pool, struct store_user *u,
                        const char *verified, bool force)
{
    char *status = strdup("CONFIRMED");
    cJSON *attrs = user_attributes(u);
    char flag[64];
    int rc = 0;

    if (status == NULL || attrs == NULL) {
        free(status);
        cJSON_Delete(attrs);
        return ops_fail_internal(ctx, "out of memory");
    }
    free(u->status);
    u->status = status;
    if (verified != NULL) {
        snprintf(flag, sizeof(flag), "%s_verified", verified);
        free(u->attributes);
        u->attributes =
            json_set_str(attrs, flag, "true") == 0 ? cJSON_PrintUnformatted(attrs) : NULL;
        if (u->attributes == NULL)
            rc = ops_fail_internal(ctx, "out of memory");
    }
    cJSON_Delete(attrs);
    if (rc == 0 && store_code_delete(ctx->db, u->seq, CODE_PURPOSE) == STORE_ERROR)
        rc = ops_fail_internal(ctx, "deleting a code");
    if (rc == 0)
        rc = user_save(ctx, u);
    if (rc == 0 && verified != NULL)
        rc = user_sync_aliases(ctx, pool, u, force, COG_E_USERNAME_EXISTS);
    return rc;
}

/*
 * ConfirmSignUp. With PreventUserExistenceErrors ENABLED an unknown user gets
 * CodeMismatchException rather than UserNotFoundException ([errors]: "If the code doesn't
 * match what the server expects Amazon Cognito returns CodeMismatchException"). A client
 * allowing USER_AUTH gets a Session for auto sign-in (answer_session). The request's optional
 * Session (SignUp's) is accepted and not checked: what Cognito checks in it is not documented,
 * and the code already names the sign-up.
 */
int op_confirm_sign_up(struct op_ctx *ctx)
{
    cJSON *client = NULL, *pool = NULL, *attrs = NULL;
    struct store_user *u = NULL;
    int rc = -1, st;

    if (client_load(ctx, json_str(ctx->in, "ClientId"), &client, &pool) != 0 ||
        client_check_secret_hash(ctx, client, json_str(ctx->in, "Username"),
                                 json_str(ctx->in, "SecretHash")) != 0 ||
        ops_txn_begin(ctx) != 0)
        goto out;
    st = user_find_request(ctx, pool, &u);
    if (st == STORE_NOT_FOUND && client_hides_users(client))
        cog_err_set(&ctx->err, COG_E_CODE_MISMATCH,
                    "Invalid verification code provided, please try again.");
    if (st == STORE_OK && check_unconfirmed(ctx, u) == 0 &&
        check_code(ctx, u, json_str(ctx->in, "ConfirmationCode")) == 0 &&
        (attrs = user_attributes(u)) != NULL)
        rc = confirm_user(ctx, pool, u, code_attribute(pool, attrs),
                          json_bool(ctx->in, "ForceAliasCreation", false));
    else if (st == STORE_OK && ctx->err.code == COG_OK)
        ops_fail_internal(ctx, "out of memory");
    if (rc == 0)
        rc = answer_session(ctx, pool, client, u, USER_AUTO_SIGN_IN);
    if ((rc = ops_txn_end(ctx, rc)) == 0)
        rc = account_post_confirmation(ctx, pool, json_str(client, "ClientId"), u,
                                       "PostConfirmation_ConfirmSignUp");
out:
    cJSON_Delete(client);
    cJSON_Delete(pool);
    cJSON_Delete(attrs);
    store_user_free(u);
    return rc;
}

/*
 * The answer to ResendConfirmationCode for an unknown user when the client hides users: a
 * simulated CodeDeliveryDetails ([errors]), whose medium follows the Username's format, or
 * else the pool's AutoVerifiedAttributes; the destination masks the Username itself (what
 * Cognito shows there is not documented).
 */
static int simulate_code(struct op_ctx *ctx, const cJSON *pool)
{
    const char *username = json_str(ctx->in, "Username");
    const char *attribute =
        user_is_email(username)                                                   ? "email"
        : user_is_phone(username)                                                 ? "phone_number"
        : json_list_has(json_get(pool, "AutoVerifiedAttributes"), "phone_number") ? "phone_number"
                                                                                  : "email";

    ctx->err.code = COG_OK;
    return send_code(
        ctx, pool,
        (struct delivery){.username = username, .attribute = attribute, .destination = username});
}

/*
 * ResendConfirmationCode: a new code to the same attribute. A user already confirmed:
 * InvalidParameterException "User is already confirmed." [seen]; a pool that sends no codes:
 * InvalidParameterException "Cannot resend codes. Auto verification not turned on." [seen].
 */
int op_resend_confirmation_code(struct op_ctx *ctx)
{
    struct pending_code pc = {.attribute = NULL};
    cJSON *client = NULL, *pool = NULL;
    struct store_user *u = NULL;
    int rc = -1, st;

    if (client_load(ctx, json_str(ctx->in, "ClientId"), &client, &pool) != 0 ||
        client_check_secret_hash(ctx, client, json_str(ctx->in, "Username"),
                                 json_str(ctx->in, "SecretHash")) != 0 ||
        ops_txn_begin(ctx) != 0)
        goto out;
    st = user_find_request(ctx, pool, &u);
    if (st == STORE_OK && strcmp(u->status, "UNCONFIRMED") != 0)
        cog_err_set(&ctx->err, COG_E_INVALID_PARAMETER, "User is already confirmed.");
    else if (st == STORE_OK && put_code(ctx, pool, u, &pc) == 0)
        rc = pc.attribute != NULL ? 0
                                  : cog_err_set(&ctx->err, COG_E_INVALID_PARAMETER,
                                                "Cannot resend codes. Auto verification not "
                                                "turned on.");
    if ((rc = ops_txn_end(ctx, rc)) == 0)
        rc = send_pending(ctx, pool, client, u, &pc, "ResendCode");
    else if (st == STORE_NOT_FOUND && client_hides_users(client))
        rc = simulate_code(ctx, pool);
out:
    cJSON_Delete(client);
    cJSON_Delete(pool);
    store_user_free(u);
    return rc;
}

/*
 * AdminConfirmSignUp: confirms without a code and verifies nothing (an administrator who
 * wants email_verified sets it with AdminUpdateUserAttributes, as on Cognito).
 */
int op_admin_confirm_sign_up(struct op_ctx *ctx)
{
    cJSON *pool = NULL;
    struct store_user *u = NULL;
    int rc = -1;

    if (pool_load(ctx, json_str(ctx->in, "UserPoolId"), &pool) != 0 || ops_txn_begin(ctx) != 0)
        goto out;
    if (user_find_request(ctx, pool, &u) == STORE_OK && check_unconfirmed(ctx, u) == 0)
        rc = confirm_user(ctx, pool, u, NULL, false);
    if ((rc = ops_txn_end(ctx, rc)) == 0)
        rc = account_post_confirmation(ctx, pool, NULL, u, "PostConfirmation_ConfirmSignUp");
out:
    cJSON_Delete(pool);
    store_user_free(u);
    return rc;
}

/* Set ctx->out's User to u as a UserType (AdminCreateUser's answer). */
static int out_user(struct op_ctx *ctx, const struct store_user *u)
{
    cJSON *user = cJSON_CreateObject();

    if (user == NULL || user_fill(user, u, "Attributes", NULL) != 0) {
        cJSON_Delete(user);
        return ops_fail_internal(ctx, "out of memory");
    }
    return ops_out_set(ctx, "User", user);
}

/*
 * The invitation of AdminCreateUser: to each of DesiredDeliveryMediums (SMS when absent [api];
 * the emulator then uses the email when the user has no phone number rather than refusing).
 * A medium without its attribute: InvalidParameterException "No email provided but desired
 * delivery medium was Email" [seen]; the SMS wording by analogy (the emulator's). With send
 * false only the check runs.
 */
static int invite(struct op_ctx *ctx, const cJSON *pool, const struct store_user *u,
                  const char *password, bool send)
{
    static const char *const MEDIA[][3] = {{"EMAIL", "email", "Email"},
                                           {"SMS", "phone_number", "Sms"}};
    const cJSON *wanted = json_get(ctx->in, "DesiredDeliveryMediums");
    cJSON *attrs = user_attributes(u);
    int rc = attrs ? 0 : ops_fail_internal(ctx, "out of memory");

    for (size_t i = 0; rc == 0 && i < 2; i++) {
        const char *dest = json_str(attrs, MEDIA[i][1]);
        bool chosen = wanted ? json_list_has(wanted, MEDIA[i][0])
                             : (i == 1 ? dest != NULL
                                       : dest != NULL && json_str(attrs, "phone_number") == NULL);
        struct delivery d = {.pool_id = u->pool_id,
                             .username = u->username,
                             .kind = "invitation",
                             .medium = MEDIA[i][0],
                             .attribute = MEDIA[i][1],
                             .destination = dest,
                             .code = password,
                             .pool = pool,
                             .user = u,
                             .client_metadata = json_get(ctx->in, "ClientMetadata")};
        if (!chosen)
            continue;
        if (dest == NULL)
            rc = cog_err_set(&ctx->err, COG_E_INVALID_PARAMETER,
                             "No %s provided but desired delivery medium was %s", MEDIA[i][1],
                             MEDIA[i][2]);
        else if (send)
            rc = delivery_send(ctx, &d, NULL);
    }
    cJSON_Delete(attrs);
    return rc;
}

/*
 * AdminCreateUser with MessageAction RESEND: a new temporary password for a user who has not
 * signed in yet, and the invitation again. Other users: UnsupportedUserStateException (the
 * wording other emulators use; real Cognito's was not found).
 */
static int resend_invitation(struct op_ctx *ctx, const cJSON *pool, const char *password)
{
    struct store_user *u = NULL;
    int rc = -1;

    if (ops_txn_begin(ctx) != 0)
        return -1;
    if (user_find_request(ctx, pool, &u) == STORE_OK) {
        if (strcmp(u->status, "FORCE_CHANGE_PASSWORD") != 0)
            cog_err_set(&ctx->err, COG_E_UNSUPPORTED_USER_STATE,
                        "Resend not possible. %s status is not FORCE_CHANGE_PASSWORD", u->username);
        else if (invite(ctx, pool, u, password, false) == 0 &&
                 user_set_password(ctx, pool, u, password) == 0)
            rc = user_save(ctx, u);
    }
    if ((rc = ops_txn_end(ctx, rc)) == 0 && (rc = invite(ctx, pool, u, password, true)) == 0)
        rc = out_user(ctx, u);
    store_user_free(u);
    return rc;
}

/*
 * AdminCreateUser: a FORCE_CHANGE_PASSWORD user with the TemporaryPassword, or one made to the
 * pool's policy; the invitation carries it unless MessageAction is SUPPRESS. The
 * NEW_PASSWORD_REQUIRED challenge at sign-in is auth_password.c's. In a pool that allows
 * passwordless sign-in, no TemporaryPassword makes a CONFIRMED user without a password
 * ([api] TemporaryPassword; ../shared/user-auth-passkeys.md 2.1 saw CONFIRMED), who signs in
 * with a code or a passkey; no invitation goes out, there being no password to carry (what
 * Cognito sends such a user is not documented).
 */
int op_admin_create_user(struct op_ctx *ctx)
{
    const char *action = json_str(ctx->in, "MessageAction");
    const char *given = json_str(ctx->in, "TemporaryPassword");
    bool suppress = action != NULL && strcmp(action, "SUPPRESS") == 0, passwordless;
    char generated[64];
    const char *password = given;
    struct trigger_sign_up ignored; /* PreSignUp_AdminCreateUser: Cognito ignores the flags */
    cJSON *pool = NULL;
    struct store_user *u = NULL;
    int rc = -1;

    if (pool_load(ctx, json_str(ctx->in, "UserPoolId"), &pool) != 0)
        goto out;
    passwordless = (password == NULL || *password == '\0') && pool_allows_passwordless(pool) &&
                   (action == NULL || strcmp(action, "RESEND") != 0);
    if (passwordless) {
        password = NULL;
        suppress = true;
    } else if (password == NULL || *password == '\0') {
        password_generate(json_get(json_get(pool, "Policies"), "PasswordPolicy"), generated,
                          sizeof(generated));
        password = generated;
    }
    if (action != NULL && strcmp(action, "RESEND") == 0) {
        rc = resend_invitation(ctx, pool, password);
        goto out;
    }
    if (draft_user(ctx, pool, NULL, passwordless ? "CONFIRMED" : "FORCE_CHANGE_PASSWORD", &u) !=
            0 ||
        (!passwordless && user_set_password(ctx, pool, u, password) != 0) ||
        (!suppress && invite(ctx, pool, u, password, false) != 0) ||
        pre_sign_up(ctx, pool, NULL, "PreSignUp_AdminCreateUser", u, &ignored) != 0 ||
        ops_txn_begin(ctx) != 0)
        goto out;
    rc = ops_txn_end(ctx,
                     user_insert(ctx, pool, u, json_bool(ctx->in, "ForceAliasCreation", false)));
    if (rc == 0 && !suppress)
        rc = invite(ctx, pool, u, password, true);
    if (rc == 0)
        rc = out_user(ctx, u);
out:
    cJSON_Delete(pool);
    store_user_free(u);
    return rc;
}

/*
 * The user's PreferredMfaSetting and UserMFASettingList into ctx->out (mfa.h), as AdminGetUser
 * and GetUser show them; nothing while the user has no factor turned on. 0 or -1.
 */
static int out_mfa_settings(struct op_ctx *ctx, const struct store_user *u)
{
    struct store_mfa m = {0};
    int rc;

    if (store_mfa_get(ctx->db, u->seq, &m) != STORE_OK)
        return ops_fail_internal(ctx, "could not read the MFA settings");
    rc = mfa_fill_user_settings(ctx->out, u, &m) == 0 ? 0 : ops_fail_internal(ctx, "out of memory");
    store_mfa_clear(&m);
    return rc;
}

/* AdminGetUser: the user by any of its names; the MFA members while it has MFA. */
int op_admin_get_user(struct op_ctx *ctx)
{
    cJSON *pool = NULL;
    struct store_user *u = NULL;
    int rc = -1;

    if (pool_load(ctx, json_str(ctx->in, "UserPoolId"), &pool) == 0 &&
        user_find_request(ctx, pool, &u) == STORE_OK)
        rc = user_fill(ctx->out, u, "UserAttributes", NULL) == 0
                 ? out_mfa_settings(ctx, u)
                 : ops_fail_internal(ctx, "out of memory");
    cJSON_Delete(pool);
    store_user_free(u);
    return rc;
}

/* GetUser: the token's user with the attributes the token's app client may read. */
int op_get_user(struct op_ctx *ctx)
{
    struct store_user *u = NULL;
    cJSON *claims = NULL, *client = NULL, *pool = NULL, *list = NULL;
    int rc = -1;

    /* tokens.c refuses bad, expired and revoked tokens and those of users gone or disabled. */
    if (tokens_check_access(ctx, json_str(ctx->in, "AccessToken"), &u, &claims) != 0)
        goto out;
    /* A client deleted since the token was issued has no ReadAttributes left: show all. */
    if (client_load(ctx, json_str(claims, "client_id"), &client, &pool) != 0)
        ctx->err.code = COG_OK;
    if ((list = user_attribute_list(u, client)) == NULL ||
        json_set_str(ctx->out, "Username", u->username) != 0)
        rc = ops_fail_internal(ctx, "out of memory");
    else if ((rc = ops_out_set(ctx, "UserAttributes", list)) == 0)
        rc = out_mfa_settings(ctx, u);
    list = NULL;
out:
    cJSON_Delete(list);
    cJSON_Delete(claims);
    cJSON_Delete(client);
    cJSON_Delete(pool);
    store_user_free(u);
    return rc;
}

/* ---- ListUsers --------------------------------------------------------------------------- */

/* The attributes ListUsers can search [api], and whether a value is compared folded. */
static const char *const SEARCHABLE[] = {
    "username",   "email",       "phone_number",       "name",
    "given_name", "family_name", "preferred_username", "cognito:user_status",
    "status",     "sub",
};

/*
 * Parse a ListUsers Filter, `name = "value"` or `name ^= "value"`, spaces optional, \" and
 * \\ escaped in the value [api]. An empty filter lists everyone. Fills f (f->value is *value,
 * a new string). Malformed: InvalidParameterException "Error while parsing filter"; another
 * attribute: "Invalid search attribute: <name>" (both as moto mirrors AWS).
 */
static int parse_filter(struct op_ctx *ctx, const cJSON *pool, const char *s,
                        struct store_user_filter *f, char **name, char **value)
{
    size_t n = 0, len;
    bool known = false;
    char *v;

    memset(f, 0, sizeof(*f));
    *name = *value = NULL;
    s += strspn(s, " ");
    if (*s == '\0')
        return 0;
    len = strcspn(s, " ^=\"");
    if (len == 0 || (*name = strndup(s, len)) == NULL)
        goto bad;
    s += len + strspn(s + len, " ");
    f->prefix = s[0] == '^';
    s += f->prefix;
    if (*s++ != '=')
        goto bad;
    s += strspn(s, " ");
    if (*s++ != '"' || (v = *value = malloc(strlen(s) + 1)) == NULL)
        goto bad;
    for (; *s != '\0' && *s != '"'; s++)
        v[n++] = s[0] == '\\' && (s[1] == '"' || s[1] == '\\') ? *++s : *s;
    v[n] = '\0';
    if (*s != '"' || s[1 + strspn(s + 1, " ")] != '\0')
        goto bad;
    for (size_t i = 0; i < sizeof(SEARCHABLE) / sizeof(SEARCHABLE[0]); i++)
        known |= strcmp(SEARCHABLE[i], *name) == 0;
    if (!known)
        return cog_err_set(&ctx->err, COG_E_INVALID_PARAMETER, "Invalid search attribute: %s",
                           *name);
    /* cognito:user_status is case-insensitive [api]; the names a case-insensitive pool folds
     * are stored folded, so their search values are folded too [case]. */
    if (strcmp(*name, "cognito:user_status") == 0)
        for (char *p = v; *p; p++)
            *p = (char)(*p >= 'a' && *p <= 'z' ? *p - 'a' + 'A' : *p);
    if (strcmp(*name, "username") == 0 || strcmp(*name, "email") == 0 ||
        strcmp(*name, "preferred_username") == 0) {
        char *folded = user_name_key(pool, v);
        if (folded == NULL)
            return ops_fail_internal(ctx, "out of memory");
        free(*value);
        *value = folded;
    }
    f->name = *name;
    f->value = *value;
    return 0;
bad:
    return cog_err_set(&ctx->err, COG_E_INVALID_PARAMETER, "Error while parsing filter");
}

/*
 * ListUsers: oldest first, at most Limit (60, AWS's maximum, when absent or 0). An unknown
 * PaginationToken: InvalidParameterException "Invalid PaginationToken." (the emulator's,
 * after ops_common's "Invalid NextToken."). AttributesToGet limits each user's Attributes;
 * a user lacking one of them is simply listed without it.
 */
int op_list_users(struct op_ctx *ctx)
{
    struct store_user_filter filter;
    struct store_user_page page = {0};
    char *name = NULL, *value = NULL;
    cJSON *pool = NULL, *users = NULL;
    int limit = (int)json_int(ctx->in, "Limit", 60), rc = -1, st;

    if (pool_load(ctx, json_str(ctx->in, "UserPoolId"), &pool) != 0 ||
        parse_filter(ctx, pool, json_str(ctx->in, "Filter") ? json_str(ctx->in, "Filter") : "",
                     &filter, &name, &value) != 0)
        goto out;
    st = store_user_list(ctx->db, json_str(pool, "Id"), filter.name ? &filter : NULL,
                         json_str(ctx->in, "PaginationToken"), limit > 0 ? limit : 60, &page);
    if (st == STORE_BAD_TOKEN) {
        cog_err_set(&ctx->err, COG_E_INVALID_PARAMETER, "Invalid PaginationToken.");
        goto out;
    }
    if (st != STORE_OK || (users = cJSON_CreateArray()) == NULL) {
        ops_fail_internal(ctx, "listing users");
        goto out;
    }
    for (size_t i = 0; i < page.count; i++) {
        cJSON *user = cJSON_CreateObject();
        if (user == NULL || !cJSON_AddItemToArray(users, user) ||
            user_fill(user, page.users[i], "Attributes", json_get(ctx->in, "AttributesToGet")))
            goto oom;
    }
    rc = ops_out_set(ctx, "Users", users);
    users = NULL;
    if (rc == 0 && page.next_token != NULL &&
        json_set_str(ctx->out, "PaginationToken", page.next_token) != 0)
        goto oom;
    goto out;
oom:
    rc = ops_fail_internal(ctx, "out of memory");
out:
    store_user_page_free(&page);
    cJSON_Delete(users);
    cJSON_Delete(pool);
    free(name);
    free(value);
    return rc;
}
