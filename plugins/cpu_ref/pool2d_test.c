/*
 * pool2d_test.c - cpu_ref's pool2d (docs/ops.md section 7) against
 * hand-computed results: max and avg in every float dtype, padding that never
 * wins a max (all-negative input), avg with and without count_include_pad at
 * the corners, NHWC == NCHW, strided/offset views, empty tensors, NaN/Inf,
 * single rounding, guard bytes, every rule of check, f32 == round(f64).
 */
#include "linalg_test.h"

static const op_fns POOL = {cpuref_pool2d_check, cpuref_pool2d_run};

static mlb_pool2d_attrs pl_attrs(int32_t mode, int64_t kh, int64_t kw) {
    mlb_pool2d_attrs a;
    memset(&a, 0, sizeof a);
    a.struct_size = MLB_STRUCT_SIZE(mlb_pool2d_attrs, count_include_pad);
    a.mode = mode;
    a.layout = MLB_LAYOUT_NCHW;
    a.kernel[0] = kh, a.kernel[1] = kw;
    a.stride[0] = a.stride[1] = 1;
    return a;
}

static void set_pad(mlb_pool2d_attrs *a, int64_t top, int64_t bottom, int64_t left, int64_t right) {
    a->padding[0] = top, a->padding[1] = bottom, a->padding[2] = left, a->padding[3] = right;
}

static void pl_case(opcase *c, const mlb_pool2d_attrs *at, int32_t dt, const int64_t *xs,
                    const int64_t *os) {
    opcase_init(c, MLB_OP_POOL2D, 1, at);
    c->in[0] = tdesc(dt, 4, xs, NULL, 0);
    c->out = tdesc(dt, 4, os, NULL, 0);
}

/* Runs one [1,1,H,W] image in dtype dt and compares with want. */
static void expect_image(const mlb_pool2d_attrs *at, int32_t dt, int64_t h, int64_t w,
                         const double *x, int64_t oh, int64_t ow, const double *want) {
    const int64_t xs[4] = {1, 1, h, w}, os[4] = {1, 1, oh, ow};
    opcase c;
    double got[16];
    pl_case(&c, at, dt, xs, os);
    CHECK_INT_EQ(run_vals(POOL, &c, &x, got), MLB_OK);
    CHECK(same_values(got, want, (size_t)(oh * ow)));
}

static const double X9[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9}; /* x[h][w] = 3h + w + 1 */

/* 2x2 windows, stride 1, on X9: max {5, 6, 8, 9}; avg {(1+2+4+5)/4, ...} = {3, 4, 6, 7}. */
static void test_basic_every_dtype(void) {
    const mlb_pool2d_attrs mx = pl_attrs(MLB_POOL_MAX, 2, 2), av = pl_attrs(MLB_POOL_AVG, 2, 2);
    const double want_max[4] = {5, 6, 8, 9}, want_avg[4] = {3, 4, 6, 7};
    for (int d = 0; d < 4; ++d) {
        expect_image(&mx, float_dtypes[d], 3, 3, X9, 2, 2, want_max);
        expect_image(&av, float_dtypes[d], 3, 3, X9, 2, 2, want_avg);
    }
}

/*
 * max, 2x2 window, padding 1 on every side, all-negative x = {{-1,-2},{-3,-4}}: padded 4x4,
 * OH = OW = 3; window (oh, ow) covers rows oh-1..oh and cols ow-1..ow. Padding never wins
 * (a zero-padded max would give 0 at the border):
 *   (0,0) {-1} (0,1) {-1,-2} (0,2) {-2}; (1,0) {-1,-3} (1,1) all (1,2) {-2,-4};
 *   (2,0) {-3} (2,1) {-3,-4} (2,2) {-4}.
 */
static void test_max_padding_never_wins(void) {
    mlb_pool2d_attrs at = pl_attrs(MLB_POOL_MAX, 2, 2);
    set_pad(&at, 1, 1, 1, 1);
    const double x[4] = {-1, -2, -3, -4};
    const double want[9] = {-1, -1, -2, -1, -1, -2, -3, -3, -4};
    for (int d = 0; d < 4; ++d) {
        expect_image(&at, float_dtypes[d], 2, 2, x, 3, 3, want);
    }
}

