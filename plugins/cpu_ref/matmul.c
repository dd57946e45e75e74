/*
 * matmul.c - batched matrix product with a fused epilogue (docs/ops.md
 * section 5): out[..., m, n] = act(sum_k a[..., m, k] * b[..., k, n] + bias[n]),
 * the sum over k in increasing order in double, one rounding at the store.
 * Batch axes broadcast NumPy-style; transposes arrive as strides.
 */
#include "activation.h"
#include "dtype.h"
#include "op_util.h"
#include "ops.h"
#include "tensor.h"

/* Extent of batch axis k (of out_rank - 2 batch axes) of t, aligned at the end; 1 if missing. */
static int64_t batch_extent(const mlb_tensor_desc *t, int32_t k, int32_t out_rank) {
    const int32_t lead = out_rank - t->rank;
    return k < lead ? 1 : t->shape[k - lead];
}

/* Strides reading t's batch axes as the output's `nbatch` batch axes (0 where broadcast). */
static void batch_strides(const mlb_tensor_desc *t, int32_t nbatch, int64_t *strides) {
    const int32_t lead = nbatch - (t->rank - 2);
    for (int32_t k = 0; k < nbatch; ++k) {
        if (k < lead || t->shape[k - lead] == 1) {
            strides[k] = 0;
        } else {
            strides[k] = t->strides[k - lead];
        }
    }
}

static mlb_status check_shapes(const mlb_op_desc *desc, int has_bias, char *why, size_t why_len) {
    const mlb_tensor_desc *a = desc->inputs[0], *b = desc->inputs[1], *o = desc->outputs[0];
    if (a->rank < 2 || b->rank < 2) {
        return cpuref_fail(MLB_ERROR_INVALID_ARGUMENT, why, why_len,
                           "matmul: %s has rank %d, needs at least 2", a->rank < 2 ? "a" : "b",
                           a->rank < 2 ? a->rank : b->rank);
    }
    const int32_t rank = a->rank > b->rank ? a->rank : b->rank;
    if (o->rank != rank) {
        return cpuref_fail(MLB_ERROR_INVALID_ARGUMENT, why, why_len,
                           "matmul: output rank %d != max(rank of a, rank of b) = %d", o->rank,
                           rank);
    }
    const int64_t m = a->shape[a->rank - 2], k = a->shape[a->rank - 1];
    const int64_t kb = b->shape[b->rank - 2], n = b->shape[b->rank - 1];
    if (k != kb) {
        return cpuref_fail(MLB_ERROR_INVALID_ARGUMENT, why, why_len,
                           "matmul: K of a (%lld) != K of b (%lld)", (long long)k, (long long)kb);
    }
    for (int32_t ax = 0; ax < rank - 2; ++ax) {
        const int64_t ea = batch_extent(a, ax, rank), eb = batch_extent(b, ax, rank);
        if (ea != eb && ea != 1 && eb != 1) {
            return cpuref_fail(MLB_ERROR_INVALID_ARGUMENT, why, why_len,
                               "matmul: batch axis %d does not broadcast: a has %lld, b has %lld",
                               ax, (long long)ea, (long long)eb);
        }
        const int64_t want = ea == 1 ? eb : ea;
        if (o->shape[ax] != want) {
            return cpuref_fail(MLB_ERROR_INVALID_ARGUMENT, why, why_len,
                               "matmul: output batch axis %d is %lld, expected %lld", ax,
                               (long long)o->shape[ax], (long long)want);
        }
    }
    if (o->shape[rank - 2] != m || o->shape[rank - 1] != n) {
        return cpuref_fail(MLB_ERROR_INVALID_ARGUMENT, why, why_len,
                           "matmul: output is [..., %lld, %lld], expected [..., M, N] = "
                           "[..., %lld, %lld]",
                           (long long)o->shape[rank - 2], (long long)o->shape[rank - 1],
                           (long long)m, (long long)n);
    }
    if (has_bias) {
        const mlb_tensor_desc *bias = desc->inputs[2];
        if (bias->rank != 1 || bias->shape[0] != n) {
            return cpuref_fail(MLB_ERROR_INVALID_ARGUMENT, why, why_len,
                               "matmul: bias must have shape [N] = [%lld] (rank %d, first extent "
                               "%lld)",
                               (long long)n, bias->rank,
                               bias->rank ? (long long)bias->shape[0] : 0LL);
        }
    }
    return cpuref_check_output_strides(desc, o, why, why_len);
}

