/*
 * check_ops_webauthn: the passkey operations (userpool/ops_webauthn.c), WebAuthnConfiguration
 * in SetUserPoolMfaConfig / GetUserPoolMfaConfig, the users' auth factors, and the WEB_AUTHN
 * response of sign-in (auth/auth_webauthn.c). The ceremonies come from the test's software
 * authenticator (testpasskey.c). The WEB_AUTHN session is written into the store as
 * auth_ask_web_authn stores it, so that the response is tested without USER_AUTH.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/webauthn.h"
#include "store/store.h"
#include "testauth.h"
#include "testpasskey.h"
#include "testutil.h"
#include "util/clock.h"

static struct tu_env *const env = &tu_fixture;

#define RP "example.com"
#define REFUSED "Passkey authentication failed."
#define POOL_BODY                                                                                  \
    "{\"PoolName\":\"pk\",\"Policies\":{\"SignInPolicy\":{\"AllowedFirstAuthFactors\":"            \
    "[\"PASSWORD\",\"WEB_AUTHN\"]}}}"

static char pool_id[IDS_MAX];
static char client_id[64];

/* A pool with passkeys as a first factor, RP ID example.com, a client, users alice and bob. */
static void setup(void)
{
    char *id;
    cJSON *r;

    ta_setup();
    id = tu_create_user_pool(env, POOL_BODY);
    snprintf(pool_id, sizeof(pool_id), "%s", id);
    free(id);
    ta_create_client_in(pool_id,
                        "\"ExplicitAuthFlows\":[\"ALLOW_USER_PASSWORD_AUTH\","
                        "\"ALLOW_USER_AUTH\",\"ALLOW_REFRESH_TOKEN_AUTH\"]",
                        client_id);
    r = tu_callf(env, IDP "SetUserPoolMfaConfig",
                 "{\"UserPoolId\":\"%s\",\"WebAuthnConfiguration\":{\"RelyingPartyId\":\"" RP
                 "\",\"UserVerification\":\"required\"}}",
                 pool_id);
    ck_assert_ptr_null(tu_error_type(r));
    cJSON_Delete(r);
    ta_add_user_to(pool_id, "alice", TA_PASSWORD, "CONFIRMED", "{\"email\":\"alice@example.com\"}");
    ta_add_user_to(pool_id, "bob", TA_PASSWORD, "CONFIRMED", "{}");
}

/* An access token of user with client (free()). */
static char *token_of(const char *client, const char *user)
{
    cJSON *r = ta_sign_in_with(client, user, TA_PASSWORD);
    char *t = strdup(tu_str(ta_result_of(r), "AccessToken"));

    cJSON_Delete(r);
    return t;
}

/* StartWebAuthnRegistration: the options (cJSON_Delete) and the challenge into ch. */
static cJSON *start(const char *token, char *ch, size_t n)
{
    cJSON *r = tu_callf(env, IDP "StartWebAuthnRegistration", "{\"AccessToken\":\"%s\"}", token);
    cJSON *o;

    ck_assert_msg(tu_error_type(r) == NULL, "%s", tu_str(r, "message"));
    o = cJSON_DetachItemFromObject(r, "CredentialCreationOptions");
    cJSON_Delete(r);
    snprintf(ch, n, "%s", tu_str(o, "challenge"));
    return o;
}

/* CompleteWebAuthnRegistration with the credential k made with o. */
static cJSON *complete(const char *token, const struct tp_key *k, const struct tp_opts *o)
{
    cJSON *cred = tp_registration_json(k, o, "platform");
    char *text = cJSON_PrintUnformatted(cred);
    cJSON *r = tu_callf(env, IDP "CompleteWebAuthnRegistration",
                        "{\"AccessToken\":\"%s\",\"Credential\":%s}", token, text);

    free(text);
    cJSON_Delete(cred);
    return r;
}

/* Start and complete a registration of k for token's user; must succeed. */
static void register_key(const char *token, const struct tp_key *k)
{
    char ch[128];
    cJSON *o = start(token, ch, sizeof(ch)), *r;
    struct tp_opts opts = {.challenge = ch, .rp_id = RP};

    r = complete(token, k, &opts);
    ck_assert_msg(tu_error_type(r) == NULL, "%s", tu_str(r, "message"));
    cJSON_Delete(r);
    cJSON_Delete(o);
}

