/*
 * identity_provider: the provider document and its readers (the contract is in
 * identity_provider.h).
 *
 * Each ProviderType is one row of TYPES: whether its name must be its type (the social
 * providers), the ProviderDetails keys a request must give, the keys Cognito fills in itself
 * (its fixed endpoints for the service), the defaults, the write-only keys and the IdP value
 * AttributeMapping's "username" defaults to. One builder applies the row; only OIDC's issuer
 * rule and SAML's metadata have code of their own.
 *
 * Sources of Cognito's behaviour and wording:
 *   [api]   the API reference text carried in server/aws/model/cognito-idp.json: the
 *           ProviderDetails of each type "Create or update request" and "Describe response".
 *   [cli]   aws/aws-cli#3179: "Provider NameOfGP cannot be of type Google."
 *           (InvalidParameterException) for a social provider not named after its type.
 *   [amp]   aws-amplify/amplify-cli#8266: "client_id, client_secret and authorize_scopes are
 *           all required idp details" (InvalidParameterException).
 *   [map]   aws/aws-cli#9729: "AttributeMapping contains invalid mapping: [custom:zen_groups]"
 *           (InvalidParameterException) for a key the pool's schema lacks.
 *   [cfn]   aws-cloudformation/cloudformation-coverage-roadmap#1287: DuplicateProviderException
 *           "<ProviderName> already exists in user pool <userPoolId>" (ops_identity_provider.c).
 * Everything else (the wording of the OIDC and SAML rules, the reserved name, a duplicate
 * identifier, the default "username" mapping) is the emulator's choice, pinned by
 * tests/check_ops_identity_provider.c.
 */
#include "config.h"

#include "userpool/identity_provider.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/jsonutil.h"
#include "util/strbuf.h"
#include "store/store.h"
#include "userpool/doc_scan.h"
#include "userpool/pool.h"

const struct ops_doc_type IDENTITY_PROVIDER_DOC = {
    .kind = STORE_IDENTITY_PROVIDER,
    .noun = "identity provider",
    .missing_code = COG_E_RESOURCE_NOT_FOUND,
    .missing = "Identity provider does not exist.",
    .parent = &OPS_USER_POOL,
};

/* One ProviderDetails key and its value. */
struct pair {
    const char *key, *value;
};

/* What one ProviderType takes and gets; the lists end with a NULL (key). */
struct idp_type {
    const char *name;
    bool social;                 /* its ProviderName must be its type [cli] */
    const char *const *required; /* keys a request must give [api] [amp] */
    const struct pair *fixed;    /* keys Cognito sets itself, whatever the request says [api] */
    const struct pair *defaults; /* keys set when the request lacks them */
    const char *const *hidden;   /* keys never stored (write-only) [api] */
    const char *username;        /* AttributeMapping's default "username", or NULL */
};

static const char *const OAUTH_KEYS[] = {"client_id", "client_secret", "authorize_scopes", NULL};
static const char *const APPLE_KEYS[] = {"client_id",   "team_id",          "key_id",
                                         "private_key", "authorize_scopes", NULL};
static const char *const NO_KEYS[] = {NULL};

