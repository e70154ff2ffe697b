/*
 * ops_resource_server: the resource server operations (CreateResourceServer,
 * DescribeResourceServer, UpdateResourceServer, DeleteResourceServer, ListResourceServers).
 *
 * A resource server is stored as the ResourceServerType document Describe returns (see
 * resource_server.h). params.c has already applied the model: Identifier 1-256 printable
 * characters without '"' or '\', Name [\w\s+=,.@-]+, ScopeName without '/', '"' or '\', at
 * most 100 scopes, MaxResults 1-50. Update replaces the name and the whole list of scopes
 * (omitted Scopes: none); client associations of a removed scope stay (resource_server.h).
 * Facts: ../shared/oauth2-hosted-ui.md 1.2.
 */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>

#include "util/jsonutil.h"
#include "aws/op.h"
#include "aws/ops_common.h"
#include "userpool/resource_server.h"
#include "store/store.h"

/* Cognito's quota of resource servers per user pool (Developer Guide, "Quotas in Amazon
 * Cognito": 25, not adjustable). */
#define MAX_RESOURCE_SERVERS 25

/* The ResourceServerType members, in the order Describe shows them. */
static const char *const MEMBERS[] = {"UserPoolId", "Identifier", "Name", "Scopes", NULL};

/*
 * The store key of the request's resource server into key (size 1024). The pool must exist:
 * 0, or -1 with ctx->err set (ResourceNotFoundException for the pool).
 */
static int request_key(struct op_ctx *ctx, char *key, size_t size)
{
    const char *pool_id = json_str(ctx->in, "UserPoolId");

    if (ops_doc_check(ctx, &OPS_USER_POOL, pool_id, NULL) != 0)
        return -1;
    if (resource_server_key(pool_id, json_str(ctx->in, "Identifier"), key, size) != 0)
        return ops_fail_internal(ctx, "resource server key too long");
    return 0;
}

/* Name an unknown resource server by its Identifier, not by its store key. */
static int not_found(struct op_ctx *ctx)
{
    if (ctx->err.code == COG_E_RESOURCE_NOT_FOUND)
        ops_fail_not_found(ctx, &RESOURCE_SERVER_DOC, json_str(ctx->in, "Identifier"));
    return -1;
}

/* The resource server document the request describes (Create and Update build the same). */
static cJSON *from_request(const struct op_ctx *ctx)
{
    cJSON *server = cJSON_CreateObject();

    if (server == NULL || ops_copy_members(server, ctx->in, MEMBERS) != 0) {
        cJSON_Delete(server);
        return NULL;
    }
    return server;
}

/* Store the request's resource server under key (insert or replace), answer it. */
static int save(struct op_ctx *ctx, const char *key, bool insert)
{
    const char *pool_id = json_str(ctx->in, "UserPoolId");
    cJSON *server = from_request(ctx);
    int st;

    if (server == NULL)
        return ops_fail_internal(ctx, "out of memory");
    st = ops_doc_save(ctx, &RESOURCE_SERVER_DOC, key, pool_id, server, insert);
    /* The wording of moto; AWS's was not found. */
    if (st == STORE_EXISTS)
        cog_err_set(&ctx->err, COG_E_INVALID_PARAMETER, "%s already exists in user pool %s.",
                    json_str(ctx->in, "Identifier"), pool_id);
    if (st != STORE_OK) {
        cJSON_Delete(server);
        return st == STORE_NOT_FOUND && !insert ? not_found(ctx) : -1;
    }
    return ops_out_set(ctx, "ResourceServer", server);
}

int op_create_resource_server(struct op_ctx *ctx)
{
    const char *pool_id = json_str(ctx->in, "UserPoolId");
    char key[1024];
    int64_t count;
    int rc = -1;

    if (ops_txn_begin(ctx) != 0)
        return -1;
    if (request_key(ctx, key, sizeof(key)) != 0)
        goto out;
    count = store_doc_count(ctx->db, STORE_RESOURCE_SERVER, pool_id);
    if (count < 0)
        ops_fail_internal(ctx, "counting resource servers");
    /* The message is this emulator's; Cognito's was not found. */
    else if (count >= MAX_RESOURCE_SERVERS)
        cog_err_set(&ctx->err, COG_E_LIMIT_EXCEEDED,
                    "The user pool %s already has the maximum number of resource servers (%d).",
                    pool_id, MAX_RESOURCE_SERVERS);
    else
        rc = save(ctx, key, true);
out:
    return ops_txn_end(ctx, rc);
}

int op_describe_resource_server(struct op_ctx *ctx)
{
    char key[1024];
    cJSON *server = NULL;

    if (request_key(ctx, key, sizeof(key)) != 0)
        return -1;
    if (ops_doc_load(ctx, &RESOURCE_SERVER_DOC, key, json_str(ctx->in, "UserPoolId"), &server) != 0)
        return not_found(ctx);
    return ops_out_set(ctx, "ResourceServer", server);
}

int op_update_resource_server(struct op_ctx *ctx)
{
    char key[1024];

    if (request_key(ctx, key, sizeof(key)) != 0)
        return -1;
    return save(ctx, key, false);
}

int op_delete_resource_server(struct op_ctx *ctx)
{
    char key[1024];

    if (request_key(ctx, key, sizeof(key)) != 0)
        return -1;
    if (ops_doc_delete(ctx, &RESOURCE_SERVER_DOC, key, json_str(ctx->in, "UserPoolId")) != 0)
        return not_found(ctx);
    return 0;
}

int op_list_resource_servers(struct op_ctx *ctx)
{
    const char *pool_id = json_str(ctx->in, "UserPoolId");

    if (ops_doc_check(ctx, &OPS_USER_POOL, pool_id, NULL) != 0)
        return -1;
    return ops_doc_list_page(ctx, &RESOURCE_SERVER_DOC, pool_id, "ResourceServers", MEMBERS);
}
