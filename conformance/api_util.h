// api_util.h - what the API contract tests (api_*_test.cc) share: the skip rule for a plugin
// without a device, status assertions that print the loader's detail, owning handles, byte
// patterns, and a "gate" (a host callback that holds a stream until the test opens it).
#ifndef MLBC_API_UTIL_H
#define MLBC_API_UTIL_H

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "harness.h"
#include "mlb.h"

namespace mlbc {
namespace api {

// ---- statuses ------------------------------------------------------------------------------

// "MLB_ERROR_OUT_OF_RANGE (6)".
inline std::string StatusText(mlb_status st) {
    return std::string(mlb_status_name(st)) + " (" + std::to_string(st) + ")";
}

// Passes when `got` is `want`; on failure names both and the loader's detail.
inline ::testing::AssertionResult StatusIs(const char *got_expr, const char * /*want_expr*/,
                                           mlb_status got, mlb_status want) {
    if (got == want)
        return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure()
           << got_expr << " returned " << StatusText(got) << ", expected " << StatusText(want)
           << "; mlb_last_error: \"" << mlb_last_error() << "\"";
}

#define EXPECT_STATUS(call, want) EXPECT_PRED_FORMAT2(::mlbc::api::StatusIs, call, want)
#define ASSERT_STATUS(call, want) ASSERT_PRED_FORMAT2(::mlbc::api::StatusIs, call, want)
#define EXPECT_MLB_OK(call) EXPECT_STATUS(call, MLB_OK)
#define ASSERT_MLB_OK(call) ASSERT_STATUS(call, MLB_OK)

// Makes mlb_last_error() hold a known text, so that a check after a failing call can tell a
// fresh message from a stale one.
inline std::string PrimeLastError() {
    mlb_attr_value v;
    std::memset(&v, 0, sizeof v);
    v.struct_size = MLB_STRUCT_SIZE(mlb_attr_value, str);
    mlb_device_get_attribute(nullptr, "mlb_conformance_primer", &v);
    return mlb_last_error();
}

// A call that must be rejected with exactly `want` and leave a fresh, non-empty detail.
#define EXPECT_REJECTED(call, want)                                                                \
    do {                                                                                           \
        const std::string primer_ = ::mlbc::api::PrimeLastError();                                 \
        EXPECT_STATUS(call, want);                                                                 \
        const std::string detail_ = mlb_last_error();                                              \
        EXPECT_FALSE(detail_.empty()) << #call << ": mlb_last_error() is empty";                   \
        EXPECT_NE(detail_, primer_) << #call << ": mlb_last_error() was not set by this call";     \
    } while (0)

// ---- the device under test --------------------------------------------------------------------

// The reason every test gives when the plugin has no device here.
inline std::string NoDeviceReason() {
    return "plugin " + target().plugin_name + " has no device on this machine";
}

// Base of every API test that needs the device: skips when there is none.
class DeviceTest : public ::testing::Test {
  protected:
    void SetUp() override {
        if (!target().device)
            GTEST_SKIP() << NoDeviceReason();
        dev = target().device;
    }
    // Host memory that outlives every stream of the test body (the fixture is destroyed after
    // the body's locals): a plugin whose synchronize returns early may still write into it when
    // a stream is destroyed at scope exit, and that must be a test failure, not a crash.
    template <class T> std::vector<T> &HostVector(size_t n, T fill = T()) {
        auto v = std::make_shared<std::vector<T>>(n, fill);
        keep_alive_.push_back(v);
        return *v;
    }
    mlb_device dev = nullptr;

