/*
 * ops_common: what every operation handler file does with stored documents, done once:
 * read one and parse it, write one back, delete one, answer one page of a List operation,
 * and turn store statuses into AWS errors (an unknown id, InternalErrorException).
 *
 * A kind of document is described once by a struct ops_doc_type (its store kind, how AWS
 * names an unknown one, its parent's type); the functions take that description, so a new
 * handler file (users, groups, identities) adds a description, not another copy of this code.
 * Like the handlers, this module knows neither HTTP nor SQL: it calls store_* and fills
 * ctx->err and ctx->out.
 */
#ifndef COG_OPS_COMMON_H
#define COG_OPS_COMMON_H

#include <cJSON.h>
#include <stdbool.h>

#include "aws/op.h"
#include "store/store.h"

/* How the handlers store and name one kind of document. */
struct ops_doc_type {
    enum store_kind kind;
    const char *noun;            /* in InternalErrorException messages, e.g. "user pool" */
    enum cog_error missing_code; /* the error for an unknown id, e.g. COG_E_RESOURCE_NOT_FOUND */
    const char *missing;         /* its message, as AWS words it; a "%s" stands for the id */
    const struct ops_doc_type *parent; /* the parent's type; NULL for kinds without one */
};

/* User pools, the parent of most cognito-idp documents, so every handler file shares it. */
extern const struct ops_doc_type OPS_USER_POOL;

/*
 * Record InternalErrorException "Internal error: <what>." in ctx->err (the dispatcher logs
 * it). Returns -1, so that a handler can `return ops_fail_internal(ctx, "...")`.
 */
int ops_fail_internal(struct op_ctx *ctx, const char *what);

/*
 * Work that must wait until the request's writes are durable and must not hold the write
 * lock: deliveries and the triggers that shape them (a Lambda call takes milliseconds to
 * seconds, and SQLite has one writer). fn(ctx, arg) runs right away when no transaction is
 * open, else right after ops_txn_end() commits, in the order given; a rollback drops it.
 * free_arg (may be NULL) releases arg in every case. A job returns 0, or -1 with ctx->err
 * set: a synchronous trigger that refused the message fails the request, though what was
 * committed stands; the jobs after it are dropped. ops_after_commit() returns 0; or -1 when
 * out of memory (ctx->err set, arg released) or when it ran a job at once and the job failed.
 */
typedef int ops_job_fn(struct op_ctx *ctx, void *arg);

/* Whether the request holds a write transaction (ops_txn_begin() without its end yet). */
bool ops_txn_open(const struct op_ctx *ctx);

int ops_after_commit(struct op_ctx *ctx, ops_job_fn *fn, void *arg, void (*free_arg)(void *));

/* The end of a request: drop the jobs no commit ran (the dispatcher calls it every time). */
void ops_ctx_finish(struct op_ctx *ctx);

/* Record type's unknown-id error for id in ctx->err. Returns -1. */
int ops_fail_not_found(struct op_ctx *ctx, const struct ops_doc_type *type, const char *id);

/*
 * Start a write transaction, for an operation that reads, checks and writes back, so that
 * concurrent requests cannot interleave. Returns 0, or -1 with InternalErrorException.
 */
int ops_txn_begin(struct op_ctx *ctx);

/*
 * End the transaction ops_txn_begin() started with the operation's result rc: commit it when
 * rc is 0, roll it back otherwise. Returns rc, or -1 with InternalErrorException when the
 * commit fails (the transaction is then rolled back), or -1 with a job's error when one of
 * the jobs the commit runs (ops_after_commit) fails.
 */
int ops_txn_end(struct op_ctx *ctx, int rc);

/*
 * Read document id of type (within parent when non-NULL; a document of another parent is
 * unknown) and parse it. Returns 0 with *doc a new object the caller cJSON_Delete()s; or -1
 * with *doc NULL and ctx->err set: type's unknown-id error, or InternalErrorException.
 */
int ops_doc_load(struct op_ctx *ctx, const struct ops_doc_type *type, const char *id,
                 const char *parent, cJSON **doc);

/*
 * Check that document id of type exists (within parent when non-NULL), for operations on its
 * children. Returns 0, or -1 with ctx->err set as by ops_doc_load().
 */
int ops_doc_check(struct op_ctx *ctx, const struct ops_doc_type *type, const char *id,
                  const char *parent);

/*
 * Serialize doc (borrowed) and store it as document id of type under parent (NULL for none):
 * a new document when insert is true, else in place of the stored one. Returns STORE_OK, or
 * the failing STORE_* status with ctx->err set: STORE_NOT_FOUND is the unknown-id error of the
 * parent (insert) or of the document (replace); STORE_EXISTS (the id is taken) and
 * STORE_ERROR are InternalErrorException. A caller that draws a fresh id on STORE_EXISTS, or
 * has its own "already exists" error, simply tries again or overwrites ctx->err.
 */
int ops_doc_save(struct op_ctx *ctx, const struct ops_doc_type *type, const char *id,
                 const char *parent, const cJSON *doc, bool insert);

/*
 * Delete document id of type (within parent when non-NULL) with its children. Returns 0, or
 * -1 with ctx->err set: type's unknown-id error, or InternalErrorException.
 */
int ops_doc_delete(struct op_ctx *ctx, const struct ops_doc_type *type, const char *id,
                   const char *parent);

/*
 * Copy the members named in members (a NULL-terminated list) that src has into dst, in that
 * order, as deep copies. Returns 0, or -1 when out of memory (dst may then hold some).
 */
int ops_copy_members(cJSON *dst, const cJSON *src, const char *const *members);

/*
 * Set ctx->out's member name to item, taking ownership of item (also on failure). Returns 0,
 * or -1 with InternalErrorException when out of memory.
 */
int ops_out_set(struct op_ctx *ctx, const char *name, cJSON *item);

/*
 * Answer one page of a List operation: the documents of type (under parent when non-NULL),
 * oldest first, from the request's NextToken and at most its MaxResults (60 when absent, AWS's
 * maximum), each projected onto members (a NULL-terminated list, see ops_copy_members) as one
 * object of the array ctx->out[list_name], and ctx->out's NextToken while more remain.
 * Returns 0, or -1 with ctx->err set: InvalidParameterException "Invalid NextToken." for a
 * token the store did not make, InternalErrorException otherwise.
 */
int ops_doc_list_page(struct op_ctx *ctx, const struct ops_doc_type *type, const char *parent,
                      const char *list_name, const char *const *members);

#endif
