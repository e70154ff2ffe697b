/*
 * auth_device: remembered devices in sign-in (../shared/user-auth-passkeys.md 4.2, 4.3). In a
 * pool that tracks devices (userpool/device.h), every sign-in that does not name a device of
 * the user mints one and returns its NewDeviceMetadata {DeviceKey, DeviceGroupKey}, which the
 * client confirms with its SRP verifier (ConfirmDevice). A later sign-in names it as DEVICE_KEY
 * (AuthParameters, or the PASSWORD_VERIFIER and MFA responses); once the first factor passed,
 * a confirmed and remembered device is asked DEVICE_SRP_AUTH in place of MFA:
 *
 *   DEVICE_SRP_AUTH {USERNAME, DEVICE_KEY, SRP_A}
 *     -> DEVICE_PASSWORD_VERIFIER {USERNAME, DEVICE_KEY, SALT, SRP_B, SECRET_BLOCK} + Session
 *   DEVICE_PASSWORD_VERIFIER {USERNAME, DEVICE_KEY, PASSWORD_CLAIM_SECRET_BLOCK,
 *                             PASSWORD_CLAIM_SIGNATURE, TIMESTAMP} -> tokens
 *
 * The exchange is user SRP's (auth_srp_offer, auth_srp_proof) with the DeviceGroupKey as the
 * pool name, the DeviceKey as the user id and the verifier ConfirmDevice stored.
 *
 * A remembered device gets DEVICE_SRP_AUTH also when no MFA applies (I: the facts leave it
 * open and advise it; amazon-cognito-identity-js answers DEVICE_SRP_AUTH after every first
 * factor, and tests/check_ops_device.c pins it). A DEVICE_KEY that is not a device of the
 * user is ResourceNotFoundException "Device does not exist.", on which both Amplify and
 * amazon-cognito-identity-js drop their stored device and sign in again.
 */
#include "config.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "auth/auth_int.h"
#include "aws/ops_common.h"
#include "crypto/secrets.h"
#include "store/store.h"
#include "userpool/device.h"
#include "util/jsonutil.h"

/* The device a->user named as DEVICE_KEY, as need asks: 1 with *d (store_device_free), 0 when
 * the pool tracks no devices or none is named, -1 with ctx->err set (device_find). */
static int named_device(struct auth *a, const char *key, enum device_need need,
                        struct store_device **d)
{
    *d = NULL;
    if (a->user == NULL || key == NULL || !device_tracking(a->pool))
        return 0;
    return device_find(a->ctx, a->pool, a->user, key, need, d) == 0 ? 1 : -1;
}

int auth_device_ask(struct auth *a)
{
    struct store_device *d = NULL;
    char *data = NULL;
    int st = named_device(a, auth_param(a, "DEVICE_KEY"), DEVICE_MINTED, &d);
    cJSON *state = NULL;

    if (st <= 0 || d->verifier == NULL || !d->remembered) {
        store_device_free(d);
        return st < 0 ? -1 : 0;
    }
    /* The session keeps which device was asked; the response must name it again. */
    if ((state = cJSON_CreateObject()) == NULL ||
        json_set_str(state, "DEVICE_KEY", d->device_key) != 0 ||
        (data = cJSON_PrintUnformatted(state)) == NULL)
        st = ops_fail_internal(a->ctx, "out of memory");
    else
        st = auth_answer_challenge_data(a, "DEVICE_SRP_AUTH", cJSON_CreateObject(), data) == 0 ? 1
                                                                                               : -1;
    cJSON_Delete(state);
    free(data);
    store_device_free(d);
    return st;
}

/* The device of a DEVICE_SRP_AUTH / DEVICE_PASSWORD_VERIFIER session s: the one it was asked
 * for, which the response's DEVICE_KEY must name, still remembered. 0 with *d, or -1. */
static int session_device(struct auth *a, const struct store_session *s, struct store_device **d)
{
    cJSON *data = cJSON_Parse(s->data);
    const char *asked = json_str(data, "DEVICE_KEY"), *key = auth_param(a, "DEVICE_KEY");
    int rc;

    *d = NULL;
    if (a->user == NULL || asked == NULL)
        rc = auth_invalid_session(a->ctx);
    else if (key == NULL)
        rc = auth_missing(a->ctx, "DEVICE_KEY");
    else if (strcmp(key, asked) != 0)
        rc = device_not_found(a->ctx);
    else
        rc = named_device(a, key, DEVICE_REMEMBERED, d) == 1 ? 0 : -1;
    if (rc != 0 && a->ctx->err.code == COG_OK)
        rc = device_not_found(a->ctx); /* the pool stopped tracking devices */
    cJSON_Delete(data);
    return rc;
}

/*
 * RespondToAuthChallenge DEVICE_SRP_AUTH: the device's SRP begins, as USER_SRP_AUTH's does, with
 * the client's SRP_A; DEVICE_PASSWORD_VERIFIER follows with the device's salt, B and a secret
 * block, and a Session (unlike PASSWORD_VERIFIER: amazon-cognito-identity-js and Amplify send
 * it back).
 */