  private:
    std::vector<std::shared_ptr<void>> keep_alive_;
};

// The loader's record of the plugin under test (features, real path), found by name.
inline bool PluginInfo(mlb_plugin_info *info) {
    mlb_context ctx = target().context;
    for (uint32_t i = 0; i < mlb_context_plugin_count(ctx); ++i) {
        std::memset(info, 0, sizeof *info);
        info->struct_size = MLB_STRUCT_SIZE(mlb_plugin_info, features);
        if (mlb_context_plugin_info(ctx, i, info) == MLB_OK && info->state == MLB_PLUGIN_LOADED &&
            target().plugin_name == info->name)
            return true;
    }
    return false;
}

inline uint64_t PluginFeatures() {
    mlb_plugin_info info;
    return PluginInfo(&info) ? info.features : 0;
}

inline mlb_device_props DeviceProps(mlb_device d) {
    mlb_device_props p;
    std::memset(&p, 0, sizeof p);
    p.struct_size = MLB_STRUCT_SIZE(mlb_device_props, uuid);
    EXPECT_MLB_OK(mlb_device_get_props(d, &p));
    return p;
}

inline mlb_memory_kind_info MemoryKind(mlb_device d, uint32_t index) {
    mlb_memory_kind_info k;
    std::memset(&k, 0, sizeof k);
    k.struct_size = MLB_STRUCT_SIZE(mlb_memory_kind_info, total_size);
    EXPECT_MLB_OK(mlb_device_get_memory_kind(d, index, &k));
    return k;
}

// ---- owning handles (destroyed in reverse order of declaration: declare host memory and
// buffers before the streams that use them, and gates after those streams) ----------------------

struct BufferFree {
    void operator()(mlb_buffer b) const {
        mlb_buffer_free(b);
    }
};
struct StreamDestroy {
    void operator()(mlb_stream s) const {
        mlb_stream_destroy(s);
    }
};
struct EventDestroy {
    void operator()(mlb_event e) const {
        mlb_event_destroy(e);
    }
};
struct KernelDestroy {
    void operator()(mlb_kernel k) const {
        mlb_kernel_destroy(k);
    }
};
using Buffer = std::unique_ptr<mlb_buffer_s, BufferFree>;
using Stream = std::unique_ptr<mlb_stream_s, StreamDestroy>;
using Event = std::unique_ptr<mlb_event_s, EventDestroy>;
using Kernel = std::unique_ptr<mlb_kernel_s, KernelDestroy>;

inline mlb_buffer_desc BufferDesc(uint64_t size, uint32_t kind = 0, uint64_t alignment = 0) {
    mlb_buffer_desc d;
    std::memset(&d, 0, sizeof d);
    d.struct_size = MLB_STRUCT_SIZE(mlb_buffer_desc, alignment);
    d.memory_kind = kind;
    d.size = size;
    d.alignment = alignment;
    return d;
}

inline mlb_status NewBuffer(mlb_device d, uint64_t size, Buffer *out, uint32_t kind = 0,
                            uint64_t alignment = 0) {
    mlb_buffer_desc desc = BufferDesc(size, kind, alignment);
    mlb_buffer b = nullptr;
    mlb_status st = mlb_buffer_alloc(d, &desc, &b);
    out->reset(st == MLB_OK ? b : nullptr);
    return st;
}

inline mlb_status NewStream(mlb_device d, Stream *out, int32_t priority = 0) {
    mlb_stream s = nullptr;
    mlb_status st = mlb_stream_create(d, priority, &s);
    out->reset(st == MLB_OK ? s : nullptr);
    return st;
}

inline mlb_status NewEvent(mlb_device d, Event *out, uint32_t flags = 0) {
    mlb_event e = nullptr;
    mlb_status st = mlb_event_create(d, flags, &e);
    out->reset(st == MLB_OK ? e : nullptr);
    return st;
}

// ---- data --------------------------------------------------------------------------------------

// Deterministic bytes from a seed (xorshift64*), never all equal.
inline std::vector<uint8_t> Pattern(size_t n, uint64_t seed) {
    std::vector<uint8_t> v(n);
    uint64_t x = seed * 0x9E3779B97F4A7C15ull + 0x632BE59BD9B4E019ull;
    for (size_t i = 0; i < n; ++i) {
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        v[i] = (uint8_t)((x * 0x2545F4914F6CDD1Dull) >> 56);
    }
    return v;
}

// Passes when the n bytes are equal; else names the first differing byte.
inline ::testing::AssertionResult BytesEqual(const uint8_t *got, const uint8_t *want, size_t n,
                                             const std::string &what) {
    for (size_t i = 0; i < n; ++i) {
        if (got[i] != want[i])
            return ::testing::AssertionFailure()
                   << what << ": first difference at byte " << i << " of " << n << ": got 0x"
                   << std::hex << (int)got[i] << ", expected 0x" << (int)want[i] << std::dec;
    }
    return ::testing::AssertionSuccess();
}

inline ::testing::AssertionResult AllBytesAre(const uint8_t *got, size_t n, uint8_t value,
                                              const std::string &what) {
    std::vector<uint8_t> want(n, value);
    return BytesEqual(got, want.data(), n, what);
}

// Keeps `stream` busy for a while with memsets over a scratch buffer, so that work enqueued
// next runs late (for a plugin without host callbacks, where a gate is impossible).
inline void BusyWork(mlb_stream stream, mlb_buffer scratch, int rounds) {
    const uint64_t n = mlb_buffer_size(scratch);
    for (int i = 0; i < rounds; ++i)
        EXPECT_MLB_OK(mlb_stream_memset(stream, scratch, 0, (uint8_t)i, n));
}

// ---- gates -------------------------------------------------------------------------------------

struct GateState {
    std::mutex mu;
    std::condition_variable cv;
    bool open = false;
    bool entered = false;
    bool left = false;
    bool ran_inline = false; // the plugin ran the callback inside stream_add_callback
    mlb_status status_seen = MLB_OK;
    std::chrono::milliseconds limit{0};
    std::thread::id enqueuer;
};

// A host callback enqueued on a stream that blocks the stream until Open(), or until `limit`
// has passed (so that a broken plugin cannot hang the suite). The callback keeps the shared
// state alive, so it may outlive the Gate object. The destructor opens the gate: declare a
// Gate after the streams it blocks, so it opens before they are destroyed.
class Gate {
  public:
    explicit Gate(std::chrono::milliseconds limit = std::chrono::milliseconds(10000))
        : s_(std::make_shared<GateState>()) {
        s_->limit = limit;
    }
    ~Gate() {
        Open();
    }
    Gate(const Gate &) = delete;
    Gate &operator=(const Gate &) = delete;

