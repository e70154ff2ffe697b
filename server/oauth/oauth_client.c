/*
 * oauth_client: an OAuth request's app client and what its settings allow. See
 * oauth_client.h. Custom scopes are "<resource server identifier>/<scope name>"; whether a
 * resource server still defines one is userpool/resource_server.h's question.
 */
#include "config.h"

#include "oauth/oauth_client.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"
#include "userpool/client.h"
#include "userpool/resource_server.h"
#include "userpool/tokens.h"
#include "util/jsonutil.h"
#include "util/strbuf.h"

/* The longest scope the model allows (ScopeType: 1 to 256). */
#define SCOPE_MAX 256

enum oauth_client_status oauth_client_load(struct op_ctx *ctx, const char *client_id,
                                           struct oauth_client *out)
{
    memset(out, 0, sizeof(*out));
    if (client_id == NULL || client_id[0] == '\0')
        return OAUTH_CLIENT_UNKNOWN;
    if (client_load(ctx, client_id, &out->client, &out->pool) != 0)
        return ctx->err.code == COG_E_RESOURCE_NOT_FOUND ? OAUTH_CLIENT_UNKNOWN
                                                         : OAUTH_CLIENT_ERROR;
    out->id = json_str(out->client, "ClientId");
    out->pool_id = json_str(out->client, "UserPoolId");
    if (!json_bool(out->client, "AllowedOAuthFlowsUserPoolClient", false))
        return OAUTH_CLIENT_NO_OAUTH;
    return OAUTH_CLIENT_OK;
}

void oauth_client_free(struct oauth_client *c)
{
    cJSON_Delete(c->client);
    cJSON_Delete(c->pool);
    memset(c, 0, sizeof(*c));
}

bool oauth_client_allows_flow(const struct oauth_client *c, const char *flow)
{
    return json_list_has(json_get(c->client, "AllowedOAuthFlows"), flow);
}

bool oauth_client_callback_ok(const struct oauth_client *c, const char *uri)
{
    return uri != NULL && json_list_has(json_get(c->client, "CallbackURLs"), uri);
}

bool oauth_client_logout_ok(const struct oauth_client *c, const char *uri)
{
    return uri != NULL && json_list_has(json_get(c->client, "LogoutURLs"), uri);
}

bool oauth_client_supports_idp(const struct oauth_client *c, const char *provider)
{
    return provider != NULL &&
           json_list_has(json_get(c->client, "SupportedIdentityProviders"), provider);
}

/* ---- Scopes --------------------------------------------------------------------------------- */

/* Whether scope is a resource server's ("<identifier>/<name>"). */
static bool is_custom(const char *scope)
{
    return strchr(scope, '/') != NULL;
}

/* Decide one requested scope: add it to *out, leave it out, or refuse the request. */
static enum oauth_scope_status grant_one(struct op_ctx *ctx, const struct oauth_client *c,
                                         const char *scope, bool custom_only, struct strbuf *out)
{
    int defined = 1;

    if (!json_list_has(json_get(c->client, "AllowedOAuthScopes"), scope) ||
        (custom_only && !is_custom(scope)))
        return OAUTH_SCOPE_INVALID;
    if (is_custom(scope) && (defined = resource_server_has_scope(ctx->db, c->pool_id, scope)) < 0) {
        cog_err_set(&ctx->err, COG_E_INTERNAL_ERROR, "Cannot read the resource server.");
        return OAUTH_SCOPE_ERROR;
    }
    if (defined && !tokens_scope_has(out->p, scope)) {
        if (out->len > 0)
            strbuf_puts(out, " ");
        strbuf_puts(out, scope);
    }
    return OAUTH_SCOPE_OK;
}

/* The client's AllowedOAuthScopes (of them, the custom ones when custom_only), space-separated. */
static char *all_scopes(const struct oauth_client *c, bool custom_only)
{
    struct strbuf b = {0};
    const cJSON *s;

    cJSON_ArrayForEach(s, json_get(c->client, "AllowedOAuthScopes"))
    {
        if (!cJSON_IsString(s) || (custom_only && !is_custom(s->valuestring)))
            continue;
        if (b.len > 0)
            strbuf_puts(&b, " ");
        strbuf_puts(&b, s->valuestring);
    }
    return strbuf_take(&b);
}

enum oauth_scope_status oauth_scope_grant(struct op_ctx *ctx, const struct oauth_client *c,
                                          const char *requested, bool custom_only, char **granted)
{
    char *asked =
        requested != NULL && requested[0] != '\0' ? strdup(requested) : all_scopes(c, custom_only);
    struct strbuf out = {0};
    enum oauth_scope_status st = OAUTH_SCOPE_OK;
    char scope[SCOPE_MAX + 1];

    *granted = NULL;
    if (asked == NULL)
        return cog_err_oom(&ctx->err), OAUTH_SCOPE_ERROR;
    for (const char *p = asked + strspn(asked, " "); st == OAUTH_SCOPE_OK && *p != '\0';) {
        size_t len = strcspn(p, " ");
        if (len > SCOPE_MAX) {
            st = OAUTH_SCOPE_INVALID;
            break;
        }
        snprintf(scope, sizeof(scope), "%.*s", (int)len, p);
        st = grant_one(ctx, c, scope, custom_only, &out);
        p += len;
        p += strspn(p, " ");
    }
    free(asked);
    if (st == OAUTH_SCOPE_OK && (*granted = strbuf_take(&out)) == NULL)
        return cog_err_oom(&ctx->err), OAUTH_SCOPE_ERROR;
    strbuf_free(&out);
    return st;
}
