/*
 * testlambda: the fake Lambda Invoke server of the test suites. See testlambda.h.
 *
 * libmicrohttpd serves each connection on its own thread, so a script's delay blocks only its
 * own call. One mutex guards the scripts and the records; scripts run outside it. Delays and
 * tlam_wait_count() sleep on one condition variable that a new record and tlam_stop() signal.
 */
#include "config.h"

#include "testlambda.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <check.h>
#include <curl/curl.h>

#include "testutil.h"

/*
 * A script for one function. Scripts are never freed before tlam_stop(), only retired, so
 * that a script running on a connection thread keeps its arg while the test replaces it.
 */
struct script {
    char *fn;
    bool retired;
    tlam_fn *handler;
    void *arg;
    void (*arg_free)(void *arg);
    struct script *next;
};

/* One call received. */
struct call {
    char *fn;
    char *body;
    cJSON *headers; /* name -> value as received */
    cJSON *query;
    struct call *next;
};

struct tlam {
    struct MHD_Daemon *daemon;
    char url[64];
    pthread_mutex_t mu;
    pthread_cond_t changed; /* a call was recorded, or the fake is stopping */
    bool stopping;
    unsigned long requests;   /* numbers the x-amzn-RequestId values */
    struct script *scripts;   /* newest first */
    struct call *calls;       /* oldest first */
    struct call **calls_tail; /* where the next call goes */
};

/* A request's body as it arrives. */
struct exchange {
    char *body;
    size_t len;
};

/* Test code has no better answer to running out of memory than stopping the binary. */
static void *must(void *p)
{
    if (p == NULL)
        abort();
    return p;
}

/* CLOCK_MONOTONIC now + ms, the condition variable's clock. */
static struct timespec deadline_after(int ms)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    ts.tv_sec += ms / 1000;
    ts.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    return ts;
}

static char *json_text(cJSON *obj)
{
    char *text = cJSON_PrintUnformatted(obj);

    cJSON_Delete(obj);
    return text;
}

/* The body of a service error: {"Type":"User"|"Service","Message":message}. */
static char *service_error_body(int status, const char *message)
{
    cJSON *obj = must(cJSON_CreateObject());

    cJSON_AddStringToObject(obj, "Type", status >= 500 ? "Service" : "User");
    cJSON_AddStringToObject(obj, "Message", message);
    return json_text(obj);
}

static void service_error(struct tlam_answer *out, int status, const char *type, const char *msg)
{
    *out = (struct tlam_answer){status, NULL, type, service_error_body(status, msg), 0};
}

/* serverless-offline's shape of a function error: "trace", not Node's "stackTrace". */
void tlam_answer_error(struct tlam_answer *out, const char *message)
{
    cJSON *obj = must(cJSON_CreateObject());

    cJSON_AddStringToObject(obj, "errorMessage", message);
    cJSON_AddStringToObject(obj, "errorType", "Error");
    cJSON_AddItemToObject(obj, "trace", cJSON_CreateArray());
    free(out->body);
    out->function_error = "Unhandled";
    out->body = json_text(obj);
}

void tlam_return_event(const cJSON *event, void *arg, struct tlam_answer *out)
{
    out->body = event != NULL ? cJSON_PrintUnformatted(event) : NULL;
}

char *tlam_event_with_response(const cJSON *event, const char *response_json)
{
    cJSON *copy = cJSON_Duplicate(event, true);
    cJSON *response = cJSON_Parse(response_json);

    if (!cJSON_IsObject(copy) || response == NULL) {
        cJSON_Delete(copy);
        cJSON_Delete(response);
        return NULL;
    }
    if (cJSON_GetObjectItemCaseSensitive(copy, "response") != NULL)
        cJSON_ReplaceItemInObjectCaseSensitive(copy, "response", response);
    else
        cJSON_AddItemToObject(copy, "response", response);
    return json_text(copy);
}

/* --- scripts ------------------------------------------------------------------------------ */

static void script_add(struct tlam *t, const char *fn, tlam_fn *handler, void *arg,
                       void (*arg_free)(void *))
{
    struct script *s = NULL;

    if (handler != NULL) {
        s = must(calloc(1, sizeof(*s)));
        *s = (struct script){must(strdup(fn)), false, handler, arg, arg_free, NULL};
    }
    pthread_mutex_lock(&t->mu);
    for (struct script *old = t->scripts; old != NULL; old = old->next)
        old->retired = old->retired || strcmp(old->fn, fn) == 0;
    if (s != NULL) {
        s->next = t->scripts;
        t->scripts = s;
    }
    pthread_mutex_unlock(&t->mu);
}

void tlam_on(struct tlam *t, const char *fn, tlam_fn *handler, void *arg)
{
    script_add(t, fn, handler, arg, NULL);
}

