/*
 * store: opening the database, the schema migrations, the connection pool, transactions and
 * the prepared-statement cache. The SQL of each kind of record lives in its own store_*.c.
 * See store.h for the contract.
 */
#include "config.h"

#include "store_internal.h"

#include <errno.h>
#include <inttypes.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/log.h"

/*
 * The schema, as migrations: migrations[i] takes a database from version i to i + 1. Never
 * edit a migration that has shipped; append a new one. PRAGMA user_version records how many
 * have run, so a database made by an older build is brought forward when it is opened.
 */
static const char *const migrations[] = {
    /* 1: documents of user pools, app clients and identity pools. */
    "CREATE TABLE user_pools ("
    "  seq INTEGER PRIMARY KEY,"
    "  id TEXT NOT NULL UNIQUE,"
    "  parent TEXT,"
    "  doc TEXT NOT NULL"
    ") STRICT;"
    "CREATE TABLE user_pool_clients ("
    "  seq INTEGER PRIMARY KEY,"
    "  id TEXT NOT NULL UNIQUE,"
    "  parent TEXT NOT NULL REFERENCES user_pools(id) ON DELETE CASCADE,"
    "  doc TEXT NOT NULL"
    ") STRICT;"
    "CREATE INDEX user_pool_clients_by_parent ON user_pool_clients(parent, seq);"
    "CREATE TABLE identity_pools ("
    "  seq INTEGER PRIMARY KEY,"
    "  id TEXT NOT NULL UNIQUE,"
    "  parent TEXT,"
    "  doc TEXT NOT NULL"
    ") STRICT;",

    /* 2: users, their aliases and pending codes, signing keys, refresh tokens, auth sessions. */
    "CREATE TABLE users ("
    "  seq INTEGER PRIMARY KEY,"
    "  pool_id TEXT NOT NULL REFERENCES user_pools(id) ON DELETE CASCADE,"
    "  username TEXT NOT NULL,"
    "  username_key TEXT NOT NULL,"
    "  sub TEXT NOT NULL,"
    "  status TEXT NOT NULL,"
    "  enabled INTEGER NOT NULL,"
    "  attributes TEXT NOT NULL,"
    "  srp_salt TEXT,"
    "  srp_verifier TEXT,"
    "  created_ms INTEGER NOT NULL,"
    "  modified_ms INTEGER NOT NULL,"
    "  UNIQUE (pool_id, username_key),"
    "  UNIQUE (pool_id, sub)"
    ") STRICT;"
    "CREATE INDEX users_by_pool ON users(pool_id, seq);"
    "CREATE TABLE user_aliases ("
    "  pool_id TEXT NOT NULL,"
    "  name TEXT NOT NULL,"
    "  value_key TEXT NOT NULL,"
    "  user_seq INTEGER NOT NULL REFERENCES users(seq) ON DELETE CASCADE,"
    "  PRIMARY KEY (pool_id, name, value_key),"
    "  UNIQUE (user_seq, name)"
    ") STRICT;"
    "CREATE TABLE user_codes ("
    "  user_seq INTEGER NOT NULL REFERENCES users(seq) ON DELETE CASCADE,"
    "  purpose TEXT NOT NULL,"
    "  code TEXT NOT NULL,"
    "  expires_ms INTEGER NOT NULL,"
    "  PRIMARY KEY (user_seq, purpose)"
    ") STRICT;"
    "CREATE TABLE signing_keys ("
    "  pool_id TEXT NOT NULL REFERENCES user_pools(id) ON DELETE CASCADE,"
    "  use TEXT NOT NULL,"
    "  kid TEXT NOT NULL,"
    "  private_pem TEXT NOT NULL,"
    "  PRIMARY KEY (pool_id, use)"
    ") STRICT;"
    "CREATE TABLE refresh_tokens ("
    "  token_hash TEXT PRIMARY KEY,"
    "  pool_id TEXT NOT NULL REFERENCES user_pools(id) ON DELETE CASCADE,"
    "  client_id TEXT NOT NULL,"
    "  user_seq INTEGER NOT NULL REFERENCES users(seq) ON DELETE CASCADE,"
    "  origin_jti TEXT NOT NULL,"
    "  auth_time INTEGER NOT NULL,"
    "  expires_ms INTEGER NOT NULL,"
    "  revoked INTEGER NOT NULL DEFAULT 0"
    ") STRICT;"
    "CREATE INDEX refresh_tokens_by_origin ON refresh_tokens(origin_jti);"
    "CREATE INDEX refresh_tokens_by_user ON refresh_tokens(user_seq);"
    "CREATE TABLE auth_sessions ("
    "  session TEXT PRIMARY KEY,"
    "  pool_id TEXT NOT NULL REFERENCES user_pools(id) ON DELETE CASCADE,"
    "  client_id TEXT NOT NULL,"
    "  user_seq INTEGER REFERENCES users(seq) ON DELETE CASCADE,"
    "  challenge TEXT NOT NULL,"
    "  data TEXT NOT NULL,"
    "  expires_ms INTEGER NOT NULL"
    ") STRICT;"
    "CREATE INDEX auth_sessions_by_user ON auth_sessions(user_seq);",

    /* 3: user pool groups and their members, users' sign-out times (GlobalSignOut), attribute
     * values awaiting verification (AttributesRequireVerificationBeforeUpdate). */
    "CREATE TABLE user_groups ("
    "  seq INTEGER PRIMARY KEY,"
    "  pool_id TEXT NOT NULL REFERENCES user_pools(id) ON DELETE CASCADE,"
    "  name TEXT NOT NULL,"
    "  description TEXT,"
    "  role_arn TEXT,"
    "  precedence INTEGER,"
    "  created_ms INTEGER NOT NULL,"
    "  modified_ms INTEGER NOT NULL,"
    "  UNIQUE (pool_id, name)"
    ") STRICT;"
    "CREATE TABLE group_members ("
    "  group_seq INTEGER NOT NULL REFERENCES user_groups(seq) ON DELETE CASCADE,"
    "  user_seq INTEGER NOT NULL REFERENCES users(seq) ON DELETE CASCADE,"
    "  PRIMARY KEY (group_seq, user_seq)"
    ") STRICT;"
    "CREATE INDEX group_members_by_user ON group_members(user_seq, group_seq);"
    "CREATE TABLE user_sign_outs ("
    "  user_seq INTEGER PRIMARY KEY REFERENCES users(seq) ON DELETE CASCADE,"
    "  signed_out_ms INTEGER NOT NULL"
    ") STRICT;"
    "CREATE TABLE user_pending_attributes ("
    "  user_seq INTEGER NOT NULL REFERENCES users(seq) ON DELETE CASCADE,"
    "  name TEXT NOT NULL,"
    "  value TEXT NOT NULL,"
    "  PRIMARY KEY (user_seq, name)"
    ") STRICT;",

    /* 4: the code inbox of the control API: every code and temporary password "sent". No
     * foreign keys: the inbox keeps a message after its user or pool is gone. AUTOINCREMENT
     * keeps ids growing across clears and resets, so a reader's "after" mark stays valid. */
    "CREATE TABLE messages ("
    "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  time_ms INTEGER NOT NULL,"
    "  pool_id TEXT NOT NULL,"
    "  username TEXT NOT NULL,"
    "  kind TEXT NOT NULL,"
    "  medium TEXT NOT NULL,"
    "  attribute TEXT,"
    "  destination TEXT,"
    "  code TEXT NOT NULL"
    ") STRICT;",

    /* 5: identities of identity pools, their linked logins, the credentials issued for them
     * (a log without foreign keys: an access key keeps its mapping after its identity is
     * gone) and the signing key of cognito-identity's OpenID tokens (store_keys.c). */
    "CREATE TABLE identities ("
    "  seq INTEGER PRIMARY KEY,"
    "  id TEXT NOT NULL UNIQUE,"
    "  pool_id TEXT NOT NULL REFERENCES identity_pools(id) ON DELETE CASCADE,"
    "  authenticated INTEGER NOT NULL,"
    "  disabled INTEGER NOT NULL DEFAULT 0,"
    "  created_ms INTEGER NOT NULL,"
    "  modified_ms INTEGER NOT NULL"
    ") STRICT;"
    "CREATE INDEX identities_by_pool ON identities(pool_id, seq);"
    "CREATE TABLE identity_logins ("
    "  pool_id TEXT NOT NULL,"
    "  provider TEXT NOT NULL,"
    "  subject TEXT NOT NULL,"
    "  identity_seq INTEGER NOT NULL REFERENCES identities(seq) ON DELETE CASCADE,"
    "  developer INTEGER NOT NULL,"
    "  user_pool_id TEXT,"
    "  username TEXT,"
    "  created_ms INTEGER NOT NULL,"
    "  used_ms INTEGER NOT NULL,"
    "  PRIMARY KEY (pool_id, provider, subject)"
    ") STRICT;"
    "CREATE INDEX identity_logins_by_identity ON identity_logins(identity_seq);"
    "CREATE INDEX identity_logins_by_user ON identity_logins(user_pool_id, subject);"
    "CREATE TABLE identity_credentials ("
    "  access_key_id TEXT PRIMARY KEY,"
    "  identity_id TEXT NOT NULL,"
    "  pool_id TEXT NOT NULL,"
    "  role_arn TEXT NOT NULL,"
    "  auth_type TEXT NOT NULL,"
    "  auth_provider TEXT,"
    "  created_ms INTEGER NOT NULL,"
    "  expires_ms INTEGER NOT NULL"
    ") STRICT;"
    "CREATE INDEX identity_credentials_by_expiry ON identity_credentials(expires_ms);"
    "CREATE TABLE identity_keys ("
    "  name TEXT PRIMARY KEY,"
    "  kid TEXT NOT NULL,"
    "  private_pem TEXT NOT NULL"
    ") STRICT;",

    /* 6: users' MFA settings (TOTP secrets, enabled factors, preference; store_mfa.c) and the
     * failed sign-in counters of the lockout (store_auth.c). */
    "CREATE TABLE user_mfa ("
    "  user_seq INTEGER PRIMARY KEY REFERENCES users(seq) ON DELETE CASCADE,"
    "  totp_secret TEXT,"
    "  totp_pending TEXT,"
    "  sms_enabled INTEGER NOT NULL,"
    "  totp_enabled INTEGER NOT NULL,"
    "  email_enabled INTEGER NOT NULL,"
    "  preferred TEXT"
    ") STRICT;"
    "CREATE TABLE user_lockouts ("
    "  user_seq INTEGER PRIMARY KEY REFERENCES users(seq) ON DELETE CASCADE,"
    "  failures INTEGER NOT NULL,"
    "  last_failure_ms INTEGER NOT NULL,"
    "  locked_until_ms INTEGER NOT NULL"
    ") STRICT;",

    /* 7: the inbox keeps the text of each message (the body as sent, an email's subject) and
     * the custom sender trigger that took it; NULL in the rows of older builds. */
    "ALTER TABLE messages ADD COLUMN message TEXT;"
    "ALTER TABLE messages ADD COLUMN subject TEXT;"
    "ALTER TABLE messages ADD COLUMN sender TEXT;",

    /* 8: OAuth 2.0 and the hosted sign-in pages: the documents of user pool domains, resource
     * servers and identity providers (store_doc.c; a resource server's or provider's id is
     * "<pool id> <name>", which their patterns keep free of spaces), the one-time
     * authorization codes and the hosted sessions (store_oauth.c), and the OAuth scopes a
     * refresh token was granted (NULL when the user-pools API issued it). */
    "CREATE TABLE user_pool_domains ("
    "  seq INTEGER PRIMARY KEY,"
    "  id TEXT NOT NULL UNIQUE,"
    "  parent TEXT NOT NULL REFERENCES user_pools(id) ON DELETE CASCADE,"
    "  doc TEXT NOT NULL"
    ") STRICT;"
    "CREATE INDEX user_pool_domains_by_parent ON user_pool_domains(parent, seq);"
    "CREATE TABLE resource_servers ("
    "  seq INTEGER PRIMARY KEY,"
    "  id TEXT NOT NULL UNIQUE,"
    "  parent TEXT NOT NULL REFERENCES user_pools(id) ON DELETE CASCADE,"
    "  doc TEXT NOT NULL"
    ") STRICT;"
    "CREATE INDEX resource_servers_by_parent ON resource_servers(parent, seq);"
    "CREATE TABLE identity_providers ("
    "  seq INTEGER PRIMARY KEY,"
    "  id TEXT NOT NULL UNIQUE,"
    "  parent TEXT NOT NULL REFERENCES user_pools(id) ON DELETE CASCADE,"
    "  doc TEXT NOT NULL"
    ") STRICT;"
    "CREATE INDEX identity_providers_by_parent ON identity_providers(parent, seq);"
    "CREATE TABLE oauth_codes ("
    "  code_hash TEXT PRIMARY KEY,"
    "  pool_id TEXT NOT NULL REFERENCES user_pools(id) ON DELETE CASCADE,"
    "  client_id TEXT NOT NULL,"
    "  user_seq INTEGER NOT NULL REFERENCES users(seq) ON DELETE CASCADE,"
    "  data TEXT NOT NULL,"
    "  expires_ms INTEGER NOT NULL"
    ") STRICT;"
    "CREATE INDEX oauth_codes_by_expiry ON oauth_codes(expires_ms);"
    "CREATE TABLE hosted_sessions ("
    "  session_hash TEXT PRIMARY KEY,"
    "  pool_id TEXT NOT NULL REFERENCES user_pools(id) ON DELETE CASCADE,"
    "  user_seq INTEGER NOT NULL REFERENCES users(seq) ON DELETE CASCADE,"
    "  auth_time INTEGER NOT NULL,"
    "  expires_ms INTEGER NOT NULL"
    ") STRICT;"
    "CREATE INDEX hosted_sessions_by_expiry ON hosted_sessions(expires_ms);"
    "ALTER TABLE refresh_tokens ADD COLUMN scope TEXT;",

    /* 9: the branding of the hosted pages (store_doc.c), documents under their pool like
     * migration 8's: the classic hosted UI's customizations (id "<pool id> <client id or ALL>")
     * and the managed login branding styles (id: the ManagedLoginBrandingId, a UUID). */
    "CREATE TABLE ui_customizations ("
    "  seq INTEGER PRIMARY KEY,"
    "  id TEXT NOT NULL UNIQUE,"
    "  parent TEXT NOT NULL REFERENCES user_pools(id) ON DELETE CASCADE,"
    "  doc TEXT NOT NULL"
    ") STRICT;"
    "CREATE INDEX ui_customizations_by_parent ON ui_customizations(parent, seq);"
    "CREATE TABLE managed_login_brandings ("
    "  seq INTEGER PRIMARY KEY,"
    "  id TEXT NOT NULL UNIQUE,"
    "  parent TEXT NOT NULL REFERENCES user_pools(id) ON DELETE CASCADE,"
    "  doc TEXT NOT NULL"
    ") STRICT;"
    "CREATE INDEX managed_login_brandings_by_parent ON managed_login_brandings(parent, seq);",

    /* 10: federation (store_federation.c): the links AdminLinkProviderForUser makes from an
     * external identity (a provider of the pool, and the attribute that names the identity:
     * "Cognito_Subject" for the IdP's subject, or a mapped pool attribute) to an existing
     * user, who is signed in instead of the identity's own user. */
    "CREATE TABLE federation_links ("
    "  pool_id TEXT NOT NULL REFERENCES user_pools(id) ON DELETE CASCADE,"
    "  provider TEXT NOT NULL,"
    "  attribute TEXT NOT NULL,"
    "  value TEXT NOT NULL,"
    "  user_seq INTEGER NOT NULL REFERENCES users(seq) ON DELETE CASCADE,"
    "  created_ms INTEGER NOT NULL,"
    "  PRIMARY KEY (pool_id, provider, attribute, value)"
    ") STRICT;"
    "CREATE INDEX federation_links_by_user ON federation_links(user_seq);",

    /* 11: choice-based sign-in, passkeys, devices and refresh-token rotation.
     * webauthn_credentials: a user's passkeys (store_webauthn.c), unique per pool by their
     * credential id (base64url), with the public key as SubjectPublicKeyInfo DER, the
     * signature counter last seen and what ListWebAuthnCredentials shows.
     * webauthn_registrations: the pending StartWebAuthnRegistration challenge of a user for
     * one app client (a new Start replaces it; Complete spends it).
     * devices: remembered devices (store_device.c): the key, its group key, the device SRP
     * salt and verifier that ConfirmDevice sent (NULL until confirmed), the remembered
     * status and the dates and address GetDevice shows.
     * refresh_tokens: the time a rotation superseded a token (NULL: current; the grace period
     * runs from it) and the device key of the sign-in. user_mfa: the last TOTP time step a
     * sign-in or verification spent, so that a code answers once. */
    "CREATE TABLE webauthn_credentials ("
    "  pool_id TEXT NOT NULL REFERENCES user_pools(id) ON DELETE CASCADE,"
    "  credential_id TEXT NOT NULL,"
    "  user_seq INTEGER NOT NULL REFERENCES users(seq) ON DELETE CASCADE,"
    "  rp_id TEXT NOT NULL,"
    "  alg INTEGER NOT NULL,"
    "  public_key BLOB NOT NULL,"
    "  sign_count INTEGER NOT NULL,"
    "  transports TEXT NOT NULL,"
    "  attachment TEXT,"
    "  aaguid BLOB,"
    "  backup_eligible INTEGER NOT NULL,"
    "  backed_up INTEGER NOT NULL,"
    "  friendly_name TEXT,"
    "  created_ms INTEGER NOT NULL,"
    "  PRIMARY KEY (pool_id, credential_id)"
    ") STRICT;"
    "CREATE INDEX webauthn_credentials_by_user ON webauthn_credentials(user_seq, created_ms);"
    "CREATE TABLE webauthn_registrations ("
    "  user_seq INTEGER NOT NULL REFERENCES users(seq) ON DELETE CASCADE,"
    "  client_id TEXT NOT NULL,"
    "  challenge TEXT NOT NULL,"
    "  expires_ms INTEGER NOT NULL,"
    "  PRIMARY KEY (user_seq, client_id)"
    ") STRICT;"
    "CREATE TABLE devices ("
    "  device_key TEXT PRIMARY KEY,"
    "  pool_id TEXT NOT NULL REFERENCES user_pools(id) ON DELETE CASCADE,"
    "  user_seq INTEGER NOT NULL REFERENCES users(seq) ON DELETE CASCADE,"
    "  group_key TEXT NOT NULL,"
    "  salt TEXT,"
    "  verifier TEXT,"
    "  name TEXT,"
    "  remembered INTEGER NOT NULL,"
    "  created_ms INTEGER NOT NULL,"
    "  modified_ms INTEGER NOT NULL,"
    "  last_auth_ms INTEGER,"
    "  last_ip TEXT"
    ") STRICT;"
    "CREATE INDEX devices_by_user ON devices(user_seq, created_ms);"
    "ALTER TABLE refresh_tokens ADD COLUMN superseded_ms INTEGER;"
    "ALTER TABLE refresh_tokens ADD COLUMN device_key TEXT;"
    "ALTER TABLE user_mfa ADD COLUMN totp_last_step INTEGER;",
};
#define NMIGRATIONS ((int)(sizeof(migrations) / sizeof(migrations[0])))

