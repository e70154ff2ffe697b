/*
 * ops_webauthn: a user's passkeys. StartWebAuthnRegistration hands out the creation options
 * (a challenge kept for the user and the app client of the access token) and
 * CompleteWebAuthnRegistration checks the browser's answer (crypto/webauthn.c) and keeps the
 * passkey; ListWebAuthnCredentials and DeleteWebAuthnCredential show and remove them;
 * GetUserAuthFactors and AdminGetUserAuthFactors tell which sign-in factors a user has. All
 * but the Admin one are authorised by the access token alone, as GetUser is (tokens.h). Passkey
 * sign-in is auth/auth_webauthn.c's; the pool's rules are passkey.c's.
 *
 * Messages are the emulator's where Cognito's were not found (the exceptions are Cognito's,
 * from the model's error lists and their documentation).
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/op.h"
#include "aws/ops_common.h"
#include "crypto/jwt.h"
#include "crypto/secrets.h"
#include "crypto/webauthn.h"
#include "store/store.h"
#include "userpool/mfa.h"
#include "userpool/passkey.h"
#include "userpool/pool.h"
#include "userpool/tokens.h"
#include "userpool/user.h"
#include "util/jsonutil.h"

/*
 * How long a StartWebAuthnRegistration challenge waits (I): the options ask the browser for
 * 60 s (Cognito's "timeout" in the documented example); a user who takes the first minute to
 * pick an authenticator and the browser's own prompt still finishes within five, and a stale
 * challenge does not linger for the sign-in session's lifetime either.
 */
#define REGISTRATION_MS (5 * 60 * 1000)
#define REGISTRATION_TIMEOUT_MS 60000

/* One request of an access-token operation: the token's user, its app client, its pool. */
struct wa_req {
    struct store_user *user;
    cJSON *claims;
    cJSON *pool;
    const char *client_id; /* borrowed from claims */
};

static void wa_req_free(struct wa_req *r)
{
    store_user_free(r->user);
    cJSON_Delete(r->claims);
    cJSON_Delete(r->pool);
}

/* The access token's user and pool (outside any transaction: it checks a signature). */
static int wa_load(struct op_ctx *ctx, struct wa_req *r)
{
    if (tokens_check_access(ctx, json_str(ctx->in, "AccessToken"), &r->user, &r->claims) != 0)
        return -1;
    r->client_id = json_str(r->claims, "client_id");
    return pool_load(ctx, r->user->pool_id, &r->pool);
}

/* The pool's passkey settings, refusing a pool where passkeys are not a first factor
 * (WebAuthnNotEnabledException) or that has no RP ID (WebAuthnConfigurationMissingException). */
static int wa_config(struct op_ctx *ctx, const cJSON *pool, struct passkey_config *c)
{
    if (!passkey_first_factor(pool))
        return cog_err_set(&ctx->err, COG_E_WEB_AUTHN_NOT_ENABLED,
                           "WEB_AUTHN is not in the user pool's AllowedFirstAuthFactors.");
    if (passkey_config_load(ctx, pool, c) != 0)
        return -1;
    if (c->rp_id == NULL)
        return cog_err_set(&ctx->err, COG_E_WEB_AUTHN_CONFIGURATION_MISSING,
                           "The user pool has no WebAuthn relying party ID and no domain.");
    return 0;
}

/* ---- StartWebAuthnRegistration ------------------------------------------------------------ */

/* {"type":"public-key","id":id} appended to list. 0 or -1. */
static int add_descriptor(cJSON *list, const char *id)
{
    cJSON *d = cJSON_CreateObject();

    if (d == NULL || !cJSON_AddItemToArray(list, d))
        return cJSON_Delete(d), -1;
    return json_set_str(d, "type", "public-key") | json_set_str(d, "id", id);
}

/* {"type":"public-key","alg":alg} appended to list. 0 or -1. */
static int add_param(cJSON *list, int alg)
{
    cJSON *p = cJSON_CreateObject();

    if (p == NULL || !cJSON_AddItemToArray(list, p))
        return cJSON_Delete(p), -1;
    return json_set_str(p, "type", "public-key") | json_set_num(p, "alg", alg);
}

/*
 * PublicKeyCredentialCreationOptionsJSON as Cognito's documented example has it: rp (id and
 * name the RP ID), user (id base64url of the sub, name and displayName the username),
 * challenge, timeout, ES256 and RS256, the user's passkeys to exclude, and a resident key
 * with the pool's user verification. No attestation member: browsers then ask for "none".
 */
