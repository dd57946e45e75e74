/*
 * pool2d.c - max and average pooling (docs/ops.md section 7) as a oneDNN
 * pooling primitive: avg_include_padding divides by KH*KW,
 * avg_exclude_padding by the valid count, as count_include_pad says; oneDNN
 * sums in f32. Max pooling runs with a guard (guard.c): oneDNN 2.6's max
 * drops NaN (the window {1, NaN} gives 1, docs/ops.md gives NaN), so a launch
 * with NaN/Inf in the input is the caller's to compute.
 *
 * Declined: an empty input with a non-empty output. Layouts, the first oneDNN has a kernel
 * for that is not `ref:` (else the first it takes at all): the user's strides; dense NCHW
 * (oneDNN 2.6 answers `ref:any` for NHWC with padding, and runs jit or simple_nchw on NCHW);
 * layouts oneDNN picks. Reorders run around the pooling when they are not the user's.
 */
#include "onednn_impl.h"

mlb_status onednn_pool2d_supported(const mlb_op_desc *desc, char *why, size_t why_len) {
    mlb_status st = onednn_check_dtype_float(desc, desc->inputs[0]->dtype, why, why_len);
    if (st != MLB_OK) {
        return st;
    }
    if (onednn_numel(desc->inputs[0]) == 0 && onednn_numel(desc->outputs[0]) > 0) {
        return onednn_fail(MLB_ERROR_UNSUPPORTED, why, why_len,
                           "pool2d: an empty input with a non-empty output: oneDNN 2.6 does not "
                           "take zero-volume inputs");
    }
    return MLB_OK;
}

static mlb_status act_md(const mlb_tensor_desc *t, int32_t layout, dnnl_data_type_t dt,
                         dnnl_memory_desc_t *md, char *why, size_t why_len) {
    const int c = layout == MLB_LAYOUT_NHWC ? 3 : 1, h = layout == MLB_LAYOUT_NHWC ? 1 : 2,
              w = layout == MLB_LAYOUT_NHWC ? 2 : 3;
    const dnnl_dim_t dims[4] = {t->shape[0], t->shape[c], t->shape[h], t->shape[w]};
    const dnnl_dim_t strides[4] = {t->strides[0], t->strides[c], t->strides[h], t->strides[w]};
    return onednn_md_strided(md, 4, dims, strides, dt, why, why_len);
}

static mlb_status make_pd(const mlb_pool2d_attrs *at, const dnnl_memory_desc_t *x,
                          const dnnl_memory_desc_t *y, dnnl_primitive_desc_t *pd, char *why,
                          size_t why_len) {
    const dnnl_dims_t strides = {at->stride[0], at->stride[1]};
    const dnnl_dims_t kernel = {at->kernel[0], at->kernel[1]}, dil = {0, 0};
    const dnnl_dims_t pl = {at->padding[0], at->padding[2]}, pr = {at->padding[1], at->padding[3]};
    dnnl_pooling_v2_desc_t pdsc;
    const dnnl_alg_kind_t alg = at->mode == MLB_POOL_MAX ? dnnl_pooling_max
                                : at->count_include_pad  ? dnnl_pooling_avg_include_padding
                                                         : dnnl_pooling_avg_exclude_padding;
    dnnl_status_t ds = dnnl_pooling_v2_forward_desc_init(&pdsc, dnnl_forward_inference, alg, x, y,
                                                         strides, kernel, dil, pl, pr);
    if (ds != dnnl_success) {
        return onednn_status(ds, "pool2d", why, why_len);
    }
    return onednn_pd_create(pd, &pdsc, NULL, "pool2d", why, why_len);
}

mlb_status onednn_pool2d_build(onednn_kernel *k, const mlb_op_desc *desc, char *why,
                               size_t why_len) {
    const mlb_pool2d_attrs *at = (const mlb_pool2d_attrs *)desc->attrs;
    const mlb_tensor_desc *x = desc->inputs[0], *y = desc->outputs[0];
    const dnnl_data_type_t dt = onednn_dt(y->dtype);
    dnnl_memory_desc_t xmd, ymd;
    if (at->mode == MLB_POOL_MAX) {
        onednn_plan_guard(k, desc, 1, ONEDNN_GUARD_NONFINITE); /* NaN is dropped */
    }
    mlb_status st = act_md(x, at->layout, dt, &xmd, why, why_len);
    if (st == MLB_OK) {
        st = act_md(y, at->layout, dt, &ymd, why, why_len);
    }
    if (st != MLB_OK) {
        return st;
    }
    /* The candidates, in order: user's (unless it reads a stride-0 axis), dense NCHW, any. */
    dnnl_memory_desc_t cx[3], cy[3];
    int n = 0;
    if (!onednn_has_zero_stride(x)) {
        cx[n] = xmd, cy[n++] = ymd;
    }
    st = onednn_md_dense(&cx[n], 4, xmd.dims, dt, why, why_len);
    if (st == MLB_OK) {
        st = onednn_md_dense(&cy[n++], 4, ymd.dims, dt, why, why_len);
    }
    if (st != MLB_OK) {
        return st;
    }
    dnnl_memory_desc_init_by_tag(&cx[n], 4, xmd.dims, dt, dnnl_format_tag_any);
    dnnl_memory_desc_init_by_tag(&cy[n++], 4, ymd.dims, dt, dnnl_format_tag_any);
    /* The first candidate oneDNN runs without `ref:`, else the first it takes at all; a
     * candidate it refuses is skipped (out of memory ends the search). */
    dnnl_primitive_desc_t pd = NULL;
    for (int i = 0; i < n && (!pd || onednn_pd_is_ref(pd)); ++i) {
        dnnl_primitive_desc_t cand;
        st = make_pd(at, &cx[i], &cy[i], &cand, why, why_len);
        if (st == MLB_OK && (!pd || !onednn_pd_is_ref(cand))) {
            dnnl_primitive_desc_destroy(pd);
            pd = cand;
        } else if (st == MLB_OK) {
            dnnl_primitive_desc_destroy(cand);
        } else if (st == MLB_ERROR_OUT_OF_MEMORY) {
            dnnl_primitive_desc_destroy(pd);
            return st;
        }
    }
    if (!pd) {
        return st; /* the last refusal, with its message */
    }
    return onednn_plan_src_dst(k, pd, "pool", x, &xmd, y, &ymd, why, why_len);
}
