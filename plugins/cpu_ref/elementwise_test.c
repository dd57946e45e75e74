/*
 * elementwise_test.c - cpu_ref's unary and binary elementwise ops against
 * hand-computed values (docs/ops.md sections 1-3), calling the family's
 * check and run directly on host buffers.
 *
 * Transcendental expectations are the real values to 20 digits (mpmath,
 * 40-digit arithmetic); the f64 result must be within 1e-13 relative of them,
 * the f32 result must be exactly the value rounded to f32, and an f16/bf16
 * result must be a nearest representable neighbour of the value.
 */
#include <float.h>

#include "elementwise_test_util.h"
#include "op_util.h"

#define MAXN 10
#define E 2.7182818284590452354

static mlb_status ew_check(const mlb_op_desc *d) {
    return d->op < MLB_OP_ADD ? cpuref_unary_check(d, why, sizeof why)
                              : cpuref_binary_check(d, why, sizeof why);
}

/* check, then run; 1 or 2 inputs by the op's family. */
static mlb_status ew_run(int32_t op, const mlb_tensor_desc *const *ins, uint8_t *const *inb,
                         const mlb_tensor_desc *out, uint8_t *outb) {
    const mlb_tensor_desc *outs[1] = {out};
    uint8_t *ob[1] = {outb};
    const int unary = op < MLB_OP_ADD;
    mlb_op_desc d = op_desc(op, unary ? 1 : 2, ins, 1, outs, NULL);
    mlb_status st = ew_check(&d);
    if (st != MLB_OK) {
        fprintf(stderr, "check failed: %s\n", why);
        return st;
    }
    return unary ? cpuref_unary_run(&d, inb, ob, why, sizeof why)
                 : cpuref_binary_run(&d, inb, ob, why, sizeof why);
}

static uint8_t buf_a[BUF_BYTES], buf_b[BUF_BYTES], buf_y[BUF_BYTES];

/* Runs op over n contiguous float values (b NULL for a unary op) at odd byte offsets; decodes the
 * output into got and checks the guard bytes. */
static void run_f(int32_t op, int32_t dt, int n, const double *a, const double *b, double *got) {
    const mlb_tensor_desc ta = vec(dt, n, 8), tb = vec(dt, n, 16), ty = vec(dt, n, 24);
    const mlb_tensor_desc *ins[2] = {&ta, &tb};
    uint8_t *inb[2] = {buf_a, buf_b};
    guard_fill(buf_a), guard_fill(buf_b), guard_fill(buf_y);
    for (int i = 0; i < n; ++i) {
        put_f(dt, at(&ta, buf_a, i), a[i]);
        if (b) {
            put_f(dt, at(&tb, buf_b, i), b[i]);
        }
    }
    CHECK_INT_EQ(ew_run(op, ins, inb, &ty, buf_y), MLB_OK);
    CHECK(guards_intact(&ty, buf_y));
    for (int i = 0; i < n; ++i) {
        got[i] = get_f(dt, at(&ty, buf_y, i));
    }
}

/* The integer counterpart of run_f. */
static void run_i(int32_t op, int32_t dt, int n, const int64_t *a, const int64_t *b, int64_t *got) {
    const mlb_tensor_desc ta = vec(dt, n, 8), tb = vec(dt, n, 16), ty = vec(dt, n, 24);
    const mlb_tensor_desc *ins[2] = {&ta, &tb};
    uint8_t *inb[2] = {buf_a, buf_b};
    guard_fill(buf_a), guard_fill(buf_b), guard_fill(buf_y);
    for (int i = 0; i < n; ++i) {
        put_i(dt, at(&ta, buf_a, i), a[i]);
        if (b) {
            put_i(dt, at(&tb, buf_b, i), b[i]);
        }
    }
    CHECK_INT_EQ(ew_run(op, ins, inb, &ty, buf_y), MLB_OK);
    CHECK(guards_intact(&ty, buf_y));
    for (int i = 0; i < n; ++i) {
        got[i] = get_i(dt, at(&ty, buf_y, i));
    }
}

/* got is `want` rounded to dt (see the top of the file); zeros, infinities and NaN exactly. */
static int rounded_from(int32_t dt, double got, double want) {
    if (isnan(want) || isinf(want) || want == 0) {
        return same_f(got, want);
    }
    if (dt == F64) {
        return fabs(got - want) <= 1e-13 * fabs(want);
    }
    if (dt == F32) {
        return same_f(got, (double)(float)want);
    }
    const uint16_t g = dt == F16 ? f16_bits(got) : bf16_bits(got);
    const double lo = dt == F16 ? f16_value((uint16_t)(g - 1)) : bf16_value((uint16_t)(g - 1));
    const double hi = dt == F16 ? f16_value((uint16_t)(g + 1)) : bf16_value((uint16_t)(g + 1));
    const double d = fabs(got - want);
    return d <= fabs(lo - want) && d <= fabs(hi - want);
}

static const char *dt_name(int32_t dt) {
    static const char *const names[] = {"invalid", "f32", "f16", "bf16", "f64",
                                        "i8",      "u8",  "i32", "i64",  "bool"};
    return dt >= 0 && dt <= BOOL ? names[dt] : "invalid";
}

/* ---- every float op in every float dtype ------------------------------------ */

typedef struct fcase {
    int32_t op;
    int exact; /* 1: want is exact in every float dtype; 0: want is the real value */
    int n;
    double a[MAXN], b[MAXN], want[MAXN];
} fcase;

