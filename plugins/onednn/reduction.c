/*
 * reduction.c - reduce_sum, reduce_mean, reduce_prod, reduce_max, reduce_min
 * (docs/ops.md section 10) as oneDNN reductions.
 *
 * The output is seen with the input's rank (reduced axes of extent 1 and
 * its own strides; keepdims only changes that view). Three special cases:
 * an empty reduced set with a non-empty output is a host fill (0 for sum,
 * NaN for mean, 1 for prod: oneDNN 2.6 takes no zero-volume source); a
 * reduction of only extent-1 axes (or axes = 0) is a reorder, exact; a
 * stride-0 input is reordered dense first. oneDNN accumulates in f32 (the
 * reference in double): tests widen the tolerance by the reduced count.
 *
 * oneDNN 2.6 has jit reductions over the innermost axes of a dense tensor
 * only: over a middle axis, over {0,2} or of a permuted input it answers
 * `ref:any`, 50-90 times slower (a sum over axis 1 of [64,512,64] f32: 11 ms
 * against 0.2 ms over axis 2). Such a reduction is restaged: the whole
 * problem is described with its axes in another order (kept ones first,
 * reduced ones last, each group in its order; the same memory, seen through
 * permuted dims and strides), the input is reordered into a dense tensor of
 * that order and the reduction runs over its innermost axes. It is kept when
 * oneDNN then has a kernel that is not `ref:`.
 *
 * Float max/min run with a guard (guard.c): oneDNN 2.6's reduction max drops
 * NaN (max{1, NaN, 3, 2} = 3), so a launch with NaN/Inf in the input is the
 * caller's to compute. Declined: integer sum (through f32 and saturated; the page
 * wraps in 64 bits), i32 max/min (through f32, inexact beyond 2^24).
 * i8/u8 max/min are exact and run.
 */
#include <math.h>

#include "onednn_impl.h"

mlb_status onednn_reduction_supported(const mlb_op_desc *desc, char *why, size_t why_len) {
    const int32_t dt = desc->inputs[0]->dtype;
    const char *name = cpuref_op_name(desc->op);
    const int minmax = desc->op == MLB_OP_REDUCE_MAX || desc->op == MLB_OP_REDUCE_MIN;
    if (dt == MLB_DTYPE_I8 || dt == MLB_DTYPE_U8) {
        return minmax ? MLB_OK
                      : onednn_fail(MLB_ERROR_UNSUPPORTED, why, why_len,
                                    "%s: oneDNN sums integers through f32 and saturates; "
                                    "docs/ops.md wraps in 64 bits",
                                    name);
    }
    if (dt == MLB_DTYPE_I32 || dt == MLB_DTYPE_I64) {
        return onednn_fail(MLB_ERROR_UNSUPPORTED, why, why_len,
                           "%s: %s: oneDNN reduces through f32 (inexact beyond 2^24)", name,
                           dt == MLB_DTYPE_I32 ? "i32" : "i64");
    }
    return onednn_check_dtype_float(desc, dt, why, why_len);
}

static dnnl_alg_kind_t alg_of(int32_t op) {
    switch (op) {
    case MLB_OP_REDUCE_SUM:
        return dnnl_reduction_sum;
    case MLB_OP_REDUCE_MEAN:
        return dnnl_reduction_mean;
    case MLB_OP_REDUCE_PROD:
        return dnnl_reduction_mul;
    case MLB_OP_REDUCE_MAX:
        return dnnl_reduction_max;
    default:
        return dnnl_reduction_min;
    }
}

/* A reduction oneDNN runs with a kernel that is not `ref:`: src -> dst (dst's own layout), or
 * NULL in *pd. */
static mlb_status fast_reduction(dnnl_primitive_desc_t *pd, int32_t op,
                                 const dnnl_memory_desc_t *src, const dnnl_memory_desc_t *dst,
                                 char *why, size_t why_len) {
    *pd = NULL;
    dnnl_reduction_desc_t rd;
    if (dnnl_reduction_desc_init(&rd, alg_of(op), src, dst, 0.0f, 0.0f) != dnnl_success) {
        return MLB_OK;
    }
    mlb_status st = onednn_pd_create(pd, &rd, NULL, "reduction", why, why_len);
    onednn_pd_drop_ref(pd);
    return st == MLB_ERROR_OUT_OF_MEMORY ? st : MLB_OK;
}

/* The restaged plan (file comment): kept axes first, reduced axes last. MLB_OK with *done = 0
 * when oneDNN has no faster kernel for it either (nothing planned). */
