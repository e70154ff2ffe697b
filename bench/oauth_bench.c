/*
 * oauth_bench: what the OAuth 2.0 endpoints and hosted pages of cognito-emu cost (issue 14,
 * Speed: "Every endpoint but the ones that sign tokens answers in well under a millisecond of
 * server time; a full code + PKCE exchange costs no more than an InitiateAuth").
 *
 *   oauth_bench --bin PATH [--requests N] [--conns 1,8] [--warmup N] [--only SERIES,...]
 *               [--wrap "CMD ARG..."]
 *
 * It starts cognito-emu (PATH --port 0 --bind 127.0.0.1 --db :memory: --log-level warn), makes
 * through the AWS API a user pool with a prefix domain, a resource server, a confidential
 * code-flow client (which also allows USER_PASSWORD_AUTH, for the comparison), a
 * client_credentials client and 16 users, and times, with keep-alive libcurl clients, these
 * series (SERIES names for --only; "signs" marks those that sign tokens):
 *
 *   authorize           GET /oauth2/authorize without a session: the 302 to /login
 *   login-page          GET /login: the sign-in page (the browser has its XSRF-TOKEN cookie)
 *   sso                 GET /oauth2/authorize with a live session cookie: the 302 back to the
 *                       app with a new code (a store write)
 *   login               POST /login: password check, a new hosted session and a code, the 302
 *                       back to the app; no tokens (they come from /oauth2/token)
 *   code         signs  POST /oauth2/token authorization_code with PKCE S256, redeeming a code
 *                       that an untimed sso request made just before
 *   initiate-auth signs InitiateAuth USER_PASSWORD_AUTH of the same client and user (with its
 *                       SECRET_HASH): the comparison, the same tokens by the API
 *   client-credentials signs  POST /oauth2/token client_credentials, one custom scope
 *   refresh      signs  POST /oauth2/token refresh_token
 *   userinfo            GET /oauth2/userInfo with a Bearer access token
 *   discovery           GET /{pool}/.well-known/openid-configuration
 *   jwks                GET /{pool}/.well-known/jwks.json
 *
 * The series are interleaved: every round makes one request of each, in an order that rotates
 * from round to round, so what the rest of a noisy machine does falls on all of them alike.
 * Each connection is a thread with its own keep-alive handle and its own hosted sessions (one
 * per user, from an untimed POST /login before its first round); users take turns round by
 * round. --requests N is the number of timed requests of each series at each concurrency (split
 * over the connections), after --warmup rounds per connection that are not timed (the first
 * sign-in of a user checks its password in full: later ones hit the server's memo). At one
 * connection, the server's CPU time per request and the time its threads waited for a CPU are
 * read around each request from /proc/PID/task/TID/schedstat (ns): unlike latency, CPU time
 * hardly depends on what else runs. Every answer is checked (status, the Location's shape, the
 * cookies and tokens that must be there): any error makes the run INVALID (exit 1).
 *
 * It prints Markdown: every series (latency median, p90, p99; server CPU p50 and p90) and the
 * two claims of the issue, measured. --wrap runs the server under a command (valgrind
 * --tool=callgrind, say); its times are then meaningless. Only loopback.
 */
#define _GNU_SOURCE
#include "bench_common.h"

#include <cJSON.h>
#include <curl/curl.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define PASSWORD "Bench-Passw0rd!"
#define USERS 16 /* confirmed users, taking turns round by round */
#define DOMAIN "oauth-bench"
#define CALLBACK "https://app.example.com/cb"
#define SCOPES "openid email profile"
#define API_SCOPE "https://api.example.com/read"
/* 43 to 128 unreserved characters (RFC 7636 4.1); the same for every code: the server's work
 * does not depend on it */
#define VERIFIER "oauth-bench-pkce-verifier-0123456789-abcdefghijklmnopqrstuvwxyz"
#define STATE "bench-state"

const char bench_name[] = "oauth_bench";

static struct bench_server server;

/* ---- HTTP ------------------------------------------------------------------------------------ */

/* One keep-alive connection, the answer it got last (body, status, Location, cookies set). */
struct conn {
    struct bench_conn http;
    char location[4096];
    char set_session[512], set_xsrf[512]; /* the cognito and XSRF-TOKEN cookies set, or "" */
};

/* Copy the header's value (after "name:" and blanks, up to the line's end or stop) into out. */
static void header_value(const char *line, size_t len, size_t skip, const char *stop, char *out,
                         size_t n)
{
    size_t i = skip, end;

    while (i < len && (line[i] == ' ' || line[i] == '\t'))
        i++;
    end = i;
    while (end < len && line[end] != '\r' && line[end] != '\n' && strchr(stop, line[end]) == NULL)
        end++;
    if (end - i < n)
        snprintf(out, n, "%.*s", (int)(end - i), line + i);
}

