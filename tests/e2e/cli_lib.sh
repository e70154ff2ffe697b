# Shared helpers of the AWS CLI suites (cli.sh, cli_auth.sh); sourced, not run.
#
# The sourcing script sets SUITE (the name on its count line) first. Needs COG_EMU_ENDPOINT;
# without it the suite is skipped (its count line says so) and the script exits 0 here.
# Uses $AWS_CLI (default: aws) and $PYTHON (default: python3, only for parsing JSON).
# shellcheck shell=bash
AWS_CLI=${AWS_CLI:-aws}
PYTHON=${PYTHON:-python3}
EP=${COG_EMU_ENDPOINT:-}
VERBOSE=${E2E_VERBOSE:-0}

PASSED=0
FAILED=0
SKIPPED=0

SUITE=${SUITE:-cli}

if [[ -z "$EP" ]]; then
    echo "$SUITE: COG_EMU_ENDPOINT is not set; skipping the AWS CLI suite" >&2
    echo "$SUITE: 0 passed, 0 failed, 1 skipped"
    exit 0
fi

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
OUT="$WORK/out.json"
ERR="$WORK/err.txt"
LAST_CMD=""
LAST_RC=0

pass() {
    PASSED=$((PASSED + 1))
    if [[ "$VERBOSE" == 1 ]]; then echo "ok   $1"; fi
}

# fail NAME DETAIL: one failing check, with the last command and what came back.
fail() {
    FAILED=$((FAILED + 1))
    {
        echo "FAIL $1"
        echo "     why:      $2"
        echo "     command:  $LAST_CMD"
        echo "     exit:     $LAST_RC"
        echo "     stdout:   $(head -c 2000 "$OUT" 2>/dev/null | tr '\n' ' ')"
        echo "     stderr:   $(head -c 2000 "$ERR" 2>/dev/null | tr '\n' ' ')"
    } >&2
}

# awsc ARGS...: run the CLI against the endpoint; stdout in $OUT, stderr in $ERR, status in
# $LAST_RC. Bounded in time; one attempt only (AWS_MAX_ATTEMPTS from the runner or here).
awsc() {
    LAST_CMD="aws --endpoint-url $EP $*"
    AWS_MAX_ATTEMPTS=${AWS_MAX_ATTEMPTS:-1} timeout 60 "$AWS_CLI" --endpoint-url "$EP" \
        --output json --cli-connect-timeout 5 --cli-read-timeout 20 "$@" >"$OUT" 2>"$ERR"
    LAST_RC=$?
    return "$LAST_RC"
}

# jget PATH: a value out of $OUT by a dotted path ("UserPool.Policies.PasswordPolicy.MinimumLength",
# "UserPools[0].Id"); booleans print as true/false, lists and objects as JSON. Empty and
# status 1 when the path is missing or the output is not JSON.
jget() {
    "$PYTHON" - "$OUT" "$1" <<'PY'
import json, re, sys
try:
    with open(sys.argv[1]) as f:
        v = json.load(f)
    for part in re.findall(r"[^.\[\]]+|\[\d+\]", sys.argv[2]):
        v = v[int(part[1:-1])] if part.startswith("[") else v[part]
except Exception:
    sys.exit(1)
if isinstance(v, bool):
    print("true" if v else "false")
elif isinstance(v, (dict, list)):
    print(json.dumps(v, sort_keys=True))
else:
    print(v)
PY
}

# jcount LISTPATH KEY VALUE: how many entries of the list at LISTPATH have KEY == VALUE.
jcount() {
    "$PYTHON" - "$OUT" "$1" "$2" "$3" <<'PY'
import json, sys
try:
    with open(sys.argv[1]) as f:
        items = json.load(f)
    for part in sys.argv[2].split("."):
        items = items[part]
    print(sum(1 for i in items if str(i.get(sys.argv[3])) == sys.argv[4]))
except Exception:
    print(-1)
PY
}

# check_ok NAME: the last command succeeded and printed JSON (or nothing: the CLI prints
# nothing for an empty response object such as UpdateUserPool's {}).
check_ok() {
    if [[ $LAST_RC -ne 0 ]]; then
        fail "$1" "command failed"
        return 1
    fi
    if [[ -s "$OUT" ]] && ! "$PYTHON" -c 'import json,sys; json.load(open(sys.argv[1]))' "$OUT" 2>/dev/null; then
        fail "$1" "output is not JSON"
        return 1
    fi
    pass "$1"
}

# check_eq NAME PATH EXPECTED
check_eq() {
    local got
    got=$(jget "$2") || got="<missing>"
    if [[ "$got" == "$3" ]]; then pass "$1"; else fail "$1" "$2 is '$got', expected '$3'"; fi
}

# check_re NAME PATH REGEX (bash ERE, anchored by the caller)
check_re() {
    local got
    got=$(jget "$2") || got="<missing>"
    if [[ "$got" =~ $3 ]]; then pass "$1"; else fail "$1" "$2 is '$got', expected to match $3"; fi
}

# check_present NAME PATH
check_present() {
    local got
    if got=$(jget "$2") && [[ -n "$got" ]]; then pass "$1"; else fail "$1" "$2 is missing"; fi
}

# check_aws_error NAME CODE: the last command failed with that AWS error code on stderr.
check_aws_error() {
    if [[ $LAST_RC -eq 0 ]]; then
        fail "$1" "command succeeded; expected $2"
    elif ! grep -q "An error occurred ($2)" "$ERR"; then
        fail "$1" "stderr lacks 'An error occurred ($2)'"
    else
        pass "$1"
    fi
}

# check_count NAME LISTPATH KEY VALUE EXPECTED
check_count() {
    local n
    n=$(jcount "$2" "$3" "$4")
    if [[ "$n" == "$5" ]]; then pass "$1"; else fail "$1" "$2 has $n entries with $3=$4, expected $5"; fi
}

# skip NAME WHY: a check that cannot run here.
skip() {
    SKIPPED=$((SKIPPED + 1))
    echo "skip $1: $2" >&2
}

# finish: the machine-readable count line; exit status 0 when nothing failed.
finish() {
    echo "$SUITE: $PASSED passed, $FAILED failed, $SKIPPED skipped"
    [[ $FAILED -eq 0 ]]
}
