/*
 * srp: Cognito's SRP-6a arithmetic with OpenSSL's BIGNUM. The verifier half (srp.h) and the
 * building blocks of the challenge half (srp_group.h) live here; both follow
 * amazon-cognito-identity-js's AuthenticationHelper, whose outputs tests/check_srp.c holds as
 * vectors (tests/vectors/srp_vectors.mjs). So do the cryptographic parts of the
 * PASSWORD_VERIFIER exchange that auth/auth_srp.c runs: its SECRET_BLOCK, the check of the
 * claim signature, the simulated users of PreventUserExistenceErrors and the TIMESTAMP parser,
 * so that auth/ needs no OpenSSL header of its own. No I/O, no logging of secrets.
 */
#include "config.h"

#include "crypto/srp.h"
#include "crypto/srp_group.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/params.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/secrets.h"
#include "util/ids.h"

#define SALT_BYTES 16
#define SALT_MAX_DIGITS 256     /* Cognito's salts are 16 bytes; leave room, refuse nonsense */
#define VERIFIER_MAX_DIGITS 800 /* 768 digits for a value below N, some leading zeros */
#define SECRET_BITS 256

static const char CALDERA[] = "Caldera Derived Key";

/* ---- The group, built once ---------------------------------------------------------------- */

static struct {
    BIGNUM *N, *g, *k;
    BN_MONT_CTX *mont; /* N's Montgomery context: read-only once built */
    int ok;
} group;

static pthread_once_t group_once = PTHREAD_ONCE_INIT;

static void group_init(void)
{
    BN_CTX *ctx = BN_CTX_new();

    /* RFC 3526 group 15 is RFC 5054 appendix A's 3072-bit group; tests compare it digit by digit
     * with the N that amazon-cognito-identity-js carries. */
    group.N = BN_get_rfc3526_prime_3072(NULL);
    group.g = BN_new();
    group.mont = BN_MONT_CTX_new();
    if (ctx == NULL || group.N == NULL || group.g == NULL || group.mont == NULL ||
        !BN_set_word(group.g, 2) || !BN_MONT_CTX_set(group.mont, group.N, ctx))
        goto out;
    group.k = srp_hash_pads(group.N, group.g);
    group.ok = group.k != NULL;
out:
    BN_CTX_free(ctx);
}

static int group_ready(void)
{
    return pthread_once(&group_once, group_init) == 0 && group.ok;
}

const BIGNUM *srp_group_N(void)
{
    return group_ready() ? group.N : NULL;
}

const BIGNUM *srp_group_g(void)
{
    return group_ready() ? group.g : NULL;
}

const BIGNUM *srp_group_k(void)
{
    return group_ready() ? group.k : NULL;
}

/* ---- PAD, H and hex ----------------------------------------------------------------------- */

unsigned char *srp_pad(const BIGNUM *x, size_t *len)
{
    int n = BN_num_bytes(x);
    /* One extra byte for the sign byte, and PAD(0) is one zero byte. */
    unsigned char *buf = malloc((size_t)n + 1);

    if (buf == NULL)
        return NULL;
    buf[0] = 0;
    BN_bn2bin(x, buf + 1);
    if (n > 0 && !(buf[1] & 0x80)) {
        memmove(buf, buf + 1, (size_t)n);
        *len = (size_t)n;
    } else {
        *len = (size_t)n + 1;
    }
    return buf;
}

BIGNUM *srp_hash_pads(const BIGNUM *a, const BIGNUM *b)
{
    unsigned char *pa = NULL, *pb = NULL, md[SRP_HASH_LEN];
    size_t la, lb;
    EVP_MD_CTX *h = EVP_MD_CTX_new();
    BIGNUM *r = NULL;

    pa = srp_pad(a, &la);
    pb = srp_pad(b, &lb);
    if (h == NULL || pa == NULL || pb == NULL)
        goto out;
    if (EVP_DigestInit_ex(h, EVP_sha256(), NULL) && EVP_DigestUpdate(h, pa, la) &&
        EVP_DigestUpdate(h, pb, lb) && EVP_DigestFinal_ex(h, md, NULL))
        r = BN_bin2bn(md, SRP_HASH_LEN, NULL);
out:
    EVP_MD_CTX_free(h);
    free(pa);
    free(pb);
    return r;
}

