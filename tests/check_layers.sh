#!/usr/bin/env bash
# check_layers.sh: the include table of README "Source layout", enforced with grep (in the
# spirit of curl's checksrc). Run by `make check` and `make check-layers`.
#
# Dependencies point down: util < crypto, http, store < aws < triggers < userpool < auth <
# identity, oauth < control < the frame (server/*.c). A wing includes only the wings its row
# below names (and itself); settings.h and app.h are the frame's read-only configuration, which
# the service wings may read; targets.def is the frame's operation table that aws/op.h expands;
# dispatch.h writes AWS-shaped HTTP answers (dispatch_respond), for oauth/ and control/.
# Libraries stay in their layer: libmicrohttpd in http/http.c, sqlite3 in store/, OpenSSL in
# crypto/ (and util/ids.c for random bytes).
set -u
top=${1:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$top" || exit 1

frame_conf='settings\.h|app\.h'
declare -A allowed=(
    [util]='util/'
    [crypto]='util/|crypto/'
    [http]='util/|http/'
    [aws]='util/|store/|aws/|targets\.def'
    [triggers]="util/|crypto/|http/|aws/|triggers/|$frame_conf"
    [userpool]="util/|crypto/|store/|aws/|triggers/|userpool/|$frame_conf"
    [auth]="util/|crypto/|store/|aws/|triggers/|userpool/|auth/|$frame_conf"
    [identity]="util/|crypto/|store/|aws/|userpool/|identity/|$frame_conf"
    [oauth]="util/|crypto/|http/|store/|aws/|triggers/|userpool/|auth/|oauth/|$frame_conf|dispatch\.h"
    [control]="util/|crypto/|http/|store/|aws/|triggers/|userpool/|auth/|identity/|oauth/|control/|$frame_conf|dispatch\.h|routes\.def"
)
# crypto/keys.c persists the signing keys.
keys_extra='store/'

checks=0
failures=0
# fail MESSAGE: one broken rule.
fail() {
    echo "check-layers: $1" >&2
    failures=$((failures + 1))
}

# The project headers a file includes ("..." includes, config.h aside).
project_includes() {
    grep -oE '^#include "[^"]+"' "$1" | cut -d'"' -f2 | grep -v '^config\.h$'
}

for wing in "${!allowed[@]}"; do
    [ -d "server/$wing" ] || continue
    for f in server/"$wing"/*.[ch]; do
        pattern="^(${allowed[$wing]})"
        [ "$f" = server/crypto/keys.c ] && pattern="^(${allowed[$wing]}|$keys_extra)"
        checks=$((checks + 1))
        for inc in $(project_includes "$f"); do
            [[ $inc =~ $pattern ]] || fail "$f includes \"$inc\", which its wing may not"
        done
    done
done

# store/ is below every service: only util/log.h (and itself).
for f in store/*.[ch]; do
    checks=$((checks + 1))
    for inc in $(project_includes "$f"); do
        [[ $inc =~ ^(util/log\.h$|store/|store_internal\.h$) ]] ||
            fail "$f includes \"$inc\"; store/ may include only util/log.h"
    done
done

# Libraries in their layers.
only_in() {
    local header=$1 allowed_re=$2 f
    checks=$((checks + 1))
    for f in $(grep -rlE "^#include <$header" server store); do
        [[ $f =~ $allowed_re ]] ||
            fail "$f includes <${header//\\/}>, which belongs to ${allowed_re//\\/}"
    done
}
only_in 'microhttpd\.h' '^server/http/http\.c$'
only_in 'sqlite3\.h' '^store/'
only_in 'curl/' '^server/http/http_client\.c$'
only_in 'openssl/' '^(server/crypto/|server/util/ids\.c$)'

# Basenames are unique across the tree.
checks=$((checks + 1))
dups=$(find server store -name '*.[ch]' -printf '%f\n' | sort | uniq -d)
[ -z "$dups" ] || fail "basenames used twice: $dups"

if [ -n "${COG_TEST_RESULTS:-}" ]; then
    echo "$((checks - failures)) $failures" >>"$COG_TEST_RESULTS"
fi
echo "check-layers: $checks checks, $failures broken"
[ "$failures" -eq 0 ]
