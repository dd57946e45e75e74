/*
 * onednn_bench.c - the oneDNN kernel layer (plugins/onednn/onednn_kernels.h)
 * against the same oneDNN primitives called directly through the oneDNN C
 * API, in one process, on the same buffers.
 *
 *   matmul 1024^3 f32 and bf16, matmul 4096^3 f32,
 *   batched matmul 32 x (128x64 . 64x128) f32,
 *   conv2d 1x64x56x56, 3x3 -> 64, pad 1, NCHW, f32 and bf16,
 *   add of 1024 f32.
 *
 * "direct" builds what the kernel layer builds, by hand: the same primitive
 * descriptors (for conv2d, oneDNN's chosen blocked layouts with the reorders
 * from and to NCHW, as the kernel layer does; the conv-only time is printed
 * too), memory objects created once, one stream, execute + stream_wait per
 * run. Rounds alternate A/B (which side runs first flips each round); each
 * side's time per run is the median over rounds. Printed per case:
 *   <case>: ours=<GFLOP/s> direct=<GFLOP/s> ratio=<ours/direct> [cpu_ref=<GFLOP/s>]
 * cpu_ref (one single-threaded run, double accumulation) is timed for the
 * small problems; it is skipped for 4096^3 (it would take tens of minutes).
 * Usage: onednn_bench [--no-cpuref]. Not run by make check. Threads: OpenMP,
 * OMP_NUM_THREADS as set by the caller (all cores by default).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <dnnl.h>
#include <dnnl_debug.h>

#include "dtype.h"
#include "onednn_kernels.h"
#include "ops.h"

#define ROUNDS 11

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b) {
    const double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v, int n) {
    qsort(v, (size_t)n, sizeof(*v), cmp_double);
    return v[n / 2];
}

#define DNNL_CHECK(x)                                                                              \
    do {                                                                                           \
        dnnl_status_t s_ = (x);                                                                    \
        if (s_ != dnnl_success) {                                                                  \
            fprintf(stderr, "%s:%d: %s: %s\n", __FILE__, __LINE__, #x, dnnl_status2str(s_));       \
            exit(1);                                                                               \
        }                                                                                          \
    } while (0)

static dnnl_engine_t engine;
static dnnl_stream_t stream;

/* ---- the direct side: a list of primitives with their arguments ------------------------------ */

typedef struct direct {
    int n;
    dnnl_primitive_t prim[4];
    int nargs[4];
    dnnl_exec_arg_t args[4][4];
} direct;

static void direct_add(direct *d, const_dnnl_op_desc_t od, const_dnnl_primitive_desc_t rpd,
                       int nargs, const int *argk, const dnnl_memory_t *mems) {
    dnnl_primitive_desc_t pd;
    if (rpd) {
        pd = (dnnl_primitive_desc_t)rpd;
    } else {
        DNNL_CHECK(dnnl_primitive_desc_create(&pd, od, NULL, engine, NULL));
    }
    DNNL_CHECK(dnnl_primitive_create(&d->prim[d->n], pd));
    dnnl_primitive_desc_destroy(pd);
    d->nargs[d->n] = nargs;
    for (int i = 0; i < nargs; ++i) {
        d->args[d->n][i].arg = argk[i];
        d->args[d->n][i].memory = mems[i];
    }
    ++d->n;
}

static void direct_reorder(direct *d, dnnl_memory_t from, dnnl_memory_t to) {
    const dnnl_memory_desc_t *a, *b;
    dnnl_memory_get_memory_desc(from, &a);
    dnnl_memory_get_memory_desc(to, &b);
    dnnl_primitive_desc_t pd;
    DNNL_CHECK(dnnl_reorder_primitive_desc_create(&pd, a, engine, b, engine, NULL));
    const int argk[2] = {DNNL_ARG_FROM, DNNL_ARG_TO};
    const dnnl_memory_t mems[2] = {from, to};
    direct_add(d, NULL, pd, 2, argk, mems);
}

