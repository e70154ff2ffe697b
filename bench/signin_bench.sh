#!/usr/bin/env bash
# Sign-ins per second, USER_SRP_AUTH beside USER_PASSWORD_AUTH, with 32 concurrent clients
# (bench/signin_bench.c). Builds the client with cc, starts the server on 127.0.0.1 (port 0,
# :memory: database, warn logging), runs both flows for SECONDS each, stops the server.
#
#   bench/signin_bench.sh [path/to/cognito-emu [CLIENTS [SECONDS [USERS]]]]
#   (defaults: build/cognito-emu, 32, 10, 64; build the release binary first: cd build && make)
#
# Needs libcurl, OpenSSL and cJSON headers (libcurl4-openssl-dev, libssl-dev, libcjson-dev).
# Only loopback; the server is killed after 120 s whatever happens.
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bin=${1:-$top/build/cognito-emu}
clients=${2:-32}
seconds=${3:-10}
users=${4:-64}
work=$(mktemp -d "${TMPDIR:-/tmp}/signin-bench.XXXXXX")
pid=""
watchdog=""
cleanup() {
    if [[ -n "$watchdog" ]]; then kill "$watchdog" 2>/dev/null || true; fi
    if [[ -n "$pid" ]]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

cc -O2 -o "$work/signin_bench" "$top/bench/signin_bench.c" \
    $(pkg-config --cflags --libs libcurl libcrypto libcjson) -pthread

"$bin" --port 0 --bind 127.0.0.1 --db :memory: --log-level warn >"$work/out" 2>"$work/err" &
pid=$!
(sleep 120 && kill "$pid") 2>/dev/null &
watchdog=$!
for _ in $(seq 1 100); do
    grep -q "listening on" "$work/out" 2>/dev/null && break
    sleep 0.1
done
endpoint=$(awk '/listening on/ {print $NF}' "$work/out")
[[ -n "$endpoint" ]] || { cat "$work/err" >&2; echo "the server did not start" >&2; exit 1; }
echo "$("$bin" --version | head -n1), $(nproc) cores, $endpoint"
"$work/signin_bench" "$endpoint" "$clients" "$seconds" "$users" "$pid"