static const struct pair GOOGLE_FIXED[] = {
    {"attributes_url", "https://people.googleapis.com/v1/people/me?personFields="},
    {"attributes_url_add_attributes", "true"},
    {"authorize_url", "https://accounts.google.com/o/oauth2/v2/auth"},
    {"oidc_issuer", "https://accounts.google.com"},
    {"token_request_method", "POST"},
    {"token_url", "https://www.googleapis.com/oauth2/v4/token"},
    {NULL, NULL},
};
/* "{v}" stands for "<api_version>/", or nothing when the request gave no api_version. */
static const struct pair FACEBOOK_FIXED[] = {
    {"attributes_url", "https://graph.facebook.com/{v}me?fields="},
    {"attributes_url_add_attributes", "true"},
    {"authorize_url", "https://www.facebook.com/{v}dialog/oauth"},
    {"token_request_method", "GET"},
    {"token_url", "https://graph.facebook.com/{v}oauth/access_token"},
    {NULL, NULL},
};
static const struct pair AMAZON_FIXED[] = {
    {"attributes_url", "https://api.amazon.com/user/profile"},
    {"attributes_url_add_attributes", "false"},
    {"authorize_url", "https://www.amazon.com/ap/oa"},
    {"token_request_method", "POST"},
    {"token_url", "https://api.amazon.com/auth/o2/token"},
    {NULL, NULL},
};
static const struct pair APPLE_FIXED[] = {
    {"attributes_url_add_attributes", "false"},
    {"authorize_url", "https://appleid.apple.com/auth/authorize"},
    {"oidc_issuer", "https://appleid.apple.com"},
    {"token_request_method", "POST"},
    {"token_url", "https://appleid.apple.com/auth/token"},
    {NULL, NULL},
};
static const struct pair OIDC_FIXED[] = {{"attributes_url_add_attributes", "false"}, {NULL, NULL}};
static const struct pair OIDC_DEFAULTS[] = {{"attributes_request_method", "GET"}, {NULL, NULL}};
static const struct pair NO_PAIRS[] = {{NULL, NULL}};
/* Computed from the metadata (saml_details), never taken from a request. */
static const char *const SAML_HIDDEN[] = {"SSORedirectBindingURI", "SLORedirectBindingURI",
                                          "ActiveEncryptionCertificate", NULL};
static const char *const APPLE_HIDDEN[] = {"private_key", NULL};

/*
 * The default "username" mappings are the identifiers the Developer Guide names for each IdP
 * ("sub" for Google, OIDC and Apple, "id" for Facebook, "user_id" for Login with Amazon);
 * Cognito's describe output of a Facebook provider shows "username": "id" (aws-cli example).
 * SAML uses the assertion's NameID without a mapping.
 */
static const struct idp_type TYPES[] = {
    {"Google", true, OAUTH_KEYS, GOOGLE_FIXED, NO_PAIRS, NO_KEYS, "sub"},
    {"Facebook", true, OAUTH_KEYS, FACEBOOK_FIXED, NO_PAIRS, NO_KEYS, "id"},
    {"LoginWithAmazon", true, OAUTH_KEYS, AMAZON_FIXED, NO_PAIRS, NO_KEYS, "user_id"},
    {"SignInWithApple", true, APPLE_KEYS, APPLE_FIXED, NO_PAIRS, APPLE_HIDDEN, "sub"},
    {"OIDC", false, OAUTH_KEYS, OIDC_FIXED, OIDC_DEFAULTS, NO_KEYS, "sub"},
    {"SAML", false, NO_KEYS, NO_PAIRS, NO_PAIRS, SAML_HIDDEN, NULL},
};

static const struct idp_type *type_named(const char *name)
{
    for (size_t i = 0; name != NULL && i < sizeof(TYPES) / sizeof(TYPES[0]); i++)
        if (strcmp(TYPES[i].name, name) == 0)
            return &TYPES[i];
    return NULL;
}

static bool list_has(const char *const *list, const char *s)
{
    for (; *list != NULL; list++)
        if (strcmp(*list, s) == 0)
            return true;
    return false;
}

int identity_provider_id(const char *pool_id, const char *name, char *buf, size_t n)
{
    int len = snprintf(buf, n, "%s %s", pool_id ? pool_id : "", name ? name : "");

    return len < 0 || (size_t)len >= n ? -1 : 0;
}

/* ---- The name --------------------------------------------------------------------------- */

/*
 * A social provider is named after its type, and no other provider may take a social type's
 * name [cli]; "COGNITO" (any case) names the pool's own users in SupportedIdentityProviders.
 */
