/*
 * ops_mfa: the MFA settings of pools and users. SetUserPoolMfaConfig and GetUserPoolMfaConfig
 * (a pool's MfaConfiguration and the factors it offers, kept in the pool document: see mfa.c),
 * AssociateSoftwareToken and VerifySoftwareToken (a user's TOTP secret, by access token or by
 * the Session of an MFA_SETUP challenge), SetUserMFAPreference and AdminSetUserMFAPreference
 * (the factors a user turns on and prefers). The challenges themselves are asked and checked in
 * auth/ (sign-in).
 *
 * Messages are Cognito's where a real one was found (cited); the others are the emulator's
 * and say so.
 */
#include "config.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "util/jsonutil.h"
#include "userpool/mfa.h"
#include "userpool/passkey.h"
#include "aws/op.h"
#include "aws/ops_common.h"
#include "crypto/secrets.h"
#include "crypto/totp.h"
#include "store/store.h"
#include "userpool/tokens.h"
#include "userpool/pool.h"
#include "userpool/client.h"
#include "userpool/user.h"

/* Random bytes of a session (as auth/'s), and Cognito's default AuthSessionValidity. */
#define SESSION_BYTES 64
#define DEFAULT_SESSION_MINUTES 3

/* The pool document members that hold the factors; DescribeUserPool does not show them. */
#define POOL_TOTP "SoftwareTokenMfaConfiguration"
#define POOL_SMS "SmsMfaConfiguration"
#define POOL_EMAIL "EmailMfaConfiguration"

/* ---- SetUserPoolMfaConfig, GetUserPoolMfaConfig ------------------------------------------ */

/* The pool's WebAuthnConfiguration into out, when SetUserPoolMfaConfig gave one, with the
 * defaults of the members it left out (UserVerification "preferred", FactorConfiguration
 * "SINGLE_FACTOR": model docs). A pool never given one shows none (I). 0 or -1. */
static int out_webauthn_config(cJSON *out, const cJSON *pool)
{
    const cJSON *stored = json_get(pool, PASSKEY_POOL_CONFIG);
    cJSON *doc;
    int bad;

    if (stored == NULL)
        return 0;
    if ((doc = cJSON_CreateObject()) == NULL)
        return -1;
    bad = json_copy_member(doc, stored, "RelyingPartyId");
    bad |= json_set_str(doc, "UserVerification", passkey_user_verification(pool));
    bad |= json_set_str(doc, "FactorConfiguration",
                        json_str_or(stored, "FactorConfiguration", "SINGLE_FACTOR"));
    return json_set_item(out, PASSKEY_POOL_CONFIG, doc) | bad;
}

/* Fill ctx->out as GetUserPoolMfaConfig answers for pool. 0, or -1 when out of memory. */
static int out_pool_config(struct op_ctx *ctx, const cJSON *pool)
{
    unsigned offered = mfa_pool_factors(pool);
    cJSON *totp = cJSON_CreateObject(), *sms = NULL;
    int bad = totp == NULL;

    if (offered & MFA_SMS) {
        if (json_get(pool, POOL_SMS) != NULL) {
            bad |= json_copy_member(ctx->out, pool, POOL_SMS);
        } else if ((sms = cJSON_CreateObject()) != NULL) {
            /* A pool created with SMS settings and never given SetUserPoolMfaConfig. */
            bad |= json_copy_member(sms, pool, "SmsAuthenticationMessage");
            bad |= json_copy_member(sms, pool, "SmsConfiguration");
            bad |= json_set_item(ctx->out, POOL_SMS, sms);
        } else {
            bad = 1;
        }
    }
    bad |= json_set_bool(totp, "Enabled", (offered & MFA_TOTP) != 0);
    bad |= json_set_item(ctx->out, POOL_TOTP, totp);
    bad |= json_copy_member(ctx->out, pool, POOL_EMAIL);
    bad |= out_webauthn_config(ctx->out, pool);
    bad |= json_set_str(ctx->out, "MfaConfiguration", mfa_pool_mode(pool));
    return bad ? ops_fail_internal(ctx, "out of memory") : 0;
}

