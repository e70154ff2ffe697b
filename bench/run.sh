#!/usr/bin/env bash
# The benchmark of issue 9, one command:
#
#   bench/run.sh            full run (5 s per workload, 100,000 users), writes bench/results.md
#   bench/run.sh --smoke    ~1 s per workload, 1,000 users; prints the table (and writes it only
#                           with --out); what CI runs so the benchmark cannot rot
#   options: --seconds S (per workload and concurrency), --users N (users stored for the "many
#            users" measurement), --out FILE (where the Markdown table goes)
#
# What it does, in this order, on this machine:
#   1. builds the release server if build/cognito-emu is missing (./dev.sh build) and the load
#      client bench/load.c (libcurl, with bench/bench_common.c's connection, linked with
#      build/libcogemu.a for the SRP arithmetic);
#   2. openssl speed -seconds 3 rsa2048 (the machine's RSA-2048 sign rate, one core), before any
#      server runs so nothing competes with it;
#   3. bench/startup.py: start-up time to the first answered request, median of 10, and idle RSS;
#   4. starts build/cognito-emu on 127.0.0.1 (port 0) with a fresh --data-dir (a real database
#      file, as users run it) and runs bench/load.c against it: setup (pool, client, identity
#      pool with roles), every workload at 1 and 32 connections, users stored up to N;
#   5. stops the server (always: trap), and bench/report.py writes the Markdown table;
#   6. bench/trigger_bench.sh adds the "Lambda triggers" section: what a trigger adds to a
#      request, against a no-op function (smoke: 200 requests at 1 connection, no callgrind);
#   7. bench/oauth_bench.sh adds the "OAuth endpoints and hosted pages" section: each endpoint's
#      latency and server CPU, the code + PKCE exchange against InitiateAuth (smoke: 100
#      requests at 1 connection);
#   8. bench/passwordless_bench.sh adds the "Passwordless sign-in" section: sign-ins per second
#      and server CPU per sign-in with EMAIL_OTP and WEB_AUTHN as the first factor, against
#      USER_PASSWORD_AUTH (smoke: 50 sign-ins at 1 connection).
#
# Exit status 0 when every workload ran without a single error; 1 when any measurement is
# INVALID (errors) or a step failed. Targets that are missed are reported, not failed: they
# depend on the machine. Only loopback; each step is bounded in time (the server is killed by a
# watchdog after 15 minutes, 3 in smoke mode).
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bin=$top/build/cognito-emu
smoke=0
seconds=""
users=""
out=""
while [[ $# -gt 0 ]]; do
    case $1 in
    --smoke) smoke=1 ;;
    --seconds) seconds=$2; shift ;;
    --users) users=$2; shift ;;
    --out) out=$2; shift ;;
    *) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
    esac
    shift
done
if [[ $smoke -eq 1 ]]; then
    seconds=${seconds:-1} users=${users:-1000} rsa_seconds=1 limit=180
else
    seconds=${seconds:-5} users=${users:-100000} rsa_seconds=3 limit=900
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/cogemu-bench.XXXXXX")
[[ -n "$out" ]] || { [[ $smoke -eq 1 ]] && out=$work/results.md || out=$top/bench/results.md; }
pid=""
watchdog=""
cleanup() {
    if [[ -n "$watchdog" ]]; then
        pkill -P "$watchdog" 2>/dev/null || true # its sleep
        kill "$watchdog" 2>/dev/null || true
    fi
    if [[ -n "$pid" ]]; then
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

say() { echo "bench: $*" >&2; }

# 1. The binaries.
if [[ ! -x $bin ]]; then
    say "building the release server (./dev.sh build)"
    "$top/dev.sh" build
fi
cc -O2 -o "$work/load" "$top/bench/load.c" "$top/bench/bench_common.c" -I"$top/server" \
    "$top/build/libcogemu.a" $(pkg-config --cflags --libs libcurl libcrypto libcjson) -pthread

loadavg=$(cut -d' ' -f1-3 /proc/loadavg) # other work on the machine skews every number

# 2. The RSA-2048 sign rate of one core.
say "openssl speed -seconds $rsa_seconds rsa2048"
sign_rate=$(timeout 60 openssl speed -seconds "$rsa_seconds" rsa2048 2>/dev/null |
    awk '$1 == "rsa" && $2 == "2048" {print $6}')
[[ -n "$sign_rate" ]] || { say "could not read the RSA sign rate"; exit 1; }

# 3. Start-up time and idle RSS (median of 10 starts each, :memory: and a new database file).
say "start-up (bench/startup.py, 10 starts)"
timeout 120 python3 "$top/bench/startup.py" "$bin" 10 >"$work/startup"

# 4. The server and the load.
mkdir "$work/data"
"$bin" --port 0 --bind 127.0.0.1 --data-dir "$work/data" --log-level warn \
    >"$work/server.out" 2>"$work/server.err" &
pid=$!
(sleep "$limit" && kill "$pid") 2>/dev/null &
watchdog=$!
for _ in $(seq 1 100); do
    grep -q "listening on" "$work/server.out" 2>/dev/null && break
    sleep 0.1
done
endpoint=$(awk '/listening on/ {print $NF}' "$work/server.out")
[[ -n "$endpoint" ]] || { cat "$work/server.err" >&2; say "the server did not start"; exit 1; }
say "$("$bin" --version | head -n1) at $endpoint (pid $pid); $seconds s per workload, up to $users users"
load_status=0
timeout $((limit - 10)) "$work/load" "$endpoint" "$pid" "$seconds" "$users" \
    >"$work/raw" || load_status=$?
kill "$pid" 2>/dev/null || true
wait "$pid" 2>/dev/null || true
pid=""

# 5. The table.
report_status=0
python3 "$top/bench/report.py" --raw "$work/raw" --startup "$work/startup" \
    --sign-rate "$sign_rate" --nproc "$(nproc)" \
    --model "$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)" \
    --version "$("$bin" --version | head -n1)" --seconds "$seconds" --users "$users" \
    --smoke "$smoke" --loadavg "$loadavg" >"$out" || report_status=$?

# 6. Lambda triggers, on their own servers (the load server is stopped).
say "Lambda triggers (bench/trigger_bench.sh)"
trigger_status=0
echo >>"$out"
trigger_flags=()
[[ $smoke -eq 1 ]] && trigger_flags=(--smoke)
bash "$top/bench/trigger_bench.sh" "${trigger_flags[@]}" >>"$out" || trigger_status=$?

# 7. The OAuth endpoints and hosted pages, on a server of their own.
say "OAuth endpoints (bench/oauth_bench.sh)"
oauth_status=0
bash "$top/bench/oauth_bench.sh" "${trigger_flags[@]}" >>"$out" || oauth_status=$?

# 8. Passwordless sign-in (EMAIL_OTP first), on a server of its own.
say "Passwordless sign-in (bench/passwordless_bench.sh)"
passwordless_status=0
bash "$top/bench/passwordless_bench.sh" "${trigger_flags[@]}" >>"$out" || passwordless_status=$?
cat "$out"
echo
if [[ $load_status -ne 0 || $report_status -ne 0 || $trigger_status -ne 0 ||
    $oauth_status -ne 0 || $passwordless_status -ne 0 ]]; then
    say "INVALID run (load client exit $load_status, report exit $report_status, trigger" \
        "benchmark exit $trigger_status, OAuth benchmark exit $oauth_status, passwordless" \
        "benchmark exit $passwordless_status); see above"
    exit 1
fi
[[ $smoke -eq 1 && $out == "$work/results.md" ]] && where="not kept (smoke)" || where="in $out"
echo "bench: valid run, no errors in any workload; table $where"
