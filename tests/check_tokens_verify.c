/*
 * check_tokens_verify: the one verifier of user-pool tokens (tokens_verify in
 * userpool/tokens.c) and its user check (tokens_check_user), called directly with real
 * tokens: a user signs up, is confirmed and signs in with AdminInitiateAuth. The wording of
 * each refusal belongs to the callers and is checked with them (check_ops_auth for
 * tokens_check_access, check_ops_identity for Logins); here the statuses and their order.
 */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/clock.h"
#include "util/ids.h"
#include "util/jsonutil.h"
#include "userpool/tokens.h"
#include "store/store.h"
#include "testutil.h"

static struct tu_env *const env = &tu_fixture;
static char pool[IDS_MAX], other_pool[IDS_MAX], client_id[64];
static char *id_token, *access_token;

#define PASSWORD "Passw0rd!"

static struct op_ctx ctx_new(void)
{
    struct op_ctx ctx = {
        .settings = &env->settings,
        .region = "us-east-1",
        .db = store_acquire(env->store),
        .now_ms = clock_now_ms(),
    };
    return ctx;
}

static void ctx_done(struct op_ctx *ctx)
{
    store_release(env->store, ctx->db);
}

static void call_ok(cJSON *r, const char *what)
{
    ck_assert_msg(tu_error_type(r) == NULL, "%s: %s", what, tu_str(r, "message"));
    cJSON_Delete(r);
}

static void setup(void)
{
    char *id;
    cJSON *r;

    tu_setup();
    id = tu_create_user_pool(env, "{\"PoolName\":\"verify\"}");
    snprintf(pool, sizeof(pool), "%s", id);
    free(id);
    id = tu_create_user_pool(env, "{\"PoolName\":\"other\"}");
    snprintf(other_pool, sizeof(other_pool), "%s", id);
    free(id);
    r = tu_callf(env, IDP "CreateUserPoolClient",
                 "{\"UserPoolId\":\"%s\",\"ClientName\":\"app\",\"ExplicitAuthFlows\":["
                 "\"ALLOW_ADMIN_USER_PASSWORD_AUTH\",\"ALLOW_REFRESH_TOKEN_AUTH\"]}",
                 pool);
    snprintf(client_id, sizeof(client_id), "%s", tu_str(tu_get(r, "UserPoolClient"), "ClientId"));
    call_ok(r, "CreateUserPoolClient");
    call_ok(tu_callf(env, IDP "SignUp",
                     "{\"ClientId\":\"%s\",\"Username\":\"alice\",\"Password\":\"" PASSWORD "\"}",
                     client_id),
            "SignUp");
    call_ok(tu_callf(env, IDP "AdminConfirmSignUp",
                     "{\"UserPoolId\":\"%s\",\"Username\":\"alice\"}", pool),
            "AdminConfirmSignUp");
    r = tu_callf(env, IDP "AdminInitiateAuth",
                 "{\"UserPoolId\":\"%s\",\"ClientId\":\"%s\","
                 "\"AuthFlow\":\"ADMIN_USER_PASSWORD_AUTH\",\"AuthParameters\":{"
                 "\"USERNAME\":\"alice\",\"PASSWORD\":\"" PASSWORD "\"}}",
                 pool, client_id);
    id_token = strdup(tu_str(tu_get(r, "AuthenticationResult"), "IdToken"));
    access_token = strdup(tu_str(tu_get(r, "AuthenticationResult"), "AccessToken"));
    call_ok(r, "AdminInitiateAuth");
}

static void teardown(void)
{
    free(id_token);
    free(access_token);
    id_token = access_token = NULL;
    tu_teardown();
}

/* tokens_verify on token with expect; the claims are dropped (checked non-NULL on OK). */
static enum tokens_status verify(const char *token, const struct tokens_expect *expect,
                                 char *pool_id)
{
    struct op_ctx ctx = ctx_new();
    cJSON *claims = NULL;
    enum tokens_status st = tokens_verify(&ctx, token, expect, pool_id, &claims);

    if (st == TOKENS_OK)
        ck_assert_ptr_nonnull(claims);
    else
        ck_assert_ptr_null(claims);
    ck_assert_int_eq(ctx.err.code, 0); /* refusals are the caller's to word */
    cJSON_Delete(claims);
    ctx_done(&ctx);
    return st;
}

/* aud_ok that accepts the one client id in arg (and counts its calls there too). */
struct aud_probe {
    const char *client;
    int calls;
};

