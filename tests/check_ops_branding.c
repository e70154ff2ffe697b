/*
 * check_ops_branding: the hosted pages' branding (ops_branding.c, with the readers of
 * branding.c): the classic hosted UI's SetUICustomization / GetUICustomization and managed
 * login's Create/Describe/DescribeByClient/Update/DeleteManagedLoginBranding, driven through
 * tu_call exactly as the server runs them. The wording the emulator chose where Cognito's was
 * not found is pinned here.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/clock.h"
#include "store/store.h"
#include "userpool/branding.h"
#include "testutil.h"

static struct tu_env *const env = &tu_fixture;
static char pool_id[96], client_id[64], other_id[64];

/* base64 of the 8-byte PNG signature. */
#define PNG "iVBORw0KGgo="
#define UUID_RE "^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"

static void new_client(const char *name, char *out)
{
    cJSON *c = tu_callf(env, IDP "CreateUserPoolClient",
                        "{\"UserPoolId\":\"%s\",\"ClientName\":\"%s\"}", pool_id, name);

    snprintf(out, 64, "%s", tu_str(tu_get(c, "UserPoolClient"), "ClientId"));
    cJSON_Delete(c);
}

static void setup(void)
{
    char *id;

    tu_setup();
    id = tu_create_user_pool(env, "{\"PoolName\":\"branding\"}");
    snprintf(pool_id, sizeof(pool_id), "%s", id);
    free(id);
    new_client("web", client_id);
    new_client("other", other_id);
}

/* Give the fixture's pool a domain, as CreateUserPoolDomain would (its document). */
static void add_domain(void)
{
    struct store_conn *db = store_acquire(env->store);

    ck_assert_int_eq(store_doc_insert(db, STORE_USER_POOL_DOMAIN, "branding-test", pool_id,
                                      "{\"Domain\":\"branding-test\"}"),
                     STORE_OK);
    store_release(env->store, db);
}

/* SetUICustomization for client (NULL: no ClientId member) with extra members. */
static cJSON *set_ui(const char *client, const char *extra)
{
    char cl[96] = "";

    if (client != NULL)
        snprintf(cl, sizeof(cl), ",\"ClientId\":\"%s\"", client);
    return tu_callf(env, IDP "SetUICustomization", "{\"UserPoolId\":\"%s\"%s%s%s}", pool_id, cl,
                    extra[0] ? "," : "", extra);
}

static cJSON *get_ui(const char *client)
{
    char cl[96] = "";

    if (client != NULL)
        snprintf(cl, sizeof(cl), ",\"ClientId\":\"%s\"", client);
    return tu_callf(env, IDP "GetUICustomization", "{\"UserPoolId\":\"%s\"%s}", pool_id, cl);
}

static const cJSON *ui(const cJSON *resp)
{
    return tu_get(resp, "UICustomization");
}

START_TEST(test_ui_needs_a_domain)
{
    cJSON *resp = set_ui("ALL", "\"CSS\":\".banner-customizable {padding: 1px}\"");

    tu_assert_error(resp, "InvalidParameterException",
                    "A domain must be associated with this user pool.");
    cJSON_Delete(resp);
}
END_TEST

START_TEST(test_ui_pool_default_css)
{
    cJSON *resp;
    const cJSON *u;

    add_domain();
    resp = set_ui("ALL", "\"CSS\":\".logo-customizable {max-width: 60%}\"");
    ck_assert_ptr_null(tu_error_type(resp));
    u = ui(resp);
    ck_assert_str_eq(tu_str(u, "UserPoolId"), pool_id);
    ck_assert_str_eq(tu_str(u, "ClientId"), "ALL");
    ck_assert_str_eq(tu_str(u, "CSS"), ".logo-customizable {max-width: 60%}");
    tu_assert_matches(tu_str(u, "CSSVersion"), "^20[0-9]{12}$");
    ck_assert(tu_num(u, "CreationDate") > 1.0e9);
    ck_assert(tu_num(u, "CreationDate") == tu_num(u, "LastModifiedDate"));
    ck_assert_ptr_null(tu_get(u, "ImageUrl"));
    ck_assert_ptr_null(tu_get(u, "ImageFile"));
    cJSON_Delete(resp);
    /* A ClientId left out means the pool's default too. */
    resp = get_ui(NULL);
    ck_assert_str_eq(tu_str(ui(resp), "ClientId"), "ALL");
    ck_assert_str_eq(tu_str(ui(resp), "CSS"), ".logo-customizable {max-width: 60%}");
    cJSON_Delete(resp);
}
END_TEST

