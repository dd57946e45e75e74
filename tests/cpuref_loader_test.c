/*
 * cpuref_loader_test.c - the reference plugin reached the way a framework
 * reaches it: through libmlb. A small MLP layer with a fused epilogue gives
 * hand-computed results; an out-of-range gather index surfaces at
 * synchronize as a sticky error naming the plugin and the op; the loader's
 * own checks stop a launch whose buffer is too small before cpu_ref sees it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "mlb.h"

static mlb_context open_cpu_ref(void) {
    const char *top = getenv("MLB_TOP_BUILDDIR");
    static char path[4096];
    snprintf(path, sizeof path, "%s/plugins/cpu_ref/.libs/mlb_cpu_ref.so", top ? top : ".");
    const char *paths[] = {path};
    mlb_context_options opts;
    memset(&opts, 0, sizeof opts);
    opts.struct_size = MLB_STRUCT_SIZE(mlb_context_options, log_user_data);
    opts.plugin_paths = paths;
    opts.num_plugin_paths = 1;
    opts.log_level = MLB_LOG_OFF;
    mlb_context ctx = NULL;
    CHECK_INT_EQ(mlb_context_create(&opts, &ctx), MLB_OK);
    return ctx;
}

static mlb_tensor_desc f32_tensor(int32_t rank, const int64_t *shape) {
    mlb_tensor_desc t;
    CHECK_INT_EQ(mlb_tensor_desc_contiguous(&t, MLB_DTYPE_F32, rank, shape), MLB_OK);
    return t;
}

static mlb_buffer upload(mlb_device dev, mlb_stream s, const void *data, uint64_t bytes) {
    mlb_buffer_desc bd = {MLB_STRUCT_SIZE(mlb_buffer_desc, alignment), 0, 0, bytes, 0};
    mlb_buffer b = NULL;
    CHECK_INT_EQ(mlb_buffer_alloc(dev, &bd, &b), MLB_OK);
    if (data) {
        CHECK_INT_EQ(mlb_stream_copy_host_to_device(s, b, 0, data, bytes), MLB_OK);
    }
    return b;
}

/* y = relu(x . w + b) with x [2,3], w [3,4], b [4]: integer values, so exact. */
static void test_fused_matmul(mlb_device dev) {
    const float x[6] = {1, 2, 3, -1, 0, 2};
    const float w[12] = {1, 0, -1, 2, 0, 1, 1, -2, 1, 1, 0, 1};
    const float b[4] = {0.5f, -10, 1, 0};
    /* row 0: x.w = {1+0+3, 0+2+3, -1+2+0, 2-4+3} = {4, 5, 1, 1}; + b = {4.5, -5, 2, 1}
     * row 1: x.w = {-1+0+2, 0+0+2, 1+0+0, -2+0+2} = {1, 2, 1, 0}; + b = {1.5, -8, 2, 0} */
    const float want[8] = {4.5f, 0, 2, 1, 1.5f, 0, 2, 0};
    const int64_t sx[2] = {2, 3}, sw[2] = {3, 4}, sb[1] = {4}, sy[2] = {2, 4};
    mlb_tensor_desc tx = f32_tensor(2, sx), tw = f32_tensor(2, sw), tb = f32_tensor(1, sb),
                    ty = f32_tensor(2, sy);
    const mlb_tensor_desc *ins[3] = {&tx, &tw, &tb}, *outs[1] = {&ty};
    mlb_matmul_attrs attrs = {MLB_STRUCT_SIZE(mlb_matmul_attrs, epilogue), {1, MLB_OP_RELU}};
    mlb_op_desc op = {
        MLB_STRUCT_SIZE(mlb_op_desc, attrs), MLB_OP_MATMUL, 3, 1, 0, ins, outs, &attrs};
    CHECK_INT_EQ(mlb_op_supported(dev, &op), MLB_OK);

    mlb_stream s = NULL;
    CHECK_INT_EQ(mlb_stream_create(dev, 0, &s), MLB_OK);
    mlb_buffer bx = upload(dev, s, x, sizeof x), bw = upload(dev, s, w, sizeof w),
               bb = upload(dev, s, b, sizeof b), by = upload(dev, s, NULL, sizeof want);
    mlb_kernel k = NULL;
    CHECK_INT_EQ(mlb_kernel_create(dev, &op, &k), MLB_OK);
    const mlb_buffer in_bufs[3] = {bx, bw, bb}, out_bufs[1] = {by};
    float got[8] = {0};
    for (int launch = 0; launch < 3; ++launch) { /* create once, launch many times */
        memset(got, 0xff, sizeof got);
        CHECK_INT_EQ(mlb_kernel_launch(k, s, in_bufs, 3, out_bufs, 1), MLB_OK);
        CHECK_INT_EQ(mlb_stream_copy_device_to_host(s, got, by, 0, sizeof got), MLB_OK);
        CHECK_INT_EQ(mlb_stream_synchronize(s), MLB_OK);
        CHECK(memcmp(got, want, sizeof want) == 0);
    }

    /* The loader checks extents at launch: a [2,4] output does not fit in 16 bytes. */
    mlb_buffer small = upload(dev, s, NULL, 16);
    const mlb_buffer small_out[1] = {small};
    CHECK_INT_EQ(mlb_kernel_launch(k, s, in_bufs, 3, small_out, 1), MLB_ERROR_OUT_OF_RANGE);
    CHECK_INT_EQ(mlb_stream_synchronize(s), MLB_OK); /* rejected at enqueue: not sticky */

    mlb_kernel_destroy(k);
    mlb_buffer_free(small);
    mlb_buffer_free(bx);
    mlb_buffer_free(bw);
    mlb_buffer_free(bb);
    mlb_buffer_free(by);
    mlb_stream_destroy(s);
}