BIGNUM *srp_compute_x(const char *pool_name, const char *user_id, const char *password,
                      const BIGNUM *salt)
{
    unsigned char inner[SRP_HASH_LEN], md[SRP_HASH_LEN], *ps = NULL;
    size_t ls;
    EVP_MD_CTX *h = EVP_MD_CTX_new();
    BIGNUM *x = NULL;

    ps = srp_pad(salt, &ls);
    if (h == NULL || ps == NULL)
        goto out;
    if (!EVP_DigestInit_ex(h, EVP_sha256(), NULL) ||
        !EVP_DigestUpdate(h, pool_name, strlen(pool_name)) ||
        !EVP_DigestUpdate(h, user_id, strlen(user_id)) || !EVP_DigestUpdate(h, ":", 1) ||
        !EVP_DigestUpdate(h, password, strlen(password)) || !EVP_DigestFinal_ex(h, inner, NULL))
        goto out;
    if (!EVP_DigestInit_ex(h, EVP_sha256(), NULL) || !EVP_DigestUpdate(h, ps, ls) ||
        !EVP_DigestUpdate(h, inner, sizeof(inner)) || !EVP_DigestFinal_ex(h, md, NULL))
        goto out;
    x = BN_secure_new();
    if (x != NULL && BN_bin2bn(md, SRP_HASH_LEN, x) == NULL) {
        BN_clear_free(x);
        x = NULL;
    }
out:
    OPENSSL_cleanse(inner, sizeof(inner));
    OPENSSL_cleanse(md, sizeof(md));
    EVP_MD_CTX_free(h);
    free(ps);
    return x;
}

BIGNUM *srp_bn_from_hex(const char *hex, size_t max_digits)
{
    BIGNUM *r = NULL;
    size_t n;

    if (hex == NULL)
        return NULL;
    n = strspn(hex, "0123456789abcdefABCDEF");
    /* BN_hex2bn would accept a sign and stop at the first non-digit; we refuse both. */
    if (n == 0 || hex[n] != '\0' || n > max_digits)
        return NULL;
    if (BN_hex2bn(&r, hex) != (int)n) {
        BN_free(r);
        return NULL;
    }
    return r;
}

char *srp_bn_to_hex(const BIGNUM *x)
{
    static const char digits[] = "0123456789abcdef";
    int n = BN_num_bytes(x);
    unsigned char *bin = malloc(n > 0 ? (size_t)n : 1);
    char *hex = malloc(2 * (size_t)n + 2);
    size_t o = 0;

    if (bin == NULL || hex == NULL) {
        free(bin);
        free(hex);
        return NULL;
    }
    BN_bn2bin(x, bin);
    for (int i = 0; i < n; i++) {
        /* Java's toString(16): no leading zero nibble. */
        if (o > 0 || (bin[i] >> 4) != 0)
            hex[o++] = digits[bin[i] >> 4];
        hex[o++] = digits[bin[i] & 0x0f];
    }
    if (o == 0)
        hex[o++] = '0';
    hex[o] = '\0';
    free(bin);
    return hex;
}

/* ---- Exponentiation ----------------------------------------------------------------------- */

/* base^e mod N into a new BIGNUM; constant time in e when secret_exp. */
static BIGNUM *mod_exp(const BIGNUM *base, const BIGNUM *e, int secret_exp, BN_CTX *ctx)
{
    BIGNUM *r = secret_exp ? BN_secure_new() : BN_new();
    int ok;

    if (r == NULL)
        return NULL;
    if (secret_exp)
        ok = BN_mod_exp_mont_consttime(r, base, e, group.N, ctx, group.mont);
    else
        ok = BN_mod_exp_mont(r, base, e, group.N, ctx, group.mont);
    if (!ok) {
        BN_clear_free(r);
        return NULL;
    }
    return r;
}

