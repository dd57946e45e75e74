/*
 * matmul_test.c - cpu_ref's matmul (docs/ops.md section 5) against
 * hand-computed results: every float dtype, transposes and offsets through
 * strides, batch broadcasting, K = 0, empty outputs, the bias + activation
 * epilogue, NaN/Inf, single rounding of f16/bf16/f32 ties, guard bytes, every
 * rule of check, and f32 == round(f64) bit for bit.
 */
#include "linalg_test.h"

static const op_fns MM = {cpuref_matmul_check, cpuref_matmul_run};

static mlb_matmul_attrs mm_attrs(int32_t has_bias, int32_t act) {
    mlb_matmul_attrs a;
    memset(&a, 0, sizeof a);
    a.struct_size = MLB_STRUCT_SIZE(mlb_matmul_attrs, epilogue);
    a.epilogue.has_bias = has_bias;
    a.epilogue.activation = act;
    return a;
}

/* a [M,K] . b [K,N] -> out [M,N], contiguous, dtype dt (bias [N] when at has one). */
static void mm_2d(opcase *c, const mlb_matmul_attrs *at, int32_t dt, int64_t m, int64_t k,
                  int64_t n) {
    const int64_t sa[2] = {m, k}, sb[2] = {k, n}, so[2] = {m, n}, sbias[1] = {n};
    opcase_init(c, MLB_OP_MATMUL, at->epilogue.has_bias ? 3 : 2, at);
    c->in[0] = tdesc(dt, 2, sa, NULL, 0);
    c->in[1] = tdesc(dt, 2, sb, NULL, 0);
    c->in[2] = tdesc(dt, 1, sbias, NULL, 0);
    c->out = tdesc(dt, 2, so, NULL, 0);
}

/* The 2x3 . 3x2 example, used by several tests. */
static const double A23[6] = {1, 2, 3, 4, 5, 6};
static const double B32[6] = {7, 8, 9, 10, 11, 12};
/* 1*7+2*9+3*11 = 58, 1*8+2*10+3*12 = 64, 4*7+5*9+6*11 = 139, 4*8+5*10+6*12 = 154;
 * all exact in bf16 (at most 8 significant bits). */
static const double C22[4] = {58, 64, 139, 154};

static void test_basic_every_dtype(void) {
    const mlb_matmul_attrs at = mm_attrs(0, MLB_OP_NONE);
    for (int d = 0; d < 4; ++d) {
        opcase c;
        double got[4];
        mm_2d(&c, &at, float_dtypes[d], 2, 3, 2);
        const double *vals[2] = {A23, B32};
        CHECK_INT_EQ(run_vals(MM, &c, vals, got), MLB_OK);
        CHECK(same_values(got, C22, 4));
    }
}

/* Transposed a and b stored physically transposed, offsets, a column-major output. */
static void test_strides_and_offsets(void) {
    const mlb_matmul_attrs at = mm_attrs(0, MLB_OP_NONE);
    for (int d = 0; d < 4; ++d) {
        const int32_t dt = float_dtypes[d];
        const size_t es = cpuref_dtype_size(dt);
        opcase c;
        const int64_t sa[2] = {2, 3}, sb[2] = {3, 2}, so[2] = {2, 2};
        /* a^T stored as [3,2] rows {1,4},{2,5},{3,6}: a[m][k] at k*2 + m -> strides {1, 2}. */
        const int64_t ta[2] = {1, 2};
        /* b^T stored as [2,3] rows {7,9,11},{8,10,12}: b[k][n] at n*3 + k -> strides {1, 3}. */
        const int64_t tb[2] = {1, 3};
        /* output column-major: out[m][n] at n*2 + m. */
        const int64_t to[2] = {1, 2};
        opcase_init(&c, MLB_OP_MATMUL, 2, &at);
        c.in[0] = tdesc(dt, 2, sa, ta, 3 * es);
        c.in[1] = tdesc(dt, 2, sb, tb, 5 * es);
        c.out = tdesc(dt, 2, so, to, 7 * es);
        uint8_t abuf[16 * 8], bbuf[16 * 8], obuf[32 * 8];
        const double at_phys[6] = {1, 4, 2, 5, 3, 6}, bt_phys[6] = {7, 9, 11, 8, 10, 12};
        memset(abuf, 0, sizeof abuf);
        memset(bbuf, 0, sizeof bbuf);
        for (int i = 0; i < 6; ++i) {
            cpuref_store_f64(dt, abuf + (3 + i) * es, at_phys[i]);
            cpuref_store_f64(dt, bbuf + (5 + i) * es, bt_phys[i]);
        }
        uint8_t *in[2] = {abuf, bbuf};
        CHECK_INT_EQ(run_raw(MM, &c, in, obuf, sizeof obuf), MLB_OK);
        /* Physically column-major after 7 elements: 58, 139, 64, 154. */
        const double want_phys[4] = {58, 139, 64, 154};
        for (int i = 0; i < 4; ++i) {
            CHECK(cpuref_load_f64(dt, obuf + (7 + i) * es) == want_phys[i]);
        }
    }
}

