# plugins/cpu_ref/tests_elementwise.mk - tests of elementwise.c and convert.c

check_PROGRAMS += plugins/cpu_ref/elementwise_test plugins/cpu_ref/convert_test
TESTS += plugins/cpu_ref/elementwise_test plugins/cpu_ref/convert_test

plugins_cpu_ref_elementwise_test_SOURCES = plugins/cpu_ref/elementwise_test.c \
	plugins/cpu_ref/elementwise_test_util.h
plugins_cpu_ref_elementwise_test_CPPFLAGS = $(CPUREF_TEST_CPPFLAGS)
plugins_cpu_ref_elementwise_test_LDADD = plugins/cpu_ref/libcpuref_ops.la -lm

plugins_cpu_ref_convert_test_SOURCES = plugins/cpu_ref/convert_test.c \
	plugins/cpu_ref/elementwise_test_util.h
plugins_cpu_ref_convert_test_CPPFLAGS = $(CPUREF_TEST_CPPFLAGS)
plugins_cpu_ref_convert_test_LDADD = plugins/cpu_ref/libcpuref_ops.la -lm
