/*
 * guard.c - the value guard of kernels that oneDNN runs exactly on ordinary
 * values only (onednn_kernel_inputs_exact in onednn_kernels.h): a scan of the
 * guarded inputs' elements, by their strides, for NaN/Inf and subnormals.
 * The scan reads the elements' bits (f32, or bf16 as the top half of an f32)
 * and never touches padding between them.
 */
#include <string.h>

#include "onednn_impl.h"

void onednn_plan_guard(onednn_kernel *k, const mlb_op_desc *desc, uint32_t n, int guard) {
    k->guard = guard;
    k->nguarded = n;
    for (uint32_t i = 0; i < n; ++i) {
        memcpy(&k->guarded[i], desc->inputs[i], MLB_STRUCT_SIZE(mlb_tensor_desc, byte_offset));
    }
}

/* 1 when the f32 bit pattern u is a value the guard excludes. */
static int excluded(uint32_t u, int guard) {
    const uint32_t exp = u & 0x7f800000u, man = u & 0x007fffffu;
    return ((guard & ONEDNN_GUARD_NONFINITE) && exp == 0x7f800000u) ||
           ((guard & ONEDNN_GUARD_SUBNORMAL) && exp == 0 && man != 0);
}

/* Scans n contiguous elements (f32 or bf16) starting at p; 1 when one is excluded. */
static int scan_run(const uint8_t *p, int64_t n, int bf16, int guard) {
    int hit = 0;
    if (bf16) {
        for (int64_t i = 0; i < n; ++i) {
            uint16_t h;
            memcpy(&h, p + 2 * i, 2);
            hit |= excluded((uint32_t)h << 16, guard);
        }
    } else {
        for (int64_t i = 0; i < n; ++i) {
            uint32_t u;
            memcpy(&u, p + 4 * i, 4);
            hit |= excluded(u, guard);
        }
    }
    return hit;
}

/* 1 when some element of t (at base) is excluded by the guard. */
static int tensor_has_excluded(const mlb_tensor_desc *t, const uint8_t *base, int guard) {
    const int bf16 = t->dtype == MLB_DTYPE_BF16;
    const size_t es = bf16 ? 2 : 4;
    if (onednn_numel(t) == 0) {
        return 0;
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
        if (scan_run(base + t->byte_offset + (uint64_t)off * es, run, bf16, guard)) {
            return 1;
        }
        int32_t k = outer - 1;
        for (; k >= 0; --k) {
            if (++idx[k] < t->shape[k]) {
                break;
            }
            idx[k] = 0;
        }
        if (k < 0) {
            return 0;
        }
    }
}

int onednn_kernel_inputs_exact(const onednn_kernel *k, uint8_t *const *inputs) {
    if (!k->guard || k->empty) {
        return 1;
    }
    for (uint32_t i = 0; i < k->nguarded; ++i) {
        if (tensor_has_excluded(&k->guarded[i], inputs[i], k->guard)) {
            return 0;
        }
    }
    return 1;
}
