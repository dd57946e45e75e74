/*
 * casegen_impl.h - internals shared by casegen.c (generator, values, layouts)
 * and casegen_ops.c (the families of each op). Not for users of casegen.h.
 */
#ifndef MLBC_CASEGEN_IMPL_H
#define MLBC_CASEGEN_IMPL_H

#include "casegen.h"

/* splitmix64: small, fast, and the same everywhere. */
typedef struct cg_rng {
    uint64_t state;
} cg_rng;

uint64_t cg_next(cg_rng *r);
/* Uniform integer in [lo, hi] (inclusive). */
int64_t cg_range(cg_rng *r, int64_t lo, int64_t hi);
/* Uniform double in [0, 1). */
double cg_unit(cg_rng *r);

/* How input values are drawn. */
enum cg_dist_kind {
    CG_GRID,          /* multiples of 1/16 in [lo, hi]; integers in [lo, hi] for integer dtypes */
    CG_INT,           /* integers in [lo, hi] (integer-valued floats: sums stay exact) */
    CG_FULLINT,       /* the integer dtype's whole range (wrap-around); floats: grid [-4, 4] */
    CG_UNIFORM,       /* continuous in [lo, hi], rounded to the dtype */
    CG_SPECIAL,       /* 1 in 4 a special (NaN, +-Inf, +-0, subnormal, max, extremes), else grid */
    CG_SPECIAL_ACCUM, /* as CG_SPECIAL for floats without max and subnormal: NaN/Inf/zero
                       * propagation through sums and products whose partial results stay in
                       * range in any order (docs/ops.md section 10) */
    CG_CAST,          /* fractions, huge magnitudes, NaN/Inf: every branch of the cast rules */
    CG_NEAR_TIE,      /* values at and next to rounding ties of dtype `lo` (f16, bf16 or f32) */
    CG_BOOL           /* 0 or 1 */
};

typedef struct cg_dist {
    int kind;
    double lo, hi;
} cg_dist;

/* Sizes: the first in --quick, the second in --full. */
#define CG_SZ(c, q, f) ((c)->full ? (int64_t)(f) : (int64_t)(q))

/* Tensor layouts (every field set; unused axes 0). */
void cg_contig(mlb_tensor_desc *t, int32_t dtype, int32_t rank, const int64_t *shape);
/* Row-major with `pad` extra elements after every row of every axis (gaps in between). */
void cg_padded(mlb_tensor_desc *t, int32_t dtype, int32_t rank, const int64_t *shape, int64_t pad);
/* Dense, with memory order `order` (order[0] the outermost axis in memory). */
void cg_perm(mlb_tensor_desc *t, int32_t dtype, int32_t rank, const int64_t *shape,
             const int *order);

/* Points desc at in[0..nin) and out[0]; sets struct_size, op and attrs. */
void cg_io(mlbc_case *c, uint32_t nin, int has_attrs);
/* Allocates every input image (0xff-filled) and computes out_bytes. 0 or -2. */
int cg_alloc(mlbc_case *c);
/* Writes values of `d` into every element of input i. */
void cg_fill(mlbc_case *c, uint32_t i, cg_dist d, cg_rng *r);
/* Writes one value of `d` at p (element of dtype). */
void cg_value(int32_t dtype, void *p, cg_dist d, cg_rng *r);

/* The per-op builders (casegen_ops.c): 0, or -1 for a family they do not know. */
int cg_unary(mlbc_case *c, cg_rng *r);
int cg_binary(mlbc_case *c, cg_rng *r);
int cg_cast(mlbc_case *c, cg_rng *r);
int cg_copy(mlbc_case *c, cg_rng *r);
int cg_fill_op(mlbc_case *c, cg_rng *r);
int cg_matmul(mlbc_case *c, cg_rng *r);
int cg_conv2d(mlbc_case *c, cg_rng *r);
int cg_pool2d(mlbc_case *c, cg_rng *r);
int cg_softmax(mlbc_case *c, cg_rng *r);
int cg_norm(mlbc_case *c, cg_rng *r);
int cg_reduce(mlbc_case *c, cg_rng *r);
int cg_gather(mlbc_case *c, cg_rng *r);

/* 1 when the family name is `name`. */
int cg_is(const mlbc_case *c, const char *name);

#endif /* MLBC_CASEGEN_IMPL_H */
