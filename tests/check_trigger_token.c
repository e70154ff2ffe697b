/*
 * check_trigger_token: the pre token generation trigger (triggers/trigger_token.c) through the
 * real operations, with the fake Lambda (testlambda.h) standing in for the function: the
 * stored LambdaConfig (both keys, one ARN), the event of each version field by field, where
 * each operation's ClientMetadata goes, every rule by which an answer changes the tokens
 * (checked on the signed JWTs, verified with the pool's keys), and the errors a failing or
 * malformed function gives. Choices where AWS documents nothing are pinned here and marked.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/jwt.h"
#include "crypto/keys.h"
#include "store/store.h"
#include "testlambda.h"
#include "testlife.h"
#include "testutil.h"

static struct tu_env *const env = &tu_fixture;

#define FN "tok"
#define ARN "arn:aws:lambda:us-east-1:123456789012:function:" FN
#define OTHER_ARN "arn:aws:lambda:us-east-1:123456789012:function:other"
#define ADMIN_ROLE "arn:aws:iam::123456789012:role/admin"
#define READER_ROLE "arn:aws:iam::123456789012:role/reader"
#define ADMIN_SCOPE "aws.cognito.signin.user.admin"

/* The LambdaConfig members of a pool with each version of the trigger. */
#define LEGACY "\"PreTokenGeneration\":\"" ARN "\""
#define V1 "\"PreTokenGenerationConfig\":{\"LambdaVersion\":\"V1_0\",\"LambdaArn\":\"" ARN "\"}"
#define V2 "\"PreTokenGenerationConfig\":{\"LambdaVersion\":\"V2_0\",\"LambdaArn\":\"" ARN "\"}"
#define V3 "\"PreTokenGenerationConfig\":{\"LambdaVersion\":\"V3_0\",\"LambdaArn\":\"" ARN "\"}"

/* ---- Helpers ------------------------------------------------------------------------------ */

/* From now on the function answers response (a JSON text that lives as long as the test). */
static void answer_with(const char *response)
{
    tlam_on_response(tlam_fixture, FN, response);
}

/* Fail unless v equals the JSON text expected. */
static void assert_json(const cJSON *v, const char *expected)
{
    cJSON *want = cJSON_Parse(expected);
    char *got = v != NULL ? cJSON_PrintUnformatted(v) : NULL;

    ck_assert_msg(want != NULL, "bad expected JSON %s", expected);
    ck_assert_msg(v != NULL && cJSON_Compare(v, want, true), "got %s, want %s",
                  got ? got : "(absent)", expected);
    free(got);
    cJSON_Delete(want);
}

static void add_group(const struct tl_app *a, const char *name, int precedence, const char *role)
{
    tl_ok(tu_callf(env, IDP "CreateGroup",
                   "{\"UserPoolId\":\"%s\",\"GroupName\":\"%s\",\"Precedence\":%d,"
                   "\"RoleArn\":\"%s\"}",
                   a->pool, name, precedence, role));
    tl_ok(tu_callf(env, IDP "AdminAddUserToGroup",
                   "{\"UserPoolId\":\"%s\",\"Username\":\"alice\",\"GroupName\":\"%s\"}", a->pool,
                   name));
}

/*
 * A pool whose LambdaConfig holds config (JSON members), its client, and the user alice
 * (email, verified, given_name), in groups readers (Precedence 5) and admins (1) with their
 * roles when groups is true.
 */
static void app_with(struct tl_app *a, const char *config, bool groups)
{
    char body[1024];

    snprintf(body, sizeof(body), "{\"PoolName\":\"p\",\"LambdaConfig\":{%s}}", config);
    tl_app(a, body, "");
    tl_user(a, "alice",
            "[{\"Name\":\"email\",\"Value\":\"alice@example.com\"},"
            "{\"Name\":\"email_verified\",\"Value\":\"true\"},"
            "{\"Name\":\"given_name\",\"Value\":\"Alice\"}]");
    if (groups) {
        add_group(a, "readers", 5, READER_ROLE);
        add_group(a, "admins", 1, ADMIN_ROLE);
    }
}

/* jwt_verify_rs256's key lookup: the key of kid in the pool arg names. */
static EVP_PKEY *found_key;
static EVP_PKEY *find_key(void *arg, const char *kid)
{
    struct store_conn *db = store_acquire(env->store);

    EVP_PKEY_free(found_key);
    found_key = keys_find(db, arg, kid);
    store_release(env->store, db);
    return found_key;
}

/* The claims of token, which must verify with a key of a's pool (cJSON_Delete). */
static cJSON *claims_of(const struct tl_app *a, const char *token)
{
    cJSON *claims = NULL;
    enum jwt_status st = jwt_verify_rs256(token, find_key, (void *)a->pool, &claims);

    EVP_PKEY_free(found_key);
    found_key = NULL;
    ck_assert_msg(st == JWT_OK, "the token does not verify with the pool's keys");
    return claims;
}

/* The decoded tokens of one sign-in. */
struct signed_in {
    cJSON *id;
    cJSON *access;
    struct tl_tokens t;
};

/* Sign alice in by USER_PASSWORD_AUTH; tokens must come back. */
static void sign_in(const struct tl_app *a, struct signed_in *s)
{
    tl_sign_in(a, "alice", TL_PASSWORD, &s->t);
    s->id = claims_of(a, s->t.id);
    s->access = claims_of(a, s->t.access);
}

