/*
 * store_keys: the RSA signing keys the emulator persists, so that tokens stay valid across
 * restarts: each user pool's keys (one per use, "id" and "access"; deleted with the pool) and
 * the key of cognito-identity's OpenID tokens (one for the whole emulator, by name). Keys are
 * PEM text made by crypto/keys.c; the first writer wins, so concurrent first uses agree on one
 * key. store_keys_prune() (store_control.c) drops the keys a reset kept for pools that are not
 * made again. See store.h for the contract.
 */
#include "config.h"

#include "store_internal.h"

#include <stdlib.h>

static const char SQL_KEY_GET[] =
    "SELECT kid, private_pem FROM signing_keys WHERE pool_id = ?1 AND use = ?2";
static const char SQL_KEY_PUT[] =
    "INSERT INTO signing_keys (pool_id, use, kid, private_pem) VALUES (?1, ?2, ?3, ?4)";
static const char SQL_IDENTITY_KEY_GET[] =
    "SELECT kid, private_pem FROM identity_keys WHERE name = ?1";
static const char SQL_IDENTITY_KEY_PUT[] =
    "INSERT INTO identity_keys (name, kid, private_pem) VALUES (?1, ?2, ?3)";

/* ---- User pools -------------------------------------------------------------------------- */

/*
 * Step st (bound by the caller) for one (kid, pem) row: STORE_OK with both copied (free()),
 * STORE_NOT_FOUND, or STORE_ERROR; *kid and *pem are NULL on every status but STORE_OK.
 */
static int read_key(struct store_conn *conn, sqlite3_stmt *st, char **kid, char **pem)
{
    int rc = sqlite3_step(st), status;

    if (rc == SQLITE_ROW) {
        *kid = store_column_dup(st, 0);
        *pem = store_column_dup(st, 1);
        status = *kid && *pem ? STORE_OK : STORE_ERROR;
    } else {
        status = rc == SQLITE_DONE ? STORE_NOT_FOUND : store_status_from(conn, rc, "get key");
    }
    store_stmt_done(st);
    if (status != STORE_OK) {
        free(*kid);
        free(*pem);
        *kid = *pem = NULL;
    }
    return status;
}

int store_key_get(struct store_conn *conn, const char *pool_id, const char *use, char **kid,
                  char **pem)
{
    sqlite3_stmt *st = store_stmt(conn, SQL_KEY_GET);

    *kid = *pem = NULL;
    if (st == NULL)
        return STORE_ERROR;
    store_bind_text(st, 1, pool_id);
    store_bind_text(st, 2, use);
    return read_key(conn, st, kid, pem);
}

int store_key_put(struct store_conn *conn, const char *pool_id, const char *use, const char *kid,
                  const char *pem)
{
    sqlite3_stmt *st = store_stmt(conn, SQL_KEY_PUT);

    if (st == NULL)
        return STORE_ERROR;
    store_bind_text(st, 1, pool_id);
    store_bind_text(st, 2, use);
    store_bind_text(st, 3, kid);
    store_bind_text(st, 4, pem);
    return store_finish_change(conn, st, "put key");
}

/* ---- cognito-identity's OpenID tokens ---------------------------------------------------- */

int store_identity_key_get(struct store_conn *conn, const char *name, char **kid, char **pem)
{
    sqlite3_stmt *st = store_stmt(conn, SQL_IDENTITY_KEY_GET);

    *kid = *pem = NULL;
    if (st == NULL)
        return STORE_ERROR;
    store_bind_text(st, 1, name);
    return read_key(conn, st, kid, pem);
}

int store_identity_key_put(struct store_conn *conn, const char *name, const char *kid,
                           const char *pem)
{
    sqlite3_stmt *st = store_stmt(conn, SQL_IDENTITY_KEY_PUT);

    if (st == NULL)
        return STORE_ERROR;
    store_bind_text(st, 1, name);
    store_bind_text(st, 2, kid);
    store_bind_text(st, 3, pem);
    return store_finish_change(conn, st, "put identity key");
}
