/*
 * check_auth_custom: CUSTOM_AUTH and its CUSTOM_CHALLENGE (auth/auth_custom.c) with the
 * DefineAuthChallenge, CreateAuthChallenge and VerifyAuthChallengeResponse triggers
 * (triggers/trigger_custom_auth.c), played by the fake Lambda of tests/testlambda.h: the
 * one-code flow with a wrong then a right answer, the events field by field (the session
 * history, the metadata carried, the private parameters reaching Verify, USERNAME in the
 * challenge, where ClientMetadata goes), Define's other answers, CUSTOM_WITH_SRP through
 * PASSWORD_VERIFIER (and an MFA or MFA setup Cognito inserts) back to Define, the Admin
 * operations, unknown users and user states, trigger failures at each step, expired and spent
 * sessions, the limit on challenges, and a client or pool that does not allow the flow.
 *
 * The choices auth_custom.c documents as the emulator's (no Cognito source) are pinned here
 * and say so.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/jwt.h"
#include "crypto/srp_group.h"
#include "crypto/totp.h"
#include "testauth.h"
#include "testlambda.h"
#include "testlife.h"
#include "testutil.h"
#include "util/clock.h"
#include "util/jsonutil.h"

static struct tu_env *const env = &tu_fixture;
static char pool_id[IDS_MAX];
static char client_id[64];

#define ARN(fn) "arn:aws:lambda:us-east-1:123456789012:function:" fn
#define CUSTOM_TRIGGERS                                                                            \
    "\"DefineAuthChallenge\":\"" ARN("define") "\",\"CreateAuthChallenge\":\"" ARN(                \
        "create") "\",\"VerifyAuthChallengeResponse\":\"" ARN("verify") "\""
#define FLOWS                                                                                      \
    "\"ExplicitAuthFlows\":[\"ALLOW_CUSTOM_AUTH\",\"ALLOW_USER_SRP_AUTH\","                        \
    "\"ALLOW_REFRESH_TOKEN_AUTH\"]"
#define ALICE_ATTRS "{\"email\":\"alice@example.com\",\"email_verified\":\"true\"}"
#define INCORRECT "Incorrect username or password."
#define EXPIRED_SESSION "Invalid session for the user, session is expired."
#define USED_SESSION "Invalid session for the user, session can only be used once."
#define NOT_CONFIGURED "Custom auth lambda trigger is not configured for the user pool."
#define UNRECOGNIZABLE "Unrecognizable lambda output"
#define SNS "{\"SnsCallerArn\":\"arn:aws:iam::123456789012:role/sns\",\"ExternalId\":\"x\"}"

/* ---- The functions ------------------------------------------------------------------------
 *
 * The standard trio plays the usual one-code game: Define answers SRP_A with
 * PASSWORD_VERIFIER, a right answer with tokens, a wrong one with another try until `tries`
 * custom challenges were asked, and anything else with CUSTOM_CHALLENGE; Create asks "6 x 7?"
 * (round n, metadata ROUND-n); Verify compares the answer with the private "answer".
 */

static int tries = 3;

static const cJSON *request_of(const cJSON *event)
{
    return json_get(event, "request");
}

static int custom_challenges(const cJSON *session)
{
    const cJSON *entry;
    int n = 0;

    cJSON_ArrayForEach(entry, session) n +=
        strcmp(json_str_or(entry, "challengeName", ""), "CUSTOM_CHALLENGE") == 0;
    return n;
}

static void define_std(const cJSON *event, void *arg, struct tlam_answer *out)
{
    const cJSON *session = json_get(request_of(event), "session");
    const cJSON *last = cJSON_GetArrayItem(session, cJSON_GetArraySize(session) - 1);
    const char *name = json_str_or(last, "challengeName", "");
    const char *answer = "{\"challengeName\":\"CUSTOM_CHALLENGE\",\"issueTokens\":false,"
                         "\"failAuthentication\":false}";

    (void)arg;
    if (strcmp(name, "SRP_A") == 0)
        answer = "{\"challengeName\":\"PASSWORD_VERIFIER\",\"issueTokens\":false,"
                 "\"failAuthentication\":false}";
    else if (strcmp(name, "CUSTOM_CHALLENGE") == 0 && json_bool(last, "challengeResult", false))
        answer = "{\"issueTokens\":true,\"failAuthentication\":false}";
    else if (strcmp(name, "CUSTOM_CHALLENGE") == 0 && custom_challenges(session) >= tries)
        answer = "{\"issueTokens\":false,\"failAuthentication\":true}";
    out->body = tlam_event_with_response(event, answer);
}

static void create_std(const cJSON *event, void *arg, struct tlam_answer *out)
{
    int n = custom_challenges(json_get(request_of(event), "session")) + 1;
    char answer[256];

    (void)arg;
    snprintf(answer, sizeof(answer),
             "{\"publicChallengeParameters\":{\"question\":\"6 x 7?\",\"round\":\"%d\"},"
             "\"privateChallengeParameters\":{\"answer\":\"42\"},"
             "\"challengeMetadata\":\"ROUND-%d\"}",
             n, n);
    out->body = tlam_event_with_response(event, answer);
}

static void verify_std(const cJSON *event, void *arg, struct tlam_answer *out)
{
    const cJSON *request = request_of(event);
    const char *expected = json_str(json_get(request, "privateChallengeParameters"), "answer");
    const char *given = json_str(request, "challengeAnswer");

    (void)arg;
    out->body = tlam_event_with_response(event, expected != NULL && given != NULL &&
                                                        strcmp(expected, given) == 0
                                                    ? "{\"answerCorrect\":true}"
                                                    : "{\"answerCorrect\":false}");
}

/* A Define that never decides: always another CUSTOM_CHALLENGE. */
static void define_forever(const cJSON *event, void *arg, struct tlam_answer *out)
{
    (void)arg;
    out->body = tlam_event_with_response(event, "{\"challengeName\":\"CUSTOM_CHALLENGE\"}");
}

static void standard_functions(void)
{
    tlam_on(tlam_fixture, "define", define_std, NULL);
    tlam_on(tlam_fixture, "create", create_std, NULL);
    tlam_on(tlam_fixture, "verify", verify_std, NULL);
    tlam_on(tlam_fixture, "preauth", tlam_return_event, NULL);
    tlam_on(tlam_fixture, "postauth", tlam_return_event, NULL);
}

/* ---- Fixture and calls -------------------------------------------------------------------- */

/* A pool with the three triggers and pre/post authentication, a client allowing FLOWS, and
 * alice (CONFIRMED, TA_PASSWORD). */
