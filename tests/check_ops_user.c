/*
 * check_ops_user: the user operations (ops_user.c) and the pool rules they share (user.c,
 * client.c), driven through tu_call exactly as the server runs them. Codes are read back from the
 * store, as a developer would read them from the log; delivery log lines are captured from stderr.
 */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/clock.h"
#include "crypto/secrets.h"
#include "store/store.h"
#include "testutil.h"
#include "userpool/tokens.h"
#include "userpool/pool.h"
#include "userpool/client.h"
#include "userpool/user.h"

static struct tu_env *const env = &tu_fixture;

#define DAY_MS (24LL * 60 * 60 * 1000)
#define PASSWORD "Passw0rd!"
#define UUID_RE "^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"

/* A pool made from body (a JSON object) and an app client of it with extra client members. */
struct fixture {
    char pool[96];
    char client[64];
    char secret[64];
};

static void make_pool(struct fixture *f, const char *pool_body, const char *client_extra)
{
    char *id = tu_create_user_pool(env, pool_body);
    cJSON *resp;

    snprintf(f->pool, sizeof(f->pool), "%s", id);
    free(id);
    resp = tu_callf(env, IDP "CreateUserPoolClient",
                    "{\"UserPoolId\":\"%s\",\"ClientName\":\"app\"%s%s}", f->pool,
                    client_extra[0] ? "," : "", client_extra);
    ck_assert_msg(tu_error_type(resp) == NULL, "CreateUserPoolClient: %s", tu_str(resp, "message"));
    snprintf(f->client, sizeof(f->client), "%s",
             tu_str(tu_get(resp, "UserPoolClient"), "ClientId"));
    snprintf(f->secret, sizeof(f->secret), "%s",
             tu_str(tu_get(resp, "UserPoolClient"), "ClientSecret")
                 ? tu_str(tu_get(resp, "UserPoolClient"), "ClientSecret")
                 : "");
    cJSON_Delete(resp);
}

/* The usual pool: codes by email. */
static void email_pool(struct fixture *f)
{
    make_pool(f, "{\"PoolName\":\"p\",\"AutoVerifiedAttributes\":[\"email\"]}", "");
}

/* SignUp with attrs, a JSON array ("" for none). */
static cJSON *sign_up(const struct fixture *f, const char *username, const char *attrs)
{
    return tu_callf(env, IDP "SignUp",
                    "{\"ClientId\":\"%s\",\"Username\":\"%s\",\"Password\":\"" PASSWORD "\"%s%s}",
                    f->client, username, attrs[0] ? ",\"UserAttributes\":" : "", attrs);
}

static void sign_up_ok(const struct fixture *f, const char *username, const char *attrs)
{
    cJSON *resp = sign_up(f, username, attrs);

    ck_assert_msg(tu_error_type(resp) == NULL, "SignUp %s: %s", username, tu_str(resp, "message"));
    cJSON_Delete(resp);
}

static cJSON *confirm(const struct fixture *f, const char *username, const char *code)
{
    return tu_callf(env, IDP "ConfirmSignUp",
                    "{\"ClientId\":\"%s\",\"Username\":\"%s\",\"ConfirmationCode\":\"%s\"}",
                    f->client, username, code);
}

static cJSON *resend(const struct fixture *f, const char *username)
{
    return tu_callf(env, IDP "ResendConfirmationCode", "{\"ClientId\":\"%s\",\"Username\":\"%s\"}",
                    f->client, username);
}

static cJSON *admin_get(const struct fixture *f, const char *username)
{
    return tu_callf(env, IDP "AdminGetUser", "{\"UserPoolId\":\"%s\",\"Username\":\"%s\"}", f->pool,
                    username);
}

/* The stored user of username_key, or NULL. */
static struct store_user *stored_user(const struct fixture *f, const char *key)
{
    struct store_conn *conn = store_acquire(env->store);
    struct store_user *u = NULL;

    store_user_get(conn, f->pool, key, &u);
    store_release(env->store, conn);
    return u;
}

/* The pending sign-up code of the user stored under key, copied into out (7 bytes); 0 if any. */
static int pending_code(const struct fixture *f, const char *key, char *out)
{
    struct store_user *u = stored_user(f, key);
    struct store_conn *conn = store_acquire(env->store);
    char *code = NULL;
    int64_t expires = 0;
    int st;

    ck_assert_ptr_nonnull(u);
    st = store_code_get(conn, u->seq, "sign-up", &code, &expires);
    store_release(env->store, conn);
    store_user_free(u);
    if (st != STORE_OK)
        return -1;
    snprintf(out, 7, "%s", code);
    free(code);
    return 0;
}

/* The value of attribute name in an AWS attribute list, or NULL. */
static const char *attr(const cJSON *list, const char *name)
{
    const cJSON *item;

    cJSON_ArrayForEach(item, list)
    {
        if (strcmp(tu_str(item, "Name"), name) == 0)
            return tu_str(item, "Value");
    }
    return NULL;
}

/* AdminGetUser's UserStatus of username (fails the test if the call fails). */
static void assert_status(const struct fixture *f, const char *username, const char *status)
{
    cJSON *resp = admin_get(f, username);

    ck_assert_msg(tu_error_type(resp) == NULL, "AdminGetUser %s: %s", username,
                  tu_str(resp, "message"));
    ck_assert_str_eq(tu_str(resp, "UserStatus"), status);
    cJSON_Delete(resp);
}

static void assert_call_error(cJSON *resp, const char *type, const char *message)
{
    tu_assert_error(resp, type, message);
    cJSON_Delete(resp);
}

/* Capture what the server logs to stderr between capture_start() and capture_end(). */
static int saved_stderr = -1;
static char capture_path[64];

static void capture_start(void)
{
    int fd;

    snprintf(capture_path, sizeof(capture_path), "/tmp/check_ops_user.%ld.log", (long)getpid());
    fd = open(capture_path, O_CREAT | O_TRUNC | O_WRONLY, 0600);
    ck_assert_int_ge(fd, 0);
    saved_stderr = dup(STDERR_FILENO);
    dup2(fd, STDERR_FILENO);
    close(fd);
}

/* The captured text (a new string). */
static char *capture_end(void)
{
    FILE *fp;
    char *text = calloc(1, 65536);

    dup2(saved_stderr, STDERR_FILENO);
    close(saved_stderr);
    fp = fopen(capture_path, "r");
    ck_assert_ptr_nonnull(fp);
    ck_assert_int_ge((int)fread(text, 1, 65535, fp), 0);
    fclose(fp);
    unlink(capture_path);
    return text;
}

/* ---- SignUp and confirmation ------------------------------------------------------------- */

