/*
 * dispatch: the AWS JSON 1.1 front end. It knows the protocol (X-Amz-Target, SigV4 region,
 * error bodies) and nothing about HTTP servers or SQL.
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
#include "util/ids.h"
#include "aws/op.h"

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
 * The region in a SigV4 Authorization header ("... Credential=AKID/date/REGION/service/...")
 * copied into out (size n). Returns 0, or -1 when there is none (out untouched).
 */
int dispatch_sigv4_region(const char *authorization, char *out, size_t n);

/* Number of table entries and the i-th full target string ("prefix.Operation") in name order
 * (the order the lookup uses), for tests. */
size_t dispatch_target_count(void);
const char *dispatch_target_name(size_t i);

#endif
