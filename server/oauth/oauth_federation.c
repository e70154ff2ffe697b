/*
 * oauth_federation: the IdP leg of the hosted flow, real OIDC and the mock IdP. See
 * oauth_federation.h.
 *
 * The flow's state lives in the store as auth sessions (store_session_*) of their own
 * challenge names, so an InitiateAuth session can never pass for one: FED_STATE (the app's
 * authorize request, under Cognito's state, for five minutes, taken once) and FED_MOCK_CODE
 * (the claims typed on the mock page, under the mock code, taken once).
 *
 * Unverified choices, pinned by tests/check_federation.c: a federation error's
 * error_description is the message followed by one space, as both of Cognito's captured
 * descriptions end ("... the schema.\n " and "... not-invited. "); an ID token that fails a
 * check is "<IdP name> Error - invalid id_token: <why>"; an unreachable token endpoint is
 * reported as the timeout. The small HTML pages (the mock IdP, the error page) and their
 * escaping are this file's own until the hosted pages' templates (util/html.c) land.
 */
#include "config.h"

#include "oauth/oauth_federation.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/ops_common.h"
#include "crypto/jwk.h"
#include "crypto/jwt.h"
#include "crypto/secrets.h"
#include "http/form.h"
#include "http/http_client.h"
#include "settings.h"
#include "userpool/federation.h"
#include "userpool/identity_provider.h"
#include "userpool/pool.h"
#include "oauth/oauth_hosted.h"
#include "util/clock.h"
#include "util/html.h"
#include "util/ids.h"
#include "util/jsonutil.h"
#include "util/log.h"
#include "util/strbuf.h"

#define FED_STATE "FEDERATION_STATE"
#define FED_MOCK_CODE "FEDERATION_MOCK_CODE"
/* How long the emulator waits for an IdP's endpoints. */
#define FED_TIMEOUT_MS 5000
/* What a mock SAMLResponse decodes to: this prefix and the mock code. */
#define FED_SAML_MOCK "cognito-emu-mock:"

/* ---- Small pieces: HTML, base64, responses ------------------------------------------------ */

/* Answer the page built in b (taken) with status; 500 when building it ran out of memory. */
static void send_html(struct http_response *resp, int status, struct strbuf *b)
{
    if (b->p == NULL || b->oom) {
        strbuf_free(b);
        http_response_set_body(resp, 500, NULL, NULL, 0);
        return;
    }
    http_response_set_body(resp, status, "text/html; charset=utf-8", b->p, b->len);
}

/* Answer body (built in b, taken) inside the hosted pages' layout, titled title, with status. */
static void send_page(struct http_response *resp, int status, const char *title, struct strbuf *b)
{
    char *page =
        b->p != NULL && !b->oom ? hosted_render_page(title, "cognito-emu mock", b->p) : NULL;

    strbuf_free(b);
    if (page == NULL)
        http_response_set_body(resp, 500, NULL, NULL, 0);
    else
        http_response_set_body(resp, status, "text/html; charset=utf-8", page, strlen(page));
}

/* Answer an HTML page: title and paragraph (escaped) with status. */
static void html_page(struct http_response *resp, int status, const char *title, const char *text)
{
    struct strbuf b = {0};

    strbuf_puts(&b, "<p class=\"error\" role=\"alert\">");
    html_escape(&b, text);
    strbuf_puts(&b, "</p>\n");
    send_page(resp, status, title, &b);
}

/* The hosted error page for a flow that cannot go on (unknown or expired state). */
static void error_page(struct http_response *resp, const char *why)
{
    html_page(resp, 400, "Something went wrong", why);
}

/* A 302 to url (taken: freed here); NULL (out of memory) answers 500. */
static void redirect(struct http_response *resp, char *url)
{
    if (url == NULL || http_response_add_header(resp, "Location", url) != 0)
        http_response_set_body(resp, 500, NULL, NULL, 0);
    else
        http_response_set_body(resp, 302, NULL, NULL, 0);
    free(url);
}

/* ---- The flow's state ---------------------------------------------------------------------- */

/* Keep doc under a new random key for challenge kind: a new key (free()), NULL on failure. */
static char *state_put(struct store_conn *conn, const char *kind, const char *pool_id,
                       const char *client_id, const cJSON *doc, int64_t now_ms)
{
    char *key = secrets_token(24), *data = cJSON_PrintUnformatted(doc);
    struct store_session s = {(char *)pool_id,
                              (char *)client_id,
                              0,
                              (char *)kind,
                              data,
                              now_ms + OAUTH_FEDERATION_TTL_MS};

    if (key == NULL || data == NULL || store_session_put(conn, key, &s) != STORE_OK) {
        free(key);
        key = NULL;
    }
    free(data);
    return key;
}

