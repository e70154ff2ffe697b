/*
 * webauthn: the relying party's registration and assertion checks (webauthn.h). CBOR is
 * libcbor's (cbor_load reports how many bytes an item took, which is how the COSE key's end
 * is found inside the authenticator data); keys and signatures are OpenSSL 3's EVP.
 */
#include "config.h"

#include "crypto/webauthn.h"

#include <cJSON.h>
#include <cbor.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/x509.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Authenticator data flags (WA3 §6.1). */
#define FLAG_UP 0x01
#define FLAG_UV 0x04
#define FLAG_BE 0x08
#define FLAG_BS 0x10
#define FLAG_AT 0x40
#define FLAG_ED 0x80

/* rpIdHash(32) flags(1) signCount(4); then aaguid(16) credIdLen(2) for attested data. */
#define AUTH_DATA_MIN 37
#define ATTESTED_MIN 18
#define CRED_ID_MAX 1023 /* WA3 §6.5.1: "Credential IDs ... at most 1023 bytes" */
#define HASH_LEN 32

/* COSE labels (RFC 9052 / 9053) and values. */
#define COSE_KTY 1
#define COSE_ALG 3
#define COSE_CRV (-1)
#define COSE_X (-2)
#define COSE_Y (-3)
#define COSE_N (-1)
#define COSE_E (-2)
#define COSE_KTY_EC2 2
#define COSE_KTY_RSA 3
#define COSE_CRV_P256 1
#define P256_COORD 32

static const char *const STATUS_TEXT[] = {
    [WEBAUTHN_OK] = "ok",
    [WEBAUTHN_MALFORMED] = "malformed data",
    [WEBAUTHN_BAD_TYPE] = "wrong clientDataJSON type",
    [WEBAUTHN_BAD_CHALLENGE] = "wrong challenge",
    [WEBAUTHN_BAD_ORIGIN] = "origin not allowed",
    [WEBAUTHN_CROSS_ORIGIN] = "cross-origin ceremony",
    [WEBAUTHN_BAD_RP_ID_HASH] = "rpIdHash does not match the RP ID",
    [WEBAUTHN_NO_USER_PRESENCE] = "user not present",
    [WEBAUTHN_NO_USER_VERIFIED] = "user not verified",
    [WEBAUTHN_BAD_BACKUP_FLAGS] = "backup state without backup eligibility",
    [WEBAUTHN_NO_CREDENTIAL_DATA] = "no attested credential data",
    [WEBAUTHN_CREDENTIAL_ID] = "credential id is not rawId",
    [WEBAUTHN_UNSUPPORTED_KEY] = "unsupported public key",
    [WEBAUTHN_UNSUPPORTED_FORMAT] = "unsupported attestation format",
    [WEBAUTHN_BAD_ATTESTATION] = "attestation statement invalid",
    [WEBAUTHN_BAD_SIGNATURE] = "signature invalid",
    [WEBAUTHN_REPLAYED_COUNTER] = "signature counter not increased",
    [WEBAUTHN_INTERNAL] = "internal error",
};

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

const char *webauthn_status_text(enum webauthn_status status)
{
    if ((unsigned)status >= sizeof(STATUS_TEXT) / sizeof(STATUS_TEXT[0]))
        return "unknown";
    return STATUS_TEXT[status];
}

void webauthn_credential_clear(struct webauthn_credential *c)
{
    if (c == NULL)
        return;
    free(c->id);
    free(c->spki);
    memset(c, 0, sizeof(*c));
}

bool webauthn_auth_data_count(const unsigned char *auth_data, size_t len, uint32_t *count)
{
    if (auth_data == NULL || len < AUTH_DATA_MIN)
        return false;
    *count = be32(auth_data + 33);
    return true;
}

bool webauthn_sign_count_ok(uint32_t stored, uint32_t received)
{
    return (stored == 0 && received == 0) || received > stored;
}

/* ---- Origins and clientDataJSON ----------------------------------------------------------- */

/* Whether host equals domain or is a subdomain of it (labels, case-insensitive). */
static bool host_within(const char *host, size_t host_len, const char *domain)
{
    size_t n = strlen(domain);

    if (n == 0 || host_len < n)
        return false;
    if (strncasecmp(host + host_len - n, domain, n) != 0)
        return false;
    return host_len == n || host[host_len - n - 1] == '.';
}

