/*
 * check_oauth: what the endpoints of a user pool's domain share (oauth/oauth.c): which pool
 * and domain a request is for (path, root), the URLs they answer with, the one-time
 * authorization codes, and redirect URLs with parameters. Host-header requests are covered
 * through the real server by the endpoint suites.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oauth/oauth.h"
#include "oauth/oauth_client.h"
#include "store/store.h"
#include "userpool/tokens.h"
#include "testlife.h"
#include "testutil.h"

static struct tu_env *const env = &tu_fixture;

static enum oauth_site_status resolve(const char *domain, const char *pool, struct oauth_site *site)
{
    struct http_request req = {.method = "GET", .path = "/oauth2/authorize", .body = ""};
    struct store_conn *conn = store_acquire(env->store);
    enum oauth_site_status st = oauth_site_resolve(conn, &env->app, &req, domain, pool, site);

    store_release(env->store, conn);
    return st;
}

START_TEST(test_oauth_site_by_path_names_the_domain_and_its_urls)
{
    struct tl_app a;
    struct oauth_site site;
    char expect[600];

    tl_app(&a, "{\"PoolName\":\"p\"}", "");
    tl_domain(a.pool, "my-app", false);
    ck_assert_int_eq(resolve("my-app", NULL, &site), OAUTH_SITE_OK);
    ck_assert_int_eq(site.mode, OAUTH_SITE_PATH);
    ck_assert_str_eq(site.pool_id, a.pool);
    ck_assert_str_eq(site.domain, "my-app");
    /* No Host header (a hand-made request): the public URL stands in. */
    snprintf(expect, sizeof(expect), "%s/_domain/my-app", env->settings.public_url);
    ck_assert_str_eq(site.base_url, expect);
    ck_assert_str_eq(site.cookie_path, "/_domain/my-app");
    ck_assert(!site.secure);

    ck_assert_int_eq(resolve("my-app", a.pool, &site), OAUTH_SITE_OK);
    ck_assert_int_eq(resolve("my-app", "us-east-1_other", &site), OAUTH_SITE_WRONG_POOL);
    ck_assert_int_eq(resolve("not-there", a.pool, &site), OAUTH_SITE_NO_DOMAIN);
}
END_TEST

START_TEST(test_oauth_site_at_the_root_needs_a_pool_with_a_domain)
{
    struct tl_app a;
    struct oauth_site site;

    tl_app(&a, "{\"PoolName\":\"p\"}", "");
    ck_assert_int_eq(resolve("", NULL, &site), OAUTH_SITE_NO_POOL);
    ck_assert_int_eq(resolve("", a.pool, &site), OAUTH_SITE_NO_DOMAIN);
    /* With a custom and a prefix domain, the prefix is the one the root stands for. */
    tl_domain(a.pool, "auth.example.com", true);
    ck_assert_int_eq(resolve("", a.pool, &site), OAUTH_SITE_OK);
    ck_assert_str_eq(site.domain, "auth.example.com");
    tl_domain(a.pool, "my-app", false);
    ck_assert_int_eq(resolve("", a.pool, &site), OAUTH_SITE_OK);
    ck_assert_int_eq(site.mode, OAUTH_SITE_ROOT);
    ck_assert_str_eq(site.domain, "my-app");
    ck_assert_str_eq(site.base_url, env->settings.public_url);
    ck_assert_str_eq(site.cookie_path, "/");
}
END_TEST

START_TEST(test_oauth_pool_base_url_is_the_path_form_of_its_domain)
{
    struct tl_app a;
    struct store_conn *conn;
    char url[1024], expect[600];

    tl_app(&a, "{\"PoolName\":\"p\"}", "");
    conn = store_acquire(env->store);
    ck_assert_int_eq(oauth_pool_base_url(conn, &env->settings, a.pool, url, sizeof(url)), 0);
    tl_domain(a.pool, "my-app", false);
    ck_assert_int_eq(oauth_pool_base_url(conn, &env->settings, a.pool, url, sizeof(url)), 1);
    snprintf(expect, sizeof(expect), "%s/_domain/my-app", env->settings.public_url);
    ck_assert_str_eq(url, expect);
    store_release(env->store, conn);
}
END_TEST

