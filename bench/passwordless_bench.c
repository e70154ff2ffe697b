/*
 * passwordless_bench: sign-ins per second and server CPU per sign-in of the passwordless first
 * factors of choice-based sign-in (issue 15, Speed: "report sign-ins per second with WEB_AUTHN
 * and with EMAIL_OTP in bench/"), against USER_PASSWORD_AUTH.
 *
 *   passwordless_bench --bin PATH [--requests N] [--conns 1,8] [--warmup N] [--only SERIES,...]
 *                      [--wrap "CMD ARG..."]
 *
 * It starts cognito-emu (PATH --port 0 --bind 127.0.0.1 --db :memory: --log-level warn), makes
 * through the AWS API a user pool whose SignInPolicy allows PASSWORD, EMAIL_OTP and WEB_AUTHN
 * (RelyingPartyId localhost, user verification required), an app client allowing USER_AUTH and
 * USER_PASSWORD_AUTH, and USERS_PER_CONN confirmed users with an email and one ES256 passkey
 * each for every connection it may open (the passkey registered, untimed, through
 * StartWebAuthnRegistration and CompleteWebAuthnRegistration with the user's access token), and
 * times these series (SERIES names for --only):
 *
 *   password   InitiateAuth USER_PASSWORD_AUTH: one round trip, tokens
 *   email-otp  InitiateAuth USER_AUTH with PREFERRED_CHALLENGE EMAIL_OTP (an 8-digit code goes
 *              to the inbox), the code read from the control API (GET /_emu/messages, newest
 *              first: the user's newest "mfa" code), RespondToAuthChallenge EMAIL_OTP: tokens
 *   web-authn  InitiateAuth USER_AUTH with PREFERRED_CHALLENGE WEB_AUTHN (the
 *              CREDENTIAL_REQUEST_OPTIONS challenge), an assertion signed by the user's passkey,
 *              RespondToAuthChallenge WEB_AUTHN (one ECDSA verification on the server): tokens
 *
 * A sign-in's latency and server CPU are those of its AWS calls (InitiateAuth, and
 * RespondToAuthChallenge for the other two), summed; the inbox read stands in for the user
 * reading the mail, and the assertion's signature for the authenticator, and neither is counted.
 * Each connection signs in only its own users, one at a time, so the newest code of a user is
 * always the one its sign-in just sent, and a passkey's counter is only moved by one thread.
 *
 * The authenticator is written here with OpenSSL, independently of the server's
 * crypto/webauthn.c: attestation "none", a hand-written CBOR of the fixed shapes it needs
 * (attestationObject, the COSE EC2 key), authenticator flags UP|UV, a counter that grows.
 *
 * The series are interleaved (bench_phase_run): every round makes one sign-in of each, in an
 * order that rotates. At one connection, the server's CPU time is read around each call from
 * /proc/PID/task/TID/schedstat. Every answer is checked (status, the challenge, the tokens):
 * any error makes the run INVALID (exit 1). It prints Markdown: every series (sign-ins per
 * second, latency p50/p90/p99, server CPU p50/p90) and EMAIL_OTP's cost against the password's.
 * Only loopback.
 */
#define _GNU_SOURCE
#include <cJSON.h>
#include <curl/curl.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_common.h"

#define PASSWORD "Bench-Passw0rd!"
#define USERS_PER_CONN 4
#define RP_ID "localhost"
#define ORIGIN "http://localhost:5173"

const char bench_name[] = "passwordless_bench";

static struct bench_server server;
static char pool_id[64], client_id[64];
static struct curl_slist *inbox_headers;

/* ---- Requests -------------------------------------------------------------------------------- */

static pthread_mutex_t report_mu = PTHREAD_MUTEX_INITIALIZER;
static int reports;

/* Say why c's answer to what was refused (the first 10 times of the run). Returns false. */
static bool refuse(const struct bench_conn *c, const char *what, const char *why)
{
    pthread_mutex_lock(&report_mu);
    if (reports++ < 10)
        fprintf(stderr, "passwordless_bench: %s: %s: HTTP %ld: %.300s\n", what, why, c->status,
                c->body ? c->body : "no answer");
    pthread_mutex_unlock(&report_mu);
    return false;
}

/* AWS operation op with JSON body on c; true on 200. */
static bool call(struct bench_conn *c, const char *op, const char *body)
{
    return bench_perform(c, server.endpoint, bench_op_headers(op), body) == 200 ||
           refuse(c, op, "unexpected status");
}

