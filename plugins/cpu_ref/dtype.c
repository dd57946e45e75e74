/*
 * dtype.c - exact element conversions for cpu_ref. Every float result is
 * rounded exactly once (round to nearest, ties to even) straight from double
 * or from int64 to the target format; no intermediate f32 step, so there is
 * no double rounding.
 */
#include <math.h>
#include <string.h>

#include "dtype.h"

/* A binary floating-point format narrower than double. */
typedef struct small_float {
    int mant_bits; /* stored mantissa bits */
    int exp_bits;  /* exponent field bits */
    int emin;      /* exponent of the smallest normal */
    int emax;      /* exponent of the largest finite */
} small_float;

static const small_float f16_format = {10, 5, -14, 15};
static const small_float bf16_format = {7, 8, -126, 127};

/* Rounds v once to the format and returns its bit pattern. */
static uint16_t to_small_float(double v, const small_float *f) {
    const uint16_t sign = signbit(v) ? (uint16_t)(1u << 15) : 0;
    const uint16_t inf = (uint16_t)(((1u << f->exp_bits) - 1u) << f->mant_bits);
    if (isnan(v)) {
        return (uint16_t)(sign | inf | (1u << (f->mant_bits - 1)));
    }
    const double a = fabs(v);
    if (isinf(a)) {
        return sign | inf;
    }
    if (a < ldexp(1.0, f->emin)) {
        /* Subnormal: a multiple of 2^(emin - mant_bits). A result of 2^mant_bits
         * is the smallest normal, whose encoding is the same integer. */
        double q = nearbyint(ldexp(a, f->mant_bits - f->emin));
        return (uint16_t)(sign | (uint16_t)q);
    }
    int e;
    double m = frexp(a, &e); /* a = m * 2^e, m in [0.5, 1) */
    int exponent = e - 1;
    double q = nearbyint(ldexp(m, f->mant_bits + 1)); /* in [2^mant, 2^(mant+1)] */
    if (q == ldexp(1.0, f->mant_bits + 1)) {
        q = ldexp(1.0, f->mant_bits);
        ++exponent;
    }
    if (exponent > f->emax) {
        return sign | inf;
    }
    const unsigned biased = (unsigned)(exponent - f->emin + 1);
    const unsigned mant = (unsigned)q - (1u << f->mant_bits);
    return (uint16_t)(sign | (biased << f->mant_bits) | mant);
}

static double from_small_float(uint16_t h, const small_float *f) {
    const unsigned exp_field = (h >> f->mant_bits) & ((1u << f->exp_bits) - 1u);
    const unsigned mant = h & ((1u << f->mant_bits) - 1u);
    const double sign = (h & 0x8000u) ? -1.0 : 1.0;
    if (exp_field == 0) {
        return sign * ldexp((double)mant, f->emin - f->mant_bits);
    }
    if (exp_field == (1u << f->exp_bits) - 1u) {
        return mant ? NAN : sign * INFINITY;
    }
    const int exponent = (int)exp_field + f->emin - 1;
    return sign * ldexp((double)(mant | (1u << f->mant_bits)), exponent - f->mant_bits);
}

uint16_t cpuref_f64_to_f16(double v) {
    return to_small_float(v, &f16_format);
}

double cpuref_f16_to_f64(uint16_t h) {
    return from_small_float(h, &f16_format);
}

uint16_t cpuref_f64_to_bf16(double v) {
#ifdef CPUREF_MUTANT_BF16_DOUBLE_ROUND
    v = (float)v; /* MUTANT bf16_double_round: rounded to f32 first, then to bf16 */
#endif
    return to_small_float(v, &bf16_format);
}

double cpuref_bf16_to_f64(uint16_t b) {
    return from_small_float(b, &bf16_format);
}

size_t cpuref_dtype_size(int32_t dtype) {
    switch (dtype) {
    case MLB_DTYPE_F64:
    case MLB_DTYPE_I64:
        return 8;
    case MLB_DTYPE_F32:
    case MLB_DTYPE_I32:
        return 4;
    case MLB_DTYPE_F16:
    case MLB_DTYPE_BF16:
        return 2;
    case MLB_DTYPE_I8:
    case MLB_DTYPE_U8:
    case MLB_DTYPE_BOOL:
        return 1;
    default:
        return 0;
    }
}

int cpuref_dtype_is_float(int32_t dtype) {
    return dtype == MLB_DTYPE_F32 || dtype == MLB_DTYPE_F16 || dtype == MLB_DTYPE_BF16 ||
           dtype == MLB_DTYPE_F64;
}

int cpuref_dtype_is_int(int32_t dtype) {
    return dtype == MLB_DTYPE_I8 || dtype == MLB_DTYPE_U8 || dtype == MLB_DTYPE_I32 ||
           dtype == MLB_DTYPE_I64;
}

const char *cpuref_dtype_name(int32_t dtype) {
    static const char *const names[] = {"invalid", "f32", "f16", "bf16", "f64",
                                        "i8",      "u8",  "i32", "i64",  "bool"};
    return (dtype >= 0 && dtype < MLB_DTYPE_COUNT_1_0) ? names[dtype] : "invalid";
}

/* Significant bits of each float dtype (mantissa + hidden bit). */
static int float_precision(int32_t dtype) {
    switch (dtype) {
    case MLB_DTYPE_F64:
        return 53;
    case MLB_DTYPE_F32:
        return 24;
    case MLB_DTYPE_F16:
        return 11;
    default:
        return 8; /* bf16 */
    }
}