static void signed_in_free(struct signed_in *s)
{
    cJSON_Delete(s->id);
    cJSON_Delete(s->access);
    tl_tokens_free(&s->t);
}

/* The sign-in must fail with type and message (no tokens). */
static void sign_in_fails(const struct tl_app *a, const char *type, const char *message)
{
    cJSON *resp = tl_sign_in_call(a, "alice", TL_PASSWORD);

    ck_assert_ptr_null(tu_get(resp, "AuthenticationResult"));
    tl_error(resp, type, message);
}

/* The newest event the function received (cJSON_Delete); fails when there is none. */
static cJSON *last_event(void)
{
    size_t n = tlam_count(tlam_fixture, FN);
    cJSON *event;

    ck_assert_uint_gt(n, 0);
    event = tlam_event(tlam_fixture, FN, n - 1);
    ck_assert_ptr_nonnull(event);
    return event;
}

/* The LambdaConfig DescribeUserPool shows for a's pool, as JSON text (free). */
static char *described_config(const char *pool)
{
    cJSON *resp = tu_callf(env, IDP "DescribeUserPool", "{\"UserPoolId\":\"%s\"}", pool);
    char *text;

    ck_assert_msg(tu_error_type(resp) == NULL, "%s", tu_str(resp, "message"));
    text = cJSON_PrintUnformatted(tu_get(tu_get(resp, "UserPool"), "LambdaConfig"));
    cJSON_Delete(resp);
    return text;
}

static void assert_config(const char *pool, const char *expected)
{
    char *text = described_config(pool);
    cJSON *got = cJSON_Parse(text);

    assert_json(got, expected);
    cJSON_Delete(got);
    free(text);
}

/* ---- LambdaConfig ------------------------------------------------------------------------- */

/* Either key alone is stored as both; V1_0 is the legacy key's version. */
START_TEST(test_lambda_config_returns_both_keys_with_one_arn)
{
    char *legacy = tu_create_user_pool(env, "{\"PoolName\":\"p\",\"LambdaConfig\":{" LEGACY "}}");
    char *v2 = tu_create_user_pool(env, "{\"PoolName\":\"p\",\"LambdaConfig\":{" V2 "}}");
    char *both =
        tu_create_user_pool(env, "{\"PoolName\":\"p\",\"LambdaConfig\":{" LEGACY "," V3 "}}");

    assert_config(legacy, "{" LEGACY "," V1 "}");
    assert_config(v2, "{" V2 "," LEGACY "}");
    assert_config(both, "{" LEGACY "," V3 "}");
    free(legacy);
    free(v2);
    free(both);
}
END_TEST

/*
 * Two different ARNs: InvalidParameterException, on create and on update. The message is the
 * emulator's own (Cognito's wording was not found).
 */
START_TEST(test_lambda_config_refuses_two_different_arns)
{
    static const char message[] =
        "PreTokenGeneration and PreTokenGenerationConfig.LambdaArn must be the same function ARN.";
    char *pool = tu_create_user_pool(env, "{\"PoolName\":\"p\",\"LambdaConfig\":{" V2 "}}");

    tl_error(tu_call(env, IDP "CreateUserPool",
                     "{\"PoolName\":\"q\",\"LambdaConfig\":{\"PreTokenGeneration\":\"" OTHER_ARN
                     "\"," V2 "}}"),
             "InvalidParameterException", message);
    tl_error(tu_callf(env, IDP "UpdateUserPool",
                      "{\"UserPoolId\":\"%s\",\"LambdaConfig\":{\"PreTokenGeneration\":"
                      "\"" OTHER_ARN "\"," V2 "}}",
                      pool),
             "InvalidParameterException", message);
    assert_config(pool, "{" V2 "," LEGACY "}");
    free(pool);
}
END_TEST

/* UpdateUserPool replaces the whole LambdaConfig: a trigger it leaves out is removed. */
START_TEST(test_update_user_pool_replaces_the_whole_lambda_config)
{
    char *pool = tu_create_user_pool(
        env, "{\"PoolName\":\"p\",\"LambdaConfig\":{\"PreSignUp\":\"" OTHER_ARN "\"," V2 "}}");

    tl_ok(tu_callf(
        env, IDP "UpdateUserPool",
        "{\"UserPoolId\":\"%s\",\"LambdaConfig\":{\"PostConfirmation\":\"" OTHER_ARN "\"}}", pool));
    assert_config(pool, "{\"PostConfirmation\":\"" OTHER_ARN "\"}");
    tl_ok(tu_callf(env, IDP "UpdateUserPool",
                   "{\"UserPoolId\":\"%s\",\"LambdaConfig\":{" LEGACY "}}", pool));
    assert_config(pool, "{" LEGACY "," V1 "}");
    tl_ok(tu_callf(env, IDP "UpdateUserPool", "{\"UserPoolId\":\"%s\"}", pool));
    assert_config(pool, "{}");
    free(pool);
}
END_TEST

/* ---- The event ---------------------------------------------------------------------------- */

/*
 * V1_0 (the legacy key): version "1", no scopes, the groups of a user in two groups with
 * roles (the preferred role is that of the lowest Precedence), and the V1 response default.
 * InitiateAuth's ClientMetadata does not reach the trigger.
 */
