/*
 * softmax_norm_test.c - softmax, log_softmax (docs/ops.md section 8),
 * layer_norm and rms_norm (section 9) against hand-computed values, through
 * the families' check/run on host arrays.
 *
 * Tolerances. Where the exact result is a short binary fraction (most norm
 * cases, softmax 0.5/1/0) the comparison is exact. Transcendental results
 * (exp, log, sqrt of a non-square) were computed to 50 digits with Python's
 * decimal module: f64 outputs are compared within 1e-12 relative; f32, f16
 * and bf16 outputs must equal, bit for bit, the exact value rounded to the
 * format, which is safe because every such exact value lies at least 0.029
 * ulp of its format away from a rounding midpoint (also computed), far more
 * than the ~1e-15 relative error of the double computation.
 */
#include "reduce_test_util.h"

#define S(...) ((const int64_t[]){__VA_ARGS__})
#define V(...) ((const double[]){__VA_ARGS__})

#define REL_F64 1e-12

/* ---------------------------------------------------------------- softmax */

static mlb_status softmax(int32_t op, int32_t axis, tt *x, tt *y) {
    mlb_axis_attrs a;
    memset(&a, 0, sizeof a);
    a.struct_size = MLB_STRUCT_SIZE(mlb_axis_attrs, axis);
    a.axis = axis;
    tt *ins[1] = {x};
    family_check = cpuref_softmax_check;
    family_run = cpuref_softmax_run;
    return op_call(op, &a, ins, 1, y);
}

/* softmax([1,2,3]) and log_softmax([1,2,3]): to 17 digits, and bits in f32, f16, bf16. */
static const double sm123[3] = {0.090030573170380462, 0.24472847105479764, 0.6652409557748219};
static const double lsm123[3] = {-2.4076059644443801, -1.4076059644443804, -0.4076059644443803};
static const uint32_t sm123_bits[3][3] = {/* f32, f16, bf16 */
                                          {0x3db861f3, 0x3e7a9a1a, 0x3f2a4d3b},
                                          {0x2dc3, 0x33d5, 0x3952},
                                          {0x3db8, 0x3e7b, 0x3f2a}};
static const uint32_t lsm123_bits[3][3] = {
    {0xc01a1637, 0xbfb42c6f, 0xbed0b1bb}, {0xc0d1, 0xbda1, 0xb686}, {0xc01a, 0xbfb4, 0xbed1}};

/* Every float dtype, both ops, x = [1,2,3] (and the shifted [1001,1002,1003]). */
static void test_softmax_dtypes(void) {
    for (size_t d = 0; d < 4; ++d) {
        const int32_t dt = float_dtypes[d];
        for (int log_form = 0; log_form < 2; ++log_form) {
            const int32_t op = log_form ? MLB_OP_LOG_SOFTMAX : MLB_OP_SOFTMAX;
            tt x, y;
            tt_init(&x, dt, 1, S(3), NULL, 0);
            tt_fill_f(&x, V(1, 2, 3), 3);
            tt_init(&y, dt, 1, S(3), NULL, 0);
            CHECK_INT_EQ(softmax(op, 0, &x, &y), MLB_OK);
            CHECK(tt_guard_ok(&y));
            for (int64_t i = 0; i < 3; ++i) {
                if (dt == MLB_DTYPE_F64) {
                    CHECK(near_rel(tt_get_f(&y, i), log_form ? lsm123[i] : sm123[i], REL_F64));
                } else {
                    const uint32_t want = log_form ? lsm123_bits[d][i] : sm123_bits[d][i];
                    CHECK_INT_EQ(tt_bits(&y, i), want);
                }
            }
            /* x - max is the same {-2,-1,0} for [1001,1002,1003] (exact in f64 and f32): the
             * same bits, without overflow of e^x. */
            if (dt == MLB_DTYPE_F64 || dt == MLB_DTYPE_F32) {
                tt x2, y2;
                tt_init(&x2, dt, 1, S(3), NULL, 0);
                tt_fill_f(&x2, V(1001, 1002, 1003), 3);
                tt_init(&y2, dt, 1, S(3), NULL, 0);
                CHECK_INT_EQ(softmax(op, -1, &x2, &y2), MLB_OK);
                CHECK(memcmp(y.buf, y2.buf, sizeof y.buf) == 0);
            }
        }
    }
}

/* NaN/Inf exactly as section 8 says, in every float dtype. */
static void test_softmax_special(void) {
    const double inf = INFINITY, nan = NAN, ln2 = 0.69314718055994529;
    struct {
        double x[3];
        int64_t n;
        double sm[3], lsm[3];
    } cases[] = {
        {{1, nan, 2}, 3, {nan, nan, nan}, {nan, nan, nan}},   /* a NaN: all NaN */
        {{1, inf, 2}, 3, {nan, nan, nan}, {nan, nan, nan}},   /* a +Inf: all NaN */
        {{-inf, -inf}, 2, {nan, nan}, {nan, nan}},            /* only -Inf: all NaN */
        {{-inf}, 1, {nan}, {nan}},                            /* only -Inf, alone */
        {{inf}, 1, {nan}, {nan}},                             /* +Inf alone */
        {{-inf, 0, 0}, 3, {0, 0.5, 0.5}, {-inf, -ln2, -ln2}}, /* -Inf among finite: 0/-Inf */
        {{5, -inf}, 2, {1, 0}, {0, -inf}},                    /* e^0/1 = 1; 0 - ln 1 = 0 */
        {{7}, 1, {1}, {0}},                                   /* one element */
        {{-1e300, 1e300}, 2, {0, 1}, {-2e300, 0}},            /* e^(-2e300) underflows: 0 */
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; ++c) {
        for (size_t d = 0; d < 4; ++d) {
            const int32_t dt = float_dtypes[d];
            if (c == 8 && dt != MLB_DTYPE_F64) {
                continue; /* 1e300 is f64 only */
            }
            for (int log_form = 0; log_form < 2; ++log_form) {
                tt x, y;
                tt_init(&x, dt, 1, S(cases[c].n), NULL, 0);
                tt_fill_f(&x, cases[c].x, cases[c].n);
                tt_init(&y, dt, 1, S(cases[c].n), NULL, 0);
                CHECK_INT_EQ(softmax(log_form ? MLB_OP_LOG_SOFTMAX : MLB_OP_SOFTMAX, 0, &x, &y),
                             MLB_OK);
                for (int64_t i = 0; i < cases[c].n; ++i) {
                    double want = log_form ? cases[c].lsm[i] : cases[c].sm[i];
                    double got = tt_get_f(&y, i);
                    /* -ln 2 rounded to the dtype: exact bits per the header note */
                    int ok = want == -ln2 && dt != MLB_DTYPE_F64
                                 ? tt_bits(&y, i) == (dt == MLB_DTYPE_F32   ? 0xbf317218u
                                                      : dt == MLB_DTYPE_F16 ? 0xb98cu
                                                                            : 0xbf31u)
                                 : near_rel(got, want, REL_F64);
                    if (!ok) {
                        fprintf(stderr,
                                "softmax special case %zu %s log=%d [%lld]: got %g want %g\n", c,
                                cpuref_dtype_name(dt), log_form, (long long)i, got, want);
                        CHECK(0);
                    }
                }
                CHECK(tt_guard_ok(&y));
            }
        }
    }
}

