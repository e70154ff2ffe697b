/*
 * check_store: the store against fresh databases: documents (CRUD, parents and cascades,
 * pagination), transactions, migrations, concurrent writers on a file database, and the
 * records of users, sign-ins (sessions, refresh tokens, sign-outs, lockouts) and keys.
 */
#include "config.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/store.h"
#include "store/store_internal.h"
#include "testutil.h"

static struct store *st;
static struct store_conn *conn;

static void setup(void)
{
    ck_assert_int_eq(store_open(":memory:", 2, &st), STORE_OK);
    conn = store_acquire(st);
}

static void teardown(void)
{
    store_release(st, conn);
    store_close(st);
}

/* A path for a file database in a fresh temporary directory. */
static void temp_db(char *path, size_t n)
{
    char dir[] = "/tmp/cogemu-store-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(path, n, "%s/sub/dir/test.db", dir);
}

/* A connection prepares as many statements as the program has: well past the 128 a fixed
 * cache once held (the program outgrew it and every statement after the 128th failed). */
START_TEST(test_store_statement_cache_holds_every_statement)
{
    static char sql[300][32];
    sqlite3_stmt *first[300];

    for (int i = 0; i < 300; i++) {
        snprintf(sql[i], sizeof(sql[i]), "SELECT %d", i);
        first[i] = store_stmt(conn, sql[i]);
        ck_assert_ptr_nonnull(first[i]);
        store_stmt_done(first[i]);
    }
    for (int i = 0; i < 300; i++) /* cached: the same statement again */
        ck_assert_ptr_eq(store_stmt(conn, sql[i]), first[i]);
}
END_TEST

START_TEST(test_store_insert_get_replace_delete)
{
    char *doc = NULL;

    ck_assert_int_eq(store_doc_insert(conn, STORE_USER_POOL, "p1", NULL, "{\"a\":1}"), STORE_OK);
    ck_assert_int_eq(store_doc_get(conn, STORE_USER_POOL, "p1", NULL, &doc), STORE_OK);
    ck_assert_str_eq(doc, "{\"a\":1}");
    free(doc);
    ck_assert_int_eq(store_doc_replace(conn, STORE_USER_POOL, "p1", NULL, "{\"a\":2}"), STORE_OK);
    ck_assert_int_eq(store_doc_get(conn, STORE_USER_POOL, "p1", NULL, &doc), STORE_OK);
    ck_assert_str_eq(doc, "{\"a\":2}");
    free(doc);
    ck_assert_int_eq(store_doc_delete(conn, STORE_USER_POOL, "p1", NULL), STORE_OK);
    ck_assert_int_eq(store_doc_get(conn, STORE_USER_POOL, "p1", NULL, &doc), STORE_NOT_FOUND);
    ck_assert_ptr_null(doc);
    ck_assert_int_eq(store_doc_delete(conn, STORE_USER_POOL, "p1", NULL), STORE_NOT_FOUND);
    ck_assert_int_eq(store_doc_replace(conn, STORE_USER_POOL, "p1", NULL, "{}"), STORE_NOT_FOUND);
}
END_TEST

START_TEST(test_store_duplicate_id_is_exists)
{
    ck_assert_int_eq(store_doc_insert(conn, STORE_IDENTITY_POOL, "x", NULL, "{}"), STORE_OK);
    ck_assert_int_eq(store_doc_insert(conn, STORE_IDENTITY_POOL, "x", NULL, "{}"), STORE_EXISTS);
}
END_TEST

START_TEST(test_store_child_needs_parent_and_is_scoped_to_it)
{
    char *doc = NULL;

    ck_assert_int_eq(store_doc_insert(conn, STORE_USER_POOL_CLIENT, "c", "nope", "{}"),
                     STORE_NOT_FOUND);
    ck_assert_int_eq(store_doc_insert(conn, STORE_USER_POOL, "p1", NULL, "{}"), STORE_OK);
    ck_assert_int_eq(store_doc_insert(conn, STORE_USER_POOL, "p2", NULL, "{}"), STORE_OK);
    ck_assert_int_eq(store_doc_insert(conn, STORE_USER_POOL_CLIENT, "c", "p1", "{\"c\":1}"),
                     STORE_OK);
    ck_assert_int_eq(store_doc_get(conn, STORE_USER_POOL_CLIENT, "c", "p2", &doc), STORE_NOT_FOUND);
    ck_assert_int_eq(store_doc_delete(conn, STORE_USER_POOL_CLIENT, "c", "p2"), STORE_NOT_FOUND);
    ck_assert_int_eq(store_doc_get(conn, STORE_USER_POOL_CLIENT, "c", "p1", &doc), STORE_OK);
    free(doc);
    ck_assert_int_eq(store_doc_count(conn, STORE_USER_POOL_CLIENT, "p1"), 1);
    ck_assert_int_eq(store_doc_count(conn, STORE_USER_POOL_CLIENT, "p2"), 0);
}
END_TEST

