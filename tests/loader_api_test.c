/*
 * loader_api_test.c - every application call on the good fixture: plugin
 * and device listing, properties, buffers, copies, memset, streams, events,
 * kernels, the optional slots, errors and their per-thread messages, and the
 * name/status/dtype helpers.
 */
#include "config.h"

#include "loader_util.h"

static mlb_context ctx;
static mlb_device dev0, dev1;

static void test_listing(void) {
    CHECK_INT_EQ(mlb_context_plugin_count(ctx), 1);
    mlb_plugin_info pi = {.struct_size = MLB_STRUCT_SIZE(mlb_plugin_info, features)};
    CHECK_INT_EQ(mlb_context_plugin_info(ctx, 0, &pi), MLB_OK);
    CHECK_STR_EQ(pi.name, "fixture_good");
    CHECK_STR_EQ(pi.version, "1.0.0");
    CHECK_STR_EQ(pi.description, "loader test fixture (fixture_good)");
    CHECK_STR_EQ(pi.reason, "");
    CHECK_INT_EQ(pi.abi_version, MLB_ABI_VERSION);
    CHECK_INT_EQ(pi.device_count, 2);
    CHECK(pi.features & MLB_FEATURE_TIMING_EVENTS);
    CHECK_INT_EQ(mlb_context_plugin_info(ctx, 1, &pi), MLB_ERROR_OUT_OF_RANGE);
    pi.struct_size = 8;
    CHECK_INT_EQ(mlb_context_plugin_info(ctx, 0, &pi), MLB_ERROR_INVALID_ARGUMENT);

    CHECK_INT_EQ(mlb_context_device_count(ctx), 2);
    CHECK_INT_EQ(mlb_context_device_get(ctx, 0, &dev0), MLB_OK);
    CHECK_INT_EQ(mlb_context_device_get(ctx, 1, &dev1), MLB_OK);
    mlb_device d = NULL;
    CHECK_INT_EQ(mlb_context_device_get(ctx, 2, &d), MLB_ERROR_OUT_OF_RANGE);
    CHECK_STR_EQ(mlb_last_error(), "mlb: context_device_get: index 2 >= device count 2");
    CHECK_STR_EQ(mlb_device_name(dev0), "fixture_good:0");
    CHECK_STR_EQ(mlb_device_name(dev1), "fixture_good:1");
    CHECK_STR_EQ(mlb_device_plugin_name(dev1), "fixture_good");
    CHECK_INT_EQ(mlb_context_device_find(ctx, "fixture_good:1", &d), MLB_OK);
    CHECK(d == dev1);
    CHECK_INT_EQ(mlb_context_device_find(ctx, "fixture_good:7", &d), MLB_ERROR_NOT_FOUND);
    CHECK_STR_CONTAINS(mlb_last_error(), "no device named 'fixture_good:7'");
}

