/*
 * store_user: the users of user pools and what the store keeps of each beside its row: the
 * aliases it can also sign in with, its pending codes (confirmation, verification, reset), and
 * attribute values awaiting verification (AttributesRequireVerificationBeforeUpdate); and
 * store_user_set_identity(), the re-keying by which a fixture gives a user a fixed sub and
 * username. What a sign-in leaves (sessions, refresh tokens, sign-outs, lockouts) is in
 * store_auth.c, MFA settings in store_mfa.c. See store.h for the contract.
 */
#include "config.h"

#include "store_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define USER_COLUMNS                                                                               \
    "seq, pool_id, username, username_key, sub, status, enabled, attributes, srp_salt, "           \
    "srp_verifier, created_ms, modified_ms"

static const char SQL_USER_INSERT[] =
    "INSERT INTO users (pool_id, username, username_key, sub, status, enabled, attributes,"
    " srp_salt, srp_verifier, created_ms, modified_ms)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)";
static const char SQL_USER_BY_KEY[] =
    "SELECT " USER_COLUMNS " FROM users WHERE pool_id = ?1 AND username_key = ?2";
static const char SQL_USER_BY_SUB[] =
    "SELECT " USER_COLUMNS " FROM users WHERE pool_id = ?1 AND sub = ?2";
static const char SQL_USER_BY_SEQ[] = "SELECT " USER_COLUMNS " FROM users WHERE seq = ?1";
static const char SQL_USER_BY_ALIAS[] =
    "SELECT " USER_COLUMNS " FROM users WHERE seq ="
    " (SELECT user_seq FROM user_aliases WHERE pool_id = ?1 AND name = ?2 AND value_key = ?3)";
static const char SQL_USER_UPDATE[] =
    "UPDATE users SET status = ?2, enabled = ?3, attributes = ?4, srp_salt = ?5,"
    " srp_verifier = ?6, modified_ms = ?7 WHERE seq = ?1";
static const char SQL_USER_IDENTITY[] =
    "UPDATE users SET sub = ?2, username = ?3, username_key = ?4,"
    " attributes = json_set(attributes, '$.sub', ?2) WHERE seq = ?1";
static const char SQL_USER_DELETE[] = "DELETE FROM users WHERE seq = ?1";
static const char SQL_USER_COUNT[] = "SELECT count(*) FROM users WHERE pool_id = ?1";
/*
 * ListUsers: ?3 names what is filtered (an attribute, or username / cognito:user_status /
 * status, which live in columns), ?4 the value, ?5 = 1 for a prefix match.
 */
static const char SQL_USER_LIST[] =
    "SELECT " USER_COLUMNS " FROM (SELECT *, CASE ?3"
    "   WHEN 'username' THEN username"
    "   WHEN 'cognito:user_status' THEN status"
    "   WHEN 'status' THEN CASE enabled WHEN 1 THEN 'Enabled' ELSE 'Disabled' END"
    "   ELSE json_extract(attributes, '$.\"' || ?3 || '\"') END AS filtered"
    " FROM users WHERE pool_id = ?1 AND seq > ?2)"
    " WHERE ?3 IS NULL OR (?5 = 0 AND filtered = ?4)"
    "    OR (?5 = 1 AND substr(filtered, 1, length(?4)) = ?4)"
    " ORDER BY seq LIMIT ?6";

static const char SQL_ALIAS_SET[] =
    "INSERT INTO user_aliases (pool_id, name, value_key, user_seq) VALUES (?1, ?2, ?3, ?4)"
    " ON CONFLICT (user_seq, name) DO UPDATE SET value_key = excluded.value_key";
static const char SQL_ALIAS_OWNER[] =
    "SELECT user_seq FROM user_aliases WHERE pool_id = ?1 AND name = ?2 AND value_key = ?3";
static const char SQL_ALIAS_CLEAR[] = "DELETE FROM user_aliases WHERE user_seq = ?1 AND name = ?2";

static const char SQL_CODE_PUT[] = "INSERT OR REPLACE INTO user_codes (user_seq, purpose, code, "
                                   "expires_ms) VALUES (?1, ?2, ?3, ?4)";
static const char SQL_CODE_GET[] =
    "SELECT code, expires_ms FROM user_codes WHERE user_seq = ?1 AND purpose = ?2";
static const char SQL_CODE_DELETE[] = "DELETE FROM user_codes WHERE user_seq = ?1 AND purpose = ?2";

static const char SQL_PENDING_PUT[] =
    "INSERT OR REPLACE INTO user_pending_attributes (user_seq, name, value) VALUES (?1, ?2, ?3)";
