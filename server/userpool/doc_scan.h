/*
 * doc_scan: find a document of a pool by a member that is not its id (a provider by one of
 * its IdpIdentifiers, a branding style by its app client), by reading the pool's documents of
 * that kind page by page. Meant for kinds of which a pool holds few (hundreds at most).
 */
#ifndef COG_DOC_SCAN_H
#define COG_DOC_SCAN_H

#include <cJSON.h>
#include <stdbool.h>

#include "store/store.h"

/* Whether doc is the one sought; arg is doc_scan_find()'s. */
typedef bool doc_scan_match_fn(const cJSON *doc, const void *arg);

/*
 * The first document of kind under parent_id (oldest first) for which match(doc, arg) is
 * true. On STORE_OK *out is it, parsed, a new object the caller cJSON_Delete()s;
 * STORE_NOT_FOUND when none matches; STORE_ERROR when the store fails or a document does not
 * parse. *out is NULL on every status but STORE_OK.
 */
int doc_scan_find(struct store_conn *conn, enum store_kind kind, const char *parent_id,
                  doc_scan_match_fn *match, const void *arg, cJSON **out);

#endif
