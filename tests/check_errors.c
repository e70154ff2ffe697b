/*
 * check_errors: the error table and the AWS error body.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "aws/errors.h"
#include "testutil.h"

START_TEST(test_errors_types_and_statuses_follow_the_table)
{
    ck_assert_str_eq(cog_err_type(COG_E_NOT_AUTHORIZED), "NotAuthorizedException");
    ck_assert_int_eq(cog_err_status(COG_E_NOT_AUTHORIZED), 400);
    ck_assert_str_eq(cog_err_type(COG_E_RESOURCE_NOT_FOUND), "ResourceNotFoundException");
    ck_assert_int_eq(cog_err_status(COG_E_RESOURCE_NOT_FOUND), 400);
    ck_assert_str_eq(cog_err_type(COG_E_INTERNAL_ERROR), "InternalErrorException");
    ck_assert_int_eq(cog_err_status(COG_E_INTERNAL_ERROR), 500);
    ck_assert_int_eq(cog_err_status(COG_E_REQUEST_ENTITY_TOO_LARGE), 413);
}
END_TEST

START_TEST(test_errors_every_code_has_an_exception_type)
{
    for (int code = 1; code < COG_E__COUNT; code++) {
        const char *type = cog_err_type((enum cog_error)code);
        size_t len = strlen(type);
        ck_assert_msg(len > 9 && strcmp(type + len - 9, "Exception") == 0, "code %d: %s", code,
                      type);
        ck_assert_int_ge(cog_err_status((enum cog_error)code), 400);
    }
}
END_TEST

START_TEST(test_errors_table_is_sorted_by_type)
{
    for (int code = 2; code < COG_E__COUNT; code++)
        ck_assert_msg(strcmp(cog_err_type((enum cog_error)(code - 1)),
                             cog_err_type((enum cog_error)code)) < 0,
                      "%s before %s", cog_err_type((enum cog_error)(code - 1)),
                      cog_err_type((enum cog_error)code));
}
END_TEST

START_TEST(test_errors_body_is_aws_json_with_escaped_message)
{
    struct cog_err err;
    char *body;

    ck_assert_int_eq(cog_err_set(&err, COG_E_NOT_AUTHORIZED, "Say \"%s\"", "hi"), -1);
    body = cog_err_body(&err);
    ck_assert_str_eq(body,
                     "{\"__type\":\"NotAuthorizedException\",\"message\":\"Say \\\"hi\\\"\"}");
    free(body);
}
END_TEST

START_TEST(test_errors_long_message_is_cut_not_overflowed)
{
    struct cog_err err;
    char big[2000];

    memset(big, 'x', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    cog_err_set(&err, COG_E_INVALID_PARAMETER, "%s", big);
    ck_assert_uint_eq(strlen(err.message), sizeof(err.message) - 1);
}
END_TEST

START_TEST(test_errors_out_of_range_code_is_internal)
{
    ck_assert_str_eq(cog_err_type((enum cog_error)9999), "InternalErrorException");
    ck_assert_int_eq(cog_err_status((enum cog_error)9999), 500);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("errors");
    TCase *tc = tcase_create("errors");

    tcase_add_test(tc, test_errors_types_and_statuses_follow_the_table);
    tcase_add_test(tc, test_errors_every_code_has_an_exception_type);
    tcase_add_test(tc, test_errors_table_is_sorted_by_type);
    tcase_add_test(tc, test_errors_body_is_aws_json_with_escaped_message);
    tcase_add_test(tc, test_errors_long_message_is_cut_not_overflowed);
    tcase_add_test(tc, test_errors_out_of_range_code_is_internal);
    suite_add_tcase(s, tc);
    return s;
}
