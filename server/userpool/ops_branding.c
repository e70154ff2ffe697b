/*
 * ops_branding: how the hosted pages look. The classic hosted UI's SetUICustomization and
 * GetUICustomization, and managed login's CreateManagedLoginBranding,
 * DescribeManagedLoginBranding, DescribeManagedLoginBrandingByClient,
 * UpdateManagedLoginBranding and DeleteManagedLoginBranding. The documents and their readers
 * are branding.h's; nothing here renders anything: the settings are stored and echoed.
 *
 * Sources of Cognito's behaviour and wording:
 *   [api]  the API reference text carried in server/aws/model/cognito-idp.json:
 *          SetUICustomization "Your user pool must have a domain", ClientId "ALL" for the
 *          default that "app clients not configured with client-level branding" use;
 *          UseCognitoProvidedValues "you must also omit values for Settings and Assets";
 *          UpdateManagedLoginBranding "preserves existing style settings that you don't
 *          specify"; ManagedLoginBrandingExistsException for a client that has a style.
 *   [seen] "A domain must be associated with this user pool." (InvalidParameterException),
 *          met by a stack customizing a pool's UI without a domain
 *          (amazon-connect/voicemail-for-amazon-connect#5).
 *   [tf]   Terraform's aws_cognito_user_pool_ui_customization deletes a customization by
 *          calling SetUICustomization with neither CSS nor ImageFile; such a call removes it.
 * Choices of the emulator (Cognito's behaviour was not found; pinned by
 * tests/check_ops_branding.c): the wording of the other errors; CSS and images are stored as
 * given (Cognito accepts only its documented CSS classes and PNG/JPEG logos); CSSVersion is
 * the time of the last change, "YYYYMMDDhhmmss" UTC; GetUICustomization without any setting
 * answers only UserPoolId and ClientId; ReturnMergedResources returns the stored settings
 * alone (the emulator has no copy of Cognito's default style); Settings must be a JSON object;
 * two Assets of one Category and ColorMode are refused; Update merges Settings member by
 * member (objects recursively) and replaces Assets of the same Category and ColorMode.
 */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "settings.h"
#include "util/ids.h"
#include "util/jsonutil.h"
#include "aws/op.h"
#include "aws/ops_common.h"
#include "store/store.h"
#include "userpool/branding.h"
#include "userpool/client.h"
#include "userpool/pool.h"

/* ---- Shared ------------------------------------------------------------------------------- */

/* The request's pool, checked to exist; ResourceNotFoundException otherwise. */
static int check_pool(struct op_ctx *ctx)
{
    return ops_doc_check(ctx, &OPS_USER_POOL, json_str(ctx->in, "UserPoolId"), NULL);
}

/* App client client_id of the request's pool, checked to exist. */
static int check_client(struct op_ctx *ctx, const char *client_id)
{
    return ops_doc_check(ctx, &CLIENT_DOC, client_id, json_str(ctx->in, "UserPoolId"));
}

/* A copy of doc without its members named in drop (NULL-terminated), or NULL (oom). */
static cJSON *without(const cJSON *doc, const char *const *drop)
{
    cJSON *copy = cJSON_Duplicate(doc, true);

    for (; copy != NULL && *drop != NULL; drop++)
        cJSON_DeleteItemFromObjectCaseSensitive(copy, *drop);
    return copy;
}

/* ---- Classic hosted UI -------------------------------------------------------------------- */

static const struct ops_doc_type UI_DOC = {
    .kind = STORE_UI_CUSTOMIZATION,
    .noun = "UI customization",
    .missing_code = COG_E_RESOURCE_NOT_FOUND,
    .missing = "UI customization does not exist.",
    .parent = &OPS_USER_POOL,
};

/* The client id the request names: its ClientId, "ALL" when absent. */
static const char *ui_client(const struct op_ctx *ctx)
{
    return json_str_or(ctx->in, "ClientId", UI_CUSTOMIZATION_ALL);
}

/* The pool must have a domain [api] [seen]; InvalidParameterException otherwise. */
static int check_domain(struct op_ctx *ctx)
{
    int64_t n = store_doc_count(ctx->db, STORE_USER_POOL_DOMAIN, json_str(ctx->in, "UserPoolId"));

    if (n < 0)
        return ops_fail_internal(ctx, "counting domains");
    if (n == 0)
        return cog_err_set(&ctx->err, COG_E_INVALID_PARAMETER,
                           "A domain must be associated with this user pool.");
    return 0;
}

