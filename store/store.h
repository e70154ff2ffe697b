/*
 * store: the only module that speaks SQL. It keeps everything in one SQLite database.
 *
 * A struct store is a pool of connections (one per thread that runs requests, opened when
 * first needed; WAL mode, busy timeout, foreign keys on, prepared statements cached per
 * connection). A request takes a connection with store_acquire() and gives it back with
 * store_release(); a connection is used by one thread at a time. ":memory:" opens a throwaway
 * database shared by all connections of the process (SQLite's memdb VFS). The schema is versioned
 * (PRAGMA user_version) and migrated forward on open, so a database made by an older build opens in
 * a newer one.
 *
 * Resources whose settings are a document (user pools, app clients, identity pools) are
 * stored as their AWS JSON form under an id, a parent id and an insertion order, through one
 * generic "doc" API. The store knows nothing about AWS error names: it answers STORE_* codes.
 *
 * The sections below follow the files, each banner naming its file: store.c, store_doc.c,
 * store_user.c, store_auth.c (what a sign-in leaves), store_keys.c, store_group.c,
 * store_mfa.c, store_identity.c, store_oauth.c, store_federation.c, store_control.c.
 */
#ifndef COG_STORE_H
#define COG_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct store;
struct store_conn;

/* ---- Connections, transactions, statuses (store.c) --------------------------------------- */

enum store_status {
    STORE_OK = 0,
    STORE_NOT_FOUND, /* no such row (or its parent does not exist, for inserts) */
    STORE_EXISTS,    /* the id is taken */
    STORE_BAD_TOKEN, /* a pagination token that this store did not make */
    STORE_ERROR,     /* SQLite failed; logged */
};

/*
 * Open (creating and migrating as needed) the database at path, or ":memory:", with up to
 * nconns connections: one now, the others as store_acquire() needs them. On STORE_OK *out is a
 * new store the caller closes with store_close().
 */
int store_open(const char *path, int nconns, struct store **out);

/* Close every connection (checkpointing the WAL). Accepts NULL. No connection may be in use. */
void store_close(struct store *st);

/* The schema version this build writes (and migrates older databases to). */
int store_schema_version(void);

/*
 * Take a connection: a free one, else a new one while fewer than nconns are open, else wait
 * for one. Never NULL (a connection that fails to open is logged, and no more are tried).
 */
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

/* ---- Documents: user pools, app clients, identity pools (store_doc.c) -------------------- */

/* The kinds of document the store keeps. */
enum store_kind {
    STORE_USER_POOL,        /* no parent */
    STORE_USER_POOL_CLIENT, /* parent: the user pool id; deleted with its pool */
    STORE_IDENTITY_POOL,    /* no parent */
    /* The documents of OAuth 2.0 and the hosted pages; parent: the user pool id, deleted with
     * their pool. A domain's id is the domain itself (unique across pools, as in Cognito); a
     * resource server's is "<pool id> <Identifier>", a provider's "<pool id> <ProviderName>"
     * (names unique within their pool; neither pattern allows a space). */
    STORE_USER_POOL_DOMAIN,
    STORE_RESOURCE_SERVER,
    STORE_IDENTITY_PROVIDER,
    /* The branding of the hosted pages; parent: the user pool id, deleted with their pool. A
     * classic UI customization's id is "<pool id> <client id>", or "<pool id> ALL" for the
     * pool's default; a managed login branding style's is its ManagedLoginBrandingId. */
    STORE_UI_CUSTOMIZATION,
    STORE_MANAGED_LOGIN_BRANDING,
    STORE__KIND_COUNT
};

/*
 * Whether conn has a write transaction open (SQLite is not in autocommit mode). What must not
 * run while the write lock is held (a Lambda trigger: milliseconds to seconds) asserts the
 * opposite.
 */
bool store_in_transaction(struct store_conn *conn);

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

/* ---- Users, aliases, codes, pending attribute values (store_user.c) ---------------------- */

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

