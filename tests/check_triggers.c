/*
 * check_triggers: the trigger seam (triggers/triggers.h) and the after-commit queue it relies
 * on (ops_after_commit in aws/ops_common.h): work queued inside a transaction runs after the
 * commit, in order, and never after a rollback; outside one it runs at once; a trigger point
 * reached inside a transaction is a programmer error that aborts.
 */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aws/ops_common.h"
#include "store/store.h"
#include "testutil.h"
#include "triggers/triggers.h"
#include "userpool/delivery.h"

/* A job that appends its letter to the log it was given. */
struct job_log {
    char seen[8];
    int freed;
};

struct job {
    struct job_log *log;
    char letter;
};

static int record(struct op_ctx *ctx, void *arg)
{
    struct job *j = arg;

    ck_assert(!ops_txn_open(ctx)); /* the write lock is free when a job runs */
    j->log->seen[strlen(j->log->seen)] = j->letter;
    return 0;
}

static void release(void *arg)
{
    struct job *j = arg;

    j->log->freed++;
    free(j);
}

static void queue(struct op_ctx *ctx, struct job_log *log, char letter)
{
    struct job *j = malloc(sizeof(*j));

    ck_assert_ptr_nonnull(j);
    *j = (struct job){log, letter};
    ck_assert_int_eq(ops_after_commit(ctx, record, j, release), 0);
}

/* An op_ctx on a connection of the fixture's store (released by done()). */
static struct op_ctx ctx_new(void)
{
    struct op_ctx ctx = {.settings = &tu_fixture.settings};

    ctx.db = store_acquire(tu_fixture.store);
    return ctx;
}

static void done(struct op_ctx *ctx)
{
    ops_ctx_finish(ctx);
    store_release(tu_fixture.store, ctx->db);
}

START_TEST(test_after_commit_runs_at_once_outside_a_transaction)
{
    struct op_ctx ctx = ctx_new();
    struct job_log log = {{0}, 0};

    queue(&ctx, &log, 'a');
    ck_assert_str_eq(log.seen, "a");
    ck_assert_int_eq(log.freed, 1);
    done(&ctx);
}
END_TEST

START_TEST(test_after_commit_waits_for_the_commit_and_keeps_order)
{
    struct op_ctx ctx = ctx_new();
    struct job_log log = {{0}, 0};

    ck_assert_int_eq(ops_txn_begin(&ctx), 0);
    ck_assert(ops_txn_open(&ctx));
    queue(&ctx, &log, 'a');
    queue(&ctx, &log, 'b');
    queue(&ctx, &log, 'c');
    ck_assert_str_eq(log.seen, "");
    ck_assert_int_eq(ops_txn_end(&ctx, 0), 0);
    ck_assert_str_eq(log.seen, "abc");
    ck_assert_int_eq(log.freed, 3);
    done(&ctx);
}
END_TEST

START_TEST(test_after_commit_is_dropped_by_a_rollback_and_at_the_end)
{
    struct op_ctx ctx = ctx_new();
    struct job_log log = {{0}, 0};

    ck_assert_int_eq(ops_txn_begin(&ctx), 0);
    queue(&ctx, &log, 'a');
    ck_assert_int_eq(ops_txn_end(&ctx, -1), -1);
    ck_assert_str_eq(log.seen, "");
    ck_assert_int_eq(log.freed, 1);
    /* A handler that never ends its transaction: the request's end frees the job unrun. */
    ck_assert_int_eq(ops_txn_begin(&ctx), 0);
    queue(&ctx, &log, 'b');
    ops_ctx_finish(&ctx);
    ck_assert_str_eq(log.seen, "");
    ck_assert_int_eq(log.freed, 2);
    store_rollback(ctx.db);
    done(&ctx);
}
END_TEST