/*
 * Apply a SetUserPoolMfaConfig request to pool (in place). The factors are replaced: one the
 * request leaves out is turned off; MfaConfiguration, when left out, stays. Cognito refuses a
 * required or optional MFA with no factor ("Invalid MFA configuration given, can't disable all
 * MFAs with a required or optional configuration.", aws/aws-sdk-js#4186, anomalyco/sst#5177)
 * and factors with MFA off ("Invalid MFA configuration given, can't turn off MFA and configure
 * an MFA together.", lgallard/terraform-aws-cognito-user-pool#74).
 */
static int apply_pool_config(struct op_ctx *ctx, cJSON *pool)
{
    const cJSON *in = ctx->in, *sms = json_get(in, POOL_SMS), *email = json_get(in, POOL_EMAIL);
    const char *mode = json_str(in, "MfaConfiguration");
    bool totp = json_bool(json_get(in, POOL_TOTP), "Enabled", false);
    bool any = totp || sms != NULL || email != NULL;
    cJSON *totp_doc = cJSON_CreateObject();
    int bad = totp_doc == NULL;

    if (mode == NULL)
        mode = mfa_pool_mode(pool);
    if (strcmp(mode, "OFF") != 0 && !any) {
        cJSON_Delete(totp_doc);
        return cog_err_set(&ctx->err, COG_E_INVALID_PARAMETER,
                           "Invalid MFA configuration given, can't disable all MFAs with a "
                           "required or optional configuration.");
    }
    if (strcmp(mode, "OFF") == 0 && any) {
        cJSON_Delete(totp_doc);
        return cog_err_set(&ctx->err, COG_E_INVALID_PARAMETER,
                           "Invalid MFA configuration given, can't turn off MFA and configure an "
                           "MFA together.");
    }
    /* Passkeys need the Essentials plan or higher (model docs); the message is the
     * emulator's. A request without WebAuthnConfiguration keeps the pool's (I). */
    if (json_get(in, PASSKEY_POOL_CONFIG) != NULL && !passkey_tier_ok(pool)) {
        cJSON_Delete(totp_doc);
        return cog_err_set(&ctx->err, COG_E_FEATURE_UNAVAILABLE_IN_TIER,
                           "WebAuthnConfiguration is not available in the LITE tier.");
    }
    if (json_get(in, PASSKEY_POOL_CONFIG) != NULL) {
        cJSON_DeleteItemFromObjectCaseSensitive(pool, PASSKEY_POOL_CONFIG);
        bad |= json_copy_member(pool, in, PASSKEY_POOL_CONFIG);
    }
    bad |= json_set_str(pool, "MfaConfiguration", mode);
    bad |= json_set_bool(totp_doc, "Enabled", totp);
    bad |= json_set_item(pool, POOL_TOTP, totp_doc);
    cJSON_DeleteItemFromObjectCaseSensitive(pool, POOL_SMS);
    cJSON_DeleteItemFromObjectCaseSensitive(pool, POOL_EMAIL);
    bad |= json_copy_member(pool, in, POOL_SMS);
    bad |= json_copy_member(pool, in, POOL_EMAIL);
    /* The SMS factor's message and SNS settings are the pool's SMS settings. */
    bad |= json_copy_member(pool, sms, "SmsAuthenticationMessage");
    bad |= json_copy_member(pool, sms, "SmsConfiguration");
    bad |= json_set_num(pool, "LastModifiedDate", json_epoch(ctx->now_ms));
    return bad ? ops_fail_internal(ctx, "out of memory") : 0;
}