static int check_name(const char *name, const struct idp_type *type, struct cog_err *err)
{
    const struct idp_type *named = type_named(name);

    if (strcasecmp(name, "COGNITO") == 0)
        return cog_err_set(err, COG_E_INVALID_PARAMETER,
                           "Provider name %s is reserved for the user pool's own users.", name);
    if ((type->social && strcmp(name, type->name) != 0) ||
        (named != NULL && named->social && named != type))
        return cog_err_set(err, COG_E_INVALID_PARAMETER, "Provider %s cannot be of type %s.", name,
                           type->name);
    return 0;
}

/* ---- ProviderDetails -------------------------------------------------------------------- */

/* "a, b and c are all required idp details." for the keys of type [amp]. */
static int missing_keys(const struct idp_type *type, struct cog_err *err)
{
    struct strbuf b = {0};
    char *text;
    size_t n = 0;

    while (type->required[n] != NULL)
        n++;
    for (size_t i = 0; i < n; i++) {
        strbuf_puts(&b, i == 0 ? "" : i + 1 == n ? " and " : ", ");
        strbuf_puts(&b, type->required[i]);
    }
    if ((text = strbuf_take(&b)) == NULL)
        return cog_err_oom(err);
    cog_err_set(err, COG_E_INVALID_PARAMETER, "%s are all required idp details.", text);
    free(text);
    return -1;
}

/* Whether details lacks a required key (an empty value counts as missing). */
static bool lacks_required(const struct idp_type *type, const cJSON *details, bool update)
{
    for (const char *const *k = type->required; *k != NULL; k++) {
        const char *v = json_str(details, *k);
        /* A private key stands once given: it is never stored, so an update may omit it. */
        if ((v == NULL || v[0] == '\0') && !(update && list_has(type->hidden, *k)))
            return true;
    }
    return false;
}

/* value with "{v}" replaced by "<api_version>/" (or nothing), into a new string. */
static char *versioned(const char *value, const char *version)
{
    const char *hole = strstr(value, "{v}");
    struct strbuf b = {0};

    if (hole == NULL) {
        strbuf_puts(&b, value);
        return strbuf_take(&b);
    }
    strbuf_add(&b, value, (size_t)(hole - value));
    if (version != NULL && version[0] != '\0') {
        strbuf_puts(&b, version);
        strbuf_puts(&b, "/");
    }
    strbuf_puts(&b, hole + 3);
    return strbuf_take(&b);
}

/* Set the pairs of list into details; only the absent keys unless force. 0 or -1 (oom). */
static int set_pairs(cJSON *details, const struct pair *list, bool force)
{
    const char *version = json_str(details, "api_version");

    for (; list->key != NULL; list++) {
        char *value;
        int bad;

        if (!force && json_get(details, list->key) != NULL)
            continue;
        if ((value = versioned(list->value, version)) == NULL)
            return -1;
        bad = json_set_str(details, list->key, value);
        free(value);
        if (bad)
            return -1;
    }
    return 0;
}

/*
 * OIDC: Cognito discovers the endpoints from oidc_issuer, or takes authorize_url, token_url,
 * attributes_url and jwks_uri "when it can't discover endpoint URLs" [api]; one or the other
 * must be there. attributes_request_method is GET or POST.
 */
static int check_oidc(const cJSON *details, struct cog_err *err)
{
    static const char *const ENDPOINTS[] = {"authorize_url", "token_url", "attributes_url",
                                            "jwks_uri", NULL};
    const char *method = json_str(details, "attributes_request_method");
    bool all = true;

    for (const char *const *k = ENDPOINTS; *k != NULL; k++)
        all &= json_str(details, *k) != NULL;
    if (json_str(details, "oidc_issuer") == NULL && !all)
        return cog_err_set(err, COG_E_INVALID_PARAMETER,
                           "oidc_issuer is a required idp detail unless authorize_url, token_url, "
                           "attributes_url and jwks_uri are all given.");
    if (method != NULL && strcmp(method, "GET") != 0 && strcmp(method, "POST") != 0)
        return cog_err_set(err, COG_E_INVALID_PARAMETER,
                           "attributes_request_method must be GET or POST.");
    return 0;
}

