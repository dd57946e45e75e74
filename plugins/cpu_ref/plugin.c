/*
 * plugin.c - the exported entry point, the function table, init/shutdown and
 * the log sink the loader handed over.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>

#include "cpu_ref.h"

/* The loader's log sink, kept from the latest call of the entry point. */
static pthread_mutex_t log_mu = PTHREAD_MUTEX_INITIALIZER;
static mlb_log_fn log_fn;
static void *log_user_data;

/* init() calls not yet matched by shutdown() (one per loader context). */
static pthread_mutex_t init_mu = PTHREAD_MUTEX_INITIALIZER;
static unsigned init_count;

void cpuref_log(int32_t level, const char *fmt, ...) {
    char line[512];
    va_list ap;
    pthread_mutex_lock(&log_mu);
    mlb_log_fn fn = log_fn;
    void *user_data = log_user_data;
    pthread_mutex_unlock(&log_mu);
    if (fn) { /* called without the lock: the sink may call back into the plugin */
        va_start(ap, fmt);
        vsnprintf(line, sizeof(line), fmt, ap);
        va_end(ap);
        fn(user_data, level, line);
    }
}

static mlb_status cpuref_init(void) {
    if (cpuref_the_backend.init) {
        char why[CPUREF_MSG_LEN] = "";
        mlb_status st = cpuref_the_backend.init(why, sizeof(why));
        if (st != MLB_OK) {
            return cpuref_error(st, "init: %s", why[0] ? why : "the backend gave no reason");
        }
    }
    cpuref_device_setup();
    pthread_mutex_lock(&init_mu);
    if (init_count++ == 0) {
        const mlb_device_props *p = &cpuref_the_device.props;
        cpuref_log(MLB_LOG_INFO, "%s %s: 1 device, %u threads, %llu bytes", cpuref_the_backend.name,
                   PACKAGE_VERSION, p->compute_units, (unsigned long long)p->total_memory);
    }
    pthread_mutex_unlock(&init_mu);
    return MLB_OK;
}

static void cpuref_shutdown(void) {
    pthread_mutex_lock(&init_mu);
    if (init_count > 0 && --init_count == 0) {
        /* The device is static; report objects the caller forgot. */
        pthread_mutex_lock(&cpuref_the_device.streams_mu);
        const int streams_alive = cpuref_the_device.streams != NULL;
        pthread_mutex_unlock(&cpuref_the_device.streams_mu);
        if (streams_alive) {
            cpuref_log(MLB_LOG_WARN, "shutdown with streams still alive");
        } else if (cpuref_the_backend.shutdown) {
            cpuref_the_backend.shutdown();
        }
        pthread_mutex_lock(&cpuref_the_device.stats_mu);
        uint64_t live = cpuref_the_device.stats.alloc_count - cpuref_the_device.stats.free_count;
        pthread_mutex_unlock(&cpuref_the_device.stats_mu);
        if (live) {
            cpuref_log(MLB_LOG_WARN, "shutdown with %llu buffers still allocated",
                       (unsigned long long)live);
        }
    }
    pthread_mutex_unlock(&init_mu);
}

