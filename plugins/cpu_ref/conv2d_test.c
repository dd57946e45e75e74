/*
 * conv2d_test.c - cpu_ref's conv2d (docs/ops.md section 6) against
 * hand-computed results: every float dtype, padding (asymmetric), stride,
 * dilation, groups, bias + activation, NHWC == NCHW, weights in OHWI order
 * through strides, strided/offset/stride-0 views, empty tensors, NaN/Inf,
 * single rounding, guard bytes, every rule of check, a 1x1 conv equal to
 * matmul, and f32 == round(f64) bit for bit.
 */
#include "linalg_test.h"

static const op_fns CONV = {cpuref_conv2d_check, cpuref_conv2d_run};
static const op_fns MM = {cpuref_matmul_check, cpuref_matmul_run};

/* NCHW, groups 1, stride 1, no padding, dilation 1, no epilogue. */
static mlb_conv2d_attrs cv_attrs(void) {
    mlb_conv2d_attrs a;
    memset(&a, 0, sizeof a);
    a.struct_size = MLB_STRUCT_SIZE(mlb_conv2d_attrs, epilogue);
    a.layout = MLB_LAYOUT_NCHW;
    a.groups = 1;
    a.stride[0] = a.stride[1] = 1;
    a.dilation[0] = a.dilation[1] = 1;
    a.epilogue.activation = MLB_OP_NONE;
    return a;
}

static void set_pad(mlb_conv2d_attrs *a, int64_t top, int64_t bottom, int64_t left, int64_t right) {
    a->padding[0] = top, a->padding[1] = bottom, a->padding[2] = left, a->padding[3] = right;
}

/* Contiguous x, w, out (and bias [OC] when at has one) of dtype dt. */
static void cv_case(opcase *c, const mlb_conv2d_attrs *at, int32_t dt, const int64_t *xs,
                    const int64_t *ws, const int64_t *os) {
    const int64_t bs[1] = {ws[0]};
    opcase_init(c, MLB_OP_CONV2D, at->epilogue.has_bias ? 3 : 2, at);
    c->in[0] = tdesc(dt, 4, xs, NULL, 0);
    c->in[1] = tdesc(dt, 4, ws, NULL, 0);
    c->in[2] = tdesc(dt, 1, bs, NULL, 0);
    c->out = tdesc(dt, 4, os, NULL, 0);
}

static const double X9[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9}; /* x[h][w] = 3h + w + 1 */
static const double W4[4] = {1, 2, 3, 4};                /* w[kh][kw] */

/* Runs a [1,1,H,W] x with a [1,1,2,2] w and compares with want (all float dtypes). */
static void expect_single_channel(const mlb_conv2d_attrs *at, int64_t h, int64_t w, const double *x,
                                  int64_t oh, int64_t ow, const double *want) {
    const int64_t xs[4] = {1, 1, h, w}, ws[4] = {1, 1, 2, 2}, os[4] = {1, 1, oh, ow};
    for (int d = 0; d < 4; ++d) {
        opcase c;
        double got[16];
        const double *vals[2] = {x, W4};
        cv_case(&c, at, float_dtypes[d], xs, ws, os);
        CHECK_INT_EQ(run_vals(CONV, &c, vals, got), MLB_OK);
        CHECK(same_values(got, want, (size_t)(oh * ow)));
    }
}

/* out[oh][ow] = x[oh][ow] + 2 x[oh][ow+1] + 3 x[oh+1][ow] + 4 x[oh+1][ow+1]:
 * 1+4+12+20 = 37, 2+6+15+24 = 47, 4+10+21+32 = 67, 5+12+24+36 = 77. */
static void test_basic_every_dtype(void) {
    const mlb_conv2d_attrs at = cv_attrs();
    const double want[4] = {37, 47, 67, 77};
    expect_single_channel(&at, 3, 3, X9, 2, 2, want);
}

/*
 * padding {top 1, bottom 0, left 0, right 1}, stride 2: padded 4x4, OH = OW = (4-2)/2+1 = 2.
 * ih = 2 oh - 1 + kh, iw = 2 ow + kw.
 *   (0,0): row -1 is padding; row 0: 3 x[0][0] + 4 x[0][1] = 3 + 8 = 11
 *   (0,1): row 0, cols 2 and 3 (padding): 3 x[0][2] = 9
 *   (1,0): rows 1,2, cols 0,1: 4 + 10 + 21 + 32 = 67
 *   (1,1): rows 1,2, col 2 (col 3 padding): 1 x[1][2] + 3 x[2][2] = 6 + 27 = 33
 */
static void test_padding_stride(void) {
    mlb_conv2d_attrs at = cv_attrs();
    set_pad(&at, 1, 0, 0, 1);
    at.stride[0] = at.stride[1] = 2;
    const double want[4] = {11, 9, 67, 33};
    expect_single_channel(&at, 3, 3, X9, 2, 2, want);
}

