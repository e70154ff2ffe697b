#!/usr/bin/env bash
# End-to-end suite: the AWS CLI tutorial flow continued into identity pools, against a running
# cognito-emu: a user signs in to a user pool, then
#
#   create-identity-pool --cognito-identity-providers, set-identity-pool-roles,
#   get-identity-pool-roles, get-id --logins, get-credentials-for-identity --logins,
#   describe-identity, list-identities, get-open-id-token
#
# with Cognito's refusals (no logins, a forged token), and the control API's mapping from the
# credentials' access key back to the identity and the user.
#
# Needs COG_EMU_ENDPOINT; uses $AWS_CLI and $PYTHON (JSON parsing, HTTP GETs). Prints each
# failing check with the command and the server's answer, and ends with
#     cli-identity: N passed, N failed, N skipped
set -uo pipefail

SUITE=cli-identity
# shellcheck source=cli_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/cli_lib.sh"

EP=${EP%/}
SUFFIX="$$-$RANDOM"
USER_NAME="cli-ident-$SUFFIX"
PASSWORD='Passw0rd!e2e'
REGION=us-east-1
AUTH_ROLE="arn:aws:iam::123456789012:role/Cognito_e2eAuth_Role"
UNAUTH_ROLE="arn:aws:iam::123456789012:role/Cognito_e2eUnauth_Role"
IDENTITY_RE='^us-east-1:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'

# json_obj KEY VALUE: {"KEY": "VALUE"} (JSON, so that no character means anything to the CLI).
json_obj() {
    "$PYTHON" -c 'import json, sys; print(json.dumps({sys.argv[1]: sys.argv[2]}))' "$1" "$2"
}

# check_message NAME TEXT: stderr of the last command carries that error message.
check_message() {
    if grep -qF -- "$2" "$ERR"; then pass "$1"; else fail "$1" "stderr lacks '$2'"; fi
}

# http_get PATH: the JSON body of GET $EP$PATH into $OUT; LAST_RC 0 on 200.
http_get() {
    LAST_CMD="GET $1"
    "$PYTHON" - "$EP$1" >"$OUT" 2>"$ERR" <<'PY'
import sys, urllib.request, urllib.error
try:
    with urllib.request.urlopen(sys.argv[1], timeout=10) as r:
        sys.stdout.write(r.read().decode())
except urllib.error.HTTPError as e:
    sys.stdout.write(e.read().decode())
    sys.exit("status %d" % e.code)
PY
    LAST_RC=$?
    return "$LAST_RC"
}

# forge TOKEN: the token with one character of its signature changed.
forge() {
    "$PYTHON" -c 'import sys; h, p, s = sys.argv[1].split("."); print(h + "." + p + "." + ("B" if s[0] == "A" else "A") + s[1:])' "$1"
}

# ---------------------------------------------------------------- the user pool part
POOL_ID="" CLIENT_ID="" ID_TOKEN="" USER_SUB=""
awsc cognito-idp create-user-pool --pool-name "e2e-cli-ident-$SUFFIX"
if check_ok "create-user-pool"; then POOL_ID=$(jget UserPool.Id); fi
if [[ -n "$POOL_ID" ]]; then
    awsc cognito-idp create-user-pool-client --user-pool-id "$POOL_ID" --client-name e2e-cli-ident \
        --explicit-auth-flows ALLOW_USER_PASSWORD_AUTH ALLOW_REFRESH_TOKEN_AUTH
    if check_ok "create-user-pool-client"; then CLIENT_ID=$(jget UserPoolClient.ClientId); fi
