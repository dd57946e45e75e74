/* test_ops.h - the stand-in op of runtime_failure_test (see test_ops.c). */
#ifndef CPUREF_TEST_OPS_H
#define CPUREF_TEST_OPS_H

#include <stdint.h>

#include "ml_backend.h"

#define TEST_OP_SET (MLB_OP_VENDOR_FIRST + 1)

/* Attributes of TEST_OP_SET: fill the u8 output with `value`, or fail with `fail_status`. */
typedef struct test_set_attrs {
    size_t struct_size; /* sizeof(test_set_attrs) */
    int32_t value;
    int32_t fail_status; /* MLB_OK = do not fail */
} test_set_attrs;

#endif /* CPUREF_TEST_OPS_H */