/*
 * dilation 2 on a 4x4 x[h][w] = 4h + w + 1: span 3, OH = OW = 2;
 * out = x[oh][ow] + 2 x[oh][ow+2] + 3 x[oh+2][ow] + 4 x[oh+2][ow+2]
 *     = 10 (4 oh + ow) + (1 + 2*3 + 3*9 + 4*11) = 10 (4 oh + ow) + 78.
 * Then dilation (2, 1) with padding {1, 1, 0, 0} on the 3x3 X9: padded H 5, span 3,
 * OH = 3, OW = 2; ih = oh - 1 + 2 kh, iw = ow + kw:
 *   oh 0: rows -1 (pad), 1: 3 x[1][ow] + 4 x[1][ow+1] = 12+20 = 32, 15+24 = 39
 *   oh 1: rows 0, 2: x[0][ow] + 2 x[0][ow+1] + 3 x[2][ow] + 4 x[2][ow+1] = 58, 68
 *   oh 2: rows 1, 3 (pad): x[1][ow] + 2 x[1][ow+1] = 4+10 = 14, 5+12 = 17
 */
static void test_dilation(void) {
    mlb_conv2d_attrs at = cv_attrs();
    double x16[16];
    for (int i = 0; i < 16; ++i) {
        x16[i] = i + 1;
    }
    at.dilation[0] = at.dilation[1] = 2;
    const double want[4] = {78, 88, 118, 128};
    expect_single_channel(&at, 4, 4, x16, 2, 2, want);
    at.dilation[1] = 1;
    set_pad(&at, 1, 1, 0, 0);
    const double want2[6] = {32, 39, 58, 68, 14, 17};
    expect_single_channel(&at, 3, 3, X9, 3, 2, want2);
}

/*
 * groups 2, x [1,4,1,1] = {1,2,3,4}, w [4,2,1,1]: oc 0,1 see channels 0,1; oc 2,3 see 2,3.
 *   oc0: 1*1 + 1*2 = 3, oc1: 1*1 - 1*2 = -1, oc2: 1*3 + 1*4 = 7, oc3: 2*3 + 3*4 = 18;
 *   + bias {10, 20, 30, 40} = {13, 19, 37, 58}.
 * Depthwise (groups = C = OC = 2) on 2x2 images {1,2,3,4}, {5,6,7,8} with 2x2 kernels
 * {1,1,1,1} and {1,0,0,-1}: 1+2+3+4 = 10, 5 - 8 = -3.
 */
static void test_groups(void) {
    mlb_conv2d_attrs at = cv_attrs();
    at.groups = 2;
    at.epilogue.has_bias = 1;
    const int64_t xs[4] = {1, 4, 1, 1}, ws[4] = {4, 2, 1, 1}, os[4] = {1, 4, 1, 1};
    const double x[4] = {1, 2, 3, 4}, w[8] = {1, 1, 1, -1, 1, 1, 2, 3}, bias[4] = {10, 20, 30, 40};
    const double want[4] = {13, 19, 37, 58};
    const int64_t dxs[4] = {1, 2, 2, 2}, dws[4] = {2, 1, 2, 2}, dos[4] = {1, 2, 1, 1};
    const double dx[8] = {1, 2, 3, 4, 5, 6, 7, 8}, dw[8] = {1, 1, 1, 1, 1, 0, 0, -1};
    const double dwant[2] = {10, -3};
    for (int d = 0; d < 4; ++d) {
        opcase c;
        double got[4];
        const double *vals[3] = {x, w, bias};
        at.epilogue.has_bias = 1;
        cv_case(&c, &at, float_dtypes[d], xs, ws, os);
        CHECK_INT_EQ(run_vals(CONV, &c, vals, got), MLB_OK);
        CHECK(same_values(got, want, 4));
        const double *dvals[2] = {dx, dw};
        at.epilogue.has_bias = 0;
        cv_case(&c, &at, float_dtypes[d], dxs, dws, dos);
        CHECK_INT_EQ(run_vals(CONV, &c, dvals, got), MLB_OK);
        CHECK(same_values(got, dwant, 2));
    }
}

/*
 * Two channels, two filters, padding {1,0,0,1}, stride 2 (test_padding_stride's geometry).
 * x channel 0 = X9, channel 1 = all ones; filter 0 = {W4 on channel 0, ones on channel 1},
 * filter 1 = -(filter 0). Channel 0 gives {11, 9, 67, 33}; channel 1 counts the valid taps
 * of each window {2, 1, 4, 2}; so oc 0 = {13, 10, 71, 35}, oc 1 = {-13, -10, -71, -35}.
 * The same logical data in NHWC gives the same numbers, and so do weights stored OHWI.
 */
static const double NCHW_WANT[8] = {13, 10, 71, 35, -13, -10, -71, -35};
static const double W_OIHW[16] = {1, 2, 3, 4, 1, 1, 1, 1, -1, -2, -3, -4, -1, -1, -1, -1};

