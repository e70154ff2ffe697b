/*
 * client: the app client document, as DescribeUserPoolClient returns it: AWS's defaults and
 * cross-field rules when a request creates or replaces it (token validities, auth flows,
 * read and write attributes), and what a stored client means to the operations that name it:
 * loading it, its token lifetimes, SECRET_HASH, the auth flows it allows, and whether it hides
 * unknown users. See client.h.
 *
 * Sources, cited once here and referred to below:
 *   [api]      the API reference text carried in server/aws/model/cognito-idp.json
 *              (CreateUserPoolClient member documentation).
 *   [client]   DescribeUserPoolClient output of a CLI-created client, 2023 (RefreshTokenValidity
 *              30, TokenValidityUnits {}, AllowedOAuthFlowsUserPoolClient false,
 *              EnableTokenRevocation true, EnablePropagateAdditionalUserContextData false,
 *              AuthSessionValidity 3; no ExplicitAuthFlows or PreventUserExistenceErrors).
 * Error messages quote what real Cognito answered in public reports where one was found; the
 * remaining wordings are marked as this emulator's own.
 */
#include "config.h"

#include "userpool/client.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "crypto/secrets.h"
#include "userpool/pool.h"
#include "userpool/resource_server.h"
#include "store/store.h"
#include "util/jsonutil.h"

/* App client defaults ([client], [api]). */
#define DEFAULT_REFRESH_DAYS 30
#define DEFAULT_AUTH_SESSION_MINUTES 3

/* App clients: documents under their user pool, found by id alone or by id within their pool. */
const struct ops_doc_type CLIENT_DOC = {
    .kind = STORE_USER_POOL_CLIENT,
    .noun = "app client",
    .missing_code = COG_E_RESOURCE_NOT_FOUND,
    .missing = "User pool client %s does not exist.",
    .parent = &OPS_USER_POOL,
};

/* ---- App clients -------------------------------------------------------------------------- */

static int64_t unit_seconds(const char *unit)
{
    if (unit == NULL)
        return 0;
    if (strcmp(unit, "seconds") == 0)
        return 1;
    if (strcmp(unit, "minutes") == 0)
        return 60;
    if (strcmp(unit, "hours") == 0)
        return 3600;
    if (strcmp(unit, "days") == 0)
        return 86400;
    return 0;
}

/*
 * Per token: the member holding its value, its default unit, its default lifetime in seconds,
 * and the range Cognito accepts ([api]: access and ID tokens 5 minutes to 1 day, refresh
 * tokens 60 minutes to 10 years; default units hours, hours, days).
 */
static const struct token_rule {
    const char *token, *member, *default_unit;
    int64_t default_seconds, min_seconds, max_seconds;
} TOKENS[] = {
    {"AccessToken", "AccessTokenValidity", "hours", 3600, 300, 86400},
    {"IdToken", "IdTokenValidity", "hours", 3600, 300, 86400},
    {"RefreshToken", "RefreshTokenValidity", "days", DEFAULT_REFRESH_DAYS * 86400, 3600, 315360000},
};

static const struct token_rule *find_token(const char *token)
{
    for (size_t i = 0; i < sizeof(TOKENS) / sizeof(TOKENS[0]); i++)
        if (strcmp(TOKENS[i].token, token) == 0)
            return &TOKENS[i];
    return NULL;
}

/* Seconds per unit of token t in client (its TokenValidityUnits, else the default unit). */
static int64_t token_unit(const cJSON *client, const struct token_rule *t)
{
    int64_t s = unit_seconds(json_str(json_get(client, "TokenValidityUnits"), t->token));
    return s ? s : unit_seconds(t->default_unit);
}

int64_t client_token_validity(const cJSON *client, const char *token)
{
    const struct token_rule *t = find_token(token);
    int64_t value;

    if (t == NULL)
        return -1;
    value = json_int(client, t->member, 0);
    return value > 0 ? value * token_unit(client, t) : t->default_seconds;
}

