/*
 * lambda: the Invoke API call. See lambda.h.
 */
#include "config.h"

#include "triggers/lambda.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/sigv4.h"
#include "http/http_client.h"
#include "util/strbuf.h"

/* Copy [s, s + len) into out (size n). 0, or -1 when empty or too long. */
static int copy_part(const char *s, size_t len, char *out, size_t n)
{
    if (len == 0 || len >= n)
        return -1;
    memcpy(out, s, len);
    out[len] = '\0';
    return 0;
}

int lambda_parse_arn(const char *arn, char *name, size_t nn, char *qualifier, size_t qn,
                     char *region, size_t rn)
{
    const char *fn = arn, *colon;

    if (strncmp(arn, "arn:", 4) == 0) {
        /* arn:<partition>:lambda:<region>:<account>:function:<name>[:<qualifier>] */
        const char *p = arn, *field[6];
        for (int i = 0; i < 6; i++) {
            field[i] = p;
            if ((p = strchr(p, ':')) == NULL)
                return -1;
            p++;
        }
        if (strncmp(field[2], "lambda:", 7) != 0 || strncmp(field[5], "function:", 9) != 0)
            return -1;
        if (field[4] - field[3] > 1 &&
            copy_part(field[3], (size_t)(field[4] - field[3] - 1), region, rn) != 0)
            return -1;
        fn = p;
    }
    qualifier[0] = '\0';
    if ((colon = strchr(fn, ':')) == NULL)
        return copy_part(fn, strlen(fn), name, nn);
    if (copy_part(fn, (size_t)(colon - fn), name, nn) != 0 ||
        copy_part(colon + 1, strlen(colon + 1), qualifier, qn) != 0 || strchr(colon + 1, ':'))
        return -1;
    return 0;
}

/* The endpoint's authority ("host:port", the Host header) and any path before /2015-03-31. */
static int split_endpoint(const char *endpoint, char *host, size_t hn, const char **prefix)
{
    const char *p = strstr(endpoint, "://");
    size_t len;

    if (p == NULL)
        return -1;
    p += 3;
    len = strcspn(p, "/");
    *prefix = p + len;
    return copy_part(p, len, host, hn);
}

/* The request to send, signed: *auth (free()) and amz_date. 0, or -1. */
static int sign(const char *host, const char *path, const char *query, const char *region,
                const char *invocation_type, const char *event, int64_t unix_seconds,
                char *amz_date, char **auth)
{
    const struct sigv4_header signed_headers[] = {
        {"Content-Type", "application/json"},
        {"X-Amz-Invocation-Type", invocation_type},
    };
    struct sigv4_request r = {
        .method = "POST",
        .host = host,
        .path = path,
        .query = query,
        .headers = signed_headers,
        .nheaders = sizeof(signed_headers) / sizeof(signed_headers[0]),
        .body = event,
        .body_len = strlen(event),
        .region = region,
        .service = "lambda",
        .access_key = LAMBDA_ACCESS_KEY,
        .secret_key = LAMBDA_SECRET_KEY,
        .unix_seconds = unix_seconds,
    };

    return sigv4_sign(&r, amz_date, auth);
}

/* Sort a client answer into the Invoke API's outcomes. */
static enum lambda_result classify(struct client_response *r, struct lambda_outcome *out)
{
    out->status = r->status;
    out->body = r->body;
    r->body = NULL;
    if (r->status >= 200 && r->status < 300)
        return r->function_error != NULL ? LAMBDA_FUNCTION_ERROR : LAMBDA_ANSWERED;
    out->error_type = r->error_type;
    r->error_type = NULL;
    return LAMBDA_SERVICE_ERROR;
}

static enum lambda_result fail(struct lambda_outcome *out, enum lambda_result result,
                               const char *detail)
{
    snprintf(out->detail, sizeof(out->detail), "%s", detail);
    return out->result = result;
}

/*
 * The target of a call: path and query as they go on the wire (SigV4 signs them so) and the
 * whole URL. The function name and qualifier are percent-encoded. 0, or -1 when out of memory.
 */
struct target {
    char *path, *query, *url;
};