int store_schema_version(void)
{
    return NMIGRATIONS;
}

static int exec(sqlite3 *db, const char *sql)
{
    char *msg = NULL;
    int rc = sqlite3_exec(db, sql, NULL, NULL, &msg);
    if (rc != SQLITE_OK) {
        log_error("store: %s: %s", sql, msg ? msg : sqlite3_errstr(rc));
        sqlite3_free(msg);
    }
    return rc;
}

static int user_version(sqlite3 *db)
{
    sqlite3_stmt *st = NULL;
    int v = -1;
    if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return v;
}

/* Run the migrations this database has not seen, each in its own transaction. */
static int migrate(sqlite3 *db)
{
    if (exec(db, "BEGIN IMMEDIATE") != SQLITE_OK)
        return STORE_ERROR;
    int v = user_version(db);
    if (v < 0 || v > NMIGRATIONS) {
        log_error("store: database schema version %d is newer than this build's %d", v,
                  NMIGRATIONS);
        exec(db, "ROLLBACK");
        return STORE_ERROR;
    }
    for (; v < NMIGRATIONS; v++) {
        char pragma[64];
        snprintf(pragma, sizeof(pragma), "PRAGMA user_version = %d", v + 1);
        if (exec(db, migrations[v]) != SQLITE_OK || exec(db, pragma) != SQLITE_OK) {
            exec(db, "ROLLBACK");
            return STORE_ERROR;
        }
        log_debug("store: migrated schema to version %d", v + 1);
    }
    return exec(db, "COMMIT") == SQLITE_OK ? STORE_OK : STORE_ERROR;
}

