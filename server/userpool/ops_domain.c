/*
 * ops_domain: the user pool domain operations (CreateUserPoolDomain, DescribeUserPoolDomain,
 * UpdateUserPoolDomain, DeleteUserPoolDomain).
 *
 * A domain is stored as the DomainDescription document DescribeUserPoolDomain returns (see
 * domain.h): ACTIVE at once (a real prefix domain takes up to a minute, a custom one up to an
 * hour), with the S3 bucket, CloudFront distribution and version a real one shows, so that
 * infrastructure tools reading them back see what they expect. Nothing is served from the
 * CloudFront name; the OAuth endpoints resolve a request to its pool with domain.h.
 *
 * Facts: ../shared/oauth2-hosted-ui.md 1.1 and 5.3. The model's DomainType pattern has no dot,
 * yet custom domains travel in the same member, so params.c does not apply it
 * (gen_model_tables.py, PATTERN_NOT_ENFORCED) and check_name() below applies it to prefix
 * domains only. Messages are real Cognito's where a source is cited, else this emulator's own
 * (said so where they are written) and pinned by tests/check_ops_domain.c.
 */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/ids.h"
#include "util/jsonutil.h"
#include "aws/op.h"
#include "aws/ops_common.h"
#include "userpool/domain.h"
#include "userpool/pool.h"
#include "settings.h"
#include "store/store.h"

/* ManagedLoginVersion: 1 the classic hosted UI (Cognito's default), 2 managed login. */
#define CLASSIC_HOSTED_UI 1
#define MANAGED_LOGIN 2

/* ---- Names ------------------------------------------------------------------------------- */

static bool is_lower_alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* One DNS label as DomainType allows it: 1-63 of [a-z0-9-], no hyphen at either end. */
static bool label_ok(const char *s, size_t n)
{
    if (n < 1 || n > 63 || !is_lower_alnum(s[0]) || !is_lower_alnum(s[n - 1]))
        return false;
    for (size_t i = 1; i + 1 < n; i++)
        if (!is_lower_alnum(s[i]) && s[i] != '-')
            return false;
    return true;
}

/* A fully qualified domain name: at least two labels, each a valid label. */
static bool fqdn_ok(const char *s)
{
    size_t labels = 0;

    for (const char *dot; *s != '\0'; s = dot + 1, labels++) {
        dot = strchr(s, '.');
        if (dot == NULL)
            return label_ok(s, strlen(s)) && labels >= 1;
        if (!label_ok(s, (size_t)(dot - s)))
            return false;
    }
    return false; /* empty, or a trailing dot */
}

/*
 * Domain must be a valid prefix (custom false) or FQDN (custom true). A bad prefix fails as
 * params.c reports the model's pattern (what AWS's validator answers for DomainType); a
 * prefix holding a reserved word fails with real Cognito's message ("Domain cannot contain
 * reserved word: aws", aws-amplify/amplify-cli#1513, and the same for cognito in Terraform and
 * CDK reports). The message for a bad custom domain is this emulator's.
 */
static int check_name(struct op_ctx *ctx, const char *domain, bool custom)
{
    static const char *const RESERVED[] = {"aws", "amazon", "cognito"};

    if (custom) {
        if (!fqdn_ok(domain))
            return cog_err_set(&ctx->err, COG_E_INVALID_PARAMETER,
                               "Custom domain %s is not a valid fully qualified domain name.",
                               domain);
        return 0;
    }
    if (!label_ok(domain, strlen(domain)))
        return cog_err_set(&ctx->err, COG_E_INVALID_PARAMETER,
                           "1 validation error detected: Value '%s' at 'domain' failed to satisfy "
                           "constraint: Member must satisfy regular expression pattern: "
                           "^[a-z0-9](?:[a-z0-9\\-]{0,61}[a-z0-9])?$",
                           domain);
    for (size_t i = 0; i < sizeof(RESERVED) / sizeof(RESERVED[0]); i++)
        if (strstr(domain, RESERVED[i]) != NULL)
            return cog_err_set(&ctx->err, COG_E_INVALID_PARAMETER,
                               "Domain cannot contain reserved word: %s", RESERVED[i]);
    return 0;
}

