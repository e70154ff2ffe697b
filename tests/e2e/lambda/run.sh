#!/usr/bin/env bash
# End-to-end tests of cognito-emu's Lambda triggers with real Node handlers: serverless-offline
# runs handler.js (start.sh), cognito-emu calls it through the Lambda Invoke API
# (--lambda-endpoint), and two clients check what Cognito would do:
#   lambda-pytest  test_triggers.py (boto3): PreSignUp, PostConfirmation, PreTokenGeneration V2,
#                  CustomMessage, UserMigration, CUSTOM_AUTH
#   lambda-node    custom_auth.test.mjs (amazon-cognito-identity-js): CUSTOM_AUTH as an app does it
#   lambda-server  this script's checks of the two processes (start-up, clean shutdown)
#
# Usage: tests/e2e/lambda/run.sh
#   COG_EMU_BIN=path     the emulator binary (default: build/cognito-emu of the repository)
#   E2E_VERBOSE=1        print every suite's output, not only a failing one's
#
# Output in tests/e2e/run.sh's form: one line per suite "<suite>: N passed, N failed, N skipped"
# (a failing suite's output before them), and last "N passed, N failed". Exit 0 only when
# nothing failed. Needs node/npm (npm ci from package-lock.json when node_modules is stale) and a
# python3 with boto3 and pytest (Debian's python3-boto3, python3-pytest); no AWS account.
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../../.." && pwd)
VERBOSE=${E2E_VERBOSE:-0}
SUITE_TIMEOUT=${E2E_SUITE_TIMEOUT:-300}

WORK=$(mktemp -d "${TMPDIR:-/tmp}/cognito-emu-lambda.XXXXXX")
SERVER_PID=""
RUNNER_PID=""