static const fcase float_cases[] = {
    {MLB_OP_NEG, 1, 5, {1.5, -2, 0, -0.0, INFINITY}, {0}, {-1.5, 2, -0.0, 0.0, -INFINITY}},
    /* abs(-0.0) = +0.0 */
    {MLB_OP_ABS, 1, 5, {-1.5, 2, -0.0, -INFINITY, NAN}, {0}, {1.5, 2, 0.0, INFINITY, NAN}},
    {MLB_OP_EXP,
     0,
     8,
     {1, -1, 2.5, -10, 0, -INFINITY, INFINITY, NAN},
     {0},
     /* e, 1/e, e^2.5, e^-10 (an f16 subnormal) */
     {E, 0.3678794411714423216, 12.182493960703473438, 0.000045399929762484851536, 1, 0, INFINITY,
      NAN}},
    /* log 0 = -Inf (both zeros), log x<0 = NaN */
    {MLB_OP_LOG,
     0,
     9,
     {2, 0.5, 10, 3, 1, 0.0, -0.0, -1, INFINITY},
     {0},
     {0.69314718055994530942, -0.69314718055994530942, 2.302585092994045684, 1.0986122886681096914,
      0, -INFINITY, -INFINITY, NAN, INFINITY}},
    /* sqrt(-0.0) = -0.0, x<0 -> NaN */
    {MLB_OP_SQRT,
     0,
     8,
     {2, 3, 0.5, 10, 4, -0.0, -1, INFINITY},
     {0},
     {1.4142135623730950488, 1.7320508075688772935, 0.7071067811865475244, 3.162277660168379332, 2,
      -0.0, NAN, INFINITY}},
    /* rsqrt(+0) = +Inf, rsqrt(-0) = -Inf */
    {MLB_OP_RSQRT,
     0,
     9,
     {2, 3, 0.5, 10, 4, 0.0, -0.0, INFINITY, -1},
     {0},
     {0.7071067811865475244, 0.57735026918962576451, 1.4142135623730950488, 0.3162277660168379332,
      0.5, INFINITY, -INFINITY, 0, NAN}},
    {MLB_OP_TANH,
     0,
     7,
     {0.5, -1, 2, 10, -0.0, INFINITY, -INFINITY},
     {0},
     {0.4621171572600097585, -0.76159415595576488812, 0.96402758007581688395,
      0.99999999587769276362, -0.0, 1, -1}},
    {MLB_OP_SIGMOID,
     0,
     8,
     {1, -2, 5, 0.5, 0, INFINITY, -INFINITY, NAN},
     {0},
     {0.73105857863000487925, 0.11920292202211755594, 0.99330714907571514444,
      0.62245933120185456464, 0.5, 1, 0, NAN}},
    /* relu: x > 0 ? x : +0.0, NaN stays NaN */
    {MLB_OP_RELU,
     1,
     7,
     {1.5, -2, 0, -0.0, NAN, INFINITY, -INFINITY},
     {0},
     {1.5, 0.0, 0.0, 0.0, NAN, INFINITY, 0.0}},
    /* x*Phi(x): Phi(1) = 0.841344746..., Phi(2) = 0.977249868..., Phi(-3) = 0.001349898...
     * At the infinities gelu, gelu_tanh and silu take their limits: +Inf -> +Inf, -Inf -> 0
     * (docs/ops.md; the literal formula would give -Inf * 0 = NaN). */
    {MLB_OP_GELU,
     0,
     9,
     {1, -1, 2, -3, 0, -0.0, INFINITY, -INFINITY, NAN},
     {0},
     {0.84134474606854294859, -0.15865525393145705141, 1.9544997361036415856,
      -0.00404969409489028358, 0.0, -0.0, INFINITY, 0.0, NAN}},
    {MLB_OP_GELU_TANH,
     0,
     8,
     {1, -1, 2, -3, 0, NAN, INFINITY, -INFINITY},
     {0},
     {0.84119199060827670478, -0.15880800939172329522, 1.9545976940877750188,
      -0.0036373920817730188378, 0.0, NAN, INFINITY, 0.0}},
    /* x/(1+e^-x); silu(-Inf) = 0 (its limit) */
    {MLB_OP_SILU,
     0,
     8,
     {1, -1, 2, -3, 0, NAN, INFINITY, -INFINITY},
     {0},
     {0.73105857863000487925, -0.26894142136999512075, 1.7615941559557648881,
      -0.14227761953270034264, 0.0, NAN, INFINITY, 0.0}},
    /* -0 + +0 = +0, -0 + -0 = -0, Inf - Inf = NaN */
    {MLB_OP_ADD,
     1,
     6,
     {1.5, -2, INFINITY, INFINITY, -0.0, -0.0},
     {2.25, 2, 1, -INFINITY, 0.0, -0.0},
     {3.75, 0, INFINITY, NAN, 0.0, -0.0}},
    {MLB_OP_SUB, 1, 4, {5, 1, INFINITY, 0.0}, {0.5, 1, INFINITY, 0.0}, {4.5, 0, NAN, 0.0}},
    {MLB_OP_MUL,
     1,
     5,
     {1.5, -2, 0, INFINITY, -3},
     {-4, -0.5, INFINITY, -0.0, 0.0},
     {-6, 1, NAN, NAN, -0.0}},
    /* 1/0 = Inf, 0/0 = NaN, 1/-0 = -Inf */
    {MLB_OP_DIV,
     1,
     6,
     {1, -1, 0, 1, 3, INFINITY},
     {0.0, 0.0, 0.0, -0.0, 4, INFINITY},
     {INFINITY, -INFINITY, NAN, -INFINITY, 0.75, NAN}},
    {MLB_OP_DIV, 0, 2, {1, 2}, {3, 10}, {0.33333333333333333333, 0.2}},
    /* NaN if either is NaN; maximum(-0, +0) = +0 in both orders */
    {MLB_OP_MAXIMUM,
     1,
     8,
     {1, NAN, 2, -0.0, 0.0, -INFINITY, 3, NAN},
     {2, 1, NAN, 0.0, -0.0, -5, 3, NAN},
     {2, NAN, NAN, 0.0, 0.0, -5, 3, NAN}},
    /* minimum(-0, +0) = -0 in both orders */
    {MLB_OP_MINIMUM,
     1,
     8,
     {1, NAN, 2, -0.0, 0.0, -INFINITY, 3, -0.0},
     {2, 1, NAN, 0.0, -0.0, -5, 3, -0.0},
     {1, NAN, NAN, -0.0, -0.0, -INFINITY, 3, -0.0}},
    /* pow(x, 0) = 1 even for NaN, pow(1, y) = 1 even for NaN, negative base with a non-integer
     * exponent (-8^0.3125) = NaN, 0^-1 = +Inf, (-0)^-1 = -Inf */
    {MLB_OP_POW,
     1,
     9,
     {2, NAN, 1, -8, 0.0, -0.0, -2, 4, INFINITY},
     {10, 0, NAN, 0.3125, -1, -1, 3, 0.5, 0},
     {1024, 1, 1, NAN, INFINITY, -INFINITY, -8, 2, 1}},
    {MLB_OP_POW, 0, 2, {2, 10}, {0.5, -2.5}, {1.4142135623730950488, 0.0031622776601683793320}},
};

static void test_float_ops(void) {
    for (size_t c = 0; c < sizeof float_cases / sizeof float_cases[0]; ++c) {
        const fcase *fc = &float_cases[c];
        const int binary = fc->op >= MLB_OP_ADD;
        for (size_t d = 0; d < 4; ++d) {
            const int32_t dt = float_dtypes[d];
            double got[MAXN];
            run_f(fc->op, dt, fc->n, fc->a, binary ? fc->b : NULL, got);
            for (int i = 0; i < fc->n; ++i) {
                const int ok =
                    fc->exact ? same_f(got[i], fc->want[i]) : rounded_from(dt, got[i], fc->want[i]);
                if (!ok) {
                    fprintf(stderr, "%s %s [%d]: got %.17g, want %.17g\n", cpuref_op_name(fc->op),
                            dt_name(dt), i, got[i], fc->want[i]);
                }
                CHECK(ok);
            }
        }
    }
}

/* ---- every int op in every int dtype: wrap-around ---------------------------- */

typedef struct icase {
    int32_t op;
    int32_t dt;
    int n;
    int64_t a[MAXN], b[MAXN], want[MAXN];
} icase;

