/*
 * auth_webauthn: passkey sign-in, the WEB_AUTHN challenge of USER_AUTH (auth_int.h).
 *
 * auth_ask_web_authn answers ChallengeName WEB_AUTHN with CREDENTIAL_REQUEST_OPTIONS, a JSON
 * string (PublicKeyCredentialRequestOptionsJSON, as Cognito's InitiateAuth example has it:
 * challenge, timeout 180000, rpId, allowCredentials with their transports, userVerification);
 * the session keeps the challenge. The response's CREDENTIAL (AuthenticationResponseJSON as a
 * string, what Amplify sends) is checked in two steps, as CHALLENGES in ops_auth.c runs them:
 * auth_verify_web_authn, before the transaction, checks the assertion and its signature
 * (crypto/webauthn.c) against one of the session user's passkeys; auth_respond_web_authn,
 * inside it, re-reads the passkey and stores the new signature counter, refusing a counter
 * that does not move forward (two sign-ins racing with one assertion: only one passes).
 *
 * Every refusal is NotAuthorizedException AUTH_WEB_AUTHN_REFUSED (I: Cognito's message is
 * not documented; tests/check_ops_webauthn.c pins it). The log line says which check failed.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "auth/auth_int.h"
#include "aws/errors.h"
#include "aws/ops_common.h"
#include "crypto/jwt.h"
#include "crypto/secrets.h"
#include "crypto/webauthn.h"
#include "userpool/passkey.h"
#include "util/jsonutil.h"
#include "util/log.h"

/* The timeout Cognito's request options carry (API reference, InitiateAuth example 1). */
#define REQUEST_TIMEOUT_MS 180000

/* The session state member that keeps the challenge. */
#define STATE_CHALLENGE "webauthn_challenge"

#define AUTH_WEB_AUTHN_REFUSED "Passkey authentication failed."

static int refuse(struct auth *a, const char *why)
{
    log_info("passkey sign-in refused: %s", why);
    return cog_err_set(&a->ctx->err, COG_E_NOT_AUTHORIZED, AUTH_WEB_AUTHN_REFUSED);
}

/* ---- Asking --------------------------------------------------------------------------------- */

/* allowCredentials: the user's passkeys for rp_id with their transports. NULL when out of
 * memory. */
static cJSON *allow_list(struct store_webauthn *const *creds, size_t n, const char *rp_id)
{
    cJSON *list = cJSON_CreateArray(), *d;
    bool bad = list == NULL;

    for (size_t i = 0; i < n && !bad; i++) {
        if (strcmp(creds[i]->rp_id, rp_id) != 0)
            continue;
        bad = (d = cJSON_CreateObject()) == NULL || !cJSON_AddItemToArray(list, d);
        if (bad)
            cJSON_Delete(d);
        else
            bad = json_set_str(d, "type", "public-key") ||
                  json_set_str(d, "id", creds[i]->credential_id) ||
                  json_set_item(d, "transports", cJSON_Parse(creds[i]->transports));
    }
    if (bad) {
        cJSON_Delete(list);
        return NULL;
    }
    return list;
}

/* The options as the JSON text CREDENTIAL_REQUEST_OPTIONS carries (free()), or NULL. */
static char *request_options(const char *challenge, const char *rp_id, const char *uv, cJSON *allow)
{
    cJSON *o = cJSON_CreateObject();
    char *text = NULL;
    int bad = o == NULL;

    bad |= json_set_str(o, "challenge", challenge);
    bad |= json_set_num(o, "timeout", REQUEST_TIMEOUT_MS);
    bad |= json_set_str(o, "rpId", rp_id);
    bad |= json_set_item(o, "allowCredentials", allow);
    bad |= json_set_str(o, "userVerification", uv);
    if (!bad)
        text = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return text;
}

/* The session state {STATE_CHALLENGE: challenge} as JSON text (free()), or NULL. */
static char *state_text(const char *challenge)
{
    cJSON *state = cJSON_CreateObject();
    char *text = NULL;

    if (state != NULL && json_set_str(state, STATE_CHALLENGE, challenge) == 0)
        text = cJSON_PrintUnformatted(state);
    cJSON_Delete(state);
    return text;
}

