/*
 * check_ops_identity_provider: a user pool's identity providers (ops_identity_provider.c, with
 * the document rules of identity_provider.c), driven through tu_call exactly as the server
 * runs them, and the readers the OAuth endpoints use. Every rule is tested accepted and
 * refused; the wording the emulator chose where Cognito's was not found is pinned here.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/clock.h"
#include "store/store.h"
#include "userpool/identity_provider.h"
#include "testutil.h"

static struct tu_env *const env = &tu_fixture;
static char pool_id[96];

#define GOOGLE_DETAILS                                                                             \
    "{\"client_id\":\"gid\",\"client_secret\":\"gsecret\",\"authorize_scopes\":\"email profile "   \
    "openid\"}"

static void setup(void)
{
    char *id;

    tu_setup();
    id = tu_create_user_pool(env, "{\"PoolName\":\"idps\",\"Schema\":[{\"Name\":\"tenant\","
                                  "\"AttributeDataType\":\"String\",\"Mutable\":true}]}");
    snprintf(pool_id, sizeof(pool_id), "%s", id);
    free(id);
}

/* CreateIdentityProvider in the fixture's pool: name, type, details JSON, extra members. */
static cJSON *create(const char *name, const char *type, const char *details, const char *extra)
{
    return tu_callf(env, IDP "CreateIdentityProvider",
                    "{\"UserPoolId\":\"%s\",\"ProviderName\":\"%s\",\"ProviderType\":\"%s\","
                    "\"ProviderDetails\":%s%s%s}",
                    pool_id, name, type, details, extra[0] ? "," : "", extra);
}

/* create() that must succeed; the IdentityProvider is returned inside resp (caller frees). */
static cJSON *create_ok(const char *name, const char *type, const char *details, const char *extra)
{
    cJSON *resp = create(name, type, details, extra);

    ck_assert_msg(tu_error_type(resp) == NULL, "CreateIdentityProvider failed: %s",
                  tu_str(resp, "message"));
    return resp;
}

static cJSON *describe(const char *name)
{
    return tu_callf(env, IDP "DescribeIdentityProvider",
                    "{\"UserPoolId\":\"%s\",\"ProviderName\":\"%s\"}", pool_id, name);
}

static const cJSON *provider(const cJSON *resp)
{
    return tu_get(resp, "IdentityProvider");
}

static const char *detail(const cJSON *resp, const char *key)
{
    return tu_str(tu_get(provider(resp), "ProviderDetails"), key);
}

/* Expect create(...) to fail with InvalidParameterException and message (NULL: any). */
static void assert_create_refused(const char *name, const char *type, const char *details,
                                  const char *extra, const char *message)
{
    cJSON *resp = create(name, type, details, extra);

    tu_assert_error(resp, "InvalidParameterException", message);
    cJSON_Delete(resp);
}

START_TEST(test_idp_google_describe_adds_cognito_endpoints)
{
    cJSON *resp = create_ok("Google", "Google", GOOGLE_DETAILS, ""), *d;
    const cJSON *p = provider(resp);

    ck_assert_str_eq(tu_str(p, "UserPoolId"), pool_id);
    ck_assert_str_eq(tu_str(p, "ProviderName"), "Google");
    ck_assert_str_eq(tu_str(p, "ProviderType"), "Google");
    ck_assert_str_eq(detail(resp, "client_secret"), "gsecret");
    ck_assert_str_eq(detail(resp, "authorize_url"), "https://accounts.google.com/o/oauth2/v2/auth");
    ck_assert_str_eq(detail(resp, "token_url"), "https://www.googleapis.com/oauth2/v4/token");
    ck_assert_str_eq(detail(resp, "token_request_method"), "POST");
    ck_assert_str_eq(detail(resp, "attributes_url"),
                     "https://people.googleapis.com/v1/people/me?personFields=");
    ck_assert_str_eq(detail(resp, "attributes_url_add_attributes"), "true");
    ck_assert_str_eq(detail(resp, "oidc_issuer"), "https://accounts.google.com");
    /* The default username mapping and the empty identifier list. */
    ck_assert_str_eq(tu_str(tu_get(p, "AttributeMapping"), "username"), "sub");
    ck_assert(cJSON_IsArray(tu_get(p, "IdpIdentifiers")) &&
              cJSON_GetArraySize(tu_get(p, "IdpIdentifiers")) == 0);
    ck_assert(tu_num(p, "CreationDate") > 1.0e9);
    ck_assert(tu_num(p, "CreationDate") == tu_num(p, "LastModifiedDate"));

    d = describe("Google");
    ck_assert_ptr_null(tu_error_type(d));
    ck_assert(cJSON_Compare(provider(d), p, true));
    cJSON_Delete(d);
    cJSON_Delete(resp);
}
END_TEST

