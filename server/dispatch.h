/*
 * dispatch: the AWS JSON 1.1 front end. It knows the protocol (X-Amz-Target, SigV4 region,
 * error bodies, the x-amzn response headers) and nothing about SQL; of HTTP it knows only the
 * response it fills (http.h).
 *
 * One request: parse the target, find the operation in the sorted table from targets.def,
 * parse the body as a JSON object, validate it against the model (params.h), take a store
 * connection, run the handler, and produce the JSON body or the AWS error.
 */
#ifndef COG_DISPATCH_H
#define COG_DISPATCH_H

#include <stddef.h>

#include "app.h"
#include "aws/errors.h"
#include "aws/op.h"
#include "http/http.h"
#include "util/ids.h"

struct dispatch_result {
    int status;                        /* 200, 400, 413 or 500 */
    char *body;                        /* JSON text, owned; freed by dispatch_result_free */
    enum cog_error code;               /* COG_OK on success */
    char message[512];                 /* the error message when code != COG_OK */
    char operation[64];                /* operation name for logs ("" when unknown) */
    char request_id[IDS_UUID_LEN + 1]; /* a new uuid per request */
};

/*
 * Run one request. target is the X-Amz-Target header (may be NULL), authorization the
 * Authorization header (may be NULL; only its SigV4 credential scope is read, for the region),
 * body the raw request body. Always fills *res; free it with dispatch_result_free().
 */
void dispatch_request(const struct app *app, const char *target, const char *authorization,
                      const char *body, size_t body_len, struct dispatch_result *res);

/* Fill *res with the AWS error code/message (for errors found before dispatch, e.g. the cap). */
void dispatch_error(struct dispatch_result *res, enum cog_error code, const char *message);

void dispatch_result_free(struct dispatch_result *res);

/*
 * Answer res over HTTP as AWS does: its status and JSON body (taken from res) as
 * application/x-amz-json-1.1, x-amzn-RequestId, and for an error x-amzn-ErrorType
 * ("<__type>:") and x-amzn-ErrorMessage. The log label is the operation (or "-") and the
 * error's __type.
 */
void dispatch_respond(struct dispatch_result *res, struct http_response *resp);

/*
 * Answer an AWS-shaped error found outside dispatch_request() (an unknown path, the body
 * cap, a missing pool): code with message, a new request id, status (0: errors.def's), and
 * label as the operation in the log line ("" or "-" for none).
 */
void dispatch_respond_error(enum cog_error code, const char *message, int status, const char *label,
                            struct http_response *resp);

/*
 * The region in a SigV4 Authorization header ("... Credential=AKID/date/REGION/service/...")
 * copied into out (size n). Returns 0, or -1 when there is none (out untouched).
 */
int dispatch_sigv4_region(const char *authorization, char *out, size_t n);

/* Number of table entries and the i-th full target string ("prefix.Operation") in name order
 * (the order the lookup uses), for tests. */
size_t dispatch_target_count(void);
const char *dispatch_target_name(size_t i);

#endif
