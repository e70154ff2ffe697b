/*
 * fixtures: reading and applying fixture documents. See fixtures.h for the contract and
 * fixtures/README.md for the format; fixtures_export.c writes the same format.
 *
 * Three steps, each over the whole set before the next:
 *   read   every file into a cJSON document, with the line and column of a syntax error;
 *   check  each document against the format (members, types, formats, duplicates), and each
 *          request it will make against the AWS model (params_validate(), the validation the
 *          operation itself runs), so that a bad fixture is refused before anything is made:
 *          fixtures_check.c;
 *   apply  each element through its real operation, then fix in the store what the operation
 *          cannot (ids, sub, status, enabled, password verifier).
 * Errors name the file, the JSON path of the element ("$.userPools[0].clients[1].name") and
 * the problem, in a struct fixtures_error.
 */
#include "config.h"

#include "control/fixtures.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util/clock.h"
#include "dispatch.h"
#include "control/fixtures_internal.h"
#include "util/ids.h"
#include "util/jsonutil.h"
#include "util/log.h"
#include "crypto/srp.h"
#include "store/store.h"
#include "userpool/user.h"

/* A fixture file larger than this is refused (it would be a mistake, not a seed). */
#define MAX_FILE_BYTES (64L * 1024 * 1024)
#define PAGE 60

struct fx_doc {
    char *source;
    cJSON *doc;
};

struct fixtures {
    size_t count;
    struct fx_doc *docs;
};

/* ---- Operations ------------------------------------------------------------------------- */

void fixtures_call(const struct app *app, const char *region, const char *target, const cJSON *in,
                   struct fx_result *r)
{
    struct dispatch_result res;
    char auth[192];
    char *body = cJSON_PrintUnformatted(in);

    memset(r, 0, sizeof(*r));
    if (body == NULL) {
        r->code = COG_E_INTERNAL_ERROR;
        snprintf(r->message, sizeof(r->message), "InternalErrorException: out of memory");
        return;
    }
    /* Only the credential scope is read: it carries the region, as a signed request's does. */
    snprintf(auth, sizeof(auth),
             "AWS4-HMAC-SHA256 Credential=fixtures/20000101/%s/cognito-idp/aws4_request",
             region ? region : "");
    dispatch_request(app, target, region ? auth : NULL, body, strlen(body), &res);
    free(body);
    r->code = res.code;
    if (res.code != COG_OK)
        snprintf(r->message, sizeof(r->message), "%s: %s", cog_err_type(res.code), res.message);
    else if ((r->out = cJSON_Parse(res.body ? res.body : "{}")) == NULL) {
        r->code = COG_E_INTERNAL_ERROR;
        snprintf(r->message, sizeof(r->message), "InternalErrorException: unreadable answer");
    }
    dispatch_result_free(&res);
}

bool fixtures_implemented(const char *target)
{
    for (size_t i = 0; i < dispatch_target_count(); i++)
        if (strcmp(dispatch_target_name(i), target) == 0)
            return true;
    return false;
}

/*
 * The region an id starts with, into out: before the ':' of an identity pool id, before the
 * last '_' of a user pool id ("us-east-1" of "us-east-1_Example01"). NULL (out unchanged)
 * when id is NULL or does not start with something shaped like a region.
 */
static const char *id_region(const char *id, char *out, size_t n)
{
    const char *sep = id ? strchr(id, ':') : NULL;
    size_t len;

    if (id != NULL && sep == NULL)
        sep = strrchr(id, '_');
    if (sep == NULL || (len = (size_t)(sep - id)) == 0 || len >= n)
        return NULL;
    memcpy(out, id, len);
    out[len] = '\0';
    return strspn(out, "abcdefghijklmnopqrstuvwxyz0123456789-") == len ? out : NULL;
}

/* ---- The read step ------------------------------------------------------------------------ */

static void line_column(const char *text, const char *at, int *line, int *column)
{
    *line = 1;
    *column = 1;
    for (const char *p = text; p < at; p++) {
        if (*p == '\n') {
            (*line)++;
            *column = 1;
        } else {
            (*column)++;
        }
    }
}