START_TEST(test_idp_social_name_must_be_its_type)
{
    assert_create_refused("MyGoogle", "Google", GOOGLE_DETAILS, "",
                          "Provider MyGoogle cannot be of type Google.");
    assert_create_refused("Facebook", "Google", GOOGLE_DETAILS, "",
                          "Provider Facebook cannot be of type Google.");
    /* Nor may an OIDC or SAML provider take a social type's name. */
    assert_create_refused("Google", "OIDC",
                          "{\"client_id\":\"a\",\"client_secret\":\"b\",\"authorize_scopes\":"
                          "\"openid\",\"oidc_issuer\":\"https://idp.example.com\"}",
                          "", "Provider Google cannot be of type OIDC.");
}
END_TEST

START_TEST(test_idp_cognito_name_is_reserved)
{
    const char *oidc = "{\"client_id\":\"a\",\"client_secret\":\"b\",\"authorize_scopes\":"
                       "\"openid\",\"oidc_issuer\":\"https://idp.example.com\"}";

    assert_create_refused("COGNITO", "OIDC", oidc, "",
                          "Provider name COGNITO is reserved for the user pool's own users.");
    assert_create_refused("Cognito", "OIDC", oidc, "", NULL);
    cJSON_Delete(create_ok("Corp", "OIDC", oidc, ""));
}
END_TEST

START_TEST(test_idp_name_follows_the_model)
{
    const char *oidc = "{\"client_id\":\"a\",\"client_secret\":\"b\",\"authorize_scopes\":"
                       "\"openid\",\"oidc_issuer\":\"https://idp.example.com\"}";

    /* ProviderNameTypeV2: at least 3 characters, no leading '_' or space, at most 32. */
    assert_create_refused("ab", "OIDC", oidc, "", NULL);
    assert_create_refused("_abc", "OIDC", oidc, "", NULL);
    assert_create_refused("abcdefghijabcdefghijabcdefghijabc", "OIDC", oidc, "", NULL);
    assert_create_refused("Corp", "Twitter", oidc, "", NULL);
    cJSON_Delete(create_ok("abcdefghijabcdefghijabcdefghijab", "OIDC", oidc, ""));
}
END_TEST

START_TEST(test_idp_social_details_are_required)
{
    assert_create_refused("Google", "Google", "{\"client_id\":\"a\",\"client_secret\":\"b\"}", "",
                          "client_id, client_secret and authorize_scopes are all required idp "
                          "details.");
    assert_create_refused("LoginWithAmazon", "LoginWithAmazon",
                          "{\"client_id\":\"\",\"client_secret\":\"b\",\"authorize_scopes\":\"p\"}",
                          "", NULL);
    assert_create_refused("SignInWithApple", "SignInWithApple",
                          "{\"client_id\":\"a\",\"team_id\":\"t\",\"key_id\":\"k\","
                          "\"authorize_scopes\":\"email name\"}",
                          "",
                          "client_id, team_id, key_id, private_key and authorize_scopes are all "
                          "required idp details.");
}
END_TEST

