#!/usr/bin/env bash
# Start the trigger functions of this folder (serverless.yml, handler.js) under serverless-offline,
# a local runner that speaks the Lambda Invoke API, and wait until it answers.
#
# Usage: tests/e2e/lambda/start.sh [LAMBDA_PORT [HTTP_PORT]]
#   LAMBDA_PORT (or env LAMBDA_PORT, default 3002): the Invoke API,
#       POST http://127.0.0.1:LAMBDA_PORT/2015-03-31/functions/<name>/invocations
#   HTTP_PORT (or env LAMBDA_HTTP_PORT, default 3010): serverless-offline's API Gateway port.
#       Passed so that it never takes the default 3000 of something else; it is bound only if a
#       function gets an http event, and none has one.
#   LAMBDA_LOG: the runner's output file (default ${TMPDIR:-/tmp}/cogemu-lambda-LAMBDA_PORT.log)
#   LAMBDA_START_TIMEOUT: seconds to wait for the first answer (default 60; the framework loads
#       in about 3 s on an idle machine, 10-20 s on a loaded one)
#   TRIGGER_OUT, CHALLENGE_OUT: the files the handlers write (defaults in serverless.yml)
#
# Prints the runner's PID alone on stdout (progress goes to stderr), so a caller can do
#   pid=$(tests/e2e/lambda/start.sh 3002) && ... && kill "$pid"
# Exit status 1 when it does not answer in time (the PID is killed and the log shown).
#
# No AWS account is involved: nothing is deployed, the credentials are dummies that only keep
# the AWS SDK quiet, and the framework's telemetry and update notices are off. The one network
# access is npm ci, when node_modules is missing or was installed from another lock file.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PORT=${1:-${LAMBDA_PORT:-3002}}
HTTP_PORT=${2:-${LAMBDA_HTTP_PORT:-3010}}
LOG=${LAMBDA_LOG:-${TMPDIR:-/tmp}/cogemu-lambda-$PORT.log}
START_TIMEOUT=${LAMBDA_START_TIMEOUT:-60}

say() { echo "lambda: $*" >&2; }

# npm ci when node_modules is absent or stale. The stamp is the one tests/e2e/run.sh's npm_ci
# writes (sha256 of package.json + package-lock.json), so either script accepts the other's
# install.
stamp="$HERE/node_modules/.e2e-lock-sha256"
lock_sum=$(cat "$HERE/package.json" "$HERE/package-lock.json" | sha256sum | cut -d' ' -f1)
if [[ ! -f "$stamp" || "$(cat "$stamp")" != "$lock_sum" ]]; then
    say "npm ci in $HERE"
    (cd "$HERE" && timeout 600 npm ci --no-audit --no-fund --loglevel=error) >&2
    echo "$lock_sum" >"$stamp"
fi

export SLS_TELEMETRY_DISABLED=1 SLS_NOTIFICATIONS_MODE=off
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test
# The local binary rather than npx: then the PID printed is the runner itself (npx would put
# npm and a shell in between, and killing npm's PID would leave the runner behind).
cd "$HERE"
node_modules/.bin/serverless offline start --host 127.0.0.1 \
    --lambdaPort "$PORT" --httpPort "$HTTP_PORT" >"$LOG" 2>&1 </dev/null &
pid=$!
say "serverless-offline pid $pid, log $LOG"

# Ready when a real invocation comes back: the smallest PreSignUp event, returned unchanged.
event='{"version":"1","triggerSource":"PreSignUp_SignUp","request":{"userAttributes":{}},"response":{}}'
url="http://127.0.0.1:$PORT/2015-03-31/functions/preSignUp/invocations"
deadline=$((SECONDS + START_TIMEOUT))
while ((SECONDS < deadline)); do
    if body=$(curl -sf -m 2 -X POST -H 'Content-Type: application/json' -d "$event" "$url" 2>/dev/null) &&
        [[ $body == *PreSignUp_SignUp* ]]; then
        say "ready on http://127.0.0.1:$PORT"
        echo "$pid"
        exit 0
    fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.25
done
say "serverless-offline did not answer on port $PORT within $START_TIMEOUT s; its log:"
tail -n 40 "$LOG" >&2
kill "$pid" 2>/dev/null || true
exit 1
