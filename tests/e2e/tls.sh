#!/usr/bin/env bash
# End-to-end suite: the HTTPS listener (--tls-port), through curl and Node's fetch.
#
# Starts its own servers from $COG_EMU_BIN (default: build/cognito-emu) with --tls-port auto
# and a data directory of its own, reads the line printed before the ready line,
#     cognito-emu <version> serving https://127.0.0.1:<port> with certificate <path>
# and trusts that certificate the way a test would (curl --cacert, NODE_EXTRA_CA_CERTS).
# Without curl every check is skipped; without node, the Node check is.
# Always ends with the machine-readable line
#     tls: N passed, N failed, N skipped
# Exit status: 0 when nothing failed.
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BIN=${COG_EMU_BIN:-$HERE/../../build/cognito-emu}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/cognito-emu-tls.XXXXXX")
PASSED=0 FAILED=0 SKIPPED=0
PID=""

cleanup() {
    [[ -n "$PID" ]] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
    rm -rf "$WORK"
}
trap cleanup EXIT

ok() { PASSED=$((PASSED + 1)); }
bad() { FAILED=$((FAILED + 1)); echo "FAIL $*"; }
skip() { SKIPPED=$((SKIPPED + 1)); echo "SKIP $*"; }
finish() {
    echo "tls: $PASSED passed, $FAILED failed, $SKIPPED skipped"
    [[ $FAILED -eq 0 ]]
    exit
}

# start ARGS...: start the server and wait for its ready line; sets PID, TLS_URL and CERT.
start() {
    "$BIN" --port 0 --log-level warn "$@" >"$WORK/out" 2>"$WORK/err" &
    PID=$!
    TLS_URL="" CERT=""
    for _ in $(seq 1 100); do
        if grep -q ' listening on http://' "$WORK/out" 2>/dev/null; then
            local line
            line=$(grep -m1 -E '^cognito-emu [^ ]+ serving https://[^ ]+ with certificate ' "$WORK/out")
            TLS_URL=$(sed -E 's/^.* serving (https:[^ ]+) .*$/\1/' <<<"$line")
            TLS_URL="https://localhost:${TLS_URL##*:}" # the name the certificate has
            CERT=${line#* with certificate }
            return 0
        fi
        kill -0 "$PID" 2>/dev/null || break
        sleep 0.1
    done
    cat "$WORK/out" "$WORK/err"
    return 1
}

stop() {
    kill "$PID" 2>/dev/null
    wait "$PID" 2>/dev/null
    PID=""
}

if ! command -v curl >/dev/null 2>&1; then
    skip "no curl: every check"
    finish
fi
[[ -x "$BIN" ]] || { bad "no server binary at $BIN"; finish; }

DATA="$WORK/data"
if start --data-dir "$DATA" --tls-port auto && [[ -n "$TLS_URL" && -f "$CERT" ]]; then
    ok
else
    bad "the server printed no TLS line with a certificate file"
    finish
fi

body=$(curl -sS --cacert "$CERT" "$TLS_URL/health" 2>&1)
[[ "$body" == *'"ok"'* ]] && ok || bad "curl --cacert $CERT $TLS_URL/health: $body"

curl -sS -o /dev/null "$TLS_URL/health" 2>/dev/null
rc=$?
[[ $rc -eq 60 ]] && ok || bad "curl without the certificate exited $rc, not 60 (not verified)"

body=$(curl -sS --cacert "$CERT" -H 'Content-Type: application/x-amz-json-1.1' \
    -H 'X-Amz-Target: AWSCognitoIdentityProviderService.CreateUserPool' \
    --data '{"PoolName":"tls-e2e"}' "$TLS_URL/" 2>&1)
[[ "$body" == *'"Name":"tls-e2e"'* ]] && ok || bad "CreateUserPool over HTTPS: $body"

if command -v node >/dev/null 2>&1; then
    body=$(NODE_EXTRA_CA_CERTS="$CERT" node -e \
        'fetch(process.argv[1]).then(r => r.text()).then(t => console.log(t), e => { console.log(String(e.cause || e)); process.exit(1); })' \
        "$TLS_URL/health" 2>&1)
    [[ "$body" == *'"ok"'* ]] && ok || bad "node fetch with NODE_EXTRA_CA_CERTS: $body"
else
    skip "no node: NODE_EXTRA_CA_CERTS"
fi

# A restart keeps the certificate a client already trusts.
first=$(cat "$CERT")
stop
if start --data-dir "$DATA" --tls-port auto && [[ "$(cat "$CERT")" == "$first" ]]; then
    ok
else
    bad "a restart on the same data directory made a new certificate"
fi
body=$(curl -sS --cacert "$CERT" "$TLS_URL/health" 2>&1)
[[ "$body" == *'"ok"'* ]] && ok || bad "after a restart: $body"
stop

# A certificate that cannot be read stops the start, with the reason.
"$BIN" --port 0 --db :memory: --tls-port auto --tls-cert "$WORK/none.pem" \
    --tls-key "$WORK/none.key" >"$WORK/out" 2>"$WORK/err"
rc=$?
if [[ $rc -ne 0 ]] && grep -q "none.pem" "$WORK/err"; then ok; else
    bad "a missing --tls-cert: exit $rc, stderr: $(cat "$WORK/err")"
fi
finish
