/*
 * pool: the user pool document, as DescribeUserPool returns it: AWS's defaults and cross-field
 * rules when a request creates or replaces it, and the readers every other file uses to ask
 * what it means. See pool.h.
 *
 * Sources, cited once here and referred to below:
 *   [cli-2019] aws/aws-cli awscli/examples/cognito-idp/create-user-pool.rst and
 *              create-user-pool-client.rst: real responses to minimal requests.
 *   [cli-2024] the aws-cli describe-user-pool.rst example of 2024 (pool us-west-2_EXAMPLE):
 *              the modern response, including the "identities" attribute, custom attributes
 *              ("custom:" and "dev:custom:" names), VerificationMessageTemplate mirrored into
 *              the legacy message members, UnusedAccountValidityDays equal to
 *              TemporaryPasswordValidityDays, UserAttributeUpdateSettings.
 *   [api]      the API reference text carried in server/aws/model/cognito-idp.json
 *              (CreateUserPoolClient and PasswordPolicyType member documentation).
 *   [client]   DescribeUserPoolClient output of a CLI-created client, 2023 (RefreshTokenValidity
 *              30, TokenValidityUnits {}, AllowedOAuthFlowsUserPoolClient false,
 *              EnableTokenRevocation true, EnablePropagateAdditionalUserContextData false,
 *              AuthSessionValidity 3; no ExplicitAuthFlows or PreventUserExistenceErrors).
 * Error messages quote what real Cognito answered in public reports where one was found; the
 * remaining wordings are marked as this emulator's own.
 */
#include "config.h"

#include "userpool/pool.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/ops_common.h"
#include "util/jsonutil.h"

/* AWS's default password policy ([cli-2019]; TemporaryPasswordValidityDays 7 per [api]). */
#define DEFAULT_MIN_LENGTH 8
#define DEFAULT_TEMP_PASSWORD_DAYS 7

/* ---- User pool schema -------------------------------------------------------------------- */

/*
 * The standard attributes in the order and with the properties AWS returns them ([cli-2019],
 * [cli-2024]). min/max are StringAttributeConstraints for String attributes (both NULL gives
 * the empty constraints object "identities" has) and MinValue for Number attributes.
 */
static const struct standard_attribute {
    const char *name, *type;
    bool is_mutable, required;
    const char *min, *max;
} STANDARD[] = {
    {"sub", "String", false, true, "1", "2048"},
    {"name", "String", true, false, "0", "2048"},
    {"given_name", "String", true, false, "0", "2048"},
    {"family_name", "String", true, false, "0", "2048"},
    {"middle_name", "String", true, false, "0", "2048"},
    {"nickname", "String", true, false, "0", "2048"},
    {"preferred_username", "String", true, false, "0", "2048"},
    {"profile", "String", true, false, "0", "2048"},
    {"picture", "String", true, false, "0", "2048"},
    {"website", "String", true, false, "0", "2048"},
    {"email", "String", true, false, "0", "2048"},
    {"email_verified", "Boolean", true, false, NULL, NULL},
    {"gender", "String", true, false, "0", "2048"},
    {"birthdate", "String", true, false, "10", "10"},
    {"zoneinfo", "String", true, false, "0", "2048"},
    {"locale", "String", true, false, "0", "2048"},
    {"phone_number", "String", true, false, "0", "2048"},
    {"phone_number_verified", "Boolean", true, false, NULL, NULL},
    {"address", "String", true, false, "0", "2048"},
    {"updated_at", "Number", true, false, "0", NULL},
    {"identities", "String", true, false, NULL, NULL},
};
#define NSTANDARD (sizeof(STANDARD) / sizeof(STANDARD[0]))

static const struct standard_attribute *find_standard(const char *name)
{
    for (size_t i = 0; i < NSTANDARD; i++)
        if (strcmp(STANDARD[i].name, name) == 0)
            return &STANDARD[i];
    return NULL;
}

