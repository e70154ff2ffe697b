/*
 * hosted_account: the pages around the sign-in (../shared/oauth2-hosted-ui.md 2.3): sign-up
 * (/signup, then /confirm with the code from the inbox, after which the user is signed in and
 * the app gets a code) and the password reset (/forgotPassword, then /confirmforgotPassword,
 * then back to the sign-in form). Each runs the API's operation (SignUp, ConfirmSignUp,
 * ForgotPassword, ConfirmForgotPassword: hosted_call), so validation, triggers, messages and
 * the inbox are the API's, and shows the operation's refusal on the page. Every page carries
 * the authorize parameters on and checks them as /oauth2/authorize does; every POST checks
 * the anti-forgery token.
 */
#include "config.h"

#include <cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oauth/hosted_int.h"
#include "oauth/oauth_hosted.h"
#include "store/store.h"
#include "userpool/user.h"
#include "util/jsonutil.h"
#include "util/strbuf.h"

/* Start a page: the request's checks, and on a POST its anti-forgery token. */
static bool page_begin(struct hosted *h, const struct app *app, const struct http_request *req,
                       const char *domain, struct http_response *resp, const char *operation)
{
    return hosted_begin(h, app, req, domain, resp, operation) && hosted_check_all(h) &&
           (strcmp(req->method, "POST") != 0 || hosted_csrf_check(h));
}

/* Answer a form page whose fields and hidden fields b and hidden hold (both emptied). */
static void form_page(struct hosted *h, struct hosted_form *form, struct strbuf *fields,
                      struct strbuf *hidden)
{
    char *fields_text = strbuf_take(fields), *hidden_text = strbuf_take(hidden);

    form->fields = fields_text;
    form->hidden = hidden_text;
    if (fields_text == NULL || hidden_text == NULL)
        hosted_internal(h, "out of memory");
    else
        hosted_form_page(h, 200, form);
    free(fields_text);
    free(hidden_text);
}

/* ---- Sign-up ------------------------------------------------------------------------------ */

/* The attributes the pool requires at sign-up (sub aside), as the form asks for them. */
static void required_attribute_fields(const struct hosted *h, struct strbuf *b)
{
    const cJSON *attr;

    cJSON_ArrayForEach(attr, json_get(h->client.pool, "SchemaAttributes"))
    {
        const char *name = json_str(attr, "Name");
        bool email, phone;
        if (name == NULL || !json_bool(attr, "Required", false) || strcmp(name, "sub") == 0)
            continue;
        email = strcmp(name, "email") == 0;
        phone = strcmp(name, "phone_number") == 0;
        hosted_add_input(b, name,
                         email   ? "Email"
                         : phone ? "Phone number (+15555550100)"
                                 : name,
                         email   ? "email"
                         : phone ? "tel"
                                 : "text",
                         email   ? "email"
                         : phone ? "tel"
                                 : "on",
                         hosted_field(h, name));
    }
}

static void signup_page(struct hosted *h, const char *message)
{
    struct strbuf fields = {0}, hidden = {0};
    struct hosted_form form = {.title = "Sign up",
                               .error = message,
                               .path = "/signup",
                               .button = "Sign up",
                               .button_name = "signUpButton"};

    hosted_add_input(&fields, "username", "Username", "text", "username",
                     hosted_field(h, "username"));
    hosted_add_input(&fields, "password", "Password", "password", "new-password", NULL);
    required_attribute_fields(h, &fields);
    form_page(h, &form, &fields, &hidden);
}

/*
 * A page that asks for the code sent to username (to destination, when known) and, for a
 * password reset, the new password; form says what it is (its note is written here).
 */
static void code_page(struct hosted *h, struct hosted_form *form, const char *username,
                      const char *destination, bool new_password)
{
    struct strbuf fields = {0}, hidden = {0};
    char note[300];

    snprintf(note, sizeof(note), "We sent a code to %s. Enter it%s.",
             destination != NULL ? destination : "you",
             new_password ? " with a new password" : " below");
    form->note = note;
    hosted_add_hidden(&hidden, "username", username);
    hosted_add_input(&fields, "code", "Code", "text", "one-time-code", NULL);
    if (new_password)
        hosted_add_input(&fields, "password", "New password", "password", "new-password", NULL);
    form_page(h, form, &fields, &hidden);
}