START_TEST(test_oauth_codes_redeem_once_and_expire_after_five_minutes)
{
    struct tl_app a;
    struct store_conn *conn;
    struct store_user *u = NULL;
    struct oauth_grant g = {.client_id = (char *)"c",
                            .redirect_uri = (char *)"https://app.example.com/cb?x=1",
                            .scope = (char *)"openid email",
                            .nonce = (char *)"n-1",
                            .code_challenge = (char *)"abc",
                            .code_challenge_method = (char *)"S256",
                            .auth_time = 1700000000};
    struct oauth_grant *got = NULL;
    char *code = NULL, *late = NULL;
    const int64_t now = 1700000000000;

    tl_app(&a, "{\"PoolName\":\"p\"}", "");
    tl_user(&a, "alice", "");
    conn = store_acquire(env->store);
    ck_assert_int_eq(store_user_get(conn, a.pool, "alice", &u), STORE_OK);
    g.pool_id = a.pool;
    g.user_seq = u->seq;

    ck_assert_int_eq(oauth_code_issue(conn, &g, now, &code), STORE_OK);
    tu_assert_matches(code,
                      "^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$");
    ck_assert_int_eq(oauth_code_redeem(conn, code, now + 1000, &got), STORE_OK);
    ck_assert_str_eq(got->pool_id, a.pool);
    ck_assert_str_eq(got->client_id, "c");
    ck_assert_int_eq(got->user_seq, u->seq);
    ck_assert_str_eq(got->redirect_uri, "https://app.example.com/cb?x=1");
    ck_assert_str_eq(got->scope, "openid email");
    ck_assert_str_eq(got->nonce, "n-1");
    ck_assert_str_eq(got->code_challenge, "abc");
    ck_assert_str_eq(got->code_challenge_method, "S256");
    ck_assert_int_eq(got->auth_time, 1700000000);
    oauth_grant_free(got);
    /* Once only. */
    ck_assert_int_eq(oauth_code_redeem(conn, code, now + 1000, &got), STORE_NOT_FOUND);
    ck_assert_ptr_null(got);

    /* Absent members stay absent; a code is dead at five minutes, and tried once it is gone. */
    g.nonce = g.code_challenge = g.code_challenge_method = NULL;
    ck_assert_int_eq(oauth_code_issue(conn, &g, now, &late), STORE_OK);
    ck_assert_int_eq(oauth_code_redeem(conn, late, now + OAUTH_CODE_TTL_MS, &got), STORE_NOT_FOUND);
    ck_assert_int_eq(oauth_code_redeem(conn, late, now, &got), STORE_NOT_FOUND);
    free(late);
    ck_assert_int_eq(oauth_code_issue(conn, &g, now, &late), STORE_OK);
    ck_assert_int_eq(oauth_code_redeem(conn, late, now + OAUTH_CODE_TTL_MS - 1, &got), STORE_OK);
    ck_assert_ptr_null(got->nonce);
    ck_assert_ptr_null(got->code_challenge);
    oauth_grant_free(got);
    ck_assert_int_eq(oauth_code_redeem(conn, "not-a-code", now, &got), STORE_NOT_FOUND);

    free(code);
    free(late);
    store_user_free(u);
    store_release(env->store, conn);
}
END_TEST

START_TEST(test_oauth_url_with_appends_encoded_parameters)
{
    const char *const kv[] = {"code", "a b&c", "state", NULL, "x", "ü/="};
    char *url;

    url = oauth_url_with("https://app.example.com/cb", false, kv, 3);
    ck_assert_str_eq(url, "https://app.example.com/cb?code=a%20b%26c&x=%C3%BC%2F%3D");
    free(url);
    url = oauth_url_with("myapp://cb?k=v", false, kv, 1);
    ck_assert_str_eq(url, "myapp://cb?k=v&code=a%20b%26c");
    free(url);
    url = oauth_url_with("http://localhost:3000/", true, kv, 1);
    ck_assert_str_eq(url, "http://localhost:3000/#code=a%20b%26c");
    free(url);
    url = oauth_url_with("http://localhost/", false, kv, 0);
    ck_assert_str_eq(url, "http://localhost/");
    free(url);
}
END_TEST