START_TEST(test_v1_event_field_by_field)
{
    struct tl_app a;
    struct signed_in s;
    cJSON *event, *request, *attrs, *resp;

    app_with(&a, LEGACY, true);
    tlam_on(tlam_fixture, FN, tlam_return_event, NULL);
    resp = tu_callf(env, IDP "InitiateAuth",
                    "{\"AuthFlow\":\"USER_PASSWORD_AUTH\",\"ClientId\":\"%s\",\"AuthParameters\":"
                    "{\"USERNAME\":\"alice\",\"PASSWORD\":\"" TL_PASSWORD "\"},"
                    "\"ClientMetadata\":{\"k\":\"v\"}}",
                    a.client);
    tl_expect_tokens(resp);
    ck_assert_uint_eq(tlam_count(tlam_fixture, FN), 1);
    event = last_event();
    ck_assert_str_eq(tu_str(event, "version"), "1");
    ck_assert_str_eq(tu_str(event, "triggerSource"), "TokenGeneration_Authentication");
    ck_assert_str_eq(tu_str(event, "region"), "us-east-1");
    ck_assert_str_eq(tu_str(event, "userPoolId"), a.pool);
    ck_assert_str_eq(tu_str(event, "userName"), "alice");
    ck_assert_str_eq(tu_str(tu_get(event, "callerContext"), "clientId"), a.client);
    ck_assert_str_eq(tu_str(tu_get(event, "callerContext"), "awsSdkVersion"),
                     "aws-sdk-unknown-unknown");
    request = tu_get(event, "request");
    attrs = tu_get(request, "userAttributes");
    ck_assert_str_eq(tu_str(attrs, "email"), "alice@example.com");
    ck_assert_str_eq(tu_str(attrs, "email_verified"), "true");
    ck_assert_str_eq(tu_str(attrs, "cognito:user_status"), "CONFIRMED");
    ck_assert_ptr_nonnull(tu_str(attrs, "sub"));
    ck_assert_ptr_null(tu_get(request, "scopes"));
    ck_assert_ptr_null(tu_get(request, "clientMetadata"));
    assert_json(tu_get(request, "groupConfiguration"),
                "{\"groupsToOverride\":[\"admins\",\"readers\"],\"iamRolesToOverride\":"
                "[\"" ADMIN_ROLE "\",\"" READER_ROLE "\"],\"preferredRole\":\"" ADMIN_ROLE "\"}");
    assert_json(tu_get(event, "response"), "{\"claimsOverrideDetails\":null}");
    cJSON_Delete(event);
    /* The unchanged answer leaves the tokens as they were. */
    sign_in(&a, &s);
    assert_json(tu_get(s.id, "cognito:groups"), "[\"admins\",\"readers\"]");
    ck_assert_str_eq(tu_str(s.access, "scope"), ADMIN_SCOPE);
    signed_in_free(&s);
}
END_TEST

/* V2_0 and V3_0: version "2" / "3", the access token's scopes, the V2 response default; a
 * user without groups gets empty lists and a null preferred role. */
START_TEST(test_v2_and_v3_events_carry_the_scopes)
{
    static const char *const configs[] = {V2, V3};
    static const char *const versions[] = {"2", "3"};

    for (int i = 0; i < 2; i++) {
        struct tl_app a;
        struct signed_in s;
        cJSON *event, *request;

        tlam_reset(tlam_fixture);
        app_with(&a, configs[i], false);
        tlam_on(tlam_fixture, FN, tlam_return_event, NULL);
        sign_in(&a, &s);
        event = last_event();
        request = tu_get(event, "request");
        ck_assert_str_eq(tu_str(event, "version"), versions[i]);
        ck_assert_str_eq(tu_str(event, "triggerSource"), "TokenGeneration_Authentication");
        assert_json(tu_get(request, "scopes"), "[\"" ADMIN_SCOPE "\"]");
        assert_json(tu_get(request, "groupConfiguration"),
                    "{\"groupsToOverride\":[],\"iamRolesToOverride\":[],\"preferredRole\":null}");
        assert_json(tu_get(event, "response"), "{\"claimsAndScopeOverrideDetails\":null}");
        ck_assert_ptr_null(tu_get(s.id, "cognito:groups"));
        cJSON_Delete(event);
        signed_in_free(&s);
    }
}
END_TEST

/* The clientMetadata and triggerSource of event i. */
static void assert_event(size_t i, const char *source, const char *metadata)
{
    cJSON *event = tlam_event(tlam_fixture, FN, i);

    ck_assert_ptr_nonnull(event);
    ck_assert_str_eq(tu_str(event, "triggerSource"), source);
    if (metadata == NULL)
        ck_assert_ptr_null(tu_get(tu_get(event, "request"), "clientMetadata"));
    else
        assert_json(tu_get(tu_get(event, "request"), "clientMetadata"), metadata);
    cJSON_Delete(event);
}

/*
 * ClientMetadata reaches the trigger from RespondToAuthChallenge (a new password:
 * TokenGeneration_NewPasswordChallenge) and GetTokensFromRefreshToken (_RefreshTokens); not
 * from InitiateAuth or AdminInitiateAuth, a refresh included.
 */
