/*
 * auth_srp: USER_SRP_AUTH and its PASSWORD_VERIFIER challenge. The SRP arithmetic, the
 * SECRET_BLOCK, the claim check, the TIMESTAMP parser and the simulated users' values are
 * crypto/srp.c's; this file runs the exchange.
 *
 * USER_SRP_AUTH proves the password without sending it (../shared/cognito-facts.md 2.3):
 * InitiateAuth {USERNAME, SRP_A} is answered with the PASSWORD_VERIFIER challenge {SALT,
 * SRP_B, SECRET_BLOCK, USER_ID_FOR_SRP, USERNAME}; the response brings back TIMESTAMP and
 * PASSWORD_CLAIM_SIGNATURE, an HMAC keyed with the shared SRP key over the pool name,
 * USER_ID_FOR_SRP, the secret block and TIMESTAMP.
 *
 * Real Cognito sends no Session with this challenge: its SECRET_BLOCK is an opaque blob that
 * carries the state, and the clients send only that back (a real response without Session is
 * quoted in floci-io/floci#1305; ministackorg/ministack#1758 measured the same against AWS,
 * with "Incorrect username or password." for a wrong SECRET_BLOCK). Here SECRET_BLOCK is
 * SRP_SECRET_BLOCK_BYTES random bytes that mean nothing by themselves; its base64 text is the key
 * of the session row that keeps the state: A, the server's secret b, B, the salt and
 * USER_ID_FOR_SRP in the data, the user in user_seq.
 *
 * With PreventUserExistenceErrors ENABLED an unknown user gets a challenge that looks like a
 * real one (developer guide, "Managing error responses": Cognito "returns a simulated
 * response" and the sign-in fails later with the wrong-password error): a salt that is the
 * same on every attempt for that name, a B made from a random verifier, and in a pool that
 * signs in by email or phone a UUID as USER_ID_FOR_SRP, as a real user there has. Its session
 * names no user and is refused at the verifier with "Incorrect username or password.".
 */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "auth/auth_int.h"
#include "aws/ops_common.h"
#include "crypto/srp.h"
#include "crypto/srp_group.h"
#include "store/store.h"
#include "userpool/client.h"
#include "userpool/user.h"
#include "util/clock.h"
#include "util/jsonutil.h"

#define SRP_A_MAX_DIGITS 1024   /* 768 for a value below N, and room for leading zeros */
#define SRP_VERIFIER_DIGITS 800 /* srp.c's bound for stored verifiers */
/* How far TIMESTAMP may be from the clock. Cognito's bound is not documented (the API
 * reference only says the response must come "within a few seconds"); this is generous, for
 * clients whose clocks drift. */
#define TIMESTAMP_SKEW_MS (15 * 60 * 1000)

/* USER_ID_FOR_SRP for a name that is no user's: its username key, or in a pool with
 * UsernameAttributes a version-4-shaped UUID derived from it. A new string, or NULL. */
static char *fake_user_id(const struct auth *a, const char *name)
{
    const cJSON *by = json_get(a->pool, "UsernameAttributes");
    char *key = user_name_key(a->pool, name), *id;

    if (key == NULL || !cJSON_IsArray(by) || cJSON_GetArraySize(by) == 0)
        return key;
    id = srp_fake_user_id(json_str(a->pool, "Id"), key);
    free(key);
    return id;
}

/* Set name of obj to x in hex. 0, or -1 when out of memory. */
static int set_hex(cJSON *obj, const char *name, const BIGNUM *x)
{
    char *hex = srp_bn_to_hex(x);
    int rc = hex != NULL ? json_set_str(obj, name, hex) : -1;

    srp_free_secret(hex); /* b is secret */
    return rc;
}

/* The hex of a random verifier (srp_fake_verifier), for a challenge no password answers. A new
 * string (free()), or NULL when out of memory. */
static char *fake_verifier_hex(void)
{
    BIGNUM *v = srp_fake_verifier();
    char *hex = v != NULL ? srp_bn_to_hex(v) : NULL;

    BN_free(v);
    return hex;
}

