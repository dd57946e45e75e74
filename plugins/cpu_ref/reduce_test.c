/*
 * reduce_test.c - reduce_sum, reduce_mean, reduce_max, reduce_min, reduce_prod
 * (docs/ops.md section 10) against hand-computed values, through
 * cpuref_reduce_check/cpuref_reduce_run on host arrays.
 *
 * Every expected value here is exact in its dtype (chosen so), so results are
 * compared exactly, by value or by bit pattern.
 */
#include "reduce_test_util.h"

#define S(...) ((const int64_t[]){__VA_ARGS__})
#define V(...) ((const double[]){__VA_ARGS__})

static const int32_t reduce_ops[] = {MLB_OP_REDUCE_SUM, MLB_OP_REDUCE_MEAN, MLB_OP_REDUCE_MAX,
                                     MLB_OP_REDUCE_MIN, MLB_OP_REDUCE_PROD};

static mlb_reduce_attrs ra(uint32_t axes, int32_t keepdims) {
    mlb_reduce_attrs a;
    memset(&a, 0, sizeof a);
    a.struct_size = MLB_STRUCT_SIZE(mlb_reduce_attrs, keepdims);
    a.axes = axes;
    a.keepdims = keepdims;
    return a;
}

static mlb_status reduce(int32_t op, uint32_t axes, int32_t keepdims, tt *x, tt *y) {
    mlb_reduce_attrs a = ra(axes, keepdims);
    tt *ins[1] = {x};
    return op_call(op, &a, ins, 1, y);
}

static mlb_status reduce_check(int32_t op, uint32_t axes, int32_t keepdims, tt *x, tt *y) {
    mlb_reduce_attrs a = ra(axes, keepdims);
    tt *ins[1] = {x};
    return op_check(op, &a, ins, 1, y);
}

static int is_float_only(int32_t op) {
    return op == MLB_OP_REDUCE_MEAN || op == MLB_OP_REDUCE_PROD;
}

/* x [2,3] = {{1,2,3},{4,5,6}} in f32: the basic shapes of the output. */
static void test_basic_shapes(void) {
    tt x, y;
    tt_init(&x, MLB_DTYPE_F32, 2, S(2, 3), NULL, 0);
    tt_fill_f(&x, V(1, 2, 3, 4, 5, 6), 6);

    tt_init(&y, MLB_DTYPE_F32, 1, S(2), NULL, 0); /* axis 1 removed */
    CHECK_INT_EQ(reduce(MLB_OP_REDUCE_SUM, 2u, 0, &x, &y), MLB_OK);
    CHECK(tt_get_f(&y, 0) == 6 && tt_get_f(&y, 1) == 15);
    CHECK(tt_guard_ok(&y));

    tt_init(&y, MLB_DTYPE_F32, 2, S(1, 3), NULL, 0); /* axis 0 kept with extent 1 */
    CHECK_INT_EQ(reduce(MLB_OP_REDUCE_SUM, 1u, 1, &x, &y), MLB_OK);
    CHECK(tt_get_f(&y, 0) == 5 && tt_get_f(&y, 1) == 7 && tt_get_f(&y, 2) == 9);
    CHECK(tt_guard_ok(&y));

    tt_init(&y, MLB_DTYPE_F32, 0, NULL, NULL, 0); /* everything reduced: a scalar */
    CHECK_INT_EQ(reduce(MLB_OP_REDUCE_SUM, 3u, 0, &x, &y), MLB_OK);
    CHECK(tt_get_f(&y, 0) == 21);
    CHECK(tt_guard_ok(&y));

    tt_init(&y, MLB_DTYPE_F32, 2, S(1, 1), NULL, 0);
    CHECK_INT_EQ(reduce(MLB_OP_REDUCE_SUM, 3u, 1, &x, &y), MLB_OK);
    CHECK(tt_get_f(&y, 0) == 21);

    tt_init(&y, MLB_DTYPE_F32, 1, S(2), NULL, 0);
    CHECK_INT_EQ(reduce(MLB_OP_REDUCE_MEAN, 2u, 0, &x, &y), MLB_OK);
    CHECK(tt_get_f(&y, 0) == 2 && tt_get_f(&y, 1) == 5); /* 6/3, 15/3 */
    CHECK_INT_EQ(reduce(MLB_OP_REDUCE_MIN, 2u, 0, &x, &y), MLB_OK);
    CHECK(tt_get_f(&y, 0) == 1 && tt_get_f(&y, 1) == 4);
    CHECK_INT_EQ(reduce(MLB_OP_REDUCE_PROD, 2u, 0, &x, &y), MLB_OK);
    CHECK(tt_get_f(&y, 0) == 6 && tt_get_f(&y, 1) == 120); /* 1*2*3, 4*5*6 */

    tt_init(&y, MLB_DTYPE_F32, 1, S(3), NULL, 0);
    CHECK_INT_EQ(reduce(MLB_OP_REDUCE_MAX, 1u, 0, &x, &y), MLB_OK);
    CHECK(tt_get_f(&y, 0) == 4 && tt_get_f(&y, 1) == 5 && tt_get_f(&y, 2) == 6);
    CHECK(tt_guard_ok(&y));
}

