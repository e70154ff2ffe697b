/*
 * check_oauth_token: the OAuth 2.0 endpoints of a user pool's domain that are not pages
 * (oauth/oauth_token.c, oauth/oauth_userinfo.c, oauth/oauth_errors.c) and the discovery
 * document's domain endpoints, through the real server started in-process on port 0: every
 * grant of /oauth2/token, client authentication, PKCE, /oauth2/revoke, /oauth2/userInfo, the
 * three ways a request names its domain, CORS, and the pre token generation trigger's sources.
 *
 * The server and the test share one database file: the test seeds domains and resource
 * servers into the store directly (their operations are another file's), issues authorization
 * codes with oauth_code_issue() as /oauth2/authorize would, and calls the AWS operations with
 * tu_call (testlife.h) on the same file.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crypto/jwt.h"
#include "crypto/keys.h"
#include "oauth/oauth.h"
#include "server.h"
#include "store/store.h"
#include "testlambda.h"
#include "testlife.h"
#include "testutil.h"
#include "util/clock.h"

static struct tu_env *const env = &tu_fixture;
static struct settings settings;
static struct server *srv;
static struct tlam *lam;
static char base[64], dir[64], db[128];

#define CB "https://app.example.com/cb"
#define DOMAIN "my-app"
#define FORM "Content-Type: application/x-www-form-urlencoded"
#define FN "tok"
#define ARN "arn:aws:lambda:us-east-1:123456789012:function:" FN
#define VERIFIER "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
/* base64url(SHA-256(VERIFIER)), RFC 7636 appendix B. */
#define CHALLENGE "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"

/* A client of the code flow with the OIDC scopes and one callback URL. */
#define CODE_CLIENT                                                                                \
    "\"AllowedOAuthFlowsUserPoolClient\":true,\"AllowedOAuthFlows\":[\"code\"],"                   \
    "\"AllowedOAuthScopes\":[\"openid\",\"email\",\"phone\",\"profile\","                          \
    "\"aws.cognito.signin.user.admin\"],\"CallbackURLs\":[\"" CB "\"],"                            \
    "\"SupportedIdentityProviders\":[\"COGNITO\"]"

/* ---- The server and the shared store ------------------------------------------------------ */