/* v rounded once to `bits` significant bits (ties to even), as an exact double. */
static double round_int_to_precision(int64_t v, int bits) {
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    int top = 63;
    if (u == 0) {
        return 0.0;
    }
    while (!(u >> top)) {
        --top;
    }
    int shift = top + 1 - bits;
    if (shift > 0) {
        uint64_t q = u >> shift;
        uint64_t rem = u & ((UINT64_C(1) << shift) - 1u);
        uint64_t half = UINT64_C(1) << (shift - 1);
        if (rem > half || (rem == half && (q & 1u))) {
            ++q;
        }
        double r = ldexp((double)q, shift);
        return v < 0 ? -r : r;
    }
    return v < 0 ? -(double)u : (double)u;
}

/* Float to integer: NaN -> 0, truncation toward zero, saturation to [lo, hi]. */
static int64_t saturate_to_int(double v, double lo, double hi, int64_t ilo, int64_t ihi) {
    if (isnan(v)) {
        return 0;
    }
    v = trunc(v);
    if (v <= lo) {
        return ilo;
    }
    if (v >= hi) {
        return ihi;
    }
    return (int64_t)v;
}

double cpuref_load_f64(int32_t dtype, const uint8_t *p) {
    switch (dtype) {
    case MLB_DTYPE_F32: {
        float f;
        memcpy(&f, p, 4);
        return f;
    }
    case MLB_DTYPE_F64: {
        double d;
        memcpy(&d, p, 8);
        return d;
    }
    case MLB_DTYPE_F16:
    case MLB_DTYPE_BF16: {
        uint16_t h;
        memcpy(&h, p, 2);
        return dtype == MLB_DTYPE_F16 ? cpuref_f16_to_f64(h) : cpuref_bf16_to_f64(h);
    }
    default:
        return (double)cpuref_load_i64(dtype, p);
    }
}

static void store_float(int32_t dtype, uint8_t *p, double v) {
    if (dtype == MLB_DTYPE_F64) {
        memcpy(p, &v, 8);
    } else if (dtype == MLB_DTYPE_F32) {
        float f = (float)v; /* one IEEE rounding, ties to even */
        memcpy(p, &f, 4);
    } else {
        uint16_t h = dtype == MLB_DTYPE_F16 ? cpuref_f64_to_f16(v) : cpuref_f64_to_bf16(v);
        memcpy(p, &h, 2);
    }
}

/* Writes the low bytes of v (two's complement wrap). */
static void store_wrapped(int32_t dtype, uint8_t *p, int64_t v) {
    uint64_t u = (uint64_t)v;
    switch (dtype) {
    case MLB_DTYPE_I8:
    case MLB_DTYPE_U8: {
        uint8_t b = (uint8_t)u;
        memcpy(p, &b, 1);
        break;
    }
    case MLB_DTYPE_I32: {
        uint32_t w = (uint32_t)u;
        memcpy(p, &w, 4);
        break;
    }
    case MLB_DTYPE_I64:
        memcpy(p, &u, 8);
        break;
    case MLB_DTYPE_BOOL:
        *p = v != 0;
        break;
    default:
        break;
    }
}

void cpuref_store_f64(int32_t dtype, uint8_t *p, double v) {
    switch (dtype) {
    case MLB_DTYPE_F32:
    case MLB_DTYPE_F64:
    case MLB_DTYPE_F16:
    case MLB_DTYPE_BF16:
        store_float(dtype, p, v);
        break;
    case MLB_DTYPE_I8:
        store_wrapped(dtype, p, saturate_to_int(v, -128.0, 127.0, -128, 127));
        break;
    case MLB_DTYPE_U8:
        store_wrapped(dtype, p, saturate_to_int(v, 0.0, 255.0, 0, 255));
        break;
    case MLB_DTYPE_I32:
        store_wrapped(dtype, p,
                      saturate_to_int(v, -2147483648.0, 2147483647.0, INT32_MIN, INT32_MAX));
        break;
    case MLB_DTYPE_I64:
        /* 2^63 is the first double above INT64_MAX. */
        store_wrapped(dtype, p,
                      saturate_to_int(v, -9223372036854775808.0, 9223372036854775808.0, INT64_MIN,
                                      INT64_MAX));
        break;
    case MLB_DTYPE_BOOL:
        *p = v != 0.0;
        break;
    default:
        break;
    }
}

int64_t cpuref_load_i64(int32_t dtype, const uint8_t *p) {
    switch (dtype) {
    case MLB_DTYPE_I8: {
        int8_t v;
        memcpy(&v, p, 1);
        return v;
    }
    case MLB_DTYPE_U8:
        return *p;
    case MLB_DTYPE_BOOL:
        return *p != 0;
    case MLB_DTYPE_I32: {
        int32_t v;
        memcpy(&v, p, 4);
        return v;
    }
    case MLB_DTYPE_I64: {
        int64_t v;
        memcpy(&v, p, 8);
        return v;
    }
    default:
        if (cpuref_dtype_is_float(dtype)) {
            return saturate_to_int(cpuref_load_f64(dtype, p), -9223372036854775808.0,
                                   9223372036854775808.0, INT64_MIN, INT64_MAX);
        }
        return 0;
    }
}

void cpuref_store_i64(int32_t dtype, uint8_t *p, int64_t v) {
    if (cpuref_dtype_is_float(dtype)) {
        store_float(dtype, p, round_int_to_precision(v, float_precision(dtype)));
    } else {
        store_wrapped(dtype, p, v);
    }
}
