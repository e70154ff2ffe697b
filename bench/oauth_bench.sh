#!/usr/bin/env bash
# What the OAuth 2.0 endpoints and the hosted pages cost in cognito-emu (issue 14), one command:
#
#   bench/oauth_bench.sh           2,000 timed requests per series at 1 and 8 connections
#   bench/oauth_bench.sh --smoke   100 requests at 1 connection (what bench/run.sh --smoke, and
#                                  so CI, runs: a few seconds)
#   options: --requests N, --conns LIST (e.g. 1,8), --bin PATH
#
# Builds bench/oauth_bench.c (libcurl, cJSON, OpenSSL) and runs it against build/cognito-emu on
# 127.0.0.1 (see the comment at the top of oauth_bench.c: the series, how they are interleaved,
# how the server CPU per request is read). Prints a Markdown section ("## OAuth endpoints and
# hosted pages") on stdout; bench/run.sh appends it to its results. Exit status 1 when any
# request failed or was answered wrongly (an INVALID run). Only loopback; bounded in time.
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bin=$top/build/cognito-emu
requests=2000
conns=1,8
smoke=0
args=("$@")
while [[ $# -gt 0 ]]; do
    case $1 in
    --smoke) smoke=1 requests=100 conns=1 ;;
    --requests) requests=$2; shift ;;
    --conns) conns=$2; shift ;;
    --bin) bin=$2; shift ;;
    *) sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
    esac
    shift
done

work=$(mktemp -d "${TMPDIR:-/tmp}/oauth-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
say() { echo "oauth_bench: $*" >&2; }

[[ -x $bin ]] || { say "no $bin: build the release server first (./dev.sh build)"; exit 1; }
cc -O2 -o "$work/oauth_bench" "$top/bench/oauth_bench.c" \
    $(pkg-config --cflags --libs libcurl libcjson libcrypto) -pthread

loadavg=$(cut -d' ' -f1-3 /proc/loadavg)
echo "## OAuth endpoints and hosted pages$([[ $smoke -eq 1 ]] && echo ' (smoke run: not a measurement)')"
echo
echo "- date: $(date -u '+%Y-%m-%d %H:%M') UTC; $("$bin" --version | head -n1), release build," \
    "\`--db :memory:\`, \`--log-level warn\`, 127.0.0.1; one pool with a prefix domain (its" \
    "endpoints below \`/_domain/<domain>\`), a resource server, a confidential code-flow client," \
    "a client_credentials client, 16 users"
echo "- machine: $(nproc) cores (\`nproc\`), $(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo);" \
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
