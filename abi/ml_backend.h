/*
 * ml_backend.h - the stable C ABI between ml_backend plugins and the loader.
 *
 * ===========================================================================
 * Introduction
 * ===========================================================================
 *
 * A plugin is a shared library that implements one hardware backend (a CPU
 * library, a GPU runtime, an accelerator driver). It exports exactly one
 * symbol, mlb_plugin_get_api(), which hands the loader a table of function
 * pointers (mlb_plugin_api). Everything else crosses the boundary through that
 * table. This header is the whole contract: a plugin author needs nothing but
 * it (`pkg-config --cflags ml_backend`), and the loader includes nothing
 * vendor-specific.
 *
 * Object model (all objects are opaque handles owned by the plugin):
 *
 *   device  - one piece of hardware the plugin drives. Devices exist from
 *             init() to shutdown(); the plugin owns them, nobody destroys them.
 *   buffer  - a block of memory allocated from one of a device's memory kinds.
 *             Not assumed host-accessible: data moves by stream-ordered copies.
 *   stream  - an in-order, asynchronous queue of work on one device.
 *   event   - a marker recorded into a stream; other streams can wait on it,
 *             the host can synchronize on or query it, timing events measure
 *             elapsed time.
 *   kernel  - one op with fixed tensor descriptors and attributes, prepared
 *             once by kernel_create() and launched any number of times.
 *
 * Lifetimes: a device outlives every buffer, stream, event and kernel created
 * on it. A buffer must stay alive until all work that uses it has completed
 * (the caller synchronizes before freeing). Destroying a stream first waits for
 * the work queued on it. A kernel may be destroyed while launches of it are
 * still queued; the plugin keeps what those launches need. Every destroy/free
 * accepts NULL and then does nothing.
 *
 * Threading: every function may be called from any thread at any time, except
 * that one stream must not be used from two threads at once (the caller
 * serializes enqueues on one stream). init() and shutdown() are called by the
 * loader with its own lock held.
 *
 * Asynchrony: copies, memsets and kernel launches are enqueued and may return
 * before the work runs. A launch or copy that is rejected at enqueue time
 * returns an error and enqueues nothing. Errors that occur while queued work
 * runs are sticky on their stream: the stream's synchronize and query, and the
 * synchronize and query of events recorded after the failure on that stream,
 * return the first such error from then on. Work enqueued on a failed stream
 * is accepted (MLB_OK) and skipped.
 *
 * Versioning: MLB_ABI_VERSION_MAJOR changes only when a layout breaks; a
 * loader accepts only plugins of its own major. MLB_ABI_VERSION_MINOR grows
 * when something is appended. Structs and the function table are append-only:
 * fields are added at the end, never moved, resized or removed, and numeric
 * values of enums are never reused. Every struct that crosses the boundary
 * starts with `size_t struct_size`, set by whoever allocated it to
 * MLB_STRUCT_SIZE(type, last_field_it_knows). A reader checks that a field lies
 * inside struct_size (MLB_HAS_FIELD) before reading it; a writer never writes
 * past the struct_size the other side set. A field appended in a later minor
 * always has the meaning "not provided / default" when zero, so that zeroing a
 * struct before filling it is always correct.
 *
 * Conventions: every fallible function returns mlb_status (0 = MLB_OK). Output
 * parameters are written only on MLB_OK. Enumerations are stored in structs and
 * passed across the ABI as fixed-width integers (int32_t/uint32_t), never as C
 * enum types. Sizes and offsets in bytes are uint64_t; tensor shapes and
 * strides are int64_t counted in elements.
 *
 * Every item in this header is @since 1.0 unless marked otherwise.
 */
#ifndef ML_BACKEND_H
#define ML_BACKEND_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ===========================================================================
 * Versioning and struct sizes
 * ======================================================================== */

/** Major version of this ABI. Changes only on a layout break. @since 1.0 */
#define MLB_ABI_VERSION_MAJOR 1
/** Minor version of this ABI. Grows when fields or functions are appended. @since 1.0 */
#define MLB_ABI_VERSION_MINOR 0

/** Packs a major and minor version into one uint32_t: major in the high 16 bits. @since 1.0 */
#define MLB_MAKE_VERSION(major, minor) ((((uint32_t)(major)) << 16) | ((uint32_t)(minor)&0xffffu))
/** The major part of a packed version. @since 1.0 */
#define MLB_VERSION_MAJOR(version) (((uint32_t)(version)) >> 16)
/** The minor part of a packed version. @since 1.0 */
#define MLB_VERSION_MINOR(version) (((uint32_t)(version)) & 0xffffu)
/** The packed version of this header. @since 1.0 */
#define MLB_ABI_VERSION MLB_MAKE_VERSION(MLB_ABI_VERSION_MAJOR, MLB_ABI_VERSION_MINOR)

/**
 * Size of `type` up to and including `field`: the value a writer that knows
 * fields up to `field` puts in struct_size. Never use sizeof(type) for
 * struct_size (trailing padding would claim knowledge of fields not yet there).
 * @since 1.0
 */
#define MLB_STRUCT_SIZE(type, field) (offsetof(type, field) + sizeof(((type *)0)->field))

/**
 * Non-zero when the struct at `ptr` (of type `type`) is large enough to hold
 * `field`, judged by its struct_size. Check this before reading any field that
 * was not in the first version of the struct. @since 1.0
 */
#define MLB_HAS_FIELD(ptr, type, field) ((ptr)->struct_size >= MLB_STRUCT_SIZE(type, field))

/** Highest tensor rank. @since 1.0 */
#define MLB_MAX_RANK 8

/** Length of fixed-size name strings in structs, terminator included. @since 1.0 */
#define MLB_NAME_LEN 64

/* ===========================================================================
 * Status codes
 * ======================================================================== */

/**
 * The status table: X(NAME, value, message). Values are explicit and never
 * reused. MLB_NOT_READY is not an error: it answers a query on pending work.
 * The loader generates mlb_status_name() and mlb_status_message() from this
 * table; a plugin may use it the same way.
 * @since 1.0
 */
