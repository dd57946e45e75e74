#!/bin/sh
# run_mutants.sh - proof that mlb-conformance has teeth: it runs the quick suite on each
# mutant plugin (cpu_ref with one planted bug, see local.mk) against the real cpu_ref and
# expects it to FAIL (exit status 1, a closing line with at least one failure) and to name
# the planted bug's culprit as failed in the JSON report: an op (ops[] entry, status
# "failed") or an API test suite (api[] entry, status "failed"). Prints one line per
# mutant and `mutation score: caught/planted`; exits 1 unless every mutant is caught.
#
# Environment: MLB_MUTANTS="id ..." runs only those mutants (default: all);
# MLB_MUTANT_KEEP=DIR keeps each run's output and report in DIR.
set -u
top=${MLB_TOP_BUILDDIR:?run under make check}
conf="$top/conformance/mlb-conformance"
ref="$top/plugins/cpu_ref/.libs/mlb_cpu_ref.so"
libs="$top/tests/mutants/.libs"
[ -x "$conf" ] && [ -f "$ref" ] || { echo "SKIP: mlb-conformance or cpu_ref is not built"; exit 77; }

# id, then the culprits: any one of them failing catches the mutant.
#   op:NAME        any dtype of op NAME failed      op:*/DTYPE  any op failed in DTYPE
#   api:SUITE      any test of API suite SUITE failed (api:SUITE.TEST for one test)
# The runtime mutants are expected in the API tests: their bug shows only when work is
# still running at the moment the suite looks, which the API tests arrange on purpose
# (slow work queued before a synchronize or an event); op tests may fail too, by timing.
table='
ignore_stride      op:add op:sub op:mul op:div op:maximum op:minimum op:pow
wrong_broadcast    op:add op:sub op:mul op:div op:maximum op:minimum op:pow
bf16_double_round  op:*/bf16 op:cast
write_past_end     op:copy
early_sync         api:Api_Streams
drop_bias          op:matmul
softmax_axis       op:softmax op:log_softmax
early_event        api:Api_Events
'
only=${MLB_MUTANTS:-}

tmp=$(mktemp -d /tmp/run_mutants.XXXXXX) || exit 99
trap 'rm -rf "$tmp"' EXIT
keep=${MLB_MUTANT_KEEP:-}
[ -n "$keep" ] && mkdir -p "$keep"

py=/usr/bin/python3
[ -x "$py" ] || py=
# Prints "MATCH" or "NOMATCH", then the failed entries ("add f32", "Api_Streams.OrderIsKept"),
# each after "+ " when it is one of the culprits, "- " when not ("? " without Python).
failed_entries() { # REPORT CULPRIT...
    report=$1
    shift
    if [ -n "$py" ]; then
        "$py" - "$report" "$@" << 'EOF'
import fnmatch, json, sys
with open(sys.argv[1]) as f:
    d = json.load(f)
culprits = sys.argv[2:]
failed = []  # (kind, name, dtype)
for e in d.get("ops", []):
    if e.get("status") == "failed":
        failed.append(("op", e.get("op", "?"), e.get("dtype", "?")))
for e in d.get("api", []):
    if e.get("status") == "failed":
        failed.append(("api", e.get("test", "?"), ""))
def hit(c, f):
    kind, _, pat = c.partition(":")
    if kind != f[0]:
        return False
    if kind == "op":
        name, _, dtype = pat.partition("/")
        return fnmatch.fnmatchcase(f[1], name) and (not dtype or f[2] == dtype)
    return f[1] == pat or f[1].startswith(pat + ".")
print("MATCH" if any(hit(c, f) for c in culprits for f in failed) else "NOMATCH")
for f in failed:
    mark = "+ " if any(hit(c, f) for c in culprits) else "- "
    print(mark + f[1] + (" " + f[2] if f[2] else ""))
EOF
    else
        # No Python: one report entry per line (entries hold no nested object), fields by name.
        tr -d '\n' < "$report" | sed 's/}/}\n/g' | grep '"status": *"failed"' > "$tmp/entries"
        sed -n 's/.*"op": *"\([^"]*\)", *"dtype": *"\([^"]*\)".*/\1 \2/p' "$tmp/entries" > "$tmp/fops"
        sed -n 's/.*"test": *"\([^"]*\)".*/\1/p' "$tmp/entries" > "$tmp/fapi"
        match=NOMATCH
        for c in "$@"; do
            case $c in
            op:\*/*) grep -q " ${c#op:\*/}\$" "$tmp/fops" && match=MATCH ;;
            op:*) grep -q "^${c#op:} " "$tmp/fops" && match=MATCH ;;
            api:*) grep -q -e "^${c#api:}\$" -e "^${c#api:}\." "$tmp/fapi" && match=MATCH ;;
            esac
        done
        echo "$match"
        cat "$tmp/fops" "$tmp/fapi" | sed 's/^/? /'
    fi
}

