/*
 * check_keys: the pools' signing keys (made once, kept in the store across restarts, cached
 * safely across threads), their JWKS, cognito-identity's OpenID token key (one for every
 * pool, kept in the store, its cache never stale), and the two documents the server publishes
 * per pool:
 * /<poolId>/.well-known/jwks.json and /<poolId>/.well-known/openid-configuration, fetched
 * over HTTP from the server started in-process.
 */
#include "config.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/x509.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crypto/jwt.h"
#include "crypto/keys.h"
#include "server.h"
#include "store/store.h"
#include "testutil.h"

/* ---- helpers ------------------------------------------------------------------------------ */

/* An environment like tu_env_init()'s, on database db with nconns connections. */
static void env_open(struct tu_env *env, const char *db, int nconns)
{
    char *argv[] = {(char *)"cognito-emu", (char *)"--db", (char *)db, NULL};

    memset(env, 0, sizeof(*env));
    ck_assert_int_eq(settings_parse(&env->settings, 3, argv), SETTINGS_RUN);
    ck_assert_int_eq(store_open(env->settings.db_path, nconns, &env->store), STORE_OK);
    env->app.settings = &env->settings;
    env->app.store = env->store;
}

static char *new_pool(struct tu_env *env)
{
    return tu_create_user_pool(env, "{\"PoolName\":\"keys\"}");
}

/* keys_get that must succeed. */
static struct signing_key get_key(struct store_conn *conn, const char *pool, enum key_use use)
{
    struct signing_key key;

    ck_assert_int_eq(keys_get(conn, pool, use, &key), 0);
    ck_assert_ptr_nonnull(key.pkey);
    return key;
}

/*
 * What a jwt lookup needs to find a pool's key through keys_find, as tokens.c does: the
 * lookup keeps the reference keys_find returns, its caller frees it after verifying.
 */
struct finder {
    struct store_conn *conn;
    const char *pool;
    EVP_PKEY *key;
};

static EVP_PKEY *find_key(void *arg, const char *kid)
{
    struct finder *f = arg;

    EVP_PKEY_free(f->key);
    f->key = keys_find(f->conn, f->pool, kid);
    return f->key;
}

static char *sign_sample(const struct signing_key *key)
{
    cJSON *claims = cJSON_Parse("{\"sub\":\"s\",\"token_use\":\"access\"}");
    char *token = jwt_sign_rs256(claims, key->kid, key->pkey);

    cJSON_Delete(claims);
    ck_assert_ptr_nonnull(token);
    return token;
}

static enum jwt_status verify_with(struct store_conn *conn, const char *pool, const char *token)
{
    struct finder f = {conn, pool, NULL};
    cJSON *claims = NULL;
    enum jwt_status st = jwt_verify_rs256(token, find_key, &f, &claims);

    EVP_PKEY_free(f.key);
    cJSON_Delete(claims);
    return st;
}

/* The public key a JWK describes (from n and e alone), as a verifier builds it. */
static EVP_PKEY *key_from_jwk(const cJSON *jwk)
{
    size_t nlen, elen;
    unsigned char *n = jwt_b64url_decode(tu_str(jwk, "n"), strlen(tu_str(jwk, "n")), &nlen);
    unsigned char *e = jwt_b64url_decode(tu_str(jwk, "e"), strlen(tu_str(jwk, "e")), &elen);
    BIGNUM *bn_n = BN_bin2bn(n, (int)nlen, NULL), *bn_e = BN_bin2bn(e, (int)elen, NULL);
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    OSSL_PARAM *params;
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
    EVP_PKEY *pkey = NULL;

    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn_n);
    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, bn_e);
    params = OSSL_PARAM_BLD_to_param(bld);
    ck_assert_int_eq(EVP_PKEY_fromdata_init(ctx), 1);
    ck_assert_int_eq(EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params), 1);
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    EVP_PKEY_CTX_free(ctx);
    BN_free(bn_n);
    BN_free(bn_e);
    free(n);
    free(e);
    return pkey;
}

/* A lookup over one JWK; the key it builds is kept in *key for the caller to free. */
struct jwk_finder {
    const cJSON *jwk;
    EVP_PKEY *key;
};

static EVP_PKEY *jwk_lookup(void *arg, const char *kid)
{
    struct jwk_finder *f = arg;

    if (f->key == NULL && strcmp(kid, tu_str(f->jwk, "kid")) == 0)
        f->key = key_from_jwk(f->jwk);
    return f->key;
}

/* Verify token with the key the JWK describes. */
static enum jwt_status verify_with_jwk(const char *token, const cJSON *jwk)
{
    struct jwk_finder f = {jwk, NULL};
    cJSON *claims = NULL;
    enum jwt_status st = jwt_verify_rs256(token, jwk_lookup, &f, &claims);

    EVP_PKEY_free(f.key);
    cJSON_Delete(claims);
    return st;
}

/* ---- keys --------------------------------------------------------------------------------- */

