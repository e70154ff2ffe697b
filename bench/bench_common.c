/*
 * bench_common: the pieces the request benchmarks share (see bench_common.h): the clock and
 * statistics, schedstat, the server's start and stop, the libcurl connection and the AWS JSON
 * API. Nothing here knows a benchmark's series; the programs keep their own setups and checks.
 */
#define _GNU_SOURCE
#include "bench_common.h"

#include <cJSON.h>
#include <dirent.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

void bench_die(const char *what)
{
    fprintf(stderr, "%s: %s\n", bench_name, what);
    exit(1);
}

void bench_must(bool ok, const char *what)
{
    if (!ok) {
        fprintf(stderr, "%s: setup step %s failed\n", bench_name, what);
        exit(1);
    }
}

/* ---- Clock, samples and statistics ----------------------------------------------------------- */

double bench_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

bool bench_sched_times(pid_t pid, double *cpu_us, double *wait_us)
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

void bench_mark_begin(struct bench_mark *m, pid_t pid)
{
    m->pid = pid > 0 && bench_sched_times(pid, &m->cpu0, &m->wait0) ? pid : 0;
    m->t0 = bench_now_ms();
}

struct bench_sample bench_mark_end(const struct bench_mark *m, bool ok)
{
    struct bench_sample x = {.ms = bench_now_ms() - m->t0, .cpu_us = -1, .wait_us = -1, .ok = ok};
    double cpu, wait;

    if (m->pid > 0 && bench_sched_times(m->pid, &cpu, &wait)) {
        x.cpu_us = cpu - m->cpu0;
        x.wait_us = wait - m->wait0;
    }
    return x;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

double bench_pct(const double *v, size_t n, int q)
{
    return n ? v[n * (size_t)q / 100] : 0;
}

struct bench_stats bench_stats_of(struct bench_sample *const *samples, int nworkers, int rounds)
{
    double *ms = malloc((size_t)(rounds * nworkers) * sizeof(double));
    double *cpu = malloc((size_t)(rounds * nworkers) * sizeof(double)), wait = 0;
    size_t n = 0, ncpu = 0;
    struct bench_stats st;

    if (ms == NULL || cpu == NULL)
        bench_die("out of memory");
    for (int i = 0; i < nworkers; i++)
        for (int r = 0; r < rounds; r++) {
            const struct bench_sample *x = &samples[i][r];
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
    st = (struct bench_stats){.n = n,
                              .p50 = bench_pct(ms, n, 50),
                              .p90 = bench_pct(ms, n, 90),
                              .p99 = bench_pct(ms, n, 99),
                              .cpu_p50 = ncpu ? bench_pct(cpu, ncpu, 50) : -1,
                              .cpu_p90 = ncpu ? bench_pct(cpu, ncpu, 90) : -1,
                              .wait_mean = ncpu ? wait / (double)ncpu : -1};
    free(ms);
    free(cpu);
    return st;
}

/* ---- Phases ---------------------------------------------------------------------------------- */

/* One connection of a phase: its thread's samples ([series * rounds + round]) and errors. */
struct worker {
    const struct bench_runner *b;
    const struct bench_phase *ph;
    pthread_barrier_t *go;
    int id;
    struct bench_sample *samples;
    long *errors;
};

static void *worker_run(void *arg)
{
    struct worker *w = arg;
    const struct bench_runner *b = w->b;
    const struct bench_phase *ph = w->ph;
    void *state = b->open(ph, w->id);

    for (int r = -ph->warmup; r < ph->rounds; r++) {
        if (r == 0)
            pthread_barrier_wait(w->go); /* every connection warm before the first timing */
        for (size_t j = 0; j < b->nseries; j++) {
            size_t s = ((size_t)(r + ph->warmup) + j) % b->nseries; /* the order rotates */
            struct bench_sample *out =
                r >= 0 ? &w->samples[s * (size_t)ph->rounds + (size_t)r] : NULL;
            if (b->selected[s] && (state == NULL || !b->request(state, ph, w->id, s, r, out)))
                w->errors[s]++; /* in the warm-up too: any error makes the run invalid */
        }
    }
    if (state != NULL)
        b->close(state);
    return NULL;
}

void bench_phase_run(const struct bench_runner *b, int nconns, int requests, int warmup,
                     struct bench_stats *st)
{
    static int serial;
    struct bench_phase ph = {.nconns = nconns,
                             .rounds = (requests + nconns - 1) / nconns,
                             .warmup = warmup,
                             .serial = ++serial};
    pthread_barrier_t go;
    pthread_t th[BENCH_MAX_CONNS];
    struct worker wk[BENCH_MAX_CONNS];

