/*
 * load: the load client of bench/run.sh. Against one running cognito-emu (same machine, loopback)
 * it makes the benchmark's setup (a user pool, an app client with the password, admin, SRP and
 * refresh flows, an identity pool trusting it with roles), stores users, and runs every workload
 * for SECONDS at each concurrency, printing one machine-readable line per measurement for
 * bench/report.py to turn into the results table. It is not a general tool.
 *
 *   load ENDPOINT SERVER_PID SECONDS USERS_BIG
 *   LOAD_ONLY=N load ...     only workload N of enum workload at 32 connections (for profiling)
 *
 * Each connection is a thread with its own libcurl easy handle (keep-alive, one TCP connection
 * for the whole phase). A phase starts when every thread has done its untimed preparation (a
 * sign-in for GetUser, for instance) and ends at a deadline; every loop is also bounded in
 * count. Output lines, '|'-separated:
 *
 *   R|workload|users stored|connections|requests per unit|units|seconds|p50 ms|p99 ms|errors|
 *     client CPU s|server CPU s|other processes' CPU s
 *   M|key|value                                (setup facts: RSS, load time of the users...)
 *
 * A unit is one request, or one flow of several requests (SRP: 2; GetId + credentials: 2; a new
 * user's full flow: 5); latency is per unit. A unit counts as done only when every answer was
 * 200 with what the next step needs; anything else is an error (the first few are shown on
 * stderr). The client's CPU is getrusage(RUSAGE_SELF) over the phase, the server's is utime +
 * stime from /proc/PID/stat, so the table can show that the client is not the bottleneck.
 *
 * The SRP client arithmetic uses the server's own srp_group building blocks (libcogemu.a):
 * x, u, the HKDF key and the claim signature. To keep the client light, each thread draws one
 * secret a and keeps A = g^a, and k*g^x is kept per user once its salt is known, as
 * bench/signin_bench.c does; per sign-in the client computes S = (B - k*g^x)^(a+u*x) only.
 * The server does its full work for every sign-in.
 *
 * Users are stored fast through POST /_emu/fixtures (the server's own AdminCreateUser per user,
 * with a shared SRP verifier, so those users exist but cannot sign in); the users that sign in
 * are made by SignUp + AdminConfirmSignUp.
 */
#define _GNU_SOURCE
#include "bench_common.h"
#include "crypto/srp_group.h"

#include <cJSON.h>
#include <curl/curl.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#define PASSWORD "Bench-Passw0rd!"
#define SIGNIN_USERS 64           /* confirmed users that sign in, round-robin */
#define MAX_CONNS 256
#define MAX_UNITS_PER_THREAD 5000000L /* the count bound of every timed loop */
#define MAX_SAMPLES 2000000L      /* latency samples per phase, shared among threads */
#define FILL_BATCH 1000 /* users per fixture document: ~0.8 MB, under the default --max-body */
#define FILL_THREADS 2
#define IDP "AWSCognitoIdentityProviderService"
#define IDENTITY "AWSCognitoIdentityService"

const char bench_name[] = "load";

static const char *endpoint;
static long server_pid;
static char pool_id[64], pool_name[64], client_id[64], identity_pool_id[96], provider[160];
static long users_stored; /* users in the pool, as far as this client made them */
static long fill_next;    /* next filler user number */
static int error_reports;
static pthread_mutex_t report_lock = PTHREAD_MUTEX_INITIALIZER;

/* ---- Clocks and CPU ------------------------------------------------------------------------ */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double client_cpu_s(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

/* utime + stime of the server in seconds, from /proc/PID/stat; -1 when unreadable. */
static double server_cpu_s(void)
{
    char path[64], line[1024], *p;
    unsigned long ut = 0, st = 0;
    FILE *f;

    snprintf(path, sizeof(path), "/proc/%ld/stat", server_pid);
    if ((f = fopen(path, "r")) == NULL)
        return -1;
    p = fgets(line, sizeof(line), f) ? strrchr(line, ')') : NULL;
    fclose(f);
    if (p == NULL ||
        sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) != 2)
        return -1;
    return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

/*
 * CPU seconds every process of the machine has used (the first line of /proc/stat, all but
 * idle and iowait); -1 when unreadable. Less the client's and the server's, what other work
 * took from the run.
 */
static double machine_busy_s(void)
{
    unsigned long long v[8] = {0};
    FILE *f = fopen("/proc/stat", "r");
    int n;

    if (f == NULL)
        return -1;
    n = fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3],
               &v[4], &v[5], &v[6], &v[7]);
    fclose(f);
    if (n != 8)
        return -1;
    return (double)(v[0] + v[1] + v[2] + v[5] + v[6] + v[7]) / (double)sysconf(_SC_CLK_TCK);
}

