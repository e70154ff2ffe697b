/*
 * oauth: the site of a domain request, the operation context of a domain endpoint, the
 * authorization codes and redirect URLs. See oauth.h. The domains themselves are
 * userpool/domain.h's; this file only asks it which pool a domain is of, and the reverse.
 */
#include "config.h"

#include "oauth/oauth.h"

#include <cJSON.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/secrets.h"
#include "settings.h"
#include "userpool/domain.h"
#include "util/clock.h"
#include "util/jsonutil.h"
#include "util/log.h"
#include "util/strbuf.h"

/* A prefix domain's host name: "<prefix>" HOST_AUTH "<region>" HOST_SUFFIX. */
#define HOST_AUTH ".auth."
#define HOST_SUFFIX ".amazoncognito.com"

/* ---- The site ----------------------------------------------------------------------------- */

/*
 * The pool of registered domain domain into pool_id (IDS_MAX bytes). STORE_OK, STORE_NOT_FOUND
 * or STORE_ERROR.
 */
static int domain_pool(struct store_conn *conn, const char *domain, char *pool_id)
{
    char *id = NULL;
    int rc = domain_pool_id(conn, domain, &id);

    if (rc == STORE_OK)
        snprintf(pool_id, IDS_MAX, "%s", id);
    free(id);
    return rc;
}

/*
 * The domain of pool_id into out (size n): its prefix domain, else its custom domain.
 * STORE_OK, STORE_NOT_FOUND (none) or STORE_ERROR.
 */
static int pool_domain(struct store_conn *conn, const char *pool_id, char *out, size_t n)
{
    char *prefix = NULL, *custom = NULL;
    int rc = domain_of_pool(conn, pool_id, &prefix, &custom);

    out[0] = '\0';
    if (rc == STORE_OK && (prefix != NULL || custom != NULL))
        snprintf(out, n, "%s", prefix != NULL ? prefix : custom);
    else if (rc == STORE_OK)
        rc = STORE_NOT_FOUND;
    free(prefix);
    free(custom);
    return rc;
}

/* The Host header of req without its port, lower case, into out (size n); "" when none. */
static void request_host_name(const struct http_request *req, char *out, size_t n)
{
    const char *host = http_request_header(req, "Host");
    size_t len;

    out[0] = '\0';
    if (host == NULL || host[0] == '[') /* an IPv6 literal is never a domain */
        return;
    len = strcspn(host, ":");
    if (len >= n)
        return;
    for (size_t i = 0; i < len; i++)
        out[i] = (char)tolower((unsigned char)host[i]);
    out[len] = '\0';
}

/*
 * The domain a request's Host names into domain (OAUTH_DOMAIN_MAX + 1 bytes) and its pool
 * into pool_id: a registered custom domain, or "<prefix>.auth.<region>.amazoncognito.com" of
 * a prefix domain whose pool is in that region. STORE_NOT_FOUND when the host is neither.
 */
static int host_domain(struct store_conn *conn, const struct http_request *req, char *domain,
                       char *pool_id)
{
    char host[OAUTH_DOMAIN_MAX + 1], region[64];
    const char *auth;
    size_t hlen, slen = strlen(HOST_SUFFIX), rlen;
    int rc;

    request_host_name(req, host, sizeof(host));
    hlen = strlen(host);
    auth = strstr(host, HOST_AUTH);
    if (auth == NULL || hlen <= slen || strcmp(host + hlen - slen, HOST_SUFFIX) != 0) {
        snprintf(domain, OAUTH_DOMAIN_MAX + 1, "%s", host);
        return host[0] != '\0' ? domain_pool(conn, domain, pool_id) : STORE_NOT_FOUND;
    }
    rlen = (size_t)(host + hlen - slen - (auth + strlen(HOST_AUTH)));
    if (rlen + 2 > sizeof(region))
        return STORE_NOT_FOUND;
    /* The region between ".auth." and the suffix must be the pool's: "<region>_..." */
    snprintf(region, sizeof(region), "%.*s_", (int)rlen, auth + strlen(HOST_AUTH));
    snprintf(domain, OAUTH_DOMAIN_MAX + 1, "%.*s", (int)(auth - host), host);
    rc = domain_pool(conn, domain, pool_id);
    if (rc == STORE_OK && strncmp(pool_id, region, rlen + 1) != 0)
        rc = STORE_NOT_FOUND;
    return rc;
}

