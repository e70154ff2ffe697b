/*
 * testpasskey: the suites' software authenticator (testpasskey.h).
 */
#include "config.h"

#include "testpasskey.h"

#include <cbor.h>
#include <check.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/jwt.h"

void tp_key_init(struct tp_key *k, int alg, uint32_t start)
{
    memset(k, 0, sizeof(*k));
    k->alg = alg;
    k->count = start;
    k->pkey = alg == -7 ? EVP_EC_gen("P-256") : EVP_RSA_gen(2048);
    ck_assert_ptr_nonnull(k->pkey);
    ck_assert_int_eq(RAND_bytes(k->cred_id, sizeof(k->cred_id)), 1);
}

void tp_key_free(struct tp_key *k)
{
    EVP_PKEY_free(k->pkey);
    k->pkey = NULL;
}

void tp_bytes_free(struct tp_bytes *b)
{
    free(b->p);
    b->p = NULL;
    b->n = 0;
}

char *tp_b64(const unsigned char *p, size_t n)
{
    char *s = jwt_b64url_encode(p, n);

    ck_assert_ptr_nonnull(s);
    return s;
}

static void dup_bytes(struct tp_bytes *b, const void *p, size_t n)
{
    b->p = malloc(n > 0 ? n : 1);
    ck_assert_ptr_nonnull(b->p);
    memcpy(b->p, p, n);
    b->n = n;
}

static void client_data(const struct tp_opts *o, const char *type, struct tp_bytes *out)
{
    char origin[300], text[1024];
    int n;

    if (o->client_data != NULL) {
        dup_bytes(out, o->client_data, strlen(o->client_data));
        return;
    }
    snprintf(origin, sizeof(origin), "https://%s", o->rp_id);
    n = snprintf(text, sizeof(text),
                 "{\"type\":\"%s\",\"challenge\":\"%s\",\"origin\":\"%s\",\"crossOrigin\":%s}",
                 o->type != NULL ? o->type : type, o->challenge,
                 o->origin != NULL ? o->origin : origin, o->cross_origin ? "true" : "false");
    ck_assert(n > 0 && (size_t)n < sizeof(text));
    dup_bytes(out, text, (size_t)n);
}

static void add_int(cbor_item_t *map, int64_t key, cbor_item_t *value)
{
    cbor_item_t *k =
        key >= 0 ? cbor_build_uint64((uint64_t)key) : cbor_build_negint64((uint64_t)(-1 - key));
    ck_assert(
        cbor_map_add(map, (struct cbor_pair){.key = cbor_move(k), .value = cbor_move(value)}));
}

static void add_text(cbor_item_t *map, const char *key, cbor_item_t *value)
{
    ck_assert(cbor_map_add(map, (struct cbor_pair){.key = cbor_move(cbor_build_string(key)),
                                                   .value = cbor_move(value)}));
}

static cbor_item_t *int_item(int64_t v)
{
    return v >= 0 ? cbor_build_uint64((uint64_t)v) : cbor_build_negint64((uint64_t)(-1 - v));
}

static cbor_item_t *bn_bytes(const EVP_PKEY *key, const char *name)
{
    BIGNUM *bn = NULL;
    unsigned char buf[512];
    int n;
    cbor_item_t *item;

    ck_assert_int_eq(EVP_PKEY_get_bn_param(key, name, &bn), 1);
    n = BN_bn2bin(bn, buf);
    BN_free(bn);
    item = cbor_build_bytestring(buf, (size_t)n);
    return item;
}

/* The credential public key as a COSE_Key, serialized. */
static void cose_key(const struct tp_key *k, struct tp_bytes *out)
{
    cbor_item_t *map = cbor_new_definite_map(k->alg == -7 ? 5 : 4);
    unsigned char point[65];
    size_t len = 0;
    unsigned char *buf = NULL;
    size_t size = 0, n;

    if (k->alg == -7) {
        ck_assert_int_eq(EVP_PKEY_get_octet_string_param(k->pkey, OSSL_PKEY_PARAM_PUB_KEY, point,
                                                         sizeof(point), &len),
                         1);
        ck_assert_uint_eq(len, 65);
        add_int(map, 1, int_item(2));
        add_int(map, 3, int_item(-7));
        add_int(map, -1, int_item(1));
        add_int(map, -2, cbor_build_bytestring(point + 1, 32));
        add_int(map, -3, cbor_build_bytestring(point + 33, 32));
    } else {
        add_int(map, 1, int_item(3));
        add_int(map, 3, int_item(-257));
        add_int(map, -1, bn_bytes(k->pkey, OSSL_PKEY_PARAM_RSA_N));
        add_int(map, -2, bn_bytes(k->pkey, OSSL_PKEY_PARAM_RSA_E));
    }
    n = cbor_serialize_alloc(map, &buf, &size);
    ck_assert_uint_gt(n, 0);
    cbor_decref(&map);
    out->p = buf;
    out->n = n;
}