/* Every op x every dtype of its list: x [2,3] = {{3,1,5},{1,5,9}} reduced over axis 1. */
static void test_every_dtype(void) {
    static const int32_t all[] = {MLB_DTYPE_F32, MLB_DTYPE_F16, MLB_DTYPE_BF16, MLB_DTYPE_F64,
                                  MLB_DTYPE_I8,  MLB_DTYPE_U8,  MLB_DTYPE_I32,  MLB_DTYPE_I64};
    /* sum {9, 15}, mean {3, 5}, max {5, 9}, min {1, 1}, prod {15, 45}: exact everywhere. */
    static const double want[5][2] = {{9, 15}, {3, 5}, {5, 9}, {1, 1}, {15, 45}};
    for (size_t o = 0; o < 5; ++o) {
        for (size_t d = 0; d < sizeof all / sizeof all[0]; ++d) {
            const int32_t op = reduce_ops[o], dt = all[d];
            if (is_float_only(op) && !cpuref_dtype_is_float(dt)) {
                continue; /* refused: see test_check_rules */
            }
            tt x, y;
            tt_init(&x, dt, 2, S(2, 3), NULL, 0);
            tt_fill_f(&x, V(3, 1, 5, 1, 5, 9), 6);
            tt_init(&y, dt, 1, S(2), NULL, 0);
            CHECK_INT_EQ(reduce(op, 2u, 0, &x, &y), MLB_OK);
            CHECK(tt_get_f(&y, 0) == want[o][0]);
            CHECK(tt_get_f(&y, 1) == want[o][1]);
            CHECK(tt_guard_ok(&y));
        }
    }
}

/* Integer sums wrap at the store; max/min compare the full range exactly. */
static void test_int_wrap_and_range(void) {
    tt x, y;
    tt_init(&y, MLB_DTYPE_I8, 0, NULL, NULL, 0);
    tt_init(&x, MLB_DTYPE_I8, 1, S(3), NULL, 0);
    tt_fill_i(&x, (const int64_t[]){100, 100, 27}, 3);
    CHECK_INT_EQ(reduce(MLB_OP_REDUCE_SUM, 1u, 0, &x, &y), MLB_OK);
    CHECK_INT_EQ(tt_get_i(&y, 0), -29); /* 227 - 256 */

    tt_init(&x, MLB_DTYPE_U8, 1, S(2), NULL, 0);
    tt_init(&y, MLB_DTYPE_U8, 0, NULL, NULL, 0);
    tt_fill_i(&x, (const int64_t[]){200, 100}, 2);
    CHECK_INT_EQ(reduce(MLB_OP_REDUCE_SUM, 1u, 0, &x, &y), MLB_OK);
    CHECK_INT_EQ(tt_get_i(&y, 0), 44); /* 300 - 256 */

    tt_init(&x, MLB_DTYPE_I32, 1, S(2), NULL, 0);
    tt_init(&y, MLB_DTYPE_I32, 0, NULL, NULL, 0);
    tt_fill_i(&x, (const int64_t[]){INT32_MAX, 1}, 2);
    CHECK_INT_EQ(reduce(MLB_OP_REDUCE_SUM, 1u, 0, &x, &y), MLB_OK);
    CHECK_INT_EQ(tt_get_i(&y, 0), INT32_MIN);

    /* i64 overflows the accumulator itself: must wrap (the UBSan build traps signed overflow). */
    tt_init(&x, MLB_DTYPE_I64, 1, S(2), NULL, 0);
    tt_init(&y, MLB_DTYPE_I64, 0, NULL, NULL, 0);
    tt_fill_i(&x, (const int64_t[]){INT64_MAX, 2}, 2);
    CHECK_INT_EQ(reduce(MLB_OP_REDUCE_SUM, 1u, 0, &x, &y), MLB_OK);
    CHECK_INT_EQ(tt_get_i(&y, 0), INT64_MIN + 1);
    tt_fill_i(&x, (const int64_t[]){INT64_MIN, -1}, 2);
    CHECK_INT_EQ(reduce(MLB_OP_REDUCE_SUM, 1u, 0, &x, &y), MLB_OK);
    CHECK_INT_EQ(tt_get_i(&y, 0), INT64_MAX);

    tt_init(&x, MLB_DTYPE_I64, 1, S(3), NULL, 0);
    tt_fill_i(&x, (const int64_t[]){INT64_MIN, -1, INT64_MAX}, 3);
    CHECK_INT_EQ(reduce(MLB_OP_REDUCE_MAX, 1u, 0, &x, &y), MLB_OK);
    CHECK_INT_EQ(tt_get_i(&y, 0), INT64_MAX);
    CHECK_INT_EQ(reduce(MLB_OP_REDUCE_MIN, 1u, 0, &x, &y), MLB_OK);
    CHECK_INT_EQ(tt_get_i(&y, 0), INT64_MIN);

    tt_init(&x, MLB_DTYPE_U8, 1, S(3), NULL, 0); /* 255 is the largest u8, not -1 */
    tt_init(&y, MLB_DTYPE_U8, 0, NULL, NULL, 0);
    tt_fill_i(&x, (const int64_t[]){0, 255, 128}, 3);
    CHECK_INT_EQ(reduce(MLB_OP_REDUCE_MAX, 1u, 0, &x, &y), MLB_OK);
    CHECK_INT_EQ(tt_get_i(&y, 0), 255);
    CHECK_INT_EQ(reduce(MLB_OP_REDUCE_MIN, 1u, 0, &x, &y), MLB_OK);
    CHECK_INT_EQ(tt_get_i(&y, 0), 0);

    tt_init(&x, MLB_DTYPE_I8, 1, S(3), NULL, 0);
    tt_init(&y, MLB_DTYPE_I8, 0, NULL, NULL, 0);
    tt_fill_i(&x, (const int64_t[]){5, -128, 127}, 3);
    CHECK_INT_EQ(reduce(MLB_OP_REDUCE_MIN, 1u, 0, &x, &y), MLB_OK);
    CHECK_INT_EQ(tt_get_i(&y, 0), -128);
    CHECK_INT_EQ(reduce(MLB_OP_REDUCE_MAX, 1u, 0, &x, &y), MLB_OK);
    CHECK_INT_EQ(tt_get_i(&y, 0), 127);
}