static void direct_run(const direct *d, int from, int to) {
    for (int i = from; i < to; ++i) {
        DNNL_CHECK(dnnl_primitive_execute(d->prim[i], stream, d->nargs[i], d->args[i]));
    }
    DNNL_CHECK(dnnl_stream_wait(stream));
}

static void direct_free(direct *d) {
    for (int i = 0; i < d->n; ++i) {
        dnnl_primitive_destroy(d->prim[i]);
    }
}

static dnnl_memory_t mem(const dnnl_memory_desc_t *md, void *p) {
    dnnl_memory_t m;
    DNNL_CHECK(dnnl_memory_create(&m, md, engine, p ? p : DNNL_MEMORY_ALLOCATE));
    return m;
}

/* dnnl_memory_desc_init_by_tag from a dims array of any length (it reads DNNL_MAX_NDIMS). */
static void md_tag(dnnl_memory_desc_t *md, int rank, const int64_t *dims, dnnl_data_type_t dt,
                   dnnl_format_tag_t tag) {
    dnnl_dims_t d = {0};
    memcpy(d, dims, sizeof(int64_t) * (size_t)rank);
    DNNL_CHECK(dnnl_memory_desc_init_by_tag(md, rank, d, dt, tag));
}

/* ---- tensors and buffers ------------------------------------------------------------------- */

static mlb_tensor_desc tensor(int32_t dt, int rank, const int64_t *shape) {
    mlb_tensor_desc t;
    memset(&t, 0, sizeof(t));
    t.struct_size = MLB_STRUCT_SIZE(mlb_tensor_desc, byte_offset);
    t.dtype = dt, t.rank = rank;
    int64_t s = 1;
    for (int k = rank - 1; k >= 0; --k) {
        t.shape[k] = shape[k], t.strides[k] = s;
        s *= shape[k];
    }
    return t;
}

static size_t bytes(const mlb_tensor_desc *t) {
    size_t n = cpuref_dtype_size(t->dtype);
    for (int k = 0; k < t->rank; ++k) {
        n *= (size_t)t->shape[k];
    }
    return n;
}

static uint8_t *filled(const mlb_tensor_desc *t) {
    const size_t n = bytes(t), es = cpuref_dtype_size(t->dtype);
    uint8_t *p = aligned_alloc(64, (n + 63) & ~(size_t)63);
    uint32_t x = 12345;
    for (size_t i = 0; i < n; i += es) {
        x = x * 1664525u + 1013904223u;
        cpuref_store_f64(t->dtype, p + i, (double)((int)(x >> 28) - 8) / 8.0);
    }
    return p;
}

/* ---- one case ------------------------------------------------------------------------------ */

typedef struct bcase {
    const char *name;
    double flops;
    mlb_op_desc desc;
    uint8_t *in[3], *out[1];
    direct d;
    int conv_from, conv_to; /* the conv step alone, for the extra conv-only figure */
    int iters;              /* runs per timing sample */
    int cpuref;             /* time cpu_ref too */
} bcase;

