/*
 * gather_test.c - gather (docs/ops.md section 11) against hand-computed
 * values, through cpuref_gather_check/cpuref_gather_run on host arrays.
 * gather moves data, so every comparison is exact (by value or by bits).
 */
#include "reduce_test_util.h"

#define S(...) ((const int64_t[]){__VA_ARGS__})
#define I(...) ((const int64_t[]){__VA_ARGS__})

static mlb_axis_attrs aa(int32_t axis) {
    mlb_axis_attrs a;
    memset(&a, 0, sizeof a);
    a.struct_size = MLB_STRUCT_SIZE(mlb_axis_attrs, axis);
    a.axis = axis;
    return a;
}

static mlb_status gather(int32_t axis, tt *data, tt *indices, tt *out) {
    mlb_axis_attrs a = aa(axis);
    tt *ins[2] = {data, indices};
    return op_call(MLB_OP_GATHER, &a, ins, 2, out);
}

static mlb_status gather_check(int32_t axis, tt *data, tt *indices, tt *out) {
    mlb_axis_attrs a = aa(axis);
    tt *ins[2] = {data, indices};
    return op_check(MLB_OP_GATHER, &a, ins, 2, out);
}

/* data[r][c] = 10r + c, filled into any 2-D tensor. */
static void fill_10r_c(tt *t) {
    for (int64_t r = 0; r < t->d.shape[0]; ++r) {
        for (int64_t c = 0; c < t->d.shape[1]; ++c) {
            tt_set_i(t, r * t->d.shape[1] + c, 10 * r + c);
        }
    }
}

/* Embedding lookup: data [4,3], indices [2,2] = {{3,0},{-1,1}} along axis 0 -> [2,2,3]. */
static void test_embedding(void) {
    tt data, idx, out;
    tt_init(&data, MLB_DTYPE_F32, 2, S(4, 3), NULL, 0);
    fill_10r_c(&data);
    tt_init(&idx, MLB_DTYPE_I64, 2, S(2, 2), NULL, 0);
    tt_fill_i(&idx, I(3, 0, -1, 1), 4); /* -1 is row 3 */
    tt_init(&out, MLB_DTYPE_F32, 3, S(2, 2, 3), NULL, 0);
    CHECK_INT_EQ(gather(0, &data, &idx, &out), MLB_OK);
    static const int64_t rows[4] = {3, 0, 3, 1};
    for (int64_t i = 0; i < 12; ++i) {
        CHECK(tt_get_f(&out, i) == (double)(10 * rows[i / 3] + i % 3));
    }
    CHECK(tt_guard_ok(&out));
}

/* Along the last axis: data [2,4], indices [3] = {3,-4,1} -> [2,3] = {{3,0,1},{13,10,11}}. */
static void test_inner_axis(void) {
    for (int32_t axis = -1; axis <= 1; axis += 2) {
        tt data, idx, out;
        tt_init(&data, MLB_DTYPE_I32, 2, S(2, 4), NULL, 0);
        fill_10r_c(&data);
        tt_init(&idx, MLB_DTYPE_I32, 1, S(3), NULL, 0);
        tt_fill_i(&idx, I(3, -4, 1), 3);
        tt_init(&out, MLB_DTYPE_I32, 2, S(2, 3), NULL, 0);
        CHECK_INT_EQ(gather(axis, &data, &idx, &out), MLB_OK);
        static const int64_t want[6] = {3, 0, 1, 13, 10, 11};
        for (int64_t i = 0; i < 6; ++i) {
            CHECK_INT_EQ(tt_get_i(&out, i), want[i]);
        }
        CHECK(tt_guard_ok(&out));
    }
    /* rank 3, middle axis: data [2,3,2] = 0..11 (x[a][b][c] = 6a + 2b + c), indices {2, 0}
     * along axis 1 -> out [2,2,2] = x[a][{2,0}][c] = {{4,5},{0,1}},{{10,11},{6,7}}. */
    tt data, idx, out;
    tt_init(&data, MLB_DTYPE_I64, 3, S(2, 3, 2), NULL, 0);
    for (int64_t i = 0; i < 12; ++i) {
        tt_set_i(&data, i, i);
    }
    tt_init(&idx, MLB_DTYPE_I64, 1, S(2), NULL, 0);
    tt_fill_i(&idx, I(2, 0), 2);
    tt_init(&out, MLB_DTYPE_I64, 3, S(2, 2, 2), NULL, 0);
    CHECK_INT_EQ(gather(1, &data, &idx, &out), MLB_OK);
    static const int64_t want[8] = {4, 5, 0, 1, 10, 11, 6, 7};
    for (int64_t i = 0; i < 8; ++i) {
        CHECK_INT_EQ(tt_get_i(&out, i), want[i]);
    }
}

