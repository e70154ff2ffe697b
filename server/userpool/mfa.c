/*
 * mfa: the rules of which MFA factor a pool offers, a user has, and a sign-in asks. See mfa.h
 * for the contract; the TOTP arithmetic itself is crypto/totp.c.
 *
 * Where a pool keeps its MFA settings: MfaConfiguration is a member of the pool document (as
 * DescribeUserPool shows it); SetUserPoolMfaConfig adds SoftwareTokenMfaConfiguration
 * {Enabled}, and SmsMfaConfiguration / EmailMfaConfiguration while those factors are on (the
 * shape GetUserPoolMfaConfig answers). A pool never given SetUserPoolMfaConfig offers SMS when
 * it has an SmsConfiguration, as a pool created with MFA and SMS settings does in Cognito.
 */
#include "config.h"

#include "userpool/mfa.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/totp.h"
#include "util/jsonutil.h"
#include "userpool/user.h"

const char *mfa_factor_name(unsigned factor)
{
    switch (factor) {
    case MFA_SMS:
        return "SMS_MFA";
    case MFA_TOTP:
        return "SOFTWARE_TOKEN_MFA";
    case MFA_EMAIL:
        return "EMAIL_OTP";
    default:
        return NULL;
    }
}

unsigned mfa_factor_of(const char *name)
{
    static const unsigned ALL[] = {MFA_SMS, MFA_TOTP, MFA_EMAIL};

    for (size_t i = 0; name != NULL && i < sizeof(ALL) / sizeof(ALL[0]); i++)
        if (strcmp(mfa_factor_name(ALL[i]), name) == 0)
            return ALL[i];
    return 0;
}

const char *mfa_pool_mode(const cJSON *pool)
{
    const char *mode = json_str(pool, "MfaConfiguration");

    return mode != NULL ? mode : "OFF";
}

unsigned mfa_pool_factors(const cJSON *pool)
{
    const cJSON *totp = json_get(pool, "SoftwareTokenMfaConfiguration");
    unsigned f = 0;

    if (json_bool(totp, "Enabled", false))
        f |= MFA_TOTP;
    if (json_get(pool, "SmsMfaConfiguration") != NULL ||
        (totp == NULL && json_get(pool, "SmsConfiguration") != NULL))
        f |= MFA_SMS;
    if (json_get(pool, "EmailMfaConfiguration") != NULL)
        f |= MFA_EMAIL;
    return f;
}

/* The factors m turns on that u has the means for, whatever the pool offers. */
static unsigned enabled_factors(const struct store_user *u, const struct store_mfa *m)
{
    unsigned f = 0;

    if (m->totp_enabled && m->totp_secret != NULL)
        f |= MFA_TOTP;
    if (m->sms_enabled && user_has_attribute(u, "phone_number"))
        f |= MFA_SMS;
    if (m->email_enabled && user_has_attribute(u, "email"))
        f |= MFA_EMAIL;
    return f;
}

enum mfa_totp mfa_totp_spend(struct store_mfa *m, const char *secret, const char *code,
                             int64_t now_ms)
{
    int64_t step = totp_verify_step(secret, code, now_ms);

    if (step < 0)
        return MFA_TOTP_WRONG;
    if (step <= m->totp_last_step)
        return MFA_TOTP_SPENT;
    m->totp_last_step = step;
    return MFA_TOTP_OK;
}

unsigned mfa_user_factors(const cJSON *pool, const struct store_user *u, const struct store_mfa *m)
{
    /* Cognito keeps a verified TOTP usable after the pool stops offering TOTP ("users who
     * previously associated and verified a TOTP token can continue to use it for MFA",
     * developer guide, TOTP software token MFA). */
    return enabled_factors(u, m) & (mfa_pool_factors(pool) | MFA_TOTP);
}

/* The lowest factor of a set (the order SMS, TOTP, e-mail). */
static unsigned first_factor(unsigned factors)
{
    return factors & (~factors + 1);
}

enum mfa_step mfa_decide(const cJSON *pool, const struct store_user *u, const struct store_mfa *m,
                         unsigned *factor, unsigned *factors)
{
    const char *mode = mfa_pool_mode(pool);
    unsigned mine, offered = mfa_pool_factors(pool), preferred = mfa_factor_of(m->preferred);

    *factor = *factors = 0;
    if (strcmp(mode, "OFF") == 0)
        return MFA_STEP_NONE;
    mine = mfa_user_factors(pool, u, m);
    if (mine != 0) {
        if ((preferred & mine) != 0 || first_factor(mine) == mine) {
            *factor = (preferred & mine) != 0 ? preferred : mine;
            return MFA_STEP_ASK;
        }
        *factors = mine;
        return MFA_STEP_SELECT;
    }
    if (strcmp(mode, "ON") != 0)
        return MFA_STEP_NONE;
    /* MFA is required and the user turned nothing on: the means it has. */
    if ((offered & MFA_SMS) && user_has_attribute(u, "phone_number")) {
        *factor = MFA_SMS;
        return MFA_STEP_ASK;
    }
    if ((offered & MFA_EMAIL) && user_has_attribute(u, "email")) {
        *factor = MFA_EMAIL;
        return MFA_STEP_ASK;
    }
    *factors = offered;
    return MFA_STEP_SETUP;
}

char *mfa_factor_list_text(unsigned factors)
{
    cJSON *list = cJSON_CreateArray();
    char *text = NULL;
    bool bad = list == NULL;

    for (unsigned f = MFA_SMS; !bad && f <= MFA_EMAIL; f <<= 1)
        if (factors & f)
            bad = !cJSON_AddItemToArray(list, cJSON_CreateString(mfa_factor_name(f)));
    if (!bad)
        text = cJSON_PrintUnformatted(list);
    cJSON_Delete(list);
    return text;
}

int mfa_fill_user_settings(cJSON *obj, const struct store_user *u, const struct store_mfa *m)
{
    unsigned mine = enabled_factors(u, m), preferred = mfa_factor_of(m->preferred);
    cJSON *list;

    if (mine == 0)
        return 0;
    if ((list = cJSON_CreateArray()) == NULL)
        return -1;
    for (unsigned f = MFA_SMS; f <= MFA_EMAIL; f <<= 1)
        if ((mine & f) && !cJSON_AddItemToArray(list, cJSON_CreateString(mfa_factor_name(f)))) {
            cJSON_Delete(list);
            return -1;
        }
    if ((preferred & mine) != 0 &&
        json_set_str(obj, "PreferredMfaSetting", mfa_factor_name(preferred)) != 0) {
        cJSON_Delete(list);
        return -1;
    }
    return json_set_item(obj, "UserMFASettingList", list);
}
