/*
 * runtime_failure_test.c - failures of queued work, tested on cpu_ref's
 * runtime linked with a stand-in op registry (test_ops.c) whose one op,
 * test_set, fills a u8 tensor or fails with a chosen status on request.
 *
 * Sticky errors (later work skipped, synchronize/query/events/callbacks all
 * report the first failure with its reason, first failure wins), the error not
 * leaking to other streams, device_synchronize reporting it, kernels destroyed
 * with launches queued, the deep copy of descriptors, launch validation.
 * Built twice: with cpu_ref's backend (every command through the worker) and,
 * as runtime_inline_test, with test_backend_inline.c (run_when_idle).
 */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "ml_backend.h"
#include "runtime_test.h"
#include "test_ops.h"

static const mlb_plugin_api *api;
static mlb_plugin_device dev;

static const char *last_error(void) {
    const char *e = api->get_last_error();
    return e ? e : "";
}

static mlb_plugin_kernel make_set(uint64_t n, uint64_t offset, int32_t value, int32_t fail) {
    mlb_tensor_desc t = tensor_1d(MLB_DTYPE_U8, (int64_t)n);
    t.byte_offset = offset;
    const mlb_tensor_desc *outs[1] = {&t};
    test_set_attrs a = {sizeof(test_set_attrs), value, fail};
    mlb_op_desc d = {MLB_STRUCT_SIZE(mlb_op_desc, attrs), TEST_OP_SET, 0, 1, 0, NULL, outs, &a};
    mlb_plugin_kernel k = NULL;
    CHECK_INT_EQ(api->kernel_create(dev, &d, &k), MLB_OK);
    return k;
}

