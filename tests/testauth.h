/*
 * testauth: what the sign-in suites (check_auth_password, check_auth_srp, check_auth_refresh,
 * check_auth_custom) share on top of testutil: a pool with a standard client, users written
 * straight into the store (store_user_insert with a password set by user_set_password) so that the
 * suites depend on no other operation than the pool and client ones, USER_PASSWORD_AUTH sign-in,
 * the NEW_PASSWORD_REQUIRED answer, and the checks of tokens. Every call goes through tu_call, as
 * the server runs it; the fixture is ta_setup / tu_teardown, on tu_fixture.
 */
#ifndef COG_TESTAUTH_H
#define COG_TESTAUTH_H

#include <cJSON.h>
#include <openssl/bn.h>
#include <stdbool.h>
#include <stdint.h>

#include "aws/op.h"
#include "store/store.h"
#include "testutil.h"
#include "util/ids.h"

#define TA_PASSWORD "Passw0rd!"
#define TA_DAY_MS (24LL * 3600 * 1000)

/* The flows of the suites' standard client. */
#define TA_FLOWS                                                                                   \
    "\"ExplicitAuthFlows\":[\"ALLOW_USER_PASSWORD_AUTH\",\"ALLOW_ADMIN_USER_PASSWORD_AUTH\","      \
    "\"ALLOW_USER_SRP_AUTH\",\"ALLOW_REFRESH_TOKEN_AUTH\"]"

/* The pool ("auth") and standard client that ta_setup makes for each test: the client allows
 * TA_FLOWS, its access tokens last 5 minutes and its ID tokens 10. */
extern char ta_pool_id[IDS_MAX];
extern char ta_client_id[64];

/* The checked fixture's setup: tu_setup, then the pool and client above. */
void ta_setup(void);

/* Create a client of pool pool with extra members (a JSON fragment) and copy its id into out
 * (size 64). Fails the test when the call fails. */
void ta_create_client_in(const char *pool, const char *extra, char *out);

/* The secret of client id in the suite's pool, copied into out (size 64). */
void ta_client_secret(const char *id, char *out);

/* An op_ctx on a connection of the fixture's store at the emulator clock; release it with
 * ta_ctx_done. */
struct op_ctx ta_ctx_new(void);
void ta_ctx_done(struct op_ctx *ctx);

/*
 * Put a user into pool with password, status and attributes (a JSON object text without sub;
 * a sub is added). Returns the new user's seq. ta_add_user: into the suite's pool with
 * TA_PASSWORD, an email, email_verified, custom:team and given_name.
 */
int64_t ta_add_user_to(const char *pool, const char *username, const char *password,
                       const char *status, const char *attributes);
int64_t ta_add_user(const char *username, const char *status);

/* User username of the suite's pool (store_user_free); fails the test when there is none. */
struct store_user *ta_get_user(const char *username);

/* InitiateAuth USER_PASSWORD_AUTH for username/password with client (ta_sign_in: the standard
 * client). The response (cJSON_Delete). */
cJSON *ta_sign_in_with(const char *client, const char *username, const char *password);
cJSON *ta_sign_in(const char *username, const char *password);

/* The AuthenticationResult of resp (borrowed); fails the test when resp is an error. */
const cJSON *ta_result_of(const cJSON *resp);

/* RespondToAuthChallenge NEW_PASSWORD_REQUIRED for user "temp" with client, session and
 * NEW_PASSWORD password; extra is a JSON fragment added to ChallengeResponses ("" for none). */
cJSON *ta_respond_new_password(const char *client, const char *session, const char *password,
                               const char *extra);

/* Whether token verifies (jwt_verify_rs256) with a key of pool. */
bool ta_verifies(const char *token, const char *pool);

/* The number claim name of claims; fails the test unless it is a number. */
double ta_num_claim(const cJSON *claims, const char *name);

/* ---- The client's side of USER_SRP_AUTH ---------------------------------------------------
 *
 * Computed as amazon-cognito-identity-js computes it (AuthenticationHelper: a of 128 random
 * bytes, A = g^a mod N, the HKDF key, the claim signature) with srp_group.h's building
 * blocks, which check_srp.c checks against the real JS client's values.
 */

/* A client's secret a, its A, and A in hex (what InitiateAuth sends as SRP_A). */
struct ta_srp_client {
    BIGNUM *a, *A;
    char *A_hex;
};

struct ta_srp_client ta_srp_client_new(void);
void ta_srp_client_free(struct ta_srp_client *c);

/* TIMESTAMP for ms as the clients write it, "Tue Apr 5 22:42:34 UTC 2017" (out: 40 bytes). */
void ta_srp_timestamp(int64_t ms, char *out);

/* The client's PASSWORD_CLAIM_SIGNATURE for PASSWORD_VERIFIER parameters params of pool, with
 * password and timestamp (out: SRP_SIGNATURE_B64_LEN + 1 bytes). */
void ta_srp_sign(const struct ta_srp_client *c, const char *pool, const cJSON *params,
                 const char *password, const char *timestamp, char *out);

/* The same with the identities given: device SRP's DeviceGroupKey and DeviceKey. */
void ta_srp_sign_as(const struct ta_srp_client *c, const char *pool_name, const char *user_id,
                    const cJSON *params, const char *password, const char *timestamp, char *out);

#endif