/* "YYYYMMDDhhmmss" (UTC) of now_ms into buf (15 bytes). */
static void css_version(int64_t now_ms, char buf[15])
{
    time_t t = (time_t)(now_ms / 1000);
    struct tm tm;

    if (gmtime_r(&t, &tm) == NULL || strftime(buf, 15, "%Y%m%d%H%M%S", &tm) == 0)
        snprintf(buf, 15, "0");
}

/* The answer's UICustomization: doc (may be NULL) as AWS shows it, or the bare object. */
static cJSON *ui_answer(struct op_ctx *ctx, const cJSON *doc, const char *client_id)
{
    static const char *const DROP[] = {"ImageFile", NULL};
    char path[256], url[1024];
    cJSON *out;

    if (doc == NULL) {
        out = cJSON_CreateObject();
        if (out == NULL || json_set_str(out, "UserPoolId", json_str(ctx->in, "UserPoolId")) != 0 ||
            (client_id != NULL && json_set_str(out, "ClientId", client_id) != 0)) {
            cJSON_Delete(out);
            return NULL;
        }
        return out;
    }
    if ((out = without(doc, DROP)) == NULL || json_get(doc, "ImageFile") == NULL)
        return out;
    if (ui_customization_image_path(json_str(doc, "UserPoolId"), json_str(doc, "ClientId"), path,
                                    sizeof(path)) != 0 ||
        snprintf(url, sizeof(url), "%s%s", ctx->settings->public_url, path) >= (int)sizeof(url) ||
        json_set_str(out, "ImageUrl", url) != 0) {
        cJSON_Delete(out);
        return NULL;
    }
    return out;
}

/* Answer {"UICustomization": ...} for doc (may be NULL). */
static int ui_reply(struct op_ctx *ctx, const cJSON *doc, const char *client_id)
{
    cJSON *item = ui_answer(ctx, doc, client_id);

    if (item == NULL)
        return ops_fail_internal(ctx, "answering the UI customization");
    return ops_out_set(ctx, "UICustomization", item);
}

/* The new document of the customization the request sets, created at created (or now). */
static cJSON *ui_doc(const struct op_ctx *ctx, const cJSON *old)
{
    const char *css = json_str(ctx->in, "CSS"), *image = json_str(ctx->in, "ImageFile");
    char version[15];
    cJSON *doc = cJSON_CreateObject();
    int bad = doc == NULL;

    css_version(ctx->now_ms, version);
    bad |= json_set_str(doc, "UserPoolId", json_str(ctx->in, "UserPoolId"));
    bad |= json_set_str(doc, "ClientId", ui_client(ctx));
    if (css != NULL && css[0] != '\0') {
        bad |= json_set_str(doc, "CSS", css);
        bad |= json_set_str(doc, "CSSVersion", version);
    }
    if (image != NULL && image[0] != '\0')
        bad |= json_set_str(doc, "ImageFile", image);
    bad |= json_set_num(doc, "LastModifiedDate", json_epoch(ctx->now_ms));
    if (old != NULL)
        bad |= json_copy_member(doc, old, "CreationDate");
    else
        bad |= json_set_num(doc, "CreationDate", json_epoch(ctx->now_ms));
    if (bad) {
        cJSON_Delete(doc);
        return NULL;
    }
    return doc;
}

/* Whether the request sets nothing (neither CSS nor ImageFile): it removes the setting [tf]. */
static bool ui_clears(const struct op_ctx *ctx)
{
    const char *css = json_str(ctx->in, "CSS"), *image = json_str(ctx->in, "ImageFile");

    return (css == NULL || css[0] == '\0') && (image == NULL || image[0] == '\0');
}

