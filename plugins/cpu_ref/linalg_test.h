/*
 * linalg_test.h - helpers shared by matmul_test.c, conv2d_test.c and
 * pool2d_test.c: tensor descriptors, filling and reading tensors by logical
 * index, and running an op's check + run on host buffers with guard bytes
 * around the output (every byte that is not an output element must keep the
 * sentinel GUARD_BYTE).
 */
#ifndef CPUREF_LINALG_TEST_H
#define CPUREF_LINALG_TEST_H

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "dtype.h"
#include "ops.h"
#include "tensor.h"

#define GUARD_BYTE 0xA5
#define GUARD_TAIL 64 /* sentinel bytes after the last output element */

static const int32_t float_dtypes[4] = {MLB_DTYPE_F32, MLB_DTYPE_F16, MLB_DTYPE_BF16,
                                        MLB_DTYPE_F64};
static const int32_t other_dtypes[5] = {MLB_DTYPE_I8, MLB_DTYPE_U8, MLB_DTYPE_I32, MLB_DTYPE_I64,
                                        MLB_DTYPE_BOOL};

/* A descriptor; strides NULL means contiguous row-major. */
static inline mlb_tensor_desc tdesc(int32_t dtype, int32_t rank, const int64_t *shape,
                                    const int64_t *strides, uint64_t byte_offset) {
    mlb_tensor_desc t;
    memset(&t, 0, sizeof t);
    t.struct_size = MLB_STRUCT_SIZE(mlb_tensor_desc, byte_offset);
    t.dtype = dtype;
    t.rank = rank;
    int64_t step = 1;
    for (int32_t k = rank - 1; k >= 0; --k) {
        t.shape[k] = shape[k];
        t.strides[k] = strides ? strides[k] : step;
        step *= shape[k] ? shape[k] : 1;
    }
    t.byte_offset = byte_offset;
    return t;
}

/* Bytes from the buffer start to one past the furthest element (byte_offset when empty). */
static inline size_t tdesc_end(const mlb_tensor_desc *t) {
    if (cpuref_numel(t) == 0) {
        return (size_t)t->byte_offset;
    }
    int64_t last = 0;
    for (int32_t k = 0; k < t->rank; ++k) {
        last += (t->shape[k] - 1) * t->strides[k];
    }
    return (size_t)t->byte_offset + (size_t)(last + 1) * cpuref_dtype_size(t->dtype);
}

/* Writes v[i] (row-major logical order) into t's elements; values must be exact in the dtype. */
static inline void tput(const mlb_tensor_desc *t, uint8_t *base, const double *v) {
    int64_t idx[MLB_MAX_RANK] = {0};
    if (cpuref_numel(t) == 0) {
        return;
    }
    size_t i = 0;
    do {
        cpuref_store_f64(t->dtype, cpuref_elem(t, base, idx), v[i++]);
    } while (cpuref_next_index(idx, t->shape, t->rank));
}

/* Reads t's elements in row-major logical order into v. */
static inline void tget(const mlb_tensor_desc *t, uint8_t *base, double *v) {
    int64_t idx[MLB_MAX_RANK] = {0};
    if (cpuref_numel(t) == 0) {
        return;
    }
    size_t i = 0;
    do {
        v[i++] = cpuref_load_f64(t->dtype, cpuref_elem(t, base, idx));
    } while (cpuref_next_index(idx, t->shape, t->rank));
}

/* Every byte of buf[0..len) that is not part of an element of t still holds GUARD_BYTE. */
static inline int guard_intact(const mlb_tensor_desc *t, uint8_t *buf, size_t len) {
    uint8_t *mask = calloc(len ? len : 1, 1);
    int64_t idx[MLB_MAX_RANK] = {0};
    const size_t esize = cpuref_dtype_size(t->dtype);
    if (cpuref_numel(t) > 0) {
        do {
            memset(mask + (cpuref_elem(t, buf, idx) - buf), 1, esize);
        } while (cpuref_next_index(idx, t->shape, t->rank));
    }
    int ok = 1;
    for (size_t i = 0; i < len; ++i) {
        if (!mask[i] && buf[i] != GUARD_BYTE) {
            ok = 0;
        }
    }
    free(mask);
    return ok;
}

