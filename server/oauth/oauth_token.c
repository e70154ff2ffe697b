/*
 * oauth_token: POST /oauth2/token and POST /oauth2/revoke. See oauth_token.h.
 *
 * A request goes through the same steps at both endpoints: its form (only
 * application/x-www-form-urlencoded, each parameter at most once), its client's
 * authentication, and the site (the domain the request came to must be the client's pool's);
 * then the grant, or the revocation. Tokens are made by userpool/tokens.c, the one place
 * tokens are made; this file only decides what to grant and writes the OAuth answer.
 *
 * Where Cognito's behaviour is not documented, the choice is the emulator's, said where it is
 * made and pinned in tests/check_oauth_token.c.
 */
#include "config.h"

#include "oauth/oauth_token.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "crypto/jwt.h"
#include "crypto/secrets.h"
#include "http/form.h"
#include "oauth/oauth_client.h"
#include "oauth/oauth_errors.h"
#include "store/store.h"
#include "userpool/client.h"
#include "userpool/tokens.h"
#include "util/jsonutil.h"
#include "util/log.h"

#define FORM_TYPE "application/x-www-form-urlencoded"

/* The longest client id or secret taken from a Basic header (the model allows 128 and 64). */
#define CREDENTIAL_MAX 256

/* One request to the token or the revocation endpoint, as it is worked through. */
struct token_request {
    const struct app *app;
    const struct http_request *req;
    const char *domain;
    struct http_response *resp;
    const char *label;
    int client_error_status; /* of invalid_client: 400 at the token endpoint, 401 at revoke */
    struct store_conn *conn;
    struct op_ctx ctx;
    struct form *form;
    struct oauth_client client;
    bool oauth_enabled; /* the client has AllowedOAuthFlowsUserPoolClient */
};

/* Answer error e (description may be NULL) with status. -1, for the caller to return. */
static int fail(struct token_request *t, int status, enum oauth_error e, const char *description)
{
    oauth_error_respond(t->resp, status, e, description, t->label);
    return -1;
}

/* Answer the failure ctx->err holds: the store's as 500, a trigger's as invalid_request. */
static int fail_ctx(struct token_request *t)
{
    if (t->ctx.err.code == COG_E_INTERNAL_ERROR) {
        log_error("%s: %s", t->label, t->ctx.err.message);
        return fail(t, 500, OAUTH_E_SERVER_ERROR, NULL);
    }
    return fail(t, 400, OAUTH_E_INVALID_REQUEST, t->ctx.err.message);
}

/* The form parameter name, or NULL. */
static const char *param(const struct token_request *t, const char *name)
{
    return form_get(t->form, name);
}

/* ---- The form ----------------------------------------------------------------------------- */

/* Whether content_type is FORM_TYPE, with or without parameters (";charset=UTF-8"). */
static bool is_form_type(const char *content_type)
{
    size_t n = strlen(FORM_TYPE);

    return content_type != NULL && strncasecmp(content_type, FORM_TYPE, n) == 0 &&
           (content_type[n] == '\0' || content_type[n] == ';' || content_type[n] == ' ');
}

/* The first parameter named twice in f, or NULL. */
static const char *repeated_name(const struct form *f)
{
    for (size_t i = 0; i < f->count; i++)
        for (size_t j = i + 1; j < f->count; j++)
            if (strcmp(f->fields[i].name, f->fields[j].name) == 0)
                return f->fields[i].name;
    return NULL;
}

/* Parse the request's form into t->form: invalid_request for another content type, a body
 * that is not a form, or a parameter sent twice (RFC 6749 3.2). 0 or -1 (answered). */
static int read_form(struct token_request *t)
{
    char message[160];
    const char *twice;

    if (!is_form_type(http_request_header(t->req, "Content-Type")))
        return fail(t, 400, OAUTH_E_INVALID_REQUEST, "Content-Type must be " FORM_TYPE);
    switch (form_parse(t->req->body, t->req->body_len, &t->form)) {
    case FORM_OK:
        break;
    case FORM_MALFORMED:
        return fail(t, 400, OAUTH_E_INVALID_REQUEST, "The request body is not a valid form");
    default:
        return fail(t, 500, OAUTH_E_SERVER_ERROR, NULL);
    }
    if ((twice = repeated_name(t->form)) != NULL) {
        snprintf(message, sizeof(message), "Parameter %.64s is repeated", twice);
        return fail(t, 400, OAUTH_E_INVALID_REQUEST, message);
    }
    return 0;
}

