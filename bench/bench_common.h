/*
 * bench_common: what the request benchmarks (bench/trigger_bench.c, bench/oauth_bench.c) share:
 * the clock, the samples and their percentiles, the server's CPU time from schedstat, starting
 * and stopping cognito-emu, a keep-alive libcurl connection, the AWS JSON API's headers and
 * answers, the interleaved phases, and the options and small helpers. Each program is compiled
 * with bench/bench_common.c by its script (bench/trigger_bench.sh, bench/oauth_bench.sh);
 * bench/load.c (compiled by bench/run.sh) uses its connection only. It is not part of the
 * server's build.
 *
 * Each program defines bench_name (its name): messages on stderr start with it. Setup failures
 * end the process (bench_die, bench_must): a benchmark that cannot set up has nothing to report.
 */
#ifndef BENCH_COMMON_H
#define BENCH_COMMON_H

#include <curl/curl.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define BENCH_IDP "AWSCognitoIdentityProviderService"
#define BENCH_MAX_WRAP 32 /* words of a --wrap command */

/* The program's name, defined by each program ("trigger_bench"): the prefix of its messages. */
extern const char bench_name[];

/* Print "bench_name: what" on stderr and exit 1. Does not return. */
void bench_die(const char *what);

/* When ok is false, print "bench_name: setup step what failed" and exit 1; else return. */
void bench_must(bool ok, const char *what);

/* ---- Clock, samples and statistics ----------------------------------------------------------- */

/* The monotonic clock, in ms. */
double bench_now_ms(void);

/*
 * The time every thread of process pid has spent on a CPU, and waiting for one (runnable but not
 * running), in µs, from /proc/PID/task/TID/schedstat (nanoseconds). False when unreadable.
 */
bool bench_sched_times(pid_t pid, double *cpu_us, double *wait_us);

/* One timed request: its latency and, when measured (else -1), the server's CPU time for it and
 * how long the server's threads waited for a CPU meanwhile. */
struct bench_sample {
    double ms, cpu_us, wait_us;
    bool ok;
};

/* The start of one timed request (bench_mark_begin), for bench_mark_end. */
struct bench_mark {
    pid_t pid; /* the server whose CPU time is measured; 0: none */
    double t0, cpu0, wait0;
};

/* Start timing a request now; pid > 0: also the CPU time of that process's threads (measure
 * it only when nothing else runs in the server: one connection). */
void bench_mark_begin(struct bench_mark *m, pid_t pid);

/* The sample of the request started at m, which answered ok. */
struct bench_sample bench_mark_end(const struct bench_mark *m, bool ok);

/* Latency percentiles (ms) and server CPU (µs; -1 when not measured) of a series' samples. */
struct bench_stats {
    size_t n; /* the samples that succeeded, the ones counted */
    long errors;
    double p50, p90, p99;
    double cpu_p50, cpu_p90, wait_mean;
};

/* The q-th percentile (0..100) of sorted samples v[0..n), as bench/load.c takes it; 0 when n is
 * 0. */
double bench_pct(const double *v, size_t n, int q);

/* The statistics of samples[0..nworkers)[0..rounds) (the ok ones; errors left 0). Exits when out
 * of memory. */
struct bench_stats bench_stats_of(struct bench_sample *const *samples, int nworkers, int rounds);

/* ---- Phases ---------------------------------------------------------------------------------- */

#define BENCH_MAX_CONNS 64

/* One phase: every selected series at one concurrency, as the runner's callbacks see it. */
struct bench_phase {
    int nconns; /* connections, each a thread */
    int rounds; /* timed rounds per connection: the requests per series over nconns, rounded up */
    int warmup; /* untimed rounds per connection before them (rounds -warmup .. -1) */
    int serial; /* 1 for the process's first phase, 2 for the next...: names unique across them */
};

/* A benchmark's series, as bench_phase_run runs them. */
struct bench_runner {
    size_t nseries;
    const bool *selected; /* [nseries]: the series to run */
    /* The state of connection id (its handles, sessions...), made in its thread before its first
     * round; NULL when it could not be made: every request of it then counts as an error. */
    void *(*open)(const struct bench_phase *ph, int id);
    /* One request of series s in round r (negative: warm-up) of connection id; out (NULL:
     * untimed) gets its sample. Returns whether it succeeded. */
    bool (*request)(void *state, const struct bench_phase *ph, int id, size_t s, int r,
                    struct bench_sample *out);
    /* Release a state open made, after the connection's last round. */
    void (*close)(void *state);
};

