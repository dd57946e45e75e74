/*
 * conv2d.c - 2-D cross-correlation with groups, stride, asymmetric zero
 * padding, dilation and a fused epilogue (docs/ops.md section 6), NCHW or
 * NHWC. Weights are logically [OC, C/groups, KH, KW] in any physical order.
 * Each output element is summed in double (ic, then kh, then kw, increasing),
 * then + bias, then the activation, then rounded once.
 */
#include "activation.h"
#include "dtype.h"
#include "op_util.h"
#include "ops.h"
#include "tensor.h"

static mlb_status check_attr_values(const mlb_conv2d_attrs *at, char *why, size_t why_len) {
    if (at->layout != MLB_LAYOUT_NCHW && at->layout != MLB_LAYOUT_NHWC) {
        return cpuref_fail(MLB_ERROR_INVALID_ARGUMENT, why, why_len,
                           "conv2d: layout %d is not NCHW (0) or NHWC (1)", at->layout);
    }
    if (at->groups < 1) {
        return cpuref_fail(MLB_ERROR_INVALID_ARGUMENT, why, why_len, "conv2d: groups %d < 1",
                           at->groups);
    }
    for (int i = 0; i < 2; ++i) {
        const char *axis = i ? "width" : "height";
        if (at->stride[i] < 1) {
            return cpuref_fail(MLB_ERROR_INVALID_ARGUMENT, why, why_len,
                               "conv2d: stride %s %lld < 1", axis, (long long)at->stride[i]);
        }
        if (at->dilation[i] < 1) {
            return cpuref_fail(MLB_ERROR_INVALID_ARGUMENT, why, why_len,
                               "conv2d: dilation %s %lld < 1", axis, (long long)at->dilation[i]);
        }
    }
    static const char *const pad_names[4] = {"top", "bottom", "left", "right"};
    for (int i = 0; i < 4; ++i) {
        if (at->padding[i] < 0) {
            return cpuref_fail(MLB_ERROR_INVALID_ARGUMENT, why, why_len,
                               "conv2d: padding %s %lld < 0", pad_names[i],
                               (long long)at->padding[i]);
        }
    }
    return MLB_OK;
}

static mlb_status check_shapes(const mlb_op_desc *desc, const mlb_conv2d_attrs *at, char *why,
                               size_t why_len) {
    const mlb_tensor_desc *x = desc->inputs[0], *w = desc->inputs[1], *o = desc->outputs[0];
    if (x->rank != 4 || w->rank != 4 || o->rank != 4) {
        const char *name = x->rank != 4 ? "x" : w->rank != 4 ? "w" : "output";
        const int32_t r = x->rank != 4 ? x->rank : w->rank != 4 ? w->rank : o->rank;
        return cpuref_fail(MLB_ERROR_INVALID_ARGUMENT, why, why_len,
                           "conv2d: %s has rank %d, expected 4", name, r);
    }
    const cpuref_layout_axes ax = cpuref_layout_axes_of(at->layout);
    const int64_t n = x->shape[0], c = x->shape[ax.c], h = x->shape[ax.h], wd = x->shape[ax.w];
    const int64_t oc = w->shape[0], kh = w->shape[2], kw = w->shape[3];
    if (c < 1 || oc < 1) {
        return cpuref_fail(MLB_ERROR_INVALID_ARGUMENT, why, why_len,
                           "conv2d: C (%lld) and OC (%lld) must be >= 1", (long long)c,
                           (long long)oc);
    }
    if (c % at->groups != 0 || oc % at->groups != 0) {
        return cpuref_fail(MLB_ERROR_INVALID_ARGUMENT, why, why_len,
                           "conv2d: groups (%d) must divide C (%lld) and OC (%lld)", at->groups,
                           (long long)c, (long long)oc);
    }
    if (w->shape[1] != c / at->groups) {
        return cpuref_fail(MLB_ERROR_INVALID_ARGUMENT, why, why_len,
                           "conv2d: w axis 1 is %lld, expected C/groups = %lld",
                           (long long)w->shape[1], (long long)(c / at->groups));
    }
    if (kh < 1 || kw < 1) {
        return cpuref_fail(MLB_ERROR_INVALID_ARGUMENT, why, why_len,
                           "conv2d: kernel %lldx%lld is empty (KH, KW must be >= 1)", (long long)kh,
                           (long long)kw);
    }
    int64_t oh, ow;
    mlb_status st =
        cpuref_window_extent(desc, "height", "dilated kernel", h, at->padding[0], at->padding[1],
                             kh, at->dilation[0], at->stride[0], &oh, why, why_len);
    if (st == MLB_OK) {
        st = cpuref_window_extent(desc, "width", "dilated kernel", wd, at->padding[2],
                                  at->padding[3], kw, at->dilation[1], at->stride[1], &ow, why,
                                  why_len);
    }
    if (st != MLB_OK) {
        return st;
    }
    if (o->shape[0] != n || o->shape[ax.c] != oc || o->shape[ax.h] != oh || o->shape[ax.w] != ow) {
        return cpuref_fail(MLB_ERROR_INVALID_ARGUMENT, why, why_len,
                           "conv2d: output (N, OC, OH, OW) is (%lld, %lld, %lld, %lld), expected "
                           "(%lld, %lld, %lld, %lld)",
                           (long long)o->shape[0], (long long)o->shape[ax.c],
                           (long long)o->shape[ax.h], (long long)o->shape[ax.w], (long long)n,
                           (long long)oc, (long long)oh, (long long)ow);
    }
    if (at->epilogue.has_bias) {
        const mlb_tensor_desc *bias = desc->inputs[2];
        if (bias->rank != 1 || bias->shape[0] != oc) {
            return cpuref_fail(MLB_ERROR_INVALID_ARGUMENT, why, why_len,
                               "conv2d: bias must have shape [OC] = [%lld] (rank %d, first "
                               "extent %lld)",
                               (long long)oc, bias->rank,
                               bias->rank ? (long long)bias->shape[0] : 0LL);
        }
    }
    return cpuref_check_output_strides(desc, o, why, why_len);
}

