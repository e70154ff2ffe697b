/*
 * store_internal: what the store_*.c files share and nothing outside store/ sees: the
 * connection and pool structures, the prepared-statement cache, and status mapping.
 */
#ifndef COG_STORE_INTERNAL_H
#define COG_STORE_INTERNAL_H

#include <pthread.h>
#include <sqlite3.h>

#include "store/store.h"

/* A connection's prepared statements, by the address of their static SQL string. It grows as
 * the program uses new statements (a fixed size ran out once the program grew past it). */
struct store_cached_stmt {
    const char *sql; /* identity of a static SQL string */
    sqlite3_stmt *stmt;
};

struct store_conn {
    sqlite3 *db;
    struct store_cached_stmt *cache;
    int ncached, cache_cap;
    int in_tx;
    struct store_conn *next_free;
};

struct store {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct store_conn *conns; /* room for cap; the first nconns are taken (db NULL: failed) */
    int nconns, cap;
    struct store_conn *free_list;
    char *uri; /* what store_acquire() opens when it needs one more connection */
    int is_memory;
};

/*
 * The prepared statement for sql (a static string: the cache is keyed by its address),
 * prepared once per connection and reused. The caller binds, steps, and must call
 * store_stmt_done() before returning. NULL on a preparation error (logged).
 */
sqlite3_stmt *store_stmt(struct store_conn *conn, const char *sql);

/* Reset st and clear its bindings so the cache can hand it out again. Accepts NULL. */
void store_stmt_done(sqlite3_stmt *st);

/* Map a failed sqlite3 result code to a store status, logging what is unexpected. */
int store_status_from(struct store_conn *conn, int rc, const char *what);

/*
 * Parse a pagination token (the decimal position of the last row of the previous page; NULL
 * for the first page) into *seq. 0, or -1 for a token this store did not make.
 */
int store_parse_token(const char *token, int64_t *seq);

/* Bind text to parameter i, or SQL NULL when text is NULL (borrowed until the step). */
void store_bind_text(sqlite3_stmt *st, int i, const char *text);

/* A copy of a nullable text column: NULL stays NULL; *ok drops to 0 when out of memory. */
char *store_column_or_null(sqlite3_stmt *st, int col, int *ok);

/*
 * Step a bound statement that writes (INSERT, UPDATE, DELETE) to its end, then reset it for the
 * cache (store_stmt_done). STORE_OK when it ran, whether or not it changed a row (an upsert, an
 * INSERT OR IGNORE, a DELETE of nothing); otherwise the mapped failure (store_status_from,
 * naming what): STORE_EXISTS for a taken key, STORE_NOT_FOUND for a missing parent row, or
 * STORE_ERROR (logged). sqlite3_changes() and sqlite3_last_insert_rowid() still describe the
 * statement afterwards.
 */
int store_finish(struct store_conn *conn, sqlite3_stmt *st, const char *what);

/*
 * store_finish() for a write that must hit a row: STORE_NOT_FOUND also when it changed none.
 */
int store_finish_change(struct store_conn *conn, sqlite3_stmt *st, const char *what);

/* Keeps one row of a page: appends it to the caller's page. 0, or -1 (out of memory). */
typedef int store_row_fn(void *page, sqlite3_stmt *st);

/*
 * The loop of every List: step st, a bound statement that asks for limit + 1 rows, handing at
 * most limit rows to keep(page, st). When a further row exists, *next_token becomes a new
 * string: the seq (column seq_col) of the last kept row, or next_position when it is > 0 (for
 * lists not ordered by seq). Resets st. STORE_OK or STORE_ERROR (what names the list in logs).
 */
int store_page_rows(struct store_conn *conn, sqlite3_stmt *st, int limit, int seq_col,
                    int64_t next_position, store_row_fn *keep, void *page, char **next_token,
                    const char *what);

/* A malloc'd copy of a text column, or NULL when out of memory. */
char *store_column_dup(sqlite3_stmt *st, int col);

#endif
