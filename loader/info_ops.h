/*
 * info_ops.h - one small canonical descriptor per op and dtype, for asking a
 * device which ops it supports (mlb-info --ops). Reusable by any tool: add
 * loader/info_ops.c to its sources.
 *
 * Shapes (all tensors contiguous):
 *   unary, copy                x [2,3] -> [2,3]
 *   binary                     a [2,3], b [2,3] -> [2,3]
 *   cast                       x [2,3] of the dtype -> [2,3] f32 (so f32 -> f32 for f32)
 *   fill                       -> [2,3], value 1
 *   matmul                     [2,3] . [3,4] -> [2,4], no epilogue
 *   conv2d                     NCHW x 1x2x5x5, w 3x2x3x3 -> 1x3x3x3 (stride 1, no padding)
 *   pool2d                     max, NCHW 1x2x4x4 -> 1x2x2x2, window 2, stride 2
 *   softmax, log_softmax       [2,3] along axis -1
 *   layer_norm, rms_norm       [2,3] over axis -1, no weight or bias, epsilon 1e-5
 *   reductions                 [2,3] over axis 0 -> [3]
 *   gather                     data [4,3], indices [2] i64 -> [2,3] along axis 0
 */
#ifndef MLB_INFO_OPS_H
#define MLB_INFO_OPS_H

#include "ml_backend.h"

/* Every v1.0 op, in enum order. */
extern const int32_t mlb_info_ops[];
extern const unsigned mlb_info_op_count;
/* Every v1.0 dtype, in enum order. */
extern const int32_t mlb_info_dtypes[];
extern const unsigned mlb_info_dtype_count;

/* One descriptor and the storage it points to. */
typedef struct mlb_info_op_case {
    mlb_op_desc desc;
    mlb_tensor_desc tensors[4];
    const mlb_tensor_desc *inputs[3];
    const mlb_tensor_desc *outputs[1];
    union {
        size_t struct_size;
        mlb_fill_attrs fill;
        mlb_matmul_attrs matmul;
        mlb_conv2d_attrs conv2d;
        mlb_pool2d_attrs pool2d;
        mlb_axis_attrs axis;
        mlb_norm_attrs norm;
        mlb_reduce_attrs reduce;
    } attrs;
} mlb_info_op_case;

/* Fills `c` for op x dtype. Returns 0, or -1 for an op it does not know.
 * `c` must not be copied afterwards (it points into itself). */
int mlb_info_op_case_build(mlb_info_op_case *c, int32_t op, int32_t dtype);

#endif /* MLB_INFO_OPS_H */
