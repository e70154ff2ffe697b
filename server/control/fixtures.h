/*
 * fixtures: declarative seeds. A fixture document (JSON, described in fixtures/README.md)
 * names user pools with their domains, resource servers, identity providers, app clients, UI
 * customizations, groups and users, and identity pools, with fixed ids and secrets where it
 * wants them. The server loads one file, or every *.json of a
 * directory in name order, at start (--fixtures) and again on every reset; the control API
 * can apply a document at run time and export the current state as one.
 *
 * Everything is made through the real operations (dispatch_request(), exactly as a client's
 * CreateUserPool, CreateUserPoolDomain, CreateResourceServer, CreateIdentityProvider,
 * CreateUserPoolClient, SetUICustomization, CreateGroup, AdminCreateUser, AdminAddUserToGroup,
 * CreateIdentityPool and SetIdentityPoolRoles would, in that order: a client may name only
 * providers and scopes that exist, a UI customization needs a domain), so a seeded resource carries
 * the same AWS defaults and passes the same validation as one made by hand. What no operation can
 * express is then adjusted in the store, and only that: a fixed id (store_doc_rekey() on the
 * fresh document), a fixed sub, a user's status, enabled flag and exported password verifier.
 *
 * Loading is idempotent: a pool or client with a fixed id that exists, one without an id whose
 * name exists, a domain, resource server, identity provider, UI customization, group or user
 * that exists, is left as it is (not updated). A document is
 * checked as a whole (JSON syntax, members, types, formats, duplicates) before anything is
 * made; an operation's refusal (a password the pool's policy rejects, say) stops at that
 * element, after the elements before it were made.
 */
#ifndef COG_FIXTURES_H
#define COG_FIXTURES_H

#include <cJSON.h>
#include <stddef.h>

#include "app.h"

/* Where and why a fixture is bad. */
struct fixtures_error {
    char source[512];  /* the file ("request body" for the control API) */
    char path[256];    /* JSON path of the bad element, e.g. $.userPools[0].clients[1].name */
    char message[768]; /* the problem */
};

/* What applying fixtures made (existing resources are counted as kept, not made). */
struct fixtures_stats {
    int files;
    int user_pools, clients, groups, users, identity_pools; /* made */
    int domains, resource_servers, identity_providers, ui_customizations;
    int kept; /* already there, left alone */
};

/* A checked set of fixture documents, in the order they apply. */
struct fixtures;

/*
 * Read and check the fixtures at path: a file, or a directory whose *.json files are read in
 * name order (an empty directory is an empty set). On 0 *out is a new set (fixtures_free());
 * on -1 *out is NULL and *err says which file, where and what.
 */
int fixtures_read(const char *path, struct fixtures **out, struct fixtures_error *err);

/* Check one document given as text (len bytes), naming it source in errors. As fixtures_read. */
int fixtures_parse(const char *text, size_t len, const char *source, struct fixtures **out,
                   struct fixtures_error *err);

/* Number of documents of a set, and the source of the i-th (borrowed). */
size_t fixtures_count(const struct fixtures *f);
const char *fixtures_source(const struct fixtures *f, size_t i);

void fixtures_free(struct fixtures *f);

/*
 * Apply every document of f through app (its settings and store), adding to *stats (may be
 * NULL). 0, or -1 with *err set (what was made before the failing element stays).
 */
int fixtures_apply(const struct app *app, const struct fixtures *f, struct fixtures_stats *stats,
                   struct fixtures_error *err);

/*
 * The current state of app's store as a fixture document that fixtures_apply() turns back into
 * the same state in an empty store: ids, secrets, settings (only the CreateUserPool members that
 * differ from AWS's defaults), domains, resource servers, identity providers, UI customizations,
 * users with their sub, attributes, status, enabled flag, groups and password verifier (the
 * password itself is not kept anywhere), identity pools with their roles.
 * A new object (cJSON_Delete), or NULL on failure (logged).
 */
cJSON *fixtures_export(const struct app *app);

/* "<source>: <path>: <message>" into out (size n). */
void fixtures_error_text(const struct fixtures_error *err, char *out, size_t n);

#endif