/* Parse and check one document, appending it to f. */
static int add_doc(struct fixtures *f, const char *source, const char *text, size_t len,
                   struct fixtures_error *err)
{
    struct fx_walk w;
    const char *end = NULL;
    struct fx_doc *grown;
    cJSON *doc;
    int line, column;

    fx_walk_init(&w, source, err);
    doc = cJSON_ParseWithLengthOpts(text, len, &end, 0);
    if (doc == NULL) {
        line_column(text, end && end >= text && end <= text + len ? end : text, &line, &column);
        return fx_fail(&w, "not valid JSON (line %d, column %d)", line, column);
    }
    while (end != NULL && (size_t)(end - text) < len && strchr(" \t\r\n", *end) != NULL)
        end++;
    if (end == NULL || (size_t)(end - text) != len) {
        line_column(text, end ? end : text, &line, &column);
        cJSON_Delete(doc);
        return fx_fail(&w, "data after the JSON document (line %d, column %d)", line, column);
    }
    if (fx_check_doc(&w, doc) != 0) {
        cJSON_Delete(doc);
        return -1;
    }
    if ((grown = realloc(f->docs, (f->count + 1) * sizeof(*f->docs))) == NULL) {
        cJSON_Delete(doc);
        return fx_fail(&w, "out of memory");
    }
    f->docs = grown;
    if ((f->docs[f->count].source = strdup(source)) == NULL) {
        cJSON_Delete(doc);
        return fx_fail(&w, "out of memory");
    }
    f->docs[f->count++].doc = doc;
    return 0;
}

/* Read the file at path and add it. */
static int add_file(struct fixtures *f, const char *path, struct fixtures_error *err)
{
    struct fx_walk w;
    FILE *fp = fopen(path, "rb");
    char *text = NULL;
    size_t len = 0, cap = 0;
    int rc;

    fx_walk_init(&w, path, err);
    if (fp == NULL)
        return fx_fail(&w, "cannot read it: %s", strerror(errno));
    for (;;) {
        if (len + 4096 + 1 > cap) {
            char *grown = (long)cap > MAX_FILE_BYTES ? NULL : realloc(text, cap = cap * 2 + 8192);
            if (grown == NULL) {
                free(text);
                fclose(fp);
                return fx_fail(&w, "too large, or out of memory");
            }
            text = grown;
        }
        size_t n = fread(text + len, 1, cap - len - 1, fp);
        len += n;
        if (n == 0)
            break;
    }
    rc = ferror(fp) ? fx_fail(&w, "cannot read it: %s", strerror(errno)) : 0;
    fclose(fp);
    text[len] = '\0';
    if (rc == 0)
        rc = add_doc(f, path, text, len, err);
    free(text);
    return rc;
}

static int is_json_name(const struct dirent *e)
{
    size_t len = strlen(e->d_name);
    return e->d_name[0] != '.' && len > 5 && strcmp(e->d_name + len - 5, ".json") == 0;
}

int fixtures_read(const char *path, struct fixtures **out, struct fixtures_error *err)
{
    struct fixtures *f = calloc(1, sizeof(*f));
    struct dirent **names = NULL;
    struct stat sb;
    struct fx_walk w;
    int n, rc = 0;

    *out = NULL;
    fx_walk_init(&w, path, err);
    if (f == NULL)
        return fx_fail(&w, "out of memory");
    if (stat(path, &sb) != 0) {
        free(f);
        return fx_fail(&w, "cannot read it: %s", strerror(errno));
    }
    if (!S_ISDIR(sb.st_mode)) {
        rc = add_file(f, path, err);
    } else if ((n = scandir(path, &names, is_json_name, alphasort)) < 0) {
        rc = fx_fail(&w, "cannot list the directory: %s", strerror(errno));
    } else {
        for (int i = 0; i < n; i++) {
            char file[4096];
            snprintf(file, sizeof(file), "%s%s%s", path, path[strlen(path) - 1] == '/' ? "" : "/",
                     names[i]->d_name);
            if (rc == 0)
                rc = add_file(f, file, err);
            free(names[i]);
        }
        free(names);
    }
    if (rc != 0) {
        fixtures_free(f);
        return -1;
    }
    *out = f;
    return 0;
}

