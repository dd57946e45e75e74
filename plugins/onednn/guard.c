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

/* 1 when the f32 bit pattern u is a value the guard excludes. */
static int excluded(uint32_t u, int guard) {
    const uint32_t exp = u & 0x7f800000u, man = u & 0x007fffffu;
    return ((guard & ONEDNN_GUARD_NONFINITE) && exp == 0x7f800000u) ||
           ((guard & ONEDNN_GUARD_SUBNORMAL) && exp == 0 && man != 0);
}

/* What a scan computes over the elements (as f32 bit patterns). */
typedef struct scan {
    int guard;        /* the excluded values (NONFINITE, SUBNORMAL bits) */
    int hit;          /* 1 once an element was excluded */
    uint32_t max_abs; /* the largest |x| as bits (NaN and Inf above every finite value) */
} scan;

/* Scans n contiguous elements (f32 or bf16) starting at p. */
static void scan_run(scan *sc, const uint8_t *p, int64_t n, int bf16) {
    int hit = 0;
    uint32_t m = sc->max_abs;
    for (int64_t i = 0; i < n; ++i) {
        uint32_t u;
        if (bf16) {
            uint16_t h;
            memcpy(&h, p + 2 * i, 2);
            u = (uint32_t)h << 16;
        } else {
            memcpy(&u, p + 4 * i, 4);
        }
        hit |= excluded(u, sc->guard);
        const uint32_t a = u & 0x7fffffffu;
        m = a > m ? a : m;
    }
    sc->hit |= hit;
    sc->max_abs = m;
}

/* Scans every element of t (at base), by its strides. */
static void scan_tensor(scan *sc, const mlb_tensor_desc *t, const uint8_t *base) {
    const int bf16 = t->dtype == MLB_DTYPE_BF16;
    const size_t es = bf16 ? 2 : 4;
    if (onednn_numel(t) == 0) {
        return;
    }
    /* Dense row-major: one run. Else the innermost axis is walked as a run when its stride is
     * 1, the other axes by index. */
    const int32_t r = t->rank;
    int64_t dense = 1;
    int32_t k0 = r - 1;
    for (; k0 >= 0 && t->strides[k0] == dense; --k0) {
        dense *= t->shape[k0];
    }
    const int inner_unit = r > 0 && t->strides[r - 1] == 1;
    const int64_t run = k0 < 0 ? dense : inner_unit ? t->shape[r - 1] : 1;
    const int32_t outer = k0 < 0 ? 0 : inner_unit ? r - 1 : r;
    int64_t idx[MLB_MAX_RANK] = {0};
    for (;;) {
        int64_t off = 0;
        for (int32_t k = 0; k < outer; ++k) {
            off += idx[k] * t->strides[k];
        }
        scan_run(sc, base + t->byte_offset + (uint64_t)off * es, run, bf16);
        if (!cpuref_next_index(idx, t->shape, outer)) {
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
        scan sc = {ONEDNN_GUARD_NONFINITE, 0, 0};
        scan_tensor(&sc, &k->guarded[i], inputs[i]);
        if (sc.hit) {
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
        scan sc = {k->guard, 0, 0};
        scan_tensor(&sc, &k->guarded[i], inputs[i]);
        if (sc.hit) {
            return 0;
        }
    }
    return 1;
}
