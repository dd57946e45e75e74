// report.cc - statuses, coverage matrix, expectations, closing counts and the JSON report.
#include "config.h"

#include "report.h"

#include <cmath>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <vector>

#include "casegen.h"
#include "harness.h"
#include "mlb.h"

namespace mlbc {
namespace report {

namespace {

struct OpEntry {
    uint64_t cases = 0, passed = 0, failed = 0, skipped = 0, expected = 0;
    double max_abs = 0, max_rel = 0, nmse = 0;
    std::string first_failure, skip_reason;
};

struct ApiEntry {
    std::string test, status, message;
};

struct Expectation {
    std::string reason;
    int line = 0;
};

struct State {
    std::map<std::string, std::pair<int32_t, int32_t>> case_of; // "Suite.Name" -> op, dtype
    std::map<std::pair<int32_t, int32_t>, OpEntry> ops;
    std::vector<ApiEntry> api;
    std::set<std::string> expected_tests;
    std::map<std::pair<int32_t, int32_t>, Expectation> expectations;
    Summary sum;
};

State &state() {
    static State s;
    return s;
}

std::string full_name(const testing::TestInfo &t) {
    return std::string(t.test_suite_name()) + "." + t.name();
}

// The messages of a test's failed or skipped parts, on one line.
std::string messages(const testing::TestResult &r, bool skips) {
    std::string out;
    for (int i = 0; i < r.total_part_count(); ++i) {
        const testing::TestPartResult &p = r.GetTestPartResult(i);
        if (p.skipped() != skips || (!skips && !p.failed())) {
            continue;
        }
        std::string m = p.message();
        if (m.compare(0, 7, "Failed\n") == 0) {
            m.erase(0, 7);
        }
        for (char &ch : m) {
            if (ch == '\n') {
                ch = ' ';
            }
        }
        out += (out.empty() ? "" : " | ") + m;
    }
    return out.size() > 600 ? out.substr(0, 600) + "..." : out;
}

std::string json_string(const std::string &s) {
    std::string o = "\"";
    for (unsigned char ch : s) {
        switch (ch) {
        case '"':
            o += "\\\"";
            break;
        case '\\':
            o += "\\\\";
            break;
        case '\n':
            o += "\\n";
            break;
        case '\t':
            o += "\\t";
            break;
        default:
            if (ch < 0x20) {
                char buf[8];
                std::snprintf(buf, sizeof buf, "\\u%04x", ch);
                o += buf;
            } else {
                o += static_cast<char>(ch);
            }
        }
    }
    return o + "\"";
}

std::string json_number(double v) {
    if (!std::isfinite(v)) {
        return "null";
    }
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.6g", v);
    return buf;
}

const char *entry_status(const OpEntry &e) {
    if (e.failed) {
        return "failed";
    }
    if (e.expected) {
        return "expected_failure";
    }
    if (e.passed) {
        return "passed";
    }
    return "skipped";
}

std::string version_text(uint32_t v) {
    return std::to_string(MLB_VERSION_MAJOR(v)) + "." + std::to_string(MLB_VERSION_MINOR(v));
}

} // namespace

void register_case(const std::string &suite, const std::string &name, int32_t op, int32_t dtype) {
    state().case_of[suite + "." + name] = {op, dtype};
    state().ops[{op, dtype}].cases++;
}

void record_figures(int32_t op, int32_t dtype, const Comparison &c) {
    OpEntry &e = state().ops[{op, dtype}];
    e.max_abs = std::fmax(e.max_abs, c.max_abs_err);
    e.max_rel = std::fmax(e.max_rel, c.max_rel_err);
    e.nmse = std::fmax(e.nmse, c.nmse);
}

void record_failure(int32_t op, int32_t dtype, const std::string &line) {
    OpEntry &e = state().ops[{op, dtype}];
    if (e.first_failure.empty()) {
        e.first_failure = line;
    }
}

void mark_expected_failure(const testing::TestInfo &test) {
    state().expected_tests.insert(full_name(test));
}

void on_test_end(const testing::TestInfo &test) {
    State &s = state();
    const std::string name = full_name(test);
    const testing::TestResult &r = *test.result();
    const bool expected = s.expected_tests.count(name) != 0;
    const char *status = r.Failed() ? "failed" : r.Skipped() ? "skipped" : "passed";
    if (expected && !r.Failed()) {
        s.sum.expected_failures++;
    } else if (r.Failed()) {
        s.sum.failed++;
    } else if (r.Skipped()) {
        s.sum.skipped++;
    } else {
        s.sum.passed++;
    }
    auto it = s.case_of.find(name);
    if (it == s.case_of.end()) {
        s.api.push_back({name, status, messages(r, r.Skipped())});
        return;
    }
    OpEntry &e = s.ops[it->second];
    if (expected && !r.Failed()) {
        e.expected++;
    } else if (r.Failed()) {
        e.failed++;
        if (e.first_failure.empty()) {
            e.first_failure = test.name() + std::string(": ") + messages(r, false);
        }
    } else if (r.Skipped()) {
        e.skipped++;
        if (e.skip_reason.empty()) {
            e.skip_reason = messages(r, true);
        }
    } else {
        e.passed++;
    }
}

Summary summary() {
    return state().sum;
}

bool load_expectations(const std::string &path, std::string *error) {
    std::ifstream in(path);
    if (!in) {
        *error = "cannot read expectations file " + path;
        return false;
    }
    std::string line;
    int n = 0;
    while (std::getline(in, line)) {
        ++n;
        const size_t hash = line.find('#');
        if (hash != std::string::npos) {
            line.erase(hash);
        }
        std::istringstream words(line);
        std::string op, dtype, reason, w;
        if (!(words >> op)) {
            continue;
        }
        words >> dtype;
        while (words >> w) {
            reason += (reason.empty() ? "" : " ") + w;
        }
        const int32_t o = mlb_op_from_name(op.c_str());
        const int32_t d = mlb_dtype_from_name(dtype.c_str());
        if (o == MLB_OP_NONE || d == MLB_DTYPE_INVALID || reason.empty()) {
            *error = path + ":" + std::to_string(n) +
                     ": expected 'op dtype reason...' with a known op and dtype";
            return false;
        }
        state().expectations[{o, d}] = {reason, n};
    }
    return true;
}

const std::string *expected_failure(int32_t op, int32_t dtype) {
    auto it = state().expectations.find({op, dtype});
    return it == state().expectations.end() ? nullptr : &it->second.reason;
}

std::vector<std::string> stale_expectations() {
    std::vector<std::string> out;
    for (const auto &x : state().expectations) {
        const OpEntry &e = state().ops[x.first];
        if (e.expected == 0 && e.failed == 0 && e.passed > 0) {
            out.push_back("stale expectation (line " + std::to_string(x.second.line) + "): " +
                          mlb_op_name(x.first.first) + " " + mlb_dtype_name(x.first.second) +
                          ": all " + std::to_string(e.passed) + " run cases passed");
        }
    }
    return out;
}

void print_matrix(FILE *out) {
    std::fprintf(out, "%-12s", "op");
    for (size_t d = 0; d < mlbc_v1_dtype_count; ++d) {
        std::fprintf(out, " %5s", mlbc_dtype_name(mlbc_v1_dtypes[d]));
    }
    std::fprintf(out, "\n");
    for (size_t o = 0; o < mlbc_v1_op_count; ++o) {
        const int32_t op = mlbc_v1_ops[o];
        std::fprintf(out, "%-12s", mlb_op_name(op));
        for (size_t d = 0; d < mlbc_v1_dtype_count; ++d) {
            const OpEntry &e = state().ops[{op, mlbc_v1_dtypes[d]}];
            const uint64_t ran = e.passed + e.failed + e.skipped + e.expected;
            const char *cell = ran == 0                                    ? "."
                               : e.failed                                  ? "FAIL"
                               : e.expected                                ? "xfail"
                               : e.passed && e.skipped                     ? "part"
                               : e.passed                                  ? "ok"
                               : mlbc_dtype_in_spec(op, mlbc_v1_dtypes[d]) ? "skip"
                                                                           : "-";
            std::fprintf(out, " %5s", cell);
        }
        std::fprintf(out, "\n");
    }
    std::fprintf(out, "(ok: all run cases passed; part: some passed, some skipped; FAIL: a "
                      "case failed; xfail: expected failure; skip: declined; -: outside the "
                      "op's dtypes and declined; .: not run)\n");
}

bool write_json(const std::string &path, std::string *error) {
    const Target &t = target();
    const Summary &s = state().sum;
    std::ostringstream j;
    j << "{\n  \"tool\": \"mlb-conformance\",\n  \"version\": " << json_string(PACKAGE_VERSION)
      << ",\n  \"loader_abi\": " << json_string(version_text(mlb_loader_abi_version()))
      << ",\n  \"plugin\": {\"name\": " << json_string(t.plugin_name)
      << ", \"path\": " << json_string(t.plugin_path)
      << ", \"version\": " << json_string(t.plugin_version) << ", \"abi\": "
      << json_string(t.plugin_abi_version ? version_text(t.plugin_abi_version) : "")
      << "},\n  \"reference\": " << json_string(t.reference_path)
      << ",\n  \"device\": {\"name\": " << json_string(t.device_name)
      << ", \"description\": " << json_string(t.device_description) << "},\n  \"mode\": \""
      << (t.full ? "full" : "quick") << "\",\n  \"seed\": " << t.seed
      << ",\n  \"summary\": {\"passed\": " << s.passed << ", \"failed\": " << s.failed
      << ", \"skipped\": " << s.skipped << ", \"expected_failures\": " << s.expected_failures
      << "},\n  \"ops\": [";
    bool first = true;
    for (size_t o = 0; o < mlbc_v1_op_count; ++o) {
        for (size_t d = 0; d < mlbc_v1_dtype_count; ++d) {
            const int32_t op = mlbc_v1_ops[o], dt = mlbc_v1_dtypes[d];
            const OpEntry &e = state().ops[{op, dt}];
            j << (first ? "\n" : ",\n") << "    {\"op\": \"" << mlb_op_name(op)
              << "\", \"dtype\": \"" << mlb_dtype_name(dt)
              << "\", \"in_spec\": " << (mlbc_dtype_in_spec(op, dt) ? "true" : "false")
              << ", \"status\": \"" << entry_status(e) << "\", \"cases\": " << e.cases
              << ", \"passed\": " << e.passed << ", \"failed\": " << e.failed
              << ", \"skipped\": " << e.skipped << ", \"expected_failures\": " << e.expected
              << ", \"max_abs_err\": " << json_number(e.max_abs)
              << ", \"max_rel_err\": " << json_number(e.max_rel)
              << ", \"nmse\": " << json_number(e.nmse)
              << ", \"first_failure\": " << json_string(e.first_failure)
              << ", \"skip_reason\": " << json_string(e.skip_reason) << "}";
            first = false;
        }
    }
    j << "\n  ],\n  \"api\": [";
    first = true;
    for (const ApiEntry &a : state().api) {
        j << (first ? "\n" : ",\n") << "    {\"test\": " << json_string(a.test)
          << ", \"status\": \"" << a.status << "\", \"message\": " << json_string(a.message) << "}";
        first = false;
    }
    j << "\n  ]\n}\n";
    std::ofstream out(path);
    out << j.str();
    out.close();
    if (!out) {
        *error = "cannot write report " + path;
        return false;
    }
    return true;
}

} // namespace report
} // namespace mlbc
