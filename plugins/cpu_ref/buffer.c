/*
 * buffer.c - buffers (aligned host memory that the rest of the SDK must treat
 * as device memory), allocator statistics, pinned host memory.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cpu_ref.h"

/* Bumps the failure counter and answers OUT_OF_MEMORY with the reason. */
static mlb_status alloc_failed(struct mlb_plugin_device_s *d, uint64_t size, const char *reason) {
    pthread_mutex_lock(&d->stats_mu);
    ++d->stats.failed_alloc_count;
    pthread_mutex_unlock(&d->stats_mu);
    return cpuref_error(MLB_ERROR_OUT_OF_MEMORY, "buffer_alloc: %llu bytes: %s",
                        (unsigned long long)size, reason);
}

mlb_status cpuref_buffer_alloc(mlb_plugin_device device, const mlb_buffer_desc *desc,
                               mlb_plugin_buffer *buffer) {
    if (device != &cpuref_the_device) {
        return cpuref_error(MLB_ERROR_INVALID_HANDLE, "buffer_alloc: not a device of this plugin");
    }
    if (!desc || !buffer) {
        return cpuref_error(MLB_ERROR_INVALID_ARGUMENT, "buffer_alloc: %s is NULL",
                            desc ? "buffer" : "desc");
    }
    if (desc->struct_size < MLB_STRUCT_SIZE(mlb_buffer_desc, size)) {
        return cpuref_error(MLB_ERROR_INVALID_ARGUMENT,
                            "buffer_alloc: desc->struct_size %zu is too small (need %zu)",
                            desc->struct_size, MLB_STRUCT_SIZE(mlb_buffer_desc, size));
    }
    uint64_t align = MLB_HAS_FIELD(desc, mlb_buffer_desc, alignment) ? desc->alignment : 0;
    if (desc->memory_kind >= CPUREF_MEMORY_KIND_COUNT) {
        return cpuref_error(MLB_ERROR_INVALID_ARGUMENT,
                            "buffer_alloc: memory kind %u, but there are %u kinds",
                            desc->memory_kind, CPUREF_MEMORY_KIND_COUNT);
    }
    if (desc->flags != 0) {
        return cpuref_error(MLB_ERROR_INVALID_ARGUMENT,
                            "buffer_alloc: flags 0x%x, but no flag is defined", desc->flags);
    }
    if (align & (align - 1)) {
        return cpuref_error(MLB_ERROR_INVALID_ARGUMENT,
                            "buffer_alloc: alignment %llu is not a power of two",
                            (unsigned long long)align);
    }
    if (align < CPUREF_ALIGNMENT) {
        align = CPUREF_ALIGNMENT;
    }
    cpuref_device_setup();
    struct mlb_plugin_device_s *d = device;
    /* Refuse what cannot fit before asking malloc: overcommit would grant it lazily and
     * sanitizer allocators abort on absurd sizes. */
    if (desc->size > d->phys_bytes || align > d->phys_bytes) {
        return alloc_failed(d, desc->size, "more than the machine's physical memory");
    }
    mlb_plugin_buffer b = malloc(sizeof(*b));
    if (!b) {
        return alloc_failed(d, desc->size, "no memory for the buffer object");
    }
    void *p = NULL;
    int err = posix_memalign(&p, (size_t)align, desc->size ? (size_t)desc->size : 1);
    if (err != 0) {
        free(b);
        return alloc_failed(d, desc->size, strerror(err));
    }
    b->device = d;
    b->data = p;
    b->size = desc->size;
    b->memory_kind = desc->memory_kind;
    pthread_mutex_lock(&d->stats_mu);
    d->stats.bytes_in_use += b->size;
    if (d->stats.bytes_in_use > d->stats.peak_bytes_in_use) {
        d->stats.peak_bytes_in_use = d->stats.bytes_in_use;
    }
    ++d->stats.alloc_count;
    pthread_mutex_unlock(&d->stats_mu);
    *buffer = b;
    return MLB_OK;
}

void cpuref_buffer_free(mlb_plugin_buffer buffer) {
    if (!buffer) {
        return;
    }
    struct mlb_plugin_device_s *d = buffer->device;
    pthread_mutex_lock(&d->stats_mu);
    d->stats.bytes_in_use -= buffer->size;
    ++d->stats.free_count;
    pthread_mutex_unlock(&d->stats_mu);
    free(buffer->data);
    free(buffer);
}