/*
 * Validities given in request in must lie in Cognito's range for their unit; the message is
 * real Cognito's (aws-samples/cloudfront-authorization-at-edge#144, awsdocs CloudFormation
 * PR #828). A RefreshTokenValidity of 0 is not checked: Cognito replaces it with 30 days.
 */
static int check_validities(const cJSON *in, struct cog_err *err)
{
    for (size_t i = 0; i < sizeof(TOKENS) / sizeof(TOKENS[0]); i++) {
        const struct token_rule *t = &TOKENS[i];
        int64_t value = json_int(in, t->member, 0), seconds;

        if (json_get(in, t->member) == NULL || value == 0)
            continue;
        seconds = value * token_unit(in, t);
        if (value < 0 || seconds < t->min_seconds || seconds > t->max_seconds)
            return cog_err_set(err, COG_E_INVALID_PARAMETER, "Invalid range for token validity.");
    }
    return 0;
}

/*
 * RefreshTokenValidity: as given, 30 when omitted, and "You can't set RefreshTokenValidity to
 * 0. If you do, Amazon Cognito overrides the value with the default value of 30 days" ([api]),
 * which is 30 days expressed in the request's refresh token unit.
 */
static double refresh_validity(const cJSON *in)
{
    const struct token_rule *t = find_token("RefreshToken");
    int64_t value = json_int(in, t->member, 0);

    return (double)(value > 0 ? value : t->default_seconds / token_unit(in, t));
}

/* ALLOW_USER_AUTH needs a feature plan above LITE (FeatureUnavailableInTierException is in
 * CreateUserPoolClient's error list; the wording is the emulator's). */
static int check_tier(const cJSON *in, const cJSON *pool, struct cog_err *err)
{
    if (json_list_has(json_get(in, "ExplicitAuthFlows"), "ALLOW_USER_AUTH") &&
        strcmp(json_str_or(pool, "UserPoolTier", "ESSENTIALS"), "LITE") == 0)
        return cog_err_set(err, COG_E_FEATURE_UNAVAILABLE_IN_TIER,
                           "ALLOW_USER_AUTH is not available in the LITE feature plan. Change the "
                           "user pool's feature plan to ESSENTIALS or PLUS.");
    return 0;
}

/*
 * ExplicitAuthFlows may not mix the legacy names with ALLOW_ ones ([api]: "values with ALLOW_
 * prefix cannot be used along with values without ALLOW_ prefix"). The exact message of real
 * Cognito was not found; this wording is the emulator's, taken from that sentence.
 */
static int check_auth_flows(const cJSON *in, struct cog_err *err)
{
    const cJSON *flow;
    bool legacy = false, allow = false;

    cJSON_ArrayForEach(flow, json_get(in, "ExplicitAuthFlows"))
    {
        if (!cJSON_IsString(flow))
            continue;
        if (strncmp(flow->valuestring, "ALLOW_", 6) == 0)
            allow = true;
        else
            legacy = true;
    }
    if (legacy && allow)
        return cog_err_set(err, COG_E_INVALID_PARAMETER,
                           "Values with ALLOW_ prefix cannot be used along with values without "
                           "ALLOW_ prefix in ExplicitAuthFlows.");
    return 0;
}

/*
 * ReadAttributes must name attributes of the pool. WriteAttributes must name writable
 * attributes of the pool and include every required one: "all app clients can write user pool
 * required attributes". The write message is real Cognito's ("Invalid write attributes
 * specified while creating a client" / "... while updating a client", reported by several
 * deployments); the read message follows it by analogy and is not confirmed.
 */
static int check_attributes(const cJSON *in, const cJSON *pool, const char *verb,
                            struct cog_err *err)
{
    const cJSON *read = json_get(in, "ReadAttributes"), *write = json_get(in, "WriteAttributes");
    const cJSON *item;