#define MLB_STATUS_MAP(X)                                                                          \
    X(OK, 0, "success")                                                                            \
    X(NOT_READY, 1, "work is still pending (not an error)")                                        \
    X(ERROR_INVALID_ARGUMENT, 2, "an argument is invalid")                                         \
    X(ERROR_INVALID_HANDLE, 3, "a handle is NULL, destroyed, or of the wrong type")                \
    X(ERROR_UNSUPPORTED, 4, "the operation is not supported by this plugin or device")             \
    X(ERROR_OUT_OF_MEMORY, 5, "out of memory")                                                     \
    X(ERROR_OUT_OF_RANGE, 6, "an offset, size, index or tensor extent is out of range")            \
    X(ERROR_DEVICE_MISMATCH, 7, "objects from different devices were used together")               \
    X(ERROR_INVALID_STATE, 8, "the object is not in a state that allows this call")                \
    X(ERROR_VERSION_MISMATCH, 9, "incompatible ABI version")                                       \
    X(ERROR_PLUGIN_LOAD, 10, "the plugin could not be loaded")                                     \
    X(ERROR_NO_PLUGIN, 11, "no usable plugin was found")                                           \
    X(ERROR_NOT_FOUND, 12, "the requested item was not found")                                     \
    X(ERROR_DEVICE, 13, "the device failed while running queued work")                             \
    X(ERROR_DEVICE_LOST, 14, "the device was lost")                                                \
    X(ERROR_INTERNAL, 15, "internal error in the plugin or loader")

/** Status values. Stored and returned as mlb_status (int32_t). @since 1.0 */
enum mlb_status_code {
#define MLB_STATUS_ENUM_ENTRY(name, value, message) MLB_##name = value,
    MLB_STATUS_MAP(MLB_STATUS_ENUM_ENTRY)
#undef MLB_STATUS_ENUM_ENTRY
        MLB_STATUS_COUNT_ /**< one past the highest value; not a status */
};

/** A status code from enum mlb_status_code. @since 1.0 */
typedef int32_t mlb_status;

/* ===========================================================================
 * Data types
 * ======================================================================== */

/**
 * Element types. Explicit values, never reused. The DLPack mapping (type code,
 * bits, lanes=1) is given per value; the loader converts. @since 1.0
 */
enum mlb_dtype {
    MLB_DTYPE_INVALID = 0, /**< not a type */
    MLB_DTYPE_F32 = 1,     /**< IEEE binary32. DLPack (kDLFloat=2, 32) */
    MLB_DTYPE_F16 = 2,     /**< IEEE binary16. DLPack (kDLFloat=2, 16) */
    MLB_DTYPE_BF16 = 3,    /**< bfloat16 (top half of binary32). DLPack (kDLBfloat=4, 16) */
    MLB_DTYPE_F64 = 4,     /**< IEEE binary64. DLPack (kDLFloat=2, 64) */
    MLB_DTYPE_I8 = 5,      /**< int8, two's complement. DLPack (kDLInt=0, 8) */
    MLB_DTYPE_U8 = 6,      /**< uint8. DLPack (kDLUInt=1, 8) */
    MLB_DTYPE_I32 = 7,     /**< int32. DLPack (kDLInt=0, 32) */
    MLB_DTYPE_I64 = 8,     /**< int64. DLPack (kDLInt=0, 64) */
    MLB_DTYPE_BOOL = 9     /**< one byte, 0 = false, 1 = true. DLPack (kDLBool=6, 8) */
};

/** Number of dtype values including MLB_DTYPE_INVALID (v1.0). @since 1.0 */
#define MLB_DTYPE_COUNT_1_0 10

/**
 * Every dtype of v1.0 in enum order, as X(value): for tables and loops over the
 * whole set (`int32_t all[] = {MLB_DTYPE_LIST_1_0(MY_ENTRY)};`). @since 1.0
 */
/* clang-format off */
#define MLB_DTYPE_LIST_1_0(X) \
    X(MLB_DTYPE_F32) \
    X(MLB_DTYPE_F16) \
    X(MLB_DTYPE_BF16) \
    X(MLB_DTYPE_F64) \
    X(MLB_DTYPE_I8) \
    X(MLB_DTYPE_U8) \
    X(MLB_DTYPE_I32) \
    X(MLB_DTYPE_I64) \
    X(MLB_DTYPE_BOOL)
/* clang-format on */

/* ===========================================================================
 * Tensor descriptors
 * ======================================================================== */

/**
 * Describes how a tensor lies in a buffer. Element (i0..i{rank-1}) is at byte
 * byte_offset + elem_size * sum(i_k * strides[k]).
 *
 * Rules: 0 <= rank <= MLB_MAX_RANK; shape[k] >= 0; strides[k] >= 0 (0 repeats
 * the same element along that axis, which is how broadcast inputs are
 * written); a tensor with any shape[k] == 0 has no elements and touches no
 * memory. Output tensors must not have stride 0 on an axis of extent > 1 and
 * must not overlap any input, unless an op says otherwise. Entries of shape
 * and strides at index >= rank are ignored (keep them 0). The loader checks
 * that the furthest element lies inside the buffer before calling a plugin.
 * @since 1.0
 */
typedef struct mlb_tensor_desc {
    size_t struct_size;            /**< MLB_STRUCT_SIZE(mlb_tensor_desc, byte_offset) */
    int32_t dtype;                 /**< enum mlb_dtype */
    int32_t rank;                  /**< number of axes, 0 (a scalar) to MLB_MAX_RANK */
    int64_t shape[MLB_MAX_RANK];   /**< extent of each axis, >= 0 */
    int64_t strides[MLB_MAX_RANK]; /**< distance between neighbours on each axis, in elements */
    uint64_t byte_offset;          /**< bytes from the buffer start to element (0,...,0) */
} mlb_tensor_desc;

/* ===========================================================================
 * Devices
 * ======================================================================== */