/*
 * Axes and layouts. x [2,3] = {{4, 0, -Inf}, {4, -Inf, 0}} along axis 0: the
 * columns are {4,4}, {0,-Inf}, {-Inf,0}, so softmax = {{.5, 1, 0}, {.5, 0, 1}},
 * exact in every dtype. Stored transposed with an offset; output strided.
 */
static void test_softmax_layouts(void) {
    const double inf = INFINITY;
    for (size_t d = 0; d < 4; ++d) {
        const int32_t dt = float_dtypes[d];
        tt x, y;
        tt_init(&x, dt, 2, S(2, 3), S(1, 2), 8);
        tt_fill_f(&x, V(4, 0, -inf, 4, -inf, 0), 6);
        tt_init(&y, dt, 2, S(2, 3), S(8, 2), 16);
        CHECK_INT_EQ(softmax(MLB_OP_SOFTMAX, 0, &x, &y), MLB_OK);
        const double want[6] = {0.5, 1, 0, 0.5, 0, 1};
        for (int64_t i = 0; i < 6; ++i) {
            CHECK(tt_get_f(&y, i) == want[i]);
        }
        CHECK(tt_guard_ok(&y));
        CHECK_INT_EQ(softmax(MLB_OP_SOFTMAX, -2, &x, &y), MLB_OK);
        CHECK(tt_get_f(&y, 1) == 1 && tt_get_f(&y, 3) == 0.5);
        CHECK_INT_EQ(softmax(MLB_OP_LOG_SOFTMAX, 0, &x, &y), MLB_OK);
        CHECK(tt_get_f(&y, 1) == 0 && tt_get_f(&y, 2) == -inf && tt_get_f(&y, 4) == -inf);
        CHECK(tt_get_f(&y, 5) == 0);
    }
    /* Along axis 1 of a rank-3 tensor: x [2,3,2], x[i][:][k] = {1,2,3} + 0 for every i, k
     * (middle axis varies), so each slice is softmax([1,2,3]). */
    tt x, y;
    tt_init(&x, MLB_DTYPE_F64, 3, S(2, 3, 2), NULL, 0);
    for (int64_t i = 0; i < 12; ++i) {
        tt_set_f(&x, i, (double)(1 + (i / 2) % 3));
    }
    tt_init(&y, MLB_DTYPE_F64, 3, S(2, 3, 2), NULL, 0);
    CHECK_INT_EQ(softmax(MLB_OP_SOFTMAX, 1, &x, &y), MLB_OK);
    for (int64_t i = 0; i < 12; ++i) {
        CHECK(near_rel(tt_get_f(&y, i), sm123[(i / 2) % 3], REL_F64));
    }
    CHECK_INT_EQ(softmax(MLB_OP_LOG_SOFTMAX, -2, &x, &y), MLB_OK);
    for (int64_t i = 0; i < 12; ++i) {
        CHECK(near_rel(tt_get_f(&y, i), lsm123[(i / 2) % 3], REL_F64));
    }
    /* A broadcast input: x [4,3] with strides {0,1} repeats the row {1,2,3}. */
    tt_init(&x, MLB_DTYPE_F32, 2, S(4, 3), S(0, 1), 4);
    tt_fill_f(&x, V(1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3), 12);
    tt_init(&y, MLB_DTYPE_F32, 2, S(4, 3), NULL, 0);
    CHECK_INT_EQ(softmax(MLB_OP_SOFTMAX, 1, &x, &y), MLB_OK);
    for (int64_t i = 0; i < 12; ++i) {
        CHECK_INT_EQ(tt_bits(&y, i), sm123_bits[0][i % 3]);
    }
    CHECK(tt_guard_ok(&y));
}

static void test_softmax_empty(void) {
    tt x, y;
    tt_init(&x, MLB_DTYPE_F32, 2, S(0, 3), NULL, 0);
    tt_init(&y, MLB_DTYPE_F32, 2, S(0, 3), NULL, 0);
    CHECK_INT_EQ(softmax(MLB_OP_SOFTMAX, 1, &x, &y), MLB_OK);
    CHECK(tt_untouched(&y));
    tt_init(&x, MLB_DTYPE_F16, 2, S(2, 0), NULL, 0);
    tt_init(&y, MLB_DTYPE_F16, 2, S(2, 0), NULL, 0);
    CHECK_INT_EQ(softmax(MLB_OP_LOG_SOFTMAX, 1, &x, &y), MLB_OK);
    CHECK(tt_untouched(&y));
    CHECK_INT_EQ(softmax(MLB_OP_SOFTMAX, 0, &x, &y), MLB_OK);
    CHECK(tt_untouched(&y));
}