/* The request's Schema entry for a standard attribute, or NULL. */
static const cJSON *find_requested(const cJSON *schema, const char *name)
{
    const cJSON *attr;

    cJSON_ArrayForEach(attr, schema)
    {
        const char *n = json_str(attr, "Name");
        if (n != NULL && strcmp(n, name) == 0)
            return attr;
    }
    return NULL;
}

/* A constraint value: absent or "" (no limit), or a decimal integer. 0, or -1 when malformed. */
static int parse_limit(const cJSON *constraints, const char *name, bool *has, long long *value)
{
    const char *s = json_str(constraints, name);
    char *end;

    *has = false;
    if (s == NULL || *s == '\0')
        return 0;
    errno = 0;
    *value = strtoll(s, &end, 10);
    if (errno != 0 || *end != '\0')
        return -1;
    *has = true;
    return 0;
}

/*
 * Check the constraints object of attribute name (type String or Number). Cognito's rules as
 * moto mirrors them (getmoto/moto moto/cognitoidp/models.py, CognitoIdpUserPoolAttribute):
 * numbers must parse, strings are at most 2048 long, a maximum is not below its minimum.
 */
static int check_constraints(const char *name, const char *type, const cJSON *c,
                             struct cog_err *err)
{
    bool is_string = strcmp(type, "String") == 0;
    const char *kind = is_string ? "StringAttributeConstraints" : "NumberAttributeConstraints";
    bool has_lo, has_hi;
    long long lo = 0, hi = 0;

    if (parse_limit(c, is_string ? "MinLength" : "MinValue", &has_lo, &lo) != 0 ||
        parse_limit(c, is_string ? "MaxLength" : "MaxValue", &has_hi, &hi) != 0 ||
        (is_string && ((has_lo && lo < 0) || (has_hi && hi < 0))))
        return cog_err_set(err, COG_E_INVALID_PARAMETER, "Invalid %s for schema attribute %s", kind,
                           name);
    if (is_string && ((has_lo && lo > 2048) || (has_hi && hi > 2048)))
        return cog_err_set(err, COG_E_INVALID_PARAMETER,
                           "user.%s: String attributes cannot have a length of more than 2048",
                           name);
    if (has_lo && has_hi && lo > hi)
        return cog_err_set(err, COG_E_INVALID_PARAMETER,
                           is_string ? "user.%s: Max length cannot be less than min length."
                                     : "user.%s: Max value cannot be less than min value.",
                           name);
    return 0;
}

/*
 * One SchemaAttributeType entry: Name, AttributeDataType, DeveloperOnlyAttribute, Mutable,
 * Required, then the constraints object for String/Number types (as given in requested when
 * it has one, else defaults; defaults NULL gives an empty object).
 */
static cJSON *schema_entry(const char *name, const char *type, bool dev_only, bool is_mutable,
                           bool required, const cJSON *requested, cJSON *defaults)
{
    cJSON *e = cJSON_CreateObject();
    int bad = e == NULL;

    bad |= json_set_str(e, "Name", name);
    bad |= json_set_str(e, "AttributeDataType", type);
    bad |= json_set_bool(e, "DeveloperOnlyAttribute", dev_only);
    bad |= json_set_bool(e, "Mutable", is_mutable);
    bad |= json_set_bool(e, "Required", required);
    if (strcmp(type, "String") == 0 || strcmp(type, "Number") == 0) {
        const char *key =
            type[0] == 'S' ? "StringAttributeConstraints" : "NumberAttributeConstraints";
        const cJSON *given = json_get(requested, key);
        if (given != NULL) {
            cJSON_Delete(defaults);
            defaults = cJSON_Duplicate(given, 1);
        } else if (defaults == NULL) {
            defaults = cJSON_CreateObject();
        }
        bad |= json_set_item(e, key, defaults);
        defaults = NULL;
    }
    cJSON_Delete(defaults);
    if (bad) {
        cJSON_Delete(e);
        return NULL;
    }
    return e;
}