static void nchw_x(double *x) {
    for (int i = 0; i < 9; ++i) {
        x[i] = X9[i];
        x[9 + i] = 1;
    }
}

static void test_nhwc_equals_nchw(void) {
    mlb_conv2d_attrs at = cv_attrs();
    set_pad(&at, 1, 0, 0, 1);
    at.stride[0] = at.stride[1] = 2;
    double x_nchw[18], x_nhwc[18], want_nhwc[8];
    nchw_x(x_nchw);
    for (int h = 0; h < 3; ++h) {
        for (int w = 0; w < 3; ++w) {
            for (int ch = 0; ch < 2; ++ch) {
                x_nhwc[(h * 3 + w) * 2 + ch] = x_nchw[ch * 9 + h * 3 + w];
            }
        }
    }
    for (int p = 0; p < 4; ++p) {
        for (int oc = 0; oc < 2; ++oc) {
            want_nhwc[p * 2 + oc] = NCHW_WANT[oc * 4 + p];
        }
    }
    const int64_t ws[4] = {2, 2, 2, 2};
    const int64_t xs_nchw[4] = {1, 2, 3, 3}, os_nchw[4] = {1, 2, 2, 2};
    const int64_t xs_nhwc[4] = {1, 3, 3, 2}, os_nhwc[4] = {1, 2, 2, 2};
    for (int d = 0; d < 4; ++d) {
        opcase c;
        double got[8];
        const double *vn[2] = {x_nchw, W_OIHW}, *vh[2] = {x_nhwc, W_OIHW};
        at.layout = MLB_LAYOUT_NCHW;
        cv_case(&c, &at, float_dtypes[d], xs_nchw, ws, os_nchw);
        CHECK_INT_EQ(run_vals(CONV, &c, vn, got), MLB_OK);
        CHECK(same_values(got, NCHW_WANT, 8));
        at.layout = MLB_LAYOUT_NHWC;
        cv_case(&c, &at, float_dtypes[d], xs_nhwc, ws, os_nhwc);
        CHECK_INT_EQ(run_vals(CONV, &c, vh, got), MLB_OK);
        CHECK(same_values(got, want_nhwc, 8));
    }
}

/* Weights stored OHWI (wp[oc][kh][kw][ic]) and read as [OC, IC, KH, KW] through strides
 * {KH*KW*IC, 1, KW*IC, IC} = {8, 1, 4, 2}; same results as test_nhwc_equals_nchw. */
static void test_weights_ohwi(void) {
    mlb_conv2d_attrs at = cv_attrs();
    set_pad(&at, 1, 0, 0, 1);
    at.stride[0] = at.stride[1] = 2;
    /* oc 0: (kh,kw)=(0,0): ic {1, 1}; (0,1): {2, 1}; (1,0): {3, 1}; (1,1): {4, 1}; oc 1 negated */
    const double w_ohwi[16] = {1, 1, 2, 1, 3, 1, 4, 1, -1, -1, -2, -1, -3, -1, -4, -1};
    const int64_t ws[4] = {2, 2, 2, 2}, ohwi[4] = {8, 1, 4, 2};
    const int64_t xs[4] = {1, 2, 3, 3}, os[4] = {1, 2, 2, 2};
    double x[18];
    nchw_x(x);
    for (int d = 0; d < 4; ++d) {
        const int32_t dt = float_dtypes[d];
        const size_t es = cpuref_dtype_size(dt);
        opcase c;
        cv_case(&c, &at, dt, xs, ws, os);
        c.in[1] = tdesc(dt, 4, ws, ohwi, 0);
        uint8_t xbuf[18 * 8], wbuf[16 * 8], obuf[8 * 8 + GUARD_TAIL];
        tput(&c.in[0], xbuf, x);
        for (int i = 0; i < 16; ++i) {
            cpuref_store_f64(dt, wbuf + i * es, w_ohwi[i]); /* physical order */
        }
        uint8_t *in[2] = {xbuf, wbuf};
        CHECK_INT_EQ(run_raw(CONV, &c, in, obuf, sizeof obuf), MLB_OK);
        double got[8];
        tget(&c.out, obuf, got);
        CHECK(same_values(got, NCHW_WANT, 8));
    }
}

/* Epilogue: bias -50 then relu on {37,47,67,77} -> {0, 0, 17, 27}; bias -37 then sigmoid
 * in f64 -> sigmoid {0, 10, 30, 40} = {0.5, 0.9999546021312976, 0.9999999999999065, 1}. */