static const icase int_cases[] = {
    /* neg(i8 -128) = -128, abs(i8 -128) = -128; u8: neg x = 256 - x, abs x = x */
    {MLB_OP_NEG, I8, 4, {5, -128, 127, 0}, {0}, {-5, -128, -127, 0}},
    {MLB_OP_NEG, U8, 4, {1, 0, 200, 255}, {0}, {255, 0, 56, 1}},
    {MLB_OP_NEG, I32, 3, {7, INT32_MIN, INT32_MAX}, {0}, {-7, INT32_MIN, -INT32_MAX}},
    {MLB_OP_NEG, I64, 3, {7, INT64_MIN, INT64_MAX}, {0}, {-7, INT64_MIN, -INT64_MAX}},
    {MLB_OP_ABS, I8, 4, {-5, -128, 127, 0}, {0}, {5, -128, 127, 0}},
    {MLB_OP_ABS, U8, 3, {200, 0, 255}, {0}, {200, 0, 255}},
    {MLB_OP_ABS, I32, 3, {-7, INT32_MIN, INT32_MAX}, {0}, {7, INT32_MIN, INT32_MAX}},
    {MLB_OP_ABS, I64, 3, {-9, INT64_MIN, -INT64_MAX}, {0}, {9, INT64_MIN, INT64_MAX}},
    /* i8 100 + 100 = 200 - 256 = -56 */
    {MLB_OP_ADD, I8, 3, {100, -128, 5}, {100, -1, -7}, {-56, 127, -2}},
    {MLB_OP_ADD, U8, 3, {200, 255, 3}, {100, 1, 4}, {44, 0, 7}},
    {MLB_OP_ADD, I32, 2, {INT32_MAX, -5}, {1, 3}, {INT32_MIN, -2}},
    {MLB_OP_ADD, I64, 2, {INT64_MAX, 2}, {1, -3}, {INT64_MIN, -1}},
    /* u8 0 - 1 = 255 */
    {MLB_OP_SUB, I8, 2, {-128, 5}, {1, 7}, {127, -2}},
    {MLB_OP_SUB, U8, 2, {0, 10}, {1, 3}, {255, 7}},
    {MLB_OP_SUB, I32, 2, {INT32_MIN, 3}, {1, 10}, {INT32_MAX, -7}},
    {MLB_OP_SUB, I64, 2, {INT64_MIN, 0}, {1, INT64_MIN}, {INT64_MAX, INT64_MIN}},
    /* i8 16*16 = 256 = 0 (mod 256); u8 15*17 = 255 */
    {MLB_OP_MUL, I8, 3, {-128, 16, -3}, {-1, 16, 5}, {-128, 0, -15}},
    {MLB_OP_MUL, U8, 2, {16, 15}, {16, 17}, {0, 255}},
    {MLB_OP_MUL, I32, 2, {65536, -7}, {65536, 6}, {0, -42}},
    /* 3037000500^2 = 9223372037000250000 = 2^63 + 145224192 -> -2^63 + 145224192 */
    {MLB_OP_MUL,
     I64,
     4,
     {INT64_MIN, INT64_C(1) << 62, -3, 3037000500},
     {-1, 4, 5, 3037000500},
     {INT64_MIN, 0, -15, INT64_C(-9223372036709301616)}},
    {MLB_OP_MAXIMUM, I8, 3, {-128, 5, 127}, {127, -3, 127}, {127, 5, 127}},
    /* u8 compares unsigned: 255 > 1 */
    {MLB_OP_MAXIMUM, U8, 3, {0, 255, 128}, {255, 1, 127}, {255, 255, 128}},
    {MLB_OP_MAXIMUM, I32, 2, {INT32_MIN, -1}, {INT32_MAX, -2}, {INT32_MAX, -1}},
    {MLB_OP_MAXIMUM, I64, 2, {INT64_MIN, -1}, {INT64_MAX, -2}, {INT64_MAX, -1}},
    {MLB_OP_MINIMUM, I8, 3, {-128, 5, 127}, {127, -3, 127}, {-128, -3, 127}},
    {MLB_OP_MINIMUM, U8, 3, {0, 255, 128}, {255, 1, 127}, {0, 1, 127}},
    {MLB_OP_MINIMUM, I32, 2, {INT32_MIN, -1}, {INT32_MAX, -2}, {INT32_MIN, -2}},
    {MLB_OP_MINIMUM, I64, 2, {INT64_MIN, -1}, {INT64_MAX, -2}, {INT64_MIN, -2}},
};

static void test_int_ops(void) {
    for (size_t c = 0; c < sizeof int_cases / sizeof int_cases[0]; ++c) {
        const icase *ic = &int_cases[c];
        int64_t got[MAXN];
        run_i(ic->op, ic->dt, ic->n, ic->a, ic->op >= MLB_OP_ADD ? ic->b : NULL, got);
        for (int i = 0; i < ic->n; ++i) {
            if (got[i] != ic->want[i]) {
                fprintf(stderr, "%s %s [%d]: got %lld, want %lld\n", cpuref_op_name(ic->op),
                        dt_name(ic->dt), i, (long long)got[i], (long long)ic->want[i]);
            }
            CHECK_INT_EQ(got[i], ic->want[i]);
        }
    }
}

/* ---- dtype lists: which dtypes check accepts, per op ------------------------- */

static void test_dtype_lists(void) {
    static const int32_t numeric_ops[] = {MLB_OP_NEG, MLB_OP_ABS,     MLB_OP_ADD,    MLB_OP_SUB,
                                          MLB_OP_MUL, MLB_OP_MAXIMUM, MLB_OP_MINIMUM};
    static const int32_t float_ops[] = {MLB_OP_EXP,       MLB_OP_LOG,     MLB_OP_SQRT, MLB_OP_RSQRT,
                                        MLB_OP_TANH,      MLB_OP_SIGMOID, MLB_OP_RELU, MLB_OP_GELU,
                                        MLB_OP_GELU_TANH, MLB_OP_SILU,    MLB_OP_DIV,  MLB_OP_POW};
    for (int group = 0; group < 2; ++group) {
        const int32_t *ops = group ? float_ops : numeric_ops;
        const size_t nops = group ? sizeof float_ops / sizeof float_ops[0]
                                  : sizeof numeric_ops / sizeof numeric_ops[0];
        for (size_t o = 0; o < nops; ++o) {
            /* 0 and 10 are not dtypes at all: UNSUPPORTED like a dtype outside the list */
            for (int32_t dt = 0; dt <= 10; ++dt) {
                const int64_t shape[1] = {2};
                const mlb_tensor_desc t = tensor(dt, 1, shape, NULL, 0);
                const mlb_tensor_desc *ins[2] = {&t, &t}, *outs[1] = {&t};
                const mlb_op_desc d =
                    op_desc(ops[o], ops[o] < MLB_OP_ADD ? 1 : 2, ins, 1, outs, NULL);
                const int in_list =
                    group ? is_float(dt) : (is_float(dt) || (dt >= I8 && dt <= I64));
                why[0] = 0;
                const mlb_status st = ew_check(&d);
                CHECK_INT_EQ(st, in_list ? MLB_OK : MLB_ERROR_UNSUPPORTED);
                if (!in_list) {
                    char want[96];
                    snprintf(want, sizeof want, "%s: dtype %s is not supported",
                             cpuref_op_name(ops[o]), dt_name(dt));
                    CHECK_STR_CONTAINS(why, want);
                }
            }
        }
    }
}

/* ---- f16/bf16 ties, overflow, subnormals ------------------------------------- */

/* Runs a binary op on raw 16-bit patterns and returns the output pattern. */
static uint16_t bin16(int32_t op, int32_t dt, uint16_t a, uint16_t b) {
    const mlb_tensor_desc ta = vec(dt, 1, 2), tb = vec(dt, 1, 6), ty = vec(dt, 1, 10);
    const mlb_tensor_desc *ins[2] = {&ta, &tb};
    uint8_t *inb[2] = {buf_a, buf_b};
    guard_fill(buf_a), guard_fill(buf_b), guard_fill(buf_y);
    put16(buf_a + 2, a);
    put16(buf_b + 6, b);
    CHECK_INT_EQ(ew_run(op, ins, inb, &ty, buf_y), MLB_OK);
    CHECK(guards_intact(&ty, buf_y));
    return get16(buf_y + 10);
}