/* An embedding lookup with index 7 into a table of 4 rows fails at run time. */
static void test_sticky_gather_error(mlb_device dev) {
    const float table[8] = {0, 1, 10, 11, 20, 21, 30, 31};
    const int64_t idx[3] = {2, 7, 0};
    const int64_t st[2] = {4, 2}, si[1] = {3}, so[2] = {3, 2};
    mlb_tensor_desc tt = f32_tensor(2, st), to = f32_tensor(2, so), ti;
    CHECK_INT_EQ(mlb_tensor_desc_contiguous(&ti, MLB_DTYPE_I64, 1, si), MLB_OK);
    const mlb_tensor_desc *ins[2] = {&tt, &ti}, *outs[1] = {&to};
    mlb_axis_attrs attrs = {MLB_STRUCT_SIZE(mlb_axis_attrs, axis), 0};
    mlb_op_desc op = {
        MLB_STRUCT_SIZE(mlb_op_desc, attrs), MLB_OP_GATHER, 2, 1, 0, ins, outs, &attrs};
    mlb_stream s = NULL;
    CHECK_INT_EQ(mlb_stream_create(dev, 0, &s), MLB_OK);
    mlb_buffer bt = upload(dev, s, table, sizeof table), bi = upload(dev, s, idx, sizeof idx),
               bo = upload(dev, s, NULL, 6 * sizeof(float));
    mlb_kernel k = NULL;
    CHECK_INT_EQ(mlb_kernel_create(dev, &op, &k), MLB_OK);
    const mlb_buffer in_bufs[2] = {bt, bi}, out_bufs[1] = {bo};
    CHECK_INT_EQ(mlb_kernel_launch(k, s, in_bufs, 2, out_bufs, 1), MLB_OK); /* enqueued */
    CHECK_INT_EQ(mlb_stream_synchronize(s), MLB_ERROR_OUT_OF_RANGE);
    CHECK_STR_CONTAINS(mlb_last_error(), "cpu_ref");
    CHECK_STR_CONTAINS(mlb_last_error(), "gather");
    CHECK(strstr(mlb_last_error(), "cpu_ref: cpu_ref:") == NULL); /* the name once, by the loader */
    CHECK_INT_EQ(mlb_stream_query(s), MLB_ERROR_OUT_OF_RANGE);    /* sticky */
    mlb_kernel_destroy(k);
    mlb_buffer_free(bt);
    mlb_buffer_free(bi);
    mlb_buffer_free(bo);
    mlb_stream_destroy(s);
}

int main(void) {
    mlb_context ctx = open_cpu_ref();
    if (!ctx) {
        return check_finish();
    }
    mlb_device dev = NULL;
    CHECK_INT_EQ(mlb_context_device_count(ctx), 1);
    CHECK_INT_EQ(mlb_context_device_find(ctx, "cpu_ref:0", &dev), MLB_OK);
    CHECK_STR_EQ(mlb_device_plugin_name(dev), "cpu_ref");
    if (dev) {
        test_fused_matmul(dev);
        test_sticky_gather_error(dev);
    }
    mlb_context_destroy(ctx);
    return check_finish();
}
