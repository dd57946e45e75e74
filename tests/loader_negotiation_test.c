/*
 * loader_negotiation_test.c - every way a plugin can fail to load, each
 * beside the good fixture: the broken one is skipped with the exact state,
 * status and reason, and the good one keeps working. Also the version
 * negotiation cases that must load: older minor (short table, optional slots
 * answered UNSUPPORTED by the loader), newer minor (longer table), short
 * device props, zero devices.
 */
#include "config.h"

#include "loader_util.h"

#include <errno.h>

/* Loads `variant` beside the good fixture and checks its outcome. */
static void check_beside_good(const char *variant, int32_t state, mlb_status status,
                              const char *reason) {
    const char *paths[2] = {fixture(variant), fixture("good")};
    mlb_context ctx;
    CHECK_INT_EQ(open_paths(paths, 2, &ctx), MLB_OK);
    CHECK_INT_EQ(mlb_context_plugin_count(ctx), 2);
    char file[128];
    snprintf(file, sizeof file, "fixture_%s.so", variant);
    CHECK_PLUGIN(ctx, file, state, status, reason);
    CHECK_PLUGIN(ctx, "fixture_good", MLB_PLUGIN_LOADED, MLB_OK, "");
    /* Only the good plugin's devices are listed. */
    CHECK_INT_EQ(mlb_context_device_count(ctx), 2);
    CHECK_GOOD_WORKS(ctx);
    mlb_context_destroy(ctx);
}

static void test_failures(void) {
    check_beside_good("no_entry", MLB_PLUGIN_REJECTED, MLB_ERROR_PLUGIN_LOAD,
                      "no entry point: the library does not export mlb_plugin_get_api");
    check_beside_good("entry_fails", MLB_PLUGIN_REJECTED, MLB_ERROR_INTERNAL,
                      "entry point failed: MLB_ERROR_INTERNAL");
    check_beside_good("bad_major", MLB_PLUGIN_REJECTED, MLB_ERROR_VERSION_MISMATCH,
                      "ABI version 2.0 is not supported: this loader speaks ABI major 1");
    check_beside_good("short_table", MLB_PLUGIN_REJECTED, MLB_ERROR_PLUGIN_LOAD,
                      "function table too short: struct_size 288 < 296");
    check_beside_good("null_slot", MLB_PLUGIN_REJECTED, MLB_ERROR_PLUGIN_LOAD,
                      "required slot 'event_query' is NULL");
    check_beside_good("init_fails", MLB_PLUGIN_REJECTED, MLB_ERROR_DEVICE,
                      "init failed: MLB_ERROR_DEVICE: no hardware answered (simulated)");
    check_beside_good("enum_fails", MLB_PLUGIN_REJECTED, MLB_ERROR_DEVICE_LOST,
                      "device enumeration failed: device_count: MLB_ERROR_DEVICE_LOST: "
                      "enumeration lost the bus (simulated)");
}

static void test_not_a_library(void) {
    char *dir = make_temp_dir();
    CHECK(dir != NULL);
    const char *garbage = write_file(dir, "garbage.so", "this is not an ELF file\n");
    char missing[PATH_MAX];
    snprintf(missing, sizeof missing, "%s/no_such_folder", dir);
    const char *paths[3] = {garbage, missing, fixture("good")};
    mlb_context ctx;
    CHECK_INT_EQ(open_paths(paths, 3, &ctx), MLB_OK);
    CHECK_INT_EQ(mlb_context_plugin_count(ctx), 3);
    CHECK_PLUGIN(ctx, "garbage.so", MLB_PLUGIN_REJECTED, MLB_ERROR_PLUGIN_LOAD,
                 "not a loadable shared library");
    CHECK_PLUGIN(ctx, "no_such_folder", MLB_PLUGIN_REJECTED, MLB_ERROR_NOT_FOUND,
                 "No such file or directory");
    CHECK_GOOD_WORKS(ctx);
    mlb_context_destroy(ctx);
    rm_tree(dir);
}