static void setup(void)
{
    char *id;

    tlam_setup();
    id =
        tu_create_user_pool(env, "{\"PoolName\":\"custom\",\"LambdaConfig\":{" CUSTOM_TRIGGERS
                                 ",\"PreAuthentication\":\"" ARN(
                                     "preauth") "\","
                                                "\"PostAuthentication\":\"" ARN("postauth") "\"}}");
    snprintf(pool_id, sizeof(pool_id), "%s", id);
    free(id);
    ta_create_client_in(pool_id, FLOWS, client_id);
    ta_add_user_to(pool_id, "alice", TA_PASSWORD, "CONFIRMED", ALICE_ATTRS);
    tries = 3;
    standard_functions();
}

/* InitiateAuth CUSTOM_AUTH with client: AuthParameters params (members, no braces) and more
 * top-level members (a fragment starting with a comma, or ""). */
static cJSON *initiate_with(const char *client, const char *params, const char *more)
{
    return tu_callf(env, IDP "InitiateAuth",
                    "{\"AuthFlow\":\"CUSTOM_AUTH\",\"ClientId\":\"%s\",\"AuthParameters\":{%s}%s}",
                    client, params, more);
}

static cJSON *initiate(const char *params, const char *more)
{
    return initiate_with(client_id, params, more);
}

static cJSON *admin_initiate(const char *params, const char *more)
{
    return tu_callf(env, IDP "AdminInitiateAuth",
                    "{\"AuthFlow\":\"CUSTOM_AUTH\",\"UserPoolId\":\"%s\",\"ClientId\":\"%s\","
                    "\"AuthParameters\":{%s}%s}",
                    pool_id, client_id, params, more);
}

/* RespondToAuthChallenge CUSTOM_CHALLENGE with session for username and ANSWER answer. */
static cJSON *answer_with(const char *client, const char *session, const char *username,
                          const char *answer, const char *more)
{
    return tu_callf(
        env, IDP "RespondToAuthChallenge",
        "{\"ChallengeName\":\"CUSTOM_CHALLENGE\",\"ClientId\":\"%s\",\"Session\":\"%s\","
        "\"ChallengeResponses\":{\"USERNAME\":\"%s\",\"ANSWER\":\"%s\"}%s}",
        client, session, username, answer, more);
}

static cJSON *answer(const char *session, const char *answer, const char *more)
{
    return answer_with(client_id, session, "alice", answer, more);
}

static cJSON *admin_answer(const char *session, const char *answer, const char *more)
{
    return tu_callf(env, IDP "AdminRespondToAuthChallenge",
                    "{\"ChallengeName\":\"CUSTOM_CHALLENGE\",\"UserPoolId\":\"%s\","
                    "\"ClientId\":\"%s\",\"Session\":\"%s\","
                    "\"ChallengeResponses\":{\"USERNAME\":\"alice\",\"ANSWER\":\"%s\"}%s}",
                    pool_id, client_id, session, answer, more);
}

/* resp (kept) must ask CUSTOM_CHALLENGE; its Session into session (512 bytes). */
static void expect_custom(const cJSON *resp, char *session)
{
    ck_assert_msg(tu_error_type(resp) == NULL, "%s: %s", tu_error_type(resp),
                  tu_str(resp, "message"));
    ck_assert_str_eq(tu_str(resp, "ChallengeName"), "CUSTOM_CHALLENGE");
    ck_assert_ptr_null(tu_get(resp, "AuthenticationResult"));
    ck_assert_ptr_nonnull(tu_str(resp, "Session"));
    snprintf(session, 512, "%s", tu_str(resp, "Session"));
}

/* resp (deleted) must ask CUSTOM_CHALLENGE; its Session into session. */
static void take_custom(cJSON *resp, char *session)
{
    expect_custom(resp, session);
    cJSON_Delete(resp);
}

/* resp (deleted) must carry tokens of pool_id for alice, and the empty ChallengeParameters. */
static void expect_alice_tokens(cJSON *resp)
{
    const cJSON *result = ta_result_of(resp);
    cJSON *claims = NULL;

    ck_assert_ptr_nonnull(tu_str(result, "RefreshToken"));
    ck_assert(ta_verifies(tu_str(result, "AccessToken"), pool_id));
    ck_assert(ta_verifies(tu_str(result, "IdToken"), pool_id));
    ck_assert(cJSON_IsObject(tu_get(resp, "ChallengeParameters")));
    ck_assert_int_eq(cJSON_GetArraySize(tu_get(resp, "ChallengeParameters")), 0);
    ck_assert_ptr_null(tu_get(resp, "ChallengeName"));
    ck_assert_ptr_null(tu_get(resp, "Session"));
    claims = jwt_peek_payload(tu_str(result, "IdToken"));
    ck_assert_str_eq(tu_str(claims, "cognito:username"), "alice");
    cJSON_Delete(claims);
    cJSON_Delete(resp);
}

/* Call i of function fn (cJSON_Delete); fails the test when there is none. */
static cJSON *event_of(const char *fn, size_t i)
{
    cJSON *event = tlam_event(tlam_fixture, fn, i);

    ck_assert_msg(event != NULL, "no call %zu of %s", i, fn);
    return event;
}

/* item printed without spaces must be expected. */
static void assert_json(const cJSON *item, const char *expected)
{
    char *text = cJSON_PrintUnformatted(item);

    ck_assert_ptr_nonnull(text);
    ck_assert_str_eq(text, expected);
    free(text);
}

/* The request member name of call i of fn, printed, must be expected ("(absent)" for none). */
static void assert_request(const char *fn, size_t i, const char *name, const char *expected)
{
    cJSON *event = event_of(fn, i);
    const cJSON *member = json_get(request_of(event), name);

    if (member == NULL)
        ck_assert_msg(strcmp(expected, "(absent)") == 0, "%s #%zu: no request.%s", fn, i, name);
    else
        assert_json(member, expected);
    cJSON_Delete(event);
}

#define ENTRY(name, result, metadata)                                                              \
    "{\"challengeName\":\"" name "\",\"challengeResult\":" result                                  \
    ",\"challengeMetadata\":" metadata "}"

/* ---- The one-code flow -------------------------------------------------------------------- */

