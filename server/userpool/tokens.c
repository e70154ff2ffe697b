/*
 * tokens: the ID, access and refresh tokens of user pools, as Cognito issues them. See
 * tokens.h for the contract.
 *
 * Claims follow ../shared/cognito-facts.md 1.1 (awsdocs amazon-cognito-developer-guide,
 * "using the ID token" / "using the access token"): the ID token carries sub, cognito:groups,
 * the verified flags as booleans, cognito:preferred_role, iss, cognito:username, origin_jti,
 * cognito:roles, aud, event_id, token_use "id", auth_time, exp, iat, jti and the attributes
 * the app client may read; the access token sub, cognito:groups, iss, client_id, origin_jti,
 * event_id, token_use "access", scope, auth_time, exp, iat, jti and username, and no aud.
 * The group claims are present only for a user in groups (with roles, for the role claims).
 * Times are seconds of the emulator clock (ctx->now_ms).
 *
 * Refresh tokens are opaque random strings; the store keeps only their SHA-256, with what a
 * refresh needs (pool, client, user, origin_jti, auth_time, expiry). This module signs with
 * keys.h and stores with store.h; it knows nothing of the operations that call it.
 */
#include "config.h"

#include "userpool/tokens.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/ids.h"
#include "util/jsonutil.h"
#include "crypto/jwt.h"
#include "crypto/keys.h"
#include "aws/ops_common.h"
#include "crypto/secrets.h"
#include "settings.h"
#include "userpool/client.h"
#include "userpool/user.h"
#include "triggers/triggers.h"

/* Random bytes in a refresh token (128 base64url characters). */
#define REFRESH_TOKEN_BYTES 96

/* Room for "<public URL>/<pool id>" (settings.public_url is 512 bytes, a pool id < 96). */
#define ISSUER_MAX 640

/* The scope of every access token issued by the user pool API (OAuth tokens have theirs). */
static const char ADMIN_SCOPE[] = "aws.cognito.signin.user.admin";

/* The "version" claim of the access tokens of the OAuth endpoints (../shared/oauth2-hosted-ui.md
 * 2.9); API tokens have none. */
#define OAUTH_TOKEN_VERSION 2

/* What both tokens of one issue share. */
struct claims_base {
    const char *iss;
    const char *origin_jti;
    const char *event_id;
    int64_t auth_time;
    int64_t iat;
};

bool tokens_scope_has(const char *scopes, const char *scope)
{
    size_t n = strlen(scope);

    for (const char *p = scopes; p != NULL && *p != '\0'; p += strcspn(p, " ")) {
        p += strspn(p, " ");
        if (strncmp(p, scope, n) == 0 && (p[n] == ' ' || p[n] == '\0'))
            return true;
    }
    return false;
}

/*
 * An attribute value as the ID token carries it: the verified flags as booleans, updated_at
 * as a number, address as the OIDC object {"formatted": value} (what Cognito puts in the
 * token, aws-amplify/amplify-js#4935), everything else (custom:* included) as the stored
 * string. NULL when out of memory.
 */
static cJSON *attribute_claim(const char *name, const char *value)
{
    if (strcmp(name, "email_verified") == 0 || strcmp(name, "phone_number_verified") == 0)
        return cJSON_CreateBool(strcmp(value, "true") == 0);
    if (strcmp(name, "updated_at") == 0) {
        char *end;
        double n = strtod(value, &end);
        if (*value != '\0' && *end == '\0')
            return cJSON_CreateNumber(n);
    }
    if (strcmp(name, "identities") == 0) {
        /* A federated user's links: a JSON array in the token, not the attribute's text. */
        cJSON *list = cJSON_Parse(value);
        if (cJSON_IsArray(list))
            return list;
        cJSON_Delete(list);
    }
    if (strcmp(name, "address") == 0) {
        cJSON *addr = cJSON_CreateObject();
        if (addr != NULL && json_set_str(addr, "formatted", value) != 0) {
            cJSON_Delete(addr);
            addr = NULL;
        }
        return addr;
    }
    return cJSON_CreateString(value);
}

static bool is_verified_flag(const char *name)
{
    return strcmp(name, "email_verified") == 0 || strcmp(name, "phone_number_verified") == 0;
}

/*
 * Add the readable attributes in attrs ([{"Name","Value"}], from user_attribute_list) that
 * scope shows (tokens_scope_reads) to claims: the verified flags when verified_flags is true,
 * the others when false (so that the token keeps Cognito's order: flags near the top, profile
 * attributes at the end). sub is skipped: it is always the first claim. 0 or -1 (out of
 * memory).
 */