planted=0
# crash_named OUT CULPRIT...: prints the "FAILED <test>" lines of OUT that name a culprit
# (api:SUITE[.TEST] or op:NAME); fails when there is none.
crash_named() {
    f=$1
    shift
    hits=
    for c in "$@"; do
        case $c in
        api:*) pat="^FAILED ${c#api:}[. ]" ;;
        op:\**) continue ;;
        op:*) pat="^FAILED Op_${c#op:}[.]" ;;
        *) continue ;;
        esac
        h=$(grep -E "$pat" "$f" | sed 's/^FAILED \([^ ]*\).*/\1/' | head -n 3 | tr '\n' ' ')
        hits="$hits$h"
    done
    [ -n "$hits" ] && echo "${hits% }"
}

caught=0
echo "$table" | while read -r id culprits; do
    [ -n "$id" ] || continue
    echo "$id $culprits"
done > "$tmp/table"
while read -r id culprits; do
    if [ -n "$only" ]; then
        case " $only " in *" $id "*) ;; *) continue ;; esac
    fi
    planted=$((planted + 1))
    so="$libs/mutant_$id.so"
    out="$tmp/$id.out"
    report="$tmp/$id.json"
    if [ ! -f "$so" ]; then
        echo "MISSED: $id (the mutant $so is not built)"
        continue
    fi
    timeout --foreground 600 "$conf" --quick --plugin "$so" --reference "$ref" --report "$report" \
        > "$out" 2>&1 < /dev/null
    rc=$?
    [ -n "$keep" ] && cp "$out" "$keep/$id.out" && { [ ! -f "$report" ] || cp "$report" "$keep/"; }
    closing=$(tail -n 1 "$out")
    nfailed=$(echo "$closing" | sed -n 's/^[0-9]* passed, \([0-9]*\) failed, [0-9]* skipped$/\1/p')
    why=
    if [ $rc -ne 1 ]; then
        why="exit status $rc, expected 1"
        [ $rc -eq 124 ] && why="timed out after 600 s"
        [ $rc -gt 128 ] && why="mlb-conformance died of signal $((rc - 128)), no report"
    elif [ -z "$nfailed" ]; then
        why="the last line is not 'N passed, N failed, N skipped': $closing"
    elif [ "$nfailed" -lt 1 ]; then
        why="the closing line reports no failure: $closing"
    elif [ ! -f "$report" ]; then
        why="no JSON report written"
    fi
    if [ -z "$why" ]; then
        # shellcheck disable=SC2086
        if ! failed_entries "$report" $culprits > "$tmp/$id.failed" 2> "$tmp/$id.err"; then
            why="cannot read the JSON report: $(head -n 1 "$tmp/$id.err")"
        else
            list=$(sed '1d; s/^. //' "$tmp/$id.failed" | head -n 12 | tr '\n' ',' |
                sed 's/,$//; s/,/, /g')
            n=$(sed 1d "$tmp/$id.failed" | wc -l)
            [ "$n" -gt 12 ] && list="$list, ... ($n in all)"
            if [ "$(head -n 1 "$tmp/$id.failed")" = MATCH ]; then
                echo "caught: $id (failed: $list)"
                # An op bug should be blamed on its op only: name the others.
                others=$(sed -n 's/^- //p' "$tmp/$id.failed" | tr '\n' ',' | sed 's/,$//; s/,/, /g')
                case $culprits in
                op:*) [ -n "$others" ] && echo "  note: also failed, not the planted op: $others" ;;
                esac
                caught=$((caught + 1))
                continue
            fi
            why="failures, but none of: $culprits (failed: $list)"
        fi
    fi
    # A runtime bug can also crash the suite after a test named it (early_sync lets the
    # worker write into a buffer the test has freed; a sanitizer build stops there). The
    # failure line printed before the crash still names the culprit: that counts, and says so.
    # shellcheck disable=SC2086
    if [ $rc -ne 0 ] && [ $rc -ne 124 ] && named=$(crash_named "$out" $culprits); then
        echo "caught: $id (failed: $named; the run then ended badly: $why)"
        caught=$((caught + 1))
        continue
    fi
    echo "MISSED: $id ($why)"
    echo "  expected a failure of: $culprits"
    echo "  last lines of the run:"
    tail -n 5 "$out" | sed 's/^/    /'
done < "$tmp/table"

echo "mutation score: $caught/$planted"
[ "$planted" -gt 0 ] && [ "$caught" -eq "$planted" ] || exit 1
exit 0
