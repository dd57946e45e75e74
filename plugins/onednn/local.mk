# plugins/onednn/local.mk - the oneDNN plugin (built when configure finds oneDNN): the host
# runtime shared with cpu_ref (plugins/cpu_ref/backend.h) with kernels from the oneDNN kernel
# layer below, and the kernel layer's own test.

# Kernels: oneDNN primitives behind onednn_kernels.h. Consumers also link
# plugins/cpu_ref/libcpuref_ops.la (descriptor checks) and $(ONEDNN_LIBS).
noinst_LTLIBRARIES += plugins/onednn/libonednn_kernels.la
plugins_onednn_libonednn_kernels_la_SOURCES = \
	plugins/onednn/onednn_kernels.h \
	plugins/onednn/onednn_impl.h \
	plugins/onednn/engine.c \
	plugins/onednn/md.c \
	plugins/onednn/plan.c \
	plugins/onednn/guard.c \
	plugins/onednn/dispatch.c \
	plugins/onednn/eltwise.c \
	plugins/onednn/binary.c \
	plugins/onednn/reorder.c \
	plugins/onednn/matmul.c \
	plugins/onednn/conv2d.c \
	plugins/onednn/pool2d.c \
	plugins/onednn/softmax.c \
	plugins/onednn/layer_norm.c \
	plugins/onednn/reduction.c
plugins_onednn_libonednn_kernels_la_CPPFLAGS = $(AM_CPPFLAGS) $(ONEDNN_CPPFLAGS) \
	-I$(top_srcdir)/plugins/cpu_ref
plugins_onednn_libonednn_kernels_la_CFLAGS = $(AM_CFLAGS) $(OPENMP_CFLAGS)
plugins_onednn_libonednn_kernels_la_LIBADD = $(ONEDNN_LIBS) $(PTHREAD_LIBS) -lm
EXTRA_DIST += plugins/onednn/README.md

# The plugin: the runtime, its oneDNN backend, the kernel layer, cpu_ref's checks.
plugin_LTLIBRARIES += plugins/onednn/mlb_onednn.la
plugins_onednn_mlb_onednn_la_SOURCES = plugins/onednn/backend.c
plugins_onednn_mlb_onednn_la_CPPFLAGS = $(AM_CPPFLAGS) $(ONEDNN_CPPFLAGS) \
	-I$(top_srcdir)/plugins/cpu_ref
# -z nodelete: launches run on the caller's thread (run_when_idle), so oneDNN's OpenMP team
# belongs to the caller's threads and outlives the plugin; dlclose must not unmap libdnnl and
# libgomp under those sleeping threads.
plugins_onednn_mlb_onednn_la_LDFLAGS = $(MLB_PLUGIN_LINK) -Wl,-z,nodelete
plugins_onednn_mlb_onednn_la_LIBADD = plugins/cpu_ref/libcpuref_runtime.la \
	plugins/onednn/libonednn_kernels.la plugins/cpu_ref/libcpuref_ops.la \
	$(ONEDNN_LIBS) $(PTHREAD_LIBS) -lm

# Each kernel's plan logged at debug, through mlb-run.
TESTS += plugins/onednn/onednn_plan_log_test.sh
EXTRA_DIST += plugins/onednn/onednn_plan_log_test.sh

# Every accepted op x dtype against cpu_ref's own op functions; declines and their reasons.
check_PROGRAMS += plugins/onednn/onednn_kernels_test
TESTS += plugins/onednn/onednn_kernels_test
plugins_onednn_onednn_kernels_test_SOURCES = plugins/onednn/onednn_kernels_test.c
plugins_onednn_onednn_kernels_test_CPPFLAGS = $(AM_CPPFLAGS) $(ONEDNN_CPPFLAGS) \
	-I$(top_srcdir)/plugins/cpu_ref -I$(top_srcdir)/tests
plugins_onednn_onednn_kernels_test_CFLAGS = $(AM_CFLAGS) $(OPENMP_CFLAGS)
plugins_onednn_onednn_kernels_test_LDFLAGS = $(OPENMP_CFLAGS)
plugins_onednn_onednn_kernels_test_LDADD = plugins/onednn/libonednn_kernels.la \
	plugins/cpu_ref/libcpuref_ops.la $(ONEDNN_LIBS) $(PTHREAD_LIBS) -lm

if HAVE_GTEST
# make onednn-coverage: mlb-conformance --full on the plugin, then the coverage block of
# plugins/onednn/README.md rewritten from its JSON report (conformance/coverage_matrix.py).
# Fails, leaving the README as it was, when a case fails.
ONEDNN_COVERAGE_REPORT = conformance/results/mlb_onednn_full.json
onednn-coverage: conformance/mlb-conformance plugins/onednn/mlb_onednn.la \
		plugins/cpu_ref/mlb_cpu_ref.la
	@$(MKDIR_P) conformance/results
	./conformance/mlb-conformance --full --plugin plugins/onednn/.libs/mlb_onednn.so \
		--reference plugins/cpu_ref/.libs/mlb_cpu_ref.so --report $(ONEDNN_COVERAGE_REPORT) \
		>conformance/results/mlb_onednn_full.log 2>&1; \
		st=$$?; tail -n 1 conformance/results/mlb_onednn_full.log; exit $$st
	python3 $(srcdir)/conformance/coverage_matrix.py --update $(srcdir)/plugins/onednn/README.md \
		$(ONEDNN_COVERAGE_REPORT)
.PHONY: onednn-coverage
endif
