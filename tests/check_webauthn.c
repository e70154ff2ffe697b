/*
 * check_webauthn: the relying party's checks (crypto/webauthn.c) on ceremonies made by the
 * test's software authenticator (testpasskey.c): ES256 and RS256 keys, attestation "none",
 * "packed" self attestation and "packed" with x5c; then every way a registration or an
 * assertion must fail, and malformed or truncated data (no crash, a refusal).
 */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "crypto/webauthn.h"
#include "testpasskey.h"
#include "testutil.h"

#define RP "example.com"
#define CHALLENGE "Y2hhbGxlbmdlLWNoYWxsZW5nZS0xMjM0NTY3OA"

static const char *const HOSTS[] = {"myapp.auth.us-east-1.amazoncognito.com", NULL};
static const struct webauthn_expect EXPECT = {
    .challenge = CHALLENGE, .rp_id = RP, .hosts = HOSTS, .require_uv = true};

/* Register k with o; the status, and the credential into *cred when given. */
static enum webauthn_status do_register(const struct tp_key *k, const struct tp_opts *o,
                                        const struct webauthn_expect *e,
                                        struct webauthn_credential *cred)
{
    struct tp_bytes cd = {0}, att = {0};
    struct webauthn_credential tmp = {0};
    enum webauthn_status st;

    tp_register(k, o, &cd, &att);
    st = webauthn_verify_registration(e, k->cred_id, sizeof(k->cred_id), cd.p, cd.n, att.p, att.n,
                                      cred != NULL ? cred : &tmp);
    webauthn_credential_clear(&tmp);
    tp_bytes_free(&cd);
    tp_bytes_free(&att);
    return st;
}

static struct tp_opts good(void)
{
    return (struct tp_opts){.challenge = CHALLENGE, .rp_id = RP};
}

/* Assert with k against cred; the status and the new counter in *count. */
static enum webauthn_status do_assert(struct tp_key *k, const struct tp_opts *o,
                                      const struct webauthn_credential *cred, uint32_t stored,
                                      uint32_t *count)
{
    struct tp_bytes cd = {0}, ad = {0}, sig = {0};
    uint32_t dummy = 0;
    enum webauthn_status st;

    tp_assert(k, o, &cd, &ad, &sig);
    st = webauthn_verify_assertion(&EXPECT, cred->spki, cred->spki_len, cred->alg, stored, cd.p,
                                   cd.n, ad.p, ad.n, sig.p, sig.n, count != NULL ? count : &dummy);
    tp_bytes_free(&cd);
    tp_bytes_free(&ad);
    tp_bytes_free(&sig);
    return st;
}

static void round_trip(int alg, const char *fmt)
{
    struct tp_key k;
    struct tp_opts o = good();
    struct webauthn_credential cred = {0};
    uint32_t count = 0;

    tp_key_init(&k, alg, 5);
    o.fmt = fmt;
    ck_assert_int_eq(do_register(&k, &o, &EXPECT, &cred), WEBAUTHN_OK);
    ck_assert_int_eq(cred.alg, alg);
    ck_assert_uint_eq(cred.id_len, sizeof(k.cred_id));
    ck_assert_mem_eq(cred.id, k.cred_id, sizeof(k.cred_id));
    ck_assert_uint_eq(cred.sign_count, 5);
    ck_assert(cred.user_verified);
    ck_assert_int_eq(do_assert(&k, &o, &cred, 5, &count), WEBAUTHN_REPLAYED_COUNTER);
    ck_assert_int_eq(do_assert(&k, &o, &cred, 5, &count), WEBAUTHN_OK);
    ck_assert_uint_eq(count, 6);
    webauthn_credential_clear(&cred);
    tp_key_free(&k);
}

START_TEST(test_webauthn_es256_none_registers_and_asserts)
{
    round_trip(WEBAUTHN_ES256, "none");
}
END_TEST

START_TEST(test_webauthn_rs256_packed_self_registers_and_asserts)
{
    round_trip(WEBAUTHN_RS256, "packed");
}
END_TEST

START_TEST(test_webauthn_es256_packed_x5c_registers)
{
    round_trip(WEBAUTHN_ES256, "packed-x5c");
}
END_TEST

