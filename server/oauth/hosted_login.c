/*
 * hosted_login: the sign-in page (GET and POST /login), the challenge pages that continue a
 * sign-in (NEW_PASSWORD_REQUIRED, and the MFA codes SOFTWARE_TOKEN_MFA, SMS_MFA, EMAIL_OTP),
 * and GET /logout (../shared/oauth2-hosted-ui.md 2.3, 2.4).
 *
 * The sign-in is the API's (auth/auth_hosted.h): InitiateAuth USER_PASSWORD_AUTH, then
 * RespondToAuthChallenge for each challenge, so triggers, lockout, user states and password
 * rules are the same. A challenge page posts back to /login with the challenge's name, its
 * session and the username as hidden fields, beside the authorize parameters every page
 * carries. A refused password shows the form again with the API's message ("Incorrect
 * username or password."); a success starts the hosted session and answers the app.
 */
#include "config.h"

#include <cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/auth_hosted.h"
#include "aws/params.h"
#include "oauth/hosted_int.h"
#include "oauth/oauth_hosted.h"
#include "util/jsonutil.h"
#include "util/strbuf.h"

/* ---- The sign-in form --------------------------------------------------------------------- */

/* The links under the sign-in form: reset, and sign-up when the pool lets users sign up. */
static char *login_links(const struct hosted *h)
{
    const cJSON *admin = json_get(h->client.pool, "AdminCreateUserConfig");
    char *forgot = hosted_page_url(h, "/forgotPassword"), *signup = hosted_page_url(h, "/signup");
    struct strbuf b = {0};

    strbuf_puts(&b, "<a href=\"");
    html_escape(&b, forgot);
    strbuf_puts(&b, "\">Forgot your password?</a>");
    if (!json_bool(admin, "AllowAdminCreateUserOnly", false)) {
        strbuf_puts(&b, " &middot; <a href=\"");
        html_escape(&b, signup);
        strbuf_puts(&b, "\">Need an account? Sign up</a>");
    }
    free(forgot);
    free(signup);
    return strbuf_take(&b);
}

/* The authorize URL of the request, asking for provider instead of its own choice. */
static char *provider_url(struct hosted *h, const char *provider)
{
    const char *idp = h->params[HP_IDENTITY_PROVIDER], *id = h->params[HP_IDP_IDENTIFIER];
    char *base, *url;

    h->params[HP_IDENTITY_PROVIDER] = h->params[HP_IDP_IDENTIFIER] = NULL;
    base = hosted_page_url(h, "/oauth2/authorize");
    h->params[HP_IDENTITY_PROVIDER] = idp;
    h->params[HP_IDP_IDENTIFIER] = id;
    url = base != NULL
              ? oauth_url_with(base, false, (const char *const[]){"identity_provider", provider}, 1)
              : NULL;
    free(base);
    return url;
}

/*
 * One button per external identity provider the client supports (section 2.3), each an
 * authorize link naming it; "" when there is none. NULL when out of memory.
 */
static char *provider_buttons(struct hosted *h)
{
    struct strbuf b = {0};
    const cJSON *p;

    strbuf_puts(&b, "");
    cJSON_ArrayForEach(p, json_get(h->client.client, "SupportedIdentityProviders"))
    {
        char *url;
        if (!cJSON_IsString(p) || strcmp(p->valuestring, "COGNITO") == 0)
            continue;
        if ((url = provider_url(h, p->valuestring)) == NULL) {
            strbuf_free(&b);
            return NULL;
        }
        strbuf_puts(&b, "<a class=\"button idp idpButton-customizable\" href=\"");
        html_escape(&b, url);
        strbuf_puts(&b, "\">Continue with ");
        html_escape(&b, p->valuestring);
        strbuf_puts(&b, "</a>\n");
        free(url);
    }
    return strbuf_take(&b);
}

void hosted_login_page(struct hosted *h, int status, const char *message, const char *note,
                       const char *username)
{
    char action[sizeof(h->site.base_url) + 8];
    char *hidden = hosted_hidden_params(h), *error = hosted_line("error", message);
    char *note_line = hosted_line("note", note), *links = login_links(h);
    char *providers = provider_buttons(h);
    const char *csrf = hosted_csrf_token(h);
    /* Without COGNITO among its providers, the client signs in only through the buttons. */
    const char *file =
        oauth_client_supports_idp(&h->client, "COGNITO") ? "login.html" : "providers.html";
    const struct html_slot slots[] = {
        {"action", action},  {"csrf", csrf},   {"hidden", hidden},     {"error", error},
        {"note", note_line}, {"links", links}, {"username", username}, {"providers", providers}};

    snprintf(action, sizeof(action), "%s/login", h->site.base_url);
    if (hidden == NULL || csrf == NULL || links == NULL || providers == NULL)
        hosted_internal(h, "out of memory");
    else
        hosted_page(h, status, "Sign in", file, slots, sizeof(slots) / sizeof(slots[0]));
    free(providers);
    free(hidden);
    free(error);
    free(note_line);
    free(links);
}

