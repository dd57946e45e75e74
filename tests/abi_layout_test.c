/*
 * abi_layout_test.c - pins the layout of every struct that crosses the ABI and
 * the numeric value of every enum. A failure here means the ABI changed: if it
 * was intended it needs a new MLB_ABI_VERSION_MAJOR (a move or resize) or is an
 * append (new fields after the last one, new enum values), and this file is
 * updated in the same commit.
 *
 * Sizes and offsets are pinned for LP64 (x86-64, aarch64); elsewhere the
 * layout part is skipped with a reason, the values are still checked.
 */
#include "ml_backend.h"
#include "check.h"

#define PIN_SIZE(type, size) CHECK_INT_EQ(sizeof(type), size)
#define PIN_OFFSET(type, field, off) CHECK_INT_EQ(offsetof(type, field), off)
#define PIN_VALUE(expr, value) CHECK_INT_EQ(expr, value)

static void pin_layout(void) {
    PIN_SIZE(mlb_tensor_desc, 152);
    PIN_OFFSET(mlb_tensor_desc, struct_size, 0);
    PIN_OFFSET(mlb_tensor_desc, dtype, 8);
    PIN_OFFSET(mlb_tensor_desc, rank, 12);
    PIN_OFFSET(mlb_tensor_desc, shape, 16);
    PIN_OFFSET(mlb_tensor_desc, strides, 80);
    PIN_OFFSET(mlb_tensor_desc, byte_offset, 144);
    PIN_SIZE(mlb_device_props, 208);
    PIN_OFFSET(mlb_device_props, name, 8);
    PIN_OFFSET(mlb_device_props, vendor, 72);
    PIN_OFFSET(mlb_device_props, kind, 136);
    PIN_OFFSET(mlb_device_props, flags, 140);
    PIN_OFFSET(mlb_device_props, total_memory, 144);
    PIN_OFFSET(mlb_device_props, memory_kind_count, 152);
    PIN_OFFSET(mlb_device_props, compute_units, 156);
    PIN_OFFSET(mlb_device_props, vendor_id, 160);
    PIN_OFFSET(mlb_device_props, device_id, 164);
    PIN_OFFSET(mlb_device_props, stream_priority_low, 168);
    PIN_OFFSET(mlb_device_props, stream_priority_high, 172);
    PIN_OFFSET(mlb_device_props, pci_domain, 176);
    PIN_OFFSET(mlb_device_props, pci_bus, 180);
    PIN_OFFSET(mlb_device_props, pci_device, 184);
    PIN_OFFSET(mlb_device_props, pci_function, 188);
    PIN_OFFSET(mlb_device_props, uuid, 192);
    PIN_SIZE(mlb_memory_kind_info, 40);
    PIN_OFFSET(mlb_memory_kind_info, type, 8);
    PIN_OFFSET(mlb_memory_kind_info, flags, 12);
    PIN_OFFSET(mlb_memory_kind_info, alignment, 16);
    PIN_OFFSET(mlb_memory_kind_info, max_alloc_size, 24);
    PIN_OFFSET(mlb_memory_kind_info, total_size, 32);
    PIN_SIZE(mlb_memory_stats, 64);
    PIN_OFFSET(mlb_memory_stats, bytes_in_use, 8);
    PIN_OFFSET(mlb_memory_stats, peak_bytes_in_use, 16);
    PIN_OFFSET(mlb_memory_stats, alloc_count, 24);
    PIN_OFFSET(mlb_memory_stats, free_count, 32);
    PIN_OFFSET(mlb_memory_stats, failed_alloc_count, 40);
    PIN_OFFSET(mlb_memory_stats, free_bytes, 48);
    PIN_OFFSET(mlb_memory_stats, total_bytes, 56);
    PIN_SIZE(mlb_attr_value, 160);
    PIN_OFFSET(mlb_attr_value, type, 8);
    PIN_OFFSET(mlb_attr_value, reserved, 12);
    PIN_OFFSET(mlb_attr_value, i64, 16);
    PIN_OFFSET(mlb_attr_value, f64, 24);
    PIN_OFFSET(mlb_attr_value, str, 32);
    PIN_SIZE(mlb_buffer_desc, 32);
    PIN_OFFSET(mlb_buffer_desc, memory_kind, 8);
    PIN_OFFSET(mlb_buffer_desc, flags, 12);
    PIN_OFFSET(mlb_buffer_desc, size, 16);
    PIN_OFFSET(mlb_buffer_desc, alignment, 24);
    PIN_SIZE(mlb_epilogue, 8);
    PIN_OFFSET(mlb_epilogue, has_bias, 0);
    PIN_OFFSET(mlb_epilogue, activation, 4);
    PIN_SIZE(mlb_fill_attrs, 24);
    PIN_OFFSET(mlb_fill_attrs, float_value, 8);
    PIN_OFFSET(mlb_fill_attrs, int_value, 16);
    PIN_SIZE(mlb_matmul_attrs, 16);
    PIN_OFFSET(mlb_matmul_attrs, epilogue, 8);
    PIN_SIZE(mlb_conv2d_attrs, 88);
    PIN_OFFSET(mlb_conv2d_attrs, layout, 8);
    PIN_OFFSET(mlb_conv2d_attrs, groups, 12);
    PIN_OFFSET(mlb_conv2d_attrs, stride, 16);
    PIN_OFFSET(mlb_conv2d_attrs, padding, 32);
    PIN_OFFSET(mlb_conv2d_attrs, dilation, 64);
    PIN_OFFSET(mlb_conv2d_attrs, epilogue, 80);
    PIN_SIZE(mlb_pool2d_attrs, 88);
    PIN_OFFSET(mlb_pool2d_attrs, mode, 8);
    PIN_OFFSET(mlb_pool2d_attrs, layout, 12);
    PIN_OFFSET(mlb_pool2d_attrs, kernel, 16);
    PIN_OFFSET(mlb_pool2d_attrs, stride, 32);
    PIN_OFFSET(mlb_pool2d_attrs, padding, 48);
    PIN_OFFSET(mlb_pool2d_attrs, count_include_pad, 80);
    PIN_SIZE(mlb_axis_attrs, 16);
    PIN_OFFSET(mlb_axis_attrs, axis, 8);
    PIN_SIZE(mlb_norm_attrs, 32);
    PIN_OFFSET(mlb_norm_attrs, axis, 8);
    PIN_OFFSET(mlb_norm_attrs, has_weight, 12);
    PIN_OFFSET(mlb_norm_attrs, has_bias, 16);
    PIN_OFFSET(mlb_norm_attrs, reserved, 20);
    PIN_OFFSET(mlb_norm_attrs, epsilon, 24);
    PIN_SIZE(mlb_reduce_attrs, 16);
    PIN_OFFSET(mlb_reduce_attrs, axes, 8);
    PIN_OFFSET(mlb_reduce_attrs, keepdims, 12);
    PIN_SIZE(mlb_op_desc, 48);
    PIN_OFFSET(mlb_op_desc, op, 8);
    PIN_OFFSET(mlb_op_desc, num_inputs, 12);
    PIN_OFFSET(mlb_op_desc, num_outputs, 16);
    PIN_OFFSET(mlb_op_desc, reserved, 20);
    PIN_OFFSET(mlb_op_desc, inputs, 24);
    PIN_OFFSET(mlb_op_desc, outputs, 32);
    PIN_OFFSET(mlb_op_desc, attrs, 40);
    PIN_SIZE(mlb_loader_info, 32);
    PIN_OFFSET(mlb_loader_info, abi_version, 8);
    PIN_OFFSET(mlb_loader_info, reserved, 12);
    PIN_OFFSET(mlb_loader_info, log, 16);
    PIN_OFFSET(mlb_loader_info, log_user_data, 24);
    PIN_SIZE(mlb_plugin_api, 384);
    PIN_OFFSET(mlb_plugin_api, abi_version, 8);
    PIN_OFFSET(mlb_plugin_api, reserved0, 12);
    PIN_OFFSET(mlb_plugin_api, name, 16);
    PIN_OFFSET(mlb_plugin_api, version, 24);
    PIN_OFFSET(mlb_plugin_api, description, 32);
    PIN_OFFSET(mlb_plugin_api, features, 40);
    PIN_OFFSET(mlb_plugin_api, reserved, 48);
    PIN_OFFSET(mlb_plugin_api, init, 80);
    PIN_OFFSET(mlb_plugin_api, shutdown, 88);
    PIN_OFFSET(mlb_plugin_api, device_count, 96);
    PIN_OFFSET(mlb_plugin_api, device_get, 104);
    PIN_OFFSET(mlb_plugin_api, device_get_props, 112);
    PIN_OFFSET(mlb_plugin_api, device_get_memory_kind, 120);
    PIN_OFFSET(mlb_plugin_api, device_synchronize, 128);
    PIN_OFFSET(mlb_plugin_api, buffer_alloc, 136);
    PIN_OFFSET(mlb_plugin_api, buffer_free, 144);
    PIN_OFFSET(mlb_plugin_api, stream_create, 152);
    PIN_OFFSET(mlb_plugin_api, stream_destroy, 160);
    PIN_OFFSET(mlb_plugin_api, stream_synchronize, 168);
    PIN_OFFSET(mlb_plugin_api, stream_query, 176);
    PIN_OFFSET(mlb_plugin_api, stream_wait_event, 184);
    PIN_OFFSET(mlb_plugin_api, copy_host_to_device, 192);
    PIN_OFFSET(mlb_plugin_api, copy_device_to_host, 200);
    PIN_OFFSET(mlb_plugin_api, copy_device_to_device, 208);
    PIN_OFFSET(mlb_plugin_api, memset, 216);
    PIN_OFFSET(mlb_plugin_api, event_create, 224);
    PIN_OFFSET(mlb_plugin_api, event_destroy, 232);
    PIN_OFFSET(mlb_plugin_api, event_record, 240);
    PIN_OFFSET(mlb_plugin_api, event_synchronize, 248);
    PIN_OFFSET(mlb_plugin_api, event_query, 256);
    PIN_OFFSET(mlb_plugin_api, op_supported, 264);
    PIN_OFFSET(mlb_plugin_api, kernel_create, 272);
    PIN_OFFSET(mlb_plugin_api, kernel_launch, 280);
    PIN_OFFSET(mlb_plugin_api, kernel_destroy, 288);
    PIN_OFFSET(mlb_plugin_api, get_last_error, 296);
    PIN_OFFSET(mlb_plugin_api, event_elapsed_ms, 304);
    PIN_OFFSET(mlb_plugin_api, device_get_memory_stats, 312);
    PIN_OFFSET(mlb_plugin_api, device_reset_peak_memory, 320);
    PIN_OFFSET(mlb_plugin_api, device_get_attribute, 328);
    PIN_OFFSET(mlb_plugin_api, buffer_host_pointer, 336);
    PIN_OFFSET(mlb_plugin_api, buffer_native_handle, 344);
    PIN_OFFSET(mlb_plugin_api, stream_native_handle, 352);
    PIN_OFFSET(mlb_plugin_api, stream_add_callback, 360);
    PIN_OFFSET(mlb_plugin_api, host_alloc, 368);
    PIN_OFFSET(mlb_plugin_api, host_free, 376);
    PIN_VALUE(MLB_PLUGIN_API_MIN_SIZE, 296);
}

