/*
 * softmax.c - softmax and log_softmax along one axis (docs/ops.md section 8).
 *
 * Per slice along the axis, in double, with m the slice's maximum:
 *   softmax      y_i = e^(x_i - m) / S
 *   log_softmax  y_i = (x_i - m) - ln S,    S = sum_j e^(x_j - m) in index order.
 * The formulas are written out as IEEE arithmetic with no special cases; they
 * give the page's NaN/Inf behaviour by themselves (a NaN or +Inf in the slice,
 * or a slice of only -Inf, makes every y NaN; a -Inf among finite values gives
 * 0 or -Inf). e^(x_i - m) is computed again in the last pass rather than kept,
 * so nothing is allocated; the same expression gives the same double.
 */
#include <math.h>

#include "dtype.h"
#include "op_util.h"
#include "tensor.h"

mlb_status cpuref_softmax_check(const mlb_op_desc *desc, char *why, size_t why_len) {
    mlb_status st = cpuref_check_counts(desc, 1, 1, why, why_len);
    if (st == MLB_OK) {
        st = cpuref_check_attrs(desc, MLB_STRUCT_SIZE(mlb_axis_attrs, axis), why, why_len);
    }
    if (st == MLB_OK) {
        st = cpuref_check_same_dtype(desc, why, why_len);
    }
    if (st != MLB_OK) {
        return st;
    }
    const mlb_axis_attrs *attrs = (const mlb_axis_attrs *)desc->attrs;
    const mlb_tensor_desc *x = desc->inputs[0];
    if (x->rank < 1) {
        return cpuref_fail(MLB_ERROR_INVALID_ARGUMENT, why, why_len,
                           "%s: the input has rank 0, expected rank >= 1",
                           cpuref_op_name(desc->op));
    }
    int32_t axis;
    st = cpuref_normalize_axis(desc, attrs->axis, x->rank, &axis, why, why_len);
    if (st == MLB_OK) {
        st = cpuref_check_same_shape(desc, x, desc->outputs[0], "input and output", why, why_len);
    }
    if (st == MLB_OK) {
        st = cpuref_check_output_strides(desc, desc->outputs[0], why, why_len);
    }
    if (st == MLB_OK) {
        st = cpuref_check_dtype(desc, x->dtype, CPUREF_DT_FLOAT, why, why_len);
    }
    return st;
}

mlb_status cpuref_softmax_run(const mlb_op_desc *desc, uint8_t *const *in, uint8_t *const *out,
                              char *why, size_t why_len) {
    (void)why, (void)why_len;
    const mlb_axis_attrs *attrs = (const mlb_axis_attrs *)desc->attrs;
    const mlb_tensor_desc *x = desc->inputs[0];
    const mlb_tensor_desc *y = desc->outputs[0];
    const int log_form = desc->op == MLB_OP_LOG_SOFTMAX;
    if (cpuref_numel(x) == 0) {
        return MLB_OK;
    }
#ifdef CPUREF_MUTANT_SOFTMAX_AXIS
    const int32_t axis = x->rank - 1; /* MUTANT softmax_axis: always the last axis */
    (void)attrs;
#else
    const int32_t axis = attrs->axis < 0 ? attrs->axis + x->rank : attrs->axis;
#endif
    const int64_t n = x->shape[axis];

    /* Odometer over every axis but `axis` (held at extent 1); idx[axis] walks the slice. */
    int64_t outer_shape[MLB_MAX_RANK];
    for (int32_t k = 0; k < x->rank; ++k) {
        outer_shape[k] = k == axis ? 1 : x->shape[k];
    }
    int64_t idx[MLB_MAX_RANK] = {0};
    do {
        idx[axis] = 0;
        double m = cpuref_load_f64(x->dtype, cpuref_elem(x, in[0], idx));
        for (idx[axis] = 1; idx[axis] < n; ++idx[axis]) {
            const double v = cpuref_load_f64(x->dtype, cpuref_elem(x, in[0], idx));
            if (!isnan(m) && (isnan(v) || v > m)) { /* a NaN maximum: the slice is NaN */
                m = v;
            }
        }
        double s = 0.0;
        for (idx[axis] = 0; idx[axis] < n; ++idx[axis]) {
            s += exp(cpuref_load_f64(x->dtype, cpuref_elem(x, in[0], idx)) - m);
        }
        const double log_s = log_form ? log(s) : 0.0;
        for (idx[axis] = 0; idx[axis] < n; ++idx[axis]) {
            const double d = cpuref_load_f64(x->dtype, cpuref_elem(x, in[0], idx)) - m;
            cpuref_store_f64(y->dtype, cpuref_elem(y, out[0], idx),
                             log_form ? d - log_s : exp(d) / s);
        }
        idx[axis] = 0;
    } while (cpuref_next_index(idx, outer_shape, x->rank));
    return MLB_OK;
}
