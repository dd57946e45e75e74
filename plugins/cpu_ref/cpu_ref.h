/*
 * cpu_ref.h - private structures of the host runtime (cpu_ref's, shared with
 * every plugin whose device is this CPU; backend.h says what a plugin adds):
 * the device, buffers, streams (an in-order command queue served by one
 * worker thread), events and kernels, and the helpers the runtime files share.
 *
 * Locks, from outer to inner (never taken the other way round):
 *   cpuref_device.streams_mu   the list of live streams
 *   cpuref_stream.mu           one stream's queue and sticky error
 *   cpuref_device.events_mu    every event and record mark of the device
 *   cpuref_device.stats_mu     allocator statistics
 * The worker thread holds no lock while it runs a command.
 */
#ifndef CPUREF_CPU_REF_H
#define CPUREF_CPU_REF_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "backend.h"
#include "ml_backend.h"
#include "ops.h"

/* Alignment of every buffer (and of host_alloc memory). */
#define CPUREF_ALIGNMENT 64u
/* Number of memory kinds: 0 device-local, 1 host-visible. */
#define CPUREF_MEMORY_KIND_COUNT 2u
/* Most inputs / outputs one op descriptor may have. */
#define CPUREF_MAX_IO 16u
/* Room for one attribute struct copied from an op descriptor. */
#define CPUREF_ATTRS_MAX 256u
/* Room for a message kept with a sticky error. */
#define CPUREF_MSG_LEN 320u

struct mlb_plugin_stream_s;

/* The one device. Static, lives for the whole life of the library. */
struct mlb_plugin_device_s {
    mlb_device_props props; /* filled once (cpuref_device_setup) */
    uint64_t page_size;
    uint64_t phys_bytes;

    pthread_mutex_t streams_mu;
    struct mlb_plugin_stream_s *streams; /* live streams, newest first */

    pthread_mutex_t events_mu; /* guards every event's `last` and every mark */
    pthread_cond_t events_cv;  /* broadcast when a mark completes */

    pthread_mutex_t stats_mu;
    mlb_memory_stats stats; /* bytes_in_use .. failed_alloc_count */
};

/* A buffer: aligned host memory pretending to be device memory. */
struct mlb_plugin_buffer_s {
    struct mlb_plugin_device_s *device;
    uint8_t *data; /* never NULL, even for size 0 */
    uint64_t size;
    uint32_t memory_kind;
};

/* One record of an event: completes when the stream reaches it. Guarded by events_mu. */
typedef struct cpuref_mark {
    unsigned refs;     /* the event (while it is the latest) + queued record/wait commands */
    int done;          /* 1 once the stream reached the record */
    int timing;        /* take a timestamp at completion */
    mlb_status status; /* MLB_OK or the stream's sticky error */
    uint64_t time_ns;  /* CLOCK_MONOTONIC at completion (timing only) */
    char why[CPUREF_MSG_LEN];
} cpuref_mark;

struct mlb_plugin_event_s {
    struct mlb_plugin_device_s *device;
    uint32_t flags;
    cpuref_mark *last; /* the latest record; NULL = never recorded (complete) */
};

/* A kernel: a deep copy of the op descriptor, shared by queued launches. */
typedef struct cpuref_desc_copy {
    mlb_op_desc desc; /* points into the arrays below */
    mlb_tensor_desc tensors[2 * CPUREF_MAX_IO];
    const mlb_tensor_desc *inputs[CPUREF_MAX_IO];
    const mlb_tensor_desc *outputs[CPUREF_MAX_IO];
    _Alignas(16) unsigned char attrs[CPUREF_ATTRS_MAX];
} cpuref_desc_copy;

struct mlb_plugin_kernel_s {
    atomic_uint refs; /* the caller + each queued launch */
    const cpuref_op *op;
    void *state; /* the backend's (cpuref_backend.kernel_create); NULL without one */
    cpuref_desc_copy copy;
    uint64_t ends[2 * CPUREF_MAX_IO]; /* bytes each tensor needs from its buffer's start */
};

