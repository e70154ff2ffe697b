/*
 * identity_logins: checking the Logins map of cognito-identity requests, and the OpenID tokens
 * of cognito-identity. See identity_logins.h for the contract.
 *
 * The checks run in this order, each failing with NotAuthorizedException in the words real
 * Cognito uses (captured in public issue trackers and code; the first source of each):
 * - the entry's provider is not one the identity pool configures, or the token's aud is not
 *   one of its ClientIds: "Token is not from a supported provider of this identity pool."
 *   (aws-amplify/amplify-js#2067, amazon-archives/amazon-cognito-identity-js#153 and #7, where
 *   a wrong user pool id or app client id in the pool's configuration caused it);
 * - not a JWT: "Invalid login token. Not a valid OpenId Connect identity token." (captured
 *   from GetId in app code and API docs, e.g. a cognito-identity stub raising it);
 * - the token's issuer is another user pool than the entry's key: "Invalid login token.
 *   Issuer doesn't match providerName" (amazon-cognito-identity-js#40, #68, #220);
 * - a bad signature: "Invalid login token. Couldn't verify signed token." (stubbed GetId
 *   errors in app test suites);
 * - no aud (an access token): "Invalid login token. Missing a required claim: aud"
 *   (amazon-cognito-identity-js#7);
 * - expired: "Invalid login token. Token expired: <now> >= <exp>" (epoch seconds; several
 *   app codebases quote it, e.g. "Token expired: 1762258551 >= 1762250421");
 * - with ServerSideTokenCheck, a user deleted, disabled or signed out since: "Token is
 *   inactive" (an app's table of Cognito identity errors lists it next to "Logins don't
 *   match"; Cognito's documentation says only that the check is made).
 * A developer provider name in the map is refused as an unsupported provider: "they cannot use
 * your developer provider name in the logins map when calling GetId or GetOpenIdToken"
 * (developer guide, authentication-flow.md).
 *
 * A user pool's ID token is verified by userpool/tokens.c (tokens_verify, the verifier of
 * every user-pool token, and tokens_check_user for ServerSideTokenCheck); this file says which
 * pool and clients it expects and words the refusals. The OpenID tokens are signed with
 * cognito-identity's key (keys_identity_* in crypto/keys.c: one key for the whole emulator,
 * stored, cached).
 */
#include "config.h"

#include "identity/identity_logins.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/ids.h"
#include "util/jsonutil.h"
#include "crypto/jwt.h"
#include "crypto/keys.h"
#include "util/log.h"
#include "aws/ops_common.h"
#include "userpool/tokens.h"
#include "settings.h"

/* Room for "<public URL>/<pool id>" (settings.public_url is 512 bytes, a pool id < 96). */
#define ISSUER_MAX 640

static const char NOT_SUPPORTED[] = "Token is not from a supported provider of this identity pool.";
static const char NOT_OIDC[] = "Invalid login token. Not a valid OpenId Connect identity token.";
static const char BAD_ISSUER[] = "Invalid login token. Issuer doesn't match providerName";
static const char BAD_SIGNATURE[] = "Invalid login token. Couldn't verify signed token.";
static const char NO_AUD[] = "Invalid login token. Missing a required claim: aud";
static const char INACTIVE[] = "Token is inactive";

/* ---- OpenID tokens of cognito-identity ------------------------------------------------- */

/*
 * Sign claims as an OpenID token of cognito-identity (RS256, the emulator-wide identity key of
 * keys_identity_get(), made and stored on first use). A new string (free()), or NULL on
 * failure (logged).
 */
static char *identity_token_sign(struct store_conn *conn, const cJSON *claims)
{
    struct signing_key key;
    char *token;

    if (keys_identity_get(conn, &key) != 0)
        return NULL;
    token = jwt_sign_rs256(claims, key.kid, key.pkey);
    EVP_PKEY_free(key.pkey);
    return token;
}

char *identity_openid_token(struct op_ctx *ctx, const char *identity_id, const char *pool_id,
                            cJSON *amr, int64_t ttl)
{
    cJSON *claims = cJSON_CreateObject();
    int64_t iat = ctx->now_ms / 1000;
    char *token = NULL;

    if (claims == NULL || amr == NULL || json_set_str(claims, "sub", identity_id) != 0 ||
        json_set_str(claims, "aud", pool_id) != 0 || json_set_item(claims, "amr", amr) != 0 ||
        json_set_str(claims, "iss", IDENTITY_TOKEN_ISSUER) != 0 ||
        json_set_num(claims, "exp", (double)(iat + ttl)) != 0 ||
        json_set_num(claims, "iat", (double)iat) != 0) {
        if (claims == NULL || json_get(claims, "amr") != amr)
            cJSON_Delete(amr);
        cJSON_Delete(claims);
        ops_fail_internal(ctx, "out of memory");
        return NULL;
    }
    token = identity_token_sign(ctx->db, claims);
    cJSON_Delete(claims);
    if (token == NULL)
        ops_fail_internal(ctx, "could not sign the OpenID token");
    return token;
}

