/*
 * testutil: what the unit suites share: a fresh in-memory store with default settings, and a
 * way to call an operation exactly as the server does (validation included), without HTTP.
 */
#ifndef COG_TESTUTIL_H
#define COG_TESTUTIL_H

#include <cJSON.h>
#include <check.h>

#include "app.h"
#include "settings.h"

/* Every suite defines this; tests/check_main.c runs it. */
Suite *test_suite(void);

struct tu_env {
    struct settings settings;
    struct store *store;
    struct app app;
};

/* Default settings (region us-east-1, account 123456789012) and a new private :memory: store. */
void tu_env_init(struct tu_env *env);
void tu_env_free(struct tu_env *env);

/*
 * Call "<target prefix>.<operation>", e.g. tu_call(env, "AWSCognitoIdentityProviderService.CreateUserPool",
 * "{\"PoolName\":\"p\"}"), through dispatch_request(). Returns the parsed response body (the
 * result object, or the {"__type","message"} error object); the caller cJSON_Delete()s it.
 * Fails the test if the body is not JSON.
 */
cJSON *tu_call(struct tu_env *env, const char *target, const char *body);

/* printf-style body. */
cJSON *tu_callf(struct tu_env *env, const char *target, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The __type of an error response, or NULL for a success response. */
const char *tu_error_type(const cJSON *resp);

/* Shorthands for the two target prefixes. */
#define IDP "AWSCognitoIdentityProviderService."
#define IDENTITY "AWSCognitoIdentityService."

#endif
