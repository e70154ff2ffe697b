/*
 * control: the emulator's own API, outside AWS's: everything under CONTROL_PREFIX ("/_emu").
 * Tests and tools use it to look at and steer the emulator (the identity-to-user mapping AWS
 * never gives, the code inbox, reset, the clock, fixtures). JSON in, JSON out; errors are
 * {"error": "<Kind>", "message": "..."} with a 4xx/5xx status.
 *
 * The routes are the CONTROL rows of the server's path table, routes.def: CONTROL(method,
 * "/_emu/prefix/...", handler). A request goes to the row with the longest prefix matching its
 * path (routes.c); the handler gets the rest of the path after the prefix (e.g.
 * "/us-east-1:1234..." for "/_emu/identities").
 */
#ifndef COG_CONTROL_H
#define COG_CONTROL_H

#include <cJSON.h>
#include <stdbool.h>

#include "app.h"
#include "http/http.h"

#define CONTROL_PREFIX "/_emu"

struct control_req {
    const struct app *app;
    const struct http_request *http;
    const char *rest; /* the path after the row's prefix: "" or "/..." */
    cJSON *body;      /* the parsed JSON body of a POST/PUT/PATCH, or NULL when empty */
};

typedef void control_fn(const struct control_req *req, struct http_response *resp);

#define ROUTE(method, pattern, fn)
#define DOMAIN(method, pattern, fn)
#define CONTROL(method, pattern, fn) control_fn fn;
#include "routes.def"
#undef ROUTE
#undef DOMAIN
#undef CONTROL

/* True when path is under CONTROL_PREFIX. */
int control_owns(const char *path);

/*
 * Answer one request under CONTROL_PREFIX with fn, the handler of its routes.def row; rest is
 * the path after the row's prefix. Parses a JSON body (400 BadRequest when it is not JSON)
 * and labels the request for the log.
 */
void control_handle(const struct app *app, const struct http_request *req, control_fn *fn,
                    const char *rest, struct http_response *resp);

/*
 * Answer a request under CONTROL_PREFIX that no row takes: 405 MethodNotAllowed when
 * wrong_method (a row has the path, not the method), else 404 NotFound.
 */
void control_no_route(const struct http_request *req, bool wrong_method,
                      struct http_response *resp);

/* Answer doc (taken, also on failure) as JSON with status; 500 when doc is NULL. */
void control_json(struct http_response *resp, int status, cJSON *doc);

/* Answer {"error": kind, "message": ...} with status. */
void control_error(struct http_response *resp, int status, const char *kind, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* The query parameter name of the request, or NULL. Borrowed for the request. */
const char *control_query(const struct control_req *req, const char *name);

/* The longest ?wait= a long poll may ask for (the inbox's and the trigger log's). */
#define CONTROL_MAX_WAIT_MS 30000

/*
 * Query parameter name as a whole number in [lo, hi] (absent: fallback) into *out, and ?wait=
 * as seconds (fractions allowed, 0 to CONTROL_MAX_WAIT_MS) into *ms. 0, or -1 with a 400
 * BadRequest answered.
 */
int control_query_int(const struct control_req *req, struct http_response *resp, const char *name,
                      long long lo, long long hi, long long fallback, long long *out);
int control_query_wait(const struct control_req *req, struct http_response *resp, int64_t *ms);

/*
 * The query every feed of the control API takes (the inbox, the trigger log): no path after
 * the prefix, ?after=<id> (0), ?limit= (1 to CONTROL_FEED_MAX_LIMIT, CONTROL_FEED_LIMIT) and
 * ?wait=<s>. 0, or -1 with a 400 (or 404) answered.
 */
#define CONTROL_FEED_LIMIT 100
#define CONTROL_FEED_MAX_LIMIT 1000
struct control_feed_query {
    int64_t after_id;
    int limit;
    int64_t wait_ms;
};
int control_feed_query(const struct control_req *req, struct http_response *resp,
                       struct control_feed_query *q);

/*
 * For an endpoint that takes no path after its prefix: 0 when the rest is "" or "/";
 * otherwise answers 404 NotFound and returns -1.
 */
int control_no_rest(const struct control_req *req, struct http_response *resp);

#endif