static size_t on_header(char *data, size_t size, size_t nmemb, void *arg)
{
    struct conn *c = arg;
    size_t len = size * nmemb;
    static const char loc[] = "location:", cookie[] = "set-cookie:";

    if (len > sizeof(loc) && strncasecmp(data, loc, sizeof(loc) - 1) == 0)
        header_value(data, len, sizeof(loc) - 1, "", c->location, sizeof(c->location));
    else if (len > sizeof(cookie) && strncasecmp(data, cookie, sizeof(cookie) - 1) == 0) {
        char value[512] = "";
        header_value(data, len, sizeof(cookie) - 1, ";", value, sizeof(value));
        if (strncmp(value, "cognito=", 8) == 0)
            snprintf(c->set_session, sizeof(c->set_session), "%s", value + 8);
        else if (strncmp(value, "XSRF-TOKEN=", 11) == 0)
            snprintf(c->set_xsrf, sizeof(c->set_xsrf), "%s", value + 11);
    }
    return len;
}

static void conn_init(struct conn *c)
{
    memset(c, 0, sizeof(*c));
    bench_conn_init(&c->http);
    curl_easy_setopt(c->http.h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c->http.h, CURLOPT_HEADERDATA, c);
}

/* A request's parts: body NULL is a GET; cookie is the Cookie header's value (NULL: none). */
struct req {
    const char *url, *body, *cookie;
    struct curl_slist *headers;
};

static pthread_mutex_t report_mu = PTHREAD_MUTEX_INITIALIZER;
static int reports;

/* Say why answer of c to what was refused (the first 10 times of the run). Returns false. */
static bool refuse(const struct conn *c, const char *what, const char *why)
{
    pthread_mutex_lock(&report_mu);
    if (reports++ < 10)
        fprintf(stderr, "oauth_bench: %s: %s: HTTP %ld, Location %.200s: %.300s\n", what, why,
                c->http.status, c->location[0] ? c->location : "-",
                c->http.body ? c->http.body : "no answer");
    pthread_mutex_unlock(&report_mu);
    return false;
}

/* Make request r on c; true when the answer's status is status. */
static bool perform(struct conn *c, const struct req *r, long status, const char *what)
{
    curl_easy_setopt(c->http.h, CURLOPT_COOKIE, r->cookie);
    c->location[0] = c->set_session[0] = c->set_xsrf[0] = '\0';
    return bench_perform(&c->http, r->url, r->headers, r->body) == status ||
           refuse(c, what, "unexpected status");
}

/* Whether the answer's JSON object (NULL: the top) has every string member of names (NULL
 * ended) and none of absent (NULL ended, may be NULL). */
static bool answer_has(const struct conn *c, const char *object, const char *const *names,
                       const char *const *absent)
{
    cJSON *r = cJSON_Parse(c->http.body ? c->http.body : "");
    const cJSON *o = object ? cJSON_GetObjectItemCaseSensitive(r, object) : r;
    bool ok = cJSON_IsObject(o);

    for (size_t i = 0; ok && names[i] != NULL; i++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, names[i]);
        ok = cJSON_IsString(v) && v->valuestring[0] != '\0';
    }
    for (size_t i = 0; ok && absent != NULL && absent[i] != NULL; i++)
        ok = cJSON_GetObjectItemCaseSensitive(o, absent[i]) == NULL;
    cJSON_Delete(r);
    return ok;
}

/* AWS operation op with JSON body; true on 200. */
static bool call(struct conn *c, const char *op, const char *body)
{
    struct req r = {.url = server.endpoint, .body = body, .headers = bench_op_headers(op)};
    return perform(c, &r, 200, op);
}

/* ---- Encodings ------------------------------------------------------------------------------- */

/* Base64 of data (len bytes) into out (size n); url: the URL alphabet, no padding. */
static void base64(const unsigned char *data, size_t len, bool url, char *out, size_t n)
{
    if (n < 4 * ((len + 2) / 3) + 1)
        bench_die("base64: no room");
    EVP_EncodeBlock((unsigned char *)out, data, (int)len);
    if (!url)
        return;
    for (char *p = out; *p; p++)
        *p = *p == '+' ? '-' : *p == '/' ? '_' : *p;
    out[strcspn(out, "=")] = '\0';
}

/* s, percent-encoded for a query or a form (curl_free it). */
static char *escape(const char *s)
{
    char *e = curl_easy_escape(NULL, s, 0);
    if (e == NULL)
        bench_die("out of memory");
    return e;
}

/* ---- The pool and its clients ---------------------------------------------------------------- */

