/*
 * check_ops_group: user pool groups (ops_group.c, store_group.c) and the claims membership
 * puts in tokens (tokens.c): cognito:groups in both tokens, cognito:roles and
 * cognito:preferred_role in the ID token, by Precedence. Operations run through tu_call;
 * tokens are decoded with jwt_peek_payload.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/jwt.h"
#include "testlife.h"
#include "testutil.h"

static struct tu_env *const env = &tu_fixture;

#define ROLE_A "arn:aws:iam::123456789012:role/a"
#define ROLE_B "arn:aws:iam::123456789012:role/b"

static cJSON *create_group(const struct tl_app *a, const char *name, const char *extra)
{
    return tu_callf(env, IDP "CreateGroup", "{\"UserPoolId\":\"%s\",\"GroupName\":\"%s\"%s%s}",
                    a->pool, name, extra[0] ? "," : "", extra);
}

static void add_to_group(const struct tl_app *a, const char *user, const char *group)
{
    tl_ok(tu_callf(env, IDP "AdminAddUserToGroup",
                   "{\"UserPoolId\":\"%s\",\"Username\":\"%s\",\"GroupName\":\"%s\"}", a->pool,
                   user, group));
}

/* The names in a JSON array of strings, joined with ",". */
static void joined(const cJSON *list, char *out, size_t n)
{
    const cJSON *item;
    size_t len = 0;

    out[0] = '\0';
    cJSON_ArrayForEach(item, list)
    {
        len += (size_t)snprintf(out + len, n - len, "%s%s", len ? "," : "",
                                cJSON_IsString(item) ? item->valuestring : "?");
        if (len >= n)
            break;
    }
}

/* The GroupName members of a Groups array, joined with ",". */
static void group_names(const cJSON *groups, char *out, size_t n)
{
    cJSON *names = cJSON_CreateArray();
    const cJSON *g;

    cJSON_ArrayForEach(g, groups)
    {
        cJSON_AddItemToArray(names, cJSON_CreateString(tu_str(g, "GroupName")));
    }
    joined(names, out, n);
    cJSON_Delete(names);
}