/* The arg of the ready-made scripts: a fixed answer (body NULL: the event). */
struct fixed {
    struct tlam_answer answer;
    char *error_type;
};

static void fixed_answer(const cJSON *event, void *arg, struct tlam_answer *out)
{
    const struct fixed *f = arg;

    *out = f->answer;
    if (f->answer.body != NULL)
        out->body = must(strdup(f->answer.body));
    else
        tlam_return_event(event, NULL, out);
}

static void fixed_free(void *arg)
{
    struct fixed *f = arg;

    free(f->answer.body);
    free(f->error_type);
    free(f);
}

/* Script fn with a fixed answer; takes body. */
static void fixed_add(struct tlam *t, const char *fn, struct tlam_answer answer,
                      const char *error_type)
{
    struct fixed *f = must(calloc(1, sizeof(*f)));

    f->answer = answer;
    if (error_type != NULL)
        f->answer.error_type = f->error_type = must(strdup(error_type));
    script_add(t, fn, fixed_answer, f, fixed_free);
}

void tlam_on_body(struct tlam *t, const char *fn, const char *body)
{
    fixed_add(t, fn, (struct tlam_answer){.body = must(strdup(body))}, NULL);
}

void tlam_on_error(struct tlam *t, const char *fn, const char *message)
{
    struct tlam_answer answer = {0};

    tlam_answer_error(&answer, message);
    fixed_add(t, fn, answer, NULL);
}

void tlam_on_status(struct tlam *t, const char *fn, int status, const char *error_type)
{
    struct tlam_answer answer = {.status = status};

    answer.body = service_error_body(status, error_type != NULL ? error_type : "Error");
    fixed_add(t, fn, answer, error_type);
}

void tlam_on_delay(struct tlam *t, const char *fn, int delay_ms)
{
    fixed_add(t, fn, (struct tlam_answer){.delay_ms = delay_ms}, NULL);
}

/* --- records ------------------------------------------------------------------------------ */

static void call_free(struct call *c)
{
    free(c->fn);
    free(c->body);
    cJSON_Delete(c->headers);
    cJSON_Delete(c->query);
    free(c);
}

static enum MHD_Result collect(void *obj, enum MHD_ValueKind kind, const char *key,
                               const char *value)
{
    cJSON_AddStringToObject(obj, key, value != NULL ? value : "");
    return MHD_YES;
}

static void record(struct tlam *t, const char *fn, struct MHD_Connection *conn,
                   const struct exchange *x)
{
    struct call *c = must(calloc(1, sizeof(*c)));

    c->fn = must(strdup(fn));
    c->body = must(strdup(x->body != NULL ? x->body : ""));
    c->headers = must(cJSON_CreateObject());
    c->query = must(cJSON_CreateObject());
    MHD_get_connection_values(conn, MHD_HEADER_KIND, collect, c->headers);
    MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, collect, c->query);
    pthread_mutex_lock(&t->mu);
    *t->calls_tail = c;
    t->calls_tail = &c->next;
    pthread_cond_broadcast(&t->changed);
    pthread_mutex_unlock(&t->mu);
}

/* Call i of fn, or NULL; the caller holds the mutex. */
static struct call *call_find(struct tlam *t, const char *fn, size_t i)
{
    for (struct call *c = t->calls; c != NULL; c = c->next)
        if (strcmp(c->fn, fn) == 0 && i-- == 0)
            return c;
    return NULL;
}

static size_t call_count(struct tlam *t, const char *fn)
{
    size_t n = 0;

    for (struct call *c = t->calls; c != NULL; c = c->next)
        n += strcmp(c->fn, fn) == 0;
    return n;
}

size_t tlam_count(struct tlam *t, const char *fn)
{
    pthread_mutex_lock(&t->mu);
    size_t n = call_count(t, fn);
    pthread_mutex_unlock(&t->mu);
    return n;
}

cJSON *tlam_event(struct tlam *t, const char *fn, size_t i)
{
    pthread_mutex_lock(&t->mu);
    struct call *c = call_find(t, fn, i);
    cJSON *event = c != NULL ? cJSON_Parse(c->body) : NULL;
    pthread_mutex_unlock(&t->mu);
    return event;
}

/* A copy of value name of call i of fn in the headers (case-insensitive) or the query. */
static char *call_value(struct tlam *t, const char *fn, size_t i, const char *name, bool header)
{
    const cJSON *v = NULL;
    char *copy = NULL;

    pthread_mutex_lock(&t->mu);
    struct call *c = call_find(t, fn, i);
    if (c != NULL)
        v = header ? cJSON_GetObjectItem(c->headers, name)
                   : cJSON_GetObjectItemCaseSensitive(c->query, name);
    if (cJSON_IsString(v))
        copy = must(strdup(v->valuestring));
    pthread_mutex_unlock(&t->mu);
    return copy;
}

