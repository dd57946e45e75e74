/* op_util.c - descriptor checks shared by the op families (see op_util.h). */
#include <stdio.h>

#include "dtype.h"
#include "op_util.h"

const char *cpuref_op_name(int32_t op) {
    switch (op) {
#define NAME(id, text)                                                                             \
    case id:                                                                                       \
        return text;
        NAME(MLB_OP_NEG, "neg")
        NAME(MLB_OP_ABS, "abs")
        NAME(MLB_OP_EXP, "exp")
        NAME(MLB_OP_LOG, "log")
        NAME(MLB_OP_SQRT, "sqrt")
        NAME(MLB_OP_RSQRT, "rsqrt")
        NAME(MLB_OP_TANH, "tanh") NAME(MLB_OP_SIGMOID, "sigmoid") NAME(MLB_OP_RELU, "relu") NAME(
            MLB_OP_GELU, "gelu") NAME(MLB_OP_GELU_TANH, "gelu_tanh") NAME(MLB_OP_SILU, "silu")
            NAME(MLB_OP_ADD, "add") NAME(MLB_OP_SUB, "sub") NAME(MLB_OP_MUL, "mul") NAME(
                MLB_OP_DIV, "div") NAME(MLB_OP_MAXIMUM, "maximum") NAME(MLB_OP_MINIMUM, "minimum")
                NAME(MLB_OP_POW, "pow") NAME(MLB_OP_CAST, "cast") NAME(MLB_OP_COPY, "copy")
                    NAME(MLB_OP_FILL, "fill") NAME(MLB_OP_MATMUL, "matmul")
                        NAME(MLB_OP_CONV2D, "conv2d") NAME(MLB_OP_POOL2D, "pool2d")
                            NAME(MLB_OP_SOFTMAX, "softmax") NAME(MLB_OP_LOG_SOFTMAX, "log_softmax")
                                NAME(MLB_OP_LAYER_NORM, "layer_norm")
                                    NAME(MLB_OP_RMS_NORM, "rms_norm")
                                        NAME(MLB_OP_REDUCE_SUM, "reduce_sum")
                                            NAME(MLB_OP_REDUCE_MEAN, "reduce_mean")
                                                NAME(MLB_OP_REDUCE_MAX, "reduce_max")
                                                    NAME(MLB_OP_REDUCE_MIN, "reduce_min")
                                                        NAME(MLB_OP_REDUCE_PROD, "reduce_prod")
                                                            NAME(MLB_OP_GATHER, "gather")
#undef NAME
                                                                default : return "op";
    }
}

mlb_status cpuref_check_counts(const mlb_op_desc *desc, uint32_t nin, uint32_t nout, char *why,
                               size_t why_len) {
    if (desc->num_inputs != nin || desc->num_outputs != nout) {
        return cpuref_fail(MLB_ERROR_INVALID_ARGUMENT, why, why_len,
                           "%s: takes %u input(s) and %u output(s), got %u and %u",
                           cpuref_op_name(desc->op), nin, nout, desc->num_inputs,
                           desc->num_outputs);
    }
    return MLB_OK;
}

mlb_status cpuref_check_dtype(const mlb_op_desc *desc, int32_t dtype, uint32_t allowed, char *why,
                              size_t why_len) {
    if (dtype < 0 || dtype >= 32 || !(allowed & CPUREF_DT(dtype))) {
        return cpuref_fail(MLB_ERROR_UNSUPPORTED, why, why_len, "%s: dtype %s is not supported",
                           cpuref_op_name(desc->op), cpuref_dtype_name(dtype));
    }
    return MLB_OK;
}

mlb_status cpuref_check_same_dtype(const mlb_op_desc *desc, char *why, size_t why_len) {
    const int32_t dtype = desc->num_inputs ? desc->inputs[0]->dtype : desc->outputs[0]->dtype;
    for (uint32_t i = 0; i < desc->num_inputs; ++i) {
        if (desc->inputs[i]->dtype != dtype) {
            return cpuref_fail(MLB_ERROR_INVALID_ARGUMENT, why, why_len,
                               "%s: input %u is %s, expected %s", cpuref_op_name(desc->op), i,
                               cpuref_dtype_name(desc->inputs[i]->dtype), cpuref_dtype_name(dtype));
        }
    }
    for (uint32_t i = 0; i < desc->num_outputs; ++i) {
        if (desc->outputs[i]->dtype != dtype) {
            return cpuref_fail(MLB_ERROR_INVALID_ARGUMENT, why, why_len,
                               "%s: output %u is %s, expected %s", cpuref_op_name(desc->op), i,
                               cpuref_dtype_name(desc->outputs[i]->dtype),
                               cpuref_dtype_name(dtype));
        }
    }
    return MLB_OK;
}