START_TEST(test_ops_user_sign_up_sends_a_code_that_confirms)
{
    struct fixture f;
    char code[7];
    cJSON *resp, *details;
    char *log;

    email_pool(&f);
    capture_start();
    resp = sign_up(&f, "alice", "[{\"Name\":\"email\",\"Value\":\"alice@example.com\"}]");
    log = capture_end();
    ck_assert_ptr_null(tu_error_type(resp));
    ck_assert(!tu_bool(resp, "UserConfirmed"));
    tu_assert_matches(tu_str(resp, "UserSub"), UUID_RE);
    details = tu_get(resp, "CodeDeliveryDetails");
    ck_assert_str_eq(tu_str(details, "Destination"), "a***@e***");
    ck_assert_str_eq(tu_str(details, "DeliveryMedium"), "EMAIL");
    ck_assert_str_eq(tu_str(details, "AttributeName"), "email");
    cJSON_Delete(resp);

    ck_assert_int_eq(pending_code(&f, "alice", code), 0);
    tu_assert_matches(code, "^[0-9]{6}$");
    /* The delivery is one info line naming the user, the medium and the destination. */
    ck_assert_msg(strstr(log, " info ") && strstr(log, "alice") && strstr(log, "EMAIL") &&
                      strstr(log, "alice@example.com") && strstr(log, code),
                  "log: %s", log);
    free(log);
    assert_status(&f, "alice", "UNCONFIRMED");

    resp = confirm(&f, "alice", code);
    ck_assert_ptr_null(tu_error_type(resp));
    cJSON_Delete(resp);
    resp = admin_get(&f, "alice");
    ck_assert_str_eq(tu_str(resp, "UserStatus"), "CONFIRMED");
    ck_assert_str_eq(attr(tu_get(resp, "UserAttributes"), "email_verified"), "true");
    cJSON_Delete(resp);
    ck_assert_int_ne(pending_code(&f, "alice", code), 0); /* used up */
}
END_TEST

START_TEST(test_ops_user_confirm_refuses_a_wrong_code)
{
    struct fixture f;

    email_pool(&f);
    sign_up_ok(&f, "alice", "[{\"Name\":\"email\",\"Value\":\"alice@example.com\"}]");
    assert_call_error(confirm(&f, "alice", "000000x"), "CodeMismatchException",
                      "Invalid verification code provided, please try again.");
    assert_status(&f, "alice", "UNCONFIRMED");
}
END_TEST

START_TEST(test_ops_user_confirm_refuses_a_code_after_24_hours)
{
    struct fixture f;
    char code[7];
    cJSON *resp;

    email_pool(&f);
    sign_up_ok(&f, "alice", "[{\"Name\":\"email\",\"Value\":\"alice@example.com\"}]");
    ck_assert_int_eq(pending_code(&f, "alice", code), 0);
    clock_set_offset_ms(DAY_MS + 1000);
    assert_call_error(confirm(&f, "alice", code), "ExpiredCodeException",
                      "Invalid code provided, please request a code again.");
    clock_set_offset_ms(DAY_MS - 60000);
    resp = confirm(&f, "alice", code);
    ck_assert_ptr_null(tu_error_type(resp));
    cJSON_Delete(resp);
}
END_TEST

START_TEST(test_ops_user_confirm_refuses_a_confirmed_user)
{
    struct fixture f;
    char code[7];

    email_pool(&f);
    sign_up_ok(&f, "alice", "[{\"Name\":\"email\",\"Value\":\"alice@example.com\"}]");
    ck_assert_int_eq(pending_code(&f, "alice", code), 0);
    cJSON_Delete(confirm(&f, "alice", code));
    assert_call_error(confirm(&f, "alice", code), "NotAuthorizedException",
                      "User cannot be confirmed. Current status is CONFIRMED");
    assert_call_error(tu_callf(env, IDP "AdminConfirmSignUp",
                               "{\"UserPoolId\":\"%s\",\"Username\":\"alice\"}", f.pool),
                      "NotAuthorizedException",
                      "User cannot be confirmed. Current status is CONFIRMED");
    assert_call_error(confirm(&f, "nobody", code), "UserNotFoundException", "User does not exist.");
}
END_TEST

START_TEST(test_ops_user_resend_sends_a_new_code)
{
    struct fixture f;
    char code[7];
    cJSON *resp;

    email_pool(&f);
    sign_up_ok(&f, "alice", "[{\"Name\":\"email\",\"Value\":\"alice@example.com\"}]");
    resp = resend(&f, "alice");
    ck_assert_ptr_null(tu_error_type(resp));
    ck_assert_str_eq(tu_str(tu_get(resp, "CodeDeliveryDetails"), "Destination"), "a***@e***");
    ck_assert_str_eq(tu_str(tu_get(resp, "CodeDeliveryDetails"), "DeliveryMedium"), "EMAIL");
    cJSON_Delete(resp);
    ck_assert_int_eq(pending_code(&f, "alice", code), 0);
    resp = confirm(&f, "alice", code);
    ck_assert_ptr_null(tu_error_type(resp));
    cJSON_Delete(resp);

    assert_call_error(resend(&f, "alice"), "InvalidParameterException",
                      "User is already confirmed.");
    assert_call_error(resend(&f, "nobody"), "UserNotFoundException", "User does not exist.");
}
END_TEST

START_TEST(test_ops_user_pool_without_auto_verification_sends_no_code)
{
    struct fixture f;
    cJSON *resp;

    make_pool(&f, "{\"PoolName\":\"p\"}", "");
    resp = sign_up(&f, "alice", "[{\"Name\":\"email\",\"Value\":\"alice@example.com\"}]");
    ck_assert_ptr_null(tu_error_type(resp));
    ck_assert_ptr_null(tu_get(resp, "CodeDeliveryDetails"));
    cJSON_Delete(resp);
    assert_call_error(tu_callf(env, IDP "ResendConfirmationCode",
                               "{\"ClientId\":\"%s\",\"Username\":\"alice\"}", f.client),
                      "InvalidParameterException",
                      "Cannot resend codes. Auto verification not turned on.");
    assert_call_error(confirm(&f, "alice", "123456"), "CodeMismatchException", NULL);

    /* An administrator confirms without a code, and verifies nothing. */
    resp = tu_callf(env, IDP "AdminConfirmSignUp", "{\"UserPoolId\":\"%s\",\"Username\":\"alice\"}",
                    f.pool);
    ck_assert_ptr_null(tu_error_type(resp));
    cJSON_Delete(resp);
    resp = admin_get(&f, "alice");
    ck_assert_str_eq(tu_str(resp, "UserStatus"), "CONFIRMED");
    ck_assert_ptr_null(attr(tu_get(resp, "UserAttributes"), "email_verified"));
    cJSON_Delete(resp);
}
END_TEST

START_TEST(test_ops_user_hidden_user_existence)
{
    struct fixture f;
    cJSON *resp;

    make_pool(&f, "{\"PoolName\":\"p\",\"AutoVerifiedAttributes\":[\"email\"]}",
              "\"PreventUserExistenceErrors\":\"ENABLED\"");
    resp = tu_callf(env, IDP "ResendConfirmationCode",
                    "{\"ClientId\":\"%s\",\"Username\":\"ghost@example.com\"}", f.client);
    ck_assert_ptr_null(tu_error_type(resp));
    ck_assert_str_eq(tu_str(tu_get(resp, "CodeDeliveryDetails"), "Destination"), "g***@e***");
    ck_assert_str_eq(tu_str(tu_get(resp, "CodeDeliveryDetails"), "DeliveryMedium"), "EMAIL");
    cJSON_Delete(resp);
    assert_call_error(confirm(&f, "ghost", "123456"), "CodeMismatchException",
                      "Invalid verification code provided, please try again.");
}
END_TEST

