/*
 * oauth_bench: what the OAuth 2.0 endpoints and hosted pages of cognito-emu cost (issue 14,
 * Speed: "Every endpoint but the ones that sign tokens answers in well under a millisecond of
 * server time; a full code + PKCE exchange costs no more than an InitiateAuth").
 *
 *   oauth_bench --bin PATH [--requests N] [--conns 1,8] [--warmup N] [--only SERIES,...]
 *               [--wrap "CMD ARG..."]
 *
 * It starts cognito-emu (PATH --port 0 --bind 127.0.0.1 --db :memory: --log-level warn), makes
 * through the AWS API a user pool with a prefix domain, a resource server, a confidential
 * code-flow client (which also allows USER_PASSWORD_AUTH, for the comparison), a
 * client_credentials client and 16 users, and times, with keep-alive libcurl clients, these
 * series (SERIES names for --only; "signs" marks those that sign tokens):
 *
 *   authorize           GET /oauth2/authorize without a session: the 302 to /login
 *   login-page          GET /login: the sign-in page (the browser has its XSRF-TOKEN cookie)
 *   sso                 GET /oauth2/authorize with a live session cookie: the 302 back to the
 *                       app with a new code (a store write)
 *   login               POST /login: password check, a new hosted session and a code, the 302
 *                       back to the app; no tokens (they come from /oauth2/token)
 *   code         signs  POST /oauth2/token authorization_code with PKCE S256, redeeming a code
 *                       that an untimed sso request made just before
 *   initiate-auth signs InitiateAuth USER_PASSWORD_AUTH of the same client and user (with its
 *                       SECRET_HASH): the comparison, the same tokens by the API
 *   client-credentials signs  POST /oauth2/token client_credentials, one custom scope
 *   refresh      signs  POST /oauth2/token refresh_token
 *   userinfo            GET /oauth2/userInfo with a Bearer access token
 *   discovery           GET /{pool}/.well-known/openid-configuration
 *   jwks                GET /{pool}/.well-known/jwks.json
 *
 * The series are interleaved: every round makes one request of each, in an order that rotates
 * from round to round, so what the rest of a noisy machine does falls on all of them alike.
 * Each connection is a thread with its own keep-alive handle and its own hosted sessions (one
 * per user, from an untimed POST /login before its first round); users take turns round by
 * round. --requests N is the number of timed requests of each series at each concurrency (split
 * over the connections), after --warmup rounds per connection that are not timed (the first
 * sign-in of a user checks its password in full: later ones hit the server's memo). At one
 * connection, the server's CPU time per request and the time its threads waited for a CPU are
 * read around each request from /proc/PID/task/TID/schedstat (ns): unlike latency, CPU time
 * hardly depends on what else runs. Every answer is checked (status, the Location's shape, the
 * cookies and tokens that must be there): any error makes the run INVALID (exit 1).
 *
 * It prints Markdown: every series (latency median, p90, p99; server CPU p50 and p90) and the
 * two claims of the issue, measured. --wrap runs the server under a command (valgrind
 * --tool=callgrind, say); its times are then meaningless. Only loopback.
 */
#define _GNU_SOURCE
#include <cJSON.h>
#include <curl/curl.h>
#include <dirent.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PASSWORD "Bench-Passw0rd!"
#define USERS 16 /* confirmed users, taking turns round by round */
#define MAX_CONNS 64
#define MAX_WRAP 32
#define IDP "AWSCognitoIdentityProviderService"
#define DOMAIN "oauth-bench"
#define CALLBACK "https://app.example.com/cb"
#define SCOPES "openid email profile"
#define API_SCOPE "https://api.example.com/read"
/* 43 to 128 unreserved characters (RFC 7636 4.1); the same for every code: the server's work
 * does not depend on it */
#define VERIFIER "oauth-bench-pkce-verifier-0123456789-abcdefghijklmnopqrstuvwxyz"
#define STATE "bench-state"

static void die(const char *what)
{
    fprintf(stderr, "oauth_bench: %s\n", what);
    exit(1);
}

/* ---- Clock and statistics -------------------------------------------------------------------- */

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* The q-th percentile (0..100) of sorted samples v[0..n), as bench/load.c takes it. */
static double pct(const double *v, size_t n, int q)
{
    return n ? v[n * (size_t)q / 100] : 0;
}

/*
 * The time every thread of process pid has spent on a CPU, and waiting for one (runnable but not
 * running), in µs, from /proc/PID/task/TID/schedstat (nanoseconds). False when unreadable.
 */
static bool sched_times(pid_t pid, double *cpu_us, double *wait_us)
{
    char path[64];
    DIR *d;
    const struct dirent *e;
    unsigned long long cpu = 0, wait = 0;

    snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
    if ((d = opendir(path)) == NULL)
        return false;
    while ((e = readdir(d)) != NULL) {
        char file[400];
        unsigned long long c, w;
        FILE *f;
        if (e->d_name[0] == '.')
            continue;
        snprintf(file, sizeof(file), "%s/%s/schedstat", path, e->d_name);
        if ((f = fopen(file, "r")) == NULL)
            continue; /* a thread that just ended */
        if (fscanf(f, "%llu %llu", &c, &w) == 2)
            cpu += c, wait += w;
        fclose(f);
    }
    closedir(d);
    *cpu_us = (double)cpu / 1e3;
    *wait_us = (double)wait / 1e3;
    return true;
}

/* ---- The server ------------------------------------------------------------------------------ */

static char *wrap[MAX_WRAP];
static int nwrap;
static pid_t server_pid;
static char endpoint[128];

/*
 * Start bin (under the --wrap command, if any) with args, its stdout in a temporary file, and
 * wait for its ready line ("... listening on URL"). The file is unlinked at once (both ends keep
 * it open) and the server dies with this process: an interrupted run leaves nothing behind.
 */
