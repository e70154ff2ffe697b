/*
 * check_jwt: base64url against RFC 4648's vectors, RS256 signing in Cognito's header form,
 * and verification that accepts exactly the tokens it should: a changed payload, another key,
 * an unknown kid, a foreign algorithm or any malformed input is refused, never crashes.
 */
#include "config.h"

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/jwt.h"
#include "testutil.h"

/* Two RSA keys and an EC key, made once for the whole suite (before Check forks). */
static EVP_PKEY *key_a, *key_b, *key_ec;

static void keys_setup(void)
{
    key_a = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
    key_b = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
    key_ec = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    ck_assert(key_a && key_b && key_ec);
}

static void keys_teardown(void)
{
    EVP_PKEY_free(key_a);
    EVP_PKEY_free(key_b);
    EVP_PKEY_free(key_ec);
}

/* A lookup: the key for kid "a" or "b" (or "ec"), counting calls in *arg when not NULL. */
static EVP_PKEY *lookup(void *arg, const char *kid)
{
    EVP_PKEY *key = NULL;

    if (arg != NULL)
        ++*(int *)arg;
    if (strcmp(kid, "a") == 0)
        key = key_a;
    else if (strcmp(kid, "b") == 0)
        key = key_b;
    else if (strcmp(kid, "ec") == 0)
        key = key_ec;
    return key; /* borrowed: jwt_verify_rs256 does not free it */
}

/* A lookup that answers key_b whatever the kid. */
static EVP_PKEY *lookup_b(void *arg, const char *kid)
{
    return key_b;
}

static cJSON *sample_claims(void)
{
    cJSON *c = cJSON_Parse("{\"sub\":\"4f6a1e2c-0000-4000-8000-000000000001\","
                           "\"token_use\":\"access\",\"scope\":\"aws.cognito.signin.user.admin\","
                           "\"exp\":1700003600,\"iat\":1700000000,\"username\":\"j\\u00f6rg\"}");
    ck_assert_ptr_nonnull(c);
    return c;
}

/* The token of sample_claims() signed with key under kid (free()). */
static char *sample_token(const char *kid, EVP_PKEY *key)
{
    cJSON *claims = sample_claims();
    char *token = jwt_sign_rs256(claims, kid, key);

    cJSON_Delete(claims);
    ck_assert_ptr_nonnull(token);
    return token;
}

/* base64url of a string, for building tokens by hand (free()). */
static char *b64(const char *text)
{
    char *out = jwt_b64url_encode((const unsigned char *)text, strlen(text));
    ck_assert_ptr_nonnull(out);
    return out;
}

/* "<b64 header>.<b64 payload>.<sig>" (free()). */
static char *make_token(const char *header, const char *payload, const char *sig)
{
    char *h = b64(header), *p = b64(payload);
    size_t n = strlen(h) + strlen(p) + strlen(sig) + 3;
    char *token = malloc(n);

    snprintf(token, n, "%s.%s.%s", h, p, sig);
    free(h);
    free(p);
    return token;
}

static enum jwt_status verify(const char *token, cJSON **claims)
{
    return jwt_verify_rs256(token, lookup, NULL, claims);
}

START_TEST(test_jwt_b64url_encodes_rfc4648_vectors)
{
    static const char *const vectors[][2] = {
        {"", ""},           {"f", "Zg"},          {"fo", "Zm8"},          {"foo", "Zm9v"},
        {"foob", "Zm9vYg"}, {"fooba", "Zm9vYmE"}, {"foobar", "Zm9vYmFy"},
    };

    for (size_t i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
        char *out = jwt_b64url_encode((const unsigned char *)vectors[i][0], strlen(vectors[i][0]));
        ck_assert_str_eq(out, vectors[i][1]);
        free(out);
    }
    /* The URL-safe alphabet: what standard base64 writes as "+/8=" is "-_8". */
    const unsigned char fb_ff[] = {0xfb, 0xff};
    char *out = jwt_b64url_encode(fb_ff, 2);
    ck_assert_str_eq(out, "-_8");
    free(out);
}
END_TEST

