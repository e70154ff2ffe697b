/*
 * user: what a user record means: its names, aliases, attributes and password, as the user,
 * account and sign-in operations share them. See user.h.
 *
 * What a stored pool document means here (pool.h describes the document):
 *   - UsernameConfiguration.CaseSensitive false: usernames, and the email and preferred_username
 *     aliases, are folded to lower case; absent means case-sensitive, the API's default
 *     (developer guide, user-pool-case-sensitivity).
 *   - UsernameAttributes: users are named by a generated UUID and found by their email or
 *     phone_number, whether verified or not; AliasAttributes: users are also found by a verified
 *     email / phone_number or by their preferred_username. Both are kept as rows of the store's
 *     alias table (the operations that create and confirm users write them), so that finding
 *     a user by any of its names is one indexed lookup.
 * Sources for error messages are cited where they are used; ../shared/cognito-facts.md has
 * the common ones.
 */
#include "config.h"

#include "userpool/user.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/ids.h"
#include "util/jsonutil.h"
#include "aws/ops_common.h"
#include "userpool/client.h"
#include "userpool/pool.h"
#include "userpool/password.h"
#include "crypto/secrets.h"
#include "crypto/srp.h"

/* Whether the pool folds usernames to lower case (UsernameConfiguration.CaseSensitive false). */
static bool case_insensitive(const cJSON *pool)
{
    return !json_bool(json_get(pool, "UsernameConfiguration"), "CaseSensitive", true);
}

/*
 * ASCII folding only: Cognito's folding of other scripts is not documented, and a byte-wise
 * fold cannot break UTF-8.
 */
char *user_name_key(const cJSON *pool, const char *username)
{
    char *key = strdup(username ? username : "");

    if (key != NULL && case_insensitive(pool))
        for (char *p = key; *p; p++)
            if (*p >= 'A' && *p <= 'Z')
                *p = (char)(*p - 'A' + 'a');
    return key;
}

/* Map a store status of a user lookup to the contract of user_find(). */
static int lookup_status(struct op_ctx *ctx, int st)
{
    if (st == STORE_ERROR)
        ops_fail_internal(ctx, "reading a user");
    return st;
}

/*
 * The username first; then the pool's sign-in attributes, each an alias row; then the sub,
 * which every Username parameter also accepts ("If username isn't an alias attribute in your
 * user pool, this value must be the sub of a local user", AdminGetUser API reference).
 */
int user_find(struct op_ctx *ctx, const cJSON *pool, const char *name, struct store_user **out)
{
    static const char *const SIGN_IN[] = {"email", "phone_number", "preferred_username"};
    const char *pool_id = json_str(pool, "Id");
    char *key = user_name_key(pool, name);
    int st;

    *out = NULL;
    if (key == NULL)
        return lookup_status(ctx, STORE_ERROR);
    st = store_user_get(ctx->db, pool_id, key, out);
    for (size_t i = 0; st == STORE_NOT_FOUND && i < sizeof(SIGN_IN) / sizeof(SIGN_IN[0]); i++)
        if (json_list_has(json_get(pool, "UsernameAttributes"), SIGN_IN[i]) ||
            json_list_has(json_get(pool, "AliasAttributes"), SIGN_IN[i]))
            st = store_user_get_by_alias(ctx->db, pool_id, SIGN_IN[i], key, out);
    if (st == STORE_NOT_FOUND)
        st = store_user_get_by_sub(ctx->db, pool_id, name, out);
    free(key);
    return lookup_status(ctx, st);
}

int user_find_request(struct op_ctx *ctx, const cJSON *pool, struct store_user **out)
{
    int st = user_find(ctx, pool, json_str(ctx->in, "Username"), out);

    if (st == STORE_NOT_FOUND)
        cog_err_set(&ctx->err, COG_E_USER_NOT_FOUND, "User does not exist.");
    return st;
}

/*
 * The verifier is made with the stored username as USER_ID_FOR_SRP, which is what the SRP
 * challenge hands the client (../shared/cognito-facts.md 2.3), so u->username and u->pool_id
 * must be final before the password is set.
 */
