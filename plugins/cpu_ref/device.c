/*
 * device.c - the runtime's one device: properties, memory kinds, attributes and
 * the device-wide synchronize.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cpu_ref.h"

struct mlb_plugin_device_s cpuref_the_device = {
    .streams_mu = PTHREAD_MUTEX_INITIALIZER,
    .events_mu = PTHREAD_MUTEX_INITIALIZER,
    .events_cv = PTHREAD_COND_INITIALIZER,
    .stats_mu = PTHREAD_MUTEX_INITIALIZER,
};

static pthread_once_t setup_once = PTHREAD_ONCE_INIT;

static uint64_t sysconf_u64(int name) {
    long v = sysconf(name);
    return v > 0 ? (uint64_t)v : 0;
}

static void device_setup(void) {
    struct mlb_plugin_device_s *d = &cpuref_the_device;
    mlb_device_props *p = &d->props;
    d->page_size = sysconf_u64(_SC_PAGESIZE);
    if (!d->page_size) {
        d->page_size = 4096;
    }
    d->phys_bytes = sysconf_u64(_SC_PHYS_PAGES) * d->page_size;
    memset(p, 0, sizeof(*p));
    p->struct_size = MLB_STRUCT_SIZE(mlb_device_props, uuid);
    snprintf(p->name, sizeof(p->name), "%s", cpuref_the_backend.device_name);
    snprintf(p->vendor, sizeof(p->vendor), "%s", cpuref_the_backend.device_vendor);
    p->kind = MLB_DEVICE_KIND_CPU;
    p->flags = MLB_DEVICE_FLAG_HOST_ACCESSIBLE | MLB_DEVICE_FLAG_UNIFIED_MEMORY;
    p->total_memory = d->phys_bytes;
    p->memory_kind_count = CPUREF_MEMORY_KIND_COUNT;
    p->compute_units = (uint32_t)sysconf_u64(_SC_NPROCESSORS_ONLN);
    p->stream_priority_low = 0;
    p->stream_priority_high = 0;
    /* No PCI location: MLB_DEVICE_FLAG_PCI_LOCATION stays clear and the pci_* fields 0. */
    d->stats.struct_size = MLB_STRUCT_SIZE(mlb_memory_stats, total_bytes);
}

void cpuref_device_setup(void) {
    pthread_once(&setup_once, device_setup);
}

void cpuref_copy_out(void *dst, const void *full, size_t full_size) {
    size_t caller_size;
    memcpy(&caller_size, dst, sizeof(caller_size));
    size_t n = caller_size < full_size ? caller_size : full_size;
    memcpy((char *)dst + sizeof(size_t), (const char *)full + sizeof(size_t), n - sizeof(size_t));
}

/* INVALID_HANDLE unless `device` is the device. */
static mlb_status check_device(mlb_plugin_device device, const char *fn) {
    if (device != &cpuref_the_device) {
        return cpuref_error(MLB_ERROR_INVALID_HANDLE, "%s: not a device of this plugin", fn);
    }
    cpuref_device_setup();
    return MLB_OK;
}

/* INVALID_ARGUMENT unless `s` points at a struct whose struct_size holds at least itself. */
static mlb_status check_out_struct(const void *s, const char *fn, const char *what) {
    size_t size;
    if (!s) {
        return cpuref_error(MLB_ERROR_INVALID_ARGUMENT, "%s: %s is NULL", fn, what);
    }
    memcpy(&size, s, sizeof(size));
    if (size < sizeof(size_t)) {
        return cpuref_error(MLB_ERROR_INVALID_ARGUMENT,
                            "%s: %s->struct_size %zu is smaller than a size_t", fn, what, size);
    }
    return MLB_OK;
}

mlb_status cpuref_device_count(uint32_t *count) {
    if (!count) {
        return cpuref_error(MLB_ERROR_INVALID_ARGUMENT, "device_count: count is NULL");
    }
    *count = 1;
    return MLB_OK;
}

mlb_status cpuref_device_get(uint32_t index, mlb_plugin_device *device) {
    if (!device) {
        return cpuref_error(MLB_ERROR_INVALID_ARGUMENT, "device_get: device is NULL");
    }
    if (index != 0) {
        return cpuref_error(MLB_ERROR_OUT_OF_RANGE, "device_get: index %u, but there is 1 device",
                            index);
    }
    cpuref_device_setup();
    *device = &cpuref_the_device;
    return MLB_OK;
}

mlb_status cpuref_device_get_props(mlb_plugin_device device, mlb_device_props *props) {
    mlb_status st = check_device(device, "device_get_props");
    if (st == MLB_OK) {
        st = check_out_struct(props, "device_get_props", "props");
    }
    if (st == MLB_OK) {
        cpuref_copy_out(props, &device->props, sizeof(device->props));
    }
    return st;
}

