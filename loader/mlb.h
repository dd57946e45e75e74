/*
 * mlb.h - the application API of libmlb, the ml_backend loader.
 *
 * ===========================================================================
 * Introduction
 * ===========================================================================
 *
 * A framework links libmlb and includes this header (it includes
 * ml_backend.h, whose types - statuses, dtypes, tensor and op descriptors,
 * device properties - are shared by both sides). libmlb finds plugin shared
 * libraries, negotiates versions with each, keeps those that work and the
 * reason why the others were skipped, and dispatches every call to the plugin
 * that owns the object after validating its arguments once.
 *
 * Object model (every handle is an opaque pointer owned by libmlb):
 *
 *   mlb_context - one loader instance: its plugins and their devices. No
 *                 hidden global state; several contexts may coexist.
 *   mlb_device  - a device of a loaded plugin, named "<plugin>:<index>".
 *                 Owned by the context; valid until mlb_context_destroy().
 *   mlb_buffer, mlb_stream, mlb_event, mlb_kernel - created on a device,
 *                 destroyed by the application.
 *
 * Lifetimes: a context outlives its devices; a device outlives every buffer,
 * stream, event and kernel created on it, so destroy those before the
 * context. A buffer must stay alive until all work that uses it has completed
 * (synchronize before freeing). Every destroy/free accepts NULL.
 *
 * Discovery: plugin paths given in mlb_context_options, else the
 * colon-separated folders and files of MLB_PLUGIN_PATH (it replaces the
 * default), else the installed plugin folder. A folder contributes its *.so
 * files (not recursively); a file is taken as given. Empty and relative
 * entries of MLB_PLUGIN_PATH are ignored, so the current directory is never
 * searched. Candidates are sorted by path and de-duplicated by real path.
 * MLB_PLUGINS=a,b loads only the named plugins; MLB_PLUGINS_DISABLE=a,b skips
 * the named ones. The environment is read with secure_getenv().
 *
 * Isolation: a plugin that fails at any step (not a shared library, no entry
 * point, entry point error, other ABI major, short table, NULL required slot,
 * init error, device enumeration error) is skipped with its reason kept
 * (mlb_context_plugin_info); the other plugins keep working.
 *
 * Validation: every call checks its arguments before one dispatch to the
 * plugin: NULL, destroyed or wrong-type handles (MLB_ERROR_INVALID_HANDLE),
 * objects of different devices (MLB_ERROR_DEVICE_MISMATCH), rank, dtype,
 * shape and stride rules (MLB_ERROR_INVALID_ARGUMENT), byte ranges and tensor
 * extents outside their buffer or beyond 64 bits (MLB_ERROR_OUT_OF_RANGE).
 * Optional plugin slots that the plugin lacks answer MLB_ERROR_UNSUPPORTED.
 * Handle checks read a type tag through the pointer: a pointer that is not
 * readable memory at all cannot be detected.
 *
 * Errors: every fallible function returns an mlb_status; output parameters
 * are written only on MLB_OK (mlb_context_create also on
 * MLB_ERROR_NO_PLUGIN, see there). After an error, mlb_last_error() gives a
 * per-thread detail that names the plugin and the cause.
 *
 * Logging: MLB_LOG=error|warn|info|debug|off writes
 * "[mlb] LEVEL plugin: message" lines to stderr; an application may pass a
 * callback and level in mlb_context_options instead. Messages of plugins go
 * through the same sink. Nothing else is printed; nothing calls exit/abort.
 *
 * Threading: every function may be called from any thread, except that one
 * stream must not be used from two threads at once, and an object must not be
 * destroyed while another thread still uses it.
 *
 * Every item is @since 1.0 (ABI 1.0) unless marked otherwise.
 */
#ifndef MLB_H
#define MLB_H

#include "ml_backend.h"

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32)
#define MLB_API __declspec(dllexport)
#elif defined(__GNUC__) || defined(__clang__)
#define MLB_API __attribute__((visibility("default")))
#else
#define MLB_API
#endif

