/*
 * testauth: shared helpers of the sign-in suites. See testauth.h.
 */
#include "config.h"

#include "testauth.h"

#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crypto/jwt.h"
#include "crypto/keys.h"
#include "crypto/srp.h"
#include "crypto/srp_group.h"
#include "userpool/pool.h"
#include "userpool/user.h"
#include "util/clock.h"
#include "util/jsonutil.h"

static struct tu_env *const env = &tu_fixture;

char ta_pool_id[IDS_MAX];
char ta_client_id[64];

/* Create a client of pool pool with extra members (a JSON fragment) and copy its id. */
void ta_create_client_in(const char *pool, const char *extra, char *out)
{
    cJSON *resp = tu_callf(env, IDP "CreateUserPoolClient",
                           "{\"UserPoolId\":\"%s\",\"ClientName\":\"app\",%s}", pool, extra);

    ck_assert_msg(tu_error_type(resp) == NULL, "CreateUserPoolClient failed: %s",
                  tu_str(resp, "message"));
    snprintf(out, 64, "%s", tu_str(tu_get(resp, "UserPoolClient"), "ClientId"));
    cJSON_Delete(resp);
}

/* The secret of client id in the suite's pool, copied into out (size 64). */
void ta_client_secret(const char *id, char *out)
{
    cJSON *resp = tu_callf(env, IDP "DescribeUserPoolClient",
                           "{\"UserPoolId\":\"%s\",\"ClientId\":\"%s\"}", ta_pool_id, id);

    snprintf(out, 64, "%s", tu_str(tu_get(resp, "UserPoolClient"), "ClientSecret"));
    cJSON_Delete(resp);
}

/* An op_ctx on a connection of the fixture's store at the emulator clock (release with
 * ta_ctx_done). */
struct op_ctx ta_ctx_new(void)
{
    struct op_ctx ctx = {
        .settings = &env->settings,
        .region = "us-east-1",
        .db = store_acquire(env->store),
        .now_ms = clock_now_ms(),
    };
    return ctx;
}

void ta_ctx_done(struct op_ctx *ctx)
{
    store_release(env->store, ctx->db);
}

/*
 * Put a user into pool with password, status and attributes (a JSON object text without sub;
 * a sub is added). Returns the new user's seq.
 */
int64_t ta_add_user_to(const char *pool, const char *username, const char *password,
                       const char *status, const char *attributes)
{
    struct op_ctx ctx = ta_ctx_new();
    cJSON *pool_doc = NULL, *attrs = cJSON_Parse(attributes);
    char sub[IDS_UUID_LEN + 1];
    struct store_user u = {0};

    ck_assert_ptr_nonnull(attrs);
    ck_assert_int_eq(pool_load(&ctx, pool, &pool_doc), 0);
    ids_uuid(sub);
    json_set_str(attrs, "sub", sub);
    u.pool_id = (char *)pool;
    u.username = (char *)username;
    u.username_key = (char *)username;
    u.sub = sub;
    u.status = (char *)status;
    u.enabled = 1;
    u.attributes = cJSON_PrintUnformatted(attrs);
    u.created_ms = u.modified_ms = ctx.now_ms;
    ck_assert_int_eq(user_set_password(&ctx, pool_doc, &u, password), 0);
    ck_assert_int_eq(store_user_insert(ctx.db, &u), STORE_OK);
    free(u.attributes);
    free(u.srp_salt);
    free(u.srp_verifier);
    cJSON_Delete(pool_doc);
    cJSON_Delete(attrs);
    ta_ctx_done(&ctx);
    return u.seq;
}

int64_t ta_add_user(const char *username, const char *status)
{
    return ta_add_user_to(ta_pool_id, username, TA_PASSWORD, status,
                          "{\"email\":\"alice@example.com\",\"email_verified\":\"true\","
                          "\"custom:team\":\"blue\",\"given_name\":\"Alice\"}");
}