static void test_half_rounding(void) {
    /* f16: 1 + 2^-11 is halfway between 1 (0x3C00) and 1+2^-10 (0x3C01): ties to even -> 1 */
    CHECK_INT_EQ(bin16(MLB_OP_ADD, F16, 0x3C00, 0x1000), 0x3C00);
    /* (1+2^-10) + 2^-11 = 1 + 3*2^-11, halfway between 0x3C01 and 0x3C02: even -> 0x3C02 */
    CHECK_INT_EQ(bin16(MLB_OP_ADD, F16, 0x3C01, 0x1000), 0x3C02);
    CHECK_INT_EQ(bin16(MLB_OP_ADD, F16, 0xBC00, 0x9000), 0xBC00);
    /* 0x1001 = 2^-11 + 2^-21: 1 + 2^-11 + 2^-21 is above the tie, rounds up (the double sum
     * keeps the 2^-21) */
    CHECK_INT_EQ(bin16(MLB_OP_ADD, F16, 0x3C00, 0x1001), 0x3C01);
    /* 65504 + 16 = 65520 is halfway to 65536 (beyond the range): even -> +Inf */
    CHECK_INT_EQ(bin16(MLB_OP_ADD, F16, 0x7BFF, 0x4C00), 0x7C00);
    /* 65504 + 8 = 65512 rounds back to 65504 */
    CHECK_INT_EQ(bin16(MLB_OP_ADD, F16, 0x7BFF, 0x4800), 0x7BFF);
    CHECK_INT_EQ(bin16(MLB_OP_MUL, F16, 0xFBFF, 0x4000), 0xFC00); /* -65504 * 2 = -Inf */
    /* subnormals are kept: 2^-14 * 2^-10 = 2^-24 = 0x0001 */
    CHECK_INT_EQ(bin16(MLB_OP_MUL, F16, 0x0400, 0x1400), 0x0001);
    /* 2^-14 * 2^-11 = 2^-25, halfway between 0 and 2^-24: even -> +0 */
    CHECK_INT_EQ(bin16(MLB_OP_MUL, F16, 0x0400, 0x1000), 0x0000);
    /* 2^-14 * 1.5*2^-10 = 1.5*2^-24: halfway between 1 and 2 units: even -> 0x0002 */
    CHECK_INT_EQ(bin16(MLB_OP_MUL, F16, 0x0400, 0x1600), 0x0002);
    /* -2^-14 * 2^-11 -> -0 */
    CHECK_INT_EQ(bin16(MLB_OP_MUL, F16, 0x8400, 0x1000), 0x8000);
    /* bf16: 1 + 2^-8 is halfway between 1 (0x3F80) and 1+2^-7: even -> 1 */
    CHECK_INT_EQ(bin16(MLB_OP_ADD, BF16, 0x3F80, 0x3B80), 0x3F80);
    /* (1+2^-7) + 2^-8 = 1 + 3*2^-8: even -> 1+2^-6 = 0x3F82 */
    CHECK_INT_EQ(bin16(MLB_OP_ADD, BF16, 0x3F81, 0x3B80), 0x3F82);
    /* 1 - 2^-9 is halfway between 1 - 2^-8 (0x3F7F) and 1: even -> 1 (0x3F80) */
    CHECK_INT_EQ(bin16(MLB_OP_SUB, BF16, 0x3F80, 0x3B00), 0x3F80);
    /* bf16 subnormal: 2^-126 * 2^-7 = 2^-133 = 0x0001 */
    CHECK_INT_EQ(bin16(MLB_OP_MUL, BF16, 0x0080, 0x3C00), 0x0001);
    /* bf16 max (0x7F7F) * 2 overflows to +Inf */
    CHECK_INT_EQ(bin16(MLB_OP_MUL, BF16, 0x7F7F, 0x4000), 0x7F80);
    /* maximum keeps an f16 NaN a NaN */
    CHECK((bin16(MLB_OP_MAXIMUM, F16, 0x7E00, 0x3C00) & 0x7C00) == 0x7C00);
    CHECK((bin16(MLB_OP_MAXIMUM, F16, 0x7E00, 0x3C00) & 0x03FF) != 0);
    /* pow in f16: 2^-24 rounds to 0x0001, 2^-25 to 0 (tie to even): pow(2, -24), pow(2, -25) */
    CHECK_INT_EQ(bin16(MLB_OP_POW, F16, 0x4000, 0xCE00), 0x0001); /* 0xCE00 = -24 */
    CHECK_INT_EQ(bin16(MLB_OP_POW, F16, 0x4000, 0xCE40), 0x0000); /* 0xCE40 = -25 */
}

/* pow(-8, 1/3) = NaN as docs/ops.md states, with 1/3 as the f64 and f32 nearest values. */
static void test_pow_cube_root(void) {
    double got[1];
    const double a[1] = {-8}, b64[1] = {1.0 / 3}, b32[1] = {(float)(1.0 / 3)};
    run_f(MLB_OP_POW, F64, 1, a, b64, got);
    CHECK(isnan(got[0]));
    run_f(MLB_OP_POW, F32, 1, a, b32, got);
    CHECK(isnan(got[0]));
    /* overflow by dtype: e^100 = 2.69e43 is finite in f64, +Inf in f32, bf16 and f16 */
    const double x[1] = {100};
    for (size_t d = 0; d < 4; ++d) {
        run_f(MLB_OP_EXP, float_dtypes[d], 1, x, NULL, got);
        CHECK(float_dtypes[d] == F64 ? rounded_from(F64, got[0], 2.6881171418161354485e43)
                                     : same_f(got[0], INFINITY));
    }
}

/* ---- broadcasting ------------------------------------------------------------- */

/* Writes vals[i] into element i (row-major) of t. */
static void put_all_f(const mlb_tensor_desc *t, uint8_t *buf, const double *vals) {
    for (int64_t i = 0; i < numel(t); ++i) {
        put_f(t->dtype, at(t, buf, i), vals[i]);
    }
}

static void put_all_i(const mlb_tensor_desc *t, uint8_t *buf, const int64_t *vals) {
    for (int64_t i = 0; i < numel(t); ++i) {
        put_i(t->dtype, at(t, buf, i), vals[i]);
    }
}

/* Runs a binary op on (ta, buf_a) and (tb, buf_b) into (ty, buf_y), all buffers guarded
 * beforehand by the caller's put_all_* on fresh buffers. */
static void run_binary(int32_t op, const mlb_tensor_desc *ta, const mlb_tensor_desc *tb,
                       const mlb_tensor_desc *ty) {
    const mlb_tensor_desc *ins[2] = {ta, tb};
    uint8_t *inb[2] = {buf_a, buf_b};
    CHECK_INT_EQ(ew_run(op, ins, inb, ty, buf_y), MLB_OK);
    CHECK(guards_intact(ty, buf_y));
}