/* VmRSS of the server in KiB; -1 when unreadable. */
static long server_rss_kib(void)
{
    char path[64], line[256];
    long kib = -1;
    FILE *f;

    snprintf(path, sizeof(path), "/proc/%ld/status", server_pid);
    if ((f = fopen(path, "r")) == NULL)
        return -1;
    while (fgets(line, sizeof(line), f))
        if (strncmp(line, "VmRSS:", 6) == 0)
            kib = strtol(line + 6, NULL, 10);
    fclose(f);
    return kib;
}

/* ---- HTTP ---------------------------------------------------------------------------------- */

/* One connection: a keep-alive easy handle, the answer it got last, and its headers. */
struct conn {
    struct bench_conn http;
    struct curl_slist *hdr[2][32]; /* [service][op], built on first use */
};

static void conn_init(struct conn *c)
{
    memset(c, 0, sizeof(*c));
    bench_conn_init(&c->http);
    curl_easy_setopt(c->http.h, CURLOPT_TIMEOUT, 60L);
}

static void conn_free(struct conn *c)
{
    for (int s = 0; s < 2; s++)
        for (int o = 0; o < 32; o++)
            curl_slist_free_all(c->hdr[s][o]);
    bench_conn_free(&c->http);
}

enum op {
    OP_SIGN_UP,
    OP_ADMIN_CONFIRM_SIGN_UP,
    OP_INITIATE_AUTH,
    OP_RESPOND_TO_AUTH_CHALLENGE,
    OP_GET_USER,
    OP_CREATE_USER_POOL,
    OP_CREATE_USER_POOL_CLIENT,
    OP_GET_ID,
    OP_GET_CREDENTIALS_FOR_IDENTITY,
    OP_CREATE_IDENTITY_POOL,
    OP_SET_IDENTITY_POOL_ROLES,
    OP_CONTROL, /* a POST to a control path, not an AWS operation */
};

static const char *const op_names[] = {
    "SignUp", "AdminConfirmSignUp", "InitiateAuth", "RespondToAuthChallenge", "GetUser",
    "CreateUserPool", "CreateUserPoolClient", "GetId", "GetCredentialsForIdentity",
    "CreateIdentityPool", "SetIdentityPoolRoles", "control"};

static bool op_is_identity(enum op op)
{
    return op == OP_GET_ID || op == OP_GET_CREDENTIALS_FOR_IDENTITY ||
           op == OP_CREATE_IDENTITY_POOL || op == OP_SET_IDENTITY_POOL_ROLES;
}

/* Report an unexpected answer (the first 10 of the run) on stderr. */
static void report_error(const struct conn *c, enum op op, const char *why)
{
    pthread_mutex_lock(&report_lock);
    if (error_reports++ < 10)
        fprintf(stderr, "load: %s: %s (HTTP %ld): %.300s\n", op_names[op], why, c->http.status,
                c->http.body ? c->http.body : "");
    pthread_mutex_unlock(&report_lock);
}

/*
 * POST body as operation op (or to path for OP_CONTROL) on connection c. True when the answer
 * was HTTP 200; the answer is in c->http.body until the next call.
 */
static bool post(struct conn *c, enum op op, const char *path, const char *body)
{
    struct curl_slist **hdr = &c->hdr[op_is_identity(op)][op];
    char url[256];

    if (*hdr == NULL) {
        char target[160];
        snprintf(target, sizeof(target), "X-Amz-Target: %s.%s",
                 op_is_identity(op) ? IDENTITY : IDP, op_names[op]);
        *hdr = curl_slist_append(NULL, "Content-Type: application/x-amz-json-1.1");
        *hdr = curl_slist_append(*hdr, "Expect:");
        if (op != OP_CONTROL)
            *hdr = curl_slist_append(*hdr, target);
    }
    snprintf(url, sizeof(url), "%s%s", endpoint, path ? path : "/");
    if (bench_perform(&c->http, url, *hdr, body) == 0) {
        report_error(c, op, "no answer");
        return false;
    }
    if (c->http.status != 200) {
        report_error(c, op, "refused");
        return false;
    }
    return true;
}

