/*
 * onednn_bench_case.c - the bench's problems as mlb op descriptors with
 * their input data, the output comparison, and timing helpers.
 *
 * Inputs are multiples of 1/8 in [-1, 0.875] (exact in bf16), so every
 * product is a multiple of 1/64 and the sums of these problems stay exact
 * in f32: implementations differ only by the final rounding to the output
 * dtype, and the tolerance below is loose on top of that.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "onednn_bench.h"

double bench_now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b) {
    const double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

double bench_median(double *v, int n) {
    qsort(v, (size_t)n, sizeof(*v), cmp_double);
    return v[n / 2];
}

static float load(int dtype, const void *p, size_t i) {
    if (dtype == MLB_DTYPE_BF16) {
        const uint32_t bits = (uint32_t)((const uint16_t *)p)[i] << 16;
        float f;
        memcpy(&f, &bits, sizeof(f));
        return f;
    }
    return ((const float *)p)[i];
}

/* Values that are exact in bf16: the top 16 bits of the f32 are the bf16. */
static void store(int dtype, void *p, size_t i, float f) {
    if (dtype == MLB_DTYPE_BF16) {
        uint32_t bits;
        memcpy(&bits, &f, sizeof(bits));
        ((uint16_t *)p)[i] = (uint16_t)(bits >> 16);
    } else {
        ((float *)p)[i] = f;
    }
}

/* Tensor `i` as a contiguous descriptor, its byte size, and (for inputs) its data. */
static int set_tensor(bench_case *c, int i, int dtype, int rank, const int64_t *shape) {
    uint64_t n;
    if (mlb_tensor_desc_contiguous(&c->t[i], dtype, rank, shape) != MLB_OK ||
        mlb_tensor_desc_extent(&c->t[i], &n) != MLB_OK) {
        fprintf(stderr, "%s: tensor %d: %s\n", c->name, i, mlb_last_error());
        return -1;
    }
    c->bytes[i] = (size_t)n;
    if (i == 2) {
        return 0;
    }
    c->data[i] = aligned_alloc(64, (c->bytes[i] + 63) & ~(size_t)63);
    if (!c->data[i]) {
        fprintf(stderr, "%s: out of memory\n", c->name);
        return -1;
    }
    const size_t count = c->bytes[i] / mlb_dtype_size(dtype);
    uint32_t x = 12345u + 777u * (uint32_t)i; /* each input its own values */
    for (size_t e = 0; e < count; ++e) {
        x = x * 1664525u + 1013904223u;
        store(dtype, c->data[i], e, (float)((int)(x >> 28) - 8) / 8.0f);
    }
    return 0;
}

static void set_desc(bench_case *c, int op, const void *attrs) {
    c->ins[0] = &c->t[0], c->ins[1] = &c->t[1], c->outs[0] = &c->t[2];
    c->desc = (mlb_op_desc){.struct_size = MLB_STRUCT_SIZE(mlb_op_desc, attrs),
                            .op = op,
                            .num_inputs = 2,
                            .num_outputs = 1,
                            .inputs = c->ins,
                            .outputs = c->outs,
                            .attrs = attrs};
}

static void set_name(bench_case *c, const char *name) {
    memset(c, 0, sizeof(*c));
    snprintf(c->name, sizeof(c->name), "%s", name);
    c->rounds = 21, c->trials = 1;
}

int case_matmul(bench_case *c, const char *name, int dtype, long batch, long m, long k, long n) {
    set_name(c, name);
    const int rank = batch ? 3 : 2, o = batch ? 0 : 1;
    const int64_t sa[3] = {batch, m, k}, sb[3] = {batch, k, n}, sy[3] = {batch, m, n};
    c->flops = 2.0 * (double)(batch ? batch : 1) * (double)m * (double)k * (double)n;
    c->mm = (mlb_matmul_attrs){.struct_size = MLB_STRUCT_SIZE(mlb_matmul_attrs, epilogue),
                               .epilogue = {0, MLB_OP_NONE}};
    set_desc(c, MLB_OP_MATMUL, &c->mm);
    return set_tensor(c, 0, dtype, rank, sa + o) || set_tensor(c, 1, dtype, rank, sb + o) ||
                   set_tensor(c, 2, dtype, rank, sy + o)
               ? -1
               : 0;
}

int case_conv2d(bench_case *c, const char *name, int dtype, long n, long ic, long h, long w,
                long oc, long kh) {
    set_name(c, name);
    const int64_t xs[4] = {n, ic, h, w}, ws[4] = {oc, ic, kh, kh}, ys[4] = {n, oc, h, w};
    c->flops = 2.0 * (double)(n * oc * h * w) * (double)(ic * kh * kh);
    mlb_conv2d_attrs *a = &c->conv;
    a->struct_size = MLB_STRUCT_SIZE(mlb_conv2d_attrs, epilogue);
    a->layout = MLB_LAYOUT_NCHW, a->groups = 1;
    a->stride[0] = a->stride[1] = a->dilation[0] = a->dilation[1] = 1;
    a->padding[0] = a->padding[2] = (kh - 1) / 2, a->padding[1] = a->padding[3] = kh / 2;
    a->epilogue = (mlb_epilogue){0, MLB_OP_NONE};
    set_desc(c, MLB_OP_CONV2D, a);
    return set_tensor(c, 0, dtype, 4, xs) || set_tensor(c, 1, dtype, 4, ws) ||
                   set_tensor(c, 2, dtype, 4, ys)
               ? -1
               : 0;
}

int case_add(bench_case *c, const char *name, int dtype, long len) {
    set_name(c, name);
    const int64_t s[1] = {len};
    /* Launch-bound: what two identical setups show varies from one set of objects to the next
     * by a few percent on a small machine (their placement), so several fresh sets are timed,
     * with a second direct side as the control. */
    c->flops = (double)len, c->show_us = 1, c->rounds = 9, c->trials = 7;
    set_desc(c, MLB_OP_ADD, NULL);
    return set_tensor(c, 0, dtype, 1, s) || set_tensor(c, 1, dtype, 1, s) ||
                   set_tensor(c, 2, dtype, 1, s)
               ? -1
               : 0;
}

void case_free(bench_case *c) {
    free(c->data[0]), free(c->data[1]);
    c->data[0] = c->data[1] = NULL;
}

int case_compare(const bench_case *c, const char *who, const void *got, const void *want) {
    const int dt = c->t[2].dtype;
    const size_t count = c->bytes[2] / mlb_dtype_size(dt);
    for (size_t i = 0; i < count; ++i) {
        const float g = load(dt, got, i), w = load(dt, want, i);
        if (!(fabsf(g - w) <= 1e-3f + fabsf(w) / 64.0f)) {
            fprintf(stderr, "%s: %s differs from direct at element %zu: %g vs %g\n", c->name, who,
                    i, (double)g, (double)w);
            return -1;
        }
    }
    return 0;
}