/* ---- SAML metadata ---------------------------------------------------------------------- */

#define SAML_REDIRECT "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"

/* The end of the tag that starts at p ('<'): its '>' outside quotes, or NULL. */
static const char *tag_end(const char *p)
{
    char quote = 0;

    for (; *p != '\0'; p++) {
        if (quote != 0) {
            quote = *p == quote ? 0 : quote;
        } else if (*p == '"' || *p == '\'') {
            quote = *p;
        } else if (*p == '>') {
            return p;
        }
    }
    return NULL;
}

/* Whether the start tag [p, end) is named local (any namespace prefix). *attrs: after the name. */
static bool tag_named(const char *p, const char *end, const char *local, const char **attrs)
{
    const char *name = ++p, *colon = NULL;

    while (p < end && strchr(" \t\r\n/", *p) == NULL) {
        if (*p == ':')
            colon = p;
        p++;
    }
    if (colon != NULL)
        name = colon + 1;
    *attrs = p;
    return (size_t)(p - name) == strlen(local) && strncmp(name, local, (size_t)(p - name)) == 0;
}

/* The raw value of attribute name in [p, end) into *val, *len; false when absent. */
static bool tag_attribute(const char *p, const char *end, const char *name, const char **val,
                          size_t *len)
{
    size_t n = strlen(name);

    while (p < end) {
        const char *key, *q;
        char quote;

        while (p < end && strchr(" \t\r\n/", *p) != NULL)
            p++;
        for (key = p; p < end && *p != '=' && strchr(" \t\r\n", *p) == NULL;)
            p++;
        q = p;
        while (p < end && strchr(" \t\r\n=", *p) != NULL)
            p++;
        if (p >= end || (*p != '"' && *p != '\''))
            return false;
        quote = *p++;
        *val = p;
        while (p < end && *p != quote)
            p++;
        *len = (size_t)(p - *val);
        if ((size_t)(q - key) == n && strncmp(key, name, n) == 0)
            return true;
        p++;
    }
    return false;
}

/* [s, s + len) with XML's five predefined entities decoded, as a new string (or NULL). */
static char *xml_text(const char *s, size_t len)
{
    static const char *const ENTITIES[] = {"&amp;",  "&",  "&lt;",   "<", "&gt;", ">",
                                           "&quot;", "\"", "&apos;", "'", NULL};
    char *out = malloc(len + 1), *o = out;

    if (out == NULL)
        return NULL;
    for (size_t i = 0; i < len;) {
        const char *const *e = ENTITIES;

        while (*e != NULL && (strlen(e[0]) > len - i || strncmp(s + i, e[0], strlen(e[0])) != 0))
            e += 2;
        *o++ = *e != NULL ? e[1][0] : s[i];
        i += *e != NULL ? strlen(e[0]) : 1;
    }
    *o = '\0';
    return out;
}

/*
 * The Location of the first element named service (SingleSignOnService, SingleLogoutService)
 * with the HTTP-Redirect binding in the metadata document xml: a new string, or NULL when
 * there is none (*oom tells a failed allocation apart). A scan of the tags, not an XML
 * parser: comments, processing instructions and declarations are skipped.
 */
static char *saml_location(const char *xml, const char *service, bool *oom)
{
    for (const char *p = strchr(xml, '<'); p != NULL; p = strchr(p + 1, '<')) {
        const char *end, *attrs, *val;
        size_t len;

        if (strncmp(p, "<!--", 4) == 0) {
            if ((p = strstr(p + 4, "-->")) == NULL)
                return NULL;
            continue;
        }
        if ((end = tag_end(p)) == NULL)
            return NULL;
        if (strchr("/?!", p[1]) == NULL && tag_named(p, end, service, &attrs) &&
            tag_attribute(attrs, end, "Binding", &val, &len) && len == strlen(SAML_REDIRECT) &&
            strncmp(val, SAML_REDIRECT, len) == 0 &&
            tag_attribute(attrs, end, "Location", &val, &len)) {
            char *loc = xml_text(val, len);
            *oom = loc == NULL;
            return loc;
        }
        p = end;
    }
    return NULL;
}