START_TEST(test_client_metadata_reaches_the_trigger_per_operation)
{
    struct tl_app a;
    cJSON *challenge, *resp;
    char *refresh;

    tl_app(&a, "{\"PoolName\":\"p\",\"LambdaConfig\":{" V2 "}}", "");
    tlam_on(tlam_fixture, FN, tlam_return_event, NULL);
    tl_ok(tu_callf(env, IDP "AdminCreateUser",
                   "{\"UserPoolId\":\"%s\",\"Username\":\"alice\",\"MessageAction\":\"SUPPRESS\","
                   "\"TemporaryPassword\":\"Temp0rary!\"}",
                   a.pool));
    challenge = tl_sign_in_call(&a, "alice", "Temp0rary!");
    ck_assert_str_eq(tu_str(challenge, "ChallengeName"), "NEW_PASSWORD_REQUIRED");
    resp = tu_callf(env, IDP "RespondToAuthChallenge",
                    "{\"ClientId\":\"%s\",\"ChallengeName\":\"NEW_PASSWORD_REQUIRED\","
                    "\"Session\":\"%s\",\"ChallengeResponses\":{\"USERNAME\":\"alice\","
                    "\"NEW_PASSWORD\":\"" TL_PASSWORD "\"},\"ClientMetadata\":{\"step\":\"new\"}}",
                    a.client, tu_str(challenge, "Session"));
    cJSON_Delete(challenge);
    refresh = strdup(tu_str(tu_get(resp, "AuthenticationResult"), "RefreshToken"));
    tl_expect_tokens(resp);
    assert_event(0, "TokenGeneration_NewPasswordChallenge", "{\"step\":\"new\"}");

    tl_expect_tokens(tu_callf(env, IDP "GetTokensFromRefreshToken",
                              "{\"ClientId\":\"%s\",\"RefreshToken\":\"%s\","
                              "\"ClientMetadata\":{\"step\":\"refresh\"}}",
                              a.client, refresh));
    assert_event(1, "TokenGeneration_RefreshTokens", "{\"step\":\"refresh\"}");

    tl_expect_tokens(tu_callf(env, IDP "InitiateAuth",
                              "{\"AuthFlow\":\"REFRESH_TOKEN_AUTH\",\"ClientId\":\"%s\","
                              "\"AuthParameters\":{\"REFRESH_TOKEN\":\"%s\"},"
                              "\"ClientMetadata\":{\"step\":\"initiate\"}}",
                              a.client, refresh));
    assert_event(2, "TokenGeneration_RefreshTokens", NULL);

    tl_expect_tokens(tu_callf(env, IDP "AdminInitiateAuth",
                              "{\"UserPoolId\":\"%s\",\"ClientId\":\"%s\",\"AuthFlow\":"
                              "\"ADMIN_USER_PASSWORD_AUTH\",\"AuthParameters\":{\"USERNAME\":"
                              "\"alice\",\"PASSWORD\":\"" TL_PASSWORD "\"},"
                              "\"ClientMetadata\":{\"step\":\"admin\"}}",
                              a.pool, a.client));
    assert_event(3, "TokenGeneration_Authentication", NULL);
    ck_assert_uint_eq(tlam_count(tlam_fixture, FN), 4);
    free(refresh);
}
END_TEST

/* No trigger configured, or triggers off (--lambda-endpoint none): no call, plain tokens. */
START_TEST(test_no_call_without_the_trigger_or_with_triggers_off)
{
    struct tl_app a, b;
    struct signed_in s;

    app_with(&a, "", false);
    answer_with("{\"claimsOverrideDetails\":{\"claimsToAddOrOverride\":{\"t\":\"x\"}}}");
    sign_in(&a, &s);
    ck_assert_ptr_null(tu_get(s.id, "t"));
    signed_in_free(&s);
    snprintf(env->settings.lambda_endpoint, sizeof(env->settings.lambda_endpoint), "none");
    app_with(&b, LEGACY, false);
    sign_in(&b, &s);
    ck_assert_ptr_null(tu_get(s.id, "t"));
    signed_in_free(&s);
    ck_assert_uint_eq(tlam_count(tlam_fixture, FN), 0);
}
END_TEST

/* ---- Applying the answer ------------------------------------------------------------------ */

/* V1: claims added, overridden and suppressed in the ID token; the access token untouched. */
START_TEST(test_v1_changes_the_id_token_only)
{
    struct tl_app a;
    struct signed_in s;

    app_with(&a, V1, true);
    answer_with("{\"claimsOverrideDetails\":{\"claimsToAddOrOverride\":{\"tenant\":\"acme\","
                "\"given_name\":\"Ally\"},\"claimsToSuppress\":[\"email\"]}}");
    sign_in(&a, &s);
    ck_assert_str_eq(tu_str(s.id, "tenant"), "acme");
    ck_assert_str_eq(tu_str(s.id, "given_name"), "Ally");
    ck_assert_ptr_null(tu_get(s.id, "email"));
    ck_assert(cJSON_IsTrue(tu_get(s.id, "email_verified")));
    ck_assert_ptr_null(tu_get(s.access, "tenant"));
    ck_assert_ptr_null(tu_get(s.access, "given_name"));
    assert_json(tu_get(s.access, "cognito:groups"), "[\"admins\",\"readers\"]");
    assert_json(tu_get(s.id, "cognito:groups"), "[\"admins\",\"readers\"]");
    ck_assert_str_eq(tu_str(s.id, "cognito:preferred_role"), ADMIN_ROLE);
    signed_in_free(&s);
}
END_TEST

