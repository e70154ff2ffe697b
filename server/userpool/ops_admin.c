/*
 * ops_admin: what an administrator (IAM-authorized, so no app client and no token) does to
 * users and to a pool's schema: AdminDeleteUser, AdminDisableUser, AdminEnableUser,
 * AdminUpdateUserAttributes, AdminDeleteUserAttributes, AdminSetUserPassword,
 * AdminResetUserPassword, AdminUserGlobalSignOut and AddCustomAttributes. AdminCreateUser,
 * AdminGetUser and AdminConfirmSignUp are ops_user.c's; the sign-in side of the states set
 * here (disabled, FORCE_CHANGE_PASSWORD, RESET_REQUIRED) is auth/'s, and revoked tokens
 * are refused by tokens.c.
 *
 * The attribute and reset-code rules shared with the self-service operations are in
 * account.c. Each handler changes the store in one transaction and sends codes after it has
 * committed.
 *
 * Sources of Cognito's behaviour and wording, cited once here and referred to below:
 *   [api]    the API reference text carried in server/aws/model/cognito-idp.json.
 *   [facts]  ../shared/cognito-facts.md ("User does not exist.").
 *   [custom] "custom:<name>: Existing attribute already has name custom:<name>." for a
 *            duplicate custom attribute (moto's test of AddCustomAttributes, which mirrors
 *            AWS, and cognito-local's).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "userpool/account.h"
#include "util/jsonutil.h"
#include "aws/op.h"
#include "aws/ops_common.h"
#include "store/store.h"
#include "userpool/pool.h"
#include "userpool/user.h"

/* Cognito's quota of custom attributes in a pool (developer guide, "Quotas in Amazon
 * Cognito": 50 custom attributes); the wording of the refusal is the emulator's. */
#define MAX_CUSTOM_ATTRIBUTES 50

/* The request's pool and user (by any of its names); UserNotFoundException "User does not
 * exist." [facts]. */
struct admin_user {
    cJSON *pool;
    struct store_user *user;
};

static void admin_user_free(struct admin_user *a)
{
    cJSON_Delete(a->pool);
    store_user_free(a->user);
    memset(a, 0, sizeof(*a));
}

/*
 * Begin the operation's transaction and load the request's UserPoolId and Username into a.
 * 0, or -1 with ctx->err set (the transaction, when begun, is the caller's to end).
 */
static int begin_admin_user(struct op_ctx *ctx, struct admin_user *a)
{
    memset(a, 0, sizeof(*a));
    if (pool_load(ctx, json_str(ctx->in, "UserPoolId"), &a->pool) != 0 || ops_txn_begin(ctx) != 0)
        return -1;
    return user_find_request(ctx, a->pool, &a->user) == STORE_OK ? 0 : -1;
}

/* End the transaction begin_admin_user() may have begun with rc. */
static int end_admin_user(struct op_ctx *ctx, struct admin_user *a, int rc)
{
    rc = ops_txn_end(ctx, rc);
    admin_user_free(a);
    return rc;
}

/* Replace u's status with status (a static string). 0, or -1 (out of memory). */
static int set_status(struct op_ctx *ctx, struct store_user *u, const char *status)
{
    char *copy = strdup(status);

    if (copy == NULL)
        return ops_fail_internal(ctx, "out of memory");
    free(u->status);
    u->status = copy;
    return 0;
}

/* AdminDeleteUser: the user with its aliases, codes, tokens, sessions and memberships. */
int op_admin_delete_user(struct op_ctx *ctx)
{
    struct admin_user a;
    int rc = -1;

    if (begin_admin_user(ctx, &a) == 0)
        rc = store_user_delete(ctx->db, a.user->seq) == STORE_OK
                 ? 0
                 : ops_fail_internal(ctx, "deleting the user");
    return end_admin_user(ctx, &a, rc);
}

/*
 * AdminDisableUser "deactivates a user profile and revokes all access tokens for the user"
 * [api]: sign-in then answers "User is disabled." (auth/), and tokens issued before now
 * stay revoked after AdminEnableUser. Refresh tokens are refused while the user is disabled.
 */
