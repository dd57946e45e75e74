/*
 * eltwise.c - unary ops (docs/ops.md section 2) as oneDNN eltwise
 * primitives, and the eltwise post-ops of the matmul/conv2d epilogue.
 *
 * Measured on oneDNN 2.6.3 (jit:avx512_core), f32, against the page:
 *   relu (and clip, clip_v2, bounded_relu)  NaN -> 0           page: NaN
 *   exp                                     NaN -> +Inf        page: NaN
 *   gelu_erf, gelu_tanh, swish(alpha 1)     -Inf -> NaN        page: 0
 *   log                                     log(1) = -1.43e-6  page: 0, within the f32 atol 1e-5
 *   log of a subnormal (x < 2^-126)         log(2^-149) = -88.03 page: -103.28
 *   pow(x, 1, -0.5) as rsqrt                rsqrt(-0) = +Inf   page: -Inf
 * so relu, exp, gelu, gelu_tanh, silu and log run with a guard (guard.c: a launch whose input
 * holds NaN/Inf, or a subnormal for log, is computed by the caller; onednn_kernel_inputs_exact)
 * As matmul/conv2d epilogues (post-ops, which see the pre-activation sums) they run with a
 * product guard: finite inputs small enough that no sum can overflow (guard.c); log, whose
 * subnormal pre-activations no input bound rules out, is declined there.
 * rsqrt is sqrt followed by pow(x, alpha 1, beta -1) (1/-0 = -Inf), which needs its intermediate
 * in f32: fine inside a post-op chain, declined as a standalone bf16 op (an eltwise primitive has
 * one data type, and one with eltwise post-ops falls back to ref:any and computes garbage). neg
 * (linear alpha -1), abs, sqrt, tanh and sigmoid (logistic) match. Integer neg/abs are declined:
 * oneDNN computes through f32 and saturates, the page wraps (neg(i8 -128) = -128).
 */
#include "onednn_impl.h"

/* The ops oneDNN runs exactly on ordinary values only: the guard each needs, or 0. */
static int guard_of(int32_t op) {
    switch (op) {
    case MLB_OP_RELU:
    case MLB_OP_EXP:
    case MLB_OP_GELU:
    case MLB_OP_GELU_TANH:
    case MLB_OP_SILU:
        return ONEDNN_GUARD_NONFINITE;
    case MLB_OP_LOG:
        return ONEDNN_GUARD_NONFINITE | ONEDNN_GUARD_SUBNORMAL;
    default:
        return 0;
    }
}

/* The chain of an op that needs a guard (guard_of(op) != 0). */
static void guarded_chain(int32_t op, onednn_eltwise *chain) {
    switch (op) {
    case MLB_OP_RELU:
        chain[0].alg = dnnl_eltwise_relu;
        break;
    case MLB_OP_EXP:
        chain[0].alg = dnnl_eltwise_exp;
        break;
    case MLB_OP_GELU:
        chain[0].alg = dnnl_eltwise_gelu_erf;
        break;
    case MLB_OP_GELU_TANH:
        chain[0].alg = dnnl_eltwise_gelu_tanh;
        break;
    case MLB_OP_SILU:
        chain[0].alg = dnnl_eltwise_swish, chain[0].alpha = 1.0f;
        break;
    default: /* MLB_OP_LOG */
        chain[0].alg = dnnl_eltwise_log;
        break;
    }
}