static bool host_is(const char *host, size_t host_len, const char *name)
{
    return strlen(name) == host_len && strncasecmp(host, name, host_len) == 0;
}

bool webauthn_origin_ok(const struct webauthn_expect *e, const char *origin)
{
    const char *host;
    size_t len;
    bool https;

    if (origin == NULL || e->rp_id == NULL)
        return false;
    if (strncmp(origin, "https://", 8) == 0)
        host = origin + 8, https = true;
    else if (strncmp(origin, "http://", 7) == 0)
        host = origin + 7, https = false;
    else
        return false;
    len = strcspn(host, ":/");
    /* An origin is scheme://host[:port]: no path, and a port of digits only. */
    if (len == 0 || strchr(host, '/') != NULL)
        return false;
    if (host[len] == ':' &&
        (host[len + 1] == '\0' || strspn(host + len + 1, "0123456789") != strlen(host + len + 1)))
        return false;
    if (!https)
        return host_is(host, len, "localhost") && host_within(host, len, e->rp_id);
    if (host_within(host, len, e->rp_id))
        return true;
    for (size_t i = 0; e->hosts != NULL && e->hosts[i] != NULL; i++)
        if (host_is(host, len, e->hosts[i]))
            return true;
    return false;
}

/* WA3 §7.1 steps 7-12 / §7.2 steps 10-15 on clientDataJSON; *hash gets its SHA-256. */
static enum webauthn_status check_client_data(const struct webauthn_expect *e, const char *type,
                                              const unsigned char *cd, size_t cd_len,
                                              unsigned char *hash)
{
    cJSON *doc = cd != NULL ? cJSON_ParseWithLength((const char *)cd, cd_len) : NULL;
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(doc, "type");
    const cJSON *c = cJSON_GetObjectItemCaseSensitive(doc, "challenge");
    const cJSON *o = cJSON_GetObjectItemCaseSensitive(doc, "origin");
    const cJSON *x = cJSON_GetObjectItemCaseSensitive(doc, "crossOrigin");
    enum webauthn_status st = WEBAUTHN_OK;

    if (!cJSON_IsObject(doc) || !cJSON_IsString(t) || !cJSON_IsString(c) || !cJSON_IsString(o))
        st = WEBAUTHN_MALFORMED;
    else if (strcmp(t->valuestring, type) != 0)
        st = WEBAUTHN_BAD_TYPE;
    else if (e->challenge == NULL || strcmp(c->valuestring, e->challenge) != 0)
        st = WEBAUTHN_BAD_CHALLENGE;
    else if (!webauthn_origin_ok(e, o->valuestring))
        st = WEBAUTHN_BAD_ORIGIN;
    else if (x != NULL && !cJSON_IsFalse(x))
        st = WEBAUTHN_CROSS_ORIGIN;
    else if (EVP_Digest(cd, cd_len, hash, NULL, EVP_sha256(), NULL) != 1)
        st = WEBAUTHN_INTERNAL;
    cJSON_Delete(doc);
    return st;
}

/* ---- Authenticator data -------------------------------------------------------------------- */

struct auth_data {
    const unsigned char *rp_id_hash;
    unsigned flags;
    uint32_t sign_count;
    const unsigned char *aaguid; /* attested credential data, when AT */
    const unsigned char *cred_id;
    size_t cred_id_len;
    cbor_item_t *cose; /* owned */
};

/*
 * Walking a CBOR item's heads before cbor_load builds it: cbor_load allocates a definite array
 * or map for the size its head declares (and clears it) before reading one element, so a
 * crafted head of 2^32 elements would cost gigabytes. The walk (libcbor's streaming decoder)
 * refuses an item whose containers declare more elements than the bytes left could hold (each
 * takes at least one), any indefinite-length item (WebAuthn's CBOR is CTAP2 canonical:
 * definite lengths only), and nesting deeper than CBOR_DEPTH_MAX (cbor_decref recurses).
 */
#define CBOR_DEPTH_MAX 16

struct cbor_walk {
    uint64_t opened; /* elements the head just decoded declares (a tag: 1) */
    bool container;  /* the head decoded opens a container or a tag */
    bool bad;        /* an indefinite-length item */
};

static void walk_array(void *ctx, size_t size)
{
    struct cbor_walk *w = ctx;

    w->container = true;
    w->opened = size;
}

