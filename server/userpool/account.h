/*
 * account: changing an existing user, as the self-service operations (ops_account.c, which
 * act on the user of an access token) and the administrator's (ops_admin.c) both do: attribute
 * updates and deletions with their verification and alias rules, attribute verification
 * codes, and password-reset codes.
 *
 * Every function here runs inside the caller's transaction and sets ctx->err (Cognito's error)
 * and returns -1 on failure. A function that makes a code stores it at once and records it in
 * a struct account_codes; the caller sends the codes with account_send() after its commit, so
 * that nothing is "sent" for a change that was rolled back.
 */
#ifndef COG_ACCOUNT_H
#define COG_ACCOUNT_H

#include <cJSON.h>
#include <stdbool.h>

#include "aws/op.h"
#include "store/store.h"

/* Code purposes in the store (store_code_*): a password reset, an attribute verification. */
#define ACCOUNT_RESET_PURPOSE "forgot-password"
#define ACCOUNT_VERIFY_PURPOSE_EMAIL "verify-attribute:email"
#define ACCOUNT_VERIFY_PURPOSE_PHONE "verify-attribute:phone_number"

/* One code stored by a change, to be sent once the transaction has committed. */
struct account_code {
    char code[7];
    const char *kind;      /* the delivery kind: "verify-attribute" or "forgot-password" */
    const char *source;    /* the message triggers' source: "UpdateUserAttribute",
                              "VerifyUserAttribute" or "ForgotPassword" */
    const char *attribute; /* "email" or "phone_number" */
    char *destination;     /* the address or number (owned) */
};

/* The codes of one request (at most one per verifiable attribute). Zero-initialise. */
struct account_codes {
    struct account_code items[2];
    size_t count;
};

/* Free the destinations of codes and empty it. */
void account_codes_free(struct account_codes *codes);

/*
 * Apply the UserAttributes list of an UpdateUserAttributes (client: the token's app client) or
 * AdminUpdateUserAttributes (client NULL) request to u and store it. A blank value deletes the
 * attribute. A changed email or phone_number is unverified ("false") unless an administrator
 * sets its verified flag to "true" in the same request; when the pool auto-verifies it, a
 * verification code is stored for the new value and added to codes. In a pool whose
 * UserAttributeUpdateSettings.AttributesRequireVerificationBeforeUpdate names it, the new
 * value waits (the old one stays in use) until VerifyUserAttribute. Alias rows follow.
 */
int account_update_attributes(struct op_ctx *ctx, const cJSON *pool, const cJSON *client,
                              struct store_user *u, const cJSON *list, struct account_codes *codes);

/*
 * Delete the attributes named in names (a JSON array of strings) from u and store it, as
 * DeleteUserAttributes (client: the token's app client) and AdminDeleteUserAttributes (NULL)
 * do. Deleting email or phone_number deletes its verified flag and any value waiting for it.
 */
int account_delete_attributes(struct op_ctx *ctx, const cJSON *pool, const cJSON *client,
                              struct store_user *u, const cJSON *names);

/*
 * Store a new verification code for attribute ("email" or "phone_number": the value waiting
 * for verification, else the current one) and add it to codes, as
 * GetUserAttributeVerificationCode does.
 */
int account_verification_code(struct op_ctx *ctx, const cJSON *pool, const struct store_user *u,
                              const char *attribute, struct account_codes *codes);

/*
 * Check code against the pending verification code of attribute and verify it: the value
 * waiting for verification becomes the attribute's, <attribute>_verified becomes "true", and
 * alias rows follow (AliasExistsException when another user has it as alias). Cognito's
 * CodeMismatchException / ExpiredCodeException otherwise.
 */
int account_verify_attribute(struct op_ctx *ctx, const cJSON *pool, struct store_user *u,
                             const char *attribute, const char *code);

/*
 * Start a password reset of u (ForgotPassword, AdminResetUserPassword): check that its state
 * allows one, pick where the code goes by the pool's AccountRecoverySetting (a verified email
 * or phone number), store the code (1 hour) and add it to codes.
 */
int account_start_reset(struct op_ctx *ctx, const cJSON *pool, const struct store_user *u,
                        struct account_codes *codes);

/*
 * Check code against u's pending password-reset code: CodeMismatchException or
 * ExpiredCodeException in Cognito's words. Does not consume it.
 */
int account_check_reset_code(struct op_ctx *ctx, const struct store_user *u, const char *code);

/*
 * Send codes (stored for u) through delivery.c, after the commit, for the request of app
 * client client_id (NULL for an administrator's) with its ClientMetadata. When details is not
 * NULL, a CodeDeliveryDetailsType object is appended to that array for each code. 0, or -1
 * with ctx->err set (a CustomMessage trigger refused the message).
 */
int account_send(struct op_ctx *ctx, const cJSON *pool, const char *client_id,
                 const struct store_user *u, const struct account_codes *codes, cJSON *details);

/*
 * The post confirmation trigger (source "PostConfirmation_ConfirmSignUp" or
 * "PostConfirmation_ConfirmForgotPassword") for u, confirmed and committed, with the request's
 * ClientMetadata; client_id NULL for an administrator's call. 0, or -1 with ctx->err set.
 */
int account_post_confirmation(struct op_ctx *ctx, const cJSON *pool, const char *client_id,
                              const struct store_user *u, const char *source);

#endif
