/*
 * branding: how a user pool's hosted pages look, as the management operations of
 * ops_branding.c store it, and the readers the pages use.
 *
 * Classic hosted UI (SetUICustomization / GetUICustomization): one setting per app client, and
 * one for the whole pool under the client id "ALL" that applies to every client without its
 * own. Each is a document of kind STORE_UI_CUSTOMIZATION, id "<pool id> <client id or ALL>",
 * parent the pool id, holding the UICustomizationType members UserPoolId, ClientId, CSS,
 * CSSVersion, LastModifiedDate and CreationDate as GetUICustomization returns them, plus
 * "ImageFile": the logo exactly as SetUICustomization received it (base64 text). ImageUrl is
 * not stored: the operations answer it as <public URL> + ui_customization_image_path(), a path
 * the hosted pages serve the decoded ImageFile at.
 *
 * Managed login (Create/Describe/Update/DeleteManagedLoginBranding): one style per app client,
 * a document of kind STORE_MANAGED_LOGIN_BRANDING, id its ManagedLoginBrandingId, parent the
 * pool id, holding the ManagedLoginBrandingType members (ManagedLoginBrandingId, UserPoolId,
 * UseCognitoProvidedValues, Settings when any, Assets, CreationDate, LastModifiedDate) plus
 * "ClientId", the app client it is assigned to (not a member of the AWS type; the operations
 * leave it out of their answers).
 */
#ifndef COG_BRANDING_H
#define COG_BRANDING_H

#include <cJSON.h>
#include <stddef.h>

struct store_conn;

/* The client id of a pool's default classic UI customization. */
#define UI_CUSTOMIZATION_ALL "ALL"

/*
 * The path (no scheme or host) at which the hosted pages serve the logo of the customization
 * of client_id (or "ALL") in pool_id: "/_emu/ui-image/<pool id>/<client id>". Written into buf
 * of size n; returns 0, or -1 when it does not fit.
 */
int ui_customization_image_path(const char *pool_id, const char *client_id, char *buf, size_t n);

/*
 * The classic UI customization that applies to app client client_id of pool pool_id: the
 * client's own, else the pool's default ("ALL"); client_id NULL or "ALL" asks for the pool's
 * default alone. On STORE_OK *out is the stored document (see above; its "ClientId" tells whose
 * it is, and "ImageFile", when present, is the base64 logo), a new object the caller
 * cJSON_Delete()s. STORE_NOT_FOUND when neither exists; STORE_ERROR when the store fails. *out
 * is NULL on every status but STORE_OK. Whether client_id is a client of the pool is not
 * checked.
 */
int ui_customization_get(struct store_conn *conn, const char *pool_id, const char *client_id,
                         cJSON **out);

/*
 * The managed login branding style assigned to app client client_id of pool pool_id, as stored
 * (with "ClientId"). Statuses and ownership as ui_customization_get().
 */
int managed_login_branding_for_client(struct store_conn *conn, const char *pool_id,
                                      const char *client_id, cJSON **out);

#endif
