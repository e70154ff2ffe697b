/*
 * check_routes: the path table (routes.def) and its matcher, called without a socket: which
 * row answers which method and path, the {pool} placeholder, the "/..." prefix rows of the
 * control API, and the answers for everything else (AWS's 404 outside /_emu, the control
 * API's 404 and 405 inside), with their log labels.
 */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control/control.h"
#include "routes.h"
#include "testutil.h"

static struct tu_env *const env = &tu_fixture;

/* The rows of routes.def as data, to check the table itself. */
static const struct {
    const char *method;
    const char *pattern;
    bool control;
} rows[] = {
#define ROUTE(method, pattern, fn) {method, pattern, false},
#define DOMAIN(method, pattern, fn) {method, pattern, false},
#define CONTROL(method, pattern, fn) {method, pattern, true},
#include "routes.def"
#undef ROUTE
#undef DOMAIN
#undef CONTROL
};
#define NROWS (sizeof(rows) / sizeof(rows[0]))

/* One answer of routes_handle(), its body parsed. */
struct answer {
    int status;
    cJSON *json;
    char label[96];
    char error_type[96]; /* the x-amzn-ErrorType header, or "" */
};

/* Route method path (with body) as the server would; the caller frees a->json. */
static void route(const char *method, const char *path, const char *body, struct answer *a)
{
    struct http_request req = {.method = method,
                               .path = path,
                               .body = body ? body : "",
                               .body_len = body ? strlen(body) : 0};
    struct http_response resp = {0};

    routes_handle(&env->app, &req, &resp);
    a->status = resp.status;
    a->json = resp.body ? cJSON_ParseWithLength(resp.body, resp.body_len) : NULL;
    snprintf(a->label, sizeof(a->label), "%s", resp.label);
    a->error_type[0] = '\0';
    for (size_t i = 0; i < resp.nheaders; i++)
        if (strcmp(resp.headers[i].name, "x-amzn-ErrorType") == 0)
            snprintf(a->error_type, sizeof(a->error_type), "%s", resp.headers[i].value);
    ck_assert_msg(!resp.failed, "%s %s: the response failed", method, path);
    ck_assert_msg(a->json != NULL, "%s %s: not JSON", method, path);
    http_response_clear(&resp);
}

/* Assert method path answers AWS's 404 UnknownOperationException. */
static void assert_aws_404(const char *method, const char *path)
{
    struct answer a;

    route(method, path, NULL, &a);
    ck_assert_msg(a.status == 404, "%s %s: %d", method, path, a.status);
    ck_assert_str_eq(tu_error_type(a.json), "UnknownOperationException");
    ck_assert_str_eq(a.error_type, "UnknownOperationException:");
    ck_assert_str_eq(a.label, "- UnknownOperationException");
    cJSON_Delete(a.json);
}

/* Assert method path answers the control API's error kind with status. */
static void assert_control_error(const char *method, const char *path, int status, const char *kind)
{
    struct answer a;
    char label[96];

    route(method, path, NULL, &a);
    ck_assert_msg(a.status == status, "%s %s: %d", method, path, a.status);
    ck_assert_str_eq(tu_str(a.json, "error"), kind);
    snprintf(label, sizeof(label), "control %s", path);
    ck_assert_str_eq(a.label, label);
    cJSON_Delete(a.json);
}

START_TEST(test_routes_table_rows_are_well_formed)
{
    static const char *const methods[] = {"GET", "POST", "PUT", "DELETE", "PATCH"};

    for (size_t i = 0; i < NROWS; i++) {
        size_t n = strlen(rows[i].pattern);
        bool known = false, prefix = n >= 4 && strcmp(rows[i].pattern + n - 4, "/...") == 0;

        for (size_t k = 0; k < sizeof(methods) / sizeof(methods[0]); k++)
            known |= strcmp(rows[i].method, methods[k]) == 0;
        ck_assert_msg(known, "row %zu: method %s", i, rows[i].method);
        ck_assert_msg(rows[i].pattern[0] == '/', "row %zu: %s", i, rows[i].pattern);
        /* Control rows are the prefixes under /_emu, and only they are there. */
        ck_assert_msg(control_owns(rows[i].pattern) == rows[i].control, "row %zu", i);
        ck_assert_msg(!rows[i].control || prefix, "row %zu: %s", i, rows[i].pattern);
        for (size_t j = 0; j < i; j++)
            ck_assert_msg(strcmp(rows[i].method, rows[j].method) != 0 ||
                              strcmp(rows[i].pattern, rows[j].pattern) != 0,
                          "rows %zu and %zu are the same", j, i);
    }
}
END_TEST