static void test_device(void) {
    mlb_device_props p = {.struct_size = MLB_STRUCT_SIZE(mlb_device_props, uuid)};
    CHECK_INT_EQ(mlb_device_get_props(dev1, &p), MLB_OK);
    CHECK_STR_EQ(p.name, "Fixture device 1");
    CHECK_STR_EQ(p.vendor, "ml_backend tests");
    CHECK_INT_EQ(p.kind, MLB_DEVICE_KIND_CPU);
    CHECK_INT_EQ(p.total_memory, 1ull << 30);
    CHECK_INT_EQ(p.memory_kind_count, 1);
    CHECK_INT_EQ(p.stream_priority_high, -2);
    CHECK(p.flags & MLB_DEVICE_FLAG_PCI_LOCATION);
    CHECK_INT_EQ(p.pci_bus, 0x3b);
    CHECK_INT_EQ(p.pci_function, 1);
    CHECK_INT_EQ(p.uuid[0], 0xf1);
    CHECK_INT_EQ(p.struct_size, MLB_STRUCT_SIZE(mlb_device_props, uuid));

    mlb_memory_kind_info mk = {.struct_size = MLB_STRUCT_SIZE(mlb_memory_kind_info, total_size)};
    CHECK_INT_EQ(mlb_device_get_memory_kind(dev0, 0, &mk), MLB_OK);
    CHECK_INT_EQ(mk.type, MLB_MEMORY_DEVICE_LOCAL);
    CHECK_INT_EQ(mk.alignment, 64);
    CHECK_INT_EQ(mlb_device_get_memory_kind(dev0, 1, &mk), MLB_ERROR_OUT_OF_RANGE);
    CHECK_INT_EQ(mlb_device_synchronize(dev0), MLB_OK);

    mlb_attr_value v = {.struct_size = MLB_STRUCT_SIZE(mlb_attr_value, str)};
    CHECK_INT_EQ(mlb_device_get_attribute(dev0, "fixture_answer", &v), MLB_OK);
    CHECK_INT_EQ(v.type, MLB_ATTR_INT64);
    CHECK_INT_EQ(v.i64, 42);
    CHECK_INT_EQ(mlb_device_get_attribute(dev0, "fixture_label", &v), MLB_OK);
    CHECK_STR_EQ(v.str, "fixture_good");
    CHECK_INT_EQ(mlb_device_get_attribute(dev0, "no_such_key", &v), MLB_ERROR_NOT_FOUND);
    CHECK_STR_EQ(mlb_last_error(),
                 "fixture_good: device_get_attribute: no attribute 'no_such_key'");
    CHECK_INT_EQ(mlb_device_get_attribute(dev0, "", &v), MLB_ERROR_INVALID_ARGUMENT);

    void *host = NULL;
    CHECK_INT_EQ(mlb_device_host_alloc(dev0, 256, &host), MLB_OK);
    CHECK(host != NULL);
    mlb_device_host_free(dev0, host);
    mlb_device_host_free(dev0, NULL);
    CHECK_INT_EQ(mlb_device_host_alloc(dev0, 0, &host), MLB_ERROR_INVALID_ARGUMENT);
}