static bool aud_is(void *arg, const char *aud)
{
    struct aud_probe *p = arg;

    p->calls++;
    return strcmp(aud, p->client) == 0;
}

/* The token with one character of its signature changed. */
static char *forge(const char *token)
{
    char *copy = strdup(token);
    char *sig = strrchr(copy, '.') + 5;

    *sig = *sig == 'A' ? 'B' : 'A';
    return copy;
}

START_TEST(test_tokens_verify_finds_the_pool_of_an_access_token)
{
    const struct tokens_expect access = {.token_use = "access"};
    char pool_id[IDS_MAX] = "";

    ck_assert_int_eq(verify(access_token, &access, pool_id), TOKENS_OK);
    ck_assert_str_eq(pool_id, pool);
    ck_assert_int_eq(verify(access_token, &access, NULL), TOKENS_OK);
}
END_TEST

START_TEST(test_tokens_verify_checks_the_token_use)
{
    const struct tokens_expect access = {.token_use = "access"};
    const struct tokens_expect id = {.pool_id = pool, .token_use = "id"};

    ck_assert_int_eq(verify(id_token, &access, NULL), TOKENS_BAD_CLAIMS);
    ck_assert_int_eq(verify(access_token, &id, NULL), TOKENS_BAD_CLAIMS);
    ck_assert_int_eq(verify(id_token, &id, NULL), TOKENS_OK);
}
END_TEST

START_TEST(test_tokens_verify_checks_aud_before_token_use)
{
    struct aud_probe probe = {.client = client_id};
    struct tokens_expect id = {
        .pool_id = pool, .token_use = "id", .aud_ok = aud_is, .aud_arg = &probe};

    ck_assert_int_eq(verify(id_token, &id, NULL), TOKENS_OK);
    ck_assert_int_eq(probe.calls, 1);
    /* An access token has no aud: that is said before its token_use. */
    ck_assert_int_eq(verify(access_token, &id, NULL), TOKENS_NO_AUD);
    probe.client = "another-client";
    ck_assert_int_eq(verify(id_token, &id, NULL), TOKENS_BAD_AUD);
}
END_TEST

START_TEST(test_tokens_verify_refuses_issuer_signature_and_garbage)
{
    const struct tokens_expect access = {.token_use = "access"};
    const struct tokens_expect elsewhere = {.pool_id = other_pool, .token_use = "id"};
    char *forged = forge(access_token);

    ck_assert_int_eq(verify(id_token, &elsewhere, NULL), TOKENS_BAD_ISSUER);
    ck_assert_int_eq(verify(forged, &access, NULL), TOKENS_BAD_SIGNATURE);
    ck_assert_int_eq(verify("abc.def.ghi", &access, NULL), TOKENS_MALFORMED);
    ck_assert_int_eq(verify("", &access, NULL), TOKENS_MALFORMED);
    ck_assert_int_eq(verify(NULL, &access, NULL), TOKENS_MALFORMED);
    free(forged);
}
END_TEST

START_TEST(test_tokens_verify_judges_exp_by_the_emulator_clock)
{
    const struct tokens_expect access = {.token_use = "access"};
    const struct tokens_expect id = {.pool_id = pool, .token_use = "id"};

    clock_set_offset_ms(3600 * 1000 + 1000); /* both live an hour by default */
    ck_assert_int_eq(verify(access_token, &access, NULL), TOKENS_EXPIRED);
    ck_assert_int_eq(verify(id_token, &id, NULL), TOKENS_EXPIRED);
}
END_TEST

/* tokens_check_user on claims {sub, username, iat, origin_jti}; the user is dropped. */
static enum tokens_status check_user(const char *sub, const char *username, int64_t iat,
                                     enum tokens_user_check check)
{
    struct op_ctx ctx = ctx_new();
    struct store_user *u = NULL;
    cJSON *claims = cJSON_CreateObject();
    enum tokens_status st;

    json_set_str(claims, "sub", sub);
    json_set_str(claims, "username", username);
    json_set_num(claims, "iat", (double)iat);
    json_set_str(claims, "origin_jti", "00000000-0000-4000-8000-000000000000");
    st = tokens_check_user(&ctx, pool, claims, check, &u);
    if (st == TOKENS_OK)
        ck_assert_str_eq(u->username, "alice");
    else
        ck_assert_ptr_null(u);
    store_user_free(u);
    cJSON_Delete(claims);
    ctx_done(&ctx);
    return st;
}