/** Device kinds. @since 1.0 */
enum mlb_device_kind {
    MLB_DEVICE_KIND_UNKNOWN = 0,    /**< not stated */
    MLB_DEVICE_KIND_CPU = 1,        /**< host processor */
    MLB_DEVICE_KIND_GPU = 2,        /**< graphics processor */
    MLB_DEVICE_KIND_ACCELERATOR = 3 /**< other accelerator (NPU, TPU, FPGA, ...) */
};

/** Bits of mlb_device_props.flags. @since 1.0 */
enum mlb_device_flag {
    /** Some memory kind of this device is host-accessible (buffer_host_pointer works). */
    MLB_DEVICE_FLAG_HOST_ACCESSIBLE = 1u << 0,
    /** The device shares physical memory with the host (integrated GPU, CPU). */
    MLB_DEVICE_FLAG_UNIFIED_MEMORY = 1u << 1,
    /** pci_domain, pci_bus, pci_device and pci_function hold the device's PCI location. */
    MLB_DEVICE_FLAG_PCI_LOCATION = 1u << 2
};

/**
 * Device properties, filled by the plugin. The caller zeroes the struct and
 * sets struct_size; the plugin writes only fields inside it. Zero means
 * "unknown" for every numeric field. @since 1.0
 */
typedef struct mlb_device_props {
    size_t struct_size;          /**< MLB_STRUCT_SIZE(mlb_device_props, uuid) in v1.0 */
    char name[MLB_NAME_LEN];     /**< human-readable device name, NUL-terminated */
    char vendor[MLB_NAME_LEN];   /**< hardware vendor name, NUL-terminated */
    int32_t kind;                /**< enum mlb_device_kind */
    uint32_t flags;              /**< enum mlb_device_flag bits */
    uint64_t total_memory;       /**< bytes of device-local memory, 0 if unknown */
    uint32_t memory_kind_count;  /**< number of memory kinds, >= 1 (see memory_kind_get) */
    uint32_t compute_units;      /**< cores / SMs / CUs, 0 if unknown */
    uint32_t vendor_id;          /**< PCI vendor id, 0 if unknown */
    uint32_t device_id;          /**< PCI device id, 0 if unknown */
    int32_t stream_priority_low; /**< lowest stream priority (numerically the default), 0 if none */
    int32_t
        stream_priority_high; /**< highest stream priority; equal to low if priorities are absent */
    int32_t pci_domain;       /**< PCI domain; valid only with MLB_DEVICE_FLAG_PCI_LOCATION */
    int32_t pci_bus;          /**< PCI bus; valid only with MLB_DEVICE_FLAG_PCI_LOCATION */
    int32_t pci_device;       /**< PCI device; valid only with MLB_DEVICE_FLAG_PCI_LOCATION */
    int32_t pci_function;     /**< PCI function; valid only with MLB_DEVICE_FLAG_PCI_LOCATION */
    uint8_t uuid[16];         /**< stable device UUID, all zero if unknown */
} mlb_device_props;

/** Memory kinds a device can offer. @since 1.0 */
enum mlb_memory_kind_type {
    MLB_MEMORY_DEVICE_LOCAL = 1, /**< memory attached to the device; fastest for kernels */
    MLB_MEMORY_HOST_VISIBLE = 2, /**< device memory the host can map (buffer_host_pointer) */
    MLB_MEMORY_HOST_PINNED = 3   /**< page-locked host memory the device can reach */
};

/** Bits of mlb_memory_kind_info.flags. @since 1.0 */
enum mlb_memory_kind_flag {
    /** buffer_host_pointer() succeeds on buffers of this kind. */
    MLB_MEMORY_FLAG_HOST_ACCESSIBLE = 1u << 0
};

/**
 * One memory kind of a device, by index 0..memory_kind_count-1. Index 0 is the
 * default kind for tensors and is device-local. @since 1.0
 */
typedef struct mlb_memory_kind_info {
    size_t struct_size; /**< MLB_STRUCT_SIZE(mlb_memory_kind_info, total_size) in v1.0 */
    int32_t type;       /**< enum mlb_memory_kind_type */
    uint32_t flags;     /**< enum mlb_memory_kind_flag bits */
    uint64_t alignment; /**< alignment of every buffer of this kind (power of two), at least 64 */
    uint64_t max_alloc_size; /**< largest single buffer in bytes, 0 if unknown */
    uint64_t total_size;     /**< bytes of this kind, 0 if unknown */
} mlb_memory_kind_info;

/**
 * Allocator statistics of one device. bytes_in_use follows allocations and
 * frees; peak_bytes_in_use only grows until device_reset_peak_memory; the
 * counts only grow. @since 1.0
 */
typedef struct mlb_memory_stats {
    size_t struct_size;          /**< MLB_STRUCT_SIZE(mlb_memory_stats, total_bytes) in v1.0 */
    uint64_t bytes_in_use;       /**< bytes in live buffers (requested sizes) */
    uint64_t peak_bytes_in_use;  /**< highest bytes_in_use since creation or the last reset */
    uint64_t alloc_count;        /**< successful allocations */
    uint64_t free_count;         /**< buffers freed */
    uint64_t failed_alloc_count; /**< allocations that failed for lack of memory */
    uint64_t free_bytes;         /**< device memory still free, 0 if unknown */
    uint64_t total_bytes;        /**< device memory in all, 0 if unknown */
} mlb_memory_stats;

/** Types of a device attribute value. @since 1.0 */
enum mlb_attr_type {
    MLB_ATTR_NONE = 0,    /**< not set */
    MLB_ATTR_INT64 = 1,   /**< value in i64 */
    MLB_ATTR_FLOAT64 = 2, /**< value in f64 */
    MLB_ATTR_STRING = 3   /**< value in str, NUL-terminated */
};

/**
 * A typed device attribute (key-value query, e.g. "compute_capability",
 * "l2_cache_bytes", "driver_version"). @since 1.0
 */
