/*
 * oauth_userinfo: GET and POST /oauth2/userInfo. See oauth_userinfo.h.
 *
 * The token is checked as GetUser checks one (userpool/tokens.h: signature, issuer, expiry,
 * the user still there, enabled and not signed out), and must be an OAuth one: its scope has
 * openid (an access token of the user pool API has only aws.cognito.signin.user.admin, which
 * the userInfo page says this endpoint does not accept). The answer has sub, the attributes
 * the client may read that the scopes show (tokens_scope_reads, also what the ID token
 * shows), and username, all as strings: real answers send "email_verified": "true"
 * (unverified: the facts say so from captures; pinned in tests/check_oauth_token.c).
 */
#include "config.h"

#include "oauth/oauth_userinfo.h"

#include <cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "oauth/oauth.h"
#include "oauth/oauth_client.h"
#include "oauth/oauth_errors.h"
#include "store/store.h"
#include "userpool/client.h"
#include "userpool/tokens.h"
#include "userpool/user.h"
#include "util/jsonutil.h"
#include "util/log.h"

#define LABEL "oauth2/userInfo"

/* The descriptions of the userInfo page's two errors. */
#define BAD_REQUEST "Bad OAuth2 request at UserInfo Endpoint"
#define BAD_TOKEN                                                                                  \
    "Access token is expired, disabled, or deleted, or the user has globally signed out."

/* The bearer token of req's Authorization header, or NULL when it has none. */
static const char *bearer_token(const struct http_request *req)
{
    const char *h = http_request_header(req, "Authorization");

    if (h == NULL || strncasecmp(h, "Bearer ", 7) != 0)
        return NULL;
    h += 7 + strspn(h + 7, " ");
    return h[0] != '\0' ? h : NULL;
}

/* The answer: sub, the attributes of u the client reads and scope shows, username. */
static cJSON *user_info(const struct store_user *u, const cJSON *client, const char *scope)
{
    cJSON *out = cJSON_CreateObject(), *attrs = user_attribute_list(u, client);
    const cJSON *a;
    int bad = out == NULL || attrs == NULL;

    bad = bad || json_set_str(out, "sub", u->sub) != 0;
    cJSON_ArrayForEach(a, attrs)
    {
        const char *name = json_str(a, "Name"), *value = json_str(a, "Value");
        if (!bad && name != NULL && value != NULL && strcmp(name, "sub") != 0 &&
            tokens_scope_reads(scope, name))
            bad = json_set_str(out, name, value) != 0;
    }
    bad = bad || json_set_str(out, "username", u->username) != 0;
    cJSON_Delete(attrs);
    if (bad) {
        cJSON_Delete(out);
        return NULL;
    }
    return out;
}

/* Refuse the token: 401 invalid_token. */
static void bad_token(struct http_response *resp, const char *description)
{
    oauth_error_respond_bearer(resp, 401, OAUTH_E_INVALID_TOKEN, description, LABEL);
}

/* Answer the emulator's own failure (ctx->err, or out of memory): 500. */
static void server_error(const struct op_ctx *ctx, struct http_response *resp)
{
    log_error(LABEL ": %s", ctx->err.message[0] != '\0' ? ctx->err.message : "out of memory");
    oauth_error_respond(resp, 500, OAUTH_E_SERVER_ERROR, NULL, LABEL);
}

/* The user info of u for claims, as the 200 answer. */
static void answer_info(const struct op_ctx *ctx, const struct store_user *u, const cJSON *client,
                        const cJSON *claims, struct http_response *resp)
{
    cJSON *info = user_info(u, client, json_str(claims, "scope"));
    char *text = info != NULL ? cJSON_PrintUnformatted(info) : NULL;

    cJSON_Delete(info);
    if (text == NULL) {
        server_error(ctx, resp);
        return;
    }
    http_response_set_body(resp, 200, "application/json", text, strlen(text));
    oauth_no_store(resp);
    snprintf(resp->label, sizeof(resp->label), LABEL);
}

/*
 * The checks after the signature: the token's pool has the domain the request came to, the
 * user may still use the token, its client still exists. The answer is set either way.
 */
static void answer(const struct app *app, const struct http_request *req, const char *domain,
                   struct op_ctx *ctx, const char *pool_id, const cJSON *claims,
                   struct http_response *resp)
{
    struct oauth_site site;
    struct store_user *u = NULL;
    cJSON *client = NULL, *pool = NULL;
    enum oauth_site_status sst = oauth_site_resolve(ctx->db, app, req, domain, pool_id, &site);
    enum tokens_status st;

    if (sst != OAUTH_SITE_OK) {
        if (sst == OAUTH_SITE_ERROR)
            server_error(ctx, resp);
        else
            bad_token(resp, BAD_TOKEN);
        return;
    }
    st = tokens_check_user(ctx, pool_id, claims, TOKENS_USER_ACCESS, &u);
    if (st == TOKENS_OK && client_load(ctx, json_str(claims, "client_id"), &client, &pool) == 0)
        answer_info(ctx, u, client, claims, resp);
    else if (st == TOKENS_ERROR || (st == TOKENS_OK && ctx->err.code != COG_E_RESOURCE_NOT_FOUND))
        server_error(ctx, resp);
    else
        bad_token(resp, BAD_TOKEN); /* revoked, disabled, gone; or its client deleted */
    cJSON_Delete(client);
    cJSON_Delete(pool);
    store_user_free(u);
}

void oauth_userinfo(const struct app *app, const struct http_request *req, const char *domain,
                    struct http_response *resp)
{
    static const struct tokens_expect access = {.token_use = "access"};
    const char *token = bearer_token(req);
    struct store_conn *conn;
    struct op_ctx ctx;
    char pool_id[IDS_MAX];
    cJSON *claims = NULL;
    enum tokens_status st;

    if (token == NULL) {
        oauth_error_respond_bearer(resp, 400, OAUTH_E_INVALID_REQUEST, BAD_REQUEST, LABEL);
        return;
    }
    conn = store_acquire(app->store);
    oauth_ctx_init(&ctx, app, conn, LABEL);
    st = tokens_verify(&ctx, token, &access, pool_id, &claims);
    if (st == TOKENS_ERROR)
        oauth_error_respond(resp, 500, OAUTH_E_SERVER_ERROR, NULL, LABEL);
    else if (st != TOKENS_OK)
        bad_token(resp, BAD_TOKEN);
    /* An API token (or one whose trigger took openid away); wording emulator's, after the
     * message users report from Cognito (simov/grant#189). */
    else if (!tokens_scope_has(json_str(claims, "scope"), "openid"))
        bad_token(resp, "Access token does not contain openid scope");
    else
        answer(app, req, domain, &ctx, pool_id, claims, resp);
    cJSON_Delete(claims);
    store_release(app->store, conn);
}