START_TEST(test_custom_wrong_then_right_answer_signs_in)
{
    char first[512], second[512];
    cJSON *resp = initiate("\"USERNAME\":\"alice\"", ""), *again;
    const cJSON *params;

    expect_custom(resp, first);
    params = tu_get(resp, "ChallengeParameters");
    ck_assert_str_eq(tu_str(params, "question"), "6 x 7?");
    ck_assert_str_eq(tu_str(params, "round"), "1");
    ck_assert_str_eq(tu_str(params, "USERNAME"), "alice");
    ck_assert_int_eq(cJSON_GetArraySize(params), 3); /* the private parameters stay private */
    cJSON_Delete(resp);

    /* A wrong answer does not end the flow: Define asks again, with a new session. */
    resp = answer(first, "41", "");
    expect_custom(resp, second);
    ck_assert_str_ne(first, second);
    ck_assert_str_eq(tu_str(tu_get(resp, "ChallengeParameters"), "round"), "2");
    cJSON_Delete(resp);
    /* The answered session is spent. */
    again = answer(first, "42", "");
    tu_assert_error(again, "NotAuthorizedException", USED_SESSION);
    cJSON_Delete(again);

    expect_alice_tokens(answer(second, "42", ""));
    ck_assert_uint_eq(tlam_count(tlam_fixture, "define"), 3);
    ck_assert_uint_eq(tlam_count(tlam_fixture, "create"), 2);
    ck_assert_uint_eq(tlam_count(tlam_fixture, "verify"), 2);
    ck_assert_uint_eq(tlam_count(tlam_fixture, "preauth"), 1);
    ck_assert_uint_eq(tlam_count(tlam_fixture, "postauth"), 1);
    again = answer(second, "42", "");
    tu_assert_error(again, "NotAuthorizedException", USED_SESSION);
    cJSON_Delete(again);
    ck_assert_uint_eq(tlam_count(tlam_fixture, "verify"), 2);
}
END_TEST

START_TEST(test_custom_events_field_by_field)
{
    char session[512];
    cJSON *event;
    const cJSON *request, *attrs;

    take_custom(initiate("\"USERNAME\":\"alice\"", ",\"ClientMetadata\":{\"from\":\"initiate\"}"),
                session);
    take_custom(answer(session, "41", ",\"ClientMetadata\":{\"from\":\"respond\"}"), session);
    expect_alice_tokens(answer(session, "42", ",\"ClientMetadata\":{\"from\":\"last\"}"));

    /* Define, first call: the envelope, the user, an empty history, Cognito's defaults. */
    event = event_of("define", 0);
    ck_assert_str_eq(tu_str(event, "version"), "1");
    ck_assert_str_eq(tu_str(event, "triggerSource"), "DefineAuthChallenge_Authentication");
    ck_assert_str_eq(tu_str(event, "region"), "us-east-1");
    ck_assert_str_eq(tu_str(event, "userPoolId"), pool_id);
    ck_assert_str_eq(tu_str(event, "userName"), "alice");
    ck_assert_str_eq(tu_str(tu_get(event, "callerContext"), "clientId"), client_id);
    request = request_of(event);
    attrs = tu_get(request, "userAttributes");
    ck_assert_str_eq(tu_str(attrs, "email"), "alice@example.com");
    ck_assert_str_eq(tu_str(attrs, "cognito:user_status"), "CONFIRMED");
    ck_assert_ptr_nonnull(tu_str(attrs, "sub"));
    assert_json(tu_get(request, "session"), "[]");
    /* InitiateAuth's ClientMetadata is not Define's; the client does not hide users. */
    ck_assert_ptr_null(tu_get(request, "clientMetadata"));
    ck_assert_ptr_null(tu_get(request, "userNotFound"));
    assert_json(tu_get(event, "response"),
                "{\"challengeName\":null,\"issueTokens\":false,\"failAuthentication\":false}");
    cJSON_Delete(event);
    /* ... it is pre authentication's validationData. */
    assert_request("preauth", 0, "validationData", "{\"from\":\"initiate\"}");

    /* Create, first call. */
    event = event_of("create", 0);
    ck_assert_str_eq(tu_str(event, "triggerSource"), "CreateAuthChallenge_Authentication");
    ck_assert_str_eq(tu_str(event, "userName"), "alice");
    request = request_of(event);
    ck_assert_str_eq(tu_str(request, "challengeName"), "CUSTOM_CHALLENGE");
    ck_assert_str_eq(tu_str(tu_get(request, "userAttributes"), "email"), "alice@example.com");
    assert_json(tu_get(request, "session"), "[]");
    ck_assert_ptr_null(tu_get(request, "clientMetadata"));
    assert_json(tu_get(event, "response"), "{\"publicChallengeParameters\":{},"
                                           "\"privateChallengeParameters\":{},"
                                           "\"challengeMetadata\":null}");
    cJSON_Delete(event);

    /* Verify: Create's private parameters, the ANSWER, RespondToAuthChallenge's metadata. */
    event = event_of("verify", 0);
    ck_assert_str_eq(tu_str(event, "triggerSource"), "VerifyAuthChallengeResponse_Authentication");
    ck_assert_str_eq(tu_str(event, "userName"), "alice");
    request = request_of(event);
    assert_json(tu_get(request, "privateChallengeParameters"), "{\"answer\":\"42\"}");
    ck_assert_str_eq(tu_str(request, "challengeAnswer"), "41");
    assert_json(tu_get(request, "clientMetadata"), "{\"from\":\"respond\"}");
    ck_assert_str_eq(tu_str(tu_get(request, "userAttributes"), "cognito:user_status"), "CONFIRMED");
    ck_assert_ptr_null(tu_get(request, "userNotFound"));
    assert_json(tu_get(event, "response"), "{\"answerCorrect\":false}");
    cJSON_Delete(event);
    assert_request("verify", 1, "challengeAnswer", "\"42\"");
    assert_request("verify", 1, "clientMetadata", "{\"from\":\"last\"}");

    /* The history grows by Verify's verdicts, with Create's metadata carried. */
    assert_request("define", 1, "session",
                   "[" ENTRY("CUSTOM_CHALLENGE", "false", "\"ROUND-1\"") "]");
    assert_request("define", 1, "clientMetadata", "{\"from\":\"respond\"}");
    assert_request("define", 2, "session",
                   "[" ENTRY("CUSTOM_CHALLENGE", "false", "\"ROUND-1\"") "," ENTRY(
                       "CUSTOM_CHALLENGE", "true", "\"ROUND-2\"") "]");
    assert_request("create", 1, "session",
                   "[" ENTRY("CUSTOM_CHALLENGE", "false", "\"ROUND-1\"") "]");
    /* Pinned: Create never gets ClientMetadata (observed on AWS, localstack#11687). */
    assert_request("create", 1, "clientMetadata", "(absent)");
    /* Post authentication: the last response's metadata. */
    assert_request("postauth", 0, "clientMetadata", "{\"from\":\"last\"}");
}
END_TEST