START_TEST(test_idp_apple_private_key_is_write_only)
{
    cJSON *resp = create_ok("SignInWithApple", "SignInWithApple",
                            "{\"client_id\":\"com.example\",\"team_id\":\"T\",\"key_id\":\"K\","
                            "\"private_key\":\"PEM\",\"authorize_scopes\":\"email name\"}",
                            ""),
          *up;

    ck_assert_ptr_null(detail(resp, "private_key"));
    ck_assert_str_eq(detail(resp, "team_id"), "T");
    ck_assert_str_eq(detail(resp, "authorize_url"), "https://appleid.apple.com/auth/authorize");
    ck_assert_str_eq(detail(resp, "oidc_issuer"), "https://appleid.apple.com");
    ck_assert_str_eq(detail(resp, "attributes_url_add_attributes"), "false");
    /* An update may leave the key out: the one given at creation stands. */
    up = tu_callf(env, IDP "UpdateIdentityProvider",
                  "{\"UserPoolId\":\"%s\",\"ProviderName\":\"SignInWithApple\",\"ProviderDetails\":"
                  "{\"client_id\":\"com.example\",\"team_id\":\"T2\",\"key_id\":\"K\","
                  "\"authorize_scopes\":\"email\"}}",
                  pool_id);
    ck_assert_ptr_null(tu_error_type(up));
    ck_assert_str_eq(detail(up, "team_id"), "T2");
    ck_assert_ptr_null(detail(up, "private_key"));
    cJSON_Delete(up);
    cJSON_Delete(resp);
}
END_TEST

START_TEST(test_idp_facebook_urls_follow_api_version)
{
    cJSON *v = create_ok("Facebook", "Facebook",
                         "{\"client_id\":\"1\",\"client_secret\":\"s\",\"authorize_scopes\":"
                         "\"public_profile, email\",\"api_version\":\"v17.0\"}",
                         ""),
          *up;

    ck_assert_str_eq(detail(v, "api_version"), "v17.0");
    ck_assert_str_eq(detail(v, "authorize_url"), "https://www.facebook.com/v17.0/dialog/oauth");
    ck_assert_str_eq(detail(v, "token_url"), "https://graph.facebook.com/v17.0/oauth/access_token");
    ck_assert_str_eq(detail(v, "attributes_url"), "https://graph.facebook.com/v17.0/me?fields=");
    ck_assert_str_eq(detail(v, "token_request_method"), "GET");
    ck_assert_str_eq(tu_str(tu_get(provider(v), "AttributeMapping"), "username"), "id");
    /* Without api_version the endpoints are Facebook's unversioned ones. */
    up = tu_callf(env, IDP "UpdateIdentityProvider",
                  "{\"UserPoolId\":\"%s\",\"ProviderName\":\"Facebook\",\"ProviderDetails\":"
                  "{\"client_id\":\"1\",\"client_secret\":\"s\",\"authorize_scopes\":\"email\"}}",
                  pool_id);
    ck_assert_str_eq(detail(up, "authorize_url"), "https://www.facebook.com/dialog/oauth");
    ck_assert_ptr_null(detail(up, "api_version"));
    cJSON_Delete(up);
    cJSON_Delete(v);
}
END_TEST

START_TEST(test_idp_cognito_endpoints_replace_given_ones)
{
    cJSON *resp = create_ok("LoginWithAmazon", "LoginWithAmazon",
                            "{\"client_id\":\"amzn1\",\"client_secret\":\"s\",\"authorize_scopes\":"
                            "\"profile postal_code\",\"authorize_url\":\"https://evil.example\","
                            "\"extra\":\"kept\"}",
                            "");

    ck_assert_str_eq(detail(resp, "authorize_url"), "https://www.amazon.com/ap/oa");
    ck_assert_str_eq(detail(resp, "token_url"), "https://api.amazon.com/auth/o2/token");
    ck_assert_str_eq(detail(resp, "attributes_url"), "https://api.amazon.com/user/profile");
    ck_assert_str_eq(detail(resp, "extra"), "kept");
    ck_assert_str_eq(tu_str(tu_get(provider(resp), "AttributeMapping"), "username"), "user_id");
    cJSON_Delete(resp);
}
END_TEST