/* The default constraints object of a standard attribute (NULL for none or out of memory). */
static cJSON *standard_constraints(const struct standard_attribute *s)
{
    cJSON *c;

    if (s->min == NULL && s->max == NULL)
        return NULL;
    if ((c = cJSON_CreateObject()) == NULL)
        return NULL;
    if (strcmp(s->type, "Number") == 0) {
        json_set_str(c, "MinValue", s->min);
    } else {
        json_set_str(c, "MinLength", s->min);
        json_set_str(c, "MaxLength", s->max);
    }
    return c;
}

/* A standard attribute with the request's changes (Required, Mutable, constraints) applied. */
static int standard_entry(const struct standard_attribute *s, const cJSON *requested, cJSON *list,
                          struct cog_err *err)
{
    const char *type = json_str(requested, "AttributeDataType");
    cJSON *e;

    if (requested != NULL) {
        /* Cognito's wording as moto mirrors it (see check_constraints). */
        if ((type != NULL && strcmp(type, s->type) != 0) ||
            json_bool(requested, "DeveloperOnlyAttribute", false))
            return cog_err_set(err, COG_E_INVALID_PARAMETER,
                               "You can not change AttributeDataType or set "
                               "developerOnlyAttribute for standard schema attribute %s",
                               s->name);
        if (strcmp(s->type, "Boolean") != 0 &&
            check_constraints(s->name, s->type,
                              json_get(requested, s->type[0] == 'S' ? "StringAttributeConstraints"
                                                                    : "NumberAttributeConstraints"),
                              err) != 0)
            return -1;
    }
    e = schema_entry(s->name, s->type, false, json_bool(requested, "Mutable", s->is_mutable),
                     json_bool(requested, "Required", s->required), requested,
                     standard_constraints(s));
    return e != NULL && cJSON_AddItemToArray(list, e) ? 0 : cog_err_oom(err);
}

/*
 * A custom attribute: named "custom:<Name>", or "dev:custom:<Name>" when developer-only
 * ([cli-2024]); mutable unless the request says otherwise; never required.
 */
static int custom_entry(const cJSON *attr, cJSON *list, struct cog_err *err)
{
    const char *type = json_str(attr, "AttributeDataType");
    bool dev_only = json_bool(attr, "DeveloperOnlyAttribute", false);
    char name[96];
    cJSON *e;

    snprintf(name, sizeof(name), "%scustom:%s", dev_only ? "dev:" : "",
             json_str_or(attr, "Name", ""));
    /* Cognito's wording as moto mirrors it (see check_constraints). */
    if (type == NULL)
        return cog_err_set(err, COG_E_INVALID_PARAMETER,
                           "Invalid AttributeDataType input, consider using the provided "
                           "AttributeDataType enum.");
    /* Real Cognito's message (boto/boto3#2317). */
    if (json_bool(attr, "Required", false))
        return cog_err_set(err, COG_E_INVALID_PARAMETER,
                           "Required custom attributes are not supported currently.");
    if ((strcmp(type, "String") == 0 || strcmp(type, "Number") == 0) &&
        check_constraints(name, type,
                          json_get(attr, type[0] == 'S' ? "StringAttributeConstraints"
                                                        : "NumberAttributeConstraints"),
                          err) != 0)
        return -1;
    /* Without constraints in the request, an empty constraints object, as AWS shows for
     * "identities"; assumed, not confirmed for custom attributes. */
    e = schema_entry(name, type, dev_only, json_bool(attr, "Mutable", true), false, attr, NULL);
    return e != NULL && cJSON_AddItemToArray(list, e) ? 0 : cog_err_oom(err);
}

int pool_custom_attribute(const cJSON *attr, cJSON *list, struct cog_err *err)
{
    return custom_entry(attr, list, err);
}

