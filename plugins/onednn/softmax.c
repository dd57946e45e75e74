/*
 * softmax.c - softmax and log_softmax (docs/ops.md section 8): declined.
 *
 * Measured on oneDNN 2.6.3 (softmax_v2, jit:avx512_core, f32), rows of 4
 * along the softmax axis:
 *   {1, NaN, 3, -Inf}   softmax 0 NaN 0 0        page: NaN everywhere
 *   {-Inf, 1, +Inf, 2}  softmax 0 0 NaN 0        page: NaN everywhere
 *   (log_softmax likewise: -Inf NaN -Inf -Inf / -Inf -Inf NaN -Inf)
 * -Inf among finite values and all -Inf rows do match. A slice holding a NaN
 * or a +Inf must come out all NaN, and which slices hold one is only known
 * from the data, so the op cannot be accepted and run exactly.
 */
#include "onednn_impl.h"

mlb_status onednn_softmax_supported(const mlb_op_desc *desc, char *why, size_t why_len) {
    mlb_status st = onednn_check_dtype_float(desc, desc->inputs[0]->dtype, why, why_len);
    if (st != MLB_OK) {
        return st;
    }
    return onednn_fail(MLB_ERROR_UNSUPPORTED, why, why_len,
                       "%s: oneDNN 2.6 does not spread a NaN or +Inf to the whole slice "
                       "(softmax of {1, NaN, 3, -Inf} = {0, NaN, 0, 0}); docs/ops.md gives NaN "
                       "everywhere",
                       cpuref_op_name(desc->op));
}
