/*
 * convert_test.c - cpu_ref's cast, copy and fill against hand-computed values
 * (docs/ops.md section 4), calling the family's check and run directly on host
 * buffers.
 */
#include "elementwise_test_util.h"

static uint8_t buf_x[BUF_BYTES], buf_y[BUF_BYTES];

typedef mlb_status (*check_fn)(const mlb_op_desc *, char *, size_t);
typedef mlb_status (*run_fn)(const mlb_op_desc *, uint8_t *const *, uint8_t *const *, char *,
                             size_t);

/* check, then run one op of this family (attrs for fill, else NULL). */
static mlb_status conv_run(int32_t op, const mlb_tensor_desc *x, uint8_t *xb,
                           const mlb_tensor_desc *y, uint8_t *yb, const void *attrs) {
    const check_fn check = op == MLB_OP_CAST   ? cpuref_cast_check
                           : op == MLB_OP_COPY ? cpuref_copy_check
                                               : cpuref_fill_check;
    const run_fn run = op == MLB_OP_CAST   ? cpuref_cast_run
                       : op == MLB_OP_COPY ? cpuref_copy_run
                                           : cpuref_fill_run;
    const mlb_tensor_desc *ins[1] = {x}, *outs[1] = {y};
    uint8_t *ib[1] = {xb}, *ob[1] = {yb};
    const mlb_op_desc d = op_desc(op, x ? 1 : 0, ins, 1, outs, attrs);
    why[0] = 0;
    const mlb_status st = check(&d, why, sizeof why);
    if (st != MLB_OK) {
        fprintf(stderr, "check failed: %s\n", why);
        return st;
    }
    return run(&d, ib, ob, why, sizeof why);
}

/* Casts one raw element (given as its bytes in a uint64) from dtype `from` to `to`, through
 * contiguous 1-element tensors at odd offsets; returns the output bytes. */
static uint64_t cast1(int32_t from, int32_t to, uint64_t in_bytes) {
    const mlb_tensor_desc tx = vec(from, 1, 8), ty = vec(to, 1, 24);
    uint64_t out = 0;
    guard_fill(buf_x), guard_fill(buf_y);
    memcpy(buf_x + 8, &in_bytes, esize(from));
    CHECK_INT_EQ(conv_run(MLB_OP_CAST, &tx, buf_x, &ty, buf_y, NULL), MLB_OK);
    CHECK(guards_intact(&ty, buf_y));
    memcpy(&out, buf_y + 24, esize(to));
    return out;
}

static uint64_t f64b(double v) {
    uint64_t u;
    memcpy(&u, &v, 8);
    return u;
}

static uint64_t f32b(float v) {
    return f32_bits_of(v);
}

static uint64_t i64b(int64_t v) {
    return (uint64_t)v;
}

/* Bits of the dtype's encoding of the small integer v (0, 1 or 5), written by hand. */
static uint64_t small_bits(int32_t dt, int v) {
    static const uint16_t f16[6] = {0x0000, 0x3C00, 0, 0, 0, 0x4500};  /* 5 = 1.25 * 2^2 */
    static const uint16_t bf16[6] = {0x0000, 0x3F80, 0, 0, 0, 0x40A0}; /* 5 = 1.25 * 2^2 */
    switch (dt) {
    case F32:
        return f32b((float)v);
    case F64:
        return f64b(v);
    case F16:
        return f16[v];
    case BF16:
        return bf16[v];
    case BOOL:
        return v != 0;
    default:
        return (uint64_t)v;
    }
}

/* ---- cast: every pair of the 9 dtypes ------------------------------------------ */

static void test_cast_all_pairs(void) {
    static const int vals[3] = {0, 1, 5};
    for (size_t f = 0; f < 9; ++f) {
        for (size_t t = 0; t < 9; ++t) {
            const int32_t from = all_dtypes[f], to = all_dtypes[t];
            for (int k = 0; k < 3; ++k) {
                const int v = from == BOOL ? vals[k] != 0 : vals[k];
                const uint64_t got = cast1(from, to, small_bits(from, v));
                if (got != small_bits(to, v)) {
                    fprintf(stderr, "cast %d -> %d of %d: got 0x%llx\n", from, to, v,
                            (unsigned long long)got);
                }
                CHECK(got == small_bits(to, v));
            }
        }
    }
}

/* ---- cast: the rules of the table ---------------------------------------------- */