START_TEST(test_ops_user_sign_up_refuses_a_taken_username)
{
    struct fixture f;

    email_pool(&f);
    sign_up_ok(&f, "alice", "");
    assert_call_error(sign_up(&f, "alice", ""), "UsernameExistsException", "User already exists");
    /* Case-sensitive by default: another user. */
    sign_up_ok(&f, "ALICE", "");
}
END_TEST

START_TEST(test_ops_user_case_insensitive_pool)
{
    struct fixture f;
    cJSON *resp;

    make_pool(&f, "{\"PoolName\":\"p\",\"UsernameConfiguration\":{\"CaseSensitive\":false}}", "");
    sign_up_ok(&f, "ALICE", "[{\"Name\":\"email\",\"Value\":\"Alice@Example.COM\"}]");
    assert_call_error(sign_up(&f, "alice", ""), "UsernameExistsException", "User already exists");
    resp = admin_get(&f, "Alice");
    ck_assert_ptr_null(tu_error_type(resp));
    /* Flattened to lower case in output, as the developer guide says. */
    ck_assert_str_eq(tu_str(resp, "Username"), "alice");
    ck_assert_str_eq(attr(tu_get(resp, "UserAttributes"), "email"), "alice@example.com");
    cJSON_Delete(resp);
}
END_TEST

START_TEST(test_ops_user_email_as_username)
{
    struct fixture f;
    struct op_ctx ctx = {.settings = NULL};
    struct store_user *u = NULL;
    cJSON *resp, *pool = NULL;
    char sub[64];

    make_pool(&f, "{\"PoolName\":\"p\",\"UsernameAttributes\":[\"email\"]}", "");
    assert_call_error(sign_up(&f, "bob", ""), "InvalidParameterException",
                      "Username should be an email.");
    resp = sign_up(&f, "bob@example.com", "");
    ck_assert_ptr_null(tu_error_type(resp));
    snprintf(sub, sizeof(sub), "%s", tu_str(resp, "UserSub"));
    cJSON_Delete(resp);

    resp = admin_get(&f, "bob@example.com");
    ck_assert_ptr_null(tu_error_type(resp));
    ck_assert_str_eq(tu_str(resp, "Username"), sub); /* the username is the sub */
    ck_assert_str_eq(attr(tu_get(resp, "UserAttributes"), "email"), "bob@example.com");
    ck_assert_str_eq(attr(tu_get(resp, "UserAttributes"), "sub"), sub);
    cJSON_Delete(resp);
    assert_call_error(sign_up(&f, "bob@example.com", ""), "UsernameExistsException",
                      "An account with the given email already exists.");

    /* user_find, as sign-in uses it: by email (unverified), by username, by sub. */
    ctx.db = store_acquire(env->store);
    ck_assert_int_eq(pool_load(&ctx, f.pool, &pool), 0);
    ck_assert_int_eq(user_find(&ctx, pool, "bob@example.com", &u), STORE_OK);
    ck_assert_str_eq(u->username, sub);
    store_user_free(u);
    ck_assert_int_eq(user_find(&ctx, pool, sub, &u), STORE_OK);
    store_user_free(u);
    ck_assert_int_eq(user_find(&ctx, pool, "carol@example.com", &u), STORE_NOT_FOUND);
    ck_assert_ptr_null(u);
    store_release(env->store, ctx.db);
    cJSON_Delete(pool);
}
END_TEST

START_TEST(test_ops_user_email_or_phone_as_username)
{
    struct fixture f;
    cJSON *resp;

    make_pool(&f,
              "{\"PoolName\":\"p\",\"UsernameAttributes\":[\"email\",\"phone_number\"],"
              "\"AutoVerifiedAttributes\":[\"phone_number\"]}",
              "");
    assert_call_error(sign_up(&f, "bob", ""), "InvalidParameterException",
                      "Username should be either an email or a phone number.");
    resp = sign_up(&f, "+15555551234", "");
    ck_assert_ptr_null(tu_error_type(resp));
    ck_assert_str_eq(tu_str(tu_get(resp, "CodeDeliveryDetails"), "Destination"), "+*******1234");
    ck_assert_str_eq(tu_str(tu_get(resp, "CodeDeliveryDetails"), "DeliveryMedium"), "SMS");
    ck_assert_str_eq(tu_str(tu_get(resp, "CodeDeliveryDetails"), "AttributeName"), "phone_number");
    cJSON_Delete(resp);
    resp = admin_get(&f, "+15555551234");
    ck_assert_str_eq(attr(tu_get(resp, "UserAttributes"), "phone_number"), "+15555551234");
    cJSON_Delete(resp);
}
END_TEST

START_TEST(test_ops_user_alias_pool)
{
    struct fixture f;
    char code[7];
    cJSON *resp;

    make_pool(&f,
              "{\"PoolName\":\"p\",\"AliasAttributes\":[\"email\"],"
              "\"AutoVerifiedAttributes\":[\"email\"]}",
              "");
    assert_call_error(sign_up(&f, "carol@example.com", ""), "InvalidParameterException",
                      "Username cannot be of email format, since user pool is configured for "
                      "email alias.");
    sign_up_ok(&f, "carol", "[{\"Name\":\"email\",\"Value\":\"c@example.com\"}]");
    /* Not an alias until verified. */
    assert_call_error(admin_get(&f, "c@example.com"), "UserNotFoundException",
                      "User does not exist.");
    ck_assert_int_eq(pending_code(&f, "carol", code), 0);
    cJSON_Delete(confirm(&f, "carol", code));
    resp = admin_get(&f, "c@example.com");
    ck_assert_str_eq(tu_str(resp, "Username"), "carol");
    cJSON_Delete(resp);

    /* A second user may sign up with the same email, but not claim it on confirmation ... */
    sign_up_ok(&f, "dave", "[{\"Name\":\"email\",\"Value\":\"c@example.com\"}]");
    ck_assert_int_eq(pending_code(&f, "dave", code), 0);
    assert_call_error(confirm(&f, "dave", code), "AliasExistsException",
                      "An account with the given email already exists.");
    assert_status(&f, "dave", "UNCONFIRMED");
    /* ... unless forced: the alias moves, and carol's email is no longer verified. */
    resp = tu_callf(env, IDP "ConfirmSignUp",
                    "{\"ClientId\":\"%s\",\"Username\":\"dave\",\"ConfirmationCode\":\"%s\","
                    "\"ForceAliasCreation\":true}",
                    f.client, code);
    ck_assert_ptr_null(tu_error_type(resp));
    cJSON_Delete(resp);
    resp = admin_get(&f, "c@example.com");
    ck_assert_str_eq(tu_str(resp, "Username"), "dave");
    cJSON_Delete(resp);
    resp = admin_get(&f, "carol");
    ck_assert_str_eq(attr(tu_get(resp, "UserAttributes"), "email_verified"), "false");
    cJSON_Delete(resp);
}
END_TEST

