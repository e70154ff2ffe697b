/*
 * lambda: one call of the AWS Lambda Invoke API (POST /2015-03-31/functions/<name>/invocations),
 * as Cognito makes it for a trigger: RequestResponse (or Event for the asynchronous custom
 * senders), SigV4-signed with dummy credentials, within Cognito's 5-second deadline. It says
 * what happened; what that means for the operation is triggers.c's business.
 */
#ifndef COG_LAMBDA_H
#define COG_LAMBDA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Cognito waits 5 seconds for a synchronous trigger (not configurable there either). */
#define LAMBDA_TIMEOUT_MS 5000

/* The credentials the emulator signs with: LocalStack's conventional dummies. */
#define LAMBDA_ACCESS_KEY "test"
#define LAMBDA_SECRET_KEY "test"

enum lambda_result {
    LAMBDA_ANSWERED,       /* 200 (or 202 for Event): body is the function's answer */
    LAMBDA_FUNCTION_ERROR, /* 200 with X-Amz-Function-Error: body is {"errorMessage", ...} */
    LAMBDA_SERVICE_ERROR,  /* the Invoke API refused (non-2xx): error_type names why */
    LAMBDA_TIMEOUT,        /* no answer within the deadline */
    LAMBDA_UNREACHABLE,    /* no connection to the endpoint */
    LAMBDA_FAILED,         /* out of memory, or a malformed ARN or endpoint */
};

struct lambda_outcome {
    enum lambda_result result;
    long status;      /* the HTTP status, 0 without an answer */
    char *body;       /* the answer's body (NUL-terminated), or NULL */
    char *error_type; /* x-amzn-ErrorType of a service error, or NULL */
    char detail[160]; /* a failure in words (connection errors, libcurl's text) */
};

/*
 * The function name and qualifier that an ARN (or a bare name, "name:alias") addresses:
 * "arn:aws:lambda:us-east-1:123456789012:function:fn:live" -> "fn" and "live". name and
 * qualifier are written (sizes nn and qn; qualifier "" when none), and region too when the ARN
 * has one (size rn; unchanged otherwise). 0, or -1 when it is not a function ARN or a name.
 */
int lambda_parse_arn(const char *arn, char *name, size_t nn, char *qualifier, size_t qn,
                     char *region, size_t rn);

/*
 * Invoke function arn at endpoint ("http://host:port") with event (JSON text), synchronously
 * (RequestResponse) or not (async: Event), signed for region at unix_seconds. Fills *out
 * (lambda_outcome_free()); returns out->result.
 */
enum lambda_result lambda_invoke(const char *endpoint, const char *arn, const char *region,
                                 bool async, const char *event, int64_t unix_seconds,
                                 struct lambda_outcome *out);

void lambda_outcome_free(struct lambda_outcome *o);

#endif