static void pin_versioning(void) {
    PIN_VALUE(MLB_ABI_VERSION_MAJOR, 1);
    PIN_VALUE(MLB_ABI_VERSION_MINOR, 0);
    PIN_VALUE(MLB_ABI_VERSION, 0x00010000);
    PIN_VALUE(MLB_MAKE_VERSION(2, 7), 0x00020007);
    PIN_VALUE(MLB_VERSION_MAJOR(0x00030009), 3);
    PIN_VALUE(MLB_VERSION_MINOR(0x00030009), 9);
    PIN_VALUE(MLB_MAX_RANK, 8);
    PIN_VALUE(MLB_NAME_LEN, 64);
    /* MLB_STRUCT_SIZE ends at the named field, without trailing padding. */
    PIN_VALUE(MLB_STRUCT_SIZE(mlb_axis_attrs, axis), sizeof(size_t) + 4);
    mlb_axis_attrs a = {MLB_STRUCT_SIZE(mlb_axis_attrs, axis), 0};
    CHECK(MLB_HAS_FIELD(&a, mlb_axis_attrs, axis));
    a.struct_size = sizeof(size_t);
    CHECK(!MLB_HAS_FIELD(&a, mlb_axis_attrs, axis));
}

static void pin_statuses(void) {
    PIN_VALUE(MLB_OK, 0);
    PIN_VALUE(MLB_NOT_READY, 1);
    PIN_VALUE(MLB_ERROR_INVALID_ARGUMENT, 2);
    PIN_VALUE(MLB_ERROR_INVALID_HANDLE, 3);
    PIN_VALUE(MLB_ERROR_UNSUPPORTED, 4);
    PIN_VALUE(MLB_ERROR_OUT_OF_MEMORY, 5);
    PIN_VALUE(MLB_ERROR_OUT_OF_RANGE, 6);
    PIN_VALUE(MLB_ERROR_DEVICE_MISMATCH, 7);
    PIN_VALUE(MLB_ERROR_INVALID_STATE, 8);
    PIN_VALUE(MLB_ERROR_VERSION_MISMATCH, 9);
    PIN_VALUE(MLB_ERROR_PLUGIN_LOAD, 10);
    PIN_VALUE(MLB_ERROR_NO_PLUGIN, 11);
    PIN_VALUE(MLB_ERROR_NOT_FOUND, 12);
    PIN_VALUE(MLB_ERROR_DEVICE, 13);
    PIN_VALUE(MLB_ERROR_DEVICE_LOST, 14);
    PIN_VALUE(MLB_ERROR_INTERNAL, 15);
    PIN_VALUE(MLB_STATUS_COUNT_, 16);
}

