/*
 * hosted_int: what the files of the hosted sign-in pages share (oauth_authorize.c,
 * hosted_login.c, hosted_account.c; nothing else includes it). One request to a page is a
 * struct hosted: its site and app client, the authorize parameters it carries along, and the
 * response it fills. hosted.c has the request and the pages (templates of server/oauth/pages
 * in the layout, util/html.h); hosted_check.c the checks of section 2.2 of
 * ../shared/oauth2-hosted-ui.md (which client, which redirect, then what the app may ask);
 * hosted_session.c the anti-forgery token of the forms, the hosted session (single sign-on)
 * and the answer to the app (a code, via a 302).
 *
 * Responses. A fault before the client and its redirect URL are trusted never goes to the
 * app: the browser goes to the domain's /error page (or, when even the domain is unknown,
 * gets that page at once). A fault after that goes back to the app as error=...&state=...
 * Every page is HTML with no script, no external file, and nothing the user sent unescaped.
 */
#ifndef COG_HOSTED_INT_H
#define COG_HOSTED_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "app.h"
#include "aws/op.h"
#include "http/form.h"
#include "http/http.h"
#include "oauth/oauth.h"
#include "oauth/oauth_client.h"
#include "util/html.h"

/* The authorize parameters (section 2.2), which every page carries on to the next. */
#define HOSTED_PARAMS(X)                                                                           \
    X(RESPONSE_TYPE, "response_type")                                                              \
    X(CLIENT_ID, "client_id")                                                                      \
    X(REDIRECT_URI, "redirect_uri")                                                                \
    X(STATE, "state")                                                                              \
    X(SCOPE, "scope")                                                                              \
    X(CODE_CHALLENGE, "code_challenge")                                                            \
    X(CODE_CHALLENGE_METHOD, "code_challenge_method")                                              \
    X(NONCE, "nonce")                                                                              \
    X(IDENTITY_PROVIDER, "identity_provider")                                                      \
    X(IDP_IDENTIFIER, "idp_identifier")                                                            \
    X(PROMPT, "prompt")                                                                            \
    X(LOGIN_HINT, "login_hint")                                                                    \
    X(LANG, "lang")

enum hosted_param {
#define HOSTED_PARAM_ENUM(id, name) HP_##id,
    HOSTED_PARAMS(HOSTED_PARAM_ENUM)
#undef HOSTED_PARAM_ENUM
        HP__COUNT
};

/* One request to a hosted page. */
struct hosted {
    const struct app *app;
    const struct http_request *req;
    struct http_response *resp;
    const char *domain; /* the route's domain segment ("" at the root) */
    struct store_conn *conn;
    struct op_ctx ctx;             /* for user-pool and auth functions; ctx.out is an object */
    struct form *form;             /* a POST's fields, or NULL */
    struct form *cookies;          /* the Cookie header's, or NULL */
    const char *params[HP__COUNT]; /* borrowed from form or query; "" counts as absent */
    struct oauth_client client;    /* once hosted_check_client() passed */
    struct oauth_site site;
    bool has_site;            /* site is filled (even when the client was refused) */
    const char *redirect_uri; /* the one to answer: redirect_uri, or the DefaultRedirectURI */
    char *scope;              /* the scopes granted (hosted_check_request) */
    cJSON *provider;          /* the external identity provider asked for, or NULL (COGNITO) */
    char csrf[64];            /* a new anti-forgery token (hosted_csrf_token) */
};

/* Start h for req (operation names it in logs): a store connection, the cookies, the fields
 * of a form POST, the parameters (form first, then query). false when out of memory or the
 * form is malformed: resp then has its answer. */
bool hosted_begin(struct hosted *h, const struct app *app, const struct http_request *req,
                  const char *domain, struct http_response *resp, const char *operation);
void hosted_end(struct hosted *h);

/* A form field (POST) or query parameter, "" counting as absent; NULL when absent. */
const char *hosted_field(const struct hosted *h, const char *name);

/* ---- Checks ----------------------------------------------------------------------------- */

/* The client (client_id) and the site it is reached at. false: resp has the answer. */
bool hosted_check_client(struct hosted *h);

/* The redirect URL: exactly one of the client's CallbackURLs (or its DefaultRedirectURI when
 * there is none and the client has one identity provider). false: resp has the answer. */
bool hosted_check_redirect(struct hosted *h);

/* Once client and redirect are trusted: response_type, the flow, the scopes, PKCE and the
 * identity provider (errors go to the app). false: resp has the answer. */
bool hosted_check_request(struct hosted *h);

/* The three in order: what every page of the sign-in does first. */
bool hosted_check_all(struct hosted *h);

/* ---- Answers ---------------------------------------------------------------------------- */

/* 302 to url (copied), never cached. */
void hosted_redirect(struct hosted *h, const char *url);

