/*
 * triggers: the one way a service calls a user pool's Lambda triggers (LambdaConfig), one
 * function per trigger point. No ops_*.c learns what a Lambda is: it calls triggers_*, gets a
 * decision back, and applies it.
 *
 * Each trigger point builds Cognito's event for its triggerSource (the envelope of
 * ../shared/lambda-triggers.md section 4 and the request of section 5), calls the function the
 * pool's LambdaConfig names through the AWS Lambda Invoke API at --lambda-endpoint
 * (triggers/lambda.c), records the call in the invocation log (trigger_log.h), and reads the
 * answer's "response" as Cognito does. A failure becomes Cognito's exception in ctx->err:
 * UserLambdaValidationException "<Trigger> failed with error <message>." when the function
 * threw; UnexpectedLambdaException when it could not be called (timeout, unreachable endpoint,
 * no endpoint configured); InvalidLambdaResponseException when its answer is not a usable event.
 * A pool whose LambdaConfig does not name the trigger, or a server started with
 * --lambda-endpoint none, skips the call and the point returns its defaults.
 *
 * Where they run, and why: a Lambda call takes milliseconds to seconds, and SQLite has one
 * writer, so no trigger runs inside a write transaction (each function asserts it; calling one
 * there is a programmer error). A trigger that shapes a write (pre sign-up: auto-confirm and
 * auto-verify) runs before the transaction and hands back a result that the transaction
 * applies, the way a sign-in verifies before it writes. A trigger that follows a write (post
 * confirmation) runs after the commit. Custom message and custom sender triggers run from
 * delivery (userpool/delivery.c), after the commit (ops_after_commit); a custom message
 * function's failure still fails the operation (Cognito waits for it before it sends).
 *
 * The callers pass what the event needs and this wing cannot read itself (it sits below the
 * user pool wing): the pool document, the app client id (NULL for administrator operations:
 * "CLIENT_ID_NOT_APPLICABLE"), the username, and the user's attributes in the trigger form
 * (user_trigger_attributes() in userpool/user.h: strings, with sub and cognito:user_status).
 */
#ifndef COG_TRIGGERS_H
#define COG_TRIGGERS_H

#include <cJSON.h>
#include <stdbool.h>

#include "aws/op.h"

/* The function LambdaConfig names for trigger ("PreSignUp", "CustomMessage", ...), or NULL. */
const char *triggers_function(const cJSON *lambda_config, const char *trigger);

/* What every trigger point is told about the call that reached it. */
struct trigger_caller {
    const char *pool_id;
    const cJSON *lambda_config;   /* the pool's LambdaConfig (may be NULL: no triggers) */
    const char *client_id;        /* the app client, or NULL for an administrator operation */
    const char *username;         /* the event's userName */
    const cJSON *attributes;      /* request.userAttributes (a name -> string object), or NULL */
    const cJSON *client_metadata; /* the request's ClientMetadata, or NULL (left out) */
};

/* A caller for pool (a pool document: its Id and LambdaConfig), without client metadata. */
struct trigger_caller triggers_caller(const cJSON *pool, const char *client_id,
                                      const char *username, const cJSON *attributes);

/* What a pre sign-up trigger decides (its response's autoConfirmUser, autoVerifyEmail,
 * autoVerifyPhone); all false when no trigger runs. */
struct trigger_sign_up {
    bool auto_confirm;
    bool auto_verify_email;
    bool auto_verify_phone;
};

/*
 * PreSignUp (source "PreSignUp_SignUp" or "PreSignUp_AdminCreateUser"), before the user is
 * written; caller->attributes are the attributes the caller supplied, validation_data the
 * request's ValidationData list ([{"Name","Value"}], may be NULL: "validationData": null).
 * *out gets the decision (always all false for PreSignUp_AdminCreateUser, whose flags Cognito
 * ignores). 0, or -1 with ctx->err set (the trigger refused the sign-up or failed).
 */
