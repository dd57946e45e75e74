#!/bin/sh
# plugins/onednn/onednn_plan_log_test.sh - make check: the oneDNN plugin logs each kernel's plan
# at debug (MLB_LOG=debug), through libmlb's log: the op, its dtype, the output's shape, the
# implementation of every step, reorders included, and the scratch the kernel holds, as an
# operator reads it to see why an op is slow on some layout or what its restaging costs in
# memory. Nothing is logged below debug. Driven through mlb-run.
set -u
top=${MLB_TOP_BUILDDIR:?run under make check}
run=$top/tools/mlb-run
plugin=$top/plugins/onednn/.libs/mlb_onednn.so
[ -x "$run" ] && [ -f "$plugin" ] || { echo "SKIP: mlb-run or the oneDNN plugin is not built"; exit 77; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/onednn_plan_log_test.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
plan() { # plan LEVEL ARGS...: mlb-run's stderr in $tmp/err, its plan line in $tmp/plan
    level=$1
    shift
    MLB_LOG=$level "$run" --plugin "$plugin" "$@" > "$tmp/out" 2> "$tmp/err" ||
        fail "mlb-run $*: exit $?: $(cat "$tmp/err")"
    grep -F '[mlb] DEBUG onednn: kernel_create: ' "$tmp/err" > "$tmp/plan"
}

# A dense add: one binary step on the user's tensors, no scratch.
plan debug --op add --shape 4x5:4x5
grep -E -q '^\[mlb\] DEBUG onednn: kernel_create: add f32 \[4,5\]: binary\([a-z0-9_:]+\); scratch 0 bytes$' \
    "$tmp/plan" || fail "dense add: $(cat "$tmp/err")"

# A transposed operand: restaged, a reorder before the binary step into 20 f32 of scratch, no
# ref: step.
plan debug --op add --shape 4x5:4x5 --strides T:
grep -E -q ': add f32 \[4,5\]: reorder\([^)]*\) binary\([^)]*\); scratch 80 bytes$' "$tmp/plan" ||
    fail "transposed add: $(cat "$tmp/err")"
grep -F -q 'ref:' "$tmp/plan" && fail "transposed add runs ref: $(cat "$tmp/plan")"

# A reduction over the middle axis into a rank-1 output.
plan debug --op reduce_sum --shape 3x4x5 --attr axes=1
grep -E -q ': reduce_sum f32 \[3,5\]: reorder\([^)]*\) reduction\(' "$tmp/plan" ||
    fail "reduce_sum over axis 1: $(cat "$tmp/err")"

# Below debug: no plan line.
plan info --op add --shape 4x5:4x5
[ -s "$tmp/plan" ] && fail "a plan logged at info: $(cat "$tmp/plan")"

[ "$failures" -eq 0 ] && echo "PASS: plans logged at debug" && exit 0
exit 1