static const char SQL_PENDING_GET[] =
    "SELECT value FROM user_pending_attributes WHERE user_seq = ?1 AND name = ?2";
static const char SQL_PENDING_DELETE[] =
    "DELETE FROM user_pending_attributes WHERE user_seq = ?1 AND name = ?2";

/* ---- Users ------------------------------------------------------------------------------- */

void store_user_free(struct store_user *u)
{
    if (u == NULL)
        return;
    free(u->pool_id);
    free(u->username);
    free(u->username_key);
    free(u->sub);
    free(u->status);
    free(u->attributes);
    free(u->srp_salt);
    free(u->srp_verifier);
    free(u);
}

/* The user in the current row of a statement selecting USER_COLUMNS, or NULL (no memory). */
static struct store_user *user_from_row(sqlite3_stmt *st)
{
    struct store_user *u = calloc(1, sizeof(*u));
    int ok = 1;

    if (u == NULL)
        return NULL;
    u->seq = sqlite3_column_int64(st, 0);
    u->pool_id = store_column_or_null(st, 1, &ok);
    u->username = store_column_or_null(st, 2, &ok);
    u->username_key = store_column_or_null(st, 3, &ok);
    u->sub = store_column_or_null(st, 4, &ok);
    u->status = store_column_or_null(st, 5, &ok);
    u->enabled = sqlite3_column_int(st, 6);
    u->attributes = store_column_or_null(st, 7, &ok);
    u->srp_salt = store_column_or_null(st, 8, &ok);
    u->srp_verifier = store_column_or_null(st, 9, &ok);
    u->created_ms = sqlite3_column_int64(st, 10);
    u->modified_ms = sqlite3_column_int64(st, 11);
    if (!ok) {
        store_user_free(u);
        return NULL;
    }
    return u;
}

/* Step a bound statement selecting one user into *out. */
static int fetch_user(struct store_conn *conn, sqlite3_stmt *st, struct store_user **out)
{
    int rc = sqlite3_step(st), status;

    *out = NULL;
    if (rc == SQLITE_ROW) {
        *out = user_from_row(st);
        status = *out ? STORE_OK : STORE_ERROR;
    } else {
        status = rc == SQLITE_DONE ? STORE_NOT_FOUND : store_status_from(conn, rc, "user");
    }
    store_stmt_done(st);
    return status;
}

int store_user_insert(struct store_conn *conn, struct store_user *u)
{
    sqlite3_stmt *st = store_stmt(conn, SQL_USER_INSERT);
    int status;

    if (st == NULL)
        return STORE_ERROR;
    store_bind_text(st, 1, u->pool_id);
    store_bind_text(st, 2, u->username);
    store_bind_text(st, 3, u->username_key);
    store_bind_text(st, 4, u->sub);
    store_bind_text(st, 5, u->status);
    sqlite3_bind_int(st, 6, u->enabled);
    store_bind_text(st, 7, u->attributes ? u->attributes : "{}");
    store_bind_text(st, 8, u->srp_salt);
    store_bind_text(st, 9, u->srp_verifier);
    sqlite3_bind_int64(st, 10, u->created_ms);
    sqlite3_bind_int64(st, 11, u->modified_ms);
    if ((status = store_finish(conn, st, "insert user")) == STORE_OK)
        u->seq = sqlite3_last_insert_rowid(conn->db);
    return status;
}

int store_user_get(struct store_conn *conn, const char *pool_id, const char *username_key,
                   struct store_user **out)
{
    sqlite3_stmt *st = store_stmt(conn, SQL_USER_BY_KEY);

    *out = NULL;
    if (st == NULL)
        return STORE_ERROR;
    store_bind_text(st, 1, pool_id);
    store_bind_text(st, 2, username_key);
    return fetch_user(conn, st, out);
}

int store_user_get_by_sub(struct store_conn *conn, const char *pool_id, const char *sub,
                          struct store_user **out)
{
    sqlite3_stmt *st = store_stmt(conn, SQL_USER_BY_SUB);

    *out = NULL;
    if (st == NULL)
        return STORE_ERROR;
    store_bind_text(st, 1, pool_id);
    store_bind_text(st, 2, sub);
    return fetch_user(conn, st, out);
}

int store_user_get_by_seq(struct store_conn *conn, int64_t seq, struct store_user **out)
{
    sqlite3_stmt *st = store_stmt(conn, SQL_USER_BY_SEQ);

    *out = NULL;
    if (st == NULL)
        return STORE_ERROR;
    sqlite3_bind_int64(st, 1, seq);
    return fetch_user(conn, st, out);
}

