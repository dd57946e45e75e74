# tools/local.mk - mlb-run (one op on one device, .npy in and out) and its .npy reader/writer.
bin_PROGRAMS += tools/mlb-run
tools_mlb_run_SOURCES = \
	tools/mlb_run.h \
	tools/mlb_run.c \
	tools/run_attrs.c \
	tools/run_case.c \
	tools/run_shapes.c \
	tools/run_io.c \
	tools/run_device.c \
	tools/run_compare.c \
	tools/npy.h \
	tools/npy.c \
	conformance/casegen.h \
	conformance/casegen_impl.h \
	conformance/casegen.c \
	conformance/casegen_ops.c
# The conformance case generator is compiled in (C99, shared with mlb-conformance).
tools_mlb_run_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/conformance
tools_mlb_run_LDADD = loader/libmlb.la -lm

# The strict .npy layer: round trips, every malformed-header class, a mutation fuzz loop.
check_PROGRAMS += tools/npy_test
tools_npy_test_SOURCES = tools/npy_test.c tools/npy.h tools/npy.c

# mlb-run end to end (numpy parts skip without /usr/bin/python3 + numpy); the libFuzzer
# target tools/npy_fuzz.c, built and run briefly only where clang -fsanitize=fuzzer works.
TESTS += tools/npy_test tools/mlb_run_test.sh tools/npy_fuzz_test.sh
EXTRA_DIST += tools/mlb_run_test.sh tools/npy_fuzz_test.sh tools/npy_fuzz.c
CLEANFILES += tools/npy-fuzz
