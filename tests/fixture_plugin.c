/*
 * fixture_plugin.c - one source, many test plugins. Each -D flag below turns
 * the good plugin into one that breaks a single step of loading, so the
 * loader tests can assert the exact outcome of each failure while a good
 * plugin loaded beside it keeps working.
 *
 * The good plugin drives FIXTURE_DEVICES synchronous host-memory devices:
 * every copy, memset and launch runs at enqueue time, so streams and events
 * are always complete. It runs `add` (f32, same shapes, any strides) and
 * `fill` (f32) for real.
 *
 *   FIXTURE_NAME="..."       the plugin's name (each variant has its own)
 *   FIXTURE_DEVICES=n        number of devices (default 2; 0 = no hardware)
 *   FIXTURE_NO_ENTRY         exports nothing (the entry point is hidden)
 *   FIXTURE_ENTRY_FAILS      the entry point answers MLB_ERROR_INTERNAL
 *   FIXTURE_ABI_MAJOR=n      claims ABI major n and skips its own major check
 *   FIXTURE_SHORT_TABLE      struct_size ends before the last required slot
 *   FIXTURE_NULL_SLOT        the required slot event_query is NULL
 *   FIXTURE_INIT_FAILS       init answers MLB_ERROR_DEVICE
 *   FIXTURE_ENUM_FAILS       device_count answers MLB_ERROR_DEVICE_LOST
 *   FIXTURE_OLD_MINOR        struct_size = MLB_PLUGIN_API_MIN_SIZE: the optional
 *                            slots lie outside it (they are filled anyway, so a
 *                            loader that calls them is caught)
 *   FIXTURE_NEW_MINOR        ABI minor + 1, a table with slots beyond v1.0
 *   FIXTURE_SHORT_PROPS      fills device props only up to `kind`, as a plugin
 *                            of an older minor would
 */
#include "config.h"

#include "ml_backend.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifndef FIXTURE_NAME
#define FIXTURE_NAME "fixture_good"
#endif
#ifndef FIXTURE_DEVICES
#define FIXTURE_DEVICES 2
#endif
#ifndef FIXTURE_ABI_MAJOR
#define FIXTURE_ABI_MAJOR MLB_ABI_VERSION_MAJOR
#endif
#ifdef FIXTURE_NEW_MINOR
#define FIXTURE_ABI_MINOR (MLB_ABI_VERSION_MINOR + 1)
#else
#define FIXTURE_ABI_MINOR MLB_ABI_VERSION_MINOR
#endif

#define FX_MAX_DEVICES 4
#define FX_ALIGN 64u

/* ---- state ---------------------------------------------------------------- */

struct mlb_plugin_device_s {
    uint32_t index;
};

struct mlb_plugin_buffer_s {
    uint64_t size;
    unsigned char *data;
};

struct mlb_plugin_stream_s {
    mlb_plugin_device device;
    mlb_status sticky;
};

struct mlb_plugin_event_s {
    uint32_t flags;
    int recorded;
    mlb_status status;
    double stamp_ms;
};

struct mlb_plugin_kernel_s {
    int32_t op;
    uint32_t num_inputs;
    mlb_tensor_desc in[2];
    mlb_tensor_desc out;
    float fill_value;
};

static struct mlb_plugin_device_s fx_devices[FX_MAX_DEVICES] = {{0}, {1}, {2}, {3}};
static const uint32_t fx_device_total = FIXTURE_DEVICES;
static int fx_init_count; /* changed only under the loader's lock */
static mlb_log_fn fx_log;
static void *fx_log_user;
static _Thread_local char fx_error[256];

static atomic_ullong fx_in_use, fx_peak, fx_allocs, fx_frees, fx_failed;

static mlb_status fx_fail(mlb_status st, const char *fmt, const char *detail) {
    snprintf(fx_error, sizeof fx_error, fmt, detail);
    return st;
}

static const char *fx_get_last_error(void) {
    return fx_error;
}

static void fx_say(int32_t level, const char *message) {
    if (fx_log)
        fx_log(fx_log_user, level, message);
}

/* ---- lifecycle and devices ----------------------------------------------- */

static mlb_status fx_init(void) {
#ifdef FIXTURE_INIT_FAILS
    return fx_fail(MLB_ERROR_DEVICE, "%s", "no hardware answered (simulated)");
#else
    if (fx_init_count++ == 0)
        fx_say(MLB_LOG_INFO, "initialized");
    return MLB_OK;
#endif
}

