/*
 * api_stream.c - stream, copy and memset calls: validate, then one dispatch.
 */
#include "config.h"

#include "loader.h"

#include <stdlib.h>

#define STREAM_OR_FAIL(s, what)                                                                    \
    do {                                                                                           \
        if (MLB_UNLIKELY(!mlb_valid_stream(s)))                                                    \
            return mlb_fail_handle(what, "stream", "mlb_stream");                                  \
    } while (0)

/* A buffer argument must be a live buffer of the stream's device. */
static mlb_status check_buffer(mlb_stream s, mlb_buffer b, const char *what, const char *arg) {
    if (MLB_UNLIKELY(!mlb_valid_buffer(b)))
        return mlb_fail_handle(what, arg, "mlb_buffer");
    if (MLB_UNLIKELY(b->device != s->device))
        return mlb_fail_mismatch(what, arg, s->device, b->device);
    return MLB_OK;
}

MLB_API mlb_status mlb_stream_create(mlb_device d, int32_t priority, mlb_stream *out) {
    if (!mlb_valid_device(d))
        return mlb_fail_handle("stream_create", "device", "mlb_device");
    if (!out)
        return mlb_fail(MLB_ERROR_INVALID_ARGUMENT, d->plugin->name,
                        "stream_create: stream is NULL");
    if (priority < d->priority_min)
        priority = d->priority_min;
    if (priority > d->priority_max)
        priority = d->priority_max;
    struct mlb_stream_s *s = malloc(sizeof *s);
    if (!s)
        return mlb_fail(MLB_ERROR_OUT_OF_MEMORY, d->plugin->name,
                        "stream_create: out of host memory");
    mlb_status st = d->plugin->fn.stream_create(d->handle, priority, &s->handle);
    if (st != MLB_OK) {
        free(s);
        return mlb_fail_plugin(d->plugin, st, "stream_create");
    }
    s->tag = MLB_TAG_STREAM;
    s->device = d;
    s->fn = &d->plugin->fn;
    mlb_object_created(d);
    *out = s;
    return MLB_OK;
}

MLB_API void mlb_stream_destroy(mlb_stream s) {
    if (!mlb_valid_stream(s))
        return;
    mlb_device d = s->device;
    d->plugin->fn.stream_destroy(s->handle);
    s->tag = MLB_TAG_DEAD;
    mlb_object_destroyed(d);
    free(s);
}

MLB_HOT MLB_API mlb_status mlb_stream_synchronize(mlb_stream s) {
    STREAM_OR_FAIL(s, "stream_synchronize");
    mlb_status st = s->fn->stream_synchronize(s->handle);
    return MLB_LIKELY(st == MLB_OK) ? MLB_OK
                                    : mlb_fail_plugin(s->device->plugin, st, "stream_synchronize");
}

MLB_API mlb_status mlb_stream_query(mlb_stream s) {
    STREAM_OR_FAIL(s, "stream_query");
    const mlb_plugin_rec *p = s->device->plugin;
    mlb_status st = p->fn.stream_query(s->handle);
    return st == MLB_OK || st == MLB_NOT_READY ? st : mlb_fail_plugin(p, st, "stream_query");
}

MLB_API mlb_status mlb_stream_wait_event(mlb_stream s, mlb_event e) {
    STREAM_OR_FAIL(s, "stream_wait_event");
    if (!mlb_valid_event(e))
        return mlb_fail_handle("stream_wait_event", "event", "mlb_event");
    if (e->device != s->device)
        return mlb_fail_mismatch("stream_wait_event", "event", s->device, e->device);
    const mlb_plugin_rec *p = s->device->plugin;
    mlb_status st = p->fn.stream_wait_event(s->handle, e->handle);
    return st == MLB_OK ? MLB_OK : mlb_fail_plugin(p, st, "stream_wait_event");
}

MLB_API mlb_status mlb_stream_copy_host_to_device(mlb_stream s, mlb_buffer dst, uint64_t dst_offset,
                                                  const void *src, uint64_t size) {
    static const char what[] = "stream_copy_host_to_device";
    STREAM_OR_FAIL(s, what);
    mlb_status st = check_buffer(s, dst, what, "dst");
    if (st != MLB_OK)
        return st;
    const mlb_plugin_rec *p = s->device->plugin;
    if (!src && size)
        return mlb_fail(MLB_ERROR_INVALID_ARGUMENT, p->name, "%s: src is NULL", what);
    st = mlb_validate_range(dst->size, dst_offset, size, p->name, what, "dst");
    if (st != MLB_OK)
        return st;
    st = p->fn.copy_host_to_device(s->handle, dst->handle, dst_offset, src, size);
    return st == MLB_OK ? MLB_OK : mlb_fail_plugin(p, st, what);
}