typedef struct mlb_attr_value {
    size_t struct_size; /**< MLB_STRUCT_SIZE(mlb_attr_value, str) in v1.0 */
    int32_t type;       /**< enum mlb_attr_type */
    int32_t reserved;   /**< 0 */
    int64_t i64;        /**< value when type is MLB_ATTR_INT64 */
    double f64;         /**< value when type is MLB_ATTR_FLOAT64 */
    char str[128];      /**< value when type is MLB_ATTR_STRING */
} mlb_attr_value;

/* ===========================================================================
 * Buffers
 * ======================================================================== */

/** What to allocate. @since 1.0 */
typedef struct mlb_buffer_desc {
    size_t struct_size;   /**< MLB_STRUCT_SIZE(mlb_buffer_desc, alignment) in v1.0 */
    uint32_t memory_kind; /**< index of the device's memory kind, 0 = default */
    uint32_t flags;       /**< reserved, must be 0 */
    uint64_t size;        /**< bytes; 0 gives a valid empty buffer */
    uint64_t alignment;   /**< 0 = the kind's alignment; else a power of two */
} mlb_buffer_desc;

/* ===========================================================================
 * Events and streams
 * ======================================================================== */

/** Bits of event_create flags. @since 1.0 */
enum mlb_event_flag {
    /** Record timestamps so event_elapsed_ms works. Off by default: timing costs. */
    MLB_EVENT_TIMING = 1u << 0
};

/**
 * A host function run by a stream (stream_add_callback) once all earlier work
 * on it has completed. `status` is MLB_OK or the stream's sticky error. It runs
 * on a plugin thread and must not call into the same stream, nor synchronize
 * the stream's device (both would wait for the callback itself). @since 1.0
 */
typedef void (*mlb_host_fn)(void *user_data, mlb_status status);

/* ===========================================================================
 * Ops
 * ======================================================================== */

/**
 * Op identifiers. Explicit values, append-only, never reused; the semantics of
 * each is written in docs/ops.md. Values from MLB_OP_VENDOR_FIRST upward are
 * reserved for vendor-private ops, which a plugin may accept with attribute
 * structs of its own. @since 1.0
 */
enum mlb_op {
    MLB_OP_NONE = 0, /**< no op; as an epilogue activation: none */

    /* Unary elementwise: 1 input, 1 output of the same shape and dtype. No attributes. */
    MLB_OP_NEG = 1,        /**< -x */
    MLB_OP_ABS = 2,        /**< |x| */
    MLB_OP_EXP = 3,        /**< e^x */
    MLB_OP_LOG = 4,        /**< natural log */
    MLB_OP_SQRT = 5,       /**< square root */
    MLB_OP_RSQRT = 6,      /**< 1/sqrt(x) */
    MLB_OP_TANH = 7,       /**< hyperbolic tangent */
    MLB_OP_SIGMOID = 8,    /**< 1/(1+e^-x) */
    MLB_OP_RELU = 9,       /**< max(x, 0) */
    MLB_OP_GELU = 10,      /**< x*Phi(x), exact (erf) form */
    MLB_OP_GELU_TANH = 11, /**< tanh approximation of gelu */
    MLB_OP_SILU = 12,      /**< x*sigmoid(x) */

    /* Binary elementwise with NumPy broadcasting: 2 inputs, 1 output. No attributes. */
    MLB_OP_ADD = 32,     /**< a + b */
    MLB_OP_SUB = 33,     /**< a - b */
    MLB_OP_MUL = 34,     /**< a * b */
    MLB_OP_DIV = 35,     /**< a / b (floats only) */
    MLB_OP_MAXIMUM = 36, /**< max(a, b), NaN-propagating */
    MLB_OP_MINIMUM = 37, /**< min(a, b), NaN-propagating */
    MLB_OP_POW = 38,     /**< a^b (floats only) */

    /* Data movement. */
    MLB_OP_CAST = 64, /**< 1 input, 1 output of the same shape, any dtype pair. No attributes. */
    MLB_OP_COPY =
        65, /**< 1 input, 1 output of the same shape and dtype, any strides. No attributes. */
    MLB_OP_FILL = 66, /**< 0 inputs, 1 output set to a constant. mlb_fill_attrs. */

    /* Linear algebra and convolution. */
    MLB_OP_MATMUL = 96, /**< inputs a, b[, bias]; 1 output. mlb_matmul_attrs. */
    MLB_OP_CONV2D = 97, /**< inputs x, w[, bias]; 1 output. mlb_conv2d_attrs. */
    MLB_OP_POOL2D = 98, /**< 1 input, 1 output. mlb_pool2d_attrs. */

    /* Normalization. */
    MLB_OP_SOFTMAX = 128,     /**< 1 input, 1 output. mlb_axis_attrs. */
    MLB_OP_LOG_SOFTMAX = 129, /**< 1 input, 1 output. mlb_axis_attrs. */
    MLB_OP_LAYER_NORM = 130,  /**< inputs x[, weight][, bias]; 1 output. mlb_norm_attrs. */
    MLB_OP_RMS_NORM = 131,    /**< inputs x[, weight]; 1 output. mlb_norm_attrs. */

    /* Reductions: 1 input, 1 output. mlb_reduce_attrs. */
    MLB_OP_REDUCE_SUM = 160,  /**< sum */
    MLB_OP_REDUCE_MEAN = 161, /**< arithmetic mean (floats only) */
    MLB_OP_REDUCE_MAX = 162,  /**< maximum, NaN-propagating */
    MLB_OP_REDUCE_MIN = 163,  /**< minimum, NaN-propagating */
    MLB_OP_REDUCE_PROD = 164, /**< product (floats only) */

    /* Indexing. */
    MLB_OP_GATHER = 192, /**< inputs data, indices (i32/i64); 1 output. mlb_axis_attrs. */

    /** First value of the vendor-private range (inclusive); 0x40000000..0x7fffffff. */
    MLB_OP_VENDOR_FIRST = 0x40000000
};

/**
 * Every op of v1.0 in enum order, as X(value): for tables and loops over the
 * whole set. Later minors add MLB_OP_LIST_1_<n> lists; this one never changes.
 * @since 1.0
 */