/* Store (or, when the request sets nothing, remove) the customization; *doc the new one. */
static int ui_store(struct op_ctx *ctx, cJSON **doc)
{
    const char *pool_id = json_str(ctx->in, "UserPoolId"), *client_id = ui_client(ctx);
    cJSON *old = NULL;
    char id[256];
    int st, rc;

    *doc = NULL;
    if (snprintf(id, sizeof(id), "%s %s", pool_id, client_id) >= (int)sizeof(id))
        return ops_fail_internal(ctx, "naming the UI customization");
    st = ui_customization_get(ctx->db, pool_id, client_id, &old);
    if (st == STORE_OK && strcmp(json_str_or(old, "ClientId", ""), client_id) != 0) {
        cJSON_Delete(old); /* the pool's default, not this client's own */
        old = NULL;
    } else if (st != STORE_OK && st != STORE_NOT_FOUND) {
        return ops_fail_internal(ctx, "reading the UI customization");
    }
    if (ui_clears(ctx)) {
        rc = old == NULL || ops_doc_delete(ctx, &UI_DOC, id, pool_id) == 0 ? 0 : -1;
    } else if ((*doc = ui_doc(ctx, old)) == NULL) {
        rc = ops_fail_internal(ctx, "building the UI customization");
    } else {
        rc = ops_doc_save(ctx, &UI_DOC, id, pool_id, *doc, old == NULL) == STORE_OK ? 0 : -1;
    }
    cJSON_Delete(old);
    return rc;
}

int op_set_ui_customization(struct op_ctx *ctx)
{
    const char *client_id = ui_client(ctx);
    cJSON *doc = NULL;
    int rc = -1;

    if (ops_txn_begin(ctx) != 0)
        return -1;
    if (check_pool(ctx) == 0 &&
        (strcmp(client_id, UI_CUSTOMIZATION_ALL) == 0 || check_client(ctx, client_id) == 0) &&
        check_domain(ctx) == 0 && ui_store(ctx, &doc) == 0)
        rc = 0;
    rc = ops_txn_end(ctx, rc);
    if (rc == 0)
        rc = ui_reply(ctx, doc, client_id);
    cJSON_Delete(doc);
    return rc;
}

int op_get_ui_customization(struct op_ctx *ctx)
{
    const char *client_id = json_str(ctx->in, "ClientId");
    cJSON *doc = NULL;
    int rc = -1, st;

    if (check_pool(ctx) != 0 ||
        (client_id != NULL && strcmp(client_id, UI_CUSTOMIZATION_ALL) != 0 &&
         check_client(ctx, client_id) != 0))
        return -1;
    st = ui_customization_get(ctx->db, json_str(ctx->in, "UserPoolId"), client_id, &doc);
    if (st == STORE_OK || st == STORE_NOT_FOUND)
        rc = ui_reply(ctx, doc, client_id);
    else
        rc = ops_fail_internal(ctx, "reading the UI customization");
    cJSON_Delete(doc);
    return rc;
}

/* ---- Managed login ------------------------------------------------------------------------ */

static const struct ops_doc_type STYLE_DOC = {
    .kind = STORE_MANAGED_LOGIN_BRANDING,
    .noun = "managed login branding",
    .missing_code = COG_E_RESOURCE_NOT_FOUND,
    .missing = "Managed login branding %s does not exist.",
    .parent = &OPS_USER_POOL,
};

/* Answer {"ManagedLoginBranding": doc without its ClientId}. */
static int style_reply(struct op_ctx *ctx, const cJSON *doc)
{
    static const char *const DROP[] = {"ClientId", NULL};
    cJSON *item = without(doc, DROP);

    if (item == NULL)
        return ops_fail_internal(ctx, "answering the managed login branding");
    return ops_out_set(ctx, "ManagedLoginBranding", item);
}

/* Whether assets a and b are for the same Category and ColorMode. */
static bool same_slot(const cJSON *a, const cJSON *b)
{
    return strcmp(json_str_or(a, "Category", ""), json_str_or(b, "Category", "")) == 0 &&
           strcmp(json_str_or(a, "ColorMode", ""), json_str_or(b, "ColorMode", "")) == 0;
}

/*
 * The request's style options: UseCognitoProvidedValues excludes Settings and Assets [api];
 * Settings is an object; no two Assets share a Category and ColorMode.
 */
static int check_style_request(struct op_ctx *ctx)
{
    const cJSON *settings = json_get(ctx->in, "Settings"), *a, *b;

    if (json_bool(ctx->in, "UseCognitoProvidedValues", false) &&
        (settings != NULL || json_get(ctx->in, "Assets") != NULL))
        return cog_err_set(&ctx->err, COG_E_INVALID_PARAMETER,
                           "Settings and Assets must be omitted when UseCognitoProvidedValues "
                           "is true.");
    if (settings != NULL && !cJSON_IsObject(settings))
        return cog_err_set(&ctx->err, COG_E_INVALID_PARAMETER, "Settings must be a JSON object.");
    cJSON_ArrayForEach(a, json_get(ctx->in, "Assets"))
    {
        for (b = a->next; b != NULL; b = b->next)
            if (same_slot(a, b))
                return cog_err_set(&ctx->err, COG_E_INVALID_PARAMETER,
                                   "Assets holds two %s assets for the color mode %s.",
                                   json_str_or(a, "Category", ""), json_str_or(a, "ColorMode", ""));
    }
    return 0;
}