/* A function that fails the sign-in: at the start, and after a wrong answer. */
START_TEST(test_custom_fail_authentication)
{
    char session[512];
    cJSON *resp;

    tries = 1;
    take_custom(initiate("\"USERNAME\":\"alice\"", ""), session);
    resp = answer(session, "41", "");
    tu_assert_error(resp, "NotAuthorizedException", INCORRECT);
    cJSON_Delete(resp);
    ck_assert_uint_eq(tlam_count(tlam_fixture, "create"), 1);
    ck_assert_uint_eq(tlam_count(tlam_fixture, "postauth"), 0);
    /* The session was spent by the answer. */
    resp = answer(session, "42", "");
    tu_assert_error(resp, "NotAuthorizedException", USED_SESSION);
    cJSON_Delete(resp);

    tlam_on_body(tlam_fixture, "define", "{\"response\":{\"failAuthentication\":true}}");
    resp = initiate("\"USERNAME\":\"alice\"", "");
    tu_assert_error(resp, "NotAuthorizedException", INCORRECT);
    cJSON_Delete(resp);
    /* Pinned: failAuthentication wins over issueTokens. */
    tlam_on_body(tlam_fixture, "define",
                 "{\"response\":{\"failAuthentication\":true,\"issueTokens\":true,"
                 "\"challengeName\":\"CUSTOM_CHALLENGE\"}}");
    resp = initiate("\"USERNAME\":\"alice\"", "");
    tu_assert_error(resp, "NotAuthorizedException", INCORRECT);
    cJSON_Delete(resp);
    ck_assert_uint_eq(tlam_count(tlam_fixture, "create"), 1);
}
END_TEST

START_TEST(test_custom_issue_tokens_at_once)
{
    tlam_on_body(tlam_fixture, "define",
                 "{\"response\":{\"issueTokens\":true,\"challengeName\":\"CUSTOM_CHALLENGE\"}}");
    expect_alice_tokens(initiate("\"USERNAME\":\"alice\"", ""));
    ck_assert_uint_eq(tlam_count(tlam_fixture, "create"), 0);
    ck_assert_uint_eq(tlam_count(tlam_fixture, "postauth"), 1);
    /* InitiateAuth passes no ClientMetadata to post authentication either. */
    assert_request("postauth", 0, "clientMetadata", "(absent)");
}
END_TEST

/* Pinned: answers that decide nothing Cognito can do are InvalidLambdaResponseException. */
START_TEST(test_custom_unusable_define_answers)
{
    static const char *const ANSWERS[] = {
        "{\"response\":{}}",
        "{\"response\":{\"challengeName\":\"SMS_MFA\"}}",
        "{\"response\":{\"challengeName\":5}}",
        "{\"response\":{\"challengeName\":\"PASSWORD_VERIFIER\"}}", /* no SRP_A to verify */
        "{\"response\":{\"challengeName\":\"CUSTOM_CHALLENGE_TOO_LONG_TO_BE_A_NAME_AT_ALL_"
        "REALLY_IT_GOES_ON_AND_ON\"}}",
    };
    cJSON *resp;

    for (size_t i = 0; i < sizeof(ANSWERS) / sizeof(ANSWERS[0]); i++) {
        tlam_on_body(tlam_fixture, "define", ANSWERS[i]);
        resp = initiate("\"USERNAME\":\"alice\"", "");
        tu_assert_error(resp, "InvalidLambdaResponseException", UNRECOGNIZABLE);
        cJSON_Delete(resp);
    }
    tlam_on_body(tlam_fixture, "define", "null");
    resp = initiate("\"USERNAME\":\"alice\"", "");
    tu_assert_error(resp, "InvalidLambdaResponseException",
                    "Invalid lambda function output : Invalid JSON");
    cJSON_Delete(resp);
    ck_assert_uint_eq(tlam_count(tlam_fixture, "create"), 0);
}
END_TEST

/* Create's parameters: kinds of values, USERNAME, and unusable answers. */
START_TEST(test_custom_create_answers)
{
    char session[512];
    cJSON *resp;
    const cJSON *params;

    tlam_on_body(tlam_fixture, "create",
                 "{\"response\":{\"publicChallengeParameters\":{\"attempts\":3,\"ok\":true,"
                 "\"USERNAME\":\"mallory\"},\"privateChallengeParameters\":{\"answer\":42}}}");
    resp = initiate("\"USERNAME\":\"alice\"", "");
    expect_custom(resp, session);
    params = tu_get(resp, "ChallengeParameters");
    /* Pinned: numbers and booleans become text; USERNAME is always the user's. */
    ck_assert_str_eq(tu_str(params, "attempts"), "3");
    ck_assert_str_eq(tu_str(params, "ok"), "true");
    ck_assert_str_eq(tu_str(params, "USERNAME"), "alice");
    cJSON_Delete(resp);
    expect_alice_tokens(answer(session, "42", ""));
    assert_request("verify", 0, "privateChallengeParameters", "{\"answer\":\"42\"}");
    /* No metadata: null in the history. */
    assert_request("define", 1, "session", "[" ENTRY("CUSTOM_CHALLENGE", "true", "null") "]");

    tlam_on_body(tlam_fixture, "create", "{\"response\":{\"publicChallengeParameters\":[1]}}");
    resp = initiate("\"USERNAME\":\"alice\"", "");
    tu_assert_error(resp, "InvalidLambdaResponseException", UNRECOGNIZABLE);
    cJSON_Delete(resp);
    tlam_on_body(tlam_fixture, "create",
                 "{\"response\":{\"privateChallengeParameters\":{\"a\":{}}}}");
    resp = initiate("\"USERNAME\":\"alice\"", "");
    tu_assert_error(resp, "InvalidLambdaResponseException", UNRECOGNIZABLE);
    cJSON_Delete(resp);
    tlam_on_body(tlam_fixture, "create", "{\"response\":{\"challengeMetadata\":7}}");
    resp = initiate("\"USERNAME\":\"alice\"", "");
    tu_assert_error(resp, "InvalidLambdaResponseException", UNRECOGNIZABLE);
    cJSON_Delete(resp);
}
END_TEST

/* ---- Failures, sessions, limits ----------------------------------------------------------- */

