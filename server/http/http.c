/*
 * http: libmicrohttpd behind a small interface. See http.h.
 *
 * libmicrohttpd calls on_request() several times per request: once when the headers are in,
 * once per chunk of body, and once at the end, when the handler runs. Per-request state
 * (struct exchange) is freed in on_completed(). A thread pool (libmicrohttpd's workers) owns
 * the connections: each worker runs an event loop over its share of them. With cfg.tls a
 * second daemon (MHD_USE_TLS: GnuTLS inside libmicrohttpd) listens on the HTTPS port with its
 * own workers; both call the same on_request() through their struct listener, which tells
 * the request which one it came in on, and share the executor, the timer and the parked list.
 *
 * Where handlers run. By default on the worker, inside its event loop. With cfg.handlers_wait
 * they run off it, because a handler may wait for something slow (a Lambda trigger waits for
 * the user's function, up to seconds) and a waiting worker serves none of its other
 * connections: once a request is complete, on_request() suspends its connection and queues
 * its exchange for the executor, a pool of threads of our own; the thread that runs the
 * handler stores the answer in the exchange and resumes the connection, and the worker,
 * called again, sends it. What needs no handler stays on the worker: CORS preflights, the
 * too_large answer, and the polls of parked requests (quick by contract). The executor keeps
 * cfg.threads threads running handlers (the CPU-bound work, as many as the workers), and adds
 * one for each that waits (http_wait_begin()), up to WAITERS_MAX more: waiting threads hold
 * nothing but their own request. Threads beyond cfg.threads exit after IDLE_EXIT_MS without
 * work.
 *
 * Deferred answers. A request whose handler defers is parked: its connection stays suspended
 * (or is suspended again, after a poll: MHD_suspend_connection, allowed by
 * MHD_ALLOW_SUSPEND_RESUME) and its exchange is linked on the server's parked list. One timer
 * thread per server resumes parked connections (MHD_resume_connection, safe from any thread:
 * the flag brings an inter-thread channel that wakes the owning worker) when they are due:
 * their next interval or deadline has come, or http_wake() was called since their handler last
 * ran. libmicrohttpd then calls on_request() again, which polls; a poll that does not answer
 * parks the request again. libmicrohttpd forbids stopping a daemon with suspended connections,
 * so http_stop() stops queueing and parking, lets the executor finish what it holds, and makes
 * the timer resume every parked connection, before MHD_stop_daemon().
 *
 * Locking: wake_mu guards every server's parked list and the wake-up condition; an executor's
 * mu guards its queue and counts. Each is held while calling MHD_suspend_connection() (so that
 * no thread can resume a connection before it is suspended), never while calling
 * MHD_resume_connection(), and never together; libmicrohttpd never calls on_request() with its
 * own locks held, so the order is always ours, then libmicrohttpd's.
 */
#include "config.h"

#include "http/http.h"

#include <float.h>
#include <microhttpd.h>
#include <netdb.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "util/clock.h"
#include "util/log.h"
#include "http/form.h"

/* A body this many times over the cap is not worth reading to the end: drop the connection. */
#define DISCARD_FACTOR 16

/* What browsers may read from a response (the AWS SDKs read these for errors and ids). */
#define EXPOSE_HEADERS "x-amzn-RequestId, x-amzn-ErrorType, x-amzn-ErrorMessage, Date"
/* Headers allowed when a preflight names none: what Amplify and the JS SDK send. */
#define DEFAULT_ALLOW_HEADERS                                                                      \
    "content-type, x-amz-target, x-amz-user-agent, amz-sdk-invocation-id, amz-sdk-request, "       \
    "authorization, x-amz-date, x-amz-security-token, x-amz-content-sha256, cache-control"

/* Executor threads that may wait (http_wait_begin()) at once; see http_max_handlers(). */
#define WAITERS_MAX 64
/* An executor thread beyond cfg.threads exits after this long without work. */
#define IDLE_EXIT_MS 30000

struct exchange;
struct executor;

/* One executor thread: joined by the next start that reuses its slot, or by executor_stop(). */
struct executor_slot {
    pthread_t tid;
    enum { SLOT_FREE, SLOT_LIVE, SLOT_DONE } state; /* under the executor's mu */
    struct executor *ex;
};

