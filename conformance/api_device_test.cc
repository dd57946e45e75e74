// api_device_test.cc - device properties, memory kinds, attributes and stream priorities of
// the device under test, as docs/abi.md and abi/ml_backend.h promise them.
#include <climits>
#include <cstring>
#include <string>

#include "api_util.h"

namespace mlbc {
namespace api {
namespace {

class Api_Devices : public DeviceTest {};

bool IsPowerOfTwo(uint64_t x) {
    return x && !(x & (x - 1));
}

// A fixed-size string field: NUL-terminated inside its array, non-empty.
::testing::AssertionResult GoodName(const char *field, size_t len, const char *what) {
    if (!std::memchr(field, '\0', len))
        return ::testing::AssertionFailure() << what << " is not NUL-terminated";
    if (!field[0])
        return ::testing::AssertionFailure() << what << " is empty";
    return ::testing::AssertionSuccess();
}

TEST_F(Api_Devices, PropsAreSane) {
    const mlb_device_props p = DeviceProps(dev);
    EXPECT_EQ(p.struct_size, MLB_STRUCT_SIZE(mlb_device_props, uuid))
        << "the caller's struct_size must be left as it is";
    EXPECT_TRUE(GoodName(p.name, sizeof p.name, "name"));
    EXPECT_TRUE(GoodName(p.vendor, sizeof p.vendor, "vendor"));
    EXPECT_GE(p.kind, (int32_t)MLB_DEVICE_KIND_UNKNOWN);
    EXPECT_LE(p.kind, (int32_t)MLB_DEVICE_KIND_ACCELERATOR);
    const uint32_t known_flags = MLB_DEVICE_FLAG_HOST_ACCESSIBLE | MLB_DEVICE_FLAG_UNIFIED_MEMORY |
                                 MLB_DEVICE_FLAG_PCI_LOCATION;
    EXPECT_EQ(p.flags & ~known_flags, 0u) << "unknown device flags";
    EXPECT_GE(p.memory_kind_count, 1u);
    // Priorities: low is the default; high equals low when the device has none. Either order.
    if (p.stream_priority_low == p.stream_priority_high) {
        EXPECT_EQ(p.stream_priority_low, 0) << "a device without priorities reports 0";
    }

    // The same answer every time, and the loader's naming.
    const mlb_device_props q = DeviceProps(dev);
    EXPECT_EQ(std::memcmp(&p, &q, sizeof p), 0) << "device_get_props answers differ";
    const std::string name = mlb_device_name(dev);
    EXPECT_EQ(name.substr(0, name.rfind(':')), target().plugin_name);
    EXPECT_STREQ(mlb_device_plugin_name(dev), target().plugin_name.c_str());
}

TEST_F(Api_Devices, MemoryKindsEnumerate) {
    const mlb_device_props p = DeviceProps(dev);
    ASSERT_GE(p.memory_kind_count, 1u);
    bool any_host_accessible = false;
    for (uint32_t i = 0; i < p.memory_kind_count; ++i) {
        SCOPED_TRACE("memory kind " + std::to_string(i));
        const mlb_memory_kind_info k = MemoryKind(dev, i);
        EXPECT_EQ(k.struct_size, MLB_STRUCT_SIZE(mlb_memory_kind_info, total_size));
        EXPECT_GE(k.type, (int32_t)MLB_MEMORY_DEVICE_LOCAL);
        EXPECT_LE(k.type, (int32_t)MLB_MEMORY_HOST_PINNED);
        if (i == 0) {
            EXPECT_EQ(k.type, (int32_t)MLB_MEMORY_DEVICE_LOCAL) << "kind 0 is device-local";
        }
        EXPECT_EQ(k.flags & ~(uint32_t)MLB_MEMORY_FLAG_HOST_ACCESSIBLE, 0u) << "unknown flags";
        EXPECT_TRUE(IsPowerOfTwo(k.alignment)) << "alignment " << k.alignment;
        EXPECT_GE(k.alignment, 64u) << "alignment is at least 64";
        any_host_accessible |= (k.flags & MLB_MEMORY_FLAG_HOST_ACCESSIBLE) != 0;
    }
    // The device flag says "some memory kind is host-accessible", the feature bit that
    // buffer_host_pointer exists: they agree with the kinds.
    EXPECT_EQ((p.flags & MLB_DEVICE_FLAG_HOST_ACCESSIBLE) != 0, any_host_accessible)
        << "MLB_DEVICE_FLAG_HOST_ACCESSIBLE disagrees with the memory kinds' flags";
    if (any_host_accessible) {
        EXPECT_NE(PluginFeatures() & MLB_FEATURE_HOST_POINTER, 0u)
            << "a host-accessible kind needs MLB_FEATURE_HOST_POINTER";
    }
}

TEST_F(Api_Devices, MemoryKindIndexOutOfRangeRejected) {
    const uint32_t n = DeviceProps(dev).memory_kind_count;
    for (uint32_t index : {n, n + 1, (uint32_t)UINT32_MAX}) {
        mlb_memory_kind_info k;
        std::memset(&k, 0x5A, sizeof k);
        k.struct_size = MLB_STRUCT_SIZE(mlb_memory_kind_info, total_size);
        EXPECT_REJECTED(mlb_device_get_memory_kind(dev, index, &k), MLB_ERROR_OUT_OF_RANGE);
        EXPECT_EQ(k.type, 0x5A5A5A5A) << "output written on failure (index " << index << ")";
    }
}

// A caller built against an older header passes shorter structs: nothing beyond their
// struct_size is written, and struct_size stays as it was.
TEST_F(Api_Devices, ShortStructsNotWrittenPast) {
    const mlb_device_props full = DeviceProps(dev);
    for (size_t size : {sizeof(size_t), MLB_STRUCT_SIZE(mlb_device_props, vendor),
                        MLB_STRUCT_SIZE(mlb_device_props, memory_kind_count)}) {
        SCOPED_TRACE("props struct_size " + std::to_string(size));
        alignas(16) unsigned char block[sizeof(mlb_device_props) + 64];
        std::memset(block, 0x5A, sizeof block);
        std::memcpy(block, &size, sizeof size);
        auto *p = reinterpret_cast<mlb_device_props *>(block);
        ASSERT_MLB_OK(mlb_device_get_props(dev, p));
        EXPECT_EQ(p->struct_size, size);
        for (size_t i = size; i < sizeof block; ++i) {
            ASSERT_EQ(block[i], 0x5A) << "byte " << i << " written";
        }
        if (size >= MLB_STRUCT_SIZE(mlb_device_props, vendor)) {
            EXPECT_STREQ(p->name, full.name);
            EXPECT_STREQ(p->vendor, full.vendor);
        }
        if (size >= MLB_STRUCT_SIZE(mlb_device_props, memory_kind_count)) {
            EXPECT_EQ(p->memory_kind_count, full.memory_kind_count);
        }
    }
    {
        const size_t size = MLB_STRUCT_SIZE(mlb_memory_kind_info, type);
        alignas(16) unsigned char block[sizeof(mlb_memory_kind_info) + 64];
        std::memset(block, 0x5A, sizeof block);
        std::memcpy(block, &size, sizeof size);
        auto *k = reinterpret_cast<mlb_memory_kind_info *>(block);
        ASSERT_MLB_OK(mlb_device_get_memory_kind(dev, 0, k));
        EXPECT_EQ(k->type, (int32_t)MLB_MEMORY_DEVICE_LOCAL);
        for (size_t i = size; i < sizeof block; ++i) {
            ASSERT_EQ(block[i], 0x5A) << "memory kind: byte " << i << " written";
        }
    }
}

TEST_F(Api_Devices, StreamPrioritiesClampedIntoRange) {
    const mlb_device_props p = DeviceProps(dev);
    for (int32_t prio : {0, p.stream_priority_low, p.stream_priority_high, (int32_t)INT32_MIN,
                         (int32_t)INT32_MAX}) {
        Stream s;
        EXPECT_MLB_OK(NewStream(dev, &s, prio)) << "priority " << prio;
        if (s) {
            EXPECT_MLB_OK(mlb_stream_synchronize(s.get()));
        }
    }
}

TEST_F(Api_Devices, UnknownAttributeNotFound) {
    mlb_attr_value v;
    std::memset(&v, 0, sizeof v);
    v.struct_size = MLB_STRUCT_SIZE(mlb_attr_value, str);
    mlb_status st = mlb_device_get_attribute(dev, "mlb_conformance.no_such_key", &v);
    if (st == MLB_ERROR_UNSUPPORTED)
        GTEST_SKIP() << "the plugin offers no device attributes (device_get_attribute)";
    EXPECT_STATUS(st, MLB_ERROR_NOT_FOUND);
    EXPECT_NE(std::string(mlb_last_error()).find("no_such_key"), std::string::npos)
        << mlb_last_error();
}

TEST_F(Api_Devices, SynchronizeIdleDevice) {
    EXPECT_MLB_OK(mlb_device_synchronize(dev));
    Stream s;
    ASSERT_MLB_OK(NewStream(dev, &s));
    EXPECT_MLB_OK(mlb_device_synchronize(dev));
}

} // namespace
} // namespace api
} // namespace mlbc