/* Take (read and delete) the live record key of challenge kind: its document, or NULL. */
static cJSON *state_take(struct store_conn *conn, const char *kind, const char *key, int64_t now_ms)
{
    struct store_session *s = NULL;
    cJSON *doc = NULL;

    if (key == NULL || key[0] == '\0' || store_session_get(conn, key, &s) != STORE_OK)
        return NULL;
    if (strcmp(s->challenge, kind) == 0) {
        store_session_delete(conn, key);
        if (s->expires_ms > now_ms)
            doc = cJSON_Parse(s->data);
    }
    store_session_free(s);
    return doc;
}

/* ---- Where the IdP is ---------------------------------------------------------------------- */

/* GET url (or POST it an empty body) as JSON (an object), or NULL when it cannot be had. */
static cJSON *fetch_json(const char *url, const char *const *headers, bool post)
{
    struct client_request rq = {.url = url,
                                .headers = headers,
                                .timeout_ms = FED_TIMEOUT_MS,
                                .get = !post,
                                .body = "",
                                .body_len = 0};
    struct client_response rs;
    char detail[256];
    cJSON *doc = NULL;

    if (url == NULL || client_post(&rq, &rs, detail, sizeof(detail)) != CLIENT_OK)
        return NULL;
    if (rs.status == 200)
        doc = cJSON_Parse(rs.body);
    client_response_free(&rs);
    if (!cJSON_IsObject(doc))
        cJSON_Delete(doc), doc = NULL;
    return doc;
}

/* Copy the endpoint name of ProviderDetails, else discovery's member disc, into st as key. */
static int take_endpoint(cJSON *st, const char *key, const cJSON *details, const char *name,
                         const cJSON *disc, const char *disc_name)
{
    const char *v = json_str(details, name);

    if (v == NULL)
        v = json_str(disc, disc_name);
    return v == NULL ? 0 : json_set_str(st, key, v);
}

/*
 * The endpoints of an OIDC provider into st (authorize_url, token_url, jwks_uri,
 * attributes_url, auth_method, attributes_method): from ProviderDetails, the rest from its
 * issuer's discovery document, whose userinfo_endpoint is the attributes_url (Cognito fills
 * all four from discovery, and providers such as oidc-provider put the profile claims in the
 * userinfo answer only). 1 when the provider can be used for real, 0 when it goes to the mock
 * page.
 */
static int oidc_endpoints(const cJSON *provider, cJSON *st)
{
    const cJSON *details = json_get(provider, "ProviderDetails"), *m;
    const char *issuer = json_str(details, "oidc_issuer");
    char url[1200];
    cJSON *disc = NULL;
    bool basic = true;

    if (strcmp(json_str_or(provider, "ProviderType", ""), "OIDC") != 0)
        return 0;
    if ((!json_str(details, "authorize_url") || !json_str(details, "token_url") ||
         !json_str(details, "jwks_uri") || !json_str(details, "attributes_url")) &&
        issuer != NULL) {
        /* OIDC Discovery 4: the issuer's trailing "/" is not doubled. */
        size_t len = strlen(issuer);
        if (len > 0 && issuer[len - 1] == '/')
            len--;
        snprintf(url, sizeof(url), "%.*s/.well-known/openid-configuration", (int)len, issuer);
        disc = fetch_json(url, NULL, false);
    }
    if ((m = json_get(disc, "token_endpoint_auth_methods_supported")) != NULL)
        basic = json_list_has(m, "client_secret_basic") || !json_list_has(m, "client_secret_post");
    take_endpoint(st, "authorize_url", details, "authorize_url", disc, "authorization_endpoint");
    take_endpoint(st, "token_url", details, "token_url", disc, "token_endpoint");
    take_endpoint(st, "jwks_uri", details, "jwks_uri", disc, "jwks_uri");
    take_endpoint(st, "attributes_url", details, "attributes_url", disc, "userinfo_endpoint");
    json_set_str(st, "auth_method", basic ? "client_secret_basic" : "client_secret_post");
    json_set_str(st, "attributes_method", json_str_or(details, "attributes_request_method", "GET"));
    cJSON_Delete(disc);
    /* Explicit URLs are trusted as given; a discovered provider has answered already. */
    return json_str(st, "authorize_url") && json_str(st, "token_url") && json_str(st, "jwks_uri");
}

/* The origin ("scheme://host[:port]") of url into out (size n). */
static void url_origin(const char *url, char *out, size_t n)
{
    const char *host = strstr(url, "://");
    size_t len = host ? (size_t)(strcspn(host + 3, "/") + (size_t)(host + 3 - url)) : strlen(url);

    snprintf(out, n, "%.*s", (int)len, url);
}

/* ---- /oauth2/authorize's hand-over -------------------------------------------------------- */

