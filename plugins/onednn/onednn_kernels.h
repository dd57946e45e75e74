/*
 * onednn_kernels.h - the oneDNN kernel layer: mlb op descriptors run as oneDNN
 * primitives on host memory. The plugin's runtime (streams, events, buffers,
 * shared with cpu_ref) calls these four functions and the engine/stream
 * holder; nothing here knows about mlb streams or buffers.
 *
 * Validity: a descriptor is first judged by cpu_ref's own check for its op
 * (docs/ops.md, executable form), so INVALID_ARGUMENT answers are exactly
 * cpu_ref's. On top of that this layer DECLINES (MLB_ERROR_UNSUPPORTED, with
 * a reason) every valid request that oneDNN 2.6 on this CPU cannot run with
 * the exact semantics of docs/ops.md (see README.md for the list and why).
 *
 * Lifetimes and threading: a kernel owns its primitives, its memory objects
 * and a scratch block; it is created once and run any number of times, from
 * any thread. Two runs of one kernel may overlap (e.g. two streams): the
 * first takes the kernel's cached memory objects and scratch, an overlapping
 * one builds its own for that run. The library must link
 * plugins/cpu_ref/libcpuref_ops.la (for the checks) and -ldnnl.
 */
#ifndef ONEDNN_KERNELS_H
#define ONEDNN_KERNELS_H

#include <stddef.h>
#include <stdint.h>

#include <dnnl.h>

#include "ml_backend.h"

/* Branch hints for the launch path, and the attribute that marks its functions: GCC and clang
 * put `hot` functions together (in .text.hot), so a launch runs through a few adjacent cache
 * lines instead of lines scattered over the library, where they would compete for the
 * instruction cache's sets with oneDNN's own code on every launch. */
#define ONEDNN_LIKELY(x) __builtin_expect(!!(x), 1)
#define ONEDNN_UNLIKELY(x) __builtin_expect(!!(x), 0)
#define ONEDNN_HOT __attribute__((hot))

/** A prepared op: primitives, memory descriptors, memory objects, scratch. */
typedef struct onednn_kernel onednn_kernel;

/**
 * Cheap answer to "can this layer run `desc` exactly?". Never creates
 * primitives or memory, never allocates.
 * @param desc an op descriptor whose tensors passed the runtime's generic
 *        checks (struct sizes, rank 0..8, known dtypes, shapes/strides >= 0).
 * @param why receives a one-line reason on any answer but MLB_OK (may be NULL).
 * @return MLB_OK; MLB_ERROR_INVALID_ARGUMENT (the descriptor breaks
 *         docs/ops.md, reason from cpu_ref's check); MLB_ERROR_UNSUPPORTED
 *         (valid, but oneDNN cannot run it exactly here).
 */
mlb_status onednn_op_supported(const mlb_op_desc *desc, char *why, size_t why_len);

/**
 * The second half of onednn_op_supported alone, for a caller that has already
 * checked the descriptor (generic rules and cpu_ref's check, as the plugin's
 * runtime does before its hooks): MLB_OK, or MLB_ERROR_UNSUPPORTED with the
 * reason. Never allocates. On a descriptor that was not checked the answer is
 * meaningless.
 */
mlb_status onednn_op_declines(const mlb_op_desc *desc, char *why, size_t why_len);

/**
 * Prepares a kernel: answers as onednn_op_supported, then creates and caches
 * every primitive descriptor, primitive and memory object the runs need (no
 * primitive is ever created in onednn_kernel_run). Picks layouts that avoid
 * oneDNN's slow `ref:` implementations where it can (onednn_kernel_impl says
 * what was chosen). The descriptor need not outlive the call.
 * @param[out] out the kernel, written only on MLB_OK.
 * @return as onednn_op_supported, or MLB_ERROR_OUT_OF_MEMORY, or
 *         MLB_ERROR_INTERNAL when oneDNN fails unexpectedly (reason in why).
 */
mlb_status onednn_kernel_create(const mlb_op_desc *desc, onednn_kernel **out, char *why,
                                size_t why_len);

/**
 * Runs the kernel once, synchronously, on the calling thread: on the kernel's
 * own oneDNN stream, memory objects and scratch, or, while another run holds
 * those, on the thread's stream with private ones.
 * @param inputs,outputs host base addresses of the buffers holding each
 *        tensor, in the descriptor's order; tensor i starts at its
 *        desc byte_offset from its base. The runtime has checked extents.
 * @return MLB_OK, or an error with its reason (oneDNN execution failure,
 *         MLB_ERROR_OUT_OF_MEMORY for an overlapping run's private scratch).
 *         Writes nothing outside the output tensors' elements.
 */
mlb_status onednn_kernel_run(onednn_kernel *k, uint8_t *const *inputs, uint8_t *const *outputs,
                             char *why, size_t why_len);