START_TEST(test_idp_oidc_issuer_or_all_endpoints)
{
    cJSON *a = create_ok("Corp", "OIDC",
                         "{\"client_id\":\"a\",\"client_secret\":\"b\",\"authorize_scopes\":"
                         "\"openid\",\"oidc_issuer\":\"https://idp.example.com\"}",
                         ""),
          *b;

    ck_assert_str_eq(detail(a, "attributes_url_add_attributes"), "false");
    ck_assert_str_eq(detail(a, "attributes_request_method"), "GET");
    ck_assert_ptr_null(detail(a, "authorize_url")); /* nothing is discovered */
    b = create_ok("Manual", "OIDC",
                  "{\"client_id\":\"a\",\"client_secret\":\"b\",\"authorize_scopes\":\"openid\","
                  "\"attributes_request_method\":\"POST\",\"authorize_url\":\"https://i/a\","
                  "\"token_url\":\"https://i/t\",\"attributes_url\":\"https://i/u\","
                  "\"jwks_uri\":\"https://i/j\"}",
                  "");
    ck_assert_str_eq(detail(b, "attributes_request_method"), "POST");
    ck_assert_str_eq(detail(b, "jwks_uri"), "https://i/j");
    assert_create_refused(
        "Partial", "OIDC",
        "{\"client_id\":\"a\",\"client_secret\":\"b\",\"authorize_scopes\":"
        "\"openid\",\"authorize_url\":\"https://i/a\",\"token_url\":\"https://i/t\"}",
        "",
        "oidc_issuer is a required idp detail unless authorize_url, token_url, "
        "attributes_url and jwks_uri are all given.");
    assert_create_refused("Method", "OIDC",
                          "{\"client_id\":\"a\",\"client_secret\":\"b\",\"authorize_scopes\":"
                          "\"openid\",\"oidc_issuer\":\"https://i\",\"attributes_request_method\":"
                          "\"PUT\"}",
                          "", "attributes_request_method must be GET or POST.");
    assert_create_refused(
        "NoScopes", "OIDC",
        "{\"client_id\":\"a\",\"client_secret\":\"b\",\"oidc_issuer\":\"https://i\"}", "",
        "client_id, client_secret and authorize_scopes are all required idp "
        "details.");
    cJSON_Delete(a);
    cJSON_Delete(b);
}
END_TEST

#define SAML_XML                                                                                   \
    "<?xml version=\\\"1.0\\\"?><!-- <md:SingleSignOnService "                                     \
    "Binding=\\\"urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect\\\" "                          \
    "Location=\\\"https://comment\\\"/> --><md:EntityDescriptor "                                  \
    "xmlns:md=\\\"urn:oasis:names:tc:SAML:2.0:metadata\\\" entityID=\\\"urn:idp\\\">"              \
    "<md:IDPSSODescriptor><md:SingleLogoutService "                                                \
    "Binding='urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect' "                                \
    "Location='https://idp.example.com/slo'/><md:SingleSignOnService "                             \
    "Binding=\\\"urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST\\\" "                              \
    "Location=\\\"https://idp.example.com/post\\\"/>\\n<md:SingleSignOnService\\n  "               \
    "Location=\\\"https://idp.example.com/sso?a=1&amp;b=2\\\" "                                    \
    "Binding=\\\"urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect\\\"/>"                         \
    "</md:IDPSSODescriptor></md:EntityDescriptor>"

START_TEST(test_idp_saml_metadata_file_gives_redirect_endpoints)
{
    cJSON *resp = create_ok("Okta", "SAML",
                            "{\"MetadataFile\":\"" SAML_XML "\",\"IDPSignout\":\"true\","
                            "\"SSORedirectBindingURI\":\"https://ignored\"}",
                            "");

    ck_assert_str_eq(detail(resp, "SSORedirectBindingURI"), "https://idp.example.com/sso?a=1&b=2");
    ck_assert_str_eq(detail(resp, "SLORedirectBindingURI"), "https://idp.example.com/slo");
    ck_assert_str_eq(detail(resp, "IDPSignout"), "true");
    ck_assert_ptr_null(detail(resp, "ActiveEncryptionCertificate"));
    /* SAML has no default username mapping (the assertion's NameID is the user). */
    ck_assert_ptr_null(tu_get(tu_get(provider(resp), "AttributeMapping"), "username"));
    cJSON_Delete(resp);
}
END_TEST

START_TEST(test_idp_saml_metadata_url_is_not_fetched)
{
    cJSON *resp = create_ok("Azure", "SAML",
                            "{\"MetadataURL\":\"https://idp.example.com/metadata\","
                            "\"RequestSigningAlgorithm\":\"rsa-sha256\"}",
                            "");

    ck_assert_str_eq(detail(resp, "MetadataURL"), "https://idp.example.com/metadata");
    ck_assert_ptr_null(detail(resp, "SSORedirectBindingURI"));
    cJSON_Delete(resp);
}
END_TEST

