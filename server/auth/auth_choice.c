/*
 * auth_choice: choice-based sign-in, AuthFlow USER_AUTH (../shared/user-auth-passkeys.md
 * section 1). The user names a first factor up front (AuthParameters PREFERRED_CHALLENGE) or
 * picks one from SELECT_CHALLENGE's AvailableChallenges: PASSWORD (the password, in the same
 * request or as the PASSWORD challenge), PASSWORD_SRP (SRP_A, then USER_SRP_AUTH's
 * PASSWORD_VERIFIER: auth_srp.c), EMAIL_OTP / SMS_OTP (an 8-digit code sent to the inbox) or
 * WEB_AUTHN (a passkey: auth_webauthn.c). A password leads where every password sign-in leads
 * (auth_password_accepted: NEW_PASSWORD_REQUIRED, MFA); the other factors sign the user in.
 *
 * FACTORS is the one list of first factors, in the order AvailableChallenges shows them (the
 * API reference's examples): what the pool allows (Policies.SignInPolicy.AllowedFirstAuthFactors,
 * PASSWORD covering both password forms), what the user can use (a password, an email, a
 * phone_number, a passkey), and how each is asked. EMAIL_OTP is also the e-mail MFA challenge
 * (auth_mfa.c): a first factor's session says so in its state ("first_factor"), and
 * auth_respond_email_code sends the response where it belongs.
 *
 * The top-level Session of an InitiateAuth after ConfirmSignUp (passwordless sign-up's auto
 * sign-in, section 2) signs its user in at once: the confirmation code was the first factor.
 */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/auth_int.h"
#include "aws/ops_common.h"
#include "crypto/secrets.h"
#include "store/store.h"
#include "userpool/client.h"
#include "userpool/delivery.h"
#include "userpool/mfa.h"
#include "userpool/user.h"
#include "util/jsonutil.h"

/* A sign-in code: 8 digits (the API reference's EMAIL_OTP example "12345678"; MFA codes stay
 * 6, secrets_code). */
#define OTP_DIGITS 8

/* The first factors, as bits of a set. */
enum {
    FF_PASSWORD_SRP = 1,
    FF_PASSWORD = 2,
    FF_EMAIL_OTP = 4,
    FF_SMS_OTP = 8,
    FF_WEB_AUTHN = 16,
    FF_PASSWORDS = FF_PASSWORD_SRP | FF_PASSWORD,
};

static int ask_password(struct auth *a, const char *username);
static int ask_srp(struct auth *a, const char *username);
static int ask_email(struct auth *a, const char *username);
static int ask_sms(struct auth *a, const char *username);
static int ask_web_authn(struct auth *a, const char *username);

static const struct first_factor {
    const char *name;      /* the challenge name (PREFERRED_CHALLENGE, ANSWER) */
    unsigned bit;          /* its bit */
    const char *pool_name; /* the AllowedFirstAuthFactors entry that allows it */
    const char *attribute; /* the attribute the user needs, or NULL */
    int (*ask)(struct auth *a, const char *username); /* go to it, with a->params' members */
} FACTORS[] = {
    {"PASSWORD_SRP", FF_PASSWORD_SRP, "PASSWORD", NULL, ask_srp},
    {"PASSWORD", FF_PASSWORD, "PASSWORD", NULL, ask_password},
    {"EMAIL_OTP", FF_EMAIL_OTP, "EMAIL_OTP", "email", ask_email},
    {"SMS_OTP", FF_SMS_OTP, "SMS_OTP", "phone_number", ask_sms},
    {"WEB_AUTHN", FF_WEB_AUTHN, "WEB_AUTHN", NULL, ask_web_authn},
};

#define N_FACTORS (sizeof(FACTORS) / sizeof(FACTORS[0]))

static const struct first_factor *factor_named(const char *name)
{
    for (size_t i = 0; name != NULL && i < N_FACTORS; i++)
        if (strcmp(FACTORS[i].name, name) == 0)
            return &FACTORS[i];
    return NULL;
}

/* ---- What is available ------------------------------------------------------------------- */

/* The first factors pool allows: AllowedFirstAuthFactors, ["PASSWORD"] when unset. */
static unsigned pool_factors(const cJSON *pool)
{
    const cJSON *allowed =
        json_get(json_get(json_get(pool, "Policies"), "SignInPolicy"), "AllowedFirstAuthFactors");
    unsigned set = 0;

    if (!cJSON_IsArray(allowed))
        return FF_PASSWORDS;
    for (size_t i = 0; i < N_FACTORS; i++)
        if (json_list_has(allowed, FACTORS[i].pool_name))
            set |= FACTORS[i].bit;
    return set;
}

