/*
 * auth_int: what the files of auth/ share, and nothing outside auth/ includes. struct auth is
 * one sign-in in progress; auth.c answers it (tokens, a challenge and its session, Cognito's
 * common refusals). The sign-in mechanisms each live in one file: auth_password.c (password
 * sign-in, NEW_PASSWORD_REQUIRED, the lockout), auth_srp.c (USER_SRP_AUTH, PASSWORD_VERIFIER),
 * auth_mfa.c (the MFA challenges), auth_choice.c (USER_AUTH: the first factor chosen, sign-in
 * codes, auto sign-in after sign-up) and auth_refresh.c (refreshes). ops_auth.c holds the
 * operations and the two tables that point into those files: FLOWS (an AuthFlow's start
 * function) and CHALLENGES (a ChallengeName's verify and respond functions). A new sign-in
 * mechanism is one row in FLOWS or CHALLENGES, one auth_*.c, and its functions declared here.
 * auth_custom.c (CUSTOM_AUTH, CUSTOM_CHALLENGE) drives the others from the pool's Lambda
 * functions: its flow may pass through PASSWORD_VERIFIER and the MFA challenges, whose
 * sessions carry it on (struct auth's custom).
 *
 * Unless a comment says otherwise, a function returning int returns 0, or -1 with a->ctx->err
 * set: Cognito's error for the request, or InternalErrorException when the store or memory
 * failed. The struct auth is always borrowed.
 */
#ifndef COG_AUTH_INT_H
#define COG_AUTH_INT_H

#include <cJSON.h>
#include <stdbool.h>
#include <stdint.h>

#include "aws/op.h"
#include "store/store.h"
#include "userpool/delivery.h"

/* One sign-in in progress, shared by the flows and the challenge handlers. */
struct auth {
    struct op_ctx *ctx;
    bool admin;               /* AdminInitiateAuth / AdminRespondToAuthChallenge */
    const cJSON *params;      /* AuthParameters or ChallengeResponses; may be NULL */
    cJSON *pool;              /* owned */
    cJSON *client;            /* owned */
    const char *client_id;    /* borrowed from client */
    struct store_user *user;  /* owned, once known */
    bool proved;              /* a challenge's check outside the transaction passed */
    bool signed_in;           /* a challenge handler accepted the response: issue tokens */
    bool wrong_password;      /* a->user's password was wrong: count it (lockout) */
    const char *token_source; /* the pre token generation source when not the default */
    const char *oauth_scope;  /* a refresh of an OAuth refresh token: its scopes, which the
                                 new tokens keep (tokens.h token_grant.scope); else NULL */
    /* GetTokensFromRefreshToken on a rotating client: the refresh token presented, which a
     * new one supersedes, and its record, the family (tokens.h token_grant); else NULL. */
    const char *rotates;
    const struct store_refresh *rotates_family;
    bool responding; /* (Admin)RespondToAuthChallenge, whose ClientMetadata the
                        post authentication trigger gets */
    bool hosted;     /* a sign-in on the hosted pages (auth_hosted.h): no
                        SECRET_HASH, no ExplicitAuthFlows check, no tokens */
    /* A custom flow in progress (auth_custom.c), owned, or NULL. The next challenge session
     * stored takes it along (auth_store_challenge sets it NULL); still set after a response
     * means the flow goes back to its DefineAuthChallenge trigger (auth_custom_continue). */
    cJSON *custom;
    /* The device this sign-in used or minted (auth_device.c), owned, or NULL: the access
     * token's device_key. */
    char *device_key;
    bool mint_device; /* GetTokensFromRefreshToken: mint a device when its DeviceKey is absent */
};

/* ---- auth.c: the sign-in and its answers -------------------------------------------------- */

/* Free what a owns (pool, client, user); a itself is the caller's. */
void auth_free(struct auth *a);

/* The AuthParameters / ChallengeResponses entry name as a string (borrowed), or NULL. */
const char *auth_param(const struct auth *a, const char *name);

