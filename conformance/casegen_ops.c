/*
 * casegen_ops.c - the shape and value families of every op (see
 * docs/conformance.md for the table). Each builder reads c->op, c->dtype,
 * c->family and c->full, sets the tensors and attributes, allocates and fills
 * the inputs. Sizes are CG_SZ(c, quick, full).
 */
#include "casegen_impl.h"

#include <math.h>
#include <string.h>

#define SHAPE(...) ((const int64_t[]){__VA_ARGS__})

static cg_dist dist(int kind, double lo, double hi) {
    cg_dist d = {kind, lo, hi};
    return d;
}

/* Finishes a case: links the descriptor, allocates and fills each input with its dist. */
static int finish(mlbc_case *c, uint32_t nin, int has_attrs, const cg_dist *d, cg_rng *r) {
    cg_io(c, nin, has_attrs);
    if (cg_alloc(c) != 0) {
        return -2;
    }
    for (uint32_t i = 0; i < nin; ++i) {
        cg_fill(c, i, d[i], r);
    }
    return 0;
}

/* Integer-valued fills whose products and sums stay exact in the dtype's accumulator. */
static cg_dist exact_ints(int32_t dtype, int wide) {
    if (dtype == MLB_DTYPE_BF16) {
        return dist(CG_INT, -2, 2);
    }
    if (dtype == MLB_DTYPE_F16) {
        return dist(CG_INT, -3, 3);
    }
    return wide ? dist(CG_INT, -4, 4) : dist(CG_INT, -3, 3);
}

/* ---- unary ------------------------------------------------------------------------------- */

static cg_dist unary_dist(int32_t op, int32_t dtype) {
    if (!mlbc_dtype_is_float(dtype)) {
        return dist(CG_FULLINT, 0, 0); /* neg and abs wrap at the extremes */
    }
    switch (op) {
    case MLB_OP_LOG:
    case MLB_OP_SQRT:
    case MLB_OP_RSQRT:
        return dist(CG_GRID, 1.0 / 16, 8); /* positive */
    case MLB_OP_EXP:
        return dist(CG_GRID, -6, 6);
    default:
        return dist(CG_GRID, -5, 5);
    }
}

int cg_unary(mlbc_case *c, cg_rng *r) {
    const int32_t dt = c->dtype;
    const int64_t A = CG_SZ(c, 7, 67), B = CG_SZ(c, 13, 133);
    cg_dist d = unary_dist(c->op, dt);
    if (cg_is(c, "contiguous") || cg_is(c, "inplace") || cg_is(c, "special")) {
        cg_contig(&c->in[0], dt, 2, SHAPE(A, B));
        cg_contig(&c->out[0], dt, 2, SHAPE(A, B));
        if (cg_is(c, "inplace")) {
            c->inplace_input = 0;
        }
        if (cg_is(c, "special")) {
            d.kind = CG_SPECIAL;
        }
    } else if (cg_is(c, "strided")) {
        cg_perm(&c->in[0], dt, 2, SHAPE(A, B), (const int[]){1, 0});
        cg_padded(&c->out[0], dt, 2, SHAPE(A, B), 3);
    } else if (cg_is(c, "broadcast")) {
        cg_contig(&c->in[0], dt, 2, SHAPE(A, B));
        c->in[0].strides[0] = 0; /* every row is the same row */
        c->in[0].byte_offset = 3 * mlbc_dtype_size(dt);
        cg_contig(&c->out[0], dt, 2, SHAPE(A, B));
    } else if (cg_is(c, "empty")) {
        cg_contig(&c->in[0], dt, 3, SHAPE(A, 0, 5));
        cg_contig(&c->out[0], dt, 3, SHAPE(A, 0, 5));
    } else if (cg_is(c, "single")) {
        cg_contig(&c->in[0], dt, 0, NULL);
        cg_contig(&c->out[0], dt, 0, NULL);
    } else if (cg_is(c, "odd")) {
        const int64_t *s = c->full ? SHAPE(3, 17, 31, 29) : SHAPE(3, 5, 7, 11);
        cg_contig(&c->in[0], dt, 4, s);
        cg_contig(&c->out[0], dt, 4, s);
    } else if (cg_is(c, "large")) {
        cg_contig(&c->in[0], dt, 1, SHAPE(CG_SZ(c, 32771, 300007)));
        cg_contig(&c->out[0], dt, 1, SHAPE(CG_SZ(c, 32771, 300007)));
    } else {
        return -1;
    }
    return finish(c, 1, 0, &d, r);
}

/* ---- binary ------------------------------------------------------------------------------ */

static void binary_dists(int32_t op, int32_t dtype, cg_dist d[2]) {
    if (!mlbc_dtype_is_float(dtype)) {
        d[0] = d[1] = dist(CG_FULLINT, 0, 0); /* wrap-around of add, sub, mul */
        return;
    }
    d[0] = d[1] = dist(CG_GRID, -4, 4);
    if (op == MLB_OP_DIV) {
        d[1] = dist(CG_GRID, 0.25, 4); /* no division by zero outside "special" */
    } else if (op == MLB_OP_POW) {
        d[0] = dist(CG_GRID, 1.0 / 16, 4); /* positive bases */
        d[1] = dist(CG_GRID, -3, 3);
    }
}