/* Fill the URLs of *site (mode and domain set) from req. */
static void site_urls(const struct app *app, const struct http_request *req,
                      struct oauth_site *site)
{
    const char *host = http_request_header(req, "Host");
    const char *scheme = site->secure ? "https" : "http";
    char base[700];

    if (host != NULL && host[0] != '\0' && strcspn(host, "/\\?#@ ") == strlen(host))
        snprintf(base, sizeof(base), "%s://%s", scheme, host);
    else
        snprintf(base, sizeof(base), "%s", settings_public_url(app->settings, site->secure));
    if (site->mode == OAUTH_SITE_PATH) {
        snprintf(site->base_url, sizeof(site->base_url), "%s" DOMAIN_PREFIX "%s", base,
                 site->domain);
        snprintf(site->cookie_path, sizeof(site->cookie_path), DOMAIN_PREFIX "%s", site->domain);
    } else {
        snprintf(site->base_url, sizeof(site->base_url), "%s", base);
        snprintf(site->cookie_path, sizeof(site->cookie_path), "/");
    }
}

/* Map a store status of a domain lookup to the site's. */
static enum oauth_site_status site_status(int rc)
{
    return rc == STORE_OK          ? OAUTH_SITE_OK
           : rc == STORE_NOT_FOUND ? OAUTH_SITE_NO_DOMAIN
                                   : OAUTH_SITE_ERROR;
}

enum oauth_site_status oauth_site_resolve(struct store_conn *conn, const struct app *app,
                                          const struct http_request *req, const char *domain,
                                          const char *pool_id, struct oauth_site *site)
{
    int rc;

    memset(site, 0, sizeof(*site));
    site->secure = http_request_is_tls(req);
    if (domain != NULL && domain[0] != '\0') {
        site->mode = OAUTH_SITE_PATH;
        snprintf(site->domain, sizeof(site->domain), "%s", domain);
        rc = domain_pool(conn, domain, site->pool_id);
    } else if ((rc = host_domain(conn, req, site->domain, site->pool_id)) == STORE_OK) {
        site->mode = OAUTH_SITE_HOST;
    } else if (rc == STORE_NOT_FOUND) {
        site->mode = OAUTH_SITE_ROOT;
        if (pool_id == NULL)
            return OAUTH_SITE_NO_POOL;
        snprintf(site->pool_id, sizeof(site->pool_id), "%s", pool_id);
        rc = pool_domain(conn, pool_id, site->domain, sizeof(site->domain));
    }
    if (rc != STORE_OK)
        return site_status(rc);
    if (pool_id != NULL && strcmp(pool_id, site->pool_id) != 0)
        return OAUTH_SITE_WRONG_POOL;
    site_urls(app, req, site);
    return OAUTH_SITE_OK;
}

int oauth_pool_base_url(struct store_conn *conn, const struct settings *s, const char *pool_id,
                        char *out, size_t n)
{
    char domain[OAUTH_DOMAIN_MAX + 1];
    int rc = pool_domain(conn, pool_id, domain, sizeof(domain));

    if (rc != STORE_OK)
        return rc == STORE_NOT_FOUND ? 0 : -1;
    snprintf(out, n, "%s" DOMAIN_PREFIX "%s", s->public_url, domain);
    return 1;
}

void oauth_ctx_init(struct op_ctx *ctx, const struct app *app, struct store_conn *conn,
                    const char *operation)
{
    memset(ctx, 0, sizeof(*ctx));
    ctx->settings = app->settings;
    ctx->region = app->settings->region;
    ctx->operation = operation;
    ctx->db = conn;
    ctx->now_ms = clock_now_ms();
}

/* ---- Authorization codes ------------------------------------------------------------------ */

void oauth_grant_free(struct oauth_grant *g)
{
    if (g == NULL)
        return;
    free(g->pool_id);
    free(g->client_id);
    free(g->redirect_uri);
    free(g->scope);
    free(g->nonce);
    free(g->code_challenge);
    free(g->code_challenge_method);
    free(g);
}

