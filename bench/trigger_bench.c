/*
 * trigger_bench: what a Lambda trigger costs in cognito-emu (issue 13: "A pool without triggers
 * pays nothing. With a trigger, the emulator adds under 1 ms to the function's own time").
 *
 *   trigger_bench --bin PATH [--before PATH] [--requests N] [--conns 1,8] [--warmup N]
 *                 [--only SERIES,...] [--wrap "CMD ARG..."]
 *
 * It runs, in this process, a no-op function behind the AWS Lambda Invoke API (libmicrohttpd:
 * POST /2015-03-31/functions/<name>/invocations answers the request body, so the function
 * returns its event), starts cognito-emu (PATH --port 0 --db :memory: --log-level warn
 * --lambda-endpoint http://127.0.0.1:<its port>) and times, with keep-alive libcurl clients,
 * these series (SERIES names for --only):
 *
 *   direct          the function's own round trip: the very request the emulator sent it (its
 *                   first PreAuthentication event, about 1 KB, with its SigV4 headers), POSTed
 *                   directly, as a client calling the function sees it
 *   auth            InitiateAuth USER_PASSWORD_AUTH in a pool without LambdaConfig
 *   auth+pre        the same in a pool whose PreAuthentication names the no-op function
 *   confirm         AdminConfirmSignUp of a fresh user (its SignUp untimed), no LambdaConfig
 *   confirm+post    the same with PostConfirmation
 *   auth@before, confirm@before    auth and confirm on the --before binary (an older
 *                   cognito-emu, started without --lambda-endpoint). With --before and no
 *                   --only, the series are auth, confirm and these two: both servers then do
 *                   the same work, and the comparison says what a pool without triggers pays.
 *
 * The series are interleaved: every round makes one request of each, in an order that rotates
 * from round to round, so what the rest of a noisy machine does falls on all of them alike.
 * Each connection is a thread with one keep-alive handle per server; --requests N is the number
 * of timed requests of each series at each concurrency (split over the connections), after
 * --warmup rounds per connection that are not timed. At one connection, the server's CPU time
 * per request and the time its threads waited for a CPU are read around each request from
 * /proc/PID/task/TID/schedstat (ns): unlike latency, CPU time hardly depends on what else runs.
 * Every answer is checked (200 and what the operation returns), and the function must have
 * been invoked exactly once per triggered request: any error makes the run INVALID (exit 1).
 *
 * It prints Markdown: every series (latency median, p90, p99; server CPU) and, per trigger,
 * what the emulator adds: (with - without) - direct, from the medians, and the server CPU
 * with - without. --wrap runs the servers under a command (bench/trigger_bench.sh uses valgrind
 * --tool=callgrind with --only one series to count instructions); its times are meaningless.
 * Only loopback.
 */
#define _GNU_SOURCE
#include "bench_common.h"

#include <cJSON.h>
#include <curl/curl.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PASSWORD "Bench-Passw0rd!"
#define NOOP_ARN "arn:aws:lambda:us-east-1:123456789012:function:noop"
#define AUTH_USERS 16 /* confirmed users per pool that sign in, round-robin */

const char bench_name[] = "trigger_bench";

/* ---- The no-op function ---------------------------------------------------------------------- */

/*
 * The first PreAuthentication request the emulator sent (body and signed headers): the direct
 * series sends the same bytes, so the function's own round trip is that of what the emulator
 * sends it.
 */
static struct {
    pthread_mutex_t mu;
    char *body;
    char auth[512], date[64], type[64];
} captured = {.mu = PTHREAD_MUTEX_INITIALIZER};

static atomic_long noop_invocations, noop_connections;

struct exchange {
    char *body;
    size_t len;
};

static void header_copy(struct MHD_Connection *conn, const char *name, char *out, size_t n)
{
    const char *v = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, name);
    snprintf(out, n, "%s", v ? v : "");
}

static void capture(struct MHD_Connection *conn, const char *body)
{
    if (strstr(body, "\"triggerSource\":\"PreAuthentication_Authentication\"") == NULL)
        return;
    pthread_mutex_lock(&captured.mu);
    if (captured.body == NULL && (captured.body = strdup(body)) != NULL) {
        header_copy(conn, "Authorization", captured.auth, sizeof(captured.auth));
        header_copy(conn, "X-Amz-Date", captured.date, sizeof(captured.date));
        header_copy(conn, "X-Amz-Invocation-Type", captured.type, sizeof(captured.type));
    }
    pthread_mutex_unlock(&captured.mu);
}

