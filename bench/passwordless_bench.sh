#!/usr/bin/env bash
# Sign-ins per second and server CPU per sign-in of the passwordless first factors (issue 15:
# EMAIL_OTP and WEB_AUTHN), against USER_PASSWORD_AUTH, one command:
#
#   bench/passwordless_bench.sh           2,000 timed sign-ins per series at 1 and 8 connections
#   bench/passwordless_bench.sh --smoke   50 sign-ins at 1 connection (a few seconds)
#   options: --requests N, --conns LIST (e.g. 1,8), --bin PATH
#
# Builds bench/passwordless_bench.c with bench/bench_common.c (libcurl, cJSON, OpenSSL) and runs it
# against build/cognito-emu on 127.0.0.1 (see the comment at the top of passwordless_bench.c:
# the series, what a sign-in's time and CPU include). Prints a Markdown section ("## Passwordless
# sign-in") on stdout. Exit status 1 when any sign-in failed (an INVALID run). Only loopback;
# bounded in time.
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=bench/bench_lib.sh
. "$top/bench/bench_lib.sh"
bench_smoke() { requests=50 conns=1; }
args=("$@")
bench_options 2,8 "$@"

bench_begin passwordless_bench
bench_build passwordless_bench libcurl libcjson libcrypto

loadavg=$(cut -d' ' -f1-3 /proc/loadavg)
bench_heading "Passwordless sign-in"
echo "- date: $(date -u '+%Y-%m-%d %H:%M') UTC; $("$bin" --version | head -n1)," \
    "\`--db :memory:\`, \`--log-level warn\`, 127.0.0.1; one pool allowing PASSWORD," \
    "EMAIL_OTP and WEB_AUTHN first factors, one client (USER_AUTH, USER_PASSWORD_AUTH), 4 users per connection," \
    "each with an email and one ES256 passkey (RP ID localhost)"
echo "- machine: $(bench_machine);" \
    "benchmark and emulator share them; load average before the run: $loadavg"
echo "- $requests timed sign-ins per series and concurrency, interleaved, on keep-alive libcurl" \
    "connections (bench/passwordless_bench.c); a sign-in's time and server CPU are its AWS" \
    "calls' (the EMAIL_OTP code read from the inbox and the passkey's signature come between" \
    "them and are not counted); server CPU" \
    "from /proc/PID/task/*/schedstat, at one connection"
echo "- command: \`bash bench/passwordless_bench.sh${args[*]:+ ${args[*]}}\`"
echo
status=0
timeout 600 "$work/passwordless_bench" --bin "$bin" --requests "$requests" --conns "$conns" ||
    status=$?
[[ $status -eq 0 ]] || say "INVALID run"
echo
exit "$status"
