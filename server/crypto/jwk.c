/*
 * jwk: JSON Web Keys to OpenSSL keys (RSA "n" and "e", base64url big-endian integers), for
 * verifying the ID tokens of external OpenID providers. See jwk.h.
 */
#include "config.h"

#include "crypto/jwk.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/param_build.h>
#include <stdlib.h>
#include <string.h>

#include "util/jsonutil.h"

/* A big number from the base64url member name of jwk, or NULL. */
static BIGNUM *jwk_bn(const cJSON *jwk, const char *name)
{
    const char *text = json_str(jwk, name);
    size_t len = 0;
    unsigned char *raw = text ? jwt_b64url_decode(text, strlen(text), &len) : NULL;
    BIGNUM *bn = raw && len > 0 ? BN_bin2bn(raw, (int)len, NULL) : NULL;

    free(raw);
    return bn;
}

/* The RSA public key of jwk, or NULL when it is not one (a new key: EVP_PKEY_free()). */
static EVP_PKEY *jwk_rsa_key(const cJSON *jwk)
{
    BIGNUM *n = jwk_bn(jwk, "n"), *e = jwk_bn(jwk, "e");
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    OSSL_PARAM *params = NULL;
    EVP_PKEY_CTX *ctx = NULL;
    EVP_PKEY *key = NULL;

    if (n != NULL && e != NULL && bld != NULL && strcmp(json_str_or(jwk, "kty", ""), "RSA") == 0 &&
        OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) &&
        OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e) &&
        (params = OSSL_PARAM_BLD_to_param(bld)) != NULL &&
        (ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL)) != NULL &&
        EVP_PKEY_fromdata_init(ctx) > 0)
        if (EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, params) <= 0)
            key = NULL;
    EVP_PKEY_CTX_free(ctx);
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    BN_free(n);
    BN_free(e);
    return key;
}

/* jwt_key_lookup over a JWKS; the key made is kept in found for the caller to free. */
struct jwk_lookup {
    const cJSON *jwks;
    EVP_PKEY *found;
};

static EVP_PKEY *lookup(void *arg, const char *kid)
{
    struct jwk_lookup *l = arg;
    const cJSON *k;

    cJSON_ArrayForEach(k, json_get(l->jwks, "keys"))
    {
        if (strcmp(json_str_or(k, "kid", ""), kid) == 0)
            return l->found = jwk_rsa_key(k);
    }
    return NULL;
}

enum jwt_status jwk_verify_rs256(const char *token, const cJSON *jwks, cJSON **payload)
{
    struct jwk_lookup l = {jwks, NULL};
    enum jwt_status st = jwt_verify_rs256(token, lookup, &l, payload);

    EVP_PKEY_free(l.found);
    return st;
}