/* One timed AWS call: added to *total (latency, server CPU) when total is not NULL. */
static bool timed_call(struct bench_conn *c, const char *op, const char *body,
                       struct bench_sample *total, bool sched)
{
    struct bench_mark mark;
    struct bench_sample s;
    bool ok;

    bench_mark_begin(&mark, sched ? server.pid : 0);
    ok = call(c, op, body);
    s = bench_mark_end(&mark, ok);
    if (total != NULL) {
        total->ms += s.ms;
        total->cpu_us = s.cpu_us < 0 || total->cpu_us < 0 ? -1 : total->cpu_us + s.cpu_us;
        total->wait_us = s.wait_us < 0 || total->wait_us < 0 ? -1 : total->wait_us + s.wait_us;
    }
    return ok;
}

/* Whether c's answer carries the tokens of a sign-in. */
static bool signed_in(const struct bench_conn *c, const char *what)
{
    return (bench_answer_get(c, "AuthenticationResult", "AccessToken", NULL, 8192) &&
            bench_answer_get(c, "AuthenticationResult", "IdToken", NULL, 8192) &&
            bench_answer_get(c, "AuthenticationResult", "RefreshToken", NULL, 8192)) ||
           refuse(c, what, "no tokens");
}

/* ---- The authenticator ---------------------------------------------------------------------- */

/* One user's ES256 passkey. */
struct passkey {
    EVP_PKEY *key;
    unsigned char cred_id[16];
    uint32_t count; /* the counter the last assertion reported */
};

static struct passkey *passkeys; /* [users] */

/* Base64url without padding of data (n bytes) into out (size cap). */
static void b64url(const unsigned char *data, size_t n, char *out, size_t cap)
{
    int len;

    if (cap < 4 * ((n + 2) / 3) + 1)
        bench_die("base64url: no room");
    len = EVP_EncodeBlock((unsigned char *)out, data, (int)n);
    while (len > 0 && out[len - 1] == '=')
        len--;
    out[len] = '\0';
    for (int i = 0; i < len; i++)
        out[i] = out[i] == '+' ? '-' : out[i] == '/' ? '_' : out[i];
}

static void sha256(const void *data, size_t n, unsigned char out[32])
{
    bench_must(EVP_Digest(data, n, out, NULL, EVP_sha256(), NULL) == 1, "SHA-256");
}

/* v as a big-endian number of bytes bytes at p; returns the end. */
static unsigned char *put_be(unsigned char *p, uint32_t v, int bytes)
{
    for (int i = bytes - 1; i >= 0; i--)
        *p++ = (unsigned char)(v >> (8 * i));
    return p;
}

/*
 * The authenticator data of k into out (at least 148 bytes): the RP ID's hash, flags UP|UV
 * (and AT when attested), the counter, and when attested the credential: an all-zero AAGUID,
 * the id and the COSE EC2 key {1: 2, 3: -7, -1: 1, -2: x, -3: y} in CBOR. Its length.
 */
static size_t auth_data(const struct passkey *k, bool attested, unsigned char *out)
{
    static const unsigned char cose_head[] = {0xa5, 0x01, 0x02, 0x03, 0x26,
                                              0x20, 0x01, 0x21, 0x58, 0x20};
    unsigned char *p = out + 32;
    BIGNUM *x = NULL, *y = NULL;

    sha256(RP_ID, strlen(RP_ID), out);
    *p++ = attested ? 0x45 : 0x05;
    p = put_be(p, k->count, 4);
    if (!attested)
        return (size_t)(p - out);
    memset(p, 0, 16);
    p = put_be(p + 16, sizeof(k->cred_id), 2);
    memcpy(p, k->cred_id, sizeof(k->cred_id));
    p += sizeof(k->cred_id);
    bench_must(EVP_PKEY_get_bn_param(k->key, OSSL_PKEY_PARAM_EC_PUB_X, &x) == 1 &&
                   EVP_PKEY_get_bn_param(k->key, OSSL_PKEY_PARAM_EC_PUB_Y, &y) == 1,
               "the passkey's public key");
    memcpy(p, cose_head, sizeof(cose_head));
    p += sizeof(cose_head);
    BN_bn2binpad(x, p, 32);
    p += 32;
    *p++ = 0x22, *p++ = 0x58, *p++ = 0x20; /* -3: bytes(32) */
    BN_bn2binpad(y, p, 32);
    p += 32;
    BN_free(x);
    BN_free(y);
    return (size_t)(p - out);
}

