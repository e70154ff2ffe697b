/*
 * ops_client: the app client operations (CreateUserPoolClient, DescribeUserPoolClient,
 * ListUserPoolClients, UpdateUserPoolClient, DeleteUserPoolClient).
 *
 * A client is stored as the UserPoolClientType document DescribeUserPoolClient returns (kind
 * STORE_USER_POOL_CLIENT, parent: its user pool id), built with AWS's defaults by
 * client.c. Every operation first reads the pool, so an unknown pool is reported as
 * such, and looks the client up under that pool, so a client of another pool is unknown.
 */
#include "config.h"

#include <stdbool.h>

#include "util/ids.h"
#include "util/jsonutil.h"
#include "aws/op.h"
#include "aws/ops_common.h"
#include "userpool/client.h"
#include "store/store.h"

/* The request's user pool into *pool (caller deletes), or ResourceNotFoundException. */
static int load_pool(struct op_ctx *ctx, cJSON **pool)
{
    return ops_doc_load(ctx, &OPS_USER_POOL, json_str(ctx->in, "UserPoolId"), NULL, pool);
}

/* The request's client (ClientId, in UserPoolId) into *client, or ResourceNotFoundException. */
static int load_client(struct op_ctx *ctx, cJSON **client)
{
    return ops_doc_load(ctx, &CLIENT_DOC, json_str(ctx->in, "ClientId"),
                        json_str(ctx->in, "UserPoolId"), client);
}

/* Store client document doc (insert or replace); STORE_* status, ctx->err set on failure. */
static int save_client(struct op_ctx *ctx, const cJSON *doc, bool insert)
{
    return ops_doc_save(ctx, &CLIENT_DOC, json_str(doc, "ClientId"), json_str(doc, "UserPoolId"),
                        doc, insert);
}

/*
 * The client secret: 51 characters generated when GenerateSecret is true, the caller's own
 * ClientSecret when given, none otherwise. Both at once are refused: "You cannot specify both
 * GenerateSecret as true and provide a ClientSecret value" (API reference; the error text of
 * real Cognito was not found, so the documentation's sentence is used).
 */
static int choose_secret(struct op_ctx *ctx, char *buf, const char **secret)
{
    const char *given = json_str(ctx->in, "ClientSecret");
    bool generate = json_bool(ctx->in, "GenerateSecret", false);

    *secret = given;
    if (generate && given != NULL)
        return cog_err_set(&ctx->err, COG_E_INVALID_PARAMETER,
                           "You cannot specify both GenerateSecret as true and provide a "
                           "ClientSecret value.");
    if (generate) {
        ids_client_secret(buf);
        *secret = buf;
    }
    return 0;
}

int op_create_user_pool_client(struct op_ctx *ctx)
{
    char id[IDS_CLIENT_ID_LEN + 1], buf[IDS_CLIENT_SECRET_LEN + 1];
    const char *secret;
    cJSON *pool = NULL, *client = NULL;
    int st = STORE_EXISTS, rc = -1;

    if (load_pool(ctx, &pool) != 0 || choose_secret(ctx, buf, &secret) != 0 ||
        client_check_oauth(ctx, ctx->in, secret != NULL) != 0)
        goto out;
    /* Redraw the 26 random characters on the (vanishingly rare) clash. */
    for (int tries = 0; st == STORE_EXISTS && tries < 5; tries++) {
        ids_client_id(id);
        cJSON_Delete(client);
        if (client_new(ctx->in, pool, id, secret, ctx->now_ms, &client, &ctx->err) != 0)
            goto out;
        st = save_client(ctx, client, true); /* the pool may have gone meanwhile */
    }
    if (st == STORE_OK) {
        rc = ops_out_set(ctx, "UserPoolClient", client);
        client = NULL;
    }
out:
    cJSON_Delete(pool);
    cJSON_Delete(client);
    return rc;
}

int op_describe_user_pool_client(struct op_ctx *ctx)
{
    cJSON *pool = NULL, *client = NULL;
    int rc = -1;

    if (load_pool(ctx, &pool) == 0 && load_client(ctx, &client) == 0)
        rc = ops_out_set(ctx, "UserPoolClient", client);
    cJSON_Delete(pool);
    return rc;
}

/* The UserPoolClientDescription members ListUserPoolClients shows of each client. */
static const char *const DESCRIPTION[] = {"ClientId", "UserPoolId", "ClientName", NULL};

int op_list_user_pool_clients(struct op_ctx *ctx)
{
    if (ops_doc_check(ctx, &OPS_USER_POOL, json_str(ctx->in, "UserPoolId"), NULL) != 0)
        return -1;
    /* MaxResults is optional here; AWS's default and maximum are 60. */
    return ops_doc_list_page(ctx, &CLIENT_DOC, json_str(ctx->in, "UserPoolId"), "UserPoolClients",
                             DESCRIPTION);
}

/*
 * UpdateUserPoolClient replaces the client's configuration like UpdateUserPool: "If you don't
 * provide a value for an attribute, Amazon Cognito sets it to its default value" (API
 * reference). ClientId, ClientSecret, CreationDate and an omitted ClientName are kept.
 */
int op_update_user_pool_client(struct op_ctx *ctx)
{
    cJSON *pool = NULL, *old = NULL, *client = NULL;
    int rc = -1;

    if (ops_txn_begin(ctx) != 0)
        return -1;
    if (load_pool(ctx, &pool) == 0 && load_client(ctx, &old) == 0 &&
        client_check_oauth(ctx, ctx->in, json_str(old, "ClientSecret") != NULL) == 0 &&
        client_update(ctx->in, pool, old, ctx->now_ms, &client, &ctx->err) == 0 &&
        save_client(ctx, client, false) == STORE_OK)
        rc = 0;
    rc = ops_txn_end(ctx, rc);
    if (rc == 0) {
        rc = ops_out_set(ctx, "UserPoolClient", client);
        client = NULL;
    }
    cJSON_Delete(pool);
    cJSON_Delete(old);
    cJSON_Delete(client);
    return rc;
}

int op_delete_user_pool_client(struct op_ctx *ctx)
{
    if (ops_doc_check(ctx, &OPS_USER_POOL, json_str(ctx->in, "UserPoolId"), NULL) != 0)
        return -1;
    return ops_doc_delete(ctx, &CLIENT_DOC, json_str(ctx->in, "ClientId"),
                          json_str(ctx->in, "UserPoolId"));
}
