/*
 * matmul.c - batched matmul with bias and activation (docs/ops.md section 5)
 * as one oneDNN matmul primitive with post-ops.
 *
 * a [..., M, K], b [..., K, N] and out [..., M, N] are handed to oneDNN with
 * their own strides (transposes cost nothing); batch axes are aligned to the
 * output's rank with leading 1s, and stride-0 batch axes become extent 1
 * (oneDNN broadcasts batch axes itself). bias [N] is a [1, ..., 1, N] tensor
 * with its stride. A stride-0 matrix axis (a broadcast inside one matrix) is
 * expanded into a dense scratch by a reorder first.
 *
 * When oneDNN answers with its reference implementation for the user's
 * strides, the kernel is rebuilt with `format_tag any` for a, b and out and
 * reorders around it (README.md lists the cases).
 *
 * K = 0 with a non-empty output (oneDNN 2.6 raises SIGFPE inside
 * dnnl_primitive_desc_create for it): out = act(bias) on every row, or act(0)
 * without a bias; the plan fills the output on the host and adds the bias in
 * place with a binary primitive that carries the epilogue (build_k0).
 *
 * Declined: epilogue activations whose oneDNN eltwise differs from
 * docs/ops.md (see eltwise.c).
 */
#include "activation.h"
#include "onednn_impl.h"

mlb_status onednn_matmul_supported(const mlb_op_desc *desc, char *why, size_t why_len) {
    const mlb_matmul_attrs *at = (const mlb_matmul_attrs *)desc->attrs;
    const mlb_tensor_desc *a = desc->inputs[0];
    mlb_status st = onednn_check_dtype_float(desc, a->dtype, why, why_len);
    if (st != MLB_OK) {
        return st;
    }
    char inner[192];
    st = onednn_epilogue_attr(at->epilogue.activation, a->dtype, NULL, NULL, inner, sizeof(inner));
    if (st != MLB_OK) {
        return onednn_fail(st, why, why_len, "matmul epilogue: %s", inner);
    }
    return MLB_OK;
}

/* The matrix axes of t have a stride 0 on an extent > 1 (the op cannot broadcast them). */
static int matrix_zero_stride(const mlb_tensor_desc *t) {
    for (int32_t k = t->rank - 2; k < t->rank; ++k) {
        if (t->shape[k] > 1 && t->strides[k] == 0) {
            return 1;
        }
    }
    return 0;
}

typedef struct mm_mds {
    dnnl_memory_desc_t a, b, bias, y;
} mm_mds;

static mlb_status user_mds(const mlb_op_desc *desc, int rank, mm_mds *m, char *why,
                           size_t why_len) {
    const mlb_tensor_desc *a = desc->inputs[0], *b = desc->inputs[1], *y = desc->outputs[0];
    const mlb_matmul_attrs *at = (const mlb_matmul_attrs *)desc->attrs;
    const dnnl_data_type_t dt = onednn_dt(y->dtype);
    mlb_status st = onednn_md_tensor(&m->a, a, rank, dt, ONEDNN_MD_BCAST, why, why_len);
    if (st == MLB_OK) {
        st = onednn_md_tensor(&m->b, b, rank, dt, ONEDNN_MD_BCAST, why, why_len);
    }
    if (st == MLB_OK) {
        st = onednn_md_tensor(&m->y, y, rank, dt, 0, why, why_len);
    }
    if (st == MLB_OK && at->epilogue.has_bias) {
        st = onednn_md_tensor(&m->bias, desc->inputs[2], rank, dt, 0, why, why_len);
    }
    return st;
}