BIGNUM *srp_compute_verifier(const BIGNUM *x)
{
    BN_CTX *ctx;
    BIGNUM *v;

    if (!group_ready() || (ctx = BN_CTX_secure_new()) == NULL)
        return NULL;
    v = mod_exp(group.g, x, 1, ctx);
    BN_CTX_free(ctx);
    return v;
}

BIGNUM *srp_random_secret(void)
{
    BIGNUM *b = BN_secure_new();

    if (b == NULL)
        return NULL;
    do {
        if (!BN_priv_rand_ex(b, SECRET_BITS, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY, 0, NULL)) {
            BN_clear_free(b);
            return NULL;
        }
    } while (BN_is_zero(b));
    return b;
}

BIGNUM *srp_compute_B(const BIGNUM *v, const BIGNUM *b)
{
    BN_CTX *ctx;
    BIGNUM *gb = NULL, *kv = NULL, *B = NULL;

    if (!group_ready() || (ctx = BN_CTX_secure_new()) == NULL)
        return NULL;
    gb = mod_exp(group.g, b, 1, ctx);
    kv = BN_new();
    B = BN_new();
    if (gb == NULL || kv == NULL || B == NULL || !BN_mod_mul(kv, group.k, v, group.N, ctx) ||
        !BN_mod_add(B, kv, gb, group.N, ctx)) {
        BN_free(B);
        B = NULL;
    }
    BN_clear_free(gb);
    BN_free(kv);
    BN_CTX_free(ctx);
    return B;
}

BIGNUM *srp_compute_S(const BIGNUM *A, const BIGNUM *v, const BIGNUM *u, const BIGNUM *b)
{
    BN_CTX *ctx;
    BIGNUM *vu = NULL, *avu = NULL, *S = NULL;

    if (!group_ready() || (ctx = BN_CTX_secure_new()) == NULL)
        return NULL;
    vu = mod_exp(v, u, 0, ctx); /* u is public */
    avu = BN_secure_new();
    if (vu != NULL && avu != NULL && BN_mod_mul(avu, A, vu, group.N, ctx))
        S = mod_exp(avu, b, 1, ctx);
    BN_clear_free(vu);
    BN_clear_free(avu);
    BN_CTX_free(ctx);
    return S;
}

int srp_hkdf_key(const BIGNUM *S, const BIGNUM *u, unsigned char key[SRP_KEY_LEN])
{
    unsigned char *ikm = NULL, *salt = NULL, prk[SRP_HASH_LEN], okm[SRP_HASH_LEN];
    unsigned char info[sizeof(CALDERA)];
    size_t likm, lsalt;
    int rc = -1;

    ikm = srp_pad(S, &likm);
    salt = srp_pad(u, &lsalt);
    if (ikm == NULL || salt == NULL)
        goto out;
    /* HKDF (RFC 5869) for one block: PRK = HMAC(salt, IKM); T(1) = HMAC(PRK, info | 0x01). */
    memcpy(info, CALDERA, sizeof(CALDERA) - 1);
    info[sizeof(CALDERA) - 1] = 0x01;
    if (HMAC(EVP_sha256(), salt, (int)lsalt, ikm, likm, prk, NULL) == NULL ||
        HMAC(EVP_sha256(), prk, SRP_HASH_LEN, info, sizeof(info), okm, NULL) == NULL)
        goto out;
    memcpy(key, okm, SRP_KEY_LEN);
    rc = 0;
out:
    OPENSSL_cleanse(prk, sizeof(prk));
    OPENSSL_cleanse(okm, sizeof(okm));
    if (ikm != NULL)
        OPENSSL_cleanse(ikm, likm); /* PAD(S): the premaster secret */
    free(ikm);
    free(salt);
    return rc;
}

int srp_public_ok(const BIGNUM *A)
{
    BN_CTX *ctx = NULL;
    BIGNUM *amod = NULL;
    int rc = -1;

    if (group_ready() && (ctx = BN_CTX_new()) != NULL && (amod = BN_new()) != NULL &&
        BN_nnmod(amod, A, group.N, ctx))
        rc = !BN_is_zero(amod);
    BN_free(amod);
    BN_CTX_free(ctx);
    return rc;
}

