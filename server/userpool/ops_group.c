/*
 * ops_group: the groups of a user pool and their members: CreateGroup, GetGroup, UpdateGroup,
 * DeleteGroup, ListGroups, ListUsersInGroup, AdminAddUserToGroup, AdminRemoveUserFromGroup
 * and AdminListGroupsForUser. Groups are rows of the store (store_group.c), one name per
 * pool; what membership means for tokens (cognito:groups, cognito:roles,
 * cognito:preferred_role) is tokens.c's.
 *
 * Sources of Cognito's behaviour and wording:
 *   [api]   the API reference text carried in server/aws/model/cognito-idp.json (GroupType,
 *           UpdateGroup "updates any of the properties").
 *   [seen]  GroupExistsException "A group with the name already exists." and
 *           ResourceNotFoundException "Group not found." as real Cognito answers (quoted in
 *           application codebases and mirrored by moto and cognito-local).
 *   [facts] ../shared/cognito-facts.md ("User does not exist.").
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/jsonutil.h"
#include "aws/op.h"
#include "aws/ops_common.h"
#include "store/store.h"
#include "userpool/pool.h"
#include "userpool/user.h"

/* The default and largest page of the List operations (QueryLimitType's maximum). */
#define PAGE_MAX 60

/* A GroupType object for g (member order of the AWS responses), or NULL when out of memory. */
static cJSON *group_json(const struct store_group *g)
{
    cJSON *obj = cJSON_CreateObject();
    int bad = obj == NULL;

    bad = bad || json_set_str(obj, "GroupName", g->name) != 0;
    bad = bad || json_set_str(obj, "UserPoolId", g->pool_id) != 0;
    bad = bad || (g->description != NULL && json_set_str(obj, "Description", g->description));
    bad = bad || (g->role_arn != NULL && json_set_str(obj, "RoleArn", g->role_arn));
    bad = bad || (g->has_precedence && json_set_num(obj, "Precedence", (double)g->precedence));
    bad = bad || json_set_num(obj, "LastModifiedDate", json_epoch(g->modified_ms)) != 0;
    bad = bad || json_set_num(obj, "CreationDate", json_epoch(g->created_ms)) != 0;
    if (bad) {
        cJSON_Delete(obj);
        return NULL;
    }
    return obj;
}

/* Set ctx->out's Group to g. */
static int out_group(struct op_ctx *ctx, const struct store_group *g)
{
    cJSON *obj = group_json(g);

    return obj != NULL ? ops_out_set(ctx, "Group", obj) : ops_fail_internal(ctx, "out of memory");
}

/*
 * The request's GroupName in its UserPoolId (which must exist: ResourceNotFoundException
 * "User pool <id> does not exist."). An unknown group: ResourceNotFoundException "Group not
 * found." [seen]. 0 with *out (store_group_free), or -1.
 */
static int load_group(struct op_ctx *ctx, struct store_group **out)
{
    const char *pool_id = json_str(ctx->in, "UserPoolId");
    int st;

    *out = NULL;
    if (ops_doc_check(ctx, &OPS_USER_POOL, pool_id, NULL) != 0)
        return -1;
    st = store_group_get(ctx->db, pool_id, json_str(ctx->in, "GroupName"), out);
    if (st == STORE_NOT_FOUND)
        return cog_err_set(&ctx->err, COG_E_RESOURCE_NOT_FOUND, "Group not found.");
    return st == STORE_OK ? 0 : ops_fail_internal(ctx, "reading a group");
}

/* Copy the optional string member name of the request into *field (NULL when absent). */
static int take_string(struct op_ctx *ctx, const char *name, char **field)
{
    const char *value = json_str(ctx->in, name);

    if (value == NULL)
        return 0;
    free(*field);
    if ((*field = strdup(value)) == NULL)
        return ops_fail_internal(ctx, "out of memory");
    return 0;
}

/* The request's Precedence into g, when it has one. */
static void take_precedence(struct op_ctx *ctx, struct store_group *g)
{
    if (json_get(ctx->in, "Precedence") != NULL) {
        g->has_precedence = 1;
        g->precedence = json_int(ctx->in, "Precedence", 0);
    }
}