/* The function: answers its event, as a handler `return event` does. */
static enum MHD_Result noop_answer(struct MHD_Connection *conn, const char *method, const char *url,
                                   struct exchange *x)
{
    static const char prefix[] = "/2015-03-31/functions/", suffix[] = "/invocations";
    size_t len = strlen(url);
    bool invoke = strcmp(method, "POST") == 0 && strncmp(url, prefix, sizeof(prefix) - 1) == 0 &&
                  len > sizeof(prefix) + sizeof(suffix) - 2 &&
                  strcmp(url + len - (sizeof(suffix) - 1), suffix) == 0;
    const char *body = x->body ? x->body : "";
    struct MHD_Response *r;
    enum MHD_Result ret;

    if (invoke) {
        atomic_fetch_add(&noop_invocations, 1);
        capture(conn, body);
    }
    r = invoke ? MHD_create_response_from_buffer(strlen(body), (void *)body, MHD_RESPMEM_MUST_COPY)
               : MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
    if (r == NULL)
        return MHD_NO;
    MHD_add_response_header(r, "Content-Type", "application/json");
    MHD_add_response_header(r, "X-Amz-Executed-Version", "$LATEST");
    ret = MHD_queue_response(conn, invoke ? MHD_HTTP_OK : MHD_HTTP_NOT_FOUND, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result noop_request(void *cls, struct MHD_Connection *conn, const char *url,
                                    const char *method, const char *version, const char *upload,
                                    size_t *upload_size, void **state)
{
    struct exchange *x = *state;

    (void)cls, (void)version;
    if (x == NULL) {
        *state = calloc(1, sizeof(struct exchange));
        return *state != NULL ? MHD_YES : MHD_NO;
    }
    if (*upload_size > 0) {
        char *grown = realloc(x->body, x->len + *upload_size + 1);
        if (grown == NULL)
            return MHD_NO;
        memcpy(grown + x->len, upload, *upload_size);
        x->len += *upload_size;
        grown[x->len] = '\0';
        x->body = grown;
        *upload_size = 0;
        return MHD_YES;
    }
    return noop_answer(conn, method, url, x);
}

static void noop_completed(void *cls, struct MHD_Connection *conn, void **state,
                           enum MHD_RequestTerminationCode why)
{
    struct exchange *x = *state;

    (void)cls, (void)conn, (void)why;
    if (x != NULL)
        free(x->body);
    free(x);
    *state = NULL;
}

/* Counts the TCP connections made to the function: keep-alive keeps them few. */
static void noop_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
                            enum MHD_ConnectionNotificationCode code)
{
    (void)cls, (void)conn, (void)socket_context;
    if (code == MHD_CONNECTION_NOTIFY_STARTED)
        atomic_fetch_add(&noop_connections, 1);
}

/* Start the function on 127.0.0.1 (a free port); its port, or 0. */
static unsigned noop_start(void)
{
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    struct MHD_Daemon *d =
        MHD_start_daemon(MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL,
                         NULL, noop_request, NULL, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
                         MHD_OPTION_NOTIFY_COMPLETED, noop_completed, NULL,
                         MHD_OPTION_NOTIFY_CONNECTION, noop_connection, NULL, MHD_OPTION_END);
    const union MHD_DaemonInfo *info = d ? MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT) : NULL;

    return info ? info->port : 0;
}

/* ---- HTTP ------------------------------------------------------------------------------------ */

static atomic_int error_reports;

/* POST body to url with headers; true on HTTP 200 (the answer is in c->body). */
static bool post(struct bench_conn *c, const char *url, struct curl_slist *headers,
                 const char *body, const char *what)
{
    if (bench_perform(c, url, headers, body) == 200)
        return true;
    if (atomic_fetch_add(&error_reports, 1) < 10)
        fprintf(stderr, "trigger_bench: %s: HTTP %ld: %.300s\n", what, c->status,
                c->body ? c->body : "no answer");
    return false;
}

/* Cognito operation op with JSON body on endpoint; true on HTTP 200. */
static bool call(struct bench_conn *c, const char *endpoint, const char *op, const char *body)
{
    return post(c, endpoint, bench_op_headers(op), body, op);
}