static void test_cast_float_float(void) {
    /* f64 0.1 -> f32 0x3DCCCCCD (nearest; 0.1 is between 0x3DCCCCCC and 0x3DCCCCCD, nearer to
     * the latter) */
    CHECK_INT_EQ(cast1(F64, F32, f64b(0.1)), 0x3DCCCCCD);
    /* 1 + 2^-24 is halfway between 1 and 1 + 2^-23: even -> 1; 1 + 3*2^-24 -> 1 + 2^-22 */
    CHECK_INT_EQ(cast1(F64, F32, f64b(1 + ldexp(1, -24))), 0x3F800000);
    CHECK_INT_EQ(cast1(F64, F32, f64b(1 + 3 * ldexp(1, -24))), 0x3F800002);
    CHECK_INT_EQ(cast1(F64, F32, f64b(1e300)), 0x7F800000);
    CHECK_INT_EQ(cast1(F64, F32, f64b(-1e300)), 0xFF800000);
    /* 1e-46 is below half the smallest f32 subnormal (2^-149 / 2 = 7.0e-46): -> +0 */
    CHECK_INT_EQ(cast1(F64, F32, f64b(1e-46)), 0x00000000);
    CHECK_INT_EQ(cast1(F64, F32, f64b(ldexp(1, -149))), 0x00000001);
    /* one rounding: 1 + 2^-11 + 2^-40 goes straight to f16 0x3C01 (above the tie); through f32
     * it would become 1 + 2^-11 first and then tie to even 1.0 */
    CHECK_INT_EQ(cast1(F64, F16, f64b(1 + ldexp(1, -11) + ldexp(1, -40))), 0x3C01);
    /* the same for bf16: 1 + 2^-8 + 2^-30 -> 0x3F81 (through f32: 1 + 2^-8, tie -> 0x3F80) */
    CHECK_INT_EQ(cast1(F64, BF16, f64b(1 + ldexp(1, -8) + ldexp(1, -30))), 0x3F81);
    CHECK_INT_EQ(cast1(F64, BF16, f64b(1 + ldexp(1, -8))), 0x3F80);
    CHECK_INT_EQ(cast1(F32, BF16, f32b(1 + 3 * ldexpf(1, -8))), 0x3F82);
    /* f32 max rounds up past the bf16 max: +Inf */
    CHECK_INT_EQ(cast1(F32, BF16, f32_bits_of(f32_from_bits(0x7F7FFFFF))), 0x7F80);
    /* f16 range: 65519 -> 65504, 65520 (halfway to 2^16) -> +Inf */
    CHECK_INT_EQ(cast1(F32, F16, f32b(65519.0f)), 0x7BFF);
    CHECK_INT_EQ(cast1(F32, F16, f32b(65520.0f)), 0x7C00);
    CHECK_INT_EQ(cast1(F32, F16, f32b(-65520.0f)), 0xFC00);
    /* f16 subnormals: 2^-24 -> 0x0001; 2^-25 (halfway to 0) -> 0; 3*2^-25 -> 0x0002 (even) */
    CHECK_INT_EQ(cast1(F32, F16, f32b(ldexpf(1, -24))), 0x0001);
    CHECK_INT_EQ(cast1(F32, F16, f32b(ldexpf(1, -25))), 0x0000);
    CHECK_INT_EQ(cast1(F32, F16, f32b(3 * ldexpf(1, -25))), 0x0002);
    CHECK_INT_EQ(cast1(F32, F16, f32b(-0.0f)), 0x8000);
    CHECK_INT_EQ(cast1(F32, F16, f32b(INFINITY)), 0x7C00);
    /* exact widenings */
    CHECK_INT_EQ(cast1(F16, F32, 0x0001), f32b(ldexpf(1, -24)));
    CHECK_INT_EQ(cast1(F16, F64, 0xFBFF), f64b(-65504.0));
    CHECK_INT_EQ(cast1(BF16, F32, 0x3F81), f32b(1 + ldexpf(1, -7)));
    CHECK_INT_EQ(cast1(BF16, F32, 0x0001), f32b(ldexpf(1, -133)));
    CHECK_INT_EQ(cast1(F32, F64, f32b(0.1f)), f64b((double)0.1f));
    /* bf16 1 + 2^-7 is exact in f16 (0x3C08); f16 1 + 2^-10 -> bf16 1 (below the tie) */
    CHECK_INT_EQ(cast1(BF16, F16, 0x3F81), 0x3C08);
    CHECK_INT_EQ(cast1(F16, BF16, 0x3C01), 0x3F80);
    /* bf16 70144 (0x4789: 1.0703125 * 2^16) overflows f16 -> +Inf; bf16 2^-133 -> f16 0 */
    CHECK_INT_EQ(cast1(BF16, F16, 0x4789), 0x7C00);
    CHECK_INT_EQ(cast1(BF16, F16, 0x8001), 0x8000);
    /* NaN stays NaN */
    {
        const uint64_t h = cast1(F32, F16, f32b(NAN));
        CHECK((h & 0x7C00) == 0x7C00 && (h & 0x03FF) != 0);
        const uint64_t b = cast1(F16, BF16, 0x7E00);
        CHECK((b & 0x7F80) == 0x7F80 && (b & 0x007F) != 0);
        uint64_t d = cast1(BF16, F64, 0xFFC0);
        double v;
        memcpy(&v, &d, 8);
        CHECK(isnan(v));
    }
}

