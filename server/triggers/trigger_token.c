/*
 * trigger_token: the pre token generation trigger (triggers_pre_token_generation in
 * triggers.h): its event in the three versions, and how its answer changes the claims before
 * userpool/tokens.c signs them. The rules are those of ../shared/lambda-triggers.md section
 * 5.6 (the developer guide's "Pre token generation Lambda trigger" page); where AWS says
 * nothing the choice is marked "emulator's choice" and pinned in tests/check_trigger_token.c.
 *
 * What an answer may do, by LambdaVersion:
 *   V1_0         response.claimsOverrideDetails: claimsToAddOrOverride (string values) and
 *                claimsToSuppress on the ID token only; groupOverrideDetails on both tokens.
 *   V2_0, V3_0   response.claimsAndScopeOverrideDetails: idTokenGeneration and
 *                accessTokenGeneration, each {claimsToAddOrOverride (strings, numbers,
 *                booleans, arrays of those, objects), claimsToSuppress}, the access token's
 *                scopesToAdd / scopesToSuppress, and groupOverrideDetails on both tokens.
 * Inside each token the groups come first, then the added or overridden claims, then the
 * suppressed ones: a claim both overridden and suppressed is suppressed. The claims Cognito
 * keeps for itself are left alone and logged (Cognito drops them quietly, as other emulators'
 * authors report). A member of the wrong type refuses the answer with
 * InvalidLambdaResponseException "Unrecognizable lambda output"; the log says which member.
 * A failure of either kind means no tokens.
 *
 * Failures of the call itself name the trigger "PreTokenGeneration", the LambdaConfig key,
 * also when PreTokenGenerationConfig configured it, as Cognito's messages do.
 *
 * Sources with callers today: TokenGeneration_Authentication, _NewPasswordChallenge and
 * _RefreshTokens (userpool/tokens.c, auth/auth.c), _HostedAuth and _RefreshTokens of the
 * domain's token endpoint and its V3_0-only _ClientCredentials (oauth/oauth_token.c), which
 * has no user and no ID token (id_claims NULL). _AuthenticateDevice has none yet.
 */
#include "config.h"

#include "triggers/triggers.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/ops_common.h"
#include "triggers/trigger_call.h"
#include "util/jsonutil.h"
#include "util/log.h"

/* The trigger's name in LambdaConfig and in Cognito's messages. */
#define TRIGGER "PreTokenGeneration"

/* The source only a V3_0 function is called for (lambda-triggers.md 5.6: V3 "additionally
 * runs for client-credentials (M2M) access tokens"). */
#define CLIENT_CREDENTIALS "TokenGeneration_ClientCredentials"

/* One answer being applied: for the checks that depend on the version, and the log lines. */
struct apply {
    struct op_ctx *ctx;
    const char *pool_id;
    const char *source;
    int version; /* 1, 2 or 3 */
};

const char *triggers_pre_token_function(const cJSON *lambda_config)
{
    const char *fn = triggers_function(lambda_config, "PreTokenGenerationConfig");

    return fn != NULL ? fn : triggers_function(lambda_config, TRIGGER);
}

/* The event version PreTokenGenerationConfig asks for: 2, 3, else 1 (also for the legacy
 * key alone). */
static int event_version(const cJSON *lambda_config)
{
    const cJSON *config = json_get(lambda_config, "PreTokenGenerationConfig");
    const char *v = json_str(config, "LambdaVersion");

    if (json_str(config, "LambdaArn") == NULL || v == NULL)
        return 1;
    if (strcmp(v, "V2_0") == 0)
        return 2;
    return strcmp(v, "V3_0") == 0 ? 3 : 1;
}

/* ---- The event ---------------------------------------------------------------------------- */

/* The scopes of a space-separated scope claim (may be NULL) as a new array; NULL when out of
 * memory. */
static cJSON *scope_list(const char *scopes)
{
    cJSON *list = cJSON_CreateArray();
    const char *p = scopes != NULL ? scopes : "";

    while (list != NULL && *p != '\0') {
        size_t n = strcspn(p, " ");
        cJSON *one = NULL;

        if (n > 0) {
            char *text = strndup(p, n);
            one = text != NULL ? cJSON_CreateString(text) : NULL;
            free(text);
            if (one == NULL || !cJSON_AddItemToArray(list, one)) {
                cJSON_Delete(one);
                cJSON_Delete(list);
                return NULL;
            }
        }
        p += n;
        p += *p == ' ';
    }
    return list;
}

