/*
 * testlife: pools, users, sign-in and codes for the account lifecycle suites. See testlife.h.
 */
#include "config.h"

#include "testlife.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/secrets.h"
#include "store/store.h"

static struct tu_env *const env = &tu_fixture;

#define FLOWS                                                                                      \
    "\"ExplicitAuthFlows\":[\"ALLOW_USER_PASSWORD_AUTH\",\"ALLOW_ADMIN_USER_PASSWORD_AUTH\","      \
    "\"ALLOW_REFRESH_TOKEN_AUTH\"]"

void tl_client(const struct tl_app *a, const char *client_extra, struct tl_app *out)
{
    bool flows = strstr(client_extra, "ExplicitAuthFlows") != NULL;
    cJSON *resp = tu_callf(
        env, IDP "CreateUserPoolClient", "{\"UserPoolId\":\"%s\",\"ClientName\":\"app\"%s%s%s%s}",
        a->pool, flows ? "" : ",", flows ? "" : FLOWS, client_extra[0] ? "," : "", client_extra);
    const cJSON *c = tu_get(resp, "UserPoolClient");

    ck_assert_msg(tu_error_type(resp) == NULL, "CreateUserPoolClient: %s", tu_str(resp, "message"));
    if (out != a)
        snprintf(out->pool, sizeof(out->pool), "%s", a->pool);
    snprintf(out->client, sizeof(out->client), "%s", tu_str(c, "ClientId"));
    snprintf(out->secret, sizeof(out->secret), "%s",
             tu_str(c, "ClientSecret") ? tu_str(c, "ClientSecret") : "");
    cJSON_Delete(resp);
}

void tl_app(struct tl_app *a, const char *pool_body, const char *client_extra)
{
    char *id = tu_create_user_pool(env, pool_body);

    snprintf(a->pool, sizeof(a->pool), "%s", id);
    free(id);
    tl_client(a, client_extra, a);
}

void tl_user(const struct tl_app *a, const char *username, const char *attrs)
{
    tl_ok(tu_callf(env, IDP "AdminCreateUser",
                   "{\"UserPoolId\":\"%s\",\"Username\":\"%s\",\"MessageAction\":\"SUPPRESS\","
                   "\"TemporaryPassword\":\"Temp0rary!\"%s%s}",
                   a->pool, username, attrs[0] ? ",\"UserAttributes\":" : "", attrs));
    tl_ok(tu_callf(env, IDP "AdminSetUserPassword",
                   "{\"UserPoolId\":\"%s\",\"Username\":\"%s\",\"Password\":\"" TL_PASSWORD
                   "\",\"Permanent\":true}",
                   a->pool, username));
}

char *tl_secret_hash(const struct tl_app *a, const char *username)
{
    return secrets_secret_hash(a->secret, username, a->client);
}

cJSON *tl_sign_in_call(const struct tl_app *a, const char *username, const char *password)
{
    char *hash = a->secret[0] ? tl_secret_hash(a, username) : NULL;
    cJSON *resp = tu_callf(env, IDP "InitiateAuth",
                           "{\"AuthFlow\":\"USER_PASSWORD_AUTH\",\"ClientId\":\"%s\","
                           "\"AuthParameters\":{\"USERNAME\":\"%s\",\"PASSWORD\":\"%s\"%s%s%s}}",
                           a->client, username, password, hash ? ",\"SECRET_HASH\":\"" : "",
                           hash ? hash : "", hash ? "\"" : "");

    free(hash);
    return resp;
}

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

void tl_sign_in(const struct tl_app *a, const char *username, const char *password,
                struct tl_tokens *t)
{
    cJSON *resp = tl_sign_in_call(a, username, password);
    const cJSON *r = tu_get(resp, "AuthenticationResult");

    ck_assert_msg(r != NULL, "sign-in of %s: %s %s", username, tu_error_type(resp),
                  tu_str(resp, "message"));
    t->access = dup_or_null(tu_str(r, "AccessToken"));
    t->id = dup_or_null(tu_str(r, "IdToken"));
    t->refresh = dup_or_null(tu_str(r, "RefreshToken"));
    ck_assert_ptr_nonnull(t->access);
    cJSON_Delete(resp);
}

void tl_tokens_free(struct tl_tokens *t)
{
    free(t->access);
    free(t->id);
    free(t->refresh);
    memset(t, 0, sizeof(*t));
}

cJSON *tl_refresh_call(const struct tl_app *a, const char *refresh)
{
    return tu_callf(env, IDP "InitiateAuth",
                    "{\"AuthFlow\":\"REFRESH_TOKEN_AUTH\",\"ClientId\":\"%s\","
                    "\"AuthParameters\":{\"REFRESH_TOKEN\":\"%s\"}}",
                    a->client, refresh);
}