/*
 * avg, 3x3 window, stride 2, padding 1 on every side, X9: padded 5x5, OH = OW = 2; each
 * window holds 4 valid elements (a corner of X9):
 *   (0,0) 1+2+4+5 = 12, (0,1) 2+3+5+6 = 16, (1,0) 4+5+7+8 = 24, (1,1) 5+6+8+9 = 28.
 * count_include_pad = 0 divides by 4: {3, 4, 6, 7} (exact in every dtype);
 * count_include_pad = 1 divides by 9: {12/9, 16/9, 24/9, 28/9}, rounded once from double.
 * f16 of 12/9 = 4/3 = 1.0101010101|0101...b: rounds down to 0x3C00 | 0x155 = 0x3D55.
 */
static void test_avg_count_include_pad(void) {
    mlb_pool2d_attrs at = pl_attrs(MLB_POOL_AVG, 3, 3);
    at.stride[0] = at.stride[1] = 2;
    set_pad(&at, 1, 1, 1, 1);
    const double want_valid[4] = {3, 4, 6, 7};
    for (int d = 0; d < 4; ++d) {
        expect_image(&at, float_dtypes[d], 3, 3, X9, 2, 2, want_valid);
    }
    at.count_include_pad = 1;
    const double want_f64[4] = {12.0 / 9.0, 16.0 / 9.0, 24.0 / 9.0, 28.0 / 9.0};
    const double want_f32[4] = {(float)(12.0 / 9.0), (float)(16.0 / 9.0), (float)(24.0 / 9.0),
                                (float)(28.0 / 9.0)};
    expect_image(&at, MLB_DTYPE_F64, 3, 3, X9, 2, 2, want_f64);
    expect_image(&at, MLB_DTYPE_F32, 3, 3, X9, 2, 2, want_f32);
    const int64_t xs[4] = {1, 1, 3, 3}, os[4] = {1, 1, 2, 2};
    opcase c;
    pl_case(&c, &at, MLB_DTYPE_F16, xs, os);
    uint8_t xbuf[18], obuf[8 + GUARD_TAIL];
    tput(&c.in[0], xbuf, X9);
    uint8_t *in[1] = {xbuf};
    CHECK_INT_EQ(run_raw(POOL, &c, in, obuf, sizeof obuf), MLB_OK);
    uint16_t bits;
    memcpy(&bits, obuf, 2);
    CHECK_INT_EQ(bits, 0x3D55);
}

/*
 * Asymmetric padding and a non-square window: avg 2x3, padding {top 0, bottom 1, left 2,
 * right 0}, stride (1, 2) on X9: padded 4 x 5, OH = (4-2)/1+1 = 3, OW = (5-3)/2+1 = 2.
 * Rows oh..oh+1 (row 3 is padding); cols 2 ow - 2 .. 2 ow (cols -2, -1 are padding):
 *   (0,0) rows 0,1 col 0: 1+4 = 5 over 2 valid; (0,1) rows 0,1 cols 0..2: 21 over 6
 *   (1,0) rows 1,2 col 0: 4+7 = 11 over 2;      (1,1) rows 1,2 cols 0..2: 39 over 6
 *   (2,0) row 2 col 0: 7 over 1;                (2,1) row 2: 7+8+9 = 24 over 3
 * -> {2.5, 3.5, 5.5, 6.5, 7, 8}; the 6-element windows with pad counted: {5/6, 21/6, ...}.
 */
static void test_avg_asymmetric(void) {
    mlb_pool2d_attrs at = pl_attrs(MLB_POOL_AVG, 2, 3);
    at.stride[1] = 2;
    set_pad(&at, 0, 1, 2, 0);
    const double want[6] = {2.5, 3.5, 5.5, 6.5, 7, 8};
    for (int d = 0; d < 4; ++d) {
        expect_image(&at, float_dtypes[d], 3, 3, X9, 3, 2, want);
    }
    at.count_include_pad = 1;
    const double want_pad[6] = {5.0 / 6, 21.0 / 6, 11.0 / 6, 39.0 / 6, 7.0 / 6, 24.0 / 6};
    expect_image(&at, MLB_DTYPE_F64, 3, 3, X9, 3, 2, want_pad);
}

