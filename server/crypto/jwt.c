/*
 * jwt: compact JWS with RS256, and base64url. See jwt.h.
 *
 * Everything a token carries is untrusted input: verification splits and decodes it with
 * explicit lengths, caps its size, and refuses anything but three base64url parts whose first
 * two are JSON objects, before a key is looked up or OpenSSL sees a byte of it. Claims are
 * not interpreted here (tokens.c checks exp, iss, token_use). Only the EVP interface of
 * OpenSSL is used; a key is used read-only, so one EVP_PKEY may sign on several threads.
 */
#include "config.h"

#include "crypto/jwt.h"

#include <openssl/err.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/*
 * Longest token jwt_verify_rs256() looks at. Cognito's tokens are a few KiB (more with many
 * groups); the HTTP body cap is 1 MiB, so nothing legitimate comes near this.
 */
#define JWT_MAX_TOKEN (1024 * 1024)

static const char B64URL[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

char *jwt_b64url_encode(const unsigned char *data, size_t len)
{
    static const size_t tail[3] = {0, 2, 3};
    size_t out_len, o = 0, i = 0;
    char *out;

    if (len > (SIZE_MAX - 8) / 4 * 3)
        return NULL;
    out_len = len / 3 * 4 + tail[len % 3];
    out = malloc(out_len + 1);
    if (out == NULL)
        return NULL;
    for (; i + 3 <= len; i += 3) {
        uint32_t v = (uint32_t)data[i] << 16 | (uint32_t)data[i + 1] << 8 | data[i + 2];
        out[o++] = B64URL[v >> 18 & 63];
        out[o++] = B64URL[v >> 12 & 63];
        out[o++] = B64URL[v >> 6 & 63];
        out[o++] = B64URL[v & 63];
    }
    if (len - i == 1) {
        uint32_t v = (uint32_t)data[i] << 16;
        out[o++] = B64URL[v >> 18 & 63];
        out[o++] = B64URL[v >> 12 & 63];
    } else if (len - i == 2) {
        uint32_t v = (uint32_t)data[i] << 16 | (uint32_t)data[i + 1] << 8;
        out[o++] = B64URL[v >> 18 & 63];
        out[o++] = B64URL[v >> 12 & 63];
        out[o++] = B64URL[v >> 6 & 63];
    }
    out[o] = '\0';
    return out;
}

/* The 6-bit value of base64url character c, or -1. */
static int b64url_value(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '-')
        return 62;
    if (c == '_')
        return 63;
    return -1;
}

/*
 * Tolerant of padding (present, partial or missing where the length needs it, never elsewhere);
 * strict about everything else: only the URL-safe alphabet, no whitespace, and the unused low
 * bits of the last character must be zero (RFC 4648 section 3.5), so that each byte string
 * has exactly one accepted encoding. The buffer has a NUL after its *len bytes.
 */
unsigned char *jwt_b64url_decode(const char *text, size_t text_len, size_t *len)
{
    unsigned char *out;
    uint32_t acc = 0;
    int bits = 0, pad = 0;
    size_t o = 0;

    if (len != NULL)
        *len = 0;
    if (text == NULL || len == NULL)
        return NULL;
    while (pad < 2 && text_len > 0 && text[text_len - 1] == '=') {
        text_len--;
        pad++;
    }
    /* Padding only where the length needs it, all of it or part of it: "Zg==", "Zg=", "Zg". */
    if (text_len % 4 == 1 || (pad > 0 && (text_len % 4 == 0 || (size_t)pad > 4 - text_len % 4)))
        return NULL;
    out = malloc(text_len / 4 * 3 + 3);
    if (out == NULL)
        return NULL;
    for (size_t i = 0; i < text_len; i++) {
        int v = b64url_value((unsigned char)text[i]);
        if (v < 0) {
            free(out);
            return NULL;
        }
        acc = (acc << 6 | (uint32_t)v) & 0xffffff;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (unsigned char)(acc >> bits);
        }
    }
    if (bits > 0 && (acc & ((1u << bits) - 1)) != 0) {
        free(out);
        return NULL;
    }
    out[o] = '\0';
    *len = o;
    return out;
}