static void fx_shutdown(void) {
    if (--fx_init_count == 0)
        fx_say(MLB_LOG_DEBUG, "shut down");
}

static mlb_status fx_device_count(uint32_t *count) {
#ifdef FIXTURE_ENUM_FAILS
    (void)count;
    return fx_fail(MLB_ERROR_DEVICE_LOST, "%s", "enumeration lost the bus (simulated)");
#else
    *count = fx_device_total;
    return MLB_OK;
#endif
}

static mlb_status fx_device_get(uint32_t index, mlb_plugin_device *device) {
    if (index >= fx_device_total || index >= FX_MAX_DEVICES)
        return MLB_ERROR_OUT_OF_RANGE;
    *device = &fx_devices[index];
    return MLB_OK;
}

static mlb_status fx_device_get_props(mlb_plugin_device device, mlb_device_props *props) {
    snprintf(props->name, sizeof props->name, "Fixture device %u", device->index);
    snprintf(props->vendor, sizeof props->vendor, "ml_backend tests");
    props->kind = MLB_DEVICE_KIND_CPU;
#ifndef FIXTURE_SHORT_PROPS
    props->flags = MLB_DEVICE_FLAG_HOST_ACCESSIBLE | MLB_DEVICE_FLAG_UNIFIED_MEMORY;
    props->total_memory = 1ull << 30;
    props->memory_kind_count = 1;
    props->compute_units = 1;
    props->stream_priority_low = 0;
    props->stream_priority_high = -2;
    props->flags |= MLB_DEVICE_FLAG_PCI_LOCATION; /* a made-up location 0000:3b:00.1 */
    props->pci_bus = 0x3b;
    props->pci_function = 1;
    props->uuid[0] = (uint8_t)(0xf0 + device->index);
#ifdef FIXTURE_NEW_MINOR
    /* A field this newer plugin knows is written only when the caller's struct has room. */
    if (props->struct_size >= sizeof(mlb_device_props) + sizeof(uint64_t))
        memset((char *)props + sizeof(mlb_device_props), 0x5a, sizeof(uint64_t));
#endif
#endif
    return MLB_OK;
}

static mlb_status fx_device_get_memory_kind(mlb_plugin_device device, uint32_t index,
                                            mlb_memory_kind_info *info) {
    (void)device;
    if (index != 0)
        return MLB_ERROR_OUT_OF_RANGE;
    info->type = MLB_MEMORY_DEVICE_LOCAL;
    info->flags = MLB_MEMORY_FLAG_HOST_ACCESSIBLE;
    info->alignment = FX_ALIGN;
    info->max_alloc_size = 1ull << 40;
    info->total_size = 1ull << 30;
    return MLB_OK;
}

static mlb_status fx_device_synchronize(mlb_plugin_device device) {
    (void)device;
    return MLB_OK;
}

/* ---- buffers ---------------------------------------------------------------- */

static mlb_status fx_buffer_alloc(mlb_plugin_device device, const mlb_buffer_desc *desc,
                                  mlb_plugin_buffer *buffer) {
    (void)device;
    if (desc->size > (1ull << 40)) {
        atomic_fetch_add(&fx_failed, 1);
        return fx_fail(MLB_ERROR_OUT_OF_MEMORY, "buffer_alloc: %s", "more than 1 TiB requested");
    }
    uint64_t align = desc->alignment > FX_ALIGN ? desc->alignment : FX_ALIGN;
    uint64_t rounded = (desc->size + align - 1) / align * align;
    mlb_plugin_buffer b = malloc(sizeof *b);
    unsigned char *data = b ? aligned_alloc(align, rounded ? rounded : align) : NULL;
    if (!data) {
        free(b);
        atomic_fetch_add(&fx_failed, 1);
        return MLB_ERROR_OUT_OF_MEMORY;
    }
    b->size = desc->size;
    b->data = data;
    unsigned long long now = atomic_fetch_add(&fx_in_use, desc->size) + desc->size;
    unsigned long long peak = atomic_load(&fx_peak);
    while (now > peak && !atomic_compare_exchange_weak(&fx_peak, &peak, now)) {
    }
    atomic_fetch_add(&fx_allocs, 1);
    *buffer = b;
    return MLB_OK;
}