/* The bits of op over a 1-D f16/bf16/f32 vector `v` (all reduced to a scalar). */
static uint32_t reduce_bits(int32_t op, int32_t dtype, const double *v, int64_t n) {
    tt x, y;
    tt_init(&x, dtype, 1, (const int64_t[]){n}, NULL, 0);
    tt_fill_f(&x, v, n);
    tt_init(&y, dtype, 0, NULL, NULL, 0);
    CHECK_INT_EQ(reduce(op, 1u, 0, &x, &y), MLB_OK);
    CHECK(tt_guard_ok(&y));
    return tt_bits(&y, 0);
}

/*
 * One rounding at the store, ties to even. f16 has 11 significant bits, so on
 * [2048, 4096) its spacing is 2: 2049 is a tie between 2048 (0x6800, even) and
 * 2050 (0x6801); 2051 between 2050 and 2052 (0x6802, even). bf16 (8 bits):
 * spacing 2 on [256, 512): 257 -> 256 (0x4380), 259 -> 260 (0x4382). f32
 * (24 bits): spacing 2 on [2^24, 2^25): 2^24+1 -> 2^24 (0x4B800000),
 * 2^24+3 -> 2^24+4 (0x4B800002). Summing {big, 1, 1} gives big+2 exactly
 * (0x6801, 0x4381, 0x4B800001): a per-step rounding would lose both 1s.
 */
static void test_rounding_ties(void) {
    CHECK_INT_EQ(reduce_bits(MLB_OP_REDUCE_SUM, MLB_DTYPE_F16, V(2048, 1), 2), 0x6800);
    CHECK_INT_EQ(reduce_bits(MLB_OP_REDUCE_SUM, MLB_DTYPE_F16, V(2048, 3), 2), 0x6802);
    CHECK_INT_EQ(reduce_bits(MLB_OP_REDUCE_SUM, MLB_DTYPE_F16, V(2048, 1, 1), 3), 0x6801);
    CHECK_INT_EQ(reduce_bits(MLB_OP_REDUCE_SUM, MLB_DTYPE_BF16, V(256, 1), 2), 0x4380);
    CHECK_INT_EQ(reduce_bits(MLB_OP_REDUCE_SUM, MLB_DTYPE_BF16, V(256, 3), 2), 0x4382);
    CHECK_INT_EQ(reduce_bits(MLB_OP_REDUCE_SUM, MLB_DTYPE_BF16, V(256, 1, 1), 3), 0x4381);
    CHECK_INT_EQ(reduce_bits(MLB_OP_REDUCE_SUM, MLB_DTYPE_F32, V(16777216, 1), 2), 0x4B800000);
    CHECK_INT_EQ(reduce_bits(MLB_OP_REDUCE_SUM, MLB_DTYPE_F32, V(16777216, 3), 2), 0x4B800002);
    CHECK_INT_EQ(reduce_bits(MLB_OP_REDUCE_SUM, MLB_DTYPE_F32, V(16777216, 1, 1), 3), 0x4B800001);
    /* mean f16 (2048 + 2050) / 2 = 2049: a tie -> 2048. */
    CHECK_INT_EQ(reduce_bits(MLB_OP_REDUCE_MEAN, MLB_DTYPE_F16, V(2048, 2050), 2), 0x6800);
    /* prod f16 45 * 45.5 = 2047.5: spacing 1 on [1024, 2048), a tie between 2047 (odd
     * mantissa 0x3FF) and 2048 (0x6800). */
    CHECK_INT_EQ(reduce_bits(MLB_OP_REDUCE_PROD, MLB_DTYPE_F16, V(45, 45.5), 2), 0x6800);
    /* prod bf16 12 * 21.5 = 258 exactly (0x4381); 11 * 23.5 = 258.5 -> 258 (spacing 2). */
    CHECK_INT_EQ(reduce_bits(MLB_OP_REDUCE_PROD, MLB_DTYPE_BF16, V(12, 21.5), 2), 0x4381);
    CHECK_INT_EQ(reduce_bits(MLB_OP_REDUCE_PROD, MLB_DTYPE_BF16, V(11, 23.5), 2), 0x4381);
    /* f16 65504 + 65504 = 131008 is beyond f16's range: +Inf (0x7C00). */
    CHECK_INT_EQ(reduce_bits(MLB_OP_REDUCE_SUM, MLB_DTYPE_F16, V(65504, 65504), 2), 0x7C00);
    /* f32: 3e38 + 3e38 - 3e38 stays finite because the sum runs in double. */
    const float big = 3e38f;
    uint32_t big_bits;
    memcpy(&big_bits, &big, 4);
    CHECK_INT_EQ(reduce_bits(MLB_OP_REDUCE_SUM, MLB_DTYPE_F32, V(big, big, -(double)big), 3),
                 big_bits);
}

