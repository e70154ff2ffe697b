/*
 * keys: the user pools' RSA signing keys and cognito-identity's OpenID token key, persisted in
 * the store and cached in memory. See keys.h.
 *
 * The store is the truth: a key is generated only when the store has none for (pool, use),
 * and store_key_put() refuses a second one, so when two workers (or two processes on one
 * database file) race to make a pool's first key, the loser reads the winner's and every
 * token is signed with the key the JWKS shows. Generation (~100 ms of CPU) happens outside
 * any lock; the cache's lock is held only to look up, insert or drop entries.
 *
 * The cache maps (pool id, use) to a parsed EVP_PKEY and its kid, so that a sign-in neither
 * reads the database nor parses PEM. It is process-global (store connections are per
 * request), behind a rwlock: sign-ins are many readers, a pool's first use is a rare writer.
 * Callers get their own EVP_PKEY reference, so keys_forget() may drop an entry while a token
 * is being signed with it.
 *
 * kid: standard base64 (with padding) of the SHA-256 of the DER SubjectPublicKeyInfo, which
 * has the shape of Cognito's kids ("abc...=", 44 characters).
 */
#include "config.h"

#include "crypto/keys.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/jwt.h"
#include "util/log.h"
#include "store/store.h"

#define KEY_BITS 2048
#define CACHE_BUCKETS 256
/* The name cognito-identity's key is stored under (store_identity_key_*). */
#define IDENTITY_KEY_NAME "cognito-identity"

struct cache_entry {
    struct cache_entry *next;
    char *pool_id;
    enum key_use use;
    char kid[KEYS_KID_MAX];
    EVP_PKEY *pkey; /* the cache's reference */
};

static struct cache_entry *cache[CACHE_BUCKETS];
static pthread_rwlock_t cache_lock = PTHREAD_RWLOCK_INITIALIZER;

static const char *use_name(enum key_use use)
{
    return use == KEY_USE_ID ? "id" : "access";
}

/*
 * Log what OpenSSL says went wrong with pool_id's key (NULL: cognito-identity's), and clear
 * this thread's error queue.
 */
static void log_ssl_error(const char *what, const char *pool_id)
{
    char buf[256] = "unknown error";
    unsigned long e = ERR_get_error();

    if (e != 0)
        ERR_error_string_n(e, buf, sizeof(buf));
    if (pool_id != NULL)
        log_error("keys: %s for pool %s: %s", what, pool_id, buf);
    else
        log_error("identity keys: %s: %s", what, buf);
    ERR_clear_error();
}

/* Wipe and free a PEM private key; accepts NULL. */
static void free_pem(char *pem)
{
    if (pem != NULL)
        OPENSSL_cleanse(pem, strlen(pem));
    free(pem);
}

static size_t bucket_of(const char *pool_id)
{
    uint32_t h = 2166136261u; /* FNV-1a */

    for (const unsigned char *p = (const unsigned char *)pool_id; *p; p++)
        h = (h ^ *p) * 16777619u;
    return h % CACHE_BUCKETS;
}

/*
 * Find the cached key of pool_id for use (kid NULL) or with that kid. On true *out holds a
 * new reference. Takes the read lock.
 */
static bool cache_find(const char *pool_id, enum key_use use, const char *kid,
                       struct signing_key *out)
{
    bool found = false;

    pthread_rwlock_rdlock(&cache_lock);
    for (struct cache_entry *e = cache[bucket_of(pool_id)]; e != NULL; e = e->next) {
        if (strcmp(e->pool_id, pool_id) != 0)
            continue;
        if (kid != NULL ? strcmp(e->kid, kid) == 0 : e->use == use) {
            if (EVP_PKEY_up_ref(e->pkey) == 1) {
                memcpy(out->kid, e->kid, sizeof(out->kid));
                out->pkey = e->pkey;
                found = true;
            }
            break;
        }
    }
    pthread_rwlock_unlock(&cache_lock);
    return found;
}