    cJSON_ArrayForEach(item, read)
    {
        if (!cJSON_IsString(item) || pool_schema_entry(pool, item->valuestring) == NULL)
            return cog_err_set(err, COG_E_INVALID_PARAMETER,
                               "Invalid read attributes specified while %s a client", verb);
    }
    if (write == NULL)
        return 0;
    cJSON_ArrayForEach(item, write)
    {
        if (!cJSON_IsString(item) || pool_never_writable(item->valuestring) ||
            pool_schema_entry(pool, item->valuestring) == NULL)
            goto bad_write;
    }
    cJSON_ArrayForEach(item, json_get(pool, "SchemaAttributes"))
    {
        const char *n = json_str(item, "Name");
        if (n != NULL && !pool_never_writable(n) && json_bool(item, "Required", false) &&
            !json_list_has(write, n))
            goto bad_write;
    }
    return 0;
bad_write:
    return cog_err_set(err, COG_E_INVALID_PARAMETER,
                       "Invalid write attributes specified while %s a client", verb);
}

/*
 * Members copied from the request exactly as given, and absent when it omits them. AWS omits
 * the OAuth lists from Describe when they are empty (../shared/oauth2-hosted-ui.md 1.4);
 * the attribute and auth-flow lists are kept as given, since an empty ExplicitAuthFlows does
 * not mean what an absent one means (client.h).
 */
static const struct {
    const char *name;
    bool omit_empty;
} CLIENT_OPTIONAL_LISTS[] = {
    {"ReadAttributes", false},     {"WriteAttributes", false},
    {"ExplicitAuthFlows", false},  {"SupportedIdentityProviders", true},
    {"CallbackURLs", true},        {"LogoutURLs", true},
    {"DefaultRedirectURI", false}, {"AllowedOAuthFlows", true},
    {"AllowedOAuthScopes", true},
};

/*
 * The whole client document, in the member order of [client]. old is NULL for a create
 * (client_id and secret name the new client) or the stored client for an update.
 *
 * Defaults ([client], [api]): RefreshTokenValidity 30 (refresh_validity), TokenValidityUnits
 * {}, AllowedOAuthFlowsUserPoolClient false, EnableTokenRevocation true,
 * EnablePropagateAdditionalUserContextData false, AuthSessionValidity 3 minutes. Access and ID
 * token validities, attribute lists, auth flows, OAuth settings, AnalyticsConfiguration,
 * PreventUserExistenceErrors and RefreshTokenRotation appear only when given ([client] has
 * none of them for a minimal client; see client.h for what absence means).
 */
static int build_client(const cJSON *in, const cJSON *pool, const cJSON *old, const char *client_id,
                        const char *secret, int64_t now_ms, cJSON **out, struct cog_err *err)
{
    const char *verb = old ? "updating" : "creating";
    cJSON *doc;
    int bad = 0;

    *out = NULL;
    if (check_auth_flows(in, err) != 0 || check_tier(in, pool, err) != 0 ||
        check_validities(in, err) != 0 || check_attributes(in, pool, verb, err) != 0)
        return -1;
    if ((doc = cJSON_CreateObject()) == NULL)
        return cog_err_oom(err);
    bad |= json_set_str(doc, "UserPoolId", json_str_or(pool, "Id", ""));
    /* A client always has a name (CreateUserPoolClient requires one), so an update without
     * ClientName keeps it rather than resetting it to a default that does not exist. */
    bad |= json_set_str(doc, "ClientName",
                        json_str_or(in, "ClientName", json_str_or(old, "ClientName", "")));
    bad |= json_set_str(doc, "ClientId", old ? json_str_or(old, "ClientId", "") : client_id);
    if (old != NULL)
        bad |= json_copy_member(doc, old, "ClientSecret");
    else if (secret != NULL)
        bad |= json_set_str(doc, "ClientSecret", secret);
    bad |= json_set_num(doc, "LastModifiedDate", json_epoch(now_ms));
    if (old != NULL)
        bad |= json_copy_member(doc, old, "CreationDate");
    else
        bad |= json_set_num(doc, "CreationDate", json_epoch(now_ms));
    bad |= json_set_num(doc, "RefreshTokenValidity", refresh_validity(in));
    bad |= json_copy_member(doc, in, "AccessTokenValidity");
    bad |= json_copy_member(doc, in, "IdTokenValidity");
    bad |= json_copy_or(doc, in, "TokenValidityUnits", cJSON_CreateObject());
    for (size_t i = 0; i < sizeof(CLIENT_OPTIONAL_LISTS) / sizeof(CLIENT_OPTIONAL_LISTS[0]); i++) {
        const cJSON *value = json_get(in, CLIENT_OPTIONAL_LISTS[i].name);

        if (CLIENT_OPTIONAL_LISTS[i].omit_empty && cJSON_IsArray(value) &&
            cJSON_GetArraySize(value) == 0)
            continue;
        bad |= json_copy_member(doc, in, CLIENT_OPTIONAL_LISTS[i].name);
    }
    bad |= json_set_bool(doc, "AllowedOAuthFlowsUserPoolClient",
                         json_bool(in, "AllowedOAuthFlowsUserPoolClient", false));
    bad |= json_copy_member(doc, in, "AnalyticsConfiguration");
    bad |= json_copy_member(doc, in, "PreventUserExistenceErrors");
    bad |=
        json_set_bool(doc, "EnableTokenRevocation", json_bool(in, "EnableTokenRevocation", true));
    bad |= json_set_bool(doc, "EnablePropagateAdditionalUserContextData",
                         json_bool(in, "EnablePropagateAdditionalUserContextData", false));
    bad |= json_set_num(doc, "AuthSessionValidity",
                        (double)json_int(in, "AuthSessionValidity", DEFAULT_AUTH_SESSION_MINUTES));
    bad |= json_copy_member(doc, in, "RefreshTokenRotation");
    if (bad) {
        cJSON_Delete(doc);
        return cog_err_oom(err);
    }
    *out = doc;
    return 0;
}