int op_set_user_pool_mfa_config(struct op_ctx *ctx)
{
    const char *id = json_str(ctx->in, "UserPoolId");
    cJSON *pool = NULL;
    int rc = -1;

    if (ops_txn_begin(ctx) != 0)
        return -1;
    if (ops_doc_load(ctx, &OPS_USER_POOL, id, NULL, &pool) == 0 &&
        apply_pool_config(ctx, pool) == 0 &&
        ops_doc_save(ctx, &OPS_USER_POOL, id, NULL, pool, false) == STORE_OK)
        rc = 0;
    rc = ops_txn_end(ctx, rc);
    if (rc == 0)
        rc = out_pool_config(ctx, pool);
    cJSON_Delete(pool);
    return rc;
}

int op_get_user_pool_mfa_config(struct op_ctx *ctx)
{
    cJSON *pool = NULL;
    int rc = -1;

    if (ops_doc_load(ctx, &OPS_USER_POOL, json_str(ctx->in, "UserPoolId"), NULL, &pool) == 0)
        rc = out_pool_config(ctx, pool);
    cJSON_Delete(pool);
    return rc;
}

/* ---- AssociateSoftwareToken, VerifySoftwareToken ----------------------------------------- */

/* The user a TOTP operation acts on: by access token or by an MFA_SETUP session. */
struct totp_req {
    const char *session; /* the request's Session, or NULL for an access token */
    struct store_session *s;
    struct store_user *user;
    cJSON *pool;
    cJSON *client; /* the session's app client */
};

static void totp_req_free(struct totp_req *r)
{
    store_session_free(r->s);
    store_user_free(r->user);
    cJSON_Delete(r->pool);
    cJSON_Delete(r->client);
}

/*
 * Check the access token (outside any transaction: it verifies a signature). Nothing to do for
 * a session, which is read inside the transaction by totp_load(). Neither is an error of the
 * emulator's wording (the model makes both optional; Cognito's message was not found).
 */
static int totp_check_token(struct op_ctx *ctx, struct totp_req *r)
{
    const char *token = json_str(ctx->in, "AccessToken");

    r->session = json_str(ctx->in, "Session");
    if (token != NULL)
        return tokens_check_access(ctx, token, &r->user, NULL);
    if (r->session == NULL)
        return cog_err_set(&ctx->err, COG_E_INVALID_PARAMETER,
                           "Either AccessToken or Session is required.");
    return 0;
}

/*
 * Load the session's user (for a Session) and the user's pool, in the transaction. An unknown,
 * expired or other session: Cognito's "Invalid session for the user, session is expired.". A
 * pool without TOTP: "Software Token MFA has not been enabled by the userPool." (developer
 * guide, TOTP software token MFA).
 */
static int totp_load(struct op_ctx *ctx, struct totp_req *r)
{
    int st;

    if (r->user == NULL) {
        st = store_session_get(ctx->db, r->session, &r->s);
        if (st == STORE_ERROR)
            return ops_fail_internal(ctx, "could not read the auth session");
        if (st != STORE_OK || strcmp(r->s->challenge, "MFA_SETUP") != 0 ||
            r->s->expires_ms <= ctx->now_ms || r->s->user_seq <= 0)
            return cog_err_set(&ctx->err, COG_E_NOT_AUTHORIZED,
                               "Invalid session for the user, session is expired.");
        st = store_user_get_by_seq(ctx->db, r->s->user_seq, &r->user);
        if (st == STORE_ERROR)
            return ops_fail_internal(ctx, "could not read the user");
        if (st != STORE_OK)
            return cog_err_set(&ctx->err, COG_E_NOT_AUTHORIZED,
                               "Invalid session for the user, session is expired.");
        if (client_load_in_pool(ctx, r->s->pool_id, r->s->client_id, &r->client, &r->pool) != 0)
            return -1;
    } else if (pool_load(ctx, r->user->pool_id, &r->pool) != 0) {
        return -1;
    }
    if (!(mfa_pool_factors(r->pool) & MFA_TOTP))
        return cog_err_set(&ctx->err, COG_E_SOFTWARE_TOKEN_MFA_NOT_FOUND,
                           "Software Token MFA has not been enabled by the userPool.");
    return 0;
}

