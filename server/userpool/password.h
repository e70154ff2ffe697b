/*
 * password: a user pool's password policy (Policies.PasswordPolicy), checked as Cognito checks
 * it, and temporary passwords that satisfy it.
 */
#ifndef COG_PASSWORD_H
#define COG_PASSWORD_H

#include <cJSON.h>
#include <stddef.h>

/*
 * Check password against policy (the PasswordPolicy object; NULL means Cognito's default:
 * 8 characters, upper, lower, number and symbol required). Returns 0 when it conforms, or -1
 * with message set to Cognito's InvalidPasswordException text, e.g.
 * "Password did not conform with policy: Password not long enough".
 */
int password_check(const cJSON *policy, const char *password, char *message, size_t n);

/*
 * Write a random temporary password satisfying policy into out (size n >= 32), as
 * AdminCreateUser makes when no TemporaryPassword is given.
 */
void password_generate(const cJSON *policy, char *out, size_t n);

#endif
