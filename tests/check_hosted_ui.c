/*
 * check_hosted_ui: the hosted sign-in (oauth/oauth_authorize.c, oauth/hosted*.c) through the
 * real server on port 0, as a browser without JavaScript walks it: /oauth2/authorize, the
 * sign-in page, its POST with the anti-forgery cookie and field, the redirect with a code
 * (redeemed here with oauth_code_redeem to see what it is bound to), single sign-on with the
 * session cookie, prompt=login/none, /logout, every error path of sections 2.2 and 2.4 of
 * ../shared/oauth2-hosted-ui.md, escaping of hostile input, and the three ways a request
 * names its domain (path, Host, root).
 *
 * The database is a file, so that the test can write what has no operation yet (the domain
 * document) and redeem codes beside the server.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "oauth/oauth.h"
#include "server.h"
#include "store/store.h"
#include "util/clock.h"
#include "crypto/jwt.h"
#include "testutil.h"

#define CALLBACK "http://localhost:3000/cb"
#define LOGOUT_URL "http://localhost:3000/bye"
#define PASSWORD "Passw0rd!Passw0rd"
/* A well-formed S256 challenge (RFC 7636 appendix B). */
#define CHALLENGE "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"

static struct settings settings;
static struct server *srv;
static struct store *store;
static char db_path[64];
static char root[64];  /* http://127.0.0.1:<port> */
static char site[128]; /* root + /_domain/my-app */
static char pool[96];
static char client[64];

/* One AWS call over HTTP; the response object (caller deletes). */
static cJSON *aws(const char *op, const char *fmt, ...)
{
    char body[2048], target[128], url[80];
    struct tu_http r;
    va_list ap;
    cJSON *json;

    va_start(ap, fmt);
    vsnprintf(body, sizeof(body), fmt, ap);
    va_end(ap);
    snprintf(target, sizeof(target), IDP "%s", op);
    snprintf(url, sizeof(url), "%s/", root);
    tu_http_aws(url, target, body, &r);
    json = cJSON_Parse(r.body);
    ck_assert_msg(r.status == 200, "%s: %ld %s", op, r.status, r.body);
    tu_http_free(&r);
    return json;
}

/* A client of pool with the OAuth settings extra (JSON members); its id into out. */
static void make_client(const char *extra, char *out, size_t n)
{
    cJSON *resp = aws("CreateUserPoolClient",
                      "{\"UserPoolId\":\"%s\",\"ClientName\":\"Demo app\","
                      "\"AllowedOAuthFlowsUserPoolClient\":true,%s}",
                      pool, extra);

    snprintf(out, n, "%s", tu_str(tu_get(resp, "UserPoolClient"), "ClientId"));
    cJSON_Delete(resp);
}

/* The client most tests use: code flow, openid and email, one callback and logout URL. */
#define STANDARD_CLIENT                                                                            \
    "\"AllowedOAuthFlows\":[\"code\"],\"AllowedOAuthScopes\":[\"openid\",\"email\"],"              \
    "\"CallbackURLs\":[\"" CALLBACK "\"],\"LogoutURLs\":[\"" LOGOUT_URL "\"],"                     \
    "\"SupportedIdentityProviders\":[\"COGNITO\"]"

/* A CONFIRMED user with PASSWORD (permanent: false leaves it FORCE_CHANGE_PASSWORD). */
static void make_user(const char *username, bool permanent)
{
    cJSON_Delete(aws("AdminCreateUser",
                     "{\"UserPoolId\":\"%s\",\"Username\":\"%s\",\"MessageAction\":\"SUPPRESS\","
                     "\"TemporaryPassword\":\"" PASSWORD "\"}",
                     pool, username));
    if (permanent)
        cJSON_Delete(aws("AdminSetUserPassword",
                         "{\"UserPoolId\":\"%s\",\"Username\":\"%s\",\"Password\":\"" PASSWORD
                         "\",\"Permanent\":true}",
                         pool, username));
}

static void add_domain(const char *domain)
{
    struct store_conn *conn = store_acquire(store);
    char doc[512];

    snprintf(doc, sizeof(doc),
             "{\"UserPoolId\":\"%s\",\"Domain\":\"%s\",\"CustomDomainConfig\":{}}", pool, domain);
    ck_assert_int_eq(store_doc_insert(conn, STORE_USER_POOL_DOMAIN, domain, pool, doc), STORE_OK);
    store_release(store, conn);
}

static void setup(void)
{
    char *argv[] = {(char *)"cognito-emu", (char *)"--db",        db_path,         (char *)"--port",
                    (char *)"0",           (char *)"--log-level", (char *)"error", NULL};
    cJSON *resp;
    int fd;

    snprintf(db_path, sizeof(db_path), "/tmp/check_hosted_ui.XXXXXX");
    fd = mkstemp(db_path);
    ck_assert_int_ge(fd, 0);
    close(fd);
    ck_assert_int_eq(settings_parse(&settings, 7, argv), SETTINGS_RUN);
    ck_assert_int_eq(server_start(&settings, &srv), 0);
    ck_assert_int_eq(store_open(db_path, 1, &store), STORE_OK);
    snprintf(root, sizeof(root), "http://127.0.0.1:%d", server_port(srv));
    snprintf(site, sizeof(site), "%s/_domain/my-app", root);
    resp = aws("CreateUserPool", "{\"PoolName\":\"hosted\"}");
    snprintf(pool, sizeof(pool), "%s", tu_str(tu_get(resp, "UserPool"), "Id"));
    cJSON_Delete(resp);
    make_client(STANDARD_CLIENT, client, sizeof(client));
    make_user("alice", true);
    add_domain("my-app");
}

static void teardown(void)
{
    clock_set_offset_ms(0);
    store_close(store);
    server_stop(srv);
    unlink(db_path);
    for (int i = 0; i < 2; i++) {
        char path[80];
        snprintf(path, sizeof(path), "%s%s", db_path, i == 0 ? "-wal" : "-shm");
        unlink(path);
    }
}

/* ---- HTTP ------------------------------------------------------------------------------------ */

/* A browser's cookie jar: "name=value; ..." as one Cookie header. */
struct jar {
    char names[8][32];
    char values[8][160];
    int n;
};

/* Keep the Set-Cookie headers of r in j (a Max-Age=0 one deletes). */
static void jar_take(struct jar *j, const struct tu_http *r)
{
    for (const char *p = r->headers; (p = strstr(p, "\nSet-Cookie: ")) != NULL;) {
        char name[32], value[160];
        int i;
        p += strlen("\nSet-Cookie: ");
        if (sscanf(p, "%31[^=]=%159[^;\r\n]", name, value) < 1)
            continue;
        if (p[strlen(name) + 1] == ';')
            value[0] = '\0';
        for (i = 0; i < j->n && strcmp(j->names[i], name) != 0; i++)
            ;
        if (i == j->n && j->n < 8)
            j->n++;
        snprintf(j->names[i], sizeof(j->names[i]), "%s", name);
        snprintf(j->values[i], sizeof(j->values[i]), "%s",
                 strstr(p, "Max-Age=0") != NULL && strstr(p, "Max-Age=0") < strchr(p, '\n')
                     ? ""
                     : value);
    }
}