/* The threads that run handlers. Everything here is under mu. */
struct executor {
    pthread_mutex_t mu;
    pthread_cond_t work; /* a job was queued, or the executor stops */
    struct exchange *head, **tail;
    int queued;  /* jobs not yet taken */
    int threads; /* started and not exited */
    int idle;    /* waiting for a job */
    int waiting; /* inside http_wait_begin() .. http_wait_end() */
    int keep;    /* threads that run handlers at once, not counting the waiting ones */
    int max;     /* threads at most: keep + WAITERS_MAX (the slots) */
    bool stopping;
    struct executor_slot *slots;
};

/* One listening port: its own daemon (workers, connections), the server's handler. */
struct listener {
    struct http_server *srv;
    struct MHD_Daemon *daemon; /* NULL: not started */
    int port;                  /* bound */
    bool tls;                  /* HTTPS */
};

struct http_server {
    struct listener plain, secure; /* secure is started with cfg.tls */
    struct http_config cfg;
    char *tls_cert, *tls_key; /* copies of cfg's PEM, while the daemon may read them */
    pthread_t timer;
    struct exchange *parked; /* under wake_mu */
    atomic_bool stopping;    /* set under wake_mu: nothing is parked after it */
    struct executor ex;
};

struct exchange {
    char *body;
    size_t len, cap;
    size_t discarded; /* bytes thrown away after the cap was passed */
    double start_ms;
    /* A deferred answer (defer.poll != NULL), owned here and freed in on_completed(). */
    struct http_defer defer;
    char label[96];     /* the label the handler gave before deferring */
    double deadline_ms; /* monotonic */
    uint64_t seen;      /* wakes when the handler or poll last started */
    /* While its connection is suspended: queued or running on the executor, or parked. */
    struct http_server *srv;
    struct MHD_Connection *conn;
    struct http_request req;   /* what the executor's handler reads */
    struct http_response resp; /* the executor's answer, sent once the worker has it back */
    bool ready;                /* resp is the answer */
    bool sent;                 /* respond() has run for this request */
    double due_ms;             /* parked: resume at this time (monotonic) without a wake-up */
    struct exchange *next;     /* on the executor's queue or the parked list, never both */
};

/* The executor whose thread this is; NULL on every other thread. */
static _Thread_local struct executor *this_executor;

static pthread_once_t wake_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t wake_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake_cv;      /* on CLOCK_MONOTONIC, the clock of clock_monotonic_ms() */
static atomic_uint_least64_t wakes; /* http_wake() calls so far; changed under wake_mu */

static void wake_init(void)
{
    pthread_condattr_t attr;

    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&wake_cv, &attr);
    pthread_condattr_destroy(&attr);
}

bool http_request_is_tls(const struct http_request *req)
{
    return req->tls;
}

const char *http_request_header(const struct http_request *req, const char *name)
{
    if (req->conn == NULL)
        return NULL;
    return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

const char *http_request_query(const struct http_request *req, const char *name)
{
    if (req->conn == NULL)
        return NULL;
    return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, name);
}

/* Make room for one more header; 0, or -1 when out of memory. */
static int grow_headers(struct http_response *resp)
{
    size_t cap = resp->cap_headers ? resp->cap_headers * 2 : 8;
    struct http_header *grown;

    if (resp->nheaders < resp->cap_headers)
        return 0;
    grown = realloc(resp->headers, cap * sizeof(*grown));
    if (grown == NULL)
        return -1;
    resp->headers = grown;
    resp->cap_headers = cap;
    return 0;
}

int http_response_add_header(struct http_response *resp, const char *name, const char *value)
{
    char *n = NULL, *v = NULL;

    if (!form_is_token(name)) {
        log_error("http: refusing the invalid response header name \"%.64s\"", name);
        resp->failed = true;
        return -1;
    }
    if (grow_headers(resp) != 0 || (n = strdup(name)) == NULL || (v = strdup(value)) == NULL) {
        log_error("http: out of memory adding the response header %s", name);
        free(n);
        resp->failed = true;
        return -1;
    }
    for (char *p = v; *p; p++)
        if (*p == '\r' || *p == '\n')
            *p = ' ';
    resp->headers[resp->nheaders++] = (struct http_header){n, v};
    return 0;
}

void http_response_set_body(struct http_response *resp, int status, const char *content_type,
                            char *body, size_t len)
{
    if (resp->body != body)
        free(resp->body);
    resp->status = status;
    resp->content_type = content_type;
    resp->body = body;
    resp->body_len = body ? len : 0;
}