START_TEST(test_webauthn_registration_failures)
{
    struct tp_key k;
    struct webauthn_expect e = EXPECT;
    static const struct {
        struct tp_opts o;
        enum webauthn_status want;
    } CASES[] = {
        {{.type = "webauthn.get"}, WEBAUTHN_BAD_TYPE},
        {{.challenge = "b3RoZXI"}, WEBAUTHN_BAD_CHALLENGE},
        {{.origin = "https://evil.com"}, WEBAUTHN_BAD_ORIGIN},
        {{.origin = "https://notexample.com"}, WEBAUTHN_BAD_ORIGIN},
        {{.origin = "http://example.com"}, WEBAUTHN_BAD_ORIGIN},
        {{.origin = "https://example.com/path"}, WEBAUTHN_BAD_ORIGIN},
        {{.cross_origin = true}, WEBAUTHN_CROSS_ORIGIN},
        {{.rp_id = "other.com", .origin = "https://example.com"}, WEBAUTHN_BAD_RP_ID_HASH},
        {{.flags = 0x04}, WEBAUTHN_NO_USER_PRESENCE},
        {{.flags = 0x01}, WEBAUTHN_NO_USER_VERIFIED},
        {{.flags = 0x15}, WEBAUTHN_BAD_BACKUP_FLAGS},
        {{.other_cred_id = true}, WEBAUTHN_CREDENTIAL_ID},
        {{.fmt = "fido-u2f"}, WEBAUTHN_UNSUPPORTED_FORMAT},
        {{.fmt = "packed", .flip_sig = true}, WEBAUTHN_BAD_ATTESTATION},
        {{.fmt = "packed-x5c", .flip_sig = true}, WEBAUTHN_BAD_ATTESTATION},
        {{.client_data = "not json"}, WEBAUTHN_MALFORMED},
        {{.client_data = "{\"type\":\"webauthn.create\"}"}, WEBAUTHN_MALFORMED},
    };

    tp_key_init(&k, WEBAUTHN_ES256, 0);
    for (size_t i = 0; i < sizeof(CASES) / sizeof(CASES[0]); i++) {
        struct tp_opts o = CASES[i].o;

        if (o.challenge == NULL)
            o.challenge = CHALLENGE;
        if (o.rp_id == NULL)
            o.rp_id = RP;
        ck_assert_msg(do_register(&k, &o, &e, NULL) == CASES[i].want, "case %zu: %s", i,
                      webauthn_status_text(do_register(&k, &o, &e, NULL)));
    }
    tp_key_free(&k);
}
END_TEST

START_TEST(test_webauthn_origins)
{
    struct webauthn_expect local = {.challenge = CHALLENGE, .rp_id = "localhost"};

    ck_assert(webauthn_origin_ok(&EXPECT, "https://example.com"));
    ck_assert(webauthn_origin_ok(&EXPECT, "https://login.example.com:8443"));
    ck_assert(webauthn_origin_ok(&EXPECT, "https://myapp.auth.us-east-1.amazoncognito.com"));
    ck_assert(!webauthn_origin_ok(&EXPECT, "https://other.auth.us-east-1.amazoncognito.com"));
    ck_assert(!webauthn_origin_ok(&EXPECT, "https://example.com.evil.net"));
    ck_assert(!webauthn_origin_ok(&EXPECT, "https://example.com:x"));
    ck_assert(!webauthn_origin_ok(&EXPECT, "ftp://example.com"));
    ck_assert(webauthn_origin_ok(&local, "http://localhost:5173"));
    ck_assert(webauthn_origin_ok(&local, "https://localhost"));
    ck_assert(!webauthn_origin_ok(&local, "http://127.0.0.1"));
}
END_TEST

START_TEST(test_webauthn_uv_preferred_accepts_presence_only)
{
    struct tp_key k;
    struct tp_opts o = good();
    struct webauthn_expect e = EXPECT;

    e.require_uv = false;
    o.flags = 0x01;
    tp_key_init(&k, WEBAUTHN_ES256, 0);
    ck_assert_int_eq(do_register(&k, &o, &e, NULL), WEBAUTHN_OK);
    tp_key_free(&k);
}
END_TEST

