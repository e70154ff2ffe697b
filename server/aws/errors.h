/*
 * errors: the one table of AWS errors (errors.def) and the one place that writes them.
 *
 * Handlers report a failure with cog_err_set(), which records the error code and a message in
 * a struct cog_err; the dispatcher turns that into the wire form with cog_err_body():
 * {"__type": "...", "message": "..."} plus the status and x-amzn-ErrorType header value.
 * Nothing else in the program formats an AWS error body.
 */
#ifndef COG_ERRORS_H
#define COG_ERRORS_H

#include <stddef.h>

enum cog_error {
    COG_OK = 0,
#define COG_ERROR(name, type, status) COG_E_##name,
#include "aws/errors.def"
#undef COG_ERROR
    COG_E__COUNT
};

/* One recorded failure: the code and a human message as Cognito words it. */
struct cog_err {
    enum cog_error code;
    char message[512];
};

/* The __type string of code, e.g. "NotAuthorizedException"; "" for COG_OK. */
const char *cog_err_type(enum cog_error code);

/* The HTTP status of code: 400 for client errors, 500 for internal faults, 200 for COG_OK. */
int cog_err_status(enum cog_error code);

/*
 * Record code and a printf-style message in *err. Returns -1 so that a handler can write
 * `return cog_err_set(&ctx->err, COG_E_X, "...")`. A message longer than the buffer is cut.
 */
int cog_err_set(struct cog_err *err, enum cog_error code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* cog_err_set(err, COG_E_INTERNAL_ERROR, "Out of memory."): -1, for the allocation failures. */
int cog_err_oom(struct cog_err *err);

/*
 * The JSON body for err: a new NUL-terminated string the caller frees with free(),
 * or NULL when out of memory.
 */
char *cog_err_body(const struct cog_err *err);

#endif