/* 302 to the site's path (e.g. "/login") with the authorize parameters as its query. */
void hosted_redirect_page(struct hosted *h, const char *path);

/* Send the browser to the domain's /error page with error (and client_id); when the site is
 * unknown, answer that page at once. */
void hosted_fail(struct hosted *h, const char *error);

/* 302 back to the app: redirect_uri?error=...&error_description=...&state=... */
void hosted_app_error(struct hosted *h, const char *error, const char *description);

/* Answer a page: the template file (its slots from slots, n of them) inside the layout,
 * titled title, with status; the app line names the client (or is empty). */
void hosted_page(struct hosted *h, int status, const char *title, const char *file,
                 const struct html_slot *slots, size_t n);

/* The error page (section 2.2: "An error was encountered with the requested page.") with
 * detail below it; status 400 unless given. */
void hosted_error_page(struct hosted *h, int status, const char *detail);

/* 500 page for a failure of the server itself (logged). */
void hosted_internal(struct hosted *h, const char *what);

/* <input type="hidden"> fields for the authorize parameters, escaped (NULL: no memory). */
char *hosted_hidden_params(const struct hosted *h);

/* site base + path + "?" + the authorize parameters, percent-encoded (NULL: no memory). */
char *hosted_page_url(const struct hosted *h, const char *path);

/* A form page (template form.html) that posts to the site's path with the anti-forgery
 * token and the authorize parameters, and links back to the sign-in page. */
struct hosted_form {
    const char *title;
    const char *note;        /* the line that says what to do (may be NULL) */
    const char *error;       /* a refusal to show above it (may be NULL) */
    const char *path;        /* where it posts: "/login", "/signup"... */
    const char *hidden;      /* more hidden fields, built by the server (may be NULL) */
    const char *fields;      /* the inputs, built by the server */
    const char *button;      /* the submit button's text */
    const char *button_name; /* and its name */
};

void hosted_form_page(struct hosted *h, int status, const struct hosted_form *form);

/* Append to b a labelled input (id and name alike; type; autocomplete; value, or NULL for
 * none), or a hidden field. */
void hosted_add_input(struct strbuf *b, const char *name, const char *label, const char *type,
                      const char *autocomplete, const char *value);
void hosted_add_hidden(struct strbuf *b, const char *name, const char *value);

/* "<p class=\"cls\">message</p>", escaped ("error" or "note"); NULL message gives NULL.
 * The caller frees. */
char *hosted_line(const char *cls, const char *message);

/* hosted_login.c: the sign-in form, with a refusal (message) or a note above it (either may
 * be NULL) and username filled in. */
void hosted_login_page(struct hosted *h, int status, const char *message, const char *note,
                       const char *username);

/* The password sign-in of the form's username and password fields (the API's
 * USER_PASSWORD_AUTH): the app, a challenge page, or the form again with the refusal. */
void hosted_password_sign_in(struct hosted *h);

/* The user signed in by a page other than the sign-in form (after confirming a sign-up):
 * start the session and answer the app. */
void hosted_signed_in(struct hosted *h, int64_t user_seq);

/* hosted.c: run AWS operation op (e.g. "SignUp") with input in (taken; the client's
 * SECRET_HASH is added for Username when it has a secret), as the API runs it: validation,
 * triggers, delivery to the inbox. 0 with *out its output (may be NULL: not wanted), or -1
 * with h->ctx.err the refusal. */
int hosted_call(struct hosted *h, const char *op, cJSON *in, cJSON **out);

/* ---- Forgery protection ----------------------------------------------------------------- */

/* The anti-forgery token a page's form carries as _csrf: the XSRF-TOKEN cookie's, or a new
 * one set as that cookie. NULL when out of memory. Borrowed from h. */
const char *hosted_csrf_token(struct hosted *h);

/* Whether a POST's _csrf field equals its XSRF-TOKEN cookie. When not, answers 403. */
bool hosted_csrf_check(struct hosted *h);

/* ---- The hosted session and the answer to the app ----------------------------------------- */

/* The user of a live hosted session of the site's pool (cookie "cognito"): 1 with *user_seq
 * and *auth_time, 0 none, -1 the store failed. A disabled or deleted user has none. */
int hosted_session_get(struct hosted *h, int64_t *user_seq, int64_t *auth_time);

/* Start a hosted session for user_seq (Set-Cookie). 0, or -1 the store failed. */
int hosted_session_start(struct hosted *h, int64_t user_seq, int64_t auth_time);

/* End the hosted session of the request, if any: its row and its cookie. */
void hosted_session_end(struct hosted *h);

/* The user signed in (auth_time seconds): answer the app (a code for response_type=code). */
void hosted_answer_app(struct hosted *h, int64_t user_seq, int64_t auth_time);

#endif