static int add_attribute_claims(cJSON *claims, const cJSON *attrs, const char *scope,
                                bool verified_flags)
{
    const cJSON *a;

    cJSON_ArrayForEach(a, attrs)
    {
        const char *name = json_str(a, "Name"), *value = json_str(a, "Value");
        /* identities whatever the OAuth scopes: Cognito's sample token (hosted-ui.md 2.9). */
        if (name == NULL || value == NULL || strcmp(name, "sub") == 0 ||
            is_verified_flag(name) != verified_flags ||
            (!tokens_scope_reads(scope, name) && strcmp(name, "identities") != 0))
            continue;
        if (json_set_item(claims, name, attribute_claim(name, value)) != 0)
            return -1;
    }
    return 0;
}

/*
 * The claims a user's groups give (developer guide, "Adding groups to a user pool", and the
 * API reference of GroupType Precedence): cognito:groups, the names of all the user's groups
 * (both tokens); cognito:roles, every distinct RoleArn among them, and cognito:preferred_role,
 * the RoleArn of the group with the lowest Precedence among those with a role (ID token only).
 * Groups without a Precedence rank below all others; when the best-ranked groups with a role
 * disagree on it, no group takes precedence and the claim is left out. NULL members are
 * claims the user does not get.
 */
struct group_claims {
    cJSON *groups;         /* array of names, or NULL when the user is in no group */
    cJSON *roles;          /* array of ARNs, or NULL when none of the groups has a role */
    const char *preferred; /* borrowed from page, or NULL */
    struct store_group_page page;
};

static void group_claims_free(struct group_claims *gc)
{
    cJSON_Delete(gc->groups);
    cJSON_Delete(gc->roles);
    store_group_page_free(&gc->page);
    memset(gc, 0, sizeof(*gc));
}

/* Whether groups a and b have the same Precedence (both none counts as the same). */
static bool same_precedence(const struct store_group *a, const struct store_group *b)
{
    return a->has_precedence == b->has_precedence &&
           (!a->has_precedence || a->precedence == b->precedence);
}

/* Load u's groups (in token order: by Precedence, then oldest) into gc. 0, or -1 with
 * InternalErrorException. */
static int load_group_claims(struct op_ctx *ctx, const struct store_user *u,
                             struct group_claims *gc)
{
    const struct store_group *best = NULL;
    bool tie = false;

    memset(gc, 0, sizeof(*gc));
    if (store_group_list_for_user(ctx->db, u->seq, NULL, 0, &gc->page) != STORE_OK)
        return ops_fail_internal(ctx, "could not read the user's groups");
    for (size_t i = 0; i < gc->page.count; i++) {
        const struct store_group *g = gc->page.groups[i];
        bool listed = false;
        const cJSON *r;

        if ((gc->groups == NULL && (gc->groups = cJSON_CreateArray()) == NULL) ||
            !cJSON_AddItemToArray(gc->groups, cJSON_CreateString(g->name)))
            goto oom;
        if (g->role_arn == NULL)
            continue;
        if (best == NULL)
            best = g;
        else if (same_precedence(best, g) && strcmp(best->role_arn, g->role_arn) != 0)
            tie = true;
        cJSON_ArrayForEach(r, gc->roles)
        {
            listed |= strcmp(r->valuestring, g->role_arn) == 0;
        }
        if (!listed && ((gc->roles == NULL && (gc->roles = cJSON_CreateArray()) == NULL) ||
                        !cJSON_AddItemToArray(gc->roles, cJSON_CreateString(g->role_arn))))
            goto oom;
    }
    gc->preferred = best != NULL && !tie ? best->role_arn : NULL;
    return 0;
oom:
    group_claims_free(gc);
    return ops_fail_internal(ctx, "out of memory");
}

/* Add a copy of list (may be NULL: nothing is added) to claims as name. 0 or -1. */
static int add_list_claim(cJSON *claims, const char *name, const cJSON *list)
{
    return list == NULL ? 0 : json_set_item(claims, name, cJSON_Duplicate(list, 1));
}

