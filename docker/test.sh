#!/usr/bin/env bash
# docker/test.sh: the container, tested as users meet it.
#
# 1. builds docker/Dockerfile (with podman through ../shared/tools/docker-build-local.sh where
#    there is no Docker engine, as on this project's machines);
# 2. starts the image with a named volume and waits for its HEALTHCHECK to pass;
# 3. runs the real-client end-to-end suites (tests/e2e/run.sh) against the container;
# 4. restarts the container and checks that users, tokens and keys survived in the volume;
# 5. brings up docker/compose.yaml and reaches the emulator by its service name from a
#    second container.
# Prints timings and ends with "N passed, N failed". Exits 77 (skip) when no container tool
# can be had.
set -uo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
builder="$top/../shared/tools/docker-build-local.sh"
tag=localhost/cognito-emu:latest
name=cogemu-test-$$
volume=cogemu-test-data-$$
project=cogemu-compose-$$
passed=0
failed=0

ok() { passed=$((passed + 1)); echo "ok $*"; }
fail() { failed=$((failed + 1)); echo "FAIL $*"; }
now_ms() { date +%s%3N; }
# Add the counts of a log's last "N passed, N failed" line (none: one failure).
add_counts() {
    local line
    line=$(grep -E '^([a-z-]+: )?[0-9]+ passed, [0-9]+ failed' "$1" | tail -n 1)
    if [[ $line =~ ([0-9]+)\ passed,\ ([0-9]+)\ failed ]]; then
        passed=$((passed + BASH_REMATCH[1]))
        failed=$((failed + BASH_REMATCH[2]))
    else
        fail "$2 printed no counts"
    fi
}

cleanup() {
    podman rm -f "$name" >/dev/null 2>&1
    podman volume rm -f "$volume" >/dev/null 2>&1
    (cd "$top/docker" && podman-compose -p "$project" -f compose.yaml down -v >/dev/null 2>&1)
}
trap cleanup EXIT

if [ ! -x "$builder" ]; then
    echo "docker/test.sh: skipped: $builder not found (it builds images with podman)"
    exit 77
fi

start=$(now_ms)
version=$(sed -n 's/^AC_INIT(\[cognito-emu\], \[\([^]]*\)\].*/\1/p' "$top/configure.ac")
t=$(now_ms)
if ! "$builder" "$top" "$top/docker/Dockerfile" "$tag" -- --format docker \
    --build-arg "VERSION=$version" >/tmp/cogemu-docker-build.log 2>&1; then
    tail -n 30 /tmp/cogemu-docker-build.log
    fail "image build"
    echo "$passed passed, $failed failed"
    exit 1
fi
ok "image builds ($(($(now_ms) - t)) ms)"
size=$(podman image inspect "$tag" --format '{{.Size}}')
echo "image size: $((size / 1024 / 1024)) MiB"
# expect WHAT COMMAND...: one check, passed when the command succeeds.
expect() {
    local what=$1
    shift
    if "$@"; then ok "$what"; else fail "$what"; fi
}
expect "image reports version $version" test "$(podman run --rm "$tag" --version)" = "cognito-emu $version"
labels=$(podman image inspect "$tag" --format '{{index .Labels "org.opencontainers.image.version"}}')
expect "image label version $version" test "$labels" = "$version"
expect "runs as a non-root user" test "$(podman run --rm --entrypoint id "$tag" -u)" != "0"

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
endpoint=http://127.0.0.1:$port

# Wait until the container's own HEALTHCHECK passes; print how long it took from $1.
wait_healthy() {
    local since=$1
    for _ in $(seq 1 200); do
        if podman healthcheck run "$name" >/dev/null 2>&1; then
            echo "$(($(now_ms) - since))"
            return 0
        fi
        sleep 0.05
    done
    return 1
}

run_container() {
    podman run -d --name "$name" -p "127.0.0.1:$port:9229" -v "$volume:/data" \
        -e COGNITO_EMU_PUBLIC_URL="http://localhost:$port" "$tag" >/dev/null 2>&1
}

t=$(now_ms)
run_container
if ms=$(wait_healthy "$t"); then ok "container start to healthy: $ms ms"; else
    podman logs "$name" | tail -n 20
    fail "container never became healthy"
fi

log=$(mktemp -d)
# The tokens' issuer is the container's public URL (OIDC clients check it against discovery).
# and the container cannot reach servers the suites start on this host's loopback
# (COG_EMU_ISOLATED: the federation suite's own OpenID Provider).
COG_EMU_ENDPOINT=$endpoint COG_EMU_ISSUER_BASE="http://localhost:$port" COG_EMU_ISOLATED=1 \
    bash "$top/tests/e2e/run.sh" >"$log/e2e" 2>&1
grep -E 'passed, [0-9]+ failed' "$log/e2e"
# On a failure, show what failed (run.sh prints a failing suite's output in full).
grep -qE ' [1-9][0-9]* failed' "$log/e2e" && grep -E -B2 -A8 '^(FAIL|not ok)' "$log/e2e" | head -n 80
add_counts "$log/e2e" "e2e suites against the container"

python3 "$top/docker/persist_check.py" seed "$endpoint" "$log/state.json" >"$log/seed" 2>&1
cat "$log/seed"
add_counts "$log/seed" "persistence seed"
t=$(now_ms)
podman restart -t 10 "$name" >/dev/null 2>&1
if ms=$(wait_healthy "$t"); then ok "restart to healthy: $ms ms"; else fail "not healthy after restart"; fi
python3 "$top/docker/persist_check.py" verify "$endpoint" "$log/state.json" >"$log/verify" 2>&1
cat "$log/verify"
add_counts "$log/verify" "persistence verify"
podman rm -f "$name" >/dev/null 2>&1

# The compose example: seeded from fixtures/, reachable by service name from another container.
(cd "$top/docker" && podman-compose -p "$project" -f compose.yaml up -d --no-build) >"$log/compose" 2>&1 ||
    { cat "$log/compose"; fail "compose up"; }
network=$(podman network ls --format '{{.Name}}' | grep -E "^${project}_default$" | head -n 1)
reached=0
for _ in $(seq 1 100); do
    if podman run --rm --network "$network" "$tag" --healthcheck=http://cognito:9229/health >/dev/null 2>&1; then
        reached=1
        break
    fi
    sleep 0.1
done
expect "compose: another container reaches http://cognito:9229 by service name" test "$reached" = 1
seeded_pool=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["userPools"][0]["id"])' \
    "$top/fixtures/example.json" 2>/dev/null || true)
if [ -n "$seeded_pool" ] && podman run --rm --network "$network" "$tag" \
    "--healthcheck=http://cognito:9229/$seeded_pool/.well-known/jwks.json" >/dev/null 2>&1; then
    ok "compose: the seeded pool $seeded_pool serves its JWKS by service name"
else
    fail "compose: seeded pool '${seeded_pool:-none}' not served"
fi
rm -rf "$log"

echo "docker test took $(($(now_ms) - start)) ms"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
