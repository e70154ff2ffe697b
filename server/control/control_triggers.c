/*
 * control_triggers: the Lambda trigger invocation log of the control API
 * (triggers/trigger_log.h holds it).
 *
 *   GET    /_emu/triggers   the recent invocations, newest first, filtered by ?pool= ?source=
 *                           (a triggerSource) and ?after=<id>; ?limit= (1-1000, 100);
 *                           ?wait=<s> (at most 30) waits for a first match
 *   DELETE /_emu/triggers   forget them (ids keep growing)
 *
 * Every answer carries "lastId", as the code inbox does, and a wait parks the request the same
 * way (control_messages.c): no thread is held, and a recorded invocation wakes it.
 */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "control/control.h"
#include "triggers/trigger_log.h"
#include "userpool/delivery.h"
#include "util/jsonutil.h"

/* The answer for f: true when answered, false when nothing matches and may_wait. */
static bool look(const struct trigger_log_filter *f, bool may_wait, struct http_response *resp)
{
    int64_t last_id = 0;
    cJSON *doc, *list;

    if (may_wait && trigger_log_count(f) == 0)
        return false;
    list = trigger_log_list(f, &last_id);
    doc = cJSON_CreateObject();
    if (doc == NULL || json_set_item(doc, "invocations", list) != 0 ||
        json_set_num(doc, "lastId", (double)last_id) != 0) {
        cJSON_Delete(doc);
        doc = NULL;
    }
    control_json(resp, 200, doc);
    return true;
}

/* A parked GET: its filter, with copies of the strings. */
struct waiter {
    struct trigger_log_filter f;
    char *pool_id;
    char *source;
};

static void waiter_free(void *arg)
{
    struct waiter *w = arg;

    if (w == NULL)
        return;
    free(w->pool_id);
    free(w->source);
    free(w);
}

static struct waiter *waiter_new(const struct trigger_log_filter *f)
{
    struct waiter *w = calloc(1, sizeof(*w));

    if (w == NULL)
        return NULL;
    w->f = *f;
    w->pool_id = f->pool_id ? strdup(f->pool_id) : NULL;
    w->source = f->source ? strdup(f->source) : NULL;
    if ((f->pool_id && !w->pool_id) || (f->source && !w->source)) {
        waiter_free(w);
        return NULL;
    }
    w->f.pool_id = w->pool_id;
    w->f.source = w->source;
    return w;
}

static bool waiter_poll(void *state, const struct http_request *req, struct http_response *resp,
                        bool last)
{
    const struct waiter *w = state;

    (void)req;
    return look(&w->f, !last && !inbox_stopping(), resp);
}

static pthread_once_t listen_once = PTHREAD_ONCE_INIT;

static void listen_to_log(void)
{
    trigger_log_listen(http_wake);
}

void control_triggers_list(const struct control_req *req, struct http_response *resp)
{
    struct trigger_log_filter f = {0};
    struct waiter *w;
    struct control_feed_query q;

    if (control_feed_query(req, resp, &q) != 0)
        return;
    f.pool_id = control_query(req, "pool");
    f.source = control_query(req, "source");
    f.after_id = q.after_id;
    f.limit = q.limit;
    /* Listening starts before the first look, so a call recorded after it wakes the wait. */
    pthread_once(&listen_once, listen_to_log);
    if (look(&f, q.wait_ms > 0 && !inbox_stopping(), resp))
        return;
    if ((w = waiter_new(&f)) == NULL) {
        control_error(resp, 500, "InternalError", "Out of memory.");
        return;
    }
    http_response_defer(resp, waiter_poll, w, waiter_free, q.wait_ms, INBOX_RECHECK_MS);
}

void control_triggers_clear(const struct control_req *req, struct http_response *resp)
{
    struct trigger_log_filter all = {0};
    int64_t last_id = 0;
    cJSON *doc;

    if (control_no_rest(req, resp) != 0)
        return;
    trigger_log_clear();
    cJSON_Delete(trigger_log_list(&all, &last_id));
    doc = cJSON_CreateObject();
    if (doc != NULL && json_set_num(doc, "lastId", (double)last_id) != 0) {
        cJSON_Delete(doc);
        doc = NULL;
    }
    control_json(resp, 200, doc);
}