/*
 * Cache pkey (taking the caller's reference) as pool_id's key for use, unless another thread
 * cached one first: then that one wins and pkey is freed (both came from the store, so they
 * are the same key). On 0 *out holds a new reference to the cached key; -1 when out of memory.
 */
static int cache_insert(const char *pool_id, enum key_use use, const char *kid, EVP_PKEY *pkey,
                        struct signing_key *out)
{
    size_t b = bucket_of(pool_id);
    struct cache_entry *e, *fresh = calloc(1, sizeof(*fresh));
    int rc = -1;

    if (fresh != NULL && (fresh->pool_id = strdup(pool_id)) == NULL) {
        free(fresh);
        fresh = NULL;
    }
    pthread_rwlock_wrlock(&cache_lock);
    for (e = cache[b]; e != NULL; e = e->next)
        if (e->use == use && strcmp(e->pool_id, pool_id) == 0)
            break;
    if (e == NULL && fresh != NULL) {
        fresh->use = use;
        snprintf(fresh->kid, sizeof(fresh->kid), "%s", kid);
        fresh->pkey = pkey;
        fresh->next = cache[b];
        cache[b] = fresh;
        e = fresh;
        fresh = NULL;
        pkey = NULL;
    }
    if (e != NULL && EVP_PKEY_up_ref(e->pkey) == 1) {
        memcpy(out->kid, e->kid, sizeof(out->kid));
        out->pkey = e->pkey;
        rc = 0;
    }
    pthread_rwlock_unlock(&cache_lock);
    if (fresh != NULL)
        free(fresh->pool_id);
    free(fresh);
    EVP_PKEY_free(pkey);
    return rc;
}

int keys_kid(EVP_PKEY *pkey, char kid[KEYS_KID_MAX])
{
    unsigned char *der = NULL, digest[32];
    unsigned int dlen = 0;
    int len = i2d_PUBKEY(pkey, &der);
    int rc = -1;

    /* base64 of 32 bytes is 44 characters, and KEYS_KID_MAX leaves room for the NUL. */
    if (len > 0 && EVP_Digest(der, (size_t)len, digest, &dlen, EVP_sha256(), NULL) == 1 &&
        dlen == sizeof(digest) && EVP_EncodeBlock((unsigned char *)kid, digest, 32) == 44)
        rc = 0;
    OPENSSL_free(der);
    return rc;
}

char *keys_to_pem(EVP_PKEY *pkey)
{
    BIO *bio = BIO_new(BIO_s_mem());
    char *data = NULL, *pem = NULL;
    long len;

    if (bio != NULL && PEM_write_bio_PrivateKey(bio, pkey, NULL, NULL, 0, NULL, NULL) == 1 &&
        (len = BIO_get_mem_data(bio, &data)) > 0 && (pem = malloc((size_t)len + 1)) != NULL) {
        memcpy(pem, data, (size_t)len);
        pem[len] = '\0';
    }
    BIO_free(bio);
    return pem;
}

EVP_PKEY *keys_from_pem(const char *pem)
{
    BIO *bio = BIO_new_mem_buf(pem, -1);
    EVP_PKEY *pkey = bio ? PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL) : NULL;

    BIO_free(bio);
    if (pkey != NULL && !EVP_PKEY_is_a(pkey, "RSA")) {
        EVP_PKEY_free(pkey);
        pkey = NULL;
    }
    return pkey;
}

/*
 * Read pool_id's stored key for use into *pkey and kid. Returns STORE_OK, STORE_NOT_FOUND
 * (none yet) or STORE_ERROR (logged, also for a key that does not parse).
 */
static int load_stored(struct store_conn *conn, const char *pool_id, enum key_use use,
                       EVP_PKEY **pkey, char kid[KEYS_KID_MAX])
{
    char *stored_kid = NULL, *pem = NULL;
    int rc = store_key_get(conn, pool_id, use_name(use), &stored_kid, &pem);

    *pkey = NULL;
    if (rc == STORE_OK) {
        if (strlen(stored_kid) >= KEYS_KID_MAX) {
            log_error("keys: stored %s kid of pool %s is too long", use_name(use), pool_id);
            rc = STORE_ERROR;
        } else if ((*pkey = keys_from_pem(pem)) == NULL) {
            log_ssl_error("stored key does not parse", pool_id);
            rc = STORE_ERROR;
        } else {
            snprintf(kid, KEYS_KID_MAX, "%s", stored_kid);
        }
    }
    free(stored_kid);
    free_pem(pem);
    return rc;
}

