/*
 * store_webauthn: users' passkeys (webauthn_credentials, migration 11) and the pending
 * registration challenges (webauthn_registrations). A passkey belongs to its pool and user and
 * goes with either. See store.h for the contract; what a passkey proves is the auth wing's
 * (auth/auth_webauthn.c) and crypto/'s.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "store_internal.h"

static const char SQL_WEBAUTHN_COUNT[] =
    "SELECT count(*) FROM webauthn_credentials WHERE user_seq = ?1";

int64_t store_webauthn_count(struct store_conn *conn, int64_t user_seq)
{
    sqlite3_stmt *st = store_stmt(conn, SQL_WEBAUTHN_COUNT);
    int64_t n = -1;

    if (st == NULL)
        return -1;
    sqlite3_bind_int64(st, 1, user_seq);
    if (sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    store_stmt_done(st);
    return n;
}

#define WEBAUTHN_COLUMNS                                                                           \
    "pool_id, credential_id, user_seq, rp_id, alg, public_key, sign_count, transports,"            \
    " attachment, aaguid, backup_eligible, backed_up, friendly_name, created_ms"

static const char SQL_WEBAUTHN_PUT[] =
    "INSERT INTO webauthn_credentials (" WEBAUTHN_COLUMNS ")"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)";
static const char SQL_WEBAUTHN_GET[] = "SELECT " WEBAUTHN_COLUMNS " FROM webauthn_credentials"
                                       " WHERE pool_id = ?1 AND credential_id = ?2";
static const char SQL_WEBAUTHN_LIST[] = "SELECT " WEBAUTHN_COLUMNS " FROM webauthn_credentials"
                                        " WHERE user_seq = ?1 ORDER BY created_ms, credential_id";
static const char SQL_WEBAUTHN_DELETE[] =
    "DELETE FROM webauthn_credentials WHERE user_seq = ?1 AND credential_id = ?2";
/* Only forwards: two sign-ins racing with one counter value cannot both move it. */
static const char SQL_WEBAUTHN_COUNTER[] =
    "UPDATE webauthn_credentials SET sign_count = ?3"
    " WHERE pool_id = ?1 AND credential_id = ?2 AND (sign_count < ?3 OR ?3 = 0 AND sign_count = 0)";
static const char SQL_REG_CLEAR[] = "DELETE FROM webauthn_registrations WHERE user_seq = ?1";
static const char SQL_REG_PUT[] =
    "INSERT INTO webauthn_registrations (user_seq, client_id, challenge, expires_ms)"
    " VALUES (?1, ?2, ?3, ?4)";
static const char SQL_REG_GET[] = "SELECT client_id, challenge, expires_ms"
                                  " FROM webauthn_registrations WHERE user_seq = ?1 LIMIT 1";

void store_webauthn_free(struct store_webauthn *c)
{
    if (c == NULL)
        return;
    free(c->pool_id);
    free(c->credential_id);
    free(c->rp_id);
    free(c->public_key);
    free(c->transports);
    free(c->attachment);
    free(c->aaguid);
    free(c->friendly_name);
    free(c);
}

void store_webauthn_list_free(struct store_webauthn **list, size_t n)
{
    for (size_t i = 0; list != NULL && i < n; i++)
        store_webauthn_free(list[i]);
    free(list);
}

/* A copy of a nullable blob column into *out and *len; 0, or -1 when out of memory. */
static int column_blob(sqlite3_stmt *st, int col, unsigned char **out, size_t *len)
{
    const void *p = sqlite3_column_blob(st, col);
    int n = sqlite3_column_bytes(st, col);

    *out = NULL;
    *len = 0;
    if (p == NULL || n <= 0)
        return 0;
    if ((*out = malloc((size_t)n)) == NULL)
        return -1;
    memcpy(*out, p, (size_t)n);
    *len = (size_t)n;
    return 0;
}

static struct store_webauthn *webauthn_from_row(sqlite3_stmt *st)
{
    struct store_webauthn *c = calloc(1, sizeof(*c));
    size_t aaguid_len = 0;
    int ok = c != NULL;

    if (!ok)
        return NULL;
    c->pool_id = store_column_or_null(st, 0, &ok);
    c->credential_id = store_column_or_null(st, 1, &ok);
    c->user_seq = sqlite3_column_int64(st, 2);
    c->rp_id = store_column_or_null(st, 3, &ok);
    c->alg = sqlite3_column_int(st, 4);
    if (column_blob(st, 5, &c->public_key, &c->public_key_len) != 0)
        ok = 0;
    c->sign_count = sqlite3_column_int64(st, 6);
    c->transports = store_column_or_null(st, 7, &ok);
    c->attachment = store_column_or_null(st, 8, &ok);
    if (column_blob(st, 9, &c->aaguid, &aaguid_len) != 0)
        ok = 0;
    c->backup_eligible = sqlite3_column_int(st, 10) != 0;
    c->backed_up = sqlite3_column_int(st, 11) != 0;
    c->friendly_name = store_column_or_null(st, 12, &ok);
    c->created_ms = sqlite3_column_int64(st, 13);
    if (!ok || c->pool_id == NULL || c->credential_id == NULL || c->rp_id == NULL ||
        c->transports == NULL) {
        store_webauthn_free(c);
        return NULL;
    }
    return c;
}

