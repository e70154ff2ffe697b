/*
 * check_http: the HTTP layer with a test handler on a real loopback socket: request
 * plumbing, query parameters, long and repeated response headers, bodies of any content type,
 * CORS, the body cap, the idle timeout, bind failures, and deferred answers (a parked request
 * leaves its worker free, wakes, times out, and does not hold up stopping); and again with
 * handlers_wait, where handlers run off the event loops and a waiting one holds only itself.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "util/clock.h"
#include "http/http.h"
#include "testutil.h"

static struct http_server *srv;
static char base[64];

/* The deferred requests of the test handler: GET /defer?wait=<ms>. */
static atomic_int parked;   /* deferrals so far */
static atomic_int freed;    /* their states freed */
static atomic_int released; /* set: the polls answer "released" */

static bool release_poll(void *state, const struct http_request *req, struct http_response *resp,
                         bool last)
{
    if (!atomic_load(&released) && !last)
        return false;
    http_response_set_json(resp, 200, "application/json",
                           atomic_load(&released) ? "{\"answer\":\"released\"}"
                                                  : "{\"answer\":\"deadline\"}");
    return true;
}

static void release_free(void *state)
{
    free(state);
    atomic_fetch_add(&freed, 1);
}

/* GET /wait: waits (http_wait_begin) until wait_released, or WAIT_MS; then 200 "waited". */
#define WAIT_MS 2000
static atomic_int waiting;       /* handlers inside the wait */
static atomic_int waited;        /* handlers done waiting */
static atomic_int wait_released; /* set: the waits end */

static void wait_handler(struct http_response *resp)
{
    http_wait_begin();
    atomic_fetch_add(&waiting, 1);
    for (int ms = 0; ms < WAIT_MS && !atomic_load(&wait_released); ms++)
        usleep(1000);
    atomic_fetch_sub(&waiting, 1);
    http_wait_end();
    atomic_fetch_add(&waited, 1);
    http_response_set_json(resp, 200, "text/plain", "waited");
}

/* Whether the test handlers run off the event loops. */
static bool handlers_wait;

/* A Location this long (2 KB) must arrive whole. */
#define LONG_LOCATION 2048

/* GET /redirect: a 302 with a 2 KB Location and three Set-Cookie headers. */
static void redirect(struct http_response *resp)
{
    char *location = malloc(LONG_LOCATION + 1);
    size_t n = (size_t)snprintf(location, LONG_LOCATION + 1, "http://app.test/cb?state=");

    memset(location + n, 's', LONG_LOCATION - n);
    location[LONG_LOCATION] = '\0';
    resp->status = 302;
    ck_assert_int_eq(http_response_add_header(resp, "Location", location), 0);
    ck_assert_int_eq(http_response_add_header(resp, "Set-Cookie", "a=1; Path=/"), 0);
    ck_assert_int_eq(http_response_add_header(resp, "Set-Cookie", "b=2; HttpOnly"), 0);
    ck_assert_int_eq(http_response_add_header(resp, "Set-Cookie", "c=3; Secure"), 0);
    free(location);
}

/* The paths of the transport's own features (query, headers, bodies); false for others. */
static bool features(const struct http_request *req, struct http_response *resp)
{
    const char *q;

    if (strcmp(req->path, "/query") == 0) {
        q = http_request_query(req, "name");
        http_response_set_json(resp, 200, "text/plain", q ? q : "(none)");
    } else if (strcmp(req->path, "/redirect") == 0) {
        redirect(resp);
    } else if (strcmp(req->path, "/html") == 0) {
        http_response_set_body(resp, 200, "text/html; charset=utf-8", strdup("<p>hi</p>"), 9);
    } else if (strcmp(req->path, "/bad-header") == 0) {
        http_response_set_json(resp, 200, "application/json", "{}");
        ck_assert_int_eq(http_response_add_header(resp, "Bad Name", "x"), -1);
    } else {
        return false;
    }
    return true;
}