/* NaN, Inf and signed zeros, as docs/ops.md section 1 and 10 say. */
static void test_nan_inf_zero(void) {
    const double inf = INFINITY, nan = NAN;
    struct {
        int32_t op;
        double v[3];
        int64_t n;
        double want;
    } cases[] = {
        {MLB_OP_REDUCE_SUM, {1, nan, 2}, 3, nan}, {MLB_OP_REDUCE_SUM, {inf, -inf}, 2, nan},
        {MLB_OP_REDUCE_SUM, {inf, 1}, 2, inf},    {MLB_OP_REDUCE_MEAN, {-inf, 1}, 2, -inf},
        {MLB_OP_REDUCE_MEAN, {nan, 1}, 2, nan},   {MLB_OP_REDUCE_PROD, {0, inf}, 2, nan},
        {MLB_OP_REDUCE_PROD, {-2, inf}, 2, -inf}, {MLB_OP_REDUCE_MAX, {nan, 1, 3}, 3, nan},
        {MLB_OP_REDUCE_MAX, {1, nan, 3}, 3, nan}, {MLB_OP_REDUCE_MAX, {1, 3, nan}, 3, nan},
        {MLB_OP_REDUCE_MAX, {1, inf, 3}, 3, inf}, {MLB_OP_REDUCE_MAX, {-inf, -inf}, 2, -inf},
        {MLB_OP_REDUCE_MIN, {nan, -1}, 2, nan},   {MLB_OP_REDUCE_MIN, {-1, 3, nan}, 3, nan},
        {MLB_OP_REDUCE_MIN, {-inf, 1}, 2, -inf},  {MLB_OP_REDUCE_MIN, {inf, inf}, 2, inf},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; ++c) {
        for (size_t d = 0; d < 4; ++d) {
            tt x, y;
            tt_init(&x, float_dtypes[d], 1, (const int64_t[]){cases[c].n}, NULL, 0);
            tt_fill_f(&x, cases[c].v, cases[c].n);
            tt_init(&y, float_dtypes[d], 0, NULL, NULL, 0);
            CHECK_INT_EQ(reduce(cases[c].op, 1u, 0, &x, &y), MLB_OK);
            if (!near_rel(tt_get_f(&y, 0), cases[c].want, 0)) {
                fprintf(stderr, "case %zu dtype %s: got %g, want %g\n", c,
                        cpuref_dtype_name(float_dtypes[d]), tt_get_f(&y, 0), cases[c].want);
                CHECK(0);
            }
        }
    }
    /* Signed zeros (f64, checked by bits): max prefers +0.0, min -0.0, in either order, as
     * maximum/minimum of section 3 do; a sum of -0.0 alone or of two -0.0 is -0.0. */
    struct {
        int32_t op;
        double a, b;
        double want;
    } zeros[] = {
        {MLB_OP_REDUCE_MAX, -0.0, 0.0, 0.0},   {MLB_OP_REDUCE_MAX, 0.0, -0.0, 0.0},
        {MLB_OP_REDUCE_MIN, -0.0, 0.0, -0.0},  {MLB_OP_REDUCE_MIN, 0.0, -0.0, -0.0},
        {MLB_OP_REDUCE_SUM, -0.0, -0.0, -0.0}, {MLB_OP_REDUCE_SUM, -0.0, 0.0, 0.0},
        {MLB_OP_REDUCE_PROD, -0.0, 2.0, -0.0}, {MLB_OP_REDUCE_MEAN, -0.0, -0.0, -0.0},
    };
    for (size_t c = 0; c < sizeof zeros / sizeof zeros[0]; ++c) {
        tt x, y;
        tt_init(&x, MLB_DTYPE_F64, 1, S(2), NULL, 0);
        tt_fill_f(&x, (const double[]){zeros[c].a, zeros[c].b}, 2);
        tt_init(&y, MLB_DTYPE_F64, 0, NULL, NULL, 0);
        CHECK_INT_EQ(reduce(zeros[c].op, 1u, 0, &x, &y), MLB_OK);
        if (!same_f64(tt_get_f(&y, 0), zeros[c].want)) {
            fprintf(stderr, "signed zero case %zu: got %g\n", c, tt_get_f(&y, 0));
            CHECK(0);
        }
    }
    tt x, y;
    tt_init(&x, MLB_DTYPE_F32, 1, S(1), NULL, 0);
    tt_set_f(&x, 0, -0.0);
    tt_init(&y, MLB_DTYPE_F32, 0, NULL, NULL, 0);
    CHECK_INT_EQ(reduce(MLB_OP_REDUCE_SUM, 1u, 0, &x, &y), MLB_OK);
    CHECK_INT_EQ(tt_bits(&y, 0), 0x80000000u);
}