START_TEST(test_keys_same_pool_gives_the_same_key_twice)
{
    struct store_conn *conn = store_acquire(tu_fixture.store);
    char *pool = new_pool(&tu_fixture);
    struct signing_key a = get_key(conn, pool, KEY_USE_ID);
    struct signing_key b = get_key(conn, pool, KEY_USE_ID);

    ck_assert_str_eq(a.kid, b.kid);
    /* Cached: the same parsed key, no PEM parsed per sign-in. */
    ck_assert_ptr_eq(a.pkey, b.pkey);
    ck_assert_int_eq(EVP_PKEY_get_bits(a.pkey), 2048);
    EVP_PKEY_free(a.pkey);
    EVP_PKEY_free(b.pkey);
    store_release(tu_fixture.store, conn);
    free(pool);
}
END_TEST

START_TEST(test_keys_id_and_access_keys_differ)
{
    struct store_conn *conn = store_acquire(tu_fixture.store);
    char *pool = new_pool(&tu_fixture);
    struct signing_key id = get_key(conn, pool, KEY_USE_ID);
    struct signing_key access = get_key(conn, pool, KEY_USE_ACCESS);

    ck_assert_str_ne(id.kid, access.kid);
    ck_assert_int_ne(EVP_PKEY_eq(id.pkey, access.pkey), 1);
    EVP_PKEY_free(id.pkey);
    EVP_PKEY_free(access.pkey);
    store_release(tu_fixture.store, conn);
    free(pool);
}
END_TEST

START_TEST(test_keys_two_pools_have_different_keys)
{
    struct store_conn *conn = store_acquire(tu_fixture.store);
    char *p1 = new_pool(&tu_fixture), *p2 = new_pool(&tu_fixture);
    struct signing_key a = get_key(conn, p1, KEY_USE_ID);
    struct signing_key b = get_key(conn, p2, KEY_USE_ID);

    ck_assert_str_ne(a.kid, b.kid);
    EVP_PKEY_free(a.pkey);
    EVP_PKEY_free(b.pkey);
    store_release(tu_fixture.store, conn);
    free(p1);
    free(p2);
}
END_TEST

START_TEST(test_keys_kid_is_base64_of_the_public_key_hash)
{
    struct store_conn *conn = store_acquire(tu_fixture.store);
    char *pool = new_pool(&tu_fixture);
    struct signing_key key = get_key(conn, pool, KEY_USE_ACCESS);
    unsigned char *der = NULL, digest[32], expected[64];
    unsigned int dlen;
    int len = i2d_PUBKEY(key.pkey, &der);

    /* Cognito's kids look like "fUyIG0h6R5HFGfHDV8uebcRXldQ09dCZXbFKf6zy1rs=". */
    tu_assert_matches(key.kid, "^[A-Za-z0-9+/]{43}=$");
    ck_assert_int_eq(EVP_Digest(der, (size_t)len, digest, &dlen, EVP_sha256(), NULL), 1);
    EVP_EncodeBlock(expected, digest, 32);
    ck_assert_str_eq(key.kid, (char *)expected);
    OPENSSL_free(der);
    EVP_PKEY_free(key.pkey);
    store_release(tu_fixture.store, conn);
    free(pool);
}
END_TEST

START_TEST(test_keys_unknown_pool_has_no_keys)
{
    struct store_conn *conn = store_acquire(tu_fixture.store);
    struct signing_key key;
    char *kid = NULL, *pem = NULL;

    ck_assert_int_eq(keys_get(conn, "us-east-1_nothere00", KEY_USE_ID, &key), -1);
    ck_assert_ptr_null(key.pkey);
    ck_assert_ptr_null(keys_jwks(conn, "us-east-1_nothere00"));
    ck_assert_ptr_null(keys_find(conn, "us-east-1_nothere00", "abc="));
    ck_assert_int_eq(store_key_get(conn, "us-east-1_nothere00", "id", &kid, &pem), STORE_NOT_FOUND);
    store_release(tu_fixture.store, conn);
}
END_TEST

