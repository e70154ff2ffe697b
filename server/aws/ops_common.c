/*
 * ops_common: the document plumbing the operation handlers share. See ops_common.h.
 *
 * Every store status a handler can meet is turned into an AWS error here, so the handlers
 * report an unknown id, a foreign NextToken and a database failure in the same words.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/jsonutil.h"
#include "aws/ops_common.h"

const struct ops_doc_type OPS_USER_POOL = {
    .kind = STORE_USER_POOL,
    .noun = "user pool",
    .missing_code = COG_E_RESOURCE_NOT_FOUND,
    .missing = "User pool %s does not exist.",
};

int ops_fail_internal(struct op_ctx *ctx, const char *what)
{
    return cog_err_set(&ctx->err, COG_E_INTERNAL_ERROR, "Internal error: %s.", what);
}

int ops_fail_not_found(struct op_ctx *ctx, const struct ops_doc_type *type, const char *id)
{
    /* The message is data, so it is not used as a format: its "%s" is filled in by hand. */
    const char *hole = strstr(type->missing, "%s");

    if (hole == NULL)
        return cog_err_set(&ctx->err, type->missing_code, "%s", type->missing);
    return cog_err_set(&ctx->err, type->missing_code, "%.*s%s%s", (int)(hole - type->missing),
                       type->missing, id ? id : "", hole + 2);
}

int ops_txn_begin(struct op_ctx *ctx)
{
    return store_begin(ctx->db) == STORE_OK ? 0 : ops_fail_internal(ctx, "starting a transaction");
}

struct ops_job {
    ops_job_fn *fn;
    void *arg;
    void (*free_arg)(void *);
    struct ops_job *next;
};

/* Run (when run) and free every queued job of ctx, oldest first; a failed job stops the
 * running (the rest are freed unrun). 0, or -1 when a job failed. */
static int jobs_drain(struct op_ctx *ctx, bool run)
{
    int rc = 0;

    while (ctx->after_commit != NULL) {
        struct ops_job *j = ctx->after_commit;

        ctx->after_commit = j->next;
        if (run && rc == 0)
            rc = j->fn(ctx, j->arg);
        if (j->free_arg != NULL)
            j->free_arg(j->arg);
        free(j);
    }
    return rc;
}

bool ops_txn_open(const struct op_ctx *ctx)
{
    return ctx->db != NULL && store_in_transaction(ctx->db);
}

int ops_after_commit(struct op_ctx *ctx, ops_job_fn *fn, void *arg, void (*free_arg)(void *))
{
    struct ops_job *j, **tail = &ctx->after_commit;

    if (!ops_txn_open(ctx)) {
        int rc = fn(ctx, arg);
        if (free_arg != NULL)
            free_arg(arg);
        return rc;
    }
    if ((j = calloc(1, sizeof(*j))) == NULL) {
        if (free_arg != NULL)
            free_arg(arg);
        return ops_fail_internal(ctx, "out of memory");
    }
    *j = (struct ops_job){fn, arg, free_arg, NULL};
    while (*tail != NULL)
        tail = &(*tail)->next;
    *tail = j;
    return 0;
}

void ops_ctx_finish(struct op_ctx *ctx)
{
    (void)jobs_drain(ctx, false);
}

int ops_txn_end(struct op_ctx *ctx, int rc)
{
    if (rc == 0 && store_commit(ctx->db) != STORE_OK)
        rc = ops_fail_internal(ctx, "committing a transaction");
    if (rc != 0)
        store_rollback(ctx->db);
    if (jobs_drain(ctx, rc == 0) != 0)
        rc = -1;
    return rc;
}

/* The AWS error for a failed store call on document id of type: unknown id or internal. */
static int fail_store(struct op_ctx *ctx, int status, const struct ops_doc_type *type,
                      const char *id, const char *doing)
{
    char what[128];

    if (status == STORE_NOT_FOUND)
        return ops_fail_not_found(ctx, type, id);
    snprintf(what, sizeof(what), "%s the %s", doing, type->noun);
    return ops_fail_internal(ctx, what);
}