int auth_srp_offer(struct auth *a, const char *srp_a, const char *verifier, const char *salt,
                   cJSON *data, cJSON *params)
{
    BIGNUM *v = srp_bn_from_hex(verifier, SRP_VERIFIER_DIGITS), *b = NULL, *B = NULL;
    char block[SRP_SECRET_BLOCK_B64 + 1];
    int rc = -1;

    if (v != NULL && (b = srp_random_secret()) != NULL)
        B = srp_compute_B(v, b);
    if (B == NULL || srp_secret_block_new(block) != 0) {
        ops_fail_internal(a->ctx, "could not make the SRP challenge");
        goto out;
    }
    if (json_set_str(data, "A", srp_a) != 0 || set_hex(data, "b", b) != 0 ||
        set_hex(data, "B", B) != 0 || json_set_str(data, "SALT", salt) != 0 ||
        json_set_str(data, "SECRET_BLOCK", block) != 0 || json_set_str(params, "SALT", salt) != 0 ||
        set_hex(params, "SRP_B", B) != 0 || json_set_str(params, "SECRET_BLOCK", block) != 0) {
        ops_fail_internal(a->ctx, "out of memory");
        goto out;
    }
    rc = 0;
out:
    BN_free(v);
    BN_clear_free(b);
    BN_free(B);
    return rc;
}

/*
 * Ask PASSWORD_VERIFIER for the client's A (hex, read_srp_a checked it): a->user, or NULL for
 * the name of an unknown user (PreventUserExistenceErrors). A user without a password gets a
 * challenge that no password answers. The state goes into a session row under the
 * SECRET_BLOCK; no Session is answered.
 */
static int challenge_password_verifier(struct auth *a, const char *srp_a, const char *name)
{
    const struct store_user *u = a->user;
    bool real = u != NULL && u->srp_verifier != NULL && u->srp_salt != NULL;
    char *user_id = NULL, *salt = NULL, *fake = NULL, *text = NULL;
    cJSON *data = cJSON_CreateObject(), *params = cJSON_CreateObject();
    int rc = -1;

    user_id = u != NULL ? strdup(u->username) : fake_user_id(a, name);
    if (user_id != NULL)
        salt = real ? strdup(u->srp_salt) : srp_fake_salt(json_str(a->pool, "Id"), user_id);
    if (!real)
        fake = fake_verifier_hex();
    if (data == NULL || params == NULL || user_id == NULL || salt == NULL ||
        (!real && fake == NULL)) {
        ops_fail_internal(a->ctx, "could not make the SRP challenge");
        goto out;
    }
    if (auth_srp_offer(a, srp_a, real ? u->srp_verifier : fake, salt, data, params) != 0)
        goto out;
    if (json_set_str(data, "USER_ID_FOR_SRP", user_id) != 0 ||
        (text = cJSON_PrintUnformatted(data)) == NULL ||
        json_set_str(params, "USER_ID_FOR_SRP", user_id) != 0 ||
        json_set_str(params, "USERNAME", user_id) != 0) {
        ops_fail_internal(a->ctx, "out of memory");
        goto out;
    }
    if (auth_store_challenge(a, json_str(params, "SECRET_BLOCK"), "PASSWORD_VERIFIER", text) != 0)
        goto out;
    rc = auth_answer_challenge_with(a, "PASSWORD_VERIFIER", params, NULL);
    params = NULL;
out:
    srp_free_secret(text);
    free(user_id);
    free(salt);
    free(fake);
    cJSON_Delete(data);
    cJSON_Delete(params);
    return rc;
}

/*
 * The client's A from srp_a (hex): a new BIGNUM, or NULL with ctx->err set. An SRP_A that is
 * not hex, or is 0 mod N, is refused with InvalidParameterException, which is what Cognito
 * answers for a tampered SRP_A (amazon-archives/amazon-cognito-identity-js#356; its message
 * was not found, so the wording is the emulator's).
 */
