/*
 * store_identity: the records of identity pools beyond their settings document: identities,
 * the logins linked to them (user-pool users and developer user identifiers), and the temporary
 * credentials handed out for them. The signing key of cognito-identity's OpenID tokens is in
 * store_keys.c. See store.h for the contract.
 *
 * Identities belong to their identity pool (deleted with it); logins belong to their identity
 * (deleted with it, moved by a merge). Issued credentials are a log that outlives both, so
 * that an access key still maps to the identity it was issued for; rows long expired are
 * pruned when new ones are written.
 */
#include "config.h"

#include "store_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Credentials expired for longer than this are pruned when new ones are recorded. */
#define CREDENTIALS_KEEP_MS (24LL * 3600 * 1000)

#define IDENTITY_COLUMNS "seq, id, pool_id, authenticated, disabled, created_ms, modified_ms"
#define LOGIN_COLUMNS                                                                              \
    "l.pool_id, l.provider, l.subject, l.identity_seq, i.id, l.developer, l.user_pool_id,"         \
    " l.username, l.created_ms, l.used_ms"

static const char SQL_IDENTITY_INSERT[] =
    "INSERT INTO identities (id, pool_id, authenticated, disabled, created_ms, modified_ms)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
static const char SQL_IDENTITY_GET[] = "SELECT " IDENTITY_COLUMNS " FROM identities WHERE id = ?1";
static const char SQL_IDENTITY_UPDATE[] =
    "UPDATE identities SET authenticated = ?2, disabled = ?3, modified_ms = ?4 WHERE seq = ?1";
static const char SQL_IDENTITY_DELETE[] = "DELETE FROM identities WHERE id = ?1";
static const char SQL_IDENTITY_LIST[] =
    "SELECT " IDENTITY_COLUMNS " FROM identities WHERE pool_id = ?1 AND seq > ?2"
    " AND (?3 = 0 OR disabled = 0) ORDER BY seq LIMIT ?4";

static const char SQL_LOGIN_GET[] =
    "SELECT " LOGIN_COLUMNS " FROM identity_logins l JOIN identities i ON i.seq = l.identity_seq"
    " WHERE l.pool_id = ?1 AND l.provider = ?2 AND l.subject = ?3";
/* A link already there keeps its creation time and, when the new one has none, its username. */
static const char SQL_LOGIN_PUT[] =
    "INSERT INTO identity_logins (pool_id, provider, subject, identity_seq, developer,"
    " user_pool_id, username, created_ms, used_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
    " ON CONFLICT (pool_id, provider, subject) DO UPDATE SET identity_seq = excluded.identity_seq,"
    " user_pool_id = coalesce(excluded.user_pool_id, user_pool_id),"
    " username = coalesce(excluded.username, username), used_ms = excluded.used_ms";
static const char SQL_LOGIN_DELETE[] =
    "DELETE FROM identity_logins WHERE pool_id = ?1 AND provider = ?2 AND subject = ?3";
static const char SQL_LOGIN_BY_IDENTITY[] =
    "SELECT " LOGIN_COLUMNS " FROM identity_logins l JOIN identities i ON i.seq = l.identity_seq"
    " WHERE l.identity_seq = ?1 ORDER BY l.created_ms, l.provider, l.subject";
static const char SQL_LOGIN_BY_USER[] =
    "SELECT " LOGIN_COLUMNS " FROM identity_logins l JOIN identities i ON i.seq = l.identity_seq"
    " WHERE l.user_pool_id = ?1 AND (l.subject = ?2 OR (?3 IS NOT NULL AND l.username = ?3))"
    " ORDER BY i.seq";
static const char SQL_LOGIN_MOVE[] =
    "UPDATE identity_logins SET identity_seq = ?2 WHERE identity_seq = ?1";

static const char SQL_CREDENTIALS_PRUNE[] =
    "DELETE FROM identity_credentials WHERE expires_ms < ?1";
static const char SQL_CREDENTIALS_PUT[] =
    "INSERT INTO identity_credentials (access_key_id, identity_id, pool_id, role_arn, auth_type,"
    " auth_provider, created_ms, expires_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
static const char SQL_CREDENTIALS_GET[] =
    "SELECT access_key_id, identity_id, pool_id, role_arn, auth_type, auth_provider, created_ms,"
    " expires_ms FROM identity_credentials WHERE access_key_id = ?1";

/* ---- Identities ------------------------------------------------------------------------- */

void store_identity_free(struct store_identity *i)
{
    if (i == NULL)
        return;
    free(i->id);
    free(i->pool_id);
    free(i);
}