int fixtures_parse(const char *text, size_t len, const char *source, struct fixtures **out,
                   struct fixtures_error *err)
{
    struct fixtures *f = calloc(1, sizeof(*f));
    struct fx_walk w;

    *out = NULL;
    fx_walk_init(&w, source, err);
    if (f == NULL)
        return fx_fail(&w, "out of memory");
    if (add_doc(f, source, text, len, err) != 0) {
        fixtures_free(f);
        return -1;
    }
    *out = f;
    return 0;
}

size_t fixtures_count(const struct fixtures *f)
{
    return f ? f->count : 0;
}

const char *fixtures_source(const struct fixtures *f, size_t i)
{
    return f && i < f->count ? f->docs[i].source : NULL;
}

void fixtures_free(struct fixtures *f)
{
    if (f == NULL)
        return;
    for (size_t i = 0; i < f->count; i++) {
        free(f->docs[i].source);
        cJSON_Delete(f->docs[i].doc);
    }
    free(f->docs);
    free(f);
}

/* String member name of obj (the answer of an operation) into out; "" when it has none. */
static void copy_str(char *out, size_t n, const cJSON *obj, const char *name)
{
    const char *v = json_str(obj, name);

    snprintf(out, n, "%s", v ? v : "");
}

/* ---- The apply step ----------------------------------------------------------------------- */

struct applier {
    const struct app *app;
    struct fx_walk w;
    struct fixtures_stats *stats;
};

/* Call an operation; on failure record "<Operation> failed: <__type>: <message>" at the walk. */
static int call(struct applier *a, const char *region, const char *target, cJSON *in,
                struct fx_result *r)
{
    if (in == NULL) {
        memset(r, 0, sizeof(*r));
        return fx_fail(&a->w, "out of memory");
    }
    fixtures_call(a->app, region, target, in, r);
    cJSON_Delete(in);
    if (r->code != COG_OK)
        return fx_fail(&a->w, "%s failed: %s", strchr(target, '.') + 1, r->message);
    return 0;
}

/* Document id of kind, parsed, into *doc (may be NULL). A STORE_* status; *doc NULL unless OK. */
static int load_doc(struct applier *a, enum store_kind kind, const char *id, cJSON **doc)
{
    struct store_conn *conn = store_acquire(a->app->store);
    char *text = NULL;
    int st = store_doc_get(conn, kind, id, NULL, &text);

    store_release(a->app->store, conn);
    if (doc != NULL)
        *doc = NULL;
    if (st == STORE_OK && doc != NULL && (*doc = cJSON_Parse(text)) == NULL)
        st = STORE_ERROR;
    free(text);
    if (st == STORE_ERROR)
        fx_fail(&a->w, "could not read the database");
    return st;
}

/*
 * The id (member id_member) of the first document of kind under parent whose member
 * name_member is name, into out. 1 found, 0 none, -1 on a store failure (recorded).
 */
static int find_by_name(struct applier *a, enum store_kind kind, const char *parent,
                        const char *name_member, const char *name, const char *id_member, char *out,
                        size_t n)
{
    struct store_conn *conn = store_acquire(a->app->store);
    struct store_page page = {0};
    char *token = NULL;
    int found = 0;

    do {
        int st = store_doc_list(conn, kind, parent, token, PAGE, &page);
        free(token);
        token = NULL;
        if (st != STORE_OK) {
            found = -1;
            break;
        }
        for (size_t i = 0; i < page.count && !found; i++) {
            cJSON *doc = cJSON_Parse(page.docs[i]);
            const char *v = json_str(doc, name_member), *id = json_str(doc, id_member);
            if (v != NULL && id != NULL && strcmp(v, name) == 0) {
                snprintf(out, n, "%s", id);
                found = 1;
            }
            cJSON_Delete(doc);
        }
        if (!found && page.next_token != NULL && (token = strdup(page.next_token)) == NULL)
            found = -1;
        store_page_free(&page);
    } while (!found && token != NULL);
    free(token);
    store_release(a->app->store, conn);
    if (found < 0)
        fx_fail(&a->w, "could not read the database");
    return found;
}

