/*
 * info_ops.c - canonical op descriptors (see info_ops.h for the shapes).
 */
#include "config.h"

#include "info_ops.h"
#include "mlb.h"

#include <string.h>

#define INFO_LIST_ENTRY(v) v,
const int32_t mlb_info_ops[] = {MLB_OP_LIST_1_0(INFO_LIST_ENTRY)};
const unsigned mlb_info_op_count = sizeof mlb_info_ops / sizeof mlb_info_ops[0];

const int32_t mlb_info_dtypes[] = {MLB_DTYPE_LIST_1_0(INFO_LIST_ENTRY)};
#undef INFO_LIST_ENTRY
const unsigned mlb_info_dtype_count = sizeof mlb_info_dtypes / sizeof mlb_info_dtypes[0];

/* Sets tensor `slot` to a contiguous tensor. */
static void tensor(mlb_info_op_case *c, unsigned slot, int32_t dtype, int32_t rank, int64_t d0,
                   int64_t d1, int64_t d2, int64_t d3) {
    const int64_t shape[4] = {d0, d1, d2, d3};
    mlb_tensor_desc_contiguous(&c->tensors[slot], dtype, rank, shape);
}

static void io(mlb_info_op_case *c, unsigned nin) {
    c->desc.num_inputs = nin;
    c->desc.num_outputs = 1;
    for (unsigned i = 0; i < nin; ++i)
        c->inputs[i] = &c->tensors[i];
    c->outputs[0] = &c->tensors[nin];
}

int mlb_info_op_case_build(mlb_info_op_case *c, int32_t op, int32_t dtype) {
    memset(c, 0, sizeof *c);
    c->desc.struct_size = MLB_STRUCT_SIZE(mlb_op_desc, attrs);
    c->desc.op = op;
    c->desc.inputs = c->inputs;
    c->desc.outputs = c->outputs;
    if (op >= MLB_OP_NEG && op <= MLB_OP_SILU) {
        tensor(c, 0, dtype, 2, 2, 3, 0, 0);
        tensor(c, 1, dtype, 2, 2, 3, 0, 0);
        io(c, 1);
    } else if (op >= MLB_OP_ADD && op <= MLB_OP_POW) {
        tensor(c, 0, dtype, 2, 2, 3, 0, 0);
        tensor(c, 1, dtype, 2, 2, 3, 0, 0);
        tensor(c, 2, dtype, 2, 2, 3, 0, 0);
        io(c, 2);
    } else if (op == MLB_OP_CAST || op == MLB_OP_COPY) {
        tensor(c, 0, dtype, 2, 2, 3, 0, 0);
        tensor(c, 1, op == MLB_OP_CAST ? MLB_DTYPE_F32 : dtype, 2, 2, 3, 0, 0);
        io(c, 1);
    } else if (op == MLB_OP_FILL) {
        tensor(c, 0, dtype, 2, 2, 3, 0, 0);
        io(c, 0);
        c->attrs.fill.struct_size = MLB_STRUCT_SIZE(mlb_fill_attrs, int_value);
        c->attrs.fill.float_value = 1.0;
        c->attrs.fill.int_value = 1;
    } else if (op == MLB_OP_MATMUL) {
        tensor(c, 0, dtype, 2, 2, 3, 0, 0);
        tensor(c, 1, dtype, 2, 3, 4, 0, 0);
        tensor(c, 2, dtype, 2, 2, 4, 0, 0);
        io(c, 2);
        c->attrs.matmul.struct_size = MLB_STRUCT_SIZE(mlb_matmul_attrs, epilogue);
    } else if (op == MLB_OP_CONV2D) {
        tensor(c, 0, dtype, 4, 1, 2, 5, 5);
        tensor(c, 1, dtype, 4, 3, 2, 3, 3);
        tensor(c, 2, dtype, 4, 1, 3, 3, 3);
        io(c, 2);
        mlb_conv2d_attrs *a = &c->attrs.conv2d;
        a->struct_size = MLB_STRUCT_SIZE(mlb_conv2d_attrs, epilogue);
        a->layout = MLB_LAYOUT_NCHW;
        a->groups = 1;
        a->stride[0] = a->stride[1] = 1;
        a->dilation[0] = a->dilation[1] = 1;
    } else if (op == MLB_OP_POOL2D) {
        tensor(c, 0, dtype, 4, 1, 2, 4, 4);
        tensor(c, 1, dtype, 4, 1, 2, 2, 2);
        io(c, 1);
        mlb_pool2d_attrs *a = &c->attrs.pool2d;
        a->struct_size = MLB_STRUCT_SIZE(mlb_pool2d_attrs, count_include_pad);
        a->mode = MLB_POOL_MAX;
        a->layout = MLB_LAYOUT_NCHW;
        a->kernel[0] = a->kernel[1] = 2;
        a->stride[0] = a->stride[1] = 2;
    } else if (op == MLB_OP_SOFTMAX || op == MLB_OP_LOG_SOFTMAX) {
        tensor(c, 0, dtype, 2, 2, 3, 0, 0);
        tensor(c, 1, dtype, 2, 2, 3, 0, 0);
        io(c, 1);
        c->attrs.axis.struct_size = MLB_STRUCT_SIZE(mlb_axis_attrs, axis);
        c->attrs.axis.axis = -1;
    } else if (op == MLB_OP_LAYER_NORM || op == MLB_OP_RMS_NORM) {
        tensor(c, 0, dtype, 2, 2, 3, 0, 0);
        tensor(c, 1, dtype, 2, 2, 3, 0, 0);
        io(c, 1);
        c->attrs.norm.struct_size = MLB_STRUCT_SIZE(mlb_norm_attrs, epsilon);
        c->attrs.norm.axis = -1;
        c->attrs.norm.epsilon = 1e-5;
    } else if (op >= MLB_OP_REDUCE_SUM && op <= MLB_OP_REDUCE_PROD) {
        tensor(c, 0, dtype, 2, 2, 3, 0, 0);
        tensor(c, 1, dtype, 1, 3, 0, 0, 0);
        io(c, 1);
        c->attrs.reduce.struct_size = MLB_STRUCT_SIZE(mlb_reduce_attrs, keepdims);
        c->attrs.reduce.axes = 1u;
    } else if (op == MLB_OP_GATHER) {
        tensor(c, 0, dtype, 2, 4, 3, 0, 0);
        tensor(c, 1, MLB_DTYPE_I64, 1, 2, 0, 0, 0);
        tensor(c, 2, dtype, 2, 2, 3, 0, 0);
        io(c, 2);
        c->attrs.axis.struct_size = MLB_STRUCT_SIZE(mlb_axis_attrs, axis);
        c->attrs.axis.axis = 0;
    } else {
        return -1;
    }
    if (c->attrs.struct_size)
        c->desc.attrs = &c->attrs;
    return 0;
}