int client_new(const cJSON *in, const cJSON *pool, const char *client_id, const char *secret,
               int64_t now_ms, cJSON **out, struct cog_err *err)
{
    return build_client(in, pool, NULL, client_id, secret, now_ms, out, err);
}

int client_update(const cJSON *in, const cJSON *pool, const cJSON *old, int64_t now_ms, cJSON **out,
                  struct cog_err *err)
{
    return build_client(in, pool, old, NULL, NULL, now_ms, out, err);
}

/* ---- OAuth 2.0 settings ------------------------------------------------------------------- */

/* The request being checked, and what the rules below derive from it once. */
struct oauth_req {
    struct op_ctx *ctx;
    const cJSON *in;
    const char *pool_id;
    bool has_secret;
    bool code_or_implicit;   /* AllowedOAuthFlows has code or implicit */
    bool client_credentials; /* AllowedOAuthFlows has client_credentials */
};

/* The scopes Cognito defines itself; every other scope is "<Identifier>/<ScopeName>". */
static bool standard_scope(const char *scope)
{
    static const char *const STANDARD[] = {"openid", "email", "phone", "profile",
                                           "aws.cognito.signin.user.admin"};

    for (size_t i = 0; i < sizeof(STANDARD) / sizeof(STANDARD[0]); i++)
        if (strcmp(STANDARD[i], scope) == 0)
            return true;
    return false;
}

/* Whether host (n bytes, with its port if any) is a loopback literal Cognito lets use http. */
static bool loopback_host(const char *host, size_t n)
{
    static const char *const LOOPBACK[] = {"localhost", "127.0.0.1", "[::1]"};

    for (size_t i = 0; i < sizeof(LOOPBACK) / sizeof(LOOPBACK[0]); i++) {
        size_t len = strlen(LOOPBACK[i]);

        if (n < len || strncasecmp(host, LOOPBACK[i], len) != 0)
            continue;
        if (n == len)
            return true;
        if (host[len] == ':' && n > len + 1 && strspn(host + len + 1, "0123456789") == n - len - 1)
            return true;
    }
    return false;
}

/* The length of url's scheme (RFC 3986: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ), then ':'),
 * or 0 when it has none. */
static size_t scheme_length(const char *url)
{
    size_t n = 0;

    if (!isalpha((unsigned char)url[0]))
        return 0;
    while (isalnum((unsigned char)url[n]) || url[n] == '+' || url[n] == '-' || url[n] == '.')
        n++;
    return url[n] == ':' ? n : 0;
}

