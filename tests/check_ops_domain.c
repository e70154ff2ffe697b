/*
 * check_ops_domain: user pool domains (ops_domain.c, the readers of domain.h, what
 * DescribeUserPool and DeleteUserPool make of them) and resource servers
 * (ops_resource_server.c, the reader of resource_server.h), driven through tu_call exactly as
 * the server runs them. The messages this emulator chose where Cognito's are not known are
 * pinned here.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "userpool/domain.h"
#include "userpool/resource_server.h"
#include "store/store.h"
#include "testutil.h"

static struct tu_env *const env = &tu_fixture;
static char pool_id[96], other_pool[96];

#define CERT "arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555"

static void create_pool(const char *body, char *out)
{
    char *id = tu_create_user_pool(env, body);

    snprintf(out, 96, "%s", id);
    free(id);
}

static void setup(void)
{
    tu_setup();
    create_pool("{\"PoolName\":\"domains\"}", pool_id);
    create_pool("{\"PoolName\":\"other\"}", other_pool);
}

/* CreateUserPoolDomain of domain in pool with extra members (a JSON fragment or ""). */
static cJSON *create_domain(const char *pool, const char *domain, const char *extra)
{
    return tu_callf(env, IDP "CreateUserPoolDomain",
                    "{\"UserPoolId\":\"%s\",\"Domain\":\"%s\"%s%s}", pool, domain,
                    extra[0] ? "," : "", extra);
}

/* Create a domain and fail the test unless it succeeds. */
static void create_domain_ok(const char *pool, const char *domain, const char *extra)
{
    cJSON *resp = create_domain(pool, domain, extra);

    ck_assert_msg(tu_error_type(resp) == NULL, "CreateUserPoolDomain failed: %s",
                  tu_str(resp, "message"));
    cJSON_Delete(resp);
}

static cJSON *describe_domain(const char *domain)
{
    return tu_callf(env, IDP "DescribeUserPoolDomain", "{\"Domain\":\"%s\"}", domain);
}

static cJSON *describe_pool(const char *pool)
{
    return tu_callf(env, IDP "DescribeUserPool", "{\"UserPoolId\":\"%s\"}", pool);
}

/* ---- Domains ----------------------------------------------------------------------------- */

START_TEST(test_domain_prefix_create_and_describe)
{
    cJSON *resp = create_domain(pool_id, "my-app-1", "");
    const cJSON *d;

    ck_assert_ptr_null(tu_error_type(resp));
    ck_assert_int_eq((int)tu_num(resp, "ManagedLoginVersion"), 1);
    ck_assert_ptr_null(tu_get(resp, "CloudFrontDomain")); /* only for custom domains */
    cJSON_Delete(resp);

    resp = describe_domain("my-app-1");
    d = tu_get(resp, "DomainDescription");
    ck_assert_str_eq(tu_str(d, "UserPoolId"), pool_id);
    ck_assert_str_eq(tu_str(d, "AWSAccountId"), "123456789012");
    ck_assert_str_eq(tu_str(d, "Domain"), "my-app-1");
    ck_assert_str_eq(tu_str(d, "S3Bucket"), "aws-cognito-prod-iad-assets");
    tu_assert_matches(tu_str(d, "CloudFrontDistribution"), "^d[a-z0-9]{13}\\.cloudfront\\.net$");
    tu_assert_matches(tu_str(d, "Version"), "^20[0-9]{12}$");
    ck_assert_str_eq(tu_str(d, "Status"), "ACTIVE");
    ck_assert(cJSON_IsObject(tu_get(d, "CustomDomainConfig")) &&
              tu_get(d, "CustomDomainConfig")->child == NULL);
    ck_assert_int_eq((int)tu_num(d, "ManagedLoginVersion"), 1);
    cJSON_Delete(resp);

    /* DescribeUserPool reports the prefix exactly as created, and no custom domain. */
    resp = describe_pool(pool_id);
    ck_assert_str_eq(tu_str(tu_get(resp, "UserPool"), "Domain"), "my-app-1");
    ck_assert_ptr_null(tu_get(tu_get(resp, "UserPool"), "CustomDomain"));
    cJSON_Delete(resp);
}
END_TEST