static void test_cast_float_int(void) {
    /* truncation toward zero, saturation, NaN -> 0 (docs/ops.md examples first) */
    CHECK_INT_EQ(cast1(F32, U8, f32b(300.7f)), 255);
    CHECK_INT_EQ((int32_t)cast1(F32, I32, f32b(-1e30f)), INT32_MIN);
    for (size_t i = 0; i < 4; ++i) {
        CHECK_INT_EQ(cast1(F32, int_dtypes[i], f32b(NAN)), 0);
        CHECK_INT_EQ(cast1(F64, int_dtypes[i], f64b(-NAN)), 0);
    }
    CHECK_INT_EQ(cast1(F16, I32, 0x7E00), 0);
    CHECK_INT_EQ((int8_t)cast1(F32, I8, f32b(-0.9f)), 0);
    CHECK_INT_EQ((int8_t)cast1(F32, I8, f32b(-1.5f)), -1);
    CHECK_INT_EQ(cast1(F32, U8, f32b(-1.5f)), 0);
    CHECK_INT_EQ(cast1(F32, U8, f32b(255.9f)), 255);
    CHECK_INT_EQ((int8_t)cast1(F32, I8, f32b(127.9f)), 127);
    CHECK_INT_EQ((int8_t)cast1(F32, I8, f32b(-128.9f)), -128);
    CHECK_INT_EQ((int8_t)cast1(F32, I8, f32b(-129.0f)), -128);
    CHECK_INT_EQ((int8_t)cast1(F32, I8, f32b(-INFINITY)), -128);
    CHECK_INT_EQ(cast1(F32, U8, f32b(-INFINITY)), 0);
    CHECK_INT_EQ((int32_t)cast1(F32, I32, f32b(INFINITY)), INT32_MAX);
    CHECK_INT_EQ((int32_t)cast1(F64, I32, f64b(2147483647.9)), INT32_MAX);
    CHECK_INT_EQ((int32_t)cast1(F64, I32, f64b(-2147483648.9)), INT32_MIN);
    CHECK_INT_EQ((int32_t)cast1(F64, I32, f64b(-2147483649.0)), INT32_MIN);
    /* bf16 0x4F00 = 2^31 is one past INT32_MAX: saturates */
    CHECK_INT_EQ((int32_t)cast1(BF16, I32, 0x4F00), INT32_MAX);
    CHECK_INT_EQ((int64_t)cast1(F16, I64, 0x7C00), INT64_MAX);
    CHECK_INT_EQ((int64_t)cast1(F16, I64, 0xFBFF), -65504);
    CHECK_INT_EQ((int64_t)cast1(F64, I64, f64b(ldexp(1, 63))), INT64_MAX);
    CHECK_INT_EQ((int64_t)cast1(F64, I64, f64b(-ldexp(1, 63))), INT64_MIN);
    CHECK_INT_EQ((int64_t)cast1(F64, I64, f64b(-1e300)), INT64_MIN);
    /* 9.2e18 = 92 * 10^17 is an exact double (47 significant bits) inside the i64 range */
    CHECK_INT_EQ((int64_t)cast1(F64, I64, f64b(9.2e18)), INT64_C(9200000000000000000));
    CHECK_INT_EQ((int64_t)cast1(F64, I64, f64b(-12345.75)), -12345);
    /* float -> bool: x != 0, so NaN -> 1 and -0.0 -> 0 */
    CHECK_INT_EQ(cast1(F32, BOOL, f32b(NAN)), 1);
    CHECK_INT_EQ(cast1(F32, BOOL, f32b(-0.0f)), 0);
    CHECK_INT_EQ(cast1(F64, BOOL, f64b(0.5)), 1);
    CHECK_INT_EQ(cast1(F64, BOOL, f64b(-INFINITY)), 1);
    CHECK_INT_EQ(cast1(F16, BOOL, 0x0001), 1); /* the smallest subnormal is not zero */
    CHECK_INT_EQ(cast1(BF16, BOOL, 0x8000), 0);
    CHECK_INT_EQ(cast1(BF16, BOOL, 0x7FC0), 1);
}

static void test_cast_int(void) {
    /* int -> int wraps: i32 300 -> u8 44, i32 -1 -> u8 255 (docs/ops.md) */
    CHECK_INT_EQ(cast1(I32, U8, i64b(300)), 44);
    CHECK_INT_EQ(cast1(I32, U8, (uint32_t)-1), 255);
    CHECK_INT_EQ((int8_t)cast1(I32, I8, i64b(-129)), 127);
    CHECK_INT_EQ((int8_t)cast1(U8, I8, 200), -56);
    CHECK_INT_EQ(cast1(I8, U8, 0xFF), 255);
    CHECK_INT_EQ((int64_t)cast1(I8, I64, 0xFF), -1); /* sign-extended */
    CHECK_INT_EQ((int64_t)cast1(U8, I64, 0xFF), 255);
    CHECK_INT_EQ((int32_t)cast1(U8, I32, 0xFF), 255);
    CHECK_INT_EQ((int32_t)cast1(I64, I32, i64b((INT64_C(1) << 32) + 5)), 5);
    CHECK_INT_EQ((int32_t)cast1(I64, I32, i64b(INT64_C(0x180000000))), INT32_MIN);
    CHECK_INT_EQ((int8_t)cast1(I64, I8, i64b(INT64_MIN)), 0);
    /* int -> bool: x != 0 (256 is not wrapped to 0) */
    CHECK_INT_EQ(cast1(I32, BOOL, i64b(256)), 1);
    CHECK_INT_EQ(cast1(I8, BOOL, 0x80), 1);
    CHECK_INT_EQ(cast1(I64, BOOL, i64b(INT64_C(1) << 32)), 1);
    CHECK_INT_EQ(cast1(I64, BOOL, 0), 0);
    /* bool -> any: a bool byte other than 0 reads as 1 */
    CHECK_INT_EQ(cast1(BOOL, I32, 1), 1);
    CHECK_INT_EQ(cast1(BOOL, F16, 1), 0x3C00);
    CHECK_INT_EQ(cast1(BOOL, BF16, 0), 0x0000);
    CHECK_INT_EQ(cast1(BOOL, U8, 2), 1);
    /* int -> float: nearest, ties to even, one rounding straight from the integer */
    /* 2^53 + 1 is halfway between 2^53 and 2^53 + 2: even -> 2^53 (docs/ops.md) */
    CHECK_INT_EQ(cast1(I64, F64, i64b((INT64_C(1) << 53) + 1)), f64b(ldexp(1, 53)));
    /* 2^53 + 3 is halfway between 2^53 + 2 and 2^53 + 4: even -> 2^53 + 4 */
    CHECK_INT_EQ(cast1(I64, F64, i64b((INT64_C(1) << 53) + 3)), f64b(ldexp(1, 53) + 4));
    CHECK_INT_EQ(cast1(I64, F64, i64b(INT64_MAX)), f64b(ldexp(1, 63)));
    CHECK_INT_EQ(cast1(I64, F64, i64b(INT64_MIN)), f64b(-ldexp(1, 63)));
    /* 2^60 + 2^36 + 1 is just above halfway between f32 neighbours 2^60 and 2^60 + 2^37: up.
     * Through double it would lose the +1 first (ulp 2^8), tie, and round down to 2^60. */
    CHECK_INT_EQ(cast1(I64, F32, i64b((INT64_C(1) << 60) + (INT64_C(1) << 36) + 1)), 0x5D800001);
    CHECK_INT_EQ(cast1(I32, F32, i64b(16777217)), f32b(16777216.0f)); /* 2^24 + 1: tie, even */
    CHECK_INT_EQ(cast1(I32, F32, i64b(16777219)), f32b(16777220.0f)); /* 2^24 + 3: tie, even */
    /* bf16 keeps 8 significant bits: 257 = 2^8 + 1 ties to 256 (0x4380); 259 ties to 260
     * (0x4382, the even mantissa); -257 -> 0xC380; 2^40 + 2^32 (tie) -> 2^40 */
    CHECK_INT_EQ(cast1(I64, BF16, i64b(257)), 0x4380);
    CHECK_INT_EQ(cast1(I64, BF16, i64b(259)), 0x4382);
    CHECK_INT_EQ(cast1(I64, BF16, i64b(-257)), 0xC380);
    CHECK_INT_EQ(cast1(I64, BF16, i64b(258)), 0x4381);
    CHECK_INT_EQ(cast1(I64, BF16, i64b((INT64_C(1) << 40) + (INT64_C(1) << 32))), 0x5380);
    CHECK_INT_EQ(cast1(I64, BF16, i64b((INT64_C(1) << 40) + (INT64_C(1) << 32) + 1)), 0x5381);
    /* f16 keeps 11 bits: 2049 ties to 2048 (0x6800), 2051 to 2052 (0x6802) */
    CHECK_INT_EQ(cast1(I32, F16, i64b(2049)), 0x6800);
    CHECK_INT_EQ(cast1(I32, F16, i64b(2051)), 0x6802);
    CHECK_INT_EQ(cast1(I32, F16, i64b(65519)), 0x7BFF);
    CHECK_INT_EQ(cast1(I32, F16, i64b(65520)), 0x7C00); /* halfway to 2^16: overflows */
    CHECK_INT_EQ(cast1(I64, F16, i64b(INT64_C(-1000000000000000000))), 0xFC00);
    CHECK_INT_EQ(cast1(U8, F16, 255), 0x5BF8); /* 255 = 1.9921875 * 2^7 */
    CHECK_INT_EQ(cast1(I8, F32, 0x80), f32b(-128.0f));
}

