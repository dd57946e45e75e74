/*
 * elementwise.c - unary and binary elementwise ops (docs/ops.md sections 2-3).
 *
 * Floats: each element is loaded exactly into double, computed in double and
 * rounded once at the store; the unary formulas are activation.c's, the same
 * ones the matmul/conv2d epilogue applies, so the page has one executable form. Integers: int64
 * arithmetic done on uint64_t (so overflow wraps instead of being undefined), wrapped to the width
 * at the store. Every output element depends only on the input elements at the same (broadcast)
 * index and is read before it is written, so an output that is exactly one of the inputs (the
 * in-place rule of section 1) is safe.
 */
#include <math.h>
#include <stdio.h>

#include "activation.h"
#include "dtype.h"
#include "op_util.h"
#include "ops.h"
#include "tensor.h"

/* ---- shared checks ------------------------------------------------------ */

/* Elementwise ops take no attribute struct (docs/ops.md: attrs NULL). */
static mlb_status check_no_attrs(const mlb_op_desc *desc, char *why, size_t why_len) {
    if (desc->attrs) {
        return cpuref_fail(MLB_ERROR_INVALID_ARGUMENT, why, why_len,
                           "%s: takes no attributes (attrs must be NULL)",
                           cpuref_op_name(desc->op));
    }
    return MLB_OK;
}

/* Writes "[2, 3]" ("[]" for a scalar) into buf. */
static const char *shape_str(const mlb_tensor_desc *t, char *buf, size_t len) {
    return cpuref_dims_text(t->shape, t->rank, ", ", buf, len);
}

/* ---- unary -------------------------------------------------------------- */

/* Dtype group of a unary op; 0 when `op` is not a unary op. */
static uint32_t unary_dtypes(int32_t op) {
    switch (op) {
    case MLB_OP_NEG:
    case MLB_OP_ABS:
        return CPUREF_DT_NUMERIC;
    case MLB_OP_EXP:
    case MLB_OP_LOG:
    case MLB_OP_SQRT:
    case MLB_OP_RSQRT:
    case MLB_OP_TANH:
    case MLB_OP_SIGMOID:
    case MLB_OP_RELU:
    case MLB_OP_GELU:
    case MLB_OP_GELU_TANH:
    case MLB_OP_SILU:
        return CPUREF_DT_FLOAT;
    default:
        return 0;
    }
}

/* The integer value of neg/abs, wrapping (neg(INT64_MIN) = abs(INT64_MIN) = INT64_MIN). */
static int64_t unary_i64(int32_t op, int64_t x) {
    const uint64_t u = (uint64_t)x;
    if (op == MLB_OP_NEG || (op == MLB_OP_ABS && x < 0)) {
        return (int64_t)(UINT64_C(0) - u);
    }
    return x;
}

mlb_status cpuref_unary_check(const mlb_op_desc *desc, char *why, size_t why_len) {
    mlb_status st;
    const uint32_t allowed = unary_dtypes(desc->op);
    if (!allowed) {
        return cpuref_fail(MLB_ERROR_UNSUPPORTED, why, why_len, "unary: op %d is not a unary op",
                           desc->op);
    }
    if ((st = cpuref_check_counts(desc, 1, 1, why, why_len)) != MLB_OK ||
        (st = check_no_attrs(desc, why, why_len)) != MLB_OK ||
        (st = cpuref_check_same_dtype(desc, why, why_len)) != MLB_OK ||
        (st = cpuref_check_same_shape(desc, desc->inputs[0], desc->outputs[0], "input and output",
                                      why, why_len)) != MLB_OK ||
        (st = cpuref_check_output_strides(desc, desc->outputs[0], why, why_len)) != MLB_OK) {
        return st;
    }
    return cpuref_check_dtype(desc, desc->inputs[0]->dtype, allowed, why, why_len);
}