/*
 * A redirect URL as Cognito accepts it (page "Application-specific settings with app
 * clients"): absolute, without a fragment; https, a custom scheme (myapp://callback), or http
 * to http://localhost, http://127.0.0.1 or http://[::1] with any port. Plain http elsewhere is
 * refused with real Cognito's message (aws-amplify/amplify-cli#5419); the message for the
 * other faults is this emulator's.
 */
static int check_url(struct op_ctx *ctx, const char *url)
{
    size_t scheme = scheme_length(url);
    const char *rest = url + scheme + 1, *host;
    bool web = scheme == 4 || scheme == 5;

    web = web && (strncasecmp(url, "http:", 5) == 0 || strncasecmp(url, "https:", 6) == 0);
    if (scheme == 0 || *rest == '\0' || strchr(url, '#') != NULL ||
        (web && (strncmp(rest, "//", 2) != 0 || strcspn(rest + 2, "/?") == 0)))
        return cog_err_set(&ctx->err, COG_E_INVALID_PARAMETER,
                           "%s is not a valid URL: a redirect URL must be absolute and must not "
                           "have a fragment.",
                           url);
    host = rest + 2;
    if (web && scheme == 4 && !loopback_host(host, strcspn(host, "/?")))
        return cog_err_set(&ctx->err, COG_E_INVALID_PARAMETER, "%s cannot use the HTTP protocol.",
                           url);
    return 0;
}

/* Every URL of CallbackURLs, LogoutURLs and DefaultRedirectURI is a valid redirect URL. */
static int rule_urls(const struct oauth_req *r)
{
    static const char *const LISTS[] = {"CallbackURLs", "LogoutURLs"};
    const char *def = json_str(r->in, "DefaultRedirectURI");
    const cJSON *url;

    for (size_t i = 0; i < sizeof(LISTS) / sizeof(LISTS[0]); i++) {
        cJSON_ArrayForEach(url, json_get(r->in, LISTS[i]))
        {
            if (cJSON_IsString(url) && check_url(r->ctx, url->valuestring) != 0)
                return -1;
        }
    }
    return def != NULL ? check_url(r->ctx, def) : 0;
}

/* DefaultRedirectURI must be one of CallbackURLs ([api]); the message is this emulator's. */
static int rule_default_redirect(const struct oauth_req *r)
{
    const char *def = json_str(r->in, "DefaultRedirectURI");

    if (def != NULL && !json_list_has(json_get(r->in, "CallbackURLs"), def))
        return cog_err_set(&r->ctx->err, COG_E_INVALID_PARAMETER,
                           "DefaultRedirectURI %s must be one of the CallbackURLs.", def);
    return 0;
}

/*
 * Every name of SupportedIdentityProviders is COGNITO (the pool itself) or an identity
 * provider of the pool; real Cognito's message (aws/aws-cdk#15692). The providers are read
 * from the store directly: their documents are keyed "<pool id> <ProviderName>".
 */
static int rule_providers(const struct oauth_req *r)
{
    const cJSON *name;

    cJSON_ArrayForEach(name, json_get(r->in, "SupportedIdentityProviders"))
    {
        char key[512], *doc = NULL;
        int st;

        if (!cJSON_IsString(name) || strcmp(name->valuestring, "COGNITO") == 0)
            continue;
        snprintf(key, sizeof(key), "%s %s", r->pool_id, name->valuestring);
        st = store_doc_get(r->ctx->db, STORE_IDENTITY_PROVIDER, key, r->pool_id, &doc);
        free(doc);
        if (st == STORE_NOT_FOUND)
            return cog_err_set(&r->ctx->err, COG_E_INVALID_PARAMETER,
                               "The provider %s does not exist for User Pool %s", name->valuestring,
                               r->pool_id);
        if (st != STORE_OK)
            return ops_fail_internal(r->ctx, "reading the identity providers");
    }
    return 0;
}

/* A client allowed to use OAuth needs flows and scopes (real Cognito's message, Terraform and
 * CDK reports). */