/* ---- Client authentication ---------------------------------------------------------------- */

/*
 * Percent-decode s (len bytes) into out (CREDENTIAL_MAX + 1 bytes), as RFC 6749 2.3.1 has a
 * client encode its id and secret before Basic encoding them. '+' stays a '+': ids and
 * secrets match [\w+]+ in the model, so a plus is one itself (clients that skip the encoding
 * send it so), never an encoded space. false for a bad escape, a NUL or too long a value.
 */
static bool percent_decode(const char *s, size_t len, char *out)
{
    char *decoded = NULL;
    bool ok = form_decode(s, len, false, &decoded) == FORM_OK && strlen(decoded) <= CREDENTIAL_MAX;

    if (ok)
        snprintf(out, CREDENTIAL_MAX + 1, "%s", decoded);
    free(decoded);
    return ok;
}

/* What a request authenticated its client with. */
struct credentials {
    char id[CREDENTIAL_MAX + 1];
    char secret[CREDENTIAL_MAX + 1];
    bool has_secret;
};

/*
 * The client id and secret of an "Authorization: Basic base64(id:secret)" header into *c.
 * 1 when the request has such a header, 0 when it has none (or another scheme), -1 when the
 * header is not a well-formed Basic credential.
 */
static int basic_credentials(const struct http_request *req, struct credentials *c)
{
    const char *h = http_request_header(req, "Authorization");
    char *copy, *colon;
    unsigned char *raw;
    size_t len;
    bool ok;

    if (h == NULL || strncasecmp(h, "Basic ", 6) != 0)
        return 0;
    h += 6 + strspn(h + 6, " ");
    /* Standard base64 is base64url with two other letters: swap them, refusing the url ones. */
    if (strpbrk(h, "-_") != NULL || (copy = strdup(h)) == NULL)
        return -1;
    for (char *p = copy; *p != '\0'; p++)
        *p = *p == '+' ? '-' : *p == '/' ? '_' : *p;
    raw = jwt_b64url_decode(copy, strlen(copy), &len);
    free(copy);
    colon = raw != NULL && strlen((char *)raw) == len ? strchr((char *)raw, ':') : NULL;
    ok = colon != NULL && percent_decode((char *)raw, (size_t)(colon - (char *)raw), c->id) &&
         percent_decode(colon + 1, strlen(colon + 1), c->secret);
    c->has_secret = ok && c->secret[0] != '\0'; /* "id:" is a public client */
    free(raw);
    return ok ? 1 : -1;
}

/*
 * The credentials of the request into *c: Basic, or client_id (and client_secret) in the
 * form. Both at once is refused (RFC 6749 2.3: one method per request), except that a form
 * client_id equal to the Basic one is allowed (RFC 6749 4.1.3 has public clients send it).
 * 0 or -1 (answered).
 */
static int read_credentials(struct token_request *t, struct credentials *c)
{
    const char *id = param(t, "client_id"), *secret = param(t, "client_secret");
    int basic = basic_credentials(t->req, c);

    if (basic < 0)
        return fail(t, t->client_error_status, OAUTH_E_INVALID_CLIENT,
                    "Malformed Basic authorization header");
    if (basic > 0) {
        if (secret != NULL)
            return fail(t, 400, OAUTH_E_INVALID_REQUEST,
                        "More than one client authentication method");
        if (id != NULL && strcmp(id, c->id) != 0)
            return fail(t, t->client_error_status, OAUTH_E_INVALID_CLIENT,
                        "client_id does not match the authorization header");
        return 0;
    }
    if (id == NULL || id[0] == '\0')
        return fail(t, t->client_error_status, OAUTH_E_INVALID_CLIENT, "client_id is required");
    if (strlen(id) > CREDENTIAL_MAX || (secret != NULL && strlen(secret) > CREDENTIAL_MAX))
        return fail(t, t->client_error_status, OAUTH_E_INVALID_CLIENT, NULL);
    snprintf(c->id, sizeof(c->id), "%s", id);
    snprintf(c->secret, sizeof(c->secret), "%s", secret != NULL ? secret : "");
    c->has_secret = secret != NULL && secret[0] != '\0';
    return 0;
}

/*
 * Authenticate the request's client into t->client: a known client, which presents its secret
 * when it has one (a client without one must not present any), of the pool of the domain the
 * request came to. invalid_client otherwise. 0 or -1 (answered).
 */