START_TEST(test_ui_client_overrides_pool_default)
{
    cJSON *resp;
    char url[1024];

    add_domain();
    cJSON_Delete(set_ui("ALL", "\"CSS\":\".a {}\""));
    resp = set_ui(client_id, "\"ImageFile\":\"" PNG "\"");
    ck_assert_ptr_null(tu_error_type(resp));
    snprintf(url, sizeof(url), "%s/_emu/ui-image/%s/%s", env->settings.public_url, pool_id,
             client_id);
    ck_assert_str_eq(tu_str(ui(resp), "ImageUrl"), url);
    ck_assert_ptr_null(tu_get(ui(resp), "CSS"));
    ck_assert_ptr_null(tu_get(ui(resp), "CSSVersion"));
    ck_assert_ptr_null(tu_get(ui(resp), "ImageFile"));
    cJSON_Delete(resp);
    resp = get_ui(client_id);
    ck_assert_str_eq(tu_str(ui(resp), "ClientId"), client_id);
    ck_assert_str_eq(tu_str(ui(resp), "ImageUrl"), url);
    cJSON_Delete(resp);
    /* Another client without its own setting gets the pool's. */
    resp = get_ui(other_id);
    ck_assert_str_eq(tu_str(ui(resp), "ClientId"), "ALL");
    ck_assert_str_eq(tu_str(ui(resp), "CSS"), ".a {}");
    cJSON_Delete(resp);
}
END_TEST

START_TEST(test_ui_get_without_any_setting)
{
    cJSON *resp = get_ui(client_id);

    ck_assert_ptr_null(tu_error_type(resp));
    ck_assert_str_eq(tu_str(ui(resp), "UserPoolId"), pool_id);
    ck_assert_str_eq(tu_str(ui(resp), "ClientId"), client_id);
    ck_assert_int_eq(cJSON_GetArraySize(ui(resp)), 2);
    cJSON_Delete(resp);
    resp = get_ui(NULL);
    ck_assert_int_eq(cJSON_GetArraySize(ui(resp)), 1);
    cJSON_Delete(resp);
}
END_TEST

START_TEST(test_ui_unknown_client_or_pool)
{
    cJSON *resp;

    add_domain();
    resp = set_ui("nosuchclient", "\"CSS\":\".a {}\"");
    tu_assert_error(resp, "ResourceNotFoundException",
                    "User pool client nosuchclient does not exist.");
    cJSON_Delete(resp);
    resp = get_ui("nosuchclient");
    tu_assert_error(resp, "ResourceNotFoundException",
                    "User pool client nosuchclient does not exist.");
    cJSON_Delete(resp);
    resp = tu_call(env, IDP "GetUICustomization", "{\"UserPoolId\":\"us-east-1_nope\"}");
    tu_assert_error(resp, "ResourceNotFoundException", "User pool us-east-1_nope does not exist.");
    cJSON_Delete(resp);
    /* ImageFile is a blob: what is not base64 does not deserialize (aws/params.c). */
    resp = set_ui(client_id, "\"ImageFile\":\"not base64!\"");
    tu_assert_error(resp, "SerializationException", NULL);
    cJSON_Delete(resp);
}
END_TEST