static BIGNUM *read_srp_a(struct auth *a, const char *srp_a)
{
    BIGNUM *A = srp_bn_from_hex(srp_a, SRP_A_MAX_DIGITS);
    int st = A != NULL ? srp_public_ok(A) : 0;

    if (st == 1)
        return A;
    BN_free(A);
    if (st < 0)
        ops_fail_internal(a->ctx, "could not check SRP_A");
    else
        cog_err_set(&a->ctx->err, COG_E_INVALID_PARAMETER, "Invalid SRP_A value.");
    return NULL;
}

int auth_check_srp_a(struct auth *a, const char *srp_a)
{
    BIGNUM *A = read_srp_a(a, srp_a);

    BN_free(A);
    return A != NULL ? 0 : -1;
}

/* For CUSTOM_AUTH started with SRP_A (auth_custom.c), when its DefineAuthChallenge trigger
 * asks for the password. */
int auth_ask_password_verifier(struct auth *a, const char *srp_a, const char *name)
{
    if (auth_check_srp_a(a, srp_a) != 0)
        return -1;
    return challenge_password_verifier(a, srp_a, name);
}

/*
 * USER_SRP_AUTH: AuthParameters USERNAME, SRP_A (hex, read_srp_a), and SECRET_HASH for a
 * client with a secret (over USERNAME as typed). An unknown user: UserNotFoundException here,
 * or with PreventUserExistenceErrors ENABLED a simulated challenge.
 */
int auth_start_srp(struct auth *a)
{
    const char *username = auth_param(a, "USERNAME"), *srp_a = auth_param(a, "SRP_A");
    int st;

    if (username == NULL)
        return auth_missing(a->ctx, "USERNAME");
    if (srp_a == NULL)
        return auth_missing(a->ctx, "SRP_A");
    if (client_check_secret_hash(a->ctx, a->client, username, auth_param(a, "SECRET_HASH")) != 0)
        return -1;
    if (auth_check_srp_a(a, srp_a) != 0)
        return -1;
    st = user_find(a->ctx, a->pool, username, &a->user);
    if (st == STORE_ERROR)
        return -1;
    if (st != STORE_OK && !client_hides_users(a->client))
        return auth_unknown_user(a);
    if (auth_pre_authentication(a, username) != 0)
        return -1;
    return challenge_password_verifier(a, srp_a, username);
}

/*
 * Whether TIMESTAMP is a well-formed time (srp_parse_timestamp: the exact form the clients
 * write, of a real date) within TIMESTAMP_SKEW_MS of the emulator's clock, or
 * of the wall clock: a developer who moved the emulator's clock (clock.h) still has clients
 * that read the real one.
 */
static bool timestamp_ok(const struct auth *a, const char *timestamp)
{
    int64_t t, now = a->ctx->now_ms, wall = now - clock_offset_ms();

    return srp_parse_timestamp(timestamp, &t) &&
           ((t > now - TIMESTAMP_SKEW_MS && t < now + TIMESTAMP_SKEW_MS) ||
            (t > wall - TIMESTAMP_SKEW_MS && t < wall + TIMESTAMP_SKEW_MS));
}

int auth_srp_proof(const struct auth *a, const cJSON *data, const char *verifier,
                   const char *pool_name, const char *user_id, const char *block,
                   const char *signature, const char *timestamp)
{
    const char *offered = json_str(data, "SECRET_BLOCK");
    BIGNUM *A = srp_bn_from_hex(json_str(data, "A"), SRP_A_MAX_DIGITS);
    BIGNUM *b = srp_bn_from_hex(json_str(data, "b"), SRP_VERIFIER_DIGITS);
    BIGNUM *B = srp_bn_from_hex(json_str(data, "B"), SRP_VERIFIER_DIGITS);
    BIGNUM *v = srp_bn_from_hex(verifier, SRP_VERIFIER_DIGITS);
    int rc = -1;

    if (A == NULL || b == NULL || B == NULL || v == NULL || offered == NULL || block == NULL ||
        pool_name == NULL || user_id == NULL)
        goto out;
    rc = 0;
    if (strcmp(offered, block) != 0 || strlen(block) != SRP_SECRET_BLOCK_B64 ||
        !timestamp_ok(a, timestamp))
        goto out;
    rc = srp_claim_ok(A, B, v, b, pool_name, user_id, block, timestamp, signature);
out:
    BN_free(A);
    BN_clear_free(b);
    BN_free(B);
    BN_free(v);
    return rc;
}

