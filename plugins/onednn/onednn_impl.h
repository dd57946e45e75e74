/*
 * onednn_impl.h - internals of the oneDNN kernel layer.
 *
 * A kernel is a small plan: memory *slots* (the user's input and output
 * tensors, and regions of a kernel-owned scratch block) and *steps* run in
 * order (a oneDNN primitive over some slots, or a host fill). Op families
 * (matmul.c, conv2d.c, ...) build plans with the plan_* helpers of plan.c;
 * dispatch.c routes descriptors to families; md.c maps tensor descriptors to
 * oneDNN memory descriptors.
 */
#ifndef ONEDNN_IMPL_H
#define ONEDNN_IMPL_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include <dnnl.h>

#include "onednn_kernels.h"
#include "op_util.h"

#define ONEDNN_MAX_SLOTS 24
#define ONEDNN_MAX_STEPS 12
#define ONEDNN_MAX_ARGS 8
#define ONEDNN_IMPL_LEN 256
#define ONEDNN_MAX_IO 16 /* inputs or outputs of an op (the ABI's limit) */

/* Where a slot's memory lives. */
enum onednn_slot_kind { ONEDNN_SLOT_INPUT, ONEDNN_SLOT_OUTPUT, ONEDNN_SLOT_SCRATCH };
/* What a step does. */
enum onednn_step_kind { ONEDNN_STEP_PRIMITIVE, ONEDNN_STEP_FILL };

typedef struct onednn_slot {
    int kind;        /* enum onednn_slot_kind */
    uint32_t index;  /* tensor index (INPUT/OUTPUT) */
    uint64_t offset; /* byte_offset of the tensor, or offset into the scratch block */
    dnnl_memory_desc_t md;
} onednn_slot;

typedef struct onednn_step {
    int kind;                   /* enum onednn_step_kind */
    dnnl_primitive_t prim;      /* PRIMITIVE */
    int nargs;                  /* PRIMITIVE: arguments */
    int args[ONEDNN_MAX_ARGS];  /* DNNL_ARG_* */
    int slots[ONEDNN_MAX_ARGS]; /* the slot bound to each argument */
    double fill_value;          /* FILL: every element of slots[0] (a user output) gets this */
    const mlb_tensor_desc *fill_tensor;    /* FILL: the output tensor (points into the kernel) */
    dnnl_exec_arg_t exec[ONEDNN_MAX_ARGS]; /* PRIMITIVE: args and slots as oneDNN takes them, on
                                            * the kernel's cached memory objects (plan_finish) */
} onednn_step;

/* A user slot as a run binds it: slot `slot` holds input/output `index` + `offset` bytes. */
typedef struct onednn_bind {
    int slot;
    int output;      /* 0: an input tensor, 1: an output tensor */
    uint32_t index;  /* the tensor */
    uint64_t offset; /* its byte_offset */
} onednn_bind;

/* Input values a kernel's oneDNN plan does not compute as docs/ops.md says (guard.c). */
enum onednn_guard {
    ONEDNN_GUARD_NONFINITE = 1, /* NaN, +Inf, -Inf */
    ONEDNN_GUARD_SUBNORMAL = 2, /* nonzero values below the dtype's smallest normal */
    ONEDNN_GUARD_PRODUCT = 4    /* matmul/conv2d epilogue: inputs 0 and 1 are factors, input 2
                                 * (when guarded) the bias; the run is exact when all are finite
                                 * and max|a|·max|b|·guard_k + max|bias| <= 2^125 (FLT_MAX/8),
                                 * so no pre-activation value can be NaN or Inf */
};

struct onednn_kernel {
    /* What every run reads, first and together (a launch is a few cache lines). */
    atomic_flag busy;                     /* set while a run uses mems and scratch */
    int empty;                            /* the output has no element: runs do nothing */
    int serial;                           /* runs on the calling thread alone (onednn_serial) */
    int guard;                            /* enum onednn_guard bits; 0: every value runs exactly */
    uint32_t nguarded;                    /* inputs 0 .. nguarded-1 are scanned before a run */
    int nbinds, nsteps;                   /* user slots; steps */
    dnnl_stream_t stream;                 /* the stream of runs that hold `busy` */
    uint32_t ninputs, noutputs;           /* the op's tensors */
    int last_valid;                       /* last holds the buffers the cached objects are on */
    uint8_t *last[2 * ONEDNN_MAX_IO];     /* inputs, then outputs (at ONEDNN_MAX_IO) */
    onednn_bind binds[ONEDNN_MAX_SLOTS];  /* the user slots (plan_finish) */
    void *bound[ONEDNN_MAX_SLOTS];        /* the address each cached user-slot object holds */
    dnnl_memory_t mems[ONEDNN_MAX_SLOTS]; /* cached, one per slot */
    onednn_step steps[ONEDNN_MAX_STEPS];

