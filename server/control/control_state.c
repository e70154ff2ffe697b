/*
 * control_state: the control API's hold on the emulator's state as a whole.
 *
 *   POST /_emu/reset     drop all state and apply the fixtures (--fixtures) again
 *   GET  /_emu/clock     the emulator's clock: {"now", "nowIso", "offsetMs"}
 *   POST /_emu/clock     set it: {"offsetMs": n} | {"advanceMs": n} | {"time": ms or ISO}
 *   GET  /_emu/export    the state as a fixture document (fixtures.h)
 *   POST /_emu/fixtures  apply the fixture document in the body (idempotent, like the start)
 *
 * Reset empties every table in one transaction, sets the clock back to real time (offset 0:
 * a test that moved it starts the next one from now) and applies the fixtures, re-read from
 * disk so that an edited file takes effect without a restart. The fixtures are read and
 * checked first: a bad one answers 400 and nothing is reset. Signing keys are kept where they
 * still serve: those of the user pools the fixtures make again (a JWKS an app under test has
 * cached stays right, and no RSA keys have to be generated) and cognito-identity's; the other
 * pools' keys go, and the cache of pool keys is dropped. A reset is meant to run between
 * tests: requests in flight meanwhile see the old or the new state.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "util/clock.h"
#include "control/control.h"
#include "triggers/trigger_log.h"
#include "control/fixtures.h"
#include "util/jsonutil.h"
#include "crypto/keys.h"
#include "util/log.h"
#include "settings.h"
#include "store/store.h"

/* {"userPools": n, "clients": n, ...}: what applying fixtures made, and what it kept. */
static int add_stats(cJSON *doc, const struct fixtures_stats *s)
{
    cJSON *made = cJSON_CreateObject();
    int bad = made == NULL || json_set_num(made, "userPools", s->user_pools) != 0 ||
              json_set_num(made, "clients", s->clients) != 0 ||
              json_set_num(made, "groups", s->groups) != 0 ||
              json_set_num(made, "users", s->users) != 0 ||
              json_set_num(made, "identityPools", s->identity_pools) != 0 ||
              json_set_num(made, "domains", s->domains) != 0 ||
              json_set_num(made, "resourceServers", s->resource_servers) != 0 ||
              json_set_num(made, "identityProviders", s->identity_providers) != 0 ||
              json_set_num(made, "uiCustomizations", s->ui_customizations) != 0;

    if (bad) {
        cJSON_Delete(made);
        return -1;
    }
    return json_set_item(doc, "created", made) != 0 || json_set_num(doc, "kept", s->kept) != 0;
}

static void bad_fixture(struct http_response *resp, const struct fixtures_error *err,
                        const char *after)
{
    char text[1600];

    fixtures_error_text(err, text, sizeof(text));
    control_error(resp, 400, "BadFixture", "%s%s", text, after);
}

void control_reset(const struct control_req *req, struct http_response *resp)
{
    const char *path = req->app->settings->fixtures;
    double start = clock_monotonic_ms();
    struct fixtures *f = NULL;
    struct fixtures_error err;
    struct fixtures_stats stats = {0};
    struct store_conn *conn;
    cJSON *doc, *files;
    int st, applied;

    if (control_no_rest(req, resp) != 0)
        return;
    if (path[0] != '\0' && fixtures_read(path, &f, &err) != 0) {
        bad_fixture(resp, &err, " (nothing was reset)");
        return;
    }
    conn = store_acquire(req->app->store);
    st = store_reset(conn, 1);
    store_release(req->app->store, conn);
    if (st != STORE_OK) {
        fixtures_free(f);
        control_error(resp, 500, "InternalError", "Could not empty the database.");
        return;
    }
    clock_set_offset_ms(0);
    trigger_log_clear();
    applied = fixtures_apply(req->app, f, &stats, &err);
    /* The keys of the pools the fixtures did not make again go, and the cache with them. */
    conn = store_acquire(req->app->store);
    st = store_keys_prune(conn);
    store_release(req->app->store, conn);
    keys_cache_clear();
    if (applied != 0) {
        fixtures_free(f);
        bad_fixture(resp, &err, " (the state was reset; the fixtures stopped there)");
        return;
    }
    if (st != STORE_OK) {
        fixtures_free(f);
        control_error(resp, 500, "InternalError", "Could not drop the old signing keys.");
        return;
    }
    doc = cJSON_CreateObject();
    files = cJSON_AddArrayToObject(doc, "fixtures");
    for (size_t i = 0; files != NULL && i < fixtures_count(f); i++)
        cJSON_AddItemToArray(files, cJSON_CreateString(fixtures_source(f, i)));
    fixtures_free(f);
    if (doc != NULL && (files == NULL || add_stats(doc, &stats) != 0 ||
                        json_set_num(doc, "elapsedMs", clock_monotonic_ms() - start) != 0)) {
        cJSON_Delete(doc);
        doc = NULL;
    }
    log_info("reset: state dropped, %d user pools, %d clients, %d groups, %d users, %d identity "
             "pools made from the fixtures, clock back to real time",
             stats.user_pools, stats.clients, stats.groups, stats.users, stats.identity_pools);
    control_json(resp, 200, doc);
}