START_TEST(test_store_deleting_a_pool_deletes_its_clients)
{
    ck_assert_int_eq(store_doc_insert(conn, STORE_USER_POOL, "p1", NULL, "{}"), STORE_OK);
    ck_assert_int_eq(store_doc_insert(conn, STORE_USER_POOL_CLIENT, "c1", "p1", "{}"), STORE_OK);
    ck_assert_int_eq(store_doc_insert(conn, STORE_USER_POOL_CLIENT, "c2", "p1", "{}"), STORE_OK);
    ck_assert_int_eq(store_doc_delete(conn, STORE_USER_POOL, "p1", NULL), STORE_OK);
    ck_assert_int_eq(store_doc_count(conn, STORE_USER_POOL_CLIENT, NULL), 0);
}
END_TEST

START_TEST(test_store_list_pages_through_everything_once_in_order)
{
    struct store_page page;
    char id[16], doc[32], *token = NULL;
    int seen = 0;

    for (int i = 0; i < 7; i++) {
        snprintf(id, sizeof(id), "p%d", i);
        snprintf(doc, sizeof(doc), "{\"n\":%d}", i);
        ck_assert_int_eq(store_doc_insert(conn, STORE_USER_POOL, id, NULL, doc), STORE_OK);
    }
    do {
        ck_assert_int_eq(store_doc_list(conn, STORE_USER_POOL, NULL, token, 3, &page), STORE_OK);
        free(token);
        token = page.next_token ? strdup(page.next_token) : NULL;
        for (size_t i = 0; i < page.count; i++) {
            snprintf(doc, sizeof(doc), "{\"n\":%d}", seen++);
            ck_assert_str_eq(page.docs[i], doc);
        }
        ck_assert_uint_le(page.count, 3);
        store_page_free(&page);
    } while (token != NULL);
    ck_assert_int_eq(seen, 7);
}
END_TEST

START_TEST(test_store_list_exact_multiple_has_no_empty_last_page)
{
    struct store_page page;

    ck_assert_int_eq(store_doc_insert(conn, STORE_USER_POOL, "a", NULL, "{}"), STORE_OK);
    ck_assert_int_eq(store_doc_insert(conn, STORE_USER_POOL, "b", NULL, "{}"), STORE_OK);
    ck_assert_int_eq(store_doc_list(conn, STORE_USER_POOL, NULL, NULL, 2, &page), STORE_OK);
    ck_assert_uint_eq(page.count, 2);
    ck_assert_ptr_null(page.next_token);
    store_page_free(&page);
}
END_TEST

START_TEST(test_store_list_refuses_foreign_tokens)
{
    struct store_page page;

    ck_assert_int_eq(store_doc_list(conn, STORE_USER_POOL, NULL, "abc", 3, &page), STORE_BAD_TOKEN);
    ck_assert_int_eq(store_doc_list(conn, STORE_USER_POOL, NULL, "-4", 3, &page), STORE_BAD_TOKEN);
    ck_assert_int_eq(store_doc_list(conn, STORE_USER_POOL, NULL, "", 3, &page), STORE_BAD_TOKEN);
    ck_assert_int_eq(store_doc_list(conn, STORE_USER_POOL, NULL, "99999999999999999999", 3, &page),
                     STORE_BAD_TOKEN);
}
END_TEST

START_TEST(test_store_rollback_undoes_and_commit_keeps)
{
    char *doc = NULL;

    ck_assert_int_eq(store_begin(conn), STORE_OK);
    ck_assert_int_eq(store_doc_insert(conn, STORE_USER_POOL, "gone", NULL, "{}"), STORE_OK);
    ck_assert_int_eq(store_rollback(conn), STORE_OK);
    ck_assert_int_eq(store_doc_get(conn, STORE_USER_POOL, "gone", NULL, &doc), STORE_NOT_FOUND);
    ck_assert_int_eq(store_begin(conn), STORE_OK);
    ck_assert_int_eq(store_doc_insert(conn, STORE_USER_POOL, "kept", NULL, "{}"), STORE_OK);
    ck_assert_int_eq(store_commit(conn), STORE_OK);
    ck_assert_int_eq(store_doc_get(conn, STORE_USER_POOL, "kept", NULL, &doc), STORE_OK);
    free(doc);
}
END_TEST

START_TEST(test_store_release_rolls_back_an_open_transaction)
{
    char *doc = NULL;

    ck_assert_int_eq(store_begin(conn), STORE_OK);
    ck_assert_int_eq(store_doc_insert(conn, STORE_USER_POOL, "half", NULL, "{}"), STORE_OK);
    store_release(st, conn);
    conn = store_acquire(st);
    ck_assert_int_eq(store_doc_get(conn, STORE_USER_POOL, "half", NULL, &doc), STORE_NOT_FOUND);
}
END_TEST

START_TEST(test_store_memory_databases_are_private_but_shared_by_connections)
{
    struct store *other;
    struct store_conn *c2, *o;
    char *doc = NULL;

    ck_assert_int_eq(store_doc_insert(conn, STORE_USER_POOL, "p", NULL, "{}"), STORE_OK);
    c2 = store_acquire(st); /* the second connection of the same store sees the row */
    ck_assert_int_eq(store_doc_get(c2, STORE_USER_POOL, "p", NULL, &doc), STORE_OK);
    free(doc);
    store_release(st, c2);
    ck_assert_int_eq(store_open(":memory:", 1, &other), STORE_OK);
    o = store_acquire(other);
    ck_assert_int_eq(store_doc_get(o, STORE_USER_POOL, "p", NULL, &doc), STORE_NOT_FOUND);
    store_release(other, o);
    store_close(other);
}
END_TEST

