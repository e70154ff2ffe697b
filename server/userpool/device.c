/*
 * device: the pool's rules for users' devices (device.h). Cognito's DeviceKey is
 * "<region>_<uuid>" (CLI respond-to-auth-challenge.rst: "us-west-2_fec070d2-..."), and its
 * DeviceGroupKey a short opaque string ("-wt2ha1Zd"); the emulator gives every device of a user
 * the same group key (I: the facts leave it open; the device SRP identity only needs it stable
 * per device). A device minted by a sign-in stays hidden from the operations until
 * ConfirmDevice gives it its verifier.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/ops_common.h"
#include "crypto/secrets.h"
#include "settings.h"
#include "userpool/device.h"
#include "util/ids.h"
#include "util/jsonutil.h"

/* Random bytes of a new DeviceGroupKey: 6 bytes are 8 base64url characters, the length of
 * the group keys in AWS's examples once their leading '-' is counted (9). */
#define GROUP_KEY_BYTES 6

bool device_tracking(const cJSON *pool)
{
    const cJSON *config = json_get(pool, "DeviceConfiguration");

    return cJSON_IsObject(config) && config->child != NULL;
}

bool device_user_opt_in(const cJSON *pool)
{
    return json_bool(json_get(pool, "DeviceConfiguration"), "DeviceOnlyRememberedOnUserPrompt",
                     false);
}

int device_not_found(struct op_ctx *ctx)
{
    return cog_err_set(&ctx->err, COG_E_RESOURCE_NOT_FOUND, "Device does not exist.");
}

/* Whether d is seen by a caller that needs need. */
static bool device_meets(const struct store_device *d, enum device_need need)
{
    if (need == DEVICE_MINTED)
        return true;
    return d->verifier != NULL && (need == DEVICE_CONFIRMED || d->remembered);
}

int device_find(struct op_ctx *ctx, const cJSON *pool, const struct store_user *u, const char *key,
                enum device_need need, struct store_device **out)
{
    int st = key != NULL ? store_device_get(ctx->db, key, out) : STORE_NOT_FOUND;

    if (st == STORE_ERROR)
        return ops_fail_internal(ctx, "could not read the device");
    if (st == STORE_OK && (*out)->user_seq == u->seq &&
        strcmp((*out)->pool_id, json_str(pool, "Id")) == 0 && device_meets(*out, need))
        return 0;
    store_device_free(*out);
    *out = NULL;
    return device_not_found(ctx);
}

/* A new group key for u ("-" and GROUP_KEY_BYTES random bytes, base64url), or the one of its
 * devices, into *out (free()). 0 or -1 (internal). */
static int group_key(struct op_ctx *ctx, const struct store_user *u, char **out)
{
    int st = store_device_group_key(ctx->db, u->seq, out);
    char *token;

    if (st == STORE_OK)
        return 0;
    if (st != STORE_NOT_FOUND || (token = secrets_token(GROUP_KEY_BYTES)) == NULL)
        return ops_fail_internal(ctx, "could not make the device group key");
    *out = malloc(strlen(token) + 2);
    if (*out != NULL)
        snprintf(*out, strlen(token) + 2, "-%s", token);
    free(token);
    return *out != NULL ? 0 : ops_fail_internal(ctx, "out of memory");
}

/* The region of pool, the part of its id before '_', into out (size n). */
static void pool_region(const cJSON *pool, char *out, size_t n)
{
    const char *id = json_str(pool, "Id"), *cut = id != NULL ? strchr(id, '_') : NULL;
    int len = cut != NULL ? (int)(cut - id) : 0;

    snprintf(out, n, "%.*s", len, cut != NULL ? id : "");
}

int device_mint(struct op_ctx *ctx, const cJSON *pool, const struct store_user *u,
                struct store_device **out)
{
    char region[32], uuid[IDS_UUID_LEN + 1], key[sizeof(region) + sizeof(uuid) + 1];
    struct store_device *d = calloc(1, sizeof(*d));

