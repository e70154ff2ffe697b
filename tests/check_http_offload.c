/*
 * check_http_offload: a request whose handler waits for a slow Lambda function holds only
 * itself (issue 13). The real server over real sockets with --threads 1, so that every
 * connection shares the one worker thread's event loop, and the fake Invoke API of
 * tests/testlambda.h with a function that waits until the test lets it answer.
 *
 * No timing thresholds: the slow function records whether the test released it or whether it
 * gave up waiting first (after SLOW_MS), and the tests check that order.
 */
#include "config.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "server.h"
#include "testlambda.h"
#include "testutil.h"

#define ARN(fn) "arn:aws:lambda:us-east-1:123456789012:function:" fn

/* How long the slow function waits at most: under Cognito's 5 s, so that it still answers. */
#define SLOW_MS 3000

static struct server *srv;
static struct settings srv_settings;
static struct tlam *fake;
static char base[64];

/* ---- The slow function ------------------------------------------------------------------ */

static pthread_mutex_t slow_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t slow_cv = PTHREAD_COND_INITIALIZER;
static bool released; /* the test let it answer */
static int gave_up;   /* calls that answered after SLOW_MS, not released */

/* A tlam_fn: wait until released (or SLOW_MS), then answer the event unchanged. */
static void slow_fn(const cJSON *event, void *arg, struct tlam_answer *out)
{
    struct timespec at;
    int rc = 0;

    clock_gettime(CLOCK_REALTIME, &at);
    at.tv_sec += SLOW_MS / 1000;
    pthread_mutex_lock(&slow_mu);
    while (!released && rc == 0)
        rc = pthread_cond_timedwait(&slow_cv, &slow_mu, &at);
    if (!released)
        gave_up++;
    pthread_mutex_unlock(&slow_mu);
    tlam_return_event(event, arg, out);
}

static void release_slow(void)
{
    pthread_mutex_lock(&slow_mu);
    released = true;
    pthread_cond_broadcast(&slow_cv);
    pthread_mutex_unlock(&slow_mu);
}

static int slow_gave_up(void)
{
    pthread_mutex_lock(&slow_mu);
    int n = gave_up;
    pthread_mutex_unlock(&slow_mu);
    return n;
}

/* ---- The server ------------------------------------------------------------------------- */

static void setup(void)
{
    char *argv[] = {
        (char *)"cognito-emu", (char *)"--db", (char *)":memory:",    (char *)"--port", (char *)"0",
        (char *)"--threads",   (char *)"1",    (char *)"--log-level", (char *)"error",  NULL};

    released = false;
    gave_up = 0;
    fake = tlam_start();
    ck_assert_ptr_nonnull(fake);
    tlam_on(fake, "pre", slow_fn, NULL);
    ck_assert_int_eq(settings_parse(&srv_settings, 9, argv), SETTINGS_RUN);
    snprintf(srv_settings.lambda_endpoint, sizeof(srv_settings.lambda_endpoint), "%s",
             tlam_url(fake));
    ck_assert_int_eq(server_start(&srv_settings, &srv), 0);
    snprintf(base, sizeof(base), "http://127.0.0.1:%d", server_port(srv));
}

static void teardown(void)
{
    release_slow();
    tlam_stop(fake);
    server_stop(srv); /* NULL when the test stopped it */
    srv = NULL;
}

/* ---- A keep-alive client: one libcurl handle, so one connection, reused --------------- */

struct keepalive {
    CURL *curl;
    struct curl_slist *headers;
    char target[128];
    char *body;
    size_t len;
};

static size_t ka_append(char *data, size_t size, size_t count, void *arg)
{
    struct keepalive *k = arg;
    size_t n = size * count;
    char *grown = realloc(k->body, k->len + n + 1);

    if (grown == NULL)
        return 0;
    memcpy(grown + k->len, data, n);
    k->len += n;
    grown[k->len] = '\0';
    k->body = grown;
    return n;
}

/*
 * An AWS call on k's connection: the parsed answer (cJSON_Delete), which must be a 200. *opened
 * is the number of new connections libcurl had to open for it (0: the same one as before).
 */
