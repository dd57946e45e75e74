/*
 * dispatch.c - the kernel layer's entry points: validity through cpu_ref's
 * check of the op (so INVALID_ARGUMENT means exactly what it means for the
 * reference), then this layer's declines, then the op family's builder.
 */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include <dnnl_debug.h>

#include "dtype.h"
#include "onednn_impl.h"
#include "ops.h"

typedef struct family {
    int32_t op;
    onednn_supported_fn supported;
    onednn_build_fn build; /* NULL: every request is declined by `supported` */
    int compute_bound;     /* work grows faster than bytes: never run serial by size */
} family;

static const family families[] = {
    {MLB_OP_NEG, onednn_unary_supported, onednn_unary_build, 0},
    {MLB_OP_ABS, onednn_unary_supported, onednn_unary_build, 0},
    {MLB_OP_EXP, onednn_unary_supported, onednn_unary_build, 0},
    {MLB_OP_LOG, onednn_unary_supported, onednn_unary_build, 0},
    {MLB_OP_SQRT, onednn_unary_supported, onednn_unary_build, 0},
    {MLB_OP_RSQRT, onednn_unary_supported, onednn_unary_build, 0},
    {MLB_OP_TANH, onednn_unary_supported, onednn_unary_build, 0},
    {MLB_OP_SIGMOID, onednn_unary_supported, onednn_unary_build, 0},
    {MLB_OP_RELU, onednn_unary_supported, onednn_unary_build, 0},
    {MLB_OP_GELU, onednn_unary_supported, onednn_unary_build, 0},
    {MLB_OP_GELU_TANH, onednn_unary_supported, onednn_unary_build, 0},
    {MLB_OP_SILU, onednn_unary_supported, onednn_unary_build, 0},
    {MLB_OP_ADD, onednn_binary_supported, onednn_binary_build, 0},
    {MLB_OP_SUB, onednn_binary_supported, onednn_binary_build, 0},
    {MLB_OP_MUL, onednn_binary_supported, onednn_binary_build, 0},
    {MLB_OP_DIV, onednn_binary_supported, onednn_binary_build, 0},
    {MLB_OP_MAXIMUM, onednn_binary_supported, onednn_binary_build, 0},
    {MLB_OP_MINIMUM, onednn_binary_supported, onednn_binary_build, 0},
    {MLB_OP_POW, onednn_binary_supported, onednn_binary_build, 0},
    {MLB_OP_CAST, onednn_cast_supported, onednn_reorder_build, 0},
    {MLB_OP_COPY, onednn_copy_supported, onednn_reorder_build, 0},
    {MLB_OP_MATMUL, onednn_matmul_supported, onednn_matmul_build, 1},
    {MLB_OP_CONV2D, onednn_conv2d_supported, onednn_conv2d_build, 1},
    {MLB_OP_POOL2D, onednn_pool2d_supported, onednn_pool2d_build, 0},
    {MLB_OP_SOFTMAX, onednn_softmax_supported, onednn_softmax_build, 0},
    {MLB_OP_LOG_SOFTMAX, onednn_softmax_supported, onednn_softmax_build, 0},
    {MLB_OP_LAYER_NORM, onednn_layer_norm_supported, onednn_layer_norm_build, 0},
    {MLB_OP_RMS_NORM, onednn_layer_norm_supported, onednn_layer_norm_build, 0},
    {MLB_OP_REDUCE_SUM, onednn_reduction_supported, onednn_reduction_build, 0},
    {MLB_OP_REDUCE_MEAN, onednn_reduction_supported, onednn_reduction_build, 0},
    {MLB_OP_REDUCE_MAX, onednn_reduction_supported, onednn_reduction_build, 0},
    {MLB_OP_REDUCE_MIN, onednn_reduction_supported, onednn_reduction_build, 0},
    {MLB_OP_REDUCE_PROD, onednn_reduction_supported, onednn_reduction_build, 0},
};

int onednn_cpu_has_bf16(void) {
    const dnnl_cpu_isa_t isa = dnnl_get_effective_cpu_isa();
    return ((unsigned)isa & (unsigned)dnnl_cpu_isa_avx512_core) ==
           (unsigned)dnnl_cpu_isa_avx512_core;
}