/*
 * Give the document a real operation just made (old_id) the fixture's id: its id member, and
 * for a user pool the ARN, which ends with the id.
 */
static int rekey(struct applier *a, enum store_kind kind, const char *old_id, const char *new_id,
                 const char *id_member)
{
    cJSON *doc = NULL;
    char *text = NULL;
    const char *arn;
    int st;

    if ((st = load_doc(a, kind, old_id, &doc)) != STORE_OK)
        return st == STORE_ERROR ? -1 : fx_fail(&a->w, "the new resource is gone");
    st = json_set_str(doc, id_member, new_id) == 0 ? STORE_OK : STORE_ERROR;
    arn = json_str(doc, "Arn");
    if (st == STORE_OK && arn != NULL && strlen(arn) > strlen(old_id) &&
        strcmp(arn + strlen(arn) - strlen(old_id), old_id) == 0) {
        char fixed[512];
        snprintf(fixed, sizeof(fixed), "%.*s%s", (int)(strlen(arn) - strlen(old_id)), arn, new_id);
        st = json_set_str(doc, "Arn", fixed) == 0 ? STORE_OK : STORE_ERROR;
    }
    if (st == STORE_OK && (text = cJSON_PrintUnformatted(doc)) != NULL) {
        struct store_conn *conn = store_acquire(a->app->store);
        st = store_doc_rekey(conn, kind, old_id, new_id, text);
        store_release(a->app->store, conn);
    } else {
        st = STORE_ERROR;
    }
    free(text);
    cJSON_Delete(doc);
    if (st == STORE_EXISTS)
        return fx_fail(&a->w, "the id %s is taken", new_id);
    return st == STORE_OK ? 0 : fx_fail(&a->w, "could not give the new resource the id %s", new_id);
}

static int apply_client(struct applier *a, const cJSON *c, const char *pool_id)
{
    const char *id = json_str(c, "id");
    char found[160];
    struct fx_result r;
    cJSON *doc = NULL;
    int st;

    if (id != NULL) {
        if ((st = load_doc(a, STORE_USER_POOL_CLIENT, id, &doc)) == STORE_ERROR)
            return -1;
        if (st == STORE_OK) {
            const char *owner = json_str(doc, "UserPoolId");
            int rc = owner && strcmp(owner, pool_id) == 0
                         ? 0
                         : fx_fail(&a->w, "app client id %s is a client of user pool %s", id,
                                   owner ? owner : "?");
            cJSON_Delete(doc);
            a->stats->kept += rc == 0;
            return rc;
        }
    } else {
        int hit = find_by_name(a, STORE_USER_POOL_CLIENT, pool_id, "ClientName",
                               json_str(c, "name"), "ClientId", found, sizeof(found));
        if (hit != 0) {
            a->stats->kept += hit > 0;
            return hit > 0 ? 0 : -1;
        }
    }
    if (call(a, NULL, FX_IDP "CreateUserPoolClient", fx_client_request(c, pool_id), &r) != 0)
        return -1;
    copy_str(found, sizeof(found), json_get(r.out, "UserPoolClient"), "ClientId");
    cJSON_Delete(r.out);
    if (id != NULL && rekey(a, STORE_USER_POOL_CLIENT, found, id, "ClientId") != 0)
        return -1;
    a->stats->clients++;
    return 0;
}

/*
 * How a resource of a pool that its Create operation makes is found again: the operation that
 * reads it, the members of the Create request that name it, and, when the reader answers for
 * a resource that does not exist too, how to tell (1 found, 0 absent, -1 recorded failure).
 * Without one, found is the reader's success and absent its ResourceNotFoundException.
 */