/*
 * Give user seq a fixed sub (also its "sub" attribute), username and username_key. STORE_OK,
 * STORE_NOT_FOUND, STORE_EXISTS (the sub or username is another user's), or STORE_ERROR.
 */
int store_user_set_identity(struct store_conn *conn, int64_t seq, const char *sub,
                            const char *username, const char *username_key);

/*
 * Codes (confirmation, verification, reset): set the user's one pending code for purpose,
 * replacing any earlier one.
 */
int store_code_put(struct store_conn *conn, int64_t user_seq, const char *purpose, const char *code,
                   int64_t expires_ms);
/* The pending code for purpose: *code is new (free()); STORE_NOT_FOUND when none. */
int store_code_get(struct store_conn *conn, int64_t user_seq, const char *purpose, char **code,
                   int64_t *expires_ms);
int store_code_delete(struct store_conn *conn, int64_t user_seq, const char *purpose);

/*
 * The value of attribute name that user user_seq has asked for and not verified yet
 * (AttributesRequireVerificationBeforeUpdate): put replaces it, get sets *value (free()) or
 * answers STORE_NOT_FOUND, delete of none is STORE_OK.
 */
int store_pending_put(struct store_conn *conn, int64_t user_seq, const char *name,
                      const char *value);
int store_pending_get(struct store_conn *conn, int64_t user_seq, const char *name, char **value);
int store_pending_delete(struct store_conn *conn, int64_t user_seq, const char *name);

/* ---- Sign-ins: lockouts, sessions, refresh tokens, sign-outs (store_auth.c) -------------- */

/* The failed password attempts of a user: how many, the last one, the end of the lockout. */
struct store_lockout {
    int64_t failures;
    int64_t last_failure_ms;
    int64_t locked_until_ms;
};

/* The counters of user user_seq (all zero when none). STORE_OK or STORE_ERROR. */
int store_lockout_get(struct store_conn *conn, int64_t user_seq, struct store_lockout *out);

/* Replace them; clear forgets them (none is STORE_OK). STORE_OK, STORE_NOT_FOUND, ERROR. */
int store_lockout_put(struct store_conn *conn, int64_t user_seq, const struct store_lockout *l);
int store_lockout_clear(struct store_conn *conn, int64_t user_seq);

/* An auth session: a challenge carried from InitiateAuth to RespondToAuthChallenge. */
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

/* A refresh token a sign-in issued. */
struct store_refresh {
    char *pool_id;
    char *client_id;
    int64_t user_seq;
    char *origin_jti;  /* the jti of the sign-in that made the token, carried by every token */
    int64_t auth_time; /* seconds: when the user authenticated */
    int64_t expires_ms;
    int revoked;
    char *scope; /* the OAuth scopes granted, space-separated; NULL for the user-pools API's */
    int64_t superseded_ms; /* when a rotation first replaced it (its grace period runs from
                              then); 0 while it is current. store_refresh_put ignores it. */
};

void store_refresh_free(struct store_refresh *r);
/* Record a refresh token by the hash of its value (the value itself is never stored). */
int store_refresh_put(struct store_conn *conn, const char *token_hash,
                      const struct store_refresh *r);
/* On STORE_OK *out is new (store_refresh_free); STORE_NOT_FOUND for an unknown hash. */
int store_refresh_get(struct store_conn *conn, const char *token_hash, struct store_refresh **out);
/* Mark the refresh token of token_hash superseded at now_ms, unless a rotation did before.
 * STORE_OK (also when nothing changed) or STORE_ERROR. */
int store_refresh_supersede(struct store_conn *conn, const char *token_hash, int64_t now_ms);
/* Mark every refresh token with origin_jti revoked. STORE_OK or STORE_NOT_FOUND. */
int store_refresh_revoke(struct store_conn *conn, const char *origin_jti);

/*
 * Sign user user_seq out at now_ms: record the time (access tokens issued before it are
 * revoked) and, when revoke_refresh is non-zero, revoke every refresh token of the user.
 * STORE_OK, STORE_NOT_FOUND (no such user) or STORE_ERROR.
 */