/* Decode one base64url part and parse it as a JSON object; NULL for anything else. */
static cJSON *parse_part(const char *part, size_t part_len)
{
    const char *end = NULL;
    unsigned char *text;
    size_t len;
    cJSON *json;

    text = jwt_b64url_decode(part, part_len, &len);
    if (text == NULL)
        return NULL;
    /* A NUL inside would end the parse early and hide what follows it. */
    if (strlen((const char *)text) != len) {
        free(text);
        return NULL;
    }
    json = cJSON_ParseWithOpts((const char *)text, &end, 1);
    free(text);
    if (json != NULL && !cJSON_IsObject(json)) {
        cJSON_Delete(json);
        json = NULL;
    }
    return json;
}

char *jwt_hash_b64url(const char *text, size_t nbytes)
{
    unsigned char md[32];

    /* EVP_Digest of SHA-256 fails only when the provider cannot be loaded at all. */
    if (!EVP_Digest(text, strlen(text), md, NULL, EVP_sha256(), NULL))
        abort();
    return jwt_b64url_encode(md, nbytes < sizeof(md) ? nbytes : sizeof(md));
}

/* The three parts of a compact JWS: offsets of the two dots in token (of length len). */
struct parts {
    size_t dot1, dot2, len;
};

/* Split token into exactly three non-empty parts. 0, or -1 when it has another shape. */
static int split(const char *token, struct parts *p)
{
    const char *d1, *d2;

    if (token == NULL)
        return -1;
    p->len = strnlen(token, JWT_MAX_TOKEN + 1);
    if (p->len > JWT_MAX_TOKEN)
        return -1;
    d1 = memchr(token, '.', p->len);
    if (d1 == NULL)
        return -1;
    d2 = memchr(d1 + 1, '.', p->len - (size_t)(d1 + 1 - token));
    if (d2 == NULL || memchr(d2 + 1, '.', p->len - (size_t)(d2 + 1 - token)) != NULL)
        return -1;
    p->dot1 = (size_t)(d1 - token);
    p->dot2 = (size_t)(d2 - token);
    if (p->dot1 == 0 || p->dot2 == p->dot1 + 1 || p->dot2 + 1 == p->len)
        return -1;
    return 0;
}

char *jwt_sign_rs256(const cJSON *payload, const char *kid, EVP_PKEY *key)
{
    cJSON *header = NULL;
    char *header_json = NULL, *payload_json = NULL, *h64 = NULL, *p64 = NULL, *s64 = NULL;
    char *token = NULL;
    unsigned char *sig = NULL;
    char *grown;
    EVP_MD_CTX *md = NULL;
    size_t hlen, plen, slen, siglen = 0;

    if (payload == NULL || kid == NULL || key == NULL || !EVP_PKEY_is_a(key, "RSA"))
        return NULL;
    /* Cognito's header: kid first, then alg, and no typ. */
    header = cJSON_CreateObject();
    if (header == NULL || cJSON_AddStringToObject(header, "kid", kid) == NULL ||
        cJSON_AddStringToObject(header, "alg", "RS256") == NULL)
        goto out;
    header_json = cJSON_PrintUnformatted(header);
    payload_json = cJSON_PrintUnformatted(payload);
    if (header_json == NULL || payload_json == NULL)
        goto out;
    h64 = jwt_b64url_encode((const unsigned char *)header_json, strlen(header_json));
    p64 = jwt_b64url_encode((const unsigned char *)payload_json, strlen(payload_json));
    if (h64 == NULL || p64 == NULL)
        goto out;
    hlen = strlen(h64);
    plen = strlen(p64);

    /* The token is built in place: first the signing input "h64.p64", then ".sig". */
    token = malloc(hlen + 1 + plen + 1);
    if (token == NULL)
        goto out;
    memcpy(token, h64, hlen);
    token[hlen] = '.';
    memcpy(token + hlen + 1, p64, plen + 1);

    md = EVP_MD_CTX_new();
    if (md == NULL || EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, key) != 1 ||
        EVP_DigestSign(md, NULL, &siglen, (const unsigned char *)token, hlen + 1 + plen) != 1 ||
        (sig = malloc(siglen)) == NULL ||
        EVP_DigestSign(md, sig, &siglen, (const unsigned char *)token, hlen + 1 + plen) != 1)
        goto fail;
    s64 = jwt_b64url_encode(sig, siglen);
    if (s64 == NULL)
        goto fail;
    slen = strlen(s64);
    grown = realloc(token, hlen + 1 + plen + 1 + slen + 1);
    if (grown == NULL)
        goto fail;
    token = grown;
    token[hlen + 1 + plen] = '.';
    memcpy(token + hlen + 1 + plen + 1, s64, slen + 1);
    goto out;