static void test_broadcast(void) {
    /* f32 [2,3] + [3]: out[i][j] = a[i][j] + b[j] */
    {
        const int64_t s23[2] = {2, 3}, s3[1] = {3};
        const mlb_tensor_desc ta = tensor(F32, 2, s23, NULL, 4), tb = tensor(F32, 1, s3, NULL, 0),
                              ty = tensor(F32, 2, s23, NULL, 12);
        const double a[6] = {0, 1, 2, 10, 11, 12}, b[3] = {100, 200, 300};
        const double want[6] = {100, 201, 302, 110, 211, 312};
        guard_fill(buf_a), guard_fill(buf_b), guard_fill(buf_y);
        put_all_f(&ta, buf_a, a);
        put_all_f(&tb, buf_b, b);
        run_binary(MLB_OP_ADD, &ta, &tb, &ty);
        for (int i = 0; i < 6; ++i) {
            CHECK(same_f(get_f(F32, at(&ty, buf_y, i)), want[i]));
        }
    }
    /* i32 [2,1] - [1,3]: out[i][j] = a[i] - b[j] */
    {
        const int64_t s21[2] = {2, 1}, s13[2] = {1, 3}, s23[2] = {2, 3};
        const mlb_tensor_desc ta = tensor(I32, 2, s21, NULL, 0), tb = tensor(I32, 2, s13, NULL, 0),
                              ty = tensor(I32, 2, s23, NULL, 0);
        const int64_t a[2] = {1, 2}, b[3] = {0, 10, 20};
        const int64_t want[6] = {1, -9, -19, 2, -8, -18};
        guard_fill(buf_a), guard_fill(buf_b), guard_fill(buf_y);
        put_all_i(&ta, buf_a, a);
        put_all_i(&tb, buf_b, b);
        run_binary(MLB_OP_SUB, &ta, &tb, &ty);
        for (int i = 0; i < 6; ++i) {
            CHECK_INT_EQ(get_i(I32, at(&ty, buf_y, i)), want[i]);
        }
    }
    /* f64 scalar (rank 0) 10 - [2,2]: the scalar is a, so the order is kept */
    {
        const int64_t s22[2] = {2, 2};
        const mlb_tensor_desc ta = tensor(F64, 0, NULL, NULL, 8), tb = tensor(F64, 2, s22, NULL, 0),
                              ty = tensor(F64, 2, s22, NULL, 0);
        const double a[1] = {10}, b[4] = {1, 2, 3, 4.5}, want[4] = {9, 8, 7, 5.5};
        guard_fill(buf_a), guard_fill(buf_b), guard_fill(buf_y);
        put_all_f(&ta, buf_a, a);
        put_all_f(&tb, buf_b, b);
        run_binary(MLB_OP_SUB, &ta, &tb, &ty);
        for (int i = 0; i < 4; ++i) {
            CHECK(same_f(get_f(F64, at(&ty, buf_y, i)), want[i]));
        }
    }
    /* i64 [2,1,3] * [2,1] -> [2,2,3]: out[i][j][k] = a[i][0][k] * b[j][0] */
    {
        const int64_t s213[3] = {2, 1, 3}, s21[2] = {2, 1}, s223[3] = {2, 2, 3};
        const mlb_tensor_desc ta = tensor(I64, 3, s213, NULL, 0), tb = tensor(I64, 2, s21, NULL, 0),
                              ty = tensor(I64, 3, s223, NULL, 0);
        const int64_t a[6] = {1, 2, 3, 4, 5, 6}, b[2] = {2, -3};
        /* i=0: {1,2,3}*2, {1,2,3}*-3; i=1: {4,5,6}*2, {4,5,6}*-3 */
        const int64_t want[12] = {2, 4, 6, -3, -6, -9, 8, 10, 12, -12, -15, -18};
        guard_fill(buf_a), guard_fill(buf_b), guard_fill(buf_y);
        put_all_i(&ta, buf_a, a);
        put_all_i(&tb, buf_b, b);
        run_binary(MLB_OP_MUL, &ta, &tb, &ty);
        for (int i = 0; i < 12; ++i) {
            CHECK_INT_EQ(get_i(I64, at(&ty, buf_y, i)), want[i]);
        }
    }
    /* f16, rank 8: a [2,1,1,1,1,1,1,2] + b [2,1,1,1,1,1,1] (rank 7, aligned at the end)
     * -> [2,2,1,1,1,1,1,2]; out[i][j][0..][k] = a[i][k] + b[j] */
    {
        const int64_t sa[8] = {2, 1, 1, 1, 1, 1, 1, 2}, sb[7] = {2, 1, 1, 1, 1, 1, 1};
        const int64_t sy[8] = {2, 2, 1, 1, 1, 1, 1, 2};
        const mlb_tensor_desc ta = tensor(F16, 8, sa, NULL, 0), tb = tensor(F16, 7, sb, NULL, 0),
                              ty = tensor(F16, 8, sy, NULL, 2);
        const double a[4] = {1, 2, 3, 4}, b[2] = {0.5, -8};
        const double want[8] = {1.5, 2.5, -7, -6, 3.5, 4.5, -5, -4};
        guard_fill(buf_a), guard_fill(buf_b), guard_fill(buf_y);
        put_all_f(&ta, buf_a, a);
        put_all_f(&tb, buf_b, b);
        run_binary(MLB_OP_ADD, &ta, &tb, &ty);
        for (int i = 0; i < 8; ++i) {
            CHECK(same_f(get_f(F16, at(&ty, buf_y, i)), want[i]));
        }
    }
    /* u8 rank 0 with rank 0: maximum(3, 200) = 200 (unsigned) */
    {
        const mlb_tensor_desc ta = tensor(U8, 0, NULL, NULL, 1), tb = tensor(U8, 0, NULL, NULL, 2),
                              ty = tensor(U8, 0, NULL, NULL, 3);
        guard_fill(buf_a), guard_fill(buf_b), guard_fill(buf_y);
        buf_a[1] = 3, buf_b[2] = 200;
        run_binary(MLB_OP_MAXIMUM, &ta, &tb, &ty);
        CHECK_INT_EQ(buf_y[3], 200);
    }
    /* bf16 [3] broadcast against [1]: minimum with one element */
    {
        const int64_t s3[1] = {3}, s1[1] = {1};
        const mlb_tensor_desc ta = tensor(BF16, 1, s3, NULL, 0), tb = tensor(BF16, 1, s1, NULL, 0),
                              ty = tensor(BF16, 1, s3, NULL, 0);
        const double a[3] = {-1, 2, 0.5}, b[1] = {1}, want[3] = {-1, 1, 0.5};
        guard_fill(buf_a), guard_fill(buf_b), guard_fill(buf_y);
        put_all_f(&ta, buf_a, a);
        put_all_f(&tb, buf_b, b);
        run_binary(MLB_OP_MINIMUM, &ta, &tb, &ty);
        for (int i = 0; i < 3; ++i) {
            CHECK(same_f(get_f(BF16, at(&ty, buf_y, i)), want[i]));
        }
    }
}

/* ---- strides: transposed views, stride-0 inputs, offsets, gapped outputs ----- */

static void test_strides(void) {
    /* Buffers laid out by hand (float index = byte offset / 4):
     *   a: shape [2,3], strides {1,2}, offset 4 bytes -> a[i][j] = A[1 + i + 2j], a transposed
     *      view of the row-major [3,2] matrix A[1..6] = {1,2,3,4,5,6}: a = {{1,3,5},{2,4,6}}
     *   b: shape [2,3], strides {1,0}, offset 12 bytes -> b[i][j] = B[3 + i] = {10, 20}
     *   y: shape [2,3], strides {1,4}, offset 8 bytes -> y[i][j] at Y[2 + i + 4j]: indices
     *      2,3 | 6,7 | 10,11; the gaps 4,5,8,9 must keep their guard bytes */
    float A[16], B[16], Y[16];
    const int64_t s23[2] = {2, 3}, sa[2] = {1, 2}, sb[2] = {1, 0}, sy[2] = {1, 4};
    const mlb_tensor_desc ta = tensor(F32, 2, s23, sa, 4), tb = tensor(F32, 2, s23, sb, 12),
                          ty = tensor(F32, 2, s23, sy, 8);
    memset(A, GUARD, sizeof A), memset(B, GUARD, sizeof B), memset(Y, GUARD, sizeof Y);
    for (int k = 1; k <= 6; ++k) {
        A[k] = (float)k;
    }
    B[3] = 10, B[4] = 20;
    const mlb_tensor_desc *ins[2] = {&ta, &tb};
    uint8_t *inb[2] = {(uint8_t *)A, (uint8_t *)B};
    CHECK_INT_EQ(ew_run(MLB_OP_ADD, ins, inb, &ty, (uint8_t *)Y), MLB_OK);
    /* y = {{11,13,15},{22,24,26}} */
    CHECK(Y[2] == 11 && Y[6] == 13 && Y[10] == 15);
    CHECK(Y[3] == 22 && Y[7] == 24 && Y[11] == 26);
    const uint8_t *raw = (const uint8_t *)Y;
    for (size_t j = 0; j < sizeof Y; ++j) {
        const size_t f = j / 4;
        if (!(f == 2 || f == 3 || f == 6 || f == 7 || f == 10 || f == 11)) {
            CHECK_INT_EQ(raw[j], GUARD);
        }
    }

    /* unary on a transposed i8 view into a gapped output: x [3,2] strides {1,3} over the
     * row-major [2,3] block X = {1,-2,3,-4,5,-6}: x[i][j] = X[i + 3j] = {{1,-4},{-2,5},{3,-6}};
     * y [3,2] strides {4,1} at offset 2: y[i][j] at byte 2 + 4i + j */
    {
        const int64_t s32[2] = {3, 2}, sx[2] = {1, 3}, syy[2] = {4, 1};
        const mlb_tensor_desc tx = tensor(I8, 2, s32, sx, 0), tyy = tensor(I8, 2, s32, syy, 2);
        const int8_t X[6] = {1, -2, 3, -4, 5, -6};
        guard_fill(buf_a), guard_fill(buf_y);
        memcpy(buf_a, X, 6);
        const mlb_tensor_desc *in1[1] = {&tx};
        uint8_t *inb1[1] = {buf_a};
        CHECK_INT_EQ(ew_run(MLB_OP_NEG, in1, inb1, &tyy, buf_y), MLB_OK);
        CHECK(guards_intact(&tyy, buf_y));
        /* -x = {{-1,4},{2,-5},{-3,6}} */
        CHECK_INT_EQ((int8_t)buf_y[2], -1);
        CHECK_INT_EQ((int8_t)buf_y[3], 4);
        CHECK_INT_EQ((int8_t)buf_y[6], 2);
        CHECK_INT_EQ((int8_t)buf_y[7], -5);
        CHECK_INT_EQ((int8_t)buf_y[10], -3);
        CHECK_INT_EQ((int8_t)buf_y[11], 6);
    }

    /* a stride-0 input of rank equal to the output with extent > 1, broadcast again against b:
     * a [3,1] strides {0,0} (one element, 7, seen three times) * b [4] -> [3,4] */
    {
        const int64_t s31[2] = {3, 1}, z[2] = {0, 0}, s4[1] = {4}, s34[2] = {3, 4};
        const mlb_tensor_desc ta2 = tensor(F64, 2, s31, z, 16), tb2 = tensor(F64, 1, s4, NULL, 0),
                              ty2 = tensor(F64, 2, s34, NULL, 0);
        const double b[4] = {1, -1, 0.5, 0};
        guard_fill(buf_a), guard_fill(buf_b), guard_fill(buf_y);
        put_f(F64, buf_a + 16, 7);
        put_all_f(&tb2, buf_b, b);
        run_binary(MLB_OP_MUL, &ta2, &tb2, &ty2);
        for (int i = 0; i < 12; ++i) {
            CHECK(same_f(get_f(F64, at(&ty2, buf_y, i)), 7 * b[i % 4]));
        }
    }
}