int http_response_set_json(struct http_response *resp, int status, const char *content_type,
                           const char *text)
{
    size_t len = strlen(text);
    char *copy = malloc(len + 1);

    if (copy != NULL)
        memcpy(copy, text, len + 1);
    http_response_set_body(resp, status, content_type, copy, len);
    return copy ? 0 : -1;
}

void http_response_clear(struct http_response *resp)
{
    if (resp == NULL)
        return;
    free(resp->body);
    for (size_t i = 0; i < resp->nheaders; i++) {
        free(resp->headers[i].name);
        free(resp->headers[i].value);
    }
    free(resp->headers);
    *resp = (struct http_response){0};
}

void http_response_defer(struct http_response *resp, http_poll_fn *poll, void *state,
                         void (*free_state)(void *state), int64_t wait_ms, int64_t interval_ms)
{
    free(resp->body);
    resp->body = NULL;
    resp->body_len = 0;
    resp->status = 0;
    resp->defer = (struct http_defer){poll, state, free_state, wait_ms, interval_ms};
}

void http_wake(void)
{
    pthread_once(&wake_once, wake_init);
    pthread_mutex_lock(&wake_mu);
    atomic_fetch_add(&wakes, 1);
    pthread_cond_broadcast(&wake_cv);
    pthread_mutex_unlock(&wake_mu);
}

/* Free a deferral's state; the deferral is empty afterwards. */
static void defer_release(struct http_defer *d)
{
    if (d->free_state != NULL)
        d->free_state(d->state);
    *d = (struct http_defer){0};
}

static void add_cors(struct MHD_Response *r, struct MHD_Connection *c)
{
    const char *origin = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Origin");

    MHD_add_response_header(r, "Access-Control-Allow-Origin", origin ? origin : "*");
    if (origin != NULL)
        MHD_add_response_header(r, "Vary", "Origin");
    MHD_add_response_header(r, "Access-Control-Expose-Headers", EXPOSE_HEADERS);
}

/*
 * The libmicrohttpd response for resp, taking its body; NULL (logged) when libmicrohttpd will
 * not make it or refuses one of its headers.
 */
static struct MHD_Response *build_response(struct MHD_Connection *c, struct http_response *resp)
{
    struct MHD_Response *r =
        MHD_create_response_from_buffer_with_free_callback(resp->body_len, resp->body, free);
    bool ok = r != NULL;

    if (r != NULL)
        resp->body = NULL;
    if (ok && resp->content_type != NULL)
        ok =
            MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, resp->content_type) == MHD_YES;
    for (size_t i = 0; ok && i < resp->nheaders; i++)
        ok = MHD_add_response_header(r, resp->headers[i].name, resp->headers[i].value) == MHD_YES;
    if (!ok) {
        log_error("http: cannot build the %d response (out of memory, or a header refused)",
                  resp->status);
        if (r != NULL)
            MHD_destroy_response(r);
        return NULL;
    }
    add_cors(r, c);
    return r;
}

/*
 * Queue resp on c and clear it; *status is the status sent. A response that cannot go out
 * whole (failed, or refused by libmicrohttpd) is replaced by an empty 500: never a response
 * with a header missing. Returns what libmicrohttpd answered.
 */
static enum MHD_Result send_response(struct MHD_Connection *c, struct http_response *resp,
                                     int *status)
{
    struct MHD_Response *r = resp->failed ? NULL : build_response(c, resp);
    enum MHD_Result ret = MHD_NO;

    if (r == NULL) {
        resp->status = MHD_HTTP_INTERNAL_SERVER_ERROR;
        r = MHD_create_response_from_buffer_with_free_callback(0, NULL, NULL);
        if (r != NULL)
            add_cors(r, c);
    }
    *status = resp->status;
    http_response_clear(resp);
    if (r != NULL) {
        ret = MHD_queue_response(c, (unsigned)*status, r);
        MHD_destroy_response(r);
    }
    return ret;
}

/* A CORS preflight: allow any origin, POST and GET, and whatever headers were asked for. */
static void preflight(struct MHD_Connection *c, struct http_response *resp)
{
    const char *asked =
        MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Access-Control-Request-Headers");

    resp->status = MHD_HTTP_OK;
    resp->content_type = "text/plain";
    http_response_add_header(resp, "Access-Control-Allow-Methods",
                             "GET, POST, PUT, DELETE, OPTIONS");
    http_response_add_header(resp, "Access-Control-Allow-Headers",
                             asked && *asked ? asked : DEFAULT_ALLOW_HEADERS);
    http_response_add_header(resp, "Access-Control-Max-Age", "86400");
    snprintf(resp->label, sizeof(resp->label), "preflight");
}

