/*
 * control_messages: the code inbox of the control API (userpool/delivery.h holds the messages).
 *
 *   GET    /_emu/messages   the messages, newest first, filtered by ?pool= ?username= ?kind=
 *                           ?destination= and ?after=<id>; ?limit= (1-1000, 100); ?wait=<s>
 *                           (at most 30, fractions allowed) waits for a first match. Each has
 *                           its code, the "message" as sent and its "subject" (null for an
 *                           SMS), and "customSender": the trigger that took it, or null
 *   DELETE /_emu/messages   forget every message (ids keep growing)
 *
 * Every answer carries "lastId", the newest message id so far, so that "the next code for
 * alice" is: remember lastId, act, then GET ?username=alice&after=<lastId>&wait=10.
 *
 * A wait holds no thread: the request is deferred (http_response_defer()) and looks again when
 * the inbox records a message (its listener is http_wake), every INBOX_RECHECK_MS, and at the
 * end of the wait, when it answers what there is (an empty list). The other connections of
 * its worker thread are served meanwhile.
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "util/clock.h"
#include "control/control.h"
#include "userpool/delivery.h"
#include "util/jsonutil.h"

/* Optional string member name (NULL stays out). */
static int set_opt(cJSON *obj, const char *name, const char *value)
{
    return value == NULL ? 0 : json_set_str(obj, name, value);
}

/* String member name, JSON null when value is NULL. */
static int set_or_null(cJSON *obj, const char *name, const char *value)
{
    return value == NULL ? json_set_item(obj, name, cJSON_CreateNull())
                         : json_set_str(obj, name, value);
}

