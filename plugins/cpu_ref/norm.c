/*
 * norm.c - layer_norm and rms_norm over the trailing axes [axis, rank)
 * (docs/ops.md section 9).
 *
 * Per slice of n = numel(x.shape[axis:]) elements, in double, sums in index
 * order:
 *   layer_norm  mu = sum(x)/n, var = sum((x-mu)^2)/n (biased, two passes),
 *               y = (x-mu)/sqrt(var+eps) * w + b
 *   rms_norm    y = x/sqrt(sum(x^2)/n + eps) * w
 * An absent weight multiplies by nothing (the page's "1"), an absent bias
 * adds nothing (the page's "0"); both read the weight and bias at the
 * slice coordinates, i.e. the trailing part of x's index.
 */
#include <math.h>

#include "dtype.h"
#include "op_util.h"
#include "tensor.h"

/* The attribute values alone: flags 0 or 1, no bias for rms_norm, reserved 0, epsilon > 0. */
static mlb_status check_norm_attrs(const mlb_op_desc *desc, const mlb_norm_attrs *attrs, char *why,
                                   size_t why_len) {
    const char *name = cpuref_op_name(desc->op);
    if (attrs->has_weight != 0 && attrs->has_weight != 1) {
        return cpuref_fail(MLB_ERROR_INVALID_ARGUMENT, why, why_len,
                           "%s: has_weight is %d, expected 0 or 1", name, attrs->has_weight);
    }
    if (attrs->has_bias != 0 && attrs->has_bias != 1) {
        return cpuref_fail(MLB_ERROR_INVALID_ARGUMENT, why, why_len,
                           "%s: has_bias is %d, expected 0 or 1", name, attrs->has_bias);
    }
    if (desc->op == MLB_OP_RMS_NORM && attrs->has_bias) {
        return cpuref_fail(MLB_ERROR_INVALID_ARGUMENT, why, why_len,
                           "rms_norm: has_bias must be 0 (rms_norm takes no bias)");
    }
    if (attrs->reserved != 0) {
        return cpuref_fail(MLB_ERROR_INVALID_ARGUMENT, why, why_len,
                           "%s: reserved is %d, expected 0", name, attrs->reserved);
    }
    if (!(attrs->epsilon > 0.0)) { /* also refuses NaN */
        return cpuref_fail(MLB_ERROR_INVALID_ARGUMENT, why, why_len, "%s: epsilon %g is not > 0",
                           name, attrs->epsilon);
    }
    return MLB_OK;
}

mlb_status cpuref_norm_check(const mlb_op_desc *desc, char *why, size_t why_len) {
    mlb_status st =
        cpuref_check_attrs(desc, MLB_STRUCT_SIZE(mlb_norm_attrs, epsilon), why, why_len);
    if (st != MLB_OK) {
        return st;
    }
    const mlb_norm_attrs *attrs = (const mlb_norm_attrs *)desc->attrs;
    st = check_norm_attrs(desc, attrs, why, why_len);
    if (st == MLB_OK) {
        const uint32_t nin = 1u + (uint32_t)attrs->has_weight + (uint32_t)attrs->has_bias;
        st = cpuref_check_counts(desc, nin, 1, why, why_len);
    }
    if (st == MLB_OK) {
        st = cpuref_check_same_dtype(desc, why, why_len);
    }
    if (st != MLB_OK) {
        return st;
    }
    const mlb_tensor_desc *x = desc->inputs[0];
    int32_t axis;
    if (x->rank < 1) {
        return cpuref_fail(MLB_ERROR_INVALID_ARGUMENT, why, why_len,
                           "%s: x has rank 0, expected rank >= 1", cpuref_op_name(desc->op));
    }
    st = cpuref_normalize_axis(desc, attrs->axis, x->rank, &axis, why, why_len);
    if (st == MLB_OK && attrs->has_weight) {
        st = cpuref_check_shape_is(desc, "weight", desc->inputs[1], x->rank - axis, x->shape + axis,
                                   why, why_len);
    }
    if (st == MLB_OK && attrs->has_bias) {
        st = cpuref_check_shape_is(desc, "bias", desc->inputs[1 + attrs->has_weight],
                                   x->rank - axis, x->shape + axis, why, why_len);
    }
    if (st == MLB_OK) {
        st = cpuref_check_shape_is(desc, "output", desc->outputs[0], x->rank, x->shape, why,
                                   why_len);
    }
    if (st == MLB_OK) {
        st = cpuref_check_output_strides(desc, desc->outputs[0], why, why_len);
    }
    if (st == MLB_OK) {
        st = cpuref_check_dtype(desc, x->dtype, CPUREF_DT_FLOAT, why, why_len);
    }
    return st;
}