START_TEST(test_domain_custom_create_and_describe)
{
    cJSON *resp = create_domain(pool_id, "auth.example.com",
                                "\"CustomDomainConfig\":{\"CertificateArn\":\"" CERT "\"}");
    char cloudfront[64];
    const cJSON *d;

    ck_assert_ptr_null(tu_error_type(resp));
    ck_assert_int_eq((int)tu_num(resp, "ManagedLoginVersion"), 1);
    tu_assert_matches(tu_str(resp, "CloudFrontDomain"), "^d[a-z0-9]{13}\\.cloudfront\\.net$");
    snprintf(cloudfront, sizeof(cloudfront), "%s", tu_str(resp, "CloudFrontDomain"));
    cJSON_Delete(resp);

    resp = describe_domain("auth.example.com");
    d = tu_get(resp, "DomainDescription");
    ck_assert_str_eq(tu_str(d, "Domain"), "auth.example.com");
    ck_assert_str_eq(tu_str(d, "CloudFrontDistribution"), cloudfront);
    ck_assert_str_eq(tu_str(tu_get(d, "CustomDomainConfig"), "CertificateArn"), CERT);
    cJSON_Delete(resp);

    resp = describe_pool(pool_id);
    ck_assert_str_eq(tu_str(tu_get(resp, "UserPool"), "CustomDomain"), "auth.example.com");
    ck_assert_ptr_null(tu_get(tu_get(resp, "UserPool"), "Domain"));
    cJSON_Delete(resp);
}
END_TEST

START_TEST(test_domain_unknown_describes_as_empty)
{
    cJSON *resp = describe_domain("nobody-has-this");

    ck_assert_ptr_null(tu_error_type(resp));
    ck_assert(cJSON_IsObject(tu_get(resp, "DomainDescription")));
    ck_assert_ptr_null(tu_get(resp, "DomainDescription")->child);
    cJSON_Delete(resp);
}
END_TEST

START_TEST(test_domain_one_prefix_and_one_custom_per_pool)
{
    cJSON *resp;
    char *prefix = NULL, *custom = NULL, *owner = NULL;
    struct store_conn *db;

    create_domain_ok(pool_id, "first", "");
    create_domain_ok(pool_id, "login.example.org",
                     "\"CustomDomainConfig\":{\"CertificateArn\":\"" CERT "\"}");
    resp = create_domain(pool_id, "second", "");
    tu_assert_error(resp, "InvalidParameterException",
                    "User pool already has a domain configured.");
    cJSON_Delete(resp);
    resp = create_domain(pool_id, "other.example.org",
                         "\"CustomDomainConfig\":{\"CertificateArn\":\"" CERT "\"}");
    tu_assert_error(resp, "InvalidParameterException",
                    "User pool already has a domain configured.");
    cJSON_Delete(resp);

    resp = describe_pool(pool_id);
    ck_assert_str_eq(tu_str(tu_get(resp, "UserPool"), "Domain"), "first");
    ck_assert_str_eq(tu_str(tu_get(resp, "UserPool"), "CustomDomain"), "login.example.org");
    cJSON_Delete(resp);

    /* The readers the OAuth endpoints use. */
    db = store_acquire(env->store);
    ck_assert_int_eq(domain_of_pool(db, pool_id, &prefix, &custom), STORE_OK);
    ck_assert_str_eq(prefix, "first");
    ck_assert_str_eq(custom, "login.example.org");
    free(prefix);
    free(custom);
    ck_assert_int_eq(domain_of_pool(db, other_pool, &prefix, NULL), STORE_OK);
    ck_assert_ptr_null(prefix);
    ck_assert_int_eq(domain_of_pool(db, pool_id, NULL, &custom), STORE_OK);
    ck_assert_str_eq(custom, "login.example.org");
    free(custom);
    ck_assert_int_eq(domain_pool_id(db, "login.example.org", &owner), STORE_OK);
    ck_assert_str_eq(owner, pool_id);
    free(owner);
    ck_assert_int_eq(domain_pool_id(db, "first", &owner), STORE_OK);
    ck_assert_str_eq(owner, pool_id);
    free(owner);
    ck_assert_int_eq(domain_pool_id(db, "missing", &owner), STORE_NOT_FOUND);
    ck_assert_ptr_null(owner);
    store_release(env->store, db);
}
END_TEST