static void test_softmax_check_rules(void) {
    tt x, y, z;
    mlb_axis_attrs a;
    memset(&a, 0, sizeof a);
    a.struct_size = MLB_STRUCT_SIZE(mlb_axis_attrs, axis);
    tt_init(&x, MLB_DTYPE_F32, 2, S(2, 3), NULL, 0);
    tt_init(&y, MLB_DTYPE_F32, 2, S(2, 3), NULL, 0);
    tt *ins[2] = {&x, &x};
    family_check = cpuref_softmax_check;

    CHECK_INT_EQ(op_check(MLB_OP_SOFTMAX, &a, ins, 2, &y), MLB_ERROR_INVALID_ARGUMENT);
    CHECK_STR_CONTAINS(why, "softmax: takes 1 input(s) and 1 output(s), got 2 and 1");
    CHECK_INT_EQ(op_check(MLB_OP_LOG_SOFTMAX, NULL, ins, 1, &y), MLB_ERROR_INVALID_ARGUMENT);
    CHECK_STR_CONTAINS(why, "log_softmax: attributes missing");
    mlb_axis_attrs short_a = a;
    short_a.struct_size = sizeof(size_t);
    CHECK_INT_EQ(op_check(MLB_OP_SOFTMAX, &short_a, ins, 1, &y), MLB_ERROR_INVALID_ARGUMENT);
    CHECK_STR_CONTAINS(why, "softmax: attributes missing or struct_size");

    tt_init(&z, MLB_DTYPE_BF16, 2, S(2, 3), NULL, 0);
    CHECK_INT_EQ(op_check(MLB_OP_SOFTMAX, &a, ins, 1, &z), MLB_ERROR_INVALID_ARGUMENT);
    CHECK_STR_CONTAINS(why, "softmax: output 0 is bf16, expected f32");

    tt_init(&z, MLB_DTYPE_F32, 0, NULL, NULL, 0);
    tt *scalar[1] = {&z};
    CHECK_INT_EQ(op_check(MLB_OP_SOFTMAX, &a, scalar, 1, &z), MLB_ERROR_INVALID_ARGUMENT);
    CHECK_STR_CONTAINS(why, "softmax: the input has rank 0, expected rank >= 1");

    a.axis = 2;
    CHECK_INT_EQ(op_check(MLB_OP_SOFTMAX, &a, ins, 1, &y), MLB_ERROR_INVALID_ARGUMENT);
    CHECK_STR_CONTAINS(why, "softmax: axis 2 is outside [-2, 2)");
    a.axis = -3;
    CHECK_INT_EQ(op_check(MLB_OP_LOG_SOFTMAX, &a, ins, 1, &y), MLB_ERROR_INVALID_ARGUMENT);
    CHECK_STR_CONTAINS(why, "log_softmax: axis -3 is outside [-2, 2)");
    a.axis = -2;
    CHECK_INT_EQ(op_check(MLB_OP_SOFTMAX, &a, ins, 1, &y), MLB_OK);

    tt_init(&z, MLB_DTYPE_F32, 2, S(3, 2), NULL, 0);
    CHECK_INT_EQ(op_check(MLB_OP_SOFTMAX, &a, ins, 1, &z), MLB_ERROR_INVALID_ARGUMENT);
    CHECK_STR_CONTAINS(why, "softmax: input and output shapes differ");
    tt_init(&z, MLB_DTYPE_F32, 1, S(6), NULL, 0);
    CHECK_INT_EQ(op_check(MLB_OP_SOFTMAX, &a, ins, 1, &z), MLB_ERROR_INVALID_ARGUMENT);
    CHECK_STR_CONTAINS(why, "shapes differ");

    tt_init(&z, MLB_DTYPE_F32, 2, S(2, 3), S(0, 1), 0);
    CHECK_INT_EQ(op_check(MLB_OP_SOFTMAX, &a, ins, 1, &z), MLB_ERROR_INVALID_ARGUMENT);
    CHECK_STR_CONTAINS(why, "softmax: output has stride 0 on axis 0 of extent 2");

    static const int32_t refused[] = {MLB_DTYPE_I8, MLB_DTYPE_U8, MLB_DTYPE_I32, MLB_DTYPE_I64,
                                      MLB_DTYPE_BOOL};
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; ++i) {
        tt_init(&x, refused[i], 2, S(2, 3), NULL, 0);
        tt_init(&y, refused[i], 2, S(2, 3), NULL, 0);
        CHECK_INT_EQ(op_check(MLB_OP_LOG_SOFTMAX, &a, ins, 1, &y), MLB_ERROR_UNSUPPORTED);
        CHECK_STR_CONTAINS(why, "log_softmax: dtype");
        CHECK_STR_CONTAINS(why, cpuref_dtype_name(refused[i]));
    }
}

/* ------------------------------------------------------------------ norms */

static mlb_norm_attrs na(int32_t axis, int32_t has_weight, int32_t has_bias, double eps) {
    mlb_norm_attrs a;
    memset(&a, 0, sizeof a);
    a.struct_size = MLB_STRUCT_SIZE(mlb_norm_attrs, epsilon);
    a.axis = axis;
    a.has_weight = has_weight;
    a.has_bias = has_bias;
    a.epsilon = eps;
    return a;
}

/* Runs a norm on x with optional weight w and bias b (NULL when absent). */
static mlb_status norm(int32_t op, int32_t axis, double eps, tt *x, tt *w, tt *b, tt *y) {
    mlb_norm_attrs a = na(axis, w != NULL, b != NULL, eps);
    tt *ins[3] = {x, NULL, NULL};
    uint32_t n = 1;
    if (w) {
        ins[n++] = w;
    }
    if (b) {
        ins[n++] = b;
    }
    family_check = cpuref_norm_check;
    family_run = cpuref_norm_run;
    return op_call(op, &a, ins, n, y);
}

