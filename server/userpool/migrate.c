/*
 * migrate: creating a user from the user migration trigger's answer. See migrate.h.
 *
 * Sources: [guide] the developer guide's "Migrate user Lambda trigger"
 * (user-pool-lambda-migrate-user) and "Importing users with a user migration Lambda trigger"
 * (cognito-user-pools-import-using-lambda); ../shared/lambda-triggers.md section 5.7.
 *
 * The user is made as AdminCreateUser makes one (user_draft, user_insert): the same name and
 * attribute rules, with the administrator's rights (the function may set email_verified), and
 * ForceAliasCreation from forceAliasCreation. What differs, and why:
 *   - the name: what was typed, except in a pool with AliasAttributes where the function
 *     names the user with a "username" member of userAttributes ("required" there when the
 *     user typed an alias, [guide]); in a pool with UsernameAttributes the typed email or
 *     phone number becomes that attribute and the user gets a UUID, as everywhere.
 *   - the password: the typed one, as it is: "The password strength policy ... will not be
 *     enforced during migration" [guide]. ForgotPassword sends none, so that user has none
 *     until ConfirmForgotPassword sets one.
 *   - the status: finalUserStatus "CONFIRMED, or not set, to auto-confirm your users and
 *     allow them to sign-in with their previous passwords" [guide], so a sign-in's user is
 *     CONFIRMED unless the function says RESET_REQUIRED (then the sign-in answers
 *     PasswordResetRequiredException). A ForgotPassword user is RESET_REQUIRED whatever the
 *     function says: it has no password to be CONFIRMED with (the emulator's choice).
 *   - enableSMSMFA turns SMS MFA on, as the preferred factor, for a user with a phone number
 *     (without one: AdminSetUserMFAPreference's refusal).
 *   - the welcome message: [guide] says one is sent unless messageAction is SUPPRESS, by SMS
 *     unless desiredDeliveryMediums says otherwise, but not what it says: unlike
 *     AdminCreateUser's invitation the user has no temporary password. The emulator sends
 *     none and logs that it did not (the code inbox stays empty); a ForgotPassword migration
 *     then sends the reset code as usual.
 */
#include "config.h"

#include "userpool/migrate.h"

#include <stdbool.h>
#include <string.h>

#include "aws/ops_common.h"
#include "triggers/triggers.h"
#include "userpool/user.h"
#include "util/jsonutil.h"
#include "util/log.h"

/* The status of a user migrated at sign-in when the function sets none ([guide]). */
#define DEFAULT_SIGN_IN_STATUS "CONFIRMED"

/*
 * The function's userAttributes as a request's UserAttributes list [{"Name","Value"}], without
 * the "username" member, whose value goes to *name (borrowed from attrs; NULL when absent).
 * A new array, or NULL when out of memory.
 */
static cJSON *attribute_list(const cJSON *attrs, const char **name)
{
    cJSON *list = cJSON_CreateArray(), *pair;
    const cJSON *item;

    *name = NULL;
    if (list == NULL)
        return NULL;
    cJSON_ArrayForEach(item, attrs)
    {
        if (strcmp(item->string, "username") == 0) {
            *name = item->valuestring;
            continue;
        }
        if ((pair = cJSON_CreateObject()) == NULL || !cJSON_AddItemToArray(list, pair)) {
            cJSON_Delete(pair);
            cJSON_Delete(list);
            return NULL;
        }
        if (json_set_str(pair, "Name", item->string) != 0 ||
            json_set_str(pair, "Value", item->valuestring) != 0) {
            cJSON_Delete(list);
            return NULL;
        }
    }
    return list;
}

/* The name the new user is asked for: typed, or the function's "username" in a pool that
 * names users by username and has aliases a user may type instead ([guide]). */
static const char *new_name(const cJSON *pool, const char *typed, const char *given)
{
    if (given == NULL)
        return typed;
    if (json_get(pool, "UsernameAttributes") != NULL) {
        log_warn("migration: user pool %s names users by email or phone number; the username "
                 "\"%s\" of the trigger's userAttributes is ignored",
                 json_str(pool, "Id"), given);
        return typed;
    }
    return given;
}

/* SMS MFA on, and preferred, for new user u (in the transaction that stores it). */
static int enable_sms_mfa(struct op_ctx *ctx, const struct store_user *u)
{
    struct store_mfa m = {.sms_enabled = 1, .preferred = (char *)"SMS_MFA"};

    if (!user_has_attribute(u, "phone_number"))
        return cog_err_set(&ctx->err, COG_E_INVALID_PARAMETER,
                           "User does not have delivery config set to turn on SMS_MFA");
    if (store_mfa_put(ctx->db, u->seq, &m) != STORE_OK)
        return ops_fail_internal(ctx, "could not store the MFA settings");
    return 0;
}

/* Say, once the user is stored, what became of the welcome message (see the top). */
static void note_welcome(const cJSON *pool, const struct store_user *u,
                         const struct trigger_migration *m)
{
    const char *media = m->by_email && m->by_sms ? "EMAIL and SMS" : m->by_email ? "EMAIL" : "SMS";

    if (m->suppress_message)
        log_info("migration: user %s of pool %s migrated as %s (welcome message suppressed)",
                 u->username, json_str(pool, "Id"), u->status);
    else
        log_info("migration: user %s of pool %s migrated as %s; the welcome message (%s) is not "
                 "sent: what Cognito writes in it is not documented",
                 u->username, json_str(pool, "Id"), u->status, media);
}

int migrate_user(struct op_ctx *ctx, const cJSON *pool, const char *client_id, const char *typed,
                 const char *password, struct store_user **out)
{
    bool sign_in = password != NULL;
    const cJSON *metadata = json_get(ctx->in, "ClientMetadata");
    struct trigger_caller caller = triggers_caller(pool, client_id, typed, NULL);
    struct trigger_migration m;
    struct store_user *u = NULL;
    const char *given = NULL, *status;
    cJSON *list = NULL;
    int rc;

    *out = NULL;
    if (!sign_in)
        caller.client_metadata = metadata;
    rc = triggers_user_migration(
        ctx, &caller, sign_in ? "UserMigration_Authentication" : "UserMigration_ForgotPassword",
        password, sign_in ? metadata : NULL, &m);
    if (rc != 0)
        return rc;
    status = !sign_in ? "RESET_REQUIRED" : m.final_status ? m.final_status : DEFAULT_SIGN_IN_STATUS;
    rc = -1;
    if ((list = attribute_list(m.attributes, &given)) == NULL)
        ops_fail_internal(ctx, "out of memory");
    else if (user_draft(ctx, pool, NULL, new_name(pool, typed, given), list, status, &u) == 0 &&
             (!sign_in || user_set_password_as_is(ctx, u, password) == 0) &&
             ops_txn_begin(ctx) == 0) {
        rc = user_insert(ctx, pool, u, m.force_alias);
        if (rc == 0 && m.enable_sms_mfa)
            rc = enable_sms_mfa(ctx, u);
        rc = ops_txn_end(ctx, rc);
    }
    if (rc == 0) {
        note_welcome(pool, u, &m);
        *out = u;
        u = NULL;
    }
    store_user_free(u);
    cJSON_Delete(list);
    triggers_migration_clear(&m);
    return rc;
}