START_TEST(test_store_file_database_survives_reopen)
{
    char path[256], *doc = NULL;
    struct store *fs;
    struct store_conn *c;

    temp_db(path, sizeof(path));
    ck_assert_int_eq(store_open(path, 2, &fs), STORE_OK);
    c = store_acquire(fs);
    ck_assert_int_eq(store_doc_insert(c, STORE_USER_POOL, "p", NULL, "{\"k\":true}"), STORE_OK);
    store_release(fs, c);
    store_close(fs);

    ck_assert_int_eq(store_open(path, 2, &fs), STORE_OK);
    c = store_acquire(fs);
    ck_assert_int_eq(store_doc_get(c, STORE_USER_POOL, "p", NULL, &doc), STORE_OK);
    ck_assert_str_eq(doc, "{\"k\":true}");
    free(doc);
    store_release(fs, c);
    store_close(fs);
}
END_TEST

START_TEST(test_store_migrates_an_empty_database_and_refuses_a_newer_one)
{
    char path[256];
    sqlite3 *db;
    struct store *fs;

    temp_db(path, sizeof(path));
    ck_assert_int_eq(store_open(path, 1, &fs), STORE_OK); /* creates the directories too */
    store_close(fs);
    ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
    sqlite3_stmt *q;
    ck_assert_int_eq(sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &q, NULL), SQLITE_OK);
    ck_assert_int_eq(sqlite3_step(q), SQLITE_ROW);
    ck_assert_int_eq(sqlite3_column_int(q, 0), store_schema_version());
    sqlite3_finalize(q);
    ck_assert_int_eq(sqlite3_exec(db, "PRAGMA user_version = 999", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    ck_assert_int_eq(store_open(path, 1, &fs), STORE_ERROR);
}
END_TEST

START_TEST(test_store_unwritable_path_fails_cleanly)
{
    struct store *fs = NULL;

    ck_assert_int_eq(store_open("/proc/cognito-emu/x.db", 1, &fs), STORE_ERROR);
    ck_assert_ptr_null(fs);
}
END_TEST

/* A user of pool p1 named name (username_key = name), with attributes attrs. */
static struct store_user sample_user(const char *name, const char *sub, const char *attrs)
{
    struct store_user u = {0};

    u.pool_id = (char *)"p1";
    u.username = (char *)name;
    u.username_key = (char *)name;
    u.sub = (char *)sub;
    u.status = (char *)"UNCONFIRMED";
    u.enabled = 1;
    u.attributes = (char *)attrs;
    u.created_ms = u.modified_ms = 1000;
    return u;
}

START_TEST(test_store_users_insert_get_update_delete)
{
    struct store_user u = sample_user("alice", "sub-a", "{\"email\":\"a@x.test\"}"), *got = NULL;

    ck_assert_int_eq(store_user_insert(conn, &u), STORE_NOT_FOUND); /* no pool yet */
    ck_assert_int_eq(store_doc_insert(conn, STORE_USER_POOL, "p1", NULL, "{}"), STORE_OK);
    ck_assert_int_eq(store_user_insert(conn, &u), STORE_OK);
    ck_assert_int_gt(u.seq, 0);
    ck_assert_int_eq(store_user_get(conn, "p1", "alice", &got), STORE_OK);
    ck_assert_str_eq(got->sub, "sub-a");
    ck_assert_str_eq(got->attributes, "{\"email\":\"a@x.test\"}");
    ck_assert_ptr_null(got->srp_salt);
    got->status = (free(got->status), strdup("CONFIRMED"));
    got->srp_salt = strdup("0a");
    got->srp_verifier = strdup("0b");
    got->enabled = 0;
    ck_assert_int_eq(store_user_update(conn, got), STORE_OK);
    store_user_free(got);
    ck_assert_int_eq(store_user_get_by_sub(conn, "p1", "sub-a", &got), STORE_OK);
    ck_assert_str_eq(got->status, "CONFIRMED");
    ck_assert_str_eq(got->srp_verifier, "0b");
    ck_assert_int_eq(got->enabled, 0);
    ck_assert_int_eq(store_user_delete(conn, got->seq), STORE_OK);
    int64_t seq = got->seq;
    store_user_free(got);
    ck_assert_int_eq(store_user_get_by_seq(conn, seq, &got), STORE_NOT_FOUND);
    ck_assert_ptr_null(got);
}
END_TEST

START_TEST(test_store_users_are_unique_by_key_and_sub_within_a_pool)
{
    struct store_user a = sample_user("alice", "s1", "{}"), b = sample_user("alice", "s2", "{}"),
                      c = sample_user("carol", "s1", "{}");

    ck_assert_int_eq(store_doc_insert(conn, STORE_USER_POOL, "p1", NULL, "{}"), STORE_OK);
    ck_assert_int_eq(store_doc_insert(conn, STORE_USER_POOL, "p2", NULL, "{}"), STORE_OK);
    ck_assert_int_eq(store_user_insert(conn, &a), STORE_OK);
    ck_assert_int_eq(store_user_insert(conn, &b), STORE_EXISTS);
    ck_assert_int_eq(store_user_insert(conn, &c), STORE_EXISTS);
    b.pool_id = (char *)"p2"; /* the same name in another pool is another user */
    ck_assert_int_eq(store_user_insert(conn, &b), STORE_OK);
    ck_assert_int_eq(store_user_count(conn, "p1"), 1);
    ck_assert_int_eq(store_user_count(conn, "p2"), 1);
}
END_TEST

START_TEST(test_store_aliases_belong_to_one_user)
{
    struct store_user a = sample_user("alice", "s1", "{}"), b = sample_user("bob", "s2", "{}");
    struct store_user *got = NULL;

    ck_assert_int_eq(store_doc_insert(conn, STORE_USER_POOL, "p1", NULL, "{}"), STORE_OK);
    ck_assert_int_eq(store_user_insert(conn, &a), STORE_OK);
    ck_assert_int_eq(store_user_insert(conn, &b), STORE_OK);
    ck_assert_int_eq(store_alias_set(conn, "p1", "email", "a@x.test", a.seq), STORE_OK);
    ck_assert_int_eq(store_alias_set(conn, "p1", "email", "a@x.test", a.seq), STORE_OK);
    ck_assert_int_eq(store_alias_set(conn, "p1", "email", "a@x.test", b.seq), STORE_EXISTS);
    ck_assert_int_eq(store_user_get_by_alias(conn, "p1", "email", "a@x.test", &got), STORE_OK);
    ck_assert_str_eq(got->username, "alice");
    store_user_free(got);
    /* A new value replaces the user's old alias of that name. */
    ck_assert_int_eq(store_alias_set(conn, "p1", "email", "new@x.test", a.seq), STORE_OK);
    ck_assert_int_eq(store_user_get_by_alias(conn, "p1", "email", "a@x.test", &got),
                     STORE_NOT_FOUND);
    ck_assert_int_eq(store_alias_clear(conn, a.seq, "email"), STORE_OK);
    ck_assert_int_eq(store_user_get_by_alias(conn, "p1", "email", "new@x.test", &got),
                     STORE_NOT_FOUND);
    ck_assert_int_eq(store_alias_set(conn, "p1", "email", "a@x.test", b.seq), STORE_OK);
}
END_TEST

START_TEST(test_store_user_list_filters_and_pages)
{
    char name[16], sub[16], attrs[64];
    struct store_user_page page;
    struct store_user_filter prefix = {"email", "user1", 1}, exact = {"email", "user3@x.test", 0},
                             status = {"cognito:user_status", "UNCONFIRMED", 0},
                             by_name = {"username", "u4", 0};
    char *token = NULL;
    int seen = 0;

    ck_assert_int_eq(store_doc_insert(conn, STORE_USER_POOL, "p1", NULL, "{}"), STORE_OK);
    for (int i = 0; i < 12; i++) {
        snprintf(name, sizeof(name), "u%d", i);
        snprintf(sub, sizeof(sub), "s%d", i);
        snprintf(attrs, sizeof(attrs), "{\"email\":\"user%d@x.test\"}", i);
        struct store_user u = sample_user(name, sub, attrs);
        ck_assert_int_eq(store_user_insert(conn, &u), STORE_OK);
    }
    do {
        ck_assert_int_eq(store_user_list(conn, "p1", NULL, token, 5, &page), STORE_OK);
        free(token);
        token = page.next_token ? strdup(page.next_token) : NULL;
        seen += (int)page.count;
        store_user_page_free(&page);
    } while (token != NULL);
    ck_assert_int_eq(seen, 12);

    ck_assert_int_eq(store_user_list(conn, "p1", &prefix, NULL, 60, &page), STORE_OK);
    ck_assert_uint_eq(page.count, 3); /* user1, user10, user11 */
    store_user_page_free(&page);
    ck_assert_int_eq(store_user_list(conn, "p1", &exact, NULL, 60, &page), STORE_OK);
    ck_assert_uint_eq(page.count, 1);
    ck_assert_str_eq(page.users[0]->username, "u3");
    store_user_page_free(&page);
    ck_assert_int_eq(store_user_list(conn, "p1", &status, NULL, 60, &page), STORE_OK);
    ck_assert_uint_eq(page.count, 12);
    store_user_page_free(&page);
    ck_assert_int_eq(store_user_list(conn, "p1", &by_name, NULL, 60, &page), STORE_OK);
    ck_assert_uint_eq(page.count, 1);
    store_user_page_free(&page);
    ck_assert_int_eq(store_user_list(conn, "p1", NULL, "zz", 5, &page), STORE_BAD_TOKEN);
}
END_TEST

START_TEST(test_store_codes_sessions_and_refresh_tokens)
{
    struct store_user u = sample_user("alice", "s1", "{}");
    struct store_refresh r = {.pool_id = (char *)"p1",
                              .client_id = (char *)"c1",
                              .origin_jti = (char *)"o1",
                              .auth_time = 7,
                              .expires_ms = 9};
    struct store_session s = {.pool_id = (char *)"p1",
                              .client_id = (char *)"c1",
                              .challenge = (char *)"NEW_PASSWORD_REQUIRED",
                              .expires_ms = 5};
    struct store_refresh *gr = NULL;
    struct store_session *gs = NULL;
    char *code = NULL;
    int64_t expires = 0;

    ck_assert_int_eq(store_doc_insert(conn, STORE_USER_POOL, "p1", NULL, "{}"), STORE_OK);
    ck_assert_int_eq(store_user_insert(conn, &u), STORE_OK);
    ck_assert_int_eq(store_code_put(conn, u.seq, "sign-up", "123456", 42), STORE_OK);
    ck_assert_int_eq(store_code_put(conn, u.seq, "sign-up", "654321", 43), STORE_OK);
    ck_assert_int_eq(store_code_get(conn, u.seq, "sign-up", &code, &expires), STORE_OK);
    ck_assert_str_eq(code, "654321");
    ck_assert_int_eq(expires, 43);
    free(code);
    ck_assert_int_eq(store_code_delete(conn, u.seq, "sign-up"), STORE_OK);
    ck_assert_int_eq(store_code_get(conn, u.seq, "sign-up", &code, &expires), STORE_NOT_FOUND);

    r.user_seq = u.seq;
    ck_assert_int_eq(store_refresh_put(conn, "hash1", &r), STORE_OK);
    ck_assert_int_eq(store_refresh_get(conn, "hash1", &gr), STORE_OK);
    ck_assert_str_eq(gr->origin_jti, "o1");
    ck_assert_int_eq(gr->auth_time, 7);
    ck_assert_int_eq(gr->revoked, 0);
    store_refresh_free(gr);
    ck_assert_int_eq(store_refresh_revoke(conn, "o1"), STORE_OK);
    ck_assert_int_eq(store_refresh_get(conn, "hash1", &gr), STORE_OK);
    ck_assert_int_eq(gr->revoked, 1);
    store_refresh_free(gr);

    s.user_seq = u.seq;
    ck_assert_int_eq(store_session_put(conn, "sess", &s), STORE_OK);
    ck_assert_int_eq(store_session_get(conn, "sess", &gs), STORE_OK);
    ck_assert_str_eq(gs->challenge, "NEW_PASSWORD_REQUIRED");
    ck_assert_str_eq(gs->data, "{}");
    store_session_free(gs);

    /* Deleting the user takes its codes, tokens and sessions with it. */
    ck_assert_int_eq(store_code_put(conn, u.seq, "sign-up", "1", 1), STORE_OK);
    ck_assert_int_eq(store_user_delete(conn, u.seq), STORE_OK);
    ck_assert_int_eq(store_refresh_get(conn, "hash1", &gr), STORE_NOT_FOUND);
    ck_assert_int_eq(store_session_get(conn, "sess", &gs), STORE_NOT_FOUND);
    ck_assert_int_eq(store_code_get(conn, u.seq, "sign-up", &code, &expires), STORE_NOT_FOUND);
}
END_TEST

START_TEST(test_store_oauth_codes_are_single_use_and_sessions_go_with_their_user)
{
    struct store_user u = sample_user("alice", "s1", "{}");
    struct store_oauth_code c = {.pool_id = (char *)"p1",
                                 .client_id = (char *)"c1",
                                 .data = (char *)"{\"nonce\":\"n\"}",
                                 .expires_ms = 5000};
    struct store_hosted_session h = {.pool_id = (char *)"p1", .auth_time = 3, .expires_ms = 5000};
    struct store_refresh r = {.pool_id = (char *)"p1",
                              .client_id = (char *)"c1",
                              .origin_jti = (char *)"o1",
                              .scope = (char *)"openid email"};
    struct store_oauth_code *gc = NULL;
    struct store_hosted_session *gh = NULL;
    struct store_refresh *gr = NULL;

    ck_assert_int_eq(store_doc_insert(conn, STORE_USER_POOL, "p1", NULL, "{}"), STORE_OK);
    ck_assert_int_eq(store_user_insert(conn, &u), STORE_OK);
    c.user_seq = h.user_seq = r.user_seq = u.seq;

    ck_assert_int_eq(store_oauth_code_put(conn, "code1", &c, 1000), STORE_OK);
    ck_assert_int_eq(store_oauth_code_put(conn, "code1", &c, 1000), STORE_EXISTS);
    ck_assert_int_eq(store_oauth_code_take(conn, "code1", &gc), STORE_OK);
    ck_assert_str_eq(gc->client_id, "c1");
    ck_assert_str_eq(gc->data, "{\"nonce\":\"n\"}");
    ck_assert_int_eq(gc->user_seq, u.seq);
    ck_assert_int_eq(gc->expires_ms, 5000);
    store_oauth_code_free(gc);
    ck_assert_int_eq(store_oauth_code_take(conn, "code1", &gc), STORE_NOT_FOUND);
    ck_assert_ptr_null(gc);

    /* Putting a code prunes the ones that expired. */
    ck_assert_int_eq(store_oauth_code_put(conn, "old", &c, 1000), STORE_OK);
    ck_assert_int_eq(store_oauth_code_put(conn, "new", &c, 5000), STORE_OK);
    ck_assert_int_eq(store_oauth_code_take(conn, "old", &gc), STORE_NOT_FOUND);

    ck_assert_int_eq(store_hosted_session_put(conn, "sess1", &h, 1000), STORE_OK);
    ck_assert_int_eq(store_hosted_session_get(conn, "sess1", &gh), STORE_OK);
    ck_assert_str_eq(gh->pool_id, "p1");
    ck_assert_int_eq(gh->auth_time, 3);
    store_hosted_session_free(gh);
    ck_assert_int_eq(store_hosted_session_delete(conn, "sess1"), STORE_OK);
    ck_assert_int_eq(store_hosted_session_get(conn, "sess1", &gh), STORE_NOT_FOUND);
    ck_assert_int_eq(store_hosted_session_delete(conn, "sess1"), STORE_NOT_FOUND);

    ck_assert_int_eq(store_refresh_put(conn, "rt", &r), STORE_OK);
    ck_assert_int_eq(store_refresh_get(conn, "rt", &gr), STORE_OK);
    ck_assert_str_eq(gr->scope, "openid email");
    store_refresh_free(gr);

    /* Deleting the user takes its codes and sessions with it. */
    ck_assert_int_eq(store_hosted_session_put(conn, "sess2", &h, 1000), STORE_OK);
    ck_assert_int_eq(store_user_delete(conn, u.seq), STORE_OK);
    ck_assert_int_eq(store_oauth_code_take(conn, "new", &gc), STORE_NOT_FOUND);
    ck_assert_int_eq(store_hosted_session_get(conn, "sess2", &gh), STORE_NOT_FOUND);
}
END_TEST

START_TEST(test_store_oauth_documents_belong_to_their_pool)
{
    static const enum store_kind kinds[] = {STORE_USER_POOL_DOMAIN, STORE_RESOURCE_SERVER,
                                            STORE_IDENTITY_PROVIDER, STORE_UI_CUSTOMIZATION,
                                            STORE_MANAGED_LOGIN_BRANDING};
    char *doc = NULL;

    ck_assert_int_eq(store_doc_insert(conn, STORE_USER_POOL, "p1", NULL, "{}"), STORE_OK);
    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
        ck_assert_int_eq(store_doc_insert(conn, kinds[i], "p1 x", "nope", "{}"), STORE_NOT_FOUND);
        ck_assert_int_eq(store_doc_insert(conn, kinds[i], "p1 x", "p1", "{\"k\":1}"), STORE_OK);
        ck_assert_int_eq(store_doc_insert(conn, kinds[i], "p1 x", "p1", "{}"), STORE_EXISTS);
        ck_assert_int_eq(store_doc_count(conn, kinds[i], "p1"), 1);
    }
    ck_assert_int_eq(store_doc_delete(conn, STORE_USER_POOL, "p1", NULL), STORE_OK);
    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
        ck_assert_int_eq(store_doc_get(conn, kinds[i], "p1 x", NULL, &doc), STORE_NOT_FOUND);
}
END_TEST

