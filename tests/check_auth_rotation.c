/*
 * check_auth_rotation: refresh-token rotation (RefreshTokenRotation on the app client;
 * auth_refresh.c and tokens.c). The client setting and its validation; GetTokensFromRefreshToken
 * on a rotating client returns a new refresh token of the same family (origin_jti and expiry:
 * rotation never extends the sign-in); the presented token stays usable for
 * RetryGracePeriodSeconds by the emulator's clock, then is RefreshTokenReuseException;
 * REFRESH_TOKEN_AUTH is refused on such a client; revocation kills the family; without
 * rotation nothing changes. The oauth2/token grant's rotation is in check_oauth_token.c.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/jwt.h"
#include "testlife.h"
#include "testutil.h"
#include "util/clock.h"

static struct tu_env *const env = &tu_fixture;

/* The messages this emulator chose (Cognito's are not documented); pinned here. */
#define REUSED "Refresh token has been rotated: use the newest refresh token of this sign-in."
#define NO_FLOW                                                                                    \
    "Refresh token rotation is enabled for this app client: refresh with "                         \
    "GetTokensFromRefreshToken."

/* A client fragment with rotation on and grace seconds of grace. */
#define ROTATING(grace)                                                                            \
    "\"RefreshTokenRotation\":{\"Feature\":\"ENABLED\",\"RetryGracePeriodSeconds\":" #grace "}"

/* GetTokensFromRefreshToken with token for a's client; the response. */
static cJSON *get_tokens(const struct tl_app *a, const char *token)
{
    return tu_callf(env, IDP "GetTokensFromRefreshToken",
                    "{\"RefreshToken\":\"%s\",\"ClientId\":\"%s\"}", token, a->client);
}

/* The AuthenticationResult's RefreshToken of resp (deleted) as a new string; the response
 * must be a success with one. */
static char *rotated(cJSON *resp)
{
    const cJSON *r = tu_get(resp, "AuthenticationResult");
    char *token;

    ck_assert_msg(tu_error_type(resp) == NULL, "%s: %s", tu_error_type(resp),
                  tu_str(resp, "message"));
    ck_assert_ptr_nonnull(tu_str(r, "AccessToken"));
    ck_assert_ptr_nonnull(tu_str(r, "RefreshToken"));
    token = strdup(tu_str(r, "RefreshToken"));
    cJSON_Delete(resp);
    return token;
}

/* The claim origin_jti of access token access, copied into out (64 bytes). */
static void origin_of(const char *access, char *out)
{
    cJSON *claims = jwt_peek_payload(access);

    snprintf(out, 64, "%s", tu_str(claims, "origin_jti"));
    cJSON_Delete(claims);
}

/* A pool with one user, alice, and a client with extra members; alice signed in to it. */
static void rotation_app(struct tl_app *a, const char *extra, struct tl_tokens *t)
{
    tl_app(a, "{\"PoolName\":\"p\"}", extra);
    tl_user(a, "alice", "");
    tl_sign_in(a, "alice", TL_PASSWORD, t);
}

/* UpdateUserPoolClient of a's client with the members of fragment; the response. */
static cJSON *update_client(const struct tl_app *a, const char *fragment)
{
    return tu_callf(env, IDP "UpdateUserPoolClient",
                    "{\"UserPoolId\":\"%s\",\"ClientId\":\"%s\",%s}", a->pool, a->client, fragment);
}

/* DescribeUserPoolClient's RefreshTokenRotation.Feature of a's client must be feature, and
 * its RetryGracePeriodSeconds grace (-1: not checked). */
static void assert_rotation(const struct tl_app *a, const char *feature, int grace)
{
    cJSON *resp = tu_callf(env, IDP "DescribeUserPoolClient",
                           "{\"UserPoolId\":\"%s\",\"ClientId\":\"%s\"}", a->pool, a->client);
    const cJSON *rot = tu_get(tu_get(resp, "UserPoolClient"), "RefreshTokenRotation");

    ck_assert_str_eq(tu_str(rot, "Feature"), feature);
    if (grace >= 0)
        ck_assert_int_eq((int)tu_num(rot, "RetryGracePeriodSeconds"), grace);
    cJSON_Delete(resp);
}