START_TEST(test_ops_group_create_get_update_delete)
{
    struct tl_app a;
    const cJSON *g;
    cJSON *resp;

    tl_app(&a, "{\"PoolName\":\"p\"}", "");
    resp = create_group(
        &a, "admins", "\"Description\":\"the admins\",\"RoleArn\":\"" ROLE_A "\",\"Precedence\":1");
    g = tu_get(resp, "Group");
    ck_assert_msg(g != NULL, "%s", tu_str(resp, "message"));
    ck_assert_str_eq(tu_str(g, "GroupName"), "admins");
    ck_assert_str_eq(tu_str(g, "UserPoolId"), a.pool);
    ck_assert_str_eq(tu_str(g, "Description"), "the admins");
    ck_assert_str_eq(tu_str(g, "RoleArn"), ROLE_A);
    ck_assert_int_eq((int)tu_num(g, "Precedence"), 1);
    ck_assert(tu_num(g, "CreationDate") > 1.6e9);
    ck_assert(tu_num(g, "LastModifiedDate") > 1.6e9);
    cJSON_Delete(resp);

    tl_error(create_group(&a, "admins", ""), "GroupExistsException",
             "A group with the name already exists.");
    /* Names are unique per pool only; a group needs none of the optional members. */
    resp = create_group(&a, "plain", "");
    g = tu_get(resp, "Group");
    ck_assert_ptr_null(tu_get(g, "Description"));
    ck_assert_ptr_null(tu_get(g, "RoleArn"));
    ck_assert_ptr_null(tu_get(g, "Precedence"));
    cJSON_Delete(resp);

    resp =
        tu_callf(env, IDP "GetGroup", "{\"UserPoolId\":\"%s\",\"GroupName\":\"admins\"}", a.pool);
    ck_assert_str_eq(tu_str(tu_get(resp, "Group"), "Description"), "the admins");
    cJSON_Delete(resp);

    /* UpdateGroup changes what it is given and keeps the rest. */
    resp = tu_callf(env, IDP "UpdateGroup",
                    "{\"UserPoolId\":\"%s\",\"GroupName\":\"admins\",\"Precedence\":5}", a.pool);
    g = tu_get(resp, "Group");
    ck_assert_msg(g != NULL, "%s", tu_str(resp, "message"));
    ck_assert_int_eq((int)tu_num(g, "Precedence"), 5);
    ck_assert_str_eq(tu_str(g, "Description"), "the admins");
    ck_assert_str_eq(tu_str(g, "RoleArn"), ROLE_A);
    cJSON_Delete(resp);

    tl_ok(tu_callf(env, IDP "DeleteGroup", "{\"UserPoolId\":\"%s\",\"GroupName\":\"admins\"}",
                   a.pool));
    tl_error(
        tu_callf(env, IDP "GetGroup", "{\"UserPoolId\":\"%s\",\"GroupName\":\"admins\"}", a.pool),
        "ResourceNotFoundException", "Group not found.");
    tl_error(tu_callf(env, IDP "DeleteGroup", "{\"UserPoolId\":\"%s\",\"GroupName\":\"admins\"}",
                      a.pool),
             "ResourceNotFoundException", "Group not found.");
    tl_error(tu_callf(env, IDP "UpdateGroup",
                      "{\"UserPoolId\":\"%s\",\"GroupName\":\"admins\",\"Precedence\":1}", a.pool),
             "ResourceNotFoundException", "Group not found.");
    tl_error(tu_callf(env, IDP "CreateGroup",
                      "{\"UserPoolId\":\"us-east-1_nosuchpool\",\"GroupName\":\"g\"}"),
             "ResourceNotFoundException", "User pool us-east-1_nosuchpool does not exist.");
    tl_error(tu_callf(env, IDP "GetGroup",
                      "{\"UserPoolId\":\"us-east-1_nosuchpool\",\"GroupName\":\"g\"}"),
             "ResourceNotFoundException", "User pool us-east-1_nosuchpool does not exist.");
}
END_TEST

START_TEST(test_ops_group_list_groups_pages)
{
    struct tl_app a, b;
    char names[256], *token;
    cJSON *resp;

    tl_app(&a, "{\"PoolName\":\"p\"}", "");
    tl_app(&b, "{\"PoolName\":\"q\"}", "");
    tl_ok(create_group(&a, "g1", ""));
    tl_ok(create_group(&b, "other", ""));
    tl_ok(create_group(&a, "g2", ""));
    tl_ok(create_group(&a, "g3", ""));

    resp = tu_callf(env, IDP "ListGroups", "{\"UserPoolId\":\"%s\",\"Limit\":2}", a.pool);
    group_names(tu_get(resp, "Groups"), names, sizeof(names));
    ck_assert_str_eq(names, "g1,g2");
    ck_assert_ptr_nonnull(tu_str(resp, "NextToken"));
    token = strdup(tu_str(resp, "NextToken"));
    cJSON_Delete(resp);
    resp = tu_callf(env, IDP "ListGroups",
                    "{\"UserPoolId\":\"%s\",\"Limit\":2,\"NextToken\":\"%s\"}", a.pool, token);
    group_names(tu_get(resp, "Groups"), names, sizeof(names));
    ck_assert_str_eq(names, "g3");
    ck_assert_ptr_null(tu_get(resp, "NextToken"));
    cJSON_Delete(resp);
    free(token);

    resp = tu_callf(env, IDP "ListGroups", "{\"UserPoolId\":\"%s\"}", a.pool);
    group_names(tu_get(resp, "Groups"), names, sizeof(names));
    ck_assert_str_eq(names, "g1,g2,g3");
    cJSON_Delete(resp);
    tl_error(
        tu_callf(env, IDP "ListGroups", "{\"UserPoolId\":\"%s\",\"NextToken\":\"bogus\"}", a.pool),
        "InvalidParameterException", "Invalid NextToken.");
    tl_error(tu_callf(env, IDP "ListGroups", "{\"UserPoolId\":\"us-east-1_nosuchpool\"}"),
             "ResourceNotFoundException", NULL);
}
END_TEST