static int values_are(tt *y, const double *want, int64_t n) {
    for (int64_t i = 0; i < n; ++i) {
        if (!(tt_get_f(y, i) == want[i] || (isnan(want[i]) && isnan(tt_get_f(y, i))))) {
            fprintf(stderr, "element %lld: got %.17g, want %.17g\n", (long long)i, tt_get_f(y, i),
                    want[i]);
            return 0;
        }
    }
    return 1;
}

/*
 * layer_norm, x = [1,2,3,4]: mu = 2.5, var = (2.25+0.25+0.25+2.25)/4 = 1.25,
 * eps = 2.75 makes sqrt(var+eps) = 2, so (x-mu)/2 = [-.75,-.25,.25,.75] exactly.
 * w = [1,2,3,4] -> [-.75,-.5,.75,3]; + b 0.5 -> [-.25,0,1.25,3.5].
 * rms_norm, x = [2,2,4,4]: sum(x^2)/4 = 10, eps = 6 makes sqrt = 4:
 * [.5,.5,1,1]; w = [1,-1,2,.5] -> [.5,-.5,2,.5]. Exact in every dtype.
 */
static void test_norm_dtypes(void) {
    for (size_t d = 0; d < 4; ++d) {
        const int32_t dt = float_dtypes[d];
        tt x, w, b, y;
        tt_init(&x, dt, 1, S(4), NULL, 0);
        tt_fill_f(&x, V(1, 2, 3, 4), 4);
        tt_init(&w, dt, 1, S(4), NULL, 0);
        tt_fill_f(&w, V(1, 2, 3, 4), 4);
        tt_init(&b, dt, 1, S(4), NULL, 0);
        tt_fill_f(&b, V(0.5, 0.5, 0.5, 0.5), 4);
        tt_init(&y, dt, 1, S(4), NULL, 0);
        CHECK_INT_EQ(norm(MLB_OP_LAYER_NORM, 0, 2.75, &x, NULL, NULL, &y), MLB_OK);
        CHECK(values_are(&y, V(-0.75, -0.25, 0.25, 0.75), 4));
        CHECK_INT_EQ(norm(MLB_OP_LAYER_NORM, -1, 2.75, &x, &w, NULL, &y), MLB_OK);
        CHECK(values_are(&y, V(-0.75, -0.5, 0.75, 3), 4));
        CHECK_INT_EQ(norm(MLB_OP_LAYER_NORM, 0, 2.75, &x, NULL, &b, &y), MLB_OK);
        CHECK(values_are(&y, V(-0.25, 0.25, 0.75, 1.25), 4));
        CHECK_INT_EQ(norm(MLB_OP_LAYER_NORM, 0, 2.75, &x, &w, &b, &y), MLB_OK);
        CHECK(values_are(&y, V(-0.25, 0, 1.25, 3.5), 4));
        CHECK(tt_guard_ok(&y));

        tt_fill_f(&x, V(2, 2, 4, 4), 4);
        tt_fill_f(&w, V(1, -1, 2, 0.5), 4);
        CHECK_INT_EQ(norm(MLB_OP_RMS_NORM, 0, 6, &x, NULL, NULL, &y), MLB_OK);
        CHECK(values_are(&y, V(0.5, 0.5, 1, 1), 4));
        CHECK_INT_EQ(norm(MLB_OP_RMS_NORM, -1, 6, &x, &w, NULL, &y), MLB_OK);
        CHECK(values_are(&y, V(0.5, -0.5, 2, 0.5), 4));
        CHECK(tt_guard_ok(&y));
    }
}

/*
 * One rounding, ties to even: layer_norm of [1,2,3,4] (eps 2.75) is
 * d = [-.75,-.25,.25,.75]; with w = 4, d*w = [-3,-1,1,3], then + b:
 * f16, b = [2048,2048,2048,2050]: [2045, 2047, 2049, 2053]. f16 spacing is 1
 * below 2048 and 2 above: 2045 (0x67FD), 2047 (0x67FF) exact; 2049 is a tie
 * -> 2048 (0x6800, even); 2053 a tie between 2052 (0x6802, even) and 2054.
 * bf16, b = [256,256,256,258]: [253 (0x437D), 255 (0x437F), 257 -> 256
 * (0x4380), 261 -> 260 (0x4382)]. f32, b = [2^24, 2^24, 2^24, 2^24+2]:
 * [2^24-3 (0x4B7FFFFD), 2^24-1 (0x4B7FFFFF), 2^24+1 -> 2^24 (0x4B800000),
 * 2^24+5 -> 2^24+4 (0x4B800002)].
 */
static void test_norm_ties(void) {
    static const struct {
        int32_t dtype;
        double b[4];
        uint32_t bits[4];
    } cases[] = {
        {MLB_DTYPE_F16, {2048, 2048, 2048, 2050}, {0x67FD, 0x67FF, 0x6800, 0x6802}},
        {MLB_DTYPE_BF16, {256, 256, 256, 258}, {0x437D, 0x437F, 0x4380, 0x4382}},
        {MLB_DTYPE_F32,
         {16777216, 16777216, 16777216, 16777218},
         {0x4B7FFFFD, 0x4B7FFFFF, 0x4B800000, 0x4B800002}},
    };
    for (size_t c = 0; c < 3; ++c) {
        tt x, w, b, y;
        tt_init(&x, cases[c].dtype, 1, S(4), NULL, 0);
        tt_fill_f(&x, V(1, 2, 3, 4), 4);
        tt_init(&w, cases[c].dtype, 1, S(4), S(0), 0); /* a broadcast weight of 4 */
        tt_set_f(&w, 0, 4);
        tt_init(&b, cases[c].dtype, 1, S(4), NULL, 0);
        tt_fill_f(&b, cases[c].b, 4);
        tt_init(&y, cases[c].dtype, 1, S(4), NULL, 0);
        CHECK_INT_EQ(norm(MLB_OP_LAYER_NORM, 0, 2.75, &x, &w, &b, &y), MLB_OK);
        for (int64_t i = 0; i < 4; ++i) {
            CHECK_INT_EQ(tt_bits(&y, i), cases[c].bits[i]);
        }
    }
}

