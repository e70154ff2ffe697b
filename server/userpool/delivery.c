/*
 * delivery: where codes and temporary passwords go. See delivery.h.
 *
 * The emulator has no mail or SMS gateway: a message is one info line of the log, which is how
 * a developer reads the code (the issue requires username, medium and destination on it), and
 * a record in the code inbox (inbox.h), which is how a test reads it. The code itself is logged
 * on purpose, as delivery.h says: it is the message, and the emulator's only way of handing it
 * over. A delivery without a code (code NULL) is the simulated one Cognito answers for an
 * unknown user: only the details are made, nothing reaches the inbox, and the log says so. The
 * CodeDeliveryDetails returned to the caller mask the destination as Cognito does.
 */
#include "config.h"

#include "userpool/delivery.h"

#include <stdio.h>
#include <string.h>

#include "util/clock.h"
#include "userpool/inbox.h"
#include "util/jsonutil.h"
#include "util/log.h"

/*
 * Cognito's masking, as seen in real responses: an email keeps the first character of its
 * local part and of its domain, "s***@g***" for an address at gmail.com (SignUp outputs
 * captured with the AWS CLI in 2023-2024; older documentation examples still show the
 * top-level domain, "j***@e***.com"). A phone number keeps its "+" and last four digits,
 * "+********4114" (a captured SignUp output). Anything else keeps its first character.
 */
static void mask(const char *medium, const char *dest, char *out, size_t n)
{
    const char *at = strchr(dest, '@');
    size_t len = strlen(dest), o = 0;

    if (strcmp(medium, "EMAIL") == 0 && at != NULL && at != dest && at[1] != '\0') {
        snprintf(out, n, "%c***@%c***", dest[0], at[1]);
        return;
    }
    if (strcmp(medium, "SMS") == 0 && len > 4) {
        for (size_t i = 0; i < len && o + 1 < n; i++)
            out[o++] = (i == 0 && dest[0] == '+') || i >= len - 4 ? dest[i] : '*';
        out[o] = '\0';
        return;
    }
    snprintf(out, n, "%.1s***", dest);
}

int delivery_send(struct op_ctx *ctx, const struct delivery *d, cJSON *details)
{
    char masked[64];
    const char *dest = d->destination ? d->destination : "";

    /* Hook point: a custom message trigger (CustomMessage_*) and a custom sender trigger will
     * shape and send the message here. The code inbox (inbox.h) keeps every real one. */
    if (d->code != NULL)
        inbox_record(ctx->db, d, clock_now_ms());
    if (d->code == NULL)
        log_info("delivery: none (simulated %s code for unknown user %s of pool %s, "
                 "PreventUserExistenceErrors)",
                 d->kind, d->username, d->pool_id);
    else
        log_info("delivery: %s %s for user %s of pool %s to %s %s (%s): %s", d->kind,
                 strcmp(d->kind, "invitation") == 0 ? "temporary password" : "code", d->username,
                 d->pool_id, d->medium, dest, d->attribute, d->code);
    if (details == NULL)
        return 0;
    mask(d->medium, dest, masked, sizeof(masked));
    if (json_set_str(details, "Destination", masked) != 0 ||
        json_set_str(details, "DeliveryMedium", d->medium) != 0 ||
        json_set_str(details, "AttributeName", d->attribute) != 0)
        return cog_err_set(&ctx->err, COG_E_INTERNAL_ERROR, "Out of memory.");
    return 0;
}