START_TEST(test_domain_unique_across_pools)
{
    cJSON *resp;

    create_domain_ok(pool_id, "taken", "");
    resp = create_domain(other_pool, "taken", "");
    tu_assert_error(resp, "InvalidParameterException",
                    "Domain already associated with another user pool.");
    cJSON_Delete(resp);
}
END_TEST

START_TEST(test_domain_names_checked)
{
    static const struct {
        const char *domain, *extra, *message;
    } cases[] = {
        {"my-aws-app", "", "Domain cannot contain reserved word: aws"},
        {"amazonstuff", "", "Domain cannot contain reserved word: amazon"},
        {"mycognito", "", "Domain cannot contain reserved word: cognito"},
        {"Upper", "",
         "1 validation error detected: Value 'Upper' at 'domain' failed to satisfy constraint: "
         "Member must satisfy regular expression pattern: "
         "^[a-z0-9](?:[a-z0-9\\-]{0,61}[a-z0-9])?$"},
        {"-dash", "", NULL},
        {"dot.ted", "", NULL}, /* an FQDN without a certificate is a (bad) prefix */
        {"nodots", "\"CustomDomainConfig\":{\"CertificateArn\":\"" CERT "\"}",
         "Custom domain nodots is not a valid fully qualified domain name."},
        {"a..example.com", "\"CustomDomainConfig\":{\"CertificateArn\":\"" CERT "\"}", NULL},
        {"auth.example.com.", "\"CustomDomainConfig\":{\"CertificateArn\":\"" CERT "\"}", NULL},
        {"auth.-x.com", "\"CustomDomainConfig\":{\"CertificateArn\":\"" CERT "\"}", NULL},
        /* CertificateArn is required in CustomDomainConfig (the model). */
        {"auth.example.com", "\"CustomDomainConfig\":{}", NULL},
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        cJSON *resp = create_domain(pool_id, cases[i].domain, cases[i].extra);

        ck_assert_msg(tu_error_type(resp) != NULL, "%s was accepted", cases[i].domain);
        tu_assert_error(resp, "InvalidParameterException", cases[i].message);
        cJSON_Delete(resp);
    }
    /* The length limits of the model hold for both kinds. */
    {
        char long_name[80];
        cJSON *resp;

        memset(long_name, 'a', 64);
        long_name[64] = '\0';
        resp = create_domain(pool_id, long_name, "");
        tu_assert_error(resp, "InvalidParameterException", NULL);
        cJSON_Delete(resp);
    }
}
END_TEST

START_TEST(test_domain_managed_login_version)
{
    char lite[96];
    cJSON *resp;

    resp = create_domain(pool_id, "managed", "\"ManagedLoginVersion\":2");
    ck_assert_ptr_null(tu_error_type(resp));
    ck_assert_int_eq((int)tu_num(resp, "ManagedLoginVersion"), 2);
    cJSON_Delete(resp);
    resp = describe_domain("managed");
    ck_assert_int_eq((int)tu_num(tu_get(resp, "DomainDescription"), "ManagedLoginVersion"), 2);
    cJSON_Delete(resp);

    resp = create_domain(other_pool, "version-three", "\"ManagedLoginVersion\":3");
    tu_assert_error(resp, "InvalidParameterException",
                    "ManagedLoginVersion must be 1 (hosted UI) or 2 (managed login).");
    cJSON_Delete(resp);

    create_pool("{\"PoolName\":\"lite\",\"UserPoolTier\":\"LITE\"}", lite);
    resp = create_domain(lite, "lite-managed", "\"ManagedLoginVersion\":2");
    tu_assert_error(resp, "FeatureUnavailableInTierException",
                    "Managed login is not available in the LITE feature plan. Change the user "
                    "pool's feature plan to ESSENTIALS or PLUS.");
    cJSON_Delete(resp);
    create_domain_ok(lite, "lite-classic", "\"ManagedLoginVersion\":1");
    resp = tu_callf(env, IDP "UpdateUserPoolDomain",
                    "{\"UserPoolId\":\"%s\",\"Domain\":\"lite-classic\",\"ManagedLoginVersion\":2}",
                    lite);
    tu_assert_error(resp, "FeatureUnavailableInTierException", NULL);
    cJSON_Delete(resp);
}
END_TEST