mlb_status cpuref_device_get_memory_kind(mlb_plugin_device device, uint32_t index,
                                         mlb_memory_kind_info *info) {
    mlb_status st = check_device(device, "device_get_memory_kind");
    if (st == MLB_OK) {
        st = check_out_struct(info, "device_get_memory_kind", "info");
    }
    if (st != MLB_OK) {
        return st;
    }
    if (index >= CPUREF_MEMORY_KIND_COUNT) {
        return cpuref_error(MLB_ERROR_OUT_OF_RANGE,
                            "device_get_memory_kind: index %u, but there are %u kinds", index,
                            CPUREF_MEMORY_KIND_COUNT);
    }
    mlb_memory_kind_info full = {
        .struct_size = MLB_STRUCT_SIZE(mlb_memory_kind_info, total_size),
        .type = index == 0 ? MLB_MEMORY_DEVICE_LOCAL : MLB_MEMORY_HOST_VISIBLE,
        .flags = index == 0 ? 0u : (uint32_t)MLB_MEMORY_FLAG_HOST_ACCESSIBLE,
        .alignment = CPUREF_ALIGNMENT,
        .max_alloc_size = device->phys_bytes,
        .total_size = device->phys_bytes,
    };
    cpuref_copy_out(info, &full, sizeof(full));
    return MLB_OK;
}

mlb_status cpuref_device_synchronize(mlb_plugin_device device) {
    mlb_status st = check_device(device, "device_synchronize");
    if (st != MLB_OK) {
        return st;
    }
    /* Snapshot the live streams with a reference each, then wait without the list lock, so
     * that streams can be created and destroyed meanwhile (e.g. from a host callback). */
    size_t n = 0, cap = 0;
    mlb_plugin_stream *snap = NULL;
    pthread_mutex_lock(&device->streams_mu);
    for (mlb_plugin_stream s = device->streams; s; s = s->next_live) {
        ++cap;
    }
    if (cap) {
        snap = malloc(cap * sizeof(*snap));
    }
    if (cap && !snap) {
        pthread_mutex_unlock(&device->streams_mu);
        return cpuref_error(MLB_ERROR_OUT_OF_MEMORY,
                            "device_synchronize: no memory for %zu stream handles", cap);
    }
    for (mlb_plugin_stream s = device->streams; s; s = s->next_live) {
        atomic_fetch_add(&s->refs, 1);
        snap[n++] = s;
    }
    pthread_mutex_unlock(&device->streams_mu);
    /* The list is newest first: walk it backwards so "first error" means the oldest stream's. */
    mlb_status first = MLB_OK;
    char why[CPUREF_MSG_LEN + 64] = "";
    for (size_t i = n; i-- > 0;) {
        mlb_status s = cpuref_stream_synchronize(snap[i]);
        if (first == MLB_OK && s != MLB_OK) {
            first = s;
            snprintf(why, sizeof(why), "%s", cpuref_get_last_error());
        }
        cpuref_stream_release(snap[i]);
    }
    free(snap);
    if (first != MLB_OK) {
        return cpuref_error_verbatim(first, why); /* already prefixed */
    }
    return MLB_OK;
}

/* The widest SIMD extension of the host CPU, by name. */
static const char *host_simd(void) {
#if (defined(__x86_64__) || defined(__i386__)) && defined(__GNUC__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f")) {
        return "avx512f";
    }
    if (__builtin_cpu_supports("avx2")) {
        return "avx2";
    }
    if (__builtin_cpu_supports("avx")) {
        return "avx";
    }
    if (__builtin_cpu_supports("sse2")) {
        return "sse2";
    }
    return "none";
#elif defined(__aarch64__)
    return "neon";
#else
    return "none";
#endif
}

mlb_status cpuref_device_get_attribute(mlb_plugin_device device, const char *key,
                                       mlb_attr_value *value) {
    mlb_status st = check_device(device, "device_get_attribute");
    if (st == MLB_OK) {
        st = check_out_struct(value, "device_get_attribute", "value");
    }
    if (st == MLB_OK && !key) {
        st = cpuref_error(MLB_ERROR_INVALID_ARGUMENT, "device_get_attribute: key is NULL");
    }
    if (st != MLB_OK) {
        return st;
    }
    mlb_attr_value full;
    memset(&full, 0, sizeof(full));
    full.struct_size = MLB_STRUCT_SIZE(mlb_attr_value, str);
    if (strcmp(key, "threads") == 0) {
        full.type = MLB_ATTR_INT64;
        full.i64 = device->props.compute_units;
    } else if (strcmp(key, "page_size") == 0) {
        full.type = MLB_ATTR_INT64;
        full.i64 = (int64_t)device->page_size;
    } else if (strcmp(key, "simd") == 0) {
        full.type = MLB_ATTR_STRING;
        snprintf(full.str, sizeof(full.str), "%s", host_simd());
    } else if (strcmp(key, "plugin_version") == 0) {
        full.type = MLB_ATTR_STRING;
        snprintf(full.str, sizeof(full.str), "%s", PACKAGE_VERSION);
    } else if (cpuref_the_backend.get_attribute &&
               cpuref_the_backend.get_attribute(key, &full) == MLB_OK) {
        full.struct_size = MLB_STRUCT_SIZE(mlb_attr_value, str);
    } else {
        const char *extra = cpuref_the_backend.attribute_keys;
        return cpuref_error(MLB_ERROR_NOT_FOUND,
                            "device_get_attribute: unknown key \"%.64s\" (known: "
                            "threads, page_size, simd, plugin_version%s%s)",
                            key, extra && extra[0] ? ", " : "", extra ? extra : "");
    }
    cpuref_copy_out(value, &full, sizeof(full));
    return MLB_OK;
}
