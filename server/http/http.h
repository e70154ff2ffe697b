/*
 * http: the HTTP server (libmicrohttpd), and nothing about Cognito.
 *
 * It accepts connections on a thread pool, collects each request body up to a cap, answers
 * CORS preflights (OPTIONS on any path) itself, adds the CORS headers to every response,
 * passes every other request to one handler function, and logs one line per request
 * (method, label, status, milliseconds). With cfg.tls it serves the same handler over HTTPS
 * as well, on a second port (libmicrohttpd's TLS); the request says which (http_request_is_tls).
 *
 * A handler may also answer later (a long poll): it defers, the server parks the request
 * without holding a worker thread, and asks again when woken (http_wake()), on a timer, and at
 * a deadline. Which event a parked request waits for is the handler's business, not http's.
 *
 * Handlers that may wait. Each worker thread runs an event loop over many keep-alive
 * connections and, by default, runs their handlers itself: the cheapest path, and right while
 * no handler waits for anything slow. A server whose handlers may wait (cfg.handlers_wait: the
 * frame sets it when Lambda triggers are on) runs them off the event loops instead, since a
 * handler waiting there (for a Lambda function, seconds) would hold up every connection of its
 * worker: a complete request is handed to a pool of threads that runs handlers, cfg.threads at
 * once; a handler about to wait for something outside the process says so (http_wait_begin(),
 * as the outbound client does), and the pool adds a thread meanwhile, so a waiting request
 * holds only itself. The choice is per server, not per request: which request will wait is
 * known only halfway through its handler, which cannot move to another thread then nor start
 * over (it may have committed writes). The hand-off costs 30 to 45 us of CPU per request
 * (bench/results.md), which a server without triggers does not pay.
 */
#ifndef COG_HTTP_H
#define COG_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct http_request {
    const char *method; /* "GET", "POST", ... */
    const char *path;   /* URL path without the query */
    const char *body;   /* NUL-terminated; body_len bytes (may hold NULs) */
    size_t body_len;
    void *conn; /* for http_request_header() */
    bool tls;   /* it came in on the HTTPS listener (cfg.tls) */
};

/*
 * Whether req came in over HTTPS (the listener of cfg.tls): cookies then get Secure, and the
 * base URLs it is answered with start with https://.
 */
bool http_request_is_tls(const struct http_request *req);

/*
 * The value of request header name (case-insensitive), or NULL (also when req has no
 * connection, as in unit tests that build a request by hand). Borrowed for the request.
 */
const char *http_request_header(const struct http_request *req, const char *name);

/*
 * The value of query parameter name (case-sensitive, percent-decoded), or NULL when the URL has
 * none (or req has no connection, as in unit tests that build a request by hand). Borrowed for
 * the request.
 */
const char *http_request_query(const struct http_request *req, const char *name);

/* One response header; both strings are owned by the response (see http_response_clear()). */
struct http_header {
    char *name;
    char *value;
};

struct http_response;

/*
 * The question a parked request asks each time it is woken: fill resp and return true to
 * answer now, or return false to wait on. last is set once, when the deadline has passed or the
 * server stops: then it must answer (false, or no status, answers 500). Runs on a worker
 * thread, inside its event loop: it must be quick and never wait. req (path, headers, query,
 * body) stays valid while the request is parked.
 */
typedef bool http_poll_fn(void *state, const struct http_request *req, struct http_response *resp,
                          bool last);

/* A deferred answer, as http_response_defer() records it. */
struct http_defer {
    http_poll_fn *poll; /* NULL: the response is answered now */
    void *state;
    void (*free_state)(void *state);
    int64_t wait_ms;     /* the deadline, from the start of the request */
    int64_t interval_ms; /* also ask this often (0: only when woken and at the deadline) */
};

struct http_response {
    int status;
    char *body; /* owned: malloc'd, freed by the server after sending */
    size_t body_len;
    const char *content_type;    /* static string */
    struct http_header *headers; /* owned, nheaders of them (room for cap_headers) */
    size_t nheaders, cap_headers;
    bool failed;    /* a header could not be added: the server answers 500 instead */
    char label[96]; /* what the request log line calls this request */
    struct http_defer defer;
};

/*
 * Add a header, name and value copied whole (any length, any number of headers; a name may
 * repeat, as Set-Cookie does). CR and LF in value become spaces, so that a message can never
 * split the header block. Returns 0, or -1 when name is not an HTTP token (RFC 9110 5.6.2) or
 * memory runs out: then the failure is logged and resp is marked failed, and the server answers
 * 500 instead of sending a response with a header missing.
 */
