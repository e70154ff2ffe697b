/*
 * migrate: a user the pool does not know, created from what the user migration trigger
 * (LambdaConfig.UserMigration) says of it, for the two places Cognito asks it: a password
 * sign-in (auth/auth_password.c) and ForgotPassword (ops_account.c) that met an unknown name.
 * The trigger is called outside any transaction; the user is then written in one, so that a
 * refused or failed migration writes nothing.
 */
#ifndef COG_MIGRATE_H
#define COG_MIGRATE_H

#include <cJSON.h>

#include "aws/op.h"
#include "store/store.h"

/*
 * Migrate the user typed names (what was typed as the username) into pool, for the request
 * in ctx made through app client client_id: a sign-in when password (the typed password) is
 * not NULL, whose ClientMetadata the trigger gets as validationData; else ForgotPassword,
 * whose ClientMetadata it gets as clientMetadata. Returns:
 *   1  the pool has no migration trigger, or triggers are off: the name stays unknown;
 *   0  the user is stored, *out is it (store_user_free);
 *  -1  ctx->err holds the trigger's failure (UserLambdaValidationException when the function
 *      refused the user) or why its answer could not make a user (the attribute and name
 *      rules of AdminCreateUser, a taken name or alias); nothing was stored.
 */
int migrate_user(struct op_ctx *ctx, const cJSON *pool, const char *client_id, const char *typed,
                 const char *password, struct store_user **out);

#endif
