// op_runner.cc - one case on one device (see op_runner.h).
#include "op_runner.h"

#include <cstring>

#include "compare.h"

namespace mlbc {

namespace {

// The guard pattern: varies with the position, so a shifted copy of it is noticed too.
uint8_t guard_byte(size_t i) {
    return static_cast<uint8_t>(0xa5u ^ (i * 29u));
}

std::vector<uint8_t> guarded(const uint8_t *image, uint64_t bytes) {
    std::vector<uint8_t> buf(kGuardBytes + bytes + kGuardBytes);
    for (size_t i = 0; i < buf.size(); ++i) {
        buf[i] = guard_byte(i);
    }
    if (bytes && image) {
        std::memcpy(&buf[kGuardBytes], image, bytes);
    }
    return buf;
}

std::string failed(const char *what, mlb_status st) {
    return std::string(what) + ": " + mlb_status_name(st) + ": " + mlb_last_error();
}

// Destroys what a run created, in the order the lifetimes require.
struct RunObjects {
    mlb_kernel kernel = nullptr;
    mlb_stream stream = nullptr;
    std::vector<mlb_buffer> buffers;
    ~RunObjects() {
        mlb_stream_destroy(stream); // waits for queued work
        mlb_kernel_destroy(kernel);
        for (mlb_buffer b : buffers) {
            mlb_buffer_free(b);
        }
    }
};

} // namespace

PlacedCase::PlacedCase(const mlbc_case &c) : src(c), out(c.out[0]), out_ptr(&out) {
    for (uint32_t i = 0; i < c.desc.num_inputs; ++i) {
        in[i] = c.in[i];
        in[i].byte_offset += kGuardBytes;
        in_ptrs[i] = &in[i];
        in_images.push_back(guarded(c.in_data[i], c.in_bytes[i]));
    }
    out.byte_offset += kGuardBytes;
    desc = c.desc;
    desc.inputs = c.desc.num_inputs ? in_ptrs : nullptr;
    desc.outputs = &out_ptr;
    if (c.inplace_input >= 0) {
        out_before = in_images[static_cast<size_t>(c.inplace_input)];
    } else {
        // Guard pattern everywhere, and all-ones bits in the elements: NaN for every float
        // dtype, -1/255 for integers, 255 for bool - an element left unwritten shows.
        out_before = guarded(nullptr, c.out_bytes);
        const std::vector<uint8_t> mask = element_mask(out, out_before.size());
        for (size_t i = 0; i < mask.size(); ++i) {
            if (mask[i]) {
                out_before[i] = 0xff;
            }
        }
    }
}

DeviceRun run_case(mlb_device device, const PlacedCase &pc) {
    DeviceRun r;
    RunObjects o;
    mlb_status st = mlb_kernel_create(device, &pc.desc, &o.kernel);
    if (st != MLB_OK) {
        r.error = failed("mlb_kernel_create", st);
        return r;
    }
    st = mlb_stream_create(device, 0, &o.stream);
    if (st != MLB_OK) {
        r.error = failed("mlb_stream_create", st);
        return r;
    }
    auto alloc_upload = [&](const std::vector<uint8_t> &image, mlb_buffer *buf) -> bool {
        mlb_buffer_desc bd;
        std::memset(&bd, 0, sizeof bd);
        bd.struct_size = MLB_STRUCT_SIZE(mlb_buffer_desc, alignment);
        bd.size = image.size();
        mlb_status s = mlb_buffer_alloc(device, &bd, buf);
        if (s != MLB_OK) {
            r.error = failed("mlb_buffer_alloc", s);
            return false;
        }
        o.buffers.push_back(*buf);
        s = mlb_stream_copy_host_to_device(o.stream, *buf, 0, image.data(), image.size());
        if (s != MLB_OK) {
            r.error = failed("mlb_stream_copy_host_to_device", s);
            return false;
        }
        return true;
    };
    mlb_buffer inputs[MLBC_MAX_INPUTS] = {nullptr, nullptr, nullptr};
    for (size_t i = 0; i < pc.in_images.size(); ++i) {
        if (!alloc_upload(pc.in_images[i], &inputs[i])) {
            return r;
        }
    }
    mlb_buffer output = nullptr;
    if (pc.src.inplace_input >= 0) {
        output = inputs[pc.src.inplace_input];
    } else if (!alloc_upload(pc.out_before, &output)) {
        return r;
    }
    st = mlb_kernel_launch(o.kernel, o.stream, pc.in_images.empty() ? nullptr : inputs,
                           static_cast<uint32_t>(pc.in_images.size()), &output, 1);
    if (st != MLB_OK) {
        r.error = failed("mlb_kernel_launch", st);
        return r;
    }
    // Filled with a pattern first: a synchronize that returns early leaves it there.
    r.out.assign(pc.out_before.size(), 0xee);
    st = mlb_stream_copy_device_to_host(o.stream, r.out.data(), output, 0, r.out.size());
    if (st != MLB_OK) {
        r.error = failed("mlb_stream_copy_device_to_host", st);
        return r;
    }
    st = mlb_stream_synchronize(o.stream);
    if (st != MLB_OK) {
        r.error = failed("mlb_stream_synchronize after the launch", st);
        return r;
    }
    r.ok = true;
    return r;
}

} // namespace mlbc
