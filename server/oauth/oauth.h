/*
 * oauth: what every endpoint of a user pool's domain shares (the OAuth 2.0 endpoints and the
 * hosted sign-in pages; ../shared/oauth2-hosted-ui.md 2 and 5.3):
 *
 * - The site: which pool and domain a request is for, and the URL the domain's endpoints
 *   answer with. A request names its domain in one of three ways, tried in this order:
 *   1. its path, below DOMAIN_PREFIX<domain> (routes.def DOMAIN rows): no DNS needed;
 *   2. its Host header, when that is a registered custom domain or
 *      "<prefix>.auth.<region>.amazoncognito.com" (a name mapped to the emulator in
 *      /etc/hosts, a compose alias or Chromium's --host-resolver-rules): production
 *      configurations work unchanged;
 *   3. neither (the bare root, as other emulators serve it): the pool of the request's
 *      client, which must have a domain, as in Cognito a pool without one has no endpoints.
 * - The operation context the user-pool functions expect (struct op_ctx), for a request that
 *   is not an AWS operation.
 * - Authorization codes: what /oauth2/authorize binds a code to, and its redemption.
 * - URLs with parameters appended (redirects), percent-encoded.
 */
#ifndef COG_OAUTH_H
#define COG_OAUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "app.h"
#include "aws/op.h"
#include "http/http.h"
#include "store/store.h"
#include "util/ids.h"

/*
 * A domain's endpoints also answer below DOMAIN_PREFIX<domain>:
 * http://localhost:9229/_domain/<prefix>/oauth2/token. A domain in a path is at most
 * OAUTH_DOMAIN_MAX bytes of letters, digits, '-' and '.' (a prefix or a host name).
 */
#define DOMAIN_PREFIX "/_domain/"
#define OAUTH_DOMAIN_MAX 253

/* How a request named its domain (see above). */
enum oauth_site_mode {
    OAUTH_SITE_PATH, /* below DOMAIN_PREFIX<domain> */
    OAUTH_SITE_HOST, /* its Host header */
    OAUTH_SITE_ROOT, /* neither: the domain of its client's pool */
};

/* Where a request to a domain endpoint arrived. */
struct oauth_site {
    enum oauth_site_mode mode;
    char pool_id[IDS_MAX];
    char domain[OAUTH_DOMAIN_MAX + 1]; /* as CreateUserPoolDomain got it: prefix or FQDN */
    /* Where this domain's endpoints are, for the URLs the emulator writes (pages, redirects):
     * "<scheme>://<Host>" + DOMAIN_PREFIX<domain> in path mode, "<scheme>://<Host>" else. */
    char base_url[1024];
    char cookie_path[OAUTH_DOMAIN_MAX + 16]; /* "/", or DOMAIN_PREFIX<domain> in path mode */
    bool secure;                             /* came over TLS: cookies get Secure */
};

enum oauth_site_status {
    OAUTH_SITE_OK = 0,
    OAUTH_SITE_NO_DOMAIN,  /* the domain named is not registered; at the root: pool_id has none */
    OAUTH_SITE_WRONG_POOL, /* pool_id is not the pool of the domain the request named */
    OAUTH_SITE_NO_POOL,    /* at the root, without a pool_id to find the domain by */
    OAUTH_SITE_ERROR,      /* the store failed (logged) */
};

/*
 * Resolve the site of req: domain is what its route captured ("" at the root); pool_id, when
 * not NULL, is the pool the request is about (its client's, its token's), which a domain
 * the request named must belong to and which finds the domain at the root. On OAUTH_SITE_OK
 * *site is filled.
 */
enum oauth_site_status oauth_site_resolve(struct store_conn *conn, const struct app *app,
                                          const struct http_request *req, const char *domain,
                                          const char *pool_id, struct oauth_site *site);

/*
 * The public base URL of the endpoints of pool_id's domain, as discovery advertises them:
 * "<public URL>" + DOMAIN_PREFIX<prefix domain, else custom domain>, written into out (size
 * n). 1 when the pool has a domain, 0 when it has none, -1 when the store failed.
 */
int oauth_pool_base_url(struct store_conn *conn, const struct settings *s, const char *pool_id,
                        char *out, size_t n);

/*
 * Fill *ctx for user-pool functions called by a domain endpoint: the settings, the default
 * region, conn, the emulator clock's now, operation (a label such as "oauth2/token"); no
 * input or output object.
 */
void oauth_ctx_init(struct op_ctx *ctx, const struct app *app, struct store_conn *conn,
                    const char *operation);

/* ---- Authorization codes ------------------------------------------------------------------ */

/* How long an authorization code may be redeemed: five minutes, as Cognito's. */
#define OAUTH_CODE_TTL_MS (5 * 60 * 1000)

/* What an authorization code is bound to (strings owned by the struct; NULL when absent). */
struct oauth_grant {
    char *pool_id;
    char *client_id;
    int64_t user_seq;
    char *redirect_uri;          /* as the authorize request sent it */
    char *scope;                 /* the scopes granted, space-separated */
    char *nonce;                 /* copied into the ID token */
    char *code_challenge;        /* PKCE */
    char *code_challenge_method; /* "S256" */
    int64_t auth_time;           /* seconds: when the user signed in with a form */
};

void oauth_grant_free(struct oauth_grant *g);

/*
 * Hand out a new one-time code for g, valid OAUTH_CODE_TTL_MS from now_ms. On STORE_OK *code
 * is the code (a UUID, as Cognito's; the caller frees it); the store keeps only its hash.
 */
int oauth_code_issue(struct store_conn *conn, const struct oauth_grant *g, int64_t now_ms,
                     char **code);

/*
 * Redeem code: at most once, whatever the outcome. On STORE_OK *out is what the code was bound
 * to (oauth_grant_free); STORE_NOT_FOUND for an unknown, used or expired code.
 */
int oauth_code_redeem(struct store_conn *conn, const char *code, int64_t now_ms,
                      struct oauth_grant **out);

/* ---- URLs ----------------------------------------------------------------------------------- */

/*
 * url with the n name/value pairs of kv (kv[2i], kv[2i+1]; a NULL value skips its pair)
 * appended, percent-encoded: after '#' when fragment is true (implicit grant), else as a
 * query, after '&' when url already has one. The caller frees it; NULL when out of memory.
 */
char *oauth_url_with(const char *url, bool fragment, const char *const *kv, size_t n);

#endif