static const char *jar_get(const struct jar *j, const char *name)
{
    for (int i = 0; i < j->n; i++)
        if (strcmp(j->names[i], name) == 0 && j->values[i][0] != '\0')
            return j->values[i];
    return NULL;
}

/* method url with the jar's cookies (j may be NULL), a form body (may be NULL) and an extra
 * header (may be NULL); the jar takes the answer's cookies. */
static void browse(const char *method, const char *url, struct jar *j, const char *form,
                   const char *extra, struct tu_http *r)
{
    char cookie[1024] = "Cookie: ";
    const char *headers[4] = {0};
    int n = 0;

    for (int i = 0; j != NULL && i < j->n; i++)
        if (j->values[i][0] != '\0')
            snprintf(cookie + strlen(cookie), sizeof(cookie) - strlen(cookie), "%s%s=%s",
                     strlen(cookie) > 8 ? "; " : "", j->names[i], j->values[i]);
    if (strlen(cookie) > 8)
        headers[n++] = cookie;
    if (form != NULL)
        headers[n++] = "Content-Type: application/x-www-form-urlencoded";
    if (extra != NULL)
        headers[n++] = extra;
    tu_http_request(method, url, headers, form, form ? strlen(form) : 0, r);
    if (j != NULL)
        jar_take(j, r);
}

/* The Location of a 302 into out; fails unless r is one. */
static const char *location(const struct tu_http *r, char *out, size_t n)
{
    ck_assert_msg(r->status == 302, "%ld %s", r->status, r->body);
    ck_assert_ptr_nonnull(tu_http_header(r, "Location", out, n));
    return out;
}

/* The percent-decoded value of parameter name in url's query or fragment into out, or NULL. */
static const char *url_param(const char *url, const char *name, char *out, size_t n)
{
    char key[64];
    const char *p = url;
    size_t k = 0;

    snprintf(key, sizeof(key), "%s=", name);
    while ((p = strstr(p, key)) != NULL && p != url && p[-1] != '?' && p[-1] != '&' && p[-1] != '#')
        p++;
    if (p == NULL)
        return NULL;
    for (p += strlen(key); *p != '\0' && *p != '&' && k + 1 < n; p++) {
        unsigned int c;
        if (*p == '%' && sscanf(p + 1, "%2x", &c) == 1) {
            out[k++] = (char)c;
            p += 2;
        } else {
            out[k++] = *p == '+' ? ' ' : *p;
        }
    }
    out[k] = '\0';
    return out;
}

/* The value="..." of the hidden input name in page html into out. */
static const char *hidden_value(const char *html, const char *name, char *out, size_t n)
{
    char key[96];
    const char *p;

    snprintf(key, sizeof(key), "name=\"%s\" value=\"", name);
    p = strstr(html, key);
    ck_assert_msg(p != NULL, "no field %s in %s", name, html);
    p += strlen(key);
    snprintf(out, n, "%.*s", (int)strcspn(p, "\""), p);
    return out;
}

/* An authorize URL at base with the standard parameters and extra ("&a=b" or ""). */
static void authorize_url(char *out, size_t n, const char *base, const char *extra)
{
    snprintf(out, n,
             "%s/oauth2/authorize?response_type=code&client_id=%s&redirect_uri=%s"
             "&state=st%%20ate&scope=openid&nonce=n-1%s",
             base, client, CALLBACK, extra);
}

/* Percent-encode s into out (a form value). */
static void form_encode(const char *s, char *out, size_t n)
{
    size_t k = 0;

    for (; *s != '\0' && k + 4 < n; s++) {
        if ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
            *s == '-' || *s == '_' || *s == '.')
            out[k++] = *s;
        else
            k += (size_t)snprintf(out + k, n - k, "%%%02X", (unsigned char)*s);
    }
    out[k] = '\0';
}

/*
 * Open the sign-in page of a standard request at base (extra authorize parameters) in jar
 * and post username/password; r is the POST's answer.
 */
static void sign_in_at(const char *base, struct jar *j, const char *extra, const char *username,
                       const char *password, struct tu_http *r)
{
    char url[1024], login[1024], csrf[128], form[2048], user_enc[256];
    struct tu_http page;

    authorize_url(url, sizeof(url), base, extra);
    browse("GET", url, j, NULL, NULL, &page);
    location(&page, login, sizeof(login));
    tu_http_free(&page);
    browse("GET", login, j, NULL, NULL, &page);
    ck_assert_msg(page.status == 200, "%ld %s", page.status, page.body);
    hidden_value(page.body, "_csrf", csrf, sizeof(csrf));
    ck_assert_str_eq(jar_get(j, "XSRF-TOKEN"), csrf);
    tu_http_free(&page);
    form_encode(username, user_enc, sizeof(user_enc));
    snprintf(form, sizeof(form),
             "_csrf=%s&response_type=code&client_id=%s&redirect_uri=%s&state=st%%20ate"
             "&scope=openid&nonce=n-1%s&username=%s&password=%s&signInSubmitButton=Sign+in",
             csrf, client, CALLBACK, extra, user_enc, password);
    snprintf(login, sizeof(login), "%s/login", base);
    browse("POST", login, j, form, NULL, r);
}

/* Redeem the code in callback URL url; fails unless it is one. */
static struct oauth_grant *redeem(const char *url)
{
    char code[128];
    struct oauth_grant *g = NULL;
    struct store_conn *conn = store_acquire(store);

    ck_assert_msg(strncmp(url, CALLBACK "?", strlen(CALLBACK) + 1) == 0, "%s", url);
    ck_assert_ptr_nonnull(url_param(url, "code", code, sizeof(code)));
    ck_assert_int_eq(oauth_code_redeem(conn, code, clock_now_ms(), &g), STORE_OK);
    store_release(store, conn);
    return g;
}

/* The callback r redirects to must carry error (and state "st ate"). */
static void assert_app_error(const struct tu_http *r, const char *error)
{
    char loc[2048], v[256];

    location(r, loc, sizeof(loc));
    ck_assert_msg(strncmp(loc, CALLBACK "?", strlen(CALLBACK) + 1) == 0, "%s", loc);
    ck_assert_str_eq(url_param(loc, "error", v, sizeof(v)), error);
    ck_assert_str_eq(url_param(loc, "state", v, sizeof(v)), "st ate");
    ck_assert_ptr_null(url_param(loc, "code", v, sizeof(v)));
}

/* ---- The sign-in ----------------------------------------------------------------------------- */