int user_set_password(struct op_ctx *ctx, const cJSON *pool, struct store_user *u,
                      const char *password)
{
    const cJSON *policy = json_get(json_get(pool, "Policies"), "PasswordPolicy");
    char message[256];

    if (password_check(policy, password, message, sizeof(message)) != 0)
        return cog_err_set(&ctx->err, COG_E_INVALID_PASSWORD, "%s", message);
    return user_set_password_as_is(ctx, u, password);
}

int user_set_password_as_is(struct op_ctx *ctx, struct store_user *u, const char *password)
{
    char *salt = NULL, *verifier = NULL;

    if (srp_make_verifier(srp_pool_name(u->pool_id), u->username, password, &salt, &verifier) != 0)
        return ops_fail_internal(ctx, "making a password verifier");
    free(u->srp_salt);
    free(u->srp_verifier);
    u->srp_salt = salt;
    u->srp_verifier = verifier;
    return 0;
}

int user_password_matches(const cJSON *pool, const struct store_user *u, const char *password)
{
    (void)pool;
    if (u->srp_salt == NULL || u->srp_verifier == NULL || password == NULL)
        return 0;
    return srp_check_password(srp_pool_name(u->pool_id), u->username, password, u->srp_salt,
                              u->srp_verifier);
}

cJSON *user_attributes(const struct store_user *u)
{
    cJSON *attrs = cJSON_Parse(u->attributes ? u->attributes : "{}");

    if (attrs != NULL && !cJSON_IsObject(attrs)) {
        cJSON_Delete(attrs);
        attrs = cJSON_CreateObject();
    }
    return attrs;
}

cJSON *user_trigger_attributes(const cJSON *pool, const struct store_user *u)
{
    static const char *const ALIASES[][3] = {
        {"email", "email_verified", "cognito:email_alias"},
        {"phone_number", "phone_number_verified", "cognito:phone_number_alias"},
    };
    cJSON *attrs = user_attributes(u);
    int bad = attrs == NULL || json_set_str(attrs, "sub", u->sub) != 0 ||
              json_set_str(attrs, "cognito:user_status", u->status) != 0;

    for (size_t i = 0; !bad && i < sizeof(ALIASES) / sizeof(ALIASES[0]); i++) {
        const char *value = json_str(attrs, ALIASES[i][0]);
        if (value != NULL && *value != '\0' &&
            json_list_has(json_get(pool, "AliasAttributes"), ALIASES[i][0]) &&
            strcmp(json_str_or(attrs, ALIASES[i][1], ""), "true") == 0)
            bad = json_set_str(attrs, ALIASES[i][2], value) != 0;
    }
    if (bad) {
        cJSON_Delete(attrs);
        return NULL;
    }
    return attrs;
}

bool user_has_attribute(const struct store_user *u, const char *name)
{
    cJSON *attrs = user_attributes(u);
    const char *v = json_str(attrs, name);
    bool has = v != NULL && *v != '\0';

    cJSON_Delete(attrs);
    return has;
}

/* Whether client (may be NULL) lets its users read attribute name. */
static bool readable(const cJSON *client, const char *name)
{
    const cJSON *read = json_get(client, "ReadAttributes");

    /* "sub" is always returned: it identifies the user (moto's GetUser test with a client
     * whose ReadAttributes omit it expects it too); so is "identities", which a federated
     * user's ID token carries whatever the client's list (hosted-ui.md 2.9). */
    return read == NULL || strcmp(name, "sub") == 0 || strcmp(name, "identities") == 0 ||
           json_list_has(json_get(client, "ReadAttributes"), name);
}

cJSON *user_attribute_list(const struct store_user *u, const cJSON *client)
{
    cJSON *attrs = user_attributes(u), *list = cJSON_CreateArray();
    const cJSON *attr;

    if (attrs == NULL || list == NULL)
        goto fail;
    cJSON_ArrayForEach(attr, attrs)
    {
        cJSON *pair;
        if (!cJSON_IsString(attr) || !readable(client, attr->string))
            continue;
        if ((pair = cJSON_CreateObject()) == NULL || !cJSON_AddItemToArray(list, pair) ||
            json_set_str(pair, "Name", attr->string) != 0 ||
            json_set_str(pair, "Value", attr->valuestring) != 0)
            goto fail;
    }
    cJSON_Delete(attrs);
    return list;
fail:
    cJSON_Delete(attrs);
    cJSON_Delete(list);
    return NULL;
}