mlb_status cpuref_unary_run(const mlb_op_desc *desc, uint8_t *const *in, uint8_t *const *out,
                            char *why, size_t why_len) {
    const mlb_tensor_desc *x = desc->inputs[0];
    const mlb_tensor_desc *y = desc->outputs[0];
    const int32_t dt = y->dtype;
    const int is_float = cpuref_dtype_is_float(dt);
    int64_t idx[MLB_MAX_RANK] = {0};
    (void)why, (void)why_len;
    if (cpuref_numel(y) == 0) {
        return MLB_OK;
    }
    do {
        const uint8_t *px = cpuref_elem(x, in[0], idx);
        uint8_t *py = cpuref_elem(y, out[0], idx);
        if (is_float) {
            cpuref_store_f64(dt, py, cpuref_activation_f64(desc->op, cpuref_load_f64(dt, px)));
        } else {
            cpuref_store_i64(dt, py, unary_i64(desc->op, cpuref_load_i64(dt, px)));
        }
    } while (cpuref_next_index(idx, y->shape, y->rank));
    return MLB_OK;
}

/* ---- binary ------------------------------------------------------------- */

/* Dtype group of a binary op; 0 when `op` is not a binary op. */
static uint32_t binary_dtypes(int32_t op) {
    switch (op) {
    case MLB_OP_ADD:
    case MLB_OP_SUB:
    case MLB_OP_MUL:
    case MLB_OP_MAXIMUM:
    case MLB_OP_MINIMUM:
        return CPUREF_DT_NUMERIC;
    case MLB_OP_DIV:
    case MLB_OP_POW:
        return CPUREF_DT_FLOAT;
    default:
        return 0;
    }
}

static double binary_f64(int32_t op, double a, double b) {
    switch (op) {
    case MLB_OP_ADD:
        return a + b;
    case MLB_OP_SUB:
        return a - b;
    case MLB_OP_MUL:
        return a * b;
    case MLB_OP_DIV:
        return a / b;
    case MLB_OP_MAXIMUM:
    case MLB_OP_MINIMUM: {
        if (isnan(a) || isnan(b)) {
            return isnan(a) ? a : b;
        }
        const int want_max = op == MLB_OP_MAXIMUM;
        if (a == b) { /* equal values, or -0.0 vs +0.0: max takes +0.0, min takes -0.0 */
            return (signbit(a) != 0) == want_max ? b : a;
        }
        return (a > b) == want_max ? a : b;
    }
    case MLB_OP_POW:
        return pow(a, b); /* C99 Annex F: pow(x, 0) = 1, pow(1, y) = 1, even for NaN */
    default:
        return NAN;
    }
}

static int64_t binary_i64(int32_t op, int64_t a, int64_t b) {
    const uint64_t ua = (uint64_t)a, ub = (uint64_t)b;
    switch (op) {
    case MLB_OP_ADD:
        return (int64_t)(ua + ub);
    case MLB_OP_SUB:
        return (int64_t)(ua - ub);
    case MLB_OP_MUL:
        return (int64_t)(ua * ub);
    case MLB_OP_MAXIMUM:
        return a > b ? a : b;
    case MLB_OP_MINIMUM:
        return a < b ? a : b;
    default:
        return 0;
    }
}

/* The output must have exactly the NumPy broadcast shape of a and b (section 1). */
static mlb_status check_broadcast(const mlb_op_desc *desc, char *why, size_t why_len) {
    const mlb_tensor_desc *a = desc->inputs[0], *b = desc->inputs[1], *y = desc->outputs[0];
    const char *name = cpuref_op_name(desc->op);
    const int32_t rank = a->rank > b->rank ? a->rank : b->rank;
    char sa[192], sb[192];
    if (y->rank != rank) {
        return cpuref_fail(MLB_ERROR_INVALID_ARGUMENT, why, why_len,
                           "%s: output rank %d != broadcast rank %d of %s and %s", name, y->rank,
                           rank, shape_str(a, sa, sizeof sa), shape_str(b, sb, sizeof sb));
    }
    for (int32_t k = 0; k < rank; ++k) {
        const int32_t ka = k - (rank - a->rank), kb = k - (rank - b->rank);
        const int64_t ea = ka >= 0 ? a->shape[ka] : 1;
        const int64_t eb = kb >= 0 ? b->shape[kb] : 1;
        if (ea != eb && ea != 1 && eb != 1) {
            return cpuref_fail(MLB_ERROR_INVALID_ARGUMENT, why, why_len,
                               "%s: shapes %s and %s do not broadcast (axis %d: %lld vs %lld)",
                               name, shape_str(a, sa, sizeof sa), shape_str(b, sb, sizeof sb), k,
                               (long long)ea, (long long)eb);
        }
        const int64_t e = ea == 1 ? eb : ea;
        if (y->shape[k] != e) {
            return cpuref_fail(MLB_ERROR_INVALID_ARGUMENT, why, why_len,
                               "%s: output extent %lld on axis %d != broadcast extent %lld of %s "
                               "and %s",
                               name, (long long)y->shape[k], k, (long long)e,
                               shape_str(a, sa, sizeof sa), shape_str(b, sb, sizeof sb));
        }
    }
    return MLB_OK;
}