mlb_status onednn_eltwise_chain(int32_t op, int32_t dtype, int f32_between, onednn_eltwise *chain,
                                int *count, int *guard, char *why, size_t why_len) {
    const char *name = cpuref_op_name(op);
    *count = 1;
    chain[0].alpha = chain[0].beta = 0.0f;
    if (guard) {
        *guard = guard_of(op);
        if (*guard) {
            guarded_chain(op, chain);
            return MLB_OK;
        }
    }
    switch (op) {
    case MLB_OP_NEG:
        chain[0].alg = dnnl_eltwise_linear, chain[0].alpha = -1.0f;
        return MLB_OK;
    case MLB_OP_ABS:
        chain[0].alg = dnnl_eltwise_abs;
        return MLB_OK;
    case MLB_OP_SQRT:
        chain[0].alg = dnnl_eltwise_sqrt;
        return MLB_OK;
    case MLB_OP_TANH:
        chain[0].alg = dnnl_eltwise_tanh;
        return MLB_OK;
    case MLB_OP_SIGMOID:
        chain[0].alg = dnnl_eltwise_logistic;
        return MLB_OK;
    case MLB_OP_RSQRT:
        if (dtype != MLB_DTYPE_F32 && !f32_between) {
            return onednn_fail(
                MLB_ERROR_UNSUPPORTED, why, why_len,
                "rsqrt: bf16 would round sqrt to bf16 before the reciprocal (two "
                "roundings); oneDNN's pow(x, -0.5) gives rsqrt(-0) = +Inf, not -Inf");
        }
        chain[0].alg = dnnl_eltwise_sqrt;
        chain[1].alg = dnnl_eltwise_pow, chain[1].alpha = 1.0f, chain[1].beta = -1.0f;
        *count = 2;
        return MLB_OK;
    /* Exact on ordinary values only, and no guard offered (guard == NULL): declined. */
    case MLB_OP_LOG:
        return onednn_fail(MLB_ERROR_UNSUPPORTED, why, why_len,
                           "log: oneDNN's log is wrong on subnormal values (log(1.4e-45) gives "
                           "-88.03, not -103.28)");
    case MLB_OP_RELU:
        return onednn_fail(MLB_ERROR_UNSUPPORTED, why, why_len,
                           "relu: oneDNN's relu (and clip/bounded_relu) maps NaN to 0; "
                           "docs/ops.md keeps NaN");
    case MLB_OP_EXP:
        return onednn_fail(MLB_ERROR_UNSUPPORTED, why, why_len,
                           "exp: oneDNN's exp maps NaN to +Inf; docs/ops.md keeps NaN");
    case MLB_OP_GELU:
    case MLB_OP_GELU_TANH:
    case MLB_OP_SILU:
        return onednn_fail(MLB_ERROR_UNSUPPORTED, why, why_len,
                           "%s: oneDNN's %s gives NaN at -Inf; docs/ops.md takes the limit 0", name,
                           op == MLB_OP_SILU   ? "swish"
                           : op == MLB_OP_GELU ? "gelu_erf"
                                               : "gelu_tanh");
    default:
        return onednn_fail(MLB_ERROR_UNSUPPORTED, why, why_len, "op %d is not a unary op", op);
    }
}

mlb_status onednn_epilogue_attr(int32_t activation, int32_t dtype, dnnl_primitive_attr_t *attr,
                                int *guarded, char *why, size_t why_len) {
    if (attr) {
        *attr = NULL;
    }
    if (guarded) {
        *guarded = 0;
    }
    if (activation == MLB_OP_NONE) {
        return MLB_OK;
    }
    onednn_eltwise chain[2];
    int n, guard;
    mlb_status st = onednn_eltwise_chain(activation, dtype, 1, chain, &n, &guard, why, why_len);
    if (st == MLB_OK && (guard & ONEDNN_GUARD_SUBNORMAL)) {
        /* A subnormal pre-activation cannot be ruled out from the inputs. */
        return onednn_eltwise_chain(activation, dtype, 1, chain, &n, NULL, why, why_len);
    }
    if (guarded) {
        *guarded = guard != 0;
    }
    if (st != MLB_OK || !attr) {
        return st;
    }
    dnnl_post_ops_t po;
    dnnl_status_t ds = dnnl_post_ops_create(&po);
    for (int i = 0; ds == dnnl_success && i < n; ++i) {
        ds = dnnl_post_ops_append_eltwise(po, 1.0f, chain[i].alg, chain[i].alpha, chain[i].beta);
    }
    if (ds == dnnl_success) {
        ds = dnnl_primitive_attr_create(attr);
        if (ds == dnnl_success) {
            ds = dnnl_primitive_attr_set_post_ops(*attr, po);
        }
    }
    dnnl_post_ops_destroy(po);
    if (ds != dnnl_success) {
        dnnl_primitive_attr_destroy(*attr);
        *attr = NULL;
        return onednn_status(ds, "epilogue post-ops", why, why_len);
    }
    return MLB_OK;
}