cJSON *tl_get_user(const char *access)
{
    return tu_callf(env, IDP "GetUser", "{\"AccessToken\":\"%s\"}", access);
}

const char *tl_attr(const cJSON *list, const char *name)
{
    const cJSON *item;

    cJSON_ArrayForEach(item, list)
    {
        if (strcmp(tu_str(item, "Name"), name) == 0)
            return tu_str(item, "Value");
    }
    return NULL;
}

void tl_admin_attr(const struct tl_app *a, const char *username, const char *name, char *out,
                   size_t n)
{
    cJSON *resp = tu_callf(env, IDP "AdminGetUser", "{\"UserPoolId\":\"%s\",\"Username\":\"%s\"}",
                           a->pool, username);
    const char *value = tl_attr(tu_get(resp, "UserAttributes"), name);

    ck_assert_msg(tu_error_type(resp) == NULL, "AdminGetUser %s: %s", username,
                  tu_str(resp, "message"));
    snprintf(out, n, "%s", value ? value : "");
    cJSON_Delete(resp);
}

void tl_assert_status(const struct tl_app *a, const char *username, const char *status)
{
    cJSON *resp = tu_callf(env, IDP "AdminGetUser", "{\"UserPoolId\":\"%s\",\"Username\":\"%s\"}",
                           a->pool, username);

    ck_assert_msg(tu_error_type(resp) == NULL, "AdminGetUser %s: %s", username,
                  tu_str(resp, "message"));
    ck_assert_str_eq(tu_str(resp, "UserStatus"), status);
    cJSON_Delete(resp);
}

int tl_code(const struct tl_app *a, const char *username, const char *purpose, char *out)
{
    struct store_conn *conn = store_acquire(env->store);
    struct store_user *u = NULL;
    char *code = NULL;
    int64_t expires = 0;
    int st;

    ck_assert_int_eq(store_user_get(conn, a->pool, username, &u), STORE_OK);
    st = store_code_get(conn, u->seq, purpose, &code, &expires);
    store_release(env->store, conn);
    store_user_free(u);
    if (st != STORE_OK)
        return -1;
    snprintf(out, 7, "%s", code);
    free(code);
    return 0;
}

void tl_ok(cJSON *resp)
{
    ck_assert_msg(tu_error_type(resp) == NULL, "call failed: %s: %s", tu_error_type(resp),
                  tu_str(resp, "message"));
    cJSON_Delete(resp);
}

void tl_error(cJSON *resp, const char *type, const char *message)
{
    tu_assert_error(resp, type, message);
    cJSON_Delete(resp);
}

void tl_expect_tokens(cJSON *resp)
{
    ck_assert_msg(tu_error_type(resp) == NULL, "%s: %s", tu_error_type(resp),
                  tu_str(resp, "message"));
    ck_assert_ptr_nonnull(tu_str(tu_get(resp, "AuthenticationResult"), "AccessToken"));
    cJSON_Delete(resp);
}

void tl_mfa_code(const char *username, const char *medium, char *out)
{
    struct store_conn *conn = store_acquire(tu_fixture.store);
    struct store_message_filter f = {.username = username, .kind = "mfa", .limit = 1};
    struct store_message **list = NULL;
    size_t count = 0;

    ck_assert_int_eq(store_message_list(conn, &f, &list, &count), STORE_OK);
    store_release(tu_fixture.store, conn);
    ck_assert_uint_eq(count, 1);
    ck_assert_str_eq(list[0]->medium, medium);
    snprintf(out, 7, "%s", list[0]->code);
    store_message_list_free(list, count);
}

void tl_domain(const char *pool, const char *domain, bool custom)
{
    struct store_conn *conn = store_acquire(env->store);
    char doc[512];

    snprintf(doc, sizeof(doc),
             "{\"UserPoolId\":\"%s\",\"Domain\":\"%s\",\"CustomDomainConfig\":%s}", pool, domain,
             custom ? "{\"CertificateArn\":\"arn:aws:acm:us-east-1:123456789012:certificate/x\"}"
                    : "{}");
    ck_assert_int_eq(store_doc_insert(conn, STORE_USER_POOL_DOMAIN, domain, pool, doc), STORE_OK);
    store_release(env->store, conn);
}

void tl_resource_server(const char *pool, const char *identifier, const char *scopes)
{
    struct store_conn *conn = store_acquire(env->store);
    char id[256], doc[512];

    snprintf(id, sizeof(id), "%s %s", pool, identifier);
    snprintf(doc, sizeof(doc),
             "{\"UserPoolId\":\"%s\",\"Identifier\":\"%s\",\"Name\":\"n\",\"Scopes\":%s}", pool,
             identifier, scopes);
    ck_assert_int_eq(store_doc_insert(conn, STORE_RESOURCE_SERVER, id, pool, doc), STORE_OK);
    store_release(env->store, conn);
}