START_TEST(test_jwt_b64url_decodes_with_or_without_padding)
{
    static const char *const vectors[][2] = {
        {"", ""},
        {"Zg", "f"},
        {"Zg==", "f"},
        {"Zg=", "f"},
        {"Zm8", "fo"},
        {"Zm8=", "fo"},
        {"Zm9v", "foo"},
        {"Zm9vYg", "foob"},
        {"Zm9vYg==", "foob"},
        {"Zm9vYmE", "fooba"},
        {"Zm9vYmE=", "fooba"},
        {"Zm9vYmFy", "foobar"},
    };
    size_t len;

    for (size_t i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
        unsigned char *out = jwt_b64url_decode(vectors[i][0], strlen(vectors[i][0]), &len);
        ck_assert_msg(out != NULL, "%s did not decode", vectors[i][0]);
        ck_assert_uint_eq(len, strlen(vectors[i][1]));
        ck_assert_mem_eq(out, vectors[i][1], len);
        free(out);
    }
    unsigned char *out = jwt_b64url_decode("-_8", 3, &len);
    ck_assert_uint_eq(len, 2);
    ck_assert_uint_eq(out[0], 0xfb);
    ck_assert_uint_eq(out[1], 0xff);
    free(out);
    /* Only text_len bytes are read. */
    out = jwt_b64url_decode("Zm9vYmFy", 4, &len);
    ck_assert_uint_eq(len, 3);
    ck_assert_mem_eq(out, "foo", 3);
    free(out);
}
END_TEST

START_TEST(test_jwt_b64url_decode_rejects_invalid_text)
{
    static const char *const bad[] = {
        "Z",     /* one character cannot hold a byte */
        "Zm9vY", /* nor can five */
        "Zg===", /* three padding characters */
        "=",      "==",    "Zm9v=", "Zm9v==", "Zm8==",       "==Zg", "Zg=x", "Z g",
        "Zm9v\n", "Zm9v+", "Zm9v/", "ab*c",   "Zm9\xc3\xa9", "Zh", /* unused bits not zero: not the
                                                                      canonical encoding of "f" */
        "Zm9",                                                     /* likewise */
    };
    size_t len = 99;

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        unsigned char *out = jwt_b64url_decode(bad[i], strlen(bad[i]), &len);
        ck_assert_msg(out == NULL, "'%s' decoded", bad[i]);
        free(out);
    }
    /* A NUL inside the given length is not base64url. */
    ck_assert_ptr_null(jwt_b64url_decode("Zm\0v", 4, &len));
    ck_assert_ptr_null(jwt_b64url_decode(NULL, 0, &len));
}
END_TEST

START_TEST(test_jwt_b64url_round_trips_every_length)
{
    unsigned char data[300];
    size_t len;

    for (size_t i = 0; i < sizeof(data); i++)
        data[i] = (unsigned char)(i * 167 + 13);
    for (size_t n = 0; n <= sizeof(data); n++) {
        char *text = jwt_b64url_encode(data, n);
        ck_assert_uint_eq(strlen(text), (n * 4 + 2) / 3);
        ck_assert_ptr_null(strchr(text, '='));
        unsigned char *back = jwt_b64url_decode(text, strlen(text), &len);
        ck_assert_ptr_nonnull(back);
        ck_assert_uint_eq(len, n);
        ck_assert(n == 0 || memcmp(back, data, n) == 0);
        free(back);
        free(text);
    }
}
END_TEST

START_TEST(test_jwt_sign_writes_cognitos_header)
{
    char *token = sample_token("abcDEF+/123=", key_a);
    size_t len;
    char *dot = strchr(token, '.');
    unsigned char *header = jwt_b64url_decode(token, (size_t)(dot - token), &len);

    /* Exactly Cognito's form: kid first, then alg, no typ, no spaces. */
    ck_assert_str_eq((char *)header, "{\"kid\":\"abcDEF+/123=\",\"alg\":\"RS256\"}");
    ck_assert_ptr_null(strchr(token, '='));
    /* A 2048-bit signature is 256 bytes: 342 base64url characters. */
    ck_assert_uint_eq(strlen(strrchr(token, '.') + 1), 342);
    free(header);
    free(token);
}
END_TEST