int cg_binary(mlbc_case *c, cg_rng *r) {
    const int32_t dt = c->dtype;
    const int64_t A = CG_SZ(c, 5, 37), B = CG_SZ(c, 7, 41);
    cg_dist d[2];
    binary_dists(c->op, dt, d);
    mlb_tensor_desc *a = &c->in[0], *b = &c->in[1], *o = &c->out[0];
    if (cg_is(c, "contiguous") || cg_is(c, "inplace") || cg_is(c, "special")) {
        cg_contig(a, dt, 2, SHAPE(A, B));
        cg_contig(b, dt, 2, SHAPE(A, B));
        cg_contig(o, dt, 2, SHAPE(A, B));
        if (cg_is(c, "inplace")) {
            c->inplace_input = 0;
        }
        if (cg_is(c, "special")) {
            d[0].kind = d[1].kind = CG_SPECIAL;
        }
    } else if (cg_is(c, "strided")) {
        cg_perm(a, dt, 2, SHAPE(A, B), (const int[]){1, 0});
        cg_padded(b, dt, 2, SHAPE(A, B), 2);
        b->byte_offset = mlbc_dtype_size(dt);
        cg_padded(o, dt, 2, SHAPE(A, B), 3);
    } else if (cg_is(c, "broadcast")) {
        const int64_t P = CG_SZ(c, 3, 9), Q = CG_SZ(c, 5, 17), R = CG_SZ(c, 7, 33);
        cg_contig(a, dt, 3, SHAPE(P, 1, R));
        cg_contig(b, dt, 2, SHAPE(Q, 1));
        cg_contig(o, dt, 3, SHAPE(P, Q, R));
    } else if (cg_is(c, "scalar")) {
        cg_contig(a, dt, 2, SHAPE(A, B));
        cg_contig(b, dt, 0, NULL);
        cg_contig(o, dt, 2, SHAPE(A, B));
    } else if (cg_is(c, "empty")) {
        cg_contig(a, dt, 2, SHAPE(0, B));
        cg_contig(b, dt, 2, SHAPE(1, B));
        cg_contig(o, dt, 2, SHAPE(0, B));
    } else if (cg_is(c, "single")) {
        cg_contig(a, dt, 0, NULL);
        cg_contig(b, dt, 0, NULL);
        cg_contig(o, dt, 0, NULL);
    } else if (cg_is(c, "odd")) {
        const int64_t *s = c->full ? SHAPE(3, 17, 31, 29) : SHAPE(3, 5, 7, 11);
        cg_contig(a, dt, 4, s);
        cg_contig(b, dt, 4, s);
        b->strides[1] = 0; /* a broadcast written with a stride of 0 */
        cg_contig(o, dt, 4, s);
    } else if (cg_is(c, "large")) {
        const int64_t n = CG_SZ(c, 32771, 300007);
        cg_contig(a, dt, 1, SHAPE(n));
        cg_contig(b, dt, 1, SHAPE(n));
        cg_contig(o, dt, 1, SHAPE(n));
    } else {
        return -1;
    }
    return finish(c, 2, 0, d, r);
}

/* ---- cast, copy, fill -------------------------------------------------------------------- */

static int32_t dtype_by_name(const char *name) {
    for (int32_t dt = 1; dt < MLB_DTYPE_COUNT_1_0; ++dt) {
        if (strcmp(mlbc_dtype_name(dt), name) == 0) {
            return dt;
        }
    }
    return MLB_DTYPE_INVALID;
}

int cg_cast(mlbc_case *c, cg_rng *r) {
    const int32_t dt = c->dtype;
    const int64_t A = CG_SZ(c, 9, 97), B = CG_SZ(c, 31, 301);
    const int32_t other = dt == MLB_DTYPE_F32 ? MLB_DTYPE_F64 : MLB_DTYPE_F32;
    cg_dist d = dist(CG_CAST, 0, 0);
    if (strncmp(c->family, "to_", 3) == 0 || strncmp(c->family, "rounding_", 9) == 0) {
        const int rounding = c->family[0] == 'r';
        const int32_t to = dtype_by_name(c->family + (rounding ? 9 : 3));
        if (to == MLB_DTYPE_INVALID) {
            return -1;
        }
        if (rounding) {
            d = dist(CG_NEAR_TIE, to, 0);
        }
        cg_contig(&c->in[0], dt, 2, SHAPE(A, B));
        cg_contig(&c->out[0], to, 2, SHAPE(A, B));
    } else if (cg_is(c, "strided")) {
        cg_perm(&c->in[0], dt, 2, SHAPE(A, B), (const int[]){1, 0});
        cg_padded(&c->out[0], other, 2, SHAPE(A, B), 2);
    } else if (cg_is(c, "empty")) {
        cg_contig(&c->in[0], dt, 2, SHAPE(0, B));
        cg_contig(&c->out[0], other, 2, SHAPE(0, B));
    } else if (cg_is(c, "single")) {
        cg_contig(&c->in[0], dt, 0, NULL);
        cg_contig(&c->out[0], other, 0, NULL);
    } else if (cg_is(c, "large")) {
        const int32_t to = dt == MLB_DTYPE_F32 ? MLB_DTYPE_F16 : MLB_DTYPE_F32;
        cg_contig(&c->in[0], dt, 1, SHAPE(CG_SZ(c, 32771, 300007)));
        cg_contig(&c->out[0], to, 1, SHAPE(CG_SZ(c, 32771, 300007)));
    } else {
        return -1;
    }
    return finish(c, 1, 0, &d, r);
}