/* A matrix operand with a stride-0 matrix axis: its full (non-broadcast) md for the reorder. */
static mlb_status expand_md(const mlb_tensor_desc *t, int rank, dnnl_data_type_t dt,
                            dnnl_memory_desc_t *full, dnnl_memory_desc_t *dense, char *why,
                            size_t why_len) {
    mlb_tensor_desc v = *t;
    for (int32_t k = 0; k < t->rank - 2; ++k) {
        if (v.strides[k] == 0) {
            v.shape[k] = 1; /* batch broadcast stays a oneDNN broadcast */
        }
    }
    mlb_status st = onednn_md_tensor(full, &v, rank, dt, 0, why, why_len);
    if (st == MLB_OK) {
        dnnl_dims_t dims;
        const int lead = rank - v.rank;
        for (int k = 0; k < rank; ++k) {
            dims[k] = k < lead ? 1 : v.shape[k - lead];
        }
        st = onednn_md_dense(dense, rank, dims, dt, why, why_len);
    }
    return st;
}

static mlb_status make_pd(const mm_mds *m, int has_bias, int any, const_dnnl_primitive_attr_t attr,
                          dnnl_primitive_desc_t *pd, char *why, size_t why_len) {
    dnnl_memory_desc_t a = m->a, b = m->b, y = m->y;
    if (any) {
        dnnl_memory_desc_init_by_tag(&a, m->a.ndims, m->a.dims, m->a.data_type,
                                     dnnl_format_tag_any);
        dnnl_memory_desc_init_by_tag(&b, m->b.ndims, m->b.dims, m->b.data_type,
                                     dnnl_format_tag_any);
        dnnl_memory_desc_init_by_tag(&y, m->y.ndims, m->y.dims, m->y.data_type,
                                     dnnl_format_tag_any);
    }
    dnnl_matmul_desc_t md;
    dnnl_status_t ds = dnnl_matmul_desc_init(&md, &a, &b, has_bias ? &m->bias : NULL, &y);
    if (ds != dnnl_success) {
        return onednn_status(ds, "matmul", why, why_len);
    }
    return onednn_pd_create(pd, &md, attr, "matmul", why, why_len);
}

/* K = 0: every output element is act(bias[n]), or act(0) without a bias. The pre-activation
 * is the bias itself, so a bias holding NaN or Inf is the only input the epilogue's guard has
 * to catch (the empty a and b scan as nothing). */
static mlb_status build_k0(onednn_kernel *k, const mlb_op_desc *desc, char *why, size_t why_len) {
    const mlb_matmul_attrs *at = (const mlb_matmul_attrs *)desc->attrs;
    const mlb_tensor_desc *y = desc->outputs[0], *bias = desc->inputs[2];
    const int32_t act = at->epilogue.activation;
    if (!at->epilogue.has_bias) {
        return onednn_plan_fill(k, cpuref_activation_f64(act, 0.0), why, why_len);
    }
    mm_mds m;
    mlb_status st = onednn_plan_fill(k, 0.0, why, why_len);
    if (st == MLB_OK) {
        st = user_mds(desc, y->rank, &m, why, why_len);
    }
    dnnl_primitive_attr_t attr = NULL;
    int guarded = 0;
    if (st == MLB_OK) {
        st = onednn_epilogue_attr(act, y->dtype, &attr, &guarded, why, why_len);
    }
    if (st != MLB_OK) {
        return st;
    }
    if (guarded) {
        onednn_plan_guard(k, desc, 3, ONEDNN_GUARD_NONFINITE);
    }
    dnnl_binary_desc_t bd;
    dnnl_status_t ds = dnnl_binary_desc_init(&bd, dnnl_binary_add, &m.y, &m.bias, &m.y);
    dnnl_primitive_desc_t pd = NULL;
    st = ds == dnnl_success ? onednn_pd_create(&pd, &bd, attr, "matmul K = 0", why, why_len)
                            : onednn_status(ds, "matmul K = 0", why, why_len);
    dnnl_primitive_attr_destroy(attr);
    if (st != MLB_OK) {
        return st;
    }
    const int sy = onednn_plan_user(k, ONEDNN_SLOT_OUTPUT, 0, y->byte_offset, &m.y);
    const int sb = onednn_plan_user(k, ONEDNN_SLOT_INPUT, 2, bias->byte_offset, &m.bias);
    const int args[3] = {DNNL_ARG_SRC_0, DNNL_ARG_SRC_1, DNNL_ARG_DST}, slots[3] = {sy, sb, sy};
    return onednn_plan_step(k, pd, "binary", 3, args, slots, why, why_len);
}