static void walk_map(void *ctx, size_t size)
{
    struct cbor_walk *w = ctx;

    w->container = true;
    w->opened = size > UINT64_MAX / 2 ? UINT64_MAX : (uint64_t)size * 2;
}

static void walk_tag(void *ctx, uint64_t tag)
{
    struct cbor_walk *w = ctx;

    (void)tag;
    w->container = true;
    w->opened = 1;
}

static void walk_indefinite(void *ctx)
{
    ((struct cbor_walk *)ctx)->bad = true;
}

/* The length of the CBOR item at the start of p (n bytes) into *len, if it passes the walk
 * above; false otherwise. */
static bool cbor_item_bounded(const unsigned char *p, size_t n, size_t *len)
{
    struct cbor_callbacks cb = cbor_empty_callbacks;
    uint64_t left[CBOR_DEPTH_MAX + 1] = {1}, pending = 1; /* elements still to read */
    size_t off = 0, depth = 0;

    cb.array_start = walk_array;
    cb.map_start = walk_map;
    cb.tag = walk_tag;
    cb.indef_array_start = cb.indef_map_start = walk_indefinite;
    cb.byte_string_start = cb.string_start = cb.indef_break = walk_indefinite;
    while (pending > 0) {
        struct cbor_walk w = {0};
        struct cbor_decoder_result r;

        if (off >= n)
            return false;
        r = cbor_stream_decode(p + off, n - off, &cb, &w);
        if (r.status != CBOR_DECODER_FINISHED || r.read == 0 || r.read > n - off || w.bad)
            return false;
        off += r.read;
        left[depth]--;
        if (--pending > n - off)
            return false;
        if (w.container && w.opened > 0) {
            if (depth == CBOR_DEPTH_MAX || w.opened > n - off - pending)
                return false;
            left[++depth] = w.opened;
            pending += w.opened;
        }
        while (depth > 0 && left[depth] == 0)
            depth--;
    }
    *len = off;
    return true;
}

/* One CBOR item at the start of p (n bytes); *used gets its length. NULL when unreadable. */
static cbor_item_t *cbor_first(const unsigned char *p, size_t n, size_t *used)
{
    struct cbor_load_result r;
    cbor_item_t *item;
    size_t len;

    if (n == 0 || !cbor_item_bounded(p, n, &len))
        return NULL;
    item = cbor_load(p, len, &r);
    if (item == NULL || r.error.code != CBOR_ERR_NONE || r.read == 0 || r.read > n) {
        if (item != NULL)
            cbor_decref(&item);
        return NULL;
    }
    *used = r.read;
    return item;
}

/* Parse authenticator data (WA3 §6.1): attested credential data when AT, extensions when
 * ED, nothing after them. */
static enum webauthn_status parse_auth_data(const unsigned char *p, size_t n, struct auth_data *d)
{
    size_t off = AUTH_DATA_MIN, used = 0;

    memset(d, 0, sizeof(*d));
    if (p == NULL || n < AUTH_DATA_MIN)
        return WEBAUTHN_MALFORMED;
    d->rp_id_hash = p;
    d->flags = p[32];
    d->sign_count = be32(p + 33);
    if (d->flags & FLAG_AT) {
        if (n - off < ATTESTED_MIN)
            return WEBAUTHN_MALFORMED;
        d->aaguid = p + off;
        d->cred_id_len = (size_t)p[off + 16] << 8 | p[off + 17];
        off += ATTESTED_MIN;
        if (d->cred_id_len == 0 || d->cred_id_len > CRED_ID_MAX || n - off < d->cred_id_len)
            return WEBAUTHN_MALFORMED;
        d->cred_id = p + off;
        off += d->cred_id_len;
        if ((d->cose = cbor_first(p + off, n - off, &used)) == NULL)
            return WEBAUTHN_MALFORMED;
        off += used;
    }
    if (d->flags & FLAG_ED) {
        cbor_item_t *ext = cbor_first(p + off, n - off, &used);
        bool map = ext != NULL && cbor_isa_map(ext);

        if (ext != NULL)
            cbor_decref(&ext);
        if (!map)
            return WEBAUTHN_MALFORMED;
        off += used;
    }
    /* An assertion's data may not be followed by anything either. */
    return off == n ? WEBAUTHN_OK : WEBAUTHN_MALFORMED;
}

