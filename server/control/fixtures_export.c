/*
 * fixtures_export: the current state as a fixture document (GET /_emu/export), the inverse of
 * fixtures_apply(). See fixtures.h for the contract and fixtures/README.md for the format.
 *
 * Pools, app clients, domains, resource servers, identity providers, UI customizations,
 * identity pools and users are read from the store (each stored as its Describe or Get
 * operation answers it: domain.h, resource_server.h, identity_provider.h, branding.h); groups,
 * memberships and identity pool roles through their List/Get operations, so this file does not
 * depend on how those are stored. A document's settings are turned back into the members of its
 * Create request (only those the AWS model lists for that request), and a user pool's settings keep
 * only what differs from the pool CreateUserPool makes from an empty request, so an export is
 * as short as the setup that made it.
 *
 * Passwords are not stored anywhere, so they cannot be exported: a user carries its SRP salt
 * and verifier instead ("passwordVerifier"), which the loader writes back, so the same password
 * signs in after a replay (the verifier binds the pool id and username, which the export keeps).
 *
 * No store connection is held while an operation runs (the dispatcher takes its own, and a
 * store may have only one spare).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "control/fixtures.h"
#include "control/fixtures_internal.h"
#include "util/jsonutil.h"
#include "util/log.h"
#include "userpool/pool.h"
#include "store/store.h"

#define PAGE 60

/* One exported user and the username the store knows it by (the export may name it else). */
struct user_entry {
    char *username;
    cJSON *entry;
};

/* Every document of kind (under parent when not NULL) as text. */
struct doc_list {
    char **docs;
    size_t count;
};

static void doc_list_free(struct doc_list *l)
{
    for (size_t i = 0; i < l->count; i++)
        free(l->docs[i]);
    free(l->docs);
    l->docs = NULL;
    l->count = 0;
}

static int read_docs(struct store_conn *conn, enum store_kind kind, const char *parent,
                     struct doc_list *out)
{
    struct store_page page = {0};
    char *token = NULL;

    memset(out, 0, sizeof(*out));
    do {
        int st = store_doc_list(conn, kind, parent, token, PAGE, &page);
        char **grown;

        free(token);
        token = NULL;
        if (st != STORE_OK)
            goto fail;
        grown = realloc(out->docs, (out->count + page.count + 1) * sizeof(*out->docs));
        if (grown == NULL) {
            store_page_free(&page);
            goto fail;
        }
        out->docs = grown;
        for (size_t i = 0; i < page.count; i++) {
            out->docs[out->count++] = page.docs[i]; /* taken from the page */
            page.docs[i] = NULL;
        }
        if (page.next_token != NULL && (token = strdup(page.next_token)) == NULL) {
            store_page_free(&page);
            goto fail;
        }
        store_page_free(&page);
    } while (token != NULL);
    return 0;
fail:
    doc_list_free(out);
    return -1;
}

/* Whether name starts with prefix. */
static bool starts(const char *name, const char *prefix)
{
    return strncmp(name, prefix, strlen(prefix)) == 0;
}

/*
 * CreateUserPool's Schema for the stored SchemaAttributes: custom attributes under their
 * request names (without "custom:" / "dev:custom:"), standard ones only where they differ from
 * the default schema. NULL when nothing is left (or out of memory: *bad set).
 */
static cJSON *export_schema(const cJSON *stored, const cJSON *defaults, int *bad)
{
    cJSON *schema = cJSON_CreateArray();
    const cJSON *e;

    if (schema == NULL) {
        *bad = 1;
        return NULL;
    }
    cJSON_ArrayForEach(e, stored)
    {
        const char *name = json_str(e, "Name");
        const cJSON *def;
        cJSON *copy;

        if (name == NULL)
            continue;
        def = pool_schema_find(defaults, name);
        if (def != NULL && cJSON_Compare(def, e, true))
            continue;
        if ((copy = cJSON_Duplicate(e, 1)) == NULL || !cJSON_AddItemToArray(schema, copy)) {
            cJSON_Delete(copy);
            *bad = 1;
            continue;
        }
        if (starts(name, "dev:custom:"))
            *bad |= json_set_str(copy, "Name", name + strlen("dev:custom:"));
        else if (starts(name, "custom:"))
            *bad |= json_set_str(copy, "Name", name + strlen("custom:"));
    }
    if (cJSON_GetArraySize(schema) == 0) {
        cJSON_Delete(schema);
        return NULL;
    }
    return schema;
}

