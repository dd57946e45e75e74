#!/usr/bin/env python3
"""Coverage matrix in Markdown from an mlb-conformance JSON report (docs/conformance.md).

    coverage_matrix.py REPORT.json                  print the matrix
    coverage_matrix.py - < REPORT.json              the report from stdin
    coverage_matrix.py REPORT.json --update FILE    replace the text between the lines
                                                    <!-- coverage-matrix:begin --> and
                                                    <!-- coverage-matrix:end --> of FILE

One row per op (the report's order), one column per dtype of the report (v1 order). Bad input,
or markers missing or duplicated in FILE: one line on stderr and exit 2. Standard library only.
"""

import argparse
import json
import os
import sys
import tempfile

BEGIN = "<!-- coverage-matrix:begin -->"
END = "<!-- coverage-matrix:end -->"

# The v1 dtypes in the report's order (mlb_dtype_name); others follow in order of appearance.
DTYPE_ORDER = ["f32", "f16", "bf16", "f64", "i8", "u8", "i32", "i64", "bool"]
STATUSES = ("passed", "failed", "skipped", "expected_failure")
DECLINED = "declined: "  # op_test.cc: mlb_op_supported answered MLB_ERROR_UNSUPPORTED
NOT_IN_SPEC = "\u00b7"  # middle dot

LEGEND = [
    ("pass", "every case that ran passed"),
    ("part", "some cases passed, the others were declined"),
    ("declined", "the plugin answered UNSUPPORTED (every case)"),
    ("skip", "skipped for another reason (below)"),
    ("FAIL", "a case failed"),
    ("xfail", "expected failure (`--expectations`)"),
    (NOT_IN_SPEC, "dtype outside the op's list in docs/ops.md, not run or not compared"),
    ("not run", "no case ran (filtered out)"),
]


class InputError(Exception):
    """Bad input: printed as one line, exit 2."""


def need(obj, key, kind, where):
    if not isinstance(obj, dict) or key not in obj:
        raise InputError(f"{where}: missing key '{key}'")
    value = obj[key]
    if kind is int and isinstance(value, bool):
        raise InputError(f"{where}: '{key}' must be a number")
    if not isinstance(value, kind):
        raise InputError(f"{where}: '{key}' has the wrong type ({type(value).__name__})")
    return value


def count(entry, key, where):
    """An optional count (reports always have them; default 0)."""
    value = entry.get(key, 0)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InputError(f"{where}: '{key}' must be a count")
    return value


def one_line(text):
    return " ".join(str(text).split())


def reason_text(reason, plugin, op, dtype):
    """A skip reason without what the cell already says: 'declined: PLUGIN: op_supported: OP:
    DTYPE: ' (each part where present), so that reasons shared by several cells group."""
    text = one_line(reason)
    if text.startswith(DECLINED):
        text = text[len(DECLINED):]
        for prefix in (plugin + ": ", "op_supported: ", op + ": ", dtype + ": "):
            if prefix.strip(": ") and text.startswith(prefix) and len(text) > len(prefix):
                text = text[len(prefix):]
    return text or "(no reason given)"


def code_span(text):
    """text as a Markdown code span, whatever backticks it holds."""
    longest = run = 0
    for ch in text:
        run = run + 1 if ch == "`" else 0
        longest = max(longest, run)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def cell_of(entry):
    """(cell text, whether its skip reason goes to the 'Why declined' list)."""
    status, in_spec = entry["status"], entry["in_spec"]
    ran = sum(entry[k] for k in ("passed", "failed", "skipped", "expected_failures"))
    if status == "failed":
        return "FAIL", False
    if status == "expected_failure":
        return "xfail", False
    if status == "passed":
        part = in_spec and entry["skipped"] > 0
        return ("part" if part else "pass"), part
    # skipped
    if not in_spec:
        return NOT_IN_SPEC, False
    if ran == 0 and entry["has_counts"]:
        return "not run", False
    if one_line(entry["skip_reason"]).startswith(DECLINED):
        return "declined", True
    return "skip", True


