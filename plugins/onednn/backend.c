/*
 * backend.c - the oneDNN plugin: the host runtime (plugins/cpu_ref/backend.h:
 * device, buffers, streams with a worker thread each, events) with kernels
 * from the oneDNN kernel layer (onednn_kernels.h). A kernel's primitives are
 * created once, in kernel_create; a launch runs them synchronously on the
 * thread that runs the stream's commands (the caller's, when the stream is
 * idle, or the stream's worker), so stream order, events and synchronize keep
 * the runtime's semantics exactly.
 *
 * What the kernel layer declines (MLB_ERROR_UNSUPPORTED with its reason) the
 * plugin declines at op_supported and kernel_create, never at launch. Ops that
 * oneDNN runs exactly on ordinary values only (relu, exp, gelu, silu, log,
 * softmax, max pooling, float max/min) are accepted: a launch whose inputs
 * hold NaN/Inf (or subnormals, for log) runs the reference code instead.
 */
#define _GNU_SOURCE 1 /* secure_getenv */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dnnl.h>
#include <dnnl_debug.h>

#include "backend.h"
#include "cpu_ref.h"
#include "dtype.h"
#include "onednn_kernels.h"
#include "op_util.h"
#include "ops.h"

/* MLB_ONEDNN_SERIAL_BYTES: the size up to which memory-bound kernels run on the calling thread
 * alone (onednn_kernels.h); a bad value is reported and the default kept. */
static void read_serial_bytes(void) {
#ifdef HAVE_SECURE_GETENV
    const char *text = secure_getenv("MLB_ONEDNN_SERIAL_BYTES");
#else
    const char *text = getenv("MLB_ONEDNN_SERIAL_BYTES");
#endif
    char why[160];
    if (onednn_set_serial_bytes(text, why, sizeof(why)) != MLB_OK) {
        cpuref_log(MLB_LOG_WARN, "MLB_ONEDNN_SERIAL_BYTES: %s; kept %llu", why,
                   (unsigned long long)onednn_serial_bytes());
    }
}

/* init: the engine must exist, or the plugin has no device to offer. */
static mlb_status backend_init(char *why, size_t why_len) {
    read_serial_bytes();
    dnnl_engine_t engine;
    return onednn_engine_get(&engine, why, why_len);
}

/* The last shutdown: the engine goes, unless kernels the caller never destroyed still use it. */
static void backend_shutdown(void) {
    if (!onednn_engine_release()) {
        cpuref_log(MLB_LOG_WARN, "shutdown with kernels still alive: the oneDNN engine is kept");
    }
}

/* onednn_version ("2.6.0 (<commit>)") and onednn_isa (what oneDNN dispatches to here). */
static mlb_status backend_attribute(const char *key, mlb_attr_value *value) {
    if (strcmp(key, "onednn_version") == 0) {
        const dnnl_version_t *v = dnnl_version();
        value->type = MLB_ATTR_STRING;
        snprintf(value->str, sizeof(value->str), "%d.%d.%d (%s)", v->major, v->minor, v->patch,
                 v->hash ? v->hash : "?");
        return MLB_OK;
    }
    if (strcmp(key, "onednn_isa") == 0) {
        value->type = MLB_ATTR_STRING;
        snprintf(value->str, sizeof(value->str), "%s",
                 dnnl_cpu_isa2str(dnnl_get_effective_cpu_isa()));
        return MLB_OK;
    }
    return MLB_ERROR_NOT_FOUND;
}

/* The runtime has checked the descriptor (generic rules, cpu_ref's check) before this hook. */
static mlb_status backend_supported(const mlb_op_desc *desc, char *why, size_t why_len) {
    return onednn_op_declines(desc, why, why_len);
}

/* Each kernel's plan is logged at debug (MLB_LOG=debug), as oneDNN's verbose mode would show
 * it: which implementation runs each step, the reorders around it, and the scratch the kernel
 * holds. An operator sees there why an op on some layout is slow (a `ref:` step) or what a
 * restaged layout costs in memory, without a debugger. */
static mlb_status backend_kernel_create(const mlb_op_desc *desc, void **state, char *why,
                                        size_t why_len) {
    onednn_kernel *k = NULL;
    mlb_status st = onednn_kernel_create(desc, &k, why, why_len);
    *state = k;
    if (st == MLB_OK) {
        char shape[160];
        const mlb_tensor_desc *y = desc->num_outputs ? desc->outputs[0] : desc->inputs[0];
        cpuref_log(MLB_LOG_DEBUG, "kernel_create: %s %s %s: %s; scratch %zu bytes",
                   cpuref_op_name(desc->op), cpuref_dtype_name(y->dtype),
                   cpuref_dims_text(y->shape, y->rank, ",", shape, sizeof(shape)),
                   onednn_kernel_impl(k), onednn_kernel_scratch_bytes(k));
    }
    return st;
}

/* A launch whose input values oneDNN would not compute as docs/ops.md says (a NaN reaching a
 * relu, a softmax or a max: onednn_kernel_inputs_exact) runs cpu_ref's op function instead:
 * the plugin then gives the specified result, more slowly, for that launch only. */
static ONEDNN_HOT mlb_status backend_kernel_run(void *state, const mlb_op_desc *desc,
                                                uint8_t *const *inputs, uint8_t *const *outputs,
                                                char *why, size_t why_len) {
    int inexact;
    const mlb_status st = onednn_kernel_run_exact(state, inputs, outputs, &inexact, why, why_len);
    return ONEDNN_UNLIKELY(inexact)
               ? cpuref_find_op(desc->op)->run(desc, inputs, outputs, why, why_len)
               : st;
}

static void backend_kernel_destroy(void *state) {
    onednn_kernel_destroy(state);
}

const cpuref_backend cpuref_the_backend = {
    .name = "onednn",
    .description = "oneDNN CPU backend: oneDNN primitives created at kernel_create, "
                   "asynchronous streams",
    .device_name = "onednn",
    .device_vendor = "oneDNN",
    /* FUSED_EPILOGUE: matmul and conv2d take bias and activation as oneDNN post-ops; the
     * activations oneDNN cannot run exactly are declined, not split into two passes. */
    .features = MLB_FEATURE_HOST_POINTER | MLB_FEATURE_TIMING_EVENTS | MLB_FEATURE_HOST_CALLBACKS |
                MLB_FEATURE_NATIVE_HANDLES | MLB_FEATURE_PINNED_HOST | MLB_FEATURE_MEMORY_STATS |
                MLB_FEATURE_FUSED_EPILOGUE,
    /* oneDNN runs a primitive on the calling thread's OpenMP team: an idle stream's launch runs
     * there at once, as a direct call would (no hand-off to the worker and back). */
    .run_when_idle = 1,
    .init = backend_init,
    .shutdown = backend_shutdown,
    .get_attribute = backend_attribute,
    .attribute_keys = "onednn_version, onednn_isa",
    .supported = backend_supported,
    .kernel_create = backend_kernel_create,
    .kernel_run = backend_kernel_run,
    .kernel_destroy = backend_kernel_destroy,
};
