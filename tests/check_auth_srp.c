/*
 * check_auth_srp: USER_SRP_AUTH and its PASSWORD_VERIFIER challenge (auth_srp.c): the exchange
 * driven with the client's own arithmetic, refused and tampered answers, timestamps, sessions,
 * SECRET_HASH, the states of users after the verifier, and the simulated challenge of an
 * unknown user under PreventUserExistenceErrors. Operations run through tu_call exactly as the
 * server runs them; users are written straight into the store (testauth.h). srp_parse_timestamp
 * itself is tested in check_srp.c.
 */
#include "config.h"

#include <ctype.h>
#include <openssl/bn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/jwt.h"
#include "crypto/secrets.h"
#include "crypto/srp.h"
#include "crypto/srp_group.h"
#include "store/store.h"
#include "testauth.h"
#include "testutil.h"
#include "userpool/pool.h"
#include "userpool/user.h"
#include "util/clock.h"

static struct tu_env *const env = &tu_fixture;

/* ---- USER_SRP_AUTH and PASSWORD_VERIFIER --------------------------------------------------
 *
 * The client's side of the exchange (testauth.h, ta_srp_*) is computed as
 * amazon-cognito-identity-js computes it (AuthenticationHelper: a of 128 random bytes,
 * A = g^a mod N, u = H(PAD(A) | PAD(B)), S = (B - k*g^x)^(a + u*x) mod N, the HKDF key, the
 * claim signature), with the tests' own exponentiation. For PAD, H, x, the HKDF and the HMAC
 * it uses srp_group.h's building blocks, which check_srp.c checks against values the real JS
 * client computed (tests/vectors/srp_vectors.mjs), so the server is tested against client
 * arithmetic that is known to be the client's. The real clients themselves run in
 * tests/e2e/amplify.
 */

/* InitiateAuth (or AdminInitiateAuth when pool is not NULL) USER_SRP_AUTH; extra is a JSON
 * fragment added to AuthParameters ("" or ",\"SECRET_HASH\":\"...\""). */
static cJSON *srp_initiate(const char *pool, const char *client, const char *username,
                           const char *srp_a, const char *extra)
{
    if (pool != NULL)
        return tu_callf(env, IDP "AdminInitiateAuth",
                        "{\"AuthFlow\":\"USER_SRP_AUTH\",\"UserPoolId\":\"%s\",\"ClientId\":"
                        "\"%s\",\"AuthParameters\":{\"USERNAME\":\"%s\",\"SRP_A\":\"%s\"%s}}",
                        pool, client, username, srp_a, extra);
    return tu_callf(env, IDP "InitiateAuth",
                    "{\"AuthFlow\":\"USER_SRP_AUTH\",\"ClientId\":\"%s\","
                    "\"AuthParameters\":{\"USERNAME\":\"%s\",\"SRP_A\":\"%s\"%s}}",
                    client, username, srp_a, extra);
}

/* RespondToAuthChallenge (Admin when pool is not NULL) PASSWORD_VERIFIER. */
static cJSON *srp_respond(const char *pool, const char *client, const char *username,
                          const char *block, const char *timestamp, const char *signature,
                          const char *extra)
{
    if (pool != NULL)
        return tu_callf(env, IDP "AdminRespondToAuthChallenge",
                        "{\"ChallengeName\":\"PASSWORD_VERIFIER\",\"UserPoolId\":\"%s\","
                        "\"ClientId\":\"%s\",\"ChallengeResponses\":{\"USERNAME\":\"%s\","
                        "\"PASSWORD_CLAIM_SECRET_BLOCK\":\"%s\",\"TIMESTAMP\":\"%s\","
                        "\"PASSWORD_CLAIM_SIGNATURE\":\"%s\"%s}}",
                        pool, client, username, block, timestamp, signature, extra);
    return tu_callf(env, IDP "RespondToAuthChallenge",
                    "{\"ChallengeName\":\"PASSWORD_VERIFIER\",\"ClientId\":\"%s\","
                    "\"ChallengeResponses\":{\"USERNAME\":\"%s\","
                    "\"PASSWORD_CLAIM_SECRET_BLOCK\":\"%s\",\"TIMESTAMP\":\"%s\","
                    "\"PASSWORD_CLAIM_SIGNATURE\":\"%s\"%s}}",
                    client, username, block, timestamp, signature, extra);
}

/* The challenge parameters of a PASSWORD_VERIFIER answer (borrowed from resp). */
static const cJSON *verifier_params(const cJSON *resp)
{
    ck_assert_msg(tu_error_type(resp) == NULL, "InitiateAuth failed: %s: %s", tu_error_type(resp),
                  tu_str(resp, "message"));
    ck_assert_str_eq(tu_str(resp, "ChallengeName"), "PASSWORD_VERIFIER");
    return tu_get(resp, "ChallengeParameters");
}

/* The whole exchange in pool with client for username and password, as a client does it:
 * the RespondToAuthChallenge answer (or the InitiateAuth error). */