static void test_buffers_and_copies(void) {
    mlb_memory_stats st0 = {.struct_size = MLB_STRUCT_SIZE(mlb_memory_stats, total_bytes)};
    CHECK_INT_EQ(mlb_device_get_memory_stats(dev0, &st0), MLB_OK);
    mlb_buffer a = alloc_buffer(dev0, 100), b = alloc_buffer(dev0, 100);
    mlb_memory_stats st1 = st0;
    CHECK_INT_EQ(mlb_device_get_memory_stats(dev0, &st1), MLB_OK);
    CHECK_INT_EQ(st1.bytes_in_use - st0.bytes_in_use, 200);
    CHECK_INT_EQ(st1.alloc_count - st0.alloc_count, 2);
    CHECK_INT_EQ(mlb_device_reset_peak_memory(dev0), MLB_OK);
    CHECK_INT_EQ(mlb_buffer_size(a), 100);
    CHECK(mlb_buffer_device(a) == dev0);

    /* An empty buffer is valid; an impossible size is OUT_OF_MEMORY with the plugin's detail. */
    mlb_buffer empty = alloc_buffer(dev0, 0);
    CHECK_INT_EQ(mlb_buffer_size(empty), 0);
    mlb_buffer_desc bd = {.struct_size = MLB_STRUCT_SIZE(mlb_buffer_desc, alignment)};
    bd.size = 1ull << 50;
    mlb_buffer huge = NULL;
    CHECK_INT_EQ(mlb_buffer_alloc(dev0, &bd, &huge), MLB_ERROR_OUT_OF_MEMORY);
    CHECK(huge == NULL);
    CHECK_STR_EQ(mlb_last_error(), "fixture_good: buffer_alloc: more than 1 TiB requested");
    bd.size = 64;
    bd.alignment = 4096;
    CHECK_INT_EQ(mlb_buffer_alloc(dev0, &bd, &huge), MLB_OK);
    void *hp = NULL;
    CHECK_INT_EQ(mlb_buffer_host_pointer(huge, &hp), MLB_OK);
    CHECK(((uintptr_t)hp & 4095) == 0);
    mlb_buffer_free(huge);

    mlb_stream s;
    CHECK_INT_EQ(mlb_stream_create(dev0, 0, &s), MLB_OK);
    unsigned char in[100], out[100];
    for (int i = 0; i < 100; ++i)
        in[i] = (unsigned char)i;
    CHECK_INT_EQ(mlb_stream_copy_host_to_device(s, a, 0, in, 100), MLB_OK);
    CHECK_INT_EQ(mlb_stream_copy_device_to_device(s, b, 10, a, 0, 90), MLB_OK);
    CHECK_INT_EQ(mlb_stream_memset(s, b, 0, 0xab, 10), MLB_OK);
    CHECK_INT_EQ(mlb_stream_copy_device_to_host(s, out, b, 0, 100), MLB_OK);
    CHECK_INT_EQ(mlb_stream_synchronize(s), MLB_OK);
    CHECK_INT_EQ(out[0], 0xab);
    CHECK_INT_EQ(out[9], 0xab);
    CHECK_INT_EQ(out[10], 0);
    CHECK_INT_EQ(out[99], 89);
    /* Zero-size copies at the end of a buffer are fine; one byte past is not. */
    CHECK_INT_EQ(mlb_stream_copy_host_to_device(s, a, 100, NULL, 0), MLB_OK);
    CHECK_INT_EQ(mlb_stream_copy_host_to_device(s, a, 100, in, 1), MLB_ERROR_OUT_OF_RANGE);
    CHECK_STR_EQ(mlb_last_error(), "fixture_good: stream_copy_host_to_device: dst range [100, "
                                   "+1) lies outside its buffer of 100 bytes");
    /* Overlapping regions of one buffer are refused; disjoint ones work. */
    CHECK_INT_EQ(mlb_stream_copy_device_to_device(s, a, 0, a, 10, 20), MLB_ERROR_INVALID_ARGUMENT);
    CHECK_INT_EQ(mlb_stream_copy_device_to_device(s, a, 0, a, 50, 50), MLB_OK);
    void *native = NULL;
    CHECK_INT_EQ(mlb_buffer_native_handle(a, &native), MLB_OK);
    CHECK(native != NULL);
    CHECK_INT_EQ(mlb_stream_native_handle(s, &native), MLB_OK);
    mlb_stream_destroy(s);
    mlb_buffer_free(a);
    mlb_buffer_free(b);
    mlb_buffer_free(empty);
    mlb_buffer_free(NULL);
}

static void on_done(void *user, mlb_status status) {
    *(int *)user = status == MLB_OK ? 1 : -1;
}