int srp_server_key(const BIGNUM *A, const BIGNUM *B, const BIGNUM *v, const BIGNUM *b,
                   unsigned char key[SRP_KEY_LEN])
{
    BIGNUM *u = NULL, *S = NULL;
    int rc = -1, ok;

    /* SRP-6a's safeguards, as the client applies them to B (RFC 5054 2.5.4). */
    if ((ok = srp_public_ok(A)) < 0)
        goto out;
    if (ok == 0) {
        rc = SRP_ILLEGAL_PARAMETER;
        goto out;
    }
    if ((u = srp_hash_pads(A, B)) == NULL)
        goto out;
    if (BN_is_zero(u)) {
        rc = SRP_ILLEGAL_PARAMETER;
        goto out;
    }
    if ((S = srp_compute_S(A, v, u, b)) == NULL)
        goto out;
    rc = srp_hkdf_key(S, u, key);
out:
    BN_free(u);
    BN_clear_free(S);
    return rc;
}

int srp_claim_signature(const unsigned char key[SRP_KEY_LEN], const char *pool_name,
                        const char *user_id, const unsigned char *secret_block,
                        size_t secret_block_len, const char *timestamp,
                        char out[SRP_SIGNATURE_B64_LEN + 1])
{
    EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    EVP_MAC_CTX *m = mac != NULL ? EVP_MAC_CTX_new(mac) : NULL;
    OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string("digest", (char *)"SHA256", 0),
                           OSSL_PARAM_construct_end()};
    unsigned char md[SRP_HASH_LEN];
    size_t mdlen = 0;
    int rc = -1;

    if (m == NULL || !EVP_MAC_init(m, key, SRP_KEY_LEN, params) ||
        !EVP_MAC_update(m, (const unsigned char *)pool_name, strlen(pool_name)) ||
        !EVP_MAC_update(m, (const unsigned char *)user_id, strlen(user_id)) ||
        !EVP_MAC_update(m, secret_block, secret_block_len) ||
        !EVP_MAC_update(m, (const unsigned char *)timestamp, strlen(timestamp)) ||
        !EVP_MAC_final(m, md, &mdlen, sizeof(md)) || mdlen != SRP_HASH_LEN)
        goto out;
    EVP_EncodeBlock((unsigned char *)out, md, SRP_HASH_LEN);
    rc = 0;
out:
    EVP_MAC_CTX_free(m);
    EVP_MAC_free(mac);
    return rc;
}

/* ---- srp.h -------------------------------------------------------------------------------- */

/* v for (pool, user, password, salt), or NULL when out of memory. */
static BIGNUM *verifier_for(const char *pool_name, const char *user_id, const char *password,
                            const BIGNUM *salt)
{
    BIGNUM *x = srp_compute_x(pool_name, user_id, password, salt);
    BIGNUM *v = x != NULL ? srp_compute_verifier(x) : NULL;

    BN_clear_free(x);
    return v;
}

int srp_make_verifier(const char *pool_name, const char *user_id, const char *password,
                      char **salt_hex, char **verifier_hex)
{
    unsigned char raw[SALT_BYTES];
    BIGNUM *salt = NULL, *v = NULL;
    int rc = -1;

    *salt_hex = NULL;
    *verifier_hex = NULL;
    if (pool_name == NULL || user_id == NULL || password == NULL)
        return -1;
    if (RAND_bytes(raw, sizeof(raw)) != 1 || (salt = BN_bin2bn(raw, sizeof(raw), NULL)) == NULL)
        goto out;
    if ((v = verifier_for(pool_name, user_id, password, salt)) == NULL)
        goto out;
    /* Stored as BigInteger hex, which is also what SALT carries to clients. */
    *salt_hex = srp_bn_to_hex(salt);
    *verifier_hex = srp_bn_to_hex(v);
    if (*salt_hex == NULL || *verifier_hex == NULL) {
        free(*salt_hex);
        free(*verifier_hex);
        *salt_hex = NULL;
        *verifier_hex = NULL;
        goto out;
    }
    rc = 0;
out:
    BN_free(salt);
    BN_free(v);
    return rc;
}