/* Whether the user has MFA to pass after a password: the pool requires it, or the user turned
 * a factor on. Such a user gets no passwordless factor (section 1.3: Cognito does not allow
 * MFA and passwordless sign-in for the same user; the passkey-as-MFA exception of
 * MULTI_FACTOR_WITH_USER_VERIFICATION is not emulated). 1 yes, 0 no, -1 on error. */
static int user_has_mfa(struct auth *a)
{
    struct store_mfa m = {0};
    unsigned mine;

    if (strcmp(mfa_pool_mode(a->pool), "ON") == 0)
        return 1;
    if (store_mfa_get(a->ctx->db, a->user->seq, &m) != STORE_OK)
        return ops_fail_internal(a->ctx, "could not read the MFA settings");
    mine = mfa_user_factors(a->pool, a->user, &m);
    store_mfa_clear(&m);
    return mine != 0;
}

/*
 * The first factors a->user can use (all the pool allows for a simulated, unknown user):
 * password ones with a password; none but those for a user who must change or reset it
 * (RUNBOOK: a FORCE_CHANGE_PASSWORD user is offered only PASSWORD_SRP and PASSWORD) or who has
 * MFA; EMAIL_OTP / SMS_OTP with an email / phone_number; WEB_AUTHN with a passkey. Into *out;
 * 0 or -1.
 */
static int available(struct auth *a, unsigned *out)
{
    unsigned allowed = pool_factors(a->pool), set = 0;
    cJSON *attrs;
    int64_t passkeys;
    int mfa;

    *out = allowed;
    if (a->user == NULL)
        return 0;
    if (a->user->srp_verifier != NULL)
        set |= FF_PASSWORDS;
    if (strcmp(a->user->status, "FORCE_CHANGE_PASSWORD") == 0 ||
        strcmp(a->user->status, "RESET_REQUIRED") == 0) {
        *out = allowed & set;
        return 0;
    }
    if ((mfa = user_has_mfa(a)) < 0)
        return -1;
    if ((attrs = user_attributes(a->user)) == NULL)
        return ops_fail_internal(a->ctx, "out of memory");
    for (size_t i = 0; !mfa && i < N_FACTORS; i++)
        if (FACTORS[i].attribute != NULL && json_str(attrs, FACTORS[i].attribute) != NULL)
            set |= FACTORS[i].bit;
    cJSON_Delete(attrs);
    if (!mfa && (allowed & FF_WEB_AUTHN) != 0) {
        if ((passkeys = store_webauthn_count(a->ctx->db, a->user->seq)) < 0)
            return ops_fail_internal(a->ctx, "could not count the passkeys");
        if (passkeys > 0)
            set |= FF_WEB_AUTHN;
    }
    *out = allowed & set;
    return 0;
}

/* The names of set, in FACTORS' order: a new array, or NULL. */
static cJSON *factor_names(unsigned set)
{
    cJSON *list = cJSON_CreateArray();

    for (size_t i = 0; list != NULL && i < N_FACTORS; i++)
        if ((set & FACTORS[i].bit) != 0 &&
            !cJSON_AddItemToArray(list, cJSON_CreateString(FACTORS[i].name))) {
            cJSON_Delete(list);
            return NULL;
        }
    return list;
}

/* ChallengeParameters with USERNAME: a->user's username, or the name typed. */
static cJSON *params_with_username(const struct auth *a, const char *username)
{
    cJSON *params = cJSON_CreateObject();

    if (params != NULL &&
        json_set_str(params, "USERNAME", a->user != NULL ? a->user->username : username) != 0) {
        cJSON_Delete(params);
        return NULL;
    }
    return params;
}

/* ---- The factors ------------------------------------------------------------------------- */

/*
 * A password first factor whose check already ran (a->proved): as USER_PASSWORD_AUTH goes on,
 * lockout and RESET_REQUIRED included. A wrong one is counted here at InitiateAuth, by
 * respond() (a->wrong_password) after a response's transaction rolls back.
 */
static int password_checked(struct auth *a)
{
    if (a->user == NULL)
        return auth_incorrect_password(a->ctx);
    if (auth_check_lockout(a) != 0)
        return -1;
    if (!a->proved) {
        if (a->responding)
            a->wrong_password = true;
        else
            auth_note_wrong_password(a);
    }
    if (auth_check_reset_required(a, a->proved) != 0)
        return -1;
    if (!a->proved)
        return auth_incorrect_password(a->ctx);
    if (auth_clear_lockout(a) != 0)
        return -1;
    return auth_password_accepted(a);
}

