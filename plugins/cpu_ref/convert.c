/*
 * convert.c - data movement: cast, copy and fill (docs/ops.md section 4).
 *
 * cast goes through the exact loads and stores of dtype.h: a float source is
 * read into double and stored with cpuref_store_f64 (floats rounded once,
 * integers NaN -> 0 / truncated / saturated, bool x != 0); an integer or bool
 * source is read into int64 and stored with cpuref_store_i64 (integers wrap,
 * floats rounded once straight from the integer, bool x != 0). copy moves the
 * bytes of each element unchanged. Each element is read before it is written,
 * so the in-place forms of section 1 (copy, and cast between dtypes of one
 * size) are safe.
 */
#include <string.h>

#include "dtype.h"
#include "op_util.h"
#include "ops.h"
#include "tensor.h"

/* cast and copy take no attribute struct (docs/ops.md: no attributes). */
static mlb_status check_no_attrs(const mlb_op_desc *desc, char *why, size_t why_len) {
    if (desc->attrs) {
        return cpuref_fail(MLB_ERROR_INVALID_ARGUMENT, why, why_len,
                           "%s: takes no attributes (attrs must be NULL)",
                           cpuref_op_name(desc->op));
    }
    return MLB_OK;
}

/* One input, one output of the same shape, no attributes, a writable output layout. */
static mlb_status check_one_to_one(const mlb_op_desc *desc, char *why, size_t why_len) {
    mlb_status st;
    if ((st = cpuref_check_counts(desc, 1, 1, why, why_len)) != MLB_OK ||
        (st = check_no_attrs(desc, why, why_len)) != MLB_OK ||
        (st = cpuref_check_same_shape(desc, desc->inputs[0], desc->outputs[0], "input and output",
                                      why, why_len)) != MLB_OK) {
        return st;
    }
    return cpuref_check_output_strides(desc, desc->outputs[0], why, why_len);
}

/* ---- cast --------------------------------------------------------------- */

mlb_status cpuref_cast_check(const mlb_op_desc *desc, char *why, size_t why_len) {
    mlb_status st;
    if ((st = check_one_to_one(desc, why, why_len)) != MLB_OK ||
        (st = cpuref_check_dtype(desc, desc->inputs[0]->dtype, CPUREF_DT_ALL, why, why_len)) !=
            MLB_OK) {
        return st;
    }
    return cpuref_check_dtype(desc, desc->outputs[0]->dtype, CPUREF_DT_ALL, why, why_len);
}

mlb_status cpuref_cast_run(const mlb_op_desc *desc, uint8_t *const *in, uint8_t *const *out,
                           char *why, size_t why_len) {
    const mlb_tensor_desc *x = desc->inputs[0], *y = desc->outputs[0];
    const int from_float = cpuref_dtype_is_float(x->dtype);
    int64_t idx[MLB_MAX_RANK] = {0};
    (void)why, (void)why_len;
    if (cpuref_numel(y) == 0) {
        return MLB_OK;
    }
    do {
        const uint8_t *px = cpuref_elem(x, in[0], idx);
        uint8_t *py = cpuref_elem(y, out[0], idx);
        if (from_float) {
            cpuref_store_f64(y->dtype, py, cpuref_load_f64(x->dtype, px));
        } else {
            cpuref_store_i64(y->dtype, py, cpuref_load_i64(x->dtype, px));
        }
    } while (cpuref_next_index(idx, y->shape, y->rank));
    return MLB_OK;
}

/* ---- copy --------------------------------------------------------------- */

mlb_status cpuref_copy_check(const mlb_op_desc *desc, char *why, size_t why_len) {
    mlb_status st;
    if ((st = check_one_to_one(desc, why, why_len)) != MLB_OK ||
        (st = cpuref_check_same_dtype(desc, why, why_len)) != MLB_OK) {
        return st;
    }
    return cpuref_check_dtype(desc, desc->inputs[0]->dtype, CPUREF_DT_ALL, why, why_len);
}

mlb_status cpuref_copy_run(const mlb_op_desc *desc, uint8_t *const *in, uint8_t *const *out,
                           char *why, size_t why_len) {
    const mlb_tensor_desc *x = desc->inputs[0], *y = desc->outputs[0];
    const size_t size = cpuref_dtype_size(y->dtype);
    int64_t idx[MLB_MAX_RANK] = {0};
    (void)why, (void)why_len;
    if (cpuref_numel(y) == 0) {
        return MLB_OK;
    }
    do {
        /* memmove: an in-place copy has source == destination. */
        memmove(cpuref_elem(y, out[0], idx), cpuref_elem(x, in[0], idx), size);
    } while (cpuref_next_index(idx, y->shape, y->rank));
#ifdef CPUREF_MUTANT_WRITE_PAST_END
    /* MUTANT write_past_end: one more element stored just past the output's last byte. */
    int64_t last = 0;
    for (int32_t k = 0; k < y->rank; ++k) {
        last += (y->shape[k] - 1) * (y->strides[k] > 0 ? y->strides[k] : 0);
    }
    memcpy(out[0] + y->byte_offset + (uint64_t)(last + 1) * size, in[0] + x->byte_offset, size);
#endif
    return MLB_OK;
}

/* ---- fill --------------------------------------------------------------- */

mlb_status cpuref_fill_check(const mlb_op_desc *desc, char *why, size_t why_len) {
    mlb_status st;
    if ((st = cpuref_check_counts(desc, 0, 1, why, why_len)) != MLB_OK ||
        (st = cpuref_check_attrs(desc, MLB_STRUCT_SIZE(mlb_fill_attrs, int_value), why, why_len)) !=
            MLB_OK ||
        (st = cpuref_check_output_strides(desc, desc->outputs[0], why, why_len)) != MLB_OK) {
        return st;
    }
    return cpuref_check_dtype(desc, desc->outputs[0]->dtype, CPUREF_DT_ALL, why, why_len);
}

mlb_status cpuref_fill_run(const mlb_op_desc *desc, uint8_t *const *in, uint8_t *const *out,
                           char *why, size_t why_len) {
    const mlb_fill_attrs *attrs = (const mlb_fill_attrs *)desc->attrs;
    const mlb_tensor_desc *y = desc->outputs[0];
    const size_t size = cpuref_dtype_size(y->dtype);
    uint8_t value[8];
    int64_t idx[MLB_MAX_RANK] = {0};
    (void)in, (void)why, (void)why_len;
    if (cpuref_numel(y) == 0) {
        return MLB_OK;
    }
    /* Convert once: float outputs take float_value rounded once, the others int_value
     * wrapped (bool: != 0). */
    if (cpuref_dtype_is_float(y->dtype)) {
        cpuref_store_f64(y->dtype, value, attrs->float_value);
    } else {
        cpuref_store_i64(y->dtype, value, attrs->int_value);
    }
    do {
        memcpy(cpuref_elem(y, out[0], idx), value, size);
    } while (cpuref_next_index(idx, y->shape, y->rank));
    return MLB_OK;
}