static int authenticate(struct token_request *t)
{
    struct credentials c = {0};
    struct oauth_site site;
    const char *secret;
    enum oauth_client_status st;
    enum oauth_site_status sst;
    char message[160];

    if (read_credentials(t, &c) != 0)
        return -1;
    st = oauth_client_load(&t->ctx, c.id, &t->client);
    if (st == OAUTH_CLIENT_ERROR)
        return fail_ctx(t);
    if (st == OAUTH_CLIENT_UNKNOWN)
        return fail(t, t->client_error_status, OAUTH_E_INVALID_CLIENT, NULL);
    t->oauth_enabled = st == OAUTH_CLIENT_OK;
    secret = json_str(t->client.client, "ClientSecret");
    if ((secret == NULL && c.has_secret) || (secret != NULL && !c.has_secret) ||
        (secret != NULL && !secrets_equal(secret, c.secret)))
        return fail(t, t->client_error_status, OAUTH_E_INVALID_CLIENT, NULL);
    sst = oauth_site_resolve(t->conn, t->app, t->req, t->domain, t->client.pool_id, &site);
    if (sst == OAUTH_SITE_WRONG_POOL)
        return fail(t, t->client_error_status, OAUTH_E_INVALID_CLIENT,
                    "The client is not of the user pool of this domain");
    /* No domain: a 404 with the OAuth body (emulator's choice: Cognito has no such URL). */
    if (sst == OAUTH_SITE_NO_DOMAIN || sst == OAUTH_SITE_NO_POOL) {
        snprintf(message, sizeof(message), "User pool %s has no domain %.64s", t->client.pool_id,
                 t->domain);
        return fail(t, 404, OAUTH_E_INVALID_REQUEST, message);
    }
    return sst == OAUTH_SITE_OK ? 0 : fail(t, 500, OAUTH_E_SERVER_ERROR, NULL);
}

/* ---- Answers ------------------------------------------------------------------------------ */

/* Copy string member from of result into to of out, when result has it. 0 or -1. */
static int copy_member(cJSON *out, const char *to, const cJSON *result, const char *from)
{
    const char *v = json_str(result, from);

    return v != NULL ? json_set_str(out, to, v) : 0;
}

/* tokens_issue()'s AuthenticationResult in the token endpoint's form; NULL when out of memory. */
static cJSON *oauth_form(const cJSON *result)
{
    cJSON *out = cJSON_CreateObject();
    int bad = out == NULL;

    bad = bad || copy_member(out, "access_token", result, "AccessToken") != 0;
    bad = bad || copy_member(out, "id_token", result, "IdToken") != 0;
    bad = bad || copy_member(out, "refresh_token", result, "RefreshToken") != 0;
    bad = bad || json_set_str(out, "token_type", "Bearer") != 0;
    bad = bad || json_set_num(out, "expires_in", (double)json_int(result, "ExpiresIn", 0)) != 0;
    if (bad) {
        cJSON_Delete(out);
        return NULL;
    }
    return out;
}

/* Issue tokens for grant into *out (the endpoint's form). 0, or -1 with ctx->err set. */
static int issue(struct op_ctx *ctx, const struct token_grant *grant, cJSON **out)
{
    cJSON *result = cJSON_CreateObject();

    *out = NULL;
    if (result == NULL)
        return cog_err_oom(&ctx->err);
    if (tokens_issue(ctx, grant, result) == 0 && (*out = oauth_form(result)) == NULL)
        cog_err_oom(&ctx->err);
    cJSON_Delete(result);
    return *out != NULL ? 0 : -1;
}

/* Answer tokens (taken) as the endpoint's 200. 0. */
static int answer_tokens(struct token_request *t, cJSON *tokens)
{
    char *text = cJSON_PrintUnformatted(tokens);

    cJSON_Delete(tokens);
    if (text == NULL)
        return fail(t, 500, OAUTH_E_SERVER_ERROR, NULL);
    http_response_set_body(t->resp, 200, "application/json", text, strlen(text));
    oauth_no_store(t->resp);
    snprintf(t->resp->label, sizeof(t->resp->label), "%s", t->label);
    return 0;
}

/*
 * The user of a grant or refresh token: user_seq, still in pool_id and enabled, into *out.
 * 1 when it is, 0 when it is not (gone, moved, disabled), -1 with ctx->err set.
 */
