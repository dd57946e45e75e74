# plugins/cpu_ref/local.mk - the reference plugin (the oracle every plugin is judged against).

# Op families: pure functions over host memory (see ops.h), shared by the plugin and its tests.
noinst_LTLIBRARIES += plugins/cpu_ref/libcpuref_ops.la
plugins_cpu_ref_libcpuref_ops_la_SOURCES = \
	plugins/cpu_ref/ops.h \
	plugins/cpu_ref/ops_registry.c \
	plugins/cpu_ref/op_util.h \
	plugins/cpu_ref/op_util.c \
	plugins/cpu_ref/dtype.h \
	plugins/cpu_ref/dtype.c \
	plugins/cpu_ref/tensor.h \
	plugins/cpu_ref/activation.h \
	plugins/cpu_ref/activation.c \
	plugins/cpu_ref/elementwise.c \
	plugins/cpu_ref/convert.c \
	plugins/cpu_ref/matmul.c \
	plugins/cpu_ref/conv2d.c \
	plugins/cpu_ref/pool2d.c \
	plugins/cpu_ref/softmax.c \
	plugins/cpu_ref/norm.c \
	plugins/cpu_ref/reduce.c \
	plugins/cpu_ref/gather.c
plugins_cpu_ref_libcpuref_ops_la_LIBADD = -lm
# The oracle sums in double in a fixed order: no FMA contraction may change a result.
plugins_cpu_ref_libcpuref_ops_la_CFLAGS = $(AM_CFLAGS) -ffp-contract=off

plugin_LTLIBRARIES += plugins/cpu_ref/mlb_cpu_ref.la
plugins_cpu_ref_mlb_cpu_ref_la_LDFLAGS = $(MLB_PLUGIN_LINK)
plugins_cpu_ref_mlb_cpu_ref_la_LIBADD = plugins/cpu_ref/libcpuref_runtime.la \
	plugins/cpu_ref/libcpuref_ops.la $(PTHREAD_LIBS) -lm
plugins_cpu_ref_mlb_cpu_ref_la_SOURCES =
EXTRA_DIST += plugins/cpu_ref/README.md

# Shared by the op tests: link plugins/cpu_ref/libcpuref_ops.la and include tests/check.h.
CPUREF_TEST_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/plugins/cpu_ref -I$(top_srcdir)/tests

# The runtime: entry point, device, buffers, streams, events, kernels.
include plugins/cpu_ref/runtime.mk
# Op tests with hand-computed expectations, one fragment per group of families.
include plugins/cpu_ref/tests_elementwise.mk
include plugins/cpu_ref/tests_reduce.mk
include plugins/cpu_ref/tests_linalg.mk