char *tlam_header(struct tlam *t, const char *fn, size_t i, const char *name)
{
    return call_value(t, fn, i, name, true);
}

char *tlam_query(struct tlam *t, const char *fn, size_t i, const char *name)
{
    return call_value(t, fn, i, name, false);
}

bool tlam_wait_count(struct tlam *t, const char *fn, size_t n, int ms)
{
    struct timespec end = deadline_after(ms);
    bool reached;

    pthread_mutex_lock(&t->mu);
    while (!(reached = call_count(t, fn) >= n) && !t->stopping &&
           pthread_cond_timedwait(&t->changed, &t->mu, &end) != ETIMEDOUT)
        ;
    pthread_mutex_unlock(&t->mu);
    return reached;
}

/* --- serving ------------------------------------------------------------------------------ */

/* Sleep ms milliseconds, or less when the fake stops. */
static void delay(struct tlam *t, int ms)
{
    struct timespec end = deadline_after(ms > 0 ? ms : 0);

    pthread_mutex_lock(&t->mu);
    while (ms > 0 && !t->stopping && pthread_cond_timedwait(&t->changed, &t->mu, &end) != ETIMEDOUT)
        ;
    pthread_mutex_unlock(&t->mu);
}

/* The answer of fn's script, or Lambda's 404 for an unknown function. */
static void run_script(struct tlam *t, const char *fn, const char *body, struct tlam_answer *out)
{
    struct script *s;
    char msg[512];

    pthread_mutex_lock(&t->mu);
    for (s = t->scripts; s != NULL && (s->retired || strcmp(s->fn, fn) != 0); s = s->next)
        ;
    pthread_mutex_unlock(&t->mu);
    if (s == NULL) {
        snprintf(msg, sizeof(msg), "Function not found: %s%s",
                 strncmp(fn, "arn:", 4) == 0 ? ""
                                             : "arn:aws:lambda:us-east-1:123456789012:function:",
                 fn);
        service_error(out, 404, "ResourceNotFoundException", msg);
        return;
    }
    cJSON *event = cJSON_Parse(body);
    *out = (struct tlam_answer){0};
    s->handler(event, s->arg, out);
    cJSON_Delete(event);
}

/* The function name of POST /2015-03-31/functions/<name>/invocations, a new string; or NULL. */
static char *function_name(const char *method, const char *url)
{
    static const char prefix[] = "/2015-03-31/functions/", suffix[] = "/invocations";
    size_t len;

    if (strcmp(method, "POST") != 0 || strncmp(url, prefix, sizeof(prefix) - 1) != 0)
        return NULL;
    url += sizeof(prefix) - 1;
    len = strcspn(url, "/");
    if (len == 0 || strcmp(url + len, suffix) != 0)
        return NULL;
    return must(strndup(url, len));
}

static enum MHD_Result send_answer(struct tlam *t, struct MHD_Connection *conn,
                                   struct tlam_answer *a)
{
    int status = a->status != 0 ? a->status : 200;
    char request_id[64];
    struct MHD_Response *r = MHD_create_response_from_buffer_with_free_callback(
        a->body != NULL ? strlen(a->body) : 0, a->body, free);
    enum MHD_Result ret;

    if (r == NULL) {
        free(a->body);
        return MHD_NO;
    }
    pthread_mutex_lock(&t->mu);
    snprintf(request_id, sizeof(request_id), "00000000-0000-4000-8000-%012lu", ++t->requests);
    pthread_mutex_unlock(&t->mu);
    MHD_add_response_header(r, "Content-Type", "application/json");
    MHD_add_response_header(r, "x-amzn-RequestId", request_id);
    if (status == 200)
        MHD_add_response_header(r, "X-Amz-Executed-Version", "$LATEST");
    if (a->function_error != NULL)
        MHD_add_response_header(r, "X-Amz-Function-Error", a->function_error);
    if (a->error_type != NULL)
        MHD_add_response_header(r, "x-amzn-ErrorType", a->error_type);
    ret = MHD_queue_response(conn, (unsigned)status, r);
    MHD_destroy_response(r);
    return ret;
}