int triggers_pre_sign_up(struct op_ctx *ctx, const struct trigger_caller *caller,
                         const char *source, const cJSON *validation_data,
                         struct trigger_sign_up *out);

/*
 * What a user migration trigger decides (its response, checked): the user to create. Members
 * the function left unset are NULL / false; the user pool wing picks their defaults.
 */
struct trigger_migration {
    cJSON *attributes;        /* userAttributes: a new object name -> string (may hold
                                 "username"); triggers_migration_clear() frees it */
    const char *final_status; /* "CONFIRMED", "RESET_REQUIRED", or NULL (not set) */
    bool suppress_message;    /* messageAction "SUPPRESS" */
    bool by_email, by_sms;    /* desiredDeliveryMediums; both false: not set */
    bool force_alias;         /* forceAliasCreation */
    bool enable_sms_mfa;      /* enableSMSMFA */
};

/* Free what m owns and zero it. Accepts a zeroed struct. */
void triggers_migration_clear(struct trigger_migration *m);

/*
 * UserMigration (source "UserMigration_Authentication" or "UserMigration_ForgotPassword") for
 * a user the pool does not know: caller->username is the name as typed, caller->attributes
 * NULL (the request has no userAttributes), caller->client_metadata ForgotPassword's
 * ClientMetadata. password is the typed password (NULL for _ForgotPassword: not sent);
 * validation_data InitiateAuth's ClientMetadata (NULL: "validationData": null).
 * Returns 1 when the pool has no migration trigger or triggers are off (*out zeroed: no
 * user), 0 with *out the user to create (triggers_migration_clear), or -1 with ctx->err set:
 * the function refused (UserLambdaValidationException), failed, or answered something Cognito
 * cannot use: InvalidLambdaResponseException "Unrecognizable lambda output" for a missing or
 * non-object userAttributes, a value that is not a string, or an unknown finalUserStatus,
 * messageAction or delivery medium.
 */
int triggers_user_migration(struct op_ctx *ctx, const struct trigger_caller *caller,
                            const char *source, const char *password, const cJSON *validation_data,
                            struct trigger_migration *out);

/*
 * PostConfirmation (source "PostConfirmation_ConfirmSignUp" or
 * "PostConfirmation_ConfirmForgotPassword"), after the confirmation is committed. 0, or -1
 * with ctx->err set (Cognito answers the trigger's failure to the caller even though the
 * confirmation stands).
 */
int triggers_post_confirmation(struct op_ctx *ctx, const struct trigger_caller *caller,
                               const char *source);

/*
 * PreAuthentication ("PreAuthentication_Authentication") of a sign-in, before the credentials
 * are checked; validation_data is InitiateAuth's ClientMetadata (Cognito routes it there);
 * user_not_found for an unknown user of a client that hides users. 0, or -1 with ctx->err
 * set: the function refused the sign-in, or failed.
 */
int triggers_pre_authentication(struct op_ctx *ctx, const struct trigger_caller *caller,
                                const cJSON *validation_data, bool user_not_found);

/*
 * PostAuthentication ("PostAuthentication_Authentication") of a sign-in whose credentials were
 * accepted, before the tokens are issued. 0, or -1 with ctx->err set (then no tokens).
 */
int triggers_post_authentication(struct op_ctx *ctx, const struct trigger_caller *caller,
                                 bool new_device_used);

/* The groups a user's tokens carry: pre token generation's groupConfiguration. */
struct trigger_groups {
    const cJSON *groups;        /* array of the group names (cognito:groups), or NULL: none */
    const cJSON *roles;         /* array of their role ARNs (cognito:roles), or NULL: none */
    const char *preferred_role; /* cognito:preferred_role, or NULL */
};

/*
 * The function of the pre token generation trigger in lambda_config: the LambdaArn of
 * PreTokenGenerationConfig, else the legacy PreTokenGeneration; NULL when neither is set.
 */