static int target_of(const char *endpoint, const char *prefix, const char *name,
                     const char *qualifier, struct target *t)
{
    struct strbuf path = {0}, query = {0}, url = {0};

    strbuf_puts(&path, prefix);
    strbuf_puts(&path, "/2015-03-31/functions/");
    strbuf_percent_encode(&path, name, NULL);
    strbuf_puts(&path, "/invocations");
    if (qualifier[0] != '\0') {
        strbuf_puts(&query, "Qualifier=");
        strbuf_percent_encode(&query, qualifier, NULL);
    }
    strbuf_add(&url, endpoint, (size_t)(prefix - endpoint));
    strbuf_add(&url, path.p ? path.p : "", path.len);
    if (query.len > 0) {
        strbuf_puts(&url, "?");
        strbuf_add(&url, query.p, query.len);
    }
    t->path = strbuf_take(&path);
    t->query = strbuf_take(&query);
    t->url = strbuf_take(&url);
    return t->path && t->query && t->url ? 0 : -1;
}

static void target_free(struct target *t)
{
    free(t->path);
    free(t->query);
    free(t->url);
}

/* "Name: value" as a new string, or NULL when out of memory. */
static char *header_line(const char *name, const char *value)
{
    struct strbuf b = {0};

    strbuf_puts(&b, name);
    strbuf_puts(&b, ": ");
    strbuf_puts(&b, value);
    return strbuf_take(&b);
}

/* POST event to the target, signed, and sort the answer into *out. */
static enum lambda_result post(const char *host, const struct target *t, const char *region,
                               const char *type, const char *event, int64_t unix_seconds,
                               struct lambda_outcome *out)
{
    char amz_date[SIGV4_DATE_LEN + 1], *auth = NULL;
    char *lines[4] = {NULL};
    struct client_response resp;
    enum client_failure failure;

    if (sign(host, t->path, t->query, region, type, event, unix_seconds, amz_date, &auth) != 0)
        return fail(out, LAMBDA_FAILED, "out of memory");
    lines[0] = header_line("Host", host);
    lines[1] = header_line("X-Amz-Invocation-Type", type);
    lines[2] = header_line("X-Amz-Date", amz_date);
    lines[3] = header_line("Authorization", auth);
    free(auth);
    if (!lines[0] || !lines[1] || !lines[2] || !lines[3]) {
        for (size_t i = 0; i < 4; i++)
            free(lines[i]);
        return fail(out, LAMBDA_FAILED, "out of memory");
    }
    const char *headers[] = {
        lines[0], "Content-Type: application/json", lines[1], lines[2], lines[3], NULL};
    struct client_request req = {
        .url = t->url,
        .headers = headers,
        .body = event,
        .body_len = strlen(event),
        .timeout_ms = LAMBDA_TIMEOUT_MS,
    };
    failure = client_post(&req, &resp, out->detail, sizeof(out->detail));
    for (size_t i = 0; i < 4; i++)
        free(lines[i]);
    switch (failure) {
    case CLIENT_OK:
        out->result = classify(&resp, out);
        client_response_free(&resp);
        return out->result;
    case CLIENT_TIMEOUT:
        return out->result = LAMBDA_TIMEOUT;
    case CLIENT_UNREACHABLE:
        return out->result = LAMBDA_UNREACHABLE;
    default:
        return out->result = LAMBDA_FAILED;
    }
}

enum lambda_result lambda_invoke(const char *endpoint, const char *arn, const char *region,
                                 bool async, const char *event, int64_t unix_seconds,
                                 struct lambda_outcome *out)
{
    char name[256], qualifier[128], arn_region[32], host[256];
    const char *prefix;
    struct target t = {NULL, NULL, NULL};
    enum lambda_result result;

    memset(out, 0, sizeof(*out));
    snprintf(arn_region, sizeof(arn_region), "%s", region);
    if (lambda_parse_arn(arn, name, sizeof(name), qualifier, sizeof(qualifier), arn_region,
                         sizeof(arn_region)) != 0)
        return fail(out, LAMBDA_FAILED, "not a Lambda function ARN");
    if (split_endpoint(endpoint, host, sizeof(host), &prefix) != 0)
        return fail(out, LAMBDA_FAILED, "not an endpoint URL");
    if (target_of(endpoint, prefix, name, qualifier, &t) != 0)
        result = fail(out, LAMBDA_FAILED, "out of memory");
    else
        result = post(host, &t, arn_region, async ? "Event" : "RequestResponse", event,
                      unix_seconds, out);
    target_free(&t);
    return result;
}

void lambda_outcome_free(struct lambda_outcome *o)
{
    free(o->body);
    free(o->error_type);
    o->body = o->error_type = NULL;
}