static void fx_buffer_free(mlb_plugin_buffer buffer) {
    if (!buffer)
        return;
    atomic_fetch_sub(&fx_in_use, buffer->size);
    atomic_fetch_add(&fx_frees, 1);
    free(buffer->data);
    free(buffer);
}

/* ---- streams and copies (all synchronous) ------------------------------------ */

static mlb_status fx_stream_create(mlb_plugin_device device, int32_t priority,
                                   mlb_plugin_stream *stream) {
    if (priority > 0 || priority < -2)
        return fx_fail(MLB_ERROR_INVALID_ARGUMENT, "stream_create: %s", "priority not clamped");
    mlb_plugin_stream s = calloc(1, sizeof *s);
    if (!s)
        return MLB_ERROR_OUT_OF_MEMORY;
    s->device = device;
    *stream = s;
    return MLB_OK;
}

static void fx_stream_destroy(mlb_plugin_stream stream) {
    free(stream);
}

static mlb_status fx_stream_synchronize(mlb_plugin_stream stream) {
    return stream->sticky;
}

static mlb_status fx_stream_query(mlb_plugin_stream stream) {
    return stream->sticky;
}

static mlb_status fx_stream_wait_event(mlb_plugin_stream stream, mlb_plugin_event event) {
    (void)stream;
    (void)event;
    return MLB_OK;
}

static mlb_status fx_copy_h2d(mlb_plugin_stream stream, mlb_plugin_buffer dst, uint64_t off,
                              const void *src, uint64_t size) {
    (void)stream;
    if (size)
        memcpy(dst->data + off, src, size);
    return MLB_OK;
}

static mlb_status fx_copy_d2h(mlb_plugin_stream stream, void *dst, mlb_plugin_buffer src,
                              uint64_t off, uint64_t size) {
    (void)stream;
    if (size)
        memcpy(dst, src->data + off, size);
    return MLB_OK;
}

static mlb_status fx_copy_d2d(mlb_plugin_stream stream, mlb_plugin_buffer dst, uint64_t doff,
                              mlb_plugin_buffer src, uint64_t soff, uint64_t size) {
    (void)stream;
    if (size)
        memcpy(dst->data + doff, src->data + soff, size);
    return MLB_OK;
}

static mlb_status fx_memset(mlb_plugin_stream stream, mlb_plugin_buffer dst, uint64_t off,
                            uint8_t value, uint64_t size) {
    (void)stream;
    if (size)
        memset(dst->data + off, value, size);
    return MLB_OK;
}

/* ---- events ---------------------------------------------------------------- */

static double fx_now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static mlb_status fx_event_create(mlb_plugin_device device, uint32_t flags,
                                  mlb_plugin_event *event) {
    (void)device;
    mlb_plugin_event e = calloc(1, sizeof *e);
    if (!e)
        return MLB_ERROR_OUT_OF_MEMORY;
    e->flags = flags;
    *event = e;
    return MLB_OK;
}

static void fx_event_destroy(mlb_plugin_event event) {
    free(event);
}

static mlb_status fx_event_record(mlb_plugin_event event, mlb_plugin_stream stream) {
    event->recorded = 1;
    event->status = stream->sticky;
    if (event->flags & MLB_EVENT_TIMING)
        event->stamp_ms = fx_now_ms();
    return MLB_OK;
}

static mlb_status fx_event_synchronize(mlb_plugin_event event) {
    return event->status;
}

#ifndef FIXTURE_NULL_SLOT
static mlb_status fx_event_query(mlb_plugin_event event) {
    return event->status;
}
#endif

static mlb_status fx_event_elapsed_ms(mlb_plugin_event start, mlb_plugin_event end, float *ms) {
    if (!(start->flags & end->flags & MLB_EVENT_TIMING))
        return fx_fail(MLB_ERROR_INVALID_STATE, "event_elapsed_ms: %s",
                       "both events need MLB_EVENT_TIMING");
    if (!start->recorded || !end->recorded)
        return fx_fail(MLB_ERROR_INVALID_STATE, "event_elapsed_ms: %s",
                       "an event was not recorded");
    *ms = (float)(end->stamp_ms - start->stamp_ms);
    return MLB_OK;
}

/* ---- ops ------------------------------------------------------------------ */