/* Grant requested to a's client; the granted list, or "!" + the status when refused. */
static void assert_grant(const struct tl_app *a, const char *requested, bool custom_only,
                         const char *expect)
{
    struct store_conn *conn = store_acquire(env->store);
    struct op_ctx ctx;
    struct oauth_client c;
    char *granted = NULL;
    enum oauth_scope_status st;

    oauth_ctx_init(&ctx, &env->app, conn, "test");
    ck_assert_int_eq(oauth_client_load(&ctx, a->client, &c), OAUTH_CLIENT_OK);
    st = oauth_scope_grant(&ctx, &c, requested, custom_only, &granted);
    if (expect[0] == '!') {
        ck_assert_int_eq(st, OAUTH_SCOPE_INVALID);
        ck_assert_ptr_null(granted);
    } else {
        ck_assert_int_eq(st, OAUTH_SCOPE_OK);
        ck_assert_str_eq(granted, expect);
    }
    free(granted);
    oauth_client_free(&c);
    store_release(env->store, conn);
}

START_TEST(test_oauth_client_settings_are_read_exactly)
{
    struct tl_app a, plain;
    struct store_conn *conn;
    struct op_ctx ctx;
    struct oauth_client c;

    tl_app(&a, "{\"PoolName\":\"p\"}",
           "\"AllowedOAuthFlowsUserPoolClient\":true,\"AllowedOAuthFlows\":[\"code\"],"
           "\"AllowedOAuthScopes\":[\"openid\"],\"SupportedIdentityProviders\":[\"COGNITO\"],"
           "\"CallbackURLs\":[\"https://app.example.com/cb\"],"
           "\"LogoutURLs\":[\"https://app.example.com/bye\"]");
    tl_client(&a, "", &plain);
    conn = store_acquire(env->store);
    oauth_ctx_init(&ctx, &env->app, conn, "test");

    ck_assert_int_eq(oauth_client_load(&ctx, a.client, &c), OAUTH_CLIENT_OK);
    ck_assert_str_eq(c.id, a.client);
    ck_assert_str_eq(c.pool_id, a.pool);
    ck_assert(oauth_client_allows_flow(&c, "code"));
    ck_assert(!oauth_client_allows_flow(&c, "implicit"));
    ck_assert(oauth_client_callback_ok(&c, "https://app.example.com/cb"));
    /* Byte for byte: a trailing slash, another case or a query is another URL. */
    ck_assert(!oauth_client_callback_ok(&c, "https://app.example.com/cb/"));
    ck_assert(!oauth_client_callback_ok(&c, "https://APP.example.com/cb"));
    ck_assert(!oauth_client_callback_ok(&c, "https://app.example.com/cb?x"));
    ck_assert(!oauth_client_callback_ok(&c, NULL));
    ck_assert(!oauth_client_callback_ok(&c, "https://app.example.com/bye"));
    ck_assert(oauth_client_logout_ok(&c, "https://app.example.com/bye"));
    ck_assert(!oauth_client_logout_ok(&c, "https://app.example.com/cb"));
    ck_assert(oauth_client_supports_idp(&c, "COGNITO"));
    ck_assert(!oauth_client_supports_idp(&c, "Google"));
    oauth_client_free(&c);

    ck_assert_int_eq(oauth_client_load(&ctx, plain.client, &c), OAUTH_CLIENT_NO_OAUTH);
    ck_assert_ptr_nonnull(c.client);
    oauth_client_free(&c);
    ck_assert_int_eq(oauth_client_load(&ctx, "nope", &c), OAUTH_CLIENT_UNKNOWN);
    oauth_client_free(&c);
    ck_assert_int_eq(oauth_client_load(&ctx, NULL, &c), OAUTH_CLIENT_UNKNOWN);
    oauth_client_free(&c);
    store_release(env->store, conn);
}
END_TEST