/*
 * Run every selected series of b at nconns connections (1 to BENCH_MAX_CONNS), requests timed
 * requests of each (split over the connections) after warmup untimed rounds per connection. The
 * series are interleaved: every round makes one request of each, in an order that rotates from
 * round to round, so what the rest of a noisy machine does falls on all of them alike; timing
 * starts when every connection has warmed up. Fills st[0..nseries) (errors count the warm-up's
 * too: any error makes a run invalid). Exits when out of memory or threads.
 */
void bench_phase_run(const struct bench_runner *b, int nconns, int requests, int warmup,
                     struct bench_stats *st);

/* ---- The server ------------------------------------------------------------------------------ */

struct bench_server {
    pid_t pid; /* 0: not running */
    char endpoint[128];
};

/*
 * Start bin with args (NULL ended), under the command wrap (NULL ended; NULL or empty: none),
 * its stdout in a temporary file, and wait for its ready line ("... listening on URL"), as
 * bench/run.sh does; s->endpoint is that URL. The file is unlinked at once (both ends keep it
 * open) and the server dies with this process: an interrupted run leaves nothing behind. False
 * (and a message) when it did not start.
 */
bool bench_server_start(struct bench_server *s, char *const *wrap, const char *bin,
                        const char *const *args);

/* SIGTERM and wait: the emulator, and valgrind under a wrap, finish their output. Nothing when
 * s is not running. */
void bench_server_stop(struct bench_server *s);

/* ---- HTTP ------------------------------------------------------------------------------------ */

/* One keep-alive connection and the answer it got last (body, n bytes, NUL ended; status). */
struct bench_conn {
    CURL *h;
    char *body; /* NULL until the first answer with a body */
    size_t n, cap;
    long status; /* 0: no answer */
};

/* A connection ready for bench_perform (TCP_NODELAY, a 120 s timeout: valgrind is slow); exits
 * when libcurl cannot make one. Free with bench_conn_free. */
void bench_conn_init(struct bench_conn *c);

/* Release c's handle and buffer. */
void bench_conn_free(struct bench_conn *c);

/*
 * Make one request on c: a POST of body (NULL: a GET) to url with headers (NULL: libcurl's). The
 * answer replaces c's; returns its status, 0 when there was none. Other options set on c->h
 * before (a cookie, a header callback) apply.
 */
long bench_perform(struct bench_conn *c, const char *url, struct curl_slist *headers,
                   const char *body);

/* The headers of Cognito operation op (built once per operation, shared by every thread; never
 * freed). Exits past 16 operations. */
struct curl_slist *bench_op_headers(const char *op);

/*
 * Whether c's answer is a JSON object whose object member object (NULL: the answer itself) has a
 * non-empty string member name shorter than n; if so, and out is not NULL, it is copied there.
 */
bool bench_answer_get(const struct bench_conn *c, const char *object, const char *name, char *out,
                      size_t n);

/* ---- Arguments and printing ------------------------------------------------------------------ */

/* The options every request benchmark takes. The caller sets the defaults before parsing. */
struct bench_options {
    const char *bin;                /* --bin PATH: the server (required) */
    int requests;                   /* --requests N: timed requests per series, 1 to 10,000,000 */
    int warmup;                     /* --warmup N: untimed rounds per connection, to 1,000,000 */
    char conns_list[64];            /* --conns LIST, e.g. "1,8" */
    int conns[8], nconns;           /* that list, parsed: 1 to BENCH_MAX_CONNS each */
    char *only;                     /* --only SERIES,...: the series to run (NULL: the default) */
    char *wrap[BENCH_MAX_WRAP + 1]; /* --wrap "CMD ARG...": NULL ended; none when empty */
};

/*
 * Parse argv's "--name value" pairs into o; a name it does not know goes to own (NULL: none),
 * which returns false for one it does not know either. Returns false on an unknown name, a
 * missing or out-of-range value, or no --bin (the caller prints its usage); never frees.
 */
bool bench_options_parse(struct bench_options *o, int argc, char **argv,
                         bool (*own)(const char *name, const char *value));

/* The index of the series named id in series[0..n), an array of structs of size bytes each
 * whose first member is the series' name (const char *); -1 when there is none. */
int bench_series_index(const void *series, size_t n, size_t size, const char *id);

/* Mark the series of only (comma-separated names, split in place) in selected, by their index
 * (index: the program's lookup, -1 for an unknown name). False on an unknown name. */
bool bench_select(char *only, int (*index)(const char *id), bool *selected);

/* Split a list separated by characters of sep in place into out (at most max items); returns the
 * count of items. */
int bench_split(char *s, const char *sep, char **out, int max);

/* µs as ms text ("%.3f") in out (size n), "-" when not measured (< 0); returns out. */
const char *bench_us_as_ms(double us, char *out, size_t n);

#endif