START_TEST(test_ui_set_replaces_and_empty_set_removes)
{
    cJSON *first, *resp;

    add_domain();
    first = set_ui(client_id, "\"CSS\":\".a {}\",\"ImageFile\":\"" PNG "\"");
    clock_set_offset_ms(60000);
    resp = set_ui(client_id, "\"CSS\":\".b {}\"");
    ck_assert_str_eq(tu_str(ui(resp), "CSS"), ".b {}");
    ck_assert_ptr_null(tu_get(ui(resp), "ImageUrl")); /* the whole setting is replaced */
    ck_assert(tu_num(ui(resp), "CreationDate") == tu_num(ui(first), "CreationDate"));
    ck_assert(tu_num(ui(resp), "LastModifiedDate") >= tu_num(ui(first), "LastModifiedDate") + 59);
    cJSON_Delete(resp);
    /* Neither CSS nor ImageFile: the client's setting is removed (Terraform's delete). */
    cJSON_Delete(set_ui("ALL", "\"CSS\":\".pool {}\""));
    resp = set_ui(client_id, "");
    ck_assert_ptr_null(tu_error_type(resp));
    ck_assert_int_eq(cJSON_GetArraySize(ui(resp)), 2);
    cJSON_Delete(resp);
    resp = get_ui(client_id);
    ck_assert_str_eq(tu_str(ui(resp), "ClientId"), "ALL");
    cJSON_Delete(resp);
    cJSON_Delete(first);
}
END_TEST

START_TEST(test_ui_reader_for_the_pages)
{
    struct store_conn *db;
    cJSON *doc = NULL;
    char path[128], want[256];

    add_domain();
    cJSON_Delete(set_ui(client_id, "\"ImageFile\":\"" PNG "\""));
    db = store_acquire(env->store);
    ck_assert_int_eq(ui_customization_get(db, pool_id, client_id, &doc), STORE_OK);
    ck_assert_str_eq(tu_str(doc, "ImageFile"), PNG);
    cJSON_Delete(doc);
    ck_assert_int_eq(ui_customization_get(db, pool_id, other_id, &doc), STORE_NOT_FOUND);
    ck_assert_ptr_null(doc);
    ck_assert_int_eq(ui_customization_get(db, pool_id, NULL, &doc), STORE_NOT_FOUND);
    store_release(env->store, db);
    ck_assert_int_eq(ui_customization_image_path(pool_id, "ALL", path, sizeof(path)), 0);
    snprintf(want, sizeof(want), "/_emu/ui-image/%s/ALL", pool_id);
    ck_assert_str_eq(path, want);
    ck_assert_int_eq(ui_customization_image_path(pool_id, "ALL", path, 8), -1);
}
END_TEST

/* ---- Managed login ------------------------------------------------------------------------ */

static cJSON *create_style(const char *client, const char *extra)
{
    return tu_callf(env, IDP "CreateManagedLoginBranding",
                    "{\"UserPoolId\":\"%s\",\"ClientId\":\"%s\"%s%s}", pool_id, client,
                    extra[0] ? "," : "", extra);
}

static const cJSON *style(const cJSON *resp)
{
    return tu_get(resp, "ManagedLoginBranding");
}

/* Create a style for client and copy its id into out (size 64). */
static void create_style_id(const char *client, const char *extra, char *out)
{
    cJSON *resp = create_style(client, extra);

    ck_assert_msg(tu_error_type(resp) == NULL, "CreateManagedLoginBranding failed: %s",
                  tu_str(resp, "message"));
    snprintf(out, 64, "%s", tu_str(style(resp), "ManagedLoginBrandingId"));
    cJSON_Delete(resp);
}

static cJSON *describe_style(const char *id)
{
    return tu_callf(env, IDP "DescribeManagedLoginBranding",
                    "{\"UserPoolId\":\"%s\",\"ManagedLoginBrandingId\":\"%s\"}", pool_id, id);
}