/*
 * Copy string member name of the answer's object at path (NULL: the top) into out. True when
 * it was there. Parses the answer: only for the steps that need a value from it.
 */
static bool answer_get(struct conn *c, enum op op, const char *object, const char *name,
                       char *out, size_t n)
{
    cJSON *r = cJSON_Parse(c->http.body ? c->http.body : "");
    const cJSON *o = object ? cJSON_GetObjectItemCaseSensitive(r, object) : r;
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    bool ok = cJSON_IsString(v) && strlen(v->valuestring) < n;

    if (ok)
        memcpy(out, v->valuestring, strlen(v->valuestring) + 1);
    else
        report_error(c, op, name);
    cJSON_Delete(r);
    return ok;
}

/* A setup step that must work; exits the program otherwise. */
static void must(struct conn *c, enum op op, const char *path, const char *body)
{
    if (!post(c, op, path, body)) {
        fprintf(stderr, "load: setup step %s failed\n", op_names[op]);
        exit(1);
    }
}

/* ---- The steps of the workloads ------------------------------------------------------------- */

static bool step_sign_up(struct conn *c, const char *user)
{
    char body[512];
    snprintf(body, sizeof(body),
             "{\"ClientId\":\"%s\",\"Username\":\"%s\",\"Password\":\"" PASSWORD "\"}", client_id,
             user);
    return post(c, OP_SIGN_UP, NULL, body);
}

static bool step_confirm(struct conn *c, const char *user)
{
    char body[512];
    snprintf(body, sizeof(body), "{\"UserPoolId\":\"%s\",\"Username\":\"%s\"}", pool_id, user);
    return post(c, OP_ADMIN_CONFIRM_SIGN_UP, NULL, body);
}

/* USER_PASSWORD_AUTH; with id_token/access_token non-NULL, copies them (buffers of 4096). */
static bool step_initiate_auth(struct conn *c, const char *user, char *id_token,
                               char *access_token)
{
    char body[512];

    snprintf(body, sizeof(body),
             "{\"AuthFlow\":\"USER_PASSWORD_AUTH\",\"ClientId\":\"%s\",\"AuthParameters\":"
             "{\"USERNAME\":\"%s\",\"PASSWORD\":\"" PASSWORD "\"}}",
             client_id, user);
    if (!post(c, OP_INITIATE_AUTH, NULL, body))
        return false;
    if (id_token == NULL && access_token == NULL) {
        if (strstr(c->http.body, "\"AccessToken\"") && strstr(c->http.body, "\"IdToken\""))
            return true;
        report_error(c, OP_INITIATE_AUTH, "no tokens");
        return false;
    }
    return (id_token == NULL ||
            answer_get(c, OP_INITIATE_AUTH, "AuthenticationResult", "IdToken", id_token, 4096)) &&
           (access_token == NULL || answer_get(c, OP_INITIATE_AUTH, "AuthenticationResult",
                                               "AccessToken", access_token, 4096));
}

static bool step_get_user(struct conn *c, const char *access_token)
{
    char body[4200];

    snprintf(body, sizeof(body), "{\"AccessToken\":\"%s\"}", access_token);
    if (!post(c, OP_GET_USER, NULL, body))
        return false;
    if (strstr(c->http.body, "\"Username\""))
        return true;
    report_error(c, OP_GET_USER, "no Username");
    return false;
}

/* GetId with the user's ID token, then GetCredentialsForIdentity with the same login. */
static bool step_identity(struct conn *c, const char *id_token)
{
    char body[4600], identity_id[128];

    snprintf(body, sizeof(body), "{\"IdentityPoolId\":\"%s\",\"Logins\":{\"%s\":\"%s\"}}",
             identity_pool_id, provider, id_token);
    if (!post(c, OP_GET_ID, NULL, body) ||
        !answer_get(c, OP_GET_ID, NULL, "IdentityId", identity_id, sizeof(identity_id)))
        return false;
    snprintf(body, sizeof(body), "{\"IdentityId\":\"%s\",\"Logins\":{\"%s\":\"%s\"}}",
             identity_id, provider, id_token);
    if (!post(c, OP_GET_CREDENTIALS_FOR_IDENTITY, NULL, body))
        return false;
    if (strstr(c->http.body, "\"SecretKey\""))
        return true;
    report_error(c, OP_GET_CREDENTIALS_FOR_IDENTITY, "no SecretKey");
    return false;
}

