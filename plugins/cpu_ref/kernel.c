/*
 * kernel.c - op_supported, and kernels: a deep copy of the op descriptor
 * (tensor descriptors and the attribute struct, each read only up to the
 * struct_size the caller declared), checked once by the op family, then run
 * by the stream's worker for every launch (through the backend's hooks when it
 * has them, backend.h). Launches hold a reference, so a
 * kernel destroyed while launches are queued lives until the last has run.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpu_ref.h"
#include "dtype.h"

/* Bytes from the buffer start to the end of the tensor's furthest element (0 when it has no
 * elements). Returns 0 on success, -1 when the computation overflows. */
static int tensor_end(const mlb_tensor_desc *t, uint64_t *end) {
    uint64_t last = 0; /* element distance of the furthest element from element 0 */
    for (int32_t k = 0; k < t->rank; ++k) {
        if (t->shape[k] == 0) {
            *end = 0;
            return 0;
        }
        uint64_t step;
        if (__builtin_mul_overflow((uint64_t)(t->shape[k] - 1), (uint64_t)t->strides[k], &step) ||
            __builtin_add_overflow(last, step, &last)) {
            return -1;
        }
    }
    uint64_t bytes;
    if (__builtin_add_overflow(last, 1, &last) ||
        __builtin_mul_overflow(last, (uint64_t)cpuref_dtype_size(t->dtype), &bytes) ||
        __builtin_add_overflow(bytes, t->byte_offset, end)) {
        return -1;
    }
    return 0;
}

/* Copies one tensor descriptor into `out` (zeroed first), checking the generic rules. */
static mlb_status copy_tensor(const char *fn, const char *role, uint32_t i,
                              const mlb_tensor_desc *t, mlb_tensor_desc *out) {
    const size_t need = MLB_STRUCT_SIZE(mlb_tensor_desc, byte_offset);
    if (!t) {
        return cpuref_error(MLB_ERROR_INVALID_ARGUMENT, "%s: %s %u is NULL", fn, role, i);
    }
    if (t->struct_size < need) {
        return cpuref_error(MLB_ERROR_INVALID_ARGUMENT,
                            "%s: %s %u: struct_size %zu is too small (need %zu)", fn, role, i,
                            t->struct_size, need);
    }
    memset(out, 0, sizeof(*out));
    memcpy(out, t, need);
    out->struct_size = need;
    if (out->rank < 0 || out->rank > MLB_MAX_RANK) {
        return cpuref_error(MLB_ERROR_INVALID_ARGUMENT, "%s: %s %u: rank %d outside [0, %d]", fn,
                            role, i, out->rank, MLB_MAX_RANK);
    }
    if (cpuref_dtype_size(out->dtype) == 0) {
        return cpuref_error(MLB_ERROR_INVALID_ARGUMENT, "%s: %s %u: unknown dtype %d", fn, role, i,
                            out->dtype);
    }
    for (int32_t k = 0; k < MLB_MAX_RANK; ++k) {
        if (k >= out->rank) {
            out->shape[k] = out->strides[k] = 0; /* ignored by the rules; keep them 0 */
        } else if (out->shape[k] < 0 || out->strides[k] < 0) {
            return cpuref_error(MLB_ERROR_INVALID_ARGUMENT,
                                "%s: %s %u: axis %d has shape %lld, stride %lld "
                                "(both must be >= 0)",
                                fn, role, i, k, (long long)out->shape[k],
                                (long long)out->strides[k]);
        }
    }
    uint64_t end;
    if (tensor_end(out, &end) != 0) {
        return cpuref_error(MLB_ERROR_INVALID_ARGUMENT,
                            "%s: %s %u: its byte extent overflows 64 bits", fn, role, i);
    }
    return MLB_OK;
}