static int open_conn(const char *uri, int is_memory, sqlite3 **out)
{
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_URI |
                SQLITE_OPEN_NOMUTEX; /* one thread at a time per connection: no mutex needed */
    int rc = sqlite3_open_v2(uri, out, flags, NULL);
    if (rc != SQLITE_OK) {
        log_error("store: cannot open %s: %s", uri,
                  *out ? sqlite3_errmsg(*out) : sqlite3_errstr(rc));
        sqlite3_close(*out);
        *out = NULL;
        return STORE_ERROR;
    }
    sqlite3_busy_timeout(*out, 10000);
    sqlite3_extended_result_codes(*out, 1);
    /*
     * WAL lets readers run beside the one writer. synchronous=NORMAL in WAL mode keeps every
     * committed transaction across a crash of this process (the WAL is written before COMMIT
     * returns); only an OS crash or power loss can lose the last commits.
     */
    if ((!is_memory && exec(*out, "PRAGMA journal_mode = WAL") != SQLITE_OK) ||
        exec(*out, "PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON") != SQLITE_OK) {
        sqlite3_close(*out);
        *out = NULL;
        return STORE_ERROR;
    }
    return STORE_OK;
}

/* Create the directory that holds path, and its parents, when missing. */
static int make_parent_dirs(const char *path)
{
    char dir[4096];
    size_t len = strlen(path);
    if (len >= sizeof(dir))
        return -1;
    memcpy(dir, path, len + 1);
    char *slash = strrchr(dir, '/');
    if (slash == NULL || slash == dir)
        return 0;
    *slash = '\0';
    for (char *p = dir + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(dir, 0755) != 0 && errno != EEXIST)
            return -1;
        *p = '/';
    }
    return mkdir(dir, 0755) != 0 && errno != EEXIST ? -1 : 0;
}