/* The sign-up confirmation page of username. */
static void confirm_page(struct hosted *h, const char *username, const char *destination,
                         const char *message)
{
    struct hosted_form form = {.title = "Confirm your account",
                               .error = message,
                               .path = "/confirm",
                               .button = "Confirm account",
                               .button_name = "confirm"};

    code_page(h, &form, username, destination, false);
}

/* SignUp's input from the form: Username, Password, UserAttributes. NULL when out of memory. */
static cJSON *signup_input(const struct hosted *h)
{
    cJSON *in = cJSON_CreateObject(), *attrs = cJSON_CreateArray();
    const cJSON *attr;
    int bad = in == NULL || attrs == NULL;

    bad = bad || json_set_str(in, "Username", hosted_field(h, "username")) != 0 ||
          json_set_str(in, "Password", hosted_field(h, "password")) != 0;
    cJSON_ArrayForEach(attr, json_get(h->client.pool, "SchemaAttributes"))
    {
        const char *name = json_str(attr, "Name"), *value;
        cJSON *pair;
        if (bad || name == NULL || strcmp(name, "sub") == 0 ||
            (value = hosted_field(h, name)) == NULL)
            continue;
        pair = cJSON_CreateObject();
        bad = pair == NULL || !cJSON_AddItemToArray(attrs, pair) ||
              json_set_str(pair, "Name", name) != 0 || json_set_str(pair, "Value", value) != 0;
    }
    if (bad || json_set_item(in, "UserAttributes", attrs) != 0) {
        cJSON_Delete(in);
        return NULL;
    }
    return in;
}

/* GET and POST /signup. */
void hosted_signup(const struct app *app, const struct http_request *req, const char *domain,
                   struct http_response *resp)
{
    struct hosted h;
    cJSON *in, *out = NULL;

    if (!page_begin(&h, app, req, domain, resp, "signup"))
        goto done;
    if (strcmp(req->method, "POST") != 0) {
        signup_page(&h, NULL);
    } else if (hosted_field(&h, "username") == NULL || hosted_field(&h, "password") == NULL) {
        signup_page(&h, "Enter a username and a password.");
    } else if ((in = signup_input(&h)) == NULL) {
        hosted_internal(&h, "out of memory");
    } else if (hosted_call(&h, "SignUp", in, &out) != 0) {
        if (h.ctx.err.code == COG_E_INTERNAL_ERROR)
            hosted_internal(&h, h.ctx.err.message);
        else
            signup_page(&h, h.ctx.err.message);
    } else if (json_bool(out, "UserConfirmed", false)) {
        hosted_password_sign_in(&h); /* a pre sign-up trigger confirmed the user */
    } else {
        confirm_page(&h, hosted_field(&h, "username"),
                     json_str(json_get(out, "CodeDeliveryDetails"), "Destination"), NULL);
    }
    cJSON_Delete(out);
done:
    hosted_end(&h);
}

/* The user username confirmed on this page: signed in (no password was typed here, so the
 * authentication triggers do not run; the confirmation proved the inbox). */
static void sign_in_confirmed(struct hosted *h, const char *username)
{
    struct store_user *u = NULL;
    int st = user_find(&h->ctx, h->client.pool, username, &u);

    if (st == STORE_OK)
        hosted_signed_in(h, u->seq);
    else if (st == STORE_NOT_FOUND)
        hosted_login_page(h, 200, NULL, "Your account is confirmed. Sign in.", username);
    else
        hosted_internal(h, "cannot read the user");
    store_user_free(u);
}

/* GET /confirm?username=... and POST /confirm (the code). */
void hosted_confirm(const struct app *app, const struct http_request *req, const char *domain,
                    struct http_response *resp)
{
    struct hosted h;
    const char *username, *code;
    cJSON *in;

