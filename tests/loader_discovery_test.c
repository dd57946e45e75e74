/*
 * loader_discovery_test.c - where plugins come from and what is said about
 * them: MLB_PLUGIN_PATH (folders and files, sorted, never the current
 * directory), paths given to the API overriding it, MLB_PLUGINS and
 * MLB_PLUGINS_DISABLE, MLB_LOG lines on stderr and the application's log
 * callback (plugin messages included).
 */
#include "config.h"

#include "loader_util.h"

#include <fcntl.h>

static mlb_status open_env(mlb_context *ctx) {
    mlb_context_options o = {.struct_size = MLB_STRUCT_SIZE(mlb_context_options, log_user_data)};
    o.log_level = MLB_LOG_OFF;
    return mlb_context_create(&o, ctx);
}

static void test_plugin_path(void) {
    char *dir = make_temp_dir();
    char l1[PATH_MAX], l2[PATH_MAX];
    snprintf(l1, sizeof l1, "%s/zz_zero.so", dir);
    snprintf(l2, sizeof l2, "%s/aa_old.so", dir);
    CHECK_INT_EQ(symlink(fixture("zero_devices"), l1), 0);
    CHECK_INT_EQ(symlink(fixture("old_minor"), l2), 0);
    write_file(dir, "notes.txt", "not a plugin: no .so suffix, ignored in a folder\n");
    write_file(dir, ".hidden.so", "hidden files are ignored\n");
    /* A folder, a file, an empty entry, a relative entry and a missing entry. */
    char env[4 * PATH_MAX];
    snprintf(env, sizeof env, "%s::%s:relative/dir:%s/missing", dir, fixture("good"), dir);
    setenv("MLB_PLUGIN_PATH", env, 1);
    mlb_context ctx;
    CHECK_INT_EQ(open_env(&ctx), MLB_OK);
    CHECK_INT_EQ(mlb_context_plugin_count(ctx), 4);
    /* Sorted by path: aa_old.so, missing, zz_zero.so (same dir), then the fixture path order
       depends on the build dir, so check the three temp entries relative to each other. */
    int i_old = -1, i_missing = -1, i_zero = -1;
    mlb_plugin_info pi;
    i_old = find_plugin(ctx, "aa_old.so", &pi);
    CHECK_INT_EQ(pi.state, MLB_PLUGIN_LOADED);
    CHECK_STR_EQ(pi.name, "fixture_old_minor");
    i_missing = find_plugin(ctx, "missing", &pi);
    CHECK_INT_EQ(pi.status, MLB_ERROR_NOT_FOUND);
    i_zero = find_plugin(ctx, "zz_zero.so", &pi);
    CHECK_INT_EQ(pi.state, MLB_PLUGIN_LOADED);
    CHECK(i_old >= 0 && i_old < i_missing && i_missing < i_zero);
    CHECK_GOOD_WORKS(ctx);
    mlb_context_destroy(ctx);

    /* Paths given to the API replace MLB_PLUGIN_PATH. */
    const char *paths[1] = {fixture("good")};
    CHECK_INT_EQ(open_paths(paths, 1, &ctx), MLB_OK);
    CHECK_INT_EQ(mlb_context_plugin_count(ctx), 1);
    mlb_context_destroy(ctx);

    /* Only empty and relative entries: nothing is searched (not even the current folder). */
    CHECK_INT_EQ(chdir(fixture_dir()), 0);
    setenv("MLB_PLUGIN_PATH", ":.:tests:", 1);
    CHECK_INT_EQ(open_env(&ctx), MLB_ERROR_NO_PLUGIN);
    CHECK_INT_EQ(mlb_context_plugin_count(ctx), 0);
    mlb_context_destroy(ctx);
    CHECK_INT_EQ(chdir("/"), 0);
    unsetenv("MLB_PLUGIN_PATH");
    rm_tree(dir);
}