static int grant_user(struct op_ctx *ctx, int64_t user_seq, const char *pool_id,
                      struct store_user **out)
{
    int st = store_user_get_by_seq(ctx->db, user_seq, out);

    if (st == STORE_ERROR)
        return cog_err_set(&ctx->err, COG_E_INTERNAL_ERROR, "could not read the user");
    if (st == STORE_OK && strcmp((*out)->pool_id, pool_id) == 0 && (*out)->enabled)
        return 1;
    store_user_free(*out);
    *out = NULL;
    return 0;
}

enum oauth_issue_status oauth_token_issue(struct op_ctx *ctx, const struct oauth_grant *g,
                                          bool with_refresh, cJSON **out)
{
    cJSON *client = NULL, *pool = NULL;
    struct store_user *user = NULL;
    enum oauth_issue_status st = OAUTH_ISSUE_FAILED;
    int found;

    *out = NULL;
    if (client_load(ctx, g->client_id, &client, &pool) != 0)
        return OAUTH_ISSUE_FAILED;
    found = grant_user(ctx, g->user_seq, g->pool_id, &user);
    if (found == 0)
        st = OAUTH_ISSUE_NO_USER;
    if (found > 0) {
        struct token_grant grant = {
            .pool = pool,
            .client = client,
            .user = user,
            .auth_time = g->auth_time,
            .with_refresh_token = with_refresh,
            .source = "TokenGeneration_HostedAuth",
            .scope = g->scope != NULL ? g->scope : "",
            .nonce = g->nonce,
        };
        if (issue(ctx, &grant, out) == 0)
            st = OAUTH_ISSUE_OK;
    }
    store_user_free(user);
    cJSON_Delete(client);
    cJSON_Delete(pool);
    return st;
}

/* ---- The grants --------------------------------------------------------------------------- */

/*
 * Whether verifier proves the PKCE challenge of g (RFC 7636 4.6): S256 compares
 * base64url(SHA-256(verifier)) without padding, plain the verifier itself. A verifier for a
 * code issued without a challenge is refused (emulator's choice, as OAuth 2.1 4.1.3 has it:
 * it stops a downgrade of PKCE).
 */
static bool pkce_ok(const struct oauth_grant *g, const char *verifier)
{
    const char *method = g->code_challenge_method ? g->code_challenge_method : "plain";
    char *hash;
    bool ok;

    if (g->code_challenge == NULL || verifier == NULL)
        return g->code_challenge == NULL && verifier == NULL;
    if (strcmp(method, "plain") == 0)
        return secrets_equal(verifier, g->code_challenge);
    if (strcmp(method, "S256") != 0 || (hash = jwt_hash_b64url(verifier, 32)) == NULL)
        return false;
    ok = secrets_equal(hash, g->code_challenge);
    free(hash);
    return ok;
}

/* grant_type=authorization_code: the code (once), its client and redirect_uri, PKCE. */
static int grant_code(struct token_request *t)
{
    const char *code = param(t, "code"), *redirect = param(t, "redirect_uri");
    struct oauth_grant *g = NULL;
    enum oauth_issue_status st;
    cJSON *tokens = NULL;
    int rc;

    if (code == NULL || code[0] == '\0')
        return fail(t, 400, OAUTH_E_INVALID_REQUEST, "code is required");
    if (redirect == NULL || redirect[0] == '\0')
        return fail(t, 400, OAUTH_E_INVALID_REQUEST, "redirect_uri is required");
    /* Redeemed whatever comes next: a code shown to the wrong client is burnt. */
    rc = oauth_code_redeem(t->conn, code, t->ctx.now_ms, &g);
    if (rc == STORE_NOT_FOUND)
        return fail(t, 400, OAUTH_E_INVALID_GRANT, NULL);
    if (rc != STORE_OK)
        return fail(t, 500, OAUTH_E_SERVER_ERROR, NULL);
    if (strcmp(g->client_id, t->client.id) != 0 || g->redirect_uri == NULL ||
        strcmp(g->redirect_uri, redirect) != 0 || !pkce_ok(g, param(t, "code_verifier"))) {
        oauth_grant_free(g);
        return fail(t, 400, OAUTH_E_INVALID_GRANT, NULL);
    }
    st = oauth_token_issue(&t->ctx, g, true, &tokens);
    oauth_grant_free(g);
    if (st == OAUTH_ISSUE_NO_USER)
        return fail(t, 400, OAUTH_E_INVALID_GRANT, NULL);
    return st == OAUTH_ISSUE_OK ? answer_tokens(t, tokens) : fail_ctx(t);
}

