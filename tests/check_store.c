/*
 * check_store: the document store against fresh databases: CRUD, parents and cascades,
 * pagination, transactions, migrations and concurrent writers on a file database.
 */
#include "config.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store.h"
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
    suite_add_tcase(s, tc);
    return s;
}