/* The state document of r at site for provider. NULL when out of memory. */
static cJSON *state_doc(const struct oauth_site *site, const cJSON *provider,
                        const struct oauth_fed_request *r, const char *idp_nonce)
{
    cJSON *st = cJSON_CreateObject();
    const char *const kv[][2] = {{"provider", json_str(provider, "ProviderName")},
                                 {"pool_id", site->pool_id},
                                 {"client_id", r->client_id},
                                 {"redirect_uri", r->redirect_uri},
                                 {"state", r->state},
                                 {"scope", r->scope},
                                 {"nonce", r->nonce},
                                 {"code_challenge", r->code_challenge},
                                 {"code_challenge_method", r->code_challenge_method},
                                 {"response_type", r->response_type},
                                 {"idp_nonce", idp_nonce},
                                 {"base_url", site->base_url}};

    for (size_t i = 0; st != NULL && i < sizeof(kv) / sizeof(kv[0]); i++)
        if (kv[i][1] != NULL && json_set_str(st, kv[i][0], kv[i][1]) != 0)
            cJSON_Delete(st), st = NULL;
    return st;
}

/* The IdP's authorize URL with Cognito's parameters. */
static char *idp_authorize_url(const cJSON *provider, const cJSON *st, const char *state)
{
    const cJSON *details = json_get(provider, "ProviderDetails");
    char back[1200];
    const char *kv[] = {"client_id",     json_str(details, "client_id"),
                        "response_type", "code",
                        "scope",         json_str_or(details, "authorize_scopes", "openid"),
                        "redirect_uri",  back,
                        "state",         state,
                        "nonce",         json_str(st, "idp_nonce")};

    snprintf(back, sizeof(back), "%s/oauth2/idpresponse", json_str(st, "base_url"));
    return oauth_url_with(json_str(st, "authorize_url"), false, kv, 6);
}

/* The mock IdP page's URL for provider, on the emulator's origin. */
static char *mock_authorize_url(const cJSON *provider, const cJSON *st, const char *state)
{
    char origin[1100], url[1400];
    const char *kv[] = {"state", state};

    url_origin(json_str_or(st, "base_url", ""), origin, sizeof(origin));
    snprintf(url, sizeof(url), "%s/_mock-idp/%s/authorize", origin,
             json_str_or(provider, "ProviderName", ""));
    return oauth_url_with(url, false, kv, 1);
}

void oauth_federation_redirect(const struct app *app, struct store_conn *conn,
                               const struct oauth_site *site, const cJSON *provider,
                               const struct oauth_fed_request *r, struct http_response *resp)
{
    struct op_ctx ctx;
    char *nonce = secrets_token(24), *state = NULL, *url = NULL;
    cJSON *st = nonce ? state_doc(site, provider, r, nonce) : NULL;
    int real = 0;

    oauth_ctx_init(&ctx, app, conn, "oauth2/authorize");
    if (st != NULL) {
        real = oidc_endpoints(provider, st);
        json_set_bool(st, "mock", !real);
        state = state_put(conn, FED_STATE, site->pool_id, r->client_id, st, ctx.now_ms);
    }
    if (state != NULL)
        url =
            real ? idp_authorize_url(provider, st, state) : mock_authorize_url(provider, st, state);
    snprintf(resp->label, sizeof(resp->label), "oauth2/authorize -> %s",
             json_str_or(provider, "ProviderName", "?"));
    if (url == NULL)
        http_response_set_body(resp, 500, NULL, NULL, 0);
    else
        redirect(resp, url);
    free(nonce);
    free(state);
    cJSON_Delete(st);
}

/* ---- The mock IdP ------------------------------------------------------------------------ */

/* The claims of the mock form (fields, or mock_* query parameters through get). */
static const char *const MOCK_FIELDS[] = {"sub",     "email",        "email_verified",
                                          "name",    "given_name",   "family_name",
                                          "picture", "phone_number", "preferred_username"};

/* The live flow of state, read without taking it: its document, or NULL. */
static cJSON *state_peek(struct store_conn *conn, const char *key, int64_t now_ms)
{
    struct store_session *s = NULL;
    cJSON *doc = NULL;

    if (key != NULL && store_session_get(conn, key, &s) == STORE_OK &&
        strcmp(s->challenge, FED_STATE) == 0 && s->expires_ms > now_ms)
        doc = cJSON_Parse(s->data);
    store_session_free(s);
    return doc;
}

/* Add "name=value" lines (or a JSON object) of extra to claims; values stay strings. */
static void add_extra_claims(cJSON *claims, const char *extra)
{
    cJSON *obj = extra ? cJSON_Parse(extra) : NULL, *it;
    char line[1024];

    if (cJSON_IsObject(obj)) {
        cJSON_ArrayForEach(it, obj) json_set_item(claims, it->string, cJSON_Duplicate(it, 1));
        cJSON_Delete(obj);
        return;
    }
    cJSON_Delete(obj);
    while (extra != NULL && *extra != '\0') {
        size_t len = strcspn(extra, "\r\n");
        char *eq;
        snprintf(line, sizeof(line), "%.*s", (int)len, extra);
        if ((eq = strchr(line, '=')) != NULL && eq != line) {
            *eq = '\0';
            json_set_str(claims, line, eq + 1);
        }
        extra += len;
        extra += strspn(extra, "\r\n");
    }
}

