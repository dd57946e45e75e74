/*
 * conv2d.c - 2-D convolution with bias and activation (docs/ops.md section 6)
 * as one oneDNN convolution (direct algorithm: no Winograd, whose numerics
 * differ) with post-ops.
 *
 * oneDNN's logical dims are always {N, C, H, W} for activations and
 * {OC, IC, KH, KW} ({G, OC/G, IC/G, KH, KW} with groups) for weights; NCHW
 * and NHWC tensors, and any weight order, are those dims with the user's
 * strides. Layout choice (see README.md): candidate A keeps the user's
 * activation layout and lets oneDNN pick the weights' (reordered per run,
 * since weights are an input); candidate B lets oneDNN pick every layout
 * (format_tag any) with reorders around the convolution. A is kept when its
 * implementation is a direct jit kernel; otherwise B when it is not `ref:`.
 * A stride-0 activation (a broadcast input) is reordered dense first.
 *
 * Declined: an empty input with a non-empty output (H or W = 0 with padding:
 * zero-volume tensors crash oneDNN 2.6, as matmul K = 0 does), and epilogue
 * activations that differ (eltwise.c). Epilogues exact on finite values only
 * (relu, gelu, ...) run with a product guard (guard.c).
 */
#include <string.h>

#include "onednn_impl.h"

mlb_status onednn_conv2d_supported(const mlb_op_desc *desc, char *why, size_t why_len) {
    const mlb_conv2d_attrs *at = (const mlb_conv2d_attrs *)desc->attrs;
    const mlb_tensor_desc *x = desc->inputs[0];
    mlb_status st = onednn_check_dtype_float(desc, x->dtype, why, why_len);
    if (st != MLB_OK) {
        return st;
    }
    if (onednn_numel(x) == 0 && onednn_numel(desc->outputs[0]) > 0) {
        return onednn_fail(MLB_ERROR_UNSUPPORTED, why, why_len,
                           "conv2d: an empty input with a non-empty output (padding only): "
                           "oneDNN 2.6 does not take zero-volume inputs");
    }
    char inner[192];
    st = onednn_epilogue_attr(at->epilogue.activation, x->dtype, NULL, NULL, inner, sizeof(inner));
    if (st != MLB_OK) {
        return onednn_fail(st, why, why_len, "conv2d epilogue: %s", inner);
    }
    return MLB_OK;
}

/* An activation tensor as logical {N, C, H, W} with its strides (and a dense twin). */
static mlb_status act_md(const mlb_tensor_desc *t, int32_t layout, dnnl_data_type_t dt,
                         dnnl_memory_desc_t *md, dnnl_memory_desc_t *dense, char *why,
                         size_t why_len) {
    const int c = layout == MLB_LAYOUT_NHWC ? 3 : 1, h = layout == MLB_LAYOUT_NHWC ? 1 : 2,
              w = layout == MLB_LAYOUT_NHWC ? 2 : 3;
    const dnnl_dim_t dims[4] = {t->shape[0], t->shape[c], t->shape[h], t->shape[w]};
    const dnnl_dim_t strides[4] = {t->strides[0], t->strides[c], t->strides[h], t->strides[w]};
    mlb_status st = onednn_md_strided(md, 4, dims, strides, dt, why, why_len);
    if (st == MLB_OK && dense) {
        /* Dense in the user's layout order. */
        dnnl_dims_t ds;
        if (layout == MLB_LAYOUT_NHWC) {
            ds[1] = 1, ds[3] = dims[1] * ds[1], ds[2] = dims[3] * ds[3], ds[0] = dims[2] * ds[2];
        } else {
            ds[3] = 1, ds[2] = dims[3], ds[1] = dims[2] * ds[2], ds[0] = dims[1] * ds[1];
        }
        st = onednn_md_strided(dense, 4, dims, ds, dt, why, why_len);
    }
    return st;
}

typedef struct conv_mds {
    dnnl_memory_desc_t x, w, bias, y;
} conv_mds;

static mlb_status make_pd(const mlb_conv2d_attrs *at, const conv_mds *m, int has_bias, int any_act,
                          const_dnnl_primitive_attr_t attr, dnnl_primitive_desc_t *pd, char *why,
                          size_t why_len) {
    dnnl_memory_desc_t x = m->x, w, y = m->y;
    dnnl_memory_desc_init_by_tag(&w, m->w.ndims, m->w.dims, m->w.data_type, dnnl_format_tag_any);
    if (any_act) {
        dnnl_memory_desc_init_by_tag(&x, 4, m->x.dims, m->x.data_type, dnnl_format_tag_any);
        dnnl_memory_desc_init_by_tag(&y, 4, m->y.dims, m->y.data_type, dnnl_format_tag_any);
    }
    const dnnl_dims_t strides = {at->stride[0], at->stride[1]};
    const dnnl_dims_t dil = {at->dilation[0] - 1, at->dilation[1] - 1};
    const dnnl_dims_t pl = {at->padding[0], at->padding[2]}, pr = {at->padding[1], at->padding[3]};
    dnnl_convolution_desc_t cd;
    dnnl_status_t ds = dnnl_dilated_convolution_forward_desc_init(
        &cd, dnnl_forward_inference, dnnl_convolution_direct, &x, &w, has_bias ? &m->bias : NULL,
        &y, strides, dil, pl, pr);
    if (ds != dnnl_success) {
        return onednn_status(ds, "conv2d", why, why_len);
    }
    return onednn_pd_create(pd, &cd, attr, "conv2d", why, why_len);
}