START_TEST(test_idp_saml_refusals)
{
    const char *one = "Exactly one of MetadataURL and MetadataFile is a required idp detail.";

    assert_create_refused("Okta", "SAML", "{\"IDPSignout\":\"true\"}", "", one);
    assert_create_refused("Okta", "SAML",
                          "{\"MetadataURL\":\"https://m\",\"MetadataFile\":\"<x/>\"}", "", one);
    assert_create_refused("Okta", "SAML", "{\"MetadataFile\":\"not xml at all\"}", "",
                          "The SAML metadata has no SingleSignOnService with the HTTP-Redirect "
                          "binding.");
    assert_create_refused("Okta", "SAML", "{\"MetadataURL\":\"https://m\",\"IDPInit\":\"yes\"}", "",
                          "IDPInit must be true or false.");
    assert_create_refused(
        "Okta", "SAML", "{\"MetadataURL\":\"https://m\",\"RequestSigningAlgorithm\":\"rsa-sha1\"}",
        "", "RequestSigningAlgorithm must be rsa-sha256.");
}
END_TEST

START_TEST(test_idp_attribute_mapping_keys_are_pool_attributes)
{
    cJSON *resp = create_ok("Google", "Google", GOOGLE_DETAILS,
                            "\"AttributeMapping\":{\"email\":\"email\",\"custom:tenant\":\"hd\","
                            "\"username\":\"email\"}");
    const cJSON *map = tu_get(provider(resp), "AttributeMapping");

    ck_assert_str_eq(tu_str(map, "custom:tenant"), "hd");
    ck_assert_str_eq(tu_str(map, "username"), "email"); /* given, so not the default */
    assert_create_refused("Corp", "OIDC",
                          "{\"client_id\":\"a\",\"client_secret\":\"b\",\"authorize_scopes\":"
                          "\"openid\",\"oidc_issuer\":\"https://i\"}",
                          "\"AttributeMapping\":{\"email\":\"email\",\"custom:nope\":\"x\","
                          "\"foo\":\"y\"}",
                          "AttributeMapping contains invalid mapping: [custom:nope, foo]");
    /* Keys are AttributeMappingKeyType: at most 32 characters. */
    assert_create_refused("Corp", "OIDC",
                          "{\"client_id\":\"a\",\"client_secret\":\"b\",\"authorize_scopes\":"
                          "\"openid\",\"oidc_issuer\":\"https://i\"}",
                          "\"AttributeMapping\":{\"abcdefghijabcdefghijabcdefghijabc\":\"x\"}",
                          NULL);
    cJSON_Delete(resp);
}
END_TEST

START_TEST(test_idp_duplicate_name)
{
    cJSON *resp;
    char msg[160];

    cJSON_Delete(create_ok("Google", "Google", GOOGLE_DETAILS, ""));
    resp = create("Google", "Google", GOOGLE_DETAILS, "");
    snprintf(msg, sizeof(msg), "Google already exists in user pool %s", pool_id);
    tu_assert_error(resp, "DuplicateProviderException", msg);
    cJSON_Delete(resp);
}
END_TEST

START_TEST(test_idp_identifiers_are_unique_in_the_pool)
{
    const char *oidc = "{\"client_id\":\"a\",\"client_secret\":\"b\",\"authorize_scopes\":"
                       "\"openid\",\"oidc_issuer\":\"https://i\"}";
    cJSON *resp, *up;
    char msg[200];

    assert_create_refused("Corp", "OIDC", oidc, "\"IdpIdentifiers\":[\"corp\",\"corp\"]",
                          "Duplicate IdpIdentifier corp: it is given twice.");
    cJSON_Delete(create_ok("Corp", "OIDC", oidc, "\"IdpIdentifiers\":[\"corp\",\"example.com\"]"));
    snprintf(msg, sizeof(msg),
             "Duplicate IdpIdentifier example.com: provider Corp of user pool %s has it.", pool_id);
    assert_create_refused("Other", "OIDC", oidc, "\"IdpIdentifiers\":[\"example.com\"]", msg);
    assert_create_refused("Other", "OIDC", oidc, "\"IdpIdentifiers\":[\"bad/char\"]", NULL);
    /* A provider may keep its own identifiers through an update. */
    up = tu_callf(env, IDP "UpdateIdentityProvider",
                  "{\"UserPoolId\":\"%s\",\"ProviderName\":\"Corp\",\"IdpIdentifiers\":"
                  "[\"example.com\",\"corp2\"]}",
                  pool_id);
    ck_assert_ptr_null(tu_error_type(up));
    cJSON_Delete(up);
    resp = tu_callf(env, IDP "GetIdentityProviderByIdentifier",
                    "{\"UserPoolId\":\"%s\",\"IdpIdentifier\":\"corp2\"}", pool_id);
    ck_assert_ptr_null(tu_error_type(resp));
    ck_assert_str_eq(tu_str(provider(resp), "ProviderName"), "Corp");
    cJSON_Delete(resp);
    resp = tu_callf(env, IDP "GetIdentityProviderByIdentifier",
                    "{\"UserPoolId\":\"%s\",\"IdpIdentifier\":\"corp\"}", pool_id);
    snprintf(msg, sizeof(msg), "No identity provider with identifier corp exists in user pool %s.",
             pool_id);
    tu_assert_error(resp, "ResourceNotFoundException", msg);
    cJSON_Delete(resp);
}
END_TEST