/* alice's stored record (store_user_free). */
static struct store_user *alice(void)
{
    struct op_ctx ctx = ctx_new();
    struct store_user *u = NULL;
    cJSON *claims = NULL;

    ck_assert_int_eq(tokens_verify(&ctx, access_token,
                                   &(struct tokens_expect){.token_use = "access"}, NULL, &claims),
                     TOKENS_OK);
    ck_assert_int_eq(store_user_get_by_sub(ctx.db, pool, json_str(claims, "sub"), &u), STORE_OK);
    cJSON_Delete(claims);
    ctx_done(&ctx);
    return u;
}

START_TEST(test_tokens_check_user_finds_the_user_by_sub)
{
    struct store_user *u = alice();

    ck_assert_int_eq(check_user(u->sub, "alice", 1000, TOKENS_USER_ACCESS), TOKENS_OK);
    ck_assert_int_eq(check_user(u->sub, "alice", 1000, TOKENS_USER_SERVER_SIDE), TOKENS_OK);
    /* Access tokens also name the user; ID tokens are judged by sub alone. */
    ck_assert_int_eq(check_user(u->sub, "mallory", 1000, TOKENS_USER_ACCESS), TOKENS_NO_USER);
    ck_assert_int_eq(check_user(u->sub, "mallory", 1000, TOKENS_USER_SERVER_SIDE), TOKENS_OK);
    ck_assert_int_eq(
        check_user("00000000-0000-4000-8000-000000000001", "alice", 1000, TOKENS_USER_SERVER_SIDE),
        TOKENS_NO_USER);
    store_user_free(u);
}
END_TEST

/*
 * A sign-out in the second of iat revokes the token for the identity pools' server-side check
 * only; a sign-out in a later second revokes it for both.
 */
START_TEST(test_tokens_check_user_counts_sign_outs_by_the_second)
{
    struct store_user *u = alice();
    struct op_ctx ctx = ctx_new();

    ck_assert_int_eq(store_user_sign_out(ctx.db, u->seq, 1000 * 1000 + 500, 0), STORE_OK);
    ctx_done(&ctx);
    ck_assert_int_eq(check_user(u->sub, "alice", 1000, TOKENS_USER_ACCESS), TOKENS_OK);
    ck_assert_int_eq(check_user(u->sub, "alice", 1000, TOKENS_USER_SERVER_SIDE), TOKENS_REVOKED);
    ck_assert_int_eq(check_user(u->sub, "alice", 999, TOKENS_USER_ACCESS), TOKENS_REVOKED);
    ck_assert_int_eq(check_user(u->sub, "alice", 999, TOKENS_USER_SERVER_SIDE), TOKENS_REVOKED);
    ck_assert_int_eq(check_user(u->sub, "alice", 1001, TOKENS_USER_SERVER_SIDE), TOKENS_OK);
    store_user_free(u);
}
END_TEST

START_TEST(test_tokens_check_user_refuses_a_disabled_user)
{
    struct store_user *u = alice();
    int64_t now = clock_now_ms() / 1000 + 10;

    call_ok(tu_callf(env, IDP "AdminDisableUser", "{\"UserPoolId\":\"%s\",\"Username\":\"alice\"}",
                     pool),
            "AdminDisableUser");
    ck_assert_int_eq(check_user(u->sub, "alice", now, TOKENS_USER_ACCESS), TOKENS_REVOKED);
    ck_assert_int_eq(check_user(u->sub, "alice", now, TOKENS_USER_SERVER_SIDE), TOKENS_REVOKED);
    store_user_free(u);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("tokens_verify");
    TCase *tc = tcase_create("tokens_verify");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_tokens_verify_finds_the_pool_of_an_access_token);
    tcase_add_test(tc, test_tokens_verify_checks_the_token_use);
    tcase_add_test(tc, test_tokens_verify_checks_aud_before_token_use);
    tcase_add_test(tc, test_tokens_verify_refuses_issuer_signature_and_garbage);
    tcase_add_test(tc, test_tokens_verify_judges_exp_by_the_emulator_clock);
    tcase_add_test(tc, test_tokens_check_user_finds_the_user_by_sub);
    tcase_add_test(tc, test_tokens_check_user_counts_sign_outs_by_the_second);
    tcase_add_test(tc, test_tokens_check_user_refuses_a_disabled_user);
    suite_add_tcase(s, tc);
    return s;
}