/* ---- Attribute rules --------------------------------------------------------------------- */

/*
 * Sources of the wording below: [seen] messages of real Cognito quoted in application
 * codebases and issue reports (error dictionaries, handlers); [case] the developer guide's
 * "User pool case sensitivity"; [api] the API reference in server/aws/model/cognito-idp.json.
 */

/* Cognito does not document its email syntax; one '@' between non-empty parts, no spaces. */
bool user_is_email(const char *s)
{
    const char *at = strchr(s, '@');

    return at != NULL && at != s && at[1] != '\0' && strchr(at + 1, '@') == NULL &&
           strpbrk(s, " \t\r\n") == NULL;
}

/* E.164, which Cognito requires of phone_number: '+' and up to 15 digits. */
bool user_is_phone(const char *s)
{
    size_t digits = strspn(s + (s[0] == '+'), "0123456789");

    return s[0] == '+' && digits >= 4 && digits <= 15 && s[1 + digits] == '\0';
}

/*
 * Words: "A client attempted to write unauthorized attribute" (NotAuthorizedException) and
 * "Attributes did not conform to the schema: Type for attribute {custom:x} could not be
 * determined" [seen]; "Invalid email address format." and "Invalid phone number format."
 * [seen]; the refusal of "sub" to an administrator is the emulator's.
 */
int user_check_attribute(struct op_ctx *ctx, const cJSON *pool, const cJSON *client,
                         const char *name, const char *value, bool blank_deletes)
{
    const cJSON *entry = pool_schema_entry(pool, name);
    const cJSON *write = json_get(client, "WriteAttributes");
    bool format = value != NULL && !(blank_deletes && *value == '\0');

    if (name == NULL)
        return cog_err_set(&ctx->err, COG_E_INVALID_PARAMETER, "Attribute name is missing.");
    if (client != NULL &&
        (pool_never_writable(name) || (write != NULL && !json_list_has(write, name)) ||
         json_bool(entry, "DeveloperOnlyAttribute", false)))
        return cog_err_set(&ctx->err, COG_E_NOT_AUTHORIZED,
                           "A client attempted to write unauthorized attribute");
    if (entry == NULL)
        return cog_err_set(&ctx->err, COG_E_INVALID_PARAMETER,
                           "Attributes did not conform to the schema: Type for attribute {%s} "
                           "could not be determined",
                           name);
    if (strcmp(name, "sub") == 0)
        return cog_err_set(&ctx->err, COG_E_INVALID_PARAMETER,
                           "Attributes did not conform to the schema: sub: Attribute is immutable");
    if (format && strcmp(name, "email") == 0 && !user_is_email(value))
        return cog_err_set(&ctx->err, COG_E_INVALID_PARAMETER, "Invalid email address format.");
    if (format && strcmp(name, "phone_number") == 0 && !user_is_phone(value))
        return cog_err_set(&ctx->err, COG_E_INVALID_PARAMETER, "Invalid phone number format.");
    return 0;
}

/* "True" is accepted for true in the verified flags, as boto3 users write it. */
int user_read_attributes(struct op_ctx *ctx, const cJSON *pool, const cJSON *client,
                         const cJSON *list, bool blank_deletes, cJSON **out)
{
    const cJSON *item;
    cJSON *attrs = cJSON_CreateObject();

    *out = NULL;
    if (attrs == NULL)
        return ops_fail_internal(ctx, "out of memory");
    cJSON_ArrayForEach(item, list)
    {
        const char *name = json_str(item, "Name"), *value = json_str(item, "Value");
        char *folded = NULL;
        int bad;

        if (value == NULL)
            value = "";
        if (user_check_attribute(ctx, pool, client, name, value, blank_deletes) != 0) {
            cJSON_Delete(attrs);
            return -1;
        }
        if (strcmp(name, "email") == 0 || strcmp(name, "preferred_username") == 0)
            value = folded = user_name_key(pool, value); /* [case] */
        else if (pool_never_writable(name))
            value = strcasecmp(value, "true") == 0 ? "true" : "false";
        bad = value == NULL || json_set_str(attrs, name, value) != 0;
        free(folded);
        if (bad) {
            cJSON_Delete(attrs);
            return ops_fail_internal(ctx, "out of memory");
        }
    }
    *out = attrs;
    return 0;
}

