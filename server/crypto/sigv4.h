/*
 * sigv4: AWS Signature Version 4 for the requests the emulator itself sends (the Lambda Invoke
 * API of a local runner that routes on the Authorization header: SAM local, LocalStack). It
 * signs what the caller will send, byte for byte: the path and query as they go on the wire
 * (percent-encoded), the headers given, the body. It is checked against botocore's signer
 * (tests/vectors/sigv4_vectors.py).
 */
#ifndef COG_SIGV4_H
#define COG_SIGV4_H

#include <stddef.h>
#include <stdint.h>

/* One request header to sign (besides Host and X-Amz-Date, which are always signed). */
struct sigv4_header {
    const char *name;
    const char *value;
};

struct sigv4_request {
    const char *method;                 /* "POST" */
    const char *host;                   /* the Host header: "localhost:3002" */
    const char *path;                   /* as sent: "/2015-03-31/functions/f/invocations" */
    const char *query;                  /* as sent, without '?'; NULL or "" for none */
    const struct sigv4_header *headers; /* more headers to sign (may be NULL) */
    size_t nheaders;
    const void *body;
    size_t body_len;
    const char *region;     /* "us-east-1" */
    const char *service;    /* "lambda" */
    const char *access_key; /* the key id */
    const char *secret_key;
    int64_t unix_seconds; /* the signing time */
};

#define SIGV4_DATE_LEN 16 /* "20261203T100000Z" */

/*
 * Sign r: amz_date (SIGV4_DATE_LEN + 1 bytes) receives the X-Amz-Date value to send and
 * *authorization a new Authorization header value (free()). 0, or -1 when out of memory or a
 * header or the query is malformed (*authorization is NULL then).
 */
int sigv4_sign(const struct sigv4_request *r, char *amz_date, char **authorization);

#endif