mlb_status cpuref_binary_check(const mlb_op_desc *desc, char *why, size_t why_len) {
    mlb_status st;
    const uint32_t allowed = binary_dtypes(desc->op);
    if (!allowed) {
        return cpuref_fail(MLB_ERROR_UNSUPPORTED, why, why_len, "binary: op %d is not a binary op",
                           desc->op);
    }
    if ((st = cpuref_check_counts(desc, 2, 1, why, why_len)) != MLB_OK ||
        (st = check_no_attrs(desc, why, why_len)) != MLB_OK ||
        (st = cpuref_check_same_dtype(desc, why, why_len)) != MLB_OK ||
        (st = check_broadcast(desc, why, why_len)) != MLB_OK ||
        (st = cpuref_check_output_strides(desc, desc->outputs[0], why, why_len)) != MLB_OK) {
        return st;
    }
    return cpuref_check_dtype(desc, desc->inputs[0]->dtype, allowed, why, why_len);
}

mlb_status cpuref_binary_run(const mlb_op_desc *desc, uint8_t *const *in, uint8_t *const *out,
                             char *why, size_t why_len) {
    const mlb_tensor_desc *a = desc->inputs[0], *b = desc->inputs[1], *y = desc->outputs[0];
    const int32_t dt = y->dtype;
    const int is_float = cpuref_dtype_is_float(dt);
    int64_t sa[MLB_MAX_RANK], sb[MLB_MAX_RANK], idx[MLB_MAX_RANK] = {0};
    if (cpuref_numel(y) == 0) {
        return MLB_OK;
    }
#ifdef CPUREF_MUTANT_IGNORE_STRIDE
    /* MUTANT ignore_stride: both inputs read as if dense row-major, their strides ignored
     * (stride-0 broadcast axes are kept, so the reads stay inside each input). */
    mlb_tensor_desc dense[2] = {*a, *b};
    for (int i = 0; i < 2; ++i) {
        int64_t n = 1;
        for (int32_t k = dense[i].rank - 1; k >= 0; --k) {
            if (dense[i].strides[k] != 0) {
                dense[i].strides[k] = n;
                n *= dense[i].shape[k];
            }
        }
    }
    a = &dense[0], b = &dense[1];
#endif
    if (!cpuref_broadcast_strides(a, y->rank, y->shape, sa) ||
        !cpuref_broadcast_strides(b, y->rank, y->shape, sb)) {
        return cpuref_fail(MLB_ERROR_INTERNAL, why, why_len, "%s: shapes do not broadcast",
                           cpuref_op_name(desc->op)); /* unreachable after check */
    }
#ifdef CPUREF_MUTANT_WRONG_BROADCAST
    /* MUTANT wrong_broadcast: an axis that one input broadcasts is not stepped in the other
     * input either: both read index 0 there. */
    for (int32_t k = 0; k < y->rank; ++k) {
        if (sa[k] == 0 || sb[k] == 0) {
            sa[k] = sb[k] = 0;
        }
    }
#endif
    do {
        const uint8_t *pa = cpuref_elem_strided(a, in[0], sa, y->rank, idx);
        const uint8_t *pb = cpuref_elem_strided(b, in[1], sb, y->rank, idx);
        uint8_t *py = cpuref_elem(y, out[0], idx);
        if (is_float) {
            cpuref_store_f64(
                dt, py, binary_f64(desc->op, cpuref_load_f64(dt, pa), cpuref_load_f64(dt, pb)));
        } else {
            cpuref_store_i64(
                dt, py, binary_i64(desc->op, cpuref_load_i64(dt, pa), cpuref_load_i64(dt, pb)));
        }
    } while (cpuref_next_index(idx, y->shape, y->rank));
    return MLB_OK;
}
