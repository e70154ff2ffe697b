/*
 * check_settings: defaults, environment variables, flags and their precedence.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "settings.h"
#include "testutil.h"

static enum settings_result parse(struct settings *s, const char *a1, const char *a2)
{
    char *argv[] = {(char *)"cognito-emu", (char *)a1, (char *)a2, NULL};
    int argc = a1 == NULL ? 1 : (a2 == NULL ? 2 : 3);

    return settings_parse(s, argc, argv);
}

static void clear_env(void)
{
    const char *vars[] = {
        "COGNITO_EMU_PORT",       "COGNITO_EMU_BIND",           "COGNITO_EMU_DATA_DIR",
        "COGNITO_EMU_DB",         "COGNITO_EMU_REGION",         "COGNITO_EMU_ACCOUNT_ID",
        "COGNITO_EMU_PUBLIC_URL", "COGNITO_EMU_THREADS",        "COGNITO_EMU_LOG_LEVEL",
        "COGNITO_EMU_MAX_BODY",   "COGNITO_EMU_IDLE_TIMEOUT",   "COGNITO_EMU_FIXTURES",
        "COGNITO_EMU_FIXED_CODE", "COGNITO_EMU_LAMBDA_ENDPOINT"};
    for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
        unsetenv(vars[i]);
}

START_TEST(test_settings_defaults)
{
    struct settings s;

    clear_env();
    ck_assert_int_eq(parse(&s, NULL, NULL), SETTINGS_RUN);
    ck_assert_int_eq(s.port, 9229);
    ck_assert_str_eq(s.bind, "127.0.0.1");
    ck_assert_str_eq(s.region, "us-east-1");
    ck_assert_str_eq(s.account_id, "123456789012");
    ck_assert_str_eq(s.db_path, "./.cognito-emu/cognito-emu.db");
    ck_assert_int_ge(s.threads, 1);
    ck_assert_uint_eq(s.max_body, 1024 * 1024);
    ck_assert_int_eq(s.log_level, LOG_LEVEL_INFO);
    settings_set_port(&s, 4321);
    ck_assert_str_eq(s.public_url, "http://localhost:4321");
}
END_TEST

START_TEST(test_settings_flags_override_environment)
{
    struct settings s;

    clear_env();
    setenv("COGNITO_EMU_PORT", "1234", 1);
    setenv("COGNITO_EMU_REGION", "eu-west-1", 1);
    ck_assert_int_eq(parse(&s, "--port=5678", NULL), SETTINGS_RUN);
    ck_assert_int_eq(s.port, 5678);
    ck_assert_str_eq(s.region, "eu-west-1");
    clear_env();
}
END_TEST

START_TEST(test_settings_data_dir_and_db)
{
    struct settings s;

    clear_env();
    ck_assert_int_eq(parse(&s, "--data-dir", "/tmp/x"), SETTINGS_RUN);
    ck_assert_str_eq(s.db_path, "/tmp/x/cognito-emu.db");
    ck_assert_int_eq(parse(&s, "--db", ":memory:"), SETTINGS_RUN);
    ck_assert_str_eq(s.db_path, ":memory:");
}
END_TEST

START_TEST(test_settings_public_url_is_kept_without_trailing_slash)
{
    struct settings s;

    clear_env();
    ck_assert_int_eq(parse(&s, "--public-url", "http://cognito:9229/"), SETTINGS_RUN);
    ck_assert_str_eq(s.public_url, "http://cognito:9229");
    settings_set_port(&s, 1);
    ck_assert_str_eq(s.public_url, "http://cognito:9229");
}
END_TEST

START_TEST(test_settings_issuer_is_local_by_default_and_aws_on_request)
{
    struct settings s;
    char iss[256];

    clear_env();
    ck_assert_int_eq(parse(&s, "--public-url", "http://cognito:9229"), SETTINGS_RUN);
    settings_issuer(&s, "eu-west-1_AbCdEfGhI", iss, sizeof(iss));
    ck_assert_str_eq(iss, "http://cognito:9229/eu-west-1_AbCdEfGhI");
    ck_assert_int_eq(parse(&s, "--issuer", "aws"), SETTINGS_RUN);
    settings_issuer(&s, "eu-west-1_AbCdEfGhI", iss, sizeof(iss));
    ck_assert_str_eq(iss, "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEfGhI");
    ck_assert_int_eq(parse(&s, "--issuer", "google"), SETTINGS_EXIT_USAGE);
}
END_TEST

START_TEST(test_settings_rejects_bad_values)
{
    struct settings s;

    clear_env();
    ck_assert_int_eq(parse(&s, "--port", "70000"), SETTINGS_EXIT_USAGE);
    ck_assert_int_eq(parse(&s, "--port", "12x"), SETTINGS_EXIT_USAGE);
    ck_assert_int_eq(parse(&s, "--threads", "0"), SETTINGS_EXIT_USAGE);
    ck_assert_int_eq(parse(&s, "--account-id", "12"), SETTINGS_EXIT_USAGE);
    ck_assert_int_eq(parse(&s, "--region", "US EAST"), SETTINGS_EXIT_USAGE);
    ck_assert_int_eq(parse(&s, "--public-url", "localhost:9229"), SETTINGS_EXIT_USAGE);
    ck_assert_int_eq(parse(&s, "--log-level", "loud"), SETTINGS_EXIT_USAGE);
    ck_assert_int_eq(parse(&s, "--no-such-flag", NULL), SETTINGS_EXIT_USAGE);
    ck_assert_int_eq(parse(&s, "stray", NULL), SETTINGS_EXIT_USAGE);
    setenv("COGNITO_EMU_THREADS", "many", 1);
    ck_assert_int_eq(parse(&s, NULL, NULL), SETTINGS_EXIT_USAGE);
    clear_env();
}
END_TEST

START_TEST(test_settings_healthcheck_probes_own_port_or_a_url)
{
    struct settings s;
    char *argv[] = {(char *)"cognito-emu", (char *)"--port", (char *)"4000",
                    (char *)"--healthcheck", NULL};

    clear_env();
    ck_assert_int_eq(settings_parse(&s, 4, argv), SETTINGS_HEALTHCHECK);
    ck_assert_str_eq(s.healthcheck_url, "http://127.0.0.1:4000/health");
    ck_assert_int_eq(parse(&s, "--healthcheck=http://cognito:9229/health", NULL),
                     SETTINGS_HEALTHCHECK);
    ck_assert_str_eq(s.healthcheck_url, "http://cognito:9229/health");
}
END_TEST

START_TEST(test_settings_help_and_version_exit_ok)
{
    struct settings s;

    clear_env();
    ck_assert_int_eq(parse(&s, "--help", NULL), SETTINGS_EXIT_OK);
    ck_assert_int_eq(parse(&s, "--version", NULL), SETTINGS_EXIT_OK);
}
END_TEST

START_TEST(test_settings_fixtures_and_fixed_code)
{
    struct settings s;

    clear_env();
    ck_assert_int_eq(parse(&s, NULL, NULL), SETTINGS_RUN);
    ck_assert_str_eq(s.fixtures, "");
    ck_assert_str_eq(s.fixed_code, "");
    ck_assert_int_eq(parse(&s, "--fixtures", "fixtures/example.json"), SETTINGS_RUN);
    ck_assert_str_eq(s.fixtures, "fixtures/example.json");
    ck_assert_int_eq(parse(&s, "--fixed-code", "012345"), SETTINGS_RUN);
    ck_assert_str_eq(s.fixed_code, "012345");
    setenv("COGNITO_EMU_FIXTURES", "/fixtures", 1);
    setenv("COGNITO_EMU_FIXED_CODE", "111111", 1);
    ck_assert_int_eq(parse(&s, NULL, NULL), SETTINGS_RUN);
    ck_assert_str_eq(s.fixtures, "/fixtures");
    ck_assert_str_eq(s.fixed_code, "111111");
    clear_env();
    ck_assert_int_eq(parse(&s, "--fixed-code", "12345"), SETTINGS_EXIT_USAGE);
    ck_assert_int_eq(parse(&s, "--fixed-code", "1234567"), SETTINGS_EXIT_USAGE);
    ck_assert_int_eq(parse(&s, "--fixed-code", "12345a"), SETTINGS_EXIT_USAGE);
    ck_assert_int_eq(parse(&s, "--fixtures", ""), SETTINGS_EXIT_USAGE);
}
END_TEST

/* Where triggers go: a URL (a trailing slash dropped), "none", or unset; nothing else. */
START_TEST(test_settings_lambda_endpoint)
{
    struct settings s;

    clear_env();
    ck_assert_int_eq(parse(&s, NULL, NULL), SETTINGS_RUN);
    ck_assert_str_eq(s.lambda_endpoint, "");
    ck_assert_int_eq(parse(&s, "--lambda-endpoint", "http://127.0.0.1:3002/"), SETTINGS_RUN);
    ck_assert_str_eq(s.lambda_endpoint, "http://127.0.0.1:3002");
    ck_assert_int_eq(parse(&s, "--lambda-endpoint", "none"), SETTINGS_RUN);
    ck_assert_str_eq(s.lambda_endpoint, "none");
    setenv("COGNITO_EMU_LAMBDA_ENDPOINT", "https://lambda.example:4566", 1);
    ck_assert_int_eq(parse(&s, NULL, NULL), SETTINGS_RUN);
    ck_assert_str_eq(s.lambda_endpoint, "https://lambda.example:4566");
    clear_env();
    ck_assert_int_eq(parse(&s, "--lambda-endpoint", "localhost:3002"), SETTINGS_EXIT_USAGE);
    ck_assert_int_eq(parse(&s, "--lambda-endpoint", ""), SETTINGS_EXIT_USAGE);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("settings");
    TCase *tc = tcase_create("settings");

    tcase_add_test(tc, test_settings_defaults);
    tcase_add_test(tc, test_settings_flags_override_environment);
    tcase_add_test(tc, test_settings_data_dir_and_db);
    tcase_add_test(tc, test_settings_public_url_is_kept_without_trailing_slash);
    tcase_add_test(tc, test_settings_issuer_is_local_by_default_and_aws_on_request);
    tcase_add_test(tc, test_settings_rejects_bad_values);
    tcase_add_test(tc, test_settings_healthcheck_probes_own_port_or_a_url);
    tcase_add_test(tc, test_settings_help_and_version_exit_ok);
    tcase_add_test(tc, test_settings_fixtures_and_fixed_code);
    tcase_add_test(tc, test_settings_lambda_endpoint);
    suite_add_tcase(s, tc);
    return s;
}