/* The ID token's claims, or NULL when out of memory. */
static cJSON *id_claims(const struct token_grant *g, const struct claims_base *b,
                        const struct group_claims *gc, const char *client_id, int64_t ttl)
{
    cJSON *claims = cJSON_CreateObject(), *attrs = user_attribute_list(g->user, g->client);
    char jti[IDS_UUID_LEN + 1];
    int bad = claims == NULL || attrs == NULL;

    ids_uuid(jti);
    bad = bad || json_set_str(claims, "sub", g->user->sub) != 0;
    bad = bad || add_list_claim(claims, "cognito:groups", gc->groups) != 0;
    bad = bad || add_attribute_claims(claims, attrs, g->scope, true) != 0;
    bad = bad ||
          (gc->preferred != NULL && json_set_str(claims, "cognito:preferred_role", gc->preferred));
    bad = bad || json_set_str(claims, "iss", b->iss) != 0;
    bad = bad || json_set_str(claims, "cognito:username", g->user->username) != 0;
    bad = bad || (g->nonce != NULL && json_set_str(claims, "nonce", g->nonce) != 0);
    bad = bad || json_set_str(claims, "origin_jti", b->origin_jti) != 0;
    bad = bad || add_list_claim(claims, "cognito:roles", gc->roles) != 0;
    bad = bad || json_set_str(claims, "aud", client_id) != 0;
    bad = bad || json_set_str(claims, "event_id", b->event_id) != 0;
    bad = bad || json_set_str(claims, "token_use", "id") != 0;
    bad = bad || json_set_num(claims, "auth_time", (double)b->auth_time) != 0;
    bad = bad || json_set_num(claims, "exp", (double)(b->iat + ttl)) != 0;
    bad = bad || json_set_num(claims, "iat", (double)b->iat) != 0;
    bad = bad || json_set_str(claims, "jti", jti) != 0;
    bad = bad || add_attribute_claims(claims, attrs, g->scope, false) != 0;
    cJSON_Delete(attrs);
    if (bad) {
        cJSON_Delete(claims);
        return NULL;
    }
    return claims;
}

/* The access token's scope: the OAuth scopes granted, or the API's one. */
static const char *access_scope(const struct token_grant *g)
{
    return g->scope != NULL ? g->scope : ADMIN_SCOPE;
}

/* Add the access token's scope claim (left out when no scope was granted). 0 or -1. */
static int add_scope_claim(cJSON *claims, const struct token_grant *g)
{
    return access_scope(g)[0] != '\0' ? json_set_str(claims, "scope", access_scope(g)) : 0;
}

/* Add iat, then the OAuth tokens' version, then a new jti. 0 or -1. */
static int add_iat_version_jti(cJSON *claims, const struct token_grant *g, int64_t iat)
{
    char jti[IDS_UUID_LEN + 1];

    ids_uuid(jti);
    if (json_set_num(claims, "iat", (double)iat) != 0 ||
        (g->scope != NULL && json_set_num(claims, "version", OAUTH_TOKEN_VERSION) != 0))
        return -1;
    return json_set_str(claims, "jti", jti);
}

/* The access token's claims (no aud: Cognito puts the client in client_id), or NULL. */
static cJSON *access_claims(const struct token_grant *g, const struct claims_base *b,
                            const struct group_claims *gc, const char *client_id, int64_t ttl)
{
    cJSON *claims = cJSON_CreateObject();
    int bad = claims == NULL;

    bad = bad || json_set_str(claims, "sub", g->user->sub) != 0;
    if (g->device_key != NULL) /* after sub, as in AWS's sample access token */
        bad = bad || json_set_str(claims, "device_key", g->device_key) != 0;
    bad = bad || add_list_claim(claims, "cognito:groups", gc->groups) != 0;
    bad = bad || json_set_str(claims, "iss", b->iss) != 0;
    bad = bad || json_set_str(claims, "client_id", client_id) != 0;
    bad = bad || json_set_str(claims, "origin_jti", b->origin_jti) != 0;
    bad = bad || json_set_str(claims, "event_id", b->event_id) != 0;
    bad = bad || json_set_str(claims, "token_use", "access") != 0;
    bad = bad || add_scope_claim(claims, g) != 0;
    bad = bad || json_set_num(claims, "auth_time", (double)b->auth_time) != 0;
    bad = bad || json_set_num(claims, "exp", (double)(b->iat + ttl)) != 0;
    bad = bad || add_iat_version_jti(claims, g, b->iat) != 0;
    bad = bad || json_set_str(claims, "username", g->user->username) != 0;
    if (bad) {
        cJSON_Delete(claims);
        return NULL;
    }
    return claims;
}

/*
 * The access token of the client credentials grant, the claims of
 * ../shared/oauth2-hosted-ui.md 2.9 in its order: the client is the subject (sub = client id,
 * widely reported but undocumented), no username, groups, origin_jti or event_id. NULL when
 * out of memory.
 */
static cJSON *client_claims(const struct token_grant *g, const struct claims_base *b,
                            const char *client_id, int64_t ttl)
{
    cJSON *claims = cJSON_CreateObject();
    int bad = claims == NULL;

    bad = bad || json_set_str(claims, "sub", client_id) != 0;
    bad = bad || json_set_str(claims, "client_id", client_id) != 0;
    bad = bad || json_set_str(claims, "token_use", "access") != 0;
    bad = bad || add_scope_claim(claims, g) != 0;
    bad = bad || json_set_num(claims, "auth_time", (double)b->auth_time) != 0;
    bad = bad || json_set_str(claims, "iss", b->iss) != 0;
    bad = bad || json_set_num(claims, "exp", (double)(b->iat + ttl)) != 0;
    bad = bad || add_iat_version_jti(claims, g, b->iat) != 0;
    if (bad) {
        cJSON_Delete(claims);
        return NULL;
    }
    return claims;
}