START_TEST(test_webauthn_creation_options_are_cognitos)
{
    char *token = token_of(client_id, "alice"), ch[128], *uid;
    struct store_user *u = NULL;
    struct op_ctx ctx = ta_ctx_new();
    cJSON *o = start(token, ch, sizeof(ch)), *p, *sel;

    ck_assert_int_eq(store_user_get(ctx.db, pool_id, "alice", &u), STORE_OK);
    uid = tp_b64((const unsigned char *)u->sub, strlen(u->sub));
    ck_assert_str_eq(tu_str(tu_get(o, "rp"), "id"), RP);
    ck_assert_str_eq(tu_str(tu_get(o, "rp"), "name"), RP);
    ck_assert_str_eq(tu_str(tu_get(o, "user"), "id"), uid);
    ck_assert_str_eq(tu_str(tu_get(o, "user"), "name"), "alice");
    ck_assert_str_eq(tu_str(tu_get(o, "user"), "displayName"), "alice");
    ck_assert_uint_ge(strlen(ch), 43);
    ck_assert_int_eq((int)tu_num(o, "timeout"), 60000);
    p = tu_get(o, "pubKeyCredParams");
    ck_assert_int_eq(cJSON_GetArraySize(p), 2);
    ck_assert_int_eq((int)tu_num(cJSON_GetArrayItem(p, 0), "alg"), -7);
    ck_assert_int_eq((int)tu_num(cJSON_GetArrayItem(p, 1), "alg"), -257);
    ck_assert_str_eq(tu_str(cJSON_GetArrayItem(p, 0), "type"), "public-key");
    ck_assert_int_eq(cJSON_GetArraySize(tu_get(o, "excludeCredentials")), 0);
    sel = tu_get(o, "authenticatorSelection");
    ck_assert(tu_bool(sel, "requireResidentKey"));
    ck_assert_str_eq(tu_str(sel, "residentKey"), "required");
    ck_assert_str_eq(tu_str(sel, "userVerification"), "required");
    ck_assert_ptr_null(tu_get(o, "attestation"));
    free(uid);
    store_user_free(u);
    ta_ctx_done(&ctx);
    cJSON_Delete(o);
    free(token);
}
END_TEST