int store_open(const char *path, int nconns, struct store **out)
{
    static _Atomic unsigned memory_serial;
    char uri[4200];
    int is_memory = strcmp(path, ":memory:") == 0;
    struct store *st = NULL;

    *out = NULL;
    if (nconns < 1)
        nconns = 1;
    if (is_memory) {
        /* A memdb name starting with '/' is shared by every connection of this process. */
        snprintf(uri, sizeof(uri), "file:/cognito-emu-%ld-%u?vfs=memdb", (long)getpid(),
                 atomic_fetch_add(&memory_serial, 1));
    } else {
        if (make_parent_dirs(path) != 0) {
            log_error("store: cannot create the directory of %s: %s", path, strerror(errno));
            return STORE_ERROR;
        }
        snprintf(uri, sizeof(uri), "file:%s", path);
    }

    st = calloc(1, sizeof(*st));
    if (st == NULL || (st->conns = calloc((size_t)nconns, sizeof(*st->conns))) == NULL ||
        (st->uri = strdup(uri)) == NULL) {
        if (st != NULL)
            free(st->conns);
        free(st);
        return STORE_ERROR;
    }
    pthread_mutex_init(&st->mu, NULL);
    pthread_cond_init(&st->cv, NULL);
    st->cap = nconns;
    st->is_memory = is_memory;
    /* One connection now (it migrates, and keeps a memory database alive); the others when
     * store_acquire() first needs them: most servers never use them all. */
    st->nconns = 1;
    if (open_conn(uri, is_memory, &st->conns[0].db) != STORE_OK ||
        migrate(st->conns[0].db) != STORE_OK) {
        store_close(st);
        return STORE_ERROR;
    }
    st->free_list = &st->conns[0];
    *out = st;
    return STORE_OK;
}