START_TEST(test_store_signing_keys_first_writer_wins)
{
    char *kid = NULL, *pem = NULL;

    ck_assert_int_eq(store_doc_insert(conn, STORE_USER_POOL, "p1", NULL, "{}"), STORE_OK);
    ck_assert_int_eq(store_key_get(conn, "p1", "id", &kid, &pem), STORE_NOT_FOUND);
    ck_assert_int_eq(store_key_put(conn, "p1", "id", "k1", "pem1"), STORE_OK);
    ck_assert_int_eq(store_key_put(conn, "p1", "id", "k2", "pem2"), STORE_EXISTS);
    ck_assert_int_eq(store_key_get(conn, "p1", "id", &kid, &pem), STORE_OK);
    ck_assert_str_eq(kid, "k1");
    ck_assert_str_eq(pem, "pem1");
    free(kid);
    free(pem);
    ck_assert_int_eq(store_doc_delete(conn, STORE_USER_POOL, "p1", NULL), STORE_OK);
    ck_assert_int_eq(store_key_get(conn, "p1", "id", &kid, &pem), STORE_NOT_FOUND);
}
END_TEST

START_TEST(test_store_sign_out_revokes_older_access_tokens_and_maybe_refresh_tokens)
{
    struct store_user u = sample_user("alice", "s1", "{}");
    struct store_refresh r = {.pool_id = (char *)"p1",
                              .client_id = (char *)"c1",
                              .origin_jti = (char *)"o1",
                              .expires_ms = 9};
    struct store_refresh *gr = NULL;
    int revoked = -1;

    ck_assert_int_eq(store_doc_insert(conn, STORE_USER_POOL, "p1", NULL, "{}"), STORE_OK);
    ck_assert_int_eq(store_user_insert(conn, &u), STORE_OK);
    r.user_seq = u.seq;
    ck_assert_int_eq(store_refresh_put(conn, "hash1", &r), STORE_OK);
    ck_assert_int_eq(store_token_revoked(conn, u.seq, "o1", 500, &revoked), STORE_OK);
    ck_assert_int_eq(revoked, 0);

    /* A sign-out revokes access tokens issued up to its time, and keeps refresh tokens. */
    ck_assert_int_eq(store_user_sign_out(conn, u.seq, 1000, 0), STORE_OK);
    ck_assert_int_eq(store_token_revoked(conn, u.seq, "o1", 1000, &revoked), STORE_OK);
    ck_assert_int_eq(revoked, 1);
    ck_assert_int_eq(store_token_revoked(conn, u.seq, "o1", 1001, &revoked), STORE_OK);
    ck_assert_int_eq(revoked, 0);
    ck_assert_int_eq(store_refresh_get(conn, "hash1", &gr), STORE_OK);
    ck_assert_int_eq(gr->revoked, 0);
    store_refresh_free(gr);

    /* An earlier time does not move the mark back; revoke_refresh revokes the sign-in's tokens. */
    ck_assert_int_eq(store_user_sign_out(conn, u.seq, 900, 1), STORE_OK);
    ck_assert_int_eq(store_token_revoked(conn, u.seq, "o1", 1001, &revoked), STORE_OK);
    ck_assert_int_eq(revoked, 1);
    ck_assert_int_eq(store_token_revoked(conn, u.seq, "o2", 1001, &revoked), STORE_OK);
    ck_assert_int_eq(revoked, 0);
    ck_assert_int_eq(store_refresh_get(conn, "hash1", &gr), STORE_OK);
    ck_assert_int_eq(gr->revoked, 1);
    store_refresh_free(gr);
    ck_assert_int_eq(store_user_sign_out(conn, u.seq + 1, 1000, 0), STORE_NOT_FOUND);
}
END_TEST