START_TEST(test_idp_unknown_provider_or_pool)
{
    static const char *const OPS[] = {"DescribeIdentityProvider", "UpdateIdentityProvider",
                                      "DeleteIdentityProvider"};
    char msg[160];
    cJSON *resp;

    snprintf(msg, sizeof(msg), "Identity provider Nope does not exist in user pool %s.", pool_id);
    for (size_t i = 0; i < sizeof(OPS) / sizeof(OPS[0]); i++) {
        char target[128];

        snprintf(target, sizeof(target), IDP "%s", OPS[i]);
        resp = tu_callf(env, target, "{\"UserPoolId\":\"%s\",\"ProviderName\":\"Nope\"}", pool_id);
        tu_assert_error(resp, "ResourceNotFoundException", msg);
        cJSON_Delete(resp);
    }
    resp = tu_call(env, IDP "ListIdentityProviders", "{\"UserPoolId\":\"us-east-1_nope\"}");
    tu_assert_error(resp, "ResourceNotFoundException", "User pool us-east-1_nope does not exist.");
    cJSON_Delete(resp);
    resp = tu_call(env, IDP "CreateIdentityProvider",
                   "{\"UserPoolId\":\"us-east-1_nope\",\"ProviderName\":\"Google\","
                   "\"ProviderType\":\"Google\",\"ProviderDetails\":" GOOGLE_DETAILS "}");
    tu_assert_error(resp, "ResourceNotFoundException", "User pool us-east-1_nope does not exist.");
    cJSON_Delete(resp);
}
END_TEST

START_TEST(test_idp_update_keeps_omitted_members)
{
    cJSON *made =
              create_ok("Google", "Google", GOOGLE_DETAILS,
                        "\"AttributeMapping\":{\"email\":\"email\"},\"IdpIdentifiers\":[\"g\"]"),
          *up, *d;
    const cJSON *p;

    clock_set_offset_ms(60000);
    up = tu_callf(env, IDP "UpdateIdentityProvider",
                  "{\"UserPoolId\":\"%s\",\"ProviderName\":\"Google\",\"AttributeMapping\":"
                  "{\"name\":\"name\"}}",
                  pool_id);
    ck_assert_ptr_null(tu_error_type(up));
    p = provider(up);
    ck_assert(cJSON_Compare(tu_get(p, "ProviderDetails"), tu_get(provider(made), "ProviderDetails"),
                            true));
    ck_assert(
        cJSON_Compare(tu_get(p, "IdpIdentifiers"), tu_get(provider(made), "IdpIdentifiers"), true));
    ck_assert_str_eq(tu_str(tu_get(p, "AttributeMapping"), "name"), "name");
    ck_assert_ptr_null(tu_get(tu_get(p, "AttributeMapping"), "email"));
    ck_assert_str_eq(tu_str(tu_get(p, "AttributeMapping"), "username"), "sub");
    ck_assert(tu_num(p, "CreationDate") == tu_num(provider(made), "CreationDate"));
    ck_assert(tu_num(p, "LastModifiedDate") >= tu_num(p, "CreationDate") + 59.0);
    d = describe("Google");
    ck_assert(cJSON_Compare(provider(d), p, true));
    cJSON_Delete(d);
    cJSON_Delete(up);
    /* An update's details follow the create rules. */
    up = tu_callf(env, IDP "UpdateIdentityProvider",
                  "{\"UserPoolId\":\"%s\",\"ProviderName\":\"Google\",\"ProviderDetails\":"
                  "{\"client_id\":\"x\"}}",
                  pool_id);
    tu_assert_error(up, "InvalidParameterException",
                    "client_id, client_secret and authorize_scopes are all required idp details.");
    cJSON_Delete(up);
    cJSON_Delete(made);
}
END_TEST