static cJSON *srp_sign_in_to(const char *pool, const char *client, const char *username,
                             const char *password)
{
    struct ta_srp_client c = ta_srp_client_new();
    char ts[40], sig[SRP_SIGNATURE_B64_LEN + 1];
    cJSON *init = srp_initiate(NULL, client, username, c.A_hex, ""), *resp;
    const cJSON *params;

    if (tu_error_type(init) != NULL) {
        ta_srp_client_free(&c);
        return init;
    }
    params = verifier_params(init);
    ta_srp_timestamp(clock_now_ms(), ts);
    ta_srp_sign(&c, pool, params, password, ts, sig);
    resp = srp_respond(NULL, client, tu_str(params, "USER_ID_FOR_SRP"),
                       tu_str(params, "SECRET_BLOCK"), ts, sig, "");
    cJSON_Delete(init);
    ta_srp_client_free(&c);
    return resp;
}

static cJSON *srp_sign_in(const char *username, const char *password)
{
    return srp_sign_in_to(ta_pool_id, ta_client_id, username, password);
}

START_TEST(test_auth_srp_sign_in_returns_tokens)
{
    struct ta_srp_client c = ta_srp_client_new();
    char ts[40], sig[SRP_SIGNATURE_B64_LEN + 1];
    struct store_user *u;
    cJSON *init, *resp, *claims;
    const cJSON *params;

    ta_add_user("alice", "CONFIRMED");
    u = ta_get_user("alice");
    init = srp_initiate(NULL, ta_client_id, "alice", c.A_hex, "");
    params = verifier_params(init);
    ck_assert_str_eq(tu_str(params, "SALT"), u->srp_salt);
    ck_assert_str_eq(tu_str(params, "USER_ID_FOR_SRP"), "alice");
    ck_assert_str_eq(tu_str(params, "USERNAME"), "alice");
    tu_assert_matches(tu_str(params, "SRP_B"), "^[1-9a-f][0-9a-f]{500,767}$");
    tu_assert_matches(tu_str(params, "SECRET_BLOCK"), "^[A-Za-z0-9+/]{128}$");
    /* Real Cognito answers this challenge without a Session. */
    ck_assert_ptr_null(tu_get(init, "Session"));
    ck_assert_ptr_null(tu_get(init, "AuthenticationResult"));

    ta_srp_timestamp(clock_now_ms(), ts);
    ta_srp_sign(&c, ta_pool_id, params, TA_PASSWORD, ts, sig);
    resp = srp_respond(NULL, ta_client_id, "alice", tu_str(params, "SECRET_BLOCK"), ts, sig, "");
    ck_assert_ptr_nonnull(tu_str(ta_result_of(resp), "RefreshToken"));
    ck_assert(cJSON_IsObject(tu_get(resp, "ChallengeParameters")));
    ck_assert_ptr_null(tu_get(resp, "ChallengeName"));
    ck_assert_ptr_null(tu_get(resp, "Session"));
    claims = jwt_peek_payload(tu_str(ta_result_of(resp), "IdToken"));
    ck_assert_str_eq(tu_str(claims, "cognito:username"), "alice");
    ck_assert(ta_verifies(tu_str(ta_result_of(resp), "AccessToken"), ta_pool_id));
    cJSON_Delete(claims);
    cJSON_Delete(resp);
    /* A challenge answers once. */
    resp = srp_respond(NULL, ta_client_id, "alice", tu_str(params, "SECRET_BLOCK"), ts, sig, "");
    tu_assert_error(resp, "NotAuthorizedException", "Incorrect username or password.");
    cJSON_Delete(resp);
    cJSON_Delete(init);
    store_user_free(u);
    ta_srp_client_free(&c);
}
END_TEST

START_TEST(test_auth_srp_wrong_password)
{
    cJSON *resp;

    ta_add_user("alice", "CONFIRMED");
    resp = srp_sign_in("alice", "Wrong-passw0rd");
    tu_assert_error(resp, "NotAuthorizedException", "Incorrect username or password.");
    cJSON_Delete(resp);
    /* Each challenge is new: the right password still signs in. */
    resp = srp_sign_in("alice", TA_PASSWORD);
    ck_assert_ptr_nonnull(tu_str(ta_result_of(resp), "AccessToken"));
    cJSON_Delete(resp);
}
END_TEST