/* The same logical data in NCHW and NHWC (2 images x 2 channels) gives the same values. */
static void test_nhwc_equals_nchw(void) {
    double x_nchw[36], x_nhwc[36];
    for (int n = 0; n < 2; ++n) {
        for (int ch = 0; ch < 2; ++ch) {
            for (int p = 0; p < 9; ++p) {
                /* channel 1 is X9 negated, image 1 adds 10 */
                const double v = (ch ? -X9[p] : X9[p]) + 10 * n;
                x_nchw[(n * 2 + ch) * 9 + p] = v;
                x_nhwc[(n * 9 + p) * 2 + ch] = v;
            }
        }
    }
    const int32_t modes[2] = {MLB_POOL_MAX, MLB_POOL_AVG};
    for (int mi = 0; mi < 2; ++mi) {
        mlb_pool2d_attrs at = pl_attrs(modes[mi], 2, 2);
        set_pad(&at, 1, 0, 0, 1);
        at.count_include_pad = 1;
        /* padded 4x4, OH = OW = 3; per channel 9 outputs. */
        const int64_t xs_c[4] = {2, 2, 3, 3}, os_c[4] = {2, 2, 3, 3};
        const int64_t xs_l[4] = {2, 3, 3, 2}, os_l[4] = {2, 3, 3, 2};
        for (int d = 0; d < 4; ++d) {
            opcase c;
            double got_c[36], got_l[36];
            const double *vc[1] = {x_nchw}, *vl[1] = {x_nhwc};
            at.layout = MLB_LAYOUT_NCHW;
            pl_case(&c, &at, float_dtypes[d], xs_c, os_c);
            CHECK_INT_EQ(run_vals(POOL, &c, vc, got_c), MLB_OK);
            at.layout = MLB_LAYOUT_NHWC;
            pl_case(&c, &at, float_dtypes[d], xs_l, os_l);
            CHECK_INT_EQ(run_vals(POOL, &c, vl, got_l), MLB_OK);
            int same = 1;
            for (int n = 0; n < 2; ++n) {
                for (int ch = 0; ch < 2; ++ch) {
                    for (int p = 0; p < 9; ++p) {
                        same &= got_c[(n * 2 + ch) * 9 + p] == got_l[(n * 9 + p) * 2 + ch];
                    }
                }
            }
            CHECK(same);
            /* Spot values, image 0 channel 0, window rows oh-1..oh, cols ow..ow+1:
             * max (0,0) = max{1,2} = 2; avg (0,0) = (1+2)/4 = 0.75 (pad counted);
             * avg (1,0) = (1+2+4+5)/4 = 3. */
            if (modes[mi] == MLB_POOL_MAX) {
                CHECK(got_c[0] == 2);
                CHECK(got_c[9] == -1); /* channel 1: max{-1,-2} */
            } else {
                CHECK(got_c[3] == 3);
                CHECK(got_c[0] == 0.75);
            }
        }
    }
}

/*
 * Views: x is X9 read transposed (strides {9,9,1,3}) at an offset of 4 elements, so the
 * logical image is {{1,4,7},{2,5,8},{3,6,9}}; max 2x2 -> {5, 8, 6, 9}. The output is the
 * 2x2 corner of a 3x3 buffer (strides {9,9,3,1}, offset 4): elements 4, 5, 7, 8.
 */