static void pin_dtypes(void) {
    PIN_VALUE(MLB_DTYPE_INVALID, 0);
    PIN_VALUE(MLB_DTYPE_F32, 1);
    PIN_VALUE(MLB_DTYPE_F16, 2);
    PIN_VALUE(MLB_DTYPE_BF16, 3);
    PIN_VALUE(MLB_DTYPE_F64, 4);
    PIN_VALUE(MLB_DTYPE_I8, 5);
    PIN_VALUE(MLB_DTYPE_U8, 6);
    PIN_VALUE(MLB_DTYPE_I32, 7);
    PIN_VALUE(MLB_DTYPE_I64, 8);
    PIN_VALUE(MLB_DTYPE_BOOL, 9);
    PIN_VALUE(MLB_DTYPE_COUNT_1_0, 10);
}

static void pin_ops(void) {
    PIN_VALUE(MLB_OP_NONE, 0);
    PIN_VALUE(MLB_OP_NEG, 1);
    PIN_VALUE(MLB_OP_ABS, 2);
    PIN_VALUE(MLB_OP_EXP, 3);
    PIN_VALUE(MLB_OP_LOG, 4);
    PIN_VALUE(MLB_OP_SQRT, 5);
    PIN_VALUE(MLB_OP_RSQRT, 6);
    PIN_VALUE(MLB_OP_TANH, 7);
    PIN_VALUE(MLB_OP_SIGMOID, 8);
    PIN_VALUE(MLB_OP_RELU, 9);
    PIN_VALUE(MLB_OP_GELU, 10);
    PIN_VALUE(MLB_OP_GELU_TANH, 11);
    PIN_VALUE(MLB_OP_SILU, 12);
    PIN_VALUE(MLB_OP_ADD, 32);
    PIN_VALUE(MLB_OP_SUB, 33);
    PIN_VALUE(MLB_OP_MUL, 34);
    PIN_VALUE(MLB_OP_DIV, 35);
    PIN_VALUE(MLB_OP_MAXIMUM, 36);
    PIN_VALUE(MLB_OP_MINIMUM, 37);
    PIN_VALUE(MLB_OP_POW, 38);
    PIN_VALUE(MLB_OP_CAST, 64);
    PIN_VALUE(MLB_OP_COPY, 65);
    PIN_VALUE(MLB_OP_FILL, 66);
    PIN_VALUE(MLB_OP_MATMUL, 96);
    PIN_VALUE(MLB_OP_CONV2D, 97);
    PIN_VALUE(MLB_OP_POOL2D, 98);
    PIN_VALUE(MLB_OP_SOFTMAX, 128);
    PIN_VALUE(MLB_OP_LOG_SOFTMAX, 129);
    PIN_VALUE(MLB_OP_LAYER_NORM, 130);
    PIN_VALUE(MLB_OP_RMS_NORM, 131);
    PIN_VALUE(MLB_OP_REDUCE_SUM, 160);
    PIN_VALUE(MLB_OP_REDUCE_MEAN, 161);
    PIN_VALUE(MLB_OP_REDUCE_MAX, 162);
    PIN_VALUE(MLB_OP_REDUCE_MIN, 163);
    PIN_VALUE(MLB_OP_REDUCE_PROD, 164);
    PIN_VALUE(MLB_OP_GATHER, 192);
    PIN_VALUE(MLB_OP_VENDOR_FIRST, 0x40000000);
}