mlb_status cpuref_matmul_check(const mlb_op_desc *desc, char *why, size_t why_len) {
    mlb_status st =
        cpuref_check_attrs(desc, MLB_STRUCT_SIZE(mlb_matmul_attrs, epilogue), why, why_len);
    if (st != MLB_OK) {
        return st;
    }
    const mlb_matmul_attrs *attrs = (const mlb_matmul_attrs *)desc->attrs;
    if ((st = cpuref_check_epilogue(desc, &attrs->epilogue, why, why_len)) != MLB_OK ||
        (st = cpuref_check_counts(desc, attrs->epilogue.has_bias ? 3u : 2u, 1u, why, why_len)) !=
            MLB_OK ||
        (st = cpuref_check_same_dtype(desc, why, why_len)) != MLB_OK ||
        (st = check_shapes(desc, attrs->epilogue.has_bias, why, why_len)) != MLB_OK) {
        return st;
    }
    return cpuref_check_dtype(desc, desc->inputs[0]->dtype, CPUREF_DT_FLOAT, why, why_len);
}

/* Address of the element `off` elements (already multiplied by strides) from t's origin. */
static inline const uint8_t *at(const mlb_tensor_desc *t, const uint8_t *base, int64_t off) {
    return base + t->byte_offset + (uint64_t)off * cpuref_dtype_size(t->dtype);
}

mlb_status cpuref_matmul_run(const mlb_op_desc *desc, uint8_t *const *in, uint8_t *const *out,
                             char *why, size_t why_len) {
    (void)why, (void)why_len;
    const mlb_matmul_attrs *attrs = (const mlb_matmul_attrs *)desc->attrs;
    const mlb_tensor_desc *a = desc->inputs[0], *b = desc->inputs[1], *o = desc->outputs[0];
    const mlb_tensor_desc *bias = attrs->epilogue.has_bias ? desc->inputs[2] : NULL;
    const int32_t act = attrs->epilogue.activation, dt = o->dtype;
    const int32_t rank = o->rank, nbatch = rank - 2;
    if (cpuref_numel(o) == 0) {
        return MLB_OK;
    }
    const int64_t m_ext = o->shape[rank - 2], n_ext = o->shape[rank - 1];
    const int64_t k_ext = a->shape[a->rank - 1];
    const int64_t a_sm = a->strides[a->rank - 2], a_sk = a->strides[a->rank - 1];
    const int64_t b_sk = b->strides[b->rank - 2], b_sn = b->strides[b->rank - 1];
    const int64_t o_sm = o->strides[rank - 2], o_sn = o->strides[rank - 1];
    int64_t a_sb[MLB_MAX_RANK], b_sb[MLB_MAX_RANK], idx[MLB_MAX_RANK] = {0};
#ifdef CPUREF_MUTANT_DROP_BIAS
    bias = NULL; /* MUTANT drop_bias: the bias input is accepted, then never added */
#endif
    batch_strides(a, nbatch, a_sb);
    batch_strides(b, nbatch, b_sb);
    do {
        int64_t a0 = 0, b0 = 0, o0 = 0;
        for (int32_t ax = 0; ax < nbatch; ++ax) {
            a0 += idx[ax] * a_sb[ax];
            b0 += idx[ax] * b_sb[ax];
            o0 += idx[ax] * o->strides[ax];
        }
        for (int64_t m = 0; m < m_ext; ++m) {
            for (int64_t n = 0; n < n_ext; ++n) {
                double acc = 0.0;
                for (int64_t k = 0; k < k_ext; ++k) {
                    acc += cpuref_load_f64(dt, at(a, in[0], a0 + m * a_sm + k * a_sk)) *
                           cpuref_load_f64(dt, at(b, in[1], b0 + k * b_sk + n * b_sn));
                }
                if (bias) {
                    acc += cpuref_load_f64(dt, at(bias, in[2], n * bias->strides[0]));
                }
                acc = cpuref_activation_f64(act, acc);
                cpuref_store_f64(dt,
                                 out[0] + o->byte_offset +
                                     (uint64_t)(o0 + m * o_sm + n * o_sn) * cpuref_dtype_size(dt),
                                 acc);
            }
        }
    } while (cpuref_next_index(idx, o->shape, nbatch));
    return MLB_OK;
}
