/*
 * control_branding: the logos of the classic hosted UI customization, where
 * GetUICustomization's ImageUrl points (userpool/branding.h):
 *
 *   GET /_emu/ui-image/<pool id>/<client id or ALL>   the ImageFile SetUICustomization got,
 *                                                     decoded, as image/png or image/jpeg
 *
 * A pool, client or customization without a logo is the control API's 404.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control/control.h"
#include "crypto/secrets.h"
#include "store/store.h"
#include "userpool/branding.h"
#include "util/jsonutil.h"

/* The type of an image by its first bytes: PNG or JPEG (what Cognito accepts), else NULL. */
static const char *image_type(const unsigned char *p, size_t n)
{
    if (n >= 8 && memcmp(p, "\x89PNG\r\n\x1a\n", 8) == 0)
        return "image/png";
    if (n >= 3 && p[0] == 0xff && p[1] == 0xd8 && p[2] == 0xff)
        return "image/jpeg";
    return NULL;
}

/* The customization's own logo of client (or "ALL") in pool: the stored base64 text, or NULL. */
static char *stored_logo(struct store_conn *conn, const char *pool, const char *client)
{
    cJSON *doc = NULL;
    char *image = NULL;

    /* ImageUrl names whose setting it is: the client's own, or the pool's ALL. */
    if (ui_customization_get(conn, pool, client, &doc) == STORE_OK &&
        strcmp(json_str_or(doc, "ClientId", ""), client) == 0 && json_str(doc, "ImageFile"))
        image = strdup(json_str(doc, "ImageFile"));
    cJSON_Delete(doc);
    return image;
}

void control_ui_image(const struct control_req *req, struct http_response *resp)
{
    char pool[128], client[128];
    struct store_conn *conn;
    unsigned char *bytes = NULL;
    char *image = NULL;
    const char *type = NULL;
    size_t len = 0;

    if (sscanf(req->rest, "/%127[^/]/%127[^/]", pool, client) != 2) {
        control_error(resp, 404, "NotFound", "Use /_emu/ui-image/<user pool id>/<client id>.");
        return;
    }
    conn = store_acquire(req->app->store);
    image = stored_logo(conn, pool, client);
    store_release(req->app->store, conn);
    if (image != NULL && (bytes = secrets_base64_decode(image, &len)) != NULL)
        type = image_type(bytes, len);
    if (type == NULL)
        control_error(resp, 404, "NotFound", "No logo is set for client %s of user pool %s.",
                      client, pool);
    else
        http_response_set_body(resp, 200, type, (char *)bytes, len); /* takes bytes */
    if (type == NULL)
        free(bytes);
    free(image);
}
