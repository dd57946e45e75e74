/*
 * elementwise_test_util.h - helpers shared by elementwise_test.c and
 * convert_test.c: tensor descriptors, element encoders written independently
 * of dtype.c (exact values only; rounding is what the tests check), guarded
 * buffers and op descriptors.
 */
#ifndef CPUREF_ELEMENTWISE_TEST_UTIL_H
#define CPUREF_ELEMENTWISE_TEST_UTIL_H

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "ml_backend.h"
#include "ops.h"

/* Every test buffer is this big and starts filled with GUARD. */
#define BUF_BYTES 1024
#define GUARD 0xA5

enum {
    F32 = MLB_DTYPE_F32,
    F16 = MLB_DTYPE_F16,
    BF16 = MLB_DTYPE_BF16,
    F64 = MLB_DTYPE_F64,
    I8 = MLB_DTYPE_I8,
    U8 = MLB_DTYPE_U8,
    I32 = MLB_DTYPE_I32,
    I64 = MLB_DTYPE_I64,
    BOOL = MLB_DTYPE_BOOL
};

static const int32_t all_dtypes[]
    __attribute__((unused)) = {F32, F16, BF16, F64, I8, U8, I32, I64, BOOL};
static const int32_t float_dtypes[] __attribute__((unused)) = {F32, F16, BF16, F64};
static const int32_t int_dtypes[] __attribute__((unused)) = {I8, U8, I32, I64};

static char why[CPUREF_WHY_LEN] __attribute__((unused));

static inline size_t esize(int32_t dt) {
    switch (dt) {
    case F64:
    case I64:
        return 8;
    case F32:
    case I32:
        return 4;
    case F16:
    case BF16:
        return 2;
    default:
        return 1;
    }
}

static inline int is_float(int32_t dt) {
    return dt == F32 || dt == F16 || dt == BF16 || dt == F64;
}

/* A tensor; strides NULL means contiguous row-major. */
static inline mlb_tensor_desc tensor(int32_t dt, int32_t rank, const int64_t *shape,
                                     const int64_t *strides, uint64_t byte_offset) {
    mlb_tensor_desc t;
    memset(&t, 0, sizeof t);
    t.struct_size = MLB_STRUCT_SIZE(mlb_tensor_desc, byte_offset);
    t.dtype = dt;
    t.rank = rank;
    t.byte_offset = byte_offset;
    int64_t s = 1;
    for (int32_t k = rank - 1; k >= 0; --k) {
        t.shape[k] = shape[k];
        t.strides[k] = strides ? strides[k] : s;
        s *= shape[k] ? shape[k] : 1;
    }
    return t;
}

/* 1-D contiguous tensor of n elements at byte offset off. */
static inline mlb_tensor_desc vec(int32_t dt, int64_t n, uint64_t off) {
    return tensor(dt, 1, &n, NULL, off);
}

static inline int64_t numel(const mlb_tensor_desc *t) {
    int64_t n = 1;
    for (int32_t k = 0; k < t->rank; ++k) {
        n *= t->shape[k];
    }
    return n;
}

/* Address of the i-th element in row-major order (its own walk, not tensor.h's). */
static inline uint8_t *at(const mlb_tensor_desc *t, uint8_t *base, int64_t i) {
    int64_t off = 0;
    for (int32_t k = t->rank - 1; k >= 0; --k) {
        off += (i % t->shape[k]) * t->strides[k];
        i /= t->shape[k];
    }
    return base + t->byte_offset + off * (int64_t)esize(t->dtype);
}

static inline void guard_fill(uint8_t *buf) {
    memset(buf, GUARD, BUF_BYTES);
}

/* 1 when every byte of buf outside t's elements still holds GUARD. */
static inline int guards_intact(const mlb_tensor_desc *t, uint8_t *buf) {
    uint8_t mine[BUF_BYTES] = {0};
    for (int64_t i = 0; i < numel(t); ++i) {
        const size_t p = (size_t)(at(t, buf, i) - buf);
        for (size_t b = 0; b < esize(t->dtype); ++b) {
            mine[p + b] = 1;
        }
    }
    for (size_t j = 0; j < BUF_BYTES; ++j) {
        if (!mine[j] && buf[j] != GUARD) {
            fprintf(stderr, "guard byte %zu overwritten (0x%02x)\n", j, buf[j]);
            return 0;
        }
    }
    return 1;
}

/* ---- values --------------------------------------------------------------- */

