/*
 * gather.c - gather along one axis (docs/ops.md section 11).
 *
 * out[o.., j.., i..] = data[o.., wrap(indices[j..]), i..], where o.. are the
 * data axes before `axis`, j.. the indices' axes and i.. the data axes after
 * `axis`. gather moves data: each element is copied byte for byte (NaN
 * payloads and -0.0 included). Every index is validated before anything is
 * written, so a launch that fails leaves the output untouched.
 */
#include <stdio.h>
#include <string.h>

#include "dtype.h"
#include "op_util.h"
#include "tensor.h"

mlb_status cpuref_gather_check(const mlb_op_desc *desc, char *why, size_t why_len) {
    mlb_status st = cpuref_check_counts(desc, 2, 1, why, why_len);
    if (st == MLB_OK) {
        st = cpuref_check_attrs(desc, MLB_STRUCT_SIZE(mlb_axis_attrs, axis), why, why_len);
    }
    if (st != MLB_OK) {
        return st;
    }
    const mlb_axis_attrs *attrs = (const mlb_axis_attrs *)desc->attrs;
    const mlb_tensor_desc *data = desc->inputs[0];
    const mlb_tensor_desc *indices = desc->inputs[1];
    const mlb_tensor_desc *out = desc->outputs[0];
    if (data->rank < 1) {
        return cpuref_fail(MLB_ERROR_INVALID_ARGUMENT, why, why_len,
                           "gather: data has rank 0, expected rank >= 1");
    }
    int32_t axis;
    st = cpuref_normalize_axis(desc, attrs->axis, data->rank, &axis, why, why_len);
    if (st != MLB_OK) {
        return st;
    }
    if (indices->dtype != MLB_DTYPE_I32 && indices->dtype != MLB_DTYPE_I64) {
        return cpuref_fail(MLB_ERROR_INVALID_ARGUMENT, why, why_len,
                           "gather: indices are %s, expected i32 or i64",
                           cpuref_dtype_name(indices->dtype));
    }
    if (out->dtype != data->dtype) {
        return cpuref_fail(MLB_ERROR_INVALID_ARGUMENT, why, why_len,
                           "gather: output is %s, expected %s (the dtype of data)",
                           cpuref_dtype_name(out->dtype), cpuref_dtype_name(data->dtype));
    }
    const int32_t rank = data->rank - 1 + indices->rank;
    if (rank > MLB_MAX_RANK) {
        return cpuref_fail(MLB_ERROR_INVALID_ARGUMENT, why, why_len,
                           "gather: output rank %d (data rank %d - 1 + indices rank %d) > %d", rank,
                           data->rank, indices->rank, MLB_MAX_RANK);
    }
    int64_t shape[MLB_MAX_RANK];
    int32_t r = 0;
    for (int32_t k = 0; k < axis; ++k) {
        shape[r++] = data->shape[k];
    }
    for (int32_t k = 0; k < indices->rank; ++k) {
        shape[r++] = indices->shape[k];
    }
    for (int32_t k = axis + 1; k < data->rank; ++k) {
        shape[r++] = data->shape[k];
    }
    st = cpuref_check_shape_is(desc, "output", out, rank, shape, why, why_len);
    if (st == MLB_OK) {
        st = cpuref_check_output_strides(desc, out, why, why_len);
    }
    if (st == MLB_OK) {
        st = cpuref_check_dtype(desc, data->dtype, CPUREF_DT_NUMERIC, why, why_len);
    }
    return st;
}

/* Every index lies in [-extent, extent) (OUT_OF_RANGE naming the first that does not). */
static mlb_status check_indices(const mlb_tensor_desc *indices, uint8_t *base, int64_t extent,
                                char *why, size_t why_len) {
    if (cpuref_numel(indices) == 0) {
        return MLB_OK;
    }
    int64_t idx[MLB_MAX_RANK] = {0};
    do {
        const int64_t i = cpuref_load_i64(indices->dtype, cpuref_elem(indices, base, idx));
        if (i < -extent || i >= extent) {
            char pos[8 * 22 + 3];
            cpuref_dims_text(idx, indices->rank, ", ", pos, sizeof pos);
            return cpuref_fail(MLB_ERROR_OUT_OF_RANGE, why, why_len,
                               "gather: index %lld at indices%s is outside [-%lld, %lld)",
                               (long long)i, pos, (long long)extent, (long long)extent);
        }
    } while (cpuref_next_index(idx, indices->shape, indices->rank));
    return MLB_OK;
}

mlb_status cpuref_gather_run(const mlb_op_desc *desc, uint8_t *const *in, uint8_t *const *out,
                             char *why, size_t why_len) {
    const mlb_axis_attrs *attrs = (const mlb_axis_attrs *)desc->attrs;
    const mlb_tensor_desc *data = desc->inputs[0];
    const mlb_tensor_desc *indices = desc->inputs[1];
    const mlb_tensor_desc *y = desc->outputs[0];
    if (cpuref_numel(y) == 0) {
        return MLB_OK; /* nothing is read, so no index is looked at (docs/ops.md section 1) */
    }
    const int32_t axis = attrs->axis < 0 ? attrs->axis + data->rank : attrs->axis;
    const int64_t extent = data->shape[axis];
    mlb_status st = check_indices(indices, in[1], extent, why, why_len);
    if (st != MLB_OK) {
        return st;
    }
    const size_t elem_size = cpuref_dtype_size(data->dtype);
    const int32_t q = indices->rank;
    int64_t out_idx[MLB_MAX_RANK] = {0};
    do {
        /* data index: out_idx[0..axis), the looked-up index, out_idx[axis+q..) */
        int64_t data_idx[MLB_MAX_RANK];
        for (int32_t k = 0; k < axis; ++k) {
            data_idx[k] = out_idx[k];
        }
        int64_t i = cpuref_load_i64(indices->dtype, cpuref_elem(indices, in[1], out_idx + axis));
        data_idx[axis] = i < 0 ? i + extent : i;
        for (int32_t k = axis + 1; k < data->rank; ++k) {
            data_idx[k] = out_idx[k - 1 + q];
        }
        memcpy(cpuref_elem(y, out[0], out_idx), cpuref_elem(data, in[0], data_idx), elem_size);
    } while (cpuref_next_index(out_idx, y->shape, y->rank));
    return MLB_OK;
}