int srp_device_value(const char *b64, bool verifier, char **hex)
{
    size_t len = 0;
    unsigned char *bytes = b64 != NULL ? secrets_base64_decode(b64, &len) : NULL;
    BIGNUM *x = bytes != NULL && len > 0 ? BN_bin2bn(bytes, (int)len, NULL) : NULL;
    const BIGNUM *N = srp_group_N();
    int rc = 1;

    *hex = NULL;
    if (x == NULL || N == NULL)
        rc = bytes == NULL || len == 0 ? 1 : -1;
    else if (verifier ? BN_is_zero(x) || BN_cmp(x, N) >= 0 : len > SRP_DEVICE_SALT_MAX)
        rc = 1;
    else
        rc = (*hex = srp_bn_to_hex(x)) != NULL ? 0 : -1;
    free(bytes);
    BN_free(x);
    return rc;
}

/*
 * A memo of passwords already proven: recomputing v = g^x mod N (a constant-time 3072-bit
 * exponentiation) is about half of a password sign-in's CPU. Once a password matched a stored
 * verifier, the digest of (verifier, x) is remembered; the next sign-in with the same password
 * computes x (two SHA-256) and finds it. Only matches are remembered, and x and the verifier
 * both change with the password, so an entry can never vouch for another password. Memory only,
 * fixed size (direct-mapped: a collision just evicts), one mutex held for a 32-byte copy.
 */
#define MEMO_SLOTS 8192

static struct {
    unsigned char digest[SHA256_DIGEST_LENGTH];
    int used;
} memo[MEMO_SLOTS];
static pthread_mutex_t memo_lock = PTHREAD_MUTEX_INITIALIZER;

/* SHA-256 of the stored verifier text and x; 0, or -1 when OpenSSL fails. */
static int memo_digest(const char *verifier_hex, const BIGNUM *x, unsigned char *out)
{
    unsigned char xbytes[SHA256_DIGEST_LENGTH];
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    int ok = md != NULL && BN_bn2binpad(x, xbytes, sizeof(xbytes)) == (int)sizeof(xbytes) &&
             EVP_DigestInit_ex(md, EVP_sha256(), NULL) == 1 &&
             EVP_DigestUpdate(md, verifier_hex, strlen(verifier_hex) + 1) == 1 &&
             EVP_DigestUpdate(md, xbytes, sizeof(xbytes)) == 1 &&
             EVP_DigestFinal_ex(md, out, NULL) == 1;

    EVP_MD_CTX_free(md);
    OPENSSL_cleanse(xbytes, sizeof(xbytes));
    return ok ? 0 : -1;
}

static size_t memo_slot(const unsigned char *digest)
{
    return (((size_t)digest[0] << 8) | digest[1]) % MEMO_SLOTS;
}

static int memo_has(const unsigned char *digest)
{
    size_t i = memo_slot(digest);
    int hit;

    pthread_mutex_lock(&memo_lock);
    hit = memo[i].used && CRYPTO_memcmp(memo[i].digest, digest, SHA256_DIGEST_LENGTH) == 0;
    pthread_mutex_unlock(&memo_lock);
    return hit;
}

static void memo_put(const unsigned char *digest)
{
    size_t i = memo_slot(digest);

    pthread_mutex_lock(&memo_lock);
    memcpy(memo[i].digest, digest, SHA256_DIGEST_LENGTH);
    memo[i].used = 1;
    pthread_mutex_unlock(&memo_lock);
}