/* Validates `desc` and deep-copies it into `c`, then asks the op family. */
static mlb_status prepare(const char *fn, const mlb_op_desc *desc, cpuref_desc_copy *c,
                          const cpuref_op **op_out) {
    if (!desc) {
        return cpuref_error(MLB_ERROR_INVALID_ARGUMENT, "%s: desc is NULL", fn);
    }
    if (desc->struct_size < MLB_STRUCT_SIZE(mlb_op_desc, attrs)) {
        return cpuref_error(MLB_ERROR_INVALID_ARGUMENT,
                            "%s: desc->struct_size %zu is too small (need %zu)", fn,
                            desc->struct_size, MLB_STRUCT_SIZE(mlb_op_desc, attrs));
    }
    const cpuref_op *op = cpuref_find_op(desc->op);
    if (!op) {
        return cpuref_error(MLB_ERROR_UNSUPPORTED, "%s: op %d is not implemented", fn, desc->op);
    }
    if (desc->num_inputs > CPUREF_MAX_IO || desc->num_outputs > CPUREF_MAX_IO) {
        return cpuref_error(MLB_ERROR_INVALID_ARGUMENT,
                            "%s: op %d: %u inputs, %u outputs (at most %u each)", fn, desc->op,
                            desc->num_inputs, desc->num_outputs, CPUREF_MAX_IO);
    }
    if ((desc->num_inputs && !desc->inputs) || (desc->num_outputs && !desc->outputs)) {
        return cpuref_error(MLB_ERROR_INVALID_ARGUMENT, "%s: op %d: the %s array is NULL", fn,
                            desc->op, desc->num_inputs && !desc->inputs ? "inputs" : "outputs");
    }
    mlb_status st;
    for (uint32_t i = 0; i < desc->num_inputs; ++i) {
        if ((st = copy_tensor(fn, "input", i, desc->inputs[i], &c->tensors[i])) != MLB_OK) {
            return st;
        }
        c->inputs[i] = &c->tensors[i];
    }
    for (uint32_t i = 0; i < desc->num_outputs; ++i) {
        mlb_tensor_desc *t = &c->tensors[CPUREF_MAX_IO + i];
        if ((st = copy_tensor(fn, "output", i, desc->outputs[i], t)) != MLB_OK) {
            return st;
        }
        c->outputs[i] = t;
    }
    const void *attrs = NULL;
    if (op->attrs_size > 0) {
        size_t need = op->attrs_min_size, given;
        if (op->attrs_size > sizeof(c->attrs)) {
            return cpuref_error(MLB_ERROR_INTERNAL,
                                "%s: op %d: attribute struct of %zu bytes exceeds %zu", fn,
                                desc->op, op->attrs_size, sizeof(c->attrs));
        }
        if (!desc->attrs) {
            return cpuref_error(MLB_ERROR_INVALID_ARGUMENT,
                                "%s: op %d takes attributes, but attrs is NULL", fn, desc->op);
        }
        memcpy(&given, desc->attrs, sizeof(given));
        if (given < need) {
            return cpuref_error(MLB_ERROR_INVALID_ARGUMENT,
                                "%s: op %d: attrs struct_size %zu is too small (need %zu)", fn,
                                desc->op, given, need);
        }
        size_t n = given < op->attrs_size ? given : op->attrs_size;
        memset(c->attrs, 0, sizeof(c->attrs));
        memcpy(c->attrs, desc->attrs, n);
        memcpy(c->attrs, &n, sizeof(n)); /* struct_size now says what the copy holds */
        attrs = c->attrs;
    }
    c->desc = (mlb_op_desc){
        .struct_size = MLB_STRUCT_SIZE(mlb_op_desc, attrs),
        .op = desc->op,
        .num_inputs = desc->num_inputs,
        .num_outputs = desc->num_outputs,
        .inputs = c->inputs,
        .outputs = c->outputs,
        .attrs = attrs,
    };
    char why[CPUREF_WHY_LEN] = "";
    st = op->check(&c->desc, why, sizeof(why));
    if (st == MLB_OK && cpuref_the_backend.supported) {
        st = cpuref_the_backend.supported(&c->desc, why, sizeof(why));
    }
    if (st != MLB_OK) {
        return cpuref_error(st, "%s: %s", fn, why[0] ? why : "rejected by the op");
    }
    *op_out = op;
    return MLB_OK;
}

mlb_status cpuref_op_supported(mlb_plugin_device device, const mlb_op_desc *desc) {
    if (device != &cpuref_the_device) {
        return cpuref_error(MLB_ERROR_INVALID_HANDLE, "op_supported: not a device of this plugin");
    }
    cpuref_desc_copy c; /* on the stack: op_supported allocates nothing */
    const cpuref_op *op;
    return prepare("op_supported", desc, &c, &op);
}