/* Every data dtype x both index dtypes: data [3,2] = {{0,1},{2,3},{4,5}}, indices {2,0}. */
static void test_every_dtype(void) {
    static const int32_t all[] = {MLB_DTYPE_F32, MLB_DTYPE_F16, MLB_DTYPE_BF16, MLB_DTYPE_F64,
                                  MLB_DTYPE_I8,  MLB_DTYPE_U8,  MLB_DTYPE_I32,  MLB_DTYPE_I64};
    static const int32_t index_dtypes[] = {MLB_DTYPE_I32, MLB_DTYPE_I64};
    for (size_t d = 0; d < sizeof all / sizeof all[0]; ++d) {
        for (size_t k = 0; k < 2; ++k) {
            tt data, idx, out;
            tt_init(&data, all[d], 2, S(3, 2), NULL, 0);
            tt_fill_i(&data, I(0, 1, 2, 3, 4, 5), 6);
            tt_init(&idx, index_dtypes[k], 1, S(2), NULL, 0);
            tt_fill_i(&idx, I(2, 0), 2);
            tt_init(&out, all[d], 2, S(2, 2), NULL, 0);
            CHECK_INT_EQ(gather(0, &data, &idx, &out), MLB_OK);
            CHECK(tt_get_i(&out, 0) == 4 && tt_get_i(&out, 1) == 5);
            CHECK(tt_get_i(&out, 2) == 0 && tt_get_i(&out, 3) == 1);
            CHECK(tt_guard_ok(&out));
        }
    }
    /* Integer extremes come through unchanged. */
    tt data, idx, out;
    tt_init(&data, MLB_DTYPE_I64, 1, S(2), NULL, 0);
    tt_fill_i(&data, I(INT64_MIN, INT64_MAX), 2);
    tt_init(&idx, MLB_DTYPE_I32, 1, S(3), NULL, 0);
    tt_fill_i(&idx, I(1, 0, -1), 3);
    tt_init(&out, MLB_DTYPE_I64, 1, S(3), NULL, 0);
    CHECK_INT_EQ(gather(0, &data, &idx, &out), MLB_OK);
    CHECK(tt_get_i(&out, 0) == INT64_MAX && tt_get_i(&out, 1) == INT64_MIN);
    CHECK(tt_get_i(&out, 2) == INT64_MAX);
}

/* gather copies bits: NaN payloads, signalling NaNs and -0.0 are kept exactly. */
static void test_bit_exact(void) {
    static const struct {
        int32_t dtype;
        uint64_t bits[3];
    } cases[] = {
        {MLB_DTYPE_F32, {0x7FC00123u, 0x80000000u, 0xFF800001u}},
        {MLB_DTYPE_F16, {0x7E01u, 0x8000u, 0xFC01u}},
        {MLB_DTYPE_BF16, {0xFFC1u, 0x8000u, 0x7F81u}},
        {MLB_DTYPE_F64,
         {UINT64_C(0x7FF0000000000001), UINT64_C(0x8000000000000000),
          UINT64_C(0xFFF8000000000ABC)}},
    };
    for (size_t c = 0; c < 4; ++c) {
        const size_t size = cpuref_dtype_size(cases[c].dtype);
        tt data, idx, out;
        tt_init(&data, cases[c].dtype, 1, S(3), NULL, 0);
        for (int64_t i = 0; i < 3; ++i) {
            memcpy(tt_at(&data, i), &cases[c].bits[i], size); /* little-endian low bytes */
        }
        tt_init(&idx, MLB_DTYPE_I64, 1, S(3), NULL, 0);
        tt_fill_i(&idx, I(2, 1, 0), 3);
        tt_init(&out, cases[c].dtype, 1, S(3), NULL, 0);
        CHECK_INT_EQ(gather(0, &data, &idx, &out), MLB_OK);
        for (int64_t i = 0; i < 3; ++i) {
            uint64_t got = 0;
            memcpy(&got, tt_at(&out, i), size);
            CHECK(got == cases[c].bits[2 - i]);
        }
    }
}

