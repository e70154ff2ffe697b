/*
 * testlambda: a scriptable fake of the AWS Lambda Invoke API for the test suites. It listens on
 * 127.0.0.1 (a free port), answers POST /2015-03-31/functions/<FunctionName>/invocations the
 * way AWS Lambda and serverless-offline do (lambda-triggers.md section 7), and records every
 * call it received so that a test can look at the events, headers and Qualifier it was sent.
 *
 * A test scripts the answer per function name: a C callback, or one of the ready-made fixed
 * answers (a body, a function error, a service error, a delay). A function without a script
 * answers 404 ResourceNotFoundException, as Lambda does for an unknown name. Connections are
 * served each on its own thread, so a delayed answer never holds up another call, and
 * tlam_stop() cuts every delay short.
 *
 * The fake knows nothing about Cognito and ignores the SigV4 signature (it records it).
 */
#ifndef COG_TESTLAMBDA_H
#define COG_TESTLAMBDA_H

#include <cJSON.h>
#include <stdbool.h>
#include <stddef.h>

struct tlam;

/*
 * What one call answers; a handler fills it. The strings function_error and error_type are
 * borrowed: they must live as long as the script's arg (string literals do).
 */
struct tlam_answer {
    int status;                 /* 0 means 200 */
    const char *function_error; /* NULL, or the X-Amz-Function-Error value ("Unhandled") */
    const char *error_type;     /* NULL, or the x-amzn-ErrorType value of a service error */
    char *body;                 /* malloc'd, the fake frees it; NULL answers an empty body */
    int delay_ms;               /* wait this long before answering (ended by tlam_stop) */
};

/*
 * A script: called on a connection thread with the request body parsed as JSON (NULL when it
 * is not JSON) and the arg given to tlam_on(); out starts zeroed. Must not call Check's
 * assertions (they belong to the test's thread) nor the tlam_* functions that take the fake.
 */
typedef void tlam_fn(const cJSON *event, void *arg, struct tlam_answer *out);

/* Start a fake on 127.0.0.1 and a free port. Returns NULL when the server cannot start. */
struct tlam *tlam_start(void);

/* "http://127.0.0.1:<port>", borrowed from the fake. */
const char *tlam_url(const struct tlam *t);

/*
 * Stop the fake and free it, with every script and record. Delayed answers end at once;
 * calls still in flight may get their answer or a closed connection. Accepts NULL.
 */
void tlam_stop(struct tlam *t);

/*
 * From now on, calls to function fn (the path segment, URL-decoded, e.g. "preSignUp" or a full
 * ARN) answer what handler says; this replaces an earlier script for fn. A NULL handler
 * removes the script, so fn answers 404 again. arg stays the caller's.
 *
 * X-Amz-Invocation-Type: Event runs the script too (and waits its delay), then turns a 2xx
 * answer into 202 with an empty body, as an asynchronous invoke reports only acceptance.
 */
void tlam_on(struct tlam *t, const char *fn, tlam_fn *handler, void *arg);

/* Ready-made script: 200 and the event unchanged. */
void tlam_return_event(const cJSON *event, void *arg, struct tlam_answer *out);

/* Fixed answers for fn (copies of the strings are kept): 200 and body. */
void tlam_on_body(struct tlam *t, const char *fn, const char *body);
/* 200, X-Amz-Function-Error: Unhandled, {"errorMessage":message,"errorType":"Error",...}. */
void tlam_on_error(struct tlam *t, const char *fn, const char *message);
/* A service error: status, x-amzn-ErrorType: error_type, {"Type":...,"Message":error_type}. */
void tlam_on_status(struct tlam *t, const char *fn, int status, const char *error_type);
/* 200 and the event unchanged, after delay_ms. */
void tlam_on_delay(struct tlam *t, const char *fn, int delay_ms);

/*
 * For scripts. tlam_answer_error: make out a function error with errorMessage message.
 * tlam_event_with_response: the event's text with its "response" member replaced by the
 * parsed response_json (a trigger's answer); a new string the caller (or the fake, as an
 * answer's body) frees, or NULL when event is not an object or response_json is not JSON.
 */
void tlam_answer_error(struct tlam_answer *out, const char *message);
char *tlam_event_with_response(const cJSON *event, const char *response_json);

/*
 * The calls the fake received for fn (whatever it answered), oldest first; a call is recorded
 * when it arrives, before its script runs. Bad paths and methods are not recorded.
 * tlam_event: call i's body parsed, a copy the caller cJSON_Delete()s; NULL when there is no
 * such call or the body is not JSON. tlam_header (name case-insensitive) and tlam_query
 * (e.g. "Qualifier"): a copy of the value the caller frees, or NULL.
 */
size_t tlam_count(struct tlam *t, const char *fn);
cJSON *tlam_event(struct tlam *t, const char *fn, size_t i);
char *tlam_header(struct tlam *t, const char *fn, size_t i, const char *name);
char *tlam_query(struct tlam *t, const char *fn, size_t i, const char *name);

/*
 * Wait up to ms milliseconds for fn to have received at least n calls (for asynchronous
 * senders). Returns whether it did.
 */
bool tlam_wait_count(struct tlam *t, const char *fn, size_t n, int ms);

/* Forget every script and record. */
void tlam_reset(struct tlam *t);

/* ---- For the trigger suites ---------------------------------------------------------------- */

/*
 * A Check fixture: tlam_setup() makes tu_fixture fresh (tu_setup) and starts a fake,
 * tlam_fixture, at which tu_fixture's settings point --lambda-endpoint; tlam_teardown() stops
 * both.
 */
extern struct tlam *tlam_fixture;
void tlam_setup(void);
void tlam_teardown(void);

/*
 * A script: the event answered with its "response" replaced by arg (JSON text).
 * tlam_on_response: fn answers so from now on; response_json must outlive the script (a string
 * literal does).
 */
void tlam_answer_response(const cJSON *event, void *arg, struct tlam_answer *out);
void tlam_on_response(struct tlam *t, const char *fn, const char *response_json);

#endif
