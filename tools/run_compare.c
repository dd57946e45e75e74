/*
 * run_compare.c - the conformance rule of docs/ops.md section 12, in C and
 * kept identical to conformance/compare.cc: per element
 * |got - exp| <= atol + rtol * |exp| with the tolerance of mlbc_tolerance_for
 * (conformance/casegen.c, the one statement of the rule); NaN and +-Inf in the same positions
 * (Inf with its sign); integers exact, bool bytes identical; max abs / max
 * rel error and NMSE over finite pairs; guard bytes untouched. Running the
 * same device twice (--compare equal to --device) asks for bitwise identity,
 * as mlb-conformance does when it tests cpu_ref against itself.
 */
#include "mlb_run.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RUN_MAX_REPORT 5

static void index_text(const mlb_tensor_desc *t, const int64_t *idx, char *buf, size_t cap) {
    size_t n = (size_t)snprintf(buf, cap, "[");
    for (int32_t k = 0; k < t->rank && n < cap; ++k) {
        n += (size_t)snprintf(buf + n, cap - n, k ? ",%lld" : "%lld", (long long)idx[k]);
    }
    if (n < cap) {
        snprintf(buf + n, cap - n, "]");
    }
}

static void value_text(int32_t dtype, const unsigned char *p, char *buf, size_t cap) {
    if (mlbc_dtype_is_float(dtype)) {
        snprintf(buf, cap, dtype == MLB_DTYPE_F64 ? "%.17g" : "%.9g", mlbc_load_f64(dtype, p));
    } else {
        snprintf(buf, cap, "%lld", (long long)mlbc_load_i64(dtype, p));
    }
}

uint64_t run_check_guards(const mlb_tensor_desc *t, const unsigned char *before,
                          const unsigned char *after, size_t size, const char *who) {
    const size_t es = mlbc_dtype_size(t->dtype);
    uint64_t end = mlbc_extent(t);
    if (end < RUN_GUARD_BYTES) {
        end = RUN_GUARD_BYTES;
    }
    /* Mark element bytes by walking the tensor; compare every other byte. */
    unsigned char *mask = calloc(size ? size : 1, 1);
    if (!mask) {
        printf("%s: out of memory: guard bytes not checked\n", who);
        return 0;
    }
    if (mlbc_numel(t) > 0) {
        int64_t idx[MLB_MAX_RANK] = {0};
        do {
            const uint64_t pos = mlbc_elem_pos(t, idx);
            if (pos + es <= size) {
                memset(mask + pos, 1, es);
            }
        } while (mlbc_next_index(t, idx));
    }
    uint64_t changed = 0, lead = 0, inside = 0, trail = 0;
    int64_t first = -1;
    for (size_t i = 0; i < size; ++i) {
        if (!mask[i] && before[i] != after[i]) {
            if (first < 0) {
                first = (int64_t)i;
            }
            ++changed;
            if (i < RUN_GUARD_BYTES) {
                ++lead;
            } else if (i >= end) {
                ++trail;
            } else {
                ++inside;
            }
        }
    }
    free(mask);
    if (changed) {
        printf("%s: %llu byte(s) outside the output's elements were written: %llu before it, "
               "%llu in gaps between its elements, %llu after it (first at byte %lld of the "
               "buffer; the tensor starts at byte %d)\n",
               who, (unsigned long long)changed, (unsigned long long)lead,
               (unsigned long long)inside, (unsigned long long)trail, (long long)first,
               RUN_GUARD_BYTES);
    }
    return changed;
}