    if (!page_begin(&h, app, req, domain, resp, "confirm"))
        goto done;
    username = hosted_field(&h, "username");
    code = hosted_field(&h, "code");
    if (username == NULL) {
        hosted_error_page(&h, 400, "The confirmation page needs a username.");
    } else if (strcmp(req->method, "POST") != 0) {
        confirm_page(&h, username, NULL, NULL);
    } else if (code == NULL) {
        confirm_page(&h, username, NULL, "Enter the code you were sent.");
    } else if ((in = cJSON_CreateObject()) == NULL || json_set_str(in, "Username", username) != 0 ||
               json_set_str(in, "ConfirmationCode", code) != 0) {
        cJSON_Delete(in);
        hosted_internal(&h, "out of memory");
    } else if (hosted_call(&h, "ConfirmSignUp", in, NULL) != 0) {
        confirm_page(&h, username, NULL, h.ctx.err.message);
    } else {
        sign_in_confirmed(&h, username);
    }
done:
    hosted_end(&h);
}

/* ---- Password reset ----------------------------------------------------------------------- */

static void forgot_page(struct hosted *h, const char *message)
{
    struct strbuf fields = {0}, hidden = {0};
    struct hosted_form form = {.title = "Forgot your password?",
                               .note = "Enter your username and we will send you a code to "
                                       "reset your password.",
                               .error = message,
                               .path = "/forgotPassword",
                               .button = "Reset my password",
                               .button_name = "reset_my_password"};

    hosted_add_input(&fields, "username", "Username", "text", "username",
                     hosted_field(h, "username"));
    form_page(h, &form, &fields, &hidden);
}

static void confirm_forgot_page(struct hosted *h, const char *username, const char *destination,
                                const char *message)
{
    struct hosted_form form = {.title = "Reset your password",
                               .error = message,
                               .path = "/confirmforgotPassword",
                               .button = "Change password",
                               .button_name = "reset_password"};

    code_page(h, &form, username, destination, true);
}

/* GET and POST /forgotPassword. */
void hosted_forgot_password(const struct app *app, const struct http_request *req,
                            const char *domain, struct http_response *resp)
{
    struct hosted h;
    const char *username;
    cJSON *in, *out = NULL;

    if (!page_begin(&h, app, req, domain, resp, "forgotPassword"))
        goto done;
    username = hosted_field(&h, "username");
    if (strcmp(req->method, "POST") != 0) {
        forgot_page(&h, NULL);
    } else if (username == NULL) {
        forgot_page(&h, "Enter your username.");
    } else if ((in = cJSON_CreateObject()) == NULL || json_set_str(in, "Username", username) != 0) {
        cJSON_Delete(in);
        hosted_internal(&h, "out of memory");
    } else if (hosted_call(&h, "ForgotPassword", in, &out) != 0) {
        forgot_page(&h, h.ctx.err.message);
    } else {
        confirm_forgot_page(&h, username,
                            json_str(json_get(out, "CodeDeliveryDetails"), "Destination"), NULL);
    }
    cJSON_Delete(out);
done:
    hosted_end(&h);
}

/* GET /confirmforgotPassword?username=... and its POST (code and new password). */
void hosted_confirm_forgot_password(const struct app *app, const struct http_request *req,
                                    const char *domain, struct http_response *resp)
{
    struct hosted h;
    const char *username, *code, *password;
    cJSON *in;

    if (!page_begin(&h, app, req, domain, resp, "confirmforgotPassword"))
        goto done;
    username = hosted_field(&h, "username");
    code = hosted_field(&h, "code");
    password = hosted_field(&h, "password");
    if (username == NULL) {
        hosted_error_page(&h, 400, "The password reset page needs a username.");
    } else if (strcmp(req->method, "POST") != 0) {
        confirm_forgot_page(&h, username, NULL, NULL);
    } else if (code == NULL || password == NULL) {
        confirm_forgot_page(&h, username, NULL, "Enter the code and a new password.");
    } else if ((in = cJSON_CreateObject()) == NULL || json_set_str(in, "Username", username) != 0 ||
               json_set_str(in, "ConfirmationCode", code) != 0 ||
               json_set_str(in, "Password", password) != 0) {
        cJSON_Delete(in);
        hosted_internal(&h, "out of memory");
    } else if (hosted_call(&h, "ConfirmForgotPassword", in, NULL) != 0) {
        confirm_forgot_page(&h, username, NULL, h.ctx.err.message);
    } else {
        hosted_login_page(&h, 200, NULL, "Your password has been reset. Sign in with it.",
                          username);
    }
done:
    hosted_end(&h);
}
