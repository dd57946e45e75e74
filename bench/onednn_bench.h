/*
 * onednn_bench.h - the parts of bench/onednn_bench (see onednn_bench.c for
 * what it measures): a case (one op and its input data), the direct side
 * (oneDNN primitives called by hand), the loader side (libmlb and a plugin)
 * and the FMA peak probe. Every function that can fail prints why on stderr
 * and returns -1 (or NULL); 0 (or an object) otherwise.
 */
#ifndef ONEDNN_BENCH_H
#define ONEDNN_BENCH_H

#include <stddef.h>

#include "mlb.h"

/* ---- cases (onednn_bench_case.c) ----------------------------------------------------------- */

/** One problem: its op descriptor, input data in the tensors' dtype, its work. */
typedef struct bench_case {
    char name[64];
    double flops;         /**< floating-point operations of one run */
    int rounds;           /**< timing rounds per trial (each times every side once) */
    int trials;           /**< fresh sides built per trial; > 1 also times an A/A control */
    int large;            /**< too big for single-threaded cpu_ref */
    int show_us;          /**< print time per run too (launch overhead dominates) */
    int threads;          /**< OpenMP threads for this case; 0: the caller's setting */
    mlb_tensor_desc t[3]; /**< input 0, input 1, output */
    const mlb_tensor_desc *ins[2], *outs[1];
    mlb_matmul_attrs mm;
    mlb_conv2d_attrs conv;
    mlb_op_desc desc;
    void *data[2];   /**< the inputs' bytes, 64-byte aligned */
    size_t bytes[3]; /**< bytes of t[0], t[1], t[2] */
} bench_case;

/** a[batch, m, k] . b[batch, k, n] (rank 2 when batch is 0). */
int case_matmul(bench_case *c, const char *name, int dtype, long batch, long m, long k, long n);
/** conv2d NCHW x[n, ic, h, w], w[oc, ic, kh, kw], stride 1, "same" zero padding. */
int case_conv2d(bench_case *c, const char *name, int dtype, long n, long ic, long h, long w,
                long oc, long kh);
/** a + b of `len` elements. */
int case_add(bench_case *c, const char *name, int dtype, long len);
void case_free(bench_case *c);

/**
 * Compares an output (bytes of c->t[2]) with the direct side's; prints the
 * first mismatch as "<case>: <who> differs from direct at ...".
 * @return 0 when every element is within tolerance (NaN never is).
 */
int case_compare(const bench_case *c, const char *who, const void *got, const void *want);

/* ---- the direct side (onednn_bench_direct.c) ----------------------------------------------- */

typedef struct direct_side direct_side;

/** Creates the process's oneDNN CPU engine and stream. */
int direct_init(void);
void direct_fini(void);
/** Builds the case's primitives on host copies of its inputs (same layouts as the plugin). */
direct_side *direct_create(const bench_case *c);
/** One run: every step executed, then the stream waited for. */
int direct_run(direct_side *d);
/** The output buffer (plain layout, c->bytes[2]). */
void *direct_output(direct_side *d);
/** The steps and their oneDNN implementations, e.g. "reorder(jit:uni) conv(brgconv:...)". */
const char *direct_impl(const direct_side *d);
void direct_destroy(direct_side *d);

/* ---- the loader side (onednn_bench_loader.c) ----------------------------------------------- */

typedef struct loader_side loader_side;

/** A context that loads `plugin` and `reference` (the same file may be given twice). */
mlb_context loader_open(const char *plugin, const char *reference);
/** Device 0 of the plugin loaded from `path`; prints the plugin's reason when it was not. */
mlb_device loader_device(mlb_context ctx, const char *path);
/** A stream, buffers holding the uploaded inputs, and the case's kernel on `dev`. */
loader_side *loader_create(mlb_device dev, const bench_case *c);
/** One run as a framework pays it: mlb_kernel_launch + mlb_stream_synchronize. */
int loader_run(loader_side *l);
/**
 * Fills the output buffer with 0xFF bytes (NaN), runs once (the launch and
 * synchronize take *seconds), downloads the output into host_out.
 */
int loader_check_run(loader_side *l, void *host_out, double *seconds);
void loader_destroy(loader_side *l);

/* ---- the kernel-layer side (onednn_bench_layer.c; onednn_layers only) ---------------------- */

typedef struct layer_side layer_side;

/** The case's kernel from the plugin's kernel layer, linked in, on host copies of its inputs. */
layer_side *layer_create(const bench_case *c);
/** One run: onednn_kernel_run_exact (an input it would decline is an error). */
int layer_run(layer_side *l);
/** The output buffer (c->bytes[2]). */
void *layer_output(layer_side *l);
void layer_destroy(layer_side *l);

/* ---- the plugin-table side (onednn_bench_table.c; onednn_layers only) ---------------------- */

typedef struct table_side table_side;

/** The plugin at `path` through its function table, without libmlb: init, device 0, a
 * stream, buffers holding the uploaded inputs, the case's kernel. */
table_side *table_create(const char *path, const bench_case *c);
/** One run: the table's kernel_launch + stream_synchronize. */
int table_run(table_side *t);
/** Fills the output with 0xFF bytes (NaN), runs once, downloads the output into host_out. */
int table_check_run(table_side *t, void *host_out);
void table_destroy(table_side *t);

/* ---- FMA peak (fma_peak.c) ----------------------------------------------------------------- */

/** This machine's FP32 FMA peak, measured on every OpenMP thread. */
typedef struct fma_peak {
    double gflops;
    const char *isa; /**< "avx512f" or "avx2" */
    int threads;
} fma_peak;

/** Measures the peak; -1 when the CPU has neither AVX-512F nor AVX2+FMA. */
int fma_peak_measure(fma_peak *p);

/* ---- shared helpers (onednn_bench_case.c) -------------------------------------------------- */

double bench_now_s(void);
double bench_median(double *v, int n);

#endif /* ONEDNN_BENCH_H */