/* Set ctx->err to Cognito's refusal and return -1: InvalidParameterException for a missing
 * entry name; "Incorrect username or password."; the expired-session message. */
int auth_missing(struct op_ctx *ctx, const char *name);
int auth_incorrect_password(struct op_ctx *ctx);
int auth_invalid_session(struct op_ctx *ctx);

/* Sessions answer once. auth_spend_session: replace session key s (answered successfully) with
 * a tombstone that lasts until s's expiry; 0 or -1 (internal). auth_session_spent: whether s is
 * such a tombstone of a's pool and client, not expired. auth_used_session: Cognito's refusal of
 * a spent session ("... session can only be used once."), -1. */
int auth_spend_session(struct auth *a, const char *key, const struct store_session *s);
bool auth_session_spent(const struct auth *a, const struct store_session *s);
int auth_used_session(struct op_ctx *ctx);

/* Refuse an unknown user (UserNotFoundException, or a wrong password when the client hides
 * users). Always -1. */
int auth_unknown_user(const struct auth *a);

/*
 * Sign a->user in: tokens (tokens_issue) into ctx->out's AuthenticationResult, with auth_time
 * and origin_jti (NULL: a new one), a refresh token when with_refresh_token, and an empty
 * ChallengeParameters when challenge_parameters. 0 or -1.
 */
int auth_answer_tokens(struct auth *a, int64_t auth_time, const char *origin_jti,
                       bool with_refresh_token, bool challenge_parameters);

/* auth_answer_tokens for a sign-in that just proved the user: now, a new origin_jti, a
 * refresh token, ChallengeParameters; after the post authentication trigger (outside any
 * transaction), whose failure means no tokens. 0 or -1. */
int auth_answer_sign_in(struct auth *a);

/* The pre authentication trigger of a sign-in by a->user, or of an unknown user named
 * username (only asked when the client hides users: "userNotFound": true), with
 * InitiateAuth's ClientMetadata as its validationData. Before the credentials are checked. */
int auth_pre_authentication(struct auth *a, const char *username);

/* Store session key for challenge name of a->user (NULL: a simulated user) with state data
 * (JSON text or NULL), valid for the client's AuthSessionValidity. 0 or -1 (internal). */
int auth_store_challenge(struct auth *a, const char *key, const char *name, const char *data);

/* Answer ChallengeName name with ChallengeParameters params (taken over, also on failure) and
 * Session session unless NULL; no session is stored. 0 or -1 (internal). */
int auth_answer_challenge_with(struct auth *a, const char *name, cJSON *params,
                               const char *session);

/* Ask challenge name: store a new session (with state data, JSON text or NULL) and answer
 * ChallengeName, ChallengeParameters (params, taken over, also on failure) and Session. 0 or
 * -1. auth_answer_challenge is the same without state. */
int auth_answer_challenge_data(struct auth *a, const char *name, cJSON *params, const char *data);
int auth_answer_challenge(struct auth *a, const char *name, cJSON *params);

/* A code sent for a challenge (sign-in codes, MFA codes): auth_code_delivery is the message of
 * code by medium to attribute for a->user (or the unknown username: nothing is sent);
 * auth_answer_code_challenge sends it (destination set by the caller) and asks challenge name
 * with params (taken over) plus CODE_DELIVERY_DELIVERY_MEDIUM / CODE_DELIVERY_DESTINATION and
 * state data. 0 or -1. */
struct delivery auth_code_delivery(const struct auth *a, const char *medium, const char *attribute,
                                   const char *code, const char *username);
int auth_answer_code_challenge(struct auth *a, const struct delivery *d, const char *name,
                               cJSON *params, const char *data);

/* ---- The flows: FLOWS' start functions ------------------------------------------------------
 *
 * Each reads a->params (AuthParameters) for a client that allows the flow, and either signs the
 * user in (tokens in ctx->out) or asks a challenge. 0 or -1.
 */

