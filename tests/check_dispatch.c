/*
 * check_dispatch: the operation table, the protocol errors and the x-amzn response headers of
 * the AWS JSON 1.1 front end, called without HTTP.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "dispatch.h"
#include "aws/params.h"
#include "testutil.h"

static struct tu_env *const env = &tu_fixture;

/* Call with a raw body and return the __type of the error ("" on success). */
static void expect_error(const char *target, const char *body, const char *type,
                         const char *message_part)
{
    struct dispatch_result res;

    dispatch_request(&env->app, target, NULL, body, body ? strlen(body) : 0, &res);
    ck_assert_msg(res.code != COG_OK, "%s succeeded: %s", target, res.body);
    ck_assert_str_eq(cog_err_type(res.code), type);
    ck_assert_msg(strstr(res.message, message_part) != NULL, "message '%s' lacks '%s'", res.message,
                  message_part);
    cJSON *json = cJSON_Parse(res.body);
    ck_assert_ptr_nonnull(json);
    ck_assert_str_eq(tu_str(json, "__type"), type);
    ck_assert_str_eq(tu_str(json, "message"), res.message);
    cJSON_Delete(json);
    dispatch_result_free(&res);
}

START_TEST(test_dispatch_table_is_sorted_and_in_the_models)
{
    size_t n = dispatch_target_count();

    ck_assert_uint_gt(n, 0);
    for (size_t i = 0; i < n; i++) {
        const char *name = dispatch_target_name(i);
        const char *dot = strchr(name, '.');
        ck_assert_ptr_nonnull(dot);
        enum aws_service svc =
            strncmp(name, "AWSCognitoIdentityService.", 26) == 0 ? SVC_IDENTITY : SVC_IDP;
        ck_assert_msg(params_has_operation(svc, dot + 1), "%s is not in the model", name);
        if (i > 0)
            ck_assert_msg(strcmp(dispatch_target_name(i - 1), name) < 0, "%s is out of order",
                          name);
    }
    ck_assert_ptr_null(dispatch_target_name(n));
}
END_TEST

START_TEST(test_dispatch_rejects_missing_and_malformed_targets)
{
    expect_error(NULL, "{}", "UnknownOperationException", "Missing X-Amz-Target");
    expect_error("", "{}", "UnknownOperationException", "Missing X-Amz-Target");
    expect_error("CreateUserPool", "{}", "UnknownOperationException", "X-Amz-Target must be");
    expect_error("AWSCognitoIdentityProviderService.", "{}", "UnknownOperationException",
                 "X-Amz-Target must be");
    expect_error("DynamoDB_20120810.ListTables", "{}", "UnknownOperationException",
                 "X-Amz-Target must be");
}
END_TEST

START_TEST(test_dispatch_rejects_unknown_target)
{
    expect_error(IDP "NoSuchThing", "{}", "UnknownOperationException",
                 "Unknown operation NoSuchThing");
    /* An operation of the other service is unknown under this prefix. */
    expect_error(IDENTITY "CreateUserPool", "{}", "UnknownOperationException", "CreateUserPool");
}
END_TEST

START_TEST(test_dispatch_names_model_operations_it_does_not_implement)
{
    expect_error(IDP "CreateUserImportJob", "{}", "UnsupportedOperationException",
                 "does not implement CreateUserImportJob");
    /* Operations the refreshed model added (129 in cognito-idp, 23 in cognito-identity). */
    expect_error(IDP "CreateUserPoolReplica", "{}", "UnsupportedOperationException",
                 "does not implement CreateUserPoolReplica");
    expect_error(IDP "GetProvisionedLimit", "{}", "UnsupportedOperationException",
                 "does not implement GetProvisionedLimit");
}
END_TEST

START_TEST(test_dispatch_rejects_bodies_that_are_not_a_json_object)
{
    expect_error(IDP "ListUserPools", "{", "SerializationException", "not valid JSON");
    expect_error(IDP "ListUserPools", "[1,2]", "SerializationException", "JSON object");
    expect_error(IDP "ListUserPools", "\"text\"", "SerializationException", "JSON object");
    expect_error(IDP "ListUserPools", "{} {}", "SerializationException", "after the JSON");
    expect_error(IDP "ListUserPools", "\x01\xff", "SerializationException", "not valid JSON");
}
END_TEST

START_TEST(test_dispatch_rejects_deeply_nested_bodies_without_crashing)
{
    size_t depth = 100000;
    char *body = malloc(depth * 2 + 1);

    for (size_t i = 0; i < depth; i++) {
        body[i] = '[';
        body[depth + i] = ']';
    }
    body[depth * 2] = '\0';
    expect_error(IDP "ListUserPools", body, "SerializationException", "JSON");
    free(body);
}
END_TEST

START_TEST(test_dispatch_empty_body_is_empty_input)
{
    /* {} is valid JSON but misses the required PoolName: the model's validation answers. */
    expect_error(IDP "CreateUserPool", "", "InvalidParameterException",
                 "Value null at 'poolName' failed to satisfy constraint: Member must not be null");
}
END_TEST