static void measure(bcase *c) {
    char why[256];
    onednn_kernel *k;
    if (onednn_kernel_create(&c->desc, &k, why, sizeof(why)) != MLB_OK) {
        printf("%s: kernel_create failed: %s\n", c->name, why);
        return;
    }
    double ours[ROUNDS], dir[ROUNDS], conv_only[ROUNDS];
    /* Warm up both (first runs pay page faults and JIT caches). */
    for (int i = 0; i < 2; ++i) {
        onednn_kernel_run(k, c->in, c->out, why, sizeof(why));
        direct_run(&c->d, 0, c->d.n);
    }
    for (int r = 0; r < ROUNDS; ++r) {
        for (int side = 0; side < 2; ++side) {
            const int run_ours = (side == 0) == (r % 2 == 0);
            const double t0 = now_s();
            for (int i = 0; i < c->iters; ++i) {
                if (run_ours) {
                    onednn_kernel_run(k, c->in, c->out, why, sizeof(why));
                } else {
                    direct_run(&c->d, 0, c->d.n);
                }
            }
            (run_ours ? ours : dir)[r] = (now_s() - t0) / c->iters;
        }
        if (c->conv_to > c->conv_from) {
            const double t0 = now_s();
            for (int i = 0; i < c->iters; ++i) {
                direct_run(&c->d, c->conv_from, c->conv_to);
            }
            conv_only[r] = (now_s() - t0) / c->iters;
        }
    }
    const double to = median(ours, ROUNDS), td = median(dir, ROUNDS);
    printf("%s: ours=%.1f direct=%.1f GFLOP/s ratio=%.3f (%.3g us vs %.3g us per run)", c->name,
           c->flops / to * 1e-9, c->flops / td * 1e-9, td / to, to * 1e6, td * 1e6);
    if (c->conv_to > c->conv_from) {
        printf(" conv-only=%.1f", c->flops / median(conv_only, ROUNDS) * 1e-9);
    }
    if (c->cpuref) {
        const cpuref_op *op = cpuref_find_op(c->desc.op);
        uint8_t *ref_out[1] = {c->out[0]};
        const double t0 = now_s();
        op->run(&c->desc, c->in, ref_out, why, sizeof(why));
        printf(" cpu_ref=%.3f", c->flops / (now_s() - t0) * 1e-9);
    } else {
        printf(" cpu_ref=skipped");
    }
    printf("  [%s]\n", onednn_kernel_impl(k));
    fflush(stdout);
    onednn_kernel_destroy(k);
}

static void bench_matmul(const char *name, int32_t dt, int64_t batch, int64_t m, int64_t kk,
                         int64_t n, int iters, int cpuref) {
    const int rank = batch > 1 ? 3 : 2;
    const int64_t sa[3] = {batch, m, kk}, sb[3] = {batch, kk, n}, sy[3] = {batch, m, n};
    const int o = rank == 3 ? 0 : 1;
    mlb_tensor_desc a = tensor(dt, rank, sa + o), b = tensor(dt, rank, sb + o),
                    y = tensor(dt, rank, sy + o);
    static mlb_matmul_attrs at = {MLB_STRUCT_SIZE(mlb_matmul_attrs, epilogue), {0, MLB_OP_NONE}};
    const mlb_tensor_desc *ins[2] = {&a, &b}, *outs[1] = {&y};
    bcase c;
    memset(&c, 0, sizeof(c));
    c.name = name, c.flops = 2.0 * (double)(batch * m * kk * n), c.iters = iters;
    c.cpuref = cpuref;
    c.desc =
        (mlb_op_desc){MLB_STRUCT_SIZE(mlb_op_desc, attrs), MLB_OP_MATMUL, 2, 1, 0, ins, outs, &at};
    c.in[0] = filled(&a), c.in[1] = filled(&b), c.out[0] = filled(&y);
    /* Direct: the same matmul on plain row-major memory. */
    const dnnl_data_type_t ddt = dt == MLB_DTYPE_BF16 ? dnnl_bf16 : dnnl_f32;
    dnnl_memory_desc_t ma, mb, my;
    const dnnl_format_tag_t tag = rank == 3 ? dnnl_abc : dnnl_ab;
    md_tag(&ma, rank, sa + o, ddt, tag);
    md_tag(&mb, rank, sb + o, ddt, tag);
    md_tag(&my, rank, sy + o, ddt, tag);
    dnnl_matmul_desc_t md;
    DNNL_CHECK(dnnl_matmul_desc_init(&md, &ma, &mb, NULL, &my));
    const int argk[3] = {DNNL_ARG_SRC, DNNL_ARG_WEIGHTS, DNNL_ARG_DST};
    const dnnl_memory_t mems[3] = {mem(&ma, c.in[0]), mem(&mb, c.in[1]), mem(&my, c.out[0])};
    direct_add(&c.d, &md, NULL, 3, argk, mems);
    measure(&c);
    direct_free(&c.d);
    for (int i = 0; i < 3; ++i) {
        dnnl_memory_destroy(mems[i]);
    }
    free(c.in[0]), free(c.in[1]), free(c.out[0]);
}