/* A claim both overridden and suppressed is suppressed, in V1 and in V2. */
START_TEST(test_suppress_wins_over_override)
{
    struct tl_app a, b;
    struct signed_in s;

    app_with(&a, LEGACY, false);
    answer_with("{\"claimsOverrideDetails\":{\"claimsToAddOrOverride\":{\"nickname\":\"n\","
                "\"given_name\":\"G\"},\"claimsToSuppress\":[\"nickname\",\"given_name\"]}}");
    sign_in(&a, &s);
    ck_assert_ptr_null(tu_get(s.id, "nickname"));
    ck_assert_ptr_null(tu_get(s.id, "given_name"));
    signed_in_free(&s);

    app_with(&b, V2, false);
    answer_with("{\"claimsAndScopeOverrideDetails\":{"
                "\"idTokenGeneration\":{\"claimsToAddOrOverride\":{\"nickname\":\"n\"},"
                "\"claimsToSuppress\":[\"nickname\"]},"
                "\"accessTokenGeneration\":{\"claimsToAddOrOverride\":{\"plan\":\"pro\"},"
                "\"claimsToSuppress\":[\"plan\"]}}}");
    sign_in(&b, &s);
    ck_assert_ptr_null(tu_get(s.id, "nickname"));
    ck_assert_ptr_null(tu_get(s.access, "plan"));
    signed_in_free(&s);
}
END_TEST

/*
 * Claims Cognito keeps for itself are neither added, changed nor suppressed, in either token
 * and either version; the rest of the answer still applies. An access token may get aud
 * equal to its client id.
 */
START_TEST(test_protected_claims_are_left_alone)
{
    static const char *const absent[] = {
        "scope",   "acr",          "amr",        "nonce",
        "version", "dev:custom:x", "identities", "cognito:user_status"};
    static char aud_answer[256]; /* lives as long as the script that answers it */
    struct tl_app a, b;
    struct signed_in s;
    const char *sub;

    app_with(&a, V2, false);
    answer_with(
        "{\"claimsAndScopeOverrideDetails\":{"
        "\"idTokenGeneration\":{\"claimsToAddOrOverride\":{\"sub\":\"x\",\"iss\":\"x\","
        "\"cognito:username\":\"x\",\"exp\":1,\"token_use\":\"access\",\"scope\":\"x\","
        "\"acr\":\"x\",\"amr\":[\"x\"],\"nonce\":\"x\",\"identities\":\"x\",\"version\":9,"
        "\"dev:custom:x\":\"x\",\"cognito:user_status\":\"x\",\"tenant\":\"acme\"},"
        "\"claimsToSuppress\":[\"aud\",\"auth_time\",\"event_id\",\"jti\",\"origin_jti\","
        "\"iat\"]},"
        "\"accessTokenGeneration\":{\"claimsToAddOrOverride\":{\"client_id\":\"x\","
        "\"jti\":\"x\",\"scope\":\"x\",\"aud\":\"other\",\"device_key\":\"x\",\"plan\":\"pro\"},"
        "\"claimsToSuppress\":[\"client_id\",\"scope\",\"sub\",\"token_use\"]}}}");
    sign_in(&a, &s);
    sub = tu_str(s.access, "sub");
    ck_assert_str_eq(tu_str(s.id, "sub"), sub);
    ck_assert_str_eq(tu_str(s.id, "iss"), tu_str(s.access, "iss"));
    ck_assert_str_eq(tu_str(s.id, "cognito:username"), "alice");
    ck_assert_str_eq(tu_str(s.id, "token_use"), "id");
    ck_assert_str_eq(tu_str(s.id, "aud"), a.client);
    ck_assert_double_gt(tu_num(s.id, "exp"), 1);
    ck_assert_double_eq(tu_num(s.id, "auth_time"), tu_num(s.access, "auth_time"));
    ck_assert_double_eq(tu_num(s.id, "iat"), tu_num(s.access, "iat"));
    ck_assert_str_eq(tu_str(s.id, "event_id"), tu_str(s.access, "event_id"));
    ck_assert_str_eq(tu_str(s.id, "origin_jti"), tu_str(s.access, "origin_jti"));
    ck_assert_ptr_nonnull(tu_str(s.id, "jti"));
    ck_assert_str_ne(tu_str(s.access, "jti"), "x");
    for (size_t i = 0; i < sizeof(absent) / sizeof(absent[0]); i++)
        ck_assert_msg(tu_get(s.id, absent[i]) == NULL, "ID token has %s", absent[i]);
    ck_assert_str_eq(tu_str(s.id, "tenant"), "acme");
    ck_assert_str_eq(tu_str(s.access, "client_id"), a.client);
    ck_assert_str_eq(tu_str(s.access, "scope"), ADMIN_SCOPE);
    ck_assert_str_eq(tu_str(s.access, "sub"), tu_str(s.id, "sub"));
    ck_assert_str_eq(tu_str(s.access, "token_use"), "access");
    ck_assert_ptr_null(tu_get(s.access, "aud"));
    ck_assert_ptr_null(tu_get(s.access, "device_key"));
    ck_assert_str_eq(tu_str(s.access, "plan"), "pro");
    /* The tokens still work: GetUser accepts the access token. */
    tl_ok(tl_get_user(s.t.access));
    signed_in_free(&s);

    app_with(&b, V2, false);
    snprintf(aud_answer, sizeof(aud_answer),
             "{\"claimsAndScopeOverrideDetails\":{\"accessTokenGeneration\":"
             "{\"claimsToAddOrOverride\":{\"aud\":\"%s\"}}}}",
             b.client);
    answer_with(aud_answer);
    sign_in(&b, &s);
    ck_assert_str_eq(tu_str(s.access, "aud"), b.client);
    signed_in_free(&s);
}
END_TEST