START_TEST(test_dispatch_parses_the_sigv4_region)
{
    char region[32] = "unset";

    ck_assert_int_eq(dispatch_sigv4_region(
                         "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240101/eu-west-3/cognito-idp/"
                         "aws4_request, SignedHeaders=host;x-amz-date, Signature=abc",
                         region, sizeof(region)),
                     0);
    ck_assert_str_eq(region, "eu-west-3");
    ck_assert_int_eq(dispatch_sigv4_region(NULL, region, sizeof(region)), -1);
    ck_assert_int_eq(dispatch_sigv4_region("Bearer xyz", region, sizeof(region)), -1);
    ck_assert_int_eq(
        dispatch_sigv4_region("AWS4-HMAC-SHA256 Credential=AK/2024", region, sizeof(region)), -1);
    ck_assert_int_eq(dispatch_sigv4_region("AWS4-HMAC-SHA256 Credential=AK/2024/../x/aws4_request",
                                           region, sizeof(region)),
                     -1);
    ck_assert_str_eq(region, "eu-west-3");
}
END_TEST

START_TEST(test_dispatch_takes_the_region_from_the_credential_scope)
{
    struct dispatch_result res;
    const char *body = "{\"PoolName\":\"p\"}";

    dispatch_request(&env->app, IDP "CreateUserPool",
                     "AWS4-HMAC-SHA256 Credential=AK/20240101/ap-south-1/cognito-idp/aws4_request",
                     body, strlen(body), &res);
    ck_assert_int_eq(res.status, 200);
    ck_assert_ptr_nonnull(strstr(res.body, "\"Id\":\"ap-south-1_"));
    dispatch_result_free(&res);

    dispatch_request(&env->app, IDP "CreateUserPool", NULL, body, strlen(body), &res);
    ck_assert_ptr_nonnull(strstr(res.body, "\"Id\":\"us-east-1_"));
    dispatch_result_free(&res);
}
END_TEST

START_TEST(test_dispatch_gives_each_request_its_own_id_and_operation)
{
    struct dispatch_result a, b;

    dispatch_request(&env->app, IDP "ListUserPools", NULL, "{\"MaxResults\":5}", 16, &a);
    dispatch_request(&env->app, IDP "ListUserPools", NULL, "{\"MaxResults\":5}", 16, &b);
    ck_assert_int_eq(a.status, 200);
    ck_assert_str_eq(a.operation, "ListUserPools");
    ck_assert_uint_eq(strlen(a.request_id), 36);
    ck_assert_str_ne(a.request_id, b.request_id);
    dispatch_result_free(&a);
    dispatch_result_free(&b);
}
END_TEST

/* The value of response header name in resp, or NULL. */
static const char *header(const struct http_response *resp, const char *name)
{
    for (size_t i = 0; i < resp->nheaders; i++)
        if (strcmp(resp->headers[i].name, name) == 0)
            return resp->headers[i].value;
    return NULL;
}

START_TEST(test_dispatch_respond_sends_the_aws_headers)
{
    struct dispatch_result res;
    struct http_response resp = {0};

    dispatch_request(&env->app, IDP "ListUserPools", NULL, "{\"MaxResults\":1}", 16, &res);
    dispatch_respond(&res, &resp);
    ck_assert_ptr_null(res.body); /* taken */
    ck_assert_int_eq(resp.status, 200);
    ck_assert_str_eq(resp.content_type, "application/x-amz-json-1.1");
    ck_assert_str_eq(resp.body, "{\"UserPools\":[]}");
    ck_assert_str_eq(header(&resp, "x-amzn-RequestId"), res.request_id);
    ck_assert_ptr_null(header(&resp, "x-amzn-ErrorType"));
    ck_assert_str_eq(resp.label, "ListUserPools");
    http_response_clear(&resp);

    dispatch_respond_error(COG_E_RESOURCE_NOT_FOUND, "User pool x does not exist.", 404, "jwks",
                           &resp);
    ck_assert_int_eq(resp.status, 404);
    ck_assert_str_eq(resp.body, "{\"__type\":\"ResourceNotFoundException\","
                                "\"message\":\"User pool x does not exist.\"}");
    ck_assert_uint_eq(strlen(header(&resp, "x-amzn-RequestId")), 36);
    ck_assert_str_eq(header(&resp, "x-amzn-ErrorType"), "ResourceNotFoundException:");
    ck_assert_str_eq(header(&resp, "x-amzn-ErrorMessage"), "User pool x does not exist.");
    ck_assert_str_eq(resp.label, "jwks ResourceNotFoundException");
    http_response_clear(&resp);

    /* Status 0 keeps errors.def's; no label is "-". */
    dispatch_respond_error(COG_E_REQUEST_ENTITY_TOO_LARGE, "big", 0, "", &resp);
    ck_assert_int_eq(resp.status, 413);
    ck_assert_str_eq(resp.label, "- RequestEntityTooLargeException");
    http_response_clear(&resp);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("dispatch");
    TCase *tc = tcase_create("dispatch");

    tcase_add_checked_fixture(tc, tu_setup, tu_teardown);
    tcase_add_test(tc, test_dispatch_table_is_sorted_and_in_the_models);
    tcase_add_test(tc, test_dispatch_rejects_missing_and_malformed_targets);
    tcase_add_test(tc, test_dispatch_rejects_unknown_target);
    tcase_add_test(tc, test_dispatch_names_model_operations_it_does_not_implement);
    tcase_add_test(tc, test_dispatch_rejects_bodies_that_are_not_a_json_object);
    tcase_add_test(tc, test_dispatch_rejects_deeply_nested_bodies_without_crashing);
    tcase_add_test(tc, test_dispatch_empty_body_is_empty_input);
    tcase_add_test(tc, test_dispatch_parses_the_sigv4_region);
    tcase_add_test(tc, test_dispatch_takes_the_region_from_the_credential_scope);
    tcase_add_test(tc, test_dispatch_gives_each_request_its_own_id_and_operation);
    tcase_add_test(tc, test_dispatch_respond_sends_the_aws_headers);
    suite_add_tcase(s, tc);
    return s;
}