static void test_no_usable_plugin(void) {
    const char *paths[2] = {fixture("init_fails"), fixture("no_entry")};
    mlb_context ctx = NULL;
    CHECK_INT_EQ(open_paths(paths, 2, &ctx), MLB_ERROR_NO_PLUGIN);
    CHECK(ctx != NULL);
    CHECK_STR_CONTAINS(mlb_last_error(), "no usable plugin: 2 candidates found, none loaded");
    CHECK_INT_EQ(mlb_context_plugin_count(ctx), 2);
    CHECK_INT_EQ(mlb_context_device_count(ctx), 0);
    mlb_context_destroy(ctx);

    /* An empty folder: nothing found at all is the same status. */
    char *dir = make_temp_dir();
    const char *empty[1] = {dir};
    CHECK_INT_EQ(open_paths(empty, 1, &ctx), MLB_ERROR_NO_PLUGIN);
    CHECK_INT_EQ(mlb_context_plugin_count(ctx), 0);
    mlb_context_destroy(ctx);
    rm_tree(dir);
}

static void test_old_minor(void) {
    const char *paths[2] = {fixture("old_minor"), fixture("good")};
    mlb_context ctx;
    CHECK_INT_EQ(open_paths(paths, 2, &ctx), MLB_OK);
    CHECK_PLUGIN(ctx, "fixture_old_minor", MLB_PLUGIN_LOADED, MLB_OK, "");
    mlb_device d = NULL;
    CHECK_INT_EQ(mlb_context_device_find(ctx, "fixture_old_minor:0", &d), MLB_OK);
    CHECK(run_add(d, 2.0f));
    /* Optional slots lie outside its table: the loader answers for them and never calls them
       (the fixture fills them anyway; calling them would return MLB_OK). */
    mlb_event e0, e1;
    CHECK_INT_EQ(mlb_event_create(d, MLB_EVENT_TIMING, &e0), MLB_OK);
    CHECK_INT_EQ(mlb_event_create(d, MLB_EVENT_TIMING, &e1), MLB_OK);
    float ms = -1;
    CHECK_INT_EQ(mlb_event_elapsed_ms(e0, e1, &ms), MLB_ERROR_UNSUPPORTED);
    CHECK_STR_EQ(mlb_last_error(),
                 "fixture_old_minor: event_elapsed_ms is not implemented by this plugin");
    mlb_memory_stats stats = {.struct_size = MLB_STRUCT_SIZE(mlb_memory_stats, total_bytes)};
    CHECK_INT_EQ(mlb_device_get_memory_stats(d, &stats), MLB_ERROR_UNSUPPORTED);
    CHECK_INT_EQ(mlb_device_reset_peak_memory(d), MLB_ERROR_UNSUPPORTED);
    mlb_attr_value v = {.struct_size = MLB_STRUCT_SIZE(mlb_attr_value, str)};
    CHECK_INT_EQ(mlb_device_get_attribute(d, "fixture_answer", &v), MLB_ERROR_UNSUPPORTED);
    void *ptr = NULL;
    CHECK_INT_EQ(mlb_device_host_alloc(d, 64, &ptr), MLB_ERROR_UNSUPPORTED);
    mlb_buffer b = alloc_buffer(d, 16);
    CHECK_INT_EQ(mlb_buffer_host_pointer(b, &ptr), MLB_ERROR_UNSUPPORTED);
    CHECK_INT_EQ(mlb_buffer_native_handle(b, &ptr), MLB_ERROR_UNSUPPORTED);
    mlb_stream s;
    CHECK_INT_EQ(mlb_stream_create(d, 0, &s), MLB_OK);
    CHECK_INT_EQ(mlb_stream_native_handle(s, &ptr), MLB_ERROR_UNSUPPORTED);
    /* Without get_last_error, a plugin error is described by the loader. */
    test_op op;
    make_fill(&op, 4, 1.0);
    op.t[0].dtype = MLB_DTYPE_I32;
    mlb_kernel k = NULL;
    CHECK_INT_EQ(mlb_kernel_create(d, &op.desc, &k), MLB_ERROR_UNSUPPORTED);
    CHECK_STR_CONTAINS(mlb_last_error(), "fixture_old_minor: kernel_create: the operation is not "
                                         "supported by this plugin or device");
    mlb_stream_destroy(s);
    mlb_buffer_free(b);
    mlb_event_destroy(e0);
    mlb_event_destroy(e1);
    CHECK_GOOD_WORKS(ctx);
    mlb_context_destroy(ctx);
}