START_TEST(test_ops_group_membership)
{
    struct tl_app a;
    char names[256];
    cJSON *resp;

    tl_app(&a, "{\"PoolName\":\"p\"}", "");
    tl_user(&a, "alice", "[{\"Name\":\"email\",\"Value\":\"alice@example.com\"}]");
    tl_user(&a, "bob", "");
    tl_ok(create_group(&a, "readers", "\"Precedence\":5"));
    tl_ok(create_group(&a, "writers", "\"Precedence\":1"));
    add_to_group(&a, "alice", "readers");
    add_to_group(&a, "alice", "readers"); /* again: no change, no error */
    add_to_group(&a, "alice", "writers");
    add_to_group(&a, "bob", "readers");

    resp = tu_callf(env, IDP "ListUsersInGroup",
                    "{\"UserPoolId\":\"%s\",\"GroupName\":\"readers\",\"Limit\":1}", a.pool);
    ck_assert_int_eq(cJSON_GetArraySize(tu_get(resp, "Users")), 1);
    ck_assert_str_eq(tu_str(tu_get(resp, "Users")->child, "Username"), "alice");
    ck_assert_str_eq(tl_attr(tu_get(tu_get(resp, "Users")->child, "Attributes"), "email"),
                     "alice@example.com");
    ck_assert_str_eq(tu_str(tu_get(resp, "Users")->child, "UserStatus"), "CONFIRMED");
    ck_assert_ptr_nonnull(tu_str(resp, "NextToken"));
    {
        char *token = strdup(tu_str(resp, "NextToken"));
        cJSON_Delete(resp);
        resp = tu_callf(env, IDP "ListUsersInGroup",
                        "{\"UserPoolId\":\"%s\",\"GroupName\":\"readers\",\"Limit\":1,"
                        "\"NextToken\":\"%s\"}",
                        a.pool, token);
        free(token);
    }
    ck_assert_str_eq(tu_str(tu_get(resp, "Users")->child, "Username"), "bob");
    ck_assert_ptr_null(tu_get(resp, "NextToken"));
    cJSON_Delete(resp);

    /* A user's groups come in token order: by Precedence. */
    resp = tu_callf(env, IDP "AdminListGroupsForUser",
                    "{\"UserPoolId\":\"%s\",\"Username\":\"alice\"}", a.pool);
    group_names(tu_get(resp, "Groups"), names, sizeof(names));
    ck_assert_str_eq(names, "writers,readers");
    cJSON_Delete(resp);

    tl_ok(tu_callf(env, IDP "AdminRemoveUserFromGroup",
                   "{\"UserPoolId\":\"%s\",\"Username\":\"alice\",\"GroupName\":\"writers\"}",
                   a.pool));
    tl_ok(tu_callf(env, IDP "AdminRemoveUserFromGroup",
                   "{\"UserPoolId\":\"%s\",\"Username\":\"alice\",\"GroupName\":\"writers\"}",
                   a.pool));
    resp = tu_callf(env, IDP "AdminListGroupsForUser",
                    "{\"UserPoolId\":\"%s\",\"Username\":\"alice\"}", a.pool);
    group_names(tu_get(resp, "Groups"), names, sizeof(names));
    ck_assert_str_eq(names, "readers");
    cJSON_Delete(resp);

    /* Deleting a user or a group ends its memberships. */
    tl_ok(tu_callf(env, IDP "AdminDeleteUser", "{\"UserPoolId\":\"%s\",\"Username\":\"bob\"}",
                   a.pool));
    resp = tu_callf(env, IDP "ListUsersInGroup",
                    "{\"UserPoolId\":\"%s\",\"GroupName\":\"readers\"}", a.pool);
    ck_assert_int_eq(cJSON_GetArraySize(tu_get(resp, "Users")), 1);
    cJSON_Delete(resp);
    tl_ok(tu_callf(env, IDP "DeleteGroup", "{\"UserPoolId\":\"%s\",\"GroupName\":\"readers\"}",
                   a.pool));
    resp = tu_callf(env, IDP "AdminListGroupsForUser",
                    "{\"UserPoolId\":\"%s\",\"Username\":\"alice\"}", a.pool);
    ck_assert_int_eq(cJSON_GetArraySize(tu_get(resp, "Groups")), 0);
    cJSON_Delete(resp);

    /* Errors: the group is checked first, then the user. */
    tl_error(tu_callf(env, IDP "AdminAddUserToGroup",
                      "{\"UserPoolId\":\"%s\",\"Username\":\"nobody\",\"GroupName\":\"nogroup\"}",
                      a.pool),
             "ResourceNotFoundException", "Group not found.");
    tl_error(tu_callf(env, IDP "AdminAddUserToGroup",
                      "{\"UserPoolId\":\"%s\",\"Username\":\"nobody\",\"GroupName\":\"writers\"}",
                      a.pool),
             "UserNotFoundException", "User does not exist.");
    tl_error(tu_callf(env, IDP "AdminRemoveUserFromGroup",
                      "{\"UserPoolId\":\"%s\",\"Username\":\"alice\",\"GroupName\":\"nogroup\"}",
                      a.pool),
             "ResourceNotFoundException", "Group not found.");
    tl_error(tu_callf(env, IDP "ListUsersInGroup",
                      "{\"UserPoolId\":\"%s\",\"GroupName\":\"nogroup\"}", a.pool),
             "ResourceNotFoundException", "Group not found.");
    tl_error(tu_callf(env, IDP "AdminListGroupsForUser",
                      "{\"UserPoolId\":\"%s\",\"Username\":\"nobody\"}", a.pool),
             "UserNotFoundException", "User does not exist.");
}
END_TEST