START_TEST(test_hosted_sign_in_redirects_with_a_code_bound_to_the_request)
{
    struct jar j = {0};
    struct tu_http r;
    char loc[2048], v[256];
    struct oauth_grant *g;

    sign_in_at(site, &j, "&code_challenge=" CHALLENGE "&code_challenge_method=S256", "alice",
               PASSWORD, &r);
    location(&r, loc, sizeof(loc));
    ck_assert_str_eq(url_param(loc, "state", v, sizeof(v)), "st ate");
    /* The session cookie: random, HttpOnly, SameSite=Lax, on the domain's path, one hour. */
    ck_assert_ptr_nonnull(strstr(r.headers, "Set-Cookie: cognito="));
    ck_assert_ptr_nonnull(strstr(r.headers, "Path=/_domain/my-app; Max-Age=3600; HttpOnly; "
                                            "SameSite=Lax"));
    ck_assert_ptr_null(strstr(r.headers, "Secure"));
    g = redeem(loc);
    ck_assert_str_eq(g->pool_id, pool);
    ck_assert_str_eq(g->client_id, client);
    ck_assert_int_gt(g->user_seq, 0);
    ck_assert_str_eq(g->redirect_uri, CALLBACK);
    ck_assert_str_eq(g->scope, "openid");
    ck_assert_str_eq(g->nonce, "n-1");
    ck_assert_str_eq(g->code_challenge, CHALLENGE);
    ck_assert_str_eq(g->code_challenge_method, "S256");
    ck_assert_int_le(llabs(g->auth_time - clock_now_ms() / 1000), 5);
    oauth_grant_free(g);
    /* A code answers once. */
    {
        struct oauth_grant *again = NULL;
        struct store_conn *conn = store_acquire(store);
        ck_assert_int_eq(
            oauth_code_redeem(conn, url_param(loc, "code", v, sizeof(v)), clock_now_ms(), &again),
            STORE_NOT_FOUND);
        store_release(store, conn);
    }
    tu_http_free(&r);
}
END_TEST

