/*
 * auth_mfa: the MFA challenges, asked after the password (and a new one, if one was required)
 * as Cognito orders them (mfa_decide, userpool/mfa.h): SOFTWARE_TOKEN_MFA; SMS_MFA and
 * EMAIL_OTP, with a code sent through delivery.c; SELECT_MFA_TYPE when the user has several
 * factors and no preferred one; MFA_SETUP when the pool requires MFA and the user has no
 * factor yet, completed through AssociateSoftwareToken and VerifySoftwareToken with the
 * session (userpool/ops_mfa.c).
 */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "auth/auth_int.h"
#include "aws/ops_common.h"
#include "crypto/secrets.h"
#include "crypto/totp.h"
#include "store/store.h"
#include "userpool/delivery.h"
#include "userpool/mfa.h"
#include "userpool/user.h"
#include "util/jsonutil.h"

/* How long a code sent by SMS or e-mail for MFA is good for (developer guide: 3 minutes). */
#define MFA_CODE_MS (3 * 60 * 1000)

/* Cognito's answer to a wrong MFA code (Amplify's error catalogue and app fixtures quote
 * "Invalid code received for user"). */
static int mfa_code_mismatch(struct op_ctx *ctx)
{
    return cog_err_set(&ctx->err, COG_E_CODE_MISMATCH, "Invalid code received for user");
}

/*
 * Ask the challenge of factor: SOFTWARE_TOKEN_MFA (no parameters), or SMS_MFA / EMAIL_OTP with
 * a code "sent" (delivery.c, kind "mfa") to the user's phone_number / email, whose masked
 * destination the challenge names (CODE_DELIVERY_DELIVERY_MEDIUM, CODE_DELIVERY_DESTINATION,
 * as real SMS_MFA challenges show them: amplify-ui's fixtures). The code and its expiry go into
 * the session.
 */
static int ask_factor(struct auth *a, unsigned factor)
{
    bool sms = factor == MFA_SMS;
    const char *attribute = sms ? "phone_number" : "email";
    cJSON *attrs = NULL, *data = NULL;
    char code[7] = {0}, *text = NULL;
    struct delivery d = auth_code_delivery(a, sms ? "SMS" : "EMAIL", attribute, code, NULL);
    int rc = -1;

    if (factor == MFA_TOTP)
        return auth_answer_challenge(a, "SOFTWARE_TOKEN_MFA", cJSON_CreateObject());
    secrets_code(code);
    if ((attrs = user_attributes(a->user)) == NULL || (data = cJSON_CreateObject()) == NULL ||
        json_set_str(data, "code", code) != 0 ||
        json_set_num(data, "expires_ms", (double)(a->ctx->now_ms + MFA_CODE_MS)) != 0 ||
        (text = cJSON_PrintUnformatted(data)) == NULL) {
        ops_fail_internal(a->ctx, "out of memory");
    } else {
        d.destination = json_str(attrs, attribute);
        rc = auth_answer_code_challenge(a, &d, sms ? "SMS_MFA" : "EMAIL_OTP", cJSON_CreateObject(),
                                        text);
    }
    cJSON_Delete(attrs);
    cJSON_Delete(data);
    free(text);
    return rc;
}

/* Ask SELECT_MFA_TYPE (MFAS_CAN_CHOOSE) or MFA_SETUP (MFAS_CAN_SETUP): the factors as JSON
 * array text, ["SMS_MFA","SOFTWARE_TOKEN_MFA"] (amplify-ui fixtures, the API reference). */
static int ask_list(struct auth *a, const char *name, const char *member, unsigned factors)
{
    cJSON *params = cJSON_CreateObject();
    char *list = mfa_factor_list_text(factors), data[48];

    snprintf(data, sizeof(data), "{\"factors\":%u}", factors);
    if (params == NULL || list == NULL || json_set_str(params, member, list) != 0) {
        free(list);
        cJSON_Delete(params);
        return ops_fail_internal(a->ctx, "out of memory");
    }
    free(list);
    return auth_answer_challenge_data(a, name, params, data);
}

/*
 * The step after a proved password (and a new one, if one was required): tokens when the user
 * has no MFA to pass, else the challenge mfa_decide() picks; a remembered device
 * (auth_device_ask) gets DEVICE_SRP_AUTH instead, whether MFA applies or not. Sets
 * a->signed_in, or answers the challenge. 0 or -1.
 */
int auth_ask_mfa(struct auth *a)
{
    struct store_mfa m = {0};
    unsigned factor, factors;
    enum mfa_step step;
    int device = auth_device_ask(a); /* a remembered device stands in for MFA */

    if (device != 0)
        return device < 0 ? -1 : 0;
    if (store_mfa_get(a->ctx->db, a->user->seq, &m) != STORE_OK)
        return ops_fail_internal(a->ctx, "could not read the MFA settings");
    step = mfa_decide(a->pool, a->user, &m, &factor, &factors);
    store_mfa_clear(&m);
    switch (step) {
    case MFA_STEP_ASK:
        return ask_factor(a, factor);
    case MFA_STEP_SELECT:
        return ask_list(a, "SELECT_MFA_TYPE", "MFAS_CAN_CHOOSE", factors);
    case MFA_STEP_SETUP:
        return ask_list(a, "MFA_SETUP", "MFAS_CAN_SETUP", factors);
    case MFA_STEP_NONE:
        break;
    }
    a->signed_in = true;
    return 0;
}