/* a [2,1,2,2] . b [3,2,2] -> out [2,3,2,2]: a's axis 1 and b's missing axis broadcast. */
static void test_batch_broadcast(void) {
    const mlb_matmul_attrs at = mm_attrs(0, MLB_OP_NONE);
    const int64_t sa[4] = {2, 1, 2, 2}, sb[3] = {3, 2, 2}, so[4] = {2, 3, 2, 2};
    /* a_0 = identity, a_1 = [[0,1],[1,0]] swaps the rows of whatever follows. */
    const double a[8] = {1, 0, 0, 1, 0, 1, 1, 0};
    const double b[12] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
    /* out[0][j] = b_j; out[1][j] = b_j with its rows swapped. */
    const double want[24] = {1, 2, 3, 4, 5, 6, 7, 8, 9,  10, 11, 12,
                             3, 4, 1, 2, 7, 8, 5, 6, 11, 12, 9,  10};
    for (int d = 0; d < 4; ++d) {
        opcase c;
        double got[24];
        opcase_init(&c, MLB_OP_MATMUL, 2, &at);
        c.in[0] = tdesc(float_dtypes[d], 4, sa, NULL, 0);
        c.in[1] = tdesc(float_dtypes[d], 3, sb, NULL, 0);
        c.out = tdesc(float_dtypes[d], 4, so, NULL, 0);
        const double *vals[2] = {a, b};
        CHECK_INT_EQ(run_vals(MM, &c, vals, got), MLB_OK);
        CHECK(same_values(got, want, 24));
    }
}

/* A rank-2 a against a batch of b, and a broadcast written with stride 0 in a's batch axis. */
static void test_batch_rank2_and_stride0(void) {
    const mlb_matmul_attrs at = mm_attrs(0, MLB_OP_NONE);
    const double a[4] = {1, 2, 3, 4};
    const double b[8] = {1, 0, 0, 1, 2, 0, 0, 2}; /* identity, then 2 * identity */
    const double want[8] = {1, 2, 3, 4, 2, 4, 6, 8};
    const int64_t s2[2] = {2, 2}, s3[3] = {2, 2, 2}, stride0[3] = {0, 2, 1};
    opcase c;
    double got[8];
    const double *vals[2] = {a, b};
    opcase_init(&c, MLB_OP_MATMUL, 2, &at);
    c.in[0] = tdesc(MLB_DTYPE_F32, 2, s2, NULL, 0);
    c.in[1] = tdesc(MLB_DTYPE_F32, 3, s3, NULL, 0);
    c.out = tdesc(MLB_DTYPE_F32, 3, s3, NULL, 0);
    CHECK_INT_EQ(run_vals(MM, &c, vals, got), MLB_OK);
    CHECK(same_values(got, want, 8));
    /* Same a, now as a [2,2,2] tensor whose batch axis has stride 0 (4 elements in memory;
     * tput writes the repeated logical values to the same place). */
    const double a_rep[8] = {1, 2, 3, 4, 1, 2, 3, 4};
    vals[0] = a_rep;
    c.in[0] = tdesc(MLB_DTYPE_F64, 3, s3, stride0, 0);
    c.in[1] = tdesc(MLB_DTYPE_F64, 3, s3, NULL, 0);
    c.out = tdesc(MLB_DTYPE_F64, 3, s3, NULL, 0);
    CHECK_INT_EQ(run_vals(MM, &c, vals, got), MLB_OK);
    CHECK(same_values(got, want, 8));
}