mlb_status onednn_matmul_build(onednn_kernel *k, const mlb_op_desc *desc, char *why,
                               size_t why_len) {
    const mlb_matmul_attrs *at = (const mlb_matmul_attrs *)desc->attrs;
    const mlb_tensor_desc *y = desc->outputs[0];
    const mlb_tensor_desc *a0 = desc->inputs[0];
    if (a0->shape[a0->rank - 1] == 0) {
        return build_k0(k, desc, why, why_len); /* the output is not empty (dispatch.c) */
    }
    const int rank = y->rank, has_bias = at->epilogue.has_bias;
    const dnnl_data_type_t dt = onednn_dt(y->dtype);
    mm_mds m;
    mlb_status st = user_mds(desc, rank, &m, why, why_len);
    dnnl_memory_desc_t user_a = m.a, user_b = m.b, dense;
    /* Stride-0 matrix axes: the primitive reads a dense copy. */
    if (st == MLB_OK && matrix_zero_stride(desc->inputs[0])) {
        st = expand_md(desc->inputs[0], rank, dt, &user_a, &dense, why, why_len);
        m.a = dense;
    }
    if (st == MLB_OK && matrix_zero_stride(desc->inputs[1])) {
        st = expand_md(desc->inputs[1], rank, dt, &user_b, &dense, why, why_len);
        m.b = dense;
    }
    dnnl_primitive_attr_t attr = NULL;
    int guarded = 0;
    if (st == MLB_OK) {
        st = onednn_epilogue_attr(at->epilogue.activation, y->dtype, &attr, &guarded, why, why_len);
    }
    if (guarded) {
        const mlb_tensor_desc *a = desc->inputs[0];
        onednn_plan_guard_product(k, desc, has_bias, a->shape[a->rank - 1]);
    }
    dnnl_primitive_desc_t pd = NULL;
    if (st == MLB_OK) {
        st = make_pd(&m, has_bias, 0, attr, &pd, why, why_len);
    }
    if (st == MLB_OK && onednn_pd_is_ref(pd)) {
        dnnl_primitive_desc_t pd_any;
        if (make_pd(&m, has_bias, 1, attr, &pd_any, NULL, 0) == MLB_OK) {
            if (onednn_pd_is_ref(pd_any)) {
                dnnl_primitive_desc_destroy(pd_any);
            } else {
                dnnl_primitive_desc_destroy(pd);
                pd = pd_any;
            }
        }
    }
    dnnl_primitive_attr_destroy(attr);
    if (st != MLB_OK) {
        return st;
    }
    int sa, sb, sbias = -1, sy;
    st = onednn_plan_input(k, 0, desc->inputs[0]->byte_offset, &user_a,
                           onednn_pd_md(pd, DNNL_ARG_SRC), &sa, why, why_len);
    if (st == MLB_OK) {
        st = onednn_plan_input(k, 1, desc->inputs[1]->byte_offset, &user_b,
                               onednn_pd_md(pd, DNNL_ARG_WEIGHTS), &sb, why, why_len);
    }
    if (st == MLB_OK && has_bias) {
        st = onednn_plan_input(k, 2, desc->inputs[2]->byte_offset, &m.bias,
                               onednn_pd_md(pd, DNNL_ARG_BIAS), &sbias, why, why_len);
    }
    if (st == MLB_OK) {
        st = onednn_plan_output(k, 0, y->byte_offset, &m.y, onednn_pd_md(pd, DNNL_ARG_DST), &sy,
                                why, why_len);
    }
    if (st != MLB_OK) {
        dnnl_primitive_desc_destroy(pd);
        return st;
    }
    const int args[4] = {DNNL_ARG_SRC, DNNL_ARG_WEIGHTS, DNNL_ARG_DST, DNNL_ARG_BIAS};
    const int slots[4] = {sa, sb, sy, sbias};
    return onednn_plan_step(k, pd, "matmul", has_bias ? 4 : 3, args, slots, why, why_len);
}
