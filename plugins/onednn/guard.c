/*
 * guard.c - the value guard of kernels that oneDNN runs exactly on ordinary
 * values only (onednn_kernel_inputs_exact in onednn_kernels.h): a scan of the
 * guarded inputs' elements, by their strides, for NaN/Inf and subnormals, or
 * (matmul/conv2d epilogues) for the largest magnitude of the factors.
 * The scan reads the elements' bits (f32, or bf16 as the top half of an f32)
 * and never touches padding between them.
 */
#include <string.h>

#include "onednn_impl.h"
#include "tensor.h"

void onednn_plan_guard(onednn_kernel *k, const mlb_op_desc *desc, uint32_t n, int guard) {
    k->guard = guard;
    k->nguarded = n;
    for (uint32_t i = 0; i < n; ++i) {
        memcpy(&k->guarded[i], desc->inputs[i], MLB_STRUCT_SIZE(mlb_tensor_desc, byte_offset));
    }
}

void onednn_plan_guard_product(onednn_kernel *k, const mlb_op_desc *desc, int has_bias,
                               int64_t kacc) {
    onednn_plan_guard(k, desc, has_bias ? 3 : 2, ONEDNN_GUARD_PRODUCT);
    k->guard_k = kacc;
}

/*
 * What a scan gathers over the elements, as |x| bit patterns a (f32 bits with the sign
 * cleared; bf16 as the top half of an f32). Both are order-free min/max reductions, written in
 * blocks of SCAN_BLOCK lanes so that the compiler vectorizes them at -O2.
 *   max_abs  the largest a: NaN and +-Inf are the patterns >= 0x7f800000, above every finite
 *   min_am1  the smallest a - 1 (unsigned; 0 wraps to the top): a subnormal is 0 < a < 2^23,
 *            i.e. a - 1 < 0x007fffff
 */
typedef struct scan {
    uint32_t max_abs, min_am1;
} scan;

#define SCAN_BLOCK 16
#define ABS_MASK 0x7fffffffu

static void scan_f32(scan *sc, const uint8_t *p, int64_t n) {
    uint32_t mx[SCAN_BLOCK] = {0}, mn[SCAN_BLOCK];
    memset(mn, 0xff, sizeof(mn));
    int64_t i = 0;
    for (; i + SCAN_BLOCK <= n; i += SCAN_BLOCK) {
        uint32_t u[SCAN_BLOCK];
        memcpy(u, p + 4 * i, sizeof(u));
        for (int j = 0; j < SCAN_BLOCK; ++j) {
            const uint32_t a = u[j] & ABS_MASK, am1 = a - 1u;
            mx[j] = a > mx[j] ? a : mx[j];
            mn[j] = am1 < mn[j] ? am1 : mn[j];
        }
    }
    for (; i < n; ++i) {
        uint32_t u;
        memcpy(&u, p + 4 * i, 4);
        const uint32_t a = u & ABS_MASK, am1 = a - 1u;
        mx[0] = a > mx[0] ? a : mx[0];
        mn[0] = am1 < mn[0] ? am1 : mn[0];
    }
    for (int j = 0; j < SCAN_BLOCK; ++j) {
        sc->max_abs = mx[j] > sc->max_abs ? mx[j] : sc->max_abs;
        sc->min_am1 = mn[j] < sc->min_am1 ? mn[j] : sc->min_am1;
    }
}

static void scan_bf16(scan *sc, const uint8_t *p, int64_t n) {
    uint32_t mx[SCAN_BLOCK] = {0}, mn[SCAN_BLOCK];
    memset(mn, 0xff, sizeof(mn));
    int64_t i = 0;
    for (; i + SCAN_BLOCK <= n; i += SCAN_BLOCK) {
        uint16_t h[SCAN_BLOCK];
        memcpy(h, p + 2 * i, sizeof(h));
        for (int j = 0; j < SCAN_BLOCK; ++j) {
            const uint32_t a = ((uint32_t)h[j] << 16) & ABS_MASK, am1 = a - 1u;
            mx[j] = a > mx[j] ? a : mx[j];
            mn[j] = am1 < mn[j] ? am1 : mn[j];
        }
    }
    for (; i < n; ++i) {
        uint16_t h;
        memcpy(&h, p + 2 * i, 2);
        const uint32_t a = ((uint32_t)h << 16) & ABS_MASK, am1 = a - 1u;
        mx[0] = a > mx[0] ? a : mx[0];
        mn[0] = am1 < mn[0] ? am1 : mn[0];
    }
    for (int j = 0; j < SCAN_BLOCK; ++j) {
        sc->max_abs = mx[j] > sc->max_abs ? mx[j] : sc->max_abs;
        sc->min_am1 = mn[j] < sc->min_am1 ? mn[j] : sc->min_am1;
    }
}

/* Dense runs at least this long are scanned by an OpenMP team (the threads oneDNN's primitives
 * use), in chunks; shorter ones by the calling thread. */
#define SCAN_PARALLEL_MIN (1 << 18)
#define SCAN_CHUNK (1 << 16)

static void scan_dense(scan *sc, const uint8_t *p, int64_t n, int bf16) {
    const int64_t nchunks = (n + SCAN_CHUNK - 1) / SCAN_CHUNK;
    uint32_t mx = sc->max_abs, mn = sc->min_am1;
#pragma omp parallel for if (n >= SCAN_PARALLEL_MIN) reduction(max : mx) reduction(min : mn)
    for (int64_t c = 0; c < nchunks; ++c) {
        scan part = {0, UINT32_MAX};
        const int64_t lo = c * SCAN_CHUNK, len = n - lo < SCAN_CHUNK ? n - lo : SCAN_CHUNK;
        if (bf16) {
            scan_bf16(&part, p + 2 * lo, len);
        } else {
            scan_f32(&part, p + 4 * lo, len);
        }
        mx = part.max_abs > mx ? part.max_abs : mx;
        mn = part.min_am1 < mn ? part.min_am1 : mn;
    }
    sc->max_abs = mx;
    sc->min_am1 = mn;
}