/* Empty input tensors: the empty-set values, and empty outputs that write nothing. */
static void test_empty(void) {
    tt x, y;
    tt_init(&x, MLB_DTYPE_F32, 2, S(0, 3), NULL, 0);
    tt_init(&y, MLB_DTYPE_F32, 1, S(3), NULL, 0);
    CHECK_INT_EQ(reduce(MLB_OP_REDUCE_SUM, 1u, 0, &x, &y), MLB_OK);
    for (int64_t i = 0; i < 3; ++i) {
        CHECK(same_f64(tt_get_f(&y, i), 0.0));
    }
    CHECK(tt_guard_ok(&y));
    CHECK_INT_EQ(reduce(MLB_OP_REDUCE_MEAN, 1u, 0, &x, &y), MLB_OK);
    CHECK(isnan(tt_get_f(&y, 0)) && isnan(tt_get_f(&y, 2)));
    CHECK_INT_EQ(reduce(MLB_OP_REDUCE_PROD, 1u, 0, &x, &y), MLB_OK);
    CHECK(tt_get_f(&y, 0) == 1 && tt_get_f(&y, 2) == 1);
    CHECK(tt_guard_ok(&y));
    CHECK_INT_EQ(reduce_check(MLB_OP_REDUCE_MAX, 1u, 0, &x, &y), MLB_ERROR_INVALID_ARGUMENT);
    CHECK_STR_CONTAINS(why, "reduce_max: the reduced set is empty");
    CHECK_INT_EQ(reduce_check(MLB_OP_REDUCE_MIN, 1u, 0, &x, &y), MLB_ERROR_INVALID_ARGUMENT);
    CHECK_STR_CONTAINS(why, "reduce_min: the reduced set is empty");

    tt_init(&x, MLB_DTYPE_I32, 2, S(0, 3), NULL, 0);
    tt_init(&y, MLB_DTYPE_I32, 2, S(1, 3), NULL, 0);
    CHECK_INT_EQ(reduce(MLB_OP_REDUCE_SUM, 1u, 1, &x, &y), MLB_OK);
    CHECK(tt_get_i(&y, 0) == 0 && tt_get_i(&y, 1) == 0 && tt_get_i(&y, 2) == 0);

    /* A 1-D empty vector summed to a scalar: 0. */
    tt_init(&x, MLB_DTYPE_F64, 1, S(0), NULL, 0);
    tt_init(&y, MLB_DTYPE_F64, 0, NULL, NULL, 0);
    CHECK_INT_EQ(reduce(MLB_OP_REDUCE_SUM, 1u, 0, &x, &y), MLB_OK);
    CHECK(same_f64(tt_get_f(&y, 0), 0.0));

    /* An empty output: every op succeeds and writes nothing, max/min included (no set is
     * reduced), even when the reduced axes are empty too. */
    for (size_t o = 0; o < 5; ++o) {
        tt_init(&x, MLB_DTYPE_F32, 2, S(2, 0), NULL, 0);
        tt_init(&y, MLB_DTYPE_F32, 1, S(0), NULL, 0);
        CHECK_INT_EQ(reduce(reduce_ops[o], 1u, 0, &x, &y), MLB_OK);
        CHECK(tt_untouched(&y));
        tt_init(&x, MLB_DTYPE_F32, 2, S(0, 0), NULL, 0);
        CHECK_INT_EQ(reduce(reduce_ops[o], 2u, 0, &x, &y), MLB_OK);
        CHECK(tt_untouched(&y));
    }
    tt_init(&x, MLB_DTYPE_F32, 2, S(2, 0), NULL, 0); /* sum over the empty axis: zeros */
    tt_init(&y, MLB_DTYPE_F32, 1, S(2), NULL, 0);
    CHECK_INT_EQ(reduce(MLB_OP_REDUCE_SUM, 2u, 0, &x, &y), MLB_OK);
    CHECK(tt_get_f(&y, 0) == 0 && tt_get_f(&y, 1) == 0);
    CHECK(tt_guard_ok(&y));
}

/* axes = 0 reduces nothing: an exact copy for every op (signed zero and NaN kept). */
static void test_axes_zero_copy(void) {
    for (size_t o = 0; o < 5; ++o) {
        tt x, y;
        /* a transposed source: logical [2,3] with strides {1,2} */
        tt_init(&x, MLB_DTYPE_F32, 2, S(2, 3), S(1, 2), 4);
        tt_fill_f(&x, V(-0.0, 1.5, NAN, INFINITY, -7, 0.1f), 6);
        tt_init(&y, MLB_DTYPE_F32, 2, S(2, 3), NULL, 8);
        CHECK_INT_EQ(reduce(reduce_ops[o], 0u, 0, &x, &y), MLB_OK);
        CHECK_INT_EQ(tt_bits(&y, 0), 0x80000000u);
        CHECK(tt_get_f(&y, 1) == 1.5);
        CHECK(isnan(tt_get_f(&y, 2)));
        CHECK(tt_get_f(&y, 3) == INFINITY);
        CHECK(tt_get_f(&y, 4) == -7);
        CHECK(tt_get_f(&y, 5) == (double)0.1f);
        CHECK(tt_guard_ok(&y));
    }
    for (size_t o = 0; o < 5; ++o) {
        if (is_float_only(reduce_ops[o])) {
            continue;
        }
        tt x, y;
        tt_init(&x, MLB_DTYPE_I64, 1, S(3), NULL, 0);
        tt_fill_i(&x, (const int64_t[]){INT64_MIN, INT64_MAX, -1}, 3);
        tt_init(&y, MLB_DTYPE_I64, 1, S(3), NULL, 0);
        CHECK_INT_EQ(reduce(reduce_ops[o], 0u, 1, &x, &y), MLB_OK);
        CHECK_INT_EQ(tt_get_i(&y, 0), INT64_MIN);
        CHECK_INT_EQ(tt_get_i(&y, 1), INT64_MAX);
        CHECK_INT_EQ(tt_get_i(&y, 2), -1);
    }
    /* A scalar input (rank 0): only axes = 0 is possible. */
    tt x, y;
    tt_init(&x, MLB_DTYPE_BF16, 0, NULL, NULL, 2);
    tt_set_f(&x, 0, -3.5);
    tt_init(&y, MLB_DTYPE_BF16, 0, NULL, NULL, 6);
    CHECK_INT_EQ(reduce(MLB_OP_REDUCE_PROD, 0u, 0, &x, &y), MLB_OK);
    CHECK(tt_get_f(&y, 0) == -3.5);
    CHECK(tt_guard_ok(&y));
}

/*
 * Rank 3, several axes, index order. x [2,3,4] = 0..23, x[i][j][k] = 12i + 4j + k.
 * Axes {0,2}: y[j] = sum_{i,k} (12i + 4j + k) = 4*12 + 8*4j + 2*6 = 60 + 32j.
 * Axes {1,2}: y[i] = 12*12i + 4*4*(0+1+2) + 3*(0+1+2+3) = 144i + 66.
 */