/* Read user username of the suite's pool (store_user_free). */
struct store_user *ta_get_user(const char *username)
{
    struct store_conn *db = store_acquire(env->store);
    struct store_user *u = NULL;

    ck_assert_int_eq(store_user_get(db, ta_pool_id, username, &u), STORE_OK);
    store_release(env->store, db);
    return u;
}

void ta_setup(void)
{
    char *id;

    tu_setup();
    id = tu_create_user_pool(env, "{\"PoolName\":\"auth\"}");
    snprintf(ta_pool_id, sizeof(ta_pool_id), "%s", id);
    free(id);
    ta_create_client_in(ta_pool_id,
                        TA_FLOWS ",\"AccessTokenValidity\":5,\"IdTokenValidity\":10,"
                                 "\"TokenValidityUnits\":{\"AccessToken\":\"minutes\","
                                 "\"IdToken\":\"minutes\"}",
                        ta_client_id);
}

/* InitiateAuth USER_PASSWORD_AUTH for username/password with the suite's client. */
cJSON *ta_sign_in_with(const char *client, const char *username, const char *password)
{
    return tu_callf(env, IDP "InitiateAuth",
                    "{\"AuthFlow\":\"USER_PASSWORD_AUTH\",\"ClientId\":\"%s\","
                    "\"AuthParameters\":{\"USERNAME\":\"%s\",\"PASSWORD\":\"%s\"}}",
                    client, username, password);
}

cJSON *ta_sign_in(const char *username, const char *password)
{
    return ta_sign_in_with(ta_client_id, username, password);
}

const cJSON *ta_result_of(const cJSON *resp)
{
    ck_assert_msg(tu_error_type(resp) == NULL, "call failed: %s: %s", tu_error_type(resp),
                  tu_str(resp, "message"));
    return tu_get(resp, "AuthenticationResult");
}

/* jwt_verify_rs256's key lookup over keys_find for the pool in arg. */
static EVP_PKEY *found_key;
static EVP_PKEY *find_key(void *arg, const char *kid)
{
    struct store_conn *db = store_acquire(env->store);

    EVP_PKEY_free(found_key);
    found_key = keys_find(db, arg, kid);
    store_release(env->store, db);
    return found_key;
}

/* Whether token verifies with a key of pool. */
bool ta_verifies(const char *token, const char *pool)
{
    cJSON *claims = NULL;
    enum jwt_status st = jwt_verify_rs256(token, find_key, (void *)pool, &claims);

    EVP_PKEY_free(found_key);
    found_key = NULL;
    cJSON_Delete(claims);
    return st == JWT_OK;
}

double ta_num_claim(const cJSON *claims, const char *name)
{
    return tu_num(claims, name);
}

/* RespondToAuthChallenge NEW_PASSWORD_REQUIRED for temp. */
cJSON *ta_respond_new_password(const char *client, const char *session, const char *password,
                               const char *extra)
{
    return tu_callf(env, IDP "RespondToAuthChallenge",
                    "{\"ChallengeName\":\"NEW_PASSWORD_REQUIRED\",\"ClientId\":\"%s\","
                    "\"Session\":\"%s\",\"ChallengeResponses\":{\"USERNAME\":\"temp\","
                    "\"NEW_PASSWORD\":\"%s\"%s}}",
                    client, session, password, extra);
}

/* ---- The client's side of USER_SRP_AUTH (testauth.h) ---- */

struct ta_srp_client ta_srp_client_new(void)
{
    unsigned char raw[128];
    struct ta_srp_client c = {BN_new(), BN_new(), NULL};
    BN_CTX *bn = BN_CTX_new();

    ck_assert_int_eq(RAND_bytes(raw, sizeof(raw)), 1);
    ck_assert_ptr_nonnull(BN_bin2bn(raw, sizeof(raw), c.a));
    ck_assert(BN_mod_exp(c.A, srp_group_g(), c.a, srp_group_N(), bn));
    c.A_hex = srp_bn_to_hex(c.A);
    BN_CTX_free(bn);
    return c;
}

