#!/usr/bin/env bash
# End-to-end suite: the AWS CLI sign-up / sign-in tutorial flow against a running cognito-emu,
# then the ID and access tokens verified against the JWKS the emulator serves, with a real JWT
# library (jose, through js/verify_jwt.mjs).
#
#   create-user-pool, create-user-pool-client --explicit-auth-flows ALLOW_USER_PASSWORD_AUTH
#   ALLOW_REFRESH_TOKEN_AUTH, sign-up, admin-confirm-sign-up, initiate-auth USER_PASSWORD_AUTH,
#   get-user --access-token, initiate-auth REFRESH_TOKEN_AUTH, get-tokens-from-refresh-token
#
# Needs COG_EMU_ENDPOINT; uses $AWS_CLI, $PYTHON (JSON parsing, one HTTP GET) and $NODE (the
# JWT checks; skipped when node or jose is missing). COG_EMU_ISSUER_BASE, when set (run.sh sets
# it for the server it starts), is the issuer base the tokens must carry (http://localhost:PORT).
# Prints each failing check with the command and the server's answer, and ends with
#     cli-auth: N passed, N failed, N skipped
set -uo pipefail

SUITE=cli-auth
# shellcheck source=cli_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/cli_lib.sh"

NODE=${NODE:-node}
JSDIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/js" && pwd)
EP=${EP%/}
SUFFIX="$$-$RANDOM"
USER_NAME="cli-user-$SUFFIX"
EMAIL="cli-$SUFFIX@example.com"
PASSWORD='Passw0rd!e2e'
UUID_RE='^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'

# auth_params USERNAME PASSWORD: the --auth-parameters JSON (JSON, so that no character of the
# password means anything to the CLI's shorthand syntax).
auth_params() {
    "$PYTHON" -c 'import json, sys; print(json.dumps({"USERNAME": sys.argv[1], "PASSWORD": sys.argv[2]}))' "$1" "$2"
}

# check_message NAME TEXT: stderr of the last command carries that error message.
check_message() {
    if grep -qF -- "$2" "$ERR"; then pass "$1"; else fail "$1" "stderr lacks '$2'"; fi
}

# http_get URL: the body into $OUT (python, so that curl is not needed); status in LAST_RC.
http_get() {
    LAST_CMD="GET $1"
    "$PYTHON" - "$1" >"$OUT" 2>"$ERR" <<'PY'
import sys, urllib.request
with urllib.request.urlopen(sys.argv[1], timeout=10) as r:
    if r.status != 200:
        sys.exit("status %d" % r.status)
    sys.stdout.write(r.read().decode())
PY
    LAST_RC=$?
    return "$LAST_RC"
}

# verify_jwt NAME TOKEN ISSUER AUDIENCE|-: jose's verdict into $OUT (JSON {header, payload});
# returns 0 verified, 1 refused, 3 when it cannot run here (node or jose missing).
verify_jwt() {
    LAST_CMD="node js/verify_jwt.mjs <token> $JWKS_URL $3 $4"
    if ! command -v "$NODE" >/dev/null 2>&1; then
        return 3
    fi
    (cd "$JSDIR" && timeout 30 "$NODE" verify_jwt.mjs "$2" "$JWKS_URL" "$3" "$4") >"$OUT" 2>"$ERR"
    LAST_RC=$?
    return "$LAST_RC"
}

# tamper TOKEN: the token with one byte of its payload changed (the JSON stays valid, so only
# the signature can tell).
tamper() {
    "$PYTHON" - "$1" <<'PY'
import base64, json, sys
h, p, s = sys.argv[1].split(".")
raw = base64.urlsafe_b64decode(p + "=" * (-len(p) % 4))
i = raw.index(b'"sub":"') + 7
raw = raw[:i] + (b"0" if raw[i:i + 1] != b"0" else b"1") + raw[i + 1:]
json.loads(raw)
print(h + "." + base64.urlsafe_b64encode(raw).decode().rstrip("=") + "." + s)
PY
}

