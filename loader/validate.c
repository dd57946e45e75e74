/*
 * validate.c - the generic rules every tensor and op descriptor obeys
 * (op-specific semantics are the plugin's job), and byte-range checks.
 * All arithmetic is overflow-checked in 64 bits.
 */
#include "config.h"

#include "loader.h"

#include <stdint.h>
#include <string.h>

/* Largest attribute struct the loader believes (a struct_size beyond is garbage). */
#define MLB_MAX_ATTRS_SIZE 65536u

/* Why a tensor descriptor is refused. */
enum tensor_fault {
    FAULT_NONE,
    FAULT_STRUCT_SIZE,
    FAULT_DTYPE,
    FAULT_RANK,
    FAULT_SHAPE,
    FAULT_STRIDE,
    FAULT_COUNT,
    FAULT_SPAN,
    FAULT_BYTES
};

static const char *const fault_text[] = {
    [FAULT_NONE] = "",
    [FAULT_STRUCT_SIZE] = "struct_size is smaller than the v1.0 mlb_tensor_desc",
    [FAULT_DTYPE] = "unknown dtype",
    [FAULT_RANK] = "rank outside 0..8",
    [FAULT_SHAPE] = "negative shape",
    [FAULT_STRIDE] = "negative stride",
    [FAULT_COUNT] = "element count overflows 64 bits",
    [FAULT_SPAN] = "shape x stride overflows 64 bits",
    [FAULT_BYTES] = "byte extent overflows 64 bits",
};

/* The rules and the byte extent; *axis is written only for a per-axis fault. */
static inline enum tensor_fault tensor_check(const mlb_tensor_desc *t, uint64_t *extent,
                                             int32_t *axis) {
    if (t->struct_size < MLB_STRUCT_SIZE(mlb_tensor_desc, byte_offset))
        return FAULT_STRUCT_SIZE;
    uint64_t esize = mlb_dtype_bytes(t->dtype);
    if (!esize)
        return FAULT_DTYPE;
    if ((uint32_t)t->rank > MLB_MAX_RANK)
        return FAULT_RANK;
    uint64_t last = 0, count = 1;
    for (int32_t k = 0; k < t->rank; ++k) {
        int64_t n = t->shape[k], stride = t->strides[k];
        uint64_t step;
        enum tensor_fault f = FAULT_NONE;
        if (n < 0)
            f = FAULT_SHAPE;
        else if (stride < 0)
            f = FAULT_STRIDE;
        else if (__builtin_mul_overflow((uint64_t)n, count, &count) || count > INT64_MAX)
            f = FAULT_COUNT;
        else if (n > 0 && (__builtin_mul_overflow((uint64_t)(n - 1), (uint64_t)stride, &step) ||
                           __builtin_add_overflow(last, step, &last)))
            f = FAULT_SPAN;
        if (MLB_UNLIKELY(f != FAULT_NONE)) {
            *axis = k;
            return f;
        }
    }
    if (count == 0) {
        *extent = 0;
        return FAULT_NONE;
    }
    uint64_t bytes;
    if (__builtin_mul_overflow(last + 1, esize, &bytes) ||
        __builtin_add_overflow(bytes, t->byte_offset, &bytes))
        return FAULT_BYTES;
    *extent = bytes;
    return FAULT_NONE;
}

mlb_status mlb_validate_tensor(const mlb_tensor_desc *t, const char *source, const char *what,
                               const char *role, uint32_t index, uint64_t *extent) {
    if (!t)
        return mlb_fail(MLB_ERROR_INVALID_ARGUMENT, source, "%s: %s %u: descriptor is NULL", what,
                        role, index);
    int32_t axis = -1;
    uint64_t bytes = 0;
    enum tensor_fault f = tensor_check(t, &bytes, &axis);
    if (MLB_UNLIKELY(f != FAULT_NONE)) {
        const char *why = fault_text[f];
        mlb_status st = f >= FAULT_COUNT ? MLB_ERROR_OUT_OF_RANGE : MLB_ERROR_INVALID_ARGUMENT;
        if (axis >= 0)
            return mlb_fail(st, source, "%s: %s %u: %s (axis %d: shape %lld, stride %lld)", what,
                            role, index, why, (int)axis, (long long)t->shape[axis],
                            (long long)t->strides[axis]);
        return mlb_fail(st, source, "%s: %s %u: %s (dtype %d, rank %d)", what, role, index, why,
                        (int)t->dtype, (int)t->rank);
    }
    if (extent)
        *extent = bytes;
    return MLB_OK;
}

MLB_API mlb_status mlb_tensor_desc_extent(const mlb_tensor_desc *desc, uint64_t *bytes) {
    if (!bytes)
        return mlb_fail(MLB_ERROR_INVALID_ARGUMENT, "mlb", "tensor_desc_extent: bytes is NULL");
    return mlb_validate_tensor(desc, "mlb", "tensor_desc_extent", "tensor", 0, bytes);
}

