// main.cc - mlb-conformance: the command line, the Target (plugin under test,
// its device, the reference), GoogleTest with a listener that prints one
// progress line per test group and the closing counts, the JSON report, the
// exit codes, and --all (each discovered plugin in a child process).
//
// Exit codes: 0 no failure; 1 a failure (or a stale expectation under
// --verify-expectations); 2 usage error or a plugin that cannot be loaded;
// 4 the plugin has no device here (every test skipped).
#include "config.h"

#include <cerrno>
#include <chrono>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "harness.h"
#include "mlb.h"
#include "op_test.h"
#include "report.h"

namespace {

constexpr uint64_t kDefaultSeed = 20240501;

struct Options {
    std::string plugin, reference, report, expectations;
    bool all = false, full = false, list = false, verify = false, verbose = false;
    bool reference_given = false;
    int device = 0;
    uint64_t seed = kDefaultSeed;
    std::vector<std::string> passthrough; // GoogleTest's flags
    std::vector<std::string> child_args;  // what --all forwards to each child
};

const char kUsage[] =
    "usage: mlb-conformance (--plugin PATH | --all) [options] [GoogleTest flags]\n"
    "  --plugin PATH          the plugin (.so) under test\n"
    "  --all                  every plugin the loader discovers, each in a child process\n"
    "  --reference PATH       cpu_ref's .so, the oracle (default: " MLB_PLUGIN_DIR
    "/mlb_cpu_ref.so)\n"
    "  --device N             index among the plugin's devices (default 0)\n"
    "  --quick | --full       case sizes: quick (default, under a minute) or full\n"
    "  --seed N               base seed of every generated case (default 20240501)\n"
    "  --report FILE.json     write the JSON report\n"
    "  --expectations FILE    known failures, lines 'op dtype reason...'\n"
    "  --verify-expectations  an expectation whose cases all pass is an error\n"
    "  --list                 print the test groups and cases, run nothing\n"
    "  --verbose              GoogleTest's own per-test output as well\n"
    "  --help                 this text\n"
    "  --gtest_filter=PATTERN, --gtest_output=xml:FILE, ... are GoogleTest's\n"
    "exit: 0 no failure, 1 failure, 2 usage or load error, 4 no device on this machine\n";

int usage_error(const std::string &msg) {
    std::fprintf(stderr, "mlb-conformance: %s (see --help)\n", msg.c_str());
    return 2;
}

bool parse_uint(const char *s, uint64_t *v) {
    if (!s || !*s || *s == '-') {
        return false;
    }
    char *end = nullptr;
    errno = 0;
    unsigned long long x = std::strtoull(s, &end, 0);
    if (errno || *end) {
        return false;
    }
    *v = x;
    return true;
}

// GoogleTest 1.10-1.12 flags; GoogleTest itself answers an unknown one with its whole help text.
bool known_gtest_flag(const std::string &a) {
    static const char *const names[] = {"also_run_disabled_tests",
                                        "break_on_failure",
                                        "brief",
                                        "catch_exceptions",
                                        "color",
                                        "death_test_style",
                                        "death_test_use_fork",
                                        "fail_fast",
                                        "filter",
                                        "flagfile",
                                        "install_failure_signal_handler",
                                        "list_tests",
                                        "output",
                                        "print_time",
                                        "print_utf8",
                                        "random_seed",
                                        "recreate_environments_when_repeating",
                                        "repeat",
                                        "shuffle",
                                        "stack_trace_depth",
                                        "stream_result_to",
                                        "throw_on_failure"};
    const std::string name =
        a.substr(8, a.find('=') == std::string::npos ? std::string::npos : a.find('=') - 8);
    for (const char *n : names) {
        if (name == n) {
            return true;
        }
    }
    return false;
}

// Parses our flags; returns -1 to go on, else an exit code.
int parse(int argc, char **argv, Options *o) {
    for (int i = 1; i < argc; ++i) {
        const int start = i;
        std::string a = argv[i];
        std::string value;
        bool has_value = false;
        const size_t eq = a.find('=');
        if (a.rfind("--", 0) == 0 && eq != std::string::npos && a.rfind("--gtest_", 0) != 0) {
            value = a.substr(eq + 1);
            a = a.substr(0, eq);
            has_value = true;
        }
        auto need = [&](std::string *dst) -> bool {
            if (has_value) {
                *dst = value;
                return true;
            }
            if (i + 1 >= argc) {
                return false;
            }
            *dst = argv[++i];
            return true;
        };
        std::string v;
        bool forward = true;
        if (a == "--help" || a == "-h") {
            std::fputs(kUsage, stdout);
            return 0;
        } else if (a == "--plugin") {
            if (!need(&o->plugin)) {
                return usage_error("--plugin needs a path");
            }
            forward = false;
        } else if (a == "--reference") {
            if (!need(&o->reference)) {
                return usage_error("--reference needs a path");
            }
            o->reference_given = true;
        } else if (a == "--report") {
            if (!need(&o->report)) {
                return usage_error("--report needs a file name");
            }
            forward = false; // --all gives each child its own
        } else if (a == "--expectations") {
            if (!need(&o->expectations)) {
                return usage_error("--expectations needs a file name");
            }
        } else if (a == "--device" || a == "--seed") {
            uint64_t n = 0;
            if (!need(&v) || !parse_uint(v.c_str(), &n) || (a == "--device" && n > 1000000)) {
                return usage_error(a + " needs a non-negative integer");
            }
            if (a == "--device") {
                o->device = static_cast<int>(n);
            } else {
                o->seed = n;
            }
        } else if (a == "--all" && !has_value) {
            o->all = true;
            forward = false;
        } else if (a == "--full" && !has_value) {
            o->full = true;
        } else if (a == "--quick" && !has_value) {
            o->full = false;
        } else if (a == "--list" && !has_value) {
            o->list = true;
        } else if (a == "--verify-expectations" && !has_value) {
            o->verify = true;
        } else if (a == "--verbose" && !has_value) {
            o->verbose = true;
        } else if (a.rfind("--gtest_", 0) == 0) {
            if (!known_gtest_flag(a)) {
                return usage_error("unknown option '" + a + "'");
            }
            o->passthrough.push_back(a);
            if (a.rfind("--gtest_output=", 0) == 0) {
                forward = false; // --all gives each child its own
            }
        } else {
            return usage_error("unknown option '" + std::string(argv[i]) + "'");
        }
        if (forward) {
            o->child_args.insert(o->child_args.end(), argv + start, argv + i + 1);
        }
    }
    if (o->list) {
        return -1;
    }
    if (o->all == !o->plugin.empty()) {
        return usage_error(o->all ? "--all and --plugin exclude each other"
                                  : "give --plugin PATH or --all");
    }
    return -1;
}

// ---- the listener: progress lines, failures, counts ----------------------------------------

class Progress : public testing::EmptyTestEventListener {
  public:
    explicit Progress(bool no_device) : no_device_(no_device) {}