/* ---- Pools, users and the timed steps -------------------------------------------------------- */

/* A user pool on one server, with its app client. */
struct pool {
    const char *endpoint;
    char id[64], client[64];
};

/*
 * Attributes that make the events the size of a real app's (about 1 KB of event, plus the
 * headers): standard ones a profile fills in and a few custom ones.
 */
static const char *const USER_ATTRIBUTES =
    "[{\"Name\":\"email\",\"Value\":\"%s@example.com\"},{\"Name\":\"name\",\"Value\":"
    "\"Benchmark User %s\"},{\"Name\":\"given_name\",\"Value\":\"Benchmark\"},{\"Name\":"
    "\"family_name\",\"Value\":\"User\"},{\"Name\":\"nickname\",\"Value\":\"bench\"},"
    "{\"Name\":\"locale\",\"Value\":\"en-GB\"},{\"Name\":\"zoneinfo\",\"Value\":"
    "\"Europe/London\"},{\"Name\":\"birthdate\",\"Value\":\"1990-04-01\"},{\"Name\":"
    "\"phone_number\",\"Value\":\"+15555550123\"},{\"Name\":\"address\",\"Value\":"
    "\"221B Baker Street, London NW1 6XE, United Kingdom\"},{\"Name\":\"website\",\"Value\":"
    "\"https://example.com/people/%s\"},{\"Name\":\"picture\",\"Value\":"
    "\"https://cdn.example.com/avatars/%s/profile-256x256.png\"},{\"Name\":\"custom:tenant\","
    "\"Value\":\"tenant-0042\"},{\"Name\":\"custom:plan\",\"Value\":\"enterprise\"},"
    "{\"Name\":\"custom:role\",\"Value\":\"administrator\"},{\"Name\":"
    "\"custom:department\",\"Value\":\"platform-engineering\"}]";

/* The custom attributes of USER_ATTRIBUTES, for CreateUserPool. */
static const char *const CUSTOM_SCHEMA =
    "[{\"Name\":\"tenant\",\"AttributeDataType\":\"String\",\"Mutable\":true},"
    "{\"Name\":\"plan\",\"AttributeDataType\":\"String\",\"Mutable\":true},"
    "{\"Name\":\"role\",\"AttributeDataType\":\"String\",\"Mutable\":true},"
    "{\"Name\":\"department\",\"AttributeDataType\":\"String\",\"Mutable\":true}]";

static bool step_sign_up(struct bench_conn *c, const struct pool *p, const char *user)
{
    char body[3072], attrs[2048];

    snprintf(attrs, sizeof(attrs), USER_ATTRIBUTES, user, user, user, user);
    snprintf(body, sizeof(body),
             "{\"ClientId\":\"%s\",\"Username\":\"%s\",\"Password\":\"" PASSWORD
             "\",\"UserAttributes\":%s}",
             p->client, user, attrs);
    return call(c, p->endpoint, "SignUp", body);
}

static bool step_confirm(struct bench_conn *c, const struct pool *p, const char *user)
{
    char body[512];

    snprintf(body, sizeof(body), "{\"UserPoolId\":\"%s\",\"Username\":\"%s\"}", p->id, user);
    return call(c, p->endpoint, "AdminConfirmSignUp", body);
}

static bool step_initiate_auth(struct bench_conn *c, const struct pool *p, const char *user)
{
    char body[512];

    snprintf(body, sizeof(body),
             "{\"AuthFlow\":\"USER_PASSWORD_AUTH\",\"ClientId\":\"%s\",\"AuthParameters\":"
             "{\"USERNAME\":\"%s\",\"PASSWORD\":\"" PASSWORD "\"}}",
             p->client, user);
    return call(c, p->endpoint, "InitiateAuth", body) && strstr(c->body, "\"AccessToken\"");
}