int ops_doc_load(struct op_ctx *ctx, const struct ops_doc_type *type, const char *id,
                 const char *parent, cJSON **doc)
{
    char *text = NULL;
    int st = store_doc_get(ctx->db, type->kind, id, parent, &text);

    *doc = NULL;
    if (st != STORE_OK)
        return fail_store(ctx, st, type, id, "reading");
    *doc = cJSON_Parse(text);
    free(text);
    return *doc ? 0 : fail_store(ctx, STORE_ERROR, type, id, "parsing");
}

int ops_doc_check(struct op_ctx *ctx, const struct ops_doc_type *type, const char *id,
                  const char *parent)
{
    char *text = NULL;
    int st = store_doc_get(ctx->db, type->kind, id, parent, &text);

    free(text);
    return st == STORE_OK ? 0 : fail_store(ctx, st, type, id, "reading");
}

int ops_doc_save(struct op_ctx *ctx, const struct ops_doc_type *type, const char *id,
                 const char *parent, const cJSON *doc, bool insert)
{
    char *text = cJSON_PrintUnformatted(doc);
    int st = STORE_ERROR;

    if (text != NULL)
        st = insert ? store_doc_insert(ctx->db, type->kind, id, parent, text)
                    : store_doc_replace(ctx->db, type->kind, id, parent, text);
    free(text);
    if (st == STORE_NOT_FOUND && insert && type->parent != NULL)
        fail_store(ctx, st, type->parent, parent, "storing");
    else if (st != STORE_OK)
        fail_store(ctx, st, type, id, "storing");
    return st;
}

int ops_doc_delete(struct op_ctx *ctx, const struct ops_doc_type *type, const char *id,
                   const char *parent)
{
    int st = store_doc_delete(ctx->db, type->kind, id, parent);

    return st == STORE_OK ? 0 : fail_store(ctx, st, type, id, "deleting");
}

int ops_copy_members(cJSON *dst, const cJSON *src, const char *const *members)
{
    for (; *members != NULL; members++)
        if (json_copy_member(dst, src, *members) != 0)
            return -1;
    return 0;
}

int ops_out_set(struct op_ctx *ctx, const char *name, cJSON *item)
{
    return json_set_item(ctx->out, name, item) == 0 ? 0 : ops_fail_internal(ctx, "out of memory");
}

/* Append to list the projection onto members of each document of page. 0 or -1 (memory). */
static int project_page(cJSON *list, const struct store_page *page, const char *const *members)
{
    for (size_t i = 0; i < page->count; i++) {
        cJSON *doc = cJSON_Parse(page->docs[i]), *item = cJSON_CreateObject();
        int bad = doc == NULL || item == NULL || !cJSON_AddItemToArray(list, item);

        if (bad)
            cJSON_Delete(item);
        else
            bad = ops_copy_members(item, doc, members) != 0;
        cJSON_Delete(doc);
        if (bad)
            return -1;
    }
    return 0;
}

int ops_doc_list_page(struct op_ctx *ctx, const struct ops_doc_type *type, const char *parent,
                      const char *list_name, const char *const *members)
{
    struct store_page page = {0};
    cJSON *list;
    char what[128];
    int st, rc = 0;

    st = store_doc_list(ctx->db, type->kind, parent, json_str(ctx->in, "NextToken"),
                        (int)json_int(ctx->in, "MaxResults", 60), &page);
    /* AWS's wording for a foreign token was not found; this one is the emulator's. */
    if (st == STORE_BAD_TOKEN)
        return cog_err_set(&ctx->err, COG_E_INVALID_PARAMETER, "Invalid NextToken.");
    snprintf(what, sizeof(what), "listing %s", list_name);
    if (st != STORE_OK)
        return ops_fail_internal(ctx, what);
    list = cJSON_AddArrayToObject(ctx->out, list_name);
    if (list == NULL || project_page(list, &page, members) != 0 ||
        (page.next_token != NULL && json_set_str(ctx->out, "NextToken", page.next_token) != 0))
        rc = ops_fail_internal(ctx, what);
    store_page_free(&page);
    return rc;
}