static void test_bias_activation(void) {
    mlb_conv2d_attrs at = cv_attrs();
    at.epilogue.has_bias = 1;
    at.epilogue.activation = MLB_OP_RELU;
    const int64_t xs[4] = {1, 1, 3, 3}, ws[4] = {1, 1, 2, 2}, os[4] = {1, 1, 2, 2};
    const double bias[1] = {-50}, want[4] = {0, 0, 17, 27};
    for (int d = 0; d < 4; ++d) {
        opcase c;
        double got[4];
        const double *vals[3] = {X9, W4, bias};
        cv_case(&c, &at, float_dtypes[d], xs, ws, os);
        CHECK_INT_EQ(run_vals(CONV, &c, vals, got), MLB_OK);
        CHECK(same_values(got, want, 4));
    }
    at.epilogue.activation = MLB_OP_SIGMOID;
    const double bias2[1] = {-37};
    const double want2[4] = {0.5, 0.9999546021312976, 0.9999999999999065, 1};
    opcase c;
    double got[4];
    const double *vals[3] = {X9, W4, bias2};
    cv_case(&c, &at, MLB_DTYPE_F64, xs, ws, os);
    CHECK_INT_EQ(run_vals(CONV, &c, vals, got), MLB_OK);
    CHECK(got[0] == 0.5);
    CHECK(close_values(got, want2, 4, 4e-16));
}

/* N = 0 writes nothing; H = 0 with padding {1,1,0,0} gives OH = 2 outputs that hold only
 * the bias (every tap is outside the input); a single element: 3 * -2 = -6. */
static void test_empty_and_single(void) {
    for (int d = 0; d < 4; ++d) {
        const int32_t dt = float_dtypes[d];
        mlb_conv2d_attrs at = cv_attrs();
        opcase c;
        double got[2];
        const int64_t xs0[4] = {0, 1, 3, 3}, ws[4] = {1, 1, 2, 2}, os0[4] = {0, 1, 2, 2};
        const double *vals[3] = {X9, W4, NULL};
        cv_case(&c, &at, dt, xs0, ws, os0);
        CHECK_INT_EQ(run_vals(CONV, &c, vals, NULL), MLB_OK);

        at.epilogue.has_bias = 1;
        set_pad(&at, 1, 1, 0, 0);
        const int64_t xs1[4] = {1, 1, 0, 1}, ws1[4] = {1, 1, 1, 1}, os1[4] = {1, 1, 2, 1};
        const double one[1] = {1}, bias[1] = {5}, want[2] = {5, 5};
        const double *vals1[3] = {NULL, one, bias};
        cv_case(&c, &at, dt, xs1, ws1, os1);
        CHECK_INT_EQ(run_vals(CONV, &c, vals1, got), MLB_OK);
        CHECK(same_values(got, want, 2));

        at = cv_attrs();
        const int64_t s1[4] = {1, 1, 1, 1};
        const double x3[1] = {3}, wm2[1] = {-2}, want1[1] = {-6};
        const double *vals2[2] = {x3, wm2};
        cv_case(&c, &at, dt, s1, s1, s1);
        CHECK_INT_EQ(run_vals(CONV, &c, vals2, got), MLB_OK);
        CHECK(same_values(got, want1, 1));
    }
}

/*
 * Views: x is the 3x3 window at (1,1) of a 5x5 buffer (strides {25,25,5,1}, offset 6
 * elements); the output is written transposed (out[oh][ow] at 2 + oh + 3 ow), so
 * {37,47,67,77} lands at elements 2, 5, 3, 6. Then a stride-0 broadcast: x [1,2,3,3]
 * whose channel axis has stride 0 (both channels are X9) with two W4 kernels per filter
 * gives 2 * {37,47,67,77}; a bias [2] with stride 0 adds 1 to both filters.
 */
static void test_strided_views(void) {
    for (int d = 0; d < 4; ++d) {
        const int32_t dt = float_dtypes[d];
        const size_t es = cpuref_dtype_size(dt);
        mlb_conv2d_attrs at = cv_attrs();
        opcase c;
        const int64_t xs[4] = {1, 1, 3, 3}, ws[4] = {1, 1, 2, 2}, os[4] = {1, 1, 2, 2};
        const int64_t xstr[4] = {25, 25, 5, 1}, ostr[4] = {4, 4, 1, 3};
        cv_case(&c, &at, dt, xs, ws, os);
        c.in[0] = tdesc(dt, 4, xs, xstr, 6 * es);
        c.out = tdesc(dt, 4, os, ostr, 2 * es);
        uint8_t xbuf[25 * 8], wbuf[4 * 8], obuf[12 * 8];
        memset(xbuf, 0x7f, sizeof xbuf); /* garbage around the window: never read */
        tput(&c.in[0], xbuf, X9);
        tput(&c.in[1], wbuf, W4);
        uint8_t *in[3] = {xbuf, wbuf, NULL};
        CHECK_INT_EQ(run_raw(CONV, &c, in, obuf, sizeof obuf), MLB_OK);
        const double want_phys[7] = {0, 0, 37, 67, 0, 47, 77};
        for (int i = 2; i < 7; ++i) {
            if (i != 4) {
                CHECK(cpuref_load_f64(dt, obuf + i * es) == want_phys[i]);
            }
        }

        at.epilogue.has_bias = 1;
        const int64_t bxs[4] = {1, 2, 3, 3}, bws[4] = {2, 2, 2, 2}, bos[4] = {1, 2, 2, 2};
        const int64_t bxstr[4] = {0, 0, 3, 1}, bstr[1] = {0};
        cv_case(&c, &at, dt, bxs, bws, bos);
        c.in[0] = tdesc(dt, 4, bxs, bxstr, 0);
        const int64_t one[1] = {2};
        c.in[2] = tdesc(dt, 1, one, bstr, 0);
        double x_rep[18], w_rep[16], got[8];
        for (int i = 0; i < 18; ++i) {
            x_rep[i] = X9[i % 9];
        }
        for (int i = 0; i < 16; ++i) {
            w_rep[i] = W4[i % 4];
        }
        const double bias_rep[2] = {1, 1};
        const double want[8] = {75, 95, 135, 155, 75, 95, 135, 155};
        const double *vals[3] = {x_rep, w_rep, bias_rep};
        CHECK_INT_EQ(run_vals(CONV, &c, vals, got), MLB_OK);
        CHECK(same_values(got, want, 8));
    }
}

