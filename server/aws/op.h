/*
 * op: what an operation handler sees. A handler reads its validated input from ctx->in,
 * calls store_*, fills ctx->out and returns 0; or records an error with
 * cog_err_set(&ctx->err, ...) and returns -1. It knows nothing of HTTP or SQL.
 *
 * The handler prototypes are generated from targets.def, the one table of operations.
 */
#ifndef COG_OP_H
#define COG_OP_H

#include <cJSON.h>
#include <stdint.h>

#include "aws/errors.h"

struct settings;
struct store_conn;
struct ops_job; /* work that waits for the request's commit (ops_common.h) */

/* The two AWS services the emulator answers, by their X-Amz-Target prefix. */
enum aws_service {
    SVC_IDP,      /* AWSCognitoIdentityProviderService: user pools (cognito-idp) */
    SVC_IDENTITY, /* AWSCognitoIdentityService: identity pools (cognito-identity) */
};

struct op_ctx {
    const struct settings *settings; /* read-only process settings (account id, base URL) */
    const char *region;              /* the request's region: SigV4 scope or the default */
    const char *operation;           /* e.g. "CreateUserPool" */
    struct store_conn *db;           /* this request's database connection */
    int64_t now_ms;                  /* the emulator clock (clock.h) when the request began */
    const cJSON *in;                 /* request object, validated against the model; borrowed */
    cJSON *out;                      /* response object, owned by the dispatcher */
    struct cog_err err;              /* set by a failing handler */
    struct ops_job *after_commit;    /* ops_after_commit() jobs, in the order given */
};

typedef int op_fn(struct op_ctx *ctx);

#define TARGET(prefix, name, fn) op_fn fn;
#include "targets.def"
#undef TARGET

#endif