const char *triggers_pre_token_function(const cJSON *lambda_config);

/*
 * PreTokenGeneration (source "TokenGeneration_Authentication", "_NewPasswordChallenge",
 * "_RefreshTokens", ...) for caller (the user, its trigger attributes, and the ClientMetadata
 * Cognito passes on: RespondToAuthChallenge's and GetTokensFromRefreshToken's, never
 * InitiateAuth's), before the tokens are signed. The event is version "1", "2" or "3" as
 * PreTokenGenerationConfig.LambdaVersion says (V1_0 for the legacy key), with groups as
 * request.groupConfiguration and, from V2_0, scopes (the access token's space-separated
 * scope) as request.scopes. "TokenGeneration_ClientCredentials" calls only a V3_0 function
 * (with an older version it returns 0 and nothing is called).
 *
 * The answer changes id_claims (may be NULL: no ID token) and access_claims in place, as
 * ../shared/lambda-triggers.md section 5.6 says: V1_0 claims on the ID token only, V2_0/V3_0
 * on both and the access token's scope; groupOverrideDetails on both. Claims no function may
 * change (sub, iss, exp, cognito:username, ...) are left as they are and logged at warn level.
 * 0, or -1 with ctx->err set: the trigger failed, or its answer has a member of the wrong
 * type (InvalidLambdaResponseException "Unrecognizable lambda output"); then no tokens.
 */
int triggers_pre_token_generation(struct op_ctx *ctx, const struct trigger_caller *caller,
                                  const char *source, const struct trigger_groups *groups,
                                  const char *scopes, cJSON *id_claims, cJSON *access_claims);

/* ---- Messages: CustomMessage and the custom senders (trigger_message.c) ----------------- */

/*
 * One message Cognito is about to send, as the message triggers see it. source is the
 * triggerSource's suffix, the same for the custom message and the custom senders: "SignUp",
 * "ResendCode", "ForgotPassword", "UpdateUserAttribute", "VerifyUserAttribute",
 * "AdminCreateUser" or "Authentication".
 */
struct trigger_message {
    const char *source;
    bool email;                 /* by email (else SMS) */
    const char *link_parameter; /* the pool's link placeholder ("{##Verify Email##}") when it
                                   verifies email by link, else NULL (request.linkParameter) */
    bool by_link;               /* this message is the link email (its body needs the link) */
    bool developer;             /* EmailConfiguration.EmailSendingAccount is DEVELOPER */
};

/* What a CustomMessage function chose: each part a new string, or NULL for the pool's own. */
struct trigger_message_text {
    char *email_message;
    char *email_subject;
    char *sms_message;
};

void trigger_message_text_free(struct trigger_message_text *t);

/*
 * CustomMessage ("CustomMessage_" + m->source) before a message is sent, with the request's
 * placeholders: codeParameter "{####}" (never the code), usernameParameter "{username}" for
 * AdminCreateUser (else null), linkParameter, and caller->client_metadata. *out gets the
 * parts the function returned for the message's channel, checked as Cognito checks them:
 * MessageTemplateType's lengths and patterns (InvalidParameterException in the validator's
 * words, at 'emailBody', 'emailSubject' or 'smsMessage'); an email body or subject from a pool
 * that does not send with its own SES account (developer false): InvalidLambdaResponseException;
 * an AdminCreateUser part without "{username}": the pool's own part instead. No function (or
 * triggers off): *out all NULL. 0, or -1 with ctx->err set (the operation fails with it).
 */
int triggers_custom_message(struct op_ctx *ctx, const struct trigger_caller *caller,
                            const struct trigger_message *m, struct trigger_message_text *out);

