/*
 * store_control: what the control API (server/control/) and the fixture loader need from the
 * database, beyond what the AWS operations use: the message inbox (every code and temporary
 * password "sent"), the whole-database reset with the pruning of the keys it kept, and the
 * re-keying that lets a fixture give a document made by a real operation its fixed id (a
 * user's is store_user_set_identity() in store_user.c). See store.h for the contract.
 */
#include "config.h"

#include "store_internal.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/log.h"

static const char SQL_MESSAGE_PUT[] =
    "INSERT INTO messages (time_ms, pool_id, username, kind, medium, attribute, destination,"
    " code, message, subject, sender) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)";
/* Newest first; a NULL filter value matches everything. */
static const char SQL_MESSAGE_LIST[] =
    "SELECT id, time_ms, pool_id, username, kind, medium, attribute, destination, code,"
    " message, subject, sender FROM messages WHERE id > ?1 AND (?2 IS NULL OR pool_id = ?2)"
    " AND (?3 IS NULL OR username = ?3) AND (?4 IS NULL OR kind = ?4)"
    " AND (?5 IS NULL OR destination = ?5) ORDER BY id DESC LIMIT ?6";
static const char SQL_MESSAGE_CLEAR[] = "DELETE FROM messages";
/* AUTOINCREMENT keeps the highest id ever given in sqlite_sequence, across clears and resets. */
static const char SQL_MESSAGE_LAST[] =
    "SELECT coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'messages'), 0)";

static const char SQL_TABLES[] = "SELECT name FROM sqlite_master WHERE type = 'table'"
                                 " AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'";
static const char SQL_KEYS_PRUNE[] =
    "DELETE FROM signing_keys WHERE pool_id NOT IN (SELECT id FROM user_pools)";

/* The rekey statement of each document kind (the tables of store_doc.c). */
static const char *const SQL_REKEY[STORE__KIND_COUNT] = {
    [STORE_USER_POOL] = "UPDATE user_pools SET id = ?2, doc = ?3 WHERE id = ?1",
    [STORE_USER_POOL_CLIENT] = "UPDATE user_pool_clients SET id = ?2, doc = ?3 WHERE id = ?1",
    [STORE_IDENTITY_POOL] = "UPDATE identity_pools SET id = ?2, doc = ?3 WHERE id = ?1",
};

/* ---- Messages ----------------------------------------------------------------------------- */

void store_message_free(struct store_message *m)
{
    if (m == NULL)
        return;
    free(m->pool_id);
    free(m->username);
    free(m->kind);
    free(m->medium);
    free(m->attribute);
    free(m->destination);
    free(m->code);
    free(m->message);
    free(m->subject);
    free(m->sender);
    free(m);
}

void store_message_list_free(struct store_message **list, size_t count)
{
    for (size_t i = 0; list != NULL && i < count; i++)
        store_message_free(list[i]);
    free(list);
}

int store_message_put(struct store_conn *conn, const struct store_message *m, int64_t *id)
{
    sqlite3_stmt *st = store_stmt(conn, SQL_MESSAGE_PUT);
    int status;

    if (st == NULL)
        return STORE_ERROR;
    sqlite3_bind_int64(st, 1, m->time_ms);
    store_bind_text(st, 2, m->pool_id ? m->pool_id : "");
    store_bind_text(st, 3, m->username ? m->username : "");
    store_bind_text(st, 4, m->kind ? m->kind : "");
    store_bind_text(st, 5, m->medium ? m->medium : "");
    store_bind_text(st, 6, m->attribute);
    store_bind_text(st, 7, m->destination);
    store_bind_text(st, 8, m->code ? m->code : "");
    store_bind_text(st, 9, m->message);
    store_bind_text(st, 10, m->subject);
    store_bind_text(st, 11, m->sender);
    if ((status = store_finish(conn, st, "put message")) == STORE_OK && id != NULL)
        *id = sqlite3_last_insert_rowid(conn->db);
    return status;
}

/* The message in the current row of SQL_MESSAGE_LIST, or NULL when out of memory. */
static struct store_message *message_from_row(sqlite3_stmt *st)
{
    struct store_message *m = calloc(1, sizeof(*m));

    if (m == NULL)
        return NULL;
    char **text[] = {NULL,     NULL,        &m->pool_id,   &m->username,
                     &m->kind, &m->medium,  &m->attribute, &m->destination,
                     &m->code, &m->message, &m->subject,   &m->sender};
    m->id = sqlite3_column_int64(st, 0);
    m->time_ms = sqlite3_column_int64(st, 1);
    for (int col = 2; col < (int)(sizeof(text) / sizeof(text[0])); col++) {
        if (sqlite3_column_type(st, col) == SQLITE_NULL)
            continue;
        if ((*text[col] = store_column_dup(st, col)) == NULL) {
            store_message_free(m);
            return NULL;
        }
    }
    return m;
}

int store_message_list(struct store_conn *conn, const struct store_message_filter *f,
                       struct store_message ***out, size_t *count)
{
    sqlite3_stmt *st;
    int limit = f->limit > 0 ? f->limit : 1, rc, status = STORE_OK;

