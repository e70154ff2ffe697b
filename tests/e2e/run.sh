#!/usr/bin/env bash
# End-to-end tests of cognito-emu with real clients: the AWS CLI (cli.sh, and cli_auth.sh for
# sign-up / sign-in / tokens), boto3 + raw HTTP (test_boto3.py, test_boto3_auth.py,
# test_boto3_lifecycle.py for passwords, attributes, revocation, admin and groups,
# test_boto3_mfa.py for MFA and the lockout (TOTP codes from python3-pyotp),
# test_boto3_rotation.py for refresh-token rotation and single-use TOTP codes,
# test_boto3_user_auth.py for USER_AUTH, sign-in codes and passwordless sign-up,
# test_boto3_oauth_admin.py for domains, resource servers and app clients' OAuth settings,
# test_boto3_idp.py for identity providers, UI customization and managed login branding, and
# test_boto3_fixture.py on its own server started with fixtures/example.json; pytest) and
# the AWS SDK for JavaScript v3 with aws-jwt-verify and jose (js/sdk.test.mjs,
# js/auth.test.mjs; node --test), and USER_SRP_AUTH through amazon-cognito-identity-js and
# Amplify v6 (amplify/identity-js.test.mjs, amplify/amplify.test.mjs, refresh-token rotation in
# amplify/rotation.test.mjs, USER_AUTH and passwordless sign-up in amplify/user-auth.test.mjs;
# node --test), remembered devices through amazon-cognito-identity-js (amplify/devices.test.mjs)
# and boto3 (test_boto3_devices.py).
# The HTTPS listener (--tls-port): tls.sh (curl --cacert, NODE_EXTRA_CA_CERTS; own servers).
# OAuth 2.0 and the hosted sign-in pages: oauth/hosted.test.mjs (openid-client, jose and
# aws-jwt-verify, with Debian's Chromium driven by playwright-core as the person signing in),
# amplify-hosted/hosted-amplify.test.mjs (Amplify v6 signInWithRedirect in a browser app
# bundled with esbuild, against the hosted pages on the TLS listener of its own server), and
# federation: oauth/federation.test.mjs (a real OIDC provider, oidc-provider from npm, started
# by the suite on loopback, and the mock page standing in for Google).
# Choice-based sign-in, passwordless sign-up and passkeys: passkeys/passkeys.test.mjs (Amplify v6
# in a browser app bundled with esbuild, against a server of its own; passkeys in Chromium's
# DevTools virtual authenticator).
# Identity pools (GetId, credentials, roles, the identity mapping): cli_identity.sh,
# test_boto3_identity.py and js/identity.test.mjs (fromCognitoIdentityPool).
# Lambda triggers, last: real Node handlers (lambda/handler.js) under serverless-offline
# (lambda/start.sh, from npm), called by a second server started with --lambda-endpoint, and
# checked with boto3 (lambda/test_triggers.py) and amazon-cognito-identity-js
# (lambda/custom_auth.test.mjs); skipped with COG_EMU_ENDPOINT (no server is started then).
#
# Usage: tests/e2e/run.sh
#   COG_EMU_ENDPOINT=http://host:port  use that running server (none is started or stopped);
#                                      the tests that read codes from the server's log skip,
#                                      unless COG_EMU_LOG names that server's log file
#   COG_EMU_ISSUER_BASE=url            with COG_EMU_ENDPOINT: that server's --public-url, the
#                                      base of its tokens' issuer (default: the endpoint)
#   COG_EMU_ISOLATED=1                 that server cannot reach this host's loopback (a
#                                      container): suites that start servers for it skip those
#   COG_EMU_BIN=path                   the server binary to start (default: build/cognito-emu);
#                                      js/auth.test.mjs also starts a second one (--issuer aws)
#   E2E_VERBOSE=1                      print every suite's full output, not only on failure
#
# Without COG_EMU_ENDPOINT it starts one server (--port 0 --db :memory: --log-level info, its
# stderr in a file exported as COG_EMU_LOG: the server logs there every code it "sends"),
# waits for its "cognito-emu <version> listening on http://127.0.0.1:<port>" line, runs the
# suites against it, then stops it with SIGTERM and checks that it exits 0 within 5 s.
# It exports COG_EMU_ISSUER_BASE=http://localhost:<port> (the server's --public-url default),
# the base the tokens' issuer must have.
#
# boto3 and the AWS CLI get the repository's cognito-idp model (server/aws/model) through
# AWS_DATA_PATH, so that older ones (Debian's boto3 1.26) know GetTokensFromRefreshToken.
#
# Tools missing from the machine are installed from Debian's packages (as root; apt-get) and
# the JS clients from npm (npm ci in tests/e2e/js, oauth, amplify, amplify-hosted, passkeys and
# lambda);
# nothing else is fetched. The suites talk only to the endpoint (or to servers of their own).
#
# Counts: each suite reports them in its own machine-readable form, which this script reads:
#   cli     its last line "cli: N passed, N failed, N skipped" (cli-auth: the same)
#   pytest  a JUnit XML report (--junitxml): tests, failures, errors, skipped
#   node    the TAP summary of node --test: "# pass N", "# fail N", "# cancelled N", "# skipped N"
#   server  this script's own checks of the server process (start-up and clean shutdown)
# A suite that ends without counts, or exits non-zero with no failure counted, counts one failure.
# Output: one line per suite ("<suite>: N passed, N failed, N skipped"), a failing suite's full
# output, and last the line "N passed, N failed". Exit status 0 only when nothing failed.
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
VERBOSE=${E2E_VERBOSE:-0}
SUITE_TIMEOUT=${E2E_SUITE_TIMEOUT:-300}