int auth_start_password(struct auth *a); /* USER_PASSWORD_AUTH, ADMIN_USER_PASSWORD_AUTH */
int auth_start_srp(struct auth *a);      /* USER_SRP_AUTH */
int auth_start_refresh(struct auth *a);  /* REFRESH_TOKEN_AUTH, REFRESH_TOKEN */
int auth_start_custom(struct auth *a);   /* CUSTOM_AUTH */
int auth_start_choice(struct auth *a);   /* USER_AUTH (auth_choice.c) */

/* ---- The challenges: CHALLENGES' verify and respond functions --------------------------------
 *
 * A verify function runs before the transaction, on the session s and a->user read for it, and
 * may set a->proved. A respond function runs inside the transaction on fresh reads (a->user is
 * NULL for a session that names no user) and sets a->signed_in or answers the next challenge.
 * Both return 0, or -1 to refuse the response.
 */

int auth_respond_new_password(struct auth *a, const struct store_session *s);
int auth_verify_password_claim(struct auth *a, const struct store_session *s);
int auth_respond_password_verifier(struct auth *a, const struct store_session *s);
int auth_respond_software_token(struct auth *a, const struct store_session *s);
int auth_respond_sms_mfa(struct auth *a, const struct store_session *s);
int auth_respond_email_otp(struct auth *a, const struct store_session *s);
int auth_respond_select_mfa_type(struct auth *a, const struct store_session *s);
int auth_respond_mfa_setup(struct auth *a, const struct store_session *s);
int auth_respond_custom_challenge(struct auth *a, const struct store_session *s);
int auth_respond_device_srp(struct auth *a, const struct store_session *s);
int auth_verify_device_password(struct auth *a, const struct store_session *s);
int auth_respond_device_password(struct auth *a, const struct store_session *s);

/* auth_choice.c, USER_AUTH's challenges: SELECT_CHALLENGE (verify: a PASSWORD answer's check),
 * PASSWORD and PASSWORD_SRP (the same verify), SMS_OTP, and EMAIL_OTP, which sends an MFA
 * session's response on to auth_respond_email_otp. */
int auth_verify_choice(struct auth *a, const struct store_session *s);
int auth_respond_select_challenge(struct auth *a, const struct store_session *s);
int auth_respond_password_choice(struct auth *a, const struct store_session *s);
int auth_respond_email_code(struct auth *a, const struct store_session *s);
int auth_respond_sms_otp(struct auth *a, const struct store_session *s);

/* auth_webauthn.c, passkey sign-in (USER_AUTH's WEB_AUTHN first factor):
 * auth_ask_web_authn asks the WEB_AUTHN challenge of a->user, whose ChallengeParameters
 * CREDENTIAL_REQUEST_OPTIONS (a JSON string) carry a fresh challenge that the session keeps
 * and the user's passkeys as allowCredentials. 0 or -1. */
int auth_ask_web_authn(struct auth *a);

/* auth_webauthn.c, the WEB_AUTHN response (CREDENTIAL): auth_verify_web_authn checks the
 * assertion against the session's challenge and one of the user's passkeys (sets a->proved);
 * auth_respond_web_authn stores the passkey's new signature counter and signs the user in. */
int auth_verify_web_authn(struct auth *a, const struct store_session *s);
int auth_respond_web_authn(struct auth *a, const struct store_session *s);

/* ---- Steps the flows share ------------------------------------------------------------------ */

/* auth_password.c. After a proved password: refuse a disabled or unconfirmed user, ask
 * NEW_PASSWORD_REQUIRED of a FORCE_CHANGE_PASSWORD one, else auth_ask_mfa. 0 or -1. */
int auth_password_accepted(struct auth *a);

/* auth_password.c. Refuse a->user (when set) whose state ends any sign-in, in the words of
 * password sign-in: "User is disabled.", UserNotConfirmedException. 0 or -1. */
int auth_check_user_state(const struct auth *a);

/* auth_password.c. PasswordResetRequiredException (-1) for a RESET_REQUIRED user whose
 * password was proved (matched) or who has none; else 0. */
int auth_check_reset_required(const struct auth *a, bool matched);

/* auth_password.c, the lockout. auth_check_lockout: "Password attempts exceeded" during one.
 * auth_note_wrong_password: count a failure (outside the transaction the error rolls back;
 * a store error is only logged). auth_clear_lockout: forget the failures after a proved
 * password. */
