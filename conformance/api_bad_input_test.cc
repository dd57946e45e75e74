// api_bad_input_test.cc - bad input to every call is rejected cleanly: the exact status
// mlb.h documents, a fresh non-empty mlb_last_error(), outputs untouched, nothing enqueued,
// nothing crashed. NULL and wrong-type handles, bad descriptors (buffers, tensors, ops),
// bad launches, byte ranges that overflow, objects of two devices.
#include <cstring>
#include <string>
#include <vector>

#include "api_util.h"

namespace mlbc {
namespace api {
namespace {

class Api_BadInput : public DeviceTest {};

// An object of another type, seen through the wrong handle type.
template <typename To, typename From> To As(From p) {
    return reinterpret_cast<To>(p);
}

void NoopCallback(void *, mlb_status) {}

TEST_F(Api_BadInput, NullHandles) {
    const mlb_status H = MLB_ERROR_INVALID_HANDLE;
    mlb_device_props props;
    std::memset(&props, 0, sizeof props);
    props.struct_size = MLB_STRUCT_SIZE(mlb_device_props, uuid);
    mlb_memory_kind_info kind;
    std::memset(&kind, 0, sizeof kind);
    kind.struct_size = MLB_STRUCT_SIZE(mlb_memory_kind_info, total_size);
    mlb_memory_stats stats;
    std::memset(&stats, 0, sizeof stats);
    stats.struct_size = MLB_STRUCT_SIZE(mlb_memory_stats, total_bytes);
    mlb_attr_value attr;
    std::memset(&attr, 0, sizeof attr);
    attr.struct_size = MLB_STRUCT_SIZE(mlb_attr_value, str);
    mlb_buffer_desc bd = BufferDesc(64);
    mlb_buffer b = nullptr;
    mlb_stream s = nullptr;
    mlb_event e = nullptr;
    mlb_kernel k = nullptr;
    void *p = nullptr;
    float ms = 0;
    uint8_t host[16] = {0};

    EXPECT_REJECTED(mlb_device_get_props(nullptr, &props), H);
    EXPECT_REJECTED(mlb_device_get_memory_kind(nullptr, 0, &kind), H);
    EXPECT_REJECTED(mlb_device_synchronize(nullptr), H);
    EXPECT_REJECTED(mlb_device_get_memory_stats(nullptr, &stats), H);
    EXPECT_REJECTED(mlb_device_reset_peak_memory(nullptr), H);
    EXPECT_REJECTED(mlb_device_host_alloc(nullptr, 64, &p), H);
    EXPECT_REJECTED(mlb_buffer_alloc(nullptr, &bd, &b), H);
    EXPECT_REJECTED(mlb_buffer_host_pointer(nullptr, &p), H);
    EXPECT_REJECTED(mlb_buffer_native_handle(nullptr, &p), H);
    EXPECT_REJECTED(mlb_stream_create(nullptr, 0, &s), H);
    EXPECT_REJECTED(mlb_stream_synchronize(nullptr), H);
    EXPECT_REJECTED(mlb_stream_query(nullptr), H);
    EXPECT_REJECTED(mlb_stream_native_handle(nullptr, &p), H);
    EXPECT_REJECTED(mlb_stream_add_callback(nullptr, NoopCallback, nullptr), H);
    EXPECT_REJECTED(mlb_event_create(nullptr, 0, &e), H);
    EXPECT_REJECTED(mlb_event_synchronize(nullptr), H);
    EXPECT_REJECTED(mlb_event_query(nullptr), H);
    EXPECT_REJECTED(mlb_event_elapsed_ms(nullptr, nullptr, &ms), H);
    EXPECT_REJECTED(mlb_kernel_create(nullptr, nullptr, &k), H);
    EXPECT_REJECTED(mlb_kernel_launch(nullptr, nullptr, nullptr, 0, nullptr, 0), H);
    // device_get_attribute(NULL) is PrimeLastError's own call: checked for status only.
    EXPECT_STATUS(mlb_device_get_attribute(nullptr, "threads", &attr), H);
    EXPECT_NE(std::string(mlb_last_error()), "");
    EXPECT_EQ(b, nullptr);
    EXPECT_EQ(s, nullptr);
    EXPECT_EQ(e, nullptr);
    EXPECT_EQ(k, nullptr);
    EXPECT_EQ(mlb_device_name(nullptr), nullptr);
    EXPECT_EQ(mlb_device_plugin_name(nullptr), nullptr);
    EXPECT_EQ(mlb_buffer_size(nullptr), 0u);
    EXPECT_EQ(mlb_buffer_device(nullptr), nullptr);

    // NULL handle arguments of a live stream's calls.
    Stream live;
    ASSERT_MLB_OK(NewStream(dev, &live));
    Buffer buf;
    ASSERT_MLB_OK(NewBuffer(dev, 64, &buf));
    Event ev;
    ASSERT_MLB_OK(NewEvent(dev, &ev));
    EXPECT_REJECTED(mlb_stream_copy_host_to_device(nullptr, buf.get(), 0, host, 16), H);
    EXPECT_REJECTED(mlb_stream_copy_host_to_device(live.get(), nullptr, 0, host, 16), H);
    EXPECT_REJECTED(mlb_stream_copy_device_to_host(live.get(), host, nullptr, 0, 16), H);
    EXPECT_REJECTED(mlb_stream_copy_device_to_device(live.get(), nullptr, 0, buf.get(), 0, 16), H);
    EXPECT_REJECTED(mlb_stream_copy_device_to_device(live.get(), buf.get(), 0, nullptr, 0, 16), H);
    EXPECT_REJECTED(mlb_stream_memset(live.get(), nullptr, 0, 0, 16), H);
    EXPECT_REJECTED(mlb_stream_wait_event(live.get(), nullptr), H);
    EXPECT_REJECTED(mlb_stream_wait_event(nullptr, ev.get()), H);
    EXPECT_REJECTED(mlb_event_record(ev.get(), nullptr), H);
    EXPECT_REJECTED(mlb_event_record(nullptr, live.get()), H);
    EXPECT_REJECTED(mlb_event_elapsed_ms(ev.get(), nullptr, &ms), H);

    // Destroys accept NULL.
    mlb_buffer_free(nullptr);
    mlb_stream_destroy(nullptr);
    mlb_event_destroy(nullptr);
    mlb_kernel_destroy(nullptr);
    mlb_device_host_free(dev, nullptr);
    EXPECT_MLB_OK(mlb_stream_synchronize(live.get())) << "nothing was enqueued";
}

TEST_F(Api_BadInput, NullOutputs) {
    const mlb_status A = MLB_ERROR_INVALID_ARGUMENT;
    mlb_buffer_desc bd = BufferDesc(64);
    Stream s;
    ASSERT_MLB_OK(NewStream(dev, &s));
    Buffer b;
    ASSERT_MLB_OK(NewBuffer(dev, 64, &b));
    Event e;
    ASSERT_MLB_OK(NewEvent(dev, &e));
    mlb_tensor_desc t;
    const int64_t shape[1] = {4};
    ASSERT_MLB_OK(mlb_tensor_desc_contiguous(&t, MLB_DTYPE_F32, 1, shape));
    mlb_fill_attrs fa;
    std::memset(&fa, 0, sizeof fa);
    fa.struct_size = MLB_STRUCT_SIZE(mlb_fill_attrs, int_value);
    const mlb_tensor_desc *outs[1] = {&t};
    mlb_op_desc op;
    std::memset(&op, 0, sizeof op);
    op.struct_size = MLB_STRUCT_SIZE(mlb_op_desc, attrs);
    op.op = MLB_OP_FILL;
    op.num_outputs = 1;
    op.outputs = outs;
    op.attrs = &fa;

    EXPECT_REJECTED(mlb_device_get_props(dev, nullptr), A);
    EXPECT_REJECTED(mlb_device_get_memory_kind(dev, 0, nullptr), A);
    EXPECT_REJECTED(mlb_device_get_memory_stats(dev, nullptr), A);
    EXPECT_REJECTED(mlb_device_host_alloc(dev, 64, nullptr), A);
    EXPECT_REJECTED(mlb_buffer_alloc(dev, &bd, nullptr), A);
    EXPECT_REJECTED(mlb_buffer_host_pointer(b.get(), nullptr), A);
    EXPECT_REJECTED(mlb_buffer_native_handle(b.get(), nullptr), A);
    EXPECT_REJECTED(mlb_stream_create(dev, 0, nullptr), A);
    EXPECT_REJECTED(mlb_stream_native_handle(s.get(), nullptr), A);
    EXPECT_REJECTED(mlb_event_create(dev, 0, nullptr), A);
    EXPECT_REJECTED(mlb_event_elapsed_ms(e.get(), e.get(), nullptr), A);
    EXPECT_REJECTED(mlb_kernel_create(dev, &op, nullptr), A);
    EXPECT_REJECTED(mlb_tensor_desc_extent(&t, nullptr), A);
    EXPECT_REJECTED(mlb_tensor_desc_contiguous(nullptr, MLB_DTYPE_F32, 1, shape), A);
    // NULL inputs that are not outputs.
    EXPECT_REJECTED(mlb_stream_add_callback(s.get(), nullptr, nullptr), A);
    EXPECT_REJECTED(mlb_stream_copy_host_to_device(s.get(), b.get(), 0, nullptr, 16), A);
    EXPECT_REJECTED(mlb_stream_copy_device_to_host(s.get(), nullptr, b.get(), 0, 16), A);
    EXPECT_REJECTED(mlb_buffer_alloc(dev, nullptr, nullptr), A);
    EXPECT_REJECTED(mlb_op_supported(dev, nullptr), A);
    mlb_attr_value v;
    std::memset(&v, 0, sizeof v);
    v.struct_size = MLB_STRUCT_SIZE(mlb_attr_value, str);
    EXPECT_REJECTED(mlb_device_get_attribute(dev, nullptr, &v), A);
    EXPECT_REJECTED(mlb_device_get_attribute(dev, "", &v), A);
    EXPECT_REJECTED(mlb_device_get_attribute(dev, "threads", nullptr), A);
    void *p = nullptr;
    EXPECT_REJECTED(mlb_device_host_alloc(dev, 0, &p), A);
    EXPECT_MLB_OK(mlb_stream_synchronize(s.get()));
}

TEST_F(Api_BadInput, WrongTypeHandles) {
    const mlb_status H = MLB_ERROR_INVALID_HANDLE;
    Stream s;
    ASSERT_MLB_OK(NewStream(dev, &s));
    Buffer b;
    ASSERT_MLB_OK(NewBuffer(dev, 64, &b));
    Event e;
    ASSERT_MLB_OK(NewEvent(dev, &e));
    uint8_t host[16] = {0};
    float ms = 0;
    mlb_device_props props;
    std::memset(&props, 0, sizeof props);
    props.struct_size = MLB_STRUCT_SIZE(mlb_device_props, uuid);
    mlb_buffer_desc bd = BufferDesc(64);
    mlb_buffer nb = nullptr;
    mlb_stream ns = nullptr;

    EXPECT_REJECTED(mlb_device_get_props(As<mlb_device>(s.get()), &props), H);
    EXPECT_REJECTED(mlb_device_synchronize(As<mlb_device>(b.get())), H);
    EXPECT_REJECTED(mlb_buffer_alloc(As<mlb_device>(e.get()), &bd, &nb), H);
    EXPECT_REJECTED(mlb_stream_create(As<mlb_device>(target().context), 0, &ns), H);
    EXPECT_REJECTED(mlb_stream_synchronize(As<mlb_stream>(b.get())), H);
    EXPECT_REJECTED(mlb_stream_query(As<mlb_stream>(e.get())), H);
    EXPECT_REJECTED(mlb_stream_copy_host_to_device(s.get(), As<mlb_buffer>(s.get()), 0, host, 16),
                    H);
    EXPECT_REJECTED(mlb_stream_copy_host_to_device(As<mlb_stream>(b.get()), b.get(), 0, host, 16),
                    H);
    EXPECT_REJECTED(mlb_stream_copy_device_to_host(s.get(), host, As<mlb_buffer>(e.get()), 0, 16),
                    H);
    EXPECT_REJECTED(mlb_stream_memset(s.get(), As<mlb_buffer>(dev), 0, 0, 16), H);
    EXPECT_REJECTED(mlb_stream_wait_event(s.get(), As<mlb_event>(s.get())), H);
    EXPECT_REJECTED(mlb_event_record(As<mlb_event>(b.get()), s.get()), H);
    EXPECT_REJECTED(mlb_event_record(e.get(), As<mlb_stream>(e.get())), H);
    EXPECT_REJECTED(mlb_event_query(As<mlb_event>(s.get())), H);
    EXPECT_REJECTED(mlb_event_elapsed_ms(e.get(), As<mlb_event>(b.get()), &ms), H);
    EXPECT_REJECTED(mlb_kernel_launch(As<mlb_kernel>(s.get()), s.get(), nullptr, 0, nullptr, 0), H);
    EXPECT_EQ(mlb_buffer_size(As<mlb_buffer>(s.get())), 0u);
    EXPECT_EQ(mlb_buffer_device(As<mlb_buffer>(e.get())), nullptr);
    EXPECT_EQ(mlb_device_name(As<mlb_device>(b.get())), nullptr);
    EXPECT_EQ(nb, nullptr);
    EXPECT_EQ(ns, nullptr);

    // A destroy of the wrong type does nothing: the objects still work.
    mlb_buffer_free(As<mlb_buffer>(s.get()));
    mlb_stream_destroy(As<mlb_stream>(b.get()));
    mlb_event_destroy(As<mlb_event>(b.get()));
    mlb_kernel_destroy(As<mlb_kernel>(e.get()));
    ASSERT_MLB_OK(mlb_stream_memset(s.get(), b.get(), 0, 0x42, 64));
    ASSERT_MLB_OK(mlb_event_record(e.get(), s.get()));
    ASSERT_MLB_OK(mlb_event_synchronize(e.get()));
    uint8_t got[64];
    ASSERT_MLB_OK(mlb_stream_copy_device_to_host(s.get(), got, b.get(), 0, 64));
    ASSERT_MLB_OK(mlb_stream_synchronize(s.get()));
    EXPECT_TRUE(AllBytesAre(got, 64, 0x42, "after wrong-type destroys"));
}

TEST_F(Api_BadInput, BufferDescriptors) {
    const uint32_t kinds = DeviceProps(dev).memory_kind_count;
    mlb_buffer b = nullptr;
    mlb_buffer_desc d = BufferDesc(64);
    d.struct_size = MLB_STRUCT_SIZE(mlb_buffer_desc, size);
    {
        SCOPED_TRACE("short desc");
        EXPECT_REJECTED(mlb_buffer_alloc(dev, &d, &b), MLB_ERROR_INVALID_ARGUMENT);
    }
    d = BufferDesc(64, kinds);
    {
        SCOPED_TRACE("kind " + std::to_string(kinds));
        EXPECT_REJECTED(mlb_buffer_alloc(dev, &d, &b), MLB_ERROR_OUT_OF_RANGE);
    }
    d = BufferDesc(64, UINT32_MAX);
    EXPECT_REJECTED(mlb_buffer_alloc(dev, &d, &b), MLB_ERROR_OUT_OF_RANGE);
    d = BufferDesc(64);
    d.flags = 1;
    {
        SCOPED_TRACE("flags 1");
        EXPECT_REJECTED(mlb_buffer_alloc(dev, &d, &b), MLB_ERROR_INVALID_ARGUMENT);
    }
    for (uint64_t align : {3ull, 96ull, (1ull << 63) + 1}) {
        d = BufferDesc(64, 0, align);
        SCOPED_TRACE("alignment " + std::to_string(align));
        EXPECT_REJECTED(mlb_buffer_alloc(dev, &d, &b), MLB_ERROR_INVALID_ARGUMENT);
    }
    EXPECT_EQ(b, nullptr);
    // Impossible alignment is not a crash either: out of memory.
    d = BufferDesc(64, 0, 1ull << 62);
    EXPECT_REJECTED(mlb_buffer_alloc(dev, &d, &b), MLB_ERROR_OUT_OF_MEMORY);
    EXPECT_EQ(b, nullptr);
}

TEST_F(Api_BadInput, CopyArguments) {
    const uint64_t n = 4096;
    Buffer b, c;
    ASSERT_MLB_OK(NewBuffer(dev, n, &b));
    ASSERT_MLB_OK(NewBuffer(dev, n, &c));
    Stream s;
    ASSERT_MLB_OK(NewStream(dev, &s));
    ASSERT_MLB_OK(mlb_stream_memset(s.get(), b.get(), 0, 0x66, n));
    auto &host = HostVector<uint8_t>(n, 0x77);
    // offset + size wraps around 64 bits.
    const uint64_t big = ~0ull - 15;
    EXPECT_REJECTED(mlb_stream_copy_host_to_device(s.get(), b.get(), 32, host.data(), big),
                    MLB_ERROR_OUT_OF_RANGE);
    EXPECT_REJECTED(mlb_stream_copy_device_to_host(s.get(), host.data(), b.get(), 32, big),
                    MLB_ERROR_OUT_OF_RANGE);
    EXPECT_REJECTED(mlb_stream_copy_device_to_device(s.get(), c.get(), 32, b.get(), 0, big),
                    MLB_ERROR_OUT_OF_RANGE);
    EXPECT_REJECTED(mlb_stream_memset(s.get(), b.get(), big, 1, 32), MLB_ERROR_OUT_OF_RANGE);
    // Overlapping regions of one buffer.
    EXPECT_REJECTED(mlb_stream_copy_device_to_device(s.get(), b.get(), 0, b.get(), 100, 200),
                    MLB_ERROR_INVALID_ARGUMENT);
    EXPECT_REJECTED(mlb_stream_copy_device_to_device(s.get(), b.get(), 100, b.get(), 0, 101),
                    MLB_ERROR_INVALID_ARGUMENT);
    EXPECT_REJECTED(mlb_stream_copy_device_to_device(s.get(), b.get(), 5, b.get(), 5, 1),
                    MLB_ERROR_INVALID_ARGUMENT);
    EXPECT_MLB_OK(mlb_stream_copy_device_to_device(s.get(), b.get(), 100, b.get(), 0, 100))
        << "adjacent regions do not overlap";
    auto &got = HostVector<uint8_t>(n, 0);
    ASSERT_MLB_OK(mlb_stream_copy_device_to_host(s.get(), got.data(), b.get(), 0, n));
    EXPECT_MLB_OK(mlb_stream_synchronize(s.get()));
    EXPECT_TRUE(AllBytesAre(got.data(), n, 0x66, "buffer after refused copies"));
    EXPECT_TRUE(AllBytesAre(host.data(), n, 0x77, "host memory of refused d2h copies"));
}

// An f32 add over [4] (2 inputs, 1 output) to break in every generic way.
struct AddDesc {
    mlb_tensor_desc a, b, out;
    const mlb_tensor_desc *ins[MLB_MAX_OP_TENSORS + 1];
    const mlb_tensor_desc *outs[MLB_MAX_OP_TENSORS + 1];
    mlb_op_desc op;
    AddDesc() {
        const int64_t shape[1] = {4};
        mlb_tensor_desc_contiguous(&a, MLB_DTYPE_F32, 1, shape);
        b = a;
        out = a;
        for (int i = 0; i <= MLB_MAX_OP_TENSORS; ++i) {
            ins[i] = i % 2 ? &b : &a;
            outs[i] = &out;
        }
        std::memset(&op, 0, sizeof op);
        op.struct_size = MLB_STRUCT_SIZE(mlb_op_desc, attrs);
        op.op = MLB_OP_ADD;
        op.num_inputs = 2;
        op.num_outputs = 1;
        op.inputs = ins;
        op.outputs = outs;
    }
};

// The descriptor is refused by op_supported and kernel_create alike, and no kernel appears.
void ExpectDescRejected(mlb_device dev, const mlb_op_desc *op, mlb_status want,
                        const std::string &what) {
    SCOPED_TRACE(what);
    EXPECT_REJECTED(mlb_op_supported(dev, op), want);
    mlb_kernel k = As<mlb_kernel>(0x5a5a);
    EXPECT_REJECTED(mlb_kernel_create(dev, op, &k), want);
    EXPECT_EQ(k, As<mlb_kernel>(0x5a5a)) << "kernel written on failure";
    if (k != As<mlb_kernel>(0x5a5a))
        mlb_kernel_destroy(k);
}

TEST_F(Api_BadInput, TensorDescriptors) {
    const mlb_status A = MLB_ERROR_INVALID_ARGUMENT, R = MLB_ERROR_OUT_OF_RANGE;
    {
        AddDesc d;
        d.a.rank = 9;
        ExpectDescRejected(dev, &d.op, A, "rank 9");
    }
    {
        AddDesc d;
        d.out.rank = -1;
        ExpectDescRejected(dev, &d.op, A, "rank -1");
    }
    for (int32_t dtype : {0, MLB_DTYPE_COUNT_1_0, 99, -1}) {
        AddDesc d;
        d.b.dtype = dtype;
        ExpectDescRejected(dev, &d.op, A, "dtype " + std::to_string(dtype));
    }
    {
        AddDesc d;
        d.a.shape[0] = -4;
        ExpectDescRejected(dev, &d.op, A, "negative shape");
    }
    {
        AddDesc d;
        d.out.strides[0] = -1;
        ExpectDescRejected(dev, &d.op, A, "negative stride");
    }
    {
        AddDesc d;
        d.a.struct_size = MLB_STRUCT_SIZE(mlb_tensor_desc, strides);
        ExpectDescRejected(dev, &d.op, A, "tensor struct_size too small");
    }
    {
        AddDesc d; // element count beyond 64 bits
        d.a.rank = 3;
        d.a.shape[0] = d.a.shape[1] = d.a.shape[2] = 1ll << 30;
        d.a.strides[0] = d.a.strides[1] = d.a.strides[2] = 0;
        ExpectDescRejected(dev, &d.op, R, "element count overflow");
    }
    {
        AddDesc d; // furthest element beyond 64 bits
        d.a.shape[0] = 8;
        d.a.strides[0] = 1ll << 62;
        ExpectDescRejected(dev, &d.op, R, "shape x stride overflow");
    }
    {
        AddDesc d; // byte extent beyond 64 bits
        d.a.byte_offset = ~0ull - 8;
        ExpectDescRejected(dev, &d.op, R, "byte offset overflow");
    }
    {
        AddDesc d;
        d.ins[1] = nullptr;
        ExpectDescRejected(dev, &d.op, A, "NULL tensor pointer");
    }
    mlb_tensor_desc t;
    const int64_t shape9[9] = {1, 1, 1, 1, 1, 1, 1, 1, 1}, neg[1] = {-1};
    EXPECT_REJECTED(mlb_tensor_desc_contiguous(&t, MLB_DTYPE_F32, 9, shape9), A);
    EXPECT_REJECTED(mlb_tensor_desc_contiguous(&t, MLB_DTYPE_F32, 1, neg), A);
    EXPECT_REJECTED(mlb_tensor_desc_contiguous(&t, 99, 1, shape9), A);
}

TEST_F(Api_BadInput, OpDescriptors) {
    const mlb_status A = MLB_ERROR_INVALID_ARGUMENT;
    {
        AddDesc d;
        d.op.struct_size = MLB_STRUCT_SIZE(mlb_op_desc, outputs);
        ExpectDescRejected(dev, &d.op, A, "op struct_size too small");
    }
    for (int32_t op : {0, -5}) {
        AddDesc d;
        d.op.op = op;
        ExpectDescRejected(dev, &d.op, A, "op " + std::to_string(op));
    }
    {
        AddDesc d; // a value the v1.0 loader does not know, below the vendor range
        d.op.op = 1000;
        ExpectDescRejected(dev, &d.op, MLB_ERROR_UNSUPPORTED, "op 1000");
    }
    {
        AddDesc d;
        d.op.num_inputs = MLB_MAX_OP_TENSORS + 1;
        ExpectDescRejected(dev, &d.op, A, "too many inputs");
    }
    {
        AddDesc d;
        d.op.num_outputs = MLB_MAX_OP_TENSORS + 1;
        ExpectDescRejected(dev, &d.op, A, "too many outputs");
    }
    {
        AddDesc d;
        d.op.num_inputs = 0x7fffffff;
        ExpectDescRejected(dev, &d.op, A, "absurd input count");
    }
    {
        AddDesc d;
        d.op.inputs = nullptr;
        ExpectDescRejected(dev, &d.op, A, "inputs array NULL");
    }
    {
        AddDesc d;
        const size_t bogus = 3;
        d.op.attrs = &bogus;
        ExpectDescRejected(dev, &d.op, A, "attrs struct_size implausible");
    }
    {
        AddDesc d; // add takes 2 inputs: the plugin's own rule
        d.op.num_inputs = 3;
        AddDesc good;
        if (mlb_op_supported(dev, &good.op) == MLB_OK) {
            ExpectDescRejected(dev, &d.op, A, "add with 3 inputs");
        }
    }
    {
        AddDesc d; // shapes that do not broadcast: the plugin's own rule
        const int64_t s3[1] = {3};
        mlb_tensor_desc_contiguous(&d.b, MLB_DTYPE_F32, 1, s3);
        AddDesc good;
        if (mlb_op_supported(dev, &good.op) == MLB_OK) {
            ExpectDescRejected(dev, &d.op, A, "add [4] + [3]");
        }
    }
}

// A simple kernel the device accepts: add f32 [n], else copy, else fill. Null if none.
struct SimpleKernel {
    Kernel k;
    uint32_t nin = 0;
    uint64_t bytes = 0;
    std::string name;
};
SimpleKernel MakeSimpleKernel(mlb_device dev, int64_t n) {
    SimpleKernel r;
    mlb_tensor_desc t;
    mlb_tensor_desc_contiguous(&t, MLB_DTYPE_F32, 1, &n);
    const mlb_tensor_desc *ins[2] = {&t, &t}, *outs[1] = {&t};
    mlb_fill_attrs fa;
    std::memset(&fa, 0, sizeof fa);
    fa.struct_size = MLB_STRUCT_SIZE(mlb_fill_attrs, int_value);
    fa.float_value = 2.0;
    struct Try {
        int32_t op;
        uint32_t nin;
        const void *attrs;
        const char *name;
    } tries[] = {{MLB_OP_ADD, 2, nullptr, "add"},
                 {MLB_OP_COPY, 1, nullptr, "copy"},
                 {MLB_OP_FILL, 0, &fa, "fill"}};
    for (const Try &t2 : tries) {
        mlb_op_desc op;
        std::memset(&op, 0, sizeof op);
        op.struct_size = MLB_STRUCT_SIZE(mlb_op_desc, attrs);
        op.op = t2.op;
        op.num_inputs = t2.nin;
        op.num_outputs = 1;
        op.inputs = ins;
        op.outputs = outs;
        op.attrs = t2.attrs;
        mlb_kernel k = nullptr;
        if (mlb_op_supported(dev, &op) == MLB_OK && mlb_kernel_create(dev, &op, &k) == MLB_OK) {
            r.k.reset(k);
            r.nin = t2.nin;
            r.bytes = (uint64_t)n * sizeof(float);
            r.name = t2.name;
            return r;
        }
    }
    return r;
}

TEST_F(Api_BadInput, KernelLaunches) {
    const int64_t n = 100;
    SimpleKernel sk = MakeSimpleKernel(dev, n);
    if (!sk.k)
        GTEST_SKIP() << "the device declines add, copy and fill on f32 [100]";
    SCOPED_TRACE("kernel: " + sk.name);
    Buffer in0, in1, out, small;
    ASSERT_MLB_OK(NewBuffer(dev, sk.bytes, &in0));
    ASSERT_MLB_OK(NewBuffer(dev, sk.bytes, &in1));
    ASSERT_MLB_OK(NewBuffer(dev, sk.bytes, &out));
    ASSERT_MLB_OK(NewBuffer(dev, sk.bytes - 1, &small));
    Stream s;
    ASSERT_MLB_OK(NewStream(dev, &s));
    ASSERT_MLB_OK(mlb_stream_memset(s.get(), in0.get(), 0, 0, sk.bytes));
    ASSERT_MLB_OK(mlb_stream_memset(s.get(), in1.get(), 0, 0, sk.bytes));
    ASSERT_MLB_OK(mlb_stream_memset(s.get(), out.get(), 0, 0xAB, sk.bytes));
    ASSERT_MLB_OK(mlb_stream_synchronize(s.get()));
    mlb_kernel k = sk.k.get();
    const uint32_t nin = sk.nin;
    mlb_buffer ins[3] = {in0.get(), in1.get(), in1.get()};
    mlb_buffer outs[2] = {out.get(), out.get()};
    const mlb_buffer *in_arg = nin ? ins : nullptr;

    EXPECT_REJECTED(mlb_kernel_launch(k, s.get(), ins, nin + 1, outs, 1),
                    MLB_ERROR_INVALID_ARGUMENT);
    EXPECT_REJECTED(mlb_kernel_launch(k, s.get(), in_arg, nin, outs, 2),
                    MLB_ERROR_INVALID_ARGUMENT);
    EXPECT_REJECTED(mlb_kernel_launch(k, s.get(), in_arg, nin, outs, 0),
                    MLB_ERROR_INVALID_ARGUMENT);
    EXPECT_REJECTED(mlb_kernel_launch(k, s.get(), in_arg, nin, nullptr, 1),
                    MLB_ERROR_INVALID_ARGUMENT);
    if (nin) {
        EXPECT_REJECTED(mlb_kernel_launch(k, s.get(), nullptr, nin, outs, 1),
                        MLB_ERROR_INVALID_ARGUMENT);
    }
    EXPECT_REJECTED(mlb_kernel_launch(k, nullptr, in_arg, nin, outs, 1), MLB_ERROR_INVALID_HANDLE);
    EXPECT_REJECTED(mlb_kernel_launch(k, As<mlb_stream>(out.get()), in_arg, nin, outs, 1),
                    MLB_ERROR_INVALID_HANDLE);
    {
        mlb_buffer bad_outs[1] = {nullptr};
        EXPECT_REJECTED(mlb_kernel_launch(k, s.get(), in_arg, nin, bad_outs, 1),
                        MLB_ERROR_INVALID_HANDLE);
        bad_outs[0] = As<mlb_buffer>(s.get());
        EXPECT_REJECTED(mlb_kernel_launch(k, s.get(), in_arg, nin, bad_outs, 1),
                        MLB_ERROR_INVALID_HANDLE);
    }
    // A buffer too small for its tensor.
    {
        mlb_buffer small_outs[1] = {small.get()};
        EXPECT_REJECTED(mlb_kernel_launch(k, s.get(), in_arg, nin, small_outs, 1),
                        MLB_ERROR_OUT_OF_RANGE);
    }
    if (nin) {
        mlb_buffer small_ins[2] = {in0.get(), small.get()};
        small_ins[nin - 1] = small.get();
        EXPECT_REJECTED(mlb_kernel_launch(k, s.get(), small_ins, nin, outs, 1),
                        MLB_ERROR_OUT_OF_RANGE);
    }
    // Nothing was enqueued: the output keeps its bytes.
    auto &got = HostVector<uint8_t>(sk.bytes);
    ASSERT_MLB_OK(mlb_stream_copy_device_to_host(s.get(), got.data(), out.get(), 0, sk.bytes));
    EXPECT_MLB_OK(mlb_stream_synchronize(s.get()));
    EXPECT_TRUE(AllBytesAre(got.data(), got.size(), 0xAB, "output after refused launches"));
    // And the kernel still works.
    ASSERT_MLB_OK(mlb_kernel_launch(k, s.get(), in_arg, nin, outs, 1));
    ASSERT_MLB_OK(mlb_stream_copy_device_to_host(s.get(), got.data(), out.get(), 0, sk.bytes));
    EXPECT_MLB_OK(mlb_stream_synchronize(s.get()));
    auto &f = HostVector<float>(n);
    std::memcpy(f.data(), got.data(), sk.bytes);
    const float want = sk.name == "fill" ? 2.0f : 0.0f;
    for (int64_t i = 0; i < n; ++i) {
        ASSERT_EQ(f[i], want) << "element " << i;
    }
}

TEST_F(Api_BadInput, EventAndStreamArguments) {
    mlb_event e = nullptr;
    {
        SCOPED_TRACE("flag 2");
        EXPECT_REJECTED(mlb_event_create(dev, 2, &e), MLB_ERROR_INVALID_ARGUMENT);
    }
    EXPECT_REJECTED(mlb_event_create(dev, 0x80000000u, &e), MLB_ERROR_INVALID_ARGUMENT);
    EXPECT_EQ(e, nullptr);
    mlb_device_props props;
    std::memset(&props, 0, sizeof props);
    props.struct_size = 0;
    EXPECT_REJECTED(mlb_device_get_props(dev, &props), MLB_ERROR_INVALID_ARGUMENT);
    mlb_memory_stats stats;
    std::memset(&stats, 0, sizeof stats);
    EXPECT_REJECTED(mlb_device_get_memory_stats(dev, &stats), MLB_ERROR_INVALID_ARGUMENT);
}

// Objects of two devices used together: DEVICE_MISMATCH from every call that takes two.
void ExpectMismatch(mlb_device d1, mlb_device d2) {
    const mlb_status M = MLB_ERROR_DEVICE_MISMATCH;
    Buffer b1, b2;
    ASSERT_MLB_OK(NewBuffer(d1, 256, &b1));
    ASSERT_MLB_OK(NewBuffer(d2, 256, &b2));
    Stream s1, s2;
    ASSERT_MLB_OK(NewStream(d1, &s1));
    ASSERT_MLB_OK(NewStream(d2, &s2));
    Event e1, e2;
    ASSERT_MLB_OK(NewEvent(d1, &e1, MLB_EVENT_TIMING));
    ASSERT_MLB_OK(NewEvent(d2, &e2, MLB_EVENT_TIMING));
    uint8_t host[256] = {0};
    float ms = 0;
    EXPECT_REJECTED(mlb_stream_copy_host_to_device(s1.get(), b2.get(), 0, host, 16), M);
    EXPECT_REJECTED(mlb_stream_copy_device_to_host(s1.get(), host, b2.get(), 0, 16), M);
    EXPECT_REJECTED(mlb_stream_copy_device_to_device(s1.get(), b1.get(), 0, b2.get(), 0, 16), M);
    EXPECT_REJECTED(mlb_stream_copy_device_to_device(s1.get(), b2.get(), 0, b1.get(), 0, 16), M);
    EXPECT_REJECTED(mlb_stream_memset(s2.get(), b1.get(), 0, 1, 16), M);
    EXPECT_REJECTED(mlb_event_record(e1.get(), s2.get()), M);
    EXPECT_REJECTED(mlb_stream_wait_event(s1.get(), e2.get()), M);
    EXPECT_REJECTED(mlb_event_elapsed_ms(e1.get(), e2.get(), &ms), M);
    SimpleKernel sk = MakeSimpleKernel(d1, 64);
    if (sk.k) {
        mlb_buffer ins1[2] = {b1.get(), b1.get()}, outs1[1] = {b1.get()};
        mlb_buffer ins2[2] = {b2.get(), b2.get()}, outs2[1] = {b2.get()};
        const mlb_buffer *i1 = sk.nin ? ins1 : nullptr, *i2 = sk.nin ? ins2 : nullptr;
        EXPECT_REJECTED(mlb_kernel_launch(sk.k.get(), s2.get(), i1, sk.nin, outs1, 1), M);
        EXPECT_REJECTED(mlb_kernel_launch(sk.k.get(), s1.get(), i1, sk.nin, outs2, 1), M);
        if (sk.nin) {
            EXPECT_REJECTED(mlb_kernel_launch(sk.k.get(), s1.get(), i2, sk.nin, outs1, 1), M);
        }
    }
    EXPECT_MLB_OK(mlb_stream_synchronize(s1.get()));
    EXPECT_MLB_OK(mlb_stream_synchronize(s2.get()));
}

// The same plugin device reached from a second context is another device.
TEST_F(Api_BadInput, ObjectsOfTwoContexts) {
    mlb_plugin_info info;
    ASSERT_TRUE(PluginInfo(&info));
    const char *path = info.real_path && info.real_path[0] ? info.real_path : info.path;
    const char *paths[1] = {path};
    mlb_context_options o;
    std::memset(&o, 0, sizeof o);
    o.struct_size = MLB_STRUCT_SIZE(mlb_context_options, log_user_data);
    o.plugin_paths = paths;
    o.num_plugin_paths = 1;
    o.log_level = MLB_LOG_OFF;
    mlb_context ctx2 = nullptr;
    ASSERT_MLB_OK(mlb_context_create(&o, &ctx2));
    struct Destroy {
        mlb_context c;
        ~Destroy() {
            mlb_context_destroy(c);
        }
    } guard{ctx2};
    mlb_device other = nullptr;
    ASSERT_MLB_OK(mlb_context_device_find(ctx2, mlb_device_name(dev), &other));
    ASSERT_NE(other, dev);
    ExpectMismatch(dev, other);
}

TEST_F(Api_BadInput, ObjectsOfTwoDevices) {
    mlb_device other = nullptr;
    for (uint32_t i = 0; i < mlb_context_device_count(target().context); ++i) {
        mlb_device d = nullptr;
        if (mlb_context_device_get(target().context, i, &d) == MLB_OK && d != dev &&
            target().plugin_name == mlb_device_plugin_name(d)) {
            other = d;
            break;
        }
    }
    if (!other)
        GTEST_SKIP() << "plugin " << target().plugin_name << " has one device here";
    ExpectMismatch(dev, other);
}

} // namespace
} // namespace api
} // namespace mlbc