    *out = NULL;
    pool_region(pool, region, sizeof(region));
    ids_uuid(uuid);
    snprintf(key, sizeof(key), "%s_%s", region, uuid);
    if (d == NULL || (d->device_key = strdup(key)) == NULL ||
        (d->pool_id = strdup(json_str(pool, "Id"))) == NULL) {
        store_device_free(d);
        return ops_fail_internal(ctx, "out of memory");
    }
    d->user_seq = u->seq;
    d->created_ms = d->modified_ms = ctx->now_ms;
    if (group_key(ctx, u, &d->group_key) != 0 || store_device_put(ctx->db, d) != STORE_OK) {
        store_device_free(d);
        return ctx->err.code != COG_OK ? -1 : ops_fail_internal(ctx, "could not store the device");
    }
    *out = d;
    return 0;
}

/* Append {Name: name, Value: value} to list unless value is NULL. 0 or -1 (out of memory). */
static int add_attribute(cJSON *list, const char *name, const char *value)
{
    cJSON *a;

    if (value == NULL)
        return 0;
    if ((a = cJSON_CreateObject()) == NULL)
        return -1;
    if (!cJSON_AddItemToArray(list, a)) {
        cJSON_Delete(a);
        return -1;
    }
    return json_set_str(a, "Name", name) != 0 || json_set_str(a, "Value", value) != 0 ? -1 : 0;
}

/*
 * DeviceAttributes as AWS's get-device example lists them: device_status, device_name,
 * dev:device_arn (arn:aws:cognito-idp:<region>:<account>:owner/<user>.<pool>/device/<key>),
 * dev:device_owner (<user>.<pool>), last_ip_used (only when known: the emulator does not see
 * the caller's address), dev:device_remembered_status and dev:device_sdk.
 */
static cJSON *device_attributes(const struct op_ctx *ctx, const cJSON *pool,
                                const struct store_user *u, const struct store_device *d)
{
    const char *pool_id = json_str(pool, "Id");
    char region[32], owner[512], arn[1024];
    cJSON *list = cJSON_CreateArray();
    int bad = list == NULL;

    pool_region(pool, region, sizeof(region));
    snprintf(owner, sizeof(owner), "%s.%s", u->username, pool_id);
    snprintf(arn, sizeof(arn), "arn:aws:cognito-idp:%s:%s:owner/%s/device/%s", region,
             ctx->settings->account_id, owner, d->device_key);
    bad = bad || add_attribute(list, "device_status", "valid") != 0;
    bad = bad || add_attribute(list, "device_name", d->name) != 0;
    bad = bad || add_attribute(list, "dev:device_arn", arn) != 0;
    bad = bad || add_attribute(list, "dev:device_owner", owner) != 0;
    bad = bad || add_attribute(list, "last_ip_used", d->last_ip) != 0;
    bad = bad || add_attribute(list, "dev:device_remembered_status",
                               d->remembered ? "remembered" : "not_remembered") != 0;
    bad = bad || add_attribute(list, "dev:device_sdk", "aws-sdk") != 0;
    if (bad) {
        cJSON_Delete(list);
        return NULL;
    }
    return list;
}

cJSON *device_json(const struct op_ctx *ctx, const cJSON *pool, const struct store_user *u,
                   const struct store_device *d)
{
    cJSON *obj = cJSON_CreateObject();
    int bad = obj == NULL;

    bad = bad || json_set_str(obj, "DeviceKey", d->device_key) != 0;
    bad = bad || json_set_item(obj, "DeviceAttributes", device_attributes(ctx, pool, u, d)) != 0;
    bad = bad || json_set_num(obj, "DeviceCreateDate", json_epoch(d->created_ms)) != 0;
    bad = bad || json_set_num(obj, "DeviceLastModifiedDate", json_epoch(d->modified_ms)) != 0;
    if (!bad && d->last_auth_ms > 0)
        bad = json_set_num(obj, "DeviceLastAuthenticatedDate", json_epoch(d->last_auth_ms)) != 0;
    if (bad) {
        cJSON_Delete(obj);
        return NULL;
    }
    return obj;
}
