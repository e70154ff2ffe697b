/*
 * delivery: where codes and temporary passwords are "sent". The emulator sends nothing: each
 * message is logged at info level (username, medium, destination, kind and code) so that a
 * developer can read it, and recorded in the code inbox (inbox.h) for tests; a custom sender
 * trigger will hook in here.
 */
#ifndef COG_DELIVERY_H
#define COG_DELIVERY_H

#include <cJSON.h>

#include "aws/op.h"

struct delivery {
    const char *pool_id;
    const char *username;
    const char *kind;   /* "sign-up", "forgot-password", "verify-attribute", "invitation", "mfa" */
    const char *medium; /* "EMAIL" or "SMS" */
    const char *attribute;   /* "email" or "phone_number" */
    const char *destination; /* the address or number */
    const char *code;        /* the code or temporary password */
};

/*
 * Deliver d, and when details is not NULL fill it as Cognito's CodeDeliveryDetailsType
 * ({"Destination": masked, "DeliveryMedium", "AttributeName"}). 0, or -1 (out of memory,
 * ctx->err set).
 */
int delivery_send(struct op_ctx *ctx, const struct delivery *d, cJSON *details);

#endif