static bool server_start(const char *bin, const char *const *args)
{
    char *argv[MAX_WRAP + 16], line[256], path[] = "/tmp/oauth-bench-out.XXXXXX";
    int n = 0, fd = mkstemp(path);
    FILE *f = fd >= 0 ? fopen(path, "r") : NULL;
    double deadline = now_ms() + (nwrap ? 60000 : 10000);
    bool ready = false;

    if (fd >= 0)
        unlink(path);
    if (f == NULL)
        return false;
    for (int i = 0; i < nwrap; i++)
        argv[n++] = wrap[i];
    argv[n++] = (char *)bin;
    for (int i = 0; args[i] != NULL && n < MAX_WRAP + 15; i++)
        argv[n++] = (char *)args[i];
    argv[n] = NULL;
    fflush(NULL);
    if ((server_pid = fork()) < 0)
        return false;
    if (server_pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGTERM); /* a killed benchmark leaves no server behind */
        dup2(fd, STDOUT_FILENO);
        execvp(argv[0], argv);
        _exit(127);
    }
    close(fd);
    while (!ready && now_ms() < deadline) {
        rewind(f); /* and clears the end-of-file flag: read what was written since */
        while (fgets(line, sizeof(line), f))
            if (strstr(line, "listening on ") != NULL) {
                line[strcspn(line, "\r\n")] = '\0';
                snprintf(endpoint, sizeof(endpoint), "%s", strrchr(line, ' ') + 1);
                ready = true;
            }
        if (!ready && waitpid(server_pid, NULL, WNOHANG) == server_pid) {
            server_pid = 0;
            break;
        }
        if (!ready)
            usleep(10000);
    }
    fclose(f);
    return ready;
}

static void server_stop(void)
{
    if (server_pid > 0) {
        kill(server_pid, SIGTERM);
        waitpid(server_pid, NULL, 0);
        server_pid = 0;
    }
}

/* ---- HTTP ------------------------------------------------------------------------------------ */

/* One keep-alive connection, the answer it got last (body, status, Location, cookies set). */
struct conn {
    CURL *h;
    char *body;
    size_t n, cap;
    long status;
    char location[4096];
    char set_session[512], set_xsrf[512]; /* the cognito and XSRF-TOKEN cookies set, or "" */
};

static size_t on_data(char *data, size_t size, size_t nmemb, void *arg)
{
    struct conn *c = arg;
    size_t len = size * nmemb;

    if (c->n + len + 1 > c->cap) {
        size_t cap = (c->n + len + 1) * 2;
        char *p = realloc(c->body, cap);
        if (p == NULL)
            return 0;
        c->body = p;
        c->cap = cap;
    }
    memcpy(c->body + c->n, data, len);
    c->n += len;
    c->body[c->n] = '\0';
    return len;
}

/* Copy the header's value (after "name:" and blanks, up to the line's end or stop) into out. */
static void header_value(const char *line, size_t len, size_t skip, const char *stop, char *out,
                         size_t n)
{
    size_t i = skip, end;

    while (i < len && (line[i] == ' ' || line[i] == '\t'))
        i++;
    end = i;
    while (end < len && line[end] != '\r' && line[end] != '\n' && strchr(stop, line[end]) == NULL)
        end++;
    if (end - i < n)
        snprintf(out, n, "%.*s", (int)(end - i), line + i);
}

static size_t on_header(char *data, size_t size, size_t nmemb, void *arg)
{
    struct conn *c = arg;
    size_t len = size * nmemb;
    static const char loc[] = "location:", cookie[] = "set-cookie:";

    if (len > sizeof(loc) && strncasecmp(data, loc, sizeof(loc) - 1) == 0)
        header_value(data, len, sizeof(loc) - 1, "", c->location, sizeof(c->location));
    else if (len > sizeof(cookie) && strncasecmp(data, cookie, sizeof(cookie) - 1) == 0) {
        char value[512] = "";
        header_value(data, len, sizeof(cookie) - 1, ";", value, sizeof(value));
        if (strncmp(value, "cognito=", 8) == 0)
            snprintf(c->set_session, sizeof(c->set_session), "%s", value + 8);
        else if (strncmp(value, "XSRF-TOKEN=", 11) == 0)
            snprintf(c->set_xsrf, sizeof(c->set_xsrf), "%s", value + 11);
    }
    return len;
}

static void conn_init(struct conn *c)
{
    memset(c, 0, sizeof(*c));
    if ((c->h = curl_easy_init()) == NULL)
        die("curl_easy_init failed");
    curl_easy_setopt(c->h, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(c->h, CURLOPT_WRITEDATA, c);
    curl_easy_setopt(c->h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c->h, CURLOPT_HEADERDATA, c);
    curl_easy_setopt(c->h, CURLOPT_TIMEOUT, 120L); /* valgrind is slow */
    curl_easy_setopt(c->h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c->h, CURLOPT_TCP_NODELAY, 1L);
}

static void conn_free(struct conn *c)
{
    curl_easy_cleanup(c->h);
    free(c->body);
}

/* A request's parts: body NULL is a GET; cookie is the Cookie header's value (NULL: none). */
struct req {
    const char *url, *body, *cookie;
    struct curl_slist *headers;
};

static pthread_mutex_t report_mu = PTHREAD_MUTEX_INITIALIZER;
static int reports;

/* Say why answer of c to what was refused (the first 10 times of the run). Returns false. */
static bool refuse(const struct conn *c, const char *what, const char *why)
{
    pthread_mutex_lock(&report_mu);
    if (reports++ < 10)
        fprintf(stderr, "oauth_bench: %s: %s: HTTP %ld, Location %.200s: %.300s\n", what, why,
                c->status, c->location[0] ? c->location : "-", c->body ? c->body : "no answer");
    pthread_mutex_unlock(&report_mu);
    return false;
}

/* Make request r on c; true when the answer's status is status. */
static bool perform(struct conn *c, const struct req *r, long status, const char *what)
{
    curl_easy_setopt(c->h, CURLOPT_URL, r->url);
    curl_easy_setopt(c->h, CURLOPT_HTTPHEADER, r->headers);
    curl_easy_setopt(c->h, CURLOPT_COOKIE, r->cookie);
    if (r->body != NULL)
        curl_easy_setopt(c->h, CURLOPT_POSTFIELDS, r->body);
    else
        curl_easy_setopt(c->h, CURLOPT_HTTPGET, 1L);
    c->n = 0;
    if (c->body)
        c->body[0] = '\0';
    c->status = 0;
    c->location[0] = c->set_session[0] = c->set_xsrf[0] = '\0';
    if (curl_easy_perform(c->h) == CURLE_OK)
        curl_easy_getinfo(c->h, CURLINFO_RESPONSE_CODE, &c->status);
    return c->status == status || refuse(c, what, "unexpected status");
}

/* The string member name of the answer's JSON object (NULL: the top) into out (size n). */
static bool answer_get(const struct conn *c, const char *object, const char *name, char *out,
                       size_t n)
{
    cJSON *r = cJSON_Parse(c->body ? c->body : "");
    const cJSON *o = object ? cJSON_GetObjectItemCaseSensitive(r, object) : r;
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    bool ok = cJSON_IsString(v) && v->valuestring[0] != '\0' && strlen(v->valuestring) < n;

    if (ok && out != NULL)
        snprintf(out, n, "%s", v->valuestring);
    cJSON_Delete(r);
    return ok;
}

/* Whether the answer's JSON object (NULL: the top) has every string member of names (NULL
 * ended) and none of absent (NULL ended, may be NULL). */
static bool answer_has(const struct conn *c, const char *object, const char *const *names,
                       const char *const *absent)
{
    cJSON *r = cJSON_Parse(c->body ? c->body : "");
    const cJSON *o = object ? cJSON_GetObjectItemCaseSensitive(r, object) : r;
    bool ok = cJSON_IsObject(o);

    for (size_t i = 0; ok && names[i] != NULL; i++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, names[i]);
        ok = cJSON_IsString(v) && v->valuestring[0] != '\0';
    }
    for (size_t i = 0; ok && absent != NULL && absent[i] != NULL; i++)
        ok = cJSON_GetObjectItemCaseSensitive(o, absent[i]) == NULL;
    cJSON_Delete(r);
    return ok;
}