static void test_sticky(void) {
    mlb_plugin_stream s = NULL, other = NULL;
    mlb_plugin_event before = NULL, after = NULL;
    CHECK_INT_EQ(api->stream_create(dev, 0, &s), MLB_OK);
    CHECK_INT_EQ(api->stream_create(dev, 0, &other), MLB_OK);
    CHECK_INT_EQ(api->event_create(dev, 0, &before), MLB_OK);
    CHECK_INT_EQ(api->event_create(dev, 0, &after), MLB_OK);
    mlb_plugin_buffer b = alloc_buffer(api, dev, 0, 8);
    mlb_plugin_kernel fail1 = make_set(8, 0, 1, MLB_ERROR_OUT_OF_RANGE);
    mlb_plugin_kernel fail2 = make_set(8, 0, 2, MLB_ERROR_INTERNAL);
    mlb_plugin_kernel set9 = make_set(8, 0, 9, MLB_OK);
    uint8_t a[8] = {5, 5, 5, 5, 5, 5, 5, 5}, z[8] = {0}, late[8] = {0}, out[8] = {0};
    volatile mlb_status cb_status = -1;

    CHECK_INT_EQ(api->copy_host_to_device(s, b, 0, a, 8), MLB_OK);
    CHECK_INT_EQ(api->event_record(before, s), MLB_OK);
    CHECK_INT_EQ(api->kernel_launch(fail1, s, NULL, 0, &b, 1), MLB_OK); /* fails when run */
    CHECK_INT_EQ(api->copy_host_to_device(s, b, 0, z, 8), MLB_OK);      /* skipped */
    CHECK_INT_EQ(api->kernel_launch(set9, s, NULL, 0, &b, 1), MLB_OK);  /* skipped */
    CHECK_INT_EQ(api->kernel_launch(fail2, s, NULL, 0, &b, 1), MLB_OK); /* skipped: no 2nd error */
    CHECK_INT_EQ(api->copy_device_to_host(s, late, b, 0, 8), MLB_OK);   /* skipped */
    CHECK_INT_EQ(api->event_record(after, s), MLB_OK);
    CHECK_INT_EQ(api->stream_add_callback(s, note_status, (void *)&cb_status), MLB_OK);

    CHECK_INT_EQ(api->stream_synchronize(s), MLB_ERROR_OUT_OF_RANGE);
    CHECK_STR_CONTAINS(last_error(), "failing on request (value 1)"); /* the first failure */
    CHECK_STR_CONTAINS(last_error(), "kernel launch failed");
    CHECK_INT_EQ(api->stream_synchronize(s), MLB_ERROR_OUT_OF_RANGE); /* sticky */
    CHECK_INT_EQ(api->stream_query(s), MLB_ERROR_OUT_OF_RANGE);
    CHECK_STR_CONTAINS(last_error(), "value 1");
    CHECK_INT_EQ(cb_status, MLB_ERROR_OUT_OF_RANGE); /* callbacks still run, with the error */
    CHECK_INT_EQ(api->event_query(before), MLB_OK);  /* recorded before the failure */
    CHECK_INT_EQ(api->event_synchronize(before), MLB_OK);
    CHECK_INT_EQ(api->event_query(after), MLB_ERROR_OUT_OF_RANGE);
    CHECK_INT_EQ(api->event_synchronize(after), MLB_ERROR_OUT_OF_RANGE);
    CHECK_STR_CONTAINS(last_error(), "value 1");
    CHECK(memcmp(late, z, 8) == 0); /* the d2h never ran */
    CHECK_INT_EQ(api->device_synchronize(dev), MLB_ERROR_OUT_OF_RANGE);
    CHECK_STR_CONTAINS(last_error(), "value 1");

    /* Work queued after the failure is accepted and skipped; the error stays. */
    CHECK_INT_EQ(api->memset(s, b, 0, 0xFF, 8), MLB_OK);
    CHECK_INT_EQ(api->stream_synchronize(s), MLB_ERROR_OUT_OF_RANGE);

    /* The buffer still holds what was there before the failure: nothing later ran. */
    CHECK_INT_EQ(api->copy_device_to_host(other, out, b, 0, 8), MLB_OK);
    CHECK_INT_EQ(api->stream_synchronize(other), MLB_OK);
    CHECK(memcmp(out, a, 8) == 0);

    /* An event that completed with the error: another stream's wait on it still completes,
     * and the error stays on the stream where it happened. */
    CHECK_INT_EQ(api->stream_wait_event(other, after), MLB_OK);
    CHECK_INT_EQ(api->kernel_launch(set9, other, NULL, 0, &b, 1), MLB_OK);
    CHECK_INT_EQ(api->copy_device_to_host(other, out, b, 0, 8), MLB_OK);
    CHECK_INT_EQ(api->stream_synchronize(other), MLB_OK);
    CHECK(out[0] == 9 && out[7] == 9);

    /* Timing events recorded after the failure answer the error. */
    mlb_plugin_event t1 = NULL, t2 = NULL;
    float ms = 0;
    CHECK_INT_EQ(api->event_create(dev, MLB_EVENT_TIMING, &t1), MLB_OK);
    CHECK_INT_EQ(api->event_create(dev, MLB_EVENT_TIMING, &t2), MLB_OK);
    CHECK_INT_EQ(api->event_record(t1, s), MLB_OK);
    CHECK_INT_EQ(api->event_record(t2, s), MLB_OK);
    CHECK_INT_EQ(api->event_synchronize(t2), MLB_ERROR_OUT_OF_RANGE);
    CHECK_INT_EQ(api->event_synchronize(t1), MLB_ERROR_OUT_OF_RANGE);
    CHECK_INT_EQ(api->event_elapsed_ms(t1, t2, &ms), MLB_ERROR_OUT_OF_RANGE);
    api->event_destroy(t1);
    api->event_destroy(t2);

    api->kernel_destroy(fail1);
    api->kernel_destroy(fail2);
    api->kernel_destroy(set9);
    api->event_destroy(before);
    api->event_destroy(after);
    api->stream_destroy(s); /* a failed stream is destroyed like any other */
    CHECK_INT_EQ(api->device_synchronize(dev), MLB_OK); /* the failed stream is gone */
    api->stream_destroy(other);
    api->buffer_free(b);
}

/* A kernel destroyed while launches are queued still runs them (ASan sees any use after free). */
static void test_kernel_destroy_queued(void) {
    gate g;
    gate_init(&g);
    mlb_plugin_stream s = NULL;
    CHECK_INT_EQ(api->stream_create(dev, 0, &s), MLB_OK);
    mlb_plugin_buffer b = alloc_buffer(api, dev, 0, 32);
    uint8_t out[32];
    mlb_plugin_kernel k = make_set(10, 11, 42, MLB_OK);
    CHECK_INT_EQ(api->memset(s, b, 0, 0, 32), MLB_OK);
    CHECK_INT_EQ(api->stream_add_callback(s, gate_callback, &g), MLB_OK);
    for (int i = 0; i < 5; ++i) {
        CHECK_INT_EQ(api->kernel_launch(k, s, NULL, 0, &b, 1), MLB_OK);
    }
    api->kernel_destroy(k);
    CHECK_INT_EQ(api->copy_device_to_host(s, out, b, 0, 32), MLB_OK);
    gate_wait_entered(&g);
    CHECK_INT_EQ(api->stream_query(s), MLB_NOT_READY);
    gate_open(&g);
    CHECK_INT_EQ(api->stream_synchronize(s), MLB_OK);
    CHECK(out[10] == 0 && out[11] == 42 && out[20] == 42 && out[21] == 0);
    api->buffer_free(b);
    api->stream_destroy(s);
    gate_fini(&g);
}