/* ---- Attributes -------------------------------------------------------------------------- */

START_TEST(test_ops_user_required_attributes)
{
    struct fixture f;

    make_pool(&f,
              "{\"PoolName\":\"p\",\"Schema\":[{\"Name\":\"email\",\"AttributeDataType\":"
              "\"String\",\"Required\":true},{\"Name\":\"name\",\"AttributeDataType\":\"String\","
              "\"Required\":true}]}",
              "");
    assert_call_error(sign_up(&f, "alice", "[{\"Name\":\"name\",\"Value\":\"Alice\"}]"),
                      "InvalidParameterException",
                      "Attributes did not conform to the schema: emails: The attribute emails is "
                      "required");
    assert_call_error(sign_up(&f, "alice", ""), "InvalidParameterException",
                      "Attributes did not conform to the schema: name.formatted: The attribute "
                      "name.formatted is required, emails: The attribute emails is required");
    sign_up_ok(&f, "alice",
               "[{\"Name\":\"name\",\"Value\":\"Alice\"},{\"Name\":\"email\",\"Value\":"
               "\"a@example.com\"}]");
}
END_TEST

START_TEST(test_ops_user_unknown_and_malformed_attributes)
{
    struct fixture f;
    cJSON *resp;

    make_pool(&f,
              "{\"PoolName\":\"p\",\"Schema\":[{\"Name\":\"team\",\"AttributeDataType\":"
              "\"String\"}]}",
              "");
    assert_call_error(sign_up(&f, "alice", "[{\"Name\":\"custom:x\",\"Value\":\"1\"}]"),
                      "InvalidParameterException",
                      "Attributes did not conform to the schema: Type for attribute {custom:x} "
                      "could not be determined");
    assert_call_error(sign_up(&f, "alice", "[{\"Name\":\"email\",\"Value\":\"not-an-email\"}]"),
                      "InvalidParameterException", "Invalid email address format.");
    assert_call_error(sign_up(&f, "alice", "[{\"Name\":\"phone_number\",\"Value\":\"555\"}]"),
                      "InvalidParameterException", "Invalid phone number format.");
    sign_up_ok(&f, "alice", "[{\"Name\":\"custom:team\",\"Value\":\"red\"}]");
    resp = admin_get(&f, "alice");
    ck_assert_str_eq(attr(tu_get(resp, "UserAttributes"), "custom:team"), "red");
    cJSON_Delete(resp);
}
END_TEST

START_TEST(test_ops_user_client_write_attributes)
{
    struct fixture f;

    make_pool(&f, "{\"PoolName\":\"p\"}", "\"WriteAttributes\":[\"email\"]");
    assert_call_error(sign_up(&f, "alice", "[{\"Name\":\"given_name\",\"Value\":\"A\"}]"),
                      "NotAuthorizedException",
                      "A client attempted to write unauthorized attribute");
    sign_up_ok(&f, "alice", "[{\"Name\":\"email\",\"Value\":\"a@example.com\"}]");

    /* No client may mark its own email verified, even one without WriteAttributes. */
    make_pool(&f, "{\"PoolName\":\"q\"}", "");
    assert_call_error(sign_up(&f, "bob", "[{\"Name\":\"email_verified\",\"Value\":\"true\"}]"),
                      "NotAuthorizedException",
                      "A client attempted to write unauthorized attribute");
}
END_TEST

/* ---- Secrets and passwords --------------------------------------------------------------- */

START_TEST(test_ops_user_secret_hash_where_cognito_checks_it)
{
    struct fixture f;
    char message[160], code[7];
    char *hash;
    cJSON *resp;

    make_pool(&f, "{\"PoolName\":\"p\",\"AutoVerifiedAttributes\":[\"email\"]}",
              "\"GenerateSecret\":true");
    ck_assert_int_eq((int)strlen(f.secret), 51);
    snprintf(message, sizeof(message),
             "Client %s is configured for secret but secret was not received", f.client);
    assert_call_error(sign_up(&f, "alice", ""), "NotAuthorizedException", message);
    snprintf(message, sizeof(message), "Unable to verify secret hash for client %s", f.client);
    assert_call_error(tu_callf(env, IDP "SignUp",
                               "{\"ClientId\":\"%s\",\"Username\":\"alice\",\"Password\":"
                               "\"" PASSWORD "\",\"SecretHash\":\"bm9wZQ==\"}",
                               f.client),
                      "NotAuthorizedException", message);

    hash = secrets_secret_hash(f.secret, "alice", f.client);
    resp = tu_callf(env, IDP "SignUp",
                    "{\"ClientId\":\"%s\",\"Username\":\"alice\",\"Password\":\"" PASSWORD
                    "\",\"SecretHash\":\"%s\",\"UserAttributes\":[{\"Name\":\"email\","
                    "\"Value\":\"a@example.com\"}]}",
                    f.client, hash);
    ck_assert_ptr_null(tu_error_type(resp));
    cJSON_Delete(resp);
    /* ResendConfirmationCode and ConfirmSignUp check it too ... */
    assert_call_error(tu_callf(env, IDP "ResendConfirmationCode",
                               "{\"ClientId\":\"%s\",\"Username\":\"alice\"}", f.client),
                      "NotAuthorizedException", NULL);
    ck_assert_int_eq(pending_code(&f, "alice", code), 0);
    assert_call_error(confirm(&f, "alice", code), "NotAuthorizedException", NULL);
    resp = tu_callf(env, IDP "ConfirmSignUp",
                    "{\"ClientId\":\"%s\",\"Username\":\"alice\",\"ConfirmationCode\":\"%s\","
                    "\"SecretHash\":\"%s\"}",
                    f.client, code, hash);
    ck_assert_ptr_null(tu_error_type(resp));
    cJSON_Delete(resp);
    free(hash);
    /* ... the Admin operations do not. */
    resp = tu_callf(env, IDP "AdminCreateUser",
                    "{\"UserPoolId\":\"%s\",\"Username\":\"bob\",\"MessageAction\":\"SUPPRESS\"}",
                    f.pool);
    ck_assert_ptr_null(tu_error_type(resp));
    cJSON_Delete(resp);
}
END_TEST

START_TEST(test_ops_user_password_policy)
{
    struct fixture f;

    email_pool(&f);
    assert_call_error(tu_callf(env, IDP "SignUp",
                               "{\"ClientId\":\"%s\",\"Username\":\"alice\",\"Password\":"
                               "\"Sh0rt!\"}",
                               f.client),
                      "InvalidPasswordException",
                      "Password did not conform with policy: Password not long enough");
    assert_call_error(
        tu_callf(env, IDP "SignUp", "{\"ClientId\":\"%s\",\"Username\":\"alice\"}", f.client),
        "InvalidParameterException",
        "1 validation error detected: Value null at 'password' failed to satisfy "
        "constraint: Member must not be null");
    /* Nothing was stored by the refused calls. */
    ck_assert_ptr_null(stored_user(&f, "alice"));
}
END_TEST

