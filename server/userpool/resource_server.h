/*
 * resource_server: the resource servers of a user pool, which define its custom OAuth 2.0
 * scopes.
 *
 * A resource server is stored as the ResourceServerType document DescribeResourceServer
 * returns ({UserPoolId, Identifier, Name, Scopes[{ScopeName, ScopeDescription}]}; kind
 * STORE_RESOURCE_SERVER, id "<pool id> <Identifier>", parent: its pool). A custom scope is
 * written "<Identifier>/<ScopeName>" in app client settings, authorization requests and the
 * access token's scope claim; identifiers may themselves contain '/' (a URL), scope names
 * never do, so a scope is split at its last '/'. ops_resource_server.c keeps the documents;
 * the app client settings (client.c) and the token endpoint ask the reader below.
 */
#ifndef COG_RESOURCE_SERVER_H
#define COG_RESOURCE_SERVER_H

#include "aws/ops_common.h"
#include "store/store.h"

/* Resource servers as documents of the store, under their pool. */
extern const struct ops_doc_type RESOURCE_SERVER_DOC;

/*
 * Whether user pool pool_id defines the custom scope scope ("<Identifier>/<ScopeName>"): a
 * resource server of that pool with that Identifier lists that ScopeName. Returns 1 when it
 * does, 0 when it does not (no '/', an unknown resource server or scope name, an unknown
 * pool), -1 when the store failed. The standard scopes (openid, email, ...) are not custom
 * scopes: 0 for them.
 */
int resource_server_has_scope(struct store_conn *db, const char *pool_id, const char *scope);

/*
 * The store id of resource server identifier in pool pool_id ("<pool id> <Identifier>") into
 * out (size bytes). Returns 0, or -1 when it does not fit.
 */
int resource_server_key(const char *pool_id, const char *identifier, char *out, size_t size);

#endif