/* Kinds of queued commands. */
typedef enum cpuref_cmd_kind {
    CPUREF_CMD_COPY,     /* h2d (from the staging block), d2h, d2d */
    CPUREF_CMD_MEMSET,   /* fill bytes */
    CPUREF_CMD_LAUNCH,   /* run a kernel */
    CPUREF_CMD_RECORD,   /* complete an event mark */
    CPUREF_CMD_WAIT,     /* block until a mark completes */
    CPUREF_CMD_CALLBACK, /* call a host function */
} cpuref_cmd_kind;

typedef struct cpuref_cmd {
    struct cpuref_cmd *next;
    cpuref_cmd_kind kind;
    union {
        struct {
            uint8_t *dst;
            const uint8_t *src;
            uint64_t size;
        } copy;
        struct {
            uint8_t *dst;
            uint64_t size;
            uint8_t value;
        } memset;
        struct {
            struct mlb_plugin_kernel_s *kernel; /* the command holds a reference on it */
            uint8_t *inputs[CPUREF_MAX_IO];
            uint8_t *outputs[CPUREF_MAX_IO];
        } launch;
        cpuref_mark *mark; /* record, wait */
        struct {
            mlb_host_fn fn;
            void *user_data;
        } callback;
    } u;
    /* h2d staging copy of the source follows when needed */
    _Alignas(16) uint8_t staging[];
} cpuref_cmd;

struct mlb_plugin_stream_s {
    struct mlb_plugin_device_s *device;
    struct mlb_plugin_stream_s *next_live; /* device list, under streams_mu */
    atomic_uint refs;                      /* the caller + device_synchronize snapshots */

    pthread_mutex_t mu;
    pthread_cond_t work_cv; /* worker: a command arrived or stop was asked */
    pthread_cond_t idle_cv; /* waiters: the stream became idle */
    cpuref_cmd *head, *tail;
    int stop; /* stream_destroy: finish the queue, then exit */
    pthread_t thread;

    /* Commands queued or running (on the worker, or inline on a caller's thread): the stream
     * is idle when 0. Raised under mu when a command is queued; claimed from 0 to 1 by an inline
     * run without the lock (only the stream's one caller thread enqueues, docs/abi.md); lowered
     * when a command finishes. synchronize and query read it without the lock when idle. */
    atomic_uint pending;
    atomic_uint waiters; /* threads in synchronize's slow path (woken through idle_cv) */

    _Atomic mlb_status sticky; /* first failure of queued work; MLB_OK until then (set under mu) */
    char sticky_why[CPUREF_MSG_LEN]; /* its message (written under mu, before sticky) */
};

/* Branch hints and the attribute of the launch path's functions (kernel_launch, synchronize):
 * `hot` functions are placed together (.text.hot), a few adjacent cache lines. */
#define CPUREF_LIKELY(x) __builtin_expect(!!(x), 1)
#define CPUREF_UNLIKELY(x) __builtin_expect(!!(x), 0)
#define CPUREF_HOT __attribute__((hot))