/* Append a chunk of body, or count it as discarded once the cap is passed. -1: drop it. */
static int take_body(struct exchange *x, size_t max_body, const char *data, size_t size)
{
    if (x->discarded > 0 || x->len + size > max_body) {
        x->discarded += size;
        return x->discarded > max_body * DISCARD_FACTOR ? -1 : 0;
    }
    if (x->len + size + 1 > x->cap) {
        size_t cap = x->cap ? x->cap : 4096;
        while (cap < x->len + size + 1)
            cap *= 2;
        char *grown = realloc(x->body, cap);
        if (grown == NULL)
            return -1;
        x->body = grown;
        x->cap = cap;
    }
    memcpy(x->body + x->len, data, size);
    x->len += size;
    x->body[x->len] = '\0';
    return 0;
}

/* An absolute time on CLOCK_MONOTONIC (the clock of clock_monotonic_ms()), ms from its origin. */
static struct timespec monotonic_at(double ms)
{
    struct timespec ts = {.tv_sec = (time_t)(ms / 1000.0)};

    ts.tv_nsec = (long)((ms - (double)ts.tv_sec * 1000.0) * 1e6);
    if (ts.tv_nsec < 0)
        ts.tv_nsec = 0;
    if (ts.tv_nsec > 999999999L)
        ts.tv_nsec = 999999999L;
    return ts;
}

/*
 * Park x until the timer resumes its connection c, suspending c first unless suspend is false
 * (it already is: the handler ran on the executor). false when the server is stopping: then
 * nothing changes and the caller answers now.
 */
static bool park(struct http_server *srv, struct exchange *x, struct MHD_Connection *c,
                 bool suspend)
{
    double now = clock_monotonic_ms();
    bool parked = false;

    x->due_ms = x->deadline_ms;
    if (x->defer.interval_ms > 0 && now + (double)x->defer.interval_ms < x->due_ms)
        x->due_ms = now + (double)x->defer.interval_ms;
    pthread_mutex_lock(&wake_mu);
    if (!atomic_load(&srv->stopping)) {
        if (suspend)
            MHD_suspend_connection(c);
        x->conn = c;
        x->next = srv->parked;
        srv->parked = x;
        parked = true;
        pthread_cond_broadcast(&wake_cv); /* the timer may have to wake up sooner */
    }
    pthread_mutex_unlock(&wake_mu);
    return parked;
}

/*
 * Under wake_mu: unlink the parked exchanges that are due at now (all of them when the server
 * stops) and return them as a list; *next is the earliest due time of those left (or stays).
 */
static struct exchange *take_due(struct http_server *srv, double now, double *next)
{
    struct exchange *due = NULL, **link = &srv->parked;
    bool all = atomic_load(&srv->stopping);
    uint64_t w = atomic_load(&wakes);

    while (*link != NULL) {
        struct exchange *x = *link;
        if (all || x->seen != w || x->due_ms <= now) {
            *link = x->next;
            x->next = due;
            due = x;
        } else {
            if (x->due_ms < *next)
                *next = x->due_ms;
            link = &x->next;
        }
    }
    return due;
}

/* The timer thread of srv: resumes parked connections when due; at stop, all of them. */
static void *timer_main(void *arg)
{
    struct http_server *srv = arg;

    pthread_mutex_lock(&wake_mu);
    for (;;) {
        double next = DBL_MAX;
        struct exchange *due = take_due(srv, clock_monotonic_ms(), &next);
        bool stopping = atomic_load(&srv->stopping);

        if (due != NULL) {
            pthread_mutex_unlock(&wake_mu);
            /* A resumed exchange may be parked again or freed at once: read next first. */
            while (due != NULL) {
                struct MHD_Connection *c = due->conn;
                due = due->next;
                MHD_resume_connection(c);
            }
            pthread_mutex_lock(&wake_mu);
            continue;
        }
        if (stopping)
            break;
        if (srv->parked == NULL) {
            pthread_cond_wait(&wake_cv, &wake_mu);
        } else {
            struct timespec ts = monotonic_at(next);
            pthread_cond_timedwait(&wake_cv, &wake_mu, &ts);
        }
    }
    pthread_mutex_unlock(&wake_mu);
    return NULL;
}