int op_admin_disable_user(struct op_ctx *ctx)
{
    struct admin_user a;
    int rc = -1;

    if (begin_admin_user(ctx, &a) == 0) {
        a.user->enabled = 0;
        rc = user_save(ctx, a.user);
        if (rc == 0 && store_user_sign_out(ctx->db, a.user->seq, ctx->now_ms, 0) != STORE_OK)
            rc = ops_fail_internal(ctx, "revoking the user's tokens");
    }
    return end_admin_user(ctx, &a, rc);
}

/* AdminEnableUser: the user can sign in again. */
int op_admin_enable_user(struct op_ctx *ctx)
{
    struct admin_user a;
    int rc = -1;

    if (begin_admin_user(ctx, &a) == 0) {
        a.user->enabled = 1;
        rc = user_save(ctx, a.user);
    }
    return end_admin_user(ctx, &a, rc);
}

/*
 * AdminUpdateUserAttributes: account.c's rules for an administrator, who may also set the
 * verified flags (setting one to "true" skips verification [api]). Codes to changed
 * addresses are sent as for the user's own update; the response is empty.
 */
int op_admin_update_user_attributes(struct op_ctx *ctx)
{
    struct account_codes codes = {.count = 0};
    struct admin_user a;
    int rc = -1;

    if (begin_admin_user(ctx, &a) == 0)
        rc = account_update_attributes(ctx, a.pool, NULL, a.user,
                                       json_get(ctx->in, "UserAttributes"), &codes);
    if ((rc = ops_txn_end(ctx, rc)) == 0)
        rc = account_send(ctx, a.pool, NULL, a.user, &codes, NULL);
    account_codes_free(&codes);
    admin_user_free(&a);
    return rc;
}

/* AdminDeleteUserAttributes: as DeleteUserAttributes, without a client's limits. */
int op_admin_delete_user_attributes(struct op_ctx *ctx)
{
    struct admin_user a;
    int rc = -1;

    if (begin_admin_user(ctx, &a) == 0)
        rc = account_delete_attributes(ctx, a.pool, NULL, a.user,
                                       json_get(ctx->in, "UserAttributeNames"));
    return end_admin_user(ctx, &a, rc);
}

/*
 * AdminSetUserPassword: the password (the pool's policy applies, InvalidPasswordException);
 * Permanent true makes the user CONFIRMED, false (the default) FORCE_CHANGE_PASSWORD, so that
 * sign-in asks NEW_PASSWORD_REQUIRED and the temporary password's validity starts again
 * (auth_password.c counts it from the user's last change) [api]. A pending reset code is dropped.
 */
int op_admin_set_user_password(struct op_ctx *ctx)
{
    bool permanent = json_bool(ctx->in, "Permanent", false);
    struct admin_user a;
    int rc = -1;

    if (begin_admin_user(ctx, &a) == 0 &&
        user_set_password(ctx, a.pool, a.user, json_str(ctx->in, "Password")) == 0 &&
        set_status(ctx, a.user, permanent ? "CONFIRMED" : "FORCE_CHANGE_PASSWORD") == 0) {
        if (store_code_delete(ctx->db, a.user->seq, ACCOUNT_RESET_PURPOSE) == STORE_ERROR)
            ops_fail_internal(ctx, "deleting a code");
        else
            rc = user_save(ctx, a.user);
    }
    return end_admin_user(ctx, &a, rc);
}

/*
 * AdminResetUserPassword: status RESET_REQUIRED and a reset code to the verified email or
 * phone number (account.c, as ForgotPassword) [api]. Sign-in with the old password then
 * answers PasswordResetRequiredException (auth/); ConfirmForgotPassword with the code
 * sets a new password.
 */
