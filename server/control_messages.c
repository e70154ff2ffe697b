/*
 * control_messages: the code inbox of the control API (inbox.h holds the messages).
 *
 *   GET    /_emu/messages   the messages, newest first, filtered by ?pool= ?username= ?kind=
 *                           ?destination= and ?after=<id>; ?limit= (1-1000, 100); ?wait=<s>
 *                           (at most 30, fractions allowed) waits for a first match
 *   DELETE /_emu/messages   forget every message (ids keep growing)
 *
 * Every answer carries "lastId", the newest message id so far, so that "the next code for
 * alice" is: remember lastId, act, then GET ?username=alice&after=<lastId>&wait=10.
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "control.h"
#include "inbox.h"
#include "jsonutil.h"

#define DEFAULT_LIMIT 100
#define MAX_LIMIT 1000

/* The endpoint takes no path after its prefix. */
static int no_rest(const struct control_req *req, struct http_response *resp)
{
    if (req->rest[0] == '\0' || strcmp(req->rest, "/") == 0)
        return 0;
    control_error(resp, 404, "NotFound", "No control endpoint %s; GET %s lists them.",
                  req->http->path, CONTROL_PREFIX);
    return -1;
}

/* A whole number in [lo, hi] from query parameter name (absent: fallback). 0, or -1 with 400. */
static int query_int(const struct control_req *req, struct http_response *resp, const char *name,
                     long long lo, long long hi, long long fallback, long long *out)
{
    const char *s = control_query(req, name);
    char *end;

    *out = fallback;
    if (s == NULL)
        return 0;
    errno = 0;
    *out = strtoll(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || *out < lo || *out > hi) {
        control_error(resp, 400, "BadRequest", "%s must be a whole number from %lld to %lld.", name,
                      lo, hi);
        return -1;
    }
    return 0;
}

/* ?wait=<seconds>, fractions allowed, at most INBOX_MAX_WAIT_MS. */
static int query_wait(const struct control_req *req, struct http_response *resp, int64_t *ms)
{
    const char *s = control_query(req, "wait");
    char *end;
    double v;

    *ms = 0;
    if (s == NULL)
        return 0;
    errno = 0;
    v = strtod(s, &end);
    if (errno != 0 || end == s || *end != '\0' || !isfinite(v) || v < 0 ||
        v * 1000.0 > INBOX_MAX_WAIT_MS) {
        control_error(resp, 400, "BadRequest", "wait must be a number of seconds from 0 to %d.",
                      INBOX_MAX_WAIT_MS / 1000);
        return -1;
    }
    *ms = (int64_t)(v * 1000.0);
    return 0;
}

/* Optional string member name (NULL stays out). */
static int set_opt(cJSON *obj, const char *name, const char *value)
{
    return value == NULL ? 0 : json_set_str(obj, name, value);
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
          set_opt(o, "destination", m->destination) != 0 || json_set_str(o, "code", m->code) != 0;
    if (bad) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

void control_messages_list(const struct control_req *req, struct http_response *resp)
{
    struct store_message_filter f = {0};
    struct store_message **list = NULL;
    long long after, limit;
    int64_t wait_ms, last_id;
    size_t count = 0;
    cJSON *doc = NULL, *array;

    if (no_rest(req, resp) != 0 || query_int(req, resp, "after", 0, INT64_MAX, 0, &after) != 0 ||
        query_int(req, resp, "limit", 1, MAX_LIMIT, DEFAULT_LIMIT, &limit) != 0 ||
        query_wait(req, resp, &wait_ms) != 0)
        return;
    f.pool_id = control_query(req, "pool");
    f.username = control_query(req, "username");
    f.kind = control_query(req, "kind");
    f.destination = control_query(req, "destination");
    f.after_id = after;
    f.limit = (int)limit;
    if (inbox_list(req->app->store, &f, wait_ms, &list, &count, &last_id) != 0) {
        control_error(resp, 500, "InternalError", "Could not read the messages.");
        return;
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
}

void control_messages_clear(const struct control_req *req, struct http_response *resp)
{
    struct store_conn *conn;
    int64_t last_id;
    cJSON *doc;
    int st;

    if (no_rest(req, resp) != 0)
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