START_TEST(test_oauth_scopes_granted_are_the_allowed_ones_asked_for)
{
    struct tl_app base, a;
    struct store_conn *conn;
    char id[256];

    /* Cognito refuses a client naming a custom scope no resource server defines, so the
     * scopes come first; "gone/old" is dropped from its resource server afterwards. */
    tl_app(&base, "{\"PoolName\":\"p\"}", "");
    tl_resource_server(base.pool, "https://api.example.com",
                       "[{\"ScopeName\":\"read\",\"ScopeDescription\":\"r\"}]");
    tl_resource_server(base.pool, "orders",
                       "[{\"ScopeName\":\"write\",\"ScopeDescription\":\"w\"}]");
    tl_resource_server(base.pool, "gone", "[{\"ScopeName\":\"old\",\"ScopeDescription\":\"o\"}]");
    tl_client(&base,
              "\"AllowedOAuthFlowsUserPoolClient\":true,\"AllowedOAuthFlows\":[\"code\"],"
              "\"AllowedOAuthScopes\":[\"openid\",\"email\",\"https://api.example.com/read\","
              "\"orders/write\",\"gone/old\"],\"CallbackURLs\":[\"https://app.example.com/cb\"]",
              &a);
    conn = store_acquire(env->store);
    snprintf(id, sizeof(id), "%s gone", a.pool);
    ck_assert_int_eq(store_doc_replace(conn, STORE_RESOURCE_SERVER, id, a.pool,
                                       "{\"Identifier\":\"gone\",\"Name\":\"n\",\"Scopes\":[]}"),
                     STORE_OK);
    store_release(env->store, conn);

    /* Nothing asked: everything allowed, less the scope its resource server dropped. */
    assert_grant(&a, NULL, false, "openid email https://api.example.com/read orders/write");
    assert_grant(&a, "", false, "openid email https://api.example.com/read orders/write");
    assert_grant(&a, NULL, true, "https://api.example.com/read orders/write");
    /* In the order asked, each once; extra spaces are separators. */
    assert_grant(&a, "email  openid email", false, "email openid");
    assert_grant(&a, "orders/write https://api.example.com/read", true,
                 "orders/write https://api.example.com/read");
    /* A dropped custom scope is ignored, not refused. */
    assert_grant(&a, "gone/old openid", false, "openid");
    /* Not allowed to the client, or not custom for client_credentials: invalid_scope. */
    assert_grant(&a, "openid phone", false, "!");
    assert_grant(&a, "orders/read", false, "!");
    assert_grant(&a, "openid", true, "!");
    assert_grant(&a, "orders/write email", true, "!");
}
END_TEST

START_TEST(test_oauth_tokens_scope_has_matches_whole_names)
{
    ck_assert(tokens_scope_has("openid email", "email"));
    ck_assert(tokens_scope_has("openid email", "openid"));
    ck_assert(!tokens_scope_has("openid emails", "email"));
    ck_assert(!tokens_scope_has("openid", "open"));
    ck_assert(!tokens_scope_has("", "openid"));
    ck_assert(!tokens_scope_has(NULL, "openid"));
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("oauth");
    TCase *tc = tcase_create("oauth");

    tcase_add_checked_fixture(tc, tu_setup, tu_teardown);
    tcase_add_test(tc, test_oauth_site_by_path_names_the_domain_and_its_urls);
    tcase_add_test(tc, test_oauth_site_at_the_root_needs_a_pool_with_a_domain);
    tcase_add_test(tc, test_oauth_pool_base_url_is_the_path_form_of_its_domain);
    tcase_add_test(tc, test_oauth_codes_redeem_once_and_expire_after_five_minutes);
    tcase_add_test(tc, test_oauth_url_with_appends_encoded_parameters);
    tcase_add_test(tc, test_oauth_client_settings_are_read_exactly);
    tcase_add_test(tc, test_oauth_scopes_granted_are_the_allowed_ones_asked_for);
    tcase_add_test(tc, test_oauth_tokens_scope_has_matches_whole_names);
    suite_add_tcase(s, tc);
    return s;
}