void ta_srp_client_free(struct ta_srp_client *c)
{
    BN_free(c->a);
    BN_free(c->A);
    free(c->A_hex);
}

/* TIMESTAMP for ms as the clients write it, "Tue Apr 5 22:42:34 UTC 2017" (out: 40 bytes). */
void ta_srp_timestamp(int64_t ms, char *out)
{
    static const char *const DAYS[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char *const MONTHS[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    time_t t = (time_t)(ms / 1000);
    struct tm tm;

    ck_assert_ptr_nonnull(gmtime_r(&t, &tm));
    snprintf(out, 40, "%s %s %d %02d:%02d:%02d UTC %d", DAYS[tm.tm_wday], MONTHS[tm.tm_mon],
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, tm.tm_year + 1900);
}

/* The client's PASSWORD_CLAIM_SIGNATURE for challenge parameters params of pool, with
 * password and timestamp (out: SRP_SIGNATURE_B64_LEN + 1 bytes). */
void ta_srp_sign(const struct ta_srp_client *c, const char *pool, const cJSON *params,
                 const char *password, const char *timestamp, char *out)
{
    ta_srp_sign_as(c, srp_pool_name(pool), tu_str(params, "USER_ID_FOR_SRP"), params, password,
                   timestamp, out);
}

void ta_srp_sign_as(const struct ta_srp_client *c, const char *pool_name, const char *user_id,
                    const cJSON *params, const char *password, const char *timestamp, char *out)
{
    const char *block_b64 = tu_str(params, "SECRET_BLOCK");
    BIGNUM *salt = srp_bn_from_hex(tu_str(params, "SALT"), 256);
    BIGNUM *B = srp_bn_from_hex(tu_str(params, "SRP_B"), 800);
    BIGNUM *x, *u, *gx = BN_new(), *kgx = BN_new(), *base = BN_new(), *ux = BN_new();
    BIGNUM *e = BN_new(), *S = BN_new();
    BN_CTX *bn = BN_CTX_new();
    unsigned char key[SRP_KEY_LEN], block[512];
    size_t len = strlen(block_b64);
    int n;

    ck_assert_ptr_nonnull(user_id);
    ck_assert_ptr_nonnull(salt);
    ck_assert_ptr_nonnull(B);
    x = srp_compute_x(pool_name, user_id, password, salt);
    u = srp_hash_pads(c->A, B);
    ck_assert(x != NULL && u != NULL);
    ck_assert(BN_mod_exp(gx, srp_group_g(), x, srp_group_N(), bn));
    ck_assert(BN_mod_mul(kgx, srp_group_k(), gx, srp_group_N(), bn));
    ck_assert(BN_mod_sub(base, B, kgx, srp_group_N(), bn));
    ck_assert(BN_mul(ux, u, x, bn) && BN_add(e, c->a, ux));
    ck_assert(BN_mod_exp(S, base, e, srp_group_N(), bn));
    ck_assert_int_eq(srp_hkdf_key(S, u, key), 0);
    ck_assert_uint_le(len, 4 * sizeof(block) / 3);
    n = EVP_DecodeBlock(block, (const unsigned char *)block_b64, (int)len);
    ck_assert_int_ge(n, 0);
    while (len > 0 && block_b64[len - 1] == '=') { /* EVP_DecodeBlock counts padding as bytes */
        len--;
        n--;
    }
    ck_assert_int_eq(srp_claim_signature(key, pool_name, user_id, block, (size_t)n, timestamp, out),
                     0);
    BN_free(salt);
    BN_free(B);
    BN_free(x);
    BN_free(u);
    BN_free(gx);
    BN_free(kgx);
    BN_free(base);
    BN_free(ux);
    BN_free(e);
    BN_free(S);
    BN_CTX_free(bn);
}