mlb_status onednn_check_dtype_float(const mlb_op_desc *desc, int32_t dtype, char *why,
                                    size_t why_len) {
    const char *name = cpuref_op_name(desc->op);
    switch (dtype) {
    case MLB_DTYPE_F32:
        return MLB_OK;
    case MLB_DTYPE_BF16:
        if (!onednn_cpu_has_bf16()) {
            return onednn_fail(MLB_ERROR_UNSUPPORTED, why, why_len,
                               "%s: bf16: oneDNN 2.6 runs bf16 with AVX-512 (avx512_core) only; "
                               "this CPU: %s",
                               name, dnnl_cpu_isa2str(dnnl_get_effective_cpu_isa()));
        }
        return MLB_OK;
    case MLB_DTYPE_F16:
        return onednn_fail(MLB_ERROR_UNSUPPORTED, why, why_len,
                           "%s: f16: oneDNN 2.6 has no f16 kernels on this CPU (it needs "
                           "avx512_fp16; primitive creation answers 'unimplemented')",
                           name);
    case MLB_DTYPE_F64:
        return onednn_fail(MLB_ERROR_UNSUPPORTED, why, why_len,
                           "%s: f64: oneDNN 2.6 has no f64 data type", name);
    default:
        return onednn_fail(MLB_ERROR_UNSUPPORTED, why, why_len,
                           "%s: dtype %d is not run by the oneDNN kernels", name, dtype);
    }
}

static const family *find_family(int32_t op) {
    for (size_t i = 0; i < sizeof(families) / sizeof(families[0]); ++i) {
        if (families[i].op == op) {
            return &families[i];
        }
    }
    return NULL;
}

/* The runtime's generic rules, re-checked cheaply: this layer may be called directly. */
static mlb_status check_tensors(const mlb_op_desc *desc, char *why, size_t why_len) {
    if (!desc || desc->struct_size < MLB_STRUCT_SIZE(mlb_op_desc, attrs)) {
        return onednn_fail(MLB_ERROR_INVALID_ARGUMENT, why, why_len,
                           "the op descriptor is NULL or too small");
    }
    if ((desc->num_inputs && !desc->inputs) || (desc->num_outputs && !desc->outputs) ||
        desc->num_inputs > ONEDNN_MAX_IO || desc->num_outputs > ONEDNN_MAX_IO) {
        return onednn_fail(MLB_ERROR_INVALID_ARGUMENT, why, why_len, "bad input/output arrays");
    }
    for (uint32_t i = 0; i < desc->num_inputs + desc->num_outputs; ++i) {
        const mlb_tensor_desc *t =
            i < desc->num_inputs ? desc->inputs[i] : desc->outputs[i - desc->num_inputs];
        if (!t || t->struct_size < MLB_STRUCT_SIZE(mlb_tensor_desc, byte_offset) || t->rank < 0 ||
            t->rank > MLB_MAX_RANK) {
            return onednn_fail(MLB_ERROR_INVALID_ARGUMENT, why, why_len,
                               "tensor %u is NULL, too small or of bad rank", i);
        }
        for (int32_t k = 0; k < t->rank; ++k) {
            if (t->shape[k] < 0 || t->strides[k] < 0) {
                return onednn_fail(MLB_ERROR_INVALID_ARGUMENT, why, why_len,
                                   "tensor %u has a negative shape or stride", i);
            }
        }
    }
    return MLB_OK;
}

mlb_status onednn_op_supported(const mlb_op_desc *desc, char *why, size_t why_len) {
    mlb_status st = check_tensors(desc, why, why_len);
    if (st != MLB_OK) {
        return st;
    }
    const cpuref_op *ref = cpuref_find_op(desc->op);
    if (!ref) {
        return onednn_op_declines(desc, why, why_len); /* not an op cpu_ref knows: declined */
    }
    char reason[CPUREF_WHY_LEN] = "";
    st = ref->check(desc, reason, sizeof(reason));
    if (st == MLB_ERROR_UNSUPPORTED) {
        /* A dtype outside the op's list in docs/ops.md: not ours to run either. */
        return onednn_fail(st, why, why_len, "%s", reason);
    }
    if (st != MLB_OK) {
        return onednn_fail(st, why, why_len, "%s", reason[0] ? reason : "invalid descriptor");
    }
    return onednn_op_declines(desc, why, why_len);
}