/* {"now": ms, "nowIso": "...", "offsetMs": n}. */
static void clock_answer(struct http_response *resp)
{
    int64_t now = clock_now_ms();
    cJSON *doc = cJSON_CreateObject();
    char iso[32];

    clock_format_iso(now, iso, sizeof(iso));
    if (doc != NULL &&
        (json_set_num(doc, "now", (double)now) != 0 || json_set_str(doc, "nowIso", iso) != 0 ||
         json_set_num(doc, "offsetMs", (double)clock_offset_ms()) != 0)) {
        cJSON_Delete(doc);
        doc = NULL;
    }
    control_json(resp, 200, doc);
}

void control_clock_get(const struct control_req *req, struct http_response *resp)
{
    if (control_no_rest(req, resp) == 0)
        clock_answer(resp);
}

/* A whole number of milliseconds (a JSON number without fraction, within +-1000 years). */
static bool whole_ms(const cJSON *v, int64_t *out)
{
    const double limit = 1000.0 * 365.25 * 86400.0 * 1000.0;

    if (!cJSON_IsNumber(v) || v->valuedouble != (double)(int64_t)v->valuedouble ||
        v->valuedouble > limit || v->valuedouble < -limit)
        return false;
    *out = (int64_t)v->valuedouble;
    return true;
}

void control_clock_set(const struct control_req *req, struct http_response *resp)
{
    const cJSON *offset = json_get(req->body, "offsetMs"),
                *advance = json_get(req->body, "advanceMs");
    const cJSON *time = json_get(req->body, "time");
    int64_t v, real = clock_now_ms() - clock_offset_ms();

    if (control_no_rest(req, resp) != 0)
        return;
    if (!cJSON_IsObject(req->body) || (offset != NULL) + (advance != NULL) + (time != NULL) != 1) {
        control_error(resp, 400, "BadRequest",
                      "Send one of {\"offsetMs\": n}, {\"advanceMs\": n} or {\"time\": epoch ms "
                      "or ISO 8601}.");
        return;
    }
    if (offset != NULL && whole_ms(offset, &v)) {
        clock_set_offset_ms(v);
    } else if (advance != NULL && whole_ms(advance, &v)) {
        clock_set_offset_ms(clock_offset_ms() + v);
    } else if (time != NULL &&
               (whole_ms(time, &v) ||
                (cJSON_IsString(time) && clock_parse_iso(time->valuestring, &v) == 0))) {
        clock_set_offset_ms(v - real);
    } else {
        control_error(resp, 400, "BadRequest",
                      "offsetMs and advanceMs are whole milliseconds; time is epoch milliseconds "
                      "or an ISO 8601 time such as 2030-01-01T00:00:00Z.");
        return;
    }
    log_info("clock: offset now %lld ms", (long long)clock_offset_ms());
    clock_answer(resp);
}

void control_export(const struct control_req *req, struct http_response *resp)
{
    cJSON *doc;
    char *text;

    if (control_no_rest(req, resp) != 0)
        return;
    if ((doc = fixtures_export(req->app)) == NULL) {
        control_error(resp, 500, "InternalError", "Could not export the state.");
        return;
    }
    /* Indented: an export is meant to be saved as a file and read. */
    text = cJSON_Print(doc);
    cJSON_Delete(doc);
    if (text == NULL) {
        control_error(resp, 500, "InternalError", "Out of memory.");
        return;
    }
    http_response_set_body(resp, 200, "application/json", text, strlen(text));
}

void control_fixtures_load(const struct control_req *req, struct http_response *resp)
{
    struct fixtures *f = NULL;
    struct fixtures_error err;
    struct fixtures_stats stats = {0};
    cJSON *doc;

    if (control_no_rest(req, resp) != 0)
        return;
    if (fixtures_parse(req->http->body, req->http->body_len, "request body", &f, &err) != 0) {
        bad_fixture(resp, &err, " (nothing was applied)");
        return;
    }
    if (fixtures_apply(req->app, f, &stats, &err) != 0) {
        fixtures_free(f);
        bad_fixture(resp, &err, " (what came before it was applied)");
        return;
    }
    fixtures_free(f);
    doc = cJSON_CreateObject();
    if (doc != NULL && add_stats(doc, &stats) != 0) {
        cJSON_Delete(doc);
        doc = NULL;
    }
    control_json(resp, 200, doc);
}