int store_user_sign_out(struct store_conn *conn, int64_t user_seq, int64_t now_ms,
                        int revoke_refresh);

/*
 * Whether an access token of user user_seq with origin_jti, issued before issued_before_ms, is
 * revoked: its sign-in's refresh tokens are revoked, or the user signed out at or after
 * issued_before_ms. *revoked is 1 or 0 on STORE_OK.
 */
int store_token_revoked(struct store_conn *conn, int64_t user_seq, const char *origin_jti,
                        int64_t issued_before_ms, int *revoked);

/* ---- Signing keys of user pools and of cognito-identity (store_keys.c) ------------------- */

/* The pool's key for use ("id" or "access"): *kid and *pem are new (free()). NOT_FOUND if none. */
int store_key_get(struct store_conn *conn, const char *pool_id, const char *use, char **kid,
                  char **pem);
/* Store a key unless the pool already has one for use (then STORE_EXISTS: read that one). */
int store_key_put(struct store_conn *conn, const char *pool_id, const char *use, const char *kid,
                  const char *pem);

/*
 * The signing key called name of cognito-identity's OpenID tokens: get sets *kid and *pem
 * (free()) or answers STORE_NOT_FOUND; put refuses a second key of that name (STORE_EXISTS).
 */
int store_identity_key_get(struct store_conn *conn, const char *name, char **kid, char **pem);
int store_identity_key_put(struct store_conn *conn, const char *name, const char *kid,
                           const char *pem);

/* ---- Groups of user pools, and their members (store_group.c) ----------------------------- */

/*
 * One group of a user pool, found by (pool_id, name); names are compared exactly. description
 * and role_arn are NULL when the group has none; has_precedence is 0 for a group without a
 * Precedence.
 */
struct store_group {
    int64_t seq; /* set by store_group_insert */
    char *pool_id;
    char *name;
    char *description;
    char *role_arn;
    int has_precedence;
    int64_t precedence;
    int64_t created_ms;
    int64_t modified_ms;
};

/* Free a group the store returned (every string member is owned). Accepts NULL. */
void store_group_free(struct store_group *g);

/*
 * Insert g (g->seq is set on success). STORE_EXISTS when the pool has a group of that name;
 * STORE_NOT_FOUND when the pool does not exist.
 */
int store_group_insert(struct store_conn *conn, struct store_group *g);

/* Group name of pool_id. On STORE_OK *out is new (store_group_free); NULL otherwise. */
int store_group_get(struct store_conn *conn, const char *pool_id, const char *name,
                    struct store_group **out);

/* Write back description, role_arn, precedence and modified_ms of the group g->seq. */
int store_group_update(struct store_conn *conn, const struct store_group *g);

/* Delete group seq with its memberships. STORE_OK or STORE_NOT_FOUND. */
int store_group_delete(struct store_conn *conn, int64_t seq);

struct store_group_page {
    struct store_group **groups;
    size_t count;
    char *next_token; /* NULL on the last page */
};

/*
 * One page of a pool's groups, oldest first, after token (NULL for the first page), at most
 * limit of them. On STORE_OK the caller frees *page with store_group_page_free();
 * STORE_BAD_TOKEN for a token this store did not make.
 */
int store_group_list(struct store_conn *conn, const char *pool_id, const char *token, int limit,
                     struct store_group_page *page);

/*
 * One page of the groups user user_seq belongs to, ordered as the tokens list them: by
 * Precedence (groups without one last), then oldest first. limit <= 0 lists all of them on
 * one page. Ownership and statuses as store_group_list().
 */
int store_group_list_for_user(struct store_conn *conn, int64_t user_seq, const char *token,
                              int limit, struct store_group_page *page);

/* Free what the list functions filled in; accepts a zeroed page. */
void store_group_page_free(struct store_group_page *page);

/* Make user user_seq a member of group group_seq; already being one is STORE_OK. */
int store_group_add_member(struct store_conn *conn, int64_t group_seq, int64_t user_seq);