static cg_dist any_values(int32_t dtype) {
    return mlbc_dtype_is_float(dtype) ? dist(CG_SPECIAL, -4, 4)
           : dtype == MLB_DTYPE_BOOL  ? dist(CG_BOOL, 0, 1)
                                      : dist(CG_FULLINT, 0, 0);
}

int cg_copy(mlbc_case *c, cg_rng *r) {
    const int32_t dt = c->dtype;
    const int64_t A = CG_SZ(c, 7, 67), B = CG_SZ(c, 13, 133);
    const size_t es = mlbc_dtype_size(dt);
    mlb_tensor_desc *x = &c->in[0], *o = &c->out[0];
    if (cg_is(c, "contiguous")) {
        cg_contig(x, dt, 2, SHAPE(A, B));
        cg_contig(o, dt, 2, SHAPE(A, B));
    } else if (cg_is(c, "transposed")) {
        const int64_t *s = c->full ? SHAPE(13, 37, 41) : SHAPE(4, 5, 6);
        cg_perm(x, dt, 3, s, (const int[]){2, 0, 1});
        cg_contig(o, dt, 3, s);
    } else if (cg_is(c, "broadcast")) {
        cg_contig(x, dt, 2, SHAPE(A, B));
        x->strides[1] = 0; /* each row repeats one element */
        cg_contig(o, dt, 2, SHAPE(A, B));
    } else if (cg_is(c, "strided_out")) {
        cg_contig(x, dt, 2, SHAPE(A, B));
        cg_padded(o, dt, 2, SHAPE(A, B), 5);
    } else if (cg_is(c, "offset")) {
        cg_padded(x, dt, 3, SHAPE(3, A, B), 1);
        x->byte_offset = 5 * es;
        cg_contig(o, dt, 3, SHAPE(3, A, B));
        o->byte_offset = 3 * es;
    } else if (cg_is(c, "empty")) {
        cg_contig(x, dt, 2, SHAPE(A, 0));
        cg_contig(o, dt, 2, SHAPE(A, 0));
    } else if (cg_is(c, "single")) {
        cg_contig(x, dt, 0, NULL);
        cg_contig(o, dt, 0, NULL);
    } else if (cg_is(c, "large")) {
        cg_contig(x, dt, 1, SHAPE(CG_SZ(c, 32771, 300007)));
        cg_contig(o, dt, 1, SHAPE(CG_SZ(c, 32771, 300007)));
    } else {
        return -1;
    }
    cg_dist d = any_values(dt);
    return finish(c, 1, 0, &d, r);
}

int cg_fill_op(mlbc_case *c, cg_rng *r) {
    const int32_t dt = c->dtype;
    const int64_t A = CG_SZ(c, 7, 67), B = CG_SZ(c, 13, 133);
    mlb_fill_attrs *f = &c->attrs.fill;
    f->struct_size = MLB_STRUCT_SIZE(mlb_fill_attrs, int_value);
    f->float_value = (double)cg_range(r, -64, 64) / 16.0 + 0.03125;
    f->int_value = cg_range(r, -1000, 1000);
    if (cg_is(c, "contiguous") || strncmp(c->family, "value_", 6) == 0) {
        cg_contig(&c->out[0], dt, 2, SHAPE(A, B));
        if (cg_is(c, "value_big")) {
            f->float_value = 1e300; /* beyond every narrower format: +Inf */
            f->int_value = INT64_C(0x123456789ab);
        } else if (cg_is(c, "value_nan")) {
            f->float_value = NAN;
            f->int_value = -1;
        } else if (cg_is(c, "value_tiny")) {
            f->float_value = -1e-41; /* subnormal in f32 and bf16, -0 in f16 */
            f->int_value = -129;
        } else if (!cg_is(c, "contiguous")) {
            return -1;
        }
    } else if (cg_is(c, "strided")) {
        cg_padded(&c->out[0], dt, 3, SHAPE(3, A, B), 4);
    } else if (cg_is(c, "empty")) {
        cg_contig(&c->out[0], dt, 2, SHAPE(0, B));
    } else if (cg_is(c, "single")) {
        cg_contig(&c->out[0], dt, 0, NULL);
    } else if (cg_is(c, "large")) {
        cg_contig(&c->out[0], dt, 1, SHAPE(CG_SZ(c, 32771, 300007)));
    } else {
        return -1;
    }
    return finish(c, 0, 1, NULL, r);
}

/* ---- matmul ------------------------------------------------------------------------------ */