/* ---- in place (section 1: output identical to one input) --------------------- */

static void test_in_place(void) {
    /* unary f32, output = input */
    {
        const mlb_tensor_desc t = vec(F32, 4, 4);
        const double x[4] = {1, -2, 0, INFINITY}, want[4] = {-1, 2, -0.0, -INFINITY};
        guard_fill(buf_a);
        put_all_f(&t, buf_a, x);
        const mlb_tensor_desc *ins[1] = {&t};
        uint8_t *inb[1] = {buf_a};
        CHECK_INT_EQ(ew_run(MLB_OP_NEG, ins, inb, &t, buf_a), MLB_OK);
        CHECK(guards_intact(&t, buf_a));
        for (int i = 0; i < 4; ++i) {
            CHECK(same_f(get_f(F32, at(&t, buf_a, i)), want[i]));
        }
    }
    /* unary i8 in place on a transposed view: abs */
    {
        const int64_t s[2] = {2, 2}, st[2] = {1, 2};
        const mlb_tensor_desc t = tensor(I8, 2, s, st, 1);
        guard_fill(buf_a);
        const int8_t x[4] = {-1, 2, -128, -4}; /* bytes 1..4 */
        memcpy(buf_a + 1, x, 4);
        const mlb_tensor_desc *ins[1] = {&t};
        uint8_t *inb[1] = {buf_a};
        CHECK_INT_EQ(ew_run(MLB_OP_ABS, ins, inb, &t, buf_a), MLB_OK);
        CHECK(guards_intact(&t, buf_a));
        CHECK_INT_EQ((int8_t)buf_a[1], 1);
        CHECK_INT_EQ((int8_t)buf_a[2], 2);
        CHECK_INT_EQ((int8_t)buf_a[3], -128);
        CHECK_INT_EQ((int8_t)buf_a[4], 4);
    }
    /* binary i32, output = a, b broadcast [3] over [2,3] */
    {
        const int64_t s23[2] = {2, 3}, s3[1] = {3};
        const mlb_tensor_desc ta = tensor(I32, 2, s23, NULL, 8), tb = tensor(I32, 1, s3, NULL, 0);
        const int64_t a[6] = {1, 2, 3, 4, 5, INT32_MAX}, b[3] = {10, 20, 1};
        const int64_t want[6] = {11, 22, 4, 14, 25, INT32_MIN};
        guard_fill(buf_a), guard_fill(buf_b);
        put_all_i(&ta, buf_a, a);
        put_all_i(&tb, buf_b, b);
        const mlb_tensor_desc *ins[2] = {&ta, &tb};
        uint8_t *inb[2] = {buf_a, buf_b};
        CHECK_INT_EQ(ew_run(MLB_OP_ADD, ins, inb, &ta, buf_a), MLB_OK);
        CHECK(guards_intact(&ta, buf_a));
        for (int i = 0; i < 6; ++i) {
            CHECK_INT_EQ(get_i(I32, at(&ta, buf_a, i)), want[i]);
        }
    }
    /* binary f64, output = b (the second input): y = a - b with a broadcast [2] over [2,2] */
    {
        const int64_t s2[1] = {2}, s22[2] = {2, 2};
        const mlb_tensor_desc ta = tensor(F64, 1, s2, NULL, 0), tb = tensor(F64, 2, s22, NULL, 8);
        const double a[2] = {10, 20}, b[4] = {1, 2, 3, 4}, want[4] = {9, 18, 7, 16};
        guard_fill(buf_a), guard_fill(buf_b);
        put_all_f(&ta, buf_a, a);
        put_all_f(&tb, buf_b, b);
        const mlb_tensor_desc *ins[2] = {&ta, &tb};
        uint8_t *inb[2] = {buf_a, buf_b};
        CHECK_INT_EQ(ew_run(MLB_OP_SUB, ins, inb, &tb, buf_b), MLB_OK);
        CHECK(guards_intact(&tb, buf_b));
        for (int i = 0; i < 4; ++i) {
            CHECK(same_f(get_f(F64, at(&tb, buf_b, i)), want[i]));
        }
    }
    /* x * x in place on both inputs: bf16 {3, -0.5} -> {9, 0.25} */
    {
        const mlb_tensor_desc t = vec(BF16, 2, 6);
        const double x[2] = {3, -0.5};
        guard_fill(buf_a);
        put_all_f(&t, buf_a, x);
        const mlb_tensor_desc *ins[2] = {&t, &t};
        uint8_t *inb[2] = {buf_a, buf_a};
        CHECK_INT_EQ(ew_run(MLB_OP_MUL, ins, inb, &t, buf_a), MLB_OK);
        CHECK(guards_intact(&t, buf_a));
        CHECK(same_f(get_f(BF16, at(&t, buf_a, 0)), 9));
        CHECK(same_f(get_f(BF16, at(&t, buf_a, 1)), 0.25));
    }
}

/* ---- empty tensors and single elements ---------------------------------------- */

