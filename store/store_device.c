/*
 * store_device: users' devices (the devices table, migration 11): the key a sign-in minted,
 * its group key, the device SRP salt and verifier ConfirmDevice sent (NULL until then), the
 * remembered status and the dates GetDevice shows. A device belongs to its pool and user and
 * goes with either. What a device means is userpool/device.c's; see store.h for the contract.
 */
#include "config.h"

#include <stdlib.h>

#include "store_internal.h"

#define DEVICE_COLUMNS                                                                             \
    "rowid, device_key, pool_id, user_seq, group_key, salt, verifier, name, remembered, "          \
    "created_ms, modified_ms, last_auth_ms, last_ip"

static const char SQL_DEVICE_PUT[] =
    "INSERT INTO devices (device_key, pool_id, user_seq, group_key, salt, verifier, name, "
    "remembered, created_ms, modified_ms, last_auth_ms, last_ip) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)";
static const char SQL_DEVICE_GET[] = "SELECT " DEVICE_COLUMNS " FROM devices WHERE device_key = ?1";
static const char SQL_DEVICE_CONFIRM[] =
    "UPDATE devices SET salt = ?2, verifier = ?3, name = ?4, remembered = ?5, modified_ms = ?6 "
    "WHERE device_key = ?1 AND verifier IS NULL";
static const char SQL_DEVICE_REMEMBER[] =
    "UPDATE devices SET remembered = ?2, modified_ms = ?3 WHERE device_key = ?1";
static const char SQL_DEVICE_AUTH[] =
    "UPDATE devices SET last_auth_ms = ?2, last_ip = coalesce(?3, last_ip) WHERE device_key = ?1";
static const char SQL_DEVICE_DELETE[] = "DELETE FROM devices WHERE device_key = ?1";
static const char SQL_DEVICE_GROUP[] =
    "SELECT group_key FROM devices WHERE user_seq = ?1 ORDER BY created_ms LIMIT 1";
static const char SQL_DEVICE_LIST[] = "SELECT " DEVICE_COLUMNS " FROM devices "
                                      "WHERE user_seq = ?1 AND verifier IS NOT NULL "
                                      "AND (?2 = 0 OR remembered = 1) AND rowid > ?4 "
                                      "ORDER BY rowid LIMIT ?3";

void store_device_free(struct store_device *d)
{
    if (d == NULL)
        return;
    free(d->device_key);
    free(d->pool_id);
    free(d->group_key);
    free(d->salt);
    free(d->verifier);
    free(d->name);
    free(d->last_ip);
    free(d);
}

void store_device_page_free(struct store_device_page *page)
{
    for (size_t i = 0; i < page->count; i++)
        store_device_free(page->devices[i]);
    free(page->devices);
    free(page->next_token);
    page->devices = NULL;
    page->next_token = NULL;
    page->count = 0;
}

/* The device of the current row of st (DEVICE_COLUMNS), or NULL when out of memory. */
static struct store_device *device_from_row(sqlite3_stmt *st)
{
    struct store_device *d = calloc(1, sizeof(*d));
    int ok = d != NULL;

    if (!ok)
        return NULL;
    d->device_key = store_column_or_null(st, 1, &ok);
    d->pool_id = store_column_or_null(st, 2, &ok);
    d->user_seq = sqlite3_column_int64(st, 3);
    d->group_key = store_column_or_null(st, 4, &ok);
    d->salt = store_column_or_null(st, 5, &ok);
    d->verifier = store_column_or_null(st, 6, &ok);
    d->name = store_column_or_null(st, 7, &ok);
    d->remembered = sqlite3_column_int(st, 8);
    d->created_ms = sqlite3_column_int64(st, 9);
    d->modified_ms = sqlite3_column_int64(st, 10);
    d->last_auth_ms = sqlite3_column_int64(st, 11); /* NULL reads as 0 */
    d->last_ip = store_column_or_null(st, 12, &ok);
    if (!ok) {
        store_device_free(d);
        return NULL;
    }
    return d;
}

int store_device_put(struct store_conn *conn, const struct store_device *d)
{
    sqlite3_stmt *st = store_stmt(conn, SQL_DEVICE_PUT);

    if (st == NULL)
        return STORE_ERROR;
    store_bind_text(st, 1, d->device_key);
    store_bind_text(st, 2, d->pool_id);
    sqlite3_bind_int64(st, 3, d->user_seq);
    store_bind_text(st, 4, d->group_key);
    store_bind_text(st, 5, d->salt);
    store_bind_text(st, 6, d->verifier);
    store_bind_text(st, 7, d->name);
    sqlite3_bind_int(st, 8, d->remembered != 0);
    sqlite3_bind_int64(st, 9, d->created_ms);
    sqlite3_bind_int64(st, 10, d->modified_ms);
    if (d->last_auth_ms > 0)
        sqlite3_bind_int64(st, 11, d->last_auth_ms);
    store_bind_text(st, 12, d->last_ip);
    return store_finish(conn, st, "device put");
}

