// compare.cc - the per-element rule, NMSE and the guard-byte check.
#include "compare.h"

#include <cmath>
#include <cstdio>
#include <cstring>

#include "casegen.h"

namespace mlbc {

Tolerance tolerance_for_op(int32_t op, int32_t dtype, uint64_t accum_len) {
    const mlbc_tolerance m = mlbc_tolerance_for(op, dtype, accum_len);
    Tolerance t;
    t.atol = m.atol;
    t.rtol = m.rtol;
    t.exact = m.exact != 0;
    return t;
}

namespace {

std::string index_text(const mlb_tensor_desc &t, const int64_t *idx) {
    std::string s = "[";
    for (int32_t k = 0; k < t.rank; ++k) {
        s += (k ? "," : "") + std::to_string(idx[k]);
    }
    return s + "]";
}

std::string value_text(int32_t dtype, const uint8_t *p) {
    char buf[64];
    if (mlbc_dtype_is_float(dtype)) {
        std::snprintf(buf, sizeof buf, dtype == MLB_DTYPE_F64 ? "%.17g" : "%.9g",
                      mlbc_load_f64(dtype, p));
    } else {
        std::snprintf(buf, sizeof buf, "%lld", static_cast<long long>(mlbc_load_i64(dtype, p)));
    }
    return buf;
}

} // namespace

Comparison compare_tensor(const mlb_tensor_desc &t, const uint8_t *got, const uint8_t *expected,
                          const Tolerance &tol, bool bitwise, size_t max_report) {
    Comparison r;
    if (mlbc_numel(&t) == 0) {
        return r;
    }
    const size_t es = mlbc_dtype_size(t.dtype);
    const bool is_float = mlbc_dtype_is_float(t.dtype) != 0;
    double sq_err = 0, sq_exp = 0;
    int64_t idx[MLB_MAX_RANK] = {0};
    do {
        const uint64_t pos = mlbc_elem_pos(&t, idx);
        const uint8_t *g = got + pos, *e = expected + pos;
        ++r.elements;
        bool bad = false;
        std::string why;
        if (is_float) {
            const double gv = mlbc_load_f64(t.dtype, g), ev = mlbc_load_f64(t.dtype, e);
            if (std::isnan(ev) || std::isinf(ev) || std::isnan(gv) || std::isinf(gv)) {
                // NaN and +-Inf must be in the same positions (Inf with the same sign).
                const bool same = (std::isnan(ev) && std::isnan(gv)) || (ev == gv);
                bad = !same;
                why = "NaN/Inf position differs";
            } else {
                const double d = std::fabs(gv - ev);
                const double limit = tol.atol + tol.rtol * std::fabs(ev);
                r.max_abs_err = std::fmax(r.max_abs_err, d);
                if (ev != 0) {
                    r.max_rel_err = std::fmax(r.max_rel_err, d / std::fabs(ev));
                }
                sq_err += d * d;
                sq_exp += ev * ev;
                if (d > limit) {
                    bad = true;
                    char buf[96];
                    std::snprintf(buf, sizeof buf, "|diff| %.3g > tolerance %.3g", d, limit);
                    why = buf;
                }
            }
        } else {
            const int64_t gv = mlbc_load_i64(t.dtype, g), ev = mlbc_load_i64(t.dtype, e);
            const bool differ = t.dtype == MLB_DTYPE_BOOL ? *g != *e : gv != ev;
            if (differ) {
                const double d = std::fabs(static_cast<double>(gv) - static_cast<double>(ev));
                r.max_abs_err = std::fmax(r.max_abs_err, d);
                if (ev != 0) {
                    r.max_rel_err =
                        std::fmax(r.max_rel_err, d / std::fabs(static_cast<double>(ev)));
                }
                bad = true;
                why = "integers and bool must be exact";
            }
            const double dd = static_cast<double>(gv) - static_cast<double>(ev);
            sq_err += dd * dd;
            sq_exp += static_cast<double>(ev) * static_cast<double>(ev);
        }
        if (bitwise && !bad && std::memcmp(g, e, es) != 0) {
            bad = true;
            why = "not bitwise identical to the first run";
        }
        if (bad) {
            if (r.first.size() < max_report) {
                r.first.push_back(index_text(t, idx) + " expected " + value_text(t.dtype, e) +
                                  ", got " + value_text(t.dtype, g) + " (" + why + ")");
            }
            ++r.mismatches;
        }
    } while (mlbc_next_index(&t, idx));
    r.nmse = sq_exp > 0 ? sq_err / sq_exp : sq_err;
    return r;
}

std::vector<uint8_t> element_mask(const mlb_tensor_desc &t, size_t size) {
    std::vector<uint8_t> mask(size, 0);
    if (mlbc_numel(&t) == 0) {
        return mask;
    }
    const size_t es = mlbc_dtype_size(t.dtype);
    int64_t idx[MLB_MAX_RANK] = {0};
    do {
        const uint64_t pos = mlbc_elem_pos(&t, idx);
        if (pos + es <= size) {
            std::memset(&mask[pos], 1, es);
        }
    } while (mlbc_next_index(&t, idx));
    return mask;
}

GuardCheck check_guards(const mlb_tensor_desc &t, const uint8_t *before, const uint8_t *after,
                        size_t size, uint64_t guard) {
    GuardCheck g;
    const std::vector<uint8_t> mask = element_mask(t, size);
    uint64_t end = mlbc_extent(&t);
    if (end < guard) {
        end = guard; // an empty tensor: everything from `guard` on is trailing
    }
    uint64_t lead = 0, inside = 0, trail = 0;
    for (size_t i = 0; i < size; ++i) {
        if (!mask[i] && before[i] != after[i]) {
            if (g.first < 0) {
                g.first = static_cast<int64_t>(i);
            }
            ++g.changed;
            if (i < guard) {
                ++lead;
            } else if (i >= end) {
                ++trail;
            } else {
                ++inside;
            }
        }
    }
    if (g.changed) {
        char buf[256];
        std::snprintf(
            buf, sizeof buf,
            "%llu byte(s) outside the output's elements were written: %llu before it, "
            "%llu in gaps between its elements, %llu after it (first at byte %lld of "
            "the buffer; the tensor starts at byte %llu)",
            static_cast<unsigned long long>(g.changed), static_cast<unsigned long long>(lead),
            static_cast<unsigned long long>(inside), static_cast<unsigned long long>(trail),
            static_cast<long long>(g.first), static_cast<unsigned long long>(guard));
        g.describe = buf;
    }
    return g;
}

} // namespace mlbc