START_TEST(test_style_create_with_cognito_values)
{
    cJSON *resp = create_style(client_id, "\"UseCognitoProvidedValues\":true"), *d;
    const cJSON *s = style(resp);

    ck_assert_ptr_null(tu_error_type(resp));
    tu_assert_matches(tu_str(s, "ManagedLoginBrandingId"), UUID_RE);
    ck_assert_str_eq(tu_str(s, "UserPoolId"), pool_id);
    ck_assert(tu_bool(s, "UseCognitoProvidedValues"));
    ck_assert(cJSON_IsArray(tu_get(s, "Assets")) && cJSON_GetArraySize(tu_get(s, "Assets")) == 0);
    ck_assert_ptr_null(tu_get(s, "Settings"));
    ck_assert_ptr_null(tu_get(s, "ClientId"));
    ck_assert(tu_num(s, "CreationDate") == tu_num(s, "LastModifiedDate"));
    d = describe_style(tu_str(s, "ManagedLoginBrandingId"));
    ck_assert(cJSON_Compare(style(d), s, true));
    cJSON_Delete(d);
    /* ReturnMergedResources gives the stored settings alone. */
    d = tu_callf(env, IDP "DescribeManagedLoginBrandingByClient",
                 "{\"UserPoolId\":\"%s\",\"ClientId\":\"%s\",\"ReturnMergedResources\":true}",
                 pool_id, client_id);
    ck_assert(cJSON_Compare(style(d), s, true));
    cJSON_Delete(d);
    cJSON_Delete(resp);
}
END_TEST

START_TEST(test_style_one_per_client)
{
    cJSON *resp;

    cJSON_Delete(create_style(client_id, "\"Settings\":{\"components\":{}}"));
    resp = create_style(client_id, "\"UseCognitoProvidedValues\":true");
    tu_assert_error(resp, "ManagedLoginBrandingExistsException", NULL);
    ck_assert(strstr(tu_str(resp, "message"), client_id) != NULL);
    cJSON_Delete(resp);
    resp = create_style(other_id, "\"UseCognitoProvidedValues\":true");
    ck_assert_ptr_null(tu_error_type(resp));
    cJSON_Delete(resp);
}
END_TEST

START_TEST(test_style_request_rules)
{
    cJSON *resp;

    resp = create_style(client_id, "\"UseCognitoProvidedValues\":true,\"Settings\":{}");
    tu_assert_error(resp, "InvalidParameterException",
                    "Settings and Assets must be omitted when UseCognitoProvidedValues is true.");
    cJSON_Delete(resp);
    resp = create_style(client_id, "\"Settings\":[1,2]");
    tu_assert_error(resp, "InvalidParameterException", "Settings must be a JSON object.");
    cJSON_Delete(resp);
    resp = create_style(client_id, "\"Assets\":[{\"Category\":\"FORM_LOGO\",\"ColorMode\":"
                                   "\"LIGHT\",\"Extension\":\"PNG\",\"Bytes\":\"" PNG "\"},"
                                   "{\"Category\":\"FORM_LOGO\",\"ColorMode\":\"LIGHT\","
                                   "\"Extension\":\"SVG\"}]");
    tu_assert_error(resp, "InvalidParameterException",
                    "Assets holds two FORM_LOGO assets for the color mode LIGHT.");
    cJSON_Delete(resp);
    resp = create_style(client_id, "\"Assets\":[{\"Category\":\"NOPE\",\"ColorMode\":\"LIGHT\","
                                   "\"Extension\":\"PNG\"}]");
    tu_assert_error(resp, "InvalidParameterException", NULL);
    cJSON_Delete(resp);
    resp = create_style("nosuchclient", "");
    tu_assert_error(resp, "ResourceNotFoundException",
                    "User pool client nosuchclient does not exist.");
    cJSON_Delete(resp);
}
END_TEST

