/*
 * op_util.h - descriptor checks shared by the op families: counts of
 * tensors, one dtype for all tensors, dtype groups, axis normalization.
 * Each returns MLB_OK or a status with its reason written into why.
 */
#ifndef CPUREF_OP_UTIL_H
#define CPUREF_OP_UTIL_H

#include "ops.h"

/* dtype groups of docs/ops.md, as bit sets over enum mlb_dtype. */
#define CPUREF_DT(d) (1u << (d))
#define CPUREF_DT_FLOAT                                                                            \
    (CPUREF_DT(MLB_DTYPE_F32) | CPUREF_DT(MLB_DTYPE_F16) | CPUREF_DT(MLB_DTYPE_BF16) |             \
     CPUREF_DT(MLB_DTYPE_F64))
#define CPUREF_DT_INT                                                                              \
    (CPUREF_DT(MLB_DTYPE_I8) | CPUREF_DT(MLB_DTYPE_U8) | CPUREF_DT(MLB_DTYPE_I32) |                \
     CPUREF_DT(MLB_DTYPE_I64))
#define CPUREF_DT_NUMERIC (CPUREF_DT_FLOAT | CPUREF_DT_INT)
#define CPUREF_DT_ALL (CPUREF_DT_NUMERIC | CPUREF_DT(MLB_DTYPE_BOOL))

/* The op's name for messages ("add", "matmul", ...). */
const char *cpuref_op_name(int32_t op);

/* Writes "[d0<sep>d1<sep>...]" ("[]" for rank 0) into buf, truncated to len; returns buf. For
 * messages and logs: shapes ("[2, 3]"), indices. */
const char *cpuref_dims_text(const int64_t *dims, int32_t rank, const char *sep, char *buf,
                             size_t len);

/* Exactly nin inputs and nout outputs (INVALID_ARGUMENT otherwise). */
mlb_status cpuref_check_counts(const mlb_op_desc *desc, uint32_t nin, uint32_t nout, char *why,
                               size_t why_len);

/* dtype is in `allowed` (UNSUPPORTED otherwise, naming the dtype and op). */
mlb_status cpuref_check_dtype(const mlb_op_desc *desc, int32_t dtype, uint32_t allowed, char *why,
                              size_t why_len);

/* Every input and output has the dtype of input 0 (or of output 0 when there is no input). */
mlb_status cpuref_check_same_dtype(const mlb_op_desc *desc, char *why, size_t why_len);

/* Two tensors have equal rank and shape (INVALID_ARGUMENT naming `what` otherwise). */
mlb_status cpuref_check_same_shape(const mlb_op_desc *desc, const mlb_tensor_desc *a,
                                   const mlb_tensor_desc *b, const char *what, char *why,
                                   size_t why_len);

/* t has exactly this rank and shape (INVALID_ARGUMENT naming `what` and the axis otherwise). */
mlb_status cpuref_check_shape_is(const mlb_op_desc *desc, const char *what,
                                 const mlb_tensor_desc *t, int32_t rank, const int64_t *shape,
                                 char *why, size_t why_len);

/* Maps axis in [-rank, rank) to [0, rank) in *out (INVALID_ARGUMENT otherwise). */
mlb_status cpuref_normalize_axis(const mlb_op_desc *desc, int32_t axis, int32_t rank, int32_t *out,
                                 char *why, size_t why_len);

/* An output has no stride 0 on an axis of extent > 1 (docs/ops.md section 1). */
mlb_status cpuref_check_output_strides(const mlb_op_desc *desc, const mlb_tensor_desc *out,
                                       char *why, size_t why_len);

/* Channel, height and width axis numbers of an NCHW or NHWC activation tensor. */
typedef struct cpuref_layout_axes {
    int32_t c, h, w;
} cpuref_layout_axes;
cpuref_layout_axes cpuref_layout_axes_of(int32_t layout);

/*
 * Output extent of a sliding window along one spatial axis (`axis` names it in messages):
 * (in + pad0 + pad1 - dilation*(k-1) - 1) / stride + 1, after checking that the padded input
 * holds the (dilated) window; `window` names it in messages ("kernel", "dilated kernel").
 * Overflowing values are INVALID_ARGUMENT.
 */
mlb_status cpuref_window_extent(const mlb_op_desc *desc, const char *axis, const char *window,
                                int64_t in, int64_t pad0, int64_t pad1, int64_t k, int64_t dilation,
                                int64_t stride, int64_t *out, char *why, size_t why_len);

/* The attrs struct is present and its struct_size covers up to `needed` bytes. */
mlb_status cpuref_check_attrs(const mlb_op_desc *desc, size_t needed, char *why, size_t why_len);

#endif /* CPUREF_OP_UTIL_H */
