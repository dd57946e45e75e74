/*
 * run_shapes.c - the output shape of every v1 op from its inputs and
 * attributes (docs/ops.md), with one-line errors for inputs that do not fit
 * the op, and the accumulation length that widens the comparison tolerance
 * (as conformance/casegen_ops.c sets it for the conformance cases).
 */
#include "mlb_run.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int failv(char *err, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, RUN_ERR_LEN, fmt, ap);
    va_end(ap);
    return -1;
}

static int is_unary(int32_t op) {
    return op >= MLB_OP_NEG && op <= MLB_OP_SILU;
}
static int is_binary(int32_t op) {
    return op >= MLB_OP_ADD && op <= MLB_OP_POW;
}
static int is_reduce(int32_t op) {
    return op >= MLB_OP_REDUCE_SUM && op <= MLB_OP_REDUCE_PROD;
}

/* ---- output shapes -------------------------------------------------------------------------- */

static int broadcast(const mlb_tensor_desc *a, const mlb_tensor_desc *b, int skip, int64_t *out,
                     int32_t *rank, char *err) {
    const int32_t ra = a->rank - skip, rb = b->rank - skip;
    const int32_t r = ra > rb ? ra : rb;
    for (int32_t k = 0; k < r; ++k) {
        const int32_t ia = ra - r + k, ib = rb - r + k;
        const int64_t ea = ia >= 0 ? a->shape[ia] : 1, eb = ib >= 0 ? b->shape[ib] : 1;
        if (ea != eb && ea != 1 && eb != 1) {
            char sa[200], sb[200];
            run_dims_text(a->shape, a->rank, sa, sizeof sa);
            run_dims_text(b->shape, b->rank, sb, sizeof sb);
            return failv(err, "%s: shapes %s and %s do not broadcast (axis %d: %lld vs %lld)",
                         skip ? "matmul batch axes" : "broadcast", sa, sb, (int)k, (long long)ea,
                         (long long)eb);
        }
        out[k] = ea == 1 ? eb : ea;
    }
    *rank = r;
    return 0;
}

static int norm_axis(int32_t axis, int32_t rank, const char *op, char *err) {
    if (rank < 1 || axis < -rank || axis >= rank) {
        return failv(err, "%s: axis %d is outside [-%d, %d) for the input's rank", op, (int)axis,
                     (int)rank, (int)rank);
    }
    return axis < 0 ? axis + rank : axis;
}

static int same_shape(const mlb_tensor_desc *t, const int64_t *shape, int32_t rank) {
    if (t->rank != rank) {
        return 0;
    }
    for (int32_t k = 0; k < rank; ++k) {
        if (t->shape[k] != shape[k]) {
            return 0;
        }
    }
    return 1;
}