int http_response_add_header(struct http_response *resp, const char *name, const char *value);

/*
 * Set status and the body: body (len bytes, may be NULL when len is 0) is taken, whatever
 * the body was before is freed; content_type is a static string (or NULL for none).
 */
void http_response_set_body(struct http_response *resp, int status, const char *content_type,
                            char *body, size_t len);

/*
 * Set body to a copy of text (JSON, or any NUL-terminated text) with content_type; 0, or -1
 * when out of memory (then the body is empty).
 */
int http_response_set_json(struct http_response *resp, int status, const char *content_type,
                           const char *text);

/*
 * Free the body and headers resp holds and leave it all zero (status 0, no label); a deferral
 * in it is forgotten, not freed (the server owns its state). The server calls it for every
 * response it is done with; so may a test that calls a handler directly. Accepts NULL.
 */
void http_response_clear(struct http_response *resp);

/*
 * Answer later: instead of a status, the handler leaves this, and the server parks the request
 * (libmicrohttpd suspends its connection, so the worker serves its other connections) and calls
 * poll on a worker thread after every http_wake(), every interval_ms (when > 0), and with last
 * set once wait_ms after the request started or when the server stops, whichever comes first.
 * state belongs to the server from here on: free_state (may be NULL) releases it when the
 * request ends, however it ends. The label set so far names the request in the log.
 * Not for CORS preflights or the too_large answer.
 */
void http_response_defer(struct http_response *resp, http_poll_fn *poll, void *state,
                         void (*free_state)(void *state), int64_t wait_ms, int64_t interval_ms);

/*
 * Something a parked request may be waiting for has happened: every parked request of every
 * server polls again soon, and so does a request that was being handled (and then defers)
 * while this was called, so a wake-up is never lost. Safe from any thread; never blocks long.
 */
void http_wake(void);

/*
 * The calling thread is about to wait for something slow outside this process (an outbound
 * call), or is done waiting; calls pair. On a thread of the handlers' pool (cfg.handlers_wait),
 * the pool starts another thread when requests are queued, so that the others keep being
 * served while this one waits; on any other thread they do nothing. Never fail.
 */
void http_wait_begin(void);
void http_wait_end(void);

/*
 * Handles one request, on a worker thread or a thread of the handlers' pool
 * (cfg.handlers_wait): must set status (or defer, http_response_defer()) and may set body,
 * headers and label.
 */
typedef void http_handler(void *arg, const struct http_request *req, struct http_response *resp);

struct http_config {
    const char *bind;      /* IPv4 or IPv6 literal, or a host name */
    int port;              /* 0: any free port */
    int threads;           /* worker threads (and handlers at work at once); >= 1 */
    size_t max_body;       /* bodies larger than this get 413 with too_large_body */
    unsigned idle_timeout; /* seconds */
    http_handler *handler;
    void *handler_arg;
    /* Answer for a body over the cap: called to fill resp (status, body, headers). */
    http_handler *too_large;
    /* Handlers may wait for something slow: run them off the event loops (see above). */
    bool handlers_wait;
    /* Also serve over HTTPS on tls_port (0: any free port), with the same handler, threads
     * and limits, with this certificate (chain may follow) and private key, both PEM. */
    bool tls;
    int tls_port;
    const char *tls_cert_pem, *tls_key_pem;
};

struct http_server;

/*
 * Start listening and serving (on both ports with cfg.tls). On 0, *out is a running server
 * the caller stops with http_stop(); -1 when an address cannot be bound, or the TLS listener
 * cannot start (libmicrohttpd built without TLS, a certificate GnuTLS refuses): logged.
 */
int http_start(const struct http_config *cfg, struct http_server **out);

/* The port actually bound (useful with port 0). */
int http_port(const struct http_server *srv);

/* The HTTPS listener's port actually bound; 0 without one. */
int http_tls_port(const struct http_server *srv);

/*
 * How many handlers may run at once in a server started with cfg: cfg->threads per listener
 * (two with cfg->tls), plus the waiting ones the pool may add when cfg->handlers_wait. Size what
 * each running handler holds by it (a database connection, say).
 */
int http_max_handlers(const struct http_config *cfg);

/*
 * Stop accepting, finish in-flight requests, join the workers and free. Handlers running or
 * queued run to their end (a handler waiting on an outbound call, until its deadline); parked
 * requests are polled a last time (last set), so that stopping never waits for their
 * deadlines; an answer not yet sent when the workers stop is lost with its connection.
 * Accepts NULL.
 */
void http_stop(struct http_server *srv);

#endif