static cJSON *ka_call(struct keepalive *k, const char *target, const char *body, long *opened)
{
    char header[160];
    long status = 0;
    cJSON *json;

    snprintf(header, sizeof(header), "X-Amz-Target: %s", target);
    curl_slist_free_all(k->headers);
    k->headers = curl_slist_append(NULL, "Content-Type: application/x-amz-json-1.1");
    k->headers = curl_slist_append(k->headers, header);
    k->headers = curl_slist_append(k->headers, "Expect:");
    k->len = 0;
    curl_easy_setopt(k->curl, CURLOPT_URL, base);
    curl_easy_setopt(k->curl, CURLOPT_HTTPHEADER, k->headers);
    curl_easy_setopt(k->curl, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(k->curl, CURLOPT_WRITEFUNCTION, ka_append);
    curl_easy_setopt(k->curl, CURLOPT_WRITEDATA, k);
    curl_easy_setopt(k->curl, CURLOPT_TIMEOUT, 20L);
    CURLcode rc = curl_easy_perform(k->curl);
    ck_assert_msg(rc == CURLE_OK, "%s: %s", target, curl_easy_strerror(rc));
    curl_easy_getinfo(k->curl, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_getinfo(k->curl, CURLINFO_NUM_CONNECTS, opened);
    ck_assert_msg(status == 200, "%s: %ld %s", target, status, k->body ? k->body : "");
    json = cJSON_Parse(k->body);
    ck_assert_ptr_nonnull(json);
    return json;
}

static void ka_open(struct keepalive *k)
{
    memset(k, 0, sizeof(*k));
    k->curl = curl_easy_init();
    ck_assert_ptr_nonnull(k->curl);
}

static void ka_close(struct keepalive *k)
{
    curl_easy_cleanup(k->curl);
    curl_slist_free_all(k->headers);
    free(k->body);
}

/* ---- SignUps on their own connections, each on a thread --------------------------------- */

struct sign_up {
    char client[64];
    char username[32];
    pthread_t thread;
    long status; /* 0: no answer (the connection closed) */
    char *body;
};

static void *sign_up_main(void *arg)
{
    struct sign_up *s = arg;
    char body[512], url[80], target[] = "X-Amz-Target: " IDP "SignUp";
    const char *headers[] = {"Content-Type: application/x-amz-json-1.1", target, "Expect:", NULL};
    struct curl_slist *list = NULL;
    CURL *curl = curl_easy_init();
    size_t len;

    /* Not tu_http_aws(): its failed assertions belong to the test's thread. */
    snprintf(url, sizeof(url), "%s", base);
    len = (size_t)snprintf(body, sizeof(body),
                           "{\"ClientId\":\"%s\",\"Username\":\"%s\",\"Password\":\"Passw0rd!\"}",
                           s->client, s->username);
    for (int i = 0; headers[i] != NULL; i++)
        list = curl_slist_append(list, headers[i]);
    struct keepalive sink = {0};
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, ka_append);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &sink);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, 20L);
    if (curl_easy_perform(curl) == CURLE_OK)
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &s->status);
    s->body = sink.body;
    curl_slist_free_all(list);
    curl_easy_cleanup(curl);
    return NULL;
}

static void sign_up_start(struct sign_up *s, const char *client, const char *username)
{
    memset(s, 0, sizeof(*s));
    snprintf(s->client, sizeof(s->client), "%s", client);
    snprintf(s->username, sizeof(s->username), "%s", username);
    ck_assert_int_eq(pthread_create(&s->thread, NULL, sign_up_main, s), 0);
}

/* Join s; it must have succeeded (a SignUp answers UserSub). */
static void sign_up_ok(struct sign_up *s)
{
    cJSON *answer;

    pthread_join(s->thread, NULL);
    ck_assert_msg(s->status == 200, "SignUp %s: %ld %s", s->username, s->status,
                  s->body ? s->body : "");
    answer = cJSON_Parse(s->body);
    ck_assert_ptr_nonnull(tu_str(answer, "UserSub"));
    cJSON_Delete(answer);
    free(s->body);
}

/*
 * On k's connection: a pool whose PreSignUp is the slow function, and its client; the client id
 * goes to client (size 64).
 */