/* The output shape of the op, and accum_len. @return 0 or -1 with err. */
int run_infer_output(mlbc_case *c, int64_t *out, int32_t *rank, char *err) {
    const int32_t op = c->op;
    const char *name = mlb_op_name(op);
    const mlb_tensor_desc *x = &c->in[0];
    char s1[200], s2[200];
    if (is_unary(op) || op == MLB_OP_CAST || op == MLB_OP_COPY || op == MLB_OP_SOFTMAX ||
        op == MLB_OP_LOG_SOFTMAX || op == MLB_OP_LAYER_NORM || op == MLB_OP_RMS_NORM) {
        *rank = x->rank;
        memcpy(out, x->shape, sizeof x->shape);
    }
    if (is_binary(op)) {
        return broadcast(&c->in[0], &c->in[1], 0, out, rank, err);
    }
    if (op == MLB_OP_SOFTMAX || op == MLB_OP_LOG_SOFTMAX) {
        const int ax = norm_axis(c->attrs.axis.axis, x->rank, name, err);
        if (ax < 0) {
            return -1;
        }
        c->accum_len = (uint64_t)(x->shape[ax] > 0 ? x->shape[ax] : 1);
    } else if (op == MLB_OP_LAYER_NORM || op == MLB_OP_RMS_NORM) {
        const int ax = norm_axis(c->attrs.norm.axis, x->rank, name, err);
        if (ax < 0) {
            return -1;
        }
        c->accum_len = 1;
        for (int32_t k = ax; k < x->rank; ++k) {
            c->accum_len *= (uint64_t)(x->shape[k] > 0 ? x->shape[k] : 1);
        }
        for (uint32_t i = 1; i < c->desc.num_inputs; ++i) {
            if (!same_shape(&c->in[i], x->shape + ax, x->rank - ax)) {
                run_dims_text(c->in[i].shape, c->in[i].rank, s1, sizeof s1);
                run_dims_text(x->shape + ax, x->rank - ax, s2, sizeof s2);
                return failv(err, "%s: %s has shape %s, it must be x.shape[axis:] = %s", name,
                             i == 1 && c->attrs.norm.has_weight ? "weight" : "bias", s1, s2);
            }
        }
    } else if (op == MLB_OP_MATMUL) {
        const mlb_tensor_desc *a = &c->in[0], *b = &c->in[1];
        if (a->rank < 2 || b->rank < 2) {
            return failv(err, "matmul: a and b need rank >= 2 (got %d and %d)", (int)a->rank,
                         (int)b->rank);
        }
        const int64_t M = a->shape[a->rank - 2], K = a->shape[a->rank - 1];
        const int64_t K2 = b->shape[b->rank - 2], N = b->shape[b->rank - 1];
        if (K != K2) {
            return failv(err, "matmul: K of a (%lld) != K of b (%lld)", (long long)K,
                         (long long)K2);
        }
        if (broadcast(a, b, 2, out, rank, err) != 0) {
            return -1;
        }
        out[(*rank)++] = M;
        out[(*rank)++] = N;
        if (c->attrs.matmul.epilogue.has_bias && !same_shape(&c->in[2], &N, 1)) {
            run_dims_text(c->in[2].shape, c->in[2].rank, s1, sizeof s1);
            return failv(err, "matmul: bias has shape %s, it must be [N] = [%lld]", s1,
                         (long long)N);
        }
        c->accum_len = (uint64_t)(K > 0 ? K : 1) + (uint64_t)c->attrs.matmul.epilogue.has_bias;
    } else if (op == MLB_OP_CONV2D || op == MLB_OP_POOL2D) {
        const int conv = op == MLB_OP_CONV2D;
        const int32_t layout = conv ? c->attrs.conv2d.layout : c->attrs.pool2d.layout;
        const int64_t *stride = conv ? c->attrs.conv2d.stride : c->attrs.pool2d.stride;
        const int64_t *pad = conv ? c->attrs.conv2d.padding : c->attrs.pool2d.padding;
        if (x->rank != 4) {
            return failv(err, "%s: x needs rank 4 (%s), got %d", name,
                         layout == MLB_LAYOUT_NHWC ? "NHWC" : "NCHW", (int)x->rank);
        }
        const int nhwc = layout == MLB_LAYOUT_NHWC;
        const int64_t N = x->shape[0], C = x->shape[nhwc ? 3 : 1];
        const int64_t H = x->shape[nhwc ? 1 : 2], W = x->shape[nhwc ? 2 : 3];
        int64_t kh, kw, dh = 1, dw = 1, oc = C;
        if (conv) {
            const mlb_tensor_desc *w = &c->in[1];
            const int32_t g = c->attrs.conv2d.groups;
            if (w->rank != 4) {
                return failv(err, "conv2d: w needs rank 4 [OC, C/groups, KH, KW], got %d",
                             (int)w->rank);
            }
            oc = w->shape[0], kh = w->shape[2], kw = w->shape[3];
            dh = c->attrs.conv2d.dilation[0], dw = c->attrs.conv2d.dilation[1];
            if (g < 1 || C % g != 0 || oc % g != 0 || w->shape[1] * g != C) {
                return failv(err,
                             "conv2d: groups %d must divide C (%lld) and OC (%lld), and w's "
                             "axis 1 (%lld) must be C/groups",
                             (int)g, (long long)C, (long long)oc, (long long)w->shape[1]);
            }
            if (c->attrs.conv2d.epilogue.has_bias && !same_shape(&c->in[2], &oc, 1)) {
                run_dims_text(c->in[2].shape, c->in[2].rank, s1, sizeof s1);
                return failv(err, "conv2d: bias has shape %s, it must be [OC] = [%lld]", s1,
                             (long long)oc);
            }
            c->accum_len = (uint64_t)(C / g) * (uint64_t)kh * (uint64_t)kw +
                           (uint64_t)c->attrs.conv2d.epilogue.has_bias;
        } else {
            kh = c->attrs.pool2d.kernel[0], kw = c->attrs.pool2d.kernel[1];
            c->accum_len = c->attrs.pool2d.mode == MLB_POOL_AVG ? (uint64_t)kh * (uint64_t)kw : 1;
        }
        if (stride[0] < 1 || stride[1] < 1 || dh < 1 || dw < 1 || kh < 1 || kw < 1) {
            return failv(err, "%s: kernel, stride and dilation must be >= 1", name);
        }
        for (int k = 0; k < 4; ++k) {
            if (pad[k] < 0 || pad[k] > INT64_MAX / 4) {
                return failv(err, "%s: padding must be >= 0", name);
            }
        }
        if (kh > INT64_MAX / dh || kw > INT64_MAX / dw) {
            return failv(err, "%s: kernel x dilation overflows", name);
        }
        const int64_t nh = H + pad[0] + pad[1] - dh * (kh - 1) - 1;
        const int64_t nw = W + pad[2] + pad[3] - dw * (kw - 1) - 1;
        if (nh < 0 || nw < 0) {
            return failv(err,
                         "%s: the padded input (%lld x %lld) is smaller than the %skernel "
                         "(%lld x %lld)",
                         name, (long long)(H + pad[0] + pad[1]), (long long)(W + pad[2] + pad[3]),
                         conv ? "dilated " : "", (long long)(dh * (kh - 1) + 1),
                         (long long)(dw * (kw - 1) + 1));
        }
        const int64_t oh = nh / stride[0] + 1, ow = nw / stride[1] + 1;
        *rank = 4;
        out[0] = N;
        out[nhwc ? 3 : 1] = oc;
        out[nhwc ? 1 : 2] = oh;
        out[nhwc ? 2 : 3] = ow;
    } else if (is_reduce(op)) {
        const uint32_t axes = c->attrs.reduce.axes;
        if (x->rank < 32 && (axes >> x->rank) != 0) {
            return failv(err, "%s: axes_mask 0x%x names axes beyond rank %d", name, (unsigned)axes,
                         (int)x->rank);
        }
        *rank = 0;
        c->accum_len = 1;
        for (int32_t k = 0; k < x->rank; ++k) {
            if (axes & (1u << k)) {
                c->accum_len *= (uint64_t)(x->shape[k] > 0 ? x->shape[k] : 1);
                if (c->attrs.reduce.keepdims) {
                    out[(*rank)++] = 1;
                }
            } else {
                out[(*rank)++] = x->shape[k];
            }
        }
    } else if (op == MLB_OP_GATHER) {
        const mlb_tensor_desc *idx = &c->in[1];
        const int ax = norm_axis(c->attrs.axis.axis, x->rank, name, err);
        if (ax < 0) {
            return -1;
        }
        if (idx->dtype != MLB_DTYPE_I32 && idx->dtype != MLB_DTYPE_I64) {
            return failv(err, "gather: indices must be i32 or i64, not %s",
                         mlbc_dtype_name(idx->dtype));
        }
        if (x->rank - 1 + idx->rank > MLB_MAX_RANK) {
            return failv(err, "gather: the output's rank %d exceeds %d",
                         (int)(x->rank - 1 + idx->rank), MLB_MAX_RANK);
        }
        *rank = 0;
        for (int32_t k = 0; k < ax; ++k) {
            out[(*rank)++] = x->shape[k];
        }
        for (int32_t k = 0; k < idx->rank; ++k) {
            out[(*rank)++] = idx->shape[k];
        }
        for (int32_t k = ax + 1; k < x->rank; ++k) {
            out[(*rank)++] = x->shape[k];
        }
    }
    return 0;
}
