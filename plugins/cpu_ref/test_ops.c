/*
 * test_ops.c - a stand-in op registry for runtime_failure_test: one
 * vendor-private op, "test_set", that fills a u8 output with a value or fails
 * with a chosen status, so the runtime's failure paths can be tested without
 * any real op family. Not part of the plugin.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ops.h"
#include "test_ops.h"

static mlb_status test_set_check(const mlb_op_desc *desc, char *why, size_t why_len) {
    const test_set_attrs *a = desc->attrs;
    if (desc->num_inputs != 0 || desc->num_outputs != 1) {
        return cpuref_fail(MLB_ERROR_INVALID_ARGUMENT, why, why_len,
                           "test_set: wants 0 inputs and 1 output");
    }
    if (desc->outputs[0]->dtype != MLB_DTYPE_U8 || desc->outputs[0]->rank != 1) {
        return cpuref_fail(MLB_ERROR_UNSUPPORTED, why, why_len, "test_set: output must be 1-d u8");
    }
    if (a->value < 0 || a->value > 255) {
        return cpuref_fail(MLB_ERROR_INVALID_ARGUMENT, why, why_len,
                           "test_set: value %d outside [0, 255]", a->value);
    }
    return MLB_OK;
}

static mlb_status test_set_run(const mlb_op_desc *desc, uint8_t *const *in, uint8_t *const *out,
                               char *why, size_t why_len) {
    (void)in;
    const test_set_attrs *a = desc->attrs;
    const mlb_tensor_desc *t = desc->outputs[0];
    if (a->fail_status != MLB_OK) {
        return cpuref_fail(a->fail_status, why, why_len, "test_set: failing on request (value %d)",
                           a->value);
    }
    for (int64_t i = 0; i < t->shape[0]; ++i) {
        out[0][t->byte_offset + (uint64_t)(i * t->strides[0])] = (uint8_t)a->value;
    }
    return MLB_OK;
}

static const cpuref_op test_ops[] = {
    {TEST_OP_SET, sizeof(test_set_attrs), MLB_STRUCT_SIZE(test_set_attrs, fail_status),
     test_set_check, test_set_run},
};

const cpuref_op *cpuref_find_op(int32_t op) {
    for (size_t i = 0; i < sizeof(test_ops) / sizeof(test_ops[0]); ++i) {
        if (test_ops[i].op == op) {
            return &test_ops[i];
        }
    }
    return NULL;
}

mlb_status cpuref_fail(mlb_status status, char *why, size_t why_len, const char *fmt, ...) {
    if (why && why_len) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(why, why_len, fmt, ap);
        va_end(ap);
    }
    return status;
}