/* The CreateUserPool members of pool that differ from defaults (a pool made from {}). */
static cJSON *pool_settings(const cJSON *pool, const cJSON *defaults, int *bad)
{
    cJSON *settings = cJSON_CreateObject();
    const cJSON *item;

    if (settings == NULL) {
        *bad = 1;
        return NULL;
    }
    cJSON_ArrayForEach(item, pool)
    {
        const cJSON *def = json_get(defaults, item->string);
        cJSON *copy;

        if (strcmp(item->string, "SchemaAttributes") == 0) {
            cJSON *schema = export_schema(item, json_get(defaults, item->string), bad);
            if (schema != NULL)
                *bad |= json_set_item(settings, "Schema", schema);
            continue;
        }
        if (strcmp(item->string, "PoolName") == 0 ||
            !fixtures_input_member(SVC_IDP, "CreateUserPool", item->string))
            continue;
        if ((copy = cJSON_Duplicate(item, 1)) == NULL) {
            *bad = 1;
            continue;
        }
        /* UnusedAccountValidityDays mirrors TemporaryPasswordValidityDays (in Policies), and
         * CreateUserPool refuses both at once. */
        if (strcmp(item->string, "AdminCreateUserConfig") == 0)
            cJSON_DeleteItemFromObjectCaseSensitive(copy, "UnusedAccountValidityDays");
        if (def != NULL && cJSON_Compare(copy, def, true)) {
            cJSON_Delete(copy);
            continue;
        }
        *bad |= json_set_item(settings, item->string, copy);
    }
    return settings;
}

/* The members of doc that operation's request has, but for the excluded ones (NULL-ended). */
static cJSON *request_members(const cJSON *doc, enum aws_service svc, const char *operation,
                              const char *const *excluded, int *bad)
{
    cJSON *settings = cJSON_CreateObject();
    const cJSON *item;

    if (settings == NULL) {
        *bad = 1;
        return NULL;
    }
    cJSON_ArrayForEach(item, doc)
    {
        bool skip = !fixtures_input_member(svc, operation, item->string);
        for (const char *const *e = excluded; !skip && *e != NULL; e++)
            skip = strcmp(*e, item->string) == 0;
        /* Empty tags are what every identity pool shows; leaving them out changes nothing. */
        if (skip || (strcmp(item->string, "IdentityPoolTags") == 0 && item->child == NULL))
            continue;
        *bad |= json_set_item(settings, item->string, cJSON_Duplicate(item, 1));
    }
    return settings;
}

/* Add settings to entry as "settings" unless empty (taking it). */
static void add_settings(cJSON *entry, cJSON *settings, int *bad)
{
    if (settings != NULL && settings->child == NULL) {
        cJSON_Delete(settings);
        return;
    }
    *bad |= settings == NULL || json_set_item(entry, "settings", settings);
}

static cJSON *export_client(const char *text, int *bad)
{
    static const char *const EXCLUDED[] = {"UserPoolId", "ClientName", "ClientSecret",
                                           "GenerateSecret", NULL};
    cJSON *client = cJSON_Parse(text), *entry = cJSON_CreateObject();

    if (client == NULL || entry == NULL) {
        *bad = 1;
        cJSON_Delete(client);
        cJSON_Delete(entry);
        return NULL;
    }
    *bad |= json_copy_member(entry, client, "ClientId");
    *bad |= json_copy_member(entry, client, "ClientName");
    *bad |= json_copy_member(entry, client, "ClientSecret");
    /* The fixture's own names for the members it sets itself. */
    static const char *const RENAME[][2] = {
        {"ClientId", "id"}, {"ClientName", "name"}, {"ClientSecret", "secret"}};
    for (size_t i = 0; i < sizeof(RENAME) / sizeof(RENAME[0]); i++) {
        cJSON *item = cJSON_DetachItemFromObjectCaseSensitive(entry, RENAME[i][0]);
        if (item != NULL)
            *bad |= json_set_item(entry, RENAME[i][1], item);
    }
    add_settings(entry, request_members(client, SVC_IDP, "CreateUserPoolClient", EXCLUDED, bad),
                 bad);
    cJSON_Delete(client);
    return entry;
}

/*
 * One user. In a pool with UsernameAttributes Cognito generated the username (the sub), and
 * AdminCreateUser takes the email or phone number instead: that is what the export names.
 */