mlb_status cpuref_conv2d_check(const mlb_op_desc *desc, char *why, size_t why_len) {
    mlb_status st =
        cpuref_check_attrs(desc, MLB_STRUCT_SIZE(mlb_conv2d_attrs, epilogue), why, why_len);
    if (st != MLB_OK) {
        return st;
    }
    const mlb_conv2d_attrs *at = (const mlb_conv2d_attrs *)desc->attrs;
    if ((st = check_attr_values(at, why, why_len)) != MLB_OK ||
        (st = cpuref_check_epilogue(desc, &at->epilogue, why, why_len)) != MLB_OK ||
        (st = cpuref_check_counts(desc, at->epilogue.has_bias ? 3u : 2u, 1u, why, why_len)) !=
            MLB_OK ||
        (st = cpuref_check_same_dtype(desc, why, why_len)) != MLB_OK ||
        (st = check_shapes(desc, at, why, why_len)) != MLB_OK) {
        return st;
    }
    return cpuref_check_dtype(desc, desc->inputs[0]->dtype, CPUREF_DT_FLOAT, why, why_len);
}

/* Address of the element `off` elements (already multiplied by strides) from t's origin. */
static inline uint8_t *at_off(const mlb_tensor_desc *t, uint8_t *base, int64_t off) {
    return base + t->byte_offset + (uint64_t)off * cpuref_dtype_size(t->dtype);
}

mlb_status cpuref_conv2d_run(const mlb_op_desc *desc, uint8_t *const *in, uint8_t *const *out,
                             char *why, size_t why_len) {
    (void)why, (void)why_len;
    const mlb_conv2d_attrs *at = (const mlb_conv2d_attrs *)desc->attrs;
    const mlb_tensor_desc *x = desc->inputs[0], *w = desc->inputs[1], *o = desc->outputs[0];
    const mlb_tensor_desc *bias = at->epilogue.has_bias ? desc->inputs[2] : NULL;
    const int32_t dt = o->dtype, act = at->epilogue.activation;
    if (cpuref_numel(o) == 0) {
        return MLB_OK;
    }
    const cpuref_layout_axes ax = cpuref_layout_axes_of(at->layout);
    const int64_t n_ext = o->shape[0], oc_ext = o->shape[ax.c];
    const int64_t oh_ext = o->shape[ax.h], ow_ext = o->shape[ax.w];
    const int64_t h = x->shape[ax.h], wd = x->shape[ax.w];
    const int64_t cg = w->shape[1], kh_ext = w->shape[2], kw_ext = w->shape[3];
    const int64_t ocg = oc_ext / at->groups;
    const int64_t xs_n = x->strides[0], xs_c = x->strides[ax.c];
    const int64_t xs_h = x->strides[ax.h], xs_w = x->strides[ax.w];
    const int64_t os_n = o->strides[0], os_c = o->strides[ax.c];
    const int64_t os_h = o->strides[ax.h], os_w = o->strides[ax.w];
    for (int64_t n = 0; n < n_ext; ++n) {
        for (int64_t oc = 0; oc < oc_ext; ++oc) {
            const int64_t c0 = (oc / ocg) * cg; /* first input channel of the group */
            for (int64_t oh = 0; oh < oh_ext; ++oh) {
                for (int64_t ow = 0; ow < ow_ext; ++ow) {
                    double acc = 0.0;
                    for (int64_t ic = 0; ic < cg; ++ic) {
                        for (int64_t kh = 0; kh < kh_ext; ++kh) {
                            const int64_t ih =
                                oh * at->stride[0] - at->padding[0] + kh * at->dilation[0];
                            if (ih < 0 || ih >= h) {
                                continue;
                            }
                            for (int64_t kw = 0; kw < kw_ext; ++kw) {
                                const int64_t iw =
                                    ow * at->stride[1] - at->padding[2] + kw * at->dilation[1];
                                if (iw < 0 || iw >= wd) {
                                    continue;
                                }
                                const int64_t xo =
                                    n * xs_n + (c0 + ic) * xs_c + ih * xs_h + iw * xs_w;
                                const int64_t wo = oc * w->strides[0] + ic * w->strides[1] +
                                                   kh * w->strides[2] + kw * w->strides[3];
                                acc += cpuref_load_f64(dt, at_off(x, in[0], xo)) *
                                       cpuref_load_f64(dt, at_off(w, in[1], wo));
                            }
                        }
                    }
                    if (bias) {
                        acc += cpuref_load_f64(dt, at_off(bias, in[2], oc * bias->strides[0]));
                    }
                    const int64_t oo = n * os_n + oc * os_c + oh * os_h + ow * os_w;
                    cpuref_store_f64(dt, at_off(o, out[0], oo), cpuref_activation_f64(act, acc));
                }
            }
        }
    }
    return MLB_OK;
}