/*
 * Make a new key for (pool_id, use) and store it; when another worker stored one first, read
 * that one instead. Returns STORE_OK with *pkey and kid, STORE_NOT_FOUND when the pool does
 * not exist, or STORE_ERROR (logged).
 */
static int generate_stored(struct store_conn *conn, const char *pool_id, enum key_use use,
                           EVP_PKEY **pkey, char kid[KEYS_KID_MAX])
{
    EVP_PKEY *fresh = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)KEY_BITS);
    char *pem = NULL;
    int rc = STORE_ERROR;

    *pkey = NULL;
    if (fresh == NULL || keys_kid(fresh, kid) != 0 || (pem = keys_to_pem(fresh)) == NULL) {
        log_ssl_error("cannot make an RSA key", pool_id);
        goto out;
    }
    rc = store_key_put(conn, pool_id, use_name(use), kid, pem);
    if (rc == STORE_OK) {
        log_debug("keys: new %s key %s for pool %s", use_name(use), kid, pool_id);
        *pkey = fresh;
        fresh = NULL;
    } else if (rc == STORE_EXISTS) {
        rc = load_stored(conn, pool_id, use, pkey, kid);
        if (rc == STORE_NOT_FOUND) /* stored, then the pool was deleted: it has none */
            rc = STORE_ERROR;
    }
out:
    EVP_PKEY_free(fresh);
    free_pem(pem);
    return rc;
}

int keys_get(struct store_conn *conn, const char *pool_id, enum key_use use,
             struct signing_key *out)
{
    EVP_PKEY *pkey = NULL;
    char kid[KEYS_KID_MAX];
    int rc;

    memset(out, 0, sizeof(*out));
    if (pool_id == NULL)
        return -1;
    if (cache_find(pool_id, use, NULL, out))
        return 0;
    rc = load_stored(conn, pool_id, use, &pkey, kid);
    if (rc == STORE_NOT_FOUND) {
        /* No key for a pool that does not exist (the store would refuse it after ~100 ms). */
        char *doc = NULL;
        rc = store_doc_get(conn, STORE_USER_POOL, pool_id, NULL, &doc);
        free(doc);
        if (rc == STORE_OK)
            rc = generate_stored(conn, pool_id, use, &pkey, kid);
    }
    if (rc != STORE_OK) {
        if (rc == STORE_NOT_FOUND)
            log_warn("keys: no %s key for pool %s: the pool does not exist", use_name(use),
                     pool_id);
        return -1;
    }
    return cache_insert(pool_id, use, kid, pkey, out);
}

EVP_PKEY *keys_find(struct store_conn *conn, const char *pool_id, const char *kid)
{
    struct signing_key key = {0};

    if (pool_id == NULL || kid == NULL || kid[0] == '\0')
        return NULL;
    if (cache_find(pool_id, KEY_USE_ID, kid, &key))
        return key.pkey;
    /* Load what the store has that the cache does not (never generating). */
    for (int u = KEY_USE_ID; u <= KEY_USE_ACCESS; u++) {
        struct signing_key cached = {0};
        char stored_kid[KEYS_KID_MAX];
        EVP_PKEY *pkey;

        if (cache_find(pool_id, (enum key_use)u, NULL, &cached)) {
            EVP_PKEY_free(cached.pkey);
            continue;
        }
        if (load_stored(conn, pool_id, (enum key_use)u, &pkey, stored_kid) != STORE_OK)
            continue;
        if (cache_insert(pool_id, (enum key_use)u, stored_kid, pkey, &cached) != 0)
            continue;
        if (strcmp(cached.kid, kid) == 0)
            return cached.pkey;
        EVP_PKEY_free(cached.pkey);
    }
    return NULL;
}

