/*
 * password: a user pool's PasswordPolicy, checked as Cognito checks it, and temporary
 * passwords that pass it. Knows cJSON (the stored policy object) and the CSPRNG (util/ids.h),
 * nothing about requests or storage. See password.h.
 *
 * What Cognito does, and where it was found:
 * - Messages: "Password did not conform with policy: " + "Password not long enough" /
 *   "Password must have {lowercase,uppercase,numeric,symbol} characters", the SignUp text
 *   quoted verbatim by many applications that match on it (find_string over public code).
 * - One message per call, the first failing rule, in the order length, lowercase, uppercase,
 *   numeric, symbol. Observed against real pools by the Cypress suites of public apps:
 *   "12341234" -> lowercase, "abcdefgh" -> uppercase, "TestTest" / "Abcdefgh" -> numeric,
 *   "Test!2" -> not long enough.
 * - Letters are Basic Latin only (A-Z, a-z), numbers 0-9; symbols are
 *   ^ $ * . [ ] { } ( ) ? " ! @ # % & / \ , > < ' : ; | _ ~ ` = + -  and a space that is
 *   neither the first nor the last character (developer guide, "Adding user pool password
 *   requirements" / managing-users-passwords; the console tooltip says "non-leading,
 *   non-trailing"). Any other character is allowed but counts for no class.
 * - Length is counted in characters; we count UTF-8 code points (Cognito, a Java service,
 *   may count UTF-16 units, which differs only outside the BMP).
 * - A member the policy lacks takes Cognito's default (MinimumLength 8, every Require* true),
 *   as pool.c fills them in at CreateUserPool.
 */
#include "config.h"

#include "userpool/password.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/ids.h"

#define DEFAULT_MIN_LENGTH 8
#define GENERATED_MIN_LENGTH 12
#define COGNITO_MAX_LENGTH 256 /* "Amazon Cognito passwords can be up to 256 characters" */

static const char PREFIX[] = "Password did not conform with policy: ";
static const char SYMBOLS[] = "^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+-";

static const char UPPER[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
static const char LOWER[] = "abcdefghijklmnopqrstuvwxyz";
static const char DIGITS[] = "0123456789";
/* Generated passwords use the symbols that survive shells, HTML mail and JSON unescaped. */
static const char GEN_SYMBOLS[] = "^$*.[]{}()?!@#%&/,:;|_~=+-";

struct policy {
    long min_length;
    bool upper, lower, number, symbol;
};

static bool member_bool(const cJSON *policy, const char *name)
{
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(policy, name);

    return cJSON_IsBool(m) ? cJSON_IsTrue(m) : true;
}

static void policy_read(const cJSON *policy, struct policy *p)
{
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(policy, "MinimumLength");

    p->min_length = DEFAULT_MIN_LENGTH;
    if (cJSON_IsNumber(m))
        p->min_length = m->valuedouble < 0                    ? 0
                        : m->valuedouble > COGNITO_MAX_LENGTH ? COGNITO_MAX_LENGTH
                                                              : (long)m->valuedouble;
    p->upper = member_bool(policy, "RequireUppercase");
    p->lower = member_bool(policy, "RequireLowercase");
    p->number = member_bool(policy, "RequireNumbers");
    p->symbol = member_bool(policy, "RequireSymbols");
}

int password_check(const cJSON *policy, const char *password, char *message, size_t n)
{
    struct policy p;
    size_t len, chars = 0;
    bool upper = false, lower = false, number = false, symbol = false;
    const char *reason = NULL;

    if (password == NULL)
        password = "";
    policy_read(policy, &p);
    len = strlen(password);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)password[i];

        if ((c & 0xc0) != 0x80) /* not a UTF-8 continuation byte: a new character */
            chars++;
        if (c >= 'A' && c <= 'Z')
            upper = true;
        else if (c >= 'a' && c <= 'z')
            lower = true;
        else if (c >= '0' && c <= '9')
            number = true;
        else if (c == ' ' ? i > 0 && i + 1 < len : c != '\0' && strchr(SYMBOLS, c) != NULL)
            symbol = true;
    }
    if ((long)chars < p.min_length)
        reason = "Password not long enough";
    else if (p.lower && !lower)
        reason = "Password must have lowercase characters";
    else if (p.upper && !upper)
        reason = "Password must have uppercase characters";
    else if (p.number && !number)
        reason = "Password must have numeric characters";
    else if (p.symbol && !symbol)
        reason = "Password must have symbol characters";
    if (reason == NULL)
        return 0;
    if (message != NULL && n > 0)
        snprintf(message, n, "%s%s", PREFIX, reason);
    return -1;
}

static char random_from(const char *alphabet)
{
    return alphabet[ids_random_below((uint32_t)strlen(alphabet))];
}

void password_generate(const cJSON *policy, char *out, size_t n)
{
    static const char *const all[] = {UPPER, LOWER, DIGITS, GEN_SYMBOLS};
    struct policy p;
    size_t len, have = 0;

    if (n == 0)
        return;
    policy_read(policy, &p);
    len = p.min_length > GENERATED_MIN_LENGTH ? (size_t)p.min_length : GENERATED_MIN_LENGTH;
    if (len > n - 1)
        len = n - 1; /* too small for the policy: MinimumLength <= 99, so 100 bytes always do */
    /* One of each required class, then any class, then shuffle the whole. */
    if (p.upper && have < len)
        out[have++] = random_from(UPPER);
    if (p.lower && have < len)
        out[have++] = random_from(LOWER);
    if (p.number && have < len)
        out[have++] = random_from(DIGITS);
    if (p.symbol && have < len)
        out[have++] = random_from(GEN_SYMBOLS);
    while (have < len)
        out[have++] = random_from(all[ids_random_below(4)]);
    for (size_t i = len; i > 1; i--) { /* Fisher-Yates */
        size_t j = ids_random_below((uint32_t)i);
        char t = out[i - 1];
        out[i - 1] = out[j];
        out[j] = t;
    }
    out[len] = '\0';
}