START_TEST(test_idp_list_pages_descriptions)
{
    const char *oidc = "{\"client_id\":\"a\",\"client_secret\":\"b\",\"authorize_scopes\":"
                       "\"openid\",\"oidc_issuer\":\"https://i\"}";
    cJSON *resp, *next;
    const cJSON *item;

    cJSON_Delete(create_ok("Google", "Google", GOOGLE_DETAILS, ""));
    cJSON_Delete(create_ok("Corp", "OIDC", oidc, ""));
    resp = tu_callf(env, IDP "ListIdentityProviders", "{\"UserPoolId\":\"%s\",\"MaxResults\":1}",
                    pool_id);
    ck_assert_ptr_null(tu_error_type(resp));
    ck_assert_int_eq(cJSON_GetArraySize(tu_get(resp, "Providers")), 1);
    item = cJSON_GetArrayItem(tu_get(resp, "Providers"), 0);
    ck_assert_str_eq(tu_str(item, "ProviderName"), "Google");
    ck_assert_str_eq(tu_str(item, "ProviderType"), "Google");
    ck_assert(tu_num(item, "CreationDate") > 1.0e9 && tu_num(item, "LastModifiedDate") > 1.0e9);
    ck_assert_ptr_null(tu_get(item, "ProviderDetails"));
    ck_assert_ptr_nonnull(tu_str(resp, "NextToken"));
    next = tu_callf(env, IDP "ListIdentityProviders",
                    "{\"UserPoolId\":\"%s\",\"MaxResults\":60,\"NextToken\":\"%s\"}", pool_id,
                    tu_str(resp, "NextToken"));
    ck_assert_int_eq(cJSON_GetArraySize(tu_get(next, "Providers")), 1);
    ck_assert_str_eq(tu_str(cJSON_GetArrayItem(tu_get(next, "Providers"), 0), "ProviderName"),
                     "Corp");
    ck_assert_ptr_null(tu_get(next, "NextToken"));
    cJSON_Delete(next);
    cJSON_Delete(resp);
    resp = tu_callf(env, IDP "ListIdentityProviders", "{\"UserPoolId\":\"%s\",\"MaxResults\":61}",
                    pool_id);
    tu_assert_error(resp, "InvalidParameterException", NULL);
    cJSON_Delete(resp);
}
END_TEST

START_TEST(test_idp_delete_unlists_it_from_clients)
{
    cJSON *c, *d, *resp;
    const cJSON *list;
    char client_id[64];

    cJSON_Delete(create_ok("Google", "Google", GOOGLE_DETAILS, ""));
    c = tu_callf(env, IDP "CreateUserPoolClient",
                 "{\"UserPoolId\":\"%s\",\"ClientName\":\"web\",\"SupportedIdentityProviders\":"
                 "[\"COGNITO\",\"Google\"]}",
                 pool_id);
    snprintf(client_id, sizeof(client_id), "%s", tu_str(tu_get(c, "UserPoolClient"), "ClientId"));
    cJSON_Delete(c);
    resp = tu_callf(env, IDP "DeleteIdentityProvider",
                    "{\"UserPoolId\":\"%s\",\"ProviderName\":\"Google\"}", pool_id);
    ck_assert_ptr_null(tu_error_type(resp));
    ck_assert_ptr_null(resp->child); /* {} */
    cJSON_Delete(resp);
    d = tu_callf(env, IDP "DescribeUserPoolClient", "{\"UserPoolId\":\"%s\",\"ClientId\":\"%s\"}",
                 pool_id, client_id);
    list = tu_get(tu_get(d, "UserPoolClient"), "SupportedIdentityProviders");
    ck_assert_int_eq(cJSON_GetArraySize(list), 1);
    ck_assert_str_eq(cJSON_GetArrayItem(list, 0)->valuestring, "COGNITO");
    cJSON_Delete(d);
    resp = describe("Google");
    tu_assert_error(resp, "ResourceNotFoundException", NULL);
    cJSON_Delete(resp);
    /* The name is free again. */
    cJSON_Delete(create_ok("Google", "Google", GOOGLE_DETAILS, ""));
}
END_TEST