/* Answer at once what needs no handler: a CORS preflight, a body over the cap. */
static bool answer_quick(struct http_server *srv, struct exchange *x,
                         const struct http_request *req, struct http_response *resp)
{
    if (strcmp(req->method, MHD_HTTP_METHOD_OPTIONS) == 0) {
        preflight(req->conn, resp);
        return true;
    }
    if (x->discarded > 0) {
        srv->cfg.too_large(srv->cfg.handler_arg, req, resp);
        return true;
    }
    return false;
}

/* Run the handler for a request that has just come in; true when resp is an answer. */
static bool handle(struct http_server *srv, struct exchange *x, const struct http_request *req,
                   struct http_response *resp)
{
    x->seen = atomic_load(&wakes); /* before looking: a wake-up from now on is not missed */
    srv->cfg.handler(srv->cfg.handler_arg, req, resp);
    if (resp->defer.poll == NULL)
        return true;
    x->defer = resp->defer;
    snprintf(x->label, sizeof(x->label), "%s", resp->label);
    http_response_clear(resp); /* whatever else the handler set is not the answer */
    x->deadline_ms = x->start_ms + (double)(x->defer.wait_ms > 0 ? x->defer.wait_ms : 0);
    return false;
}

/* Ask a deferred request's poll; true when resp is an answer (always when last). */
static bool poll_deferred(struct exchange *x, const struct http_request *req,
                          struct http_response *resp, bool last)
{
    bool answered;

    x->seen = atomic_load(&wakes);
    answered = x->defer.poll(x->defer.state, req, resp, last);
    defer_release(&resp->defer); /* a poll does not defer again */
    if (!answered && !last)
        http_response_clear(resp);
    return answered || last;
}

/* ---- The executor ------------------------------------------------------------------------ */

/* On an executor thread: run x's handler, then hand the connection back to its worker. */
static void run_job(struct exchange *x)
{
    struct http_server *srv = x->srv;
    struct MHD_Connection *c = x->conn;

    if (!handle(srv, x, &x->req, &x->resp)) {
        if (park(srv, x, c, false))
            return;
        poll_deferred(x, &x->req, &x->resp, true); /* stopping: answer now */
    }
    x->ready = true;
    MHD_resume_connection(c); /* the worker sends resp, and may free x at once */
}

static void *executor_main(void *arg);

/* Under ex->mu: start one more thread; false when none may (stopping, at max) or can start. */
static bool executor_spawn(struct executor *ex)
{
    struct executor_slot *slot = NULL;

    if (ex->stopping || ex->threads >= ex->max)
        return false;
    for (int i = 0; slot == NULL; i++) /* threads < max: a slot is not live */
        if (ex->slots[i].state != SLOT_LIVE)
            slot = &ex->slots[i];
    if (slot->state == SLOT_DONE) /* it has left its loop: joining waits for nothing of ours */
        pthread_join(slot->tid, NULL);
    slot->state = SLOT_FREE;
    if (pthread_create(&slot->tid, NULL, executor_main, slot) != 0) {
        log_error("http: cannot start a thread to run requests");
        return false;
    }
    slot->state = SLOT_LIVE;
    ex->threads++;
    return true;
}

/*
 * Under ex->mu: whether the queued jobs need one more thread: more of them than idle threads
 * to take them, and fewer than keep threads at work (a waiting thread does not count).
 */
static bool executor_short(const struct executor *ex)
{
    return ex->queued > ex->idle && ex->threads - ex->waiting < ex->keep;
}

/*
 * Queue x for the executor, suspending its connection c (the worker serves its other
 * connections meanwhile). false when the server is stopping or no thread could start: then
 * nothing changed and the caller runs the handler itself.
 */
static bool offload(struct http_server *srv, struct exchange *x, struct MHD_Connection *c,
                    const struct http_request *req)
{
    struct executor *ex = &srv->ex;
    bool queued = false;

    pthread_mutex_lock(&ex->mu);
    if (!ex->stopping) {
        ex->queued++;
        if (executor_short(ex))
            executor_spawn(ex);
        if (ex->threads > 0) {
            x->srv = srv;
            x->conn = c;
            x->req = *req;
            x->next = NULL;
            MHD_suspend_connection(c);
            *ex->tail = x;
            ex->tail = &x->next;
            if (ex->idle > 0)
                pthread_cond_signal(&ex->work);
            queued = true;
        } else {
            ex->queued--;
        }
    }
    pthread_mutex_unlock(&ex->mu);
    return queued;
}