int auth_ask_web_authn(struct auth *a)
{
    struct passkey_config c = {0};
    struct store_webauthn **creds = NULL;
    size_t n = 0;
    char *challenge = NULL, *options = NULL, *state = NULL;
    cJSON *params = NULL, *allow = NULL;
    int rc = -1;

    if (a->user == NULL || passkey_config_load(a->ctx, a->pool, &c) != 0)
        goto out;
    if (c.rp_id == NULL) {
        cog_err_set(&a->ctx->err, COG_E_INVALID_PARAMETER,
                    "The user pool has no WebAuthn relying party ID and no domain.");
        goto out;
    }
    if (store_webauthn_list(a->ctx->db, a->user->seq, &creds, &n) != STORE_OK) {
        ops_fail_internal(a->ctx, "could not read the passkeys");
        goto out;
    }
    if ((challenge = secrets_token(PASSKEY_CHALLENGE_BYTES)) == NULL ||
        (allow = allow_list(creds, n, c.rp_id)) == NULL ||
        (options = request_options(challenge, c.rp_id, passkey_user_verification(a->pool),
                                   allow)) == NULL ||
        (state = state_text(challenge)) == NULL || (params = cJSON_CreateObject()) == NULL ||
        json_set_str(params, "CREDENTIAL_REQUEST_OPTIONS", options) != 0 ||
        json_set_str(params, "USERNAME", a->user->username) != 0) {
        if (options == NULL)
            cJSON_Delete(allow);
        ops_fail_internal(a->ctx, "out of memory");
        goto out;
    }
    rc = auth_answer_challenge_data(a, "WEB_AUTHN", params, state);
    params = NULL;
out:
    cJSON_Delete(params);
    free(state);
    free(options);
    free(challenge);
    store_webauthn_list_free(creds, n);
    passkey_config_clear(&c);
    return rc;
}

/* ---- Answering ------------------------------------------------------------------------------ */

/* The CREDENTIAL response, decoded. */
struct assertion {
    cJSON *doc;
    char *credential_id; /* rawId, base64url without padding as the store keys it */
    unsigned char *client_data, *auth_data, *sig, *user_handle;
    size_t client_data_len, auth_data_len, sig_len, user_handle_len;
};

static void assertion_free(struct assertion *x)
{
    cJSON_Delete(x->doc);
    free(x->credential_id);
    free(x->client_data);
    free(x->auth_data);
    free(x->sig);
    free(x->user_handle);
}

/* Read CREDENTIAL into *x: a JSON string of an AuthenticationResponseJSON. 0, or -1 refused
 * (a missing entry: InvalidParameterException as for any challenge response). */
static int read_assertion(struct auth *a, struct assertion *x)
{
    const char *text = auth_param(a, "CREDENTIAL"), *type;
    const cJSON *resp;
    unsigned char *raw = NULL;
    size_t raw_len = 0;

    if (text == NULL)
        return auth_missing(a->ctx, "CREDENTIAL");
    x->doc = cJSON_Parse(text);
    resp = json_get(x->doc, "response");
    type = json_str(x->doc, "type");
    if (!cJSON_IsObject(resp) || type == NULL || strcmp(type, "public-key") != 0 ||
        (raw = passkey_b64_member(x->doc, "rawId", &raw_len)) == NULL ||
        (x->client_data = passkey_b64_member(resp, "clientDataJSON", &x->client_data_len)) ==
            NULL ||
        (x->auth_data = passkey_b64_member(resp, "authenticatorData", &x->auth_data_len)) == NULL ||
        (x->sig = passkey_b64_member(resp, "signature", &x->sig_len)) == NULL) {
        free(raw);
        return refuse(a, "CREDENTIAL is not an AuthenticationResponseJSON");
    }
    x->user_handle = passkey_b64_member(resp, "userHandle", &x->user_handle_len);
    x->credential_id = jwt_b64url_encode(raw, raw_len);
    free(raw);
    return x->credential_id != NULL ? 0 : ops_fail_internal(a->ctx, "out of memory");
}