static void test_streams_and_events(void) {
    mlb_stream s1, s2, lo, hi;
    CHECK_INT_EQ(mlb_stream_create(dev0, 0, &s1), MLB_OK);
    CHECK_INT_EQ(mlb_stream_create(dev0, 0, &s2), MLB_OK);
    /* Priorities outside the device's range [-2, 0] are clamped (the fixture refuses others). */
    CHECK_INT_EQ(mlb_stream_create(dev0, 100, &lo), MLB_OK);
    CHECK_INT_EQ(mlb_stream_create(dev0, -100, &hi), MLB_OK);
    CHECK_INT_EQ(mlb_stream_query(s1), MLB_OK);

    mlb_event e0, e1, plain;
    CHECK_INT_EQ(mlb_event_create(dev0, MLB_EVENT_TIMING, &e0), MLB_OK);
    CHECK_INT_EQ(mlb_event_create(dev0, MLB_EVENT_TIMING, &e1), MLB_OK);
    CHECK_INT_EQ(mlb_event_create(dev0, 0, &plain), MLB_OK);
    CHECK_INT_EQ(mlb_event_create(dev0, 0x80, &plain), MLB_ERROR_INVALID_ARGUMENT);
    CHECK_INT_EQ(mlb_event_synchronize(plain), MLB_OK); /* never recorded: complete */
    CHECK_INT_EQ(mlb_event_record(e0, s1), MLB_OK);
    CHECK_INT_EQ(mlb_stream_wait_event(s2, e0), MLB_OK);
    CHECK_INT_EQ(mlb_event_record(e1, s2), MLB_OK);
    CHECK_INT_EQ(mlb_event_synchronize(e1), MLB_OK);
    CHECK_INT_EQ(mlb_event_query(e1), MLB_OK);
    float ms = -1;
    CHECK_INT_EQ(mlb_event_elapsed_ms(e0, e1, &ms), MLB_OK);
    CHECK(ms >= 0);
    /* The plugin's own error detail is passed on, named after the plugin. */
    CHECK_INT_EQ(mlb_event_elapsed_ms(e0, plain, &ms), MLB_ERROR_INVALID_STATE);
    CHECK_STR_EQ(mlb_last_error(),
                 "fixture_good: event_elapsed_ms: both events need MLB_EVENT_TIMING");

    int called = 0;
    CHECK_INT_EQ(mlb_stream_add_callback(s1, on_done, &called), MLB_OK);
    CHECK_INT_EQ(mlb_stream_synchronize(s1), MLB_OK);
    CHECK_INT_EQ(called, 1);
    CHECK_INT_EQ(mlb_stream_add_callback(s1, NULL, &called), MLB_ERROR_INVALID_ARGUMENT);

    mlb_event_destroy(e0);
    mlb_event_destroy(e1);
    mlb_event_destroy(plain);
    mlb_event_destroy(NULL);
    mlb_stream_destroy(s1);
    mlb_stream_destroy(s2);
    mlb_stream_destroy(lo);
    mlb_stream_destroy(hi);
    mlb_stream_destroy(NULL);
}