/* Answer one challenge for alice with a changed signature, secret block or timestamp. */
START_TEST(test_auth_srp_tampered_responses_are_refused)
{
    struct ta_srp_client c = ta_srp_client_new();
    char ts[40], sig[SRP_SIGNATURE_B64_LEN + 1], bad[SRP_SIGNATURE_B64_LEN + 1], other[200];
    char padded[40], old[40], weekday[40];
    cJSON *init, *resp;
    const cJSON *params;
    const char *block;
    int64_t now = clock_now_ms();

    ta_add_user("alice", "CONFIRMED");
    init = srp_initiate(NULL, ta_client_id, "alice", c.A_hex, "");
    params = verifier_params(init);
    block = tu_str(params, "SECRET_BLOCK");
    ta_srp_timestamp(now, ts);
    ta_srp_sign(&c, ta_pool_id, params, TA_PASSWORD, ts, sig);

    /* The signature with one character changed. */
    memcpy(bad, sig, sizeof(bad));
    bad[5] = bad[5] == 'A' ? 'B' : 'A';
    resp = srp_respond(NULL, ta_client_id, "alice", block, ts, bad, "");
    tu_assert_error(resp, "NotAuthorizedException", "Incorrect username or password.");
    cJSON_Delete(resp);
    /* A secret block that is not the challenge's. */
    snprintf(other, sizeof(other), "%s", block);
    other[10] = other[10] == 'A' ? 'B' : 'A';
    resp = srp_respond(NULL, ta_client_id, "alice", other, ts, sig, "");
    tu_assert_error(resp, "NotAuthorizedException", "Incorrect username or password.");
    cJSON_Delete(resp);
    /* A timestamp the signature was not made over. */
    ta_srp_timestamp(now + 1000, old);
    resp = srp_respond(NULL, ta_client_id, "alice", block, old, sig, "");
    tu_assert_error(resp, "NotAuthorizedException", "Incorrect username or password.");
    cJSON_Delete(resp);

    /* Timestamps Cognito refuses even when signed: a zero-padded day (qwigo/warrant#12), a
     * weekday that is not the date's, and one far from the clock. */
    snprintf(padded, sizeof(padded), "Wed Apr 05 22:42:34 UTC 2017");
    ta_srp_sign(&c, ta_pool_id, params, TA_PASSWORD, padded, sig);
    resp = srp_respond(NULL, ta_client_id, "alice", block, padded, sig, "");
    tu_assert_error(resp, "NotAuthorizedException", "Incorrect username or password.");
    cJSON_Delete(resp);
    ta_srp_timestamp(now, weekday);
    memcpy(weekday, strncmp(weekday, "Mon", 3) == 0 ? "Tue" : "Mon", 3);
    ta_srp_sign(&c, ta_pool_id, params, TA_PASSWORD, weekday, sig);
    resp = srp_respond(NULL, ta_client_id, "alice", block, weekday, sig, "");
    tu_assert_error(resp, "NotAuthorizedException", "Incorrect username or password.");
    cJSON_Delete(resp);
    ta_srp_timestamp(now - 3600 * 1000, old);
    ta_srp_sign(&c, ta_pool_id, params, TA_PASSWORD, old, sig);
    resp = srp_respond(NULL, ta_client_id, "alice", block, old, sig, "");
    tu_assert_error(resp, "NotAuthorizedException", "Incorrect username or password.");
    cJSON_Delete(resp);

    /* Refused answers leave the challenge open: the right one still signs in, once the
     * lockout that five wrong proofs started (one second, check_ops_mfa.c) is over. */
    clock_set_offset_ms(1000);
    ta_srp_sign(&c, ta_pool_id, params, TA_PASSWORD, ts, sig);
    resp = srp_respond(NULL, ta_client_id, "alice", block, ts, sig, "");
    ck_assert_ptr_nonnull(tu_str(ta_result_of(resp), "IdToken"));
    cJSON_Delete(resp);
    cJSON_Delete(init);
    ta_srp_client_free(&c);
}
END_TEST

/*
 * TIMESTAMP is parsed as a date (weekday, month, day without padding, leap years): with the
 * emulator's clock moved to each moment, a signature over that moment's timestamp signs in,
 * and one over a day that does not exist does not.
 */
START_TEST(test_auth_srp_timestamps_of_other_dates)
{
    static const struct {
        int64_t ms;
        const char *text;
        bool ok;
    } cases[] = {
        {951782400000LL, "Tue Feb 29 00:00:00 UTC 2000", true},
        {1491432154000LL, "Wed Apr 5 22:42:34 UTC 2017", true},
        {1735689599000LL, "Tue Dec 31 23:59:59 UTC 2024", true},
        {4102444800000LL, "Fri Jan 1 00:00:00 UTC 2100", true},
        {983404800000LL, "Thu Feb 29 00:00:00 UTC 2001", false}, /* 2001-03-01: no Feb 29 */
    };
    char ts[40], sig[SRP_SIGNATURE_B64_LEN + 1];
    int64_t wall = clock_now_ms();

    ta_add_user("alice", "CONFIRMED");
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct ta_srp_client c = ta_srp_client_new();
        cJSON *init, *resp;
        const cJSON *params;

        if (cases[i].ok) { /* the test's own formatter writes what the clients write */
            ta_srp_timestamp(cases[i].ms, ts);
            ck_assert_str_eq(ts, cases[i].text);
        }
        clock_set_offset_ms(cases[i].ms - wall);
        init = srp_initiate(NULL, ta_client_id, "alice", c.A_hex, "");
        params = verifier_params(init);
        ta_srp_sign(&c, ta_pool_id, params, TA_PASSWORD, cases[i].text, sig);
        resp = srp_respond(NULL, ta_client_id, "alice", tu_str(params, "SECRET_BLOCK"),
                           cases[i].text, sig, "");
        if (cases[i].ok)
            ck_assert_msg(tu_error_type(resp) == NULL, "%s refused: %s", cases[i].text,
                          tu_str(resp, "message"));
        else
            tu_assert_error(resp, "NotAuthorizedException", "Incorrect username or password.");
        cJSON_Delete(resp);
        cJSON_Delete(init);
        ta_srp_client_free(&c);
    }
}
END_TEST