/* Whether PASSWORD (given) is a->user's: sets a->proved. 0 or -1. A user without a password
 * (passwordless sign-up) is never proved. */
static int check_password(struct auth *a, const char *password)
{
    int st = a->user != NULL ? user_password_matches(a->pool, a->user, password) : 0;

    if (st < 0)
        return ops_fail_internal(a->ctx, "could not check the password");
    a->proved = st == 1;
    return 0;
}

/* PASSWORD: with the password in the request, checked (at a response by the challenge's
 * verify function, outside the transaction); without, the PASSWORD challenge asks for it. */
static int ask_password(struct auth *a, const char *username)
{
    const char *password = auth_param(a, "PASSWORD");

    if (password == NULL)
        return auth_answer_challenge(a, "PASSWORD", params_with_username(a, username));
    if (!a->responding && check_password(a, password) != 0)
        return -1;
    return password_checked(a);
}

/* PASSWORD_SRP: with SRP_A, USER_SRP_AUTH's PASSWORD_VERIFIER (a simulated one for an unknown
 * user); without, the PASSWORD_SRP challenge asks for it. */
static int ask_srp(struct auth *a, const char *username)
{
    const char *srp_a = auth_param(a, "SRP_A");

    if (srp_a == NULL)
        return auth_answer_challenge(a, "PASSWORD_SRP", params_with_username(a, username));
    return auth_ask_password_verifier(a, srp_a, username);
}

/* A random OTP_DIGITS-digit code into out (OTP_DIGITS + 1 bytes): two 6-digit codes of
 * secrets_code, so that the --fixed-code setting also fixes it (its 6 digits, then their
 * first two again). */
static void otp_code(char *out)
{
    char first[7], second[7];

    secrets_code(first);
    secrets_code(second);
    snprintf(out, OTP_DIGITS + 1, "%s%.2s", first, second);
}

/*
 * Send a sign-in code by medium (EMAIL / SMS) to a->user's attribute and ask challenge name
 * with CODE_DELIVERY_DELIVERY_MEDIUM and the masked CODE_DELIVERY_DESTINATION, as the MFA
 * challenges show them. The message is the MFA one (kind "mfa": the pool's
 * EmailMfaConfiguration Message/Subject, SmsAuthenticationMessage, CustomMessage_Authentication):
 * the API reference documents EmailMfaConfiguration as the template of "MFA and sign-in with
 * an email OTP". The session keeps only the code's SHA-256 and that it is a first factor; the
 * code is good as long as the session (AuthSessionValidity). An unknown user (a simulated
 * challenge, PreventUserExistenceErrors) gets the destination masked from the name typed, and
 * nothing is sent.
 */
static int ask_code(struct auth *a, const char *username, const char *name, const char *medium,
                    const char *attribute)
{
    cJSON *attrs = a->user != NULL ? user_attributes(a->user) : NULL;
    char code[OTP_DIGITS + 1] = {0}, hash[65], data[128];
    struct delivery d = auth_code_delivery(a, medium, attribute, code, username);
    int rc = -1;

    otp_code(code);
    secrets_sha256_hex(code, hash);
    snprintf(data, sizeof(data), "{\"first_factor\":1,\"code_sha256\":\"%s\"}", hash);
    if (a->user != NULL && attrs == NULL) {
        ops_fail_internal(a->ctx, "out of memory");
    } else {
        d.destination = a->user != NULL ? json_str(attrs, attribute) : username;
        rc = auth_answer_code_challenge(a, &d, name, params_with_username(a, username), data);
    }
    secrets_wipe(code, sizeof(code));
    cJSON_Delete(attrs);
    return rc;
}

static int ask_email(struct auth *a, const char *username)
{
    if (auth_check_user_state(a) != 0)
        return -1;
    return ask_code(a, username, "EMAIL_OTP", "EMAIL", "email");
}

static int ask_sms(struct auth *a, const char *username)
{
    if (auth_check_user_state(a) != 0)
        return -1;
    return ask_code(a, username, "SMS_OTP", "SMS", "phone_number");
}

/*
 * WEB_AUTHN: auth_webauthn.c asks it. An unknown user has no passkey to prove. A
 * SELECT_CHALLENGE answer that already carries a CREDENTIAL (the API reference's one-step
 * form) is refused loudly: an assertion can only be checked against a challenge the service
 * issued, and where a client would get one before SELECT_CHALLENGE is not documented. Amplify
 * answers ANSWER=WEB_AUTHN alone and then the WEB_AUTHN challenge, which works.
 */