int cg_matmul(mlbc_case *c, cg_rng *r) {
    const int32_t dt = c->dtype;
    int64_t M = CG_SZ(c, 13, 67), K = CG_SZ(c, 17, 131), N = CG_SZ(c, 11, 45);
    mlb_matmul_attrs *at = &c->attrs.matmul;
    at->struct_size = MLB_STRUCT_SIZE(mlb_matmul_attrs, epilogue);
    at->epilogue.activation = MLB_OP_NONE;
    mlb_tensor_desc *a = &c->in[0], *b = &c->in[1], *o = &c->out[0];
    if (cg_is(c, "odd")) {
        M = CG_SZ(c, 67, 127), K = CG_SZ(c, 129, 257), N = CG_SZ(c, 33, 65);
    } else if (cg_is(c, "large")) {
        M = CG_SZ(c, 64, 256), K = CG_SZ(c, 256, 512), N = CG_SZ(c, 48, 192);
    } else if (cg_is(c, "single")) {
        M = K = N = 1;
    } else if (cg_is(c, "k_zero")) {
        K = 0;
    } else if (cg_is(c, "empty")) {
        M = 0;
    }
    /* The common 2-D layout, replaced below by the families that need another. */
    cg_contig(a, dt, 2, SHAPE(M, K));
    cg_contig(b, dt, 2, SHAPE(K, N));
    cg_contig(o, dt, 2, SHAPE(M, N));
    if (cg_is(c, "transposed")) {
        cg_perm(a, dt, 2, SHAPE(M, K), (const int[]){1, 0});
        cg_perm(b, dt, 2, SHAPE(K, N), (const int[]){1, 0});
    } else if (cg_is(c, "batched")) {
        cg_contig(a, dt, 3, SHAPE(3, M, K));
        cg_contig(b, dt, 3, SHAPE(3, K, N));
        cg_contig(o, dt, 3, SHAPE(3, M, N));
    } else if (cg_is(c, "batch_broadcast")) {
        cg_contig(a, dt, 4, SHAPE(2, 1, M, K));
        cg_contig(b, dt, 3, SHAPE(3, K, N));
        cg_contig(o, dt, 4, SHAPE(2, 3, M, N));
    } else if (cg_is(c, "bias") || cg_is(c, "k_zero")) {
        at->epilogue.has_bias = 1;
    } else if (cg_is(c, "bias_relu")) {
        at->epilogue.has_bias = 1;
        at->epilogue.activation = MLB_OP_RELU;
    } else if (cg_is(c, "bias_gelu")) {
        at->epilogue.has_bias = 1;
        at->epilogue.activation = MLB_OP_GELU;
    } else if (cg_is(c, "strided_out")) {
        cg_padded(a, dt, 2, SHAPE(M, K), 3);
        a->byte_offset = 2 * mlbc_dtype_size(dt);
        cg_padded(o, dt, 2, SHAPE(M, N), 5);
    } else if (!cg_is(c, "contiguous") && !cg_is(c, "odd") && !cg_is(c, "large") &&
               !cg_is(c, "single") && !cg_is(c, "empty")) {
        return -1;
    }
    uint32_t nin = 2;
    if (at->epilogue.has_bias) {
        cg_contig(&c->in[2], dt, 1, SHAPE(N));
        nin = 3;
    }
    c->accum_len = (uint64_t)(K > 0 ? K : 1) + (uint64_t)at->epilogue.has_bias;
    const cg_dist d[3] = {exact_ints(dt, 1), exact_ints(dt, 1), exact_ints(dt, 1)};
    return finish(c, nin, 1, d, r);
}

/* ---- conv2d ------------------------------------------------------------------------------ */

typedef struct conv_shape {
    int64_t n, c, h, w, oc, kh, kw;
} conv_shape;

/* Activations NCHW or NHWC, logical [N, C, H, W] given. */
static void activation(mlb_tensor_desc *t, int32_t dt, int32_t layout, int64_t n, int64_t ch,
                       int64_t h, int64_t w, int64_t pad) {
    if (layout == MLB_LAYOUT_NHWC) {
        cg_padded(t, dt, 4, SHAPE(n, h, w, ch), pad);
    } else {
        cg_padded(t, dt, 4, SHAPE(n, ch, h, w), pad);
    }
}