START_TEST(test_auth_srp_missing_and_unknown_sessions)
{
    cJSON *resp;
    struct ta_srp_client c = ta_srp_client_new();

    resp = tu_callf(env, IDP "InitiateAuth",
                    "{\"AuthFlow\":\"USER_SRP_AUTH\",\"ClientId\":\"%s\","
                    "\"AuthParameters\":{\"USERNAME\":\"alice\"}}",
                    ta_client_id);
    tu_assert_error(resp, "InvalidParameterException", "Missing required parameter SRP_A");
    cJSON_Delete(resp);
    resp = tu_callf(env, IDP "InitiateAuth",
                    "{\"AuthFlow\":\"USER_SRP_AUTH\",\"ClientId\":\"%s\","
                    "\"AuthParameters\":{\"SRP_A\":\"%s\"}}",
                    ta_client_id, c.A_hex);
    tu_assert_error(resp, "InvalidParameterException", "Missing required parameter USERNAME");
    cJSON_Delete(resp);
    /* No secret block: the response names no session. */
    resp = tu_callf(env, IDP "RespondToAuthChallenge",
                    "{\"ChallengeName\":\"PASSWORD_VERIFIER\",\"ClientId\":\"%s\","
                    "\"ChallengeResponses\":{\"USERNAME\":\"alice\",\"TIMESTAMP\":\"x\","
                    "\"PASSWORD_CLAIM_SIGNATURE\":\"x\"}}",
                    ta_client_id);
    tu_assert_error(resp, "InvalidParameterException",
                    "Missing required parameter PASSWORD_CLAIM_SECRET_BLOCK");
    cJSON_Delete(resp);
    /* A secret block this server never made: a wrong password, as Cognito answers. */
    ta_add_user("alice", "CONFIRMED");
    resp = srp_respond(NULL, ta_client_id, "alice", "bm90IGEgc2VjcmV0IGJsb2Nr",
                       "Wed Apr 5 22:42:34 UTC 2017", "c2lnbmF0dXJl", "");
    tu_assert_error(resp, "NotAuthorizedException", "Incorrect username or password.");
    cJSON_Delete(resp);
    ta_srp_client_free(&c);
}
END_TEST

START_TEST(test_auth_srp_missing_claim_parameters)
{
    struct ta_srp_client c = ta_srp_client_new();
    cJSON *init, *resp;
    const cJSON *params;

    ta_add_user("alice", "CONFIRMED");
    init = srp_initiate(NULL, ta_client_id, "alice", c.A_hex, "");
    params = verifier_params(init);
    resp = tu_callf(env, IDP "RespondToAuthChallenge",
                    "{\"ChallengeName\":\"PASSWORD_VERIFIER\",\"ClientId\":\"%s\","
                    "\"ChallengeResponses\":{\"USERNAME\":\"alice\",\"TIMESTAMP\":\"x\","
                    "\"PASSWORD_CLAIM_SECRET_BLOCK\":\"%s\"}}",
                    ta_client_id, tu_str(params, "SECRET_BLOCK"));
    tu_assert_error(resp, "InvalidParameterException",
                    "Missing required parameter PASSWORD_CLAIM_SIGNATURE");
    cJSON_Delete(resp);
    resp = tu_callf(env, IDP "RespondToAuthChallenge",
                    "{\"ChallengeName\":\"PASSWORD_VERIFIER\",\"ClientId\":\"%s\","
                    "\"ChallengeResponses\":{\"PASSWORD_CLAIM_SIGNATURE\":\"x\","
                    "\"PASSWORD_CLAIM_SECRET_BLOCK\":\"%s\",\"TIMESTAMP\":\"x\"}}",
                    ta_client_id, tu_str(params, "SECRET_BLOCK"));
    tu_assert_error(resp, "InvalidParameterException", "Missing required parameter USERNAME");
    cJSON_Delete(resp);
    cJSON_Delete(init);
    ta_srp_client_free(&c);
}
END_TEST