/*
 * The custom sender of m's channel (CustomEmailSender / CustomSMSSender, "V1_0"), invoked
 * asynchronously (Event) with request {type, code, userAttributes, clientMetadata} instead of
 * Cognito's own delivery. The emulator has no KMS: code goes in plaintext and the request
 * carries "cognitoEmuPlaintextCode": true (trigger_message.c says why); a temporary password
 * (temporary_password) is HTML-escaped first, as Cognito escapes it before encrypting.
 * Returns 1 when the sender has the message (whether or not its call succeeded: a sender's
 * failure never reaches the caller), 0 when the pool names no sender for the channel or
 * triggers are off (Cognito's own delivery then applies), -1 when out of memory.
 */
int triggers_custom_sender(struct op_ctx *ctx, const struct trigger_caller *caller,
                           const struct trigger_message *m, const char *code,
                           bool temporary_password);

/* ---- Custom authentication ------------------------------------------------------------------
 *
 * The three triggers of CUSTOM_AUTH (auth/auth_custom.c; ../shared/lambda-triggers.md 5.5):
 * DefineAuthChallenge decides the next step from the challenge history, CreateAuthChallenge
 * makes a custom challenge, VerifyAuthChallengeResponse judges its answer. Each returns 0 with
 * the function's decision in *out, 1 when the trigger is not configured or triggers are off
 * (--lambda-endpoint none; *out keeps its defaults), or -1 with ctx->err set: the function
 * failed, or answered members of the wrong type (InvalidLambdaResponseException
 * "Unrecognizable lambda output").
 *
 * The caller decides which request's ClientMetadata each gets: caller->client_metadata, NULL
 * to leave it out. It also decides whether the request says userNotFound: found.
 */

/* request.userNotFound: sent only to a client with PreventUserExistenceErrors ENABLED. */
enum trigger_user_found {
    TRIGGER_USER_FOUND_UNSAID, /* left out */
    TRIGGER_USER_FOUND,        /* "userNotFound": false */
    TRIGGER_USER_NOT_FOUND,    /* "userNotFound": true */
};

/* What DefineAuthChallenge answers (defaults: no challenge, false, false). */
struct trigger_define_auth {
    char challenge_name[64]; /* "" for null; a name too long to be one is "?" */
    bool issue_tokens;
    bool fail_authentication;
};

/*
 * DefineAuthChallenge ("DefineAuthChallenge_Authentication") with session, the challenge
 * history: an array of {challengeName, challengeResult, challengeMetadata}, oldest first.
 */
int triggers_define_auth_challenge(struct op_ctx *ctx, const struct trigger_caller *caller,
                                   const cJSON *session, enum trigger_user_found found,
                                   struct trigger_define_auth *out);

/* What CreateAuthChallenge answers; owned (triggers_create_auth_clear). The parameters are
 * objects of strings ({} by default), metadata a string or NULL. */
struct trigger_create_auth {
    cJSON *public_parameters;
    cJSON *private_parameters;
    char *metadata;
};

void triggers_create_auth_clear(struct trigger_create_auth *c);

/*
 * CreateAuthChallenge ("CreateAuthChallenge_Authentication") of challenge_name, which Define
 * asked for, with the history session. Parameter values that are numbers or booleans become
 * their text; other kinds are an unusable answer. On 0 *out is filled (clear it), on 1 or -1
 * it is empty.
 */
int triggers_create_auth_challenge(struct op_ctx *ctx, const struct trigger_caller *caller,
                                   const char *challenge_name, const cJSON *session,
                                   enum trigger_user_found found, struct trigger_create_auth *out);

/*
 * VerifyAuthChallengeResponse ("VerifyAuthChallengeResponse_Authentication") of answer, the
 * ANSWER of the response, with private_parameters from CreateAuthChallenge. *answer_correct
 * gets the function's answerCorrect (false by default).
 */
int triggers_verify_auth_challenge(struct op_ctx *ctx, const struct trigger_caller *caller,
                                   const cJSON *private_parameters, const char *answer,
                                   enum trigger_user_found found, bool *answer_correct);

#endif