# ---------------------------------------------------------------- pool and client
POOL_ID=""
CLIENT_ID=""
awsc cognito-idp create-user-pool --pool-name "e2e-cli-auth-$SUFFIX"
if check_ok "create-user-pool"; then
    POOL_ID=$(jget UserPool.Id)
fi
if [[ -n "$POOL_ID" ]]; then
    awsc cognito-idp create-user-pool-client --user-pool-id "$POOL_ID" --client-name e2e-cli-auth \
        --explicit-auth-flows ALLOW_USER_PASSWORD_AUTH ALLOW_REFRESH_TOKEN_AUTH
    if check_ok "create-user-pool-client"; then
        CLIENT_ID=$(jget UserPoolClient.ClientId)
        check_eq "create-user-pool-client: ExplicitAuthFlows" UserPoolClient.ExplicitAuthFlows \
            '["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]'
    fi
fi
if [[ -z "$CLIENT_ID" ]]; then
    fail "setup" "no user pool client; the rest of the suite cannot run"
    finish
    exit
fi

# ---------------------------------------------------------------- sign-up and confirmation
awsc cognito-idp sign-up --client-id "$CLIENT_ID" --username "$USER_NAME" --password "$PASSWORD" \
    --user-attributes Name=email,Value="$EMAIL"
USER_SUB=""
if check_ok "sign-up"; then
    check_eq "sign-up: UserConfirmed" UserConfirmed false
    check_re "sign-up: UserSub" UserSub "$UUID_RE"
    USER_SUB=$(jget UserSub)
fi

awsc cognito-idp sign-up --client-id "$CLIENT_ID" --username "$USER_NAME" --password "$PASSWORD"
check_aws_error "sign-up again: the username is taken" UsernameExistsException

awsc cognito-idp sign-up --client-id "$CLIENT_ID" --username "cli-short-$SUFFIX" --password 'Pa1!xyz'
check_aws_error "sign-up with a short password" InvalidPasswordException
check_message "sign-up with a short password: message" \
    "Password did not conform with policy: Password not long enough"

awsc cognito-idp initiate-auth --client-id "$CLIENT_ID" --auth-flow USER_PASSWORD_AUTH \
    --auth-parameters "$(auth_params "$USER_NAME" "$PASSWORD")"
check_aws_error "initiate-auth before confirmation" UserNotConfirmedException

awsc cognito-idp admin-get-user --user-pool-id "$POOL_ID" --username "$USER_NAME"
if check_ok "admin-get-user before confirmation"; then
    check_eq "admin-get-user: UserStatus UNCONFIRMED" UserStatus UNCONFIRMED
fi

awsc cognito-idp admin-confirm-sign-up --user-pool-id "$POOL_ID" --username "$USER_NAME"
check_ok "admin-confirm-sign-up"

awsc cognito-idp admin-get-user --user-pool-id "$POOL_ID" --username "$USER_NAME"
if check_ok "admin-get-user after confirmation"; then
    check_eq "admin-get-user: UserStatus CONFIRMED" UserStatus CONFIRMED
    check_eq "admin-get-user: Username" Username "$USER_NAME"
    check_count "admin-get-user: email attribute" UserAttributes Value "$EMAIL" 1
fi

# ---------------------------------------------------------------- sign-in
awsc cognito-idp initiate-auth --client-id "$CLIENT_ID" --auth-flow USER_PASSWORD_AUTH \
    --auth-parameters "$(auth_params "$USER_NAME" 'Wrong-Passw0rd!')"
check_aws_error "initiate-auth with a wrong password" NotAuthorizedException
check_message "initiate-auth with a wrong password: message" "Incorrect username or password."

ACCESS="" ID_TOKEN="" REFRESH=""
awsc cognito-idp initiate-auth --client-id "$CLIENT_ID" --auth-flow USER_PASSWORD_AUTH \
    --auth-parameters "$(auth_params "$USER_NAME" "$PASSWORD")"