/* clang-format off */
#define MLB_OP_LIST_1_0(X) \
    X(MLB_OP_NEG) \
    X(MLB_OP_ABS) \
    X(MLB_OP_EXP) \
    X(MLB_OP_LOG) \
    X(MLB_OP_SQRT) \
    X(MLB_OP_RSQRT) \
    X(MLB_OP_TANH) \
    X(MLB_OP_SIGMOID) \
    X(MLB_OP_RELU) \
    X(MLB_OP_GELU) \
    X(MLB_OP_GELU_TANH) \
    X(MLB_OP_SILU) \
    X(MLB_OP_ADD) \
    X(MLB_OP_SUB) \
    X(MLB_OP_MUL) \
    X(MLB_OP_DIV) \
    X(MLB_OP_MAXIMUM) \
    X(MLB_OP_MINIMUM) \
    X(MLB_OP_POW) \
    X(MLB_OP_CAST) \
    X(MLB_OP_COPY) \
    X(MLB_OP_FILL) \
    X(MLB_OP_MATMUL) \
    X(MLB_OP_CONV2D) \
    X(MLB_OP_POOL2D) \
    X(MLB_OP_SOFTMAX) \
    X(MLB_OP_LOG_SOFTMAX) \
    X(MLB_OP_LAYER_NORM) \
    X(MLB_OP_RMS_NORM) \
    X(MLB_OP_REDUCE_SUM) \
    X(MLB_OP_REDUCE_MEAN) \
    X(MLB_OP_REDUCE_MAX) \
    X(MLB_OP_REDUCE_MIN) \
    X(MLB_OP_REDUCE_PROD) \
    X(MLB_OP_GATHER)
/* clang-format on */

/**
 * A fused epilogue for matmul and conv2d: y = act(acc + bias), where bias has
 * one value per output channel (per column N for matmul, per output channel
 * for conv2d) and act is MLB_OP_NONE or one of the unary ops 1..12. Computed
 * from the unrounded accumulator; rounding to the output dtype happens once,
 * at the end. @since 1.0
 */
typedef struct mlb_epilogue {
    int32_t has_bias;   /**< 1 when the op has a bias input (the last input), else 0 */
    int32_t activation; /**< enum mlb_op: MLB_OP_NONE or a unary op */
} mlb_epilogue;

/** Attributes of MLB_OP_FILL. @since 1.0 */
typedef struct mlb_fill_attrs {
    size_t struct_size; /**< MLB_STRUCT_SIZE(mlb_fill_attrs, int_value) */
    double float_value; /**< the value for f32/f16/bf16/f64 outputs (rounded once) */
    int64_t
        int_value; /**< the value for integer and bool outputs (wraps to the width; bool: != 0) */
} mlb_fill_attrs;

/**
 * Attributes of MLB_OP_MATMUL: out[..., M, N] = a[..., M, K] . b[..., K, N],
 * batch axes broadcast NumPy-style; transposes are written through strides.
 * Optional bias input of shape [N]. @since 1.0
 */
typedef struct mlb_matmul_attrs {
    size_t struct_size;    /**< MLB_STRUCT_SIZE(mlb_matmul_attrs, epilogue) */
    mlb_epilogue epilogue; /**< bias and activation */
} mlb_matmul_attrs;

/** Activation layouts for conv2d and pool2d. @since 1.0 */
enum mlb_layout {
    MLB_LAYOUT_NCHW = 0, /**< activations are [N, C, H, W] */
    MLB_LAYOUT_NHWC = 1  /**< activations are [N, H, W, C] */
};

/**
 * Attributes of MLB_OP_CONV2D (cross-correlation, as in every ML framework).
 * Weights are always logically [OC, IC/groups, KH, KW]; any physical order is
 * written with strides. Optional bias input of shape [OC]. @since 1.0
 */
typedef struct mlb_conv2d_attrs {
    size_t struct_size;    /**< MLB_STRUCT_SIZE(mlb_conv2d_attrs, epilogue) */
    int32_t layout;        /**< enum mlb_layout of input and output */
    int32_t groups;        /**< >= 1; divides IC and OC */
    int64_t stride[2];     /**< {height, width}, >= 1 */
    int64_t padding[4];    /**< {top, bottom, left, right}, >= 0, zero padding */
    int64_t dilation[2];   /**< {height, width}, >= 1 */
    mlb_epilogue epilogue; /**< bias and activation */
} mlb_conv2d_attrs;

/** Pooling modes. @since 1.0 */
enum mlb_pool_mode {
    MLB_POOL_MAX = 0, /**< maximum over the window, padding ignored */
    MLB_POOL_AVG = 1  /**< mean over the window */
};

/** Attributes of MLB_OP_POOL2D. @since 1.0 */
typedef struct mlb_pool2d_attrs {
    size_t struct_size;        /**< MLB_STRUCT_SIZE(mlb_pool2d_attrs, count_include_pad) */
    int32_t mode;              /**< enum mlb_pool_mode */
    int32_t layout;            /**< enum mlb_layout */
    int64_t kernel[2];         /**< window {height, width}, >= 1 */
    int64_t stride[2];         /**< {height, width}, >= 1 */
    int64_t padding[4];        /**< {top, bottom, left, right}, >= 0, each < the window extent */
    int32_t count_include_pad; /**< avg only: 1 divides by the full window, 0 by the valid part */
} mlb_pool2d_attrs;

/**
 * Attributes of ops that act along one axis: softmax, log_softmax, gather.
 * axis in [-rank, rank); negative counts from the end. @since 1.0
 */
typedef struct mlb_axis_attrs {
    size_t struct_size; /**< MLB_STRUCT_SIZE(mlb_axis_attrs, axis) */
    int32_t axis;       /**< the axis */
} mlb_axis_attrs;

/**
 * Attributes of MLB_OP_LAYER_NORM and MLB_OP_RMS_NORM: normalize over the axes
 * [axis, rank). weight and bias, when present, have the shape of those axes
 * (x.shape[axis:]) and follow x in the inputs (weight first). @since 1.0
 */