/* Echo what the handler saw, as JSON; /defer?wait=<ms> answers later, when released. */
static void echo(void *arg, const struct http_request *req, struct http_response *resp)
{
    char text[2048];

    if (features(req, resp))
        return;
    if (strcmp(req->path, "/wait") == 0) {
        wait_handler(resp);
        return;
    }
    if (strcmp(req->path, "/defer") == 0) {
        snprintf(resp->label, sizeof(resp->label), "defer");
        http_response_defer(resp, release_poll, malloc(1), release_free, 5000, 0);
        atomic_fetch_add(&parked, 1); /* the worker parks the request right after this */
        return;
    }
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

static int start_with(int port, unsigned timeout, int threads, struct http_server **out)
{
    struct http_config cfg = {.bind = "127.0.0.1",
                              .port = port,
                              .threads = threads,
                              .max_body = 1024,
                              .idle_timeout = timeout,
                              .handler = echo,
                              .too_large = too_large,
                              .handlers_wait = handlers_wait};
    return http_start(&cfg, out);
}

static int start(int port, unsigned timeout, struct http_server **out)
{
    return start_with(port, timeout, 2, out);
}

static void setup_with(int threads)
{
    atomic_store(&parked, 0);
    atomic_store(&freed, 0);
    atomic_store(&released, 0);
    atomic_store(&waiting, 0);
    atomic_store(&waited, 0);
    atomic_store(&wait_released, 0);
    ck_assert_int_eq(start_with(0, 2, threads, &srv), 0);
    ck_assert_int_gt(http_port(srv), 0);
    snprintf(base, sizeof(base), "http://127.0.0.1:%d", http_port(srv));
}

static void setup(void)
{
    setup_with(2);
}

/* One worker thread: whatever blocks it would block every connection. */
static void setup_one_worker(void)
{
    setup_with(1);
}

/* The same, with the handlers run off the event loops. */
static void setup_offloaded(void)
{
    handlers_wait = true;
    setup_with(2);
}

static void setup_one_worker_offloaded(void)
{
    handlers_wait = true;
    setup_with(1);
}

static void teardown(void)
{
    http_stop(srv);
}

/* Open a connection to srv and send GET path on it; the socket (reads time out after 10 s). */
static int send_get(const char *path)
{
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)http_port(srv))};
    struct timeval limit = {.tv_sec = 10};
    char request[256];
    int fd = socket(AF_INET, SOCK_STREAM, 0), n;

    inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    ck_assert_int_eq(connect(fd, (struct sockaddr *)&addr, sizeof(addr)), 0);
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof(limit));
    n = snprintf(request, sizeof(request),
                 "GET %s HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n", path);
    ck_assert_int_eq(write(fd, request, (size_t)n), n);
    return fd;
}

/* Read fd to its end into buf (NUL-terminated); fails the test when the read times out. */
static void read_answer(int fd, char *buf, size_t size)
{
    size_t len = 0;
    ssize_t n;

    while (len + 1 < size && (n = read(fd, buf + len, size - 1 - len)) > 0)
        len += (size_t)n;
    ck_assert_msg(n >= 0 || errno != EAGAIN, "no answer within 10 s");
    buf[len] = '\0';
}

/* True when fd has nothing to read (no answer, no hang-up) right now. */
static bool silent(int fd)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};

    return poll(&p, 1, 0) == 0;
}

