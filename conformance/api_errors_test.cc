// api_errors_test.cc - status names and messages, and an asynchronous failure (a gather index
// out of range): accepted at enqueue, reported at synchronize with the plugin and the op,
// sticky on its stream and its later events, invisible to the device's other streams.
#include <cstring>
#include <set>
#include <string>
#include <vector>

#include "api_util.h"

namespace mlbc {
namespace api {
namespace {

class Api_Errors : public DeviceTest {};

// Statuses belong to libmlb, but every plugin's results are read through them: checked once
// per run, with the device rule of every API test.
TEST_F(Api_Errors, EveryStatusHasNameAndMessage) {
    struct Known {
        mlb_status value;
        const char *name;
        const char *message;
    };
#define MLBC_KNOWN_STATUS(name, value, message) {value, "MLB_" #name, message},
    const Known known[] = {MLB_STATUS_MAP(MLBC_KNOWN_STATUS)};
#undef MLBC_KNOWN_STATUS
    ASSERT_EQ(sizeof known / sizeof known[0], (size_t)MLB_STATUS_COUNT_);
    std::set<std::string> names, messages;
    for (mlb_status st = 0; st < MLB_STATUS_COUNT_; ++st) {
        const char *name = mlb_status_name(st);
        const char *message = mlb_status_message(st);
        ASSERT_NE(name, nullptr) << "status " << st;
        ASSERT_NE(message, nullptr) << "status " << st;
        EXPECT_STRNE(name, "") << "status " << st;
        EXPECT_STRNE(message, "") << "status " << st;
        EXPECT_STRNE(name, "MLB_UNKNOWN_STATUS") << "status " << st;
        EXPECT_TRUE(names.insert(name).second) << "duplicate name " << name;
        EXPECT_TRUE(messages.insert(message).second) << "duplicate message " << message;
    }
    for (const Known &k : known) {
        EXPECT_STREQ(mlb_status_name(k.value), k.name);
        EXPECT_STREQ(mlb_status_message(k.value), k.message);
    }
    for (mlb_status st : {(mlb_status)-1, (mlb_status)MLB_STATUS_COUNT_, (mlb_status)1000,
                          (mlb_status)INT32_MIN, (mlb_status)INT32_MAX}) {
        EXPECT_STREQ(mlb_status_name(st), "MLB_UNKNOWN_STATUS") << "status " << st;
        EXPECT_STREQ(mlb_status_message(st), "unknown status") << "status " << st;
    }
    EXPECT_NE(mlb_last_error(), nullptr);
}

// gather f32 data [4, 3] along axis 0 with i64 indices [2] = {1, bad}.
struct BadGather {
    mlb_tensor_desc data, indices, out;
    const mlb_tensor_desc *ins[2];
    const mlb_tensor_desc *outs[1];
    mlb_axis_attrs attrs;
    mlb_op_desc op;
    BadGather() {
        const int64_t ds[2] = {4, 3}, is[1] = {2}, os[2] = {2, 3};
        mlb_tensor_desc_contiguous(&data, MLB_DTYPE_F32, 2, ds);
        mlb_tensor_desc_contiguous(&indices, MLB_DTYPE_I64, 1, is);
        mlb_tensor_desc_contiguous(&out, MLB_DTYPE_F32, 2, os);
        ins[0] = &data;
        ins[1] = &indices;
        outs[0] = &out;
        std::memset(&attrs, 0, sizeof attrs);
        attrs.struct_size = MLB_STRUCT_SIZE(mlb_axis_attrs, axis);
        attrs.axis = 0;
        std::memset(&op, 0, sizeof op);
        op.struct_size = MLB_STRUCT_SIZE(mlb_op_desc, attrs);
        op.op = MLB_OP_GATHER;
        op.num_inputs = 2;
        op.num_outputs = 1;
        op.inputs = ins;
        op.outputs = outs;
        op.attrs = &attrs;
    }
};

TEST_F(Api_Errors, AsyncErrorIsStickyAndReported) {
    BadGather g;
    mlb_status st = mlb_op_supported(dev, &g.op);
    if (st == MLB_ERROR_UNSUPPORTED)
        GTEST_SKIP() << "the device declines gather f32 with i64 indices (needed to cause an "
                        "asynchronous error)";
    ASSERT_MLB_OK(st);
    Kernel k;
    {
        mlb_kernel kk = nullptr;
        ASSERT_MLB_OK(mlb_kernel_create(dev, &g.op, &kk));
        k.reset(kk);
    }
    const float data[12] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
    const int64_t bad_indices[2] = {1, 7}; // 7 is outside [-4, 4)
    Buffer bdata, bidx, bout, probe, other;
    ASSERT_MLB_OK(NewBuffer(dev, sizeof data, &bdata));
    ASSERT_MLB_OK(NewBuffer(dev, sizeof bad_indices, &bidx));
    ASSERT_MLB_OK(NewBuffer(dev, 6 * sizeof(float), &bout));
    ASSERT_MLB_OK(NewBuffer(dev, 4096, &probe));
    ASSERT_MLB_OK(NewBuffer(dev, 4096, &other));
    auto &probe_got = HostVector<uint8_t>(4096, 0);
    auto &other_got = HostVector<uint8_t>(4096, 0);

    Stream bad, good;
    ASSERT_MLB_OK(NewStream(dev, &bad));
    ASSERT_MLB_OK(NewStream(dev, &good));
    Event before, after, after_wait;
    ASSERT_MLB_OK(NewEvent(dev, &before));
    ASSERT_MLB_OK(NewEvent(dev, &after));
    ASSERT_MLB_OK(NewEvent(dev, &after_wait));

    ASSERT_MLB_OK(mlb_stream_copy_host_to_device(bad.get(), bdata.get(), 0, data, sizeof data));
    ASSERT_MLB_OK(
        mlb_stream_copy_host_to_device(bad.get(), bidx.get(), 0, bad_indices, sizeof bad_indices));
    ASSERT_MLB_OK(mlb_stream_memset(bad.get(), probe.get(), 0, 0x11, 4096));
    ASSERT_MLB_OK(mlb_event_record(before.get(), bad.get()));
    const mlb_buffer ins[2] = {bdata.get(), bidx.get()};
    const mlb_buffer outs[1] = {bout.get()};
    // Data-dependent: accepted at enqueue, fails when it runs.
    ASSERT_MLB_OK(mlb_kernel_launch(k.get(), bad.get(), ins, 2, outs, 1));
    // Later work on the failed stream is accepted and skipped.
    EXPECT_MLB_OK(mlb_stream_memset(bad.get(), probe.get(), 0, 0xEE, 4096));
    ASSERT_MLB_OK(mlb_event_record(after.get(), bad.get()));

    const std::string primer = PrimeLastError();
    EXPECT_STATUS(mlb_stream_synchronize(bad.get()), MLB_ERROR_OUT_OF_RANGE);
    const std::string why = mlb_last_error();
    EXPECT_NE(why, primer) << "mlb_last_error() not set by stream_synchronize";
    EXPECT_NE(why.find(target().plugin_name), std::string::npos)
        << "mlb_last_error() does not name the plugin: \"" << why << "\"";
    EXPECT_NE(why.find("gather"), std::string::npos)
        << "mlb_last_error() does not name the op: \"" << why << "\"";

    // Sticky: every later query and synchronize of the stream, and events recorded after it.
    EXPECT_STATUS(mlb_stream_query(bad.get()), MLB_ERROR_OUT_OF_RANGE);
    EXPECT_STATUS(mlb_stream_synchronize(bad.get()), MLB_ERROR_OUT_OF_RANGE);
    EXPECT_STATUS(mlb_event_synchronize(after.get()), MLB_ERROR_OUT_OF_RANGE);
    EXPECT_STATUS(mlb_event_query(after.get()), MLB_ERROR_OUT_OF_RANGE);
    EXPECT_MLB_OK(mlb_event_synchronize(before.get())) << "recorded before the failure";
    EXPECT_MLB_OK(mlb_event_query(before.get()));
    EXPECT_MLB_OK(mlb_stream_memset(bad.get(), probe.get(), 0, 0xDD, 4096))
        << "enqueue on a failed stream is accepted";
    ASSERT_MLB_OK(mlb_event_record(after_wait.get(), bad.get()));
    EXPECT_STATUS(mlb_event_synchronize(after_wait.get()), MLB_ERROR_OUT_OF_RANGE);
    EXPECT_STATUS(mlb_stream_synchronize(bad.get()), MLB_ERROR_OUT_OF_RANGE);

    // The device's other stream works; waiting on the failed stream's event does not pass the
    // error on; the work skipped on the failed stream left the probe buffer as it was.
    ASSERT_MLB_OK(mlb_stream_wait_event(good.get(), after.get()));
    ASSERT_MLB_OK(mlb_stream_memset(good.get(), other.get(), 0, 0x5C, 4096));
    ASSERT_MLB_OK(
        mlb_stream_copy_device_to_host(good.get(), other_got.data(), other.get(), 0, 4096));
    ASSERT_MLB_OK(
        mlb_stream_copy_device_to_host(good.get(), probe_got.data(), probe.get(), 0, 4096));
    EXPECT_MLB_OK(mlb_stream_synchronize(good.get()));
    EXPECT_MLB_OK(mlb_stream_query(good.get()));
    EXPECT_TRUE(AllBytesAre(other_got.data(), 4096, 0x5C, "the healthy stream's work"));
    EXPECT_TRUE(AllBytesAre(probe_got.data(), 4096, 0x11, "work skipped after the failure"));

    // A callback on the failed stream receives the sticky error.
    Gate gate(std::chrono::milliseconds(0));
    if (gate.Enqueue(bad.get()) == MLB_OK) {
        EXPECT_STATUS(mlb_stream_synchronize(bad.get()), MLB_ERROR_OUT_OF_RANGE);
        EXPECT_TRUE(gate.WaitEntered(std::chrono::milliseconds(1000)));
        EXPECT_STATUS(gate.StatusSeen(), MLB_ERROR_OUT_OF_RANGE);
    }

    // device_synchronize reports the failed stream while it lives; not after it is gone.
    EXPECT_STATUS(mlb_device_synchronize(dev), MLB_ERROR_OUT_OF_RANGE);
    bad.reset();
    EXPECT_MLB_OK(mlb_device_synchronize(dev));
}

// A descriptor that breaks the op's rules is refused by op_supported and kernel_create with
// INVALID_ARGUMENT (not a crash, not UNSUPPORTED), with a detail.
TEST_F(Api_Errors, OpRuleViolationsAreInvalidArgument) {
    BadGather g;
    if (mlb_op_supported(dev, &g.op) == MLB_ERROR_UNSUPPORTED)
        GTEST_SKIP() << "the device declines gather f32 with i64 indices";
    // Output shape that does not follow from the inputs.
    const int64_t wrong[2] = {3, 3};
    ASSERT_MLB_OK(mlb_tensor_desc_contiguous(&g.out, MLB_DTYPE_F32, 2, wrong));
    EXPECT_REJECTED(mlb_op_supported(dev, &g.op), MLB_ERROR_INVALID_ARGUMENT);
    mlb_kernel k = reinterpret_cast<mlb_kernel>(0x5a5a);
    EXPECT_REJECTED(mlb_kernel_create(dev, &g.op, &k), MLB_ERROR_INVALID_ARGUMENT);
    EXPECT_EQ(k, reinterpret_cast<mlb_kernel>(0x5a5a)) << "kernel written on failure";
    // Axis out of range.
    BadGather h;
    h.attrs.axis = 2;
    EXPECT_REJECTED(mlb_op_supported(dev, &h.op), MLB_ERROR_INVALID_ARGUMENT);
    // Indices of a float dtype.
    BadGather f;
    const int64_t is[1] = {2};
    ASSERT_MLB_OK(mlb_tensor_desc_contiguous(&f.indices, MLB_DTYPE_F32, 1, is));
    EXPECT_REJECTED(mlb_op_supported(dev, &f.op), MLB_ERROR_INVALID_ARGUMENT);
}

} // namespace
} // namespace api
} // namespace mlbc