/* The headers of AWS operation op (built once per operation, shared by every thread). */
static struct curl_slist *op_headers(const char *op)
{
    static struct {
        const char *op;
        struct curl_slist *h;
    } cache[16];
    static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
    struct curl_slist *h = NULL;
    char target[128];
    size_t i;

    pthread_mutex_lock(&mu);
    for (i = 0; i < 16 && cache[i].op != NULL && h == NULL; i++)
        if (strcmp(cache[i].op, op) == 0)
            h = cache[i].h;
    if (h == NULL && i < 16) {
        snprintf(target, sizeof(target), "X-Amz-Target: " IDP ".%s", op);
        h = curl_slist_append(NULL, "Content-Type: application/x-amz-json-1.1");
        h = curl_slist_append(h, "Expect:");
        h = curl_slist_append(h, target);
        cache[i].op = op;
        cache[i].h = h;
    }
    pthread_mutex_unlock(&mu);
    if (h == NULL)
        die("too many operations");
    return h;
}

/* AWS operation op with JSON body; true on 200. */
static bool call(struct conn *c, const char *op, const char *body)
{
    struct req r = {.url = endpoint, .body = body, .headers = op_headers(op)};
    return perform(c, &r, 200, op);
}

/* ---- Encodings ------------------------------------------------------------------------------- */

/* Base64 of data (len bytes) into out (size n); url: the URL alphabet, no padding. */
static void base64(const unsigned char *data, size_t len, bool url, char *out, size_t n)
{
    if (n < 4 * ((len + 2) / 3) + 1)
        die("base64: no room");
    EVP_EncodeBlock((unsigned char *)out, data, (int)len);
    if (!url)
        return;
    for (char *p = out; *p; p++)
        *p = *p == '+' ? '-' : *p == '/' ? '_' : *p;
    out[strcspn(out, "=")] = '\0';
}

/* s, percent-encoded for a query or a form (curl_free it). */
static char *escape(const char *s)
{
    char *e = curl_easy_escape(NULL, s, 0);
    if (e == NULL)
        die("out of memory");
    return e;
}

/* ---- The pool and its clients ---------------------------------------------------------------- */

static struct {
    char pool[64], base[256];      /* base: endpoint + "/_domain/" DOMAIN */
    char web[64], web_secret[128]; /* the code-flow client */
    char m2m[64], m2m_secret[128]; /* the client_credentials client */
    char authorize_query[1024];    /* the authorize parameters, URL-encoded */
    char password[64];             /* PASSWORD, URL-encoded */
    char xsrf[512];                /* an anti-forgery token the server handed out */
    char secret_hash[USERS][64];   /* InitiateAuth's SECRET_HASH of each user */
    char refresh[USERS][2048];     /* a refresh token of each user (from a code exchange) */
    char access[USERS][4096];      /* an access token of each user, scope openid ... */
    struct curl_slist *web_basic, *m2m_basic, *bearer[USERS];
} S;

static void must(bool ok, const char *what)
{
    if (!ok) {
        fprintf(stderr, "oauth_bench: setup step %s failed\n", what);
        exit(1);
    }
}

/* The headers of a token request of client:secret (Basic, RFC 6749 2.3.1). */
static struct curl_slist *basic_headers(const char *client, const char *secret)
{
    char pair[256], b64[400], header[440];
    struct curl_slist *h;

    snprintf(pair, sizeof(pair), "%s:%s", client, secret);
    base64((const unsigned char *)pair, strlen(pair), false, b64, sizeof(b64));
    snprintf(header, sizeof(header), "Authorization: Basic %s", b64);
    h = curl_slist_append(NULL, "Content-Type: application/x-www-form-urlencoded");
    h = curl_slist_append(h, "Expect:");
    return curl_slist_append(h, header);
}

/* SECRET_HASH of user: Base64(HMAC-SHA256(secret, username + client id)). */
static void secret_hash(const char *user, char *out, size_t n)
{
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    char msg[160];

    snprintf(msg, sizeof(msg), "%s%s", user, S.web);
    must(HMAC(EVP_sha256(), S.web_secret, (int)strlen(S.web_secret), (const unsigned char *)msg,
              strlen(msg), mac, &len) != NULL,
         "HMAC");
    base64(mac, len, false, out, n);
}

/* The authorize parameters: code flow, the callback, the OIDC scopes, PKCE S256. */
static void authorize_query(void)
{
    unsigned char digest[32];
    unsigned int len = 0;
    char challenge[64];
    char *redirect = escape(CALLBACK), *scope = escape(SCOPES), *password = escape(PASSWORD);

    must(EVP_Digest(VERIFIER, strlen(VERIFIER), digest, &len, EVP_sha256(), NULL) == 1, "SHA-256");
    base64(digest, len, true, challenge, sizeof(challenge));
    snprintf(S.authorize_query, sizeof(S.authorize_query),
             "response_type=code&client_id=%s&redirect_uri=%s&scope=%s&state=" STATE
             "&code_challenge=%s&code_challenge_method=S256",
             S.web, redirect, scope, challenge);
    snprintf(S.password, sizeof(S.password), "%s", password);
    curl_free(redirect);
    curl_free(scope);
    curl_free(password);
}

