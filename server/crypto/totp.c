/*
 * totp: time-based one-time passwords (RFC 6238 over RFC 4226's HOTP) and their base32
 * secrets (RFC 4648), for the software-token MFA factor. See totp.h; which factor a sign-in
 * asks is userpool/mfa.c's business, not this file's.
 */
#include "config.h"

#include "crypto/totp.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/secrets.h"

#define TOTP_STEP_SECONDS 30
#define SECRET_BYTES 20

static const char BASE32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

int totp_generate(const unsigned char *key, size_t key_len, int64_t unix_seconds, char out[7])
{
    unsigned char msg[8], md[EVP_MAX_MD_SIZE];
    unsigned int md_len = 0;
    uint64_t counter = (uint64_t)(unix_seconds / TOTP_STEP_SECONDS);
    uint32_t bin;
    int offset;

    for (int i = 7; i >= 0; i--) {
        msg[i] = (unsigned char)(counter & 0xff);
        counter >>= 8;
    }
    if (HMAC(EVP_sha1(), key, (int)key_len, msg, sizeof(msg), md, &md_len) == NULL || md_len < 20)
        return -1;
    /* RFC 4226 section 5.3, dynamic truncation. */
    offset = md[md_len - 1] & 0x0f;
    bin = ((uint32_t)(md[offset] & 0x7f) << 24) | ((uint32_t)md[offset + 1] << 16) |
          ((uint32_t)md[offset + 2] << 8) | (uint32_t)md[offset + 3];
    snprintf(out, 7, "%06u", (unsigned)(bin % 1000000u));
    return 0;
}

char *totp_secret_new(void)
{
    unsigned char raw[SECRET_BYTES];
    char *out = malloc(TOTP_SECRET_LEN + 1);
    size_t o = 0;

    if (out == NULL || RAND_bytes(raw, sizeof(raw)) != 1) {
        free(out);
        return NULL;
    }
    /* 20 bytes are 160 bits: exactly 32 base32 digits, no padding. */
    for (size_t i = 0; i < sizeof(raw); i += 5) {
        uint64_t v = 0;
        for (size_t j = 0; j < 5; j++)
            v = (v << 8) | raw[i + j];
        for (int k = 7; k >= 0; k--)
            out[o++] = BASE32[(v >> (5 * k)) & 31];
    }
    out[o] = '\0';
    OPENSSL_cleanse(raw, sizeof(raw));
    return out;
}

/* Decode base32 text (upper or lower case, '=' padding ignored) into out (room for n bytes).
 * The number of bytes, or -1 for a character outside the alphabet or too long a text. */
static int base32_decode(const char *text, unsigned char *out, size_t n)
{
    uint32_t buffer = 0;
    int bits = 0;
    size_t o = 0;

    for (const char *p = text; *p != '\0' && *p != '='; p++) {
        char c = *p >= 'a' && *p <= 'z' ? (char)(*p - 'a' + 'A') : *p;
        const char *at = strchr(BASE32, c);
        if (c == '\0' || at == NULL)
            return -1;
        buffer = (buffer << 5) | (uint32_t)(at - BASE32);
        bits += 5;
        if (bits >= 8) {
            if (o == n)
                return -1;
            out[o++] = (unsigned char)((buffer >> (bits - 8)) & 0xff);
            bits -= 8;
        }
    }
    return (int)o;
}

int64_t totp_verify_step(const char *secret, const char *code, int64_t now_ms)
{
    unsigned char key[64];
    char expected[7];
    int64_t step = -1, now_step = now_ms / 1000 / TOTP_STEP_SECONDS;
    int len;

    if (secret == NULL || code == NULL || strlen(code) != 6 ||
        (len = base32_decode(secret, key, sizeof(key))) <= 0)
        return -1;
    /* Every step is computed (no early exit); the latest that matches wins. */
    for (int64_t d = -1; d <= 1; d++)
        if (totp_generate(key, (size_t)len, (now_step + d) * TOTP_STEP_SECONDS, expected) == 0 &&
            secrets_equal(expected, code))
            step = now_step + d;
    OPENSSL_cleanse(key, sizeof(key));
    OPENSSL_cleanse(expected, sizeof(expected));
    return step;
}

bool totp_verify(const char *secret, const char *code, int64_t now_ms)
{
    return totp_verify_step(secret, code, now_ms) >= 0;
}
