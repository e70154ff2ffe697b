/*
 * store_group: the groups of user pools and their members. See store.h for the contract.
 *
 * Groups are rows of their own (not documents): a group's name is unique only within its
 * pool, and memberships reference both the group and the user, so that deleting either (or
 * the pool) removes them through foreign keys.
 */
#include "config.h"

#include "store_internal.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GROUP_COLUMNS                                                                              \
    "seq, pool_id, name, description, role_arn, precedence, created_ms, modified_ms"

static const char SQL_GROUP_INSERT[] =
    "INSERT INTO user_groups (pool_id, name, description, role_arn, precedence, created_ms,"
    " modified_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
static const char SQL_GROUP_GET[] =
    "SELECT " GROUP_COLUMNS " FROM user_groups WHERE pool_id = ?1 AND name = ?2";
static const char SQL_GROUP_UPDATE[] = "UPDATE user_groups SET description = ?2, role_arn = ?3,"
                                       " precedence = ?4, modified_ms = ?5 WHERE seq = ?1";
static const char SQL_GROUP_DELETE[] = "DELETE FROM user_groups WHERE seq = ?1";
static const char SQL_GROUP_LIST[] = "SELECT " GROUP_COLUMNS " FROM user_groups"
                                     " WHERE pool_id = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3";
/* A user's groups in token order; the page position is the row's rank in that order. */
static const char SQL_GROUP_LIST_FOR_USER[] =
    "SELECT " GROUP_COLUMNS " FROM user_groups"
    " WHERE seq IN (SELECT group_seq FROM group_members WHERE user_seq = ?1)"
    " ORDER BY precedence IS NULL, precedence, seq LIMIT ?3 OFFSET ?2";
static const char SQL_MEMBER_ADD[] =
    "INSERT OR IGNORE INTO group_members (group_seq, user_seq) VALUES (?1, ?2)";
static const char SQL_MEMBER_REMOVE[] =
    "DELETE FROM group_members WHERE group_seq = ?1 AND user_seq = ?2";
static const char SQL_MEMBER_LIST[] = "SELECT user_seq FROM group_members"
                                      " WHERE group_seq = ?1 AND user_seq > ?2"
                                      " ORDER BY user_seq LIMIT ?3";

void store_group_free(struct store_group *g)
{
    if (g == NULL)
        return;
    free(g->pool_id);
    free(g->name);
    free(g->description);
    free(g->role_arn);
    free(g);
}

/* The group in the current row of a statement selecting GROUP_COLUMNS, or NULL (no memory). */
static struct store_group *group_from_row(sqlite3_stmt *st)
{
    struct store_group *g = calloc(1, sizeof(*g));
    int ok = 1;

    if (g == NULL)
        return NULL;
    g->seq = sqlite3_column_int64(st, 0);
    g->pool_id = store_column_or_null(st, 1, &ok);
    g->name = store_column_or_null(st, 2, &ok);
    g->description = store_column_or_null(st, 3, &ok);
    g->role_arn = store_column_or_null(st, 4, &ok);
    g->has_precedence = sqlite3_column_type(st, 5) != SQLITE_NULL;
    g->precedence = sqlite3_column_int64(st, 5);
    g->created_ms = sqlite3_column_int64(st, 6);
    g->modified_ms = sqlite3_column_int64(st, 7);
    if (!ok || g->pool_id == NULL || g->name == NULL) {
        store_group_free(g);
        return NULL;
    }
    return g;
}

static void bind_precedence(sqlite3_stmt *st, int i, const struct store_group *g)
{
    if (g->has_precedence)
        sqlite3_bind_int64(st, i, g->precedence);
    else
        sqlite3_bind_null(st, i);
}

