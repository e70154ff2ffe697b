/*
 * server: the store and the HTTP server started and stopped together. See server.h.
 */
#include "config.h"

#include "server.h"

#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "control/fixtures.h"
#include "http/http.h"
#include "userpool/delivery.h"
#include "crypto/keys.h"
#include "crypto/tls_cert.h"
#include "util/log.h"
#include "routes.h"
#include "crypto/secrets.h"
#include "store/store.h"

struct server {
    struct app app;
    struct store *store;
    struct http_server *http;
    struct tls_cert tls; /* the HTTPS listener's, with --tls-port */
};

/* Read, check and apply the fixtures at path; a bad one is logged (file, JSON path, problem). */
static int load_fixtures(const struct app *app, const char *path)
{
    struct fixtures *f = NULL;
    struct fixtures_error err;
    struct fixtures_stats stats = {0};
    char text[1600];

    if (fixtures_read(path, &f, &err) != 0 || fixtures_apply(app, f, &stats, &err) != 0) {
        fixtures_error_text(&err, text, sizeof(text));
        log_error("bad fixture: %s", text);
        fixtures_free(f);
        return -1;
    }
    log_info("fixtures: %d file(s) from %s: made %d user pools, %d clients, %d groups, %d users, "
             "%d identity pools; %d already there",
             stats.files, path, stats.user_pools, stats.clients, stats.groups, stats.users,
             stats.identity_pools, stats.kept);
    fixtures_free(f);
    return 0;
}

/* Say once where the pools' Lambda triggers go, or that they are off. */
static void log_lambda_endpoint(const struct settings *s)
{
    if (strcmp(s->lambda_endpoint, "none") == 0)
        log_info("Lambda triggers are off (--lambda-endpoint none): pools keep their "
                 "LambdaConfig, and no function is called");
    else if (s->lambda_endpoint[0] != '\0')
        log_info("Lambda triggers are invoked at %s (the AWS Lambda Invoke API)",
                 s->lambda_endpoint);
}

/* Whether a request may wait for something outside: a Lambda trigger's function, when on. */
static bool handlers_wait(const struct settings *s)
{
    return s->lambda_endpoint[0] != '\0' && strcmp(s->lambda_endpoint, "none") != 0;
}

/*
 * The HTTPS listener's certificate into *c: --tls-cert and --tls-key, else a self-signed one
 * (for localhost, the region's domains and the host of --public-url) kept beside the database, or,
 * for an in-memory database (nothing there outlives the process either), made anew in a temporary
 * file removed at stop. 0, or -1 (logged: which file, why).
 */
static int prepare_tls(const struct settings *s, struct tls_cert *c)
{
    char dir[4096], err[1024], host[512];
    struct tls_names names = {.region = s->region, .host = host};
    int rc;

    settings_public_host(s, host, sizeof(host));
    if (s->tls_cert[0] != '\0')
        rc = tls_cert_load(c, s->tls_cert, s->tls_key, err, sizeof(err));
    else if (settings_data_dir(s, dir, sizeof(dir)) == 0)
        rc = tls_cert_kept(c, dir, &names, err, sizeof(err));
    else
        rc = tls_cert_temporary(c, &names, err, sizeof(err));
    if (rc != 0)
        log_error("tls: %s", err);
    return rc;
}

int server_start(struct settings *s, struct server **out)
{
    struct server *srv = calloc(1, sizeof(*srv));

    *out = NULL;
    if (srv == NULL)
        return -1;
    struct http_config cfg = {
        .bind = s->bind,
        .port = s->port,
        .threads = s->threads,
        .max_body = s->max_body,
        .idle_timeout = s->idle_timeout,
        .handler = routes_handle,
        .handler_arg = &srv->app,
        .too_large = routes_too_large,
        .handlers_wait = handlers_wait(s),
        .tls = s->tls_port != 0,
        .tls_port = s->tls_port == SETTINGS_TLS_PORT_ANY ? 0 : s->tls_port,
    };
    log_set_level(s->log_level);
    /* One connection per thread that may run a request at once (the store opens them as they
     * are needed), and one spare for anything outside the pool. */
    if (store_open(s->db_path, http_max_handlers(&cfg) + 1, &srv->store) != STORE_OK) {
        free(srv);
        return -1;
    }
    srv->app.settings = s;
    srv->app.store = srv->store;
    secrets_set_fixed_code(s->fixed_code);
    log_lambda_endpoint(s);
    inbox_start();
    if (s->fixtures[0] != '\0' && load_fixtures(&srv->app, s->fixtures) != 0) {
        server_stop(srv); /* undoes the above (no HTTP server yet) */
        return -1;
    }
    if (cfg.tls && prepare_tls(s, &srv->tls) != 0) {
        server_stop(srv);
        return -1;
    }
    cfg.tls_cert_pem = srv->tls.cert_pem;
    cfg.tls_key_pem = srv->tls.key_pem;
    if (http_start(&cfg, &srv->http) != 0) {
        server_stop(srv); /* srv->http is NULL: closes the store, frees the keys and srv */
        return -1;
    }
    settings_set_port(s, http_port(srv->http));
    if (cfg.tls)
        settings_set_tls_port(s, http_tls_port(srv->http));
    *out = srv;
    return 0;
}

int server_port(const struct server *srv)
{
    return http_port(srv->http);
}

int server_tls_port(const struct server *srv)
{
    return http_tls_port(srv->http);
}

const char *server_tls_cert_path(const struct server *srv)
{
    return srv->tls.cert_pem != NULL ? srv->tls.path : NULL;
}

void server_stop(struct server *srv)
{
    if (srv == NULL)
        return;
    inbox_stop();         /* ends the waits for messages, which would hold up the workers */
    http_stop(srv->http); /* joins the workers: no request touches the store after this */
    store_close(srv->store);
    tls_cert_free(&srv->tls); /* removes a temporary certificate file */
    keys_cache_clear();       /* the pools' keys and cognito-identity's */
    secrets_set_fixed_code(NULL);
    free(srv);
}