/* K = 0: the sum is 0, then the epilogue: bias {1, -2, 3} and relu -> {1, 0, 3} per row. */
static void test_k_zero(void) {
    for (int d = 0; d < 4; ++d) {
        opcase c;
        const mlb_matmul_attrs plain = mm_attrs(0, MLB_OP_NONE);
        const mlb_matmul_attrs relu = mm_attrs(1, MLB_OP_RELU);
        const double bias[3] = {1, -2, 3};
        const double zeros[6] = {0, 0, 0, 0, 0, 0}, want[6] = {1, 0, 3, 1, 0, 3};
        double got[6];
        const double *vals[3] = {NULL, NULL, bias};
        mm_2d(&c, &plain, float_dtypes[d], 2, 0, 3);
        CHECK_INT_EQ(run_vals(MM, &c, vals, got), MLB_OK);
        CHECK(same_values(got, zeros, 6));
        CHECK(!signbit(got[0]));
        mm_2d(&c, &relu, float_dtypes[d], 2, 0, 3);
        CHECK_INT_EQ(run_vals(MM, &c, vals, got), MLB_OK);
        CHECK(same_values(got, want, 6));
    }
}

/* Empty outputs (M = 0, N = 0, a batch of 0) write nothing (guard) and succeed. */
static void test_empty_outputs(void) {
    const mlb_matmul_attrs at = mm_attrs(1, MLB_OP_EXP);
    const double one[8] = {1, 1, 1, 1, 1, 1, 1, 1};
    const double *vals[3] = {one, one, one};
    opcase c;
    mm_2d(&c, &at, MLB_DTYPE_F32, 0, 3, 2);
    CHECK_INT_EQ(run_vals(MM, &c, vals, NULL), MLB_OK);
    mm_2d(&c, &at, MLB_DTYPE_F16, 2, 3, 0);
    CHECK_INT_EQ(run_vals(MM, &c, vals, NULL), MLB_OK);
    const int64_t sa[3] = {0, 2, 3}, sb[2] = {3, 2}, so[3] = {0, 2, 2};
    c.in[0] = tdesc(MLB_DTYPE_F64, 3, sa, NULL, 0);
    c.in[1] = tdesc(MLB_DTYPE_F64, 2, sb, NULL, 0);
    c.out = tdesc(MLB_DTYPE_F64, 3, so, NULL, 8);
    const int64_t sbias[1] = {2};
    c.in[2] = tdesc(MLB_DTYPE_F64, 1, sbias, NULL, 0);
    CHECK_INT_EQ(run_vals(MM, &c, vals, NULL), MLB_OK);
}

static void test_single_element(void) {
    const mlb_matmul_attrs at = mm_attrs(0, MLB_OP_NONE);
    for (int d = 0; d < 4; ++d) {
        opcase c;
        const double a[1] = {3}, b[1] = {-4}, want[1] = {-12};
        double got[1];
        const double *vals[2] = {a, b};
        mm_2d(&c, &at, float_dtypes[d], 1, 1, 1);
        CHECK_INT_EQ(run_vals(MM, &c, vals, got), MLB_OK);
        CHECK(same_values(got, want, 1));
    }
}

/* bias {-60, -60} then relu: {58-60, 64-60, 139-60, 154-60} = {-2, 4, 79, 94} -> {0, 4, 79, 94}. */
static void test_bias_relu(void) {
    const mlb_matmul_attrs at = mm_attrs(1, MLB_OP_RELU);
    const double bias[2] = {-60, -60}, want[4] = {0, 4, 79, 94};
    for (int d = 0; d < 4; ++d) {
        opcase c;
        double got[4];
        const double *vals[3] = {A23, B32, bias};
        mm_2d(&c, &at, float_dtypes[d], 2, 3, 2);
        CHECK_INT_EQ(run_vals(MM, &c, vals, got), MLB_OK);
        CHECK(same_values(got, want, 4));
        CHECK(!signbit(got[0])); /* relu gives +0.0 */
    }
}