/* SchemaAttributes for CreateUserPool's Schema (may be NULL): standard, then custom ones. */
static int build_schema(const cJSON *schema, cJSON **out, struct cog_err *err)
{
    cJSON *list = cJSON_CreateArray();
    const cJSON *attr;

    *out = NULL;
    if (list == NULL)
        return cog_err_oom(err);
    for (size_t i = 0; i < NSTANDARD; i++)
        if (standard_entry(&STANDARD[i], find_requested(schema, STANDARD[i].name), list, err))
            goto fail;
    cJSON_ArrayForEach(attr, schema)
    {
        const char *name = json_str(attr, "Name");
        if (name != NULL && find_standard(name) == NULL && custom_entry(attr, list, err) != 0)
            goto fail;
    }
    *out = list;
    return 0;
fail:
    cJSON_Delete(list);
    return -1;
}

/* ---- User pool settings ------------------------------------------------------------------ */

/*
 * Policies.SignInPolicy, the first factors of choice-based sign-in (USER_AUTH), ["PASSWORD"]
 * when omitted (../shared/user-auth-passkeys.md 1.1). PASSWORD must be among them (the CDK's
 * AllowedFirstAuthFactors construct requires it; InvalidParameterException, the emulator's
 * wording), and the LITE feature plan allows nothing else (FeatureUnavailableInTierException,
 * in Create/UpdateUserPool's error lists; the emulator's wording). 0, or -1 with err set.
 */
static int add_sign_in_policy(cJSON *pol, const cJSON *policies, const char *tier,
                              struct cog_err *err)
{
    const cJSON *given = json_get(json_get(policies, "SignInPolicy"), "AllowedFirstAuthFactors");
    cJSON *policy = cJSON_CreateObject(), *factors;
    const cJSON *factor;
    bool lite = strcmp(tier, "LITE") == 0, lite_refused = false;

    factors = given != NULL ? cJSON_Duplicate(given, true) : cJSON_CreateArray();
    if (policy == NULL || factors == NULL) {
        cJSON_Delete(policy);
        cJSON_Delete(factors);
        return cog_err_oom(err);
    }
    if (json_set_item(policy, "AllowedFirstAuthFactors", factors) != 0 ||
        (given == NULL && !cJSON_AddItemToArray(factors, cJSON_CreateString("PASSWORD")))) {
        cJSON_Delete(policy);
        return cog_err_oom(err);
    }
    if (!json_list_has(factors, "PASSWORD")) {
        cJSON_Delete(policy);
        return cog_err_set(err, COG_E_INVALID_PARAMETER,
                           "AllowedFirstAuthFactors must include PASSWORD.");
    }
    cJSON_ArrayForEach(factor, factors)
    {
        lite_refused |=
            lite && cJSON_IsString(factor) && strcmp(factor->valuestring, "PASSWORD") != 0;
    }
    if (lite_refused) {
        cJSON_Delete(policy);
        return cog_err_set(err, COG_E_FEATURE_UNAVAILABLE_IN_TIER,
                           "Sign-in with EMAIL_OTP, SMS_OTP or WEB_AUTHN is not available in the "
                           "LITE feature plan. Change the user pool's feature plan to ESSENTIALS "
                           "or PLUS.");
    }
    return json_set_item(pol, "SignInPolicy", policy) != 0 ? cog_err_oom(err) : 0;
}

/*
 * Policies and the temporary password lifetime. Each password policy member the request omits
 * takes its own default (Cognito: "If you don't provide a value for an attribute, Amazon
 * Cognito sets it to its default value"; per-member defaulting inside a given PasswordPolicy
 * is assumed). TemporaryPasswordValidityDays 0 means the default ([api]). The deprecated
 * AdminCreateUserConfig.UnusedAccountValidityDays sets the same value when given alone, is
 * refused together with TemporaryPasswordValidityDays (the message real Cognito gives,
 * quoted by hashicorp/terraform-provider-aws's retry on it), and always mirrors it ([cli-2024]).
 */
