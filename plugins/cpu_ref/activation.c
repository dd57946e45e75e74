/*
 * activation.c - the unary formulas of docs/ops.md section 2 in double, for
 * the matmul/conv2d epilogue. Each is the page's formula written as is, so
 * IEEE arithmetic decides the edge cases, except that gelu, gelu_tanh and
 * silu take their limits at the infinities (+Inf -> +Inf, -Inf -> 0) as the
 * page says, where the literal formula would give -Inf * 0 = NaN.
 */
#include <math.h>

#include "activation.h"
#include "op_util.h"
#include "ops.h"

int cpuref_activation_valid(int32_t op) {
    return op >= MLB_OP_NONE && op <= MLB_OP_SILU;
}

/* gelu, gelu_tanh and silu at +-Inf: their limits. */
static int gated_at_infinity(int32_t op, double x, double *out) {
    if (!isinf(x) || (op != MLB_OP_GELU && op != MLB_OP_GELU_TANH && op != MLB_OP_SILU)) {
        return 0;
    }
    *out = x > 0 ? x : 0.0;
    return 1;
}

double cpuref_activation_f64(int32_t op, double x) {
    double limit;
    if (gated_at_infinity(op, x, &limit)) {
        return limit;
    }
    const double pi = 3.14159265358979323846; /* for gelu_tanh's sqrt(2/pi) */
    switch (op) {
    case MLB_OP_NEG:
        return -x;
    case MLB_OP_ABS:
        return fabs(x); /* abs(-0.0) = +0.0 */
    case MLB_OP_EXP:
        return exp(x);
    case MLB_OP_LOG:
        return log(x); /* log 0 = -Inf, log of a negative = NaN */
    case MLB_OP_SQRT:
        return sqrt(x); /* sqrt(-0.0) = -0.0, negative -> NaN */
    case MLB_OP_RSQRT:
        return 1.0 / sqrt(x); /* rsqrt(+0) = +Inf, rsqrt(-0) = 1/-0 = -Inf */
    case MLB_OP_TANH:
        return tanh(x);
    case MLB_OP_SIGMOID:
        return 1.0 / (1.0 + exp(-x));
    case MLB_OP_RELU:
        if (x > 0.0 || isnan(x)) {
            return x;
        }
        return 0.0; /* +0.0, also for -0.0 */
    case MLB_OP_GELU:
        return 0.5 * x * (1.0 + erf(x / sqrt(2.0)));
    case MLB_OP_GELU_TANH:
        return 0.5 * x * (1.0 + tanh(sqrt(2.0 / pi) * (x + 0.044715 * x * x * x)));
    case MLB_OP_SILU:
        return x / (1.0 + exp(-x));
    default: /* MLB_OP_NONE */
        return x;
    }
}

mlb_status cpuref_check_epilogue(const mlb_op_desc *desc, const mlb_epilogue *epilogue, char *why,
                                 size_t why_len) {
    if (epilogue->has_bias != 0 && epilogue->has_bias != 1) {
        return cpuref_fail(MLB_ERROR_INVALID_ARGUMENT, why, why_len,
                           "%s: epilogue.has_bias is %d, expected 0 or 1", cpuref_op_name(desc->op),
                           epilogue->has_bias);
    }
    if (!cpuref_activation_valid(epilogue->activation)) {
        return cpuref_fail(MLB_ERROR_INVALID_ARGUMENT, why, why_len,
                           "%s: epilogue.activation %d is not NONE or a unary op (1..12)",
                           cpuref_op_name(desc->op), epilogue->activation);
    }
    return MLB_OK;
}