START_TEST(test_jwt_sign_refuses_what_is_not_an_rsa_key)
{
    cJSON *claims = sample_claims();

    ck_assert_ptr_null(jwt_sign_rs256(claims, "ec", key_ec));
    ck_assert_ptr_null(jwt_sign_rs256(claims, "a", NULL));
    ck_assert_ptr_null(jwt_sign_rs256(claims, NULL, key_a));
    ck_assert_ptr_null(jwt_sign_rs256(NULL, "a", key_a));
    cJSON_Delete(claims);
}
END_TEST

START_TEST(test_jwt_round_trip_verifies_and_returns_the_claims)
{
    char *token = sample_token("a", key_a);
    cJSON *claims = NULL, *expected = sample_claims();
    int calls = 0;

    ck_assert_int_eq(jwt_verify_rs256(token, lookup, &calls, &claims), JWT_OK);
    ck_assert_int_eq(calls, 1);
    ck_assert(cJSON_Compare(claims, expected, 1));
    ck_assert_str_eq(tu_str(claims, "username"), "j\xc3\xb6rg");
    cJSON_Delete(claims);
    cJSON_Delete(expected);
    free(token);
}
END_TEST

START_TEST(test_jwt_changed_payload_fails_the_signature)
{
    char *token = sample_token("a", key_a);
    char *dot1 = strchr(token, '.'), *dot2 = strrchr(token, '.');
    size_t len;
    unsigned char *payload = jwt_b64url_decode(dot1 + 1, (size_t)(dot2 - dot1 - 1), &len);
    cJSON *claims = NULL;
    char *forged, *p64;

    /* One byte of the payload changed ("access" -> "accesS"), still valid base64url JSON. */
    char *at = strstr((char *)payload, "\"access\"");
    ck_assert_ptr_nonnull(at);
    at[6] = 'S';
    p64 = jwt_b64url_encode(payload, len);
    size_t n = (size_t)(dot1 - token) + strlen(p64) + strlen(dot2) + 2;
    forged = malloc(n);
    snprintf(forged, n, "%.*s.%s%s", (int)(dot1 - token), token, p64, dot2);
    ck_assert_int_eq(verify(forged, &claims), JWT_BAD_SIGNATURE);
    ck_assert_ptr_null(claims);
    cJSON *peeked = jwt_peek_payload(forged); /* peeking does not check */
    ck_assert_str_eq(tu_str(peeked, "token_use"), "accesS");
    cJSON_Delete(peeked);

    /* One character of the signature changed. */
    char *sig = strrchr(token, '.') + 10;
    *sig = *sig == 'A' ? 'B' : 'A';
    ck_assert_int_eq(verify(token, &claims), JWT_BAD_SIGNATURE);
    ck_assert_ptr_null(claims);

    free(forged);
    free(p64);
    free(payload);
    free(token);
}
END_TEST

START_TEST(test_jwt_other_key_fails_the_signature)
{
    char *token = sample_token("a", key_a);
    cJSON *claims = NULL;

    ck_assert_int_eq(jwt_verify_rs256(token, lookup_b, NULL, &claims), JWT_BAD_SIGNATURE);
    ck_assert_ptr_null(claims);
    free(token);
    /* And the token of b under kid "a" does not verify with a. */
    token = sample_token("a", key_b);
    ck_assert_int_eq(verify(token, &claims), JWT_BAD_SIGNATURE);
    free(token);
}
END_TEST

START_TEST(test_jwt_unknown_or_missing_kid_is_unknown_key)
{
    char *token = sample_token("nobody", key_a);
    cJSON *claims = NULL;

    ck_assert_int_eq(verify(token, &claims), JWT_UNKNOWN_KEY);
    ck_assert_ptr_null(claims);
    free(token);

    static const char *const headers[] = {
        "{\"alg\":\"RS256\"}",
        "{\"alg\":\"RS256\",\"kid\":null}",
        "{\"alg\":\"RS256\",\"kid\":5}",
        "{\"alg\":\"RS256\",\"kid\":\"\"}",
        "{\"alg\":\"RS256\",\"kid\":[\"a\"]}",
    };
    for (size_t i = 0; i < sizeof(headers) / sizeof(headers[0]); i++) {
        int calls = 0;
        token = make_token(headers[i], "{}", "AAAA");
        ck_assert_int_eq(jwt_verify_rs256(token, lookup, &calls, &claims), JWT_UNKNOWN_KEY);
        ck_assert_int_eq(calls, 0); /* nothing to look up */
        free(token);
    }
}
END_TEST

