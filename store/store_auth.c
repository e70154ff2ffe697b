/*
 * store_auth: what a sign-in leaves in the store, in the order it walks: the failed password
 * counters of the lockout, the auth sessions that carry a challenge from InitiateAuth to
 * RespondToAuthChallenge, the refresh tokens it issues (kept by the hash of their value), and
 * the sign-outs (GlobalSignOut, AdminUserGlobalSignOut) that revoke what it issued. Every row
 * belongs to a user and is deleted with it. See store.h for the contract; the rules (how long
 * a lockout lasts, when a session or token expires) are the server's.
 */
#include "config.h"

#include "store_internal.h"

#include <stdlib.h>
#include <string.h>

static const char SQL_LOCKOUT_GET[] =
    "SELECT failures, last_failure_ms, locked_until_ms FROM user_lockouts WHERE user_seq = ?1";
static const char SQL_LOCKOUT_PUT[] =
    "INSERT INTO user_lockouts (user_seq, failures, last_failure_ms, locked_until_ms)"
    " VALUES (?1, ?2, ?3, ?4) ON CONFLICT (user_seq) DO UPDATE SET failures = ?2,"
    " last_failure_ms = ?3, locked_until_ms = ?4";
static const char SQL_LOCKOUT_CLEAR[] = "DELETE FROM user_lockouts WHERE user_seq = ?1";

static const char SQL_SESSION_PUT[] =
    "INSERT OR REPLACE INTO auth_sessions (session, pool_id, client_id, user_seq, challenge,"
    " data, expires_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
static const char SQL_SESSION_GET[] =
    "SELECT pool_id, client_id, user_seq, challenge, data, expires_ms FROM auth_sessions"
    " WHERE session = ?1";
static const char SQL_SESSION_DELETE[] = "DELETE FROM auth_sessions WHERE session = ?1";

static const char SQL_REFRESH_PUT[] =
    "INSERT INTO refresh_tokens (token_hash, pool_id, client_id, user_seq, origin_jti,"
    " auth_time, expires_ms, revoked, scope) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
static const char SQL_REFRESH_GET[] =
    "SELECT pool_id, client_id, user_seq, origin_jti, auth_time, expires_ms, revoked, scope,"
    " superseded_ms FROM refresh_tokens WHERE token_hash = ?1";
/* Only the first rotation counts: the grace period runs from it. */
static const char SQL_REFRESH_SUPERSEDE[] =
    "UPDATE refresh_tokens SET superseded_ms = ?2 WHERE token_hash = ?1 AND superseded_ms IS NULL";
static const char SQL_REFRESH_REVOKE[] =
    "UPDATE refresh_tokens SET revoked = 1 WHERE origin_jti = ?1";

static const char SQL_SIGN_OUT[] =
    "INSERT INTO user_sign_outs (user_seq, signed_out_ms) VALUES (?1, ?2)"
    " ON CONFLICT (user_seq) DO UPDATE SET signed_out_ms = max(signed_out_ms, "
    "excluded.signed_out_ms)";
static const char SQL_REVOKE_USER_REFRESH[] =
    "UPDATE refresh_tokens SET revoked = 1 WHERE user_seq = ?1";
static const char SQL_TOKEN_REVOKED[] =
    "SELECT EXISTS (SELECT 1 FROM refresh_tokens"
    "               INDEXED BY refresh_tokens_by_origin" /* a user has many; an origin few */
    "               WHERE origin_jti = ?2 AND user_seq = ?1 AND revoked = 1)"
    "    OR EXISTS (SELECT 1 FROM user_sign_outs WHERE user_seq = ?1 AND signed_out_ms >= ?3)";

/* ---- Lockouts (failed sign-ins) ---------------------------------------------------------- */

int store_lockout_get(struct store_conn *conn, int64_t user_seq, struct store_lockout *out)
{
    sqlite3_stmt *st = store_stmt(conn, SQL_LOCKOUT_GET);
    int rc, status = STORE_OK;

    memset(out, 0, sizeof(*out));
    if (st == NULL)
        return STORE_ERROR;
    sqlite3_bind_int64(st, 1, user_seq);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        out->failures = sqlite3_column_int64(st, 0);
        out->last_failure_ms = sqlite3_column_int64(st, 1);
        out->locked_until_ms = sqlite3_column_int64(st, 2);
    } else if (rc != SQLITE_DONE) {
        status = store_status_from(conn, rc, "get lockout");
    }
    store_stmt_done(st);
    return status;
}