START_TEST(test_triggers_function_reads_names_and_sender_objects)
{
    cJSON *config = cJSON_Parse("{\"PreSignUp\":\"arn:aws:lambda:us-east-1:1:function:pre\","
                                "\"PostConfirmation\":\"\","
                                "\"CustomEmailSender\":{\"LambdaArn\":\"arn:email\","
                                "\"LambdaVersion\":\"V1_0\"}}");

    ck_assert_ptr_nonnull(config);
    ck_assert_str_eq(triggers_function(config, "PreSignUp"),
                     "arn:aws:lambda:us-east-1:1:function:pre");
    ck_assert_str_eq(triggers_function(config, "CustomEmailSender"), "arn:email");
    ck_assert_ptr_null(triggers_function(config, "PostConfirmation"));
    ck_assert_ptr_null(triggers_function(config, "CustomMessage"));
    ck_assert_ptr_null(triggers_function(NULL, "PreSignUp"));
    cJSON_Delete(config);
}
END_TEST

/* Reaching a trigger point with the write lock held is a programmer error: it aborts. */
START_TEST(test_trigger_points_refuse_to_run_inside_a_transaction)
{
    struct op_ctx ctx = ctx_new();
    cJSON *pool = cJSON_Parse("{\"Id\":\"us-east-1_abc\",\"LambdaConfig\":"
                              "{\"PostConfirmation\":\"f\"}}");
    struct trigger_caller caller = triggers_caller(pool, "client", "alice", NULL);

    ck_assert_int_eq(ops_txn_begin(&ctx), 0);
    triggers_post_confirmation(&ctx, &caller, "PostConfirmation_ConfirmSignUp");
}
END_TEST

static const char SIGN_UP_POOL[] =
    "{\"PoolName\":\"p\",\"AutoVerifiedAttributes\":[\"email\"],"
    "\"LambdaConfig\":{\"PreSignUp\":\"arn:aws:lambda:us-east-1:1:function:x\","
    "\"CustomMessage\":\"arn:aws:lambda:us-east-1:1:function:y\"}}";

/* SignUp of alice in a new pool made from pool_body; the answer (cJSON_Delete). */
static cJSON *sign_up_in(const char *pool_body, char **pool_id)
{
    cJSON *client, *r;

    *pool_id = tu_create_user_pool(&tu_fixture, pool_body);
    client = tu_callf(&tu_fixture, IDP "CreateUserPoolClient",
                      "{\"UserPoolId\":\"%s\",\"ClientName\":\"c\"}", *pool_id);
    r = tu_callf(&tu_fixture, IDP "SignUp",
                 "{\"ClientId\":\"%s\",\"Username\":\"alice\",\"Password\":\"Passw0rd!\","
                 "\"UserAttributes\":[{\"Name\":\"email\",\"Value\":\"a@example.com\"}]}",
                 tu_str(tu_get(client, "UserPoolClient"), "ClientId"));
    cJSON_Delete(client);
    return r;
}

/*
 * A pool that names a trigger while the server has no Lambda endpoint: the operation fails
 * with UnexpectedLambdaException and writes nothing; never a silent skip.
 */
START_TEST(test_a_trigger_without_an_endpoint_fails_loudly)
{
    char *pool;
    cJSON *r = sign_up_in(SIGN_UP_POOL, &pool), *users;

    tu_assert_error(r, "UnexpectedLambdaException",
                    "PreSignUp invocation failed due to error no Lambda endpoint is configured "
                    "(--lambda-endpoint).");
    users = tu_callf(&tu_fixture, IDP "ListUsers", "{\"UserPoolId\":\"%s\"}", pool);
    ck_assert_int_eq(cJSON_GetArraySize(tu_get(users, "Users")), 0);
    cJSON_Delete(users);
    cJSON_Delete(r);
    free(pool);
}
END_TEST