static cJSON *message_json(const struct store_message *m)
{
    cJSON *o = cJSON_CreateObject();
    char iso[32];
    int bad = o == NULL;

    clock_format_iso(m->time_ms, iso, sizeof(iso));
    bad = bad || json_set_num(o, "id", (double)m->id) != 0 || json_set_str(o, "time", iso) != 0 ||
          json_set_num(o, "timeMs", (double)m->time_ms) != 0 ||
          json_set_str(o, "poolId", m->pool_id) != 0 ||
          json_set_str(o, "username", m->username) != 0 || json_set_str(o, "kind", m->kind) != 0 ||
          json_set_str(o, "medium", m->medium) != 0 || set_opt(o, "attribute", m->attribute) != 0 ||
          set_opt(o, "destination", m->destination) != 0 || json_set_str(o, "code", m->code) != 0 ||
          set_or_null(o, "message", m->message) != 0 ||
          set_or_null(o, "subject", m->subject) != 0 ||
          set_or_null(o, "customSender", m->sender) != 0;
    if (bad) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

/*
 * Look for the messages matching f in st: answer them (or a 500) in resp and return true, or
 * return false, answering nothing, when none matches and may_wait.
 */
static bool look(struct store *st, const struct store_message_filter *f, bool may_wait,
                 struct http_response *resp)
{
    struct store_message **list = NULL;
    size_t count = 0;
    int64_t last_id;
    cJSON *doc = NULL, *array;

    if (inbox_list(st, f, &list, &count, &last_id) != 0) {
        control_error(resp, 500, "InternalError", "Could not read the messages.");
        return true;
    }
    if (count == 0 && may_wait) {
        store_message_list_free(list, count);
        return false;
    }
    doc = cJSON_CreateObject();
    array = cJSON_AddArrayToObject(doc, "messages");
    for (size_t i = 0; array != NULL && i < count; i++) {
        cJSON *m = message_json(list[i]);
        if (m == NULL || !cJSON_AddItemToArray(array, m)) {
            cJSON_Delete(m);
            cJSON_Delete(doc);
            doc = NULL;
            break;
        }
    }
    store_message_list_free(list, count);
    if (doc != NULL && (array == NULL || json_set_num(doc, "lastId", (double)last_id) != 0)) {
        cJSON_Delete(doc);
        doc = NULL;
    }
    control_json(resp, 200, doc);
    return true;
}

/* A deferred GET: the store and the filter, whose strings it owns. */
struct waiter {
    struct store *store;
    struct store_message_filter f;
    char *strings[4];
};

static void waiter_free(void *arg)
{
    struct waiter *w = arg;

    if (w == NULL)
        return;
    for (size_t i = 0; i < sizeof(w->strings) / sizeof(w->strings[0]); i++)
        free(w->strings[i]);
    free(w);
}

/* A copy of s into *slot (NULL stays NULL); 0, or -1 when out of memory. */
static int keep(const char *s, char **slot, const char **member)
{
    *slot = NULL;
    *member = NULL;
    if (s == NULL)
        return 0;
    *slot = strdup(s);
    *member = *slot;
    return *slot == NULL ? -1 : 0;
}

/* A waiter for f in st (a new one, waiter_free()), or NULL when out of memory. */
static struct waiter *waiter_new(struct store *st, const struct store_message_filter *f)
{
    struct waiter *w = calloc(1, sizeof(*w));

    if (w == NULL)
        return NULL;
    w->store = st;
    w->f = *f;
    if (keep(f->pool_id, &w->strings[0], &w->f.pool_id) != 0 ||
        keep(f->username, &w->strings[1], &w->f.username) != 0 ||
        keep(f->kind, &w->strings[2], &w->f.kind) != 0 ||
        keep(f->destination, &w->strings[3], &w->f.destination) != 0) {
        waiter_free(w);
        return NULL;
    }
    return w;
}

/* The http_poll_fn of a deferred GET: answer once something matches, or at the end. */
static bool waiter_poll(void *state, const struct http_request *req, struct http_response *resp,
                        bool last)
{
    struct waiter *w = state;

    return look(w->store, &w->f, !last && !inbox_stopping(), resp);
}

static pthread_once_t listen_once = PTHREAD_ONCE_INIT;

/* Deferred GETs look again whenever the inbox records a message. */
static void listen_to_inbox(void)
{
    inbox_listen(http_wake);
}

void control_messages_list(const struct control_req *req, struct http_response *resp)
{
    struct store_message_filter f = {0};
    struct waiter *w;
    struct control_feed_query q;

    if (control_feed_query(req, resp, &q) != 0)
        return;
    f.pool_id = control_query(req, "pool");
    f.username = control_query(req, "username");
    f.kind = control_query(req, "kind");
    f.destination = control_query(req, "destination");
    f.after_id = q.after_id;
    f.limit = q.limit;
    /* Listening starts before the first look, so a message recorded after it wakes the wait. */
    pthread_once(&listen_once, listen_to_inbox);
    if (look(req->app->store, &f, q.wait_ms > 0 && !inbox_stopping(), resp))
        return;
    if ((w = waiter_new(req->app->store, &f)) == NULL) {
        control_error(resp, 500, "InternalError", "Out of memory.");
        return;
    }
    http_response_defer(resp, waiter_poll, w, waiter_free, q.wait_ms, INBOX_RECHECK_MS);
}

void control_messages_clear(const struct control_req *req, struct http_response *resp)
{
    struct store_conn *conn;
    int64_t last_id;
    cJSON *doc;
    int st;

    if (control_no_rest(req, resp) != 0)
        return;
    conn = store_acquire(req->app->store);
    st = store_message_clear(conn);
    last_id = store_message_last_id(conn);
    store_release(req->app->store, conn);
    if (st != STORE_OK || last_id < 0) {
        control_error(resp, 500, "InternalError", "Could not clear the messages.");
        return;
    }
    doc = cJSON_CreateObject();
    if (doc != NULL && json_set_num(doc, "lastId", (double)last_id) != 0) {
        cJSON_Delete(doc);
        doc = NULL;
    }
    control_json(resp, 200, doc);
}