typedef struct mlb_norm_attrs {
    size_t struct_size; /**< MLB_STRUCT_SIZE(mlb_norm_attrs, epsilon) */
    int32_t axis;       /**< first normalized axis, in [-rank, rank) */
    int32_t has_weight; /**< 1 when a weight input follows x */
    int32_t has_bias;   /**< 1 when a bias input follows (layer_norm only; 0 for rms_norm) */
    int32_t reserved;   /**< 0 */
    double epsilon;     /**< added to the variance / mean square, > 0 */
} mlb_norm_attrs;

/**
 * Attributes of the reductions. The output has the input's rank with reduced
 * axes of extent 1 when keepdims, else those axes removed. @since 1.0
 */
typedef struct mlb_reduce_attrs {
    size_t struct_size; /**< MLB_STRUCT_SIZE(mlb_reduce_attrs, keepdims) */
    uint32_t axes;      /**< bit k set = reduce axis k; 0 = reduce nothing (a copy) */
    int32_t keepdims;   /**< 1 keeps reduced axes with extent 1 */
} mlb_reduce_attrs;

/**
 * One op with its tensors, the argument of op_supported and kernel_create.
 * The descriptor and everything it points to need only live for the duration
 * of the call: a plugin copies what it keeps. @since 1.0
 */
typedef struct mlb_op_desc {
    size_t struct_size;                    /**< MLB_STRUCT_SIZE(mlb_op_desc, attrs) */
    int32_t op;                            /**< enum mlb_op */
    uint32_t num_inputs;                   /**< entries in inputs */
    uint32_t num_outputs;                  /**< entries in outputs */
    uint32_t reserved;                     /**< 0 */
    const mlb_tensor_desc *const *inputs;  /**< the input tensors, in the op's order */
    const mlb_tensor_desc *const *outputs; /**< the output tensors */
    const void *attrs; /**< the op's attribute struct (starts with struct_size), required by
                             ops that have one, NULL for ops that have none */
} mlb_op_desc;

/* ===========================================================================
 * Plugin handles
 * ======================================================================== */

/** A device of a plugin. Owned by the plugin for its whole life. @since 1.0 */
typedef struct mlb_plugin_device_s *mlb_plugin_device;
/** A buffer. Created by buffer_alloc, destroyed by buffer_free. @since 1.0 */
typedef struct mlb_plugin_buffer_s *mlb_plugin_buffer;
/** A stream. Created by stream_create, destroyed by stream_destroy. @since 1.0 */
typedef struct mlb_plugin_stream_s *mlb_plugin_stream;
/** An event. Created by event_create, destroyed by event_destroy. @since 1.0 */
typedef struct mlb_plugin_event_s *mlb_plugin_event;
/** A kernel. Created by kernel_create, destroyed by kernel_destroy. @since 1.0 */
typedef struct mlb_plugin_kernel_s *mlb_plugin_kernel;

/* ===========================================================================
 * Logging and the loader's info
 * ======================================================================== */

/** Log levels. @since 1.0 */
enum mlb_log_level {
    MLB_LOG_ERROR = 1, /**< something failed */
    MLB_LOG_WARN = 2,  /**< something is wrong but work goes on */
    MLB_LOG_INFO = 3,  /**< what happened, once per event of interest */
    MLB_LOG_DEBUG = 4  /**< detail for developers */
};

/**
 * The loader's log sink. `message` is one line without a trailing newline.
 * Callable from any thread, any time between the entry point and the return
 * of shutdown(). @since 1.0
 */
typedef void (*mlb_log_fn)(void *user_data, int32_t level, const char *message);

/**
 * What the loader tells a plugin in mlb_plugin_get_api(). Valid only during
 * that call; the plugin copies what it keeps. @since 1.0
 */
typedef struct mlb_loader_info {
    size_t struct_size;   /**< MLB_STRUCT_SIZE(mlb_loader_info, log_user_data) in v1.0 */
    uint32_t abi_version; /**< the loader's MLB_ABI_VERSION */
    uint32_t reserved;    /**< 0 */
    mlb_log_fn log;       /**< log sink, may be NULL (then the plugin stays silent); a plugin
                               reached by several loader contexts logs to the latest one */
    void *log_user_data;  /**< passed back to log */
} mlb_loader_info;

/* ===========================================================================
 * The plugin's function table
 * ======================================================================== */

/** Bits of mlb_plugin_api.features: what the plugin offers beyond the required set. @since 1.0 */
enum mlb_feature {
    MLB_FEATURE_HOST_POINTER = 1u << 0,   /**< buffer_host_pointer on some memory kind */
    MLB_FEATURE_TIMING_EVENTS = 1u << 1,  /**< event_elapsed_ms */
    MLB_FEATURE_HOST_CALLBACKS = 1u << 2, /**< stream_add_callback */
    MLB_FEATURE_NATIVE_HANDLES = 1u << 3, /**< buffer_native_handle and/or stream_native_handle */
    MLB_FEATURE_PINNED_HOST = 1u << 4,    /**< host_alloc / host_free */
    MLB_FEATURE_MEMORY_STATS = 1u << 5,   /**< device_get_memory_stats */
    MLB_FEATURE_FUSED_EPILOGUE = 1u << 6  /**< matmul/conv2d epilogues run fused */
};

/**
 * The function table a plugin returns. Static and immutable for the life of
 * the library. Slots are grouped: all slots marked (required) must be non-NULL
 * and lie inside struct_size, otherwise the loader rejects the plugin. A slot
 * marked (optional) may be NULL or outside struct_size: the loader then answers
 * MLB_ERROR_UNSUPPORTED itself and never calls it. Slots appended by later
 * minors are always optional.
 *
 * The loader validates every argument before calling a slot (handles come from
 * this plugin and are alive, offsets and tensor extents lie inside buffers,
 * objects belong to the same device, rank/dtype/shape limits), so a plugin may
 * trust its inputs beyond what is op-specific.
 * @since 1.0
 */