/*
 * How Cognito names a standard attribute in "is required" messages, as seen in real responses
 * since about 2024 ("emails: The attribute emails is required", "phoneNumbers: ...",
 * "name.formatted: ...", "addresses: ...", "name.familyName ... is required" [seen]);
 * given_name and middle_name follow the same SCIM naming by assumption. Older responses read
 * "email: The attribute is required"; the current form is used.
 */
static const char *required_label(const char *name)
{
    static const char *const LABELS[][2] = {
        {"email", "emails"},
        {"phone_number", "phoneNumbers"},
        {"name", "name.formatted"},
        {"address", "addresses"},
        {"family_name", "name.familyName"},
        {"given_name", "name.givenName"},
        {"middle_name", "name.middleName"},
    };

    for (size_t i = 0; i < sizeof(LABELS) / sizeof(LABELS[0]); i++)
        if (strcmp(LABELS[i][0], name) == 0)
            return LABELS[i][1];
    return name;
}

int user_check_required(struct op_ctx *ctx, const cJSON *pool, const cJSON *attrs)
{
    char message[sizeof(ctx->err.message)];
    size_t len = (size_t)snprintf(message, sizeof(message), "%s",
                                  "Attributes did not conform to the schema: ");
    const cJSON *entry;
    bool missing = false;

    cJSON_ArrayForEach(entry, json_get(pool, "SchemaAttributes"))
    {
        const char *name = json_str(entry, "Name"), *value = json_str(attrs, name ? name : "");
        if (name == NULL || strcmp(name, "sub") == 0 || !json_bool(entry, "Required", false) ||
            (value != NULL && *value != '\0'))
            continue;
        if (len < sizeof(message))
            len += (size_t)snprintf(message + len, sizeof(message) - len,
                                    "%s%s: The attribute %s is required", missing ? ", " : "",
                                    required_label(name), required_label(name));
        missing = true;
    }
    return missing ? cog_err_set(&ctx->err, COG_E_INVALID_PARAMETER, "%s", message) : 0;
}

/*
 * Make value of attribute name an alias of user u. When another user holds it: with force
 * the alias moves to u and the other user's attribute is no longer verified ([api],
 * ForceAliasCreation); otherwise error code with the words of ../shared/cognito-facts.md.
 */
static int set_alias(struct op_ctx *ctx, const cJSON *pool, const struct store_user *u,
                     const char *name, const char *value, bool force, enum cog_error code)
{
    char *key = user_name_key(pool, value);
    struct store_user *owner = NULL;
    int st = key ? store_alias_set(ctx->db, u->pool_id, name, key, u->seq) : STORE_ERROR;

    if (st == STORE_EXISTS && force &&
        (st = store_user_get_by_alias(ctx->db, u->pool_id, name, key, &owner)) == STORE_OK) {
        cJSON *attrs = user_attributes(owner);
        char verified[64];
        snprintf(verified, sizeof(verified), "%s_verified", name);
        free(owner->attributes);
        owner->attributes = NULL;
        if (attrs != NULL && json_set_str(attrs, verified, "false") == 0)
            owner->attributes = cJSON_PrintUnformatted(attrs);
        owner->modified_ms = ctx->now_ms;
        cJSON_Delete(attrs);
        st = owner->attributes == NULL ? STORE_ERROR : store_alias_clear(ctx->db, owner->seq, name);
        if (st == STORE_OK && (st = store_user_update(ctx->db, owner)) == STORE_OK)
            st = store_alias_set(ctx->db, u->pool_id, name, key, u->seq);
    }
    free(key);
    store_user_free(owner);
    if (st == STORE_EXISTS)
        return cog_err_set(&ctx->err, code, "An account with the given %s already exists.", name);
    return st == STORE_OK ? 0 : ops_fail_internal(ctx, "storing an alias");
}