/* Answer one whole request: record it, run its script, wait, send. */
static enum MHD_Result answer(struct tlam *t, struct MHD_Connection *conn, const char *method,
                              const char *url, const struct exchange *x)
{
    char *fn = function_name(method, url);
    const char *type = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-Amz-Invocation-Type");
    bool event_type = type != NULL && strcmp(type, "Event") == 0;
    struct tlam_answer a = {0};
    enum MHD_Result ret;

    if (fn == NULL) {
        service_error(&a, 404, "ResourceNotFoundException", "No such route");
        return send_answer(t, conn, &a);
    }
    record(t, fn, conn, x);
    if (type != NULL && !event_type && strcmp(type, "RequestResponse") != 0) {
        /* serverless-offline's answer to DryRun and unknown types */
        service_error(&a, 400, "InvalidParameterValueException", "Unsupported invocation type");
    } else {
        run_script(t, fn, x->body != NULL ? x->body : "", &a);
        delay(t, a.delay_ms);
    }
    if (event_type && (a.status == 0 || (a.status >= 200 && a.status < 300))) {
        free(a.body);
        a = (struct tlam_answer){.status = 202};
    }
    ret = send_answer(t, conn, &a);
    free(fn);
    return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **state)
{
    struct exchange *x = *state;

    if (x == NULL) {
        *state = calloc(1, sizeof(struct exchange));
        return *state != NULL ? MHD_YES : MHD_NO;
    }
    if (*upload_size > 0) {
        char *grown = realloc(x->body, x->len + *upload_size + 1);
        if (grown == NULL)
            return MHD_NO;
        memcpy(grown + x->len, upload, *upload_size);
        x->len += *upload_size;
        grown[x->len] = '\0';
        x->body = grown;
        *upload_size = 0;
        return MHD_YES;
    }
    return answer(cls, conn, method, url, x);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **state,
                         enum MHD_RequestTerminationCode why)
{
    struct exchange *x = *state;

    if (x != NULL)
        free(x->body);
    free(x);
    *state = NULL;
}

static bool tlam_listen(struct tlam *t)
{
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    const union MHD_DaemonInfo *info;

    t->daemon =
        MHD_start_daemon(MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL,
                         NULL, on_request, t, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
                         MHD_OPTION_NOTIFY_COMPLETED, on_completed, t, MHD_OPTION_END);
    if (t->daemon == NULL)
        return false;
    info = MHD_get_daemon_info(t->daemon, MHD_DAEMON_INFO_BIND_PORT);
    if (info == NULL)
        return false;
    snprintf(t->url, sizeof(t->url), "http://127.0.0.1:%u", (unsigned)info->port);
    return true;
}

struct tlam *tlam_start(void)
{
    struct tlam *t = calloc(1, sizeof(*t));
    pthread_condattr_t attr;

    if (t == NULL)
        return NULL;
    t->calls_tail = &t->calls;
    pthread_mutex_init(&t->mu, NULL);
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&t->changed, &attr);
    pthread_condattr_destroy(&attr);
    if (!tlam_listen(t)) {
        tlam_stop(t);
        return NULL;
    }
    return t;
}

const char *tlam_url(const struct tlam *t)
{
    return t->url;
}

static void calls_clear(struct tlam *t)
{
    while (t->calls != NULL) {
        struct call *c = t->calls;
        t->calls = c->next;
        call_free(c);
    }
    t->calls_tail = &t->calls;
}

void tlam_reset(struct tlam *t)
{
    pthread_mutex_lock(&t->mu);
    for (struct script *s = t->scripts; s != NULL; s = s->next)
        s->retired = true;
    calls_clear(t);
    pthread_mutex_unlock(&t->mu);
}

void tlam_stop(struct tlam *t)
{
    if (t == NULL)
        return;
    pthread_mutex_lock(&t->mu);
    t->stopping = true;
    pthread_cond_broadcast(&t->changed);
    pthread_mutex_unlock(&t->mu);
    if (t->daemon != NULL)
        MHD_stop_daemon(t->daemon); /* joins the connection threads */
    while (t->scripts != NULL) {
        struct script *s = t->scripts;
        t->scripts = s->next;
        if (s->arg_free != NULL)
            s->arg_free(s->arg);
        free(s->fn);
        free(s);
    }
    calls_clear(t);
    pthread_cond_destroy(&t->changed);
    pthread_mutex_destroy(&t->mu);
    free(t);
}

/* ---- For the trigger suites ---------------------------------------------------------------- */

struct tlam *tlam_fixture;

void tlam_setup(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT); /* before any thread of the fake or the client */
    tu_setup();
    tlam_fixture = tlam_start();
    ck_assert_ptr_nonnull(tlam_fixture);
    snprintf(tu_fixture.settings.lambda_endpoint, sizeof(tu_fixture.settings.lambda_endpoint), "%s",
             tlam_url(tlam_fixture));
}

void tlam_teardown(void)
{
    tlam_stop(tlam_fixture);
    tlam_fixture = NULL;
    tu_teardown();
}

void tlam_answer_response(const cJSON *event, void *arg, struct tlam_answer *out)
{
    out->body = tlam_event_with_response(event, arg);
}

void tlam_on_response(struct tlam *t, const char *fn, const char *response_json)
{
    tlam_on(t, fn, tlam_answer_response, (void *)response_json);
}