/* An executor thread: runs queued jobs; beyond keep threads, exits when idle for a while. */
static void *executor_main(void *arg)
{
    struct executor_slot *slot = arg;
    struct executor *ex = slot->ex;
    bool idled_out = false;

    this_executor = ex;
    pthread_mutex_lock(&ex->mu);
    for (;;) {
        struct exchange *x = ex->head;
        if (x != NULL) {
            if ((ex->head = x->next) == NULL)
                ex->tail = &ex->head;
            ex->queued--;
            pthread_mutex_unlock(&ex->mu);
            run_job(x);
            pthread_mutex_lock(&ex->mu);
            idled_out = false;
            continue;
        }
        if (ex->stopping || (idled_out && ex->threads > ex->keep))
            break;
        ex->idle++;
        if (ex->threads > ex->keep) {
            struct timespec at = monotonic_at(clock_monotonic_ms() + IDLE_EXIT_MS);
            idled_out = pthread_cond_timedwait(&ex->work, &ex->mu, &at) != 0;
        } else {
            pthread_cond_wait(&ex->work, &ex->mu);
        }
        ex->idle--;
    }
    ex->threads--;
    slot->state = SLOT_DONE;
    pthread_mutex_unlock(&ex->mu);
    return NULL;
}

static int executor_init(struct executor *ex, int keep)
{
    pthread_condattr_t attr;

    *ex = (struct executor){.keep = keep > 0 ? keep : 1};
    ex->max = ex->keep + WAITERS_MAX;
    ex->tail = &ex->head;
    if ((ex->slots = calloc((size_t)ex->max, sizeof(*ex->slots))) == NULL)
        return -1;
    for (int i = 0; i < ex->max; i++)
        ex->slots[i].ex = ex;
    pthread_mutex_init(&ex->mu, NULL);
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&ex->work, &attr);
    pthread_condattr_destroy(&attr);
    return 0;
}

/*
 * Stop taking jobs, let the threads finish the queued ones (each ends by resuming or parking
 * its connection) and join them all. Nothing starts a thread once stopping is set, so the
 * slots that are not free stay the same while they are joined.
 */
static void executor_stop(struct executor *ex)
{
    pthread_mutex_lock(&ex->mu);
    ex->stopping = true;
    pthread_cond_broadcast(&ex->work);
    pthread_mutex_unlock(&ex->mu);
    for (int i = 0; i < ex->max; i++) {
        pthread_mutex_lock(&ex->mu);
        bool started = ex->slots[i].state != SLOT_FREE;
        pthread_mutex_unlock(&ex->mu);
        if (started)
            pthread_join(ex->slots[i].tid, NULL);
    }
    pthread_mutex_destroy(&ex->mu);
    pthread_cond_destroy(&ex->work);
    free(ex->slots);
}

void http_wait_begin(void)
{
    struct executor *ex = this_executor;

    if (ex == NULL)
        return;
    pthread_mutex_lock(&ex->mu);
    ex->waiting++;
    if (executor_short(ex))
        executor_spawn(ex);
    pthread_mutex_unlock(&ex->mu);
}

void http_wait_end(void)
{
    struct executor *ex = this_executor;

    if (ex == NULL)
        return;
    pthread_mutex_lock(&ex->mu);
    ex->waiting--;
    pthread_mutex_unlock(&ex->mu);
}

int http_max_handlers(const struct http_config *cfg)
{
    int threads = cfg->threads > 0 ? cfg->threads : 1;

    /* Off the event loops, one executor serves both listeners; on them, each has its workers. */
    return cfg->handlers_wait ? threads + WAITERS_MAX : threads * (cfg->tls ? 2 : 1);
}

/* ---- libmicrohttpd's callbacks ------------------------------------------------------------ */

