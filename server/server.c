/*
 * server: the store and the HTTP server started and stopped together. See server.h.
 */
#include "config.h"

#include "server.h"

#include <stdlib.h>

#include "app.h"
#include "http.h"
#include "keys.h"
#include "log.h"
#include "routes.h"
#include "store.h"

struct server {
    struct app app;
    struct store *store;
    struct http_server *http;
};

int server_start(struct settings *s, struct server **out)
{
    struct server *srv = calloc(1, sizeof(*srv));

    *out = NULL;
    if (srv == NULL)
        return -1;
    log_set_level(s->log_level);
    /* One connection per worker, and one spare for anything outside the pool. */
    if (store_open(s->db_path, s->threads + 1, &srv->store) != STORE_OK) {
        free(srv);
        return -1;
    }
    srv->app.settings = s;
    srv->app.store = srv->store;

    struct http_config cfg = {
        .bind = s->bind,
        .port = s->port,
        .threads = s->threads,
        .max_body = s->max_body,
        .idle_timeout = s->idle_timeout,
        .handler = routes_handle,
        .handler_arg = &srv->app,
        .too_large = routes_too_large,
    };
    if (http_start(&cfg, &srv->http) != 0) {
        store_close(srv->store);
        free(srv);
        return -1;
    }
    settings_set_port(s, http_port(srv->http));
    *out = srv;
    return 0;
}

int server_port(const struct server *srv)
{
    return http_port(srv->http);
}

void server_stop(struct server *srv)
{
    if (srv == NULL)
        return;
    http_stop(srv->http); /* joins the workers: no request touches the store after this */
    store_close(srv->store);
    keys_cache_clear();
    free(srv);
}