/* A big-number parameter of an RSA key as base64url (a new string), or NULL. */
static char *bn_param_b64url(EVP_PKEY *pkey, const char *param)
{
    BIGNUM *bn = NULL;
    unsigned char *bin = NULL;
    char *text = NULL;
    int len;

    if (EVP_PKEY_get_bn_param(pkey, param, &bn) != 1)
        goto out;
    len = BN_num_bytes(bn);
    if (len <= 0 || (bin = malloc((size_t)len)) == NULL || BN_bn2bin(bn, bin) != len)
        goto out;
    text = jwt_b64url_encode(bin, (size_t)len);
out:
    free(bin);
    BN_free(bn);
    return text;
}

cJSON *keys_jwk(const struct signing_key *key)
{
    char *n = bn_param_b64url(key->pkey, OSSL_PKEY_PARAM_RSA_N);
    char *e = bn_param_b64url(key->pkey, OSSL_PKEY_PARAM_RSA_E);
    cJSON *jwk = cJSON_CreateObject();

    if (n == NULL || e == NULL || jwk == NULL || !cJSON_AddStringToObject(jwk, "alg", "RS256") ||
        !cJSON_AddStringToObject(jwk, "e", e) || !cJSON_AddStringToObject(jwk, "kid", key->kid) ||
        !cJSON_AddStringToObject(jwk, "kty", "RSA") || !cJSON_AddStringToObject(jwk, "n", n) ||
        !cJSON_AddStringToObject(jwk, "use", "sig")) {
        cJSON_Delete(jwk);
        jwk = NULL;
    }
    free(n);
    free(e);
    return jwk;
}

cJSON *keys_jwks(struct store_conn *conn, const char *pool_id)
{
    static const enum key_use uses[] = {KEY_USE_ID, KEY_USE_ACCESS};
    cJSON *doc = cJSON_CreateObject();
    cJSON *list = doc ? cJSON_AddArrayToObject(doc, "keys") : NULL;

    if (list == NULL)
        goto fail;
    for (size_t i = 0; i < sizeof(uses) / sizeof(uses[0]); i++) {
        struct signing_key key;
        cJSON *jwk;

        if (keys_get(conn, pool_id, uses[i], &key) != 0)
            goto fail;
        jwk = keys_jwk(&key);
        EVP_PKEY_free(key.pkey);
        if (jwk == NULL) {
            log_ssl_error("cannot export the public key", pool_id);
            goto fail;
        }
        cJSON_AddItemToArray(list, jwk);
    }
    return doc;
fail:
    cJSON_Delete(doc);
    return NULL;
}

/* Drop the entries of pool_id (all entries when NULL). */
static void cache_drop(const char *pool_id)
{
    pthread_rwlock_wrlock(&cache_lock);
    for (size_t b = 0; b < CACHE_BUCKETS; b++) {
        struct cache_entry **link = &cache[b];
        if (pool_id != NULL && b != bucket_of(pool_id))
            continue;
        while (*link != NULL) {
            struct cache_entry *e = *link;
            if (pool_id != NULL && strcmp(e->pool_id, pool_id) != 0) {
                link = &e->next;
                continue;
            }
            *link = e->next;
            EVP_PKEY_free(e->pkey);
            free(e->pool_id);
            free(e);
        }
    }
    pthread_rwlock_unlock(&cache_lock);
}

void keys_forget(const char *pool_id)
{
    if (pool_id != NULL)
        cache_drop(pool_id);
}

/* ---- cognito-identity's OpenID token key ------------------------------------------------ */

/*
 * One RSA-2048 key for the whole emulator (cognito-identity has one issuer for every pool),
 * stored like the user pools' keys so that tokens verify across restarts. The parsed key is
 * cached behind a mutex and checked against the stored kid on every use, so a fresh store
 * (tests, a reset) never meets a stale cached key.
 */
static pthread_mutex_t identity_lock = PTHREAD_MUTEX_INITIALIZER;
static EVP_PKEY *identity_key; /* the cache's reference */
static char identity_kid[KEYS_KID_MAX];

