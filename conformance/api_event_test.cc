// api_event_test.cc - events: never-recorded events are complete, cross-stream ordering
// through record + wait, re-recording, and timing events.
#include <cmath>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "api_util.h"

namespace mlbc {
namespace api {
namespace {

class Api_Events : public DeviceTest {};

TEST_F(Api_Events, NeverRecordedIsComplete) {
    for (uint32_t flags : {0u, (uint32_t)MLB_EVENT_TIMING}) {
        Event e;
        ASSERT_MLB_OK(NewEvent(dev, &e, flags)) << "flags " << flags;
        EXPECT_MLB_OK(mlb_event_query(e.get()));
        EXPECT_MLB_OK(mlb_event_synchronize(e.get()));
        // A wait on it does not hold a stream.
        Stream s;
        ASSERT_MLB_OK(NewStream(dev, &s));
        EXPECT_MLB_OK(mlb_stream_wait_event(s.get(), e.get()));
        EXPECT_MLB_OK(mlb_stream_synchronize(s.get()));
    }
}

TEST_F(Api_Events, RecordCompletesAfterEarlierWork) {
    const uint64_t n = 4 << 20;
    Buffer b;
    ASSERT_MLB_OK(NewBuffer(dev, n, &b));
    const std::vector<uint8_t> src = Pattern(n, 40);
    auto &got = HostVector<uint8_t>(n, 0);
    Stream s;
    ASSERT_MLB_OK(NewStream(dev, &s));
    Event e;
    ASSERT_MLB_OK(NewEvent(dev, &e));
    Gate gate(std::chrono::milliseconds(5000));
    const bool gated = gate.Hold(s.get());
    ASSERT_MLB_OK(mlb_stream_copy_host_to_device(s.get(), b.get(), 0, src.data(), n));
    ASSERT_MLB_OK(mlb_stream_copy_device_to_host(s.get(), got.data(), b.get(), 0, n));
    ASSERT_MLB_OK(mlb_event_record(e.get(), s.get()));
    if (gated) {
        EXPECT_STATUS(mlb_event_query(e.get()), MLB_NOT_READY) << "recorded behind a closed gate";
        gate.Open();
    }
    ASSERT_MLB_OK(mlb_event_synchronize(e.get()));
    EXPECT_TRUE(BytesEqual(got.data(), src.data(), n, "after event_synchronize"));
    EXPECT_MLB_OK(mlb_event_query(e.get()));
}

// Stream A produces, records E; stream B waits on E, then reads. The read must see A's
// result. A is held by a host callback (or, without callbacks, by a long chain of work), so a
// plugin that ignored the wait would let B read too early.
TEST_F(Api_Events, WaitOrdersAcrossStreams) {
    const uint64_t n = 4 << 20;
    Buffer data, scratch;
    ASSERT_MLB_OK(NewBuffer(dev, n, &data));
    ASSERT_MLB_OK(NewBuffer(dev, 32 << 20, &scratch));
    auto &got = HostVector<uint8_t>(n, 0);
    const std::vector<uint8_t> src = Pattern(n, 41);
    Stream a, b;
    ASSERT_MLB_OK(NewStream(dev, &a));
    ASSERT_MLB_OK(NewStream(dev, &b));
    Event e;
    ASSERT_MLB_OK(NewEvent(dev, &e));
    ASSERT_MLB_OK(mlb_stream_memset(a.get(), data.get(), 0, 0, n));
    ASSERT_MLB_OK(mlb_stream_synchronize(a.get()));

    Gate gate(std::chrono::milliseconds(5000));
    const bool gated = gate.Hold(a.get());
    if (!gated)
        BusyWork(a.get(), scratch.get(), 24);
    ASSERT_MLB_OK(mlb_stream_copy_host_to_device(a.get(), data.get(), 0, src.data(), n));
    ASSERT_MLB_OK(mlb_event_record(e.get(), a.get()));
    ASSERT_MLB_OK(mlb_stream_wait_event(b.get(), e.get()));
    ASSERT_MLB_OK(mlb_stream_copy_device_to_host(b.get(), got.data(), data.get(), 0, n));
    if (gated) {
        // B cannot finish while A is held: give a plugin that ignores the wait time to run B.
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        EXPECT_STATUS(mlb_stream_query(b.get()), MLB_NOT_READY)
            << "stream B ran past a wait on an event that has not completed";
        EXPECT_STATUS(mlb_event_query(e.get()), MLB_NOT_READY);
        gate.Open();
    }
    ASSERT_MLB_OK(mlb_stream_synchronize(b.get()));
    EXPECT_TRUE(BytesEqual(got.data(), src.data(), n, "stream B's read after waiting on A"));
    EXPECT_MLB_OK(mlb_event_query(e.get()));
}

// The wait is for the record that was latest when stream_wait_event was called; re-recording
// replaces the event's record for later queries and synchronizes.
TEST_F(Api_Events, ReRecordReplaces) {
    const uint64_t n = 1 << 20;
    Buffer buf;
    ASSERT_MLB_OK(NewBuffer(dev, n, &buf));
    const std::vector<uint8_t> src = Pattern(n, 42);
    auto &got = HostVector<uint8_t>(n, 0);
    Stream s1, s2;
    ASSERT_MLB_OK(NewStream(dev, &s1));
    ASSERT_MLB_OK(NewStream(dev, &s2));
    Event e;
    ASSERT_MLB_OK(NewEvent(dev, &e));

    // Without callbacks: the event follows its latest record, on another stream.
    ASSERT_MLB_OK(mlb_event_record(e.get(), s1.get()));
    ASSERT_MLB_OK(mlb_stream_copy_host_to_device(s2.get(), buf.get(), 0, src.data(), n));
    ASSERT_MLB_OK(mlb_stream_copy_device_to_host(s2.get(), got.data(), buf.get(), 0, n));
    ASSERT_MLB_OK(mlb_event_record(e.get(), s2.get()));
    ASSERT_MLB_OK(mlb_event_synchronize(e.get()));
    EXPECT_TRUE(BytesEqual(got.data(), src.data(), n, "work before the latest record"));

    // With a callback holding s1: a record on s1 is pending; re-recorded on the idle s2, the
    // event completes at once, while s1 is still held.
    Gate gate(std::chrono::milliseconds(5000));
    if (!gate.Hold(s1.get()))
        GTEST_SKIP() << "the pending-record half needs a stream held by a host callback: the "
                        "plugin has no callbacks or runs them at enqueue (the rest passed)";
    ASSERT_MLB_OK(mlb_event_record(e.get(), s1.get()));
    EXPECT_STATUS(mlb_event_query(e.get()), MLB_NOT_READY);
    ASSERT_MLB_OK(mlb_stream_synchronize(s2.get()));
    ASSERT_MLB_OK(mlb_event_record(e.get(), s2.get()));
    Stopwatch w;
    EXPECT_MLB_OK(mlb_event_synchronize(e.get()));
    EXPECT_LT(w.Ms(), 2500.0) << "event_synchronize waited for the replaced record";
    EXPECT_MLB_OK(mlb_event_query(e.get()));
    EXPECT_FALSE(gate.Left()) << "the gate should still hold s1";
    gate.Open();
    EXPECT_MLB_OK(mlb_stream_synchronize(s1.get()));
}

// Destroying an event does not cancel a wait already enqueued on it.
TEST_F(Api_Events, DestroyedEventKeepsEnqueuedWait) {
    const uint64_t n = 1 << 20;
    Buffer buf;
    ASSERT_MLB_OK(NewBuffer(dev, n, &buf));
    const std::vector<uint8_t> src = Pattern(n, 43);
    auto &got = HostVector<uint8_t>(n, 0);
    Stream a, b;
    ASSERT_MLB_OK(NewStream(dev, &a));
    ASSERT_MLB_OK(NewStream(dev, &b));
    Gate gate(std::chrono::milliseconds(5000));
    if (!gate.Hold(a.get()))
        GTEST_SKIP() << "needs a stream held by a host callback: the plugin has no callbacks or "
                        "runs them at enqueue";
    ASSERT_MLB_OK(mlb_stream_copy_host_to_device(a.get(), buf.get(), 0, src.data(), n));
    {
        Event e;
        ASSERT_MLB_OK(NewEvent(dev, &e));
        ASSERT_MLB_OK(mlb_event_record(e.get(), a.get()));
        ASSERT_MLB_OK(mlb_stream_wait_event(b.get(), e.get()));
    } // destroyed while its record is pending
    ASSERT_MLB_OK(mlb_stream_copy_device_to_host(b.get(), got.data(), buf.get(), 0, n));
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    EXPECT_STATUS(mlb_stream_query(b.get()), MLB_NOT_READY);
    gate.Open();
    ASSERT_MLB_OK(mlb_stream_synchronize(b.get()));
    EXPECT_TRUE(BytesEqual(got.data(), src.data(), n, "read after a wait on a destroyed event"));
}

TEST_F(Api_Events, TimingEvents) {
    Event start, end, plain;
    ASSERT_MLB_OK(NewEvent(dev, &start, MLB_EVENT_TIMING));
    ASSERT_MLB_OK(NewEvent(dev, &end, MLB_EVENT_TIMING));
    ASSERT_MLB_OK(NewEvent(dev, &plain));
    float ms = -1.0f;
    mlb_status st = mlb_event_elapsed_ms(start.get(), end.get(), &ms);
    if (st == MLB_ERROR_UNSUPPORTED) {
        EXPECT_EQ(PluginFeatures() & MLB_FEATURE_TIMING_EVENTS, 0u)
            << "MLB_FEATURE_TIMING_EVENTS is set but event_elapsed_ms is unsupported";
        GTEST_SKIP() << "the plugin offers no timing events";
    }
    EXPECT_STATUS(st, MLB_ERROR_INVALID_STATE) << "never-recorded timing events";

    Buffer b;
    ASSERT_MLB_OK(NewBuffer(dev, 8 << 20, &b));
    Stream s;
    ASSERT_MLB_OK(NewStream(dev, &s));
    Gate gate(std::chrono::milliseconds(5000));
    ASSERT_MLB_OK(mlb_event_record(start.get(), s.get()));
    ASSERT_MLB_OK(mlb_event_record(plain.get(), s.get()));
    const bool gated = gate.Hold(s.get());
    ASSERT_MLB_OK(mlb_stream_memset(s.get(), b.get(), 0, 7, 8 << 20));
    ASSERT_MLB_OK(mlb_event_record(end.get(), s.get()));
    if (gated) {
        ms = -1.0f;
        EXPECT_STATUS(mlb_event_elapsed_ms(start.get(), end.get(), &ms), MLB_NOT_READY)
            << "end is pending";
        EXPECT_EQ(ms, -1.0f) << "ms written while not ready";
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        gate.Open();
    }
    ASSERT_MLB_OK(mlb_event_synchronize(end.get()));
    ASSERT_MLB_OK(mlb_event_synchronize(start.get()));
    ms = -1.0f;
    ASSERT_MLB_OK(mlb_event_elapsed_ms(start.get(), end.get(), &ms));
    EXPECT_TRUE(std::isfinite(ms));
    EXPECT_GE(ms, 0.0f);
    if (gated) {
        EXPECT_GE(ms, 50.0f) << "the stream was held 100 ms between the two records";
    }
    EXPECT_LT(ms, 60000.0f);
    // Non-timing events.
    EXPECT_REJECTED(mlb_event_elapsed_ms(plain.get(), end.get(), &ms), MLB_ERROR_INVALID_STATE);
    EXPECT_REJECTED(mlb_event_elapsed_ms(start.get(), plain.get(), &ms), MLB_ERROR_INVALID_STATE);
}

} // namespace
} // namespace api
} // namespace mlbc