fi
if [[ -n "$CLIENT_ID" ]]; then
    awsc cognito-idp sign-up --client-id "$CLIENT_ID" --username "$USER_NAME" --password "$PASSWORD" \
        --user-attributes Name=email,Value="$USER_NAME@example.com"
    if check_ok "sign-up"; then USER_SUB=$(jget UserSub); fi
    awsc cognito-idp admin-confirm-sign-up --user-pool-id "$POOL_ID" --username "$USER_NAME"
    check_ok "admin-confirm-sign-up"
    awsc cognito-idp initiate-auth --client-id "$CLIENT_ID" --auth-flow USER_PASSWORD_AUTH \
        --auth-parameters "$("$PYTHON" -c 'import json, sys; print(json.dumps({"USERNAME": sys.argv[1], "PASSWORD": sys.argv[2]}))' "$USER_NAME" "$PASSWORD")"
    if check_ok "initiate-auth"; then ID_TOKEN=$(jget AuthenticationResult.IdToken) || ID_TOKEN=""; fi
fi
if [[ -z "$ID_TOKEN" ]]; then
    fail "setup" "no signed-in user; the rest of the suite cannot run"
    finish
    exit
fi
PROVIDER="cognito-idp.$REGION.amazonaws.com/$POOL_ID"
LOGINS=$(json_obj "$PROVIDER" "$ID_TOKEN")

# ---------------------------------------------------------------- the identity pool
IDENTITY_POOL_ID=""
awsc cognito-identity create-identity-pool --identity-pool-name "e2e_cli_ident_$$" \
    --no-allow-unauthenticated-identities \
    --cognito-identity-providers "ProviderName=$PROVIDER,ClientId=$CLIENT_ID,ServerSideTokenCheck=false"
if check_ok "create-identity-pool"; then
    IDENTITY_POOL_ID=$(jget IdentityPoolId)
    check_re "create-identity-pool: IdentityPoolId" IdentityPoolId "$IDENTITY_RE"
    check_eq "create-identity-pool: provider" "CognitoIdentityProviders[0].ProviderName" "$PROVIDER"
fi
if [[ -z "$IDENTITY_POOL_ID" ]]; then
    fail "setup" "no identity pool; the rest of the suite cannot run"
    finish
    exit
fi

awsc cognito-identity set-identity-pool-roles --identity-pool-id "$IDENTITY_POOL_ID" \
    --roles "authenticated=$AUTH_ROLE,unauthenticated=$UNAUTH_ROLE"
check_ok "set-identity-pool-roles"
awsc cognito-identity get-identity-pool-roles --identity-pool-id "$IDENTITY_POOL_ID"
if check_ok "get-identity-pool-roles"; then
    check_eq "get-identity-pool-roles: authenticated" Roles.authenticated "$AUTH_ROLE"
    check_eq "get-identity-pool-roles: unauthenticated" Roles.unauthenticated "$UNAUTH_ROLE"
fi

# ---------------------------------------------------------------- get-id
IDENTITY_ID=""
awsc cognito-identity get-id --identity-pool-id "$IDENTITY_POOL_ID" --logins "$LOGINS"
if check_ok "get-id --logins"; then
    IDENTITY_ID=$(jget IdentityId)
    check_re "get-id: IdentityId" IdentityId "$IDENTITY_RE"
fi
awsc cognito-identity get-id --identity-pool-id "$IDENTITY_POOL_ID" --logins "$LOGINS"
if check_ok "get-id again"; then check_eq "get-id again: the same identity" IdentityId "$IDENTITY_ID"; fi

awsc cognito-identity get-id --identity-pool-id "$IDENTITY_POOL_ID"
check_aws_error "get-id without logins" NotAuthorizedException
check_message "get-id without logins: message" "Unauthenticated access is not supported for this identity pool."

awsc cognito-identity get-id --identity-pool-id "$IDENTITY_POOL_ID" --logins "$(json_obj "$PROVIDER" "$(forge "$ID_TOKEN")")"
check_aws_error "get-id with a forged token" NotAuthorizedException
check_message "get-id with a forged token: message" "Invalid login token. Couldn't verify signed token."

