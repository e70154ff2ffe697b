/*
 * hosted_session: the cookies of the hosted pages: the anti-forgery token of their forms and
 * the hosted session (single sign-on, one hour); and the answer to the app once a user is
 * signed in (a one-time code, or the implicit grant's tokens), after the sign-in form or after
 * an identity provider (hosted_finish_flow). See hosted_int.h.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/secrets.h"
#include "oauth/hosted_int.h"
#include "oauth/oauth_hosted.h"
#include "oauth/oauth_token.h"
#include "store/store.h"
#include "util/jsonutil.h"
#include "util/log.h"

/* The hosted session's cookie (Cognito's classic hosted UI calls it "cognito"), and how long
 * it lasts: one hour, as Cognito documents for the hosted session. */
#define SESSION_COOKIE "cognito"
#define SESSION_SECONDS 3600
#define SESSION_BYTES 32

/* The anti-forgery cookie and field (../shared/oauth2-hosted-ui.md 2.3: unverified names). */
#define CSRF_COOKIE "XSRF-TOKEN"
#define CSRF_FIELD "_csrf"
#define CSRF_BYTES 24

/* ---- Cookies ------------------------------------------------------------------------------ */

/* Set cookie name=value (NULL: delete it) on the site's path, for max_age seconds. */
static void set_cookie(struct hosted *h, const char *name, const char *value, long long max_age)
{
    struct form_cookie c = {
        .name = name,
        .value = value != NULL ? value : "",
        .path = h->site.cookie_path[0] != '\0' ? h->site.cookie_path : "/",
        .max_age = value != NULL ? max_age : FORM_COOKIE_DELETE,
        .http_only = true,
        .secure = h->site.secure,
        .same_site = "Lax",
    };
    char *text = form_cookie_format(&c);

    if (text == NULL || http_response_add_header(h->resp, "Set-Cookie", text) != 0)
        log_error("hosted: cannot set cookie %s", name);
    free(text);
}

