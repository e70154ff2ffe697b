/*
 * testutil: shared helpers of the unit suites. See testutil.h.
 */
#include "config.h"

#include "testutil.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dispatch.h"
#include "store.h"

void tu_env_init(struct tu_env *env)
{
    char *argv[] = {"cognito-emu", "--db", ":memory:", NULL};

    memset(env, 0, sizeof(*env));
    ck_assert_int_eq(settings_parse(&env->settings, 3, argv), SETTINGS_RUN);
    ck_assert_int_eq(store_open(env->settings.db_path, 2, &env->store), STORE_OK);
    env->app.settings = &env->settings;
    env->app.store = env->store;
}

void tu_env_free(struct tu_env *env)
{
    store_close(env->store);
    env->store = NULL;
}

cJSON *tu_call(struct tu_env *env, const char *target, const char *body)
{
    struct dispatch_result res;
    cJSON *json;

    dispatch_request(&env->app, target, NULL, body, strlen(body), &res);
    json = cJSON_Parse(res.body);
    ck_assert_msg(json != NULL, "response is not JSON: %s", res.body ? res.body : "(null)");
    dispatch_result_free(&res);
    return json;
}

cJSON *tu_callf(struct tu_env *env, const char *target, const char *fmt, ...)
{
    char body[16384];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(body, sizeof(body), fmt, ap);
    va_end(ap);
    return tu_call(env, target, body);
}

const char *tu_error_type(const cJSON *resp)
{
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(resp, "__type");
    return cJSON_IsString(type) ? type->valuestring : NULL;
}