static int add_policies(cJSON *doc, const cJSON *in, const char *tier, int64_t *temp_days,
                        struct cog_err *err)
{
    const cJSON *policies = json_get(in, "Policies");
    const cJSON *given = json_get(policies, "PasswordPolicy");
    const cJSON *admin = json_get(in, "AdminCreateUserConfig");
    bool has_temp = json_get(given, "TemporaryPasswordValidityDays") != NULL;
    bool has_unused = json_get(admin, "UnusedAccountValidityDays") != NULL;
    cJSON *pol = cJSON_CreateObject(), *pp = cJSON_CreateObject();
    int bad = 0;

    if (has_temp && has_unused) {
        cJSON_Delete(pol);
        cJSON_Delete(pp);
        return cog_err_set(err, COG_E_INVALID_PARAMETER,
                           "Please use TemporaryPasswordValidityDays in PasswordPolicy instead "
                           "of UnusedAccountValidityDays");
    }
    *temp_days = has_temp ? json_int(given, "TemporaryPasswordValidityDays", 0)
                          : json_int(admin, "UnusedAccountValidityDays", 0);
    if (*temp_days == 0)
        *temp_days = DEFAULT_TEMP_PASSWORD_DAYS;
    bad |= json_set_item(pol, "PasswordPolicy", pp);
    bad |= json_set_num(pp, "MinimumLength",
                        (double)json_int(given, "MinimumLength", DEFAULT_MIN_LENGTH));
    bad |= json_set_bool(pp, "RequireUppercase", json_bool(given, "RequireUppercase", true));
    bad |= json_set_bool(pp, "RequireLowercase", json_bool(given, "RequireLowercase", true));
    bad |= json_set_bool(pp, "RequireNumbers", json_bool(given, "RequireNumbers", true));
    bad |= json_set_bool(pp, "RequireSymbols", json_bool(given, "RequireSymbols", true));
    bad |= json_copy_member(pp, given, "PasswordHistorySize");
    bad |= json_set_num(pp, "TemporaryPasswordValidityDays", (double)*temp_days);
    if (bad || add_sign_in_policy(pol, policies, tier, err) != 0) {
        cJSON_Delete(pol);
        return bad ? cog_err_oom(err) : -1;
    }
    return json_set_item(doc, "Policies", pol) != 0 ? cog_err_oom(err) : 0;
}

/*
 * The verification messages. Cognito keeps VerificationMessageTemplate and the older
 * SmsVerificationMessage/EmailVerificationMessage/EmailVerificationSubject members in step
 * ([cli-2024] shows them equal): a template member wins, a legacy member fills the template's
 * gap, and the legacy members then mirror the template. DefaultEmailOption defaults to
 * CONFIRM_WITH_CODE (the API default).
 */
static const char *const MIRRORED[][2] = {
    {"SmsMessage", "SmsVerificationMessage"},
    {"EmailMessage", "EmailVerificationMessage"},
    {"EmailSubject", "EmailVerificationSubject"},
};

static int add_messages(cJSON *doc, const cJSON *in)
{
    const cJSON *given = json_get(in, "VerificationMessageTemplate");
    cJSON *t = given ? cJSON_Duplicate(given, 1) : cJSON_CreateObject();
    int bad = t == NULL;

    for (size_t i = 0; !bad && i < sizeof(MIRRORED) / sizeof(MIRRORED[0]); i++)
        if (json_get(t, MIRRORED[i][0]) == NULL && json_str(in, MIRRORED[i][1]) != NULL)
            bad |= json_set_str(t, MIRRORED[i][0], json_str(in, MIRRORED[i][1]));
    if (!bad && json_get(t, "DefaultEmailOption") == NULL)
        bad |= json_set_str(t, "DefaultEmailOption", "CONFIRM_WITH_CODE");
    for (size_t i = 0; !bad && i < sizeof(MIRRORED) / sizeof(MIRRORED[0]); i++)
        if (json_str(t, MIRRORED[i][0]) != NULL)
            bad |= json_set_str(doc, MIRRORED[i][1], json_str(t, MIRRORED[i][0]));
    if (bad) {
        cJSON_Delete(t);
        return -1;
    }
    return json_set_item(doc, "VerificationMessageTemplate", t);
}