    if (nconns < 1 || nconns > BENCH_MAX_CONNS)
        bench_die("connections out of range");
    pthread_barrier_init(&go, NULL, (unsigned)nconns);
    for (int i = 0; i < nconns; i++) {
        wk[i] = (struct worker){.b = b, .ph = &ph, .go = &go, .id = i};
        wk[i].samples = calloc(b->nseries * (size_t)ph.rounds, sizeof(struct bench_sample));
        wk[i].errors = calloc(b->nseries, sizeof(long));
        if (wk[i].samples == NULL || wk[i].errors == NULL)
            bench_die("out of memory");
        if (pthread_create(&th[i], NULL, worker_run, &wk[i]) != 0)
            bench_die("pthread_create failed");
    }
    for (int i = 0; i < nconns; i++)
        pthread_join(th[i], NULL);
    for (size_t s = 0; s < b->nseries; s++) {
        struct bench_sample *samples[BENCH_MAX_CONNS];
        for (int i = 0; i < nconns; i++)
            samples[i] = &wk[i].samples[s * (size_t)ph.rounds];
        st[s] = bench_stats_of(samples, nconns, ph.rounds);
        for (int i = 0; i < nconns; i++)
            st[s].errors += wk[i].errors[s];
    }
    for (int i = 0; i < nconns; i++) {
        free(wk[i].samples);
        free(wk[i].errors);
    }
    pthread_barrier_destroy(&go);
}

/* ---- The server ------------------------------------------------------------------------------ */

/* Whether the file f (the server's stdout) has the ready line; its URL into s->endpoint. */
static bool server_ready(struct bench_server *s, FILE *f)
{
    char line[256];
    bool ready = false;

    rewind(f); /* and clears the end-of-file flag: read what was written since */
    while (fgets(line, sizeof(line), f))
        if (strstr(line, "listening on ") != NULL) {
            line[strcspn(line, "\r\n")] = '\0';
            snprintf(s->endpoint, sizeof(s->endpoint), "%s", strrchr(line, ' ') + 1);
            ready = true;
        }
    return ready;
}

bool bench_server_start(struct bench_server *s, char *const *wrap, const char *bin,
                        const char *const *args)
{
    char *argv[BENCH_MAX_WRAP + 16], path[] = "/tmp/bench-server-out.XXXXXX";
    int n = 0, fd = mkstemp(path);
    FILE *f = fd >= 0 ? fopen(path, "r") : NULL;
    bool wrapped = wrap != NULL && wrap[0] != NULL, ready = false;
    double deadline = bench_now_ms() + (wrapped ? 60000 : 10000);

    if (fd >= 0)
        unlink(path);
    if (f == NULL) {
        if (fd >= 0)
            close(fd);
        return false;
    }
    for (int i = 0; wrapped && wrap[i] != NULL && n < BENCH_MAX_WRAP; i++)
        argv[n++] = wrap[i];
    argv[n++] = (char *)bin;
    for (int i = 0; args[i] != NULL && n < BENCH_MAX_WRAP + 15; i++)
        argv[n++] = (char *)args[i];
    argv[n] = NULL;
    fflush(NULL);
    if ((s->pid = fork()) < 0) {
        s->pid = 0;
        close(fd);
        fclose(f);
        return false;
    }
    if (s->pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGTERM); /* a killed benchmark leaves no server behind */
        dup2(fd, STDOUT_FILENO);
        execvp(argv[0], argv);
        _exit(127);
    }
    close(fd);
    while (!ready && bench_now_ms() < deadline) {
        ready = server_ready(s, f);
        if (!ready && waitpid(s->pid, NULL, WNOHANG) == s->pid) {
            s->pid = 0;
            break;
        }
        if (!ready)
            usleep(10000);
    }
    fclose(f);
    if (!ready)
        fprintf(stderr, "%s: %s did not start\n", bench_name, bin);
    return ready;
}

void bench_server_stop(struct bench_server *s)
{
    if (s->pid > 0) {
        kill(s->pid, SIGTERM);
        waitpid(s->pid, NULL, 0);
        s->pid = 0;
    }
}

/* ---- HTTP ------------------------------------------------------------------------------------ */

/* libcurl's write callback: append the answer's bytes to c's buffer, NUL ended. */
static size_t on_data(char *data, size_t size, size_t nmemb, void *arg)
{
    struct bench_conn *c = arg;
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

void bench_conn_init(struct bench_conn *c)
{
    memset(c, 0, sizeof(*c));
    if ((c->h = curl_easy_init()) == NULL)
        bench_die("curl_easy_init failed");
    curl_easy_setopt(c->h, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(c->h, CURLOPT_WRITEDATA, c);
    curl_easy_setopt(c->h, CURLOPT_TIMEOUT, 120L); /* valgrind is slow */
    curl_easy_setopt(c->h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c->h, CURLOPT_TCP_NODELAY, 1L);
}

void bench_conn_free(struct bench_conn *c)
{
    curl_easy_cleanup(c->h);
    free(c->body);
}

long bench_perform(struct bench_conn *c, const char *url, struct curl_slist *headers,
                   const char *body)
{
    curl_easy_setopt(c->h, CURLOPT_URL, url);
    curl_easy_setopt(c->h, CURLOPT_HTTPHEADER, headers);
    if (body != NULL)
        curl_easy_setopt(c->h, CURLOPT_POSTFIELDS, body);
    else
        curl_easy_setopt(c->h, CURLOPT_HTTPGET, 1L);
    c->n = 0;
    if (c->body)
        c->body[0] = '\0';
    c->status = 0;
    if (curl_easy_perform(c->h) == CURLE_OK)
        curl_easy_getinfo(c->h, CURLINFO_RESPONSE_CODE, &c->status);
    return c->status;
}

struct curl_slist *bench_op_headers(const char *op)
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
        snprintf(target, sizeof(target), "X-Amz-Target: " BENCH_IDP ".%s", op);
        h = curl_slist_append(NULL, "Content-Type: application/x-amz-json-1.1");
        h = curl_slist_append(h, "Expect:");
        h = curl_slist_append(h, target);
        cache[i].op = op;
        cache[i].h = h;
    }
    pthread_mutex_unlock(&mu);
    if (h == NULL)
        bench_die("too many operations");
    return h;
}

bool bench_answer_get(const struct bench_conn *c, const char *object, const char *name, char *out,
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

/* ---- Arguments and printing ------------------------------------------------------------------ */

int bench_split(char *s, const char *sep, char **out, int max)
{
    int n = 0;

    for (char *save = NULL, *t = strtok_r(s, sep, &save); t && n < max;
         t = strtok_r(NULL, sep, &save))
        out[n++] = t;
    return n;
}

const char *bench_us_as_ms(double us, char *out, size_t n)
{
    if (us < 0)
        snprintf(out, n, "-");
    else
        snprintf(out, n, "%.3f", us / 1e3);
    return out;
}

/* The whole number s, when it is one from min to max; else -1. */
static int number(const char *s, int min, int max)
{
    char *end;
    long v = strtol(s, &end, 10);

    return *s != '\0' && *end == '\0' && v >= min && v <= max ? (int)v : -1;
}

bool bench_options_parse(struct bench_options *o, int argc, char **argv,
                         bool (*own)(const char *name, const char *value))
{
    char *list[8];

    for (int i = 1; i < argc; i += 2) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (v == NULL)
            return false;
        if (strcmp(a, "--bin") == 0)
            o->bin = v;
        else if (strcmp(a, "--requests") == 0)
            o->requests = number(v, 1, 10000000);
        else if (strcmp(a, "--conns") == 0)
            snprintf(o->conns_list, sizeof(o->conns_list), "%s", v);
        else if (strcmp(a, "--warmup") == 0)
            o->warmup = number(v, 0, 1000000);
        else if (strcmp(a, "--only") == 0)
            o->only = strdup(v);
        else if (strcmp(a, "--wrap") == 0) {
            char *words = strdup(v);
            if (words == NULL)
                bench_die("out of memory");
            o->wrap[bench_split(words, " ", o->wrap, BENCH_MAX_WRAP)] = NULL;
        } else if (own == NULL || !own(a, v))
            return false;
    }
    o->nconns = bench_split(o->conns_list, ",", list, 8);
    for (int i = 0; i < o->nconns; i++)
        if ((o->conns[i] = number(list[i], 1, BENCH_MAX_CONNS)) < 0)
            return false;
    return o->bin != NULL && o->requests >= 1 && o->warmup >= 0;
}

int bench_series_index(const void *series, size_t n, size_t size, const char *id)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(*(const char *const *)((const char *)series + i * size), id) == 0)
            return (int)i;
    return -1;
}

bool bench_select(char *only, int (*index)(const char *id), bool *selected)
{
    char *ids[64];
    int n = bench_split(only, ",", ids, 64);

    for (int i = 0; i < n; i++) {
        int s = index(ids[i]);
        if (s < 0)
            return false;
        selected[s] = true;
    }
    return true;
}