mlb_status onednn_unary_supported(const mlb_op_desc *desc, char *why, size_t why_len) {
    const int32_t dt = desc->inputs[0]->dtype;
    if (dt == MLB_DTYPE_I8 || dt == MLB_DTYPE_U8 || dt == MLB_DTYPE_I32 || dt == MLB_DTYPE_I64) {
        return onednn_fail(MLB_ERROR_UNSUPPORTED, why, why_len,
                           "%s: integer eltwise in oneDNN computes through f32 and saturates; "
                           "docs/ops.md wraps (neg(i8 -128) = -128)",
                           cpuref_op_name(desc->op));
    }
    mlb_status st = onednn_check_dtype_float(desc, dt, why, why_len);
    onednn_eltwise chain[2];
    int n, guard;
    return st != MLB_OK ? st
                        : onednn_eltwise_chain(desc->op, dt, 0, chain, &n, &guard, why, why_len);
}

/* An eltwise primitive descriptor over md. */
static mlb_status eltwise_pd(const onednn_eltwise *e, const dnnl_memory_desc_t *md,
                             dnnl_primitive_desc_t *pd, char *why, size_t why_len) {
    dnnl_eltwise_desc_t ed;
    dnnl_status_t ds =
        dnnl_eltwise_forward_desc_init(&ed, dnnl_forward_inference, e->alg, md, e->alpha, e->beta);
    if (ds != dnnl_success) {
        return onednn_status(ds, "eltwise", why, why_len);
    }
    return onednn_pd_create(pd, &ed, NULL, "eltwise", why, why_len);
}

/* The chain as steps from slot src to slot dst (in place on dst after the first). */
static mlb_status chain_steps(onednn_kernel *k, const onednn_eltwise *chain, int n, int src,
                              int dst, char *why, size_t why_len) {
    mlb_status st = MLB_OK;
    for (int i = 0; st == MLB_OK && i < n; ++i) {
        dnnl_primitive_desc_t pd;
        st = eltwise_pd(&chain[i], &k->slots[dst].md, &pd, why, why_len);
        if (st == MLB_OK) {
            const int args[2] = {DNNL_ARG_SRC, DNNL_ARG_DST}, slots[2] = {i ? dst : src, dst};
            st = onednn_plan_step(k, pd, "eltwise", 2, args, slots, why, why_len);
        }
    }
    return st;
}

/*
 * An eltwise primitive has one layout for src and dst. Plans, best first:
 *   x and y share a layout oneDNN runs with jit: eltwise x -> y;
 *   y's layout runs with jit: reorder x -> y, eltwise in place on y;
 *   else (ref:any, which also maps NaN to 0 in logistic): reorder x into a
 *   dense scratch, eltwise in place there, reorder into y.
 */
mlb_status onednn_unary_build(onednn_kernel *k, const mlb_op_desc *desc, char *why,
                              size_t why_len) {
    const mlb_tensor_desc *x = desc->inputs[0], *y = desc->outputs[0];
    const dnnl_data_type_t dt = onednn_dt(x->dtype);
    onednn_eltwise chain[2];
    int n, guard;
    dnnl_memory_desc_t xmd, ymd, dense;
    mlb_status st = onednn_eltwise_chain(desc->op, x->dtype, 0, chain, &n, &guard, why, why_len);
    onednn_plan_guard(k, desc, guard ? 1 : 0, guard);
    if (st == MLB_OK) {
        st = onednn_md_tensor(&xmd, x, x->rank, dt, 0, why, why_len);
    }
    if (st == MLB_OK) {
        st = onednn_md_tensor(&ymd, y, y->rank, dt, 0, why, why_len);
    }
    if (st == MLB_OK) {
        st = onednn_md_dense(&dense, ymd.ndims, ymd.dims, dt, why, why_len);
    }
    if (st != MLB_OK) {
        return st;
    }
    dnnl_primitive_desc_t pd;
    st = eltwise_pd(&chain[0], &ymd, &pd, why, why_len);
    if (st != MLB_OK) {
        return st;
    }
    const int y_jit = !onednn_pd_is_ref(pd);
    dnnl_primitive_desc_destroy(pd);
    const int src = onednn_plan_user(k, ONEDNN_SLOT_INPUT, 0, x->byte_offset, &xmd);
    int dst;
    st = onednn_plan_output(k, 0, y->byte_offset, &ymd, y_jit ? NULL : &dense, &dst, why, why_len);
    if (st != MLB_OK) {
        return st;
    }
    if (y_jit && dnnl_memory_desc_equal(&xmd, &ymd) && !onednn_has_zero_stride(x)) {
        return chain_steps(k, chain, n, src, dst, why, why_len);
    }
    st = onednn_plan_reorder(k, src, dst, why, why_len);
    return st != MLB_OK ? st : chain_steps(k, chain, n, dst, dst, why, why_len);
}