/* EmailConfiguration as given, with EmailSendingAccount COGNITO_DEFAULT unless set. */
static int add_email_configuration(cJSON *doc, const cJSON *in)
{
    const cJSON *given = json_get(in, "EmailConfiguration");
    cJSON *c = given ? cJSON_Duplicate(given, 1) : cJSON_CreateObject();

    if (c == NULL)
        return -1;
    if (json_get(c, "EmailSendingAccount") == NULL &&
        json_set_str(c, "EmailSendingAccount", "COGNITO_DEFAULT") != 0) {
        cJSON_Delete(c);
        return -1;
    }
    return json_set_item(doc, "EmailConfiguration", c);
}

/* AdminCreateUserConfig: defaults from [cli-2019], UnusedAccountValidityDays as add_policies(). */
static int add_admin_create_user(cJSON *doc, const cJSON *in, int64_t temp_days)
{
    const cJSON *given = json_get(in, "AdminCreateUserConfig");
    cJSON *c = cJSON_CreateObject();
    int bad = c == NULL;

    bad |= json_set_bool(c, "AllowAdminCreateUserOnly",
                         json_bool(given, "AllowAdminCreateUserOnly", false));
    bad |= json_set_num(c, "UnusedAccountValidityDays", (double)temp_days);
    bad |= json_copy_member(c, given, "InviteMessageTemplate");
    if (bad) {
        cJSON_Delete(c);
        return -1;
    }
    return json_set_item(doc, "AdminCreateUserConfig", c);
}

/*
 * LambdaConfig: the request's, or {} (UpdateUserPool replaces it whole, so a trigger the
 * request leaves out is removed). The pre token generation trigger has two keys that carry one
 * ARN: PreTokenGenerationConfig {LambdaVersion, LambdaArn} and the legacy PreTokenGeneration
 * ("If you also set an ARN in PreTokenGeneration, its value must be identical to
 * PreTokenGenerationConfig", [api] LambdaConfigType). Both are stored, so that
 * DescribeUserPool returns both, with LambdaVersion V1_0 when only the legacy key was given.
 * The message for two different ARNs is this emulator's own (Cognito's was not found).
 */
static int add_lambda_config(cJSON *doc, const cJSON *in, struct cog_err *err)
{
    const cJSON *given = json_get(in, "LambdaConfig");
    cJSON *config = given != NULL ? cJSON_Duplicate(given, 1) : cJSON_CreateObject(), *v1 = NULL;
    const char *legacy = json_str(config, "PreTokenGeneration");
    const char *arn = json_str(json_get(config, "PreTokenGenerationConfig"), "LambdaArn");
    int bad = config == NULL;

    if (legacy != NULL && arn != NULL && strcmp(legacy, arn) != 0) {
        cJSON_Delete(config);
        return cog_err_set(err, COG_E_INVALID_PARAMETER,
                           "PreTokenGeneration and PreTokenGenerationConfig.LambdaArn must be "
                           "the same function ARN.");
    }
    if (!bad && legacy == NULL && arn != NULL)
        bad = json_set_str(config, "PreTokenGeneration", arn) != 0;
    else if (!bad && legacy != NULL && arn == NULL) {
        bad = (v1 = cJSON_CreateObject()) == NULL ||
              json_set_str(v1, "LambdaVersion", "V1_0") != 0 ||
              json_set_str(v1, "LambdaArn", legacy) != 0;
        if (bad)
            cJSON_Delete(v1);
        else /* takes v1, also on failure */
            bad = json_set_item(config, "PreTokenGenerationConfig", v1) != 0;
    }
    if (bad) {
        cJSON_Delete(config);
        return cog_err_oom(err);
    }
    return json_set_item(doc, "LambdaConfig", config) != 0 ? cog_err_oom(err) : 0;
}