START_TEST(test_style_update_merges)
{
    char id[64];
    cJSON *resp;
    const cJSON *s, *assets;

    create_style_id(client_id,
                    "\"Settings\":{\"categories\":{\"global\":{\"colorSchemeMode\":\"LIGHT\","
                    "\"spacingDensity\":\"REGULAR\"}}},\"Assets\":[{\"Category\":\"FORM_LOGO\","
                    "\"ColorMode\":\"LIGHT\",\"Extension\":\"PNG\",\"Bytes\":\"" PNG "\"}]",
                    id);
    clock_set_offset_ms(60000);
    resp =
        tu_callf(env, IDP "UpdateManagedLoginBranding",
                 "{\"UserPoolId\":\"%s\",\"ManagedLoginBrandingId\":\"%s\",\"Settings\":"
                 "{\"categories\":{\"global\":{\"colorSchemeMode\":\"DARK\"}}},\"Assets\":"
                 "[{\"Category\":\"FORM_LOGO\",\"ColorMode\":\"LIGHT\",\"Extension\":\"SVG\"},"
                 "{\"Category\":\"FAVICON_ICO\",\"ColorMode\":\"DYNAMIC\",\"Extension\":\"ICO\"}]}",
                 pool_id, id);
    ck_assert_ptr_null(tu_error_type(resp));
    s = style(resp);
    ck_assert_str_eq(
        tu_str(tu_get(tu_get(tu_get(s, "Settings"), "categories"), "global"), "colorSchemeMode"),
        "DARK");
    ck_assert_str_eq(
        tu_str(tu_get(tu_get(tu_get(s, "Settings"), "categories"), "global"), "spacingDensity"),
        "REGULAR");
    assets = tu_get(s, "Assets");
    ck_assert_int_eq(cJSON_GetArraySize(assets), 2);
    ck_assert_str_eq(tu_str(cJSON_GetArrayItem(assets, 0), "Extension"), "SVG");
    ck_assert(!tu_bool(s, "UseCognitoProvidedValues"));
    ck_assert(tu_num(s, "LastModifiedDate") >= tu_num(s, "CreationDate") + 59);
    cJSON_Delete(resp);
    /* Back to Cognito's values: settings and assets go. */
    resp = tu_callf(env, IDP "UpdateManagedLoginBranding",
                    "{\"UserPoolId\":\"%s\",\"ManagedLoginBrandingId\":\"%s\","
                    "\"UseCognitoProvidedValues\":true}",
                    pool_id, id);
    s = style(resp);
    ck_assert(tu_bool(s, "UseCognitoProvidedValues"));
    ck_assert_ptr_null(tu_get(s, "Settings"));
    ck_assert_int_eq(cJSON_GetArraySize(tu_get(s, "Assets")), 0);
    cJSON_Delete(resp);
}
END_TEST

START_TEST(test_style_update_refusals)
{
    char msg[160];
    cJSON *resp;

    resp = tu_callf(env, IDP "UpdateManagedLoginBranding", "{\"UserPoolId\":\"%s\"}", pool_id);
    tu_assert_error(resp, "InvalidParameterException",
                    "UserPoolId and ManagedLoginBrandingId are required.");
    cJSON_Delete(resp);
    resp = tu_callf(env, IDP "UpdateManagedLoginBranding",
                    "{\"UserPoolId\":\"%s\",\"ManagedLoginBrandingId\":"
                    "\"11111111-2222-4333-8444-555555555555\",\"Settings\":{}}",
                    pool_id);
    snprintf(msg, sizeof(msg),
             "Managed login branding 11111111-2222-4333-8444-555555555555 does not exist.");
    tu_assert_error(resp, "ResourceNotFoundException", msg);
    cJSON_Delete(resp);
    resp = tu_callf(env, IDP "UpdateManagedLoginBranding",
                    "{\"UserPoolId\":\"%s\",\"ManagedLoginBrandingId\":\"not-a-uuid\"}", pool_id);
    tu_assert_error(resp, "InvalidParameterException", NULL);
    cJSON_Delete(resp);
}
END_TEST