/* ===========================================================================
 * Handles and limits
 * ======================================================================== */

/** A loader context. @since 1.0 */
typedef struct mlb_context_s *mlb_context;
/** A device of a loaded plugin, owned by its context. @since 1.0 */
typedef struct mlb_device_s *mlb_device;
/** A buffer on a device. @since 1.0 */
typedef struct mlb_buffer_s *mlb_buffer;
/** An in-order asynchronous stream on a device. @since 1.0 */
typedef struct mlb_stream_s *mlb_stream;
/** An event on a device. @since 1.0 */
typedef struct mlb_event_s *mlb_event;
/** A prepared op on a device. @since 1.0 */
typedef struct mlb_kernel_s *mlb_kernel;

/** Most inputs, and most outputs, an op descriptor may list. @since 1.0 */
#define MLB_MAX_OP_TENSORS 16

/* ===========================================================================
 * Contexts and plugins
 * ======================================================================== */

/** log_level value: take the level from MLB_LOG (default: errors only). @since 1.0 */
#define MLB_LOG_FROM_ENV 0
/** log_level value: no messages at all. @since 1.0 */
#define MLB_LOG_OFF (-1)

/**
 * An application log sink. `source` is the plugin's name (or the file name
 * of a plugin whose name is not known yet, or "mlb" for the loader itself);
 * `message` is one line without a newline. Called from any thread, including
 * plugin threads, between mlb_context_create() and the return of
 * mlb_context_destroy(), possibly while libmlb holds its plugin lock: the
 * callback must not create or destroy contexts. @since 1.0
 */
typedef void (*mlb_log_callback)(void *user_data, int32_t level, const char *source,
                                 const char *message);

/** Options of mlb_context_create(). Zero the struct, then set what you need. @since 1.0 */
typedef struct mlb_context_options {
    size_t struct_size; /**< MLB_STRUCT_SIZE(mlb_context_options, log_user_data) */
    /** Plugin files or folders to load instead of discovery; NULL = discover. */
    const char *const *plugin_paths;
    uint32_t num_plugin_paths; /**< entries in plugin_paths */
    /** MLB_LOG_FROM_ENV, MLB_LOG_OFF, or the most verbose enum mlb_log_level to report. */
    int32_t log_level;
    mlb_log_callback log; /**< sink for messages; NULL = stderr */
    void *log_user_data;  /**< passed back to log */
} mlb_context_options;

/** State of a discovered plugin. @since 1.0 */
enum mlb_plugin_state {
    MLB_PLUGIN_LOADED = 1,   /**< usable; its devices are listed */
    MLB_PLUGIN_REJECTED = 2, /**< failed a step of loading; see status and reason */
    MLB_PLUGIN_DISABLED = 3  /**< excluded by MLB_PLUGINS or MLB_PLUGINS_DISABLE */
};

/**
 * One discovered plugin. Strings are owned by the context and valid until
 * mlb_context_destroy(); fields the loader could not learn are "" or 0.
 * @since 1.0
 */
typedef struct mlb_plugin_info {
    size_t struct_size;      /**< MLB_STRUCT_SIZE(mlb_plugin_info, features) */
    const char *path;        /**< the path as discovered */
    const char *real_path;   /**< the resolved path, "" when it does not exist */
    const char *name;        /**< the plugin's name, "" before the table was read */
    const char *version;     /**< the plugin's own version string */
    const char *description; /**< one line for humans */
    const char *reason;      /**< why it is not loaded; "" when loaded */
    int32_t state;           /**< enum mlb_plugin_state */
    mlb_status status;       /**< MLB_OK when loaded, else the status of the failed step */
    uint32_t abi_version;    /**< the plugin's MLB_ABI_VERSION, 0 if unknown */
    uint32_t device_count;   /**< devices it contributes (0 unless loaded) */
    uint64_t features;       /**< enum mlb_feature bits */
} mlb_plugin_info;