START_TEST(test_webauthn_register_list_factors_delete)
{
    char *token = token_of(client_id, "alice"), ch[128], *id;
    struct tp_key k, k2;
    cJSON *r, *c, *o;

    tp_key_init(&k, WEBAUTHN_ES256, 0);
    tp_key_init(&k2, WEBAUTHN_RS256, 1);
    register_key(token, &k);
    register_key(token, &k2);
    id = tp_b64(k.cred_id, sizeof(k.cred_id));
    /* The next Start excludes both. */
    o = start(token, ch, sizeof(ch));
    ck_assert_int_eq(cJSON_GetArraySize(tu_get(o, "excludeCredentials")), 2);
    ck_assert_str_eq(tu_str(cJSON_GetArrayItem(tu_get(o, "excludeCredentials"), 0), "id"), id);
    cJSON_Delete(o);
    r = tu_callf(env, IDP "ListWebAuthnCredentials", "{\"AccessToken\":\"%s\",\"MaxResults\":1}",
                 token);
    ck_assert_int_eq(cJSON_GetArraySize(tu_get(r, "Credentials")), 1);
    c = cJSON_GetArrayItem(tu_get(r, "Credentials"), 0);
    ck_assert_str_eq(tu_str(c, "CredentialId"), id);
    ck_assert_str_eq(tu_str(c, "FriendlyCredentialName"), "Platform passkey");
    ck_assert_str_eq(tu_str(c, "RelyingPartyId"), RP);
    ck_assert_str_eq(tu_str(c, "AuthenticatorAttachment"), "platform");
    ck_assert_int_eq(cJSON_GetArraySize(tu_get(c, "AuthenticatorTransports")), 2);
    ck_assert(tu_num(c, "CreatedAt") > 1e9);
    ck_assert_str_eq(tu_str(r, "NextToken"), "1");
    cJSON_Delete(r);
    r = tu_callf(env, IDP "ListWebAuthnCredentials", "{\"AccessToken\":\"%s\",\"NextToken\":\"1\"}",
                 token);
    ck_assert_int_eq(cJSON_GetArraySize(tu_get(r, "Credentials")), 1);
    ck_assert_ptr_null(tu_get(r, "NextToken"));
    cJSON_Delete(r);
    r = tu_callf(env, IDP "ListWebAuthnCredentials", "{\"AccessToken\":\"%s\",\"NextToken\":\"x\"}",
                 token);
    tu_assert_error(r, "InvalidParameterException", NULL);
    cJSON_Delete(r);
    /* The factors, by access token and as an administrator. */
    r = tu_callf(env, IDP "GetUserAuthFactors", "{\"AccessToken\":\"%s\"}", token);
    ck_assert_str_eq(tu_str(r, "Username"), "alice");
    ck_assert_int_eq(cJSON_GetArraySize(tu_get(r, "ConfiguredUserAuthFactors")), 2);
    ck_assert_str_eq(cJSON_GetArrayItem(tu_get(r, "ConfiguredUserAuthFactors"), 0)->valuestring,
                     "PASSWORD");
    ck_assert_str_eq(cJSON_GetArrayItem(tu_get(r, "ConfiguredUserAuthFactors"), 1)->valuestring,
                     "WEB_AUTHN");
    cJSON_Delete(r);
    r = tu_callf(env, IDP "AdminGetUserAuthFactors", "{\"UserPoolId\":\"%s\",\"Username\":\"bob\"}",
                 pool_id);
    ck_assert_int_eq(cJSON_GetArraySize(tu_get(r, "ConfiguredUserAuthFactors")), 1);
    cJSON_Delete(r);
    /* Delete: unknown, then one of them. */
    r = tu_callf(env, IDP "DeleteWebAuthnCredential",
                 "{\"AccessToken\":\"%s\",\"CredentialId\":\"nope\"}", token);
    tu_assert_error(r, "ResourceNotFoundException", NULL);
    cJSON_Delete(r);
    r = tu_callf(env, IDP "DeleteWebAuthnCredential",
                 "{\"AccessToken\":\"%s\",\"CredentialId\":\"%s\"}", token, id);
    ck_assert_ptr_null(tu_error_type(r));
    cJSON_Delete(r);
    r = tu_callf(env, IDP "ListWebAuthnCredentials", "{\"AccessToken\":\"%s\"}", token);
    ck_assert_int_eq(cJSON_GetArraySize(tu_get(r, "Credentials")), 1);
    cJSON_Delete(r);
    free(id);
    tp_key_free(&k);
    tp_key_free(&k2);
    free(token);
}
END_TEST