/* A copy of list, or [] for NULL. */
static cJSON *list_or_empty(const cJSON *list)
{
    return list != NULL ? cJSON_Duplicate(list, 1) : cJSON_CreateArray();
}

/* request.groupConfiguration: empty lists and a null preferredRole for a user without groups
 * (never {}, one of cognito-local's bugs). A new object, or NULL. */
static cJSON *group_configuration(const struct trigger_groups *g)
{
    static const struct trigger_groups none = {0};
    cJSON *c = cJSON_CreateObject();

    if (g == NULL)
        g = &none;
    if (c == NULL || json_set_item(c, "groupsToOverride", list_or_empty(g->groups)) != 0 ||
        json_set_item(c, "iamRolesToOverride", list_or_empty(g->roles)) != 0 ||
        json_set_item(c, "preferredRole",
                      g->preferred_role != NULL ? cJSON_CreateString(g->preferred_role)
                                                : cJSON_CreateNull()) != 0) {
        cJSON_Delete(c);
        return NULL;
    }
    return c;
}

/*
 * The event: version "1", "2" or "3"; request {userAttributes, scopes (V2/V3),
 * groupConfiguration, clientMetadata (when sent)}, the member order of the developer guide;
 * response with its one member null, as real V1 events arrive (localstack/localstack#2893).
 * NULL when out of memory.
 */
static cJSON *token_event(const struct trigger_caller *caller, const char *source, int version,
                          const struct trigger_groups *groups, const char *scopes)
{
    char v[2] = {(char)('0' + version), '\0'};
    cJSON *event = trigger_event(caller, source, v);
    cJSON *request = trigger_request(event), *response = trigger_response(event);
    int bad = event == NULL;

    bad = bad || (version >= 2 && json_set_item(request, "scopes", scope_list(scopes)) != 0);
    bad = bad || json_set_item(request, "groupConfiguration", group_configuration(groups)) != 0;
    bad = bad || trigger_add_metadata(request, "clientMetadata", caller->client_metadata) != 0;
    bad = bad ||
          json_set_item(response,
                        version == 1 ? "claimsOverrideDetails" : "claimsAndScopeOverrideDetails",
                        cJSON_CreateNull()) != 0;
    if (bad) {
        cJSON_Delete(event);
        return NULL;
    }
    return event;
}

/* ---- Reading the answer ------------------------------------------------------------------- */