/**
 * Creates a context: discovers, loads and initializes plugins.
 * @param options NULL for defaults, or options with struct_size set.
 * @param[out] context the new context.
 * @return MLB_OK when at least one plugin loaded; MLB_ERROR_NO_PLUGIN when
 *   none did - *context is then still a valid context (listing the rejected
 *   plugins and their reasons) that must be destroyed; MLB_ERROR_INVALID_ARGUMENT
 *   or MLB_ERROR_OUT_OF_MEMORY with *context untouched.
 * Thread safety: any number of threads may create contexts at once.
 * @since 1.0
 */
MLB_API mlb_status mlb_context_create(const mlb_context_options *options, mlb_context *context);

/**
 * Shuts the context's plugins down and frees it. Every buffer, stream, event
 * and kernel created from its devices must be destroyed first. NULL does
 * nothing. @param context the context. @since 1.0
 */
MLB_API void mlb_context_destroy(mlb_context context);

/**
 * Number of discovered plugins, loaded or not (0 for an invalid context).
 * @param context the context. @return the count. @since 1.0
 */
MLB_API uint32_t mlb_context_plugin_count(mlb_context context);

/**
 * Describes discovered plugin `index`, in discovery order (sorted by path).
 * @param context the context.
 * @param index 0 <= index < mlb_context_plugin_count().
 * @param[out] info filled up to info->struct_size (set it first).
 * @return MLB_OK, MLB_ERROR_INVALID_HANDLE, MLB_ERROR_OUT_OF_RANGE or
 *   MLB_ERROR_INVALID_ARGUMENT. @since 1.0
 */
MLB_API mlb_status mlb_context_plugin_info(mlb_context context, uint32_t index,
                                           mlb_plugin_info *info);

/**
 * Number of devices across loaded plugins. Cannot fail: plugins whose
 * enumeration failed were rejected at load. @param context the context.
 * @return the count (0 for an invalid context). @since 1.0
 */
MLB_API uint32_t mlb_context_device_count(mlb_context context);

/**
 * Device `index` in stable order: plugin order, then the plugin's index.
 * @param context the context. @param index 0 <= index < device count.
 * @param[out] device the device, valid until the context is destroyed.
 * @return MLB_OK, MLB_ERROR_INVALID_HANDLE, MLB_ERROR_OUT_OF_RANGE. @since 1.0
 */
MLB_API mlb_status mlb_context_device_get(mlb_context context, uint32_t index, mlb_device *device);

/**
 * Finds a device by its name "<plugin>:<index>".
 * @param context the context. @param name the device name.
 * @param[out] device the device.
 * @return MLB_OK or MLB_ERROR_NOT_FOUND (or a handle/argument error). @since 1.0
 */
MLB_API mlb_status mlb_context_device_find(mlb_context context, const char *name,
                                           mlb_device *device);

/* ===========================================================================
 * Devices
 * ======================================================================== */

/**
 * The device's name "<plugin>:<index>", or NULL for an invalid handle. Valid
 * as long as the device. @param device the device. @since 1.0
 */
MLB_API const char *mlb_device_name(mlb_device device);

/**
 * The name of the plugin that drives the device, or NULL for an invalid
 * handle. @param device the device. @since 1.0
 */
MLB_API const char *mlb_device_plugin_name(mlb_device device);

/**
 * Device properties. The plugin fills a zeroed copy; fields it does not know
 * stay 0. @param device the device.
 * @param[out] props filled up to props->struct_size (set it first).
 * @return MLB_OK or an error. @since 1.0
 */
MLB_API mlb_status mlb_device_get_props(mlb_device device, mlb_device_props *props);

/**
 * Memory kind `index` (< props.memory_kind_count) of the device.
 * @param device the device. @param index the memory kind.
 * @param[out] info filled up to info->struct_size.
 * @return MLB_OK or an error. @since 1.0
 */