START_TEST(test_webauthn_registration_errors)
{
    char *token = token_of(client_id, "alice"), *bob = token_of(client_id, "bob"), ch[128];
    char other[64], *token2;
    struct tp_key k;
    cJSON *r, *o;
    struct tp_opts opts;

    tp_key_init(&k, WEBAUTHN_ES256, 0);
    /* Nothing started. */
    opts = (struct tp_opts){.challenge = "Zm9v", .rp_id = RP};
    r = complete(token, &k, &opts);
    tu_assert_error(r, "WebAuthnChallengeNotFoundException", NULL);
    cJSON_Delete(r);
    /* Started by another app client. */
    ta_create_client_in(pool_id, TA_FLOWS, other);
    token2 = token_of(other, "alice");
    o = start(token2, ch, sizeof(ch));
    opts = (struct tp_opts){.challenge = ch, .rp_id = RP};
    r = complete(token, &k, &opts);
    tu_assert_error(r, "WebAuthnClientMismatchException", NULL);
    cJSON_Delete(r);
    cJSON_Delete(o);
    /* Each check, on a fresh Start (a refused Complete leaves the challenge). */
    static const struct {
        struct tp_opts o;
        const char *error;
    } CASES[] = {
        {{.origin = "https://evil.com"}, "WebAuthnOriginNotAllowedException"},
        {{.rp_id = "evil.com", .origin = "https://example.com"},
         "WebAuthnRelyingPartyMismatchException"},
        {{.fmt = "fido-u2f"}, "WebAuthnCredentialNotSupportedException"},
        {{.flags = 0x01}, "WebAuthnCredentialNotSupportedException"},
        {{.challenge = "b3RoZXI"}, "WebAuthnChallengeNotFoundException"},
        {{.client_data = "x"}, "InvalidParameterException"},
    };
    o = start(token, ch, sizeof(ch));
    for (size_t i = 0; i < sizeof(CASES) / sizeof(CASES[0]); i++) {
        opts = CASES[i].o;
        if (opts.challenge == NULL)
            opts.challenge = ch;
        if (opts.rp_id == NULL)
            opts.rp_id = RP;
        r = complete(token, &k, &opts);
        ck_assert_msg(tu_error_type(r) != NULL && strcmp(tu_error_type(r), CASES[i].error) == 0,
                      "case %zu: %s %s", i, tu_error_type(r), tu_str(r, "message"));
        cJSON_Delete(r);
    }
    /* Expired after five minutes. */
    clock_set_offset_ms(5 * 60 * 1000 + 1000);
    opts = (struct tp_opts){.challenge = ch, .rp_id = RP};
    r = complete(token, &k, &opts);
    tu_assert_error(r, "WebAuthnChallengeNotFoundException", NULL);
    cJSON_Delete(r);
    clock_set_offset_ms(0);
    cJSON_Delete(o);
    /* A credential already in the pool, even another user's. */
    register_key(token, &k);
    o = start(bob, ch, sizeof(ch));
    opts = (struct tp_opts){.challenge = ch, .rp_id = RP};
    r = complete(bob, &k, &opts);
    tu_assert_error(r, "InvalidParameterException",
                    "This passkey is already registered in the user pool.");
    cJSON_Delete(r);
    cJSON_Delete(o);
    tp_key_free(&k);
    free(token);
    free(token2);
    free(bob);
}
END_TEST

START_TEST(test_webauthn_limit_is_twenty)
{
    char *token = token_of(client_id, "bob");
    struct op_ctx ctx = ta_ctx_new();
    struct store_user *u = NULL;
    char id[16];
    cJSON *r;

    ck_assert_int_eq(store_user_get(ctx.db, pool_id, "bob", &u), STORE_OK);
    for (int i = 0; i < 20; i++) {
        struct store_webauthn c = {.pool_id = (char *)pool_id,
                                   .credential_id = id,
                                   .user_seq = u->seq,
                                   .rp_id = (char *)RP,
                                   .alg = -7,
                                   .public_key = (unsigned char *)"x",
                                   .public_key_len = 1,
                                   .transports = (char *)"[]",
                                   .created_ms = i};
        snprintf(id, sizeof(id), "c%d", i);
        ck_assert_int_eq(store_webauthn_put(ctx.db, &c), STORE_OK);
    }
    r = tu_callf(env, IDP "StartWebAuthnRegistration", "{\"AccessToken\":\"%s\"}", token);
    tu_assert_error(r, "LimitExceededException", NULL);
    cJSON_Delete(r);
    r = tu_callf(env, IDP "ListWebAuthnCredentials", "{\"AccessToken\":\"%s\"}", token);
    ck_assert_int_eq(cJSON_GetArraySize(tu_get(r, "Credentials")), 20);
    ck_assert_ptr_null(tu_get(r, "NextToken"));
    cJSON_Delete(r);
    store_user_free(u);
    ta_ctx_done(&ctx);
    free(token);
}
END_TEST