/* ---- cast: layouts, in place, empty --------------------------------------------- */

static void test_cast_layouts(void) {
    /* a transposed read into a gapped output: x f64 [2,3] strides {1,2} at offset 8
     * over X[1..6] = {1.5, -2.5, 3, 300.7, -1, 7}: x[i][j] = X[1 + i + 2j] =
     * {{1.5, 3, -1}, {-2.5, 300.7, 7}}; y u8 [2,3] strides {4,1} at offset 3 */
    const int64_t s23[2] = {2, 3}, sx[2] = {1, 2}, sy[2] = {4, 1};
    const mlb_tensor_desc tx = tensor(F64, 2, s23, sx, 8), ty = tensor(U8, 2, s23, sy, 3);
    const double X[7] = {0, 1.5, -2.5, 3, 300.7, -1, 7};
    guard_fill(buf_x), guard_fill(buf_y);
    memcpy(buf_x, X, sizeof X);
    CHECK_INT_EQ(conv_run(MLB_OP_CAST, &tx, buf_x, &ty, buf_y, NULL), MLB_OK);
    CHECK(guards_intact(&ty, buf_y));
    /* u8 saturates: 1.5 -> 1, 3 -> 3, -1 -> 0 | -2.5 -> 0, 300.7 -> 255, 7 -> 7 */
    CHECK(buf_y[3] == 1 && buf_y[4] == 3 && buf_y[5] == 0);
    CHECK(buf_y[7] == 0 && buf_y[8] == 255 && buf_y[9] == 7);

    /* stride-0 input broadcast into a [3] output: bool byte 1 -> i32 {1,1,1} */
    {
        const int64_t s3[1] = {3}, z[1] = {0};
        const mlb_tensor_desc tb = tensor(BOOL, 1, s3, z, 5), ti = tensor(I32, 1, s3, NULL, 4);
        guard_fill(buf_x), guard_fill(buf_y);
        buf_x[5] = 1;
        CHECK_INT_EQ(conv_run(MLB_OP_CAST, &tb, buf_x, &ti, buf_y, NULL), MLB_OK);
        CHECK(guards_intact(&ti, buf_y));
        for (int i = 0; i < 3; ++i) {
            CHECK_INT_EQ(get_i(I32, at(&ti, buf_y, i)), 1);
        }
    }
    /* in place between dtypes of one size: f32 -> i32, u8 -> i8, f16 -> bf16 */
    {
        const mlb_tensor_desc tf = vec(F32, 3, 4), ti = vec(I32, 3, 4);
        guard_fill(buf_x);
        const double v[3] = {-2.75, 1e10, 42.5};
        for (int i = 0; i < 3; ++i) {
            put_f(F32, at(&tf, buf_x, i), v[i]);
        }
        CHECK_INT_EQ(conv_run(MLB_OP_CAST, &tf, buf_x, &ti, buf_x, NULL), MLB_OK);
        CHECK(guards_intact(&ti, buf_x));
        CHECK_INT_EQ(get_i(I32, at(&ti, buf_x, 0)), -2);
        CHECK_INT_EQ(get_i(I32, at(&ti, buf_x, 1)), INT32_MAX);
        CHECK_INT_EQ(get_i(I32, at(&ti, buf_x, 2)), 42);

        const int64_t s22[2] = {2, 2}, st[2] = {1, 2};
        const mlb_tensor_desc tu = tensor(U8, 2, s22, st, 1), ts = tensor(I8, 2, s22, st, 1);
        guard_fill(buf_x);
        buf_x[1] = 200, buf_x[2] = 127, buf_x[3] = 128, buf_x[4] = 0;
        CHECK_INT_EQ(conv_run(MLB_OP_CAST, &tu, buf_x, &ts, buf_x, NULL), MLB_OK);
        CHECK(guards_intact(&ts, buf_x));
        CHECK(buf_x[1] == 200 && buf_x[2] == 127 && buf_x[3] == 128 && buf_x[4] == 0);

        const mlb_tensor_desc th = vec(F16, 2, 2), tbf = vec(BF16, 2, 2);
        guard_fill(buf_x);
        put16(buf_x + 2, 0x3C01); /* 1 + 2^-10 -> bf16 1.0 */
        put16(buf_x + 4, 0xC500); /* -5 -> bf16 0xC0A0 */
        CHECK_INT_EQ(conv_run(MLB_OP_CAST, &th, buf_x, &tbf, buf_x, NULL), MLB_OK);
        CHECK(guards_intact(&tbf, buf_x));
        CHECK_INT_EQ(get16(buf_x + 2), 0x3F80);
        CHECK_INT_EQ(get16(buf_x + 4), 0xC0A0);
    }
    /* empty: nothing written; rank 0: one element */
    {
        const int64_t s05[2] = {0, 5};
        const mlb_tensor_desc te = tensor(F32, 2, s05, NULL, 0), to = tensor(I64, 2, s05, NULL, 0);
        guard_fill(buf_x), guard_fill(buf_y);
        CHECK_INT_EQ(conv_run(MLB_OP_CAST, &te, buf_x, &to, buf_y, NULL), MLB_OK);
        CHECK(guards_intact(&to, buf_y));
        const mlb_tensor_desc t0 = tensor(I64, 0, NULL, NULL, 16),
                              t1 = tensor(F16, 0, NULL, NULL, 6);
        guard_fill(buf_x), guard_fill(buf_y);
        put_i(I64, buf_x + 16, -3);
        CHECK_INT_EQ(conv_run(MLB_OP_CAST, &t0, buf_x, &t1, buf_y, NULL), MLB_OK);
        CHECK(guards_intact(&t1, buf_y));
        CHECK_INT_EQ(get16(buf_y + 6), 0xC200); /* -3 = -1.5 * 2^1 */
    }
}

