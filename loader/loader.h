/*
 * loader.h - libmlb's private structures and internal functions.
 *
 * A context owns an array of plugin records (one per discovered candidate,
 * sorted by path); each loaded record owns its device wrappers. Buffers,
 * streams, events and kernels are small wrappers that carry a type tag, their
 * device and plugin, and the plugin's handle. After mlb_context_create()
 * returns, the plugin records and devices are immutable, so every call reads
 * them without locks.
 */
#ifndef MLB_LOADER_H
#define MLB_LOADER_H

#include "mlb.h"

#include <stdarg.h>
#include <stdatomic.h>

#define MLB_LIKELY(x) __builtin_expect(!!(x), 1)
#define MLB_UNLIKELY(x) __builtin_expect(!!(x), 0)
/* The launch path's entry points (kernel_launch, stream_synchronize): GCC and clang place `hot`
 * functions together (.text.hot), so a launch runs through a few adjacent cache lines. The
 * mlb_fail family below is `cold`: the branches that call it leave the straight path. */
#define MLB_HOT __attribute__((hot))

/* Type tags, the first field of every handle struct. */
enum mlb_tag {
    MLB_TAG_CONTEXT = 0x4d4c4201u,
    MLB_TAG_DEVICE = 0x4d4c4202u,
    MLB_TAG_BUFFER = 0x4d4c4203u,
    MLB_TAG_STREAM = 0x4d4c4204u,
    MLB_TAG_EVENT = 0x4d4c4205u,
    MLB_TAG_KERNEL = 0x4d4c4206u,
    MLB_TAG_DEAD = 0x4d4c42ffu /* written into a handle just before it is freed */
};

/* Where log lines go: a level and an application callback (NULL = stderr). */
typedef struct mlb_logger {
    int32_t level; /* most verbose level reported; 0 = none */
    mlb_log_callback fn;
    void *user_data;
} mlb_logger;

struct mlb_lib;

/* One discovered candidate: a plugin file, or a path that failed. */
typedef struct mlb_plugin_rec {
    char *path;          /* as discovered */
    char *real_path;     /* resolved, NULL when it does not exist */
    void *dl;            /* dlopen handle while loaded */
    struct mlb_lib *lib; /* registry entry while dl is open */
    mlb_plugin_api fn;   /* the slots both sides know; absent optional slots NULL */
    char name[MLB_NAME_LEN];
    char version[MLB_NAME_LEN];
    char description[256];
    char reason[512];
    int32_t state;
    mlb_status status;
    uint32_t abi_version;
    uint64_t features;
    int initialized; /* init() succeeded and shutdown() is owed */
    struct mlb_device_s *devices;
    uint32_t device_count;
    struct mlb_context_s *ctx;
} mlb_plugin_rec;

struct mlb_context_s {
    uint32_t tag;
    mlb_logger log;
    mlb_plugin_rec *plugins;
    uint32_t num_plugins;
    uint32_t num_loaded;
    struct mlb_device_s **devices; /* all devices, plugin order then index */
    uint32_t num_devices;
    atomic_long live_objects; /* buffers, streams, events, kernels not yet destroyed */
};

struct mlb_device_s {
    uint32_t tag;
    uint32_t index; /* within its plugin */
    mlb_plugin_rec *plugin;
    mlb_plugin_device handle;
    struct mlb_context_s *ctx;
    uint32_t memory_kind_count;
    int32_t priority_min, priority_max; /* the device's range, ordered */
    char name[MLB_NAME_LEN + 16];       /* "<plugin>:<index>" */
};

struct mlb_buffer_s {
    uint32_t tag;
    mlb_device device;
    mlb_plugin_buffer handle;
    uint64_t size;
};

struct mlb_stream_s {
    uint32_t tag;
    mlb_device device;
    mlb_plugin_stream handle;
    const mlb_plugin_api *fn; /* &device->plugin->fn, one load less per call */
};

struct mlb_event_s {
    uint32_t tag;
    mlb_device device;
    mlb_plugin_event handle;
};

