/*
 * resource_server: the resource server document's key and the custom-scope reader (the
 * contract is in resource_server.h).
 */
#include "config.h"

#include "userpool/resource_server.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/jsonutil.h"

/* An unknown resource server: the wording of moto (AWS's was not found); ops_resource_server.c
 * names it by its Identifier, not its store key. */
const struct ops_doc_type RESOURCE_SERVER_DOC = {
    .kind = STORE_RESOURCE_SERVER,
    .noun = "resource server",
    .missing_code = COG_E_RESOURCE_NOT_FOUND,
    .missing = "Resource server %s does not exist.",
    .parent = &OPS_USER_POOL,
};

int resource_server_key(const char *pool_id, const char *identifier, char *out, size_t size)
{
    int n = snprintf(out, size, "%s %s", pool_id ? pool_id : "", identifier ? identifier : "");

    return n >= 0 && (size_t)n < size ? 0 : -1;
}

/* Whether the Scopes of resource server document text list name. */
static int lists_scope(const char *text, const char *name)
{
    cJSON *server = cJSON_Parse(text);
    const cJSON *scope;
    int found = 0;

    if (server == NULL)
        return -1;
    cJSON_ArrayForEach(scope, json_get(server, "Scopes"))
    {
        const char *n = json_str(scope, "ScopeName");
        if (n != NULL && strcmp(n, name) == 0)
            found = 1;
    }
    cJSON_Delete(server);
    return found;
}

int resource_server_has_scope(struct store_conn *db, const char *pool_id, const char *scope)
{
    const char *slash = scope ? strrchr(scope, '/') : NULL;
    char *identifier, key[1024], *text = NULL;
    int st, found;

    if (slash == NULL || slash == scope || slash[1] == '\0')
        return 0;
    if ((identifier = strndup(scope, (size_t)(slash - scope))) == NULL)
        return -1;
    st = resource_server_key(pool_id, identifier, key, sizeof(key));
    free(identifier);
    if (st != 0)
        return 0; /* longer than any Identifier the model allows */
    st = store_doc_get(db, STORE_RESOURCE_SERVER, key, pool_id, &text);
    if (st == STORE_NOT_FOUND)
        return 0;
    if (st != STORE_OK)
        return -1;
    found = lists_scope(text, slash + 1);
    free(text);
    return found;
}