START_TEST(test_webauthn_assertion_failures)
{
    struct tp_key k, other;
    struct tp_opts o = good();
    struct webauthn_credential cred = {0};
    static const struct {
        struct tp_opts o;
        enum webauthn_status want;
    } CASES[] = {
        {{.flip_sig = true}, WEBAUTHN_BAD_SIGNATURE},
        {{.type = "webauthn.create"}, WEBAUTHN_BAD_TYPE},
        {{.challenge = "b3RoZXI"}, WEBAUTHN_BAD_CHALLENGE},
        {{.origin = "https://evil.com"}, WEBAUTHN_BAD_ORIGIN},
        {{.cross_origin = true}, WEBAUTHN_CROSS_ORIGIN},
        {{.rp_id = "other.com", .origin = "https://example.com"}, WEBAUTHN_BAD_RP_ID_HASH},
        {{.flags = -1}, WEBAUTHN_NO_USER_PRESENCE},
        {{.flags = 0x01}, WEBAUTHN_NO_USER_VERIFIED},
    };

    tp_key_init(&k, WEBAUTHN_ES256, 0);
    ck_assert_int_eq(do_register(&k, &o, &EXPECT, &cred), WEBAUTHN_OK);
    for (size_t i = 0; i < sizeof(CASES) / sizeof(CASES[0]); i++) {
        struct tp_opts c = CASES[i].o;

        if (c.challenge == NULL)
            c.challenge = CHALLENGE;
        if (c.rp_id == NULL)
            c.rp_id = RP;
        ck_assert_msg(do_assert(&k, &c, &cred, 0, NULL) == CASES[i].want, "case %zu", i);
    }
    /* Counters: 0 and 0 pass (platform passkeys), a stored counter needs a greater one. */
    ck_assert_int_eq(do_assert(&k, &o, &cred, 0, NULL), WEBAUTHN_OK);
    ck_assert_int_eq(do_assert(&k, &o, &cred, 3, NULL), WEBAUTHN_REPLAYED_COUNTER);
    /* Another key's signature. */
    tp_key_init(&other, WEBAUTHN_ES256, 0);
    ck_assert_int_eq(do_assert(&other, &o, &cred, 0, NULL), WEBAUTHN_BAD_SIGNATURE);
    tp_key_free(&other);
    /* An RS256 signature against an ES256 key. */
    tp_key_init(&other, WEBAUTHN_RS256, 0);
    ck_assert_int_eq(do_assert(&other, &o, &cred, 0, NULL), WEBAUTHN_BAD_SIGNATURE);
    tp_key_free(&other);
    webauthn_credential_clear(&cred);
    tp_key_free(&k);
}
END_TEST

START_TEST(test_webauthn_sign_count_rule)
{
    ck_assert(webauthn_sign_count_ok(0, 0));
    ck_assert(webauthn_sign_count_ok(0, 1));
    ck_assert(webauthn_sign_count_ok(4, 5));
    ck_assert(!webauthn_sign_count_ok(5, 5));
    ck_assert(!webauthn_sign_count_ok(5, 0));
    ck_assert(!webauthn_sign_count_ok(5, 4));
}
END_TEST

/* Every prefix of a good attestation object and of good authenticator data, and every
 * single-byte corruption of the attestation object: a refusal, never a crash. */
START_TEST(test_webauthn_truncated_and_corrupted_data)
{
    struct tp_key k;
    struct tp_opts o = good();
    struct tp_bytes cd = {0}, att = {0}, acd = {0}, ad = {0}, sig = {0};
    struct webauthn_credential cred = {0}, good_cred = {0};
    uint32_t count;

    tp_key_init(&k, WEBAUTHN_ES256, 0);
    tp_register(&k, &o, &cd, &att);
    ck_assert_int_eq(webauthn_verify_registration(&EXPECT, k.cred_id, sizeof(k.cred_id), cd.p, cd.n,
                                                  att.p, att.n, &good_cred),
                     WEBAUTHN_OK);
    for (size_t n = 0; n < att.n; n++) {
        enum webauthn_status st = webauthn_verify_registration(
            &EXPECT, k.cred_id, sizeof(k.cred_id), cd.p, cd.n, att.p, n, &cred);
        ck_assert_int_ne(st, WEBAUTHN_OK);
        ck_assert_ptr_null(cred.spki);
    }
    for (size_t i = 0; i < att.n; i++) {
        unsigned char saved = att.p[i];

        for (unsigned v = 0; v < 256; v += 37) {
            att.p[i] = (unsigned char)v;
            if (webauthn_verify_registration(&EXPECT, k.cred_id, sizeof(k.cred_id), cd.p, cd.n,
                                             att.p, att.n, &cred) == WEBAUTHN_OK)
                webauthn_credential_clear(&cred);
        }
        att.p[i] = saved;
    }
    tp_assert(&k, &o, &acd, &ad, &sig);
    for (size_t n = 0; n < ad.n; n++)
        ck_assert_int_eq(webauthn_verify_assertion(&EXPECT, good_cred.spki, good_cred.spki_len,
                                                   good_cred.alg, 0, acd.p, acd.n, ad.p, n, sig.p,
                                                   sig.n, &count),
                         WEBAUTHN_MALFORMED);
    ck_assert_int_ne(webauthn_verify_assertion(&EXPECT, good_cred.spki, 10, good_cred.alg, 0, acd.p,
                                               acd.n, ad.p, ad.n, sig.p, sig.n, &count),
                     WEBAUTHN_OK);
    ck_assert_int_eq(webauthn_verify_assertion(&EXPECT, good_cred.spki, good_cred.spki_len,
                                               good_cred.alg, 0, acd.p, acd.n, ad.p, ad.n, sig.p, 0,
                                               &count),
                     WEBAUTHN_BAD_SIGNATURE);
    webauthn_credential_clear(&good_cred);
    tp_bytes_free(&cd);
    tp_bytes_free(&att);
    tp_bytes_free(&acd);
    tp_bytes_free(&ad);
    tp_bytes_free(&sig);
    tp_key_free(&k);
}
END_TEST

