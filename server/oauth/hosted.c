/*
 * hosted: what the hosted sign-in pages share: the request, its checks, the pages, the
 * anti-forgery token, the hosted session and the answer to the app. See hosted_int.h.
 */
#include "config.h"

#include <cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/ops_common.h"
#include "crypto/secrets.h"
#include "dispatch.h"
#include "oauth/hosted_int.h"
#include "oauth/oauth_hosted.h"
#include "oauth/oauth_pages.h"
#include "userpool/branding.h"
#include "util/clock.h"
#include "util/jsonutil.h"
#include "util/log.h"
#include "util/strbuf.h"

static const char *const PARAM_NAMES[HP__COUNT] = {
#define HOSTED_PARAM_NAME(id, name) name,
    HOSTED_PARAMS(HOSTED_PARAM_NAME)
#undef HOSTED_PARAM_NAME
};

/* ---- The request -------------------------------------------------------------------------- */

const char *hosted_field(const struct hosted *h, const char *name)
{
    const char *v = h->form != NULL ? form_get(h->form, name) : NULL;

    if (v == NULL || v[0] == '\0')
        v = http_request_query(h->req, name);
    return v != NULL && v[0] != '\0' ? v : NULL;
}

bool hosted_begin(struct hosted *h, const struct app *app, const struct http_request *req,
                  const char *domain, struct http_response *resp, const char *operation)
{
    memset(h, 0, sizeof(*h));
    h->app = app;
    h->req = req;
    h->resp = resp;
    h->domain = domain;
    snprintf(resp->label, sizeof(resp->label), "%s", operation);
    h->conn = store_acquire(app->store);
    oauth_ctx_init(&h->ctx, app, h->conn, operation);
    h->ctx.out = cJSON_CreateObject();
    if (h->ctx.out == NULL ||
        form_parse_cookies(http_request_header(req, "Cookie"), &h->cookies) != FORM_OK) {
        hosted_internal(h, "out of memory");
        return false;
    }
    if (strcmp(req->method, "POST") == 0 &&
        form_parse(req->body, req->body_len, &h->form) != FORM_OK) {
        hosted_error_page(h, 400, "The form could not be read.");
        return false;
    }
    for (int i = 0; i < HP__COUNT; i++)
        h->params[i] = hosted_field(h, PARAM_NAMES[i]);
    return true;
}

void hosted_end(struct hosted *h)
{
    oauth_client_free(&h->client);
    form_free(h->form);
    form_free(h->cookies);
    free(h->scope);
    cJSON_Delete(h->provider);
    cJSON_Delete(h->ctx.out);
    ops_ctx_finish(&h->ctx);
    store_release(h->app->store, h->conn);
}

/* ---- Answers ------------------------------------------------------------------------------ */

/* Headers every hosted answer carries: never cached (codes, sessions, tokens in forms). */
static void no_store(struct hosted *h)
{
    http_response_add_header(h->resp, "Cache-Control", "no-store");
    http_response_add_header(h->resp, "Pragma", "no-cache");
}

void hosted_redirect(struct hosted *h, const char *url)
{
    if (url == NULL) {
        hosted_internal(h, "out of memory");
        return;
    }
    http_response_set_body(h->resp, 302, NULL, NULL, 0);
    http_response_add_header(h->resp, "Location", url);
    no_store(h);
}

/* Append the authorize parameters to b as a query ("a=1&b=2", percent-encoded). */
static void append_query(struct strbuf *b, const struct hosted *h)
{
    bool first = true;

    for (int i = 0; i < HP__COUNT; i++) {
        if (h->params[i] == NULL)
            continue;
        strbuf_puts(b, first ? "" : "&");
        strbuf_percent_encode(b, PARAM_NAMES[i], "");
        strbuf_puts(b, "=");
        strbuf_percent_encode(b, h->params[i], "");
        first = false;
    }
}