/* AliasExistsException for preferred_username follows the email wording (the emulator's). */
int user_sync_aliases(struct op_ctx *ctx, const cJSON *pool, const struct store_user *u, bool force,
                      enum cog_error taken_code)
{
    /* Each name, and the flag that must be "true" for it to be an alias (NULL: none). */
    static const char *const NAMES[][2] = {{"email", "email_verified"},
                                           {"phone_number", "phone_number_verified"},
                                           {"preferred_username", NULL}};
    cJSON *attrs = user_attributes(u);
    int rc = attrs ? 0 : ops_fail_internal(ctx, "out of memory");

    for (size_t i = 0; rc == 0 && i < sizeof(NAMES) / sizeof(NAMES[0]); i++) {
        const char *name = NAMES[i][0], *value = json_str(attrs, name);
        const char *flag = NAMES[i][1] ? json_str(attrs, NAMES[i][1]) : "true";
        bool by_username = json_list_has(json_get(pool, "UsernameAttributes"), name);
        bool by_alias = json_list_has(json_get(pool, "AliasAttributes"), name) && flag != NULL &&
                        strcmp(flag, "true") == 0;

        if (value != NULL && *value != '\0' && by_username)
            rc = set_alias(ctx, pool, u, name, value, false, taken_code);
        else if (value != NULL && *value != '\0' && by_alias)
            rc = set_alias(ctx, pool, u, name, value, force, COG_E_ALIAS_EXISTS);
        else if (store_alias_clear(ctx->db, u->seq, name) != STORE_OK)
            rc = ops_fail_internal(ctx, "clearing an alias");
    }
    cJSON_Delete(attrs);
    return rc;
}

/* ---- New users ----------------------------------------------------------------------------- */

/*
 * Check the name a new user is asked for against the pool's sign-in settings. In a pool with
 * UsernameAttributes it must be an email or phone number, and *fills names the attribute it
 * sets ("Username should be either an email or a phone number.", "Username should be an
 * email." [seen]; "Username should be a phone number." [seen, amplify-passwordless-sms-auth
 * issue 13]). With AliasAttributes it must not look like an alias it could clash with
 * ("Username cannot be of email format, since user pool is configured for email alias." [seen];
 * the phone wording by analogy, as other emulators word it).
 */
static int check_new_name(struct op_ctx *ctx, const cJSON *pool, const char *username,
                          const char **fills)
{
    const cJSON *by = json_get(pool, "UsernameAttributes"),
                *alias = json_get(pool, "AliasAttributes");
    bool email = json_list_has(by, "email"), phone = json_list_has(by, "phone_number");

    *fills = NULL;
    if (email && user_is_email(username))
        *fills = "email";
    else if (phone && user_is_phone(username))
        *fills = "phone_number";
    else if (email || phone)
        return cog_err_set(&ctx->err, COG_E_INVALID_PARAMETER,
                           email && phone ? "Username should be either an email or a phone number."
                           : email        ? "Username should be an email."
                                          : "Username should be a phone number.");
    if (json_list_has(alias, "email") && user_is_email(username))
        return cog_err_set(&ctx->err, COG_E_INVALID_PARAMETER,
                           "Username cannot be of email format, since user pool is configured "
                           "for email alias.");
    if (json_list_has(alias, "phone_number") && user_is_phone(username))
        return cog_err_set(&ctx->err, COG_E_INVALID_PARAMETER,
                           "Username cannot be of phone number format, since user pool is "
                           "configured for phone number alias.");
    return 0;
}

/* attrs with "sub" first, as Cognito lists it; takes ownership of attrs (NULL on no memory). */
static cJSON *with_sub(cJSON *attrs, const char *sub)
{
    cJSON *out = cJSON_CreateObject();

    if (out == NULL || json_set_str(out, "sub", sub) != 0) {
        cJSON_Delete(out);
        cJSON_Delete(attrs);
        return NULL;
    }
    while (attrs->child != NULL) {
        cJSON *item = cJSON_DetachItemViaPointer(attrs, attrs->child);
        if (!cJSON_AddItemToObject(out, item->string, item)) {
            cJSON_Delete(item);
            cJSON_Delete(out);
            out = NULL;
            break;
        }
    }
    cJSON_Delete(attrs);
    return out;
}

