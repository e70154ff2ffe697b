/*
 * doc_scan: a linear search over a pool's documents of one kind (the contract is in
 * doc_scan.h).
 */
#include "config.h"

#include "userpool/doc_scan.h"

#include <stdlib.h>

/* The first document of page that matches, parsed into *out; STORE_NOT_FOUND when none. */
static int find_in_page(const struct store_page *page, doc_scan_match_fn *match, const void *arg,
                        cJSON **out)
{
    for (size_t i = 0; i < page->count; i++) {
        cJSON *doc = cJSON_Parse(page->docs[i]);

        if (doc == NULL)
            return STORE_ERROR;
        if (match(doc, arg)) {
            *out = doc;
            return STORE_OK;
        }
        cJSON_Delete(doc);
    }
    return STORE_NOT_FOUND;
}

int doc_scan_find(struct store_conn *conn, enum store_kind kind, const char *parent_id,
                  doc_scan_match_fn *match, const void *arg, cJSON **out)
{
    char *token = NULL;
    int st;

    *out = NULL;
    do {
        struct store_page page = {0};

        st = store_doc_list(conn, kind, parent_id, token, 60, &page);
        free(token);
        token = NULL;
        if (st == STORE_OK) {
            st = find_in_page(&page, match, arg, out);
            token = page.next_token;
            page.next_token = NULL;
        }
        store_page_free(&page);
    } while (st == STORE_NOT_FOUND && token != NULL);
    free(token);
    return st;
}
