/*
 * auth_webauthn: passkey sign-in, the WEB_AUTHN challenge of USER_AUTH (auth_int.h).
 * Not built yet: asking it fails loudly rather than pretend.
 */
#include "config.h"

#include "auth/auth_int.h"
#include "aws/errors.h"

int auth_ask_web_authn(struct auth *a)
{
    return cog_err_set(&a->ctx->err, COG_E_INVALID_PARAMETER,
                       "cognito-emu does not implement the WEB_AUTHN challenge yet");
}
