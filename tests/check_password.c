/*
 * check_password: Cognito's password policy checks (messages, order, character classes,
 * defaults, characters versus bytes) and generated temporary passwords.
 */
#include "config.h"

#include <cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "userpool/password.h"
#include "testutil.h"

#define P "Password did not conform with policy: "
#define NOT_LONG P "Password not long enough"
#define NO_LOWER P "Password must have lowercase characters"
#define NO_UPPER P "Password must have uppercase characters"
#define NO_NUMBER P "Password must have numeric characters"
#define NO_SYMBOL P "Password must have symbol characters"

static cJSON *policy_new(const char *json)
{
    cJSON *p = cJSON_Parse(json);

    ck_assert_ptr_nonnull(p);
    return p;
}

/* Fail unless checking password against policy gives want (NULL: conforms). */
static void assert_check(const cJSON *policy, const char *password, const char *want)
{
    char msg[160] = "";
    int rc = password_check(policy, password, msg, sizeof(msg));

    if (want == NULL) {
        ck_assert_msg(rc == 0, "\"%s\" refused: %s", password, msg);
    } else {
        ck_assert_msg(rc == -1, "\"%s\" accepted, expected %s", password, want);
        ck_assert_str_eq(msg, want);
    }
}

START_TEST(test_password_each_rule_has_cognitos_message)
{
    assert_check(NULL, "Abcdef1!", NULL);
    assert_check(NULL, "Ab1!xyz", NOT_LONG);
    assert_check(NULL, "ABCDEFG1!", NO_LOWER);
    assert_check(NULL, "abcdefg1!", NO_UPPER);
    assert_check(NULL, "Abcdefgh!", NO_NUMBER);
    assert_check(NULL, "Abcdefg1", NO_SYMBOL);
}
END_TEST

/* One message, the first failing rule: length, lowercase, uppercase, numeric, symbol. */
START_TEST(test_password_reports_first_failure_in_cognitos_order)
{
    assert_check(NULL, "", NOT_LONG);
    assert_check(NULL, "abc", NOT_LONG);
    assert_check(NULL, "12341234", NO_LOWER); /* also lacks upper and symbol */
    assert_check(NULL, "ABCDEFGH", NO_LOWER);
    assert_check(NULL, "abcdefgh", NO_UPPER); /* also lacks number and symbol */
    assert_check(NULL, "TestTest", NO_NUMBER);
    assert_check(NULL, "Abcdefgh", NO_NUMBER);
    assert_check(NULL, "!!!!!!!!", NO_LOWER);
}
END_TEST

START_TEST(test_password_policy_with_nothing_required)
{
    cJSON *p = policy_new("{\"MinimumLength\":6,\"RequireUppercase\":false,"
                          "\"RequireLowercase\":false,\"RequireNumbers\":false,"
                          "\"RequireSymbols\":false,\"TemporaryPasswordValidityDays\":7}");

    assert_check(p, "aaaaaa", NULL);
    assert_check(p, "123456", NULL);
    assert_check(p, "ZZZZZZ", NULL);
    assert_check(p, "\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac",
                 NULL);
    assert_check(p, "aaaaa", NOT_LONG);
    cJSON_Delete(p);
}
END_TEST

START_TEST(test_password_each_requirement_alone)
{
    cJSON *p = policy_new("{\"MinimumLength\":6,\"RequireUppercase\":false,"
                          "\"RequireLowercase\":false,\"RequireNumbers\":true,"
                          "\"RequireSymbols\":false}");

    assert_check(p, "abcdef", NO_NUMBER);
    assert_check(p, "abcde1", NULL);
    cJSON_Delete(p);
    p = policy_new("{\"MinimumLength\":6,\"RequireUppercase\":true,\"RequireLowercase\":false,"
                   "\"RequireNumbers\":false,\"RequireSymbols\":false}");
    assert_check(p, "abcdef", NO_UPPER);
    assert_check(p, "123456", NO_UPPER);
    assert_check(p, "12345A", NULL);
    cJSON_Delete(p);
}
END_TEST