START_TEST(test_rotation_setting_validation_and_round_trip)
{
    static const char *const bad[] = {
        "{\"RetryGracePeriodSeconds\":5}",                          /* Feature is required */
        "{\"Feature\":\"ENABLED\",\"RetryGracePeriodSeconds\":61}", /* 0 to 60 seconds */
        "{\"Feature\":\"ON\"}",                                     /* ENABLED or DISABLED */
    };
    struct tl_app a;
    char fragment[160];

    tl_app(&a, "{\"PoolName\":\"p\"}", ROTATING(15));
    assert_rotation(&a, "ENABLED", 15);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        snprintf(fragment, sizeof(fragment), "\"RefreshTokenRotation\":%s", bad[i]);
        tl_error(update_client(&a, fragment), "InvalidParameterException", NULL);
    }
    tl_ok(update_client(&a, "\"RefreshTokenRotation\":{\"Feature\":\"DISABLED\"}"));
    assert_rotation(&a, "DISABLED", -1);
}
END_TEST

START_TEST(test_rotation_disabled_returns_no_refresh_token)
{
    struct tl_app a;
    struct tl_tokens t;
    cJSON *resp;

    rotation_app(&a, "", &t);
    resp = get_tokens(&a, t.refresh);
    ck_assert_ptr_nonnull(tu_str(tu_get(resp, "AuthenticationResult"), "AccessToken"));
    ck_assert_ptr_null(tu_get(tu_get(resp, "AuthenticationResult"), "RefreshToken"));
    cJSON_Delete(resp);
    /* The same token again, and through REFRESH_TOKEN_AUTH: nothing was superseded. */
    tl_expect_tokens(get_tokens(&a, t.refresh));
    tl_expect_tokens(tl_refresh_call(&a, t.refresh));
    tl_tokens_free(&t);
}
END_TEST

START_TEST(test_rotation_returns_a_new_token_of_the_family)
{
    struct tl_app a;
    struct tl_tokens t;
    char origin[64], origin2[64];
    char *second, *third;
    cJSON *resp;

    rotation_app(&a, ROTATING(0), &t);
    origin_of(t.access, origin);
    resp = get_tokens(&a, t.refresh);
    origin_of(tu_str(tu_get(resp, "AuthenticationResult"), "AccessToken"), origin2);
    second = rotated(resp);
    ck_assert_str_ne(second, t.refresh);
    ck_assert_str_eq(origin2, origin); /* the same sign-in */
    /* Grace 0: the presented token is invalid at once, the new one works (and rotates). */
    tl_error(get_tokens(&a, t.refresh), "RefreshTokenReuseException", REUSED);
    third = rotated(get_tokens(&a, second));
    tl_error(get_tokens(&a, second), "RefreshTokenReuseException", REUSED);
    /* A rotating client refuses REFRESH_TOKEN_AUTH, whatever the token. */
    tl_error(tl_refresh_call(&a, third), "NotAuthorizedException", NO_FLOW);
    tl_error(tu_callf(env, IDP "AdminInitiateAuth",
                      "{\"UserPoolId\":\"%s\",\"ClientId\":\"%s\",\"AuthFlow\":\"REFRESH_TOKEN\","
                      "\"AuthParameters\":{\"REFRESH_TOKEN\":\"%s\"}}",
                      a.pool, a.client, third),
             "NotAuthorizedException", NO_FLOW);
    tl_expect_tokens(get_tokens(&a, third));
    free(second);
    free(third);
    tl_tokens_free(&t);
}
END_TEST

START_TEST(test_rotation_grace_period_by_the_clock)
{
    struct tl_app a;
    struct tl_tokens t;
    char *second, *retry;

    rotation_app(&a, ROTATING(30), &t);
    second = rotated(get_tokens(&a, t.refresh));
    /* A retry inside the grace period succeeds and mints another token; the grace period
     * runs from the first rotation, not from the retry. */
    clock_set_offset_ms(20 * 1000); /* margin for a slow machine */
    retry = rotated(get_tokens(&a, t.refresh));
    ck_assert_str_ne(retry, second);
    clock_set_offset_ms(30 * 1000);
    tl_error(get_tokens(&a, t.refresh), "RefreshTokenReuseException", REUSED);
    /* Both tokens minted from it are current. */
    tl_expect_tokens(get_tokens(&a, retry));
    tl_expect_tokens(get_tokens(&a, second));
    free(second);
    free(retry);
    tl_tokens_free(&t);
}
END_TEST

