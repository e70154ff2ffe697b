/*
 * store: the only module that speaks SQL. It keeps everything in one SQLite database.
 *
 * A struct store is a pool of connections (one per worker thread, WAL mode, busy timeout,
 * foreign keys on, prepared statements cached per connection). A request takes a connection
 * with store_acquire() and gives it back with store_release(); a connection is used by one
 * thread at a time. ":memory:" opens a throwaway database shared by all connections of the
 * process (SQLite's memdb VFS). The schema is versioned (PRAGMA user_version) and migrated
 * forward on open, so a database made by an older build opens in a newer one.
 *
 * Resources whose settings are a document (user pools, app clients, identity pools) are
 * stored as their AWS JSON form under an id, a parent id and an insertion order, through one
 * generic "doc" API. The store knows nothing about AWS error names: it answers STORE_* codes.
 */
#ifndef COG_STORE_H
#define COG_STORE_H

#include <stddef.h>
#include <stdint.h>

struct store;
struct store_conn;

enum store_status {
    STORE_OK = 0,
    STORE_NOT_FOUND, /* no such row (or its parent does not exist, for inserts) */
    STORE_EXISTS,    /* the id is taken */
    STORE_BAD_TOKEN, /* a pagination token that this store did not make */
    STORE_ERROR,     /* SQLite failed; logged */
};

/* The kinds of document the store keeps. */
enum store_kind {
    STORE_USER_POOL,        /* no parent */
    STORE_USER_POOL_CLIENT, /* parent: the user pool id; deleted with its pool */
    STORE_IDENTITY_POOL,    /* no parent */
    STORE__KIND_COUNT
};

/*
 * Open (creating and migrating as needed) the database at path, or ":memory:", with up to
 * nconns connections. On STORE_OK *out is a new store the caller closes with store_close().
 */
int store_open(const char *path, int nconns, struct store **out);

/* Close every connection (checkpointing the WAL). Accepts NULL. No connection may be in use. */
void store_close(struct store *st);

/* The schema version this build writes (and migrates older databases to). */
int store_schema_version(void);

/* Take a connection, waiting while all are in use. Never NULL. */
struct store_conn *store_acquire(struct store *st);

/* Give back a connection taken with store_acquire(); rolls back an open transaction. */
void store_release(struct store *st, struct store_conn *conn);

/*
 * Transactions: store_begin() starts a write transaction (BEGIN IMMEDIATE, so concurrent
 * writers queue on the busy timeout instead of deadlocking); store_commit() makes it durable;
 * store_rollback() undoes it. Each returns STORE_OK or STORE_ERROR. Calls outside a
 * transaction are each their own transaction.
 */
int store_begin(struct store_conn *conn);
int store_commit(struct store_conn *conn);
int store_rollback(struct store_conn *conn);

/*
 * Insert document doc (JSON text) of kind under id. parent_id names the parent (user pool
 * of a client) and must be NULL for kinds without one. Returns STORE_OK, STORE_EXISTS when
 * the id is taken, STORE_NOT_FOUND when the parent does not exist, or STORE_ERROR.
 */
int store_doc_insert(struct store_conn *conn, enum store_kind kind, const char *id,
                     const char *parent_id, const char *doc);

/*
 * Read document id of kind; with parent_id non-NULL it must also belong to that parent.
 * On STORE_OK *doc is a new string the caller frees with free(); NULL on every other status.
 */
int store_doc_get(struct store_conn *conn, enum store_kind kind, const char *id,
                  const char *parent_id, char **doc);

/* Replace the document id of kind (and parent_id when non-NULL). STORE_OK or STORE_NOT_FOUND. */
int store_doc_replace(struct store_conn *conn, enum store_kind kind, const char *id,
                      const char *parent_id, const char *doc);

/*
 * Delete document id of kind (and parent_id when non-NULL), with its children.
 * STORE_OK or STORE_NOT_FOUND.
 */
int store_doc_delete(struct store_conn *conn, enum store_kind kind, const char *id,
                     const char *parent_id);

/* One page of documents, oldest first. */
struct store_page {
    char **docs; /* count JSON strings */
    size_t count;
    char *next_token; /* opaque token for the next page, or NULL on the last page */
};

/*
 * List up to limit documents of kind (under parent_id when non-NULL), starting after the
 * position encoded in token (NULL for the first page). On STORE_OK *page is filled and the
 * caller frees it with store_page_free(); STORE_BAD_TOKEN for a token this store did not make.
 */
int store_doc_list(struct store_conn *conn, enum store_kind kind, const char *parent_id,
                   const char *token, int limit, struct store_page *page);

/* Free what store_doc_list() filled in; accepts a zeroed page. */
void store_page_free(struct store_page *page);

/* Number of documents of kind (under parent_id when non-NULL), or -1 on error. */
int64_t store_doc_count(struct store_conn *conn, enum store_kind kind, const char *parent_id);

#endif
