// api_stream_test.cc - streams: program order, non-blocking query, synchronize, destroy with
// queued work, host callbacks, and the device-wide synchronize.
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "api_util.h"

namespace mlbc {
namespace api {
namespace {

class Api_Streams : public DeviceTest {};

// A seeded program of dependent memsets, copies and snapshots on one stream, enqueued at once
// and synchronized once, checked against the same program run on the host: any reordering
// of two overlapping steps shows in the final contents or in a snapshot.
TEST_F(Api_Streams, OrderIsKept) {
    const uint64_t n = 4099;
    const int steps = target().full ? 2000 : 400;
    Buffer a, b;
    ASSERT_MLB_OK(NewBuffer(dev, n, &a));
    ASSERT_MLB_OK(NewBuffer(dev, n, &b));
    auto &ma = HostVector<uint8_t>(n, 0); // the host model of a and b
    auto &mb = HostVector<uint8_t>(n, 0);
    std::vector<std::vector<uint8_t>> uploads;
    std::vector<std::vector<uint8_t>> snapshots, snapshot_want;
    snapshots.reserve(steps);
    uploads.reserve(steps);
    Stream s;
    ASSERT_MLB_OK(NewStream(dev, &s));
    ASSERT_MLB_OK(mlb_stream_memset(s.get(), a.get(), 0, 0, n));
    ASSERT_MLB_OK(mlb_stream_memset(s.get(), b.get(), 0, 0, n));

    uint64_t x = target().seed * 2654435761u + 12345;
    auto next = [&x](uint64_t mod) {
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        return (x >> 33) % mod;
    };
    for (int i = 0; i < steps; ++i) {
        const uint64_t off = next(n), size = 1 + next(n - off);
        switch (next(5)) {
        case 0: { // memset a
            const uint8_t v = (uint8_t)next(256);
            ASSERT_MLB_OK(mlb_stream_memset(s.get(), a.get(), off, v, size));
            std::memset(ma.data() + off, v, size);
            break;
        }
        case 1: { // upload into a
            uploads.push_back(Pattern(size, (uint64_t)i));
            ASSERT_MLB_OK(
                mlb_stream_copy_host_to_device(s.get(), a.get(), off, uploads.back().data(), size));
            std::memcpy(ma.data() + off, uploads.back().data(), size);
            break;
        }
        case 2: { // a -> b, same region
            ASSERT_MLB_OK(
                mlb_stream_copy_device_to_device(s.get(), b.get(), off, a.get(), off, size));
            std::memcpy(mb.data() + off, ma.data() + off, size);
            break;
        }
        case 3: { // b -> a, shifted region
            const uint64_t dst = next(n - size + 1);
            ASSERT_MLB_OK(
                mlb_stream_copy_device_to_device(s.get(), a.get(), dst, b.get(), off, size));
            std::memcpy(ma.data() + dst, mb.data() + off, size);
            break;
        }
        default: { // snapshot of a at this point of the program
            snapshots.emplace_back(n, 0xEE);
            snapshot_want.push_back(ma);
            ASSERT_MLB_OK(
                mlb_stream_copy_device_to_host(s.get(), snapshots.back().data(), a.get(), 0, n));
            break;
        }
        }
    }
    auto &got_a = HostVector<uint8_t>(n);
    auto &got_b = HostVector<uint8_t>(n);
    ASSERT_MLB_OK(mlb_stream_copy_device_to_host(s.get(), got_a.data(), a.get(), 0, n));
    ASSERT_MLB_OK(mlb_stream_copy_device_to_host(s.get(), got_b.data(), b.get(), 0, n));
    ASSERT_MLB_OK(mlb_stream_synchronize(s.get()));
    EXPECT_TRUE(BytesEqual(got_a.data(), ma.data(), n, "buffer a at the end"));
    EXPECT_TRUE(BytesEqual(got_b.data(), mb.data(), n, "buffer b at the end"));
    for (size_t i = 0; i < snapshots.size(); ++i) {
        ASSERT_TRUE(BytesEqual(snapshots[i].data(), snapshot_want[i].data(), n,
                               "snapshot " + std::to_string(i) + " of " +
                                   std::to_string(snapshots.size())));
    }
}

TEST_F(Api_Streams, QueryAnswersOkWhenIdle) {
    // The buffer is declared first so that it is freed after the stream is destroyed (which
    // drains it): a plugin whose synchronize returns early must fail here, not make the suite
    // free a buffer its memset is still writing.
    Buffer b;
    Stream s;
    ASSERT_MLB_OK(NewStream(dev, &s));
    EXPECT_MLB_OK(mlb_stream_query(s.get())) << "a new stream is idle";
    ASSERT_MLB_OK(NewBuffer(dev, 1 << 20, &b));
    ASSERT_MLB_OK(mlb_stream_memset(s.get(), b.get(), 0, 1, 1 << 20));
    ASSERT_MLB_OK(mlb_stream_synchronize(s.get()));
    EXPECT_MLB_OK(mlb_stream_query(s.get())) << "idle after synchronize";
    EXPECT_MLB_OK(mlb_stream_synchronize(s.get())) << "synchronize of an idle stream";
}

// A query on a stream held by a host callback answers NOT_READY at once. The gate opens by
// itself after 3 s, so a query that blocks shows as a slow call, not a hang.
TEST_F(Api_Streams, QueryDoesNotBlock) {
    Buffer b;
    ASSERT_MLB_OK(NewBuffer(dev, 4096, &b));
    Stream s;
    ASSERT_MLB_OK(NewStream(dev, &s));
    Gate gate(std::chrono::milliseconds(3000));
    if (!gate.Hold(s.get()))
        GTEST_SKIP() << "needs a stream held by a host callback: the plugin has no callbacks or "
                        "runs them at enqueue";
    ASSERT_MLB_OK(mlb_stream_memset(s.get(), b.get(), 0, 1, 4096));
    Stopwatch w;
    EXPECT_STATUS(mlb_stream_query(s.get()), MLB_NOT_READY);
    EXPECT_LT(w.Ms(), 1000.0) << "stream_query blocked";
    gate.Open();
    EXPECT_MLB_OK(mlb_stream_synchronize(s.get()));
    EXPECT_MLB_OK(mlb_stream_query(s.get()));
}

// Synchronize returns only when queued work is done: the host sees the results.
TEST_F(Api_Streams, SynchronizeWaitsForQueuedWork) {
    const uint64_t n = 8 << 20;
    Buffer b, scratch;
    ASSERT_MLB_OK(NewBuffer(dev, n, &b));
    ASSERT_MLB_OK(NewBuffer(dev, 16 << 20, &scratch));
    const std::vector<uint8_t> src = Pattern(n, 21);
    auto &got = HostVector<uint8_t>(n, 0);
    Stream s;
    ASSERT_MLB_OK(NewStream(dev, &s));
    Gate gate(std::chrono::milliseconds(150)); // opens by itself: synchronize must wait for it
    const bool gated = gate.Hold(s.get());
    BusyWork(s.get(), scratch.get(), 8);
    ASSERT_MLB_OK(mlb_stream_copy_host_to_device(s.get(), b.get(), 0, src.data(), n));
    ASSERT_MLB_OK(mlb_stream_copy_device_to_host(s.get(), got.data(), b.get(), 0, n));
    Gate last(std::chrono::milliseconds(100)); // the last command: still running unless waited
    if (gated) {
        ASSERT_MLB_OK(last.Enqueue(s.get()));
    }
    ASSERT_MLB_OK(mlb_stream_synchronize(s.get()));
    if (gated) {
        EXPECT_TRUE(gate.Left()) << "synchronize returned before the host callback finished";
        EXPECT_TRUE(last.Left()) << "synchronize returned while the last command was running";
    }
    EXPECT_TRUE(BytesEqual(got.data(), src.data(), n, "after synchronize"));
    EXPECT_MLB_OK(mlb_stream_query(s.get()));
}

// Destroying a stream first completes its queued work.
TEST_F(Api_Streams, DestroyCompletesQueuedWork) {
    const uint64_t n = 4 << 20;
    Buffer b, scratch;
    ASSERT_MLB_OK(NewBuffer(dev, n, &b));
    ASSERT_MLB_OK(NewBuffer(dev, 16 << 20, &scratch));
    const std::vector<uint8_t> src = Pattern(n, 22);
    auto &got = HostVector<uint8_t>(n, 0);
    Stream s;
    ASSERT_MLB_OK(NewStream(dev, &s));
    {
        Gate gate(std::chrono::milliseconds(100)); // opens by itself during the destroy
        gate.Enqueue(s.get());
        BusyWork(s.get(), scratch.get(), 8);
        ASSERT_MLB_OK(mlb_stream_copy_host_to_device(s.get(), b.get(), 0, src.data(), n));
        ASSERT_MLB_OK(mlb_stream_copy_device_to_host(s.get(), got.data(), b.get(), 0, n));
        mlb_stream_destroy(s.release()); // the gate is still closed here
    }
    EXPECT_TRUE(BytesEqual(got.data(), src.data(), n, "after stream_destroy"));
}

// Callbacks run after the work enqueued before them (they see its results) and in order.
TEST_F(Api_Streams, CallbacksRunInOrderAfterEarlierWork) {
    struct Seen {
        std::mutex mu;
        std::vector<int> order;
        std::vector<int> value;
        std::vector<mlb_status> status;
    } seen;
    struct Step {
        Seen *seen;
        int index;
        const uint8_t *host;
    };
    const int steps = 32;
    auto &host = HostVector<uint8_t>(steps, 0);
    auto &ctx = HostVector<Step>(steps);
    Buffer b;
    ASSERT_MLB_OK(NewBuffer(dev, 1 << 20, &b));
    Stream s;
    ASSERT_MLB_OK(NewStream(dev, &s));
    auto fn = [](void *user_data, mlb_status st) {
        Step *step = static_cast<Step *>(user_data);
        std::lock_guard<std::mutex> lk(step->seen->mu);
        step->seen->order.push_back(step->index);
        step->seen->value.push_back(step->host[step->index]);
        step->seen->status.push_back(st);
    };
    for (int i = 0; i < steps; ++i) {
        ctx[i] = Step{&seen, i, host.data()};
        ASSERT_MLB_OK(mlb_stream_memset(s.get(), b.get(), 0, (uint8_t)(i + 1), 1 << 20));
        ASSERT_MLB_OK(
            mlb_stream_copy_device_to_host(s.get(), &host[i], b.get(), (i * 4099) % (1 << 20), 1));
        mlb_status st = mlb_stream_add_callback(s.get(), fn, &ctx[i]);
        if (st == MLB_ERROR_UNSUPPORTED) {
            ASSERT_MLB_OK(mlb_stream_synchronize(s.get()));
            GTEST_SKIP() << "the plugin offers no host callbacks";
        }
        ASSERT_MLB_OK(st);
    }
    ASSERT_MLB_OK(mlb_stream_synchronize(s.get()));
    std::lock_guard<std::mutex> lk(seen.mu);
    ASSERT_EQ(seen.order.size(), (size_t)steps) << "every callback ran before synchronize returned";
    for (int i = 0; i < steps; ++i) {
        EXPECT_EQ(seen.order[i], i) << "callbacks ran out of order";
        EXPECT_EQ(seen.value[i], i + 1) << "callback " << i << " ran before the copy before it";
        EXPECT_STATUS(seen.status[i], MLB_OK);
    }
}

// device_synchronize waits for the work of every stream of the device.
TEST_F(Api_Streams, DeviceSynchronizeWaitsForAllStreams) {
    const int nstreams = 3;
    const uint64_t n = 2 << 20;
    std::vector<std::vector<uint8_t>> src, got;
    std::vector<Buffer> bufs(nstreams);
    std::vector<Buffer> scratch(nstreams);
    for (int i = 0; i < nstreams; ++i) {
        src.push_back(Pattern(n, 30 + i));
        got.emplace_back(n, 0);
        ASSERT_MLB_OK(NewBuffer(dev, n, &bufs[i]));
        ASSERT_MLB_OK(NewBuffer(dev, 8 << 20, &scratch[i]));
    }
    std::vector<Stream> streams(nstreams);
    std::vector<std::unique_ptr<Gate>> gates;
    for (int i = 0; i < nstreams; ++i) {
        ASSERT_MLB_OK(NewStream(dev, &streams[i]));
        BusyWork(streams[i].get(), scratch[i].get(), 4);
        ASSERT_MLB_OK(
            mlb_stream_copy_host_to_device(streams[i].get(), bufs[i].get(), 0, src[i].data(), n));
        ASSERT_MLB_OK(
            mlb_stream_copy_device_to_host(streams[i].get(), got[i].data(), bufs[i].get(), 0, n));
        // Last on each stream, when callbacks exist: a callback that takes a while.
        gates.emplace_back(new Gate(std::chrono::milliseconds(50 + 50 * i)));
        if (gates.back()->Enqueue(streams[i].get()) != MLB_OK)
            gates.pop_back();
    }
    ASSERT_MLB_OK(mlb_device_synchronize(dev));
    for (size_t i = 0; i < gates.size(); ++i) {
        EXPECT_TRUE(gates[i]->Left()) << "device_synchronize returned while stream " << i
                                      << " was still running its last command";
    }
    for (int i = 0; i < nstreams; ++i) {
        EXPECT_MLB_OK(mlb_stream_query(streams[i].get())) << "stream " << i << " still busy";
        EXPECT_TRUE(BytesEqual(got[i].data(), src[i].data(), n,
                               "stream " + std::to_string(i) + " after device_synchronize"));
    }
}

} // namespace
} // namespace api
} // namespace mlbc