/* End that membership; not being a member is STORE_OK. */
int store_group_remove_member(struct store_conn *conn, int64_t group_seq, int64_t user_seq);

/*
 * One page of the members of group group_seq, oldest user first. Ownership and statuses as
 * store_user_list().
 */
int store_group_list_members(struct store_conn *conn, int64_t group_seq, const char *token,
                             int limit, struct store_user_page *page);

/* ---- MFA settings of users (store_mfa.c) ------------------------------------------------- */

/*
 * A user's MFA settings: the verified TOTP secret and one associated but not yet verified
 * (base32, NULL when none), which factors the user enabled, and the preferred one
 * ("SMS_MFA", "SOFTWARE_TOKEN_MFA", "EMAIL_OTP", or NULL), and the last TOTP time step
 * (unix seconds / 30) a sign-in or VerifySoftwareToken spent (0: none), so a code answers once.
 */
struct store_mfa {
    char *totp_secret;
    char *totp_pending;
    int sms_enabled;
    int totp_enabled;
    int email_enabled;
    char *preferred;
    int64_t totp_last_step;
};

/* Free the strings of m and zero it. Accepts a zeroed struct. */
void store_mfa_clear(struct store_mfa *m);

/*
 * The settings of user user_seq into *out (zeroed first; the caller store_mfa_clear()s it).
 * A user who never set anything gets all zeroes and STORE_OK. STORE_OK or STORE_ERROR.
 */
int store_mfa_get(struct store_conn *conn, int64_t user_seq, struct store_mfa *out);

/* Replace the settings of user user_seq with m. STORE_OK, STORE_NOT_FOUND (no user), ERROR. */
int store_mfa_put(struct store_conn *conn, int64_t user_seq, const struct store_mfa *m);

/* ---- Identities of identity pools: identities, logins, credentials (store_identity.c) ---- */

/*
 * One identity of an identity pool ("<region>:<uuid>"). authenticated is 1 once a login was
 * linked to it (it stays 1 when the logins are unlinked again); disabled is 1 for an identity
 * merged into another one or left without logins, which no longer gets tokens or credentials.
 */
struct store_identity {
    int64_t seq; /* set by store_identity_insert */
    char *id;
    char *pool_id;
    int authenticated;
    int disabled;
    int64_t created_ms;
    int64_t modified_ms;
};

/* Free an identity the store returned (every string member is owned). Accepts NULL. */
void store_identity_free(struct store_identity *i);

/*
 * Insert i (i->seq is set on success). STORE_EXISTS when the id is taken; STORE_NOT_FOUND when
 * the identity pool does not exist.
 */
int store_identity_insert(struct store_conn *conn, struct store_identity *i);

/* Identity id. On STORE_OK *out is new (store_identity_free); STORE_NOT_FOUND when unknown. */
int store_identity_get(struct store_conn *conn, const char *id, struct store_identity **out);

/* Write back authenticated, disabled and modified_ms of identity i->seq. OK or NOT_FOUND. */
int store_identity_update(struct store_conn *conn, const struct store_identity *i);

/* Delete identity id with its logins. STORE_OK or STORE_NOT_FOUND. */
int store_identity_delete(struct store_conn *conn, const char *id);

struct store_identity_page {
    struct store_identity **identities;
    size_t count;
    char *next_token; /* NULL on the last page */
};

/*
 * One page of the identities of pool_id, oldest first, without the disabled ones when
 * hide_disabled is non-zero. On STORE_OK the caller frees *page with
 * store_identity_page_free(); STORE_BAD_TOKEN for a token this store did not make.
 */
int store_identity_list(struct store_conn *conn, const char *pool_id, int hide_disabled,
                        const char *token, int limit, struct store_identity_page *page);
void store_identity_page_free(struct store_identity_page *page);