/* The table; name, description and features are the backend's (filled in once, fill_api). */
static mlb_plugin_api cpuref_api = {
    /* .struct_size = */ MLB_STRUCT_SIZE(mlb_plugin_api, host_free),
    /* .abi_version = */ MLB_ABI_VERSION,
    /* .reserved0 = */ 0,
    /* .name = */ NULL,
    /* .version = */ PACKAGE_VERSION,
    /* .description = */ NULL,
    /* .features = */ 0,
    /* .reserved = */ {0, 0, 0, 0},

    /* ---- lifecycle: the device is static */
    /* counts loader contexts */
    /* .init = */ cpuref_init,
    /* the last one warns about leaked objects */
    /* .shutdown = */ cpuref_shutdown,
    /* always 1 */
    /* .device_count = */ cpuref_device_count,
    /* the static device */
    /* .device_get = */ cpuref_device_get,
    /* sysconf figures, short structs respected */
    /* .device_get_props = */ cpuref_device_get_props,
    /* 0 device-local, 1 host-visible */
    /* .device_get_memory_kind = */ cpuref_device_get_memory_kind,
    /* every live stream, oldest error first */
    /* .device_synchronize = */ cpuref_device_synchronize,

    /* ---- buffers: aligned host memory, reached only through copies */
    /* posix_memalign, 64 bytes or more */
    /* .buffer_alloc = */ cpuref_buffer_alloc,
    /* NULL does nothing */
    /* .buffer_free = */ cpuref_buffer_free,

    /* ---- streams: an in-order queue and a worker thread each */
    /* a queue and a worker thread; priority 0 only */
    /* .stream_create = */ cpuref_stream_create,
    /* drains the queue, then joins */
    /* .stream_destroy = */ cpuref_stream_destroy,
    /* waits for idle; the sticky error */
    /* .stream_synchronize = */ cpuref_stream_synchronize,
    /* never blocks */
    /* .stream_query = */ cpuref_stream_query,
    /* queues a wait on the latest record */
    /* .stream_wait_event = */ cpuref_stream_wait_event,

    /* ---- copies (stream-ordered) */
    /* stages the source at enqueue */
    /* .copy_host_to_device = */ cpuref_copy_host_to_device,
    /* writes dst when it runs */
    /* .copy_device_to_host = */ cpuref_copy_device_to_host,
    /* overlap rejected */
    /* .copy_device_to_device = */ cpuref_copy_device_to_device,
    /* runs in order like a copy */
    /* .memset = */ cpuref_memset,

    /* ---- events: one refcounted mark per record */
    /* flags: MLB_EVENT_TIMING */
    /* .event_create = */ cpuref_event_create,
    /* queued records/waits keep their mark */
    /* .event_destroy = */ cpuref_event_destroy,
    /* a new mark replaces the previous record */
    /* .event_record = */ cpuref_event_record,
    /* never-recorded = complete */
    /* .event_synchronize = */ cpuref_event_synchronize,
    /* never blocks */
    /* .event_query = */ cpuref_event_query,

    /* ---- kernels: run by the op family on the worker */
    /* same validation as kernel_create, no allocation */
    /* .op_supported = */ cpuref_op_supported,
    /* deep copy + the family's check */
    /* .kernel_create = */ cpuref_kernel_create,
    /* captures buffer addresses, queues a run */
    /* .kernel_launch = */ cpuref_kernel_launch,
    /* refcounted with queued launches */
    /* .kernel_destroy = */ cpuref_kernel_destroy,

    /* ---- optional slots (v1.0) */
    /* thread-local */
    /* .get_last_error = */ cpuref_get_last_error,
    /* CLOCK_MONOTONIC at completion */
    /* .event_elapsed_ms = */ cpuref_event_elapsed_ms,
    /* requested bytes, counts, peak */
    /* .device_get_memory_stats = */ cpuref_device_get_memory_stats,
    /* peak = bytes in use */
    /* .device_reset_peak_memory = */ cpuref_device_reset_peak_memory,
    /* threads, page_size, simd, plugin_version */
    /* .device_get_attribute = */ cpuref_device_get_attribute,
    /* memory kind 1 only */
    /* .buffer_host_pointer = */ cpuref_buffer_host_pointer,
    /* the host address */
    /* .buffer_native_handle = */ cpuref_buffer_native_handle,
    /* a CPU stream has no native handle */
    /* .stream_native_handle = */ NULL,
    /* runs on the worker, gets the sticky error */
    /* .stream_add_callback = */ cpuref_stream_add_callback,
    /* aligned memory: on a CPU all of it is "pinned" */
    /* .host_alloc = */ cpuref_host_alloc,
    /* NULL does nothing */
    /* .host_free = */ cpuref_host_free,
};

static pthread_once_t api_once = PTHREAD_ONCE_INIT;

static void fill_api(void) {
    cpuref_api.name = cpuref_the_backend.name;
    cpuref_api.description = cpuref_the_backend.description;
    cpuref_api.features = cpuref_the_backend.features;
}

MLB_PLUGIN_EXPORT mlb_status mlb_plugin_get_api(const mlb_loader_info *info,
                                                const mlb_plugin_api **api) {
    if (!info || !api) {
        return cpuref_error(MLB_ERROR_INVALID_ARGUMENT, "%s is NULL", info ? "api" : "info");
    }
    if (info->struct_size < MLB_STRUCT_SIZE(mlb_loader_info, abi_version)) {
        return cpuref_error(MLB_ERROR_INVALID_ARGUMENT,
                            "loader info struct_size %zu is too small (need %zu)",
                            info->struct_size, MLB_STRUCT_SIZE(mlb_loader_info, abi_version));
    }
    if (MLB_VERSION_MAJOR(info->abi_version) != MLB_ABI_VERSION_MAJOR) {
        return cpuref_error(MLB_ERROR_VERSION_MISMATCH,
                            "loader ABI %u.%u, plugin ABI %u.%u: majors differ",
                            (unsigned)MLB_VERSION_MAJOR(info->abi_version),
                            (unsigned)MLB_VERSION_MINOR(info->abi_version),
                            (unsigned)MLB_ABI_VERSION_MAJOR, (unsigned)MLB_ABI_VERSION_MINOR);
    }
    pthread_mutex_lock(&log_mu);
    log_fn = MLB_HAS_FIELD(info, mlb_loader_info, log) ? info->log : NULL;
    log_user_data =
        MLB_HAS_FIELD(info, mlb_loader_info, log_user_data) ? info->log_user_data : NULL;
    pthread_mutex_unlock(&log_mu);
    pthread_once(&api_once, fill_api);
    *api = &cpuref_api;
    return MLB_OK;
}