/* rpIdHash || flags || counter [|| attested credential data]. */
static void auth_data(const struct tp_key *k, const struct tp_opts *o, bool attested,
                      uint32_t count, struct tp_bytes *out)
{
    unsigned char buf[2048];
    size_t n = 0;
    unsigned flags = o->flags == 0 ? 0x05 : o->flags < 0 ? 0 : (unsigned)o->flags;
    unsigned int hl = 0;

    ck_assert_int_eq(EVP_Digest(o->rp_id, strlen(o->rp_id), buf, &hl, EVP_sha256(), NULL), 1);
    n = 32;
    buf[n++] = (unsigned char)(flags | (attested ? 0x40 : 0));
    buf[n++] = (unsigned char)(count >> 24);
    buf[n++] = (unsigned char)(count >> 16);
    buf[n++] = (unsigned char)(count >> 8);
    buf[n++] = (unsigned char)count;
    if (attested) {
        struct tp_bytes cose = {0};

        memset(buf + n, 0xAA, 16); /* the AAGUID */
        n += 16;
        buf[n++] = 0;
        buf[n++] = sizeof(k->cred_id);
        memcpy(buf + n, k->cred_id, sizeof(k->cred_id));
        if (o->other_cred_id)
            buf[n] ^= 1;
        n += sizeof(k->cred_id);
        cose_key(k, &cose);
        ck_assert_uint_lt(n + cose.n, sizeof(buf));
        memcpy(buf + n, cose.p, cose.n);
        n += cose.n;
        tp_bytes_free(&cose);
    }
    dup_bytes(out, buf, n);
}

/* The signature of key over data || SHA-256(cd). */
static void sign(EVP_PKEY *key, const struct tp_bytes *data, const struct tp_bytes *cd, bool flip,
                 struct tp_bytes *out)
{
    unsigned char hash[32];
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    size_t n = 0;

    ck_assert_int_eq(EVP_Digest(cd->p, cd->n, hash, NULL, EVP_sha256(), NULL), 1);
    ck_assert_int_eq(EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, key), 1);
    ck_assert_int_eq(EVP_DigestSignUpdate(md, data->p, data->n), 1);
    ck_assert_int_eq(EVP_DigestSignUpdate(md, hash, sizeof(hash)), 1);
    ck_assert_int_eq(EVP_DigestSignFinal(md, NULL, &n), 1);
    out->p = malloc(n);
    ck_assert_int_eq(EVP_DigestSignFinal(md, out->p, &n), 1);
    out->n = n;
    EVP_MD_CTX_free(md);
    if (flip)
        out->p[out->n - 1] ^= 0x01;
}

/* A self-signed certificate for key (DER). */
static void certificate(EVP_PKEY *key, struct tp_bytes *out)
{
    X509 *x = X509_new();
    unsigned char *p = NULL;
    int n;

    ck_assert_ptr_nonnull(x);
    ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
    X509_gmtime_adj(X509_getm_notBefore(x), 0);
    X509_gmtime_adj(X509_getm_notAfter(x), 3600);
    X509_set_pubkey(x, key);
    X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_ASC,
                               (const unsigned char *)"test attestation", -1, -1, 0);
    X509_set_issuer_name(x, X509_get_subject_name(x));
    ck_assert_int_gt(X509_sign(x, key, EVP_sha256()), 0);
    n = i2d_X509(x, &p);
    ck_assert_int_gt(n, 0);
    out->p = p; /* OPENSSL_malloc'd: same allocator as malloc in default builds */
    out->n = (size_t)n;
    X509_free(x);
}

void tp_register(const struct tp_key *k, const struct tp_opts *o, struct tp_bytes *cd,
                 struct tp_bytes *att_obj)
{
    struct tp_bytes ad = {0}, sig = {0};
    const char *fmt = o->fmt != NULL ? o->fmt : "none";
    bool packed = strncmp(fmt, "packed", 6) == 0, x5c = strcmp(fmt, "packed-x5c") == 0;
    cbor_item_t *att = cbor_new_definite_map(3);
    cbor_item_t *stmt = cbor_new_definite_map(packed ? (x5c ? 3 : 2) : 0);
    unsigned char *buf = NULL;
    size_t size = 0, n;