START_TEST(test_webauthn_pool_configuration)
{
    char *id, *token, ch[128];
    cJSON *r, *o, *w;

    r = tu_callf(env, IDP "GetUserPoolMfaConfig", "{\"UserPoolId\":\"%s\"}", pool_id);
    w = tu_get(r, "WebAuthnConfiguration");
    ck_assert_str_eq(tu_str(w, "RelyingPartyId"), RP);
    ck_assert_str_eq(tu_str(w, "UserVerification"), "required");
    ck_assert_str_eq(tu_str(w, "FactorConfiguration"), "SINGLE_FACTOR");
    cJSON_Delete(r);
    /* LITE has no passkeys. */
    id = tu_create_user_pool(env, "{\"PoolName\":\"lite\",\"UserPoolTier\":\"LITE\"}");
    r = tu_callf(env, IDP "SetUserPoolMfaConfig",
                 "{\"UserPoolId\":\"%s\",\"WebAuthnConfiguration\":{\"RelyingPartyId\":\"x.com\"}}",
                 id);
    tu_assert_error(r, "FeatureUnavailableInTierException", NULL);
    cJSON_Delete(r);
    free(id);
    /* The suite's standard pool lacks WEB_AUTHN among its first factors. */
    ta_add_user_to(ta_pool_id, "carol", TA_PASSWORD, "CONFIRMED", "{}");
    token = token_of(ta_client_id, "carol");
    r = tu_callf(env, IDP "StartWebAuthnRegistration", "{\"AccessToken\":\"%s\"}", token);
    tu_assert_error(r, "WebAuthnNotEnabledException", NULL);
    cJSON_Delete(r);
    free(token);
    /* No RP ID and no domain; then the prefix domain's host. */
    id = tu_create_user_pool(env, POOL_BODY);
    {
        char client[64];

        ta_create_client_in(id, TA_FLOWS, client);
        ta_add_user_to(id, "dave", TA_PASSWORD, "CONFIRMED", "{}");
        token = token_of(client, "dave");
    }
    r = tu_callf(env, IDP "StartWebAuthnRegistration", "{\"AccessToken\":\"%s\"}", token);
    tu_assert_error(r, "WebAuthnConfigurationMissingException", NULL);
    cJSON_Delete(r);
    r = tu_callf(env, IDP "CreateUserPoolDomain", "{\"UserPoolId\":\"%s\",\"Domain\":\"dave-app\"}",
                 id);
    ck_assert_ptr_null(tu_error_type(r));
    cJSON_Delete(r);
    o = start(token, ch, sizeof(ch));
    ck_assert_str_eq(tu_str(tu_get(o, "rp"), "id"), "dave-app.auth.us-east-1.amazoncognito.com");
    ck_assert_str_eq(tu_str(tu_get(o, "authenticatorSelection"), "userVerification"), "preferred");
    cJSON_Delete(o);
    free(token);
    free(id);
}
END_TEST

/* ---- The WEB_AUTHN response -------------------------------------------------------------- */

/* Store a WEB_AUTHN session for user with challenge, as auth_ask_web_authn does. */
static void put_session(const char *key, const char *user, const char *challenge)
{
    struct op_ctx ctx = ta_ctx_new();
    struct store_user *u = NULL;
    char data[256];
    struct store_session s = {.pool_id = pool_id,
                              .client_id = client_id,
                              .challenge = (char *)"WEB_AUTHN",
                              .data = data,
                              .expires_ms = clock_now_ms() + 180000};

    ck_assert_int_eq(store_user_get(ctx.db, pool_id, user, &u), STORE_OK);
    s.user_seq = u->seq;
    snprintf(data, sizeof(data), "{\"webauthn_challenge\":\"%s\"}", challenge);
    ck_assert_int_eq(store_session_put(ctx.db, key, &s), STORE_OK);
    store_user_free(u);
    ta_ctx_done(&ctx);
}

/* RespondToAuthChallenge WEB_AUTHN with session key for user and credential text. */
static cJSON *respond(const char *key, const char *user, const char *credential)
{
    cJSON *body = cJSON_CreateObject(), *cr = cJSON_AddObjectToObject(body, "ChallengeResponses");
    char *text;
    cJSON *r;

    cJSON_AddStringToObject(body, "ClientId", client_id);
    cJSON_AddStringToObject(body, "ChallengeName", "WEB_AUTHN");
    cJSON_AddStringToObject(body, "Session", key);
    cJSON_AddStringToObject(cr, "USERNAME", user);
    cJSON_AddStringToObject(cr, "CREDENTIAL", credential);
    text = cJSON_PrintUnformatted(body);
    r = tu_call(env, IDP "RespondToAuthChallenge", text);
    free(text);
    cJSON_Delete(body);
    return r;
}

