/*
 * pool2d.c - 2-D max and average pooling (docs/ops.md section 7), NCHW or
 * NHWC, with zero-or-more padding that never takes part in a max and counts
 * in an average only with count_include_pad. Computed in double, rounded once.
 */
#include <math.h>

#include "dtype.h"
#include "op_util.h"
#include "ops.h"
#include "tensor.h"

static mlb_status check_attr_values(const mlb_pool2d_attrs *at, char *why, size_t why_len) {
    if (at->mode != MLB_POOL_MAX && at->mode != MLB_POOL_AVG) {
        return cpuref_fail(MLB_ERROR_INVALID_ARGUMENT, why, why_len,
                           "pool2d: mode %d is not MAX (0) or AVG (1)", at->mode);
    }
    if (at->layout != MLB_LAYOUT_NCHW && at->layout != MLB_LAYOUT_NHWC) {
        return cpuref_fail(MLB_ERROR_INVALID_ARGUMENT, why, why_len,
                           "pool2d: layout %d is not NCHW (0) or NHWC (1)", at->layout);
    }
    if (at->count_include_pad != 0 && at->count_include_pad != 1) {
        return cpuref_fail(MLB_ERROR_INVALID_ARGUMENT, why, why_len,
                           "pool2d: count_include_pad is %d, expected 0 or 1",
                           at->count_include_pad);
    }
    static const char *const pad_names[4] = {"top", "bottom", "left", "right"};
    for (int i = 0; i < 2; ++i) {
        const char *axis = i ? "width" : "height";
        if (at->kernel[i] < 1) {
            return cpuref_fail(MLB_ERROR_INVALID_ARGUMENT, why, why_len,
                               "pool2d: kernel %s %lld < 1", axis, (long long)at->kernel[i]);
        }
        if (at->stride[i] < 1) {
            return cpuref_fail(MLB_ERROR_INVALID_ARGUMENT, why, why_len,
                               "pool2d: stride %s %lld < 1", axis, (long long)at->stride[i]);
        }
        for (int j = 2 * i; j < 2 * i + 2; ++j) {
            if (at->padding[j] < 0 || at->padding[j] >= at->kernel[i]) {
                return cpuref_fail(MLB_ERROR_INVALID_ARGUMENT, why, why_len,
                                   "pool2d: padding %s %lld is outside [0, kernel %s %lld)",
                                   pad_names[j], (long long)at->padding[j], axis,
                                   (long long)at->kernel[i]);
            }
        }
    }
    return MLB_OK;
}

static mlb_status check_shapes(const mlb_op_desc *desc, const mlb_pool2d_attrs *at, char *why,
                               size_t why_len) {
    const mlb_tensor_desc *x = desc->inputs[0], *o = desc->outputs[0];
    if (x->rank != 4 || o->rank != 4) {
        return cpuref_fail(MLB_ERROR_INVALID_ARGUMENT, why, why_len,
                           "pool2d: %s has rank %d, expected 4", x->rank != 4 ? "input" : "output",
                           x->rank != 4 ? x->rank : o->rank);
    }
    const cpuref_layout_axes ax = cpuref_layout_axes_of(at->layout);
    const int64_t n = x->shape[0], c = x->shape[ax.c], h = x->shape[ax.h], w = x->shape[ax.w];
    int64_t oh, ow;
    mlb_status st =
        cpuref_window_extent(desc, "height", "kernel", h, at->padding[0], at->padding[1],
                             at->kernel[0], 1, at->stride[0], &oh, why, why_len);
    if (st == MLB_OK) {
        st = cpuref_window_extent(desc, "width", "kernel", w, at->padding[2], at->padding[3],
                                  at->kernel[1], 1, at->stride[1], &ow, why, why_len);
    }
    if (st != MLB_OK) {
        return st;
    }
    if (o->shape[0] != n || o->shape[ax.c] != c || o->shape[ax.h] != oh || o->shape[ax.w] != ow) {
        return cpuref_fail(MLB_ERROR_INVALID_ARGUMENT, why, why_len,
                           "pool2d: output (N, C, OH, OW) is (%lld, %lld, %lld, %lld), expected "
                           "(%lld, %lld, %lld, %lld)",
                           (long long)o->shape[0], (long long)o->shape[ax.c],
                           (long long)o->shape[ax.h], (long long)o->shape[ax.w], (long long)n,
                           (long long)c, (long long)oh, (long long)ow);
    }
    /* With H or W = 0 (and padding) every window is empty: the max of no element is
     * undefined, like reduce_max over an empty set (section 10). */
    if (at->mode == MLB_POOL_MAX && (h == 0 || w == 0) && n > 0 && c > 0) {
        return cpuref_fail(MLB_ERROR_INVALID_ARGUMENT, why, why_len,
                           "pool2d: max over windows with no valid element (H = %lld, W = %lld)",
                           (long long)h, (long long)w);
    }
    return cpuref_check_output_strides(desc, o, why, why_len);
}