START_TEST(test_domain_update_rules)
{
    static const char *const OTHER_CERT =
        "arn:aws:acm:us-east-1:123456789012:certificate/99999999-2222-3333-4444-555555555555";
    cJSON *resp;

    create_domain_ok(pool_id, "pfx", "");
    create_domain_ok(pool_id, "auth.example.net",
                     "\"CustomDomainConfig\":{\"CertificateArn\":\"" CERT "\"}");

    /* A prefix domain: the version changes, and is kept when omitted. */
    resp =
        tu_callf(env, IDP "UpdateUserPoolDomain",
                 "{\"UserPoolId\":\"%s\",\"Domain\":\"pfx\",\"ManagedLoginVersion\":2}", pool_id);
    ck_assert_ptr_null(tu_error_type(resp));
    ck_assert_int_eq((int)tu_num(resp, "ManagedLoginVersion"), 2);
    ck_assert_ptr_null(tu_get(resp, "CloudFrontDomain"));
    cJSON_Delete(resp);
    resp = tu_callf(env, IDP "UpdateUserPoolDomain", "{\"UserPoolId\":\"%s\",\"Domain\":\"pfx\"}",
                    pool_id);
    ck_assert_int_eq((int)tu_num(resp, "ManagedLoginVersion"), 2);
    cJSON_Delete(resp);
    resp = tu_callf(env, IDP "UpdateUserPoolDomain",
                    "{\"UserPoolId\":\"%s\",\"Domain\":\"pfx\",\"CustomDomainConfig\":"
                    "{\"CertificateArn\":\"" CERT "\"}}",
                    pool_id);
    tu_assert_error(resp, "InvalidParameterException",
                    "Cannot convert prefix domain to custom domain.");
    cJSON_Delete(resp);

    /* A custom domain: a new certificate; without one it would become a prefix domain. */
    resp = tu_callf(env, IDP "UpdateUserPoolDomain",
                    "{\"UserPoolId\":\"%s\",\"Domain\":\"auth.example.net\"}", pool_id);
    tu_assert_error(resp, "InvalidParameterException",
                    "Cannot convert custom domain to prefix domain.");
    cJSON_Delete(resp);
    resp = tu_callf(env, IDP "UpdateUserPoolDomain",
                    "{\"UserPoolId\":\"%s\",\"Domain\":\"auth.example.net\",\"CustomDomainConfig\":"
                    "{\"CertificateArn\":\"%s\"}}",
                    pool_id, OTHER_CERT);
    ck_assert_ptr_null(tu_error_type(resp));
    tu_assert_matches(tu_str(resp, "CloudFrontDomain"), "^d[a-z0-9]{13}\\.cloudfront\\.net$");
    cJSON_Delete(resp);
    resp = describe_domain("auth.example.net");
    ck_assert_str_eq(
        tu_str(tu_get(tu_get(resp, "DomainDescription"), "CustomDomainConfig"), "CertificateArn"),
        OTHER_CERT);
    cJSON_Delete(resp);

    /* Unknown domains, and a domain named with the wrong pool. */
    resp = tu_callf(env, IDP "UpdateUserPoolDomain", "{\"UserPoolId\":\"%s\",\"Domain\":\"nope\"}",
                    pool_id);
    tu_assert_error(resp, "InvalidParameterException", "No such domain or user pool exists.");
    cJSON_Delete(resp);
    resp = tu_callf(env, IDP "UpdateUserPoolDomain", "{\"UserPoolId\":\"%s\",\"Domain\":\"pfx\"}",
                    other_pool);
    tu_assert_error(resp, "InvalidParameterException", "No such domain or user pool exists.");
    cJSON_Delete(resp);
}
END_TEST