static void test_strided_views(void) {
    const mlb_pool2d_attrs at = pl_attrs(MLB_POOL_MAX, 2, 2);
    for (int d = 0; d < 4; ++d) {
        const int32_t dt = float_dtypes[d];
        const size_t es = cpuref_dtype_size(dt);
        const int64_t xs[4] = {1, 1, 3, 3}, os[4] = {1, 1, 2, 2};
        const int64_t xstr[4] = {9, 9, 1, 3}, ostr[4] = {9, 9, 3, 1};
        opcase c;
        pl_case(&c, &at, dt, xs, os);
        c.in[0] = tdesc(dt, 4, xs, xstr, 4 * es);
        c.out = tdesc(dt, 4, os, ostr, 4 * es);
        uint8_t xbuf[13 * 8], obuf[9 * 8 + GUARD_TAIL];
        for (int i = 0; i < 9; ++i) {
            cpuref_store_f64(dt, xbuf + (4 + i) * es, X9[i]);
        }
        uint8_t *in[1] = {xbuf};
        CHECK_INT_EQ(run_raw(POOL, &c, in, obuf, sizeof obuf), MLB_OK);
        CHECK(cpuref_load_f64(dt, obuf + 4 * es) == 5);
        CHECK(cpuref_load_f64(dt, obuf + 5 * es) == 8);
        CHECK(cpuref_load_f64(dt, obuf + 7 * es) == 6);
        CHECK(cpuref_load_f64(dt, obuf + 8 * es) == 9);
    }
}

/* N = 0 or C = 0 write nothing; a single element passes through both modes. */
static void test_empty_and_single(void) {
    const int64_t x0[4] = {0, 1, 3, 3}, o0[4] = {0, 1, 2, 2};
    const int64_t x1[4] = {1, 0, 3, 3}, o1[4] = {1, 0, 2, 2};
    const double five[1] = {5};
    for (int d = 0; d < 4; ++d) {
        for (int m = 0; m < 2; ++m) {
            const mlb_pool2d_attrs at = pl_attrs(m, 2, 2), one = pl_attrs(m, 1, 1);
            opcase c;
            const double *vals[1] = {X9};
            pl_case(&c, &at, float_dtypes[d], x0, o0);
            CHECK_INT_EQ(run_vals(POOL, &c, vals, NULL), MLB_OK);
            pl_case(&c, &at, float_dtypes[d], x1, o1);
            CHECK_INT_EQ(run_vals(POOL, &c, vals, NULL), MLB_OK);
            expect_image(&one, float_dtypes[d], 1, 1, five, 1, 1, five);
        }
    }
}

/*
 * H = 0 with padding {1,1}, kernel 2: OH = (0+2-2)/1+1 = 1 window with no valid element.
 * avg: 0 / (KH*KW) = 0 with count_include_pad, 0 / 0 = NaN without; max: INVALID_ARGUMENT
 * (the maximum of no element is undefined, as reduce_max of an empty set).
 */
static void test_windows_without_valid_elements(void) {
    mlb_pool2d_attrs at = pl_attrs(MLB_POOL_AVG, 2, 1);
    set_pad(&at, 1, 1, 0, 0);
    const int64_t xs[4] = {1, 1, 0, 2}, os[4] = {1, 1, 1, 2};
    const double zero[2] = {0, 0}, nan2[2] = {NAN, NAN};
    opcase c;
    double got[2];
    const double *vals[1] = {NULL};
    pl_case(&c, &at, MLB_DTYPE_F32, xs, os);
    CHECK_INT_EQ(run_vals(POOL, &c, vals, got), MLB_OK);
    CHECK(same_values(got, nan2, 2));
    at.count_include_pad = 1;
    CHECK_INT_EQ(run_vals(POOL, &c, vals, got), MLB_OK);
    CHECK(same_values(got, zero, 2));
    at.mode = MLB_POOL_MAX;
    CHECK_INT_EQ(run_vals(POOL, &c, vals, got), MLB_ERROR_INVALID_ARGUMENT);
    CHECK_STR_CONTAINS(c.why, "pool2d: max over windows with no valid element (H = 0, W = 2)");
    /* ... but with N = 0 there is no window at all. */
    const int64_t xs0[4] = {0, 1, 0, 2}, os0[4] = {0, 1, 1, 2};
    pl_case(&c, &at, MLB_DTYPE_F32, xs0, os0);
    CHECK_INT_EQ(run_vals(POOL, &c, vals, NULL), MLB_OK);
}