    void OnTestSuiteStart(const testing::TestSuite &) override {
        start_ = std::chrono::steady_clock::now();
        before_ = mlbc::report::summary();
    }
    void OnTestStart(const testing::TestInfo &t) override {
        current_ = &t; // current_test_info() would take the lock AddTestPartResult holds
        if (no_device_) {
            GTEST_SKIP() << mlbc::target().skip_reason;
        }
    }
    void OnTestPartResult(const testing::TestPartResult &r) override {
        if (r.failed()) {
            const testing::TestInfo *t = current_;
            const char *msg = r.message();
            if (std::strncmp(msg, "Failed\n", 7) == 0) {
                msg += 7; // ADD_FAILURE()'s own first line says nothing
            }
            std::printf("FAILED %s.%s (%s:%d)\n%s\n", t ? t->test_suite_name() : "?",
                        t ? t->name() : "?", r.file_name() ? r.file_name() : "?", r.line_number(),
                        msg);
            std::fflush(stdout);
        }
    }
    void OnTestEnd(const testing::TestInfo &t) override {
        mlbc::report::on_test_end(t);
        current_ = nullptr;
    }
    void OnTestSuiteEnd(const testing::TestSuite &s) override {
        const mlbc::report::Summary now = mlbc::report::summary();
        const double secs =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
        std::printf("[%s] %d tests: %llu passed, %llu failed, %llu skipped", s.name(),
                    s.test_to_run_count(),
                    static_cast<unsigned long long>(now.passed - before_.passed),
                    static_cast<unsigned long long>(now.failed - before_.failed),
                    static_cast<unsigned long long>(now.skipped - before_.skipped));
        if (now.expected_failures != before_.expected_failures) {
            std::printf(
                ", %llu expected failures",
                static_cast<unsigned long long>(now.expected_failures - before_.expected_failures));
        }
        std::printf(" (%.2f s)\n", secs);
        std::fflush(stdout);
    }