MLB_API mlb_status mlb_device_get_memory_kind(mlb_device device, uint32_t index,
                                              mlb_memory_kind_info *info);

/**
 * Waits for all work of all streams of the device.
 * @param device the device. @return MLB_OK or the first sticky error. @since 1.0
 */
MLB_API mlb_status mlb_device_synchronize(mlb_device device);

/**
 * Allocator statistics (optional in plugins: MLB_ERROR_UNSUPPORTED otherwise).
 * @param device the device. @param[out] stats filled up to stats->struct_size.
 * @return MLB_OK or an error. @since 1.0
 */
MLB_API mlb_status mlb_device_get_memory_stats(mlb_device device, mlb_memory_stats *stats);

/**
 * Resets the peak of the allocator statistics (optional in plugins).
 * @param device the device. @return MLB_OK or an error. @since 1.0
 */
MLB_API mlb_status mlb_device_reset_peak_memory(mlb_device device);

/**
 * A typed device attribute by key (optional in plugins).
 * @param device the device. @param key the attribute name.
 * @param[out] value filled up to value->struct_size.
 * @return MLB_OK, MLB_ERROR_NOT_FOUND, MLB_ERROR_UNSUPPORTED or an error. @since 1.0
 */
MLB_API mlb_status mlb_device_get_attribute(mlb_device device, const char *key,
                                            mlb_attr_value *value);

/**
 * Allocates pinned host memory for fast copies (optional in plugins).
 * @param device the device. @param size bytes, > 0. @param[out] ptr the memory.
 * @return MLB_OK or an error. @since 1.0
 */
MLB_API mlb_status mlb_device_host_alloc(mlb_device device, uint64_t size, void **ptr);

/**
 * Frees memory from mlb_device_host_alloc(); NULL does nothing.
 * @param device the device it came from. @param ptr the memory. @since 1.0
 */
MLB_API void mlb_device_host_free(mlb_device device, void *ptr);

/* ===========================================================================
 * Buffers
 * ======================================================================== */

/**
 * Allocates a buffer. Contents are undefined.
 * @param device the device.
 * @param desc what to allocate (struct_size, memory kind < memory_kind_count,
 *   flags 0, alignment 0 or a power of two).
 * @param[out] buffer the buffer.
 * @return MLB_OK, MLB_ERROR_OUT_OF_MEMORY or an argument error. @since 1.0
 */
MLB_API mlb_status mlb_buffer_alloc(mlb_device device, const mlb_buffer_desc *desc,
                                    mlb_buffer *buffer);

/**
 * Frees a buffer; no queued work may still use it. NULL does nothing.
 * @param buffer the buffer. @since 1.0
 */
MLB_API void mlb_buffer_free(mlb_buffer buffer);

/** Size in bytes of the buffer, 0 for an invalid handle. @param buffer the buffer. @since 1.0 */
MLB_API uint64_t mlb_buffer_size(mlb_buffer buffer);

/** The device of the buffer, NULL for an invalid handle. @param buffer the buffer. @since 1.0 */
MLB_API mlb_device mlb_buffer_device(mlb_buffer buffer);

/**
 * Host address of a host-accessible buffer (optional in plugins). Accesses
 * are not ordered with streams: synchronize first.
 * @param buffer the buffer. @param[out] ptr the address.
 * @return MLB_OK or an error. @since 1.0
 */
MLB_API mlb_status mlb_buffer_host_pointer(mlb_buffer buffer, void **ptr);

/**
 * The backend's own handle of the buffer (optional in plugins).
 * @param buffer the buffer. @param[out] handle the handle.
 * @return MLB_OK or an error. @since 1.0
 */
MLB_API mlb_status mlb_buffer_native_handle(mlb_buffer buffer, void **handle);