/* Wait until the handler has deferred count requests (each is parked as it returns). */
static void wait_parked(int count)
{
    while (atomic_load(&parked) < count)
        usleep(1000);
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

START_TEST(test_http_query_parameters_are_decoded)
{
    struct tu_http r;
    char url[128];

    snprintf(url, sizeof(url), "%s/query?other=1&name=a%%20b%%2Bc&name=second", base);
    tu_http_request("GET", url, NULL, NULL, 0, &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(r.body, "a b+c");
    tu_http_free(&r);
    snprintf(url, sizeof(url), "%s/query?other=1", base);
    tu_http_request("GET", url, NULL, NULL, 0, &r);
    ck_assert_str_eq(r.body, "(none)");
    tu_http_free(&r);
}
END_TEST

/* The number of response header lines of r named name (case-insensitive). */
static int count_headers(const struct tu_http *r, const char *name)
{
    size_t n = strlen(name);
    int count = 0;

    for (const char *line = r->headers; line != NULL; line = strchr(line + 1, '\n'))
        if (strncasecmp(line + (*line == '\n'), name, n) == 0 && line[n + (*line == '\n')] == ':')
            count++;
    return count;
}

START_TEST(test_http_long_and_repeated_headers_arrive_whole)
{
    struct tu_http r;
    char url[128], *buf = malloc(LONG_LOCATION + 64);

    snprintf(url, sizeof(url), "%s/redirect", base);
    tu_http_request("GET", url, NULL, NULL, 0, &r);
    ck_assert_int_eq(r.status, 302);
    ck_assert_ptr_nonnull(tu_http_header(&r, "Location", buf, LONG_LOCATION + 64));
    ck_assert_uint_eq(strlen(buf), LONG_LOCATION);
    ck_assert_str_eq(buf + LONG_LOCATION - 3, "sss");
    ck_assert_int_eq(count_headers(&r, "Set-Cookie"), 3);
    ck_assert_ptr_nonnull(strstr(r.headers, "Set-Cookie: a=1; Path=/\r\n"));
    ck_assert_ptr_nonnull(strstr(r.headers, "Set-Cookie: b=2; HttpOnly\r\n"));
    ck_assert_ptr_nonnull(strstr(r.headers, "Set-Cookie: c=3; Secure\r\n"));
    tu_http_free(&r);
    free(buf);
}
END_TEST

START_TEST(test_http_body_of_any_content_type)
{
    struct tu_http r;
    char url[128], buf[128];

    snprintf(url, sizeof(url), "%s/html", base);
    tu_http_request("GET", url, NULL, NULL, 0, &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(r.body, "<p>hi</p>");
    ck_assert_str_eq(tu_http_header(&r, "Content-Type", buf, sizeof(buf)),
                     "text/html; charset=utf-8");
    tu_http_free(&r);
}
END_TEST

START_TEST(test_http_impossible_header_answers_500)
{
    struct tu_http r;
    char url[128], buf[128];

    snprintf(url, sizeof(url), "%s/bad-header", base);
    tu_http_request("GET", url, NULL, NULL, 0, &r);
    ck_assert_int_eq(r.status, 500);
    ck_assert_str_eq(r.body, "");
    ck_assert_ptr_null(tu_http_header(&r, "Bad Name", buf, sizeof(buf)));
    ck_assert_ptr_nonnull(tu_http_header(&r, "Access-Control-Allow-Origin", buf, sizeof(buf)));
    tu_http_free(&r);
}
END_TEST

/* Headers are copied whole and freed with the response, however many there are. */
START_TEST(test_http_response_headers_grow_and_clear)
{
    struct http_response resp = {0};
    char name[16];

    for (int i = 0; i < 100; i++) {
        snprintf(name, sizeof(name), "X-H%d", i);
        ck_assert_int_eq(http_response_add_header(&resp, name, "v\r\nw"), 0);
    }
    ck_assert_uint_eq(resp.nheaders, 100);
    ck_assert_str_eq(resp.headers[99].name, "X-H99");
    ck_assert_str_eq(resp.headers[99].value, "v  w");
    ck_assert(!resp.failed);
    ck_assert_int_eq(http_response_add_header(&resp, "", "x"), -1);
    ck_assert_int_eq(http_response_add_header(&resp, "A:B", "x"), -1);
    ck_assert(resp.failed);
    ck_assert_int_eq(http_response_set_json(&resp, 200, "application/json", "{}"), 0);
    http_response_clear(&resp);
    ck_assert_ptr_null(resp.headers);
    ck_assert_ptr_null(resp.body);
    ck_assert_uint_eq(resp.nheaders, 0);
    ck_assert(!resp.failed);
    http_response_clear(NULL);
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

START_TEST(test_http_parked_request_leaves_its_worker_free)
{
    struct tu_http r;
    char answer[2048];
    int fd = send_get("/defer");

    wait_parked(1);
    /* The only worker answers another connection while the first waits... */
    tu_http_request("GET", base, NULL, NULL, 0, &r);
    ck_assert_int_eq(r.status, 201);
    tu_http_free(&r);
    ck_assert_msg(silent(fd), "the parked request was answered before it was released");
    /* ...and the parked one answers once woken. */
    atomic_store(&released, 1);
    http_wake();
    read_answer(fd, answer, sizeof(answer));
    close(fd);
    ck_assert_ptr_nonnull(strstr(answer, "HTTP/1.1 200"));
    ck_assert_ptr_nonnull(strstr(answer, "{\"answer\":\"released\"}"));
    ck_assert_ptr_nonnull(strstr(answer, "Access-Control-Allow-Origin"));
    ck_assert_int_eq(atomic_load(&freed), 1);
}
END_TEST

START_TEST(test_http_parked_request_answers_at_its_deadline)
{
    char answer[2048];
    int fd = send_get("/defer");

    /* Woken without being released, it waits on; at its 5 s deadline it answers. */
    wait_parked(1);
    http_wake();
    read_answer(fd, answer, sizeof(answer));
    close(fd);
    ck_assert_ptr_nonnull(strstr(answer, "HTTP/1.1 200"));
    ck_assert_ptr_nonnull(strstr(answer, "{\"answer\":\"deadline\"}"));
}
END_TEST

START_TEST(test_http_stop_does_not_wait_for_parked_requests)
{
    char answer[2048];
    int fds[3];
    double t0;

    for (int i = 0; i < 3; i++)
        fds[i] = send_get("/defer");
    wait_parked(3);
    t0 = clock_monotonic_ms();
    http_stop(srv);
    srv = NULL;
    /* Well before the 5 s deadlines, the states are freed and each connection ends. */
    ck_assert_double_lt(clock_monotonic_ms() - t0, 2500);
    ck_assert_int_eq(atomic_load(&freed), 3);
    for (int i = 0; i < 3; i++) {
        read_answer(fds[i], answer, sizeof(answer));
        close(fds[i]);
        /* Answered with what there is (last poll), or closed if the workers stopped first. */
        ck_assert_msg(answer[0] == '\0' || strncmp(answer, "HTTP/1.1 200", 12) == 0, "%s", answer);
    }
}
END_TEST

/* Wait until count handlers are inside their wait. */
static void wait_waiting(int count)
{
    while (atomic_load(&waiting) < count)
        usleep(1000);
}

/*
 * One worker, one thread at work in the handlers' pool, and a handler that waits: another
 * connection is answered meanwhile (the pool started a thread for it), then the waiting one.
 */
START_TEST(test_http_a_waiting_handler_holds_only_its_own_request)
{
    struct tu_http r;
    char answer[2048];
    int fd = send_get("/wait");

    wait_waiting(1);
    tu_http_request("GET", base, NULL, NULL, 0, &r);
    ck_assert_int_eq(r.status, 201);
    tu_http_free(&r);
    int done = atomic_load(&waited);
    ck_assert_msg(done == 0, "the other request waited for the waiting one");
    ck_assert_msg(silent(fd), "the waiting request was answered before it was released");
    atomic_store(&wait_released, 1);
    read_answer(fd, answer, sizeof(answer));
    close(fd);
    ck_assert_ptr_nonnull(strstr(answer, "HTTP/1.1 200"));
    ck_assert_ptr_nonnull(strstr(answer, "waited"));
    ck_assert_ptr_nonnull(strstr(answer, "Access-Control-Allow-Origin"));
}
END_TEST

/* Stopping lets a waiting handler end (here at WAIT_MS) before it returns, and ends cleanly. */
START_TEST(test_http_stop_finishes_a_waiting_handler)
{
    char answer[2048];
    int fd = send_get("/wait");

    wait_waiting(1);
    http_stop(srv);
    srv = NULL;
    int done = atomic_load(&waited);
    ck_assert_msg(done == 1, "the stop returned before the waiting handler ended (%d)", done);
    read_answer(fd, answer, sizeof(answer));
    close(fd);
    /* Its answer, or a closed connection if the workers stopped first. */
    ck_assert_msg(answer[0] == '\0' || strncmp(answer, "HTTP/1.1 200", 12) == 0, "%s", answer);
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
    tcase_add_test(tc, test_http_query_parameters_are_decoded);
    tcase_add_test(tc, test_http_long_and_repeated_headers_arrive_whole);
    tcase_add_test(tc, test_http_body_of_any_content_type);
    tcase_add_test(tc, test_http_impossible_header_answers_500);
    tcase_add_test(tc, test_http_response_headers_grow_and_clear);
    tcase_add_test(tc, test_http_preflight_echoes_requested_headers_and_origin);
    tcase_add_test(tc, test_http_preflight_without_requested_headers_allows_the_sdk_headers);
    tcase_add_test(tc, test_http_every_response_carries_cors);
    tcase_add_test(tc, test_http_body_over_the_cap_gets_the_too_large_answer);
    tcase_add_test(tc, test_http_closes_idle_connections);
    tcase_add_test(tc, test_http_port_in_use_fails_cleanly);
    suite_add_tcase(s, tc);

    TCase *deferred = tcase_create("deferred");
    tcase_add_checked_fixture(deferred, setup_one_worker, teardown);
    tcase_set_timeout(deferred, 30);
    tcase_add_test(deferred, test_http_parked_request_leaves_its_worker_free);
    tcase_add_test(deferred, test_http_parked_request_answers_at_its_deadline);
    tcase_add_test(deferred, test_http_stop_does_not_wait_for_parked_requests);
    suite_add_tcase(s, deferred);

    /* The same requests and deferrals again, their handlers run off the event loops. */
    TCase *offloaded = tcase_create("offloaded");
    tcase_add_checked_fixture(offloaded, setup_offloaded, teardown);
    tcase_set_timeout(offloaded, 30);
    tcase_add_test(offloaded, test_http_passes_method_path_body_and_headers);
    tcase_add_test(offloaded, test_http_header_values_cannot_inject_headers);
    tcase_add_test(offloaded, test_http_query_parameters_are_decoded);
    tcase_add_test(offloaded, test_http_long_and_repeated_headers_arrive_whole);
    tcase_add_test(offloaded, test_http_body_of_any_content_type);
    tcase_add_test(offloaded, test_http_impossible_header_answers_500);
    tcase_add_test(offloaded, test_http_preflight_echoes_requested_headers_and_origin);
    tcase_add_test(offloaded, test_http_every_response_carries_cors);
    tcase_add_test(offloaded, test_http_body_over_the_cap_gets_the_too_large_answer);
    suite_add_tcase(s, offloaded);

    TCase *waits = tcase_create("waits");
    tcase_add_checked_fixture(waits, setup_one_worker_offloaded, teardown);
    tcase_set_timeout(waits, 30);
    tcase_add_test(waits, test_http_parked_request_leaves_its_worker_free);
    tcase_add_test(waits, test_http_parked_request_answers_at_its_deadline);
    tcase_add_test(waits, test_http_stop_does_not_wait_for_parked_requests);
    tcase_add_test(waits, test_http_a_waiting_handler_holds_only_its_own_request);
    tcase_add_test(waits, test_http_stop_finishes_a_waiting_handler);
    suite_add_tcase(s, waits);
    return s;
}
