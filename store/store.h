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

/* ---- Users (user pools) ------------------------------------------------------------------ */

/*
 * One user of a user pool. username_key is how the user is found: the username itself, or
 * its lower-case form in a pool with UsernameConfiguration.CaseSensitive=false (the caller
 * decides). attributes is a JSON object of name -> string value, as Cognito keeps them
 * ("email_verified": "true"), including "sub". srp_salt/srp_verifier are hex, NULL when the
 * user has no password yet.
 */
struct store_user {
    int64_t seq; /* set by store_user_insert */
    char *pool_id;
    char *username;
    char *username_key;
    char *sub;
    char *status; /* UNCONFIRMED, CONFIRMED, FORCE_CHANGE_PASSWORD, RESET_REQUIRED, ... */
    int enabled;
    char *attributes;
    char *srp_salt;
    char *srp_verifier;
    int64_t created_ms;
    int64_t modified_ms;
};

/* Free a user the store returned (every string member is owned). Accepts NULL. */
void store_user_free(struct store_user *u);

/*
 * Insert u (u->seq is set on success). STORE_EXISTS when the pool already has that
 * username_key or sub; STORE_NOT_FOUND when the pool does not exist.
 */
int store_user_insert(struct store_conn *conn, struct store_user *u);

/* Find a user by username_key, by sub, or by seq. On STORE_OK *out is new (store_user_free). */
int store_user_get(struct store_conn *conn, const char *pool_id, const char *username_key,
                   struct store_user **out);
int store_user_get_by_sub(struct store_conn *conn, const char *pool_id, const char *sub,
                          struct store_user **out);
int store_user_get_by_seq(struct store_conn *conn, int64_t seq, struct store_user **out);

/*
 * Write back status, enabled, attributes, srp_salt, srp_verifier and modified_ms of the user
 * u->seq. STORE_OK or STORE_NOT_FOUND.
 */
int store_user_update(struct store_conn *conn, const struct store_user *u);

/* Delete the user u->seq with its aliases, codes, tokens and sessions. STORE_OK or NOT_FOUND. */
int store_user_delete(struct store_conn *conn, int64_t seq);

/* Number of users in a pool, or -1 on error. */
int64_t store_user_count(struct store_conn *conn, const char *pool_id);

/*
 * Aliases: a verified email, phone_number or preferred_username by which a user can also sign
 * in. value_key is the normalised value (the caller lower-cases emails). Setting an alias the
 * same user holds is a no-op; one held by another user is STORE_EXISTS.
 */
int store_alias_set(struct store_conn *conn, const char *pool_id, const char *name,
                    const char *value_key, int64_t user_seq);
int store_alias_clear(struct store_conn *conn, int64_t user_seq, const char *name);
int store_user_get_by_alias(struct store_conn *conn, const char *pool_id, const char *name,
                            const char *value_key, struct store_user **out);

/* A ListUsers filter: name is an attribute, or "username", "cognito:user_status", "status". */
struct store_user_filter {
    const char *name; /* NULL: no filter */
    const char *value;
    int prefix; /* 1 for ^= (starts with), 0 for = */
};

struct store_user_page {
    struct store_user **users;
    size_t count;
    char *next_token; /* NULL on the last page */
};

/*
 * One page of a pool's users, oldest first, matching filter (may be NULL). On STORE_OK the
 * caller frees *page with store_user_page_free(); STORE_BAD_TOKEN for a foreign token.
 */
int store_user_list(struct store_conn *conn, const char *pool_id,
                    const struct store_user_filter *filter, const char *token, int limit,
                    struct store_user_page *page);
void store_user_page_free(struct store_user_page *page);

/* ---- Codes (confirmation, verification, reset) ------------------------------------------- */

/* Set the user's one pending code for purpose (replacing any earlier one). */
int store_code_put(struct store_conn *conn, int64_t user_seq, const char *purpose, const char *code,
                   int64_t expires_ms);
/* The pending code for purpose: *code is new (free()); STORE_NOT_FOUND when none. */
int store_code_get(struct store_conn *conn, int64_t user_seq, const char *purpose, char **code,
                   int64_t *expires_ms);
int store_code_delete(struct store_conn *conn, int64_t user_seq, const char *purpose);

/* ---- Signing keys ------------------------------------------------------------------------ */

/* The pool's key for use ("id" or "access"): *kid and *pem are new (free()). NOT_FOUND if none. */
int store_key_get(struct store_conn *conn, const char *pool_id, const char *use, char **kid,
                  char **pem);
/* Store a key unless the pool already has one for use (then STORE_EXISTS: read that one). */
int store_key_put(struct store_conn *conn, const char *pool_id, const char *use, const char *kid,
                  const char *pem);

/* ---- Refresh tokens ---------------------------------------------------------------------- */

struct store_refresh {
    char *pool_id;
    char *client_id;
    int64_t user_seq;
    char *origin_jti;  /* the jti of the sign-in that made the token, carried by every token */
    int64_t auth_time; /* seconds: when the user authenticated */
    int64_t expires_ms;
    int revoked;
};

void store_refresh_free(struct store_refresh *r);
/* Record a refresh token by the hash of its value (the value itself is never stored). */
int store_refresh_put(struct store_conn *conn, const char *token_hash,
                      const struct store_refresh *r);
/* On STORE_OK *out is new (store_refresh_free); STORE_NOT_FOUND for an unknown hash. */
int store_refresh_get(struct store_conn *conn, const char *token_hash, struct store_refresh **out);
/* Mark every refresh token with origin_jti revoked. STORE_OK or STORE_NOT_FOUND. */
int store_refresh_revoke(struct store_conn *conn, const char *origin_jti);

/* ---- Auth sessions (challenges between InitiateAuth and RespondToAuthChallenge) ---------- */

struct store_session {
    char *pool_id;
    char *client_id;
    int64_t user_seq;
    char *challenge; /* e.g. NEW_PASSWORD_REQUIRED */
    char *data;      /* JSON object: challenge state */
    int64_t expires_ms;
};

void store_session_free(struct store_session *s);
int store_session_put(struct store_conn *conn, const char *session, const struct store_session *s);
/* On STORE_OK *out is new (store_session_free); STORE_NOT_FOUND when unknown. */
int store_session_get(struct store_conn *conn, const char *session, struct store_session **out);
int store_session_delete(struct store_conn *conn, const char *session);

#endif