static int same_shape(const mlb_tensor_desc *a, const mlb_tensor_desc *b) {
    if (a->rank != b->rank)
        return 0;
    for (int32_t k = 0; k < a->rank; ++k)
        if (a->shape[k] != b->shape[k])
            return 0;
    return 1;
}

static mlb_status fx_op_supported(mlb_plugin_device device, const mlb_op_desc *d) {
    (void)device;
    if (d->op == MLB_OP_ADD) {
        if (d->num_inputs != 2 || d->num_outputs != 1)
            return fx_fail(MLB_ERROR_INVALID_ARGUMENT, "add: %s", "needs 2 inputs and 1 output");
        const mlb_tensor_desc *a = d->inputs[0], *b = d->inputs[1], *o = d->outputs[0];
        if (a->dtype != MLB_DTYPE_F32 || b->dtype != MLB_DTYPE_F32 || o->dtype != MLB_DTYPE_F32)
            return fx_fail(MLB_ERROR_UNSUPPORTED, "add: %s", "only f32");
        if (!same_shape(a, o) || !same_shape(b, o))
            return fx_fail(MLB_ERROR_INVALID_ARGUMENT, "add: %s",
                           "input shapes differ from the output shape");
        return MLB_OK;
    }
    if (d->op == MLB_OP_FILL) {
        const mlb_fill_attrs *fa = d->attrs;
        if (d->num_inputs != 0 || d->num_outputs != 1)
            return fx_fail(MLB_ERROR_INVALID_ARGUMENT, "fill: %s", "needs 0 inputs and 1 output");
        if (!fa || fa->struct_size < MLB_STRUCT_SIZE(mlb_fill_attrs, int_value))
            return fx_fail(MLB_ERROR_INVALID_ARGUMENT, "fill: %s", "missing mlb_fill_attrs");
        if (d->outputs[0]->dtype != MLB_DTYPE_F32)
            return fx_fail(MLB_ERROR_UNSUPPORTED, "fill: %s", "only f32");
        return MLB_OK;
    }
    return fx_fail(MLB_ERROR_UNSUPPORTED, "%s", "op not implemented by the fixture");
}

static mlb_status fx_kernel_create(mlb_plugin_device device, const mlb_op_desc *d,
                                   mlb_plugin_kernel *kernel) {
    mlb_status st = fx_op_supported(device, d);
    if (st != MLB_OK)
        return st;
    mlb_plugin_kernel k = calloc(1, sizeof *k);
    if (!k)
        return MLB_ERROR_OUT_OF_MEMORY;
    k->op = d->op;
    k->num_inputs = d->num_inputs;
    for (uint32_t i = 0; i < d->num_inputs; ++i)
        k->in[i] = *d->inputs[i];
    k->out = *d->outputs[0];
    if (d->op == MLB_OP_FILL)
        k->fill_value = (float)((const mlb_fill_attrs *)d->attrs)->float_value;
    *kernel = k;
    return MLB_OK;
}

/* Byte offset of element `idx` (row-major position) of tensor t. */
static uint64_t offset_of(const mlb_tensor_desc *t, uint64_t idx) {
    uint64_t off = 0;
    for (int32_t k = t->rank; k-- > 0;) {
        uint64_t n = (uint64_t)t->shape[k];
        off += (idx % n) * (uint64_t)t->strides[k];
        idx /= n;
    }
    return t->byte_offset + off * sizeof(float);
}

static mlb_status fx_kernel_launch(mlb_plugin_kernel k, mlb_plugin_stream stream,
                                   const mlb_plugin_buffer *inputs, uint32_t num_inputs,
                                   const mlb_plugin_buffer *outputs, uint32_t num_outputs) {
    (void)num_inputs;
    (void)num_outputs;
    if (stream->sticky)
        return MLB_OK;
    uint64_t count = 1;
    for (int32_t r = 0; r < k->out.rank; ++r)
        count *= (uint64_t)k->out.shape[r];
    unsigned char *o = outputs[0]->data;
    for (uint64_t i = 0; i < count; ++i) {
        float v = k->fill_value;
        if (k->op == MLB_OP_ADD) {
            float a, b;
            memcpy(&a, inputs[0]->data + offset_of(&k->in[0], i), sizeof a);
            memcpy(&b, inputs[1]->data + offset_of(&k->in[1], i), sizeof b);
            v = a + b;
        }
        memcpy(o + offset_of(&k->out, i), &v, sizeof v);
    }
    return MLB_OK;
}