START_TEST(test_store_lockouts_and_pending_values_go_with_their_user)
{
    struct store_user u = sample_user("alice", "s1", "{}");
    struct store_lockout l = {.failures = 3, .last_failure_ms = 10, .locked_until_ms = 20};
    struct store_lockout got;
    char *value = NULL;

    ck_assert_int_eq(store_doc_insert(conn, STORE_USER_POOL, "p1", NULL, "{}"), STORE_OK);
    ck_assert_int_eq(store_user_insert(conn, &u), STORE_OK);

    ck_assert_int_eq(store_lockout_get(conn, u.seq, &got), STORE_OK);
    ck_assert_int_eq(got.failures, 0);
    ck_assert_int_eq(store_lockout_put(conn, u.seq, &l), STORE_OK);
    l.failures = 4;
    ck_assert_int_eq(store_lockout_put(conn, u.seq, &l), STORE_OK);
    ck_assert_int_eq(store_lockout_get(conn, u.seq, &got), STORE_OK);
    ck_assert_int_eq(got.failures, 4);
    ck_assert_int_eq(got.last_failure_ms, 10);
    ck_assert_int_eq(got.locked_until_ms, 20);
    ck_assert_int_eq(store_lockout_clear(conn, u.seq), STORE_OK);
    ck_assert_int_eq(store_lockout_clear(conn, u.seq), STORE_OK);
    ck_assert_int_eq(store_lockout_get(conn, u.seq, &got), STORE_OK);
    ck_assert_int_eq(got.failures, 0);
    ck_assert_int_eq(store_lockout_put(conn, u.seq + 1, &l), STORE_NOT_FOUND);

    ck_assert_int_eq(store_pending_get(conn, u.seq, "email", &value), STORE_NOT_FOUND);
    ck_assert_int_eq(store_pending_put(conn, u.seq, "email", "new@example.com"), STORE_OK);
    ck_assert_int_eq(store_pending_put(conn, u.seq, "email", "newer@example.com"), STORE_OK);
    ck_assert_int_eq(store_pending_get(conn, u.seq, "email", &value), STORE_OK);
    ck_assert_str_eq(value, "newer@example.com");
    free(value);
    ck_assert_int_eq(store_pending_delete(conn, u.seq, "email"), STORE_OK);
    ck_assert_int_eq(store_pending_delete(conn, u.seq, "email"), STORE_OK);
    ck_assert_int_eq(store_pending_get(conn, u.seq, "email", &value), STORE_NOT_FOUND);

    /* Deleting the user takes both with it. */
    ck_assert_int_eq(store_lockout_put(conn, u.seq, &l), STORE_OK);
    ck_assert_int_eq(store_pending_put(conn, u.seq, "email", "new@example.com"), STORE_OK);
    ck_assert_int_eq(store_user_delete(conn, u.seq), STORE_OK);
    ck_assert_int_eq(store_lockout_get(conn, u.seq, &got), STORE_OK);
    ck_assert_int_eq(got.failures, 0);
    ck_assert_int_eq(store_pending_get(conn, u.seq, "email", &value), STORE_NOT_FOUND);
}
END_TEST

