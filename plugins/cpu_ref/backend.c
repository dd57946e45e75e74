/*
 * backend.c - cpu_ref's identity on the host runtime (backend.h). No kernel
 * hooks: every valid descriptor is supported and runs cpu_ref's own op
 * function (ops.h) on the stream's worker.
 */
#include "config.h"

#include "backend.h"

/* The plugin's name; tests/mutants builds variants of cpu_ref under other names. */
#ifndef CPUREF_PLUGIN_NAME
#define CPUREF_PLUGIN_NAME "cpu_ref"
#endif

const cpuref_backend cpuref_the_backend = {
    .name = CPUREF_PLUGIN_NAME,
    .description = "reference CPU backend: plain C, asynchronous streams, the oracle",
    .device_name = "cpu_ref",
    .device_vendor = "ml_backend",
    .features = MLB_FEATURE_HOST_POINTER | MLB_FEATURE_TIMING_EVENTS | MLB_FEATURE_HOST_CALLBACKS |
                MLB_FEATURE_NATIVE_HANDLES | MLB_FEATURE_PINNED_HOST | MLB_FEATURE_MEMORY_STATS |
                MLB_FEATURE_FUSED_EPILOGUE, /* matmul.c and conv2d.c apply bias + act in one pass */
    .attribute_keys = "",
};
