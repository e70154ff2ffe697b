/*
 * check_http: the HTTP layer with a test handler on a real loopback socket: request
 * plumbing, CORS, the body cap, the idle timeout and bind failures.
 */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "http.h"
#include "testutil.h"

static struct http_server *srv;
static char base[64];

/* Echo what the handler saw, as JSON. */
static void echo(void *arg, const struct http_request *req, struct http_response *resp)
{
    char text[2048];
    const char *hdr = http_request_header(req, "x-test");

    snprintf(text, sizeof(text), "{\"method\":\"%s\",\"path\":\"%s\",\"len\":%zu,\"x\":\"%s\"}",
             req->method, req->path, req->body_len, hdr ? hdr : "");
    http_response_set_json(resp, 201, "application/json", text);
    http_response_add_header(resp, "X-Multi", "line\r\nInjected: yes");
    snprintf(resp->label, sizeof(resp->label), "echo");
}

static void too_large(void *arg, const struct http_request *req, struct http_response *resp)
{
    http_response_set_json(resp, 413, "application/json", "{\"too\":\"large\"}");
}

static int start(int port, unsigned timeout, struct http_server **out)
{
    struct http_config cfg = {.bind = "127.0.0.1",
                              .port = port,
                              .threads = 2,
                              .max_body = 1024,
                              .idle_timeout = timeout,
                              .handler = echo,
                              .too_large = too_large};
    return http_start(&cfg, out);
}

static void setup(void)
{
    ck_assert_int_eq(start(0, 2, &srv), 0);
    ck_assert_int_gt(http_port(srv), 0);
    snprintf(base, sizeof(base), "http://127.0.0.1:%d", http_port(srv));
}

static void teardown(void)
{
    http_stop(srv);
}

START_TEST(test_http_passes_method_path_body_and_headers)
{
    struct tu_http r;
    char url[128];
    const char *headers[] = {"X-Test: hello", NULL};

    snprintf(url, sizeof(url), "%s/some/path?query=1", base);
    tu_http_request("POST", url, headers, "abcdef", 6, &r);
    ck_assert_int_eq(r.status, 201);
    ck_assert_str_eq(r.body,
                     "{\"method\":\"POST\",\"path\":\"/some/path\",\"len\":6,\"x\":\"hello\"}");
    tu_http_free(&r);
}
END_TEST

START_TEST(test_http_header_values_cannot_inject_headers)
{
    struct tu_http r;
    char buf[256];

    tu_http_request("GET", base, NULL, NULL, 0, &r);
    ck_assert_ptr_null(tu_http_header(&r, "Injected", buf, sizeof(buf)));
    ck_assert_str_eq(tu_http_header(&r, "X-Multi", buf, sizeof(buf)), "line  Injected: yes");
    tu_http_free(&r);
}
END_TEST

START_TEST(test_http_preflight_echoes_requested_headers_and_origin)
{
    struct tu_http r;
    char buf[512];
    const char *headers[] = {"Origin: http://localhost:3000", "Access-Control-Request-Method: POST",
                             "Access-Control-Request-Headers: x-amz-target,amz-sdk-request", NULL};

    tu_http_request("OPTIONS", base, headers, NULL, 0, &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(tu_http_header(&r, "Access-Control-Allow-Origin", buf, sizeof(buf)),
                     "http://localhost:3000");
    ck_assert_str_eq(tu_http_header(&r, "Access-Control-Allow-Headers", buf, sizeof(buf)),
                     "x-amz-target,amz-sdk-request");
    ck_assert_ptr_nonnull(
        strstr(tu_http_header(&r, "Access-Control-Allow-Methods", buf, sizeof(buf)), "POST"));
    ck_assert_ptr_nonnull(strstr(
        tu_http_header(&r, "Access-Control-Expose-Headers", buf, sizeof(buf)), "x-amzn-ErrorType"));
    tu_http_free(&r);
}
END_TEST

START_TEST(test_http_preflight_without_requested_headers_allows_the_sdk_headers)
{
    struct tu_http r;
    char buf[512];

    tu_http_request("OPTIONS", base, NULL, NULL, 0, &r);
    ck_assert_str_eq(tu_http_header(&r, "Access-Control-Allow-Origin", buf, sizeof(buf)), "*");
    ck_assert_ptr_nonnull(
        strstr(tu_http_header(&r, "Access-Control-Allow-Headers", buf, sizeof(buf)),
               "amz-sdk-invocation-id"));
    tu_http_free(&r);
}
END_TEST

START_TEST(test_http_every_response_carries_cors)
{
    struct tu_http r;
    char buf[256];
    const char *headers[] = {"Origin: http://app.test", NULL};

    tu_http_request("POST", base, headers, "{}", 2, &r);
    ck_assert_str_eq(tu_http_header(&r, "Access-Control-Allow-Origin", buf, sizeof(buf)),
                     "http://app.test");
    ck_assert_ptr_nonnull(tu_http_header(&r, "Access-Control-Expose-Headers", buf, sizeof(buf)));
    tu_http_free(&r);
}
END_TEST

START_TEST(test_http_body_over_the_cap_gets_the_too_large_answer)
{
    struct tu_http r;
    char *big = malloc(5000);

    memset(big, 'x', 5000);
    tu_http_request("POST", base, NULL, big, 5000, &r);
    ck_assert_int_eq(r.status, 413);
    ck_assert_str_eq(r.body, "{\"too\":\"large\"}");
    tu_http_free(&r);
    /* Chunked uploads have no Content-Length and are counted as they arrive. */
    const char *chunked[] = {"Transfer-Encoding: chunked", NULL};
    tu_http_request("POST", base, chunked, big, 5000, &r);
    ck_assert_int_eq(r.status, 413);
    tu_http_free(&r);
    free(big);
    /* The server still serves. */
    tu_http_request("POST", base, NULL, "ok", 2, &r);
    ck_assert_int_eq(r.status, 201);
    tu_http_free(&r);
}
END_TEST

START_TEST(test_http_closes_idle_connections)
{
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)http_port(srv))};
    struct timeval limit = {.tv_sec = 10};
    char buf[16];
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    ck_assert_int_eq(connect(fd, (struct sockaddr *)&addr, sizeof(addr)), 0);
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof(limit));
    /* Half a request line, then silence: the server must hang up after its 2 s timeout. */
    ck_assert_int_eq(write(fd, "POST / HT", 9), 9);
    ck_assert_int_eq(read(fd, buf, sizeof(buf)), 0);
    close(fd);
}
END_TEST

START_TEST(test_http_port_in_use_fails_cleanly)
{
    struct http_server *second = NULL;

    ck_assert_int_eq(start(http_port(srv), 2, &second), -1);
    ck_assert_ptr_null(second);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("http");
    TCase *tc = tcase_create("http");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, test_http_passes_method_path_body_and_headers);
    tcase_add_test(tc, test_http_header_values_cannot_inject_headers);
    tcase_add_test(tc, test_http_preflight_echoes_requested_headers_and_origin);
    tcase_add_test(tc, test_http_preflight_without_requested_headers_allows_the_sdk_headers);
    tcase_add_test(tc, test_http_every_response_carries_cors);
    tcase_add_test(tc, test_http_body_over_the_cap_gets_the_too_large_answer);
    tcase_add_test(tc, test_http_closes_idle_connections);
    tcase_add_test(tc, test_http_port_in_use_fails_cleanly);
    suite_add_tcase(s, tc);
    return s;
}