/* What a code is bound to beyond its pool, client and user, as the JSON the store keeps. */
static char *grant_data(const struct oauth_grant *g)
{
    cJSON *doc = cJSON_CreateObject();
    char *text = NULL;
    int bad = doc == NULL;

    bad = bad || json_set_str(doc, "redirect_uri", g->redirect_uri) != 0;
    bad = bad || json_set_str(doc, "scope", g->scope) != 0;
    bad = bad || (g->nonce && json_set_str(doc, "nonce", g->nonce) != 0);
    bad = bad || (g->code_challenge && json_set_str(doc, "code_challenge", g->code_challenge) != 0);
    bad = bad || (g->code_challenge_method &&
                  json_set_str(doc, "code_challenge_method", g->code_challenge_method) != 0);
    bad = bad || json_set_num(doc, "auth_time", (double)g->auth_time) != 0;
    if (!bad)
        text = cJSON_PrintUnformatted(doc);
    cJSON_Delete(doc);
    return text;
}

int oauth_code_issue(struct store_conn *conn, const struct oauth_grant *g, int64_t now_ms,
                     char **code)
{
    char value[IDS_UUID_LEN + 1], hash[65];
    struct store_oauth_code row = {.pool_id = g->pool_id,
                                   .client_id = g->client_id,
                                   .user_seq = g->user_seq,
                                   .expires_ms = now_ms + OAUTH_CODE_TTL_MS};
    int rc;

    *code = NULL;
    if ((row.data = grant_data(g)) == NULL)
        return STORE_ERROR;
    ids_uuid(value);
    secrets_sha256_hex(value, hash);
    rc = store_oauth_code_put(conn, hash, &row, now_ms);
    free(row.data);
    if (rc == STORE_OK && (*code = strdup(value)) == NULL)
        rc = STORE_ERROR;
    return rc;
}

/* A copy of doc's string member name, or NULL when it has none; *ok drops to 0 on no memory. */
static char *dup_member(const cJSON *doc, const char *name, int *ok)
{
    const char *v = json_str(doc, name);
    char *copy = v != NULL ? strdup(v) : NULL;

    if (v != NULL && copy == NULL)
        *ok = 0;
    return copy;
}

/* The grant that row (taken from the store) was bound to; NULL when out of memory. */
static struct oauth_grant *grant_from(struct store_oauth_code *row)
{
    struct oauth_grant *g = calloc(1, sizeof(*g));
    cJSON *doc = cJSON_Parse(row->data);
    int ok = g != NULL && doc != NULL;

    if (ok) {
        g->pool_id = row->pool_id;
        g->client_id = row->client_id;
        row->pool_id = row->client_id = NULL;
        g->user_seq = row->user_seq;
        g->redirect_uri = dup_member(doc, "redirect_uri", &ok);
        g->scope = dup_member(doc, "scope", &ok);
        g->nonce = dup_member(doc, "nonce", &ok);
        g->code_challenge = dup_member(doc, "code_challenge", &ok);
        g->code_challenge_method = dup_member(doc, "code_challenge_method", &ok);
        g->auth_time = json_int(doc, "auth_time", 0);
    }
    cJSON_Delete(doc);
    if (!ok) {
        oauth_grant_free(g);
        return NULL;
    }
    return g;
}

int oauth_code_redeem(struct store_conn *conn, const char *code, int64_t now_ms,
                      struct oauth_grant **out)
{
    char hash[65];
    struct store_oauth_code *row = NULL;
    int rc;

    *out = NULL;
    secrets_sha256_hex(code, hash);
    rc = store_oauth_code_take(conn, hash, &row);
    if (rc == STORE_OK && row->expires_ms <= now_ms)
        rc = STORE_NOT_FOUND;
    if (rc == STORE_OK && (*out = grant_from(row)) == NULL)
        rc = STORE_ERROR;
    store_oauth_code_free(row);
    return rc;
}

/* ---- URLs ----------------------------------------------------------------------------------- */

char *oauth_url_with(const char *url, bool fragment, const char *const *kv, size_t n)
{
    struct strbuf b = {0};
    char sep = fragment ? '#' : strchr(url, '?') != NULL ? '&' : '?';

    strbuf_puts(&b, url);
    for (size_t i = 0; i + 1 < 2 * n; i += 2) {
        if (kv[i + 1] == NULL)
            continue;
        strbuf_add(&b, &sep, 1);
        strbuf_percent_encode(&b, kv[i], "");
        strbuf_puts(&b, "=");
        strbuf_percent_encode(&b, kv[i + 1], "");
        sep = '&';
    }
    return strbuf_take(&b);
}
