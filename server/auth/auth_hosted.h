/*
 * auth_hosted: sign-in for the hosted pages of a user pool's domain (oauth/). They run
 * InitiateAuth (USER_PASSWORD_AUTH) and RespondToAuthChallenge as the API does, so that the
 * user lookup and migration, the PreAuthentication and PostAuthentication triggers, the
 * lockout, disabled and unconfirmed users, the password rules, NEW_PASSWORD_REQUIRED and the
 * MFA challenges behave the same, with three differences: no SECRET_HASH (the page is the
 * domain's own, not the app's), no ExplicitAuthFlows check (a client's OAuth settings and its
 * API flows are independent in Cognito), and no tokens: a sign-in ends by naming the user,
 * and the caller hands out an authorization code (the tokens come from /oauth2/token).
 */
#ifndef COG_AUTH_HOSTED_H
#define COG_AUTH_HOSTED_H

#include <stdint.h>

#include "aws/op.h"

/*
 * ctx->in is an InitiateAuth input (ClientId, AuthFlow USER_PASSWORD_AUTH, AuthParameters),
 * ctx->out an empty object. 0 with *user_seq the user who signed in, or 0 with *user_seq 0
 * and the challenge in ctx->out (ChallengeName, ChallengeParameters, Session) as InitiateAuth
 * answers it; -1 with ctx->err set ("Incorrect username or password.", "User is disabled.").
 */
int auth_hosted_initiate(struct op_ctx *ctx, int64_t *user_seq);

/* The same for a RespondToAuthChallenge input (ClientId, ChallengeName, Session,
 * ChallengeResponses). */
int auth_hosted_respond(struct op_ctx *ctx, int64_t *user_seq);

#endif