/* ---- SRP (client side) ---------------------------------------------------------------------- */

struct srp_client {
    BIGNUM *a, *A;
    char *A_hex;
    BN_CTX *bn;
    BIGNUM *x[SIGNIN_USERS], *kgx[SIGNIN_USERS]; /* per sign-in user, once its salt is known */
};

static void srp_client_init(struct srp_client *s)
{
    memset(s, 0, sizeof(*s));
    s->bn = BN_CTX_new();
    s->a = BN_new();
    s->A = BN_new();
    if (s->bn == NULL || s->a == NULL || s->A == NULL ||
        !BN_rand(s->a, 256, BN_RAND_TOP_ONE, BN_RAND_BOTTOM_ANY) ||
        !BN_mod_exp(s->A, srp_group_g(), s->a, srp_group_N(), s->bn) ||
        (s->A_hex = srp_bn_to_hex(s->A)) == NULL) {
        fprintf(stderr, "load: SRP client setup failed\n");
        exit(1);
    }
}

static void srp_client_free(struct srp_client *s)
{
    for (int i = 0; i < SIGNIN_USERS; i++) {
        BN_free(s->x[i]);
        BN_free(s->kgx[i]);
    }
    BN_free(s->a);
    BN_free(s->A);
    free(s->A_hex);
    BN_CTX_free(s->bn);
}