static int ask_web_authn(struct auth *a, const char *username)
{
    (void)username;
    if (a->responding && auth_param(a, "CREDENTIAL") != NULL)
        return cog_err_set(&a->ctx->err, COG_E_INVALID_PARAMETER,
                           "cognito-emu does not take a CREDENTIAL with SELECT_CHALLENGE: answer "
                           "ANSWER=WEB_AUTHN alone, then the WEB_AUTHN challenge");
    if (a->user == NULL)
        return auth_incorrect_password(a->ctx);
    if (auth_check_user_state(a) != 0)
        return -1;
    return auth_ask_web_authn(a);
}

/* ---- InitiateAuth USER_AUTH -------------------------------------------------------------- */

/* SELECT_CHALLENGE offering set; the session keeps the set. */
static int ask_select(struct auth *a, const char *username, unsigned set)
{
    char data[48];

    snprintf(data, sizeof(data), "{\"available\":%u}", set);
    return auth_answer_challenge_data(a, "SELECT_CHALLENGE", params_with_username(a, username),
                                      data);
}

/*
 * The auto sign-in of passwordless sign-up: the top-level Session that ConfirmSignUp answered
 * (an AUTO_SIGN_IN session row) signs in its user, once, within its lifetime, for the client
 * it was given to. Anything else is an invalid session.
 */
static int auto_sign_in(struct auth *a, const char *session)
{
    struct store_session *s = NULL;
    int st = store_session_get(a->ctx->db, session, &s), rc = 0;
    bool mine = st == STORE_OK && a->user != NULL && s->user_seq == a->user->seq;

    if (st == STORE_ERROR)
        return ops_fail_internal(a->ctx, "could not read the auth session");
    if (mine && auth_session_spent(a, s))
        rc = auth_used_session(a->ctx);
    else if (!mine || strcmp(s->challenge, USER_AUTO_SIGN_IN) != 0 ||
             strcmp(s->pool_id, json_str(a->pool, "Id")) != 0 ||
             strcmp(s->client_id, a->client_id) != 0 || s->expires_ms <= a->ctx->now_ms)
        rc = auth_invalid_session(a->ctx);
    else if ((rc = auth_check_user_state(a)) == 0 && (rc = auth_spend_session(a, session, s)) == 0)
        a->signed_in = true;
    store_session_free(s);
    return rc;
}

/* The first step for a user (or a simulated one): the preference when available, else
 * SELECT_CHALLENGE. */
static int first_step(struct auth *a, const char *username, const char *preferred, unsigned set)
{
    const struct first_factor *f = factor_named(preferred);

    if (preferred != NULL && f == NULL)
        return cog_err_set(&a->ctx->err, COG_E_INVALID_PARAMETER,
                           "Invalid PREFERRED_CHALLENGE value %s.", preferred);
    if (f != NULL && (set & f->bit) != 0)
        return f->ask(a, username);
    return ask_select(a, username, set);
}

/*
 * InitiateAuth / AdminInitiateAuth USER_AUTH: AuthParameters USERNAME, SECRET_HASH,
 * PREFERRED_CHALLENGE (and PASSWORD or SRP_A for the password ones), or the top-level Session
 * of auto sign-in. Every answer carries AvailableChallenges.
 */
int auth_start_choice(struct auth *a)
{
    const char *username = auth_param(a, "USERNAME"),
               *preferred = auth_param(a, "PREFERRED_CHALLENGE");
    const char *session = json_str(a->ctx->in, "Session");
    unsigned set;
    int st, rc;

    if (username == NULL)
        return auth_missing(a->ctx, "USERNAME");
    if (preferred != NULL && factor_named(preferred) == NULL)
        return first_step(a, username, preferred, 0);
    if (client_check_secret_hash(a->ctx, a->client, username, auth_param(a, "SECRET_HASH")) != 0)
        return -1;
    st = user_find(a->ctx, a->pool, username, &a->user);
    if (st == STORE_ERROR)
        return -1;
    if (st != STORE_OK && !client_hides_users(a->client))
        return auth_unknown_user(a);
    if (session != NULL && st != STORE_OK)
        return auth_invalid_session(a->ctx);
    if (auth_pre_authentication(a, username) != 0 || available(a, &set) != 0)
        return -1;
    rc = session != NULL ? auto_sign_in(a, session) : first_step(a, username, preferred, set);
    if (rc == 0 && ops_out_set(a->ctx, "AvailableChallenges", factor_names(set)) != 0)
        return -1;
    return rc == 0 && a->signed_in ? auth_answer_sign_in(a) : rc;
}