/* The claims of a fresh sign-in of username: *id and *access (cJSON_Delete both). */
static void claims_of(const struct tl_app *a, const char *username, cJSON **id, cJSON **access)
{
    struct tl_tokens t;

    tl_sign_in(a, username, TL_PASSWORD, &t);
    *id = jwt_peek_payload(t.id);
    *access = jwt_peek_payload(t.access);
    ck_assert_ptr_nonnull(*id);
    ck_assert_ptr_nonnull(*access);
    tl_tokens_free(&t);
}

START_TEST(test_ops_group_claims_in_tokens)
{
    struct tl_app a;
    cJSON *id, *access;
    char list[512];

    tl_app(&a, "{\"PoolName\":\"p\"}", "");
    tl_user(&a, "alice", "");

    /* No groups, no group claims. */
    claims_of(&a, "alice", &id, &access);
    ck_assert_ptr_null(tu_get(id, "cognito:groups"));
    ck_assert_ptr_null(tu_get(id, "cognito:roles"));
    ck_assert_ptr_null(tu_get(id, "cognito:preferred_role"));
    ck_assert_ptr_null(tu_get(access, "cognito:groups"));
    cJSON_Delete(id);
    cJSON_Delete(access);

    tl_ok(create_group(&a, "low", "\"RoleArn\":\"" ROLE_B "\",\"Precedence\":10"));
    tl_ok(create_group(&a, "high", "\"RoleArn\":\"" ROLE_A "\",\"Precedence\":2"));
    tl_ok(create_group(&a, "norole", "\"Precedence\":0"));
    tl_ok(create_group(&a, "noprecedence", "\"RoleArn\":\"" ROLE_B "\""));
    add_to_group(&a, "alice", "low");
    add_to_group(&a, "alice", "high");
    add_to_group(&a, "alice", "norole");
    add_to_group(&a, "alice", "noprecedence");
    claims_of(&a, "alice", &id, &access);
    joined(tu_get(id, "cognito:groups"), list, sizeof(list));
    ck_assert_str_eq(list, "norole,high,low,noprecedence");
    joined(tu_get(access, "cognito:groups"), list, sizeof(list));
    ck_assert_str_eq(list, "norole,high,low,noprecedence");
    joined(tu_get(id, "cognito:roles"), list, sizeof(list));
    ck_assert_str_eq(list, ROLE_A "," ROLE_B);
    ck_assert_str_eq(tu_str(id, "cognito:preferred_role"), ROLE_A);
    /* The access token carries the groups only. */
    ck_assert_ptr_null(tu_get(access, "cognito:roles"));
    ck_assert_ptr_null(tu_get(access, "cognito:preferred_role"));
    cJSON_Delete(id);
    cJSON_Delete(access);

    /* Two best groups with different roles: neither takes precedence. */
    tl_ok(tu_callf(env, IDP "UpdateGroup",
                   "{\"UserPoolId\":\"%s\",\"GroupName\":\"low\",\"Precedence\":2}", a.pool));
    claims_of(&a, "alice", &id, &access);
    ck_assert_ptr_null(tu_get(id, "cognito:preferred_role"));
    joined(tu_get(id, "cognito:groups"), list, sizeof(list));
    ck_assert_str_eq(list, "norole,low,high,noprecedence"); /* equal Precedence: oldest first */
    joined(tu_get(id, "cognito:roles"), list, sizeof(list));
    ck_assert_str_eq(list, ROLE_B "," ROLE_A);
    cJSON_Delete(id);
    cJSON_Delete(access);

    /* A deleted group no longer appears in the next tokens. */
    tl_ok(
        tu_callf(env, IDP "DeleteGroup", "{\"UserPoolId\":\"%s\",\"GroupName\":\"high\"}", a.pool));
    claims_of(&a, "alice", &id, &access);
    joined(tu_get(id, "cognito:groups"), list, sizeof(list));
    ck_assert_str_eq(list, "norole,low,noprecedence");
    ck_assert_str_eq(tu_str(id, "cognito:preferred_role"), ROLE_B);
    joined(tu_get(id, "cognito:roles"), list, sizeof(list));
    ck_assert_str_eq(list, ROLE_B);
    cJSON_Delete(id);
    cJSON_Delete(access);
}
END_TEST