struct lookup {
    const char *get, *create;
    const char *const *keys;
    int (*found)(struct applier *a, const cJSON *answer, const cJSON *in);
};

/* DescribeUserPoolDomain answers an empty description for an unknown domain. */
static int domain_found(struct applier *a, const cJSON *answer, const cJSON *in)
{
    const char *owner = json_str(json_get(answer, "DomainDescription"), "UserPoolId");
    const char *pool_id = json_str(in, "UserPoolId");

    if (owner == NULL)
        return 0;
    if (strcmp(owner, pool_id) == 0)
        return 1;
    return fx_fail(&a->w, "domain %s is user pool %s's", json_str(in, "Domain"), owner);
}

/* GetUICustomization answers the pool's default for a client without its own, and a bare
 * object (without a CreationDate) when there is none. */
static int ui_found(struct applier *a, const cJSON *answer, const cJSON *in)
{
    const cJSON *ui = json_get(answer, "UICustomization");

    (void)a;
    return json_get(ui, "CreationDate") != NULL &&
           strcmp(json_str_or(ui, "ClientId", ""), json_str_or(in, "ClientId", "ALL")) == 0;
}

static const char *const GROUP_KEYS[] = {"UserPoolId", "GroupName", NULL};
static const char *const DOMAIN_KEYS[] = {"Domain", NULL};
static const char *const SERVER_KEYS[] = {"UserPoolId", "Identifier", NULL};
static const char *const PROVIDER_KEYS[] = {"UserPoolId", "ProviderName", NULL};
static const char *const UI_KEYS[] = {"UserPoolId", "ClientId", NULL};

static const struct lookup GROUP = {FX_IDP "GetGroup", FX_IDP "CreateGroup", GROUP_KEYS, NULL};
static const struct lookup DOMAIN = {FX_IDP "DescribeUserPoolDomain", FX_IDP "CreateUserPoolDomain",
                                     DOMAIN_KEYS, domain_found};
static const struct lookup SERVER = {FX_IDP "DescribeResourceServer", FX_IDP "CreateResourceServer",
                                     SERVER_KEYS, NULL};
static const struct lookup PROVIDER = {FX_IDP "DescribeIdentityProvider",
                                       FX_IDP "CreateIdentityProvider", PROVIDER_KEYS, NULL};
static const struct lookup UI = {FX_IDP "GetUICustomization", FX_IDP "SetUICustomization", UI_KEYS,
                                 ui_found};

/*
 * Make the resource that the Create request in (taken) describes, unless l finds it: then it
 * is kept. *made counts what was made.
 */
static int ensure(struct applier *a, const struct lookup *l, cJSON *in, int *made)
{
    cJSON *get = cJSON_CreateObject();
    struct fx_result r;
    int found, bad = in == NULL || get == NULL;

    for (const char *const *k = l->keys; !bad && *k != NULL; k++)
        bad = json_copy_member(get, in, *k) != 0;
    if (bad) {
        cJSON_Delete(in);
        cJSON_Delete(get);
        return fx_fail(&a->w, "out of memory");
    }
    fixtures_call(a->app, NULL, l->get, get, &r);
    cJSON_Delete(get);
    if (r.code == COG_OK)
        found = l->found ? l->found(a, r.out, in) : 1;
    else if (r.code == COG_E_RESOURCE_NOT_FOUND)
        found = 0;
    else
        found = fx_fail(&a->w, "%s failed: %s", strchr(l->get, '.') + 1, r.message);
    cJSON_Delete(r.out);
    if (found != 0) {
        cJSON_Delete(in);
        a->stats->kept += found > 0;
        return found > 0 ? 0 : -1;
    }
    if (call(a, NULL, l->create, in, &r) != 0)
        return -1;
    cJSON_Delete(r.out);
    (*made)++;
    return 0;
}

