#!/usr/bin/env bash
# End-to-end suite: the AWS CLI against a running cognito-emu.
#
# Needs COG_EMU_ENDPOINT (e.g. http://127.0.0.1:9229); without it every check is skipped.
# Uses $AWS_CLI (default: aws) and $PYTHON (default: python3, only for parsing JSON).
# Quiet on success: prints each failing check with the command and the server's answer, and
# always ends with the machine-readable line
#     cli: N passed, N failed, N skipped
# Exit status: 0 when nothing failed.
set -uo pipefail

SUITE=cli
# shellcheck source=cli_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/cli_lib.sh"

POOL_RE='^us-east-1_[0-9A-Za-z]{9}$'
CLIENT_RE='^[a-z0-9]{26}$'
IDPOOL_RE='^us-east-1:[0-9a-f-]{36}$'
DATE_RE='^[0-9]'   # the CLI prints timestamps as ISO-8601 text (v2) or epoch numbers (v1)
SUFFIX="$$-$RANDOM"

# ---------------------------------------------------------------- user pools
POOL_NAME="e2e-cli-pool-$SUFFIX"
POOL_ID=""
awsc cognito-idp create-user-pool --pool-name "$POOL_NAME"
if check_ok "create-user-pool"; then
    POOL_ID=$(jget UserPool.Id)
    check_re "create-user-pool: Id format" UserPool.Id "$POOL_RE"
    check_eq "create-user-pool: Name" UserPool.Name "$POOL_NAME"
    check_re "create-user-pool: Arn" UserPool.Arn \
        "^arn:aws:cognito-idp:us-east-1:[0-9]{12}:userpool/${POOL_ID}\$"
    check_re "create-user-pool: CreationDate" UserPool.CreationDate "$DATE_RE"
    check_re "create-user-pool: LastModifiedDate" UserPool.LastModifiedDate "$DATE_RE"
    check_eq "create-user-pool: default MinimumLength" \
        UserPool.Policies.PasswordPolicy.MinimumLength 8
fi

if [[ -n "$POOL_ID" ]]; then
    awsc cognito-idp describe-user-pool --user-pool-id "$POOL_ID"
    if check_ok "describe-user-pool"; then
        check_eq "describe-user-pool: Id" UserPool.Id "$POOL_ID"
        check_eq "describe-user-pool: Name" UserPool.Name "$POOL_NAME"
        check_eq "describe-user-pool: RequireUppercase" \
            UserPool.Policies.PasswordPolicy.RequireUppercase true
        check_count "describe-user-pool: schema has sub" UserPool.SchemaAttributes Name sub 1
        check_count "describe-user-pool: schema has email" UserPool.SchemaAttributes Name email 1
    fi

    awsc cognito-idp list-user-pools --max-results 60
    if check_ok "list-user-pools"; then
        check_count "list-user-pools: contains the pool once" UserPools Id "$POOL_ID" 1
        check_count "list-user-pools: carries the name" UserPools Name "$POOL_NAME" 1
    fi

    awsc cognito-idp update-user-pool --user-pool-id "$POOL_ID" \
        --policies 'PasswordPolicy={MinimumLength=12,RequireUppercase=false,RequireLowercase=true,RequireNumbers=true,RequireSymbols=false,TemporaryPasswordValidityDays=3}' \
        --user-pool-tags env=e2e,suite=cli
    check_ok "update-user-pool"

    awsc cognito-idp describe-user-pool --user-pool-id "$POOL_ID"
    if check_ok "describe-user-pool after update"; then
        check_eq "update-user-pool: MinimumLength" UserPool.Policies.PasswordPolicy.MinimumLength 12
        check_eq "update-user-pool: RequireUppercase" \
            UserPool.Policies.PasswordPolicy.RequireUppercase false
        check_eq "update-user-pool: TemporaryPasswordValidityDays" \
            UserPool.Policies.PasswordPolicy.TemporaryPasswordValidityDays 3
        check_eq "update-user-pool: tags" UserPool.UserPoolTags '{"env": "e2e", "suite": "cli"}'
        check_eq "update-user-pool: Name unchanged" UserPool.Name "$POOL_NAME"
    fi
fi

