# conformance/core.mk - runner, generators, comparison, report, op tests
conformance_mlb_conformance_SOURCES += \
	conformance/main.cc \
	conformance/harness.cc \
	conformance/casegen.h \
	conformance/casegen_impl.h \
	conformance/casegen.c \
	conformance/casegen_ops.c \
	conformance/compare.h \
	conformance/compare.cc \
	conformance/report.h \
	conformance/report.cc \
	conformance/op_runner.h \
	conformance/op_runner.cc \
	conformance/op_test.h \
	conformance/op_test.cc

# make check: the quick run on every plugin built here (exit 4, no device, is a SKIP).
TESTS += conformance/run_conformance.sh
dist_noinst_SCRIPTS += conformance/run_conformance.sh
CLEANFILES += conformance/results/*.json conformance/results/*.xml conformance/results/*.log

# make check: the Markdown coverage matrix generator on a fixture report (no python3: SKIP).
TESTS += conformance/coverage_matrix_test.sh
dist_noinst_SCRIPTS += conformance/coverage_matrix.py conformance/coverage_matrix_test.sh
# dist_ (not EXTRA_DIST, which is conditional here): the tarball has them without gtest too.
dist_noinst_DATA = conformance/testdata/coverage_report.json \
	conformance/testdata/coverage_matrix.md conformance/testdata/coverage_readme.md