    /* What building the plan and the guard scans use. */
    int32_t op;
    mlb_tensor_desc guarded[3]; /* the guarded inputs' descriptors */
    int64_t guard_k;            /* PRODUCT: products summed per output element */
    mlb_tensor_desc outs[1];    /* copy of output 0, for FILL steps */
    int nslots, npending;
    onednn_slot slots[ONEDNN_MAX_SLOTS];
    int pending_from[4], pending_to[4]; /* output reorders appended after the main step */
    size_t scratch_size;
    uint8_t *scratch;
    char impl[ONEDNN_IMPL_LEN];
};

/* ---- engine.c ----------------------------------------------------------- */

/* Counts live kernels (+1 at create, -1 at destroy): the engine is not released under them. */
void onednn_kernel_count(int delta);

/* ---- md.c --------------------------------------------------------------- */

/* The oneDNN data type of an mlb dtype (bool as u8), or dnnl_data_type_undef. */
dnnl_data_type_t onednn_dt(int32_t dtype);
/* Number of elements of a tensor (1 for rank 0). */
int64_t onednn_numel(const mlb_tensor_desc *t);
/* 1 when some axis of extent > 1 has stride 0 (a broadcast written with strides). */
int onednn_has_zero_stride(const mlb_tensor_desc *t);

/* t seen with its axes in the order perm[0 .. t->rank - 1] (axis a of the result is axis
 * perm[a] of t): the same elements through permuted shape and strides. */
mlb_tensor_desc onednn_tensor_permuted(const mlb_tensor_desc *t, const int *perm);

/* Flags of onednn_md_tensor. */
enum {
    ONEDNN_MD_BCAST = 1 /* axes with stride 0 become extent 1 (the op broadcasts them itself) */
};

/*
 * A memory descriptor for tensor t seen with `rank` axes (>= t->rank; extra
 * leading axes of extent 1), data type dt, t's strides. Axes of extent 1 get
 * a canonical stride so oneDNN recognizes plain layouts. Rank 0 becomes [1].
 */
mlb_status onednn_md_tensor(dnnl_memory_desc_t *md, const mlb_tensor_desc *t, int rank,
                            dnnl_data_type_t dt, int flags, char *why, size_t why_len);
/* A dense row-major descriptor of the given dims. */
mlb_status onednn_md_dense(dnnl_memory_desc_t *md, int rank, const dnnl_dim_t *dims,
                           dnnl_data_type_t dt, char *why, size_t why_len);
/* A descriptor from explicit dims and strides (strides of extent-1 axes canonicalized). */
mlb_status onednn_md_strided(dnnl_memory_desc_t *md, int rank, const dnnl_dim_t *dims,
                             const dnnl_dim_t *strides, dnnl_data_type_t dt, char *why,
                             size_t why_len);

/* ---- plan.c ------------------------------------------------------------- */

/* The user's tensor (kind INPUT or OUTPUT) as a slot; returns the slot number or -1. */
int onednn_plan_user(onednn_kernel *k, int kind, uint32_t index, uint64_t byte_offset,
                     const dnnl_memory_desc_t *md);
/* A new scratch region for md; returns the slot number or -1. */
int onednn_plan_scratch(onednn_kernel *k, const dnnl_memory_desc_t *md);
/* Another view (md) of the memory of slot `of` (user tensor or scratch); the slot number or -1. */
int onednn_plan_alias(onednn_kernel *k, int of, const dnnl_memory_desc_t *md);

/* Creates a primitive descriptor (UNSUPPORTED with oneDNN's status when it has none). */
mlb_status onednn_pd_create(dnnl_primitive_desc_t *pd, const_dnnl_op_desc_t op_desc,
                            const_dnnl_primitive_attr_t attr, const char *what, char *why,
                            size_t why_len);
/* A copy of attr (or a new attr when NULL) with the user scratchpad mode: every primitive's
 * scratchpad is a region of its kernel's scratch block (onednn_plan_step binds it). */
mlb_status onednn_attr_user_scratchpad(const_dnnl_primitive_attr_t attr, dnnl_primitive_attr_t *out,
                                       char *why, size_t why_len);