/* Make the key and store it; when another worker stored one first, STORE_EXISTS. */
static int identity_generate(struct store_conn *conn)
{
    EVP_PKEY *fresh = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)KEY_BITS);
    char kid[KEYS_KID_MAX], *pem = NULL;
    int rc = STORE_ERROR;

    if (fresh == NULL || keys_kid(fresh, kid) != 0 || (pem = keys_to_pem(fresh)) == NULL)
        log_ssl_error("cannot make an RSA key", NULL);
    else if ((rc = store_identity_key_put(conn, IDENTITY_KEY_NAME, kid, pem)) == STORE_OK)
        log_debug("identity keys: new OpenID token key %s", kid);
    EVP_PKEY_free(fresh);
    free_pem(pem);
    return rc;
}

/*
 * Make the cache hold the key stored_kid/pem (parsing it unless it already does), and give
 * *out a new reference to it. Takes the mutex. true when *out is filled.
 */
static bool identity_cache_use(const char *stored_kid, const char *pem, struct signing_key *out)
{
    bool found = false;

    pthread_mutex_lock(&identity_lock);
    if (identity_key == NULL || strcmp(identity_kid, stored_kid) != 0) {
        EVP_PKEY *parsed = keys_from_pem(pem);
        if (parsed != NULL) {
            EVP_PKEY_free(identity_key);
            identity_key = parsed;
            snprintf(identity_kid, sizeof(identity_kid), "%s", stored_kid);
        } else {
            log_ssl_error("the stored OpenID token key does not parse", NULL);
        }
    }
    if (identity_key != NULL && strcmp(identity_kid, stored_kid) == 0 &&
        EVP_PKEY_up_ref(identity_key) == 1) {
        out->pkey = identity_key;
        snprintf(out->kid, sizeof(out->kid), "%s", identity_kid);
        found = true;
    }
    pthread_mutex_unlock(&identity_lock);
    return found;
}

int keys_identity_get(struct store_conn *conn, struct signing_key *out)
{
    char *stored_kid = NULL, *pem = NULL;
    int rc = store_identity_key_get(conn, IDENTITY_KEY_NAME, &stored_kid, &pem);

    memset(out, 0, sizeof(*out));
    if (rc == STORE_NOT_FOUND) {
        rc = identity_generate(conn);
        if (rc == STORE_OK || rc == STORE_EXISTS)
            rc = store_identity_key_get(conn, IDENTITY_KEY_NAME, &stored_kid, &pem);
    }
    if (rc != STORE_OK || strlen(stored_kid) >= KEYS_KID_MAX) {
        log_error("identity keys: cannot read the OpenID token key");
        rc = -1;
    } else {
        rc = identity_cache_use(stored_kid, pem, out) ? 0 : -1;
    }
    free(stored_kid);
    free_pem(pem);
    return rc;
}

EVP_PKEY *keys_identity_find(struct store_conn *conn, const char *kid)
{
    struct signing_key key;

    if (kid == NULL || keys_identity_get(conn, &key) != 0)
        return NULL;
    if (strcmp(key.kid, kid) == 0)
        return key.pkey;
    EVP_PKEY_free(key.pkey);
    return NULL;
}

cJSON *keys_identity_jwks(struct store_conn *conn)
{
    struct signing_key key;
    cJSON *doc = NULL, *list, *jwk;

    if (keys_identity_get(conn, &key) != 0)
        return NULL;
    jwk = keys_jwk(&key);
    doc = cJSON_CreateObject();
    list = doc ? cJSON_AddArrayToObject(doc, "keys") : NULL;
    if (jwk == NULL || list == NULL || !cJSON_AddItemToArray(list, jwk)) {
        cJSON_Delete(jwk);
        cJSON_Delete(doc);
        doc = NULL;
    }
    EVP_PKEY_free(key.pkey);
    return doc;
}

void keys_cache_clear(void)
{
    cache_drop(NULL);
    pthread_mutex_lock(&identity_lock);
    EVP_PKEY_free(identity_key);
    identity_key = NULL;
    identity_kid[0] = '\0';
    pthread_mutex_unlock(&identity_lock);
}