/* NULL, an empty policy and a policy missing members all take Cognito's defaults. */
START_TEST(test_password_absent_policy_or_members_take_defaults)
{
    cJSON *empty = policy_new("{}");
    cJSON *partial = policy_new("{\"MinimumLength\":6}");
    cJSON *odd = policy_new("{\"MinimumLength\":\"6\",\"RequireSymbols\":\"false\"}");

    assert_check(NULL, "Abcde1!", NOT_LONG);
    assert_check(empty, "Abcde1!", NOT_LONG);
    assert_check(empty, "Abcdefg1", NO_SYMBOL);
    assert_check(empty, "Abcdef1!", NULL);
    assert_check(partial, "Abcd1!", NULL);
    assert_check(partial, "abcd1!", NO_UPPER);
    assert_check(partial, "Abcde1", NO_SYMBOL);
    /* Members of the wrong type count as absent. */
    assert_check(odd, "Abcde1!", NOT_LONG);
    assert_check(odd, "Abcdefg1", NO_SYMBOL);
    cJSON_Delete(empty);
    cJSON_Delete(partial);
    cJSON_Delete(odd);
}
END_TEST

START_TEST(test_password_length_counts_characters_not_bytes)
{
    cJSON *p = policy_new("{\"MinimumLength\":8,\"RequireUppercase\":false,"
                          "\"RequireLowercase\":false,\"RequireNumbers\":false,"
                          "\"RequireSymbols\":false}");

    /* 7 characters, 14 bytes */
    assert_check(p, "\xc3\xa4\xc3\xa4\xc3\xa4\xc3\xa4\xc3\xa4\xc3\xa4\xc3\xa4", NOT_LONG);
    /* 8 characters, 16 bytes */
    assert_check(p, "\xc3\xa4\xc3\xa4\xc3\xa4\xc3\xa4\xc3\xa4\xc3\xa4\xc3\xa4\xc3\xa4", NULL);
    /* 7 characters with a 4-byte emoji and a 3-byte euro sign */
    assert_check(p, "abcd\xf0\x9f\x98\x80\xe2\x82\xac!", NOT_LONG);
    assert_check(p, "abcde\xf0\x9f\x98\x80\xe2\x82\xac!", NULL);
    cJSON_Delete(p);
}
END_TEST

START_TEST(test_password_letters_are_basic_latin_only)
{
    /* Accented letters are allowed but count as neither case. */
    assert_check(NULL,
                 "ABCDEF\xc3\xa9"
                 "1!",
                 NO_LOWER);
    assert_check(NULL,
                 "\xc3\x89"
                 "bcdefg1!",
                 NO_UPPER);
    assert_check(NULL,
                 "\xc3\x89"
                 "bcdefgA1!",
                 NULL);
    /* Other digits are not numbers. */
    assert_check(NULL, "Abcdefg\xd9\xa3!", NO_NUMBER);
}
END_TEST

START_TEST(test_password_symbols_are_cognitos_set)
{
    const char *set = "^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+-";
    char pw[16];

    for (const char *c = set; *c; c++) {
        snprintf(pw, sizeof(pw), "Abcdefg1%c", *c);
        assert_check(NULL, pw, NULL);
        snprintf(pw, sizeof(pw), "%cAbcdefg1", *c);
        assert_check(NULL, pw, NULL);
    }
    /* Characters outside the set do not count. */
    assert_check(NULL, "Abcdefg1\xe2\x82\xac", NO_SYMBOL);
    assert_check(NULL, "Abcdefg1\xc2\xa7", NO_SYMBOL);
    assert_check(NULL, "Abcdefg1\t", NO_SYMBOL);
    assert_check(NULL, "Abcd\tefg1", NO_SYMBOL);
}
END_TEST

