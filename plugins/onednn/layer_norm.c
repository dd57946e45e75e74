/*
 * layer_norm.c - layer_norm (docs/ops.md section 9) as a oneDNN layer
 * normalization (forward inference, statistics computed, f32 inside).
 *
 * oneDNN normalizes the last axis: the normalized axes [axis, rank) are
 * collapsed into one of C elements when their strides allow it (else x is
 * reordered into a dense scratch first, and y written through one); the
 * leading axes keep their strides. Weight and bias become oneDNN's f32
 * scale and shift {C} (reordered from bf16, or from a layout that does not
 * collapse). An absent weight or bias is simply not used (flags).
 *
 * Declined: rms_norm (oneDNN 2.6 has no RMS normalization).
 */
#include "onednn_impl.h"

mlb_status onednn_layer_norm_supported(const mlb_op_desc *desc, char *why, size_t why_len) {
    if (desc->op == MLB_OP_RMS_NORM) {
        return onednn_fail(MLB_ERROR_UNSUPPORTED, why, why_len,
                           "rms_norm: oneDNN 2.6 has no RMS normalization");
    }
    return onednn_check_dtype_float(desc, desc->inputs[0]->dtype, why, why_len);
}

/* Collapses axes [axis, rank) of t into one: 1 and its stride in *stride when they do. */
static int collapse(const mlb_tensor_desc *t, int axis, int64_t *stride) {
    int64_t expect = -1;
    *stride = 1;
    for (int k = t->rank - 1; k >= axis; --k) {
        if (t->shape[k] == 1) {
            continue;
        }
        if (expect < 0) {
            *stride = t->strides[k];
        } else if (t->strides[k] != expect) {
            return 0;
        }
        expect = t->strides[k] * t->shape[k];
    }
    return *stride != 0 || expect < 0;
}

/* The [outer..., C] view of t (leading axes with their strides), or -1 when it does not exist. */
static mlb_status view_md(const mlb_tensor_desc *t, int axis, int64_t c, dnnl_data_type_t dt,
                          int *ok, dnnl_memory_desc_t *md, char *why, size_t why_len) {
    int64_t s;
    dnnl_dims_t dims, strides;
    *ok = collapse(t, axis, &s) && !onednn_has_zero_stride(t);
    if (!*ok) {
        return MLB_OK;
    }
    int r = 0;
    if (axis == 0) {
        dims[r] = 1, strides[r++] = c * s;
    }
    for (int k = 0; k < axis; ++k, ++r) {
        dims[r] = t->shape[k], strides[r] = t->strides[k];
    }
    dims[r] = c, strides[r++] = s;
    return onednn_md_strided(md, r, dims, strides, dt, why, why_len);
}

/* A dense [outer..., C] view over a dense copy of t: full-rank md in *full, view in *view. */
static mlb_status dense_mds(const mlb_tensor_desc *t, int axis, int64_t c, dnnl_data_type_t dt,
                            dnnl_memory_desc_t *full, dnnl_memory_desc_t *view, char *why,
                            size_t why_len) {
    dnnl_dims_t dims;
    int r = 0;
    for (int k = 0; k < t->rank; ++k) {
        dims[k] = t->shape[k];
    }
    mlb_status st = onednn_md_dense(full, t->rank ? t->rank : 1, t->rank ? dims : (dnnl_dim_t[]){1},
                                    dt, why, why_len);
    if (axis == 0) {
        dims[r++] = 1;
    }
    for (int k = 0; k < axis; ++k) {
        dims[r++] = t->shape[k];
    }
    dims[r++] = c;
    return st != MLB_OK ? st : onednn_md_dense(view, r, dims, dt, why, why_len);
}

/* Binds weight or bias (input `index`, shape x.shape[axis:]) as an f32 {C} vector. */
static mlb_status bind_vector(onednn_kernel *k, const mlb_tensor_desc *t, uint32_t index,
                              const dnnl_memory_desc_t *want, int *slot, char *why,
                              size_t why_len) {
    dnnl_memory_desc_t user, full, view;
    int ok;
    mlb_status st = view_md(t, 0, onednn_numel(t), onednn_dt(t->dtype), &ok, &user, why, why_len);
    if (st == MLB_OK && ok) {
        /* user is {1, C}: as {C} */
        const dnnl_dim_t d = user.dims[1], s = user.format_desc.blocking.strides[1];
        st = onednn_md_strided(&user, 1, &d, &s, user.data_type, why, why_len);
        return st != MLB_OK
                   ? st
                   : onednn_plan_input(k, index, t->byte_offset, &user, want, slot, why, why_len);
    }
    if (st == MLB_OK) {
        st = onednn_md_tensor(&user, t, t->rank, onednn_dt(t->dtype), 0, why, why_len);
    }
    if (st == MLB_OK) {
        st = dense_mds(t, 0, onednn_numel(t), dnnl_f32, &full, &view, why, why_len);
    }
    if (st == MLB_OK) {
        int scratch;
        st = onednn_plan_input(k, index, t->byte_offset, &user, &full, &scratch, why, why_len);
        if (st == MLB_OK) {
            *slot = onednn_plan_alias(k, scratch, want);
        }
    }
    return st;
}

