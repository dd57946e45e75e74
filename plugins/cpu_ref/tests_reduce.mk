# plugins/cpu_ref/tests_reduce.mk - tests of reduce.c, softmax.c, norm.c, gather.c
check_PROGRAMS += plugins/cpu_ref/reduce_test plugins/cpu_ref/softmax_norm_test \
	plugins/cpu_ref/gather_test
TESTS += plugins/cpu_ref/reduce_test plugins/cpu_ref/softmax_norm_test \
	plugins/cpu_ref/gather_test

plugins_cpu_ref_reduce_test_SOURCES = plugins/cpu_ref/reduce_test.c \
	plugins/cpu_ref/reduce_test_util.h
plugins_cpu_ref_reduce_test_CPPFLAGS = $(CPUREF_TEST_CPPFLAGS)
plugins_cpu_ref_reduce_test_LDADD = plugins/cpu_ref/libcpuref_ops.la -lm

plugins_cpu_ref_softmax_norm_test_SOURCES = plugins/cpu_ref/softmax_norm_test.c \
	plugins/cpu_ref/reduce_test_util.h
plugins_cpu_ref_softmax_norm_test_CPPFLAGS = $(CPUREF_TEST_CPPFLAGS)
plugins_cpu_ref_softmax_norm_test_LDADD = plugins/cpu_ref/libcpuref_ops.la -lm

plugins_cpu_ref_gather_test_SOURCES = plugins/cpu_ref/gather_test.c \
	plugins/cpu_ref/reduce_test_util.h
plugins_cpu_ref_gather_test_CPPFLAGS = $(CPUREF_TEST_CPPFLAGS)
plugins_cpu_ref_gather_test_LDADD = plugins/cpu_ref/libcpuref_ops.la -lm