/* A pool's "domain": one element (a prefix or an object), or an array of them. */
static int apply_domains(struct applier *a, const cJSON *p, const char *pool_id)
{
    const cJSON *d = json_get(p, "domain"), *list = cJSON_IsArray(d) ? d : NULL, *el;
    size_t mark = fx_walk_key(&a->w, "domain");
    int i = 0;

    if (d != NULL && list == NULL &&
        ensure(a, &DOMAIN, fx_domain_request(d, pool_id), &a->stats->domains) != 0)
        return -1;
    cJSON_ArrayForEach(el, list)
    {
        size_t item = fx_walk_index(&a->w, i++);
        if (ensure(a, &DOMAIN, fx_domain_request(el, pool_id), &a->stats->domains) != 0)
            return -1;
        fx_walk_back(&a->w, item);
    }
    fx_walk_back(&a->w, mark);
    return 0;
}

/* Copy of s, or NULL (then *bad is set). */
static char *dup_or_flag(const char *s, int *bad)
{
    char *copy = s ? strdup(s) : NULL;
    if (s != NULL && copy == NULL)
        *bad = 1;
    return copy;
}

/*
 * What AdminCreateUser cannot say: the status, the enabled flag, a fixed sub (and, in a pool
 * whose usernames are generated, the username that is the sub), an exported password verifier.
 * created is the username AdminCreateUser gave the user; *final (size n) receives the username
 * the user ends up with.
 */
static int adjust_user(struct applier *a, const cJSON *u, const char *pool_id, const char *created,
                       char *final, size_t n)
{
    const char *sub = json_str(u, "sub"), *password = json_str(u, "password");
    const cJSON *verifier = json_get(u, "passwordVerifier");
    struct store_conn *conn = NULL;
    struct store_user *su = NULL;
    cJSON *pool = NULL;
    char *key = NULL, *new_key = NULL;
    int st, bad = 0, rc = -1;

    snprintf(final, n, "%s", created);
    if ((st = load_doc(a, STORE_USER_POOL, pool_id, &pool)) != STORE_OK)
        return st == STORE_ERROR ? -1 : fx_fail(&a->w, "the user pool is gone");
    conn = store_acquire(a->app->store);
    if ((key = user_name_key(pool, created)) == NULL || store_begin(conn) != STORE_OK ||
        store_user_get(conn, pool_id, key, &su) != STORE_OK) {
        fx_fail(&a->w, "could not read the new user back");
        goto out;
    }
    /* In a pool with UsernameAttributes the username is the sub: it follows a fixed sub. */
    if (sub != NULL && strcmp(su->username, su->sub) == 0) {
        snprintf(final, n, "%s", sub);
        if (password != NULL) {
            char *salt = NULL, *v = NULL;
            if (srp_make_verifier(srp_pool_name(pool_id), sub, password, &salt, &v) != 0) {
                fx_fail(&a->w, "could not make the password verifier");
                goto out;
            }
            free(su->srp_salt);
            free(su->srp_verifier);
            su->srp_salt = salt;
            su->srp_verifier = v;
        }
    }
    if (verifier != NULL) {
        free(su->srp_salt);
        free(su->srp_verifier);
        su->srp_salt = dup_or_flag(json_str(verifier, "salt"), &bad);
        su->srp_verifier = dup_or_flag(json_str(verifier, "verifier"), &bad);
    }
    free(su->status);
    su->status = dup_or_flag(fx_user_status(u), &bad);
    su->enabled = json_bool(u, "enabled", true);
    su->modified_ms = clock_now_ms();
    if (bad || store_user_update(conn, su) != STORE_OK) {
        fx_fail(&a->w, "could not update the new user");
        goto out;
    }
    if (sub != NULL) {
        if ((new_key = user_name_key(pool, final)) == NULL) {
            fx_fail(&a->w, "out of memory");
            goto out;
        }
        st = store_user_set_identity(conn, su->seq, sub, final, new_key);
        if (st != STORE_OK) {
            fx_fail(&a->w,
                    st == STORE_EXISTS ? "sub %s is another user's in this pool"
                                       : "could not give the user the sub %s",
                    sub);
            goto out;
        }
    }
    rc = store_commit(conn) == STORE_OK ? 0 : fx_fail(&a->w, "could not update the new user");
out:
    store_release(a->app->store, conn); /* rolls back what did not commit */
    store_user_free(su);
    cJSON_Delete(pool);
    free(key);
    free(new_key);
    return rc;
}