char *hosted_page_url(const struct hosted *h, const char *path)
{
    struct strbuf b = {0};

    strbuf_puts(&b, h->site.base_url);
    strbuf_puts(&b, path);
    strbuf_puts(&b, "?");
    append_query(&b, h);
    return strbuf_take(&b);
}

void hosted_redirect_page(struct hosted *h, const char *path)
{
    char *url = hosted_page_url(h, path);

    hosted_redirect(h, url);
    free(url);
}

void hosted_fail(struct hosted *h, const char *error)
{
    const char *kv[] = {"error", error, "client_id", h->params[HP_CLIENT_ID]};
    char base[sizeof(h->site.base_url) + 8];
    char *url;

    if (!h->has_site) {
        hosted_error_page(h, 400, NULL);
        return;
    }
    snprintf(base, sizeof(base), "%s/error", h->site.base_url);
    url = oauth_url_with(base, false, kv, 2);
    hosted_redirect(h, url);
    free(url);
}

void hosted_app_error(struct hosted *h, const char *error, const char *description)
{
    const char *kv[] = {"error_description", description, "state",
                        h->params[HP_STATE], "error",     error};
    char *url = oauth_url_with(h->redirect_uri, false, kv, 3);

    hosted_redirect(h, url);
    free(url);
}

/* The embedded file name (oauth_pages.h), or NULL. */
static const char *page_file(const char *name)
{
    for (const struct oauth_page_file *f = OAUTH_PAGE_FILES; f->name != NULL; f++)
        if (strcmp(f->name, name) == 0)
            return f->text;
    return NULL;
}

/* UI customization CSS with every '<' written as CSS's escape, so it cannot end the style
 * element it is put in (a '<' has no other use in a style sheet). NULL when out of memory. */
static char *safe_css(const char *css)
{
    struct strbuf b = {0};

    for (const char *p = css; *p != '\0'; p++) {
        size_t run = strcspn(p, "<");
        strbuf_add(&b, p, run);
        if (p[run] == '\0')
            break;
        strbuf_puts(&b, "\\3c ");
        p += run;
    }
    return strbuf_take(&b);
}

/* The logo of an ImageFile (base64 of a PNG or a JPEG, as SetUICustomization takes) as an
 * <img> with a data: URL, so the page needs no other origin; NULL when it is neither. */
static char *logo_img(const char *image)
{
    static const char B64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=";
    const char *mime = strncmp(image, "iVBORw0KGgo", 11) == 0 ? "image/png"
                       : strncmp(image, "/9j/", 4) == 0       ? "image/jpeg"
                                                              : NULL;
    struct strbuf b = {0};

    if (mime == NULL || strspn(image, B64) != strlen(image))
        return NULL;
    strbuf_puts(&b, "<img class=\"logo-customizable\" alt=\"\" src=\"data:");
    strbuf_puts(&b, mime);
    strbuf_puts(&b, ";base64,");
    strbuf_puts(&b, image);
    strbuf_puts(&b, "\">\n");
    return strbuf_take(&b);
}

/*
 * The classic UI customization of the page's app client (its own, else its pool's "ALL"),
 * SetUICustomization's CSS and logo, into *css and *logo; both stay NULL without one (or
 * before the client is known).
 */
static void customization(struct hosted *h, char **css, char **logo)
{
    cJSON *doc = NULL;

    *css = *logo = NULL;
    if (h->client.id == NULL || !h->has_site ||
        ui_customization_get(h->conn, h->site.pool_id, h->client.id, &doc) != STORE_OK)
        return;
    if (json_str(doc, "CSS") != NULL)
        *css = safe_css(json_str(doc, "CSS"));
    if (json_str(doc, "ImageFile") != NULL)
        *logo = logo_img(json_str(doc, "ImageFile"));
    cJSON_Delete(doc);
}

/* body (NULL: out of memory) in the layout, with the pages' style sheet, then css and logo
 * (may be NULL). A new string, or NULL when out of memory. */