static void test_kernels(void) {
    CHECK(run_add(dev0, 1.0f));
    CHECK(run_add(dev1, 2.0f));

    test_op op;
    make_add(&op);
    CHECK_INT_EQ(mlb_op_supported(dev0, &op.desc), MLB_OK);
    op.t[0].dtype = MLB_DTYPE_F16;
    op.t[1].dtype = MLB_DTYPE_F16;
    op.t[2].dtype = MLB_DTYPE_F16;
    CHECK_INT_EQ(mlb_op_supported(dev0, &op.desc), MLB_ERROR_UNSUPPORTED);
    CHECK_STR_EQ(mlb_last_error(), "fixture_good: add: only f32");
    /* An op-specific error comes from the plugin with its detail. */
    make_add(&op);
    op.t[1].shape[1] = 1;
    op.t[1].strides[0] = 1;
    mlb_kernel k = NULL;
    CHECK_INT_EQ(mlb_kernel_create(dev0, &op.desc, &k), MLB_ERROR_INVALID_ARGUMENT);
    CHECK(k == NULL);
    CHECK_STR_EQ(mlb_last_error(), "fixture_good: add: input shapes differ from the output shape");
    /* Ops the fixture does not implement, and ops the loader does not know. */
    make_add(&op);
    op.desc.op = MLB_OP_MATMUL;
    CHECK_INT_EQ(mlb_op_supported(dev0, &op.desc), MLB_ERROR_UNSUPPORTED);
    op.desc.op = 77;
    CHECK_INT_EQ(mlb_op_supported(dev0, &op.desc), MLB_ERROR_UNSUPPORTED);
    CHECK_STR_EQ(mlb_last_error(), "fixture_good: op_supported: op 77 is not known to this loader "
                                   "(ABI 1.0)");
    op.desc.op = MLB_OP_VENDOR_FIRST + 5;
    CHECK_INT_EQ(mlb_op_supported(dev0, &op.desc), MLB_ERROR_UNSUPPORTED);
    CHECK_STR_EQ(mlb_last_error(), "fixture_good: op not implemented by the fixture");

    /* fill, then add broadcasting a row through stride 0, on a non-zero byte offset. */
    mlb_stream s;
    CHECK_INT_EQ(mlb_stream_create(dev0, 0, &s), MLB_OK);
    mlb_buffer fb = alloc_buffer(dev0, 6 * sizeof(float));
    make_fill(&op, 6, 2.5);
    CHECK_INT_EQ(mlb_kernel_create(dev0, &op.desc, &k), MLB_OK);
    const mlb_buffer fouts[1] = {fb};
    CHECK_INT_EQ(mlb_kernel_launch(k, s, NULL, 0, fouts, 1), MLB_OK);
    mlb_kernel_destroy(k);

    make_add(&op);
    op.t[1].strides[0] = 0;              /* b is one row [3] repeated */
    op.t[1].byte_offset = sizeof(float); /* starting at element 1 */
    mlb_buffer row = alloc_buffer(dev0, 4 * sizeof(float)), out = alloc_buffer(dev0, 24);
    const float rowv[4] = {100, 10, 20, 30};
    CHECK_INT_EQ(mlb_stream_copy_host_to_device(s, row, 0, rowv, sizeof rowv), MLB_OK);
    CHECK_INT_EQ(mlb_kernel_create(dev0, &op.desc, &k), MLB_OK);
    const mlb_buffer ins[2] = {fb, row}, outs[1] = {out};
    CHECK_INT_EQ(mlb_kernel_launch(k, s, ins, 2, outs, 1), MLB_OK);
    float res[6];
    CHECK_INT_EQ(mlb_stream_copy_device_to_host(s, res, out, 0, sizeof res), MLB_OK);
    CHECK_INT_EQ(mlb_stream_synchronize(s), MLB_OK);
    const float want[6] = {12.5f, 22.5f, 32.5f, 12.5f, 22.5f, 32.5f};
    for (int i = 0; i < 6; ++i)
        CHECK(res[i] == want[i]);
    /* A kernel may be destroyed right after its launch. */
    CHECK_INT_EQ(mlb_kernel_launch(k, s, ins, 2, outs, 1), MLB_OK);
    mlb_kernel_destroy(k);
    mlb_kernel_destroy(NULL);
    CHECK_INT_EQ(mlb_stream_synchronize(s), MLB_OK);
    mlb_buffer_free(fb);
    mlb_buffer_free(row);
    mlb_buffer_free(out);
    mlb_stream_destroy(s);
}