static void auth_data_clear(struct auth_data *d)
{
    if (d->cose != NULL)
        cbor_decref(&d->cose);
}

/* rpIdHash, UP, UV when required, BS only with BE (WA3 §7.1 steps 14-18, §7.2 15-19). */
static enum webauthn_status check_flags(const struct webauthn_expect *e, const struct auth_data *d)
{
    unsigned char want[HASH_LEN];

    if (EVP_Digest(e->rp_id, strlen(e->rp_id), want, NULL, EVP_sha256(), NULL) != 1)
        return WEBAUTHN_INTERNAL;
    if (memcmp(want, d->rp_id_hash, HASH_LEN) != 0)
        return WEBAUTHN_BAD_RP_ID_HASH;
    if (!(d->flags & FLAG_UP))
        return WEBAUTHN_NO_USER_PRESENCE;
    if (e->require_uv && !(d->flags & FLAG_UV))
        return WEBAUTHN_NO_USER_VERIFIED;
    if ((d->flags & FLAG_BS) && !(d->flags & FLAG_BE))
        return WEBAUTHN_BAD_BACKUP_FLAGS;
    return WEBAUTHN_OK;
}

/* ---- CBOR helpers ---------------------------------------------------------------------------- */

/* The integer value of a CBOR uint or negint item into *v; false for anything else. */
static bool cbor_int_value(const cbor_item_t *item, int64_t *v)
{
    uint64_t u;

    if (cbor_isa_uint(item) || cbor_isa_negint(item)) {
        u = cbor_get_int(item);
        if (u > INT64_MAX)
            return false;
        *v = cbor_isa_uint(item) ? (int64_t)u : -1 - (int64_t)u;
        return true;
    }
    return false;
}

/* The value of map entry with integer key label, or NULL. */
static cbor_item_t *map_int(const cbor_item_t *map, int64_t label)
{
    struct cbor_pair *pairs = cbor_map_handle(map);
    int64_t k;

    for (size_t i = 0; i < cbor_map_size(map); i++)
        if (cbor_int_value(pairs[i].key, &k) && k == label)
            return pairs[i].value;
    return NULL;
}

/* The value of map entry with text key name, or NULL. */
static cbor_item_t *map_text(const cbor_item_t *map, const char *name)
{
    struct cbor_pair *pairs = cbor_map_handle(map);
    size_t n = strlen(name);

    for (size_t i = 0; i < cbor_map_size(map); i++)
        if (cbor_isa_string(pairs[i].key) && cbor_string_is_definite(pairs[i].key) &&
            cbor_string_length(pairs[i].key) == n &&
            memcmp(cbor_string_handle(pairs[i].key), name, n) == 0)
            return pairs[i].value;
    return NULL;
}

/* A definite byte string's bytes and length, or NULL. */
static const unsigned char *bytes_of(const cbor_item_t *item, size_t *len)
{
    if (item == NULL || !cbor_isa_bytestring(item) || !cbor_bytestring_is_definite(item))
        return NULL;
    *len = cbor_bytestring_length(item);
    return cbor_bytestring_handle(item);
}

/* ---- COSE keys ------------------------------------------------------------------------------- */

/* EVP_PKEY_fromdata of the type name with params built in bld. NULL on failure. */
static EVP_PKEY *pkey_from(const char *type, OSSL_PARAM_BLD *bld)
{
    OSSL_PARAM *params = OSSL_PARAM_BLD_to_param(bld);
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, type, NULL);
    EVP_PKEY *key = NULL;

    if (params == NULL || ctx == NULL || EVP_PKEY_fromdata_init(ctx) != 1 ||
        EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, params) != 1)
        key = NULL;
    EVP_PKEY_CTX_free(ctx);
    OSSL_PARAM_free(params);
    return key;
}

