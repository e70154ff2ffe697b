/*
 * mfa: the rules of multi-factor authentication that sign-in (auth/), the MFA operations
 * (ops_mfa.c) and GetUser / AdminGetUser (ops_user.c) share: which
 * factors a pool offers and a user has, which challenge a sign-in gets, and the UserMFASetting
 * members of a user. No SQL and no error messages beyond what the functions say.
 */
#ifndef COG_MFA_H
#define COG_MFA_H

#include <cJSON.h>
#include <stdbool.h>
#include <stdint.h>

#include "store/store.h"

/* The factors, as bits of a set. */
enum mfa_factor {
    MFA_SMS = 1,   /* SMS_MFA */
    MFA_TOTP = 2,  /* SOFTWARE_TOKEN_MFA */
    MFA_EMAIL = 4, /* EMAIL_OTP */
};

/* The factor's AWS name ("SMS_MFA", "SOFTWARE_TOKEN_MFA", "EMAIL_OTP"), and back (0: none). */
const char *mfa_factor_name(unsigned factor);
unsigned mfa_factor_of(const char *name);

/* The pool's MfaConfiguration: "OFF", "ON" or "OPTIONAL". */
const char *mfa_pool_mode(const cJSON *pool);

/* The factors the pool offers (SetUserPoolMfaConfig), as a set of enum mfa_factor. */
unsigned mfa_pool_factors(const cJSON *pool);

/*
 * The factors user u has turned on and can use in pool: enabled in m, offered by the pool,
 * and with their means (a verified TOTP secret, a phone_number, an email).
 */
unsigned mfa_user_factors(const cJSON *pool, const struct store_user *u, const struct store_mfa *m);

/* What a sign-in that proved the password asks next. */
enum mfa_step {
    MFA_STEP_NONE,   /* no MFA: tokens */
    MFA_STEP_ASK,    /* the challenge of *factor */
    MFA_STEP_SELECT, /* SELECT_MFA_TYPE among *factors */
    MFA_STEP_SETUP,  /* MFA_SETUP offering *factors */
};

/*
 * Decide the MFA step of u's sign-in in pool, as Cognito orders it: nothing when the pool's
 * MFA is OFF; the user's enabled factors (the preferred one, the only one, or a choice among
 * several); with none, in a pool where MFA is ON, SMS to the user's phone_number or an e-mail
 * code to its email when the pool offers them, else MFA_SETUP. *factor gets the factor of
 * MFA_STEP_ASK, *factors the set of MFA_STEP_SELECT / MFA_STEP_SETUP.
 */
enum mfa_step mfa_decide(const cJSON *pool, const struct store_user *u, const struct store_mfa *m,
                         unsigned *factor, unsigned *factors);

/* How a TOTP code answers (mfa_totp_spend). */
enum mfa_totp {
    MFA_TOTP_OK,    /* right, and not spent before: m->totp_last_step is now its step */
    MFA_TOTP_WRONG, /* not the code of secret at now_ms, one step either way */
    MFA_TOTP_SPENT, /* right, but its step is at or before the last one spent */
};

/*
 * Spend TOTP code of secret (m's verified or pending one) at now_ms: a code answers once, as
 * Cognito refuses a reused one (ExpiredCodeException "Your software token has already been
 * used once.", the message MFA_TOTP_SPENT_MESSAGE), and so does any code of an earlier step.
 * The last step is the user's, whichever secret spent it. The caller stores m on MFA_TOTP_OK.
 */
enum mfa_totp mfa_totp_spend(struct store_mfa *m, const char *secret, const char *code,
                             int64_t now_ms);
#define MFA_TOTP_SPENT_MESSAGE "Your software token has already been used once."

/* A JSON array text of the names of factors (free()), e.g. ["SMS_MFA","SOFTWARE_TOKEN_MFA"]. */
char *mfa_factor_list_text(unsigned factors);

/*
 * Add UserMFASettingList and PreferredMfaSetting to obj, as AdminGetUser and GetUser show
 * them, when the user has any factor turned on. 0, or -1 when out of memory.
 */
int mfa_fill_user_settings(cJSON *obj, const struct store_user *u, const struct store_mfa *m);

#endif