/* ---- plugin.c ---- */
void cpuref_log(int32_t level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- error.c ---- */
/* Sets the calling thread's last error to "<plugin name>: " and the printf-style message, and
 * returns `status`. */
mlb_status cpuref_error(mlb_status status, const char *fmt, ...)
    __attribute__((format(printf, 2, 3), cold));
/* As cpuref_error, with a message that already carries the prefix (passed on unchanged). */
mlb_status cpuref_error_verbatim(mlb_status status, const char *message);
const char *cpuref_get_last_error(void);

/* ---- device.c ---- */
extern struct mlb_plugin_device_s cpuref_the_device;
void cpuref_device_setup(void);
mlb_status cpuref_device_count(uint32_t *count);
mlb_status cpuref_device_get(uint32_t index, mlb_plugin_device *device);
mlb_status cpuref_device_get_props(mlb_plugin_device device, mlb_device_props *props);
mlb_status cpuref_device_get_memory_kind(mlb_plugin_device device, uint32_t index,
                                         mlb_memory_kind_info *info);
mlb_status cpuref_device_synchronize(mlb_plugin_device device);
mlb_status cpuref_device_get_attribute(mlb_plugin_device device, const char *key,
                                       mlb_attr_value *value);
/* Copies min(dst's struct_size, full_size) bytes of `full` into `dst`, keeping dst's
 * struct_size. `dst` starts with a size_t struct_size of at least sizeof(size_t). */
void cpuref_copy_out(void *dst, const void *full, size_t full_size);

/* ---- buffer.c ---- */
mlb_status cpuref_buffer_alloc(mlb_plugin_device device, const mlb_buffer_desc *desc,
                               mlb_plugin_buffer *buffer);
void cpuref_buffer_free(mlb_plugin_buffer buffer);
mlb_status cpuref_buffer_host_pointer(mlb_plugin_buffer buffer, void **ptr);
mlb_status cpuref_buffer_native_handle(mlb_plugin_buffer buffer, void **handle);
mlb_status cpuref_device_get_memory_stats(mlb_plugin_device device, mlb_memory_stats *stats);
mlb_status cpuref_device_reset_peak_memory(mlb_plugin_device device);
mlb_status cpuref_host_alloc(mlb_plugin_device device, uint64_t size, void **ptr);
void cpuref_host_free(mlb_plugin_device device, void *ptr);
/* OUT_OF_RANGE unless [offset, offset + size) lies inside the buffer. */
mlb_status cpuref_buffer_check_range(mlb_plugin_buffer buffer, uint64_t offset, uint64_t size,
                                     const char *what);

/* ---- stream.c ---- */
mlb_status cpuref_stream_create(mlb_plugin_device device, int32_t priority,
                                mlb_plugin_stream *stream);
void cpuref_stream_destroy(mlb_plugin_stream stream);
mlb_status cpuref_stream_synchronize(mlb_plugin_stream stream);
mlb_status cpuref_stream_query(mlb_plugin_stream stream);
mlb_status cpuref_stream_wait_event(mlb_plugin_stream stream, mlb_plugin_event event);
mlb_status cpuref_copy_host_to_device(mlb_plugin_stream stream, mlb_plugin_buffer dst,
                                      uint64_t dst_offset, const void *src, uint64_t size);
mlb_status cpuref_copy_device_to_host(mlb_plugin_stream stream, void *dst, mlb_plugin_buffer src,
                                      uint64_t src_offset, uint64_t size);
mlb_status cpuref_copy_device_to_device(mlb_plugin_stream stream, mlb_plugin_buffer dst,
                                        uint64_t dst_offset, mlb_plugin_buffer src,
                                        uint64_t src_offset, uint64_t size);
mlb_status cpuref_memset(mlb_plugin_stream stream, mlb_plugin_buffer dst, uint64_t offset,
                         uint8_t value, uint64_t size);
mlb_status cpuref_stream_add_callback(mlb_plugin_stream stream, mlb_host_fn fn, void *user_data);
/* Allocates a zeroed command with `staging` extra bytes; NULL when out of memory. */
cpuref_cmd *cpuref_cmd_new(cpuref_cmd_kind kind, uint64_t staging);
/* Appends `cmd` to the stream's queue and wakes its worker; the stream owns it from then on.
 * (With the backend's run_when_idle, an idle stream runs it at once on this thread instead.) */
void cpuref_stream_enqueue(mlb_plugin_stream stream, cpuref_cmd *cmd);
/* With the backend's run_when_idle: when the stream is idle, runs `cmd` (which stays the
 * caller's, e.g. on its stack) on this thread as the worker would and returns 1; else 0 and the
 * caller enqueues a heap copy. */
int cpuref_stream_run_if_idle(mlb_plugin_stream stream, cpuref_cmd *cmd);
/* With the backend's run_when_idle: when the stream is idle, makes this thread its runner
 * (`pending` 0 -> 1) and returns 1; the caller runs one command, then calls
 * cpuref_stream_unclaim with its status and message. Else 0. */
static inline int cpuref_stream_claim(mlb_plugin_stream stream) {
    unsigned idle = 0;
    return cpuref_the_backend.run_when_idle &&
           atomic_compare_exchange_strong(&stream->pending, &idle, 1);
}
/* The slow ends of cpuref_stream_unclaim: a failure to record, a waiter to wake. */
void cpuref_stream_unclaim_failed(mlb_plugin_stream stream, mlb_status status, const char *why);
void cpuref_stream_wake_waiters(mlb_plugin_stream stream);
/* Ends a claimed run: a failure becomes the stream's sticky error; synchronize is woken.
 * Sequentially consistent with the waiters count synchronize raises before it reads
 * `pending`, so one of the two always sees the other: no wake-up is lost. */
static inline void cpuref_stream_unclaim(mlb_plugin_stream stream, mlb_status status,
                                         const char *why) {
    if (CPUREF_UNLIKELY(status != MLB_OK)) {
        cpuref_stream_unclaim_failed(stream, status, why);
    }
    if (atomic_fetch_sub(&stream->pending, 1) == 1 &&
        CPUREF_UNLIKELY(atomic_load(&stream->waiters) > 0)) {
        cpuref_stream_wake_waiters(stream);
    }
}
void cpuref_stream_release(mlb_plugin_stream stream);

/* ---- event.c ---- */
mlb_status cpuref_event_create(mlb_plugin_device device, uint32_t flags, mlb_plugin_event *event);
void cpuref_event_destroy(mlb_plugin_event event);
mlb_status cpuref_event_record(mlb_plugin_event event, mlb_plugin_stream stream);
mlb_status cpuref_event_synchronize(mlb_plugin_event event);
mlb_status cpuref_event_query(mlb_plugin_event event);
mlb_status cpuref_event_elapsed_ms(mlb_plugin_event start, mlb_plugin_event end, float *ms);
/* The mark of the event's latest record with one more reference, or NULL if it is complete
 * (or never recorded): what stream_wait_event must wait for. */
cpuref_mark *cpuref_event_pending_mark(mlb_plugin_event event);
/* Run by a worker: completes `mark` with `status` (and `why`) and drops the command's ref. */
void cpuref_mark_complete(cpuref_mark *mark, mlb_status status, const char *why);
/* Run by a worker: blocks until `mark` completes, then drops the command's ref. */
void cpuref_mark_wait(cpuref_mark *mark);
/* Drops a reference without completing (a command that was never queued). */
void cpuref_mark_release(cpuref_mark *mark);

/* ---- kernel.c ---- */
mlb_status cpuref_op_supported(mlb_plugin_device device, const mlb_op_desc *desc);
mlb_status cpuref_kernel_create(mlb_plugin_device device, const mlb_op_desc *desc,
                                mlb_plugin_kernel *kernel);
mlb_status cpuref_kernel_launch(mlb_plugin_kernel kernel, mlb_plugin_stream stream,
                                const mlb_plugin_buffer *inputs, uint32_t num_inputs,
                                const mlb_plugin_buffer *outputs, uint32_t num_outputs);
void cpuref_kernel_destroy(mlb_plugin_kernel kernel);
/* Run by a worker: runs one queued launch; on failure writes the reason into why. */
mlb_status cpuref_kernel_run(cpuref_cmd *cmd, char *why, size_t why_len);
void cpuref_kernel_release(mlb_plugin_kernel kernel);

#endif /* CPUREF_CPU_REF_H */