/*
 * NaN/Inf: x [1,1,1,3] = {NaN, 1, Inf} with a 1x1 kernel 2 -> {NaN, 2, Inf}; kernel 0 ->
 * {NaN, 0, NaN} (Inf * 0). A tap in the padding is a zero term, not 0 * w: x {1} with a
 * 1x2 kernel {Inf, 1} and left padding 1 gives 1 * 1 = 1, not NaN.
 */
static void test_nan_inf(void) {
    for (int d = 0; d < 4; ++d) {
        const int32_t dt = float_dtypes[d];
        mlb_conv2d_attrs at = cv_attrs();
        opcase c;
        double got[3];
        const int64_t xs[4] = {1, 1, 1, 3}, ws[4] = {1, 1, 1, 1};
        const double x[3] = {NAN, 1, INFINITY}, two[1] = {2}, zero[1] = {0};
        const double want2[3] = {NAN, 2, INFINITY}, want0[3] = {NAN, 0, NAN};
        const double *v2[2] = {x, two}, *v0[2] = {x, zero};
        cv_case(&c, &at, dt, xs, ws, xs);
        CHECK_INT_EQ(run_vals(CONV, &c, v2, got), MLB_OK);
        CHECK(same_values(got, want2, 3));
        CHECK_INT_EQ(run_vals(CONV, &c, v0, got), MLB_OK);
        CHECK(same_values(got, want0, 3));

        set_pad(&at, 0, 0, 1, 0);
        const int64_t s1[4] = {1, 1, 1, 1}, ws2[4] = {1, 1, 1, 2};
        const double x1[1] = {1}, winf[2] = {INFINITY, 1}, want1[1] = {1};
        const double *v1[2] = {x1, winf};
        cv_case(&c, &at, dt, s1, ws2, s1);
        CHECK_INT_EQ(run_vals(CONV, &c, v1, got), MLB_OK);
        CHECK(same_values(got, want1, 1));
    }
}

/* Single rounding: channels {2048, 1, 2^-20} . {1, 1, 1} = 2049 + 2^-20 -> f16 2050
 * (0x6801; a rounding through f32 would hit the tie 2049 and give 2048), and
 * {256, 1, 2^-20} -> bf16 258 (0x4381); an exact tie 2049 -> 2048 (0x6800). */
static void test_single_rounding(void) {
    const mlb_conv2d_attrs at = cv_attrs();
    const double tiny = ldexp(1.0, -20);
    const struct {
        int32_t dt;
        double x[3];
        uint16_t want;
    } cases[3] = {{MLB_DTYPE_F16, {2048, 1, tiny}, 0x6801},
                  {MLB_DTYPE_BF16, {256, 1, tiny}, 0x4381},
                  {MLB_DTYPE_F16, {2048, 1, 0}, 0x6800}};
    for (int i = 0; i < 3; ++i) {
        const int64_t xs[4] = {1, 3, 1, 1}, ws[4] = {1, 3, 1, 1}, os[4] = {1, 1, 1, 1};
        const double ones[3] = {1, 1, 1};
        opcase c;
        cv_case(&c, &at, cases[i].dt, xs, ws, os);
        uint8_t xbuf[6], wbuf[6], obuf[2 + GUARD_TAIL];
        tput(&c.in[0], xbuf, cases[i].x);
        tput(&c.in[1], wbuf, ones);
        uint8_t *in[2] = {xbuf, wbuf};
        CHECK_INT_EQ(run_raw(CONV, &c, in, obuf, sizeof obuf), MLB_OK);
        uint16_t bits;
        memcpy(&bits, obuf, 2);
        CHECK_INT_EQ(bits, cases[i].want);
    }
}

static void fill_random(double *v, int n, uint32_t *seed) {
    for (int i = 0; i < n; ++i) {
        v[i] = test_random(seed);
    }
}