/* One op: its descriptor and the tensors it points to. */
typedef struct opcase {
    mlb_op_desc desc;
    mlb_tensor_desc in[3];
    mlb_tensor_desc out;
    const mlb_tensor_desc *inp[3];
    const mlb_tensor_desc *outp[1];
    char why[CPUREF_WHY_LEN];
} opcase;

/* Points the descriptor at c's tensors; fill c->in[0..nin) and c->out afterwards. */
static inline void opcase_init(opcase *c, int32_t op, uint32_t nin, const void *attrs) {
    memset(c, 0, sizeof *c);
    c->desc.struct_size = MLB_STRUCT_SIZE(mlb_op_desc, attrs);
    c->desc.op = op;
    c->desc.num_inputs = nin;
    c->desc.num_outputs = 1;
    for (int i = 0; i < 3; ++i) {
        c->inp[i] = &c->in[i];
    }
    c->outp[0] = &c->out;
    c->desc.inputs = c->inp;
    c->desc.outputs = c->outp;
    c->desc.attrs = attrs;
}

/* The op's check and run functions. */
typedef struct op_fns {
    cpuref_check_fn check;
    cpuref_run_fn run;
} op_fns;

/*
 * check, then run on raw input buffers and an output buffer of out_len bytes
 * that is filled with GUARD_BYTE first; CHECKs that the guard is intact.
 * Returns the status of check, or of run when check passed.
 */
static inline mlb_status run_raw(op_fns fns, opcase *c, uint8_t *const *in, uint8_t *out,
                                 size_t out_len) {
    c->why[0] = '\0';
    mlb_status st = fns.check(&c->desc, c->why, sizeof c->why);
    if (st != MLB_OK) {
        return st;
    }
    memset(out, GUARD_BYTE, out_len);
    st = fns.run(&c->desc, in, &out, c->why, sizeof c->why);
    CHECK(guard_intact(&c->out, out, out_len));
    return st;
}

/*
 * Allocates buffers for c's tensors, writes vals[i] (row-major logical) into
 * input i, runs (run_raw) and reads the output into `got` (row-major logical).
 */
static inline mlb_status run_vals(op_fns fns, opcase *c, const double *const *vals, double *got) {
    uint8_t *in[3] = {NULL, NULL, NULL};
    for (uint32_t i = 0; i < c->desc.num_inputs; ++i) {
        in[i] = calloc(tdesc_end(&c->in[i]) + 1, 1);
        tput(&c->in[i], in[i], vals[i]);
    }
    const size_t out_len = tdesc_end(&c->out) + GUARD_TAIL;
    uint8_t *out = malloc(out_len);
    mlb_status st = run_raw(fns, c, in, out, out_len);
    if (st == MLB_OK && got) {
        tget(&c->out, out, got);
    }
    free(out);
    for (int i = 0; i < 3; ++i) {
        free(in[i]);
    }
    return st;
}

/* Exact comparison of n doubles (NaN matches NaN); prints the first mismatch. */
static inline int same_values(const double *got, const double *want, size_t n) {
    for (size_t i = 0; i < n; ++i) {
        const int both_nan = isnan(got[i]) && isnan(want[i]);
        if (!both_nan && got[i] != want[i]) {
            fprintf(stderr, "  element %zu: got %.17g, expected %.17g\n", i, got[i], want[i]);
            return 0;
        }
    }
    return 1;
}

/* |got - want| <= tol * max(1, |want|) for n doubles (for transcendental results in f64). */
static inline int close_values(const double *got, const double *want, size_t n, double tol) {
    for (size_t i = 0; i < n; ++i) {
        const double scale = fabs(want[i]) > 1.0 ? fabs(want[i]) : 1.0;
        if (!(fabs(got[i] - want[i]) <= tol * scale)) {
            fprintf(stderr, "  element %zu: got %.17g, expected %.17g\n", i, got[i], want[i]);
            return 0;
        }
    }
    return 1;
}

/* A deterministic value in [-2, 2) with few significant bits, exact in f32 (a small LCG). */
static inline double test_random(uint32_t *state) {
    *state = *state * 1664525u + 1013904223u;
    return (double)(int32_t)((*state >> 12) & 0xfffffu) / 262144.0 - 2.0;
}

#endif /* CPUREF_LINALG_TEST_H */