START_TEST(test_routes_aws_api_and_health)
{
    struct answer a;

    route("POST", "/", "{}", &a); /* no X-Amz-Target */
    ck_assert_int_eq(a.status, 400);
    ck_assert_str_eq(tu_error_type(a.json), "UnknownOperationException");
    cJSON_Delete(a.json);
    route("GET", "/health", NULL, &a);
    ck_assert_int_eq(a.status, 200);
    ck_assert_str_eq(tu_str(a.json, "status"), "ok");
    ck_assert_str_eq(a.label, "health");
    cJSON_Delete(a.json);
    route("HEAD", "/health", NULL, &a);
    ck_assert_int_eq(a.status, 200);
    cJSON_Delete(a.json);
}
END_TEST

START_TEST(test_routes_unknown_paths_and_methods_are_aws_404)
{
    assert_aws_404("GET", "/");
    assert_aws_404("HEAD", "/");
    assert_aws_404("PUT", "/");
    assert_aws_404("POST", "/health");
    assert_aws_404("GET", "/health/");
    assert_aws_404("GET", "/healthx");
    assert_aws_404("GET", "/nothing");
    assert_aws_404("GET", "");
    assert_aws_404("GET", "/_emux");
    assert_aws_404("POST", "/_emux/reset");
}
END_TEST

START_TEST(test_routes_pool_documents_match_well_formed_ids)
{
    char *pool = tu_create_user_pool(env, "{\"PoolName\":\"p\"}");
    char path[160];
    struct answer a;

    snprintf(path, sizeof(path), "/%s/.well-known/jwks.json", pool);
    route("GET", path, NULL, &a);
    ck_assert_int_eq(a.status, 200);
    ck_assert_int_eq(cJSON_GetArraySize(tu_get(a.json, "keys")), 2);
    ck_assert_str_eq(a.label, "jwks");
    cJSON_Delete(a.json);
    route("HEAD", path, NULL, &a);
    ck_assert_int_eq(a.status, 200);
    cJSON_Delete(a.json);
    assert_aws_404("POST", path);
    snprintf(path, sizeof(path), "/%s/.well-known/openid-configuration", pool);
    route("GET", path, NULL, &a);
    ck_assert_int_eq(a.status, 200);
    ck_assert_ptr_nonnull(strstr(tu_str(a.json, "jwks_uri"), pool));
    ck_assert_str_eq(a.label, "openid-configuration");
    cJSON_Delete(a.json);
    /* Not exactly the pattern, or not a well-formed id: the generic 404. */
    snprintf(path, sizeof(path), "/%s/.well-known/jwks.json/", pool);
    assert_aws_404("GET", path);
    snprintf(path, sizeof(path), "/x/%s/.well-known/jwks.json", pool);
    assert_aws_404("GET", path);
    assert_aws_404("GET", "//.well-known/jwks.json");
    assert_aws_404("GET", "/bad/.well-known/jwks.json");
    assert_aws_404("GET", "/_x/.well-known/jwks.json");
    assert_aws_404("GET", "/x_/.well-known/jwks.json");
    assert_aws_404("GET", "/x_y-/.well-known/jwks.json");
    assert_aws_404("GET", "/us-east-1_0123456789012345678901234567890123456789012345/"
                          ".well-known/jwks.json"); /* 56 characters */
    free(pool);
}
END_TEST

START_TEST(test_routes_missing_pool_is_resource_not_found)
{
    struct answer a;

    route("GET", "/us-east-1_nothere1/.well-known/openid-configuration", NULL, &a);
    ck_assert_int_eq(a.status, 404);
    ck_assert_str_eq(tu_error_type(a.json), "ResourceNotFoundException");
    ck_assert_str_eq(a.error_type, "ResourceNotFoundException:");
    ck_assert_str_eq(a.label, "openid-configuration ResourceNotFoundException");
    cJSON_Delete(a.json);
    /* 55 characters is still a pool id. */
    route("GET", "/us-east-1_012345678901234567890123456789012345678901234/.well-known/jwks.json",
          NULL, &a);
    ck_assert_int_eq(a.status, 404);
    ck_assert_str_eq(tu_error_type(a.json), "ResourceNotFoundException");
    cJSON_Delete(a.json);
}
END_TEST