/* Rank-0 indices remove the axis; rank-1 data with 2-D indices; rank-8 output. */
static void test_ranks(void) {
    tt data, idx, out;
    tt_init(&data, MLB_DTYPE_U8, 2, S(3, 2), NULL, 0);
    fill_10r_c(&data);
    tt_init(&idx, MLB_DTYPE_I32, 0, NULL, NULL, 0);
    tt_set_i(&idx, 0, 2);
    tt_init(&out, MLB_DTYPE_U8, 1, S(2), NULL, 0);
    CHECK_INT_EQ(gather(0, &data, &idx, &out), MLB_OK);
    CHECK(tt_get_i(&out, 0) == 20 && tt_get_i(&out, 1) == 21);
    tt_set_i(&idx, 0, -1);
    tt_init(&out, MLB_DTYPE_U8, 1, S(3), NULL, 0);
    CHECK_INT_EQ(gather(1, &data, &idx, &out), MLB_OK); /* column 1 */
    CHECK(tt_get_i(&out, 0) == 1 && tt_get_i(&out, 1) == 11 && tt_get_i(&out, 2) == 21);
    CHECK(tt_guard_ok(&out));

    /* data [4] = {5,6,7,8} (i8), indices [2,2] = {{0,3},{-3,1}} -> {{5,8},{6,6}} */
    tt_init(&data, MLB_DTYPE_I8, 1, S(4), NULL, 0);
    tt_fill_i(&data, I(5, 6, 7, 8), 4);
    tt_init(&idx, MLB_DTYPE_I64, 2, S(2, 2), NULL, 0);
    tt_fill_i(&idx, I(0, 3, -3, 1), 4);
    tt_init(&out, MLB_DTYPE_I8, 2, S(2, 2), NULL, 0);
    CHECK_INT_EQ(gather(0, &data, &idx, &out), MLB_OK);
    CHECK(tt_get_i(&out, 0) == 5 && tt_get_i(&out, 1) == 8);
    CHECK(tt_get_i(&out, 2) == 6 && tt_get_i(&out, 3) == 6);

    /* data [2,3], indices rank 7 [1,1,1,1,1,1,2] = {1, 0} along axis 0: output rank 8
     * [1,1,1,1,1,1,2,3] = rows 1 then 0. */
    tt_init(&data, MLB_DTYPE_F64, 2, S(2, 3), NULL, 0);
    fill_10r_c(&data);
    tt_init(&idx, MLB_DTYPE_I32, 7, S(1, 1, 1, 1, 1, 1, 2), NULL, 0);
    tt_fill_i(&idx, I(1, 0), 2);
    tt_init(&out, MLB_DTYPE_F64, 8, S(1, 1, 1, 1, 1, 1, 2, 3), NULL, 0);
    CHECK_INT_EQ(gather(0, &data, &idx, &out), MLB_OK);
    static const double want[6] = {10, 11, 12, 0, 1, 2};
    for (int64_t i = 0; i < 6; ++i) {
        CHECK(tt_get_f(&out, i) == want[i]);
    }
    CHECK(tt_guard_ok(&out));
}

/*
 * Non-contiguous everything. data: logical [3,4] (10r + c) stored transposed
 * (strides {1,3}) after 8 bytes; indices: [2,3] with strides {0,1}, the row
 * {3,-1,0} repeated, after 4 bytes; out [3,2,3] with strides {8,4,1} (gaps)
 * after 6 bytes. Along axis 1: out[r][i][j] = 10r + wrap(row[j]) = 10r + {3,3,0}.
 */
static void test_strides(void) {
    tt data, idx, out;
    tt_init(&data, MLB_DTYPE_BF16, 2, S(3, 4), S(1, 3), 8);
    fill_10r_c(&data);
    tt_init(&idx, MLB_DTYPE_I32, 2, S(2, 3), S(0, 1), 4);
    tt_fill_i(&idx, I(3, -1, 0, 3, -1, 0), 6);
    tt_init(&out, MLB_DTYPE_BF16, 3, S(3, 2, 3), S(8, 4, 1), 6);
    CHECK_INT_EQ(gather(1, &data, &idx, &out), MLB_OK);
    static const int64_t col[3] = {3, 3, 0};
    for (int64_t i = 0; i < 18; ++i) {
        CHECK(tt_get_f(&out, i) == (double)(10 * (i / 6) + col[i % 3]));
    }
    CHECK(tt_guard_ok(&out));
}