void store_close(struct store *st)
{
    if (st == NULL)
        return;
    /* Close the first connection last: for a file database the last close checkpoints the WAL. */
    for (int i = st->nconns - 1; i >= 0; i--) {
        struct store_conn *c = &st->conns[i];
        for (int j = 0; j < c->ncached; j++)
            sqlite3_finalize(c->cache[j].stmt);
        free(c->cache);
        if (c->db != NULL && sqlite3_close(c->db) != SQLITE_OK)
            log_error("store: close: %s", sqlite3_errmsg(c->db));
    }
    pthread_mutex_destroy(&st->mu);
    pthread_cond_destroy(&st->cv);
    free(st->conns);
    free(st->uri);
    free(st);
}

struct store_conn *store_acquire(struct store *st)
{
    struct store_conn *c;

    pthread_mutex_lock(&st->mu);
    while (st->free_list == NULL) {
        if (st->nconns < st->cap) {
            /* Open one more, outside the lock; if it fails, wait for the others from now on. */
            c = &st->conns[st->nconns++];
            pthread_mutex_unlock(&st->mu);
            if (open_conn(st->uri, st->is_memory, &c->db) == STORE_OK)
                return c;
            pthread_mutex_lock(&st->mu);
            st->cap = st->nconns;
            continue;
        }
        pthread_cond_wait(&st->cv, &st->mu);
    }
    c = st->free_list;
    st->free_list = c->next_free;
    pthread_mutex_unlock(&st->mu);
    return c;
}