int auth_check_lockout(struct auth *a);
void auth_note_wrong_password(struct auth *a);
int auth_clear_lockout(struct auth *a);

/* auth_mfa.c. The step after a proved password: sets a->signed_in when the user has no MFA
 * to pass, else answers the MFA challenge that mfa_decide() picks. 0 or -1. */
int auth_ask_mfa(struct auth *a);

/* auth_device.c, remembered devices in a pool that tracks them (userpool/device.h).
 * auth_device_ask, after the first factor where auth_ask_mfa would ask MFA: for a confirmed,
 * remembered DEVICE_KEY of a->user asks DEVICE_SRP_AUTH instead and returns 1; 0 when no
 * device applies; -1 ("Device does not exist." for a key that is not a->user's).
 * auth_device_tokens, just before tokens are issued: the device they are for into
 * a->device_key (the one DEVICE_PASSWORD_VERIFIER proved, else DEVICE_KEY, or
 * GetTokensFromRefreshToken's DeviceKey, which must be a->user's), or for a sign_in
 * (or a->mint_device) without one a new device, whose NewDeviceMetadata goes into
 * *metadata (a new object, else NULL). 0 or -1. */
int auth_device_ask(struct auth *a);
int auth_device_tokens(struct auth *a, bool sign_in, cJSON **metadata);

/* auth_srp.c. auth_check_srp_a: InvalidParameterException (-1) unless srp_a (hex) is a valid
 * SRP A. auth_ask_password_verifier: ask PASSWORD_VERIFIER for it, of a->user or, when that
 * is NULL, of the unknown user name (a simulated challenge). 0 or -1. */
int auth_check_srp_a(struct auth *a, const char *srp_a);
int auth_ask_password_verifier(struct auth *a, const char *srp_a, const char *name);

/* auth_srp.c, the SRP exchange that device SRP (auth_device.c) shares with PASSWORD_VERIFIER,
 * with its own identities and stored verifier (../shared/user-auth-passkeys.md 4.3).
 * auth_srp_offer: for the client's A (hex, checked by auth_check_srp_a), the verifier and salt
 * (hex), a fresh secret b, B = k*v + g^b and a new SECRET_BLOCK: A, b, B, SALT and
 * SECRET_BLOCK go into data (the session's state: secret, secrets_wipe its text), SALT, SRP_B
 * and SECRET_BLOCK into params. 0 or -1.
 * auth_srp_proof: whether the client's signature over block (the SECRET_BLOCK offered in data)
 * and timestamp (the clients' form, within a few minutes of the clock) proves verifier for the
 * exchange in data, with pool_name and user_id as the identities: 1 yes, 0 no, -1 on a
 * malformed state or OpenSSL failure (ctx->err not set). */
int auth_srp_offer(struct auth *a, const char *srp_a, const char *verifier, const char *salt,
                   cJSON *data, cJSON *params);
int auth_srp_proof(const struct auth *a, const cJSON *data, const char *verifier,
                   const char *pool_name, const char *user_id, const char *block,
                   const char *signature, const char *timestamp);

/* auth_custom.c, the custom flow across the responses (RespondToAuthChallenge):
 * auth_custom_resume, inside the transaction, takes the flow that session s carries into
 * a->custom (none: nothing), with the challenge answered recorded as passed; the record
 * stays only if the response passes. auth_custom_continue, after the transaction, when
 * a->custom is still set: verifies a custom answer, then asks DefineAuthChallenge what follows
 * (tokens, a refusal or the next challenge, into ctx->out). 0 or -1. */
int auth_custom_resume(struct auth *a, const struct store_session *s);
int auth_custom_continue(struct auth *a);

/* auth_refresh.c. GetTokensFromRefreshToken for a's client (loaded): the client secret, the
 * flow, the token and its user, then new ID and access tokens into ctx->out. 0 or -1. */
int auth_get_tokens_from_refresh_token(struct auth *a);

#endif