START_TEST(test_ops_user_password_is_never_stored_in_plaintext)
{
    struct fixture f;
    struct store_user *u;
    cJSON *pool = NULL;
    struct op_ctx ctx = {.settings = NULL};

    email_pool(&f);
    sign_up_ok(&f, "alice", "[{\"Name\":\"email\",\"Value\":\"alice@example.com\"}]");
    u = stored_user(&f, "alice");
    ck_assert_ptr_nonnull(u);
    tu_assert_matches(u->srp_salt, "^[0-9a-f]+$");
    tu_assert_matches(u->srp_verifier, "^[0-9a-f]+$");
    ck_assert_ptr_null(strstr(u->attributes, PASSWORD));
    ck_assert_ptr_null(strstr(u->srp_verifier, PASSWORD));
    ck_assert_ptr_null(strstr(u->srp_salt, PASSWORD));

    ctx.db = store_acquire(env->store);
    ck_assert_int_eq(pool_load(&ctx, f.pool, &pool), 0);
    ck_assert_int_eq(user_password_matches(pool, u, PASSWORD), 1);
    ck_assert_int_eq(user_password_matches(pool, u, "Passw0rd?"), 0);
    store_release(env->store, ctx.db);
    cJSON_Delete(pool);
    store_user_free(u);
}
END_TEST

START_TEST(test_ops_user_sign_up_refused_when_only_admins_create_users)
{
    struct fixture f;

    make_pool(&f,
              "{\"PoolName\":\"p\",\"AdminCreateUserConfig\":{\"AllowAdminCreateUserOnly\":true}}",
              "");
    assert_call_error(sign_up(&f, "alice", ""), "NotAuthorizedException",
                      "SignUp is not permitted for this user pool");
}
END_TEST

/* ---- AdminCreateUser and AdminGetUser ---------------------------------------------------- */

START_TEST(test_ops_user_admin_create_user_with_a_temporary_password)
{
    struct fixture f;
    struct store_user *u;
    struct op_ctx ctx = {.settings = NULL};
    cJSON *resp, *user, *pool = NULL;
    char *log;

    email_pool(&f);
    capture_start();
    resp = tu_callf(env, IDP "AdminCreateUser",
                    "{\"UserPoolId\":\"%s\",\"Username\":\"erin\",\"TemporaryPassword\":"
                    "\"Temp0rary!\",\"DesiredDeliveryMediums\":[\"EMAIL\"],\"UserAttributes\":"
                    "[{\"Name\":\"email\",\"Value\":\"erin@example.com\"},{\"Name\":"
                    "\"email_verified\",\"Value\":\"True\"}]}",
                    f.pool);
    log = capture_end();
    ck_assert_msg(tu_error_type(resp) == NULL, "%s", tu_str(resp, "message"));
    user = tu_get(resp, "User");
    ck_assert_str_eq(tu_str(user, "Username"), "erin");
    ck_assert_str_eq(tu_str(user, "UserStatus"), "FORCE_CHANGE_PASSWORD");
    ck_assert(tu_bool(user, "Enabled"));
    ck_assert(tu_num(user, "UserCreateDate") > 1.0e9);
    tu_assert_matches(attr(tu_get(user, "Attributes"), "sub"), UUID_RE);
    ck_assert_str_eq(attr(tu_get(user, "Attributes"), "email_verified"), "true");
    cJSON_Delete(resp);
    ck_assert_msg(strstr(log, "invitation") && strstr(log, "erin@example.com") &&
                      strstr(log, "EMAIL"),
                  "log: %s", log);
    free(log);

    u = stored_user(&f, "erin");
    ctx.db = store_acquire(env->store);
    ck_assert_int_eq(pool_load(&ctx, f.pool, &pool), 0);
    ck_assert_int_eq(user_password_matches(pool, u, "Temp0rary!"), 1);
    store_release(env->store, ctx.db);
    cJSON_Delete(pool);
    store_user_free(u);

    assert_call_error(tu_callf(env, IDP "AdminCreateUser",
                               "{\"UserPoolId\":\"%s\",\"Username\":\"erin\"}", f.pool),
                      "UsernameExistsException", "User already exists");
    assert_call_error(tu_callf(env, IDP "AdminCreateUser",
                               "{\"UserPoolId\":\"%s\",\"Username\":\"fay\",\"TemporaryPassword\":"
                               "\"short\"}",
                               f.pool),
                      "InvalidPasswordException",
                      "Password did not conform with policy: Password not long enough");
}
END_TEST

START_TEST(test_ops_user_admin_create_user_generates_and_suppresses)
{
    struct fixture f;
    struct store_user *u;
    cJSON *resp;
    char *log;

    email_pool(&f);
    /* An invitation needs its medium's attribute ... */
    assert_call_error(tu_callf(env, IDP "AdminCreateUser",
                               "{\"UserPoolId\":\"%s\",\"Username\":\"gus\","
                               "\"DesiredDeliveryMediums\":[\"EMAIL\"]}",
                               f.pool),
                      "InvalidParameterException",
                      "No email provided but desired delivery medium was Email");
    /* ... unless none is sent. */
    capture_start();
    resp = tu_callf(env, IDP "AdminCreateUser",
                    "{\"UserPoolId\":\"%s\",\"Username\":\"gus\",\"MessageAction\":\"SUPPRESS\","
                    "\"DesiredDeliveryMediums\":[\"EMAIL\"]}",
                    f.pool);
    log = capture_end();
    ck_assert_msg(tu_error_type(resp) == NULL, "%s", tu_str(resp, "message"));
    ck_assert_str_eq(tu_str(tu_get(resp, "User"), "UserStatus"), "FORCE_CHANGE_PASSWORD");
    cJSON_Delete(resp);
    ck_assert_msg(strstr(log, "delivery") == NULL, "log: %s", log);
    free(log);
    /* The generated temporary password is stored as a verifier like any other. */
    u = stored_user(&f, "gus");
    ck_assert_ptr_nonnull(u->srp_verifier);
    ck_assert_ptr_nonnull(u->srp_salt);
    store_user_free(u);
}
END_TEST

START_TEST(test_ops_user_admin_create_user_in_an_email_pool)
{
    struct fixture f;
    cJSON *resp;

    make_pool(&f, "{\"PoolName\":\"p\",\"UsernameAttributes\":[\"email\"]}", "");
    assert_call_error(tu_callf(env, IDP "AdminCreateUser",
                               "{\"UserPoolId\":\"%s\",\"Username\":\"hal\"}", f.pool),
                      "InvalidParameterException", "Username should be an email.");
    resp = tu_callf(env, IDP "AdminCreateUser",
                    "{\"UserPoolId\":\"%s\",\"Username\":\"hal@example.com\","
                    "\"MessageAction\":\"SUPPRESS\"}",
                    f.pool);
    ck_assert_ptr_null(tu_error_type(resp));
    tu_assert_matches(tu_str(tu_get(resp, "User"), "Username"), UUID_RE);
    ck_assert_str_eq(attr(tu_get(tu_get(resp, "User"), "Attributes"), "email"), "hal@example.com");
    cJSON_Delete(resp);
}
END_TEST