/* Out-of-range indices fail the run with OUT_OF_RANGE, naming the index and its position. */
static void test_out_of_range(void) {
    tt data, idx, out;
    tt_init(&data, MLB_DTYPE_F32, 2, S(4, 3), NULL, 0);
    tt_init(&idx, MLB_DTYPE_I64, 1, S(3), NULL, 0);
    tt_init(&out, MLB_DTYPE_F32, 2, S(3, 3), NULL, 0);
    tt_fill_i(&idx, I(0, 4, 1), 3);
    CHECK_INT_EQ(gather(0, &data, &idx, &out), MLB_ERROR_OUT_OF_RANGE);
    CHECK_STR_EQ(why, "gather: index 4 at indices[1] is outside [-4, 4)");
    CHECK(tt_untouched(&out)); /* indices are checked before anything is written */
    tt_fill_i(&idx, I(-4, 3, -5), 3);
    CHECK_INT_EQ(gather(0, &data, &idx, &out), MLB_ERROR_OUT_OF_RANGE);
    CHECK_STR_EQ(why, "gather: index -5 at indices[2] is outside [-4, 4)");
    tt_fill_i(&idx, I(INT64_MIN, 0, 0), 3);
    CHECK_INT_EQ(gather(0, &data, &idx, &out), MLB_ERROR_OUT_OF_RANGE);
    CHECK_STR_CONTAINS(why, "index -9223372036854775808 at indices[0]");
    tt_fill_i(&idx, I(0, 0, INT64_MAX), 3);
    CHECK_INT_EQ(gather(0, &data, &idx, &out), MLB_ERROR_OUT_OF_RANGE);
    CHECK_STR_CONTAINS(why, "index 9223372036854775807 at indices[2]");

    /* 2-D i32 indices along axis 1 (extent 3): position [1, 0] holds INT32_MIN. */
    tt_init(&idx, MLB_DTYPE_I32, 2, S(2, 2), NULL, 0);
    tt_fill_i(&idx, I(2, -3, INT32_MIN, 0), 4);
    tt_init(&out, MLB_DTYPE_F32, 3, S(4, 2, 2), NULL, 0);
    CHECK_INT_EQ(gather(1, &data, &idx, &out), MLB_ERROR_OUT_OF_RANGE);
    CHECK_STR_EQ(why, "gather: index -2147483648 at indices[1, 0] is outside [-3, 3)");
    tt_fill_i(&idx, I(2, -3, 0, 3), 4);
    CHECK_INT_EQ(gather(-1, &data, &idx, &out), MLB_ERROR_OUT_OF_RANGE);
    CHECK_STR_EQ(why, "gather: index 3 at indices[1, 1] is outside [-3, 3)");

    /* A scalar index out of range. */
    tt_init(&idx, MLB_DTYPE_I32, 0, NULL, NULL, 0);
    tt_set_i(&idx, 0, 7);
    tt_init(&out, MLB_DTYPE_F32, 1, S(3), NULL, 0);
    CHECK_INT_EQ(gather(0, &data, &idx, &out), MLB_ERROR_OUT_OF_RANGE);
    CHECK_STR_EQ(why, "gather: index 7 at indices[] is outside [-4, 4)");

    /* An empty gathered axis with a non-empty output: every index is out of range. */
    tt_init(&data, MLB_DTYPE_F32, 2, S(2, 0), NULL, 0);
    tt_init(&idx, MLB_DTYPE_I64, 1, S(1), NULL, 0);
    tt_set_i(&idx, 0, 0);
    tt_init(&out, MLB_DTYPE_F32, 2, S(2, 1), NULL, 0);
    CHECK_INT_EQ(gather(1, &data, &idx, &out), MLB_ERROR_OUT_OF_RANGE);
    CHECK_STR_CONTAINS(why, "gather: index 0 at indices[0] is outside [-0, 0)");
}