/* One slice: x's index is outer[0..axis) followed by inner[0..rank-axis). */
typedef struct norm_slice {
    const mlb_tensor_desc *x;
    uint8_t *base;
    int32_t axis;
    int64_t idx[MLB_MAX_RANK]; /* full index into x; idx + axis is the slice coordinate */
} norm_slice;

static double slice_load(const norm_slice *s) {
    return cpuref_load_f64(s->x->dtype, cpuref_elem(s->x, s->base, s->idx));
}

/* Advances the slice coordinate (row-major); after the last, resets it to 0 and returns 0. */
static int slice_next(norm_slice *s) {
    return cpuref_next_index(s->idx + s->axis, s->x->shape + s->axis, s->x->rank - s->axis);
}

mlb_status cpuref_norm_run(const mlb_op_desc *desc, uint8_t *const *in, uint8_t *const *out,
                           char *why, size_t why_len) {
    (void)why, (void)why_len;
    const mlb_norm_attrs *attrs = (const mlb_norm_attrs *)desc->attrs;
    const mlb_tensor_desc *x = desc->inputs[0];
    const mlb_tensor_desc *y = desc->outputs[0];
    const mlb_tensor_desc *w = attrs->has_weight ? desc->inputs[1] : NULL;
    const mlb_tensor_desc *b = attrs->has_bias ? desc->inputs[1 + attrs->has_weight] : NULL;
    uint8_t *w_base = w ? in[1] : NULL;
    uint8_t *b_base = b ? in[1 + attrs->has_weight] : NULL;
    if (cpuref_numel(x) == 0) {
        return MLB_OK; /* also covers an empty normalized set: the output is empty too */
    }
    norm_slice s = {x, in[0], attrs->axis < 0 ? attrs->axis + x->rank : attrs->axis, {0}};
    int64_t count = 1;
    for (int32_t k = s.axis; k < x->rank; ++k) {
        count *= x->shape[k];
    }
    const double n = (double)count;
    const int layer = desc->op == MLB_OP_LAYER_NORM;

    do { /* over the outer index idx[0..axis); idx[axis..rank) is 0 here */
        double mu = 0.0, scale;
        if (layer) {
            double sum = 0.0, sq = 0.0;
            do {
                sum += slice_load(&s);
            } while (slice_next(&s));
            mu = sum / n;
            do {
                const double d = slice_load(&s) - mu;
                sq += d * d;
            } while (slice_next(&s));
            scale = sqrt(sq / n + attrs->epsilon);
        } else {
            double sq = 0.0;
            do {
                const double v = slice_load(&s);
                sq += v * v;
            } while (slice_next(&s));
            scale = sqrt(sq / n + attrs->epsilon);
        }
        do {
            const int64_t *inner = s.idx + s.axis;
            double v = layer ? (slice_load(&s) - mu) / scale : slice_load(&s) / scale;
            if (w) {
                v *= cpuref_load_f64(w->dtype, cpuref_elem(w, w_base, inner));
            }
            if (b) {
                v += cpuref_load_f64(b->dtype, cpuref_elem(b, b_base, inner));
            }
            cpuref_store_f64(y->dtype, cpuref_elem(y, out[0], s.idx), v);
        } while (slice_next(&s));
    } while (cpuref_next_index(s.idx, x->shape, s.axis));
    return MLB_OK;
}