START_TEST(test_domain_delete_and_pool_deletion)
{
    cJSON *resp;

    create_domain_ok(pool_id, "to-delete", "");
    /* Cognito does not delete a pool's domain with it: the pool must lose it first. */
    resp = tu_callf(env, IDP "DeleteUserPool", "{\"UserPoolId\":\"%s\"}", pool_id);
    tu_assert_error(resp, "InvalidParameterException",
                    "User pool cannot be deleted. It has a domain configured that should be "
                    "deleted first.");
    cJSON_Delete(resp);

    resp = tu_callf(env, IDP "DeleteUserPoolDomain",
                    "{\"UserPoolId\":\"%s\",\"Domain\":\"to-delete\"}", other_pool);
    tu_assert_error(resp, "InvalidParameterException", "No such domain or user pool exists.");
    cJSON_Delete(resp);
    resp = tu_callf(env, IDP "DeleteUserPoolDomain",
                    "{\"UserPoolId\":\"us-east-1_nothere00\",\"Domain\":\"to-delete\"}");
    tu_assert_error(resp, "ResourceNotFoundException", NULL);
    cJSON_Delete(resp);
    resp = tu_callf(env, IDP "DeleteUserPoolDomain",
                    "{\"UserPoolId\":\"%s\",\"Domain\":\"to-delete\"}", pool_id);
    ck_assert_ptr_null(tu_error_type(resp));
    ck_assert_int_eq(cJSON_GetArraySize(resp), 0);
    cJSON_Delete(resp);

    resp = describe_domain("to-delete");
    ck_assert_ptr_null(tu_get(resp, "DomainDescription")->child);
    cJSON_Delete(resp);
    resp = describe_pool(pool_id);
    ck_assert_ptr_null(tu_get(tu_get(resp, "UserPool"), "Domain"));
    cJSON_Delete(resp);
    /* The name is free again, for any pool. */
    create_domain_ok(other_pool, "to-delete", "");

    resp = tu_callf(env, IDP "DeleteUserPool", "{\"UserPoolId\":\"%s\"}", pool_id);
    ck_assert_ptr_null(tu_error_type(resp));
    cJSON_Delete(resp);
}
END_TEST

START_TEST(test_domain_unknown_pool)
{
    cJSON *resp = create_domain("us-east-1_nothere00", "orphan", "");

    tu_assert_error(resp, "ResourceNotFoundException",
                    "User pool us-east-1_nothere00 does not exist.");
    cJSON_Delete(resp);
}
END_TEST

/* ---- Resource servers -------------------------------------------------------------------- */

static cJSON *create_server(const char *pool, const char *identifier, const char *scopes)
{
    return tu_callf(env, IDP "CreateResourceServer",
                    "{\"UserPoolId\":\"%s\",\"Identifier\":\"%s\",\"Name\":\"The API\"%s%s}", pool,
                    identifier, scopes[0] ? ",\"Scopes\":" : "", scopes);
}

#define READ_WRITE                                                                                 \
    "[{\"ScopeName\":\"read\",\"ScopeDescription\":\"Read\"},"                                     \
    "{\"ScopeName\":\"write\",\"ScopeDescription\":\"Write\"}]"

START_TEST(test_resource_server_life_cycle)
{
    cJSON *resp = create_server(pool_id, "https://api.example.com/v1", READ_WRITE);
    const cJSON *rs = tu_get(resp, "ResourceServer");

    ck_assert_ptr_null(tu_error_type(resp));
    ck_assert_str_eq(tu_str(rs, "UserPoolId"), pool_id);
    ck_assert_str_eq(tu_str(rs, "Identifier"), "https://api.example.com/v1");
    ck_assert_str_eq(tu_str(rs, "Name"), "The API");
    ck_assert_int_eq(cJSON_GetArraySize(tu_get(rs, "Scopes")), 2);
    cJSON_Delete(resp);

    resp =
        tu_callf(env, IDP "DescribeResourceServer",
                 "{\"UserPoolId\":\"%s\",\"Identifier\":\"https://api.example.com/v1\"}", pool_id);
    rs = tu_get(resp, "ResourceServer");
    ck_assert_str_eq(tu_str(cJSON_GetArrayItem(tu_get(rs, "Scopes"), 1), "ScopeName"), "write");
    cJSON_Delete(resp);

    /* Update replaces the name and every scope; omitted Scopes means none. */
    resp = tu_callf(env, IDP "UpdateResourceServer",
                    "{\"UserPoolId\":\"%s\",\"Identifier\":\"https://api.example.com/v1\","
                    "\"Name\":\"renamed\"}",
                    pool_id);
    ck_assert_ptr_null(tu_error_type(resp));
    ck_assert_str_eq(tu_str(tu_get(resp, "ResourceServer"), "Name"), "renamed");
    ck_assert_ptr_null(tu_get(tu_get(resp, "ResourceServer"), "Scopes"));
    cJSON_Delete(resp);

    resp =
        tu_callf(env, IDP "DeleteResourceServer",
                 "{\"UserPoolId\":\"%s\",\"Identifier\":\"https://api.example.com/v1\"}", pool_id);
    ck_assert_ptr_null(tu_error_type(resp));
    cJSON_Delete(resp);
    resp =
        tu_callf(env, IDP "DescribeResourceServer",
                 "{\"UserPoolId\":\"%s\",\"Identifier\":\"https://api.example.com/v1\"}", pool_id);
    tu_assert_error(resp, "ResourceNotFoundException",
                    "Resource server https://api.example.com/v1 does not exist.");
    cJSON_Delete(resp);
}
END_TEST