static void fx_kernel_destroy(mlb_plugin_kernel kernel) {
    free(kernel);
}

/* ---- optional slots ------------------------------------------------------- */

static mlb_status fx_get_memory_stats(mlb_plugin_device device, mlb_memory_stats *s) {
    (void)device;
    s->bytes_in_use = atomic_load(&fx_in_use);
    s->peak_bytes_in_use = atomic_load(&fx_peak);
    s->alloc_count = atomic_load(&fx_allocs);
    s->free_count = atomic_load(&fx_frees);
    s->failed_alloc_count = atomic_load(&fx_failed);
    s->total_bytes = 1ull << 30;
    return MLB_OK;
}

static mlb_status fx_reset_peak_memory(mlb_plugin_device device) {
    (void)device;
    atomic_store(&fx_peak, atomic_load(&fx_in_use));
    return MLB_OK;
}

static mlb_status fx_get_attribute(mlb_plugin_device device, const char *key, mlb_attr_value *v) {
    (void)device;
    if (strcmp(key, "fixture_answer") == 0) {
        v->type = MLB_ATTR_INT64;
        v->i64 = 42;
        return MLB_OK;
    }
    if (strcmp(key, "fixture_label") == 0) {
        v->type = MLB_ATTR_STRING;
        snprintf(v->str, sizeof v->str, "%s", FIXTURE_NAME);
        return MLB_OK;
    }
    return MLB_ERROR_NOT_FOUND;
}

static mlb_status fx_buffer_host_pointer(mlb_plugin_buffer buffer, void **ptr) {
    *ptr = buffer->data;
    return MLB_OK;
}

static mlb_status fx_buffer_native_handle(mlb_plugin_buffer buffer, void **handle) {
    *handle = buffer->data;
    return MLB_OK;
}

static mlb_status fx_stream_native_handle(mlb_plugin_stream stream, void **handle) {
    *handle = stream;
    return MLB_OK;
}

static mlb_status fx_stream_add_callback(mlb_plugin_stream stream, mlb_host_fn fn,
                                         void *user_data) {
    fn(user_data, stream->sticky);
    return MLB_OK;
}

static mlb_status fx_host_alloc(mlb_plugin_device device, uint64_t size, void **ptr) {
    (void)device;
    void *p = malloc(size);
    if (!p)
        return MLB_ERROR_OUT_OF_MEMORY;
    *ptr = p;
    return MLB_OK;
}

static void fx_host_free(mlb_plugin_device device, void *ptr) {
    (void)device;
    free(ptr);
}

/* ---- the table ------------------------------------------------------------ */

#ifdef FIXTURE_NEW_MINOR
/* A table of a later minor: v1.0 followed by slots this loader does not know. */
typedef struct fx_api_next {
    mlb_plugin_api base;
    mlb_status (*future_slot)(void);
    uint64_t future_flags;
} fx_api_next;
#define FX_TABLE_SIZE MLB_STRUCT_SIZE(fx_api_next, future_flags)
#elif defined(FIXTURE_OLD_MINOR)
#define FX_TABLE_SIZE MLB_PLUGIN_API_MIN_SIZE
#elif defined(FIXTURE_SHORT_TABLE)
#define FX_TABLE_SIZE MLB_STRUCT_SIZE(mlb_plugin_api, kernel_launch)
#else
#define FX_TABLE_SIZE MLB_STRUCT_SIZE(mlb_plugin_api, host_free)
#endif

#ifdef FIXTURE_NULL_SLOT
#define FX_EVENT_QUERY NULL
#else
#define FX_EVENT_QUERY fx_event_query
#endif

