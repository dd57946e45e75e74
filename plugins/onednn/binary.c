/*
 * binary.c - add, sub, mul, div, maximum, minimum (docs/ops.md section 3) as
 * oneDNN binary primitives with NumPy broadcasting.
 *
 * oneDNN wants src0 with the output's shape and broadcasts src1 only. So:
 * when a has the output's shape, src0 = a and src1 = b; when only b has it,
 * commutative ops swap, and sub swaps and negates with an eltwise post-op
 * (a - b = -(b - a) exactly in IEEE arithmetic); otherwise (div, or both
 * broadcast) a is first expanded into a dense scratch by a reorder (which
 * reads stride-0 views) and that is src0.
 *
 * Float maximum/minimum run with a guard (guard.c): jit:uni returns the
 * second operand when either is NaN (max(NaN, 1) = 1), so a launch with a
 * NaN (or Inf) in an input is the caller's to compute.
 * Declined, measured on oneDNN 2.6.3: pow (no binary pow in oneDNN 2.6); integer add/sub/mul
 * (computed through f32 and saturated, docs/ops.md wraps); every i32 op (through f32: inexact
 * beyond 2^24). i8/u8 maximum/minimum are exact and run.
 */
#include "onednn_impl.h"

mlb_status onednn_binary_supported(const mlb_op_desc *desc, char *why, size_t why_len) {
    const int32_t dt = desc->inputs[0]->dtype;
    const char *name = cpuref_op_name(desc->op);
    const int minmax = desc->op == MLB_OP_MAXIMUM || desc->op == MLB_OP_MINIMUM;
    if (desc->op == MLB_OP_POW) {
        return onednn_fail(MLB_ERROR_UNSUPPORTED, why, why_len,
                           "pow: oneDNN 2.6 has no binary pow (eltwise pow takes a constant "
                           "exponent)");
    }
    if (dt == MLB_DTYPE_I8 || dt == MLB_DTYPE_U8) {
        if (minmax) {
            return MLB_OK;
        }
        return onednn_fail(MLB_ERROR_UNSUPPORTED, why, why_len,
                           "%s: oneDNN's integer binary ops saturate; docs/ops.md wraps "
                           "(i8 100 + 100 = -56)",
                           name);
    }
    if (dt == MLB_DTYPE_I32 || dt == MLB_DTYPE_I64) {
        return onednn_fail(MLB_ERROR_UNSUPPORTED, why, why_len,
                           "%s: %s: oneDNN computes binary ops through f32 (inexact beyond 2^24) "
                           "and saturates; docs/ops.md wraps in 64-bit",
                           name, dt == MLB_DTYPE_I32 ? "i32" : "i64");
    }
    return onednn_check_dtype_float(desc, dt, why, why_len);
}

/* 1 for float maximum/minimum: exact only without NaN (guarded, guard.c). */
static int is_float_minmax(const mlb_op_desc *desc) {
    const int32_t dt = desc->inputs[0]->dtype;
    return (desc->op == MLB_OP_MAXIMUM || desc->op == MLB_OP_MINIMUM) &&
           (dt == MLB_DTYPE_F32 || dt == MLB_DTYPE_BF16);
}

/* 1 when t (aligned at the end of rank `rank`) has the output's shape with no stride-0 axis. */
static int is_full(const mlb_tensor_desc *t, const mlb_tensor_desc *y) {
    if (t->rank != y->rank || onednn_has_zero_stride(t)) {
        return 0;
    }
    for (int32_t k = 0; k < y->rank; ++k) {
        if (t->shape[k] != y->shape[k]) {
            return 0;
        }
    }
    return 1;
}

static dnnl_alg_kind_t alg_of(int32_t op) {
    switch (op) {
    case MLB_OP_ADD:
        return dnnl_binary_add;
    case MLB_OP_SUB:
        return dnnl_binary_sub;
    case MLB_OP_MUL:
        return dnnl_binary_mul;
    case MLB_OP_DIV:
        return dnnl_binary_div;
    case MLB_OP_MAXIMUM:
        return dnnl_binary_max;
    default:
        return dnnl_binary_min;
    }
}

/* The binary primitive src0 (op) src1 -> dst, negated by a post-op when `negate` (sub with the
 * operands swapped). */
static mlb_status binary_pd(dnnl_primitive_desc_t *pd, int32_t op, int negate,
                            const dnnl_memory_desc_t *md0, const dnnl_memory_desc_t *md1,
                            const dnnl_memory_desc_t *mdy, char *why, size_t why_len) {
    dnnl_binary_desc_t bd;
    dnnl_status_t ds = dnnl_binary_desc_init(&bd, alg_of(op), md0, md1, mdy);
    if (ds != dnnl_success) {
        return onednn_status(ds, "binary", why, why_len);
    }
    dnnl_primitive_attr_t attr = NULL;
    if (negate) {
        dnnl_post_ops_t po;
        ds = dnnl_post_ops_create(&po);
        if (ds == dnnl_success) {
            ds = dnnl_post_ops_append_eltwise(po, 1.0f, dnnl_eltwise_linear, -1.0f, 0.0f);
            if (ds == dnnl_success) {
                ds = dnnl_primitive_attr_create(&attr);
            }
            if (ds == dnnl_success) {
                ds = dnnl_primitive_attr_set_post_ops(attr, po);
            }
            dnnl_post_ops_destroy(po);
        }
        if (ds != dnnl_success) {
            dnnl_primitive_attr_destroy(attr);
            return onednn_status(ds, "binary post-op", why, why_len);
        }
    }
    mlb_status st = onednn_pd_create(pd, &bd, attr, "binary", why, why_len);
    dnnl_primitive_attr_destroy(attr);
    return st;
}