/* ---- Settings ---------------------------------------------------------------------------- */

/*
 * The ManagedLoginVersion of the request into *version: its value, or fallback when absent.
 * Only 1 and 2 exist (InvalidParameterException otherwise; this emulator's wording). Managed
 * login needs a feature plan above LITE (CreateUserPoolDomain API reference):
 * FeatureUnavailableInTierException, in this emulator's words.
 */
static int check_version(struct op_ctx *ctx, const cJSON *pool, int fallback, int *version)
{
    const cJSON *given = json_get(ctx->in, "ManagedLoginVersion");
    const char *tier = json_str_or(pool, "UserPoolTier", "ESSENTIALS");

    *version = given != NULL ? (int)json_int(ctx->in, "ManagedLoginVersion", 0) : fallback;
    if (*version != CLASSIC_HOSTED_UI && *version != MANAGED_LOGIN)
        return cog_err_set(&ctx->err, COG_E_INVALID_PARAMETER,
                           "ManagedLoginVersion must be 1 (hosted UI) or 2 (managed login).");
    if (*version == MANAGED_LOGIN && strcmp(tier, "LITE") == 0)
        return cog_err_set(&ctx->err, COG_E_FEATURE_UNAVAILABLE_IN_TIER,
                           "Managed login is not available in the LITE feature plan. Change the "
                           "user pool's feature plan to ESSENTIALS or PLUS.");
    return 0;
}

/*
 * A pool may have one prefix domain and one custom domain (the CreateUserPoolDomain reference
 * on passkey relying parties assumes the pair); a second of a kind is refused with real
 * Cognito's message (aws/aws-cdk#10062).
 */
static int check_one_of_a_kind(struct op_ctx *ctx, const char *pool_id, bool custom)
{
    char *existing = NULL;
    int st = domain_of_pool(ctx->db, pool_id, custom ? NULL : &existing, custom ? &existing : NULL);

    free(existing);
    if (st != STORE_OK)
        return ops_fail_internal(ctx, "reading the user pool's domains");
    if (existing != NULL)
        return cog_err_set(&ctx->err, COG_E_INVALID_PARAMETER,
                           "User pool already has a domain configured.");
    return 0;
}

/* Where AWS serves a region's hosted UI assets from ("aws-cognito-prod-<airport>-assets"); a
 * region without a known airport code uses its own name. */
static const struct {
    const char *region, *airport;
} ASSET_SITES[] = {
    {"us-east-1", "iad"},      {"us-east-2", "cmh"},      {"us-west-1", "sfo"},
    {"us-west-2", "pdx"},      {"ca-central-1", "yul"},   {"eu-west-1", "dub"},
    {"eu-west-2", "lhr"},      {"eu-central-1", "fra"},   {"ap-northeast-1", "nrt"},
    {"ap-northeast-2", "icn"}, {"ap-southeast-1", "sin"}, {"ap-southeast-2", "syd"},
    {"ap-south-1", "bom"},     {"sa-east-1", "gru"},
};

static const char *asset_site(const char *region)
{
    for (size_t i = 0; i < sizeof(ASSET_SITES) / sizeof(ASSET_SITES[0]); i++)
        if (strcmp(ASSET_SITES[i].region, region) == 0)
            return ASSET_SITES[i].airport;
    return region;
}

/* Version: the time of the last change, "YYYYMMDDhhmmss" in UTC (as real descriptions show). */
static int set_version(cJSON *desc, int64_t now_ms)
{
    time_t t = (time_t)(now_ms / 1000);
    struct tm tm;
    char text[32];

    if (gmtime_r(&t, &tm) == NULL || strftime(text, sizeof(text), "%Y%m%d%H%M%S", &tm) == 0)
        return -1;
    return json_set_str(desc, "Version", text);
}