/* 1 when the gathered figures show a value the guard excludes. */
static int excluded(const scan *sc, int guard) {
    return ((guard & ONEDNN_GUARD_NONFINITE) && sc->max_abs >= 0x7f800000u) ||
           ((guard & ONEDNN_GUARD_SUBNORMAL) && sc->min_am1 < 0x007fffffu);
}

/* Scans n elements `stride` elements apart (the runs that are not dense, and single elements). */
static void scan_strided(scan *sc, const uint8_t *p, int64_t n, int64_t stride, int bf16) {
    uint32_t mx = sc->max_abs, mn = sc->min_am1;
    for (int64_t i = 0; i < n; ++i, p += stride * (bf16 ? 2 : 4)) {
        uint32_t a;
        if (bf16) {
            uint16_t h;
            memcpy(&h, p, 2);
            a = ((uint32_t)h << 16) & ABS_MASK;
        } else {
            memcpy(&a, p, 4);
            a &= ABS_MASK;
        }
        mx = a > mx ? a : mx;
        mn = a - 1u < mn ? a - 1u : mn;
    }
    sc->max_abs = mx;
    sc->min_am1 = mn;
}

/* The axes a scan walks: t's axes of extent > 1 and stride > 0 (a stride-0 axis repeats the
 * same elements, and the scan is a min/max; strides are >= 0 by the ABI), outermost (largest
 * stride) first, each axis that continues the next inner one merged into it. Returns their
 * number (0: a single element). */
static int32_t scan_axes(const mlb_tensor_desc *t, int64_t *shape, int64_t *stride) {
    int32_t n = 0;
    for (int32_t k = 0; k < t->rank; ++k) {
        if (t->shape[k] > 1 && t->strides[k] != 0) {
            int32_t j = n++; /* insertion by stride, descending */
            for (; j > 0 && stride[j - 1] < t->strides[k]; --j) {
                shape[j] = shape[j - 1], stride[j] = stride[j - 1];
            }
            shape[j] = t->shape[k], stride[j] = t->strides[k];
        }
    }
    int32_t m = 0;
    for (int32_t k = 0; k < n; ++k) {
        if (m > 0 && stride[m - 1] == stride[k] * shape[k]) {
            shape[m - 1] *= shape[k], stride[m - 1] = stride[k];
        } else {
            shape[m] = shape[k], stride[m++] = stride[k];
        }
    }
    return m;
}

/* Scans every element of t (at base) once, in the order of its memory: runs along the axis of
 * the smallest stride (dense runs by an OpenMP team when long), the other axes by index. */
static void scan_tensor(scan *sc, const mlb_tensor_desc *t, const uint8_t *base) {
    const int bf16 = t->dtype == MLB_DTYPE_BF16;
    const size_t es = bf16 ? 2 : 4;
    if (onednn_numel(t) == 0) {
        return;
    }
    int64_t shape[MLB_MAX_RANK], stride[MLB_MAX_RANK];
    const int32_t n = scan_axes(t, shape, stride);
    const uint8_t *start = base + t->byte_offset;
    if (n == 0) {
        scan_strided(sc, start, 1, 1, bf16);
        return;
    }
    const int64_t run = shape[n - 1], step = stride[n - 1];
    const int32_t outer = n - 1;
    int64_t idx[MLB_MAX_RANK] = {0};
    for (;;) {
        int64_t off = 0;
        for (int32_t k = 0; k < outer; ++k) {
            off += idx[k] * stride[k];
        }
        const uint8_t *p = start + (uint64_t)off * es;
        if (step != 1) {
            scan_strided(sc, p, run, step, bf16);
        } else if (outer == 0) {
            scan_dense(sc, p, run, bf16);
        } else if (bf16) {
            scan_bf16(sc, p, run);
        } else {
            scan_f32(sc, p, run);
        }
        if (!cpuref_next_index(idx, shape, outer)) {
            return;
        }
    }
}

/* The f32 value of a bit pattern. */
static double f32_of(uint32_t bits) {
    float f;
    memcpy(&f, &bits, 4);
    return (double)f;
}

/* PRODUCT: every factor and bias finite, and max|a|·max|b|·K + max|bias| at most 2^125 (FLT_MAX/8,
 * so every partial sum, with f32 rounding, stays finite and no pre-activation is NaN or Inf). */
static int product_exact(const onednn_kernel *k, uint8_t *const *inputs) {
    double m[3] = {0, 0, 0};
    for (uint32_t i = 0; i < k->nguarded; ++i) {
        scan sc = {0, UINT32_MAX};
        scan_tensor(&sc, &k->guarded[i], inputs[i]);
        if (excluded(&sc, ONEDNN_GUARD_NONFINITE)) {
            return 0;
        }
        m[i] = f32_of(sc.max_abs);
    }
    return m[0] * m[1] * (double)k->guard_k + m[2] <= 0x1p125;
}

int onednn_kernel_inputs_exact(const onednn_kernel *k, uint8_t *const *inputs) {
    if (!k->guard || k->empty) {
        return 1;
    }
    if (k->guard & ONEDNN_GUARD_PRODUCT) {
        return product_exact(k, inputs);
    }
    for (uint32_t i = 0; i < k->nguarded; ++i) {
        scan sc = {0, UINT32_MAX};
        scan_tensor(&sc, &k->guarded[i], inputs[i]);
        if (excluded(&sc, k->guard)) {
            return 0;
        }
    }
    return 1;
}