void store_release(struct store *st, struct store_conn *conn)
{
    if (conn == NULL)
        return;
    if (conn->in_tx)
        store_rollback(conn);
    pthread_mutex_lock(&st->mu);
    conn->next_free = st->free_list;
    st->free_list = conn;
    pthread_cond_signal(&st->cv);
    pthread_mutex_unlock(&st->mu);
}

static int tx_exec(struct store_conn *conn, const char *sql)
{
    sqlite3_stmt *st = store_stmt(conn, sql);
    int rc = st ? sqlite3_step(st) : SQLITE_ERROR;
    store_stmt_done(st);
    return rc == SQLITE_DONE ? STORE_OK : store_status_from(conn, rc, sql);
}

int store_begin(struct store_conn *conn)
{
    int rc = tx_exec(conn, "BEGIN IMMEDIATE");
    conn->in_tx = rc == STORE_OK;
    return rc;
}

int store_commit(struct store_conn *conn)
{
    int rc = tx_exec(conn, "COMMIT");
    if (rc != STORE_OK)
        store_rollback(conn);
    conn->in_tx = 0;
    return rc;
}

bool store_in_transaction(struct store_conn *conn)
{
    return sqlite3_get_autocommit(conn->db) == 0;
}

int store_rollback(struct store_conn *conn)
{
    conn->in_tx = 0;
    return sqlite3_get_autocommit(conn->db) ? STORE_OK : tx_exec(conn, "ROLLBACK");
}