static mlb_status plan_restaged(onednn_kernel *k, const mlb_op_desc *desc, const mlb_tensor_desc *x,
                                const mlb_tensor_desc *yv, int *done, char *why, size_t why_len) {
    const mlb_reduce_attrs *at = (const mlb_reduce_attrs *)desc->attrs;
    const dnnl_data_type_t dt = onednn_dt(x->dtype);
    int perm[MLB_MAX_RANK], n = 0;
    for (int pass = 0; pass < 2; ++pass) {
        for (int32_t a = 0; a < x->rank; ++a) {
            if ((int)((at->axes >> a) & 1u) == pass) {
                perm[n++] = a;
            }
        }
    }
    const mlb_tensor_desc xp = onednn_tensor_permuted(x, perm),
                          yp = onednn_tensor_permuted(yv, perm);
    dnnl_memory_desc_t xmd, xdense, ymd, ydense;
    mlb_status st = onednn_md_tensor(&xmd, &xp, x->rank, dt, 0, why, why_len);
    if (st == MLB_OK) {
        st = onednn_md_dense(&xdense, x->rank, xmd.dims, dt, why, why_len);
    }
    if (st == MLB_OK) {
        st = onednn_md_tensor(&ymd, &yp, x->rank, dt, 0, why, why_len);
    }
    if (st == MLB_OK) {
        st = onednn_md_dense(&ydense, x->rank, ymd.dims, dt, why, why_len);
    }
    /* Into the user's output as it lies, else (padded rows, say) into a dense one copied out. */
    dnnl_primitive_desc_t pd = NULL;
    if (st == MLB_OK) {
        st = fast_reduction(&pd, desc->op, &xdense, &ymd, why, why_len);
    }
    if (st == MLB_OK && !pd) {
        st = fast_reduction(&pd, desc->op, &xdense, &ydense, why, why_len);
    }
    *done = pd != NULL;
    return pd ? onednn_plan_src_dst(k, pd, "reduction", x, &xmd, yv, &ymd, why, why_len) : st;
}

mlb_status onednn_reduction_build(onednn_kernel *k, const mlb_op_desc *desc, char *why,
                                  size_t why_len) {
    const mlb_reduce_attrs *at = (const mlb_reduce_attrs *)desc->attrs;
    const mlb_tensor_desc *x = desc->inputs[0], *y = desc->outputs[0];
    const dnnl_data_type_t dt = onednn_dt(x->dtype);
    int64_t count = 1;
    int real = 0; /* a reduced axis of extent > 1 */
    if ((desc->op == MLB_OP_REDUCE_MAX || desc->op == MLB_OP_REDUCE_MIN) &&
        (x->dtype == MLB_DTYPE_F32 || x->dtype == MLB_DTYPE_BF16)) {
        onednn_plan_guard(k, desc, 1, ONEDNN_GUARD_NONFINITE); /* NaN is dropped */
    }
    for (int32_t a = 0; a < x->rank; ++a) {
        if ((at->axes >> a) & 1u) {
            count *= x->shape[a];
            real |= x->shape[a] > 1;
        }
    }
    if (count == 0) {
        const double v = desc->op == MLB_OP_REDUCE_MEAN   ? NAN
                         : desc->op == MLB_OP_REDUCE_PROD ? 1.0
                                                          : 0.0;
        return onednn_plan_fill(k, v, why, why_len);
    }
    /* y with x's rank: reduced axes of extent 1, kept axes with y's strides. */
    mlb_tensor_desc yv = *x;
    for (int32_t a = 0, b = 0; a < x->rank; ++a) {
        const int reduced = (at->axes >> a) & 1u;
        if (reduced) {
            yv.shape[a] = 1, yv.strides[a] = 0;
            b += at->keepdims;
        } else {
            yv.shape[a] = y->shape[b], yv.strides[a] = y->strides[b];
            ++b;
        }
    }
    yv.byte_offset = y->byte_offset;
    const int rank = x->rank ? x->rank : 1;
    dnnl_memory_desc_t xmd, ymd, xdense;
    mlb_status st = onednn_md_tensor(&xmd, x, rank, dt, 0, why, why_len);
    if (st == MLB_OK) {
        st = onednn_md_tensor(&ymd, &yv, rank, dt, 0, why, why_len);
    }
    if (st != MLB_OK) {
        return st;
    }
    int sx, sy;
    if (!real) {
        sx = onednn_plan_user(k, ONEDNN_SLOT_INPUT, 0, x->byte_offset, &xmd);
        st = onednn_plan_output(k, 0, y->byte_offset, &ymd, NULL, &sy, why, why_len);
        return st != MLB_OK ? st : onednn_plan_reorder(k, sx, sy, why, why_len);
    }
    const dnnl_memory_desc_t *src = &xmd;
    if (onednn_has_zero_stride(x)) {
        st = onednn_md_dense(&xdense, rank, xmd.dims, dt, why, why_len);
        src = &xdense;
    }
    dnnl_reduction_desc_t rd;
    dnnl_status_t ds = dnnl_reduction_desc_init(&rd, alg_of(desc->op), src, &ymd, 0.0f, 0.0f);
    if (ds != dnnl_success) {
        return onednn_status(ds, "reduction", why, why_len);
    }
    dnnl_primitive_desc_t pd;
    st = onednn_pd_create(&pd, &rd, NULL, "reduction", why, why_len);
    if (st != MLB_OK) {
        return st;
    }
    if (onednn_pd_is_ref(pd)) {
        int done = 0;
        st = plan_restaged(k, desc, x, &yv, &done, why, why_len);
        if (st != MLB_OK || done) {
            dnnl_primitive_desc_destroy(pd);
            return st;
        }
    }
    return onednn_plan_src_dst(k, pd, "reduction", x, &xmd, y, &ymd, why, why_len);
}