int auth_respond_device_srp(struct auth *a, const struct store_session *s)
{
    const char *srp_a = auth_param(a, "SRP_A");
    struct store_device *d = NULL;
    cJSON *data = cJSON_CreateObject(), *params = cJSON_CreateObject();
    char *text = NULL;
    int rc = -1;

    if (session_device(a, s, &d) != 0)
        goto out;
    if (srp_a == NULL) {
        auth_missing(a->ctx, "SRP_A");
        goto out;
    }
    if (data == NULL || params == NULL || json_set_str(params, "USERNAME", a->user->username) ||
        json_set_str(params, "DEVICE_KEY", d->device_key) != 0 ||
        json_set_str(data, "DEVICE_KEY", d->device_key) != 0) {
        ops_fail_internal(a->ctx, "out of memory");
        goto out;
    }
    if (auth_check_srp_a(a, srp_a) != 0 ||
        auth_srp_offer(a, srp_a, d->verifier, d->salt, data, params) != 0)
        goto out;
    if ((text = cJSON_PrintUnformatted(data)) == NULL) {
        ops_fail_internal(a->ctx, "out of memory");
        goto out;
    }
    rc = auth_answer_challenge_data(a, "DEVICE_PASSWORD_VERIFIER", params, text);
    params = NULL;
out:
    if (text != NULL) /* it holds b */
        secrets_wipe(text, strlen(text));
    free(text);
    cJSON_Delete(data);
    cJSON_Delete(params);
    store_device_free(d);
    return rc;
}

/*
 * RespondToAuthChallenge DEVICE_PASSWORD_VERIFIER, first half, outside the transaction (the SRP
 * arithmetic): sets a->proved when the claim proves the device's secret, with the
 * DeviceGroupKey and the DeviceKey as SRP's identities.
 */
int auth_verify_device_password(struct auth *a, const struct store_session *s)
{
    const char *block = auth_param(a, "PASSWORD_CLAIM_SECRET_BLOCK");
    const char *signature = auth_param(a, "PASSWORD_CLAIM_SIGNATURE");
    const char *timestamp = auth_param(a, "TIMESTAMP");
    struct store_device *d = NULL;
    cJSON *data;
    int st;

    if (block == NULL || signature == NULL || timestamp == NULL)
        return auth_missing(a->ctx, block == NULL       ? "PASSWORD_CLAIM_SECRET_BLOCK"
                                    : signature == NULL ? "PASSWORD_CLAIM_SIGNATURE"
                                                        : "TIMESTAMP");
    if (session_device(a, s, &d) != 0)
        return -1;
    if ((data = cJSON_Parse(s->data)) == NULL) {
        store_device_free(d);
        return ops_fail_internal(a->ctx, "unreadable auth session");
    }
    st = auth_srp_proof(a, data, d->verifier, d->group_key, d->device_key, block, signature,
                        timestamp);
    cJSON_Delete(data);
    store_device_free(d);
    if (st < 0)
        return ops_fail_internal(a->ctx, "could not check the device claim");
    a->proved = st == 1;
    return 0;
}

/* Second half, inside the transaction, on fresh reads: a device forgotten since is refused as
 * unknown, a wrong claim as a wrong password (I, as user SRP); a proved one signs in with it. */
int auth_respond_device_password(struct auth *a, const struct store_session *s)
{
    struct store_device *d = NULL;

    if (session_device(a, s, &d) != 0)
        return -1;
    if (!a->proved) {
        store_device_free(d);
        return auth_incorrect_password(a->ctx);
    }
    a->device_key = d->device_key;
    d->device_key = NULL;
    store_device_free(d);
    /* ../shared/lambda-triggers.md: tokens after remembered-device authentication. */
    a->token_source = "TokenGeneration_AuthenticateDevice";
    a->signed_in = true;
    return 0;
}

/* Remember when the device signed in (GetDevice's DeviceLastAuthenticatedDate). The
 * caller's address is not known to the handlers, so last_ip_used stays unset. */
static int note_sign_in(struct auth *a)
{
    if (store_device_note_auth(a->ctx->db, a->device_key, a->ctx->now_ms, NULL) != STORE_OK)
        return ops_fail_internal(a->ctx, "could not record the device's sign-in");
    return 0;
}

/* NewDeviceMetadata of d: a new object, or NULL when out of memory. */
static cJSON *new_device_metadata(const struct store_device *d)
{
    cJSON *m = cJSON_CreateObject();

    if (m != NULL && (json_set_str(m, "DeviceKey", d->device_key) != 0 ||
                      json_set_str(m, "DeviceGroupKey", d->group_key) != 0)) {
        cJSON_Delete(m);
        m = NULL;
    }
    return m;
}

int auth_device_tokens(struct auth *a, bool sign_in, cJSON **metadata)
{
    const char *key =
        a->mint_device ? json_str(a->ctx->in, "DeviceKey") : auth_param(a, "DEVICE_KEY");
    struct store_device *d = NULL;
    int st;

    *metadata = NULL;
    if (a->device_key != NULL) /* DEVICE_PASSWORD_VERIFIER proved it */
        return note_sign_in(a);
    if (a->user == NULL || !device_tracking(a->pool) || (!sign_in && !a->mint_device && !key))
        return 0;
    if (key != NULL)
        st = named_device(a, key, DEVICE_MINTED, &d) == 1 ? 0 : -1;
    else if ((st = device_mint(a->ctx, a->pool, a->user, &d)) == 0 &&
             (*metadata = new_device_metadata(d)) == NULL)
        st = ops_fail_internal(a->ctx, "out of memory");
    if (st == 0) {
        a->device_key = d->device_key;
        d->device_key = NULL;
        if (key != NULL && sign_in)
            st = note_sign_in(a);
    }
    store_device_free(d);
    return st;
}