static void create_pool(struct conn *c)
{
    char body[2048];

    must(call(c, "CreateUserPool", "{\"PoolName\":\"oauth-bench\"}") &&
             answer_get(c, "UserPool", "Id", S.pool, sizeof(S.pool)),
         "CreateUserPool");
    snprintf(body, sizeof(body), "{\"UserPoolId\":\"%s\",\"Domain\":\"" DOMAIN "\"}", S.pool);
    must(call(c, "CreateUserPoolDomain", body), "CreateUserPoolDomain");
    snprintf(S.base, sizeof(S.base), "%s/_domain/" DOMAIN, endpoint);
    snprintf(body, sizeof(body),
             "{\"UserPoolId\":\"%s\",\"Identifier\":\"https://api.example.com\",\"Name\":\"api\","
             "\"Scopes\":[{\"ScopeName\":\"read\",\"ScopeDescription\":\"read things\"}]}",
             S.pool);
    must(call(c, "CreateResourceServer", body), "CreateResourceServer");
    snprintf(body, sizeof(body),
             "{\"UserPoolId\":\"%s\",\"ClientName\":\"web\",\"GenerateSecret\":true,"
             "\"AllowedOAuthFlowsUserPoolClient\":true,\"AllowedOAuthFlows\":[\"code\"],"
             "\"AllowedOAuthScopes\":[\"openid\",\"email\",\"profile\"],"
             "\"SupportedIdentityProviders\":[\"COGNITO\"],\"CallbackURLs\":[\"" CALLBACK "\"],"
             "\"ExplicitAuthFlows\":[\"ALLOW_USER_PASSWORD_AUTH\",\"ALLOW_REFRESH_TOKEN_AUTH\"]}",
             S.pool);
    must(call(c, "CreateUserPoolClient", body) &&
             answer_get(c, "UserPoolClient", "ClientId", S.web, sizeof(S.web)) &&
             answer_get(c, "UserPoolClient", "ClientSecret", S.web_secret, sizeof(S.web_secret)),
         "CreateUserPoolClient (web)");
    snprintf(body, sizeof(body),
             "{\"UserPoolId\":\"%s\",\"ClientName\":\"m2m\",\"GenerateSecret\":true,"
             "\"AllowedOAuthFlowsUserPoolClient\":true,\"AllowedOAuthFlows\":"
             "[\"client_credentials\"],\"AllowedOAuthScopes\":[\"" API_SCOPE "\"]}",
             S.pool);
    must(call(c, "CreateUserPoolClient", body) &&
             answer_get(c, "UserPoolClient", "ClientId", S.m2m, sizeof(S.m2m)) &&
             answer_get(c, "UserPoolClient", "ClientSecret", S.m2m_secret, sizeof(S.m2m_secret)),
         "CreateUserPoolClient (m2m)");
    S.web_basic = basic_headers(S.web, S.web_secret);
    S.m2m_basic = basic_headers(S.m2m, S.m2m_secret);
    authorize_query();
}

static void create_users(struct conn *c)
{
    char body[1024], user[32];

    for (int i = 0; i < USERS; i++) {
        snprintf(user, sizeof(user), "u-%d", i);
        snprintf(body, sizeof(body),
                 "{\"UserPoolId\":\"%s\",\"Username\":\"%s\",\"MessageAction\":\"SUPPRESS\","
                 "\"UserAttributes\":[{\"Name\":\"email\",\"Value\":\"%s@example.com\"},"
                 "{\"Name\":\"email_verified\",\"Value\":\"true\"},{\"Name\":\"name\","
                 "\"Value\":\"Benchmark User %d\"}]}",
                 S.pool, user, user, i);
        must(call(c, "AdminCreateUser", body), "AdminCreateUser");
        snprintf(body, sizeof(body),
                 "{\"UserPoolId\":\"%s\",\"Username\":\"%s\",\"Password\":\"" PASSWORD
                 "\",\"Permanent\":true}",
                 S.pool, user);
        must(call(c, "AdminSetUserPassword", body), "AdminSetUserPassword");
        secret_hash(user, S.secret_hash[i], sizeof(S.secret_hash[i]));
    }
}

/* ---- The steps (each one request, its answer checked) ---------------------------------------- */

/* A code in the Location of a 302 back to the app (CALLBACK?code=...&state=STATE) into out. */
static bool app_code(const struct conn *c, char *out, size_t n, const char *what)
{
    static const char prefix[] = CALLBACK "?code=";
    const char *code = c->location + sizeof(prefix) - 1;
    size_t len = strcspn(code, "&");

    if (strncmp(c->location, prefix, sizeof(prefix) - 1) != 0 || len == 0 || len >= n ||
        strcmp(code + len, "&state=" STATE) != 0)
        return refuse(c, what, "not a 302 to the app with a code and the state");
    snprintf(out, n, "%.*s", (int)len, code);
    return true;
}

/* GET /oauth2/authorize without a session: a 302 to the domain's /login, same parameters. */
static bool step_authorize(struct conn *c)
{
    char url[1536], want[1536];
    struct req r = {.url = url};

    snprintf(url, sizeof(url), "%s/oauth2/authorize?%s", S.base, S.authorize_query);
    snprintf(want, sizeof(want), "%s/login?", S.base);
    if (!perform(c, &r, 302, "GET /oauth2/authorize"))
        return false;
    if (strncmp(c->location, want, strlen(want)) != 0 || strstr(c->location, S.web) == NULL ||
        strstr(c->location, "code_challenge=") == NULL)
        return refuse(c, "GET /oauth2/authorize", "not a 302 to /login with the parameters");
    return true;
}