/* clientDataJSON of a ceremony of type with challenge (base64url) into out (size n). */
static size_t client_data(const char *type, const char *challenge, char *out, size_t n)
{
    int len = snprintf(out, n,
                       "{\"type\":\"%s\",\"challenge\":\"%s\",\"origin\":\"" ORIGIN
                       "\",\"crossOrigin\":false}",
                       type, challenge);

    bench_must(len > 0 && (size_t)len < n, "clientDataJSON");
    return (size_t)len;
}

/* A new passkey for k (a P-256 key, a random credential id). */
static void passkey_new(struct passkey *k)
{
    k->key = EVP_EC_gen("P-256");
    k->count = 1;
    bench_must(k->key != NULL && RAND_bytes(k->cred_id, sizeof(k->cred_id)) == 1, "a passkey");
}

/* The members every PublicKeyCredential JSON of k has, and response, into r. */
static void credential_members(cJSON *r, const struct passkey *k, cJSON *response)
{
    char id[32];

    b64url(k->cred_id, sizeof(k->cred_id), id, sizeof(id));
    cJSON_AddStringToObject(r, "id", id);
    cJSON_AddStringToObject(r, "rawId", id);
    cJSON_AddStringToObject(r, "type", "public-key");
    cJSON_AddItemToObject(r, "clientExtensionResults", cJSON_CreateObject());
    cJSON_AddItemToObject(r, "response", response);
}

/* base64url of data (n bytes) as member name of o. */
static void add_b64(cJSON *o, const char *name, const void *data, size_t n)
{
    char text[1024];

    b64url(data, n, text, sizeof(text));
    cJSON_AddStringToObject(o, name, text);
}

/* RegistrationResponseJSON of k for challenge (cJSON_Delete): attestation "none", the CBOR map
 * {"fmt": "none", "attStmt": {}, "authData": bytes} written by hand. */
static cJSON *registration(const struct passkey *k, const char *challenge)
{
    static const unsigned char head[] = {0xa3, 0x63, 'f', 'm', 't', 0x64, 'n', 'o', 'n',  'e',
                                         0x67, 'a',  't', 't', 'S', 't',  'm', 't', 0xa0, 0x68,
                                         'a',  'u',  't', 'h', 'D', 'a',  't', 'a', 0x58};
    unsigned char ad[160], att[256], *p = att;
    char cd[512];
    size_t adn = auth_data(k, true, ad);
    size_t cdn = client_data("webauthn.create", challenge, cd, sizeof(cd));
    cJSON *r = cJSON_CreateObject(), *response = cJSON_CreateObject();

    memcpy(p, head, sizeof(head));
    p += sizeof(head);
    *p++ = (unsigned char)adn; /* under 256: one length byte after 0x58 */
    memcpy(p, ad, adn);
    p += adn;
    add_b64(response, "clientDataJSON", cd, cdn);
    add_b64(response, "attestationObject", att, (size_t)(p - att));
    credential_members(r, k, response);
    cJSON_AddStringToObject(r, "authenticatorAttachment", "platform");
    return r;
}

/* AuthenticationResponseJSON text of an assertion of k for challenge (free()); the counter
 * grows. ES256: ECDSA with SHA-256 over authenticatorData || SHA-256(clientDataJSON). */
static char *assertion(struct passkey *k, const char *challenge)
{
    unsigned char ad[64], signed_data[96], sig[80];
    char cd[512];
    size_t adn, cdn = client_data("webauthn.get", challenge, cd, sizeof(cd)), sign = sizeof(sig);
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    cJSON *r = cJSON_CreateObject(), *response = cJSON_CreateObject();
    char *text;

    k->count++;
    adn = auth_data(k, false, ad);
    memcpy(signed_data, ad, adn);
    sha256(cd, cdn, signed_data + adn);
    bench_must(md != NULL && EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, k->key) == 1 &&
                   EVP_DigestSign(md, sig, &sign, signed_data, adn + 32) == 1,
               "the assertion's signature");
    EVP_MD_CTX_free(md);
    add_b64(response, "clientDataJSON", cd, cdn);
    add_b64(response, "authenticatorData", ad, adn);
    add_b64(response, "signature", sig, sign);
    credential_members(r, k, response);
    text = cJSON_PrintUnformatted(r);
    cJSON_Delete(r);
    bench_must(text != NULL, "out of memory");
    return text;
}