/* The verification key of cognito-identity's tokens for kid (jwt_verify_rs256's lookup). */
struct identity_key_lookup {
    struct store_conn *db;
    EVP_PKEY *key; /* the reference keys_identity_find() returned; freed after verifying */
};

static EVP_PKEY *lookup_identity_key(void *arg, const char *kid)
{
    struct identity_key_lookup *lk = arg;

    EVP_PKEY_free(lk->key);
    lk->key = keys_identity_find(lk->db, kid);
    return lk->key;
}

/* ---- Providers -------------------------------------------------------------------------- */

/* s with the other --issuer form, for matching names made under either. */
static void issuer_without_scheme(const struct settings *s, int aws, const char *pool_id, char *out,
                                  size_t n)
{
    struct settings form = *s;
    char iss[ISSUER_MAX];
    const char *p;

    form.aws_issuer = aws;
    settings_issuer(&form, pool_id, iss, sizeof(iss));
    p = strstr(iss, "://");
    snprintf(out, n, "%s", p ? p + 3 : iss);
}

/*
 * Whether name is a provider name of a user pool: "cognito-idp.<region>.amazonaws.com/<id>"
 * (the region of the pool id) or the emulator's issuer of that pool without its scheme. The
 * pool id goes into pool_id (IDS_MAX bytes).
 */
static bool user_pool_of(const struct settings *s, const char *name, char *pool_id)
{
    const char *slash = name ? strrchr(name, '/') : NULL;
    char form[ISSUER_MAX];

    if (slash == NULL || slash[1] == '\0' || strlen(slash + 1) >= IDS_MAX ||
        strchr(slash + 1, '_') == NULL)
        return false;
    snprintf(pool_id, IDS_MAX, "%s", slash + 1);
    for (int aws = 0; aws <= 1; aws++) {
        issuer_without_scheme(s, aws, pool_id, form, sizeof(form));
        if (strcmp(form, name) == 0)
            return true;
    }
    return false;
}

/* The first CognitoIdentityProviders entry of pool for user pool pool_id, or NULL. */
static const cJSON *configured_provider(const struct settings *s, const cJSON *pool,
                                        const char *pool_id)
{
    const cJSON *entry;
    char id[IDS_MAX];

    cJSON_ArrayForEach(entry, json_get(pool, "CognitoIdentityProviders"))
    {
        if (user_pool_of(s, json_str(entry, "ProviderName"), id) && strcmp(id, pool_id) == 0)
            return entry;
    }
    return NULL;
}

/*
 * The entry of pool configuring user pool pool_id with app client client_id (several entries
 * may name one user pool, one per client), or NULL.
 */
static const cJSON *configured_client(const struct settings *s, const cJSON *pool,
                                      const char *pool_id, const char *client_id)
{
    const cJSON *entry;
    char id[IDS_MAX];

    cJSON_ArrayForEach(entry, json_get(pool, "CognitoIdentityProviders"))
    {
        const char *c = json_str(entry, "ClientId");
        if (user_pool_of(s, json_str(entry, "ProviderName"), id) && strcmp(id, pool_id) == 0 &&
            c != NULL && strcmp(c, client_id) == 0)
            return entry;
    }
    return NULL;
}

char *identity_provider_name(const struct settings *s, const cJSON *pool, const char *name)
{
    char pool_id[IDS_MAX];
    const cJSON *entry;

    if (user_pool_of(s, name, pool_id) && (entry = configured_provider(s, pool, pool_id)) != NULL)
        return strdup(json_str(entry, "ProviderName"));
    return strdup(name);
}

/* Whether name is a provider pool lists but the emulator cannot verify (social, OIDC, SAML). */
static bool external_provider(const cJSON *pool, const char *name)
{
    const cJSON *item;

    if (json_get(json_get(pool, "SupportedLoginProviders"), name) != NULL)
        return true;
    cJSON_ArrayForEach(item, json_get(pool, "OpenIdConnectProviderARNs"))
    {
        const char *arn = cJSON_IsString(item) ? item->valuestring : "";
        const char *host = strstr(arn, ":oidc-provider/");
        if (strcmp(arn, name) == 0 || (host != NULL && strcmp(host + 15, name) == 0))
            return true;
    }
    cJSON_ArrayForEach(item, json_get(pool, "SamlProviderARNs"))
    {
        if (cJSON_IsString(item) && strcmp(item->valuestring, name) == 0)
            return true;
    }
    return false;
}