    *out = NULL;
    *count = 0;
    if ((*out = calloc((size_t)limit, sizeof(**out))) == NULL)
        return STORE_ERROR;
    if ((st = store_stmt(conn, SQL_MESSAGE_LIST)) == NULL) {
        free(*out);
        *out = NULL;
        return STORE_ERROR;
    }
    sqlite3_bind_int64(st, 1, f->after_id);
    store_bind_text(st, 2, f->pool_id);
    store_bind_text(st, 3, f->username);
    store_bind_text(st, 4, f->kind);
    store_bind_text(st, 5, f->destination);
    sqlite3_bind_int(st, 6, limit);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (((*out)[*count] = message_from_row(st)) == NULL) {
            status = STORE_ERROR;
            break;
        }
        (*count)++;
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        status = store_status_from(conn, rc, "list messages");
    store_stmt_done(st);
    if (status != STORE_OK) {
        store_message_list_free(*out, *count);
        *out = NULL;
        *count = 0;
    }
    return status;
}

int store_message_clear(struct store_conn *conn)
{
    sqlite3_stmt *st = store_stmt(conn, SQL_MESSAGE_CLEAR);
    int rc;

    if (st == NULL)
        return STORE_ERROR;
    rc = store_finish_change(conn, st, "clear messages");
    return rc == STORE_NOT_FOUND ? STORE_OK : rc;
}

int64_t store_message_last_id(struct store_conn *conn)
{
    sqlite3_stmt *st = store_stmt(conn, SQL_MESSAGE_LAST);
    int64_t id = -1;

    if (st == NULL)
        return -1;
    if (sqlite3_step(st) == SQLITE_ROW)
        id = sqlite3_column_int64(st, 0);
    store_stmt_done(st);
    return id;
}

/* ---- Reset --------------------------------------------------------------------------------- */

/* Run sql (no rows expected) with sqlite3_exec, logging a failure. SQLITE_OK or the error. */
static int exec(struct store_conn *conn, const char *sql)
{
    char *msg = NULL;
    int rc = sqlite3_exec(conn->db, sql, NULL, NULL, &msg);

    if (rc != SQLITE_OK) {
        log_error("store: %s: %s", sql, msg ? msg : sqlite3_errstr(rc));
        sqlite3_free(msg);
    }
    return rc;
}

/*
 * The tables of signing keys: the user pools' (by pool id; store_keys_prune() drops those of
 * pools that are gone) and cognito-identity's OpenID token key (one for the whole emulator).
 */
static bool is_key_table(const char *name)
{
    return strcmp(name, "signing_keys") == 0 || strcmp(name, "identity_keys") == 0;
}

/*
 * Every table of the schema (whatever later migrations added) is emptied, in one transaction.
 * Foreign keys are switched off for it (the pragma is a no-op inside a transaction, so around
 * it): every table is emptied anyway, and with keep_keys the signing keys must survive the
 * deletion of their pools instead of cascading away. sqlite_sequence is kept, so message ids
 * keep growing across resets and a client's "after" mark stays meaningful.
 */
int store_reset(struct store_conn *conn, int keep_keys)
{
    sqlite3_stmt *st;
    char **tables = NULL;
    size_t n = 0, cap = 0;
    int rc, status = STORE_OK;

    if (conn->in_tx)
        return STORE_ERROR;
    if (exec(conn, "PRAGMA foreign_keys = OFF") != SQLITE_OK)
        return STORE_ERROR;
    if (store_begin(conn) != STORE_OK) {
        exec(conn, "PRAGMA foreign_keys = ON");
        return STORE_ERROR;
    }
    if ((st = store_stmt(conn, SQL_TABLES)) == NULL) {
        status = STORE_ERROR;
        goto out;
    }
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(st, 0);
        if (keep_keys && is_key_table(name))
            continue;
        if (n == cap) {
            char **grown = realloc(tables, (cap = cap ? cap * 2 : 16) * sizeof(*tables));
            if (grown == NULL) {
                status = STORE_ERROR;
                break;
            }
            tables = grown;
        }
        if ((tables[n] = sqlite3_mprintf("DELETE FROM \"%w\"", name)) == NULL) {
            status = STORE_ERROR;
            break;
        }
        n++;
    }
    if (status == STORE_OK && rc != SQLITE_DONE)
        status = store_status_from(conn, rc, "list tables");
    store_stmt_done(st);
    for (size_t i = 0; status == STORE_OK && i < n; i++)
        if (exec(conn, tables[i]) != SQLITE_OK)
            status = STORE_ERROR;
out:
    for (size_t i = 0; i < n; i++)
        sqlite3_free(tables[i]);
    free(tables);
    if (status == STORE_OK)
        status = store_commit(conn);
    else
        store_rollback(conn);
    if (exec(conn, "PRAGMA foreign_keys = ON") != SQLITE_OK)
        status = STORE_ERROR;
    return status;
}

int store_keys_prune(struct store_conn *conn)
{
    sqlite3_stmt *st = store_stmt(conn, SQL_KEYS_PRUNE);
    int rc;

    if (st == NULL)
        return STORE_ERROR;
    rc = store_finish_change(conn, st, "prune keys");
    return rc == STORE_NOT_FOUND ? STORE_OK : rc;
}

/* ---- Re-keying (fixtures) ------------------------------------------------------------------ */

int store_doc_rekey(struct store_conn *conn, enum store_kind kind, const char *old_id,
                    const char *new_id, const char *doc)
{
    sqlite3_stmt *st;

    if ((unsigned)kind >= STORE__KIND_COUNT || SQL_REKEY[kind] == NULL)
        return STORE_ERROR;
    if ((st = store_stmt(conn, SQL_REKEY[kind])) == NULL)
        return STORE_ERROR;
    store_bind_text(st, 1, old_id);
    store_bind_text(st, 2, new_id);
    store_bind_text(st, 3, doc);
    return store_finish_change(conn, st, "rekey document");
}