/* The passkey the assertion names, which must be a->user's. 0 with *out, or -1 refused. */
static int load_passkey(struct auth *a, const struct assertion *x, struct store_webauthn **out)
{
    int st = store_webauthn_get(a->ctx->db, a->user->pool_id, x->credential_id, out);

    if (st == STORE_ERROR)
        return ops_fail_internal(a->ctx, "could not read the passkey");
    if (st != STORE_OK || (*out)->user_seq != a->user->seq) {
        store_webauthn_free(*out);
        *out = NULL;
        return refuse(a, "the credential is not one of the user's passkeys");
    }
    return 0;
}

/* WA3 §7.2 step 6: a userHandle given must be the user.id of the registration (the sub). */
static bool user_handle_ok(const struct auth *a, const struct assertion *x)
{
    size_t n = strlen(a->user->sub);

    return x->user_handle == NULL ||
           (x->user_handle_len == n && memcmp(x->user_handle, a->user->sub, n) == 0);
}

/* The session's challenge (borrowed from *state, which the caller deletes), or NULL. */
static const char *session_challenge(const struct store_session *s, cJSON **state)
{
    *state = s->data != NULL ? cJSON_Parse(s->data) : NULL;
    return json_str(*state, STATE_CHALLENGE);
}

int auth_verify_web_authn(struct auth *a, const struct store_session *s)
{
    struct assertion x = {0};
    struct passkey_config c = {0};
    struct store_webauthn *key = NULL;
    cJSON *state = NULL;
    const char *challenge = session_challenge(s, &state);
    uint32_t count = 0;
    enum webauthn_status st;
    int rc = -1;

    if (a->user == NULL || challenge == NULL) {
        rc = auth_invalid_session(a->ctx);
        goto out;
    }
    if (read_assertion(a, &x) != 0 || load_passkey(a, &x, &key) != 0 ||
        passkey_config_load(a->ctx, a->pool, &c) != 0)
        goto out;
    if (!user_handle_ok(a, &x)) {
        refuse(a, "userHandle is not the user's");
        goto out;
    }
    /* The passkey is bound to the RP ID it was made for. */
    struct webauthn_expect e = {.challenge = challenge,
                                .rp_id = key->rp_id,
                                .hosts = (const char *const *)c.hosts,
                                .require_uv = c.require_uv};
    st = webauthn_verify_assertion(&e, key->public_key, key->public_key_len, key->alg,
                                   (uint32_t)key->sign_count, x.client_data, x.client_data_len,
                                   x.auth_data, x.auth_data_len, x.sig, x.sig_len, &count);
    if (st == WEBAUTHN_INTERNAL)
        ops_fail_internal(a->ctx, "could not verify the passkey assertion");
    else if (st != WEBAUTHN_OK)
        refuse(a, webauthn_status_text(st));
    else
        a->proved = true, rc = 0;
out:
    cJSON_Delete(state);
    store_webauthn_free(key);
    passkey_config_clear(&c);
    assertion_free(&x);
    return rc;
}

int auth_respond_web_authn(struct auth *a, const struct store_session *s)
{
    struct assertion x = {0};
    struct store_webauthn *key = NULL;
    uint32_t count = 0;
    int st, rc = -1;

    (void)s;
    if (a->user == NULL || !a->proved) {
        rc = auth_invalid_session(a->ctx);
        goto out;
    }
    if (read_assertion(a, &x) != 0 || load_passkey(a, &x, &key) != 0)
        goto out;
    if (!a->user->enabled) {
        cog_err_set(&a->ctx->err, COG_E_NOT_AUTHORIZED, "User is disabled.");
        goto out;
    }
    /* Fresh read: another sign-in may have spent this counter since the check. */
    if (!webauthn_auth_data_count(x.auth_data, x.auth_data_len, &count) ||
        !webauthn_sign_count_ok((uint32_t)key->sign_count, count)) {
        refuse(a, webauthn_status_text(WEBAUTHN_REPLAYED_COUNTER));
        goto out;
    }
    st = store_webauthn_set_count(a->ctx->db, key->pool_id, key->credential_id, count);
    if (st == STORE_NOT_FOUND)
        refuse(a, webauthn_status_text(WEBAUTHN_REPLAYED_COUNTER));
    else if (st != STORE_OK)
        ops_fail_internal(a->ctx, "could not store the passkey counter");
    else
        a->signed_in = true, rc = 0;
out:
    store_webauthn_free(key);
    assertion_free(&x);
    return rc;
}