/*
 * Whether the response proves a->user's password: 1 yes, 0 no, -1 on error (ctx->err not
 * set). data is the session's state, block the secret block (the session key, so one this
 * server made), signature and timestamp the client's. B was made from the verifier of the
 * password the user had then: a password set since (a new salt), or none at all, cannot be
 * proved with this challenge.
 */
static int proof_matches(const struct auth *a, const cJSON *data, const char *block,
                         const char *signature, const char *timestamp)
{
    const struct store_user *u = a->user;
    const char *salt = json_str(data, "SALT");

    if (salt == NULL)
        return -1;
    if (u->srp_verifier == NULL || u->srp_salt == NULL || strcmp(u->srp_salt, salt) != 0)
        return 0;
    return auth_srp_proof(a, data, u->srp_verifier, srp_pool_name(json_str(a->pool, "Id")),
                          json_str(data, "USER_ID_FOR_SRP"), block, signature, timestamp);
}

/*
 * RespondToAuthChallenge PASSWORD_VERIFIER, first half, outside the transaction (the SRP
 * arithmetic takes a millisecond or two, too long to hold the database's write lock):
 * ChallengeResponses USERNAME, PASSWORD_CLAIM_SECRET_BLOCK (the session key, already found),
 * PASSWORD_CLAIM_SIGNATURE, TIMESTAMP. Sets a->proved when they prove a->user's password. The
 * session of an unknown user is "Incorrect username or password." at once.
 */
int auth_verify_password_claim(struct auth *a, const struct store_session *s)
{
    const char *signature = auth_param(a, "PASSWORD_CLAIM_SIGNATURE");
    const char *timestamp = auth_param(a, "TIMESTAMP");
    cJSON *data;
    int st;

    if (signature == NULL)
        return auth_missing(a->ctx, "PASSWORD_CLAIM_SIGNATURE");
    if (timestamp == NULL)
        return auth_missing(a->ctx, "TIMESTAMP");
    if (a->user == NULL)
        return auth_incorrect_password(a->ctx);
    if ((data = cJSON_Parse(s->data)) == NULL)
        return ops_fail_internal(a->ctx, "unreadable auth session");
    st = proof_matches(a, data, auth_param(a, "PASSWORD_CLAIM_SECRET_BLOCK"), signature, timestamp);
    cJSON_Delete(data);
    if (st < 0)
        return ops_fail_internal(a->ctx, "could not check the password claim");
    a->proved = st == 1;
    return 0;
}

/*
 * Second half, inside the transaction, on the session and user read again: a wrong password,
 * signature or timestamp is "Incorrect username or password."; a proved one continues as
 * password sign-in does (auth_password_accepted: the user's state, NEW_PASSWORD_REQUIRED, or
 * tokens). A password set since the check (a new salt) voids the proof.
 */
int auth_respond_password_verifier(struct auth *a, const struct store_session *s)
{
    cJSON *data = cJSON_Parse(s->data);
    const char *salt = json_str(data, "SALT");
    bool proved = a->proved && a->user != NULL && a->user->srp_salt != NULL && salt != NULL &&
                  strcmp(a->user->srp_salt, salt) == 0;

    cJSON_Delete(data);
    if (a->user == NULL)
        return auth_incorrect_password(a->ctx);
    if (auth_check_lockout(a) != 0)
        return -1;
    /* Counted by respond() once this transaction is rolled back. */
    a->wrong_password = !proved;
    if (auth_check_reset_required(a, proved) != 0)
        return -1;
    if (!proved)
        return auth_incorrect_password(a->ctx);
    if (auth_clear_lockout(a) != 0)
        return -1;
    return auth_password_accepted(a);
}