/* ---- RespondToAuthChallenge -------------------------------------------------------------- */

/* The factor a response to session s goes to: SELECT_CHALLENGE's ANSWER, or the session's own
 * challenge (PASSWORD, PASSWORD_SRP). */
static const char *answered(const struct auth *a, const struct store_session *s)
{
    return strcmp(s->challenge, "SELECT_CHALLENGE") == 0 ? auth_param(a, "ANSWER") : s->challenge;
}

/* Outside the transaction: a PASSWORD answer's check (costly: the SRP verifier). */
int auth_verify_choice(struct auth *a, const struct store_session *s)
{
    const char *password = auth_param(a, "PASSWORD"), *factor = answered(a, s);

    if (password == NULL || factor == NULL || strcmp(factor, "PASSWORD") != 0)
        return 0;
    return check_password(a, password);
}

/* The number member name of session s's state (0 when absent): a SELECT_CHALLENGE's
 * "available" set, a code session's "first_factor" mark. */
static int64_t state_number(const struct store_session *s, const char *name)
{
    cJSON *data = cJSON_Parse(s->data);
    int64_t n = json_int(data, name, 0);

    cJSON_Delete(data);
    return n;
}

/*
 * RespondToAuthChallenge SELECT_CHALLENGE {ANSWER, and the factor's members}: the factor must
 * be one the challenge offered (InvalidParameterException, the emulator's wording, otherwise).
 */
int auth_respond_select_challenge(struct auth *a, const struct store_session *s)
{
    const char *answer = auth_param(a, "ANSWER"), *username = auth_param(a, "USERNAME");
    const struct first_factor *f = factor_named(answer);

    if (answer == NULL)
        return auth_missing(a->ctx, "ANSWER");
    if (f == NULL || ((unsigned)state_number(s, "available") & f->bit) == 0)
        return cog_err_set(&a->ctx->err, COG_E_INVALID_PARAMETER,
                           "Invalid ANSWER %s: not one of the AvailableChallenges.", answer);
    if (f->bit == FF_PASSWORD && auth_param(a, "PASSWORD") == NULL)
        return auth_missing(a->ctx, "PASSWORD");
    if (f->bit == FF_PASSWORD_SRP && auth_param(a, "SRP_A") == NULL)
        return auth_missing(a->ctx, "SRP_A");
    return f->ask(a, username);
}

/* RespondToAuthChallenge PASSWORD {PASSWORD}, PASSWORD_SRP {SRP_A}. */
int auth_respond_password_choice(struct auth *a, const struct store_session *s)
{
    const char *member = strcmp(s->challenge, "PASSWORD") == 0 ? "PASSWORD" : "SRP_A";

    if (auth_param(a, member) == NULL)
        return auth_missing(a->ctx, member);
    return factor_named(s->challenge)->ask(a, auth_param(a, "USERNAME"));
}

/*
 * A sign-in code in response member name, for a first-factor session: its hash must match
 * (CodeMismatchException "Invalid code or auth state for the user." otherwise, RUNBOOK; the
 * session survives for another try, respond() spending it only on success). A simulated
 * session (no user) never matches.
 */
static int respond_code(struct auth *a, const struct store_session *s, const char *name)
{
    const char *given = auth_param(a, name);
    cJSON *data;
    char hash[65];
    bool ok;

    if (given == NULL)
        return auth_missing(a->ctx, name);
    if ((data = cJSON_Parse(s->data)) == NULL)
        return ops_fail_internal(a->ctx, "unreadable auth session");
    secrets_sha256_hex(given, hash);
    ok = a->user != NULL && json_str(data, "code_sha256") != NULL &&
         secrets_equal(json_str(data, "code_sha256"), hash);
    cJSON_Delete(data);
    if (!ok)
        return cog_err_set(&a->ctx->err, COG_E_CODE_MISMATCH,
                           "Invalid code or auth state for the user.");
    if (auth_check_user_state(a) != 0)
        return -1;
    a->signed_in = true;
    return 0;
}

/* RespondToAuthChallenge EMAIL_OTP: a first factor's code here, an MFA code in auth_mfa.c. */
int auth_respond_email_code(struct auth *a, const struct store_session *s)
{
    if (state_number(s, "first_factor") == 0)
        return auth_respond_email_otp(a, s);
    return respond_code(a, s, "EMAIL_OTP_CODE");
}

/* RespondToAuthChallenge SMS_OTP {SMS_OTP_CODE}. */
int auth_respond_sms_otp(struct auth *a, const struct store_session *s)
{
    return respond_code(a, s, "SMS_OTP_CODE");
}