/*
 * Put the at_hash of access_token (base64url of the left half of its SHA-256, OIDC Core
 * 3.1.3.6) first in the ID token's claims, where Cognito's tokens have it. 0 or -1.
 */
static int add_at_hash(cJSON *idc, const char *access_token)
{
    char *hash = jwt_hash_b64url(access_token, 16);
    cJSON *item;
    int rc = hash != NULL ? json_set_str(idc, "at_hash", hash) : -1;

    free(hash);
    if (rc != 0)
        return -1;
    item = cJSON_DetachItemFromObjectCaseSensitive(idc, "at_hash");
    return cJSON_InsertItemInArray(idc, 0, item) ? 0 : (cJSON_Delete(item), -1);
}

/* Sign claims with the pool's key for use. A new token (free()), or NULL (logged by keys). */
static char *sign_with(struct op_ctx *ctx, const char *pool_id, enum key_use use,
                       const cJSON *claims)
{
    struct signing_key key;
    char *token;

    if (keys_get(ctx->db, pool_id, use, &key) != 0)
        return NULL;
    token = jwt_sign_rs256(claims, key.kid, key.pkey);
    EVP_PKEY_free(key.pkey);
    return token;
}

/*
 * Make a refresh token for grant and record its hash; in a rotation, with its family's expiry,
 * and mark the presented token superseded. *out is the token (free()). 0, or -1 with
 * InternalErrorException.
 */
static int new_refresh_token(struct op_ctx *ctx, const struct token_grant *g,
                             const char *origin_jti, char **out)
{
    const char *pool_id = json_str(g->pool, "Id"), *client_id = json_str(g->client, "ClientId");
    char hash[65];
    struct store_refresh r = {
        .pool_id = (char *)pool_id,
        .client_id = (char *)client_id,
        .user_seq = g->user->seq,
        .origin_jti = (char *)origin_jti,
        .auth_time = g->auth_time,
        .expires_ms = g->family != NULL
                          ? g->family->expires_ms
                          : ctx->now_ms + client_token_validity(g->client, "RefreshToken") * 1000,
        .revoked = 0,
        .scope = (char *)g->scope,
    };
    char *token = secrets_token(REFRESH_TOKEN_BYTES);

    *out = NULL;
    if (token == NULL)
        return ops_fail_internal(ctx, "out of memory");
    secrets_sha256_hex(token, hash);
    if (store_refresh_put(ctx->db, hash, &r) != STORE_OK) {
        free(token);
        return ops_fail_internal(ctx, "could not store the refresh token");
    }
    if (g->supersedes != NULL) {
        secrets_sha256_hex(g->supersedes, hash);
        if (store_refresh_supersede(ctx->db, hash, ctx->now_ms) != STORE_OK) {
            free(token);
            return ops_fail_internal(ctx, "could not rotate the refresh token");
        }
    }
    *out = token;
    return 0;
}

/*
 * The pool's pre token generation trigger for grant's user, on the claims about to be signed:
 * the event gets the user's trigger attributes, its groups (gc) and the access token's scopes.
 * The client credentials grant has no user: userName "" and userAttributes {} (emulator's
 * choice; which Cognito sends is unverified). 0, or -1 with ctx->err set. Without a trigger
 * nothing is read or built.
 */
static int pre_token_generation(struct op_ctx *ctx, const struct token_grant *g,
                                const struct group_claims *gc, cJSON *idc, cJSON *accessc)
{
    struct trigger_groups groups = {gc->groups, gc->roles, gc->preferred};
    const char *source = g->source         ? g->source
                         : g->user != NULL ? "TokenGeneration_Authentication"
                                           : "TokenGeneration_ClientCredentials";
    struct trigger_caller caller;
    cJSON *attrs;
    int rc;

    if (triggers_pre_token_function(json_get(g->pool, "LambdaConfig")) == NULL)
        return 0;
    attrs = g->user != NULL ? user_trigger_attributes(g->pool, g->user) : cJSON_CreateObject();
    if (attrs == NULL)
        return ops_fail_internal(ctx, "out of memory");
    caller = triggers_caller(g->pool, json_str(g->client, "ClientId"),
                             g->user != NULL ? g->user->username : NULL, attrs);
    caller.client_metadata = g->client_metadata;
    rc =
        triggers_pre_token_generation(ctx, &caller, source, &groups, access_scope(g), idc, accessc);
    cJSON_Delete(attrs);
    return rc;
}

