/*
 * check_e2e: the whole server started in-process on port 0 and driven over HTTP: the AWS
 * JSON 1.1 wire format, protocol errors, CORS, health, and concurrent clients.
 */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server.h"
#include "testutil.h"

static struct settings settings;
static struct server *srv;
static char url[64];

static void setup(void)
{
    char *argv[] = {
        (char *)"cognito-emu", (char *)"--db", (char *)":memory:",    (char *)"--port", (char *)"0",
        (char *)"--threads",   (char *)"4",    (char *)"--log-level", (char *)"warn",   NULL};

    ck_assert_int_eq(settings_parse(&settings, 9, argv), SETTINGS_RUN);
    ck_assert_int_eq(server_start(&settings, &srv), 0);
    snprintf(url, sizeof(url), "http://127.0.0.1:%d/", server_port(srv));
}

static void teardown(void)
{
    server_stop(srv);
}

/* Parse a response body, failing the test when it is not a JSON object. */
static cJSON *body_json(const struct tu_http *r)
{
    cJSON *json = cJSON_Parse(r->body);
    ck_assert_msg(cJSON_IsObject(json), "not a JSON object: %s", r->body);
    return json;
}

/* Assert r is the AWS error type with every header AWS sends with it. */
static void assert_aws_error(const struct tu_http *r, long status, const char *type)
{
    char buf[600], expected[128];
    cJSON *json = body_json(r);

    ck_assert_int_eq(r->status, status);
    ck_assert_str_eq(tu_str(json, "__type"), type);
    ck_assert(cJSON_IsString(tu_get(json, "message")));
    ck_assert_str_eq(tu_http_header(r, "Content-Type", buf, sizeof(buf)),
                     "application/x-amz-json-1.1");
    snprintf(expected, sizeof(expected), "%s:", type);
    ck_assert_str_eq(tu_http_header(r, "x-amzn-ErrorType", buf, sizeof(buf)), expected);
    ck_assert_ptr_nonnull(tu_http_header(r, "x-amzn-ErrorMessage", buf, sizeof(buf)));
    ck_assert_uint_eq(strlen(tu_http_header(r, "x-amzn-RequestId", buf, sizeof(buf))), 36);
    ck_assert_ptr_nonnull(tu_http_header(r, "Access-Control-Allow-Origin", buf, sizeof(buf)));
    cJSON_Delete(json);
}