/* The identity in the current row of a statement selecting IDENTITY_COLUMNS, or NULL. */
static struct store_identity *identity_from_row(sqlite3_stmt *st)
{
    struct store_identity *i = calloc(1, sizeof(*i));
    int ok = 1;

    if (i == NULL)
        return NULL;
    i->seq = sqlite3_column_int64(st, 0);
    i->id = store_column_or_null(st, 1, &ok);
    i->pool_id = store_column_or_null(st, 2, &ok);
    i->authenticated = sqlite3_column_int(st, 3);
    i->disabled = sqlite3_column_int(st, 4);
    i->created_ms = sqlite3_column_int64(st, 5);
    i->modified_ms = sqlite3_column_int64(st, 6);
    if (!ok || i->id == NULL || i->pool_id == NULL) {
        store_identity_free(i);
        return NULL;
    }
    return i;
}

int store_identity_insert(struct store_conn *conn, struct store_identity *i)
{
    sqlite3_stmt *st = store_stmt(conn, SQL_IDENTITY_INSERT);
    int status;

    if (st == NULL)
        return STORE_ERROR;
    store_bind_text(st, 1, i->id);
    store_bind_text(st, 2, i->pool_id);
    sqlite3_bind_int(st, 3, i->authenticated);
    sqlite3_bind_int(st, 4, i->disabled);
    sqlite3_bind_int64(st, 5, i->created_ms);
    sqlite3_bind_int64(st, 6, i->modified_ms);
    if ((status = store_finish(conn, st, "insert identity")) == STORE_OK)
        i->seq = sqlite3_last_insert_rowid(conn->db);
    return status;
}

int store_identity_get(struct store_conn *conn, const char *id, struct store_identity **out)
{
    sqlite3_stmt *st = store_stmt(conn, SQL_IDENTITY_GET);
    int rc, status;

    *out = NULL;
    if (st == NULL)
        return STORE_ERROR;
    store_bind_text(st, 1, id);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *out = identity_from_row(st);
        status = *out ? STORE_OK : STORE_ERROR;
    } else {
        status = rc == SQLITE_DONE ? STORE_NOT_FOUND : store_status_from(conn, rc, "get identity");
    }
    store_stmt_done(st);
    return status;
}

int store_identity_update(struct store_conn *conn, const struct store_identity *i)
{
    sqlite3_stmt *st = store_stmt(conn, SQL_IDENTITY_UPDATE);

    if (st == NULL)
        return STORE_ERROR;
    sqlite3_bind_int64(st, 1, i->seq);
    sqlite3_bind_int(st, 2, i->authenticated);
    sqlite3_bind_int(st, 3, i->disabled);
    sqlite3_bind_int64(st, 4, i->modified_ms);
    return store_finish_change(conn, st, "update identity");
}

int store_identity_delete(struct store_conn *conn, const char *id)
{
    sqlite3_stmt *st = store_stmt(conn, SQL_IDENTITY_DELETE);

    if (st == NULL)
        return STORE_ERROR;
    store_bind_text(st, 1, id);
    return store_finish_change(conn, st, "delete identity");
}

void store_identity_page_free(struct store_identity_page *page)
{
    for (size_t i = 0; i < page->count; i++)
        store_identity_free(page->identities[i]);
    free(page->identities);
    free(page->next_token);
    memset(page, 0, sizeof(*page));
}

/* store_row_fn: the row appended to a struct store_identity_page. */
static int keep_identity(void *arg, sqlite3_stmt *st)
{
    struct store_identity_page *page = arg;

    if ((page->identities[page->count] = identity_from_row(st)) == NULL)
        return -1;
    page->count++;
    return 0;
}

int store_identity_list(struct store_conn *conn, const char *pool_id, int hide_disabled,
                        const char *token, int limit, struct store_identity_page *page)
{
    sqlite3_stmt *st;
    int64_t after;
    int status;

    memset(page, 0, sizeof(*page));
    if (store_parse_token(token, &after) != 0)
        return STORE_BAD_TOKEN;
    if (limit < 1)
        limit = 1;
    page->identities = calloc((size_t)limit, sizeof(*page->identities));
    if (page->identities == NULL || (st = store_stmt(conn, SQL_IDENTITY_LIST)) == NULL) {
        store_identity_page_free(page);
        return STORE_ERROR;
    }
    store_bind_text(st, 1, pool_id);
    sqlite3_bind_int64(st, 2, after);
    sqlite3_bind_int(st, 3, hide_disabled ? 1 : 0);
    sqlite3_bind_int(st, 4, limit + 1); /* one more tells whether a next page exists */
    status = store_page_rows(conn, st, limit, 0, 0, keep_identity, page, &page->next_token,
                             "list identities");
    if (status != STORE_OK)
        store_identity_page_free(page);
    return status;
}