static int rule_oauth_needs_flows_and_scopes(const struct oauth_req *r)
{
    if (json_bool(r->in, "AllowedOAuthFlowsUserPoolClient", false) &&
        (cJSON_GetArraySize(json_get(r->in, "AllowedOAuthFlows")) == 0 ||
         cJSON_GetArraySize(json_get(r->in, "AllowedOAuthScopes")) == 0))
        return cog_err_set(&r->ctx->err, COG_E_INVALID_PARAMETER,
                           "AllowedOAuthFlows and AllowedOAuthScopes are required if user pool "
                           "client is allowed to use OAuth flows.");
    return 0;
}

/* The code and implicit flows redirect, so they need a callback URL (real Cognito's message,
 * aws/aws-cdk#28204). */
static int rule_redirecting_flows_need_callbacks(const struct oauth_req *r)
{
    if (r->code_or_implicit && cJSON_GetArraySize(json_get(r->in, "CallbackURLs")) == 0)
        return cog_err_set(&r->ctx->err, COG_E_INVALID_O_AUTH_FLOW,
                           "CallbackUrls can not be empty when code flow or implicit flow is "
                           "selected");
    return 0;
}

/* client_credentials stands alone (real Cognito's message; the exception type is assumed to be
 * that of the other flow rules). */
static int rule_client_credentials_alone(const struct oauth_req *r)
{
    if (r->client_credentials && r->code_or_implicit)
        return cog_err_set(&r->ctx->err, COG_E_INVALID_O_AUTH_FLOW,
                           "client_credentials flow can not be selected along with code flow or "
                           "implicit flow.");
    return 0;
}

/* client_credentials authenticates the client, so it needs a secret (real Cognito's message). */
static int rule_client_credentials_secret(const struct oauth_req *r)
{
    if (r->client_credentials && !r->has_secret)
        return cog_err_set(&r->ctx->err, COG_E_INVALID_O_AUTH_FLOW,
                           "client_credentials flow can not be selected if client does not have "
                           "a client secret.");
    return 0;
}

/* client_credentials issues no user's token, so only custom scopes (real Cognito's message,
 * "openid is not supported with client_credentials flow"; its exception type was not captured,
 * that of the other flow rules is used). */
static int rule_client_credentials_custom_scopes(const struct oauth_req *r)
{
    const cJSON *scope;

    if (!r->client_credentials)
        return 0;
    cJSON_ArrayForEach(scope, json_get(r->in, "AllowedOAuthScopes"))
    {
        if (cJSON_IsString(scope) && standard_scope(scope->valuestring))
            return cog_err_set(&r->ctx->err, COG_E_INVALID_O_AUTH_FLOW,
                               "%s is not supported with client_credentials flow",
                               scope->valuestring);
    }
    return 0;
}

/* Every scope is a standard one or a custom scope of a resource server of the pool
 * (resource_server.h). The message is this emulator's; Cognito's was not captured. */
static int rule_scopes_exist(const struct oauth_req *r)
{
    const cJSON *scope;

    cJSON_ArrayForEach(scope, json_get(r->in, "AllowedOAuthScopes"))
    {
        int found;

        if (!cJSON_IsString(scope) || standard_scope(scope->valuestring))
            continue;
        found = resource_server_has_scope(r->ctx->db, r->pool_id, scope->valuestring);
        if (found < 0)
            return ops_fail_internal(r->ctx, "reading the resource servers");
        if (found == 0)
            return cog_err_set(&r->ctx->err, COG_E_SCOPE_DOES_NOT_EXIST,
                               "Invalid scope requested: %s", scope->valuestring);
    }
    return 0;
}

/*
 * The rules, in the order they are checked (one error is reported, the first). Cognito's own
 * order is not known; this one reports what a request names before how its parts fit.
 */
static int (*const OAUTH_RULES[])(const struct oauth_req *) = {
    rule_providers,
    rule_urls,
    rule_default_redirect,
    rule_oauth_needs_flows_and_scopes,
    rule_redirecting_flows_need_callbacks,
    rule_client_credentials_alone,
    rule_client_credentials_secret,
    rule_client_credentials_custom_scopes,
    rule_scopes_exist,
};