/* Send resp on c for the request x (method, url) and log the request's line. */
static enum MHD_Result respond(struct exchange *x, struct MHD_Connection *c, const char *method,
                               const char *url, struct http_response *resp)
{
    const char *named = resp->label[0] ? resp->label : x->label; /* x's: before deferring */
    char label[sizeof(resp->label)];
    enum MHD_Result ret;
    int status;

    if (resp->status == 0)
        resp->status = MHD_HTTP_INTERNAL_SERVER_ERROR;
    snprintf(label, sizeof(label), "%s", named[0] ? named : "-");
    x->sent = true;
    ret = send_response(c, resp, &status);
    log_info("%s %s %s %d %.2fms", method, url, label, status, clock_monotonic_ms() - x->start_ms);
    return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_size, void **state)
{
    struct listener *l = cls;
    struct http_server *srv = l->srv;
    struct exchange *x = *state;
    struct http_response resp = {0};
    struct http_request req;
    bool answered;

    if (x == NULL) {
        x = calloc(1, sizeof(*x));
        if (x == NULL)
            return MHD_NO;
        x->start_ms = clock_monotonic_ms();
        *state = x;
        return MHD_YES;
    }
    if (*upload_size > 0) {
        int rc = take_body(x, srv->cfg.max_body, upload_data, *upload_size);
        *upload_size = 0;
        return rc == 0 ? MHD_YES : MHD_NO;
    }
    /* Asked again after answering: the daemon is stopping, and MHD_queue_response() then drops
     * the answer yet says yes. End the connection rather than run the handler twice. */
    if (x->sent)
        return MHD_NO;
    if (x->ready) { /* back from the executor with the answer */
        x->ready = false;
        return respond(x, c, method, url, &x->resp);
    }

    req = (struct http_request){.method = method,
                                .path = url,
                                .body = x->body ? x->body : "",
                                .body_len = x->len,
                                .conn = c,
                                .tls = l->tls};
    if (x->defer.poll != NULL)
        answered = poll_deferred(
            x, &req, &resp, atomic_load(&srv->stopping) || clock_monotonic_ms() >= x->deadline_ms);
    else if (answer_quick(srv, x, &req, &resp))
        answered = true;
    else if (srv->cfg.handlers_wait && offload(srv, x, c, &req))
        return MHD_YES;
    else
        answered = handle(srv, x, &req, &resp); /* on this thread (or: stopping) */
    if (!answered) {
        if (park(srv, x, c, true))
            return MHD_YES;
        poll_deferred(x, &req, &resp, true); /* stopping: answer now */
    }
    return respond(x, c, method, url, &resp);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **state,
                         enum MHD_RequestTerminationCode why)
{
    struct exchange *x = *state;

    /* Never queued, running or parked here: libmicrohttpd ends no suspended connection, and
     * http_stop() has every one resumed before the daemon stops. */
    if (x != NULL) {
        defer_release(&x->defer);
        http_response_clear(&x->resp); /* an answer the stopping daemon did not send */
        free(x->body);
        free(x);
        *state = NULL;
    }
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    char msg[512];

    vsnprintf(msg, sizeof(msg), fmt, ap);
    msg[strcspn(msg, "\n")] = '\0';
    log_debug("http: %s", msg);
}

/* Resolve cfg->bind into a socket address with port set. 0, or -1 (logged). */
static int resolve(const struct http_config *cfg, int port_number, struct sockaddr_storage *addr,
                   int *family)
{
    struct addrinfo hints = {
        .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE};
    struct addrinfo *res = NULL;
    char port[8];

    snprintf(port, sizeof(port), "%d", port_number);
    int rc = getaddrinfo(cfg->bind, port, &hints, &res);
    if (rc != 0 || res == NULL) {
        log_error("http: cannot resolve bind address %s: %s", cfg->bind, gai_strerror(rc));
        return -1;
    }
    memcpy(addr, res->ai_addr, res->ai_addrlen);
    *family = res->ai_family;
    freeaddrinfo(res);
    return 0;
}

/*
 * Stop parking and queueing, let the executor finish what it holds, and have the timer resume
 * every parked connection: afterwards no connection is suspended, and the daemon may stop.
 */
static void stop_threads(struct http_server *srv)
{
    pthread_mutex_lock(&wake_mu);
    atomic_store(&srv->stopping, true);
    pthread_cond_broadcast(&wake_cv);
    pthread_mutex_unlock(&wake_mu);
    executor_stop(&srv->ex);        /* a job ending now answers: parking is refused */
    pthread_join(srv->timer, NULL); /* it resumes every parked connection on its way out */
}

/*
 * Start l's daemon on port (0: any free one): plain HTTP, or HTTPS with the server's PEM pair.
 * 0, or -1 (logged).
 */