/* binary16 bits of v, which must be exactly representable (a test bug otherwise). */
static inline uint16_t f16_bits(double v) {
    const uint16_t sign = signbit(v) ? 0x8000u : 0;
    const double a = fabs(v);
    if (isnan(v)) {
        return 0x7E00;
    }
    if (isinf(v)) {
        return sign | 0x7C00u;
    }
    if (a == 0) {
        return sign;
    }
    int e;
    frexp(a, &e);
    const int ex = e - 1; /* a = 1.m * 2^ex */
    double q;
    uint16_t bits;
    if (ex < -14) {
        q = ldexp(a, 24); /* subnormal: a = q * 2^-24 */
        bits = (uint16_t)q;
    } else {
        q = ldexp(a, 10 - ex); /* in [1024, 2048) */
        bits = (uint16_t)(((unsigned)(ex + 15) << 10) | ((unsigned)q - 1024u));
    }
    if (q != floor(q) || ex > 15) {
        fprintf(stderr, "test bug: %.17g is not an f16 value\n", v);
        CHECK(0);
    }
    return sign | bits;
}

static inline double f16_value(uint16_t h) {
    const int e = (h >> 10) & 31;
    const unsigned m = h & 1023u;
    const double s = (h & 0x8000u) ? -1.0 : 1.0;
    if (e == 0) {
        return s * ldexp(m, -24);
    }
    if (e == 31) {
        return m ? NAN : s * INFINITY;
    }
    return s * ldexp(m + 1024u, e - 25);
}

/* bfloat16 bits of v, which must be exactly representable. */
static inline uint16_t bf16_bits(double v) {
    const float f = (float)v;
    uint32_t u;
    memcpy(&u, &f, 4);
    if (isnan(v)) {
        return 0x7FC0;
    }
    if ((double)f != v || (u & 0xFFFFu)) {
        fprintf(stderr, "test bug: %.17g is not a bf16 value\n", v);
        CHECK(0);
    }
    return (uint16_t)(u >> 16);
}

static inline double bf16_value(uint16_t b) {
    const uint32_t u = (uint32_t)b << 16;
    float f;
    memcpy(&f, &u, 4);
    return f;
}

static inline uint16_t get16(const uint8_t *p) {
    uint16_t h;
    memcpy(&h, p, 2);
    return h;
}

static inline void put16(uint8_t *p, uint16_t h) {
    memcpy(p, &h, 2);
}

/* Writes v (exactly representable in the float dtype dt). */
static inline void put_f(int32_t dt, uint8_t *p, double v) {
    if (dt == F64) {
        memcpy(p, &v, 8);
    } else if (dt == F32) {
        const float f = (float)v;
        if ((double)f != v && !isnan(v)) {
            fprintf(stderr, "test bug: %.17g is not an f32 value\n", v);
            CHECK(0);
        }
        memcpy(p, &f, 4);
    } else {
        put16(p, dt == F16 ? f16_bits(v) : bf16_bits(v));
    }
}

static inline double get_f(int32_t dt, const uint8_t *p) {
    if (dt == F64) {
        double d;
        memcpy(&d, p, 8);
        return d;
    }
    if (dt == F32) {
        float f;
        memcpy(&f, p, 4);
        return f;
    }
    return dt == F16 ? f16_value(get16(p)) : bf16_value(get16(p));
}

/* Writes the low bytes of v for an integer or bool dtype (the test picks in-range values). */
static inline void put_i(int32_t dt, uint8_t *p, int64_t v) {
    switch (dt) {
    case I8: {
        int8_t x = (int8_t)v;
        memcpy(p, &x, 1);
        break;
    }
    case U8:
    case BOOL:
        *p = (uint8_t)v;
        break;
    case I32: {
        int32_t x = (int32_t)v;
        memcpy(p, &x, 4);
        break;
    }
    default:
        memcpy(p, &v, 8);
        break;
    }
}

static inline int64_t get_i(int32_t dt, const uint8_t *p) {
    switch (dt) {
    case I8: {
        int8_t x;
        memcpy(&x, p, 1);
        return x;
    }
    case U8:
    case BOOL:
        return *p;
    case I32: {
        int32_t x;
        memcpy(&x, p, 4);
        return x;
    }
    default: {
        int64_t x;
        memcpy(&x, p, 8);
        return x;
    }
    }
}

/* Same value, same sign of zero; NaN matches NaN. */
static inline int same_f(double got, double want) {
    if (isnan(want)) {
        return isnan(got);
    }
    return got == want && !signbit(got) == !signbit(want);
}

static inline uint32_t f32_bits_of(float f) {
    uint32_t u;
    memcpy(&u, &f, 4);
    return u;
}

static inline float f32_from_bits(uint32_t u) {
    float f;
    memcpy(&f, &u, 4);
    return f;
}

/* ---- descriptors ------------------------------------------------------------ */

static inline mlb_op_desc op_desc(int32_t op, uint32_t nin, const mlb_tensor_desc *const *ins,
                                  uint32_t nout, const mlb_tensor_desc *const *outs,
                                  const void *attrs) {
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

#endif /* CPUREF_ELEMENTWISE_TEST_UTIL_H */