/* ---- copy ------------------------------------------------------------------------ */

static void test_copy(void) {
    /* every dtype: bytes copied unchanged, NaN payloads and odd bool bytes included */
    for (size_t d = 0; d < 9; ++d) {
        const int32_t dt = all_dtypes[d];
        const mlb_tensor_desc tx = vec(dt, 5, 8), ty = vec(dt, 5, 16);
        guard_fill(buf_x), guard_fill(buf_y);
        for (size_t j = 0; j < 5 * esize(dt); ++j) {
            buf_x[8 + j] = (uint8_t)(0x31 * j + 7);
        }
        if (dt == F32) {
            put_i(I32, buf_x + 8, 0x7FC00001);            /* a NaN with a payload */
            put_i(I32, buf_x + 12, (int32_t)0xFF800001u); /* a signalling NaN */
        }
        CHECK_INT_EQ(conv_run(MLB_OP_COPY, &tx, buf_x, &ty, buf_y, NULL), MLB_OK);
        CHECK(guards_intact(&ty, buf_y));
        CHECK(memcmp(buf_x + 8, buf_y + 16, 5 * esize(dt)) == 0);
    }
    /* transpose: x [3,2] strides {1,3} over row-major [2,3] X = {1..6} -> y contiguous [3,2]
     * = {{1,4},{2,5},{3,6}} */
    {
        const int64_t s32[2] = {3, 2}, sx[2] = {1, 3};
        const mlb_tensor_desc tx = tensor(I32, 2, s32, sx, 0), ty = tensor(I32, 2, s32, NULL, 8);
        const int32_t X[6] = {1, 2, 3, 4, 5, 6};
        guard_fill(buf_x), guard_fill(buf_y);
        memcpy(buf_x, X, sizeof X);
        CHECK_INT_EQ(conv_run(MLB_OP_COPY, &tx, buf_x, &ty, buf_y, NULL), MLB_OK);
        CHECK(guards_intact(&ty, buf_y));
        const int32_t want[6] = {1, 4, 2, 5, 3, 6};
        CHECK(memcmp(buf_y + 8, want, sizeof want) == 0);
    }
    /* strided view into contiguous: x [3] stride 2 at offset 4 over f16 halves H[2..6] */
    {
        const int64_t s3[1] = {3}, st[1] = {2};
        const mlb_tensor_desc tx = tensor(F16, 1, s3, st, 4), ty = vec(F16, 3, 0);
        guard_fill(buf_x), guard_fill(buf_y);
        put16(buf_x + 4, 0x3C00), put16(buf_x + 8, 0x7E01), put16(buf_x + 12, 0x8001);
        CHECK_INT_EQ(conv_run(MLB_OP_COPY, &tx, buf_x, &ty, buf_y, NULL), MLB_OK);
        CHECK(guards_intact(&ty, buf_y));
        CHECK(get16(buf_y) == 0x3C00 && get16(buf_y + 2) == 0x7E01 && get16(buf_y + 4) == 0x8001);
    }
    /* broadcast input: x [2,3] strides {0,1} -> y [2,3] in a gapped layout strides {4,1} */
    {
        const int64_t s23[2] = {2, 3}, sx[2] = {0, 1}, sy[2] = {4, 1};
        const mlb_tensor_desc tx = tensor(I64, 2, s23, sx, 8), ty = tensor(I64, 2, s23, sy, 8);
        guard_fill(buf_x), guard_fill(buf_y);
        const int64_t r[3] = {INT64_MIN, -1, 7};
        memcpy(buf_x + 8, r, sizeof r);
        CHECK_INT_EQ(conv_run(MLB_OP_COPY, &tx, buf_x, &ty, buf_y, NULL), MLB_OK);
        CHECK(guards_intact(&ty, buf_y));
        for (int i = 0; i < 6; ++i) {
            CHECK_INT_EQ(get_i(I64, at(&ty, buf_y, i)), r[i % 3]);
        }
    }
    /* rank 8, every axis permuted: x is the row-major [2,2,2,1,1,1,1,2] block B read with the
     * strides of its axes reversed, i.e. x[a][b][c][0..][d] = B[a + 2b + 4c + 8d] */
    {
        const int64_t s8[8] = {2, 2, 2, 1, 1, 1, 1, 2}, sx[8] = {1, 2, 4, 0, 0, 0, 0, 8};
        const mlb_tensor_desc tx = tensor(U8, 8, s8, sx, 0), ty = tensor(U8, 8, s8, NULL, 1);
        guard_fill(buf_x), guard_fill(buf_y);
        for (int k = 0; k < 16; ++k) {
            buf_x[k] = (uint8_t)(k + 100);
        }
        CHECK_INT_EQ(conv_run(MLB_OP_COPY, &tx, buf_x, &ty, buf_y, NULL), MLB_OK);
        CHECK(guards_intact(&ty, buf_y));
        for (int a = 0; a < 2; ++a) {
            for (int b = 0; b < 2; ++b) {
                for (int c = 0; c < 2; ++c) {
                    for (int d = 0; d < 2; ++d) {
                        CHECK_INT_EQ(buf_y[1 + 8 * a + 4 * b + 2 * c + d],
                                     100 + a + 2 * b + 4 * c + 8 * d);
                    }
                }
            }
        }
    }
    /* in place, empty, rank 0 */
    {
        const int64_t s22[2] = {2, 2}, st[2] = {1, 2};
        const mlb_tensor_desc t = tensor(BF16, 2, s22, st, 2);
        guard_fill(buf_x);
        for (int k = 0; k < 4; ++k) {
            put16(buf_x + 2 + 2 * k, (uint16_t)(0x3F80 + k));
        }
        CHECK_INT_EQ(conv_run(MLB_OP_COPY, &t, buf_x, &t, buf_x, NULL), MLB_OK);
        CHECK(guards_intact(&t, buf_x));
        for (int k = 0; k < 4; ++k) {
            CHECK_INT_EQ(get16(buf_x + 2 + 2 * k), 0x3F80 + k);
        }
        const int64_t s0[3] = {4, 0, 2};
        const mlb_tensor_desc te = tensor(F64, 3, s0, NULL, 0);
        guard_fill(buf_x), guard_fill(buf_y);
        CHECK_INT_EQ(conv_run(MLB_OP_COPY, &te, buf_x, &te, buf_y, NULL), MLB_OK);
        CHECK(guards_intact(&te, buf_y));
        const mlb_tensor_desc ts = tensor(BOOL, 0, NULL, NULL, 9);
        guard_fill(buf_x), guard_fill(buf_y);
        buf_x[9] = 1;
        CHECK_INT_EQ(conv_run(MLB_OP_COPY, &ts, buf_x, &ts, buf_y, NULL), MLB_OK);
        CHECK(guards_intact(&ts, buf_y));
        CHECK_INT_EQ(buf_y[9], 1);
    }
}