static void test_names(void) {
    CHECK_STR_EQ(mlb_status_name(MLB_OK), "MLB_OK");
    CHECK_STR_EQ(mlb_status_name(MLB_ERROR_DEVICE_MISMATCH), "MLB_ERROR_DEVICE_MISMATCH");
    CHECK_STR_EQ(mlb_status_name(9999), "MLB_UNKNOWN_STATUS");
    CHECK_STR_EQ(mlb_status_message(MLB_ERROR_NO_PLUGIN), "no usable plugin was found");
    CHECK_STR_EQ(mlb_status_message(-3), "unknown status");
    for (int32_t s = 0; s < MLB_STATUS_COUNT_; ++s)
        CHECK(strcmp(mlb_status_name(s), "MLB_UNKNOWN_STATUS") != 0);

    const char *dtypes[] = {"f32", "f16", "bf16", "f64", "i8", "u8", "i32", "i64", "bool"};
    const size_t sizes[] = {4, 2, 2, 8, 1, 1, 4, 8, 1};
    for (int32_t t = 1; t <= 9; ++t) {
        CHECK_STR_EQ(mlb_dtype_name(t), dtypes[t - 1]);
        CHECK_INT_EQ(mlb_dtype_size(t), sizes[t - 1]);
        CHECK_INT_EQ(mlb_dtype_from_name(dtypes[t - 1]), t);
    }
    CHECK(mlb_dtype_name(0) == NULL);
    CHECK(mlb_dtype_name(10) == NULL);
    CHECK_INT_EQ(mlb_dtype_size(42), 0);
    CHECK_INT_EQ(mlb_dtype_from_name("f128"), MLB_DTYPE_INVALID);
    CHECK_INT_EQ(mlb_dtype_from_name(NULL), MLB_DTYPE_INVALID);

    uint8_t code = 0, bits = 0;
    uint16_t lanes = 0;
    CHECK_INT_EQ(mlb_dtype_to_dlpack(MLB_DTYPE_BF16, &code, &bits, &lanes), MLB_OK);
    CHECK_INT_EQ(code, 4);
    CHECK_INT_EQ(bits, 16);
    CHECK_INT_EQ(lanes, 1);
    CHECK_INT_EQ(mlb_dtype_to_dlpack(MLB_DTYPE_BOOL, &code, &bits, &lanes), MLB_OK);
    CHECK_INT_EQ(code, 6);
    CHECK_INT_EQ(bits, 8);
    CHECK_INT_EQ(mlb_dtype_to_dlpack(MLB_DTYPE_U8, &code, &bits, &lanes), MLB_OK);
    CHECK_INT_EQ(code, 1);
    CHECK_INT_EQ(mlb_dtype_to_dlpack(MLB_DTYPE_I64, &code, &bits, &lanes), MLB_OK);
    CHECK_INT_EQ(code, 0);
    CHECK_INT_EQ(bits, 64);
    CHECK_INT_EQ(mlb_dtype_to_dlpack(MLB_DTYPE_F64, &code, &bits, &lanes), MLB_OK);
    CHECK_INT_EQ(code, 2);
    CHECK_INT_EQ(mlb_dtype_to_dlpack(0, &code, &bits, &lanes), MLB_ERROR_INVALID_ARGUMENT);

    CHECK_STR_EQ(mlb_op_name(MLB_OP_ADD), "add");
    CHECK_STR_EQ(mlb_op_name(MLB_OP_GELU_TANH), "gelu_tanh");
    CHECK_STR_EQ(mlb_op_name(MLB_OP_REDUCE_SUM), "reduce_sum");
    CHECK_STR_EQ(mlb_op_name(MLB_OP_LOG_SOFTMAX), "log_softmax");
    CHECK(mlb_op_name(MLB_OP_NONE) == NULL);
    CHECK(mlb_op_name(13) == NULL);
    CHECK_INT_EQ(mlb_op_from_name("gather"), MLB_OP_GATHER);
    CHECK_INT_EQ(mlb_op_from_name("layer_norm"), MLB_OP_LAYER_NORM);
    CHECK_INT_EQ(mlb_op_from_name("nope"), MLB_OP_NONE);
    /* Every named op round-trips. */
    int named = 0;
    for (int32_t op = 1; op < 256; ++op) {
        if (!mlb_op_name(op))
            continue;
        ++named;
        CHECK_INT_EQ(mlb_op_from_name(mlb_op_name(op)), op);
    }
    CHECK_INT_EQ(named, 35);

    CHECK_STR_EQ(mlb_plugin_state_name(MLB_PLUGIN_DISABLED), "disabled");
    CHECK_STR_EQ(mlb_log_level_name(MLB_LOG_WARN), "warn");
    CHECK_INT_EQ(mlb_loader_abi_version(), MLB_ABI_VERSION);
}

int main(void) {
    if (fixtures_missing())
        return check_skip("fixture plugins not found (run under make check)");
    const char *paths[1] = {fixture("good")};
    CHECK_INT_EQ(open_paths(paths, 1, &ctx), MLB_OK);
    test_listing();
    test_device();
    test_buffers_and_copies();
    test_streams_and_events();
    test_kernels();
    test_names();
    mlb_context_destroy(ctx);
    return check_finish();
}