START_TEST(test_ops_user_admin_get_user)
{
    struct fixture f;
    cJSON *resp;
    char message[160];

    email_pool(&f);
    sign_up_ok(&f, "alice", "[{\"Name\":\"email\",\"Value\":\"alice@example.com\"}]");
    resp = admin_get(&f, "alice");
    ck_assert_ptr_null(tu_error_type(resp));
    ck_assert_str_eq(tu_str(resp, "Username"), "alice");
    ck_assert_str_eq(attr(tu_get(resp, "UserAttributes"), "email"), "alice@example.com");
    ck_assert(tu_num(resp, "UserCreateDate") > 1.0e9);
    ck_assert(tu_num(resp, "UserLastModifiedDate") >= tu_num(resp, "UserCreateDate"));
    ck_assert(tu_bool(resp, "Enabled"));
    ck_assert_str_eq(tu_str(resp, "UserStatus"), "UNCONFIRMED");
    ck_assert_ptr_null(tu_get(resp, "MFAOptions"));
    ck_assert_ptr_null(tu_get(resp, "UserMFASettingList"));
    ck_assert_ptr_null(tu_get(resp, "PreferredMfaSetting"));
    ck_assert_ptr_null(tu_get(resp, "Attributes"));
    cJSON_Delete(resp);
    assert_call_error(admin_get(&f, "nobody"), "UserNotFoundException", "User does not exist.");
    snprintf(message, sizeof(message), "User pool %s does not exist.", "us-east-1_nopenope1");
    assert_call_error(tu_callf(env, IDP "AdminGetUser",
                               "{\"UserPoolId\":\"us-east-1_nopenope1\",\"Username\":\"a\"}"),
                      "ResourceNotFoundException", message);
}
END_TEST

/* ---- ListUsers --------------------------------------------------------------------------- */

/* Five users user0..user4 (user<i>@example.com), user1 and user3 confirmed. */
static void five_users(struct fixture *f)
{
    char name[16], attrs[96];

    email_pool(f);
    for (int i = 0; i < 5; i++) {
        snprintf(name, sizeof(name), "user%d", i);
        snprintf(attrs, sizeof(attrs), "[{\"Name\":\"email\",\"Value\":\"user%d@example.com\"}]",
                 i);
        sign_up_ok(f, name, attrs);
        if (i % 2 == 1)
            cJSON_Delete(tu_callf(env, IDP "AdminConfirmSignUp",
                                  "{\"UserPoolId\":\"%s\",\"Username\":\"%s\"}", f->pool, name));
    }
}

/* ListUsers with extra request members; the response. */
static cJSON *list_users(const struct fixture *f, const char *extra)
{
    return tu_callf(env, IDP "ListUsers", "{\"UserPoolId\":\"%s\"%s%s}", f->pool,
                    extra[0] ? "," : "", extra);
}

/* The usernames of a ListUsers response joined with ',' into out. */
static const char *names(const cJSON *resp, char *out, size_t n)
{
    const cJSON *u;

    out[0] = '\0';
    cJSON_ArrayForEach(u, tu_get(resp, "Users"))
    {
        size_t len = strlen(out);
        snprintf(out + len, n - len, "%s%s", len ? "," : "", tu_str(u, "Username"));
    }
    return out;
}

START_TEST(test_ops_user_list_users_pages)
{
    struct fixture f;
    char buf[256], extra[256], all[256] = "";
    cJSON *resp;
    const char *token = NULL;
    int pages = 0;

    five_users(&f);
    do {
        snprintf(extra, sizeof(extra), "\"Limit\":2%s%s%s", token ? ",\"PaginationToken\":\"" : "",
                 token ? token : "", token ? "\"" : "");
        resp = list_users(&f, extra);
        ck_assert_msg(tu_error_type(resp) == NULL, "%s", tu_str(resp, "message"));
        ck_assert_int_le(cJSON_GetArraySize(tu_get(resp, "Users")), 2);
        snprintf(all + strlen(all), sizeof(all) - strlen(all), "%s%s", all[0] ? "," : "",
                 names(resp, buf, sizeof(buf)));
        free((char *)token);
        token = tu_str(resp, "PaginationToken") ? strdup(tu_str(resp, "PaginationToken")) : NULL;
        cJSON_Delete(resp);
        pages++;
    } while (token != NULL);
    ck_assert_int_eq(pages, 3);
    ck_assert_str_eq(all, "user0,user1,user2,user3,user4");

    resp = list_users(&f, "");
    ck_assert_int_eq(cJSON_GetArraySize(tu_get(resp, "Users")), 5);
    ck_assert_ptr_null(tu_get(resp, "PaginationToken"));
    {
        const cJSON *u = cJSON_GetArrayItem(tu_get(resp, "Users"), 1);
        ck_assert_str_eq(tu_str(u, "UserStatus"), "CONFIRMED");
        ck_assert(tu_bool(u, "Enabled"));
        ck_assert(tu_num(u, "UserCreateDate") > 1.0e9);
        ck_assert_str_eq(attr(tu_get(u, "Attributes"), "email"), "user1@example.com");
    }
    cJSON_Delete(resp);
    assert_call_error(list_users(&f, "\"PaginationToken\":\"bogus\""), "InvalidParameterException",
                      "Invalid PaginationToken.");
}
END_TEST

START_TEST(test_ops_user_list_users_filters)
{
    struct fixture f;
    char buf[256];
    cJSON *resp;
    static const char *const cases[][2] = {
        {"username = \\\"user2\\\"", "user2"},
        {"username=\\\"user2\\\"", "user2"},
        {"email ^= \\\"user3\\\"", "user3"},
        {"email^=\\\"user\\\"", "user0,user1,user2,user3,user4"},
        {"email = \\\"user4@example.com\\\"", "user4"},
        {"cognito:user_status = \\\"confirmed\\\"", "user1,user3"},
        {"status = \\\"Enabled\\\"", "user0,user1,user2,user3,user4"},
        {"family_name = \\\"\\\"", ""},
        {"email = \\\"us\\\\\\\"er\\\"", ""},
        {"", "user0,user1,user2,user3,user4"},
    };

    five_users(&f);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        resp = tu_callf(env, IDP "ListUsers", "{\"UserPoolId\":\"%s\",\"Filter\":\"%s\"}", f.pool,
                        cases[i][0]);
        ck_assert_msg(tu_error_type(resp) == NULL, "%s: %s", cases[i][0], tu_str(resp, "message"));
        ck_assert_msg(strcmp(names(resp, buf, sizeof(buf)), cases[i][1]) == 0, "%s: got %s",
                      cases[i][0], buf);
        cJSON_Delete(resp);
    }
    assert_call_error(list_users(&f, "\"Filter\":\"username = user2\""),
                      "InvalidParameterException", "Error while parsing filter");
    assert_call_error(list_users(&f, "\"Filter\":\"username =\""), "InvalidParameterException",
                      "Error while parsing filter");
    assert_call_error(list_users(&f, "\"Filter\":\"custom:team = \\\"red\\\"\""),
                      "InvalidParameterException", "Invalid search attribute: custom:team");
}
END_TEST

