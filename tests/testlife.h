/*
 * testlife: what the account lifecycle suites (check_ops_account, check_ops_admin,
 * check_ops_group) share on top of testutil: a pool with an app client, confirmed users with a
 * known password, sign-in and refresh through the real operations, codes read back from the
 * store as a developer reads them from the log, and one-line assertions that consume a
 * response. Every call goes through tu_call, as the server runs it; the fixture is
 * tu_fixture (tu_setup / tu_teardown).
 */
#ifndef COG_TESTLIFE_H
#define COG_TESTLIFE_H

#include <cJSON.h>
#include <stdbool.h>

#include "testutil.h"

#define TL_PASSWORD "Passw0rd!"
#define TL_DAY_MS (24LL * 60 * 60 * 1000)

/* A user pool and one app client of it. */
struct tl_app {
    char pool[96];
    char client[64];
    char secret[80]; /* "" for a client without a secret */
};

/*
 * Create a pool from pool_body (a CreateUserPool request) and a client of it with extra
 * members (a JSON fragment, "" for none); the client allows USER_PASSWORD_AUTH,
 * ADMIN_USER_PASSWORD_AUTH and refreshes unless extra sets ExplicitAuthFlows.
 */
void tl_app(struct tl_app *a, const char *pool_body, const char *client_extra);

/* Another client of a's pool, with extra members as tl_app; its id and secret go to out. */
void tl_client(const struct tl_app *a, const char *client_extra, struct tl_app *out);

/*
 * A CONFIRMED user named username with TL_PASSWORD and the attributes attrs (a JSON array of
 * {"Name","Value"}, "" for none), made by AdminCreateUser (SUPPRESS) and AdminSetUserPassword.
 */
void tl_user(const struct tl_app *a, const char *username, const char *attrs);

/* Tokens of one sign-in (each a new string, or NULL). */
struct tl_tokens {
    char *access;
    char *id;
    char *refresh;
};

/* InitiateAuth USER_PASSWORD_AUTH (with SECRET_HASH for a secret client); the response. */
cJSON *tl_sign_in_call(const struct tl_app *a, const char *username, const char *password);

/* Sign in; fails the test unless tokens come back. Free with tl_tokens_free. */
void tl_sign_in(const struct tl_app *a, const char *username, const char *password,
                struct tl_tokens *t);
void tl_tokens_free(struct tl_tokens *t);

/* InitiateAuth REFRESH_TOKEN_AUTH with refresh; the response. */
cJSON *tl_refresh_call(const struct tl_app *a, const char *refresh);

/* GetUser with access; the response. */
cJSON *tl_get_user(const char *access);

/* The value of name in an AWS attribute list [{"Name","Value"}], or NULL. */
const char *tl_attr(const cJSON *list, const char *name);

/* AdminGetUser's attribute name of username, copied into out (size n); "" when absent. */
void tl_admin_attr(const struct tl_app *a, const char *username, const char *name, char *out,
                   size_t n);

/* AdminGetUser's UserStatus of username must be status. */
void tl_assert_status(const struct tl_app *a, const char *username, const char *status);

/*
 * The pending code for purpose of the user stored under username (its username key) into out
 * (7 bytes). 0, or -1 when there is none.
 */
int tl_code(const struct tl_app *a, const char *username, const char *purpose, char *out);

/* The resp must be a success; it is deleted. */
void tl_ok(cJSON *resp);

/* resp (deleted) must carry tokens: an AuthenticationResult with an AccessToken. */
void tl_expect_tokens(cJSON *resp);

/* The newest "mfa" code the inbox holds for username, sent by medium (out: 7 bytes). */
void tl_mfa_code(const char *username, const char *medium, char *out);

/* The resp must be the error type (and message, when not NULL); it is deleted. */
void tl_error(cJSON *resp, const char *type, const char *message);

/*
 * Register domain for pool in the store as CreateUserPoolDomain would (the members
 * oauth/oauth.c reads): a custom domain (with a certificate) when custom is true.
 */
void tl_domain(const char *pool, const char *domain, bool custom);

/* A resource server identifier of pool with scopes (a JSON array of {"ScopeName",...}),
 * written into the store as CreateResourceServer would. */
void tl_resource_server(const char *pool, const char *identifier, const char *scopes);

/* The SECRET_HASH of username for a's client (a new string). */
char *tl_secret_hash(const struct tl_app *a, const char *username);

#endif