START_TEST(test_keys_find_does_not_make_keys)
{
    struct store_conn *conn = store_acquire(tu_fixture.store);
    char *pool = new_pool(&tu_fixture), *kid = NULL, *pem = NULL;

    ck_assert_ptr_null(keys_find(conn, pool, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="));
    ck_assert_ptr_null(keys_find(conn, pool, ""));
    ck_assert_ptr_null(keys_find(conn, pool, NULL));
    ck_assert_int_eq(store_key_get(conn, pool, "id", &kid, &pem), STORE_NOT_FOUND);
    ck_assert_int_eq(store_key_get(conn, pool, "access", &kid, &pem), STORE_NOT_FOUND);
    store_release(tu_fixture.store, conn);
    free(pool);
}
END_TEST

START_TEST(test_keys_find_verifies_tokens_signed_with_get)
{
    struct store_conn *conn = store_acquire(tu_fixture.store);
    char *pool = new_pool(&tu_fixture), *other = new_pool(&tu_fixture);
    struct signing_key id = get_key(conn, pool, KEY_USE_ID);
    struct signing_key access = get_key(conn, pool, KEY_USE_ACCESS);
    char *id_token = sign_sample(&id), *access_token = sign_sample(&access);

    ck_assert_int_eq(verify_with(conn, pool, id_token), JWT_OK);
    ck_assert_int_eq(verify_with(conn, pool, access_token), JWT_OK);
    /* Another pool's kids are unknown to this pool (it has none yet). */
    ck_assert_int_eq(verify_with(conn, other, access_token), JWT_UNKNOWN_KEY);
    /* From the store alone, after the cache is gone. */
    keys_cache_clear();
    ck_assert_int_eq(verify_with(conn, pool, id_token), JWT_OK);
    keys_forget(pool);
    ck_assert_int_eq(verify_with(conn, pool, access_token), JWT_OK);
    ck_assert_int_eq(verify_with(conn, pool, id_token), JWT_OK);

    free(id_token);
    free(access_token);
    EVP_PKEY_free(id.pkey);
    EVP_PKEY_free(access.pkey);
    store_release(tu_fixture.store, conn);
    free(pool);
    free(other);
}
END_TEST

START_TEST(test_keys_forget_drops_only_that_pool)
{
    struct store_conn *conn = store_acquire(tu_fixture.store);
    char *p1 = new_pool(&tu_fixture), *p2 = new_pool(&tu_fixture);
    struct signing_key a1 = get_key(conn, p1, KEY_USE_ID), b1 = get_key(conn, p2, KEY_USE_ID);
    struct signing_key a2, b2;

    keys_forget(p1);
    a2 = get_key(conn, p1, KEY_USE_ID);
    b2 = get_key(conn, p2, KEY_USE_ID);
    /* p1's key is read back from the store (a new object, the same key); p2's stayed cached. */
    ck_assert_ptr_ne(a1.pkey, a2.pkey);
    ck_assert_str_eq(a1.kid, a2.kid);
    ck_assert_int_eq(EVP_PKEY_eq(a1.pkey, a2.pkey), 1);
    ck_assert_ptr_eq(b1.pkey, b2.pkey);
    /* The reference a caller holds outlives the forgetting. */
    char *token = sign_sample(&a1);
    ck_assert_int_eq(verify_with(conn, p1, token), JWT_OK);
    keys_forget("us-east-1_neverseen");
    keys_forget(NULL);

    free(token);
    EVP_PKEY_free(a1.pkey);
    EVP_PKEY_free(a2.pkey);
    EVP_PKEY_free(b1.pkey);
    EVP_PKEY_free(b2.pkey);
    store_release(tu_fixture.store, conn);
    free(p1);
    free(p2);
}
END_TEST

START_TEST(test_keys_survive_reopening_the_database)
{
    char dir[] = "/tmp/check_keys.XXXXXX", path[128], wal[160];
    struct tu_env env;
    struct store_conn *conn;
    struct signing_key id, access, id2, access2;
    char *pool, *token;

    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/cognito-emu.db", dir);
    env_open(&env, path, 2);
    pool = new_pool(&env);
    conn = store_acquire(env.store);
    id = get_key(conn, pool, KEY_USE_ID);
    access = get_key(conn, pool, KEY_USE_ACCESS);
    token = sign_sample(&access);
    store_release(env.store, conn);
    tu_env_free(&env);
    keys_cache_clear();

    env_open(&env, path, 2);
    conn = store_acquire(env.store);
    ck_assert_int_eq(verify_with(conn, pool, token), JWT_OK); /* keys_find, from the file */
    keys_cache_clear();
    id2 = get_key(conn, pool, KEY_USE_ID);
    access2 = get_key(conn, pool, KEY_USE_ACCESS);
    ck_assert_str_eq(id.kid, id2.kid);
    ck_assert_str_eq(access.kid, access2.kid);
    ck_assert_int_eq(EVP_PKEY_eq(access.pkey, access2.pkey), 1);
    store_release(env.store, conn);
    tu_env_free(&env);

    free(token);
    EVP_PKEY_free(id.pkey);
    EVP_PKEY_free(access.pkey);
    EVP_PKEY_free(id2.pkey);
    EVP_PKEY_free(access2.pkey);
    free(pool);
    unlink(path);
    snprintf(wal, sizeof(wal), "%s-wal", path);
    unlink(wal);
    snprintf(wal, sizeof(wal), "%s-shm", path);
    unlink(wal);
    rmdir(dir);
}
END_TEST

START_TEST(test_keys_jwks_lists_both_public_keys)
{
    static const char *const members[] = {"alg", "e", "kid", "kty", "n", "use"};
    struct store_conn *conn = store_acquire(tu_fixture.store);
    char *pool = new_pool(&tu_fixture);
    cJSON *jwks = keys_jwks(conn, pool), *again = keys_jwks(conn, pool);
    const cJSON *list = tu_get(jwks, "keys"), *jwk;
    struct signing_key id = get_key(conn, pool, KEY_USE_ID);
    struct signing_key access = get_key(conn, pool, KEY_USE_ACCESS);
    int i = 0;

    ck_assert(cJSON_IsArray(list));
    ck_assert_int_eq(cJSON_GetArraySize(list), 2);
    ck_assert(cJSON_Compare(jwks, again, 1));
    cJSON_ArrayForEach(jwk, list)
    {
        const cJSON *m = jwk->child;
        size_t nlen;
        /* Exactly Cognito's members, in its order, and nothing private (d, p, q, ...). */
        for (size_t k = 0; k < 6; k++, m = m->next) {
            ck_assert_ptr_nonnull(m);
            ck_assert_str_eq(m->string, members[k]);
            ck_assert(cJSON_IsString(m));
        }
        ck_assert_ptr_null(m);
        ck_assert_str_eq(tu_str(jwk, "alg"), "RS256");
        ck_assert_str_eq(tu_str(jwk, "kty"), "RSA");
        ck_assert_str_eq(tu_str(jwk, "use"), "sig");
        ck_assert_str_eq(tu_str(jwk, "e"), "AQAB");
        ck_assert_str_eq(tu_str(jwk, "kid"), i == 0 ? id.kid : access.kid);
        tu_assert_matches(tu_str(jwk, "n"), "^[A-Za-z0-9_-]+$");
        unsigned char *n = jwt_b64url_decode(tu_str(jwk, "n"), strlen(tu_str(jwk, "n")), &nlen);
        ck_assert_uint_eq(nlen, 256);
        ck_assert_uint_ge(n[0], 0x80); /* no leading zero byte */
        free(n);
        i++;
    }

    cJSON_Delete(jwks);
    cJSON_Delete(again);
    EVP_PKEY_free(id.pkey);
    EVP_PKEY_free(access.pkey);
    store_release(tu_fixture.store, conn);
    free(pool);
}
END_TEST

START_TEST(test_keys_jwks_verifies_the_pools_tokens)
{
    struct store_conn *conn = store_acquire(tu_fixture.store);
    char *pool = new_pool(&tu_fixture);
    cJSON *jwks = keys_jwks(conn, pool);
    cJSON *id_jwk = cJSON_GetArrayItem(tu_get(jwks, "keys"), 0);
    cJSON *access_jwk = cJSON_GetArrayItem(tu_get(jwks, "keys"), 1);
    struct signing_key access = get_key(conn, pool, KEY_USE_ACCESS);
    char *token = sign_sample(&access);

    /* What a verifier does: the key rebuilt from the JWK's n and e checks the signature. */
    ck_assert_int_eq(verify_with_jwk(token, access_jwk), JWT_OK);
    ck_assert_int_eq(verify_with_jwk(token, id_jwk), JWT_UNKNOWN_KEY);

    free(token);
    EVP_PKEY_free(access.pkey);
    cJSON_Delete(jwks);
    store_release(tu_fixture.store, conn);
    free(pool);
}
END_TEST

/* ---- cognito-identity's key -------------------------------------------------------------- */

START_TEST(test_keys_identity_key_is_made_once_and_kept)
{
    struct store_conn *conn = store_acquire(tu_fixture.store);
    struct signing_key a, b;
    char *stored_kid = NULL, *pem = NULL;

    ck_assert_int_eq(store_identity_key_get(conn, "cognito-identity", &stored_kid, &pem),
                     STORE_NOT_FOUND);
    ck_assert_int_eq(keys_identity_get(conn, &a), 0);
    ck_assert_int_eq(store_identity_key_get(conn, "cognito-identity", &stored_kid, &pem), STORE_OK);
    ck_assert_str_eq(stored_kid, a.kid);
    keys_cache_clear(); /* read back from the store: the same key */
    ck_assert_int_eq(keys_identity_get(conn, &b), 0);
    ck_assert_str_eq(a.kid, b.kid);
    ck_assert_int_eq(EVP_PKEY_eq(a.pkey, b.pkey), 1);
    free(stored_kid);
    free(pem);
    EVP_PKEY_free(a.pkey);
    EVP_PKEY_free(b.pkey);
    store_release(tu_fixture.store, conn);
}
END_TEST

START_TEST(test_keys_identity_find_knows_only_its_kid)
{
    struct store_conn *conn = store_acquire(tu_fixture.store);
    char *pool = new_pool(&tu_fixture);
    struct signing_key key, pool_key = get_key(conn, pool, KEY_USE_ID);
    EVP_PKEY *found;

    ck_assert_int_eq(keys_identity_get(conn, &key), 0);
    found = keys_identity_find(conn, key.kid);
    ck_assert_ptr_nonnull(found);
    ck_assert_int_eq(EVP_PKEY_eq(found, key.pkey), 1);
    EVP_PKEY_free(found);
    ck_assert_str_ne(key.kid, pool_key.kid);
    ck_assert_ptr_null(keys_identity_find(conn, pool_key.kid)); /* a user pool's key */
    ck_assert_ptr_null(keys_identity_find(conn, "nope"));
    ck_assert_ptr_null(keys_identity_find(conn, NULL));
    EVP_PKEY_free(key.pkey);
    EVP_PKEY_free(pool_key.pkey);
    free(pool);
    store_release(tu_fixture.store, conn);
}
END_TEST

START_TEST(test_keys_identity_jwks_verifies_its_tokens)
{
    struct store_conn *conn = store_acquire(tu_fixture.store);
    struct signing_key key;
    cJSON *jwks = keys_identity_jwks(conn);
    const cJSON *jwk = cJSON_GetArrayItem(tu_get(jwks, "keys"), 0);
    char *token;

    ck_assert_ptr_nonnull(jwks);
    ck_assert_int_eq(cJSON_GetArraySize(tu_get(jwks, "keys")), 1);
    ck_assert_int_eq(keys_identity_get(conn, &key), 0);
    ck_assert_str_eq(tu_str(jwk, "kid"), key.kid);
    ck_assert_str_eq(tu_str(jwk, "alg"), "RS256");
    ck_assert_str_eq(tu_str(jwk, "use"), "sig");
    token = sign_sample(&key);
    ck_assert_int_eq(verify_with_jwk(token, jwk), JWT_OK);
    free(token);
    EVP_PKEY_free(key.pkey);
    cJSON_Delete(jwks);
    store_release(tu_fixture.store, conn);
}
END_TEST

/* Another store (a reset, the next test) has its own key; the cache never hands out the old. */
START_TEST(test_keys_identity_cache_follows_the_store)
{
    struct tu_env other;
    struct store_conn *conn = store_acquire(tu_fixture.store), *conn2;
    struct signing_key a, b;

    ck_assert_int_eq(keys_identity_get(conn, &a), 0);
    env_open(&other, ":memory:", 2);
    conn2 = store_acquire(other.store);
    ck_assert_int_eq(keys_identity_get(conn2, &b), 0); /* no keys_cache_clear in between */
    ck_assert_str_ne(a.kid, b.kid);
    ck_assert_ptr_null(keys_identity_find(conn2, a.kid));
    EVP_PKEY_free(a.pkey);
    EVP_PKEY_free(b.pkey);
    store_release(other.store, conn2);
    store_close(other.store);
    store_release(tu_fixture.store, conn);
}
END_TEST

/* ---- concurrency -------------------------------------------------------------------------- */

struct racer {
    struct store *store;
    const char *pool;
    pthread_barrier_t *start;
    char kid[KEYS_KID_MAX];
    int rc;
};

static void *race_first_use(void *arg)
{
    struct racer *r = arg;
    struct store_conn *conn = store_acquire(r->store);
    struct signing_key key;

    pthread_barrier_wait(r->start);
    r->rc = keys_get(conn, r->pool, KEY_USE_ID, &key);
    if (r->rc == 0) {
        memcpy(r->kid, key.kid, sizeof(r->kid));
        EVP_PKEY_free(key.pkey);
    }
    store_release(r->store, conn);
    return NULL;
}

START_TEST(test_keys_concurrent_first_use_makes_one_key)
{
    enum { N = 8 };
    struct tu_env env;
    struct racer racers[N];
    pthread_t threads[N];
    pthread_barrier_t start;
    struct store_conn *conn;
    char *pool, *kid = NULL, *pem = NULL;

    env_open(&env, ":memory:", N + 1); /* a connection per thread: a real race */
    pool = new_pool(&env);
    pthread_barrier_init(&start, NULL, N);
    for (int i = 0; i < N; i++) {
        racers[i] = (struct racer){.store = env.store, .pool = pool, .start = &start};
        ck_assert_int_eq(pthread_create(&threads[i], NULL, race_first_use, &racers[i]), 0);
    }
    for (int i = 0; i < N; i++)
        pthread_join(threads[i], NULL);
    conn = store_acquire(env.store);
    ck_assert_int_eq(store_key_get(conn, pool, "id", &kid, &pem), STORE_OK);
    for (int i = 0; i < N; i++) {
        ck_assert_int_eq(racers[i].rc, 0);
        ck_assert_str_eq(racers[i].kid, kid); /* everyone got the one stored key */
    }
    store_release(env.store, conn);
    pthread_barrier_destroy(&start);
    free(kid);
    free(pem);
    free(pool);
    tu_env_free(&env);
}
END_TEST

struct churner {
    struct store *store;
    const char *pool;
    int failures;
};

static void *sign_and_verify_loop(void *arg)
{
    struct churner *c = arg;
    struct store_conn *conn = store_acquire(c->store);

    for (int i = 0; i < 150; i++) {
        struct signing_key key;
        if (keys_get(conn, c->pool, i % 2 ? KEY_USE_ID : KEY_USE_ACCESS, &key) != 0) {
            c->failures++;
            continue;
        }
        cJSON *claims = cJSON_Parse("{\"n\":1}");
        char *token = jwt_sign_rs256(claims, key.kid, key.pkey);
        if (token == NULL || verify_with(conn, c->pool, token) != JWT_OK)
            c->failures++;
        cJSON_Delete(claims);
        free(token);
        EVP_PKEY_free(key.pkey);
    }
    store_release(c->store, conn);
    return NULL;
}

START_TEST(test_keys_cache_is_safe_while_entries_are_dropped)
{
    enum { N = 4 };
    struct tu_env env;
    struct churner churners[N];
    pthread_t threads[N];
    char *pool;

    env_open(&env, ":memory:", N + 1);
    pool = new_pool(&env);
    for (int i = 0; i < N; i++) {
        churners[i] = (struct churner){.store = env.store, .pool = pool};
        ck_assert_int_eq(pthread_create(&threads[i], NULL, sign_and_verify_loop, &churners[i]), 0);
    }
    for (int i = 0; i < 300; i++) {
        if (i % 3 == 0)
            keys_cache_clear();
        else
            keys_forget(pool);
        usleep(500);
    }
    for (int i = 0; i < N; i++) {
        pthread_join(threads[i], NULL);
        ck_assert_int_eq(churners[i].failures, 0);
    }
    free(pool);
    tu_env_free(&env);
}
END_TEST

/* ---- routes ------------------------------------------------------------------------------- */

static struct settings srv_settings;
static struct server *srv;
static char base[64]; /* http://127.0.0.1:<port> */

static void start_server(const char *db, const char *issuer)
{
    char *argv[] = {(char *)"cognito-emu", (char *)"--db",        (char *)db,
                    (char *)"--port",      (char *)"0",           (char *)"--threads",
                    (char *)"2",           (char *)"--log-level", (char *)"error",
                    (char *)"--issuer",    (char *)issuer,        NULL};

    ck_assert_int_eq(settings_parse(&srv_settings, 11, argv), SETTINGS_RUN);
    ck_assert_int_eq(server_start(&srv_settings, &srv), 0);
    snprintf(base, sizeof(base), "http://127.0.0.1:%d", server_port(srv));
}

static void server_setup(void)
{
    start_server(":memory:", "local");
}

static void server_teardown(void)
{
    server_stop(srv);
    srv = NULL;
}

static void http_pool(char *id, size_t n)
{
    struct tu_http r;
    char url[96];

    snprintf(url, sizeof(url), "%s/", base);
    tu_http_aws(url, IDP "CreateUserPool", "{\"PoolName\":\"routes\"}", &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    cJSON *json = cJSON_Parse(r.body);
    snprintf(id, n, "%s", tu_str(tu_get(json, "UserPool"), "Id"));
    cJSON_Delete(json);
    tu_http_free(&r);
}

/* GET base + path; the body must be a JSON object, returned (cJSON_Delete). */
static cJSON *get_json(const char *path, long status, struct tu_http *r)
{
    char url[512];
    cJSON *json;

    snprintf(url, sizeof(url), "%s%s", base, path);
    tu_http_request("GET", url, NULL, NULL, 0, r);
    ck_assert_msg(r->status == status, "GET %s: %ld %s", path, r->status, r->body);
    json = cJSON_Parse(r->body);
    ck_assert_msg(cJSON_IsObject(json), "GET %s: not a JSON object: %s", path, r->body);
    return json;
}

START_TEST(test_keys_route_jwks_serves_two_keys)
{
    char pool[96], path[160], buf[128];
    struct tu_http r, r2;
    cJSON *jwks, *again;

    http_pool(pool, sizeof(pool));
    snprintf(path, sizeof(path), "/%s/.well-known/jwks.json", pool);
    jwks = get_json(path, 200, &r);
    ck_assert_str_eq(tu_http_header(&r, "Content-Type", buf, sizeof(buf)), "application/json");
    ck_assert_ptr_nonnull(tu_http_header(&r, "Access-Control-Allow-Origin", buf, sizeof(buf)));
    const cJSON *list = tu_get(jwks, "keys");
    ck_assert_int_eq(cJSON_GetArraySize(list), 2);
    ck_assert_str_ne(tu_str(cJSON_GetArrayItem(list, 0), "kid"),
                     tu_str(cJSON_GetArrayItem(list, 1), "kid"));
    ck_assert_str_eq(tu_str(cJSON_GetArrayItem(list, 0), "kty"), "RSA");
    ck_assert_str_eq(tu_str(cJSON_GetArrayItem(list, 1), "e"), "AQAB");
    again = get_json(path, 200, &r2);
    ck_assert(cJSON_Compare(jwks, again, 1));

    cJSON_Delete(jwks);
    cJSON_Delete(again);
    tu_http_free(&r);
    tu_http_free(&r2);
}
END_TEST

START_TEST(test_keys_route_openid_configuration_names_issuer_and_jwks)
{
    char pool[96], path[160], expected[256];
    struct tu_http r;
    cJSON *doc;

    http_pool(pool, sizeof(pool));
    snprintf(path, sizeof(path), "/%s/.well-known/openid-configuration", pool);
    doc = get_json(path, 200, &r);
    snprintf(expected, sizeof(expected), "http://localhost:%d/%s", server_port(srv), pool);
    ck_assert_str_eq(tu_str(doc, "issuer"), expected);
    snprintf(expected, sizeof(expected), "http://localhost:%d/%s/.well-known/jwks.json",
             server_port(srv), pool);
    ck_assert_str_eq(tu_str(doc, "jwks_uri"), expected);
    ck_assert_str_eq(
        cJSON_GetArrayItem(tu_get(doc, "id_token_signing_alg_values_supported"), 0)->valuestring,
        "RS256");
    ck_assert_str_eq(cJSON_GetArrayItem(tu_get(doc, "subject_types_supported"), 0)->valuestring,
                     "public");
    ck_assert(cJSON_IsArray(tu_get(doc, "response_types_supported")));
    ck_assert(cJSON_IsArray(tu_get(doc, "scopes_supported")));
    /* No hosted UI yet: no endpoints that would answer 404. */
    ck_assert_ptr_null(tu_get(doc, "authorization_endpoint"));
    ck_assert_ptr_null(tu_get(doc, "token_endpoint"));
    ck_assert_ptr_null(tu_get(doc, "userinfo_endpoint"));
    cJSON_Delete(doc);
    tu_http_free(&r);

    /* The jwks_uri it names answers (through the 127.0.0.1 base: same server). */
    snprintf(path, sizeof(path), "/%s/.well-known/jwks.json", pool);
    doc = get_json(path, 200, &r);
    cJSON_Delete(doc);
    tu_http_free(&r);
}
END_TEST

START_TEST(test_keys_route_unknown_pool_is_404)
{
    static const char *const paths[] = {"/us-east-1_nothere00/.well-known/jwks.json",
                                        "/us-east-1_nothere00/.well-known/openid-configuration"};
    struct tu_http r;
    char buf[256];

    for (size_t i = 0; i < 2; i++) {
        cJSON *err = get_json(paths[i], 404, &r);
        tu_assert_error(err, "ResourceNotFoundException",
                        "User pool us-east-1_nothere00 does not exist.");
        ck_assert_str_eq(tu_http_header(&r, "x-amzn-ErrorType", buf, sizeof(buf)),
                         "ResourceNotFoundException:");
        cJSON_Delete(err);
        tu_http_free(&r);
    }
}
END_TEST

START_TEST(test_keys_route_invalid_pool_ids_are_404)
{
    static const char *const paths[] = {
        "/.well-known/jwks.json",
        "//.well-known/jwks.json",
        "/bad/.well-known/jwks.json",
        "/us-east-1_/.well-known/jwks.json",
        "/_abc/.well-known/jwks.json",
        "/us-east-1_abc-/.well-known/jwks.json",
        "/us-east-1_abc%2F..%2F/.well-known/jwks.json",
        "/us-east-1_abc%00x/.well-known/jwks.json",
        "/us-east-1_a%27%22%3C/.well-known/openid-configuration",
        "/x/us-east-1_abc/.well-known/jwks.json",
        "/us-east-1_abc/.well-known/jwks.json/",
        "/us-east-1_abc/.well-known/jwks.jsonx",
        "/us-east-1_abc/.well-known/",
        "/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa_12345/.well-known/jwks.json",
    };
    struct tu_http r;
    char url[512];

    for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
        cJSON *err = get_json(paths[i], 404, &r);
        ck_assert(cJSON_IsString(tu_get(err, "__type")));
        cJSON_Delete(err);
        tu_http_free(&r);
    }
    /* Only GET and HEAD. */
    snprintf(url, sizeof(url), "%s/us-east-1_nothere00/.well-known/jwks.json", base);
    tu_http_request("POST", url, NULL, "{}", 2, &r);
    ck_assert_int_eq(r.status, 404);
    tu_http_free(&r);
    /* Still serving. */
    snprintf(url, sizeof(url), "%s/health", base);
    tu_http_request("GET", url, NULL, NULL, 0, &r);
    ck_assert_int_eq(r.status, 200);
    tu_http_free(&r);
}
END_TEST

START_TEST(test_keys_route_head_answers_without_a_body)
{
    char pool[96], url[256];
    struct tu_http r;

    http_pool(pool, sizeof(pool));
    snprintf(url, sizeof(url), "%s/%s/.well-known/openid-configuration", base, pool);
    tu_http_request("HEAD", url, NULL, NULL, 0, &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(r.body, "");
    tu_http_free(&r);
}
END_TEST

START_TEST(test_keys_route_aws_issuer_keeps_local_jwks_uri)
{
    char pool[96], path[160], expected[256];
    struct tu_http r;
    cJSON *doc;

    server_stop(srv);
    start_server(":memory:", "aws");
    http_pool(pool, sizeof(pool));
    snprintf(path, sizeof(path), "/%s/.well-known/openid-configuration", pool);
    doc = get_json(path, 200, &r);
    snprintf(expected, sizeof(expected), "https://cognito-idp.us-east-1.amazonaws.com/%s", pool);
    ck_assert_str_eq(tu_str(doc, "issuer"), expected);
    snprintf(expected, sizeof(expected), "http://localhost:%d/%s/.well-known/jwks.json",
             server_port(srv), pool);
    ck_assert_str_eq(tu_str(doc, "jwks_uri"), expected);
    cJSON_Delete(doc);
    tu_http_free(&r);
}
END_TEST

START_TEST(test_keys_route_jwks_is_the_stored_keys)
{
    char dir[] = "/tmp/check_keys.XXXXXX", path[128], pool[96], url[160], wal[160];
    struct tu_http r;
    struct tu_env env;
    struct store_conn *conn;
    cJSON *jwks;

    /* Serve a file database, fetch the JWKS, stop; then read the keys from the file. */
    server_stop(srv);
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/cognito-emu.db", dir);
    start_server(path, "local");
    http_pool(pool, sizeof(pool));
    snprintf(url, sizeof(url), "/%s/.well-known/jwks.json", pool);
    jwks = get_json(url, 200, &r);
    tu_http_free(&r);
    server_stop(srv); /* clears the key cache too */
    srv = NULL;

    env_open(&env, path, 2);
    conn = store_acquire(env.store);
    struct signing_key id = get_key(conn, pool, KEY_USE_ID);
    struct signing_key access = get_key(conn, pool, KEY_USE_ACCESS);
    ck_assert_str_eq(tu_str(cJSON_GetArrayItem(tu_get(jwks, "keys"), 0), "kid"), id.kid);
    ck_assert_str_eq(tu_str(cJSON_GetArrayItem(tu_get(jwks, "keys"), 1), "kid"), access.kid);
    /* A token signed with the stored key verifies with the served JWK. */
    char *token = sign_sample(&access);
    ck_assert_int_eq(verify_with_jwk(token, cJSON_GetArrayItem(tu_get(jwks, "keys"), 1)), JWT_OK);
    free(token);
    EVP_PKEY_free(id.pkey);
    EVP_PKEY_free(access.pkey);
    store_release(env.store, conn);
    tu_env_free(&env);
    cJSON_Delete(jwks);
    start_server(":memory:", "local"); /* for the teardown */

    unlink(path);
    snprintf(wal, sizeof(wal), "%s-wal", path);
    unlink(wal);
    snprintf(wal, sizeof(wal), "%s-shm", path);
    unlink(wal);
    rmdir(dir);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("keys");
    TCase *tc = tcase_create("keys");
    TCase *threads = tcase_create("threads");
    TCase *routes = tcase_create("routes");

    tcase_add_checked_fixture(tc, tu_setup, tu_teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_keys_same_pool_gives_the_same_key_twice);
    tcase_add_test(tc, test_keys_id_and_access_keys_differ);
    tcase_add_test(tc, test_keys_two_pools_have_different_keys);
    tcase_add_test(tc, test_keys_kid_is_base64_of_the_public_key_hash);
    tcase_add_test(tc, test_keys_unknown_pool_has_no_keys);
    tcase_add_test(tc, test_keys_find_does_not_make_keys);
    tcase_add_test(tc, test_keys_find_verifies_tokens_signed_with_get);
    tcase_add_test(tc, test_keys_forget_drops_only_that_pool);
    tcase_add_test(tc, test_keys_survive_reopening_the_database);
    tcase_add_test(tc, test_keys_jwks_lists_both_public_keys);
    tcase_add_test(tc, test_keys_jwks_verifies_the_pools_tokens);
    tcase_add_test(tc, test_keys_identity_key_is_made_once_and_kept);
    tcase_add_test(tc, test_keys_identity_find_knows_only_its_kid);
    tcase_add_test(tc, test_keys_identity_jwks_verifies_its_tokens);
    tcase_add_test(tc, test_keys_identity_cache_follows_the_store);
    suite_add_tcase(s, tc);

    tcase_set_timeout(threads, 120);
    tcase_add_test(threads, test_keys_concurrent_first_use_makes_one_key);
    tcase_add_test(threads, test_keys_cache_is_safe_while_entries_are_dropped);
    suite_add_tcase(s, threads);

    tcase_add_checked_fixture(routes, server_setup, server_teardown);
    tcase_set_timeout(routes, 60);
    tcase_add_test(routes, test_keys_route_jwks_serves_two_keys);
    tcase_add_test(routes, test_keys_route_openid_configuration_names_issuer_and_jwks);
    tcase_add_test(routes, test_keys_route_unknown_pool_is_404);
    tcase_add_test(routes, test_keys_route_invalid_pool_ids_are_404);
    tcase_add_test(routes, test_keys_route_head_answers_without_a_body);
    tcase_add_test(routes, test_keys_route_aws_issuer_keeps_local_jwks_uri);
    tcase_add_test(routes, test_keys_route_jwks_is_the_stored_keys);
    suite_add_tcase(s, routes);
    return s;
}
