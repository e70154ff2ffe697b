/*
 * ops_identity: what identities of identity pools (cognito-identity) are for: GetId, the
 * credentials of GetCredentialsForIdentity and the OpenID tokens of GetOpenIdToken, which
 * they trade logins for. Records and linking are identity.c's, roles identity_roles.c's;
 * developer identities are in ops_developer.c and the administrator's operations in
 * ops_identity_admin.c.
 *
 * - GetId returns the identity a login is linked to, or makes one; without logins it makes a
 *   new unauthenticated identity each call, when the pool allows them.
 * - Unauthenticated identities in a pool that no longer allows them: NotAuthorizedException
 *   "Unauthenticated access is not supported for this identity pool."
 *   (aws/aws-sdk-js-v3#3113).
 *
 * Credentials look like STS's: AccessKeyId "ASIA" + 16 upper-case alphanumerics, a
 * 40-character SecretKey, a long SessionToken, Expiration one hour ahead in epoch seconds.
 * Only the access key id is recorded (with its identity, role and expiry) for the control
 * API's mapping; secrets are neither stored nor logged.
 */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "identity/identity.h"
#include "identity/identity_logins.h"
#include "crypto/secrets.h"
#include "util/ids.h"
#include "util/jsonutil.h"

#define CREDENTIALS_TTL_S 3600
#define OPENID_TTL_S 600        /* GetOpenIdToken: "valid for 10 minutes" */
#define SESSION_TOKEN_BYTES 480 /* 640 base64 characters, the size of real session tokens */
#define ACCESS_KEY_ALPHABET "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
#define SECRET_KEY_ALPHABET "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

static const char UNAUTH_NOT_SUPPORTED[] =
    "Unauthenticated access is not supported for this identity pool.";

/* ---- Tokens and credentials ------------------------------------------------------------- */

/*
 * The amr of a token for the identity that presented logins (the first one names the
 * provider), or of an unauthenticated one: ["unauthenticated"], or ["authenticated",
 * provider, provider + ":CognitoSignIn:" + sub] as Cognito's tokens and API Gateway's
 * cognitoAuthenticationProvider show it ("<provider>,<provider>:CognitoSignIn:<sub>").
 * An OpenID token presented as a login passes its own amr on. A new array, or NULL.
 */
static cJSON *amr_of(const struct identity_logins *logins)
{
    cJSON *amr;
    char *detail;
    const struct identity_login *l = logins && logins->count ? &logins->items[0] : NULL;

    if (l != NULL && l->kind == IDENTITY_LOGIN_OPENID) {
        const cJSON *given = json_get(l->claims, "amr");
        if (cJSON_IsArray(given))
            return cJSON_Duplicate(given, 1);
    }
    if (l == NULL || l->kind == IDENTITY_LOGIN_OPENID) {
        const char *one[] = {l == NULL ? "unauthenticated" : "authenticated"};
        return cJSON_CreateStringArray(one, 1);
    }
    detail = malloc(strlen(l->provider) + strlen(l->subject) + 16);
    if (detail == NULL)
        return NULL;
    snprintf(detail, strlen(l->provider) + strlen(l->subject) + 16, "%s:CognitoSignIn:%s",
             l->provider, l->subject);
    {
        const char *three[] = {"authenticated", l->provider, detail};
        amr = cJSON_CreateStringArray(three, 3);
    }
    free(detail);
    return amr;
}

/* The entries of amr after the first, joined with ",": a new string, NULL when none. */
static char *auth_provider_of(const cJSON *amr)
{
    const cJSON *item;
    size_t n = 0, at = 0;
    char *out;

    for (item = amr && amr->child ? amr->child->next : NULL; item != NULL; item = item->next)
        if (cJSON_IsString(item))
            n += strlen(item->valuestring) + 1;
    if (n == 0 || (out = malloc(n)) == NULL)
        return NULL;
    for (item = amr->child->next; item != NULL; item = item->next) {
        size_t len;
        if (!cJSON_IsString(item))
            continue;
        if (at > 0)
            out[at++] = ',';
        len = strlen(item->valuestring);
        memcpy(out + at, item->valuestring, len);
        at += len;
    }
    out[at] = '\0';
    return out;
}

/*
 * New credentials for identity_id with role, recorded by access key id, as the Credentials
 * object of the response (*out, cJSON_Delete). 0, or -1 with InternalErrorException.
 */