int run_compare(int32_t op, const mlb_tensor_desc *t, const unsigned char *before,
                const unsigned char *got, const unsigned char *expected, size_t size,
                uint64_t accum_len, int bitwise, int quiet) {
    const mlbc_tolerance tol = mlbc_tolerance_for(op, t->dtype, accum_len);
    const size_t es = mlbc_dtype_size(t->dtype);
    const int is_float = mlbc_dtype_is_float(t->dtype);
    uint64_t elements = 0, mismatches = 0, nan_inf = 0;
    double max_abs = 0, max_rel = 0, sq_err = 0, sq_exp = 0;
    char lines[RUN_MAX_REPORT][256];
    int nlines = 0;
    if (mlbc_numel(t) > 0) {
        int64_t idx[MLB_MAX_RANK] = {0};
        do {
            const uint64_t pos = mlbc_elem_pos(t, idx);
            const unsigned char *g = got + pos, *e = expected + pos;
            ++elements;
            int bad = 0;
            char why[96] = "";
            if (is_float) {
                const double gv = mlbc_load_f64(t->dtype, g), ev = mlbc_load_f64(t->dtype, e);
                if (isnan(ev) || isinf(ev) || isnan(gv) || isinf(gv)) {
                    const int same = (isnan(ev) && isnan(gv)) || ev == gv;
                    nan_inf += isnan(ev) || isinf(ev);
                    bad = !same;
                    snprintf(why, sizeof why, "NaN/Inf position differs");
                } else {
                    const double d = fabs(gv - ev);
                    const double limit = tol.atol + tol.rtol * fabs(ev);
                    max_abs = fmax(max_abs, d);
                    if (ev != 0) {
                        max_rel = fmax(max_rel, d / fabs(ev));
                    }
                    sq_err += d * d;
                    sq_exp += ev * ev;
                    if (d > limit) {
                        bad = 1;
                        snprintf(why, sizeof why, "|diff| %.3g > tolerance %.3g", d, limit);
                    }
                }
            } else {
                const int64_t gv = mlbc_load_i64(t->dtype, g), ev = mlbc_load_i64(t->dtype, e);
                const int differ = t->dtype == MLB_DTYPE_BOOL ? *g != *e : gv != ev;
                if (differ) {
                    const double d = fabs((double)gv - (double)ev);
                    max_abs = fmax(max_abs, d);
                    if (ev != 0) {
                        max_rel = fmax(max_rel, d / fabs((double)ev));
                    }
                    bad = 1;
                    snprintf(why, sizeof why, "integers and bool must be exact");
                }
                const double dd = (double)gv - (double)ev;
                sq_err += dd * dd;
                sq_exp += (double)ev * (double)ev;
            }
            if (bitwise && !bad && memcmp(g, e, es) != 0) {
                bad = 1;
                snprintf(why, sizeof why, "not bitwise identical to the first run");
            }
            if (bad) {
                if (nlines < RUN_MAX_REPORT) {
                    char it[128], gt[40], et[40];
                    index_text(t, idx, it, sizeof it);
                    value_text(t->dtype, e, et, sizeof et);
                    value_text(t->dtype, g, gt, sizeof gt);
                    snprintf(lines[nlines++], sizeof lines[0], "%s expected %s, got %s (%s)", it,
                             et, gt, why);
                }
                ++mismatches;
            }
        } while (mlbc_next_index(t, idx));
    }
    const double nmse = sq_exp > 0 ? sq_err / sq_exp : sq_err;
    const uint64_t guards = run_check_guards(t, before, got, size, "guard bytes");
    if (!quiet || mismatches || guards) {
        printf("compare: %llu element%s, %llu mismatch%s; max abs err %.6g, max rel err %.6g, "
               "NMSE %.6g",
               (unsigned long long)elements, elements == 1 ? "" : "s",
               (unsigned long long)mismatches, mismatches == 1 ? "" : "es", max_abs, max_rel, nmse);
        if (tol.exact) {
            printf(" (exact: %s)\n", mlbc_dtype_name(t->dtype));
        } else {
            printf(" (atol %.3g, rtol %.3g, accumulation length %llu%s)\n", tol.atol, tol.rtol,
                   (unsigned long long)accum_len, bitwise ? ", bitwise: same device" : "");
        }
        if (nan_inf) {
            printf("  %llu expected NaN/Inf element%s, compared by position\n",
                   (unsigned long long)nan_inf, nan_inf == 1 ? "" : "s");
        }
        for (int i = 0; i < nlines; ++i) {
            printf("  %s\n", lines[i]);
        }
    }
    return mismatches || guards ? RUN_EXIT_MISMATCH : RUN_EXIT_OK;
}