START_TEST(test_resource_server_errors)
{
    cJSON *resp;

    cJSON_Delete(create_server(pool_id, "orders", READ_WRITE));
    resp = create_server(pool_id, "orders", "");
    {
        char message[256];

        snprintf(message, sizeof(message), "orders already exists in user pool %s.", pool_id);
        tu_assert_error(resp, "InvalidParameterException", message);
    }
    cJSON_Delete(resp);
    /* The same identifier in another pool is another resource server. */
    resp = create_server(other_pool, "orders", "");
    ck_assert_ptr_null(tu_error_type(resp));
    cJSON_Delete(resp);

    /* A scope name cannot hold '/' (the model's pattern). */
    resp = create_server(pool_id, "bad", "[{\"ScopeName\":\"a/b\",\"ScopeDescription\":\"x\"}]");
    tu_assert_error(resp, "InvalidParameterException", NULL);
    ck_assert(strstr(tu_str(resp, "message"), "scopes.1.member.scopeName") != NULL);
    cJSON_Delete(resp);

    resp = create_server("us-east-1_nothere00", "x", "");
    tu_assert_error(resp, "ResourceNotFoundException",
                    "User pool us-east-1_nothere00 does not exist.");
    cJSON_Delete(resp);
    resp = tu_callf(env, IDP "UpdateResourceServer",
                    "{\"UserPoolId\":\"%s\",\"Identifier\":\"ghost\",\"Name\":\"n\"}", pool_id);
    tu_assert_error(resp, "ResourceNotFoundException", "Resource server ghost does not exist.");
    cJSON_Delete(resp);
    resp = tu_callf(env, IDP "DeleteResourceServer",
                    "{\"UserPoolId\":\"%s\",\"Identifier\":\"ghost\"}", pool_id);
    tu_assert_error(resp, "ResourceNotFoundException", "Resource server ghost does not exist.");
    cJSON_Delete(resp);
    /* A resource server of another pool is unknown in this one. */
    resp = tu_callf(env, IDP "DeleteResourceServer",
                    "{\"UserPoolId\":\"%s\",\"Identifier\":\"orders\"}", pool_id);
    ck_assert_ptr_null(tu_error_type(resp));
    cJSON_Delete(resp);
    resp = tu_callf(env, IDP "DescribeResourceServer",
                    "{\"UserPoolId\":\"%s\",\"Identifier\":\"orders\"}", other_pool);
    ck_assert_ptr_null(tu_error_type(resp));
    cJSON_Delete(resp);
}
END_TEST