/*
 * Replace the request's session with a new one of the same challenge and user, its state with
 * the step's mark set to true ("associated", "verified"), valid for the client's
 * AuthSessionValidity: each answer of the MFA_SETUP steps brings its own Session, which the
 * next step sends. The state keeps what else it held (a custom sign-in in progress,
 * auth/auth_custom.c). Sets ctx->out's Session. 0 or -1.
 */
static int totp_renew_session(struct op_ctx *ctx, struct totp_req *r, const char *mark)
{
    int64_t minutes = json_int(r->client, "AuthSessionValidity", DEFAULT_SESSION_MINUTES);
    char *key = secrets_token(SESSION_BYTES), *data = NULL;
    cJSON *state = r->s->data != NULL ? cJSON_Parse(r->s->data) : cJSON_CreateObject();
    struct store_session s = *r->s;
    int rc = -1;

    if (state != NULL && json_set_bool(state, mark, true) == 0)
        data = cJSON_PrintUnformatted(state);
    cJSON_Delete(state);
    s.data = data;
    s.expires_ms = ctx->now_ms + (minutes > 0 ? minutes : DEFAULT_SESSION_MINUTES) * 60000;
    if (key == NULL || data == NULL)
        ops_fail_internal(ctx, "out of memory");
    else if (store_session_put(ctx->db, key, &s) != STORE_OK ||
             store_session_delete(ctx->db, r->session) != STORE_OK)
        ops_fail_internal(ctx, "could not store the auth session");
    else if (json_set_str(ctx->out, "Session", key) != 0)
        ops_fail_internal(ctx, "out of memory");
    else
        rc = 0;
    free(key);
    free(data);
    return rc;
}

/*
 * AssociateSoftwareToken: a new TOTP secret for the user, in base32 (SecretCode), which
 * replaces the one associated before it; a secret already verified keeps working until the
 * new one is ("Amazon Cognito disassociates an existing software token when you verify the
 * new token", API reference). With a Session, a new Session for VerifySoftwareToken.
 */
int op_associate_software_token(struct op_ctx *ctx)
{
    struct totp_req r = {0};
    struct store_mfa m = {0};
    char *secret = NULL;
    int rc = -1;

    if (totp_check_token(ctx, &r) != 0 || ops_txn_begin(ctx) != 0)
        goto out;
    if (totp_load(ctx, &r) != 0)
        goto end;
    if ((secret = totp_secret_new()) == NULL) {
        ops_fail_internal(ctx, "could not make a secret");
        goto end;
    }
    if (store_mfa_get(ctx->db, r.user->seq, &m) != STORE_OK) {
        ops_fail_internal(ctx, "could not read the MFA settings");
        goto end;
    }
    free(m.totp_pending);
    m.totp_pending = strdup(secret);
    if (m.totp_pending == NULL || store_mfa_put(ctx->db, r.user->seq, &m) != STORE_OK) {
        ops_fail_internal(ctx, "could not store the secret");
        goto end;
    }
    if (r.s != NULL && totp_renew_session(ctx, &r, "associated") != 0)
        goto end;
    rc = json_set_str(ctx->out, "SecretCode", secret) == 0
             ? 0
             : ops_fail_internal(ctx, "out of memory");
end:
    rc = ops_txn_end(ctx, rc);
out:
    if (secret != NULL)
        secrets_wipe(secret, strlen(secret));
    free(secret);
    store_mfa_clear(&m);
    totp_req_free(&r);
    return rc;
}