#define SESSION_KEY "c2Vzc2lvbi1zZXNzaW9uLXNlc3Npb24tc2Vzc2lvbi0x"
#define CH "Y2hhbGxlbmdlLWNoYWxsZW5nZS0xMjM0NTY3OA"

/* RespondToAuthChallenge SELECT_CHALLENGE in session with ChallengeResponses members (a JSON
 * fragment after USERNAME alice). */
static cJSON *select_challenge(const char *session, const char *members)
{
    return tu_callf(
        env, IDP "RespondToAuthChallenge",
        "{\"ClientId\":\"%s\",\"ChallengeName\":\"SELECT_CHALLENGE\",\"Session\":\"%s\","
        "\"ChallengeResponses\":{\"USERNAME\":\"alice\"%s}}",
        client_id, session, members);
}

/* The whole passkey sign-in through USER_AUTH, as Amplify does it: SELECT_CHALLENGE offers
 * WEB_AUTHN, ANSWER=WEB_AUTHN asks the challenge whose options name the passkey, the assertion
 * over that challenge signs in. A CREDENTIAL sent with SELECT_CHALLENGE is refused loudly
 * (auth_choice.c: no challenge was issued for it) and leaves the session usable. */
START_TEST(test_webauthn_sign_in_through_user_auth)
{
    char *alice = token_of(client_id, "alice"), *cred, session[256], *id;
    struct tp_key k;
    struct tp_opts o = {.rp_id = RP};
    cJSON *r, *avail, *opts, *done;

    tp_key_init(&k, WEBAUTHN_ES256, 0);
    register_key(alice, &k);
    r = tu_callf(env, IDP "InitiateAuth",
                 "{\"ClientId\":\"%s\",\"AuthFlow\":\"USER_AUTH\","
                 "\"AuthParameters\":{\"USERNAME\":\"alice\"}}",
                 client_id);
    ck_assert_msg(tu_error_type(r) == NULL, "%s", tu_str(r, "message"));
    ck_assert_str_eq(tu_str(r, "ChallengeName"), "SELECT_CHALLENGE");
    avail = tu_get(r, "AvailableChallenges");
    ck_assert_str_eq(cJSON_GetArrayItem(avail, cJSON_GetArraySize(avail) - 1)->valuestring,
                     "WEB_AUTHN");
    snprintf(session, sizeof(session), "%s", tu_str(r, "Session"));
    cJSON_Delete(r);
    r = select_challenge(session, ",\"ANSWER\":\"WEB_AUTHN\",\"CREDENTIAL\":\"{}\"");
    tu_assert_error(r, "InvalidParameterException", NULL);
    cJSON_Delete(r);
    r = select_challenge(session, ",\"ANSWER\":\"WEB_AUTHN\"");
    ck_assert_msg(tu_error_type(r) == NULL, "%s", tu_str(r, "message"));
    ck_assert_str_eq(tu_str(r, "ChallengeName"), "WEB_AUTHN");
    opts = cJSON_Parse(tu_str(tu_get(r, "ChallengeParameters"), "CREDENTIAL_REQUEST_OPTIONS"));
    ck_assert_ptr_nonnull(opts);
    ck_assert_str_eq(tu_str(opts, "rpId"), RP);
    ck_assert_str_eq(tu_str(opts, "userVerification"), "required");
    id = tp_b64(k.cred_id, sizeof(k.cred_id));
    ck_assert_int_eq(cJSON_GetArraySize(tu_get(opts, "allowCredentials")), 1);
    ck_assert_str_eq(tu_str(cJSON_GetArrayItem(tu_get(opts, "allowCredentials"), 0), "id"), id);
    o.challenge = tu_str(opts, "challenge");
    cred = tp_assertion_json(&k, &o, NULL);
    done = respond(tu_str(r, "Session"), "alice", cred);
    ck_assert_msg(tu_error_type(done) == NULL, "%s", tu_str(done, "message"));
    ck_assert_ptr_nonnull(tu_str(tu_get(done, "AuthenticationResult"), "AccessToken"));
    cJSON_Delete(done);
    cJSON_Delete(opts);
    cJSON_Delete(r);
    free(cred);
    free(id);
    tp_key_free(&k);
    free(alice);
}
END_TEST