/* ---- Set-up ---------------------------------------------------------------------------------- */

static void create_pool(struct bench_conn *c)
{
    char body[1024];

    bench_must(call(c, "CreateUserPool",
                    "{\"PoolName\":\"passwordless-bench\",\"Policies\":{\"SignInPolicy\":"
                    "{\"AllowedFirstAuthFactors\":[\"PASSWORD\",\"EMAIL_OTP\",\"WEB_AUTHN\"]}}}") &&
                   bench_answer_get(c, "UserPool", "Id", pool_id, sizeof(pool_id)),
               "CreateUserPool");
    snprintf(body, sizeof(body),
             "{\"UserPoolId\":\"%s\",\"WebAuthnConfiguration\":{\"RelyingPartyId\":\"" RP_ID
             "\",\"UserVerification\":\"required\"}}",
             pool_id);
    bench_must(call(c, "SetUserPoolMfaConfig", body), "SetUserPoolMfaConfig");
    snprintf(body, sizeof(body),
             "{\"UserPoolId\":\"%s\",\"ClientName\":\"web\",\"ExplicitAuthFlows\":"
             "[\"ALLOW_USER_AUTH\",\"ALLOW_USER_PASSWORD_AUTH\",\"ALLOW_REFRESH_TOKEN_AUTH\"]}",
             pool_id);
    bench_must(call(c, "CreateUserPoolClient", body) &&
                   bench_answer_get(c, "UserPoolClient", "ClientId", client_id, sizeof(client_id)),
               "CreateUserPoolClient");
}

/* Register a new passkey for user u with its access token (a USER_PASSWORD_AUTH sign-in). */
static void register_passkey(struct bench_conn *c, int u)
{
    char body[8192], access[4096], challenge[128];
    cJSON *req = cJSON_CreateObject();
    char *text;

    snprintf(body, sizeof(body),
             "{\"AuthFlow\":\"USER_PASSWORD_AUTH\",\"ClientId\":\"%s\",\"AuthParameters\":"
             "{\"USERNAME\":\"u-%d\",\"PASSWORD\":\"" PASSWORD "\"}}",
             client_id, u);
    bench_must(
        call(c, "InitiateAuth", body) &&
            bench_answer_get(c, "AuthenticationResult", "AccessToken", access, sizeof(access)),
        "InitiateAuth (for the passkey)");
    snprintf(body, sizeof(body), "{\"AccessToken\":\"%s\"}", access);
    bench_must(call(c, "StartWebAuthnRegistration", body) &&
                   bench_answer_get(c, "CredentialCreationOptions", "challenge", challenge,
                                    sizeof(challenge)),
               "StartWebAuthnRegistration");
    passkey_new(&passkeys[u]);
    cJSON_AddStringToObject(req, "AccessToken", access);
    cJSON_AddItemToObject(req, "Credential", registration(&passkeys[u], challenge));
    text = cJSON_PrintUnformatted(req);
    bench_must(text != NULL && call(c, "CompleteWebAuthnRegistration", text),
               "CompleteWebAuthnRegistration");
    free(text);
    cJSON_Delete(req);
}

static void create_users(struct bench_conn *c, int n)
{
    char body[1024];

    for (int i = 0; i < n; i++) {
        snprintf(body, sizeof(body),
                 "{\"UserPoolId\":\"%s\",\"Username\":\"u-%d\",\"MessageAction\":\"SUPPRESS\","
                 "\"UserAttributes\":[{\"Name\":\"email\",\"Value\":\"u-%d@example.com\"},"
                 "{\"Name\":\"email_verified\",\"Value\":\"true\"}]}",
                 pool_id, i, i);
        bench_must(call(c, "AdminCreateUser", body), "AdminCreateUser");
        snprintf(body, sizeof(body),
                 "{\"UserPoolId\":\"%s\",\"Username\":\"u-%d\",\"Password\":\"" PASSWORD
                 "\",\"Permanent\":true}",
                 pool_id, i);
        bench_must(call(c, "AdminSetUserPassword", body), "AdminSetUserPassword");
        register_passkey(c, i);
    }
}

/* ---- The sign-ins ---------------------------------------------------------------------------- */

