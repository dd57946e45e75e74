// op_test.cc - the op cases: one GoogleTest test per op x dtype x family, in
// suites Op_<op>, named <dtype>_<family>. Each builds its case (casegen),
// asks the device under test (a decline is a skip), runs it there and on the
// reference (cpu_ref) through libmlb, checks the guard bytes and compares.
// When the device under test is the reference itself, the case runs twice and
// the two outputs must be bitwise identical.
#include "op_test.h"

#include <sstream>

#include <gtest/gtest.h>

#include "casegen.h"
#include "compare.h"
#include "harness.h"
#include "op_runner.h"
#include "report.h"

namespace mlbc {

namespace {

// Frees the case's images however the test ends.
struct CaseHolder {
    mlbc_case c;
    int rc;
    CaseHolder(int32_t op, int32_t dtype, const std::string &family, uint64_t seed, bool full)
        : rc(mlbc_case_make(&c, op, dtype, family.c_str(), seed, full ? 1 : 0)) {}
    ~CaseHolder() {
        if (rc == 0) {
            mlbc_case_free(&c);
        }
    }
};

std::string seed_text(uint64_t seed) {
    return std::to_string(seed);
}

// The same case as one mlb-run command (docs/mlb-run.md): run alone, compared with cpu_ref.
std::string mlb_run_line(int32_t op, int32_t dtype, const std::string &family) {
    const Target &t = target();
    std::string line = "mlb-run --plugin " + t.plugin_path;
    if (!t.reference_path.empty() && t.reference_path != t.plugin_path) {
        line += " --plugin " + t.reference_path;
    }
    line += " --device " + t.device_name + " --op " + mlb_op_name(op) + " --dtype " +
            mlbc_dtype_name(dtype) + " --family " + family + " --seed " + seed_text(t.seed);
    if (t.full) {
        line += " --full";
    }
    return line + " --compare cpu_ref:0";
}

void run_op_case(int32_t op, int32_t dtype, const std::string &family) {
    const Target &t = target();
    if (!t.device) {
        GTEST_SKIP() << t.skip_reason;
    }
    const std::string test = std::string(mlbc_dtype_name(dtype)) + "_" + family;
    const std::string suite = std::string("Op_") + mlb_op_name(op);
    const std::string repro = "repro: " + t.repro + " --gtest_filter=" + suite + "." + test +
                              "\n       " + mlb_run_line(op, dtype, family);
    const std::string id = std::string(mlb_op_name(op)) + " " + mlbc_dtype_name(dtype) + " " +
                           family + " (seed " + seed_text(t.seed) + ")";
    CaseHolder h(op, dtype, family, t.seed, t.full);
    ASSERT_EQ(h.rc, 0) << id << ": the case generator failed (" << h.rc << ")\n" << repro;
    const mlbc_case &c = h.c;
    const bool in_spec = mlbc_dtype_in_spec(op, dtype) != 0;

    mlb_status st = mlb_op_supported(t.device, &c.desc);
    if (st == MLB_ERROR_UNSUPPORTED) {
        GTEST_SKIP() << "declined: " << mlb_last_error();
    }
    if (st != MLB_OK) {
        if (!in_spec) {
            GTEST_SKIP() << "rejected by " << t.plugin_name << " (" << mlb_status_name(st)
                         << "; dtype outside the op's list): " << mlb_last_error();
        }
        const std::string line = test + ": mlb_op_supported answered " + mlb_status_name(st) +
                                 " for a valid case: " + mlb_last_error();
        report::record_failure(op, dtype, line);
        FAIL() << id << ": mlb_op_supported answered " << mlb_status_name(st)
               << " for a valid descriptor: " << mlb_last_error() << "\n"
               << repro;
    }
    if (!t.device_is_reference) {
        st = mlb_op_supported(t.reference, &c.desc);
        if (st != MLB_OK) {
            if (!in_spec) {
                GTEST_SKIP() << "accepted by " << t.plugin_name
                             << ", but docs/ops.md does not define it and the reference declines "
                                "it: not compared";
            }
            FAIL() << id << ": the reference rejected the case (" << mlb_status_name(st) << ": "
                   << mlb_last_error() << ") - a bug in the suite\n"
                   << repro;
        }
    }

    const PlacedCase pc(c);
    const DeviceRun got = run_case(t.device, pc);
    if (!got.ok) {
        report::record_failure(op, dtype, test + ": " + got.error);
        FAIL() << id << ": accepted, then " << got.error << "\n" << repro;
    }
    const DeviceRun exp = run_case(t.device_is_reference ? t.device : t.reference, pc);
    ASSERT_TRUE(exp.ok) << id << ": the reference failed: " << exp.error << "\n" << repro;

    std::ostringstream problems;
    std::string summary;
    const GuardCheck g =
        check_guards(pc.out, pc.out_before.data(), got.out.data(), got.out.size(), kGuardBytes);
    if (g.changed) {
        problems << "  " << g.describe << "\n";
        summary = "guard bytes: " + g.describe;
    }
    if (t.device_is_reference) {
        const GuardCheck g2 =
            check_guards(pc.out, pc.out_before.data(), exp.out.data(), exp.out.size(), kGuardBytes);
        if (g2.changed && !g.changed) {
            problems << "  second run: " << g2.describe << "\n";
            summary = "guard bytes (second run): " + g2.describe;
        }
    }
    const Tolerance tol = tolerance_for_op(c.op, pc.out.dtype, c.accum_len);
    const Comparison cmp =
        compare_tensor(pc.out, got.out.data(), exp.out.data(), tol, t.device_is_reference);
    report::record_figures(op, dtype, cmp);
    if (!cmp.ok()) {
        problems << "  " << cmp.mismatches << " of " << cmp.elements << " elements "
                 << (t.device_is_reference ? "differ between two runs (not repeatable)"
                                           : "differ from the reference");
        if (!tol.exact) {
            problems << " (atol " << tol.atol << ", rtol " << tol.rtol << ", accumulation length "
                     << c.accum_len << ")";
        }
        problems << "; max abs err " << cmp.max_abs_err << ", max rel err " << cmp.max_rel_err
                 << ", NMSE " << cmp.nmse << "\n";
        for (const std::string &m : cmp.first) {
            problems << "    " << m << "\n";
        }
        if (summary.empty()) {
            summary = std::to_string(cmp.mismatches) + " of " + std::to_string(cmp.elements) +
                      " elements differ; first " + cmp.first.front();
        }
    }
    if (summary.empty()) {
        return;
    }
    report::record_failure(op, dtype, test + ": " + summary);
    if (const std::string *reason = report::expected_failure(op, dtype)) {
        report::mark_expected_failure(*testing::UnitTest::GetInstance()->current_test_info());
        GTEST_SKIP() << "expected failure (" << *reason << "): " << id << ": " << summary;
    }
    ADD_FAILURE() << id << ":\n" << problems.str() << repro;
}

class OpCase : public testing::Test {
  public:
    OpCase(int32_t op, int32_t dtype, std::string family)
        : op_(op), dtype_(dtype), family_(std::move(family)) {}
    void TestBody() override {
        run_op_case(op_, dtype_, family_);
    }

  private:
    int32_t op_, dtype_;
    std::string family_;
};

} // namespace

size_t register_op_tests() {
    size_t n = 0;
    for (size_t o = 0; o < mlbc_v1_op_count; ++o) {
        const int32_t op = mlbc_v1_ops[o];
        const std::string suite = std::string("Op_") + mlb_op_name(op);
        for (size_t d = 0; d < mlbc_v1_dtype_count; ++d) {
            const int32_t dtype = mlbc_v1_dtypes[d];
            const char *families[MLBC_MAX_FAMILIES];
            const size_t count = mlbc_families(op, dtype, families);
            for (size_t f = 0; f < count; ++f) {
                const std::string family = families[f];
                const std::string name = std::string(mlbc_dtype_name(dtype)) + "_" + family;
                report::register_case(suite, name, op, dtype);
                testing::RegisterTest(suite.c_str(), name.c_str(), nullptr, nullptr, __FILE__,
                                      __LINE__, [op, dtype, family]() -> testing::Test * {
                                          return new OpCase(op, dtype, family);
                                      });
                ++n;
            }
        }
    }
    return n;
}

} // namespace mlbc