/* ---- Logins ----------------------------------------------------------------------------- */

void store_login_free(struct store_login *l)
{
    if (l == NULL)
        return;
    free(l->pool_id);
    free(l->provider);
    free(l->subject);
    free(l->identity_id);
    free(l->user_pool_id);
    free(l->username);
    free(l);
}

/* The login in the current row of a statement selecting LOGIN_COLUMNS, or NULL. */
static struct store_login *login_from_row(sqlite3_stmt *st)
{
    struct store_login *l = calloc(1, sizeof(*l));
    int ok = 1;

    if (l == NULL)
        return NULL;
    l->pool_id = store_column_or_null(st, 0, &ok);
    l->provider = store_column_or_null(st, 1, &ok);
    l->subject = store_column_or_null(st, 2, &ok);
    l->identity_seq = sqlite3_column_int64(st, 3);
    l->identity_id = store_column_or_null(st, 4, &ok);
    l->developer = sqlite3_column_int(st, 5);
    l->user_pool_id = store_column_or_null(st, 6, &ok);
    l->username = store_column_or_null(st, 7, &ok);
    l->created_ms = sqlite3_column_int64(st, 8);
    l->used_ms = sqlite3_column_int64(st, 9);
    if (!ok || l->pool_id == NULL || l->provider == NULL || l->subject == NULL ||
        l->identity_id == NULL) {
        store_login_free(l);
        return NULL;
    }
    return l;
}

int store_login_get(struct store_conn *conn, const char *pool_id, const char *provider,
                    const char *subject, struct store_login **out)
{
    sqlite3_stmt *st = store_stmt(conn, SQL_LOGIN_GET);
    int rc, status;

    *out = NULL;
    if (st == NULL)
        return STORE_ERROR;
    store_bind_text(st, 1, pool_id);
    store_bind_text(st, 2, provider);
    store_bind_text(st, 3, subject);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *out = login_from_row(st);
        status = *out ? STORE_OK : STORE_ERROR;
    } else {
        status = rc == SQLITE_DONE ? STORE_NOT_FOUND : store_status_from(conn, rc, "get login");
    }
    store_stmt_done(st);
    return status;
}

int store_login_put(struct store_conn *conn, const struct store_login *l)
{
    sqlite3_stmt *st = store_stmt(conn, SQL_LOGIN_PUT);

    if (st == NULL)
        return STORE_ERROR;
    store_bind_text(st, 1, l->pool_id);
    store_bind_text(st, 2, l->provider);
    store_bind_text(st, 3, l->subject);
    sqlite3_bind_int64(st, 4, l->identity_seq);
    sqlite3_bind_int(st, 5, l->developer ? 1 : 0);
    store_bind_text(st, 6, l->user_pool_id);
    store_bind_text(st, 7, l->username);
    sqlite3_bind_int64(st, 8, l->created_ms);
    sqlite3_bind_int64(st, 9, l->used_ms);
    return store_finish_change(conn, st, "put login");
}

int store_login_delete(struct store_conn *conn, const char *pool_id, const char *provider,
                       const char *subject)
{
    sqlite3_stmt *st = store_stmt(conn, SQL_LOGIN_DELETE);

    if (st == NULL)
        return STORE_ERROR;
    store_bind_text(st, 1, pool_id);
    store_bind_text(st, 2, provider);
    store_bind_text(st, 3, subject);
    return store_finish_change(conn, st, "delete login");
}

void store_login_list_free(struct store_login_list *list)
{
    for (size_t i = 0; i < list->count; i++)
        store_login_free(list->logins[i]);
    free(list->logins);
    memset(list, 0, sizeof(*list));
}

/* Step a bound statement selecting LOGIN_COLUMNS into list (every row). */
static int collect_logins(struct store_conn *conn, sqlite3_stmt *st, struct store_login_list *list)
{
    size_t cap = 0;
    int rc, status = STORE_OK;

    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct store_login *l;
        if (list->count == cap) {
            size_t grown_cap = cap ? cap * 2 : 4;
            struct store_login **grown = realloc(list->logins, grown_cap * sizeof(*grown));
            if (grown == NULL) {
                status = STORE_ERROR;
                break;
            }
            list->logins = grown;
            cap = grown_cap;
        }
        if ((l = login_from_row(st)) == NULL) {
            status = STORE_ERROR;
            break;
        }
        list->logins[list->count++] = l;
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        status = store_status_from(conn, rc, "list logins");
    store_stmt_done(st);
    if (status != STORE_OK)
        store_login_list_free(list);
    return status;
}

