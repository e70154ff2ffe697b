/*
 * check_federation: AdminLinkProviderForUser / AdminDisableProviderForUser, and federated
 * sign-in end to end against the whole server started in-process: the hand-over from
 * /oauth2/authorize (called directly: that endpoint is another file's), the mock IdP page,
 * /oauth2/idpresponse and /saml2/idpresponse, the federated user (EXTERNAL_PROVIDER,
 * "<Provider>_<sub>", identities, the automatic group, attribute mapping, links), the
 * PreSignUp_ExternalProvider trigger (tests/testlambda.h), and the error paths.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app.h"
#include "crypto/jwt.h"
#include "oauth/oauth_federation.h"
#include "server.h"
#include "settings.h"
#include "store/store.h"
#include "testlambda.h"
#include "testutil.h"
#include "userpool/identity_provider.h"
#include "util/clock.h"

static struct settings settings;
static struct server *srv;
static struct store *side; /* a second store on the server's database file */
static struct tlam *lam;
static char dir[64], db[96], api[64], pool[64], client[64];

#define APP "https://app.example.com/cb"

/* An AWS call to the server: the parsed answer (cJSON_Delete); status into *status. */
static cJSON *aws(const char *target, const char *body, long *status)
{
    struct tu_http r;
    cJSON *json;

    tu_http_aws(api, target, body, &r);
    if (status != NULL)
        *status = r.status;
    json = cJSON_Parse(r.body);
    tu_http_free(&r);
    return json;
}

static void aws_ok(const char *target, const char *body)
{
    long status;
    cJSON *j = aws(target, body, &status);
    char *text = cJSON_PrintUnformatted(j);
    ck_assert_msg(status == 200, "%s: %ld %s", target, status, text);
    free(text);
    cJSON_Delete(j);
}

/* The __type of a failing call. */
static void aws_fails(const char *target, const char *body, const char *type)
{
    long status;
    cJSON *j = aws(target, body, &status);
    ck_assert_int_eq(status, 400);
    ck_assert_str_eq(tu_str(j, "__type"), type);
    cJSON_Delete(j);
}