/* Set details' key to the Location of service in xml when there is one. 0, or -1 (oom). */
static int set_location(cJSON *details, const char *key, const char *xml, const char *service)
{
    bool oom = false;
    char *loc = saml_location(xml, service, &oom);
    int bad = loc != NULL ? json_set_str(details, key, loc) : 0;

    free(loc);
    return oom || bad ? -1 : 0;
}

/*
 * SAML: exactly one of MetadataURL and MetadataFile [api]; the "true"/"false" flags and the one
 * RequestSigningAlgorithm the API names; from a MetadataFile, the redirect binding endpoints,
 * of which sign-in's is required (Cognito sends its AuthnRequest by HTTP-Redirect).
 */
static int saml_details(cJSON *details, struct cog_err *err)
{
    static const char *const FLAGS[] = {"IDPSignout", "IDPInit", "EncryptedResponses", NULL};
    const char *url = json_str(details, "MetadataURL"), *file = json_str(details, "MetadataFile");
    const char *alg = json_str(details, "RequestSigningAlgorithm");

    if ((url == NULL) == (file == NULL))
        return cog_err_set(err, COG_E_INVALID_PARAMETER,
                           "Exactly one of MetadataURL and MetadataFile is a required idp "
                           "detail.");
    for (const char *const *f = FLAGS; *f != NULL; f++) {
        const char *v = json_str(details, *f);
        if (v != NULL && strcmp(v, "true") != 0 && strcmp(v, "false") != 0)
            return cog_err_set(err, COG_E_INVALID_PARAMETER, "%s must be true or false.", *f);
    }
    if (alg != NULL && strcmp(alg, "rsa-sha256") != 0)
        return cog_err_set(err, COG_E_INVALID_PARAMETER,
                           "RequestSigningAlgorithm must be rsa-sha256.");
    if (file == NULL)
        return 0;
    if (set_location(details, "SSORedirectBindingURI", file, "SingleSignOnService") != 0 ||
        set_location(details, "SLORedirectBindingURI", file, "SingleLogoutService") != 0)
        return cog_err_oom(err);
    if (json_str(details, "SSORedirectBindingURI") == NULL)
        return cog_err_set(err, COG_E_INVALID_PARAMETER,
                           "The SAML metadata has no SingleSignOnService with the HTTP-Redirect "
                           "binding.");
    return 0;
}

/*
 * The stored ProviderDetails for the request's details of type: the string members of given
 * except the write-only and computed keys, checked, with Cognito's keys added. New object or
 * NULL with *err set.
 */
static cJSON *build_details(const struct idp_type *type, const cJSON *given, bool update,
                            struct cog_err *err)
{
    cJSON *details = cJSON_CreateObject();
    const cJSON *item;
    int rc = 0;

    if (details == NULL) {
        cog_err_oom(err);
        return NULL;
    }
    cJSON_ArrayForEach(item, given)
    {
        if (cJSON_IsString(item) && !list_has(type->hidden, item->string) &&
            json_set_str(details, item->string, item->valuestring) != 0)
            rc = cog_err_oom(err);
    }
    if (rc == 0 && lacks_required(type, given, update))
        rc = missing_keys(type, err);
    if (rc == 0 && strcmp(type->name, "OIDC") == 0)
        rc = check_oidc(details, err);
    if (rc == 0 && strcmp(type->name, "SAML") == 0)
        rc = saml_details(details, err);
    if (rc == 0 && (set_pairs(details, type->defaults, false) != 0 ||
                    set_pairs(details, type->fixed, true) != 0))
        rc = cog_err_oom(err);
    if (rc != 0) {
        cJSON_Delete(details);
        return NULL;
    }
    return details;
}

/* ---- AttributeMapping ------------------------------------------------------------------- */

