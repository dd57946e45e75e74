// op_runner.h - runs one generated case on one device through libmlb: every
// tensor in its own buffer between guard regions, inputs uploaded, the kernel
// created and launched on a fresh stream, the output buffer read back whole.
#ifndef MLBC_OP_RUNNER_H
#define MLBC_OP_RUNNER_H

#include <cstdint>
#include <string>
#include <vector>

#include "casegen.h"
#include "mlb.h"

namespace mlbc {

// Bytes of guard before and after every tensor's region in its buffer.
constexpr uint64_t kGuardBytes = 64;

// The case's descriptors with every byte_offset moved past the leading guard.
struct PlacedCase {
    explicit PlacedCase(const mlbc_case &c);
    PlacedCase(const PlacedCase &) = delete;
    PlacedCase &operator=(const PlacedCase &) = delete;

    const mlbc_case &src;
    mlb_tensor_desc in[MLBC_MAX_INPUTS];
    mlb_tensor_desc out;
    const mlb_tensor_desc *in_ptrs[MLBC_MAX_INPUTS];
    const mlb_tensor_desc *out_ptr;
    mlb_op_desc desc;
    std::vector<std::vector<uint8_t>> in_images; // whole input buffers: guard, image, guard
    std::vector<uint8_t> out_before;             // the output buffer as uploaded
};

struct DeviceRun {
    bool ok = false;
    std::string error;        // what failed, with the status and mlb_last_error()
    std::vector<uint8_t> out; // the output buffer after the run (out_before.size() bytes)
};

// Runs the case once on `device`. Never throws; failures are in the result.
DeviceRun run_case(mlb_device device, const PlacedCase &pc);

} // namespace mlbc

#endif // MLBC_OP_RUNNER_H