START_TEST(test_auth_srp_session_expires)
{
    struct ta_srp_client c = ta_srp_client_new();
    char ts[40], sig[SRP_SIGNATURE_B64_LEN + 1], longer[64];
    cJSON *init, *resp;
    const cJSON *params;

    ta_add_user("alice", "CONFIRMED");
    init = srp_initiate(NULL, ta_client_id, "alice", c.A_hex, "");
    params = verifier_params(init);
    /* AuthSessionValidity defaults to 3 minutes. The client's clock is the wall clock, which
     * TIMESTAMP may follow when the emulator's clock was moved. */
    clock_set_offset_ms(3 * 60 * 1000 + 1000);
    ta_srp_timestamp(clock_now_ms() - clock_offset_ms(), ts);
    ta_srp_sign(&c, ta_pool_id, params, TA_PASSWORD, ts, sig);
    resp = srp_respond(NULL, ta_client_id, "alice", tu_str(params, "SECRET_BLOCK"), ts, sig, "");
    tu_assert_error(resp, "NotAuthorizedException",
                    "Invalid session for the user, session is expired.");
    cJSON_Delete(resp);
    cJSON_Delete(init);
    clock_set_offset_ms(0);

    /* A client with AuthSessionValidity 5 keeps the challenge open for 5 minutes; TIMESTAMP
     * may follow the emulator's clock too. */
    ta_create_client_in(ta_pool_id, TA_FLOWS ",\"AuthSessionValidity\":5", longer);
    init = srp_initiate(NULL, longer, "alice", c.A_hex, "");
    params = verifier_params(init);
    clock_set_offset_ms(4 * 60 * 1000);
    ta_srp_timestamp(clock_now_ms(), ts);
    ta_srp_sign(&c, ta_pool_id, params, TA_PASSWORD, ts, sig);
    resp = srp_respond(NULL, longer, "alice", tu_str(params, "SECRET_BLOCK"), ts, sig, "");
    ck_assert_ptr_nonnull(tu_str(ta_result_of(resp), "AccessToken"));
    cJSON_Delete(resp);
    cJSON_Delete(init);
    ta_srp_client_free(&c);
}
END_TEST

START_TEST(test_auth_srp_invalid_srp_a)
{
    /* Not hex, a sign, nothing, 0, N and 2N (0 mod N): InvalidParameterException, as Cognito
     * answers a tampered SRP_A (amazon-archives/amazon-cognito-identity-js#356). */
    BIGNUM *twice = BN_new();
    char *n_hex = srp_bn_to_hex(srp_group_N()), *two_n_hex, upper[1100];
    struct ta_srp_client c = ta_srp_client_new();
    cJSON *resp;

    ck_assert(BN_lshift1(twice, srp_group_N()));
    two_n_hex = srp_bn_to_hex(twice);
    ta_add_user("alice", "CONFIRMED");
    {
        const char *bad[] = {"xyz", "-5", "", "0", "000", n_hex, two_n_hex};
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
            resp = srp_initiate(NULL, ta_client_id, "alice", bad[i], "");
            tu_assert_error(resp, "InvalidParameterException", "Invalid SRP_A value.");
            cJSON_Delete(resp);
        }
    }
    /* Leading zeros and upper case are the same number. */
    snprintf(upper, sizeof(upper), "0000%s", c.A_hex);
    for (size_t i = 0; upper[i] != '\0'; i++)
        upper[i] = (char)toupper((unsigned char)upper[i]);
    resp = srp_initiate(NULL, ta_client_id, "alice", upper, "");
    ck_assert_ptr_nonnull(verifier_params(resp));
    cJSON_Delete(resp);
    BN_free(twice);
    free(n_hex);
    free(two_n_hex);
    ta_srp_client_free(&c);
}
END_TEST

START_TEST(test_auth_srp_secret_hash)
{
    char secret_client[64], secret[64], ts[40], sig[SRP_SIGNATURE_B64_LEN + 1], extra[128];
    struct ta_srp_client c = ta_srp_client_new();
    char *hash;
    cJSON *init, *resp;
    const cJSON *params;

    ta_create_client_in(ta_pool_id, TA_FLOWS ",\"GenerateSecret\":true", secret_client);
    ta_client_secret(secret_client, secret);
    ta_add_user("alice", "CONFIRMED");
    resp = srp_initiate(NULL, secret_client, "alice", c.A_hex, "");
    tu_assert_error(resp, "NotAuthorizedException", NULL);
    ck_assert_ptr_nonnull(strstr(tu_str(resp, "message"), "secret was not received"));
    cJSON_Delete(resp);
    hash = secrets_secret_hash(secret, "alice", secret_client);
    snprintf(extra, sizeof(extra), ",\"SECRET_HASH\":\"%s\"", hash);
    init = srp_initiate(NULL, secret_client, "alice", c.A_hex, extra);
    params = verifier_params(init);
    ta_srp_timestamp(clock_now_ms(), ts);
    ta_srp_sign(&c, ta_pool_id, params, TA_PASSWORD, ts, sig);
    resp = srp_respond(NULL, secret_client, "alice", tu_str(params, "SECRET_BLOCK"), ts, sig, "");
    tu_assert_error(resp, "NotAuthorizedException", NULL);
    ck_assert_ptr_nonnull(strstr(tu_str(resp, "message"), "secret was not received"));
    cJSON_Delete(resp);
    resp = srp_respond(NULL, secret_client, "alice", tu_str(params, "SECRET_BLOCK"), ts, sig,
                       ",\"SECRET_HASH\":\"bm90IHRoZSBoYXNo\"");
    ck_assert_ptr_nonnull(strstr(tu_str(resp, "message"), "Unable to verify secret hash"));
    cJSON_Delete(resp);
    resp =
        srp_respond(NULL, secret_client, "alice", tu_str(params, "SECRET_BLOCK"), ts, sig, extra);
    ck_assert_ptr_nonnull(tu_str(ta_result_of(resp), "AccessToken"));
    cJSON_Delete(resp);
    cJSON_Delete(init);
    free(hash);
    ta_srp_client_free(&c);
}
END_TEST