static void test_empty_and_scalar(void) {
    /* empty unary [2,0]: nothing written */
    {
        const int64_t s[2] = {2, 0};
        const mlb_tensor_desc t = tensor(F32, 2, s, NULL, 0);
        const mlb_tensor_desc *ins[1] = {&t};
        uint8_t *inb[1] = {buf_a};
        guard_fill(buf_a), guard_fill(buf_y);
        CHECK_INT_EQ(ew_run(MLB_OP_EXP, ins, inb, &t, buf_y), MLB_OK);
        CHECK(guards_intact(&t, buf_y));
    }
    /* [0,3] + [3] -> [0,3]; [0] + [1] -> [0]; [3,0] * [1] -> [3,0] */
    {
        const int64_t s03[2] = {0, 3}, s3[1] = {3}, s0[1] = {0}, s1[1] = {1}, s30[2] = {3, 0};
        const mlb_tensor_desc a1 = tensor(I64, 2, s03, NULL, 0), b1 = tensor(I64, 1, s3, NULL, 0);
        const mlb_tensor_desc a2 = tensor(F16, 1, s0, NULL, 0), b2 = tensor(F16, 1, s1, NULL, 0);
        const mlb_tensor_desc a3 = tensor(U8, 2, s30, NULL, 0), b3 = tensor(U8, 1, s1, NULL, 0);
        guard_fill(buf_a), guard_fill(buf_b), guard_fill(buf_y);
        run_binary(MLB_OP_ADD, &a1, &b1, &a1);
        run_binary(MLB_OP_POW, &a2, &b2, &a2);
        run_binary(MLB_OP_MUL, &a3, &b3, &a3);
        CHECK(guards_intact(&a1, buf_y)); /* no element: the whole buffer is guard */
    }
    /* rank-0 unary: sigmoid(0) = 0.5, gelu_tanh(0) = 0 */
    {
        const mlb_tensor_desc t = tensor(F32, 0, NULL, NULL, 4);
        const mlb_tensor_desc *ins[1] = {&t};
        uint8_t *inb[1] = {buf_a};
        guard_fill(buf_a), guard_fill(buf_y);
        put_f(F32, buf_a + 4, 0);
        CHECK_INT_EQ(ew_run(MLB_OP_SIGMOID, ins, inb, &t, buf_y), MLB_OK);
        CHECK(guards_intact(&t, buf_y));
        CHECK(same_f(get_f(F32, buf_y + 4), 0.5));
    }
}

/* ---- f32 against f64: both round once from the same double --------------------- */

static void test_f32_matches_f64(void) {
    /* f32-representable values: zeros, ordinary, large, tiny, an f32 subnormal, specials */
    const float vals[] = {0.0f,   -0.0f,  1.0f,    -1.0f,    0.5f,      -2.75f,  3.14159274f,
                          1e-3f,  -7.5f,  20.0f,   -20.0f,   88.5f,     -100.0f, 1e30f,
                          -1e30f, 1e-40f, FLT_MAX, INFINITY, -INFINITY, NAN};
    enum { N = sizeof vals / sizeof vals[0] };
    static const int32_t ops[] = {MLB_OP_NEG,     MLB_OP_ABS,     MLB_OP_EXP,       MLB_OP_LOG,
                                  MLB_OP_SQRT,    MLB_OP_RSQRT,   MLB_OP_TANH,      MLB_OP_SIGMOID,
                                  MLB_OP_RELU,    MLB_OP_GELU,    MLB_OP_GELU_TANH, MLB_OP_SILU,
                                  MLB_OP_ADD,     MLB_OP_SUB,     MLB_OP_MUL,       MLB_OP_DIV,
                                  MLB_OP_MAXIMUM, MLB_OP_MINIMUM, MLB_OP_POW};
    float a32[N], y32[N * N];
    double a64[N], y64[N * N];
    for (int i = 0; i < N; ++i) {
        a32[i] = vals[i];
        a64[i] = vals[i];
    }
    for (size_t o = 0; o < sizeof ops / sizeof ops[0]; ++o) {
        const int32_t op = ops[o];
        const int unary = op < MLB_OP_ADD;
        /* unary: [N]; binary: a [N,1] with b [N] -> every pair in [N,N] */
        const int64_t sa[2] = {N, 1}, sb[1] = {N}, sy[2] = {N, N};
        for (int pass = 0; pass < 2; ++pass) {
            const int32_t dt = pass ? F64 : F32;
            const mlb_tensor_desc ta =
                unary ? tensor(dt, 1, sb, NULL, 0) : tensor(dt, 2, sa, NULL, 0);
            const mlb_tensor_desc tb = tensor(dt, 1, sb, NULL, 0);
            const mlb_tensor_desc ty =
                unary ? tensor(dt, 1, sb, NULL, 0) : tensor(dt, 2, sy, NULL, 0);
            const mlb_tensor_desc *ins[2] = {&ta, &tb};
            uint8_t *src = pass ? (uint8_t *)a64 : (uint8_t *)a32;
            uint8_t *inb[2] = {src, src};
            CHECK_INT_EQ(ew_run(op, ins, inb, &ty, pass ? (uint8_t *)y64 : (uint8_t *)y32), MLB_OK);
        }
        const int n = unary ? N : N * N;
        for (int k = 0; k < n; ++k) {
            const float r = (float)y64[k];
            const int ok = f32_bits_of(r) == f32_bits_of(y32[k]) || (isnan(r) && isnan(y32[k]));
            if (!ok) {
                fprintf(stderr, "%s [%d]: f32 %a, f64 rounded %a\n", cpuref_op_name(op), k, y32[k],
                        r);
            }
            CHECK(ok);
        }
    }
}

/* ---- check: INVALID_ARGUMENT and UNSUPPORTED with their reasons ---------------- */

/* check() of op over the given tensors and attrs; returns the status, reason in why. */
static mlb_status try_check(int32_t op, uint32_t nin, const mlb_tensor_desc *const *ins,
                            uint32_t nout, const mlb_tensor_desc *const *outs, const void *attrs) {
    const mlb_op_desc d = op_desc(op, nin, ins, nout, outs, attrs);
    why[0] = 0;
    return ew_check(&d);
}

#define EXPECT_CHECK(status, text, ...)                                                            \
    do {                                                                                           \
        CHECK_INT_EQ(try_check(__VA_ARGS__), status);                                              \
        CHECK_STR_CONTAINS(why, text);                                                             \
    } while (0)