static void test_select_and_disable(void) {
    char env[3 * PATH_MAX];
    snprintf(env, sizeof env, "%s:%s:%s", fixture("good"), fixture("old_minor"),
             fixture("zero_devices"));
    setenv("MLB_PLUGIN_PATH", env, 1);
    mlb_context ctx;

    setenv("MLB_PLUGINS", " fixture_good , fixture_zero_devices", 1);
    CHECK_INT_EQ(open_env(&ctx), MLB_OK);
    CHECK_PLUGIN(ctx, "fixture_good", MLB_PLUGIN_LOADED, MLB_OK, "");
    CHECK_PLUGIN(ctx, "fixture_zero_devices", MLB_PLUGIN_LOADED, MLB_OK, "");
    CHECK_PLUGIN(ctx, "fixture_old_minor", MLB_PLUGIN_DISABLED, MLB_ERROR_NOT_FOUND,
                 "not selected by MLB_PLUGINS");
    CHECK_INT_EQ(mlb_context_device_count(ctx), 2);
    CHECK_GOOD_WORKS(ctx);
    mlb_context_destroy(ctx);
    unsetenv("MLB_PLUGINS");

    setenv("MLB_PLUGINS_DISABLE", "fixture_old_minor,fixture_zero_devices", 1);
    CHECK_INT_EQ(open_env(&ctx), MLB_OK);
    CHECK_PLUGIN(ctx, "fixture_good", MLB_PLUGIN_LOADED, MLB_OK, "");
    CHECK_PLUGIN(ctx, "fixture_old_minor", MLB_PLUGIN_DISABLED, MLB_ERROR_NOT_FOUND,
                 "disabled by MLB_PLUGINS_DISABLE");
    CHECK_PLUGIN(ctx, "fixture_zero_devices", MLB_PLUGIN_DISABLED, MLB_ERROR_NOT_FOUND,
                 "disabled by MLB_PLUGINS_DISABLE");
    CHECK_GOOD_WORKS(ctx);
    mlb_context_destroy(ctx);

    /* Disabling everything leaves no usable plugin. */
    setenv("MLB_PLUGINS_DISABLE", "fixture_old_minor,fixture_zero_devices,fixture_good", 1);
    CHECK_INT_EQ(open_env(&ctx), MLB_ERROR_NO_PLUGIN);
    mlb_context_destroy(ctx);
    unsetenv("MLB_PLUGINS_DISABLE");
    unsetenv("MLB_PLUGIN_PATH");
}

/* Runs a context with MLB_LOG=level and returns what went to stderr. */
static char *stderr_of_context(const char *level, const char *const *paths, uint32_t n) {
    static char text[16384];
    char file[] = "/tmp/mlb_log_XXXXXX";
    int fd = mkstemp(file);
    CHECK(fd >= 0);
    fflush(stderr);
    int saved = dup(2);
    dup2(fd, 2);
    setenv("MLB_LOG", level, 1);
    mlb_context_options o = {.struct_size = MLB_STRUCT_SIZE(mlb_context_options, log_user_data)};
    o.plugin_paths = paths;
    o.num_plugin_paths = n;
    mlb_context ctx = NULL;
    mlb_context_create(&o, &ctx);
    mlb_context_destroy(ctx);
    unsetenv("MLB_LOG");
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    ssize_t got = pread(fd, text, sizeof text - 1, 0);
    text[got > 0 ? got : 0] = '\0';
    close(fd);
    unlink(file);
    return text;
}

static void test_mlb_log(void) {
    const char *paths[2] = {fixture("init_fails"), fixture("good")};
    char *out = stderr_of_context("warn", paths, 2);
    CHECK_STR_CONTAINS(out, "[mlb] WARN fixture_init_fails: rejected ");
    CHECK_STR_CONTAINS(out, "init failed: MLB_ERROR_DEVICE: no hardware answered (simulated)\n");
    CHECK(!strstr(out, "INFO"));

    out = stderr_of_context("debug", paths, 2);
    CHECK_STR_CONTAINS(out, "[mlb] INFO fixture_good: loaded ");
    /* The plugin's own messages go through the same sink, under its name. */
    CHECK_STR_CONTAINS(out, "[mlb] INFO fixture_good: initialized\n");
    CHECK_STR_CONTAINS(out, "[mlb] DEBUG fixture_good: shut down\n");

    out = stderr_of_context("error", paths, 2);
    CHECK_STR_EQ(out, "");
    out = stderr_of_context("off", paths, 2);
    CHECK_STR_EQ(out, "");
    /* Every line has the documented shape. */
    out = stderr_of_context("debug", paths, 2);
    for (char *line = strtok(out, "\n"); line; line = strtok(NULL, "\n")) {
        CHECK(strncmp(line, "[mlb] ", 6) == 0);
        CHECK(strstr(line, ": ") != NULL);
    }
}

