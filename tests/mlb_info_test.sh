#!/bin/sh
# mlb_info_test.sh - mlb-info end to end: with a garbage file, a missing folder
# and a good plugin in MLB_PLUGIN_PATH it prints the good plugin's devices and
# both reasons and exits 0; --ops and --json work; bad usage exits 2; no
# usable plugin exits 1. With the oneDNN plugin built: its device and op rows,
# and a bad MLB_ONEDNN_SERIAL_BYTES reported at warn.
set -u
top=${MLB_TOP_BUILDDIR:?run under make check}
info="$top/loader/mlb-info"
good="$top/tests/.libs/fixture_good.so"
[ -x "$info" ] && [ -f "$good" ] || { echo "SKIP: mlb-info or the fixtures are not built"; exit 77; }

tmp=$(mktemp -d /tmp/mlb_info_test.XXXXXX) || exit 99
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
expect() { # expect FILE TEXT: FILE contains TEXT
    grep -F -q -- "$2" "$1" || fail "'$2' not in output: $(cat "$1")"
}

printf 'not a shared library\n' > "$tmp/garbage.so"

# The "done when" scenario.
MLB_PLUGIN_PATH="$tmp/garbage.so:$tmp/missing_folder:$good" "$info" > "$tmp/out" 2> "$tmp/err"
rc=$?
[ $rc -eq 0 ] || fail "exit status $rc, expected 0"
expect "$tmp/out" "fixture_good 1.0.0 (ABI 1.0): loaded, 2 devices"
expect "$tmp/out" "fixture_good:0: Fixture device 0"
expect "$tmp/out" "fixture_good:1: Fixture device 1"
expect "$tmp/out" "reason: not a loadable shared library: $tmp/garbage.so"
expect "$tmp/out" "reason: cannot use this path: No such file or directory"
expect "$tmp/out" "missing_folder: rejected (MLB_ERROR_NOT_FOUND)"
[ -s "$tmp/err" ] && fail "unexpected stderr: $(cat "$tmp/err")"

# --ops: the fixture supports add and fill in f32 only.
"$info" --plugin "$good" --ops > "$tmp/ops" || fail "--ops exit status $?"
grep -E -q '^ +add +Y( +\.){8}$' "$tmp/ops" || fail "add row wrong: $(grep ' add ' "$tmp/ops")"
grep -E -q '^ +fill +Y( +\.){8}$' "$tmp/ops" || fail "fill row wrong"
grep -E -q '^ +matmul( +\.){9}$' "$tmp/ops" || fail "matmul row wrong"

# --json, checked by a JSON parser when one is at hand.
MLB_PLUGIN_PATH="$tmp/garbage.so:$good" "$info" --json --ops > "$tmp/json" || fail "--json exit status $?"
expect "$tmp/json" '"state": "rejected"'
expect "$tmp/json" '"name": "fixture_good:1"'
expect "$tmp/json" '"add": ["f32"]'
if command -v python3 > /dev/null 2>&1; then
    python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert len(d["devices"]) == 2; assert [p for p in d["plugins"] if p["state"] == "rejected" and p["reason"]]' "$tmp/json" \
        || fail "--json output is not the expected JSON"
fi

# The oneDNN plugin, when built: its device is listed beside cpu_ref's, with its own op rows.
onednn="$top/plugins/onednn/.libs/mlb_onednn.so"
cpuref="$top/plugins/cpu_ref/.libs/mlb_cpu_ref.so"
if [ -f "$onednn" ] && [ -f "$cpuref" ]; then
    MLB_PLUGIN_PATH="$cpuref:$onednn" "$info" --ops > "$tmp/both" || fail "cpu_ref + onednn: exit $?"
    expect "$tmp/both" "onednn 0.1.0 (ABI 1.0): loaded, 1 device"
    expect "$tmp/both" "cpu_ref:0: cpu_ref"
    expect "$tmp/both" "onednn:0: onednn"
    # onednn's rows: matmul in f32 (bf16 where the CPU has it), not f16/f64; pow declined;
    # cpu_ref's matmul in every float.
    sed -n '/^  onednn:0/,$p' "$tmp/both" > "$tmp/onednn_ops"
    grep -E -q '^ +matmul +Y +\. +[Y.]( +\.){6}$' "$tmp/onednn_ops" \
        || fail "onednn matmul row: $(grep ' matmul ' "$tmp/onednn_ops")"
    grep -E -q '^ +pow( +\.){9}$' "$tmp/onednn_ops" || fail "onednn pow row"
    sed -n '/^  cpu_ref:0/,/^  onednn:0/p' "$tmp/both" > "$tmp/cpuref_ops"
    grep -E -q '^ +matmul( +Y){4}( +\.){5}$' "$tmp/cpuref_ops" || fail "cpu_ref matmul row"
    # MLB_ONEDNN_SERIAL_BYTES: a bad value is reported (the plugin keeps its default and
    # loads); a good one is taken silently.
    MLB_LOG=warn MLB_ONEDNN_SERIAL_BYTES=64k MLB_PLUGIN_PATH="$onednn" "$info" \
        > "$tmp/out" 2> "$tmp/err" || fail "bad MLB_ONEDNN_SERIAL_BYTES: exit $?"
    expect "$tmp/err" '[mlb] WARN onednn: MLB_ONEDNN_SERIAL_BYTES: "64k" is not a whole number of bytes'
    expect "$tmp/err" "kept 65536"
    expect "$tmp/out" "onednn 0.1.0 (ABI 1.0): loaded, 1 device"
    MLB_LOG=warn MLB_ONEDNN_SERIAL_BYTES=0 MLB_PLUGIN_PATH="$onednn" "$info" \
        > "$tmp/out" 2> "$tmp/err" || fail "MLB_ONEDNN_SERIAL_BYTES=0: exit $?"
    [ -s "$tmp/err" ] && fail "MLB_ONEDNN_SERIAL_BYTES=0 printed: $(cat "$tmp/err")"
else
    echo "note: the oneDNN plugin is not built here; its mlb-info checks did not run"
fi

# Usage errors exit 2 with one line on stderr.
"$info" --bogus > "$tmp/out" 2> "$tmp/err"
rc=$?
[ $rc -eq 2 ] || fail "--bogus exit status $rc, expected 2"
expect "$tmp/err" "mlb-info: unknown option '--bogus'"
[ "$(wc -l < "$tmp/err")" -eq 1 ] || fail "--bogus printed more than one line"
"$info" --plugin > /dev/null 2>&1
[ $? -eq 2 ] || fail "--plugin without PATH should exit 2"
"$info" --help | grep -q "Usage: mlb-info" || fail "--help"
"$info" --version | grep -q "^mlb-info .* (ABI 1.0)$" || fail "--version"

# No usable plugin exits 1, still listing the reason.
"$info" --plugin "$tmp/garbage.so" > "$tmp/out"
rc=$?
[ $rc -eq 1 ] || fail "no usable plugin: exit status $rc, expected 1"
expect "$tmp/out" "not a loadable shared library"

[ $failures -eq 0 ] && echo "PASS: mlb-info" || exit 1