START_TEST(test_auth_srp_unknown_user_with_prevent_user_existence_errors)
{
    char hiding[64], salt[64];
    struct ta_srp_client c = ta_srp_client_new();
    cJSON *resp;
    const cJSON *params;
    char *email_pool;

    resp = srp_initiate(NULL, ta_client_id, "nobody", c.A_hex, "");
    tu_assert_error(resp, "UserNotFoundException", "User does not exist.");
    cJSON_Delete(resp);

    ta_create_client_in(ta_pool_id, TA_FLOWS ",\"PreventUserExistenceErrors\":\"ENABLED\"", hiding);
    resp = srp_initiate(NULL, hiding, "nobody", c.A_hex, "");
    params = verifier_params(resp);
    ck_assert_str_eq(tu_str(params, "USER_ID_FOR_SRP"), "nobody");
    ck_assert_str_eq(tu_str(params, "USERNAME"), "nobody");
    tu_assert_matches(tu_str(params, "SALT"), "^[1-9a-f][0-9a-f]{20,31}$");
    tu_assert_matches(tu_str(params, "SRP_B"), "^[1-9a-f][0-9a-f]{500,767}$");
    tu_assert_matches(tu_str(params, "SECRET_BLOCK"), "^[A-Za-z0-9+/]{128}$");
    ck_assert_ptr_null(tu_get(resp, "Session"));
    snprintf(salt, sizeof(salt), "%s", tu_str(params, "SALT"));
    cJSON_Delete(resp);
    /* The same salt every time for that name (a real user's does not change either); another
     * name gets another. */
    resp = srp_initiate(NULL, hiding, "nobody", c.A_hex, "");
    ck_assert_str_eq(tu_str(verifier_params(resp), "SALT"), salt);
    cJSON_Delete(resp);
    resp = srp_initiate(NULL, hiding, "somebody", c.A_hex, "");
    ck_assert_str_ne(tu_str(verifier_params(resp), "SALT"), salt);
    cJSON_Delete(resp);
    /* It fails only at the verifier, like a wrong password. */
    resp = srp_sign_in_to(ta_pool_id, hiding, "nobody", TA_PASSWORD);
    tu_assert_error(resp, "NotAuthorizedException", "Incorrect username or password.");
    cJSON_Delete(resp);

    /* In a pool that signs in by email, a real USER_ID_FOR_SRP is a UUID: so is the made-up one,
     * the same one every time. */
    email_pool = tu_create_user_pool(env, "{\"PoolName\":\"byemail\","
                                          "\"UsernameAttributes\":[\"email\"]}");
    ta_create_client_in(email_pool, TA_FLOWS ",\"PreventUserExistenceErrors\":\"ENABLED\"", hiding);
    resp = srp_initiate(NULL, hiding, "no@example.com", c.A_hex, "");
    params = verifier_params(resp);
    tu_assert_matches(tu_str(params, "USER_ID_FOR_SRP"),
                      "^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$");
    snprintf(salt, sizeof(salt), "%s", tu_str(params, "USER_ID_FOR_SRP"));
    cJSON_Delete(resp);
    resp = srp_initiate(NULL, hiding, "no@example.com", c.A_hex, "");
    ck_assert_str_eq(tu_str(verifier_params(resp), "USER_ID_FOR_SRP"), salt);
    cJSON_Delete(resp);
    resp = srp_sign_in_to(email_pool, hiding, "no@example.com", TA_PASSWORD);
    tu_assert_error(resp, "NotAuthorizedException", "Incorrect username or password.");
    cJSON_Delete(resp);
    free(email_pool);
    ta_srp_client_free(&c);
}
END_TEST

