/*
 * check_form: urlencoded bodies, Cookie headers and Set-Cookie values (http/form.c), with
 * hostile input: bad and truncated escapes, NUL bytes, empty names, very long values.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/form.h"
#include "testutil.h"

/* Parse text (as a body of strlen(text) bytes); fails the test unless it parses. */
static struct form *parse_ok(const char *text)
{
    struct form *f = NULL;

    ck_assert_int_eq(form_parse(text, strlen(text), &f), FORM_OK);
    ck_assert_ptr_nonnull(f);
    return f;
}

/* Fail the test unless text is refused as malformed (and nothing is handed out). */
static void assert_malformed(const char *text, size_t len)
{
    struct form *f = (struct form *)1;

    ck_assert_msg(form_parse(text, len, &f) == FORM_MALFORMED, "accepted: %.*s", (int)len, text);
    ck_assert_ptr_null(f);
}

START_TEST(test_form_parses_pairs_in_order)
{
    struct form *f = parse_ok("grant_type=authorization_code&code=abc&redirect_uri=x");

    ck_assert_uint_eq(f->count, 3);
    ck_assert_str_eq(f->fields[0].name, "grant_type");
    ck_assert_str_eq(form_get(f, "grant_type"), "authorization_code");
    ck_assert_str_eq(form_get(f, "code"), "abc");
    ck_assert_str_eq(form_get(f, "redirect_uri"), "x");
    ck_assert_ptr_null(form_get(f, "Code"));
    ck_assert_ptr_null(form_get(f, "missing"));
    form_free(f);
}
END_TEST

START_TEST(test_form_decodes_percent_and_plus)
{
    struct form *f = parse_ok("redirect_uri=https%3A%2F%2Fapp.test%2Fcb%3Fa%3D1&q=a+b%2bc&"
                              "na%6De=%E2%82%AC&lower=%c3%a9");

    ck_assert_str_eq(form_get(f, "redirect_uri"), "https://app.test/cb?a=1");
    ck_assert_str_eq(form_get(f, "q"), "a b+c");
    ck_assert_str_eq(form_get(f, "name"), "\xe2\x82\xac");
    ck_assert_str_eq(form_get(f, "lower"), "\xc3\xa9");
    form_free(f);
}
END_TEST

START_TEST(test_form_repeated_name_gives_the_first)
{
    struct form *f = parse_ok("scope=openid&scope=email");

    ck_assert_uint_eq(f->count, 2);
    ck_assert_str_eq(form_get(f, "scope"), "openid");
    form_free(f);
}
END_TEST

START_TEST(test_form_empty_pairs_names_and_values)
{
    struct form *f = parse_ok("&&a&=x&b=&c==d&");

    ck_assert_uint_eq(f->count, 4);
    ck_assert_str_eq(form_get(f, "a"), "");
    ck_assert_str_eq(form_get(f, ""), "x");
    ck_assert_str_eq(form_get(f, "b"), "");
    ck_assert_str_eq(form_get(f, "c"), "=d");
    form_free(f);
    f = parse_ok("");
    ck_assert_uint_eq(f->count, 0);
    ck_assert_ptr_null(form_get(f, "a"));
    form_free(f);
    ck_assert_int_eq(form_parse(NULL, 0, &f), FORM_OK);
    ck_assert_uint_eq(f->count, 0);
    form_free(f);
    form_free(NULL);
    ck_assert_ptr_null(form_get(NULL, "a"));
}
END_TEST

START_TEST(test_form_refuses_bad_escapes_and_nul)
{
    assert_malformed("a=%", 3);
    assert_malformed("a=%4", 4);
    assert_malformed("a=%4g", 5);
    assert_malformed("a=%g4", 5);
    assert_malformed("a=%%41", 6);
    assert_malformed("%=1", 3);
    assert_malformed("a=1&b=x%", 8);
    assert_malformed("a=%00", 5);
    assert_malformed("a=1\0b=2", 7);
    /* The length is the bound, not a NUL: "%4" then '1' past the end is not read. */
    assert_malformed("a=%41", 4);
}
END_TEST

START_TEST(test_form_takes_very_long_values_and_many_fields)
{
    size_t n = 1024 * 1024;
    char *body = malloc(n * 3 + 16), *p = body;
    struct form *f;

    memcpy(p, "big=", 4);
    p += 4;
    for (size_t i = 0; i < n; i++, p += 3)
        memcpy(p, "%41", 3);
    *p = '\0';
    f = parse_ok(body);
    ck_assert_uint_eq(strlen(form_get(f, "big")), n);
    ck_assert_int_eq(form_get(f, "big")[n - 1], 'A');
    form_free(f);
    /* 10,000 fields: the list grows. */
    p = body;
    for (int i = 0; i < 10000; i++)
        p += snprintf(p, 32, "k%d=v%d&", i, i);
    f = parse_ok(body);
    ck_assert_uint_eq(f->count, 10000);
    ck_assert_str_eq(form_get(f, "k9999"), "v9999");
    form_free(f);
    free(body);
}
END_TEST

