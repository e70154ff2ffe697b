#!/usr/bin/env bash
# What the OAuth 2.0 endpoints and the hosted pages cost in cognito-emu (issue 14), one command:
#
#   bench/oauth_bench.sh           2,000 timed requests per series at 1 and 8 connections
#   bench/oauth_bench.sh --smoke   100 requests at 1 connection (what bench/run.sh --smoke, and
#                                  so CI, runs: a few seconds)
#   options: --requests N, --conns LIST (e.g. 1,8), --bin PATH
#
# Builds bench/oauth_bench.c with bench/bench_common.c (libcurl, cJSON, OpenSSL) and runs it
# against build/cognito-emu on 127.0.0.1 (see the comment at the top of oauth_bench.c: the
# series, how they are interleaved, how the server CPU per request is read). Prints a Markdown
# section ("## OAuth endpoints and hosted pages") on stdout; bench/run.sh appends it to its
# results. Exit status 1 when any request failed or was answered wrongly (an INVALID run). Only
# loopback; bounded in time.
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=bench/bench_lib.sh
. "$top/bench/bench_lib.sh"
bench_smoke() { requests=100 conns=1; }
args=("$@")
bench_options 2,8 "$@"

bench_begin oauth_bench
bench_build oauth_bench libcurl libcjson libcrypto

loadavg=$(cut -d' ' -f1-3 /proc/loadavg)
bench_heading "OAuth endpoints and hosted pages"
echo "- date: $(date -u '+%Y-%m-%d %H:%M') UTC; $("$bin" --version | head -n1), release build," \
    "\`--db :memory:\`, \`--log-level warn\`, 127.0.0.1; one pool with a prefix domain (its" \
    "endpoints below \`/_domain/<domain>\`), a resource server, a confidential code-flow client," \
    "a client_credentials client, 16 users"
echo "- machine: $(bench_machine);" \
    "benchmark and emulator share them; load average before the run: $loadavg"
echo "- $requests timed requests per series and concurrency, interleaved: each round makes one" \
    "request of every series, in an order that rotates, on keep-alive libcurl connections" \
    "(bench/oauth_bench.c); every answer checked (status, Location, cookies, tokens); server" \
    "CPU per request from /proc/PID/task/*/schedstat, at one connection"
echo "- command: \`bash bench/oauth_bench.sh${args[*]:+ ${args[*]}}\`"
echo
status=0
timeout 600 "$work/oauth_bench" --bin "$bin" --requests "$requests" --conns "$conns" || status=$?
[[ $status -eq 0 ]] || say "INVALID run"
echo
exit "$status"
