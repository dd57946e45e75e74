/*
 * reduce_test_util.h - helpers shared by reduce_test.c, softmax_norm_test.c
 * and gather_test.c: a tensor descriptor with its own host buffer (filled
 * with a guard pattern), element setters/getters by logical row-major index,
 * a guard check, and a call of an op family's check then run.
 *
 * Values are written and read with dtype.h's exact load/store, which round
 * once; expectations in the tests are computed by hand, never by cpu_ref.
 */
#ifndef CPUREF_REDUCE_TEST_UTIL_H
#define CPUREF_REDUCE_TEST_UTIL_H

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "dtype.h"
#include "ops.h"
#include "tensor.h"

#define GUARD_BYTE 0xA5
#define TT_BYTES 4096

/* A tensor and the buffer it lives in. */
typedef struct tt {
    mlb_tensor_desc d;
    uint8_t buf[TT_BYTES];
} tt;

/*
 * Sets up t: shape (rank entries; NULL for rank 0), strides (NULL = contiguous
 * row-major), byte offset; fills the whole buffer with GUARD_BYTE.
 */
static inline void tt_init(tt *t, int32_t dtype, int32_t rank, const int64_t *shape,
                           const int64_t *strides, uint64_t byte_offset) {
    memset(t, 0, sizeof *t);
    t->d.struct_size = MLB_STRUCT_SIZE(mlb_tensor_desc, byte_offset);
    t->d.dtype = dtype;
    t->d.rank = rank;
    t->d.byte_offset = byte_offset;
    int64_t step = 1;
    for (int32_t k = rank - 1; k >= 0; --k) {
        t->d.shape[k] = shape[k];
        t->d.strides[k] = strides ? strides[k] : step;
        step *= shape[k] > 0 ? shape[k] : 1;
    }
    /* The tensor must fit: last byte = offset + size * (sum of (extent-1)*stride + 1). */
    int64_t last = 0;
    for (int32_t k = 0; k < rank; ++k) {
        last += (shape[k] > 0 ? shape[k] - 1 : 0) * t->d.strides[k];
    }
    if (byte_offset + (uint64_t)(last + 1) * cpuref_dtype_size(dtype) > TT_BYTES) {
        fprintf(stderr, "tt_init: tensor does not fit its test buffer\n");
        exit(2);
    }
    memset(t->buf, GUARD_BYTE, sizeof t->buf);
}

/* Address of the element with logical row-major index `flat`. */
static inline uint8_t *tt_at(tt *t, int64_t flat) {
    int64_t idx[MLB_MAX_RANK];
    for (int32_t k = t->d.rank - 1; k >= 0; --k) {
        idx[k] = flat % t->d.shape[k];
        flat /= t->d.shape[k];
    }
    return cpuref_elem(&t->d, t->buf, idx);
}

static inline void tt_set_f(tt *t, int64_t flat, double v) {
    cpuref_store_f64(t->d.dtype, tt_at(t, flat), v);
}
static inline void tt_set_i(tt *t, int64_t flat, int64_t v) {
    cpuref_store_i64(t->d.dtype, tt_at(t, flat), v);
}
static inline double tt_get_f(tt *t, int64_t flat) {
    return cpuref_load_f64(t->d.dtype, tt_at(t, flat));
}
static inline int64_t tt_get_i(tt *t, int64_t flat) {
    return cpuref_load_i64(t->d.dtype, tt_at(t, flat));
}
/* Every element from an array in logical order (n must be the element count). */
static inline void tt_fill_f(tt *t, const double *v, int64_t n) {
    for (int64_t i = 0; i < n; ++i) {
        tt_set_f(t, i, v[i]);
    }
}
static inline void tt_fill_i(tt *t, const int64_t *v, int64_t n) {
    for (int64_t i = 0; i < n; ++i) {
        tt_set_i(t, i, v[i]);
    }
}
/* Raw bits of a 2- or 4-byte element (f16/bf16/f32 patterns). */
static inline uint32_t tt_bits(tt *t, int64_t flat) {
    const uint8_t *p = tt_at(t, flat);
    if (cpuref_dtype_size(t->d.dtype) == 2) {
        uint16_t h;
        memcpy(&h, p, 2);
        return h;
    }
    uint32_t w;
    memcpy(&w, p, 4);
    return w;
}