int client_check_oauth(struct op_ctx *ctx, const cJSON *in, bool has_secret)
{
    const cJSON *flows = json_get(in, "AllowedOAuthFlows");
    struct oauth_req r = {
        .ctx = ctx,
        .in = in,
        .pool_id = json_str_or(in, "UserPoolId", ""),
        .has_secret = has_secret,
        .code_or_implicit = json_list_has(flows, "code") || json_list_has(flows, "implicit"),
        .client_credentials = json_list_has(flows, "client_credentials"),
    };

    for (size_t i = 0; i < sizeof(OAUTH_RULES) / sizeof(OAUTH_RULES[0]); i++)
        if (OAUTH_RULES[i](&r) != 0)
            return -1;
    return 0;
}

/* ---- Readers ------------------------------------------------------------------------------ */

int client_load(struct op_ctx *ctx, const char *client_id, cJSON **client, cJSON **pool)
{
    *pool = NULL;
    if (ops_doc_load(ctx, &CLIENT_DOC, client_id, NULL, client) != 0)
        return -1;
    if (pool_load(ctx, json_str(*client, "UserPoolId"), pool) != 0) {
        cJSON_Delete(*client);
        *client = NULL;
        return -1;
    }
    return 0;
}

int client_load_in_pool(struct op_ctx *ctx, const char *pool_id, const char *client_id,
                        cJSON **client, cJSON **pool)
{
    *client = NULL;
    if (pool_load(ctx, pool_id, pool) != 0)
        return -1;
    if (ops_doc_load(ctx, &CLIENT_DOC, client_id, pool_id, client) != 0) {
        cJSON_Delete(*pool);
        *pool = NULL;
        return -1;
    }
    return 0;
}

/*
 * Real Cognito's words: "Client <id> is configured for secret but secret was not received"
 * (the AWS knowledge-center article on SECRET_HASH, and several captured responses) and
 * "Unable to verify secret hash for client <id>" (../shared/cognito-facts.md).
 */
int client_check_secret_hash(struct op_ctx *ctx, const cJSON *client, const char *username,
                             const char *secret_hash)
{
    const char *secret = json_str(client, "ClientSecret");
    const char *id = json_str(client, "ClientId");

    if (secret == NULL)
        return 0;
    if (secret_hash == NULL)
        return cog_err_set(&ctx->err, COG_E_NOT_AUTHORIZED,
                           "Client %s is configured for secret but secret was not received", id);
    if (!secrets_secret_hash_ok(secret, username ? username : "", id, secret_hash))
        return cog_err_set(&ctx->err, COG_E_NOT_AUTHORIZED,
                           "Unable to verify secret hash for client %s", id);
    return 0;
}

/* One AuthFlowType: the ExplicitAuthFlows names that allow it and the refusal's wording. */
static const struct auth_flow {
    const char *flow;
    const char *allow;  /* the ALLOW_ name */
    const char *legacy; /* the legacy name that allows it, or NULL */
    bool legacy_always; /* a client with legacy names always allows it */
    const char *refusal;
} AUTH_FLOWS[] = {
    /* Real Cognito's words ("USER_SRP_AUTH is not enabled for the client.", "USER_PASSWORD_AUTH
     * flow not enabled for this client", "Auth flow not enabled for this client" for the
     * admin flow: captured responses in many application codebases); USER_AUTH's follows
     * USER_PASSWORD_AUTH's (Amplify UI matches "USER_AUTH flow not enabled"); the wording for
     * the other flows is assumed to be the generic one. */
    {"USER_SRP_AUTH", "ALLOW_USER_SRP_AUTH", NULL, true,
     "USER_SRP_AUTH is not enabled for the client."},
    {"USER_PASSWORD_AUTH", "ALLOW_USER_PASSWORD_AUTH", "USER_PASSWORD_AUTH", false,
     "USER_PASSWORD_AUTH flow not enabled for this client"},
    {"ADMIN_USER_PASSWORD_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH", false,
     "Auth flow not enabled for this client"},
    {"ADMIN_NO_SRP_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH", false,
     "Auth flow not enabled for this client"},
    {"CUSTOM_AUTH", "ALLOW_CUSTOM_AUTH", "CUSTOM_AUTH_FLOW_ONLY", true,
     "Auth flow not enabled for this client"},
    {"REFRESH_TOKEN_AUTH", "ALLOW_REFRESH_TOKEN_AUTH", NULL, true,
     "Auth flow not enabled for this client"},
    {"REFRESH_TOKEN", "ALLOW_REFRESH_TOKEN_AUTH", NULL, true,
     "Auth flow not enabled for this client"},
    {"USER_AUTH", "ALLOW_USER_AUTH", NULL, false, "USER_AUTH flow not enabled for this client"},
};