/*
 * A login linked to an identity: (pool_id, provider, subject) is unique, so one user of one
 * provider has at most one identity per identity pool. provider is the provider name as the
 * identity pool names it; subject the user-pool user's sub or the developer user identifier.
 * user_pool_id and username (cognito:username at the last sign-in) are set for user-pool
 * logins only. identity_id is filled in by reads (the identity of identity_seq).
 */
struct store_login {
    char *pool_id;
    char *provider;
    char *subject;
    int64_t identity_seq;
    char *identity_id;
    int developer; /* 1 for a developer user identifier */
    char *user_pool_id;
    char *username;
    int64_t created_ms; /* when the login was linked */
    int64_t used_ms;    /* when it was last presented */
};

/* Free a login the store returned. Accepts NULL. */
void store_login_free(struct store_login *l);

/* The login (pool_id, provider, subject): *out is new (store_login_free), or NOT_FOUND. */
int store_login_get(struct store_conn *conn, const char *pool_id, const char *provider,
                    const char *subject, struct store_login **out);

/*
 * Link l to identity l->identity_seq, or update the link that exists: it moves to that
 * identity, used_ms and (when given) user_pool_id and username are replaced, created_ms kept.
 * STORE_OK, or STORE_NOT_FOUND when the identity does not exist.
 */
int store_login_put(struct store_conn *conn, const struct store_login *l);

/* Unlink (pool_id, provider, subject). STORE_OK or STORE_NOT_FOUND. */
int store_login_delete(struct store_conn *conn, const char *pool_id, const char *provider,
                       const char *subject);

struct store_login_list {
    struct store_login **logins;
    size_t count;
};

/* Every login of identity identity_seq, in the order they were linked. */
int store_login_list(struct store_conn *conn, int64_t identity_seq, struct store_login_list *list);

/*
 * Every login of the user-pool user whose sub is sub or, when username is not NULL, whose
 * last sign-in was as username, across identity pools, oldest identity first.
 */
int store_login_list_by_user(struct store_conn *conn, const char *user_pool_id, const char *sub,
                             const char *username, struct store_login_list *list);

/* Free what the list functions filled in; accepts a zeroed list. */
void store_login_list_free(struct store_login_list *list);

/* Move every login of identity from_seq to identity to_seq (a merge). STORE_OK or ERROR. */
int store_login_move(struct store_conn *conn, int64_t from_seq, int64_t to_seq);

/*
 * Temporary AWS credentials handed out by GetCredentialsForIdentity, by access key id (the
 * secret key and session token are not kept). auth_type is "authenticated" or
 * "unauthenticated"; auth_provider is what API Gateway calls cognitoAuthenticationProvider
 * (NULL for unauthenticated identities).
 */
struct store_credentials {
    char *access_key_id;
    char *identity_id;
    char *pool_id;
    char *role_arn;
    char *auth_type;
    char *auth_provider;
    int64_t created_ms;
    int64_t expires_ms;
};

void store_credentials_free(struct store_credentials *c);

/* Record c (and forget credentials expired for a day). STORE_OK, STORE_EXISTS or ERROR. */
int store_credentials_put(struct store_conn *conn, const struct store_credentials *c);

/* The record of access_key_id: *out is new (store_credentials_free), or STORE_NOT_FOUND. */
int store_credentials_get(struct store_conn *conn, const char *access_key_id,
                          struct store_credentials **out);

/* ---- OAuth 2.0: authorization codes and hosted sessions (store_oauth.c) ------------------ */

/* An authorization code /oauth2/authorize handed out, kept by the hash of its value. */
struct store_oauth_code {
    char *pool_id;
    char *client_id;
    int64_t user_seq;
    char *data; /* JSON: what the code is bound to (redirect_uri, scopes, PKCE, nonce...) */
    int64_t expires_ms;
};

void store_oauth_code_free(struct store_oauth_code *c);
/*
 * Record a code, first deleting every code that expired at or before now_ms. STORE_OK,
 * STORE_NOT_FOUND (no such pool or user), STORE_EXISTS (the hash is taken) or STORE_ERROR.
 */
int store_oauth_code_put(struct store_conn *conn, const char *code_hash,
                         const struct store_oauth_code *c, int64_t now_ms);