/* 1 when every byte of the buffer outside the tensor's elements still holds GUARD_BYTE. */
static inline int tt_guard_ok(tt *t) {
    uint8_t mine[TT_BYTES];
    memset(mine, 0, sizeof mine);
    const size_t size = cpuref_dtype_size(t->d.dtype);
    const int64_t n = cpuref_numel(&t->d);
    for (int64_t i = 0; i < n; ++i) {
        memset(mine + (tt_at(t, i) - t->buf), 1, size);
    }
    for (size_t b = 0; b < TT_BYTES; ++b) {
        if (!mine[b] && t->buf[b] != GUARD_BYTE) {
            fprintf(stderr, "guard byte %zu overwritten\n", b);
            return 0;
        }
    }
    return 1;
}

/* 1 when no byte of the buffer changed (the output of a failed or empty run). */
static inline int tt_untouched(const tt *t) {
    for (size_t b = 0; b < TT_BYTES; ++b) {
        if (t->buf[b] != GUARD_BYTE) {
            return 0;
        }
    }
    return 1;
}

/* A descriptor over tensor pointers; the arrays must outlive its use. */
static inline mlb_op_desc make_desc(int32_t op, const void *attrs,
                                    const mlb_tensor_desc *const *ins, uint32_t nin,
                                    const mlb_tensor_desc *const *outs, uint32_t nout) {
    mlb_op_desc d;
    memset(&d, 0, sizeof d);
    d.struct_size = MLB_STRUCT_SIZE(mlb_op_desc, attrs);
    d.op = op;
    d.num_inputs = nin;
    d.num_outputs = nout;
    d.inputs = ins;
    d.outputs = outs;
    d.attrs = attrs;
    return d;
}

/* The family under test: set by each test program before calling op_call/op_check. */
static cpuref_check_fn family_check;
static cpuref_run_fn family_run;
static char why[CPUREF_WHY_LEN];

/* Checks op on (ins..., out); returns its status, reason in `why`. */
static inline mlb_status op_check(int32_t op, const void *attrs, tt **ins, uint32_t nin, tt *out) {
    const mlb_tensor_desc *in_d[4];
    const mlb_tensor_desc *out_d[1] = {&out->d};
    for (uint32_t i = 0; i < nin; ++i) {
        in_d[i] = &ins[i]->d;
    }
    mlb_op_desc d = make_desc(op, attrs, in_d, nin, out_d, 1);
    why[0] = '\0';
    return family_check(&d, why, sizeof why);
}

/* Checks then (when the check passes) runs op; returns the first failing status. */
static inline mlb_status op_call(int32_t op, const void *attrs, tt **ins, uint32_t nin, tt *out) {
    const mlb_tensor_desc *in_d[4];
    uint8_t *in_b[4];
    const mlb_tensor_desc *out_d[1] = {&out->d};
    uint8_t *out_b[1] = {out->buf};
    for (uint32_t i = 0; i < nin; ++i) {
        in_d[i] = &ins[i]->d;
        in_b[i] = ins[i]->buf;
    }
    mlb_op_desc d = make_desc(op, attrs, in_d, nin, out_d, 1);
    why[0] = '\0';
    mlb_status st = family_check(&d, why, sizeof why);
    if (st != MLB_OK) {
        return st;
    }
    return family_run(&d, in_b, out_b, why, sizeof why);
}

/* |got - want| <= rel * |want|, with NaN matching NaN and infinities matching exactly. */
static inline int near_rel(double got, double want, double rel) {
    if (isnan(want) || isnan(got)) {
        return isnan(want) && isnan(got);
    }
    if (isinf(want) || isinf(got)) {
        return got == want;
    }
    return fabs(got - want) <= rel * fabs(want);
}

/* Same bits as a double (tells -0.0 from +0.0). */
static inline int same_f64(double a, double b) {
    return memcmp(&a, &b, sizeof a) == 0;
}

static const int32_t float_dtypes[] = {MLB_DTYPE_F32, MLB_DTYPE_F16, MLB_DTYPE_BF16, MLB_DTYPE_F64};
static const int32_t int_dtypes[] = {MLB_DTYPE_I8, MLB_DTYPE_U8, MLB_DTYPE_I32, MLB_DTYPE_I64};

/* A small deterministic generator for the cross-checks (values exact in f32). */
static uint32_t lcg_state = 12345u;
static inline double lcg_value(void) {
    lcg_state = lcg_state * 1664525u + 1013904223u;
    /* A 12-bit integer over 2^6, in [-32, 32): exact in f32 (and far from overflow). */
    return ((double)(lcg_state >> 20) - 2048.0) / 64.0;
}

#endif /* CPUREF_REDUCE_TEST_UTIL_H */
