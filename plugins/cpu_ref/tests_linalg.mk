# plugins/cpu_ref/tests_linalg.mk - tests of matmul, conv2d, pool2d

check_PROGRAMS += plugins/cpu_ref/matmul_test plugins/cpu_ref/conv2d_test plugins/cpu_ref/pool2d_test
TESTS += plugins/cpu_ref/matmul_test plugins/cpu_ref/conv2d_test plugins/cpu_ref/pool2d_test

plugins_cpu_ref_matmul_test_SOURCES = plugins/cpu_ref/matmul_test.c plugins/cpu_ref/linalg_test.h
plugins_cpu_ref_matmul_test_CPPFLAGS = $(CPUREF_TEST_CPPFLAGS)
plugins_cpu_ref_matmul_test_LDADD = plugins/cpu_ref/libcpuref_ops.la -lm

plugins_cpu_ref_conv2d_test_SOURCES = plugins/cpu_ref/conv2d_test.c plugins/cpu_ref/linalg_test.h
plugins_cpu_ref_conv2d_test_CPPFLAGS = $(CPUREF_TEST_CPPFLAGS)
plugins_cpu_ref_conv2d_test_LDADD = plugins/cpu_ref/libcpuref_ops.la -lm

plugins_cpu_ref_pool2d_test_SOURCES = plugins/cpu_ref/pool2d_test.c plugins/cpu_ref/linalg_test.h
plugins_cpu_ref_pool2d_test_CPPFLAGS = $(CPUREF_TEST_CPPFLAGS)
plugins_cpu_ref_pool2d_test_LDADD = plugins/cpu_ref/libcpuref_ops.la -lm