mlb_status cpuref_check_same_shape(const mlb_op_desc *desc, const mlb_tensor_desc *a,
                                   const mlb_tensor_desc *b, const char *what, char *why,
                                   size_t why_len) {
    int same = a->rank == b->rank;
    for (int32_t k = 0; same && k < a->rank; ++k) {
        same = a->shape[k] == b->shape[k];
    }
    if (!same) {
        return cpuref_fail(MLB_ERROR_INVALID_ARGUMENT, why, why_len, "%s: %s shapes differ",
                           cpuref_op_name(desc->op), what);
    }
    return MLB_OK;
}

mlb_status cpuref_normalize_axis(const mlb_op_desc *desc, int32_t axis, int32_t rank, int32_t *out,
                                 char *why, size_t why_len) {
    if (axis < -rank || axis >= rank) {
        return cpuref_fail(MLB_ERROR_INVALID_ARGUMENT, why, why_len,
                           "%s: axis %d is outside [-%d, %d)", cpuref_op_name(desc->op), axis, rank,
                           rank);
    }
    *out = axis < 0 ? axis + rank : axis;
    return MLB_OK;
}

mlb_status cpuref_check_attrs(const mlb_op_desc *desc, size_t needed, char *why, size_t why_len) {
    const size_t *size = (const size_t *)desc->attrs;
    if (!size || *size < needed) {
        return cpuref_fail(MLB_ERROR_INVALID_ARGUMENT, why, why_len,
                           "%s: attributes missing or struct_size %zu < %zu",
                           cpuref_op_name(desc->op), size ? *size : (size_t)0, needed);
    }
    return MLB_OK;
}

mlb_status cpuref_check_output_strides(const mlb_op_desc *desc, const mlb_tensor_desc *out,
                                       char *why, size_t why_len) {
    for (int32_t k = 0; k < out->rank; ++k) {
        if (out->shape[k] > 1 && out->strides[k] == 0) {
            return cpuref_fail(MLB_ERROR_INVALID_ARGUMENT, why, why_len,
                               "%s: output has stride 0 on axis %d of extent %lld",
                               cpuref_op_name(desc->op), k, (long long)out->shape[k]);
        }
    }
    return MLB_OK;
}

mlb_status cpuref_check_shape_is(const mlb_op_desc *desc, const char *what,
                                 const mlb_tensor_desc *t, int32_t rank, const int64_t *shape,
                                 char *why, size_t why_len) {
    if (t->rank != rank) {
        return cpuref_fail(MLB_ERROR_INVALID_ARGUMENT, why, why_len,
                           "%s: %s has rank %d, expected %d", cpuref_op_name(desc->op), what,
                           t->rank, rank);
    }
    for (int32_t k = 0; k < rank; ++k) {
        if (t->shape[k] != shape[k]) {
            return cpuref_fail(MLB_ERROR_INVALID_ARGUMENT, why, why_len,
                               "%s: %s axis %d has extent %lld, expected %lld",
                               cpuref_op_name(desc->op), what, k, (long long)t->shape[k],
                               (long long)shape[k]);
        }
    }
    return MLB_OK;
}

cpuref_layout_axes cpuref_layout_axes_of(int32_t layout) {
    const cpuref_layout_axes nchw = {1, 2, 3}, nhwc = {3, 1, 2};
    return layout == MLB_LAYOUT_NHWC ? nhwc : nchw;
}

mlb_status cpuref_window_extent(const mlb_op_desc *desc, const char *axis, const char *window,
                                int64_t in, int64_t pad0, int64_t pad1, int64_t k, int64_t dilation,
                                int64_t stride, int64_t *out, char *why, size_t why_len) {
    const char *name = cpuref_op_name(desc->op);
    int64_t padded, span;
    if (__builtin_add_overflow(in, pad0, &padded) ||
        __builtin_add_overflow(padded, pad1, &padded)) {
        return cpuref_fail(MLB_ERROR_INVALID_ARGUMENT, why, why_len,
                           "%s: padded %s overflows int64", name, axis);
    }
    if (__builtin_mul_overflow(dilation, k - 1, &span) || __builtin_add_overflow(span, 1, &span)) {
        return cpuref_fail(MLB_ERROR_INVALID_ARGUMENT, why, why_len, "%s: %s %s overflows int64",
                           name, window, axis);
    }
    if (padded < span) {
        return cpuref_fail(MLB_ERROR_INVALID_ARGUMENT, why, why_len,
                           "%s: padded input %s (%lld) < %s %s (%lld)", name, axis,
                           (long long)padded, window, axis, (long long)span);
    }
    *out = (padded - span) / stride + 1;
    return MLB_OK;
}

const char *cpuref_dims_text(const int64_t *dims, int32_t rank, const char *sep, char *buf,
                             size_t len) {
    size_t n = (size_t)snprintf(buf, len, "[");
    for (int32_t k = 0; k < rank && n < len; ++k) {
        n += (size_t)snprintf(buf + n, len - n, "%s%lld", k ? sep : "", (long long)dims[k]);
    }
    if (n < len) {
        snprintf(buf + n, len - n, "]");
    }
    return buf;
}