# ---------------------------------------------------------------- user pool clients
CLIENT_ID=""
if [[ -n "$POOL_ID" ]]; then
    awsc cognito-idp create-user-pool-client --user-pool-id "$POOL_ID" \
        --client-name e2e-cli-client --generate-secret
    if check_ok "create-user-pool-client"; then
        CLIENT_ID=$(jget UserPoolClient.ClientId)
        SECRET=$(jget UserPoolClient.ClientSecret) || SECRET=""
        check_re "create-user-pool-client: ClientId format" UserPoolClient.ClientId "$CLIENT_RE"
        if [[ ${#SECRET} -eq 51 ]]; then
            pass "create-user-pool-client: secret length 51"
        else
            fail "create-user-pool-client: secret length 51" "ClientSecret has length ${#SECRET}"
        fi
        check_eq "create-user-pool-client: UserPoolId" UserPoolClient.UserPoolId "$POOL_ID"
        check_eq "create-user-pool-client: ClientName" UserPoolClient.ClientName e2e-cli-client
        check_re "create-user-pool-client: CreationDate" UserPoolClient.CreationDate "$DATE_RE"
    fi
fi

if [[ -n "$CLIENT_ID" ]]; then
    awsc cognito-idp describe-user-pool-client --user-pool-id "$POOL_ID" --client-id "$CLIENT_ID"
    if check_ok "describe-user-pool-client"; then
        check_eq "describe-user-pool-client: ClientId" UserPoolClient.ClientId "$CLIENT_ID"
        check_eq "describe-user-pool-client: ClientSecret" UserPoolClient.ClientSecret "$SECRET"
        check_eq "describe-user-pool-client: ClientName" UserPoolClient.ClientName e2e-cli-client
    fi

    awsc cognito-idp list-user-pool-clients --user-pool-id "$POOL_ID" --max-results 10
    if check_ok "list-user-pool-clients"; then
        check_count "list-user-pool-clients: contains the client" UserPoolClients ClientId "$CLIENT_ID" 1
        check_count "list-user-pool-clients: carries the name" UserPoolClients ClientName e2e-cli-client 1
    fi

    awsc cognito-idp update-user-pool-client --user-pool-id "$POOL_ID" --client-id "$CLIENT_ID" \
        --client-name e2e-cli-renamed \
        --explicit-auth-flows ALLOW_USER_PASSWORD_AUTH ALLOW_REFRESH_TOKEN_AUTH
    if check_ok "update-user-pool-client"; then
        check_eq "update-user-pool-client: response ClientName" UserPoolClient.ClientName e2e-cli-renamed
    fi

    awsc cognito-idp describe-user-pool-client --user-pool-id "$POOL_ID" --client-id "$CLIENT_ID"
    if check_ok "describe-user-pool-client after update"; then
        check_eq "update-user-pool-client: ClientName" UserPoolClient.ClientName e2e-cli-renamed
        check_eq "update-user-pool-client: ExplicitAuthFlows" UserPoolClient.ExplicitAuthFlows \
            '["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]'
        check_eq "update-user-pool-client: secret kept" UserPoolClient.ClientSecret "$SECRET"
    fi
fi

# ---------------------------------------------------------------- identity pools
IDPOOL_ID=""
IDPOOL_NAME="e2e_cli_ip_$SUFFIX"
if [[ -n "$POOL_ID" && -n "$CLIENT_ID" ]]; then
    PROVIDERS="ProviderName=cognito-idp.us-east-1.amazonaws.com/$POOL_ID,ClientId=$CLIENT_ID,ServerSideTokenCheck=false"
else
    PROVIDERS=""
fi
if [[ -n "$PROVIDERS" ]]; then
    awsc cognito-identity create-identity-pool --identity-pool-name "$IDPOOL_NAME" \
        --allow-unauthenticated-identities --cognito-identity-providers "$PROVIDERS"
else
    awsc cognito-identity create-identity-pool --identity-pool-name "$IDPOOL_NAME" \
        --allow-unauthenticated-identities
fi
if check_ok "create-identity-pool"; then
    IDPOOL_ID=$(jget IdentityPoolId)
    check_re "create-identity-pool: IdentityPoolId format" IdentityPoolId "$IDPOOL_RE"
    check_eq "create-identity-pool: IdentityPoolName" IdentityPoolName "$IDPOOL_NAME"
    check_eq "create-identity-pool: AllowUnauthenticatedIdentities" AllowUnauthenticatedIdentities true
    if [[ -n "$PROVIDERS" ]]; then
        check_eq "create-identity-pool: provider" "CognitoIdentityProviders[0].ProviderName" \
            "cognito-idp.us-east-1.amazonaws.com/$POOL_ID"
        check_eq "create-identity-pool: provider client" "CognitoIdentityProviders[0].ClientId" "$CLIENT_ID"
    fi
fi

if [[ -n "$IDPOOL_ID" ]]; then
    awsc cognito-identity describe-identity-pool --identity-pool-id "$IDPOOL_ID"
    if check_ok "describe-identity-pool"; then
        check_eq "describe-identity-pool: IdentityPoolId" IdentityPoolId "$IDPOOL_ID"
        check_eq "describe-identity-pool: IdentityPoolName" IdentityPoolName "$IDPOOL_NAME"
        check_eq "describe-identity-pool: AllowUnauthenticatedIdentities" AllowUnauthenticatedIdentities true
    fi

    awsc cognito-identity list-identity-pools --max-results 60
    if check_ok "list-identity-pools"; then
        check_count "list-identity-pools: contains the pool" IdentityPools IdentityPoolId "$IDPOOL_ID" 1
        check_count "list-identity-pools: carries the name" IdentityPools IdentityPoolName "$IDPOOL_NAME" 1
    fi

    awsc cognito-identity update-identity-pool --identity-pool-id "$IDPOOL_ID" \
        --identity-pool-name "${IDPOOL_NAME}_renamed" --no-allow-unauthenticated-identities
    if check_ok "update-identity-pool"; then
        check_eq "update-identity-pool: response name" IdentityPoolName "${IDPOOL_NAME}_renamed"
        check_eq "update-identity-pool: response unauth" AllowUnauthenticatedIdentities false
    fi

    awsc cognito-identity describe-identity-pool --identity-pool-id "$IDPOOL_ID"
    if check_ok "describe-identity-pool after update"; then
        check_eq "update-identity-pool: name stored" IdentityPoolName "${IDPOOL_NAME}_renamed"
        check_eq "update-identity-pool: unauth stored" AllowUnauthenticatedIdentities false
    fi

    awsc cognito-identity delete-identity-pool --identity-pool-id "$IDPOOL_ID"
    if [[ $LAST_RC -eq 0 ]]; then pass "delete-identity-pool"; else fail "delete-identity-pool" "command failed"; fi

    awsc cognito-identity describe-identity-pool --identity-pool-id "$IDPOOL_ID"
    check_aws_error "describe-identity-pool after delete" ResourceNotFoundException
fi

# ---------------------------------------------------------------- deletes and errors
if [[ -n "$CLIENT_ID" ]]; then
    awsc cognito-idp delete-user-pool-client --user-pool-id "$POOL_ID" --client-id "$CLIENT_ID"
    if [[ $LAST_RC -eq 0 ]]; then pass "delete-user-pool-client"; else fail "delete-user-pool-client" "command failed"; fi

    awsc cognito-idp describe-user-pool-client --user-pool-id "$POOL_ID" --client-id "$CLIENT_ID"
    check_aws_error "describe-user-pool-client after delete" ResourceNotFoundException
fi

if [[ -n "$POOL_ID" ]]; then
    awsc cognito-idp delete-user-pool --user-pool-id "$POOL_ID"
    if [[ $LAST_RC -eq 0 ]]; then pass "delete-user-pool"; else fail "delete-user-pool" "command failed"; fi

    awsc cognito-idp describe-user-pool --user-pool-id "$POOL_ID"
    check_aws_error "describe-user-pool after delete" ResourceNotFoundException
    if grep -q "User pool $POOL_ID does not exist." "$ERR"; then
        pass "describe-user-pool after delete: message"
    else
        fail "describe-user-pool after delete: message" "stderr lacks 'User pool $POOL_ID does not exist.'"
    fi

    awsc cognito-idp list-user-pools --max-results 60
    if check_ok "list-user-pools after delete"; then
        check_count "list-user-pools: deleted pool gone" UserPools Id "$POOL_ID" 0
    fi
fi

awsc cognito-idp describe-user-pool --user-pool-id bad
check_aws_error "describe-user-pool with a malformed id" InvalidParameterException

# ---------------------------------------------------------------- region from SigV4 scope
awsc --region eu-west-1 cognito-idp create-user-pool --pool-name "e2e-cli-eu-$SUFFIX"
if check_ok "create-user-pool in eu-west-1"; then
    EU_ID=$(jget UserPool.Id)
    check_re "create-user-pool in eu-west-1: Id prefix" UserPool.Id '^eu-west-1_[0-9A-Za-z]{9}$'
    check_re "create-user-pool in eu-west-1: Arn region" UserPool.Arn '^arn:aws:cognito-idp:eu-west-1:'
    awsc --region eu-west-1 cognito-idp describe-user-pool --user-pool-id "$EU_ID"
    if check_ok "describe-user-pool in eu-west-1"; then
        check_eq "describe-user-pool in eu-west-1: Id" UserPool.Id "$EU_ID"
    fi
    awsc --region eu-west-1 cognito-idp delete-user-pool --user-pool-id "$EU_ID"
    if [[ $LAST_RC -eq 0 ]]; then pass "delete-user-pool in eu-west-1"; else fail "delete-user-pool in eu-west-1" "command failed"; fi
fi

finish
