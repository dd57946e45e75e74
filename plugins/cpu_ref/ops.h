/*
 * ops.h - the contract between cpu_ref's kernel object (kernel.c) and its op
 * families (one file per family: elementwise.c, convert.c, reduce.c, ...).
 *
 * An op family validates a descriptor (check) and runs it on host memory
 * (run). kernel.c deep-copies the descriptor at kernel_create, calls check
 * once there, and calls run on the stream's worker thread for every launch.
 * Families never see buffers or streams, only base addresses.
 */
#ifndef CPUREF_OPS_H
#define CPUREF_OPS_H

#include <stddef.h>
#include <stdint.h>

#include "ml_backend.h"

/* Room for a one-line reason, written on failure ("matmul: K of a (3) != K of b (4)"). */
#define CPUREF_WHY_LEN 256

/*
 * Validates `desc` for this op: input/output counts, dtypes, ranks, shapes,
 * attributes (already copied with the op's attrs_size; NULL when attrs_size
 * is 0). Returns MLB_OK, MLB_ERROR_UNSUPPORTED (a valid request cpu_ref does
 * not do, e.g. a dtype outside the op's list), or MLB_ERROR_INVALID_ARGUMENT
 * (the descriptor breaks docs/ops.md), writing the reason into `why`.
 * Never allocates, never touches tensor memory.
 */
typedef mlb_status (*cpuref_check_fn)(const mlb_op_desc *desc, char *why, size_t why_len);

/*
 * Runs a checked descriptor. inputs[i]/outputs[i] are the base addresses of
 * the buffers holding tensor i; each tensor starts at its desc->byte_offset.
 * Returns MLB_OK, or an error with a reason for data-dependent failures (e.g.
 * a gather index out of range: MLB_ERROR_OUT_OF_RANGE), which becomes the
 * stream's sticky error. Must not write outside the output tensors' elements.
 */
typedef mlb_status (*cpuref_run_fn)(const mlb_op_desc *desc, uint8_t *const *inputs,
                                    uint8_t *const *outputs, char *why, size_t why_len);

/*
 * One op: its id; the size of its attribute struct (sizeof, what kernel.c
 * copies; 0 = takes none); the smallest struct_size a caller may declare
 * (MLB_STRUCT_SIZE up to the last field cpu_ref reads); its check and run.
 */
typedef struct cpuref_op {
    int32_t op;
    size_t attrs_size;
    size_t attrs_min_size;
    cpuref_check_fn check;
    cpuref_run_fn run;
} cpuref_op;

/* The table entry for `op`, or NULL when cpu_ref does not know it. (ops_registry.c) */
const cpuref_op *cpuref_find_op(int32_t op);

/* Each family's check and run; registered in ops_registry.c. */
mlb_status cpuref_unary_check(const mlb_op_desc *desc, char *why, size_t why_len);
mlb_status cpuref_unary_run(const mlb_op_desc *desc, uint8_t *const *in, uint8_t *const *out,
                            char *why, size_t why_len);
mlb_status cpuref_binary_check(const mlb_op_desc *desc, char *why, size_t why_len);
mlb_status cpuref_binary_run(const mlb_op_desc *desc, uint8_t *const *in, uint8_t *const *out,
                             char *why, size_t why_len);
mlb_status cpuref_cast_check(const mlb_op_desc *desc, char *why, size_t why_len);
mlb_status cpuref_cast_run(const mlb_op_desc *desc, uint8_t *const *in, uint8_t *const *out,
                           char *why, size_t why_len);
mlb_status cpuref_copy_check(const mlb_op_desc *desc, char *why, size_t why_len);
mlb_status cpuref_copy_run(const mlb_op_desc *desc, uint8_t *const *in, uint8_t *const *out,
                           char *why, size_t why_len);
mlb_status cpuref_fill_check(const mlb_op_desc *desc, char *why, size_t why_len);
mlb_status cpuref_fill_run(const mlb_op_desc *desc, uint8_t *const *in, uint8_t *const *out,
                           char *why, size_t why_len);
mlb_status cpuref_matmul_check(const mlb_op_desc *desc, char *why, size_t why_len);
mlb_status cpuref_matmul_run(const mlb_op_desc *desc, uint8_t *const *in, uint8_t *const *out,
                             char *why, size_t why_len);
mlb_status cpuref_conv2d_check(const mlb_op_desc *desc, char *why, size_t why_len);
mlb_status cpuref_conv2d_run(const mlb_op_desc *desc, uint8_t *const *in, uint8_t *const *out,
                             char *why, size_t why_len);
mlb_status cpuref_pool2d_check(const mlb_op_desc *desc, char *why, size_t why_len);
mlb_status cpuref_pool2d_run(const mlb_op_desc *desc, uint8_t *const *in, uint8_t *const *out,
                             char *why, size_t why_len);
mlb_status cpuref_softmax_check(const mlb_op_desc *desc, char *why, size_t why_len);
mlb_status cpuref_softmax_run(const mlb_op_desc *desc, uint8_t *const *in, uint8_t *const *out,
                              char *why, size_t why_len);
mlb_status cpuref_norm_check(const mlb_op_desc *desc, char *why, size_t why_len);
mlb_status cpuref_norm_run(const mlb_op_desc *desc, uint8_t *const *in, uint8_t *const *out,
                           char *why, size_t why_len);
mlb_status cpuref_reduce_check(const mlb_op_desc *desc, char *why, size_t why_len);
mlb_status cpuref_reduce_run(const mlb_op_desc *desc, uint8_t *const *in, uint8_t *const *out,
                             char *why, size_t why_len);
mlb_status cpuref_gather_check(const mlb_op_desc *desc, char *why, size_t why_len);
mlb_status cpuref_gather_run(const mlb_op_desc *desc, uint8_t *const *in, uint8_t *const *out,
                             char *why, size_t why_len);

/* Writes a formatted reason into why (printf-style) and returns `status`. (ops_registry.c) */
mlb_status cpuref_fail(mlb_status status, char *why, size_t why_len, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#endif /* CPUREF_OPS_H */
