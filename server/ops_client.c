/*
 * ops_client: the app client operations (CreateUserPoolClient, DescribeUserPoolClient,
 * ListUserPoolClients, UpdateUserPoolClient, DeleteUserPoolClient).
 *
 * A client is stored as the UserPoolClientType document DescribeUserPoolClient returns (kind
 * STORE_USER_POOL_CLIENT, parent: its user pool id), built with AWS's defaults by
 * pool_defaults.c. Every operation first reads the pool, so an unknown pool is reported as
 * such, and looks the client up under that pool, so a client of another pool is unknown.
 */
#include "config.h"

#include <stdbool.h>
#include <stdlib.h>

#include "ids.h"
#include "jsonutil.h"
#include "op.h"
#include "pool_defaults.h"
#include "store.h"

static int internal(struct op_ctx *ctx, const char *what)
{
    return cog_err_set(&ctx->err, COG_E_INTERNAL_ERROR, "Internal error: %s.", what);
}

/* Read and parse document id of kind under parent (NULL for none); STORE_* status. */
static int load_doc(struct op_ctx *ctx, enum store_kind kind, const char *id, const char *parent,
                    cJSON **doc)
{
    char *text = NULL;
    int st = store_doc_get(ctx->db, kind, id, parent, &text);

    *doc = NULL;
    if (st != STORE_OK)
        return st;
    *doc = cJSON_Parse(text);
    free(text);
    return *doc ? STORE_OK : STORE_ERROR;
}

/* The request's user pool into *pool (caller deletes), or ResourceNotFoundException. */
static int load_pool(struct op_ctx *ctx, cJSON **pool)
{
    const char *id = json_str(ctx->in, "UserPoolId");
    int st = load_doc(ctx, STORE_USER_POOL, id, NULL, pool);

    if (st == STORE_NOT_FOUND)
        return cog_err_set(&ctx->err, COG_E_RESOURCE_NOT_FOUND, "User pool %s does not exist.", id);
    return st == STORE_OK ? 0 : internal(ctx, "reading the user pool");
}

/* The request's client (ClientId, in UserPoolId) into *client, or ResourceNotFoundException. */
static int load_client(struct op_ctx *ctx, cJSON **client)
{
    const char *id = json_str(ctx->in, "ClientId");
    int st = load_doc(ctx, STORE_USER_POOL_CLIENT, id, json_str(ctx->in, "UserPoolId"), client);

    if (st == STORE_NOT_FOUND)
        return cog_err_set(&ctx->err, COG_E_RESOURCE_NOT_FOUND,
                           "User pool client %s does not exist.", id);
    return st == STORE_OK ? 0 : internal(ctx, "reading the app client");
}

/* Store client document doc (insert or replace); STORE_* status. */
static int save_client(struct op_ctx *ctx, const cJSON *doc, bool insert)
{
    char *text = cJSON_PrintUnformatted(doc);
    const char *id = json_str(doc, "ClientId"), *pool_id = json_str(doc, "UserPoolId");
    int st;

    if (text == NULL)
        return STORE_ERROR;
    st = insert ? store_doc_insert(ctx->db, STORE_USER_POOL_CLIENT, id, pool_id, text)
                : store_doc_replace(ctx->db, STORE_USER_POOL_CLIENT, id, pool_id, text);
    free(text);
    return st;
}