START_TEST(test_webauthn_sign_in_response)
{
    char *alice = token_of(client_id, "alice"), *bob = token_of(client_id, "bob"), *cred;
    struct tp_key k, kb;
    struct tp_opts o = {.challenge = CH, .rp_id = RP};
    cJSON *r;
    uint32_t replay;

    tp_key_init(&k, WEBAUTHN_ES256, 10);
    tp_key_init(&kb, WEBAUTHN_ES256, 0);
    register_key(alice, &k);
    register_key(bob, &kb);
    put_session(SESSION_KEY, "alice", CH);
    /* Refused, each leaving the session for another try. */
    o.flip_sig = true;
    cred = tp_assertion_json(&k, &o, NULL);
    r = respond(SESSION_KEY, "alice", cred);
    tu_assert_error(r, "NotAuthorizedException", REFUSED);
    cJSON_Delete(r);
    free(cred);
    o.flip_sig = false;
    o.origin = "https://evil.com";
    cred = tp_assertion_json(&k, &o, NULL);
    r = respond(SESSION_KEY, "alice", cred);
    tu_assert_error(r, "NotAuthorizedException", REFUSED);
    cJSON_Delete(r);
    free(cred);
    o.origin = NULL;
    cred = tp_assertion_json(&kb, &o, NULL); /* bob's passkey for alice */
    r = respond(SESSION_KEY, "alice", cred);
    tu_assert_error(r, "NotAuthorizedException", REFUSED);
    cJSON_Delete(r);
    free(cred);
    cred = tp_assertion_json(&k, &o, "not-the-sub");
    r = respond(SESSION_KEY, "alice", cred);
    tu_assert_error(r, "NotAuthorizedException", REFUSED);
    cJSON_Delete(r);
    free(cred);
    /* The good one signs in and moves the counter. */
    replay = k.count;
    cred = tp_assertion_json(&k, &o, NULL);
    r = respond(SESSION_KEY, "alice", cred);
    ck_assert_msg(tu_error_type(r) == NULL, "%s", tu_str(r, "message"));
    ck_assert_ptr_nonnull(tu_str(tu_get(r, "AuthenticationResult"), "AccessToken"));
    cJSON_Delete(r);
    free(cred);
    /* A counter already seen: refused on a new session. */
    put_session(SESSION_KEY, "alice", CH);
    k.count = replay;
    cred = tp_assertion_json(&k, &o, NULL);
    r = respond(SESSION_KEY, "alice", cred);
    tu_assert_error(r, "NotAuthorizedException", REFUSED);
    cJSON_Delete(r);
    free(cred);
    r = respond(SESSION_KEY, "alice", "not json");
    tu_assert_error(r, "NotAuthorizedException", REFUSED);
    cJSON_Delete(r);
    tp_key_free(&k);
    tp_key_free(&kb);
    free(alice);
    free(bob);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("ops_webauthn");
    TCase *tc = tcase_create("webauthn");

    tcase_add_checked_fixture(tc, setup, tu_teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_webauthn_creation_options_are_cognitos);
    tcase_add_test(tc, test_webauthn_register_list_factors_delete);
    tcase_add_test(tc, test_webauthn_registration_errors);
    tcase_add_test(tc, test_webauthn_limit_is_twenty);
    tcase_add_test(tc, test_webauthn_pool_configuration);
    tcase_add_test(tc, test_webauthn_sign_in_response);
    tcase_add_test(tc, test_webauthn_sign_in_through_user_auth);
    suite_add_tcase(s, tc);
    return s;
}