int store_group_insert(struct store_conn *conn, struct store_group *g)
{
    sqlite3_stmt *st = store_stmt(conn, SQL_GROUP_INSERT);
    int status;

    if (st == NULL)
        return STORE_ERROR;
    store_bind_text(st, 1, g->pool_id);
    store_bind_text(st, 2, g->name);
    store_bind_text(st, 3, g->description);
    store_bind_text(st, 4, g->role_arn);
    bind_precedence(st, 5, g);
    sqlite3_bind_int64(st, 6, g->created_ms);
    sqlite3_bind_int64(st, 7, g->modified_ms);
    status = store_finish(conn, st, "insert group");
    if (status == STORE_OK)
        g->seq = sqlite3_last_insert_rowid(conn->db);
    return status;
}

int store_group_get(struct store_conn *conn, const char *pool_id, const char *name,
                    struct store_group **out)
{
    sqlite3_stmt *st = store_stmt(conn, SQL_GROUP_GET);
    int rc, status;

    *out = NULL;
    if (st == NULL)
        return STORE_ERROR;
    store_bind_text(st, 1, pool_id);
    store_bind_text(st, 2, name);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        status = (*out = group_from_row(st)) != NULL ? STORE_OK : STORE_ERROR;
    else
        status = rc == SQLITE_DONE ? STORE_NOT_FOUND : store_status_from(conn, rc, "get group");
    store_stmt_done(st);
    return status;
}

int store_group_update(struct store_conn *conn, const struct store_group *g)
{
    sqlite3_stmt *st = store_stmt(conn, SQL_GROUP_UPDATE);

    if (st == NULL)
        return STORE_ERROR;
    sqlite3_bind_int64(st, 1, g->seq);
    store_bind_text(st, 2, g->description);
    store_bind_text(st, 3, g->role_arn);
    bind_precedence(st, 4, g);
    sqlite3_bind_int64(st, 5, g->modified_ms);
    return store_finish_change(conn, st, "update group");
}

int store_group_delete(struct store_conn *conn, int64_t seq)
{
    sqlite3_stmt *st = store_stmt(conn, SQL_GROUP_DELETE);

    if (st == NULL)
        return STORE_ERROR;
    sqlite3_bind_int64(st, 1, seq);
    return store_finish_change(conn, st, "delete group");
}

void store_group_page_free(struct store_group_page *page)
{
    for (size_t i = 0; i < page->count; i++)
        store_group_free(page->groups[i]);
    free(page->groups);
    free(page->next_token);
    memset(page, 0, sizeof(*page));
}

/* store_row_fn: the group appended to a struct store_group_page, growing its array. */
static int keep_group(void *arg, sqlite3_stmt *st)
{
    struct store_group_page *page = arg;

    /* The array grows with the rows: most users are in a few groups, and tokens ask for all
     * of them. Grown to powers of two from 8, so count tells the room. */
    if (page->count >= 8 && (page->count & (page->count - 1)) == 0) {
        struct store_group **g = realloc(page->groups, 2 * page->count * sizeof(*g));
        if (g == NULL)
            return -1;
        page->groups = g;
    } else if (page->groups == NULL && (page->groups = malloc(8 * sizeof(*page->groups))) == NULL) {
        return -1;
    }
    if ((page->groups[page->count] = group_from_row(st)) == NULL)
        return -1;
    page->count++;
    return 0;
}

/*
 * Fill page from st (bound but for its limit, parameter 3) with at most limit groups; one more
 * row tells that a next page exists. Its token is the last group's seq, or with by_rank the
 * position after this page (offset + limit) for lists not ordered by seq.
 */
static int fill_group_page(struct store_conn *conn, sqlite3_stmt *st, int limit, int64_t offset,
                           bool by_rank, struct store_group_page *page)
{
    int status;

    sqlite3_bind_int(st, 3, limit + 1);
    status = store_page_rows(conn, st, limit, 0, by_rank ? offset + limit : 0, keep_group, page,
                             &page->next_token, "list groups");
    if (status != STORE_OK)
        store_group_page_free(page);
    return status;
}

int store_group_list(struct store_conn *conn, const char *pool_id, const char *token, int limit,
                     struct store_group_page *page)
{
    sqlite3_stmt *st;
    int64_t after;

