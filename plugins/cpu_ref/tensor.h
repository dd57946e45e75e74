/*
 * tensor.h - walking tensor descriptors: element counts, byte addresses of a
 * multi-index, and an odometer over all indices in row-major order.
 */
#ifndef CPUREF_TENSOR_H
#define CPUREF_TENSOR_H

#include <stdint.h>

#include "dtype.h"
#include "ml_backend.h"

/* Number of elements (product of the shape; 1 for rank 0). */
static inline int64_t cpuref_numel(const mlb_tensor_desc *t) {
    int64_t n = 1;
    for (int32_t k = 0; k < t->rank; ++k) {
        n *= t->shape[k];
    }
    return n;
}

/* Address of element `idx` (idx has t->rank entries) in a buffer starting at base. */
static inline uint8_t *cpuref_elem(const mlb_tensor_desc *t, uint8_t *base, const int64_t *idx) {
    int64_t off = 0;
    for (int32_t k = 0; k < t->rank; ++k) {
        off += idx[k] * t->strides[k];
    }
    return base + t->byte_offset + (uint64_t)off * cpuref_dtype_size(t->dtype);
}

/* Advances idx over `shape` (rank entries) in row-major order; returns 0 after the last. */
static inline int cpuref_next_index(int64_t *idx, const int64_t *shape, int32_t rank) {
    for (int32_t k = rank - 1; k >= 0; --k) {
        if (++idx[k] < shape[k]) {
            return 1;
        }
        idx[k] = 0;
    }
    return 0;
}

/*
 * Strides that read `in` as if it had the output's rank and shape under NumPy
 * broadcasting (axes aligned at the end; an input axis of extent 1, or a
 * missing leading axis, gets stride 0). Returns 0 when the shapes do not
 * broadcast to out_shape.
 */
static inline int cpuref_broadcast_strides(const mlb_tensor_desc *in, int32_t out_rank,
                                           const int64_t *out_shape, int64_t *strides) {
    if (in->rank > out_rank) {
        return 0;
    }
    const int32_t lead = out_rank - in->rank;
    for (int32_t k = 0; k < out_rank; ++k) {
        if (k < lead) {
            strides[k] = 0;
            continue;
        }
        const int64_t extent = in->shape[k - lead];
        if (extent == out_shape[k]) {
            strides[k] = extent == 1 ? 0 : in->strides[k - lead];
        } else if (extent == 1) {
            strides[k] = 0;
        } else {
            return 0;
        }
    }
    return 1;
}

/* Byte address of idx (out_rank entries) in `in`, read through broadcast strides. */
static inline uint8_t *cpuref_elem_strided(const mlb_tensor_desc *in, uint8_t *base,
                                           const int64_t *strides, int32_t rank,
                                           const int64_t *idx) {
    int64_t off = 0;
    for (int32_t k = 0; k < rank; ++k) {
        off += idx[k] * strides[k];
    }
    return base + in->byte_offset + (uint64_t)off * cpuref_dtype_size(in->dtype);
}

#endif /* CPUREF_TENSOR_H */