MLB_API mlb_status mlb_tensor_desc_contiguous(mlb_tensor_desc *desc, int32_t dtype, int32_t rank,
                                              const int64_t *shape) {
    if (!desc || (rank > 0 && !shape))
        return mlb_fail(MLB_ERROR_INVALID_ARGUMENT, "mlb",
                        "tensor_desc_contiguous: desc or shape is NULL");
    if (rank < 0 || rank > MLB_MAX_RANK)
        return mlb_fail(MLB_ERROR_INVALID_ARGUMENT, "mlb",
                        "tensor_desc_contiguous: rank %d outside 0..8", (int)rank);
    mlb_tensor_desc t;
    memset(&t, 0, sizeof t);
    t.struct_size = MLB_STRUCT_SIZE(mlb_tensor_desc, byte_offset);
    t.dtype = dtype;
    t.rank = rank;
    int64_t stride = 1;
    for (int32_t k = rank; k-- > 0;) {
        t.shape[k] = shape[k];
        t.strides[k] = stride;
        if (shape[k] > 1 && __builtin_mul_overflow(stride, shape[k], &stride))
            return mlb_fail(MLB_ERROR_OUT_OF_RANGE, "mlb",
                            "tensor_desc_contiguous: element count overflows 64 bits");
    }
    uint64_t bytes;
    mlb_status st = mlb_validate_tensor(&t, "mlb", "tensor_desc_contiguous", "tensor", 0, &bytes);
    if (st != MLB_OK)
        return st;
    *desc = t;
    return MLB_OK;
}

/* Is the op one this loader knows, or in the vendor range? */
static mlb_status check_op(int32_t op, const char *source, const char *what) {
    if (op >= MLB_OP_VENDOR_FIRST || mlb_op_name_of(op))
        return MLB_OK;
    if (op <= 0)
        return mlb_fail(MLB_ERROR_INVALID_ARGUMENT, source, "%s: %d is not an op", what, (int)op);
    return mlb_fail(MLB_ERROR_UNSUPPORTED, source,
                    "%s: op %d is not known to this loader (ABI %u.%u)", what, (int)op,
                    (unsigned)MLB_ABI_VERSION_MAJOR, (unsigned)MLB_ABI_VERSION_MINOR);
}

mlb_status mlb_validate_op_desc(const mlb_op_desc *d, const char *source, const char *what,
                                uint64_t *need) {
    if (!d)
        return mlb_fail(MLB_ERROR_INVALID_ARGUMENT, source, "%s: op descriptor is NULL", what);
    if (d->struct_size < MLB_STRUCT_SIZE(mlb_op_desc, attrs))
        return mlb_fail(MLB_ERROR_INVALID_ARGUMENT, source,
                        "%s: op descriptor struct_size %zu is smaller than the v1.0 mlb_op_desc",
                        what, d->struct_size);
    mlb_status st = check_op(d->op, source, what);
    if (st != MLB_OK)
        return st;
    if (d->num_inputs > MLB_MAX_OP_TENSORS || d->num_outputs > MLB_MAX_OP_TENSORS)
        return mlb_fail(MLB_ERROR_INVALID_ARGUMENT, source,
                        "%s: %u inputs and %u outputs (at most %d each)", what, d->num_inputs,
                        d->num_outputs, MLB_MAX_OP_TENSORS);
    if ((d->num_inputs && !d->inputs) || (d->num_outputs && !d->outputs))
        return mlb_fail(MLB_ERROR_INVALID_ARGUMENT, source, "%s: inputs or outputs array is NULL",
                        what);
    for (uint32_t i = 0; i < d->num_inputs; ++i) {
        st = mlb_validate_tensor(d->inputs[i], source, what, "input", i, need ? &need[i] : NULL);
        if (st != MLB_OK)
            return st;
    }
    for (uint32_t i = 0; i < d->num_outputs; ++i) {
        st = mlb_validate_tensor(d->outputs[i], source, what, "output", i,
                                 need ? &need[d->num_inputs + i] : NULL);
        if (st != MLB_OK)
            return st;
    }
    if (d->attrs) {
        size_t size = *(const size_t *)d->attrs;
        if (size < sizeof(size_t) || size > MLB_MAX_ATTRS_SIZE)
            return mlb_fail(MLB_ERROR_INVALID_ARGUMENT, source,
                            "%s: attrs struct_size %zu is not plausible", what, size);
    }
    return MLB_OK;
}

mlb_status mlb_validate_range(uint64_t buffer_size, uint64_t offset, uint64_t size,
                              const char *source, const char *what, const char *arg) {
    uint64_t end;
    if (__builtin_add_overflow(offset, size, &end) || end > buffer_size)
        return mlb_fail(MLB_ERROR_OUT_OF_RANGE, source,
                        "%s: %s range [%llu, +%llu) lies outside its buffer of %llu bytes", what,
                        arg, (unsigned long long)offset, (unsigned long long)size,
                        (unsigned long long)buffer_size);
    return MLB_OK;
}