static void test_multi_axis(void) {
    tt x, y;
    tt_init(&x, MLB_DTYPE_I32, 3, S(2, 3, 4), NULL, 0);
    for (int64_t i = 0; i < 24; ++i) {
        tt_set_i(&x, i, i);
    }
    tt_init(&y, MLB_DTYPE_I32, 1, S(3), NULL, 0);
    CHECK_INT_EQ(reduce(MLB_OP_REDUCE_SUM, 5u, 0, &x, &y), MLB_OK);
    CHECK(tt_get_i(&y, 0) == 60 && tt_get_i(&y, 1) == 92 && tt_get_i(&y, 2) == 124);
    tt_init(&y, MLB_DTYPE_I32, 3, S(1, 3, 1), NULL, 0);
    CHECK_INT_EQ(reduce(MLB_OP_REDUCE_SUM, 5u, 1, &x, &y), MLB_OK);
    CHECK(tt_get_i(&y, 0) == 60 && tt_get_i(&y, 1) == 92 && tt_get_i(&y, 2) == 124);
    CHECK(tt_guard_ok(&y));
    tt_init(&y, MLB_DTYPE_I32, 1, S(2), NULL, 0);
    CHECK_INT_EQ(reduce(MLB_OP_REDUCE_SUM, 6u, 0, &x, &y), MLB_OK);
    CHECK(tt_get_i(&y, 0) == 66 && tt_get_i(&y, 1) == 210);
    /* max over axes {0,2} of 12i+4j+k: i=1, k=3 -> 15 + 4j; min: 4j. */
    tt_init(&y, MLB_DTYPE_I32, 1, S(3), NULL, 0);
    CHECK_INT_EQ(reduce(MLB_OP_REDUCE_MAX, 5u, 0, &x, &y), MLB_OK);
    CHECK(tt_get_i(&y, 0) == 15 && tt_get_i(&y, 1) == 19 && tt_get_i(&y, 2) == 23);
    CHECK_INT_EQ(reduce(MLB_OP_REDUCE_MIN, 5u, 0, &x, &y), MLB_OK);
    CHECK(tt_get_i(&y, 0) == 0 && tt_get_i(&y, 1) == 4 && tt_get_i(&y, 2) == 8);

    /*
     * Index order in f64. x [2,1,2] = {{{2^53, 1}}, {{-2^53, 1}}}, axes {0,2}: the set in
     * row-major order is 2^53, 1, -2^53, 1. (2^53 + 1) is a tie that rounds to 2^53 (even),
     * then - 2^53 = 0, then + 1 = 1. Memory order of the transposed copy below would give
     * 2^53 - 2^53 + 1 + 1 = 2: the result must follow the logical index, not memory.
     */
    const double big = 9007199254740992.0; /* 2^53 */
    tt_init(&x, MLB_DTYPE_F64, 3, S(2, 1, 2), NULL, 0);
    tt_fill_f(&x, V(big, 1, -big, 1), 4);
    tt_init(&y, MLB_DTYPE_F64, 1, S(1), NULL, 0);
    CHECK_INT_EQ(reduce(MLB_OP_REDUCE_SUM, 5u, 0, &x, &y), MLB_OK);
    CHECK(tt_get_f(&y, 0) == 1.0);
    tt_init(&x, MLB_DTYPE_F64, 3, S(2, 1, 2), S(1, 4, 2), 0); /* axis 0 fastest in memory */
    tt_fill_f(&x, V(big, 1, -big, 1), 4);
    CHECK_INT_EQ(reduce(MLB_OP_REDUCE_SUM, 5u, 0, &x, &y), MLB_OK);
    CHECK(tt_get_f(&y, 0) == 1.0);
    /* mean of that set: 1 / 4 */
    CHECK_INT_EQ(reduce(MLB_OP_REDUCE_MEAN, 5u, 0, &x, &y), MLB_OK);
    CHECK(tt_get_f(&y, 0) == 0.25);
}

/* Non-contiguous tensors: transposed and stride-0 inputs, byte offsets, strided outputs. */
static void test_strides(void) {
    tt x, y;
    /* Logical x [3,2] = {{1,4},{2,5},{3,6}} stored as a transposed [2,3] (strides {1,3}). */
    tt_init(&x, MLB_DTYPE_F16, 2, S(3, 2), S(1, 3), 6);
    tt_fill_f(&x, V(1, 4, 2, 5, 3, 6), 6);
    tt_init(&y, MLB_DTYPE_F16, 1, S(3), S(2), 10); /* every other slot, after 10 bytes */
    CHECK_INT_EQ(reduce(MLB_OP_REDUCE_SUM, 2u, 0, &x, &y), MLB_OK);
    CHECK(tt_get_f(&y, 0) == 5 && tt_get_f(&y, 1) == 7 && tt_get_f(&y, 2) == 9);
    CHECK(tt_guard_ok(&y));
    tt_init(&y, MLB_DTYPE_F16, 2, S(1, 2), S(7, 3), 2);
    CHECK_INT_EQ(reduce(MLB_OP_REDUCE_MAX, 1u, 1, &x, &y), MLB_OK);
    CHECK(tt_get_f(&y, 0) == 3 && tt_get_f(&y, 1) == 6);
    CHECK(tt_guard_ok(&y));

    /* A broadcast input: x [4,3] with strides {0,1} repeats the row {1,2,3}. */
    tt_init(&x, MLB_DTYPE_U8, 2, S(4, 3), S(0, 1), 1);
    tt_fill_i(&x, (const int64_t[]){1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3}, 12);
    tt_init(&y, MLB_DTYPE_U8, 1, S(3), NULL, 3);
    CHECK_INT_EQ(reduce(MLB_OP_REDUCE_SUM, 1u, 0, &x, &y), MLB_OK);
    CHECK(tt_get_i(&y, 0) == 4 && tt_get_i(&y, 1) == 8 && tt_get_i(&y, 2) == 12);
    CHECK(tt_guard_ok(&y));
    tt_init(&y, MLB_DTYPE_U8, 1, S(4), S(3), 0);
    CHECK_INT_EQ(reduce(MLB_OP_REDUCE_SUM, 2u, 0, &x, &y), MLB_OK);
    for (int64_t i = 0; i < 4; ++i) {
        CHECK_INT_EQ(tt_get_i(&y, i), 6);
    }
    CHECK(tt_guard_ok(&y));
    /* A stride-0 output axis of extent 1 is allowed (keepdims). */
    tt_init(&x, MLB_DTYPE_I8, 2, S(2, 2), NULL, 0);
    tt_fill_i(&x, (const int64_t[]){-1, -2, -3, -4}, 4);
    tt_init(&y, MLB_DTYPE_I8, 2, S(1, 2), S(0, 1), 5);
    CHECK_INT_EQ(reduce(MLB_OP_REDUCE_MIN, 1u, 1, &x, &y), MLB_OK);
    CHECK(tt_get_i(&y, 0) == -3 && tt_get_i(&y, 1) == -4);
    CHECK(tt_guard_ok(&y));
}

