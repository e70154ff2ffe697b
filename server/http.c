/*
 * http: libmicrohttpd behind a small interface. See http.h.
 *
 * libmicrohttpd calls on_request() several times per request: once when the headers are in,
 * once per chunk of body, and once at the end, when the handler runs. Per-request state
 * (struct exchange) is freed in on_completed(). A thread pool serves connections; each
 * request runs entirely on the thread that owns its connection.
 */
#include "config.h"

#include "http.h"

#include <microhttpd.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "clock.h"
#include "log.h"

/* A body this many times over the cap is not worth reading to the end: drop the connection. */
#define DISCARD_FACTOR 16

/* What browsers may read from a response (the AWS SDKs read these for errors and ids). */
#define EXPOSE_HEADERS "x-amzn-RequestId, x-amzn-ErrorType, x-amzn-ErrorMessage, Date"
/* Headers allowed when a preflight names none: what Amplify and the JS SDK send. */
#define DEFAULT_ALLOW_HEADERS                                                                      \
    "content-type, x-amz-target, x-amz-user-agent, amz-sdk-invocation-id, amz-sdk-request, "       \
    "authorization, x-amz-date, x-amz-security-token, x-amz-content-sha256, cache-control"

struct http_server {
    struct MHD_Daemon *daemon;
    struct http_config cfg;
    int port;
};

struct exchange {
    char *body;
    size_t len, cap;
    size_t discarded; /* bytes thrown away after the cap was passed */
    double start_ms;
};

const char *http_request_header(const struct http_request *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

void http_response_add_header(struct http_response *resp, const char *name, const char *value)
{
    struct http_header *h;

    if (resp->nheaders >= HTTP_MAX_HEADERS)
        return;
    h = &resp->headers[resp->nheaders++];
    snprintf(h->name, sizeof(h->name), "%s", name);
    snprintf(h->value, sizeof(h->value), "%s", value);
    for (char *p = h->value; *p; p++)
        if (*p == '\r' || *p == '\n')
            *p = ' ';
}

int http_response_set_json(struct http_response *resp, int status, const char *content_type,
                           const char *text)
{
    size_t len = strlen(text);

    free(resp->body);
    resp->status = status;
    resp->content_type = content_type;
    resp->body = malloc(len + 1);
    resp->body_len = resp->body ? len : 0;
    if (resp->body == NULL)
        return -1;
    memcpy(resp->body, text, len + 1);
    return 0;
}

static void add_cors(struct MHD_Response *r, struct MHD_Connection *c)
{
    const char *origin = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Origin");

    MHD_add_response_header(r, "Access-Control-Allow-Origin", origin ? origin : "*");
    if (origin != NULL)
        MHD_add_response_header(r, "Vary", "Origin");
    MHD_add_response_header(r, "Access-Control-Expose-Headers", EXPOSE_HEADERS);
}

/* Queue resp (taking its body) on c; returns what libmicrohttpd answered. */
static enum MHD_Result send_response(struct MHD_Connection *c, struct http_response *resp)
{
    struct MHD_Response *r;
    enum MHD_Result ret;

    r = MHD_create_response_from_buffer_with_free_callback(resp->body_len, resp->body, free);
    if (r == NULL) {
        free(resp->body);
        resp->body = NULL;
        return MHD_NO;
    }
    resp->body = NULL;
    if (resp->content_type != NULL)
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, resp->content_type);
    for (int i = 0; i < resp->nheaders; i++)
        MHD_add_response_header(r, resp->headers[i].name, resp->headers[i].value);
    add_cors(r, c);
    ret = MHD_queue_response(c, (unsigned)resp->status, r);
    MHD_destroy_response(r);
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

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_size, void **state)
{
    struct http_server *srv = cls;
    struct exchange *x = *state;
    struct http_response resp = {0};
    struct http_request req;
    enum MHD_Result ret;

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

    req = (struct http_request){method, url, x->body ? x->body : "", x->len, c};
    if (strcmp(method, MHD_HTTP_METHOD_OPTIONS) == 0)
        preflight(c, &resp);
    else if (x->discarded > 0)
        srv->cfg.too_large(srv->cfg.handler_arg, &req, &resp);
    else
        srv->cfg.handler(srv->cfg.handler_arg, &req, &resp);
    if (resp.status == 0)
        resp.status = MHD_HTTP_INTERNAL_SERVER_ERROR;

    int status = resp.status;
    ret = send_response(c, &resp);
    log_info("%s %s %s %d %.2fms", method, url, resp.label[0] ? resp.label : "-", status,
             clock_monotonic_ms() - x->start_ms);
    return ret;
}

static void on_completed(void *cls, struct MHD_Connection *c, void **state,
                         enum MHD_RequestTerminationCode why)
{
    struct exchange *x = *state;

    if (x != NULL) {
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

/* Resolve cfg->bind into a socket address with the port set. 0, or -1 (logged). */
static int resolve(const struct http_config *cfg, struct sockaddr_storage *addr, int *family)
{
    struct addrinfo hints = {
        .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE};
    struct addrinfo *res = NULL;
    char port[8];

    snprintf(port, sizeof(port), "%d", cfg->port);
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

int http_start(const struct http_config *cfg, struct http_server **out)
{
    struct sockaddr_storage addr;
    struct http_server *srv;
    int family;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO | MHD_USE_ERROR_LOG;

    *out = NULL;
    if (resolve(cfg, &addr, &family) != 0 || (srv = calloc(1, sizeof(*srv))) == NULL)
        return -1;
    srv->cfg = *cfg;
    if (family == AF_INET6)
        flags |= MHD_USE_IPv6;
    srv->daemon = MHD_start_daemon(
        flags, (uint16_t)cfg->port, NULL, NULL, on_request, srv, MHD_OPTION_SOCK_ADDR,
        (struct sockaddr *)&addr, MHD_OPTION_THREAD_POOL_SIZE,
        (unsigned)(cfg->threads > 1 ? cfg->threads : 0), MHD_OPTION_CONNECTION_TIMEOUT,
        cfg->idle_timeout, MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv,
        MHD_OPTION_EXTERNAL_LOGGER, mhd_log, srv, MHD_OPTION_END);
    if (srv->daemon == NULL) {
        log_error("http: cannot listen on %s port %d (in use, or not an address of this host)",
                  cfg->bind, cfg->port);
        free(srv);
        return -1;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_BIND_PORT);
    srv->port = info ? info->port : cfg->port;
    *out = srv;
    return 0;
}

int http_port(const struct http_server *srv)
{
    return srv->port;
}

void http_stop(struct http_server *srv)
{
    if (srv == NULL)
        return;
    MHD_stop_daemon(srv->daemon);
    free(srv);
}
