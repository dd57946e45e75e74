#!/bin/sh
# conformance/coverage_matrix_test.sh - make check: conformance/coverage_matrix.py on the fixture
# report conformance/testdata/coverage_report.json gives conformance/testdata/coverage_matrix.md
# (from a file and from stdin); --update rewrites only the text between the markers of a copy of
# conformance/testdata/coverage_readme.md, and a second run leaves it alone; missing or duplicated
# markers, invalid JSON, a missing file and a missing key exit 2 with one line and no traceback.
# No python3 (3.6 or later): SKIP (77).
set -u
src=${MLB_TOP_SRCDIR:-${srcdir:-.}}
script=$src/conformance/coverage_matrix.py
data=$src/conformance/testdata
[ -f "$script" ] || { echo "missing $script"; exit 99; }
if ! command -v python3 >/dev/null 2>&1; then
    echo "SKIP: python3 is not installed (conformance/coverage_matrix.py needs Python 3.6 or later)"
    exit 77
fi
if ! python3 -c 'import sys; sys.exit(sys.version_info < (3, 6))' >/dev/null 2>&1; then
    echo "SKIP: $(python3 --version 2>&1) is older than the Python 3.6 coverage_matrix.py needs"
    exit 77
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/coverage_matrix_test.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
matrix() { python3 "$script" "$@"; }

# The matrix, from a file and from stdin.
matrix "$data/coverage_report.json" > "$tmp/out" 2> "$tmp/err"
rc=$?
[ $rc -eq 0 ] || fail "exit status $rc on the fixture report: $(cat "$tmp/err")"
if ! diff -u "$data/coverage_matrix.md" "$tmp/out" > "$tmp/diff"; then
    fail "the matrix differs from conformance/testdata/coverage_matrix.md (- expected, + got):"
    cat "$tmp/diff"
fi
matrix - < "$data/coverage_report.json" > "$tmp/stdin_out" 2>&1 ||
    fail "exit status $? reading the report from stdin"
cmp -s "$tmp/out" "$tmp/stdin_out" || fail "the matrix from stdin differs from the file's"

# --update: only the lines between the markers change, and a second run changes nothing.
readme=$tmp/README.md
cp "$data/coverage_readme.md" "$readme" || exit 99
matrix "$data/coverage_report.json" --update "$readme" > "$tmp/upd" 2>&1
rc=$?
[ $rc -eq 0 ] || fail "--update: exit status $rc: $(cat "$tmp/upd")"
grep -q 'updated' "$tmp/upd" || fail "--update: no 'updated' line: $(cat "$tmp/upd")"
before() { sed -n '1,/^<!-- coverage-matrix:begin -->$/p' "$1"; }
after() { sed -n '/^<!-- coverage-matrix:end -->$/,$p' "$1"; }
between() { sed -n '/^<!-- coverage-matrix:begin -->$/,/^<!-- coverage-matrix:end -->$/p' "$1" |
    sed '1d;$d'; }
before "$data/coverage_readme.md" > "$tmp/b0"
before "$readme" > "$tmp/b1"
after "$data/coverage_readme.md" > "$tmp/a0"
after "$readme" > "$tmp/a1"
cmp -s "$tmp/b0" "$tmp/b1" || fail "--update changed the text before the begin marker"
cmp -s "$tmp/a0" "$tmp/a1" || fail "--update changed the text after the end marker"
[ -s "$tmp/b1" ] && [ -s "$tmp/a1" ] || fail "--update lost a marker: $(cat "$readme")"
{ echo; cat "$data/coverage_matrix.md"; echo; } > "$tmp/block"
between "$readme" > "$tmp/between"
if ! diff -u "$tmp/block" "$tmp/between" > "$tmp/diff"; then
    fail "--update: the text between the markers is not the matrix (- expected, + got):"
    cat "$tmp/diff"
fi
cp "$readme" "$tmp/README.first"
matrix "$data/coverage_report.json" --update "$readme" > "$tmp/upd" 2>&1 ||
    fail "--update (second run): exit status $?: $(cat "$tmp/upd")"
cmp -s "$readme" "$tmp/README.first" || fail "a second --update changed the file"
grep -q 'unchanged' "$tmp/upd" || fail "--update (second run): no 'unchanged' line"

# Errors: exit 2, one line on stderr naming the problem, no traceback, the file untouched.
expect_error() { # expect_error WHAT TEXT ARGS...: exit 2 and one stderr line containing TEXT
    what=$1 text=$2
    shift 2
    matrix "$@" > "$tmp/eout" 2> "$tmp/eerr"
    rc=$?
    [ $rc -eq 2 ] || fail "$what: exit status $rc, expected 2 (stderr: $(cat "$tmp/eerr"))"
    if grep -q 'Traceback' "$tmp/eerr"; then
        fail "$what: a Python traceback: $(cat "$tmp/eerr")"
    fi
    lines=$(wc -l < "$tmp/eerr")
    [ "$lines" -eq 1 ] || fail "$what: $lines lines on stderr, expected 1: $(cat "$tmp/eerr")"
    grep -F -q -- "$text" "$tmp/eerr" || fail "$what: '$text' not in: $(cat "$tmp/eerr")"
}
printf '# no markers here\n' > "$tmp/nomarkers.md"
cp "$tmp/nomarkers.md" "$tmp/nomarkers.orig"
expect_error "no markers" "no line <!-- coverage-matrix:begin -->" \
    "$data/coverage_report.json" --update "$tmp/nomarkers.md"
cmp -s "$tmp/nomarkers.md" "$tmp/nomarkers.orig" || fail "no markers: the file was changed"
cat "$data/coverage_readme.md" "$data/coverage_readme.md" > "$tmp/twice.md"
cp "$tmp/twice.md" "$tmp/twice.orig"
expect_error "duplicated markers" "<!-- coverage-matrix:begin --> 2 times" \
    "$data/coverage_report.json" --update "$tmp/twice.md"
cmp -s "$tmp/twice.md" "$tmp/twice.orig" || fail "duplicated markers: the file was changed"
printf '{"tool": "mlb-conformance", "ops": [\n' > "$tmp/bad.json"
expect_error "invalid JSON" "not valid JSON" "$tmp/bad.json"
expect_error "missing report" "cannot read $tmp/missing.json" "$tmp/missing.json"
sed 's/"mode": "full", //' "$data/coverage_report.json" > "$tmp/nomode.json"
expect_error "missing key" "missing key 'mode'" "$tmp/nomode.json"
sed 's/"status": "failed"/"status": "exploded"/' "$data/coverage_report.json" > "$tmp/status.json"
expect_error "unknown status" "unknown status 'exploded'" "$tmp/status.json"
expect_error "missing file to update" "cannot read $tmp/missing.md" \
    "$data/coverage_report.json" --update "$tmp/missing.md"

if [ $failures -ne 0 ]; then
    echo "$failures check(s) failed"
    exit 1
fi
echo "coverage_matrix.py: all checks passed"
exit 0