START_TEST(test_custom_trigger_failures_at_each_step)
{
    char session[512];
    cJSON *resp;

    tlam_on_error(tlam_fixture, "define", "no define today");
    resp = initiate("\"USERNAME\":\"alice\"", "");
    tu_assert_error(resp, "UserLambdaValidationException",
                    "DefineAuthChallenge failed with error no define today.");
    cJSON_Delete(resp);
    tlam_on(tlam_fixture, "define", define_std, NULL);

    tlam_on_error(tlam_fixture, "create", "no create today");
    resp = initiate("\"USERNAME\":\"alice\"", "");
    tu_assert_error(resp, "UserLambdaValidationException",
                    "CreateAuthChallenge failed with error no create today.");
    ck_assert_ptr_null(tu_get(resp, "Session"));
    cJSON_Delete(resp);
    tlam_on(tlam_fixture, "create", create_std, NULL);

    /* Verify fails: the answered session is spent all the same, as Cognito was seen to do. */
    take_custom(initiate("\"USERNAME\":\"alice\"", ""), session);
    tlam_on_error(tlam_fixture, "verify", "no verify today");
    resp = answer(session, "42", "");
    tu_assert_error(resp, "UserLambdaValidationException",
                    "VerifyAuthChallengeResponse failed with error no verify today.");
    cJSON_Delete(resp);
    tlam_on(tlam_fixture, "verify", verify_std, NULL);
    resp = answer(session, "42", "");
    tu_assert_error(resp, "NotAuthorizedException", USED_SESSION);
    cJSON_Delete(resp);

    /* Define fails after an answer, then Create. */
    take_custom(initiate("\"USERNAME\":\"alice\"", ""), session);
    tlam_on_status(tlam_fixture, "define", 404, "ResourceNotFoundException");
    resp = answer(session, "42", "");
    tu_assert_error(resp, "UnexpectedLambdaException",
                    "DefineAuthChallenge invocation failed due to error "
                    "ResourceNotFoundException.");
    cJSON_Delete(resp);
    tlam_on(tlam_fixture, "define", define_std, NULL);
    take_custom(initiate("\"USERNAME\":\"alice\"", ""), session);
    tlam_on_error(tlam_fixture, "create", "second round");
    resp = answer(session, "41", "");
    tu_assert_error(resp, "UserLambdaValidationException",
                    "CreateAuthChallenge failed with error second round.");
    cJSON_Delete(resp);
    ck_assert_uint_eq(tlam_count(tlam_fixture, "postauth"), 0);
}
END_TEST

/* The session lasts the client's AuthSessionValidity (3 minutes by default). */
START_TEST(test_custom_session_expires)
{
    char session[512], client[64];
    cJSON *resp;

    take_custom(initiate("\"USERNAME\":\"alice\"", ""), session);
    clock_set_offset_ms(3 * 60 * 1000 + 1000);
    resp = answer(session, "42", "");
    tu_assert_error(resp, "NotAuthorizedException", EXPIRED_SESSION);
    cJSON_Delete(resp);
    ck_assert_uint_eq(tlam_count(tlam_fixture, "verify"), 0);

    clock_set_offset_ms(0);
    ta_create_client_in(pool_id, FLOWS ",\"AuthSessionValidity\":10", client);
    take_custom(initiate_with(client, "\"USERNAME\":\"alice\"", ""), session);
    clock_set_offset_ms(9 * 60 * 1000);
    expect_alice_tokens(answer_with(client, session, "alice", "42", ""));
}
END_TEST

/* Pinned: one sign-in asks at most 16 challenges; a Define that never decides fails there. */
START_TEST(test_custom_challenge_limit)
{
    char session[512];
    cJSON *resp;

    tlam_on(tlam_fixture, "define", define_forever, NULL);
    take_custom(initiate("\"USERNAME\":\"alice\"", ""), session);
    for (int i = 1; i < 16; i++)
        take_custom(answer(session, "41", ""), session);
    resp = answer(session, "41", "");
    tu_assert_error(resp, "NotAuthorizedException", INCORRECT);
    cJSON_Delete(resp);
    ck_assert_uint_eq(tlam_count(tlam_fixture, "define"), 17);
    ck_assert_uint_eq(tlam_count(tlam_fixture, "create"), 16);
    ck_assert_uint_eq(tlam_count(tlam_fixture, "verify"), 16);
}
END_TEST

/* A missing ANSWER is refused and leaves the session for another try. */
START_TEST(test_custom_missing_parameters)
{
    char session[512], secret_client[64];
    cJSON *resp;

    resp = initiate("\"PASSWORD\":\"x\"", "");
    tu_assert_error(resp, "InvalidParameterException", "Missing required parameter USERNAME");
    cJSON_Delete(resp);
    resp = initiate("\"USERNAME\":\"alice\",\"CHALLENGE_NAME\":\"SRP_A\"", "");
    tu_assert_error(resp, "InvalidParameterException", "Missing required parameter SRP_A");
    cJSON_Delete(resp);
    resp = initiate("\"USERNAME\":\"alice\",\"CHALLENGE_NAME\":\"SRP_A\",\"SRP_A\":\"zz\"", "");
    tu_assert_error(resp, "InvalidParameterException", "Invalid SRP_A value.");
    cJSON_Delete(resp);
    ta_create_client_in(pool_id, FLOWS ",\"GenerateSecret\":true", secret_client);
    resp = initiate_with(secret_client, "\"USERNAME\":\"alice\"", "");
    tu_assert_error(resp, "NotAuthorizedException", NULL);
    ck_assert_ptr_nonnull(strstr(tu_str(resp, "message"), "secret was not received"));
    cJSON_Delete(resp);
    ck_assert_uint_eq(tlam_count(tlam_fixture, "define"), 0);
    ck_assert_uint_eq(tlam_count(tlam_fixture, "preauth"), 0);
    /* Pinned: SRP_A without CHALLENGE_NAME "SRP_A" does not start with the password. */
    take_custom(initiate("\"USERNAME\":\"alice\",\"SRP_A\":\"zz\"", ""), session);
    assert_request("define", 0, "session", "[]");

    take_custom(initiate("\"USERNAME\":\"alice\"", ""), session);
    resp =
        tu_callf(env, IDP "RespondToAuthChallenge",
                 "{\"ChallengeName\":\"CUSTOM_CHALLENGE\",\"ClientId\":\"%s\",\"Session\":\"%s\","
                 "\"ChallengeResponses\":{\"USERNAME\":\"alice\"}}",
                 client_id, session);
    tu_assert_error(resp, "InvalidParameterException", "Missing required parameter ANSWER");
    cJSON_Delete(resp);
    ck_assert_uint_eq(tlam_count(tlam_fixture, "verify"), 0);
    /* Another user's name: refused, and the session stays. */
    ta_add_user_to(pool_id, "bob", TA_PASSWORD, "CONFIRMED", "{}");
    resp = answer_with(client_id, session, "bob", "42", "");
    tu_assert_error(resp, "NotAuthorizedException", "Invalid session provided for the user.");
    cJSON_Delete(resp);
    expect_alice_tokens(answer(session, "42", ""));
}
END_TEST