static cJSON *export_user(const struct store_user *u, const cJSON *pool, int *bad)
{
    cJSON *entry = cJSON_CreateObject(), *attrs = cJSON_Parse(u->attributes ? u->attributes : "{}");
    const cJSON *by = json_get(pool, "UsernameAttributes");
    const char *username = u->username;

    if (entry == NULL || attrs == NULL) {
        *bad = 1;
        cJSON_Delete(entry);
        cJSON_Delete(attrs);
        return NULL;
    }
    if (strcmp(u->username, u->sub) == 0 && cJSON_GetArraySize(by) > 0) {
        if (json_list_has(by, "email") && json_str(attrs, "email") != NULL)
            username = json_str(attrs, "email");
        else if (json_list_has(by, "phone_number") && json_str(attrs, "phone_number") != NULL)
            username = json_str(attrs, "phone_number");
    }
    *bad |= json_set_str(entry, "username", username);
    *bad |= json_set_str(entry, "sub", u->sub);
    *bad |= json_set_str(entry, "status", u->status);
    *bad |= json_set_bool(entry, "enabled", u->enabled != 0);
    cJSON_DeleteItemFromObjectCaseSensitive(attrs, "sub");
    *bad |= json_set_item(entry, "attributes", attrs);
    if (u->srp_salt != NULL && u->srp_verifier != NULL) {
        cJSON *v = cJSON_CreateObject();
        *bad |= v == NULL || json_set_str(v, "salt", u->srp_salt) != 0 ||
                json_set_str(v, "verifier", u->srp_verifier) != 0;
        *bad |= json_set_item(entry, "passwordVerifier", v);
    }
    return entry;
}

/* The users of pool_id, each with the username the store knows it by, into *users. */
static int read_users(struct store_conn *conn, const char *pool_id, const cJSON *pool,
                      struct user_entry **users, size_t *n, int *bad)
{
    struct store_user_page page = {0};
    char *token = NULL;

    *users = NULL;
    *n = 0;
    do {
        struct user_entry *grown;
        int st = store_user_list(conn, pool_id, NULL, token, PAGE, &page);

        free(token);
        token = NULL;
        if (st != STORE_OK)
            return -1;
        grown = realloc(*users, (*n + page.count + 1) * sizeof(**users));
        if (grown == NULL) {
            store_user_page_free(&page);
            return -1;
        }
        *users = grown;
        for (size_t i = 0; i < page.count; i++) {
            (*users)[*n].username = strdup(page.users[i]->username);
            (*users)[*n].entry = export_user(page.users[i], pool, bad);
            *bad |= (*users)[*n].username == NULL || (*users)[*n].entry == NULL;
            (*n)++;
        }
        if (page.next_token != NULL && (token = strdup(page.next_token)) == NULL)
            *bad = 1;
        store_user_page_free(&page);
    } while (token != NULL);
    return 0;
}

/* All pages of a List operation: calls fn(item, arg) for each element of list_member. */
static int list_all(const struct app *app, const char *target, cJSON *in, const char *list_member,
                    void (*fn)(const cJSON *item, void *arg), void *arg)
{
    int rc = 0;

    for (;;) {
        struct fx_result r;
        const cJSON *item;
        const char *next;

        fixtures_call(app, NULL, target, in, &r);
        if (r.code != COG_OK) {
            log_error("export: %s: %s", target, r.message);
            rc = -1;
            break;
        }
        cJSON_ArrayForEach(item, json_get(r.out, list_member))
        {
            fn(item, arg);
        }
        next = json_str(r.out, "NextToken");
        if (next == NULL || json_set_str(in, "NextToken", next) != 0) {
            cJSON_Delete(r.out);
            break;
        }
        cJSON_Delete(r.out);
    }
    cJSON_Delete(in);
    return rc;
}

struct group_ctx {
    const struct app *app;
    const char *pool_id;
    cJSON *groups;
    struct user_entry *users;
    size_t nusers;
    const char *group; /* the group whose members are being listed */
    int bad;
};

static void add_member(const cJSON *user, void *arg)
{
    struct group_ctx *g = arg;
    const char *name = json_str(user, "Username");

    for (size_t i = 0; name != NULL && i < g->nusers; i++) {
        if (g->users[i].username == NULL || strcmp(g->users[i].username, name) != 0)
            continue;
        cJSON *list = json_get(g->users[i].entry, "groups");
        if (list == NULL) {
            list = cJSON_CreateArray();
            g->bad |= json_set_item(g->users[i].entry, "groups", list);
        }
        cJSON *s = cJSON_CreateString(g->group);
        if (s == NULL || list == NULL || !cJSON_AddItemToArray(list, s)) {
            cJSON_Delete(s);
            g->bad = 1;
        }
    }
}