/* GET /oauth2/authorize with session cookie session: a 302 to the app with a code (into out). */
static bool step_sso(struct conn *c, const char *session, char *code, size_t n)
{
    char url[1536], cookie[300];
    struct req r = {.url = url, .cookie = cookie};

    snprintf(url, sizeof(url), "%s/oauth2/authorize?%s", S.base, S.authorize_query);
    snprintf(cookie, sizeof(cookie), "cognito=%s", session);
    return perform(c, &r, 302, "GET /oauth2/authorize (session)") &&
           app_code(c, code, n, "GET /oauth2/authorize (session)");
}

/* GET /login, with the XSRF-TOKEN cookie of an earlier visit: the form, with that token. */
static bool step_login_page(struct conn *c)
{
    char url[1536], cookie[600], field[600];
    struct req r = {.url = url, .cookie = S.xsrf[0] ? cookie : NULL};

    snprintf(url, sizeof(url), "%s/login?%s", S.base, S.authorize_query);
    snprintf(cookie, sizeof(cookie), "XSRF-TOKEN=%s", S.xsrf);
    if (!perform(c, &r, 200, "GET /login"))
        return false;
    if (S.xsrf[0] == '\0') /* the first visit, in the setup: the token to use from now on */
        snprintf(S.xsrf, sizeof(S.xsrf), "%s", c->set_xsrf);
    snprintf(field, sizeof(field), "name=\"_csrf\" value=\"%s\"", S.xsrf);
    if (S.xsrf[0] == '\0' || strstr(c->body, field) == NULL ||
        strstr(c->body, "name=\"password\"") == NULL ||
        strstr(c->body, "cognitoSignInForm") == NULL)
        return refuse(c, "GET /login", "not the sign-in form with its anti-forgery token");
    return true;
}

/* POST /login as user u: a 302 to the app with a code, and the session cookie (into session). */
static bool step_login(struct conn *c, int u, char *session, size_t n)
{
    char url[512], cookie[600], body[2048], code[256];
    struct req r = {.url = url, .body = body, .cookie = cookie};

    snprintf(url, sizeof(url), "%s/login", S.base);
    snprintf(cookie, sizeof(cookie), "XSRF-TOKEN=%s", S.xsrf);
    snprintf(body, sizeof(body), "%s&_csrf=%s&username=u-%d&password=%s", S.authorize_query, S.xsrf,
             u, S.password);
    if (!perform(c, &r, 302, "POST /login") || !app_code(c, code, sizeof(code), "POST /login"))
        return false;
    if (c->set_session[0] == '\0' || strlen(c->set_session) >= n)
        return refuse(c, "POST /login", "no session cookie");
    snprintf(session, n, "%s", c->set_session);
    return true;
}

/* POST /oauth2/token authorization_code with the PKCE verifier: every token of user u. */
static bool step_code(struct conn *c, const char *code, int u, bool keep)
{
    static const char *const tokens[] = {"access_token", "id_token", "refresh_token", "token_type",
                                         NULL};
    char url[512], body[1024], *redirect = escape(CALLBACK);
    struct req r = {.url = url, .body = body, .headers = S.web_basic};
    bool ok;

    snprintf(url, sizeof(url), "%s/oauth2/token", S.base);
    snprintf(body, sizeof(body),
             "grant_type=authorization_code&code=%s&redirect_uri=%s&code_verifier=" VERIFIER, code,
             redirect);
    curl_free(redirect);
    ok = perform(c, &r, 200, "POST /oauth2/token (code)") &&
         (answer_has(c, NULL, tokens, NULL) ||
          refuse(c, "POST /oauth2/token (code)", "not every token"));
    if (ok && keep)
        ok = answer_get(c, NULL, "refresh_token", S.refresh[u], sizeof(S.refresh[u])) &&
             answer_get(c, NULL, "access_token", S.access[u], sizeof(S.access[u]));
    return ok;
}

/* InitiateAuth USER_PASSWORD_AUTH of user u with the code-flow client: every token. */
static bool step_initiate_auth(struct conn *c, int u)
{
    static const char *const tokens[] = {"AccessToken", "IdToken", "RefreshToken", NULL};
    char body[512];

    snprintf(body, sizeof(body),
             "{\"AuthFlow\":\"USER_PASSWORD_AUTH\",\"ClientId\":\"%s\",\"AuthParameters\":"
             "{\"USERNAME\":\"u-%d\",\"PASSWORD\":\"" PASSWORD "\",\"SECRET_HASH\":\"%s\"}}",
             S.web, u, S.secret_hash[u]);
    return call(c, "InitiateAuth", body) && (answer_has(c, "AuthenticationResult", tokens, NULL) ||
                                             refuse(c, "InitiateAuth", "not every token"));
}

/* POST /oauth2/token client_credentials: an access token, and neither an ID nor a refresh one. */
static bool step_client_credentials(struct conn *c)
{
    static const char *const tokens[] = {"access_token", "token_type", NULL};
    static const char *const absent[] = {"id_token", "refresh_token", NULL};
    char url[512];
    struct req r = {.url = url,
                    .body =
                        "grant_type=client_credentials&scope=https%3A%2F%2Fapi.example.com%2Fread",
                    .headers = S.m2m_basic};

    snprintf(url, sizeof(url), "%s/oauth2/token", S.base);
    return perform(c, &r, 200, "POST /oauth2/token (client_credentials)") &&
           (answer_has(c, NULL, tokens, absent) ||
            refuse(c, "POST /oauth2/token (client_credentials)", "not the access token alone"));
}

/* POST /oauth2/token refresh_token of user u: new access and ID tokens. */
static bool step_refresh(struct conn *c, int u)
{
    static const char *const tokens[] = {"access_token", "id_token", "token_type", NULL};
    char url[512], body[2200];
    struct req r = {.url = url, .body = body, .headers = S.web_basic};

    snprintf(url, sizeof(url), "%s/oauth2/token", S.base);
    snprintf(body, sizeof(body), "grant_type=refresh_token&refresh_token=%s", S.refresh[u]);
    return perform(c, &r, 200, "POST /oauth2/token (refresh_token)") &&
           (answer_has(c, NULL, tokens, NULL) ||
            refuse(c, "POST /oauth2/token (refresh_token)", "not the access and ID tokens"));
}