START_TEST(test_custom_client_or_pool_without_the_flow)
{
    char client[64], session[512];
    char *other;
    cJSON *resp;

    ta_create_client_in(pool_id, "\"ExplicitAuthFlows\":[\"ALLOW_USER_SRP_AUTH\"]", client);
    resp = initiate_with(client, "\"USERNAME\":\"alice\"", "");
    tu_assert_error(resp, "InvalidParameterException", "Auth flow not enabled for this client");
    cJSON_Delete(resp);
    ck_assert_uint_eq(tlam_count(tlam_fixture, "define"), 0);
    /* A client without ExplicitAuthFlows allows it. */
    ta_create_client_in(pool_id, "\"AuthSessionValidity\":3", client);
    take_custom(initiate_with(client, "\"USERNAME\":\"alice\"", ""), session);

    /* A pool without DefineAuthChallenge; one without CreateAuthChallenge, when Define asks
     * for a custom challenge (pinned: the same answer). */
    other = tu_create_user_pool(env, "{\"PoolName\":\"plain\"}");
    ta_create_client_in(other, FLOWS, client);
    ta_add_user_to(other, "alice", TA_PASSWORD, "CONFIRMED", ALICE_ATTRS);
    resp = initiate_with(client, "\"USERNAME\":\"alice\"", "");
    tu_assert_error(resp, "InvalidParameterException", NOT_CONFIGURED);
    cJSON_Delete(resp);
    free(other);
    other = tu_create_user_pool(env, "{\"PoolName\":\"half\",\"LambdaConfig\":{"
                                     "\"DefineAuthChallenge\":\"" ARN("define") "\"}}");
    ta_create_client_in(other, FLOWS, client);
    ta_add_user_to(other, "alice", TA_PASSWORD, "CONFIRMED", ALICE_ATTRS);
    resp = initiate_with(client, "\"USERNAME\":\"alice\"", "");
    tu_assert_error(resp, "InvalidParameterException", NOT_CONFIGURED);
    cJSON_Delete(resp);
    /* ... but a Define that issues tokens needs no other function. */
    tlam_on_body(tlam_fixture, "define", "{\"response\":{\"issueTokens\":true}}");
    resp = initiate_with(client, "\"USERNAME\":\"alice\"", "");
    ck_assert_ptr_nonnull(tu_str(ta_result_of(resp), "AccessToken"));
    cJSON_Delete(resp);
    free(other);
}
END_TEST

/* ---- Users -------------------------------------------------------------------------------- */

START_TEST(test_custom_unknown_user)
{
    char client[64], session[512];
    cJSON *resp, *event;
    const cJSON *request;

    resp = initiate("\"USERNAME\":\"ghost\"", "");
    tu_assert_error(resp, "UserNotFoundException", "User does not exist.");
    cJSON_Delete(resp);
    ck_assert_uint_eq(tlam_count(tlam_fixture, "define"), 0);

    /* A client that hides users: the functions run, told userNotFound. */
    ta_create_client_in(pool_id, FLOWS ",\"PreventUserExistenceErrors\":\"ENABLED\"", client);
    resp = initiate_with(client, "\"USERNAME\":\"ghost\"", "");
    expect_custom(resp, session);
    ck_assert_str_eq(tu_str(tu_get(resp, "ChallengeParameters"), "USERNAME"), "ghost");
    cJSON_Delete(resp);
    event = event_of("define", 0);
    ck_assert_str_eq(tu_str(event, "userName"), "ghost");
    request = request_of(event);
    ck_assert(tu_bool(request, "userNotFound"));
    assert_json(tu_get(request, "userAttributes"), "{}");
    cJSON_Delete(event);
    assert_request("create", 0, "userNotFound", "true");
    assert_request("preauth", 0, "userNotFound", "true");
    /* Pinned: tokens Define issues for nobody are refused as a wrong password. */
    resp = answer_with(client, session, "ghost", "42", "");
    tu_assert_error(resp, "NotAuthorizedException", INCORRECT);
    cJSON_Delete(resp);
    assert_request("verify", 0, "userNotFound", "true");
    assert_request("define", 1, "session",
                   "[" ENTRY("CUSTOM_CHALLENGE", "true", "\"ROUND-1\"") "]");

    /* A known user of that client: "userNotFound": false. */
    take_custom(initiate_with(client, "\"USERNAME\":\"alice\"", ""), session);
    assert_request("define", 2, "userNotFound", "false");
}
END_TEST

/* Pinned: a disabled or unconfirmed user is refused before Define; an administrator's user
 * who never set a password signs in (the passwordless pattern). */
START_TEST(test_custom_user_states)
{
    cJSON *resp;

    ta_add_user_to(pool_id, "new", TA_PASSWORD, "UNCONFIRMED", "{}");
    resp = initiate("\"USERNAME\":\"new\"", "");
    tu_assert_error(resp, "UserNotConfirmedException", "User is not confirmed.");
    cJSON_Delete(resp);
    tl_ok(tu_callf(env, IDP "AdminDisableUser", "{\"UserPoolId\":\"%s\",\"Username\":\"alice\"}",
                   pool_id));
    resp = initiate("\"USERNAME\":\"alice\"", "");
    tu_assert_error(resp, "NotAuthorizedException", "User is disabled.");
    cJSON_Delete(resp);
    ck_assert_uint_eq(tlam_count(tlam_fixture, "define"), 0);

    ta_add_user_to(pool_id, "temp", TA_PASSWORD, "FORCE_CHANGE_PASSWORD", "{}");
    tlam_on_body(tlam_fixture, "define", "{\"response\":{\"issueTokens\":true}}");
    resp = initiate("\"USERNAME\":\"temp\"", "");
    ck_assert_ptr_nonnull(tu_str(ta_result_of(resp), "AccessToken"));
    cJSON_Delete(resp);
}
END_TEST

