/*
 * signin_bench: sign-ins per second against a running cognito-emu, with USER_PASSWORD_AUTH
 * (one round trip) and USER_SRP_AUTH (InitiateAuth, then RespondToAuthChallenge
 * PASSWORD_VERIFIER: two round trips), the same users and the same concurrency, one flow after
 * the other in the same run.
 *
 *   signin_bench ENDPOINT [CLIENTS [SECONDS [USERS [SERVER_PID]]]]
 *                                       (defaults: 32 clients, 10 s, 64 users)
 *
 * It makes its own user pool, app client and confirmed users (SignUp, AdminConfirmSignUp), then
 * runs each flow for SECONDS with CLIENTS threads, each with its own keep-alive connection,
 * signing in users round-robin. A sign-in counts when the tokens came back. It prints, per flow,
 * sign-ins per second, latency percentiles, errors, the CPU time the client itself used and,
 * given the server's pid (same machine), the server's CPU time per sign-in, which does not
 * depend on how many cores the client took. bench/signin_bench.sh builds it and starts the
 * server.
 *
 * The SRP client arithmetic is written here from ../shared/cognito-facts.md 2.3 with OpenSSL's
 * BIGNUM, independently of the server's srp.c. To keep the load generator light it does less
 * work than a browser would: each thread draws one 256-bit secret a (a browser draws 128 bytes
 * per sign-in) and keeps A = g^a, and k*g^x is kept per user once the salt is known; what is
 * left per sign-in is the one exponentiation the protocol cannot avoid, S = (B - k*g^x)^(a+u*x).
 * The server does its full work for every sign-in.
 *
 * Only for loopback benchmarking: no TLS, no SigV4, secrets of no value.
 */
#define _GNU_SOURCE
#include <cJSON.h>
#include <curl/curl.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
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
#define MAX_USERS 4096
#define MAX_SAMPLES 500000

static const char *endpoint;
static char pool_id[64], client_id[64];
static int nusers;
static long server_pid;
static BIGNUM *N, *g, *k;

/* ---- HTTP ---------------------------------------------------------------------------------- */

struct buf {
    char *p;
    size_t n;
};

static size_t on_data(char *data, size_t size, size_t nmemb, void *arg)
{
    struct buf *b = arg;
    size_t len = size * nmemb;
    char *p = realloc(b->p, b->n + len + 1);

    if (p == NULL)
        return 0;
    memcpy(p + b->n, data, len);
    b->p = p;
    b->n += len;
    b->p[b->n] = '\0';
    return len;
}

/* POST one AWS JSON 1.1 operation on curl handle h; the parsed answer (cJSON_Delete), or NULL. */
static cJSON *call(CURL *h, const char *service, const char *op, const char *body, long *status)
{
    char target[160];
    struct curl_slist *headers = NULL;
    struct buf b = {NULL, 0};
    cJSON *out = NULL;

    snprintf(target, sizeof(target), "X-Amz-Target: %s.%s", service, op);
    headers = curl_slist_append(headers, "Content-Type: application/x-amz-json-1.1");
    headers = curl_slist_append(headers, target);
    curl_easy_setopt(h, CURLOPT_URL, endpoint);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &b);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, 30L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    *status = 0;
    if (curl_easy_perform(h) == CURLE_OK) {
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, status);
        out = b.p ? cJSON_Parse(b.p) : NULL;
    }
    curl_slist_free_all(headers);
    free(b.p);
    return out;
}