int cg_conv2d(mlbc_case *c, cg_rng *r) {
    const int32_t dt = c->dtype;
    mlb_conv2d_attrs *at = &c->attrs.conv2d;
    at->struct_size = MLB_STRUCT_SIZE(mlb_conv2d_attrs, epilogue);
    at->layout = MLB_LAYOUT_NCHW;
    at->groups = 1;
    at->stride[0] = at->stride[1] = 1;
    at->dilation[0] = at->dilation[1] = 1;
    at->epilogue.activation = MLB_OP_NONE;
    conv_shape s = {2, 3, 9, 8, 4, 3, 3};
    int hwio = 0, in_pad = 0;
    if (c->full) {
        s.h = 23, s.w = 21;
    }
    if (cg_is(c, "nhwc")) {
        at->layout = MLB_LAYOUT_NHWC;
    } else if (cg_is(c, "padded_strided")) {
        s = (conv_shape){1, 4, 11, 10, 5, 3, 2};
        at->stride[0] = 2, at->stride[1] = 3;
        at->padding[0] = 1, at->padding[1] = 2, at->padding[2] = 0, at->padding[3] = 1;
    } else if (cg_is(c, "dilated")) {
        s = (conv_shape){1, 3, 12, 12, 4, 3, 3};
        at->dilation[0] = 2, at->dilation[1] = 3;
        at->padding[0] = at->padding[1] = 2, at->padding[2] = at->padding[3] = 3;
    } else if (cg_is(c, "groups")) {
        s = (conv_shape){2, 4, 7, 7, 6, 3, 3};
        at->groups = 2;
        at->padding[0] = at->padding[1] = at->padding[2] = at->padding[3] = 1;
    } else if (cg_is(c, "depthwise")) {
        s = (conv_shape){1, 6, 9, 9, 6, 3, 3};
        at->groups = 6;
        at->padding[0] = at->padding[1] = at->padding[2] = at->padding[3] = 1;
    } else if (cg_is(c, "weights_hwio")) {
        at->layout = MLB_LAYOUT_NHWC;
        hwio = 1;
    } else if (cg_is(c, "bias")) {
        at->epilogue.has_bias = 1;
    } else if (cg_is(c, "bias_relu")) {
        at->epilogue.has_bias = 1;
        at->epilogue.activation = MLB_OP_RELU;
    } else if (cg_is(c, "strided_in")) {
        in_pad = 2;
    } else if (cg_is(c, "empty")) {
        s.n = 0;
    } else if (cg_is(c, "single")) {
        s = (conv_shape){1, 1, 1, 1, 1, 1, 1};
    } else if (cg_is(c, "large")) {
        s = c->full ? (conv_shape){4, 16, 32, 32, 32, 3, 3} : (conv_shape){2, 8, 16, 16, 16, 3, 3};
        at->padding[0] = at->padding[1] = at->padding[2] = at->padding[3] = 1;
    } else if (!cg_is(c, "nchw")) {
        return -1;
    }
    const int64_t oh =
        (s.h + at->padding[0] + at->padding[1] - at->dilation[0] * (s.kh - 1) - 1) / at->stride[0] +
        1;
    const int64_t ow =
        (s.w + at->padding[2] + at->padding[3] - at->dilation[1] * (s.kw - 1) - 1) / at->stride[1] +
        1;
    const int64_t cg = s.c / at->groups;
    activation(&c->in[0], dt, at->layout, s.n, s.c, s.h, s.w, in_pad);
    if (in_pad) {
        c->in[0].byte_offset = 3 * mlbc_dtype_size(dt);
    }
    if (hwio) {
        cg_perm(&c->in[1], dt, 4, SHAPE(s.oc, cg, s.kh, s.kw), (const int[]){2, 3, 1, 0});
    } else {
        cg_contig(&c->in[1], dt, 4, SHAPE(s.oc, cg, s.kh, s.kw));
    }
    activation(&c->out[0], dt, at->layout, s.n, s.oc, oh, ow, in_pad);
    uint32_t nin = 2;
    if (at->epilogue.has_bias) {
        cg_contig(&c->in[2], dt, 1, SHAPE(s.oc));
        nin = 3;
    }
    c->accum_len = (uint64_t)(cg * s.kh * s.kw) + (uint64_t)at->epilogue.has_bias;
    const cg_dist d[3] = {exact_ints(dt, 0), dist(CG_INT, -2, 2), exact_ints(dt, 1)};
    return finish(c, nin, 1, d, r);
}

/* ---- pool2d ------------------------------------------------------------------------------ */

int cg_pool2d(mlbc_case *c, cg_rng *r) {
    const int32_t dt = c->dtype;
    mlb_pool2d_attrs *at = &c->attrs.pool2d;
    at->struct_size = MLB_STRUCT_SIZE(mlb_pool2d_attrs, count_include_pad);
    at->mode = MLB_POOL_MAX;
    at->layout = MLB_LAYOUT_NCHW;
    at->kernel[0] = at->kernel[1] = 2;
    at->stride[0] = at->stride[1] = 2;
    int64_t n = 2, ch = 3, h = CG_SZ(c, 8, 32), w = CG_SZ(c, 9, 33), in_pad = 0;
    cg_dist d = dist(CG_GRID, -4, 4);
    if (cg_is(c, "avg") || cg_is(c, "empty")) {
        at->mode = MLB_POOL_AVG;
        n = cg_is(c, "empty") ? 0 : n;
    } else if (cg_is(c, "max_padded") || cg_is(c, "avg_padded") || cg_is(c, "avg_padded_exclude")) {
        at->mode = cg_is(c, "max_padded") ? MLB_POOL_MAX : MLB_POOL_AVG;
        at->count_include_pad = cg_is(c, "avg_padded");
        at->kernel[0] = at->kernel[1] = 3;
        at->padding[0] = at->padding[1] = at->padding[2] = at->padding[3] = 1;
        h = w = CG_SZ(c, 9, 31);
    } else if (cg_is(c, "nhwc")) {
        at->mode = MLB_POOL_AVG;
        at->layout = MLB_LAYOUT_NHWC;
        at->kernel[0] = at->kernel[1] = 3;
        at->padding[0] = 1, at->padding[2] = 1;
        at->count_include_pad = 0;
    } else if (cg_is(c, "overlap")) {
        at->kernel[0] = 3, at->kernel[1] = 2;
        at->stride[0] = at->stride[1] = 1;
    } else if (cg_is(c, "strided_in")) {
        at->mode = MLB_POOL_AVG;
        in_pad = 3;
    } else if (cg_is(c, "special")) {
        d.kind = CG_SPECIAL;
    } else if (cg_is(c, "single")) {
        n = ch = h = w = 1;
        at->kernel[0] = at->kernel[1] = 1;
        at->stride[0] = at->stride[1] = 1;
    } else if (cg_is(c, "large")) {
        at->mode = MLB_POOL_AVG;
        at->kernel[0] = at->kernel[1] = 3;
        at->padding[0] = at->padding[1] = at->padding[2] = at->padding[3] = 1;
        n = CG_SZ(c, 2, 4), ch = CG_SZ(c, 8, 32), h = w = CG_SZ(c, 32, 64);
    } else if (!cg_is(c, "max")) {
        return -1;
    }
    const int64_t oh = (h + at->padding[0] + at->padding[1] - at->kernel[0]) / at->stride[0] + 1;
    const int64_t ow = (w + at->padding[2] + at->padding[3] - at->kernel[1]) / at->stride[1] + 1;
    activation(&c->in[0], dt, at->layout, n, ch, h, w, in_pad);
    if (in_pad) {
        c->in[0].byte_offset = 7 * mlbc_dtype_size(dt);
    }
    activation(&c->out[0], dt, at->layout, n, ch, oh, ow, in_pad ? 1 : 0);
    c->accum_len = at->mode == MLB_POOL_AVG ? (uint64_t)(at->kernel[0] * at->kernel[1]) : 1;
    return finish(c, 1, 1, &d, r);
}