typedef struct mlb_plugin_api {
    size_t struct_size;      /**< MLB_STRUCT_SIZE(mlb_plugin_api, <last slot the plugin knows>) */
    uint32_t abi_version;    /**< MLB_ABI_VERSION the plugin was built against */
    uint32_t reserved0;      /**< 0 */
    const char *name;        /**< short unique name, [a-z0-9_]+, e.g. "cpu_ref" */
    const char *version;     /**< the plugin's own version, e.g. "1.2.0" */
    const char *description; /**< one line for humans */
    uint64_t features;       /**< enum mlb_feature bits */
    uint64_t reserved[4];    /**< 0 */

    /* ---- lifecycle ---------------------------------------------------- */

    /**
     * (required) Prepares the plugin. Called once per loader context after
     * the entry point; a plugin loaded by several contexts counts calls and
     * tears down on the last shutdown. An error rejects the plugin.
     */
    mlb_status (*init)(void);
    /** (required) Undoes init. All objects created since have been destroyed. */
    void (*shutdown)(void);
    /**
     * (required) Number of devices. Zero is a normal answer (no hardware).
     * An error means enumeration failed; the loader then skips the plugin.
     * @param[out] count number of devices.
     */
    mlb_status (*device_count)(uint32_t *count);
    /**
     * (required) The device at index (0 <= index < count). The same index
     * always returns the same handle.
     */
    mlb_status (*device_get)(uint32_t index, mlb_plugin_device *device);
    /** (required) Fills props up to props->struct_size. */
    mlb_status (*device_get_props)(mlb_plugin_device device, mlb_device_props *props);
    /** (required) Fills info for memory kind `index` (< memory_kind_count). */
    mlb_status (*device_get_memory_kind)(mlb_plugin_device device, uint32_t index,
                                         mlb_memory_kind_info *info);
    /**
     * (required) Waits for all work on all streams of the device. Returns
     * MLB_OK, or the sticky error of one of its failed streams.
     */
    mlb_status (*device_synchronize)(mlb_plugin_device device);

    /* ---- buffers ------------------------------------------------------ */

    /**
     * (required) Allocates a buffer. Contents are undefined. An impossible or
     * exhausted size answers MLB_ERROR_OUT_OF_MEMORY; alignment is already
     * checked by the loader to be 0 or a power of two.
     */
    mlb_status (*buffer_alloc)(mlb_plugin_device device, const mlb_buffer_desc *desc,
                               mlb_plugin_buffer *buffer);
    /** (required) Frees a buffer; NULL does nothing. No queued work may still use it. */
    void (*buffer_free)(mlb_plugin_buffer buffer);

    /* ---- streams ------------------------------------------------------ */

    /**
     * (required) Creates an in-order asynchronous stream. `priority` lies in
     * the device's [stream_priority_high, stream_priority_low] range (ordered
     * either way); the loader clamps it.
     */
    mlb_status (*stream_create)(mlb_plugin_device device, int32_t priority,
                                mlb_plugin_stream *stream);
    /** (required) Waits for the stream's queued work, then destroys it; NULL does nothing. */
    void (*stream_destroy)(mlb_plugin_stream stream);
    /** (required) Blocks until queued work completes; returns MLB_OK or the sticky error. */
    mlb_status (*stream_synchronize)(mlb_plugin_stream stream);
    /** (required) Never blocks: MLB_OK when idle, MLB_NOT_READY when busy, or the sticky error. */
    mlb_status (*stream_query)(mlb_plugin_stream stream);
    /**
     * (required) Later work on `stream` waits until `event` (its latest record
     * at the time of this call) completes. An event that completed with an
     * error releases the wait without passing the error on: errors stay on
     * the stream where they happened. In v1.0 the stream and the event belong
     * to the same device (the loader refuses other pairs).
     */
    mlb_status (*stream_wait_event)(mlb_plugin_stream stream, mlb_plugin_event event);

    /* ---- copies (stream-ordered) ------------------------------------- */

    /**
     * (required) Copies `size` bytes from host memory `src` into `dst` at
     * `dst_offset`. The source is captured at enqueue time: the caller may
     * reuse `src` as soon as this returns.
     */
    mlb_status (*copy_host_to_device)(mlb_plugin_stream stream, mlb_plugin_buffer dst,
                                      uint64_t dst_offset, const void *src, uint64_t size);
    /**
     * (required) Copies `size` bytes from `src` at `src_offset` into host
     * memory `dst`. `dst` must stay valid until the copy has completed (the
     * caller synchronizes the stream or an event recorded after it).
     */
    mlb_status (*copy_device_to_host)(mlb_plugin_stream stream, void *dst, mlb_plugin_buffer src,
                                      uint64_t src_offset, uint64_t size);
    /** (required) Copies between buffers of the same device. Regions may not overlap. */
    mlb_status (*copy_device_to_device)(mlb_plugin_stream stream, mlb_plugin_buffer dst,
                                        uint64_t dst_offset, mlb_plugin_buffer src,
                                        uint64_t src_offset, uint64_t size);
    /** (required) Sets `size` bytes of `dst` from `offset` to `value`. */
    mlb_status (*memset)(mlb_plugin_stream stream, mlb_plugin_buffer dst, uint64_t offset,
                         uint8_t value, uint64_t size);

    /* ---- events ------------------------------------------------------- */

    /** (required) Creates an event; flags are enum mlb_event_flag bits. */
    mlb_status (*event_create)(mlb_plugin_device device, uint32_t flags, mlb_plugin_event *event);
    /** (required) Destroys an event; NULL does nothing. Pending waits on it still complete. */
    void (*event_destroy)(mlb_plugin_event event);
    /**
     * (required) Records the event at the current end of `stream`: it completes
     * when all work enqueued before it has. Re-recording replaces the previous
     * record. If the stream has a sticky error the event completes with it.
     */
    mlb_status (*event_record)(mlb_plugin_event event, mlb_plugin_stream stream);
    /** (required) Blocks until the event completes. A never-recorded event is complete. */
    mlb_status (*event_synchronize)(mlb_plugin_event event);
    /** (required) Never blocks: MLB_OK, MLB_NOT_READY, or the error the event completed with. */
    mlb_status (*event_query)(mlb_plugin_event event);

    /* ---- kernels ------------------------------------------------------ */

    /**
     * (required) Cheap: MLB_OK when the device can run this op with these
     * descriptors, MLB_ERROR_UNSUPPORTED when not, MLB_ERROR_INVALID_ARGUMENT
     * when the descriptor breaks the op's rules. Never allocates device
     * memory, never launches.
     */
    mlb_status (*op_supported)(mlb_plugin_device device, const mlb_op_desc *desc);
    /**
     * (required) Prepares a kernel (compile, pick algorithms, cache
     * primitives). Answers as op_supported for ops it cannot run.
     */
    mlb_status (*kernel_create)(mlb_plugin_device device, const mlb_op_desc *desc,
                                mlb_plugin_kernel *kernel);
    /**
     * (required) Enqueues one run of the kernel on `stream`. inputs and
     * outputs list one buffer per tensor, in the descriptor's order; the
     * loader has checked their counts and extents.
     */
    mlb_status (*kernel_launch)(mlb_plugin_kernel kernel, mlb_plugin_stream stream,
                                const mlb_plugin_buffer *inputs, uint32_t num_inputs,
                                const mlb_plugin_buffer *outputs, uint32_t num_outputs);
    /** (required) Destroys a kernel; NULL does nothing. Queued launches still complete. */
    void (*kernel_destroy)(mlb_plugin_kernel kernel);

    /* ---- optional slots (v1.0) --------------------------------------- */

    /**
     * (optional) The detail of the last error this plugin returned on the
     * calling thread, e.g. "matmul: K of a (3) != K of b (4)". Valid until the
     * thread's next call into the plugin. NULL or "" when there is none.
     */
    const char *(*get_last_error)(void);
    /**
     * (optional) Elapsed milliseconds between two timing events. MLB_NOT_READY
     * while either has not completed; MLB_ERROR_INVALID_STATE when either was
     * created without MLB_EVENT_TIMING or never recorded; the event's error
     * when either completed with one.
     */
    mlb_status (*event_elapsed_ms)(mlb_plugin_event start, mlb_plugin_event end, float *ms);
    /** (optional) Fills allocator statistics up to stats->struct_size. */
    mlb_status (*device_get_memory_stats)(mlb_plugin_device device, mlb_memory_stats *stats);
    /** (optional) Sets peak_bytes_in_use to bytes_in_use. */
    mlb_status (*device_reset_peak_memory)(mlb_plugin_device device);
    /**
     * (optional) A typed attribute by key. MLB_ERROR_NOT_FOUND for an unknown
     * key. value is filled up to value->struct_size.
     */
    mlb_status (*device_get_attribute)(mlb_plugin_device device, const char *key,
                                       mlb_attr_value *value);
    /**
     * (optional) Host address of a buffer of a host-accessible memory kind;
     * MLB_ERROR_UNSUPPORTED for other kinds. Reads and writes through it are
     * not ordered with streams: synchronize first.
     */
    mlb_status (*buffer_host_pointer)(mlb_plugin_buffer buffer, void **ptr);
    /** (optional) The backend's own handle of the buffer (e.g. a CUDA device pointer). */
    mlb_status (*buffer_native_handle)(mlb_plugin_buffer buffer, void **handle);
    /** (optional) The backend's own handle of the stream (e.g. a cudaStream_t). */
    mlb_status (*stream_native_handle)(mlb_plugin_stream stream, void **handle);
    /** (optional) Runs fn(user_data, status) after all earlier work on the stream. */
    mlb_status (*stream_add_callback)(mlb_plugin_stream stream, mlb_host_fn fn, void *user_data);
    /** (optional) Allocates pinned host memory usable as copy source/destination. */
    mlb_status (*host_alloc)(mlb_plugin_device device, uint64_t size, void **ptr);
    /** (optional) Frees memory from host_alloc; NULL does nothing. */
    void (*host_free)(mlb_plugin_device device, void *ptr);
} mlb_plugin_api;

