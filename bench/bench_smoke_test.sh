#!/bin/sh
# bench_smoke_test.sh - the oneDNN benches still run and still check their
# outputs against oneDNN called directly (their figures are not judged here:
# timing belongs to the benches, never to make check). One round of
# onednn_bench's one-thread add and of every onednn_layers rung; bad options
# are refused with exit status 1 and a message.
set -u
top=${MLB_TOP_BUILDDIR:?run under make check}
bench="$top/bench/onednn_bench" layers="$top/bench/onednn_layers"
[ -x "$bench" ] && [ -x "$layers" ] || { echo "SKIP: the oneDNN benches are not built"; exit 77; }

tmp=$(mktemp -d /tmp/bench_smoke_test.XXXXXX) || exit 99
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
expect() { # expect FILE REGEX: a line of FILE matches REGEX
    grep -E -q -- "$2" "$1" || fail "'$2' not in output: $(cat "$1")"
}
runs() { # runs STATUS FILE COMMAND...: COMMAND exits with STATUS, its output in FILE
    want=$1 file=$2
    shift 2
    "$@" > "$file" 2>&1
    got=$?
    [ "$got" -eq "$want" ] || fail "$* exited $got, not $want: $(cat "$file")"
}

runs 0 "$tmp/bench" "$bench" --case add_1024_f32_1t --rounds 1 --no-cpuref
expect "$tmp/bench" '^add_1024_f32_1t: ours=[0-9.]+ direct=[0-9.]+ ratio=[0-9.]+ .*over_ns=-?[0-9]+ threads=1 '
expect "$tmp/bench" '^ratios: min=[0-9.]+ \(add_1024_f32_1t\)'

runs 0 "$tmp/layers" "$layers" --rounds 1 --threads 1
expect "$tmp/layers" '^threads=1 rounds=1$'
expect "$tmp/layers" '^  direct +us=[0-9.]+$'
for rung in control layer table loader; do
    expect "$tmp/layers" "^  $rung +us=[0-9.]+ ratio=[0-9.]+ over_ns=-?[0-9]+ step_ns=-?[0-9]+ "
done

runs 1 "$tmp/bad" "$layers" --rounds 0
expect "$tmp/bad" 'bad option or value: --rounds 0'
runs 1 "$tmp/bad" "$layers" --len 16777217
expect "$tmp/bad" 'bad option or value: --len 16777217'
runs 1 "$tmp/bad" "$layers" --threads
expect "$tmp/bad" '^usage: onednn_layers'
runs 1 "$tmp/bad" "$layers" --plugin "$tmp/missing.so" --threads 1 --rounds 1
expect "$tmp/bad" 'missing.so'
runs 1 "$tmp/bad" "$bench" --case no_such_case
expect "$tmp/bad" 'no case named no_such_case'

[ "$failures" -eq 0 ] && echo "PASS: bench_smoke_test" || echo "$failures failure(s)"
[ "$failures" -eq 0 ]