/* The claims the mock IdP vouches for: the fields given (prefix "mock_" from a query). */
static cJSON *mock_claims(const cJSON *provider, const char *(*get)(const void *, const char *),
                          const void *src, const char *prefix)
{
    cJSON *claims = cJSON_CreateObject();
    char name[64], sub[40];
    const char *v;

    for (size_t i = 0; claims && i < sizeof(MOCK_FIELDS) / sizeof(MOCK_FIELDS[0]); i++) {
        snprintf(name, sizeof(name), "%s%s", prefix, MOCK_FIELDS[i]);
        if ((v = get(src, name)) != NULL && v[0] != '\0')
            json_set_str(claims, MOCK_FIELDS[i], v);
    }
    snprintf(name, sizeof(name), "%sclaims", prefix);
    add_extra_claims(claims, get(src, name));
    if (json_str(claims, "sub") == NULL) {
        ids_uuid(sub);
        json_set_str(claims, "sub", sub);
    }
    /* The provider's own name for the subject (Facebook's id, SAML's NameID...) too. */
    if (json_get(claims, federation_subject_claim(provider)) == NULL)
        json_set_str(claims, federation_subject_claim(provider), json_str(claims, "sub"));
    return claims;
}

static const char *query_get(const void *req, const char *name)
{
    return http_request_query(req, name);
}

static const char *form_field_get(const void *f, const char *name)
{
    return form_get(f, name);
}

/* The provider named by rest ("/<ProviderName>/authorize") and the live flow of state. */
static int mock_load(struct store_conn *conn, const char *rest, const char *state, int64_t now_ms,
                     cJSON **flow, cJSON **provider)
{
    char name[64];
    size_t len = rest[0] == '/' ? strcspn(rest + 1, "/") : 0;

    *provider = NULL;
    if ((*flow = state_peek(conn, state, now_ms)) == NULL || len == 0 || len >= sizeof(name) ||
        strcmp(rest + 1 + len, "/authorize") != 0)
        return -1;
    snprintf(name, sizeof(name), "%.*s", (int)len, rest + 1);
    if (strcmp(json_str_or(*flow, "provider", ""), name) != 0 ||
        identity_provider_get(conn, json_str_or(*flow, "pool_id", ""), name, provider) != STORE_OK)
        return -1;
    return 0;
}

/*
 * A SAML IdP answers with a page that POSTs SAMLResponse and RelayState to Cognito: here the
 * SAMLResponse is base64url of FED_SAML_MOCK + the mock code. A button submits it (no
 * JavaScript needed); a script clicks it for browsers that run one.
 */
static void saml_post_page(struct http_response *resp, const cJSON *flow, const char *code,
                           const char *state)
{
    struct strbuf b = {0}, raw = {0};
    char *token;

    strbuf_puts(&raw, FED_SAML_MOCK);
    strbuf_puts(&raw, code);
    token = raw.p && !raw.oom ? jwt_b64url_encode((const unsigned char *)raw.p, raw.len) : NULL;
    strbuf_puts(&b, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>SAML</title>"
                    "</head><body><form method=\"post\" action=\"");
    html_escape(&b, json_str_or(flow, "base_url", ""));
    strbuf_puts(&b, "/saml2/idpresponse\"><input type=\"hidden\" name=\"SAMLResponse\" value=\"");
    html_escape(&b, token);
    strbuf_puts(&b, "\"><input type=\"hidden\" name=\"RelayState\" value=\"");
    html_escape(&b, state);
    strbuf_puts(&b, "\"><button type=\"submit\" id=\"continue\">Continue</button></form>"
                    "<script>document.getElementById('continue').click()</script>"
                    "</body></html>\n");
    if (token == NULL)
        b.oom = true;
    strbuf_free(&raw);
    free(token);
    send_html(resp, 200, &b);
}

/* Answer the mock IdP's sign-in: a one-time code for claims, back to Cognito. */
static void mock_answer(struct store_conn *conn, const cJSON *flow, const cJSON *provider,
                        cJSON *claims, const char *state, int64_t now_ms,
                        struct http_response *resp)
{
    char back[1200];
    char *code;
    cJSON *doc = cJSON_CreateObject();