  private:
    bool no_device_;
    const testing::TestInfo *current_ = nullptr;
    std::chrono::steady_clock::time_point start_;
    mlbc::report::Summary before_;
};

// ---- the target ----------------------------------------------------------------------------

std::string real_path(const std::string &p) {
    char buf[PATH_MAX];
    return realpath(p.c_str(), buf) ? std::string(buf) : std::string();
}

bool same_file_contents(const std::string &a, const std::string &b) {
    std::ifstream fa(a, std::ios::binary), fb(b, std::ios::binary);
    if (!fa || !fb) {
        return false;
    }
    std::ostringstream ca, cb;
    ca << fa.rdbuf();
    cb << fb.rdbuf();
    return ca.str() == cb.str();
}

// Loads the plugin under test and the reference; fills the Target. -1 to go on, else exit code.
int setup_target(const Options &o) {
    mlbc::Target &t = mlbc::mutable_target();
    t.plugin_path = o.plugin;
    t.reference_path = o.reference_given ? o.reference : MLB_PLUGIN_DIR "/mlb_cpu_ref.so";
    t.full = o.full;
    t.seed = o.seed;
    t.device_index = o.device;
    const std::string plugin_real = real_path(o.plugin);
    if (plugin_real.empty()) {
        std::fprintf(stderr, "mlb-conformance: cannot open plugin %s: %s\n", o.plugin.c_str(),
                     std::strerror(errno));
        return 2;
    }
    const std::string ref_real = real_path(t.reference_path);
    if (ref_real.empty()) {
        std::fprintf(stderr,
                     "mlb-conformance: cannot open the reference plugin %s: %s (give "
                     "--reference PATH to cpu_ref's mlb_cpu_ref.so)\n",
                     t.reference_path.c_str(), std::strerror(errno));
        return 2;
    }
    // The same library under two paths (an installed cpu_ref and the build tree's) would be
    // refused by the loader as a duplicate name: test it against itself.
    t.device_is_reference = plugin_real == ref_real || same_file_contents(plugin_real, ref_real);
    const char *paths[2] = {o.plugin.c_str(), t.reference_path.c_str()};
    mlb_context_options opts;
    std::memset(&opts, 0, sizeof opts);
    opts.struct_size = MLB_STRUCT_SIZE(mlb_context_options, log_user_data);
    opts.plugin_paths = paths;
    opts.num_plugin_paths = t.device_is_reference ? 1 : 2;
    opts.log_level = MLB_LOG_FROM_ENV;
    mlb_status st = mlb_context_create(&opts, &t.context);
    if (st != MLB_OK && st != MLB_ERROR_NO_PLUGIN) {
        std::fprintf(stderr, "mlb-conformance: mlb_context_create: %s: %s\n", mlb_status_name(st),
                     mlb_last_error());
        return 2;
    }
    // Devices are numbered in plugin order, then by the plugin's own index.
    uint32_t base = 0, dut_base = 0, ref_base = 0, dut_count = 0, ref_count = 0;
    bool dut_found = false, ref_found = false;
    for (uint32_t i = 0; i < mlb_context_plugin_count(t.context); ++i) {
        mlb_plugin_info info;
        std::memset(&info, 0, sizeof info);
        info.struct_size = MLB_STRUCT_SIZE(mlb_plugin_info, features);
        if (mlb_context_plugin_info(t.context, i, &info) != MLB_OK) {
            continue;
        }
        const bool is_dut = plugin_real == info.real_path;
        const bool is_ref = ref_real == info.real_path || (t.device_is_reference && is_dut);
        const char *what = is_dut ? "plugin" : "reference plugin";
        if ((is_dut || is_ref) && info.state != MLB_PLUGIN_LOADED) {
            std::fprintf(stderr, "mlb-conformance: the %s %s was not loaded: %s\n", what, info.path,
                         info.reason);
            return 2;
        }
        if (is_dut) {
            dut_found = true;
            dut_base = base;
            dut_count = info.device_count;
            t.plugin_name = info.name;
            t.plugin_version = info.version;
            t.plugin_abi_version = info.abi_version;
        }
        if (is_ref) {
            ref_found = true;
            ref_base = base;
            ref_count = info.device_count;
        }
        if (info.state == MLB_PLUGIN_LOADED) {
            base += info.device_count;
        }
    }
    if (!dut_found || !ref_found) {
        std::fprintf(stderr, "mlb-conformance: the loader did not list %s\n",
                     dut_found ? t.reference_path.c_str() : o.plugin.c_str());
        return 2;
    }
    if (ref_count == 0) {
        std::fprintf(stderr, "mlb-conformance: the reference plugin %s has no device\n",
                     t.reference_path.c_str());
        return 2;
    }
    if (mlb_context_device_get(t.context, ref_base, &t.reference) != MLB_OK) {
        std::fprintf(stderr, "mlb-conformance: reference device: %s\n", mlb_last_error());
        return 2;
    }
    if (dut_count == 0) {
        t.device_name = "(none)";
        t.skip_reason = "plugin " + t.plugin_name + " has no device on this machine";
    } else if (static_cast<uint32_t>(o.device) >= dut_count) {
        std::fprintf(stderr, "mlb-conformance: --device %d: plugin %s has %u device(s)\n", o.device,
                     t.plugin_name.c_str(), dut_count);
        return 2;
    } else if (mlb_context_device_get(t.context, dut_base + static_cast<uint32_t>(o.device),
                                      &t.device) != MLB_OK) {
        std::fprintf(stderr, "mlb-conformance: device: %s\n", mlb_last_error());
        return 2;
    } else {
        t.device_name = mlb_device_name(t.device);
        mlb_device_props props;
        std::memset(&props, 0, sizeof props);
        props.struct_size = sizeof props;
        if (mlb_device_get_props(t.device, &props) == MLB_OK) {
            t.device_description = std::string(props.name) + " (" + props.vendor + ")";
        }
    }
    if (t.device_is_reference && t.device) {
        t.reference = t.device;
    }
    t.repro = "mlb-conformance --plugin " + o.plugin;
    if (o.reference_given) {
        t.repro += " --reference " + o.reference;
    }
    if (o.device) {
        t.repro += " --device " + std::to_string(o.device);
    }
    if (o.full) {
        t.repro += " --full";
    }
    t.repro += " --seed " + std::to_string(o.seed);
    return -1;
}

// ---- --all -------------------------------------------------------------------------------

// "FILE.json" -> "FILE.NAME.json"; "FILE" -> "FILE.NAME".
std::string per_plugin(const std::string &path, const std::string &name) {
    const size_t slash = path.rfind('/');
    const size_t dot = path.rfind('.');
    if (dot == std::string::npos || (slash != std::string::npos && dot < slash)) {
        return path + "." + name;
    }
    return path.substr(0, dot) + "." + name + path.substr(dot);
}

struct ChildResult {
    int code = 2;
    unsigned long long passed = 0, failed = 0, skipped = 0, expected = 0;
};

ChildResult run_child(const std::vector<std::string> &args) {
    ChildResult r;
    int fds[2];
    if (pipe(fds) != 0) {
        return r;
    }
    std::fflush(stdout);
    const pid_t pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        return r;
    }
    if (pid == 0) {
        dup2(fds[1], STDOUT_FILENO);
        close(fds[0]);
        close(fds[1]);
        std::vector<char *> argv;
        for (const std::string &a : args) {
            argv.push_back(const_cast<char *>(a.c_str()));
        }
        argv.push_back(nullptr);
        execv("/proc/self/exe", argv.data());
        execvp(argv[0], argv.data());
        _exit(127);
    }
    close(fds[1]);
    FILE *in = fdopen(fds[0], "r");
    char line[4096];
    std::string last, before_last;
    while (in && std::fgets(line, sizeof line, in)) {
        std::fputs(line, stdout);
        before_last = last;
        last = line;
    }
    if (in) {
        std::fclose(in);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    r.code = WIFEXITED(status) ? WEXITSTATUS(status) : 1;
    std::sscanf(last.c_str(), "%llu passed, %llu failed, %llu skipped", &r.passed, &r.failed,
                &r.skipped);
    std::sscanf(before_last.c_str(), "%llu expected failures", &r.expected);
    return r;
}

int run_all(const Options &o, const char *argv0) {
    mlb_context ctx = nullptr;
    const mlb_status st = mlb_context_create(nullptr, &ctx);
    if (st != MLB_OK && st != MLB_ERROR_NO_PLUGIN) {
        std::fprintf(stderr, "mlb-conformance: mlb_context_create: %s: %s\n", mlb_status_name(st),
                     mlb_last_error());
        return 2;
    }
    struct Found {
        std::string path, name, reason;
        int32_t state;
    };
    std::vector<Found> found;
    for (uint32_t i = 0; i < mlb_context_plugin_count(ctx); ++i) {
        mlb_plugin_info info;
        std::memset(&info, 0, sizeof info);
        info.struct_size = MLB_STRUCT_SIZE(mlb_plugin_info, features);
        if (mlb_context_plugin_info(ctx, i, &info) == MLB_OK) {
            found.push_back({info.path, info.name, info.reason, info.state});
        }
    }
    mlb_context_destroy(ctx);
    if (found.empty()) {
        std::printf("no plugin found (MLB_PLUGIN_PATH or " MLB_PLUGIN_DIR ")\n");
        std::printf("0 passed, 0 failed, 0 skipped\n");
        return 4;
    }
    ChildResult total;
    total.code = 0;
    bool any_ran = false, any_failed = false;
    for (const Found &f : found) {
        std::string label = f.name.empty() ? f.path : f.name;
        if (f.state == MLB_PLUGIN_DISABLED) {
            std::printf("== %s: disabled (%s), not tested\n", label.c_str(), f.reason.c_str());
            continue;
        }
        if (f.state != MLB_PLUGIN_LOADED) {
            std::printf("== %s: FAILED to load: %s\n", label.c_str(), f.reason.c_str());
            any_failed = true;
            continue;
        }
        std::printf("== %s (%s)\n", label.c_str(), f.path.c_str());
        std::vector<std::string> args = {argv0, "--plugin", f.path};
        args.insert(args.end(), o.child_args.begin(), o.child_args.end());
        if (!o.report.empty()) {
            args.push_back("--report");
            args.push_back(per_plugin(o.report, f.name));
        }
        for (const std::string &p : o.passthrough) {
            if (p.rfind("--gtest_output=xml:", 0) == 0) {
                args.push_back("--gtest_output=xml:" + per_plugin(p.substr(19), f.name));
            }
        }
        const ChildResult r = run_child(args);
        total.passed += r.passed, total.failed += r.failed, total.skipped += r.skipped;
        total.expected += r.expected;
        if (r.code == 4) {
            std::printf("== %s: skipped (no device on this machine)\n", label.c_str());
            continue;
        }
        any_ran = true;
        if (r.code != 0) {
            any_failed = true;
        }
    }
    if (total.expected) {
        std::printf("%llu expected failures\n", total.expected);
    }
    std::printf("%llu passed, %llu failed, %llu skipped\n", total.passed, total.failed,
                total.skipped);
    return any_failed ? 1 : any_ran ? 0 : 4;
}

void print_count() {
    const testing::UnitTest &u = *testing::UnitTest::GetInstance();
    std::printf("(%d tests in %d groups before filtering; op tests are Op_<op>.<dtype>_<family>)\n",
                u.total_test_count(), u.total_test_suite_count());
}

} // namespace