/**
 * Whether onednn_kernel_run computes docs/ops.md's result for these inputs.
 * Some ops are exact on ordinary values only: oneDNN 2.6's relu maps NaN to 0,
 * its max pooling, max/min and softmax drop NaN, gelu/silu give NaN at -Inf,
 * log is wrong on subnormals (README.md lists each). Their kernels scan the
 * inputs concerned (one read, no allocation) and answer 0 when one holds such
 * a value; the caller then computes that launch another way (the plugin runs
 * cpu_ref's op function on it). Kernels of other ops answer 1 at once.
 * @param inputs as for onednn_kernel_run.
 * @return 1 (run it) or 0 (compute it elsewhere).
 */
int onednn_kernel_inputs_exact(const onednn_kernel *k, uint8_t *const *inputs);

/**
 * onednn_kernel_inputs_exact and onednn_kernel_run in one call (a launch's
 * path): when the inputs are exact, runs the kernel and sets *inexact to 0;
 * otherwise runs nothing, sets *inexact to 1 and returns MLB_OK (the caller
 * computes this launch another way).
 */
mlb_status onednn_kernel_run_exact(onednn_kernel *k, uint8_t *const *inputs,
                                   uint8_t *const *outputs, int *inexact, char *why,
                                   size_t why_len);

/**
 * By default, kernels of memory-bound ops (all but matmul and conv2d) whose
 * tensors hold at most this many bytes run on the calling thread alone:
 * forking oneDNN's OpenMP team for them costs more than their work (on a
 * 2-core VM, an add of 1024 f32 takes 0.32 us on one thread and 1.2-3.5 us on
 * two; the two meet between 8K and 32K elements, 96-384 KiB).
 */
#define ONEDNN_SERIAL_BYTES (64 * 1024)
/** The largest limit onednn_set_serial_bytes takes (1 TiB). */
#define ONEDNN_SERIAL_BYTES_MAX (1ull << 40)

/**
 * Sets the limit for kernels created from now on, from its decimal text
 * (the plugin passes the environment's MLB_ONEDNN_SERIAL_BYTES; NULL restores
 * ONEDNN_SERIAL_BYTES). "0" makes every kernel leave threading to oneDNN.
 * @return MLB_OK, or MLB_ERROR_INVALID_ARGUMENT with the reason in why when
 *         the text is not a whole number of bytes in [0, ONEDNN_SERIAL_BYTES_MAX]
 *         (the limit then stays as it was).
 */
mlb_status onednn_set_serial_bytes(const char *text, char *why, size_t why_len);
/** The limit kernels created now get. */
uint64_t onednn_serial_bytes(void);

/**
 * How many OpenMP threads a run of the kernel uses: 1 for a kernel that runs
 * on the calling thread alone (within the limit above when it was created;
 * the caller's OpenMP thread count is set to 1 for the run and restored after
 * it), 0 for oneDNN's own choice (the caller's OpenMP setting).
 */
int onednn_kernel_threads(const onednn_kernel *k);

/** Destroys a kernel; NULL does nothing. No run of it may be in progress. */
void onednn_kernel_destroy(onednn_kernel *k);

/**
 * What the kernel runs, for logs, tests and benchmarks: its steps and each
 * step's oneDNN implementation, e.g. "reorder(jit:uni) conv(jit:avx512_core)
 * reorder(jit:uni)", or "empty" for a kernel with an empty output.
 * Valid as long as the kernel.
 */
const char *onednn_kernel_impl(const onednn_kernel *k);

/**
 * Bytes of scratch the kernel holds for its whole life (the staged copies of
 * its reorders and its primitives' scratchpads; 0 when it runs on the user's
 * tensors alone). A run on another thread while one is in progress allocates
 * as much again for that run.
 */
size_t onednn_kernel_scratch_bytes(const onednn_kernel *k);

/**
 * 1 when oneDNN runs bf16 on this CPU (it needs AVX-512, avx512_core, in 2.6):
 * without it every bf16 request is declined.
 */
int onednn_cpu_has_bf16(void);

/* ---- engine and streams ---------------------------------------------- */

/**
 * The library's one CPU engine, created on first use (thread-safe) and kept
 * until onednn_engine_release.
 * @return MLB_OK, or MLB_ERROR_DEVICE when oneDNN cannot create it.
 */
mlb_status onednn_engine_get(dnnl_engine_t *engine, char *why, size_t why_len);

/**
 * Destroys the engine (and the calling thread's stream) when no kernel is
 * alive, so that a library about to be unloaded leaves nothing behind; the
 * next onednn_engine_get creates a new one. The caller guarantees that no
 * other thread runs kernels or holds a stream (the plugin calls it from its
 * last shutdown, with every mlb stream, hence every worker thread, gone).
 * @return 1 when nothing is left (released, or never created); 0 when kernels
 *         are still alive (the engine is kept: they use it).
 */
int onednn_engine_release(void);

/**
 * The calling thread's oneDNN stream on that engine, created on the thread's
 * first call and destroyed when the thread exits: what a run uses while
 * another run of the same kernel holds the kernel's own stream (a oneDNN
 * stream must not be used by two threads at once).
 */
mlb_status onednn_thread_stream(dnnl_stream_t *stream, char *why, size_t why_len);

#endif /* ONEDNN_KERNELS_H */