    if (doc == NULL || json_set_item(doc, "claims", claims) != 0 ||
        json_set_str(doc, "state", state) != 0 ||
        (code = state_put(conn, FED_MOCK_CODE, json_str(flow, "pool_id"),
                          json_str(flow, "client_id"), doc, now_ms)) == NULL) {
        cJSON_Delete(doc);
        http_response_set_body(resp, 500, NULL, NULL, 0);
        return;
    }
    cJSON_Delete(doc);
    if (strcmp(json_str_or(provider, "ProviderType", ""), "SAML") == 0) {
        saml_post_page(resp, flow, code, state);
    } else {
        const char *kv[] = {"code", code, "state", state};
        snprintf(back, sizeof(back), "%s/oauth2/idpresponse", json_str_or(flow, "base_url", ""));
        redirect(resp, oauth_url_with(back, false, kv, 2));
    }
    free(code);
}

/* The mock IdP's form: one field per claim, the subject pre-filled with a new random one. */
static void mock_form(struct http_response *resp, const char *provider, const char *state)
{
    static const char *const LABELS[] = {"Subject (sub)", "Email",        "Email verified",
                                         "Name",          "Given name",   "Family name",
                                         "Picture URL",   "Phone number", "Preferred username"};
    struct strbuf b = {0}, title = {0};
    char sub[40];
    char *title_text;

    ids_uuid(sub);
    strbuf_puts(&b, "<p class=\"note\">This is the emulator's stand-in for ");
    html_escape(&b, provider);
    strbuf_puts(&b, ": type the identity it should vouch for.</p>\n<form method=\"post\">\n"
                    "<input type=\"hidden\" name=\"state\" value=\"");
    html_escape(&b, state);
    strbuf_puts(&b, "\">\n");
    for (size_t i = 0; i < sizeof(MOCK_FIELDS) / sizeof(MOCK_FIELDS[0]); i++) {
        strbuf_puts(&b, "<label for=\"");
        strbuf_puts(&b, MOCK_FIELDS[i]);
        strbuf_puts(&b, "\">");
        html_escape(&b, LABELS[i]);
        strbuf_puts(&b, "</label>\n<input type=\"text\" id=\"");
        strbuf_puts(&b, MOCK_FIELDS[i]);
        strbuf_puts(&b, "\" name=\"");
        strbuf_puts(&b, MOCK_FIELDS[i]);
        strbuf_puts(&b, "\" value=\"");
        strbuf_puts(&b, i == 0 ? sub : i == 2 ? "true" : "");
        strbuf_puts(&b, "\">\n");
    }
    strbuf_puts(&b, "<label for=\"claims\">Extra claims (name=value, one per line)</label>\n"
                    "<textarea id=\"claims\" name=\"claims\" rows=\"3\"></textarea>\n"
                    "<button type=\"submit\">Sign in</button>\n</form>\n");
    strbuf_puts(&title, "Sign in with ");
    strbuf_puts(&title, provider);
    title_text = strbuf_take(&title);
    send_page(resp, 200, title_text != NULL ? title_text : "Sign in", &b);
    free(title_text);
}

void oauth_federation_mock_page(const struct app *app, const struct http_request *req,
                                const char *rest, struct http_response *resp)
{
    struct store_conn *conn = store_acquire(app->store);
    const char *state = http_request_query(req, "state");
    int64_t now = clock_now_ms();
    cJSON *flow = NULL, *provider = NULL;

    snprintf(resp->label, sizeof(resp->label), "mock-idp");
    if (mock_load(conn, rest, state, now, &flow, &provider) != 0)
        error_page(resp, "The sign-in request is unknown or has expired.");
    else if (http_request_query(req, "mock_sub") || http_request_query(req, "mock_email"))
        /* Non-interactive: the identity is in the query, the form is skipped. */
        mock_answer(conn, flow, provider, mock_claims(provider, query_get, req, "mock_"), state,
                    now, resp);
    else
        mock_form(resp, json_str_or(provider, "ProviderName", ""), state);
    cJSON_Delete(flow);
    cJSON_Delete(provider);
    store_release(app->store, conn);
}

void oauth_federation_mock_submit(const struct app *app, const struct http_request *req,
                                  const char *rest, struct http_response *resp)
{
    struct store_conn *conn = store_acquire(app->store);
    struct form *f = NULL;
    int64_t now = clock_now_ms();
    cJSON *flow = NULL, *provider = NULL;

    snprintf(resp->label, sizeof(resp->label), "mock-idp");
    if (form_parse(req->body, req->body_len, &f) != FORM_OK ||
        mock_load(conn, rest, form_get(f, "state"), now, &flow, &provider) != 0)
        error_page(resp, "The sign-in request is unknown or has expired.");
    else
        mock_answer(conn, flow, provider, mock_claims(provider, form_field_get, f, ""),
                    form_get(f, "state"), now, resp);
    form_free(f);
    cJSON_Delete(flow);
    cJSON_Delete(provider);
    store_release(app->store, conn);
}

