/*
 * store_webauthn: users' passkeys (webauthn_credentials, migration 11) and the pending
 * registration challenges (webauthn_registrations). A passkey belongs to its pool and user and
 * goes with either. See store.h for the contract; what a passkey proves is the auth wing's
 * (auth/auth_webauthn.c) and crypto/'s.
 */
#include "config.h"

#include "store_internal.h"

static const char SQL_WEBAUTHN_COUNT[] =
    "SELECT count(*) FROM webauthn_credentials WHERE user_seq = ?1";

int64_t store_webauthn_count(struct store_conn *conn, int64_t user_seq)
{
    sqlite3_stmt *st = store_stmt(conn, SQL_WEBAUTHN_COUNT);
    int64_t n = -1;

    if (st == NULL)
        return -1;
    sqlite3_bind_int64(st, 1, user_seq);
    if (sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    store_stmt_done(st);
    return n;
}