/* eps = 1e-5: sqrt of a non-square. Values to 17 digits and bits, from the header note. */
static void test_norm_transcendental(void) {
    static const double ln_want[4] = {-1.3416354199689269, -0.447211806656309, 0.447211806656309,
                                      1.3416354199689269};
    static const double rms_want[4] = {0.36514812823810638, 0.73029625647621277, 1.0954443847143192,
                                       1.4605925129524255};
    static const uint32_t ln_bits[3][4] = {{0xbfabbab6, 0xbee4f8f2, 0x3ee4f8f2, 0x3fabbab6},
                                           {0xbd5e, 0xb728, 0x3728, 0x3d5e},
                                           {0xbfac, 0xbee5, 0x3ee5, 0x3fac}};
    static const uint32_t rms_bits[3][4] = {{0x3ebaf4b2, 0x3f3af4b2, 0x3f8c3786, 0x3fbaf4b2},
                                            {0x35d8, 0x39d8, 0x3c62, 0x3dd8},
                                            {0x3ebb, 0x3f3b, 0x3f8c, 0x3fbb}};
    for (size_t d = 0; d < 4; ++d) {
        const int32_t dt = float_dtypes[d];
        tt x, y;
        tt_init(&x, dt, 1, S(4), NULL, 0);
        tt_fill_f(&x, V(1, 2, 3, 4), 4);
        tt_init(&y, dt, 1, S(4), NULL, 0);
        for (int rms = 0; rms < 2; ++rms) {
            CHECK_INT_EQ(
                norm(rms ? MLB_OP_RMS_NORM : MLB_OP_LAYER_NORM, 0, 1e-5, &x, NULL, NULL, &y),
                MLB_OK);
            for (int64_t i = 0; i < 4; ++i) {
                if (dt == MLB_DTYPE_F64) {
                    CHECK(near_rel(tt_get_f(&y, i), rms ? rms_want[i] : ln_want[i], REL_F64));
                } else {
                    CHECK_INT_EQ(tt_bits(&y, i), rms ? rms_bits[d][i] : ln_bits[d][i]);
                }
            }
        }
    }
}

/*
 * Axis choice and layouts. Every slice of 4 is [a-1.5, a-.5, a+.5, a+1.5]
 * (mu = a, var = 1.25, eps 2.75 -> d = [-.75,-.25,.25,.75] exactly).
 */
static void test_norm_axes_layouts(void) {
    /* x [3,2,2] normalized over axes [1,3) (axis 1 = -2); slices at a = 0, 10, -100. */
    tt x, w, b, y;
    tt_init(&x, MLB_DTYPE_F64, 3, S(3, 2, 2), S(1, 6, 3), 16); /* axis 0 fastest in memory */
    const double as[3] = {0, 10, -100}, off[4] = {-1.5, -0.5, 0.5, 1.5};
    for (int64_t i = 0; i < 12; ++i) {
        tt_set_f(&x, i, as[i / 4] + off[i % 4]);
    }
    tt_init(&w, MLB_DTYPE_F64, 2, S(2, 2), S(1, 2), 8); /* logical [[1,2],[3,4]], transposed */
    tt_fill_f(&w, V(1, 2, 3, 4), 4);
    tt_init(&b, MLB_DTYPE_F64, 2, S(2, 2), S(0, 0), 0); /* a broadcast bias of 1 */
    tt_set_f(&b, 0, 1);
    tt_init(&y, MLB_DTYPE_F64, 3, S(3, 2, 2), S(10, 4, 1), 24);
    for (int32_t axis = -2; axis <= 1; axis += 3) {
        CHECK_INT_EQ(norm(MLB_OP_LAYER_NORM, axis, 2.75, &x, &w, &b, &y), MLB_OK);
        static const double want[4] = {0.25, 0.5, 1.75, 4}; /* d*w + 1 */
        for (int64_t i = 0; i < 12; ++i) {
            CHECK(tt_get_f(&y, i) == want[i % 4]);
        }
        CHECK(tt_guard_ok(&y));
    }
    /* The same x normalized over the last axis only (n = 2): slices [a-1.5, a-.5] and
     * [a+.5, a+1.5], mu = a-1 or a+1, var = .25; eps .75 -> sqrt 1 -> [-.5, .5]. */
    tt_init(&w, MLB_DTYPE_F64, 1, S(2), NULL, 0);
    tt_fill_f(&w, V(2, -2), 2);
    CHECK_INT_EQ(norm(MLB_OP_LAYER_NORM, -1, 0.75, &x, &w, NULL, &y), MLB_OK);
    for (int64_t i = 0; i < 12; ++i) {
        CHECK(tt_get_f(&y, i) == -1.0); /* [-.5 * 2, .5 * -2] */
    }
    CHECK(tt_guard_ok(&y));
    /* Over everything (axis 0, n = 12), rms_norm of x = 2 everywhere but one -2:
     * sum(x^2)/12 = 4, eps 12 -> sqrt(16) = 4 -> y = x/4 = +-0.5. */
    tt_init(&x, MLB_DTYPE_BF16, 3, S(3, 2, 2), NULL, 2);
    for (int64_t i = 0; i < 12; ++i) {
        tt_set_f(&x, i, i == 5 ? -2 : 2);
    }
    tt_init(&y, MLB_DTYPE_BF16, 3, S(3, 2, 2), NULL, 0);
    CHECK_INT_EQ(norm(MLB_OP_RMS_NORM, 0, 12, &x, NULL, NULL, &y), MLB_OK);
    for (int64_t i = 0; i < 12; ++i) {
        CHECK(tt_get_f(&y, i) == (i == 5 ? -0.5 : 0.5));
    }
    CHECK(tt_guard_ok(&y));
}

