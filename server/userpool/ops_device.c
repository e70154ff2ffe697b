/*
 * ops_device: a user's remembered devices (../shared/user-auth-passkeys.md 4.4). ConfirmDevice
 * takes the device SRP salt and verifier of a device a sign-in minted (NewDeviceMetadata);
 * UpdateDeviceStatus remembers it or not; GetDevice, ListDevices and ForgetDevice read and drop
 * it. The user's operations take an access token and see only remembered devices, except
 * UpdateDeviceStatus and ForgetDevice, which act on any confirmed one; the Admin ones name the
 * user (UserPoolId, Username) and see every confirmed device. An unknown, forgotten, unconfirmed
 * or hidden device is "Device does not exist." (device_not_found), the text clients match.
 */
#include "config.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "aws/op.h"
#include "aws/ops_common.h"
#include "crypto/srp.h"
#include "store/store.h"
#include "userpool/device.h"
#include "userpool/pool.h"
#include "userpool/tokens.h"
#include "userpool/user.h"
#include "util/jsonutil.h"

/* ListDevices' page size when Limit is absent or 0 (I: AWS's maximum, what Amplify asks). */
#define DEVICE_LIST_MAX 60

/* The user a device operation acts for, and its pool. */
struct owner {
    cJSON *pool;
    struct store_user *user;
    bool admin; /* named by UserPoolId and Username: sees every confirmed device */
};

static void owner_free(struct owner *o)
{
    cJSON_Delete(o->pool);
    store_user_free(o->user);
}

/* The user of the request: its access token's (as GetUser checks it), or for the Admin
 * operations the UserPoolId's user named Username (UserNotFoundException). 0 or -1. */
static int owner_load(struct op_ctx *ctx, bool admin, struct owner *o)
{
    *o = (struct owner){.admin = admin};
    if (admin)
        return pool_load(ctx, json_str(ctx->in, "UserPoolId"), &o->pool) != 0 ||
                       user_find_request(ctx, o->pool, &o->user) != STORE_OK
                   ? -1
                   : 0;
    if (tokens_check_access(ctx, json_str(ctx->in, "AccessToken"), &o->user, NULL) != 0)
        return -1;
    return pool_load(ctx, o->user->pool_id, &o->pool);
}

/* The request's DeviceKey of the owner, as need asks (device_find). 0 or -1. */
static int owner_device(struct op_ctx *ctx, const struct owner *o, enum device_need need,
                        struct store_device **d)
{
    return device_find(ctx, o->pool, o->user, json_str(ctx->in, "DeviceKey"), need, d);
}

/* ---- ConfirmDevice ----------------------------------------------------------------------- */

/* DeviceSecretVerifierConfig's Salt and PasswordVerifier into d as hex (srp_device_value).
 * InvalidParameterException for a missing or unusable one. 0 or -1. */
static int read_verifier_config(struct op_ctx *ctx, struct store_device *d)
{
    const cJSON *config = json_get(ctx->in, "DeviceSecretVerifierConfig");
    int st = srp_device_value(json_str(config, "Salt"), false, &d->salt);

    if (st == 0)
        st = srp_device_value(json_str(config, "PasswordVerifier"), true, &d->verifier);
    if (st < 0)
        return ops_fail_internal(ctx, "out of memory");
    if (st > 0)
        return cog_err_set(&ctx->err, COG_E_INVALID_PARAMETER,
                           "DeviceSecretVerifierConfig must hold a base64 Salt and a base64 "
                           "PasswordVerifier below the SRP group's prime.");
    return 0;
}

/*
 * ConfirmDevice: the device becomes the user's, with the verifier of its random password. In a
 * pool that remembers devices only on the user's word (DeviceOnlyRememberedOnUserPrompt) it
 * stays not remembered and UserConfirmationNecessary is true; otherwise it is remembered now.
 * A device confirmed before is DeviceKeyExistsException.
 */
int op_confirm_device(struct op_ctx *ctx)
{
    struct owner o;
    struct store_device *d = NULL;
    bool opt_in;
    int rc = -1;

    if (owner_load(ctx, false, &o) != 0 || owner_device(ctx, &o, DEVICE_MINTED, &d) != 0)
        goto out;
    if (d->verifier != NULL) {
        cog_err_set(&ctx->err, COG_E_DEVICE_KEY_EXISTS, "Device key already exists.");
        goto out;
    }
    if (read_verifier_config(ctx, d) != 0)
        goto out;
    opt_in = device_user_opt_in(o.pool);
    free(d->name);
    d->name =
        json_str(ctx->in, "DeviceName") != NULL ? strdup(json_str(ctx->in, "DeviceName")) : NULL;
    d->remembered = !opt_in;
    d->modified_ms = ctx->now_ms;
    if (store_device_confirm(ctx->db, d) != STORE_OK)
        rc = ops_fail_internal(ctx, "could not confirm the device");
    else
        rc = json_set_bool(ctx->out, "UserConfirmationNecessary", opt_in) != 0
                 ? ops_fail_internal(ctx, "out of memory")
                 : 0;
out:
    store_device_free(d);
    owner_free(&o);
    return rc;
}