static void pin_other_enums(void) {
    PIN_VALUE(MLB_DEVICE_KIND_UNKNOWN, 0);
    PIN_VALUE(MLB_DEVICE_KIND_CPU, 1);
    PIN_VALUE(MLB_DEVICE_KIND_GPU, 2);
    PIN_VALUE(MLB_DEVICE_KIND_ACCELERATOR, 3);
    PIN_VALUE(MLB_DEVICE_FLAG_HOST_ACCESSIBLE, 1);
    PIN_VALUE(MLB_DEVICE_FLAG_UNIFIED_MEMORY, 2);
    PIN_VALUE(MLB_DEVICE_FLAG_PCI_LOCATION, 4);
    PIN_VALUE(MLB_MEMORY_DEVICE_LOCAL, 1);
    PIN_VALUE(MLB_MEMORY_HOST_VISIBLE, 2);
    PIN_VALUE(MLB_MEMORY_HOST_PINNED, 3);
    PIN_VALUE(MLB_MEMORY_FLAG_HOST_ACCESSIBLE, 1);
    PIN_VALUE(MLB_ATTR_NONE, 0);
    PIN_VALUE(MLB_ATTR_INT64, 1);
    PIN_VALUE(MLB_ATTR_FLOAT64, 2);
    PIN_VALUE(MLB_ATTR_STRING, 3);
    PIN_VALUE(MLB_EVENT_TIMING, 1);
    PIN_VALUE(MLB_LAYOUT_NCHW, 0);
    PIN_VALUE(MLB_LAYOUT_NHWC, 1);
    PIN_VALUE(MLB_POOL_MAX, 0);
    PIN_VALUE(MLB_POOL_AVG, 1);
    PIN_VALUE(MLB_LOG_ERROR, 1);
    PIN_VALUE(MLB_LOG_WARN, 2);
    PIN_VALUE(MLB_LOG_INFO, 3);
    PIN_VALUE(MLB_LOG_DEBUG, 4);
    PIN_VALUE(MLB_FEATURE_HOST_POINTER, 1);
    PIN_VALUE(MLB_FEATURE_TIMING_EVENTS, 2);
    PIN_VALUE(MLB_FEATURE_HOST_CALLBACKS, 4);
    PIN_VALUE(MLB_FEATURE_NATIVE_HANDLES, 8);
    PIN_VALUE(MLB_FEATURE_PINNED_HOST, 16);
    PIN_VALUE(MLB_FEATURE_MEMORY_STATS, 32);
    PIN_VALUE(MLB_FEATURE_FUSED_EPILOGUE, 64);
}