/* NaN and Inf follow IEEE through the formulas; other slices are untouched by them. */
static void test_norm_special(void) {
    const double nan = NAN, inf = INFINITY;
    tt x, y;
    tt_init(&x, MLB_DTYPE_F32, 2, S(3, 4), NULL, 0);
    tt_fill_f(&x, V(1, 2, 3, 4, 1, nan, 3, 4, inf, 2, 3, 4), 12);
    tt_init(&y, MLB_DTYPE_F32, 2, S(3, 4), NULL, 0);
    CHECK_INT_EQ(norm(MLB_OP_LAYER_NORM, 1, 2.75, &x, NULL, NULL, &y), MLB_OK);
    /* row 0 normal; row 1: mu NaN; row 2: mu = +Inf, Inf - Inf = NaN in the variance */
    CHECK(values_are(&y, V(-0.75, -0.25, 0.25, 0.75, nan, nan, nan, nan, nan, nan, nan, nan), 12));
    /* rms_norm: a NaN spreads; an Inf makes sqrt(...) = Inf: finite/Inf = 0, Inf/Inf = NaN */
    tt_fill_f(&x, V(2, 2, 4, 4, 2, nan, 4, 4, inf, 2, -4, 4), 12);
    CHECK_INT_EQ(norm(MLB_OP_RMS_NORM, 1, 6, &x, NULL, NULL, &y), MLB_OK);
    CHECK(values_are(&y, V(0.5, 0.5, 1, 1, nan, nan, nan, nan, nan, 0, -0.0, 0), 12));
    CHECK(tt_guard_ok(&y));
}

/* Empty tensors, and one-element normalized sets. */
static void test_norm_empty_single(void) {
    tt x, w, b, y;
    tt_init(&x, MLB_DTYPE_F32, 2, S(0, 4), NULL, 0);
    tt_init(&w, MLB_DTYPE_F32, 1, S(4), NULL, 0);
    tt_init(&y, MLB_DTYPE_F32, 2, S(0, 4), NULL, 0);
    CHECK_INT_EQ(norm(MLB_OP_LAYER_NORM, 1, 1e-5, &x, &w, NULL, &y), MLB_OK);
    CHECK(tt_untouched(&y));
    /* an empty normalized set (x [2,0], axis 1): the output is empty too */
    tt_init(&x, MLB_DTYPE_F16, 2, S(2, 0), NULL, 0);
    tt_init(&w, MLB_DTYPE_F16, 1, S(0), NULL, 0);
    tt_init(&y, MLB_DTYPE_F16, 2, S(2, 0), NULL, 0);
    CHECK_INT_EQ(norm(MLB_OP_RMS_NORM, 1, 1e-5, &x, &w, NULL, &y), MLB_OK);
    CHECK(tt_untouched(&y));
    CHECK_INT_EQ(norm(MLB_OP_LAYER_NORM, -1, 1e-5, &x, NULL, NULL, &y), MLB_OK);
    CHECK(tt_untouched(&y));

    /* layer_norm of one element: x - mu = 0, so y = 0*w + b = b. */
    tt_init(&x, MLB_DTYPE_F64, 2, S(2, 1), NULL, 0);
    tt_fill_f(&x, V(5, -1e300), 2);
    tt_init(&w, MLB_DTYPE_F64, 1, S(1), NULL, 0);
    tt_set_f(&w, 0, 3);
    tt_init(&b, MLB_DTYPE_F64, 1, S(1), NULL, 0);
    tt_set_f(&b, 0, -2);
    tt_init(&y, MLB_DTYPE_F64, 2, S(2, 1), NULL, 0);
    CHECK_INT_EQ(norm(MLB_OP_LAYER_NORM, 1, 1, &x, &w, &b, &y), MLB_OK);
    CHECK(values_are(&y, V(-2, -2), 2));
    /* rms_norm of one element: 3 / sqrt(9 + 7) = 0.75. */
    tt_init(&x, MLB_DTYPE_F16, 1, S(1), NULL, 0);
    tt_set_f(&x, 0, 3);
    tt_init(&y, MLB_DTYPE_F16, 1, S(1), NULL, 0);
    CHECK_INT_EQ(norm(MLB_OP_RMS_NORM, 0, 7, &x, NULL, NULL, &y), MLB_OK);
    CHECK(values_are(&y, V(0.75), 1));
    CHECK(tt_guard_ok(&y));
}