static struct {
    char pool[64], base[256];      /* base: endpoint + "/_domain/" DOMAIN */
    char web[64], web_secret[128]; /* the code-flow client */
    char m2m[64], m2m_secret[128]; /* the client_credentials client */
    char authorize_query[1024];    /* the authorize parameters, URL-encoded */
    char password[64];             /* PASSWORD, URL-encoded */
    char xsrf[512];                /* an anti-forgery token the server handed out */
    char secret_hash[USERS][64];   /* InitiateAuth's SECRET_HASH of each user */
    char refresh[USERS][2048];     /* a refresh token of each user (from a code exchange) */
    char access[USERS][4096];      /* an access token of each user, scope openid ... */
    struct curl_slist *web_basic, *m2m_basic, *bearer[USERS];
} S;

/* The headers of a token request of client:secret (Basic, RFC 6749 2.3.1). */
static struct curl_slist *basic_headers(const char *client, const char *secret)
{
    char pair[256], b64[400], header[440];
    struct curl_slist *h;

    snprintf(pair, sizeof(pair), "%s:%s", client, secret);
    base64((const unsigned char *)pair, strlen(pair), false, b64, sizeof(b64));
    snprintf(header, sizeof(header), "Authorization: Basic %s", b64);
    h = curl_slist_append(NULL, "Content-Type: application/x-www-form-urlencoded");
    h = curl_slist_append(h, "Expect:");
    return curl_slist_append(h, header);
}

/* SECRET_HASH of user: Base64(HMAC-SHA256(secret, username + client id)). */
static void secret_hash(const char *user, char *out, size_t n)
{
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    char msg[160];

    snprintf(msg, sizeof(msg), "%s%s", user, S.web);
    bench_must(HMAC(EVP_sha256(), S.web_secret, (int)strlen(S.web_secret),
                    (const unsigned char *)msg, strlen(msg), mac, &len) != NULL,
               "HMAC");
    base64(mac, len, false, out, n);
}

/* The authorize parameters: code flow, the callback, the OIDC scopes, PKCE S256. */
static void authorize_query(void)
{
    unsigned char digest[32];
    unsigned int len = 0;
    char challenge[64];
    char *redirect = escape(CALLBACK), *scope = escape(SCOPES), *password = escape(PASSWORD);

    bench_must(EVP_Digest(VERIFIER, strlen(VERIFIER), digest, &len, EVP_sha256(), NULL) == 1,
               "SHA-256");
    base64(digest, len, true, challenge, sizeof(challenge));
    snprintf(S.authorize_query, sizeof(S.authorize_query),
             "response_type=code&client_id=%s&redirect_uri=%s&scope=%s&state=" STATE
             "&code_challenge=%s&code_challenge_method=S256",
             S.web, redirect, scope, challenge);
    snprintf(S.password, sizeof(S.password), "%s", password);
    curl_free(redirect);
    curl_free(scope);
    curl_free(password);
}

static void create_pool(struct conn *c)
{
    char body[2048];

    bench_must(call(c, "CreateUserPool", "{\"PoolName\":\"oauth-bench\"}") &&
                   bench_answer_get(&c->http, "UserPool", "Id", S.pool, sizeof(S.pool)),
               "CreateUserPool");
    snprintf(body, sizeof(body), "{\"UserPoolId\":\"%s\",\"Domain\":\"" DOMAIN "\"}", S.pool);
    bench_must(call(c, "CreateUserPoolDomain", body), "CreateUserPoolDomain");
    snprintf(S.base, sizeof(S.base), "%s/_domain/" DOMAIN, server.endpoint);
    snprintf(body, sizeof(body),
             "{\"UserPoolId\":\"%s\",\"Identifier\":\"https://api.example.com\",\"Name\":\"api\","
             "\"Scopes\":[{\"ScopeName\":\"read\",\"ScopeDescription\":\"read things\"}]}",
             S.pool);
    bench_must(call(c, "CreateResourceServer", body), "CreateResourceServer");
    snprintf(body, sizeof(body),
             "{\"UserPoolId\":\"%s\",\"ClientName\":\"web\",\"GenerateSecret\":true,"
             "\"AllowedOAuthFlowsUserPoolClient\":true,\"AllowedOAuthFlows\":[\"code\"],"
             "\"AllowedOAuthScopes\":[\"openid\",\"email\",\"profile\"],"
             "\"SupportedIdentityProviders\":[\"COGNITO\"],\"CallbackURLs\":[\"" CALLBACK "\"],"
             "\"ExplicitAuthFlows\":[\"ALLOW_USER_PASSWORD_AUTH\",\"ALLOW_REFRESH_TOKEN_AUTH\"]}",
             S.pool);
    bench_must(call(c, "CreateUserPoolClient", body) &&
                   bench_answer_get(&c->http, "UserPoolClient", "ClientId", S.web, sizeof(S.web)) &&
                   bench_answer_get(&c->http, "UserPoolClient", "ClientSecret", S.web_secret,
                                    sizeof(S.web_secret)),
               "CreateUserPoolClient (web)");
    snprintf(body, sizeof(body),
             "{\"UserPoolId\":\"%s\",\"ClientName\":\"m2m\",\"GenerateSecret\":true,"
             "\"AllowedOAuthFlowsUserPoolClient\":true,\"AllowedOAuthFlows\":"
             "[\"client_credentials\"],\"AllowedOAuthScopes\":[\"" API_SCOPE "\"]}",
             S.pool);
    bench_must(call(c, "CreateUserPoolClient", body) &&
                   bench_answer_get(&c->http, "UserPoolClient", "ClientId", S.m2m, sizeof(S.m2m)) &&
                   bench_answer_get(&c->http, "UserPoolClient", "ClientSecret", S.m2m_secret,
                                    sizeof(S.m2m_secret)),
               "CreateUserPoolClient (m2m)");
    S.web_basic = basic_headers(S.web, S.web_secret);
    S.m2m_basic = basic_headers(S.m2m, S.m2m_secret);
    authorize_query();
}