/*
 * grant_type=refresh_token: new access and ID tokens with the refresh token's scopes, its
 * sign-in's auth_time and origin_jti. A refresh token of the user pool API (no scopes) gets
 * what a refresh through the API gets: scope aws.cognito.signin.user.admin, no version, an ID
 * token (emulator's choice). No new refresh token, unless the client rotates them
 * (RefreshTokenRotation ENABLED): then a new one of the same sign-in and expiry, which
 * supersedes the presented one, as GetTokensFromRefreshToken does (DG, refresh tokens). A
 * superseded token past its grace period is invalid_grant like any other refused one.
 */
static int grant_refresh(struct token_request *t)
{
    const char *token = param(t, "refresh_token");
    struct store_refresh *r = NULL;
    struct store_user *user = NULL;
    cJSON *tokens = NULL;
    int found = 0;

    if (token == NULL || token[0] == '\0')
        return fail(t, 400, OAUTH_E_INVALID_REQUEST, "refresh_token is required");
    if (tokens_redeem_refresh(&t->ctx, token, t->client.client, &r) == 0)
        found = grant_user(&t->ctx, r->user_seq, r->pool_id, &user);
    if (found > 0) {
        struct token_grant grant = {
            .pool = t->client.pool,
            .client = t->client.client,
            .user = user,
            .auth_time = r->auth_time,
            .origin_jti = r->origin_jti,
            .source = "TokenGeneration_RefreshTokens",
            .scope = r->scope,
        };
        if (client_rotates_refresh(t->client.client, NULL)) {
            grant.supersedes = token;
            grant.family = r;
        }
        found = issue(&t->ctx, &grant, &tokens) == 0 ? 1 : -1;
    }
    store_user_free(user);
    store_refresh_free(r);
    if (found > 0)
        return answer_tokens(t, tokens);
    /* Unknown, revoked, expired, another client's, or its user gone: invalid_grant. */
    if (found == 0 && t->ctx.err.code != COG_E_INTERNAL_ERROR)
        return fail(t, 400, OAUTH_E_INVALID_GRANT, NULL);
    return fail_ctx(t);
}

/*
 * aws_client_metadata (URL-encoded JSON, decoded with the form) into *out: NULL when absent.
 * invalid_request when it is not a JSON object of strings. 0 or -1 (answered).
 */
static int client_metadata(struct token_request *t, cJSON **out)
{
    const char *text = param(t, "aws_client_metadata");
    const cJSON *v;

    *out = NULL;
    if (text == NULL)
        return 0;
    *out = cJSON_Parse(text);
    if (!cJSON_IsObject(*out)) {
        cJSON_Delete(*out);
        *out = NULL;
        return fail(t, 400, OAUTH_E_INVALID_REQUEST, "aws_client_metadata is not a JSON object");
    }
    cJSON_ArrayForEach(v, *out)
    {
        if (!cJSON_IsString(v)) {
            cJSON_Delete(*out);
            *out = NULL;
            return fail(t, 400, OAUTH_E_INVALID_REQUEST,
                        "aws_client_metadata values must be strings");
        }
    }
    return 0;
}

/*
 * grant_type=client_credentials: a client with a secret; the custom scopes asked (all the
 * client's when none are), each of them allowed. An access token only. No scope left (the
 * client has none, or their resource servers dropped them) is invalid_scope (emulator's
 * choice).
 */
static int grant_client_credentials(struct token_request *t)
{
    char *granted = NULL;
    cJSON *metadata = NULL, *tokens = NULL;
    enum oauth_scope_status st;
    int rc;

    if (json_str(t->client.client, "ClientSecret") == NULL)
        return fail(t, 400, OAUTH_E_UNAUTHORIZED_CLIENT,
                    "client_credentials needs a client with a secret");
    st = oauth_scope_grant(&t->ctx, &t->client, param(t, "scope"), true, &granted);
    if (st == OAUTH_SCOPE_ERROR)
        return fail_ctx(t);
    if (st == OAUTH_SCOPE_INVALID || granted[0] == '\0') {
        free(granted);
        return fail(t, 400, OAUTH_E_INVALID_SCOPE, NULL);
    }
    if (client_metadata(t, &metadata) != 0) {
        free(granted);
        return -1;
    }
    struct token_grant grant = {
        .pool = t->client.pool,
        .client = t->client.client,
        .auth_time = t->ctx.now_ms / 1000,
        .source = "TokenGeneration_ClientCredentials",
        .client_metadata = metadata,
        .scope = granted,
    };
    rc = issue(&t->ctx, &grant, &tokens) == 0 ? answer_tokens(t, tokens) : fail_ctx(t);
    cJSON_Delete(metadata);
    free(granted);
    return rc;
}