/* GET /oauth2/userInfo with user u's access token: its sub, username and email. */
static bool step_userinfo(struct conn *c, int u)
{
    static const char *const claims[] = {"sub", "username", "email", NULL};
    char url[512], email[64], want[64];
    struct req r = {.url = url, .headers = S.bearer[u]};

    snprintf(url, sizeof(url), "%s/oauth2/userInfo", S.base);
    snprintf(want, sizeof(want), "u-%d@example.com", u);
    return perform(c, &r, 200, "GET /oauth2/userInfo") &&
           ((answer_has(c, NULL, claims, NULL) &&
             answer_get(c, NULL, "email", email, sizeof(email)) && strcmp(email, want) == 0) ||
            refuse(c, "GET /oauth2/userInfo", "not the user's claims"));
}

/* GET /{pool}/.well-known/openid-configuration: the endpoints of the pool's domain. */
static bool step_discovery(struct conn *c)
{
    static const char *const members[] = {"issuer",         "authorization_endpoint",
                                          "token_endpoint", "userinfo_endpoint",
                                          "jwks_uri",       NULL};
    char url[512];
    struct req r = {.url = url};

    snprintf(url, sizeof(url), "%s/%s/.well-known/openid-configuration", endpoint, S.pool);
    return perform(c, &r, 200, "GET openid-configuration") &&
           ((answer_has(c, NULL, members, NULL) && strstr(c->body, S.pool) != NULL) ||
            refuse(c, "GET openid-configuration", "not the pool's configuration"));
}

/* GET /{pool}/.well-known/jwks.json: at least one RSA key. */
static bool step_jwks(struct conn *c)
{
    char url[512];
    struct req r = {.url = url};

    snprintf(url, sizeof(url), "%s/%s/.well-known/jwks.json", endpoint, S.pool);
    return perform(c, &r, 200, "GET jwks.json") &&
           (strstr(c->body, "\"keys\"") != NULL && strstr(c->body, "\"RSA\"") != NULL
                ? true
                : refuse(c, "GET jwks.json", "no RSA key"));
}

/*
 * The tokens every user gets by the hosted sign-in: a refresh token and an access token with
 * scope openid (for refresh and userinfo). The sign-in also makes the signing keys and the
 * first anti-forgery token before anything is timed.
 */
static void first_sign_ins(struct conn *c)
{
    char session[256], code[256], header[4200];

    must(step_jwks(c), "GET jwks.json");
    must(step_login_page(c), "GET /login");
    for (int u = 0; u < USERS; u++) {
        must(step_login(c, u, session, sizeof(session)), "POST /login");
        must(step_sso(c, session, code, sizeof(code)), "GET /oauth2/authorize (session)");
        must(step_code(c, code, u, true), "POST /oauth2/token (code)");
        snprintf(header, sizeof(header), "Authorization: Bearer %s", S.access[u]);
        S.bearer[u] = curl_slist_append(NULL, header);
    }
}

/* ---- Series ---------------------------------------------------------------------------------- */

enum kind {
    K_AUTHORIZE,
    K_LOGIN_PAGE,
    K_SSO,
    K_LOGIN,
    K_CODE,
    K_INITIATE,
    K_CC,
    K_REFRESH,
    K_USERINFO,
    K_DISCOVERY,
    K_JWKS
};

static const struct series {
    const char *id, *endpoint, *what;
    const char *signs; /* what it signs; NULL: nothing */
    enum kind kind;
} SERIES[] = {
    {"authorize", "GET /oauth2/authorize", "no session: the 302 to /login", NULL, K_AUTHORIZE},
    {"login-page", "GET /login", "the sign-in page", NULL, K_LOGIN_PAGE},
    {"sso", "GET /oauth2/authorize", "live session cookie: the 302 with a new code (a store write)",
     NULL, K_SSO},
    {"login", "POST /login", "password check, new session and code, the 302 to the app (no tokens)",
     NULL, K_LOGIN},
    {"code", "POST /oauth2/token", "authorization_code + PKCE S256 (the code of an untimed sso)",
     "access + ID (refresh token stored)", K_CODE},
    {"initiate-auth", "InitiateAuth", "USER_PASSWORD_AUTH, same client and user (SECRET_HASH)",
     "access + ID (refresh token stored)", K_INITIATE},
    {"client-credentials", "POST /oauth2/token", "client_credentials, one custom scope", "access",
     K_CC},
    {"refresh", "POST /oauth2/token", "refresh_token", "access + ID", K_REFRESH},
    {"userinfo", "GET /oauth2/userInfo", "Bearer access token (its signature verified)", NULL,
     K_USERINFO},
    {"discovery", "GET /{pool}/.well-known/openid-configuration", "", NULL, K_DISCOVERY},
    {"jwks", "GET /{pool}/.well-known/jwks.json", "", NULL, K_JWKS},
};
#define NSERIES (sizeof(SERIES) / sizeof(SERIES[0]))

static bool selected[NSERIES];

static int series_index(const char *id)
{
    for (size_t i = 0; i < NSERIES; i++)
        if (strcmp(SERIES[i].id, id) == 0)
            return (int)i;
    return -1;
}

/* One phase at one concurrency: the rounds of every connection. */
struct phase {
    int nconns, rounds, warmup;
    pthread_barrier_t go;
};

/* One timed request: its latency and, at one connection, the server's CPU time for it and how
 * long the server's threads waited for a CPU meanwhile. */
struct sample {
    double ms, cpu_us, wait_us;
    bool ok;
};

struct worker {
    struct phase *ph;
    int id;
    struct sample *samples[NSERIES]; /* rounds of them per series */
    long errors[NSERIES];
    char session[USERS][256]; /* a live hosted session of each user */
};

/* The timed request of series s for user u; code is the one an untimed sso made (K_CODE). */
static bool run_step(struct worker *w, struct conn *c, enum kind k, int u, const char *code)
{
    char out[256];

    switch (k) {
    case K_AUTHORIZE:
        return step_authorize(c);
    case K_LOGIN_PAGE:
        return step_login_page(c);
    case K_SSO:
        return step_sso(c, w->session[u], out, sizeof(out));
    case K_LOGIN:
        return step_login(c, u, out, sizeof(out));
    case K_CODE:
        return step_code(c, code, u, false);
    case K_INITIATE:
        return step_initiate_auth(c, u);
    case K_CC:
        return step_client_credentials(c);
    case K_REFRESH:
        return step_refresh(c, u);
    case K_USERINFO:
        return step_userinfo(c, u);
    case K_DISCOVERY:
        return step_discovery(c);
    case K_JWKS:
        return step_jwks(c);
    }
    return false;
}