static char *render_layout(const char *title, const char *app, const char *body, const char *css,
                           const char *logo)
{
    const struct html_slot layout[] = {
        {"title", title}, {"app", app},        {"css", page_file("style.css")},
        {"body", body},   {"custom_css", css}, {"logo", logo}};

    return body != NULL ? html_render(page_file("layout.html"), layout, 6) : NULL;
}

char *hosted_render_page(const char *title, const char *app, const char *body)
{
    return render_layout(title, app, body, NULL, NULL);
}

void hosted_page(struct hosted *h, int status, const char *title, const char *file,
                 const struct html_slot *slots, size_t n)
{
    const char *tmpl = page_file(file);
    char *body = tmpl != NULL ? html_render(tmpl, slots, n) : NULL, *css, *logo;
    const char *app = json_str(h->client.client, "ClientName");
    char *page;

    customization(h, &css, &logo);
    page = render_layout(title, app, body, css, logo);
    free(css);
    free(logo);
    free(body);
    if (page == NULL) {
        log_error("hosted: cannot render page %s", file);
        http_response_set_json(h->resp, 500, "text/plain; charset=utf-8", "Internal error.");
        return;
    }
    http_response_set_body(h->resp, status, "text/html; charset=utf-8", page, strlen(page));
    no_store(h);
    /* No script, no file from elsewhere, no framing. form-action is left out on purpose:
     * browsers apply it to the redirect that follows a form (to the app), which must work. */
    http_response_add_header(h->resp, "Content-Security-Policy",
                             "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
                             "base-uri 'none'; frame-ancestors 'none'");
    http_response_add_header(h->resp, "X-Frame-Options", "DENY");
    http_response_add_header(h->resp, "X-Content-Type-Options", "nosniff");
    http_response_add_header(h->resp, "Referrer-Policy", "no-referrer");
}

void hosted_error_page(struct hosted *h, int status, const char *detail)
{
    const struct html_slot slots[] = {
        {"message", "An error was encountered with the requested page."}, {"detail", detail}};

    hosted_page(h, status, "Error", "error.html", slots, 2);
}

void hosted_internal(struct hosted *h, const char *what)
{
    log_error("hosted %s: %s", h->resp->label, what);
    hosted_error_page(h, 500, "The emulator could not answer this request; its log says why.");
}

char *hosted_hidden_params(const struct hosted *h)
{
    struct strbuf b = {0};

    for (int i = 0; i < HP__COUNT; i++) {
        if (h->params[i] == NULL)
            continue;
        strbuf_puts(&b, "<input type=\"hidden\" name=\"");
        strbuf_puts(&b, PARAM_NAMES[i]);
        strbuf_puts(&b, "\" value=\"");
        html_escape(&b, h->params[i]);
        strbuf_puts(&b, "\">\n");
    }
    return strbuf_take(&b);
}

char *hosted_line(const char *cls, const char *message)
{
    struct strbuf b = {0};

    if (message == NULL)
        return NULL;
    strbuf_puts(&b, "<p class=\"");
    strbuf_puts(&b, cls);
    /* The class names of Cognito's classic hosted UI, which UI customization CSS targets. */
    strbuf_puts(&b, strcmp(cls, "error") == 0 ? " errorMessage-customizable\" role=\"alert\">"
                                              : " textDescription-customizable\">");
    html_escape(&b, message);
    strbuf_puts(&b, "</p>\n");
    return strbuf_take(&b);
}

void hosted_add_input(struct strbuf *b, const char *name, const char *label, const char *type,
                      const char *autocomplete, const char *value)
{
    strbuf_puts(b, "<label class=\"label-customizable\" for=\"");
    html_escape(b, name);
    strbuf_puts(b, "\">");
    html_escape(b, label);
    strbuf_puts(b, "</label>\n<input class=\"inputField-customizable\" id=\"");
    html_escape(b, name);
    strbuf_puts(b, "\" name=\"");
    html_escape(b, name);
    strbuf_puts(b, "\" type=\"");
    html_escape(b, type);
    strbuf_puts(b, "\" autocomplete=\"");
    html_escape(b, autocomplete);
    if (value != NULL) {
        strbuf_puts(b, "\" value=\"");
        html_escape(b, value);
    }
    strbuf_puts(b, "\" required>\n");
}