/* Whether grant gets an ID token: a user's, with openid among OAuth scopes. */
static bool wants_id_token(const struct token_grant *g)
{
    return g->user != NULL && (g->scope == NULL || tokens_scope_has(g->scope, "openid"));
}

/*
 * The claims of grant's tokens into *idc (NULL when it gets no ID token) and *accessc. 0, or
 * -1 with InternalErrorException.
 */
static int make_claims(struct op_ctx *ctx, const struct token_grant *g, const struct claims_base *b,
                       const struct group_claims *gc, cJSON **idc, cJSON **accessc)
{
    const char *client_id = json_str(g->client, "ClientId");
    int64_t access_ttl = client_token_validity(g->client, "AccessToken");

    *idc = NULL;
    if (wants_id_token(g) &&
        (*idc = id_claims(g, b, gc, client_id, client_token_validity(g->client, "IdToken"))) ==
            NULL)
        return ops_fail_internal(ctx, "out of memory");
    *accessc = g->user != NULL ? access_claims(g, b, gc, client_id, access_ttl)
                               : client_claims(g, b, client_id, access_ttl);
    return *accessc != NULL ? 0 : ops_fail_internal(ctx, "out of memory");
}

/* Sign the access token, then the ID token (when idc), which carries the access token's
 * at_hash when it is an OAuth one. 0, or -1 with InternalErrorException. */
static int sign_tokens(struct op_ctx *ctx, const struct token_grant *g, cJSON *idc,
                       const cJSON *accessc, char **id_token, char **access_token)
{
    const char *pool_id = json_str(g->pool, "Id");

    *id_token = NULL;
    if ((*access_token = sign_with(ctx, pool_id, KEY_USE_ACCESS, accessc)) == NULL)
        return ops_fail_internal(ctx, "could not sign the tokens");
    if (idc == NULL)
        return 0;
    if (g->scope != NULL && add_at_hash(idc, *access_token) != 0)
        return ops_fail_internal(ctx, "out of memory");
    if ((*id_token = sign_with(ctx, pool_id, KEY_USE_ID, idc)) == NULL)
        return ops_fail_internal(ctx, "could not sign the tokens");
    return 0;
}

int tokens_issue(struct op_ctx *ctx, const struct token_grant *grant, cJSON *result)
{
    const char *pool_id = json_str(grant->pool, "Id");
    const char *client_id = json_str(grant->client, "ClientId");
    char iss[ISSUER_MAX], origin[IDS_UUID_LEN + 1], event_id[IDS_UUID_LEN + 1];
    struct claims_base base = {
        .iss = iss,
        .origin_jti = grant->origin_jti,
        .event_id = event_id,
        .auth_time = grant->auth_time,
        .iat = ctx->now_ms / 1000,
    };
    cJSON *idc = NULL, *accessc = NULL;
    char *refresh = NULL, *id_token = NULL, *access_token = NULL;
    struct group_claims gc = {0};
    int rc = -1, bad = 0;

    if (pool_id == NULL || client_id == NULL)
        return ops_fail_internal(ctx, "stored pool or client has no id");
    settings_issuer(ctx->settings, pool_id, iss, sizeof(iss));
    ids_uuid(event_id);
    if (base.origin_jti == NULL) {
        ids_uuid(origin);
        base.origin_jti = origin;
    }
    if ((grant->user != NULL && load_group_claims(ctx, grant->user, &gc) != 0) ||
        make_claims(ctx, grant, &base, &gc, &idc, &accessc) != 0)
        goto out;
    /* The pre token generation trigger may change the claims before they are signed, and
     * refuse the tokens: it runs before the refresh token is recorded. The store work comes
     * before the RSA signatures (the expensive part of a sign-in), which run outside any
     * transaction and after every write. */
    if (pre_token_generation(ctx, grant, &gc, idc, accessc) != 0 ||
        ((grant->with_refresh_token || grant->supersedes != NULL) && grant->user != NULL &&
         new_refresh_token(ctx, grant, base.origin_jti, &refresh) != 0) ||
        sign_tokens(ctx, grant, idc, accessc, &id_token, &access_token) != 0)
        goto out;
    /* Cognito's member order: AccessToken, ExpiresIn, TokenType, RefreshToken, IdToken. */
    bad |= json_set_str(result, "AccessToken", access_token);
    bad |= json_set_num(result, "ExpiresIn",
                        (double)client_token_validity(grant->client, "AccessToken"));
    bad |= json_set_str(result, "TokenType", "Bearer");
    if (refresh != NULL)
        bad |= json_set_str(result, "RefreshToken", refresh);
    if (id_token != NULL)
        bad |= json_set_str(result, "IdToken", id_token);
    rc = bad ? ops_fail_internal(ctx, "out of memory") : 0;
out:
    group_claims_free(&gc);
    cJSON_Delete(idc);
    cJSON_Delete(accessc);
    free(refresh);
    free(id_token);
    free(access_token);
    return rc;
}