mlb_status onednn_layer_norm_build(onednn_kernel *k, const mlb_op_desc *desc, char *why,
                                   size_t why_len) {
    const mlb_norm_attrs *at = (const mlb_norm_attrs *)desc->attrs;
    const mlb_tensor_desc *x = desc->inputs[0], *y = desc->outputs[0];
    const dnnl_data_type_t dt = onednn_dt(x->dtype);
    const int axis = at->axis < 0 ? at->axis + x->rank : at->axis;
    int64_t c = 1;
    for (int kx = axis; kx < x->rank; ++kx) {
        c *= x->shape[kx];
    }
    dnnl_memory_desc_t xv, yv, xfull, xdense, yfull, ydense, xuser, yuser;
    int xok, yok;
    mlb_status st = view_md(x, axis, c, dt, &xok, &xv, why, why_len);
    if (st == MLB_OK) {
        st = view_md(y, axis, c, dt, &yok, &yv, why, why_len);
    }
    if (st == MLB_OK) {
        st = dense_mds(x, axis, c, dt, &xfull, &xdense, why, why_len);
    }
    if (st == MLB_OK) {
        st = dense_mds(y, axis, c, dt, &yfull, &ydense, why, why_len);
    }
    if (st == MLB_OK) {
        st = onednn_md_tensor(&xuser, x, x->rank, dt, 0, why, why_len);
    }
    if (st == MLB_OK) {
        st = onednn_md_tensor(&yuser, y, y->rank, dt, 0, why, why_len);
    }
    if (st != MLB_OK) {
        return st;
    }
    const unsigned flags = (at->has_weight ? (unsigned)dnnl_use_scale : 0u) |
                           (at->has_bias ? (unsigned)dnnl_use_shift : 0u);
    /* oneDNN has one layout for src and dst: the user's when x and y share one that
     * collapses, else dense scratch on both sides. */
    const int direct = xok && yok && dnnl_memory_desc_equal(&xv, &yv);
    const dnnl_memory_desc_t *data = direct ? &xv : &xdense;
    dnnl_layer_normalization_desc_t ld;
    dnnl_status_t ds = dnnl_layer_normalization_forward_desc_init(&ld, dnnl_forward_inference, data,
                                                                  NULL, (float)at->epsilon, flags);
    if (ds != dnnl_success) {
        return onednn_status(ds, "layer_norm", why, why_len);
    }
    dnnl_primitive_desc_t pd;
    st = onednn_pd_create(&pd, &ld, NULL, "layer_norm", why, why_len);
    if (st != MLB_OK) {
        return st;
    }
    int sx, sy, sw = -1, sb = -1, smean = -1, svar = -1;
    if (direct) {
        sx = onednn_plan_user(k, ONEDNN_SLOT_INPUT, 0, x->byte_offset, &xv);
    } else {
        int full;
        st = onednn_plan_input(k, 0, x->byte_offset, &xuser, &xfull, &full, why, why_len);
        sx = st == MLB_OK ? onednn_plan_alias(k, full, &xdense) : -1;
    }
    if (st == MLB_OK && at->has_weight) {
        st =
            bind_vector(k, desc->inputs[1], 1, onednn_pd_md(pd, DNNL_ARG_SCALE), &sw, why, why_len);
    }
    if (st == MLB_OK && at->has_bias) {
        st = bind_vector(k, desc->inputs[1 + at->has_weight], 1 + (uint32_t)at->has_weight,
                         onednn_pd_md(pd, DNNL_ARG_SHIFT), &sb, why, why_len);
    }
    if (st == MLB_OK && direct) {
        sy = onednn_plan_user(k, ONEDNN_SLOT_OUTPUT, 0, y->byte_offset, &yv);
    } else if (st == MLB_OK) {
        /* Through a dense scratch, then reordered into y. */
        int full;
        st = onednn_plan_output(k, 0, y->byte_offset, &yuser, &yfull, &full, why, why_len);
        sy = onednn_plan_alias(k, full, data);
    }
    const dnnl_memory_desc_t *mean = onednn_pd_md(pd, DNNL_ARG_MEAN);
    if (st == MLB_OK && mean && mean->ndims > 0) {
        smean = onednn_plan_scratch(k, mean);
        svar = onednn_plan_scratch(k, onednn_pd_md(pd, DNNL_ARG_VARIANCE));
    }
    if (st != MLB_OK) {
        dnnl_primitive_desc_destroy(pd);
        return st;
    }
    int args[6] = {DNNL_ARG_SRC, DNNL_ARG_DST}, slots[6] = {sx, sy};
    int n = 2;
    if (sw >= 0) {
        args[n] = DNNL_ARG_SCALE, slots[n++] = sw;
    }
    if (sb >= 0) {
        args[n] = DNNL_ARG_SHIFT, slots[n++] = sb;
    }
    if (smean >= 0) {
        args[n] = DNNL_ARG_MEAN, slots[n++] = smean;
        args[n] = DNNL_ARG_VARIANCE, slots[n++] = svar;
    }
    return onednn_plan_step(k, pd, "lnorm", n, args, slots, why, why_len);
}
