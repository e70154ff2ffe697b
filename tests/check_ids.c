/*
 * check_ids: identifier formats, checked with the patterns AWS's models give.
 */
#include "config.h"

#include <string.h>

#include "util/ids.h"
#include "testutil.h"

START_TEST(test_ids_user_pool_id_is_region_underscore_nine_alphanumerics)
{
    char id[IDS_MAX];

    ids_user_pool_id(id, "eu-west-1");
    tu_assert_matches(id, "^eu-west-1_[0-9A-Za-z]{9}$");
}
END_TEST

START_TEST(test_ids_client_id_and_secret_lengths)
{
    char id[IDS_CLIENT_ID_LEN + 1], secret[IDS_CLIENT_SECRET_LEN + 1];

    ids_client_id(id);
    ids_client_secret(secret);
    tu_assert_matches(id, "^[a-z0-9]{26}$");
    tu_assert_matches(secret, "^[a-z0-9]{51}$");
}
END_TEST

START_TEST(test_ids_uuid_is_version_4)
{
    char uuid[IDS_UUID_LEN + 1], id[IDS_MAX];

    ids_uuid(uuid);
    tu_assert_matches(uuid,
                      "^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$");
    ids_region_uuid(id, "us-east-1");
    tu_assert_matches(id, "^us-east-1:[0-9a-f-]{36}$");
}
END_TEST

START_TEST(test_ids_are_distinct)
{
    char a[IDS_MAX], b[IDS_MAX];

    for (int i = 0; i < 1000; i++) {
        ids_user_pool_id(a, "us-east-1");
        ids_user_pool_id(b, "us-east-1");
        ck_assert_str_ne(a, b);
    }
}
END_TEST

START_TEST(test_ids_random_chars_uses_whole_alphabet)
{
    char out[4001];
    int seen[2] = {0, 0};

    ids_random_chars(out, 4000, "ab");
    ck_assert_uint_eq(strlen(out), 4000);
    for (int i = 0; i < 4000; i++)
        seen[out[i] - 'a']++;
    /* 4000 fair coin flips land within 1700..2300 with overwhelming probability. */
    ck_assert_int_gt(seen[0], 1700);
    ck_assert_int_gt(seen[1], 1700);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("ids");
    TCase *tc = tcase_create("ids");

    tcase_add_test(tc, test_ids_user_pool_id_is_region_underscore_nine_alphanumerics);
    tcase_add_test(tc, test_ids_client_id_and_secret_lengths);
    tcase_add_test(tc, test_ids_uuid_is_version_4);
    tcase_add_test(tc, test_ids_are_distinct);
    tcase_add_test(tc, test_ids_random_chars_uses_whole_alphabet);
    suite_add_tcase(s, tc);
    return s;
}
