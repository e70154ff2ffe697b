/*
 * store_mfa: what the store keeps of a user's multi-factor authentication: the TOTP secrets,
 * the factors the user enabled, the preferred one, the last TOTP time step spent. One row per user,
 * deleted with the user. See store.h for the contract; the rules (which factor is asked) are the
 * server's. The lockout counters of failed sign-ins are in store_auth.c.
 */
#include "config.h"

#include "store_internal.h"

#include <stdlib.h>
#include <string.h>

static const char SQL_MFA_GET[] =
    "SELECT totp_secret, totp_pending, sms_enabled, totp_enabled, email_enabled, preferred,"
    " totp_last_step FROM user_mfa WHERE user_seq = ?1";
static const char SQL_MFA_PUT[] =
    "INSERT INTO user_mfa (user_seq, totp_secret, totp_pending, sms_enabled, totp_enabled,"
    " email_enabled, preferred, totp_last_step) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
    " ON CONFLICT (user_seq) DO UPDATE SET totp_secret = ?2, totp_pending = ?3,"
    " sms_enabled = ?4, totp_enabled = ?5, email_enabled = ?6, preferred = ?7,"
    " totp_last_step = ?8";

void store_mfa_clear(struct store_mfa *m)
{
    free(m->totp_secret);
    free(m->totp_pending);
    free(m->preferred);
    memset(m, 0, sizeof(*m));
}

int store_mfa_get(struct store_conn *conn, int64_t user_seq, struct store_mfa *out)
{
    sqlite3_stmt *st = store_stmt(conn, SQL_MFA_GET);
    int rc, ok = 1, status = STORE_OK;

    memset(out, 0, sizeof(*out));
    if (st == NULL)
        return STORE_ERROR;
    sqlite3_bind_int64(st, 1, user_seq);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        out->totp_secret = store_column_or_null(st, 0, &ok);
        out->totp_pending = store_column_or_null(st, 1, &ok);
        out->sms_enabled = sqlite3_column_int(st, 2);
        out->totp_enabled = sqlite3_column_int(st, 3);
        out->email_enabled = sqlite3_column_int(st, 4);
        out->preferred = store_column_or_null(st, 5, &ok);
        out->totp_last_step = sqlite3_column_int64(st, 6); /* NULL reads 0: none spent */
        if (!ok) {
            store_mfa_clear(out);
            status = STORE_ERROR;
        }
    } else if (rc != SQLITE_DONE) {
        status = store_status_from(conn, rc, "get mfa settings");
    }
    store_stmt_done(st);
    return status;
}

int store_mfa_put(struct store_conn *conn, int64_t user_seq, const struct store_mfa *m)
{
    sqlite3_stmt *st = store_stmt(conn, SQL_MFA_PUT);

    if (st == NULL)
        return STORE_ERROR;
    sqlite3_bind_int64(st, 1, user_seq);
    store_bind_text(st, 2, m->totp_secret);
    store_bind_text(st, 3, m->totp_pending);
    sqlite3_bind_int(st, 4, m->sms_enabled != 0);
    sqlite3_bind_int(st, 5, m->totp_enabled != 0);
    sqlite3_bind_int(st, 6, m->email_enabled != 0);
    store_bind_text(st, 7, m->preferred);
    if (m->totp_last_step > 0)
        sqlite3_bind_int64(st, 8, m->totp_last_step);
    else
        sqlite3_bind_null(st, 8);
    return store_finish(conn, st, "put mfa settings");
}