static void test_new_minor(void) {
    const char *paths[2] = {fixture("new_minor"), fixture("good")};
    mlb_context ctx;
    CHECK_INT_EQ(open_paths(paths, 2, &ctx), MLB_OK);
    mlb_plugin_info pi;
    CHECK(find_plugin(ctx, "fixture_new_minor", &pi) >= 0);
    CHECK_INT_EQ(pi.state, MLB_PLUGIN_LOADED);
    CHECK_INT_EQ(pi.abi_version,
                 MLB_MAKE_VERSION(MLB_ABI_VERSION_MAJOR, MLB_ABI_VERSION_MINOR + 1));
    mlb_device d = NULL;
    CHECK_INT_EQ(mlb_context_device_find(ctx, "fixture_new_minor:1", &d), MLB_OK);
    CHECK(run_add(d, -1.0f));
    /* Its optional v1.0 slots work; it writes nothing past the loader's props. */
    mlb_memory_stats stats = {.struct_size = MLB_STRUCT_SIZE(mlb_memory_stats, total_bytes)};
    CHECK_INT_EQ(mlb_device_get_memory_stats(d, &stats), MLB_OK);
    struct {
        mlb_device_props props;
        uint64_t guard;
    } p = {.props = {.struct_size = MLB_STRUCT_SIZE(mlb_device_props, uuid)}, .guard = 7};
    CHECK_INT_EQ(mlb_device_get_props(d, &p.props), MLB_OK);
    CHECK_STR_EQ(p.props.name, "Fixture device 1");
    CHECK_INT_EQ(p.guard, 7);
    CHECK_GOOD_WORKS(ctx);
    mlb_context_destroy(ctx);
}

static void test_short_props_and_zero_devices(void) {
    const char *paths[3] = {fixture("short_props"), fixture("zero_devices"), fixture("good")};
    mlb_context ctx;
    CHECK_INT_EQ(open_paths(paths, 3, &ctx), MLB_OK);
    CHECK_PLUGIN(ctx, "fixture_zero_devices", MLB_PLUGIN_LOADED, MLB_OK, "");
    mlb_plugin_info pi;
    CHECK(find_plugin(ctx, "fixture_zero_devices", &pi) >= 0);
    CHECK_INT_EQ(pi.device_count, 0);
    CHECK_INT_EQ(mlb_context_device_count(ctx), 4);
    mlb_device d = NULL;
    CHECK_INT_EQ(mlb_context_device_find(ctx, "fixture_short_props:0", &d), MLB_OK);
    mlb_device_props p;
    memset(&p, 0xee, sizeof p);
    p.struct_size = MLB_STRUCT_SIZE(mlb_device_props, uuid);
    CHECK_INT_EQ(mlb_device_get_props(d, &p), MLB_OK);
    CHECK_STR_EQ(p.name, "Fixture device 0");
    CHECK_INT_EQ(p.kind, MLB_DEVICE_KIND_CPU);
    /* Fields the plugin did not write read as 0 ("unknown"), not as the caller's garbage. */
    CHECK_INT_EQ(p.total_memory, 0);
    CHECK_INT_EQ(p.memory_kind_count, 0);
    CHECK_INT_EQ(p.uuid[15], 0);
    /* Its memory_kind_count of 0 still allows the default kind. */
    CHECK(run_add(d, 3.0f));
    /* A caller with an older, shorter struct gets only what fits. */
    struct {
        mlb_device_props props;
    } small;
    memset(&small, 0x11, sizeof small);
    small.props.struct_size = MLB_STRUCT_SIZE(mlb_device_props, vendor);
    CHECK_INT_EQ(mlb_device_get_props(d, &small.props), MLB_OK);
    CHECK_STR_EQ(small.props.vendor, "ml_backend tests");
    CHECK_INT_EQ(small.props.kind, 0x11111111);
    CHECK_GOOD_WORKS(ctx);
    mlb_context_destroy(ctx);
}