START_TEST(test_resource_server_list_pages_and_limit)
{
    char next[512] = "";
    int seen = 0, pages = 0;
    cJSON *resp;

    for (int i = 0; i < 25; i++) {
        char id[16];

        snprintf(id, sizeof(id), "api%02d", i);
        resp = create_server(pool_id, id, "");
        ck_assert_ptr_null(tu_error_type(resp));
        cJSON_Delete(resp);
    }
    resp = create_server(pool_id, "one-too-many", "");
    tu_assert_error(resp, "LimitExceededException", NULL);
    cJSON_Delete(resp);

    do {
        resp = tu_callf(env, IDP "ListResourceServers",
                        "{\"UserPoolId\":\"%s\",\"MaxResults\":10%s%s%s}", pool_id,
                        next[0] ? ",\"NextToken\":\"" : "", next, next[0] ? "\"" : "");
        ck_assert_ptr_null(tu_error_type(resp));
        ck_assert_int_le(cJSON_GetArraySize(tu_get(resp, "ResourceServers")), 10);
        seen += cJSON_GetArraySize(tu_get(resp, "ResourceServers"));
        ck_assert_str_eq(
            tu_str(cJSON_GetArrayItem(tu_get(resp, "ResourceServers"), 0), "UserPoolId"), pool_id);
        snprintf(next, sizeof(next), "%s",
                 tu_str(resp, "NextToken") ? tu_str(resp, "NextToken") : "");
        pages++;
        cJSON_Delete(resp);
    } while (next[0] != '\0');
    ck_assert_int_eq(seen, 25);
    ck_assert_int_eq(pages, 3);

    resp = tu_callf(env, IDP "ListResourceServers", "{\"UserPoolId\":\"%s\",\"MaxResults\":51}",
                    pool_id);
    tu_assert_error(resp, "InvalidParameterException", NULL);
    cJSON_Delete(resp);
    resp = tu_callf(env, IDP "ListResourceServers", "{\"UserPoolId\":\"%s\",\"MaxResults\":0}",
                    pool_id);
    tu_assert_error(resp, "InvalidParameterException", NULL);
    cJSON_Delete(resp);
    resp = tu_callf(env, IDP "ListResourceServers", "{\"UserPoolId\":\"us-east-1_nothere00\"}");
    tu_assert_error(resp, "ResourceNotFoundException", NULL);
    cJSON_Delete(resp);
}
END_TEST

START_TEST(test_resource_server_scope_reader)
{
    struct store_conn *db;

    cJSON_Delete(create_server(pool_id, "https://api.example.com/v1", READ_WRITE));
    cJSON_Delete(
        create_server(pool_id, "plain", "[{\"ScopeName\":\"x.y\",\"ScopeDescription\":\"d\"}]"));
    db = store_acquire(env->store);
    /* Split at the last '/': the identifier may itself hold slashes. */
    ck_assert_int_eq(resource_server_has_scope(db, pool_id, "https://api.example.com/v1/read"), 1);
    ck_assert_int_eq(resource_server_has_scope(db, pool_id, "https://api.example.com/v1/write"), 1);
    ck_assert_int_eq(resource_server_has_scope(db, pool_id, "https://api.example.com/v1/delete"),
                     0);
    ck_assert_int_eq(resource_server_has_scope(db, pool_id, "https://api.example.com/read"), 0);
    ck_assert_int_eq(resource_server_has_scope(db, pool_id, "plain/x.y"), 1);
    ck_assert_int_eq(resource_server_has_scope(db, other_pool, "plain/x.y"), 0);
    ck_assert_int_eq(resource_server_has_scope(db, pool_id, "openid"), 0);
    ck_assert_int_eq(resource_server_has_scope(db, pool_id, "plain/"), 0);
    ck_assert_int_eq(resource_server_has_scope(db, pool_id, "/x.y"), 0);
    store_release(env->store, db);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("ops_domain");
    TCase *tc = tcase_create("domain");
    TCase *rs = tcase_create("resource_server");

    tcase_add_checked_fixture(tc, setup, tu_teardown);
    tcase_add_test(tc, test_domain_prefix_create_and_describe);
    tcase_add_test(tc, test_domain_custom_create_and_describe);
    tcase_add_test(tc, test_domain_unknown_describes_as_empty);
    tcase_add_test(tc, test_domain_one_prefix_and_one_custom_per_pool);
    tcase_add_test(tc, test_domain_unique_across_pools);
    tcase_add_test(tc, test_domain_names_checked);
    tcase_add_test(tc, test_domain_managed_login_version);
    tcase_add_test(tc, test_domain_update_rules);
    tcase_add_test(tc, test_domain_delete_and_pool_deletion);
    tcase_add_test(tc, test_domain_unknown_pool);
    suite_add_tcase(s, tc);
    tcase_add_checked_fixture(rs, setup, tu_teardown);
    tcase_add_test(rs, test_resource_server_life_cycle);
    tcase_add_test(rs, test_resource_server_errors);
    tcase_add_test(rs, test_resource_server_list_pages_and_limit);
    tcase_add_test(rs, test_resource_server_scope_reader);
    suite_add_tcase(s, rs);
    return s;
}