/* Every INVALID_ARGUMENT and UNSUPPORTED rule of check, with its reason. */
static void test_check_rules(void) {
    tt x, y, z;
    tt_init(&x, MLB_DTYPE_F32, 2, S(2, 3), NULL, 0);
    tt_init(&y, MLB_DTYPE_F32, 1, S(2), NULL, 0);
    mlb_reduce_attrs a = ra(2u, 0);

    /* counts */
    const mlb_tensor_desc *two[2] = {&x.d, &x.d}, *one[1] = {&y.d};
    mlb_op_desc d = make_desc(MLB_OP_REDUCE_SUM, &a, two, 2, one, 1);
    CHECK_INT_EQ(cpuref_reduce_check(&d, why, sizeof why), MLB_ERROR_INVALID_ARGUMENT);
    CHECK_STR_CONTAINS(why, "reduce_sum: takes 1 input(s) and 1 output(s), got 2 and 1");
    d = make_desc(MLB_OP_REDUCE_SUM, &a, two, 1, two, 2);
    CHECK_INT_EQ(cpuref_reduce_check(&d, why, sizeof why), MLB_ERROR_INVALID_ARGUMENT);
    CHECK_STR_CONTAINS(why, "got 1 and 2");

    /* attributes */
    tt *ins[1] = {&x};
    CHECK_INT_EQ(op_check(MLB_OP_REDUCE_SUM, NULL, ins, 1, &y), MLB_ERROR_INVALID_ARGUMENT);
    CHECK_STR_CONTAINS(why, "reduce_sum: attributes missing");
    mlb_reduce_attrs short_a = a;
    short_a.struct_size = MLB_STRUCT_SIZE(mlb_reduce_attrs, axes);
    CHECK_INT_EQ(op_check(MLB_OP_REDUCE_MEAN, &short_a, ins, 1, &y), MLB_ERROR_INVALID_ARGUMENT);
    CHECK_STR_CONTAINS(why, "reduce_mean: attributes missing or struct_size");

    /* dtypes differ */
    tt_init(&z, MLB_DTYPE_F64, 1, S(2), NULL, 0);
    CHECK_INT_EQ(reduce_check(MLB_OP_REDUCE_SUM, 2u, 0, &x, &z), MLB_ERROR_INVALID_ARGUMENT);
    CHECK_STR_CONTAINS(why, "reduce_sum: output 0 is f64, expected f32");

    /* axes beyond the rank */
    CHECK_INT_EQ(reduce_check(MLB_OP_REDUCE_MAX, 4u, 0, &x, &y), MLB_ERROR_INVALID_ARGUMENT);
    CHECK_STR_CONTAINS(why, "reduce_max: axes 0x4 names an axis >= the input rank 2");
    CHECK_INT_EQ(reduce_check(MLB_OP_REDUCE_MAX, 0x80000000u, 0, &x, &y),
                 MLB_ERROR_INVALID_ARGUMENT);
    CHECK_STR_CONTAINS(why, "axes 0x80000000");
    tt_init(&z, MLB_DTYPE_F32, 0, NULL, NULL, 0);
    CHECK_INT_EQ(reduce_check(MLB_OP_REDUCE_SUM, 1u, 0, &z, &z), MLB_ERROR_INVALID_ARGUMENT);
    CHECK_STR_CONTAINS(why, "input rank 0");

    /* keepdims neither 0 nor 1 */
    CHECK_INT_EQ(reduce_check(MLB_OP_REDUCE_MIN, 2u, 2, &x, &y), MLB_ERROR_INVALID_ARGUMENT);
    CHECK_STR_CONTAINS(why, "reduce_min: keepdims is 2, expected 0 or 1");
    CHECK_INT_EQ(reduce_check(MLB_OP_REDUCE_MIN, 2u, -1, &x, &y), MLB_ERROR_INVALID_ARGUMENT);
    CHECK_STR_CONTAINS(why, "keepdims is -1");

    /* output shape */
    CHECK_INT_EQ(reduce_check(MLB_OP_REDUCE_SUM, 2u, 1, &x, &y), MLB_ERROR_INVALID_ARGUMENT);
    CHECK_STR_CONTAINS(why, "reduce_sum: output has rank 1, expected 2");
    CHECK_INT_EQ(reduce_check(MLB_OP_REDUCE_PROD, 1u, 0, &x, &y), MLB_ERROR_INVALID_ARGUMENT);
    CHECK_STR_CONTAINS(why, "reduce_prod: output axis 0 has extent 2, expected 3");
    tt_init(&z, MLB_DTYPE_F32, 2, S(2, 3), NULL, 0);
    CHECK_INT_EQ(reduce_check(MLB_OP_REDUCE_SUM, 0u, 0, &x, &z), MLB_OK);
    tt_init(&z, MLB_DTYPE_F32, 2, S(3, 2), NULL, 0);
    CHECK_INT_EQ(reduce_check(MLB_OP_REDUCE_SUM, 0u, 0, &x, &z), MLB_ERROR_INVALID_ARGUMENT);
    CHECK_STR_CONTAINS(why, "output axis 0 has extent 3, expected 2");

    /* an output stride 0 on an axis of extent > 1 */
    tt_init(&z, MLB_DTYPE_F32, 1, S(2), S(0), 0);
    CHECK_INT_EQ(reduce_check(MLB_OP_REDUCE_SUM, 2u, 0, &x, &z), MLB_ERROR_INVALID_ARGUMENT);
    CHECK_STR_CONTAINS(why, "reduce_sum: output has stride 0 on axis 0 of extent 2");

    /* dtypes outside each op's list: UNSUPPORTED */
    static const struct {
        int32_t op, dtype;
        const char *text;
    } refused[] = {
        {MLB_OP_REDUCE_MEAN, MLB_DTYPE_I32, "reduce_mean: dtype i32 is not supported"},
        {MLB_OP_REDUCE_MEAN, MLB_DTYPE_U8, "reduce_mean: dtype u8 is not supported"},
        {MLB_OP_REDUCE_PROD, MLB_DTYPE_I64, "reduce_prod: dtype i64 is not supported"},
        {MLB_OP_REDUCE_PROD, MLB_DTYPE_I8, "reduce_prod: dtype i8 is not supported"},
        {MLB_OP_REDUCE_SUM, MLB_DTYPE_BOOL, "reduce_sum: dtype bool is not supported"},
        {MLB_OP_REDUCE_MAX, MLB_DTYPE_BOOL, "reduce_max: dtype bool is not supported"},
        {MLB_OP_REDUCE_MIN, MLB_DTYPE_BOOL, "reduce_min: dtype bool is not supported"},
        {MLB_OP_REDUCE_MEAN, MLB_DTYPE_BOOL, "reduce_mean: dtype bool is not supported"},
        {MLB_OP_REDUCE_PROD, MLB_DTYPE_BOOL, "reduce_prod: dtype bool is not supported"},
    };
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; ++i) {
        tt_init(&x, refused[i].dtype, 2, S(2, 3), NULL, 0);
        tt_init(&y, refused[i].dtype, 1, S(2), NULL, 0);
        CHECK_INT_EQ(reduce_check(refused[i].op, 2u, 0, &x, &y), MLB_ERROR_UNSUPPORTED);
        CHECK_STR_CONTAINS(why, refused[i].text);
    }
    /* a broken descriptor is INVALID_ARGUMENT even when its dtype is also refused */
    tt_init(&x, MLB_DTYPE_I32, 2, S(2, 3), NULL, 0);
    tt_init(&y, MLB_DTYPE_I32, 1, S(2), NULL, 0);
    CHECK_INT_EQ(reduce_check(MLB_OP_REDUCE_MEAN, 8u, 0, &x, &y), MLB_ERROR_INVALID_ARGUMENT);
    /* and the int ops accept every int dtype (the run is in test_every_dtype) */
    CHECK_INT_EQ(reduce_check(MLB_OP_REDUCE_SUM, 2u, 0, &x, &y), MLB_OK);
}