/* Lay src's members over dst's: objects merged recursively, anything else replaced. 0 or -1. */
static int merge_object(cJSON *dst, const cJSON *src)
{
    const cJSON *item;

    cJSON_ArrayForEach(item, src)
    {
        cJSON *mine = cJSON_GetObjectItemCaseSensitive(dst, item->string);

        if (cJSON_IsObject(mine) && cJSON_IsObject(item)) {
            if (merge_object(mine, item) != 0)
                return -1;
        } else if (json_set_item(dst, item->string, cJSON_Duplicate(item, true)) != 0) {
            return -1;
        }
    }
    return 0;
}

/* Put each asset of given into list, in place of the one of its Category and ColorMode. */
static int merge_assets(cJSON *list, const cJSON *given)
{
    const cJSON *a;

    cJSON_ArrayForEach(a, given)
    {
        cJSON *copy = cJSON_Duplicate(a, true), *old;

        if (copy == NULL)
            return -1;
        for (old = list->child; old != NULL && !same_slot(old, a);)
            old = old->next;
        if (old != NULL)
            cJSON_ReplaceItemViaPointer(list, old, copy);
        else
            cJSON_AddItemToArray(list, copy);
    }
    return 0;
}

/*
 * Apply the request's options to style doc: UseCognitoProvidedValues true resets it to
 * Cognito's defaults (no Settings, no Assets); otherwise Settings and Assets are merged in.
 */
static int apply_options(const cJSON *in, cJSON *doc, int64_t now_ms)
{
    const cJSON *settings = json_get(in, "Settings"), *assets = json_get(in, "Assets");
    bool defaults = json_bool(in, "UseCognitoProvidedValues", false);
    cJSON *mine;
    int bad = 0;

    if (defaults) {
        cJSON_DeleteItemFromObjectCaseSensitive(doc, "Settings");
        bad |= json_set_item(doc, "Assets", cJSON_CreateArray());
    }
    if (settings != NULL) {
        if ((mine = json_get(doc, "Settings")) == NULL)
            bad |= json_set_item(doc, "Settings", mine = cJSON_CreateObject());
        bad |= mine == NULL || merge_object(mine, settings) != 0;
    }
    if (assets != NULL)
        bad |= merge_assets(json_get(doc, "Assets"), assets);
    if (defaults || settings != NULL || assets != NULL)
        bad |= json_set_bool(doc, "UseCognitoProvidedValues", defaults);
    bad |= json_set_num(doc, "LastModifiedDate", json_epoch(now_ms));
    return bad ? -1 : 0;
}

/* A new style document for the CreateManagedLoginBranding request, with id id; or NULL. */
static cJSON *style_new(const struct op_ctx *ctx, const char *id)
{
    cJSON *doc = cJSON_CreateObject();
    int bad = doc == NULL;

    bad |= json_set_str(doc, "ManagedLoginBrandingId", id);
    bad |= json_set_str(doc, "UserPoolId", json_str(ctx->in, "UserPoolId"));
    bad |= json_set_bool(doc, "UseCognitoProvidedValues", false);
    bad |= json_set_item(doc, "Assets", cJSON_CreateArray());
    bad |= json_set_num(doc, "CreationDate", json_epoch(ctx->now_ms));
    bad |= json_set_str(doc, "ClientId", json_str(ctx->in, "ClientId"));
    bad |= bad || apply_options(ctx->in, doc, ctx->now_ms) != 0;
    if (bad) {
        cJSON_Delete(doc);
        return NULL;
    }
    return doc;
}

/* ManagedLoginBrandingExistsException when the request's client already has a style [api]. */
static int check_no_style(struct op_ctx *ctx)
{
    const char *client_id = json_str(ctx->in, "ClientId");
    cJSON *doc = NULL;
    int st = managed_login_branding_for_client(ctx->db, json_str(ctx->in, "UserPoolId"), client_id,
                                               &doc);

    cJSON_Delete(doc);
    if (st == STORE_OK)
        return cog_err_set(&ctx->err, COG_E_MANAGED_LOGIN_BRANDING_EXISTS,
                           "App client %s already has a managed login branding style.", client_id);
    return st == STORE_NOT_FOUND ? 0 : ops_fail_internal(ctx, "reading managed login branding");
}