/* ---- The code exchange with a real OIDC provider ----------------------------------------- */

/* Why an IdP leg failed: error_description (ends with one space, see the file comment). */
struct fed_error {
    char text[512];
};

/* Record "<IdP name> Error - <what>" (or what alone when name is NULL) in e. Returns -1. */
static int fed_fail(struct fed_error *e, const char *name, const char *what)
{
    if (name != NULL)
        snprintf(e->text, sizeof(e->text), "%s Error - %s", name, what);
    else
        snprintf(e->text, sizeof(e->text), "%s", what);
    return -1;
}

/* POST the token request for code; the response's JSON into *out. */
static int token_request(const cJSON *provider, const cJSON *flow, const char *code, cJSON **out,
                         struct fed_error *e)
{
    const cJSON *details = json_get(provider, "ProviderDetails");
    const char *id = json_str_or(details, "client_id", ""),
               *secret = json_str(details, "client_secret");
    bool basic = secret && strcmp(json_str_or(flow, "auth_method", ""), "client_secret_basic") == 0;
    const char *name = json_str_or(provider, "ProviderName", "");
    char back[1200], status[48], *creds = NULL, *auth_line = NULL, *body;
    struct strbuf userpass = {0}, hdr = {0};
    const char *kv[] = {"grant_type",    "authorization_code",
                        "code",          code,
                        "redirect_uri",  back,
                        "client_id",     basic ? NULL : id,
                        "client_secret", basic ? NULL : secret};
    const char *headers[4] = {"Content-Type: application/x-www-form-urlencoded",
                              "Accept: application/json", NULL, NULL};
    struct client_request rq = {.timeout_ms = FED_TIMEOUT_MS, .url = json_str(flow, "token_url")};
    struct client_response rs;
    enum client_failure failure;

    snprintf(back, sizeof(back), "%s/oauth2/idpresponse", json_str_or(flow, "base_url", ""));
    body = oauth_url_with("", false, kv, 5);
    if (basic) {
        /* RFC 6749 2.3.1: each part form-encoded, then base64 of "id:secret". */
        strbuf_percent_encode(&userpass, id, "");
        strbuf_puts(&userpass, ":");
        strbuf_percent_encode(&userpass, secret, "");
        creds = userpass.p ? secrets_base64(userpass.p, userpass.len) : NULL;
        strbuf_puts(&hdr, "Authorization: Basic ");
        strbuf_puts(&hdr, creds ? creds : "");
        headers[2] = auth_line = hdr.p;
    }
    rq.body = body && body[0] == '?' ? body + 1 : body;
    rq.body_len = rq.body ? strlen(rq.body) : 0;
    rq.headers = headers;
    failure = rq.body ? client_post(&rq, &rs, back, sizeof(back)) : CLIENT_ERROR;
    free(body);
    free(creds);
    strbuf_free(&userpass);
    free(auth_line);
    if (failure == CLIENT_TIMEOUT || failure == CLIENT_UNREACHABLE)
        return fed_fail(e, NULL, "Timeout occurred in calling IdP token endpoint");
    if (failure != CLIENT_OK)
        return fed_fail(e, name, "500 error getting token");
    snprintf(status, sizeof(status), "%ld error getting token", rs.status);
    *out = rs.status == 200 ? cJSON_Parse(rs.body) : NULL;
    client_response_free(&rs);
    if (!cJSON_IsObject(*out)) {
        cJSON_Delete(*out);
        *out = NULL;
        return fed_fail(e, name, status);
    }
    return 0;
}

/* Whether the aud claim (a string or an array) names client_id. */
static bool aud_has(const cJSON *aud, const char *client_id)
{
    return cJSON_IsString(aud) ? strcmp(aud->valuestring, client_id) == 0
                               : json_list_has(aud, client_id);
}

/* Check the IdP's ID token and return its claims in *out. */
static int check_id_token(const cJSON *provider, const cJSON *flow, const char *token,
                          int64_t now_ms, cJSON **out, struct fed_error *e)
{
    const cJSON *details = json_get(provider, "ProviderDetails");
    const char *name = json_str_or(provider, "ProviderName", ""), *why = NULL;
    const char *issuer = json_str(details, "oidc_issuer");
    cJSON *jwks = fetch_json(json_str(flow, "jwks_uri"), NULL, false), *c = NULL;

    if (token == NULL)
        why = "no id_token";
    else if (jwks == NULL)
        why = "the JWKS cannot be read";
    else if (jwk_verify_rs256(token, jwks, &c) != JWT_OK)
        why = "bad signature";
    else if (issuer != NULL && strcmp(json_str_or(c, "iss", ""), issuer) != 0)
        why = "wrong issuer";
    else if (!aud_has(json_get(c, "aud"), json_str_or(details, "client_id", "")))
        why = "wrong audience";
    else if (strcmp(json_str_or(c, "nonce", ""), json_str_or(flow, "idp_nonce", "-")) != 0)
        why = "wrong nonce";
    else if (json_int(c, "exp", 0) * 1000 <= now_ms)
        why = "expired";
    cJSON_Delete(jwks);
    if (why != NULL) {
        cJSON_Delete(c);
        char what[128];
        snprintf(what, sizeof(what), "invalid id_token: %s", why);
        return fed_fail(e, name, what);
    }
    *out = c;
    return 0;
}