static const char *str(const cJSON *o, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

#define IDP "AWSCognitoIdentityProviderService"

static cJSON *must(CURL *h, const char *op, const char *body)
{
    long status;
    cJSON *r = call(h, IDP, op, body, &status);

    if (r == NULL || status != 200) {
        fprintf(stderr, "signin_bench: %s failed (%ld): %s\n", op, status,
                r ? str(r, "message") : "no answer");
        exit(1);
    }
    return r;
}

/* ---- SRP client arithmetic ----------------------------------------------------------------- */

/* PAD(x): big-endian bytes with a 0x00 in front when the top bit is set (Java's toByteArray). */
static size_t pad(const BIGNUM *x, unsigned char *out)
{
    int n = BN_num_bytes(x);

    out[0] = 0;
    BN_bn2bin(x, out + 1);
    if (n > 0 && !(out[1] & 0x80)) {
        memmove(out, out + 1, (size_t)n);
        return (size_t)n;
    }
    return (size_t)n + 1;
}

static BIGNUM *hash_pads(const BIGNUM *a, const BIGNUM *b)
{
    unsigned char pa[400], pb[400], md[32];
    size_t la = pad(a, pa), lb = pad(b, pb);
    EVP_MD_CTX *h = EVP_MD_CTX_new();

    EVP_DigestInit_ex(h, EVP_sha256(), NULL);
    EVP_DigestUpdate(h, pa, la);
    EVP_DigestUpdate(h, pb, lb);
    EVP_DigestFinal_ex(h, md, NULL);
    EVP_MD_CTX_free(h);
    return BN_bin2bn(md, 32, NULL);
}

/* x = H(PAD(salt) | H(poolName | user | ":" | password)) */
static BIGNUM *compute_x(const char *user, const BIGNUM *salt)
{
    const char *pool_name = strchr(pool_id, '_') + 1;
    unsigned char inner[32], md[32], ps[64];
    size_t ls = pad(salt, ps);
    EVP_MD_CTX *h = EVP_MD_CTX_new();

    EVP_DigestInit_ex(h, EVP_sha256(), NULL);
    EVP_DigestUpdate(h, pool_name, strlen(pool_name));
    EVP_DigestUpdate(h, user, strlen(user));
    EVP_DigestUpdate(h, ":", 1);
    EVP_DigestUpdate(h, PASSWORD, strlen(PASSWORD));
    EVP_DigestFinal_ex(h, inner, NULL);
    EVP_DigestInit_ex(h, EVP_sha256(), NULL);
    EVP_DigestUpdate(h, ps, ls);
    EVP_DigestUpdate(h, inner, 32);
    EVP_DigestFinal_ex(h, md, NULL);
    EVP_MD_CTX_free(h);
    return BN_bin2bn(md, 32, NULL);
}

/* ---- One client thread --------------------------------------------------------------------- */

enum flow { FLOW_PASSWORD, FLOW_SRP };

struct worker {
    int id;
    enum flow flow;
    double deadline;
    long done, errors;
    double *lat; /* ms */
    size_t nlat, cap;
    BIGNUM *a, *A;
    BIGNUM *x[8], *kgx[8]; /* per user of this worker (at most 8), once known */
};

static int nworkers;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static bool has_tokens(const cJSON *r)
{
    return str(cJSON_GetObjectItemCaseSensitive(r, "AuthenticationResult"), "AccessToken") != NULL;
}

static bool sign_in_password(CURL *h, const char *user)
{
    char body[512];
    long status;
    cJSON *r;
    bool ok;

    snprintf(body, sizeof(body),
             "{\"AuthFlow\":\"USER_PASSWORD_AUTH\",\"ClientId\":\"%s\",\"AuthParameters\":"
             "{\"USERNAME\":\"%s\",\"PASSWORD\":\"" PASSWORD "\"}}",
             client_id, user);
    r = call(h, IDP, "InitiateAuth", body, &status);
    ok = r != NULL && status == 200 && has_tokens(r);
    cJSON_Delete(r);
    return ok;
}

static void timestamp(char *out, size_t n)
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

static bool sign_in_srp(struct worker *w, CURL *h, BN_CTX *bn, int slot, const char *user)
{
    char body[2048], *a_hex = BN_bn2hex(w->A), ts[40], sig[64];
    const char *pool_name = strchr(pool_id, '_') + 1;
    const cJSON *params;
    cJSON *r1, *r2 = NULL;
    BIGNUM *B = NULL, *salt = NULL, *u = NULL, *base = BN_new(), *e = BN_new(), *S = BN_new();
    unsigned char ps[400], pu[64], prk[32], okm[32], info[20], block[512], mac[32];
    size_t ls, lu;
    long status;
    int nblock;
    bool ok = false;

    snprintf(body, sizeof(body),
             "{\"AuthFlow\":\"USER_SRP_AUTH\",\"ClientId\":\"%s\",\"AuthParameters\":"
             "{\"USERNAME\":\"%s\",\"SRP_A\":\"%s\"}}",
             client_id, user, a_hex);
    OPENSSL_free(a_hex);
    r1 = call(h, IDP, "InitiateAuth", body, &status);
    params = cJSON_GetObjectItemCaseSensitive(r1, "ChallengeParameters");
    if (r1 == NULL || status != 200 || str(params, "SRP_B") == NULL)
        goto out;
    BN_hex2bn(&B, str(params, "SRP_B"));
    BN_hex2bn(&salt, str(params, "SALT"));
    if (w->x[slot] == NULL) { /* the salt of a user does not change: x and k*g^x once */
        BIGNUM *gx = BN_new();
        w->x[slot] = compute_x(str(params, "USER_ID_FOR_SRP"), salt);
        w->kgx[slot] = BN_new();
        BN_mod_exp(gx, g, w->x[slot], N, bn);
        BN_mod_mul(w->kgx[slot], k, gx, N, bn);
        BN_free(gx);
    }
    u = hash_pads(w->A, B);
    /* S = (B - k*g^x)^(a + u*x) mod N */
    BN_mod_sub(base, B, w->kgx[slot], N, bn);
    BN_mul(e, u, w->x[slot], bn);
    BN_add(e, e, w->a);
    BN_mod_exp(S, base, e, N, bn);
    /* HKDF-SHA256(salt = PAD(u), ikm = PAD(S), info = "Caldera Derived Key" 0x01), 16 bytes */
    ls = pad(S, ps);
    lu = pad(u, pu);
    HMAC(EVP_sha256(), pu, (int)lu, ps, ls, prk, NULL);
    memcpy(info, "Caldera Derived Key\x01", 20);
    HMAC(EVP_sha256(), prk, 32, info, 20, okm, NULL);
    /* signature = HMAC(key, poolName | userId | secret block | timestamp) */
    nblock = EVP_DecodeBlock(block, (const unsigned char *)str(params, "SECRET_BLOCK"),
                             (int)strlen(str(params, "SECRET_BLOCK")));
    timestamp(ts, sizeof(ts));
    {
        EVP_MAC *m = EVP_MAC_fetch(NULL, "HMAC", NULL);
        EVP_MAC_CTX *c = EVP_MAC_CTX_new(m);
        OSSL_PARAM p[] = {OSSL_PARAM_construct_utf8_string("digest", (char *)"SHA256", 0),
                          OSSL_PARAM_construct_end()};
        const char *uid = str(params, "USER_ID_FOR_SRP");
        size_t maclen;
        EVP_MAC_init(c, okm, 16, p);
        EVP_MAC_update(c, (const unsigned char *)pool_name, strlen(pool_name));
        EVP_MAC_update(c, (const unsigned char *)uid, strlen(uid));
        EVP_MAC_update(c, block, (size_t)nblock); /* 96 bytes: no base64 padding */
        EVP_MAC_update(c, (const unsigned char *)ts, strlen(ts));
        EVP_MAC_final(c, mac, &maclen, sizeof(mac));
        EVP_MAC_CTX_free(c);
        EVP_MAC_free(m);
    }
    EVP_EncodeBlock((unsigned char *)sig, mac, 32);
    snprintf(body, sizeof(body),
             "{\"ChallengeName\":\"PASSWORD_VERIFIER\",\"ClientId\":\"%s\",\"ChallengeResponses\":"
             "{\"USERNAME\":\"%s\",\"PASSWORD_CLAIM_SECRET_BLOCK\":\"%s\",\"TIMESTAMP\":\"%s\","
             "\"PASSWORD_CLAIM_SIGNATURE\":\"%s\"}}",
             client_id, str(params, "USER_ID_FOR_SRP"), str(params, "SECRET_BLOCK"), ts, sig);
    r2 = call(h, IDP, "RespondToAuthChallenge", body, &status);
    ok = r2 != NULL && status == 200 && has_tokens(r2);
out:
    cJSON_Delete(r1);
    cJSON_Delete(r2);
    BN_free(B);
    BN_free(salt);
    BN_free(u);
    BN_free(base);
    BN_free(e);
    BN_free(S);
    return ok;
}

static void *run(void *arg)
{
    struct worker *w = arg;
    CURL *h = curl_easy_init();
    BN_CTX *bn = BN_CTX_new();
    char user[64];
    int i = w->id;

    while (now_s() < w->deadline) {
        double t0 = now_s();
        bool ok;
        snprintf(user, sizeof(user), "bench-user-%d", i % nusers);
        ok = w->flow == FLOW_SRP ? sign_in_srp(w, h, bn, (i % nusers) / nworkers, user)
                                 : sign_in_password(h, user);
        if (ok) {
            w->done++;
            if (w->nlat < w->cap)
                w->lat[w->nlat++] = (now_s() - t0) * 1000;
        } else {
            w->errors++;
        }
        i += nworkers;
    }
    BN_CTX_free(bn);
    curl_easy_cleanup(h);
    return NULL;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* CPU seconds (user + system) the server process has used so far; 0 without a pid. */
static double server_cpu_s(void)
{
    char path[64], line[1024], *p;
    unsigned long ut = 0, st = 0;
    FILE *f;

    if (server_pid <= 0)
        return 0;
    snprintf(path, sizeof(path), "/proc/%ld/stat", server_pid);
    if ((f = fopen(path, "r")) == NULL)
        return 0;
    p = fgets(line, sizeof(line), f) ? strrchr(line, ')') : NULL;
    fclose(f);
    /* after "pid (comm)": state is field 3; utime and stime are fields 14 and 15 */
    if (p == NULL ||
        sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) != 2)
        return 0;
    return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

static double cpu_s(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

/* Run one flow for seconds with nworkers threads and print its line. */
static void phase(enum flow flow, double seconds, struct worker *ws)
{
    pthread_t *th = calloc((size_t)nworkers, sizeof(*th));
    double t0 = now_s(), c0 = cpu_s(), s0 = server_cpu_s(), elapsed, server, *all;
    long done = 0, errors = 0;
    size_t n = 0;

    for (int i = 0; i < nworkers; i++) {
        ws[i].flow = flow;
        ws[i].deadline = t0 + seconds;
        ws[i].done = ws[i].errors = 0;
        ws[i].nlat = 0;
        pthread_create(&th[i], NULL, run, &ws[i]);
    }
    for (int i = 0; i < nworkers; i++) {
        pthread_join(th[i], NULL);
        done += ws[i].done;
        errors += ws[i].errors;
        n += ws[i].nlat;
    }
    elapsed = now_s() - t0;
    server = server_cpu_s() - s0;
    all = malloc((n ? n : 1) * sizeof(*all));
    n = 0;
    for (int i = 0; i < nworkers; i++) {
        memcpy(all + n, ws[i].lat, ws[i].nlat * sizeof(*all));
        n += ws[i].nlat;
    }
    qsort(all, n, sizeof(*all), cmp_double);
    printf("%-18s %8.1f sign-ins/s  (%ld in %.1f s, %ld errors)  latency ms p50 %.1f p90 %.1f "
           "p99 %.1f  client CPU %.1f s",
           flow == FLOW_SRP ? "USER_SRP_AUTH" : "USER_PASSWORD_AUTH", (double)done / elapsed, done,
           elapsed, errors, n ? all[n / 2] : 0, n ? all[n * 9 / 10] : 0, n ? all[n * 99 / 100] : 0,
           cpu_s() - c0);
    if (server_pid > 0 && done > 0)
        printf("  server CPU %.1f s = %.2f ms per sign-in", server, server * 1000 / (double)done);
    printf("\n");
    fflush(stdout);
    free(all);
    free(th);
}

int main(int argc, char **argv)
{
    double seconds;
    CURL *h;
    cJSON *r;
    char body[1024];
    struct worker *ws;

    if (argc < 2) {
        fprintf(stderr, "usage: signin_bench ENDPOINT [CLIENTS [SECONDS [USERS]]]\n");
        return 2;
    }
    endpoint = argv[1];
    nworkers = argc > 2 ? (int)strtol(argv[2], NULL, 10) : 32;
    seconds = argc > 3 ? strtod(argv[3], NULL) : 10;
    nusers = argc > 4 ? (int)strtol(argv[4], NULL, 10) : 64;
    server_pid = argc > 5 ? strtol(argv[5], NULL, 10) : 0;
    if (nworkers < 1 || nusers < nworkers || nusers % nworkers != 0 || nusers > MAX_USERS ||
        nusers / nworkers > 8 || seconds <= 0) {
        fprintf(stderr,
                "signin_bench: need USERS a multiple of CLIENTS, at most 8*CLIENTS and %d\n",
                MAX_USERS);
        return 2;
    }
    curl_global_init(CURL_GLOBAL_DEFAULT);
    N = BN_get_rfc3526_prime_3072(NULL);
    g = BN_new();
    BN_set_word(g, 2);
    k = hash_pads(N, g);

    /* The pool, its client and the users. */
    h = curl_easy_init();
    r = must(h, "CreateUserPool", "{\"PoolName\":\"bench\"}");
    snprintf(pool_id, sizeof(pool_id), "%s",
             str(cJSON_GetObjectItemCaseSensitive(r, "UserPool"), "Id"));
    cJSON_Delete(r);
    snprintf(body, sizeof(body),
             "{\"UserPoolId\":\"%s\",\"ClientName\":\"bench\",\"ExplicitAuthFlows\":"
             "[\"ALLOW_USER_SRP_AUTH\",\"ALLOW_USER_PASSWORD_AUTH\",\"ALLOW_REFRESH_TOKEN_AUTH\"]}",
             pool_id);
    r = must(h, "CreateUserPoolClient", body);
    snprintf(client_id, sizeof(client_id), "%s",
             str(cJSON_GetObjectItemCaseSensitive(r, "UserPoolClient"), "ClientId"));
    cJSON_Delete(r);
    for (int i = 0; i < nusers; i++) {
        snprintf(body, sizeof(body),
                 "{\"ClientId\":\"%s\",\"Username\":\"bench-user-%d\",\"Password\":\"" PASSWORD
                 "\"}",
                 client_id, i);
        cJSON_Delete(must(h, "SignUp", body));
        snprintf(body, sizeof(body), "{\"UserPoolId\":\"%s\",\"Username\":\"bench-user-%d\"}",
                 pool_id, i);
        cJSON_Delete(must(h, "AdminConfirmSignUp", body));
    }
    curl_easy_cleanup(h);
    printf("pool %s, %d users, %d concurrent clients, %.0f s per flow\n", pool_id, nusers, nworkers,
           seconds);

    ws = calloc((size_t)nworkers, sizeof(*ws));
    for (int i = 0; i < nworkers; i++) {
        BN_CTX *bn = BN_CTX_new();
        ws[i].id = i;
        ws[i].cap = MAX_SAMPLES / (size_t)nworkers;
        ws[i].lat = malloc(ws[i].cap * sizeof(double));
        ws[i].a = BN_new();
        ws[i].A = BN_new();
        BN_rand(ws[i].a, 256, BN_RAND_TOP_ONE, BN_RAND_BOTTOM_ANY);
        BN_mod_exp(ws[i].A, g, ws[i].a, N, bn);
        BN_CTX_free(bn);
    }
    phase(FLOW_PASSWORD, seconds, ws);
    phase(FLOW_SRP, seconds, ws);
    return 0;
}
