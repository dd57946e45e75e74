/*
 * reorder.c - copy and cast (docs/ops.md section 4) as oneDNN reorders.
 *
 * copy moves bytes: every dtype is viewed as u8 with one extra innermost
 * axis of its element size (stride 1), so the copy is bit-exact for all
 * dtypes (f64, i64, NaN payloads) whatever oneDNN converts through.
 * Reorders read stride-0 (broadcast) sources; in place (y == x) is a no-op
 * copy onto itself.
 *
 * cast runs only where a oneDNN conversion is the page's rule:
 *   f32 <-> bf16 (round to nearest even), s8/u8/s32/bool -> f32,
 *   s8/u8/bool -> bf16 (exact through f32), s8/u8/bool -> s32, bool -> s8/u8,
 *   and every dtype to itself.
 * Declined: float -> int (oneDNN rounds to nearest, the page truncates toward
 * zero), int -> narrower or other-signedness int (oneDNN saturates, the page
 * wraps), i32 -> bf16 (through f32: two roundings), anything -> bool (x != 0
 * is no conversion oneDNN has), f16/f64/i64 (no kernels / no such type).
 */
#include <string.h>

#include "onednn_impl.h"

mlb_status onednn_copy_supported(const mlb_op_desc *desc, char *why, size_t why_len) {
    (void)desc, (void)why, (void)why_len;
    return MLB_OK; /* bytes are bytes */
}

static const char *dname(int32_t dt) {
    static const char *const names[] = {"invalid", "f32", "f16", "bf16", "f64",
                                        "i8",      "u8",  "i32", "i64",  "bool"};
    return dt >= 0 && dt < 10 ? names[dt] : "invalid";
}

mlb_status onednn_cast_supported(const mlb_op_desc *desc, char *why, size_t why_len) {
    const int32_t from = desc->inputs[0]->dtype, to = desc->outputs[0]->dtype;
    const int from_small_int =
        from == MLB_DTYPE_I8 || from == MLB_DTYPE_U8 || from == MLB_DTYPE_BOOL;
    const int from_float = from == MLB_DTYPE_F32 || from == MLB_DTYPE_BF16;
    if (from == to) {
        return MLB_OK; /* a copy */
    }
    if (from == MLB_DTYPE_F16 || to == MLB_DTYPE_F16 || from == MLB_DTYPE_F64 ||
        to == MLB_DTYPE_F64 || from == MLB_DTYPE_I64 || to == MLB_DTYPE_I64) {
        return onednn_fail(MLB_ERROR_UNSUPPORTED, why, why_len,
                           "cast %s -> %s: oneDNN 2.6 has no %s conversions here", dname(from),
                           dname(to),
                           (from == MLB_DTYPE_F16 || to == MLB_DTYPE_F16) ? "f16" : "64-bit");
    }
    if (to == MLB_DTYPE_BOOL) {
        return onednn_fail(MLB_ERROR_UNSUPPORTED, why, why_len,
                           "cast %s -> bool: x != 0 is not a oneDNN conversion", dname(from));
    }
    if (to == MLB_DTYPE_F32 || (to == MLB_DTYPE_BF16 && (from_float || from_small_int))) {
        return MLB_OK;
    }
    if (to == MLB_DTYPE_BF16) { /* from i32 */
        return onednn_fail(MLB_ERROR_UNSUPPORTED, why, why_len,
                           "cast i32 -> bf16: oneDNN converts through f32, two roundings where "
                           "the page rounds once");
    }
    if (from_float) {
        return onednn_fail(MLB_ERROR_UNSUPPORTED, why, why_len,
                           "cast %s -> %s: oneDNN rounds to nearest; docs/ops.md truncates "
                           "toward zero (and NaN -> 0)",
                           dname(from), dname(to));
    }
    if ((to == MLB_DTYPE_I32 && from_small_int) || from == MLB_DTYPE_BOOL) {
        return MLB_OK; /* widening, or 0/1 */
    }
    return onednn_fail(MLB_ERROR_UNSUPPORTED, why, why_len,
                       "cast %s -> %s: oneDNN saturates; docs/ops.md wraps (i32 300 -> u8 44)",
                       dname(from), dname(to));
}

/* x and y as u8 bytes: an extra innermost axis of the element size. */
static mlb_status byte_md(const mlb_tensor_desc *t, dnnl_memory_desc_t *md, char *why,
                          size_t why_len) {
    static const int sizes[] = {0, 4, 2, 2, 8, 1, 1, 4, 8, 1};
    const int es = sizes[t->dtype];
    dnnl_dims_t dims, strides;
    int r = 0;
    for (int32_t k = 0; k < t->rank; ++k, ++r) {
        dims[r] = t->shape[k];
        strides[r] = t->strides[k] * es;
    }
    dims[r] = es, strides[r] = 1;
    ++r;
    return onednn_md_strided(md, r, dims, strides, dnnl_u8, why, why_len);
}

mlb_status onednn_reorder_build(onednn_kernel *k, const mlb_op_desc *desc, char *why,
                                size_t why_len) {
    const mlb_tensor_desc *x = desc->inputs[0], *y = desc->outputs[0];
    dnnl_memory_desc_t xmd, ymd;
    mlb_status st;
    if (x->dtype == y->dtype) {
        st = byte_md(x, &xmd, why, why_len);
        if (st == MLB_OK) {
            st = byte_md(y, &ymd, why, why_len);
        }
    } else {
        st = onednn_md_tensor(&xmd, x, x->rank, onednn_dt(x->dtype), 0, why, why_len);
        if (st == MLB_OK) {
            st = onednn_md_tensor(&ymd, y, y->rank, onednn_dt(y->dtype), 0, why, why_len);
        }
    }
    if (st != MLB_OK) {
        return st;
    }
    const int from = onednn_plan_user(k, ONEDNN_SLOT_INPUT, 0, x->byte_offset, &xmd);
    int to;
    st = onednn_plan_output(k, 0, y->byte_offset, &ymd, NULL, &to, why, why_len);
    return st != MLB_OK ? st : onednn_plan_reorder(k, from, to, why, why_len);
}
