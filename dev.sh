#!/usr/bin/env bash
# dev.sh: the two commands of the README's quick start.
#
#   ./dev.sh run [cognito-emu flags...]  install what is missing, build, start the server
#   ./dev.sh test                        install what is missing, build, run every test;
#                                        the last line is "N passed, N failed"
#   ./dev.sh build                       install what is missing and build (release, ./build)
#   ./dev.sh sanitize                    the Check suites again in an ASan+UBSan build
#
# Works on a fresh Debian 12 machine as root (packages come from apt; the JavaScript test
# client from npm with a committed lock file). As another user it says what to install.
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
build_dir=${COG_BUILD_DIR:-$top/build}

# Debian packages needed to build and unit-test the server.
build_packages=(build-essential autoconf automake pkg-config libmicrohttpd-dev libsqlite3-dev
    libssl-dev libcjson-dev libpcre2-dev check libsubunit-dev libcurl4-openssl-dev libcbor-dev)

# Install the packages of "$@" that are not installed yet.
ensure_packages() {
    local missing=()
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    if [ "$(id -u)" -ne 0 ]; then
        echo "dev.sh: missing packages: ${missing[*]} (run: sudo apt-get install ${missing[*]})" >&2
        exit 1
    fi
    echo "dev.sh: installing ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# Configure (once) and build into $1 with configure flags "${@:2}".
build() {
    local dir=$1
    shift
    ensure_packages "${build_packages[@]}"
    if [ ! -x "$top/configure" ] || [ "$top/configure.ac" -nt "$top/configure" ] ||
        [ "$top/Makefile.am" -nt "$top/configure" ]; then
        (cd "$top" && autoreconf -fi >/dev/null 2>&1)
    fi
    mkdir -p "$dir"
    if [ ! -f "$dir/Makefile" ]; then
        (cd "$dir" && "$top/configure" -q "$@")
    fi
    make -s -C "$dir" -j"$(nproc)" >/dev/null
}

# Sum "passed failed" lines of a results file into the totals.
passed=0
failed=0
add_results() {
    local p f
    while read -r p f; do
        passed=$((passed + p))
        failed=$((failed + f))
    done <"$1"
}

# Read the last "N passed, N failed" line of a log into the totals (a missing one counts as a failure).
add_summary_line() {
    local line
    line=$(grep -E '^([A-Za-z]+: )?[0-9]+ passed, [0-9]+ failed' "$1" | tail -n 1 || true)
    if [ -z "$line" ]; then
        failed=$((failed + 1))
        return
    fi
    line=${line#*: }
    local p=${line%% passed*}
    local f=${line#*, }
    f=${f%% failed*}
    passed=$((passed + p))
    failed=$((failed + f))
}

run_tests() {
    local results log status=0
    build "$build_dir"
    results=$(mktemp)
    log=$(mktemp -d)

    echo "== unit and in-process end-to-end suites (Check)"
    COG_TEST_RESULTS=$results make -s -C "$build_dir" -j"$(nproc)" check >"$log/check.log" 2>&1 || {
        status=1
        cat "$log/check.log"
        find "$build_dir/tests" -name '*.log' -newer "$results" -exec grep -H -E ':[FE]:' {} + || true
    }
    add_results "$results"
    grep -E '^(PASS|FAIL|ERROR|SKIP|XFAIL|XPASS):' "$log/check.log" || true

    echo "== real clients: AWS CLI, boto3, AWS SDK for JavaScript v3"
    COG_EMU_BIN=$build_dir/cognito-emu bash "$top/tests/e2e/run.sh" 2>&1 | tee "$log/e2e.log" || status=1
    add_summary_line "$log/e2e.log"

    echo "== durability under SIGKILL"
    COG_EMU_BIN=$build_dir/cognito-emu python3 "$top/tests/e2e/durability.py" 2>&1 | tee "$log/durability.log" || status=1
    add_summary_line "$log/durability.log"

    rm -rf "$results" "$log"
    echo "$passed passed, $failed failed"
    [ "$status" -eq 0 ] && [ "$failed" -eq 0 ]
}

# The Check suites in an ASan+UBSan build (./build-sanitizers).
run_sanitized() {
    local dir=${COG_SANITIZER_BUILD_DIR:-$top/build-sanitizers} results status=0
    build "$dir" --enable-sanitizers
    results=$(mktemp)
    COG_TEST_RESULTS=$results ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} \
        UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
        make -s -C "$dir" -j"$(nproc)" check >"$results.log" 2>&1 || {
        status=1
        cat "$results.log"
    }
    grep -E '^(PASS|FAIL|ERROR):' "$results.log" || true
    add_results "$results"
    rm -f "$results" "$results.log"
    echo "sanitizers: $passed passed, $failed failed"
    [ "$status" -eq 0 ] && [ "$failed" -eq 0 ]
}

case "${1:-}" in
run)
    shift
    build "$build_dir"
    exec "$build_dir/cognito-emu" "$@"
    ;;
test)
    run_tests
    ;;
build)
    build "$build_dir"
    ;;
sanitize)
    run_sanitized
    ;;
*)
    sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
    ;;
esac