/*
 * NaN/Inf, 2-wide windows over x [1,1,1,5] = {NaN, 1, Inf, -Inf, -2}, stride 1:
 *   max: {NaN, Inf, Inf, -2};  avg: {NaN, Inf, NaN (Inf-Inf), -Inf}.
 * Signed zeros in max: {-0, +0} and {+0, -0} both give +0 (as the maximum op).
 */
static void test_nan_inf(void) {
    const double x[5] = {NAN, 1, INFINITY, -INFINITY, -2};
    const double want_max[4] = {NAN, INFINITY, INFINITY, -2};
    const double want_avg[4] = {NAN, INFINITY, NAN, -INFINITY};
    const mlb_pool2d_attrs mx = pl_attrs(MLB_POOL_MAX, 1, 2), av = pl_attrs(MLB_POOL_AVG, 1, 2);
    const double zeros[3] = {-0.0, 0.0, -0.0};
    for (int d = 0; d < 4; ++d) {
        expect_image(&mx, float_dtypes[d], 1, 5, x, 1, 4, want_max);
        expect_image(&av, float_dtypes[d], 1, 5, x, 1, 4, want_avg);
        const int64_t xs[4] = {1, 1, 1, 3}, os[4] = {1, 1, 1, 2};
        opcase c;
        double got[2];
        const double *vals[1] = {zeros};
        pl_case(&c, &mx, float_dtypes[d], xs, os);
        CHECK_INT_EQ(run_vals(POOL, &c, vals, got), MLB_OK);
        CHECK(got[0] == 0 && !signbit(got[0]));
        CHECK(got[1] == 0 && !signbit(got[1]));
    }
}

/* One rounding of the average: f16 (2048 + 2050)/2 = 2049, a tie -> even 2048 (0x6800);
 * (2050 + 2052)/2 = 2051 -> 2052 (0x6802). bf16 (256 + 258)/2 = 257 -> 256 (0x4380);
 * (258 + 260)/2 = 259 -> 260 (0x4382). */
static void test_single_rounding(void) {
    const mlb_pool2d_attrs av = pl_attrs(MLB_POOL_AVG, 1, 2);
    const struct {
        int32_t dt;
        double x[3];
        uint16_t want[2];
    } cases[2] = {{MLB_DTYPE_F16, {2048, 2050, 2052}, {0x6800, 0x6802}},
                  {MLB_DTYPE_BF16, {256, 258, 260}, {0x4380, 0x4382}}};
    for (int i = 0; i < 2; ++i) {
        const int64_t xs[4] = {1, 1, 1, 3}, os[4] = {1, 1, 1, 2};
        opcase c;
        pl_case(&c, &av, cases[i].dt, xs, os);
        uint8_t xbuf[6], obuf[4 + GUARD_TAIL];
        tput(&c.in[0], xbuf, cases[i].x);
        uint8_t *in[1] = {xbuf};
        CHECK_INT_EQ(run_raw(POOL, &c, in, obuf, sizeof obuf), MLB_OK);
        uint16_t bits[2];
        memcpy(bits, obuf, 4);
        CHECK_INT_EQ(bits[0], cases[i].want[0]);
        CHECK_INT_EQ(bits[1], cases[i].want[1]);
    }
}