/* Put doc (owned) into the response as "UserPoolClient". */
static int respond(struct op_ctx *ctx, cJSON *doc)
{
    return json_set_item(ctx->out, "UserPoolClient", doc) ? internal(ctx, "out of memory") : 0;
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

    if (load_pool(ctx, &pool) != 0 || choose_secret(ctx, buf, &secret) != 0)
        goto out;
    /* Redraw the 26 random characters on the (vanishingly rare) clash. */
    for (int tries = 0; st == STORE_EXISTS && tries < 5; tries++) {
        ids_client_id(id);
        cJSON_Delete(client);
        if (pool_defaults_new_client(ctx->in, pool, id, secret, ctx->now_ms, &client, &ctx->err) !=
            0)
            goto out;
        st = save_client(ctx, client, true);
    }
    if (st == STORE_NOT_FOUND) /* the pool was deleted meanwhile */
        cog_err_set(&ctx->err, COG_E_RESOURCE_NOT_FOUND, "User pool %s does not exist.",
                    json_str(ctx->in, "UserPoolId"));
    else if (st != STORE_OK)
        internal(ctx, "storing the app client");
    else {
        rc = respond(ctx, client);
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
        rc = respond(ctx, client);
    cJSON_Delete(pool);
    return rc;
}

int op_list_user_pool_clients(struct op_ctx *ctx)
{
    struct store_page page;
    cJSON *pool = NULL, *list = cJSON_AddArrayToObject(ctx->out, "UserPoolClients");
    int st, rc = 0;

    if (list == NULL)
        return internal(ctx, "out of memory");
    if (load_pool(ctx, &pool) != 0)
        return -1;
    cJSON_Delete(pool);
    /* MaxResults is optional here; AWS's default and maximum are 60. */
    st = store_doc_list(ctx->db, STORE_USER_POOL_CLIENT, json_str(ctx->in, "UserPoolId"),
                        json_str(ctx->in, "NextToken"), (int)json_int(ctx->in, "MaxResults", 60),
                        &page);
    if (st == STORE_BAD_TOKEN) /* wording is the emulator's, as for ListUserPools */
        return cog_err_set(&ctx->err, COG_E_INVALID_PARAMETER, "Invalid NextToken.");
    if (st != STORE_OK)
        return internal(ctx, "listing app clients");
    for (size_t i = 0; rc == 0 && i < page.count; i++) {
        cJSON *client = cJSON_Parse(page.docs[i]), *item = cJSON_CreateObject();
        int bad = client == NULL || item == NULL || !cJSON_AddItemToArray(list, item);

        if (bad)
            cJSON_Delete(item);
        bad = bad || json_copy_member(item, client, "ClientId") ||
              json_copy_member(item, client, "UserPoolId") ||
              json_copy_member(item, client, "ClientName");
        cJSON_Delete(client);
        if (bad)
            rc = internal(ctx, "listing app clients");
    }
    if (rc == 0 && page.next_token != NULL &&
        json_set_str(ctx->out, "NextToken", page.next_token) != 0)
        rc = internal(ctx, "out of memory");
    store_page_free(&page);
    return rc;
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

    if (store_begin(ctx->db) != STORE_OK)
        return internal(ctx, "starting a transaction");
    if (load_pool(ctx, &pool) != 0 || load_client(ctx, &old) != 0 ||
        pool_defaults_update_client(ctx->in, pool, old, ctx->now_ms, &client, &ctx->err) != 0)
        goto out;
    if (save_client(ctx, client, false) != STORE_OK || store_commit(ctx->db) != STORE_OK) {
        internal(ctx, "storing the app client");
        goto out;
    }
    rc = 0;
out:
    if (rc != 0) {
        store_rollback(ctx->db);
    } else {
        rc = respond(ctx, client);
        client = NULL;
    }
    cJSON_Delete(pool);
    cJSON_Delete(old);
    cJSON_Delete(client);
    return rc;
}

int op_delete_user_pool_client(struct op_ctx *ctx)
{
    const char *id = json_str(ctx->in, "ClientId");
    cJSON *pool = NULL;
    int st;

    if (load_pool(ctx, &pool) != 0)
        return -1;
    cJSON_Delete(pool);
    st = store_doc_delete(ctx->db, STORE_USER_POOL_CLIENT, id, json_str(ctx->in, "UserPoolId"));
    if (st == STORE_NOT_FOUND)
        return cog_err_set(&ctx->err, COG_E_RESOURCE_NOT_FOUND,
                           "User pool client %s does not exist.", id);
    return st == STORE_OK ? 0 : internal(ctx, "deleting the app client");
}