typedef struct log_capture {
    int count;
    int plugin_lines;
    char last_source[64];
    char rejected_line[512];
} log_capture;

static void capture(void *user, int32_t level, const char *source, const char *message) {
    log_capture *c = user;
    c->count++;
    snprintf(c->last_source, sizeof c->last_source, "%s", source);
    if (level == MLB_LOG_WARN && strstr(message, "rejected"))
        snprintf(c->rejected_line, sizeof c->rejected_line, "%s: %s", source, message);
    if (strcmp(source, "fixture_good") == 0 && strcmp(message, "initialized") == 0)
        c->plugin_lines++;
}

static void test_log_callback(void) {
    const char *paths[2] = {fixture("enum_fails"), fixture("good")};
    log_capture cap = {0};
    mlb_context_options o = {.struct_size = MLB_STRUCT_SIZE(mlb_context_options, log_user_data)};
    o.plugin_paths = paths;
    o.num_plugin_paths = 2;
    o.log_level = MLB_LOG_DEBUG;
    o.log = capture;
    o.log_user_data = &cap;
    setenv("MLB_LOG", "off", 1); /* the option wins over the environment */
    mlb_context ctx;
    CHECK_INT_EQ(mlb_context_create(&o, &ctx), MLB_OK);
    unsetenv("MLB_LOG");
    CHECK(cap.count >= 3);
    CHECK_INT_EQ(cap.plugin_lines, 1);
    CHECK_STR_CONTAINS(cap.rejected_line, "fixture_enum_fails: rejected ");
    CHECK_STR_CONTAINS(cap.rejected_line, "device enumeration failed");
    mlb_context_destroy(ctx);
    CHECK_STR_EQ(cap.last_source, "fixture_good"); /* "shut down" at destroy */

    /* A level below the message's: the callback is not called. */
    log_capture quiet = {0};
    o.log_level = MLB_LOG_ERROR;
    o.log_user_data = &quiet;
    CHECK_INT_EQ(mlb_context_create(&o, &ctx), MLB_OK);
    mlb_context_destroy(ctx);
    CHECK_INT_EQ(quiet.count, 0);
}

static void test_bad_options(void) {
    mlb_context ctx = NULL;
    mlb_context_options o = {.struct_size = 8};
    CHECK_INT_EQ(mlb_context_create(&o, &ctx), MLB_ERROR_INVALID_ARGUMENT);
    CHECK(ctx == NULL);
    CHECK_STR_CONTAINS(mlb_last_error(), "mlb: context_create: options->struct_size 8");
    o.struct_size = MLB_STRUCT_SIZE(mlb_context_options, log_user_data);
    o.num_plugin_paths = 2;
    CHECK_INT_EQ(mlb_context_create(&o, &ctx), MLB_ERROR_INVALID_ARGUMENT);
    CHECK_INT_EQ(mlb_context_create(NULL, NULL), MLB_ERROR_INVALID_ARGUMENT);
    mlb_context_destroy(NULL);
    CHECK_INT_EQ(mlb_context_plugin_count(NULL), 0);
    CHECK_INT_EQ(mlb_context_device_count(NULL), 0);
}

int main(void) {
    if (fixtures_missing())
        return check_skip("fixture plugins not found (run under make check)");
    test_plugin_path();
    test_select_and_disable();
    test_mlb_log();
    test_log_callback();
    test_bad_options();
    return check_finish();
}