static int issue_credentials(struct op_ctx *ctx, const char *identity_id, const char *pool_id,
                             const char *role, const cJSON *amr, cJSON **out)
{
    char access_key[21], secret[41];
    char *session = secrets_random_base64(SESSION_TOKEN_BYTES), *provider = auth_provider_of(amr);
    const cJSON *first = amr ? amr->child : NULL;
    struct store_credentials rec = {
        .access_key_id = access_key,
        .identity_id = (char *)identity_id,
        .pool_id = (char *)pool_id,
        .role_arn = (char *)role,
        .auth_type = cJSON_IsString(first) ? first->valuestring : (char *)"unauthenticated",
        .auth_provider = provider,
        .created_ms = ctx->now_ms,
        .expires_ms = (ctx->now_ms / 1000 + CREDENTIALS_TTL_S) * 1000,
    };
    int st = STORE_EXISTS, rc = -1;
    cJSON *creds = NULL;

    *out = NULL;
    if (session == NULL) {
        ops_fail_internal(ctx, "out of memory");
        goto out;
    }
    for (int attempt = 0; attempt < 3 && st == STORE_EXISTS; attempt++) {
        memcpy(access_key, "ASIA", 4);
        ids_random_chars(access_key + 4, 16, ACCESS_KEY_ALPHABET);
        st = store_credentials_put(ctx->db, &rec);
    }
    if (st != STORE_OK) {
        ops_fail_internal(ctx, "could not record the credentials");
        goto out;
    }
    ids_random_chars(secret, 40, SECRET_KEY_ALPHABET);
    creds = cJSON_CreateObject();
    if (creds == NULL || json_set_str(creds, "AccessKeyId", access_key) != 0 ||
        json_set_str(creds, "SecretKey", secret) != 0 ||
        json_set_str(creds, "SessionToken", session) != 0 ||
        json_set_num(creds, "Expiration", (double)(rec.expires_ms / 1000)) != 0) {
        ops_fail_internal(ctx, "out of memory");
        goto out;
    }
    *out = creds;
    creds = NULL;
    rc = 0;
out:
    secrets_wipe(secret, sizeof(secret));
    if (session != NULL)
        secrets_wipe(session, strlen(session));
    free(session);
    free(provider);
    cJSON_Delete(creds);
    return rc;
}

/* ---- GetId, GetCredentialsForIdentity, GetOpenIdToken ------------------------------------ */

/*
 * GetId: the identity of the presented logins (linking the ones not linked yet, merging
 * identities that hold them), a new authenticated identity for logins never seen, or, without
 * logins, a new unauthenticated identity each call when the pool allows them.
 */
int op_get_id(struct op_ctx *ctx)
{
    const char *pool_id = json_str(ctx->in, "IdentityPoolId");
    struct identity_logins logins = {0};
    struct store_identity *ident = NULL;
    cJSON *pool = NULL;
    int rc = -1;

    if (ops_doc_load(ctx, &IDENTITY_POOL, pool_id, NULL, &pool) != 0)
        return -1;
    if (identity_logins_check(ctx, pool, json_get(ctx->in, "Logins"), &logins) != 0)
        goto done;
    if (logins.count == 0 && !json_bool(pool, "AllowUnauthenticatedIdentities", false)) {
        identity_not_authorized(ctx, UNAUTH_NOT_SUPPORTED);
        goto done;
    }
    if (ops_txn_begin(ctx) != 0)
        goto done;
    /* The identity one of the logins is linked to, else a new one. */
    for (size_t i = 0; i < logins.count && ident == NULL; i++) {
        const struct identity_login *l = &logins.items[i];
        struct store_login *owner = NULL;
        const char *owner_id = NULL;
        int st = 0;

        if (l->kind == IDENTITY_LOGIN_OPENID) {
            owner_id = l->subject;
        } else {
            st = store_login_get(ctx->db, pool_id, l->provider, l->subject, &owner);
            if (st == STORE_ERROR) {
                ops_fail_internal(ctx, "could not read the login");
                goto end;
            }
            owner_id = owner ? owner->identity_id : NULL;
        }
        st = 0;
        if (owner_id != NULL) {
            cJSON *ignored = NULL;
            st = identity_and_pool(ctx, owner_id, pool_id, false, &ident, &ignored);
            cJSON_Delete(ignored);
        }
        store_login_free(owner);
        if (st != 0)
            goto end;
    }
    if (ident == NULL && identity_new(ctx, pool_id, logins.count > 0, &ident) != 0)
        goto end;
    rc = identity_apply_logins(ctx, &ident, &logins);
end:
    rc = ops_txn_end(ctx, rc);
    if (rc == 0 && json_set_str(ctx->out, "IdentityId", ident->id) != 0)
        rc = ops_fail_internal(ctx, "out of memory");
done:
    identity_logins_free(&logins);
    store_identity_free(ident);
    cJSON_Delete(pool);
    return rc;
}

/*
 * What GetCredentialsForIdentity and GetOpenIdToken share: read the identity (and its pool),
 * check and apply the request's Logins, and decide whether it acts authenticated. On 0,
 * *ident (store_identity_free), *pool (cJSON_Delete) and *logins (identity_logins_free) are
 * set; runs in the caller's transaction.
 */