/* The implementation name of a primitive descriptor ("jit:avx512_core", "ref:any", ...). */
const char *onednn_pd_impl(const_dnnl_primitive_desc_t pd);
/* 1 when that implementation is oneDNN's slow reference code. */
int onednn_pd_is_ref(const_dnnl_primitive_desc_t pd);
/* Destroys *pd and sets it to NULL when it is `ref:` (a candidate layout that is not faster). */
void onednn_pd_drop_ref(dnnl_primitive_desc_t *pd);
/* The descriptor the primitive wants for argument `arg` (DNNL_ARG_*). */
const dnnl_memory_desc_t *onednn_pd_md(const_dnnl_primitive_desc_t pd, int arg);

/*
 * Appends a primitive step made from pd (which this destroys, also on
 * failure): args[i] is bound to slots[i] (at most ONEDNN_MAX_ARGS - 1: the
 * primitive's scratchpad, if it has one, is bound here to a new scratch
 * region). `what` names it in the impl string.
 */
mlb_status onednn_plan_step(onednn_kernel *k, dnnl_primitive_desc_t pd, const char *what, int nargs,
                            const int *args, const int *slots, char *why, size_t why_len);
/* A primitive reading input 0 (DNNL_ARG_SRC, tensor x seen as xmd) and writing output 0
 * (DNNL_ARG_DST, y as ymd), with the reorders its layouts need: plan_input, plan_output and
 * plan_step in one (pd is destroyed on failure too). */
mlb_status onednn_plan_src_dst(onednn_kernel *k, dnnl_primitive_desc_t pd, const char *what,
                               const mlb_tensor_desc *x, const dnnl_memory_desc_t *xmd,
                               const mlb_tensor_desc *y, const dnnl_memory_desc_t *ymd, char *why,
                               size_t why_len);
/* Appends a reorder step from slot `from` to slot `to`. */
mlb_status onednn_plan_reorder(onednn_kernel *k, int from, int to, char *why, size_t why_len);
/* Appends a host step writing `value` into every element of output 0. */
mlb_status onednn_plan_fill(onednn_kernel *k, double value, char *why, size_t why_len);

/*
 * Input i as the primitive wants it (want): the user's slot when user_md
 * equals want, else a scratch slot filled by a reorder step appended now.
 */
mlb_status onednn_plan_input(onednn_kernel *k, uint32_t index, uint64_t byte_offset,
                             const dnnl_memory_desc_t *user_md, const dnnl_memory_desc_t *want,
                             int *slot, char *why, size_t why_len);
/*
 * Output i as the primitive wants it: the user's slot when equal, else a
 * scratch slot copied to the user's tensor by a reorder appended at the end.
 */
mlb_status onednn_plan_output(onednn_kernel *k, uint32_t index, uint64_t byte_offset,
                              const dnnl_memory_desc_t *user_md, const dnnl_memory_desc_t *want,
                              int *slot, char *why, size_t why_len);
/* Makes inputs 0 .. n-1 (n <= 3) of desc guarded by `guard` (enum onednn_guard): runs whose
 * inputs hold such a value are the caller's to compute (onednn_kernel_inputs_exact). */
void onednn_plan_guard(onednn_kernel *k, const mlb_op_desc *desc, uint32_t n, int guard);
/* A matmul/conv2d epilogue guard (ONEDNN_GUARD_PRODUCT) over inputs 0, 1 and, with has_bias, 2,
 * with `kacc` products summed per output element. */
void onednn_plan_guard_product(onednn_kernel *k, const mlb_op_desc *desc, int has_bias,
                               int64_t kacc);
/* Appends the pending output reorders, allocates scratch, creates memory objects. */
mlb_status onednn_plan_finish(onednn_kernel *k, char *why, size_t why_len);
/* Frees everything a plan holds (the kernel struct itself stays). */
void onednn_plan_release(onednn_kernel *k);

/* ---- families ----------------------------------------------------------- */

/* Each family: `supported` adds the declines of this layer to a descriptor cpu_ref accepted;
 * `build` fills a kernel's plan (only called after `supported` said MLB_OK). */
typedef mlb_status (*onednn_supported_fn)(const mlb_op_desc *desc, char *why, size_t why_len);
typedef mlb_status (*onednn_build_fn)(onednn_kernel *k, const mlb_op_desc *desc, char *why,
                                      size_t why_len);

