/*
 * test_backend_inline.c - for runtime_inline_test: cpu_ref's identity with
 * run_when_idle set, so runtime_failure_test.c's scenarios (sticky errors,
 * kernels destroyed with launches queued, launch checks) also run on the
 * runtime's inline path, where an idle stream's work runs on the caller's
 * thread (the onednn plugin's mode).
 */
#include "config.h"

#include "backend.h"

const cpuref_backend cpuref_the_backend = {
    .name = "cpu_ref",
    .description = "cpu_ref runtime, run_when_idle (test)",
    .device_name = "cpu_ref",
    .device_vendor = "ml_backend",
    .features = MLB_FEATURE_HOST_POINTER | MLB_FEATURE_TIMING_EVENTS | MLB_FEATURE_HOST_CALLBACKS,
    .run_when_idle = 1,
    .attribute_keys = "",
};