static int resolve_identity(struct op_ctx *ctx, struct store_identity **ident, cJSON **pool,
                            struct identity_logins *logins)
{
    memset(logins, 0, sizeof(*logins));
    if (identity_and_pool(ctx, json_str(ctx->in, "IdentityId"), NULL, false, ident, pool) != 0)
        return -1;
    if (identity_logins_check(ctx, *pool, json_get(ctx->in, "Logins"), logins) != 0)
        return -1;
    if (logins->count == 0) {
        if ((*ident)->authenticated)
            return identity_not_authorized(ctx, IDENTITY_LOGINS_DONT_MATCH);
        if (!json_bool(*pool, "AllowUnauthenticatedIdentities", false))
            return identity_not_authorized(ctx, UNAUTH_NOT_SUPPORTED);
        return 0;
    }
    return identity_apply_logins(ctx, ident, logins);
}

/*
 * GetCredentialsForIdentity: temporary credentials of the role Cognito would choose for the
 * identity (identity_choose_role, identity_roles.c), new on each call.
 */
int op_get_credentials_for_identity(struct op_ctx *ctx)
{
    struct identity_logins logins = {0};
    struct store_identity *ident = NULL;
    cJSON *pool = NULL, *amr = NULL, *creds = NULL;
    const char *role = NULL;
    int rc = -1;

    if (ops_txn_begin(ctx) != 0)
        return -1;
    if (resolve_identity(ctx, &ident, &pool, &logins) != 0)
        goto end;
    if (ident->authenticated) {
        if (identity_choose_role(ctx, pool, &logins, json_str(ctx->in, "CustomRoleArn"), &role) !=
            0)
            goto end;
    } else if ((role = json_str(json_get(pool, "Roles"), "unauthenticated")) == NULL) {
        cog_err_set(&ctx->err, COG_E_INVALID_IDENTITY_POOL_CONFIGURATION, "%s",
                    IDENTITY_BAD_CONFIGURATION);
        goto end;
    }
    if ((amr = amr_of(ident->authenticated ? &logins : NULL)) == NULL) {
        ops_fail_internal(ctx, "out of memory");
        goto end;
    }
    rc = issue_credentials(ctx, ident->id, ident->pool_id, role, amr, &creds);
end:
    rc = ops_txn_end(ctx, rc);
    if (rc == 0 && json_set_str(ctx->out, "IdentityId", ident->id) != 0)
        rc = ops_fail_internal(ctx, "out of memory");
    if (rc == 0)
        rc = ops_out_set(ctx, "Credentials", creds); /* takes creds */
    else
        cJSON_Delete(creds);
    cJSON_Delete(amr);
    identity_logins_free(&logins);
    store_identity_free(ident);
    cJSON_Delete(pool);
    return rc;
}

/*
 * GetOpenIdToken: an OpenID token of cognito-identity for the identity (the basic flow),
 * valid 10 minutes. Refused, as Cognito refuses it, for pools with RoleMappings ("Basic
 * (classic) flow is not supported with RoleMappings, please use enhanced flow.", developer
 * guide) and for pools that set AllowClassicFlow to false.
 */
int op_get_open_id_token(struct op_ctx *ctx)
{
    struct identity_logins logins = {0};
    struct store_identity *ident = NULL;
    cJSON *pool = NULL;
    char *token = NULL;
    int rc = -1;

    if (ops_txn_begin(ctx) != 0)
        return -1;
    if (resolve_identity(ctx, &ident, &pool, &logins) != 0)
        goto end;
    if (json_get(pool, "RoleMappings") != NULL) {
        cog_err_set(&ctx->err, COG_E_INVALID_PARAMETER,
                    "Basic (classic) flow is not supported with RoleMappings, please use "
                    "enhanced flow.");
        goto end;
    }
    if (!json_bool(pool, "AllowClassicFlow", true)) {
        cog_err_set(&ctx->err, COG_E_INVALID_PARAMETER,
                    "Basic (classic) flow is not enabled for this identity pool.");
        goto end;
    }
    rc = 0;
end:
    /* Sign after the commit: the RSA signature is the slow part and needs no lock. */
    rc = ops_txn_end(ctx, rc);
    if (rc == 0)
        token = identity_openid_token(ctx, ident->id, ident->pool_id,
                                      amr_of(ident->authenticated ? &logins : NULL), OPENID_TTL_S);
    if (rc == 0 && token == NULL)
        rc = -1;
    if (rc == 0 && (json_set_str(ctx->out, "IdentityId", ident->id) != 0 ||
                    json_set_str(ctx->out, "Token", token) != 0))
        rc = ops_fail_internal(ctx, "out of memory");
    free(token);
    identity_logins_free(&logins);
    store_identity_free(ident);
    cJSON_Delete(pool);
    return rc;
}
