/*
 * check_testlambda: the fake Lambda Invoke server (tests/testlambda.h) over a real socket,
 * called as the emulator will call Lambda: each kind of scripted answer, the records of what
 * it received, Event invocations, the 404 of an unknown function or path, and that a delayed
 * answer neither holds up another call nor keeps tlam_stop() waiting.
 *
 * The concurrency tests assert only on order, never on durations: the slow call is delayed
 * far beyond the test's time limit and ended by tlam_stop(), so a busy machine cannot make
 * them fail and a regression hangs (which CK_DEFAULT_TIMEOUT turns into a failure).
 */
#include "config.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testlambda.h"
#include "testutil.h"

static struct tlam *lam;

#define EVENT "{\"triggerSource\":\"PreSignUp_SignUp\",\"request\":{},\"response\":{}}"

static void setup(void)
{
    /* before any thread: curl's global set-up is not thread-safe everywhere */
    curl_global_init(CURL_GLOBAL_DEFAULT);
    lam = tlam_start();
    ck_assert_ptr_nonnull(lam);
}

static void teardown(void)
{
    tlam_stop(lam);
    lam = NULL;
}

static void invoke_url(char *buf, size_t n, const char *fn)
{
    snprintf(buf, n, "%s/2015-03-31/functions/%s/invocations?Qualifier=live", tlam_url(lam), fn);
}

/* POST body to function fn with invocation type type, signed (in form) as the emulator signs. */
static void invoke(const char *fn, const char *type, const char *body, struct tu_http *out)
{
    char url[512], type_header[64];
    const char *headers[] = {
        "Content-Type: application/json", type_header,
        "Authorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240101/us-east-1/lambda/"
        "aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=00",
        "X-Amz-Date: 20240101T000000Z", NULL};

    invoke_url(url, sizeof(url), fn);
    snprintf(type_header, sizeof(type_header), "X-Amz-Invocation-Type: %s", type);
    tu_http_request("POST", url, headers, body, strlen(body), out);
}

/* Fail unless response header name is value (NULL: absent). */
static void assert_header(const struct tu_http *r, const char *name, const char *value)
{
    char buf[256];
    const char *got = tu_http_header(r, name, buf, sizeof(buf));

    if (value == NULL)
        ck_assert_msg(got == NULL, "%s: %s", name, got);
    else
        ck_assert_str_eq(got ? got : "(absent)", value);
}

/* A script that accepts the sign-up: the event with response.autoConfirmUser set. */
static void auto_confirm(const cJSON *event, void *arg, struct tlam_answer *out)
{
    out->body = tlam_event_with_response(event, "{\"autoConfirmUser\":true}");
}

