/*
 * store_doc: the generic document API (store.h) over one table per kind. Every kind's table
 * has the same columns (seq, id, parent, doc), so one set of SQL templates serves them all;
 * a NULL parent argument matches any parent.
 */
#include "config.h"

#include "store_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct kind_sql {
    const char *insert, *get, *replace, *delete, *list, *count;
};

#define KIND_SQL(table)                                                                            \
    {                                                                                              \
        "INSERT INTO " table " (id, parent, doc) VALUES (?1, ?2, ?3)",                             \
            "SELECT doc FROM " table " WHERE id = ?1 AND (?2 IS NULL OR parent = ?2)",             \
            "UPDATE " table " SET doc = ?3 WHERE id = ?1 AND (?2 IS NULL OR parent = ?2)",         \
            "DELETE FROM " table " WHERE id = ?1 AND (?2 IS NULL OR parent = ?2)",                 \
            "SELECT seq, doc FROM " table " WHERE (?1 IS NULL OR parent = ?1) AND seq > ?2"        \
            " ORDER BY seq LIMIT ?3",                                                              \
            "SELECT count(*) FROM " table " WHERE (?1 IS NULL OR parent = ?1)",                    \
    }

static const struct kind_sql kinds[STORE__KIND_COUNT] = {
    [STORE_USER_POOL] = KIND_SQL("user_pools"),
    [STORE_USER_POOL_CLIENT] = KIND_SQL("user_pool_clients"),
    [STORE_IDENTITY_POOL] = KIND_SQL("identity_pools"),
    [STORE_USER_POOL_DOMAIN] = KIND_SQL("user_pool_domains"),
    [STORE_RESOURCE_SERVER] = KIND_SQL("resource_servers"),
    [STORE_IDENTITY_PROVIDER] = KIND_SQL("identity_providers"),
    [STORE_UI_CUSTOMIZATION] = KIND_SQL("ui_customizations"),
    [STORE_MANAGED_LOGIN_BRANDING] = KIND_SQL("managed_login_brandings"),
};

/* Run a statement that changes rows; STORE_NOT_FOUND when it changed none. */
static int run_change(struct store_conn *conn, const char *sql, const char *id,
                      const char *parent_id, const char *doc)
{
    sqlite3_stmt *st = store_stmt(conn, sql);
    int rc;

    if (st == NULL)
        return STORE_ERROR;
    store_bind_text(st, 1, id);
    store_bind_text(st, 2, parent_id);
    if (doc != NULL)
        sqlite3_bind_text(st, 3, doc, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    store_stmt_done(st);
    if (rc != SQLITE_DONE)
        return store_status_from(conn, rc, sql);
    return sqlite3_changes(conn->db) > 0 ? STORE_OK : STORE_NOT_FOUND;
}

int store_doc_insert(struct store_conn *conn, enum store_kind kind, const char *id,
                     const char *parent_id, const char *doc)
{
    return run_change(conn, kinds[kind].insert, id, parent_id, doc);
}

int store_doc_replace(struct store_conn *conn, enum store_kind kind, const char *id,
                      const char *parent_id, const char *doc)
{
    return run_change(conn, kinds[kind].replace, id, parent_id, doc);
}

int store_doc_delete(struct store_conn *conn, enum store_kind kind, const char *id,
                     const char *parent_id)
{
    return run_change(conn, kinds[kind].delete, id, parent_id, NULL);
}

int store_doc_get(struct store_conn *conn, enum store_kind kind, const char *id,
                  const char *parent_id, char **doc)
{
    sqlite3_stmt *st = store_stmt(conn, kinds[kind].get);
    int rc, status;

    *doc = NULL;
    if (st == NULL)
        return STORE_ERROR;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    store_bind_text(st, 2, parent_id);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *doc = store_column_dup(st, 0);
        status = *doc ? STORE_OK : STORE_ERROR;
    } else {
        status = rc == SQLITE_DONE ? STORE_NOT_FOUND : store_status_from(conn, rc, "get");
    }
    store_stmt_done(st);
    return status;
}

/* store_row_fn: the document (column 1) appended to a struct store_page. */
static int keep_doc(void *arg, sqlite3_stmt *st)
{
    struct store_page *page = arg;

    if ((page->docs[page->count] = store_column_dup(st, 1)) == NULL)
        return -1;
    page->count++;
    return 0;
}

int store_doc_list(struct store_conn *conn, enum store_kind kind, const char *parent_id,
                   const char *token, int limit, struct store_page *page)
{
    sqlite3_stmt *st;
    int64_t after;
    int status;

    memset(page, 0, sizeof(*page));
    if (store_parse_token(token, &after) != 0)
        return STORE_BAD_TOKEN;
    if (limit < 1)
        limit = 1;
    page->docs = calloc((size_t)limit, sizeof(char *));
    if (page->docs == NULL || (st = store_stmt(conn, kinds[kind].list)) == NULL) {
        store_page_free(page);
        return STORE_ERROR;
    }
    store_bind_text(st, 1, parent_id);
    sqlite3_bind_int64(st, 2, after);
    sqlite3_bind_int(st, 3, limit + 1); /* one more than asked tells whether a next page exists */
    status = store_page_rows(conn, st, limit, 0, 0, keep_doc, page, &page->next_token, "list");
    if (status != STORE_OK)
        store_page_free(page);
    return status;
}

void store_page_free(struct store_page *page)
{
    for (size_t i = 0; i < page->count; i++)
        free(page->docs[i]);
    free(page->docs);
    free(page->next_token);
    memset(page, 0, sizeof(*page));
}

int64_t store_doc_count(struct store_conn *conn, enum store_kind kind, const char *parent_id)
{
    sqlite3_stmt *st = store_stmt(conn, kinds[kind].count);
    int64_t n = -1;

    if (st == NULL)
        return -1;
    store_bind_text(st, 1, parent_id);
    if (sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    store_stmt_done(st);
    return n;
}