START_TEST(test_jwt_refuses_other_algorithms_before_any_key)
{
    static const char *const headers[] = {
        "{\"kid\":\"a\",\"alg\":\"none\"}",
        "{\"kid\":\"a\",\"alg\":\"HS256\"}",
        "{\"kid\":\"a\",\"alg\":\"RS512\"}",
        "{\"kid\":\"a\",\"alg\":\"PS256\"}",
        "{\"kid\":\"a\",\"alg\":\"rs256\"}",
        "{\"kid\":\"a\",\"alg\":\"ES256\"}",
        "{\"kid\":\"a\"}",
        "{\"kid\":\"a\",\"alg\":256}",
    };
    cJSON *claims = NULL;

    for (size_t i = 0; i < sizeof(headers) / sizeof(headers[0]); i++) {
        int calls = 0;
        char *token = make_token(headers[i], "{\"sub\":\"x\"}", "c2lnbmF0dXJl");
        ck_assert_int_eq(jwt_verify_rs256(token, lookup, &calls, &claims), JWT_BAD_ALGORITHM);
        ck_assert_int_eq(calls, 0);
        ck_assert_ptr_null(claims);
        free(token);
    }

    /* The classic forgery: HS256 keyed with the RSA public key's bytes. */
    unsigned char *der = NULL, mac[EVP_MAX_MD_SIZE];
    size_t maclen = 0;
    int derlen = i2d_PUBKEY(key_a, &der);
    char *h = b64("{\"kid\":\"a\",\"alg\":\"HS256\"}"), *p = b64("{\"sub\":\"admin\"}");
    char input[512];
    snprintf(input, sizeof(input), "%s.%s", h, p);
    ck_assert_ptr_nonnull(EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL, der, (size_t)derlen,
                                    (unsigned char *)input, strlen(input), mac, sizeof(mac),
                                    &maclen));
    char *s = jwt_b64url_encode(mac, maclen);
    char token[1024];
    snprintf(token, sizeof(token), "%s.%s", input, s);
    ck_assert_int_eq(verify(token, &claims), JWT_BAD_ALGORITHM);

    /* alg "none" with the empty signature such tokens carry. */
    char *none = make_token("{\"kid\":\"a\",\"alg\":\"none\"}", "{\"sub\":\"admin\"}", "");
    ck_assert_int_ne(verify(none, &claims), JWT_OK);
    ck_assert_ptr_null(claims);

    free(none);
    free(s);
    free(h);
    free(p);
    OPENSSL_free(der);
}
END_TEST

START_TEST(test_jwt_an_ec_key_for_the_kid_is_not_used)
{
    unsigned char *sig = NULL;
    size_t siglen = 0;
    char *h = b64("{\"kid\":\"ec\",\"alg\":\"RS256\"}"), *p = b64("{\"sub\":\"x\"}");
    char input[256], token[1024];
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    cJSON *claims = NULL;

    /* A real ECDSA-SHA256 signature: EVP would accept it if the key type were not checked. */
    snprintf(input, sizeof(input), "%s.%s", h, p);
    ck_assert_int_eq(EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, key_ec), 1);
    ck_assert_int_eq(EVP_DigestSign(md, NULL, &siglen, (unsigned char *)input, strlen(input)), 1);
    sig = malloc(siglen);
    ck_assert_int_eq(EVP_DigestSign(md, sig, &siglen, (unsigned char *)input, strlen(input)), 1);
    char *s = jwt_b64url_encode(sig, siglen);
    snprintf(token, sizeof(token), "%s.%s", input, s);
    ck_assert_int_ne(verify(token, &claims), JWT_OK);
    ck_assert_ptr_null(claims);

    free(s);
    free(sig);
    EVP_MD_CTX_free(md);
    free(h);
    free(p);
}
END_TEST