/* The v1.0 lists hold every op and dtype once, in enum order; they never change. */
static void pin_lists(void) {
#define LIST_ENTRY(v) v,
    static const int32_t ops[] = {MLB_OP_LIST_1_0(LIST_ENTRY)};
    static const int32_t dtypes[] = {MLB_DTYPE_LIST_1_0(LIST_ENTRY)};
#undef LIST_ENTRY
    PIN_VALUE(sizeof ops / sizeof ops[0], 35);
    PIN_VALUE(sizeof dtypes / sizeof dtypes[0], MLB_DTYPE_COUNT_1_0 - 1);
    for (size_t i = 1; i < sizeof ops / sizeof ops[0]; ++i) {
        CHECK(ops[i - 1] < ops[i]);
    }
    for (size_t i = 0; i < sizeof dtypes / sizeof dtypes[0]; ++i) {
        CHECK_INT_EQ(dtypes[i], (int32_t)i + 1);
    }
    PIN_VALUE(ops[0], MLB_OP_NEG);
    PIN_VALUE(ops[34], MLB_OP_GATHER);
}

int main(void) {
    pin_lists();
    pin_versioning();
    pin_statuses();
    pin_dtypes();
    pin_ops();
    pin_other_enums();
#if UINTPTR_MAX == UINT64_MAX && (defined(__x86_64__) || defined(__aarch64__))
    pin_layout();
    return check_finish();
#else
    int rc = check_finish();
    return rc ? rc : check_skip("struct layouts are pinned for LP64 x86-64/aarch64 only");
#endif
}
