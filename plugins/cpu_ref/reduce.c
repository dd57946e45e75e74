/*
 * reduce.c - reduce_sum, reduce_mean, reduce_max, reduce_min, reduce_prod
 * over an axes bitmask (docs/ops.md section 10).
 *
 * Every output element reduces the input elements that share its kept
 * coordinates, visited in row-major order of the reduced axes ("index
 * order"). Floats accumulate in double from the first element of the set and
 * are rounded once at the store, so axes = 0 is an exact copy (-0.0 stays
 * -0.0). Integers sum in wrapping 64-bit arithmetic and compare exactly.
 */
#include <math.h>

#include "dtype.h"
#include "op_util.h"
#include "tensor.h"

static int is_reduced(uint32_t axes, int32_t k) {
    return (axes >> k) & 1u;
}

mlb_status cpuref_reduce_check(const mlb_op_desc *desc, char *why, size_t why_len) {
    const char *name = cpuref_op_name(desc->op);
    mlb_status st = cpuref_check_counts(desc, 1, 1, why, why_len);
    if (st == MLB_OK) {
        st = cpuref_check_attrs(desc, MLB_STRUCT_SIZE(mlb_reduce_attrs, keepdims), why, why_len);
    }
    if (st == MLB_OK) {
        st = cpuref_check_same_dtype(desc, why, why_len);
    }
    if (st != MLB_OK) {
        return st;
    }
    const mlb_reduce_attrs *attrs = (const mlb_reduce_attrs *)desc->attrs;
    const mlb_tensor_desc *x = desc->inputs[0];
    const mlb_tensor_desc *y = desc->outputs[0];

    if (x->rank < 32 && (attrs->axes >> x->rank) != 0) {
        return cpuref_fail(MLB_ERROR_INVALID_ARGUMENT, why, why_len,
                           "%s: axes 0x%x names an axis >= the input rank %d", name, attrs->axes,
                           x->rank);
    }
    if (attrs->keepdims != 0 && attrs->keepdims != 1) {
        return cpuref_fail(MLB_ERROR_INVALID_ARGUMENT, why, why_len,
                           "%s: keepdims is %d, expected 0 or 1", name, attrs->keepdims);
    }

    int64_t shape[MLB_MAX_RANK];
    int32_t rank = 0;
    int64_t reduced_count = 1;
    for (int32_t k = 0; k < x->rank; ++k) {
        if (is_reduced(attrs->axes, k)) {
            reduced_count *= x->shape[k];
            if (attrs->keepdims) {
                shape[rank++] = 1;
            }
        } else {
            shape[rank++] = x->shape[k];
        }
    }
    st = cpuref_check_shape_is(desc, "output", y, rank, shape, why, why_len);
    if (st == MLB_OK) {
        st = cpuref_check_output_strides(desc, y, why, why_len);
    }
    if (st != MLB_OK) {
        return st;
    }
    /* max and min have no value for an empty set; an empty output reduces no set at all. */
    if ((desc->op == MLB_OP_REDUCE_MAX || desc->op == MLB_OP_REDUCE_MIN) && reduced_count == 0 &&
        cpuref_numel(y) > 0) {
        return cpuref_fail(MLB_ERROR_INVALID_ARGUMENT, why, why_len,
                           "%s: the reduced set is empty (a reduced axis has extent 0)", name);
    }
    const uint32_t allowed = (desc->op == MLB_OP_REDUCE_SUM || desc->op == MLB_OP_REDUCE_MAX ||
                              desc->op == MLB_OP_REDUCE_MIN)
                                 ? CPUREF_DT_NUMERIC
                                 : CPUREF_DT_FLOAT;
    return cpuref_check_dtype(desc, x->dtype, allowed, why, why_len);
}

/* Walks the reduced set of one output element: idx = kept coordinates + reduced coordinates. */
typedef struct reduce_walk {
    const mlb_tensor_desc *x;
    uint8_t *base;
    const int64_t
        *kept_idx; /* the output element's coordinates on the input's axes, 0 on reduced */
    const int64_t *red_shape; /* reduced extents, 1 on kept axes */
    int64_t red_idx[MLB_MAX_RANK];
} reduce_walk;

static const uint8_t *walk_elem(const reduce_walk *w) {
    int64_t idx[MLB_MAX_RANK];
    for (int32_t k = 0; k < w->x->rank; ++k) {
        idx[k] = w->kept_idx[k] + w->red_idx[k];
    }
    return cpuref_elem(w->x, w->base, idx);
}