/* USER_PASSWORD_AUTH of user u. */
static bool sign_in_password(struct bench_conn *c, int u, struct bench_sample *out, bool sched)
{
    char body[512];

    snprintf(body, sizeof(body),
             "{\"AuthFlow\":\"USER_PASSWORD_AUTH\",\"ClientId\":\"%s\",\"AuthParameters\":"
             "{\"USERNAME\":\"u-%d\",\"PASSWORD\":\"" PASSWORD "\"}}",
             client_id, u);
    return timed_call(c, "InitiateAuth", body, out, sched) && signed_in(c, "USER_PASSWORD_AUTH");
}

/* The newest "mfa" code of user u in the inbox into code (16 bytes). Untimed. */
static bool inbox_code(struct bench_conn *c, int u, char *code)
{
    char url[512];
    cJSON *doc, *first;
    const cJSON *v;
    bool ok;

    snprintf(url, sizeof(url), "%s/_emu/messages?pool=%s&username=u-%d&kind=mfa&limit=1",
             server.endpoint, pool_id, u);
    if (bench_perform(c, url, inbox_headers, NULL) != 200)
        return refuse(c, "GET /_emu/messages", "unexpected status");
    doc = cJSON_Parse(c->body ? c->body : "");
    first = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(doc, "messages"), 0);
    v = cJSON_GetObjectItemCaseSensitive(first, "code");
    ok = cJSON_IsString(v) && strlen(v->valuestring) < 16;
    if (ok)
        snprintf(code, 16, "%s", v->valuestring);
    cJSON_Delete(doc);
    return ok || refuse(c, "GET /_emu/messages", "no code");
}

/* InitiateAuth USER_AUTH of user u preferring first factor factor (timed): true when its
 * challenge came back, with its Session in session (2048 bytes). */
static bool start_user_auth(struct bench_conn *c, int u, const char *factor, char *session,
                            struct bench_sample *out, bool sched)
{
    char body[512], name[32];

    snprintf(body, sizeof(body),
             "{\"AuthFlow\":\"USER_AUTH\",\"ClientId\":\"%s\",\"AuthParameters\":"
             "{\"USERNAME\":\"u-%d\",\"PREFERRED_CHALLENGE\":\"%s\"}}",
             client_id, u, factor);
    if (!timed_call(c, "InitiateAuth", body, out, sched))
        return false;
    return (bench_answer_get(c, NULL, "ChallengeName", name, sizeof(name)) &&
            strcmp(name, factor) == 0 && bench_answer_get(c, NULL, "Session", session, 2048)) ||
           refuse(c, "InitiateAuth USER_AUTH", "not the preferred challenge");
}

/* USER_AUTH with EMAIL_OTP first: the challenge, the code from the inbox, the answer. */
static bool sign_in_email_otp(struct bench_conn *c, int u, struct bench_sample *out, bool sched)
{
    char body[4096], session[2048], code[16];

    if (!start_user_auth(c, u, "EMAIL_OTP", session, out, sched) || !inbox_code(c, u, code))
        return false;
    snprintf(body, sizeof(body),
             "{\"ChallengeName\":\"EMAIL_OTP\",\"ClientId\":\"%s\",\"Session\":\"%s\","
             "\"ChallengeResponses\":{\"USERNAME\":\"u-%d\",\"EMAIL_OTP_CODE\":\"%s\"}}",
             client_id, session, u, code);
    return timed_call(c, "RespondToAuthChallenge", body, out, sched) &&
           signed_in(c, "RespondToAuthChallenge EMAIL_OTP");
}