int op_create_managed_login_branding(struct op_ctx *ctx)
{
    const char *pool_id = json_str(ctx->in, "UserPoolId");
    char id[IDS_UUID_LEN + 1];
    cJSON *doc = NULL;
    int rc = -1;

    if (ops_txn_begin(ctx) != 0)
        return -1;
    ids_uuid(id);
    if (check_pool(ctx) == 0 && check_client(ctx, json_str(ctx->in, "ClientId")) == 0 &&
        check_style_request(ctx) == 0 && check_no_style(ctx) == 0) {
        if ((doc = style_new(ctx, id)) == NULL)
            ops_fail_internal(ctx, "building the managed login branding");
        else if (ops_doc_save(ctx, &STYLE_DOC, id, pool_id, doc, true) == STORE_OK)
            rc = 0;
    }
    rc = ops_txn_end(ctx, rc);
    if (rc == 0)
        rc = style_reply(ctx, doc);
    cJSON_Delete(doc);
    return rc;
}

/* The style the request names (ManagedLoginBrandingId in UserPoolId) into *doc. */
static int load_style(struct op_ctx *ctx, cJSON **doc)
{
    return ops_doc_load(ctx, &STYLE_DOC, json_str(ctx->in, "ManagedLoginBrandingId"),
                        json_str(ctx->in, "UserPoolId"), doc);
}

int op_describe_managed_login_branding(struct op_ctx *ctx)
{
    cJSON *doc = NULL;
    int rc = -1;

    if (check_pool(ctx) == 0 && load_style(ctx, &doc) == 0)
        rc = style_reply(ctx, doc);
    cJSON_Delete(doc);
    return rc;
}

int op_describe_managed_login_branding_by_client(struct op_ctx *ctx)
{
    const char *client_id = json_str(ctx->in, "ClientId");
    cJSON *doc = NULL;
    int rc = -1, st;

    if (check_pool(ctx) != 0 || check_client(ctx, client_id) != 0)
        return -1;
    st = managed_login_branding_for_client(ctx->db, json_str(ctx->in, "UserPoolId"), client_id,
                                           &doc);
    if (st == STORE_OK)
        rc = style_reply(ctx, doc);
    else if (st == STORE_NOT_FOUND)
        rc = cog_err_set(&ctx->err, COG_E_RESOURCE_NOT_FOUND,
                         "App client %s has no managed login branding style.", client_id);
    else
        rc = ops_fail_internal(ctx, "reading managed login branding");
    cJSON_Delete(doc);
    return rc;
}

/* UpdateManagedLoginBranding's model marks nothing required; a style is named by both ids. */
static int check_style_named(struct op_ctx *ctx)
{
    if (json_str(ctx->in, "UserPoolId") == NULL ||
        json_str(ctx->in, "ManagedLoginBrandingId") == NULL)
        return cog_err_set(&ctx->err, COG_E_INVALID_PARAMETER,
                           "UserPoolId and ManagedLoginBrandingId are required.");
    return 0;
}

int op_update_managed_login_branding(struct op_ctx *ctx)
{
    cJSON *doc = NULL;
    int rc = -1;

    if (check_style_named(ctx) != 0 || ops_txn_begin(ctx) != 0)
        return -1;
    if (check_pool(ctx) == 0 && check_style_request(ctx) == 0 && load_style(ctx, &doc) == 0) {
        if (apply_options(ctx->in, doc, ctx->now_ms) != 0)
            ops_fail_internal(ctx, "updating the managed login branding");
        else if (ops_doc_save(ctx, &STYLE_DOC, json_str(doc, "ManagedLoginBrandingId"),
                              json_str(doc, "UserPoolId"), doc, false) == STORE_OK)
            rc = 0;
    }
    rc = ops_txn_end(ctx, rc);
    if (rc == 0)
        rc = style_reply(ctx, doc);
    cJSON_Delete(doc);
    return rc;
}

int op_delete_managed_login_branding(struct op_ctx *ctx)
{
    if (check_pool(ctx) != 0)
        return -1;
    return ops_doc_delete(ctx, &STYLE_DOC, json_str(ctx->in, "ManagedLoginBrandingId"),
                          json_str(ctx->in, "UserPoolId"));
}