if check_ok "initiate-auth USER_PASSWORD_AUTH"; then
    check_eq "initiate-auth: TokenType" AuthenticationResult.TokenType Bearer
    check_eq "initiate-auth: ExpiresIn" AuthenticationResult.ExpiresIn 3600
    check_present "initiate-auth: RefreshToken" AuthenticationResult.RefreshToken
    check_re "initiate-auth: AccessToken is a JWT" AuthenticationResult.AccessToken '^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$'
    check_re "initiate-auth: IdToken is a JWT" AuthenticationResult.IdToken '^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$'
    ACCESS=$(jget AuthenticationResult.AccessToken) || ACCESS=""
    ID_TOKEN=$(jget AuthenticationResult.IdToken) || ID_TOKEN=""
    REFRESH=$(jget AuthenticationResult.RefreshToken) || REFRESH=""
fi

if [[ -n "$ACCESS" ]]; then
    awsc cognito-idp get-user --access-token "$ACCESS"
    if check_ok "get-user --access-token"; then
        check_eq "get-user: Username" Username "$USER_NAME"
        check_count "get-user: email attribute" UserAttributes Value "$EMAIL" 1
        if [[ -n "$USER_SUB" ]]; then
            check_count "get-user: sub attribute" UserAttributes Value "$USER_SUB" 1
        fi
    fi
    awsc cognito-idp get-user --access-token "$(tamper "$ACCESS")"
    check_aws_error "get-user with a forged access token" NotAuthorizedException
    check_message "get-user with a forged access token: message" "Invalid Access Token"
fi

# ---------------------------------------------------------------- refresh
ACCESS2="" ID_TOKEN2=""
if [[ -n "$REFRESH" ]]; then
    awsc cognito-idp initiate-auth --client-id "$CLIENT_ID" --auth-flow REFRESH_TOKEN_AUTH \
        --auth-parameters "REFRESH_TOKEN=$REFRESH"
    if check_ok "initiate-auth REFRESH_TOKEN_AUTH"; then
        check_present "refresh: AccessToken" AuthenticationResult.AccessToken
        check_present "refresh: IdToken" AuthenticationResult.IdToken
        check_eq "refresh: TokenType" AuthenticationResult.TokenType Bearer
        check_eq "refresh: ExpiresIn" AuthenticationResult.ExpiresIn 3600
        if jget AuthenticationResult.RefreshToken >/dev/null; then
            fail "refresh: no new RefreshToken" "AuthenticationResult.RefreshToken is present"
        else
            pass "refresh: no new RefreshToken"
        fi
        ACCESS2=$(jget AuthenticationResult.AccessToken) || ACCESS2=""
        ID_TOKEN2=$(jget AuthenticationResult.IdToken) || ID_TOKEN2=""
    fi
    if [[ -n "$ACCESS2" ]]; then
        awsc cognito-idp get-user --access-token "$ACCESS2"
        if check_ok "get-user with the refreshed access token"; then
            check_eq "get-user after refresh: Username" Username "$USER_NAME"
        fi
    fi

    awsc cognito-idp initiate-auth --client-id "$CLIENT_ID" --auth-flow REFRESH_TOKEN_AUTH \
        --auth-parameters "REFRESH_TOKEN=not-a-refresh-token"
    check_aws_error "initiate-auth REFRESH_TOKEN_AUTH with a garbage token" NotAuthorizedException
    check_message "garbage refresh token: message" "Invalid Refresh Token"

    # Amplify v6's refresh. Older CLIs lack the command (run.sh points AWS_DATA_PATH at the
    # repository's model, which has it).
    if timeout 30 "$AWS_CLI" cognito-idp get-tokens-from-refresh-token help >/dev/null 2>&1; then
        awsc cognito-idp get-tokens-from-refresh-token --client-id "$CLIENT_ID" --refresh-token="$REFRESH"
        if check_ok "get-tokens-from-refresh-token"; then
            check_present "get-tokens-from-refresh-token: AccessToken" AuthenticationResult.AccessToken
            check_present "get-tokens-from-refresh-token: IdToken" AuthenticationResult.IdToken
            check_eq "get-tokens-from-refresh-token: TokenType" AuthenticationResult.TokenType Bearer
        fi
    else
        skip "get-tokens-from-refresh-token" "this AWS CLI has no such command"
    fi