static void add_group(const cJSON *group, void *arg)
{
    struct group_ctx *g = arg;
    cJSON *entry = fx_rename(group, FX_GROUP_NAMES, false), *in = cJSON_CreateObject();

    if (entry == NULL || !cJSON_AddItemToArray(g->groups, entry)) {
        cJSON_Delete(entry);
        g->bad = 1;
    }
    g->bad |= in == NULL;
    g->group = json_str(group, "GroupName");
    if (in == NULL || g->group == NULL || json_set_str(in, "UserPoolId", g->pool_id) != 0 ||
        json_set_str(in, "GroupName", g->group) != 0 || json_set_num(in, "Limit", PAGE) != 0) {
        cJSON_Delete(in);
        g->bad = 1;
        return;
    }
    if (list_all(g->app, FX_IDP "ListUsersInGroup", in, "Users", add_member, g) != 0)
        g->bad = 1;
}

/* The pool's groups (and its users' memberships) through ListGroups and ListUsersInGroup. */
static cJSON *export_groups(const struct app *app, const char *pool_id, struct user_entry *users,
                            size_t nusers, int *bad)
{
    struct group_ctx g = {app, pool_id, cJSON_CreateArray(), users, nusers, NULL, 0};
    cJSON *in = cJSON_CreateObject();

    if (!fixtures_implemented(FX_IDP "ListGroups") ||
        !fixtures_implemented(FX_IDP "ListUsersInGroup")) {
        cJSON_Delete(in);
        return g.groups;
    }
    if (g.groups == NULL || in == NULL || json_set_str(in, "UserPoolId", pool_id) != 0 ||
        json_set_num(in, "Limit", PAGE) != 0) {
        cJSON_Delete(in);
        *bad = 1;
        return g.groups;
    }
    if (list_all(app, FX_IDP "ListGroups", in, "Groups", add_group, &g) != 0)
        g.bad = 1;
    *bad |= g.bad;
    return g.groups;
}

/*
 * A stored domain (a DomainDescription) as the fixture writes it: the prefix alone, or an object
 * for a custom domain or a ManagedLoginVersion other than CreateUserPoolDomain's default 1.
 */
static cJSON *export_domain(const cJSON *desc, int *bad)
{
    const char *arn = json_str(json_get(desc, "CustomDomainConfig"), "CertificateArn");
    int64_t version = json_int(desc, "ManagedLoginVersion", 1);
    cJSON *entry;

    if (arn == NULL && version == 1)
        return cJSON_CreateString(json_str_or(desc, "Domain", ""));
    if ((entry = cJSON_CreateObject()) == NULL)
        return NULL;
    *bad |= json_set_str(entry, "domain", json_str_or(desc, "Domain", ""));
    if (arn != NULL)
        *bad |= json_set_str(entry, "certificateArn", arn);
    if (version != 1)
        *bad |= json_set_num(entry, "managedLoginVersion", (double)version);
    return entry;
}

static cJSON *export_resource_server(const cJSON *doc, int *bad)
{
    cJSON *entry = fx_rename(doc, FX_RESOURCE_SERVER_NAMES, false);

    if (entry != NULL && json_get(entry, "scopes") != NULL)
        *bad |= json_set_item(entry, "scopes",
                              fx_rename_each(json_get(doc, "Scopes"), FX_SCOPE_NAMES, false));
    return entry;
}

/* A provider; Describe's every member but the dates, IdpIdentifiers only when there are some. */
static cJSON *export_identity_provider(const cJSON *doc, int *bad)
{
    cJSON *entry = fx_rename(doc, FX_IDENTITY_PROVIDER_NAMES, false);

    (void)bad;
    if (cJSON_GetArraySize(json_get(entry, "idpIdentifiers")) == 0)
        cJSON_DeleteItemFromObjectCaseSensitive(entry, "idpIdentifiers");
    return entry;
}

/* A UI customization; the pool's default ("ALL") is the one without a clientId. */
static cJSON *export_ui(const cJSON *doc, int *bad)
{
    cJSON *entry = fx_rename(doc, FX_UI_NAMES, false);

    (void)bad;
    if (strcmp(json_str_or(entry, "clientId", ""), "ALL") == 0)
        cJSON_DeleteItemFromObjectCaseSensitive(entry, "clientId");
    return entry;
}

/*
 * The documents of docs, each turned into a fixture element by one, as member name of entry;
 * nothing when there are none. With single, one document is written as the element alone.
 */