/* ---- softmax, log_softmax ---------------------------------------------------------------- */

/* Rows of 9 with, by row: only finite values, some -Inf, one NaN, all -Inf, one +Inf. */
static void softmax_specials(mlbc_case *c, cg_rng *r) {
    const mlb_tensor_desc *t = &c->in[0];
    const cg_dist g = dist(CG_GRID, -4, 4);
    for (int64_t i = 0; i < t->shape[0]; ++i) {
        for (int64_t j = 0; j < t->shape[1]; ++j) {
            const int64_t idx[2] = {i, j};
            unsigned char *p = c->in_data[0] + mlbc_elem_pos(t, idx);
            switch (i % 5) {
            case 1:
                if (j % 3 == 0) {
                    mlbc_store_f64(t->dtype, p, -INFINITY);
                    continue;
                }
                break;
            case 2:
                if (j == 4) {
                    mlbc_store_f64(t->dtype, p, NAN);
                    continue;
                }
                break;
            case 3:
                mlbc_store_f64(t->dtype, p, -INFINITY);
                continue;
            case 4:
                if (j == 2) {
                    mlbc_store_f64(t->dtype, p, INFINITY);
                    continue;
                }
                break;
            default:
                break;
            }
            cg_value(t->dtype, p, g, r);
        }
    }
}

int cg_softmax(mlbc_case *c, cg_rng *r) {
    const int32_t dt = c->dtype;
    const int64_t A = CG_SZ(c, 7, 67), B = CG_SZ(c, 33, 1001);
    mlb_axis_attrs *at = &c->attrs.axis;
    at->struct_size = MLB_STRUCT_SIZE(mlb_axis_attrs, axis);
    at->axis = -1;
    cg_dist d = dist(CG_UNIFORM, -4, 4);
    mlb_tensor_desc *x = &c->in[0], *o = &c->out[0];
    if (cg_is(c, "last_axis") || cg_is(c, "wide_values")) {
        cg_contig(x, dt, 2, SHAPE(A, B));
        cg_contig(o, dt, 2, SHAPE(A, B));
        if (cg_is(c, "wide_values")) {
            d = dist(CG_UNIFORM, -80, 80); /* e^80 overflows f32: the maximum must be taken out */
        }
    } else if (cg_is(c, "first_axis")) {
        cg_contig(x, dt, 2, SHAPE(B, A));
        cg_contig(o, dt, 2, SHAPE(B, A));
        at->axis = 0;
    } else if (cg_is(c, "middle_axis")) {
        cg_contig(x, dt, 3, SHAPE(3, CG_SZ(c, 17, 129), 5));
        cg_contig(o, dt, 3, SHAPE(3, CG_SZ(c, 17, 129), 5));
        at->axis = 1;
    } else if (cg_is(c, "strided")) {
        cg_perm(x, dt, 2, SHAPE(A, B), (const int[]){1, 0});
        cg_padded(o, dt, 2, SHAPE(A, B), 3);
    } else if (cg_is(c, "special")) {
        cg_contig(x, dt, 2, SHAPE(CG_SZ(c, 10, 40), 9));
        cg_contig(o, dt, 2, SHAPE(CG_SZ(c, 10, 40), 9));
    } else if (cg_is(c, "empty")) {
        cg_contig(x, dt, 2, SHAPE(0, 5));
        cg_contig(o, dt, 2, SHAPE(0, 5));
    } else if (cg_is(c, "single")) {
        cg_contig(x, dt, 1, SHAPE(1));
        cg_contig(o, dt, 1, SHAPE(1));
    } else if (cg_is(c, "large")) {
        cg_contig(x, dt, 2, SHAPE(4, CG_SZ(c, 4099, 65537)));
        cg_contig(o, dt, 2, SHAPE(4, CG_SZ(c, 4099, 65537)));
    } else {
        return -1;
    }
    const int32_t axis = at->axis < 0 ? at->axis + x->rank : at->axis;
    c->accum_len = (uint64_t)(x->shape[axis] > 0 ? x->shape[axis] : 1);
    int rc = finish(c, 1, 1, &d, r);
    if (rc == 0 && cg_is(c, "special")) {
        softmax_specials(c, r);
    }
    return rc;
}

/* ---- layer_norm, rms_norm ---------------------------------------------------------------- */