/* The sign-in form with message (may be NULL) above it. */
static void login_page(struct hosted *h, int status, const char *message, const char *username)
{
    hosted_login_page(h, status, message, NULL, username);
}

/* GET /login: the form, for a request that passes authorize's checks. */
void hosted_login_get(const struct app *app, const struct http_request *req, const char *domain,
                      struct http_response *resp)
{
    struct hosted h;

    if (hosted_begin(&h, app, req, domain, resp, "login") && hosted_check_all(&h))
        login_page(&h, 200, NULL, h.params[HP_LOGIN_HINT]);
    hosted_end(&h);
}

/* ---- Challenges --------------------------------------------------------------------------- */

/* A challenge the pages answer with one code field: its response key and its words. */
struct code_challenge {
    const char *name;     /* ChallengeName */
    const char *response; /* the ChallengeResponses key of the code */
    const char *note;     /* what the page says */
};

static const struct code_challenge CODE_CHALLENGES[] = {
    {"SOFTWARE_TOKEN_MFA", "SOFTWARE_TOKEN_MFA_CODE",
     "Enter the 6-digit code from your authenticator app."},
    {"SMS_MFA", "SMS_MFA_CODE", "We sent a code by text message. Enter it to sign in."},
    {"EMAIL_OTP", "EMAIL_OTP_CODE", "We sent a code by email. Enter it to sign in."},
};

static const struct code_challenge *find_code_challenge(const char *name)
{
    for (size_t i = 0; name != NULL && i < sizeof(CODE_CHALLENGES) / sizeof(CODE_CHALLENGES[0]);
         i++)
        if (strcmp(CODE_CHALLENGES[i].name, name) == 0)
            return &CODE_CHALLENGES[i];
    return NULL;
}

/*
 * The fields of NEW_PASSWORD_REQUIRED: the new password twice, and each attribute the pool
 * requires that the user lacks (required: the challenge's requiredAttributes, JSON text of
 * "userAttributes.<name>" entries).
 */
static void new_password_fields(struct strbuf *b, const char *required)
{
    cJSON *list = required != NULL ? cJSON_Parse(required) : NULL;
    const cJSON *item;

    hosted_add_input(b, "new_password", "New password", "password", "new-password", NULL);
    hosted_add_input(b, "confirm_password", "Enter the new password again", "password",
                     "new-password", NULL);
    cJSON_ArrayForEach(item, list)
    {
        const char *entry = cJSON_GetStringValue(item);
        const char *dot = entry != NULL ? strchr(entry, '.') : NULL;
        if (dot != NULL)
            hosted_add_input(b, entry, dot + 1, "text", "on", NULL);
    }
    cJSON_Delete(list);
}

/*
 * Answer the page of challenge name (session, for username), with message (may be NULL)
 * above it. required is NEW_PASSWORD_REQUIRED's requiredAttributes (else NULL).
 */
static void challenge_page(struct hosted *h, const char *name, const char *session,
                           const char *username, const char *required, const char *message)
{
    const struct code_challenge *cc = find_code_challenge(name);
    bool new_password = strcmp(name, "NEW_PASSWORD_REQUIRED") == 0;
    struct strbuf fields = {0}, hidden = {0};
    char *fields_text, *hidden_text;

    hosted_add_hidden(&hidden, "challenge", name);
    hosted_add_hidden(&hidden, "session", session);
    hosted_add_hidden(&hidden, "username", username);
    if (required != NULL)
        hosted_add_hidden(&hidden, "required", required);
    if (new_password)
        new_password_fields(&fields, required);
    else if (cc != NULL)
        hosted_add_input(&fields, "code", "Code", "text", "one-time-code", NULL);
    fields_text = strbuf_take(&fields);
    hidden_text = strbuf_take(&hidden);
    {
        const struct hosted_form form = {
            .title = new_password ? "Change your password" : "Enter your code",
            .note =
                new_password ? "Your password must be changed before you can sign in." : cc->note,
            .error = message,
            .path = "/login",
            .hidden = hidden_text,
            .fields = fields_text,
            .button = new_password ? "Change password" : "Sign in",
            .button_name = new_password ? "changePasswordButton" : "confirmCodeButton",
        };
        hosted_form_page(h, 200, &form);
    }
    free(fields_text);
    free(hidden_text);
}