/*
 * bias + gelu in f64: a [2,2] = identity, b = {{0, 1}, {-1, 2}}, bias {0, 0}:
 * gelu(x) = 0.5 x (1 + erf(x/sqrt 2)) = x Phi(x): gelu(0) = 0, gelu(1) = Phi(1) =
 * 0.8413447460685429, gelu(-1) = -Phi(-1) = -0.15865525393145707,
 * gelu(2) = 2 Phi(2) = 1.9544997361036416 (tables of the normal distribution).
 * A bias {1, -1} moves the same sums to {1, 0, 0, 1}.
 */
static void test_bias_gelu_f64(void) {
    const mlb_matmul_attrs at = mm_attrs(1, MLB_OP_GELU);
    const double a[4] = {1, 0, 0, 1}, b[4] = {0, 1, -1, 2};
    const double bias0[2] = {0, 0}, bias1[2] = {1, -1};
    const double want0[4] = {0, 0.8413447460685429, -0.15865525393145707, 1.9544997361036416};
    const double want1[4] = {0.8413447460685429, 0, 0, 0.8413447460685429};
    opcase c;
    double got[4];
    const double *vals0[3] = {a, b, bias0}, *vals1[3] = {a, b, bias1};
    mm_2d(&c, &at, MLB_DTYPE_F64, 2, 2, 2);
    CHECK_INT_EQ(run_vals(MM, &c, vals0, got), MLB_OK);
    CHECK(close_values(got, want0, 4, 4e-16));
    CHECK_INT_EQ(run_vals(MM, &c, vals1, got), MLB_OK);
    CHECK(close_values(got, want1, 4, 4e-16));
}

