/*
 * md.c - mlb tensor descriptors as oneDNN memory descriptors, strides kept
 * (dnnl_memory_desc_init_by_strides), so oneDNN reads and writes the user's
 * tensors in place. Two rules oneDNN needs: a rank-0 tensor is [1]; the
 * stride of an axis of extent 1 is irrelevant to us but oneDNN matches plain
 * layouts by strides, so it gets the value a row-major layout would have.
 */
#include <dnnl_debug.h>

#include "onednn_impl.h"

dnnl_data_type_t onednn_dt(int32_t dtype) {
    switch (dtype) {
    case MLB_DTYPE_F32:
        return dnnl_f32;
    case MLB_DTYPE_BF16:
        return dnnl_bf16;
    case MLB_DTYPE_F16:
        return dnnl_f16;
    case MLB_DTYPE_I8:
        return dnnl_s8;
    case MLB_DTYPE_U8:
    case MLB_DTYPE_BOOL:
        return dnnl_u8;
    case MLB_DTYPE_I32:
        return dnnl_s32;
    default:
        return dnnl_data_type_undef;
    }
}

int64_t onednn_numel(const mlb_tensor_desc *t) {
    int64_t n = 1;
    for (int32_t k = 0; k < t->rank; ++k) {
        n *= t->shape[k];
    }
    return n;
}

int onednn_has_zero_stride(const mlb_tensor_desc *t) {
    for (int32_t k = 0; k < t->rank; ++k) {
        if (t->shape[k] > 1 && t->strides[k] == 0) {
            return 1;
        }
    }
    return 0;
}

mlb_tensor_desc onednn_tensor_permuted(const mlb_tensor_desc *t, const int *perm) {
    mlb_tensor_desc p = *t;
    for (int32_t a = 0; a < t->rank; ++a) {
        p.shape[a] = t->shape[perm[a]];
        p.strides[a] = t->strides[perm[a]];
    }
    return p;
}

mlb_status onednn_md_strided(dnnl_memory_desc_t *md, int rank, const dnnl_dim_t *dims,
                             const dnnl_dim_t *strides, dnnl_data_type_t dt, char *why,
                             size_t why_len) {
    dnnl_dims_t d, s;
    /* Leading axes of extent 1 (a batch of 1, added leading axes) sit outside the whole tensor,
     * as in every plain layout (NHWC's N stride is H*W*C); other axes of extent 1 sit just
     * outside the next inner axis, as in row-major order. */
    dnnl_dim_t span = 1;
    int lead = 0;
    while (lead < rank && dims[lead] == 1) {
        ++lead;
    }
    for (int k = lead; k < rank; ++k) {
        if (dims[k] != 1 && strides[k] * dims[k] > span) {
            span = strides[k] * dims[k];
        }
    }
    dnnl_dim_t inner = 1; /* row-major stride of the axis being visited */
    for (int k = rank - 1; k >= 0; --k) {
        d[k] = dims[k];
        s[k] = dims[k] != 1 ? strides[k] : k < lead ? span : inner;
        /* The next outer axis of extent 1 sits just outside this one. */
        inner = dims[k] == 1 ? inner : strides[k] * dims[k];
        if (inner == 0) {
            inner = 1;
        }
    }
    dnnl_status_t st = dnnl_memory_desc_init_by_strides(md, rank, d, dt, s);
    return st == dnnl_success ? MLB_OK
                              : onednn_status(st, "memory_desc_init_by_strides", why, why_len);
}

mlb_status onednn_md_tensor(dnnl_memory_desc_t *md, const mlb_tensor_desc *t, int rank,
                            dnnl_data_type_t dt, int flags, char *why, size_t why_len) {
    dnnl_dims_t dims, strides;
    if (rank < t->rank) {
        return onednn_fail(MLB_ERROR_INTERNAL, why, why_len, "rank %d < tensor rank %d", rank,
                           t->rank);
    }
    if (rank == 0) {
        dims[0] = 1, strides[0] = 1;
        return onednn_md_strided(md, 1, dims, strides, dt, why, why_len);
    }
    const int lead = rank - t->rank;
    for (int k = 0; k < rank; ++k) {
        if (k < lead) {
            dims[k] = 1, strides[k] = 0;
            continue;
        }
        dims[k] = t->shape[k - lead];
        strides[k] = t->strides[k - lead];
        if ((flags & ONEDNN_MD_BCAST) && strides[k] == 0) {
            dims[k] = 1;
        }
    }
    return onednn_md_strided(md, rank, dims, strides, dt, why, why_len);
}

mlb_status onednn_md_dense(dnnl_memory_desc_t *md, int rank, const dnnl_dim_t *dims,
                           dnnl_data_type_t dt, char *why, size_t why_len) {
    dnnl_dims_t strides;
    dnnl_dim_t s = 1;
    for (int k = rank - 1; k >= 0; --k) {
        strides[k] = s;
        s *= dims[k] ? dims[k] : 1;
    }
    return onednn_md_strided(md, rank, dims, strides, dt, why, why_len);
}