int store_user_get_by_alias(struct store_conn *conn, const char *pool_id, const char *name,
                            const char *value_key, struct store_user **out)
{
    sqlite3_stmt *st = store_stmt(conn, SQL_USER_BY_ALIAS);

    *out = NULL;
    if (st == NULL)
        return STORE_ERROR;
    store_bind_text(st, 1, pool_id);
    store_bind_text(st, 2, name);
    store_bind_text(st, 3, value_key);
    return fetch_user(conn, st, out);
}

int store_user_update(struct store_conn *conn, const struct store_user *u)
{
    sqlite3_stmt *st = store_stmt(conn, SQL_USER_UPDATE);

    if (st == NULL)
        return STORE_ERROR;
    sqlite3_bind_int64(st, 1, u->seq);
    store_bind_text(st, 2, u->status);
    sqlite3_bind_int(st, 3, u->enabled);
    store_bind_text(st, 4, u->attributes ? u->attributes : "{}");
    store_bind_text(st, 5, u->srp_salt);
    store_bind_text(st, 6, u->srp_verifier);
    sqlite3_bind_int64(st, 7, u->modified_ms);
    return store_finish_change(conn, st, "update user");
}

int store_user_set_identity(struct store_conn *conn, int64_t seq, const char *sub,
                            const char *username, const char *username_key)
{
    sqlite3_stmt *st = store_stmt(conn, SQL_USER_IDENTITY);

    if (st == NULL)
        return STORE_ERROR;
    sqlite3_bind_int64(st, 1, seq);
    store_bind_text(st, 2, sub);
    store_bind_text(st, 3, username);
    store_bind_text(st, 4, username_key);
    return store_finish_change(conn, st, "set user identity");
}

int store_user_delete(struct store_conn *conn, int64_t seq)
{
    sqlite3_stmt *st = store_stmt(conn, SQL_USER_DELETE);

    if (st == NULL)
        return STORE_ERROR;
    sqlite3_bind_int64(st, 1, seq);
    return store_finish_change(conn, st, "delete user");
}