/*
 * Delete the code code_hash and hand back what it held, in one statement, so that a code is
 * redeemed at most once. On STORE_OK *out is new (store_oauth_code_free); the caller checks
 * expires_ms. STORE_NOT_FOUND for an unknown or already redeemed code.
 */
int store_oauth_code_take(struct store_conn *conn, const char *code_hash,
                          struct store_oauth_code **out);

/* A hosted session: the hosted pages' cookie, kept by the hash of its value. */
struct store_hosted_session {
    char *pool_id;
    int64_t user_seq;
    int64_t auth_time; /* seconds: when the user signed in with a form */
    int64_t expires_ms;
};

void store_hosted_session_free(struct store_hosted_session *s);
/* Record (or replace) a session, first deleting every one expired at or before now_ms. */
int store_hosted_session_put(struct store_conn *conn, const char *session_hash,
                             const struct store_hosted_session *s, int64_t now_ms);
/*
 * On STORE_OK *out is new (store_hosted_session_free); the caller checks expires_ms.
 * STORE_NOT_FOUND for an unknown session.
 */
int store_hosted_session_get(struct store_conn *conn, const char *session_hash,
                             struct store_hosted_session **out);
/* Delete a session (sign-out). STORE_OK or STORE_NOT_FOUND. */
int store_hosted_session_delete(struct store_conn *conn, const char *session_hash);

/* ---- Federation: links of external identities to users (store_federation.c) -------------- */

/*
 * A link (AdminLinkProviderForUser): the external identity of provider whose attribute
 * ("Cognito_Subject" for the IdP's subject, or a mapped pool attribute name) has value, in
 * pool_id, signs in as user user_seq. An identity is linked to at most one user.
 */
struct store_link {
    const char *pool_id;
    const char *provider;
    const char *attribute;
    const char *value;
    int64_t user_seq;
    int64_t created_ms;
};

/*
 * Record l. STORE_OK (also when that identity is already linked to the same user),
 * STORE_EXISTS (it is linked to another user), STORE_NOT_FOUND (no such pool or user), or
 * STORE_ERROR.
 */
int store_link_put(struct store_conn *conn, const struct store_link *l);

/* The user the identity (pool_id, provider, attribute, value) is linked to: *user_seq on
 * STORE_OK; STORE_NOT_FOUND when it is not linked. */
int store_link_get(struct store_conn *conn, const char *pool_id, const char *provider,
                   const char *attribute, const char *value, int64_t *user_seq);

/* Remove that link. STORE_OK or STORE_NOT_FOUND. */
int store_link_delete(struct store_conn *conn, const char *pool_id, const char *provider,
                      const char *attribute, const char *value);

/* How many identities are linked to user user_seq, or -1 on error. */
int64_t store_link_count(struct store_conn *conn, int64_t user_seq);

/* ---- Passkeys (store_webauthn.c) -------------------------------------------------------- */

/* How many passkeys user user_seq has registered, or -1 on error. */
int64_t store_webauthn_count(struct store_conn *conn, int64_t user_seq);

/* ---- Devices (store_device.c) ---------------------------------------------------------- */

/* A device a sign-in minted for a user (NewDeviceMetadata); confirmed once verifier is set. */
struct store_device {
    char *device_key; /* "<region>_<uuid>", unique across pools */
    char *pool_id;
    int64_t user_seq;
    char *group_key;    /* the user's DeviceGroupKey, the same on all of the user's devices */
    char *salt;         /* device SRP salt (hex), NULL until ConfirmDevice */
    char *verifier;     /* device SRP verifier (hex), NULL until ConfirmDevice */
    char *name;         /* DeviceName, or NULL */
    int remembered;     /* 1: remembered */
    int64_t created_ms; /* the dates GetDevice shows */
    int64_t modified_ms;
    int64_t last_auth_ms; /* 0: never signed in with it */
    char *last_ip;        /* NULL: unknown */
};

