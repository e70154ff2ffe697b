/*
 * branding: the readers of the hosted pages' branding documents (the contract is in
 * branding.h). A pool has one style per app client at most, so a client's style is found by
 * scanning the pool's styles (doc_scan.h) rather than by an index of its own.
 */
#include "config.h"

#include "userpool/branding.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/jsonutil.h"
#include "store/store.h"
#include "userpool/doc_scan.h"

int ui_customization_image_path(const char *pool_id, const char *client_id, char *buf, size_t n)
{
    int len = snprintf(buf, n, "/_emu/ui-image/%s/%s", pool_id, client_id);

    return len < 0 || (size_t)len >= n ? -1 : 0;
}

/* The document of kind under id and pool_id, parsed into *out. STORE_* status. */
static int get_doc(struct store_conn *conn, enum store_kind kind, const char *id,
                   const char *pool_id, cJSON **out)
{
    char *text = NULL;
    int st = store_doc_get(conn, kind, id, pool_id, &text);

    if (st != STORE_OK)
        return st;
    *out = cJSON_Parse(text);
    free(text);
    return *out != NULL ? STORE_OK : STORE_ERROR;
}

/* The customization stored for client_id (or "ALL") itself. */
static int get_own(struct store_conn *conn, const char *pool_id, const char *client_id, cJSON **out)
{
    char id[256];
    int len = snprintf(id, sizeof(id), "%s %s", pool_id, client_id);

    if (len < 0 || (size_t)len >= sizeof(id))
        return STORE_NOT_FOUND;
    return get_doc(conn, STORE_UI_CUSTOMIZATION, id, pool_id, out);
}

int ui_customization_get(struct store_conn *conn, const char *pool_id, const char *client_id,
                         cJSON **out)
{
    int st = STORE_NOT_FOUND;

    *out = NULL;
    if (client_id != NULL && strcmp(client_id, UI_CUSTOMIZATION_ALL) != 0)
        st = get_own(conn, pool_id, client_id, out);
    if (st == STORE_NOT_FOUND)
        st = get_own(conn, pool_id, UI_CUSTOMIZATION_ALL, out);
    return st;
}

/* doc_scan_match_fn: the style assigned to the client arg. */
static bool for_client(const cJSON *doc, const void *arg)
{
    return strcmp(json_str_or(doc, "ClientId", ""), (const char *)arg) == 0;
}

int managed_login_branding_for_client(struct store_conn *conn, const char *pool_id,
                                      const char *client_id, cJSON **out)
{
    return doc_scan_find(conn, STORE_MANAGED_LOGIN_BRANDING, pool_id, for_client, client_id, out);
}