/* RespondToAuthChallenge SOFTWARE_TOKEN_MFA: SOFTWARE_TOKEN_MFA_CODE, the TOTP of the user's
 * verified secret (the emulator's clock, one step either way), spent once (mfa_totp_spend):
 * the step is stored inside the response's transaction, so two answers cannot both win. */
int auth_respond_software_token(struct auth *a, const struct store_session *s)
{
    const char *code = auth_param(a, "SOFTWARE_TOKEN_MFA_CODE");
    struct store_mfa m = {0};
    int rc = 0;

    (void)s;
    if (a->user == NULL)
        return auth_invalid_session(a->ctx);
    if (code == NULL)
        return auth_missing(a->ctx, "SOFTWARE_TOKEN_MFA_CODE");
    if (store_mfa_get(a->ctx->db, a->user->seq, &m) != STORE_OK)
        return ops_fail_internal(a->ctx, "could not read the MFA settings");
    switch (mfa_totp_spend(&m, m.totp_secret, code, a->ctx->now_ms)) {
    case MFA_TOTP_WRONG:
        rc = mfa_code_mismatch(a->ctx);
        break;
    case MFA_TOTP_SPENT:
        rc = cog_err_set(&a->ctx->err, COG_E_EXPIRED_CODE, MFA_TOTP_SPENT_MESSAGE);
        break;
    case MFA_TOTP_OK:
        if (store_mfa_put(a->ctx->db, a->user->seq, &m) != STORE_OK)
            rc = ops_fail_internal(a->ctx, "could not store the MFA settings");
        break;
    }
    store_mfa_clear(&m);
    if (rc == 0)
        a->signed_in = true;
    return rc;
}

/* The code of an SMS_MFA or EMAIL_OTP session in response member name. A wrong one may be
 * tried again while the session lasts; one past its 3 minutes is ExpiredCodeException. */
static int respond_sent_code(struct auth *a, const struct store_session *s, const char *name)
{
    const char *given = auth_param(a, name);
    cJSON *data;
    int rc = 0;

    if (a->user == NULL)
        return auth_invalid_session(a->ctx);
    if (given == NULL)
        return auth_missing(a->ctx, name);
    if ((data = cJSON_Parse(s->data)) == NULL)
        return ops_fail_internal(a->ctx, "unreadable auth session");
    if (json_str(data, "code") == NULL || !secrets_equal(json_str(data, "code"), given))
        rc = mfa_code_mismatch(a->ctx);
    else if (a->ctx->now_ms > json_int(data, "expires_ms", 0))
        rc = cog_err_set(&a->ctx->err, COG_E_EXPIRED_CODE,
                         "Invalid code provided, please request a code again.");
    else
        a->signed_in = true;
    cJSON_Delete(data);
    return rc;
}

int auth_respond_sms_mfa(struct auth *a, const struct store_session *s)
{
    return respond_sent_code(a, s, "SMS_MFA_CODE");
}

int auth_respond_email_otp(struct auth *a, const struct store_session *s)
{
    return respond_sent_code(a, s, "EMAIL_OTP_CODE");
}

/* The set of factors a SELECT_MFA_TYPE or MFA_SETUP session offered. */
static unsigned session_factors(const struct store_session *s)
{
    cJSON *data = cJSON_Parse(s->data);
    unsigned factors = (unsigned)json_int(data, "factors", 0);

    cJSON_Delete(data);
    return factors;
}

/* RespondToAuthChallenge SELECT_MFA_TYPE: ANSWER names one of MFAS_CAN_CHOOSE; that factor's
 * challenge follows. Another answer: InvalidParameterException (the emulator's wording). */
int auth_respond_select_mfa_type(struct auth *a, const struct store_session *s)
{
    const char *answer = auth_param(a, "ANSWER");
    unsigned factor = mfa_factor_of(answer);

    if (a->user == NULL)
        return auth_invalid_session(a->ctx);
    if (answer == NULL)
        return auth_missing(a->ctx, "ANSWER");
    if ((factor & session_factors(s)) == 0)
        return cog_err_set(&a->ctx->err, COG_E_INVALID_PARAMETER,
                           "Invalid MFA type %s for the user.", answer);
    return ask_factor(a, factor);
}

/*
 * RespondToAuthChallenge MFA_SETUP, with the Session that VerifySoftwareToken answered
 * (ops_mfa.c rekeys the MFA_SETUP session at AssociateSoftwareToken and VerifySoftwareToken
 * and marks it verified): the user is signed in. Before the token is verified: an error of the
 * emulator's wording.
 */
int auth_respond_mfa_setup(struct auth *a, const struct store_session *s)
{
    cJSON *data = cJSON_Parse(s->data);
    bool verified = json_bool(data, "verified", false);

    cJSON_Delete(data);
    if (a->user == NULL)
        return auth_invalid_session(a->ctx);
    if (!verified)
        return cog_err_set(&a->ctx->err, COG_E_INVALID_PARAMETER,
                           "MFA setup is not complete: call AssociateSoftwareToken and "
                           "VerifySoftwareToken with the Session first.");
    a->signed_in = true;
    return 0;
}