/* The challenge the API asked (in ctx.out): its page, or a plain refusal for one the pages
 * do not offer (SELECT_MFA_TYPE, MFA_SETUP, custom challenges). */
static void ask_challenge(struct hosted *h, const char *username)
{
    const char *name = json_str(h->ctx.out, "ChallengeName");
    const cJSON *params = json_get(h->ctx.out, "ChallengeParameters");
    char message[256];

    if (name != NULL &&
        (strcmp(name, "NEW_PASSWORD_REQUIRED") == 0 || find_code_challenge(name) != NULL)) {
        challenge_page(h, name, json_str(h->ctx.out, "Session"), username,
                       json_str(params, "requiredAttributes"), NULL);
        return;
    }
    snprintf(message, sizeof(message),
             "This sign-in needs the %s step, which the hosted pages of cognito-emu do not "
             "offer yet. Use the API for this user.",
             name != NULL ? name : "(unknown)");
    login_page(h, 200, message, username);
}

/* ---- POST /login ---------------------------------------------------------------------------- */

/*
 * Run the API's sign-in step in (InitiateAuth or RespondToAuthChallenge input, taken) and
 * answer: the app on a sign-in, the next challenge, or the refusal on the page it came from.
 */
static void run_sign_in(struct hosted *h, cJSON *in, bool initiate, const char *username)
{
    const char *op = initiate ? "InitiateAuth" : "RespondToAuthChallenge";
    int64_t user_seq = 0;
    int rc;

    h->ctx.in = in;
    h->ctx.err.code = COG_OK;
    if (params_validate(SVC_IDP, op, in, &h->ctx.err) != COG_OK)
        rc = -1;
    else
        rc = initiate ? auth_hosted_initiate(&h->ctx, &user_seq)
                      : auth_hosted_respond(&h->ctx, &user_seq);
    if (rc == 0 && user_seq > 0) {
        hosted_signed_in(h, user_seq);
    } else if (rc == 0) {
        ask_challenge(h, username);
    } else if (h->ctx.err.code == COG_E_INTERNAL_ERROR) {
        hosted_internal(h, h->ctx.err.message);
    } else if (initiate || strstr(h->ctx.err.message, "session") != NULL) {
        /* A wrong password, a disabled user, an expired challenge: start over. */
        login_page(h, 200, h->ctx.err.message, username);
    } else { /* a wrong code or a refused new password: the same challenge again */
        challenge_page(h, hosted_field(h, "challenge"), hosted_field(h, "session"), username,
                       hosted_field(h, "required"), h->ctx.err.message);
    }
    h->ctx.in = NULL;
    cJSON_Delete(in);
}

void hosted_signed_in(struct hosted *h, int64_t user_seq)
{
    int64_t auth_time = h->ctx.now_ms / 1000;

    if (hosted_session_start(h, user_seq, auth_time) != 0)
        hosted_internal(h, "cannot store the hosted session");
    else
        hosted_answer_app(h, user_seq, auth_time);
}

void hosted_password_sign_in(struct hosted *h)
{
    const char *username = hosted_field(h, "username"), *password = hosted_field(h, "password");
    cJSON *in = cJSON_CreateObject(), *params = cJSON_CreateObject();
    bool bad = in == NULL || params == NULL;

    if (username == NULL || password == NULL) {
        cJSON_Delete(in);
        cJSON_Delete(params);
        login_page(h, 200, "Enter your username and password.", username);
        return;
    }
    bad = bad || json_set_str(params, "USERNAME", username) != 0 ||
          json_set_str(params, "PASSWORD", password) != 0;
    bad = bad || json_set_str(in, "ClientId", h->client.id) != 0 ||
          json_set_str(in, "AuthFlow", "USER_PASSWORD_AUTH") != 0;
    if (bad || json_set_item(in, "AuthParameters", params) != 0) {
        cJSON_Delete(in);
        hosted_internal(h, "out of memory");
        return;
    }
    run_sign_in(h, in, true, username);
}