/* --lambda-endpoint none: the pool's triggers are not called, and the steps go on. */
START_TEST(test_sign_up_with_triggers_off_goes_on_without_them)
{
    char *pool;
    cJSON *r;
    struct store_message_filter filter = {.username = "alice", .limit = 10};
    struct store_message **messages = NULL;
    size_t count = 0;
    int64_t last_id = 0;

    strcpy(tu_fixture.settings.lambda_endpoint, "none");
    r = sign_up_in(SIGN_UP_POOL, &pool);
    ck_assert_msg(tu_error_type(r) == NULL, "%s", cJSON_PrintUnformatted(r));
    ck_assert(!tu_bool(r, "UserConfirmed"));
    ck_assert_str_eq(tu_str(tu_get(r, "CodeDeliveryDetails"), "DeliveryMedium"), "EMAIL");
    /* The code went out after the commit, to the inbox, with the user's details. */
    ck_assert_int_eq(inbox_list(tu_fixture.store, &filter, &messages, &count, &last_id), 0);
    ck_assert_uint_eq(count, 1);
    ck_assert_str_eq(messages[0]->kind, "sign-up");
    ck_assert_str_eq(messages[0]->destination, "a@example.com");
    ck_assert_uint_eq(strlen(messages[0]->code), 6);
    store_message_list_free(messages, count);
    cJSON_Delete(r);
    free(pool);
}
END_TEST

/* Standard error into a new temporary file until stderr_read(): what the seam logged. */
static int stderr_capture(FILE **file)
{
    int saved = dup(STDERR_FILENO);

    *file = tmpfile();
    ck_assert_ptr_nonnull(*file);
    fflush(stderr);
    ck_assert_int_ge(dup2(fileno(*file), STDERR_FILENO), 0);
    return saved;
}

/* Restore stderr and return what was written meanwhile (free()). */
static char *stderr_read(FILE *file, int saved)
{
    long len;
    char *text;

    fflush(stderr);
    dup2(saved, STDERR_FILENO);
    close(saved);
    len = ftell(file);
    text = calloc(1, (size_t)len + 1);
    ck_assert_ptr_nonnull(text);
    rewind(file);
    ck_assert_uint_eq(fread(text, 1, (size_t)len, file), (size_t)len);
    fclose(file);
    return text;
}

/*
 * Every trigger point of a pool that names functions is reached where Cognito reaches it, with
 * Cognito's triggerSource, and says so (never a silent skip). Every point is invoked now, so
 * with triggers off (--lambda-endpoint none, as here) none of them warns "does not invoke
 * this trigger yet" any more: AdminCreateUser's message, a password sign-in's, a refresh's and
 * a new password's pre token generation. Their sources are proven with the fake Lambda in
 * check_trigger_message and check_trigger_token.
 */