    // MLB_ERROR_UNSUPPORTED when the plugin has no host callbacks.
    mlb_status Enqueue(mlb_stream stream) {
        {
            std::lock_guard<std::mutex> lk(s_->mu);
            s_->enqueuer = std::this_thread::get_id();
        }
        auto *hold = new std::shared_ptr<GateState>(s_);
        mlb_status st = mlb_stream_add_callback(stream, &Gate::Run, hold);
        if (st != MLB_OK)
            delete hold;
        return st;
    }
    // Enqueue, true when the gate now holds the stream. False when the plugin has no
    // callbacks, or runs them synchronously inside stream_add_callback (a plugin may run its
    // work before an enqueue returns; such a stream cannot be held).
    bool Hold(mlb_stream stream) {
        if (Enqueue(stream) != MLB_OK)
            return false;
        std::lock_guard<std::mutex> lk(s_->mu);
        return !s_->ran_inline;
    }
    void Open() {
        std::lock_guard<std::mutex> lk(s_->mu);
        s_->open = true;
        s_->cv.notify_all();
    }
    // Waits until the callback has started running (false after `wait`).
    bool WaitEntered(std::chrono::milliseconds wait) {
        std::unique_lock<std::mutex> lk(s_->mu);
        return s_->cv.wait_for(lk, wait, [this] { return s_->entered; });
    }
    bool Left() {
        std::lock_guard<std::mutex> lk(s_->mu);
        return s_->left;
    }
    mlb_status StatusSeen() {
        std::lock_guard<std::mutex> lk(s_->mu);
        return s_->status_seen;
    }

  private:
    static void Run(void *user_data, mlb_status status) {
        auto *hold = static_cast<std::shared_ptr<GateState> *>(user_data);
        {
            GateState &g = **hold;
            std::unique_lock<std::mutex> lk(g.mu);
            g.entered = true;
            g.status_seen = status;
            g.ran_inline = std::this_thread::get_id() == g.enqueuer;
            g.cv.notify_all();
            if (!g.ran_inline) // never block the caller of stream_add_callback
                g.cv.wait_for(lk, g.limit, [&g] { return g.open; });
            g.left = true;
            g.cv.notify_all();
        }
        delete hold;
    }
    std::shared_ptr<GateState> s_;
};

// Elapsed wall time helper.
class Stopwatch {
  public:
    Stopwatch() : t0_(std::chrono::steady_clock::now()) {}
    double Ms() const {
        return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0_)
            .count();
    }

  private:
    std::chrono::steady_clock::time_point t0_;
};

} // namespace api
} // namespace mlbc

#endif // MLBC_API_UTIL_H