START_TEST(test_jwt_malformed_input_is_refused_without_crashing)
{
    char *good = sample_token("a", key_a);
    char *dot1 = strchr(good, '.'), *dot2 = strrchr(good, '.');
    char parts[3][1024], buf[4096];
    cJSON *claims = NULL;

    snprintf(parts[0], sizeof(parts[0]), "%.*s", (int)(dot1 - good), good);
    snprintf(parts[1], sizeof(parts[1]), "%.*s", (int)(dot2 - dot1 - 1), dot1 + 1);
    snprintf(parts[2], sizeof(parts[2]), "%s", dot2 + 1);

    const char *cases[] = {
        "",    ".",     "..",          "...",          "a",
        "a.b", "a.b.c", "!!!.???.###", "eyJ.eyJ.AAAA", NULL, /* filled below */
    };
    for (size_t i = 0; cases[i] != NULL; i++) {
        ck_assert_int_eq(verify(cases[i], &claims), JWT_MALFORMED);
        ck_assert_ptr_null(claims);
        ck_assert_ptr_null(jwt_peek_payload(cases[i]));
    }
    ck_assert_int_eq(verify(NULL, &claims), JWT_MALFORMED);
    ck_assert_ptr_null(jwt_peek_payload(NULL));
    ck_assert_int_eq(jwt_verify_rs256(good, NULL, NULL, &claims), JWT_MALFORMED);

    /* One, two or four parts of a good token; a part missing. */
    snprintf(buf, sizeof(buf), "%s", parts[0]);
    ck_assert_int_eq(verify(buf, &claims), JWT_MALFORMED);
    snprintf(buf, sizeof(buf), "%s.%s", parts[0], parts[1]);
    ck_assert_int_eq(verify(buf, &claims), JWT_MALFORMED);
    snprintf(buf, sizeof(buf), "%s.%s.%s.%s", parts[0], parts[1], parts[2], parts[2]);
    ck_assert_int_eq(verify(buf, &claims), JWT_MALFORMED);
    snprintf(buf, sizeof(buf), ".%s.%s", parts[1], parts[2]);
    ck_assert_int_eq(verify(buf, &claims), JWT_MALFORMED);
    snprintf(buf, sizeof(buf), "%s..%s", parts[0], parts[2]);
    ck_assert_int_eq(verify(buf, &claims), JWT_MALFORMED);
    snprintf(buf, sizeof(buf), "%s.%s.", parts[0], parts[1]);
    ck_assert_int_eq(verify(buf, &claims), JWT_MALFORMED);
    snprintf(buf, sizeof(buf), "%s.%s.%s.", parts[0], parts[1], parts[2]);
    ck_assert_int_eq(verify(buf, &claims), JWT_MALFORMED);

    /* Invalid base64url in each part in turn. */
    snprintf(buf, sizeof(buf), "%s*.%s.%s", parts[0], parts[1], parts[2]);
    ck_assert_int_eq(verify(buf, &claims), JWT_MALFORMED);
    snprintf(buf, sizeof(buf), "%s.%s*.%s", parts[0], parts[1], parts[2]);
    ck_assert_int_eq(verify(buf, &claims), JWT_MALFORMED);
    snprintf(buf, sizeof(buf), "%s.%s.%s*", parts[0], parts[1], parts[2]);
    ck_assert_int_eq(verify(buf, &claims), JWT_MALFORMED);
    snprintf(buf, sizeof(buf), "%s.%s.%s", parts[0], parts[1], "A");
    ck_assert_int_eq(verify(buf, &claims), JWT_MALFORMED);

    /* Header or payload that are JSON but not objects, not JSON, or objects with garbage. */
    static const char *const not_objects[] = {
        "[1]", "null", "\"RS256\"", "42", "true", "{", "{\"kid\":\"a\",}", "{} x", "{}{}", "",
    };
    for (size_t i = 0; i < sizeof(not_objects) / sizeof(not_objects[0]); i++) {
        char *t = make_token(not_objects[i], "{\"sub\":\"x\"}", parts[2]);
        ck_assert_int_eq(verify(t, &claims), JWT_MALFORMED);
        free(t);
        t = make_token("{\"kid\":\"a\",\"alg\":\"RS256\"}", not_objects[i], parts[2]);
        ck_assert_int_eq(verify(t, &claims), JWT_MALFORMED);
        ck_assert_ptr_null(jwt_peek_payload(t));
        free(t);
    }
    /* A NUL inside the header JSON would hide what follows it from the parser. */
    unsigned char with_nul[] = "{\"kid\":\"a\",\"alg\":\"RS256\"}\0{\"alg\":\"none\"}";
    char *h = jwt_b64url_encode(with_nul, sizeof(with_nul) - 1);
    snprintf(buf, sizeof(buf), "%s.%s.%s", h, parts[1], parts[2]);
    ck_assert_int_eq(verify(buf, &claims), JWT_MALFORMED);
    free(h);

    /* Deeply nested JSON. */
    char deep[2100];
    memset(deep, '[', 2000);
    deep[2000] = '\0';
    char *t = make_token("{\"kid\":\"a\",\"alg\":\"RS256\"}", deep, parts[2]);
    ck_assert_int_eq(verify(t, &claims), JWT_MALFORMED);
    free(t);

    /* Huge: a 4 MiB token of valid characters. */
    size_t huge_len = 4u << 20;
    char *huge = malloc(huge_len + 1);
    memset(huge, 'A', huge_len);
    huge[huge_len] = '\0';
    huge[1000] = '.';
    huge[2000] = '.';
    ck_assert_int_eq(verify(huge, &claims), JWT_MALFORMED);
    ck_assert_ptr_null(jwt_peek_payload(huge));
    free(huge);

    /* The good token still verifies. */
    ck_assert_int_eq(verify(good, &claims), JWT_OK);
    cJSON_Delete(claims);
    free(good);
}
END_TEST

