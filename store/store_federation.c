/*
 * store_federation: the links AdminLinkProviderForUser makes from an external identity to an
 * existing user of the pool (federation_links, migration 10). A link belongs to its pool and
 * to its user, and goes with either. See store.h for the contract; what a link means at
 * sign-in is the user pool wing's (userpool/federation.c).
 */
#include "config.h"

#include "store_internal.h"

#include <stdlib.h>

static const char SQL_LINK_PUT[] =
    "INSERT INTO federation_links (pool_id, provider, attribute, value, user_seq, created_ms)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
static const char SQL_LINK_GET[] =
    "SELECT user_seq FROM federation_links"
    " WHERE pool_id = ?1 AND provider = ?2 AND attribute = ?3 AND value = ?4";
static const char SQL_LINK_DELETE[] =
    "DELETE FROM federation_links"
    " WHERE pool_id = ?1 AND provider = ?2 AND attribute = ?3 AND value = ?4";
static const char SQL_LINK_COUNT[] = "SELECT count(*) FROM federation_links WHERE user_seq = ?1";

/* Bind the four columns that name an identity to parameters 1 to 4 of st. */
static void bind_identity(sqlite3_stmt *st, const char *pool_id, const char *provider,
                          const char *attribute, const char *value)
{
    store_bind_text(st, 1, pool_id);
    store_bind_text(st, 2, provider);
    store_bind_text(st, 3, attribute);
    store_bind_text(st, 4, value);
}

int store_link_get(struct store_conn *conn, const char *pool_id, const char *provider,
                   const char *attribute, const char *value, int64_t *user_seq)
{
    sqlite3_stmt *st = store_stmt(conn, SQL_LINK_GET);
    int rc, status;

    if (st == NULL)
        return STORE_ERROR;
    bind_identity(st, pool_id, provider, attribute, value);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *user_seq = sqlite3_column_int64(st, 0);
        status = STORE_OK;
    } else {
        status = rc == SQLITE_DONE ? STORE_NOT_FOUND : store_status_from(conn, rc, "get link");
    }
    store_stmt_done(st);
    return status;
}

int store_link_put(struct store_conn *conn, const struct store_link *l)
{
    int64_t seq;
    int status = store_link_get(conn, l->pool_id, l->provider, l->attribute, l->value, &seq);
    sqlite3_stmt *st;

    /* Linking an identity again to its user changes nothing (the first date stands). */
    if (status == STORE_OK)
        return seq == l->user_seq ? STORE_OK : STORE_EXISTS;
    if (status != STORE_NOT_FOUND || (st = store_stmt(conn, SQL_LINK_PUT)) == NULL)
        return STORE_ERROR;
    bind_identity(st, l->pool_id, l->provider, l->attribute, l->value);
    sqlite3_bind_int64(st, 5, l->user_seq);
    sqlite3_bind_int64(st, 6, l->created_ms);
    return store_finish(conn, st, "put link");
}

int store_link_delete(struct store_conn *conn, const char *pool_id, const char *provider,
                      const char *attribute, const char *value)
{
    sqlite3_stmt *st = store_stmt(conn, SQL_LINK_DELETE);

    if (st == NULL)
        return STORE_ERROR;
    bind_identity(st, pool_id, provider, attribute, value);
    return store_finish_change(conn, st, "delete link");
}

int64_t store_link_count(struct store_conn *conn, int64_t user_seq)
{
    sqlite3_stmt *st = store_stmt(conn, SQL_LINK_COUNT);
    int64_t n = -1;

    if (st == NULL)
        return -1;
    sqlite3_bind_int64(st, 1, user_seq);
    if (sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    store_stmt_done(st);
    return n;
}
