/*
 * loader_validate_test.c - the loader refuses bad arguments before the
 * plugin sees them: NULL, destroyed and wrong-type handles, objects of two
 * devices (of one plugin, or of two contexts), byte ranges and tensor extents
 * outside their buffer, shape x stride overflow, rank and dtype limits, bad
 * counts. Each refusal has its status and a message naming the cause.
 */
#include "config.h"

#include "loader_util.h"

#include <stdint.h>

static mlb_context ctx, ctx2;
static mlb_device dev0, dev1, other; /* other: device 0 of the second context */

static void test_handles(void) {
    mlb_stream s;
    CHECK_INT_EQ(mlb_stream_create(dev0, 0, &s), MLB_OK);
    mlb_buffer b = alloc_buffer(dev0, 64);
    mlb_event e;
    CHECK_INT_EQ(mlb_event_create(dev0, 0, &e), MLB_OK);

    /* NULL handles. */
    CHECK_INT_EQ(mlb_stream_synchronize(NULL), MLB_ERROR_INVALID_HANDLE);
    CHECK_STR_EQ(mlb_last_error(), "mlb: stream_synchronize: stream is not a valid mlb_stream "
                                   "(NULL, destroyed or another type)");
    CHECK_INT_EQ(mlb_event_query(NULL), MLB_ERROR_INVALID_HANDLE);
    CHECK_INT_EQ(mlb_device_synchronize(NULL), MLB_ERROR_INVALID_HANDLE);
    CHECK_INT_EQ(mlb_stream_memset(s, NULL, 0, 0, 1), MLB_ERROR_INVALID_HANDLE);
    CHECK_STR_CONTAINS(mlb_last_error(), "stream_memset: dst is not a valid mlb_buffer");
    mlb_buffer nb = NULL;
    CHECK_INT_EQ(mlb_buffer_alloc(NULL, NULL, &nb), MLB_ERROR_INVALID_HANDLE);
    CHECK(mlb_device_name(NULL) == NULL);
    CHECK_INT_EQ(mlb_buffer_size(NULL), 0);

    /* Wrong-type handles: a stream where a buffer goes, a buffer where an event goes, ... */
    CHECK_INT_EQ(mlb_stream_memset(s, (mlb_buffer)s, 0, 0, 1), MLB_ERROR_INVALID_HANDLE);
    CHECK_INT_EQ(mlb_event_record((mlb_event)b, s), MLB_ERROR_INVALID_HANDLE);
    CHECK_STR_CONTAINS(mlb_last_error(), "event_record: event is not a valid mlb_event");
    CHECK_INT_EQ(mlb_stream_query((mlb_stream)dev0), MLB_ERROR_INVALID_HANDLE);
    CHECK_INT_EQ(mlb_device_synchronize((mlb_device)e), MLB_ERROR_INVALID_HANDLE);
    CHECK_INT_EQ(mlb_context_plugin_count((mlb_context)dev0), 0);
    /* Foreign memory that is not a handle at all. */
    uint64_t junk[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    CHECK_INT_EQ(mlb_stream_synchronize((mlb_stream)junk), MLB_ERROR_INVALID_HANDLE);
    CHECK_INT_EQ(mlb_buffer_host_pointer((mlb_buffer)junk, NULL), MLB_ERROR_INVALID_HANDLE);
    /* Destroy/free of a wrong-type handle does nothing. */
    mlb_buffer_free((mlb_buffer)s);
    mlb_stream_destroy((mlb_stream)b);
    CHECK_INT_EQ(mlb_stream_query(s), MLB_OK);
    CHECK_INT_EQ(mlb_buffer_size(b), 64);

    /* NULL outputs and descriptors. */
    CHECK_INT_EQ(mlb_stream_create(dev0, 0, NULL), MLB_ERROR_INVALID_ARGUMENT);
    CHECK_INT_EQ(mlb_buffer_alloc(dev0, NULL, &nb), MLB_ERROR_INVALID_ARGUMENT);
    CHECK_INT_EQ(mlb_stream_copy_host_to_device(s, b, 0, NULL, 4), MLB_ERROR_INVALID_ARGUMENT);
    CHECK_INT_EQ(mlb_stream_copy_device_to_host(s, NULL, b, 0, 4), MLB_ERROR_INVALID_ARGUMENT);
    mlb_device_props p = {.struct_size = 0};
    CHECK_INT_EQ(mlb_device_get_props(dev0, &p), MLB_ERROR_INVALID_ARGUMENT);
    CHECK_INT_EQ(mlb_device_get_props(dev0, NULL), MLB_ERROR_INVALID_ARGUMENT);

    mlb_event_destroy(e);
    mlb_buffer_free(b);
    mlb_stream_destroy(s);
}

static void test_buffer_desc(void) {
    mlb_buffer b = NULL;
    mlb_buffer_desc bd = {.struct_size = MLB_STRUCT_SIZE(mlb_buffer_desc, alignment), .size = 8};
    bd.alignment = 48;
    CHECK_INT_EQ(mlb_buffer_alloc(dev0, &bd, &b), MLB_ERROR_INVALID_ARGUMENT);
    CHECK_STR_EQ(mlb_last_error(),
                 "fixture_good: buffer_alloc: alignment 48 is not a power of two");
    bd.alignment = 0;
    bd.memory_kind = 1;
    CHECK_INT_EQ(mlb_buffer_alloc(dev0, &bd, &b), MLB_ERROR_OUT_OF_RANGE);
    CHECK_STR_CONTAINS(mlb_last_error(), "memory kind 1 >= memory kind count 1");
    bd.memory_kind = 0;
    bd.flags = 1;
    CHECK_INT_EQ(mlb_buffer_alloc(dev0, &bd, &b), MLB_ERROR_INVALID_ARGUMENT);
    bd.flags = 0;
    bd.struct_size = 16;
    CHECK_INT_EQ(mlb_buffer_alloc(dev0, &bd, &b), MLB_ERROR_INVALID_ARGUMENT);
    CHECK(b == NULL);
}

static void test_ranges(void) {
    mlb_stream s;
    CHECK_INT_EQ(mlb_stream_create(dev0, 0, &s), MLB_OK);
    mlb_buffer a = alloc_buffer(dev0, 64), b = alloc_buffer(dev0, 32);
    char host[128] = {0};
    CHECK_INT_EQ(mlb_stream_copy_host_to_device(s, a, 0, host, 65), MLB_ERROR_OUT_OF_RANGE);
    CHECK_INT_EQ(mlb_stream_copy_host_to_device(s, a, 64, host, 1), MLB_ERROR_OUT_OF_RANGE);
    CHECK_INT_EQ(mlb_stream_copy_device_to_host(s, host, a, 60, 8), MLB_ERROR_OUT_OF_RANGE);
    CHECK_INT_EQ(mlb_stream_copy_device_to_device(s, b, 0, a, 0, 64), MLB_ERROR_OUT_OF_RANGE);
    CHECK_STR_CONTAINS(mlb_last_error(), "dst range [0, +64) lies outside its buffer of 32 bytes");
    CHECK_INT_EQ(mlb_stream_copy_device_to_device(s, b, 0, a, 40, 32), MLB_ERROR_OUT_OF_RANGE);
    CHECK_STR_CONTAINS(mlb_last_error(), "src range [40, +32)");
    CHECK_INT_EQ(mlb_stream_memset(s, a, 1, 0, 64), MLB_ERROR_OUT_OF_RANGE);
    /* offset + size wrapping around 64 bits. */
    CHECK_INT_EQ(mlb_stream_memset(s, a, UINT64_MAX - 3, 0, 8), MLB_ERROR_OUT_OF_RANGE);
    CHECK_INT_EQ(mlb_stream_copy_host_to_device(s, a, 8, host, UINT64_MAX), MLB_ERROR_OUT_OF_RANGE);
    CHECK_INT_EQ(mlb_stream_memset(s, a, 0, 0, 64), MLB_OK);
    mlb_buffer_free(a);
    mlb_buffer_free(b);
    mlb_stream_destroy(s);
}

static void test_descriptors(void) {
    test_op op;
    mlb_kernel k = NULL;

    make_add(&op);
    op.t[0].rank = 9;
    CHECK_INT_EQ(mlb_op_supported(dev0, &op.desc), MLB_ERROR_INVALID_ARGUMENT);
    CHECK_STR_EQ(mlb_last_error(),
                 "fixture_good: op_supported: input 0: rank outside 0..8 (dtype 1, rank 9)");
    op.t[0].rank = -1;
    CHECK_INT_EQ(mlb_kernel_create(dev0, &op.desc, &k), MLB_ERROR_INVALID_ARGUMENT);

    make_add(&op);
    op.t[2].dtype = 42;
    CHECK_INT_EQ(mlb_kernel_create(dev0, &op.desc, &k), MLB_ERROR_INVALID_ARGUMENT);
    CHECK_STR_EQ(mlb_last_error(),
                 "fixture_good: kernel_create: output 0: unknown dtype (dtype 42, rank 2)");
    op.t[2].dtype = MLB_DTYPE_INVALID;
    CHECK_INT_EQ(mlb_op_supported(dev0, &op.desc), MLB_ERROR_INVALID_ARGUMENT);

    make_add(&op);
    op.t[1].shape[0] = -2;
    CHECK_INT_EQ(mlb_op_supported(dev0, &op.desc), MLB_ERROR_INVALID_ARGUMENT);
    CHECK_STR_CONTAINS(mlb_last_error(), "input 1: negative shape (axis 0: shape -2, stride 3)");
    make_add(&op);
    op.t[1].strides[1] = -1;
    CHECK_INT_EQ(mlb_op_supported(dev0, &op.desc), MLB_ERROR_INVALID_ARGUMENT);
    CHECK_STR_CONTAINS(mlb_last_error(), "negative stride");

    /* shape x stride overflow, element-count overflow, byte-extent overflow. */
    make_add(&op);
    op.t[0].shape[0] = (int64_t)1 << 40;
    op.t[0].strides[0] = (int64_t)1 << 30;
    CHECK_INT_EQ(mlb_op_supported(dev0, &op.desc), MLB_ERROR_OUT_OF_RANGE);
    CHECK_STR_CONTAINS(mlb_last_error(), "input 0: shape x stride overflows 64 bits");
    make_add(&op);
    op.t[0].shape[0] = INT64_MAX / 2;
    op.t[0].shape[1] = 4;
    op.t[0].strides[0] = 0;
    op.t[0].strides[1] = 0;
    CHECK_INT_EQ(mlb_op_supported(dev0, &op.desc), MLB_ERROR_OUT_OF_RANGE);
    CHECK_STR_CONTAINS(mlb_last_error(), "element count overflows 64 bits");
    make_add(&op);
    op.t[2].byte_offset = UINT64_MAX - 8;
    CHECK_INT_EQ(mlb_op_supported(dev0, &op.desc), MLB_ERROR_OUT_OF_RANGE);
    CHECK_STR_CONTAINS(mlb_last_error(), "output 0: byte extent overflows 64 bits");
    make_add(&op);
    op.t[0].shape[0] = (int64_t)1 << 61;
    op.t[0].strides[0] = 3;
    op.t[0].strides[1] = 1;
    CHECK_INT_EQ(mlb_op_supported(dev0, &op.desc), MLB_ERROR_OUT_OF_RANGE);

    /* The descriptor itself. */
    make_add(&op);
    op.desc.struct_size = 8;
    CHECK_INT_EQ(mlb_op_supported(dev0, &op.desc), MLB_ERROR_INVALID_ARGUMENT);
    CHECK_INT_EQ(mlb_op_supported(dev0, NULL), MLB_ERROR_INVALID_ARGUMENT);
    make_add(&op);
    op.desc.op = -4;
    CHECK_INT_EQ(mlb_op_supported(dev0, &op.desc), MLB_ERROR_INVALID_ARGUMENT);
    make_add(&op);
    op.desc.num_inputs = MLB_MAX_OP_TENSORS + 1;
    CHECK_INT_EQ(mlb_kernel_create(dev0, &op.desc, &k), MLB_ERROR_INVALID_ARGUMENT);
    CHECK_STR_CONTAINS(mlb_last_error(), "17 inputs and 1 outputs (at most 16 each)");
    make_add(&op);
    op.desc.inputs = NULL;
    CHECK_INT_EQ(mlb_op_supported(dev0, &op.desc), MLB_ERROR_INVALID_ARGUMENT);
    make_add(&op);
    op.in[1] = NULL;
    CHECK_INT_EQ(mlb_op_supported(dev0, &op.desc), MLB_ERROR_INVALID_ARGUMENT);
    CHECK_STR_CONTAINS(mlb_last_error(), "input 1: descriptor is NULL");
    make_add(&op);
    op.t[0].struct_size = 16;
    CHECK_INT_EQ(mlb_op_supported(dev0, &op.desc), MLB_ERROR_INVALID_ARGUMENT);
    make_fill(&op, 4, 1.0);
    op.fill.struct_size = 1u << 30;
    CHECK_INT_EQ(mlb_op_supported(dev0, &op.desc), MLB_ERROR_INVALID_ARGUMENT);
    CHECK_STR_CONTAINS(mlb_last_error(), "attrs struct_size 1073741824 is not plausible");

    /* Empty tensors and rank-0 scalars are fine. */
    make_fill(&op, 0, 1.0);
    CHECK_INT_EQ(mlb_op_supported(dev0, &op.desc), MLB_OK);
    make_fill(&op, 1, 1.0);
    op.t[0].rank = 0;
    CHECK_INT_EQ(mlb_op_supported(dev0, &op.desc), MLB_OK);
    CHECK(k == NULL);
}

static void test_tensor_helpers(void) {
    mlb_tensor_desc t;
    const int64_t shape[3] = {2, 3, 4};
    CHECK_INT_EQ(mlb_tensor_desc_contiguous(&t, MLB_DTYPE_F64, 3, shape), MLB_OK);
    CHECK_INT_EQ(t.strides[0], 12);
    CHECK_INT_EQ(t.strides[2], 1);
    uint64_t bytes = 0;
    CHECK_INT_EQ(mlb_tensor_desc_extent(&t, &bytes), MLB_OK);
    CHECK_INT_EQ(bytes, 2 * 3 * 4 * 8);
    t.byte_offset = 16;
    t.strides[0] = 100; /* padded rows: furthest element is at 100 + 2*4 + 3 */
    CHECK_INT_EQ(mlb_tensor_desc_extent(&t, &bytes), MLB_OK);
    CHECK_INT_EQ(bytes, 16 + (100 + 8 + 3 + 1) * 8);
    t.shape[1] = 0;
    CHECK_INT_EQ(mlb_tensor_desc_extent(&t, &bytes), MLB_OK);
    CHECK_INT_EQ(bytes, 0);
    CHECK_INT_EQ(mlb_tensor_desc_contiguous(&t, MLB_DTYPE_F32, 9, shape),
                 MLB_ERROR_INVALID_ARGUMENT);
    CHECK_INT_EQ(mlb_tensor_desc_contiguous(&t, 99, 3, shape), MLB_ERROR_INVALID_ARGUMENT);
    const int64_t big[2] = {INT64_MAX, 4};
    CHECK_INT_EQ(mlb_tensor_desc_contiguous(&t, MLB_DTYPE_F32, 2, big), MLB_ERROR_OUT_OF_RANGE);
}

static void test_launch(void) {
    mlb_stream s, s1, s_other;
    CHECK_INT_EQ(mlb_stream_create(dev0, 0, &s), MLB_OK);
    CHECK_INT_EQ(mlb_stream_create(dev1, 0, &s1), MLB_OK);
    CHECK_INT_EQ(mlb_stream_create(other, 0, &s_other), MLB_OK);
    test_op op;
    make_add(&op);
    mlb_kernel k;
    CHECK_INT_EQ(mlb_kernel_create(dev0, &op.desc, &k), MLB_OK);
    mlb_buffer a = alloc_buffer(dev0, 24), b = alloc_buffer(dev0, 24), o = alloc_buffer(dev0, 24);
    mlb_buffer small = alloc_buffer(dev0, 20), b1 = alloc_buffer(dev1, 24);
    mlb_buffer bx = alloc_buffer(other, 24);
    mlb_buffer ins[2] = {a, b}, outs[1] = {o};

    CHECK_INT_EQ(mlb_kernel_launch(k, s, ins, 2, outs, 1), MLB_OK);
    /* Extent outside the buffer. */
    outs[0] = small;
    CHECK_INT_EQ(mlb_kernel_launch(k, s, ins, 2, outs, 1), MLB_ERROR_OUT_OF_RANGE);
    CHECK_STR_EQ(mlb_last_error(),
                 "fixture_good: kernel_launch: output 0 needs 24 bytes but its buffer has 20");
    outs[0] = o;
    ins[1] = small;
    CHECK_INT_EQ(mlb_kernel_launch(k, s, ins, 2, outs, 1), MLB_ERROR_OUT_OF_RANGE);
    CHECK_STR_CONTAINS(mlb_last_error(), "input 1 needs 24 bytes");
    /* Device mismatch: a buffer of the plugin's other device, a stream of the other device. */
    ins[1] = b1;
    CHECK_INT_EQ(mlb_kernel_launch(k, s, ins, 2, outs, 1), MLB_ERROR_DEVICE_MISMATCH);
    CHECK_STR_EQ(mlb_last_error(), "fixture_good: kernel_launch: input 1 belongs to device "
                                   "fixture_good:1, not fixture_good:0");
    ins[1] = b;
    CHECK_INT_EQ(mlb_kernel_launch(k, s1, ins, 2, outs, 1), MLB_ERROR_DEVICE_MISMATCH);
    CHECK_STR_CONTAINS(mlb_last_error(), "stream belongs to device fixture_good:1");
    /* The same plugin device reached from another context is another device. */
    outs[0] = bx;
    CHECK_INT_EQ(mlb_kernel_launch(k, s, ins, 2, outs, 1), MLB_ERROR_DEVICE_MISMATCH);
    CHECK_STR_CONTAINS(mlb_last_error(),
                       "output 0 belongs to device fixture_good:0 of another context");
    CHECK_INT_EQ(mlb_kernel_launch(k, s_other, ins, 2, outs, 1), MLB_ERROR_DEVICE_MISMATCH);
    outs[0] = o;
    /* Counts, NULL arrays and handles. */
    CHECK_INT_EQ(mlb_kernel_launch(k, s, ins, 1, outs, 1), MLB_ERROR_INVALID_ARGUMENT);
    CHECK_STR_CONTAINS(mlb_last_error(), "add kernel takes 2 inputs and 1 outputs, got 1 and 1");
    CHECK_INT_EQ(mlb_kernel_launch(k, s, NULL, 2, outs, 1), MLB_ERROR_INVALID_ARGUMENT);
    ins[0] = NULL;
    CHECK_INT_EQ(mlb_kernel_launch(k, s, ins, 2, outs, 1), MLB_ERROR_INVALID_HANDLE);
    CHECK_STR_CONTAINS(mlb_last_error(), "input 0 is not a valid mlb_buffer");
    ins[0] = (mlb_buffer)s;
    CHECK_INT_EQ(mlb_kernel_launch(k, s, ins, 2, outs, 1), MLB_ERROR_INVALID_HANDLE);
    ins[0] = a;
    CHECK_INT_EQ(mlb_kernel_launch(NULL, s, ins, 2, outs, 1), MLB_ERROR_INVALID_HANDLE);
    CHECK_INT_EQ(mlb_kernel_launch(k, (mlb_stream)k, ins, 2, outs, 1), MLB_ERROR_INVALID_HANDLE);
    CHECK_INT_EQ(mlb_kernel_launch((mlb_kernel)a, s, ins, 2, outs, 1), MLB_ERROR_INVALID_HANDLE);

    /* Other calls that mix devices. */
    CHECK_INT_EQ(mlb_stream_copy_device_to_device(s, o, 0, b1, 0, 8), MLB_ERROR_DEVICE_MISMATCH);
    CHECK_INT_EQ(mlb_stream_memset(s1, o, 0, 0, 8), MLB_ERROR_DEVICE_MISMATCH);
    mlb_event e, e1;
    CHECK_INT_EQ(mlb_event_create(dev0, MLB_EVENT_TIMING, &e), MLB_OK);
    CHECK_INT_EQ(mlb_event_create(dev1, MLB_EVENT_TIMING, &e1), MLB_OK);
    CHECK_INT_EQ(mlb_event_record(e, s1), MLB_ERROR_DEVICE_MISMATCH);
    CHECK_INT_EQ(mlb_stream_wait_event(s1, e), MLB_ERROR_DEVICE_MISMATCH);
    float ms;
    CHECK_INT_EQ(mlb_event_elapsed_ms(e, e1, &ms), MLB_ERROR_DEVICE_MISMATCH);
    mlb_event_destroy(e);
    mlb_event_destroy(e1);

    /* Nothing above reached the plugin: the good launch still works. */
    CHECK_INT_EQ(mlb_kernel_launch(k, s, ins, 2, outs, 1), MLB_OK);
    CHECK_INT_EQ(mlb_stream_synchronize(s), MLB_OK);
    mlb_kernel_destroy(k);
    mlb_buffer_free(a);
    mlb_buffer_free(b);
    mlb_buffer_free(o);
    mlb_buffer_free(small);
    mlb_buffer_free(b1);
    mlb_buffer_free(bx);
    mlb_stream_destroy(s);
    mlb_stream_destroy(s1);
    mlb_stream_destroy(s_other);
}

int main(void) {
    if (fixtures_missing())
        return check_skip("fixture plugins not found (run under make check)");
    const char *paths[1] = {fixture("good")};
    CHECK_INT_EQ(open_paths(paths, 1, &ctx), MLB_OK);
    CHECK_INT_EQ(open_paths(paths, 1, &ctx2), MLB_OK);
    CHECK_INT_EQ(mlb_context_device_get(ctx, 0, &dev0), MLB_OK);
    CHECK_INT_EQ(mlb_context_device_get(ctx, 1, &dev1), MLB_OK);
    CHECK_INT_EQ(mlb_context_device_get(ctx2, 0, &other), MLB_OK);
    CHECK(dev0 != other);
    test_handles();
    test_buffer_desc();
    test_ranges();
    test_descriptors();
    test_tensor_helpers();
    test_launch();
    mlb_context_destroy(ctx2);
    mlb_context_destroy(ctx);
    return check_finish();
}