/* ===========================================================================
 * Streams and copies
 * ======================================================================== */

/**
 * Creates an in-order asynchronous stream. The priority is clamped into the
 * device's range (props.stream_priority_high .. _low); 0 is the default.
 * @param device the device. @param priority the priority.
 * @param[out] stream the stream. @return MLB_OK or an error. @since 1.0
 */
MLB_API mlb_status mlb_stream_create(mlb_device device, int32_t priority, mlb_stream *stream);

/**
 * Waits for the stream's work, then destroys it. NULL does nothing.
 * @param stream the stream. @since 1.0
 */
MLB_API void mlb_stream_destroy(mlb_stream stream);

/**
 * Blocks until the stream's queued work completes.
 * @param stream the stream. @return MLB_OK or the sticky error. @since 1.0
 */
MLB_API mlb_status mlb_stream_synchronize(mlb_stream stream);

/**
 * Never blocks. @param stream the stream.
 * @return MLB_OK when idle, MLB_NOT_READY when busy, or the sticky error. @since 1.0
 */
MLB_API mlb_status mlb_stream_query(mlb_stream stream);

/**
 * Later work on `stream` waits for `event` (same device).
 * @param stream the stream. @param event the event.
 * @return MLB_OK or an error. @since 1.0
 */
MLB_API mlb_status mlb_stream_wait_event(mlb_stream stream, mlb_event event);

/**
 * Enqueues a copy of `size` bytes from host memory into `dst` at `dst_offset`.
 * `src` is captured at enqueue time.
 * @param stream the stream. @param dst the buffer (same device).
 * @param dst_offset byte offset in dst. @param src host memory.
 * @param size bytes; dst_offset + size <= buffer size.
 * @return MLB_OK or an error. @since 1.0
 */
MLB_API mlb_status mlb_stream_copy_host_to_device(mlb_stream stream, mlb_buffer dst,
                                                  uint64_t dst_offset, const void *src,
                                                  uint64_t size);

/**
 * Enqueues a copy of `size` bytes from `src` at `src_offset` into host memory
 * `dst`, which must stay valid until the copy completed (synchronize).
 * @param stream the stream. @param dst host memory. @param src the buffer.
 * @param src_offset byte offset in src. @param size bytes.
 * @return MLB_OK or an error. @since 1.0
 */
MLB_API mlb_status mlb_stream_copy_device_to_host(mlb_stream stream, void *dst, mlb_buffer src,
                                                  uint64_t src_offset, uint64_t size);

/**
 * Enqueues a copy between two buffers of the stream's device; the regions
 * must not overlap.
 * @param stream the stream. @param dst destination. @param dst_offset offset in dst.
 * @param src source. @param src_offset offset in src. @param size bytes.
 * @return MLB_OK or an error. @since 1.0
 */
MLB_API mlb_status mlb_stream_copy_device_to_device(mlb_stream stream, mlb_buffer dst,
                                                    uint64_t dst_offset, mlb_buffer src,
                                                    uint64_t src_offset, uint64_t size);

/**
 * Enqueues setting `size` bytes of `dst` from `offset` to `value`.
 * @param stream the stream. @param dst the buffer. @param offset byte offset.
 * @param value the byte. @param size bytes. @return MLB_OK or an error. @since 1.0
 */
MLB_API mlb_status mlb_stream_memset(mlb_stream stream, mlb_buffer dst, uint64_t offset,
                                     uint8_t value, uint64_t size);

/**
 * Runs fn(user_data, status) after all earlier work on the stream (optional
 * in plugins). fn runs on a plugin thread and must not use the same stream.
 * @param stream the stream. @param fn the function. @param user_data its argument.
 * @return MLB_OK or an error. @since 1.0
 */
MLB_API mlb_status mlb_stream_add_callback(mlb_stream stream, mlb_host_fn fn, void *user_data);

