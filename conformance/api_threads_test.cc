// api_threads_test.cc - several threads, each with its own stream and buffers, copying,
// setting and computing many times and checking their own data; one kernel shared by all.
#include <cstring>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "api_util.h"

namespace mlbc {
namespace api {
namespace {

class Api_Threads : public DeviceTest {};

const int64_t kElems = 1031;

// An elementwise add f32 [kElems] kernel, or null when the device declines it.
Kernel MakeAddKernel(mlb_device dev, std::string *why) {
    mlb_tensor_desc t;
    mlb_tensor_desc_contiguous(&t, MLB_DTYPE_F32, 1, &kElems);
    const mlb_tensor_desc *ins[2] = {&t, &t}, *outs[1] = {&t};
    mlb_op_desc op;
    std::memset(&op, 0, sizeof op);
    op.struct_size = MLB_STRUCT_SIZE(mlb_op_desc, attrs);
    op.op = MLB_OP_ADD;
    op.num_inputs = 2;
    op.num_outputs = 1;
    op.inputs = ins;
    op.outputs = outs;
    mlb_status st = mlb_op_supported(dev, &op);
    mlb_kernel k = nullptr;
    if (st == MLB_OK)
        st = mlb_kernel_create(dev, &op, &k);
    if (st != MLB_OK) {
        *why = "add f32: " + StatusText(st) + ": " + mlb_last_error();
        return Kernel();
    }
    return Kernel(k);
}

// One worker's life: its own stream (created and destroyed a few times), its own buffers.
// Returns "" or the first problem it saw.
std::string Worker(mlb_device dev, mlb_kernel add, int id, int iterations) {
    std::ostringstream err;
    const uint64_t bytes = kElems * sizeof(float);
    Buffer a, b, c, d;
    if (NewBuffer(dev, bytes, &a) != MLB_OK || NewBuffer(dev, bytes, &b) != MLB_OK ||
        NewBuffer(dev, bytes, &c) != MLB_OK || NewBuffer(dev, bytes + 5, &d) != MLB_OK)
        return "thread " + std::to_string(id) + ": buffer_alloc: " + mlb_last_error();
    std::vector<float> x(kElems);
    std::vector<float> y(kElems);
    std::vector<float> got(kElems);
    std::vector<uint8_t> raw(bytes + 5);
    const int rounds = 4;
    for (int round = 0; round < rounds; ++round) {
        Stream s;
        if (NewStream(dev, &s) != MLB_OK)
            return "thread " + std::to_string(id) + ": stream_create: " + mlb_last_error();
        for (int it = 0; it < iterations / rounds; ++it) {
            const float base = (float)(id * 100000 + round * 1000 + it);
            for (int64_t i = 0; i < kElems; ++i) {
                x[i] = base + (float)i;
                y[i] = (float)(id - i);
            }
            const uint8_t fill = (uint8_t)(id * 31 + it);
            bool ok =
                mlb_stream_copy_host_to_device(s.get(), a.get(), 0, x.data(), bytes) == MLB_OK &&
                mlb_stream_copy_host_to_device(s.get(), b.get(), 0, y.data(), bytes) == MLB_OK &&
                mlb_stream_memset(s.get(), d.get(), 0, fill, bytes + 5) == MLB_OK &&
                mlb_stream_copy_device_to_device(s.get(), d.get(), 3, a.get(), 0, bytes) == MLB_OK;
            if (ok && add) {
                const mlb_buffer ins[2] = {a.get(), b.get()}, outs[1] = {c.get()};
                ok = mlb_kernel_launch(add, s.get(), ins, 2, outs, 1) == MLB_OK &&
                     mlb_stream_copy_device_to_host(s.get(), got.data(), c.get(), 0, bytes) ==
                         MLB_OK;
            }
            ok = ok &&
                 mlb_stream_copy_device_to_host(s.get(), raw.data(), d.get(), 0, bytes + 5) ==
                     MLB_OK &&
                 mlb_stream_synchronize(s.get()) == MLB_OK;
            if (!ok) {
                err << "thread " << id << " iteration " << it << ": " << mlb_last_error();
                return err.str();
            }
            std::vector<uint8_t> want(bytes + 5, fill);
            std::memcpy(want.data() + 3, x.data(), bytes);
            if (std::memcmp(raw.data(), want.data(), bytes + 5) != 0) {
                err << "thread " << id << " iteration " << it << ": copy/memset data wrong";
                return err.str();
            }
            if (add) {
                for (int64_t i = 0; i < kElems; ++i) {
                    if (got[i] != x[i] + y[i]) {
                        err << "thread " << id << " iteration " << it << ": add element " << i
                            << " = " << got[i] << ", expected " << x[i] + y[i];
                        return err.str();
                    }
                }
            }
        }
    }
    return "";
}

// Runs Worker on `nthreads` threads at once and checks every thread's verdict.
void RunWorkers(mlb_device dev, mlb_kernel add) {
    const int nthreads = 6;
    const int iterations = target().full ? 400 : 80;
    std::vector<std::string> result(nthreads);
    std::vector<std::thread> threads;
    for (int t = 0; t < nthreads; ++t) {
        threads.emplace_back([&, t] { result[t] = Worker(dev, add, t, iterations); });
    }
    for (std::thread &t : threads)
        t.join();
    for (int t = 0; t < nthreads; ++t) {
        EXPECT_EQ(result[t], "") << "thread " << t;
    }
    EXPECT_MLB_OK(mlb_device_synchronize(dev));
}

TEST_F(Api_Threads, CopiesOnOwnStreams) {
    RunWorkers(dev, nullptr);
}

// The same kernel launched from every thread, each on its own stream with its own buffers.
TEST_F(Api_Threads, SharedKernelOnOwnStreams) {
    std::string why;
    Kernel add = MakeAddKernel(dev, &why);
    if (!add)
        GTEST_SKIP() << "the device declines " << why;
    RunWorkers(dev, add.get());
}

} // namespace
} // namespace api
} // namespace mlbc