mlb_status cpuref_kernel_create(mlb_plugin_device device, const mlb_op_desc *desc,
                                mlb_plugin_kernel *kernel) {
    if (device != &cpuref_the_device) {
        return cpuref_error(MLB_ERROR_INVALID_HANDLE, "kernel_create: not a device of this plugin");
    }
    if (!kernel) {
        return cpuref_error(MLB_ERROR_INVALID_ARGUMENT, "kernel_create: kernel is NULL");
    }
    mlb_plugin_kernel k = malloc(sizeof(*k));
    if (!k) {
        return cpuref_error(MLB_ERROR_OUT_OF_MEMORY, "kernel_create: no memory");
    }
    mlb_status st = prepare("kernel_create", desc, &k->copy, &k->op);
    k->state = NULL;
    for (uint32_t i = 0; st == MLB_OK && i < k->copy.desc.num_inputs; ++i) {
        tensor_end(k->copy.desc.inputs[i], &k->ends[i]); /* cannot overflow: checked above */
    }
    for (uint32_t i = 0; st == MLB_OK && i < k->copy.desc.num_outputs; ++i) {
        tensor_end(k->copy.desc.outputs[i], &k->ends[CPUREF_MAX_IO + i]);
    }
    if (st == MLB_OK && cpuref_the_backend.kernel_create) {
        char why[CPUREF_WHY_LEN] = "";
        st = cpuref_the_backend.kernel_create(&k->copy.desc, &k->state, why, sizeof(why));
        if (st != MLB_OK) {
            cpuref_error(st, "kernel_create: %s", why[0] ? why : "the backend gave no reason");
        }
    }
    if (st != MLB_OK) {
        free(k);
        return st;
    }
    atomic_init(&k->refs, 1);
    *kernel = k;
    return MLB_OK;
}

void cpuref_kernel_release(mlb_plugin_kernel k) {
    if (atomic_fetch_sub(&k->refs, 1) == 1) {
        if (cpuref_the_backend.kernel_destroy) {
            cpuref_the_backend.kernel_destroy(k->state);
        }
        free(k);
    }
}

void cpuref_kernel_destroy(mlb_plugin_kernel k) {
    if (k) {
        cpuref_kernel_release(k);
    }
}

/* Checks one launch buffer against its tensor (which needs `end` bytes): the message for the
 * first bad one. */
static mlb_status launch_buffer_error(mlb_plugin_stream s, const char *role, uint32_t i,
                                      mlb_plugin_buffer b, uint64_t end) {
    if (!b) {
        return cpuref_error(MLB_ERROR_INVALID_HANDLE, "kernel_launch: %s %u is NULL", role, i);
    }
    if (b->device != s->device) {
        return cpuref_error(MLB_ERROR_DEVICE_MISMATCH,
                            "kernel_launch: %s %u and the stream of different devices", role, i);
    }
    if (end > b->size) {
        return cpuref_error(MLB_ERROR_OUT_OF_RANGE,
                            "kernel_launch: %s %u reaches byte %llu of a buffer of %llu", role, i,
                            (unsigned long long)end, (unsigned long long)b->size);
    }
    return MLB_OK;
}

/* Why a launch's buffers were refused (buffers_ok said no): the first bad one's message. */
static __attribute__((cold, noinline)) mlb_status
launch_buffers_error(mlb_plugin_kernel k, mlb_plugin_stream s, const mlb_plugin_buffer *inputs,
                     uint32_t num_inputs, const mlb_plugin_buffer *outputs, uint32_t num_outputs) {
    mlb_status st = MLB_OK;
    for (uint32_t i = 0; st == MLB_OK && i < num_inputs; ++i) {
        st = launch_buffer_error(s, "input", i, inputs[i], k->ends[i]);
    }
    for (uint32_t i = 0; st == MLB_OK && i < num_outputs; ++i) {
        st = launch_buffer_error(s, "output", i, outputs[i], k->ends[CPUREF_MAX_IO + i]);
    }
    return st;
}

/* 1 when each of the n buffers is non-NULL, of device d and holds its tensor (ends[i] bytes);
 * their base addresses then are in bases. */
static inline int buffers_ok(const mlb_plugin_buffer *b, uint32_t n, const void *d,
                             const uint64_t *ends, uint8_t **bases) {
    for (uint32_t i = 0; i < n; ++i) {
        const mlb_plugin_buffer x = b[i];
        if (!x || x->device != d || ends[i] > x->size) {
            return 0;
        }
        bases[i] = x->data;
    }
    return 1;
}