static void test_symlink_and_duplicate_name(void) {
    char *dir = make_temp_dir();
    char link1[PATH_MAX], link2[PATH_MAX], copy[PATH_MAX];
    snprintf(link1, sizeof link1, "%s/a_link.so", dir);
    snprintf(link2, sizeof link2, "%s/b_link.so", dir);
    snprintf(copy, sizeof copy, "%s/c_copy.so", dir);
    CHECK_INT_EQ(symlink(fixture("good"), link1), 0);
    CHECK_INT_EQ(symlink(fixture("good"), link2), 0);
    /* The same plugin reached three times (folder entry, two links) loads once. */
    const char *paths[3] = {fixture("good"), dir, link2};
    mlb_context ctx;
    CHECK_INT_EQ(open_paths(paths, 3, &ctx), MLB_OK);
    CHECK_INT_EQ(mlb_context_plugin_count(ctx), 1);
    CHECK_INT_EQ(mlb_context_device_count(ctx), 2);
    mlb_plugin_info pi;
    CHECK(find_plugin(ctx, "fixture_good", &pi) >= 0);
    /* The first of the three paths in sorted order is kept (where the build tree and the
     * temporary folder lie decides which). */
    CHECK_STR_EQ(pi.path, strcmp(fixture("good"), link1) < 0 ? fixture("good") : link1);
    CHECK_STR_EQ(pi.real_path, fixture("good"));
    CHECK_GOOD_WORKS(ctx);
    mlb_context_destroy(ctx);

    /* A copy is another file with the same plugin name: the second is rejected. */
    CHECK(copy_file(fixture("good"), copy));
    unlink(link2);
    const char *dirs[1] = {dir};
    CHECK_INT_EQ(open_paths(dirs, 1, &ctx), MLB_OK);
    CHECK_INT_EQ(mlb_context_plugin_count(ctx), 2);
    CHECK_PLUGIN(ctx, "c_copy.so", MLB_PLUGIN_REJECTED, MLB_ERROR_PLUGIN_LOAD,
                 "duplicate plugin name 'fixture_good': already loaded from");
    CHECK_INT_EQ(mlb_context_device_count(ctx), 2);
    CHECK_GOOD_WORKS(ctx);
    mlb_context_destroy(ctx);
    rm_tree(dir);
}

/* Everything in the fixtures folder at once: 5 loaded, 7 rejected, devices in order. */
static void test_whole_folder(void) {
    const char *paths[1] = {fixture_dir()};
    mlb_context ctx;
    CHECK_INT_EQ(open_paths(paths, 1, &ctx), MLB_OK);
    CHECK_INT_EQ(mlb_context_plugin_count(ctx), 12);
    int loaded = 0;
    const char *prev = "";
    for (uint32_t i = 0; i < mlb_context_plugin_count(ctx); ++i) {
        mlb_plugin_info pi = {.struct_size = MLB_STRUCT_SIZE(mlb_plugin_info, features)};
        CHECK_INT_EQ(mlb_context_plugin_info(ctx, i, &pi), MLB_OK);
        loaded += pi.state == MLB_PLUGIN_LOADED;
        CHECK(strcmp(prev, pi.path) < 0);
        prev = pi.path;
    }
    CHECK_INT_EQ(loaded, 5);
    /* good, new_minor, old_minor, short_props: 2 devices each, plugin order then index. */
    CHECK_INT_EQ(mlb_context_device_count(ctx), 8);
    const char *want[8] = {"fixture_good:0",        "fixture_good:1",       "fixture_new_minor:0",
                           "fixture_new_minor:1",   "fixture_old_minor:0",  "fixture_old_minor:1",
                           "fixture_short_props:0", "fixture_short_props:1"};
    for (uint32_t i = 0; i < 8; ++i) {
        mlb_device d = NULL;
        CHECK_INT_EQ(mlb_context_device_get(ctx, i, &d), MLB_OK);
        CHECK_STR_EQ(mlb_device_name(d), want[i]);
    }
    CHECK_GOOD_WORKS(ctx);
    mlb_context_destroy(ctx);
}

int main(void) {
    if (fixtures_missing())
        return check_skip("fixture plugins not found (run under make check)");
    test_failures();
    test_not_a_library();
    test_no_usable_plugin();
    test_old_minor();
    test_new_minor();
    test_short_props_and_zero_devices();
    test_symlink_and_duplicate_name();
    test_whole_folder();
    return check_finish();
}