/* The attributes each of the OIDC scopes shows (OIDC Core 5.4, as Cognito's userInfo page
 * lists them for profile; custom attributes count as profile ones). */
static const char *const PROFILE_CLAIMS[] = {
    "name",    "family_name", "given_name", "middle_name", "nickname",  "preferred_username",
    "profile", "picture",     "website",    "gender",      "birthdate", "zoneinfo",
    "locale",  "updated_at",
};

static bool is_profile_claim(const char *name)
{
    for (size_t i = 0; i < sizeof(PROFILE_CLAIMS) / sizeof(PROFILE_CLAIMS[0]); i++)
        if (strcmp(name, PROFILE_CLAIMS[i]) == 0)
            return true;
    return strncmp(name, "custom:", 7) == 0;
}

bool tokens_scope_reads(const char *scope, const char *name)
{
    bool profile = tokens_scope_has(scope, "profile"), email = tokens_scope_has(scope, "email");
    bool phone = tokens_scope_has(scope, "phone");

    if (!profile && !email && !phone)
        return true;
    if (strcmp(name, "email") == 0 || strcmp(name, "email_verified") == 0)
        return email;
    if (strcmp(name, "phone_number") == 0 || strcmp(name, "phone_number_verified") == 0)
        return phone;
    return profile && is_profile_claim(name);
}

/*
 * Whether refresh record r, superseded by a rotation, is still inside client's grace period:
 * usable for RetryGracePeriodSeconds after the first rotation, so a client may retry a refresh
 * whose answer it lost; with 0, not at all. A client that stopped rotating keeps its grace
 * period at 0 (emulator's choice: what rotation spent stays spent).
 */
static bool in_grace_period(const cJSON *client, const struct store_refresh *r, int64_t now_ms)
{
    int64_t grace_ms = 0;

    if (!client_rotates_refresh(client, &grace_ms))
        grace_ms = 0;
    return now_ms < r->superseded_ms + grace_ms;
}

int tokens_redeem_refresh(struct op_ctx *ctx, const char *refresh_token, const cJSON *client,
                          struct store_refresh **out)
{
    const char *client_id = json_str(client, "ClientId");
    struct store_refresh *r = NULL;
    char hash[65];
    int st;

    *out = NULL;
    secrets_sha256_hex(refresh_token, hash);
    st = store_refresh_get(ctx->db, hash, &r);
    if (st == STORE_ERROR)
        return ops_fail_internal(ctx, "could not read the refresh token");
    /* A token of another app client is as unknown as garbage. */
    if (st != STORE_OK || client_id == NULL || strcmp(r->client_id, client_id) != 0) {
        store_refresh_free(r);
        return cog_err_set(&ctx->err, COG_E_NOT_AUTHORIZED, "Invalid Refresh Token");
    }
    if (r->revoked) {
        store_refresh_free(r);
        return cog_err_set(&ctx->err, COG_E_NOT_AUTHORIZED, "Refresh Token has been revoked");
    }
    if (r->expires_ms <= ctx->now_ms) {
        store_refresh_free(r);
        return cog_err_set(&ctx->err, COG_E_NOT_AUTHORIZED, "Refresh Token has expired");
    }
    if (r->superseded_ms > 0 && !in_grace_period(client, r, ctx->now_ms)) {
        store_refresh_free(r);
        return cog_err_set(&ctx->err, COG_E_REFRESH_TOKEN_REUSE, TOKENS_REUSED_MESSAGE);
    }
    *out = r;
    return 0;
}

/* Whether token is a JWT of this emulator's (an ID or access token): a readable payload
 * with a token_use. */
static bool is_jwt(const char *token)
{
    cJSON *claims = jwt_peek_payload(token);
    bool jwt = claims != NULL && json_str(claims, "token_use") != NULL;

    cJSON_Delete(claims);
    return jwt;
}

int tokens_revoke_refresh(struct op_ctx *ctx, const char *token, const char *client_id)
{
    struct store_refresh *r = NULL;
    char hash[65];
    int rc = 0, st;

    if (is_jwt(token))
        return 1;
    secrets_sha256_hex(token, hash);
    st = store_refresh_get(ctx->db, hash, &r);
    if (st == STORE_ERROR)
        return ops_fail_internal(ctx, "could not read the refresh token");
    if (st == STORE_OK && strcmp(r->client_id, client_id) == 0 &&
        store_refresh_revoke(ctx->db, r->origin_jti) == STORE_ERROR)
        rc = ops_fail_internal(ctx, "could not revoke the refresh token");
    store_refresh_free(r);
    return rc;
}

