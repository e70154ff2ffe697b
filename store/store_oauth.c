/*
 * store_oauth: what the OAuth 2.0 endpoints and the hosted sign-in pages leave in the store:
 * the one-time authorization codes that /oauth2/authorize hands out and /oauth2/token redeems,
 * and the hosted sessions (the cookie that signs a user in again without a form). Both are kept
 * by the hash of their value, never the value itself, and belong to a user (deleted with it).
 * The rules (how long each lives, what a code is bound to) are the server's; see store.h.
 */
#include "config.h"

#include "store_internal.h"

#include <stdlib.h>
#include <string.h>

static const char SQL_CODE_PRUNE[] = "DELETE FROM oauth_codes WHERE expires_ms <= ?1";
static const char SQL_CODE_PUT[] =
    "INSERT INTO oauth_codes (code_hash, pool_id, client_id, user_seq, data, expires_ms)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
/* Deleting and reading in one statement makes a code single-use even under concurrent redeems. */
static const char SQL_CODE_TAKE[] = "DELETE FROM oauth_codes WHERE code_hash = ?1"
                                    " RETURNING pool_id, client_id, user_seq, data, expires_ms";

static const char SQL_SESSION_PRUNE[] = "DELETE FROM hosted_sessions WHERE expires_ms <= ?1";
static const char SQL_HOSTED_PUT[] =
    "INSERT OR REPLACE INTO hosted_sessions (session_hash, pool_id, user_seq, auth_time,"
    " expires_ms) VALUES (?1, ?2, ?3, ?4, ?5)";
static const char SQL_HOSTED_GET[] =
    "SELECT pool_id, user_seq, auth_time, expires_ms FROM hosted_sessions"
    " WHERE session_hash = ?1";
static const char SQL_HOSTED_DELETE[] = "DELETE FROM hosted_sessions WHERE session_hash = ?1";

/* Delete the rows of sql's table that expired at or before now_ms. */
static int prune(struct store_conn *conn, const char *sql, int64_t now_ms)
{
    sqlite3_stmt *st = store_stmt(conn, sql);

    if (st == NULL)
        return STORE_ERROR;
    sqlite3_bind_int64(st, 1, now_ms);
    return store_finish(conn, st, "prune expired OAuth rows");
}

/* ---- Authorization codes ----------------------------------------------------------------- */

void store_oauth_code_free(struct store_oauth_code *c)
{
    if (c == NULL)
        return;
    free(c->pool_id);
    free(c->client_id);
    free(c->data);
    free(c);
}

int store_oauth_code_put(struct store_conn *conn, const char *code_hash,
                         const struct store_oauth_code *c, int64_t now_ms)
{
    sqlite3_stmt *st;

    if (prune(conn, SQL_CODE_PRUNE, now_ms) != STORE_OK)
        return STORE_ERROR;
    if ((st = store_stmt(conn, SQL_CODE_PUT)) == NULL)
        return STORE_ERROR;
    store_bind_text(st, 1, code_hash);
    store_bind_text(st, 2, c->pool_id);
    store_bind_text(st, 3, c->client_id);
    sqlite3_bind_int64(st, 4, c->user_seq);
    store_bind_text(st, 5, c->data ? c->data : "{}");
    sqlite3_bind_int64(st, 6, c->expires_ms);
    return store_finish_change(conn, st, "put authorization code");
}

int store_oauth_code_take(struct store_conn *conn, const char *code_hash,
                          struct store_oauth_code **out)
{
    sqlite3_stmt *st = store_stmt(conn, SQL_CODE_TAKE);
    struct store_oauth_code *c = NULL;
    int rc, status, ok = 1;

    *out = NULL;
    if (st == NULL)
        return STORE_ERROR;
    store_bind_text(st, 1, code_hash);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW && (c = calloc(1, sizeof(*c))) != NULL) {
        c->pool_id = store_column_or_null(st, 0, &ok);
        c->client_id = store_column_or_null(st, 1, &ok);
        c->user_seq = sqlite3_column_int64(st, 2);
        c->data = store_column_or_null(st, 3, &ok);
        c->expires_ms = sqlite3_column_int64(st, 4);
        /* RETURNING yields the row before the delete is done: step to the end to finish it. */
        rc = sqlite3_step(st);
        status = !ok                 ? STORE_ERROR
                 : rc == SQLITE_DONE ? STORE_OK
                                     : store_status_from(conn, rc, "take authorization code");
    } else if (rc == SQLITE_ROW) {
        status = STORE_ERROR;
    } else {
        status = rc == SQLITE_DONE ? STORE_NOT_FOUND
                                   : store_status_from(conn, rc, "take authorization code");
    }
    store_stmt_done(st);
    if (status == STORE_OK)
        *out = c;
    else
        store_oauth_code_free(c);
    return status;
}

/* ---- Hosted sessions ------------------------------------------------------------------------ */

void store_hosted_session_free(struct store_hosted_session *s)
{
    if (s == NULL)
        return;
    free(s->pool_id);
    free(s);
}

int store_hosted_session_put(struct store_conn *conn, const char *session_hash,
                             const struct store_hosted_session *s, int64_t now_ms)
{
    sqlite3_stmt *st;

    if (prune(conn, SQL_SESSION_PRUNE, now_ms) != STORE_OK)
        return STORE_ERROR;
    if ((st = store_stmt(conn, SQL_HOSTED_PUT)) == NULL)
        return STORE_ERROR;
    store_bind_text(st, 1, session_hash);
    store_bind_text(st, 2, s->pool_id);
    sqlite3_bind_int64(st, 3, s->user_seq);
    sqlite3_bind_int64(st, 4, s->auth_time);
    sqlite3_bind_int64(st, 5, s->expires_ms);
    return store_finish_change(conn, st, "put hosted session");
}

int store_hosted_session_get(struct store_conn *conn, const char *session_hash,
                             struct store_hosted_session **out)
{
    sqlite3_stmt *st = store_stmt(conn, SQL_HOSTED_GET);
    struct store_hosted_session *s = NULL;
    int rc, status, ok = 1;

    *out = NULL;
    if (st == NULL)
        return STORE_ERROR;
    store_bind_text(st, 1, session_hash);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW && (s = calloc(1, sizeof(*s))) != NULL) {
        s->pool_id = store_column_or_null(st, 0, &ok);
        s->user_seq = sqlite3_column_int64(st, 1);
        s->auth_time = sqlite3_column_int64(st, 2);
        s->expires_ms = sqlite3_column_int64(st, 3);
        status = ok ? STORE_OK : STORE_ERROR;
    } else if (rc == SQLITE_ROW) {
        status = STORE_ERROR;
    } else {
        status =
            rc == SQLITE_DONE ? STORE_NOT_FOUND : store_status_from(conn, rc, "get hosted session");
    }
    store_stmt_done(st);
    if (status == STORE_OK)
        *out = s;
    else
        store_hosted_session_free(s);
    return status;
}

int store_hosted_session_delete(struct store_conn *conn, const char *session_hash)
{
    sqlite3_stmt *st = store_stmt(conn, SQL_HOSTED_DELETE);

    if (st == NULL)
        return STORE_ERROR;
    store_bind_text(st, 1, session_hash);
    return store_finish_change(conn, st, "delete hosted session");
}