WORK=$(mktemp -d "${TMPDIR:-/tmp}/cognito-emu-e2e.XXXXXX")
SERVER_PID=""

cleanup() {
    if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -KILL "$SERVER_PID" 2>/dev/null
        wait "$SERVER_PID" 2>/dev/null
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say() { echo "e2e: $*" >&2; }
die() { # a failure before any suite ran: still end with the summary line
    say "$*"
    echo "0 passed, 1 failed"
    exit 2
}

# ------------------------------------------------------------------ tools
APT_UPDATED=0
apt_install() {
    command -v apt-get >/dev/null 2>&1 || die "missing $*, and there is no apt-get to install it"
    local sudo=()
    if [[ $(id -u) -ne 0 ]]; then
        command -v sudo >/dev/null 2>&1 || die "missing $*; run as root to install it with apt-get"
        sudo=(sudo)
    fi
    if [[ $APT_UPDATED -eq 0 ]]; then
        say "apt-get update"
        "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq >"$WORK/apt.log" 2>&1 ||
            { cat "$WORK/apt.log" >&2; die "apt-get update failed"; }
        APT_UPDATED=1
    fi
    say "apt-get install $*"
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" \
        >"$WORK/apt.log" 2>&1 || { cat "$WORK/apt.log" >&2; die "apt-get install $* failed"; }
}

py_ok() { "$1" -c 'import boto3, pytest' >/dev/null 2>&1; }

if command -v python3 >/dev/null 2>&1 && py_ok python3; then
    PYTHON=$(command -v python3)
elif [[ -x /usr/bin/python3 ]] && py_ok /usr/bin/python3; then
    PYTHON=/usr/bin/python3
else
    apt_install python3-boto3 python3-pytest
    PYTHON=/usr/bin/python3
    py_ok "$PYTHON" || die "$PYTHON still cannot import boto3 and pytest"
fi

# pyotp, the TOTP implementation test_boto3_mfa.py checks the server with, from Debian's
# python3-pyotp. When $PYTHON is not Debian's, that suite sees the one package (pure Python)
# through PYTHONPATH, in a directory that holds nothing else.
PYOTP_PATH=""
if ! "$PYTHON" -c 'import pyotp' >/dev/null 2>&1; then
    /usr/bin/python3 -c 'import pyotp' >/dev/null 2>&1 || apt_install python3-pyotp
    pyotp_dir=$(/usr/bin/python3 -c 'import os, pyotp; print(os.path.dirname(pyotp.__file__))' 2>/dev/null) ||
        die "python3-pyotp is installed but /usr/bin/python3 cannot import pyotp"
    mkdir -p "$WORK/pyotp"
    ln -s "$pyotp_dir" "$WORK/pyotp/pyotp"
    PYOTP_PATH="$WORK/pyotp"
fi

if command -v aws >/dev/null 2>&1 && aws --version >/dev/null 2>&1; then
    AWS_CLI=$(command -v aws)
else
    apt_install awscli
    AWS_CLI=/usr/bin/aws
    "$AWS_CLI" --version >/dev/null 2>&1 || die "$AWS_CLI --version fails after installing awscli"
fi

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    apt_install nodejs npm
fi
NODE=$(command -v node) || die "no node after installing nodejs"
# The hosted sign-in pages are driven by Debian's Chromium (playwright-core never downloads a
# browser); fonts-liberation is only Recommended by chromium, and the screenshots need a font.
CHROMIUM=/usr/bin/chromium
[[ -x $CHROMIUM ]] || apt_install chromium fonts-liberation

# npm ci in DIR when node_modules is absent or was installed from another lock file.
npm_ci() {
    local dir=$1 stamp="$1/node_modules/.e2e-lock-sha256" lock_sum
    lock_sum=$(cat "$dir/package.json" "$dir/package-lock.json" | sha256sum | cut -d' ' -f1)
    if [[ ! -f "$stamp" || "$(cat "$stamp" 2>/dev/null)" != "$lock_sum" ]]; then
        say "npm ci in tests/e2e/$(basename "$dir")"
        (cd "$dir" && timeout 600 npm ci --no-audit --no-fund --loglevel=error) >"$WORK/npm.log" 2>&1 ||
            { cat "$WORK/npm.log" >&2; die "npm ci failed in $dir"; }
        echo "$lock_sum" >"$stamp"
    fi
}
JS="$HERE/js"
AMPLIFY="$HERE/amplify"
LAMBDA="$HERE/lambda"
OAUTH="$HERE/oauth"
AMPLIFY_HOSTED="$HERE/amplify-hosted"
PASSKEYS="$HERE/passkeys"
npm_ci "$JS"
npm_ci "$OAUTH" # openid-client, jose, aws-jwt-verify, playwright-core, oidc-provider
npm_ci "$AMPLIFY"
npm_ci "$AMPLIFY_HOSTED" # aws-amplify, esbuild, playwright-core
npm_ci "$PASSKEYS"       # aws-amplify, esbuild, playwright-core
npm_ci "$LAMBDA" # serverless-offline and the trigger handlers' clients

say "clients: $("$PYTHON" -c 'import sys, boto3, botocore, pytest; print("python %s, boto3 %s, botocore %s, pytest %s" % (sys.version.split()[0], boto3.__version__, botocore.__version__, pytest.__version__))' 2>&1);" \
    "$("$AWS_CLI" --version 2>&1 | cut -d' ' -f1);" \
    "node $("$NODE" --version);" \
    "@aws-sdk $(sed -n 's/.*"@aws-sdk\/client-cognito-identity-provider": "\(.*\)".*/\1/p' "$JS/package.json")," \
    "aws-jwt-verify $(sed -n 's/.*"aws-jwt-verify": "\(.*\)".*/\1/p' "$JS/package.json")," \
    "jose $(sed -n 's/.*"jose": "\(.*\)".*/\1/p' "$JS/package.json")," \
    "amazon-cognito-identity-js $(sed -n 's/.*"amazon-cognito-identity-js": "\(.*\)".*/\1/p' "$AMPLIFY/package.json")," \
    "aws-amplify $(sed -n 's/.*"aws-amplify": "\(.*\)".*/\1/p' "$AMPLIFY/package.json")"

# ------------------------------------------------------------------ a clean AWS environment
# Nothing from a developer's own AWS setup: no profile, config, credentials, proxies, or
# instance-metadata look-ups; one attempt per call so that a failing server shows at once.
while IFS= read -r var; do
    unset "$var"
done < <(env | sed -n 's/^\(AWS_[A-Za-z0-9_]*\)=.*/\1/p')
unset HTTP_PROXY HTTPS_PROXY ALL_PROXY http_proxy https_proxy all_proxy
touch "$WORK/aws-config" "$WORK/aws-credentials"
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test
export AWS_DEFAULT_REGION=us-east-1 AWS_REGION=us-east-1
export AWS_CONFIG_FILE="$WORK/aws-config" AWS_SHARED_CREDENTIALS_FILE="$WORK/aws-credentials"
export AWS_PAGER="" AWS_DEFAULT_OUTPUT=json AWS_CLI_AUTO_PROMPT=off
export AWS_EC2_METADATA_DISABLED=true AWS_MAX_ATTEMPTS=1 AWS_RETRY_MODE=standard
export NO_PROXY=127.0.0.1,localhost,::1 no_proxy=127.0.0.1,localhost,::1
export PYTHONDONTWRITEBYTECODE=1
export AWS_CLI PYTHON NODE

# The repository's model for botocore (boto3 and the AWS CLI): <dir>/<service>/<api>/service-2.json.
MODEL="$ROOT/server/aws/model/cognito-idp.json"
if [[ -f "$MODEL" ]]; then
    mkdir -p "$WORK/aws-data/cognito-idp/2016-04-18"
    ln -s "$MODEL" "$WORK/aws-data/cognito-idp/2016-04-18/service-2.json"
    export AWS_DATA_PATH="$WORK/aws-data"
else
    say "no model at $MODEL; boto3 and the AWS CLI use their own"
fi

# ------------------------------------------------------------------ the server
SERVER_PASSED=0
SERVER_FAILED=0
SERVER_NOTES=""
server_check() { # server_check OK|FAIL "what"
    if [[ $1 == OK ]]; then
        SERVER_PASSED=$((SERVER_PASSED + 1))
    else
        SERVER_FAILED=$((SERVER_FAILED + 1))
        SERVER_NOTES+="FAIL $2"$'\n'
    fi
}

# start_server LOG_PREFIX [ARGS...]: start BIN (--port 0 --db :memory: --log-level info and
# ARGS), its stdout and stderr in $WORK/LOG_PREFIX.out / .err, and wait for its ready line
# "cognito-emu <version> listening on http://127.0.0.1:<port>". Sets SERVER_PID and ENDPOINT;
# on failure shows its output, prints the summary lines and exits.
start_server() {
    local prefix=$1 line
    shift
    "$BIN" --port 0 --db :memory: --log-level info "$@" >"$WORK/$prefix.out" 2>"$WORK/$prefix.err" &
    SERVER_PID=$!
    ENDPOINT=""
    for _ in $(seq 1 150); do # 15 s
        line=$(grep -m1 -E '^cognito-emu [^ ]+ listening on http://[^ ]+$' "$WORK/$prefix.out" 2>/dev/null)
        if [[ -n "$line" ]]; then
            ENDPOINT=${line##* }
            break
        fi
        kill -0 "$SERVER_PID" 2>/dev/null || break
        sleep 0.1
    done
    if [[ -z "$ENDPOINT" ]]; then
        say "the server did not print its ready line within 15 s"
        say "stdout:"; cat "$WORK/$prefix.out" >&2
        say "stderr:"; tail -n 50 "$WORK/$prefix.err" >&2
        echo "server: 0 passed, 1 failed, 0 skipped"
        echo "0 passed, 1 failed"
        exit 1
    fi
    server_check OK "ready line ($prefix)"
}

if [[ -n "${COG_EMU_ENDPOINT:-}" ]]; then
    ENDPOINT=$COG_EMU_ENDPOINT
    say "using the running server at $ENDPOINT"
else
    BIN=${COG_EMU_BIN:-$ROOT/build/cognito-emu}
    [[ -x "$BIN" ]] || die "no server binary at $BIN (build it, or set COG_EMU_BIN or COG_EMU_ENDPOINT)"
    BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
    export COG_EMU_BIN=$BIN
    start_server server
    export COG_EMU_LOG="$WORK/server.err"
    export COG_EMU_ISSUER_BASE="http://localhost:${ENDPOINT##*:}"
fi
export COG_EMU_ENDPOINT=$ENDPOINT

# ------------------------------------------------------------------ the suites
TOTAL_PASSED=0
TOTAL_FAILED=0
TOTAL_SKIPPED=0
SUMMARY=""

# record SUITE RC PASSED FAILED SKIPPED LOG: add to the totals; show the log on failure.
record() {
    local suite=$1 rc=$2 passed=$3 failed=$4 skipped=$5 log=$6
    if [[ -z "$passed" || -z "$failed" ]]; then
        say "$suite: no counts found in its output (exit $rc)"
        passed=${passed:-0}
        failed=1
        skipped=${skipped:-0}
    elif [[ $rc -ne 0 && $failed -eq 0 ]]; then
        say "$suite: exited $rc with no failure counted"
        failed=1
    fi
    TOTAL_PASSED=$((TOTAL_PASSED + passed))
    TOTAL_FAILED=$((TOTAL_FAILED + failed))
    TOTAL_SKIPPED=$((TOTAL_SKIPPED + skipped))
    SUMMARY+="$suite: $passed passed, $failed failed, $skipped skipped"$'\n'
    if [[ $failed -ne 0 || $VERBOSE == 1 ]]; then
        echo "----- $suite output -----"
        cat "$log"
        echo "----- end of $suite output -----"
    fi
}

# run_cli SUITE SCRIPT: a shell suite ending with "SUITE: N passed, N failed, N skipped".
run_cli() {
    local suite=$1 log="$WORK/$1.log" rc counts p="" f="" s=""
    timeout "$SUITE_TIMEOUT" bash "$HERE/$2" >"$log" 2>&1
    rc=$?
    counts=$(grep -E "^$suite: [0-9]+ passed, [0-9]+ failed, [0-9]+ skipped\$" "$log" | tail -n1)
    read -r p f s < <(sed -E "s/^$suite: ([0-9]+) passed, ([0-9]+) failed, ([0-9]+) skipped\$/\\1 \\2 \\3/" <<<"$counts")
    record "$suite" "$rc" "${p:-}" "${f:-}" "${s:-0}" "$log"
}

# run_pytest SUITE FILE: pytest with a JUnit XML report, read for the counts.
run_pytest() {
    local suite=$1 log="$WORK/$1.log" xml="$WORK/$1.xml" rc p="" f="" s=""
    (cd "$HERE" && timeout "$SUITE_TIMEOUT" "$PYTHON" -m pytest -q -rfEs -p no:cacheprovider \
        -o junit_family=xunit2 --junitxml="$xml" "$2") >"$log" 2>&1
    rc=$?
    read -r p f s < <("$PYTHON" - "$xml" 2>/dev/null <<'PY'
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
t = f = s = 0
for x in suites:
    t += int(x.get("tests", 0))
    f += int(x.get("failures", 0)) + int(x.get("errors", 0))
    s += int(x.get("skipped", 0))
print(t - f - s, f, s)
PY
)
    record "$suite" "$rc" "${p:-}" "${f:-}" "${s:-0}" "$log"
}

# run_node SUITE FILE [DIR]: node --test in DIR (default js/), its TAP summary read for the counts.
run_node() {
    local suite=$1 log="$WORK/$1.log" rc p f c s
    (cd "${3:-$JS}" && timeout "$SUITE_TIMEOUT" "$NODE" --test --test-reporter=tap "$2") >"$log" 2>&1
    rc=$?
    p=$(tap "$log" pass)
    f=$(tap "$log" fail)
    c=$(tap "$log" cancelled)
    s=$(tap "$log" skipped)
    if [[ -n "$f" ]]; then f=$((f + ${c:-0})); fi
    record "$suite" "$rc" "$p" "$f" "${s:-0}" "$log"
}
tap() { sed -n -E "s/^# $2 ([0-9]+)\$/\\1/p" "$1" | tail -n1; }

run_cli cli cli.sh
run_cli cli-auth cli_auth.sh
run_cli cli-identity cli_identity.sh
run_cli tls tls.sh # starts its own servers, with --tls-port auto
run_pytest pytest test_boto3.py
run_pytest pytest-auth test_boto3_auth.py
run_pytest pytest-identity test_boto3_identity.py
run_pytest pytest-lifecycle test_boto3_lifecycle.py
run_pytest pytest-oauth-admin test_boto3_oauth_admin.py
PYTHONPATH="$PYOTP_PATH${PYTHONPATH:+:$PYTHONPATH}" run_pytest pytest-mfa test_boto3_mfa.py
PYTHONPATH="$PYOTP_PATH${PYTHONPATH:+:$PYTHONPATH}" run_pytest pytest-rotation test_boto3_rotation.py
run_pytest pytest-user-auth test_boto3_user_auth.py
run_pytest pytest-idp test_boto3_idp.py
run_pytest pytest-devices test_boto3_devices.py
# Passkeys with a software authenticator (python3-cryptography; skipped without it).
run_pytest pytest-webauthn test_boto3_webauthn.py
# The OAuth 2.0 flows through openid-client and Chromium; screenshots in tests/e2e/oauth/artifacts.
CHROMIUM=$CHROMIUM E2E_ARTIFACTS="$OAUTH/artifacts" run_node oauth hosted.test.mjs "$OAUTH"
# Amplify v6 signInWithRedirect against the TLS listener of a server of its own (COG_EMU_BIN);
# screenshots in tests/e2e/amplify-hosted/artifacts.
CHROMIUM=$CHROMIUM E2E_ARTIFACTS="$AMPLIFY_HOSTED/artifacts" \
    run_node amplify-hosted hosted-amplify.test.mjs "$AMPLIFY_HOSTED"
# USER_AUTH, passwordless sign-up with autoSignIn, EMAIL_OTP and passkeys (the DevTools virtual
# authenticator) through Amplify v6, against a server of its own (COG_EMU_BIN); screenshots in
# tests/e2e/passkeys/artifacts.
CHROMIUM=$CHROMIUM E2E_ARTIFACTS="$PASSKEYS/artifacts" run_node passkeys passkeys.test.mjs "$PASSKEYS"
# Federation: a real OpenID Provider (oidc-provider, started by the suite on loopback) and the
# mock page for Google, through Chromium.
CHROMIUM=$CHROMIUM E2E_ARTIFACTS="$OAUTH/artifacts" run_node oauth-federation federation.test.mjs "$OAUTH"
run_pytest pytest-fixture test_boto3_fixture.py # starts its own server, with fixtures/example.json
run_node node sdk.test.mjs
run_node node-auth auth.test.mjs
run_node node-identity identity.test.mjs
run_node identity-js identity-js.test.mjs "$AMPLIFY"
run_node amplify amplify.test.mjs "$AMPLIFY"
run_node identity-js-devices devices.test.mjs "$AMPLIFY"
run_node amplify-rotation rotation.test.mjs "$AMPLIFY"
run_node amplify-user-auth user-auth.test.mjs "$AMPLIFY"

# stop_server LOG_PREFIX: SIGTERM the server, which must exit 0 within 5 s.
stop_server() {
    local code
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
        wait "$SERVER_PID"
        server_check FAIL "the server ($1) died during the tests (exit $?)"
    else
        kill -TERM "$SERVER_PID"
        for _ in $(seq 1 50); do # 5 s
            kill -0 "$SERVER_PID" 2>/dev/null || break
            sleep 0.1
        done
        if kill -0 "$SERVER_PID" 2>/dev/null; then
            server_check FAIL "the server ($1) did not exit within 5 s of SIGTERM"
            kill -KILL "$SERVER_PID" 2>/dev/null
            wait "$SERVER_PID" 2>/dev/null
        else
            wait "$SERVER_PID"
            code=$?
            if [[ $code -eq 0 ]]; then
                server_check OK "exit 0 on SIGTERM ($1)"
            else
                server_check FAIL "the server ($1) exited $code on SIGTERM (expected 0)"
            fi
        fi
    fi
    SERVER_PID=""
}

# ------------------------------------------------------------------ stop the server
if [[ -n "$SERVER_PID" ]]; then
    stop_server server
fi

# ------------------------------------------------------------------ Lambda triggers
# Real Node handlers (lambda/handler.js) under serverless-offline (lambda/start.sh), called by
# a second server started with --lambda-endpoint; lambda/test_triggers.py (boto3) and
# lambda/custom_auth.test.mjs (amazon-cognito-identity-js) check what Cognito would do.
if [[ -n "${BIN:-}" ]]; then
    free_port() { "$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
    export TRIGGER_OUT="$WORK/postconfirmation.jsonl" CHALLENGE_OUT="$WORK/challenge.txt"
    LAMBDA_PORT=$(free_port)
    if RUNNER_PID=$(LAMBDA_LOG="$WORK/lambda-runner.log" "$LAMBDA/start.sh" "$LAMBDA_PORT" "$(free_port)" 2>"$WORK/lambda-start.log"); then
        server_check OK "serverless-offline answers"
        start_server lambda-server --lambda-endpoint "http://127.0.0.1:$LAMBDA_PORT"
        COG_EMU_ENDPOINT=$ENDPOINT COG_EMU_LOG="$WORK/lambda-server.err" run_pytest lambda-pytest lambda/test_triggers.py
        # After the pytest suite: both read CHALLENGE_OUT, which holds only the newest code.
        COG_EMU_ENDPOINT=$ENDPOINT run_node lambda-node custom_auth.test.mjs "$LAMBDA"
        stop_server lambda-server
        kill "$RUNNER_PID" 2>/dev/null
        wait "$RUNNER_PID" 2>/dev/null
    else
        cat "$WORK/lambda-start.log" >&2
        server_check FAIL "serverless-offline did not start (lambda/start.sh)"
    fi
fi

if [[ -n "${BIN:-}" ]]; then
    if [[ $SERVER_FAILED -ne 0 || $VERBOSE == 1 ]]; then
        echo "----- server -----"
        printf '%s' "$SERVER_NOTES"
        echo "stderr (last 50 lines):"
        tail -n 50 "$WORK/server.err"
        echo "----- end of server -----"
    fi
    TOTAL_PASSED=$((TOTAL_PASSED + SERVER_PASSED))
    TOTAL_FAILED=$((TOTAL_FAILED + SERVER_FAILED))
    SUMMARY+="server: $SERVER_PASSED passed, $SERVER_FAILED failed, 0 skipped"$'\n'
fi

printf '%s' "$SUMMARY"
if [[ $TOTAL_SKIPPED -ne 0 ]]; then say "$TOTAL_SKIPPED skipped"; fi
echo "$TOTAL_PASSED passed, $TOTAL_FAILED failed"
[[ $TOTAL_FAILED -eq 0 ]]