/* Empty outputs write nothing and succeed, without looking at any index. */
static void test_empty(void) {
    tt data, idx, out;
    tt_init(&data, MLB_DTYPE_F32, 2, S(4, 3), NULL, 0);
    tt_init(&idx, MLB_DTYPE_I32, 1, S(0), NULL, 0);
    tt_init(&out, MLB_DTYPE_F32, 2, S(0, 3), NULL, 0);
    CHECK_INT_EQ(gather(0, &data, &idx, &out), MLB_OK);
    CHECK(tt_untouched(&out));
    /* data [0,3] along axis 1 with index 5 (out of range): the output [0,1] is empty. */
    tt_init(&data, MLB_DTYPE_F32, 2, S(0, 3), NULL, 0);
    tt_init(&idx, MLB_DTYPE_I32, 1, S(1), NULL, 0);
    tt_set_i(&idx, 0, 5);
    tt_init(&out, MLB_DTYPE_F32, 2, S(0, 1), NULL, 0);
    CHECK_INT_EQ(gather(1, &data, &idx, &out), MLB_OK);
    CHECK(tt_untouched(&out));
    /* one element in, one out */
    tt_init(&data, MLB_DTYPE_I32, 1, S(1), NULL, 0);
    tt_set_i(&data, 0, -77);
    tt_init(&idx, MLB_DTYPE_I32, 1, S(1), NULL, 0);
    tt_set_i(&idx, 0, -1);
    tt_init(&out, MLB_DTYPE_I32, 1, S(1), NULL, 0);
    CHECK_INT_EQ(gather(0, &data, &idx, &out), MLB_OK);
    CHECK_INT_EQ(tt_get_i(&out, 0), -77);
    CHECK(tt_guard_ok(&out));
}

static void test_check_rules(void) {
    tt data, idx, out, z;
    tt_init(&data, MLB_DTYPE_F32, 2, S(4, 3), NULL, 0);
    tt_init(&idx, MLB_DTYPE_I64, 1, S(2), NULL, 0);
    tt_init(&out, MLB_DTYPE_F32, 2, S(2, 3), NULL, 0);
    CHECK_INT_EQ(gather_check(0, &data, &idx, &out), MLB_OK);

    mlb_axis_attrs a = aa(0);
    tt *ins[2] = {&data, &idx};
    CHECK_INT_EQ(op_check(MLB_OP_GATHER, &a, ins, 1, &out), MLB_ERROR_INVALID_ARGUMENT);
    CHECK_STR_CONTAINS(why, "gather: takes 2 input(s) and 1 output(s), got 1 and 1");
    CHECK_INT_EQ(op_check(MLB_OP_GATHER, NULL, ins, 2, &out), MLB_ERROR_INVALID_ARGUMENT);
    CHECK_STR_CONTAINS(why, "gather: attributes missing");
    a.struct_size = 4;
    CHECK_INT_EQ(op_check(MLB_OP_GATHER, &a, ins, 2, &out), MLB_ERROR_INVALID_ARGUMENT);
    CHECK_STR_CONTAINS(why, "gather: attributes missing or struct_size 4");

    tt_init(&z, MLB_DTYPE_F32, 0, NULL, NULL, 0);
    CHECK_INT_EQ(gather_check(0, &z, &idx, &out), MLB_ERROR_INVALID_ARGUMENT);
    CHECK_STR_CONTAINS(why, "gather: data has rank 0, expected rank >= 1");
    CHECK_INT_EQ(gather_check(2, &data, &idx, &out), MLB_ERROR_INVALID_ARGUMENT);
    CHECK_STR_CONTAINS(why, "gather: axis 2 is outside [-2, 2)");
    CHECK_INT_EQ(gather_check(-3, &data, &idx, &out), MLB_ERROR_INVALID_ARGUMENT);
    CHECK_STR_CONTAINS(why, "gather: axis -3 is outside [-2, 2)");

    static const int32_t bad_index_dtypes[] = {MLB_DTYPE_F32, MLB_DTYPE_F64, MLB_DTYPE_I8,
                                               MLB_DTYPE_U8, MLB_DTYPE_BOOL};
    for (size_t i = 0; i < sizeof bad_index_dtypes / sizeof bad_index_dtypes[0]; ++i) {
        tt_init(&z, bad_index_dtypes[i], 1, S(2), NULL, 0);
        CHECK_INT_EQ(gather_check(0, &data, &z, &out), MLB_ERROR_INVALID_ARGUMENT);
        CHECK_STR_CONTAINS(why, "gather: indices are");
        CHECK_STR_CONTAINS(why, "expected i32 or i64");
    }

    tt_init(&z, MLB_DTYPE_F64, 2, S(2, 3), NULL, 0);
    CHECK_INT_EQ(gather_check(0, &data, &idx, &z), MLB_ERROR_INVALID_ARGUMENT);
    CHECK_STR_CONTAINS(why, "gather: output is f64, expected f32 (the dtype of data)");

    /* output rank 2 - 1 + 8 = 9 */
    tt big_idx;
    tt_init(&big_idx, MLB_DTYPE_I32, 8, S(1, 1, 1, 1, 1, 1, 1, 1), NULL, 0);
    CHECK_INT_EQ(gather_check(0, &data, &big_idx, &out), MLB_ERROR_INVALID_ARGUMENT);
    CHECK_STR_CONTAINS(why, "gather: output rank 9 (data rank 2 - 1 + indices rank 8) > 8");

    tt_init(&z, MLB_DTYPE_F32, 3, S(2, 3, 1), NULL, 0);
    CHECK_INT_EQ(gather_check(0, &data, &idx, &z), MLB_ERROR_INVALID_ARGUMENT);
    CHECK_STR_CONTAINS(why, "gather: output has rank 3, expected 2");
    tt_init(&z, MLB_DTYPE_F32, 2, S(4, 2), NULL, 0); /* axis 1 would give [4, 2] */
    CHECK_INT_EQ(gather_check(0, &data, &idx, &z), MLB_ERROR_INVALID_ARGUMENT);
    CHECK_STR_CONTAINS(why, "gather: output axis 0 has extent 4, expected 2");
    CHECK_INT_EQ(gather_check(1, &data, &idx, &z), MLB_OK);

    tt_init(&z, MLB_DTYPE_F32, 2, S(2, 3), S(0, 1), 0);
    CHECK_INT_EQ(gather_check(0, &data, &idx, &z), MLB_ERROR_INVALID_ARGUMENT);
    CHECK_STR_CONTAINS(why, "gather: output has stride 0 on axis 0 of extent 2");

    tt_init(&data, MLB_DTYPE_BOOL, 2, S(4, 3), NULL, 0);
    tt_init(&out, MLB_DTYPE_BOOL, 2, S(2, 3), NULL, 0);
    CHECK_INT_EQ(gather_check(0, &data, &idx, &out), MLB_ERROR_UNSUPPORTED);
    CHECK_STR_CONTAINS(why, "gather: dtype bool is not supported");
}