START_TEST(test_store_user_set_identity_fixes_sub_and_username)
{
    struct store_user u = sample_user("alice", "s1", "{}");
    struct store_user v = sample_user("carol", "s2", "{}");
    struct store_user *got = NULL;

    ck_assert_int_eq(store_doc_insert(conn, STORE_USER_POOL, "p1", NULL, "{}"), STORE_OK);
    ck_assert_int_eq(store_user_insert(conn, &u), STORE_OK);
    ck_assert_int_eq(store_user_insert(conn, &v), STORE_OK);
    ck_assert_int_eq(store_user_set_identity(conn, u.seq, "fixed", "Bob", "bob"), STORE_OK);
    ck_assert_int_eq(store_user_get_by_sub(conn, "p1", "fixed", &got), STORE_OK);
    ck_assert_str_eq(got->username, "Bob");
    ck_assert_str_eq(got->username_key, "bob");
    ck_assert_str_eq(got->attributes, "{\"sub\":\"fixed\"}");
    store_user_free(got);
    ck_assert_int_eq(store_user_set_identity(conn, v.seq, "fixed", "carol", "carol"), STORE_EXISTS);
    ck_assert_int_eq(store_user_set_identity(conn, v.seq + 1, "s3", "dave", "dave"),
                     STORE_NOT_FOUND);
}
END_TEST