def load(path):
    try:
        if path == "-":
            data = sys.stdin.buffer.read()
            name = "<stdin>"
        else:
            with open(path, "rb") as f:
                data = f.read()
            name = path
    except OSError as e:
        raise InputError(f"cannot read {path}: {e.strerror or e}") from None
    try:
        report = json.loads(data.decode("utf-8", errors="replace"))
    except ValueError as e:
        raise InputError(f"{name}: not valid JSON: {e}") from None
    if not isinstance(report, dict):
        raise InputError(f"{name}: not an mlb-conformance report (not a JSON object)")
    return name, report


def parse(name, report):
    plugin = need(report, "plugin", dict, name)
    device = need(report, "device", dict, name)
    summary = need(report, "summary", dict, name)
    info = {
        "tool_version": report.get("version") if isinstance(report.get("version"), str) else "",
        "plugin": need(plugin, "name", str, name + ": plugin"),
        "plugin_version": plugin.get("version") if isinstance(plugin.get("version"), str) else "",
        "device": need(device, "name", str, name + ": device"),
        "description": device.get("description")
        if isinstance(device.get("description"), str) else "",
        "mode": need(report, "mode", str, name),
        "seed": need(report, "seed", int, name),
        "summary": {k: need(summary, k, int, name + ": summary")
                    for k in ("passed", "failed", "skipped", "expected_failures")},
    }
    raw_ops = need(report, "ops", list, name)
    entries = []
    seen = set()
    for i, raw in enumerate(raw_ops):
        where = f"{name}: ops[{i}]"
        if not isinstance(raw, dict):
            raise InputError(f"{where}: not an object")
        e = {
            "has_counts": "skipped" in raw,  # older reports: no counts, no 'not run'
            "op": need(raw, "op", str, where),
            "dtype": need(raw, "dtype", str, where),
            "in_spec": need(raw, "in_spec", bool, where),
            "status": need(raw, "status", str, where),
            "skip_reason": raw.get("skip_reason") or "",
        }
        if e["status"] not in STATUSES:
            raise InputError(f"{where}: unknown status '{e['status']}'")
        if not isinstance(e["skip_reason"], str):
            raise InputError(f"{where}: 'skip_reason' must be a string")
        for k in ("passed", "failed", "skipped", "expected_failures"):
            e[k] = count(raw, k, where)
        key = (e["op"], e["dtype"])
        if key in seen:
            raise InputError(f"{where}: {e['op']} {e['dtype']} appears twice")
        seen.add(key)
        entries.append(e)
    return info, entries


def cell_list(cells):
    """Cells (op, dtype, part) in few words: by op ('relu f32, bf16; exp f32') or, where that is
    shorter, by dtype ('f16: neg, abs; f64: neg')."""
    mark = " (part)"
    by_op, by_dtype = {}, {}
    for op, dt, part in cells:
        by_op.setdefault(op, []).append(dt + (mark if part else ""))
        by_dtype.setdefault(dt, []).append(op + (mark if part else ""))
    ops_first = "; ".join(f"{op} {', '.join(v)}" for op, v in by_op.items())
    dtypes_first = "; ".join(f"{dt}: {', '.join(v)}" for dt, v in by_dtype.items())
    return dtypes_first if len(dtypes_first) < len(ops_first) else ops_first