static void setup(void)
{
    char *argv[] = {(char *)"cognito-emu",
                    (char *)"--db",
                    db,
                    (char *)"--port",
                    (char *)"0",
                    (char *)"--threads",
                    (char *)"2",
                    (char *)"--log-level",
                    (char *)"error",
                    (char *)"--lambda-endpoint",
                    NULL,
                    NULL};

    ck_assert_ptr_nonnull(lam = tlam_start());
    argv[10] = (char *)tlam_url(lam);
    snprintf(dir, sizeof(dir), "/tmp/cog-oauth-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(db, sizeof(db), "%s/emu.db", dir);
    ck_assert_int_eq(settings_parse(&settings, 11, argv), SETTINGS_RUN);
    ck_assert_int_eq(server_start(&settings, &srv), 0);
    snprintf(base, sizeof(base), "http://127.0.0.1:%d", server_port(srv));
    memset(env, 0, sizeof(*env));
    env->settings = settings; /* the server's, with its public URL: the same issuer */
    ck_assert_int_eq(store_open(db, 2, &env->store), STORE_OK);
    env->app.settings = &env->settings;
    env->app.store = env->store;
    clock_set_offset_ms(0);
}

static void teardown(void)
{
    char path[160];

    clock_set_offset_ms(0);
    keys_cache_clear();
    store_close(env->store);
    server_stop(srv);
    tlam_stop(lam);
    for (int i = 0; i < 3; i++) {
        snprintf(path, sizeof(path), "%s%s", db, i == 0 ? "" : i == 1 ? "-wal" : "-shm");
        unlink(path);
    }
    rmdir(dir);
}

/*
 * A pool (LambdaConfig members lambda, "" for none) with domain DOMAIN, the resource server
 * "api" (scopes read and write), its client with extra members, and the user alice: email
 * (verified), phone, given_name, custom:team.
 */
static void oauth_app(struct tl_app *a, const char *lambda, const char *client_extra)
{
    char body[512];

    snprintf(body, sizeof(body),
             "{\"PoolName\":\"p\",\"Schema\":[{\"Name\":\"team\",\"AttributeDataType\":"
             "\"String\",\"Mutable\":true}],\"LambdaConfig\":{%s}}",
             lambda);
    /* The resource server first: Cognito refuses a client that names an unknown scope. */
    tl_app(a, body, "");
    tl_domain(a->pool, DOMAIN, false);
    tl_resource_server(a->pool, "api", "[{\"ScopeName\":\"read\"},{\"ScopeName\":\"write\"}]");
    tl_client(a, client_extra, a);
    tl_user(a, "alice",
            "[{\"Name\":\"email\",\"Value\":\"alice@example.com\"},"
            "{\"Name\":\"email_verified\",\"Value\":\"true\"},"
            "{\"Name\":\"phone_number\",\"Value\":\"+15555550100\"},"
            "{\"Name\":\"given_name\",\"Value\":\"Alice\"},"
            "{\"Name\":\"custom:team\",\"Value\":\"red\"}]");
}

/* What a code is bound to, beyond a's pool and client and alice. */
struct code_opts {
    const char *scope;
    const char *nonce;
    const char *challenge;
    const char *method;
    const char *redirect; /* NULL: CB */
};

/* A code for alice of a's client, as /oauth2/authorize would issue it (a new string). */
static char *issue_code(const struct tl_app *a, const struct code_opts *o)
{
    struct store_conn *conn = store_acquire(env->store);
    struct store_user *u = NULL;
    struct oauth_grant g = {.pool_id = (char *)a->pool,
                            .client_id = (char *)a->client,
                            .redirect_uri = (char *)(o->redirect ? o->redirect : CB),
                            .scope = (char *)o->scope,
                            .nonce = (char *)o->nonce,
                            .code_challenge = (char *)o->challenge,
                            .code_challenge_method = (char *)o->method,
                            .auth_time = 1700000000};
    char *code = NULL;

    ck_assert_int_eq(store_user_get(conn, a->pool, "alice", &u), STORE_OK);
    g.user_seq = u->seq;
    ck_assert_int_eq(oauth_code_issue(conn, &g, clock_now_ms(), &code), STORE_OK);
    store_user_free(u);
    store_release(env->store, conn);
    return code;
}

/* ---- HTTP --------------------------------------------------------------------------------- */

/* A request to path (below the server's URL) with headers (NULL-terminated, may be NULL). */
static void request(const char *method, const char *path, const char *const *headers,
                    const char *body, struct tu_http *r)
{
    char url[512];

    snprintf(url, sizeof(url), "%s%s", base, path);
    tu_http_request(method, url, headers, body, body ? strlen(body) : 0, r);
}

/* POST a form to path, with one more header (NULL for none). */
static void post_form(const char *path, const char *extra, const char *body, struct tu_http *r)
{
    const char *headers[] = {FORM, extra, NULL};

    request("POST", path, headers, body, r);
}

/* printf-style form body for POST /_domain/DOMAIN/oauth2/token. */
static void token_call(struct tu_http *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void token_call(struct tu_http *r, const char *fmt, ...)
{
    char body[4096];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(body, sizeof(body), fmt, ap);
    va_end(ap);
    post_form("/_domain/" DOMAIN "/oauth2/token", NULL, body, r);
}

/* The body of r as JSON (cJSON_Delete). */
static cJSON *json_of(const struct tu_http *r)
{
    cJSON *json = cJSON_Parse(r->body);

    ck_assert_msg(cJSON_IsObject(json), "not a JSON object: %s", r->body);
    return json;
}

/* r (freed) must be the OAuth error error with status, as JSON that no cache keeps. */
static void assert_error(struct tu_http *r, long status, const char *error)
{
    char buf[256];
    cJSON *json;

    ck_assert_msg(r->status == status, "status %ld, want %ld: %s", r->status, status, r->body);
    json = json_of(r);
    ck_assert_str_eq(tu_str(json, "error"), error);
    ck_assert_str_eq(tu_http_header(r, "Content-Type", buf, sizeof(buf)), "application/json");
    ck_assert_str_eq(tu_http_header(r, "Cache-Control", buf, sizeof(buf)), "no-store");
    ck_assert_str_eq(tu_http_header(r, "Pragma", buf, sizeof(buf)), "no-cache");
    cJSON_Delete(json);
    tu_http_free(r);
}

/* r (freed) must be a 200 token answer; its JSON (cJSON_Delete). */
static cJSON *tokens_of(struct tu_http *r)
{
    char buf[256];
    cJSON *json;

    ck_assert_msg(r->status == 200, "status %ld: %s", r->status, r->body);
    json = json_of(r);
    ck_assert_str_eq(tu_http_header(r, "Cache-Control", buf, sizeof(buf)), "no-store");
    ck_assert_str_eq(tu_str(json, "token_type"), "Bearer");
    ck_assert(cJSON_IsNumber(tu_get(json, "expires_in")));
    ck_assert_ptr_nonnull(tu_str(json, "access_token"));
    tu_http_free(r);
    return json;
}

/* The unverified claims of member name of tokens (a JWT; cJSON_Delete). */
static cJSON *claims(const cJSON *tokens, const char *name)
{
    cJSON *c = jwt_peek_payload(tu_str(tokens, name));

    ck_assert_ptr_nonnull(c);
    return c;
}

/* Redeem code at client with redirect (NULL: CB) and verifier (NULL: none). */
static void redeem_call(const char *client, const char *code, const char *redirect,
                        const char *verifier, struct tu_http *r)
{
    token_call(r, "grant_type=authorization_code&client_id=%s&code=%s&redirect_uri=%s%s%s", client,
               code, redirect ? redirect : CB, verifier ? "&code_verifier=" : "",
               verifier ? verifier : "");
}

/* Redeem a code for a's public client (with code_verifier when not NULL): the tokens. */
static cJSON *redeem(const struct tl_app *a, const char *code, const char *verifier)
{
    struct tu_http r;

    redeem_call(a->client, code, NULL, verifier, &r);
    return tokens_of(&r);
}

/* Redeeming code as redeem_call() does must fail with error (status 400). */
static void redeem_fails(const char *client, const char *code, const char *redirect,
                         const char *verifier, const char *error)
{
    struct tu_http r;

    redeem_call(client, code, redirect, verifier, &r);
    assert_error(&r, 400, error);
}

/* A new code of a's client, bound as o says, redeemed at client with verifier must fail with
 * error. */
static void new_code_fails(const struct tl_app *a, const struct code_opts *o, const char *client,
                           const char *verifier, const char *error)
{
    char *code = issue_code(a, o);

    redeem_fails(client, code, NULL, verifier, error);
    free(code);
}

/* Tokens for alice with scope through a code of a's public client. */
static cJSON *code_tokens(const struct tl_app *a, const char *scope)
{
    struct code_opts o = {.scope = scope};
    char *code = issue_code(a, &o);
    cJSON *tokens = redeem(a, code, NULL);

    free(code);
    return tokens;
}

/* "Authorization: Basic base64(id:secret)" into out. */
static void basic_header(const char *id, const char *secret, char *out, size_t n)
{
    char pair[256], *b64;

    snprintf(pair, sizeof(pair), "%s:%s", id, secret);
    b64 = jwt_b64url_encode((const unsigned char *)pair, strlen(pair));
    for (char *p = b64; *p; p++)
        *p = *p == '-' ? '+' : *p == '_' ? '/' : *p;
    /* Standard base64 is padded. */
    snprintf(out, n, "Authorization: Basic %s%s", b64,
             strlen(b64) % 4 == 2   ? "=="
             : strlen(b64) % 4 == 3 ? "="
                                    : "");
    free(b64);
}

/* ---- authorization_code ------------------------------------------------------------------- */

START_TEST(test_code_grant_issues_the_hosted_flows_tokens)
{
    struct tl_app a;
    struct code_opts o = {
        .scope = "openid email", .nonce = "n-0S6", .challenge = CHALLENGE, .method = "S256"};
    char *code, *at_hash;
    cJSON *tokens, *access, *id;

    oauth_app(&a, "", CODE_CLIENT);
    code = issue_code(&a, &o);
    tokens = redeem(&a, code, VERIFIER);
    ck_assert_int_eq((int)tu_num(tokens, "expires_in"), 3600);
    ck_assert_ptr_nonnull(tu_str(tokens, "refresh_token"));
    /* The member order of Cognito's answer. */
    ck_assert_str_eq(tokens->child->string, "access_token");
    ck_assert_str_eq(tokens->child->next->string, "id_token");

    access = claims(tokens, "access_token");
    ck_assert_str_eq(tu_str(access, "scope"), "openid email");
    ck_assert_int_eq((int)tu_num(access, "version"), 2);
    ck_assert_int_eq((int)tu_num(access, "auth_time"), 1700000000);
    ck_assert_str_eq(tu_str(access, "token_use"), "access");
    ck_assert_str_eq(tu_str(access, "client_id"), a.client);
    ck_assert_str_eq(tu_str(access, "username"), "alice");
    ck_assert_ptr_nonnull(tu_str(access, "jti"));
    ck_assert_ptr_nonnull(tu_str(access, "origin_jti"));

    id = claims(tokens, "id_token");
    at_hash = jwt_hash_b64url(tu_str(tokens, "access_token"), 16);
    ck_assert_str_eq(id->child->string, "at_hash");
    ck_assert_str_eq(tu_str(id, "at_hash"), at_hash);
    ck_assert_str_eq(tu_str(id, "nonce"), "n-0S6");
    ck_assert_str_eq(tu_str(id, "aud"), a.client);
    ck_assert_str_eq(tu_str(id, "origin_jti"), tu_str(access, "origin_jti"));
    ck_assert_int_eq((int)tu_num(id, "auth_time"), 1700000000);
    /* openid email: the email attributes only (the ID token narrows as userInfo does). */
    ck_assert_str_eq(tu_str(id, "email"), "alice@example.com");
    ck_assert(tu_bool(id, "email_verified"));
    ck_assert_ptr_null(tu_get(id, "given_name"));
    ck_assert_ptr_null(tu_get(id, "phone_number"));
    free(at_hash);
    cJSON_Delete(access);
    cJSON_Delete(id);
    cJSON_Delete(tokens);

    /* A code is good once. */
    redeem_fails(a.client, code, NULL, VERIFIER, "invalid_grant");
    free(code);
}
END_TEST

START_TEST(test_code_grant_without_openid_has_no_id_token_and_openid_alone_has_every_attribute)
{
    struct tl_app a;
    cJSON *tokens, *id;

    oauth_app(&a, "", CODE_CLIENT);
    tokens = code_tokens(&a, "email");
    ck_assert_ptr_null(tu_get(tokens, "id_token"));
    ck_assert_ptr_nonnull(tu_str(tokens, "refresh_token"));
    cJSON_Delete(tokens);

    tokens = code_tokens(&a, "openid");
    id = claims(tokens, "id_token");
    ck_assert_ptr_null(tu_get(id, "nonce"));
    ck_assert_str_eq(tu_str(id, "email"), "alice@example.com");
    ck_assert_str_eq(tu_str(id, "given_name"), "Alice");
    ck_assert_str_eq(tu_str(id, "custom:team"), "red");
    ck_assert_str_eq(tu_str(id, "phone_number"), "+15555550100");
    cJSON_Delete(id);
    cJSON_Delete(tokens);
}
END_TEST

START_TEST(test_code_grant_refusals)
{
    struct tl_app a, other;
    struct code_opts o = {.scope = "openid"};
    struct tu_http r;
    char *code;

    oauth_app(&a, "", CODE_CLIENT);
    tl_client(&a, CODE_CLIENT, &other);

    /* Missing parameters: invalid_request. */
    token_call(&r, "grant_type=authorization_code&client_id=%s&redirect_uri=" CB, a.client);
    assert_error(&r, 400, "invalid_request");
    code = issue_code(&a, &o);
    token_call(&r, "grant_type=authorization_code&client_id=%s&code=%s", a.client, code);
    assert_error(&r, 400, "invalid_request");
    free(code);
    /* Unknown code, another redirect_uri, another client: invalid_grant. */
    token_call(&r, "grant_type=authorization_code&client_id=%s&code=nope&redirect_uri=" CB,
               a.client);
    assert_error(&r, 400, "invalid_grant");
    code = issue_code(&a, &o);
    redeem_fails(a.client, code, CB "/other", NULL, "invalid_grant");
    /* ...and a code tried with the wrong redirect_uri is burnt. */
    redeem_fails(a.client, code, NULL, NULL, "invalid_grant");
    free(code);
    new_code_fails(&a, &o, other.client, NULL, "invalid_grant");

    /* Five minutes later a code is dead. */
    code = issue_code(&a, &o);
    clock_set_offset_ms(OAUTH_CODE_TTL_MS + 1000);
    redeem_fails(a.client, code, NULL, NULL, "invalid_grant");
    free(code);
    clock_set_offset_ms(0);

    /* A disabled user gets no tokens. */
    code = issue_code(&a, &o);
    tl_ok(tu_callf(env, IDP "AdminDisableUser", "{\"UserPoolId\":\"%s\",\"Username\":\"alice\"}",
                   a.pool));
    redeem_fails(a.client, code, NULL, NULL, "invalid_grant");
    free(code);
}
END_TEST

START_TEST(test_code_grant_checks_pkce)
{
    struct tl_app a;
    struct code_opts s256 = {.scope = "openid", .challenge = CHALLENGE, .method = "S256"};
    struct code_opts plain = {.scope = "openid", .challenge = VERIFIER, .method = "plain"};
    struct code_opts none = {.scope = "openid"};
    char *code;

    oauth_app(&a, "", CODE_CLIENT);
    /* S256: missing and wrong verifiers are invalid_grant. */
    new_code_fails(&a, &s256, a.client, NULL, "invalid_grant");
    new_code_fails(&a, &s256, a.client, CHALLENGE, "invalid_grant");
    /* plain compares the verifier itself. */
    code = issue_code(&a, &plain);
    cJSON_Delete(redeem(&a, code, VERIFIER));
    free(code);
    /* A verifier for a code without a challenge is refused (pinned: OAuth 2.1 4.1.3). */
    new_code_fails(&a, &none, a.client, VERIFIER, "invalid_grant");
}
END_TEST

/* ---- Client authentication and the form --------------------------------------------------- */

START_TEST(test_client_authentication_basic_or_body)
{
    struct tl_app a, pub;
    struct code_opts o = {.scope = "openid"};
    char basic[512], body[512], encoded_id[160];
    struct tu_http r;
    char *code;

    oauth_app(&a, "", "\"GenerateSecret\":true," CODE_CLIENT);
    tl_client(&a, CODE_CLIENT, &pub);

    /* Basic. */
    code = issue_code(&a, &o);
    basic_header(a.client, a.secret, basic, sizeof(basic));
    snprintf(body, sizeof(body), "grant_type=authorization_code&code=%s&redirect_uri=" CB, code);
    post_form("/_domain/" DOMAIN "/oauth2/token", basic, body, &r);
    cJSON_Delete(tokens_of(&r));
    free(code);
    /* Basic with the id percent-encoded (RFC 6749 2.3.1), and a matching client_id in the
     * form. */
    code = issue_code(&a, &o);
    snprintf(encoded_id, sizeof(encoded_id), "%%%02X%s", (unsigned char)a.client[0], a.client + 1);
    basic_header(encoded_id, a.secret, basic, sizeof(basic));
    snprintf(body, sizeof(body),
             "grant_type=authorization_code&client_id=%s&code=%s&redirect_uri=" CB, a.client, code);
    post_form("/_domain/" DOMAIN "/oauth2/token", basic, body, &r);
    cJSON_Delete(tokens_of(&r));
    free(code);
    /* In the body. */
    code = issue_code(&a, &o);
    token_call(
        &r, "grant_type=authorization_code&client_id=%s&client_secret=%s&code=%s&redirect_uri=" CB,
        a.client, a.secret, code);
    cJSON_Delete(tokens_of(&r));
    free(code);

    /* invalid_client, with status 400 at this endpoint: no secret, a wrong one, an unknown
     * client, no client at all, a secret for a public client, a bad Basic header. */
    token_call(&r, "grant_type=authorization_code&client_id=%s&code=x&redirect_uri=" CB, a.client);
    assert_error(&r, 400, "invalid_client");
    basic_header(a.client, "wrong", basic, sizeof(basic));
    post_form("/_domain/" DOMAIN "/oauth2/token", basic,
              "grant_type=authorization_code&code=x&redirect_uri=" CB, &r);
    assert_error(&r, 400, "invalid_client");
    token_call(&r, "grant_type=authorization_code&client_id=nosuchclient&code=x&redirect_uri=" CB);
    assert_error(&r, 400, "invalid_client");
    token_call(&r, "grant_type=authorization_code&code=x&redirect_uri=" CB);
    assert_error(&r, 400, "invalid_client");
    token_call(&r,
               "grant_type=authorization_code&client_id=%s&client_secret=s&code=x&redirect_uri=" CB,
               pub.client);
    assert_error(&r, 400, "invalid_client");
    post_form("/_domain/" DOMAIN "/oauth2/token", "Authorization: Basic %%%",
              "grant_type=authorization_code&code=x&redirect_uri=" CB, &r);
    assert_error(&r, 400, "invalid_client");
    /* Two methods at once: invalid_request (RFC 6749 2.3). */
    basic_header(a.client, a.secret, basic, sizeof(basic));
    snprintf(body, sizeof(body),
             "grant_type=authorization_code&client_secret=%s&code=x&redirect_uri=" CB, a.secret);
    post_form("/_domain/" DOMAIN "/oauth2/token", basic, body, &r);
    assert_error(&r, 400, "invalid_request");
}
END_TEST

START_TEST(test_form_and_grant_type_errors)
{
    struct tl_app a, implicit, plain;
    const char *json[] = {"Content-Type: application/json", NULL};
    struct tu_http r;

    oauth_app(&a, "", CODE_CLIENT);
    tl_client(&a,
              "\"AllowedOAuthFlowsUserPoolClient\":true,\"AllowedOAuthFlows\":[\"implicit\"],"
              "\"AllowedOAuthScopes\":[\"openid\"],\"CallbackURLs\":[\"" CB "\"]",
              &implicit);
    tl_client(&a, "", &plain);

    request("POST", "/_domain/" DOMAIN "/oauth2/token", json, "{\"grant_type\":\"x\"}", &r);
    assert_error(&r, 400, "invalid_request");
    token_call(&r, "grant_type=authorization_code&client_id=%s&client_id=%s", a.client, a.client);
    assert_error(&r, 400, "invalid_request");
    token_call(&r, "client_id=%s", a.client);
    assert_error(&r, 400, "invalid_request");
    token_call(&r, "grant_type=password&client_id=%s", a.client);
    assert_error(&r, 400, "unsupported_grant_type");
    /* A grant the client's AllowedOAuthFlows lack, or a client without OAuth. */
    token_call(&r, "grant_type=authorization_code&client_id=%s&code=x&redirect_uri=" CB,
               implicit.client);
    assert_error(&r, 400, "unauthorized_client");
    token_call(&r, "grant_type=client_credentials&client_id=%s", a.client);
    assert_error(&r, 400, "unauthorized_client");
    token_call(&r, "grant_type=refresh_token&client_id=%s&refresh_token=x", plain.client);
    assert_error(&r, 400, "unauthorized_client");
    /* The endpoint is POST only. */
    request("GET", "/_domain/" DOMAIN "/oauth2/token", NULL, NULL, &r);
    ck_assert_int_ne(r.status, 200);
    tu_http_free(&r);
}
END_TEST

/* ---- refresh_token ------------------------------------------------------------------------ */

START_TEST(test_refresh_grant_keeps_scope_and_sign_in)
{
    struct tl_app a;
    struct tl_tokens api;
    cJSON *first, *tokens, *access, *first_access, *api_resp;
    struct tu_http r;

    oauth_app(&a, "", CODE_CLIENT);
    first = code_tokens(&a, "openid profile");
    token_call(&r, "grant_type=refresh_token&client_id=%s&refresh_token=%s", a.client,
               tu_str(first, "refresh_token"));
    tokens = tokens_of(&r);
    /* No rotation: no new refresh token. */
    ck_assert_ptr_null(tu_get(tokens, "refresh_token"));
    ck_assert_ptr_nonnull(tu_str(tokens, "id_token"));
    access = claims(tokens, "access_token");
    first_access = claims(first, "access_token");
    ck_assert_str_eq(tu_str(access, "scope"), "openid profile");
    ck_assert_int_eq((int)tu_num(access, "version"), 2);
    ck_assert_str_eq(tu_str(access, "origin_jti"), tu_str(first_access, "origin_jti"));
    ck_assert_int_eq((int)tu_num(access, "auth_time"), 1700000000);
    cJSON_Delete(access);
    cJSON_Delete(first_access);
    cJSON_Delete(tokens);

    /* Through the API (Amplify refreshes hosted-UI tokens with InitiateAuth) the scopes stay
     * too. */
    api_resp = tl_refresh_call(&a, tu_str(first, "refresh_token"));
    access = jwt_peek_payload(tu_str(tu_get(api_resp, "AuthenticationResult"), "AccessToken"));
    ck_assert_str_eq(tu_str(access, "scope"), "openid profile");
    ck_assert_int_eq((int)tu_num(access, "version"), 2);
    cJSON_Delete(access);
    cJSON_Delete(api_resp);

    /* Missing, unknown, then revoked: invalid_request, invalid_grant, invalid_grant. */
    token_call(&r, "grant_type=refresh_token&client_id=%s", a.client);
    assert_error(&r, 400, "invalid_request");
    token_call(&r, "grant_type=refresh_token&client_id=%s&refresh_token=nope", a.client);
    assert_error(&r, 400, "invalid_grant");
    tl_ok(tu_callf(env, IDP "RevokeToken", "{\"ClientId\":\"%s\",\"Token\":\"%s\"}", a.client,
                   tu_str(first, "refresh_token")));
    token_call(&r, "grant_type=refresh_token&client_id=%s&refresh_token=%s", a.client,
               tu_str(first, "refresh_token"));
    assert_error(&r, 400, "invalid_grant");
    cJSON_Delete(first);

    /* An API sign-in's refresh token refreshes here like through the API (pinned): the admin
     * scope, no version. */
    tl_sign_in(&a, "alice", TL_PASSWORD, &api);
    token_call(&r, "grant_type=refresh_token&client_id=%s&refresh_token=%s", a.client, api.refresh);
    tokens = tokens_of(&r);
    access = claims(tokens, "access_token");
    ck_assert_str_eq(tu_str(access, "scope"), "aws.cognito.signin.user.admin");
    ck_assert_ptr_null(tu_get(access, "version"));
    ck_assert_ptr_nonnull(tu_str(tokens, "id_token"));
    cJSON_Delete(access);
    cJSON_Delete(tokens);
    tl_tokens_free(&api);
}
END_TEST

/* A rotating client's refresh_token grant returns a new refresh token of the same sign-in
 * (scopes, origin_jti); the old one is spent at once with a grace period of 0. */
START_TEST(test_refresh_grant_rotates)
{
    struct tl_app a;
    cJSON *first, *second, *access, *first_access;
    struct tu_http r;

    oauth_app(&a, "",
              CODE_CLIENT ",\"RefreshTokenRotation\":{\"Feature\":\"ENABLED\","
                          "\"RetryGracePeriodSeconds\":0}");
    first = code_tokens(&a, "openid profile");
    token_call(&r, "grant_type=refresh_token&client_id=%s&refresh_token=%s", a.client,
               tu_str(first, "refresh_token"));
    second = tokens_of(&r);
    ck_assert_ptr_nonnull(tu_str(second, "refresh_token"));
    ck_assert_str_ne(tu_str(second, "refresh_token"), tu_str(first, "refresh_token"));
    access = claims(second, "access_token");
    first_access = claims(first, "access_token");
    ck_assert_str_eq(tu_str(access, "scope"), "openid profile");
    ck_assert_str_eq(tu_str(access, "origin_jti"), tu_str(first_access, "origin_jti"));
    cJSON_Delete(access);
    cJSON_Delete(first_access);
    /* The spent one is invalid_grant; the new one refreshes (and rotates). */
    token_call(&r, "grant_type=refresh_token&client_id=%s&refresh_token=%s", a.client,
               tu_str(first, "refresh_token"));
    assert_error(&r, 400, "invalid_grant");
    token_call(&r, "grant_type=refresh_token&client_id=%s&refresh_token=%s", a.client,
               tu_str(second, "refresh_token"));
    cJSON_Delete(first);
    first = tokens_of(&r);
    ck_assert_ptr_nonnull(tu_str(first, "refresh_token"));
    cJSON_Delete(first);
    cJSON_Delete(second);
}
END_TEST

/* ---- client_credentials ------------------------------------------------------------------- */

/* A client of the client credentials flow with scopes api/read and api/write. */
#define M2M_CLIENT                                                                                 \
    "\"GenerateSecret\":true,\"AllowedOAuthFlowsUserPoolClient\":true,"                            \
    "\"AllowedOAuthFlows\":[\"client_credentials\"],"                                              \
    "\"AllowedOAuthScopes\":[\"api/read\",\"api/write\"]"

START_TEST(test_client_credentials_grant)
{
    struct tl_app a, pub;
    char basic[512];
    struct tu_http r;
    cJSON *tokens, *access;

    oauth_app(&a, "", M2M_CLIENT);
    basic_header(a.client, a.secret, basic, sizeof(basic));

    post_form("/_domain/" DOMAIN "/oauth2/token", basic, "grant_type=client_credentials", &r);
    tokens = tokens_of(&r);
    ck_assert_ptr_null(tu_get(tokens, "id_token"));
    ck_assert_ptr_null(tu_get(tokens, "refresh_token"));
    access = claims(tokens, "access_token");
    ck_assert_str_eq(tu_str(access, "sub"), a.client);
    ck_assert_str_eq(tu_str(access, "client_id"), a.client);
    ck_assert_str_eq(tu_str(access, "token_use"), "access");
    ck_assert_str_eq(tu_str(access, "scope"), "api/read api/write");
    ck_assert_int_eq((int)tu_num(access, "version"), 2);
    ck_assert(cJSON_IsNumber(tu_get(access, "auth_time")));
    ck_assert_ptr_nonnull(tu_str(access, "jti"));
    ck_assert_ptr_null(tu_get(access, "username"));
    ck_assert_ptr_null(tu_get(access, "origin_jti"));
    cJSON_Delete(access);
    cJSON_Delete(tokens);

    post_form("/_domain/" DOMAIN "/oauth2/token", basic,
              "grant_type=client_credentials&scope=api%2Fwrite", &r);
    tokens = tokens_of(&r);
    access = claims(tokens, "access_token");
    ck_assert_str_eq(tu_str(access, "scope"), "api/write");
    cJSON_Delete(access);
    cJSON_Delete(tokens);

    /* Scopes not allowed, or not custom: invalid_scope. */
    post_form("/_domain/" DOMAIN "/oauth2/token", basic,
              "grant_type=client_credentials&scope=api/delete", &r);
    assert_error(&r, 400, "invalid_scope");
    post_form("/_domain/" DOMAIN "/oauth2/token", basic,
              "grant_type=client_credentials&scope=openid", &r);
    assert_error(&r, 400, "invalid_scope");
    /* A public client cannot use the grant (CreateUserPoolClient refuses to allow it one, so
     * this is a code-flow client asking). */
    tl_client(&a, CODE_CLIENT, &pub);
    token_call(&r, "grant_type=client_credentials&client_id=%s", pub.client);
    assert_error(&r, 400, "unauthorized_client");
    /* aws_client_metadata must be a JSON object. */
    post_form("/_domain/" DOMAIN "/oauth2/token", basic,
              "grant_type=client_credentials&aws_client_metadata=%5B1%5D", &r);
    assert_error(&r, 400, "invalid_request");
}
END_TEST

/* ---- Pre token generation ----------------------------------------------------------------- */

#define V2 "\"PreTokenGenerationConfig\":{\"LambdaVersion\":\"V2_0\",\"LambdaArn\":\"" ARN "\"}"
#define V3 "\"PreTokenGenerationConfig\":{\"LambdaVersion\":\"V3_0\",\"LambdaArn\":\"" ARN "\"}"

/* The triggerSource of the last call of the trigger function; a new string. */
static char *last_source(size_t *count)
{
    cJSON *event;
    char *source;

    *count = tlam_count(lam, FN);
    ck_assert_uint_gt(*count, 0);
    event = tlam_event(lam, FN, *count - 1);
    source = strdup(tu_str(event, "triggerSource"));
    cJSON_Delete(event);
    return source;
}

START_TEST(test_pre_token_generation_sources)
{
    struct tl_app a, m2m;
    char basic[512], *source, *text;
    struct tu_http r;
    cJSON *tokens, *event, *access;
    size_t n;

    oauth_app(&a, V3, CODE_CLIENT);
    tlam_on_response(lam, FN,
                     "{\"claimsAndScopeOverrideDetails\":{\"accessTokenGeneration\":"
                     "{\"claimsToAddOrOverride\":{\"plan\":\"pro\"}}}}");

    tokens = code_tokens(&a, "openid email");
    source = last_source(&n);
    ck_assert_str_eq(source, "TokenGeneration_HostedAuth");
    free(source);
    event = tlam_event(lam, FN, n - 1);
    ck_assert_str_eq(tu_str(event, "version"), "3");
    text = cJSON_PrintUnformatted(tu_get(tu_get(event, "request"), "scopes"));
    ck_assert_str_eq(text, "[\"openid\",\"email\"]");
    free(text);
    cJSON_Delete(event);
    access = claims(tokens, "access_token");
    ck_assert_str_eq(tu_str(access, "plan"), "pro");
    cJSON_Delete(access);

    token_call(&r, "grant_type=refresh_token&client_id=%s&refresh_token=%s", a.client,
               tu_str(tokens, "refresh_token"));
    cJSON_Delete(tokens_of(&r));
    source = last_source(&n);
    ck_assert_str_eq(source, "TokenGeneration_RefreshTokens");
    free(source);
    cJSON_Delete(tokens);

    /* The client credentials grant with metadata. */
    tl_client(&a, M2M_CLIENT, &m2m);
    basic_header(m2m.client, m2m.secret, basic, sizeof(basic));
    post_form("/_domain/" DOMAIN "/oauth2/token", basic,
              "grant_type=client_credentials&aws_client_metadata=%7B%22k%22%3A%22v%22%7D", &r);
    tokens = tokens_of(&r);
    source = last_source(&n);
    ck_assert_str_eq(source, "TokenGeneration_ClientCredentials");
    free(source);
    event = tlam_event(lam, FN, n - 1);
    ck_assert_str_eq(tu_str(tu_get(tu_get(event, "request"), "clientMetadata"), "k"), "v");
    ck_assert_str_eq(tu_str(tu_get(event, "callerContext"), "clientId"), m2m.client);
    /* No user (pinned): userName "" and userAttributes {}. */
    ck_assert_str_eq(tu_str(event, "userName"), "");
    ck_assert_int_eq(cJSON_GetArraySize(tu_get(tu_get(event, "request"), "userAttributes")), 0);
    cJSON_Delete(event);
    access = claims(tokens, "access_token");
    ck_assert_str_eq(tu_str(access, "plan"), "pro");
    cJSON_Delete(access);
    cJSON_Delete(tokens);
}
END_TEST

START_TEST(test_client_credentials_calls_only_a_v3_trigger)
{
    struct tl_app a;
    char basic[512];
    struct tu_http r;

    oauth_app(&a, V2, M2M_CLIENT);
    tlam_on(lam, FN, tlam_return_event, NULL);
    basic_header(a.client, a.secret, basic, sizeof(basic));
    post_form("/_domain/" DOMAIN "/oauth2/token", basic, "grant_type=client_credentials", &r);
    cJSON_Delete(tokens_of(&r));
    ck_assert_uint_eq(tlam_count(lam, FN), 0);
}
END_TEST

/* ---- userInfo ----------------------------------------------------------------------------- */

/* GET path with "Authorization: Bearer <token>" (token NULL: no header). */
static void userinfo(const char *method, const char *token, struct tu_http *r)
{
    char auth[4096];
    const char *headers[] = {auth, NULL};

    snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token ? token : "");
    request(method, "/_domain/" DOMAIN "/oauth2/userInfo", token ? headers : NULL, NULL, r);
}

/* The userInfo answer for a token with scope (cJSON_Delete). */
static cJSON *userinfo_for(const struct tl_app *a, const char *scope)
{
    cJSON *tokens = code_tokens(a, scope), *info;
    struct tu_http r;

    userinfo("GET", tu_str(tokens, "access_token"), &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    info = json_of(&r);
    tu_http_free(&r);
    cJSON_Delete(tokens);
    return info;
}

/* r (freed) must be a userInfo refusal with status, error and its WWW-Authenticate. */
static void assert_bearer_error(struct tu_http *r, long status, const char *error,
                                const char *description)
{
    char buf[512], expect[512];

    snprintf(expect, sizeof(expect), "error=\"%s\", error_description=\"%s\"", error, description);
    ck_assert_str_eq(tu_http_header(r, "WWW-Authenticate", buf, sizeof(buf)), expect);
    assert_error(r, status, error);
}

#define BAD_TOKEN                                                                                  \
    "Access token is expired, disabled, or deleted, or the user has globally signed out."

START_TEST(test_userinfo_claims_by_scope)
{
    struct tl_app a;
    cJSON *info;
    struct tu_http r;
    cJSON *tokens;

    oauth_app(&a, "", CODE_CLIENT);
    /* openid alone: every readable attribute, as strings, sub first and username last. */
    info = userinfo_for(&a, "openid");
    ck_assert_str_eq(info->child->string, "sub");
    ck_assert_str_eq(tu_str(info, "email"), "alice@example.com");
    ck_assert_str_eq(tu_str(info, "email_verified"), "true");
    ck_assert_str_eq(tu_str(info, "phone_number"), "+15555550100");
    ck_assert_str_eq(tu_str(info, "given_name"), "Alice");
    ck_assert_str_eq(tu_str(info, "custom:team"), "red");
    ck_assert_str_eq(cJSON_GetArrayItem(info, cJSON_GetArraySize(info) - 1)->string, "username");
    ck_assert_str_eq(tu_str(info, "username"), "alice");
    cJSON_Delete(info);

    info = userinfo_for(&a, "openid email");
    ck_assert_str_eq(tu_str(info, "email"), "alice@example.com");
    ck_assert_str_eq(tu_str(info, "email_verified"), "true");
    ck_assert_ptr_null(tu_get(info, "given_name"));
    ck_assert_ptr_null(tu_get(info, "phone_number"));
    ck_assert_ptr_nonnull(tu_str(info, "sub"));
    cJSON_Delete(info);

    info = userinfo_for(&a, "openid profile");
    ck_assert_str_eq(tu_str(info, "given_name"), "Alice");
    ck_assert_str_eq(tu_str(info, "custom:team"), "red");
    ck_assert_ptr_null(tu_get(info, "email"));
    cJSON_Delete(info);

    info = userinfo_for(&a, "openid phone aws.cognito.signin.user.admin");
    ck_assert_str_eq(tu_str(info, "phone_number"), "+15555550100");
    ck_assert_ptr_null(tu_get(info, "email"));
    cJSON_Delete(info);

    /* POST answers too (pinned). */
    tokens = code_tokens(&a, "openid");
    userinfo("POST", tu_str(tokens, "access_token"), &r);
    ck_assert_int_eq(r.status, 200);
    tu_http_free(&r);
    cJSON_Delete(tokens);
}
END_TEST

START_TEST(test_userinfo_refusals)
{
    struct tl_app a;
    struct tl_tokens api;
    cJSON *tokens;
    struct tu_http r;

    oauth_app(&a, "", CODE_CLIENT);
    userinfo("GET", NULL, &r);
    assert_bearer_error(&r, 400, "invalid_request", "Bad OAuth2 request at UserInfo Endpoint");
    userinfo("GET", "not-a-token", &r);
    assert_bearer_error(&r, 401, "invalid_token", BAD_TOKEN);
    /* An API token, and an OAuth one without openid. */
    tl_sign_in(&a, "alice", TL_PASSWORD, &api);
    userinfo("GET", api.access, &r);
    assert_bearer_error(&r, 401, "invalid_token", "Access token does not contain openid scope");
    tl_tokens_free(&api);
    tokens = code_tokens(&a, "email");
    userinfo("GET", tu_str(tokens, "access_token"), &r);
    assert_bearer_error(&r, 401, "invalid_token", "Access token does not contain openid scope");
    cJSON_Delete(tokens);
    /* Expired. */
    tokens = code_tokens(&a, "openid");
    clock_set_offset_ms(2 * 3600 * 1000);
    userinfo("GET", tu_str(tokens, "access_token"), &r);
    assert_bearer_error(&r, 401, "invalid_token", BAD_TOKEN);
    clock_set_offset_ms(0);
    /* Signed out. */
    sleep(1); /* sign-outs count from the second after the token's iat */
    tl_ok(tu_callf(env, IDP "AdminUserGlobalSignOut",
                   "{\"UserPoolId\":\"%s\",\"Username\":\"alice\"}", a.pool));
    sleep(1);
    userinfo("GET", tu_str(tokens, "access_token"), &r);
    assert_bearer_error(&r, 401, "invalid_token", BAD_TOKEN);
    cJSON_Delete(tokens);
}
END_TEST

/* ---- revoke ------------------------------------------------------------------------------- */

START_TEST(test_revoke)
{
    struct tl_app a, secret, off;
    cJSON *tokens;
    char body[4096], basic[512];
    struct tu_http r;

    oauth_app(&a, "", CODE_CLIENT);
    tokens = code_tokens(&a, "openid");
    snprintf(body, sizeof(body), "token=%s&client_id=%s", tu_str(tokens, "refresh_token"),
             a.client);
    post_form("/_domain/" DOMAIN "/oauth2/revoke", NULL, body, &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(r.body, "");
    tu_http_free(&r);
    /* The refresh token and the access tokens of its sign-in are dead. */
    token_call(&r, "grant_type=refresh_token&client_id=%s&refresh_token=%s", a.client,
               tu_str(tokens, "refresh_token"));
    assert_error(&r, 400, "invalid_grant");
    userinfo("GET", tu_str(tokens, "access_token"), &r);
    assert_bearer_error(&r, 401, "invalid_token", BAD_TOKEN);
    /* Again, or an unknown token: 200 all the same. */
    post_form("/_domain/" DOMAIN "/oauth2/revoke", NULL, body, &r);
    ck_assert_int_eq(r.status, 200);
    tu_http_free(&r);
    snprintf(body, sizeof(body), "token=garbage&client_id=%s", a.client);
    post_form("/_domain/" DOMAIN "/oauth2/revoke", NULL, body, &r);
    ck_assert_int_eq(r.status, 200);
    tu_http_free(&r);
    /* An access token: unsupported_token_type; no token: invalid_request. */
    snprintf(body, sizeof(body), "token=%s&client_id=%s", tu_str(tokens, "access_token"), a.client);
    post_form("/_domain/" DOMAIN "/oauth2/revoke", NULL, body, &r);
    assert_error(&r, 400, "unsupported_token_type");
    snprintf(body, sizeof(body), "client_id=%s", a.client);
    post_form("/_domain/" DOMAIN "/oauth2/revoke", NULL, body, &r);
    assert_error(&r, 400, "invalid_request");
    cJSON_Delete(tokens);

    /* Revocation turned off: invalid_request. A wrong secret: invalid_client with 401. */
    tl_client(&a, "\"EnableTokenRevocation\":false," CODE_CLIENT, &off);
    snprintf(body, sizeof(body), "token=x&client_id=%s", off.client);
    post_form("/_domain/" DOMAIN "/oauth2/revoke", NULL, body, &r);
    assert_error(&r, 400, "invalid_request");
    tl_client(&a, "\"GenerateSecret\":true," CODE_CLIENT, &secret);
    basic_header(secret.client, "wrong", basic, sizeof(basic));
    post_form("/_domain/" DOMAIN "/oauth2/revoke", basic, "token=x", &r);
    assert_error(&r, 401, "invalid_client");
    basic_header(secret.client, secret.secret, basic, sizeof(basic));
    post_form("/_domain/" DOMAIN "/oauth2/revoke", basic, "token=x", &r);
    ck_assert_int_eq(r.status, 200);
    tu_http_free(&r);
}
END_TEST

/* ---- Sites, discovery, CORS --------------------------------------------------------------- */

START_TEST(test_endpoints_at_the_root_by_host_and_by_path)
{
    struct tl_app a, b;
    struct code_opts o = {.scope = "openid"};
    char body[512], *code;
    struct tu_http r;

    oauth_app(&a, "", CODE_CLIENT);
    /* The root: the domain of the client's pool. */
    code = issue_code(&a, &o);
    snprintf(body, sizeof(body),
             "grant_type=authorization_code&client_id=%s&code=%s&redirect_uri=" CB, a.client, code);
    post_form("/oauth2/token", NULL, body, &r);
    cJSON_Delete(tokens_of(&r));
    free(code);
    /* A Host naming the prefix domain. */
    code = issue_code(&a, &o);
    snprintf(body, sizeof(body),
             "grant_type=authorization_code&client_id=%s&code=%s&redirect_uri=" CB, a.client, code);
    post_form("/oauth2/token", "Host: " DOMAIN ".auth.us-east-1.amazoncognito.com", body, &r);
    cJSON_Delete(tokens_of(&r));
    free(code);

    /* Another pool's domain, an unknown one, a pool without a domain. */
    tl_app(&b, "{\"PoolName\":\"q\"}", CODE_CLIENT);
    tl_domain(b.pool, "other-app", false);
    snprintf(body, sizeof(body),
             "grant_type=authorization_code&client_id=%s&code=x&redirect_uri=" CB, a.client);
    post_form("/_domain/other-app/oauth2/token", NULL, body, &r);
    assert_error(&r, 400, "invalid_client");
    post_form("/_domain/nowhere/oauth2/token", NULL, body, &r);
    assert_error(&r, 404, "invalid_request");
    tl_app(&b, "{\"PoolName\":\"r\"}", CODE_CLIENT);
    snprintf(body, sizeof(body),
             "grant_type=authorization_code&client_id=%s&code=x&redirect_uri=" CB, b.client);
    post_form("/oauth2/token", NULL, body, &r);
    assert_error(&r, 404, "invalid_request");
}
END_TEST

START_TEST(test_discovery_lists_the_domain_endpoints_only_with_a_domain)
{
    static const char *const with[] = {"authorization_endpoint",
                                       "end_session_endpoint",
                                       "id_token_signing_alg_values_supported",
                                       "issuer",
                                       "jwks_uri",
                                       "response_types_supported",
                                       "revocation_endpoint",
                                       "scopes_supported",
                                       "subject_types_supported",
                                       "token_endpoint",
                                       "token_endpoint_auth_methods_supported",
                                       "userinfo_endpoint"};
    struct tl_app a;
    char path[256], url[640];
    struct tu_http r;
    cJSON *doc, *m;
    size_t i = 0;

    tl_app(&a, "{\"PoolName\":\"p\"}", CODE_CLIENT);
    snprintf(path, sizeof(path), "/%s/.well-known/openid-configuration", a.pool);
    request("GET", path, NULL, NULL, &r);
    doc = json_of(&r);
    tu_http_free(&r);
    ck_assert_int_eq(cJSON_GetArraySize(doc), 7);
    ck_assert_ptr_null(tu_get(doc, "token_endpoint"));
    ck_assert_ptr_null(tu_get(doc, "authorization_endpoint"));
    cJSON_Delete(doc);

    tl_domain(a.pool, DOMAIN, false);
    request("GET", path, NULL, NULL, &r);
    doc = json_of(&r);
    tu_http_free(&r);
    cJSON_ArrayForEach(m, doc)
    {
        ck_assert_uint_lt(i, 12);
        ck_assert_str_eq(m->string, with[i++]);
    }
    ck_assert_uint_eq(i, 12);
    /* The public URL (settings), as discovery's other URLs. */
    snprintf(url, sizeof(url), "%s/_domain/" DOMAIN "/oauth2/token", settings.public_url);
    ck_assert_str_eq(tu_str(doc, "token_endpoint"), url);
    snprintf(url, sizeof(url), "%s/_domain/" DOMAIN "/oauth2/userInfo", settings.public_url);
    ck_assert_str_eq(tu_str(doc, "userinfo_endpoint"), url);
    snprintf(url, sizeof(url), "%s/_domain/" DOMAIN "/oauth2/revoke", settings.public_url);
    ck_assert_str_eq(tu_str(doc, "revocation_endpoint"), url);
    snprintf(url, sizeof(url), "%s/_domain/" DOMAIN "/logout", settings.public_url);
    ck_assert_str_eq(tu_str(doc, "end_session_endpoint"), url);
    snprintf(url, sizeof(url), "%s/_domain/" DOMAIN "/oauth2/authorize", settings.public_url);
    ck_assert_str_eq(tu_str(doc, "authorization_endpoint"), url);
    cJSON_Delete(doc);
}
END_TEST

START_TEST(test_cors_on_the_token_endpoint)
{
    const char *preflight[] = {
        "Origin: http://localhost:3000", "Access-Control-Request-Method: POST",
        "Access-Control-Request-Headers: content-type,x-amz-user-agent", NULL};
    const char *headers[] = {FORM, "Origin: http://localhost:3000", NULL};
    char buf[256];
    struct tu_http r;

    request("OPTIONS", "/_domain/" DOMAIN "/oauth2/token", preflight, NULL, &r);
    ck_assert_int_lt(r.status, 300);
    ck_assert_ptr_nonnull(tu_http_header(&r, "Access-Control-Allow-Origin", buf, sizeof(buf)));
    ck_assert_ptr_nonnull(
        strstr(tu_http_header(&r, "Access-Control-Allow-Methods", buf, sizeof(buf)), "POST"));
    ck_assert_ptr_nonnull(strstr(
        tu_http_header(&r, "Access-Control-Allow-Headers", buf, sizeof(buf)), "x-amz-user-agent"));
    tu_http_free(&r);
    /* An error answer carries the header as well. */
    request("POST", "/oauth2/token", headers, "grant_type=x", &r);
    ck_assert_ptr_nonnull(tu_http_header(&r, "Access-Control-Allow-Origin", buf, sizeof(buf)));
    assert_error(&r, 400, "invalid_client");
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("oauth_token");
    TCase *tc = tcase_create("core");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_code_grant_issues_the_hosted_flows_tokens);
    tcase_add_test(
        tc, test_code_grant_without_openid_has_no_id_token_and_openid_alone_has_every_attribute);
    tcase_add_test(tc, test_code_grant_refusals);
    tcase_add_test(tc, test_code_grant_checks_pkce);
    tcase_add_test(tc, test_client_authentication_basic_or_body);
    tcase_add_test(tc, test_form_and_grant_type_errors);
    tcase_add_test(tc, test_refresh_grant_keeps_scope_and_sign_in);
    tcase_add_test(tc, test_refresh_grant_rotates);
    tcase_add_test(tc, test_client_credentials_grant);
    tcase_add_test(tc, test_pre_token_generation_sources);
    tcase_add_test(tc, test_client_credentials_calls_only_a_v3_trigger);
    tcase_add_test(tc, test_userinfo_claims_by_scope);
    tcase_add_test(tc, test_userinfo_refusals);
    tcase_add_test(tc, test_revoke);
    tcase_add_test(tc, test_endpoints_at_the_root_by_host_and_by_path);
    tcase_add_test(tc, test_discovery_lists_the_domain_endpoints_only_with_a_domain);
    tcase_add_test(tc, test_cors_on_the_token_endpoint);
    suite_add_tcase(s, tc);
    return s;
}
