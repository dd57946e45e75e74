/*
 * run_io.c - tensors in buffer images <-> dense .npy arrays, and the short
 * summary mlb-run prints of an output.
 *
 * bf16 has no NumPy dtype: by default it is stored as uint16 bit patterns
 * ('<u2'; ml_backend has no uint16 dtype, so the pairing is unambiguous);
 * with --bf16-as f32 outputs are widened exactly to float32 and float32
 * inputs are rounded to bf16 (to nearest, ties to even).
 */
#include "mlb_run.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static float bf16_to_f32(uint16_t b) {
    const uint32_t u = (uint32_t)b << 16;
    float f;
    memcpy(&f, &u, 4);
    return f;
}

int run_tensor_to_npy(const mlb_tensor_desc *t, const unsigned char *image, int bf16_as_f32,
                      npy_array *a, char *err) {
    memset(a, 0, sizeof *a);
    const int widen = t->dtype == MLB_DTYPE_BF16 && bf16_as_f32;
    a->dtype = widen ? MLB_DTYPE_F32 : t->dtype;
    a->rank = t->rank;
    memcpy(a->shape, t->shape, sizeof a->shape);
    a->count = mlbc_numel(t);
    const size_t es = mlbc_dtype_size(t->dtype), os = npy_itemsize(a->dtype);
    if (!os) {
        snprintf(err, RUN_ERR_LEN, "dtype %d has no .npy form", (int)t->dtype);
        return -1;
    }
    a->nbytes = a->count * os;
    a->data = malloc(a->nbytes ? (size_t)a->nbytes : 1);
    if (!a->data) {
        snprintf(err, RUN_ERR_LEN, "out of memory (%llu bytes)", (unsigned long long)a->nbytes);
        return -1;
    }
    if (a->count == 0) {
        return 0;
    }
    unsigned char *dst = a->data;
    int64_t idx[MLB_MAX_RANK] = {0};
    do {
        const unsigned char *src = image + mlbc_elem_pos(t, idx);
        if (widen) {
            uint16_t b;
            memcpy(&b, src, 2);
            const float f = bf16_to_f32(b);
            memcpy(dst, &f, 4);
        } else {
            memcpy(dst, src, es);
        }
        dst += os;
    } while (mlbc_next_index(t, idx));
    return 0;
}

void run_npy_to_tensor(const npy_array *a, const mlb_tensor_desc *t, unsigned char *image) {
    if (a->count == 0) {
        return;
    }
    const int narrow = t->dtype == MLB_DTYPE_BF16 && a->dtype == MLB_DTYPE_F32;
    const size_t es = mlbc_dtype_size(t->dtype), is = npy_itemsize(a->dtype);
    const unsigned char *src = a->data;
    int64_t idx[MLB_MAX_RANK] = {0};
    do {
        unsigned char *dst = image + mlbc_elem_pos(t, idx);
        if (narrow) {
            float f;
            memcpy(&f, src, 4);
            mlbc_store_f64(MLB_DTYPE_BF16, dst, (double)f);
        } else {
            memcpy(dst, src, es);
        }
        src += is;
    } while (mlbc_next_index(t, idx));
}

int run_save_tensor(const char *path, const mlb_tensor_desc *t, const unsigned char *image,
                    int bf16_as_f32, char *err) {
    npy_array a;
    char e[NPY_ERR_LEN];
    if (run_tensor_to_npy(t, image, bf16_as_f32, &a, err) != 0) {
        return -1;
    }
    const int rc = npy_write_file(path, &a, e);
    if (rc != 0) {
        snprintf(err, RUN_ERR_LEN, "%s", e);
    }
    npy_free(&a);
    return rc;
}

void run_print_summary(const char *name, const mlb_tensor_desc *t, const unsigned char *image) {
    char shape[256];
    size_t n = (size_t)snprintf(shape, sizeof shape, "[");
    for (int32_t k = 0; k < t->rank; ++k) {
        n += (size_t)snprintf(shape + n, sizeof shape - n, k ? ",%lld" : "%lld",
                              (long long)t->shape[k]);
    }
    snprintf(shape + n, sizeof shape - n, "]");
    const uint64_t count = mlbc_numel(t);
    printf("%s: %s %s, %llu element%s", name, mlbc_dtype_name(t->dtype), shape,
           (unsigned long long)count, count == 1 ? "" : "s");
    if (count == 0) {
        printf("\n");
        return;
    }
    const int fl = mlbc_dtype_is_float(t->dtype);
    double lo = INFINITY, hi = -INFINITY, sum = 0;
    uint64_t nans = 0, infs = 0, finite = 0;
    char first[256] = "";
    size_t fl_len = 0;
    uint64_t i = 0;
    int64_t idx[MLB_MAX_RANK] = {0};
    do {
        const unsigned char *p = image + mlbc_elem_pos(t, idx);
        const double v = fl ? mlbc_load_f64(t->dtype, p) : (double)mlbc_load_i64(t->dtype, p);
        if (isnan(v)) {
            ++nans;
        } else if (isinf(v)) {
            ++infs;
        } else {
            lo = v < lo ? v : lo;
            hi = v > hi ? v : hi;
            sum += v;
            ++finite;
        }
        if (i < 8 && fl_len < sizeof first) {
            if (fl) {
                fl_len += (size_t)snprintf(first + fl_len, sizeof first - fl_len, "%s%.7g",
                                           i ? " " : "", v);
            } else {
                fl_len += (size_t)snprintf(first + fl_len, sizeof first - fl_len, "%s%lld",
                                           i ? " " : "", (long long)mlbc_load_i64(t->dtype, p));
            }
        }
        ++i;
    } while (mlbc_next_index(t, idx));
    if (finite) {
        printf(": min %.7g max %.7g mean %.7g", lo, hi, sum / (double)finite);
    }
    if (nans || infs) {
        printf(", %llu NaN, %llu Inf", (unsigned long long)nans, (unsigned long long)infs);
    }
    printf("\n  first: %s%s\n", first, count > 8 ? " ..." : "");
}