MLB_API mlb_status mlb_stream_copy_device_to_host(mlb_stream s, void *dst, mlb_buffer src,
                                                  uint64_t src_offset, uint64_t size) {
    static const char what[] = "stream_copy_device_to_host";
    STREAM_OR_FAIL(s, what);
    mlb_status st = check_buffer(s, src, what, "src");
    if (st != MLB_OK)
        return st;
    const mlb_plugin_rec *p = s->device->plugin;
    if (!dst && size)
        return mlb_fail(MLB_ERROR_INVALID_ARGUMENT, p->name, "%s: dst is NULL", what);
    st = mlb_validate_range(src->size, src_offset, size, p->name, what, "src");
    if (st != MLB_OK)
        return st;
    st = p->fn.copy_device_to_host(s->handle, dst, src->handle, src_offset, size);
    return st == MLB_OK ? MLB_OK : mlb_fail_plugin(p, st, what);
}

MLB_API mlb_status mlb_stream_copy_device_to_device(mlb_stream s, mlb_buffer dst,
                                                    uint64_t dst_offset, mlb_buffer src,
                                                    uint64_t src_offset, uint64_t size) {
    static const char what[] = "stream_copy_device_to_device";
    STREAM_OR_FAIL(s, what);
    mlb_status st = check_buffer(s, dst, what, "dst");
    if (st == MLB_OK)
        st = check_buffer(s, src, what, "src");
    if (st != MLB_OK)
        return st;
    const mlb_plugin_rec *p = s->device->plugin;
    st = mlb_validate_range(dst->size, dst_offset, size, p->name, what, "dst");
    if (st == MLB_OK)
        st = mlb_validate_range(src->size, src_offset, size, p->name, what, "src");
    if (st != MLB_OK)
        return st;
    if (dst == src && size && dst_offset < src_offset + size && src_offset < dst_offset + size)
        return mlb_fail(MLB_ERROR_INVALID_ARGUMENT, p->name,
                        "%s: source and destination regions overlap", what);
    st = p->fn.copy_device_to_device(s->handle, dst->handle, dst_offset, src->handle, src_offset,
                                     size);
    return st == MLB_OK ? MLB_OK : mlb_fail_plugin(p, st, what);
}

MLB_API mlb_status mlb_stream_memset(mlb_stream s, mlb_buffer dst, uint64_t offset, uint8_t value,
                                     uint64_t size) {
    static const char what[] = "stream_memset";
    STREAM_OR_FAIL(s, what);
    mlb_status st = check_buffer(s, dst, what, "dst");
    if (st != MLB_OK)
        return st;
    const mlb_plugin_rec *p = s->device->plugin;
    st = mlb_validate_range(dst->size, offset, size, p->name, what, "dst");
    if (st != MLB_OK)
        return st;
    st = p->fn.memset(s->handle, dst->handle, offset, value, size);
    return st == MLB_OK ? MLB_OK : mlb_fail_plugin(p, st, what);
}

MLB_API mlb_status mlb_stream_add_callback(mlb_stream s, mlb_host_fn fn, void *user_data) {
    STREAM_OR_FAIL(s, "stream_add_callback");
    const mlb_plugin_rec *p = s->device->plugin;
    if (!fn)
        return mlb_fail(MLB_ERROR_INVALID_ARGUMENT, p->name, "stream_add_callback: fn is NULL");
    if (!p->fn.stream_add_callback)
        return mlb_fail_unsupported(p, "stream_add_callback");
    mlb_status st = p->fn.stream_add_callback(s->handle, fn, user_data);
    return st == MLB_OK ? MLB_OK : mlb_fail_plugin(p, st, "stream_add_callback");
}

MLB_API mlb_status mlb_stream_native_handle(mlb_stream s, void **handle) {
    STREAM_OR_FAIL(s, "stream_native_handle");
    const mlb_plugin_rec *p = s->device->plugin;
    if (!handle)
        return mlb_fail(MLB_ERROR_INVALID_ARGUMENT, p->name,
                        "stream_native_handle: handle is NULL");
    if (!p->fn.stream_native_handle)
        return mlb_fail_unsupported(p, "stream_native_handle");
    mlb_status st = p->fn.stream_native_handle(s->handle, handle);
    return st == MLB_OK ? MLB_OK : mlb_fail_plugin(p, st, "stream_native_handle");
}