mlb_status cpuref_buffer_check_range(mlb_plugin_buffer buffer, uint64_t offset, uint64_t size,
                                     const char *what) {
    if (offset > buffer->size || size > buffer->size - offset) {
        return cpuref_error(MLB_ERROR_OUT_OF_RANGE,
                            "%s: bytes [%llu, %llu + %llu) outside a buffer of %llu bytes", what,
                            (unsigned long long)offset, (unsigned long long)offset,
                            (unsigned long long)size, (unsigned long long)buffer->size);
    }
    return MLB_OK;
}

mlb_status cpuref_buffer_host_pointer(mlb_plugin_buffer buffer, void **ptr) {
    if (!buffer || !ptr) {
        return cpuref_error(buffer ? MLB_ERROR_INVALID_ARGUMENT : MLB_ERROR_INVALID_HANDLE,
                            "buffer_host_pointer: %s is NULL", buffer ? "ptr" : "buffer");
    }
    if (buffer->memory_kind != 1) {
        return cpuref_error(MLB_ERROR_UNSUPPORTED,
                            "buffer_host_pointer: memory kind %u is not host-accessible "
                            "(only kind 1 is)",
                            buffer->memory_kind);
    }
    *ptr = buffer->data;
    return MLB_OK;
}

mlb_status cpuref_buffer_native_handle(mlb_plugin_buffer buffer, void **handle) {
    if (!buffer || !handle) {
        return cpuref_error(buffer ? MLB_ERROR_INVALID_ARGUMENT : MLB_ERROR_INVALID_HANDLE,
                            "buffer_native_handle: %s is NULL", buffer ? "handle" : "buffer");
    }
    *handle = buffer->data;
    return MLB_OK;
}

mlb_status cpuref_device_get_memory_stats(mlb_plugin_device device, mlb_memory_stats *stats) {
    if (device != &cpuref_the_device) {
        return cpuref_error(MLB_ERROR_INVALID_HANDLE,
                            "device_get_memory_stats: not a device of this plugin");
    }
    if (!stats || stats->struct_size < sizeof(size_t)) {
        return cpuref_error(MLB_ERROR_INVALID_ARGUMENT,
                            "device_get_memory_stats: stats is NULL or its struct_size "
                            "is smaller than a size_t");
    }
    cpuref_device_setup();
    long avail = sysconf(_SC_AVPHYS_PAGES);
    pthread_mutex_lock(&device->stats_mu);
    mlb_memory_stats full = device->stats;
    pthread_mutex_unlock(&device->stats_mu);
    full.struct_size = MLB_STRUCT_SIZE(mlb_memory_stats, total_bytes);
    full.free_bytes = avail > 0 ? (uint64_t)avail * device->page_size : 0;
    full.total_bytes = device->phys_bytes;
    cpuref_copy_out(stats, &full, sizeof(full));
    return MLB_OK;
}

mlb_status cpuref_device_reset_peak_memory(mlb_plugin_device device) {
    if (device != &cpuref_the_device) {
        return cpuref_error(MLB_ERROR_INVALID_HANDLE,
                            "device_reset_peak_memory: not a device of this plugin");
    }
    pthread_mutex_lock(&device->stats_mu);
    device->stats.peak_bytes_in_use = device->stats.bytes_in_use;
    pthread_mutex_unlock(&device->stats_mu);
    return MLB_OK;
}

mlb_status cpuref_host_alloc(mlb_plugin_device device, uint64_t size, void **ptr) {
    if (device != &cpuref_the_device) {
        return cpuref_error(MLB_ERROR_INVALID_HANDLE, "host_alloc: not a device of this plugin");
    }
    if (!ptr) {
        return cpuref_error(MLB_ERROR_INVALID_ARGUMENT, "host_alloc: ptr is NULL");
    }
    cpuref_device_setup();
    void *p = NULL;
    if (size > device->phys_bytes ||
        posix_memalign(&p, CPUREF_ALIGNMENT, size ? (size_t)size : 1) != 0) {
        return cpuref_error(MLB_ERROR_OUT_OF_MEMORY, "host_alloc: %llu bytes: %s",
                            (unsigned long long)size, strerror(ENOMEM));
    }
    *ptr = p;
    return MLB_OK;
}

void cpuref_host_free(mlb_plugin_device device, void *ptr) {
    (void)device;
    free(ptr);
}