/* ---- Verifying tokens -------------------------------------------------------------------- */

/* The verification key of one pool, found by kid for jwt_verify_rs256(). */
struct key_lookup {
    struct store_conn *db;
    const char *pool_id;
    EVP_PKEY *key; /* the reference keys_find() returned; freed by the caller of verify */
};

static EVP_PKEY *lookup_pool_key(void *arg, const char *kid)
{
    struct key_lookup *lk = arg;

    EVP_PKEY_free(lk->key);
    lk->key = keys_find(lk->db, lk->pool_id, kid);
    return lk->key;
}

/*
 * Whether iss is the issuer of pool_id: the one the current settings mint, or the other form
 * (local URL vs AWS's https://cognito-idp...), so that a token minted before a restart with
 * --issuer switched is still judged by its signature, which only this emulator can make.
 */
static bool issuer_ok(const struct settings *s, const char *pool_id, const char *iss)
{
    struct settings other = *s;
    char expect[ISSUER_MAX];

    if (iss == NULL)
        return false;
    settings_issuer(s, pool_id, expect, sizeof(expect));
    if (strcmp(iss, expect) == 0)
        return true;
    other.aws_issuer = !s->aws_issuer;
    settings_issuer(&other, pool_id, expect, sizeof(expect));
    return strcmp(iss, expect) == 0;
}

/* The pool id an issuer names: its last path segment, or NULL when it has none. */
static const char *issuer_pool_id(const char *iss)
{
    const char *slash = iss ? strrchr(iss, '/') : NULL;

    if (slash == NULL || slash[1] == '\0' || strlen(slash + 1) >= IDS_MAX)
        return NULL;
    return slash + 1;
}

/*
 * Find the pool of token (expected, or the one its unverified iss names) into pool_id
 * (IDS_MAX bytes), verify the signature with that pool's key and check the signed iss.
 * On TOKENS_OK *claims holds the verified claims (cJSON_Delete); NULL otherwise.
 */
static enum tokens_status verify_signature(struct op_ctx *ctx, const char *token,
                                           const char *expected, char *pool_id, cJSON **claims)
{
    cJSON *peek = jwt_peek_payload(token);
    const char *iss = json_str(peek, "iss"), *named = issuer_pool_id(iss);
    struct key_lookup lk = {.db = ctx->db, .pool_id = pool_id};
    enum jwt_status st;

    *claims = NULL;
    if (peek == NULL || (expected == NULL && named == NULL)) {
        cJSON_Delete(peek);
        return TOKENS_MALFORMED;
    }
    if (expected != NULL && !issuer_ok(ctx->settings, expected, iss)) {
        cJSON_Delete(peek);
        return TOKENS_BAD_ISSUER;
    }
    snprintf(pool_id, IDS_MAX, "%s", expected != NULL ? expected : named);
    cJSON_Delete(peek);
    st = jwt_verify_rs256(token, lookup_pool_key, &lk, claims);
    EVP_PKEY_free(lk.key);
    if (st != JWT_OK)
        return st == JWT_MALFORMED ? TOKENS_MALFORMED : TOKENS_BAD_SIGNATURE;
    /* The signed iss must name the same pool the unverified one did (the key was its). */
    if (!issuer_ok(ctx->settings, pool_id, json_str(*claims, "iss"))) {
        cJSON_Delete(*claims);
        *claims = NULL;
        return TOKENS_BAD_ISSUER;
    }
    return TOKENS_OK;
}

/*
 * The checks of verified claims after the signature, in this order: aud (when the caller
 * checks it), the token_use and the claims every token of that use carries (sub, exp, and
 * username for access tokens), then exp against the emulator clock.
 */
static enum tokens_status check_claims(const struct op_ctx *ctx, const cJSON *claims,
                                       const struct tokens_expect *expect)
{
    const char *aud = json_str(claims, "aud"), *use = json_str(claims, "token_use");
    const cJSON *exp = json_get(claims, "exp");

    if (expect->aud_ok != NULL) {
        if (aud == NULL)
            return TOKENS_NO_AUD;
        if (!expect->aud_ok(expect->aud_arg, aud))
            return TOKENS_BAD_AUD;
    }
    if (use == NULL || strcmp(use, expect->token_use) != 0 || json_str(claims, "sub") == NULL ||
        (strcmp(use, "access") == 0 && json_str(claims, "username") == NULL) ||
        !cJSON_IsNumber(exp))
        return TOKENS_BAD_CLAIMS;
    if ((double)ctx->now_ms >= exp->valuedouble * 1000.0)
        return TOKENS_EXPIRED;
    return TOKENS_OK;
}