/*
 * Merge the provider's attributes_url (userinfo) answer into claims, when it has one: a GET,
 * or an empty form POST when attributes_request_method is POST (OIDC Core 5.3.1), the access
 * token as a bearer token either way.
 */
static void add_userinfo(const cJSON *flow, const char *access_token, cJSON *claims)
{
    struct strbuf auth = {0};
    bool post = strcmp(json_str_or(flow, "attributes_method", "GET"), "POST") == 0;
    const char *headers[] = {NULL, "Accept: application/json",
                             post ? "Content-Type: application/x-www-form-urlencoded" : NULL, NULL};
    cJSON *info, *it;

    if (json_str(flow, "attributes_url") == NULL || access_token == NULL)
        return;
    strbuf_puts(&auth, "Authorization: Bearer ");
    strbuf_puts(&auth, access_token);
    headers[0] = auth.p;
    info = auth.p ? fetch_json(json_str(flow, "attributes_url"), headers, post) : NULL;
    /* A userinfo answer about someone else is ignored (OIDC Core 5.3.2). */
    if (info != NULL && strcmp(json_str_or(info, "sub", ""), json_str_or(claims, "sub", "")) == 0)
        cJSON_ArrayForEach(it, info) if (json_get(claims, it->string) == NULL)
            json_set_item(claims, it->string, cJSON_Duplicate(it, 1));
    cJSON_Delete(info);
    strbuf_free(&auth);
}

/* The claims of a real OIDC provider for code. */
static int oidc_claims(const cJSON *provider, const cJSON *flow, const char *code, int64_t now_ms,
                       cJSON **claims, struct fed_error *e)
{
    cJSON *tokens = NULL;
    int rc;

    if (token_request(provider, flow, code, &tokens, e) != 0)
        return -1;
    rc = check_id_token(provider, flow, json_str(tokens, "id_token"), now_ms, claims, e);
    if (rc == 0)
        add_userinfo(flow, json_str(tokens, "access_token"), *claims);
    cJSON_Delete(tokens);
    return rc;
}

/* The claims behind a mock code (taken once), or -1 when it is unknown, used or not state's. */
static int mock_code_claims(struct store_conn *conn, const char *code, const char *state,
                            int64_t now_ms, cJSON **claims, struct fed_error *e)
{
    cJSON *doc = state_take(conn, FED_MOCK_CODE, code, now_ms);

    *claims = NULL;
    if (doc != NULL && strcmp(json_str_or(doc, "state", ""), state) == 0)
        *claims = cJSON_DetachItemFromObjectCaseSensitive(doc, "claims");
    cJSON_Delete(doc);
    return cJSON_IsObject(*claims) ? 0 : fed_fail(e, NULL, "Invalid code received from the IdP");
}

/* ---- The end of the leg ------------------------------------------------------------------- */

/* Redirect to the app's redirect_uri with error=invalid_request, the description and state. */
static void app_error(struct http_response *resp, const cJSON *flow, const char *description)
{
    char text[600];
    const char *kv[] = {"error_description",     text,    "state",
                        json_str(flow, "state"), "error", "invalid_request"};

    snprintf(text, sizeof(text), "%s ", description);
    redirect(resp, oauth_url_with(json_str_or(flow, "redirect_uri", ""), false, kv, 3));
}

/* The app's authorize request kept in flow, as the hosted pages take it. */
static struct oauth_fed_request flow_request(const cJSON *flow)
{
    const char *nonce = json_str(flow, "nonce");

    return (struct oauth_fed_request){
        .client_id = json_str(flow, "client_id"),
        .redirect_uri = json_str(flow, "redirect_uri"),
        .state = json_str(flow, "state"),
        .scope = json_str(flow, "scope"),
        /* Without the app's nonce, Cognito's own for the IdP leg (hosted-ui.md 2.9). */
        .nonce = nonce != NULL ? nonce : json_str(flow, "idp_nonce"),
        .code_challenge = json_str(flow, "code_challenge"),
        .code_challenge_method = json_str(flow, "code_challenge_method"),
        .response_type = json_str_or(flow, "response_type", "code"),
    };
}

/*
 * Sign in the identity of claims for flow: true with *user_seq and *auth_time set; false when
 * refused, resp then holds the app's error.
 */