START_TEST(test_form_cookies_parse_and_trim)
{
    struct form *f = NULL;

    ck_assert_int_eq(form_parse_cookies(" sid=abc;theme = dark ;\tq=\"quoted\"; flag; =nameless;"
                                        " enc=a%20b; empty=; last=x",
                                        &f),
                     FORM_OK);
    ck_assert_uint_eq(f->count, 6);
    ck_assert_str_eq(form_get(f, "sid"), "abc");
    ck_assert_str_eq(form_get(f, "theme"), "dark");
    ck_assert_str_eq(form_get(f, "q"), "quoted");
    ck_assert_ptr_null(form_get(f, "flag"));
    ck_assert_ptr_null(form_get(f, ""));
    ck_assert_str_eq(form_get(f, "enc"), "a%20b");
    ck_assert_str_eq(form_get(f, "empty"), "");
    ck_assert_str_eq(form_get(f, "last"), "x");
    form_free(f);
}
END_TEST

START_TEST(test_form_cookies_hostile_headers)
{
    struct form *f = NULL;
    size_t n = 256 * 1024;
    char *big = malloc(n + 8);

    ck_assert_int_eq(form_parse_cookies(NULL, &f), FORM_OK);
    ck_assert_uint_eq(f->count, 0);
    form_free(f);
    ck_assert_int_eq(form_parse_cookies(";;; ;=;==; \"", &f), FORM_OK);
    ck_assert_uint_eq(f->count, 0);
    form_free(f);
    ck_assert_int_eq(form_parse_cookies("a=\"", &f), FORM_OK);
    ck_assert_str_eq(form_get(f, "a"), "\"");
    form_free(f);
    memcpy(big, "v=", 2);
    memset(big + 2, 'x', n);
    big[n + 2] = '\0';
    ck_assert_int_eq(form_parse_cookies(big, &f), FORM_OK);
    ck_assert_uint_eq(strlen(form_get(f, "v")), n);
    form_free(f);
    free(big);
}
END_TEST

START_TEST(test_form_set_cookie_with_every_attribute)
{
    struct form_cookie c = {.name = "sid",
                            .value = "abc123",
                            .path = "/",
                            .max_age = 3600,
                            .http_only = true,
                            .secure = true,
                            .same_site = "Lax"};
    char *text = form_cookie_format(&c);

    ck_assert_str_eq(text, "sid=abc123; Path=/; Max-Age=3600; HttpOnly; Secure; SameSite=Lax");
    free(text);
    text = form_cookie_format(&(struct form_cookie){.name = "a", .value = ""});
    ck_assert_str_eq(text, "a=");
    free(text);
    text = form_cookie_format(
        &(struct form_cookie){.name = "a", .value = "x", .max_age = FORM_COOKIE_DELETE});
    ck_assert_str_eq(text, "a=x; Max-Age=0");
    free(text);
    text = form_cookie_format(
        &(struct form_cookie){.name = "a", .value = "x", .secure = true, .same_site = "None"});
    ck_assert_str_eq(text, "a=x; Secure; SameSite=None");
    free(text);
}
END_TEST

START_TEST(test_form_set_cookie_refuses_what_browsers_would_misread)
{
    const struct form_cookie bad[] = {
        {.name = "", .value = "x"},
        {.name = "a b", .value = "x"},
        {.name = "a=b", .value = "x"},
        {.name = "a;", .value = "x"},
        {.name = NULL, .value = "x"},
        {.name = "a", .value = NULL},
        {.name = "a", .value = "x y"},
        {.name = "a", .value = "x;Path=/"},
        {.name = "a", .value = "x,y"},
        {.name = "a", .value = "\"x\""},
        {.name = "a", .value = "x\\y"},
        {.name = "a", .value = "x\r\nSet-Cookie: b=1"},
        {.name = "a", .value = "\xc3\xa9"},
        {.name = "a", .value = "x", .path = "/; Domain=evil"},
        {.name = "a", .value = "x", .path = "/\n"},
        {.name = "a", .value = "x", .same_site = "lax"},
        {.name = "a", .value = "x", .same_site = "None"},
    };

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        ck_assert_msg(form_cookie_format(&bad[i]) == NULL, "row %zu formatted", i);
}
END_TEST

START_TEST(test_form_set_cookie_long_value_whole)
{
    size_t n = 8192;
    char *value = malloc(n + 1), *text;

    memset(value, 'v', n);
    value[n] = '\0';
    text = form_cookie_format(&(struct form_cookie){.name = "big", .value = value, .path = "/"});
    ck_assert_uint_eq(strlen(text), 4 + n + strlen("; Path=/"));
    free(text);
    free(value);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("form");
    TCase *tc = tcase_create("form");

    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, test_form_parses_pairs_in_order);
    tcase_add_test(tc, test_form_decodes_percent_and_plus);
    tcase_add_test(tc, test_form_repeated_name_gives_the_first);
    tcase_add_test(tc, test_form_empty_pairs_names_and_values);
    tcase_add_test(tc, test_form_refuses_bad_escapes_and_nul);
    tcase_add_test(tc, test_form_takes_very_long_values_and_many_fields);
    tcase_add_test(tc, test_form_cookies_parse_and_trim);
    tcase_add_test(tc, test_form_cookies_hostile_headers);
    tcase_add_test(tc, test_form_set_cookie_with_every_attribute);
    tcase_add_test(tc, test_form_set_cookie_refuses_what_browsers_would_misread);
    tcase_add_test(tc, test_form_set_cookie_long_value_whole);
    suite_add_tcase(s, tc);
    return s;
}