/**
 * The backend's own handle of the stream (optional in plugins).
 * @param stream the stream. @param[out] handle the handle.
 * @return MLB_OK or an error. @since 1.0
 */
MLB_API mlb_status mlb_stream_native_handle(mlb_stream stream, void **handle);

/* ===========================================================================
 * Events
 * ======================================================================== */

/**
 * Creates an event. @param device the device.
 * @param flags enum mlb_event_flag bits (MLB_EVENT_TIMING for elapsed times).
 * @param[out] event the event. @return MLB_OK or an error. @since 1.0
 */
MLB_API mlb_status mlb_event_create(mlb_device device, uint32_t flags, mlb_event *event);

/** Destroys an event; NULL does nothing. @param event the event. @since 1.0 */
MLB_API void mlb_event_destroy(mlb_event event);

/**
 * Records the event at the current end of `stream` (same device).
 * @param event the event. @param stream the stream.
 * @return MLB_OK or an error. @since 1.0
 */
MLB_API mlb_status mlb_event_record(mlb_event event, mlb_stream stream);

/**
 * Blocks until the event completes; a never-recorded event is complete.
 * @param event the event. @return MLB_OK or the error it completed with. @since 1.0
 */
MLB_API mlb_status mlb_event_synchronize(mlb_event event);

/**
 * Never blocks. @param event the event.
 * @return MLB_OK, MLB_NOT_READY, or the error it completed with. @since 1.0
 */
MLB_API mlb_status mlb_event_query(mlb_event event);

/**
 * Milliseconds between two completed timing events of one device (optional
 * in plugins). @param start first event. @param end second event.
 * @param[out] ms elapsed time. @return MLB_OK or an error. @since 1.0
 */
MLB_API mlb_status mlb_event_elapsed_ms(mlb_event start, mlb_event end, float *ms);

/* ===========================================================================
 * Ops and kernels
 * ======================================================================== */

/**
 * Cheap query: can the device run this op with these descriptors? Never
 * allocates or launches. The descriptor is checked against the generic rules
 * first (known op, tensor counts, rank, dtype, shape, strides, extent).
 * @param device the device. @param desc the op.
 * @return MLB_OK, MLB_ERROR_UNSUPPORTED (a normal answer) or
 *   MLB_ERROR_INVALID_ARGUMENT / MLB_ERROR_OUT_OF_RANGE. @since 1.0
 */
MLB_API mlb_status mlb_op_supported(mlb_device device, const mlb_op_desc *desc);

/**
 * Prepares a kernel for `desc` (validated as in mlb_op_supported). The loader
 * remembers the byte extent of each tensor, so launches only compare buffer
 * sizes. `desc` need only live for the call.
 * @param device the device. @param desc the op. @param[out] kernel the kernel.
 * @return MLB_OK or an error. @since 1.0
 */
MLB_API mlb_status mlb_kernel_create(mlb_device device, const mlb_op_desc *desc,
                                     mlb_kernel *kernel);

/**
 * Enqueues one run of the kernel. inputs/outputs list one buffer per tensor of
 * the descriptor, in order; each must be of the kernel's device and hold its
 * tensor's extent.
 * @param kernel the kernel. @param stream a stream of the same device.
 * @param inputs input buffers. @param num_inputs must equal the descriptor's.
 * @param outputs output buffers. @param num_outputs must equal the descriptor's.
 * @return MLB_OK or an error (nothing is enqueued then). @since 1.0
 */
MLB_API mlb_status mlb_kernel_launch(mlb_kernel kernel, mlb_stream stream, const mlb_buffer *inputs,
                                     uint32_t num_inputs, const mlb_buffer *outputs,
                                     uint32_t num_outputs);

/**
 * Destroys a kernel; queued launches still complete. NULL does nothing.
 * @param kernel the kernel. @since 1.0
 */
MLB_API void mlb_kernel_destroy(mlb_kernel kernel);

/* ===========================================================================
 * Tensor descriptor helpers
 * ======================================================================== */