/* An EC2 P-256 key: 0x04 || x || y as the public point (RFC 9053 §7.1.1). */
static EVP_PKEY *cose_ec2(const cbor_item_t *map)
{
    const unsigned char *x, *y;
    unsigned char point[1 + 2 * P256_COORD];
    size_t xl = 0, yl = 0;
    int64_t crv;
    OSSL_PARAM_BLD *bld;
    EVP_PKEY *key = NULL;
    const cbor_item_t *c = map_int(map, COSE_CRV);

    if (c == NULL || !cbor_int_value(c, &crv) || crv != COSE_CRV_P256)
        return NULL;
    x = bytes_of(map_int(map, COSE_X), &xl);
    y = bytes_of(map_int(map, COSE_Y), &yl);
    if (x == NULL || y == NULL || xl != P256_COORD || yl != P256_COORD)
        return NULL;
    point[0] = 0x04;
    memcpy(point + 1, x, P256_COORD);
    memcpy(point + 1 + P256_COORD, y, P256_COORD);
    if ((bld = OSSL_PARAM_BLD_new()) != NULL &&
        OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) == 1 &&
        OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point, sizeof(point)) == 1)
        key = pkey_from("EC", bld);
    OSSL_PARAM_BLD_free(bld);
    return key;
}

/* An RSA key from n and e (RFC 8230 §4). */
static EVP_PKEY *cose_rsa(const cbor_item_t *map)
{
    const unsigned char *n, *e;
    size_t nl = 0, el = 0;
    BIGNUM *bn = NULL, *be = NULL;
    OSSL_PARAM_BLD *bld = NULL;
    EVP_PKEY *key = NULL;

    n = bytes_of(map_int(map, COSE_N), &nl);
    e = bytes_of(map_int(map, COSE_E), &el);
    if (n == NULL || e == NULL || nl == 0 || el == 0 || nl > 1024 || el > 8)
        return NULL;
    bn = BN_bin2bn(n, (int)nl, NULL);
    be = BN_bin2bn(e, (int)el, NULL);
    if (bn != NULL && be != NULL && (bld = OSSL_PARAM_BLD_new()) != NULL &&
        OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn) == 1 &&
        OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, be) == 1)
        key = pkey_from("RSA", bld);
    OSSL_PARAM_BLD_free(bld);
    BN_free(bn);
    BN_free(be);
    return key;
}

/* The public key of a COSE_Key map whose kty and alg are ES256's or RS256's; *alg its alg. */
static EVP_PKEY *cose_key(const cbor_item_t *map, int *alg)
{
    const cbor_item_t *kty_item = map != NULL && cbor_isa_map(map) ? map_int(map, COSE_KTY) : NULL;
    const cbor_item_t *alg_item = kty_item != NULL ? map_int(map, COSE_ALG) : NULL;
    int64_t kty, a;

    if (alg_item == NULL || !cbor_int_value(kty_item, &kty) || !cbor_int_value(alg_item, &a))
        return NULL;
    *alg = (int)a;
    if (kty == COSE_KTY_EC2 && a == WEBAUTHN_ES256)
        return cose_ec2(map);
    if (kty == COSE_KTY_RSA && a == WEBAUTHN_RS256)
        return cose_rsa(map);
    return NULL;
}

/* ---- Signatures ------------------------------------------------------------------------------ */

/* Whether key is of the type alg names. */
static bool key_fits(EVP_PKEY *key, int alg)
{
    int id = EVP_PKEY_get_base_id(key);

    return (alg == WEBAUTHN_ES256 && id == EVP_PKEY_EC) ||
           (alg == WEBAUTHN_RS256 && id == EVP_PKEY_RSA);
}

/* Verify sig over data || hash with key (ES256: DER ECDSA; RS256: PKCS#1 v1.5, OpenSSL's
 * default padding for RSA). 1 valid, 0 invalid, -1 internal. */
static int verify_sig(EVP_PKEY *key, int alg, const unsigned char *data, size_t data_len,
                      const unsigned char *hash, const unsigned char *sig, size_t sig_len)
{
    EVP_MD_CTX *md;
    int rc = -1;

    if (!key_fits(key, alg))
        return 0;
    if ((md = EVP_MD_CTX_new()) == NULL)
        return -1;
    if (EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, key) == 1 &&
        EVP_DigestVerifyUpdate(md, data, data_len) == 1 &&
        EVP_DigestVerifyUpdate(md, hash, HASH_LEN) == 1)
        rc = EVP_DigestVerifyFinal(md, sig, sig_len) == 1 ? 1 : 0;
    EVP_MD_CTX_free(md);
    return rc;
}

/* ---- Attestation ----------------------------------------------------------------------------- */

/* "packed" (WA3 §8.2): alg and sig, with x5c the leaf certificate's key signs, else the
 * credential key itself (self attestation, alg must be the credential's). */