/*
 * ExplicitAuthFlows absent: ALLOW_USER_SRP_AUTH, ALLOW_CUSTOM_AUTH and ALLOW_REFRESH_TOKEN_AUTH
 * (client.h). A client with the legacy names (ADMIN_NO_SRP_AUTH, CUSTOM_AUTH_FLOW_ONLY,
 * USER_PASSWORD_AUTH) keeps the legacy meaning: SRP, custom and refresh are always allowed,
 * except that CUSTOM_AUTH_FLOW_ONLY allows custom and refresh alone (CreateUserPoolClient API
 * reference, ExplicitAuthFlows).
 */
int client_check_auth_flow(struct op_ctx *ctx, const cJSON *client, const char *flow)
{
    static const char *const DEFAULTS[] = {"ALLOW_USER_SRP_AUTH", "ALLOW_CUSTOM_AUTH",
                                           "ALLOW_REFRESH_TOKEN_AUTH"};
    const cJSON *flows = json_get(client, "ExplicitAuthFlows"), *item;
    const struct auth_flow *f = NULL;
    bool legacy = false;

    for (size_t i = 0; i < sizeof(AUTH_FLOWS) / sizeof(AUTH_FLOWS[0]); i++)
        if (flow != NULL && strcmp(AUTH_FLOWS[i].flow, flow) == 0)
            f = &AUTH_FLOWS[i];
    if (f == NULL)
        return cog_err_set(&ctx->err, COG_E_INVALID_PARAMETER,
                           "Initiate Auth method not supported.");
    if (flows == NULL) {
        for (size_t i = 0; i < sizeof(DEFAULTS) / sizeof(DEFAULTS[0]); i++)
            if (strcmp(DEFAULTS[i], f->allow) == 0)
                return 0;
        return cog_err_set(&ctx->err, COG_E_INVALID_PARAMETER, "%s", f->refusal);
    }
    cJSON_ArrayForEach(item, flows)
    {
        if (!cJSON_IsString(item))
            continue;
        if (strcmp(item->valuestring, f->allow) == 0 ||
            (f->legacy != NULL && strcmp(item->valuestring, f->legacy) == 0))
            return 0;
        if (strncmp(item->valuestring, "ALLOW_", 6) != 0)
            legacy = true;
    }
    if (legacy && f->legacy_always &&
        !(json_list_has(json_get(client, "ExplicitAuthFlows"), "CUSTOM_AUTH_FLOW_ONLY") &&
          strcmp(f->flow, "USER_SRP_AUTH") == 0))
        return 0;
    return cog_err_set(&ctx->err, COG_E_INVALID_PARAMETER, "%s", f->refusal);
}

/* The developer guide's "Managing user existence error responses". */
bool client_rotates_refresh(const cJSON *client, int64_t *grace_ms)
{
    const cJSON *rot = json_get(client, "RefreshTokenRotation");
    const char *feature = json_str(rot, "Feature");

    if (grace_ms != NULL)
        *grace_ms = json_int(rot, "RetryGracePeriodSeconds", 0) * 1000;
    return feature != NULL && strcmp(feature, "ENABLED") == 0;
}

bool client_hides_users(const cJSON *client)
{
    const char *setting = json_str(client, "PreventUserExistenceErrors");

    return setting != NULL && strcmp(setting, "ENABLED") == 0;
}