static int start_listener(struct http_server *srv, struct listener *l, int port, bool tls)
{
    const struct http_config *cfg = &srv->cfg;
    struct MHD_OptionItem tls_options[] = {
        {MHD_OPTION_HTTPS_MEM_KEY, 0, srv->tls_key},
        {MHD_OPTION_HTTPS_MEM_CERT, 0, srv->tls_cert},
        {MHD_OPTION_END, 0, NULL},
    };
    struct sockaddr_storage addr;
    int family;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO | MHD_USE_ERROR_LOG |
                     MHD_ALLOW_SUSPEND_RESUME;

    *l = (struct listener){.srv = srv, .tls = tls};
    if (resolve(cfg, port, &addr, &family) != 0)
        return -1;
    if (family == AF_INET6)
        flags |= MHD_USE_IPv6;
    if (tls)
        flags |= MHD_USE_TLS;
    /* The logger comes first so that libmicrohttpd's notes on later options go to our log. */
    l->daemon = MHD_start_daemon(
        flags, (uint16_t)port, NULL, NULL, on_request, l, MHD_OPTION_EXTERNAL_LOGGER, mhd_log, srv,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr, MHD_OPTION_THREAD_POOL_SIZE,
        (unsigned)(cfg->threads > 1 ? cfg->threads : 0), MHD_OPTION_CONNECTION_TIMEOUT,
        cfg->idle_timeout, MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv, MHD_OPTION_ARRAY,
        tls ? tls_options : &tls_options[2], MHD_OPTION_END);
    if (l->daemon == NULL) {
        log_error("http: cannot listen%s on %s port %d (in use, or not an address of this host%s)",
                  tls ? " for HTTPS" : "", cfg->bind, port,
                  tls ? ", or a certificate GnuTLS refuses: --log-level debug says" : "");
        return -1;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(l->daemon, MHD_DAEMON_INFO_BIND_PORT);
    l->port = info ? info->port : port;
    return 0;
}

static void free_server(struct http_server *srv)
{
    free(srv->tls_cert);
    free(srv->tls_key);
    free(srv);
}

/* Stop what http_start() started (no connection may be suspended then) and free srv. */
static void stop_all(struct http_server *srv)
{
    stop_threads(srv);
    if (srv->plain.daemon != NULL)
        MHD_stop_daemon(srv->plain.daemon);
    if (srv->secure.daemon != NULL)
        MHD_stop_daemon(srv->secure.daemon);
    free_server(srv);
}

/* Copy cfg's PEM pair into srv when it serves HTTPS; 0, or -1 (logged). */
static int take_tls(struct http_server *srv, const struct http_config *cfg)
{
    if (!cfg->tls)
        return 0;
    if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
        log_error("http: this libmicrohttpd was built without TLS: it cannot serve HTTPS");
        return -1;
    }
    if (cfg->tls_cert_pem == NULL || cfg->tls_key_pem == NULL ||
        (srv->tls_cert = strdup(cfg->tls_cert_pem)) == NULL ||
        (srv->tls_key = strdup(cfg->tls_key_pem)) == NULL) {
        log_error("http: no certificate and key for HTTPS (or out of memory)");
        return -1;
    }
    return 0;
}

int http_start(const struct http_config *cfg, struct http_server **out)
{
    struct http_server *srv;

    *out = NULL;
    pthread_once(&wake_once, wake_init);
    if ((srv = calloc(1, sizeof(*srv))) == NULL)
        return -1;
    srv->cfg = *cfg;
    if (take_tls(srv, cfg) != 0 || executor_init(&srv->ex, cfg->threads) != 0) {
        free_server(srv);
        return -1;
    }
    if (pthread_create(&srv->timer, NULL, timer_main, srv) != 0) {
        log_error("http: cannot start the timer thread");
        executor_stop(&srv->ex);
        free_server(srv);
        return -1;
    }
    if (start_listener(srv, &srv->plain, cfg->port, false) != 0 ||
        (cfg->tls && start_listener(srv, &srv->secure, cfg->tls_port, true) != 0)) {
        stop_all(srv);
        return -1;
    }
    *out = srv;
    return 0;
}

int http_port(const struct http_server *srv)
{
    return srv->plain.port;
}

int http_tls_port(const struct http_server *srv)
{
    return srv->secure.daemon != NULL ? srv->secure.port : 0;
}

void http_stop(struct http_server *srv)
{
    if (srv != NULL)
        stop_all(srv);
}