/* The grant types, each with the AllowedOAuthFlows entry it needs (NULL: any OAuth client). */
static const struct grant_type {
    const char *name;
    const char *flow;
    int (*run)(struct token_request *t);
} GRANTS[] = {
    {"authorization_code", "code", grant_code},
    {"refresh_token", NULL, grant_refresh},
    {"client_credentials", "client_credentials", grant_client_credentials},
};

/* Run the request's grant_type. 0 or -1 (answered either way). */
static int run_grant(struct token_request *t)
{
    const char *type = param(t, "grant_type");

    if (type == NULL || type[0] == '\0')
        return fail(t, 400, OAUTH_E_INVALID_REQUEST, "grant_type is required");
    if (authenticate(t) != 0)
        return -1;
    for (size_t i = 0; i < sizeof(GRANTS) / sizeof(GRANTS[0]); i++) {
        if (strcmp(type, GRANTS[i].name) != 0)
            continue;
        if (!t->oauth_enabled ||
            (GRANTS[i].flow != NULL && !oauth_client_allows_flow(&t->client, GRANTS[i].flow)))
            return fail(t, 400, OAUTH_E_UNAUTHORIZED_CLIENT, NULL);
        return GRANTS[i].run(t);
    }
    return fail(t, 400, OAUTH_E_UNSUPPORTED_GRANT_TYPE, NULL);
}

/* ---- The endpoints ------------------------------------------------------------------------ */

static void request_begin(struct token_request *t, const struct app *app,
                          const struct http_request *req, const char *domain,
                          struct http_response *resp, const char *label)
{
    memset(t, 0, sizeof(*t));
    t->app = app;
    t->req = req;
    t->domain = domain;
    t->resp = resp;
    t->label = label;
    t->conn = store_acquire(app->store);
    oauth_ctx_init(&t->ctx, app, t->conn, label);
}

static void request_end(struct token_request *t)
{
    form_free(t->form);
    oauth_client_free(&t->client);
    store_release(t->app->store, t->conn);
}

void oauth_token(const struct app *app, const struct http_request *req, const char *domain,
                 struct http_response *resp)
{
    struct token_request t;

    request_begin(&t, app, req, domain, resp, "oauth2/token");
    /* Every error of this endpoint is a 400, invalid_client too (the page's samples; RFC 6749
     * 5.2 would allow 401). */
    t.client_error_status = 400;
    if (read_form(&t) == 0)
        run_grant(&t);
    request_end(&t);
}

/* The revocation itself, once the form is read. 0 or -1 (answered either way). */
static int revoke(struct token_request *t)
{
    const char *token = param(t, "token");
    int rc;

    if (authenticate(t) != 0)
        return -1;
    if (token == NULL || token[0] == '\0')
        return fail(t, 400, OAUTH_E_INVALID_REQUEST, "token is required");
    if (!json_bool(t->client.client, "EnableTokenRevocation", true))
        return fail(t, 400, OAUTH_E_INVALID_REQUEST, "Token revocation is not enabled");
    rc = tokens_revoke_refresh(&t->ctx, token, t->client.id);
    if (rc == 1)
        return fail(t, 400, OAUTH_E_UNSUPPORTED_TOKEN_TYPE, NULL);
    if (rc != 0)
        return fail_ctx(t);
    /* 200 with an empty body, also for a token the client does not know (RFC 7009 2.2). */
    http_response_set_body(t->resp, 200, NULL, NULL, 0);
    oauth_no_store(t->resp);
    snprintf(t->resp->label, sizeof(t->resp->label), "%s", t->label);
    return 0;
}

void oauth_revoke(const struct app *app, const struct http_request *req, const char *domain,
                  struct http_response *resp)
{
    struct token_request t;

    request_begin(&t, app, req, domain, resp, "oauth2/revoke");
    t.client_error_status = 401;
    if (read_form(&t) == 0)
        revoke(&t);
    request_end(&t);
}