struct mlb_kernel_s {
    uint32_t tag;
    uint32_t num_inputs;
    uint32_t num_outputs;
    int32_t op;
    mlb_device device;
    const mlb_plugin_api *fn; /* &device->plugin->fn, one load less at launch */
    mlb_plugin_kernel handle;
    uint64_t need[]; /* bytes each input, then each output, needs */
};

/* ---- handle checks (inline: they sit on the dispatch path) -------------- */

static inline int mlb_valid_device(mlb_device d) {
    return d && d->tag == MLB_TAG_DEVICE;
}
static inline int mlb_valid_buffer(mlb_buffer b) {
    return b && b->tag == MLB_TAG_BUFFER;
}
static inline int mlb_valid_stream(mlb_stream s) {
    return s && s->tag == MLB_TAG_STREAM;
}
static inline int mlb_valid_event(mlb_event e) {
    return e && e->tag == MLB_TAG_EVENT;
}
static inline int mlb_valid_kernel(mlb_kernel k) {
    return k && k->tag == MLB_TAG_KERNEL;
}

/* X(enum value, name, bytes, DLPack code, DLPack bits) */
#define MLB_DTYPE_TABLE(X)                                                                         \
    X(MLB_DTYPE_F32, "f32", 4, 2, 32)                                                              \
    X(MLB_DTYPE_F16, "f16", 2, 2, 16)                                                              \
    X(MLB_DTYPE_BF16, "bf16", 2, 4, 16)                                                            \
    X(MLB_DTYPE_F64, "f64", 8, 2, 64)                                                              \
    X(MLB_DTYPE_I8, "i8", 1, 0, 8)                                                                 \
    X(MLB_DTYPE_U8, "u8", 1, 1, 8)                                                                 \
    X(MLB_DTYPE_I32, "i32", 4, 0, 32)                                                              \
    X(MLB_DTYPE_I64, "i64", 8, 0, 64)                                                              \
    X(MLB_DTYPE_BOOL, "bool", 1, 6, 8)

/* Bytes per element of a dtype, 0 when unknown (inline: it sits on the validation path). */
static inline size_t mlb_dtype_bytes(int32_t dtype) {
    static const uint8_t bytes[MLB_DTYPE_COUNT_1_0] = {
#define MLB_DTYPE_BYTES_ENTRY(v, name, size, code, bits) [v] = size,
        MLB_DTYPE_TABLE(MLB_DTYPE_BYTES_ENTRY)
#undef MLB_DTYPE_BYTES_ENTRY
    };
    return (uint32_t)dtype < MLB_DTYPE_COUNT_1_0 ? bytes[dtype] : 0;
}

/* ---- names.c -------------------------------------------------------------- */

/* mlb_op_name() without the PLT: the name of a v1.0 op, NULL otherwise. */
const char *mlb_op_name_of(int32_t op);

/* ---- error.c: the per-thread detail message ------------------------------ */

/* Sets the thread's message to "<source>: <formatted>" and returns status. */
mlb_status mlb_fail(mlb_status status, const char *source, const char *fmt, ...)
    __attribute__((format(printf, 3, 4), cold));
/* The plugin's last-error detail (get_last_error) without a leading "<name>: ", or NULL. */
const char *mlb_plugin_detail(const mlb_plugin_rec *plugin);
/* A plugin call failed: "<plugin>: <plugin's detail>" or "<plugin>: <what>: <message>". */
mlb_status mlb_fail_plugin(const mlb_plugin_rec *plugin, mlb_status status, const char *what)
    __attribute__((cold));
/* A handle argument is NULL, destroyed or of the wrong type. */
mlb_status mlb_fail_handle(const char *what, const char *arg, const char *type)
    __attribute__((cold));
/* An optional slot the plugin does not have. */
mlb_status mlb_fail_unsupported(const mlb_plugin_rec *plugin, const char *slot)
    __attribute__((cold));
/* Objects of two different devices were used together. */
mlb_status mlb_fail_mismatch(const char *what, const char *arg, mlb_device want, mlb_device got)
    __attribute__((cold));