/* V2: claim values of every accepted kind, in both tokens (the verified flag as a boolean). */
START_TEST(test_v2_claims_take_any_json_value)
{
    struct tl_app a;
    struct signed_in s;

    app_with(&a, V2, false);
    answer_with("{\"claimsAndScopeOverrideDetails\":{"
                "\"idTokenGeneration\":{\"claimsToAddOrOverride\":{\"tenant\":\"acme\","
                "\"level\":3,\"admin\":true,\"roles\":[\"a\",\"b\",1,false],"
                "\"org\":{\"id\":7,\"units\":[\"x\"]},\"email_verified\":false,"
                "\"updated_at\":1700000000}},"
                "\"accessTokenGeneration\":{\"claimsToAddOrOverride\":{\"plan\":\"pro\","
                "\"limits\":{\"rps\":10},\"tags\":[\"t1\",\"t2\"],"
                "\"email_verified\":[\"only-simple-in-the-id-token\"]}}}}");
    sign_in(&a, &s);
    ck_assert_str_eq(tu_str(s.id, "tenant"), "acme");
    ck_assert_double_eq(tu_num(s.id, "level"), 3);
    ck_assert(cJSON_IsTrue(tu_get(s.id, "admin")));
    assert_json(tu_get(s.id, "roles"), "[\"a\",\"b\",1,false]");
    assert_json(tu_get(s.id, "org"), "{\"id\":7,\"units\":[\"x\"]}");
    ck_assert(cJSON_IsFalse(tu_get(s.id, "email_verified")));
    ck_assert_double_eq(tu_num(s.id, "updated_at"), 1700000000);
    ck_assert_ptr_null(tu_get(s.id, "plan"));
    ck_assert_str_eq(tu_str(s.access, "plan"), "pro");
    assert_json(tu_get(s.access, "limits"), "{\"rps\":10}");
    assert_json(tu_get(s.access, "tags"), "[\"t1\",\"t2\"]");
    assert_json(tu_get(s.access, "email_verified"), "[\"only-simple-in-the-id-token\"]");
    ck_assert_ptr_null(tu_get(s.access, "tenant"));
    signed_in_free(&s);
}
END_TEST

/*
 * Members of the wrong type: InvalidLambdaResponseException "Unrecognizable lambda output",
 * and no tokens. V1 values must be strings; in V2 the ID token's email_verified,
 * phone_number_verified, updated_at and address stay simple values; arrays hold simple values;
 * null is no claim value (emulator's choice).
 */
START_TEST(test_answers_of_the_wrong_type_are_refused)
{
    static const char *const v1_bad[] = {
        "{\"claimsOverrideDetails\":\"x\"}",
        "{\"claimsOverrideDetails\":{\"claimsToAddOrOverride\":{\"level\":3}}}",
        "{\"claimsOverrideDetails\":{\"claimsToAddOrOverride\":[\"x\"]}}",
        "{\"claimsOverrideDetails\":{\"claimsToSuppress\":\"email\"}}",
        "{\"claimsOverrideDetails\":{\"claimsToSuppress\":[1]}}",
        "{\"claimsOverrideDetails\":{\"groupOverrideDetails\":[\"admins\"]}}",
        "{\"claimsOverrideDetails\":{\"groupOverrideDetails\":{\"groupsToOverride\":\"a\"}}}",
        "{\"claimsOverrideDetails\":{\"groupOverrideDetails\":{\"preferredRole\":1}}}",
    };
    static const char *const v2_bad[] = {
        "{\"claimsAndScopeOverrideDetails\":[]}",
        "{\"claimsAndScopeOverrideDetails\":{\"idTokenGeneration\":\"x\"}}",
        "{\"claimsAndScopeOverrideDetails\":{\"idTokenGeneration\":{\"claimsToAddOrOverride\":"
        "{\"email_verified\":[true]}}}}",
        "{\"claimsAndScopeOverrideDetails\":{\"idTokenGeneration\":{\"claimsToAddOrOverride\":"
        "{\"address\":{\"formatted\":\"x\"}}}}}",
        "{\"claimsAndScopeOverrideDetails\":{\"idTokenGeneration\":{\"claimsToAddOrOverride\":"
        "{\"x\":null}}}}",
        "{\"claimsAndScopeOverrideDetails\":{\"accessTokenGeneration\":{\"claimsToAddOrOverride\":"
        "{\"x\":[{\"a\":1}]}}}}",
        "{\"claimsAndScopeOverrideDetails\":{\"accessTokenGeneration\":{\"scopesToAdd\":\"a\"}}}",
        "{\"claimsAndScopeOverrideDetails\":{\"accessTokenGeneration\":{\"scopesToAdd\":"
        "[\"a b\"]}}}",
        "{\"claimsAndScopeOverrideDetails\":{\"accessTokenGeneration\":{\"scopesToAdd\":[\"\"]}}}",
        "{\"claimsAndScopeOverrideDetails\":{\"accessTokenGeneration\":{\"scopesToSuppress\":"
        "[null]}}}",
    };
    struct tl_app a, b;

    app_with(&a, V1, true);
    for (size_t i = 0; i < sizeof(v1_bad) / sizeof(v1_bad[0]); i++) {
        answer_with(v1_bad[i]);
        sign_in_fails(&a, "InvalidLambdaResponseException", "Unrecognizable lambda output");
    }
    app_with(&b, V2, true);
    for (size_t i = 0; i < sizeof(v2_bad) / sizeof(v2_bad[0]); i++) {
        answer_with(v2_bad[i]);
        sign_in_fails(&b, "InvalidLambdaResponseException", "Unrecognizable lambda output");
    }
}
END_TEST

