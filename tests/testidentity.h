/*
 * testidentity: what the identity suites share on top of testutil (check_ops_identity,
 * check_identity_roles, check_ops_developer, check_ops_identity_admin): two user pools with
 * app clients and confirmed users (alice and bob in user_pool, carol in other_pool), real ID
 * tokens from AdminInitiateAuth, identity pools configured with them, the identity calls the
 * suites repeat, and the control API's view of credentials and of cognito-identity's JWKS.
 * Every call goes through tu_call, as the server runs it; the fixture is identity_setup /
 * tu_teardown (whose keys_cache_clear drops the identity key too).
 */
#ifndef COG_TESTIDENTITY_H
#define COG_TESTIDENTITY_H

#include <cJSON.h>
#include <stdbool.h>

#include "control/control.h"
#include "util/ids.h"
#include "testutil.h"

#define PASSWORD "Passw0rd!"
#define ROLE_AUTH "arn:aws:iam::123456789012:role/Cognito_Auth_Role"
#define ROLE_UNAUTH "arn:aws:iam::123456789012:role/Cognito_Unauth_Role"
#define ROLE_ADMIN "arn:aws:iam::123456789012:role/Admins"
#define ROLE_READERS "arn:aws:iam::123456789012:role/Readers"
#define UUID_RE "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"

/*
 * What identity_setup makes: user_pool with clients client_id and second_client, other_pool
 * with other_client; sdk_key and other_key name them as the SDKs do
 * ("cognito-idp.us-east-1.amazonaws.com/<pool>"), issuer_key as Amplify does (the issuer
 * without its scheme, "localhost:9229/<pool>").
 */
extern char user_pool[IDS_MAX], other_pool[IDS_MAX];
extern char client_id[64], second_client[64], other_client[64];
extern char sdk_key[256], issuer_key[700], other_key[256];

/* Two messages of cognito-identity several suites expect. */
extern const char NOT_SUPPORTED[];
extern const char LOGINS_DONT_MATCH[];

/* The checked fixture's setup: tu_setup() and the pools, clients and users above. */
void identity_setup(void);

/* Sign username in; a new copy of the token named which ("IdToken", "AccessToken"). */
char *sign_in_token(const char *pool, const char *client, const char *username, const char *which);

/* Sign username in to user_pool with client_id; a new copy of its IdToken. */
char *sign_in(const char *username);

/*
 * A new identity pool with the suite's user pool and client as provider, guests allowed or
 * not, and extra members (a JSON fragment, may be ""); its id into id_out (IDS_MAX bytes).
 */
void create_identity_pool_with(bool guests, const char *extra, char *id_out);

/* create_identity_pool_with without guests. */
void create_identity_pool(const char *extra, char *id_out);

/* SetIdentityPoolRoles with ROLE_AUTH, ROLE_UNAUTH and mappings (a JSON object, or ""). */
void set_roles(const char *pool, const char *mappings);

/* GetId in pool with one login key -> token (key NULL: none); the response. */
cJSON *get_id(const char *pool, const char *key, const char *token);

/* GetId that must succeed; the identity id copied into out. */
void get_id_ok(const char *pool, const char *key, const char *token, char *out);

/*
 * GetCredentialsForIdentity for id with one login key -> token (key NULL: none) and
 * CustomRoleArn custom_role (NULL: none); the response.
 */
cJSON *get_credentials(const char *id, const char *key, const char *token, const char *custom_role);

/* The role the credentials of a GetCredentialsForIdentity answer were issued for. */
void assert_role(const cJSON *r, const char *role);

/* Call a control handler for GET CONTROL_PREFIX + prefix + rest; the parsed body. */
cJSON *control_get(control_fn *fn, const char *rest, int *status);

/* Verify token against the JWKS the control API serves; the claims (cJSON_Delete). */
cJSON *verify_with_served_jwks(const char *token);

#endif