static void slow_pool(struct keepalive *k, char *client)
{
    char body[256];
    long opened;
    cJSON *pool, *c;

    pool = ka_call(k, IDP "CreateUserPool",
                   "{\"PoolName\":\"p\",\"LambdaConfig\":{\"PreSignUp\":\"" ARN("pre") "\"}}",
                   &opened);
    snprintf(body, sizeof(body), "{\"UserPoolId\":\"%s\",\"ClientName\":\"c\"}",
             tu_str(tu_get(pool, "UserPool"), "Id"));
    c = ka_call(k, IDP "CreateUserPoolClient", body, &opened);
    ck_assert_int_eq(opened, 0); /* the connection is kept alive */
    snprintf(client, 64, "%s", tu_str(tu_get(c, "UserPoolClient"), "ClientId"));
    cJSON_Delete(pool);
    cJSON_Delete(c);
}

/* ListUserPools on k's connection, which must be the one it already had; the pools listed. */
static int list_pools(struct keepalive *k)
{
    long opened = -1;
    cJSON *list = ka_call(k, IDP "ListUserPools", "{\"MaxResults\":10}", &opened);
    int n = cJSON_GetArraySize(tu_get(list, "UserPools"));

    ck_assert_int_eq(opened, 0);
    cJSON_Delete(list);
    return n;
}

/* ---- Tests ------------------------------------------------------------------------------ */

/*
 * The measured problem: one worker thread, a keep-alive connection opened before a SignUp's
 * pre sign-up function starts waiting; that connection is answered while the function still
 * waits (before, it waited for the function, 1.7 s of a 2 s one).
 */
START_TEST(test_a_keep_alive_connection_is_served_while_a_function_waits)
{
    struct keepalive k;
    struct sign_up s;
    char client[64];

    ka_open(&k);
    slow_pool(&k, client);
    sign_up_start(&s, client, "slow");
    ck_assert(tlam_wait_count(fake, "pre", 1, 10000)); /* the SignUp's handler now waits */
    ck_assert_int_eq(list_pools(&k), 1);
    ck_assert_msg(slow_gave_up() == 0, "ListUserPools waited for the slow function");
    release_slow();
    sign_up_ok(&s);
    ck_assert_int_eq(slow_gave_up(), 0);
    ck_assert_int_eq((int)tlam_count(fake, "pre"), 1);
    ka_close(&k);
}
END_TEST

/*
 * Several functions waiting at once, more than --threads + 1 (the database connections the
 * server used to have): each holds only its own request.
 */
START_TEST(test_several_waiting_functions_hold_only_their_own_requests)
{
    enum { N = 4 };
    struct keepalive k;
    struct sign_up s[N];
    char client[64], name[16];

    ka_open(&k);
    slow_pool(&k, client);
    for (int i = 0; i < N; i++) {
        snprintf(name, sizeof(name), "slow%d", i);
        sign_up_start(&s[i], client, name);
    }
    ck_assert(tlam_wait_count(fake, "pre", N, 10000)); /* all N handlers wait at once */
    ck_assert_int_eq(list_pools(&k), 1);
    ck_assert_msg(slow_gave_up() == 0, "ListUserPools waited for a slow function");
    release_slow();
    for (int i = 0; i < N; i++)
        sign_up_ok(&s[i]);
    ck_assert_int_eq(slow_gave_up(), 0);
    ka_close(&k);
}
END_TEST

/*
 * Stopping the server while a handler waits for its function: the stop waits for the handler
 * to end (the function answers on its own, after SLOW_MS) and ends cleanly; the SignUp gets
 * its answer or a closed connection, never a hang.
 */
START_TEST(test_stopping_waits_for_a_waiting_handler)
{
    struct keepalive k;
    struct sign_up s;
    char client[64];

    ka_open(&k);
    slow_pool(&k, client);
    ka_close(&k);
    sign_up_start(&s, client, "slow");
    ck_assert(tlam_wait_count(fake, "pre", 1, 10000));
    server_stop(srv);
    srv = NULL;
    /* The handler ran to its end before the stop returned: the function answered alone. */
    ck_assert_int_eq(slow_gave_up(), 1);
    pthread_join(s.thread, NULL);
    ck_assert_msg(s.status == 0 || s.status == 200, "%ld %s", s.status, s.body ? s.body : "");
    free(s.body);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("http_offload");
    TCase *tc = tcase_create("offload");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_a_keep_alive_connection_is_served_while_a_function_waits);
    tcase_add_test(tc, test_several_waiting_functions_hold_only_their_own_requests);
    tcase_add_test(tc, test_stopping_waits_for_a_waiting_handler);
    suite_add_tcase(s, tc);
    return s;
}
