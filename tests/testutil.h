/*
 * testutil: what the unit suites share: a fresh in-memory store with default settings (and a
 * Check fixture that makes one per test), a way to call an operation exactly as the server
 * does (validation included) without HTTP, typed getters and assertions over the JSON
 * answers, and a small libcurl client for the suites that talk to a real socket.
 */
#ifndef COG_TESTUTIL_H
#define COG_TESTUTIL_H

#include <cJSON.h>
#include <check.h>
#include <stdbool.h>

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
 * The environment of the operation suites: tu_setup(), their checked fixture's setup, gives
 * it a fresh store (tu_env_init) and sets the emulator clock back to real time; tu_teardown()
 * resets the clock and closes the store. A suite reaches it as &tu_fixture.
 */
extern struct tu_env tu_fixture;
void tu_setup(void);
void tu_teardown(void);

/*
 * Call "<target prefix>.<operation>", e.g. tu_call(env,
 * "AWSCognitoIdentityProviderService.CreateUserPool",
 * "{\"PoolName\":\"p\"}"), through dispatch_request(). Returns the parsed response body (the
 * result object, or the {"__type","message"} error object); the caller cJSON_Delete()s it.
 * Fails the test if the body is not JSON.
 */
cJSON *tu_call(struct tu_env *env, const char *target, const char *body);

/* printf-style body. */
cJSON *tu_callf(struct tu_env *env, const char *target, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * CreateUserPool with the request body body. Returns the new pool's id, a new string the
 * caller frees; fails the test when the call fails.
 */
char *tu_create_user_pool(struct tu_env *env, const char *body);

/* The __type of an error response, or NULL for a success response. */
const char *tu_error_type(const cJSON *resp);

/*
 * Case-sensitive getters over a response (AWS member names), borrowing from obj.
 * tu_get: the member name of any type, or NULL. tu_str: its string, or NULL when absent or
 * not a string. tu_num and tu_bool fail the test unless the member is a number / a boolean.
 */
cJSON *tu_get(const cJSON *obj, const char *name);
const char *tu_str(const cJSON *obj, const char *name);
double tu_num(const cJSON *obj, const char *name);
bool tu_bool(const cJSON *obj, const char *name);

/* Fail the test unless value is non-NULL and matches the POSIX extended regex pattern. */
void tu_assert_matches(const char *value, const char *pattern);

/*
 * Fail the test unless resp is an error response of __type type and, when message is not
 * NULL, of exactly that message.
 */
void tu_assert_error(const cJSON *resp, const char *type, const char *message);

/* Shorthands for the two target prefixes. */
#define IDP "AWSCognitoIdentityProviderService."
#define IDENTITY "AWSCognitoIdentityService."

/* One HTTP exchange made with libcurl, for the suites that talk to a real socket. */
struct tu_http {
    long status;
    char *body;    /* NUL-terminated response body */
    char *headers; /* the raw response header block */
};

/*
 * Send method to url with the given extra header lines ("Name: value", NULL-terminated list,
 * may be NULL) and body (may be NULL). Fails the test when the connection fails.
 */
void tu_http_request(const char *method, const char *url, const char *const *headers,
                     const char *body, size_t body_len, struct tu_http *out);

/* POST an AWS JSON 1.1 request with X-Amz-Target target to url. */
void tu_http_aws(const char *url, const char *target, const char *body, struct tu_http *out);

/* The value of response header name (case-insensitive) copied into buf, or NULL. */
const char *tu_http_header(const struct tu_http *r, const char *name, char *buf, size_t n);

void tu_http_free(struct tu_http *r);

#endif
