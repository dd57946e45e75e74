// compare.h - the conformance rule of docs/ops.md section 12: per-element
// |got - exp| <= atol + rtol * |exp| with per-dtype defaults widened by the
// accumulation length, NaN and +-Inf in the same positions, integers and bool
// exact; NMSE as a second figure; guard bytes around and between the elements
// of every output untouched; bitwise equality for repeatability runs.
#ifndef MLBC_COMPARE_H
#define MLBC_COMPARE_H

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "ml_backend.h"

namespace mlbc {

struct Tolerance {
    double atol = 0;
    double rtol = 0;
    bool exact = false; // integers and bool
};

// The tolerance of one op's output: mlbc_tolerance_for (casegen.h), the one statement of the
// rule of docs/ops.md section 12, shared with mlb-run.
Tolerance tolerance_for_op(int32_t op, int32_t dtype, uint64_t accum_len);

struct Comparison {
    uint64_t elements = 0;          // compared elements
    uint64_t mismatches = 0;        // elements outside the tolerance (or not bitwise equal)
    double max_abs_err = 0;         // over finite pairs
    double max_rel_err = 0;         // |got-exp| / |exp| over finite pairs with exp != 0
    double nmse = 0;                // sum (got-exp)^2 / sum exp^2 over finite pairs
    std::vector<std::string> first; // "[i,j] expected X, got Y (...)" for the first mismatches
    bool ok() const {
        return mismatches == 0;
    }
};

// Compares tensor `t` (its byte_offset counts from the buffer start) in two
// buffer images. `bitwise`: every element must have identical bytes.
Comparison compare_tensor(const mlb_tensor_desc &t, const uint8_t *got, const uint8_t *expected,
                          const Tolerance &tol, bool bitwise, size_t max_report = 5);

struct GuardCheck {
    uint64_t changed = 0; // bytes outside the tensor's elements that differ from before
    int64_t first = -1;   // the first such byte, relative to the buffer start
    std::string describe; // one line, empty when changed == 0
};

// Checks that every byte of `after` (size bytes) that is not part of an
// element of `t` equals the same byte of `before`. `guard` is where the
// tensor's own region starts (the bytes before it are the leading guard).
GuardCheck check_guards(const mlb_tensor_desc &t, const uint8_t *before, const uint8_t *after,
                        size_t size, uint64_t guard);

// Byte mask of t's elements in a buffer of `size` bytes (1 = element byte).
std::vector<uint8_t> element_mask(const mlb_tensor_desc &t, size_t size);

} // namespace mlbc

#endif // MLBC_COMPARE_H
