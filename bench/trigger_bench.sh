#!/usr/bin/env bash
# What a Lambda trigger costs in cognito-emu (issue 13), one command:
#
#   bench/trigger_bench.sh           2,000 timed requests per series at 1 and 8 connections, and
#                                    callgrind instruction counts when valgrind is installed
#   bench/trigger_bench.sh --smoke   200 requests at 1 connection, no callgrind (what
#                                    bench/run.sh --smoke, and so CI, runs)
#   options: --requests N, --conns LIST (e.g. 1,8), --callgrind N (calls counted per series;
#            0: none), --before REV|PATH (also compare pools without triggers with an older
#            cognito-emu: a binary, or a git revision built here from `git archive`), --bin PATH
#
# Builds bench/trigger_bench.c with bench/bench_common.c (libmicrohttpd, libcurl, cJSON) and
# runs it: a no-op function behind the Lambda Invoke API in the benchmark's process,
# build/cognito-emu on 127.0.0.1 pointed at it, the series timed interleaved (see the comment at
# the top of trigger_bench.c). With --before, a second run times the pools without triggers on
# both binaries, at one connection only: at more, two servers on the same cores take CPU from
# each other unevenly.
# Then, with --callgrind N, each series once more with the server under valgrind
# --tool=callgrind, collecting only inside the operation (op_initiate_auth,
# op_admin_confirm_sign_up) and dumping after every call: the instructions of one request,
# median over N calls after 16 warm-up calls (a user's first sign-in checks the password in
# full), and the instructions of the trigger point in it. Instruction counts do not depend on
# what else the machine runs; they leave out the kernel (the loopback round trip to the
# function) and any waiting.
#
# Prints a Markdown section ("## Lambda triggers") on stdout; bench/run.sh appends it to its
# results. Exit status 1 when a request failed or the function was not invoked once per
# triggered request. Only loopback; bounded in time (timeout).
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=bench/bench_lib.sh
. "$top/bench/bench_lib.sh"
callgrind=20
before=""
bench_smoke() { callgrind=0 requests=200 conns=1; }
bench_option() {
    case $1 in
    --callgrind) callgrind=$2 ;;
    --before) before=$2 ;;
    *) return 1 ;;
    esac
}
args=("$@")
bench_options 2,11 "$@"

bench_begin trigger_bench
bench_build trigger_bench libmicrohttpd libcurl libcjson

# The --before binary: a path, or a revision of this repository built from its sources.
before_name=""
if [[ -n $before && ! -x $before ]]; then
    rev=$(git -C "$top" rev-parse --short "$before^{commit}")
    say "building cognito-emu $rev (git archive) for --before"
    mkdir "$work/before"
    git -C "$top" archive "$rev" | tar -x -C "$work/before"
    (cd "$work/before" && autoreconf -fi >/dev/null 2>&1 && mkdir build && cd build &&
        ../configure -q && make -j2 cognito-emu >/dev/null)
    before_name="commit $rev"
    before=$work/before/build/cognito-emu
elif [[ -n $before ]]; then
    before_name="\`$before\`"
fi

loadavg=$(cut -d' ' -f1-3 /proc/loadavg)
version=$("$bin" --version | head -n1)
bench_heading "Lambda triggers"
echo "- date: $(date -u '+%Y-%m-%d %H:%M') UTC; $version, release build, \`--db :memory:\`," \
    "\`--log-level warn\`, 127.0.0.1; the no-op function (answers its event) runs in the" \
    "benchmark's process on libmicrohttpd and the emulator calls it through \`--lambda-endpoint\`"
echo "- machine: $(bench_machine);" \
    "benchmark, function and emulator share them; load average before the run: $loadavg"
echo "- $requests timed requests per series and concurrency, interleaved: each round makes one" \
    "request of every series, in an order that rotates, on keep-alive libcurl connections" \
    "(bench/trigger_bench.c); server CPU per request from /proc/PID/task/*/schedstat, at one" \
    "connection${before:+; --before: $before_name}"
echo "- command: \`bash bench/trigger_bench.sh${args[*]:+ ${args[*]}}\`"
echo
status=0
timeout 600 "$work/trigger_bench" --bin "$bin" --requests "$requests" --conns "$conns" ||
    status=$?
if [[ -n $before ]]; then
    echo
    echo "Pools without LambdaConfig, this binary and the --before one ($before_name), one" \
        "connection, interleaved the same way:"
    echo
    timeout 600 "$work/trigger_bench" --bin "$bin" --before "$before" --requests "$requests" \
        --conns 1 || status=$?
fi
[[ $status -eq 0 ]] || say "INVALID timing run"

if [[ $callgrind -gt 0 ]] && ! command -v valgrind >/dev/null; then
    say "valgrind is not installed: no instruction counts"
    callgrind=0