static bool sign_in(const struct app *app, struct store_conn *conn, const cJSON *flow,
                    const cJSON *claims, int64_t *user_seq, int64_t *auth_time,
                    struct http_response *resp)
{
    struct op_ctx ctx;
    cJSON *pool = NULL, *provider = NULL;
    struct store_user *u = NULL;
    bool ok = false;

    oauth_ctx_init(&ctx, app, conn, "oauth2/idpresponse");
    if (pool_load(&ctx, json_str(flow, "pool_id"), &pool) != 0 ||
        identity_provider_get(conn, json_str(flow, "pool_id"), json_str(flow, "provider"),
                              &provider) != STORE_OK) {
        app_error(resp, flow, "The identity provider or its user pool no longer exists.");
    } else if (federation_sign_in(&ctx, pool, provider, claims, json_str(flow, "client_id"), &u,
                                  auth_time) != 0) {
        app_error(resp, flow, ctx.err.message);
    } else {
        *user_seq = u->seq;
        ok = true;
    }
    ops_ctx_finish(&ctx);
    store_user_free(u);
    cJSON_Delete(pool);
    cJSON_Delete(provider);
    return ok;
}

/*
 * Both idpresponse endpoints: the flow of state, the claims behind code, the sign-in, then the
 * hosted pages' own ending (its store connection given back first: that ending takes one).
 */
static void idp_return(const struct app *app, const struct http_request *req, const char *domain,
                       const char *state, const char *code, const char *idp_error,
                       struct http_response *resp)
{
    struct store_conn *conn = store_acquire(app->store);
    int64_t now = clock_now_ms(), user_seq = 0, auth_time = 0;
    cJSON *flow = state_take(conn, FED_STATE, state, now), *claims = NULL, *provider = NULL;
    struct fed_error e = {{0}};
    bool signed_in = false;

    if (flow == NULL) {
        /* answered below, once the connection is back */
    } else if (idp_error != NULL) {
        snprintf(e.text, sizeof(e.text), "%s Error - %s", json_str_or(flow, "provider", ""),
                 idp_error);
        app_error(resp, flow, e.text);
    } else if (json_bool(flow, "mock", true)
                   ? mock_code_claims(conn, code, state, now, &claims, &e) != 0
                   : (identity_provider_get(conn, json_str(flow, "pool_id"),
                                            json_str(flow, "provider"), &provider) != STORE_OK ||
                      oidc_claims(provider, flow, code ? code : "", now, &claims, &e) != 0)) {
        app_error(resp, flow, e.text[0] ? e.text : "The identity provider no longer exists.");
    } else {
        signed_in = sign_in(app, conn, flow, claims, &user_seq, &auth_time, resp);
    }
    store_release(app->store, conn);
    if (flow == NULL) {
        hosted_flow_error(app, req, domain, "The sign-in request is unknown or has expired.", resp);
    } else if (signed_in) {
        struct oauth_fed_request r = flow_request(flow);
        hosted_finish_flow(app, req, domain, &r, user_seq, auth_time, resp);
    }
    cJSON_Delete(flow);
    cJSON_Delete(claims);
    cJSON_Delete(provider);
}

void oauth_federation_idpresponse(const struct app *app, const struct http_request *req,
                                  const char *domain, struct http_response *resp)
{
    snprintf(resp->label, sizeof(resp->label), "oauth2/idpresponse");
    idp_return(app, req, domain, http_request_query(req, "state"), http_request_query(req, "code"),
               http_request_query(req, "error"), resp);
}

void oauth_federation_saml_response(const struct app *app, const struct http_request *req,
                                    const char *domain, struct http_response *resp)
{
    struct form *f = NULL;
    const char *saml;
    unsigned char *raw = NULL;
    size_t len = 0;
    char code[128] = "";

    snprintf(resp->label, sizeof(resp->label), "saml2/idpresponse");
    if (form_parse(req->body, req->body_len, &f) == FORM_OK &&
        (saml = form_get(f, "SAMLResponse")) != NULL &&
        (raw = jwt_b64url_decode(saml, strlen(saml), &len)) != NULL &&
        len > strlen(FED_SAML_MOCK) && len - strlen(FED_SAML_MOCK) < sizeof(code) &&
        memcmp(raw, FED_SAML_MOCK, strlen(FED_SAML_MOCK)) == 0)
        snprintf(code, sizeof(code), "%.*s", (int)(len - strlen(FED_SAML_MOCK)),
                 (const char *)raw + strlen(FED_SAML_MOCK));
    /* Only the mock IdP's responses are understood: a real assertion is not verified. */
    idp_return(app, req, domain, f ? form_get(f, "RelayState") : NULL, code,
               code[0] ? NULL : "SAML responses other than the emulator's mock are not supported",
               resp);
    free(raw);
    form_free(f);
}