/* ---- log.c ---------------------------------------------------------------- */

/* Level from MLB_LOG (0 = off); MLB_LOG_ERROR when unset or unknown. */
int32_t mlb_log_level_from_env(void);
void mlb_log(const mlb_logger *log, int32_t level, const char *source, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void mlb_log_line(const mlb_logger *log, int32_t level, const char *source, const char *message);

/* ---- registry.c: process-wide bookkeeping of opened plugin libraries ----- */

/*
 * A library opened by several contexts is one copy in the process: its
 * init/shutdown and the log sink it was given are shared. The registry keeps
 * one entry per dlopen handle with the loggers of the contexts using it, so
 * a plugin's log callback never points into a destroyed context.
 */
void mlb_registry_lock(void);
void mlb_registry_unlock(void);
/* Takes a reference to the entry for `dl` and subscribes `log` to it (lock held). */
struct mlb_lib *mlb_registry_acquire(void *dl, const char *display_name, const mlb_logger *log);
/* Drops the reference and the subscription (lock held). */
void mlb_registry_release(struct mlb_lib *lib, const mlb_logger *log);
/* Renames the entry once the plugin's table name is known (lock held). */
void mlb_registry_set_name(struct mlb_lib *lib, const char *name);
/* The log callback handed to plugins; user_data is the registry entry. */
void mlb_registry_plugin_log(void *user_data, int32_t level, const char *message);

/* ---- discovery.c ---------------------------------------------------------- */

typedef struct mlb_candidate {
    char *path;
    char *real_path; /* NULL when the path could not be resolved */
    int error;       /* errno of a path that could not be used, else 0 */
} mlb_candidate;

/* Lists candidates (sorted, de-duplicated) from the given paths, MLB_PLUGIN_PATH
 * or the plugin folder. Returns MLB_OK or MLB_ERROR_OUT_OF_MEMORY. */
mlb_status mlb_discover(const mlb_logger *log, const char *const *paths, uint32_t num_paths,
                        mlb_candidate **out, uint32_t *count);
void mlb_candidates_free(mlb_candidate *list, uint32_t count);
/* Non-zero when `name` is one of the comma-separated names in `list`. */
int mlb_name_in_list(const char *list, const char *name);
/* The environment, read with secure_getenv where it exists. */
const char *mlb_getenv(const char *name);

/* ---- plugin.c --------------------------------------------------------------- */

/* Loads the candidate in `rec` (path fields set): dlopen, entry point,
 * negotiation, filters, init, devices. Sets state, status and reason. */
void mlb_plugin_load(struct mlb_context_s *ctx, mlb_plugin_rec *rec);
/* Shuts a loaded plugin down and closes its library. */
void mlb_plugin_unload(mlb_plugin_rec *rec);

/* ---- validate.c ------------------------------------------------------------ */

/* Checks one tensor descriptor and computes its byte extent. `what`/`role`/
 * `index` name it in the message, `source` is the plugin name. */
mlb_status mlb_validate_tensor(const mlb_tensor_desc *t, const char *source, const char *what,
                               const char *role, uint32_t index, uint64_t *extent);
/* Checks an op descriptor; fills need[num_inputs + num_outputs] when non-NULL. */
mlb_status mlb_validate_op_desc(const mlb_op_desc *desc, const char *source, const char *what,
                                uint64_t *need);
/* Checks that [offset, offset + size) lies inside a buffer of `buffer_size` bytes. */
mlb_status mlb_validate_range(uint64_t buffer_size, uint64_t offset, uint64_t size,
                              const char *source, const char *what, const char *arg);

/* ---- objects (api_*.c) --------------------------------------------------- */

static inline void mlb_object_created(mlb_device d) {
    atomic_fetch_add_explicit(&d->ctx->live_objects, 1, memory_order_relaxed);
}
static inline void mlb_object_destroyed(mlb_device d) {
    atomic_fetch_sub_explicit(&d->ctx->live_objects, 1, memory_order_relaxed);
}

#endif /* MLB_LOADER_H */