/* A pool named name on endpoint with LambdaConfig lambda_config (NULL: none). */
static void pool_create(struct bench_conn *c, struct pool *p, const char *endpoint,
                        const char *name, const char *lambda_config)
{
    char body[1024], url[256];

    p->endpoint = endpoint;
    snprintf(body, sizeof(body), "{\"PoolName\":\"%s\",\"Schema\":%s%s%s%s}", name, CUSTOM_SCHEMA,
             lambda_config ? ",\"LambdaConfig\":{" : "", lambda_config ? lambda_config : "",
             lambda_config ? "}" : "");
    bench_must(call(c, endpoint, "CreateUserPool", body) &&
                   bench_answer_get(c, "UserPool", "Id", p->id, sizeof(p->id)),
               "CreateUserPool");
    snprintf(body, sizeof(body),
             "{\"UserPoolId\":\"%s\",\"ClientName\":\"bench\",\"ExplicitAuthFlows\":"
             "[\"ALLOW_USER_PASSWORD_AUTH\",\"ALLOW_REFRESH_TOKEN_AUTH\"]}",
             p->id);
    bench_must(call(c, endpoint, "CreateUserPoolClient", body) &&
                   bench_answer_get(c, "UserPoolClient", "ClientId", p->client, sizeof(p->client)),
               "CreateUserPoolClient");
    /* The pool's signing keys are made on first use: now, not in the first timed sign-in. */
    snprintf(url, sizeof(url), "%s/%s/.well-known/jwks.json", endpoint, p->id);
    bench_must(bench_perform(c, url, NULL, NULL) == 200, "GET jwks.json");
}

/* The users that sign in: u-0 .. u-15, confirmed. */
static void pool_add_sign_in_users(struct bench_conn *c, const struct pool *p)
{
    char user[32];

    for (int i = 0; i < AUTH_USERS; i++) {
        snprintf(user, sizeof(user), "u-%d", i);
        bench_must(step_sign_up(c, p, user) && step_confirm(c, p, user),
                   "SignUp/AdminConfirmSignUp");
    }
}

/* ---- Series ---------------------------------------------------------------------------------- */

enum kind { K_DIRECT, K_AUTH, K_CONFIRM };
enum target { T_MAIN_PLAIN, T_MAIN_PRE, T_MAIN_POST, T_BEFORE_PLAIN, NTARGETS };

static const struct series {
    const char *id, *operation, *pool;
    enum kind kind;
    enum target target;
    bool triggered;   /* each request invokes the function once */
    const char *same; /* the series of this binary that a --before series repeats */
} SERIES[] = {
    {"direct", "the function itself (POST .../functions/noop/invocations)", "-", K_DIRECT,
     T_MAIN_PRE, true, NULL},
    {"auth", "InitiateAuth USER_PASSWORD_AUTH", "no LambdaConfig", K_AUTH, T_MAIN_PLAIN, false,
     NULL},
    {"auth+pre", "InitiateAuth USER_PASSWORD_AUTH", "PreAuthentication", K_AUTH, T_MAIN_PRE, true,
     NULL},
    {"auth@before", "InitiateAuth USER_PASSWORD_AUTH", "no LambdaConfig, --before binary", K_AUTH,
     T_BEFORE_PLAIN, false, "auth"},
    {"confirm", "AdminConfirmSignUp (fresh user)", "no LambdaConfig", K_CONFIRM, T_MAIN_PLAIN,
     false, NULL},
    {"confirm+post", "AdminConfirmSignUp (fresh user)", "PostConfirmation", K_CONFIRM, T_MAIN_POST,
     true, NULL},
    {"confirm@before", "AdminConfirmSignUp (fresh user)", "no LambdaConfig, --before binary",
     K_CONFIRM, T_BEFORE_PLAIN, false, "confirm"},
};
#define NSERIES (sizeof(SERIES) / sizeof(SERIES[0]))

static bool selected[NSERIES];
static struct pool pools[NTARGETS];
static char function_url[128];
static struct curl_slist *direct_headers;

static int series_index(const char *id)
{
    return bench_series_index(SERIES, NSERIES, sizeof(SERIES[0]), id);
}

/* A connection's state in a phase: a keep-alive handle to each server and to the function. */
struct worker {
    struct bench_conn conns[3]; /* the emulator, the --before emulator, the function */
};

/* The triggered requests that succeeded, every phase's: each must have invoked the function. */
static atomic_long triggered_requests;
static pid_t server_pids[2]; /* the emulator and the --before one */

static void *worker_open(const struct bench_phase *ph, int id)
{
    struct worker *w = malloc(sizeof(*w));

    (void)ph, (void)id;
    if (w == NULL)
        bench_die("out of memory");
    for (int i = 0; i < 3; i++)
        bench_conn_init(&w->conns[i]);
    return w;
}