int store_webauthn_put(struct store_conn *conn, const struct store_webauthn *c)
{
    sqlite3_stmt *st = store_stmt(conn, SQL_WEBAUTHN_PUT);

    if (st == NULL)
        return STORE_ERROR;
    store_bind_text(st, 1, c->pool_id);
    store_bind_text(st, 2, c->credential_id);
    sqlite3_bind_int64(st, 3, c->user_seq);
    store_bind_text(st, 4, c->rp_id);
    sqlite3_bind_int(st, 5, c->alg);
    sqlite3_bind_blob(st, 6, c->public_key, (int)c->public_key_len, SQLITE_STATIC);
    sqlite3_bind_int64(st, 7, c->sign_count);
    store_bind_text(st, 8, c->transports);
    store_bind_text(st, 9, c->attachment);
    if (c->aaguid != NULL)
        sqlite3_bind_blob(st, 10, c->aaguid, 16, SQLITE_STATIC);
    sqlite3_bind_int(st, 11, c->backup_eligible);
    sqlite3_bind_int(st, 12, c->backed_up);
    store_bind_text(st, 13, c->friendly_name);
    sqlite3_bind_int64(st, 14, c->created_ms);
    return store_finish(conn, st, "put passkey");
}

int store_webauthn_get(struct store_conn *conn, const char *pool_id, const char *credential_id,
                       struct store_webauthn **out)
{
    sqlite3_stmt *st = store_stmt(conn, SQL_WEBAUTHN_GET);
    int rc, status = STORE_NOT_FOUND;

    *out = NULL;
    if (st == NULL)
        return STORE_ERROR;
    store_bind_text(st, 1, pool_id);
    store_bind_text(st, 2, credential_id);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        status = (*out = webauthn_from_row(st)) != NULL ? STORE_OK : STORE_ERROR;
    else if (rc != SQLITE_DONE)
        status = store_status_from(conn, rc, "get passkey");
    store_stmt_done(st);
    return status;
}

int store_webauthn_list(struct store_conn *conn, int64_t user_seq, struct store_webauthn ***out,
                        size_t *n)
{
    sqlite3_stmt *st = store_stmt(conn, SQL_WEBAUTHN_LIST);
    struct store_webauthn **list = NULL, **grown;
    size_t count = 0;
    int rc, status = STORE_OK;

    *out = NULL;
    *n = 0;
    if (st == NULL)
        return STORE_ERROR;
    sqlite3_bind_int64(st, 1, user_seq);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if ((grown = realloc(list, (count + 1) * sizeof(*list))) == NULL) {
            status = STORE_ERROR;
            break;
        }
        list = grown;
        if ((list[count] = webauthn_from_row(st)) == NULL) {
            status = STORE_ERROR;
            break;
        }
        count++;
    }
    if (status == STORE_OK && rc != SQLITE_DONE)
        status = store_status_from(conn, rc, "list passkeys");
    store_stmt_done(st);
    if (status != STORE_OK) {
        store_webauthn_list_free(list, count);
        return status;
    }
    *out = list;
    *n = count;
    return STORE_OK;
}

int store_webauthn_delete(struct store_conn *conn, int64_t user_seq, const char *credential_id)
{
    sqlite3_stmt *st = store_stmt(conn, SQL_WEBAUTHN_DELETE);

    if (st == NULL)
        return STORE_ERROR;
    sqlite3_bind_int64(st, 1, user_seq);
    store_bind_text(st, 2, credential_id);
    return store_finish_change(conn, st, "delete passkey");
}

int store_webauthn_set_count(struct store_conn *conn, const char *pool_id,
                             const char *credential_id, int64_t sign_count)
{
    sqlite3_stmt *st = store_stmt(conn, SQL_WEBAUTHN_COUNTER);

    if (st == NULL)
        return STORE_ERROR;
    store_bind_text(st, 1, pool_id);
    store_bind_text(st, 2, credential_id);
    sqlite3_bind_int64(st, 3, sign_count);
    return store_finish_change(conn, st, "set passkey counter");
}

int store_webauthn_reg_put(struct store_conn *conn, int64_t user_seq, const char *client_id,
                           const char *challenge, int64_t expires_ms)
{
    sqlite3_stmt *st = store_stmt(conn, SQL_REG_CLEAR);
    int status;

    if (st == NULL)
        return STORE_ERROR;
    sqlite3_bind_int64(st, 1, user_seq);
    if ((status = store_finish(conn, st, "clear passkey registration")) != STORE_OK)
        return status;
    if (challenge == NULL)
        return STORE_OK;
    if ((st = store_stmt(conn, SQL_REG_PUT)) == NULL)
        return STORE_ERROR;
    sqlite3_bind_int64(st, 1, user_seq);
    store_bind_text(st, 2, client_id);
    store_bind_text(st, 3, challenge);
    sqlite3_bind_int64(st, 4, expires_ms);
    return store_finish(conn, st, "put passkey registration");
}

int store_webauthn_reg_get(struct store_conn *conn, int64_t user_seq, char **client_id,
                           char **challenge, int64_t *expires_ms)
{
    sqlite3_stmt *st = store_stmt(conn, SQL_REG_GET);
    int rc, status = STORE_NOT_FOUND;

    *client_id = *challenge = NULL;
    if (st == NULL)
        return STORE_ERROR;
    sqlite3_bind_int64(st, 1, user_seq);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *client_id = store_column_dup(st, 0);
        *challenge = store_column_dup(st, 1);
        *expires_ms = sqlite3_column_int64(st, 2);
        status = *client_id != NULL && *challenge != NULL ? STORE_OK : STORE_ERROR;
        if (status != STORE_OK) {
            free(*client_id);
            free(*challenge);
            *client_id = *challenge = NULL;
        }
    } else if (rc != SQLITE_DONE) {
        status = store_status_from(conn, rc, "get passkey registration");
    }
    store_stmt_done(st);
    return status;
}