/*
 * Naming: a UUID sub, and the sub as username in a pool with UsernameAttributes ("Amazon
 * Cognito automatically generates a username value" [api], AdminCreateUser Username), where
 * the email or phone number given as username also becomes that attribute. Required
 * attributes are checked against what the request wrote: Cognito asks for a required email
 * even when it is the Username ("emails: The attribute emails is required" from sign-up
 * without attributes in such a pool [seen]).
 */
int user_draft(struct op_ctx *ctx, const cJSON *pool, const cJSON *client, const char *username,
               const cJSON *list, const char *status, struct store_user **out)
{
    const char *fills;
    char sub[IDS_UUID_LEN + 1];
    struct store_user *u = NULL;
    cJSON *attrs = NULL;
    char *value = NULL;

    *out = NULL;
    if (check_new_name(ctx, pool, username, &fills) != 0 ||
        user_read_attributes(ctx, pool, client, list, false, &attrs) != 0 ||
        user_check_required(ctx, pool, attrs) != 0)
        goto fail;
    ids_uuid(sub);
    /* The Username is the sign-in value, so it wins over a different attribute value. */
    if (fills != NULL &&
        ((value = user_name_key(pool, username)) == NULL || json_set_str(attrs, fills, value) != 0))
        goto oom;
    if ((attrs = with_sub(attrs, sub)) == NULL || (u = calloc(1, sizeof(*u))) == NULL)
        goto oom;
    u->pool_id = strdup(json_str(pool, "Id"));
    u->username = fills ? strdup(sub) : user_name_key(pool, username); /* [case] */
    u->username_key = u->username ? user_name_key(pool, u->username) : NULL;
    u->sub = strdup(sub);
    u->status = strdup(status);
    u->enabled = 1;
    u->attributes = cJSON_PrintUnformatted(attrs);
    u->created_ms = u->modified_ms = ctx->now_ms;
    if (!u->pool_id || !u->username || !u->username_key || !u->sub || !u->status || !u->attributes)
        goto oom;
    free(value);
    cJSON_Delete(attrs);
    *out = u;
    return 0;
oom:
    ops_fail_internal(ctx, "out of memory");
fail:
    free(value);
    cJSON_Delete(attrs);
    store_user_free(u);
    return -1;
}

int user_insert(struct op_ctx *ctx, const cJSON *pool, struct store_user *u, bool force)
{
    int st = store_user_insert(ctx->db, u);

    if (st == STORE_EXISTS)
        return cog_err_set(&ctx->err, COG_E_USERNAME_EXISTS, "User already exists");
    if (st == STORE_NOT_FOUND)
        return ops_fail_not_found(ctx, &OPS_USER_POOL, u->pool_id);
    if (st != STORE_OK)
        return ops_fail_internal(ctx, "storing a user");
    return user_sync_aliases(ctx, pool, u, force, COG_E_USERNAME_EXISTS);
}

int user_save(struct op_ctx *ctx, struct store_user *u)
{
    u->modified_ms = ctx->now_ms;
    return store_user_update(ctx->db, u) == STORE_OK ? 0
                                                     : ops_fail_internal(ctx, "updating a user");
}

int user_fill(cJSON *obj, const struct store_user *u, const char *attr_member, const cJSON *to_get)
{
    cJSON *list = user_attribute_list(u, NULL);
    int bad = list == NULL;

    if (list != NULL && to_get != NULL) {
        cJSON *item = list->child;
        while (item != NULL) {
            cJSON *next = item->next;
            if (!json_list_has(to_get, json_str(item, "Name")))
                cJSON_Delete(cJSON_DetachItemViaPointer(list, item));
            item = next;
        }
    }
    bad |= json_set_str(obj, "Username", u->username);
    bad |= json_set_item(obj, attr_member, list);
    bad |= json_set_num(obj, "UserCreateDate", json_epoch(u->created_ms));
    bad |= json_set_num(obj, "UserLastModifiedDate", json_epoch(u->modified_ms));
    bad |= json_set_bool(obj, "Enabled", u->enabled != 0);
    bad |= json_set_str(obj, "UserStatus", u->status);
    return bad ? -1 : 0;
}
