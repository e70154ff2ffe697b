/*
 * passkey: the pool-side rules of passkeys (passkey.h).
 *
 * RP ID default (I): the configured RelyingPartyId, else the custom domain's FQDN, else the
 * prefix domain's host "<prefix>.auth.<region>.amazoncognito.com" (the region is the pool
 * id's prefix), as the WebAuthnConfigurationMissingException text implies.
 */
#include "config.h"

#include "userpool/passkey.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/ops_common.h"
#include "crypto/jwt.h"
#include "store/store.h"
#include "userpool/domain.h"
#include "util/jsonutil.h"

/* "<prefix>.auth.<region>.amazoncognito.com" of a prefix domain of pool_id, or NULL. */
static char *prefix_host(const char *pool_id, const char *prefix)
{
    const char *us = strchr(pool_id, '_');
    int region_len = us != NULL ? (int)(us - pool_id) : 0;
    size_t size = strlen(prefix) + (size_t)region_len + sizeof(".auth..amazoncognito.com");
    char *host = malloc(size);
    int n;

    if (host == NULL || region_len == 0) {
        free(host);
        return NULL;
    }
    n = snprintf(host, size, "%s.auth.%.*s.amazoncognito.com", prefix, region_len, pool_id);
    if (n < 0 || (size_t)n >= size) {
        free(host);
        return NULL;
    }
    return host;
}

int passkey_config_load(struct op_ctx *ctx, const cJSON *pool, struct passkey_config *c)
{
    const char *pool_id = json_str(pool, "Id"), *rp_id;
    char *prefix = NULL, *custom = NULL;
    size_t n = 0;

    memset(c, 0, sizeof(*c));
    c->require_uv = strcmp(passkey_user_verification(pool), "required") == 0;
    if (pool_id == NULL || domain_of_pool(ctx->db, pool_id, &prefix, &custom) != STORE_OK)
        return ops_fail_internal(ctx, "could not read the pool's domains");
    if (custom != NULL)
        c->hosts[n++] = custom;
    if (prefix != NULL && (c->hosts[n] = prefix_host(pool_id, prefix)) != NULL)
        n++;
    free(prefix);
    rp_id = json_str(json_get(pool, PASSKEY_POOL_CONFIG), "RelyingPartyId");
    if (rp_id != NULL)
        c->rp_id = strdup(rp_id);
    else if (n > 0)
        c->rp_id = strdup(c->hosts[0]);
    if ((rp_id != NULL || n > 0) && c->rp_id == NULL) {
        passkey_config_clear(c);
        return ops_fail_internal(ctx, "out of memory");
    }
    return 0;
}

void passkey_config_clear(struct passkey_config *c)
{
    free(c->rp_id);
    for (size_t i = 0; i < sizeof(c->hosts) / sizeof(c->hosts[0]); i++)
        free(c->hosts[i]);
    memset(c, 0, sizeof(*c));
}

const char *passkey_user_verification(const cJSON *pool)
{
    return json_str_or(json_get(pool, PASSKEY_POOL_CONFIG), "UserVerification", "preferred");
}

bool passkey_first_factor(const cJSON *pool)
{
    const cJSON *policy = json_get(json_get(pool, "Policies"), "SignInPolicy");

    return json_list_has(json_get(policy, "AllowedFirstAuthFactors"), "WEB_AUTHN");
}

bool passkey_tier_ok(const cJSON *pool)
{
    return strcmp(json_str_or(pool, "UserPoolTier", "ESSENTIALS"), "LITE") != 0;
}

const char *passkey_friendly_name(const char *attachment)
{
    if (attachment != NULL && strcmp(attachment, "platform") == 0)
        return "Platform passkey";
    if (attachment != NULL && strcmp(attachment, "cross-platform") == 0)
        return "Roaming passkey";
    return "Passkey";
}

unsigned char *passkey_b64_member(const cJSON *obj, const char *name, size_t *len)
{
    const char *s = json_str(obj, name);

    return s != NULL && *s != '\0' ? jwt_b64url_decode(s, strlen(s), len) : NULL;
}