static void test_check_errors(void) {
    const int64_t s23[2] = {2, 3}, s3[1] = {3}, s4[1] = {4}, s24[2] = {2, 4}, s123[3] = {1, 2, 3};
    const int64_t s13[2] = {1, 3}, s0[1] = {0}, z0[2] = {3, 0};
    const mlb_tensor_desc f23 = tensor(F32, 2, s23, NULL, 0), f3 = tensor(F32, 1, s3, NULL, 0);
    const mlb_tensor_desc f4 = tensor(F32, 1, s4, NULL, 0), f24 = tensor(F32, 2, s24, NULL, 0);
    const mlb_tensor_desc f123 = tensor(F32, 3, s123, NULL, 0), f13 = tensor(F32, 2, s13, NULL, 0);
    const mlb_tensor_desc h23 = tensor(F16, 2, s23, NULL, 0), d23 = tensor(F64, 2, s23, NULL, 0);
    const mlb_tensor_desc i23 = tensor(I32, 2, s23, NULL, 0), i3 = tensor(I32, 1, s3, NULL, 0);
    const mlb_tensor_desc b23 = tensor(BOOL, 2, s23, NULL, 0), b4 = tensor(BOOL, 1, s4, NULL, 0);
    const mlb_tensor_desc f0 = tensor(F32, 1, s0, NULL, 0);
    const mlb_tensor_desc f23_bcast = tensor(F32, 2, s23, z0, 0); /* stride 0 on extent 3 */
    const int64_t s13s[2] = {0, 1};
    const mlb_tensor_desc f13_s0 = tensor(F32, 2, s13, s13s, 0); /* stride 0 on extent 1: fine */
    const mlb_fill_attrs stray = {MLB_STRUCT_SIZE(mlb_fill_attrs, int_value), 0, 0};
    const mlb_tensor_desc *in_f23[2] = {&f23, &f3}, *out_f23[1] = {&f23};

    /* unary */
    {
        const mlb_tensor_desc *two[2] = {&f23, &f23}, *one[1] = {&f23};
        EXPECT_CHECK(MLB_ERROR_INVALID_ARGUMENT,
                     "neg: takes 1 input(s) and 1 output(s), got 2 and 1", MLB_OP_NEG, 2, two, 1,
                     out_f23, NULL);
        EXPECT_CHECK(MLB_ERROR_INVALID_ARGUMENT, "got 1 and 2", MLB_OP_EXP, 1, one, 2, two, NULL);
        EXPECT_CHECK(MLB_ERROR_INVALID_ARGUMENT, "exp: takes no attributes", MLB_OP_EXP, 1, one, 1,
                     out_f23, &stray);
        const mlb_tensor_desc *o_h[1] = {&h23}, *o_f24[1] = {&f24}, *o_f123[1] = {&f123};
        EXPECT_CHECK(MLB_ERROR_INVALID_ARGUMENT, "sqrt: output 0 is f16, expected f32", MLB_OP_SQRT,
                     1, one, 1, o_h, NULL);
        EXPECT_CHECK(MLB_ERROR_INVALID_ARGUMENT, "log: input and output shapes differ", MLB_OP_LOG,
                     1, one, 1, o_f24, NULL);
        EXPECT_CHECK(MLB_ERROR_INVALID_ARGUMENT, "tanh: input and output shapes differ",
                     MLB_OP_TANH, 1, one, 1, o_f123, NULL);
        const mlb_tensor_desc *o_bc[1] = {&f23_bcast};
        EXPECT_CHECK(MLB_ERROR_INVALID_ARGUMENT, "relu: output has stride 0 on axis 1 of extent 3",
                     MLB_OP_RELU, 1, one, 1, o_bc, NULL);
        const mlb_tensor_desc *s0in[1] = {&f13_s0};
        CHECK_INT_EQ(try_check(MLB_OP_RELU, 1, s0in, 1, s0in, NULL), MLB_OK);
        /* an invalid descriptor with an unsupported dtype is INVALID_ARGUMENT */
        const mlb_tensor_desc *o_i23[1] = {&i23}, *in_i3[1] = {&i3};
        EXPECT_CHECK(MLB_ERROR_INVALID_ARGUMENT, "exp: input and output shapes differ", MLB_OP_EXP,
                     1, in_i3, 1, o_i23, NULL);
        const mlb_tensor_desc *in_b[1] = {&b23};
        EXPECT_CHECK(MLB_ERROR_UNSUPPORTED, "neg: dtype bool is not supported", MLB_OP_NEG, 1, in_b,
                     1, in_b, NULL);
        EXPECT_CHECK(MLB_ERROR_UNSUPPORTED, "gelu: dtype i32 is not supported", MLB_OP_GELU, 1,
                     o_i23, 1, o_i23, NULL);
        /* an op id that is not a unary op */
        const mlb_op_desc d = op_desc(MLB_OP_ADD, 1, one, 1, out_f23, NULL);
        CHECK_INT_EQ(cpuref_unary_check(&d, why, sizeof why), MLB_ERROR_UNSUPPORTED);
        CHECK_STR_CONTAINS(why, "not a unary op");
    }
    /* binary */
    {
        CHECK_INT_EQ(try_check(MLB_OP_ADD, 2, in_f23, 1, out_f23, NULL), MLB_OK);
        EXPECT_CHECK(MLB_ERROR_INVALID_ARGUMENT,
                     "add: takes 2 input(s) and 1 output(s), got 1 and 1", MLB_OP_ADD, 1, in_f23, 1,
                     out_f23, NULL);
        EXPECT_CHECK(MLB_ERROR_INVALID_ARGUMENT, "mul: takes no attributes", MLB_OP_MUL, 2, in_f23,
                     1, out_f23, &stray);
        const mlb_tensor_desc *in_mix[2] = {&f23, &h23}, *o_d[1] = {&d23};
        EXPECT_CHECK(MLB_ERROR_INVALID_ARGUMENT, "sub: input 1 is f16, expected f32", MLB_OP_SUB, 2,
                     in_mix, 1, out_f23, NULL);
        EXPECT_CHECK(MLB_ERROR_INVALID_ARGUMENT, "div: output 0 is f64, expected f32", MLB_OP_DIV,
                     2, in_f23, 1, o_d, NULL);
        const mlb_tensor_desc *in_bad[2] = {&f23, &f4};
        EXPECT_CHECK(MLB_ERROR_INVALID_ARGUMENT,
                     "add: shapes [2, 3] and [4] do not broadcast (axis 1: 3 vs 4)", MLB_OP_ADD, 2,
                     in_bad, 1, out_f23, NULL);
        const mlb_tensor_desc *o_f123[1] = {&f123}, *o_f3[1] = {&f3}, *o_f24[1] = {&f24};
        EXPECT_CHECK(MLB_ERROR_INVALID_ARGUMENT, "maximum: output rank 3 != broadcast rank 2",
                     MLB_OP_MAXIMUM, 2, in_f23, 1, o_f123, NULL);
        EXPECT_CHECK(MLB_ERROR_INVALID_ARGUMENT, "minimum: output rank 1 != broadcast rank 2",
                     MLB_OP_MINIMUM, 2, in_f23, 1, o_f3, NULL);
        EXPECT_CHECK(MLB_ERROR_INVALID_ARGUMENT,
                     "pow: output extent 4 on axis 1 != broadcast extent 3", MLB_OP_POW, 2, in_f23,
                     1, o_f24, NULL);
        /* [1,3] + [3] broadcasts to [1,3], not to [2,3] */
        const mlb_tensor_desc *in_13[2] = {&f13, &f3};
        EXPECT_CHECK(MLB_ERROR_INVALID_ARGUMENT,
                     "add: output extent 2 on axis 0 != broadcast extent 1", MLB_OP_ADD, 2, in_13,
                     1, out_f23, NULL);
        /* extent 0 broadcasts only against 0 or 1 */
        const mlb_tensor_desc *in_03[2] = {&f0, &f3}, *o_f0[1] = {&f0};
        EXPECT_CHECK(MLB_ERROR_INVALID_ARGUMENT, "do not broadcast (axis 0: 0 vs 3)", MLB_OP_ADD, 2,
                     in_03, 1, o_f0, NULL);
        const mlb_tensor_desc *o_bc[1] = {&f23_bcast};
        EXPECT_CHECK(MLB_ERROR_INVALID_ARGUMENT, "sub: output has stride 0 on axis 1 of extent 3",
                     MLB_OP_SUB, 2, in_f23, 1, o_bc, NULL);
        /* invalid shapes win over an unsupported dtype */
        const mlb_tensor_desc *in_b[2] = {&b23, &b4}, *o_b[1] = {&b23};
        EXPECT_CHECK(MLB_ERROR_INVALID_ARGUMENT, "do not broadcast", MLB_OP_ADD, 2, in_b, 1, o_b,
                     NULL);
        const mlb_tensor_desc *in_bb[2] = {&b23, &b23};
        EXPECT_CHECK(MLB_ERROR_UNSUPPORTED, "add: dtype bool is not supported", MLB_OP_ADD, 2,
                     in_bb, 1, o_b, NULL);
        const mlb_tensor_desc *in_i[2] = {&i23, &i3}, *o_i[1] = {&i23};
        EXPECT_CHECK(MLB_ERROR_UNSUPPORTED, "div: dtype i32 is not supported", MLB_OP_DIV, 2, in_i,
                     1, o_i, NULL);
        EXPECT_CHECK(MLB_ERROR_UNSUPPORTED, "pow: dtype i32 is not supported", MLB_OP_POW, 2, in_i,
                     1, o_i, NULL);
        const mlb_op_desc d = op_desc(MLB_OP_NEG, 2, in_f23, 1, out_f23, NULL);
        CHECK_INT_EQ(cpuref_binary_check(&d, why, sizeof why), MLB_ERROR_UNSUPPORTED);
        CHECK_STR_CONTAINS(why, "not a binary op");
    }
}

int main(void) {
    test_float_ops();
    test_int_ops();
    test_dtype_lists();
    test_half_rounding();
    test_pow_cube_root();
    test_broadcast();
    test_strides();
    test_in_place();
    test_empty_and_scalar();
    test_f32_matches_f64();
    test_check_errors();
    return check_finish();
}