START_TEST(test_auth_srp_user_states_after_the_verifier)
{
    struct store_conn *db;
    struct store_user *u;
    cJSON *resp;

    ta_add_user("bob", "UNCONFIRMED");
    resp = srp_sign_in("bob", TA_PASSWORD);
    tu_assert_error(resp, "UserNotConfirmedException", "User is not confirmed.");
    cJSON_Delete(resp);
    resp = srp_sign_in("bob", "Wrong-passw0rd");
    tu_assert_error(resp, "NotAuthorizedException", "Incorrect username or password.");
    cJSON_Delete(resp);

    ta_add_user("carol", "CONFIRMED");
    u = ta_get_user("carol");
    u->enabled = 0;
    db = store_acquire(env->store);
    ck_assert_int_eq(store_user_update(db, u), STORE_OK);
    store_release(env->store, db);
    store_user_free(u);
    resp = srp_sign_in("carol", TA_PASSWORD);
    tu_assert_error(resp, "NotAuthorizedException", "User is disabled.");
    cJSON_Delete(resp);
    resp = srp_sign_in("carol", "Wrong-passw0rd");
    tu_assert_error(resp, "NotAuthorizedException", "Incorrect username or password.");
    cJSON_Delete(resp);

    ta_add_user("dave", "RESET_REQUIRED");
    resp = srp_sign_in("dave", TA_PASSWORD);
    tu_assert_error(resp, "PasswordResetRequiredException", "Password reset required for the user");
    cJSON_Delete(resp);
}
END_TEST

START_TEST(test_auth_srp_force_change_password_continues_to_new_password)
{
    char session[512];
    cJSON *resp;
    const cJSON *params;

    ta_add_user("temp", "FORCE_CHANGE_PASSWORD");
    resp = srp_sign_in("temp", TA_PASSWORD);
    ck_assert_msg(tu_error_type(resp) == NULL, "%s", tu_str(resp, "message"));
    ck_assert_str_eq(tu_str(resp, "ChallengeName"), "NEW_PASSWORD_REQUIRED");
    params = tu_get(resp, "ChallengeParameters");
    ck_assert_str_eq(tu_str(params, "USER_ID_FOR_SRP"), "temp");
    ck_assert_ptr_nonnull(tu_str(params, "userAttributes"));
    ck_assert_ptr_null(tu_get(resp, "AuthenticationResult"));
    snprintf(session, sizeof(session), "%s", tu_str(resp, "Session"));
    ck_assert_int_ge((int)strlen(session), 40);
    cJSON_Delete(resp);

    resp = ta_respond_new_password(ta_client_id, session, "N3w-passw0rd", "");
    ck_assert_ptr_nonnull(tu_str(ta_result_of(resp), "AccessToken"));
    cJSON_Delete(resp);
    /* The new password's verifier replaced the old one: SRP proves the new password only. */
    resp = srp_sign_in("temp", "N3w-passw0rd");
    ck_assert_ptr_nonnull(tu_str(ta_result_of(resp), "AccessToken"));
    cJSON_Delete(resp);
    resp = srp_sign_in("temp", TA_PASSWORD);
    tu_assert_error(resp, "NotAuthorizedException", "Incorrect username or password.");
    cJSON_Delete(resp);
}
END_TEST

/* A password set between the challenge and the answer: B was made from the old verifier. */
START_TEST(test_auth_srp_password_changed_during_the_challenge)
{
    struct ta_srp_client c = ta_srp_client_new();
    char ts[40], sig[SRP_SIGNATURE_B64_LEN + 1];
    struct op_ctx ctx = ta_ctx_new();
    cJSON *init, *resp, *pool = NULL;
    struct store_user *u;
    const cJSON *params;

    ta_add_user("alice", "CONFIRMED");
    init = srp_initiate(NULL, ta_client_id, "alice", c.A_hex, "");
    params = verifier_params(init);
    u = ta_get_user("alice");
    ck_assert_int_eq(pool_load(&ctx, ta_pool_id, &pool), 0);
    ck_assert_int_eq(user_set_password(&ctx, pool, u, "N3w-passw0rd"), 0);
    ck_assert_int_eq(store_user_update(ctx.db, u), STORE_OK);
    ta_ctx_done(&ctx);
    ta_srp_timestamp(clock_now_ms(), ts);
    ta_srp_sign(&c, ta_pool_id, params, TA_PASSWORD, ts, sig);
    resp = srp_respond(NULL, ta_client_id, "alice", tu_str(params, "SECRET_BLOCK"), ts, sig, "");
    tu_assert_error(resp, "NotAuthorizedException", "Incorrect username or password.");
    cJSON_Delete(resp);
    cJSON_Delete(init);
    cJSON_Delete(pool);
    store_user_free(u);
    ta_srp_client_free(&c);
}
END_TEST

START_TEST(test_auth_srp_admin_operations)
{
    struct ta_srp_client c = ta_srp_client_new();
    char ts[40], sig[SRP_SIGNATURE_B64_LEN + 1];
    char *other = tu_create_user_pool(env, "{\"PoolName\":\"other\"}");
    cJSON *init, *resp;
    const cJSON *params;

    ta_add_user("alice", "CONFIRMED");
    init = srp_initiate(ta_pool_id, ta_client_id, "alice", c.A_hex, "");
    params = verifier_params(init);
    ta_srp_timestamp(clock_now_ms(), ts);
    ta_srp_sign(&c, ta_pool_id, params, TA_PASSWORD, ts, sig);
    /* The client must be the named pool's. */
    resp = srp_respond(other, ta_client_id, "alice", tu_str(params, "SECRET_BLOCK"), ts, sig, "");
    tu_assert_error(resp, "ResourceNotFoundException", NULL);
    cJSON_Delete(resp);
    resp =
        srp_respond(ta_pool_id, ta_client_id, "alice", tu_str(params, "SECRET_BLOCK"), ts, sig, "");
    ck_assert_ptr_nonnull(tu_str(ta_result_of(resp), "RefreshToken"));
    cJSON_Delete(resp);
    cJSON_Delete(init);
    free(other);
    ta_srp_client_free(&c);
}
END_TEST