/* Create a user pool over HTTP and copy its id. */
static void create_pool(const char *name, char *id, size_t n)
{
    struct tu_http r;
    char body[128];

    snprintf(body, sizeof(body), "{\"PoolName\":\"%s\"}", name);
    tu_http_aws(url, "AWSCognitoIdentityProviderService.CreateUserPool", body, &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    cJSON *json = body_json(&r);
    const cJSON *pool = tu_get(json, "UserPool");
    snprintf(id, n, "%s", tu_str(pool, "Id"));
    cJSON_Delete(json);
    tu_http_free(&r);
}

START_TEST(test_e2e_create_and_describe_over_http)
{
    struct tu_http r;
    char id[96], body[160], buf[128];

    create_pool("e2e", id, sizeof(id));
    snprintf(body, sizeof(body), "{\"UserPoolId\":\"%s\"}", id);
    tu_http_aws(url, "AWSCognitoIdentityProviderService.DescribeUserPool", body, &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(tu_http_header(&r, "Content-Type", buf, sizeof(buf)),
                     "application/x-amz-json-1.1");
    ck_assert_uint_eq(strlen(tu_http_header(&r, "x-amzn-RequestId", buf, sizeof(buf))), 36);
    cJSON *json = body_json(&r);
    const cJSON *pool = tu_get(json, "UserPool");
    ck_assert_str_eq(tu_str(pool, "Name"), "e2e");
    /* Timestamps are epoch seconds, as numbers. */
    ck_assert(cJSON_IsNumber(tu_get(pool, "CreationDate")));
    cJSON_Delete(json);
    tu_http_free(&r);
}
END_TEST

START_TEST(test_e2e_errors_are_aws_shaped)
{
    struct tu_http r;

    tu_http_aws(url, "AWSCognitoIdentityProviderService.DescribeUserPool",
                "{\"UserPoolId\":\"us-east-1_nothere00\"}", &r);
    assert_aws_error(&r, 400, "ResourceNotFoundException");
    tu_http_free(&r);
    tu_http_aws(url, "AWSCognitoIdentityService.DescribeIdentityPool",
                "{\"IdentityPoolId\":\"us-east-1:00000000-0000-4000-8000-000000000000\"}", &r);
    assert_aws_error(&r, 400, "ResourceNotFoundException");
    tu_http_free(&r);
}
END_TEST

START_TEST(test_e2e_bad_input_never_stops_the_server)
{
    struct tu_http r;
    const char *no_target[] = {"Content-Type: application/x-amz-json-1.1", NULL};
    char *big = malloc(2 * 1024 * 1024);
    char id[96];

    tu_http_request("POST", url, no_target, "{}", 2, &r);
    assert_aws_error(&r, 400, "UnknownOperationException");
    tu_http_free(&r);
    tu_http_aws(url, "AWSCognitoIdentityProviderService.NoSuchThing", "{}", &r);
    assert_aws_error(&r, 400, "UnknownOperationException");
    tu_http_free(&r);
    tu_http_aws(url, "NoDot", "{}", &r);
    assert_aws_error(&r, 400, "UnknownOperationException");
    tu_http_free(&r);
    tu_http_aws(url, "AWSCognitoIdentityProviderService.CreateUserPool", "{\"PoolName\":", &r);
    assert_aws_error(&r, 400, "SerializationException");
    tu_http_free(&r);
    tu_http_aws(url, "AWSCognitoIdentityProviderService.CreateUserPool", "[]", &r);
    assert_aws_error(&r, 400, "SerializationException");
    tu_http_free(&r);
    tu_http_aws(url, "AWSCognitoIdentityProviderService.CreateUserPool", "{\"PoolName\":5}", &r);
    assert_aws_error(&r, 400, "SerializationException");
    tu_http_free(&r);
    tu_http_aws(url, "AWSCognitoIdentityProviderService.DescribeUserPool",
                "{\"UserPoolId\":\"bad\"}", &r);
    assert_aws_error(&r, 400, "InvalidParameterException");
    tu_http_free(&r);
    memset(big, ' ', 2 * 1024 * 1024);
    big[0] = '{';
    big[2 * 1024 * 1024 - 1] = '}';
    const char *headers[] = {"X-Amz-Target: AWSCognitoIdentityProviderService.ListUserPools", NULL};
    tu_http_request("POST", url, headers, big, 2 * 1024 * 1024, &r);
    assert_aws_error(&r, 413, "RequestEntityTooLargeException");
    tu_http_free(&r);
    free(big);
    tu_http_request("GET", url, NULL, NULL, 0, &r);
    assert_aws_error(&r, 404, "UnknownOperationException");
    tu_http_free(&r);

    create_pool("still-serving", id, sizeof(id));
}
END_TEST

START_TEST(test_e2e_health_answers_json)
{
    struct tu_http r;
    char health[96];

    snprintf(health, sizeof(health), "%shealth", url);
    tu_http_request("GET", health, NULL, NULL, 0, &r);
    ck_assert_int_eq(r.status, 200);
    cJSON *json = body_json(&r);
    ck_assert_str_eq(tu_str(json, "status"), "ok");
    cJSON_Delete(json);
    tu_http_free(&r);
}
END_TEST

START_TEST(test_e2e_preflight_from_a_browser)
{
    struct tu_http r;
    char buf[600];
    const char *headers[] = {
        "Origin: http://localhost:5173", "Access-Control-Request-Method: POST",
        "Access-Control-Request-Headers: content-type,x-amz-target,x-amz-user-agent,cache-control",
        NULL};

    tu_http_request("OPTIONS", url, headers, NULL, 0, &r);
    ck_assert_int_lt(r.status, 300);
    ck_assert_str_eq(tu_http_header(&r, "Access-Control-Allow-Origin", buf, sizeof(buf)),
                     "http://localhost:5173");
    ck_assert_ptr_nonnull(strstr(
        tu_http_header(&r, "Access-Control-Allow-Headers", buf, sizeof(buf)), "x-amz-user-agent"));
    tu_http_free(&r);
}
END_TEST

static void *create_some(void *arg)
{
    char(*ids)[96] = arg;

    for (int i = 0; i < 20; i++)
        create_pool("concurrent", ids[i], sizeof(ids[i]));
    return NULL;
}

START_TEST(test_e2e_concurrent_clients_all_succeed)
{
    static char ids[8][20][96];
    pthread_t threads[8];
    struct tu_http r;
    char body[160];

    for (int t = 0; t < 8; t++)
        pthread_create(&threads[t], NULL, create_some, ids[t]);
    for (int t = 0; t < 8; t++)
        pthread_join(threads[t], NULL);
    for (int t = 0; t < 8; t++) {
        for (int i = 0; i < 20; i++) {
            snprintf(body, sizeof(body), "{\"UserPoolId\":\"%s\"}", ids[t][i]);
            tu_http_aws(url, "AWSCognitoIdentityProviderService.DescribeUserPool", body, &r);
            ck_assert_int_eq(r.status, 200);
            tu_http_free(&r);
        }
    }
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("e2e");
    TCase *tc = tcase_create("e2e");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_e2e_create_and_describe_over_http);
    tcase_add_test(tc, test_e2e_errors_are_aws_shaped);
    tcase_add_test(tc, test_e2e_bad_input_never_stops_the_server);
    tcase_add_test(tc, test_e2e_health_answers_json);
    tcase_add_test(tc, test_e2e_preflight_from_a_browser);
    tcase_add_test(tc, test_e2e_concurrent_clients_all_succeed);
    suite_add_tcase(s, tc);
    return s;
}