/* Whether v looks like a token this file made: base64url, of a sane length. */
static bool token_shaped(const char *v)
{
    size_t n = v != NULL ? strlen(v) : 0;

    return n >= 16 && n <= 128 &&
           strspn(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") == n;
}

const char *hosted_csrf_token(struct hosted *h)
{
    const char *have = form_get(h->cookies, CSRF_COOKIE);
    char *token;

    if (token_shaped(have))
        return have;
    if ((token = secrets_token(CSRF_BYTES)) == NULL)
        return NULL;
    snprintf(h->csrf, sizeof(h->csrf), "%s", token);
    free(token);
    set_cookie(h, CSRF_COOKIE, h->csrf, 0);
    return h->csrf;
}

bool hosted_csrf_check(struct hosted *h)
{
    const char *cookie = form_get(h->cookies, CSRF_COOKIE);
    const char *field = h->form != NULL ? form_get(h->form, CSRF_FIELD) : NULL;

    if (token_shaped(cookie) && field != NULL && secrets_equal(cookie, field))
        return true;
    hosted_page(h, 403, "Request refused", "error.html",
                (const struct html_slot[]){
                    {"message", "This form has expired or did not come from this site."},
                    {"detail", "Go back, reload the page and try again."}},
                2);
    return false;
}

/* ---- The hosted session ------------------------------------------------------------------- */

int hosted_session_get(struct hosted *h, int64_t *user_seq, int64_t *auth_time)
{
    const char *value = form_get(h->cookies, SESSION_COOKIE);
    struct store_hosted_session *s = NULL;
    struct store_user *u = NULL;
    char hash[65];
    int rc, live = 0;

    if (!token_shaped(value))
        return 0;
    secrets_sha256_hex(value, hash);
    rc = store_hosted_session_get(h->conn, hash, &s);
    if (rc == STORE_OK && strcmp(s->pool_id, h->site.pool_id) == 0 &&
        s->expires_ms > h->ctx.now_ms) {
        rc = store_user_get_by_seq(h->conn, s->user_seq, &u);
        live = rc == STORE_OK && u->enabled && strcmp(u->pool_id, h->site.pool_id) == 0;
        *user_seq = s->user_seq;
        *auth_time = s->auth_time;
    }
    store_user_free(u);
    store_hosted_session_free(s);
    return rc == STORE_ERROR ? -1 : live;
}

int hosted_session_start(struct hosted *h, int64_t user_seq, int64_t auth_time)
{
    char *value = secrets_token(SESSION_BYTES);
    char hash[65];
    struct store_hosted_session s = {.pool_id = h->site.pool_id,
                                     .user_seq = user_seq,
                                     .auth_time = auth_time,
                                     .expires_ms = h->ctx.now_ms + SESSION_SECONDS * 1000LL};
    int rc = -1;

    if (value == NULL)
        return -1;
    secrets_sha256_hex(value, hash);
    if (store_hosted_session_put(h->conn, hash, &s, h->ctx.now_ms) == STORE_OK) {
        set_cookie(h, SESSION_COOKIE, value, SESSION_SECONDS);
        rc = 0;
    }
    free(value);
    return rc;
}

void hosted_session_end(struct hosted *h)
{
    const char *value = form_get(h->cookies, SESSION_COOKIE);
    char hash[65];

    if (token_shaped(value)) {
        secrets_sha256_hex(value, hash);
        if (store_hosted_session_delete(h->conn, hash) == STORE_ERROR)
            log_error("hosted: cannot delete a hosted session");
    }
    set_cookie(h, SESSION_COOKIE, NULL, 0);
}

/* ---- The answer to the app ---------------------------------------------------------------- */

/*
 * response_type=token, the implicit grant (section 2.2): the tokens of g in the redirect's
 * fragment, with token_type, expires_in and state, and never a refresh token.
 */
static void answer_implicit(struct hosted *h, const struct oauth_grant *g)
{
    cJSON *tokens = NULL;
    enum oauth_issue_status st = oauth_token_issue(&h->ctx, g, false, &tokens);
    char expires[24], *url;

    if (st == OAUTH_ISSUE_NO_USER) {
        hosted_app_error(h, "invalid_request", "User does not exist.");
        return;
    }
    if (st != OAUTH_ISSUE_OK) {
        hosted_app_error(h, "invalid_request", h->ctx.err.message);
        return;
    }
    snprintf(expires, sizeof(expires), "%lld", (long long)json_int(tokens, "expires_in", 0));
    url = oauth_url_with(h->redirect_uri, true,
                         (const char *const[]){"id_token", json_str(tokens, "id_token"),
                                               "access_token", json_str(tokens, "access_token"),
                                               "token_type", "Bearer", "expires_in", expires,
                                               "state", h->params[HP_STATE]},
                         5);
    cJSON_Delete(tokens);
    hosted_redirect(h, url);
    free(url);
}

void hosted_answer_app(struct hosted *h, int64_t user_seq, int64_t auth_time)
{
    struct oauth_grant g = {
        .pool_id = h->site.pool_id,
        .client_id = (char *)h->client.id,
        .user_seq = user_seq,
        .redirect_uri = (char *)h->redirect_uri,
        .scope = h->scope,
        .nonce = (char *)h->params[HP_NONCE],
        .code_challenge = (char *)h->params[HP_CODE_CHALLENGE],
        .code_challenge_method = (char *)h->params[HP_CODE_CHALLENGE_METHOD],
        .auth_time = auth_time,
    };
    char *code = NULL, *url;

    if (strcmp(h->params[HP_RESPONSE_TYPE], "token") == 0) {
        answer_implicit(h, &g);
        return;
    }
    if (oauth_code_issue(h->conn, &g, h->ctx.now_ms, &code) != STORE_OK) {
        hosted_internal(h, "cannot store an authorization code");
        return;
    }
    url = oauth_url_with(h->redirect_uri, false,
                         (const char *const[]){"code", code, "state", h->params[HP_STATE]}, 2);
    hosted_redirect(h, url);
    free(url);
    free(code);
}

/* ---- The end of a sign-in at an identity provider ----------------------------------------- */

void hosted_finish_flow(const struct app *app, const struct http_request *req, const char *domain,
                        const struct oauth_fed_request *r, int64_t user_seq, int64_t auth_time,
                        struct http_response *resp)
{
    struct hosted h;

    if (!hosted_begin(&h, app, req, domain, resp, "oauth2/idpresponse"))
        goto out;
    /* The authorize request is the one kept for the flow, not this request's parameters. */
    for (size_t i = 0; i < HP__COUNT; i++)
        h.params[i] = NULL;
    h.params[HP_RESPONSE_TYPE] = r->response_type;
    h.params[HP_CLIENT_ID] = r->client_id;
    h.params[HP_REDIRECT_URI] = r->redirect_uri;
    h.params[HP_STATE] = r->state;
    h.params[HP_NONCE] = r->nonce;
    h.params[HP_CODE_CHALLENGE] = r->code_challenge;
    h.params[HP_CODE_CHALLENGE_METHOD] = r->code_challenge_method;
    /* The client and its redirect were checked at /oauth2/authorize; checked again, as the
     * client may have changed in the minutes spent at the provider. */
    if (!hosted_check_client(&h) || !hosted_check_redirect(&h))
        goto out;
    if ((h.scope = strdup(r->scope != NULL ? r->scope : "")) == NULL ||
        hosted_session_start(&h, user_seq, auth_time) != 0)
        hosted_internal(&h, "cannot start the hosted session");
    else
        hosted_answer_app(&h, user_seq, auth_time);
out:
    hosted_end(&h);
}

void hosted_flow_error(const struct app *app, const struct http_request *req, const char *domain,
                       const char *detail, struct http_response *resp)
{
    struct hosted h;

    if (hosted_begin(&h, app, req, domain, resp, "oauth2/idpresponse"))
        hosted_error_page(&h, 400, detail);
    hosted_end(&h);
}
