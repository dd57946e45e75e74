/*
 * casegen.h - deterministic op cases for the conformance suite (and any C
 * tool that wants the same cases, such as mlb-run): for (op, dtype, family,
 * seed) a complete mlb_op_desc - tensors with strides and byte offsets,
 * attributes - and the host image of every input buffer.
 *
 * Written in C99 so that C tools can reuse it; it needs only ml_backend.h and
 * libm.
 *
 * A case is reproducible: the same (op, dtype, family, base seed, full) gives
 * the same descriptor and the same bytes on every machine (the generator is
 * splitmix64 and every value is computed with exact operations and rounded
 * with round-to-nearest-even).
 *
 * Buffers: input i lives in a buffer whose first in_bytes[i] bytes are
 * in_data[i] (the tensor's byte_offset is counted from that start); bytes of
 * the image that are not elements of the tensor (gaps of strided layouts)
 * hold 0xff, so a plugin that ignores a stride reads NaN (floats) or -1.
 * The output needs a buffer of out_bytes bytes (its extent). When
 * inplace_input >= 0 the output shares that input's buffer and layout.
 *
 * Value families (see docs/conformance.md): integer-valued fills for matmul,
 * conv2d, pooling and sums so that accumulations are exact; values on a
 * 1/16 grid in small ranges for elementwise ops; positive values for log,
 * sqrt, rsqrt and pow bases; NaN/Inf/signed zero/subnormal injection in the
 * "special" families; values next to rounding ties in cast's rounding
 * families; full-range integers for the wrap-around rules.
 */
#ifndef MLBC_CASEGEN_H
#define MLBC_CASEGEN_H

#include <stddef.h>
#include <stdint.h>

#include "ml_backend.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Most inputs of a v1 op. */
#define MLBC_MAX_INPUTS 3
/** Longest family name, with its NUL. */
#define MLBC_FAMILY_LEN 32
/** Most families of one op and dtype. */
#define MLBC_MAX_FAMILIES 24

/** One generated case. Do not copy it after mlbc_case_make (desc points into it). */
typedef struct mlbc_case {
    int32_t op;                   /**< enum mlb_op */
    int32_t dtype;                /**< the dtype it is filed under (cast: the source) */
    char family[MLBC_FAMILY_LEN]; /**< the shape/value family */
    uint64_t seed;                /**< the case's own seed (derived from the base seed) */
    int full;                     /**< 1: --full sizes */
    mlb_op_desc desc;             /**< the op; points into this struct */
    mlb_tensor_desc in[MLBC_MAX_INPUTS];
    mlb_tensor_desc out[1];
    const mlb_tensor_desc *in_ptrs[MLBC_MAX_INPUTS];
    const mlb_tensor_desc *out_ptrs[1];
    union {
        size_t struct_size;
        mlb_fill_attrs fill;
        mlb_matmul_attrs matmul;
        mlb_conv2d_attrs conv2d;
        mlb_pool2d_attrs pool2d;
        mlb_axis_attrs axis;
        mlb_norm_attrs norm;
        mlb_reduce_attrs reduce;
    } attrs;
    unsigned char *in_data[MLBC_MAX_INPUTS]; /**< host image of each input buffer (malloc) */
    uint64_t in_bytes[MLBC_MAX_INPUTS];      /**< its size: the input's extent */
    uint64_t out_bytes;                      /**< the output's extent */
    int32_t inplace_input;                   /**< -1, or the input the output aliases */
    uint64_t accum_len; /**< terms combined into one output element (tolerance widening) */
} mlbc_case;

/** Every v1.0 op, in enum order, and every v1.0 dtype. */
extern const int32_t mlbc_v1_ops[];
extern const size_t mlbc_v1_op_count;
extern const int32_t mlbc_v1_dtypes[];
extern const size_t mlbc_v1_dtype_count;

/** 1 when docs/ops.md lists `dtype` for `op` (for cast: as the source dtype). */
int mlbc_dtype_in_spec(int32_t op, int32_t dtype);