static void test_norm_check_rules(void) {
    tt x, w, b, y, z;
    tt_init(&x, MLB_DTYPE_F32, 2, S(2, 4), NULL, 0);
    tt_init(&w, MLB_DTYPE_F32, 1, S(4), NULL, 0);
    tt_init(&b, MLB_DTYPE_F32, 1, S(4), NULL, 0);
    tt_init(&y, MLB_DTYPE_F32, 2, S(2, 4), NULL, 0);
    tt *xwb[3] = {&x, &w, &b};
    family_check = cpuref_norm_check;
    mlb_norm_attrs a = na(1, 1, 1, 1e-5);
    CHECK_INT_EQ(op_check(MLB_OP_LAYER_NORM, &a, xwb, 3, &y), MLB_OK);

    CHECK_INT_EQ(op_check(MLB_OP_LAYER_NORM, NULL, xwb, 3, &y), MLB_ERROR_INVALID_ARGUMENT);
    CHECK_STR_CONTAINS(why, "layer_norm: attributes missing");
    a.struct_size = MLB_STRUCT_SIZE(mlb_norm_attrs, reserved);
    CHECK_INT_EQ(op_check(MLB_OP_LAYER_NORM, &a, xwb, 3, &y), MLB_ERROR_INVALID_ARGUMENT);
    CHECK_STR_CONTAINS(why, "layer_norm: attributes missing or struct_size");

    a = na(1, 2, 0, 1e-5);
    CHECK_INT_EQ(op_check(MLB_OP_LAYER_NORM, &a, xwb, 2, &y), MLB_ERROR_INVALID_ARGUMENT);
    CHECK_STR_CONTAINS(why, "layer_norm: has_weight is 2, expected 0 or 1");
    a = na(1, 0, -1, 1e-5);
    CHECK_INT_EQ(op_check(MLB_OP_LAYER_NORM, &a, xwb, 1, &y), MLB_ERROR_INVALID_ARGUMENT);
    CHECK_STR_CONTAINS(why, "layer_norm: has_bias is -1, expected 0 or 1");
    a = na(1, 1, 1, 1e-5);
    CHECK_INT_EQ(op_check(MLB_OP_RMS_NORM, &a, xwb, 3, &y), MLB_ERROR_INVALID_ARGUMENT);
    CHECK_STR_CONTAINS(why, "rms_norm: has_bias must be 0");
    a.reserved = 1;
    CHECK_INT_EQ(op_check(MLB_OP_LAYER_NORM, &a, xwb, 3, &y), MLB_ERROR_INVALID_ARGUMENT);
    CHECK_STR_CONTAINS(why, "layer_norm: reserved is 1, expected 0");
    static const double bad_eps[] = {0.0, -0.0, -1e-5, NAN, -INFINITY};
    for (size_t i = 0; i < sizeof bad_eps / sizeof bad_eps[0]; ++i) {
        a = na(1, 1, 1, bad_eps[i]);
        CHECK_INT_EQ(op_check(MLB_OP_LAYER_NORM, &a, xwb, 3, &y), MLB_ERROR_INVALID_ARGUMENT);
        CHECK_STR_CONTAINS(why, "layer_norm: epsilon");
        CHECK_STR_CONTAINS(why, "is not > 0");
    }

    /* counts follow the flags */
    a = na(1, 1, 1, 1e-5);
    CHECK_INT_EQ(op_check(MLB_OP_LAYER_NORM, &a, xwb, 2, &y), MLB_ERROR_INVALID_ARGUMENT);
    CHECK_STR_CONTAINS(why, "layer_norm: takes 3 input(s) and 1 output(s), got 2 and 1");
    a = na(1, 0, 0, 1e-5);
    CHECK_INT_EQ(op_check(MLB_OP_RMS_NORM, &a, xwb, 2, &y), MLB_ERROR_INVALID_ARGUMENT);
    CHECK_STR_CONTAINS(why, "rms_norm: takes 1 input(s)");

    /* dtypes differ */
    tt_init(&z, MLB_DTYPE_F64, 1, S(4), NULL, 0);
    tt *xz[2] = {&x, &z};
    a = na(1, 1, 0, 1e-5);
    CHECK_INT_EQ(op_check(MLB_OP_RMS_NORM, &a, xz, 2, &y), MLB_ERROR_INVALID_ARGUMENT);
    CHECK_STR_CONTAINS(why, "rms_norm: input 1 is f64, expected f32");

    /* rank and axis */
    tt_init(&z, MLB_DTYPE_F32, 0, NULL, NULL, 0);
    tt *zs[1] = {&z};
    a = na(0, 0, 0, 1e-5);
    CHECK_INT_EQ(op_check(MLB_OP_LAYER_NORM, &a, zs, 1, &z), MLB_ERROR_INVALID_ARGUMENT);
    CHECK_STR_CONTAINS(why, "layer_norm: x has rank 0, expected rank >= 1");
    a = na(2, 1, 1, 1e-5);
    CHECK_INT_EQ(op_check(MLB_OP_LAYER_NORM, &a, xwb, 3, &y), MLB_ERROR_INVALID_ARGUMENT);
    CHECK_STR_CONTAINS(why, "layer_norm: axis 2 is outside [-2, 2)");
    a = na(-3, 1, 0, 1e-5);
    CHECK_INT_EQ(op_check(MLB_OP_RMS_NORM, &a, xwb, 2, &y), MLB_ERROR_INVALID_ARGUMENT);
    CHECK_STR_CONTAINS(why, "rms_norm: axis -3 is outside [-2, 2)");

    /* weight and bias shapes: exactly x.shape[axis:] */
    a = na(0, 1, 1, 1e-5); /* expects [2,4] */
    CHECK_INT_EQ(op_check(MLB_OP_LAYER_NORM, &a, xwb, 3, &y), MLB_ERROR_INVALID_ARGUMENT);
    CHECK_STR_CONTAINS(why, "layer_norm: weight has rank 1, expected 2");
    a = na(1, 1, 1, 1e-5);
    tt_init(&z, MLB_DTYPE_F32, 1, S(3), NULL, 0);
    tt *xwz[3] = {&x, &w, &z};
    CHECK_INT_EQ(op_check(MLB_OP_LAYER_NORM, &a, xwz, 3, &y), MLB_ERROR_INVALID_ARGUMENT);
    CHECK_STR_CONTAINS(why, "layer_norm: bias axis 0 has extent 3, expected 4");
    tt *xzb[3] = {&x, &z, &b};
    CHECK_INT_EQ(op_check(MLB_OP_LAYER_NORM, &a, xzb, 3, &y), MLB_ERROR_INVALID_ARGUMENT);
    CHECK_STR_CONTAINS(why, "layer_norm: weight axis 0 has extent 3, expected 4");
    tt_init(&z, MLB_DTYPE_F32, 1, S(1), NULL, 0); /* no broadcasting of a [1] weight */
    CHECK_INT_EQ(op_check(MLB_OP_LAYER_NORM, &a, xzb, 3, &y), MLB_ERROR_INVALID_ARGUMENT);
    CHECK_STR_CONTAINS(why, "weight axis 0 has extent 1, expected 4");

    /* output */
    tt_init(&z, MLB_DTYPE_F32, 2, S(4, 2), NULL, 0);
    CHECK_INT_EQ(op_check(MLB_OP_LAYER_NORM, &a, xwb, 3, &z), MLB_ERROR_INVALID_ARGUMENT);
    CHECK_STR_CONTAINS(why, "layer_norm: output axis 0 has extent 4, expected 2");
    tt_init(&z, MLB_DTYPE_F32, 2, S(2, 4), S(4, 0), 0);
    CHECK_INT_EQ(op_check(MLB_OP_LAYER_NORM, &a, xwb, 3, &z), MLB_ERROR_INVALID_ARGUMENT);
    CHECK_STR_CONTAINS(why, "layer_norm: output has stride 0 on axis 1 of extent 4");

    /* dtypes outside the list */
    static const int32_t refused[] = {MLB_DTYPE_I8, MLB_DTYPE_U8, MLB_DTYPE_I32, MLB_DTYPE_I64,
                                      MLB_DTYPE_BOOL};
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; ++i) {
        tt_init(&x, refused[i], 2, S(2, 4), NULL, 0);
        tt_init(&w, refused[i], 1, S(4), NULL, 0);
        tt_init(&y, refused[i], 2, S(2, 4), NULL, 0);
        a = na(-1, 1, 0, 1e-5);
        CHECK_INT_EQ(op_check(MLB_OP_RMS_NORM, &a, xwb, 2, &y), MLB_ERROR_UNSUPPORTED);
        CHECK_STR_CONTAINS(why, "rms_norm: dtype");
        CHECK_STR_CONTAINS(why, cpuref_dtype_name(refused[i]));
    }
}

