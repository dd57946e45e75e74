/*
 * softmax.c - softmax and log_softmax (docs/ops.md section 8) as one oneDNN
 * softmax_v2 primitive (dnnl_softmax_accurate / dnnl_softmax_log) along the
 * op's axis, with a guard (guard.c).
 *
 * Measured on oneDNN 2.6.3 (softmax_v2, jit:avx512_core, f32), rows of 4
 * along the softmax axis:
 *   {1, NaN, 3, -Inf}   softmax 0 NaN 0 0        page: NaN everywhere
 *   {-Inf, 1, +Inf, 2}  softmax 0 0 NaN 0        page: NaN everywhere
 *   (log_softmax likewise: -Inf NaN -Inf -Inf / -Inf -Inf NaN -Inf)
 * A slice holding a NaN or a +Inf must come out all NaN, and which slices
 * hold one is only known from the data: a launch whose input holds NaN or
 * Inf is the caller's to compute (onednn_kernel_inputs_exact); every other
 * launch runs oneDNN. Layouts: the user's strides first; when oneDNN answers
 * with a `ref:` implementation for them (or the input has a stride-0 axis),
 * dense row-major copies with reorders around the softmax. When that is
 * `ref:` too (oneDNN 2.6's jit log_softmax takes the innermost axis only),
 * the problem is seen with the softmax axis moved last (the same memory
 * through permuted dims and strides) and runs on dense copies of that order.
 */
#include "onednn_impl.h"

mlb_status onednn_softmax_supported(const mlb_op_desc *desc, char *why, size_t why_len) {
    return onednn_check_dtype_float(desc, desc->inputs[0]->dtype, why, why_len);
}

static mlb_status make_pd(int32_t op, const dnnl_memory_desc_t *x, const dnnl_memory_desc_t *y,
                          int axis, dnnl_primitive_desc_t *pd, char *why, size_t why_len) {
    dnnl_softmax_v2_desc_t sd;
    const dnnl_alg_kind_t alg = op == MLB_OP_LOG_SOFTMAX ? dnnl_softmax_log : dnnl_softmax_accurate;
    dnnl_status_t ds =
        dnnl_softmax_v2_forward_desc_init(&sd, dnnl_forward_inference, alg, x, y, axis);
    if (ds != dnnl_success) {
        return onednn_status(ds, "softmax", why, why_len);
    }
    return onednn_pd_create(pd, &sd, NULL, "softmax", why, why_len);
}

/* The primitive descriptor: on the user's layouts when oneDNN has a fast kernel for them, else
 * on dense ones (the caller reorders). */
static mlb_status choose_pd(int32_t op, const mlb_tensor_desc *x, const dnnl_memory_desc_t *xmd,
                            const dnnl_memory_desc_t *ymd, int axis, dnnl_primitive_desc_t *pd,
                            char *why, size_t why_len) {
    dnnl_memory_desc_t dense;
    mlb_status st = onednn_md_dense(&dense, ymd->ndims, ymd->dims, ymd->data_type, why, why_len);
    if (st != MLB_OK) {
        return st;
    }
    *pd = NULL;
    if (!onednn_has_zero_stride(x)) {
        st = make_pd(op, xmd, ymd, axis, pd, why, why_len);
        if (st == MLB_OK && !onednn_pd_is_ref(*pd)) {
            return MLB_OK;
        }
        if (st != MLB_OK && st != MLB_ERROR_UNSUPPORTED) {
            return st;
        }
    }
    dnnl_primitive_desc_t pd_dense;
    mlb_status st_dense = make_pd(op, &dense, &dense, axis, &pd_dense, why, why_len);
    if (st_dense == MLB_OK && (!*pd || !onednn_pd_is_ref(pd_dense))) {
        dnnl_primitive_desc_destroy(*pd);
        *pd = pd_dense;
        return MLB_OK;
    }
    if (st_dense == MLB_OK) {
        dnnl_primitive_desc_destroy(pd_dense);
    }
    return *pd ? MLB_OK : st_dense;
}

/* The softmax along `axis` seen with that axis last: on dense copies of that order, planned
 * when oneDNN has a kernel for it that is not `ref:` (*done = 1). */
static mlb_status plan_axis_last(onednn_kernel *k, int32_t op, const mlb_tensor_desc *x,
                                 const mlb_tensor_desc *y, int axis, int *done, char *why,
                                 size_t why_len) {
    *done = 0;
    int perm[MLB_MAX_RANK], n = 0;
    for (int32_t a = 0; a < x->rank; ++a) {
        if (a != axis) {
            perm[n++] = a;
        }
    }
    perm[n] = axis;
    const mlb_tensor_desc xp = onednn_tensor_permuted(x, perm),
                          yp = onednn_tensor_permuted(y, perm);
    const dnnl_data_type_t dt = onednn_dt(y->dtype);
    dnnl_memory_desc_t xmd, ymd, dense;
    mlb_status st = onednn_md_tensor(&xmd, &xp, x->rank, dt, 0, why, why_len);
    if (st == MLB_OK) {
        st = onednn_md_tensor(&ymd, &yp, y->rank, dt, 0, why, why_len);
    }
    if (st == MLB_OK) {
        st = onednn_md_dense(&dense, x->rank, xmd.dims, dt, why, why_len);
    }
    dnnl_primitive_desc_t pd = NULL;
    if (st == MLB_OK) { /* NULL when oneDNN has no kernel for it: the caller keeps its own */
        make_pd(op, &dense, &dense, x->rank - 1, &pd, why, why_len);
    }
    onednn_pd_drop_ref(&pd);
    if (st != MLB_OK || !pd) {
        return st;
    }
    *done = 1;
    return onednn_plan_src_dst(k, pd, "softmax", x, &xmd, y, &ymd, why, why_len);
}

mlb_status onednn_softmax_build(onednn_kernel *k, const mlb_op_desc *desc, char *why,
                                size_t why_len) {
    const mlb_axis_attrs *at = (const mlb_axis_attrs *)desc->attrs;
    const mlb_tensor_desc *x = desc->inputs[0], *y = desc->outputs[0];
    const dnnl_data_type_t dt = onednn_dt(y->dtype);
    const int axis = at->axis < 0 ? at->axis + x->rank : at->axis;
    onednn_plan_guard(k, desc, 1, ONEDNN_GUARD_NONFINITE);
    dnnl_memory_desc_t xmd, ymd;
    mlb_status st = onednn_md_tensor(&xmd, x, x->rank, dt, 0, why, why_len);
    if (st == MLB_OK) {
        st = onednn_md_tensor(&ymd, y, y->rank, dt, 0, why, why_len);
    }
    dnnl_primitive_desc_t pd = NULL;
    if (st == MLB_OK) {
        st = choose_pd(desc->op, x, &xmd, &ymd, axis, &pd, why, why_len);
    }
    if (st != MLB_OK) {
        return st;
    }
    if (onednn_pd_is_ref(pd) && axis != x->rank - 1) {
        int done = 0;
        st = plan_axis_last(k, desc->op, x, y, axis, &done, why, why_len);
        if (st != MLB_OK || done) {
            dnnl_primitive_desc_destroy(pd);
            return st;
        }
    }
    return onednn_plan_src_dst(k, pd, "softmax", x, &xmd, y, &ymd, why, why_len);
}