# ---------------------------------------------------------------- get-credentials-for-identity
ACCESS_KEY=""
awsc cognito-identity get-credentials-for-identity --identity-id "$IDENTITY_ID" --logins "$LOGINS"
if check_ok "get-credentials-for-identity"; then
    check_eq "credentials: IdentityId" IdentityId "$IDENTITY_ID"
    check_re "credentials: AccessKeyId" Credentials.AccessKeyId '^ASIA[A-Z0-9]{16}$'
    check_re "credentials: SecretKey" Credentials.SecretKey '^[A-Za-z0-9+/]{40}$'
    check_re "credentials: SessionToken" Credentials.SessionToken '^[A-Za-z0-9+/=]{100,}$'
    check_present "credentials: Expiration" Credentials.Expiration
    ACCESS_KEY=$(jget Credentials.AccessKeyId) || ACCESS_KEY=""
fi
awsc cognito-identity get-credentials-for-identity --identity-id "$IDENTITY_ID"
check_aws_error "get-credentials-for-identity without logins" NotAuthorizedException
check_message "get-credentials-for-identity without logins: message" \
    "Logins don't match. Please include at least one valid login for this identity or identity pool."

# ---------------------------------------------------------------- describe, list, OpenID token
awsc cognito-identity describe-identity --identity-id "$IDENTITY_ID"
if check_ok "describe-identity"; then
    check_eq "describe-identity: Logins" Logins "[\"$PROVIDER\"]"
    check_present "describe-identity: CreationDate" CreationDate
fi
awsc cognito-identity list-identities --identity-pool-id "$IDENTITY_POOL_ID" --max-results 10
if check_ok "list-identities"; then
    check_count "list-identities: the identity" Identities IdentityId "$IDENTITY_ID" 1
fi
awsc cognito-identity get-open-id-token --identity-id "$IDENTITY_ID" --logins "$LOGINS"
if check_ok "get-open-id-token"; then
    check_eq "get-open-id-token: IdentityId" IdentityId "$IDENTITY_ID"
    check_re "get-open-id-token: Token is a JWT" Token '^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$'
fi

# ---------------------------------------------------------------- the mapping (control API)
if [[ -n "$ACCESS_KEY" ]] && http_get "/_emu/credentials/$ACCESS_KEY"; then
    pass "GET /_emu/credentials/<access key>"
    check_eq "credentials mapping: identityId" identityId "$IDENTITY_ID"
    check_eq "credentials mapping: roleArn" roleArn "$AUTH_ROLE"
    check_eq "credentials mapping: type" cognitoAuthenticationType authenticated
    check_eq "credentials mapping: provider" cognitoAuthenticationProvider "$PROVIDER,$PROVIDER:CognitoSignIn:$USER_SUB"
else
    fail "GET /_emu/credentials/<access key>" "request failed"
fi
if http_get "/_emu/identities/$IDENTITY_ID"; then
    pass "GET /_emu/identities/<identity id>"
    check_eq "identity mapping: pool" identityPoolId "$IDENTITY_POOL_ID"
    check_eq "identity mapping: sub" "logins[0].sub" "$USER_SUB"
    check_eq "identity mapping: username" "logins[0].username" "$USER_NAME"
else
    fail "GET /_emu/identities/<identity id>" "request failed"
fi
if http_get "/_emu/user-pools/$POOL_ID/users/$USER_NAME/identities"; then
    pass "GET /_emu/user-pools/<pool>/users/<username>/identities"
    check_eq "user mapping: identity" "identities[0].identityId" "$IDENTITY_ID"
else
    fail "GET /_emu/user-pools/<pool>/users/<username>/identities" "request failed"
fi

# ---------------------------------------------------------------- clean up
awsc cognito-identity delete-identity-pool --identity-pool-id "$IDENTITY_POOL_ID"
if [[ $LAST_RC -eq 0 ]]; then pass "delete-identity-pool"; else fail "delete-identity-pool" "command failed"; fi
awsc cognito-idp delete-user-pool --user-pool-id "$POOL_ID"
if [[ $LAST_RC -eq 0 ]]; then pass "delete-user-pool"; else fail "delete-user-pool" "command failed"; fi

finish