START_TEST(test_style_by_client_and_delete)
{
    char id[64], msg[160];
    cJSON *resp;

    resp = tu_callf(env, IDP "DescribeManagedLoginBrandingByClient",
                    "{\"UserPoolId\":\"%s\",\"ClientId\":\"%s\"}", pool_id, client_id);
    snprintf(msg, sizeof(msg), "App client %s has no managed login branding style.", client_id);
    tu_assert_error(resp, "ResourceNotFoundException", msg);
    cJSON_Delete(resp);
    create_style_id(client_id, "\"UseCognitoProvidedValues\":true", id);
    resp = tu_callf(env, IDP "DescribeManagedLoginBrandingByClient",
                    "{\"UserPoolId\":\"%s\",\"ClientId\":\"%s\"}", pool_id, client_id);
    ck_assert_str_eq(tu_str(style(resp), "ManagedLoginBrandingId"), id);
    cJSON_Delete(resp);
    resp = tu_callf(env, IDP "DescribeManagedLoginBrandingByClient",
                    "{\"UserPoolId\":\"%s\",\"ClientId\":\"nosuchclient\"}", pool_id);
    tu_assert_error(resp, "ResourceNotFoundException", NULL);
    cJSON_Delete(resp);
    resp = tu_callf(env, IDP "DeleteManagedLoginBranding",
                    "{\"UserPoolId\":\"%s\",\"ManagedLoginBrandingId\":\"%s\"}", pool_id, id);
    ck_assert_ptr_null(tu_error_type(resp));
    cJSON_Delete(resp);
    resp = describe_style(id);
    tu_assert_error(resp, "ResourceNotFoundException", NULL);
    cJSON_Delete(resp);
    resp = tu_callf(env, IDP "DeleteManagedLoginBranding",
                    "{\"UserPoolId\":\"%s\",\"ManagedLoginBrandingId\":\"%s\"}", pool_id, id);
    tu_assert_error(resp, "ResourceNotFoundException", NULL);
    cJSON_Delete(resp);
    /* The client may have a style again. */
    create_style_id(client_id, "\"UseCognitoProvidedValues\":true", id);
}
END_TEST

START_TEST(test_style_reader_for_the_pages)
{
    struct store_conn *db;
    cJSON *doc = NULL;
    char id[64];

    create_style_id(client_id, "\"UseCognitoProvidedValues\":true", id);
    db = store_acquire(env->store);
    ck_assert_int_eq(managed_login_branding_for_client(db, pool_id, client_id, &doc), STORE_OK);
    ck_assert_str_eq(tu_str(doc, "ManagedLoginBrandingId"), id);
    ck_assert_str_eq(tu_str(doc, "ClientId"), client_id);
    cJSON_Delete(doc);
    ck_assert_int_eq(managed_login_branding_for_client(db, pool_id, other_id, &doc),
                     STORE_NOT_FOUND);
    ck_assert_ptr_null(doc);
    store_release(env->store, db);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("ops_branding");
    TCase *tc = tcase_create("core");

    tcase_add_checked_fixture(tc, setup, tu_teardown);
    tcase_add_test(tc, test_ui_needs_a_domain);
    tcase_add_test(tc, test_ui_pool_default_css);
    tcase_add_test(tc, test_ui_client_overrides_pool_default);
    tcase_add_test(tc, test_ui_get_without_any_setting);
    tcase_add_test(tc, test_ui_unknown_client_or_pool);
    tcase_add_test(tc, test_ui_set_replaces_and_empty_set_removes);
    tcase_add_test(tc, test_ui_reader_for_the_pages);
    tcase_add_test(tc, test_style_create_with_cognito_values);
    tcase_add_test(tc, test_style_one_per_client);
    tcase_add_test(tc, test_style_request_rules);
    tcase_add_test(tc, test_style_update_merges);
    tcase_add_test(tc, test_style_update_refusals);
    tcase_add_test(tc, test_style_by_client_and_delete);
    tcase_add_test(tc, test_style_reader_for_the_pages);
    suite_add_tcase(s, tc);
    return s;
}