/* CreateGroup: a name unique in its pool (GroupExistsException [seen]). */
int op_create_group(struct op_ctx *ctx)
{
    struct store_group g = {0};
    int rc = -1, st;

    g.pool_id = (char *)json_str(ctx->in, "UserPoolId");
    g.name = (char *)json_str(ctx->in, "GroupName");
    g.created_ms = g.modified_ms = ctx->now_ms;
    if (ops_doc_check(ctx, &OPS_USER_POOL, g.pool_id, NULL) != 0 ||
        take_string(ctx, "Description", &g.description) != 0 ||
        take_string(ctx, "RoleArn", &g.role_arn) != 0)
        goto out;
    take_precedence(ctx, &g);
    st = store_group_insert(ctx->db, &g);
    if (st == STORE_EXISTS)
        cog_err_set(&ctx->err, COG_E_GROUP_EXISTS, "A group with the name already exists.");
    else if (st == STORE_NOT_FOUND)
        ops_fail_not_found(ctx, &OPS_USER_POOL, g.pool_id);
    else if (st != STORE_OK)
        ops_fail_internal(ctx, "storing a group");
    else
        rc = out_group(ctx, &g);
out:
    free(g.description);
    free(g.role_arn);
    return rc;
}

int op_get_group(struct op_ctx *ctx)
{
    struct store_group *g = NULL;
    int rc = load_group(ctx, &g) == 0 ? out_group(ctx, g) : -1;

    store_group_free(g);
    return rc;
}

/* UpdateGroup: the members the request gives replace the group's; the others stay [api]. */
int op_update_group(struct op_ctx *ctx)
{
    struct store_group *g = NULL;
    int rc = -1;

    if (ops_txn_begin(ctx) != 0)
        return -1;
    if (load_group(ctx, &g) == 0 && take_string(ctx, "Description", &g->description) == 0 &&
        take_string(ctx, "RoleArn", &g->role_arn) == 0) {
        take_precedence(ctx, g);
        g->modified_ms = ctx->now_ms;
        rc = store_group_update(ctx->db, g) == STORE_OK
                 ? 0
                 : ops_fail_internal(ctx, "updating a group");
    }
    if ((rc = ops_txn_end(ctx, rc)) == 0)
        rc = out_group(ctx, g);
    store_group_free(g);
    return rc;
}

/* DeleteGroup: its members leave it (the tokens they get next no longer name it). */
int op_delete_group(struct op_ctx *ctx)
{
    struct store_group *g = NULL;
    int rc = -1;

    if (ops_txn_begin(ctx) != 0)
        return -1;
    if (load_group(ctx, &g) == 0)
        rc = store_group_delete(ctx->db, g->seq) == STORE_OK
                 ? 0
                 : ops_fail_internal(ctx, "deleting a group");
    rc = ops_txn_end(ctx, rc);
    store_group_free(g);
    return rc;
}

/* The request's Limit: PAGE_MAX when absent or 0 (QueryLimitType allows 0..60). */
static int page_limit(const struct op_ctx *ctx)
{
    int64_t limit = json_int(ctx->in, "Limit", 0);

    return limit > 0 && limit <= PAGE_MAX ? (int)limit : PAGE_MAX;
}

/*
 * Answer a page of groups: ctx->out's Groups and, while more remain, NextToken. A token the
 * store did not make: InvalidParameterException "Invalid NextToken." (as ops_common words it).
 */
static int out_group_page(struct op_ctx *ctx, int st, const struct store_group_page *page)
{
    cJSON *list;

    if (st == STORE_BAD_TOKEN)
        return cog_err_set(&ctx->err, COG_E_INVALID_PARAMETER, "Invalid NextToken.");
    if (st != STORE_OK || (list = cJSON_CreateArray()) == NULL)
        return ops_fail_internal(ctx, "listing groups");
    for (size_t i = 0; i < page->count; i++) {
        cJSON *obj = group_json(page->groups[i]);
        if (obj == NULL || !cJSON_AddItemToArray(list, obj)) {
            cJSON_Delete(obj);
            cJSON_Delete(list);
            return ops_fail_internal(ctx, "out of memory");
        }
    }
    if (ops_out_set(ctx, "Groups", list) != 0)
        return -1;
    if (page->next_token != NULL && json_set_str(ctx->out, "NextToken", page->next_token) != 0)
        return ops_fail_internal(ctx, "out of memory");
    return 0;
}

/* ListGroups: the pool's groups, oldest first. */
int op_list_groups(struct op_ctx *ctx)
{
    const char *pool_id = json_str(ctx->in, "UserPoolId");
    struct store_group_page page = {0};
    int rc = -1;

    if (ops_doc_check(ctx, &OPS_USER_POOL, pool_id, NULL) == 0)
        rc = out_group_page(ctx,
                            store_group_list(ctx->db, pool_id, json_str(ctx->in, "NextToken"),
                                             page_limit(ctx), &page),
                            &page);
    store_group_page_free(&page);
    return rc;
}