int cg_norm(mlbc_case *c, cg_rng *r) {
    const int32_t dt = c->dtype;
    const int64_t A = CG_SZ(c, 7, 67), B = CG_SZ(c, 33, 1001);
    const int ln = c->op == MLB_OP_LAYER_NORM;
    mlb_norm_attrs *at = &c->attrs.norm;
    at->struct_size = MLB_STRUCT_SIZE(mlb_norm_attrs, epsilon);
    at->axis = -1;
    at->has_weight = 1;
    at->epsilon = 1e-5;
    mlb_tensor_desc *x = &c->in[0], *o = &c->out[0];
    int64_t wpad = 0;
    if (cg_is(c, "weight_bias") && ln) {
        at->has_bias = 1;
    } else if (cg_is(c, "plain")) {
        at->has_weight = 0;
    } else if (!cg_is(c, "weight") && !cg_is(c, "multi_axis") && !cg_is(c, "strided") &&
               !cg_is(c, "constant") && !cg_is(c, "empty") && !cg_is(c, "single") &&
               !cg_is(c, "large")) {
        return -1;
    }
    if (ln && !cg_is(c, "plain") && !cg_is(c, "weight")) {
        at->has_bias = 1;
    }
    if (cg_is(c, "multi_axis")) {
        cg_contig(x, dt, 3, SHAPE(3, 5, CG_SZ(c, 7, 129)));
        cg_contig(o, dt, 3, SHAPE(3, 5, CG_SZ(c, 7, 129)));
        at->axis = 1;
    } else if (cg_is(c, "strided")) {
        cg_perm(x, dt, 2, SHAPE(A, B), (const int[]){1, 0});
        cg_padded(o, dt, 2, SHAPE(A, B), 3);
        wpad = 1;
    } else if (cg_is(c, "constant")) {
        cg_contig(x, dt, 2, SHAPE(A, B));
        x->strides[1] = 0; /* every row constant: variance 0, only epsilon remains */
        cg_contig(o, dt, 2, SHAPE(A, B));
        at->epsilon = 1e-3;
    } else if (cg_is(c, "empty")) {
        cg_contig(x, dt, 2, SHAPE(0, 8));
        cg_contig(o, dt, 2, SHAPE(0, 8));
    } else if (cg_is(c, "single")) {
        cg_contig(x, dt, 1, SHAPE(1));
        cg_contig(o, dt, 1, SHAPE(1));
    } else if (cg_is(c, "large")) {
        cg_contig(x, dt, 2, SHAPE(4, CG_SZ(c, 4099, 65537)));
        cg_contig(o, dt, 2, SHAPE(4, CG_SZ(c, 4099, 65537)));
    } else {
        cg_contig(x, dt, 2, SHAPE(A, B));
        cg_contig(o, dt, 2, SHAPE(A, B));
    }
    const int32_t axis = at->axis < 0 ? at->axis + x->rank : at->axis;
    const int32_t nr = x->rank - axis;
    uint32_t nin = 1;
    c->accum_len = 1;
    for (int32_t k = axis; k < x->rank; ++k) {
        c->accum_len *= (uint64_t)(x->shape[k] > 0 ? x->shape[k] : 1);
    }
    if (at->has_weight) {
        cg_contig(&c->in[nin], dt, nr, x->shape + axis);
        if (wpad) {
            c->in[nin].strides[nr - 1] = 2;
        }
        nin++;
    }
    if (at->has_bias) {
        cg_contig(&c->in[nin], dt, nr, x->shape + axis);
        c->in[nin].byte_offset = wpad * mlbc_dtype_size(dt);
        nin++;
    }
    const cg_dist d[3] = {dist(CG_UNIFORM, -3, 3), dist(CG_GRID, -2, 2), dist(CG_GRID, -1, 1)};
    cg_dist dd[3] = {d[0], at->has_weight ? d[1] : d[2], d[2]};
    return finish(c, nin, 1, dd, r);
}

/* ---- reductions -------------------------------------------------------------------------- */

static cg_dist reduce_dist(int32_t op, int32_t dtype) {
    const int is_float = mlbc_dtype_is_float(dtype);
    switch (op) {
    case MLB_OP_REDUCE_SUM:
        return is_float ? exact_ints(dtype, 1) : dist(CG_FULLINT, 0, 0);
    case MLB_OP_REDUCE_MEAN:
        return exact_ints(dtype, 1);
    case MLB_OP_REDUCE_PROD:
        return dist(CG_UNIFORM, 0.8, 1.25);
    default:
        return is_float ? dist(CG_GRID, -8, 8) : dist(CG_FULLINT, 0, 0);
    }
}