static void create_users(struct conn *c)
{
    char body[1024], user[32];

    for (int i = 0; i < USERS; i++) {
        snprintf(user, sizeof(user), "u-%d", i);
        snprintf(body, sizeof(body),
                 "{\"UserPoolId\":\"%s\",\"Username\":\"%s\",\"MessageAction\":\"SUPPRESS\","
                 "\"UserAttributes\":[{\"Name\":\"email\",\"Value\":\"%s@example.com\"},"
                 "{\"Name\":\"email_verified\",\"Value\":\"true\"},{\"Name\":\"name\","
                 "\"Value\":\"Benchmark User %d\"}]}",
                 S.pool, user, user, i);
        bench_must(call(c, "AdminCreateUser", body), "AdminCreateUser");
        snprintf(body, sizeof(body),
                 "{\"UserPoolId\":\"%s\",\"Username\":\"%s\",\"Password\":\"" PASSWORD
                 "\",\"Permanent\":true}",
                 S.pool, user);
        bench_must(call(c, "AdminSetUserPassword", body), "AdminSetUserPassword");
        secret_hash(user, S.secret_hash[i], sizeof(S.secret_hash[i]));
    }
}

/* ---- The steps (each one request, its answer checked) ---------------------------------------- */

/* A code in the Location of a 302 back to the app (CALLBACK?code=...&state=STATE) into out. */
static bool app_code(const struct conn *c, char *out, size_t n, const char *what)
{
    static const char prefix[] = CALLBACK "?code=";
    const char *code = c->location + sizeof(prefix) - 1;
    size_t len = strcspn(code, "&");

    if (strncmp(c->location, prefix, sizeof(prefix) - 1) != 0 || len == 0 || len >= n ||
        strcmp(code + len, "&state=" STATE) != 0)
        return refuse(c, what, "not a 302 to the app with a code and the state");
    snprintf(out, n, "%.*s", (int)len, code);
    return true;
}

/* GET /oauth2/authorize without a session: a 302 to the domain's /login, same parameters. */
static bool step_authorize(struct conn *c)
{
    char url[1536], want[1536];
    struct req r = {.url = url};

    snprintf(url, sizeof(url), "%s/oauth2/authorize?%s", S.base, S.authorize_query);
    snprintf(want, sizeof(want), "%s/login?", S.base);
    if (!perform(c, &r, 302, "GET /oauth2/authorize"))
        return false;
    if (strncmp(c->location, want, strlen(want)) != 0 || strstr(c->location, S.web) == NULL ||
        strstr(c->location, "code_challenge=") == NULL)
        return refuse(c, "GET /oauth2/authorize", "not a 302 to /login with the parameters");
    return true;
}

/* GET /oauth2/authorize with session cookie session: a 302 to the app with a code (into out). */
static bool step_sso(struct conn *c, const char *session, char *code, size_t n)
{
    char url[1536], cookie[300];
    struct req r = {.url = url, .cookie = cookie};

    snprintf(url, sizeof(url), "%s/oauth2/authorize?%s", S.base, S.authorize_query);
    snprintf(cookie, sizeof(cookie), "cognito=%s", session);
    return perform(c, &r, 302, "GET /oauth2/authorize (session)") &&
           app_code(c, code, n, "GET /oauth2/authorize (session)");
}