/* f32 == (f32)f64 bit for bit: avg 3x2 with pad counted, stride (2,1), padding {1,0,0,1}. */
static void test_f32_matches_f64(void) {
    mlb_pool2d_attrs at = pl_attrs(MLB_POOL_AVG, 3, 2);
    at.stride[0] = 2;
    set_pad(&at, 1, 0, 0, 1);
    at.count_include_pad = 1;
    /* x [2,3,7,5]: OH = (7+1-3)/2+1 = 3, OW = (5+1-2)/1+1 = 5. */
    const int64_t xs[4] = {2, 3, 7, 5}, os[4] = {2, 3, 3, 5};
    double x[210], got64[90], got32[90];
    uint32_t seed = 3;
    for (int i = 0; i < 210; ++i) {
        x[i] = test_random(&seed);
    }
    const double *vals[1] = {x};
    for (int mode = 0; mode < 2; ++mode) {
        at.mode = mode;
        opcase c;
        pl_case(&c, &at, MLB_DTYPE_F64, xs, os);
        CHECK_INT_EQ(run_vals(POOL, &c, vals, got64), MLB_OK);
        pl_case(&c, &at, MLB_DTYPE_F32, xs, os);
        CHECK_INT_EQ(run_vals(POOL, &c, vals, got32), MLB_OK);
        int same = 1;
        for (int i = 0; i < 90; ++i) {
            const float want = (float)got64[i], got = (float)got32[i];
            same &= memcmp(&want, &got, sizeof want) == 0;
        }
        CHECK(same);
    }
}

/* check: expects status `want` and a reason containing `needle`. */
static void expect_check(opcase *c, mlb_status want, const char *needle) {
    c->why[0] = '\0';
    CHECK_INT_EQ(cpuref_pool2d_check(&c->desc, c->why, sizeof c->why), want);
    CHECK_STR_CONTAINS(c->why, needle);
}

/* A valid f32 case: x [1,2,5,5], 3x3 window, stride 2, padding 1: OH = OW = 3. */
static void base_case(opcase *c, mlb_pool2d_attrs *at) {
    const int64_t xs[4] = {1, 2, 5, 5}, os[4] = {1, 2, 3, 3};
    *at = pl_attrs(MLB_POOL_MAX, 3, 3);
    at->stride[0] = at->stride[1] = 2;
    set_pad(at, 1, 1, 1, 1);
    pl_case(c, at, MLB_DTYPE_F32, xs, os);
}