/*
 * The stored AttributeMapping: given's pairs, each key "username" or an attribute of the
 * pool's schema [map], with type's default "username" added when given has none. New object
 * or NULL with *err set.
 */
static cJSON *build_mapping(const struct idp_type *type, const cJSON *given, const cJSON *pool,
                            struct cog_err *err)
{
    cJSON *map = given != NULL ? cJSON_Duplicate(given, true) : cJSON_CreateObject();
    struct strbuf bad = {0};
    const cJSON *item;
    char *list;

    if (map == NULL) {
        cog_err_oom(err);
        return NULL;
    }
    cJSON_ArrayForEach(item, map)
    {
        if (strcmp(item->string, "username") != 0 &&
            pool_schema_entry(pool, item->string) == NULL) {
            strbuf_puts(&bad, bad.len ? ", " : "");
            strbuf_puts(&bad, item->string);
        }
    }
    if ((list = strbuf_take(&bad)) == NULL) {
        cog_err_oom(err);
    } else if (list[0] != '\0') {
        cog_err_set(err, COG_E_INVALID_PARAMETER, "AttributeMapping contains invalid mapping: [%s]",
                    list);
    } else if (type->username == NULL || json_get(map, "username") != NULL ||
               json_set_str(map, "username", type->username) == 0) {
        free(list);
        return map;
    } else {
        cog_err_oom(err);
    }
    free(list);
    cJSON_Delete(map);
    return NULL;
}

/* ---- The document ----------------------------------------------------------------------- */

/* A copy of the request's IdpIdentifiers, [] when absent; NULL with *err when out of memory. */
static cJSON *build_identifiers(const cJSON *given, struct cog_err *err)
{
    cJSON *list = given != NULL ? cJSON_Duplicate(given, true) : cJSON_CreateArray();

    if (list == NULL)
        cog_err_oom(err);
    return list;
}

/*
 * Assemble the document in Describe's member order from its parts (taken, also on failure).
 * 0, or -1 with *err (oom).
 */
static int assemble(const cJSON *src, cJSON *details, cJSON *mapping, cJSON *ids, double created,
                    int64_t now_ms, cJSON **out, struct cog_err *err)
{
    cJSON *doc = cJSON_CreateObject();
    int bad = doc == NULL;

    bad |= json_copy_member(doc, src, "UserPoolId");
    bad |= json_copy_member(doc, src, "ProviderName");
    bad |= json_copy_member(doc, src, "ProviderType");
    bad |= json_set_item(doc, "ProviderDetails", details);
    bad |= json_set_item(doc, "AttributeMapping", mapping);
    bad |= json_set_item(doc, "IdpIdentifiers", ids);
    bad |= json_set_num(doc, "LastModifiedDate", json_epoch(now_ms));
    bad |= json_set_num(doc, "CreationDate", created);
    if (bad) {
        cJSON_Delete(doc);
        return cog_err_oom(err);
    }
    *out = doc;
    return 0;
}

/* The parts of a document, built from the request (or kept from old when absent). */
static int build(const cJSON *in, const cJSON *pool, const cJSON *old, int64_t now_ms, cJSON **out,
                 struct cog_err *err)
{
    const cJSON *src = old != NULL ? old : in;
    const struct idp_type *type = type_named(json_str(src, "ProviderType"));
    const cJSON *d = json_get(in, "ProviderDetails"), *m = json_get(in, "AttributeMapping");
    const cJSON *i = json_get(in, "IdpIdentifiers"), *created;
    cJSON *details = NULL, *mapping = NULL, *ids = NULL;