/*
 * VerifySoftwareToken: UserCode must be the TOTP of the secret associated last (or, when none
 * waits, of the verified one), by the emulator's clock, one 30-second step either way. A wrong
 * code is EnableSoftwareTokenMFAException "Code mismatch and fail enable Software Token MFA"
 * (aws-samples/aws-amplify-auth-starters#15 quotes the response). The secret becomes the
 * user's; TOTP is not turned on by it (the developer guide: "Next, you can enable TOTP MFA for
 * your user", SetUserMFAPreference), except during MFA_SETUP, whose sign-in it completes. No
 * secret at all: SoftwareTokenMFANotFoundException "Software Token MFA does not exist for the
 * user." (amazon-archives/amazon-cognito-identity-js#630). Status SUCCESS, and a Session for
 * RespondToAuthChallenge MFA_SETUP when called with one. The code is spent (mfa_totp_spend): a
 * sign-in in the same 30 seconds needs the next one, as Cognito's (amplify-swift's TOTP
 * integration test waits a step between them for that reason).
 */
int op_verify_software_token(struct op_ctx *ctx)
{
    const char *code = json_str(ctx->in, "UserCode");
    struct totp_req r = {0};
    struct store_mfa m = {0};
    const char *secret;
    int rc = -1;

    if (totp_check_token(ctx, &r) != 0 || ops_txn_begin(ctx) != 0)
        goto out;
    if (totp_load(ctx, &r) != 0)
        goto end;
    if (store_mfa_get(ctx->db, r.user->seq, &m) != STORE_OK) {
        ops_fail_internal(ctx, "could not read the MFA settings");
        goto end;
    }
    secret = m.totp_pending != NULL ? m.totp_pending : m.totp_secret;
    if (secret == NULL) {
        cog_err_set(&ctx->err, COG_E_SOFTWARE_TOKEN_MFA_NOT_FOUND,
                    "Software Token MFA does not exist for the user.");
        goto end;
    }
    switch (mfa_totp_spend(&m, secret, code, ctx->now_ms)) {
    case MFA_TOTP_WRONG:
        cog_err_set(&ctx->err, COG_E_ENABLE_SOFTWARE_TOKEN_MFA,
                    "Code mismatch and fail enable Software Token MFA");
        goto end;
    case MFA_TOTP_SPENT:
        cog_err_set(&ctx->err, COG_E_EXPIRED_CODE, MFA_TOTP_SPENT_MESSAGE);
        goto end;
    case MFA_TOTP_OK:
        break;
    }
    if (m.totp_pending != NULL) {
        free(m.totp_secret);
        m.totp_secret = m.totp_pending;
        m.totp_pending = NULL;
    }
    if (r.s != NULL)
        m.totp_enabled = 1;
    if (store_mfa_put(ctx->db, r.user->seq, &m) != STORE_OK) {
        ops_fail_internal(ctx, "could not store the MFA settings");
        goto end;
    }
    if (r.s != NULL && totp_renew_session(ctx, &r, "verified") != 0)
        goto end;
    rc = json_set_str(ctx->out, "Status", "SUCCESS") == 0 ? 0
                                                          : ops_fail_internal(ctx, "out of memory");
end:
    rc = ops_txn_end(ctx, rc);
out:
    store_mfa_clear(&m);
    totp_req_free(&r);
    return rc;
}

/* ---- SetUserMFAPreference, AdminSetUserMFAPreference ------------------------------------- */

/*
 * Apply the request's SMSMfaSettings, SoftwareTokenMfaSettings and EmailMfaSettings ({Enabled,
 * PreferredMfa}, each optional; what a request leaves out stays) to u's settings and store
 * them. A factor can be turned on only with its means: a verified TOTP secret, a phone_number,
 * an email. Cognito refuses TOTP without one with "User has not set up software token mfa"
 * (SetUserMFAPreference, aws-amplify/amplify-js#1812) and "User does not have delivery config
 * set to turn on SOFTWARE_TOKEN_MFA" (AdminSetUserMFAPreference, aws/aws-sdk-js-v3#4645); the
 * SMS and e-mail refusals are worded after the latter. PreferredMfa true makes the factor the
 * preferred one (and turns it on); turning the preferred factor off, or PreferredMfa false on
 * it, leaves no preference.
 */