/*
 * A 1x1 convolution is a matmul, summed in the same order (channels increasing), so
 * the results agree bit for bit in f64 with bias and silu:
 *   NHWC x [2,2,3,4] is a [12,4] matrix; w [3,4,1,1] read as b [4,3] with strides {1,4};
 *   NCHW x [2,4,2,3] is a batch of [4,6] matrices; out[n] = w [3,4] . x[n] (no bias,
 *   since matmul's bias runs along N).
 */
static void test_1x1_equals_matmul(void) {
    uint32_t seed = 7;
    double x[48], w[12], bias[3];
    fill_random(x, 48, &seed);
    fill_random(w, 12, &seed);
    fill_random(bias, 3, &seed);
    const int32_t dt = MLB_DTYPE_F64;
    uint8_t xbuf[48 * 8], wbuf[12 * 8], bbuf[3 * 8], cbuf[36 * 8 + GUARD_TAIL];
    uint8_t mbuf[36 * 8 + GUARD_TAIL];

    mlb_conv2d_attrs at = cv_attrs();
    at.layout = MLB_LAYOUT_NHWC;
    at.epilogue.has_bias = 1;
    at.epilogue.activation = MLB_OP_SILU;
    const int64_t xs[4] = {2, 2, 3, 4}, ws[4] = {3, 4, 1, 1}, os[4] = {2, 2, 3, 3};
    opcase c;
    cv_case(&c, &at, dt, xs, ws, os);
    tput(&c.in[0], xbuf, x);
    tput(&c.in[1], wbuf, w);
    tput(&c.in[2], bbuf, bias);
    uint8_t *in[3] = {xbuf, wbuf, bbuf};
    CHECK_INT_EQ(run_raw(CONV, &c, in, cbuf, sizeof cbuf), MLB_OK);

    mlb_matmul_attrs mat;
    memset(&mat, 0, sizeof mat);
    mat.struct_size = MLB_STRUCT_SIZE(mlb_matmul_attrs, epilogue);
    mat.epilogue = at.epilogue;
    opcase m;
    const int64_t sa[2] = {12, 4}, sb[2] = {4, 3}, tb[2] = {1, 4}, so[2] = {12, 3}, sbias[1] = {3};
    opcase_init(&m, MLB_OP_MATMUL, 3, &mat);
    m.in[0] = tdesc(dt, 2, sa, NULL, 0);
    m.in[1] = tdesc(dt, 2, sb, tb, 0);
    m.in[2] = tdesc(dt, 1, sbias, NULL, 0);
    m.out = tdesc(dt, 2, so, NULL, 0);
    CHECK_INT_EQ(run_raw(MM, &m, in, mbuf, sizeof mbuf), MLB_OK);
    CHECK(memcmp(cbuf, mbuf, 36 * 8) == 0);

    at.layout = MLB_LAYOUT_NCHW;
    at.epilogue.has_bias = 0;
    const int64_t xs2[4] = {2, 4, 2, 3}, os2[4] = {2, 3, 2, 3};
    cv_case(&c, &at, dt, xs2, ws, os2);
    tput(&c.in[0], xbuf, x);
    CHECK_INT_EQ(run_raw(CONV, &c, in, cbuf, sizeof cbuf), MLB_OK);
    mat.epilogue.has_bias = 0;
    const int64_t sw[2] = {3, 4}, sx[3] = {2, 4, 6}, so2[3] = {2, 3, 6};
    opcase_init(&m, MLB_OP_MATMUL, 2, &mat);
    m.in[0] = tdesc(dt, 2, sw, NULL, 0);
    m.in[1] = tdesc(dt, 3, sx, NULL, 0);
    m.out = tdesc(dt, 3, so2, NULL, 0);
    uint8_t *in2[2] = {wbuf, xbuf};
    CHECK_INT_EQ(run_raw(MM, &m, in2, mbuf, sizeof mbuf), MLB_OK);
    CHECK(memcmp(cbuf, mbuf, 36 * 8) == 0);
}

/*
 * f32 == (f32)f64 bit for bit: x [2,4,5,6], groups 2, w [4,2,3,2], stride (2,1),
 * padding {1,0,2,1}, dilation (1,2), bias, gelu_tanh:
 * OH = (5+1+0-1*2-1)/2+1 = 2, OW = (6+2+1-2*1-1)/1+1 = 7.
 */
static void test_f32_matches_f64(void) {
    mlb_conv2d_attrs at = cv_attrs();
    at.groups = 2;
    at.stride[0] = 2;
    set_pad(&at, 1, 0, 2, 1);
    at.dilation[1] = 2;
    at.epilogue.has_bias = 1;
    at.epilogue.activation = MLB_OP_GELU_TANH;
    const int64_t xs[4] = {2, 4, 5, 6}, ws[4] = {4, 2, 3, 2}, os[4] = {2, 4, 2, 7};
    uint32_t seed = 99;
    double x[240], w[48], bias[4], got64[112], got32[112];
    fill_random(x, 240, &seed);
    fill_random(w, 48, &seed);
    fill_random(bias, 4, &seed);
    const double *vals[3] = {x, w, bias};
    opcase c;
    cv_case(&c, &at, MLB_DTYPE_F64, xs, ws, os);
    CHECK_INT_EQ(run_vals(CONV, &c, vals, got64), MLB_OK);
    cv_case(&c, &at, MLB_DTYPE_F32, xs, ws, os);
    CHECK_INT_EQ(run_vals(CONV, &c, vals, got32), MLB_OK);
    int same = 1;
    for (int i = 0; i < 112; ++i) {
        const float want = (float)got64[i], got = (float)got32[i];
        same &= memcmp(&want, &got, sizeof want) == 0;
    }
    CHECK(same);
}