START_TEST(test_custom_admin_operations)
{
    char session[512];
    cJSON *resp;

    resp = admin_initiate("\"USERNAME\":\"alice\"", ",\"ClientMetadata\":{\"from\":\"initiate\"}");
    expect_custom(resp, session);
    ck_assert_str_eq(tu_str(tu_get(resp, "ChallengeParameters"), "USERNAME"), "alice");
    cJSON_Delete(resp);
    take_custom(admin_answer(session, "7", ",\"ClientMetadata\":{\"from\":\"admin\"}"), session);
    expect_alice_tokens(admin_answer(session, "42", ""));
    assert_request("define", 0, "clientMetadata", "(absent)");
    assert_request("verify", 0, "clientMetadata", "{\"from\":\"admin\"}");
    assert_request("define", 1, "clientMetadata", "{\"from\":\"admin\"}");
    assert_request("verify", 1, "clientMetadata", "(absent)");
    assert_request("preauth", 0, "validationData", "{\"from\":\"initiate\"}");
    assert_request("define", 2, "session",
                   "[" ENTRY("CUSTOM_CHALLENGE", "false", "\"ROUND-1\"") "," ENTRY(
                       "CUSTOM_CHALLENGE", "true", "\"ROUND-2\"") "]");
    /* The Admin operations name the app client too. */
    resp = event_of("define", 0);
    ck_assert_str_eq(tu_str(tu_get(resp, "callerContext"), "clientId"), client_id);
    cJSON_Delete(resp);
    /* A session of one operation answers the other: the same flow. */
    take_custom(admin_initiate("\"USERNAME\":\"alice\"", ""), session);
    expect_alice_tokens(answer(session, "42", ""));
}
END_TEST

/* ---- CUSTOM_WITH_SRP ---------------------------------------------------------------------- */

/* InitiateAuth CUSTOM_AUTH for username started with SRP_A; the answer (cJSON_Delete), which
 * must be the PASSWORD_VERIFIER challenge. */
static cJSON *initiate_srp(const struct ta_srp_client *c, const char *username)
{
    char params[1200];
    cJSON *resp;

    snprintf(params, sizeof(params),
             "\"USERNAME\":\"%s\",\"CHALLENGE_NAME\":\"SRP_A\",\"SRP_A\":\"%s\"", username,
             c->A_hex);
    resp = initiate(params, "");
    ck_assert_msg(tu_error_type(resp) == NULL, "%s: %s", tu_error_type(resp),
                  tu_str(resp, "message"));
    ck_assert_str_eq(tu_str(resp, "ChallengeName"), "PASSWORD_VERIFIER");
    return resp;
}

/* RespondToAuthChallenge PASSWORD_VERIFIER to the challenge parameters params with password. */
static cJSON *respond_verifier(const struct ta_srp_client *c, const cJSON *params,
                               const char *password)
{
    char ts[40], sig[SRP_SIGNATURE_B64_LEN + 1];

    ta_srp_timestamp(clock_now_ms(), ts);
    ta_srp_sign(c, pool_id, params, password, ts, sig);
    return tu_callf(env, IDP "RespondToAuthChallenge",
                    "{\"ChallengeName\":\"PASSWORD_VERIFIER\",\"ClientId\":\"%s\","
                    "\"ChallengeResponses\":{\"USERNAME\":\"%s\","
                    "\"PASSWORD_CLAIM_SECRET_BLOCK\":\"%s\",\"TIMESTAMP\":\"%s\","
                    "\"PASSWORD_CLAIM_SIGNATURE\":\"%s\"}}",
                    client_id, tu_str(params, "USER_ID_FOR_SRP"), tu_str(params, "SECRET_BLOCK"),
                    ts, sig);
}

#define SRP_A_ENTRY ENTRY("SRP_A", "true", "null")
#define VERIFIER_ENTRY ENTRY("PASSWORD_VERIFIER", "true", "null")

START_TEST(test_custom_with_srp_password_first)
{
    struct ta_srp_client c = ta_srp_client_new();
    char session[512];
    cJSON *init = initiate_srp(&c, "alice");
    const cJSON *params = tu_get(init, "ChallengeParameters");

    ck_assert_str_eq(tu_str(params, "USER_ID_FOR_SRP"), "alice");
    ck_assert_ptr_nonnull(tu_str(params, "SRP_B"));
    ck_assert_ptr_nonnull(tu_str(params, "SALT"));
    assert_request("define", 0, "session", "[" SRP_A_ENTRY "]");
    ck_assert_uint_eq(tlam_count(tlam_fixture, "create"), 0); /* Cognito's own challenge */

    take_custom(respond_verifier(&c, params, TA_PASSWORD), session);
    assert_request("define", 1, "session", "[" SRP_A_ENTRY "," VERIFIER_ENTRY "]");
    assert_request("create", 0, "session", "[" SRP_A_ENTRY "," VERIFIER_ENTRY "]");
    expect_alice_tokens(answer(session, "42", ""));
    assert_request("define", 2, "session",
                   "[" SRP_A_ENTRY "," VERIFIER_ENTRY
                   "," ENTRY("CUSTOM_CHALLENGE", "true", "\"ROUND-1\"") "]");
    ck_assert_uint_eq(tlam_count(tlam_fixture, "preauth"), 1);
    ck_assert_uint_eq(tlam_count(tlam_fixture, "postauth"), 1);
    cJSON_Delete(init);
    ta_srp_client_free(&c);
}
END_TEST

/* Pinned: a wrong password ends the sign-in as in USER_SRP_AUTH; Define is not asked. */
START_TEST(test_custom_with_srp_wrong_password)
{
    struct ta_srp_client c = ta_srp_client_new();
    cJSON *init = initiate_srp(&c, "alice"), *resp;

    resp = respond_verifier(&c, tu_get(init, "ChallengeParameters"), "Wrong-passw0rd");
    tu_assert_error(resp, "NotAuthorizedException", INCORRECT);
    cJSON_Delete(resp);
    ck_assert_uint_eq(tlam_count(tlam_fixture, "define"), 1);
    /* A Define that asks for the password again later is not obeyed. */
    tlam_on_body(tlam_fixture, "define",
                 "{\"response\":{\"challengeName\":\"PASSWORD_VERIFIER\"}}");
    resp = initiate("\"USERNAME\":\"alice\"", "");
    tu_assert_error(resp, "InvalidLambdaResponseException", UNRECOGNIZABLE);
    cJSON_Delete(resp);
    cJSON_Delete(init);
    ta_srp_client_free(&c);
}
END_TEST

