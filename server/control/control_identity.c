/*
 * control_identity: the mapping Cognito never gives, in the control API (control.h):
 *
 *   GET /_emu/identities/<identityId>
 *       the identity's pool, its linked logins (provider, user-pool sub and username, or
 *       developer user identifier) and its times;
 *   GET /_emu/user-pools/<poolId>/users/<username or sub>/identities
 *       the identities of a user-pool user, across identity pools;
 *   GET /_emu/credentials/<accessKeyId>
 *       what an access key from GetCredentialsForIdentity was issued for: identity, pool,
 *       role, expiry, and requestContext.identity's cognitoAuthenticationType and
 *       cognitoAuthenticationProvider as API Gateway fills them;
 *   GET /_emu/identity/jwks.json
 *       the JWKS that verifies the OpenID tokens of GetOpenIdToken*.
 *
 * Members are lowerCamelCase like the rest of the control API; times are epoch seconds, as in
 * AWS responses. Unknown ids answer 404 {"error": "NotFound", "message": ...}. Like the other
 * control handlers, these read the store only through store_* and keys_identity_jwks().
 */
#include "config.h"

#include <cJSON.h>
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/clock.h"
#include "control/control.h"
#include "crypto/keys.h"
#include "util/jsonutil.h"
#include "store/store.h"

#define SEGMENT_MAX 1100 /* a username or developer id is at most 1024 characters */

/* Copy the path segment at *p (after its '/') into out and advance *p. false when empty. */
static bool next_segment(const char **p, char *out, size_t n)
{
    const char *start = *p, *end;
    size_t len;

    if (*start != '/')
        return false;
    start++;
    end = strchr(start, '/');
    len = end ? (size_t)(end - start) : strlen(start);
    if (len == 0 || len >= n)
        return false;
    memcpy(out, start, len);
    out[len] = '\0';
    *p = start + len;
    return true;
}

