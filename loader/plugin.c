/*
 * plugin.c - loading one plugin: dlopen, entry point, version negotiation,
 * required-slot checks, name filters, init and device enumeration. Each step
 * that fails leaves the record REJECTED (or DISABLED) with its status and a
 * reason, and undoes the steps before it.
 */
#include "config.h"

#include "loader.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Required slots: all must be non-NULL (they lie inside MLB_PLUGIN_API_MIN_SIZE). */
#define MLB_REQUIRED_SLOTS(X)                                                                      \
    X(init)                                                                                        \
    X(shutdown)                                                                                    \
    X(device_count)                                                                                \
    X(device_get)                                                                                  \
    X(device_get_props)                                                                            \
    X(device_get_memory_kind)                                                                      \
    X(device_synchronize)                                                                          \
    X(buffer_alloc)                                                                                \
    X(buffer_free)                                                                                 \
    X(stream_create)                                                                               \
    X(stream_destroy)                                                                              \
    X(stream_synchronize)                                                                          \
    X(stream_query)                                                                                \
    X(stream_wait_event)                                                                           \
    X(copy_host_to_device)                                                                         \
    X(copy_device_to_host)                                                                         \
    X(copy_device_to_device)                                                                       \
    X(memset)                                                                                      \
    X(event_create)                                                                                \
    X(event_destroy)                                                                               \
    X(event_record)                                                                                \
    X(event_synchronize)                                                                           \
    X(event_query)                                                                                 \
    X(op_supported)                                                                                \
    X(kernel_create)                                                                               \
    X(kernel_launch)                                                                               \
    X(kernel_destroy)

/* Optional slots: used only when inside the table's struct_size and non-NULL. */
#define MLB_OPTIONAL_SLOTS(X)                                                                      \
    X(get_last_error)                                                                              \
    X(event_elapsed_ms)                                                                            \
    X(device_get_memory_stats)                                                                     \
    X(device_reset_peak_memory)                                                                    \
    X(device_get_attribute)                                                                        \
    X(buffer_host_pointer)                                                                         \
    X(buffer_native_handle)                                                                        \
    X(stream_native_handle)                                                                        \
    X(stream_add_callback)                                                                         \
    X(host_alloc)                                                                                  \
    X(host_free)

static void set_result(mlb_plugin_rec *p, int32_t state, mlb_status status, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void set_result(mlb_plugin_rec *p, int32_t state, mlb_status status, const char *fmt, ...) {
    p->state = state;
    p->status = status;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->reason, sizeof p->reason, fmt, ap);
    va_end(ap);
}

static const char *base_name(const char *path) {
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

static const char *source_name(const mlb_plugin_rec *p) {
    return p->name[0] ? p->name : base_name(p->path);
}

/* The plugin's detail of its last error, or "". */
static const char *plugin_detail(const mlb_plugin_rec *p) {
    const char *d = mlb_plugin_detail(p);
    return d ? d : "";
}

static int valid_plugin_name(const char *name) {
    if (!name || !name[0])
        return 0;
    size_t n = 0;
    for (const char *c = name; *c; ++c, ++n) {
        if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '_'))
            return 0;
    }
    return n < MLB_NAME_LEN;
}

static void copy_string(char *dst, size_t cap, const char *src) {
    snprintf(dst, cap, "%s", src ? src : "");
}