sqlite3_stmt *store_stmt(struct store_conn *conn, const char *sql)
{
    sqlite3_stmt *st = NULL;

    for (int i = 0; i < conn->ncached; i++)
        if (conn->cache[i].sql == sql)
            return conn->cache[i].stmt;
    int rc = sqlite3_prepare_v3(conn->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL);
    if (rc != SQLITE_OK) {
        log_error("store: prepare %s: %s", sql, sqlite3_errmsg(conn->db));
        return NULL;
    }
    if (conn->ncached == conn->cache_cap) {
        int cap = conn->cache_cap > 0 ? conn->cache_cap * 2 : 64;
        struct store_cached_stmt *grown = realloc(conn->cache, (size_t)cap * sizeof(*grown));

        if (grown == NULL) {
            log_error("store: out of memory for the statement cache");
            sqlite3_finalize(st);
            return NULL;
        }
        conn->cache = grown;
        conn->cache_cap = cap;
    }
    conn->cache[conn->ncached].sql = sql;
    conn->cache[conn->ncached].stmt = st;
    conn->ncached++;
    return st;
}

void store_stmt_done(sqlite3_stmt *st)
{
    if (st == NULL)
        return;
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
}

int store_status_from(struct store_conn *conn, int rc, const char *what)
{
    switch (rc) {
    case SQLITE_CONSTRAINT_UNIQUE:
    case SQLITE_CONSTRAINT_PRIMARYKEY:
        return STORE_EXISTS;
    case SQLITE_CONSTRAINT_FOREIGNKEY:
        return STORE_NOT_FOUND;
    default:
        log_error("store: %s: %s", what, sqlite3_errmsg(conn->db));
        return STORE_ERROR;
    }
}