/*
 * The whole pool document, in the member order of [cli-2024]. old is NULL for a create (the
 * request's create-only members are used and id, arn name the new pool) or the stored pool
 * for an update (its immutable members are kept; id and arn are ignored).
 *
 * Defaults for members the request omits: Policies (add_policies), DeletionProtection
 * INACTIVE, LambdaConfig {}, VerificationMessageTemplate (add_messages),
 * UserAttributeUpdateSettings {AttributesRequireVerificationBeforeUpdate: []} ([cli-2024]),
 * MfaConfiguration OFF, EstimatedNumberOfUsers 0, EmailConfiguration (add_email_configuration),
 * AdminCreateUserConfig (add_admin_create_user), UserPoolTier ESSENTIALS ([api]: "Defaults to
 * ESSENTIALS"). Optional settings without a default (AutoVerifiedAttributes, the SMS messages,
 * DeviceConfiguration, SmsConfiguration, UserPoolTags, UserPoolAddOns, AccountRecoverySetting)
 * appear only when given: moto records that DescribeUserPool has no AccountRecoverySetting for
 * a pool created without one, and [cli-2019] shows no tags for a minimal pool.
 */
static int build_pool(const cJSON *in, const cJSON *old, const char *id, const char *arn,
                      int64_t now_ms, cJSON **out, struct cog_err *err)
{
    const cJSON *fixed = old ? old : in; /* where the create-only settings come from */
    /* UpdateUserPool keeps the tier when the request omits it: "With the exception of
     * UserPoolTier, if you don't provide a value for an attribute, Amazon Cognito sets it to
     * its default value" (UpdateUserPool API reference). */
    const char *tier =
        json_str_or(in, "UserPoolTier", json_str_or(old, "UserPoolTier", "ESSENTIALS"));
    cJSON *doc = NULL, *schema = NULL, *settings = NULL;
    int64_t temp_days = DEFAULT_TEMP_PASSWORD_DAYS;
    int bad = 0;

    *out = NULL;
    /* Real Cognito's message (two independent reports of the create failure). */
    if (old == NULL && cJSON_GetArraySize(json_get(in, "UsernameAttributes")) > 0 &&
        cJSON_GetArraySize(json_get(in, "AliasAttributes")) > 0)
        return cog_err_set(err, COG_E_INVALID_PARAMETER,
                           "Only one of the aliasAttributes or usernameAttributes can be set "
                           "in a User Pool.");
    if (old == NULL && build_schema(json_get(in, "Schema"), &schema, err) != 0)
        return -1;
    if ((doc = cJSON_CreateObject()) == NULL || (settings = cJSON_CreateObject()) == NULL) {
        cJSON_Delete(schema);
        cJSON_Delete(doc);
        return cog_err_oom(err);
    }
    bad |= json_set_str(doc, "Id", old ? json_str_or(old, "Id", "") : id);
    bad |= json_set_str(doc, "Name", json_str_or(in, "PoolName", json_str_or(old, "Name", "")));
    if (add_policies(doc, in, tier, &temp_days, err) != 0)
        goto fail;
    bad |=
        json_set_str(doc, "DeletionProtection", json_str_or(in, "DeletionProtection", "INACTIVE"));
    if (add_lambda_config(doc, in, err) != 0)
        goto fail;
    bad |= json_set_num(doc, "LastModifiedDate", json_epoch(now_ms));
    if (old != NULL) {
        bad |= json_copy_member(doc, old, "CreationDate");
        bad |= json_copy_member(doc, old, "SchemaAttributes");
    } else {
        bad |= json_set_num(doc, "CreationDate", json_epoch(now_ms));
        bad |= json_set_item(doc, "SchemaAttributes", schema);
        schema = NULL;
    }
    bad |= json_copy_member(doc, in, "AutoVerifiedAttributes");
    bad |= json_copy_member(doc, fixed, "AliasAttributes");
    bad |= json_copy_member(doc, fixed, "UsernameAttributes");
    bad |= add_messages(doc, in);
    bad |= json_copy_member(doc, in, "SmsAuthenticationMessage");
    bad |=
        json_set_item(settings, "AttributesRequireVerificationBeforeUpdate", cJSON_CreateArray());
    bad |= json_copy_or(doc, in, "UserAttributeUpdateSettings", settings);
    settings = NULL;
    bad |= json_set_str(doc, "MfaConfiguration", json_str_or(in, "MfaConfiguration", "OFF"));
    /* The MFA factors are SetUserPoolMfaConfig's (ops_mfa.c); UpdateUserPool keeps them. */
    bad |= json_copy_member(doc, old, "SoftwareTokenMfaConfiguration");
    bad |= json_copy_member(doc, old, "SmsMfaConfiguration");
    bad |= json_copy_member(doc, old, "EmailMfaConfiguration");
    bad |= json_copy_member(doc, in, "DeviceConfiguration");
    bad |= json_set_num(doc, "EstimatedNumberOfUsers",
                        (double)json_int(old, "EstimatedNumberOfUsers", 0));
    bad |= add_email_configuration(doc, in);
    bad |= json_copy_member(doc, in, "SmsConfiguration");
    bad |= json_copy_member(doc, in, "UserPoolTags");
    bad |= json_copy_member(doc, old, "Domain");
    bad |= json_copy_member(doc, old, "CustomDomain");
    bad |= add_admin_create_user(doc, in, temp_days);
    bad |= json_copy_member(doc, in, "UserPoolAddOns");
    bad |= json_copy_member(doc, fixed, "UsernameConfiguration");
    bad |= json_set_str(doc, "Arn", old ? json_str_or(old, "Arn", "") : arn);
    bad |= json_copy_member(doc, in, "AccountRecoverySetting");
    bad |= json_set_str(doc, "UserPoolTier", tier);
    if (bad) {
        cog_err_oom(err);
        goto fail;
    }
    *out = doc;
    return 0;
fail:
    cJSON_Delete(settings);
    cJSON_Delete(schema);
    cJSON_Delete(doc);
    return -1;
}