/* GET /login, with the XSRF-TOKEN cookie of an earlier visit: the form, with that token. */
static bool step_login_page(struct conn *c)
{
    char url[1536], cookie[600], field[600];
    struct req r = {.url = url, .cookie = S.xsrf[0] ? cookie : NULL};

    snprintf(url, sizeof(url), "%s/login?%s", S.base, S.authorize_query);
    snprintf(cookie, sizeof(cookie), "XSRF-TOKEN=%s", S.xsrf);
    if (!perform(c, &r, 200, "GET /login"))
        return false;
    if (S.xsrf[0] == '\0') /* the first visit, in the setup: the token to use from now on */
        snprintf(S.xsrf, sizeof(S.xsrf), "%s", c->set_xsrf);
    snprintf(field, sizeof(field), "name=\"_csrf\" value=\"%s\"", S.xsrf);
    if (S.xsrf[0] == '\0' || strstr(c->http.body, field) == NULL ||
        strstr(c->http.body, "name=\"password\"") == NULL ||
        strstr(c->http.body, "cognitoSignInForm") == NULL)
        return refuse(c, "GET /login", "not the sign-in form with its anti-forgery token");
    return true;
}

/* POST /login as user u: a 302 to the app with a code, and the session cookie (into session). */
static bool step_login(struct conn *c, int u, char *session, size_t n)
{
    char url[512], cookie[600], body[2048], code[256];
    struct req r = {.url = url, .body = body, .cookie = cookie};

    snprintf(url, sizeof(url), "%s/login", S.base);
    snprintf(cookie, sizeof(cookie), "XSRF-TOKEN=%s", S.xsrf);
    snprintf(body, sizeof(body), "%s&_csrf=%s&username=u-%d&password=%s", S.authorize_query, S.xsrf,
             u, S.password);
    if (!perform(c, &r, 302, "POST /login") || !app_code(c, code, sizeof(code), "POST /login"))
        return false;
    if (c->set_session[0] == '\0' || strlen(c->set_session) >= n)
        return refuse(c, "POST /login", "no session cookie");
    snprintf(session, n, "%s", c->set_session);
    return true;
}

/* POST /oauth2/token authorization_code with the PKCE verifier: every token of user u. */
static bool step_code(struct conn *c, const char *code, int u, bool keep)
{
    static const char *const tokens[] = {"access_token", "id_token", "refresh_token", "token_type",
                                         NULL};
    char url[512], body[1024], *redirect = escape(CALLBACK);
    struct req r = {.url = url, .body = body, .headers = S.web_basic};
    bool ok;

    snprintf(url, sizeof(url), "%s/oauth2/token", S.base);
    snprintf(body, sizeof(body),
             "grant_type=authorization_code&code=%s&redirect_uri=%s&code_verifier=" VERIFIER, code,
             redirect);
    curl_free(redirect);
    ok = perform(c, &r, 200, "POST /oauth2/token (code)") &&
         (answer_has(c, NULL, tokens, NULL) ||
          refuse(c, "POST /oauth2/token (code)", "not every token"));
    if (ok && keep)
        ok =
            bench_answer_get(&c->http, NULL, "refresh_token", S.refresh[u], sizeof(S.refresh[u])) &&
            bench_answer_get(&c->http, NULL, "access_token", S.access[u], sizeof(S.access[u]));
    return ok;
}

/* InitiateAuth USER_PASSWORD_AUTH of user u with the code-flow client: every token. */
static bool step_initiate_auth(struct conn *c, int u)
{
    static const char *const tokens[] = {"AccessToken", "IdToken", "RefreshToken", NULL};
    char body[512];

    snprintf(body, sizeof(body),
             "{\"AuthFlow\":\"USER_PASSWORD_AUTH\",\"ClientId\":\"%s\",\"AuthParameters\":"
             "{\"USERNAME\":\"u-%d\",\"PASSWORD\":\"" PASSWORD "\",\"SECRET_HASH\":\"%s\"}}",
             S.web, u, S.secret_hash[u]);
    return call(c, "InitiateAuth", body) && (answer_has(c, "AuthenticationResult", tokens, NULL) ||
                                             refuse(c, "InitiateAuth", "not every token"));
}

/* POST /oauth2/token client_credentials: an access token, and neither an ID nor a refresh one. */
static bool step_client_credentials(struct conn *c)
{
    static const char *const tokens[] = {"access_token", "token_type", NULL};
    static const char *const absent[] = {"id_token", "refresh_token", NULL};
    char url[512];
    struct req r = {.url = url,
                    .body =
                        "grant_type=client_credentials&scope=https%3A%2F%2Fapi.example.com%2Fread",
                    .headers = S.m2m_basic};

    snprintf(url, sizeof(url), "%s/oauth2/token", S.base);
    return perform(c, &r, 200, "POST /oauth2/token (client_credentials)") &&
           (answer_has(c, NULL, tokens, absent) ||
            refuse(c, "POST /oauth2/token (client_credentials)", "not the access token alone"));
}