START_TEST(test_idp_quota)
{
    const char *oidc = "{\"client_id\":\"a\",\"client_secret\":\"b\",\"authorize_scopes\":"
                       "\"openid\",\"oidc_issuer\":\"https://i\"}";
    char name[16];
    cJSON *resp;

    for (int i = 0; i < IDENTITY_PROVIDER_MAX; i++) {
        snprintf(name, sizeof(name), "idp%03d", i);
        cJSON_Delete(create_ok(name, "OIDC", oidc, ""));
    }
    resp = create("onemore", "OIDC", oidc, "");
    tu_assert_error(resp, "LimitExceededException", NULL);
    cJSON_Delete(resp);
}
END_TEST

START_TEST(test_idp_readers_for_the_endpoints)
{
    struct store_conn *db;
    cJSON *doc = NULL;

    cJSON_Delete(
        create_ok("Google", "Google", GOOGLE_DETAILS, "\"IdpIdentifiers\":[\"gmail.com\"]"));
    db = store_acquire(env->store);
    ck_assert_int_eq(identity_provider_get(db, pool_id, "Google", &doc), STORE_OK);
    ck_assert_str_eq(tu_str(doc, "ProviderType"), "Google");
    cJSON_Delete(doc);
    ck_assert_int_eq(identity_provider_get(db, pool_id, "google", &doc), STORE_NOT_FOUND);
    ck_assert_ptr_null(doc);
    ck_assert_int_eq(identity_provider_get(db, "us-east-1_other", "Google", &doc), STORE_NOT_FOUND);
    ck_assert_int_eq(identity_provider_find(db, pool_id, "gmail.com", &doc), STORE_OK);
    ck_assert_str_eq(tu_str(doc, "ProviderName"), "Google");
    cJSON_Delete(doc);
    ck_assert_int_eq(identity_provider_find(db, pool_id, "GMAIL.com", &doc), STORE_NOT_FOUND);
    ck_assert_ptr_null(doc);
    store_release(env->store, db);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("ops_identity_provider");
    TCase *tc = tcase_create("core");

    tcase_add_checked_fixture(tc, setup, tu_teardown);
    tcase_add_test(tc, test_idp_google_describe_adds_cognito_endpoints);
    tcase_add_test(tc, test_idp_social_name_must_be_its_type);
    tcase_add_test(tc, test_idp_cognito_name_is_reserved);
    tcase_add_test(tc, test_idp_name_follows_the_model);
    tcase_add_test(tc, test_idp_social_details_are_required);
    tcase_add_test(tc, test_idp_apple_private_key_is_write_only);
    tcase_add_test(tc, test_idp_facebook_urls_follow_api_version);
    tcase_add_test(tc, test_idp_cognito_endpoints_replace_given_ones);
    tcase_add_test(tc, test_idp_oidc_issuer_or_all_endpoints);
    tcase_add_test(tc, test_idp_saml_metadata_file_gives_redirect_endpoints);
    tcase_add_test(tc, test_idp_saml_metadata_url_is_not_fetched);
    tcase_add_test(tc, test_idp_saml_refusals);
    tcase_add_test(tc, test_idp_attribute_mapping_keys_are_pool_attributes);
    tcase_add_test(tc, test_idp_duplicate_name);
    tcase_add_test(tc, test_idp_identifiers_are_unique_in_the_pool);
    tcase_add_test(tc, test_idp_unknown_provider_or_pool);
    tcase_add_test(tc, test_idp_update_keeps_omitted_members);
    tcase_add_test(tc, test_idp_list_pages_descriptions);
    tcase_add_test(tc, test_idp_delete_unlists_it_from_clients);
    tcase_add_test(tc, test_idp_quota);
    tcase_add_test(tc, test_idp_readers_for_the_endpoints);
    suite_add_tcase(s, tc);
    return s;
}