/**
 * The families of op x dtype, in a fixed order, written to names[] (at most
 * MLBC_MAX_FAMILIES). For a dtype outside the op's list a single basic family
 * is given (so that a plugin that accepts it still gets compared).
 * @return the count (0 for an unknown op).
 */
size_t mlbc_families(int32_t op, int32_t dtype, const char *names[MLBC_MAX_FAMILIES]);

/** The seed of one case, derived from the run's base seed and the case's identity. */
uint64_t mlbc_case_seed(uint64_t base_seed, int32_t op, int32_t dtype, const char *family);

/**
 * Builds a case. @return 0, -1 for an unknown op or family, -2 out of memory.
 * On success release it with mlbc_case_free().
 */
int mlbc_case_make(mlbc_case *c, int32_t op, int32_t dtype, const char *family, uint64_t base_seed,
                   int full);

/** Frees the input images (the struct itself is the caller's). NULL does nothing. */
void mlbc_case_free(mlbc_case *c);

/* ---- the comparison rule (docs/ops.md section 12), shared by mlb-conformance and mlb-run -- */

/** A per-element tolerance: |got - exp| <= atol + rtol * |exp|, or exact equality. */
typedef struct mlbc_tolerance {
    double atol;
    double rtol;
    int exact; /**< 1 for integer and bool outputs: values must be equal */
} mlbc_tolerance;

/**
 * The tolerance of one op's output. cast, copy, fill and gather have one right answer (a value
 * moved or rounded once): atol = rtol = 0. Other float outputs take PyTorch's rtol/atol pairs
 * (f32 1.3e-6/1e-5, f16 1e-3/1e-5, bf16 1.6e-2/1e-5, f64 1e-7/1e-7) widened by
 * w = max(1, sqrt(accum_len)); integers and bool are exact.
 */
mlbc_tolerance mlbc_tolerance_for(int32_t op, int32_t dtype, uint64_t accum_len);

/* ---- element access shared with the comparison ------------------------------------------- */

/** Bytes per element, 0 for unknown. */
size_t mlbc_dtype_size(int32_t dtype);
/** 1 for f32, f16, bf16, f64. */
int mlbc_dtype_is_float(int32_t dtype);
/** "f32", "bf16", ...; "?" for unknown. */
const char *mlbc_dtype_name(int32_t dtype);
/** Reads a float element exactly into a double (integers and bool are converted). */
double mlbc_load_f64(int32_t dtype, const void *p);
/** Reads an integer or bool element as int64 (floats: truncated). */
int64_t mlbc_load_i64(int32_t dtype, const void *p);
/** Writes v rounded once (floats, ties to even) or converted to the integer (ints, bool). */
void mlbc_store_f64(int32_t dtype, void *p, double v);
/** Writes v wrapped to the integer width (bool: v != 0; floats: converted). */
void mlbc_store_i64(int32_t dtype, void *p, int64_t v);
/** IEEE binary16 and bfloat16 conversions, round to nearest even. */
uint16_t mlbc_f64_to_f16(double v);
double mlbc_f16_to_f64(uint16_t h);
uint16_t mlbc_f64_to_bf16(double v);
double mlbc_bf16_to_f64(uint16_t b);

/** Number of elements of a tensor (1 for rank 0). */
uint64_t mlbc_numel(const mlb_tensor_desc *t);
/** Byte position of element idx (rank entries) relative to the buffer start. */
uint64_t mlbc_elem_pos(const mlb_tensor_desc *t, const int64_t *idx);
/** Advances idx in row-major order over t's shape; 0 after the last element. */
int mlbc_next_index(const mlb_tensor_desc *t, int64_t *idx);
/** Bytes a buffer needs for the tensor: byte_offset + end of the furthest element (0 if empty). */
uint64_t mlbc_extent(const mlb_tensor_desc *t);

#ifdef __cplusplus
}
#endif

#endif /* MLBC_CASEGEN_H */