static enum webauthn_status check_packed(const cbor_item_t *stmt, EVP_PKEY *cred_key, int cred_alg,
                                         const unsigned char *auth_data, size_t auth_data_len,
                                         const unsigned char *hash)
{
    const cbor_item_t *alg_item = map_text(stmt, "alg"), *x5c = map_text(stmt, "x5c");
    const unsigned char *sig, *der;
    size_t sig_len = 0, der_len = 0;
    int64_t alg;
    X509 *cert = NULL;
    EVP_PKEY *key = cred_key;
    int ok;

    sig = bytes_of(map_text(stmt, "sig"), &sig_len);
    if (alg_item == NULL || !cbor_int_value(alg_item, &alg) || sig == NULL ||
        (alg != WEBAUTHN_ES256 && alg != WEBAUTHN_RS256))
        return WEBAUTHN_BAD_ATTESTATION;
    if (x5c != NULL) {
        if (!cbor_isa_array(x5c) || cbor_array_size(x5c) == 0 ||
            (der = bytes_of(cbor_array_handle(x5c)[0], &der_len)) == NULL || der_len > LONG_MAX ||
            (cert = d2i_X509(NULL, &der, (long)der_len)) == NULL ||
            (key = X509_get0_pubkey(cert)) == NULL) {
            X509_free(cert);
            return WEBAUTHN_BAD_ATTESTATION;
        }
    } else if (alg != cred_alg) {
        return WEBAUTHN_BAD_ATTESTATION;
    }
    ok = verify_sig(key, (int)alg, auth_data, auth_data_len, hash, sig, sig_len);
    X509_free(cert);
    return ok == 1 ? WEBAUTHN_OK : ok == 0 ? WEBAUTHN_BAD_ATTESTATION : WEBAUTHN_INTERNAL;
}

/* The attestation statement of format fmt (WA3 §7.1 steps 21-24). */
static enum webauthn_status check_attestation(const cbor_item_t *fmt, const cbor_item_t *stmt,
                                              EVP_PKEY *key, int alg, const unsigned char *ad,
                                              size_t ad_len, const unsigned char *hash)
{
    size_t n;

    if (fmt == NULL || !cbor_isa_string(fmt) || !cbor_string_is_definite(fmt) || stmt == NULL ||
        !cbor_isa_map(stmt))
        return WEBAUTHN_MALFORMED;
    n = cbor_string_length(fmt);
    if (n == 4 && memcmp(cbor_string_handle(fmt), "none", 4) == 0)
        return cbor_map_size(stmt) == 0 ? WEBAUTHN_OK : WEBAUTHN_BAD_ATTESTATION;
    if (n == 6 && memcmp(cbor_string_handle(fmt), "packed", 6) == 0)
        return check_packed(stmt, key, alg, ad, ad_len, hash);
    return WEBAUTHN_UNSUPPORTED_FORMAT;
}

/* ---- The ceremonies -------------------------------------------------------------------------- */

/* The credential's fields from d and key into out. */
static enum webauthn_status fill_credential(const struct auth_data *d, EVP_PKEY *key, int alg,
                                            struct webauthn_credential *out)
{
    unsigned char *p;
    int len = i2d_PUBKEY(key, NULL);

    if (len <= 0 || (out->spki = malloc((size_t)len)) == NULL ||
        (out->id = malloc(d->cred_id_len)) == NULL)
        return WEBAUTHN_INTERNAL;
    p = out->spki;
    if (i2d_PUBKEY(key, &p) != len)
        return WEBAUTHN_INTERNAL;
    out->spki_len = (size_t)len;
    memcpy(out->id, d->cred_id, d->cred_id_len);
    out->id_len = d->cred_id_len;
    out->alg = alg;
    out->sign_count = d->sign_count;
    memcpy(out->aaguid, d->aaguid, sizeof(out->aaguid));
    out->backup_eligible = (d->flags & FLAG_BE) != 0;
    out->backed_up = (d->flags & FLAG_BS) != 0;
    out->user_verified = (d->flags & FLAG_UV) != 0;
    return WEBAUTHN_OK;
}