START_TEST(test_rotation_never_extends_the_sign_in)
{
    struct tl_app a;
    struct tl_tokens t;
    char *token;

    /* Refresh tokens last one day; rotate every 12 hours. */
    rotation_app(&a,
                 ROTATING(0) ",\"RefreshTokenValidity\":1,"
                             "\"TokenValidityUnits\":{\"RefreshToken\":\"days\"}",
                 &t);
    clock_set_offset_ms(TL_DAY_MS / 2);
    token = rotated(get_tokens(&a, t.refresh));
    clock_set_offset_ms(TL_DAY_MS - 60 * 1000); /* a minute of margin for a slow machine */
    {
        char *next = rotated(get_tokens(&a, token));
        free(token);
        token = next;
    }
    /* The family's day is over: the newest token expired with the first. */
    clock_set_offset_ms(TL_DAY_MS);
    tl_error(get_tokens(&a, token), "NotAuthorizedException", "Refresh Token has expired");
    free(token);
    tl_tokens_free(&t);
}
END_TEST

START_TEST(test_rotation_revocation_kills_the_family)
{
    struct tl_app a;
    struct tl_tokens t, u;
    char *second;

    rotation_app(&a, ROTATING(60), &t);
    second = rotated(get_tokens(&a, t.refresh));
    /* Revoking the old (superseded, in its grace period) token revokes the new one too. */
    tl_ok(tu_callf(env, IDP "RevokeToken", "{\"ClientId\":\"%s\",\"Token\":\"%s\"}", a.client,
                   t.refresh));
    tl_error(get_tokens(&a, second), "NotAuthorizedException", "Refresh Token has been revoked");
    tl_error(get_tokens(&a, t.refresh), "NotAuthorizedException", "Refresh Token has been revoked");
    free(second);
    /* GlobalSignOut: every family of the user, rotated tokens included. */
    tl_sign_in(&a, "alice", TL_PASSWORD, &u);
    second = rotated(get_tokens(&a, u.refresh));
    tl_ok(tu_callf(env, IDP "AdminUserGlobalSignOut",
                   "{\"UserPoolId\":\"%s\",\"Username\":\"alice\"}", a.pool));
    tl_error(get_tokens(&a, second), "NotAuthorizedException", "Refresh Token has been revoked");
    free(second);
    tl_tokens_free(&u);
    tl_tokens_free(&t);
}
END_TEST

START_TEST(test_rotation_turned_off_later_keeps_superseded_tokens_invalid)
{
    struct tl_app a;
    struct tl_tokens t;
    char *second;

    rotation_app(&a, ROTATING(0), &t);
    second = rotated(get_tokens(&a, t.refresh));
    tl_ok(update_client(&a, "\"ExplicitAuthFlows\":[\"ALLOW_USER_PASSWORD_AUTH\","
                            "\"ALLOW_REFRESH_TOKEN_AUTH\"],"
                            "\"RefreshTokenRotation\":{\"Feature\":\"DISABLED\"}"));
    /* A superseded token stays spent (emulator's choice); the newest one refreshes without
     * rotating, by both paths. */
    tl_error(get_tokens(&a, t.refresh), "RefreshTokenReuseException", REUSED);
    tl_expect_tokens(tl_refresh_call(&a, second));
    {
        cJSON *resp = get_tokens(&a, second);
        ck_assert_ptr_null(tu_get(tu_get(resp, "AuthenticationResult"), "RefreshToken"));
        cJSON_Delete(resp);
    }
    free(second);
    tl_tokens_free(&t);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("auth_rotation");
    TCase *tc = tcase_create("rotation");

    tcase_add_checked_fixture(tc, tu_setup, tu_teardown);
    tcase_add_test(tc, test_rotation_setting_validation_and_round_trip);
    tcase_add_test(tc, test_rotation_disabled_returns_no_refresh_token);
    tcase_add_test(tc, test_rotation_returns_a_new_token_of_the_family);
    tcase_add_test(tc, test_rotation_grace_period_by_the_clock);
    tcase_add_test(tc, test_rotation_never_extends_the_sign_in);
    tcase_add_test(tc, test_rotation_revocation_kills_the_family);
    tcase_add_test(tc, test_rotation_turned_off_later_keeps_superseded_tokens_invalid);
    suite_add_tcase(s, tc);
    return s;
}
