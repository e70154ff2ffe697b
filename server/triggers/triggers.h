/*
 * triggers: the one way a service calls a user pool's Lambda triggers (LambdaConfig), one
 * function per trigger point. No ops_*.c learns what a Lambda is: it calls triggers_*, gets a
 * decision back, and applies it.
 *
 * Where they run, and why: a Lambda call takes milliseconds to seconds, and SQLite has one
 * writer, so no trigger runs inside a write transaction (each function asserts it; calling one
 * there is a programmer error). A trigger that shapes a write (pre sign-up: auto-confirm and
 * auto-verify) runs before the transaction and hands back a result that the transaction
 * applies, the way a sign-in verifies before it writes. A trigger that follows a write (post
 * confirmation) runs after the commit. Custom message and custom sender triggers run from
 * delivery (userpool/delivery.c), after the commit (ops_after_commit).
 *
 * Today no Lambda is behind the seam: a pool whose LambdaConfig names a function for a
 * trigger point gets a warning in the log each time the point is reached, and the step runs
 * as if the trigger were not set (README, "Lambda triggers"). Invoking the functions, with
 * Cognito's events and error mapping, is the next step and lands in this wing.
 */
#ifndef COG_TRIGGERS_H
#define COG_TRIGGERS_H

#include <cJSON.h>
#include <stdbool.h>

#include "aws/op.h"

/* The function LambdaConfig names for trigger ("PreSignUp", "CustomMessage", ...), or NULL. */
const char *triggers_function(const cJSON *lambda_config, const char *trigger);

/* What a pre sign-up trigger decides (its response's autoConfirmUser, autoVerifyEmail,
 * autoVerifyPhone); all false when no trigger runs. */
struct trigger_sign_up {
    bool auto_confirm;
    bool auto_verify_email;
    bool auto_verify_phone;
};

/*
 * PreSignUp (source "PreSignUp_SignUp" or "PreSignUp_AdminCreateUser") for username with
 * attributes (a name -> value object), before the user is written. *out gets the decision.
 * 0, or -1 with ctx->err set (the trigger refused the sign-up or failed).
 */
int triggers_pre_sign_up(struct op_ctx *ctx, const cJSON *pool, const char *source,
                         const char *client_id, const char *username, const cJSON *attributes,
                         struct trigger_sign_up *out);

/*
 * PostConfirmation (source "PostConfirmation_ConfirmSignUp" or
 * "PostConfirmation_ConfirmForgotPassword") for username, after the confirmation is committed.
 * 0, or -1 with ctx->err set (Cognito answers the trigger's failure to the caller even though
 * the confirmation stands).
 */
int triggers_post_confirmation(struct op_ctx *ctx, const cJSON *pool, const char *source,
                               const char *client_id, const char *username);

/*
 * PreTokenGeneration (source "TokenGeneration_Authentication", "_RefreshTokens", ...) for
 * username: may add, override or suppress claims of id_claims and access_claims in place
 * before they are signed. 0, or -1 with ctx->err set.
 */
int triggers_pre_token_generation(struct op_ctx *ctx, const cJSON *pool, const char *source,
                                  const char *client_id, const char *username, cJSON *id_claims,
                                  cJSON *access_claims);

/*
 * CustomMessage (source "CustomMessage_SignUp", "_ForgotPassword", ...) and the custom sender
 * of medium ("EMAIL": CustomEmailSender, "SMS": CustomSMSSender), for a message to username,
 * as delivery sends it after the commit.
 * lambda_config is the pool's LambdaConfig (may be NULL). Returns 0; a failure of the trigger
 * is logged and the default message is sent, which is what a caller of Cognito observes (the
 * operation has already succeeded).
 */
int triggers_custom_message(struct op_ctx *ctx, const cJSON *lambda_config, const char *pool_id,
                            const char *source, const char *username, const char *medium);

#endif