int main(int argc, char **argv) {
    Options o;
    const int rc = parse(argc, argv, &o);
    if (rc >= 0) {
        return rc;
    }
    mlbc::register_op_tests();
    // GoogleTest sees its own flags only.
    std::vector<std::string> gargs = {argv[0]};
    gargs.insert(gargs.end(), o.passthrough.begin(), o.passthrough.end());
    std::vector<char *> gargv;
    for (std::string &a : gargs) {
        gargv.push_back(&a[0]);
    }
    gargv.push_back(nullptr);
    int gargc = static_cast<int>(gargs.size());
    testing::InitGoogleTest(&gargc, gargv.data());
    if (gargc > 1) {
        return usage_error("unknown option '" + std::string(gargv[1]) + "'");
    }
    if (o.list) {
        // GoogleTest's listing honours --gtest_filter; our count follows it.
#ifdef GTEST_FLAG_SET
        GTEST_FLAG_SET(list_tests, true);
#else
        testing::GTEST_FLAG(list_tests) = true;
#endif
        const int listed = RUN_ALL_TESTS();
        (void)listed;
        print_count();
        return 0;
    }
    if (!o.expectations.empty()) {
        std::string err;
        if (!mlbc::report::load_expectations(o.expectations, &err)) {
            std::fprintf(stderr, "mlb-conformance: %s\n", err.c_str());
            return 2;
        }
    }
    if (o.all) {
        return run_all(o, argv[0]);
    }
    const int setup = setup_target(o);
    if (setup >= 0) {
        mlb_context_destroy(mlbc::target().context);
        return setup;
    }
    const mlbc::Target &t = mlbc::target();
    std::printf("mlb-conformance %s: plugin %s (%s), device %s%s%s, reference %s, %s, seed %llu\n",
                PACKAGE_VERSION, t.plugin_name.c_str(), t.plugin_path.c_str(),
                t.device_name.c_str(), t.device_description.empty() ? "" : " ",
                t.device_description.c_str(),
                t.device_is_reference ? "itself (bitwise repeatability)" : t.reference_path.c_str(),
                t.full ? "full" : "quick", static_cast<unsigned long long>(t.seed));
    if (!t.device) {
        std::printf("%s: every test is skipped\n", t.skip_reason.c_str());
    }
    std::fflush(stdout);

    testing::TestEventListeners &listeners = testing::UnitTest::GetInstance()->listeners();
    if (!o.verbose) {
        delete listeners.Release(listeners.default_result_printer());
    }
    listeners.Append(new Progress(t.device == nullptr));
    const int gtest_status = RUN_ALL_TESTS(); // our own counts decide the exit code
    (void)gtest_status;

    const mlbc::report::Summary s = mlbc::report::summary();
    std::printf("\n");
    mlbc::report::print_matrix(stdout);
    int code = s.failed ? 1 : (!t.device ? 4 : 0);
    const std::vector<std::string> stale = mlbc::report::stale_expectations();
    for (const std::string &line : stale) {
        std::printf("%s%s\n", o.verify ? "ERROR: " : "note: ", line.c_str());
    }
    if (o.verify && !stale.empty()) {
        code = 1;
    }
    if (!o.report.empty()) {
        std::string err;
        if (!mlbc::report::write_json(o.report, &err)) {
            std::fprintf(stderr, "mlb-conformance: %s\n", err.c_str());
            code = code ? code : 2;
        }
    }
    mlb_context_destroy(t.context);
    if (!o.expectations.empty()) {
        std::printf("%llu expected failures\n",
                    static_cast<unsigned long long>(s.expected_failures));
    }
    std::printf(
        "%llu passed, %llu failed, %llu skipped\n", static_cast<unsigned long long>(s.passed),
        static_cast<unsigned long long>(s.failed), static_cast<unsigned long long>(s.skipped));
    return code;
}