/* "kernel launch failed: <the op's reason>", in place. */
static __attribute__((cold, noinline)) void launch_failed(char *why, size_t why_len) {
    char reason[CPUREF_MSG_LEN];
    snprintf(reason, sizeof(reason), "%s", why[0] ? why : "no reason given");
    snprintf(why, why_len, "kernel launch failed: %s", reason);
}

/* Runs kernel k on the tensors at these base addresses; on failure writes the reason. */
static mlb_status run_kernel(mlb_plugin_kernel k, uint8_t *const *inputs, uint8_t *const *outputs,
                             char *why, size_t why_len) {
    why[0] = '\0';
    const mlb_status st =
        cpuref_the_backend.kernel_run
            ? cpuref_the_backend.kernel_run(k->state, &k->copy.desc, inputs, outputs, why, why_len)
            : k->op->run(&k->copy.desc, inputs, outputs, why, why_len);
    if (CPUREF_UNLIKELY(st != MLB_OK)) {
        launch_failed(why, why_len);
    }
    return st;
}

CPUREF_HOT mlb_status cpuref_kernel_launch(mlb_plugin_kernel k, mlb_plugin_stream s,
                                           const mlb_plugin_buffer *inputs, uint32_t num_inputs,
                                           const mlb_plugin_buffer *outputs, uint32_t num_outputs) {
    if (CPUREF_UNLIKELY(!k || !s)) {
        return cpuref_error(MLB_ERROR_INVALID_HANDLE, "kernel_launch: %s is NULL",
                            k ? "stream" : "kernel");
    }
    const mlb_op_desc *d = &k->copy.desc;
    if (CPUREF_UNLIKELY(num_inputs != d->num_inputs || num_outputs != d->num_outputs)) {
        return cpuref_error(MLB_ERROR_INVALID_ARGUMENT,
                            "kernel_launch: %u inputs and %u outputs given, the kernel "
                            "has %u and %u",
                            num_inputs, num_outputs, d->num_inputs, d->num_outputs);
    }
    if (CPUREF_UNLIKELY((num_inputs && !inputs) || (num_outputs && !outputs))) {
        return cpuref_error(MLB_ERROR_INVALID_ARGUMENT, "kernel_launch: %s is NULL",
                            num_inputs && !inputs ? "inputs" : "outputs");
    }
    /* The command is built on the stack: an idle stream of a run_when_idle backend runs it at
     * once, without a trip through malloc; otherwise a heap copy is queued. */
    cpuref_cmd c;
    if (CPUREF_UNLIKELY(!buffers_ok(inputs, num_inputs, s->device, k->ends, c.u.launch.inputs) ||
                        !buffers_ok(outputs, num_outputs, s->device, k->ends + CPUREF_MAX_IO,
                                    c.u.launch.outputs))) {
        return launch_buffers_error(k, s, inputs, num_inputs, outputs, num_outputs);
    }
    if (CPUREF_LIKELY(cpuref_stream_claim(s))) {
        /* This thread runs the stream now: the caller's reference keeps the kernel alive. A
         * failed earlier command skips the launch, as on the worker. */
        char why[CPUREF_MSG_LEN];
        mlb_status st = MLB_OK;
        if (CPUREF_LIKELY(atomic_load(&s->sticky) == MLB_OK)) {
            st = run_kernel(k, c.u.launch.inputs, c.u.launch.outputs, why, sizeof(why));
        }
        cpuref_stream_unclaim(s, st, why);
        return MLB_OK;
    }
    /* Queued: the command takes its own reference (kernel_destroy may come before the worker
     * reaches it). */
    cpuref_cmd *q = cpuref_cmd_new(CPUREF_CMD_LAUNCH, 0);
    if (!q) {
        return cpuref_error(MLB_ERROR_OUT_OF_MEMORY, "kernel_launch: no memory");
    }
    c.next = NULL;
    c.kind = CPUREF_CMD_LAUNCH;
    c.u.launch.kernel = k;
    atomic_fetch_add(&k->refs, 1);
    memcpy(q, &c, sizeof(c));
    cpuref_stream_enqueue(s, q);
    return MLB_OK;
}

mlb_status cpuref_kernel_run(cpuref_cmd *c, char *why, size_t why_len) {
    return run_kernel(c->u.launch.kernel, c->u.launch.inputs, c->u.launch.outputs, why, why_len);
}
