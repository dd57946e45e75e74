// api_buffer_test.cc - buffers (empty and impossible sizes, memory kinds, alignment, host
// pointers, statistics, pinned host memory) and the stream-ordered copies (round trips at odd
// offsets and sizes, device to device, memset, capture of the source at enqueue, ranges).
#include <cstring>
#include <string>
#include <vector>

#include "api_util.h"

namespace mlbc {
namespace api {
namespace {

class Api_Buffers : public DeviceTest {};
class Api_Copies : public DeviceTest {};

// h2d then d2h of `size` bytes through a buffer of memory kind `kind`.
void RoundTrip(mlb_device dev, uint32_t kind, uint64_t size) {
    Buffer b;
    ASSERT_MLB_OK(NewBuffer(dev, size, &b, kind));
    const std::vector<uint8_t> src = Pattern(size, 1000 + kind);
    std::vector<uint8_t> got(size, 0); // declared before the stream: outlives it
    Stream s;
    ASSERT_MLB_OK(NewStream(dev, &s));
    ASSERT_MLB_OK(mlb_stream_copy_host_to_device(s.get(), b.get(), 0, src.data(), size));
    ASSERT_MLB_OK(mlb_stream_copy_device_to_host(s.get(), got.data(), b.get(), 0, size));
    ASSERT_MLB_OK(mlb_stream_synchronize(s.get()));
    EXPECT_TRUE(BytesEqual(got.data(), src.data(), size, "round trip"));
}

TEST_F(Api_Buffers, ZeroBytesIsValid) {
    const uint32_t kinds = DeviceProps(dev).memory_kind_count;
    for (uint32_t kind = 0; kind < kinds; ++kind) {
        Buffer b;
        ASSERT_MLB_OK(NewBuffer(dev, 0, &b, kind)) << "memory kind " << kind;
        ASSERT_NE(b.get(), nullptr);
        EXPECT_EQ(mlb_buffer_size(b.get()), 0u);
        EXPECT_EQ(mlb_buffer_device(b.get()), dev);
        Stream s;
        ASSERT_MLB_OK(NewStream(dev, &s));
        uint8_t byte = 0;
        EXPECT_MLB_OK(mlb_stream_copy_host_to_device(s.get(), b.get(), 0, &byte, 0));
        EXPECT_MLB_OK(mlb_stream_memset(s.get(), b.get(), 0, 1, 0));
        EXPECT_REJECTED(mlb_stream_copy_host_to_device(s.get(), b.get(), 0, &byte, 1),
                        MLB_ERROR_OUT_OF_RANGE);
        EXPECT_MLB_OK(mlb_stream_synchronize(s.get()));
    }
}

TEST_F(Api_Buffers, ImpossibleSizeIsOutOfMemory) {
    mlb_memory_stats before;
    std::memset(&before, 0, sizeof before);
    before.struct_size = MLB_STRUCT_SIZE(mlb_memory_stats, total_bytes);
    const bool stats = mlb_device_get_memory_stats(dev, &before) == MLB_OK;

    int failures = 0;
    for (uint64_t size : {1ull << 62, ~0ull, (~0ull) - 63}) {
        mlb_buffer_desc desc = BufferDesc(size);
        mlb_buffer b = reinterpret_cast<mlb_buffer>(0x5a5a);
        const std::string primer = PrimeLastError();
        EXPECT_STATUS(mlb_buffer_alloc(dev, &desc, &b), MLB_ERROR_OUT_OF_MEMORY) << "size " << size;
        const std::string why = mlb_last_error();
        EXPECT_NE(why, primer) << "mlb_last_error() not set by the failed allocation";
        EXPECT_NE(why.find(target().plugin_name), std::string::npos)
            << "mlb_last_error() does not name the plugin: \"" << why << "\"";
        EXPECT_EQ(b, reinterpret_cast<mlb_buffer>(0x5a5a)) << "output written on failure";
        if (b != reinterpret_cast<mlb_buffer>(0x5a5a) && b)
            mlb_buffer_free(b);
        ++failures;
    }
    if (stats) {
        mlb_memory_stats after = before;
        ASSERT_MLB_OK(mlb_device_get_memory_stats(dev, &after));
        EXPECT_EQ(after.failed_alloc_count, before.failed_alloc_count + failures);
        EXPECT_EQ(after.alloc_count, before.alloc_count);
        EXPECT_EQ(after.bytes_in_use, before.bytes_in_use);
    }
    // The device still works.
    RoundTrip(dev, 0, 1 << 20);
}

TEST_F(Api_Buffers, EveryMemoryKindHoldsData) {
    const uint32_t kinds = DeviceProps(dev).memory_kind_count;
    for (uint32_t kind = 0; kind < kinds; ++kind) {
        SCOPED_TRACE("memory kind " + std::to_string(kind));
        RoundTrip(dev, kind, 12345);
    }
}

// Host pointers exist exactly on host-accessible kinds; through them the host sees what the
// streams wrote and the streams see what the host wrote. Alignment is observable there.
TEST_F(Api_Buffers, HostPointerOnHostAccessibleKindsOnly) {
    const uint32_t kinds = DeviceProps(dev).memory_kind_count;
    bool tested = false;
    for (uint32_t kind = 0; kind < kinds; ++kind) {
        SCOPED_TRACE("memory kind " + std::to_string(kind));
        const mlb_memory_kind_info info = MemoryKind(dev, kind);
        const bool accessible = (info.flags & MLB_MEMORY_FLAG_HOST_ACCESSIBLE) != 0;
        const uint64_t n = 8192;
        Buffer b;
        ASSERT_MLB_OK(NewBuffer(dev, n, &b, kind));
        void *ptr = reinterpret_cast<void *>(0x5a5a);
        mlb_status st = mlb_buffer_host_pointer(b.get(), &ptr);
        if (!accessible) {
            EXPECT_STATUS(st, MLB_ERROR_UNSUPPORTED) << "kind without HOST_ACCESSIBLE";
            EXPECT_EQ(ptr, reinterpret_cast<void *>(0x5a5a));
            continue;
        }
        ASSERT_MLB_OK(st) << "kind flagged HOST_ACCESSIBLE";
        ASSERT_NE(ptr, nullptr);
        tested = true;
        EXPECT_EQ(reinterpret_cast<uintptr_t>(ptr) % info.alignment, 0u)
            << "kind alignment " << info.alignment;
        Stream s;
        ASSERT_MLB_OK(NewStream(dev, &s));
        const std::vector<uint8_t> a = Pattern(n, 7), c = Pattern(n, 8);
        ASSERT_MLB_OK(mlb_stream_copy_host_to_device(s.get(), b.get(), 0, a.data(), n));
        ASSERT_MLB_OK(mlb_stream_synchronize(s.get()));
        EXPECT_TRUE(BytesEqual(static_cast<uint8_t *>(ptr), a.data(), n, "read through pointer"));
        std::memcpy(ptr, c.data(), n);
        auto &got = HostVector<uint8_t>(n);
        ASSERT_MLB_OK(mlb_stream_copy_device_to_host(s.get(), got.data(), b.get(), 0, n));
        ASSERT_MLB_OK(mlb_stream_synchronize(s.get()));
        EXPECT_TRUE(BytesEqual(got.data(), c.data(), n, "written through pointer"));

        for (uint64_t align : {info.alignment * 2, (uint64_t)4096, (uint64_t)65536}) {
            Buffer big;
            ASSERT_MLB_OK(NewBuffer(dev, 100, &big, kind, align)) << "alignment " << align;
            void *q = nullptr;
            ASSERT_MLB_OK(mlb_buffer_host_pointer(big.get(), &q));
            EXPECT_EQ(reinterpret_cast<uintptr_t>(q) % align, 0u)
                << "requested alignment " << align;
        }
    }
    if (!tested)
        GTEST_SKIP() << "no host-accessible memory kind (kinds without one answer UNSUPPORTED: "
                        "checked)";
}

TEST_F(Api_Buffers, MemoryStatsFollowAllocations) {
    mlb_memory_stats s0;
    std::memset(&s0, 0, sizeof s0);
    s0.struct_size = MLB_STRUCT_SIZE(mlb_memory_stats, total_bytes);
    mlb_status st = mlb_device_get_memory_stats(dev, &s0);
    if (st == MLB_ERROR_UNSUPPORTED)
        GTEST_SKIP() << "the plugin offers no memory statistics";
    ASSERT_MLB_OK(st);
    EXPECT_GE(s0.peak_bytes_in_use, s0.bytes_in_use);
    EXPECT_GE(s0.alloc_count, s0.free_count);
    if (s0.total_bytes) {
        EXPECT_LE(s0.free_bytes, s0.total_bytes);
    }

    auto stats = [&](mlb_memory_stats *out) {
        std::memset(out, 0, sizeof *out);
        out->struct_size = MLB_STRUCT_SIZE(mlb_memory_stats, total_bytes);
        return mlb_device_get_memory_stats(dev, out);
    };
    const uint64_t a = 3 << 20, b = 12345;
    mlb_memory_stats s1, s2, s3, s4;
    {
        Buffer x, y;
        ASSERT_MLB_OK(NewBuffer(dev, a, &x));
        ASSERT_MLB_OK(stats(&s1));
        EXPECT_EQ(s1.bytes_in_use, s0.bytes_in_use + a);
        EXPECT_EQ(s1.alloc_count, s0.alloc_count + 1);
        EXPECT_GE(s1.peak_bytes_in_use, s1.bytes_in_use);
        ASSERT_MLB_OK(NewBuffer(dev, b, &y));
        ASSERT_MLB_OK(stats(&s2));
        EXPECT_EQ(s2.bytes_in_use, s0.bytes_in_use + a + b);
        EXPECT_EQ(s2.alloc_count, s0.alloc_count + 2);
        x.reset();
        ASSERT_MLB_OK(stats(&s3));
        EXPECT_EQ(s3.bytes_in_use, s0.bytes_in_use + b);
        EXPECT_EQ(s3.free_count, s0.free_count + 1);
        EXPECT_GE(s3.peak_bytes_in_use, s0.bytes_in_use + a + b) << "peak only grows";

        st = mlb_device_reset_peak_memory(dev);
        if (st != MLB_ERROR_UNSUPPORTED) {
            ASSERT_MLB_OK(st);
            ASSERT_MLB_OK(stats(&s4));
            EXPECT_EQ(s4.peak_bytes_in_use, s4.bytes_in_use) << "after reset, peak = in use";
        }
    }
    ASSERT_MLB_OK(stats(&s4));
    EXPECT_EQ(s4.bytes_in_use, s0.bytes_in_use);
    EXPECT_EQ(s4.free_count, s0.free_count + 2);

    // A short stats struct is not written past.
    const size_t size = MLB_STRUCT_SIZE(mlb_memory_stats, peak_bytes_in_use);
    alignas(16) unsigned char block[sizeof(mlb_memory_stats) + 32];
    std::memset(block, 0x5A, sizeof block);
    std::memcpy(block, &size, sizeof size);
    ASSERT_MLB_OK(mlb_device_get_memory_stats(dev, reinterpret_cast<mlb_memory_stats *>(block)));
    for (size_t i = size; i < sizeof block; ++i) {
        ASSERT_EQ(block[i], 0x5A) << "byte " << i << " beyond struct_size written";
    }
}

TEST_F(Api_Buffers, NativeHandles) {
    Buffer b;
    ASSERT_MLB_OK(NewBuffer(dev, 4096, &b));
    Stream s;
    ASSERT_MLB_OK(NewStream(dev, &s));
    void *h1 = nullptr, *h2 = nullptr;
    mlb_status bst = mlb_buffer_native_handle(b.get(), &h1);
    if (bst != MLB_ERROR_UNSUPPORTED) {
        ASSERT_MLB_OK(bst);
        EXPECT_NE(h1, nullptr);
        ASSERT_MLB_OK(mlb_buffer_native_handle(b.get(), &h2));
        EXPECT_EQ(h1, h2) << "a buffer's native handle is stable";
    }
    void *sh = nullptr;
    mlb_status sst = mlb_stream_native_handle(s.get(), &sh);
    if (sst != MLB_ERROR_UNSUPPORTED) {
        ASSERT_MLB_OK(sst);
    }
    const bool feature = (PluginFeatures() & MLB_FEATURE_NATIVE_HANDLES) != 0;
    if (bst == MLB_ERROR_UNSUPPORTED && sst == MLB_ERROR_UNSUPPORTED) {
        EXPECT_FALSE(feature) << "MLB_FEATURE_NATIVE_HANDLES set, but both slots unsupported";
        GTEST_SKIP() << "the plugin offers no native handles";
    }
}

TEST_F(Api_Buffers, PinnedHostMemory) {
    const uint64_t n = 65537;
    void *p = nullptr;
    mlb_status st = mlb_device_host_alloc(dev, n, &p);
    if (st == MLB_ERROR_UNSUPPORTED)
        GTEST_SKIP() << "the plugin offers no pinned host memory";
    ASSERT_MLB_OK(st);
    ASSERT_NE(p, nullptr);
    struct Free {
        mlb_device d;
        void *p;
        ~Free() {
            mlb_device_host_free(d, p);
        }
    } guard{dev, p};
    uint8_t *host = static_cast<uint8_t *>(p);
    const std::vector<uint8_t> src = Pattern(n, 99);
    std::memcpy(host, src.data(), n);
    Buffer b;
    ASSERT_MLB_OK(NewBuffer(dev, n, &b));
    Stream s;
    ASSERT_MLB_OK(NewStream(dev, &s));
    ASSERT_MLB_OK(mlb_stream_copy_host_to_device(s.get(), b.get(), 0, host, n));
    ASSERT_MLB_OK(mlb_stream_synchronize(s.get()));
    std::memset(host, 0, n);
    ASSERT_MLB_OK(mlb_stream_copy_device_to_host(s.get(), host, b.get(), 0, n));
    ASSERT_MLB_OK(mlb_stream_synchronize(s.get()));
    EXPECT_TRUE(BytesEqual(host, src.data(), n, "through pinned memory"));
}

// ---- copies -------------------------------------------------------------------------------------

const uint64_t kOddSizes[] = {1, 3, 4097, 65537};
const uint64_t kOddOffsets[] = {0, 1, 7, 4093};

TEST_F(Api_Copies, RoundTripOddOffsetsAndSizes) {
    const uint64_t n = 4093 + 65537 + 13;
    Buffer b;
    ASSERT_MLB_OK(NewBuffer(dev, n, &b));
    Stream s;
    ASSERT_MLB_OK(NewStream(dev, &s));
    auto &got = HostVector<uint8_t>(n);
    for (uint64_t size : kOddSizes) {
        for (uint64_t off : kOddOffsets) {
            SCOPED_TRACE("offset " + std::to_string(off) + " size " + std::to_string(size));
            const std::vector<uint8_t> src = Pattern(size, off * 131 + size);
            auto &want = HostVector<uint8_t>(n, 0xC3);
            std::memcpy(want.data() + off, src.data(), size);
            ASSERT_MLB_OK(mlb_stream_memset(s.get(), b.get(), 0, 0xC3, n));
            ASSERT_MLB_OK(mlb_stream_copy_host_to_device(s.get(), b.get(), off, src.data(), size));
            auto &part = HostVector<uint8_t>(size + 2, 0xEE);
            ASSERT_MLB_OK(
                mlb_stream_copy_device_to_host(s.get(), part.data() + 1, b.get(), off, size));
            ASSERT_MLB_OK(mlb_stream_copy_device_to_host(s.get(), got.data(), b.get(), 0, n));
            ASSERT_MLB_OK(mlb_stream_synchronize(s.get()));
            EXPECT_TRUE(BytesEqual(got.data(), want.data(), n, "whole buffer"));
            EXPECT_TRUE(BytesEqual(part.data() + 1, src.data(), size, "region read back"));
            EXPECT_EQ(part[0], 0xEE) << "d2h wrote before its destination";
            EXPECT_EQ(part[size + 1], 0xEE) << "d2h wrote past its destination";
        }
    }
}

TEST_F(Api_Copies, DeviceToDevice) {
    const uint64_t n = 4093 + 65537 + 13;
    Buffer src, dst;
    ASSERT_MLB_OK(NewBuffer(dev, n, &src));
    ASSERT_MLB_OK(NewBuffer(dev, n, &dst));
    Stream s;
    ASSERT_MLB_OK(NewStream(dev, &s));
    const std::vector<uint8_t> data = Pattern(n, 5);
    ASSERT_MLB_OK(mlb_stream_copy_host_to_device(s.get(), src.get(), 0, data.data(), n));
    auto &got = HostVector<uint8_t>(n);
    for (uint64_t size : kOddSizes) {
        for (uint64_t off : kOddOffsets) {
            SCOPED_TRACE("offset " + std::to_string(off) + " size " + std::to_string(size));
            const uint64_t src_off = (off * 3 + 5) % 11;
            auto &want = HostVector<uint8_t>(n, 0x3C);
            std::memcpy(want.data() + off, data.data() + src_off, size);
            ASSERT_MLB_OK(mlb_stream_memset(s.get(), dst.get(), 0, 0x3C, n));
            ASSERT_MLB_OK(mlb_stream_copy_device_to_device(s.get(), dst.get(), off, src.get(),
                                                           src_off, size));
            ASSERT_MLB_OK(mlb_stream_copy_device_to_host(s.get(), got.data(), dst.get(), 0, n));
            ASSERT_MLB_OK(mlb_stream_synchronize(s.get()));
            EXPECT_TRUE(BytesEqual(got.data(), want.data(), n, "destination buffer"));
        }
    }
    // Within one buffer, regions apart.
    ASSERT_MLB_OK(mlb_stream_copy_host_to_device(s.get(), dst.get(), 0, data.data(), n));
    ASSERT_MLB_OK(mlb_stream_copy_device_to_device(s.get(), dst.get(), 40000, dst.get(), 3, 29001));
    ASSERT_MLB_OK(mlb_stream_copy_device_to_host(s.get(), got.data(), dst.get(), 0, n));
    ASSERT_MLB_OK(mlb_stream_synchronize(s.get()));
    std::vector<uint8_t> want = data;
    std::memcpy(want.data() + 40000, data.data() + 3, 29001);
    EXPECT_TRUE(BytesEqual(got.data(), want.data(), n, "copy within one buffer"));
}

TEST_F(Api_Copies, Memset) {
    const uint64_t n = 70001;
    Buffer b;
    ASSERT_MLB_OK(NewBuffer(dev, n, &b));
    Stream s;
    ASSERT_MLB_OK(NewStream(dev, &s));
    const std::vector<uint8_t> data = Pattern(n, 6);
    std::vector<uint8_t> want = data, got(n);
    ASSERT_MLB_OK(mlb_stream_copy_host_to_device(s.get(), b.get(), 0, data.data(), n));
    uint8_t value = 0;
    for (uint64_t size : kOddSizes) {
        for (uint64_t off : kOddOffsets) {
            value = (uint8_t)(value * 37 + 11);
            ASSERT_MLB_OK(mlb_stream_memset(s.get(), b.get(), off, value, size));
            std::memset(want.data() + off, value, size);
        }
    }
    ASSERT_MLB_OK(mlb_stream_memset(s.get(), b.get(), n - 1, 0xFF, 1));
    want[n - 1] = 0xFF;
    ASSERT_MLB_OK(mlb_stream_copy_device_to_host(s.get(), got.data(), b.get(), 0, n));
    ASSERT_MLB_OK(mlb_stream_synchronize(s.get()));
    EXPECT_TRUE(BytesEqual(got.data(), want.data(), n, "after memsets"));
}

// copy_host_to_device captures its source when it is enqueued: overwriting the host memory
// right after the call (before the copy can have run) changes nothing on the device.
TEST_F(Api_Copies, HostToDeviceCapturesSourceAtEnqueue) {
    const uint64_t n = 1 << 20;
    Buffer b, scratch;
    ASSERT_MLB_OK(NewBuffer(dev, n, &b));
    ASSERT_MLB_OK(NewBuffer(dev, 16 << 20, &scratch));
    std::vector<uint8_t> host = Pattern(n, 11), got(n);
    const std::vector<uint8_t> want = host;
    Stream s;
    ASSERT_MLB_OK(NewStream(dev, &s));
    Gate gate;
    const bool gated = gate.Hold(s.get());
    if (!gated)
        BusyWork(s.get(), scratch.get(), 16); // no callbacks: make the copy run late instead
    ASSERT_MLB_OK(mlb_stream_copy_host_to_device(s.get(), b.get(), 0, host.data(), n));
    std::memset(host.data(), 0xA5, n); // the caller reuses its memory at once
    ASSERT_MLB_OK(mlb_stream_copy_device_to_host(s.get(), got.data(), b.get(), 0, n));
    gate.Open();
    ASSERT_MLB_OK(mlb_stream_synchronize(s.get()));
    EXPECT_TRUE(BytesEqual(got.data(), want.data(), n, "device holds the source at enqueue"));
}

// Ranges outside a buffer are refused at enqueue with OUT_OF_RANGE, and nothing is enqueued.
TEST_F(Api_Copies, OutOfRangeRejectedNothingEnqueued) {
    const uint64_t n = 4096;
    Buffer b, other;
    ASSERT_MLB_OK(NewBuffer(dev, n, &b));
    ASSERT_MLB_OK(NewBuffer(dev, n, &other));
    Stream s;
    ASSERT_MLB_OK(NewStream(dev, &s));
    ASSERT_MLB_OK(mlb_stream_memset(s.get(), b.get(), 0, 0x11, n));
    ASSERT_MLB_OK(mlb_stream_memset(s.get(), other.get(), 0, 0x22, n));
    ASSERT_MLB_OK(mlb_stream_synchronize(s.get()));

    auto &src = HostVector<uint8_t>(2 * n, 0x77);

    auto &dst = HostVector<uint8_t>(2 * n, 0x99);
    struct Range {
        uint64_t off, size;
    };
    const Range bad[] = {{n, 1},     {n - 100, 101},   {n + 1, 0}, {0, n + 1},    {1, n},
                         {~0ull, 1}, {~0ull - 10, 20}, {1, ~0ull}, {~0ull, ~0ull}};
    for (const Range &r : bad) {
        SCOPED_TRACE("offset " + std::to_string(r.off) + " size " + std::to_string(r.size));
        EXPECT_REJECTED(mlb_stream_copy_host_to_device(s.get(), b.get(), r.off, src.data(), r.size),
                        MLB_ERROR_OUT_OF_RANGE);
        EXPECT_REJECTED(mlb_stream_copy_device_to_host(s.get(), dst.data(), b.get(), r.off, r.size),
                        MLB_ERROR_OUT_OF_RANGE);
        EXPECT_REJECTED(mlb_stream_memset(s.get(), b.get(), r.off, 0x33, r.size),
                        MLB_ERROR_OUT_OF_RANGE);
        EXPECT_REJECTED(
            mlb_stream_copy_device_to_device(s.get(), b.get(), r.off, other.get(), 0, r.size),
            MLB_ERROR_OUT_OF_RANGE);
        EXPECT_REJECTED(
            mlb_stream_copy_device_to_device(s.get(), other.get(), 0, b.get(), r.off, r.size),
            MLB_ERROR_OUT_OF_RANGE);
    }
    EXPECT_MLB_OK(mlb_stream_synchronize(s.get())) << "a rejected call left an error behind";
    EXPECT_TRUE(AllBytesAre(dst.data(), dst.size(), 0x99, "host destination of refused d2h"));
    auto &got = HostVector<uint8_t>(n);
    ASSERT_MLB_OK(mlb_stream_copy_device_to_host(s.get(), got.data(), b.get(), 0, n));
    ASSERT_MLB_OK(mlb_stream_synchronize(s.get()));
    EXPECT_TRUE(AllBytesAre(got.data(), n, 0x11, "buffer after refused writes"));
    ASSERT_MLB_OK(mlb_stream_copy_device_to_host(s.get(), got.data(), other.get(), 0, n));
    ASSERT_MLB_OK(mlb_stream_synchronize(s.get()));
    EXPECT_TRUE(AllBytesAre(got.data(), n, 0x22, "other buffer after refused copies"));

    // Edges that are inside: the last byte, and empty ranges at the end.
    EXPECT_MLB_OK(mlb_stream_memset(s.get(), b.get(), n - 1, 0x44, 1));
    EXPECT_MLB_OK(mlb_stream_memset(s.get(), b.get(), n, 0x44, 0));
    EXPECT_MLB_OK(mlb_stream_copy_host_to_device(s.get(), b.get(), n, src.data(), 0));
    EXPECT_MLB_OK(mlb_stream_synchronize(s.get()));
}

} // namespace
} // namespace api
} // namespace mlbc
