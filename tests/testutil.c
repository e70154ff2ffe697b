/*
 * testutil: shared helpers of the unit suites. See testutil.h.
 */
#include "config.h"

#include "testutil.h"

#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/clock.h"
#include "dispatch.h"
#include "crypto/keys.h"
#include "store/store.h"

void tu_env_init(struct tu_env *env)
{
    char *argv[] = {(char *)"cognito-emu", (char *)"--db", (char *)":memory:", NULL};

    memset(env, 0, sizeof(*env));
    ck_assert_int_eq(settings_parse(&env->settings, 3, argv), SETTINGS_RUN);
    ck_assert_int_eq(store_open(env->settings.db_path, 2, &env->store), STORE_OK);
    env->app.settings = &env->settings;
    env->app.store = env->store;
}

void tu_env_free(struct tu_env *env)
{
    keys_cache_clear(); /* cached keys must not outlive the store they came from */
    store_close(env->store);
    env->store = NULL;
}

struct tu_env tu_fixture;

void tu_setup(void)
{
    tu_env_init(&tu_fixture);
    clock_set_offset_ms(0);
}

void tu_teardown(void)
{
    clock_set_offset_ms(0);
    tu_env_free(&tu_fixture);
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

char *tu_create_user_pool(struct tu_env *env, const char *body)
{
    cJSON *resp = tu_call(env, IDP "CreateUserPool", body);
    char *id;

    ck_assert_msg(tu_error_type(resp) == NULL, "CreateUserPool failed: %s",
                  tu_str(resp, "message"));
    id = strdup(tu_str(tu_get(resp, "UserPool"), "Id"));
    cJSON_Delete(resp);
    return id;
}

const char *tu_error_type(const cJSON *resp)
{
    return tu_str(resp, "__type");
}

cJSON *tu_get(const cJSON *obj, const char *name)
{
    return cJSON_GetObjectItemCaseSensitive(obj, name);
}

const char *tu_str(const cJSON *obj, const char *name)
{
    const cJSON *item = tu_get(obj, name);
    return cJSON_IsString(item) ? item->valuestring : NULL;
}

double tu_num(const cJSON *obj, const char *name)
{
    const cJSON *item = tu_get(obj, name);
    ck_assert_msg(cJSON_IsNumber(item), "%s is not a number", name);
    return item->valuedouble;
}

bool tu_bool(const cJSON *obj, const char *name)
{
    const cJSON *item = tu_get(obj, name);
    ck_assert_msg(cJSON_IsBool(item), "%s is not a boolean", name);
    return cJSON_IsTrue(item);
}

void tu_assert_matches(const char *value, const char *pattern)
{
    regex_t re;

    ck_assert_ptr_nonnull(value);
    ck_assert_int_eq(regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB), 0);
    ck_assert_msg(regexec(&re, value, 0, NULL, 0) == 0, "'%s' does not match %s", value, pattern);
    regfree(&re);
}

void tu_assert_error(const cJSON *resp, const char *type, const char *message)
{
    ck_assert_str_eq(tu_error_type(resp) ? tu_error_type(resp) : "(success)", type);
    if (message != NULL)
        ck_assert_str_eq(tu_str(resp, "message"), message);
}

#include <curl/curl.h>
#include <strings.h>

struct growbuf {
    char *data;
    size_t len;
};

static size_t append(char *ptr, size_t size, size_t nmemb, void *arg)
{
    struct growbuf *b = arg;
    size_t n = size * nmemb;
    char *grown = realloc(b->data, b->len + n + 1);

    if (grown == NULL)
        return 0;
    memcpy(grown + b->len, ptr, n);
    b->len += n;
    grown[b->len] = '\0';
    b->data = grown;
    return n;
}

void tu_http_request(const char *method, const char *url, const char *const *headers,
                     const char *body, size_t body_len, struct tu_http *out)
{
    struct growbuf resp = {calloc(1, 1), 0}, hdrs = {calloc(1, 1), 0};
    struct curl_slist *list = NULL;
    CURL *curl = curl_easy_init();

    ck_assert_ptr_nonnull(curl);
    for (size_t i = 0; headers != NULL && headers[i] != NULL; i++)
        list = curl_slist_append(list, headers[i]);
    list = curl_slist_append(list, "Expect:"); /* no 100-continue round trip */
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, append);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &resp);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, append);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, &hdrs);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, 20L);
    if (strcmp(method, "HEAD") == 0)
        curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
    if (body != NULL) {
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
    }
    CURLcode rc = curl_easy_perform(curl);
    ck_assert_msg(rc == CURLE_OK, "%s %s: %s", method, url, curl_easy_strerror(rc));
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &out->status);
    out->body = resp.data;
    out->headers = hdrs.data;
    curl_slist_free_all(list);
    curl_easy_cleanup(curl);
}

void tu_http_aws(const char *url, const char *target, const char *body, struct tu_http *out)
{
    char target_header[256];
    const char *headers[] = {"Content-Type: application/x-amz-json-1.1", target_header, NULL};

    snprintf(target_header, sizeof(target_header), "X-Amz-Target: %s", target);
    tu_http_request("POST", url, headers, body, strlen(body), out);
}

const char *tu_http_header(const struct tu_http *r, const char *name, char *buf, size_t n)
{
    size_t name_len = strlen(name);

    for (const char *line = r->headers; line && *line; line = strchr(line, '\n')) {
        if (*line == '\n')
            line++;
        if (strncasecmp(line, name, name_len) == 0 && line[name_len] == ':') {
            const char *v = line + name_len + 1;
            v += strspn(v, " ");
            size_t len = strcspn(v, "\r\n");
            snprintf(buf, n, "%.*s", (int)len, v);
            return buf;
        }
    }
    return NULL;
}

void tu_http_free(struct tu_http *r)
{
    free(r->body);
    free(r->headers);
    r->body = r->headers = NULL;
}