START_TEST(test_hosted_login_page_is_a_usable_form)
{
    struct jar j = {0};
    struct tu_http r;
    char url[1024], loc[1024], buf[512];

    authorize_url(url, sizeof(url), site, "&login_hint=al%22ice");
    browse("GET", url, &j, NULL, NULL, &r);
    location(&r, loc, sizeof(loc));
    /* The same query, on the domain's /login. */
    ck_assert_msg(strncmp(loc, site, strlen(site)) == 0 && strstr(loc, "/login?") != NULL, "%s",
                  loc);
    ck_assert_ptr_nonnull(strstr(loc, "state=st%20ate"));
    tu_http_free(&r);
    browse("GET", loc, &j, NULL, NULL, &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(tu_http_header(&r, "Content-Type", buf, sizeof(buf)),
                     "text/html; charset=utf-8");
    ck_assert_ptr_nonnull(strstr(tu_http_header(&r, "Content-Security-Policy", buf, sizeof(buf)),
                                 "default-src 'none'"));
    /* The classic names and ids, labels and autocomplete; no script, nothing external. */
    ck_assert_ptr_nonnull(strstr(r.body, "id=\"signInFormUsername\" name=\"username\""));
    ck_assert_ptr_nonnull(strstr(r.body, "id=\"signInFormPassword\" name=\"password\""));
    ck_assert_ptr_nonnull(strstr(r.body, "name=\"signInSubmitButton\""));
    ck_assert_ptr_nonnull(
        strstr(r.body, "<label class=\"label-customizable\" for=\"signInFormUsername\">"));
    ck_assert_ptr_nonnull(strstr(r.body, "autocomplete=\"current-password\""));
    ck_assert_ptr_nonnull(strstr(r.body, "Demo app"));
    ck_assert_ptr_null(strstr(r.body, "<script"));
    ck_assert_ptr_null(strstr(r.body, "<link"));
    ck_assert_ptr_null(strstr(r.body, " src="));
    ck_assert_ptr_null(strstr(r.body, "@import"));
    ck_assert_ptr_null(strstr(r.body, "url("));
    /* The hint, escaped; the authorize parameters as hidden fields. */
    ck_assert_ptr_nonnull(strstr(r.body, "value=\"al&quot;ice\""));
    ck_assert_ptr_nonnull(strstr(r.body, "name=\"state\" value=\"st ate\""));
    ck_assert_ptr_nonnull(jar_get(&j, "XSRF-TOKEN"));
    tu_http_free(&r);
}
END_TEST

/* A 1x1 PNG, as SetUICustomization's ImageFile takes it. */
#define PNG_B64                                                                                    \
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+"                                \
    "M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="

/*
 * UI customization is applied: the pool's default ("ALL") CSS, unless the client has its own,
 * after the page's style, on Cognito's class names; a '<' in it cannot end the style element;
 * the logo inlined; and GetUICustomization's ImageUrl serves the logo's bytes.
 */
START_TEST(test_hosted_ui_customization_is_applied)
{
    struct tu_http r;
    char url[1024], loc[1024], other[64], type[64];
    cJSON *got;
    const char *image_url;

    cJSON_Delete(aws("SetUICustomization",
                     "{\"UserPoolId\":\"%s\",\"ClientId\":\"ALL\",\"CSS\":"
                     "\".submitButton-customizable{background-color:#123456}</style><script>x\"}",
                     pool));
    authorize_url(url, sizeof(url), site, "");
    browse("GET", url, NULL, NULL, NULL, &r);
    location(&r, loc, sizeof(loc));
    tu_http_free(&r);
    browse("GET", loc, NULL, NULL, NULL, &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_ptr_nonnull(strstr(r.body, ".submitButton-customizable{background-color:#123456}"));
    ck_assert_ptr_nonnull(strstr(r.body, "\\3c /style>\\3c script>x"));
    ck_assert_ptr_null(strstr(r.body, "<script"));
    ck_assert_ptr_nonnull(strstr(r.body, "class=\"submitButton-customizable\""));
    ck_assert_ptr_null(strstr(r.body, "logo-customizable"));
    tu_http_free(&r);

    /* The client's own setting wins, with its logo. */
    got = aws("SetUICustomization",
              "{\"UserPoolId\":\"%s\",\"ClientId\":\"%s\",\"CSS\":\".banner-customizable{"
              "padding:1px}\",\"ImageFile\":\"" PNG_B64 "\"}",
              pool, client);
    image_url = tu_str(tu_get(got, "UICustomization"), "ImageUrl");
    ck_assert_ptr_nonnull(image_url);
    browse("GET", loc, NULL, NULL, NULL, &r);
    ck_assert_ptr_nonnull(strstr(r.body, ".banner-customizable{padding:1px}"));
    ck_assert_ptr_null(strstr(r.body, "#123456"));
    ck_assert_ptr_nonnull(strstr(r.body, "<img class=\"logo-customizable\" alt=\"\" "
                                         "src=\"data:image/png;base64," PNG_B64 "\">"));
    tu_http_free(&r);
    tu_http_request("GET", image_url, NULL, NULL, 0, &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(tu_http_header(&r, "Content-Type", type, sizeof(type)), "image/png");
    ck_assert(memcmp(r.body, "\x89PNG\r\n\x1a\n", 8) == 0);
    tu_http_free(&r);
    cJSON_Delete(got);

    /* Another client of the pool still gets the pool's default; no logo there is a 404. */
    make_client("\"AllowedOAuthFlows\":[\"code\"],\"AllowedOAuthScopes\":[\"openid\"],"
                "\"CallbackURLs\":[\"" CALLBACK "\"],\"SupportedIdentityProviders\":[\"COGNITO\"]",
                other, sizeof(other));
    snprintf(url, sizeof(url), "%s/login?client_id=%s&redirect_uri=%s&response_type=code", site,
             other, CALLBACK);
    browse("GET", url, NULL, NULL, NULL, &r);
    ck_assert_ptr_nonnull(strstr(r.body, "#123456"));
    tu_http_free(&r);
    snprintf(url, sizeof(url), "%s/_emu/ui-image/%s/ALL", root, pool);
    tu_http_request("GET", url, NULL, NULL, 0, &r);
    ck_assert_int_eq(r.status, 404);
    tu_http_free(&r);
}
END_TEST

START_TEST(test_hosted_wrong_password_shows_the_page_again)
{
    struct jar j = {0};
    struct tu_http r;

    sign_in_at(site, &j, "", "alice", "wrong-Passw0rd", &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_ptr_nonnull(strstr(r.body, "Incorrect username or password."));
    ck_assert_ptr_nonnull(strstr(r.body, "value=\"alice\""));
    ck_assert_ptr_null(jar_get(&j, "cognito"));
    tu_http_free(&r);
}
END_TEST

START_TEST(test_hosted_hostile_input_comes_back_escaped)
{
    struct jar j = {0};
    struct tu_http r;

    sign_in_at(site, &j, "", "<script>alert(1)</script>", "x", &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_ptr_null(strstr(r.body, "<script>"));
    ck_assert_ptr_nonnull(strstr(r.body, "&lt;script&gt;alert(1)&lt;/script&gt;"));
    tu_http_free(&r);
}
END_TEST

START_TEST(test_hosted_post_without_the_forgery_token_is_refused)
{
    struct jar j = {0};
    struct tu_http r;
    char form[512], url[160];

    snprintf(url, sizeof(url), "%s/login", site);
    snprintf(form, sizeof(form),
             "response_type=code&client_id=%s&redirect_uri=%s&username=alice&password=%s", client,
             CALLBACK, PASSWORD);
    browse("POST", url, &j, form, NULL, &r);
    ck_assert_int_eq(r.status, 403);
    tu_http_free(&r);
    /* A cookie and a field that differ. */
    snprintf(form + strlen(form), sizeof(form) - strlen(form), "&_csrf=AAAAAAAAAAAAAAAAAAAAAAAA");
    browse("POST", url, &j, form, "Cookie: XSRF-TOKEN=BBBBBBBBBBBBBBBBBBBBBBBB", &r);
    ck_assert_int_eq(r.status, 403);
    ck_assert_ptr_null(jar_get(&j, "cognito"));
    tu_http_free(&r);
}
END_TEST

/* ---- Single sign-on, prompt, logout ------------------------------------------------------------
 */

START_TEST(test_hosted_session_signs_in_again_without_a_form)
{
    struct jar j = {0};
    struct tu_http r;
    char url[1024], loc[2048], other[64];
    struct oauth_grant *first, *second;

    sign_in_at(site, &j, "", "alice", PASSWORD, &r);
    first = redeem(location(&r, loc, sizeof(loc)));
    tu_http_free(&r);
    clock_set_offset_ms(clock_offset_ms() + 2000);
    /* Another client of the pool: straight back with a code, the session's auth_time. */
    make_client(STANDARD_CLIENT, other, sizeof(other));
    snprintf(url, sizeof(url),
             "%s/oauth2/authorize?response_type=code&client_id=%s&redirect_uri=%s&state=s2", site,
             other, CALLBACK);
    browse("GET", url, &j, NULL, NULL, &r);
    second = redeem(location(&r, loc, sizeof(loc)));
    ck_assert_str_eq(second->client_id, other);
    ck_assert_int_eq(second->user_seq, first->user_seq);
    ck_assert_int_eq(second->auth_time, first->auth_time);
    ck_assert_str_eq(second->scope, "openid email");
    oauth_grant_free(first);
    oauth_grant_free(second);
    tu_http_free(&r);
    /* prompt=login shows the form anyway. */
    authorize_url(url, sizeof(url), site, "&prompt=login");
    browse("GET", url, &j, NULL, NULL, &r);
    ck_assert_ptr_nonnull(strstr(location(&r, loc, sizeof(loc)), "/login?"));
    tu_http_free(&r);
}
END_TEST

START_TEST(test_hosted_prompt_none_without_a_session_is_login_required)
{
    struct tu_http r;
    char url[1024];

    authorize_url(url, sizeof(url), site, "&prompt=none");
    browse("GET", url, NULL, NULL, NULL, &r);
    assert_app_error(&r, "login_required");
    tu_http_free(&r);
    /* A cookie the server never made is no session. */
    browse("GET", url, NULL, NULL, "Cookie: cognito=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", &r);
    assert_app_error(&r, "login_required");
    tu_http_free(&r);
}
END_TEST

START_TEST(test_hosted_logout_ends_the_session)
{
    struct jar j = {0};
    struct tu_http r;
    char url[1024], loc[2048];

    sign_in_at(site, &j, "", "alice", PASSWORD, &r);
    tu_http_free(&r);
    ck_assert_ptr_nonnull(jar_get(&j, "cognito"));
    {
        char saved[160];
        snprintf(saved, sizeof(saved), "Cookie: cognito=%s", jar_get(&j, "cognito"));
        snprintf(url, sizeof(url), "%s/logout?client_id=%s&logout_uri=%s", site, client,
                 LOGOUT_URL);
        browse("GET", url, &j, NULL, NULL, &r);
        ck_assert_str_eq(location(&r, loc, sizeof(loc)), LOGOUT_URL);
        ck_assert_ptr_nonnull(strstr(r.headers, "Set-Cookie: cognito=; Path=/_domain/my-app; "
                                                "Max-Age=0"));
        ck_assert_ptr_null(jar_get(&j, "cognito"));
        tu_http_free(&r);
        /* The old cookie no longer signs in: its row is gone. */
        authorize_url(url, sizeof(url), site, "");
        browse("GET", url, NULL, NULL, saved, &r);
        ck_assert_ptr_nonnull(strstr(location(&r, loc, sizeof(loc)), "/login?"));
        tu_http_free(&r);
    }
    /* With redirect_uri and response_type: to the sign-in page with them. */
    snprintf(url, sizeof(url), "%s/logout?client_id=%s&redirect_uri=%s&response_type=code&state=x",
             site, client, CALLBACK);
    browse("GET", url, &j, NULL, NULL, &r);
    location(&r, loc, sizeof(loc));
    ck_assert_msg(strstr(loc, "/_domain/my-app/login?") != NULL && strstr(loc, "state=x") != NULL,
                  "%s", loc);
    tu_http_free(&r);
}
END_TEST

START_TEST(test_hosted_logout_errors)
{
    struct tu_http r;
    char url[1024], loc[1024], v[128];

    snprintf(url, sizeof(url), "%s/logout?logout_uri=%s", site, LOGOUT_URL);
    browse("GET", url, NULL, NULL, NULL, &r);
    ck_assert_int_eq(r.status, 400);
    ck_assert_ptr_nonnull(strstr(r.body, "Missing required parameter client_id in request URL"));
    tu_http_free(&r);
    snprintf(url, sizeof(url), "%s/logout?client_id=%s&logout_uri=http://evil.example/", site,
             client);
    browse("GET", url, NULL, NULL, NULL, &r);
    location(&r, loc, sizeof(loc));
    ck_assert_ptr_nonnull(strstr(loc, "/_domain/my-app/error?"));
    ck_assert_str_eq(url_param(loc, "error", v, sizeof(v)), "redirect_mismatch");
    tu_http_free(&r);
    snprintf(url, sizeof(url), "%s/logout?client_id=%s", site, client);
    browse("GET", url, NULL, NULL, NULL, &r);
    ck_assert_int_eq(r.status, 400);
    ck_assert_ptr_nonnull(strstr(r.body, "Required String parameter &#39;redirect_uri&#39; is "
                                         "not present"));
    tu_http_free(&r);
}
END_TEST

/* ---- Errors of the authorize request --------------------------------------------------------- */

/* GET url must send the browser to the domain's /error with error. */
static void assert_error_page(const char *url, const char *error)
{
    struct tu_http r;
    char loc[1024], v[128];

    browse("GET", url, NULL, NULL, NULL, &r);
    location(&r, loc, sizeof(loc));
    ck_assert_msg(strncmp(loc, site, strlen(site)) == 0 && strstr(loc, "/error?") != NULL, "%s",
                  loc);
    ck_assert_str_eq(url_param(loc, "error", v, sizeof(v)), error);
    tu_http_free(&r);
    browse("GET", loc, NULL, NULL, NULL, &r);
    ck_assert_int_eq(r.status, 400);
    ck_assert_ptr_nonnull(strstr(r.body, "An error was encountered with the requested page."));
    tu_http_free(&r);
}

START_TEST(test_hosted_untrusted_requests_never_reach_the_app)
{
    char url[1024], no_oauth[64];

    snprintf(url, sizeof(url),
             "%s/oauth2/authorize?response_type=code&client_id=%s"
             "&redirect_uri=http://localhost:3000/other",
             site, client);
    assert_error_page(url, "redirect_mismatch");
    /* Not even a port or a slash of difference. */
    snprintf(url, sizeof(url),
             "%s/oauth2/authorize?response_type=code&client_id=%s"
             "&redirect_uri=http://localhost:3001/cb",
             site, client);
    assert_error_page(url, "redirect_mismatch");
    snprintf(url, sizeof(url),
             "%s/oauth2/authorize?response_type=code&client_id=nosuchclient"
             "&redirect_uri=%s",
             site, CALLBACK);
    assert_error_page(url, "invalid_client");
    snprintf(url, sizeof(url), "%s/oauth2/authorize?response_type=code&redirect_uri=%s", site,
             CALLBACK);
    assert_error_page(url, "invalid_request");
    snprintf(url, sizeof(url), "%s/oauth2/authorize?response_type=code&client_id=%s", site, client);
    assert_error_page(url, "invalid_request");
    {
        cJSON *resp = aws(
            "CreateUserPoolClient",
            "{\"UserPoolId\":\"%s\",\"ClientName\":\"api\",\"CallbackURLs\":[\"" CALLBACK "\"]}",
            pool);
        snprintf(no_oauth, sizeof(no_oauth), "%s",
                 tu_str(tu_get(resp, "UserPoolClient"), "ClientId"));
        cJSON_Delete(resp);
    }
    snprintf(url, sizeof(url),
             "%s/oauth2/authorize?response_type=code&client_id=%s"
             "&redirect_uri=%s",
             site, no_oauth, CALLBACK);
    assert_error_page(url, "unauthorized_client");
}
END_TEST

START_TEST(test_hosted_faults_of_a_trusted_request_go_back_to_the_app)
{
    struct tu_http r;
    char url[1024], v[256], loc[2048];
    static const struct {
        const char *query; /* after client_id and redirect_uri */
        const char *error;
    } cases[] = {
        {"&state=st%20ate", "invalid_request"}, /* no response_type */
        {"&response_type=id_token&state=st%20ate", "unsupported_response_type"},
        {"&response_type=token&state=st%20ate", "unauthorized_client"},
        {"&response_type=code&scope=phone&state=st%20ate", "invalid_scope"},
        {"&response_type=code&code_challenge=" CHALLENGE "&code_challenge_method=plain"
         "&state=st%20ate",
         "invalid_request"},
        {"&response_type=code&code_challenge=" CHALLENGE "&state=st%20ate", "invalid_request"},
        {"&response_type=code&code_challenge=short&code_challenge_method=S256&state=st%20ate",
         "invalid_request"},
        {"&response_type=code&identity_provider=Facebook&state=st%20ate", "invalid_request"},
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        snprintf(url, sizeof(url), "%s/oauth2/authorize?client_id=%s&redirect_uri=%s%s", site,
                 client, CALLBACK, cases[i].query);
        browse("GET", url, NULL, NULL, NULL, &r);
        assert_app_error(&r, cases[i].error);
        tu_http_free(&r);
    }
    /* PKCE is S256 only, as Cognito: plain is named in the description. */
    snprintf(url, sizeof(url),
             "%s/oauth2/authorize?client_id=%s&redirect_uri=%s&response_type=code"
             "&code_challenge=" CHALLENGE "&code_challenge_method=plain",
             site, client, CALLBACK);
    browse("GET", url, NULL, NULL, NULL, &r);
    ck_assert_str_eq(url_param(location(&r, loc, sizeof(loc)), "error_description", v, sizeof(v)),
                     "code_challenge_method must be S256");
    tu_http_free(&r);
}
END_TEST

/*
 * identity_provider names a provider the client supports: /oauth2/authorize sends the browser
 * to it (here Google, so the emulator's mock IdP page), with Cognito's own state; one the client
 * does not support, or an unknown one, goes back to the app as invalid_request.
 */
START_TEST(test_hosted_external_provider_goes_to_its_sign_in)
{
    struct tu_http r;
    char url[1024], loc[2048], v[512], fed[64];

    cJSON_Delete(aws("CreateIdentityProvider",
                     "{\"UserPoolId\":\"%s\",\"ProviderName\":\"Google\",\"ProviderType\":"
                     "\"Google\",\"ProviderDetails\":{\"client_id\":\"g\",\"client_secret\":"
                     "\"s\",\"authorize_scopes\":\"openid email\"},\"IdpIdentifiers\":[\"gmail\"]}",
                     pool));
    make_client("\"AllowedOAuthFlows\":[\"code\"],\"AllowedOAuthScopes\":[\"openid\"],"
                "\"CallbackURLs\":[\"" CALLBACK "\"],"
                "\"SupportedIdentityProviders\":[\"COGNITO\",\"Google\"]",
                fed, sizeof(fed));
    snprintf(url, sizeof(url),
             "%s/oauth2/authorize?client_id=%s&redirect_uri=%s"
             "&response_type=code&identity_provider=Google&state=st%%20ate",
             site, fed, CALLBACK);
    browse("GET", url, NULL, NULL, NULL, &r);
    location(&r, loc, sizeof(loc));
    ck_assert_msg(strstr(loc, "/_mock-idp/Google/authorize?state=") != NULL, "%s", loc);
    /* Cognito's own state, never the app's. */
    ck_assert_ptr_null(strstr(loc, "st%20ate"));
    tu_http_free(&r);
    /* The same through the provider's identifier. */
    snprintf(url, sizeof(url),
             "%s/oauth2/authorize?client_id=%s&redirect_uri=%s&response_type=code"
             "&idp_identifier=gmail",
             site, fed, CALLBACK);
    browse("GET", url, NULL, NULL, NULL, &r);
    ck_assert_ptr_nonnull(strstr(location(&r, loc, sizeof(loc)), "/_mock-idp/Google/authorize?"));
    tu_http_free(&r);
    /* A provider the client does not support, an unknown one, an unknown identifier. */
    for (const char *const *q =
             (const char *const[]){"&identity_provider=Facebook", "&idp_identifier=nope", NULL};
         *q != NULL; q++) {
        snprintf(url, sizeof(url),
                 "%s/oauth2/authorize?client_id=%s&redirect_uri=%s&response_type=code"
                 "&state=st%%20ate%s",
                 site, fed, CALLBACK, *q);
        browse("GET", url, NULL, NULL, NULL, &r);
        assert_app_error(&r, "invalid_request");
        ck_assert_ptr_nonnull(
            url_param(location(&r, loc, sizeof(loc)), "error_description", v, sizeof(v)));
        tu_http_free(&r);
    }
    /* identity_provider=COGNITO is the sign-in page, as Amplify sends it. */
    authorize_url(url, sizeof(url), site, "&identity_provider=COGNITO");
    browse("GET", url, NULL, NULL, NULL, &r);
    ck_assert_ptr_nonnull(strstr(location(&r, loc, sizeof(loc)), "/login?"));
    tu_http_free(&r);
    /* The sign-in page has a button per external provider of the client, beside the form... */
    snprintf(url, sizeof(url),
             "%s/login?client_id=%s&redirect_uri=%s&response_type=code&identity_provider=COGNITO",
             site, fed, CALLBACK);
    browse("GET", url, NULL, NULL, NULL, &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_ptr_nonnull(strstr(r.body, "signInFormUsername"));
    ck_assert_ptr_nonnull(strstr(r.body, ">Continue with Google</a>"));
    ck_assert_ptr_nonnull(strstr(r.body, "/oauth2/authorize?"));
    ck_assert_ptr_nonnull(strstr(r.body, "identity_provider=Google\""));
    ck_assert_ptr_null(strstr(r.body, "identity_provider=COGNITO&amp;identity_provider"));
    tu_http_free(&r);
    /* ...and only the buttons when the client does not sign in with the pool itself. */
    make_client("\"AllowedOAuthFlows\":[\"code\"],\"AllowedOAuthScopes\":[\"openid\"],"
                "\"CallbackURLs\":[\"" CALLBACK "\"],\"SupportedIdentityProviders\":[\"Google\"]",
                fed, sizeof(fed));
    snprintf(url, sizeof(url), "%s/login?client_id=%s&redirect_uri=%s&response_type=code", site,
             fed, CALLBACK);
    browse("GET", url, NULL, NULL, NULL, &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_ptr_null(strstr(r.body, "signInFormUsername"));
    ck_assert_ptr_nonnull(strstr(r.body, ">Continue with Google</a>"));
    tu_http_free(&r);
}
END_TEST

/*
 * The implicit grant: the tokens in the redirect's fragment (section 2.2), with token_type,
 * expires_in and state, and never a refresh token or a code.
 */
START_TEST(test_hosted_implicit_grant_answers_tokens_in_the_fragment)
{
    struct jar j = {0};
    struct tu_http r;
    char url[1024], loc[8192], v[4096], implicit[64];
    cJSON *claims;

    make_client(
        "\"AllowedOAuthFlows\":[\"implicit\"],\"AllowedOAuthScopes\":[\"openid\",\"email\"],"
        "\"CallbackURLs\":[\"" CALLBACK "\"],\"SupportedIdentityProviders\":[\"COGNITO\"]",
        implicit, sizeof(implicit));
    sign_in_at(site, &j, "", "alice", PASSWORD, &r);
    tu_http_free(&r);
    snprintf(url, sizeof(url),
             "%s/oauth2/authorize?client_id=%s&redirect_uri=%s"
             "&response_type=token&state=st%%20ate&nonce=n-1",
             site, implicit, CALLBACK);
    browse("GET", url, &j, NULL, NULL, &r);
    location(&r, loc, sizeof(loc));
    ck_assert_msg(strncmp(loc, CALLBACK "#", strlen(CALLBACK) + 1) == 0, "%s", loc);
    ck_assert_str_eq(url_param(loc, "token_type", v, sizeof(v)), "Bearer");
    ck_assert_str_eq(url_param(loc, "expires_in", v, sizeof(v)), "3600");
    ck_assert_str_eq(url_param(loc, "state", v, sizeof(v)), "st ate");
    ck_assert_ptr_null(url_param(loc, "refresh_token", v, sizeof(v)));
    ck_assert_ptr_null(url_param(loc, "code", v, sizeof(v)));
    ck_assert_ptr_nonnull(url_param(loc, "access_token", v, sizeof(v)));
    claims = jwt_peek_payload(v);
    ck_assert_str_eq(tu_str(claims, "token_use"), "access");
    ck_assert_str_eq(tu_str(claims, "client_id"), implicit);
    ck_assert_str_eq(tu_str(claims, "scope"), "openid email");
    cJSON_Delete(claims);
    ck_assert_ptr_nonnull(url_param(loc, "id_token", v, sizeof(v)));
    claims = jwt_peek_payload(v);
    ck_assert_str_eq(tu_str(claims, "token_use"), "id");
    ck_assert_str_eq(tu_str(claims, "nonce"), "n-1");
    ck_assert_str_eq(tu_str(claims, "cognito:username"), "alice");
    cJSON_Delete(claims);
    tu_http_free(&r);
}
END_TEST

/* ---- How a request names its domain ------------------------------------------------------------
 */

START_TEST(test_hosted_host_header_names_the_domain)
{
    struct tu_http r;
    char url[1024], loc[1024], host[160];
    const char *region_end = strchr(pool, '_');

    snprintf(host, sizeof(host), "Host: my-app.auth.%.*s.amazoncognito.com",
             (int)(region_end - pool), pool);
    authorize_url(url, sizeof(url), root, "");
    browse("GET", url, NULL, NULL, host, &r);
    location(&r, loc, sizeof(loc));
    ck_assert_msg(strncmp(loc, "http://my-app.auth.", 19) == 0 && strstr(loc, "/login?") != NULL,
                  "%s", loc);
    tu_http_free(&r);
    /* The page's form posts to that host, and the cookie is the root's. */
    snprintf(url, sizeof(url), "%s%s", root, strstr(loc, "/login?"));
    browse("GET", url, NULL, NULL, host, &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_ptr_nonnull(strstr(r.body, "action=\"http://my-app.auth."));
    ck_assert_ptr_nonnull(strstr(r.headers, "; Path=/; "));
    tu_http_free(&r);
}
END_TEST

START_TEST(test_hosted_root_finds_the_domain_by_client)
{
    struct jar j = {0};
    struct tu_http r;
    char loc[2048];
    struct oauth_grant *g;

    sign_in_at(root, &j, "", "alice", PASSWORD, &r);
    g = redeem(location(&r, loc, sizeof(loc)));
    ck_assert_str_eq(g->client_id, client);
    ck_assert_ptr_nonnull(strstr(r.headers, "; Path=/; "));
    oauth_grant_free(g);
    tu_http_free(&r);
}
END_TEST

START_TEST(test_hosted_unknown_domain_is_not_found)
{
    struct tu_http r;
    char url[1024];

    snprintf(url, sizeof(url),
             "%s/_domain/nope/oauth2/authorize?response_type=code&client_id=%s"
             "&redirect_uri=%s",
             root, client, CALLBACK);
    browse("GET", url, NULL, NULL, NULL, &r);
    ck_assert_int_eq(r.status, 404);
    ck_assert_ptr_nonnull(strstr(r.body, "An error was encountered with the requested page."));
    tu_http_free(&r);
}
END_TEST

/* ---- Challenges --------------------------------------------------------------------------------
 */

static void inbox_code(const char *username, char *out, size_t n)
{
    char url[256];
    struct tu_http r;
    cJSON *json;

    snprintf(url, sizeof(url), "%s/_emu/messages?username=%s", root, username);
    tu_http_request("GET", url, NULL, NULL, 0, &r);
    json = cJSON_Parse(r.body);
    ck_assert_msg(cJSON_GetArraySize(tu_get(json, "messages")) > 0, "%s", r.body);
    snprintf(out, n, "%s", tu_str(cJSON_GetArrayItem(tu_get(json, "messages"), 0), "code"));
    cJSON_Delete(json);
    tu_http_free(&r);
}

/*
 * POST the answer to a challenge page back to /login: its anti-forgery token csrf, the
 * challenge's session and username, the authorize parameters, and fields (form-encoded).
 */
static void post_challenge(struct jar *j, const char *csrf, const char *session,
                           const char *challenge, const char *username, const char *fields,
                           struct tu_http *r)
{
    char url[300], form[4096], session_enc[1024];

    form_encode(session, session_enc, sizeof(session_enc));
    snprintf(url, sizeof(url), "%s/login", site);
    snprintf(form, sizeof(form),
             "_csrf=%s&response_type=code&client_id=%s&redirect_uri=%s&state=st%%20ate"
             "&challenge=%s&session=%s&username=%s&%s",
             csrf, client, CALLBACK, challenge, session_enc, username, fields);
    browse("POST", url, j, form, NULL, r);
}

/* The answer r redirects to the app with a code of a signed-in user and a session cookie. */
static void assert_signed_in(const struct jar *j, const struct tu_http *r)
{
    char loc[2048];
    struct oauth_grant *g = redeem(location(r, loc, sizeof(loc)));

    ck_assert_int_gt(g->user_seq, 0);
    oauth_grant_free(g);
    ck_assert_ptr_nonnull(jar_get(j, "cognito"));
}

START_TEST(test_hosted_new_password_required_then_code)
{
    struct jar j = {0};
    struct tu_http r;
    char csrf[128], session[512];

    make_user("bob", false);
    sign_in_at(site, &j, "", "bob", PASSWORD, &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    ck_assert_ptr_nonnull(strstr(r.body, "name=\"new_password\""));
    ck_assert_ptr_nonnull(strstr(r.body, "autocomplete=\"new-password\""));
    hidden_value(r.body, "_csrf", csrf, sizeof(csrf));
    hidden_value(r.body, "session", session, sizeof(session));
    tu_http_free(&r);
    /* Two passwords that differ: the same page, with the reason. */
    post_challenge(&j, csrf, session, "NEW_PASSWORD_REQUIRED", "bob",
                   "new_password=N3w-Passw0rd!&confirm_password=other", &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_ptr_nonnull(strstr(r.body, "The two passwords do not match."));
    tu_http_free(&r);
    /* A password the policy refuses: the API's message. */
    post_challenge(&j, csrf, session, "NEW_PASSWORD_REQUIRED", "bob",
                   "new_password=short&confirm_password=short", &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_ptr_nonnull(strstr(r.body, "Password"));
    ck_assert_ptr_nonnull(strstr(r.body, "name=\"new_password\""));
    tu_http_free(&r);
    post_challenge(&j, csrf, session, "NEW_PASSWORD_REQUIRED", "bob",
                   "new_password=N3w-Passw0rd!&confirm_password=N3w-Passw0rd!", &r);
    assert_signed_in(&j, &r);
    tu_http_free(&r);
}
END_TEST

/* An SMS MFA code page continues the sign-in: a wrong code shows it again, the code "sent"
 * (the inbox) signs in and answers the app. */
START_TEST(test_hosted_sms_mfa_code_then_code)
{
    struct jar j = {0};
    struct tu_http r;
    char csrf[128], session[512], code[16], fields[64];

    cJSON_Delete(
        aws("SetUserPoolMfaConfig",
            "{\"UserPoolId\":\"%s\",\"MfaConfiguration\":\"ON\",\"SmsMfaConfiguration\":"
            "{\"SmsConfiguration\":{\"SnsCallerArn\":\"arn:aws:iam::123456789012:role/sns\","
            "\"ExternalId\":\"x\"}}}",
            pool));
    make_user("carol", true);
    cJSON_Delete(aws("AdminUpdateUserAttributes",
                     "{\"UserPoolId\":\"%s\",\"Username\":\"carol\",\"UserAttributes\":["
                     "{\"Name\":\"phone_number\",\"Value\":\"+15555550123\"},"
                     "{\"Name\":\"phone_number_verified\",\"Value\":\"true\"}]}",
                     pool));
    sign_in_at(site, &j, "", "carol", PASSWORD, &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    ck_assert_ptr_nonnull(strstr(r.body, "We sent a code by text message."));
    ck_assert_ptr_nonnull(strstr(r.body, "autocomplete=\"one-time-code\""));
    hidden_value(r.body, "_csrf", csrf, sizeof(csrf));
    hidden_value(r.body, "session", session, sizeof(session));
    tu_http_free(&r);
    post_challenge(&j, csrf, session, "SMS_MFA", "carol", "code=000000", &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_ptr_nonnull(strstr(r.body, "errorMessage-customizable"));
    ck_assert_ptr_nonnull(strstr(r.body, "name=\"code\""));
    hidden_value(r.body, "session", session, sizeof(session));
    tu_http_free(&r);
    inbox_code("carol", code, sizeof(code));
    snprintf(fields, sizeof(fields), "code=%s", code);
    post_challenge(&j, csrf, session, "SMS_MFA", "carol", fields, &r);
    assert_signed_in(&j, &r);
    tu_http_free(&r);
}
END_TEST

/* ---- Sign-up and password reset -----------------------------------------------------------------
 */

/* The newest code the inbox holds for username into out. */

/* POST form (after the _csrf field and the standard parameters) to path of the site. */
static void post_page(struct jar *j, const char *path, const char *fields, struct tu_http *r)
{
    char url[300], form[2048];

    snprintf(url, sizeof(url), "%s%s", site, path);
    snprintf(form, sizeof(form),
             "_csrf=%s&response_type=code&client_id=%s&redirect_uri=%s&state=st%%20ate&%s",
             jar_get(j, "XSRF-TOKEN"), client, CALLBACK, fields);
    browse("POST", url, j, form, NULL, r);
}

START_TEST(test_hosted_sign_up_then_confirm_signs_in)
{
    struct jar j = {0};
    struct tu_http r;
    char url[1024], code[16], fields[256], loc[2048];
    struct oauth_grant *g;

    cJSON_Delete(aws("UpdateUserPool",
                     "{\"UserPoolId\":\"%s\",\"AutoVerifiedAttributes\":[\"email\"]}", pool));
    snprintf(url, sizeof(url), "%s/signup?response_type=code&client_id=%s&redirect_uri=%s", site,
             client, CALLBACK);
    browse("GET", url, &j, NULL, NULL, &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_ptr_nonnull(strstr(r.body, "name=\"username\""));
    ck_assert_ptr_nonnull(strstr(r.body, "autocomplete=\"new-password\""));
    tu_http_free(&r);
    /* The API's own refusal, on the page. */
    post_page(&j, "/signup", "username=carol&password=short", &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_ptr_nonnull(strstr(r.body, "Password did not conform with policy"));
    ck_assert_ptr_nonnull(strstr(r.body, "value=\"carol\""));
    tu_http_free(&r);
    post_page(&j, "/signup", "username=carol&password=" PASSWORD "&email=carol%40example.com", &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_ptr_nonnull(strstr(r.body, "name=\"code\""));
    tu_http_free(&r);
    post_page(&j, "/confirm", "username=carol&code=000000", &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_ptr_nonnull(strstr(r.body, "Invalid verification code provided"));
    tu_http_free(&r);
    inbox_code("carol", code, sizeof(code));
    snprintf(fields, sizeof(fields), "username=carol&code=%s", code);
    post_page(&j, "/confirm", fields, &r);
    g = redeem(location(&r, loc, sizeof(loc)));
    ck_assert_int_gt(g->user_seq, 0);
    oauth_grant_free(g);
    ck_assert_ptr_nonnull(jar_get(&j, "cognito"));
    tu_http_free(&r);
}
END_TEST

START_TEST(test_hosted_forgot_password_resets_it)
{
    struct jar j = {0};
    struct tu_http r;
    char url[1024], code[16], fields[256], loc[2048];

    cJSON_Delete(aws("AdminUpdateUserAttributes",
                     "{\"UserPoolId\":\"%s\",\"Username\":\"alice\",\"UserAttributes\":["
                     "{\"Name\":\"email\",\"Value\":\"alice@example.com\"},"
                     "{\"Name\":\"email_verified\",\"Value\":\"true\"}]}",
                     pool));
    snprintf(url, sizeof(url), "%s/forgotPassword?response_type=code&client_id=%s&redirect_uri=%s",
             site, client, CALLBACK);
    browse("GET", url, &j, NULL, NULL, &r);
    ck_assert_int_eq(r.status, 200);
    tu_http_free(&r);
    post_page(&j, "/forgotPassword", "username=alice", &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_ptr_nonnull(strstr(r.body, "a***@e***"));
    tu_http_free(&r);
    inbox_code("alice", code, sizeof(code));
    snprintf(fields, sizeof(fields), "username=alice&code=%s&password=N3w-Passw0rd!", code);
    post_page(&j, "/confirmforgotPassword", fields, &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_ptr_nonnull(strstr(r.body, "Your password has been reset."));
    ck_assert_ptr_nonnull(strstr(r.body, "id=\"signInFormUsername\""));
    tu_http_free(&r);
    sign_in_at(site, &j, "", "alice", "N3w-Passw0rd!", &r);
    oauth_grant_free(redeem(location(&r, loc, sizeof(loc))));
    tu_http_free(&r);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("hosted_ui");
    TCase *tc = tcase_create("hosted_ui");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_hosted_sign_in_redirects_with_a_code_bound_to_the_request);
    tcase_add_test(tc, test_hosted_login_page_is_a_usable_form);
    tcase_add_test(tc, test_hosted_ui_customization_is_applied);
    tcase_add_test(tc, test_hosted_wrong_password_shows_the_page_again);
    tcase_add_test(tc, test_hosted_hostile_input_comes_back_escaped);
    tcase_add_test(tc, test_hosted_post_without_the_forgery_token_is_refused);
    tcase_add_test(tc, test_hosted_session_signs_in_again_without_a_form);
    tcase_add_test(tc, test_hosted_prompt_none_without_a_session_is_login_required);
    tcase_add_test(tc, test_hosted_logout_ends_the_session);
    tcase_add_test(tc, test_hosted_logout_errors);
    tcase_add_test(tc, test_hosted_untrusted_requests_never_reach_the_app);
    tcase_add_test(tc, test_hosted_faults_of_a_trusted_request_go_back_to_the_app);
    tcase_add_test(tc, test_hosted_external_provider_goes_to_its_sign_in);
    tcase_add_test(tc, test_hosted_implicit_grant_answers_tokens_in_the_fragment);
    tcase_add_test(tc, test_hosted_host_header_names_the_domain);
    tcase_add_test(tc, test_hosted_root_finds_the_domain_by_client);
    tcase_add_test(tc, test_hosted_unknown_domain_is_not_found);
    tcase_add_test(tc, test_hosted_new_password_required_then_code);
    tcase_add_test(tc, test_hosted_sms_mfa_code_then_code);
    tcase_add_test(tc, test_hosted_sign_up_then_confirm_signs_in);
    tcase_add_test(tc, test_hosted_forgot_password_resets_it);
    suite_add_tcase(s, tc);
    return s;
}