static int apply_user(struct applier *a, const cJSON *u, const char *pool_id)
{
    char created[256], username[256];
    const cJSON *group;
    struct fx_result r;
    cJSON *in = cJSON_CreateObject();
    int i = 0;

    if (in == NULL || json_set_str(in, "UserPoolId", pool_id) != 0 ||
        json_set_str(in, "Username", json_str(u, "username")) != 0) {
        cJSON_Delete(in);
        return fx_fail(&a->w, "out of memory");
    }
    fixtures_call(a->app, NULL, FX_IDP "AdminGetUser", in, &r);
    cJSON_Delete(in);
    cJSON_Delete(r.out);
    if (r.code == COG_OK) {
        a->stats->kept++;
        return 0;
    }
    if (r.code != COG_E_USER_NOT_FOUND)
        return fx_fail(&a->w, "AdminGetUser failed: %s", r.message);
    if (call(a, NULL, FX_IDP "AdminCreateUser", fx_user_request(u, pool_id), &r) != 0)
        return -1;
    copy_str(created, sizeof(created), json_get(r.out, "User"), "Username");
    cJSON_Delete(r.out);
    if (adjust_user(a, u, pool_id, created, username, sizeof(username)) != 0)
        return -1;
    cJSON_ArrayForEach(group, json_get(u, "groups"))
    {
        size_t mark = fx_walk_key(&a->w, "groups");
        fx_walk_index(&a->w, i++);
        in = cJSON_CreateObject();
        if (in == NULL || json_set_str(in, "UserPoolId", pool_id) != 0 ||
            json_set_str(in, "Username", username) != 0 ||
            json_set_str(in, "GroupName", group->valuestring) != 0) {
            cJSON_Delete(in);
            return fx_fail(&a->w, "out of memory");
        }
        if (call(a, NULL, FX_IDP "AdminAddUserToGroup", in, &r) != 0)
            return -1;
        cJSON_Delete(r.out);
        fx_walk_back(&a->w, mark);
    }
    a->stats->users++;
    return 0;
}

/* Apply the elements of array member name of parent with call; the walk is at parent. */
#define APPLY_EACH(a, parent, name, call)                                                          \
    do {                                                                                           \
        const cJSON *el;                                                                           \
        size_t mark_ = fx_walk_key(&(a)->w, name);                                                 \
        int i_ = 0;                                                                                \
        cJSON_ArrayForEach(el, json_get(parent, name))                                             \
        {                                                                                          \
            size_t item_ = fx_walk_index(&(a)->w, i_++);                                           \
            if ((call) != 0)                                                                       \
                return -1;                                                                         \
            fx_walk_back(&(a)->w, item_);                                                          \
        }                                                                                          \
        fx_walk_back(&(a)->w, mark_);                                                              \
    } while (0)