enum tokens_status tokens_verify(struct op_ctx *ctx, const char *token,
                                 const struct tokens_expect *expect, char *pool_id, cJSON **claims)
{
    char pool[IDS_MAX];
    cJSON *verified = NULL;
    enum tokens_status st;

    *claims = NULL;
    st = verify_signature(ctx, token != NULL ? token : "", expect->pool_id, pool, &verified);
    if (st == TOKENS_OK)
        st = check_claims(ctx, verified, expect);
    if (st != TOKENS_OK) {
        cJSON_Delete(verified);
        return st;
    }
    if (pool_id != NULL)
        snprintf(pool_id, IDS_MAX, "%s", pool);
    *claims = verified;
    return TOKENS_OK;
}

enum tokens_status tokens_check_user(struct op_ctx *ctx, const char *pool_id, const cJSON *claims,
                                     enum tokens_user_check check, struct store_user **user)
{
    int64_t iat = json_int(claims, "iat", 0);
    const char *username = json_str(claims, "username");
    struct store_user *u = NULL;
    int revoked = 0, st;

    if (user != NULL)
        *user = NULL;
    /*
     * The user by sub (unique and never reused, so a user deleted and made again under the
     * same name does not inherit old tokens; no pool document is needed for case rules).
     */
    st = store_user_get_by_sub(ctx->db, pool_id, json_str(claims, "sub"), &u);
    if (st == STORE_ERROR) {
        ops_fail_internal(ctx, "could not read the user");
        return TOKENS_ERROR;
    }
    if (st != STORE_OK ||
        (check == TOKENS_USER_ACCESS && (username == NULL || strcmp(u->username, username) != 0))) {
        store_user_free(u);
        return TOKENS_NO_USER;
    }
    /*
     * AdminDisableUser "deactivates a user and revokes all access tokens for the user" (API
     * reference), so a disabled user's token reads as revoked. iat has whole seconds: for
     * access tokens only a sign-out in a later second than the token's issue counts (a token
     * of the same second is caught by its revoked refresh token); the server-side check of
     * identity pools counts a sign-out in the token's own second too.
     */
    if (u->enabled && store_token_revoked(ctx->db, u->seq, json_str(claims, "origin_jti"),
                                          (check == TOKENS_USER_ACCESS ? iat + 1 : iat) * 1000,
                                          &revoked) != STORE_OK) {
        store_user_free(u);
        ops_fail_internal(ctx, "could not check the token's revocation");
        return TOKENS_ERROR;
    }
    if (!u->enabled || revoked) {
        store_user_free(u);
        return TOKENS_REVOKED;
    }
    if (user != NULL)
        *user = u;
    else
        store_user_free(u);
    return TOKENS_OK;
}

/* ---- Access tokens ----------------------------------------------------------------------- */

/*
 * The NotAuthorizedException of a refused access token, in Cognito's words ("Access Token has
 * been revoked": the API reference of GlobalSignOut quotes it). -1.
 */
static int access_refused(struct op_ctx *ctx, enum tokens_status st)
{
    const char *message = "Invalid Access Token";

    if (st == TOKENS_ERROR)
        return -1; /* ctx->err is set */
    if (st == TOKENS_EXPIRED)
        message = "Access Token has expired";
    else if (st == TOKENS_NO_USER)
        message = "User does not exist.";
    else if (st == TOKENS_REVOKED)
        message = "Access Token has been revoked";
    return cog_err_set(&ctx->err, COG_E_NOT_AUTHORIZED, "%s", message);
}

int tokens_check_access(struct op_ctx *ctx, const char *token, struct store_user **user,
                        cJSON **claims)
{
    static const struct tokens_expect access = {.token_use = "access"};
    char pool_id[IDS_MAX];
    cJSON *verified = NULL;
    struct store_user *u = NULL;
    enum tokens_status st;

    if (user != NULL)
        *user = NULL;
    if (claims != NULL)
        *claims = NULL;
    if (token == NULL)
        return -1;
    st = tokens_verify(ctx, token, &access, pool_id, &verified);
    /* A pre token generation trigger may have suppressed the scope these operations need. */
    if (st == TOKENS_OK && !tokens_scope_has(json_str(verified, "scope"), ADMIN_SCOPE)) {
        cJSON_Delete(verified);
        return cog_err_set(&ctx->err, COG_E_NOT_AUTHORIZED,
                           "Access Token does not have required scopes");
    }
    if (st == TOKENS_OK)
        st = tokens_check_user(ctx, pool_id, verified, TOKENS_USER_ACCESS, &u);
    if (st != TOKENS_OK) {
        cJSON_Delete(verified);
        return access_refused(ctx, st);
    }
    if (user != NULL)
        *user = u;
    else
        store_user_free(u);
    if (claims != NULL)
        *claims = verified;
    else
        cJSON_Delete(verified);
    return 0;
}