START_TEST(test_store_identity_key_first_writer_wins)
{
    char *kid = NULL, *pem = NULL;

    ck_assert_int_eq(store_identity_key_get(conn, "openid", &kid, &pem), STORE_NOT_FOUND);
    ck_assert_ptr_null(kid);
    ck_assert_int_eq(store_identity_key_put(conn, "openid", "k1", "pem1"), STORE_OK);
    ck_assert_int_eq(store_identity_key_put(conn, "openid", "k2", "pem2"), STORE_EXISTS);
    ck_assert_int_eq(store_identity_key_get(conn, "openid", &kid, &pem), STORE_OK);
    ck_assert_str_eq(kid, "k1");
    ck_assert_str_eq(pem, "pem1");
    free(kid);
    free(pem);
}
END_TEST

struct writer {
    struct store *st;
    int index;
    int ok;
};

static void *write_many(void *arg)
{
    struct writer *w = arg;
    char id[32];

    for (int i = 0; i < 50; i++) {
        struct store_conn *c = store_acquire(w->st);
        snprintf(id, sizeof(id), "w%d-%d", w->index, i);
        if (store_begin(c) == STORE_OK &&
            store_doc_insert(c, STORE_IDENTITY_POOL, id, NULL, "{}") == STORE_OK &&
            store_commit(c) == STORE_OK)
            w->ok++;
        store_release(w->st, c);
    }
    return NULL;
}