#define FX_API_INIT                                                                                \
    {                                                                                              \
        /* .struct_size = */ FX_TABLE_SIZE,                                                        \
            /* .abi_version = */ MLB_MAKE_VERSION(FIXTURE_ABI_MAJOR, FIXTURE_ABI_MINOR),           \
            /* .reserved0 = */ 0, /* .name = */ FIXTURE_NAME, /* .version = */ "1.0.0",            \
            /* .description = */ "loader test fixture (" FIXTURE_NAME ")",                         \
            /* .features = */ MLB_FEATURE_HOST_POINTER | MLB_FEATURE_TIMING_EVENTS |               \
                MLB_FEATURE_HOST_CALLBACKS | MLB_FEATURE_NATIVE_HANDLES |                          \
                MLB_FEATURE_PINNED_HOST | MLB_FEATURE_MEMORY_STATS,                                \
            /* .reserved = */ {0, 0, 0, 0}, /* .init = */ fx_init, /* .shutdown = */ fx_shutdown,  \
            /* .device_count = */ fx_device_count, /* .device_get = */ fx_device_get,              \
            /* .device_get_props = */ fx_device_get_props,                                         \
            /* .device_get_memory_kind = */ fx_device_get_memory_kind,                             \
            /* .device_synchronize = */ fx_device_synchronize,                                     \
            /* .buffer_alloc = */ fx_buffer_alloc, /* .buffer_free = */ fx_buffer_free,            \
            /* .stream_create = */ fx_stream_create, /* .stream_destroy = */ fx_stream_destroy,    \
            /* .stream_synchronize = */ fx_stream_synchronize,                                     \
            /* .stream_query = */ fx_stream_query,                                                 \
            /* .stream_wait_event = */ fx_stream_wait_event,                                       \
            /* .copy_host_to_device = */ fx_copy_h2d, /* .copy_device_to_host = */ fx_copy_d2h,    \
            /* .copy_device_to_device = */ fx_copy_d2d, /* .memset = */ fx_memset,                 \
            /* .event_create = */ fx_event_create, /* .event_destroy = */ fx_event_destroy,        \
            /* .event_record = */ fx_event_record,                                                 \
            /* .event_synchronize = */ fx_event_synchronize, /* .event_query = */ FX_EVENT_QUERY,  \
            /* .op_supported = */ fx_op_supported, /* .kernel_create = */ fx_kernel_create,        \
            /* .kernel_launch = */ fx_kernel_launch, /* .kernel_destroy = */ fx_kernel_destroy,    \
            /* .get_last_error = */ fx_get_last_error,                                             \
            /* .event_elapsed_ms = */ fx_event_elapsed_ms,                                         \
            /* .device_get_memory_stats = */ fx_get_memory_stats,                                  \
            /* .device_reset_peak_memory = */ fx_reset_peak_memory,                                \
            /* .device_get_attribute = */ fx_get_attribute,                                        \
            /* .buffer_host_pointer = */ fx_buffer_host_pointer,                                   \
            /* .buffer_native_handle = */ fx_buffer_native_handle,                                 \
            /* .stream_native_handle = */ fx_stream_native_handle,                                 \
            /* .stream_add_callback = */ fx_stream_add_callback,                                   \
            /* .host_alloc = */ fx_host_alloc, /* .host_free = */ fx_host_free,                    \
    }

#ifdef FIXTURE_NEW_MINOR
static mlb_status fx_future_slot(void) {
    return MLB_OK;
}
static const fx_api_next fx_table_next = {FX_API_INIT, fx_future_slot, 0};
static const mlb_plugin_api *const fx_table = &fx_table_next.base;
#else
static const mlb_plugin_api fx_table_v1 = FX_API_INIT;
static const mlb_plugin_api *const fx_table = &fx_table_v1;
#endif

/* ---- the entry point ------------------------------------------------------- */

#ifdef FIXTURE_NO_ENTRY
/* Defined under another name and not exported: the library has no entry point. */
#define FX_ENTRY fixture_not_the_entry_point
mlb_status FX_ENTRY(const mlb_loader_info *info, const mlb_plugin_api **api);
#else
#define FX_ENTRY mlb_plugin_get_api
MLB_PLUGIN_EXPORT
#endif
mlb_status FX_ENTRY(const mlb_loader_info *info, const mlb_plugin_api **api) {
#ifdef FIXTURE_ENTRY_FAILS
    (void)info;
    (void)api;
    (void)fx_table;
    return MLB_ERROR_INTERNAL;
#else
#if FIXTURE_ABI_MAJOR == MLB_ABI_VERSION_MAJOR
    if (MLB_VERSION_MAJOR(info->abi_version) != FIXTURE_ABI_MAJOR)
        return MLB_ERROR_VERSION_MISMATCH;
#endif
    if (info->struct_size >= MLB_STRUCT_SIZE(mlb_loader_info, log_user_data)) {
        fx_log = info->log;
        fx_log_user = info->log_user_data;
    }
    *api = fx_table;
    return MLB_OK;
#endif
}