int store_parse_token(const char *token, int64_t *seq)
{
    char *end;

    *seq = 0;
    if (token == NULL)
        return 0;
    errno = 0;
    long long v = strtoll(token, &end, 10);
    if (errno != 0 || end == token || *end != '\0' || v <= 0 || token[0] == '+')
        return -1;
    *seq = v;
    return 0;
}

void store_bind_text(sqlite3_stmt *st, int i, const char *text)
{
    if (text != NULL)
        sqlite3_bind_text(st, i, text, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, i);
}

char *store_column_or_null(sqlite3_stmt *st, int col, int *ok)
{
    char *s;

    if (sqlite3_column_type(st, col) == SQLITE_NULL)
        return NULL;
    if ((s = store_column_dup(st, col)) == NULL)
        *ok = 0;
    return s;
}

int store_finish(struct store_conn *conn, sqlite3_stmt *st, const char *what)
{
    int rc = sqlite3_step(st);

    store_stmt_done(st);
    return rc == SQLITE_DONE ? STORE_OK : store_status_from(conn, rc, what);
}

int store_finish_change(struct store_conn *conn, sqlite3_stmt *st, const char *what)
{
    int status = store_finish(conn, st, what);

    if (status != STORE_OK)
        return status;
    return sqlite3_changes(conn->db) > 0 ? STORE_OK : STORE_NOT_FOUND;
}

int store_page_rows(struct store_conn *conn, sqlite3_stmt *st, int limit, int seq_col,
                    int64_t next_position, store_row_fn *keep, void *page, char **next_token,
                    const char *what)
{
    int64_t last_seq = 0;
    int kept = 0, rc, status = STORE_OK;

    *next_token = NULL;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (kept == limit) {
            char next[32];
            snprintf(next, sizeof(next), "%" PRId64, next_position > 0 ? next_position : last_seq);
            status = (*next_token = strdup(next)) != NULL ? STORE_OK : STORE_ERROR;
            break;
        }
        if (keep(page, st) != 0) {
            status = STORE_ERROR;
            break;
        }
        last_seq = sqlite3_column_int64(st, seq_col);
        kept++;
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        status = store_status_from(conn, rc, what);
    store_stmt_done(st);
    return status;
}

char *store_column_dup(sqlite3_stmt *st, int col)
{
    const unsigned char *text = sqlite3_column_text(st, col);
    int len = sqlite3_column_bytes(st, col);
    char *copy = malloc((size_t)len + 1);
    if (copy == NULL)
        return NULL;
    if (len > 0)
        memcpy(copy, text, (size_t)len);
    copy[len] = '\0';
    return copy;
}