mlb_status onednn_op_declines(const mlb_op_desc *desc, char *why, size_t why_len) {
    const family *fam = find_family(desc->op);
    if (!fam) {
        return onednn_fail(MLB_ERROR_UNSUPPORTED, why, why_len,
                           "%s: not implemented by the oneDNN kernels (op %d)",
                           cpuref_op_name(desc->op), desc->op);
    }
    return fam->supported(desc, why, why_len);
}

static _Atomic uint64_t serial_bytes = ONEDNN_SERIAL_BYTES;

mlb_status onednn_set_serial_bytes(const char *text, char *why, size_t why_len) {
    if (!text) {
        atomic_store(&serial_bytes, ONEDNN_SERIAL_BYTES);
        return MLB_OK;
    }
    uint64_t v = 0;
    const char *c = text;
    for (; *c >= '0' && *c <= '9' && v <= ONEDNN_SERIAL_BYTES_MAX; ++c) {
        v = v * 10 + (uint64_t)(*c - '0');
    }
    if (c == text || *c || v > ONEDNN_SERIAL_BYTES_MAX) {
        return onednn_fail(MLB_ERROR_INVALID_ARGUMENT, why, why_len,
                           "\"%.32s\" is not a whole number of bytes from 0 to %llu", text,
                           (unsigned long long)ONEDNN_SERIAL_BYTES_MAX);
    }
    atomic_store(&serial_bytes, v);
    return MLB_OK;
}

uint64_t onednn_serial_bytes(void) {
    return atomic_load(&serial_bytes);
}

/* Bytes of all the op's tensors' elements (what a memory-bound run reads and writes). */
static uint64_t tensor_bytes(const mlb_op_desc *desc) {
    uint64_t bytes = 0;
    for (uint32_t i = 0; i < desc->num_inputs + desc->num_outputs; ++i) {
        const mlb_tensor_desc *t =
            i < desc->num_inputs ? desc->inputs[i] : desc->outputs[i - desc->num_inputs];
        bytes += (uint64_t)onednn_numel(t) * cpuref_dtype_size(t->dtype);
    }
    return bytes;
}

mlb_status onednn_kernel_create(const mlb_op_desc *desc, onednn_kernel **out, char *why,
                                size_t why_len) {
    mlb_status st = onednn_op_supported(desc, why, why_len);
    if (st != MLB_OK) {
        return st;
    }
    const family *fam = find_family(desc->op);
    onednn_kernel *k = calloc(1, sizeof(*k));
    if (!k) {
        return onednn_fail(MLB_ERROR_OUT_OF_MEMORY, why, why_len, "no memory");
    }
    atomic_flag_clear(&k->busy);
    k->op = desc->op;
    k->ninputs = desc->num_inputs, k->noutputs = desc->num_outputs;
    if (desc->num_outputs) {
        memcpy(&k->outs[0], desc->outputs[0], MLB_STRUCT_SIZE(mlb_tensor_desc, byte_offset));
    }
    if (desc->num_outputs && onednn_numel(desc->outputs[0]) == 0) {
        k->empty = 1;
        strcpy(k->impl, "empty");
    } else {
        st = fam->build(k, desc, why, why_len);
        if (st == MLB_OK) {
            st = onednn_plan_finish(k, why, why_len);
        }
    }
    if (st != MLB_OK) {
        onednn_plan_release(k);
        free(k);
        return st;
    }
    k->serial = !fam->compute_bound && tensor_bytes(desc) <= onednn_serial_bytes();
    onednn_kernel_count(+1);
    *out = k;
    return MLB_OK;
}

void onednn_kernel_destroy(onednn_kernel *k) {
    if (k) {
        onednn_plan_release(k);
        free(k);
        onednn_kernel_count(-1);
    }
}

const char *onednn_kernel_impl(const onednn_kernel *k) {
    return k->impl;
}

size_t onednn_kernel_scratch_bytes(const onednn_kernel *k) {
    return k->scratch_size;
}