/* A direct jit kernel (not im2col + gemm, not ref). */
static int is_direct_jit(const_dnnl_primitive_desc_t pd) {
    const char *impl = onednn_pd_impl(pd);
    return strncmp(impl, "jit", 3) == 0 || strncmp(impl, "brg", 3) == 0;
}

mlb_status onednn_conv2d_build(onednn_kernel *k, const mlb_op_desc *desc, char *why,
                               size_t why_len) {
    const mlb_conv2d_attrs *at = (const mlb_conv2d_attrs *)desc->attrs;
    const mlb_tensor_desc *x = desc->inputs[0], *w = desc->inputs[1], *y = desc->outputs[0];
    const int has_bias = at->epilogue.has_bias;
    const dnnl_data_type_t dt = onednn_dt(y->dtype);
    conv_mds m;
    dnnl_memory_desc_t user_x, dense_x;
    mlb_status st = act_md(x, at->layout, dt, &user_x, &dense_x, why, why_len);
    m.x = onednn_has_zero_stride(x) ? dense_x : user_x;
    if (st == MLB_OK) {
        st = act_md(y, at->layout, dt, &m.y, NULL, why, why_len);
    }
    if (st == MLB_OK) {
        const int64_t g = at->groups, ocg = w->shape[0] / g;
        if (g == 1) {
            st = onednn_md_strided(&m.w, 4, w->shape, w->strides, dt, why, why_len);
        } else {
            const dnnl_dim_t dims[5] = {g, ocg, w->shape[1], w->shape[2], w->shape[3]};
            const dnnl_dim_t strides[5] = {ocg * w->strides[0], w->strides[0], w->strides[1],
                                           w->strides[2], w->strides[3]};
            st = onednn_md_strided(&m.w, 5, dims, strides, dt, why, why_len);
        }
    }
    if (st == MLB_OK && has_bias) {
        st = onednn_md_tensor(&m.bias, desc->inputs[2], 1, dt, 0, why, why_len);
    }
    dnnl_primitive_attr_t attr = NULL;
    int guarded = 0;
    if (st == MLB_OK) {
        st = onednn_epilogue_attr(at->epilogue.activation, y->dtype, &attr, &guarded, why, why_len);
    }
    if (guarded) { /* C/g * KH * KW products per output element */
        onednn_plan_guard_product(k, desc, has_bias, w->shape[1] * w->shape[2] * w->shape[3]);
    }
    dnnl_primitive_desc_t pd = NULL;
    if (st == MLB_OK) {
        st = make_pd(at, &m, has_bias, 0, attr, &pd, why, why_len);
        if (st == MLB_ERROR_UNSUPPORTED) {
            pd = NULL, st = MLB_OK; /* candidate B may still exist */
        }
    }
    if (st == MLB_OK && (!pd || !is_direct_jit(pd))) {
        dnnl_primitive_desc_t pd_any;
        mlb_status st_any = make_pd(at, &m, has_bias, 1, attr, &pd_any, why, why_len);
        if (st_any == MLB_OK && (!pd || !onednn_pd_is_ref(pd_any))) {
            dnnl_primitive_desc_destroy(pd);
            pd = pd_any;
        } else if (st_any == MLB_OK) {
            dnnl_primitive_desc_destroy(pd_any);
        } else if (!pd) {
            st = st_any;
        }
    }
    dnnl_primitive_attr_destroy(attr);
    if (st != MLB_OK) {
        return st;
    }
    int sx, sw, sbias = -1, sy;
    st = onednn_plan_input(k, 0, x->byte_offset, &user_x, onednn_pd_md(pd, DNNL_ARG_SRC), &sx, why,
                           why_len);
    if (st == MLB_OK) {
        st = onednn_plan_input(k, 1, w->byte_offset, &m.w, onednn_pd_md(pd, DNNL_ARG_WEIGHTS), &sw,
                               why, why_len);
    }
    if (st == MLB_OK && has_bias) {
        st = onednn_plan_input(k, 2, desc->inputs[2]->byte_offset, &m.bias,
                               onednn_pd_md(pd, DNNL_ARG_BIAS), &sbias, why, why_len);
    }
    if (st == MLB_OK) {
        st = onednn_plan_output(k, 0, y->byte_offset, &m.y, onednn_pd_md(pd, DNNL_ARG_DST), &sy,
                                why, why_len);
    }
    if (st != MLB_OK) {
        dnnl_primitive_desc_destroy(pd);
        return st;
    }
    const int args[4] = {DNNL_ARG_SRC, DNNL_ARG_WEIGHTS, DNNL_ARG_DST, DNNL_ARG_BIAS};
    const int slots[4] = {sx, sw, sy, sbias};
    return onednn_plan_step(k, pd, "conv", has_bias ? 4 : 3, args, slots, why, why_len);
}
