/*
 * dtype.h - element access for every dtype, as cpu_ref computes: floats are
 * read exactly into double and written back rounded once (round to nearest
 * even, overflow to +-Inf, NaN kept NaN); integers and bool are read into
 * int64_t and written with two's complement wrap-around to the width (bool
 * stores != 0 as 1).
 */
#ifndef CPUREF_DTYPE_H
#define CPUREF_DTYPE_H

#include <stddef.h>
#include <stdint.h>

#include "ml_backend.h"

/* Bytes per element; 0 for an unknown dtype. */
size_t cpuref_dtype_size(int32_t dtype);
/* 1 for f32, f16, bf16, f64. */
int cpuref_dtype_is_float(int32_t dtype);
/* 1 for i8, u8, i32, i64 (bool is neither float nor integer). */
int cpuref_dtype_is_int(int32_t dtype);
/* "f32", "bf16", ...; "invalid" for unknown values. */
const char *cpuref_dtype_name(int32_t dtype);

/* Reads one element as double (integers and bool converted exactly where representable). */
double cpuref_load_f64(int32_t dtype, const uint8_t *p);
/* Writes v rounded once to the dtype. For integer dtypes: NaN -> 0, else truncation toward
 * zero, saturating at the type's range (the cast rule of docs/ops.md); bool: v != 0. */
void cpuref_store_f64(int32_t dtype, uint8_t *p, double v);
/* Reads one element as int64 (floats truncated toward zero, saturating; NaN -> 0). */
int64_t cpuref_load_i64(int32_t dtype, const uint8_t *p);
/* Writes v wrapped (two's complement) to the integer width; bool: v != 0; floats: rounded. */
void cpuref_store_i64(int32_t dtype, uint8_t *p, int64_t v);

/* Exact conversions used by the above and by tests. Round to nearest even. */
uint16_t cpuref_f64_to_f16(double v);
double cpuref_f16_to_f64(uint16_t h);
uint16_t cpuref_f64_to_bf16(double v);
double cpuref_bf16_to_f64(uint16_t b);

#endif /* CPUREF_DTYPE_H */