static void worker_close(void *state)
{
    struct worker *w = state;

    for (int i = 0; i < 3; i++)
        bench_conn_free(&w->conns[i]);
    free(w);
}

/* One request of series s in round r of connection id; out (NULL: untimed) gets its measures. */
static bool run_one(void *state, const struct bench_phase *ph, int id, size_t s, int r,
                    struct bench_sample *out)
{
    struct worker *w = state;
    const struct series *se = &SERIES[s];
    const struct pool *p = &pools[se->target];
    int server = se->target == T_BEFORE_PLAIN ? 1 : 0;
    struct bench_conn *c = &w->conns[se->kind == K_DIRECT ? 2 : server];
    bool sched = out != NULL && ph->nconns == 1 && se->kind != K_DIRECT;
    long k = (long)r * ph->nconns + id; /* unique in the phase, warm-up negative */
    struct bench_mark mark;
    char user[64];
    bool ok;

    if (se->kind == K_AUTH)
        snprintf(user, sizeof(user), "u-%ld", (k % AUTH_USERS + AUTH_USERS) % AUTH_USERS);
    else if (se->kind == K_CONFIRM) {
        snprintf(user, sizeof(user), "c%d-%d-%ld", ph->serial, id, k);
        if (!step_sign_up(c, p, user)) /* untimed: the user to confirm */
            return false;
    }
    bench_mark_begin(&mark, sched ? server_pids[server] : 0);
    if (se->kind == K_DIRECT)
        ok = post(c, function_url, direct_headers, captured.body, "the function") &&
             c->n == strlen(captured.body);
    else if (se->kind == K_AUTH)
        ok = step_initiate_auth(c, p, user);
    else
        ok = step_confirm(c, p, user);
    if (out != NULL)
        *out = bench_mark_end(&mark, ok);
    if (ok && se->triggered)
        atomic_fetch_add(&triggered_requests, 1);
    return ok;
}

/* ---- Main ------------------------------------------------------------------------------------ */

static void usage(void)
{
    fprintf(stderr, "usage: trigger_bench --bin PATH [--before PATH] [--requests N] "
                    "[--conns 1,8] [--warmup N] [--only SERIES,...] [--wrap \"CMD ARG...\"]\n");
    exit(2);
}

/* Whether a selected series of kind k (K_DIRECT: any) uses pool t; the direct series needs
 * the PreAuthentication pool for the event it sends. */
static bool uses(enum target t, int k)
{
    for (size_t s = 0; s < NSERIES; s++) {
        enum target st = SERIES[s].kind == K_DIRECT ? T_MAIN_PRE : SERIES[s].target;
        enum kind sk = SERIES[s].kind == K_DIRECT ? K_AUTH : SERIES[s].kind;
        if (selected[s] && st == t && (k == K_DIRECT || (int)sk == k))
            return true;
    }
    return false;
}

static struct bench_stats st[8][NSERIES]; /* per concurrency of --conns, per series */

/* The row of one trigger (series with against series without): the medians' difference less the
 * function's own round trip, and the server CPU the trigger added. */
static void print_added(int nconns, const struct bench_stats *row, const char *trigger,
                        const char *with_id, const char *without_id)
{
    size_t with = (size_t)series_index(with_id), without = (size_t)series_index(without_id);
    size_t direct = (size_t)series_index("direct");
    char cpu[32];

    if (!selected[with] || !selected[without] || !selected[direct])
        return;
    printf("| %d | %s in %s | %.3f | %.3f | %.3f | **%.3f** | %s |\n", nconns, trigger,
           SERIES[with].operation, row[without].p50, row[with].p50, row[direct].p50,
           row[with].p50 - row[without].p50 - row[direct].p50,
           row[with].cpu_p50 >= 0 && row[without].cpu_p50 >= 0
               ? bench_us_as_ms(row[with].cpu_p50 - row[without].cpu_p50, cpu, sizeof(cpu))
               : "-");
}

static const char *before; /* --before PATH (NULL: none) */

/* The option of this program alone: --before PATH (empty: none). */
static bool own_option(const char *name, const char *value)
{
    if (strcmp(name, "--before") != 0)
        return false;
    before = *value ? value : NULL;
    return true;
}