/**
 * The smallest table a v1 loader accepts: every required slot present.
 * @since 1.0
 */
#define MLB_PLUGIN_API_MIN_SIZE MLB_STRUCT_SIZE(mlb_plugin_api, kernel_destroy)

/* ===========================================================================
 * The entry point
 * ======================================================================== */

/** Name of the one symbol a plugin exports. @since 1.0 */
#define MLB_PLUGIN_ENTRY_NAME "mlb_plugin_get_api"

#if defined(_WIN32)
#define MLB_PLUGIN_EXPORT __declspec(dllexport)
#elif defined(__GNUC__) || defined(__clang__)
#define MLB_PLUGIN_EXPORT __attribute__((visibility("default")))
#else
#define MLB_PLUGIN_EXPORT
#endif

/** Type of the entry point. @since 1.0 */
typedef mlb_status (*mlb_plugin_get_api_fn)(const mlb_loader_info *info,
                                            const mlb_plugin_api **api);

/**
 * The entry point, exported by every plugin (and nothing else). The plugin
 * checks that MLB_VERSION_MAJOR(info->abi_version) equals its own major and
 * answers MLB_ERROR_VERSION_MISMATCH otherwise; it reads only the info fields
 * inside info->struct_size; it must not allocate device resources here (that
 * belongs in init). On MLB_OK, *api points to the plugin's static table.
 * @param info the loader's version and log sink; valid only during the call.
 * @param[out] api the plugin's function table.
 * @return MLB_OK, or an error that rejects the plugin.
 * @since 1.0
 */
MLB_PLUGIN_EXPORT mlb_status mlb_plugin_get_api(const mlb_loader_info *info,
                                                const mlb_plugin_api **api);

#ifdef __cplusplus
}
#endif

#endif /* ML_BACKEND_H */