/* kernel_create copies the descriptor: changing the caller's structs later changes nothing.
 * kernel_launch checks buffers against the tensors. */
static void test_kernel_copy_and_launch_checks(void) {
    mlb_tensor_desc t = tensor_1d(MLB_DTYPE_U8, 4);
    const mlb_tensor_desc *outs[1] = {&t};
    test_set_attrs a = {sizeof(test_set_attrs), 3, MLB_OK};
    mlb_op_desc d = {MLB_STRUCT_SIZE(mlb_op_desc, attrs), TEST_OP_SET, 0, 1, 0, NULL, outs, &a};
    mlb_plugin_kernel k = NULL;
    CHECK_INT_EQ(api->kernel_create(dev, &d, &k), MLB_OK);
    t.shape[0] = 1000;
    t.byte_offset = 999;
    a.value = 300;
    a.fail_status = MLB_ERROR_INTERNAL;

    mlb_plugin_stream s = NULL;
    CHECK_INT_EQ(api->stream_create(dev, 0, &s), MLB_OK);
    mlb_plugin_buffer b = alloc_buffer(api, dev, 0, 8), tiny = alloc_buffer(api, dev, 0, 3);
    uint8_t out[8];
    CHECK_INT_EQ(api->memset(s, b, 0, 0, 8), MLB_OK);
    CHECK_INT_EQ(api->kernel_launch(k, s, NULL, 0, &b, 1), MLB_OK);
    CHECK_INT_EQ(api->copy_device_to_host(s, out, b, 0, 8), MLB_OK);
    CHECK_INT_EQ(api->stream_synchronize(s), MLB_OK);
    CHECK(out[0] == 3 && out[3] == 3 && out[4] == 0);

    CHECK_INT_EQ(api->kernel_launch(k, s, NULL, 0, &tiny, 1), MLB_ERROR_OUT_OF_RANGE);
    CHECK_STR_CONTAINS(last_error(), "output 0 reaches byte 4 of a buffer of 3");
    CHECK_INT_EQ(api->kernel_launch(k, s, NULL, 1, &b, 1), MLB_ERROR_INVALID_ARGUMENT);
    CHECK_INT_EQ(api->kernel_launch(k, s, NULL, 0, &b, 2), MLB_ERROR_INVALID_ARGUMENT);
    CHECK_INT_EQ(api->kernel_launch(k, s, NULL, 0, NULL, 1), MLB_ERROR_INVALID_ARGUMENT);
    mlb_plugin_buffer nul = NULL;
    CHECK_INT_EQ(api->kernel_launch(k, s, NULL, 0, &nul, 1), MLB_ERROR_INVALID_HANDLE);
    CHECK_INT_EQ(api->kernel_launch(NULL, s, NULL, 0, &b, 1), MLB_ERROR_INVALID_HANDLE);
    CHECK_INT_EQ(api->kernel_launch(k, NULL, NULL, 0, &b, 1), MLB_ERROR_INVALID_HANDLE);
    CHECK_INT_EQ(api->stream_synchronize(s), MLB_OK); /* rejected launches queued nothing */

    /* The op family's check decides, with its reason. */
    a.fail_status = MLB_OK;
    t.shape[0] = 4;
    t.byte_offset = 0;
    mlb_plugin_kernel k2 = (mlb_plugin_kernel)&d;
    CHECK_INT_EQ(api->kernel_create(dev, &d, &k2), MLB_ERROR_INVALID_ARGUMENT);
    CHECK_STR_CONTAINS(last_error(), "value 300 outside [0, 255]");
    CHECK(k2 == (mlb_plugin_kernel)&d);
    t.dtype = MLB_DTYPE_F32;
    a.value = 1;
    CHECK_INT_EQ(api->op_supported(dev, &d), MLB_ERROR_UNSUPPORTED);
    CHECK_STR_CONTAINS(last_error(), "output must be 1-d u8");
    t.dtype = MLB_DTYPE_U8;
    CHECK_INT_EQ(api->op_supported(dev, &d), MLB_OK);
    /* The vendor op has no v1.0 attribute struct: cpu_ref requires all of it. */
    a.struct_size = offsetof(test_set_attrs, fail_status);
    CHECK_INT_EQ(api->op_supported(dev, &d), MLB_ERROR_INVALID_ARGUMENT);
    /* A newer, longer attribute struct is accepted (cpu_ref reads what it knows). */
    struct {
        test_set_attrs a;
        uint64_t appended;
    } longer = {{sizeof(longer), 1, MLB_OK}, 0xFFFFFFFFFFFFFFFFu};
    d.attrs = &longer;
    CHECK_INT_EQ(api->op_supported(dev, &d), MLB_OK);
    /* A newer, longer tensor descriptor too. */
    struct {
        mlb_tensor_desc t;
        uint64_t appended;
    } lt = {tensor_1d(MLB_DTYPE_U8, 4), 0};
    lt.t.struct_size = sizeof(lt);
    const mlb_tensor_desc *louts[1] = {&lt.t};
    d.outputs = louts;
    CHECK_INT_EQ(api->op_supported(dev, &d), MLB_OK);

    api->kernel_destroy(k);
    api->buffer_free(b);
    api->buffer_free(tiny);
    api->stream_destroy(s);
}

