/*
 * fixtures_check: the fixture format (fixtures/README.md) as code: what a document may say,
 * checked member by member with the JSON path of each problem, and the requests its elements
 * become (the same requests fixtures.c then sends, and that the check validates against the AWS
 * model first). See fixtures_internal.h; fixtures.c reads and applies.
 */
#include "config.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control/fixtures.h"
#include "control/fixtures_internal.h"
#include "util/jsonutil.h"
#include "aws/model_tables.h"
#include "aws/params.h"

/* The stand-in ids used to validate the requests of elements without a fixed id. */
#define PLACEHOLDER_POOL_ID "us-east-1_Placeholder0"
#define PLACEHOLDER_IDENTITY_POOL_ID "us-east-1:00000000-0000-0000-0000-000000000000"

/* ---- JSON paths and errors ---------------------------------------------------------------- */

void fx_walk_init(struct fx_walk *w, const char *source, struct fixtures_error *err)
{
    w->source = source;
    w->err = err;
    memcpy(w->path, "$", 2);
    w->len = 1;
}

static size_t walk_append(struct fx_walk *w, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static size_t walk_append(struct fx_walk *w, const char *fmt, ...)
{
    size_t old = w->len;
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(w->path + w->len, sizeof(w->path) - w->len, fmt, ap);
    va_end(ap);
    if (n > 0)
        w->len += (size_t)n < sizeof(w->path) - w->len ? (size_t)n : sizeof(w->path) - 1 - w->len;
    return old;
}

size_t fx_walk_key(struct fx_walk *w, const char *key)
{
    bool plain = key[0] != '\0' && strchr("0123456789", key[0]) == NULL &&
                 strspn(key, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_$") ==
                     strlen(key);

    return plain ? walk_append(w, ".%s", key) : walk_append(w, "[\"%s\"]", key);
}

size_t fx_walk_index(struct fx_walk *w, int i)
{
    return walk_append(w, "[%d]", i);
}

void fx_walk_back(struct fx_walk *w, size_t mark)
{
    w->len = mark;
    w->path[mark] = '\0';
}

int fx_fail(struct fx_walk *w, const char *fmt, ...)
{
    va_list ap;

    snprintf(w->err->source, sizeof(w->err->source), "%s", w->source);
    snprintf(w->err->path, sizeof(w->err->path), "%s", w->path);
    va_start(ap, fmt);
    vsnprintf(w->err->message, sizeof(w->err->message), fmt, ap);
    va_end(ap);
    return -1;
}

void fixtures_error_text(const struct fixtures_error *err, char *out, size_t n)
{
    snprintf(out, n, "%s: %s: %s", err->source, err->path, err->message);
}

/* ---- The model ------------------------------------------------------------------------------ */

/* The fixture loader reads the model's tables, as params.c does: it is an input front end too. */
bool fixtures_input_member(enum aws_service svc, const char *operation, const char *name)
{
    const struct model_service *s = svc == SVC_IDP ? &model_service_idp : &model_service_identity;

    for (size_t i = 0; i < s->operation_count; i++) {
        if (strcmp(s->operations[i].name, operation) != 0)
            continue;
        if (s->operations[i].input < 0)
            return false;
        const struct model_shape *shape = &model_shapes[s->operations[i].input];
        for (size_t m = 0; m < shape->member_count; m++)
            if (strcmp(shape->members[m].name, name) == 0)
                return true;
        return false;
    }
    return false;
}

/* ---- The format --------------------------------------------------------------------------- */

/* T_ANY: a member of several shapes, checked by its own function. */
enum fx_type { T_STRING, T_BOOL, T_INT, T_OBJECT, T_ARRAY, T_ANY };

struct member {
    const char *name;
    enum fx_type type;
    bool required;
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const struct member TOP[] = {
    {"version", T_INT, false},
    {"description", T_STRING, false},
    {"userPools", T_ARRAY, false},
    {"identityPools", T_ARRAY, false},
};
static const struct member POOL[] = {
    {"id", T_STRING, false},
    {"name", T_STRING, true},
    {"settings", T_OBJECT, false},
    {"domain", T_ANY, false},
    {"resourceServers", T_ARRAY, false},
    {"identityProviders", T_ARRAY, false},
    {"clients", T_ARRAY, false},
    {"uiCustomization", T_ARRAY, false},
    {"groups", T_ARRAY, false},
    {"users", T_ARRAY, false},
};
static const struct member DOMAIN[] = {
    {"domain", T_STRING, true},
    {"certificateArn", T_STRING, false},
    {"managedLoginVersion", T_INT, false},
};
static const struct member RESOURCE_SERVER[] = {
    {"identifier", T_STRING, true},
    {"name", T_STRING, true},
    {"scopes", T_ARRAY, false},
};
static const struct member SCOPE[] = {
    {"name", T_STRING, true},
    {"description", T_STRING, true},
};
static const struct member IDENTITY_PROVIDER[] = {
    {"name", T_STRING, true},           {"type", T_STRING, true},
    {"details", T_OBJECT, true},        {"attributeMapping", T_OBJECT, false},
    {"idpIdentifiers", T_ARRAY, false},
};
static const struct member UI[] = {
    {"clientId", T_STRING, false},
    {"css", T_STRING, false},
    {"imageFile", T_STRING, false},
};
static const struct member CLIENT[] = {
    {"id", T_STRING, false},
    {"name", T_STRING, true},
    {"secret", T_STRING, false},
    {"settings", T_OBJECT, false},
};
static const struct member GROUP[] = {
    {"name", T_STRING, true},
    {"description", T_STRING, false},
    {"precedence", T_INT, false},
    {"roleArn", T_STRING, false},
};
static const struct member USER[] = {
    {"username", T_STRING, true},
    {"password", T_STRING, false},
    {"passwordVerifier", T_OBJECT, false},
    {"sub", T_STRING, false},
    {"attributes", T_OBJECT, false},
    {"status", T_STRING, false},
    {"enabled", T_BOOL, false},
    {"groups", T_ARRAY, false},
};
static const struct member VERIFIER[] = {
    {"salt", T_STRING, true},
    {"verifier", T_STRING, true},
};
static const struct member IDENTITY_POOL[] = {
    {"id", T_STRING, false},
    {"name", T_STRING, true},
    {"settings", T_OBJECT, false},
    {"roles", T_OBJECT, false},
};
static const struct member ROLES[] = {
    {"authenticated", T_STRING, false},
    {"unauthenticated", T_STRING, false},
};

/* The statuses a fixture user may have, the first being the default. */
static const char *const STATUSES[] = {"CONFIRMED", "FORCE_CHANGE_PASSWORD", "UNCONFIRMED",
                                       "RESET_REQUIRED"};

/* Request members a fixture sets from its own members, so they may not be in "settings". */
struct reserved {
    const char *member, *instead;
};
static const struct reserved POOL_RESERVED[] = {{"PoolName", "name"}};
static const struct reserved CLIENT_RESERVED[] = {
    {"UserPoolId", "the pool the client is listed in"},
    {"ClientName", "name"},
    {"ClientSecret", "secret"},
};
static const struct reserved IDENTITY_RESERVED[] = {{"IdentityPoolName", "name"}};

static const char *type_name(enum fx_type t)
{
    static const char *const NAMES[] = {"a string",  "true or false", "an integer",
                                        "an object", "an array",      "anything"};
    return NAMES[t];
}

static bool has_type(const cJSON *item, enum fx_type t)
{
    switch (t) {
    case T_STRING:
        return cJSON_IsString(item);
    case T_BOOL:
        return cJSON_IsBool(item);
    case T_INT:
        return cJSON_IsNumber(item) && item->valuedouble == (double)(int64_t)item->valuedouble;
    case T_OBJECT:
        return cJSON_IsObject(item);
    case T_ARRAY:
        return cJSON_IsArray(item);
    case T_ANY:
        return true;
    }
    return false;
}

/* Members whose names start with '_' or '$' are comments (or "$schema"): ignored anywhere. */
static bool is_comment(const char *name)
{
    return name[0] == '_' || name[0] == '$';
}

/*
 * obj's members against spec: each known and of its type, none twice, the required ones there.
 * The walk is at obj.
 */
static int check_members(struct fx_walk *w, const cJSON *obj, const struct member *spec, size_t n)
{
    const cJSON *item;

    cJSON_ArrayForEach(item, obj)
    {
        const struct member *m = NULL;
        size_t mark = fx_walk_key(w, item->string);

        for (const cJSON *prev = obj->child; prev != item; prev = prev->next)
            if (strcmp(prev->string, item->string) == 0)
                return fx_fail(w, "member given twice");
        for (size_t i = 0; i < n && m == NULL; i++)
            if (strcmp(spec[i].name, item->string) == 0)
                m = &spec[i];
        if (m == NULL && !is_comment(item->string)) {
            char names[256];
            size_t len = 0;
            for (size_t i = 0; i < n && len < sizeof(names); i++)
                len += (size_t)snprintf(names + len, sizeof(names) - len, "%s%s", i ? ", " : "",
                                        spec[i].name);
            return fx_fail(w, "unknown member (expected %s; names starting with _ are comments)",
                           names);
        }
        if (m != NULL && !has_type(item, m->type))
            return fx_fail(w, "expected %s", type_name(m->type));
        fx_walk_back(w, mark);
    }
    for (size_t i = 0; i < n; i++)
        if (spec[i].required && json_get(obj, spec[i].name) == NULL)
            return fx_fail(w, "missing member \"%s\"", spec[i].name);
    return 0;
}

/* "settings": members of operation's input other than the reserved ones. Walk at the object. */
static int check_settings(struct fx_walk *w, const cJSON *settings, enum aws_service svc,
                          const char *operation, const struct reserved *reserved, size_t nreserved)
{
    const cJSON *item;

    cJSON_ArrayForEach(item, settings)
    {
        size_t mark = fx_walk_key(w, item->string);

        for (const cJSON *prev = settings->child; prev != item; prev = prev->next)
            if (strcmp(prev->string, item->string) == 0)
                return fx_fail(w, "member given twice");
        for (size_t i = 0; i < nreserved; i++)
            if (strcmp(reserved[i].member, item->string) == 0)
                return fx_fail(w, "set by %s; leave it out of settings", reserved[i].instead);
        if (!is_comment(item->string) && !fixtures_input_member(svc, operation, item->string))
            return fx_fail(w,
                           "%s has no member %s (settings take %s's request members, spelled as "
                           "AWS spells them)",
                           operation, item->string, operation);
        fx_walk_back(w, mark);
    }
    return 0;
}

static bool all_of(const char *s, const char *set)
{
    return strspn(s, set) == strlen(s);
}

#define ALNUM "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
#define HEX "0123456789abcdefABCDEF"

/* A user pool id as the model's pattern [\w-]+_[0-9a-zA-Z]+ (length 1 to 55) has it. */
static bool is_pool_id(const char *s)
{
    const char *us = strrchr(s, '_');
    size_t len = strlen(s);

    if (us == NULL || us == s || us[1] == '\0' || len > 55 || !all_of(us + 1, ALNUM))
        return false;
    for (const char *p = s; p < us; p++)
        if (strchr(ALNUM "_-", *p) == NULL)
            return false;
    return true;
}

/* An identity pool id: [\w-]+:[0-9a-f-]+, length 1 to 55. */
static bool is_identity_pool_id(const char *s)
{
    const char *colon = strchr(s, ':');

    if (colon == NULL || colon == s || colon[1] == '\0' || strlen(s) > 55 ||
        !all_of(colon + 1, "0123456789abcdef-"))
        return false;
    for (const char *p = s; p < colon; p++)
        if (strchr(ALNUM "_-", *p) == NULL)
            return false;
    return true;
}

/* App client ids and secrets: [\w+]+ of at most max characters. */
static bool is_client_token(const char *s, size_t max)
{
    return s[0] != '\0' && strlen(s) <= max && all_of(s, ALNUM "_+");
}

/* A UUID, 8-4-4-4-12 hex digits. */
static bool is_uuid(const char *s)
{
    if (strlen(s) != 36)
        return false;
    for (int i = 0; i < 36; i++)
        if ((i == 8 || i == 13 || i == 18 || i == 23) ? s[i] != '-' : strchr(HEX, s[i]) == NULL)
            return false;
    return true;
}

/* ---- Requests (the same ones in the check and the apply step) ---------------------------- */

/* A copy of the element's settings (or {}) with name set as member. NULL when out of memory. */
static cJSON *request_with(const cJSON *element, const char *member, const char *value)
{
    const cJSON *settings = json_get(element, "settings");
    cJSON *in = settings ? cJSON_Duplicate(settings, 1) : cJSON_CreateObject();
    cJSON *item;

    if (in == NULL)
        return NULL;
    /* Comments are the fixture's, not the operation's. */
    for (item = in->child; item != NULL;) {
        cJSON *next = item->next;
        if (is_comment(item->string))
            cJSON_Delete(cJSON_DetachItemViaPointer(in, item));
        item = next;
    }
    if (member != NULL && json_set_str(in, member, value) != 0) {
        cJSON_Delete(in);
        return NULL;
    }
    return in;
}

cJSON *fx_pool_request(const cJSON *p)
{
    return request_with(p, "PoolName", json_str(p, "name"));
}

cJSON *fx_client_request(const cJSON *c, const char *pool_id)
{
    cJSON *in = request_with(c, "ClientName", json_str(c, "name"));

    if (in != NULL && (json_set_str(in, "UserPoolId", pool_id) != 0 ||
                       (json_str(c, "secret") != NULL &&
                        json_set_str(in, "ClientSecret", json_str(c, "secret")) != 0))) {
        cJSON_Delete(in);
        return NULL;
    }
    return in;
}

/* The fixture's lower camel case names, AWS's names on the wire. */
const struct fx_name FX_GROUP_NAMES[] = {{"name", "GroupName"},
                                         {"description", "Description"},
                                         {"precedence", "Precedence"},
                                         {"roleArn", "RoleArn"},
                                         {NULL, NULL}};
const struct fx_name FX_RESOURCE_SERVER_NAMES[] = {
    {"identifier", "Identifier"}, {"name", "Name"}, {"scopes", "Scopes"}, {NULL, NULL}};
const struct fx_name FX_SCOPE_NAMES[] = {
    {"name", "ScopeName"}, {"description", "ScopeDescription"}, {NULL, NULL}};
const struct fx_name FX_IDENTITY_PROVIDER_NAMES[] = {{"name", "ProviderName"},
                                                     {"type", "ProviderType"},
                                                     {"details", "ProviderDetails"},
                                                     {"attributeMapping", "AttributeMapping"},
                                                     {"idpIdentifiers", "IdpIdentifiers"},
                                                     {NULL, NULL}};
const struct fx_name FX_UI_NAMES[] = {
    {"clientId", "ClientId"}, {"css", "CSS"}, {"imageFile", "ImageFile"}, {NULL, NULL}};
/* A domain object's members but certificateArn, which goes into CustomDomainConfig. */
static const struct fx_name DOMAIN_NAMES[] = {
    {"domain", "Domain"}, {"managedLoginVersion", "ManagedLoginVersion"}, {NULL, NULL}};

cJSON *fx_rename(const cJSON *from, const struct fx_name *names, bool to_aws)
{
    cJSON *out = cJSON_CreateObject();
    int bad = out == NULL;

    for (const struct fx_name *n = names; !bad && n->fixture != NULL; n++) {
        const cJSON *v = json_get(from, to_aws ? n->fixture : n->aws);
        if (v != NULL)
            bad = json_set_item(out, to_aws ? n->aws : n->fixture, cJSON_Duplicate(v, true)) != 0;
    }
    if (bad) {
        cJSON_Delete(out);
        return NULL;
    }
    return out;
}

cJSON *fx_rename_each(const cJSON *list, const struct fx_name *names, bool to_aws)
{
    cJSON *out = cJSON_CreateArray();
    const cJSON *item;
    int bad = out == NULL;

    cJSON_ArrayForEach(item, list)
    {
        cJSON *renamed = bad ? NULL : fx_rename(item, names, to_aws);
        if (renamed == NULL || !cJSON_AddItemToArray(out, renamed)) {
            cJSON_Delete(renamed);
            bad = 1;
        }
    }
    if (bad) {
        cJSON_Delete(out);
        return NULL;
    }
    return out;
}

/* fx_rename() to the request's names, in user pool pool_id. */
static cJSON *renamed_request(const cJSON *element, const struct fx_name *names,
                              const char *pool_id)
{
    cJSON *in = fx_rename(element, names, true);

    if (in != NULL && json_set_str(in, "UserPoolId", pool_id) != 0) {
        cJSON_Delete(in);
        return NULL;
    }
    return in;
}

cJSON *fx_group_request(const cJSON *g, const char *pool_id)
{
    return renamed_request(g, FX_GROUP_NAMES, pool_id);
}

/* A prefix ("myapp"), or {"domain", "certificateArn" (a custom domain), "managedLoginVersion"}. */
cJSON *fx_domain_request(const cJSON *d, const char *pool_id)
{
    const char *arn = json_str(d, "certificateArn");
    cJSON *in, *config;

    if (cJSON_IsString(d)) {
        in = cJSON_CreateObject();
        if (in != NULL && json_set_str(in, "Domain", d->valuestring) != 0) {
            cJSON_Delete(in);
            return NULL;
        }
    } else {
        in = fx_rename(d, DOMAIN_NAMES, true);
    }
    if (in == NULL || json_set_str(in, "UserPoolId", pool_id) != 0 ||
        (arn != NULL && ((config = cJSON_AddObjectToObject(in, "CustomDomainConfig")) == NULL ||
                         json_set_str(config, "CertificateArn", arn) != 0))) {
        cJSON_Delete(in);
        return NULL;
    }
    return in;
}

cJSON *fx_resource_server_request(const cJSON *rs, const char *pool_id)
{
    cJSON *in = renamed_request(rs, FX_RESOURCE_SERVER_NAMES, pool_id);

    if (in != NULL && json_get(in, "Scopes") != NULL &&
        json_set_item(in, "Scopes", fx_rename_each(json_get(rs, "scopes"), FX_SCOPE_NAMES, true)) !=
            0) {
        cJSON_Delete(in);
        return NULL;
    }
    return in;
}

cJSON *fx_identity_provider_request(const cJSON *idp, const char *pool_id)
{
    return renamed_request(idp, FX_IDENTITY_PROVIDER_NAMES, pool_id);
}

cJSON *fx_ui_request(const cJSON *ui, const char *pool_id)
{
    return renamed_request(ui, FX_UI_NAMES, pool_id);
}

/* The user's status, CONFIRMED when not given. */
const char *fx_user_status(const cJSON *u)
{
    const char *s = json_str(u, "status");
    return s ? s : STATUSES[0];
}

/*
 * AdminCreateUser for a fixture user: its attributes, and the password as the temporary one
 * with no invitation. Without a password (and without a verifier, for a FORCE_CHANGE_PASSWORD
 * user) Cognito makes a temporary password and sends the invitation, so it reaches the inbox.
 */
cJSON *fx_user_request(const cJSON *u, const char *pool_id)
{
    cJSON *in = cJSON_CreateObject(), *list = cJSON_CreateArray();
    const cJSON *attr;
    int bad = in == NULL || list == NULL;

    bad = bad || json_set_str(in, "UserPoolId", pool_id) != 0 ||
          json_set_str(in, "Username", json_str(u, "username")) != 0;
    cJSON_ArrayForEach(attr, json_get(u, "attributes"))
    {
        const char *value = cJSON_IsString(attr) ? attr->valuestring
                            : cJSON_IsTrue(attr) ? "true"
                                                 : "false";
        cJSON *pair;

        if (bad || is_comment(attr->string))
            continue;
        pair = cJSON_CreateObject();
        if (pair == NULL || !cJSON_AddItemToArray(list, pair)) {
            cJSON_Delete(pair);
            bad = 1;
            continue;
        }
        bad = json_set_str(pair, "Name", attr->string) != 0 ||
              json_set_str(pair, "Value", value) != 0;
    }
    if (!bad) {
        bad = json_set_item(in, "UserAttributes", list) != 0; /* takes list, also on failure */
        list = NULL;
    }
    if (!bad && json_str(u, "password") != NULL)
        bad = json_set_str(in, "TemporaryPassword", json_str(u, "password")) != 0;
    if (!bad && (json_str(u, "password") != NULL || json_get(u, "passwordVerifier") != NULL))
        bad = json_set_str(in, "MessageAction", "SUPPRESS") != 0;
    if (bad) {
        cJSON_Delete(list);
        cJSON_Delete(in);
        return NULL;
    }
    return in;
}

cJSON *fx_identity_pool_request(const cJSON *ip)
{
    return request_with(ip, "IdentityPoolName", json_str(ip, "name"));
}

cJSON *fx_roles_request(const cJSON *ip, const char *id)
{
    cJSON *in = cJSON_CreateObject(), *roles = cJSON_CreateObject();
    const cJSON *item;
    int bad = in == NULL || roles == NULL || json_set_str(in, "IdentityPoolId", id) != 0;

    cJSON_ArrayForEach(item, json_get(ip, "roles"))
    {
        if (!is_comment(item->string))
            bad = bad || json_set_str(roles, item->string, item->valuestring) != 0;
    }
    if (bad || json_set_item(in, "Roles", roles) != 0) {
        if (bad)
            cJSON_Delete(roles);
        cJSON_Delete(in);
        return NULL;
    }
    return in;
}

/* Validate in (taken) as operation's request, as the dispatcher will. Walk at the element. */
static int check_request(struct fx_walk *w, enum aws_service svc, const char *operation, cJSON *in)
{
    struct cog_err err = {COG_OK, ""};

    if (in == NULL)
        return fx_fail(w, "out of memory");
    if (params_validate(svc, operation, in, &err) != COG_OK) {
        cJSON_Delete(in);
        return fx_fail(w, "%s would refuse it: %s: %s", operation, cog_err_type(err.code),
                       err.message);
    }
    cJSON_Delete(in);
    return 0;
}

/* ---- The check step ------------------------------------------------------------------------ */

/* The names seen so far, for duplicate checks (borrowed from the document). */
struct seen {
    const char **names;
    size_t count, cap;
};

/* Whether name was seen; remembers it otherwise (when out of memory, it goes unnoticed). */
static bool seen_before(struct seen *s, const char *name)
{
    for (size_t i = 0; i < s->count; i++)
        if (strcmp(s->names[i], name) == 0)
            return true;
    if (s->count == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 16;
        const char **grown = realloc(s->names, cap * sizeof(*grown));
        if (grown == NULL)
            return false;
        s->names = grown;
        s->cap = cap;
    }
    s->names[s->count++] = name;
    return false;
}

static void seen_free(struct seen *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(s[i].names);
}

/* An array member's elements must be objects; the walk is at the array. */
static int check_objects(struct fx_walk *w, const cJSON *list)
{
    int i = 0;
    const cJSON *item;

    cJSON_ArrayForEach(item, list)
    {
        size_t mark = fx_walk_index(w, i++);
        if (!cJSON_IsObject(item))
            return fx_fail(w, "expected an object");
        fx_walk_back(w, mark);
    }
    return 0;
}

static int check_client(struct fx_walk *w, const cJSON *c, const char *pool_id, struct seen *ids,
                        struct seen *names)
{
    const char *id = json_str(c, "id"), *secret = json_str(c, "secret");
    size_t mark;

    if (check_members(w, c, CLIENT, N(CLIENT)) != 0)
        return -1;
    mark = fx_walk_key(w, "id");
    if (id != NULL && !is_client_token(id, 128))
        return fx_fail(w, "not an app client id: 1 to 128 letters, digits, _ and +");
    if (id != NULL && seen_before(ids, id))
        return fx_fail(w, "app client id %s is given twice", id);
    fx_walk_back(w, mark);
    mark = fx_walk_key(w, "name");
    if (id == NULL && seen_before(names, json_str(c, "name")))
        return fx_fail(w, "two clients without an id have this name in the pool; give them ids");
    fx_walk_back(w, mark);
    mark = fx_walk_key(w, "secret");
    if (secret != NULL && !is_client_token(secret, 64))
        return fx_fail(w, "not an app client secret: 1 to 64 letters, digits, _ and +");
    fx_walk_back(w, mark);
    if (json_get(c, "settings") != NULL) {
        mark = fx_walk_key(w, "settings");
        if (check_settings(w, json_get(c, "settings"), SVC_IDP, "CreateUserPoolClient",
                           CLIENT_RESERVED, N(CLIENT_RESERVED)) != 0)
            return -1;
        fx_walk_back(w, mark);
    }
    return check_request(w, SVC_IDP, "CreateUserPoolClient", fx_client_request(c, pool_id));
}

static int check_group(struct fx_walk *w, const cJSON *g, const char *pool_id, struct seen *names)
{
    size_t mark;

    if (check_members(w, g, GROUP, N(GROUP)) != 0)
        return -1;
    mark = fx_walk_key(w, "name");
    if (seen_before(names, json_str(g, "name")))
        return fx_fail(w, "group %s is given twice in this pool", json_str(g, "name"));
    fx_walk_back(w, mark);
    return check_request(w, SVC_IDP, "CreateGroup", fx_group_request(g, pool_id));
}

/* Member name of obj (a string) must be hexadecimal digits; the walk is at obj. */
static int check_hex(struct fx_walk *w, const cJSON *obj, const char *name)
{
    const char *v = json_str(obj, name);
    size_t mark = fx_walk_key(w, name);

    if (v[0] == '\0' || !all_of(v, HEX))
        return fx_fail(w, "expected hexadecimal digits");
    fx_walk_back(w, mark);
    return 0;
}

static int check_user(struct fx_walk *w, const cJSON *u, const char *pool_id, struct seen *names)
{
    const char *status = fx_user_status(u), *sub = json_str(u, "sub");
    const cJSON *verifier = json_get(u, "passwordVerifier"), *item;
    bool known = false;
    size_t mark;
    int i = 0;

    if (check_members(w, u, USER, N(USER)) != 0)
        return -1;
    mark = fx_walk_key(w, "username");
    if (seen_before(names, json_str(u, "username")))
        return fx_fail(w, "user %s is given twice in this pool", json_str(u, "username"));
    fx_walk_back(w, mark);
    mark = fx_walk_key(w, "status");
    for (size_t s = 0; s < N(STATUSES); s++)
        known = known || strcmp(STATUSES[s], status) == 0;
    if (!known)
        return fx_fail(w,
                       "unknown status %s (expected CONFIRMED, FORCE_CHANGE_PASSWORD, UNCONFIRMED "
                       "or RESET_REQUIRED)",
                       status);
    fx_walk_back(w, mark);
    mark = fx_walk_key(w, "sub");
    if (sub != NULL && !is_uuid(sub))
        return fx_fail(w, "a sub is a UUID, such as 4f1e3c2a-0b7d-4c55-9a1e-2f6d8b9c0e11");
    fx_walk_back(w, mark);
    if (verifier != NULL) {
        mark = fx_walk_key(w, "passwordVerifier");
        if (check_members(w, verifier, VERIFIER, N(VERIFIER)) != 0 ||
            check_hex(w, verifier, "salt") != 0 || check_hex(w, verifier, "verifier") != 0)
            return -1;
        if (json_get(u, "password") != NULL)
            return fx_fail(w, "give a password or a passwordVerifier, not both");
        fx_walk_back(w, mark);
    } else if (json_get(u, "password") == NULL && strcmp(status, "FORCE_CHANGE_PASSWORD") != 0) {
        return fx_fail(w,
                       "a %s user needs a password (or the passwordVerifier of an export); only "
                       "a FORCE_CHANGE_PASSWORD user may have none (its invitation then carries "
                       "a temporary password, readable in the inbox)",
                       status);
    }
    mark = fx_walk_key(w, "attributes");
    cJSON_ArrayForEach(item, json_get(u, "attributes"))
    {
        size_t inner = fx_walk_key(w, item->string);
        if (is_comment(item->string)) {
            fx_walk_back(w, inner);
            continue;
        }
        if (strcmp(item->string, "sub") == 0)
            return fx_fail(w, "the sub is the user's own member \"sub\", not an attribute");
        if (!cJSON_IsString(item) && !cJSON_IsBool(item))
            return fx_fail(w, "expected a string (attribute values are strings; true and false "
                              "are accepted for the *_verified ones)");
        fx_walk_back(w, inner);
    }
    fx_walk_back(w, mark);
    mark = fx_walk_key(w, "groups");
    cJSON_ArrayForEach(item, json_get(u, "groups"))
    {
        size_t inner = fx_walk_index(w, i++);
        if (!cJSON_IsString(item))
            return fx_fail(w, "expected a group name");
        fx_walk_back(w, inner);
    }
    fx_walk_back(w, mark);
    return check_request(w, SVC_IDP, "AdminCreateUser", fx_user_request(u, pool_id));
}

/* Check the elements of array member name of parent with fn; the walk is at parent. */
#define CHECK_EACH(w, parent, name, call)                                                          \
    do {                                                                                           \
        const cJSON *list_ = json_get(parent, name), *el;                                          \
        size_t mark_ = fx_walk_key(w, name);                                                       \
        int i_ = 0;                                                                                \
        if (check_objects(w, list_) != 0)                                                          \
            return -1;                                                                             \
        cJSON_ArrayForEach(el, list_)                                                              \
        {                                                                                          \
            size_t item_ = fx_walk_index(w, i_++);                                                 \
            if ((call) != 0)                                                                       \
                return -1;                                                                         \
            fx_walk_back(w, item_);                                                                \
        }                                                                                          \
        fx_walk_back(w, mark_);                                                                    \
    } while (0)

/*
 * One element of a pool's "domain": a prefix (a string) or an object, each domain once in the
 * document (domains are unique across pools) and at most one of each kind in the pool
 * (kinds[0] counts prefixes, kinds[1] custom domains). The walk is at the element.
 */
static int check_domain(struct fx_walk *w, const cJSON *d, const char *pool_id,
                        struct seen *domains, int kinds[2])
{
    bool custom = cJSON_IsObject(d) && json_get(d, "certificateArn") != NULL;
    const char *name;

    if (cJSON_IsObject(d) && check_members(w, d, DOMAIN, N(DOMAIN)) != 0)
        return -1;
    if (!cJSON_IsString(d) && !cJSON_IsObject(d))
        return fx_fail(w, "expected a domain prefix (a string) or an object {\"domain\": ..., "
                          "\"certificateArn\": ...}");
    name = cJSON_IsString(d) ? d->valuestring : json_str(d, "domain");
    if (seen_before(domains, name))
        return fx_fail(w, "domain %s is given twice", name);
    if (kinds[custom]++ > 0)
        return fx_fail(w, "a user pool has at most one prefix domain and one custom domain");
    return check_request(w, SVC_IDP, "CreateUserPoolDomain", fx_domain_request(d, pool_id));
}

/* A pool's "domain": one element, or an array of them. The walk is at the pool. */
static int check_domains(struct fx_walk *w, const cJSON *p, const char *pool_id,
                         struct seen *domains)
{
    const cJSON *d = json_get(p, "domain"), *el;
    size_t mark = fx_walk_key(w, "domain");
    int kinds[2] = {0, 0}, i = 0;

    if (d == NULL) {
        fx_walk_back(w, mark);
        return 0;
    }
    if (!cJSON_IsArray(d)) {
        if (check_domain(w, d, pool_id, domains, kinds) != 0)
            return -1;
        fx_walk_back(w, mark);
        return 0;
    }
    cJSON_ArrayForEach(el, d)
    {
        size_t item = fx_walk_index(w, i++);
        if (check_domain(w, el, pool_id, domains, kinds) != 0)
            return -1;
        fx_walk_back(w, item);
    }
    fx_walk_back(w, mark);
    return 0;
}

/* Member key of element (a string, or fallback when absent) must be new in seen. */
static int check_unique(struct fx_walk *w, const cJSON *element, const char *key,
                        const char *fallback, struct seen *seen, const char *noun)
{
    const char *v = json_str_or(element, key, fallback);
    size_t mark = fx_walk_key(w, key);

    if (seen_before(seen, v))
        return fx_fail(w, "%s %s is given twice in this pool", noun, v);
    fx_walk_back(w, mark);
    return 0;
}

static int check_resource_server(struct fx_walk *w, const cJSON *rs, const char *pool_id,
                                 struct seen *identifiers)
{
    const cJSON *scope;
    size_t mark;
    int i = 0;

    if (check_members(w, rs, RESOURCE_SERVER, N(RESOURCE_SERVER)) != 0 ||
        check_unique(w, rs, "identifier", NULL, identifiers, "resource server") != 0)
        return -1;
    mark = fx_walk_key(w, "scopes");
    if (check_objects(w, json_get(rs, "scopes")) != 0)
        return -1;
    cJSON_ArrayForEach(scope, json_get(rs, "scopes"))
    {
        size_t item = fx_walk_index(w, i++);
        if (check_members(w, scope, SCOPE, N(SCOPE)) != 0)
            return -1;
        fx_walk_back(w, item);
    }
    fx_walk_back(w, mark);
    return check_request(w, SVC_IDP, "CreateResourceServer",
                         fx_resource_server_request(rs, pool_id));
}

static int check_identity_provider(struct fx_walk *w, const cJSON *idp, const char *pool_id,
                                   struct seen *names)
{
    if (check_members(w, idp, IDENTITY_PROVIDER, N(IDENTITY_PROVIDER)) != 0 ||
        check_unique(w, idp, "name", NULL, names, "identity provider") != 0)
        return -1;
    return check_request(w, SVC_IDP, "CreateIdentityProvider",
                         fx_identity_provider_request(idp, pool_id));
}

static int check_ui(struct fx_walk *w, const cJSON *ui, const char *pool_id, struct seen *clients)
{
    if (check_members(w, ui, UI, N(UI)) != 0 ||
        check_unique(w, ui, "clientId", "ALL", clients, "the UI customization of client") != 0)
        return -1;
    return check_request(w, SVC_IDP, "SetUICustomization", fx_ui_request(ui, pool_id));
}

/* The lists of names a document's check remembers (struct seen each). */
enum doc_seen { POOL_IDS, POOL_NAMES, CLIENT_IDS, IDENTITY_IDS, IDENTITY_NAMES, DOMAINS, DOC_SEEN };
/* And those of one user pool. */
enum pool_seen { CLIENT_NAMES, GROUPS, USERS, RESOURCE_SERVERS, PROVIDERS, UI_CLIENTS, POOL_SEEN };

/* doc: the document's lists; local: this pool's. */
static int check_pool_in(struct fx_walk *w, const cJSON *p, struct seen *doc, struct seen *local)
{
    struct seen *pool_ids = &doc[POOL_IDS], *pool_names = &doc[POOL_NAMES];
    const char *id = json_str(p, "id"), *pool_id;
    size_t mark;

    if (check_members(w, p, POOL, N(POOL)) != 0)
        return -1;
    mark = fx_walk_key(w, "id");
    if (id != NULL && !is_pool_id(id))
        return fx_fail(w, "not a user pool id: <region>_<letters and digits>, such as "
                          "us-east-1_Example01");
    if (id != NULL && seen_before(pool_ids, id))
        return fx_fail(w, "user pool id %s is given twice", id);
    fx_walk_back(w, mark);
    mark = fx_walk_key(w, "name");
    if (id == NULL && seen_before(pool_names, json_str(p, "name")))
        return fx_fail(w, "two user pools without an id have this name; give them ids");
    fx_walk_back(w, mark);
    if (json_get(p, "settings") != NULL) {
        mark = fx_walk_key(w, "settings");
        if (check_settings(w, json_get(p, "settings"), SVC_IDP, "CreateUserPool", POOL_RESERVED,
                           N(POOL_RESERVED)) != 0)
            return -1;
        fx_walk_back(w, mark);
    }
    if (check_request(w, SVC_IDP, "CreateUserPool", fx_pool_request(p)) != 0)
        return -1;
    pool_id = id ? id : PLACEHOLDER_POOL_ID;
    if (check_domains(w, p, pool_id, &doc[DOMAINS]) != 0)
        return -1;
    CHECK_EACH(w, p, "resourceServers",
               check_resource_server(w, el, pool_id, &local[RESOURCE_SERVERS]));
    CHECK_EACH(w, p, "identityProviders",
               check_identity_provider(w, el, pool_id, &local[PROVIDERS]));
    CHECK_EACH(w, p, "clients",
               check_client(w, el, pool_id, &doc[CLIENT_IDS], &local[CLIENT_NAMES]));
    CHECK_EACH(w, p, "uiCustomization", check_ui(w, el, pool_id, &local[UI_CLIENTS]));
    CHECK_EACH(w, p, "groups", check_group(w, el, pool_id, &local[GROUPS]));
    CHECK_EACH(w, p, "users", check_user(w, el, pool_id, &local[USERS]));
    return 0;
}

static int check_pool(struct fx_walk *w, const cJSON *p, struct seen *doc)
{
    struct seen local[POOL_SEEN];
    int rc;

    memset(local, 0, sizeof(local));
    rc = check_pool_in(w, p, doc, local);
    seen_free(local, POOL_SEEN);
    return rc;
}

static int check_identity_pool(struct fx_walk *w, const cJSON *ip, struct seen *ids,
                               struct seen *names)
{
    const char *id = json_str(ip, "id");
    size_t mark;

    if (check_members(w, ip, IDENTITY_POOL, N(IDENTITY_POOL)) != 0)
        return -1;
    mark = fx_walk_key(w, "id");
    if (id != NULL && !is_identity_pool_id(id))
        return fx_fail(w, "not an identity pool id: <region>:<lower-case UUID>, such as "
                          "us-east-1:3f8a2c1e-5b6d-4e7f-8a9b-0c1d2e3f4a5b");
    if (id != NULL && seen_before(ids, id))
        return fx_fail(w, "identity pool id %s is given twice", id);
    fx_walk_back(w, mark);
    mark = fx_walk_key(w, "name");
    if (id == NULL && seen_before(names, json_str(ip, "name")))
        return fx_fail(w, "two identity pools without an id have this name; give them ids");
    fx_walk_back(w, mark);
    if (json_get(ip, "settings") != NULL) {
        mark = fx_walk_key(w, "settings");
        if (check_settings(w, json_get(ip, "settings"), SVC_IDENTITY, "CreateIdentityPool",
                           IDENTITY_RESERVED, N(IDENTITY_RESERVED)) != 0)
            return -1;
        fx_walk_back(w, mark);
    }
    if (check_request(w, SVC_IDENTITY, "CreateIdentityPool", fx_identity_pool_request(ip)) != 0)
        return -1;
    if (json_get(ip, "roles") != NULL) {
        mark = fx_walk_key(w, "roles");
        if (check_members(w, json_get(ip, "roles"), ROLES, N(ROLES)) != 0)
            return -1;
        fx_walk_back(w, mark);
        return check_request(w, SVC_IDENTITY, "SetIdentityPoolRoles",
                             fx_roles_request(ip, id ? id : PLACEHOLDER_IDENTITY_POOL_ID));
    }
    return 0;
}

/* The lists of a document; s: its lists of names (enum doc_seen). */
static int check_lists(struct fx_walk *w, const cJSON *doc, struct seen *s)
{
    CHECK_EACH(w, doc, "userPools", check_pool(w, el, s));
    CHECK_EACH(w, doc, "identityPools",
               check_identity_pool(w, el, &s[IDENTITY_IDS], &s[IDENTITY_NAMES]));
    return 0;
}

int fx_check_doc(struct fx_walk *w, const cJSON *doc)
{
    const cJSON *version = json_get(doc, "version");
    struct seen *s;
    int rc;

    if (!cJSON_IsObject(doc))
        return fx_fail(w, "a fixture document is a JSON object");
    if (check_members(w, doc, TOP, N(TOP)) != 0)
        return -1;
    if (version != NULL && version->valuedouble != 1) {
        fx_walk_key(w, "version");
        return fx_fail(w, "this build reads version 1");
    }
    if ((s = calloc(DOC_SEEN, sizeof(*s))) == NULL)
        return fx_fail(w, "out of memory");
    rc = check_lists(w, doc, s);
    seen_free(s, DOC_SEEN);
    free(s);
    return rc;
}