/*
 * The DomainDescription of a new domain, in the member order of the AWS CLI example:
 * UserPoolId, AWSAccountId, Domain, S3Bucket, CloudFrontDistribution ("d" and 13 random
 * characters, like a real distribution; Create and Update return it as CloudFrontDomain for a
 * custom domain), Version, Status ACTIVE, CustomDomainConfig ({} for a prefix domain) and
 * ManagedLoginVersion. Returns the document (cJSON_Delete), or NULL when out of memory.
 */
static cJSON *new_description(struct op_ctx *ctx, const char *pool_id, const char *domain,
                              int version)
{
    char bucket[128], cloudfront[32], id[16];
    const cJSON *config = json_get(ctx->in, "CustomDomainConfig");
    cJSON *desc = cJSON_CreateObject();
    int bad = desc == NULL;

    snprintf(bucket, sizeof(bucket), "aws-cognito-prod-%s-assets", asset_site(ctx->region));
    ids_random_chars(id, 13, "abcdefghijklmnopqrstuvwxyz0123456789");
    snprintf(cloudfront, sizeof(cloudfront), "d%s.cloudfront.net", id);
    bad = bad || json_set_str(desc, "UserPoolId", pool_id) != 0;
    bad = bad || json_set_str(desc, "AWSAccountId", ctx->settings->account_id) != 0;
    bad = bad || json_set_str(desc, "Domain", domain) != 0;
    bad = bad || json_set_str(desc, "S3Bucket", bucket) != 0;
    bad = bad || json_set_str(desc, "CloudFrontDistribution", cloudfront) != 0;
    bad = bad || set_version(desc, ctx->now_ms) != 0;
    bad = bad || json_set_str(desc, "Status", "ACTIVE") != 0;
    bad = bad || json_set_item(desc, "CustomDomainConfig",
                               config ? cJSON_Duplicate(config, true) : cJSON_CreateObject()) != 0;
    bad = bad || json_set_num(desc, "ManagedLoginVersion", version) != 0;
    if (bad) {
        cJSON_Delete(desc);
        return NULL;
    }
    return desc;
}

/* The output of Create and UpdateUserPoolDomain for stored description desc. */
static int answer_change(struct op_ctx *ctx, const cJSON *desc)
{
    int bad = json_set_num(ctx->out, "ManagedLoginVersion",
                           (double)json_int(desc, "ManagedLoginVersion", CLASSIC_HOSTED_UI)) != 0;

    if (!bad && domain_is_custom(desc))
        bad = json_set_str(ctx->out, "CloudFrontDomain",
                           json_str(desc, "CloudFrontDistribution")) != 0;
    return bad ? ops_fail_internal(ctx, "out of memory") : 0;
}

/*
 * The end of Create and UpdateUserPoolDomain, whose result so far is rc: commit (rc 0) or roll
 * back, answer with stored description desc when committed, and free pool and desc. Returns
 * the operation's result.
 */
static int finish_change(struct op_ctx *ctx, int rc, cJSON *pool, cJSON *desc)
{
    rc = ops_txn_end(ctx, rc);
    if (rc == 0)
        rc = answer_change(ctx, desc);
    cJSON_Delete(pool);
    cJSON_Delete(desc);
    return rc;
}

/* ---- Operations -------------------------------------------------------------------------- */

int op_create_user_pool_domain(struct op_ctx *ctx)
{
    const char *domain = json_str(ctx->in, "Domain"), *pool_id = json_str(ctx->in, "UserPoolId");
    bool custom = json_get(ctx->in, "CustomDomainConfig") != NULL;
    cJSON *pool = NULL, *desc = NULL;
    int version, rc = -1, st;

    if (check_name(ctx, domain, custom) != 0 || ops_txn_begin(ctx) != 0)
        return -1;
    if (pool_load(ctx, pool_id, &pool) != 0 ||
        check_version(ctx, pool, CLASSIC_HOSTED_UI, &version) != 0 ||
        check_one_of_a_kind(ctx, pool_id, custom) != 0)
        goto out;
    if ((desc = new_description(ctx, pool_id, domain, version)) == NULL) {
        ops_fail_internal(ctx, "out of memory");
        goto out;
    }
    st = ops_doc_save(ctx, &DOMAIN_DOC, domain, pool_id, desc, true);
    /* Domains are unique across all pools (of every account, in Cognito); real Cognito's
     * message (serverless/serverless#10135 and many CloudFormation reports). */
    if (st == STORE_EXISTS)
        cog_err_set(&ctx->err, COG_E_INVALID_PARAMETER,
                    "Domain already associated with another user pool.");
    else if (st == STORE_OK)
        rc = 0;
out:
    return finish_change(ctx, rc, pool, desc);
}