/* check: expects status `want` and a reason containing `needle`. */
static void expect_check(opcase *c, mlb_status want, const char *needle) {
    c->why[0] = '\0';
    CHECK_INT_EQ(cpuref_conv2d_check(&c->desc, c->why, sizeof c->why), want);
    CHECK_STR_CONTAINS(c->why, needle);
}

static const int64_t XS[4] = {1, 4, 5, 5}, WS[4] = {6, 2, 3, 3}, OS[4] = {1, 6, 3, 3};

/* A valid f32 case (groups 2) that each rule below breaks in one place. */
static void base_case(opcase *c, mlb_conv2d_attrs *at) {
    *at = cv_attrs();
    at->groups = 2;
    cv_case(c, at, MLB_DTYPE_F32, XS, WS, OS);
}

static void test_check_attrs(void) {
    mlb_conv2d_attrs at;
    opcase c;
    base_case(&c, &at);
    expect_check(&c, MLB_OK, "");
    c.desc.attrs = NULL;
    expect_check(&c, MLB_ERROR_INVALID_ARGUMENT, "conv2d: attributes missing");
    c.desc.attrs = &at;
    at.struct_size = MLB_STRUCT_SIZE(mlb_conv2d_attrs, dilation);
    expect_check(&c, MLB_ERROR_INVALID_ARGUMENT, "struct_size");
    at.struct_size = MLB_STRUCT_SIZE(mlb_conv2d_attrs, epilogue);

    base_case(&c, &at);
    at.layout = 2;
    expect_check(&c, MLB_ERROR_INVALID_ARGUMENT, "conv2d: layout 2 is not NCHW (0) or NHWC (1)");
    base_case(&c, &at);
    at.groups = 0;
    expect_check(&c, MLB_ERROR_INVALID_ARGUMENT, "conv2d: groups 0 < 1");
    base_case(&c, &at);
    at.stride[0] = 0;
    expect_check(&c, MLB_ERROR_INVALID_ARGUMENT, "conv2d: stride height 0 < 1");
    base_case(&c, &at);
    at.stride[1] = -1;
    expect_check(&c, MLB_ERROR_INVALID_ARGUMENT, "conv2d: stride width -1 < 1");
    base_case(&c, &at);
    at.dilation[0] = 0;
    expect_check(&c, MLB_ERROR_INVALID_ARGUMENT, "conv2d: dilation height 0 < 1");
    base_case(&c, &at);
    at.dilation[1] = 0;
    expect_check(&c, MLB_ERROR_INVALID_ARGUMENT, "conv2d: dilation width 0 < 1");
    static const char *const pads[4] = {"top", "bottom", "left", "right"};
    for (int i = 0; i < 4; ++i) {
        char needle[64];
        base_case(&c, &at);
        at.padding[i] = -1;
        snprintf(needle, sizeof needle, "conv2d: padding %s -1 < 0", pads[i]);
        expect_check(&c, MLB_ERROR_INVALID_ARGUMENT, needle);
    }
    base_case(&c, &at);
    at.epilogue.has_bias = -1;
    expect_check(&c, MLB_ERROR_INVALID_ARGUMENT, "conv2d: epilogue.has_bias is -1");
    base_case(&c, &at);
    at.epilogue.activation = MLB_OP_ADD;
    expect_check(&c, MLB_ERROR_INVALID_ARGUMENT, "conv2d: epilogue.activation 32");
    /* Overflowing geometry is rejected, not computed. */
    base_case(&c, &at);
    at.padding[0] = INT64_MAX;
    expect_check(&c, MLB_ERROR_INVALID_ARGUMENT, "conv2d: padded height overflows");
    base_case(&c, &at);
    at.dilation[1] = INT64_MAX / 2 + 1;
    expect_check(&c, MLB_ERROR_INVALID_ARGUMENT, "conv2d: dilated kernel width overflows");
}

