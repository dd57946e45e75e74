#!/bin/sh
# tools/npy_fuzz_test.sh - make check: builds the libFuzzer target tools/npy_fuzz.c with clang
# (-fsanitize=fuzzer,address,undefined) and runs it for a few thousand inputs from a seed corpus
# of valid images. SKIPs (77) when clang or its fuzzer runtime (libclang-rt-*-dev) is missing:
# the build never depends on it. Longer runs: MLB_FUZZ_RUNS=N or MLB_FUZZ_SECONDS=N.
set -u
top=${MLB_TOP_BUILDDIR:-$(pwd)}
src=${MLB_TOP_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
cc=${MLB_FUZZ_CC:-clang}
command -v "$cc" >/dev/null 2>&1 || { echo "SKIP: $cc not found"; exit 77; }
[ -x "$top/tools/npy_test" ] || { echo "missing $top/tools/npy_test"; exit 99; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/npy_fuzz.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { return d && n ? 0 : 0; }\n' \
    >"$tmp/probe.c"
if ! "$cc" -fsanitize=fuzzer "$tmp/probe.c" -o "$tmp/probe" >/dev/null 2>&1; then
    echo "SKIP: $cc -fsanitize=fuzzer does not link here (install libclang-rt-dev)"
    exit 77
fi
"$cc" -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
    -I"$src/abi" -I"$src/tools" "$src/tools/npy_fuzz.c" "$src/tools/npy.c" -o "$tmp/npy-fuzz" ||
    { echo "FAIL: building the fuzz target"; exit 1; }
mkdir "$tmp/corpus" && "$top/tools/npy_test" --write-corpus "$tmp/corpus" || exit 99
if [ -n "${MLB_FUZZ_SECONDS:-}" ]; then
    limit="-max_total_time=$MLB_FUZZ_SECONDS"
else
    limit="-runs=${MLB_FUZZ_RUNS:-200000}"
fi
"$tmp/npy-fuzz" $limit -max_len=4096 -seed=1 "$tmp/corpus" >"$tmp/log" 2>&1
rc=$?
tail -n 5 "$tmp/log"
[ "$rc" -eq 0 ] || { echo "FAIL: the fuzzer found a problem (exit $rc)"; cat "$tmp/log" | tail -40; exit 1; }
echo "npy_fuzz: ok"