/**
 * Fills a contiguous (row-major) descriptor at byte offset 0.
 * @param[out] desc the descriptor (every field set, unused axes 0).
 * @param dtype enum mlb_dtype. @param rank 0..MLB_MAX_RANK.
 * @param shape rank extents (may be NULL when rank is 0).
 * @return MLB_OK, MLB_ERROR_INVALID_ARGUMENT or MLB_ERROR_OUT_OF_RANGE. @since 1.0
 */
MLB_API mlb_status mlb_tensor_desc_contiguous(mlb_tensor_desc *desc, int32_t dtype, int32_t rank,
                                              const int64_t *shape);

/**
 * Bytes a buffer needs to hold the tensor: byte_offset + the furthest
 * element's end, 0 when the tensor has no elements; overflow-checked.
 * @param desc the descriptor. @param[out] bytes the extent.
 * @return MLB_OK, MLB_ERROR_INVALID_ARGUMENT or MLB_ERROR_OUT_OF_RANGE. @since 1.0
 */
MLB_API mlb_status mlb_tensor_desc_extent(const mlb_tensor_desc *desc, uint64_t *bytes);

/* ===========================================================================
 * Names, statuses, errors
 * ======================================================================== */

/** "MLB_OK", "MLB_ERROR_INVALID_ARGUMENT", ...; "MLB_UNKNOWN_STATUS" otherwise. @since 1.0 */
MLB_API const char *mlb_status_name(mlb_status status);

/** One-line description of a status; "unknown status" otherwise. @since 1.0 */
MLB_API const char *mlb_status_message(mlb_status status);

/**
 * Detail of the last error returned on the calling thread, naming the plugin
 * (or "mlb") and the cause, e.g. "cpu_ref: matmul: K of a (3) != K of b (4)".
 * Successful calls leave it unchanged. Valid until the thread's next failing
 * call. Never NULL. @since 1.0
 */
MLB_API const char *mlb_last_error(void);

/** "f32", "f16", "bf16", "f64", "i8", "u8", "i32", "i64", "bool"; NULL otherwise. @since 1.0 */
MLB_API const char *mlb_dtype_name(int32_t dtype);

/** Bytes per element, 0 for an unknown dtype. @since 1.0 */
MLB_API size_t mlb_dtype_size(int32_t dtype);

/** The dtype named `name` (see mlb_dtype_name), MLB_DTYPE_INVALID otherwise. @since 1.0 */
MLB_API int32_t mlb_dtype_from_name(const char *name);

/**
 * The DLPack type of a dtype (lanes are always 1).
 * @param dtype enum mlb_dtype. @param[out] code DLDataTypeCode.
 * @param[out] bits bits per lane. @param[out] lanes 1.
 * @return MLB_OK or MLB_ERROR_INVALID_ARGUMENT. @since 1.0
 */
MLB_API mlb_status mlb_dtype_to_dlpack(int32_t dtype, uint8_t *code, uint8_t *bits,
                                       uint16_t *lanes);

/** Lowercase op name ("add", "gelu_tanh", "reduce_sum", ...); NULL if unknown. @since 1.0 */
MLB_API const char *mlb_op_name(int32_t op);

/** The op named `name`, MLB_OP_NONE otherwise. @since 1.0 */
MLB_API int32_t mlb_op_from_name(const char *name);

/** "loaded", "rejected", "disabled"; "unknown" otherwise. @since 1.0 */
MLB_API const char *mlb_plugin_state_name(int32_t state);

/** "error", "warn", "info", "debug"; "unknown" otherwise. @since 1.0 */
MLB_API const char *mlb_log_level_name(int32_t level);

/** The MLB_ABI_VERSION libmlb was built with. @since 1.0 */
MLB_API uint32_t mlb_loader_abi_version(void);

#ifdef __cplusplus
}
#endif

#endif /* MLB_H */
