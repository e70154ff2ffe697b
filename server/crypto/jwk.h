/*
 * jwk: RSA public keys given as JSON Web Keys (RFC 7517), as an external OpenID provider
 * publishes them at its jwks_uri, and the verification of that provider's ID tokens.
 */
#ifndef COG_JWK_H
#define COG_JWK_H

#include <cJSON.h>

#include "crypto/jwt.h"

/*
 * Verify token's RS256 signature with the key of jwks ({"keys":[...]}) whose kid is the
 * token header's kid (a token without one is refused, as jwt_verify_rs256() does). On JWT_OK
 * *payload is the parsed claims (cJSON_Delete); the claims are the caller's to check.
 * JWT_UNKNOWN_KEY when no usable key matches.
 */
enum jwt_status jwk_verify_rs256(const char *token, const cJSON *jwks, cJSON **payload);

#endif