/* USER_AUTH with WEB_AUTHN first: the request options, an assertion, the answer. */
static bool sign_in_web_authn(struct bench_conn *c, int u, struct bench_sample *out, bool sched)
{
    char session[2048], name[32], options[1024], challenge[128];
    cJSON *opts, *req, *responses;
    const cJSON *v;
    char *credential, *text;
    bool ok;

    if (!start_user_auth(c, u, "WEB_AUTHN", session, out, sched))
        return false;
    if (!bench_answer_get(c, "ChallengeParameters", "CREDENTIAL_REQUEST_OPTIONS", options,
                          sizeof(options)))
        return refuse(c, "InitiateAuth USER_AUTH", "no CREDENTIAL_REQUEST_OPTIONS");
    opts = cJSON_Parse(options);
    v = cJSON_GetObjectItemCaseSensitive(opts, "challenge");
    ok = cJSON_IsString(v) && strlen(v->valuestring) < sizeof(challenge);
    if (ok)
        snprintf(challenge, sizeof(challenge), "%s", v->valuestring);
    cJSON_Delete(opts);
    if (!ok)
        return refuse(c, "InitiateAuth USER_AUTH", "no challenge in CREDENTIAL_REQUEST_OPTIONS");
    credential = assertion(&passkeys[u], challenge); /* untimed: the authenticator's work */
    req = cJSON_CreateObject();
    cJSON_AddStringToObject(req, "ChallengeName", "WEB_AUTHN");
    cJSON_AddStringToObject(req, "ClientId", client_id);
    cJSON_AddStringToObject(req, "Session", session);
    snprintf(name, sizeof(name), "u-%d", u);
    responses = cJSON_AddObjectToObject(req, "ChallengeResponses");
    cJSON_AddStringToObject(responses, "USERNAME", name);
    cJSON_AddStringToObject(responses, "CREDENTIAL", credential);
    text = cJSON_PrintUnformatted(req);
    cJSON_Delete(req);
    free(credential);
    bench_must(text != NULL, "out of memory");
    ok = timed_call(c, "RespondToAuthChallenge", text, out, sched) &&
         signed_in(c, "RespondToAuthChallenge WEB_AUTHN");
    free(text);
    return ok;
}

/* ---- Series and the runner ------------------------------------------------------------------- */

typedef bool sign_in_fn(struct bench_conn *c, int u, struct bench_sample *out, bool sched);

static const struct series {
    const char *id, *what;
    sign_in_fn *run;
} SERIES[] = {
    {"password", "InitiateAuth USER_PASSWORD_AUTH (one call)", sign_in_password},
    {"email-otp",
     "InitiateAuth USER_AUTH PREFERRED_CHALLENGE=EMAIL_OTP + RespondToAuthChallenge EMAIL_OTP "
     "(two calls; the inbox read not counted)",
     sign_in_email_otp},
    {"web-authn",
     "InitiateAuth USER_AUTH PREFERRED_CHALLENGE=WEB_AUTHN + RespondToAuthChallenge WEB_AUTHN "
     "(two calls; the authenticator's signature not counted)",
     sign_in_web_authn},
};
#define NSERIES (sizeof(SERIES) / sizeof(SERIES[0]))

static bool selected[NSERIES];

static int series_index(const char *id)
{
    return bench_series_index(SERIES, NSERIES, sizeof(SERIES[0]), id);
}

static void *worker_open(const struct bench_phase *ph, int id)
{
    struct bench_conn *c = malloc(sizeof(*c));

    (void)ph, (void)id;
    if (c == NULL)
        bench_die("out of memory");
    bench_conn_init(c);
    return c;
}

static void worker_close(void *state)
{
    bench_conn_free(state);
    free(state);
}

/* One sign-in of series s in round r by connection id, of one of its own users. */
static bool run_one(void *state, const struct bench_phase *ph, int id, size_t s, int r,
                    struct bench_sample *out)
{
    int u = id * USERS_PER_CONN + ((r % USERS_PER_CONN) + USERS_PER_CONN) % USERS_PER_CONN;
    bool sched = out != NULL && ph->nconns == 1;
    bool ok;

    if (out != NULL)
        *out = (struct bench_sample){.ms = 0, .cpu_us = sched ? 0 : -1, .wait_us = sched ? 0 : -1};
    ok = SERIES[s].run(state, u, out, sched);
    if (out != NULL)
        out->ok = ok;
    return ok;
}

/* ---- Main ------------------------------------------------------------------------------------ */

static void usage(void)
{
    fprintf(stderr, "usage: passwordless_bench --bin PATH [--requests N] [--conns 1,8] "
                    "[--warmup N] [--only SERIES,...] [--wrap \"CMD ARG...\"]\n");
    exit(2);
}

/* Sign-ins per second of a series: n sign-ins by nconns connections, each taking p50 ms. */
static double per_second(const struct bench_stats *st, int nconns)
{
    return st->p50 > 0 ? 1000.0 * nconns / st->p50 : 0;
}