/* ---- fill ------------------------------------------------------------------------ */

/* Fills a 3-element contiguous tensor of dt at offset 8 and returns element 1's bytes. */
static uint64_t fill3(int32_t dt, double fv, int64_t iv) {
    const mlb_fill_attrs attrs = {MLB_STRUCT_SIZE(mlb_fill_attrs, int_value), fv, iv};
    const mlb_tensor_desc ty = vec(dt, 3, 8);
    uint64_t e0 = 0, e1 = 0, e2 = 0;
    guard_fill(buf_y);
    CHECK_INT_EQ(conv_run(MLB_OP_FILL, NULL, NULL, &ty, buf_y, &attrs), MLB_OK);
    CHECK(guards_intact(&ty, buf_y));
    memcpy(&e0, at(&ty, buf_y, 0), esize(dt));
    memcpy(&e1, at(&ty, buf_y, 1), esize(dt));
    memcpy(&e2, at(&ty, buf_y, 2), esize(dt));
    CHECK(e0 == e1 && e1 == e2);
    return e1;
}

static void test_fill(void) {
    /* float outputs take float_value rounded once (int_value ignored) */
    CHECK_INT_EQ(fill3(F32, 0.1, 99), 0x3DCCCCCD);
    CHECK_INT_EQ(fill3(F64, 0.1, 99), f64b(0.1));
    CHECK_INT_EQ(fill3(F32, -0.0, 0), 0x80000000);
    CHECK_INT_EQ(fill3(F16, 1 + ldexp(1, -11), 0), 0x3C00); /* tie -> even */
    CHECK_INT_EQ(fill3(F16, 1e5, 0), 0x7C00);
    CHECK_INT_EQ(fill3(F16, ldexp(1, -24), 0), 0x0001);
    CHECK_INT_EQ(fill3(BF16, 1 + ldexp(1, -8) + ldexp(1, -30), 0), 0x3F81); /* one rounding */
    CHECK_INT_EQ(fill3(BF16, -INFINITY, 0), 0xFF80);
    {
        const uint64_t h = fill3(F16, NAN, 0);
        CHECK((h & 0x7C00) == 0x7C00 && (h & 0x03FF) != 0);
        const uint64_t f = fill3(F32, NAN, 0);
        CHECK(isnan(f32_from_bits((uint32_t)f)));
    }
    /* integer outputs take int_value wrapped (float_value ignored) */
    CHECK_INT_EQ(fill3(I8, 3.7, 300), 44);
    CHECK_INT_EQ((int8_t)fill3(I8, 0, -129), 127);
    CHECK_INT_EQ(fill3(U8, 0, -1), 255);
    CHECK_INT_EQ((int32_t)fill3(I32, 0, (INT64_C(1) << 32) + 7), 7);
    CHECK_INT_EQ((int64_t)fill3(I64, 1e300, INT64_MIN), INT64_MIN);
    CHECK_INT_EQ((int64_t)fill3(I64, 0, 5), 5);
    /* bool takes int_value != 0 (256 is 1, not wrapped to 0) */
    CHECK_INT_EQ(fill3(BOOL, 1, 0), 0);
    CHECK_INT_EQ(fill3(BOOL, 0, 256), 1);
    CHECK_INT_EQ(fill3(BOOL, 0, -1), 1);
    /* gapped, offset output; rank 0; empty */
    {
        const mlb_fill_attrs attrs = {MLB_STRUCT_SIZE(mlb_fill_attrs, int_value), 2.5, 0};
        const int64_t s23[2] = {2, 3}, st[2] = {1, 5};
        const mlb_tensor_desc ty = tensor(F64, 2, s23, st, 24);
        guard_fill(buf_y);
        CHECK_INT_EQ(conv_run(MLB_OP_FILL, NULL, NULL, &ty, buf_y, &attrs), MLB_OK);
        CHECK(guards_intact(&ty, buf_y));
        for (int i = 0; i < 6; ++i) {
            CHECK(same_f(get_f(F64, at(&ty, buf_y, i)), 2.5));
        }
        const mlb_tensor_desc t0 = tensor(I32, 0, NULL, NULL, 4);
        const mlb_fill_attrs a7 = {MLB_STRUCT_SIZE(mlb_fill_attrs, int_value), 0, -7};
        guard_fill(buf_y);
        CHECK_INT_EQ(conv_run(MLB_OP_FILL, NULL, NULL, &t0, buf_y, &a7), MLB_OK);
        CHECK(guards_intact(&t0, buf_y));
        CHECK_INT_EQ(get_i(I32, buf_y + 4), -7);
        const int64_t s0[2] = {3, 0};
        const mlb_tensor_desc te = tensor(U8, 2, s0, NULL, 0);
        guard_fill(buf_y);
        CHECK_INT_EQ(conv_run(MLB_OP_FILL, NULL, NULL, &te, buf_y, &a7), MLB_OK);
        CHECK(guards_intact(&te, buf_y));
    }
    /* a larger attrs struct (from a newer minor) is fine */
    {
        struct {
            mlb_fill_attrs base;
            int64_t future;
        } big;
        memset(&big, 0, sizeof big);
        big.base.struct_size = sizeof big;
        big.base.int_value = 9;
        const mlb_tensor_desc ty = vec(I8, 2, 0);
        guard_fill(buf_y);
        CHECK_INT_EQ(conv_run(MLB_OP_FILL, NULL, NULL, &ty, buf_y, &big), MLB_OK);
        CHECK(buf_y[0] == 9 && buf_y[1] == 9 && buf_y[2] == GUARD);
    }
}