static int apply_pool(struct applier *a, const cJSON *p)
{
    const char *id = json_str(p, "id");
    char pool_id[IDS_MAX], region[32];
    struct fx_result r;
    int st;

    if (id != NULL) {
        snprintf(pool_id, sizeof(pool_id), "%s", id);
        if ((st = load_doc(a, STORE_USER_POOL, id, NULL)) == STORE_ERROR)
            return -1;
        st = st == STORE_OK;
    } else if ((st = find_by_name(a, STORE_USER_POOL, NULL, "Name", json_str(p, "name"), "Id",
                                  pool_id, sizeof(pool_id))) < 0) {
        return -1;
    }
    if (st) {
        a->stats->kept++;
    } else {
        if (call(a, id_region(id, region, sizeof(region)), FX_IDP "CreateUserPool",
                 fx_pool_request(p), &r) != 0)
            return -1;
        copy_str(pool_id, sizeof(pool_id), json_get(r.out, "UserPool"), "Id");
        cJSON_Delete(r.out);
        if (id != NULL && rekey(a, STORE_USER_POOL, pool_id, id, "Id") != 0)
            return -1;
        if (id != NULL)
            snprintf(pool_id, sizeof(pool_id), "%s", id);
        a->stats->user_pools++;
    }
    /* What a client names (providers, scopes) exists before it; a UI customization needs the
     * domain and names a client. */
    if (apply_domains(a, p, pool_id) != 0)
        return -1;
    APPLY_EACH(
        a, p, "resourceServers",
        ensure(a, &SERVER, fx_resource_server_request(el, pool_id), &a->stats->resource_servers));
    APPLY_EACH(a, p, "identityProviders",
               ensure(a, &PROVIDER, fx_identity_provider_request(el, pool_id),
                      &a->stats->identity_providers));
    APPLY_EACH(a, p, "clients", apply_client(a, el, pool_id));
    APPLY_EACH(a, p, "uiCustomization",
               ensure(a, &UI, fx_ui_request(el, pool_id), &a->stats->ui_customizations));
    APPLY_EACH(a, p, "groups", ensure(a, &GROUP, fx_group_request(el, pool_id), &a->stats->groups));
    APPLY_EACH(a, p, "users", apply_user(a, el, pool_id));
    return 0;
}

static int apply_identity_pool(struct applier *a, const cJSON *ip)
{
    const char *id = json_str(ip, "id");
    char pool_id[IDS_MAX], region[32];
    struct fx_result r;
    int st;

    if (id != NULL) {
        snprintf(pool_id, sizeof(pool_id), "%s", id);
        if ((st = load_doc(a, STORE_IDENTITY_POOL, id, NULL)) == STORE_ERROR)
            return -1;
        st = st == STORE_OK;
    } else if ((st = find_by_name(a, STORE_IDENTITY_POOL, NULL, "IdentityPoolName",
                                  json_str(ip, "name"), "IdentityPoolId", pool_id,
                                  sizeof(pool_id))) < 0) {
        return -1;
    }
    if (st) {
        a->stats->kept++;
        return 0;
    }
    if (call(a, id_region(id, region, sizeof(region)), FX_IDENTITY "CreateIdentityPool",
             fx_identity_pool_request(ip), &r) != 0)
        return -1;
    copy_str(pool_id, sizeof(pool_id), r.out, "IdentityPoolId");
    cJSON_Delete(r.out);
    if (id != NULL) {
        if (rekey(a, STORE_IDENTITY_POOL, pool_id, id, "IdentityPoolId") != 0)
            return -1;
        snprintf(pool_id, sizeof(pool_id), "%s", id);
    }
    if (json_get(ip, "roles") != NULL) {
        size_t mark = fx_walk_key(&a->w, "roles");
        if (!fixtures_implemented(FX_IDENTITY "SetIdentityPoolRoles")) {
            log_warn("fixtures: %s: %s: not applied: this build has no SetIdentityPoolRoles",
                     a->w.source, a->w.path);
        } else {
            if (call(a, NULL, FX_IDENTITY "SetIdentityPoolRoles", fx_roles_request(ip, pool_id),
                     &r) != 0)
                return -1;
            cJSON_Delete(r.out);
        }
        fx_walk_back(&a->w, mark);
    }
    a->stats->identity_pools++;
    return 0;
}

static int apply_doc(struct applier *a, const cJSON *doc)
{
    APPLY_EACH(a, doc, "userPools", apply_pool(a, el));
    APPLY_EACH(a, doc, "identityPools", apply_identity_pool(a, el));
    return 0;
}

int fixtures_apply(const struct app *app, const struct fixtures *f, struct fixtures_stats *stats,
                   struct fixtures_error *err)
{
    struct fixtures_stats ignored = {0};
    struct applier a = {.app = app, .stats = stats ? stats : &ignored};

    memset(err, 0, sizeof(*err));
    for (size_t i = 0; f != NULL && i < f->count; i++) {
        fx_walk_init(&a.w, f->docs[i].source, err);
        if (apply_doc(&a, f->docs[i].doc) != 0)
            return -1;
        a.stats->files++;
    }
    return 0;
}
