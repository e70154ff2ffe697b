/*
 * domain: the user pool domain document and its readers (the contract is in domain.h).
 */
#include "config.h"

#include "userpool/domain.h"

#include <stdlib.h>
#include <string.h>

#include "util/jsonutil.h"

/* The wording of an unknown domain on Update and DeleteUserPoolDomain: real Cognito's as
 * Terraform users quote it when a domain was removed outside Terraform (recalled from
 * hashicorp/terraform-provider-aws reports, not re-checked against AWS). */
const struct ops_doc_type DOMAIN_DOC = {
    .kind = STORE_USER_POOL_DOMAIN,
    .noun = "user pool domain",
    .missing_code = COG_E_INVALID_PARAMETER,
    .missing = "No such domain or user pool exists.",
    .parent = &OPS_USER_POOL,
};

bool domain_is_custom(const cJSON *desc)
{
    return json_str(json_get(desc, "CustomDomainConfig"), "CertificateArn") != NULL;
}

int domain_of_pool(struct store_conn *db, const char *pool_id, char **prefix, char **custom)
{
    struct store_page page = {0};
    char *found[2] = {NULL, NULL}; /* prefix, custom */
    int st = STORE_OK;

    /* At most one of each kind exists (ops_domain.c), so one small page holds them all. */
    if (store_doc_list(db, STORE_USER_POOL_DOMAIN, pool_id, NULL, 10, &page) != STORE_OK)
        st = STORE_ERROR;
    for (size_t i = 0; i < page.count && st == STORE_OK; i++) {
        cJSON *desc = cJSON_Parse(page.docs[i]);
        const char *name = json_str(desc, "Domain");
        char **slot = &found[domain_is_custom(desc) ? 1 : 0];

        free(*slot);
        *slot = name != NULL ? strdup(name) : NULL;
        if (*slot == NULL)
            st = STORE_ERROR;
        cJSON_Delete(desc);
    }
    store_page_free(&page);
    if (st != STORE_OK) {
        free(found[0]);
        free(found[1]);
        found[0] = found[1] = NULL;
    }
    /* Hand out what the caller asked for and free the rest. */
    if (prefix != NULL)
        *prefix = found[0];
    else
        free(found[0]);
    if (custom != NULL)
        *custom = found[1];
    else
        free(found[1]);
    return st;
}

int domain_pool_id(struct store_conn *db, const char *domain, char **pool_id)
{
    char *text = NULL;
    cJSON *desc;
    const char *id;
    int st;

    *pool_id = NULL;
    if (domain == NULL)
        return STORE_NOT_FOUND;
    st = store_doc_get(db, STORE_USER_POOL_DOMAIN, domain, NULL, &text);
    if (st != STORE_OK)
        return st;
    desc = cJSON_Parse(text);
    free(text);
    id = json_str(desc, "UserPoolId");
    if (id != NULL)
        *pool_id = strdup(id);
    cJSON_Delete(desc);
    return *pool_id != NULL ? STORE_OK : STORE_ERROR;
}