START_TEST(test_testlambda_answers_scripted_body)
{
    struct tu_http r;

    tlam_on_body(lam, "fn", "{\"a\":1}");
    invoke("fn", "RequestResponse", EVENT, &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(r.body, "{\"a\":1}");
    assert_header(&r, "X-Amz-Executed-Version", "$LATEST");
    assert_header(&r, "X-Amz-Function-Error", NULL);
    tu_http_free(&r);
}
END_TEST

START_TEST(test_testlambda_records_event_headers_and_qualifier)
{
    struct tu_http r;
    cJSON *event;
    char *v;

    tlam_on_body(lam, "fn", "{}");
    invoke("fn", "RequestResponse", EVENT, &r);
    tu_http_free(&r);
    ck_assert_uint_eq(tlam_count(lam, "fn"), 1);
    event = tlam_event(lam, "fn", 0);
    ck_assert_str_eq(tu_str(event, "triggerSource"), "PreSignUp_SignUp");
    cJSON_Delete(event);
    v = tlam_header(lam, "fn", 0, "x-amz-invocation-type");
    ck_assert_str_eq(v, "RequestResponse");
    free(v);
    v = tlam_header(lam, "fn", 0, "AUTHORIZATION");
    tu_assert_matches(v, "^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/");
    free(v);
    v = tlam_query(lam, "fn", 0, "Qualifier");
    ck_assert_str_eq(v, "live");
    free(v);
    ck_assert_ptr_null(tlam_header(lam, "fn", 0, "X-Absent"));
    ck_assert_ptr_null(tlam_query(lam, "fn", 0, "qualifier"));
    ck_assert_ptr_null(tlam_event(lam, "fn", 1));
    ck_assert_uint_eq(tlam_count(lam, "other"), 0);
}
END_TEST

START_TEST(test_testlambda_records_calls_oldest_first)
{
    struct tu_http r;
    cJSON *event;

    tlam_on(lam, "fn", tlam_return_event, NULL);
    invoke("fn", "RequestResponse", "{\"n\":1}", &r);
    tu_http_free(&r);
    invoke("fn", "RequestResponse", "not json", &r);
    tu_http_free(&r);
    ck_assert_uint_eq(tlam_count(lam, "fn"), 2);
    event = tlam_event(lam, "fn", 0);
    ck_assert_int_eq((int)tu_num(event, "n"), 1);
    cJSON_Delete(event);
    ck_assert_ptr_null(tlam_event(lam, "fn", 1)); /* recorded, but not JSON */
}
END_TEST

START_TEST(test_testlambda_scripts_change_the_response)
{
    struct tu_http r;
    cJSON *body;

    tlam_on(lam, "fn", auto_confirm, NULL);
    invoke("fn", "RequestResponse", EVENT, &r);
    ck_assert_int_eq(r.status, 200);
    body = cJSON_Parse(r.body);
    ck_assert_str_eq(tu_str(body, "triggerSource"), "PreSignUp_SignUp");
    ck_assert(tu_bool(tu_get(body, "response"), "autoConfirmUser"));
    cJSON_Delete(body);
    tu_http_free(&r);
}
END_TEST

START_TEST(test_testlambda_return_event_echoes_the_event)
{
    struct tu_http r;

    tlam_on(lam, "fn", tlam_return_event, NULL);
    invoke("fn", "RequestResponse", EVENT, &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(r.body, EVENT);
    tu_http_free(&r);
}
END_TEST

START_TEST(test_testlambda_new_script_replaces_old)
{
    struct tu_http r;

    tlam_on_body(lam, "fn", "\"first\"");
    tlam_on_body(lam, "fn", "\"second\"");
    invoke("fn", "RequestResponse", EVENT, &r);
    ck_assert_str_eq(r.body, "\"second\"");
    tu_http_free(&r);
    tlam_on(lam, "fn", NULL, NULL);
    invoke("fn", "RequestResponse", EVENT, &r);
    ck_assert_int_eq(r.status, 404);
    tu_http_free(&r);
}
END_TEST

START_TEST(test_testlambda_reports_function_error)
{
    struct tu_http r;
    cJSON *body;

    tlam_on_error(lam, "fn", "PreSignUp failed");
    invoke("fn", "RequestResponse", EVENT, &r);
    ck_assert_int_eq(r.status, 200);
    assert_header(&r, "X-Amz-Function-Error", "Unhandled");
    body = cJSON_Parse(r.body);
    ck_assert_str_eq(tu_str(body, "errorMessage"), "PreSignUp failed");
    ck_assert_str_eq(tu_str(body, "errorType"), "Error");
    ck_assert(cJSON_IsArray(tu_get(body, "trace")));
    cJSON_Delete(body);
    tu_http_free(&r);
}
END_TEST

START_TEST(test_testlambda_reports_service_error)
{
    struct tu_http r;
    cJSON *body;

    tlam_on_status(lam, "fn", 429, "TooManyRequestsException");
    invoke("fn", "RequestResponse", EVENT, &r);
    ck_assert_int_eq(r.status, 429);
    assert_header(&r, "x-amzn-ErrorType", "TooManyRequestsException");
    assert_header(&r, "X-Amz-Executed-Version", NULL);
    body = cJSON_Parse(r.body);
    ck_assert_str_eq(tu_str(body, "Type"), "User");
    ck_assert_str_eq(tu_str(body, "Message"), "TooManyRequestsException");
    cJSON_Delete(body);
    tu_http_free(&r);
}
END_TEST

START_TEST(test_testlambda_unknown_function_is_not_found)
{
    struct tu_http r;
    cJSON *body;

    invoke("nobody", "RequestResponse", EVENT, &r);
    ck_assert_int_eq(r.status, 404);
    assert_header(&r, "x-amzn-ErrorType", "ResourceNotFoundException");
    body = cJSON_Parse(r.body);
    ck_assert_str_eq(tu_str(body, "Type"), "User");
    ck_assert_str_eq(tu_str(body, "Message"),
                     "Function not found: arn:aws:lambda:us-east-1:123456789012:function:nobody");
    cJSON_Delete(body);
    tu_http_free(&r);
    ck_assert_uint_eq(tlam_count(lam, "nobody"), 1);
}
END_TEST

START_TEST(test_testlambda_other_paths_and_methods_are_not_found)
{
    char url[512];
    struct tu_http r;

    tlam_on_body(lam, "fn", "{}");
    invoke_url(url, sizeof(url), "fn");
    tu_http_request("GET", url, NULL, NULL, 0, &r);
    ck_assert_int_eq(r.status, 404);
    assert_header(&r, "x-amzn-ErrorType", "ResourceNotFoundException");
    tu_http_free(&r);
    snprintf(url, sizeof(url), "%s/2015-03-31/functions/fn", tlam_url(lam));
    tu_http_request("POST", url, NULL, "{}", 2, &r);
    ck_assert_int_eq(r.status, 404);
    tu_http_free(&r);
    ck_assert_uint_eq(tlam_count(lam, "fn"), 0);
}
END_TEST

START_TEST(test_testlambda_decodes_function_name)
{
    const char *arn = "arn:aws:lambda:us-east-1:123456789012:function:pre";
    struct tu_http r;

    tlam_on_body(lam, arn, "{}");
    invoke("arn%3Aaws%3Alambda%3Aus-east-1%3A123456789012%3Afunction%3Apre", "RequestResponse",
           EVENT, &r);
    ck_assert_int_eq(r.status, 200);
    tu_http_free(&r);
    ck_assert_uint_eq(tlam_count(lam, arn), 1);
}
END_TEST

START_TEST(test_testlambda_event_invocation_is_accepted)
{
    struct tu_http r;

    tlam_on_body(lam, "sender", "{\"ignored\":true}");
    invoke("sender", "Event", EVENT, &r);
    ck_assert_int_eq(r.status, 202);
    ck_assert_str_eq(r.body, "");
    tu_http_free(&r);
    ck_assert(tlam_wait_count(lam, "sender", 1, 5000));
    ck_assert(!tlam_wait_count(lam, "sender", 2, 10));
}
END_TEST

START_TEST(test_testlambda_rejects_unknown_invocation_type)
{
    struct tu_http r;

    tlam_on_body(lam, "fn", "{}");
    invoke("fn", "DryRun", EVENT, &r);
    ck_assert_int_eq(r.status, 400);
    assert_header(&r, "x-amzn-ErrorType", "InvalidParameterValueException");
    tu_http_free(&r);
}
END_TEST

START_TEST(test_testlambda_reset_forgets_scripts_and_records)
{
    struct tu_http r;

    tlam_on_body(lam, "fn", "{}");
    invoke("fn", "RequestResponse", EVENT, &r);
    tu_http_free(&r);
    tlam_reset(lam);
    ck_assert_uint_eq(tlam_count(lam, "fn"), 0);
    invoke("fn", "RequestResponse", EVENT, &r);
    ck_assert_int_eq(r.status, 404);
    tu_http_free(&r);
}
END_TEST

START_TEST(test_testlambda_delayed_function_answers_the_event)
{
    struct tu_http r;

    tlam_on_delay(lam, "fn", 50);
    invoke("fn", "RequestResponse", EVENT, &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(r.body, EVENT);
    tu_http_free(&r);
}
END_TEST

/*
 * A call made on its own thread with plain libcurl: Check's assertions belong to the test's
 * thread, and a call cut short by tlam_stop() may fail, which is no failure of the test.
 */
struct slow_call {
    pthread_t thread;
    char url[512];
    atomic_bool done;
};

static size_t discard(char *ptr, size_t size, size_t nmemb, void *arg)
{
    return size * nmemb;
}

static void *slow_call_run(void *arg)
{
    struct slow_call *s = arg;
    CURL *curl = curl_easy_init();

    if (curl != NULL) {
        curl_easy_setopt(curl, CURLOPT_URL, s->url);
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, EVENT);
        curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, discard);
        curl_easy_perform(curl);
        curl_easy_cleanup(curl);
    }
    atomic_store(&s->done, true);
    return NULL;
}

/* Call fn, delayed by a minute, on a thread, and return once the fake has received it. */
static void slow_call_start(struct slow_call *s, const char *fn)
{
    tlam_on_delay(lam, fn, 60000);
    invoke_url(s->url, sizeof(s->url), fn);
    atomic_init(&s->done, false);
    ck_assert_int_eq(pthread_create(&s->thread, NULL, slow_call_run, s), 0);
    ck_assert(tlam_wait_count(lam, fn, 1, 20000));
}

START_TEST(test_testlambda_slow_function_does_not_block_another)
{
    struct slow_call slow;
    struct tu_http r;

    slow_call_start(&slow, "slow");
    tlam_on_body(lam, "fast", "{\"fast\":true}");
    invoke("fast", "RequestResponse", EVENT, &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(r.body, "{\"fast\":true}");
    tu_http_free(&r);
    ck_assert(!atomic_load(&slow.done)); /* the fast answer came while slow was pending */
    teardown();                          /* ends the delay */
    pthread_join(slow.thread, NULL);
}
END_TEST

START_TEST(test_testlambda_stop_ends_delays)
{
    struct slow_call slow;

    slow_call_start(&slow, "slow");
    teardown(); /* would wait a minute, past the test's time limit, without the early end */
    pthread_join(slow.thread, NULL);
    ck_assert(atomic_load(&slow.done));
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("testlambda");
    TCase *tc = tcase_create("testlambda");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_testlambda_answers_scripted_body);
    tcase_add_test(tc, test_testlambda_records_event_headers_and_qualifier);
    tcase_add_test(tc, test_testlambda_records_calls_oldest_first);
    tcase_add_test(tc, test_testlambda_scripts_change_the_response);
    tcase_add_test(tc, test_testlambda_return_event_echoes_the_event);
    tcase_add_test(tc, test_testlambda_new_script_replaces_old);
    tcase_add_test(tc, test_testlambda_reports_function_error);
    tcase_add_test(tc, test_testlambda_reports_service_error);
    tcase_add_test(tc, test_testlambda_unknown_function_is_not_found);
    tcase_add_test(tc, test_testlambda_other_paths_and_methods_are_not_found);
    tcase_add_test(tc, test_testlambda_decodes_function_name);
    tcase_add_test(tc, test_testlambda_event_invocation_is_accepted);
    tcase_add_test(tc, test_testlambda_rejects_unknown_invocation_type);
    tcase_add_test(tc, test_testlambda_reset_forgets_scripts_and_records);
    tcase_add_test(tc, test_testlambda_delayed_function_answers_the_event);
    tcase_add_test(tc, test_testlambda_slow_function_does_not_block_another);
    tcase_add_test(tc, test_testlambda_stop_ends_delays);
    suite_add_tcase(s, tc);
    return s;
}
