/*
 * backend.h - what a plugin built on the host runtime supplies.
 *
 * The runtime in this folder (plugin.c, device.c, buffer.c, stream.c,
 * event.c, kernel.c, error.c) implements the whole plugin table for one
 * device whose memory is this host's memory: aligned buffers, an in-order
 * queue with a worker thread per stream, events, host callbacks, allocator
 * statistics. It is shared by every plugin whose device is this CPU: cpu_ref
 * (plugins/cpu_ref/backend.c) and onednn (plugins/onednn/backend.c). What
 * differs between them is this struct: the identity the plugin reports and
 * how its kernels are prepared and run.
 *
 * Each plugin defines exactly one `cpuref_the_backend` (the runtime refers to
 * it by name, so linking a plugin without one fails at link time).
 *
 * Kernel hooks. Before any hook sees a descriptor, the runtime has checked
 * the generic rules (struct sizes, rank, dtypes, extents), deep-copied it and
 * run cpu_ref's own check for the op (docs/ops.md in executable form), so
 * every hook receives a valid descriptor that stays alive (and unchanged) as
 * long as the kernel does. A NULL hook means "as cpu_ref": everything valid
 * is supported, a kernel has no state, a launch runs cpu_ref's op function.
 */
#ifndef CPUREF_BACKEND_H
#define CPUREF_BACKEND_H

#include <stddef.h>
#include <stdint.h>

#include "ml_backend.h"
#include "ops.h"

typedef struct cpuref_backend {
    /** The plugin's name (mlb_plugin_api.name); also prefixes every error message. */
    const char *name;
    /** One line for mlb-info (mlb_plugin_api.description). */
    const char *description;
    /** mlb_device_props.name and .vendor of the one device. */
    const char *device_name;
    const char *device_vendor;
    /** MLB_FEATURE_* bits the plugin announces (the runtime provides all the optional slots;
     *  FUSED_EPILOGUE is the kernels' business). */
    uint64_t features;

    /**
     * 1: a launch, copy, memset or event record enqueued on an idle stream (nothing queued,
     * nothing running) runs at once on the calling thread, exactly as the worker would have run
     * it (stream order, sticky errors and synchronize unchanged; docs/abi.md lets enqueued work
     * run before the call returns). That saves the hand-off to the worker and back, which costs
     * tens of microseconds, and runs the work on the caller's threads (oneDNN's OpenMP team),
     * as calling the library directly would. 0: everything goes through the worker (cpu_ref:
     * the oracle stays strictly asynchronous, so callers cannot come to rely on the opposite).
     */
    int run_when_idle;

    /**
     * Called by every init() (one per loader context), before the runtime's own setup is
     * reported. NULL: nothing to do.
     * @return MLB_OK, or an error with its reason written into why (the plugin then reports
     *         that error from init).
     */
    mlb_status (*init)(char *why, size_t why_len);

    /**
     * Called by the shutdown() that matches the first init() (the last loader context lets
     * go, typically just before the library is unloaded), when no stream is alive, so no
     * worker thread runs. Releases what init() and the kernels acquired that outlives them
     * (an engine, thread-local state). NULL: nothing to do.
     */
    void (*shutdown)(void);

    /**
     * Extra device attributes, asked after the runtime's own keys (threads, page_size, simd,
     * plugin_version) did not match. NULL: none.
     * @return MLB_OK with *value filled (full-size struct, the runtime copies what the caller's
     *         struct_size allows), or MLB_ERROR_NOT_FOUND for a key it does not know.
     */
    mlb_status (*get_attribute)(const char *key, mlb_attr_value *value);
    /** Names of the extra keys, comma-separated, for the unknown-key message ("" if none). */
    const char *attribute_keys;

    /**
     * Whether this backend runs a valid descriptor. NULL: it runs all of them.
     * @return MLB_OK, or MLB_ERROR_UNSUPPORTED with a reason in why. Must not allocate.
     */
    mlb_status (*supported)(const mlb_op_desc *desc, char *why, size_t why_len);

    /**
     * Prepares a kernel's state once (primitives, plans, scratch). NULL: no state.
     * @param[out] state receives the state, passed to every run and to kernel_destroy.
     * @return MLB_OK, or an error (UNSUPPORTED, OUT_OF_MEMORY, INTERNAL) with its reason.
     */
    mlb_status (*kernel_create)(const mlb_op_desc *desc, void **state, char *why, size_t why_len);

    /**
     * Runs one launch on the stream's worker thread. NULL: cpu_ref's op function runs.
     * @param inputs,outputs base addresses of the launch's buffers (tensor i starts at its
     *        byte_offset from base i); the runtime has checked every extent.
     * @return MLB_OK, or an error with its reason (it becomes the stream's sticky error).
     */
    mlb_status (*kernel_run)(void *state, const mlb_op_desc *desc, uint8_t *const *inputs,
                             uint8_t *const *outputs, char *why, size_t why_len);

    /** Frees a kernel's state once no launch of it is queued or running. NULL: nothing. */
    void (*kernel_destroy)(void *state);
} cpuref_backend;

/** The plugin's backend: defined once per plugin (cpu_ref: backend.c). */
extern const cpuref_backend cpuref_the_backend;

#endif /* CPUREF_BACKEND_H */