static void print_table(int nconns, const struct bench_stats *st)
{
    for (size_t s = 0; s < NSERIES; s++) {
        char p50[32], p90[32];
        if (!selected[s])
            continue;
        printf("| %d | %s | %s | %zu | %.0f | %.3f | %.3f | %.3f | %s | %s | %ld |\n", nconns,
               SERIES[s].id, SERIES[s].what, st[s].n, per_second(&st[s], nconns), st[s].p50,
               st[s].p90, st[s].p99, bench_us_as_ms(st[s].cpu_p50, p50, sizeof(p50)),
               bench_us_as_ms(st[s].cpu_p90, p90, sizeof(p90)), st[s].errors);
    }
}

/* EMAIL_OTP against the password, from the one-connection phase (where server CPU is known). */
static void print_comparison(const struct bench_stats *st)
{
    int pw = series_index("password"), otp = series_index("email-otp");

    if (selected[pw] && selected[otp] && st[pw].cpu_p50 > 0 && st[otp].cpu_p50 >= 0)
        printf("\n- **EMAIL_OTP vs USER_PASSWORD_AUTH**, server CPU per sign-in p50: %.3f ms vs "
               "%.3f ms (%.0f%%); at one connection %.0f vs %.0f sign-ins per second\n",
               st[otp].cpu_p50 / 1e3, st[pw].cpu_p50 / 1e3,
               100.0 * st[otp].cpu_p50 / st[pw].cpu_p50, per_second(&st[otp], 1),
               per_second(&st[pw], 1));
    int wa = series_index("web-authn");

    if (selected[pw] && selected[wa] && st[pw].cpu_p50 > 0 && st[wa].cpu_p50 >= 0)
        printf("- **WEB_AUTHN vs USER_PASSWORD_AUTH**, server CPU per sign-in p50: %.3f ms vs "
               "%.3f ms (%.0f%%); at one connection %.0f vs %.0f sign-ins per second\n",
               st[wa].cpu_p50 / 1e3, st[pw].cpu_p50 / 1e3, 100.0 * st[wa].cpu_p50 / st[pw].cpu_p50,
               per_second(&st[wa], 1), per_second(&st[pw], 1));
}

int main(int argc, char **argv)
{
    const struct bench_runner runner = {NSERIES, selected, worker_open, run_one, worker_close};
    struct bench_options o = {.requests = 2000, .warmup = 10, .conns_list = "1,8"};
    static struct bench_stats st[8][NSERIES];
    const char *args[] = {"--port",   "0",           "--bind", "127.0.0.1", "--db",
                          ":memory:", "--log-level", "warn",   NULL};
    int maxconns = 1;
    long errors = 0;
    struct bench_conn c;

    if (!bench_options_parse(&o, argc, argv, NULL))
        usage();
    for (size_t s = 0; s < NSERIES; s++)
        selected[s] = o.only == NULL;
    if (o.only != NULL && !bench_select(o.only, series_index, selected))
        usage();
    for (int i = 0; i < o.nconns; i++)
        maxconns = o.conns[i] > maxconns ? o.conns[i] : maxconns;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    signal(SIGPIPE, SIG_IGN);
    inbox_headers = curl_slist_append(NULL, "Accept: application/json");

    if (!bench_server_start(&server, o.wrap, o.bin, args))
        return 1;
    bench_conn_init(&c);
    create_pool(&c);
    passkeys = calloc((size_t)maxconns * USERS_PER_CONN, sizeof(*passkeys));
    bench_must(passkeys != NULL, "out of memory");
    create_users(&c, maxconns * USERS_PER_CONN);
    bench_conn_free(&c);

    printf("| conns | series | sign-in | sign-ins | sign-ins/s (conns / p50) | p50 ms | p90 ms | "
           "p99 ms | server CPU per sign-in, p50 ms | server CPU, p90 ms | errors |\n"
           "|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (int i = 0; i < o.nconns; i++) {
        bench_phase_run(&runner, o.conns[i], o.requests, o.warmup, st[i]);
        print_table(o.conns[i], st[i]);
        for (size_t s = 0; s < NSERIES; s++)
            errors += selected[s] ? st[i][s].errors : 0;
        fflush(stdout);
    }
    for (int i = 0; i < o.nconns; i++)
        if (o.conns[i] == 1)
            print_comparison(st[i]);
    bench_server_stop(&server);
    curl_slist_free_all(inbox_headers);
    for (int u = 0; u < maxconns * USERS_PER_CONN; u++)
        EVP_PKEY_free(passkeys[u].key);
    free(passkeys);
    if (errors > 0) {
        fprintf(stderr, "passwordless_bench: INVALID run: %ld errors\n", errors);
        return 1;
    }
    return 0;
}