START_TEST(test_ops_group_claims_after_refresh)
{
    struct tl_app a;
    struct tl_tokens t;
    cJSON *resp, *claims;
    char list[128];

    tl_app(&a, "{\"PoolName\":\"p\"}", "");
    tl_user(&a, "alice", "");
    tl_sign_in(&a, "alice", TL_PASSWORD, &t);
    tl_ok(create_group(&a, "team", ""));
    add_to_group(&a, "alice", "team");
    /* A refresh issues tokens with the groups of the moment. */
    resp = tl_refresh_call(&a, t.refresh);
    claims = jwt_peek_payload(tu_str(tu_get(resp, "AuthenticationResult"), "IdToken"));
    joined(tu_get(claims, "cognito:groups"), list, sizeof(list));
    ck_assert_str_eq(list, "team");
    cJSON_Delete(claims);
    cJSON_Delete(resp);
    tl_tokens_free(&t);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("ops_group");
    TCase *tc = tcase_create("group");

    tcase_add_checked_fixture(tc, tu_setup, tu_teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_ops_group_create_get_update_delete);
    tcase_add_test(tc, test_ops_group_list_groups_pages);
    tcase_add_test(tc, test_ops_group_membership);
    tcase_add_test(tc, test_ops_group_claims_in_tokens);
    tcase_add_test(tc, test_ops_group_claims_after_refresh);
    suite_add_tcase(s, tc);
    return s;
}