/*
 * CBOR heads that declare more than the data holds are refused before libcbor allocates for
 * them (webauthn.c, cbor_item_bounded): an array of 2^26 elements in 64 bytes would otherwise
 * cost half a gigabyte, cleared. The test process's peak memory shows it. Indefinite lengths
 * and deep nesting are refused too.
 */
START_TEST(test_webauthn_cbor_heads_cannot_claim_memory)
{
    static const unsigned char huge_array[] = {0x9a, 0x04, 0x00, 0x00, 0x00};
    static const unsigned char huge_map[] = {0xba, 0x04, 0x00, 0x00, 0x00};
    static const unsigned char indefinite[] = {0x9f, 0x00, 0xff};
    struct tp_key k;
    struct tp_opts o = good();
    struct tp_bytes cd = {0}, att = {0};
    struct webauthn_credential cred = {0};
    unsigned char buf[256];
    struct rusage ru;
    const struct {
        const unsigned char *head;
        size_t len;
    } cases[] = {{huge_array, sizeof(huge_array)},
                 {huge_map, sizeof(huge_map)},
                 {indefinite, sizeof(indefinite)}};

    tp_key_init(&k, WEBAUTHN_ES256, 0);
    tp_register(&k, &o, &cd, &att);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        memset(buf, 0, sizeof(buf));
        memcpy(buf, cases[i].head, cases[i].len);
        ck_assert_int_ne(webauthn_verify_registration(&EXPECT, k.cred_id, sizeof(k.cred_id), cd.p,
                                                      cd.n, buf, sizeof(buf), &cred),
                         WEBAUTHN_OK);
    }
    memset(buf, 0x81, 100); /* [[[[...0...]]]]: 100 levels */
    buf[100] = 0x00;
    ck_assert_int_ne(webauthn_verify_registration(&EXPECT, k.cred_id, sizeof(k.cred_id), cd.p, cd.n,
                                                  buf, 101, &cred),
                     WEBAUTHN_OK);
    ck_assert_int_eq(getrusage(RUSAGE_SELF, &ru), 0);
    ck_assert_msg(ru.ru_maxrss < 128 * 1024, "peak memory %ld KiB", ru.ru_maxrss);
    tp_bytes_free(&cd);
    tp_bytes_free(&att);
    tp_key_free(&k);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("webauthn");
    TCase *tc = tcase_create("webauthn");

    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_webauthn_es256_none_registers_and_asserts);
    tcase_add_test(tc, test_webauthn_rs256_packed_self_registers_and_asserts);
    tcase_add_test(tc, test_webauthn_es256_packed_x5c_registers);
    tcase_add_test(tc, test_webauthn_registration_failures);
    tcase_add_test(tc, test_webauthn_origins);
    tcase_add_test(tc, test_webauthn_uv_preferred_accepts_presence_only);
    tcase_add_test(tc, test_webauthn_assertion_failures);
    tcase_add_test(tc, test_webauthn_sign_count_rule);
    tcase_add_test(tc, test_webauthn_truncated_and_corrupted_data);
    tcase_add_test(tc, test_webauthn_cbor_heads_cannot_claim_memory);
    suite_add_tcase(s, tc);
    return s;
}
