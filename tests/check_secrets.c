/*
 * check_secrets: SECRET_HASH against values computed elsewhere, codes, tokens, random base64,
 * digests, wiping and comparison.
 *
 * The SECRET_HASH vectors were computed with the openssl command line, e.g.
 *   printf '%s' "usernameclientid" | openssl dgst -sha256 -hmac secret -binary | base64
 * and the empty-key one with Python's hmac module:
 *   base64.b64encode(hmac.new(b'', b'bobclient', hashlib.sha256).digest())
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "crypto/secrets.h"
#include "testutil.h"

static const struct {
    const char *secret, *username, *client_id, *hash;
} hash_vectors[] = {
    {"secret", "username", "clientid", "nHX60UMb/IiDNDmIUm5R+B7D6ufsjd4QNse0tO7D9w8="},
    {"secret", "alice", "3n2cp8ptk1mpvuu1hgllprlq0o",
     "obhYQPVuyxdeSZYVdb8Ur7bvR7sjSpZx+JDennlJyR0="},
    {"1k2c7ec3le8vq0f0ad0ppd3qnuvc6qs2abrt5g9s28c2v3h7m4a", "carol@example.com",
     "7h2m5bpa9o1jp1lr0a0mfj8c0d", "2MMnBz5bFnl2bIcl0c/mC3xnkuO4V8JqfGzNBrWOsKQ="},
    {"secret", "j\xc3\xb6hn", "clientid", "qku/o+Wps3hLwOdxxBmWSfJZcw1ob49mr5Sc2vGsUxM="},
    {"", "bob", "client", "ctk5L67vnfgwB4YpRXafshvvueefMpnJrPmBxeK5XH8="},
};

#define NHASH (sizeof(hash_vectors) / sizeof(hash_vectors[0]))

START_TEST(test_secrets_secret_hash_matches_openssl_cli)
{
    char *h = secrets_secret_hash(hash_vectors[_i].secret, hash_vectors[_i].username,
                                  hash_vectors[_i].client_id);

    ck_assert_ptr_nonnull(h);
    ck_assert_str_eq(h, hash_vectors[_i].hash);
    ck_assert(secrets_secret_hash_ok(hash_vectors[_i].secret, hash_vectors[_i].username,
                                     hash_vectors[_i].client_id, hash_vectors[_i].hash));
    free(h);
}
END_TEST

START_TEST(test_secrets_secret_hash_ok_refuses_anything_else)
{
    const char *good = hash_vectors[1].hash; /* secret / alice / 3n2c... */
    const char *bad[] = {
        "",
        "obhYQPVuyxdeSZYVdb8Ur7bvR7sjSpZx+JDennlJyR0",   /* padding missing */
        "obhYQPVuyxdeSZYVdb8Ur7bvR7sjSpZx+JDennlJyR0==", /* extra */
        "obhYQPVuyxdeSZYVdb8Ur7bvR7sjSpZx-JDennlJyR0=",  /* base64url spelling */
        "ObhYQPVuyxdeSZYVdb8Ur7bvR7sjSpZx+JDennlJyR0=",
        "obhYQPVuyxdeSZYVdb8Ur7bvR7sjSpZx+JDennlJyR0=\n",
        "nHX60UMb/IiDNDmIUm5R+B7D6ufsjd4QNse0tO7D9w8=", /* another user's */
    };

    ck_assert(secrets_secret_hash_ok("secret", "alice", "3n2cp8ptk1mpvuu1hgllprlq0o", good));
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        ck_assert(!secrets_secret_hash_ok("secret", "alice", "3n2cp8ptk1mpvuu1hgllprlq0o", bad[i]));
    ck_assert(!secrets_secret_hash_ok("secret", "alice", "3n2cp8ptk1mpvuu1hgllprlq0o", NULL));
    ck_assert(!secrets_secret_hash_ok("Secret", "alice", "3n2cp8ptk1mpvuu1hgllprlq0o", good));
    ck_assert(!secrets_secret_hash_ok("secret", "Alice", "3n2cp8ptk1mpvuu1hgllprlq0o", good));
    ck_assert(!secrets_secret_hash_ok("secret", "alice", "3n2cp8ptk1mpvuu1hgllprlq0p", good));
    ck_assert(!secrets_secret_hash_ok(NULL, "alice", "3n2cp8ptk1mpvuu1hgllprlq0o", good));
    ck_assert_ptr_null(secrets_secret_hash(NULL, "alice", "c"));
    ck_assert_ptr_null(secrets_secret_hash("s", NULL, "c"));
    ck_assert_ptr_null(secrets_secret_hash("s", "alice", NULL));
}
END_TEST

START_TEST(test_secrets_codes_are_six_uniform_digits)
{
    enum { DRAWS = 100000 };
    int first[10] = {0}, last[10] = {0};
    double chi_first = 0, chi_last = 0, expect = DRAWS / 10.0;
    char code[7];

    for (int i = 0; i < DRAWS; i++) {
        memset(code, 'x', sizeof(code));
        secrets_code(code);
        ck_assert_uint_eq(strlen(code), 6);
        ck_assert_uint_eq(strspn(code, "0123456789"), 6);
        first[code[0] - '0']++;
        last[code[5] - '0']++;
    }
    for (int d = 0; d < 10; d++) {
        chi_first += (first[d] - expect) * (first[d] - expect) / expect;
        chi_last += (last[d] - expect) * (last[d] - expect) / expect;
    }
    /* 9 degrees of freedom: P(chi^2 > 40) is about 7e-6. Leading zeros must occur (~10%). */
    ck_assert_double_lt(chi_first, 40.0);
    ck_assert_double_lt(chi_last, 40.0);
    ck_assert_int_gt(first[0], 9000);
}
END_TEST