void hosted_add_hidden(struct strbuf *b, const char *name, const char *value)
{
    strbuf_puts(b, "<input type=\"hidden\" name=\"");
    html_escape(b, name);
    strbuf_puts(b, "\" value=\"");
    html_escape(b, value);
    strbuf_puts(b, "\">\n");
}

void hosted_form_page(struct hosted *h, int status, const struct hosted_form *form)
{
    char action[sizeof(h->site.base_url) + 32];
    char *params = hosted_hidden_params(h), *error = hosted_line("error", form->error);
    char *note = hosted_line("note", form->note);
    char *restart = hosted_page_url(h, "/login");
    const char *csrf = hosted_csrf_token(h);
    struct strbuf hidden = {0};
    char *hidden_text;

    snprintf(action, sizeof(action), "%s%s", h->site.base_url, form->path);
    strbuf_puts(&hidden, params != NULL ? params : "");
    strbuf_puts(&hidden, form->hidden != NULL ? form->hidden : "");
    hidden_text = strbuf_take(&hidden);
    {
        const struct html_slot slots[] = {
            {"action", action},       {"csrf", csrf},           {"hidden", hidden_text},
            {"fields", form->fields}, {"error", error},         {"restart", restart},
            {"note", note},           {"button", form->button}, {"button_name", form->button_name},
        };
        if (params == NULL || restart == NULL || hidden_text == NULL || csrf == NULL)
            hosted_internal(h, "out of memory");
        else
            hosted_page(h, status, form->title, "form.html", slots,
                        sizeof(slots) / sizeof(slots[0]));
    }
    free(params);
    free(error);
    free(note);
    free(restart);
    free(hidden_text);
}

int hosted_call(struct hosted *h, const char *op, cJSON *in, cJSON **out)
{
    const char *secret = json_str(h->client.client, "ClientSecret");
    const char *username = json_str(in, "Username");
    char target[96], *hash = NULL, *body = NULL;
    struct dispatch_result res;
    int rc = -1;

    if (out != NULL)
        *out = NULL;
    if (secret != NULL && username != NULL)
        hash = secrets_secret_hash(secret, username, h->client.id);
    if (json_set_str(in, "ClientId", h->client.id) != 0 ||
        (hash != NULL && json_set_str(in, "SecretHash", hash) != 0) ||
        (body = cJSON_PrintUnformatted(in)) == NULL) {
        cJSON_Delete(in);
        free(hash);
        return cog_err_set(&h->ctx.err, COG_E_INTERNAL_ERROR, "out of memory");
    }
    cJSON_Delete(in);
    free(hash);
    snprintf(target, sizeof(target), "AWSCognitoIdentityProviderService.%s", op);
    /* The operation takes its own store connection: give this one back meanwhile, so that a
     * busy server never waits on itself. */
    store_release(h->app->store, h->conn);
    dispatch_request(h->app, target, NULL, body, strlen(body), &res);
    h->conn = h->ctx.db = store_acquire(h->app->store);
    h->ctx.now_ms = clock_now_ms();
    if (res.code == COG_OK) {
        rc = 0;
        if (out != NULL && (*out = cJSON_Parse(res.body)) == NULL)
            rc = cog_err_set(&h->ctx.err, COG_E_INTERNAL_ERROR, "out of memory");
    } else {
        h->ctx.err.code = res.code;
        snprintf(h->ctx.err.message, sizeof(h->ctx.err.message), "%s", res.message);
    }
    dispatch_result_free(&res);
    free(body);
    return rc;
}
