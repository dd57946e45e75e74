/*
 * api_buffer.c - buffer calls: validate, then one dispatch to the plugin.
 */
#include "config.h"

#include "loader.h"

#include <stdlib.h>

MLB_API mlb_status mlb_buffer_alloc(mlb_device d, const mlb_buffer_desc *desc, mlb_buffer *out) {
    if (!mlb_valid_device(d))
        return mlb_fail_handle("buffer_alloc", "device", "mlb_device");
    const char *src = d->plugin->name;
    if (!out)
        return mlb_fail(MLB_ERROR_INVALID_ARGUMENT, src, "buffer_alloc: buffer is NULL");
    if (!desc || desc->struct_size < MLB_STRUCT_SIZE(mlb_buffer_desc, alignment))
        return mlb_fail(MLB_ERROR_INVALID_ARGUMENT, src,
                        "buffer_alloc: desc is NULL or its struct_size too small");
    if (desc->memory_kind >= d->memory_kind_count)
        return mlb_fail(MLB_ERROR_OUT_OF_RANGE, src,
                        "buffer_alloc: memory kind %u >= memory kind count %u of %s",
                        desc->memory_kind, d->memory_kind_count, d->name);
    if (desc->flags)
        return mlb_fail(MLB_ERROR_INVALID_ARGUMENT, src, "buffer_alloc: flags must be 0, got 0x%x",
                        desc->flags);
    if (desc->alignment & (desc->alignment - 1))
        return mlb_fail(MLB_ERROR_INVALID_ARGUMENT, src,
                        "buffer_alloc: alignment %llu is not a power of two",
                        (unsigned long long)desc->alignment);
    struct mlb_buffer_s *b = malloc(sizeof *b);
    if (!b)
        return mlb_fail(MLB_ERROR_OUT_OF_MEMORY, src, "buffer_alloc: out of host memory");
    mlb_buffer_desc copy = *desc;
    copy.struct_size = MLB_STRUCT_SIZE(mlb_buffer_desc, alignment);
    mlb_status st = d->plugin->fn.buffer_alloc(d->handle, &copy, &b->handle);
    if (st != MLB_OK) {
        free(b);
        return mlb_fail_plugin(d->plugin, st, "buffer_alloc");
    }
    b->tag = MLB_TAG_BUFFER;
    b->device = d;
    b->size = desc->size;
    mlb_object_created(d);
    *out = b;
    return MLB_OK;
}

MLB_API void mlb_buffer_free(mlb_buffer b) {
    if (!mlb_valid_buffer(b))
        return;
    mlb_device d = b->device;
    d->plugin->fn.buffer_free(b->handle);
    b->tag = MLB_TAG_DEAD;
    mlb_object_destroyed(d);
    free(b);
}

MLB_API uint64_t mlb_buffer_size(mlb_buffer b) {
    return mlb_valid_buffer(b) ? b->size : 0;
}

MLB_API mlb_device mlb_buffer_device(mlb_buffer b) {
    return mlb_valid_buffer(b) ? b->device : NULL;
}

MLB_API mlb_status mlb_buffer_host_pointer(mlb_buffer b, void **ptr) {
    if (!mlb_valid_buffer(b))
        return mlb_fail_handle("buffer_host_pointer", "buffer", "mlb_buffer");
    const mlb_plugin_rec *p = b->device->plugin;
    if (!ptr)
        return mlb_fail(MLB_ERROR_INVALID_ARGUMENT, p->name, "buffer_host_pointer: ptr is NULL");
    if (!p->fn.buffer_host_pointer)
        return mlb_fail_unsupported(p, "buffer_host_pointer");
    mlb_status st = p->fn.buffer_host_pointer(b->handle, ptr);
    return st == MLB_OK ? MLB_OK : mlb_fail_plugin(p, st, "buffer_host_pointer");
}

MLB_API mlb_status mlb_buffer_native_handle(mlb_buffer b, void **handle) {
    if (!mlb_valid_buffer(b))
        return mlb_fail_handle("buffer_native_handle", "buffer", "mlb_buffer");
    const mlb_plugin_rec *p = b->device->plugin;
    if (!handle)
        return mlb_fail(MLB_ERROR_INVALID_ARGUMENT, p->name,
                        "buffer_native_handle: handle is NULL");
    if (!p->fn.buffer_native_handle)
        return mlb_fail_unsupported(p, "buffer_native_handle");
    mlb_status st = p->fn.buffer_native_handle(b->handle, handle);
    return st == MLB_OK ? MLB_OK : mlb_fail_plugin(p, st, "buffer_native_handle");
}