START_TEST(test_trigger_points_name_their_sources_and_are_never_silent)
{
    char *pool = tu_create_user_pool(
        &tu_fixture, "{\"PoolName\":\"p\",\"LambdaConfig\":{"
                     "\"PreSignUp\":\"arn:aws:lambda:us-east-1:1:function:pre\","
                     "\"PreTokenGeneration\":\"arn:aws:lambda:us-east-1:1:function:tok\","
                     "\"CustomMessage\":\"arn:aws:lambda:us-east-1:1:function:msg\"}}");
    cJSON *client = tu_callf(&tu_fixture, IDP "CreateUserPoolClient",
                             "{\"UserPoolId\":\"%s\",\"ClientName\":\"c\",\"ExplicitAuthFlows\":"
                             "[\"ALLOW_ADMIN_USER_PASSWORD_AUTH\",\"ALLOW_REFRESH_TOKEN_AUTH\"]}",
                             pool);
    const char *cid = tu_str(tu_get(client, "UserPoolClient"), "ClientId");
    char body[512];
    cJSON *r, *session;
    FILE *file;
    int saved = stderr_capture(&file);
    char *log;

    strcpy(tu_fixture.settings.lambda_endpoint, "none");
    r = tu_callf(
        &tu_fixture, IDP "AdminCreateUser",
        "{\"UserPoolId\":\"%s\",\"Username\":\"alice\",\"TemporaryPassword\":"
        "\"Temp0rary!x\",\"UserAttributes\":[{\"Name\":\"email\",\"Value\":\"a@example.com\"}]}",
        pool);
    ck_assert_ptr_null(tu_error_type(r));
    cJSON_Delete(r);
    snprintf(body, sizeof(body),
             "{\"UserPoolId\":\"%s\",\"ClientId\":\"%s\",\"AuthFlow\":\"ADMIN_USER_PASSWORD_AUTH\","
             "\"AuthParameters\":{\"USERNAME\":\"alice\",\"PASSWORD\":\"Temp0rary!x\"}}",
             pool, cid);
    session = tu_call(&tu_fixture, IDP "AdminInitiateAuth", body);
    ck_assert_str_eq(tu_str(session, "ChallengeName"), "NEW_PASSWORD_REQUIRED");
    snprintf(
        body, sizeof(body),
        "{\"UserPoolId\":\"%s\",\"ClientId\":\"%s\",\"ChallengeName\":\"NEW_PASSWORD_REQUIRED\","
        "\"Session\":\"%s\",\"ChallengeResponses\":{\"USERNAME\":\"alice\","
        "\"NEW_PASSWORD\":\"Passw0rd!x\"}}",
        pool, cid, tu_str(session, "Session"));
    cJSON_Delete(tu_call(&tu_fixture, IDP "AdminRespondToAuthChallenge", body));
    snprintf(body, sizeof(body),
             "{\"UserPoolId\":\"%s\",\"ClientId\":\"%s\",\"AuthFlow\":\"ADMIN_USER_PASSWORD_AUTH\","
             "\"AuthParameters\":{\"USERNAME\":\"alice\",\"PASSWORD\":\"Passw0rd!x\"}}",
             pool, cid);
    r = tu_call(&tu_fixture, IDP "AdminInitiateAuth", body);
    snprintf(body, sizeof(body),
             "{\"UserPoolId\":\"%s\",\"ClientId\":\"%s\",\"AuthFlow\":\"REFRESH_TOKEN_AUTH\","
             "\"AuthParameters\":{\"REFRESH_TOKEN\":\"%s\"}}",
             pool, cid, tu_str(tu_get(r, "AuthenticationResult"), "RefreshToken"));
    cJSON_Delete(tu_call(&tu_fixture, IDP "AdminInitiateAuth", body));
    log = stderr_read(file, saved);
    /* CustomMessage (check_trigger_message) and pre token generation (check_trigger_token)
     * are invoked now: no "not yet" warning for either. */
    ck_assert_msg(strstr(log, "does not invoke this trigger yet") == NULL, "%s", log);
    ck_assert_msg(strstr(log, "goes on without it") == NULL, "%s", log);
    free(log);
    cJSON_Delete(r);
    cJSON_Delete(session);
    cJSON_Delete(client);
    free(pool);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("triggers");
    TCase *tc = tcase_create("triggers");

    tcase_add_checked_fixture(tc, tu_setup, tu_teardown);
    tcase_add_test(tc, test_after_commit_runs_at_once_outside_a_transaction);
    tcase_add_test(tc, test_after_commit_waits_for_the_commit_and_keeps_order);
    tcase_add_test(tc, test_after_commit_is_dropped_by_a_rollback_and_at_the_end);
    tcase_add_test(tc, test_triggers_function_reads_names_and_sender_objects);
    tcase_add_test_raise_signal(tc, test_trigger_points_refuse_to_run_inside_a_transaction,
                                SIGABRT);
    tcase_add_test(tc, test_a_trigger_without_an_endpoint_fails_loudly);
    tcase_add_test(tc, test_sign_up_with_triggers_off_goes_on_without_them);
    tcase_add_test(tc, test_trigger_points_name_their_sources_and_are_never_silent);
    suite_add_tcase(s, tc);
    return s;
}