    *out = NULL;
    if (type == NULL) /* the model's enum rules this out for requests */
        return cog_err_set(err, COG_E_INVALID_PARAMETER, "Unknown ProviderType.");
    details = d != NULL || old == NULL ? build_details(type, d, old != NULL, err)
                                       : cJSON_Duplicate(json_get(old, "ProviderDetails"), true);
    if (details != NULL)
        mapping = m != NULL || old == NULL
                      ? build_mapping(type, m, pool, err)
                      : cJSON_Duplicate(json_get(old, "AttributeMapping"), true);
    if (mapping != NULL)
        ids = i != NULL || old == NULL ? build_identifiers(i, err)
                                       : cJSON_Duplicate(json_get(old, "IdpIdentifiers"), true);
    if (ids == NULL) {
        if (err->code == COG_OK)
            cog_err_oom(err);
        cJSON_Delete(details);
        cJSON_Delete(mapping);
        return -1;
    }
    created = json_get(old, "CreationDate");
    return assemble(src, details, mapping, ids,
                    cJSON_IsNumber(created) ? created->valuedouble : json_epoch(now_ms), now_ms,
                    out, err);
}

int identity_provider_new(const cJSON *in, const cJSON *pool, int64_t now_ms, cJSON **out,
                          struct cog_err *err)
{
    const struct idp_type *type = type_named(json_str(in, "ProviderType"));

    *out = NULL;
    if (type != NULL && check_name(json_str(in, "ProviderName"), type, err) != 0)
        return -1;
    return build(in, pool, NULL, now_ms, out, err);
}

int identity_provider_update(const cJSON *in, const cJSON *pool, const cJSON *old, int64_t now_ms,
                             cJSON **out, struct cog_err *err)
{
    return build(in, pool, old, now_ms, out, err);
}

/* ---- Identifiers and readers ------------------------------------------------------------ */

int identity_provider_check_identifiers(struct store_conn *conn, const char *pool_id,
                                        const char *name, const cJSON *list, struct cog_err *err)
{
    const cJSON *a, *b;

    cJSON_ArrayForEach(a, list)
    {
        cJSON *other = NULL;
        int st;

        for (b = a->next; b != NULL; b = b->next)
            if (strcmp(a->valuestring, b->valuestring) == 0)
                return cog_err_set(err, COG_E_INVALID_PARAMETER,
                                   "Duplicate IdpIdentifier %s: it is given twice.",
                                   a->valuestring);
        st = identity_provider_find(conn, pool_id, a->valuestring, &other);
        if (st == STORE_OK && strcmp(json_str_or(other, "ProviderName", ""), name) != 0) {
            cog_err_set(err, COG_E_INVALID_PARAMETER,
                        "Duplicate IdpIdentifier %s: provider %s of user pool %s has it.",
                        a->valuestring, json_str_or(other, "ProviderName", ""), pool_id);
            st = STORE_EXISTS;
        }
        cJSON_Delete(other);
        if (st == STORE_ERROR)
            return cog_err_set(err, COG_E_INTERNAL_ERROR, "Internal error: reading providers.");
        if (st == STORE_EXISTS)
            return -1;
    }
    return 0;
}

/* Parse a stored document into *out: STORE_OK, or STORE_ERROR (freeing text either way). */
static int parse_doc(char *text, cJSON **out)
{
    *out = cJSON_Parse(text);
    free(text);
    return *out != NULL ? STORE_OK : STORE_ERROR;
}

int identity_provider_get(struct store_conn *conn, const char *pool_id, const char *name,
                          cJSON **out)
{
    char id[256], *text = NULL;
    int st;

    *out = NULL;
    if (identity_provider_id(pool_id, name, id, sizeof(id)) != 0)
        return STORE_NOT_FOUND;
    st = store_doc_get(conn, STORE_IDENTITY_PROVIDER, id, pool_id, &text);
    return st == STORE_OK ? parse_doc(text, out) : st;
}

/* doc_scan_match_fn: the provider whose IdpIdentifiers hold the identifier arg. */
static bool has_identifier(const cJSON *doc, const void *arg)
{
    return json_list_has(json_get(doc, "IdpIdentifiers"), (const char *)arg);
}

int identity_provider_find(struct store_conn *conn, const char *pool_id, const char *identifier,
                           cJSON **out)
{
    return doc_scan_find(conn, STORE_IDENTITY_PROVIDER, pool_id, has_identifier, identifier, out);
}