/* Checks the table and copies the slots both sides know into p->fn. */
static int negotiate(mlb_plugin_rec *p, const mlb_plugin_api *api) {
    uint32_t major = MLB_VERSION_MAJOR(api->abi_version);
    uint32_t minor = MLB_VERSION_MINOR(api->abi_version);
    p->abi_version = api->abi_version;
    if (major != MLB_ABI_VERSION_MAJOR) {
        set_result(p, MLB_PLUGIN_REJECTED, MLB_ERROR_VERSION_MISMATCH,
                   "ABI version %u.%u is not supported: this loader speaks ABI major %u", major,
                   minor, (unsigned)MLB_ABI_VERSION_MAJOR);
        return 0;
    }
    if (api->struct_size < MLB_PLUGIN_API_MIN_SIZE) {
        set_result(p, MLB_PLUGIN_REJECTED, MLB_ERROR_PLUGIN_LOAD,
                   "function table too short: struct_size %zu < %zu (the required slots of "
                   "ABI %u.0)",
                   api->struct_size, (size_t)MLB_PLUGIN_API_MIN_SIZE,
                   (unsigned)MLB_ABI_VERSION_MAJOR);
        return 0;
    }
    if (!valid_plugin_name(api->name)) {
        set_result(p, MLB_PLUGIN_REJECTED, MLB_ERROR_PLUGIN_LOAD,
                   "invalid plugin name (must be 1-%d characters of [a-z0-9_])", MLB_NAME_LEN - 1);
        return 0;
    }
    copy_string(p->name, sizeof p->name, api->name);
    copy_string(p->version, sizeof p->version, api->version);
    copy_string(p->description, sizeof p->description, api->description);
    p->features = api->features;
#define CHECK_REQUIRED(slot)                                                                       \
    if (!api->slot) {                                                                              \
        set_result(p, MLB_PLUGIN_REJECTED, MLB_ERROR_PLUGIN_LOAD,                                  \
                   "required slot '" #slot "' is NULL");                                           \
        return 0;                                                                                  \
    }
    MLB_REQUIRED_SLOTS(CHECK_REQUIRED)
#undef CHECK_REQUIRED
    memset(&p->fn, 0, sizeof p->fn);
    memcpy(&p->fn, api, MLB_PLUGIN_API_MIN_SIZE);
    p->fn.struct_size = sizeof p->fn;
#define COPY_OPTIONAL(slot)                                                                        \
    if (MLB_HAS_FIELD(api, mlb_plugin_api, slot))                                                  \
        p->fn.slot = api->slot;
    MLB_OPTIONAL_SLOTS(COPY_OPTIONAL)
#undef COPY_OPTIONAL
    return 1;
}

/* MLB_PLUGINS / MLB_PLUGINS_DISABLE; returns 1 when the plugin may load. */
static int selected(struct mlb_context_s *ctx, mlb_plugin_rec *p) {
    const char *only = mlb_getenv("MLB_PLUGINS");
    const char *off = mlb_getenv("MLB_PLUGINS_DISABLE");
    if (only && only[0] && !mlb_name_in_list(only, p->name)) {
        set_result(p, MLB_PLUGIN_DISABLED, MLB_ERROR_NOT_FOUND, "not selected by MLB_PLUGINS=%s",
                   only);
    } else if (off && mlb_name_in_list(off, p->name)) {
        set_result(p, MLB_PLUGIN_DISABLED, MLB_ERROR_NOT_FOUND,
                   "disabled by MLB_PLUGINS_DISABLE=%s", off);
    } else {
        return 1;
    }
    mlb_log(&ctx->log, MLB_LOG_INFO, p->name, "%s (%s)", p->reason, p->path);
    return 0;
}

static int unique_name(struct mlb_context_s *ctx, mlb_plugin_rec *p) {
    for (mlb_plugin_rec *o = ctx->plugins; o < p; ++o) {
        if (o->state == MLB_PLUGIN_LOADED && strcmp(o->name, p->name) == 0) {
            set_result(p, MLB_PLUGIN_REJECTED, MLB_ERROR_PLUGIN_LOAD,
                       "duplicate plugin name '%s': already loaded from %s", p->name, o->path);
            return 0;
        }
    }
    return 1;
}

/* Lists the devices; on failure the plugin is rejected (the caller shuts it down). */
static int enumerate(mlb_plugin_rec *p) {
    uint32_t count = 0;
    mlb_status st = p->fn.device_count(&count);
    if (st != MLB_OK) {
        set_result(p, MLB_PLUGIN_REJECTED, st, "device enumeration failed: device_count: %s%s%s",
                   mlb_status_name(st), plugin_detail(p)[0] ? ": " : "", plugin_detail(p));
        return 0;
    }
    if (count > 4096) {
        set_result(p, MLB_PLUGIN_REJECTED, MLB_ERROR_PLUGIN_LOAD,
                   "device enumeration failed: implausible device count %u", count);
        return 0;
    }
    p->devices = calloc(count ? count : 1, sizeof *p->devices);
    if (!p->devices) {
        set_result(p, MLB_PLUGIN_REJECTED, MLB_ERROR_OUT_OF_MEMORY, "out of memory");
        return 0;
    }
    for (uint32_t i = 0; i < count; ++i) {
        struct mlb_device_s *d = &p->devices[i];
        const char *step = "device_get";
        st = p->fn.device_get(i, &d->handle);
        if (st == MLB_OK && !d->handle)
            st = MLB_ERROR_INTERNAL;
        mlb_device_props props;
        memset(&props, 0, sizeof props);
        props.struct_size = MLB_STRUCT_SIZE(mlb_device_props, uuid);
        if (st == MLB_OK) {
            step = "device_get_props";
            st = p->fn.device_get_props(d->handle, &props);
        }
        if (st != MLB_OK) {
            set_result(p, MLB_PLUGIN_REJECTED, st, "device enumeration failed: %s(%u): %s%s%s",
                       step, i, mlb_status_name(st), plugin_detail(p)[0] ? ": " : "",
                       plugin_detail(p));
            free(p->devices);
            p->devices = NULL;
            return 0;
        }
        d->tag = MLB_TAG_DEVICE;
        d->index = i;
        d->plugin = p;
        d->ctx = p->ctx;
        d->memory_kind_count = props.memory_kind_count ? props.memory_kind_count : 1;
        int32_t a = props.stream_priority_low, b = props.stream_priority_high;
        d->priority_min = a < b ? a : b;
        d->priority_max = a < b ? b : a;
        snprintf(d->name, sizeof d->name, "%s:%u", p->name, i);
    }
    p->device_count = count;
    return 1;
}

/* Undoes a load that got as far as an open library (lock held). */
static void close_library(struct mlb_context_s *ctx, mlb_plugin_rec *p) {
    mlb_registry_release(p->lib, &ctx->log);
    p->lib = NULL;
    dlclose(p->dl);
    p->dl = NULL;
}

void mlb_plugin_load(struct mlb_context_s *ctx, mlb_plugin_rec *p) {
    p->ctx = ctx;
    void *dl = dlopen(p->real_path ? p->real_path : p->path, RTLD_NOW | RTLD_LOCAL);
    if (!dl) {
        const char *err = dlerror();
        set_result(p, MLB_PLUGIN_REJECTED, MLB_ERROR_PLUGIN_LOAD,
                   "not a loadable shared library: %s", err ? err : "dlopen failed");
        goto report;
    }
    mlb_registry_lock();
    p->dl = dl;
    p->lib = mlb_registry_acquire(dl, base_name(p->path), &ctx->log);
    if (!p->lib) {
        set_result(p, MLB_PLUGIN_REJECTED, MLB_ERROR_OUT_OF_MEMORY, "out of memory");
        goto close;
    }
    mlb_plugin_get_api_fn entry;
    *(void **)&entry = dlsym(dl, MLB_PLUGIN_ENTRY_NAME);
    if (!entry) {
        set_result(p, MLB_PLUGIN_REJECTED, MLB_ERROR_PLUGIN_LOAD,
                   "no entry point: the library does not export " MLB_PLUGIN_ENTRY_NAME);
        goto close;
    }
    mlb_loader_info info;
    memset(&info, 0, sizeof info);
    info.struct_size = MLB_STRUCT_SIZE(mlb_loader_info, log_user_data);
    info.abi_version = MLB_ABI_VERSION;
    info.log = mlb_registry_plugin_log;
    info.log_user_data = p->lib;
    const mlb_plugin_api *api = NULL;
    mlb_status st = entry(&info, &api);
    if (st != MLB_OK) {
        set_result(p, MLB_PLUGIN_REJECTED, st, "entry point failed: %s (%s)", mlb_status_name(st),
                   mlb_status_message(st));
        goto close;
    }
    if (!api) {
        set_result(p, MLB_PLUGIN_REJECTED, MLB_ERROR_PLUGIN_LOAD,
                   "entry point returned no function table");
        goto close;
    }
    if (!negotiate(p, api))
        goto close;
    mlb_registry_set_name(p->lib, p->name);
    if (!selected(ctx, p) || !unique_name(ctx, p))
        goto close;
    st = p->fn.init();
    if (st != MLB_OK) {
        set_result(p, MLB_PLUGIN_REJECTED, st, "init failed: %s%s%s", mlb_status_name(st),
                   plugin_detail(p)[0] ? ": " : "", plugin_detail(p));
        goto close;
    }
    if (!enumerate(p)) {
        p->fn.shutdown();
        goto close;
    }
    p->initialized = 1;
    mlb_registry_unlock();
    set_result(p, MLB_PLUGIN_LOADED, MLB_OK, "%s", "");
    mlb_log(&ctx->log, MLB_LOG_INFO, p->name, "loaded %s (version %s, ABI %u.%u, %u device%s)",
            p->path, p->version, MLB_VERSION_MAJOR(p->abi_version),
            MLB_VERSION_MINOR(p->abi_version), p->device_count, p->device_count == 1 ? "" : "s");
    return;
close:
    close_library(ctx, p);
    mlb_registry_unlock();
report:
    if (p->state == MLB_PLUGIN_REJECTED)
        mlb_log(&ctx->log, MLB_LOG_WARN, source_name(p), "rejected %s: %s", p->path, p->reason);
}

void mlb_plugin_unload(mlb_plugin_rec *p) {
    if (!p->dl)
        return;
    mlb_registry_lock();
    if (p->initialized)
        p->fn.shutdown();
    p->initialized = 0;
    close_library(p->ctx, p);
    mlb_registry_unlock();
    free(p->devices);
    p->devices = NULL;
}
