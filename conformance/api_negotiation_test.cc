// api_negotiation_test.cc - the plugin's entry point and function table, reached the way a
// loader reaches them (dlopen + dlsym), with loader infos of this ABI, shorter (an older
// loader) and longer (a newer minor), and of another major; and the plugin's own handling of
// short output structs, which libmlb hides from applications by passing full-size copies.
#include <dlfcn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

#include <cstddef>
#include <cstring>
#include <string>

#include "api_util.h"

namespace mlbc {
namespace api {
namespace {

// A log sink that counts calls; handed to the plugin only beyond a short info's struct_size,
// where the plugin must not look.
int trap_log_calls = 0;
void TrapLog(void *, int32_t, const char *) {
    ++trap_log_calls;
}
void QuietLog(void *, int32_t, const char *) {}

// The plugin library opened a second time, as a loader would open it, and its entry point.
// Calling the entry point replaces the log sink the plugin keeps (a plugin logs to the latest
// caller), so the destructor hands the sink back to libmlb by loading the plugin in a
// throwaway context, which calls the entry point with the loader's own info.
class PluginLibrary {
  public:
    PluginLibrary() {
        mlb_plugin_info info;
        path_ = target().plugin_path;
        if (PluginInfo(&info) && info.real_path && info.real_path[0])
            path_ = info.real_path;
        dl_ = dlopen(path_.c_str(), RTLD_NOW | RTLD_LOCAL);
        if (!dl_) {
            const char *e = dlerror();
            error_ = "dlopen(" + path_ + "): " + (e ? e : "failed");
            return;
        }
        *(void **)&entry_ = dlsym(dl_, MLB_PLUGIN_ENTRY_NAME);
        if (!entry_)
            error_ = path_ + " does not export " MLB_PLUGIN_ENTRY_NAME;
    }
    ~PluginLibrary() {
        if (called_)
            RestoreLogSink();
        if (dl_)
            dlclose(dl_);
    }
    PluginLibrary(const PluginLibrary &) = delete;
    PluginLibrary &operator=(const PluginLibrary &) = delete;

    bool ok() const {
        return entry_ != nullptr;
    }
    const std::string &error() const {
        return error_;
    }
    mlb_status Call(const mlb_loader_info *info, const mlb_plugin_api **api) {
        called_ = true;
        return entry_(info, api);
    }
    // The entry point with a correct v1.0 info (quiet log sink).
    mlb_status CallCurrent(const mlb_plugin_api **api) {
        mlb_loader_info info = CurrentInfo();
        return Call(&info, api);
    }
    static mlb_loader_info CurrentInfo() {
        mlb_loader_info info;
        std::memset(&info, 0, sizeof info);
        info.struct_size = MLB_STRUCT_SIZE(mlb_loader_info, log_user_data);
        info.abi_version = MLB_ABI_VERSION;
        info.log = QuietLog;
        info.log_user_data = nullptr;
        return info;
    }