static void export_each(cJSON *entry, const char *name, const struct doc_list *docs,
                        cJSON *(*one)(const cJSON *doc, int *bad), bool single, int *bad)
{
    cJSON *list = cJSON_CreateArray();

    for (size_t i = 0; list != NULL && i < docs->count; i++) {
        cJSON *doc = cJSON_Parse(docs->docs[i]), *el = doc ? one(doc, bad) : NULL;
        if (el == NULL || !cJSON_AddItemToArray(list, el)) {
            cJSON_Delete(el);
            *bad = 1;
        }
        cJSON_Delete(doc);
    }
    if (list == NULL || docs->count == 0) {
        *bad |= list == NULL;
        cJSON_Delete(list);
        return;
    }
    if (single && docs->count == 1) {
        *bad |= json_set_item(entry, name, cJSON_DetachItemFromArray(list, 0));
        cJSON_Delete(list);
    } else {
        *bad |= json_set_item(entry, name, list);
    }
}

/* The documents of a pool that its fixture element holds, but for users and groups. */
enum pool_docs { CLIENTS, DOMAINS, SERVERS, PROVIDERS, UIS, POOL_DOCS };

static int read_pool_docs(struct store_conn *conn, const char *id, struct doc_list *docs)
{
    static const enum store_kind KINDS[POOL_DOCS] = {STORE_USER_POOL_CLIENT, STORE_USER_POOL_DOMAIN,
                                                     STORE_RESOURCE_SERVER, STORE_IDENTITY_PROVIDER,
                                                     STORE_UI_CUSTOMIZATION};
    int rc = 0;

    for (int i = 0; i < POOL_DOCS; i++)
        if (rc == 0 && read_docs(conn, KINDS[i], id, &docs[i]) != 0)
            rc = -1;
    return rc;
}

/* One user pool with what it holds: domains, resource servers, providers, clients, UI
 * customizations, groups and users, in the order the loader makes them. */
static cJSON *export_pool(const struct app *app, const char *text, const cJSON *defaults, int *bad)
{
    cJSON *pool = cJSON_Parse(text), *entry = cJSON_CreateObject();
    cJSON *clients = cJSON_CreateArray(), *users = cJSON_CreateArray(), *groups;
    const char *id = json_str(pool, "Id");
    struct doc_list docs[POOL_DOCS];
    struct user_entry *list = NULL;
    size_t n = 0;
    int st;

    if (pool == NULL || entry == NULL || clients == NULL || users == NULL || id == NULL) {
        *bad = 1;
        cJSON_Delete(pool);
        cJSON_Delete(entry);
        cJSON_Delete(clients);
        cJSON_Delete(users);
        return NULL;
    }
    *bad |= json_set_str(entry, "id", id);
    *bad |= json_set_str(entry, "name", json_str(pool, "Name") ? json_str(pool, "Name") : "");
    add_settings(entry, pool_settings(pool, defaults, bad), bad);

    memset(docs, 0, sizeof(docs));
    struct store_conn *conn = store_acquire(app->store);
    st = read_pool_docs(conn, id, docs) == 0 && read_users(conn, id, pool, &list, &n, bad) == 0;
    store_release(app->store, conn);
    *bad |= !st;
    export_each(entry, "domain", &docs[DOMAINS], export_domain, true, bad);
    export_each(entry, "resourceServers", &docs[SERVERS], export_resource_server, false, bad);
    export_each(entry, "identityProviders", &docs[PROVIDERS], export_identity_provider, false, bad);
    for (size_t i = 0; i < docs[CLIENTS].count; i++) {
        cJSON *c = export_client(docs[CLIENTS].docs[i], bad);
        if (c != NULL && !cJSON_AddItemToArray(clients, c)) {
            cJSON_Delete(c);
            *bad = 1;
        }
    }
    *bad |= json_set_item(entry, "clients", clients);
    export_each(entry, "uiCustomization", &docs[UIS], export_ui, false, bad);
    for (int i = 0; i < POOL_DOCS; i++)
        doc_list_free(&docs[i]);
    groups = export_groups(app, id, list, n, bad);
    *bad |= json_set_item(entry, "groups", groups);
    for (size_t i = 0; i < n; i++) {
        if (list[i].entry != NULL && !cJSON_AddItemToArray(users, list[i].entry)) {
            cJSON_Delete(list[i].entry);
            *bad = 1;
        }
        free(list[i].username);
    }
    free(list);
    *bad |= json_set_item(entry, "users", users);
    cJSON_Delete(pool);
    return entry;
}