/* ------------------------------------------------------------ cross-check */

static int f32_equals_rounded_f64(tt *y32, tt *y64, const char *what) {
    const int64_t n = cpuref_numel(&y32->d);
    for (int64_t i = 0; i < n; ++i) {
        const float want = (float)tt_get_f(y64, i);
        uint32_t want_bits;
        memcpy(&want_bits, &want, 4);
        if (tt_bits(y32, i) != want_bits) {
            fprintf(stderr, "%s element %lld: f32 %08x, f64 rounded %08x\n", what, (long long)i,
                    tt_bits(y32, i), want_bits);
            return 0;
        }
    }
    return 1;
}

/* f32 results equal the f64 path rounded to f32, bit for bit (both round once from double). */
static void test_f32_matches_f64(void) {
    tt x32, x64, w32, w64, b32, b64, y32, y64;
    tt_init(&x32, MLB_DTYPE_F32, 2, S(5, 8), NULL, 0);
    tt_init(&x64, MLB_DTYPE_F64, 2, S(5, 8), NULL, 0);
    tt_init(&w32, MLB_DTYPE_F32, 1, S(8), NULL, 0);
    tt_init(&w64, MLB_DTYPE_F64, 1, S(8), NULL, 0);
    tt_init(&b32, MLB_DTYPE_F32, 1, S(8), NULL, 0);
    tt_init(&b64, MLB_DTYPE_F64, 1, S(8), NULL, 0);
    for (int64_t i = 0; i < 40; ++i) {
        const double v = lcg_value();
        tt_set_f(&x32, i, v);
        tt_set_f(&x64, i, v);
    }
    for (int64_t i = 0; i < 8; ++i) {
        const double v = lcg_value(), u = lcg_value();
        tt_set_f(&w32, i, v);
        tt_set_f(&w64, i, v);
        tt_set_f(&b32, i, u);
        tt_set_f(&b64, i, u);
    }
    tt_init(&y32, MLB_DTYPE_F32, 2, S(5, 8), NULL, 0);
    tt_init(&y64, MLB_DTYPE_F64, 2, S(5, 8), NULL, 0);
    for (int32_t axis = 0; axis < 2; ++axis) {
        CHECK_INT_EQ(softmax(MLB_OP_SOFTMAX, axis, &x32, &y32), MLB_OK);
        CHECK_INT_EQ(softmax(MLB_OP_SOFTMAX, axis, &x64, &y64), MLB_OK);
        CHECK(f32_equals_rounded_f64(&y32, &y64, "softmax"));
        CHECK_INT_EQ(softmax(MLB_OP_LOG_SOFTMAX, axis, &x32, &y32), MLB_OK);
        CHECK_INT_EQ(softmax(MLB_OP_LOG_SOFTMAX, axis, &x64, &y64), MLB_OK);
        CHECK(f32_equals_rounded_f64(&y32, &y64, "log_softmax"));
    }
    CHECK_INT_EQ(norm(MLB_OP_LAYER_NORM, -1, 1e-5, &x32, &w32, &b32, &y32), MLB_OK);
    CHECK_INT_EQ(norm(MLB_OP_LAYER_NORM, -1, 1e-5, &x64, &w64, &b64, &y64), MLB_OK);
    CHECK(f32_equals_rounded_f64(&y32, &y64, "layer_norm"));
    CHECK_INT_EQ(norm(MLB_OP_LAYER_NORM, 0, 1e-3, &x32, NULL, NULL, &y32), MLB_OK);
    CHECK_INT_EQ(norm(MLB_OP_LAYER_NORM, 0, 1e-3, &x64, NULL, NULL, &y64), MLB_OK);
    CHECK(f32_equals_rounded_f64(&y32, &y64, "layer_norm over all"));
    CHECK_INT_EQ(norm(MLB_OP_RMS_NORM, 1, 1e-6, &x32, &w32, NULL, &y32), MLB_OK);
    CHECK_INT_EQ(norm(MLB_OP_RMS_NORM, 1, 1e-6, &x64, &w64, NULL, &y64), MLB_OK);
    CHECK(f32_equals_rounded_f64(&y32, &y64, "rms_norm"));
}

int main(void) {
    test_softmax_dtypes();
    test_softmax_special();
    test_softmax_layouts();
    test_softmax_empty();
    test_softmax_check_rules();
    test_norm_dtypes();
    test_norm_ties();
    test_norm_transcendental();
    test_norm_axes_layouts();
    test_norm_special();
    test_norm_empty_single();
    test_norm_check_rules();
    test_f32_matches_f64();
    return check_finish();
}