bool identity_role_mapping_key_ok(const cJSON *pool, const char *key)
{
    const cJSON *entry;

    cJSON_ArrayForEach(entry, json_get(pool, "CognitoIdentityProviders"))
    {
        const char *name = json_str(entry, "ProviderName"), *client = json_str(entry, "ClientId");
        size_t n = name ? strlen(name) : 0;
        if (name != NULL && client != NULL && strncmp(key, name, n) == 0 && key[n] == ':' &&
            strcmp(key + n + 1, client) == 0)
            return true;
    }
    return external_provider(pool, key);
}

/* ---- Token checks ----------------------------------------------------------------------- */

static int not_authorized(struct op_ctx *ctx, const char *message)
{
    return cog_err_set(&ctx->err, COG_E_NOT_AUTHORIZED, "%s", message);
}

/* "Invalid login token. Token expired: <now> >= <exp>" unless claims' exp is in the future. */
static int check_expiry(struct op_ctx *ctx, const cJSON *claims)
{
    const cJSON *exp = json_get(claims, "exp");
    long long now = (long long)(ctx->now_ms / 1000);

    if (!cJSON_IsNumber(exp))
        return not_authorized(ctx, NOT_OIDC);
    if ((double)ctx->now_ms >= exp->valuedouble * 1000.0)
        return cog_err_set(&ctx->err, COG_E_NOT_AUTHORIZED,
                           "Invalid login token. Token expired: %lld >= %lld", now,
                           (long long)exp->valuedouble);
    return 0;
}

static int dup_into(struct op_ctx *ctx, char **dst, const char *src)
{
    if (src == NULL)
        return 0;
    *dst = strdup(src);
    return *dst ? 0 : ops_fail_internal(ctx, "out of memory");
}

/* What check_user_pool_token() lets tokens_verify() ask about an ID token's aud. */
struct client_match {
    const struct settings *settings;
    const cJSON *pool;     /* the identity pool document */
    const char *user_pool; /* the user pool the Logins entry names */
    const cJSON *client;   /* out: the CognitoIdentityProviders entry of aud */
};

/* tokens_verify's aud_ok: whether the identity pool configures aud for the user pool. */
static bool client_configured(void *arg, const char *aud)
{
    struct client_match *m = arg;

    m->client = configured_client(m->settings, m->pool, m->user_pool, aud);
    return m->client != NULL;
}

/* The NotAuthorizedException of an ID token tokens_verify() or tokens_check_user() refused. */
static int token_refused(struct op_ctx *ctx, enum tokens_status st, const char *token)
{
    cJSON *peek;
    int rc;

    switch (st) {
    case TOKENS_ERROR:
        return -1; /* ctx->err is set */
    case TOKENS_BAD_ISSUER:
        return not_authorized(ctx, BAD_ISSUER);
    case TOKENS_BAD_SIGNATURE:
        return not_authorized(ctx, BAD_SIGNATURE);
    case TOKENS_NO_AUD:
        return not_authorized(ctx, NO_AUD);
    case TOKENS_BAD_AUD:
        return not_authorized(ctx, NOT_SUPPORTED);
    case TOKENS_NO_USER:
    case TOKENS_REVOKED:
        return not_authorized(ctx, INACTIVE);
    case TOKENS_EXPIRED:
        /* Its signature verified, so the payload peeked at is the signed one. */
        peek = jwt_peek_payload(token);
        rc = check_expiry(ctx, peek);
        cJSON_Delete(peek);
        return rc != 0 ? rc : not_authorized(ctx, NOT_OIDC);
    default:
        return not_authorized(ctx, NOT_OIDC);
    }
}

/*
 * Check token, presented for user pool user_pool (which pool configures), into *out: issuer,
 * signature, aud among the pool's ClientIds for that user pool, token_use "id", expiry
 * (tokens_verify) and, where that client entry asks for it, the server-side check.
 */
static int check_user_pool_token(struct op_ctx *ctx, const cJSON *pool, const char *user_pool,
                                 const char *token, struct identity_login *out)
{
    struct client_match m = {.settings = ctx->settings, .pool = pool, .user_pool = user_pool};
    const struct tokens_expect expect = {
        .pool_id = user_pool,
        .token_use = "id",
        .aud_ok = client_configured,
        .aud_arg = &m,
    };
    cJSON *claims = NULL;
    enum tokens_status st = tokens_verify(ctx, token, &expect, NULL, &claims);
    int rc = -1;

    if (st == TOKENS_OK && json_bool(m.client, "ServerSideTokenCheck", false))
        st = tokens_check_user(ctx, user_pool, claims, TOKENS_USER_SERVER_SIDE, NULL);
    if (st != TOKENS_OK) {
        token_refused(ctx, st, token);
        goto out;
    }
    out->kind = IDENTITY_LOGIN_USER_POOL;
    if (dup_into(ctx, &out->provider,
                 json_str(configured_provider(ctx->settings, pool, user_pool), "ProviderName")) !=
            0 ||
        dup_into(ctx, &out->subject, json_str(claims, "sub")) != 0 ||
        dup_into(ctx, &out->user_pool_id, user_pool) != 0 ||
        dup_into(ctx, &out->username, json_str(claims, "cognito:username")) != 0 ||
        dup_into(ctx, &out->client_id, json_str(claims, "aud")) != 0)
        goto out;
    out->claims = claims;
    claims = NULL;
    rc = 0;
out:
    cJSON_Delete(claims);
    return rc;
}