static void bench_conv(const char *name, int32_t dt, int iters, int cpuref) {
    const int64_t n = 1, ic = 64, h = 56, w = 56, oc = 64;
    const int64_t xs[4] = {n, ic, h, w}, ws[4] = {oc, ic, 3, 3}, ys[4] = {n, oc, h, w};
    mlb_tensor_desc x = tensor(dt, 4, xs), wt = tensor(dt, 4, ws), y = tensor(dt, 4, ys);
    static mlb_conv2d_attrs at;
    memset(&at, 0, sizeof(at));
    at.struct_size = MLB_STRUCT_SIZE(mlb_conv2d_attrs, epilogue);
    at.layout = MLB_LAYOUT_NCHW, at.groups = 1;
    at.stride[0] = at.stride[1] = 1, at.dilation[0] = at.dilation[1] = 1;
    at.padding[0] = at.padding[1] = at.padding[2] = at.padding[3] = 1;
    const mlb_tensor_desc *ins[2] = {&x, &wt}, *outs[1] = {&y};
    bcase c;
    memset(&c, 0, sizeof(c));
    c.name = name, c.flops = 2.0 * (double)(n * oc * h * w * ic * 9), c.iters = iters;
    c.cpuref = cpuref;
    c.desc =
        (mlb_op_desc){MLB_STRUCT_SIZE(mlb_op_desc, attrs), MLB_OP_CONV2D, 2, 1, 0, ins, outs, &at};
    c.in[0] = filled(&x), c.in[1] = filled(&wt), c.out[0] = filled(&y);
    /* Direct: conv with format_tag any, reorders from/to the plain NCHW/OIHW buffers. */
    const dnnl_data_type_t ddt = dt == MLB_DTYPE_BF16 ? dnnl_bf16 : dnnl_f32;
    dnnl_memory_desc_t ux, uw, uy, ax, aw, ay;
    md_tag(&ux, 4, xs, ddt, dnnl_nchw);
    md_tag(&uw, 4, ws, ddt, dnnl_oihw);
    md_tag(&uy, 4, ys, ddt, dnnl_nchw);
    md_tag(&ax, 4, xs, ddt, dnnl_format_tag_any);
    md_tag(&aw, 4, ws, ddt, dnnl_format_tag_any);
    md_tag(&ay, 4, ys, ddt, dnnl_format_tag_any);
    const dnnl_dims_t st = {1, 1}, dil = {0, 0}, pad = {1, 1};
    dnnl_convolution_desc_t cd;
    DNNL_CHECK(dnnl_dilated_convolution_forward_desc_init(&cd, dnnl_forward_inference,
                                                          dnnl_convolution_direct, &ax, &aw, NULL,
                                                          &ay, st, dil, pad, pad));
    dnnl_primitive_desc_t cpd;
    DNNL_CHECK(dnnl_primitive_desc_create(&cpd, &cd, NULL, engine, NULL));
    dnnl_memory_t mx = mem(&ux, c.in[0]), mw = mem(&uw, c.in[1]), my = mem(&uy, c.out[0]);
    dnnl_memory_t bx = mem(dnnl_primitive_desc_query_md(cpd, dnnl_query_src_md, 0), NULL);
    dnnl_memory_t bw = mem(dnnl_primitive_desc_query_md(cpd, dnnl_query_weights_md, 0), NULL);
    dnnl_memory_t by = mem(dnnl_primitive_desc_query_md(cpd, dnnl_query_dst_md, 0), NULL);
    direct_reorder(&c.d, mx, bx);
    direct_reorder(&c.d, mw, bw);
    const int argk[3] = {DNNL_ARG_SRC, DNNL_ARG_WEIGHTS, DNNL_ARG_DST};
    const dnnl_memory_t mems[3] = {bx, bw, by};
    c.conv_from = c.d.n;
    direct_add(&c.d, NULL, cpd, 3, argk, mems);
    c.conv_to = c.d.n;
    direct_reorder(&c.d, by, my);
    measure(&c);
    direct_free(&c.d);
    dnnl_memory_t all[6] = {mx, mw, my, bx, bw, by};
    for (int i = 0; i < 6; ++i) {
        dnnl_memory_destroy(all[i]);
    }
    free(c.in[0]), free(c.in[1]), free(c.out[0]);
}