/* Every activation through a 1x1 matmul in f64: act(a*b + bias) with b = 1, bias = 0. */
static void test_every_activation_f64(void) {
    static const struct {
        int32_t op;
        double x, want;
    } cases[] = {
        {MLB_OP_NONE, -3, -3},
        {MLB_OP_NEG, 2, -2},
        {MLB_OP_ABS, -2, 2},
        {MLB_OP_EXP, 1, 2.718281828459045},  /* e */
        {MLB_OP_LOG, 2, 0.6931471805599453}, /* ln 2 */
        {MLB_OP_LOG, 0, -INFINITY},          /* log 0 = -Inf */
        {MLB_OP_LOG, -1, NAN},               /* log x<0 = NaN */
        {MLB_OP_SQRT, 4, 2},
        {MLB_OP_SQRT, -4, NAN},
        {MLB_OP_RSQRT, 4, 0.5},
        {MLB_OP_RSQRT, 0, INFINITY},             /* 0*1 + 0 = +0 -> +Inf */
        {MLB_OP_TANH, 0.5, 0.46211715726000974}, /* tanh 0.5 */
        {MLB_OP_SIGMOID, 0, 0.5},
        {MLB_OP_SIGMOID, 2, 0.8807970779778823}, /* 1/(1+e^-2) */
        {MLB_OP_RELU, -3, 0},
        {MLB_OP_RELU, 3, 3},
        {MLB_OP_RELU, NAN, NAN},
        {MLB_OP_GELU, 1, 0.8413447460685429},      /* Phi(1) */
        {MLB_OP_GELU_TANH, 1, 0.8411919906082768}, /* 0.5(1+tanh(sqrt(2/pi)1.044715)) */
        {MLB_OP_SILU, 1, 0.7310585786300049},      /* 1/(1+e^-1) */
        {MLB_OP_SILU, -2, -0.2384058440442351},    /* -2/(1+e^2) */
        {MLB_OP_SIGMOID, -INFINITY, 0},            /* 1/(1+Inf) */
        {MLB_OP_TANH, INFINITY, 1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; ++i) {
        const mlb_matmul_attrs at = mm_attrs(1, cases[i].op);
        const double a[1] = {cases[i].x}, b[1] = {1}, bias[1] = {0};
        double got[1];
        opcase c;
        const double *vals[3] = {a, b, bias};
        mm_2d(&c, &at, MLB_DTYPE_F64, 1, 1, 1);
        CHECK_INT_EQ(run_vals(MM, &c, vals, got), MLB_OK);
        if (isnan(cases[i].want) || isinf(cases[i].want)) {
            CHECK(same_values(got, &cases[i].want, 1));
        } else if (!close_values(got, &cases[i].want, 1, 4e-16)) {
            CHECK(!"activation value");
            fprintf(stderr, "  activation %d at %g\n", cases[i].op, cases[i].x);
        }
    }
}

/*
 * NaN and Inf follow IEEE arithmetic inside the sum: Inf*0 = NaN, Inf + finite = Inf,
 * Inf - Inf = NaN, NaN anywhere = NaN; f16 sums beyond 65504 become +Inf.
 */
static void test_nan_inf(void) {
    const mlb_matmul_attrs at = mm_attrs(0, MLB_OP_NONE);
    /* a [4,2] rows {Inf,1}, {Inf,1}, {Inf,-Inf}, {NaN,0}; b [2,2] = {{0, 1}, {1, 1}}:
     * row 0: Inf*0+1*1 = NaN, Inf*1+1*1 = Inf; row 1 the same;
     * row 2: Inf*0-Inf*1 = NaN, Inf-Inf = NaN; row 3: NaN, NaN. */
    const double a[8] = {INFINITY, 1, INFINITY, 1, INFINITY, -INFINITY, NAN, 0};
    const double b[4] = {0, 1, 1, 1};
    const double want[8] = {NAN, INFINITY, NAN, INFINITY, NAN, NAN, NAN, NAN};
    for (int d = 0; d < 4; ++d) {
        opcase c;
        double got[8];
        const double *vals[2] = {a, b};
        mm_2d(&c, &at, float_dtypes[d], 4, 2, 2);
        CHECK_INT_EQ(run_vals(MM, &c, vals, got), MLB_OK);
        CHECK(same_values(got, want, 8));
    }
    /* f16: 60000 + 60000 = 120000 > 65504 -> +Inf; -120000 -> -Inf. */
    opcase c;
    const double big_a[2] = {60000, 60000}, big_b[2] = {1, -1}, big_want[2] = {INFINITY, -INFINITY};
    /* a [1,2] . b [2,2] with b = {{1,-1},{1,-1}}. */
    const double bb[4] = {big_b[0], big_b[1], big_b[0], big_b[1]};
    double got[2];
    const double *vals[2] = {big_a, bb};
    mm_2d(&c, &at, MLB_DTYPE_F16, 1, 2, 2);
    CHECK_INT_EQ(run_vals(MM, &c, vals, got), MLB_OK);
    CHECK(same_values(got, big_want, 2));
}

/*
 * One rounding from the exact double sum. f16 spacing on [2048, 4096) is 2:
 *   2048 + 1            = 2049, a tie between 2048 and 2050 -> even: 2048 (0x6800)
 *   2048 + 1 + 2        = 2051, a tie between 2050 and 2052 -> even: 2052 (0x6802)
 *   2048 + 1 + 2^-20    just above the tie -> 2050 (0x6801). Rounding the sum to f32
 *                       first gives 2049 (2^-20 is below half of f32's 2^-12 spacing),
 *                       then the f16 tie gives 2048: a double rounding fails here, and
 *                       so does accumulating in f16 (2048 + 1 -> 2048).
 * bf16 spacing on [256, 512) is 2: 256 + 1 -> 256 (0x4380), 256 + 1 + 2 -> 260 (0x4382),
 * 256 + 1 + 2^-20 -> 258 (0x4381). f32: 2^24 + 1 -> 2^24, 2^24 + 1 + 2^-20 -> 2^24 + 2.
 */
static void test_single_rounding_ties(void) {
    const mlb_matmul_attrs at = mm_attrs(0, MLB_OP_NONE);
    const double tiny = ldexp(1.0, -20);
    struct {
        int32_t dt;
        double base;
        uint32_t want[3]; /* bit patterns for base+1, base+1+2, base+1+2^-20 */
    } cases[3] = {
        {MLB_DTYPE_F16, 2048, {0x6800, 0x6802, 0x6801}},
        {MLB_DTYPE_BF16, 256, {0x4380, 0x4382, 0x4381}},
        {MLB_DTYPE_F32, 16777216, {0x4b800000, 0x4b800002, 0x4b800001}},
    };
    for (int i = 0; i < 3; ++i) {
        /* a [3,3] rows {base, 1, 0}, {base, 1, 2}, {base, 1, 2^-20}; b [3,1] = ones. */
        const double a[9] = {cases[i].base, 1, 0, cases[i].base, 1, 2, cases[i].base, 1, tiny};
        const double b[3] = {1, 1, 1};
        const int64_t sa[2] = {3, 3}, sb[2] = {3, 1}, so[2] = {3, 1};
        opcase c;
        opcase_init(&c, MLB_OP_MATMUL, 2, &at);
        c.in[0] = tdesc(cases[i].dt, 2, sa, NULL, 0);
        c.in[1] = tdesc(cases[i].dt, 2, sb, NULL, 0);
        c.out = tdesc(cases[i].dt, 2, so, NULL, 0);
        uint8_t abuf[9 * 4], bbuf[3 * 4], obuf[3 * 4 + GUARD_TAIL];
        tput(&c.in[0], abuf, a);
        tput(&c.in[1], bbuf, b);
        uint8_t *in[2] = {abuf, bbuf};
        CHECK_INT_EQ(run_raw(MM, &c, in, obuf, sizeof obuf), MLB_OK);
        for (int r = 0; r < 3; ++r) {
            uint32_t bits = 0;
            if (cases[i].dt == MLB_DTYPE_F32) {
                memcpy(&bits, obuf + 4 * r, 4);
            } else {
                uint16_t h;
                memcpy(&h, obuf + 2 * r, 2);
                bits = h;
            }
            CHECK_INT_EQ(bits, cases[i].want[r]);
        }
    }
}

/* f32 results equal the f64 results rounded to f32, bit for bit (both round once). */
static void test_f32_matches_f64(void) {
    const mlb_matmul_attrs at = mm_attrs(1, MLB_OP_SILU);
    const int64_t sa[3] = {3, 5, 7}, sb[2] = {7, 4}, so[3] = {3, 5, 4}, sbias[1] = {4};
    double a[105], b[28], bias[4], got64[60], got32[60];
    uint32_t seed = 12345;
    for (int i = 0; i < 105; ++i) {
        a[i] = test_random(&seed);
    }
    for (int i = 0; i < 28; ++i) {
        b[i] = test_random(&seed);
    }
    for (int i = 0; i < 4; ++i) {
        bias[i] = test_random(&seed);
    }
    const double *vals[3] = {a, b, bias};
    const int32_t dts[2] = {MLB_DTYPE_F64, MLB_DTYPE_F32};
    double *gots[2] = {got64, got32};
    for (int d = 0; d < 2; ++d) {
        opcase c;
        opcase_init(&c, MLB_OP_MATMUL, 3, &at);
        c.in[0] = tdesc(dts[d], 3, sa, NULL, 0);
        c.in[1] = tdesc(dts[d], 2, sb, NULL, 0);
        c.in[2] = tdesc(dts[d], 1, sbias, NULL, 0);
        c.out = tdesc(dts[d], 3, so, NULL, 0);
        CHECK_INT_EQ(run_vals(MM, &c, vals, gots[d]), MLB_OK);
    }
    int same = 1;
    for (int i = 0; i < 60; ++i) {
        const float want = (float)got64[i], got = (float)got32[i];
        same &= memcmp(&want, &got, sizeof want) == 0;
    }
    CHECK(same);
}

/* check: expects status `want` and a reason containing `needle`. */
static void expect_check(opcase *c, mlb_status want, const char *needle) {
    c->why[0] = '\0';
    CHECK_INT_EQ(cpuref_matmul_check(&c->desc, c->why, sizeof c->why), want);
    CHECK_STR_CONTAINS(c->why, needle);
}

static void test_check_rules(void) {
    mlb_matmul_attrs at = mm_attrs(0, MLB_OP_NONE);
    opcase c;

    mm_2d(&c, &at, MLB_DTYPE_F32, 2, 3, 2);
    c.why[0] = '\0';
    CHECK_INT_EQ(cpuref_matmul_check(&c.desc, c.why, sizeof c.why), MLB_OK);

    c.desc.attrs = NULL;
    expect_check(&c, MLB_ERROR_INVALID_ARGUMENT, "matmul: attributes missing");
    mlb_matmul_attrs small = at;
    small.struct_size = sizeof(size_t);
    c.desc.attrs = &small;
    expect_check(&c, MLB_ERROR_INVALID_ARGUMENT, "struct_size");

    mlb_matmul_attrs bad = mm_attrs(2, MLB_OP_NONE);
    c.desc.attrs = &bad;
    expect_check(&c, MLB_ERROR_INVALID_ARGUMENT, "matmul: epilogue.has_bias is 2");
    const int32_t bad_acts[4] = {-1, 13, MLB_OP_ADD, MLB_OP_MATMUL};
    for (int i = 0; i < 4; ++i) {
        bad = mm_attrs(0, bad_acts[i]);
        expect_check(&c, MLB_ERROR_INVALID_ARGUMENT, "matmul: epilogue.activation");
    }

    /* Counts: has_bias decides 2 or 3 inputs. */
    bad = mm_attrs(1, MLB_OP_NONE);
    expect_check(&c, MLB_ERROR_INVALID_ARGUMENT, "matmul: takes 3 input(s)");
    bad = mm_attrs(0, MLB_OP_NONE);
    c.desc.num_inputs = 3;
    expect_check(&c, MLB_ERROR_INVALID_ARGUMENT, "matmul: takes 2 input(s)");
    c.desc.num_inputs = 2;
    c.desc.num_outputs = 2;
    expect_check(&c, MLB_ERROR_INVALID_ARGUMENT, "and 1 output(s), got 2 and 2");
    c.desc.num_outputs = 1;

    /* One dtype for all tensors. */
    c.in[1].dtype = MLB_DTYPE_F16;
    expect_check(&c, MLB_ERROR_INVALID_ARGUMENT, "matmul: input 1 is f16, expected f32");
    c.in[1].dtype = MLB_DTYPE_F32;
    c.out.dtype = MLB_DTYPE_F64;
    expect_check(&c, MLB_ERROR_INVALID_ARGUMENT, "matmul: output 0 is f64, expected f32");
    c.out.dtype = MLB_DTYPE_F32;

    /* Ranks. */
    mm_2d(&c, &at, MLB_DTYPE_F32, 2, 3, 2);
    c.in[0].rank = 1;
    expect_check(&c, MLB_ERROR_INVALID_ARGUMENT, "matmul: a has rank 1, needs at least 2");
    mm_2d(&c, &at, MLB_DTYPE_F32, 2, 3, 2);
    c.in[1].rank = 1;
    expect_check(&c, MLB_ERROR_INVALID_ARGUMENT, "matmul: b has rank 1, needs at least 2");
    mm_2d(&c, &at, MLB_DTYPE_F32, 2, 3, 2);
    {
        const int64_t s3[3] = {1, 2, 2};
        c.out = tdesc(MLB_DTYPE_F32, 3, s3, NULL, 0);
        expect_check(&c, MLB_ERROR_INVALID_ARGUMENT, "matmul: output rank 3 != max(rank of a");
    }

    /* K. */
    {
        const int64_t sa[2] = {2, 3}, sb[2] = {4, 2}, so[2] = {2, 2};
        c.in[0] = tdesc(MLB_DTYPE_F32, 2, sa, NULL, 0);
        c.in[1] = tdesc(MLB_DTYPE_F32, 2, sb, NULL, 0);
        c.out = tdesc(MLB_DTYPE_F32, 2, so, NULL, 0);
        expect_check(&c, MLB_ERROR_INVALID_ARGUMENT, "matmul: K of a (3) != K of b (4)");
        /* Invalid wins over unsupported: an i32 descriptor with a bad K is still invalid. */
        c.in[0].dtype = c.in[1].dtype = c.out.dtype = MLB_DTYPE_I32;
        expect_check(&c, MLB_ERROR_INVALID_ARGUMENT, "matmul: K of a (3) != K of b (4)");
    }

    /* Batch axes. */
    {
        const int64_t sa[3] = {2, 2, 3}, sb[3] = {3, 3, 2}, so[3] = {3, 2, 2};
        c.in[0] = tdesc(MLB_DTYPE_F32, 3, sa, NULL, 0);
        c.in[1] = tdesc(MLB_DTYPE_F32, 3, sb, NULL, 0);
        c.out = tdesc(MLB_DTYPE_F32, 3, so, NULL, 0);
        expect_check(&c, MLB_ERROR_INVALID_ARGUMENT,
                     "matmul: batch axis 0 does not broadcast: a has 2, b has 3");
        const int64_t sa1[3] = {1, 2, 3};
        c.in[0] = tdesc(MLB_DTYPE_F32, 3, sa1, NULL, 0);
        const int64_t so1[3] = {1, 2, 2};
        c.out = tdesc(MLB_DTYPE_F32, 3, so1, NULL, 0);
        expect_check(&c, MLB_ERROR_INVALID_ARGUMENT,
                     "matmul: output batch axis 0 is 1, expected 3");
    }

    /* M and N of the output. */
    {
        const int64_t so[2] = {3, 2};
        mm_2d(&c, &at, MLB_DTYPE_F32, 2, 3, 2);
        c.out = tdesc(MLB_DTYPE_F32, 2, so, NULL, 0);
        expect_check(&c, MLB_ERROR_INVALID_ARGUMENT, "expected [..., M, N] = [..., 2, 2]");
        const int64_t so2[2] = {2, 3};
        c.out = tdesc(MLB_DTYPE_F32, 2, so2, NULL, 0);
        expect_check(&c, MLB_ERROR_INVALID_ARGUMENT, "matmul: output is [..., 2, 3]");
    }

    /* Bias shape [N]. */
    {
        const mlb_matmul_attrs wb = mm_attrs(1, MLB_OP_RELU);
        mm_2d(&c, &wb, MLB_DTYPE_F32, 2, 3, 2);
        expect_check(&c, MLB_OK, "");
        c.in[2].shape[0] = 3;
        expect_check(&c, MLB_ERROR_INVALID_ARGUMENT, "matmul: bias must have shape [N] = [2]");
        const int64_t s12[2] = {1, 2};
        c.in[2] = tdesc(MLB_DTYPE_F32, 2, s12, NULL, 0);
        expect_check(&c, MLB_ERROR_INVALID_ARGUMENT, "matmul: bias must have shape [N] = [2]");
        c.in[2].dtype = MLB_DTYPE_F16;
        expect_check(&c, MLB_ERROR_INVALID_ARGUMENT, "matmul: input 2 is f16");
    }

    /* An output with stride 0 on an axis of extent > 1. */
    mm_2d(&c, &at, MLB_DTYPE_F32, 2, 3, 2);
    c.out.strides[0] = 0;
    expect_check(&c, MLB_ERROR_INVALID_ARGUMENT, "matmul: output has stride 0 on axis 0");
    /* ... but stride 0 on an input is a broadcast and fine. */
    mm_2d(&c, &at, MLB_DTYPE_F32, 2, 3, 2);
    c.in[0].strides[0] = 0;
    expect_check(&c, MLB_OK, "");

    /* dtypes outside float: UNSUPPORTED. */
    for (int d = 0; d < 5; ++d) {
        mm_2d(&c, &at, other_dtypes[d], 2, 3, 2);
        char needle[64];
        snprintf(needle, sizeof needle, "matmul: dtype %s is not supported",
                 cpuref_dtype_name(other_dtypes[d]));
        expect_check(&c, MLB_ERROR_UNSUPPORTED, needle);
    }
}

int main(void) {
    test_basic_every_dtype();
    test_strides_and_offsets();
    test_batch_broadcast();
    test_batch_rank2_and_stride0();
    test_k_zero();
    test_empty_outputs();
    test_single_element();
    test_bias_relu();
    test_bias_gelu_f64();
    test_every_activation_f64();
    test_nan_inf();
    test_single_rounding_ties();
    test_f32_matches_f64();
    test_check_rules();
    return check_finish();
}