static void setup(void)
{
    char *argv[] = {(char *)"cognito-emu",
                    (char *)"--db",
                    db,
                    (char *)"--port",
                    (char *)"0",
                    (char *)"--log-level",
                    (char *)"error",
                    (char *)"--lambda-endpoint",
                    NULL,
                    NULL};
    char body[512];
    cJSON *j;

    lam = tlam_start();
    ck_assert_ptr_nonnull(lam);
    tlam_on(lam, "pre", tlam_return_event, NULL);
    argv[8] = (char *)tlam_url(lam);
    snprintf(dir, sizeof(dir), "/tmp/cogfedXXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(db, sizeof(db), "%s/fed.db", dir);
    ck_assert_int_eq(settings_parse(&settings, 9, argv), SETTINGS_RUN);
    ck_assert_int_eq(server_start(&settings, &srv), 0);
    ck_assert_int_eq(store_open(db, 2, &side), STORE_OK);
    snprintf(api, sizeof(api), "http://127.0.0.1:%d/", server_port(srv));
    j = aws(IDP "CreateUserPool",
            "{\"PoolName\":\"fed\",\"LambdaConfig\":{\"PreSignUp\":"
            "\"arn:aws:lambda:us-east-1:123456789012:function:pre\"}}",
            NULL);
    snprintf(pool, sizeof(pool), "%s", tu_str(tu_get(j, "UserPool"), "Id"));
    cJSON_Delete(j);
    snprintf(body, sizeof(body), "{\"UserPoolId\":\"%s\",\"Domain\":\"fedtest\"}", pool);
    aws_ok(IDP "CreateUserPoolDomain", body);
    snprintf(body, sizeof(body),
             "{\"UserPoolId\":\"%s\",\"ProviderName\":\"Google\",\"ProviderType\":\"Google\","
             "\"ProviderDetails\":{\"client_id\":\"g\",\"client_secret\":\"s\","
             "\"authorize_scopes\":\"openid email\"},"
             "\"AttributeMapping\":{\"email\":\"email\",\"name\":\"name\"}}",
             pool);
    aws_ok(IDP "CreateIdentityProvider", body);
    snprintf(body, sizeof(body),
             "{\"UserPoolId\":\"%s\",\"ClientName\":\"app\",\"AllowedOAuthFlowsUserPoolClient\":"
             "true,\"AllowedOAuthFlows\":[\"code\"],\"AllowedOAuthScopes\":[\"openid\",\"email\"],"
             "\"CallbackURLs\":[\"" APP
             "\"],\"SupportedIdentityProviders\":[\"COGNITO\",\"Google\"]}",
             pool);
    j = aws(IDP "CreateUserPoolClient", body, NULL);
    snprintf(client, sizeof(client), "%s", tu_str(tu_get(j, "UserPoolClient"), "ClientId"));
    cJSON_Delete(j);
}

static void teardown(void)
{
    char path[128];

    store_close(side);
    server_stop(srv);
    tlam_stop(lam);
    clock_set_offset_ms(0);
    for (const char *const *s = (const char *const[]){"", "-wal", "-shm", NULL}; *s; s++) {
        snprintf(path, sizeof(path), "%s%s", db, *s);
        unlink(path);
    }
    rmdir(dir);
}

/* /oauth2/authorize's hand-over for provider: the Location it answers, in loc. */
static void start_flow(const char *provider_name, const char *state, char *loc, size_t n)
{
    struct app app = {&settings, side};
    struct store_conn *conn = store_acquire(side);
    struct oauth_site site = {.mode = OAUTH_SITE_PATH, .domain = "fedtest"};
    struct oauth_fed_request r = {client, APP, state, "openid email", NULL, NULL, NULL, "code"};
    struct http_response resp = {0};
    cJSON *provider = NULL;

    snprintf(site.pool_id, sizeof(site.pool_id), "%s", pool);
    snprintf(site.base_url, sizeof(site.base_url), "%s_domain/fedtest", api);
    snprintf(site.cookie_path, sizeof(site.cookie_path), "/_domain/fedtest");
    ck_assert_int_eq(identity_provider_get(conn, pool, provider_name, &provider), STORE_OK);
    oauth_federation_redirect(&app, conn, &site, provider, &r, &resp);
    ck_assert_int_eq(resp.status, 302);
    ck_assert_str_eq(resp.headers[0].name, "Location");
    snprintf(loc, n, "%s", resp.headers[0].value);
    http_response_clear(&resp);
    cJSON_Delete(provider);
    store_release(side, conn);
}

/* GET url: the status, and the Location header into loc. */
static long get(const char *url, char *loc, size_t n)
{
    struct tu_http r;
    long status;

    tu_http_request("GET", url, NULL, NULL, 0, &r);
    status = r.status;
    if (loc != NULL && tu_http_header(&r, "Location", loc, n) == NULL)
        loc[0] = '\0';
    tu_http_free(&r);
    return status;
}

/* A whole mock sign-in with Google as sub/email: the app's final URL in out. */
static void mock_sign_in(const char *query, char *out, size_t n)
{
    char loc[2048], url[2400];

    start_flow("Google", "app-state", loc, sizeof(loc));
    ck_assert_msg(strstr(loc, "/_mock-idp/Google/authorize?state=") != NULL, "%s", loc);
    snprintf(url, sizeof(url), "%s&%s", loc, query);
    ck_assert_int_eq(get(url, loc, sizeof(loc)), 302);
    ck_assert_msg(strstr(loc, "/_domain/fedtest/oauth2/idpresponse?code=") != NULL, "%s", loc);
    ck_assert_int_eq(get(loc, out, n), 302);
}

/* AdminGetUser of username: the answer (cJSON_Delete). */
static cJSON *admin_get(const char *username)
{
    char body[256];
    long status;
    cJSON *j;

    snprintf(body, sizeof(body), "{\"UserPoolId\":\"%s\",\"Username\":\"%s\"}", pool, username);
    j = aws(IDP "AdminGetUser", body, &status);
    ck_assert_msg(status == 200, "%s", username);
    return j;
}

/* The value of attribute name of an AdminGetUser answer. */
static const char *attr(const cJSON *user, const char *name)
{
    const cJSON *a;
    cJSON_ArrayForEach(a, tu_get(user, "UserAttributes"))
    {
        if (strcmp(tu_str(a, "Name"), name) == 0)
            return tu_str(a, "Value");
    }
    return NULL;
}

START_TEST(mock_google_creates_federated_user)
{
    char app[2048], body[256];
    cJSON *u, *ids, *groups, *event;

    mock_sign_in("mock_sub=109&mock_email=a%40example.com&mock_name=Ann", app, sizeof(app));
    ck_assert_msg(strncmp(app, APP "?code=", strlen(APP "?code=")) == 0, "%s", app);
    ck_assert_msg(strstr(app, "&state=app-state") != NULL, "%s", app);
    u = admin_get("Google_109");
    ck_assert_str_eq(tu_str(u, "UserStatus"), "EXTERNAL_PROVIDER");
    ck_assert_str_eq(attr(u, "email"), "a@example.com");
    ck_assert_str_eq(attr(u, "name"), "Ann");
    ids = cJSON_Parse(attr(u, "identities"));
    ck_assert_int_eq(cJSON_GetArraySize(ids), 1);
    ck_assert_str_eq(tu_str(ids->child, "userId"), "109");
    ck_assert_str_eq(tu_str(ids->child, "providerName"), "Google");
    ck_assert_str_eq(tu_str(ids->child, "providerType"), "Google");
    ck_assert(cJSON_IsNull(tu_get(ids->child, "issuer")));
    ck_assert_str_eq(tu_str(ids->child, "primary"), "true");
    ck_assert(cJSON_IsString(tu_get(ids->child, "dateCreated")));
    cJSON_Delete(ids);
    cJSON_Delete(u);
    /* The automatic group. */
    snprintf(body, sizeof(body), "{\"UserPoolId\":\"%s\",\"Username\":\"Google_109\"}", pool);
    groups = aws(IDP "AdminListGroupsForUser", body, NULL);
    snprintf(body, sizeof(body), "%s_Google", pool);
    ck_assert_str_eq(tu_str(cJSON_GetArrayItem(tu_get(groups, "Groups"), 0), "GroupName"), body);
    cJSON_Delete(groups);
    /* PreSignUp_ExternalProvider ran once, before the creation. */
    ck_assert_int_eq(tlam_count(lam, "pre"), 1);
    event = tlam_event(lam, "pre", 0);
    ck_assert_str_eq(tu_str(event, "triggerSource"), "PreSignUp_ExternalProvider");
    ck_assert_str_eq(tu_str(event, "userName"), "Google_109");
    cJSON_Delete(event);
    /* A second sign-in rewrites the mapped attributes, without PreSignUp. */
    mock_sign_in("mock_sub=109&mock_email=b%40example.com", app, sizeof(app));
    u = admin_get("Google_109");
    ck_assert_str_eq(attr(u, "email"), "b@example.com");
    cJSON_Delete(u);
    ck_assert_int_eq(tlam_count(lam, "pre"), 1);
}
END_TEST

START_TEST(pre_sign_up_refusal_reaches_the_app)
{
    char app[2048];

    tlam_on_error(lam, "pre", "not-invited");
    mock_sign_in("mock_sub=7&mock_email=c%40example.com", app, sizeof(app));
    ck_assert_msg(strstr(app, "error_description=PreSignUp%20failed%20with%20error%20not-invited."
                              "%20") != NULL ||
                      strstr(app, "error_description=PreSignUp+failed+with+error+not-invited.+") !=
                          NULL,
                  "%s", app);
    ck_assert_msg(strstr(app, "error=invalid_request") != NULL, "%s", app);
}
END_TEST

START_TEST(linked_identity_signs_in_the_destination)
{
    char body[512], app[2048];
    cJSON *u, *ids;
    long status;

    snprintf(body, sizeof(body),
             "{\"UserPoolId\":\"%s\",\"Username\":\"native\",\"MessageAction\":\"SUPPRESS\"}",
             pool);
    aws_ok(IDP "AdminCreateUser", body);
    snprintf(body, sizeof(body),
             "{\"UserPoolId\":\"%s\",\"DestinationUser\":{\"ProviderName\":\"Cognito\","
             "\"ProviderAttributeValue\":\"native\"},\"SourceUser\":{\"ProviderName\":\"Google\","
             "\"ProviderAttributeName\":\"Cognito_Subject\",\"ProviderAttributeValue\":\"555\"}}",
             pool);
    aws_ok(IDP "AdminLinkProviderForUser", body);
    aws_ok(IDP "AdminLinkProviderForUser", body); /* again: nothing changes */
    mock_sign_in("mock_sub=555&mock_email=n%40example.com", app, sizeof(app));
    ck_assert_msg(strstr(app, "?code=") != NULL, "%s", app);
    u = admin_get("native");
    ids = cJSON_Parse(attr(u, "identities"));
    ck_assert_str_eq(tu_str(ids->child, "userId"), "555");
    ck_assert_str_eq(tu_str(ids->child, "primary"), "false");
    cJSON_Delete(ids);
    cJSON_Delete(u);
    snprintf(body, sizeof(body), "{\"UserPoolId\":\"%s\",\"Username\":\"Google_555\"}", pool);
    cJSON_Delete(aws(IDP "AdminGetUser", body, &status));
    ck_assert_int_eq(status, 400); /* no user of its own */
    /* Disabled: the identity signs in as itself again. */
    snprintf(body, sizeof(body),
             "{\"UserPoolId\":\"%s\",\"User\":{\"ProviderName\":\"Google\","
             "\"ProviderAttributeName\":\"Cognito_Subject\",\"ProviderAttributeValue\":\"555\"}}",
             pool);
    aws_ok(IDP "AdminDisableProviderForUser", body);
    aws_fails(IDP "AdminDisableProviderForUser", body, "UserNotFoundException");
    mock_sign_in("mock_sub=555&mock_email=n%40example.com", app, sizeof(app));
    cJSON_Delete(admin_get("Google_555"));
    u = admin_get("native");
    ck_assert_str_eq(attr(u, "identities"), "[]");
    cJSON_Delete(u);
}
END_TEST

/* ---- The real OIDC leg, with a second pool of the same server as the provider ---------- */

/* The value="..." of the input name in html into out. */
static void input_value(const char *html, const char *name, char *out, size_t n)
{
    char key[96];
    const char *p;

    snprintf(key, sizeof(key), "name=\"%s\" value=\"", name);
    p = strstr(html, key);
    ck_assert_msg(p != NULL, "no field %s in %s", name, html);
    p += strlen(key);
    snprintf(out, n, "%.*s", (int)strcspn(p, "\""), p);
}

/*
 * Pool "op" (domain fedop, user bob) as OIDC provider name of the test pool, by its issuer
 * alone (discovery), asking for its attributes with method. Bob's sub into sub.
 */
static void second_pool_provider(const char *name, const char *method, char *sub, size_t n)
{
    char body[1024], op[64], issuer[256], op_client[64], secret[128];
    cJSON *j, *a;

    j = aws(IDP "CreateUserPool", "{\"PoolName\":\"op\"}", NULL);
    snprintf(op, sizeof(op), "%s", tu_str(tu_get(j, "UserPool"), "Id"));
    cJSON_Delete(j);
    snprintf(body, sizeof(body), "{\"UserPoolId\":\"%s\",\"Domain\":\"fedop-%s\"}", op, name);
    aws_ok(IDP "CreateUserPoolDomain", body);
    snprintf(body, sizeof(body),
             "{\"UserPoolId\":\"%s\",\"ClientName\":\"rp\",\"GenerateSecret\":true,"
             "\"AllowedOAuthFlowsUserPoolClient\":true,\"AllowedOAuthFlows\":[\"code\"],"
             "\"AllowedOAuthScopes\":[\"openid\"],\"SupportedIdentityProviders\":[\"COGNITO\"],"
             "\"CallbackURLs\":[\"%s_domain/fedtest/oauth2/idpresponse\"]}",
             op, api);
    j = aws(IDP "CreateUserPoolClient", body, NULL);
    snprintf(op_client, sizeof(op_client), "%s", tu_str(tu_get(j, "UserPoolClient"), "ClientId"));
    snprintf(secret, sizeof(secret), "%s", tu_str(tu_get(j, "UserPoolClient"), "ClientSecret"));
    cJSON_Delete(j);
    snprintf(body, sizeof(body),
             "{\"UserPoolId\":\"%s\",\"Username\":\"bob\",\"MessageAction\":\"SUPPRESS\","
             "\"UserAttributes\":[{\"Name\":\"email\",\"Value\":\"bob@example.com\"}]}",
             op);
    aws_ok(IDP "AdminCreateUser", body);
    snprintf(body, sizeof(body),
             "{\"UserPoolId\":\"%s\",\"Username\":\"bob\",\"Password\":\"Passw0rd!x\","
             "\"Permanent\":true}",
             op);
    aws_ok(IDP "AdminSetUserPassword", body);
    snprintf(body, sizeof(body), "{\"UserPoolId\":\"%s\",\"Username\":\"bob\"}", op);
    j = aws(IDP "AdminGetUser", body, NULL);
    cJSON_ArrayForEach(a, tu_get(j, "UserAttributes")) if (strcmp(tu_str(a, "Name"), "sub") == 0)
        snprintf(sub, n, "%s", tu_str(a, "Value"));
    cJSON_Delete(j);
    /* The issuer its tokens carry, as its discovery document says. */
    snprintf(body, sizeof(body), "%s%s/.well-known/openid-configuration", api, op);
    {
        struct tu_http r;
        tu_http_request("GET", body, NULL, NULL, 0, &r);
        ck_assert_int_eq(r.status, 200);
        j = cJSON_Parse(r.body);
        snprintf(issuer, sizeof(issuer), "%s", tu_str(j, "issuer"));
        cJSON_Delete(j);
        tu_http_free(&r);
    }
    /* username: what userInfo answers and the ID token does not carry (cognito:username). */
    snprintf(body, sizeof(body),
             "{\"UserPoolId\":\"%s\",\"ProviderName\":\"%s\",\"ProviderType\":\"OIDC\","
             "\"ProviderDetails\":{\"client_id\":\"%s\",\"client_secret\":\"%s\","
             "\"authorize_scopes\":\"openid\",\"attributes_request_method\":\"%s\","
             "\"oidc_issuer\":\"%s\"},\"AttributeMapping\":{\"email\":\"email\","
             "\"preferred_username\":\"username\"}}",
             pool, name, op_client, secret, method, issuer);
    aws_ok(IDP "CreateIdentityProvider", body);
}

/* Sign in as bob on the provider's hosted page at login (its URL); the answer's Location. */
static void provider_sign_in(const char *login, char *loc, size_t n)
{
    char csrf[128], cookie[200], form[2048], action[1024];
    const char *headers[] = {cookie, "Content-Type: application/x-www-form-urlencoded", NULL};
    const char *q = strchr(login, '?');
    struct tu_http r;

    tu_http_request("GET", login, NULL, NULL, 0, &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    input_value(r.body, "_csrf", csrf, sizeof(csrf));
    tu_http_free(&r);
    ck_assert_ptr_nonnull(q);
    snprintf(cookie, sizeof(cookie), "Cookie: XSRF-TOKEN=%s", csrf);
    snprintf(form, sizeof(form), "%s&_csrf=%s&username=bob&password=Passw0rd%%21x", q + 1, csrf);
    snprintf(action, sizeof(action), "%.*s", (int)(q - login), login);
    tu_http_request("POST", action, headers, form, strlen(form), &r);
    ck_assert_msg(r.status == 302, "%ld %s", r.status, r.body);
    ck_assert_ptr_nonnull(tu_http_header(&r, "Location", loc, n));
    tu_http_free(&r);
}

/*
 * The whole OIDC leg for real: discovery at oidc_issuer, the provider's authorize page, the
 * code exchange at its token endpoint (client_secret_basic, the first it advertises), its ID
 * token checked against its JWKS, and its userinfo endpoint (found by discovery, called with
 * attributes_request_method) for the claims the ID token lacks.
 */
START_TEST(real_oidc_leg_reads_discovered_userinfo)
{
    static const char *const methods[][2] = {{"opget", "GET"}, {"oppost", "POST"}};
    char sub[64], loc[2048], app[2048], username[128];

    for (size_t i = 0; i < 2; i++) {
        second_pool_provider(methods[i][0], methods[i][1], sub, sizeof(sub));
        start_flow(methods[i][0], "app-state", loc, sizeof(loc));
        ck_assert_msg(strstr(loc, "/_domain/fedop-") != NULL && strstr(loc, "nonce=") != NULL, "%s",
                      loc);
        ck_assert_int_eq(get(loc, app, sizeof(app)), 302); /* to the provider's sign-in page */
        provider_sign_in(app, loc, sizeof(loc));
        ck_assert_msg(strstr(loc, "/_domain/fedtest/oauth2/idpresponse?code=") != NULL, "%s", loc);
        ck_assert_int_eq(get(loc, app, sizeof(app)), 302);
        ck_assert_msg(strncmp(app, APP "?code=", strlen(APP) + 6) == 0, "%s", app);
        snprintf(username, sizeof(username), "%s_%s", methods[i][0], sub);
        cJSON *u = admin_get(username);
        ck_assert_str_eq(tu_str(u, "UserStatus"), "EXTERNAL_PROVIDER");
        ck_assert_str_eq(attr(u, "email"), "bob@example.com");  /* from the ID token */
        ck_assert_str_eq(attr(u, "preferred_username"), "bob"); /* from userinfo only */
        cJSON_Delete(u);
    }
}
END_TEST

/* The ID token carries identities as a JSON array, as Cognito's does (hosted-ui.md 2.9). */
START_TEST(id_token_identities_is_an_array)
{
    char body[512], c2[64], app[2048];
    cJSON *j, *claims, *ids;

    snprintf(body, sizeof(body),
             "{\"UserPoolId\":\"%s\",\"Username\":\"linked\",\"MessageAction\":\"SUPPRESS\"}",
             pool);
    aws_ok(IDP "AdminCreateUser", body);
    snprintf(body, sizeof(body),
             "{\"UserPoolId\":\"%s\",\"Username\":\"linked\",\"Password\":\"Passw0rd!x\","
             "\"Permanent\":true}",
             pool);
    aws_ok(IDP "AdminSetUserPassword", body);
    snprintf(body, sizeof(body),
             "{\"UserPoolId\":\"%s\",\"DestinationUser\":{\"ProviderName\":\"Cognito\","
             "\"ProviderAttributeValue\":\"linked\"},\"SourceUser\":{\"ProviderName\":\"Google\","
             "\"ProviderAttributeName\":\"Cognito_Subject\",\"ProviderAttributeValue\":\"777\"}}",
             pool);
    aws_ok(IDP "AdminLinkProviderForUser", body);
    /* The link joins identities at the identity's first sign-in. */
    mock_sign_in("mock_sub=777", app, sizeof(app));
    snprintf(body, sizeof(body),
             "{\"UserPoolId\":\"%s\",\"ClientName\":\"api\",\"ExplicitAuthFlows\":"
             "[\"ALLOW_ADMIN_USER_PASSWORD_AUTH\",\"ALLOW_REFRESH_TOKEN_AUTH\"]}",
             pool);
    j = aws(IDP "CreateUserPoolClient", body, NULL);
    snprintf(c2, sizeof(c2), "%s", tu_str(tu_get(j, "UserPoolClient"), "ClientId"));
    cJSON_Delete(j);
    snprintf(body, sizeof(body),
             "{\"UserPoolId\":\"%s\",\"ClientId\":\"%s\",\"AuthFlow\":\"ADMIN_USER_PASSWORD_AUTH\","
             "\"AuthParameters\":{\"USERNAME\":\"linked\",\"PASSWORD\":\"Passw0rd!x\"}}",
             pool, c2);
    j = aws(IDP "AdminInitiateAuth", body, NULL);
    claims = jwt_peek_payload(tu_str(tu_get(j, "AuthenticationResult"), "IdToken"));
    ck_assert_ptr_nonnull(claims);
    ids = cJSON_GetObjectItemCaseSensitive(claims, "identities");
    ck_assert(cJSON_IsArray(ids));
    ck_assert_str_eq(tu_str(ids->child, "providerName"), "Google");
    ck_assert_str_eq(tu_str(ids->child, "userId"), "777");
    cJSON_Delete(claims);
    cJSON_Delete(j);
}
END_TEST

/* A link request from src (the SourceUser JSON) to dest (a username). */
static void link_fails(const char *dest, const char *src, const char *type)
{
    char body[512];

    snprintf(body, sizeof(body),
             "{\"UserPoolId\":\"%s\",\"DestinationUser\":{\"ProviderName\":\"Cognito\","
             "\"ProviderAttributeValue\":\"%s\"},\"SourceUser\":%s}",
             pool, dest, src);
    aws_fails(IDP "AdminLinkProviderForUser", body, type);
}

START_TEST(link_rules)
{
    char body[512], src[160];

    snprintf(body, sizeof(body),
             "{\"UserPoolId\":\"%s\",\"Username\":\"dest\",\"MessageAction\":\"SUPPRESS\"}", pool);
    aws_ok(IDP "AdminCreateUser", body);
    link_fails("dest",
               "{\"ProviderName\":\"Cognito\",\"ProviderAttributeName\":\"Cognito_Subject\","
               "\"ProviderAttributeValue\":\"x\"}",
               "InvalidParameterException");
    link_fails("dest",
               "{\"ProviderName\":\"Google\",\"ProviderAttributeName\":\"email\","
               "\"ProviderAttributeValue\":\"x\"}",
               "InvalidParameterException");
    link_fails("dest",
               "{\"ProviderName\":\"Nope\",\"ProviderAttributeName\":\"Cognito_Subject\","
               "\"ProviderAttributeValue\":\"x\"}",
               "InvalidParameterException");
    link_fails("nobody",
               "{\"ProviderName\":\"Google\",\"ProviderAttributeName\":\"Cognito_Subject\","
               "\"ProviderAttributeValue\":\"x\"}",
               "UserNotFoundException");
    for (int i = 0; i < 5; i++) {
        snprintf(body, sizeof(body),
                 "{\"UserPoolId\":\"%s\",\"DestinationUser\":{\"ProviderName\":\"Cognito\","
                 "\"ProviderAttributeValue\":\"dest\"},\"SourceUser\":{\"ProviderName\":"
                 "\"Google\",\"ProviderAttributeName\":\"Cognito_Subject\","
                 "\"ProviderAttributeValue\":\"s%d\"}}",
                 pool, i);
        aws_ok(IDP "AdminLinkProviderForUser", body);
    }
    snprintf(src, sizeof(src), "%s",
             "{\"ProviderName\":\"Google\",\"ProviderAttributeName\":\"Cognito_Subject\","
             "\"ProviderAttributeValue\":\"s9\"}");
    link_fails("dest", src, "LimitExceededException");
    /* Linked to another user already. */
    snprintf(body, sizeof(body),
             "{\"UserPoolId\":\"%s\",\"Username\":\"other\",\"MessageAction\":\"SUPPRESS\"}", pool);
    aws_ok(IDP "AdminCreateUser", body);
    link_fails("other",
               "{\"ProviderName\":\"Google\",\"ProviderAttributeName\":\"Cognito_Subject\","
               "\"ProviderAttributeValue\":\"s0\"}",
               "AliasExistsException");
}
END_TEST

START_TEST(unknown_and_expired_state)
{
    char loc[2048], url[2400];

    snprintf(url, sizeof(url), "%s_domain/fedtest/oauth2/idpresponse?code=x&state=nope", api);
    ck_assert_int_eq(get(url, NULL, 0), 400);
    start_flow("Google", "s", loc, sizeof(loc));
    clock_set_offset_ms(6 * 60 * 1000);
    snprintf(url, sizeof(url), "%s&mock_sub=1", loc);
    ck_assert_int_eq(get(url, NULL, 0), 400);
}
END_TEST

START_TEST(unmapped_required_attribute)
{
    char body[512], app[2048], loc[2048], url[2400];
    cJSON *j;

    /* A second pool whose email is required, with a provider that maps only name. */
    j = aws(IDP "CreateUserPool",
            "{\"PoolName\":\"req\",\"Schema\":[{\"Name\":\"email\",\"Required\":true}]}", NULL);
    snprintf(pool, sizeof(pool), "%s", tu_str(tu_get(j, "UserPool"), "Id"));
    cJSON_Delete(j);
    snprintf(body, sizeof(body),
             "{\"UserPoolId\":\"%s\",\"ProviderName\":\"Google\",\"ProviderType\":\"Google\","
             "\"ProviderDetails\":{\"client_id\":\"g\",\"client_secret\":\"s\","
             "\"authorize_scopes\":\"openid\"},\"AttributeMapping\":{\"name\":\"name\"}}",
             pool);
    aws_ok(IDP "CreateIdentityProvider", body);
    start_flow("Google", "st", loc, sizeof(loc));
    snprintf(url, sizeof(url), "%s&mock_sub=1&mock_email=e%%40x.com", loc);
    ck_assert_int_eq(get(url, loc, sizeof(loc)), 302);
    ck_assert_int_eq(get(loc, app, sizeof(app)), 302);
    ck_assert_msg(strstr(app, "error_description=Invalid%20user%20attributes%3A%20email%3A") !=
                      NULL,
                  "%s", app);
}
END_TEST

START_TEST(mock_page_escapes_and_saml_returns_by_post)
{
    char body[1024], loc[2048], url[2400], saml[512], relay[128];
    struct tu_http r;
    const char *p;
    cJSON *u;

    snprintf(body, sizeof(body),
             "{\"UserPoolId\":\"%s\",\"ProviderName\":\"Corp\",\"ProviderType\":\"SAML\","
             "\"ProviderDetails\":{\"MetadataURL\":\"https://idp.example.com/meta\"},"
             "\"AttributeMapping\":{\"email\":\"mail\"}}",
             pool);
    aws_ok(IDP "CreateIdentityProvider", body);
    start_flow("Corp", "<s>", loc, sizeof(loc));
    tu_http_request("GET", loc, NULL, NULL, 0, &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_ptr_nonnull(strstr(r.body, "<form method=\"post\">"));
    tu_http_free(&r);
    snprintf(url, sizeof(url), "%s&mock_sub=nameid-1&mock_claims=mail%%3Dm%%40corp.com", loc);
    tu_http_request("GET", url, NULL, NULL, 0, &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_ptr_nonnull(p = strstr(r.body, "name=\"SAMLResponse\" value=\""));
    p += strlen("name=\"SAMLResponse\" value=\"");
    snprintf(saml, sizeof(saml), "%.*s", (int)strcspn(p, "\""), p);
    ck_assert_ptr_nonnull(p = strstr(r.body, "name=\"RelayState\" value=\""));
    p += strlen("name=\"RelayState\" value=\"");
    snprintf(relay, sizeof(relay), "%.*s", (int)strcspn(p, "\""), p);
    tu_http_free(&r);
    snprintf(body, sizeof(body), "SAMLResponse=%s&RelayState=%s", saml, relay);
    snprintf(url, sizeof(url), "%s_domain/fedtest/saml2/idpresponse", api);
    tu_http_request("POST", url, NULL, body, strlen(body), &r);
    ck_assert_msg(r.status == 302, "%ld %s", r.status, r.body);
    ck_assert_ptr_nonnull(tu_http_header(&r, "Location", loc, sizeof(loc)));
    ck_assert_msg(strstr(loc, "?code=") && strstr(loc, "state=%3Cs%3E"), "%s", loc);
    tu_http_free(&r);
    u = admin_get("Corp_nameid-1");
    ck_assert_str_eq(attr(u, "email"), "m@corp.com");
    cJSON_Delete(u);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("federation");
    TCase *tc = tcase_create("federation");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, mock_google_creates_federated_user);
    tcase_add_test(tc, pre_sign_up_refusal_reaches_the_app);
    tcase_add_test(tc, linked_identity_signs_in_the_destination);
    tcase_add_test(tc, link_rules);
    tcase_add_test(tc, unknown_and_expired_state);
    tcase_add_test(tc, unmapped_required_attribute);
    tcase_add_test(tc, mock_page_escapes_and_saml_returns_by_post);
    tcase_add_test(tc, real_oidc_leg_reads_discovered_userinfo);
    tcase_add_test(tc, id_token_identities_is_an_array);
    suite_add_tcase(s, tc);
    return s;
}