/* ---- UpdateDeviceStatus, GetDevice, ForgetDevice and their Admin twins --------------------- */

/* (Admin)UpdateDeviceStatus: DeviceRememberedStatus remembered or not_remembered. */
static int update_status(struct op_ctx *ctx, bool admin)
{
    const char *status = json_str(ctx->in, "DeviceRememberedStatus");
    struct owner o;
    struct store_device *d = NULL;
    int rc = -1;

    if (owner_load(ctx, admin, &o) == 0 && owner_device(ctx, &o, DEVICE_CONFIRMED, &d) == 0) {
        /* The model allows the status to be left out: nothing changes then. */
        if (status == NULL ||
            store_device_remember(ctx->db, d->device_key, strcmp(status, "remembered") == 0,
                                  ctx->now_ms) == STORE_OK)
            rc = 0;
        else
            rc = ops_fail_internal(ctx, "could not update the device");
    }
    store_device_free(d);
    owner_free(&o);
    return rc;
}

/* (Admin)GetDevice: {Device}; the user sees a remembered device only. */
static int get_device(struct op_ctx *ctx, bool admin)
{
    struct owner o;
    struct store_device *d = NULL;
    int rc = -1;

    if (owner_load(ctx, admin, &o) == 0 &&
        owner_device(ctx, &o, admin ? DEVICE_CONFIRMED : DEVICE_REMEMBERED, &d) == 0)
        rc = ops_out_set(ctx, "Device", device_json(ctx, o.pool, o.user, d));
    store_device_free(d);
    owner_free(&o);
    return rc;
}

/* (Admin)ForgetDevice: the device is deleted; its key never signs in again. */
static int forget_device(struct op_ctx *ctx, bool admin)
{
    struct owner o;
    struct store_device *d = NULL;
    int rc = -1;

    if (owner_load(ctx, admin, &o) == 0 && owner_device(ctx, &o, DEVICE_CONFIRMED, &d) == 0)
        rc = store_device_delete(ctx->db, d->device_key) == STORE_OK
                 ? 0
                 : ops_fail_internal(ctx, "could not forget the device");
    store_device_free(d);
    owner_free(&o);
    return rc;
}

/* ---- ListDevices, AdminListDevices ------------------------------------------------------- */

/* The page as {Devices, PaginationToken}. 0 or -1. */
static int out_device_page(struct op_ctx *ctx, const struct owner *o,
                           const struct store_device_page *page)
{
    cJSON *list = cJSON_CreateArray();

    for (size_t i = 0; list != NULL && i < page->count; i++)
        if (!cJSON_AddItemToArray(list, device_json(ctx, o->pool, o->user, page->devices[i]))) {
            cJSON_Delete(list);
            list = NULL;
        }
    if (ops_out_set(ctx, "Devices", list) != 0)
        return -1;
    if (page->next_token != NULL &&
        json_set_str(ctx->out, "PaginationToken", page->next_token) != 0)
        return ops_fail_internal(ctx, "out of memory");
    return 0;
}

/* (Admin)ListDevices: Limit (0 or absent: DEVICE_LIST_MAX) and PaginationToken; the user
 * lists remembered devices only. */
static int list_devices(struct op_ctx *ctx, bool admin)
{
    int64_t limit = json_int(ctx->in, "Limit", 0);
    struct owner o;
    struct store_device_page page = {0};
    int st, rc = -1;

    if (owner_load(ctx, admin, &o) != 0)
        goto out;
    st = store_device_list(ctx->db, o.user->seq, !admin, limit > 0 ? (int)limit : DEVICE_LIST_MAX,
                           json_str(ctx->in, "PaginationToken"), &page);
    if (st == STORE_BAD_TOKEN)
        cog_err_set(&ctx->err, COG_E_INVALID_PARAMETER, "Invalid PaginationToken.");
    else if (st != STORE_OK)
        ops_fail_internal(ctx, "could not list the devices");
    else
        rc = out_device_page(ctx, &o, &page);
out:
    store_device_page_free(&page);
    owner_free(&o);
    return rc;
}

int op_update_device_status(struct op_ctx *ctx)
{
    return update_status(ctx, false);
}

int op_admin_update_device_status(struct op_ctx *ctx)
{
    return update_status(ctx, true);
}

int op_get_device(struct op_ctx *ctx)
{
    return get_device(ctx, false);
}

int op_admin_get_device(struct op_ctx *ctx)
{
    return get_device(ctx, true);
}

int op_list_devices(struct op_ctx *ctx)
{
    return list_devices(ctx, false);
}

int op_admin_list_devices(struct op_ctx *ctx)
{
    return list_devices(ctx, true);
}

int op_forget_device(struct op_ctx *ctx)
{
    return forget_device(ctx, false);
}

int op_admin_forget_device(struct op_ctx *ctx)
{
    return forget_device(ctx, true);
}