/* ---- check: INVALID_ARGUMENT and UNSUPPORTED with their reasons ------------------ */

static mlb_status try_check(int32_t op, uint32_t nin, const mlb_tensor_desc *const *ins,
                            uint32_t nout, const mlb_tensor_desc *const *outs, const void *attrs) {
    const mlb_op_desc d = op_desc(op, nin, ins, nout, outs, attrs);
    why[0] = 0;
    switch (op) {
    case MLB_OP_CAST:
        return cpuref_cast_check(&d, why, sizeof why);
    case MLB_OP_COPY:
        return cpuref_copy_check(&d, why, sizeof why);
    default:
        return cpuref_fill_check(&d, why, sizeof why);
    }
}

#define EXPECT_CHECK(status, text, ...)                                                            \
    do {                                                                                           \
        CHECK_INT_EQ(try_check(__VA_ARGS__), status);                                              \
        CHECK_STR_CONTAINS(why, text);                                                             \
    } while (0)

static void test_check_errors(void) {
    const int64_t s23[2] = {2, 3}, s32[2] = {3, 2}, z[2] = {0, 1};
    const mlb_tensor_desc f23 = tensor(F32, 2, s23, NULL, 0), f32t = tensor(F32, 2, s32, NULL, 0);
    const mlb_tensor_desc i23 = tensor(I32, 2, s23, NULL, 0), f23z = tensor(F32, 2, s23, z, 0);
    const mlb_tensor_desc bad0 = tensor(MLB_DTYPE_INVALID, 2, s23, NULL, 0);
    const mlb_tensor_desc bad10 = tensor(10, 2, s23, NULL, 0);
    const mlb_tensor_desc *x[2] = {&f23, &f23}, *xi[1] = {&i23}, *yt[1] = {&f32t};
    const mlb_tensor_desc *yz[1] = {&f23z}, *b0[1] = {&bad0}, *b10[1] = {&bad10};
    const mlb_fill_attrs fa = {MLB_STRUCT_SIZE(mlb_fill_attrs, int_value), 1, 1};
    const mlb_fill_attrs short_fa = {MLB_STRUCT_SIZE(mlb_fill_attrs, float_value), 1, 1};

    /* cast */
    CHECK_INT_EQ(try_check(MLB_OP_CAST, 1, x, 1, xi, NULL), MLB_OK);
    EXPECT_CHECK(MLB_ERROR_INVALID_ARGUMENT, "cast: takes 1 input(s) and 1 output(s), got 2 and 1",
                 MLB_OP_CAST, 2, x, 1, xi, NULL);
    EXPECT_CHECK(MLB_ERROR_INVALID_ARGUMENT, "cast: takes no attributes", MLB_OP_CAST, 1, x, 1, xi,
                 &fa);
    EXPECT_CHECK(MLB_ERROR_INVALID_ARGUMENT, "cast: input and output shapes differ", MLB_OP_CAST, 1,
                 x, 1, yt, NULL);
    EXPECT_CHECK(MLB_ERROR_INVALID_ARGUMENT, "cast: output has stride 0 on axis 0 of extent 2",
                 MLB_OP_CAST, 1, xi, 1, yz, NULL);
    EXPECT_CHECK(MLB_ERROR_UNSUPPORTED, "cast: dtype invalid is not supported", MLB_OP_CAST, 1, b0,
                 1, x, NULL);
    EXPECT_CHECK(MLB_ERROR_UNSUPPORTED, "cast: dtype invalid is not supported", MLB_OP_CAST, 1, x,
                 1, b10, NULL);
    {
        /* an unknown dtype with a wrong shape: INVALID_ARGUMENT first */
        const mlb_tensor_desc bad32 = tensor(10, 2, s32, NULL, 0);
        const mlb_tensor_desc *bt[1] = {&bad32};
        EXPECT_CHECK(MLB_ERROR_INVALID_ARGUMENT, "shapes differ", MLB_OP_CAST, 1, x, 1, bt, NULL);
    }
    /* copy */
    CHECK_INT_EQ(try_check(MLB_OP_COPY, 1, x, 1, x, NULL), MLB_OK);
    EXPECT_CHECK(MLB_ERROR_INVALID_ARGUMENT, "copy: takes 1 input(s) and 1 output(s), got 1 and 0",
                 MLB_OP_COPY, 1, x, 0, x, NULL);
    EXPECT_CHECK(MLB_ERROR_INVALID_ARGUMENT, "copy: output 0 is i32, expected f32", MLB_OP_COPY, 1,
                 x, 1, xi, NULL);
    EXPECT_CHECK(MLB_ERROR_INVALID_ARGUMENT, "copy: input and output shapes differ", MLB_OP_COPY, 1,
                 x, 1, yt, NULL);
    EXPECT_CHECK(MLB_ERROR_INVALID_ARGUMENT, "copy: output has stride 0 on axis 0 of extent 2",
                 MLB_OP_COPY, 1, x, 1, yz, NULL);
    EXPECT_CHECK(MLB_ERROR_INVALID_ARGUMENT, "copy: takes no attributes", MLB_OP_COPY, 1, x, 1, x,
                 &fa);
    EXPECT_CHECK(MLB_ERROR_UNSUPPORTED, "copy: dtype invalid is not supported", MLB_OP_COPY, 1, b10,
                 1, b10, NULL);
    /* fill */
    CHECK_INT_EQ(try_check(MLB_OP_FILL, 0, NULL, 1, x, &fa), MLB_OK);
    EXPECT_CHECK(MLB_ERROR_INVALID_ARGUMENT, "fill: takes 0 input(s) and 1 output(s), got 1 and 1",
                 MLB_OP_FILL, 1, x, 1, x, &fa);
    EXPECT_CHECK(MLB_ERROR_INVALID_ARGUMENT, "fill: attributes missing", MLB_OP_FILL, 0, NULL, 1, x,
                 NULL);
    EXPECT_CHECK(MLB_ERROR_INVALID_ARGUMENT, "fill: attributes missing or struct_size 16 < 24",
                 MLB_OP_FILL, 0, NULL, 1, x, &short_fa);
    EXPECT_CHECK(MLB_ERROR_INVALID_ARGUMENT, "fill: output has stride 0 on axis 0 of extent 2",
                 MLB_OP_FILL, 0, NULL, 1, yz, &fa);
    EXPECT_CHECK(MLB_ERROR_UNSUPPORTED, "fill: dtype invalid is not supported", MLB_OP_FILL, 0,
                 NULL, 1, b0, &fa);
    for (size_t d = 0; d < 9; ++d) {
        const mlb_tensor_desc t = tensor(all_dtypes[d], 2, s23, NULL, 0);
        const mlb_tensor_desc *tt[1] = {&t};
        CHECK_INT_EQ(try_check(MLB_OP_FILL, 0, NULL, 1, tt, &fa), MLB_OK);
        CHECK_INT_EQ(try_check(MLB_OP_COPY, 1, tt, 1, tt, NULL), MLB_OK);
    }
}

int main(void) {
    test_cast_all_pairs();
    test_cast_float_float();
    test_cast_float_int();
    test_cast_int();
    test_cast_layouts();
    test_copy();
    test_fill();
    test_check_errors();
    return check_finish();
}