  private:
    void RestoreLogSink() {
        const char *paths[1] = {path_.c_str()};
        mlb_context_options o;
        std::memset(&o, 0, sizeof o);
        o.struct_size = MLB_STRUCT_SIZE(mlb_context_options, log_user_data);
        o.plugin_paths = paths;
        o.num_plugin_paths = 1;
        o.log_level = MLB_LOG_OFF;
        mlb_context ctx = nullptr;
        mlb_context_create(&o, &ctx);
        mlb_context_destroy(ctx);
    }
    std::string path_;
    std::string error_;
    void *dl_ = nullptr;
    mlb_plugin_get_api_fn entry_ = nullptr;
    bool called_ = false;
};

// Every test here needs the library, and, like every API test, a device on this machine.
class Api_Negotiation : public DeviceTest {
  protected:
    void SetUp() override {
        DeviceTest::SetUp();
        if (IsSkipped())
            return;
        lib_.reset(new PluginLibrary());
        ASSERT_TRUE(lib_->ok()) << lib_->error();
    }
    std::unique_ptr<PluginLibrary> lib_;
};

const mlb_plugin_api *const kUnset = reinterpret_cast<const mlb_plugin_api *>(0x5a5a5a5a);

TEST_F(Api_Negotiation, CurrentInfoAccepted) {
    const mlb_plugin_api *api = kUnset;
    ASSERT_MLB_OK(lib_->CallCurrent(&api));
    ASSERT_NE(api, kUnset);
    ASSERT_NE(api, nullptr);
    EXPECT_EQ(MLB_VERSION_MAJOR(api->abi_version), (uint32_t)MLB_ABI_VERSION_MAJOR);
    EXPECT_STREQ(api->name, target().plugin_name.c_str());
}

// An older loader's info: struct_size covers only struct_size and abi_version. What lies
// beyond (here a log sink that must never be called) is not the plugin's to read.
TEST_F(Api_Negotiation, ShorterInfoAccepted) {
    mlb_loader_info info = PluginLibrary::CurrentInfo();
    info.struct_size = MLB_STRUCT_SIZE(mlb_loader_info, abi_version);
    info.log = TrapLog;
    info.log_user_data = &trap_log_calls;
    trap_log_calls = 0;
    const mlb_plugin_api *api = kUnset;
    ASSERT_MLB_OK(lib_->Call(&info, &api));
    ASSERT_NE(api, kUnset);
    ASSERT_NE(api, nullptr);
    EXPECT_STREQ(api->name, target().plugin_name.c_str());
    EXPECT_EQ(trap_log_calls, 0) << "the plugin logged through a log field beyond struct_size";
}

// A newer loader: a longer info (fields the plugin does not know follow) and a newer minor.
TEST_F(Api_Negotiation, LongerInfoNewerMinorAccepted) {
    struct LongerInfo {
        mlb_loader_info base;
        uint64_t future_u64;
        void *future_ptr;
        char future_text[40];
    } big;
    std::memset(&big, 0x5A, sizeof big);
    big.base = PluginLibrary::CurrentInfo();
    big.base.struct_size = offsetof(LongerInfo, future_text) + sizeof big.future_text;
    big.base.abi_version = MLB_MAKE_VERSION(MLB_ABI_VERSION_MAJOR, MLB_ABI_VERSION_MINOR + 1);
    const mlb_plugin_api *api = kUnset;
    ASSERT_MLB_OK(lib_->Call(&big.base, &api));
    ASSERT_NE(api, kUnset);
    ASSERT_NE(api, nullptr);
    EXPECT_EQ(MLB_VERSION_MAJOR(api->abi_version), (uint32_t)MLB_ABI_VERSION_MAJOR);

    big.base.abi_version = MLB_MAKE_VERSION(MLB_ABI_VERSION_MAJOR, 0xffff);
    api = kUnset;
    EXPECT_MLB_OK(lib_->Call(&big.base, &api)) << "minor 0xffff";
    EXPECT_NE(api, kUnset);
}

TEST_F(Api_Negotiation, OtherMajorRejected) {
    const uint32_t majors[] = {MLB_ABI_VERSION_MAJOR + 1, MLB_ABI_VERSION_MAJOR - 1, 0xffff};
    for (uint32_t major : majors) {
        for (uint32_t minor : {0u, (uint32_t)MLB_ABI_VERSION_MINOR}) {
            mlb_loader_info info = PluginLibrary::CurrentInfo();
            info.abi_version = MLB_MAKE_VERSION(major, minor);
            const mlb_plugin_api *api = kUnset;
            EXPECT_STATUS(lib_->Call(&info, &api), MLB_ERROR_VERSION_MISMATCH)
                << "loader ABI " << major << "." << minor;
            EXPECT_EQ(api, kUnset)
                << "the table pointer was written on failure (ABI " << major << "." << minor << ")";
        }
    }
}

// Runs the entry point in a child process (so that a crash is a failure, not the end of the
// run) and describes what happened: "" when it returned an error, else the problem.
std::string EntryInChild(PluginLibrary *lib, const mlb_loader_info *info, bool null_api) {
    fflush(nullptr);
    const pid_t pid = fork();
    if (pid < 0)
        return std::string("fork failed: ") + std::strerror(errno);
    if (pid == 0) {
        const mlb_plugin_api *api = kUnset;
        mlb_status st = lib->Call(info, null_api ? nullptr : &api);
        _exit(st == MLB_OK ? 1 : api != kUnset ? 2 : 0);
    }
    int ws = 0;
    while (waitpid(pid, &ws, 0) < 0 && errno == EINTR) {
    }
    if (WIFSIGNALED(ws))
        return "the entry point crashed (signal " + std::to_string(WTERMSIG(ws)) + ")";
    if (WIFEXITED(ws) && WEXITSTATUS(ws) == 1)
        return "the entry point returned MLB_OK";
    if (WIFEXITED(ws) && WEXITSTATUS(ws) == 2)
        return "the entry point wrote the table pointer on failure";
    if (!WIFEXITED(ws) || WEXITSTATUS(ws) != 0)
        return "the child ended with status " + std::to_string(ws);
    return "";
}

// The entry point checks its arguments (docs/abi.md section 1): NULL answers an error.
TEST_F(Api_Negotiation, NullArgumentsRejected) {
    EXPECT_EQ(EntryInChild(lib_.get(), nullptr, false), "") << "info = NULL";
    mlb_loader_info info = PluginLibrary::CurrentInfo();
    EXPECT_EQ(EntryInChild(lib_.get(), &info, true), "") << "api = NULL";
}

TEST_F(Api_Negotiation, SameStaticTableEveryCall) {
    const mlb_plugin_api *a = nullptr, *b = nullptr;
    ASSERT_MLB_OK(lib_->CallCurrent(&a));
    ASSERT_MLB_OK(lib_->CallCurrent(&b));
    EXPECT_EQ(a, b) << "the entry point must return its static table";
}

// [a-z0-9_]{1,63}
bool ValidPluginName(const char *name) {
    if (!name || !name[0] || std::strlen(name) > MLB_NAME_LEN - 1)
        return false;
    for (const char *c = name; *c; ++c) {
        if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '_'))
            return false;
    }
    return true;
}

#define REQUIRED_SLOT(slot)                                                                        \
    { #slot, offsetof(mlb_plugin_api, slot) }
struct SlotRef {
    const char *name;
    size_t offset;
};
const SlotRef kRequiredSlots[] = {
    REQUIRED_SLOT(init),
    REQUIRED_SLOT(shutdown),
    REQUIRED_SLOT(device_count),
    REQUIRED_SLOT(device_get),
    REQUIRED_SLOT(device_get_props),
    REQUIRED_SLOT(device_get_memory_kind),
    REQUIRED_SLOT(device_synchronize),
    REQUIRED_SLOT(buffer_alloc),
    REQUIRED_SLOT(buffer_free),
    REQUIRED_SLOT(stream_create),
    REQUIRED_SLOT(stream_destroy),
    REQUIRED_SLOT(stream_synchronize),
    REQUIRED_SLOT(stream_query),
    REQUIRED_SLOT(stream_wait_event),
    REQUIRED_SLOT(copy_host_to_device),
    REQUIRED_SLOT(copy_device_to_host),
    REQUIRED_SLOT(copy_device_to_device),
    REQUIRED_SLOT(memset),
    REQUIRED_SLOT(event_create),
    REQUIRED_SLOT(event_destroy),
    REQUIRED_SLOT(event_record),
    REQUIRED_SLOT(event_synchronize),
    REQUIRED_SLOT(event_query),
    REQUIRED_SLOT(op_supported),
    REQUIRED_SLOT(kernel_create),
    REQUIRED_SLOT(kernel_launch),
    REQUIRED_SLOT(kernel_destroy),
};
#undef REQUIRED_SLOT

// A slot of the table, NULL when it is NULL or beyond the table's struct_size.
const void *Slot(const mlb_plugin_api *api, size_t offset) {
    if (api->struct_size < offset + sizeof(void (*)(void)))
        return nullptr;
    const void *p;
    std::memcpy(&p, reinterpret_cast<const char *>(api) + offset, sizeof p);
    return p;
}
#define OPTIONAL_SLOT(api, slot) Slot(api, offsetof(mlb_plugin_api, slot))

TEST_F(Api_Negotiation, TableIsComplete) {
    const mlb_plugin_api *api = nullptr;
    ASSERT_MLB_OK(lib_->CallCurrent(&api));
    ASSERT_NE(api, nullptr);
    EXPECT_GE(api->struct_size, MLB_PLUGIN_API_MIN_SIZE);
    EXPECT_EQ(MLB_VERSION_MAJOR(api->abi_version), (uint32_t)MLB_ABI_VERSION_MAJOR)
        << "table abi_version 0x" << std::hex << api->abi_version;
    EXPECT_TRUE(ValidPluginName(api->name))
        << "name \"" << (api->name ? api->name : "(null)") << "\" is not [a-z0-9_]{1,63}";
    EXPECT_STREQ(api->name, target().plugin_name.c_str());
    EXPECT_NE(api->version, nullptr);
    EXPECT_TRUE(api->version && api->version[0]) << "empty version";
    EXPECT_NE(api->description, nullptr);
    EXPECT_EQ(api->reserved0, 0u);
    for (uint64_t r : api->reserved)
        EXPECT_EQ(r, 0u) << "reserved fields must be 0";
    for (const SlotRef &s : kRequiredSlots)
        EXPECT_NE(Slot(api, s.offset), nullptr) << "required slot " << s.name << " is NULL";
}

TEST_F(Api_Negotiation, FeatureBitsHaveTheirSlots) {
    const mlb_plugin_api *api = nullptr;
    ASSERT_MLB_OK(lib_->CallCurrent(&api));
    ASSERT_NE(api, nullptr);
    const uint64_t f = api->features;
    const uint64_t known = MLB_FEATURE_HOST_POINTER | MLB_FEATURE_TIMING_EVENTS |
                           MLB_FEATURE_HOST_CALLBACKS | MLB_FEATURE_NATIVE_HANDLES |
                           MLB_FEATURE_PINNED_HOST | MLB_FEATURE_MEMORY_STATS |
                           MLB_FEATURE_FUSED_EPILOGUE;
    EXPECT_EQ(f & ~known, 0u) << "features has bits ABI 1.0 does not define: 0x" << std::hex
                              << (f & ~known);
    if (f & MLB_FEATURE_HOST_POINTER) {
        EXPECT_NE(OPTIONAL_SLOT(api, buffer_host_pointer), nullptr) << "HOST_POINTER";
    }
    if (f & MLB_FEATURE_TIMING_EVENTS) {
        EXPECT_NE(OPTIONAL_SLOT(api, event_elapsed_ms), nullptr) << "TIMING_EVENTS";
    }
    if (f & MLB_FEATURE_HOST_CALLBACKS) {
        EXPECT_NE(OPTIONAL_SLOT(api, stream_add_callback), nullptr) << "HOST_CALLBACKS";
    }
    if (f & MLB_FEATURE_NATIVE_HANDLES) {
        EXPECT_TRUE(OPTIONAL_SLOT(api, buffer_native_handle) ||
                    OPTIONAL_SLOT(api, stream_native_handle))
            << "NATIVE_HANDLES without a native handle slot";
    }
    if (f & MLB_FEATURE_PINNED_HOST) {
        EXPECT_NE(OPTIONAL_SLOT(api, host_alloc), nullptr) << "PINNED_HOST";
        EXPECT_NE(OPTIONAL_SLOT(api, host_free), nullptr) << "PINNED_HOST";
    }
    if (f & MLB_FEATURE_MEMORY_STATS) {
        EXPECT_NE(OPTIONAL_SLOT(api, device_get_memory_stats), nullptr) << "MEMORY_STATS";
    }
    // host_alloc and host_free come as a pair.
    EXPECT_EQ(OPTIONAL_SLOT(api, host_alloc) == nullptr, OPTIONAL_SLOT(api, host_free) == nullptr)
        << "host_alloc and host_free must both be offered or both be absent";
    // The loader reports the same features.
    EXPECT_EQ(PluginFeatures(), f);
}

// The device index of the device under test within its plugin ("<plugin>:<index>").
uint32_t DeviceIndex(mlb_device d) {
    const std::string name = mlb_device_name(d);
    return (uint32_t)std::stoul(name.substr(name.rfind(':') + 1));
}

// Fills a block of guard bytes, sets a short struct_size at its start.
template <size_t N> void GuardBlock(unsigned char (&block)[N], size_t struct_size) {
    std::memset(block, 0x5A, N);
    std::memcpy(block, &struct_size, sizeof struct_size);
}

template <size_t N>
::testing::AssertionResult GuardIntact(const unsigned char (&block)[N], size_t struct_size) {
    size_t got;
    std::memcpy(&got, block, sizeof got);
    if (got != struct_size)
        return ::testing::AssertionFailure()
               << "struct_size changed from " << struct_size << " to " << got;
    for (size_t i = struct_size; i < N; ++i) {
        if (block[i] != 0x5A)
            return ::testing::AssertionFailure()
                   << "byte " << i << " beyond struct_size " << struct_size << " was written";
    }
    return ::testing::AssertionSuccess();
}

// The plugin itself (not through libmlb, which always passes full-size copies) fills short
// props, memory kind and memory stats structs only up to their struct_size.
TEST_F(Api_Negotiation, PluginWritesNoFurtherThanStructSize) {
    const mlb_plugin_api *api = nullptr;
    ASSERT_MLB_OK(lib_->CallCurrent(&api));
    ASSERT_NE(api, nullptr);
    ASSERT_MLB_OK(api->init());
    struct Shutdown {
        const mlb_plugin_api *api;
        ~Shutdown() {
            api->shutdown();
        }
    } shutdown_guard{api};

    uint32_t count = 0;
    ASSERT_MLB_OK(api->device_count(&count));
    const uint32_t index = DeviceIndex(dev);
    ASSERT_LT(index, count);
    mlb_plugin_device pdev = nullptr;
    ASSERT_MLB_OK(api->device_get(index, &pdev));
    mlb_plugin_device again = nullptr;
    ASSERT_MLB_OK(api->device_get(index, &again));
    EXPECT_EQ(pdev, again) << "device_get must return the same handle for the same index";
    const mlb_device_props full = DeviceProps(dev);

    const size_t prop_sizes[] = {sizeof(size_t), MLB_STRUCT_SIZE(mlb_device_props, name),
                                 MLB_STRUCT_SIZE(mlb_device_props, kind),
                                 MLB_STRUCT_SIZE(mlb_device_props, memory_kind_count)};
    for (size_t size : prop_sizes) {
        alignas(16) unsigned char block[sizeof(mlb_device_props) + 64];
        GuardBlock(block, size);
        auto *p = reinterpret_cast<mlb_device_props *>(block);
        ASSERT_MLB_OK(api->device_get_props(pdev, p)) << "props struct_size " << size;
        EXPECT_TRUE(GuardIntact(block, size)) << "device_get_props";
        if (size >= MLB_STRUCT_SIZE(mlb_device_props, name)) {
            EXPECT_STREQ(p->name, full.name);
        }
        if (size >= MLB_STRUCT_SIZE(mlb_device_props, kind)) {
            EXPECT_EQ(p->kind, full.kind);
        }
        if (size >= MLB_STRUCT_SIZE(mlb_device_props, memory_kind_count)) {
            EXPECT_EQ(p->memory_kind_count, full.memory_kind_count);
        }
    }

    const size_t kind_sizes[] = {sizeof(size_t), MLB_STRUCT_SIZE(mlb_memory_kind_info, type),
                                 MLB_STRUCT_SIZE(mlb_memory_kind_info, alignment)};
    for (size_t size : kind_sizes) {
        alignas(16) unsigned char block[sizeof(mlb_memory_kind_info) + 64];
        GuardBlock(block, size);
        auto *k = reinterpret_cast<mlb_memory_kind_info *>(block);
        ASSERT_MLB_OK(api->device_get_memory_kind(pdev, 0, k)) << "kind struct_size " << size;
        EXPECT_TRUE(GuardIntact(block, size)) << "device_get_memory_kind";
        if (size >= MLB_STRUCT_SIZE(mlb_memory_kind_info, type)) {
            EXPECT_EQ(k->type, (int32_t)MLB_MEMORY_DEVICE_LOCAL);
        }
    }

    auto stats_fn = MLB_HAS_FIELD(api, mlb_plugin_api, device_get_memory_stats)
                        ? api->device_get_memory_stats
                        : nullptr;
    if (stats_fn) {
        const size_t size = MLB_STRUCT_SIZE(mlb_memory_stats, bytes_in_use);
        alignas(16) unsigned char block[sizeof(mlb_memory_stats) + 64];
        GuardBlock(block, size);
        ASSERT_MLB_OK(stats_fn(pdev, reinterpret_cast<mlb_memory_stats *>(block)));
        EXPECT_TRUE(GuardIntact(block, size)) << "device_get_memory_stats";
    }
}

} // namespace
} // namespace api
} // namespace mlbc