/* One identity pool with its roles (GetIdentityPoolRoles, when this build has it). */
static cJSON *export_identity_pool(const struct app *app, const char *text, int *bad)
{
    static const char *const EXCLUDED[] = {"IdentityPoolName", NULL};
    cJSON *pool = cJSON_Parse(text), *entry = cJSON_CreateObject();
    const char *id = json_str(pool, "IdentityPoolId");

    if (pool == NULL || entry == NULL || id == NULL) {
        *bad = 1;
        cJSON_Delete(pool);
        cJSON_Delete(entry);
        return NULL;
    }
    *bad |= json_set_str(entry, "id", id);
    *bad |=
        json_set_str(entry, "name",
                     json_str(pool, "IdentityPoolName") ? json_str(pool, "IdentityPoolName") : "");
    add_settings(entry, request_members(pool, SVC_IDENTITY, "CreateIdentityPool", EXCLUDED, bad),
                 bad);
    if (fixtures_implemented(FX_IDENTITY "GetIdentityPoolRoles")) {
        cJSON *in = cJSON_CreateObject(), *roles = cJSON_CreateObject();
        struct fx_result r = {.out = NULL};
        const char *const KEYS[] = {"authenticated", "unauthenticated"};

        *bad |= in == NULL || roles == NULL || json_set_str(in, "IdentityPoolId", id) != 0;
        if (in != NULL)
            fixtures_call(app, NULL, FX_IDENTITY "GetIdentityPoolRoles", in, &r);
        for (size_t i = 0; roles != NULL && r.out != NULL && i < 2; i++)
            *bad |= json_copy_member(roles, json_get(r.out, "Roles"), KEYS[i]);
        if (roles != NULL && roles->child != NULL)
            *bad |= json_set_item(entry, "roles", roles);
        else
            cJSON_Delete(roles);
        cJSON_Delete(r.out);
        cJSON_Delete(in);
    }
    cJSON_Delete(pool);
    return entry;
}

cJSON *fixtures_export(const struct app *app)
{
    cJSON *doc = cJSON_CreateObject(), *pools = cJSON_CreateArray(), *ipools = cJSON_CreateArray();
    cJSON *empty = cJSON_CreateObject(), *defaults = NULL;
    struct doc_list pool_docs = {0}, identity_docs = {0};
    struct cog_err err = {COG_OK, ""};
    int bad = doc == NULL || pools == NULL || ipools == NULL || empty == NULL;
    struct store_conn *conn;

    /* What CreateUserPool makes of an empty request: the settings not worth exporting. */
    if (!bad && pool_new(empty, "us-east-1_Defaults", "arn", 0, &defaults, &err) != 0)
        bad = 1;
    if (defaults != NULL)
        cJSON_DeleteItemFromObjectCaseSensitive(json_get(defaults, "AdminCreateUserConfig"),
                                                "UnusedAccountValidityDays");
    conn = store_acquire(app->store);
    if (read_docs(conn, STORE_USER_POOL, NULL, &pool_docs) != 0 ||
        read_docs(conn, STORE_IDENTITY_POOL, NULL, &identity_docs) != 0)
        bad = 1;
    store_release(app->store, conn);
    for (size_t i = 0; !bad && i < pool_docs.count; i++) {
        cJSON *entry = export_pool(app, pool_docs.docs[i], defaults, &bad);
        if (entry != NULL && !cJSON_AddItemToArray(pools, entry)) {
            cJSON_Delete(entry);
            bad = 1;
        }
    }
    for (size_t i = 0; !bad && i < identity_docs.count; i++) {
        cJSON *entry = export_identity_pool(app, identity_docs.docs[i], &bad);
        if (entry != NULL && !cJSON_AddItemToArray(ipools, entry)) {
            cJSON_Delete(entry);
            bad = 1;
        }
    }
    doc_list_free(&pool_docs);
    doc_list_free(&identity_docs);
    cJSON_Delete(empty);
    cJSON_Delete(defaults);
    if (!bad) {
        /* Each json_set_item() takes its item, also on failure. */
        bad |= json_set_num(doc, "version", 1);
        bad |= json_set_item(doc, "userPools", pools);
        bad |= json_set_item(doc, "identityPools", ipools);
    } else {
        cJSON_Delete(pools);
        cJSON_Delete(ipools);
    }
    if (bad) {
        log_error("export: could not read the state (database or memory)");
        cJSON_Delete(doc);
        return NULL;
    }
    return doc;
}