/*
 * groupOverrideDetails (V1 and V2): a new set replaces cognito:groups in both tokens and the
 * role claims of the ID token; null or {} suppresses them all; a list left out or empty
 * removes its claim; no groupOverrideDetails leaves the groups as they are.
 */
START_TEST(test_group_override_replaces_or_suppresses_the_groups)
{
    static const char *const suppress[] = {
        "{\"claimsOverrideDetails\":{\"groupOverrideDetails\":null}}",
        "{\"claimsOverrideDetails\":{\"groupOverrideDetails\":{}}}",
    };
    struct tl_app a, b;
    struct signed_in s;

    app_with(&a, LEGACY, true);
    answer_with("{\"claimsOverrideDetails\":{\"groupOverrideDetails\":{"
                "\"groupsToOverride\":[\"g1\"],\"iamRolesToOverride\":"
                "[\"arn:aws:iam::123456789012:role/g1\"],"
                "\"preferredRole\":\"arn:aws:iam::123456789012:role/g1\"}}}");
    sign_in(&a, &s);
    assert_json(tu_get(s.id, "cognito:groups"), "[\"g1\"]");
    assert_json(tu_get(s.access, "cognito:groups"), "[\"g1\"]");
    assert_json(tu_get(s.id, "cognito:roles"), "[\"arn:aws:iam::123456789012:role/g1\"]");
    ck_assert_str_eq(tu_str(s.id, "cognito:preferred_role"), "arn:aws:iam::123456789012:role/g1");
    ck_assert_ptr_null(tu_get(s.access, "cognito:roles"));
    signed_in_free(&s);

    for (int i = 0; i < 2; i++) {
        answer_with(suppress[i]);
        sign_in(&a, &s);
        ck_assert_ptr_null(tu_get(s.id, "cognito:groups"));
        ck_assert_ptr_null(tu_get(s.access, "cognito:groups"));
        ck_assert_ptr_null(tu_get(s.id, "cognito:roles"));
        ck_assert_ptr_null(tu_get(s.id, "cognito:preferred_role"));
        signed_in_free(&s);
    }

    answer_with("{\"claimsOverrideDetails\":{\"groupOverrideDetails\":{"
                "\"groupsToOverride\":[\"only\"]}}}");
    sign_in(&a, &s);
    assert_json(tu_get(s.id, "cognito:groups"), "[\"only\"]");
    ck_assert_ptr_null(tu_get(s.id, "cognito:roles"));
    ck_assert_ptr_null(tu_get(s.id, "cognito:preferred_role"));
    signed_in_free(&s);

    answer_with("{\"claimsOverrideDetails\":{\"claimsToAddOrOverride\":{\"t\":\"x\"}}}");
    sign_in(&a, &s);
    assert_json(tu_get(s.id, "cognito:groups"), "[\"admins\",\"readers\"]");
    assert_json(tu_get(s.access, "cognito:groups"), "[\"admins\",\"readers\"]");
    assert_json(tu_get(s.id, "cognito:roles"), "[\"" ADMIN_ROLE "\",\"" READER_ROLE "\"]");
    signed_in_free(&s);

    app_with(&b, V3, true);
    answer_with("{\"claimsAndScopeOverrideDetails\":{\"groupOverrideDetails\":{"
                "\"groupsToOverride\":[\"readers\"],\"iamRolesToOverride\":[\"" READER_ROLE "\"],"
                "\"preferredRole\":\"" READER_ROLE "\"}}}");
    sign_in(&b, &s);
    assert_json(tu_get(s.id, "cognito:groups"), "[\"readers\"]");
    assert_json(tu_get(s.access, "cognito:groups"), "[\"readers\"]");
    ck_assert_str_eq(tu_str(s.id, "cognito:preferred_role"), READER_ROLE);
    signed_in_free(&s);
}
END_TEST

/*
 * V2 scopes: scopesToAdd after the others (once each), scopesToSuppress removed; without
 * aws.cognito.signin.user.admin the token is refused by the self-service operations; no scope
 * left removes the claim (emulator's choice).
 */
