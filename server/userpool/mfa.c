/*
 * mfa: TOTP (RFC 6238 over RFC 4226's HOTP), base32 secrets (RFC 4648), and the rules of which
 * MFA factor a pool offers, a user has, and a sign-in asks. See mfa.h for the contract.
 *
 * Where a pool keeps its MFA settings: MfaConfiguration is a member of the pool document (as
 * DescribeUserPool shows it); SetUserPoolMfaConfig adds SoftwareTokenMfaConfiguration
 * {Enabled}, and SmsMfaConfiguration / EmailMfaConfiguration while those factors are on (the
 * shape GetUserPoolMfaConfig answers). A pool never given SetUserPoolMfaConfig offers SMS when
 * it has an SmsConfiguration, as a pool created with MFA and SMS settings does in Cognito.
 */
#include "config.h"

#include "userpool/mfa.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/jsonutil.h"
#include "crypto/secrets.h"
#include "userpool/userpool.h"

#define TOTP_STEP_SECONDS 30
#define SECRET_BYTES 20

static const char BASE32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

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

int mfa_totp(const unsigned char *key, size_t key_len, int64_t unix_seconds, char out[7])
{
    unsigned char msg[8], md[EVP_MAX_MD_SIZE];
    unsigned int md_len = 0;
    uint64_t counter = (uint64_t)(unix_seconds / TOTP_STEP_SECONDS);
    uint32_t bin;
    int offset;

    for (int i = 7; i >= 0; i--) {
        msg[i] = (unsigned char)(counter & 0xff);
        counter >>= 8;
    }
    if (HMAC(EVP_sha1(), key, (int)key_len, msg, sizeof(msg), md, &md_len) == NULL || md_len < 20)
        return -1;
    /* RFC 4226 section 5.3, dynamic truncation. */
    offset = md[md_len - 1] & 0x0f;
    bin = ((uint32_t)(md[offset] & 0x7f) << 24) | ((uint32_t)md[offset + 1] << 16) |
          ((uint32_t)md[offset + 2] << 8) | (uint32_t)md[offset + 3];
    snprintf(out, 7, "%06u", (unsigned)(bin % 1000000u));
    return 0;
}

char *mfa_secret_new(void)
{
    unsigned char raw[SECRET_BYTES];
    char *out = malloc(MFA_SECRET_LEN + 1);
    size_t o = 0;

    if (out == NULL || RAND_bytes(raw, sizeof(raw)) != 1) {
        free(out);
        return NULL;
    }
    /* 20 bytes are 160 bits: exactly 32 base32 digits, no padding. */
    for (size_t i = 0; i < sizeof(raw); i += 5) {
        uint64_t v = 0;
        for (size_t j = 0; j < 5; j++)
            v = (v << 8) | raw[i + j];
        for (int k = 7; k >= 0; k--)
            out[o++] = BASE32[(v >> (5 * k)) & 31];
    }
    out[o] = '\0';
    OPENSSL_cleanse(raw, sizeof(raw));
    return out;
}

/* Decode base32 text (upper or lower case, '=' padding ignored) into out (room for n bytes).
 * The number of bytes, or -1 for a character outside the alphabet or too long a text. */
static int base32_decode(const char *text, unsigned char *out, size_t n)
{
    uint32_t buffer = 0;
    int bits = 0;
    size_t o = 0;

    for (const char *p = text; *p != '\0' && *p != '='; p++) {
        char c = *p >= 'a' && *p <= 'z' ? (char)(*p - 'a' + 'A') : *p;
        const char *at = strchr(BASE32, c);
        if (c == '\0' || at == NULL)
            return -1;
        buffer = (buffer << 5) | (uint32_t)(at - BASE32);
        bits += 5;
        if (bits >= 8) {
            if (o == n)
                return -1;
            out[o++] = (unsigned char)((buffer >> (bits - 8)) & 0xff);
            bits -= 8;
        }
    }
    return (int)o;
}

bool mfa_totp_ok(const char *secret, const char *code, int64_t now_ms)
{
    unsigned char key[64];
    char expected[7];
    bool ok = false;
    int len;

    if (secret == NULL || code == NULL || strlen(code) != 6 ||
        (len = base32_decode(secret, key, sizeof(key))) <= 0)
        return false;
    for (int d = -1; d <= 1; d++)
        if (mfa_totp(key, (size_t)len, now_ms / 1000 + d * TOTP_STEP_SECONDS, expected) == 0 &&
            secrets_equal(expected, code))
            ok = true;
    OPENSSL_cleanse(key, sizeof(key));
    OPENSSL_cleanse(expected, sizeof(expected));
    return ok;
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

/* Whether u has a non-empty attribute name. */
static bool has_attribute(const struct store_user *u, const char *name)
{
    cJSON *attrs = userpool_attributes(u);
    const char *v = json_str(attrs, name);
    bool has = v != NULL && *v != '\0';

    cJSON_Delete(attrs);
    return has;
}

/* The factors m turns on that u has the means for, whatever the pool offers. */
static unsigned enabled_factors(const struct store_user *u, const struct store_mfa *m)
{
    unsigned f = 0;

    if (m->totp_enabled && m->totp_secret != NULL)
        f |= MFA_TOTP;
    if (m->sms_enabled && has_attribute(u, "phone_number"))
        f |= MFA_SMS;
    if (m->email_enabled && has_attribute(u, "email"))
        f |= MFA_EMAIL;
    return f;
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
    if ((offered & MFA_SMS) && has_attribute(u, "phone_number")) {
        *factor = MFA_SMS;
        return MFA_STEP_ASK;
    }
    if ((offered & MFA_EMAIL) && has_attribute(u, "email")) {
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
