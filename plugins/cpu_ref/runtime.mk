# plugins/cpu_ref/runtime.mk - the host runtime's sources (shared with plugins/onednn) and its tests
cpuref_runtime_sources = \
	plugins/cpu_ref/cpu_ref.h \
	plugins/cpu_ref/plugin.c \
	plugins/cpu_ref/error.c \
	plugins/cpu_ref/device.c \
	plugins/cpu_ref/buffer.c \
	plugins/cpu_ref/stream.c \
	plugins/cpu_ref/event.c \
	plugins/cpu_ref/kernel.c \
	plugins/cpu_ref/backend.h
# The runtime as a convenience library for the plugins built on it; each plugin links it with
# its own backend.c, which defines the cpuref_the_backend the runtime refers to.
noinst_LTLIBRARIES += plugins/cpu_ref/libcpuref_runtime.la
plugins_cpu_ref_libcpuref_runtime_la_SOURCES = $(cpuref_runtime_sources)
# What makes the runtime cpu_ref.
cpuref_backend_sources = plugins/cpu_ref/backend.c
plugins_cpu_ref_mlb_cpu_ref_la_SOURCES += $(cpuref_backend_sources)

# The runtime through the built plugin's table (dlopen, no loader).
check_PROGRAMS += plugins/cpu_ref/runtime_test
plugins_cpu_ref_runtime_test_SOURCES = plugins/cpu_ref/runtime_test.c plugins/cpu_ref/runtime_test.h
plugins_cpu_ref_runtime_test_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests
plugins_cpu_ref_runtime_test_LDADD = $(PTHREAD_LIBS) -ldl
TESTS += plugins/cpu_ref/runtime_test

# The runtime linked with a stand-in op registry whose ops fail on request: sticky errors,
# first failure wins, kernels destroyed with launches queued, without any real op family.
check_PROGRAMS += plugins/cpu_ref/runtime_failure_test
plugins_cpu_ref_runtime_failure_test_SOURCES = plugins/cpu_ref/runtime_failure_test.c \
	plugins/cpu_ref/runtime_test.h plugins/cpu_ref/test_ops.h plugins/cpu_ref/test_ops.c \
	plugins/cpu_ref/dtype.c \
	$(cpuref_runtime_sources) $(cpuref_backend_sources)
plugins_cpu_ref_runtime_failure_test_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests
plugins_cpu_ref_runtime_failure_test_LDADD = $(PTHREAD_LIBS)
TESTS += plugins/cpu_ref/runtime_failure_test

# The same scenarios on the runtime's inline path (run_when_idle, the onednn plugin's mode),
# plus a test of the path itself.
check_PROGRAMS += plugins/cpu_ref/runtime_inline_test
plugins_cpu_ref_runtime_inline_test_SOURCES = plugins/cpu_ref/runtime_failure_test.c \
	plugins/cpu_ref/runtime_test.h plugins/cpu_ref/test_ops.h plugins/cpu_ref/test_ops.c \
	plugins/cpu_ref/dtype.c plugins/cpu_ref/test_backend_inline.c \
	$(cpuref_runtime_sources)
plugins_cpu_ref_runtime_inline_test_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests \
	-DRUNTIME_TEST_INLINE
plugins_cpu_ref_runtime_inline_test_LDADD = $(PTHREAD_LIBS)
TESTS += plugins/cpu_ref/runtime_inline_test
