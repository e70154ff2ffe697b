/*
 * device: what a user's device means in a user pool (../shared/user-auth-passkeys.md section 4):
 * whether the pool tracks devices, the keys a sign-in mints, which devices an operation may
 * see, and the DeviceType that GetDevice and ListDevices show. The store keeps the rows
 * (store_device.c); the device SRP sign-in is auth/auth_device.c's; the ten operations are
 * ops_device.c's.
 */
#ifndef COG_DEVICE_H
#define COG_DEVICE_H

#include <cJSON.h>
#include <stdbool.h>

#include "aws/op.h"
#include "store/store.h"

/* Whether pool tracks devices: its DeviceConfiguration has any member (API reference). */
bool device_tracking(const cJSON *pool);

/* Whether ConfirmDevice leaves a device not remembered until the user says so
 * (DeviceConfiguration.DeviceOnlyRememberedOnUserPrompt, "User opt-in" in the console). */
bool device_user_opt_in(const cJSON *pool);

/* ResourceNotFoundException "Device does not exist.", the text both Amplify and
 * amazon-cognito-identity-js match to drop a stored device and retry. Always -1. */
int device_not_found(struct op_ctx *ctx);

/* What a caller needs of a device to see it. */
enum device_need {
    DEVICE_MINTED,     /* any device of the user, confirmed or not (a sign-in's DEVICE_KEY) */
    DEVICE_CONFIRMED,  /* confirmed by ConfirmDevice: what the operations see */
    DEVICE_REMEMBERED, /* confirmed and remembered: GetDevice by the user, DEVICE_SRP_AUTH */
};

/*
 * The device key of user u in pool, as need asks: 0 with *out (store_device_free); -1 with
 * ctx->err set: device_not_found() for an unknown key, another user's or pool's device, or one
 * that does not meet need; InternalErrorException when the store fails.
 */
int device_find(struct op_ctx *ctx, const cJSON *pool, const struct store_user *u, const char *key,
                enum device_need need, struct store_device **out);

/*
 * Mint a new, unconfirmed device for user u of pool (a sign-in's NewDeviceMetadata): the key
 * "<region>_<uuid>", and the group key of the user's other devices or, for the first one, a
 * new one. 0 with *out (store_device_free), or -1 with InternalErrorException.
 */
int device_mint(struct op_ctx *ctx, const cJSON *pool, const struct store_user *u,
                struct store_device **out);

/* The DeviceType of d, of user u of pool: a new object, or NULL when out of memory. */
cJSON *device_json(const struct op_ctx *ctx, const cJSON *pool, const struct store_user *u,
                   const struct store_device *d);

#endif