/*
 * Check an OpenID token of cognito-identity presented for pool into *out: signature with the
 * identity key, issuer, audience (this identity pool) and expiry.
 */
static int check_openid_token(struct op_ctx *ctx, const cJSON *pool, const char *token,
                              struct identity_login *out)
{
    struct identity_key_lookup lk = {.db = ctx->db};
    cJSON *claims = NULL;
    const char *aud, *iss, *pool_id = json_str(pool, "IdentityPoolId");
    enum jwt_status st;
    int rc = -1;

    st = jwt_verify_rs256(token, lookup_identity_key, &lk, &claims);
    EVP_PKEY_free(lk.key);
    if (st == JWT_MALFORMED)
        return not_authorized(ctx, NOT_OIDC);
    if (st != JWT_OK)
        return not_authorized(ctx, BAD_SIGNATURE);
    iss = json_str(claims, "iss");
    aud = json_str(claims, "aud");
    if (iss == NULL || strcmp(iss, IDENTITY_TOKEN_ISSUER) != 0) {
        not_authorized(ctx, BAD_ISSUER);
        goto out;
    }
    if (aud == NULL) {
        not_authorized(ctx, NO_AUD);
        goto out;
    }
    if (pool_id == NULL || strcmp(aud, pool_id) != 0) {
        not_authorized(ctx, NOT_SUPPORTED);
        goto out;
    }
    if (json_str(claims, "sub") == NULL) {
        not_authorized(ctx, NOT_OIDC);
        goto out;
    }
    if (check_expiry(ctx, claims) != 0)
        goto out;
    out->kind = IDENTITY_LOGIN_OPENID;
    if (dup_into(ctx, &out->subject, json_str(claims, "sub")) != 0)
        goto out;
    out->claims = claims;
    claims = NULL;
    rc = 0;
out:
    cJSON_Delete(claims);
    return rc;
}

/* Check one Logins entry name -> token of pool into *out. */
static int check_one(struct op_ctx *ctx, const cJSON *pool, const char *name, const char *token,
                     struct identity_login *out)
{
    char user_pool[IDS_MAX];
    const char *dev = json_str(pool, "DeveloperProviderName");

    if (strcmp(name, IDENTITY_TOKEN_LOGIN) == 0)
        return check_openid_token(ctx, pool, token, out);
    if (user_pool_of(ctx->settings, name, user_pool) &&
        configured_provider(ctx->settings, pool, user_pool) != NULL)
        return check_user_pool_token(ctx, pool, user_pool, token, out);
    if (dev == NULL || strcmp(dev, name) != 0) {
        if (external_provider(pool, name))
            return cog_err_set(&ctx->err, COG_E_NOT_AUTHORIZED,
                               "Invalid login token. cognito-emu verifies ID tokens of its user "
                               "pools and its own OpenID tokens, not tokens of %.128s.",
                               name);
    }
    return not_authorized(ctx, NOT_SUPPORTED);
}

static void login_clear(struct identity_login *l)
{
    free(l->provider);
    free(l->subject);
    free(l->user_pool_id);
    free(l->username);
    free(l->client_id);
    cJSON_Delete(l->claims);
    memset(l, 0, sizeof(*l));
}

void identity_logins_free(struct identity_logins *list)
{
    for (size_t i = 0; i < list->count; i++)
        login_clear(&list->items[i]);
    free(list->items);
    memset(list, 0, sizeof(*list));
}

int identity_logins_check(struct op_ctx *ctx, const cJSON *pool, const cJSON *logins,
                          struct identity_logins *out)
{
    const cJSON *entry;
    int n = cJSON_GetArraySize(logins);

    memset(out, 0, sizeof(*out));
    if (!cJSON_IsObject(logins) || n == 0)
        return 0;
    out->items = calloc((size_t)n, sizeof(*out->items));
    if (out->items == NULL)
        return ops_fail_internal(ctx, "out of memory");
    cJSON_ArrayForEach(entry, logins)
    {
        /* The model checks the map's values are strings of 1..50000 characters. */
        const char *token = cJSON_IsString(entry) ? entry->valuestring : "";
        if (check_one(ctx, pool, entry->string, token, &out->items[out->count]) != 0) {
            login_clear(&out->items[out->count]);
            identity_logins_free(out);
            return -1;
        }
        out->count++;
    }
    return 0;
}
