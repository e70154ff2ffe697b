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

/* Percent-encode s (RFC 3986 unreserved characters stay) into out (size n). 0, or -1. */
static int url_encode(const char *s, char *out, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t o = 0;

    for (; *s != '\0'; s++) {
        unsigned char c = (unsigned char)*s;
        bool plain = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                     c == '-' || c == '_' || c == '.' || c == '~';
        if (o + (plain ? 1 : 3) >= n)
            return -1;
        if (plain) {
            out[o++] = (char)c;
        } else {
            out[o++] = '%';
            out[o++] = hex[c >> 4];
            out[o++] = hex[c & 15];
        }
    }
    out[o] = '\0';
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

enum lambda_result lambda_invoke(const char *endpoint, const char *arn, const char *region,
                                 bool async, const char *event, int64_t unix_seconds,
                                 struct lambda_outcome *out)
{
    char name[256], qualifier[128], arn_region[32], encoded[800], path[1024], query[300];
    char host[256], url[2048], amz_date[SIGV4_DATE_LEN + 1], *auth = NULL;
    char host_h[300], date_h[64], *auth_h = NULL;
    const char *prefix, *type = async ? "Event" : "RequestResponse";
    char type_h[64];
    struct client_response resp;
    enum client_failure failure;

    memset(out, 0, sizeof(*out));
    snprintf(arn_region, sizeof(arn_region), "%s", region);
    if (lambda_parse_arn(arn, name, sizeof(name), qualifier, sizeof(qualifier), arn_region,
                         sizeof(arn_region)) != 0 ||
        url_encode(name, encoded, sizeof(encoded)) != 0)
        return fail(out, LAMBDA_FAILED, "not a Lambda function ARN");
    if (split_endpoint(endpoint, host, sizeof(host), &prefix) != 0)
        return fail(out, LAMBDA_FAILED, "not an endpoint URL");
    query[0] = '\0';
    if (qualifier[0] != '\0') {
        char q[200];
        if (url_encode(qualifier, q, sizeof(q)) != 0)
            return fail(out, LAMBDA_FAILED, "not a Lambda function ARN");
        snprintf(query, sizeof(query), "Qualifier=%s", q);
    }
    snprintf(path, sizeof(path), "%s/2015-03-31/functions/%s/invocations", prefix, encoded);
    snprintf(url, sizeof(url), "%.*s%s%s%s", (int)(prefix - endpoint), endpoint, path,
             query[0] ? "?" : "", query);
    if (sign(host, path, query, arn_region, type, event, unix_seconds, amz_date, &auth) != 0)
        return fail(out, LAMBDA_FAILED, "out of memory");
    snprintf(host_h, sizeof(host_h), "Host: %s", host);
    snprintf(date_h, sizeof(date_h), "X-Amz-Date: %s", amz_date);
    snprintf(type_h, sizeof(type_h), "X-Amz-Invocation-Type: %s", type);
    if ((auth_h = malloc(strlen(auth) + 32)) == NULL) {
        free(auth);
        return fail(out, LAMBDA_FAILED, "out of memory");
    }
    sprintf(auth_h, "Authorization: %s", auth);
    free(auth);
    const char *headers[] = {host_h, "Content-Type: application/json", type_h, date_h, auth_h,
                             NULL};
    struct client_request req = {
        .url = url,
        .headers = headers,
        .body = event,
        .body_len = strlen(event),
        .timeout_ms = LAMBDA_TIMEOUT_MS,
    };
    failure = client_post(&req, &resp, out->detail, sizeof(out->detail));
    free(auth_h);
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

void lambda_outcome_free(struct lambda_outcome *o)
{
    free(o->body);
    free(o->error_type);
    o->body = o->error_type = NULL;
}