START_TEST(test_routes_control_index_lists_the_control_rows)
{
    struct answer a;
    const cJSON *list, *first;
    int count = 0;

    for (size_t i = 0; i < NROWS; i++)
        count += rows[i].control;
    route("GET", "/_emu", NULL, &a);
    ck_assert_int_eq(a.status, 200);
    ck_assert_str_eq(a.label, "control /_emu");
    list = tu_get(a.json, "endpoints");
    ck_assert_int_eq(cJSON_GetArraySize(list), count);
    first = cJSON_GetArrayItem(list, 0);
    ck_assert_str_eq(tu_str(first, "method"), "GET");
    ck_assert_str_eq(tu_str(first, "path"), "/_emu");
    ck_assert_str_eq(tu_str(cJSON_GetArrayItem(list, 1), "path"), "/_emu/messages");
    cJSON_Delete(a.json);
    route("HEAD", "/_emu/", NULL, &a);
    ck_assert_int_eq(a.status, 200);
    cJSON_Delete(a.json);
}
END_TEST

START_TEST(test_routes_control_prefixes_pass_the_rest)
{
    struct answer a;

    /* /_emu/identities/<id>: the rest is the id. */
    assert_control_error("GET", "/_emu/identities/us-east-1:00000000-0000-4000-8000-000000000000",
                         404, "NotFound");
    route("GET", "/_emu/clock", NULL, &a);
    ck_assert_int_eq(a.status, 200);
    ck_assert_str_eq(a.label, "control /_emu/clock");
    cJSON_Delete(a.json);
    route("GET", "/_emu/clock/", NULL, &a);
    ck_assert_int_eq(a.status, 200);
    cJSON_Delete(a.json);
    /* Endpoints that take no rest, and paths no row names, are the control API's 404. */
    assert_control_error("GET", "/_emu/clock/x", 404, "NotFound");
    assert_control_error("GET", "/_emu/nothing", 404, "NotFound");
    assert_control_error("GET", "/_emu/identity/jwks.json/x", 404, "NotFound");
}
END_TEST

START_TEST(test_routes_control_wrong_method_is_405)
{
    assert_control_error("PUT", "/_emu", 405, "MethodNotAllowed");
    assert_control_error("POST", "/_emu/nothing", 405, "MethodNotAllowed");
    assert_control_error("DELETE", "/_emu/clock", 405, "MethodNotAllowed");
    assert_control_error("PATCH", "/_emu/messages/x", 405, "MethodNotAllowed");
    /* GET /_emu/... exists, but a longer prefix with another method wins the path. */
    assert_control_error("GET", "/_emu/reset", 405, "MethodNotAllowed");
    assert_control_error("GET", "/_emu/fixtures/x", 405, "MethodNotAllowed");
}
END_TEST

START_TEST(test_routes_control_body_must_be_json)
{
    struct answer a;

    route("POST", "/_emu/clock", "{bad", &a);
    ck_assert_int_eq(a.status, 400);
    ck_assert_str_eq(tu_str(a.json, "error"), "BadRequest");
    cJSON_Delete(a.json);
    route("GET", "/_emu/clock", " \r\n", &a); /* blank is no body */
    ck_assert_int_eq(a.status, 200);
    cJSON_Delete(a.json);
}
END_TEST

START_TEST(test_routes_too_large_is_aws_shaped)
{
    struct http_request req = {.method = "POST", .path = "/", .body = ""};
    struct http_response resp = {0};
    cJSON *json;

    routes_too_large(&env->app, &req, &resp);
    ck_assert_int_eq(resp.status, 413);
    json = cJSON_ParseWithLength(resp.body, resp.body_len);
    ck_assert_str_eq(tu_error_type(json), "RequestEntityTooLargeException");
    ck_assert_str_eq(resp.label, "- RequestEntityTooLargeException");
    cJSON_Delete(json);
    http_response_clear(&resp);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("routes");
    TCase *tc = tcase_create("routes");

    tcase_add_checked_fixture(tc, tu_setup, tu_teardown);
    tcase_add_test(tc, test_routes_table_rows_are_well_formed);
    tcase_add_test(tc, test_routes_aws_api_and_health);
    tcase_add_test(tc, test_routes_unknown_paths_and_methods_are_aws_404);
    tcase_add_test(tc, test_routes_pool_documents_match_well_formed_ids);
    tcase_add_test(tc, test_routes_missing_pool_is_resource_not_found);
    tcase_add_test(tc, test_routes_control_index_lists_the_control_rows);
    tcase_add_test(tc, test_routes_control_prefixes_pass_the_rest);
    tcase_add_test(tc, test_routes_control_wrong_method_is_405);
    tcase_add_test(tc, test_routes_control_body_must_be_json);
    tcase_add_test(tc, test_routes_too_large_is_aws_shaped);
    suite_add_tcase(s, tc);
    return s;
}
