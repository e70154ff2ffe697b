/*
 * fixtures_internal: what fixtures.c (read, apply), fixtures_check.c (the format, the check,
 * the requests) and fixtures_export.c share, and nothing else sees: JSON paths for errors,
 * the requests a fixture element becomes, calling an operation through the real dispatcher,
 * and asking the AWS model which members an operation's input has.
 */
#ifndef COG_FIXTURES_INTERNAL_H
#define COG_FIXTURES_INTERNAL_H

#include <cJSON.h>
#include <stdbool.h>
#include <stddef.h>

#include "app.h"
#include "aws/errors.h"
#include "control/fixtures.h"
#include "aws/op.h"

#define FX_IDP "AWSCognitoIdentityProviderService."
#define FX_IDENTITY "AWSCognitoIdentityService."

/* ---- JSON paths and errors (fixtures_check.c) ---- */

/* Where in which document a walk is: "$", then ".member" and "[index]" steps. */
struct fx_walk {
    const char *source;
    struct fixtures_error *err;
    char path[sizeof(((struct fixtures_error *)0)->path)];
    size_t len;
};

/* Start at "$" of the document source; errors go to *err. */
void fx_walk_init(struct fx_walk *w, const char *source, struct fixtures_error *err);

/*
 * Step into member key (".key", or "[\"key\"]" for a name that is not plain) or element i
 * ("[i]"). Each returns a mark that fx_walk_back() returns to.
 */
size_t fx_walk_key(struct fx_walk *w, const char *key);
size_t fx_walk_index(struct fx_walk *w, int i);
void fx_walk_back(struct fx_walk *w, size_t mark);

/* Record the problem (printf-style) at the walk's current path in its error. Returns -1. */
int fx_fail(struct fx_walk *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- The format (fixtures_check.c) ---- */

/* Check document doc against the format and its requests against the model (walk at "$"). */
int fx_check_doc(struct fx_walk *w, const cJSON *doc);

/*
 * A fixture element's own member and the request member it stands for (a NULL-ended table).
 * The loader renames one way, the export the other, so both read the same table.
 */
struct fx_name {
    const char *fixture, *aws;
};

extern const struct fx_name FX_GROUP_NAMES[], FX_RESOURCE_SERVER_NAMES[], FX_SCOPE_NAMES[],
    FX_IDENTITY_PROVIDER_NAMES[], FX_UI_NAMES[];

/*
 * A new object with the members of from that names lists, renamed to the request's names
 * (to_aws) or back to the fixture's; other members are left out. NULL when out of memory.
 */
cJSON *fx_rename(const cJSON *from, const struct fx_name *names, bool to_aws);

/* An array of fx_rename() of each object of list, in order. NULL when out of memory. */
cJSON *fx_rename_each(const cJSON *list, const struct fx_name *names, bool to_aws);

/*
 * The request each element becomes: CreateUserPool, CreateUserPoolClient, CreateGroup,
 * AdminCreateUser, CreateUserPoolDomain (a "domain" element: a prefix string or an object),
 * CreateResourceServer, CreateIdentityProvider, SetUICustomization (in pool_id),
 * CreateIdentityPool and SetIdentityPoolRoles (for identity pool id). New objects
 * (cJSON_Delete), NULL when out of memory.
 */
cJSON *fx_pool_request(const cJSON *pool);
cJSON *fx_client_request(const cJSON *client, const char *pool_id);
cJSON *fx_group_request(const cJSON *group, const char *pool_id);
cJSON *fx_domain_request(const cJSON *domain, const char *pool_id);
cJSON *fx_resource_server_request(const cJSON *server, const char *pool_id);
cJSON *fx_identity_provider_request(const cJSON *provider, const char *pool_id);
cJSON *fx_ui_request(const cJSON *ui, const char *pool_id);
cJSON *fx_user_request(const cJSON *user, const char *pool_id);
cJSON *fx_identity_pool_request(const cJSON *identity_pool);
cJSON *fx_roles_request(const cJSON *identity_pool, const char *id);

/* A user element's status, CONFIRMED when it gives none. Borrowed. */
const char *fx_user_status(const cJSON *user);

/* ---- Operations (fixtures.c) and the model (fixtures_check.c) ---- */

/* The answer of one operation called by fixtures_call(). */
struct fx_result {
    enum cog_error code; /* COG_OK on success */
    char message[640];   /* "<__type>: <message>" when code != COG_OK */
    cJSON *out;          /* the response object on success (cJSON_Delete), else NULL */
};

/*
 * Call target ("<prefix>.<Operation>") with request in, through dispatch_request() exactly as
 * a client would; region (may be NULL: the default) is passed as a SigV4 credential scope.
 * Always fills *r.
 */
void fixtures_call(const struct app *app, const char *region, const char *target, const cJSON *in,
                   struct fx_result *r);

/* Whether this build implements target ("<prefix>.<Operation>"). */
bool fixtures_implemented(const char *target);

/* Whether operation's input shape in the model of svc has a member called name. */
bool fixtures_input_member(enum aws_service svc, const char *operation, const char *name);

#endif
