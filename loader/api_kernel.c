/*
 * api_kernel.c - op queries and kernels. kernel_create validates the whole
 * descriptor once and keeps the byte extent of every tensor, so a launch
 * checks only handles, devices, counts and buffer sizes before its one
 * dispatch: this is the hot path.
 */
#include "config.h"

#include "loader.h"

#include <stdlib.h>

MLB_API mlb_status mlb_op_supported(mlb_device d, const mlb_op_desc *desc) {
    if (MLB_UNLIKELY(!mlb_valid_device(d)))
        return mlb_fail_handle("op_supported", "device", "mlb_device");
    mlb_status st = mlb_validate_op_desc(desc, d->plugin->name, "op_supported", NULL);
    if (MLB_UNLIKELY(st != MLB_OK))
        return st;
    st = d->plugin->fn.op_supported(d->handle, desc);
    return MLB_LIKELY(st == MLB_OK) ? MLB_OK : mlb_fail_plugin(d->plugin, st, "op_supported");
}

MLB_API mlb_status mlb_kernel_create(mlb_device d, const mlb_op_desc *desc, mlb_kernel *out) {
    if (!mlb_valid_device(d))
        return mlb_fail_handle("kernel_create", "device", "mlb_device");
    if (!out)
        return mlb_fail(MLB_ERROR_INVALID_ARGUMENT, d->plugin->name,
                        "kernel_create: kernel is NULL");
    /* Checked before the allocation that depends on the counts. */
    if (desc && desc->struct_size >= MLB_STRUCT_SIZE(mlb_op_desc, attrs) &&
        (desc->num_inputs > MLB_MAX_OP_TENSORS || desc->num_outputs > MLB_MAX_OP_TENSORS))
        return mlb_validate_op_desc(desc, d->plugin->name, "kernel_create", NULL);
    uint32_t n = desc ? desc->num_inputs + desc->num_outputs : 0;
    struct mlb_kernel_s *k = malloc(sizeof *k + (n ? n : 1) * sizeof k->need[0]);
    if (!k)
        return mlb_fail(MLB_ERROR_OUT_OF_MEMORY, d->plugin->name,
                        "kernel_create: out of host memory");
    mlb_status st = mlb_validate_op_desc(desc, d->plugin->name, "kernel_create", k->need);
    if (st == MLB_OK) {
        st = d->plugin->fn.kernel_create(d->handle, desc, &k->handle);
        if (st != MLB_OK)
            mlb_fail_plugin(d->plugin, st, "kernel_create");
    }
    if (st != MLB_OK) {
        free(k);
        return st;
    }
    k->tag = MLB_TAG_KERNEL;
    k->num_inputs = desc->num_inputs;
    k->num_outputs = desc->num_outputs;
    k->op = desc->op;
    k->device = d;
    k->fn = &d->plugin->fn;
    mlb_object_created(d);
    *out = k;
    return MLB_OK;
}

MLB_API void mlb_kernel_destroy(mlb_kernel k) {
    if (!mlb_valid_kernel(k))
        return;
    mlb_device d = k->device;
    k->fn->kernel_destroy(k->handle);
    k->tag = MLB_TAG_DEAD;
    mlb_object_destroyed(d);
    free(k);
}

/* The slow path of a launch: finds what is wrong and says so. */
__attribute__((noinline, cold)) static mlb_status launch_error(mlb_kernel k, mlb_stream s,
                                                               const mlb_buffer *in, uint32_t nin,
                                                               const mlb_buffer *out,
                                                               uint32_t nout) {
    static const char what[] = "kernel_launch";
    if (!mlb_valid_kernel(k))
        return mlb_fail_handle(what, "kernel", "mlb_kernel");
    if (!mlb_valid_stream(s))
        return mlb_fail_handle(what, "stream", "mlb_stream");
    const char *src = k->device->plugin->name;
    if (s->device != k->device)
        return mlb_fail_mismatch(what, "stream", k->device, s->device);
    if (nin != k->num_inputs || nout != k->num_outputs)
        return mlb_fail(MLB_ERROR_INVALID_ARGUMENT, src,
                        "%s: %s kernel takes %u inputs and %u outputs, got %u and %u", what,
                        mlb_op_name(k->op) ? mlb_op_name(k->op) : "vendor", k->num_inputs,
                        k->num_outputs, nin, nout);
    if ((nin && !in) || (nout && !out))
        return mlb_fail(MLB_ERROR_INVALID_ARGUMENT, src, "%s: inputs or outputs array is NULL",
                        what);
    for (uint32_t i = 0; i < nin + nout; ++i) {
        int is_in = i < nin;
        uint32_t j = is_in ? i : i - nin;
        mlb_buffer b = is_in ? in[j] : out[j];
        const char *role = is_in ? "input" : "output";
        if (!mlb_valid_buffer(b))
            return mlb_fail(MLB_ERROR_INVALID_HANDLE, "mlb",
                            "%s: %s %u is not a valid mlb_buffer (NULL, destroyed or another type)",
                            what, role, j);
        if (b->device != k->device)
            return mlb_fail(
                MLB_ERROR_DEVICE_MISMATCH, src, "%s: %s %u belongs to device %s%s, not %s", what,
                role, j, b->device->name,
                b->device->ctx != k->device->ctx ? " of another context" : "", k->device->name);
        if (b->size < k->need[i])
            return mlb_fail(MLB_ERROR_OUT_OF_RANGE, src,
                            "%s: %s %u needs %llu bytes but its buffer has %llu", what, role, j,
                            (unsigned long long)k->need[i], (unsigned long long)b->size);
    }
    return mlb_fail(MLB_ERROR_INTERNAL, src, "%s: launch check failed without a cause", what);
}

MLB_HOT MLB_API mlb_status mlb_kernel_launch(mlb_kernel k, mlb_stream s, const mlb_buffer *in,
                                             uint32_t nin, const mlb_buffer *out, uint32_t nout) {
    if (MLB_UNLIKELY(!mlb_valid_kernel(k) || !mlb_valid_stream(s) || s->device != k->device ||
                     nin != k->num_inputs || nout != k->num_outputs || (nin && !in) ||
                     (nout && !out)))
        return launch_error(k, s, in, nin, out, nout);
    mlb_plugin_buffer handles[2 * MLB_MAX_OP_TENSORS];
    const mlb_device dev = k->device;
    for (uint32_t i = 0; i < nin; ++i) {
        mlb_buffer b = in[i];
        if (MLB_UNLIKELY(!mlb_valid_buffer(b) || b->device != dev || b->size < k->need[i]))
            return launch_error(k, s, in, nin, out, nout);
        handles[i] = b->handle;
    }
    for (uint32_t i = 0; i < nout; ++i) {
        mlb_buffer b = out[i];
        if (MLB_UNLIKELY(!mlb_valid_buffer(b) || b->device != dev || b->size < k->need[nin + i]))
            return launch_error(k, s, in, nin, out, nout);
        handles[nin + i] = b->handle;
    }
    mlb_status st = k->fn->kernel_launch(k->handle, s->handle, handles, nin, handles + nin, nout);
    if (MLB_UNLIKELY(st != MLB_OK))
        return mlb_fail_plugin(dev->plugin, st, "kernel_launch");
    return MLB_OK;
}