/* AdminListGroupsForUser: the user's groups, in the order of its tokens' cognito:groups. */
int op_admin_list_groups_for_user(struct op_ctx *ctx)
{
    struct store_group_page page = {0};
    struct store_user *u = NULL;
    cJSON *pool = NULL;
    int rc = -1;

    if (pool_load(ctx, json_str(ctx->in, "UserPoolId"), &pool) == 0 &&
        user_find_request(ctx, pool, &u) == STORE_OK)
        rc = out_group_page(ctx,
                            store_group_list_for_user(ctx->db, u->seq,
                                                      json_str(ctx->in, "NextToken"),
                                                      page_limit(ctx), &page),
                            &page);
    store_group_page_free(&page);
    store_user_free(u);
    cJSON_Delete(pool);
    return rc;
}

/* ListUsersInGroup: the members as UserType objects (Attributes), oldest user first. */
int op_list_users_in_group(struct op_ctx *ctx)
{
    struct store_user_page page = {0};
    struct store_group *g = NULL;
    cJSON *users = NULL;
    int rc = -1, st;

    if (load_group(ctx, &g) != 0)
        goto out;
    st = store_group_list_members(ctx->db, g->seq, json_str(ctx->in, "NextToken"), page_limit(ctx),
                                  &page);
    if (st == STORE_BAD_TOKEN) {
        cog_err_set(&ctx->err, COG_E_INVALID_PARAMETER, "Invalid NextToken.");
        goto out;
    }
    if (st != STORE_OK || (users = cJSON_CreateArray()) == NULL) {
        ops_fail_internal(ctx, "listing group members");
        goto out;
    }
    for (size_t i = 0; i < page.count; i++) {
        cJSON *user = cJSON_CreateObject();
        if (user == NULL || !cJSON_AddItemToArray(users, user)) {
            cJSON_Delete(user);
            ops_fail_internal(ctx, "out of memory");
            goto out;
        }
        if (user_fill(user, page.users[i], "Attributes", NULL) != 0) {
            ops_fail_internal(ctx, "out of memory");
            goto out;
        }
    }
    rc = ops_out_set(ctx, "Users", users);
    users = NULL;
    if (rc == 0 && page.next_token != NULL &&
        json_set_str(ctx->out, "NextToken", page.next_token) != 0)
        rc = ops_fail_internal(ctx, "out of memory");
out:
    cJSON_Delete(users);
    store_user_page_free(&page);
    store_group_free(g);
    return rc;
}

/*
 * The group and user of AdminAddUserToGroup / AdminRemoveUserFromGroup, the group first (as
 * cognito-local orders the checks). 0 with both, or -1.
 */
static int load_member(struct op_ctx *ctx, struct store_group **g, struct store_user **u)
{
    cJSON *pool = NULL;
    int rc = -1;

    *u = NULL;
    if (load_group(ctx, g) == 0 && pool_load(ctx, (*g)->pool_id, &pool) == 0)
        rc = user_find_request(ctx, pool, u) == STORE_OK ? 0 : -1;
    cJSON_Delete(pool);
    return rc;
}

/* AdminAddUserToGroup: adding a member again changes nothing. */
int op_admin_add_user_to_group(struct op_ctx *ctx)
{
    struct store_group *g = NULL;
    struct store_user *u = NULL;
    int rc = -1;

    if (load_member(ctx, &g, &u) == 0)
        rc = store_group_add_member(ctx->db, g->seq, u->seq) == STORE_OK
                 ? 0
                 : ops_fail_internal(ctx, "adding a group member");
    store_group_free(g);
    store_user_free(u);
    return rc;
}

/* AdminRemoveUserFromGroup: removing a user who is not a member changes nothing. */
int op_admin_remove_user_from_group(struct op_ctx *ctx)
{
    struct store_group *g = NULL;
    struct store_user *u = NULL;
    int rc = -1;

    if (load_member(ctx, &g, &u) == 0)
        rc = store_group_remove_member(ctx->db, g->seq, u->seq) == STORE_OK
                 ? 0
                 : ops_fail_internal(ctx, "removing a group member");
    store_group_free(g);
    store_user_free(u);
    return rc;
}