/* One page of a user's devices; next_token NULL on the last page. */
struct store_device_page {
    struct store_device **devices;
    size_t count;
    char *next_token;
};

void store_device_free(struct store_device *d);
void store_device_page_free(struct store_device_page *page);

/* Record a new device d. STORE_OK, STORE_EXISTS (the key is taken), STORE_NOT_FOUND (no such
 * pool or user) or STORE_ERROR. */
int store_device_put(struct store_conn *conn, const struct store_device *d);

/* The device of device_key: on STORE_OK *out is new (store_device_free); STORE_NOT_FOUND. */
int store_device_get(struct store_conn *conn, const char *device_key, struct store_device **out);

/*
 * Confirm device d->device_key: set its salt, verifier, name, remembered and modified_ms from d,
 * only if it has no verifier yet. STORE_OK, STORE_NOT_FOUND (no such device, or confirmed
 * already: the caller tells them apart) or STORE_ERROR.
 */
int store_device_confirm(struct store_conn *conn, const struct store_device *d);

/* Set the remembered status (modified at now_ms). STORE_OK, STORE_NOT_FOUND or STORE_ERROR. */
int store_device_remember(struct store_conn *conn, const char *device_key, int remembered,
                          int64_t now_ms);

/* Record a sign-in with the device at now_ms from ip (NULL: keep the last one known).
 * STORE_OK, STORE_NOT_FOUND or STORE_ERROR. */
int store_device_note_auth(struct store_conn *conn, const char *device_key, int64_t now_ms,
                           const char *ip);

/* Forget a device. STORE_OK, STORE_NOT_FOUND or STORE_ERROR. */
int store_device_delete(struct store_conn *conn, const char *device_key);

/* The group key of user user_seq's devices (its oldest device's): *out new (free()) on
 * STORE_OK; STORE_NOT_FOUND when the user has no device. */
int store_device_group_key(struct store_conn *conn, int64_t user_seq, char **out);

/*
 * One page of user user_seq's confirmed devices, oldest first, after token (NULL: the first
 * page), at most limit (>= 1) of them; with remembered_only the remembered ones alone. On
 * STORE_OK the caller frees *page with store_device_page_free(). STORE_BAD_TOKEN for a token
 * this store did not make, STORE_ERROR.
 */
int store_device_list(struct store_conn *conn, int64_t user_seq, int remembered_only, int limit,
                      const char *token, struct store_device_page *page);
/* A passkey (webauthn_credentials). credential_id is base64url without padding; public_key
 * SubjectPublicKeyInfo DER; transports a JSON array text; aaguid 16 bytes or NULL. */
struct store_webauthn {
    char *pool_id;
    char *credential_id;
    int64_t user_seq;
    char *rp_id;
    int alg;
    unsigned char *public_key;
    size_t public_key_len;
    int64_t sign_count;
    char *transports;
    char *attachment; /* "platform", "cross-platform" or NULL */
    unsigned char *aaguid;
    bool backup_eligible;
    bool backed_up;
    char *friendly_name;
    int64_t created_ms;
};

void store_webauthn_free(struct store_webauthn *c);
void store_webauthn_list_free(struct store_webauthn **list, size_t n);

/* Record passkey c. STORE_OK, STORE_EXISTS when the pool has that credential id already,
 * STORE_NOT_FOUND (no such pool or user), STORE_ERROR. */
int store_webauthn_put(struct store_conn *conn, const struct store_webauthn *c);

/* The passkey credential_id of pool pool_id into *out (store_webauthn_free). STORE_OK,
 * STORE_NOT_FOUND or STORE_ERROR. */
int store_webauthn_get(struct store_conn *conn, const char *pool_id, const char *credential_id,
                       struct store_webauthn **out);

/* All passkeys of user user_seq, oldest first, into *out (store_webauthn_list_free) and *n. A
 * user has at most a few (Cognito caps them at 20). STORE_OK or STORE_ERROR. */
int store_webauthn_list(struct store_conn *conn, int64_t user_seq, struct store_webauthn ***out,
                        size_t *n);

