/*
 * secrets: SECRET_HASH, numeric codes, opaque tokens, random base64, SHA-256 digests, wiping
 * and constant-time comparison, with OpenSSL (RAND_bytes, EVP_MAC HMAC, EVP_EncodeBlock,
 * EVP_Digest, OPENSSL_cleanse). See secrets.h. Nothing
 * here logs or keeps what it is given.
 */
#include "config.h"

#include "crypto/secrets.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SHA256_LEN 32
#define CODE_RANGE 1000000u /* six digits, 000000-999999 */

char *secrets_secret_hash(const char *client_secret, const char *username, const char *client_id)
{
    EVP_MAC *mac = NULL;
    EVP_MAC_CTX *m = NULL;
    OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string("digest", (char *)"SHA256", 0),
                           OSSL_PARAM_construct_end()};
    unsigned char md[SHA256_LEN];
    /* A zero-length key is legal HMAC; give OpenSSL a non-NULL pointer for it. */
    static const unsigned char empty_key[1];
    size_t mdlen = 0, klen;
    char *out = NULL;

    if (client_secret == NULL || username == NULL || client_id == NULL)
        return NULL;
    klen = strlen(client_secret);
    mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    m = mac != NULL ? EVP_MAC_CTX_new(mac) : NULL;
    if (m == NULL ||
        !EVP_MAC_init(m, klen > 0 ? (const unsigned char *)client_secret : empty_key, klen,
                      params) ||
        !EVP_MAC_update(m, (const unsigned char *)username, strlen(username)) ||
        !EVP_MAC_update(m, (const unsigned char *)client_id, strlen(client_id)) ||
        !EVP_MAC_final(m, md, &mdlen, sizeof(md)) || mdlen != SHA256_LEN)
        goto out;
    out = malloc(4 * ((SHA256_LEN + 2) / 3) + 1);
    if (out != NULL)
        EVP_EncodeBlock((unsigned char *)out, md, SHA256_LEN); /* standard, padded, NUL-ended */
out:
    EVP_MAC_CTX_free(m);
    EVP_MAC_free(mac);
    return out;
}

bool secrets_secret_hash_ok(const char *client_secret, const char *username, const char *client_id,
                            const char *provided)
{
    char *want;
    bool ok;

    if (provided == NULL)
        return false;
    want = secrets_secret_hash(client_secret, username, client_id);
    if (want == NULL)
        return false;
    ok = secrets_equal(want, provided);
    free(want);
    return ok;
}

/* The --fixed-code setting, "" for none. Written before the server serves, read after. */
static char fixed_code[7];

void secrets_set_fixed_code(const char *code)
{
    snprintf(fixed_code, sizeof(fixed_code), "%s", code != NULL ? code : "");
}

void secrets_code(char *out)
{
    if (fixed_code[0] != '\0') {
        memcpy(out, fixed_code, sizeof(fixed_code));
        return;
    }
    /* Draws at or above the largest multiple of 10^6 are redrawn, so every code, leading
     * zeros included, is equally likely. */
    const uint32_t limit = UINT32_MAX - (UINT32_MAX % CODE_RANGE);
    uint32_t r;

    do {
        /* RAND_bytes fails only when the CSPRNG cannot be seeded; no code is safe then. */
        if (RAND_bytes((unsigned char *)&r, sizeof(r)) != 1)
            abort();
    } while (r >= limit);
    snprintf(out, 7, "%06u", (unsigned)(r % CODE_RANGE));
}

char *secrets_token(size_t nbytes)
{
    static const char b64url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    unsigned char *raw;
    char *out;
    size_t o = 0;

    if (nbytes > (SIZE_MAX - 4) / 2 || nbytes > INT32_MAX)
        return NULL;
    raw = malloc(nbytes > 0 ? nbytes : 1);
    out = malloc((nbytes * 4 + 2) / 3 + 1);
    if (raw == NULL || out == NULL || (nbytes > 0 && RAND_bytes(raw, (int)nbytes) != 1)) {
        free(raw);
        free(out);
        return NULL;
    }
    /* RFC 4648 section 5, without padding (as JWTs and URLs want it). */
    for (size_t i = 0; i < nbytes; i += 3) {
        uint32_t v = (uint32_t)raw[i] << 16;
        size_t left = nbytes - i;

        if (left > 1)
            v |= (uint32_t)raw[i + 1] << 8;
        if (left > 2)
            v |= raw[i + 2];
        out[o++] = b64url[(v >> 18) & 63];
        out[o++] = b64url[(v >> 12) & 63];
        if (left > 1)
            out[o++] = b64url[(v >> 6) & 63];
        if (left > 2)
            out[o++] = b64url[v & 63];
    }
    out[o] = '\0';
    OPENSSL_cleanse(raw, nbytes);
    free(raw);
    return out;
}

char *secrets_base64(const void *data, size_t len)
{
    char *text;

    if (len > INT32_MAX / 2 || (text = malloc(4 * ((len + 2) / 3) + 1)) == NULL)
        return NULL;
    EVP_EncodeBlock((unsigned char *)text, data, (int)len); /* padded, NUL-ended */
    return text;
}

unsigned char *secrets_base64_decode(const char *text, size_t *len)
{
    size_t n = strlen(text), pad = 0;
    unsigned char *out;
    int got;

    *len = 0;
    if (n == 0 || n % 4 != 0 || n > INT32_MAX || (out = malloc(n / 4 * 3 + 1)) == NULL)
        return NULL;
    /* EVP_DecodeBlock counts the bytes of the padding too: take them off again. */
    while (pad < 2 && text[n - 1 - pad] == '=')
        pad++;
    if ((got = EVP_DecodeBlock(out, (const unsigned char *)text, (int)n)) < 0 ||
        (size_t)got < pad) {
        free(out);
        return NULL;
    }
    *len = (size_t)got - pad;
    return out;
}

char *secrets_random_base64(size_t nbytes)
{
    unsigned char *raw;
    char *text = NULL;

    if (nbytes == 0 || nbytes > INT32_MAX / 2 || (raw = malloc(nbytes)) == NULL)
        return NULL;
    if (RAND_bytes(raw, (int)nbytes) == 1)
        text = secrets_base64(raw, nbytes);
    OPENSSL_cleanse(raw, nbytes);
    free(raw);
    return text;
}

void secrets_wipe(void *p, size_t n)
{
    if (p != NULL)
        OPENSSL_cleanse(p, n);
}

void secrets_sha256_hex(const char *text, char *out)
{
    static const char digits[] = "0123456789abcdef";
    unsigned char md[SHA256_LEN];

    if (text == NULL)
        text = "";
    /* EVP_Digest of SHA-256 fails only when the provider cannot be loaded at all. */
    if (!EVP_Digest(text, strlen(text), md, NULL, EVP_sha256(), NULL))
        abort();
    for (int i = 0; i < SHA256_LEN; i++) {
        out[2 * i] = digits[md[i] >> 4];
        out[2 * i + 1] = digits[md[i] & 0x0f];
    }
    out[2 * SHA256_LEN] = '\0';
}

bool secrets_equal(const char *a, const char *b)
{
    size_t la, lb;

    if (a == NULL || b == NULL)
        return false;
    la = strlen(a);
    lb = strlen(b);
    /* Lengths leak (strlen); contents never do: equal lengths compare every byte. */
    if (la != lb) {
        (void)CRYPTO_memcmp(a, a, la);
        return false;
    }
    return CRYPTO_memcmp(a, b, la) == 0;
}