static void test_check_tensors(void) {
    mlb_conv2d_attrs at;
    opcase c;
    base_case(&c, &at);
    at.epilogue.has_bias = 1;
    expect_check(&c, MLB_ERROR_INVALID_ARGUMENT, "conv2d: takes 3 input(s) and 1 output(s)");
    c.desc.num_inputs = 3;
    expect_check(&c, MLB_OK, "");
    c.in[2].shape[0] = 5;
    expect_check(&c, MLB_ERROR_INVALID_ARGUMENT, "conv2d: bias must have shape [OC] = [6]");
    base_case(&c, &at);
    c.desc.num_inputs = 3;
    expect_check(&c, MLB_ERROR_INVALID_ARGUMENT, "conv2d: takes 2 input(s)");

    base_case(&c, &at);
    c.in[1].dtype = MLB_DTYPE_BF16;
    expect_check(&c, MLB_ERROR_INVALID_ARGUMENT, "conv2d: input 1 is bf16, expected f32");

    base_case(&c, &at);
    c.in[0].rank = 3;
    expect_check(&c, MLB_ERROR_INVALID_ARGUMENT, "conv2d: x has rank 3, expected 4");
    base_case(&c, &at);
    c.in[1].rank = 5;
    expect_check(&c, MLB_ERROR_INVALID_ARGUMENT, "conv2d: w has rank 5, expected 4");
    base_case(&c, &at);
    c.out.rank = 2;
    expect_check(&c, MLB_ERROR_INVALID_ARGUMENT, "conv2d: output has rank 2, expected 4");

    base_case(&c, &at);
    c.in[0].shape[1] = 0;
    expect_check(&c, MLB_ERROR_INVALID_ARGUMENT, "conv2d: C (0) and OC (6) must be >= 1");
    base_case(&c, &at);
    c.in[1].shape[0] = 0;
    expect_check(&c, MLB_ERROR_INVALID_ARGUMENT, "conv2d: C (4) and OC (0) must be >= 1");
    base_case(&c, &at);
    at.groups = 3;
    expect_check(&c, MLB_ERROR_INVALID_ARGUMENT, "conv2d: groups (3) must divide C (4)");
    base_case(&c, &at);
    at.groups = 4;
    c.in[1].shape[1] = 1;
    expect_check(&c, MLB_ERROR_INVALID_ARGUMENT, "must divide C (4) and OC (6)");
    base_case(&c, &at);
    c.in[1].shape[1] = 4;
    expect_check(&c, MLB_ERROR_INVALID_ARGUMENT, "conv2d: w axis 1 is 4, expected C/groups = 2");
    base_case(&c, &at);
    c.in[1].shape[3] = 0;
    expect_check(&c, MLB_ERROR_INVALID_ARGUMENT, "conv2d: kernel 3x0 is empty");

    /* 5 + 0 + 0 < dilated kernel 2*(3-1)+1 = 5 is fine; dilation 3 gives 7 > 5. */
    base_case(&c, &at);
    at.dilation[0] = 3;
    expect_check(&c, MLB_ERROR_INVALID_ARGUMENT,
                 "conv2d: padded input height (5) < dilated kernel height (7)");
    at.padding[0] = 1, at.padding[1] = 1; /* 7 >= 7: OH = 1 */
    c.out.shape[2] = 1;
    expect_check(&c, MLB_OK, "");
    base_case(&c, &at);
    c.in[0].shape[3] = 2;
    expect_check(&c, MLB_ERROR_INVALID_ARGUMENT,
                 "conv2d: padded input width (2) < dilated kernel width (3)");

    base_case(&c, &at);
    c.out.shape[3] = 4;
    expect_check(&c, MLB_ERROR_INVALID_ARGUMENT,
                 "conv2d: output (N, OC, OH, OW) is (1, 6, 3, 4), expected (1, 6, 3, 3)");
    base_case(&c, &at);
    c.out.shape[0] = 2;
    expect_check(&c, MLB_ERROR_INVALID_ARGUMENT, "is (2, 6, 3, 3), expected (1, 6, 3, 3)");
    /* NHWC reads C and OC from the last axis: the NCHW shapes are wrong there. */
    base_case(&c, &at);
    at.layout = MLB_LAYOUT_NHWC;
    expect_check(&c, MLB_ERROR_INVALID_ARGUMENT, "conv2d: groups (2) must divide C (5)");

    base_case(&c, &at);
    c.out.strides[1] = 0;
    expect_check(&c, MLB_ERROR_INVALID_ARGUMENT, "conv2d: output has stride 0 on axis 1");

    for (int d = 0; d < 5; ++d) {
        char needle[64];
        base_case(&c, &at);
        c.in[0].dtype = c.in[1].dtype = c.out.dtype = other_dtypes[d];
        snprintf(needle, sizeof needle, "conv2d: dtype %s is not supported",
                 cpuref_dtype_name(other_dtypes[d]));
        expect_check(&c, MLB_ERROR_UNSUPPORTED, needle);
    }
}

int main(void) {
    test_basic_every_dtype();
    test_padding_stride();
    test_dilation();
    test_groups();
    test_nhwc_equals_nchw();
    test_weights_ohwi();
    test_bias_activation();
    test_empty_and_single();
    test_strided_views();
    test_nan_inf();
    test_single_rounding();
    test_1x1_equals_matmul();
    test_f32_matches_f64();
    test_check_attrs();
    test_check_tensors();
    return check_finish();
}
