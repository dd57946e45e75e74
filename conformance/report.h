// report.h - results of a run: every test's status (op cases and API tests),
// the op x dtype coverage matrix with error figures, the expectations file,
// the closing counts, and the JSON report (schema in docs/conformance.md).
#ifndef MLBC_REPORT_H
#define MLBC_REPORT_H

#include <cstdint>
#include <cstdio>
#include <string>

#include <gtest/gtest.h>

#include "compare.h"

namespace mlbc {
namespace report {

// Registration: test `suite.name` is an op case of op x dtype.
void register_case(const std::string &suite, const std::string &name, int32_t op, int32_t dtype);

// From an op case's body: the figures of one comparison (none for skipped cases).
void record_figures(int32_t op, int32_t dtype, const Comparison &c);
// From an op case's body: the case failed (or failed as expected) with this one-line summary.
void record_failure(int32_t op, int32_t dtype, const std::string &line);
// From an op case's body: the current test failed but its op x dtype is in the expectations
// file; the body then skips it, and the run counts it as an expected failure.
void mark_expected_failure(const testing::TestInfo &test);

// From the listener: the final status of every test.
void on_test_end(const testing::TestInfo &test);

struct Summary {
    uint64_t passed = 0, failed = 0, skipped = 0, expected_failures = 0;
};
Summary summary();

// Expectations file: lines "op dtype reason...", '#' comments. Returns false with a message.
bool load_expectations(const std::string &path, std::string *error);
// The reason when op x dtype is expected to fail; nullptr otherwise.
const std::string *expected_failure(int32_t op, int32_t dtype);
// Expectations none of whose cases failed while at least one passed; one line each.
std::vector<std::string> stale_expectations();

// The coverage matrix (op rows, dtype columns), for humans.
void print_matrix(FILE *out);

// Writes the JSON report; false with a message on I/O errors.
bool write_json(const std::string &path, std::string *error);

} // namespace report
} // namespace mlbc

#endif // MLBC_REPORT_H