/* 1 when a is the larger of two non-NaN values (max) or the smaller (min); +0.0 > -0.0. */
static int float_wins(int32_t op, double a, double b) {
    if (a == b) {
        return op == MLB_OP_REDUCE_MAX ? (!signbit(a) && signbit(b)) : (signbit(a) && !signbit(b));
    }
    return op == MLB_OP_REDUCE_MAX ? a > b : a < b;
}

/* The reduction of a non-empty set of float elements, in double, in index order. */
static double reduce_float(int32_t op, reduce_walk *w, int64_t count) {
    const int32_t dtype = w->x->dtype;
    const int32_t rank = w->x->rank;
    double acc = cpuref_load_f64(dtype, walk_elem(w));
    while (cpuref_next_index(w->red_idx, w->red_shape, rank)) {
        const double v = cpuref_load_f64(dtype, walk_elem(w));
        switch (op) {
        case MLB_OP_REDUCE_SUM:
        case MLB_OP_REDUCE_MEAN:
            acc += v;
            break;
        case MLB_OP_REDUCE_PROD:
            acc *= v;
            break;
        default: /* max, min: any NaN makes the result NaN */
            if (isnan(acc)) {
                return acc;
            }
            if (isnan(v) || float_wins(op, v, acc)) {
                acc = v;
            }
            break;
        }
    }
    return op == MLB_OP_REDUCE_MEAN ? acc / (double)count : acc;
}

/* The reduction of a non-empty set of integer elements: wrapping sum or exact max/min. */
static int64_t reduce_int(int32_t op, reduce_walk *w) {
    const int32_t dtype = w->x->dtype;
    const int32_t rank = w->x->rank;
    int64_t first = cpuref_load_i64(dtype, walk_elem(w));
    uint64_t sum = (uint64_t)first; /* unsigned: wraps without undefined behaviour */
    int64_t best = first;
    while (cpuref_next_index(w->red_idx, w->red_shape, rank)) {
        const int64_t v = cpuref_load_i64(dtype, walk_elem(w));
        sum += (uint64_t)v;
        if (op == MLB_OP_REDUCE_MAX ? v > best : v < best) {
            best = v;
        }
    }
    if (op != MLB_OP_REDUCE_SUM) {
        return best;
    }
    /* Two's complement reading of sum, without relying on implementation-defined conversion. */
    return sum <= (uint64_t)INT64_MAX ? (int64_t)sum : -(int64_t)(UINT64_MAX - sum) - 1;
}

/* The value of an empty reduced set (max and min never get here: check refuses them). */
static double empty_value(int32_t op) {
    switch (op) {
    case MLB_OP_REDUCE_MEAN:
        return NAN;
    case MLB_OP_REDUCE_PROD:
        return 1.0;
    default:
        return 0.0;
    }
}

mlb_status cpuref_reduce_run(const mlb_op_desc *desc, uint8_t *const *in, uint8_t *const *out,
                             char *why, size_t why_len) {
    (void)why, (void)why_len;
    const mlb_reduce_attrs *attrs = (const mlb_reduce_attrs *)desc->attrs;
    const mlb_tensor_desc *x = desc->inputs[0];
    const mlb_tensor_desc *y = desc->outputs[0];
    if (cpuref_numel(y) == 0) {
        return MLB_OK;
    }
    int64_t kept_shape[MLB_MAX_RANK], red_shape[MLB_MAX_RANK];
    int64_t count = 1;
    for (int32_t k = 0; k < x->rank; ++k) {
        const int reduced = is_reduced(attrs->axes, k);
        kept_shape[k] = reduced ? 1 : x->shape[k];
        red_shape[k] = reduced ? x->shape[k] : 1;
        count *= red_shape[k];
    }
    const int is_float = cpuref_dtype_is_float(x->dtype);

    int64_t kept_idx[MLB_MAX_RANK] = {0};
    do {
        /* The output element: the kept coordinates, with reduced axes as 0 or dropped. */
        int64_t out_idx[MLB_MAX_RANK];
        int32_t r = 0;
        for (int32_t k = 0; k < x->rank; ++k) {
            if (!is_reduced(attrs->axes, k) || attrs->keepdims) {
                out_idx[r++] = kept_idx[k];
            }
        }
        uint8_t *dst = cpuref_elem(y, out[0], out_idx);

        reduce_walk w = {x, in[0], kept_idx, red_shape, {0}};
        if (count == 0) {
            cpuref_store_f64(y->dtype, dst, empty_value(desc->op));
        } else if (is_float) {
            cpuref_store_f64(y->dtype, dst, reduce_float(desc->op, &w, count));
        } else {
            cpuref_store_i64(y->dtype, dst, reduce_int(desc->op, &w));
        }
    } while (cpuref_next_index(kept_idx, kept_shape, x->rank));
    return MLB_OK;
}