int store_login_list(struct store_conn *conn, int64_t identity_seq, struct store_login_list *list)
{
    sqlite3_stmt *st = store_stmt(conn, SQL_LOGIN_BY_IDENTITY);

    memset(list, 0, sizeof(*list));
    if (st == NULL)
        return STORE_ERROR;
    sqlite3_bind_int64(st, 1, identity_seq);
    return collect_logins(conn, st, list);
}

int store_login_list_by_user(struct store_conn *conn, const char *user_pool_id, const char *sub,
                             const char *username, struct store_login_list *list)
{
    sqlite3_stmt *st = store_stmt(conn, SQL_LOGIN_BY_USER);

    memset(list, 0, sizeof(*list));
    if (st == NULL)
        return STORE_ERROR;
    store_bind_text(st, 1, user_pool_id);
    store_bind_text(st, 2, sub);
    store_bind_text(st, 3, username);
    return collect_logins(conn, st, list);
}

int store_login_move(struct store_conn *conn, int64_t from_seq, int64_t to_seq)
{
    sqlite3_stmt *st = store_stmt(conn, SQL_LOGIN_MOVE);
    int rc;

    if (st == NULL)
        return STORE_ERROR;
    sqlite3_bind_int64(st, 1, from_seq);
    sqlite3_bind_int64(st, 2, to_seq);
    rc = store_finish_change(conn, st, "move logins");
    return rc == STORE_NOT_FOUND ? STORE_OK : rc;
}

/* ---- Issued credentials ----------------------------------------------------------------- */

void store_credentials_free(struct store_credentials *c)
{
    if (c == NULL)
        return;
    free(c->access_key_id);
    free(c->identity_id);
    free(c->pool_id);
    free(c->role_arn);
    free(c->auth_type);
    free(c->auth_provider);
    free(c);
}

int store_credentials_put(struct store_conn *conn, const struct store_credentials *c)
{
    sqlite3_stmt *st = store_stmt(conn, SQL_CREDENTIALS_PRUNE);
    int rc;

    if (st == NULL)
        return STORE_ERROR;
    sqlite3_bind_int64(st, 1, c->created_ms - CREDENTIALS_KEEP_MS);
    rc = store_finish_change(conn, st, "prune credentials");
    if (rc != STORE_OK && rc != STORE_NOT_FOUND)
        return rc;
    if ((st = store_stmt(conn, SQL_CREDENTIALS_PUT)) == NULL)
        return STORE_ERROR;
    store_bind_text(st, 1, c->access_key_id);
    store_bind_text(st, 2, c->identity_id);
    store_bind_text(st, 3, c->pool_id);
    store_bind_text(st, 4, c->role_arn);
    store_bind_text(st, 5, c->auth_type);
    store_bind_text(st, 6, c->auth_provider);
    sqlite3_bind_int64(st, 7, c->created_ms);
    sqlite3_bind_int64(st, 8, c->expires_ms);
    return store_finish_change(conn, st, "put credentials");
}

int store_credentials_get(struct store_conn *conn, const char *access_key_id,
                          struct store_credentials **out)
{
    sqlite3_stmt *st = store_stmt(conn, SQL_CREDENTIALS_GET);
    struct store_credentials *c = NULL;
    int rc, status, ok = 1;

    *out = NULL;
    if (st == NULL)
        return STORE_ERROR;
    store_bind_text(st, 1, access_key_id);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        c = calloc(1, sizeof(*c));
        if (c != NULL) {
            c->access_key_id = store_column_or_null(st, 0, &ok);
            c->identity_id = store_column_or_null(st, 1, &ok);
            c->pool_id = store_column_or_null(st, 2, &ok);
            c->role_arn = store_column_or_null(st, 3, &ok);
            c->auth_type = store_column_or_null(st, 4, &ok);
            c->auth_provider = store_column_or_null(st, 5, &ok);
            c->created_ms = sqlite3_column_int64(st, 6);
            c->expires_ms = sqlite3_column_int64(st, 7);
        }
        if (c == NULL || !ok) {
            store_credentials_free(c);
            c = NULL;
        }
        status = c ? STORE_OK : STORE_ERROR;
    } else {
        status =
            rc == SQLITE_DONE ? STORE_NOT_FOUND : store_status_from(conn, rc, "get credentials");
    }
    store_stmt_done(st);
    *out = c;
    return status;
}
