/*
 * http_client: outbound HTTP on libcurl. See http_client.h.
 */
#include "config.h"

#include "http/http_client.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http/http.h"

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static pthread_key_t handle_key;
static int global_ok;

static void handle_free(void *h)
{
    curl_easy_cleanup(h);
}

/* libcurl's process-wide set-up, once, and the key of the per-thread handles. */
static void global_init(void)
{
    global_ok = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK &&
                pthread_key_create(&handle_key, handle_free) == 0;
}

/* This thread's handle, reset for a new request (open connections survive a reset). */
static CURL *thread_handle(void)
{
    CURL *h;

    pthread_once(&global_once, global_init);
    if (!global_ok)
        return NULL;
    h = pthread_getspecific(handle_key);
    if (h == NULL) {
        if ((h = curl_easy_init()) == NULL)
            return NULL;
        if (pthread_setspecific(handle_key, h) != 0) {
            curl_easy_cleanup(h);
            return NULL;
        }
    } else {
        curl_easy_reset(h);
    }
    return h;
}

static size_t on_body(char *data, size_t size, size_t count, void *arg)
{
    struct client_response *r = arg;
    size_t n = size * count;
    char *grown = realloc(r->body, r->body_len + n + 1);

    if (grown == NULL)
        return 0; /* libcurl fails the transfer */
    memcpy(grown + r->body_len, data, n);
    r->body_len += n;
    grown[r->body_len] = '\0';
    r->body = grown;
    return n;
}

/* The value of header line "Name: value\r\n" when its name is name, as a new string; else NULL. */
static char *header_value(const char *line, size_t len, const char *name)
{
    size_t nlen = strlen(name);
    const char *v, *end = line + len;
    char *out;

    if (len <= nlen || strncasecmp(line, name, nlen) != 0 || line[nlen] != ':')
        return NULL;
    for (v = line + nlen + 1; v < end && (*v == ' ' || *v == '\t'); v++)
        ;
    while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' '))
        end--;
    if ((out = malloc((size_t)(end - v) + 1)) == NULL)
        return NULL;
    memcpy(out, v, (size_t)(end - v));
    out[end - v] = '\0';
    return out;
}

/* Keep the two Lambda headers the caller reads (a later one wins). */
static size_t on_header(char *line, size_t size, size_t count, void *arg)
{
    struct client_response *r = arg;
    size_t n = size * count;
    char *v;

    if ((v = header_value(line, n, "X-Amz-Function-Error")) != NULL) {
        free(r->function_error);
        r->function_error = v;
    } else if ((v = header_value(line, n, "x-amzn-ErrorType")) != NULL) {
        free(r->error_type);
        r->error_type = v;
    }
    return n;
}

static enum client_failure failure_of(CURLcode rc)
{
    switch (rc) {
    case CURLE_OPERATION_TIMEDOUT:
        return CLIENT_TIMEOUT;
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
        return CLIENT_UNREACHABLE;
    default:
        return CLIENT_ERROR;
    }
}

enum client_failure client_post(const struct client_request *req, struct client_response *out,
                                char *detail, size_t n)
{
    CURL *h = thread_handle();
    struct curl_slist *headers = NULL, *grown;
    enum client_failure failure = CLIENT_ERROR;
    CURLcode rc;

    memset(out, 0, sizeof(*out));
    snprintf(detail, n, "out of memory");
    if (h == NULL)
        return CLIENT_ERROR;
    for (size_t i = 0; req->headers != NULL && req->headers[i] != NULL; i++) {
        if ((grown = curl_slist_append(headers, req->headers[i])) == NULL)
            goto out;
        headers = grown;
    }
    /* No "Expect: 100-continue" round trip for larger events. */
    if ((grown = curl_slist_append(headers, "Expect:")) == NULL)
        goto out;
    headers = grown;
    curl_easy_setopt(h, CURLOPT_URL, req->url);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
    if (req->get) {
        curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
    } else {
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, req->body);
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
    }
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, req->timeout_ms);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L); /* worker threads: no SIGALRM for timeouts */
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, out);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, out);
    http_wait_begin(); /* the handlers' pool serves others meanwhile */
    rc = curl_easy_perform(h);
    http_wait_end();
    if (rc != CURLE_OK) {
        failure = failure_of(rc);
        snprintf(detail, n, "%s", curl_easy_strerror(rc));
        client_response_free(out);
        goto out;
    }
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &out->status);
    if (out->body == NULL && (out->body = calloc(1, 1)) == NULL) {
        client_response_free(out);
        goto out;
    }
    failure = CLIENT_OK;
    detail[0] = '\0';
out:
    curl_slist_free_all(headers);
    return failure;
}

void client_response_free(struct client_response *r)
{
    free(r->body);
    free(r->function_error);
    free(r->error_type);
    memset(r, 0, sizeof(*r));
}