/* POST /oauth2/token refresh_token of user u: new access and ID tokens. */
static bool step_refresh(struct conn *c, int u)
{
    static const char *const tokens[] = {"access_token", "id_token", "token_type", NULL};
    char url[512], body[2200];
    struct req r = {.url = url, .body = body, .headers = S.web_basic};

    snprintf(url, sizeof(url), "%s/oauth2/token", S.base);
    snprintf(body, sizeof(body), "grant_type=refresh_token&refresh_token=%s", S.refresh[u]);
    return perform(c, &r, 200, "POST /oauth2/token (refresh_token)") &&
           (answer_has(c, NULL, tokens, NULL) ||
            refuse(c, "POST /oauth2/token (refresh_token)", "not the access and ID tokens"));
}

/* GET /oauth2/userInfo with user u's access token: its sub, username and email. */
static bool step_userinfo(struct conn *c, int u)
{
    static const char *const claims[] = {"sub", "username", "email", NULL};
    char url[512], email[64], want[64];
    struct req r = {.url = url, .headers = S.bearer[u]};

    snprintf(url, sizeof(url), "%s/oauth2/userInfo", S.base);
    snprintf(want, sizeof(want), "u-%d@example.com", u);
    return perform(c, &r, 200, "GET /oauth2/userInfo") &&
           ((answer_has(c, NULL, claims, NULL) &&
             bench_answer_get(&c->http, NULL, "email", email, sizeof(email)) &&
             strcmp(email, want) == 0) ||
            refuse(c, "GET /oauth2/userInfo", "not the user's claims"));
}

/* GET /{pool}/.well-known/openid-configuration: the endpoints of the pool's domain. */
static bool step_discovery(struct conn *c)
{
    static const char *const members[] = {"issuer",         "authorization_endpoint",
                                          "token_endpoint", "userinfo_endpoint",
                                          "jwks_uri",       NULL};
    char url[512];
    struct req r = {.url = url};

    snprintf(url, sizeof(url), "%s/%s/.well-known/openid-configuration", server.endpoint, S.pool);
    return perform(c, &r, 200, "GET openid-configuration") &&
           ((answer_has(c, NULL, members, NULL) && strstr(c->http.body, S.pool) != NULL) ||
            refuse(c, "GET openid-configuration", "not the pool's configuration"));
}

/* GET /{pool}/.well-known/jwks.json: at least one RSA key. */
static bool step_jwks(struct conn *c)
{
    char url[512];
    struct req r = {.url = url};

    snprintf(url, sizeof(url), "%s/%s/.well-known/jwks.json", server.endpoint, S.pool);
    return perform(c, &r, 200, "GET jwks.json") &&
           (strstr(c->http.body, "\"keys\"") != NULL && strstr(c->http.body, "\"RSA\"") != NULL
                ? true
                : refuse(c, "GET jwks.json", "no RSA key"));
}

/*
 * The tokens every user gets by the hosted sign-in: a refresh token and an access token with
 * scope openid (for refresh and userinfo). The sign-in also makes the signing keys and the
 * first anti-forgery token before anything is timed.
 */
static void first_sign_ins(struct conn *c)
{
    char session[256], code[256], header[4200];

    bench_must(step_jwks(c), "GET jwks.json");
    bench_must(step_login_page(c), "GET /login");
    for (int u = 0; u < USERS; u++) {
        bench_must(step_login(c, u, session, sizeof(session)), "POST /login");
        bench_must(step_sso(c, session, code, sizeof(code)), "GET /oauth2/authorize (session)");
        bench_must(step_code(c, code, u, true), "POST /oauth2/token (code)");
        snprintf(header, sizeof(header), "Authorization: Bearer %s", S.access[u]);
        S.bearer[u] = curl_slist_append(NULL, header);
    }
}

/* ---- Series ---------------------------------------------------------------------------------- */

enum kind {
    K_AUTHORIZE,
    K_LOGIN_PAGE,
    K_SSO,
    K_LOGIN,
    K_CODE,
    K_INITIATE,
    K_CC,
    K_REFRESH,
    K_USERINFO,
    K_DISCOVERY,
    K_JWKS
};