def render(info, entries):
    ops, extra = [], []
    for e in entries:
        if e["op"] not in ops:
            ops.append(e["op"])
        if e["dtype"] not in DTYPE_ORDER and e["dtype"] not in extra:
            extra.append(e["dtype"])
    present = {e["dtype"] for e in entries}
    dtypes = [d for d in DTYPE_ORDER if d in present] + extra
    by_cell = {(e["op"], e["dtype"]): e for e in entries}

    # The cells, and the skip reasons grouped in order of first appearance.
    rows, reasons, used = [], {}, set()
    for op in ops:
        row = []
        for dt in dtypes:
            e = by_cell.get((op, dt))
            if e is None:
                row.append("")
                used.add("")
                continue
            text, listed = cell_of(e)
            row.append(text)
            used.add(text)
            if listed:
                why = reason_text(e["skip_reason"], info["plugin"], op, dt)
                reasons.setdefault(why, []).append((op, dt, text == "part"))
        rows.append(row)

    s = info["summary"]
    who = info["plugin"] + (" " + info["plugin_version"] if info["plugin_version"] else "")
    dev = f"`{info['device']}`" + (f" ({info['description']})" if info["description"] else "")
    out = [
        f"Plugin **{who}** on {dev}, {info['mode']} run, seed {info['seed']}: "
        f"{s['passed']} passed, {s['failed']} failed, {s['skipped']} skipped, "
        f"{s['expected_failures']} expected failures.",
        "",
    ]
    header = ["op"] + dtypes
    table = [[op] + row for op, row in zip(ops, rows)]
    widths = [max([len(h)] + [len(r[i]) for r in table]) for i, h in enumerate(header)]

    def line(cells):
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths)) + " |"

    out.append(line(header))
    out.append("| " + " | ".join("-" * w for w in widths) + " |")
    out += [line(r) for r in table]

    legend = [f"`{k}`: {v}" for k, v in LEGEND if k in ("pass", "declined", "FAIL", "xfail",
                                                         NOT_IN_SPEC) or k in used]
    if "" in used:
        legend.append("blank: not in the report")
    tool = "mlb-conformance" + (" " + info["tool_version"] if info["tool_version"] else "")
    out += ["", "Legend: " + "; ".join(legend) + ". Generated by `conformance/coverage_matrix.py`"
            f" from the {tool} JSON report.", "", "Why declined:", ""]
    if not reasons:
        out.append("- nothing was declined.")
    for why, cells in reasons.items():
        n = len(cells)
        out.append(f"- {code_span(why)} ({n} {'cell' if n == 1 else 'cells'}): "
                   + cell_list(cells))
    return "\n".join(out) + "\n"


def update(path, block):
    try:
        with open(path, encoding="utf-8", newline="") as f:
            lines = f.read().splitlines(keepends=True)
    except OSError as e:
        raise InputError(f"cannot read {path}: {e.strerror or e}") from None
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8 text") from None
    begins = [i for i, l in enumerate(lines) if l.strip() == BEGIN]
    ends = [i for i, l in enumerate(lines) if l.strip() == END]
    if len(begins) != 1 or len(ends) != 1:
        problems = []
        for marker, found in ((BEGIN, begins), (END, ends)):
            if not found:
                problems.append(f"no line {marker}")
            elif len(found) > 1:
                problems.append(f"{marker} {len(found)} times (lines "
                                + ", ".join(str(i + 1) for i in found) + ")")
        raise InputError(f"{path}: needs each marker line exactly once: " + "; ".join(problems))
    b, e = begins[0], ends[0]
    if e < b:
        raise InputError(f"{path}: {END} (line {e + 1}) comes before {BEGIN} (line {b + 1})")
    text = "".join(lines[:b + 1]) + "\n" + block + "\n" + "".join(lines[e:])
    old = "".join(lines)
    if text == old:
        return False
    directory = os.path.dirname(os.path.abspath(path))
    try:
        fd, tmp = tempfile.mkstemp(prefix=".coverage_matrix.", dir=directory)
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
                f.write(text)
            os.chmod(tmp, os.stat(path).st_mode & 0o7777)
            os.replace(tmp, path)
        except BaseException:
            os.unlink(tmp)
            raise
    except OSError as err:
        raise InputError(f"cannot write {path}: {err.strerror or err}") from None
    return True


def main(argv):
    ap = argparse.ArgumentParser(
        prog="coverage_matrix.py",
        description="Markdown coverage matrix (op x dtype) from an mlb-conformance JSON report.")
    ap.add_argument("report", help="the JSON report (--report FILE of mlb-conformance), - for stdin")
    ap.add_argument("--update", metavar="FILE",
                    help=f"replace the lines between {BEGIN} and {END} in FILE instead of "
                         "printing")
    args = ap.parse_args(argv)
    try:
        name, report = load(args.report)
        block = render(*parse(name, report))
        if args.update:
            changed = update(args.update, block)
            print(f"{args.update}: coverage matrix " + ("updated" if changed else "unchanged"))
        else:
            # UTF-8 (the middle dot) whatever the locale.
            sys.stdout.buffer.write(block.encode("utf-8"))
            sys.stdout.flush()
    except InputError as e:
        print(f"coverage_matrix.py: {e}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # Output cut short by a pipe (| head): quietly, like other tools.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