int main(int argc, char **argv)
{
    const struct bench_runner runner = {NSERIES, selected, worker_open, run_one, worker_close};
    struct bench_options o = {.requests = 2000, .warmup = 20, .conns_list = "1"};
    long expected = 0, errors = 0;
    struct bench_server main_srv = {0}, before_srv = {0};
    unsigned port;
    char lambda_endpoint[64];

    if (!bench_options_parse(&o, argc, argv, own_option))
        usage();
    /* With --before, only the pools without triggers, on both binaries: both servers then do
     * the same work, so neither's caches and threads are busier than the other's. */
    for (size_t s = 0; s < NSERIES; s++)
        selected[s] = o.only == NULL &&
                      (before != NULL ? !SERIES[s].triggered : SERIES[s].target != T_BEFORE_PLAIN);
    if (o.only != NULL && !bench_select(o.only, series_index, selected))
        usage();
    for (size_t s = 0; s < NSERIES; s++)
        if (selected[s] && SERIES[s].target == T_BEFORE_PLAIN && before == NULL)
            usage();
    curl_global_init(CURL_GLOBAL_DEFAULT);
    signal(SIGPIPE, SIG_IGN);

    /* The function, the servers, the pools. */
    if ((port = noop_start()) == 0) {
        fprintf(stderr, "trigger_bench: the no-op function did not start\n");
        return 1;
    }
    snprintf(lambda_endpoint, sizeof(lambda_endpoint), "http://127.0.0.1:%u", port);
    snprintf(function_url, sizeof(function_url), "%s/2015-03-31/functions/noop/invocations",
             lambda_endpoint);
    {
        const char *main_args[] = {
            "--port",   "0",           "--bind", "127.0.0.1",         "--db",
            ":memory:", "--log-level", "warn",   "--lambda-endpoint", lambda_endpoint,
            NULL};
        const char *before_args[] = {"--port",   "0",           "--bind", "127.0.0.1", "--db",
                                     ":memory:", "--log-level", "warn",   NULL};
        bool need_main = uses(T_MAIN_PLAIN, K_DIRECT) || uses(T_MAIN_PRE, K_DIRECT) ||
                         uses(T_MAIN_POST, K_DIRECT);
        struct bench_conn c;

        if ((need_main && !bench_server_start(&main_srv, o.wrap, o.bin, main_args)) ||
            (uses(T_BEFORE_PLAIN, K_DIRECT) &&
             !bench_server_start(&before_srv, o.wrap, before, before_args))) {
            bench_server_stop(&main_srv);
            bench_server_stop(&before_srv);
            return 1;
        }
        server_pids[0] = main_srv.pid;
        server_pids[1] = before_srv.pid;
        bench_conn_init(&c);
        if (uses(T_MAIN_PLAIN, K_DIRECT))
            pool_create(&c, &pools[T_MAIN_PLAIN], main_srv.endpoint, "plain", NULL);
        if (uses(T_MAIN_PRE, K_DIRECT))
            pool_create(&c, &pools[T_MAIN_PRE], main_srv.endpoint, "pre",
                        "\"PreAuthentication\":\"" NOOP_ARN "\"");
        if (uses(T_MAIN_POST, K_DIRECT))
            pool_create(&c, &pools[T_MAIN_POST], main_srv.endpoint, "post",
                        "\"PostConfirmation\":\"" NOOP_ARN "\"");
        if (uses(T_BEFORE_PLAIN, K_DIRECT))
            pool_create(&c, &pools[T_BEFORE_PLAIN], before_srv.endpoint, "plain", NULL);
        for (int t = 0; t < NTARGETS; t++)
            if (uses((enum target)t, K_AUTH))
                pool_add_sign_in_users(&c, &pools[t]);
        /* One sign-in with PreAuthentication: the event the direct series sends. */
        if (selected[series_index("direct")]) {
            bench_must(step_initiate_auth(&c, &pools[T_MAIN_PRE], "u-0"), "InitiateAuth");
            expected++;
        }
        bench_conn_free(&c);
    }
    if (selected[series_index("direct")]) {
        static char auth[600], date[100], type[100];
        bench_must(captured.body != NULL, "capturing the event");
        snprintf(auth, sizeof(auth), "Authorization: %s", captured.auth);
        snprintf(date, sizeof(date), "X-Amz-Date: %s", captured.date);
        snprintf(type, sizeof(type), "X-Amz-Invocation-Type: %s", captured.type);
        direct_headers = curl_slist_append(NULL, "Content-Type: application/json");
        direct_headers = curl_slist_append(direct_headers, type);
        direct_headers = curl_slist_append(direct_headers, date);
        direct_headers = curl_slist_append(direct_headers, auth);
        direct_headers = curl_slist_append(direct_headers, "Expect:");
    }

    /* The phases and the tables. */
    printf("| conns | series | operation | pool | requests | p50 ms | p90 ms | p99 ms | server "
           "CPU per request, p50 ms | server waiting for a CPU, mean ms | errors |\n"
           "|---:|---|---|---|---:|---:|---:|---:|---:|---:|---:|\n");
    for (int i = 0; i < o.nconns; i++) {
        int n = o.conns[i];
        bench_phase_run(&runner, n, o.requests, o.warmup, st[i]);
        for (size_t s = 0; s < NSERIES; s++) {
            char cpu[32], wait[32];
            if (!selected[s])
                continue;
            errors += st[i][s].errors;
            printf("| %d | %s | %s | %s | %zu | %.3f | %.3f | %.3f | %s | %s | %ld |\n", n,
                   SERIES[s].id, SERIES[s].operation, SERIES[s].pool, st[i][s].n, st[i][s].p50,
                   st[i][s].p90, st[i][s].p99, bench_us_as_ms(st[i][s].cpu_p50, cpu, sizeof(cpu)),
                   bench_us_as_ms(st[i][s].wait_mean, wait, sizeof(wait)), st[i][s].errors);
        }
        fflush(stdout);
    }
    if (selected[series_index("direct")])
        printf("\n| conns | trigger | without, p50 ms | with, p50 ms | the function's own round "
               "trip, p50 ms | **added by the emulator** = with - without - function, ms | "
               "server CPU added (p50 with - p50 without), ms |\n"
               "|---:|---|---:|---:|---:|---:|---:|\n");
    for (int i = 0; i < o.nconns; i++) {
        print_added(o.conns[i], st[i], "PreAuthentication", "auth+pre", "auth");
        print_added(o.conns[i], st[i], "PostConfirmation", "confirm+post", "confirm");
    }
    if (before != NULL) {
        printf("\nA pool without LambdaConfig, this binary against --before:\n\n");
        for (int i = 0; i < o.nconns; i++)
            for (size_t s = 0; s < NSERIES; s++) {
                int same = SERIES[s].same ? series_index(SERIES[s].same) : -1;
                const struct bench_stats *now, *then = &st[i][s];
                if (!selected[s] || same < 0 || !selected[same])
                    continue;
                now = &st[i][same];
                printf("- %d conn%s, %s: p50 %.3f ms, before %.3f ms (%+.3f ms)", o.conns[i],
                       o.conns[i] > 1 ? "s" : "", SERIES[s].operation, now->p50, then->p50,
                       now->p50 - then->p50);
                if (now->cpu_p50 >= 0 && then->cpu_p50 >= 0)
                    printf("; server CPU p50 %.3f ms, before %.3f ms (%+.3f ms)",
                           now->cpu_p50 / 1e3, then->cpu_p50 / 1e3,
                           (now->cpu_p50 - then->cpu_p50) / 1e3);
                printf("\n");
            }
    }
    expected += atomic_load(&triggered_requests);
    printf("\nfunction invocations: %ld, expected %ld (one per triggered request); TCP "
           "connections to the function: %ld",
           atomic_load(&noop_invocations), expected, atomic_load(&noop_connections));
    if (captured.body != NULL)
        printf("; the PreAuthentication request: %zu bytes of event + %zu of SigV4 "
               "Authorization",
               strlen(captured.body), strlen(captured.auth));
    printf("\n");
    bench_server_stop(&main_srv);
    bench_server_stop(&before_srv);
    if (errors > 0 || atomic_load(&noop_invocations) != expected) {
        fprintf(stderr,
                "trigger_bench: INVALID run: %ld errors, %ld invocations for %ld "
                "triggered requests\n",
                errors, atomic_load(&noop_invocations), expected);
        return 1;
    }
    return 0;
}