static int apply_preferences(struct op_ctx *ctx, const struct store_user *u, bool admin)
{
    static const struct {
        const char *member;
        unsigned factor;
        const char *means; /* the attribute it needs; NULL: the TOTP secret */
    } KINDS[] = {
        {"SMSMfaSettings", MFA_SMS, "phone_number"},
        {"SoftwareTokenMfaSettings", MFA_TOTP, NULL},
        {"EmailMfaSettings", MFA_EMAIL, "email"},
    };
    struct store_mfa m = {0};
    int rc = -1;

    if (store_mfa_get(ctx->db, u->seq, &m) != STORE_OK)
        return ops_fail_internal(ctx, "could not read the MFA settings");
    for (size_t i = 0; i < sizeof(KINDS) / sizeof(KINDS[0]); i++) {
        const cJSON *settings = json_get(ctx->in, KINDS[i].member);
        const char *name = mfa_factor_name(KINDS[i].factor);
        int *enabled = KINDS[i].factor == MFA_SMS    ? &m.sms_enabled
                       : KINDS[i].factor == MFA_TOTP ? &m.totp_enabled
                                                     : &m.email_enabled;
        const cJSON *preferred;
        bool on, is_preferred = m.preferred != NULL && strcmp(m.preferred, name) == 0;

        if (settings == NULL)
            continue;
        preferred = json_get(settings, "PreferredMfa");
        on = json_bool(settings, "Enabled", *enabled != 0) || cJSON_IsTrue(preferred);
        if (on && !*enabled &&
            (KINDS[i].means != NULL ? !user_has_attribute(u, KINDS[i].means)
                                    : m.totp_secret == NULL)) {
            if (KINDS[i].factor == MFA_TOTP && !admin)
                cog_err_set(&ctx->err, COG_E_INVALID_PARAMETER,
                            "User has not set up software token mfa");
            else
                cog_err_set(&ctx->err, COG_E_INVALID_PARAMETER,
                            "User does not have delivery config set to turn on %s", name);
            goto out;
        }
        *enabled = on;
        if (cJSON_IsTrue(preferred)) {
            free(m.preferred);
            if ((m.preferred = strdup(name)) == NULL) {
                ops_fail_internal(ctx, "out of memory");
                goto out;
            }
        } else if (is_preferred && (!on || cJSON_IsFalse(preferred))) {
            free(m.preferred);
            m.preferred = NULL;
        }
    }
    if (store_mfa_put(ctx->db, u->seq, &m) != STORE_OK) {
        ops_fail_internal(ctx, "could not store the MFA settings");
        goto out;
    }
    rc = 0;
out:
    store_mfa_clear(&m);
    return rc;
}

/* SetUserMFAPreference: the access token's user. An empty answer. */
int op_set_user_mfa_preference(struct op_ctx *ctx)
{
    struct store_user *u = NULL;
    int rc = -1;

    if (tokens_check_access(ctx, json_str(ctx->in, "AccessToken"), &u, NULL) != 0)
        return -1;
    if (ops_txn_begin(ctx) == 0)
        rc = ops_txn_end(ctx, apply_preferences(ctx, u, false));
    store_user_free(u);
    return rc;
}

/* AdminSetUserMFAPreference: Username of UserPoolId, by any name it signs in with. */
int op_admin_set_user_mfa_preference(struct op_ctx *ctx)
{
    struct store_user *u = NULL;
    cJSON *pool = NULL;
    int rc = -1, st;

    if (pool_load(ctx, json_str(ctx->in, "UserPoolId"), &pool) != 0 || ops_txn_begin(ctx) != 0)
        goto out;
    st = user_find_request(ctx, pool, &u);
    rc = ops_txn_end(ctx, st == STORE_OK ? apply_preferences(ctx, u, true) : -1);
out:
    store_user_free(u);
    cJSON_Delete(pool);
    return rc;
}