/* After the password, the SMS code Cognito asks itself; then Define with both recorded. */
START_TEST(test_custom_with_srp_and_sms_mfa)
{
    struct ta_srp_client c = ta_srp_client_new();
    char session[512], code[7];
    cJSON *init, *resp;

    tl_ok(tu_callf(env, IDP "SetUserPoolMfaConfig",
                   "{\"UserPoolId\":\"%s\",\"MfaConfiguration\":\"OPTIONAL\","
                   "\"SmsMfaConfiguration\":{\"SmsConfiguration\":" SNS "}}",
                   pool_id));
    ta_add_user_to(pool_id, "bob", TA_PASSWORD, "CONFIRMED",
                   "{\"phone_number\":\"+15555550123\",\"phone_number_verified\":\"true\"}");
    tl_ok(tu_callf(env, IDP "AdminSetUserMFAPreference",
                   "{\"UserPoolId\":\"%s\",\"Username\":\"bob\","
                   "\"SMSMfaSettings\":{\"Enabled\":true,\"PreferredMfa\":true}}",
                   pool_id));
    init = initiate_srp(&c, "bob");
    resp = respond_verifier(&c, tu_get(init, "ChallengeParameters"), TA_PASSWORD);
    ck_assert_msg(tu_error_type(resp) == NULL, "%s", tu_str(resp, "message"));
    ck_assert_str_eq(tu_str(resp, "ChallengeName"), "SMS_MFA");
    snprintf(session, sizeof(session), "%s", tu_str(resp, "Session"));
    cJSON_Delete(resp);
    ck_assert_uint_eq(tlam_count(tlam_fixture, "define"), 1);

    tl_mfa_code("bob", "SMS", code);
    resp = tu_callf(env, IDP "RespondToAuthChallenge",
                    "{\"ChallengeName\":\"SMS_MFA\",\"ClientId\":\"%s\",\"Session\":\"%s\","
                    "\"ChallengeResponses\":{\"USERNAME\":\"bob\",\"SMS_MFA_CODE\":\"%s\"}}",
                    client_id, session, code);
    expect_custom(resp, session);
    ck_assert_str_eq(tu_str(tu_get(resp, "ChallengeParameters"), "USERNAME"), "bob");
    cJSON_Delete(resp);
    assert_request("define", 1, "session",
                   "[" SRP_A_ENTRY "," VERIFIER_ENTRY "," ENTRY("SMS_MFA", "true", "null") "]");
    resp = answer_with(client_id, session, "bob", "42", "");
    ck_assert_ptr_nonnull(tu_str(ta_result_of(resp), "AccessToken"));
    cJSON_Delete(resp);
    cJSON_Delete(init);
    ta_srp_client_free(&c);
}
END_TEST

/* A base32 TOTP secret's current code (out: 7 bytes). */
static void totp_now(const char *b32, char *out)
{
    unsigned char key[64];
    size_t n = 0;
    unsigned bits = 0, value = 0;

    for (const char *p = b32; *p != '\0' && *p != '='; p++) {
        const char *alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", *at = strchr(alphabet, *p);
        ck_assert_ptr_nonnull(at);
        value = (value << 5) | (unsigned)(at - alphabet);
        bits += 5;
        if (bits >= 8) {
            ck_assert_uint_lt(n, sizeof(key));
            key[n++] = (unsigned char)(value >> (bits - 8));
            bits -= 8;
        }
    }
    ck_assert_int_eq(totp_generate(key, n, clock_now_ms() / 1000, out), 0);
}

/* MFA required and none set up: MFA_SETUP through AssociateSoftwareToken and
 * VerifySoftwareToken keeps the flow, which goes back to Define afterwards. */
START_TEST(test_custom_with_srp_and_mfa_setup)
{
    struct ta_srp_client c = ta_srp_client_new();
    char session[512], code[7];
    cJSON *init, *resp;

    tl_ok(tu_callf(env, IDP "SetUserPoolMfaConfig",
                   "{\"UserPoolId\":\"%s\",\"MfaConfiguration\":\"ON\","
                   "\"SoftwareTokenMfaConfiguration\":{\"Enabled\":true}}",
                   pool_id));
    init = initiate_srp(&c, "alice");
    resp = respond_verifier(&c, tu_get(init, "ChallengeParameters"), TA_PASSWORD);
    ck_assert_msg(tu_error_type(resp) == NULL, "%s", tu_str(resp, "message"));
    ck_assert_str_eq(tu_str(resp, "ChallengeName"), "MFA_SETUP");
    snprintf(session, sizeof(session), "%s", tu_str(resp, "Session"));
    cJSON_Delete(resp);

    resp = tu_callf(env, IDP "AssociateSoftwareToken", "{\"Session\":\"%s\"}", session);
    ck_assert_msg(tu_error_type(resp) == NULL, "%s", tu_str(resp, "message"));
    totp_now(tu_str(resp, "SecretCode"), code);
    snprintf(session, sizeof(session), "%s", tu_str(resp, "Session"));
    cJSON_Delete(resp);
    resp = tu_callf(env, IDP "VerifySoftwareToken", "{\"Session\":\"%s\",\"UserCode\":\"%s\"}",
                    session, code);
    ck_assert_msg(tu_error_type(resp) == NULL, "%s", tu_str(resp, "message"));
    snprintf(session, sizeof(session), "%s", tu_str(resp, "Session"));
    cJSON_Delete(resp);
    ck_assert_uint_eq(tlam_count(tlam_fixture, "define"), 1);

    resp = tu_callf(env, IDP "RespondToAuthChallenge",
                    "{\"ChallengeName\":\"MFA_SETUP\",\"ClientId\":\"%s\",\"Session\":\"%s\","
                    "\"ChallengeResponses\":{\"USERNAME\":\"alice\"}}",
                    client_id, session);
    take_custom(resp, session);
    assert_request("define", 1, "session",
                   "[" SRP_A_ENTRY "," VERIFIER_ENTRY "," ENTRY("MFA_SETUP", "true", "null") "]");
    expect_alice_tokens(answer(session, "42", ""));
    cJSON_Delete(init);
    ta_srp_client_free(&c);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("auth_custom");
    TCase *tc = tcase_create("custom");

    tcase_add_checked_fixture(tc, setup, tlam_teardown);
    tcase_add_test(tc, test_custom_wrong_then_right_answer_signs_in);
    tcase_add_test(tc, test_custom_events_field_by_field);
    tcase_add_test(tc, test_custom_fail_authentication);
    tcase_add_test(tc, test_custom_issue_tokens_at_once);
    tcase_add_test(tc, test_custom_unusable_define_answers);
    tcase_add_test(tc, test_custom_create_answers);
    tcase_add_test(tc, test_custom_trigger_failures_at_each_step);
    tcase_add_test(tc, test_custom_session_expires);
    tcase_add_test(tc, test_custom_challenge_limit);
    tcase_add_test(tc, test_custom_missing_parameters);
    tcase_add_test(tc, test_custom_client_or_pool_without_the_flow);
    tcase_add_test(tc, test_custom_unknown_user);
    tcase_add_test(tc, test_custom_user_states);
    tcase_add_test(tc, test_custom_admin_operations);
    tcase_add_test(tc, test_custom_with_srp_password_first);
    tcase_add_test(tc, test_custom_with_srp_wrong_password);
    tcase_add_test(tc, test_custom_with_srp_and_sms_mfa);
    tcase_add_test(tc, test_custom_with_srp_and_mfa_setup);
    suite_add_tcase(s, tc);
    return s;
}