int store_lockout_put(struct store_conn *conn, int64_t user_seq, const struct store_lockout *l)
{
    sqlite3_stmt *st = store_stmt(conn, SQL_LOCKOUT_PUT);

    if (st == NULL)
        return STORE_ERROR;
    sqlite3_bind_int64(st, 1, user_seq);
    sqlite3_bind_int64(st, 2, l->failures);
    sqlite3_bind_int64(st, 3, l->last_failure_ms);
    sqlite3_bind_int64(st, 4, l->locked_until_ms);
    return store_finish(conn, st, "put lockout");
}

int store_lockout_clear(struct store_conn *conn, int64_t user_seq)
{
    sqlite3_stmt *st = store_stmt(conn, SQL_LOCKOUT_CLEAR);

    if (st == NULL)
        return STORE_ERROR;
    sqlite3_bind_int64(st, 1, user_seq);
    return store_finish(conn, st, "clear lockout");
}

/* ---- Auth sessions (challenges between InitiateAuth and RespondToAuthChallenge) ---------- */

void store_session_free(struct store_session *s)
{
    if (s == NULL)
        return;
    free(s->pool_id);
    free(s->client_id);
    free(s->challenge);
    free(s->data);
    free(s);
}

int store_session_put(struct store_conn *conn, const char *session, const struct store_session *s)
{
    sqlite3_stmt *st = store_stmt(conn, SQL_SESSION_PUT);

    if (st == NULL)
        return STORE_ERROR;
    store_bind_text(st, 1, session);
    store_bind_text(st, 2, s->pool_id);
    store_bind_text(st, 3, s->client_id);
    if (s->user_seq > 0)
        sqlite3_bind_int64(st, 4, s->user_seq);
    else
        sqlite3_bind_null(st, 4);
    store_bind_text(st, 5, s->challenge);
    store_bind_text(st, 6, s->data ? s->data : "{}");
    sqlite3_bind_int64(st, 7, s->expires_ms);
    return store_finish_change(conn, st, "put session");
}

int store_session_get(struct store_conn *conn, const char *session, struct store_session **out)
{
    sqlite3_stmt *st = store_stmt(conn, SQL_SESSION_GET);
    struct store_session *s = NULL;
    int rc, status, ok = 1;

    *out = NULL;
    if (st == NULL)
        return STORE_ERROR;
    store_bind_text(st, 1, session);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW && (s = calloc(1, sizeof(*s))) != NULL) {
        s->pool_id = store_column_or_null(st, 0, &ok);
        s->client_id = store_column_or_null(st, 1, &ok);
        s->user_seq = sqlite3_column_int64(st, 2);
        s->challenge = store_column_or_null(st, 3, &ok);
        s->data = store_column_or_null(st, 4, &ok);
        s->expires_ms = sqlite3_column_int64(st, 5);
        status = ok ? STORE_OK : STORE_ERROR;
    } else if (rc == SQLITE_ROW) {
        status = STORE_ERROR;
    } else {
        status = rc == SQLITE_DONE ? STORE_NOT_FOUND : store_status_from(conn, rc, "get session");
    }
    store_stmt_done(st);
    if (status == STORE_OK)
        *out = s;
    else
        store_session_free(s);
    return status;
}

int store_session_delete(struct store_conn *conn, const char *session)
{
    sqlite3_stmt *st = store_stmt(conn, SQL_SESSION_DELETE);

    if (st == NULL)
        return STORE_ERROR;
    store_bind_text(st, 1, session);
    return store_finish_change(conn, st, "delete session");
}

/* ---- Refresh tokens ---------------------------------------------------------------------- */

void store_refresh_free(struct store_refresh *r)
{
    if (r == NULL)
        return;
    free(r->pool_id);
    free(r->client_id);
    free(r->origin_jti);
    free(r->scope);
    free(r);
}