START_TEST(test_ops_user_list_users_attributes_to_get)
{
    struct fixture f;
    const cJSON *u;
    cJSON *resp;

    five_users(&f);
    resp = list_users(&f, "\"AttributesToGet\":[\"email\"]");
    ck_assert_ptr_null(tu_error_type(resp));
    cJSON_ArrayForEach(u, tu_get(resp, "Users"))
    {
        ck_assert_int_eq(cJSON_GetArraySize(tu_get(u, "Attributes")), 1);
        ck_assert_ptr_nonnull(attr(tu_get(u, "Attributes"), "email"));
    }
    cJSON_Delete(resp);
}
END_TEST

/* ---- GetUser ----------------------------------------------------------------------------- */

/* An access token for username issued to the fixture's client (tokens.c, as sign-in does). */
static char *access_token(const struct fixture *f, const char *username)
{
    struct op_ctx ctx = {.settings = &env->settings, .region = "us-east-1"};
    cJSON *client = NULL, *pool = NULL, *result = cJSON_CreateObject();
    struct store_user *u = NULL;
    char *token;

    ctx.db = store_acquire(env->store);
    ctx.now_ms = clock_now_ms();
    ck_assert_int_eq(client_load_in_pool(&ctx, f->pool, f->client, &client, &pool), 0);
    ck_assert_int_eq(user_find(&ctx, pool, username, &u), STORE_OK);
    struct token_grant grant = {.pool = pool,
                                .client = client,
                                .user = u,
                                .auth_time = ctx.now_ms / 1000,
                                .with_refresh_token = false};
    ck_assert_msg(tokens_issue(&ctx, &grant, result) == 0, "%s", ctx.err.message);
    store_release(env->store, ctx.db);
    token = strdup(tu_str(result, "AccessToken"));
    cJSON_Delete(result);
    cJSON_Delete(client);
    cJSON_Delete(pool);
    store_user_free(u);
    return token;
}

START_TEST(test_ops_user_get_user_shows_what_the_client_may_read)
{
    struct fixture f;
    char *token;
    cJSON *resp;

    make_pool(&f, "{\"PoolName\":\"p\"}", "\"ReadAttributes\":[\"email\"]");
    sign_up_ok(&f, "alice",
               "[{\"Name\":\"email\",\"Value\":\"alice@example.com\"},{\"Name\":\"given_name\","
               "\"Value\":\"Alice\"}]");
    cJSON_Delete(tu_callf(env, IDP "AdminConfirmSignUp",
                          "{\"UserPoolId\":\"%s\",\"Username\":\"alice\"}", f.pool));
    token = access_token(&f, "alice");
    resp = tu_callf(env, IDP "GetUser", "{\"AccessToken\":\"%s\"}", token);
    ck_assert_msg(tu_error_type(resp) == NULL, "%s", tu_str(resp, "message"));
    ck_assert_str_eq(tu_str(resp, "Username"), "alice");
    ck_assert_str_eq(attr(tu_get(resp, "UserAttributes"), "email"), "alice@example.com");
    ck_assert_ptr_nonnull(attr(tu_get(resp, "UserAttributes"), "sub"));
    ck_assert_ptr_null(attr(tu_get(resp, "UserAttributes"), "given_name"));
    ck_assert_ptr_null(tu_get(resp, "MFAOptions"));
    ck_assert_ptr_null(tu_get(resp, "UserMFASettingList"));
    cJSON_Delete(resp);
    free(token);
    assert_call_error(tu_call(env, IDP "GetUser", "{\"AccessToken\":\"not.a.token\"}"),
                      "NotAuthorizedException", NULL);
}
END_TEST

START_TEST(test_ops_user_admin_create_user_resend)
{
    struct fixture f;
    struct store_user *u;
    struct op_ctx ctx = {.settings = NULL};
    cJSON *resp, *pool = NULL;

    email_pool(&f);
    cJSON_Delete(tu_callf(env, IDP "AdminCreateUser",
                          "{\"UserPoolId\":\"%s\",\"Username\":\"ivy\",\"MessageAction\":"
                          "\"SUPPRESS\",\"UserAttributes\":[{\"Name\":\"email\",\"Value\":"
                          "\"ivy@example.com\"}]}",
                          f.pool));
    resp = tu_callf(env, IDP "AdminCreateUser",
                    "{\"UserPoolId\":\"%s\",\"Username\":\"ivy\",\"MessageAction\":\"RESEND\","
                    "\"TemporaryPassword\":\"Again0000!\"}",
                    f.pool);
    ck_assert_msg(tu_error_type(resp) == NULL, "%s", tu_str(resp, "message"));
    ck_assert_str_eq(tu_str(tu_get(resp, "User"), "Username"), "ivy");
    cJSON_Delete(resp);
    u = stored_user(&f, "ivy");
    ctx.db = store_acquire(env->store);
    ck_assert_int_eq(pool_load(&ctx, f.pool, &pool), 0);
    ck_assert_int_eq(user_password_matches(pool, u, "Again0000!"), 1);
    store_release(env->store, ctx.db);
    cJSON_Delete(pool);
    store_user_free(u);

    assert_call_error(tu_callf(env, IDP "AdminCreateUser",
                               "{\"UserPoolId\":\"%s\",\"Username\":\"nobody\",\"MessageAction\":"
                               "\"RESEND\"}",
                               f.pool),
                      "UserNotFoundException", "User does not exist.");
    sign_up_ok(&f, "jo", "");
    assert_call_error(tu_callf(env, IDP "AdminCreateUser",
                               "{\"UserPoolId\":\"%s\",\"Username\":\"jo\",\"MessageAction\":"
                               "\"RESEND\"}",
                               f.pool),
                      "UnsupportedUserStateException",
                      "Resend not possible. jo status is not FORCE_CHANGE_PASSWORD");
}
END_TEST

/* ---- Shared rules of user.c and client.c that sign-in relies on
 * ----------------------------------- */

/* client_check_auth_flow for a client document given as JSON text; the refusal or "". */
static const char *auth_flow(const char *client_json, const char *flow, char *out, size_t n)
{
    struct op_ctx ctx = {.settings = NULL};
    cJSON *client = cJSON_Parse(client_json);

    ck_assert_ptr_nonnull(client);
    if (client_check_auth_flow(&ctx, client, flow) == 0)
        snprintf(out, n, "%s", "");
    else
        snprintf(out, n, "%s: %s", cog_err_type(ctx.err.code), ctx.err.message);
    cJSON_Delete(client);
    return out;
}

