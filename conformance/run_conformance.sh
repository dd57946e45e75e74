#!/bin/sh
# conformance/run_conformance.sh - make check: mlb-conformance --quick on every plugin built in
# this tree (cpu_ref against itself, any other against cpu_ref). A plugin with no device here
# (exit 4) makes the test SKIP (77), never pass. Checks that the JSON report, the JUnit XML and
# the closing line are written.
set -u
top=${MLB_TOP_BUILDDIR:-$(pwd)}
bin=$top/conformance/mlb-conformance
ref=$top/plugins/cpu_ref/.libs/mlb_cpu_ref.so
out=$top/conformance/results
mkdir -p "$out" || exit 99
[ -x "$bin" ] || { echo "missing $bin"; exit 99; }
[ -f "$ref" ] || { echo "missing $ref"; exit 99; }

status=0
ran=0
skipped=0
# cpu_ref first, then every other plugin built under plugins/*/.libs/.
if [ $# -gt 0 ]; then
    plugins="$*"
else
    plugins=$ref
    for so in "$top"/plugins/*/.libs/*.so; do
        [ -f "$so" ] || continue
        [ "$so" = "$ref" ] && continue
        plugins="$plugins $so"
    done
fi

for so in $plugins; do
    name=$(basename "$so" .so)
    log=$out/$name.log
    echo "== $name ($so)"
    "$bin" --quick --plugin "$so" --reference "$ref" --report "$out/$name.json" \
        --gtest_output="xml:$out/$name.xml" >"$log" 2>&1
    rc=$?
    tail -n 60 "$log"
    case $rc in
    0) ran=$((ran + 1)) ;;
    4) echo "== $name: SKIPPED (no device on this machine)"
       skipped=$((skipped + 1))
       continue ;;
    *) echo "== $name: FAILED (exit $rc; full log in $log)"
       status=1 ;;
    esac
    # The artefacts a vendor's CI reads.
    last=$(tail -n 1 "$log")
    if ! echo "$last" | grep -Eq '^[0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$'; then
        echo "== $name: the closing line is missing (last line: $last)"
        status=1
    fi
    for f in "$out/$name.json" "$out/$name.xml"; do
        if [ ! -s "$f" ]; then
            echo "== $name: $f was not written"
            status=1
        fi
    done
    grep -q '"tool": "mlb-conformance"' "$out/$name.json" 2>/dev/null ||
        { echo "== $name: $out/$name.json is not a report"; status=1; }
    grep -q '<testsuites' "$out/$name.xml" 2>/dev/null ||
        { echo "== $name: $out/$name.xml is not JUnit XML"; status=1; }
done

if [ $status -ne 0 ]; then
    exit 1
fi
if [ $ran -eq 0 ] && [ $skipped -gt 0 ]; then
    exit 77
fi
exit 0