static void test_check_rules(void) {
    mlb_pool2d_attrs at;
    opcase c;
    base_case(&c, &at);
    expect_check(&c, MLB_OK, "");
    c.desc.attrs = NULL;
    expect_check(&c, MLB_ERROR_INVALID_ARGUMENT, "pool2d: attributes missing");
    c.desc.attrs = &at;
    at.struct_size = MLB_STRUCT_SIZE(mlb_pool2d_attrs, padding);
    expect_check(&c, MLB_ERROR_INVALID_ARGUMENT, "struct_size");

    base_case(&c, &at);
    at.mode = 2;
    expect_check(&c, MLB_ERROR_INVALID_ARGUMENT, "pool2d: mode 2 is not MAX (0) or AVG (1)");
    base_case(&c, &at);
    at.layout = -1;
    expect_check(&c, MLB_ERROR_INVALID_ARGUMENT, "pool2d: layout -1 is not NCHW (0) or NHWC");
    base_case(&c, &at);
    at.count_include_pad = 2;
    expect_check(&c, MLB_ERROR_INVALID_ARGUMENT, "pool2d: count_include_pad is 2");
    base_case(&c, &at);
    at.kernel[0] = 0;
    expect_check(&c, MLB_ERROR_INVALID_ARGUMENT, "pool2d: kernel height 0 < 1");
    base_case(&c, &at);
    at.kernel[1] = -3;
    expect_check(&c, MLB_ERROR_INVALID_ARGUMENT, "pool2d: kernel width -3 < 1");
    base_case(&c, &at);
    at.stride[0] = 0;
    expect_check(&c, MLB_ERROR_INVALID_ARGUMENT, "pool2d: stride height 0 < 1");
    base_case(&c, &at);
    at.stride[1] = 0;
    expect_check(&c, MLB_ERROR_INVALID_ARGUMENT, "pool2d: stride width 0 < 1");
    static const char *const pads[4] = {"top", "bottom", "left", "right"};
    for (int i = 0; i < 4; ++i) {
        char needle[80];
        base_case(&c, &at);
        at.padding[i] = -1;
        snprintf(needle, sizeof needle, "pool2d: padding %s -1 is outside [0, kernel %s 3)",
                 pads[i], i < 2 ? "height" : "width");
        expect_check(&c, MLB_ERROR_INVALID_ARGUMENT, needle);
        at.padding[i] = 3; /* == the window extent */
        snprintf(needle, sizeof needle, "pool2d: padding %s 3 is outside", pads[i]);
        expect_check(&c, MLB_ERROR_INVALID_ARGUMENT, needle);
    }

    base_case(&c, &at);
    c.desc.num_inputs = 2;
    expect_check(&c, MLB_ERROR_INVALID_ARGUMENT, "pool2d: takes 1 input(s) and 1 output(s)");
    base_case(&c, &at);
    c.out.dtype = MLB_DTYPE_F16;
    expect_check(&c, MLB_ERROR_INVALID_ARGUMENT, "pool2d: output 0 is f16, expected f32");
    base_case(&c, &at);
    c.in[0].rank = 3;
    expect_check(&c, MLB_ERROR_INVALID_ARGUMENT, "pool2d: input has rank 3, expected 4");
    base_case(&c, &at);
    c.out.rank = 5;
    expect_check(&c, MLB_ERROR_INVALID_ARGUMENT, "pool2d: output has rank 5, expected 4");

    /* H + pads >= KH: 1 + 0 + 0 < 3. */
    base_case(&c, &at);
    set_pad(&at, 0, 0, 1, 1);
    c.in[0].shape[2] = 1;
    expect_check(&c, MLB_ERROR_INVALID_ARGUMENT,
                 "pool2d: padded input height (1) < kernel height (3)");
    base_case(&c, &at);
    set_pad(&at, 1, 1, 0, 0);
    c.in[0].shape[3] = 2;
    expect_check(&c, MLB_ERROR_INVALID_ARGUMENT,
                 "pool2d: padded input width (2) < kernel width (3)");
    /* Huge kernel and padding: H + pads overflows and is rejected. */
    base_case(&c, &at);
    at.kernel[0] = INT64_MAX;
    at.padding[0] = at.padding[1] = INT64_MAX - 1;
    expect_check(&c, MLB_ERROR_INVALID_ARGUMENT, "pool2d: padded height overflows");

    base_case(&c, &at);
    c.out.shape[2] = 2;
    expect_check(&c, MLB_ERROR_INVALID_ARGUMENT,
                 "pool2d: output (N, C, OH, OW) is (1, 2, 2, 3), expected (1, 2, 3, 3)");
    base_case(&c, &at);
    c.out.shape[1] = 1;
    expect_check(&c, MLB_ERROR_INVALID_ARGUMENT, "is (1, 1, 3, 3), expected (1, 2, 3, 3)");
    /* NHWC takes C from the last axis: x [1,2,5,5] is H 2, W 5, C 5. */
    base_case(&c, &at);
    at.layout = MLB_LAYOUT_NHWC;
    set_pad(&at, 1, 1, 1, 1);
    expect_check(&c, MLB_ERROR_INVALID_ARGUMENT, "expected (1, 5, 1, 3)");

    base_case(&c, &at);
    c.out.strides[3] = 0;
    expect_check(&c, MLB_ERROR_INVALID_ARGUMENT, "pool2d: output has stride 0 on axis 3");
    base_case(&c, &at);
    c.in[0].strides[1] = 0; /* a broadcast input is fine */
    expect_check(&c, MLB_OK, "");

    for (int d = 0; d < 5; ++d) {
        char needle[64];
        base_case(&c, &at);
        c.in[0].dtype = c.out.dtype = other_dtypes[d];
        snprintf(needle, sizeof needle, "pool2d: dtype %s is not supported",
                 cpuref_dtype_name(other_dtypes[d]));
        expect_check(&c, MLB_ERROR_UNSUPPORTED, needle);
    }
}

int main(void) {
    test_basic_every_dtype();
    test_max_padding_never_wins();
    test_avg_count_include_pad();
    test_avg_asymmetric();
    test_nhwc_equals_nchw();
    test_strided_views();
    test_empty_and_single();
    test_windows_without_valid_elements();
    test_nan_inf();
    test_single_rounding();
    test_f32_matches_f64();
    test_check_rules();
    return check_finish();
}
