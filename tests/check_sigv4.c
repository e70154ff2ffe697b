/*
 * check_sigv4: crypto/sigv4.c against botocore's signer. The expected Authorization values
 * were printed by tests/vectors/sigv4_vectors.py (botocore.auth.SigV4Auth with a fixed clock),
 * not by this code.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "crypto/sigv4.h"
#include "testutil.h"

#define KEY "AKIDEXAMPLE"
#define SECRET "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
#define WHEN 1796292000 /* 2026-12-03T10:00:00Z */

static const struct sigv4_header JSON[] = {{"Content-Type", "application/json"}};

static void expect(const struct sigv4_request *r, const char *authorization)
{
    char date[SIGV4_DATE_LEN + 1];
    char *got = NULL;

    ck_assert_int_eq(sigv4_sign(r, date, &got), 0);
    ck_assert_str_eq(date, "20261203T100000Z");
    ck_assert_str_eq(got, authorization);
    free(got);
}

START_TEST(test_sigv4_signs_a_lambda_invoke_as_botocore_does)
{
    static const char body[] = "{\"version\":\"1\",\"triggerSource\":\"PreSignUp_SignUp\"}";
    struct sigv4_request r = {
        .method = "POST",
        .host = "localhost:3002",
        .path = "/2015-03-31/functions/my-pre-sign-up/invocations",
        .query = "Qualifier=live",
        .headers = JSON,
        .nheaders = 1,
        .body = body,
        .body_len = strlen(body),
        .region = "us-east-1",
        .service = "lambda",
        .access_key = KEY,
        .secret_key = SECRET,
        .unix_seconds = WHEN,
    };

    expect(&r, "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261203/us-east-1/lambda/aws4_request, "
               "SignedHeaders=content-type;host;x-amz-date, "
               "Signature=22785c3f89bb84fa51995ee1d0e71c79df640443bda0c23e2fbe277b81c38928");
}
END_TEST

/* A function named by its ARN: the path is sent percent-encoded and encoded again to sign. */
START_TEST(test_sigv4_encodes_an_encoded_path_again)
{
    struct sigv4_request r = {
        .method = "POST",
        .host = "127.0.0.1:4566",
        .path = "/2015-03-31/functions/"
                "arn%3Aaws%3Alambda%3Aeu-west-1%3A123456789012%3Afunction%3Afn/invocations",
        .headers = JSON,
        .nheaders = 1,
        .body = "{}",
        .body_len = 2,
        .region = "eu-west-1",
        .service = "lambda",
        .access_key = KEY,
        .secret_key = SECRET,
        .unix_seconds = WHEN,
    };

    expect(&r, "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261203/eu-west-1/lambda/aws4_request, "
               "SignedHeaders=content-type;host;x-amz-date, "
               "Signature=30bbeb71f371a5b2476f4deb45374ea19afba4cb1bff6ecc3a5c9470cb3d386f");
}
END_TEST

/* Query pairs are sorted by name, then value; an empty body is the hash of "". */
START_TEST(test_sigv4_sorts_the_query_and_hashes_an_empty_body)
{
    struct sigv4_request r = {
        .method = "GET",
        .host = "localhost:9229",
        .path = "/a%20b/c",
        .query = "z=1&a=x%20y&a=b",
        .headers = JSON,
        .nheaders = 1,
        .region = "us-east-1",
        .service = "execute-api",
        .access_key = KEY,
        .secret_key = SECRET,
        .unix_seconds = WHEN,
    };

    expect(&r, "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261203/us-east-1/execute-api/"
               "aws4_request, SignedHeaders=content-type;host;x-amz-date, "
               "Signature=ed166b08411cec6cc7addf15a18bd163e8530b3d0b5c283895bcd7cc6ed35d28");
}
END_TEST

START_TEST(test_sigv4_refuses_headers_that_would_split_the_request)
{
    static const struct sigv4_header bad[] = {{"X-Evil", "a\r\nInjected: 1"}};
    struct sigv4_request r = {
        .method = "POST",
        .host = "localhost",
        .path = "/",
        .headers = bad,
        .nheaders = 1,
        .region = "us-east-1",
        .service = "lambda",
        .access_key = KEY,
        .secret_key = SECRET,
        .unix_seconds = WHEN,
    };
    char date[SIGV4_DATE_LEN + 1];
    char *got = (char *)"unchanged";

    ck_assert_int_eq(sigv4_sign(&r, date, &got), -1);
    ck_assert_ptr_null(got);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("sigv4");
    TCase *tc = tcase_create("sigv4");

    tcase_add_test(tc, test_sigv4_signs_a_lambda_invoke_as_botocore_does);
    tcase_add_test(tc, test_sigv4_encodes_an_encoded_path_again);
    tcase_add_test(tc, test_sigv4_sorts_the_query_and_hashes_an_empty_body);
    tcase_add_test(tc, test_sigv4_refuses_headers_that_would_split_the_request);
    suite_add_tcase(s, tc);
    return s;
}