/* "Mon Jan 2 03:04:05 UTC 2006": the TIMESTAMP format of amazon-cognito-identity-js. */
static void srp_timestamp(char *out, size_t n)
{
    static const char *const D[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char *const M[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    time_t t = time(NULL);
    struct tm tm;

    gmtime_r(&t, &tm);
    snprintf(out, n, "%s %s %d %02d:%02d:%02d UTC %d", D[tm.tm_wday], M[tm.tm_mon], tm.tm_mday,
             tm.tm_hour, tm.tm_min, tm.tm_sec, tm.tm_year + 1900);
}

/* InitiateAuth USER_SRP_AUTH, then RespondToAuthChallenge PASSWORD_VERIFIER, for user slot. */
static bool step_srp(struct conn *c, struct srp_client *s, int slot, const char *user)
{
    char body[2600], b_hex[800], salt_hex[80], secret_block[1200], uid[160], ts[40];
    char sig[SRP_SIGNATURE_B64_LEN + 1];
    unsigned char block[900], key[SRP_KEY_LEN];
    BIGNUM *B = NULL, *salt = NULL, *u = NULL, *base = BN_new(), *e = BN_new(), *S = BN_new();
    int nblock;
    bool ok = false;

    snprintf(body, sizeof(body),
             "{\"AuthFlow\":\"USER_SRP_AUTH\",\"ClientId\":\"%s\",\"AuthParameters\":"
             "{\"USERNAME\":\"%s\",\"SRP_A\":\"%s\"}}",
             client_id, user, s->A_hex);
    if (!post(c, OP_INITIATE_AUTH, NULL, body) ||
        !answer_get(c, OP_INITIATE_AUTH, "ChallengeParameters", "SRP_B", b_hex, sizeof(b_hex)) ||
        !answer_get(c, OP_INITIATE_AUTH, "ChallengeParameters", "SALT", salt_hex,
                    sizeof(salt_hex)) ||
        !answer_get(c, OP_INITIATE_AUTH, "ChallengeParameters", "SECRET_BLOCK", secret_block,
                    sizeof(secret_block)) ||
        !answer_get(c, OP_INITIATE_AUTH, "ChallengeParameters", "USER_ID_FOR_SRP", uid,
                    sizeof(uid)))
        goto out;
    B = srp_bn_from_hex(b_hex, 2 * SRP_N_BYTES);
    salt = srp_bn_from_hex(salt_hex, 64);
    if (B == NULL || salt == NULL || base == NULL || e == NULL || S == NULL)
        goto out;
    if (s->x[slot] == NULL) { /* a user's salt does not change: x and k*g^x once */
        BIGNUM *gx = BN_new();
        s->x[slot] = srp_compute_x(pool_name, uid, PASSWORD, salt);
        s->kgx[slot] = BN_new();
        if (gx == NULL || s->x[slot] == NULL || s->kgx[slot] == NULL ||
            !BN_mod_exp(gx, srp_group_g(), s->x[slot], srp_group_N(), s->bn) ||
            !BN_mod_mul(s->kgx[slot], srp_group_k(), gx, srp_group_N(), s->bn)) {
            BN_free(gx);
            goto out;
        }
        BN_free(gx);
    }
    /* S = (B - k*g^x)^(a + u*x) mod N */
    if ((u = srp_hash_pads(s->A, B)) == NULL ||
        !BN_mod_sub(base, B, s->kgx[slot], srp_group_N(), s->bn) ||
        !BN_mul(e, u, s->x[slot], s->bn) || !BN_add(e, e, s->a) ||
        !BN_mod_exp(S, base, e, srp_group_N(), s->bn) || srp_hkdf_key(S, u, key) != 0)
        goto out;
    nblock = EVP_DecodeBlock(block, (const unsigned char *)secret_block, (int)strlen(secret_block));
    if (nblock < 0)
        goto out;
    /* EVP_DecodeBlock counts the bytes of base64 padding as zero bytes: drop them */
    for (size_t len = strlen(secret_block); len > 0 && secret_block[len - 1] == '='; len--)
        nblock--;
    srp_timestamp(ts, sizeof(ts));
    if (srp_claim_signature(key, pool_name, uid, block, (size_t)nblock, ts, sig) != 0)
        goto out;
    snprintf(body, sizeof(body),
             "{\"ChallengeName\":\"PASSWORD_VERIFIER\",\"ClientId\":\"%s\",\"ChallengeResponses\":"
             "{\"USERNAME\":\"%s\",\"PASSWORD_CLAIM_SECRET_BLOCK\":\"%s\",\"TIMESTAMP\":\"%s\","
             "\"PASSWORD_CLAIM_SIGNATURE\":\"%s\"}}",
             client_id, uid, secret_block, ts, sig);
    if (!post(c, OP_RESPOND_TO_AUTH_CHALLENGE, NULL, body))
        goto out;
    ok = strstr(c->http.body, "\"AccessToken\"") != NULL;
    if (!ok)
        report_error(c, OP_RESPOND_TO_AUTH_CHALLENGE, "no tokens");
out:
    BN_free(B);
    BN_free(salt);
    BN_free(u);
    BN_free(base);
    BN_free(e);
    BN_free(S);
    return ok;
}

/* ---- Workloads and phases -------------------------------------------------------------------- */

enum workload { W_SIGN_UP, W_INITIATE_AUTH, W_SRP, W_GET_USER, W_IDENTITY, W_FULL_FLOW };

static const char *const workload_names[] = {
    "SignUp", "InitiateAuth USER_PASSWORD_AUTH", "SRP sign-in (2 requests)", "GetUser",
    "GetId + GetCredentialsForIdentity", "new user: SignUp, AdminConfirmSignUp, InitiateAuth, "
                                         "GetId, GetCredentialsForIdentity"};
static const int workload_requests[] = {1, 1, 2, 1, 2, 5};

struct phase {
    enum workload w;
    int nconns;
    int serial; /* makes the usernames of this phase unique */
    pthread_barrier_t ready, go;
    double deadline;
};

struct worker {
    struct phase *ph;
    int id;
    long done, errors;
    float *lat; /* ms */
    long nlat, cap;
};

static void *worker_run(void *arg)
{
    struct worker *wk = arg;
    struct phase *ph = wk->ph;
    struct conn c;
    struct srp_client srp;
    char user[96], *id_token = malloc(4096), *access_token = malloc(4096);
    bool prepared = true;

    conn_init(&c);
    if (ph->w == W_SRP)
        srp_client_init(&srp);
    /* Untimed preparation: the tokens GetUser and the identity workload present. */
    if (ph->w == W_GET_USER || ph->w == W_IDENTITY) {
        snprintf(user, sizeof(user), "bench-user-%d", wk->id % SIGNIN_USERS);
        prepared = id_token && access_token && step_initiate_auth(&c, user, id_token, access_token);
    }
    pthread_barrier_wait(&ph->ready);
    pthread_barrier_wait(&ph->go);
    for (long i = 0; prepared && i < MAX_UNITS_PER_THREAD; i++) {
        long k = (long)wk->id + i * ph->nconns; /* this thread's i-th unit, unique in the phase */
        double t0 = now_s();
        bool ok = false;

        if (t0 >= ph->deadline)
            break;
        switch (ph->w) {
        case W_SIGN_UP:
            snprintf(user, sizeof(user), "su-%d-%ld", ph->serial, k);
            ok = step_sign_up(&c, user);
            break;
        case W_INITIATE_AUTH:
            snprintf(user, sizeof(user), "bench-user-%ld", k % SIGNIN_USERS);
            ok = step_initiate_auth(&c, user, NULL, NULL);
            break;
        case W_SRP:
            snprintf(user, sizeof(user), "bench-user-%ld", k % SIGNIN_USERS);
            ok = step_srp(&c, &srp, (int)(k % SIGNIN_USERS), user);
            break;
        case W_GET_USER:
            ok = step_get_user(&c, access_token);
            break;
        case W_IDENTITY:
            ok = step_identity(&c, id_token);
            break;
        case W_FULL_FLOW:
            snprintf(user, sizeof(user), "ff-%d-%ld", ph->serial, k);
            ok = step_sign_up(&c, user) && step_confirm(&c, user) &&
                 step_initiate_auth(&c, user, id_token, NULL) && step_identity(&c, id_token);
            break;
        }
        if (ok) {
            wk->done++;
            if (wk->nlat < wk->cap)
                wk->lat[wk->nlat++] = (float)((now_s() - t0) * 1000);
        } else {
            wk->errors++;
        }
    }
    if (!prepared)
        wk->errors++;
    if (ph->w == W_SRP)
        srp_client_free(&srp);
    conn_free(&c);
    free(id_token);
    free(access_token);
    return NULL;
}

static int cmp_float(const void *a, const void *b)
{
    float x = *(const float *)a, y = *(const float *)b;
    return x < y ? -1 : x > y;
}

/* Run workload w at nconns connections for seconds; print its R line; return its errors. */
static long phase_run(enum workload w, int nconns, double seconds)
{
    static int serial;
    struct phase ph = {.w = w, .nconns = nconns, .serial = ++serial};
    pthread_t th[MAX_CONNS];
    struct worker wk[MAX_CONNS];
    double t0, c0, s0, m0, elapsed, client, server;
    long done = 0, errors = 0, n = 0;
    float *all;

    pthread_barrier_init(&ph.ready, NULL, (unsigned)nconns + 1);
    pthread_barrier_init(&ph.go, NULL, (unsigned)nconns + 1);
    for (int i = 0; i < nconns; i++) {
        wk[i] = (struct worker){.ph = &ph, .id = i, .cap = MAX_SAMPLES / nconns};
        wk[i].lat = malloc((size_t)wk[i].cap * sizeof(float));
        if (wk[i].lat == NULL || pthread_create(&th[i], NULL, worker_run, &wk[i]) != 0) {
            fprintf(stderr, "load: out of memory or threads\n");
            exit(1);
        }
    }
    pthread_barrier_wait(&ph.ready);
    t0 = now_s();
    c0 = client_cpu_s();
    s0 = server_cpu_s();
    m0 = machine_busy_s();
    ph.deadline = t0 + seconds;
    pthread_barrier_wait(&ph.go);
    for (int i = 0; i < nconns; i++) {
        pthread_join(th[i], NULL);
        done += wk[i].done;
        errors += wk[i].errors;
        n += wk[i].nlat;
    }
    elapsed = now_s() - t0;
    client = client_cpu_s() - c0;
    server = server_cpu_s() - s0;
    all = malloc((size_t)(n ? n : 1) * sizeof(float));
    if (all == NULL)
        exit(1);
    n = 0;
    for (int i = 0; i < nconns; i++) {
        memcpy(all + n, wk[i].lat, (size_t)wk[i].nlat * sizeof(float));
        n += wk[i].nlat;
        free(wk[i].lat);
    }
    qsort(all, (size_t)n, sizeof(float), cmp_float);
    printf("R|%s|%ld|%d|%d|%ld|%.3f|%.3f|%.3f|%ld|%.2f|%.2f|%.2f\n", workload_names[w],
           users_stored, nconns, workload_requests[w], done, elapsed, n ? all[n / 2] : 0.0,
           n ? all[n * 99 / 100] : 0.0, errors, client, server,
           machine_busy_s() - m0 - client - server);
    fflush(stdout);
    if (w == W_SIGN_UP || w == W_FULL_FLOW)
        users_stored += done;
    free(all);
    pthread_barrier_destroy(&ph.ready);
    pthread_barrier_destroy(&ph.go);
    return errors;
}

/* ---- Setup and storing users ---------------------------------------------------------------- */

static void setup(void)
{
    struct conn c;
    char body[1024];

    conn_init(&c);
    must(&c, OP_CREATE_USER_POOL, NULL, "{\"PoolName\":\"bench\"}");
    if (!answer_get(&c, OP_CREATE_USER_POOL, "UserPool", "Id", pool_id, sizeof(pool_id)) ||
        strchr(pool_id, '_') == NULL)
        exit(1);
    snprintf(pool_name, sizeof(pool_name), "%s", strchr(pool_id, '_') + 1);
    snprintf(body, sizeof(body),
             "{\"UserPoolId\":\"%s\",\"ClientName\":\"bench\",\"ExplicitAuthFlows\":"
             "[\"ALLOW_USER_PASSWORD_AUTH\",\"ALLOW_ADMIN_USER_PASSWORD_AUTH\","
             "\"ALLOW_USER_SRP_AUTH\",\"ALLOW_REFRESH_TOKEN_AUTH\"]}",
             pool_id);
    must(&c, OP_CREATE_USER_POOL_CLIENT, NULL, body);
    if (!answer_get(&c, OP_CREATE_USER_POOL_CLIENT, "UserPoolClient", "ClientId", client_id,
                    sizeof(client_id)))
        exit(1);
    /* the provider name of a user pool: cognito-idp.<region of the pool id>.amazonaws.com/<id> */
    snprintf(provider, sizeof(provider), "cognito-idp.%.*s.amazonaws.com/%s",
             (int)(strchr(pool_id, '_') - pool_id), pool_id, pool_id);
    snprintf(body, sizeof(body),
             "{\"IdentityPoolName\":\"bench\",\"AllowUnauthenticatedIdentities\":false,"
             "\"CognitoIdentityProviders\":[{\"ProviderName\":\"%s\",\"ClientId\":\"%s\"}]}",
             provider, client_id);
    must(&c, OP_CREATE_IDENTITY_POOL, NULL, body);
    if (!answer_get(&c, OP_CREATE_IDENTITY_POOL, NULL, "IdentityPoolId", identity_pool_id,
                    sizeof(identity_pool_id)))
        exit(1);
    snprintf(body, sizeof(body),
             "{\"IdentityPoolId\":\"%s\",\"Roles\":{"
             "\"authenticated\":\"arn:aws:iam::123456789012:role/bench-authenticated\","
             "\"unauthenticated\":\"arn:aws:iam::123456789012:role/bench-unauthenticated\"}}",
             identity_pool_id);
    must(&c, OP_SET_IDENTITY_POOL_ROLES, NULL, body);
    for (int i = 0; i < SIGNIN_USERS; i++) {
        char user[32];
        snprintf(user, sizeof(user), "bench-user-%d", i);
        if (!step_sign_up(&c, user) || !step_confirm(&c, user))
            exit(1);
    }
    users_stored = SIGNIN_USERS;
    conn_free(&c);
    printf("M|pool|%s\nM|client|%s\nM|identity_pool|%s\n", pool_id, client_id, identity_pool_id);
}

struct filler {
    long from, to; /* filler numbers [from, to) */
    long made;
    bool failed;
};

/* POST fixture documents of FILL_BATCH users each for filler numbers [from, to). */
static void *fill_run(void *arg)
{
    struct filler *f = arg;
    struct conn c;
    /*
     * A shared, well-formed SRP verifier as long as a real one (3072 bits): the users take the
     * room real users take, and their password is nobody's.
     */
    char verifier[2 * SRP_N_BYTES + 64];
    size_t cap = (size_t)FILL_BATCH * (sizeof(verifier) + 64) + 256, vlen;
    char *doc = malloc(cap);

    vlen = (size_t)snprintf(verifier, sizeof(verifier),
                            "{\"salt\":\"5eed5eed5eed5eed5eed5eed5eed5eed\",\"verifier\":\"");
    for (int i = 0; i < 2 * SRP_N_BYTES - 2 * 4; i += 8)
        vlen += (size_t)snprintf(verifier + vlen, sizeof(verifier) - vlen, "3c0ffee0");
    snprintf(verifier + vlen, sizeof(verifier) - vlen, "\"}");

    conn_init(&c);
    for (long i = f->from; doc && i < f->to;) {
        size_t len = (size_t)snprintf(doc, cap, "{\"userPools\":[{\"id\":\"%s\",\"name\":\"bench\","
                                                "\"users\":[", pool_id);
        long n = 0;
        char *p;
        for (; i < f->to && n < FILL_BATCH; i++, n++)
            len += (size_t)snprintf(doc + len, cap - len,
                                    "%s{\"username\":\"fill-%07ld\",\"passwordVerifier\":%s}",
                                    n ? "," : "", i, verifier);
        snprintf(doc + len, cap - len, "]}]}");
        if (!post(&c, OP_CONTROL, "/_emu/fixtures", doc) ||
            (p = strstr(c.http.body, "\"users\":")) == NULL || strtol(p + 8, NULL, 10) != n) {
            report_error(&c, OP_CONTROL, "fixture users not all created");
            f->failed = true;
            break;
        }
        f->made += n;
    }
    if (doc == NULL)
        f->failed = true;
    conn_free(&c);
    free(doc);
    return NULL;
}

/* Store users until the pool holds total; prints how long it took. False on failure. */
static bool fill_to(long total)
{
    long want = total - users_stored, per;
    struct filler f[FILL_THREADS];
    pthread_t th[FILL_THREADS];
    double t0 = now_s();
    bool ok = true;

    if (want <= 0)
        return true;
    per = (want + FILL_THREADS - 1) / FILL_THREADS;
    for (int i = 0; i < FILL_THREADS; i++) {
        long from = fill_next + i * per, to = from + per;
        f[i] = (struct filler){.from = from, .to = to < fill_next + want ? to : fill_next + want};
        pthread_create(&th[i], NULL, fill_run, &f[i]);
    }
    for (int i = 0; i < FILL_THREADS; i++) {
        pthread_join(th[i], NULL);
        users_stored += f[i].made;
        ok = ok && !f[i].failed;
    }
    fill_next += want;
    printf("M|fill_%ld|%ld of %ld users in %.2f s through POST /_emu/fixtures (%d connections)\n",
           total, users_stored - (total - want), want, now_s() - t0, FILL_THREADS);
    fflush(stdout);
    return ok;
}

/* The server's RSS once it has been idle for a moment. */
static void print_rss(const char *key)
{
    usleep(300 * 1000);
    printf("M|%s|%ld\n", key, server_rss_kib());
    fflush(stdout);
}

int main(int argc, char **argv)
{
    static const int conns[] = {1, 32};
    static const enum workload at_1k[] = {W_INITIATE_AUTH, W_SRP, W_GET_USER, W_IDENTITY,
                                          W_SIGN_UP, W_FULL_FLOW};
    double seconds;
    long users_big, errors = 0;

    if (argc != 5) {
        fprintf(stderr, "usage: load ENDPOINT SERVER_PID SECONDS USERS_BIG\n");
        return 2;
    }
    endpoint = argv[1];
    server_pid = strtol(argv[2], NULL, 10);
    seconds = strtod(argv[3], NULL);
    users_big = strtol(argv[4], NULL, 10);
    if (server_pid <= 0 || !(seconds > 0 && seconds <= 600) || users_big < 1000 ||
        users_big > 10000000 || server_cpu_s() < 0) {
        fprintf(stderr, "load: bad arguments (or no process %ld)\n", server_pid);
        return 2;
    }
    curl_global_init(CURL_GLOBAL_DEFAULT);
    if (srp_group_N() == NULL)
        return 1;
    print_rss("rss_idle_kib");
    setup();
    if (!fill_to(1000))
        return 1;
    print_rss("rss_1000_kib");
    if (getenv("LOAD_ONLY")) { /* for profiling one workload: LOAD_ONLY=<index> CONNS */
        long only = strtol(getenv("LOAD_ONLY"), NULL, 10);
        if (only >= 0 && only <= W_FULL_FLOW)
            errors += phase_run((enum workload)only, 32, seconds);
        return errors ? 1 : 0;
    }
    /* Everything at 1,000 stored users, then the workloads that add users. */
    for (size_t w = 0; w < sizeof(at_1k) / sizeof(at_1k[0]); w++)
        for (size_t i = 0; i < sizeof(conns) / sizeof(conns[0]); i++)
            errors += phase_run(at_1k[w], conns[i], seconds);
    if (!fill_to(users_big))
        return 1;
    print_rss("rss_big_kib");
    printf("M|rss_big_users|%ld\n", users_stored);
    for (size_t i = 0; i < sizeof(conns) / sizeof(conns[0]); i++)
        errors += phase_run(W_INITIATE_AUTH, conns[i], seconds);
    printf("M|errors|%ld\n", errors);
    curl_global_cleanup();
    return errors ? 1 : 0;
}