int srp_check_password(const char *pool_name, const char *user_id, const char *password,
                       const char *salt_hex, const char *verifier_hex)
{
    BIGNUM *salt = NULL, *stored = NULL, *x = NULL, *v = NULL;
    unsigned char want[SRP_N_BYTES], got[SRP_N_BYTES], digest[SHA256_DIGEST_LENGTH];
    int rc = -1, have_digest;

    if (pool_name == NULL || user_id == NULL || password == NULL)
        return -1;
    salt = srp_bn_from_hex(salt_hex, SALT_MAX_DIGITS);
    stored = srp_bn_from_hex(verifier_hex, VERIFIER_MAX_DIGITS);
    if (salt == NULL || stored == NULL || !group_ready() || BN_cmp(stored, group.N) >= 0)
        goto out;
    if ((x = srp_compute_x(pool_name, user_id, password, salt)) == NULL)
        goto out;
    have_digest = memo_digest(verifier_hex, x, digest) == 0;
    if (have_digest && memo_has(digest)) {
        rc = 1;
        goto out;
    }
    if ((v = srp_compute_verifier(x)) == NULL)
        goto out;
    /* Fixed-width encodings, so the comparison's time depends on neither value. */
    if (BN_bn2binpad(stored, want, sizeof(want)) < 0 || BN_bn2binpad(v, got, sizeof(got)) < 0)
        goto out;
    rc = CRYPTO_memcmp(want, got, sizeof(want)) == 0;
    if (rc == 1 && have_digest)
        memo_put(digest);
out:
    BN_free(salt);
    BN_free(stored);
    BN_clear_free(x);
    BN_clear_free(v);
    return rc;
}

const char *srp_pool_name(const char *user_pool_id)
{
    const char *u = user_pool_id != NULL ? strchr(user_pool_id, '_') : NULL;

    /* Clients take split('_')[1]; Cognito's pool ids have exactly one '_'. */
    return u != NULL ? u + 1 : "";
}

/* ---- The PASSWORD_VERIFIER exchange -------------------------------------------------------- */

int srp_secret_block_new(char out[SRP_SECRET_BLOCK_B64 + 1])
{
    unsigned char raw[SRP_SECRET_BLOCK_BYTES];

    if (RAND_bytes(raw, sizeof(raw)) != 1)
        return -1;
    EVP_EncodeBlock((unsigned char *)out, raw, sizeof(raw));
    return 0;
}

int srp_claim_ok(const BIGNUM *A, const BIGNUM *B, const BIGNUM *v, const BIGNUM *b,
                 const char *pool_name, const char *user_id, const char *secret_block,
                 const char *timestamp, const char *signature)
{
    unsigned char key[SRP_KEY_LEN], raw[SRP_SECRET_BLOCK_BYTES + 3];
    char expected[SRP_SIGNATURE_B64_LEN + 1];
    size_t len = strlen(secret_block);
    int n, rc = -1;

    if (len != SRP_SECRET_BLOCK_B64)
        return -1;
    n = srp_server_key(A, B, v, b, key);
    if (n == SRP_ILLEGAL_PARAMETER) {
        rc = 0;
        goto out;
    }
    if (n != 0 || EVP_DecodeBlock(raw, (const unsigned char *)secret_block, (int)len) < 0 ||
        srp_claim_signature(key, pool_name, user_id, raw, SRP_SECRET_BLOCK_BYTES, timestamp,
                            expected) != 0)
        goto out;
    rc = secrets_equal(expected, signature);
out:
    OPENSSL_cleanse(key, sizeof(key));
    return rc;
}

void srp_free_secret(char *text)
{
    if (text != NULL)
        OPENSSL_cleanse(text, strlen(text));
    free(text);
}

/* ---- Simulated users (PreventUserExistenceErrors) ------------------------------------------ */

/* The per-process key of made-up salts and user ids: random, drawn once. */
static struct {
    unsigned char key[32];
    bool ok;
} fake;
static pthread_once_t fake_once = PTHREAD_ONCE_INIT;

static void fake_init(void)
{
    fake.ok = RAND_bytes(fake.key, sizeof(fake.key)) == 1;
}

/* HMAC-SHA256 with the per-process key over pool id, label and name (NUL-separated) into md:
 * the same for the same inputs for as long as the process runs. 0, or -1. */