int64_t store_user_count(struct store_conn *conn, const char *pool_id)
{
    sqlite3_stmt *st = store_stmt(conn, SQL_USER_COUNT);
    int64_t n = -1;

    if (st == NULL)
        return -1;
    store_bind_text(st, 1, pool_id);
    if (sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    store_stmt_done(st);
    return n;
}

/* ---- Aliases ----------------------------------------------------------------------------- */

int store_alias_set(struct store_conn *conn, const char *pool_id, const char *name,
                    const char *value_key, int64_t user_seq)
{
    sqlite3_stmt *st = store_stmt(conn, SQL_ALIAS_OWNER);
    int rc;

    if (st == NULL)
        return STORE_ERROR;
    store_bind_text(st, 1, pool_id);
    store_bind_text(st, 2, name);
    store_bind_text(st, 3, value_key);
    rc = sqlite3_step(st);
    int64_t owner = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    store_stmt_done(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return store_status_from(conn, rc, "alias owner");
    if (rc == SQLITE_ROW)
        return owner == user_seq ? STORE_OK : STORE_EXISTS;

    if ((st = store_stmt(conn, SQL_ALIAS_SET)) == NULL)
        return STORE_ERROR;
    store_bind_text(st, 1, pool_id);
    store_bind_text(st, 2, name);
    store_bind_text(st, 3, value_key);
    sqlite3_bind_int64(st, 4, user_seq);
    return store_finish_change(conn, st, "set alias");
}

int store_alias_clear(struct store_conn *conn, int64_t user_seq, const char *name)
{
    sqlite3_stmt *st = store_stmt(conn, SQL_ALIAS_CLEAR);

    if (st == NULL)
        return STORE_ERROR;
    sqlite3_bind_int64(st, 1, user_seq);
    store_bind_text(st, 2, name);
    int rc = store_finish_change(conn, st, "clear alias");
    return rc == STORE_NOT_FOUND ? STORE_OK : rc;
}

/* ---- Pages of users (ListUsers) ---------------------------------------------------------- */

void store_user_page_free(struct store_user_page *page)
{
    for (size_t i = 0; i < page->count; i++)
        store_user_free(page->users[i]);
    free(page->users);
    free(page->next_token);
    memset(page, 0, sizeof(*page));
}

/* store_row_fn: the row appended to a struct store_user_page. */
static int keep_user(void *arg, sqlite3_stmt *st)
{
    struct store_user_page *page = arg;

    if ((page->users[page->count] = user_from_row(st)) == NULL)
        return -1;
    page->count++;
    return 0;
}

int store_user_list(struct store_conn *conn, const char *pool_id,
                    const struct store_user_filter *filter, const char *token, int limit,
                    struct store_user_page *page)
{
    sqlite3_stmt *st;
    int64_t after;
    int status;

    memset(page, 0, sizeof(*page));
    if (store_parse_token(token, &after) != 0)
        return STORE_BAD_TOKEN;
    if (limit < 1)
        limit = 1;
    page->users = calloc((size_t)limit, sizeof(*page->users));
    if (page->users == NULL || (st = store_stmt(conn, SQL_USER_LIST)) == NULL) {
        store_user_page_free(page);
        return STORE_ERROR;
    }
    store_bind_text(st, 1, pool_id);
    sqlite3_bind_int64(st, 2, after);
    store_bind_text(st, 3, filter ? filter->name : NULL);
    store_bind_text(st, 4, filter ? filter->value : NULL);
    sqlite3_bind_int(st, 5, filter ? filter->prefix : 0);
    sqlite3_bind_int(st, 6, limit + 1); /* one more tells whether a next page exists */
    status =
        store_page_rows(conn, st, limit, 0, 0, keep_user, page, &page->next_token, "list users");
    if (status != STORE_OK)
        store_user_page_free(page);
    return status;
}

/* ---- Codes (confirmation, verification, reset) ------------------------------------------- */

int store_code_put(struct store_conn *conn, int64_t user_seq, const char *purpose, const char *code,
                   int64_t expires_ms)
{
    sqlite3_stmt *st = store_stmt(conn, SQL_CODE_PUT);

    if (st == NULL)
        return STORE_ERROR;
    sqlite3_bind_int64(st, 1, user_seq);
    store_bind_text(st, 2, purpose);
    store_bind_text(st, 3, code);
    sqlite3_bind_int64(st, 4, expires_ms);
    return store_finish_change(conn, st, "put code");
}

int store_code_get(struct store_conn *conn, int64_t user_seq, const char *purpose, char **code,
                   int64_t *expires_ms)
{
    sqlite3_stmt *st = store_stmt(conn, SQL_CODE_GET);
    int rc, status;

    *code = NULL;
    if (st == NULL)
        return STORE_ERROR;
    sqlite3_bind_int64(st, 1, user_seq);
    store_bind_text(st, 2, purpose);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *code = store_column_dup(st, 0);
        *expires_ms = sqlite3_column_int64(st, 1);
        status = *code ? STORE_OK : STORE_ERROR;
    } else {
        status = rc == SQLITE_DONE ? STORE_NOT_FOUND : store_status_from(conn, rc, "get code");
    }
    store_stmt_done(st);
    return status;
}

int store_code_delete(struct store_conn *conn, int64_t user_seq, const char *purpose)
{
    sqlite3_stmt *st = store_stmt(conn, SQL_CODE_DELETE);

    if (st == NULL)
        return STORE_ERROR;
    sqlite3_bind_int64(st, 1, user_seq);
    store_bind_text(st, 2, purpose);
    return store_finish_change(conn, st, "delete code");
}

/* ---- Attribute values awaiting verification ---------------------------------------------- */

int store_pending_put(struct store_conn *conn, int64_t user_seq, const char *name,
                      const char *value)
{
    sqlite3_stmt *st = store_stmt(conn, SQL_PENDING_PUT);

    if (st == NULL)
        return STORE_ERROR;
    sqlite3_bind_int64(st, 1, user_seq);
    store_bind_text(st, 2, name);
    store_bind_text(st, 3, value);
    return store_finish(conn, st, "put pending attribute");
}

int store_pending_get(struct store_conn *conn, int64_t user_seq, const char *name, char **value)
{
    sqlite3_stmt *st = store_stmt(conn, SQL_PENDING_GET);
    int rc, status;

    *value = NULL;
    if (st == NULL)
        return STORE_ERROR;
    sqlite3_bind_int64(st, 1, user_seq);
    store_bind_text(st, 2, name);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        status = (*value = store_column_dup(st, 0)) != NULL ? STORE_OK : STORE_ERROR;
    else
        status = rc == SQLITE_DONE ? STORE_NOT_FOUND
                                   : store_status_from(conn, rc, "get pending attribute");
    store_stmt_done(st);
    return status;
}

int store_pending_delete(struct store_conn *conn, int64_t user_seq, const char *name)
{
    sqlite3_stmt *st = store_stmt(conn, SQL_PENDING_DELETE);

    if (st == NULL)
        return STORE_ERROR;
    sqlite3_bind_int64(st, 1, user_seq);
    store_bind_text(st, 2, name);
    return store_finish(conn, st, "delete pending attribute");
}
