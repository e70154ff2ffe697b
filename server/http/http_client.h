/*
 * http_client: outbound HTTP requests (libcurl), for the Lambda triggers' Invoke calls. One
 * blocking call per request, bounded by a deadline: it holds only the request that makes it, as
 * it tells the server's handler pool that it waits (http_wait_begin()).
 *
 * Each thread keeps one libcurl handle, so that consecutive calls to the same endpoint reuse
 * the open connection (keep-alive) instead of a new TCP handshake per trigger.
 */
#ifndef COG_HTTP_CLIENT_H
#define COG_HTTP_CLIENT_H

#include <stdbool.h>
#include <stddef.h>

/* One request: url, extra header lines ("Name: value"), a body, and a deadline. */
struct client_request {
    const char *url;
    const char *const *headers; /* NULL-terminated, may be NULL */
    const char *body;
    size_t body_len;
    long timeout_ms; /* the whole exchange, connection included */
    bool get;        /* a GET instead of a POST (the body is not sent) */
};

/* The answer. */
struct client_response {
    long status;
    char *body; /* NUL-terminated (may hold NULs before the end); never NULL on 0 */
    size_t body_len;
    char *function_error; /* X-Amz-Function-Error, or NULL */
    char *error_type;     /* x-amzn-ErrorType, or NULL */
};

/* What went wrong when there is no answer. */
enum client_failure {
    CLIENT_OK,
    CLIENT_TIMEOUT,     /* no whole answer before the deadline */
    CLIENT_UNREACHABLE, /* connection refused, name not resolved, reset... */
    CLIENT_ERROR,       /* out of memory or a libcurl failure */
};

/*
 * POST req (GET when req->get) and wait for the answer. CLIENT_OK with *out filled
 * (client_response_free()), or the failure with *out empty; detail (size n) gets libcurl's words
 * for a failure.
 */
enum client_failure client_post(const struct client_request *req, struct client_response *out,
                                char *detail, size_t n);

void client_response_free(struct client_response *r);

#endif
