/*
 * names.c - names of dtypes, ops and plugin states; dtype sizes and the
 * DLPack mapping.
 */
#include "config.h"

#include "loader.h"

#include <string.h>

MLB_API const char *mlb_dtype_name(int32_t dtype) {
    switch (dtype) {
#define NAME_CASE(v, name, bytes, code, bits)                                                      \
    case v:                                                                                        \
        return name;
        MLB_DTYPE_TABLE(NAME_CASE)
#undef NAME_CASE
    default:
        return NULL;
    }
}

MLB_API size_t mlb_dtype_size(int32_t dtype) {
    return mlb_dtype_bytes(dtype);
}

MLB_API int32_t mlb_dtype_from_name(const char *name) {
    if (!name)
        return MLB_DTYPE_INVALID;
#define FROM_NAME(v, n, bytes, code, bits)                                                         \
    if (strcmp(name, n) == 0)                                                                      \
        return v;
    MLB_DTYPE_TABLE(FROM_NAME)
#undef FROM_NAME
    return MLB_DTYPE_INVALID;
}

MLB_API mlb_status mlb_dtype_to_dlpack(int32_t dtype, uint8_t *code, uint8_t *bits,
                                       uint16_t *lanes) {
    if (!code || !bits || !lanes)
        return mlb_fail(MLB_ERROR_INVALID_ARGUMENT, "mlb", "dtype_to_dlpack: NULL output");
    switch (dtype) {
#define DLPACK_CASE(v, name, bytes, c, b)                                                          \
    case v:                                                                                        \
        *code = c;                                                                                 \
        *bits = b;                                                                                 \
        *lanes = 1;                                                                                \
        return MLB_OK;
        MLB_DTYPE_TABLE(DLPACK_CASE)
#undef DLPACK_CASE
    default:
        return mlb_fail(MLB_ERROR_INVALID_ARGUMENT, "mlb", "dtype_to_dlpack: unknown dtype %d",
                        (int)dtype);
    }
}

/* Every v1.0 op and its lowercase name. */
#define MLB_OP_TABLE(X)                                                                            \
    X(MLB_OP_NEG, "neg")                                                                           \
    X(MLB_OP_ABS, "abs")                                                                           \
    X(MLB_OP_EXP, "exp")                                                                           \
    X(MLB_OP_LOG, "log")                                                                           \
    X(MLB_OP_SQRT, "sqrt")                                                                         \
    X(MLB_OP_RSQRT, "rsqrt")                                                                       \
    X(MLB_OP_TANH, "tanh")                                                                         \
    X(MLB_OP_SIGMOID, "sigmoid")                                                                   \
    X(MLB_OP_RELU, "relu")                                                                         \
    X(MLB_OP_GELU, "gelu")                                                                         \
    X(MLB_OP_GELU_TANH, "gelu_tanh")                                                               \
    X(MLB_OP_SILU, "silu")                                                                         \
    X(MLB_OP_ADD, "add")                                                                           \
    X(MLB_OP_SUB, "sub")                                                                           \
    X(MLB_OP_MUL, "mul")                                                                           \
    X(MLB_OP_DIV, "div")                                                                           \
    X(MLB_OP_MAXIMUM, "maximum")                                                                   \
    X(MLB_OP_MINIMUM, "minimum")                                                                   \
    X(MLB_OP_POW, "pow")                                                                           \
    X(MLB_OP_CAST, "cast")                                                                         \
    X(MLB_OP_COPY, "copy")                                                                         \
    X(MLB_OP_FILL, "fill")                                                                         \
    X(MLB_OP_MATMUL, "matmul")                                                                     \
    X(MLB_OP_CONV2D, "conv2d")                                                                     \
    X(MLB_OP_POOL2D, "pool2d")                                                                     \
    X(MLB_OP_SOFTMAX, "softmax")                                                                   \
    X(MLB_OP_LOG_SOFTMAX, "log_softmax")                                                           \
    X(MLB_OP_LAYER_NORM, "layer_norm")                                                             \
    X(MLB_OP_RMS_NORM, "rms_norm")                                                                 \
    X(MLB_OP_REDUCE_SUM, "reduce_sum")                                                             \
    X(MLB_OP_REDUCE_MEAN, "reduce_mean")                                                           \
    X(MLB_OP_REDUCE_MAX, "reduce_max")                                                             \
    X(MLB_OP_REDUCE_MIN, "reduce_min")                                                             \
    X(MLB_OP_REDUCE_PROD, "reduce_prod")                                                           \
    X(MLB_OP_GATHER, "gather")

MLB_API const char *mlb_op_name(int32_t op) {
    return mlb_op_name_of(op);
}

const char *mlb_op_name_of(int32_t op) {
    switch (op) {
#define OP_NAME_CASE(v, name)                                                                      \
    case v:                                                                                        \
        return name;
        MLB_OP_TABLE(OP_NAME_CASE)
#undef OP_NAME_CASE
    default:
        return NULL;
    }
}

MLB_API int32_t mlb_op_from_name(const char *name) {
    if (!name)
        return MLB_OP_NONE;
#define OP_FROM_NAME(v, n)                                                                         \
    if (strcmp(name, n) == 0)                                                                      \
        return v;
    MLB_OP_TABLE(OP_FROM_NAME)
#undef OP_FROM_NAME
    return MLB_OP_NONE;
}

MLB_API const char *mlb_plugin_state_name(int32_t state) {
    switch (state) {
    case MLB_PLUGIN_LOADED:
        return "loaded";
    case MLB_PLUGIN_REJECTED:
        return "rejected";
    case MLB_PLUGIN_DISABLED:
        return "disabled";
    default:
        return "unknown";
    }
}

MLB_API uint32_t mlb_loader_abi_version(void) {
    return MLB_ABI_VERSION;
}