int cg_reduce(mlbc_case *c, cg_rng *r) {
    const int32_t dt = c->dtype;
    const int64_t P = CG_SZ(c, 5, 17), Q = CG_SZ(c, 6, 19), R = CG_SZ(c, 7, 23);
    mlb_reduce_attrs *at = &c->attrs.reduce;
    at->struct_size = MLB_STRUCT_SIZE(mlb_reduce_attrs, keepdims);
    cg_dist d = reduce_dist(c->op, dt);
    mlb_tensor_desc *x = &c->in[0], *o = &c->out[0];
    int64_t in_shape[3] = {P, Q, R};
    int32_t rank = 3, out_pad = 0;
    cg_contig(x, dt, 3, in_shape);
    if (cg_is(c, "all")) {
        at->axes = 7;
    } else if (cg_is(c, "last") || cg_is(c, "special")) {
        at->axes = 4;
        if (cg_is(c, "special")) {
            /* max and min see every special value; sums and products only those whose result
             * does not depend on the order of accumulation (docs/ops.md section 10). */
            const int accum = c->op == MLB_OP_REDUCE_SUM || c->op == MLB_OP_REDUCE_MEAN ||
                              c->op == MLB_OP_REDUCE_PROD;
            d.kind = accum ? CG_SPECIAL_ACCUM : CG_SPECIAL;
        }
    } else if (cg_is(c, "first_keepdims")) {
        at->axes = 1, at->keepdims = 1;
    } else if (cg_is(c, "middle")) {
        at->axes = 2;
    } else if (cg_is(c, "multi")) {
        at->axes = 5, at->keepdims = 1;
    } else if (cg_is(c, "strided")) {
        cg_perm(x, dt, 3, in_shape, (const int[]){2, 0, 1});
        at->axes = 2;
        out_pad = 2;
    } else if (cg_is(c, "none")) {
        at->axes = 0;
    } else if (cg_is(c, "empty_out")) {
        in_shape[0] = 0;
        cg_contig(x, dt, 3, in_shape);
        at->axes = 4;
    } else if (cg_is(c, "empty_reduce")) {
        in_shape[1] = 0;
        cg_contig(x, dt, 3, in_shape);
        at->axes = 2;
    } else if (cg_is(c, "single")) {
        rank = 1;
        in_shape[0] = 1;
        cg_contig(x, dt, 1, in_shape);
        at->axes = 1;
    } else if (cg_is(c, "large")) {
        rank = 2;
        if (c->op == MLB_OP_REDUCE_PROD) { /* a long product over- or underflows */
            in_shape[0] = CG_SZ(c, 257, 17647), in_shape[1] = 17;
            at->axes = 2;
        } else {
            in_shape[0] = 3, in_shape[1] = CG_SZ(c, 4099, 100003);
            at->axes = 2;
        }
        cg_contig(x, dt, 2, in_shape);
    } else {
        return -1;
    }
    int64_t out_shape[3];
    int32_t out_rank = 0;
    c->accum_len = 1;
    for (int32_t k = 0; k < rank; ++k) {
        if (at->axes & (1u << k)) {
            c->accum_len *= (uint64_t)(in_shape[k] > 0 ? in_shape[k] : 1);
            if (at->keepdims) {
                out_shape[out_rank++] = 1;
            }
        } else {
            out_shape[out_rank++] = in_shape[k];
        }
    }
    cg_padded(o, dt, out_rank, out_shape, out_pad);
    return finish(c, 1, 1, &d, r);
}

/* ---- gather ------------------------------------------------------------------------------ */

int cg_gather(mlbc_case *c, cg_rng *r) {
    const int32_t dt = c->dtype;
    mlb_axis_attrs *at = &c->attrs.axis;
    at->struct_size = MLB_STRUCT_SIZE(mlb_axis_attrs, axis);
    mlb_tensor_desc *data = &c->in[0], *idx = &c->in[1], *o = &c->out[0];
    int64_t lo = 0, out_pad = 0;
    const int64_t V = CG_SZ(c, 50, 1000), D = CG_SZ(c, 16, 64);
    if (cg_is(c, "embedding_i64") || cg_is(c, "embedding_i32") || cg_is(c, "empty")) {
        const int64_t nb = cg_is(c, "empty") ? 0 : 3;
        cg_contig(data, dt, 2, SHAPE(V, D));
        cg_contig(idx, cg_is(c, "embedding_i32") ? MLB_DTYPE_I32 : MLB_DTYPE_I64, 2, SHAPE(nb, 7));
        at->axis = 0;
    } else if (cg_is(c, "axis1")) {
        cg_contig(data, dt, 3, SHAPE(6, 40, 5));
        cg_contig(idx, MLB_DTYPE_I32, 1, SHAPE(9));
        at->axis = 1;
    } else if (cg_is(c, "negative")) {
        cg_contig(data, dt, 2, SHAPE(7, 12));
        cg_contig(idx, MLB_DTYPE_I64, 2, SHAPE(4, 5));
        at->axis = -1;
        lo = -12;
    } else if (cg_is(c, "scalar_index")) {
        cg_contig(data, dt, 2, SHAPE(10, 6));
        cg_contig(idx, MLB_DTYPE_I64, 0, NULL);
        at->axis = 0;
    } else if (cg_is(c, "strided_data")) {
        cg_perm(data, dt, 2, SHAPE(12, 9), (const int[]){1, 0});
        cg_padded(idx, MLB_DTYPE_I64, 1, SHAPE(5), 0);
        idx->strides[0] = 3;
        at->axis = 0;
        out_pad = 2;
    } else if (cg_is(c, "large")) {
        cg_contig(data, dt, 2, SHAPE(4096, 8));
        cg_contig(idx, MLB_DTYPE_I32, 1, SHAPE(CG_SZ(c, 512, 32768)));
        at->axis = 0;
    } else {
        return -1;
    }
    const int32_t axis = at->axis < 0 ? at->axis + data->rank : at->axis;
    int64_t shape[MLB_MAX_RANK];
    int32_t rank = 0;
    for (int32_t k = 0; k < axis; ++k) {
        shape[rank++] = data->shape[k];
    }
    for (int32_t k = 0; k < idx->rank; ++k) {
        shape[rank++] = idx->shape[k];
    }
    for (int32_t k = axis + 1; k < data->rank; ++k) {
        shape[rank++] = data->shape[k];
    }
    cg_padded(o, dt, rank, shape, out_pad);
    const int64_t n = data->shape[axis];
    const cg_dist d[2] = {mlbc_dtype_is_float(dt) ? dist(CG_GRID, -8, 8) : dist(CG_FULLINT, 0, 0),
                          dist(CG_INT, (double)(lo ? -n : 0), (double)(n - 1))};
    return finish(c, 2, 1, d, r);
}