START_TEST(test_userpool_auth_flows_follow_explicit_auth_flows)
{
    static const char *const cases[][3] = {
        /* Absent: SRP, custom and refresh. */
        {"{}", "USER_SRP_AUTH", ""},
        {"{}", "CUSTOM_AUTH", ""},
        {"{}", "REFRESH_TOKEN_AUTH", ""},
        {"{}", "REFRESH_TOKEN", ""},
        {"{}", "USER_PASSWORD_AUTH",
         "InvalidParameterException: USER_PASSWORD_AUTH flow not enabled for this client"},
        {"{}", "ADMIN_USER_PASSWORD_AUTH",
         "InvalidParameterException: Auth flow not enabled for this client"},
        /* ALLOW_ names: exactly those. */
        {"{\"ExplicitAuthFlows\":[\"ALLOW_USER_PASSWORD_AUTH\"]}", "USER_PASSWORD_AUTH", ""},
        {"{\"ExplicitAuthFlows\":[\"ALLOW_USER_PASSWORD_AUTH\"]}", "USER_SRP_AUTH",
         "InvalidParameterException: USER_SRP_AUTH is not enabled for the client."},
        {"{\"ExplicitAuthFlows\":[\"ALLOW_ADMIN_USER_PASSWORD_AUTH\"]}", "ADMIN_NO_SRP_AUTH", ""},
        {"{\"ExplicitAuthFlows\":[\"ALLOW_ADMIN_USER_PASSWORD_AUTH\"]}", "REFRESH_TOKEN_AUTH",
         "InvalidParameterException: Auth flow not enabled for this client"},
        /* Legacy names: SRP, custom and refresh besides, unless custom only. */
        {"{\"ExplicitAuthFlows\":[\"ADMIN_NO_SRP_AUTH\"]}", "ADMIN_USER_PASSWORD_AUTH", ""},
        {"{\"ExplicitAuthFlows\":[\"ADMIN_NO_SRP_AUTH\"]}", "USER_SRP_AUTH", ""},
        {"{\"ExplicitAuthFlows\":[\"ADMIN_NO_SRP_AUTH\"]}", "REFRESH_TOKEN_AUTH", ""},
        {"{\"ExplicitAuthFlows\":[\"ADMIN_NO_SRP_AUTH\"]}", "USER_PASSWORD_AUTH",
         "InvalidParameterException: USER_PASSWORD_AUTH flow not enabled for this client"},
        {"{\"ExplicitAuthFlows\":[\"CUSTOM_AUTH_FLOW_ONLY\"]}", "CUSTOM_AUTH", ""},
        {"{\"ExplicitAuthFlows\":[\"CUSTOM_AUTH_FLOW_ONLY\"]}", "USER_SRP_AUTH",
         "InvalidParameterException: USER_SRP_AUTH is not enabled for the client."},
    };
    char got[640];

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        ck_assert_msg(strcmp(auth_flow(cases[i][0], cases[i][1], got, sizeof(got)), cases[i][2]) ==
                          0,
                      "%s %s: got '%s'", cases[i][0], cases[i][1], got);
}
END_TEST

START_TEST(test_userpool_username_key_folds_only_case_insensitive_pools)
{
    cJSON *sensitive = cJSON_Parse("{\"Id\":\"us-east-1_a\"}");
    cJSON *insensitive =
        cJSON_Parse("{\"Id\":\"us-east-1_a\",\"UsernameConfiguration\":{\"CaseSensitive\":false}}");
    char *key;

    key = user_name_key(sensitive, "Alice");
    ck_assert_str_eq(key, "Alice");
    free(key);
    key = user_name_key(insensitive, "AlIcE@Example.COM");
    ck_assert_str_eq(key, "alice@example.com");
    free(key);
    key = user_name_key(insensitive, "J\xc3\x96RG"); /* bytes beyond ASCII unchanged */
    ck_assert_str_eq(key, "j\xc3\x96rg");
    free(key);
    cJSON_Delete(sensitive);
    cJSON_Delete(insensitive);
}
END_TEST

START_TEST(test_userpool_secret_hash)
{
    struct op_ctx ctx = {.settings = NULL};
    cJSON *with = cJSON_Parse("{\"ClientId\":\"abc\",\"ClientSecret\":\"s3cret\"}");
    cJSON *without = cJSON_Parse("{\"ClientId\":\"abc\"}");
    char *hash = secrets_secret_hash("s3cret", "alice", "abc");

    ck_assert_int_eq(client_check_secret_hash(&ctx, without, "alice", NULL), 0);
    ck_assert_int_eq(client_check_secret_hash(&ctx, with, "alice", hash), 0);
    ck_assert_int_eq(client_check_secret_hash(&ctx, with, "bob", hash), -1);
    ck_assert_str_eq(ctx.err.message, "Unable to verify secret hash for client abc");
    ck_assert_int_eq(client_check_secret_hash(&ctx, with, "alice", NULL), -1);
    ck_assert_int_eq(ctx.err.code, COG_E_NOT_AUTHORIZED);
    ck_assert_str_eq(ctx.err.message,
                     "Client abc is configured for secret but secret was not received");
    free(hash);
    cJSON_Delete(with);
    cJSON_Delete(without);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("ops_user");
    TCase *tc = tcase_create("user");

    tcase_add_checked_fixture(tc, tu_setup, tu_teardown);
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, test_ops_user_sign_up_sends_a_code_that_confirms);
    tcase_add_test(tc, test_ops_user_confirm_refuses_a_wrong_code);
    tcase_add_test(tc, test_ops_user_confirm_refuses_a_code_after_24_hours);
    tcase_add_test(tc, test_ops_user_confirm_refuses_a_confirmed_user);
    tcase_add_test(tc, test_ops_user_resend_sends_a_new_code);
    tcase_add_test(tc, test_ops_user_pool_without_auto_verification_sends_no_code);
    tcase_add_test(tc, test_ops_user_hidden_user_existence);
    tcase_add_test(tc, test_ops_user_sign_up_refuses_a_taken_username);
    tcase_add_test(tc, test_ops_user_case_insensitive_pool);
    tcase_add_test(tc, test_ops_user_email_as_username);
    tcase_add_test(tc, test_ops_user_email_or_phone_as_username);
    tcase_add_test(tc, test_ops_user_alias_pool);
    tcase_add_test(tc, test_ops_user_required_attributes);
    tcase_add_test(tc, test_ops_user_unknown_and_malformed_attributes);
    tcase_add_test(tc, test_ops_user_client_write_attributes);
    tcase_add_test(tc, test_ops_user_secret_hash_where_cognito_checks_it);
    tcase_add_test(tc, test_ops_user_password_policy);
    tcase_add_test(tc, test_ops_user_password_is_never_stored_in_plaintext);
    tcase_add_test(tc, test_ops_user_sign_up_refused_when_only_admins_create_users);
    tcase_add_test(tc, test_ops_user_admin_create_user_with_a_temporary_password);
    tcase_add_test(tc, test_ops_user_admin_create_user_generates_and_suppresses);
    tcase_add_test(tc, test_ops_user_admin_create_user_in_an_email_pool);
    tcase_add_test(tc, test_ops_user_admin_get_user);
    tcase_add_test(tc, test_ops_user_list_users_pages);
    tcase_add_test(tc, test_ops_user_list_users_filters);
    tcase_add_test(tc, test_ops_user_list_users_attributes_to_get);
    tcase_add_test(tc, test_ops_user_get_user_shows_what_the_client_may_read);
    tcase_add_test(tc, test_ops_user_admin_create_user_resend);
    tcase_add_test(tc, test_userpool_auth_flows_follow_explicit_auth_flows);
    tcase_add_test(tc, test_userpool_username_key_folds_only_case_insensitive_pools);
    tcase_add_test(tc, test_userpool_secret_hash);
    suite_add_tcase(s, tc);
    return s;
}