fi

# ---------------------------------------------------------------- the tokens against the JWKS
JWKS_URL="$EP/$POOL_ID/.well-known/jwks.json"
ISSUER=""
if http_get "$EP/$POOL_ID/.well-known/openid-configuration"; then
    pass "GET openid-configuration"
    ISSUER=$(jget issuer) || ISSUER=""
    if [[ -n "${COG_EMU_ISSUER_BASE:-}" ]]; then
        check_eq "openid-configuration: issuer" issuer "${COG_EMU_ISSUER_BASE%/}/$POOL_ID"
    else
        check_re "openid-configuration: issuer" issuer "/$POOL_ID\$"
    fi
    check_eq "openid-configuration: jwks_uri" jwks_uri "$ISSUER/.well-known/jwks.json"
else
    fail "GET openid-configuration" "request failed"
fi

if http_get "$JWKS_URL"; then
    pass "GET jwks.json"
    check_count "jwks.json: RS256 keys" keys alg RS256 2
    check_count "jwks.json: signing keys" keys use sig 2
else
    fail "GET jwks.json" "request failed"
fi

# verify_claims NAME TOKEN AUDIENCE|- TOKEN_USE: jose verifies it, then its claims are checked.
verify_claims() {
    local name=$1 token=$2 aud=$3 use=$4
    verify_jwt "$name" "$token" "$ISSUER" "$aud"
    case $? in
    0)
        pass "$name: jose verifies it"
        check_eq "$name: alg" header.alg RS256
        check_eq "$name: iss" payload.iss "$ISSUER"
        check_eq "$name: token_use" payload.token_use "$use"
        if [[ -n "$USER_SUB" ]]; then check_eq "$name: sub" payload.sub "$USER_SUB"; fi
        if [[ $use == id ]]; then
            check_eq "$name: aud" payload.aud "$CLIENT_ID"
            check_eq "$name: cognito:username" "payload.cognito:username" "$USER_NAME"
            check_eq "$name: email" payload.email "$EMAIL"
        else
            check_eq "$name: client_id" payload.client_id "$CLIENT_ID"
            check_eq "$name: username" payload.username "$USER_NAME"
            check_eq "$name: scope" payload.scope aws.cognito.signin.user.admin
        fi
        ;;
    3) skip "$name" "node or jose is not installed (npm ci in tests/e2e/js)" ;;
    *) fail "$name: jose verifies it" "jose refused it" ;;
    esac
}

if [[ -n "$ISSUER" ]]; then
    if [[ -n "$ID_TOKEN" ]]; then
        verify_claims "IdToken" "$ID_TOKEN" "$CLIENT_ID" id
        verify_jwt "tampered IdToken" "$(tamper "$ID_TOKEN")" "$ISSUER" "$CLIENT_ID"
        case $? in
        0) fail "tampered IdToken: jose refuses it" "jose verified a token with a changed payload" ;;
        3) skip "tampered IdToken" "node or jose is not installed" ;;
        *) if grep -q 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' "$ERR"; then
               pass "tampered IdToken: jose refuses it"
           else
               fail "tampered IdToken: jose refuses it" "refused, but not for its signature"
           fi ;;
        esac
    fi
    if [[ -n "$ACCESS" ]]; then verify_claims "AccessToken" "$ACCESS" - access; fi
    if [[ -n "$ID_TOKEN2" ]]; then verify_claims "refreshed IdToken" "$ID_TOKEN2" "$CLIENT_ID" id; fi
    if [[ -n "$ACCESS2" ]]; then verify_claims "refreshed AccessToken" "$ACCESS2" - access; fi
fi

# ---------------------------------------------------------------- clean up
awsc cognito-idp delete-user-pool --user-pool-id "$POOL_ID"
if [[ $LAST_RC -eq 0 ]]; then pass "delete-user-pool"; else fail "delete-user-pool" "command failed"; fi

finish