START_TEST(test_secrets_tokens_are_distinct_base64url)
{
    enum { N = 1000 };
    char *tokens[N];
    const char *alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    static const size_t lens[][2] = {{0, 0}, {1, 2}, {2, 3}, {3, 4}, {4, 6}, {16, 22}, {32, 43}};

    for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
        char *t = secrets_token(lens[i][0]);

        ck_assert_ptr_nonnull(t);
        ck_assert_uint_eq(strlen(t), lens[i][1]);
        ck_assert_uint_eq(strspn(t, alphabet), lens[i][1]);
        free(t);
    }
    for (int i = 0; i < N; i++) {
        tokens[i] = secrets_token(32);
        ck_assert_ptr_nonnull(tokens[i]);
        ck_assert_uint_eq(strspn(tokens[i], alphabet), 43);
        for (int j = 0; j < i; j++)
            ck_assert_str_ne(tokens[i], tokens[j]);
    }
    for (int i = 0; i < N; i++)
        free(tokens[i]);
}
END_TEST

START_TEST(test_secrets_random_base64_is_padded_and_distinct)
{
    const char *alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    static const size_t lens[][3] = {{1, 4, 2}, {2, 4, 1}, {3, 4, 0}, {480, 640, 0}};
    char *a, *b;

    for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
        char *t = secrets_random_base64(lens[i][0]);

        ck_assert_ptr_nonnull(t);
        ck_assert_uint_eq(strlen(t), lens[i][1]);
        ck_assert_uint_eq(strspn(t, alphabet), lens[i][1] - lens[i][2]);
        ck_assert_uint_eq(strspn(t + lens[i][1] - lens[i][2], "="), lens[i][2]);
        free(t);
    }
    ck_assert_ptr_null(secrets_random_base64(0));
    a = secrets_random_base64(32);
    b = secrets_random_base64(32);
    ck_assert_str_ne(a, b);
    free(a);
    free(b);
}
END_TEST

START_TEST(test_secrets_wipe_zeroes_the_bytes)
{
    char secret[] = "wJalrXUtnFEMI/K7MDENG";

    secrets_wipe(secret, sizeof(secret));
    for (size_t i = 0; i < sizeof(secret); i++)
        ck_assert_int_eq(secret[i], 0);
    secrets_wipe(NULL, 8); /* accepted */
}
END_TEST

START_TEST(test_secrets_sha256_hex_of_abc)
{
    char out[65];

    secrets_sha256_hex("abc", out);
    ck_assert_str_eq(out, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    secrets_sha256_hex("", out);
    ck_assert_str_eq(out, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}
END_TEST

START_TEST(test_secrets_equal_compares_whole_strings)
{
    ck_assert(secrets_equal("", ""));
    ck_assert(secrets_equal("abc", "abc"));
    ck_assert(!secrets_equal("abc", "abd"));
    ck_assert(!secrets_equal("abc", "abcd"));
    ck_assert(!secrets_equal("abcd", "abc"));
    ck_assert(!secrets_equal("", "a"));
    ck_assert(!secrets_equal("a", ""));
    ck_assert(!secrets_equal(NULL, "a"));
    ck_assert(!secrets_equal("a", NULL));
    ck_assert(!secrets_equal(NULL, NULL));
}
END_TEST

START_TEST(test_secrets_base64_round_trips_and_refuses_what_is_not_base64)
{
    static const char *const texts[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
    static const char *const wanted[] = {"",         "Zg==",     "Zm8=",    "Zm9v",
                                         "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
    unsigned char *raw;
    size_t len;

    for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
        char *enc = secrets_base64(texts[i], strlen(texts[i]));
        ck_assert_str_eq(enc, wanted[i]); /* RFC 4648 section 10 */
        if (i > 0) {
            raw = secrets_base64_decode(enc, &len);
            ck_assert_uint_eq(len, strlen(texts[i]));
            ck_assert(memcmp(raw, texts[i], len) == 0);
            free(raw);
        }
        free(enc);
    }
    ck_assert_ptr_null(secrets_base64_decode("", &len));
    ck_assert_ptr_null(secrets_base64_decode("Zg=", &len));
    ck_assert_ptr_null(secrets_base64_decode("Z$==", &len));
    ck_assert_uint_eq(len, 0);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("secrets");
    TCase *tc = tcase_create("secrets");

    /* Half a million assertions: more than Check's default 4 s on a loaded machine. */
    tcase_set_timeout(tc, 30);
    tcase_add_loop_test(tc, test_secrets_secret_hash_matches_openssl_cli, 0, (int)NHASH);
    tcase_add_test(tc, test_secrets_secret_hash_ok_refuses_anything_else);
    tcase_add_test(tc, test_secrets_codes_are_six_uniform_digits);
    tcase_add_test(tc, test_secrets_tokens_are_distinct_base64url);
    tcase_add_test(tc, test_secrets_random_base64_is_padded_and_distinct);
    tcase_add_test(tc, test_secrets_wipe_zeroes_the_bytes);
    tcase_add_test(tc, test_secrets_sha256_hex_of_abc);
    tcase_add_test(tc, test_secrets_equal_compares_whole_strings);
    tcase_add_test(tc, test_secrets_base64_round_trips_and_refuses_what_is_not_base64);
    suite_add_tcase(s, tc);
    return s;
}