int op_admin_reset_user_password(struct op_ctx *ctx)
{
    struct account_codes codes = {.count = 0};
    struct admin_user a;
    int rc = -1;

    if (begin_admin_user(ctx, &a) == 0 && account_start_reset(ctx, a.pool, a.user, &codes) == 0 &&
        set_status(ctx, a.user, "RESET_REQUIRED") == 0)
        rc = user_save(ctx, a.user);
    if ((rc = ops_txn_end(ctx, rc)) == 0)
        rc = account_send(ctx, a.pool, NULL, a.user, &codes, NULL);
    account_codes_free(&codes);
    admin_user_free(&a);
    return rc;
}

/* AdminUserGlobalSignOut: as GlobalSignOut, for the named user [api]. */
int op_admin_user_global_sign_out(struct op_ctx *ctx)
{
    struct admin_user a;
    int rc = -1;

    if (begin_admin_user(ctx, &a) == 0)
        rc = store_user_sign_out(ctx->db, a.user->seq, ctx->now_ms, 1) == STORE_OK
                 ? 0
                 : ops_fail_internal(ctx, "signing the user out");
    return end_admin_user(ctx, &a, rc);
}

/* The number of custom attributes ("custom:" and "dev:custom:") in a schema list. */
static int count_custom(const cJSON *schema)
{
    const cJSON *attr;
    int n = 0;

    cJSON_ArrayForEach(attr, schema)
    {
        const char *name = json_str(attr, "Name");
        n += name != NULL && (strncmp(name, "custom:", 7) == 0 || strncmp(name, "dev:", 4) == 0);
    }
    return n;
}

/*
 * AddCustomAttributes: each of CustomAttributes appended to the pool's SchemaAttributes as
 * CreateUserPool would make it (pool.c: "custom:<Name>", "dev:custom:<Name>" when
 * developer-only, types and constraints checked). A name the schema has already, or that an
 * earlier entry of the request added: InvalidParameterException [custom]; nothing is added
 * then.
 */
int op_add_custom_attributes(struct op_ctx *ctx)
{
    const char *pool_id = json_str(ctx->in, "UserPoolId");
    cJSON *pool = NULL, *one = NULL, *schema;
    const cJSON *attr;
    int rc = -1;

    if (ops_txn_begin(ctx) != 0 || pool_load(ctx, pool_id, &pool) != 0)
        goto out;
    if ((schema = json_get(pool, "SchemaAttributes")) == NULL &&
        (schema = cJSON_AddArrayToObject(pool, "SchemaAttributes")) == NULL)
        goto oom;
    cJSON_ArrayForEach(attr, json_get(ctx->in, "CustomAttributes"))
    {
        const char *given = json_str(attr, "Name"), *name;
        cJSON *entry;

        cJSON_Delete(one);
        if ((one = cJSON_CreateArray()) == NULL)
            goto oom;
        if (pool_custom_attribute(attr, one, &ctx->err) != 0)
            goto out;
        entry = cJSON_DetachItemViaPointer(one, one->child);
        name = json_str(entry, "Name");
        if (pool_schema_entry(pool, name) != NULL) {
            cog_err_set(&ctx->err, COG_E_INVALID_PARAMETER,
                        "custom:%s: Existing attribute already has name %s.", given ? given : "",
                        name);
            cJSON_Delete(entry);
            goto out;
        }
        if (!cJSON_AddItemToArray(schema, entry)) {
            cJSON_Delete(entry);
            goto oom;
        }
    }
    if (count_custom(schema) > MAX_CUSTOM_ATTRIBUTES) {
        cog_err_set(&ctx->err, COG_E_INVALID_PARAMETER,
                    "The user pool can have at most %d custom attributes.", MAX_CUSTOM_ATTRIBUTES);
        goto out;
    }
    if (json_set_num(pool, "LastModifiedDate", json_epoch(ctx->now_ms)) != 0)
        goto oom;
    rc = ops_doc_save(ctx, &OPS_USER_POOL, pool_id, NULL, pool, false) == STORE_OK ? 0 : -1;
    goto out;
oom:
    ops_fail_internal(ctx, "out of memory");
out:
    rc = ops_txn_end(ctx, rc);
    cJSON_Delete(one);
    cJSON_Delete(pool);
    return rc;
}