/* ChallengeResponses of a challenge page's form, for username; NULL with the page answered. */
static cJSON *challenge_responses(struct hosted *h, const char *name, const char *username)
{
    const struct code_challenge *cc = find_code_challenge(name);
    cJSON *r = cJSON_CreateObject();
    int bad = r == NULL || json_set_str(r, "USERNAME", username) != 0;

    if (cc != NULL) {
        bad = bad || json_set_str(r, cc->response,
                                  hosted_field(h, "code") ? hosted_field(h, "code") : "") != 0;
    } else {
        const char *p1 = hosted_field(h, "new_password"), *p2 = hosted_field(h, "confirm_password");
        if (p1 == NULL || p2 == NULL || strcmp(p1, p2) != 0) {
            cJSON_Delete(r);
            challenge_page(h, name, hosted_field(h, "session"), username,
                           hosted_field(h, "required"), "The two passwords do not match.");
            return NULL;
        }
        bad = bad || json_set_str(r, "NEW_PASSWORD", p1) != 0;
        for (size_t i = 0; h->form != NULL && i < h->form->count; i++)
            if (strncmp(h->form->fields[i].name, "userAttributes.", 15) == 0)
                bad = bad || json_set_str(r, h->form->fields[i].name, h->form->fields[i].value);
    }
    if (bad) {
        cJSON_Delete(r);
        hosted_internal(h, "out of memory");
        return NULL;
    }
    return r;
}

/* A challenge page's answer: RespondToAuthChallenge with the page's fields. */
static void respond(struct hosted *h, const char *name)
{
    const char *username = hosted_field(h, "username"), *session = hosted_field(h, "session");
    cJSON *in, *responses;

    if (username == NULL || session == NULL ||
        (strcmp(name, "NEW_PASSWORD_REQUIRED") != 0 && find_code_challenge(name) == NULL)) {
        login_page(h, 400, "This sign-in step has expired. Sign in again.", username);
        return;
    }
    if ((responses = challenge_responses(h, name, username)) == NULL)
        return;
    in = cJSON_CreateObject();
    if (in == NULL || json_set_str(in, "ClientId", h->client.id) != 0 ||
        json_set_str(in, "ChallengeName", name) != 0 || json_set_str(in, "Session", session) != 0 ||
        json_set_item(in, "ChallengeResponses", responses) != 0) {
        cJSON_Delete(in);
        hosted_internal(h, "out of memory");
        return;
    }
    run_sign_in(h, in, false, username);
}

/* POST /login: the sign-in form, or a challenge page (its "challenge" field). */
void hosted_login_post(const struct app *app, const struct http_request *req, const char *domain,
                       struct http_response *resp)
{
    struct hosted h;
    const char *challenge;

    if (hosted_begin(&h, app, req, domain, resp, "login") && hosted_check_all(&h) &&
        hosted_csrf_check(&h)) {
        challenge = hosted_field(&h, "challenge");
        if (challenge != NULL)
            respond(&h, challenge);
        else
            hosted_password_sign_in(&h);
    }
    hosted_end(&h);
}

/* ---- GET /logout ---------------------------------------------------------------------------- */

/*
 * GET /logout (section 2.4): with logout_uri (exactly one of the client's LogoutURLs), end the
 * session and go there; with redirect_uri and response_type (checked as authorize checks
 * them), end it and go to the sign-in page with those parameters. Cognito's words for a
 * request without client_id or either target are the page's.
 */
void hosted_logout(const struct app *app, const struct http_request *req, const char *domain,
                   struct http_response *resp)
{
    struct hosted h;
    const char *logout_uri;

    if (!hosted_begin(&h, app, req, domain, resp, "logout"))
        goto out;
    if (h.params[HP_CLIENT_ID] == NULL) {
        hosted_error_page(&h, 400, "Missing required parameter client_id in request URL");
        goto out;
    }
    if (!hosted_check_client(&h))
        goto out;
    logout_uri = hosted_field(&h, "logout_uri");
    if (logout_uri != NULL) {
        if (!oauth_client_logout_ok(&h.client, logout_uri)) {
            hosted_fail(&h, "redirect_mismatch");
            goto out;
        }
        hosted_session_end(&h);
        hosted_redirect(&h, logout_uri);
    } else if (h.params[HP_REDIRECT_URI] == NULL) {
        hosted_error_page(&h, 400, "Required String parameter 'redirect_uri' is not present");
    } else if (hosted_check_redirect(&h) && hosted_check_request(&h)) {
        hosted_session_end(&h);
        hosted_redirect_page(&h, "/login");
    }
out:
    hosted_end(&h);
}