fi
if [[ $callgrind -gt 0 ]]; then
    warmup=16 # every user signs in once: the first sign-in of a user checks the password in full
    # the inclusive instructions of function fn in callgrind dump file (0 when not called)
    incl() {
        callgrind_annotate --inclusive=yes --threshold=100 "$1" 2>/dev/null |
            awk -v fn="$2" '!found && index($0, ":" fn " [") {gsub(",", "", $1); print $1; found = 1}
                            END {if (!found) print 0}' # reads it all: no SIGPIPE under pipefail
    }
    fmt() { sed ':a;s/\B[0-9]\{3\}\>/,&/;ta' <<<"$1"; } # 1234567 -> 1,234,567
    echo
    echo "Instructions (valgrind --tool=callgrind, user space only: the kernel's part of the" \
        "loopback round trip is not in them), median over $callgrind calls of the operation" \
        "after $warmup warm-up calls, collected inside the operation only:"
    echo
    echo "| series | operation | pool | instructions per request | of which the trigger point |"
    echo "|---|---|---|---:|---:|"
    declare -A median
    for series in auth auth+pre confirm confirm+post ${before:+auth@before confirm@before}; do
        case $series in
        auth*) op=op_initiate_auth entry=auth_pre_authentication ;;
        *) op=op_admin_confirm_sign_up entry=account_post_confirmation ;;
        esac
        out=$work/cg.$series
        say "callgrind: $series ($callgrind calls)"
        timeout 900 "$work/trigger_bench" --bin "$bin" ${before:+--before "$before"} \
            --only "$series" --requests "$callgrind" --conns 1 --warmup "$warmup" \
            --wrap "valgrind --tool=callgrind -q --callgrind-out-file=$out --toggle-collect=$op --dump-after=$op" \
            >"$work/cg.log" || { say "INVALID callgrind run of $series"; status=1; continue; }
        # one dump per call, numbered in call order: $out.1 .. $out.<warm-up + calls>
        for ((i = warmup + 1; i <= warmup + callgrind; i++)); do
            if [[ -f $out.$i ]]; then echo "$(awk '/^totals:/ {print $2}' "$out.$i") $out.$i"; fi
        done | sort -n >"$work/counts"
        n=$(wc -l <"$work/counts")
        [[ $n -ge $callgrind ]] || { say "callgrind: $n dumps for $series"; status=1; continue; }
        read -r count file < <(sed -n "$(((n + 1) / 2))p" "$work/counts")
        median[$series]=$count
        case $series in
        *@before) point="-" ;;
        *) point="$(fmt "$(incl "$file" "$entry")") (\`$entry\`)" ;;
        esac
        label=$(awk -F' \\| ' -v s="$series" '$2 == s {print $3 " | " $4; exit}' "$work/cg.log")
        echo "| $series | $label | $(fmt "$count") | $point |"
        [[ $series == auth+pre ]] && cp "$file" "$work/trigger-dump"
        rm -f "$out".*
    done
    echo
    for pair in "auth+pre auth PreAuthentication" "confirm+post confirm PostConfirmation" \
        "auth auth@before" "confirm confirm@before"; do
        read -r a b trigger <<<"$pair"
        [[ -n ${median[$a]:-} && -n ${median[$b]:-} ]] || continue
        if [[ -n $trigger ]]; then
            echo "- a $trigger trigger adds $(fmt $((median[$a] - median[$b]))) instructions to" \
                "the request ($a - $b)"
        else
            echo "- a pool without LambdaConfig, this binary against the --before one: $a -" \
                "$b = $(fmt $((median[$a] - median[$b]))) instructions per request"
        fi
    done
    if [[ -f $work/trigger-dump ]]; then
        total=$(incl "$work/trigger-dump" auth_pre_authentication)
        echo
        echo "Where the emulator's instructions for one PreAuthentication call go (the median" \
            "auth+pre request):"
        echo
        echo "| part | instructions |"
        echo "|---|---:|"
        rest=$total
        for part in "user_trigger_attributes the user's attributes for the event" \
            "trigger_event the envelope" "sigv4_sign SigV4 signature of the Invoke request" \
            "client_post the HTTP exchange (libcurl, user space)" \
            "trigger_log_record the invocation log (GET /_emu/triggers)"; do
            fn=${part%% *}
            v=$(incl "$work/trigger-dump" "$fn")
            rest=$((rest - v))
            echo "| ${part#* } (\`$fn\`) | $(fmt "$v") |"
        done
        echo "| the rest: printing the event, reading the answer, the request's URL and headers | $(fmt "$rest") |"
        echo "| **the trigger point, all of it** (\`auth_pre_authentication\`) | **$(fmt "$total")** |"
    fi
fi
echo
exit "$status"