static const struct series {
    const char *id, *endpoint, *what;
    const char *signs; /* what it signs; NULL: nothing */
    enum kind kind;
} SERIES[] = {
    {"authorize", "GET /oauth2/authorize", "no session: the 302 to /login", NULL, K_AUTHORIZE},
    {"login-page", "GET /login", "the sign-in page", NULL, K_LOGIN_PAGE},
    {"sso", "GET /oauth2/authorize", "live session cookie: the 302 with a new code (a store write)",
     NULL, K_SSO},
    {"login", "POST /login", "password check, new session and code, the 302 to the app (no tokens)",
     NULL, K_LOGIN},
    {"code", "POST /oauth2/token", "authorization_code + PKCE S256 (the code of an untimed sso)",
     "access + ID (refresh token stored)", K_CODE},
    {"initiate-auth", "InitiateAuth", "USER_PASSWORD_AUTH, same client and user (SECRET_HASH)",
     "access + ID (refresh token stored)", K_INITIATE},
    {"client-credentials", "POST /oauth2/token", "client_credentials, one custom scope", "access",
     K_CC},
    {"refresh", "POST /oauth2/token", "refresh_token", "access + ID", K_REFRESH},
    {"userinfo", "GET /oauth2/userInfo", "Bearer access token (its signature verified)", NULL,
     K_USERINFO},
    {"discovery", "GET /{pool}/.well-known/openid-configuration", "", NULL, K_DISCOVERY},
    {"jwks", "GET /{pool}/.well-known/jwks.json", "", NULL, K_JWKS},
};
#define NSERIES (sizeof(SERIES) / sizeof(SERIES[0]))

static bool selected[NSERIES];

static int series_index(const char *id)
{
    return bench_series_index(SERIES, NSERIES, sizeof(SERIES[0]), id);
}

/* A connection's state in a phase: its keep-alive handle and its users' hosted sessions. */
struct worker {
    struct conn c;
    char session[USERS][256]; /* a live hosted session of each user */
};

/* A connection with every user's hosted session on it (untimed); NULL when a sign-in failed. */
static void *worker_open(const struct bench_phase *ph, int id)
{
    struct worker *w = malloc(sizeof(*w));
    bool ready = true;

    (void)ph, (void)id;
    if (w == NULL)
        bench_die("out of memory");
    conn_init(&w->c);
    for (int u = 0; u < USERS; u++)
        ready = ready && step_login(&w->c, u, w->session[u], sizeof(w->session[u]));
    if (ready)
        return w;
    bench_conn_free(&w->c.http);
    free(w);
    return NULL;
}

static void worker_close(void *state)
{
    struct worker *w = state;

    bench_conn_free(&w->c.http);
    free(w);
}

/* The timed request of series s for user u; code is the one an untimed sso made (K_CODE). */
static bool run_step(struct worker *w, struct conn *c, enum kind k, int u, const char *code)
{
    char out[256];

    switch (k) {
    case K_AUTHORIZE:
        return step_authorize(c);
    case K_LOGIN_PAGE:
        return step_login_page(c);
    case K_SSO:
        return step_sso(c, w->session[u], out, sizeof(out));
    case K_LOGIN:
        return step_login(c, u, out, sizeof(out));
    case K_CODE:
        return step_code(c, code, u, false);
    case K_INITIATE:
        return step_initiate_auth(c, u);
    case K_CC:
        return step_client_credentials(c);
    case K_REFRESH:
        return step_refresh(c, u);
    case K_USERINFO:
        return step_userinfo(c, u);
    case K_DISCOVERY:
        return step_discovery(c);
    case K_JWKS:
        return step_jwks(c);
    }
    return false;
}

/* One request of series s in round r of connection id; out (NULL: untimed) gets its measures. */
static bool run_one(void *state, const struct bench_phase *ph, int id, size_t s, int r,
                    struct bench_sample *out)
{
    struct worker *w = state;
    struct conn *c = &w->c;
    enum kind k = SERIES[s].kind;
    int u = ((r + id) % USERS + USERS) % USERS;
    bool sched = out != NULL && ph->nconns == 1;
    struct bench_mark mark;
    char code[256] = "";
    bool ok;

    if (k == K_CODE && !step_sso(c, w->session[u], code, sizeof(code))) /* untimed */
        return false;
    bench_mark_begin(&mark, sched ? server.pid : 0);
    ok = run_step(w, c, k, u, code);
    if (out != NULL)
        *out = bench_mark_end(&mark, ok);
    return ok;
}

/* ---- Main ------------------------------------------------------------------------------------ */

static void usage(void)
{
    fprintf(stderr, "usage: oauth_bench --bin PATH [--requests N] [--conns 1,8] [--warmup N] "
                    "[--only SERIES,...] [--wrap \"CMD ARG...\"]\n");
    exit(2);
}