START_TEST(test_scopes_are_added_and_suppressed)
{
    struct tl_app a;
    struct signed_in s;

    app_with(&a, V2, false);
    answer_with("{\"claimsAndScopeOverrideDetails\":{\"accessTokenGeneration\":{"
                "\"scopesToAdd\":[\"orders/read\",\"" ADMIN_SCOPE "\",\"openid\"]}}}");
    sign_in(&a, &s);
    ck_assert_str_eq(tu_str(s.access, "scope"), ADMIN_SCOPE " orders/read openid");
    tl_ok(tl_get_user(s.t.access));
    signed_in_free(&s);

    answer_with("{\"claimsAndScopeOverrideDetails\":{\"accessTokenGeneration\":{"
                "\"scopesToAdd\":[\"orders/read\",\"orders/write\"],"
                "\"scopesToSuppress\":[\"" ADMIN_SCOPE "\",\"orders/write\"]}}}");
    sign_in(&a, &s);
    ck_assert_str_eq(tu_str(s.access, "scope"), "orders/read");
    ck_assert_ptr_null(tu_get(s.id, "scope"));
    tl_error(tl_get_user(s.t.access), "NotAuthorizedException",
             "Access Token does not have required scopes");
    signed_in_free(&s);

    answer_with("{\"claimsAndScopeOverrideDetails\":{\"accessTokenGeneration\":{"
                "\"scopesToSuppress\":[\"" ADMIN_SCOPE "\"]}}}");
    sign_in(&a, &s);
    ck_assert_ptr_null(tu_get(s.access, "scope"));
    signed_in_free(&s);
}
END_TEST

/* A V2 trigger reads only claimsAndScopeOverrideDetails: a V1 answer changes nothing
 * (emulator's choice; it is logged). */
START_TEST(test_v2_ignores_a_v1_answer)
{
    struct tl_app a;
    struct signed_in s;

    app_with(&a, V2, true);
    answer_with("{\"claimsOverrideDetails\":{\"claimsToAddOrOverride\":{\"tenant\":\"acme\"},"
                "\"groupOverrideDetails\":null}}");
    sign_in(&a, &s);
    ck_assert_ptr_null(tu_get(s.id, "tenant"));
    assert_json(tu_get(s.id, "cognito:groups"), "[\"admins\",\"readers\"]");
    signed_in_free(&s);
}
END_TEST

/* ---- Failures ----------------------------------------------------------------------------- */

/*
 * A function error: UserLambdaValidationException named after the LambdaConfig key
 * "PreTokenGeneration", also when PreTokenGenerationConfig set it (pinned); no tokens at
 * sign-in nor at refresh. An unknown function: UnexpectedLambdaException.
 */
START_TEST(test_failures_mean_no_tokens)
{
    struct tl_app a, b;
    struct signed_in s;
    cJSON *resp;

    app_with(&a, LEGACY, false);
    tlam_on_error(tlam_fixture, FN, "no tenant");
    sign_in_fails(&a, "UserLambdaValidationException",
                  "PreTokenGeneration failed with error no tenant.");

    app_with(&b, V2, false);
    tlam_on(tlam_fixture, FN, tlam_return_event, NULL);
    sign_in(&b, &s);
    tlam_on_error(tlam_fixture, FN, "refresh refused");
    sign_in_fails(&b, "UserLambdaValidationException",
                  "PreTokenGeneration failed with error refresh refused.");
    resp = tl_refresh_call(&b, s.t.refresh);
    ck_assert_ptr_null(tu_get(resp, "AuthenticationResult"));
    tl_error(resp, "UserLambdaValidationException",
             "PreTokenGeneration failed with error refresh refused.");
    resp = tu_callf(env, IDP "GetTokensFromRefreshToken",
                    "{\"ClientId\":\"%s\",\"RefreshToken\":\"%s\"}", b.client, s.t.refresh);
    tl_error(resp, "UserLambdaValidationException",
             "PreTokenGeneration failed with error refresh refused.");

    tlam_on(tlam_fixture, FN, NULL, NULL);
    sign_in_fails(&b, "UnexpectedLambdaException",
                  "PreTokenGeneration invocation failed due to error ResourceNotFoundException.");
    tlam_on_body(tlam_fixture, FN, "null");
    sign_in_fails(&b, "InvalidLambdaResponseException",
                  "Invalid lambda function output : Invalid JSON");
    signed_in_free(&s);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("trigger_token");
    TCase *tc = tcase_create("trigger_token");

    tcase_add_checked_fixture(tc, tlam_setup, tlam_teardown);
    tcase_add_test(tc, test_lambda_config_returns_both_keys_with_one_arn);
    tcase_add_test(tc, test_lambda_config_refuses_two_different_arns);
    tcase_add_test(tc, test_update_user_pool_replaces_the_whole_lambda_config);
    tcase_add_test(tc, test_v1_event_field_by_field);
    tcase_add_test(tc, test_v2_and_v3_events_carry_the_scopes);
    tcase_add_test(tc, test_client_metadata_reaches_the_trigger_per_operation);
    tcase_add_test(tc, test_no_call_without_the_trigger_or_with_triggers_off);
    tcase_add_test(tc, test_v1_changes_the_id_token_only);
    tcase_add_test(tc, test_suppress_wins_over_override);
    tcase_add_test(tc, test_protected_claims_are_left_alone);
    tcase_add_test(tc, test_v2_claims_take_any_json_value);
    tcase_add_test(tc, test_answers_of_the_wrong_type_are_refused);
    tcase_add_test(tc, test_group_override_replaces_or_suppresses_the_groups);
    tcase_add_test(tc, test_scopes_are_added_and_suppressed);
    tcase_add_test(tc, test_v2_ignores_a_v1_answer);
    tcase_add_test(tc, test_failures_mean_no_tokens);
    suite_add_tcase(s, tc);
    return s;
}