/* One request of series s in round r of worker w; out (NULL: untimed) gets its measures. */
static bool run_one(struct worker *w, struct conn *c, size_t s, int r, struct sample *out)
{
    enum kind k = SERIES[s].kind;
    int u = ((r + w->id) % USERS + USERS) % USERS;
    bool sched = out != NULL && w->ph->nconns == 1;
    double t0, cpu0 = 0, wait0 = 0, cpu1, wait1;
    char code[256] = "";
    bool ok;

    if (k == K_CODE && !step_sso(c, w->session[u], code, sizeof(code))) /* untimed */
        return false;
    sched = sched && sched_times(server_pid, &cpu0, &wait0);
    t0 = now_ms();
    ok = run_step(w, c, k, u, code);
    if (out != NULL) {
        *out = (struct sample){.ms = now_ms() - t0, .cpu_us = -1, .wait_us = -1, .ok = ok};
        if (sched && sched_times(server_pid, &cpu1, &wait1)) {
            out->cpu_us = cpu1 - cpu0;
            out->wait_us = wait1 - wait0;
        }
    }
    return ok;
}

static void *worker_run(void *arg)
{
    struct worker *w = arg;
    struct phase *ph = w->ph;
    struct conn c;
    bool ready = true;

    conn_init(&c);
    for (int u = 0; u < USERS; u++) /* untimed: every user's hosted session on this connection */
        ready = ready && step_login(&c, u, w->session[u], sizeof(w->session[u]));
    for (int r = -ph->warmup; r < ph->rounds; r++) {
        if (r == 0)
            pthread_barrier_wait(&ph->go); /* every connection warm before the first timing */
        for (size_t j = 0; j < NSERIES; j++) {
            size_t s = ((size_t)(r + ph->warmup) + j) % NSERIES; /* the order rotates */
            struct sample *out = r >= 0 ? &w->samples[s][r] : NULL;
            if (selected[s] && (!ready || !run_one(w, &c, s, r, out)))
                w->errors[s]++; /* in the warm-up too: any error makes the run invalid */
        }
    }
    conn_free(&c);
    return NULL;
}

struct stats {
    size_t n;
    long errors;
    double p50, p90, p99;               /* ms */
    double cpu_p50, cpu_p90, wait_mean; /* µs; -1 when not measured */
};

static struct stats stats_of(struct sample *const *samples, int nworkers, int rounds)
{
    double *ms = malloc((size_t)(rounds * nworkers) * sizeof(double));
    double *cpu = malloc((size_t)(rounds * nworkers) * sizeof(double)), wait = 0;
    size_t n = 0, ncpu = 0;
    struct stats st;

    if (ms == NULL || cpu == NULL)
        die("out of memory");
    for (int i = 0; i < nworkers; i++)
        for (int r = 0; r < rounds; r++) {
            const struct sample *x = &samples[i][r];
            if (!x->ok)
                continue;
            ms[n++] = x->ms;
            if (x->cpu_us >= 0) {
                cpu[ncpu++] = x->cpu_us;
                wait += x->wait_us;
            }
        }
    qsort(ms, n, sizeof(double), cmp_double);
    qsort(cpu, ncpu, sizeof(double), cmp_double);
    st = (struct stats){.n = n,
                        .p50 = pct(ms, n, 50),
                        .p90 = pct(ms, n, 90),
                        .p99 = pct(ms, n, 99),
                        .cpu_p50 = ncpu ? pct(cpu, ncpu, 50) : -1,
                        .cpu_p90 = ncpu ? pct(cpu, ncpu, 90) : -1,
                        .wait_mean = ncpu ? wait / (double)ncpu : -1};
    free(ms);
    free(cpu);
    return st;
}

/* Run every selected series at nconns connections, requests timed requests each; fill st. */
static void phase_run(int nconns, int requests, int warmup, struct stats *st)
{
    struct phase ph = {
        .nconns = nconns, .rounds = (requests + nconns - 1) / nconns, .warmup = warmup};
    pthread_t th[MAX_CONNS];
    struct worker *wk = calloc((size_t)nconns, sizeof(struct worker));

    if (wk == NULL)
        die("out of memory");
    pthread_barrier_init(&ph.go, NULL, (unsigned)nconns);
    for (int i = 0; i < nconns; i++) {
        wk[i].ph = &ph;
        wk[i].id = i;
        for (size_t s = 0; s < NSERIES; s++)
            if ((wk[i].samples[s] = calloc((size_t)ph.rounds, sizeof(struct sample))) == NULL)
                die("out of memory");
        if (pthread_create(&th[i], NULL, worker_run, &wk[i]) != 0)
            die("pthread_create failed");
    }
    for (int i = 0; i < nconns; i++)
        pthread_join(th[i], NULL);
    for (size_t s = 0; s < NSERIES; s++) {
        struct sample *samples[MAX_CONNS];
        for (int i = 0; i < nconns; i++)
            samples[i] = wk[i].samples[s];
        st[s] = stats_of(samples, nconns, ph.rounds);
        for (int i = 0; i < nconns; i++)
            st[s].errors += wk[i].errors[s];
    }
    for (int i = 0; i < nconns; i++)
        for (size_t s = 0; s < NSERIES; s++)
            free(wk[i].samples[s]);
    pthread_barrier_destroy(&ph.go);
    free(wk);
}

/* ---- Main ------------------------------------------------------------------------------------ */

static void usage(void)
{
    fprintf(stderr, "usage: oauth_bench --bin PATH [--requests N] [--conns 1,8] [--warmup N] "
                    "[--only SERIES,...] [--wrap \"CMD ARG...\"]\n");
    exit(2);
}

/* Split a comma- (or space-) separated list in place; the count of items. */
static int split(char *s, const char *sep, char **out, int max)
{
    int n = 0;

    for (char *save = NULL, *t = strtok_r(s, sep, &save); t && n < max;
         t = strtok_r(NULL, sep, &save))
        out[n++] = t;
    return n;
}

/* A positive number of at most max, or usage(). */
static int number(const char *s, int max)
{
    char *end;
    long v = strtol(s, &end, 10);

    if (*s == '\0' || *end != '\0' || v < 0 || v > max)
        usage();
    return (int)v;
}