static int fake_digest(const char *pool_id, const char *label, const char *name,
                       unsigned char md[SRP_HASH_LEN])
{
    size_t lp = strlen(pool_id), ll = strlen(label), ln = strlen(name);
    unsigned char *msg = malloc(lp + ll + ln + 2);
    int rc = -1;

    if (msg != NULL && pthread_once(&fake_once, fake_init) == 0 && fake.ok) {
        memcpy(msg, pool_id, lp + 1);
        memcpy(msg + lp + 1, label, ll + 1);
        memcpy(msg + lp + ll + 2, name, ln);
        if (HMAC(EVP_sha256(), fake.key, sizeof(fake.key), msg, lp + ll + 2 + ln, md, NULL) != NULL)
            rc = 0;
    }
    free(msg);
    return rc;
}

char *srp_fake_user_id(const char *pool_id, const char *name)
{
    char *id = malloc(IDS_UUID_LEN + 1);
    unsigned char b[SRP_HASH_LEN];

    if (id != NULL && fake_digest(pool_id, "user", name, b) == 0) {
        ids_uuid_from_bytes(b, id);
        return id;
    }
    free(id);
    return NULL;
}

char *srp_fake_salt(const char *pool_id, const char *user_id)
{
    unsigned char md[SRP_HASH_LEN];
    BIGNUM *salt = NULL;
    char *hex = NULL;

    if (fake_digest(pool_id, "salt", user_id, md) == 0 &&
        (salt = BN_bin2bn(md, SALT_BYTES, NULL)) != NULL)
        hex = srp_bn_to_hex(salt);
    BN_free(salt);
    return hex;
}

BIGNUM *srp_fake_verifier(void)
{
    const BIGNUM *N = srp_group_N();
    BIGNUM *v = N != NULL ? BN_new() : NULL;

    if (v != NULL && !BN_rand_range(v, N)) {
        BN_free(v);
        v = NULL;
    }
    return v;
}

/* ---- TIMESTAMP ------------------------------------------------------------------------------ */

/* 0..n-1 for the 3-letter name at s in names (n of them, concatenated), or -1. */
static int name_index(const char *s, const char *names, int n)
{
    for (int i = 0; i < n; i++)
        if (strncmp(s, names + 3 * i, 3) == 0)
            return i;
    return -1;
}

/* Read exactly n digits at *p into *out and advance. */
static bool read_digits(const char **p, int n, int *out)
{
    int v = 0;

    for (int i = 0; i < n; i++) {
        if ((*p)[i] < '0' || (*p)[i] > '9')
            return false;
        v = v * 10 + ((*p)[i] - '0');
    }
    *p += n;
    *out = v;
    return true;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    int64_t era, yoe, doy, doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

bool srp_parse_timestamp(const char *t, int64_t *ms)
{
    static const char DAYS[] = "SunMonTueWedThuFriSat";
    static const char MONTHS[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    static const int MONTH_DAYS[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int wday, mon, day, hh, mm, ss, year, mdays;
    int64_t days;
    const char *p = t;

    if (t == NULL || strlen(t) < 26 || (wday = name_index(p, DAYS, 7)) < 0 || p[3] != ' ' ||
        (mon = name_index(p + 4, MONTHS, 12)) < 0 || p[7] != ' ')
        return false;
    p += 8;
    if (*p < '1' || *p > '9')
        return false;
    day = *p++ - '0';
    if (*p >= '0' && *p <= '9')
        day = day * 10 + (*p++ - '0');
    if (*p++ != ' ' || !read_digits(&p, 2, &hh) || *p++ != ':' || !read_digits(&p, 2, &mm) ||
        *p++ != ':' || !read_digits(&p, 2, &ss) || strncmp(p, " UTC ", 5) != 0)
        return false;
    p += 5;
    if (!read_digits(&p, 4, &year) || *p != '\0' || hh > 23 || mm > 59 || ss > 59)
        return false;
    mdays = MONTH_DAYS[mon];
    if (mon == 1 && ((year % 4 == 0 && year % 100 != 0) || year % 400 == 0))
        mdays = 29;
    if (day > mdays)
        return false;
    days = days_from_civil(year, mon + 1, day);
    /* 1970-01-01 was a Thursday (4). */
    if ((int)(((days % 7) + 7 + 4) % 7) != wday)
        return false;
    *ms = ((days * 24 + hh) * 60 + mm) * 60000LL + ss * 1000LL;
    return true;
}