/* Refuse the answer; why (printf-style) says what was wrong, for the log. -1. */
static int unrecognizable(const struct apply *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int unrecognizable(const struct apply *a, const char *fmt, ...)
{
    char why[256];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(why, sizeof(why), fmt, ap);
    va_end(ap);
    log_warn("trigger %s of user pool %s: the answer is refused, %s: "
             "InvalidLambdaResponseException Unrecognizable lambda output",
             a->source, a->pool_id, why);
    return cog_err_set(&a->ctx->err, COG_E_INVALID_LAMBDA_RESPONSE, "Unrecognizable lambda output");
}

/* The object member name of obj into *out (NULL when absent or null). 0, or -1 when it is of
 * another type. */
static int get_object(const struct apply *a, const cJSON *obj, const char *name, const cJSON **out)
{
    const cJSON *m = json_get(obj, name);

    *out = NULL;
    if (m == NULL || cJSON_IsNull(m))
        return 0;
    if (!cJSON_IsObject(m))
        return unrecognizable(a, "%s is not an object", name);
    *out = m;
    return 0;
}

/* The list-of-strings member name of obj into *out (NULL when absent or null). 0, or -1 when
 * it is of another type. */
static int get_strings(const struct apply *a, const cJSON *obj, const char *name, const cJSON **out)
{
    const cJSON *m = json_get(obj, name), *e;

    *out = NULL;
    if (m == NULL || cJSON_IsNull(m))
        return 0;
    if (!cJSON_IsArray(m))
        return unrecognizable(a, "%s is not a list of strings", name);
    cJSON_ArrayForEach(e, m)
    {
        if (!cJSON_IsString(e))
            return unrecognizable(a, "%s is not a list of strings", name);
    }
    *out = m;
    return 0;
}

/* ---- Applying it -------------------------------------------------------------------------- */

/*
 * Whether claim name is Cognito's own, which no answer may add, change or suppress: the union
 * of the old and current pre token generation pages and AWS's trigger reference (section
 * 5.6), every cognito: claim but the three group claims, and the developer-only dev: ones
 * (the old page). scope changes only through the scope lists. In the access token aud may be
 * set to the app client id (and suppressed again), as the current page allows.
 */
static bool is_protected(const cJSON *claims, bool id_token, const char *name, const cJSON *value)
{
    static const char *const OWN[] = {
        "acr",        "amr",      "aud",        "at_hash", "auth_time",  "azp",       "client_id",
        "device_key", "event_id", "exp",        "iat",     "identities", "iss",       "jti",
        "nbf",        "nonce",    "origin_jti", "scope",   "sub",        "token_use", "version",
    };

    if (!id_token && strcmp(name, "aud") == 0)
        return value != NULL &&
               (!cJSON_IsString(value) ||
                strcmp(value->valuestring, json_str_or(claims, "client_id", "")) != 0);
    for (size_t i = 0; i < sizeof(OWN) / sizeof(OWN[0]); i++)
        if (strcmp(name, OWN[i]) == 0)
            return true;
    if (strncmp(name, "cognito:", 8) == 0)
        return strcmp(name, "cognito:groups") != 0 && strcmp(name, "cognito:roles") != 0 &&
               strcmp(name, "cognito:preferred_role") != 0;
    return strncmp(name, "dev:", 4) == 0;
}

static bool simple_value(const cJSON *v)
{
    return cJSON_IsString(v) || cJSON_IsNumber(v) || cJSON_IsBool(v);
}

/*
 * Whether v may be the value of claim name: V1 strings only (its map is string to string);
 * V2/V3 strings, numbers, booleans, arrays of those, and JSON objects, except that the ID
 * token's email_verified, phone_number_verified, updated_at and address stay simple values.
 * null is no value (emulator's choice: refused like any other wrong type).
 */
static bool value_ok(int version, bool id_token, const char *name, const cJSON *v)
{
    const cJSON *e;

    if (version == 1)
        return cJSON_IsString(v);
    if (simple_value(v))
        return true;
    if (id_token &&
        (strcmp(name, "email_verified") == 0 || strcmp(name, "phone_number_verified") == 0 ||
         strcmp(name, "updated_at") == 0 || strcmp(name, "address") == 0))
        return false;
    if (cJSON_IsObject(v))
        return true;
    if (!cJSON_IsArray(v))
        return false;
    cJSON_ArrayForEach(e, v)
    {
        if (!simple_value(e))
            return false;
    }
    return true;
}

static void ignored(const struct apply *a, bool id_token, const char *name, const char *change)
{
    log_warn("trigger %s of user pool %s: claim %s of the %s token is Cognito's own; the "
             "function's %s of it is ignored",
             a->source, a->pool_id, name, id_token ? "ID" : "access", change);
}

/*
 * Apply add (a claimsToAddOrOverride object, or NULL) and then suppress (a claimsToSuppress
 * list, or NULL) to claims, the claims of the ID token (id_token) or of the access token.
 * 0, or -1 with ctx->err set.
 */
static int apply_claims(const struct apply *a, cJSON *claims, bool id_token, const cJSON *add,
                        const cJSON *suppress)
{
    const cJSON *c;

    cJSON_ArrayForEach(c, add)
    {
        if (!value_ok(a->version, id_token, c->string, c))
            return unrecognizable(a, "the value of %s token claim %s is of the wrong type",
                                  id_token ? "ID" : "access", c->string);
        if (is_protected(claims, id_token, c->string, c)) {
            ignored(a, id_token, c->string, "override");
            continue;
        }
        if (json_set_item(claims, c->string, cJSON_Duplicate(c, 1)) != 0)
            return cog_err_oom(&a->ctx->err);
    }
    cJSON_ArrayForEach(c, suppress)
    {
        if (is_protected(claims, id_token, c->valuestring, NULL)) {
            ignored(a, id_token, c->valuestring, "suppression");
            continue;
        }
        cJSON_DeleteItemFromObjectCaseSensitive(claims, c->valuestring);
    }
    return 0;
}

/* Set claim name of claims (may be NULL: no such token) to a copy of list, or remove it when
 * list is NULL or empty. 0 or -1 (out of memory). */
static int set_list_claim(cJSON *claims, const char *name, const cJSON *list)
{
    if (claims == NULL)
        return 0;
    if (cJSON_GetArraySize(list) == 0) {
        cJSON_DeleteItemFromObjectCaseSensitive(claims, name);
        return 0;
    }
    return json_set_item(claims, name, cJSON_Duplicate(list, 1));
}

/*
 * groupOverrideDetails of details: absent leaves the groups as they are (unverified); null or
 * {} suppresses them; otherwise groupsToOverride becomes cognito:groups in both tokens,
 * iamRolesToOverride cognito:roles and preferredRole cognito:preferred_role in the ID token,
 * each removed when empty or null. 0, or -1 with ctx->err set.
 */
static int apply_groups(const struct apply *a, const cJSON *details, cJSON *idc, cJSON *accessc)
{
    const cJSON *d = json_get(details, "groupOverrideDetails");
    const cJSON *groups = NULL, *roles = NULL, *preferred = NULL;

    if (d == NULL)
        return 0;
    if (!cJSON_IsNull(d)) {
        if (!cJSON_IsObject(d))
            return unrecognizable(a, "groupOverrideDetails is not an object");
        if (get_strings(a, d, "groupsToOverride", &groups) != 0 ||
            get_strings(a, d, "iamRolesToOverride", &roles) != 0)
            return -1;
        preferred = json_get(d, "preferredRole");
        if (preferred != NULL && !cJSON_IsNull(preferred) && !cJSON_IsString(preferred))
            return unrecognizable(a, "preferredRole is not a string");
    }
    if (set_list_claim(idc, "cognito:groups", groups) != 0 ||
        set_list_claim(accessc, "cognito:groups", groups) != 0 ||
        set_list_claim(idc, "cognito:roles", roles) != 0)
        return cog_err_oom(&a->ctx->err);
    if (idc != NULL && cJSON_IsString(preferred))
        return json_set_str(idc, "cognito:preferred_role", preferred->valuestring) != 0
                   ? cog_err_oom(&a->ctx->err)
                   : 0;
    if (idc != NULL)
        cJSON_DeleteItemFromObjectCaseSensitive(idc, "cognito:preferred_role");
    return 0;
}

/* Remove every entry equal to value from the list of strings list. */
static void list_remove(cJSON *list, const char *value)
{
    cJSON *e = list != NULL ? list->child : NULL;

    while (e != NULL) {
        cJSON *next = e->next;
        if (strcmp(e->valuestring, value) == 0)
            cJSON_Delete(cJSON_DetachItemViaPointer(list, e));
        e = next;
    }
}

/*
 * scopesToAdd and scopesToSuppress of gen (accessTokenGeneration) on scopes, into the access
 * token's scope claim: the added ones after the others (once each), then the suppressed ones
 * removed. A scope to add must be a non-empty string without white space (a scope claim is
 * space-separated). No scope left removes the claim (emulator's choice). Neither list leaves
 * the claim as it is. 0, or -1 with ctx->err set.
 */
static int apply_scopes(const struct apply *a, const cJSON *gen, const char *scopes, cJSON *accessc)
{
    const cJSON *add, *suppress, *s;
    cJSON *list;
    char *joined = NULL;
    size_t len = 0;
    int rc = 0;

    if (get_strings(a, gen, "scopesToAdd", &add) != 0 ||
        get_strings(a, gen, "scopesToSuppress", &suppress) != 0)
        return -1;
    if (add == NULL && suppress == NULL)
        return 0;
    cJSON_ArrayForEach(s, add)
    {
        if (s->valuestring[0] == '\0' || strpbrk(s->valuestring, " \t\r\n") != NULL)
            return unrecognizable(a, "scope to add \"%s\" is empty or has a space", s->valuestring);
    }
    if ((list = scope_list(scopes)) == NULL)
        return cog_err_oom(&a->ctx->err);
    cJSON_ArrayForEach(s, add)
    {
        if (!json_list_has(list, s->valuestring) &&
            !cJSON_AddItemToArray(list, cJSON_CreateString(s->valuestring))) {
            cJSON_Delete(list);
            return cog_err_oom(&a->ctx->err);
        }
    }
    cJSON_ArrayForEach(s, suppress)
    {
        list_remove(list, s->valuestring);
    }
    cJSON_ArrayForEach(s, list)
    {
        len += strlen(s->valuestring) + 1;
    }
    if (len == 0) {
        cJSON_DeleteItemFromObjectCaseSensitive(accessc, "scope");
    } else if ((joined = calloc(1, len)) == NULL) {
        rc = cog_err_oom(&a->ctx->err);
    } else {
        cJSON_ArrayForEach(s, list)
        {
            if (joined[0] != '\0')
                strncat(joined, " ", len - strlen(joined) - 1);
            strncat(joined, s->valuestring, len - strlen(joined) - 1);
        }
        if (json_set_str(accessc, "scope", joined) != 0)
            rc = cog_err_oom(&a->ctx->err);
    }
    free(joined);
    cJSON_Delete(list);
    return rc;
}

/* A V1_0 answer: claimsOverrideDetails. */
static int apply_v1(const struct apply *a, const cJSON *response, cJSON *idc, cJSON *accessc)
{
    const cJSON *details, *add, *suppress;

    if (get_object(a, response, "claimsOverrideDetails", &details) != 0)
        return -1;
    if (details == NULL)
        return 0;
    if (get_object(a, details, "claimsToAddOrOverride", &add) != 0 ||
        get_strings(a, details, "claimsToSuppress", &suppress) != 0 ||
        apply_groups(a, details, idc, accessc) != 0)
        return -1;
    /* The ID token only: V1 never changes the access token's claims (section 9:
     * localstack/localstack#2896 put them there). */
    return idc != NULL ? apply_claims(a, idc, true, add, suppress) : 0;
}

/* A V2_0 / V3_0 answer: claimsAndScopeOverrideDetails. */
static int apply_v2(const struct apply *a, const cJSON *response, const char *scopes, cJSON *idc,
                    cJSON *accessc)
{
    const cJSON *details, *idgen, *accgen, *id_add, *id_suppress, *acc_add, *acc_suppress;

    if (get_object(a, response, "claimsAndScopeOverrideDetails", &details) != 0)
        return -1;
    if (details == NULL) {
        if (json_get(response, "claimsOverrideDetails") != NULL &&
            !cJSON_IsNull(json_get(response, "claimsOverrideDetails")))
            log_warn("trigger %s of user pool %s: the function answered a V1_0 "
                     "claimsOverrideDetails to a version %d event, which reads only "
                     "claimsAndScopeOverrideDetails; the tokens are unchanged",
                     a->source, a->pool_id, a->version);
        return 0;
    }
    if (get_object(a, details, "idTokenGeneration", &idgen) != 0 ||
        get_object(a, details, "accessTokenGeneration", &accgen) != 0 ||
        get_object(a, idgen, "claimsToAddOrOverride", &id_add) != 0 ||
        get_strings(a, idgen, "claimsToSuppress", &id_suppress) != 0 ||
        get_object(a, accgen, "claimsToAddOrOverride", &acc_add) != 0 ||
        get_strings(a, accgen, "claimsToSuppress", &acc_suppress) != 0 ||
        apply_groups(a, details, idc, accessc) != 0)
        return -1;
    if (idc != NULL && apply_claims(a, idc, true, id_add, id_suppress) != 0)
        return -1;
    if (apply_claims(a, accessc, false, acc_add, acc_suppress) != 0)
        return -1;
    return apply_scopes(a, accgen, scopes, accessc);
}

int triggers_pre_token_generation(struct op_ctx *ctx, const struct trigger_caller *caller,
                                  const char *source, const struct trigger_groups *groups,
                                  const char *scopes, cJSON *id_claims, cJSON *access_claims)
{
    const char *fn = triggers_pre_token_function(caller->lambda_config);
    const char *legacy_fn = triggers_function(caller->lambda_config, TRIGGER);
    struct trigger_caller c = *caller;
    struct apply a = {.ctx = ctx, .pool_id = caller->pool_id, .source = source};
    cJSON *by_name = NULL, *event, *response = NULL;
    int rc;

    if (fn == NULL)
        return 0;
    a.version = event_version(caller->lambda_config);
    if (a.version < 3 && strcmp(source, CLIENT_CREDENTIALS) == 0)
        return 0;
    /* trigger_call looks the function up under the name it reports failures with; a pool
     * stored with only PreTokenGenerationConfig gets its ARN under that name. */
    if (legacy_fn == NULL || strcmp(legacy_fn, fn) != 0) {
        if ((by_name = cJSON_CreateObject()) == NULL || json_set_str(by_name, TRIGGER, fn) != 0) {
            cJSON_Delete(by_name);
            return cog_err_oom(&ctx->err);
        }
        c.lambda_config = by_name;
    }
    if ((event = token_event(&c, source, a.version, groups, scopes)) == NULL) {
        cJSON_Delete(by_name);
        return cog_err_oom(&ctx->err);
    }
    rc = trigger_call(ctx, &c, TRIGGER, event, false, &response);
    cJSON_Delete(event);
    cJSON_Delete(by_name);
    if (rc != 0) /* 1: triggers are off (--lambda-endpoint none) */
        return rc < 0 ? -1 : 0;
    if (a.version == 1)
        rc = apply_v1(&a, response, id_claims, access_claims);
    else
        rc = apply_v2(&a, response, scopes, id_claims, access_claims);
    cJSON_Delete(response);
    return rc;
}
