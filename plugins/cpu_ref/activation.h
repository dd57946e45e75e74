/*
 * activation.h - the unary ops of docs/ops.md section 2 evaluated in double,
 * as the fused epilogue of matmul and conv2d applies them (before the one
 * rounding to the output dtype), and the check of an mlb_epilogue.
 */
#ifndef CPUREF_ACTIVATION_H
#define CPUREF_ACTIVATION_H

#include <stddef.h>
#include <stdint.h>

#include "ml_backend.h"

/* 1 when `op` is MLB_OP_NONE or a unary op of section 2 (ids 1..12), else 0. */
int cpuref_activation_valid(int32_t op);

/*
 * The unary op `op` applied to x in double, by the formula of section 2;
 * MLB_OP_NONE returns x. `op` must satisfy cpuref_activation_valid.
 */
double cpuref_activation_f64(int32_t op, double x);

/*
 * Checks an epilogue of `desc`'s op: has_bias is 0 or 1 and the activation is
 * valid (INVALID_ARGUMENT naming the op and the field otherwise).
 */
mlb_status cpuref_check_epilogue(const mlb_op_desc *desc, const mlb_epilogue *epilogue, char *why,
                                 size_t why_len);

#endif /* CPUREF_ACTIVATION_H */