/* Destroying a stream whose queue holds a failing launch and more work. */
static void test_destroy_failed_pending(void) {
    gate g;
    gate_init(&g);
    mlb_plugin_stream s = NULL;
    CHECK_INT_EQ(api->stream_create(dev, 0, &s), MLB_OK);
    mlb_plugin_buffer b = alloc_buffer(api, dev, 0, 4);
    mlb_plugin_kernel k = make_set(4, 0, 1, MLB_ERROR_DEVICE);
    volatile mlb_status cb = -1;
    CHECK_INT_EQ(api->stream_add_callback(s, gate_callback, &g), MLB_OK);
    CHECK_INT_EQ(api->kernel_launch(k, s, NULL, 0, &b, 1), MLB_OK);
    api->kernel_destroy(k);
    CHECK_INT_EQ(api->memset(s, b, 0, 1, 4), MLB_OK);
    CHECK_INT_EQ(api->stream_add_callback(s, note_status, (void *)&cb), MLB_OK);
    gate_open(&g);
    api->stream_destroy(s);
    CHECK_INT_EQ(cb, MLB_ERROR_DEVICE);
    api->buffer_free(b);
    gate_fini(&g);
}

#ifdef RUNTIME_TEST_INLINE
/* The inline path itself: work enqueued on an idle stream has run when the call returns; work
 * enqueued behind a held stream waits its turn. */
static void test_inline(void) {
    gate g;
    gate_init(&g);
    mlb_plugin_stream s = NULL;
    CHECK_INT_EQ(api->stream_create(dev, 0, &s), MLB_OK);
    mlb_plugin_buffer b = alloc_buffer(api, dev, 1, 8);
    void *host = NULL;
    CHECK_INT_EQ(api->buffer_host_pointer(b, &host), MLB_OK);
    mlb_plugin_kernel set7 = make_set(8, 0, 7, MLB_OK), set3 = make_set(8, 0, 3, MLB_OK);
    CHECK_INT_EQ(api->kernel_launch(set7, s, NULL, 0, &b, 1), MLB_OK);
    CHECK_INT_EQ(api->stream_query(s), MLB_OK); /* done: it ran on this thread */
    CHECK_INT_EQ(((volatile uint8_t *)host)[7], 7);
    CHECK_INT_EQ(api->stream_add_callback(s, gate_callback, &g), MLB_OK);
    gate_wait_entered(&g);
    CHECK_INT_EQ(api->kernel_launch(set3, s, NULL, 0, &b, 1), MLB_OK); /* queued behind it */
    CHECK_INT_EQ(api->stream_query(s), MLB_NOT_READY);
    CHECK_INT_EQ(((volatile uint8_t *)host)[7], 7);
    gate_open(&g);
    CHECK_INT_EQ(api->stream_synchronize(s), MLB_OK);
    CHECK_INT_EQ(((volatile uint8_t *)host)[7], 3);
    api->kernel_destroy(set7);
    api->kernel_destroy(set3);
    api->buffer_free(b);
    api->stream_destroy(s);
    gate_fini(&g);
}
#endif

int main(void) {
    mlb_loader_info info = {MLB_STRUCT_SIZE(mlb_loader_info, log_user_data), MLB_ABI_VERSION, 0,
                            NULL, NULL};
    CHECK_INT_EQ(mlb_plugin_get_api(&info, &api), MLB_OK);
    if (!api) {
        return check_finish();
    }
    CHECK_INT_EQ(api->init(), MLB_OK);
    CHECK_INT_EQ(api->device_get(0, &dev), MLB_OK);

    test_sticky();
    test_kernel_destroy_queued();
    test_kernel_copy_and_launch_checks();
    test_destroy_failed_pending();
#ifdef RUNTIME_TEST_INLINE
    test_inline();
#endif

    api->shutdown();
    return check_finish();
}