    memset(page, 0, sizeof(*page));
    if (store_parse_token(token, &after) != 0)
        return STORE_BAD_TOKEN;
    if ((st = store_stmt(conn, SQL_GROUP_LIST)) == NULL)
        return STORE_ERROR;
    store_bind_text(st, 1, pool_id);
    sqlite3_bind_int64(st, 2, after);
    return fill_group_page(conn, st, limit < 1 ? 1 : limit, 0, false, page);
}

int store_group_list_for_user(struct store_conn *conn, int64_t user_seq, const char *token,
                              int limit, struct store_group_page *page)
{
    sqlite3_stmt *st;
    int64_t offset;

    memset(page, 0, sizeof(*page));
    if (store_parse_token(token, &offset) != 0)
        return STORE_BAD_TOKEN;
    if ((st = store_stmt(conn, SQL_GROUP_LIST_FOR_USER)) == NULL)
        return STORE_ERROR;
    sqlite3_bind_int64(st, 1, user_seq);
    sqlite3_bind_int64(st, 2, offset);
    /* A user is in at most a few hundred groups (Cognito's limit is 10,000 per pool); "all"
     * is a page as large as any pool can make. */
    return fill_group_page(conn, st, limit > 0 ? limit : 10000, offset, true, page);
}

int store_group_add_member(struct store_conn *conn, int64_t group_seq, int64_t user_seq)
{
    sqlite3_stmt *st = store_stmt(conn, SQL_MEMBER_ADD);

    if (st == NULL)
        return STORE_ERROR;
    sqlite3_bind_int64(st, 1, group_seq);
    sqlite3_bind_int64(st, 2, user_seq);
    return store_finish(conn, st, "add group member");
}

int store_group_remove_member(struct store_conn *conn, int64_t group_seq, int64_t user_seq)
{
    sqlite3_stmt *st = store_stmt(conn, SQL_MEMBER_REMOVE);

    if (st == NULL)
        return STORE_ERROR;
    sqlite3_bind_int64(st, 1, group_seq);
    sqlite3_bind_int64(st, 2, user_seq);
    return store_finish(conn, st, "remove group member");
}

/*
 * The members' seqs are read first and the users then one by one (a page is at most 60): the
 * user row format stays store_user.c's alone.
 */
int store_group_list_members(struct store_conn *conn, int64_t group_seq, const char *token,
                             int limit, struct store_user_page *page)
{
    sqlite3_stmt *st;
    int64_t after, *seqs = NULL;
    size_t n = 0;
    int rc, status = STORE_OK;

    memset(page, 0, sizeof(*page));
    if (store_parse_token(token, &after) != 0)
        return STORE_BAD_TOKEN;
    if (limit < 1)
        limit = 1;
    if ((seqs = calloc((size_t)limit + 1, sizeof(*seqs))) == NULL ||
        (page->users = calloc((size_t)limit, sizeof(*page->users))) == NULL ||
        (st = store_stmt(conn, SQL_MEMBER_LIST)) == NULL) {
        free(seqs);
        store_user_page_free(page);
        return STORE_ERROR;
    }
    sqlite3_bind_int64(st, 1, group_seq);
    sqlite3_bind_int64(st, 2, after);
    sqlite3_bind_int(st, 3, limit + 1);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        seqs[n++] = sqlite3_column_int64(st, 0);
    if (rc != SQLITE_DONE)
        status = store_status_from(conn, rc, "list group members");
    store_stmt_done(st);
    for (size_t i = 0; status == STORE_OK && i < n && i < (size_t)limit; i++) {
        status = store_user_get_by_seq(conn, seqs[i], &page->users[i]);
        if (status == STORE_OK)
            page->count++;
    }
    if (status == STORE_OK && n > (size_t)limit) {
        char next[32];
        snprintf(next, sizeof(next), "%" PRId64, seqs[limit - 1]);
        status = (page->next_token = strdup(next)) != NULL ? STORE_OK : STORE_ERROR;
    }
    free(seqs);
    if (status != STORE_OK) {
        store_user_page_free(page);
        return status == STORE_NOT_FOUND ? STORE_ERROR : status;
    }
    return STORE_OK;
}