/* Delete user user_seq's passkey credential_id. STORE_OK or STORE_NOT_FOUND. */
int store_webauthn_delete(struct store_conn *conn, int64_t user_seq, const char *credential_id);

/* Store a passkey's signature counter: only forwards (or 0 over 0), so that a replayed
 * counter changes nothing. STORE_OK, STORE_NOT_FOUND (no such passkey, or the counter would
 * not move forward), STORE_ERROR. */
int store_webauthn_set_count(struct store_conn *conn, const char *pool_id,
                             const char *credential_id, int64_t sign_count);

/* Replace user user_seq's pending registration (webauthn_registrations) with one for
 * client_id, or with none when challenge is NULL: a user has at most one, which a new
 * StartWebAuthnRegistration replaces. STORE_OK or STORE_ERROR. */
int store_webauthn_reg_put(struct store_conn *conn, int64_t user_seq, const char *client_id,
                           const char *challenge, int64_t expires_ms);

/* User user_seq's pending registration: new strings *client_id and *challenge (free()) and
 * *expires_ms. STORE_OK, STORE_NOT_FOUND or STORE_ERROR. */
int store_webauthn_reg_get(struct store_conn *conn, int64_t user_seq, char **client_id,
                           char **challenge, int64_t *expires_ms);

/* ---- The control API: message inbox, reset, fixture re-keying (store_control.c) ---------- */

/*
 * One code or temporary password the emulator "sent". attribute/destination may be NULL;
 * message (the text sent), subject (an email's) and sender (the custom sender trigger that
 * took it) may be NULL, and are for messages recorded by an older build.
 */
struct store_message {
    int64_t id; /* set by the store: grows forever (across clears and resets) */
    int64_t time_ms;
    char *pool_id, *username, *kind, *medium, *attribute, *destination, *code;
    char *message, *subject, *sender;
};

void store_message_free(struct store_message *m);
void store_message_list_free(struct store_message **list, size_t count);

/* Record m (its id is ignored); *id (may be NULL) receives the new id. STORE_OK or ERROR. */
int store_message_put(struct store_conn *conn, const struct store_message *m, int64_t *id);

/* Which messages store_message_list() answers: NULL members match everything. */
struct store_message_filter {
    const char *pool_id, *username, *kind, *destination;
    int64_t after_id; /* only messages with a larger id (0: all) */
    int limit;        /* at most this many (>= 1) */
};

/*
 * The messages matching f, newest first. On STORE_OK *out is an array of *count messages the
 * caller frees with store_message_list_free() (never NULL on STORE_OK, even when empty).
 */
int store_message_list(struct store_conn *conn, const struct store_message_filter *f,
                       struct store_message ***out, size_t *count);

/* Delete every message (ids keep growing). STORE_OK or STORE_ERROR. */
int store_message_clear(struct store_conn *conn);

/* The largest message id ever given (0 before the first), or -1 on error. */
int64_t store_message_last_id(struct store_conn *conn);

/*
 * Empty every table of the database in one transaction (conn must not be in one). With
 * keep_keys the signing keys stay: cognito-identity's, and the user pools' (orphaned until their
 * pools are made again, by fixtures; store_keys_prune() drops the rest). STORE_OK or
 * STORE_ERROR (then nothing changed).
 */
int store_reset(struct store_conn *conn, int keep_keys);

/* Delete the signing keys of pools that do not exist. STORE_OK or STORE_ERROR. */
int store_keys_prune(struct store_conn *conn);

/*
 * Give document old_id of kind the id new_id and the content doc (which names new_id), for a
 * resource that a fixture creates through its real operation and then fixes the id of. The
 * document must have no children yet. STORE_OK, STORE_NOT_FOUND (no old_id), STORE_EXISTS
 * (new_id is taken), or STORE_ERROR.
 */
int store_doc_rekey(struct store_conn *conn, enum store_kind kind, const char *old_id,
                    const char *new_id, const char *doc);

#endif