stop() { # stop PID: SIGKILL and reap, if it still runs
    if [[ -n "$1" ]] && kill -0 "$1" 2>/dev/null; then
        kill -KILL "$1" 2>/dev/null
        wait "$1" 2>/dev/null
    fi
}
cleanup() {
    stop "$SERVER_PID"
    stop "$RUNNER_PID"
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say() { echo "e2e-lambda: $*" >&2; }
die() { # a failure before any suite ran: still end with the summary line
    say "$*"
    echo "lambda-server: 0 passed, 1 failed, 0 skipped"
    echo "0 passed, 1 failed"
    exit 2
}

# ------------------------------------------------------------------ tools
py_ok() { "$1" -c 'import boto3, pytest' >/dev/null 2>&1; }
if command -v python3 >/dev/null 2>&1 && py_ok python3; then
    PYTHON=$(command -v python3)
elif py_ok /usr/bin/python3; then
    PYTHON=/usr/bin/python3
else
    die "no python3 that imports boto3 and pytest (apt-get install python3-boto3 python3-pytest)"
fi
NODE=$(command -v node) || die "no node"
command -v curl >/dev/null 2>&1 || die "no curl (start.sh polls the runner with it)"

BIN=${COG_EMU_BIN:-$ROOT/build/cognito-emu}
[[ -x "$BIN" ]] || die "no emulator binary at $BIN (build it, or set COG_EMU_BIN)"

# A port nobody listens on now (the kernel's pick for port 0).
free_port() { "$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# ------------------------------------------------------------------ a clean AWS environment
# As tests/e2e/run.sh: nothing from a developer's own AWS setup, dummy keys, the repository's
# cognito-idp model for botocore (Debian's boto3 1.26 lacks PreTokenGenerationConfig).
while IFS= read -r var; do
    unset "$var"
done < <(env | sed -n 's/^\(AWS_[A-Za-z0-9_]*\)=.*/\1/p')
unset HTTP_PROXY HTTPS_PROXY ALL_PROXY http_proxy https_proxy all_proxy
touch "$WORK/aws-config" "$WORK/aws-credentials"
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test
export AWS_DEFAULT_REGION=us-east-1 AWS_REGION=us-east-1
export AWS_CONFIG_FILE="$WORK/aws-config" AWS_SHARED_CREDENTIALS_FILE="$WORK/aws-credentials"
export AWS_EC2_METADATA_DISABLED=true AWS_MAX_ATTEMPTS=1
export NO_PROXY=127.0.0.1,localhost,::1 no_proxy=127.0.0.1,localhost,::1
export PYTHONDONTWRITEBYTECODE=1
MODEL="$ROOT/server/aws/model/cognito-idp.json"
if [[ -f "$MODEL" ]]; then
    mkdir -p "$WORK/aws-data/cognito-idp/2016-04-18"
    ln -s "$MODEL" "$WORK/aws-data/cognito-idp/2016-04-18/service-2.json"
    export AWS_DATA_PATH="$WORK/aws-data"
fi

# The files the handlers write and the tests read: this run's own, so that old lines of another
# run never match.
export TRIGGER_OUT="$WORK/postconfirmation.jsonl" CHALLENGE_OUT="$WORK/challenge.txt"

# ------------------------------------------------------------------ the two processes
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

LAMBDA_PORT=$(free_port) && HTTP_PORT=$(free_port) || die "no free port"
export LAMBDA_LOG="$WORK/lambda.log"
started=$SECONDS
RUNNER_PID=$("$HERE/start.sh" "$LAMBDA_PORT" "$HTTP_PORT" 2>"$WORK/start.log") ||
    { cat "$WORK/start.log" >&2; RUNNER_PID=""; die "serverless-offline did not start"; }
say "serverless-offline on port $LAMBDA_PORT (pid $RUNNER_PID), ready in $((SECONDS - started)) s"
server_check OK "serverless-offline answers"

"$BIN" --port 0 --db :memory: --log-level info --lambda-endpoint "http://127.0.0.1:$LAMBDA_PORT" \
    >"$WORK/server.out" 2>"$WORK/server.err" &
SERVER_PID=$!
ENDPOINT=""
for _ in $(seq 1 150); do # 15 s
    # The ready line "cognito-emu <version> listening on http://127.0.0.1:<port>" (stdout today;
    # stderr is read as well so that a move of the line breaks nothing here).
    line=$(cat "$WORK/server.out" "$WORK/server.err" 2>/dev/null |
        grep -m1 -E '^cognito-emu [^ ]+ listening on http://[^ ]+$')
    if [[ -n "$line" ]]; then
        ENDPOINT=${line##* }
        break
    fi
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.1
done
if [[ -z "$ENDPOINT" ]]; then
    say "the emulator did not print its ready line within 15 s; stdout, then stderr:"
    cat "$WORK/server.out" >&2
    tail -n 50 "$WORK/server.err" >&2
    die "the emulator did not start (does it know --lambda-endpoint?)"
fi
server_check OK "emulator ready line"
export COG_EMU_ENDPOINT=$ENDPOINT

# ------------------------------------------------------------------ the suites
TOTAL_PASSED=0
TOTAL_FAILED=0
TOTAL_SKIPPED=0
SUMMARY=""

# record SUITE RC PASSED FAILED SKIPPED LOG (as tests/e2e/run.sh): a suite without counts, or
# exiting non-zero with none failed, counts one failure.
record() {
    local suite=$1 rc=$2 passed=$3 failed=$4 skipped=$5 log=$6
    if [[ -z "$passed" || -z "$failed" ]]; then
        say "$suite: no counts found in its output (exit $rc)"
        passed=${passed:-0} failed=1 skipped=${skipped:-0}
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

run_pytest() { # run_pytest SUITE FILE: counts from the JUnit XML report
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

tap() { sed -n -E "s/^# $2 ([0-9]+)\$/\\1/p" "$1" | tail -n1; }
run_node() { # run_node SUITE FILE: counts from node --test's TAP summary
    local suite=$1 log="$WORK/$1.log" rc p f c s
    (cd "$HERE" && timeout "$SUITE_TIMEOUT" "$NODE" --test --test-reporter=tap "$2") >"$log" 2>&1
    rc=$?
    p=$(tap "$log" pass) f=$(tap "$log" fail) c=$(tap "$log" cancelled) s=$(tap "$log" skipped)
    if [[ -n "$f" ]]; then f=$((f + ${c:-0})); fi
    record "$suite" "$rc" "$p" "$f" "${s:-0}" "$log"
}

# One after the other: both read CHALLENGE_OUT, which holds only the newest code.
run_pytest lambda-pytest test_triggers.py
run_node lambda-node custom_auth.test.mjs

# ------------------------------------------------------------------ stop both
if ! kill -0 "$SERVER_PID" 2>/dev/null; then
    wait "$SERVER_PID"
    server_check FAIL "the emulator died during the tests (exit $?)"
else
    kill -TERM "$SERVER_PID"
    for _ in $(seq 1 50); do # 5 s
        kill -0 "$SERVER_PID" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$SERVER_PID" 2>/dev/null; then
        server_check FAIL "the emulator did not exit within 5 s of SIGTERM"
    else
        wait "$SERVER_PID"
        code=$?
        if [[ $code -eq 0 ]]; then server_check OK "exit 0 on SIGTERM"; else server_check FAIL "exit $code on SIGTERM"; fi
    fi
fi
stop "$SERVER_PID"
SERVER_PID=""
if kill -0 "$RUNNER_PID" 2>/dev/null; then
    server_check OK "serverless-offline still up at the end"
else
    server_check FAIL "serverless-offline died during the tests"
fi
kill -TERM "$RUNNER_PID" 2>/dev/null # not this shell's child (start.sh's): no wait, only a look
for _ in $(seq 1 30); do # 3 s, then cleanup's SIGKILL
    kill -0 "$RUNNER_PID" 2>/dev/null || break
    sleep 0.1
done
if [[ $SERVER_FAILED -ne 0 || $VERBOSE == 1 ]]; then
    echo "----- lambda-server -----"
    printf '%s' "$SERVER_NOTES"
    echo "emulator stderr (last 50 lines):"
    tail -n 50 "$WORK/server.err"
    echo "serverless-offline log (last 30 lines):"
    tail -n 30 "$LAMBDA_LOG"
    echo "----- end of lambda-server -----"
fi
TOTAL_PASSED=$((TOTAL_PASSED + SERVER_PASSED))
TOTAL_FAILED=$((TOTAL_FAILED + SERVER_FAILED))
SUMMARY+="lambda-server: $SERVER_PASSED passed, $SERVER_FAILED failed, 0 skipped"$'\n'

printf '%s' "$SUMMARY"
if [[ $TOTAL_SKIPPED -ne 0 ]]; then say "$TOTAL_SKIPPED skipped"; fi
echo "$TOTAL_PASSED passed, $TOTAL_FAILED failed"
[[ $TOTAL_FAILED -eq 0 ]]