int store_device_get(struct store_conn *conn, const char *device_key, struct store_device **out)
{
    sqlite3_stmt *st = store_stmt(conn, SQL_DEVICE_GET);
    int rc, status = STORE_NOT_FOUND;

    *out = NULL;
    if (st == NULL)
        return STORE_ERROR;
    store_bind_text(st, 1, device_key);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        status = (*out = device_from_row(st)) != NULL ? STORE_OK : STORE_ERROR;
    else if (rc != SQLITE_DONE)
        status = store_status_from(conn, rc, "device get");
    store_stmt_done(st);
    return status;
}

int store_device_confirm(struct store_conn *conn, const struct store_device *d)
{
    sqlite3_stmt *st = store_stmt(conn, SQL_DEVICE_CONFIRM);

    if (st == NULL)
        return STORE_ERROR;
    store_bind_text(st, 1, d->device_key);
    store_bind_text(st, 2, d->salt);
    store_bind_text(st, 3, d->verifier);
    store_bind_text(st, 4, d->name);
    sqlite3_bind_int(st, 5, d->remembered != 0);
    sqlite3_bind_int64(st, 6, d->modified_ms);
    return store_finish_change(conn, st, "device confirm");
}

int store_device_remember(struct store_conn *conn, const char *device_key, int remembered,
                          int64_t now_ms)
{
    sqlite3_stmt *st = store_stmt(conn, SQL_DEVICE_REMEMBER);

    if (st == NULL)
        return STORE_ERROR;
    store_bind_text(st, 1, device_key);
    sqlite3_bind_int(st, 2, remembered != 0);
    sqlite3_bind_int64(st, 3, now_ms);
    return store_finish_change(conn, st, "device remember");
}

int store_device_note_auth(struct store_conn *conn, const char *device_key, int64_t now_ms,
                           const char *ip)
{
    sqlite3_stmt *st = store_stmt(conn, SQL_DEVICE_AUTH);

    if (st == NULL)
        return STORE_ERROR;
    store_bind_text(st, 1, device_key);
    sqlite3_bind_int64(st, 2, now_ms);
    store_bind_text(st, 3, ip);
    return store_finish_change(conn, st, "device sign-in");
}

int store_device_delete(struct store_conn *conn, const char *device_key)
{
    sqlite3_stmt *st = store_stmt(conn, SQL_DEVICE_DELETE);

    if (st == NULL)
        return STORE_ERROR;
    store_bind_text(st, 1, device_key);
    return store_finish_change(conn, st, "device delete");
}

int store_device_group_key(struct store_conn *conn, int64_t user_seq, char **out)
{
    sqlite3_stmt *st = store_stmt(conn, SQL_DEVICE_GROUP);
    int rc, status = STORE_NOT_FOUND;

    *out = NULL;
    if (st == NULL)
        return STORE_ERROR;
    sqlite3_bind_int64(st, 1, user_seq);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        status = (*out = store_column_dup(st, 0)) != NULL ? STORE_OK : STORE_ERROR;
    else if (rc != SQLITE_DONE)
        status = store_status_from(conn, rc, "device group key");
    store_stmt_done(st);
    return status;
}

/* store_row_fn: append the row's device to the page (room for the limit was made). */
static int keep_device(void *arg, sqlite3_stmt *st)
{
    struct store_device_page *page = arg;

    if ((page->devices[page->count] = device_from_row(st)) == NULL)
        return -1;
    page->count++;
    return 0;
}

int store_device_list(struct store_conn *conn, int64_t user_seq, int remembered_only, int limit,
                      const char *token, struct store_device_page *page)
{
    sqlite3_stmt *st;
    int64_t after = 0;
    int status;

    *page = (struct store_device_page){0};
    if (limit <= 0 || store_parse_token(token, &after) != 0)
        return limit <= 0 ? STORE_ERROR : STORE_BAD_TOKEN;
    if ((page->devices = calloc((size_t)limit, sizeof(*page->devices))) == NULL ||
        (st = store_stmt(conn, SQL_DEVICE_LIST)) == NULL) {
        store_device_page_free(page);
        return STORE_ERROR;
    }
    sqlite3_bind_int64(st, 1, user_seq);
    sqlite3_bind_int(st, 2, remembered_only != 0);
    sqlite3_bind_int(st, 3, limit + 1);
    sqlite3_bind_int64(st, 4, after);
    status =
        store_page_rows(conn, st, limit, 0, 0, keep_device, page, &page->next_token, "device list");
    if (status != STORE_OK)
        store_device_page_free(page);
    return status;
}