mlb_status cpuref_pool2d_check(const mlb_op_desc *desc, char *why, size_t why_len) {
    mlb_status st = cpuref_check_attrs(desc, MLB_STRUCT_SIZE(mlb_pool2d_attrs, count_include_pad),
                                       why, why_len);
    if (st != MLB_OK) {
        return st;
    }
    const mlb_pool2d_attrs *at = (const mlb_pool2d_attrs *)desc->attrs;
    if ((st = check_attr_values(at, why, why_len)) != MLB_OK ||
        (st = cpuref_check_counts(desc, 1u, 1u, why, why_len)) != MLB_OK ||
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

/* The larger of best and v; NaN wins, and +0.0 beats -0.0 (as the maximum op). */
static double max_step(double best, double v) {
    if (isnan(best) || isnan(v)) {
        return isnan(best) ? best : v;
    }
    if (v > best || (v == best && !signbit(v))) {
        return v;
    }
    return best;
}

mlb_status cpuref_pool2d_run(const mlb_op_desc *desc, uint8_t *const *in, uint8_t *const *out,
                             char *why, size_t why_len) {
    (void)why, (void)why_len;
    const mlb_pool2d_attrs *at = (const mlb_pool2d_attrs *)desc->attrs;
    const mlb_tensor_desc *x = desc->inputs[0], *o = desc->outputs[0];
    const int32_t dt = o->dtype;
    if (cpuref_numel(o) == 0) {
        return MLB_OK;
    }
    const cpuref_layout_axes ax = cpuref_layout_axes_of(at->layout);
    const int64_t n_ext = o->shape[0], c_ext = o->shape[ax.c];
    const int64_t oh_ext = o->shape[ax.h], ow_ext = o->shape[ax.w];
    const int64_t h = x->shape[ax.h], w = x->shape[ax.w];
    const int64_t kh_ext = at->kernel[0], kw_ext = at->kernel[1];
    for (int64_t n = 0; n < n_ext; ++n) {
        for (int64_t c = 0; c < c_ext; ++c) {
            for (int64_t oh = 0; oh < oh_ext; ++oh) {
                for (int64_t ow = 0; ow < ow_ext; ++ow) {
                    /* The window's valid rows [h_lo, h_hi) and columns [w_lo, w_hi). */
                    const int64_t h0 = oh * at->stride[0] - at->padding[0];
                    const int64_t w0 = ow * at->stride[1] - at->padding[2];
                    const int64_t h_lo = h0 < 0 ? 0 : h0, w_lo = w0 < 0 ? 0 : w0;
                    const int64_t h_hi = h0 + kh_ext < h ? h0 + kh_ext : h;
                    const int64_t w_hi = w0 + kw_ext < w ? w0 + kw_ext : w;
                    double sum = 0.0, best = 0.0;
                    int64_t valid = 0;
                    for (int64_t ih = h_lo; ih < h_hi; ++ih) {
                        for (int64_t iw = w_lo; iw < w_hi; ++iw) {
                            const int64_t xo = n * x->strides[0] + c * x->strides[ax.c] +
                                               ih * x->strides[ax.h] + iw * x->strides[ax.w];
                            const double v = cpuref_load_f64(dt, at_off(x, in[0], xo));
                            sum += v;
                            best = valid ? max_step(best, v) : v;
                            ++valid;
                        }
                    }
                    double r;
                    if (at->mode == MLB_POOL_MAX) {
                        r = best;
                    } else {
                        /* KH*KW as a double product: exact below 2^53, no int64 overflow. */
                        r = sum / (at->count_include_pad ? (double)kh_ext * (double)kw_ext
                                                         : (double)valid);
                    }
                    const int64_t oo = n * o->strides[0] + c * o->strides[ax.c] +
                                       oh * o->strides[ax.h] + ow * o->strides[ax.w];
                    cpuref_store_f64(dt, at_off(o, out[0], oo), r);
                }
            }
        }
    }
    return MLB_OK;
}
