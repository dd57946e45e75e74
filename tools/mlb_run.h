/*
 * mlb_run.h - internals of mlb-run shared by its files:
 *
 *   mlb_run.c      main: options, the order of the steps, exit statuses
 *   run_attrs.c    --attr key=value into the op's attribute struct
 *   run_case.c     the case: from --shape/--in (shapes, layouts, values) or --family/--seed
 *   run_shapes.c   the output shape of every op, and the accumulation length
 *   run_io.c       tensors <-> .npy arrays (strided gather/scatter, bf16 choice)
 *   run_device.c   one case on one device through libmlb (guard bytes), and --time
 *   run_compare.c  the conformance rule of docs/ops.md section 12, NMSE, guard bytes
 *
 * A case is held in an mlbc_case (conformance/casegen.h) whatever its origin,
 * so a case built from the command line and a conformance case run through
 * exactly the same code.
 */
#ifndef MLB_TOOLS_MLB_RUN_H
#define MLB_TOOLS_MLB_RUN_H

#include <stddef.h>
#include <stdint.h>

#include "casegen.h"
#include "mlb.h"
#include "npy.h"

/* Exit statuses (docs/mlb-run.md). */
enum {
    RUN_EXIT_OK = 0,         /* ran; with --compare: within the conformance rule */
    RUN_EXIT_MISMATCH = 1,   /* --compare: outside the rule, or guard bytes written */
    RUN_EXIT_USAGE = 2,      /* bad option, bad or mismatched input file, invalid op */
    RUN_EXIT_FAILED = 3,     /* no device, a launch or copy failed, the reference failed */
    RUN_EXIT_UNSUPPORTED = 4 /* the device declined the op (MLB_ERROR_UNSUPPORTED) */
};

/* The base seed mlb-conformance uses when given no --seed (conformance/main.cc). */
#define RUN_DEFAULT_SEED UINT64_C(20240501)
#define RUN_MAX_ATTRS 32
#define RUN_MAX_OUTS 4
/* Room for a message line. */
#define RUN_ERR_LEN 512

typedef struct run_options {
    const char **plugins; /* --plugin PATH (repeatable) */
    uint32_t num_plugins;
    const char *device;  /* --device NAME, NULL: the first device */
    const char *compare; /* --compare NAME */
    const char *op_name; /* --op */
    int32_t op;
    int32_t dtype;       /* --dtype, MLB_DTYPE_INVALID when not given */
    int32_t out_dtype;   /* --out-dtype (cast), MLB_DTYPE_INVALID when not given */
    int32_t index_dtype; /* --index-dtype (gather), MLB_DTYPE_INVALID when not given */
    const char *attrs[RUN_MAX_ATTRS];
    int num_attrs;
    const char *inputs[MLBC_MAX_INPUTS]; /* --in FILE.npy */
    int num_inputs;
    const char *shape;       /* --shape A:B:... */
    const char *strides;     /* --strides per input, ':'-separated */
    const char *offsets;     /* --offsets: byte offset per input, ':'-separated */
    const char *out_strides; /* --out-strides */
    uint64_t out_offset;     /* --out-offset bytes */
    int inplace;             /* --inplace: the output aliases input 0 */
    const char *family;      /* --family NAME */
    int full;                /* --full */
    int list_families;       /* --list-families */
    uint64_t seed;           /* --seed N */
    int seed_given;
    const char *outs[RUN_MAX_OUTS]; /* --out FILE.npy */
    int num_outs;
    const char *out_ref;     /* --out-ref FILE.npy: the --compare device's output */
    const char *save_inputs; /* --save-inputs PREFIX: PREFIX0.npy, ... */
    int bf16_as_f32;         /* --bf16-as f32 (else bits: uint16) */
    int time_n;              /* --time N */
    int warmup;              /* --warmup N */
    int quiet;               /* --quiet */
    int verbose;             /* --verbose */
} run_options;

/* ---- run_attrs.c ---------------------------------------------------------------------------- */

/* Which attributes were set explicitly (the others take defaults or follow the inputs). */
typedef struct run_attr_flags {
    int has_bias, has_weight, stride;
} run_attr_flags;

/* Sets the op's attribute defaults in c->attrs. @return 1 when the op has attributes. */
int run_attrs_default(mlbc_case *c);
/*
 * Applies every --attr of `o` to c->attrs (rank: of the first input, for axes lists; -1 when
 * unknown). @return 0 or -1 with err.
 */
int run_attrs_parse(const run_options *o, mlbc_case *c, run_attr_flags *set, char *err);
/* One line describing c->attrs as --attr options ("" for ops without attributes). */
void run_attrs_describe(const mlbc_case *c, char *buf, size_t cap);