/* µs as ms text in out, "-" when not measured (< 0). */
static const char *us_as_ms(double us, char *out, size_t n)
{
    if (us < 0)
        snprintf(out, n, "-");
    else
        snprintf(out, n, "%.3f", us / 1e3);
    return out;
}

static void print_table(int nconns, const struct stats *st)
{
    for (size_t s = 0; s < NSERIES; s++) {
        char p50[32], p90[32], wait[32];
        if (!selected[s])
            continue;
        printf("| %d | %s | %s%s%s | %s | %zu | %.3f | %.3f | %.3f | %s | %s | %s | %ld |\n",
               nconns, SERIES[s].id, SERIES[s].endpoint, SERIES[s].what[0] ? ": " : "",
               SERIES[s].what, SERIES[s].signs ? SERIES[s].signs : "no", st[s].n, st[s].p50,
               st[s].p90, st[s].p99, us_as_ms(st[s].cpu_p50, p50, sizeof(p50)),
               us_as_ms(st[s].cpu_p90, p90, sizeof(p90)),
               us_as_ms(st[s].wait_mean, wait, sizeof(wait)), st[s].errors);
    }
}

/*
 * The verdict on a ratio of CPU medians that should be at most 1. Between runs on a busy
 * 2-core machine these medians move by a few per cent, so a ratio up to 1.05 is reported as a
 * tie rather than a miss.
 */
static const char *verdict(double ratio)
{
    return ratio <= 1.0    ? "no more (met)"
           : ratio <= 1.05 ? "as much, within the 5% noise of these medians (met)"
                           : "more (missed)";
}

/* The two claims, from the one-connection phase st (where the server CPU is known). */
static void print_claims(const struct stats *st)
{
    int code = series_index("code"), ia = series_index("initiate-auth");
    double worst = -1, worst90 = -1;
    const char *worst_id = NULL;

    printf("\n");
    if (selected[code] && selected[ia] && st[code].cpu_p50 >= 0 && st[ia].cpu_p50 >= 0)
        printf("- **code + PKCE exchange vs InitiateAuth** (both sign an access and an ID token "
               "and store a refresh token): server CPU p50 %.3f ms vs %.3f ms (%.0f%%), latency "
               "p50 %.3f ms vs %.3f ms: the exchange costs %s\n",
               st[code].cpu_p50 / 1e3, st[ia].cpu_p50 / 1e3,
               100.0 * st[code].cpu_p50 / st[ia].cpu_p50, st[code].p50, st[ia].p50,
               verdict(st[code].cpu_p50 / st[ia].cpu_p50));
    for (size_t s = 0; s < NSERIES; s++)
        if (selected[s] && SERIES[s].signs == NULL && st[s].cpu_p50 >= 0) {
            if (st[s].cpu_p50 > worst) {
                worst = st[s].cpu_p50;
                worst_id = SERIES[s].id;
            }
            if (st[s].cpu_p90 > worst90)
                worst90 = st[s].cpu_p90;
        }
    if (worst_id != NULL)
        printf("- **non-signing endpoints: server CPU < 1 ms**: the highest p50 is %s's, %.3f ms "
               "(the highest p90 of them %.3f ms): %s\n",
               worst_id, worst / 1e3, worst90 / 1e3, worst < 1000 ? "met" : "missed");
}

int main(int argc, char **argv)
{
    const char *bin = NULL;
    char *only = NULL, conns_arg[64] = "1,8", *conn_list[8];
    int requests = 2000, warmup = 20, nconn_list;
    long errors = 0;
    static struct stats st[8][NSERIES];
    const char *args[] = {"--port",   "0",           "--bind", "127.0.0.1", "--db",
                          ":memory:", "--log-level", "warn",   NULL};
    struct conn c;

    for (int i = 1; i < argc; i += 2) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (v == NULL)
            usage();
        if (strcmp(a, "--bin") == 0)
            bin = v;
        else if (strcmp(a, "--requests") == 0)
            requests = number(v, 10000000);
        else if (strcmp(a, "--conns") == 0)
            snprintf(conns_arg, sizeof(conns_arg), "%s", v);
        else if (strcmp(a, "--warmup") == 0)
            warmup = number(v, 1000000);
        else if (strcmp(a, "--only") == 0)
            only = strdup(v);
        else if (strcmp(a, "--wrap") == 0)
            nwrap = split(strdup(v), " ", wrap, MAX_WRAP);
        else
            usage();
    }
    if (bin == NULL || requests < 1)
        usage();
    for (size_t s = 0; s < NSERIES; s++)
        selected[s] = only == NULL;
    if (only != NULL) {
        char *ids[NSERIES + 1];
        int n = split(only, ",", ids, (int)NSERIES + 1);
        for (int i = 0; i < n; i++) {
            int s = series_index(ids[i]);
            if (s < 0)
                usage();
            selected[s] = true;
        }
    }
    nconn_list = split(conns_arg, ",", conn_list, 8);
    for (int i = 0; i < nconn_list; i++)
        if (number(conn_list[i], MAX_CONNS) < 1)
            usage();
    curl_global_init(CURL_GLOBAL_DEFAULT);
    signal(SIGPIPE, SIG_IGN);

    if (!server_start(bin, args)) {
        fprintf(stderr, "oauth_bench: %s did not start\n", bin);
        return 1;
    }
    conn_init(&c);
    create_pool(&c);
    create_users(&c);
    first_sign_ins(&c);
    conn_free(&c);

    printf("| conns | series | endpoint | signs tokens | requests | p50 ms | p90 ms | p99 ms | "
           "server CPU per request, p50 ms | server CPU, p90 ms | server waiting for a CPU, "
           "mean ms | errors |\n"
           "|---:|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (int i = 0; i < nconn_list; i++) {
        int n = number(conn_list[i], MAX_CONNS);
        phase_run(n, requests, warmup, st[i]);
        print_table(n, st[i]);
        for (size_t s = 0; s < NSERIES; s++)
            errors += selected[s] ? st[i][s].errors : 0;
        fflush(stdout);
    }
    for (int i = 0; i < nconn_list; i++)
        if (number(conn_list[i], MAX_CONNS) == 1)
            print_claims(st[i]);
    server_stop();
    if (errors > 0) {
        fprintf(stderr, "oauth_bench: INVALID run: %ld errors\n", errors);
        return 1;
    }
    return 0;
}