    client_data(o, "webauthn.create", cd);
    auth_data(k, o, true, k->count, &ad);
    if (packed && x5c) {
        EVP_PKEY *att_key = EVP_EC_gen("P-256");
        struct tp_bytes cert = {0};
        cbor_item_t *chain = cbor_new_definite_array(1);

        certificate(att_key, &cert);
        sign(att_key, &ad, cd, o->flip_sig, &sig);
        add_text(stmt, "alg", int_item(-7));
        add_text(stmt, "sig", cbor_build_bytestring(sig.p, sig.n));
        ck_assert(cbor_array_push(chain, cbor_move(cbor_build_bytestring(cert.p, cert.n))));
        add_text(stmt, "x5c", chain);
        OPENSSL_free(cert.p);
        EVP_PKEY_free(att_key);
    } else if (packed) {
        sign(k->pkey, &ad, cd, o->flip_sig, &sig);
        add_text(stmt, "alg", int_item(k->alg));
        add_text(stmt, "sig", cbor_build_bytestring(sig.p, sig.n));
    }
    add_text(att, "fmt", cbor_build_string(x5c ? "packed" : fmt));
    add_text(att, "attStmt", stmt);
    add_text(att, "authData", cbor_build_bytestring(ad.p, ad.n));
    n = cbor_serialize_alloc(att, &buf, &size);
    ck_assert_uint_gt(n, 0);
    cbor_decref(&att);
    att_obj->p = buf;
    att_obj->n = n;
    tp_bytes_free(&ad);
    tp_bytes_free(&sig);
}

void tp_assert(struct tp_key *k, const struct tp_opts *o, struct tp_bytes *cd, struct tp_bytes *ad,
               struct tp_bytes *sig)
{
    client_data(o, "webauthn.get", cd);
    auth_data(k, o, false, k->count, ad);
    if (k->count != 0)
        k->count++;
    sign(k->pkey, ad, cd, o->flip_sig, sig);
}

static void set_b64(cJSON *obj, const char *name, const unsigned char *p, size_t n)
{
    char *s = tp_b64(p, n);

    ck_assert_ptr_nonnull(cJSON_AddStringToObject(obj, name, s));
    free(s);
}

cJSON *tp_registration_json(const struct tp_key *k, const struct tp_opts *o, const char *attachment)
{
    struct tp_bytes cd = {0}, att = {0};
    cJSON *cred = cJSON_CreateObject(), *resp = cJSON_AddObjectToObject(cred, "response");
    cJSON *transports = cJSON_AddArrayToObject(resp, "transports");

    tp_register(k, o, &cd, &att);
    set_b64(cred, "id", k->cred_id, sizeof(k->cred_id));
    set_b64(cred, "rawId", k->cred_id, sizeof(k->cred_id));
    cJSON_AddStringToObject(cred, "type", "public-key");
    if (attachment != NULL)
        cJSON_AddStringToObject(cred, "authenticatorAttachment", attachment);
    cJSON_AddObjectToObject(cred, "clientExtensionResults");
    set_b64(resp, "clientDataJSON", cd.p, cd.n);
    set_b64(resp, "attestationObject", att.p, att.n);
    cJSON_AddItemToArray(transports, cJSON_CreateString("internal"));
    cJSON_AddItemToArray(transports, cJSON_CreateString("hybrid"));
    cJSON_AddNumberToObject(resp, "publicKeyAlgorithm", k->alg);
    tp_bytes_free(&cd);
    tp_bytes_free(&att);
    return cred;
}

char *tp_assertion_json(struct tp_key *k, const struct tp_opts *o, const char *user_handle)
{
    struct tp_bytes cd = {0}, ad = {0}, sig = {0};
    cJSON *cred = cJSON_CreateObject(), *resp = cJSON_AddObjectToObject(cred, "response");
    char *text;

    tp_assert(k, o, &cd, &ad, &sig);
    set_b64(cred, "id", k->cred_id, sizeof(k->cred_id));
    set_b64(cred, "rawId", k->cred_id, sizeof(k->cred_id));
    cJSON_AddStringToObject(cred, "type", "public-key");
    cJSON_AddObjectToObject(cred, "clientExtensionResults");
    set_b64(resp, "clientDataJSON", cd.p, cd.n);
    set_b64(resp, "authenticatorData", ad.p, ad.n);
    set_b64(resp, "signature", sig.p, sig.n);
    if (user_handle != NULL)
        set_b64(resp, "userHandle", (const unsigned char *)user_handle, strlen(user_handle));
    text = cJSON_PrintUnformatted(cred);
    cJSON_Delete(cred);
    tp_bytes_free(&cd);
    tp_bytes_free(&ad);
    tp_bytes_free(&sig);
    return text;
}