/* f32 results equal the f64 path rounded to f32, bit for bit. */
static void test_f32_matches_f64(void) {
    tt d32, d64, idx, o32, o64;
    tt_init(&d32, MLB_DTYPE_F32, 2, S(6, 5), NULL, 0);
    tt_init(&d64, MLB_DTYPE_F64, 2, S(6, 5), NULL, 0);
    for (int64_t i = 0; i < 30; ++i) {
        const double v = lcg_value();
        tt_set_f(&d32, i, v);
        tt_set_f(&d64, i, v);
    }
    tt_init(&idx, MLB_DTYPE_I64, 2, S(2, 4), NULL, 0);
    tt_fill_i(&idx, I(5, -1, 0, 2, -6, 3, 1, 4), 8);
    tt_init(&o32, MLB_DTYPE_F32, 3, S(2, 4, 5), NULL, 0);
    tt_init(&o64, MLB_DTYPE_F64, 3, S(2, 4, 5), NULL, 0);
    CHECK_INT_EQ(gather(0, &d32, &idx, &o32), MLB_OK);
    CHECK_INT_EQ(gather(0, &d64, &idx, &o64), MLB_OK);
    for (int64_t i = 0; i < 40; ++i) {
        const float want = (float)tt_get_f(&o64, i);
        uint32_t want_bits;
        memcpy(&want_bits, &want, 4);
        CHECK_INT_EQ(tt_bits(&o32, i), want_bits);
    }
}

int main(void) {
    family_check = cpuref_gather_check;
    family_run = cpuref_gather_run;
    test_embedding();
    test_inner_axis();
    test_every_dtype();
    test_bit_exact();
    test_ranks();
    test_strides();
    test_out_of_range();
    test_empty();
    test_check_rules();
    test_f32_matches_f64();
    (void)float_dtypes, (void)int_dtypes;
    return check_finish();
}