/* The same binary on dense row-major copies of both operands, into a dense output, when oneDNN
 * has a kernel for that which is not `ref:` (else *pd stays NULL). */
static mlb_status dense_binary_pd(dnnl_primitive_desc_t *pd, int32_t op, int negate,
                                  const dnnl_memory_desc_t *md1, const dnnl_memory_desc_t *mdy,
                                  dnnl_memory_desc_t *d0, dnnl_memory_desc_t *d1,
                                  dnnl_memory_desc_t *dy, char *why, size_t why_len) {
    *pd = NULL;
    mlb_status st = onednn_md_dense(dy, mdy->ndims, mdy->dims, mdy->data_type, why, why_len);
    if (st == MLB_OK) {
        st = onednn_md_dense(d1, md1->ndims, md1->dims, md1->data_type, why, why_len);
    }
    if (st == MLB_OK) {
        *d0 = *dy;
        st = binary_pd(pd, op, negate, d0, d1, dy, why, why_len);
    }
    onednn_pd_drop_ref(pd);
    return st == MLB_ERROR_OUT_OF_MEMORY ? st : MLB_OK;
}

/*
 * The plan: src0 = input i0 (its user view md0; with `stage`, expanded into a dense tensor of
 * the output's shape first), src1 = input i1 broadcast, dst = the output. oneDNN's jit binary
 * wants the three in matching plain layouts; when the user's layouts give `ref:` (a transposed
 * operand, a padded output, a non-dense broadcast operand), every operand and the output are
 * restaged through dense row-major scratch, with reorders around the jit kernel.
 */
mlb_status onednn_binary_build(onednn_kernel *k, const mlb_op_desc *desc, char *why,
                               size_t why_len) {
    const mlb_tensor_desc *a = desc->inputs[0], *b = desc->inputs[1], *y = desc->outputs[0];
    const dnnl_data_type_t dt = onednn_dt(y->dtype);
    const int rank = y->rank ? y->rank : 1;
    const int commutative = desc->op != MLB_OP_SUB && desc->op != MLB_OP_DIV;
    uint32_t i0 = 0, i1 = 1; /* which input is src0 and which src1 */
    int negate = 0, stage = 0;
    if (is_float_minmax(desc)) {
        onednn_plan_guard(k, desc, 2, ONEDNN_GUARD_NONFINITE);
    }
    if (is_full(a, y)) {
        /* src0 = a */
    } else if (is_full(b, y) && (commutative || desc->op == MLB_OP_SUB)) {
        i0 = 1, i1 = 0, negate = desc->op == MLB_OP_SUB;
    } else {
        stage = 1;
    }
    const mlb_tensor_desc *t0 = desc->inputs[i0], *t1 = desc->inputs[i1];
    dnnl_memory_desc_t md0, md1, mdy, want0;
    mlb_status st = onednn_md_tensor(&mdy, y, rank, dt, 0, why, why_len);
    if (st == MLB_OK) {
        st = onednn_md_tensor(&md1, t1, rank, dt, ONEDNN_MD_BCAST, why, why_len);
    }
    if (st == MLB_OK && stage) {
        /* a seen with the output's shape: stride 0 on its broadcast axes. */
        mlb_tensor_desc full = *t0;
        const int lead = y->rank - t0->rank;
        full.rank = y->rank;
        for (int32_t k2 = 0; k2 < y->rank; ++k2) {
            const int64_t e = k2 < lead ? 1 : t0->shape[k2 - lead];
            full.strides[k2] = (k2 < lead || e == 1) ? 0 : t0->strides[k2 - lead];
            full.shape[k2] = y->shape[k2];
        }
        st = onednn_md_tensor(&md0, &full, rank, dt, 0, why, why_len);
        if (st == MLB_OK) {
            st = onednn_md_dense(&want0, rank, mdy.dims, dt, why, why_len);
        }
    } else if (st == MLB_OK) {
        st = onednn_md_tensor(&md0, t0, rank, dt, 0, why, why_len);
        want0 = md0;
    }
    dnnl_primitive_desc_t pd = NULL;
    if (st == MLB_OK) {
        st = binary_pd(&pd, desc->op, negate, &want0, &md1, &mdy, why, why_len);
    }
    if (st != MLB_OK) {
        return st;
    }
    dnnl_memory_desc_t want1 = md1, wanty = mdy;
    if (onednn_pd_is_ref(pd)) {
        dnnl_primitive_desc_t dense = NULL;
        dnnl_memory_desc_t d0, d1, dy;
        st = dense_binary_pd(&dense, desc->op, negate, &md1, &mdy, &d0, &d1, &dy, why, why_len);
        if (st != MLB_OK) {
            dnnl_primitive_desc_destroy(pd);
            return st;
        }
        if (dense) { /* else no faster kernel: the user's layouts, on ref */
            dnnl_primitive_desc_destroy(pd);
            pd = dense, want0 = d0, want1 = d1, wanty = dy;
        }
    }
    int s0, s1, sy;
    st = onednn_plan_input(k, i0, t0->byte_offset, &md0, &want0, &s0, why, why_len);
    if (st == MLB_OK) {
        st = onednn_plan_input(k, i1, t1->byte_offset, &md1, &want1, &s1, why, why_len);
    }
    if (st == MLB_OK) {
        st = onednn_plan_output(k, 0, y->byte_offset, &mdy, &wanty, &sy, why, why_len);
    }
    if (st != MLB_OK) {
        dnnl_primitive_desc_destroy(pd);
        return st;
    }
    const int args[3] = {DNNL_ARG_SRC_0, DNNL_ARG_SRC_1, DNNL_ARG_DST}, slots[3] = {s0, s1, sy};
    return onednn_plan_step(k, pd, "binary", 3, args, slots, why, why_len);
}