/* One linked login as the mapping shows it. NULL when out of memory. */
static cJSON *login_json(const struct store_login *l, bool with_identity)
{
    cJSON *o = cJSON_CreateObject();
    bool bad = o == NULL;

    if (with_identity) {
        bad = bad || json_set_str(o, "identityId", l->identity_id) != 0;
        bad = bad || json_set_str(o, "identityPoolId", l->pool_id) != 0;
    }
    bad = bad || json_set_str(o, "provider", l->provider) != 0;
    if (l->developer) {
        bad = bad || json_set_str(o, "developerUserIdentifier", l->subject) != 0;
    } else if (l->user_pool_id != NULL) {
        bad = bad || json_set_str(o, "userPoolId", l->user_pool_id) != 0;
        bad = bad || json_set_str(o, "sub", l->subject) != 0;
        if (l->username != NULL)
            bad = bad || json_set_str(o, "username", l->username) != 0;
    } else {
        bad = bad || json_set_str(o, "subject", l->subject) != 0;
    }
    bad = bad || json_set_num(o, "linkedDate", json_epoch(l->created_ms)) != 0;
    bad = bad || json_set_num(o, "lastUsedDate", json_epoch(l->used_ms)) != 0;
    if (bad) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

/* GET /_emu/identities/<identityId>: the identity and its logins. */
void control_identity_get(const struct control_req *req, struct http_response *resp)
{
    const char *p = req->rest;
    char id[SEGMENT_MAX];
    struct store_conn *db;
    struct store_identity *ident = NULL;
    struct store_login_list logins = {0};
    cJSON *doc = NULL, *list = NULL;
    int st;

    if (!next_segment(&p, id, sizeof(id)) || *p != '\0') {
        control_error(resp, 404, "NotFound", "Use GET %s/identities/<identityId>.", CONTROL_PREFIX);
        return;
    }
    db = store_acquire(req->app->store);
    st = store_identity_get(db, id, &ident);
    if (st == STORE_OK)
        st = store_login_list(db, ident->seq, &logins);
    store_release(req->app->store, db);
    if (st == STORE_NOT_FOUND) {
        control_error(resp, 404, "NotFound", "Identity '%.64s' not found.", id);
        return;
    }
    if (st != STORE_OK) {
        store_identity_free(ident);
        control_error(resp, 500, "InternalError", "Could not read the identity.");
        return;
    }
    doc = cJSON_CreateObject();
    list = cJSON_CreateArray();
    for (size_t i = 0; list != NULL && i < logins.count; i++) {
        cJSON *l = login_json(logins.logins[i], false);
        if (l == NULL || !cJSON_AddItemToArray(list, l)) {
            cJSON_Delete(l);
            cJSON_Delete(list);
            list = NULL;
        }
    }
    if (doc == NULL || list == NULL || json_set_str(doc, "identityId", ident->id) != 0 ||
        json_set_str(doc, "identityPoolId", ident->pool_id) != 0 ||
        json_set_bool(doc, "authenticated", ident->authenticated) != 0 ||
        json_set_bool(doc, "disabled", ident->disabled) != 0 ||
        json_set_num(doc, "creationDate", json_epoch(ident->created_ms)) != 0 ||
        json_set_num(doc, "lastModifiedDate", json_epoch(ident->modified_ms)) != 0 ||
        json_set_item(doc, "logins", list) != 0) {
        if (doc == NULL || json_get(doc, "logins") != list)
            cJSON_Delete(list);
        cJSON_Delete(doc);
        doc = NULL;
    }
    store_login_list_free(&logins);
    store_identity_free(ident);
    control_json(resp, 200, doc);
}

/* The user of pool_id called name (username, its lower-case form, or sub), or NULL. */
static struct store_user *find_user(struct store_conn *db, const char *pool_id, const char *name,
                                    int *status)
{
    struct store_user *u = NULL;
    char lower[SEGMENT_MAX];
    size_t i;

    if ((*status = store_user_get(db, pool_id, name, &u)) != STORE_NOT_FOUND)
        return u;
    for (i = 0; name[i] != '\0' && i + 1 < sizeof(lower); i++)
        lower[i] = (char)tolower((unsigned char)name[i]);
    lower[i] = '\0';
    if ((*status = store_user_get(db, pool_id, lower, &u)) != STORE_NOT_FOUND)
        return u;
    *status = store_user_get_by_sub(db, pool_id, name, &u);
    return u;
}

/* GET /_emu/user-pools/<poolId>/users/<username or sub>/identities. */
void control_user_identities(const struct control_req *req, struct http_response *resp)
{
    const char *p = req->rest;
    char pool_id[SEGMENT_MAX], word[SEGMENT_MAX], name[SEGMENT_MAX], tail[SEGMENT_MAX];
    struct store_conn *db;
    struct store_user *u = NULL;
    struct store_login_list logins = {0};
    cJSON *doc = NULL, *list = NULL;
    const char *sub, *username;
    int st;

    if (!next_segment(&p, pool_id, sizeof(pool_id)) || !next_segment(&p, word, sizeof(word)) ||
        strcmp(word, "users") != 0 || !next_segment(&p, name, sizeof(name)) ||
        !next_segment(&p, tail, sizeof(tail)) || strcmp(tail, "identities") != 0 || *p != '\0') {
        control_error(resp, 404, "NotFound",
                      "Use GET %s/user-pools/<poolId>/users/<username or sub>/identities.",
                      CONTROL_PREFIX);
        return;
    }
    db = store_acquire(req->app->store);
    u = find_user(db, pool_id, name, &st);
    /* A deleted user is still found by the sub or username its logins recorded. */
    sub = u ? u->sub : name;
    username = u ? u->username : name;
    if (st != STORE_ERROR)
        st = store_login_list_by_user(db, pool_id, sub, username, &logins);
    store_release(req->app->store, db);
    if (st != STORE_OK) {
        store_user_free(u);
        control_error(resp, 500, "InternalError", "Could not read the user's identities.");
        return;
    }
    if (u == NULL && logins.count == 0) {
        control_error(resp, 404, "NotFound", "User '%.128s' of user pool %.64s not found.", name,
                      pool_id);
        return;
    }
    if (u == NULL) { /* name the user as its logins recorded it */
        sub = logins.logins[0]->subject;
        username = logins.logins[0]->username;
    }
    doc = cJSON_CreateObject();
    list = cJSON_CreateArray();
    for (size_t i = 0; list != NULL && i < logins.count; i++) {
        cJSON *l = login_json(logins.logins[i], true);
        if (l == NULL || !cJSON_AddItemToArray(list, l)) {
            cJSON_Delete(l);
            cJSON_Delete(list);
            list = NULL;
        }
    }
    if (doc == NULL || list == NULL || json_set_str(doc, "userPoolId", pool_id) != 0 ||
        (username != NULL && json_set_str(doc, "username", username) != 0) ||
        json_set_str(doc, "sub", sub) != 0 || json_set_bool(doc, "userExists", u != NULL) != 0 ||
        json_set_item(doc, "identities", list) != 0) {
        if (doc == NULL || json_get(doc, "identities") != list)
            cJSON_Delete(list);
        cJSON_Delete(doc);
        doc = NULL;
    }
    store_login_list_free(&logins);
    store_user_free(u);
    control_json(resp, 200, doc);
}

/* GET /_emu/credentials/<accessKeyId>: what the access key was issued for. */
void control_credentials_get(const struct control_req *req, struct http_response *resp)
{
    const char *p = req->rest;
    char key[SEGMENT_MAX];
    struct store_conn *db;
    struct store_credentials *c = NULL;
    cJSON *doc;
    int st;

    if (!next_segment(&p, key, sizeof(key)) || *p != '\0') {
        control_error(resp, 404, "NotFound", "Use GET %s/credentials/<accessKeyId>.",
                      CONTROL_PREFIX);
        return;
    }
    db = store_acquire(req->app->store);
    st = store_credentials_get(db, key, &c);
    store_release(req->app->store, db);
    if (st == STORE_NOT_FOUND) {
        control_error(resp, 404, "NotFound",
                      "No credentials with access key id '%.64s' were issued (or they expired "
                      "more than a day ago).",
                      key);
        return;
    }
    if (st != STORE_OK) {
        control_error(resp, 500, "InternalError", "Could not read the credentials.");
        return;
    }
    doc = cJSON_CreateObject();
    if (doc == NULL || json_set_str(doc, "accessKeyId", c->access_key_id) != 0 ||
        json_set_str(doc, "identityId", c->identity_id) != 0 ||
        json_set_str(doc, "identityPoolId", c->pool_id) != 0 ||
        json_set_str(doc, "roleArn", c->role_arn) != 0 ||
        json_set_str(doc, "cognitoAuthenticationType", c->auth_type) != 0 ||
        (c->auth_provider != NULL &&
         json_set_str(doc, "cognitoAuthenticationProvider", c->auth_provider) != 0) ||
        json_set_num(doc, "issuedDate", json_epoch(c->created_ms)) != 0 ||
        json_set_num(doc, "expiration", json_epoch(c->expires_ms)) != 0 ||
        json_set_bool(doc, "expired", c->expires_ms <= clock_now_ms()) != 0) {
        cJSON_Delete(doc);
        doc = NULL;
    }
    store_credentials_free(c);
    control_json(resp, 200, doc);
}

/* GET /_emu/identity/jwks.json: the keys of cognito-identity's OpenID tokens. */
void control_identity_jwks(const struct control_req *req, struct http_response *resp)
{
    struct store_conn *db;
    cJSON *jwks;

    if (req->rest[0] != '\0') {
        control_error(resp, 404, "NotFound", "No control endpoint %s.", req->http->path);
        return;
    }
    db = store_acquire(req->app->store);
    jwks = keys_identity_jwks(db);
    store_release(req->app->store, db);
    if (jwks == NULL) {
        control_error(resp, 500, "InternalError", "Could not make the OpenID token key.");
        return;
    }
    control_json(resp, 200, jwks);
}