static void bench_add(int iters, int cpuref) {
    const int64_t s[1] = {1024};
    mlb_tensor_desc a = tensor(MLB_DTYPE_F32, 1, s);
    const mlb_tensor_desc *ins[2] = {&a, &a}, *outs[1] = {&a};
    bcase c;
    memset(&c, 0, sizeof(c));
    c.name = "add 1024 f32", c.flops = 1024.0, c.iters = iters, c.cpuref = cpuref;
    c.desc =
        (mlb_op_desc){MLB_STRUCT_SIZE(mlb_op_desc, attrs), MLB_OP_ADD, 2, 1, 0, ins, outs, NULL};
    c.in[0] = filled(&a), c.in[1] = filled(&a), c.out[0] = filled(&a);
    dnnl_memory_desc_t md;
    md_tag(&md, 1, s, dnnl_f32, dnnl_a);
    dnnl_binary_desc_t bd;
    DNNL_CHECK(dnnl_binary_desc_init(&bd, dnnl_binary_add, &md, &md, &md));
    const int argk[3] = {DNNL_ARG_SRC_0, DNNL_ARG_SRC_1, DNNL_ARG_DST};
    const dnnl_memory_t mems[3] = {mem(&md, c.in[0]), mem(&md, c.in[1]), mem(&md, c.out[0])};
    direct_add(&c.d, &bd, NULL, 3, argk, mems);
    measure(&c);
    direct_free(&c.d);
    for (int i = 0; i < 3; ++i) {
        dnnl_memory_destroy(mems[i]);
    }
    free(c.in[0]), free(c.in[1]), free(c.out[0]);
}

/* What a per-run stream would cost against the thread's cached one (the design choice). */
static void bench_streams(void) {
    const int n = 2000;
    double t0 = now_s();
    for (int i = 0; i < n; ++i) {
        dnnl_stream_t s;
        DNNL_CHECK(dnnl_stream_create(&s, engine, dnnl_stream_default_flags));
        dnnl_stream_destroy(s);
    }
    const double create = (now_s() - t0) / n;
    char why[128];
    dnnl_stream_t s;
    t0 = now_s();
    for (int i = 0; i < n * 100; ++i) {
        onednn_thread_stream(&s, why, sizeof(why));
    }
    const double cached = (now_s() - t0) / (n * 100);
    printf("streams: create+destroy per run %.2f us, thread-local lookup %.1f ns\n", create * 1e6,
           cached * 1e9);
}

int main(int argc, char **argv) {
    const int cpuref = !(argc > 1 && strcmp(argv[1], "--no-cpuref") == 0);
    char why[256];
    if (onednn_engine_get(&engine, why, sizeof(why)) != MLB_OK) {
        fprintf(stderr, "%s\n", why);
        return 1;
    }
    DNNL_CHECK(dnnl_stream_create(&stream, engine, dnnl_stream_default_flags));
    bench_streams();
    bench_matmul("matmul 1024^3 f32", MLB_DTYPE_F32, 1, 1024, 1024, 1024, 4, cpuref);
    bench_matmul("matmul 1024^3 bf16", MLB_DTYPE_BF16, 1, 1024, 1024, 1024, 8, cpuref);
    bench_matmul("matmul 4096^3 f32", MLB_DTYPE_F32, 1, 4096, 4096, 4096, 1, 0);
    bench_matmul("batched matmul 32x(128x64.64x128) f32", MLB_DTYPE_F32, 32, 128, 64, 128, 20,
                 cpuref);
    bench_conv("conv2d 1x64x56x56 3x3->64 p1 NCHW f32", MLB_DTYPE_F32, 10, cpuref);
    bench_conv("conv2d 1x64x56x56 3x3->64 p1 NCHW bf16", MLB_DTYPE_BF16, 10, cpuref);
    bench_add(2000, cpuref);
    dnnl_stream_destroy(stream);
    return 0;
}