START_TEST(test_password_inner_space_is_a_symbol_outer_is_not)
{
    assert_check(NULL, "Abcd efg1", NULL);
    assert_check(NULL, "Ab  cdefg1", NULL);
    assert_check(NULL, " Abcdefg1", NO_SYMBOL);
    assert_check(NULL, "Abcdefg1 ", NO_SYMBOL);
    assert_check(NULL, " Abcdefg1 ", NO_SYMBOL);
    assert_check(NULL, " Abcd efg1 ", NULL);
}
END_TEST

START_TEST(test_password_message_buffer_is_optional_and_bounded)
{
    char small[12];

    ck_assert_int_eq(password_check(NULL, "abc", NULL, 0), -1);
    ck_assert_int_eq(password_check(NULL, "Abcdef1!", NULL, 0), 0);
    memset(small, 'x', sizeof(small));
    ck_assert_int_eq(password_check(NULL, "abc", small, sizeof(small)), -1);
    ck_assert_str_eq(small, "Password di");
    ck_assert_int_eq(password_check(NULL, NULL, small, sizeof(small)), -1);
}
END_TEST

/* Only characters from the classes, and at least one of each the policy requires. */
static void assert_generated(const char *json, size_t want_len)
{
    cJSON *p = json != NULL ? policy_new(json) : NULL;
    char out[128], prev[128] = "", msg[160];

    for (int i = 0; i < 200; i++) {
        password_generate(p, out, sizeof(out));
        ck_assert_uint_eq(strlen(out), want_len);
        ck_assert_msg(password_check(p, out, msg, sizeof(msg)) == 0, "%s: %s", out, msg);
        ck_assert_uint_eq(strspn(out, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                      "0123456789^$*.[]{}()?!@#%&/,:;|_~=+-"),
                          want_len);
        ck_assert_str_ne(out, prev);
        memcpy(prev, out, sizeof(out));
    }
    cJSON_Delete(p);
}

START_TEST(test_password_generated_passwords_pass_their_policy)
{
    assert_generated(NULL, 12);
    assert_generated("{}", 12);
    assert_generated("{\"MinimumLength\":6,\"RequireUppercase\":false,\"RequireLowercase\":false,"
                     "\"RequireNumbers\":false,\"RequireSymbols\":false}",
                     12);
    assert_generated("{\"MinimumLength\":20,\"RequireNumbers\":false}", 20);
    assert_generated("{\"MinimumLength\":6,\"RequireUppercase\":false,\"RequireLowercase\":false,"
                     "\"RequireNumbers\":false,\"RequireSymbols\":true}",
                     12);
    assert_generated("{\"MinimumLength\":99,\"RequireUppercase\":true,\"RequireLowercase\":true,"
                     "\"RequireNumbers\":true,\"RequireSymbols\":true}",
                     99);
}
END_TEST

START_TEST(test_password_generate_respects_small_buffer)
{
    char out[32];

    memset(out, 'x', sizeof(out));
    password_generate(NULL, out, sizeof(out));
    ck_assert_uint_eq(strlen(out), 12);
    password_generate(NULL, out, 5); /* too small for the policy: truncated, terminated */
    ck_assert_uint_eq(strlen(out), 4);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("password");
    TCase *tc = tcase_create("password");

    tcase_add_test(tc, test_password_each_rule_has_cognitos_message);
    tcase_add_test(tc, test_password_reports_first_failure_in_cognitos_order);
    tcase_add_test(tc, test_password_policy_with_nothing_required);
    tcase_add_test(tc, test_password_each_requirement_alone);
    tcase_add_test(tc, test_password_absent_policy_or_members_take_defaults);
    tcase_add_test(tc, test_password_length_counts_characters_not_bytes);
    tcase_add_test(tc, test_password_letters_are_basic_latin_only);
    tcase_add_test(tc, test_password_symbols_are_cognitos_set);
    tcase_add_test(tc, test_password_inner_space_is_a_symbol_outer_is_not);
    tcase_add_test(tc, test_password_message_buffer_is_optional_and_bounded);
    tcase_add_test(tc, test_password_generated_passwords_pass_their_policy);
    tcase_add_test(tc, test_password_generate_respects_small_buffer);
    suite_add_tcase(s, tc);
    return s;
}
