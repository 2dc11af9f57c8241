#!/usr/bin/env bash
# The bundle's smoke test: the bundled app, with the network cut, does what a person does first.
#
#   bash packaging/smoke.sh [BUNDLE_DIR]        (default: dist/aiser; `make package-test`)
#
# Each step prints "ok <what>" or stops with "FAILED <what>" and exit code 1. Everything runs
# in a new network namespace (`unshare -n`: not even loopback), in a throwaway home folder, so
# the bundle can lean on nothing but itself.
set -euo pipefail

BUNDLE=$(cd "${1:-dist/aiser}" && pwd)
HERE=$(cd "$(dirname "$0")" && pwd)
APP="$BUNDLE/aiser"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
WS="$TMP/workspace"

export HOME="$TMP/home" XDG_CONFIG_HOME="$TMP/config" XDG_DATA_HOME="$TMP/data" \
    XDG_CACHE_HOME="$TMP/cache" XDG_STATE_HOME="$TMP/state" QT_QPA_PLATFORM=offscreen \
    PYTHON_KEYRING_BACKEND=keyring.backends.null.Keyring
mkdir -p "$HOME"

if [ "$(id -u)" = 0 ]; then OFFLINE=(unshare -n); else OFFLINE=(unshare -r -n); fi
"${OFFLINE[@]}" true 2>/dev/null || { echo "FAILED: cannot cut the network (unshare -n)"; exit 1; }

fail() { echo "FAILED $1"; [ -f "$TMP/out" ] && sed 's/^/    /' "$TMP/out"; exit 1; }
run() { "${OFFLINE[@]}" "$APP" "$@" >"$TMP/out" 2>&1; }
expect() {  # expect WHAT PATTERN COMMAND...: the command succeeds and prints PATTERN
    local what=$1 pattern=$2; shift 2
    run "$@" || fail "$what (exit $?)"
    grep -Eq "$pattern" "$TMP/out" || fail "$what: the output lacks /$pattern/"
    echo "ok $what"
}

[ -x "$APP" ] || fail "no bundle at $BUNDLE (run make package first)"
start=$(date +%s%N)
expect "version" '^aiser [0-9]' --version
echo "   aiser --version, cold: $(( ($(date +%s%N) - start) / 1000000 )) ms"

expect "sample workspace" 'flights' sample --workspace "$WS"
expect "query" '^336776' query "select count(*) from flights" --format csv --workspace "$WS"
expect "excel file" 'regions' import "$HERE/smoke/regions.xlsx" --name regions --workspace "$WS"
expect "query the sheet" '^4,' query "select count(*), sum(sales) from regions.regions" --format csv \
    --workspace "$WS"
expect "chart to PNG" '' chart "select month, count(*) as flights from flights group by month" \
    --out "$TMP/chart.png" --workspace "$WS"
[ "$(head -c 8 "$TMP/chart.png" | od -An -tx1 | tr -d ' \n')" = "89504e470d0a1a0a" ] \
    || fail "chart to PNG: not a PNG file"
[ "$(stat -c %s "$TMP/chart.png")" -gt 5000 ] || fail "chart to PNG: the image is nearly empty"
expect "rules answer" '336,?776' ask "how many flights are there?" --provider rules \
    --workspace "$WS"

start=$(date +%s%N)
run --quit-after-shown --workspace "$WS" || fail "the window (exit $?)"
echo "ok window shown and closed ($(( ($(date +%s%N) - start) / 1000000 )) ms)"

if [ -f "$BUNDLE/_internal/models/gemma-3-270m-q4_k_m.gguf" ]; then
    expect "local model answers" '.' ask "how many flights are there?" --provider local \
        --workspace "$WS"
fi
echo "smoke test passed: $(du -sh "$BUNDLE" | cut -f1) in $BUNDLE"