/*
 * An unknown domain is not an error: AWS answers 200 with an empty DomainDescription (what
 * cognitox and other emulators reproduce; infrastructure tools use it to test availability).
 */
int op_describe_user_pool_domain(struct op_ctx *ctx)
{
    char *text = NULL;
    cJSON *desc;
    int st =
        store_doc_get(ctx->db, STORE_USER_POOL_DOMAIN, json_str(ctx->in, "Domain"), NULL, &text);

    if (st == STORE_NOT_FOUND)
        return ops_out_set(ctx, "DomainDescription", cJSON_CreateObject());
    if (st != STORE_OK)
        return ops_fail_internal(ctx, "reading the user pool domain");
    desc = cJSON_Parse(text);
    free(text);
    if (desc == NULL)
        return ops_fail_internal(ctx, "reading the user pool domain");
    return ops_out_set(ctx, "DomainDescription", desc);
}

/*
 * UpdateUserPoolDomain changes a domain's certificate and its ManagedLoginVersion (kept when
 * the request omits it: this emulator's reading, Update being how the version is switched); the
 * name itself cannot change. A custom domain without CustomDomainConfig is refused with real
 * Cognito's message (hashicorp/terraform-provider-aws#43248); the converse, a prefix domain
 * given a certificate, with this emulator's message by symmetry.
 */
int op_update_user_pool_domain(struct op_ctx *ctx)
{
    const char *domain = json_str(ctx->in, "Domain"), *pool_id = json_str(ctx->in, "UserPoolId");
    const cJSON *config = json_get(ctx->in, "CustomDomainConfig");
    cJSON *pool = NULL, *desc = NULL;
    int version, rc = -1;
    bool custom;

    if (ops_txn_begin(ctx) != 0)
        return -1;
    if (pool_load(ctx, pool_id, &pool) != 0 ||
        ops_doc_load(ctx, &DOMAIN_DOC, domain, pool_id, &desc) != 0)
        goto out;
    custom = domain_is_custom(desc);
    if (custom && config == NULL) {
        cog_err_set(&ctx->err, COG_E_INVALID_PARAMETER,
                    "Cannot convert custom domain to prefix domain.");
        goto out;
    }
    if (!custom && config != NULL) {
        cog_err_set(&ctx->err, COG_E_INVALID_PARAMETER,
                    "Cannot convert prefix domain to custom domain.");
        goto out;
    }
    if (check_version(ctx, pool, (int)json_int(desc, "ManagedLoginVersion", CLASSIC_HOSTED_UI),
                      &version) != 0)
        goto out;
    if ((config != NULL &&
         json_set_item(desc, "CustomDomainConfig", cJSON_Duplicate(config, true)) != 0) ||
        json_set_num(desc, "ManagedLoginVersion", version) != 0 ||
        set_version(desc, ctx->now_ms) != 0) {
        ops_fail_internal(ctx, "out of memory");
        goto out;
    }
    if (ops_doc_save(ctx, &DOMAIN_DOC, domain, pool_id, desc, false) == STORE_OK)
        rc = 0;
out:
    return finish_change(ctx, rc, pool, desc);
}

int op_delete_user_pool_domain(struct op_ctx *ctx)
{
    const char *pool_id = json_str(ctx->in, "UserPoolId");

    if (ops_doc_check(ctx, &OPS_USER_POOL, pool_id, NULL) != 0)
        return -1;
    return ops_doc_delete(ctx, &DOMAIN_DOC, json_str(ctx->in, "Domain"), pool_id);
}
