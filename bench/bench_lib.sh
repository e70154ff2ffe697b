# shellcheck shell=bash disable=SC2034,SC2154 # sourced: top is the caller's, the options are for it
# bench_lib.sh: what the scripts of the request benchmarks (bench/trigger_bench.sh,
# bench/oauth_bench.sh) share. Sourced, not run, by a script that has set -euo pipefail and top
# (the repository) before it parses its options: it sets their common defaults, and its
# functions set work and read top, bin and smoke. The scripts keep their own options, series and
# texts.

# The defaults of the options every script takes: --bin PATH, --requests N, --conns LIST, --smoke.
bin=$top/build/cognito-emu
requests=2000
conns=1,8
smoke=0

# bench_options USAGE ARG...: the script's options into the variables above; --smoke sets smoke=1
# and calls the script's bench_smoke (its smoke values), and an option not above goes to the
# script's bench_option NAME VALUE, which returns 1 when NAME is not its own. An unknown option
# or a missing value: bench_usage USAGE (exit 2).
bench_options() {
    local usage=$1
    shift
    while [[ $# -gt 0 ]]; do
        if [[ $1 == --smoke ]]; then
            smoke=1
            bench_smoke
            shift
            continue
        fi
        [[ $# -ge 2 ]] || bench_usage "$usage"
        case $1 in
        --requests) requests=$2 ;;
        --conns) conns=$2 ;;
        --bin) bin=$2 ;;
        *) bench_option "$1" "$2" || bench_usage "$usage" ;;
        esac
        shift 2
    done
}

# The script's own options (see bench_options): none unless it defines bench_option after this.
bench_option() { return 1; }

# bench_begin NAME: work, a new temporary directory removed when the script exits; NAME
# (trigger_bench) prefixes what say prints.
bench_begin() {
    bench_name=$1
    work=$(mktemp -d "${TMPDIR:-/tmp}/${1//_/-}.XXXXXX")
    trap 'rm -rf "$work"' EXIT
}

# say MESSAGE...: a line on stderr, after the benchmark's name.
say() { echo "$bench_name: $*" >&2; }

# bench_usage RANGE: print the lines RANGE (sed's, e.g. 2,8) of the script, its usage comment,
# without their "# ", and exit 2.
bench_usage() {
    sed -n "$1p" "$0" | sed 's/^# \{0,1\}//'
    exit 2
}

# bench_build PROGRAM PACKAGE...: after checking that the server bin is built, compile
# bench/PROGRAM.c with bench/bench_common.c against the pkg-config PACKAGEs into $work/PROGRAM.
# Exits 1 when bin is missing (or, through set -e, when the compiler fails).
bench_build() {
    local program=$1
    shift
    [[ -x $bin ]] || { say "no $bin: build the release server first (./dev.sh build)"; exit 1; }
    # shellcheck disable=SC2046 # pkg-config's flags are words
    cc -O2 -o "$work/$program" "$top/bench/$program.c" "$top/bench/bench_common.c" \
        $(pkg-config --cflags --libs "$@") -pthread
}

# bench_heading TITLE: the section's Markdown heading (marked in a smoke run) and a blank line.
bench_heading() {
    echo "## $1$([[ $smoke -eq 1 ]] && echo ' (smoke run: not a measurement)')"
    echo
}

# bench_machine: the machine's cores and CPU model, as the results' "machine" lines say them.
bench_machine() {
    echo "$(nproc) cores (\`nproc\`), $(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)"
}
