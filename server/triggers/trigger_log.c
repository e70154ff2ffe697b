/*
 * trigger_log: a ring of the last TRIGGER_LOG_SIZE invocations under one mutex. See
 * trigger_log.h. In memory on purpose: it is a window for tests and debugging, and a trigger
 * call should cost the emulator no database write.
 */
#include "config.h"

#include "triggers/trigger_log.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "util/clock.h"
#include "util/jsonutil.h"

struct entry {
    int64_t id;
    cJSON *doc; /* the record as readers get it (without "id") */
    char *pool_id;
    char *source;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct entry ring[TRIGGER_LOG_SIZE];
static size_t count; /* records held, newest at (head - 1) */
static size_t head;  /* where the next record goes */
static int64_t last_id;
static void (*_Atomic listener)(void);

static void entry_clear(struct entry *e)
{
    cJSON_Delete(e->doc);
    free(e->pool_id);
    free(e->source);
    memset(e, 0, sizeof(*e));
}

/* The answer as JSON when it is JSON, else as the text it was. */
static cJSON *answer_json(const char *answer)
{
    cJSON *parsed = cJSON_Parse(answer);

    return parsed != NULL ? parsed : cJSON_CreateString(answer);
}

/* The reader's view of r, or NULL when out of memory. */
static cJSON *record_doc(const struct trigger_record *r)
{
    cJSON *doc = cJSON_CreateObject(), *err;
    char iso[32];
    int bad = doc == NULL;

    clock_format_iso(r->time_ms, iso, sizeof(iso));
    bad = bad || json_set_str(doc, "time", iso) != 0 ||
          json_set_num(doc, "timeMs", (double)r->time_ms) != 0 ||
          json_set_str(doc, "poolId", r->pool_id) != 0 ||
          json_set_str(doc, "triggerSource", r->source) != 0 ||
          json_set_str(doc, "trigger", r->trigger) != 0 ||
          json_set_str(doc, "function", r->function) != 0 ||
          json_set_str(doc, "invocationType", r->async ? "Event" : "RequestResponse") != 0 ||
          json_set_item(doc, "event", cJSON_Duplicate(r->event, 1)) != 0;
    if (!bad && r->answer != NULL)
        bad = json_set_item(doc, "response", answer_json(r->answer)) != 0;
    if (!bad && r->error_type != NULL) {
        bad = (err = cJSON_CreateObject()) == NULL || json_set_item(doc, "error", err) != 0 ||
              json_set_str(err, "type", r->error_type) != 0 ||
              json_set_str(err, "message", r->error_message ? r->error_message : "") != 0;
    }
    bad = bad ||
          json_set_num(doc, "durationMs", (double)(int64_t)(r->duration_ms * 1000) / 1000) != 0;
    if (bad) {
        cJSON_Delete(doc);
        return NULL;
    }
    return doc;
}

void trigger_log_record(const struct trigger_record *r)
{
    struct entry e = {0};
    void (*fn)(void);

    e.doc = record_doc(r);
    e.pool_id = strdup(r->pool_id ? r->pool_id : "");
    e.source = strdup(r->source ? r->source : "");
    if (e.doc == NULL || e.pool_id == NULL || e.source == NULL) {
        entry_clear(&e);
        return; /* the call happened; only its record is lost */
    }
    pthread_mutex_lock(&lock);
    e.id = ++last_id;
    entry_clear(&ring[head]);
    ring[head] = e;
    head = (head + 1) % TRIGGER_LOG_SIZE;
    if (count < TRIGGER_LOG_SIZE)
        count++;
    pthread_mutex_unlock(&lock);
    if ((fn = atomic_load(&listener)) != NULL)
        fn();
}

static bool matches(const struct entry *e, const struct trigger_log_filter *f)
{
    return e->id > f->after_id && (f->pool_id == NULL || strcmp(e->pool_id, f->pool_id) == 0) &&
           (f->source == NULL || strcmp(e->source, f->source) == 0);
}

/* The i-th newest entry (0: the newest); the lock is held. */
static const struct entry *newest(size_t i)
{
    return &ring[(head + TRIGGER_LOG_SIZE - 1 - i) % TRIGGER_LOG_SIZE];
}

cJSON *trigger_log_list(const struct trigger_log_filter *f, int64_t *last)
{
    cJSON *list = cJSON_CreateArray();
    int given = 0;

    if (list == NULL)
        return NULL;
    pthread_mutex_lock(&lock);
    *last = last_id;
    for (size_t i = 0; i < count && (f->limit <= 0 || given < f->limit); i++) {
        const struct entry *e = newest(i);
        cJSON *doc;
        if (!matches(e, f))
            continue;
        if ((doc = cJSON_Duplicate(e->doc, 1)) == NULL ||
            json_set_num(doc, "id", (double)e->id) != 0 || !cJSON_AddItemToArray(list, doc)) {
            cJSON_Delete(doc);
            cJSON_Delete(list);
            list = NULL;
            break;
        }
        given++;
    }
    pthread_mutex_unlock(&lock);
    return list;
}

int trigger_log_count(const struct trigger_log_filter *f)
{
    int n = 0;

    pthread_mutex_lock(&lock);
    for (size_t i = 0; i < count; i++)
        n += matches(newest(i), f);
    pthread_mutex_unlock(&lock);
    return n;
}

void trigger_log_clear(void)
{
    pthread_mutex_lock(&lock);
    for (size_t i = 0; i < TRIGGER_LOG_SIZE; i++)
        entry_clear(&ring[i]);
    count = head = 0;
    pthread_mutex_unlock(&lock);
}

void trigger_log_listen(void (*fn)(void))
{
    atomic_store(&listener, fn);
}