static cJSON *creation_options(const struct wa_req *r, const struct passkey_config *c,
                               const char *uv, const char *challenge,
                               struct store_webauthn *const *creds, size_t ncreds)
{
    cJSON *o = cJSON_CreateObject(), *rp = cJSON_CreateObject(), *user = cJSON_CreateObject();
    cJSON *params = cJSON_CreateArray(), *exclude = cJSON_CreateArray();
    cJSON *sel = cJSON_CreateObject();
    char *user_id = jwt_b64url_encode((const unsigned char *)r->user->sub, strlen(r->user->sub));
    int bad = user_id == NULL;

    bad |= json_set_item(o, "rp", rp) | json_set_item(o, "user", user);
    bad |= json_set_str(rp, "id", c->rp_id) | json_set_str(rp, "name", c->rp_id);
    bad |= json_set_str(user, "id", user_id != NULL ? user_id : "");
    bad |= json_set_str(user, "name", r->user->username);
    bad |= json_set_str(user, "displayName", r->user->username);
    bad |= json_set_str(o, "challenge", challenge);
    bad |= json_set_num(o, "timeout", REGISTRATION_TIMEOUT_MS);
    bad |= json_set_item(o, "pubKeyCredParams", params);
    bad |= add_param(params, WEBAUTHN_ES256) | add_param(params, WEBAUTHN_RS256);
    bad |= json_set_item(o, "excludeCredentials", exclude);
    for (size_t i = 0; i < ncreds; i++)
        bad |= add_descriptor(exclude, creds[i]->credential_id);
    bad |= json_set_item(o, "authenticatorSelection", sel);
    bad |= json_set_bool(sel, "requireResidentKey", true);
    bad |= json_set_str(sel, "residentKey", "required");
    bad |= json_set_str(sel, "userVerification", uv);
    free(user_id);
    if (bad || o == NULL) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

/* LimitExceededException when user has the most passkeys Cognito keeps. */
static int check_room(struct op_ctx *ctx, size_t n)
{
    if (n >= PASSKEY_MAX_PER_USER)
        return cog_err_set(&ctx->err, COG_E_LIMIT_EXCEEDED,
                           "The user has the maximum number of passkeys (%d).",
                           PASSKEY_MAX_PER_USER);
    return 0;
}

int op_start_web_authn_registration(struct op_ctx *ctx)
{
    struct wa_req r = {0};
    struct passkey_config c = {0};
    struct store_webauthn **creds = NULL;
    size_t n = 0;
    char *challenge = NULL;
    cJSON *options = NULL;
    int rc = -1;

    if (wa_load(ctx, &r) != 0 || wa_config(ctx, r.pool, &c) != 0 || ops_txn_begin(ctx) != 0)
        goto out;
    if (store_webauthn_list(ctx->db, r.user->seq, &creds, &n) != STORE_OK)
        ops_fail_internal(ctx, "could not read the passkeys");
    else if (check_room(ctx, n) != 0)
        ;
    else if ((challenge = secrets_token(PASSKEY_CHALLENGE_BYTES)) == NULL ||
             (options = creation_options(&r, &c, passkey_user_verification(r.pool), challenge,
                                         creds, n)) == NULL)
        ops_fail_internal(ctx, "out of memory");
    else if (store_webauthn_reg_put(ctx->db, r.user->seq, r.client_id, challenge,
                                    ctx->now_ms + REGISTRATION_MS) != STORE_OK)
        ops_fail_internal(ctx, "could not store the registration challenge");
    else
        rc = ops_out_set(ctx, "CredentialCreationOptions", options), options = NULL;
    rc = ops_txn_end(ctx, rc);
out:
    cJSON_Delete(options);
    free(challenge);
    store_webauthn_list_free(creds, n);
    passkey_config_clear(&c);
    wa_req_free(&r);
    return rc;
}

/* ---- CompleteWebAuthnRegistration ---------------------------------------------------------- */

/* Cognito's exception for each way a registration fails (webauthn.h); the messages say which
 * check failed. Malformed data is a parameter error (I). */
static const struct {
    enum webauthn_status status;
    enum cog_error code;
} REGISTRATION_ERRORS[] = {
    {WEBAUTHN_MALFORMED, COG_E_INVALID_PARAMETER},
    {WEBAUTHN_BAD_TYPE, COG_E_INVALID_PARAMETER},
    {WEBAUTHN_BAD_CHALLENGE, COG_E_WEB_AUTHN_CHALLENGE_NOT_FOUND},
    {WEBAUTHN_BAD_ORIGIN, COG_E_WEB_AUTHN_ORIGIN_NOT_ALLOWED},
    {WEBAUTHN_CROSS_ORIGIN, COG_E_WEB_AUTHN_ORIGIN_NOT_ALLOWED},
    {WEBAUTHN_BAD_RP_ID_HASH, COG_E_WEB_AUTHN_RELYING_PARTY_MISMATCH},
    {WEBAUTHN_NO_USER_PRESENCE, COG_E_WEB_AUTHN_CREDENTIAL_NOT_SUPPORTED},
    {WEBAUTHN_NO_USER_VERIFIED, COG_E_WEB_AUTHN_CREDENTIAL_NOT_SUPPORTED},
    {WEBAUTHN_BAD_BACKUP_FLAGS, COG_E_WEB_AUTHN_CREDENTIAL_NOT_SUPPORTED},
    {WEBAUTHN_NO_CREDENTIAL_DATA, COG_E_WEB_AUTHN_CREDENTIAL_NOT_SUPPORTED},
    {WEBAUTHN_CREDENTIAL_ID, COG_E_WEB_AUTHN_CREDENTIAL_NOT_SUPPORTED},
    {WEBAUTHN_UNSUPPORTED_KEY, COG_E_WEB_AUTHN_CREDENTIAL_NOT_SUPPORTED},
    {WEBAUTHN_UNSUPPORTED_FORMAT, COG_E_WEB_AUTHN_CREDENTIAL_NOT_SUPPORTED},
    {WEBAUTHN_BAD_ATTESTATION, COG_E_WEB_AUTHN_CREDENTIAL_NOT_SUPPORTED},
};

static int registration_refused(struct op_ctx *ctx, enum webauthn_status st)
{
    for (size_t i = 0; i < sizeof(REGISTRATION_ERRORS) / sizeof(REGISTRATION_ERRORS[0]); i++)
        if (REGISTRATION_ERRORS[i].status == st)
            return cog_err_set(&ctx->err, REGISTRATION_ERRORS[i].code,
                               "The passkey registration failed: %s.", webauthn_status_text(st));
    return ops_fail_internal(ctx, webauthn_status_text(st));
}

/* The Credential's decoded members (RegistrationResponseJSON, binary as base64url). */
struct reg_input {
    const char *id;
    unsigned char *raw_id, *client_data, *att_obj;
    size_t raw_id_len, client_data_len, att_obj_len;
    char *transports; /* JSON array text of the strings given */
    const char *attachment;
};

static void reg_input_free(struct reg_input *in)
{
    free(in->raw_id);
    free(in->client_data);
    free(in->att_obj);
    free(in->transports);
}

/* The transports the browser reported, kept as Cognito shows them (strings only). */
static char *transports_text(const cJSON *list)
{
    cJSON *out = cJSON_CreateArray();
    const cJSON *t;
    char *text = NULL;

    if (!cJSON_IsArray(list))
        list = NULL;
    cJSON_ArrayForEach(t, list)
    {
        if (cJSON_IsString(t) && !cJSON_AddItemToArray(out, cJSON_CreateString(t->valuestring)))
            goto out;
    }
    text = out != NULL ? cJSON_PrintUnformatted(out) : NULL;
out:
    cJSON_Delete(out);
    return text;
}

/* Read the Credential object; InvalidParameterException when it is not one (I). */
static int read_registration(struct op_ctx *ctx, struct reg_input *in)
{
    const cJSON *cred = json_get(ctx->in, "Credential");
    const cJSON *resp = json_get(cred, "response");
    const char *type = json_str(cred, "type");

    in->id = json_str(cred, "id");
    in->attachment = json_str(cred, "authenticatorAttachment");
    if (!cJSON_IsObject(cred) || !cJSON_IsObject(resp) || in->id == NULL || type == NULL ||
        strcmp(type, "public-key") != 0 ||
        (in->raw_id = passkey_b64_member(cred, "rawId", &in->raw_id_len)) == NULL ||
        (in->client_data = passkey_b64_member(resp, "clientDataJSON", &in->client_data_len)) ==
            NULL ||
        (in->att_obj = passkey_b64_member(resp, "attestationObject", &in->att_obj_len)) == NULL)
        return cog_err_set(&ctx->err, COG_E_INVALID_PARAMETER,
                           "Credential must be a RegistrationResponseJSON object: id, rawId, "
                           "type \"public-key\", response.clientDataJSON and "
                           "response.attestationObject.");
    if (in->attachment != NULL && strcmp(in->attachment, "platform") != 0 &&
        strcmp(in->attachment, "cross-platform") != 0)
        in->attachment = NULL;
    if ((in->transports = transports_text(json_get(resp, "transports"))) == NULL)
        return ops_fail_internal(ctx, "out of memory");
    return 0;
}

/* The user's pending challenge for the token's client: WebAuthnChallengeNotFoundException
 * when none waits (or it expired), WebAuthnClientMismatchException when another app client
 * started it. *challenge new on 0. */
static int pending_challenge(struct op_ctx *ctx, const struct wa_req *r, char **challenge)
{
    char *client = NULL;
    int64_t expires = 0;
    int st = store_webauthn_reg_get(ctx->db, r->user->seq, &client, challenge, &expires), rc = 0;

    if (st == STORE_ERROR)
        return ops_fail_internal(ctx, "could not read the registration challenge");
    if (st != STORE_OK || expires <= ctx->now_ms)
        rc = cog_err_set(&ctx->err, COG_E_WEB_AUTHN_CHALLENGE_NOT_FOUND,
                         "No passkey registration is waiting: call StartWebAuthnRegistration.");
    else if (r->client_id == NULL || strcmp(client, r->client_id) != 0)
        rc = cog_err_set(&ctx->err, COG_E_WEB_AUTHN_CLIENT_MISMATCH,
                         "The passkey registration was started by another app client.");
    free(client);
    if (rc != 0) {
        free(*challenge);
        *challenge = NULL;
    }
    return rc;
}

/* Keep the proved credential for the token's user, in the transaction: the same pending
 * challenge still waits (it is spent now), the user has room, the pool does not have that
 * credential id. */
static int keep_credential(struct op_ctx *ctx, const struct wa_req *r, const char *rp_id,
                           const char *challenge, const struct reg_input *in,
                           const struct webauthn_credential *cred)
{
    struct store_webauthn **creds = NULL;
    char *now_challenge = NULL, *id = jwt_b64url_encode(cred->id, cred->id_len);
    size_t n = 0;
    int st, rc = -1;
    struct store_webauthn row = {
        .pool_id = r->user->pool_id,
        .credential_id = id,
        .user_seq = r->user->seq,
        .rp_id = (char *)rp_id,
        .alg = cred->alg,
        .public_key = cred->spki,
        .public_key_len = cred->spki_len,
        .sign_count = cred->sign_count,
        .transports = in->transports,
        .attachment = (char *)in->attachment,
        .aaguid = (unsigned char *)cred->aaguid,
        .backup_eligible = cred->backup_eligible,
        .backed_up = cred->backed_up,
        .friendly_name = (char *)passkey_friendly_name(in->attachment),
        .created_ms = ctx->now_ms,
    };

    if (id == NULL)
        return ops_fail_internal(ctx, "out of memory");
    if (pending_challenge(ctx, r, &now_challenge) != 0)
        goto out;
    if (strcmp(now_challenge, challenge) != 0) {
        cog_err_set(&ctx->err, COG_E_WEB_AUTHN_CHALLENGE_NOT_FOUND,
                    "The passkey registration challenge was replaced by a newer one.");
        goto out;
    }
    if (store_webauthn_list(ctx->db, r->user->seq, &creds, &n) != STORE_OK) {
        ops_fail_internal(ctx, "could not read the passkeys");
        goto out;
    }
    if (check_room(ctx, n) != 0)
        goto out;
    st = store_webauthn_put(ctx->db, &row);
    if (st == STORE_EXISTS)
        cog_err_set(&ctx->err, COG_E_INVALID_PARAMETER,
                    "This passkey is already registered in the user pool.");
    else if (st != STORE_OK ||
             store_webauthn_reg_put(ctx->db, r->user->seq, NULL, NULL, 0) != STORE_OK)
        ops_fail_internal(ctx, "could not store the passkey");
    else
        rc = 0;
out:
    store_webauthn_list_free(creds, n);
    free(now_challenge);
    free(id);
    return rc;
}

int op_complete_web_authn_registration(struct op_ctx *ctx)
{
    struct wa_req r = {0};
    struct passkey_config c = {0};
    struct reg_input in = {0};
    struct webauthn_credential cred = {0};
    char *challenge = NULL;
    enum webauthn_status st;
    int rc = -1;

    if (wa_load(ctx, &r) != 0 || wa_config(ctx, r.pool, &c) != 0 ||
        read_registration(ctx, &in) != 0 || pending_challenge(ctx, &r, &challenge) != 0)
        goto out;
    /* The checks (a signature for packed attestation) outside the transaction; the challenge
     * is read again inside it. */
    struct webauthn_expect e = {.challenge = challenge,
                                .rp_id = c.rp_id,
                                .hosts = (const char *const *)c.hosts,
                                .require_uv = c.require_uv};
    st = webauthn_verify_registration(&e, in.raw_id, in.raw_id_len, in.client_data,
                                      in.client_data_len, in.att_obj, in.att_obj_len, &cred);
    if (st != WEBAUTHN_OK) {
        registration_refused(ctx, st);
        goto out;
    }
    if (ops_txn_begin(ctx) != 0)
        goto out;
    rc = ops_txn_end(ctx, keep_credential(ctx, &r, c.rp_id, challenge, &in, &cred));
out:
    webauthn_credential_clear(&cred);
    free(challenge);
    reg_input_free(&in);
    passkey_config_clear(&c);
    wa_req_free(&r);
    return rc;
}

/* ---- ListWebAuthnCredentials, DeleteWebAuthnCredential -------------------------------------- */

/* One WebAuthnCredentialDescription. NULL when out of memory. */
static cJSON *describe(const struct store_webauthn *c)
{
    cJSON *d = cJSON_CreateObject();
    cJSON *t = cJSON_Parse(c->transports);
    int bad = d == NULL || !cJSON_IsArray(t);

    bad |= json_set_str(d, "CredentialId", c->credential_id);
    bad |= json_set_str(d, "FriendlyCredentialName",
                        c->friendly_name != NULL ? c->friendly_name
                                                 : passkey_friendly_name(c->attachment));
    bad |= json_set_str(d, "RelyingPartyId", c->rp_id);
    if (c->attachment != NULL)
        bad |= json_set_str(d, "AuthenticatorAttachment", c->attachment);
    bad |= json_set_item(d, "AuthenticatorTransports", t);
    bad |= json_set_num(d, "CreatedAt", json_epoch(c->created_ms));
    if (bad) {
        cJSON_Delete(d);
        return NULL;
    }
    return d;
}

/* NextToken: the position of the next passkey, in decimal (the emulator's token). */
static int read_position(struct op_ctx *ctx, size_t *pos)
{
    const char *token = json_str(ctx->in, "NextToken");
    char *end = NULL;
    unsigned long long v;

    *pos = 0;
    if (token == NULL)
        return 0;
    v = strtoull(token, &end, 10);
    if (end == token || *end != '\0' || v == 0 || v > PASSKEY_MAX_PER_USER * 100ULL)
        return cog_err_set(&ctx->err, COG_E_INVALID_PARAMETER, "Invalid NextToken.");
    *pos = (size_t)v;
    return 0;
}

int op_list_web_authn_credentials(struct op_ctx *ctx)
{
    struct wa_req r = {0};
    struct store_webauthn **creds = NULL;
    size_t n = 0, pos, end;
    int64_t max = json_int(ctx->in, "MaxResults", PASSKEY_MAX_PER_USER);
    cJSON *list = cJSON_CreateArray(), *d;
    char next[24];
    int rc = -1, bad = list == NULL;

    if (wa_load(ctx, &r) != 0 || read_position(ctx, &pos) != 0)
        goto out;
    if (store_webauthn_list(ctx->db, r.user->seq, &creds, &n) != STORE_OK) {
        ops_fail_internal(ctx, "could not read the passkeys");
        goto out;
    }
    /* MaxResults 0 (the model allows it) lists a full page, as if it were left out (I). */
    end = pos + (size_t)(max > 0 && max < PASSKEY_MAX_PER_USER ? max : PASSKEY_MAX_PER_USER);
    for (size_t i = pos; i < n && i < end && !bad; i++)
        bad = (d = describe(creds[i])) == NULL || !cJSON_AddItemToArray(list, d);
    if (!bad && end < n) {
        snprintf(next, sizeof(next), "%zu", end);
        bad = json_set_str(ctx->out, "NextToken", next);
    }
    if (bad)
        ops_fail_internal(ctx, "out of memory");
    else
        rc = ops_out_set(ctx, "Credentials", list), list = NULL;
out:
    cJSON_Delete(list);
    store_webauthn_list_free(creds, n);
    wa_req_free(&r);
    return rc;
}

int op_delete_web_authn_credential(struct op_ctx *ctx)
{
    struct wa_req r = {0};
    int st, rc = -1;

    if (wa_load(ctx, &r) != 0 || ops_txn_begin(ctx) != 0)
        goto out;
    st = store_webauthn_delete(ctx->db, r.user->seq, json_str(ctx->in, "CredentialId"));
    if (st == STORE_NOT_FOUND)
        cog_err_set(&ctx->err, COG_E_RESOURCE_NOT_FOUND, "Credential not found.");
    else if (st != STORE_OK)
        ops_fail_internal(ctx, "could not delete the passkey");
    else
        rc = 0;
    rc = ops_txn_end(ctx, rc);
out:
    wa_req_free(&r);
    return rc;
}

/* ---- GetUserAuthFactors, AdminGetUserAuthFactors ------------------------------------------- */

/*
 * ConfiguredUserAuthFactors of u in pool (I, from the API reference's description): PASSWORD
 * when the user has a password, EMAIL_OTP / SMS_OTP when the pool allows them as first
 * factors and the user has an email / phone_number, WEB_AUTHN when the user has a passkey.
 */
static cJSON *configured_factors(struct op_ctx *ctx, const cJSON *pool, const struct store_user *u)
{
    const cJSON *allowed =
        json_get(json_get(json_get(pool, "Policies"), "SignInPolicy"), "AllowedFirstAuthFactors");
    int64_t passkeys = store_webauthn_count(ctx->db, u->seq);
    cJSON *list = cJSON_CreateArray();
    bool bad = list == NULL || passkeys < 0;

    if (!bad && u->srp_verifier != NULL)
        bad = !cJSON_AddItemToArray(list, cJSON_CreateString("PASSWORD"));
    if (!bad && json_list_has(allowed, "EMAIL_OTP") && user_has_attribute(u, "email"))
        bad = !cJSON_AddItemToArray(list, cJSON_CreateString("EMAIL_OTP"));
    if (!bad && json_list_has(allowed, "SMS_OTP") && user_has_attribute(u, "phone_number"))
        bad = !cJSON_AddItemToArray(list, cJSON_CreateString("SMS_OTP"));
    if (!bad && passkeys > 0)
        bad = !cJSON_AddItemToArray(list, cJSON_CreateString("WEB_AUTHN"));
    if (bad) {
        cJSON_Delete(list);
        ops_fail_internal(ctx, "could not list the user's factors");
        return NULL;
    }
    return list;
}

/* The answer of both operations for u in pool. */
static int out_auth_factors(struct op_ctx *ctx, const cJSON *pool, const struct store_user *u)
{
    struct store_mfa m = {0};
    cJSON *list;
    int rc;

    if (store_mfa_get(ctx->db, u->seq, &m) != STORE_OK)
        return ops_fail_internal(ctx, "could not read the MFA settings");
    if (json_set_str(ctx->out, "Username", u->username) != 0 ||
        mfa_fill_user_settings(ctx->out, u, &m) != 0)
        rc = ops_fail_internal(ctx, "out of memory");
    else if ((list = configured_factors(ctx, pool, u)) == NULL)
        rc = -1;
    else
        rc = ops_out_set(ctx, "ConfiguredUserAuthFactors", list);
    store_mfa_clear(&m);
    return rc;
}

int op_get_user_auth_factors(struct op_ctx *ctx)
{
    struct wa_req r = {0};
    int rc = -1;

    if (wa_load(ctx, &r) == 0)
        rc = out_auth_factors(ctx, r.pool, r.user);
    wa_req_free(&r);
    return rc;
}

int op_admin_get_user_auth_factors(struct op_ctx *ctx)
{
    cJSON *pool = NULL;
    struct store_user *u = NULL;
    int rc = -1;

    if (pool_load(ctx, json_str(ctx->in, "UserPoolId"), &pool) == 0 &&
        user_find_request(ctx, pool, &u) == STORE_OK)
        rc = out_auth_factors(ctx, pool, u);
    cJSON_Delete(pool);
    store_user_free(u);
    return rc;
}