int pool_new(const cJSON *in, const char *id, const char *arn, int64_t now_ms, cJSON **out,
             struct cog_err *err)
{
    return build_pool(in, NULL, id, arn, now_ms, out, err);
}

int pool_update(const cJSON *in, const cJSON *old, int64_t now_ms, cJSON **out, struct cog_err *err)
{
    return build_pool(in, old, NULL, NULL, now_ms, out, err);
}

/* ---- Readers ------------------------------------------------------------------------------ */

int pool_load(struct op_ctx *ctx, const char *pool_id, cJSON **pool)
{
    return ops_doc_load(ctx, &OPS_USER_POOL, pool_id, NULL, pool);
}

const cJSON *pool_schema_find(const cJSON *schema, const char *name)
{
    const cJSON *attr;

    cJSON_ArrayForEach(attr, schema)
    {
        const char *n = json_str(attr, "Name");
        if (n != NULL && name != NULL && strcmp(n, name) == 0)
            return attr;
    }
    return NULL;
}

const cJSON *pool_schema_entry(const cJSON *pool, const char *name)
{
    return pool_schema_find(json_get(pool, "SchemaAttributes"), name);
}

bool pool_never_writable(const char *name)
{
    return strcmp(name, "sub") == 0 || strcmp(name, "email_verified") == 0 ||
           strcmp(name, "phone_number_verified") == 0;
}

bool pool_allows_passwordless(const cJSON *pool)
{
    static const char *const PASSWORDLESS[] = {"EMAIL_OTP", "SMS_OTP", "WEB_AUTHN"};
    const cJSON *factors =
        json_get(json_get(json_get(pool, "Policies"), "SignInPolicy"), "AllowedFirstAuthFactors");

    for (size_t i = 0; i < sizeof(PASSWORDLESS) / sizeof(PASSWORDLESS[0]); i++)
        if (json_list_has(factors, PASSWORDLESS[i]))
            return true;
    return false;
}