int store_refresh_put(struct store_conn *conn, const char *token_hash,
                      const struct store_refresh *r)
{
    sqlite3_stmt *st = store_stmt(conn, SQL_REFRESH_PUT);

    if (st == NULL)
        return STORE_ERROR;
    store_bind_text(st, 1, token_hash);
    store_bind_text(st, 2, r->pool_id);
    store_bind_text(st, 3, r->client_id);
    sqlite3_bind_int64(st, 4, r->user_seq);
    store_bind_text(st, 5, r->origin_jti);
    sqlite3_bind_int64(st, 6, r->auth_time);
    sqlite3_bind_int64(st, 7, r->expires_ms);
    sqlite3_bind_int(st, 8, r->revoked);
    store_bind_text(st, 9, r->scope);
    return store_finish_change(conn, st, "put refresh token");
}

int store_refresh_get(struct store_conn *conn, const char *token_hash, struct store_refresh **out)
{
    sqlite3_stmt *st = store_stmt(conn, SQL_REFRESH_GET);
    struct store_refresh *r = NULL;
    int rc, status, ok = 1;

    *out = NULL;
    if (st == NULL)
        return STORE_ERROR;
    store_bind_text(st, 1, token_hash);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW && (r = calloc(1, sizeof(*r))) != NULL) {
        r->pool_id = store_column_or_null(st, 0, &ok);
        r->client_id = store_column_or_null(st, 1, &ok);
        r->user_seq = sqlite3_column_int64(st, 2);
        r->origin_jti = store_column_or_null(st, 3, &ok);
        r->auth_time = sqlite3_column_int64(st, 4);
        r->expires_ms = sqlite3_column_int64(st, 5);
        r->revoked = sqlite3_column_int(st, 6);
        r->scope = store_column_or_null(st, 7, &ok);
        r->superseded_ms = sqlite3_column_int64(st, 8); /* NULL reads 0: current */
        status = ok ? STORE_OK : STORE_ERROR;
    } else if (rc == SQLITE_ROW) {
        status = STORE_ERROR;
    } else {
        status = rc == SQLITE_DONE ? STORE_NOT_FOUND : store_status_from(conn, rc, "get refresh");
    }
    store_stmt_done(st);
    if (status == STORE_OK)
        *out = r;
    else
        store_refresh_free(r);
    return status;
}

int store_refresh_revoke(struct store_conn *conn, const char *origin_jti)
{
    sqlite3_stmt *st = store_stmt(conn, SQL_REFRESH_REVOKE);

    if (st == NULL)
        return STORE_ERROR;
    store_bind_text(st, 1, origin_jti);
    return store_finish_change(conn, st, "revoke refresh");
}

int store_refresh_supersede(struct store_conn *conn, const char *token_hash, int64_t now_ms)
{
    sqlite3_stmt *st = store_stmt(conn, SQL_REFRESH_SUPERSEDE);

    if (st == NULL)
        return STORE_ERROR;
    store_bind_text(st, 1, token_hash);
    sqlite3_bind_int64(st, 2, now_ms);
    return store_finish(conn, st, "supersede refresh");
}

/* ---- Sign-outs and revocation ------------------------------------------------------------ */

int store_user_sign_out(struct store_conn *conn, int64_t user_seq, int64_t now_ms,
                        int revoke_refresh)
{
    sqlite3_stmt *st = store_stmt(conn, SQL_SIGN_OUT);
    int status;

    if (st == NULL)
        return STORE_ERROR;
    sqlite3_bind_int64(st, 1, user_seq);
    sqlite3_bind_int64(st, 2, now_ms);
    if ((status = store_finish(conn, st, "sign out")) != STORE_OK || !revoke_refresh)
        return status;
    if ((st = store_stmt(conn, SQL_REVOKE_USER_REFRESH)) == NULL)
        return STORE_ERROR;
    sqlite3_bind_int64(st, 1, user_seq);
    return store_finish(conn, st, "revoke refresh tokens");
}

int store_token_revoked(struct store_conn *conn, int64_t user_seq, const char *origin_jti,
                        int64_t issued_before_ms, int *revoked)
{
    sqlite3_stmt *st = store_stmt(conn, SQL_TOKEN_REVOKED);
    int rc, status = STORE_OK;

    *revoked = 0;
    if (st == NULL)
        return STORE_ERROR;
    sqlite3_bind_int64(st, 1, user_seq);
    store_bind_text(st, 2, origin_jti);
    sqlite3_bind_int64(st, 3, issued_before_ms);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *revoked = sqlite3_column_int(st, 0) != 0;
    else
        status = store_status_from(conn, rc, "token revoked");
    store_stmt_done(st);
    return status;
}