START_TEST(test_store_concurrent_writers_all_land)
{
    char path[256];
    struct store *fs;
    pthread_t threads[8];
    struct writer w[8];
    struct store_conn *c;

    temp_db(path, sizeof(path));
    ck_assert_int_eq(store_open(path, 4, &fs), STORE_OK);
    for (int i = 0; i < 8; i++) {
        w[i] = (struct writer){fs, i, 0};
        pthread_create(&threads[i], NULL, write_many, &w[i]);
    }
    for (int i = 0; i < 8; i++) {
        pthread_join(threads[i], NULL);
        ck_assert_int_eq(w[i].ok, 50);
    }
    c = store_acquire(fs);
    ck_assert_int_eq(store_doc_count(c, STORE_IDENTITY_POOL, NULL), 400);
    store_release(fs, c);
    store_close(fs);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("store");
    TCase *tc = tcase_create("store");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, test_store_statement_cache_holds_every_statement);
    tcase_add_test(tc, test_store_insert_get_replace_delete);
    tcase_add_test(tc, test_store_duplicate_id_is_exists);
    tcase_add_test(tc, test_store_child_needs_parent_and_is_scoped_to_it);
    tcase_add_test(tc, test_store_deleting_a_pool_deletes_its_clients);
    tcase_add_test(tc, test_store_list_pages_through_everything_once_in_order);
    tcase_add_test(tc, test_store_list_exact_multiple_has_no_empty_last_page);
    tcase_add_test(tc, test_store_list_refuses_foreign_tokens);
    tcase_add_test(tc, test_store_rollback_undoes_and_commit_keeps);
    tcase_add_test(tc, test_store_release_rolls_back_an_open_transaction);
    tcase_add_test(tc, test_store_memory_databases_are_private_but_shared_by_connections);
    tcase_add_test(tc, test_store_file_database_survives_reopen);
    tcase_add_test(tc, test_store_migrates_an_empty_database_and_refuses_a_newer_one);
    tcase_add_test(tc, test_store_unwritable_path_fails_cleanly);
    tcase_add_test(tc, test_store_concurrent_writers_all_land);
    tcase_add_test(tc, test_store_users_insert_get_update_delete);
    tcase_add_test(tc, test_store_users_are_unique_by_key_and_sub_within_a_pool);
    tcase_add_test(tc, test_store_aliases_belong_to_one_user);
    tcase_add_test(tc, test_store_user_list_filters_and_pages);
    tcase_add_test(tc, test_store_codes_sessions_and_refresh_tokens);
    tcase_add_test(tc, test_store_oauth_codes_are_single_use_and_sessions_go_with_their_user);
    tcase_add_test(tc, test_store_oauth_documents_belong_to_their_pool);
    tcase_add_test(tc, test_store_signing_keys_first_writer_wins);
    tcase_add_test(tc, test_store_sign_out_revokes_older_access_tokens_and_maybe_refresh_tokens);
    tcase_add_test(tc, test_store_lockouts_and_pending_values_go_with_their_user);
    tcase_add_test(tc, test_store_user_set_identity_fixes_sub_and_username);
    tcase_add_test(tc, test_store_identity_key_first_writer_wins);
    suite_add_tcase(s, tc);
    return s;
}