fail:
    ERR_clear_error();
    free(token);
    token = NULL;
out:
    EVP_MD_CTX_free(md);
    free(sig);
    free(s64);
    free(p64);
    free(h64);
    free(payload_json);
    free(header_json);
    cJSON_Delete(header);
    return token;
}

/* Whether sig is key's RS256 signature of data. */
static bool rs256_valid(EVP_PKEY *key, const unsigned char *data, size_t len,
                        const unsigned char *sig, size_t siglen)
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    bool ok = md != NULL && EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, key) == 1 &&
              EVP_DigestVerify(md, sig, siglen, data, len) == 1;

    EVP_MD_CTX_free(md);
    ERR_clear_error(); /* a bad signature leaves an error on this thread's queue */
    return ok;
}

enum jwt_status jwt_verify_rs256(const char *token, jwt_key_lookup *lookup, void *arg,
                                 cJSON **payload)
{
    enum jwt_status status = JWT_MALFORMED;
    cJSON *header = NULL, *claims = NULL;
    const cJSON *alg, *kid;
    unsigned char *sig = NULL;
    EVP_PKEY *key = NULL;
    struct parts p;
    size_t siglen;

    if (payload != NULL)
        *payload = NULL;
    if (payload == NULL || lookup == NULL || split(token, &p) != 0)
        return JWT_MALFORMED;
    header = parse_part(token, p.dot1);
    claims = parse_part(token + p.dot1 + 1, p.dot2 - p.dot1 - 1);
    sig = jwt_b64url_decode(token + p.dot2 + 1, p.len - p.dot2 - 1, &siglen);
    if (header == NULL || claims == NULL || sig == NULL || siglen == 0)
        goto out;

    /* Only RS256: "none", HS256 (keyed with the public key) and the rest are refused. */
    alg = cJSON_GetObjectItemCaseSensitive(header, "alg");
    if (!cJSON_IsString(alg) || strcmp(alg->valuestring, "RS256") != 0) {
        status = JWT_BAD_ALGORITHM;
        goto out;
    }
    kid = cJSON_GetObjectItemCaseSensitive(header, "kid");
    status = JWT_UNKNOWN_KEY;
    if (!cJSON_IsString(kid) || kid->valuestring[0] == '\0')
        goto out;
    key = lookup(arg, kid->valuestring); /* borrowed: not freed here */
    /* An EC or other key would make EVP verify another algorithm than the header names. */
    if (key == NULL || !EVP_PKEY_is_a(key, "RSA"))
        goto out;
    status = rs256_valid(key, (const unsigned char *)token, p.dot2, sig, siglen)
                 ? JWT_OK
                 : JWT_BAD_SIGNATURE;
out:
    free(sig);
    cJSON_Delete(header);
    if (status == JWT_OK)
        *payload = claims;
    else
        cJSON_Delete(claims);
    return status;
}

cJSON *jwt_peek_payload(const char *token)
{
    struct parts p;

    if (split(token, &p) != 0)
        return NULL;
    return parse_part(token + p.dot1 + 1, p.dot2 - p.dot1 - 1);
}