/* f32 results equal the f64 path rounded to f32, bit for bit (both round once from double). */
static void test_f32_matches_f64(void) {
    tt x32, x64, y32, y64;
    tt_init(&x32, MLB_DTYPE_F32, 3, S(4, 5, 6), NULL, 0);
    tt_init(&x64, MLB_DTYPE_F64, 3, S(4, 5, 6), NULL, 0);
    for (int64_t i = 0; i < 120; ++i) {
        const double v = lcg_value();
        tt_set_f(&x32, i, v);
        tt_set_f(&x64, i, v);
    }
    static const uint32_t axes_list[] = {0u, 1u, 2u, 4u, 5u, 6u, 7u};
    int compared = 0;
    for (size_t o = 0; o < 5; ++o) {
        for (size_t a = 0; a < sizeof axes_list / sizeof axes_list[0]; ++a) {
            const uint32_t axes = axes_list[a];
            int64_t shape[3];
            int32_t rank = 0;
            for (int32_t k = 0; k < 3; ++k) {
                if (!(axes >> k & 1u)) {
                    shape[rank++] = x32.d.shape[k];
                }
            }
            tt_init(&y32, MLB_DTYPE_F32, rank, shape, NULL, 0);
            tt_init(&y64, MLB_DTYPE_F64, rank, shape, NULL, 0);
            CHECK_INT_EQ(reduce(reduce_ops[o], axes, 0, &x32, &y32), MLB_OK);
            CHECK_INT_EQ(reduce(reduce_ops[o], axes, 0, &x64, &y64), MLB_OK);
            const int64_t n = cpuref_numel(&y32.d);
            for (int64_t i = 0; i < n; ++i) {
                const float want = (float)tt_get_f(&y64, i);
                uint32_t want_bits;
                memcpy(&want_bits, &want, 4);
                if (tt_bits(&y32, i) != want_bits) {
                    fprintf(stderr, "op %d axes %u element %lld: f32 %08x, f64 rounded %08x\n",
                            reduce_ops[o], axes, (long long)i, tt_bits(&y32, i), want_bits);
                    CHECK(0);
                    break;
                }
                ++compared;
            }
        }
    }
    CHECK(compared > 500);
}

int main(void) {
    family_check = cpuref_reduce_check;
    family_run = cpuref_reduce_run;
    test_basic_shapes();
    test_every_dtype();
    test_int_wrap_and_range();
    test_rounding_ties();
    test_nan_inf_zero();
    test_empty();
    test_axes_zero_copy();
    test_multi_axis();
    test_strides();
    test_check_rules();
    test_f32_matches_f64();
    return check_finish();
}