/* The attestation object's members, all present and of their types. */
static enum webauthn_status registration_body(const struct webauthn_expect *e,
                                              const unsigned char *raw_id, size_t raw_id_len,
                                              const cbor_item_t *att, const unsigned char *hash,
                                              struct webauthn_credential *out)
{
    const unsigned char *ad;
    size_t ad_len = 0;
    struct auth_data d;
    EVP_PKEY *key = NULL;
    int alg = 0;
    enum webauthn_status st;

    if (!cbor_isa_map(att) || (ad = bytes_of(map_text(att, "authData"), &ad_len)) == NULL)
        return WEBAUTHN_MALFORMED;
    if ((st = parse_auth_data(ad, ad_len, &d)) != WEBAUTHN_OK ||
        (st = check_flags(e, &d)) != WEBAUTHN_OK)
        goto out;
    if (d.cose == NULL) {
        st = WEBAUTHN_NO_CREDENTIAL_DATA;
        goto out;
    }
    if (raw_id == NULL || d.cred_id_len != raw_id_len ||
        memcmp(d.cred_id, raw_id, raw_id_len) != 0) {
        st = WEBAUTHN_CREDENTIAL_ID;
        goto out;
    }
    if ((key = cose_key(d.cose, &alg)) == NULL) {
        st = WEBAUTHN_UNSUPPORTED_KEY;
        goto out;
    }
    st = check_attestation(map_text(att, "fmt"), map_text(att, "attStmt"), key, alg, ad, ad_len,
                           hash);
    if (st == WEBAUTHN_OK)
        st = fill_credential(&d, key, alg, out);
out:
    EVP_PKEY_free(key);
    auth_data_clear(&d);
    return st;
}

enum webauthn_status webauthn_verify_registration(const struct webauthn_expect *e,
                                                  const unsigned char *raw_id, size_t raw_id_len,
                                                  const unsigned char *client_data,
                                                  size_t client_data_len,
                                                  const unsigned char *att_obj, size_t att_obj_len,
                                                  struct webauthn_credential *out)
{
    unsigned char hash[HASH_LEN];
    cbor_item_t *att = NULL;
    size_t used = 0;
    enum webauthn_status st;

    memset(out, 0, sizeof(*out));
    st = check_client_data(e, "webauthn.create", client_data, client_data_len, hash);
    if (st != WEBAUTHN_OK)
        return st;
    if (att_obj == NULL || (att = cbor_first(att_obj, att_obj_len, &used)) == NULL ||
        used != att_obj_len)
        st = WEBAUTHN_MALFORMED;
    else
        st = registration_body(e, raw_id, raw_id_len, att, hash, out);
    if (att != NULL)
        cbor_decref(&att);
    if (st != WEBAUTHN_OK)
        webauthn_credential_clear(out);
    return st;
}

enum webauthn_status
webauthn_verify_assertion(const struct webauthn_expect *e, const unsigned char *spki,
                          size_t spki_len, int alg, uint32_t stored_count,
                          const unsigned char *client_data, size_t client_data_len,
                          const unsigned char *auth_data, size_t auth_data_len,
                          const unsigned char *sig, size_t sig_len, uint32_t *new_count)
{
    unsigned char hash[HASH_LEN];
    const unsigned char *p = spki;
    struct auth_data d;
    EVP_PKEY *key = NULL;
    enum webauthn_status st;
    int ok;

    st = check_client_data(e, "webauthn.get", client_data, client_data_len, hash);
    if (st != WEBAUTHN_OK)
        return st;
    if ((st = parse_auth_data(auth_data, auth_data_len, &d)) != WEBAUTHN_OK ||
        (st = check_flags(e, &d)) != WEBAUTHN_OK)
        goto out;
    if (spki == NULL || spki_len > LONG_MAX ||
        (key = d2i_PUBKEY(NULL, &p, (long)spki_len)) == NULL) {
        st = WEBAUTHN_UNSUPPORTED_KEY;
        goto out;
    }
    ok = sig != NULL ? verify_sig(key, alg, auth_data, auth_data_len, hash, sig, sig_len) : 0;
    if (ok != 1)
        st = ok == 0 ? WEBAUTHN_BAD_SIGNATURE : WEBAUTHN_INTERNAL;
    else if (!webauthn_sign_count_ok(stored_count, d.sign_count))
        st = WEBAUTHN_REPLAYED_COUNTER;
    else
        *new_count = d.sign_count;
out:
    EVP_PKEY_free(key);
    auth_data_clear(&d);
    return st;
}