static void print_table(int nconns, const struct bench_stats *st)
{
    for (size_t s = 0; s < NSERIES; s++) {
        char p50[32], p90[32], wait[32];
        if (!selected[s])
            continue;
        printf("| %d | %s | %s%s%s | %s | %zu | %.3f | %.3f | %.3f | %s | %s | %s | %ld |\n",
               nconns, SERIES[s].id, SERIES[s].endpoint, SERIES[s].what[0] ? ": " : "",
               SERIES[s].what, SERIES[s].signs ? SERIES[s].signs : "no", st[s].n, st[s].p50,
               st[s].p90, st[s].p99, bench_us_as_ms(st[s].cpu_p50, p50, sizeof(p50)),
               bench_us_as_ms(st[s].cpu_p90, p90, sizeof(p90)),
               bench_us_as_ms(st[s].wait_mean, wait, sizeof(wait)), st[s].errors);
    }
}

/*
 * The verdict on a ratio of CPU medians that should be at most 1. Between runs on a busy
 * 2-core machine these medians move by a few per cent, so a ratio up to 1.05 is reported as a
 * tie rather than a miss.
 */
static const char *verdict(double ratio)
{
    return ratio <= 1.0    ? "no more (met)"
           : ratio <= 1.05 ? "as much, within the 5% noise of these medians (met)"
                           : "more (missed)";
}

/* The two claims, from the one-connection phase st (where the server CPU is known). */
static void print_claims(const struct bench_stats *st)
{
    int code = series_index("code"), ia = series_index("initiate-auth");
    double worst = -1, worst90 = -1;
    const char *worst_id = NULL;

    printf("\n");
    if (selected[code] && selected[ia] && st[code].cpu_p50 >= 0 && st[ia].cpu_p50 >= 0)
        printf("- **code + PKCE exchange vs InitiateAuth** (both sign an access and an ID token "
               "and store a refresh token): server CPU p50 %.3f ms vs %.3f ms (%.0f%%), latency "
               "p50 %.3f ms vs %.3f ms: the exchange costs %s\n",
               st[code].cpu_p50 / 1e3, st[ia].cpu_p50 / 1e3,
               100.0 * st[code].cpu_p50 / st[ia].cpu_p50, st[code].p50, st[ia].p50,
               verdict(st[code].cpu_p50 / st[ia].cpu_p50));
    for (size_t s = 0; s < NSERIES; s++)
        if (selected[s] && SERIES[s].signs == NULL && st[s].cpu_p50 >= 0) {
            if (st[s].cpu_p50 > worst) {
                worst = st[s].cpu_p50;
                worst_id = SERIES[s].id;
            }
            if (st[s].cpu_p90 > worst90)
                worst90 = st[s].cpu_p90;
        }
    if (worst_id != NULL)
        printf("- **non-signing endpoints: server CPU < 1 ms**: the highest p50 is %s's, %.3f ms "
               "(the highest p90 of them %.3f ms): %s\n",
               worst_id, worst / 1e3, worst90 / 1e3, worst < 1000 ? "met" : "missed");
}

int main(int argc, char **argv)
{
    const struct bench_runner runner = {NSERIES, selected, worker_open, run_one, worker_close};
    struct bench_options o = {.requests = 2000, .warmup = 20, .conns_list = "1,8"};
    long errors = 0;
    static struct bench_stats st[8][NSERIES];
    const char *args[] = {"--port",   "0",           "--bind", "127.0.0.1", "--db",
                          ":memory:", "--log-level", "warn",   NULL};
    struct conn c;

    if (!bench_options_parse(&o, argc, argv, NULL))
        usage();
    for (size_t s = 0; s < NSERIES; s++)
        selected[s] = o.only == NULL;
    if (o.only != NULL && !bench_select(o.only, series_index, selected))
        usage();
    curl_global_init(CURL_GLOBAL_DEFAULT);
    signal(SIGPIPE, SIG_IGN);

    if (!bench_server_start(&server, o.wrap, o.bin, args))
        return 1;
    conn_init(&c);
    create_pool(&c);
    create_users(&c);
    first_sign_ins(&c);
    bench_conn_free(&c.http);

    printf("| conns | series | endpoint | signs tokens | requests | p50 ms | p90 ms | p99 ms | "
           "server CPU per request, p50 ms | server CPU, p90 ms | server waiting for a CPU, "
           "mean ms | errors |\n"
           "|---:|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (int i = 0; i < o.nconns; i++) {
        int n = o.conns[i];
        bench_phase_run(&runner, n, o.requests, o.warmup, st[i]);
        print_table(n, st[i]);
        for (size_t s = 0; s < NSERIES; s++)
            errors += selected[s] ? st[i][s].errors : 0;
        fflush(stdout);
    }
    for (int i = 0; i < o.nconns; i++)
        if (o.conns[i] == 1)
            print_claims(st[i]);
    bench_server_stop(&server);
    if (errors > 0) {
        fprintf(stderr, "oauth_bench: INVALID run: %ld errors\n", errors);
        return 1;
    }
    return 0;
}