/* A challenge is bound to its client and its user. */
START_TEST(test_auth_srp_challenge_of_another_client_or_user)
{
    struct ta_srp_client c = ta_srp_client_new();
    char ts[40], sig[SRP_SIGNATURE_B64_LEN + 1], second[64];
    cJSON *init, *resp;
    const cJSON *params;

    ta_add_user("alice", "CONFIRMED");
    ta_add_user("bob", "CONFIRMED");
    ta_create_client_in(ta_pool_id, TA_FLOWS, second);
    init = srp_initiate(NULL, ta_client_id, "alice", c.A_hex, "");
    params = verifier_params(init);
    ta_srp_timestamp(clock_now_ms(), ts);
    ta_srp_sign(&c, ta_pool_id, params, TA_PASSWORD, ts, sig);
    resp = srp_respond(NULL, second, "alice", tu_str(params, "SECRET_BLOCK"), ts, sig, "");
    tu_assert_error(resp, "NotAuthorizedException", "Incorrect username or password.");
    cJSON_Delete(resp);
    resp = srp_respond(NULL, ta_client_id, "bob", tu_str(params, "SECRET_BLOCK"), ts, sig, "");
    tu_assert_error(resp, "NotAuthorizedException", NULL);
    cJSON_Delete(resp);
    cJSON_Delete(init);
    ta_srp_client_free(&c);
}
END_TEST

/* In a case-insensitive pool USER_ID_FOR_SRP is the stored (lower-case) username, whatever
 * case the user typed: the verifier was made over it. */
START_TEST(test_auth_srp_user_id_is_the_stored_username)
{
    char *pool = tu_create_user_pool(env, "{\"PoolName\":\"ci\","
                                          "\"UsernameConfiguration\":{\"CaseSensitive\":false}}");
    char client[64];
    struct ta_srp_client c = ta_srp_client_new();
    cJSON *resp;

    ta_create_client_in(pool, TA_FLOWS, client);
    ta_add_user_to(pool, "erin", TA_PASSWORD, "CONFIRMED", "{}");
    resp = srp_initiate(NULL, client, "ERIN", c.A_hex, "");
    ck_assert_str_eq(tu_str(verifier_params(resp), "USER_ID_FOR_SRP"), "erin");
    ck_assert_str_eq(tu_str(verifier_params(resp), "USERNAME"), "erin");
    cJSON_Delete(resp);
    resp = srp_sign_in_to(pool, client, "Erin", TA_PASSWORD);
    ck_assert_ptr_nonnull(tu_str(ta_result_of(resp), "AccessToken"));
    cJSON_Delete(resp);
    free(pool);
    ta_srp_client_free(&c);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("auth_srp");
    TCase *tc = tcase_create("srp");

    /* Each test makes RSA keys for its pools (~0.1 s a key), more under sanitizers/valgrind. */
    tcase_set_timeout(tc, 120);
    tcase_add_checked_fixture(tc, ta_setup, tu_teardown);
    tcase_add_test(tc, test_auth_srp_sign_in_returns_tokens);
    tcase_add_test(tc, test_auth_srp_wrong_password);
    tcase_add_test(tc, test_auth_srp_tampered_responses_are_refused);
    tcase_add_test(tc, test_auth_srp_timestamps_of_other_dates);
    tcase_add_test(tc, test_auth_srp_missing_and_unknown_sessions);
    tcase_add_test(tc, test_auth_srp_missing_claim_parameters);
    tcase_add_test(tc, test_auth_srp_session_expires);
    tcase_add_test(tc, test_auth_srp_invalid_srp_a);
    tcase_add_test(tc, test_auth_srp_secret_hash);
    tcase_add_test(tc, test_auth_srp_unknown_user_with_prevent_user_existence_errors);
    tcase_add_test(tc, test_auth_srp_user_states_after_the_verifier);
    tcase_add_test(tc, test_auth_srp_force_change_password_continues_to_new_password);
    tcase_add_test(tc, test_auth_srp_password_changed_during_the_challenge);
    tcase_add_test(tc, test_auth_srp_admin_operations);
    tcase_add_test(tc, test_auth_srp_challenge_of_another_client_or_user);
    tcase_add_test(tc, test_auth_srp_user_id_is_the_stored_username);
    suite_add_tcase(s, tc);
    return s;
}
