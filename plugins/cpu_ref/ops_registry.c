/* ops_registry.c - which op ids cpu_ref implements, and with which family. */
#include <stdarg.h>
#include <stdio.h>

#include "ops.h"

#define UNARY(id)                                                                                  \
    { id, 0, 0, cpuref_unary_check, cpuref_unary_run }
#define BINARY(id)                                                                                 \
    { id, 0, 0, cpuref_binary_check, cpuref_binary_run }
/* The attribute struct's full size and its smallest acceptable struct_size. */
#define ATTRS(type, last) sizeof(type), MLB_STRUCT_SIZE(type, last)
#define REDUCE(id)                                                                                 \
    { id, ATTRS(mlb_reduce_attrs, keepdims), cpuref_reduce_check, cpuref_reduce_run }

static const cpuref_op cpuref_ops[] = {
    UNARY(MLB_OP_NEG),
    UNARY(MLB_OP_ABS),
    UNARY(MLB_OP_EXP),
    UNARY(MLB_OP_LOG),
    UNARY(MLB_OP_SQRT),
    UNARY(MLB_OP_RSQRT),
    UNARY(MLB_OP_TANH),
    UNARY(MLB_OP_SIGMOID),
    UNARY(MLB_OP_RELU),
    UNARY(MLB_OP_GELU),
    UNARY(MLB_OP_GELU_TANH),
    UNARY(MLB_OP_SILU),
    BINARY(MLB_OP_ADD),
    BINARY(MLB_OP_SUB),
    BINARY(MLB_OP_MUL),
    BINARY(MLB_OP_DIV),
    BINARY(MLB_OP_MAXIMUM),
    BINARY(MLB_OP_MINIMUM),
    BINARY(MLB_OP_POW),
    {MLB_OP_CAST, 0, 0, cpuref_cast_check, cpuref_cast_run},
    {MLB_OP_COPY, 0, 0, cpuref_copy_check, cpuref_copy_run},
    {MLB_OP_FILL, ATTRS(mlb_fill_attrs, int_value), cpuref_fill_check, cpuref_fill_run},
    {MLB_OP_MATMUL, ATTRS(mlb_matmul_attrs, epilogue), cpuref_matmul_check, cpuref_matmul_run},
    {MLB_OP_CONV2D, ATTRS(mlb_conv2d_attrs, epilogue), cpuref_conv2d_check, cpuref_conv2d_run},
    {MLB_OP_POOL2D, ATTRS(mlb_pool2d_attrs, count_include_pad), cpuref_pool2d_check,
     cpuref_pool2d_run},
    {MLB_OP_SOFTMAX, ATTRS(mlb_axis_attrs, axis), cpuref_softmax_check, cpuref_softmax_run},
    {MLB_OP_LOG_SOFTMAX, ATTRS(mlb_axis_attrs, axis), cpuref_softmax_check, cpuref_softmax_run},
    {MLB_OP_LAYER_NORM, ATTRS(mlb_norm_attrs, epsilon), cpuref_norm_check, cpuref_norm_run},
    {MLB_OP_RMS_NORM, ATTRS(mlb_norm_attrs, epsilon), cpuref_norm_check, cpuref_norm_run},
    REDUCE(MLB_OP_REDUCE_SUM),
    REDUCE(MLB_OP_REDUCE_MEAN),
    REDUCE(MLB_OP_REDUCE_MAX),
    REDUCE(MLB_OP_REDUCE_MIN),
    REDUCE(MLB_OP_REDUCE_PROD),
    {MLB_OP_GATHER, ATTRS(mlb_axis_attrs, axis), cpuref_gather_check, cpuref_gather_run},
};

const cpuref_op *cpuref_find_op(int32_t op) {
    for (size_t i = 0; i < sizeof(cpuref_ops) / sizeof(cpuref_ops[0]); ++i) {
        if (cpuref_ops[i].op == op) {
            return &cpuref_ops[i];
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