/* ---- run_case.c ----------------------------------------------------------------------------- */

/* Builds the case from the options. @return an exit status (RUN_EXIT_OK on success). */
int run_case_build(const run_options *o, mlbc_case *c, char *err);
/* Parses "4x128x256" into shape; "" or "_" is rank 0. @return rank, or -1 with err. */
int run_parse_dims(const char *s, size_t len, int64_t *dims, int allow_t, char *err);
/* "[4,128,256]" for messages. */
void run_dims_text(const int64_t *d, int32_t rank, char *buf, size_t cap);
/* "f32 [4,128,256] strides [..] offset N" for messages. */
void run_tensor_text(const mlb_tensor_desc *t, char *buf, size_t cap);

/* ---- run_shapes.c --------------------------------------------------------------------------- */

/* The op's output shape from c's inputs and attributes; sets c->accum_len. 0 or -1 with err. */
int run_infer_output(mlbc_case *c, int64_t *out, int32_t *rank, char *err);

/* ---- run_io.c ------------------------------------------------------------------------------- */

/*
 * Copies the logical elements of tensor t (in an image whose byte 0 is the buffer start) into a
 * dense C-order array; bf16 becomes f32 when bf16_as_f32, else uint16 bit patterns.
 */
int run_tensor_to_npy(const mlb_tensor_desc *t, const unsigned char *image, int bf16_as_f32,
                      npy_array *a, char *err);
/*
 * Writes the elements of `a` (dense, C order, same shape as t) into the image at t's positions,
 * converting f32 -> bf16 (round to nearest even) when t is bf16 and `a` is f32.
 */
void run_npy_to_tensor(const npy_array *a, const mlb_tensor_desc *t, unsigned char *image);
/* Writes tensor t of `image` to path. @return 0 or -1 with err. */
int run_save_tensor(const char *path, const mlb_tensor_desc *t, const unsigned char *image,
                    int bf16_as_f32, char *err);
/* Prints "name: dtype [shape]: min .. max .., first values" to stdout. */
void run_print_summary(const char *name, const mlb_tensor_desc *t, const unsigned char *image);

/* ---- run_device.c --------------------------------------------------------------------------- */

/* Bytes of guard before and after every tensor in its buffer (as mlb-conformance). */
#define RUN_GUARD_BYTES 64

/* The case's buffers as uploaded: each tensor between guards, byte_offset moved past them. */
typedef struct run_placed {
    mlb_tensor_desc in[MLBC_MAX_INPUTS];
    mlb_tensor_desc out;
    const mlb_tensor_desc *in_ptrs[MLBC_MAX_INPUTS];
    const mlb_tensor_desc *out_ptr;
    mlb_op_desc desc;
    unsigned char *in_images[MLBC_MAX_INPUTS];
    size_t in_sizes[MLBC_MAX_INPUTS];
    unsigned char *out_before; /* the output buffer as uploaded: guards, 0xff elements */
    size_t out_size;
    int32_t inplace_input;
} run_placed;

int run_place(const mlbc_case *c, run_placed *p, char *err);
void run_placed_free(run_placed *p);

/* One device's objects for the case, kept for --time. */
typedef struct run_device {
    mlb_device device;
    mlb_kernel kernel;
    mlb_stream stream;
    mlb_buffer in[MLBC_MAX_INPUTS];
    mlb_buffer out;
    unsigned char *result; /* the output buffer after the first launch (out_size bytes) */
} run_device;

/*
 * Checks support, creates the kernel, uploads, launches once and reads the output back.
 * @return an exit status; err says what failed.
 */
int run_on_device(mlb_device device, const run_placed *p, run_device *d, char *err);
void run_device_release(run_device *d);
/* --time: `warmup` launches, then n timed ones; prints the figures. @return an exit status. */
int run_time(run_device *d, const run_placed *p, const mlbc_case *c, int n, int warmup, char *err);

/* ---- run_compare.c -------------------------------------------------------------------------- */

/*
 * Compares output tensor t in got/expected images, checks got's guard bytes against
 * `before`, prints the figures and the first mismatches. bitwise: same device twice.
 * @return RUN_EXIT_OK or RUN_EXIT_MISMATCH.
 */
int run_compare(int32_t op, const mlb_tensor_desc *t, const unsigned char *before,
                const unsigned char *got, const unsigned char *expected, size_t size,
                uint64_t accum_len, int bitwise, int quiet);
/*
 * Counts bytes of `after` outside t's elements that differ from `before` and prints a line
 * (prefixed by `who`) when some do. @return the count.
 */
uint64_t run_check_guards(const mlb_tensor_desc *t, const unsigned char *before,
                          const unsigned char *after, size_t size, const char *who);

#endif /* MLB_TOOLS_MLB_RUN_H */