mlb_status onednn_unary_supported(const mlb_op_desc *desc, char *why, size_t why_len);
mlb_status onednn_unary_build(onednn_kernel *k, const mlb_op_desc *desc, char *why, size_t why_len);
mlb_status onednn_binary_supported(const mlb_op_desc *desc, char *why, size_t why_len);
mlb_status onednn_binary_build(onednn_kernel *k, const mlb_op_desc *desc, char *why,
                               size_t why_len);
mlb_status onednn_cast_supported(const mlb_op_desc *desc, char *why, size_t why_len);
mlb_status onednn_copy_supported(const mlb_op_desc *desc, char *why, size_t why_len);
mlb_status onednn_reorder_build(onednn_kernel *k, const mlb_op_desc *desc, char *why,
                                size_t why_len);
mlb_status onednn_matmul_supported(const mlb_op_desc *desc, char *why, size_t why_len);
mlb_status onednn_matmul_build(onednn_kernel *k, const mlb_op_desc *desc, char *why,
                               size_t why_len);
mlb_status onednn_conv2d_supported(const mlb_op_desc *desc, char *why, size_t why_len);
mlb_status onednn_conv2d_build(onednn_kernel *k, const mlb_op_desc *desc, char *why,
                               size_t why_len);
mlb_status onednn_pool2d_supported(const mlb_op_desc *desc, char *why, size_t why_len);
mlb_status onednn_pool2d_build(onednn_kernel *k, const mlb_op_desc *desc, char *why,
                               size_t why_len);
mlb_status onednn_softmax_supported(const mlb_op_desc *desc, char *why, size_t why_len);
mlb_status onednn_softmax_build(onednn_kernel *k, const mlb_op_desc *desc, char *why,
                                size_t why_len);
mlb_status onednn_layer_norm_supported(const mlb_op_desc *desc, char *why, size_t why_len);
mlb_status onednn_layer_norm_build(onednn_kernel *k, const mlb_op_desc *desc, char *why,
                                   size_t why_len);
mlb_status onednn_reduction_supported(const mlb_op_desc *desc, char *why, size_t why_len);
mlb_status onednn_reduction_build(onednn_kernel *k, const mlb_op_desc *desc, char *why,
                                  size_t why_len);

/* ---- shared by families (eltwise.c, dispatch.c) ------------------------------------------- */

/* One oneDNN eltwise step: algorithm and its alpha, beta. */
typedef struct onednn_eltwise {
    dnnl_alg_kind_t alg;
    float alpha, beta;
} onednn_eltwise;

/*
 * The oneDNN eltwise chain (1 or 2 steps, in *count) computing unary op `op`
 * exactly enough for docs/ops.md on values of dtype `dtype`; `f32_between`
 * says the chain's intermediate stays in f32 (a post-op chain) rather than
 * being stored in dtype. `guard`: NULL when the input values cannot be
 * checked (a post-op sees the matmul/conv result), so ops exact only on
 * ordinary values are declined; else it receives the enum onednn_guard bits
 * the op needs (0 for none). UNSUPPORTED with the reason when there is none.
 */
mlb_status onednn_eltwise_chain(int32_t op, int32_t dtype, int f32_between, onednn_eltwise *chain,
                                int *count, int *guard, char *why, size_t why_len);
/* Post-ops for a matmul/conv2d epilogue activation (NULL attr for MLB_OP_NONE). *guarded
 * (may be NULL) is set to 1 when the activation is exact on finite pre-activations only (relu,
 * exp, gelu, gelu_tanh, silu): the kernel then needs onednn_plan_guard_product. */
mlb_status onednn_epilogue_attr(int32_t activation, int32_t dtype, dnnl_primitive_attr_t *attr,
                                int *guarded, char *why, size_t why_len);

/* Declines a dtype oneDNN has no kernels for here (f16, f64, i64), with the reason. */
mlb_status onednn_check_dtype_float(const mlb_op_desc *desc, int32_t dtype, char *why,
                                    size_t why_len);
/* printf into why (when non-NULL) and return status. */
mlb_status onednn_fail(mlb_status status, char *why, size_t why_len, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* A oneDNN status as MLB: unimplemented -> UNSUPPORTED, out_of_memory -> OUT_OF_MEMORY, else
 * INTERNAL; with "what: oneDNN says ...". */
mlb_status onednn_status(dnnl_status_t s, const char *what, char *why, size_t why_len)
    __attribute__((cold));

#endif /* ONEDNN_IMPL_H */