START_TEST(test_jwt_peek_reads_the_payload_without_a_key)
{
    char *token = sample_token("whatever", key_b);
    cJSON *claims = jwt_peek_payload(token), *expected = sample_claims();

    ck_assert(cJSON_Compare(claims, expected, 1));
    cJSON_Delete(claims);
    cJSON_Delete(expected);
    free(token);
}
END_TEST

START_TEST(test_jwt_padded_parts_still_verify)
{
    /* Tolerant input: a verifier that re-pads the signature part still gets JWT_OK. */
    char *token = sample_token("a", key_a);
    char buf[4096];
    cJSON *claims = NULL;

    /* 342 characters: 256 bytes need "==" to make a multiple of four. */
    snprintf(buf, sizeof(buf), "%s==", token);
    ck_assert_int_eq(verify(buf, &claims), JWT_OK);
    cJSON_Delete(claims);
    free(token);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("jwt");
    TCase *b64 = tcase_create("base64url");
    TCase *tc = tcase_create("rs256");

    tcase_add_test(b64, test_jwt_b64url_encodes_rfc4648_vectors);
    tcase_add_test(b64, test_jwt_b64url_decodes_with_or_without_padding);
    tcase_add_test(b64, test_jwt_b64url_decode_rejects_invalid_text);
    tcase_add_test(b64, test_jwt_b64url_round_trips_every_length);
    suite_add_tcase(s, b64);

    tcase_add_unchecked_fixture(tc, keys_setup, keys_teardown);
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, test_jwt_sign_writes_cognitos_header);
    tcase_add_test(tc, test_jwt_sign_refuses_what_is_not_an_rsa_key);
    tcase_add_test(tc, test_jwt_round_trip_verifies_and_returns_the_claims);
    tcase_add_test(tc, test_jwt_changed_payload_fails_the_signature);
    tcase_add_test(tc, test_jwt_other_key_fails_the_signature);
    tcase_add_test(tc, test_jwt_unknown_or_missing_kid_is_unknown_key);
    tcase_add_test(tc, test_jwt_refuses_other_algorithms_before_any_key);
    tcase_add_test(tc, test_jwt_an_ec_key_for_the_kid_is_not_used);
    tcase_add_test(tc, test_jwt_malformed_input_is_refused_without_crashing);
    tcase_add_test(tc, test_jwt_peek_reads_the_payload_without_a_key);
    tcase_add_test(tc, test_jwt_padded_parts_still_verify);
    suite_add_tcase(s, tc);
    return s;
}
