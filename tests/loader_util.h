/*
 * loader_util.h - shared helpers of the loader tests (header-only: check.h
 * keeps its counters per program). Fixture plugins are found in
 * $MLB_TOP_BUILDDIR/tests/.libs/fixture_<variant>.so.
 */
#ifndef MLB_TESTS_LOADER_UTIL_H
#define MLB_TESTS_LOADER_UTIL_H

#include "check.h"
#include "mlb.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The fixtures folder, or NULL when the test does not run under make check. */
static inline const char *fixture_dir(void) {
    static char dir[PATH_MAX];
    const char *top = getenv("MLB_TOP_BUILDDIR");
    if (!top || !top[0])
        return NULL;
    snprintf(dir, sizeof dir, "%s/tests/.libs", top);
    return dir;
}

/* Path of fixture `variant` (e.g. "good"); rotating static storage. */
static inline const char *fixture(const char *variant) {
    static char paths[16][PATH_MAX];
    static unsigned next;
    char *p = paths[next++ % 16];
    snprintf(p, PATH_MAX, "%s/fixture_%s.so", fixture_dir(), variant);
    return p;
}

/* Exit 77 unless the fixtures are there. */
static inline int fixtures_missing(void) {
    return !fixture_dir() || access(fixture("good"), R_OK) != 0;
}

static inline mlb_status open_paths(const char *const *paths, uint32_t n, mlb_context *ctx) {
    mlb_context_options o;
    memset(&o, 0, sizeof o);
    o.struct_size = MLB_STRUCT_SIZE(mlb_context_options, log_user_data);
    o.plugin_paths = paths;
    o.num_plugin_paths = n;
    o.log_level = MLB_LOG_OFF;
    *ctx = NULL;
    return mlb_context_create(&o, ctx);
}

/* Index of the plugin whose name or file name is `name`, filling `info`; -1 if none. */
static inline int find_plugin(mlb_context ctx, const char *name, mlb_plugin_info *info) {
    for (uint32_t i = 0; i < mlb_context_plugin_count(ctx); ++i) {
        memset(info, 0, sizeof *info);
        info->struct_size = MLB_STRUCT_SIZE(mlb_plugin_info, features);
        if (mlb_context_plugin_info(ctx, i, info) != MLB_OK)
            continue;
        const char *base = strrchr(info->path, '/');
        if (strcmp(info->name, name) == 0 || strcmp(base ? base + 1 : info->path, name) == 0)
            return (int)i;
    }
    return -1;
}

/* Asserts the state, status and reason (substring) of one plugin. */
#define CHECK_PLUGIN(ctx, name, want_state, want_status, reason_part)                              \
    do {                                                                                           \
        mlb_plugin_info pi_;                                                                       \
        int idx_ = find_plugin(ctx, name, &pi_);                                                   \
        CHECK(idx_ >= 0);                                                                          \
        if (idx_ >= 0) {                                                                           \
            CHECK_STR_EQ(mlb_plugin_state_name(pi_.state), mlb_plugin_state_name(want_state));     \
            CHECK_STR_EQ(mlb_status_name(pi_.status), mlb_status_name(want_status));               \
            CHECK_STR_CONTAINS(pi_.reason, reason_part);                                           \
        }                                                                                          \
    } while (0)

static inline mlb_buffer alloc_buffer(mlb_device d, uint64_t size) {
    mlb_buffer_desc bd;
    memset(&bd, 0, sizeof bd);
    bd.struct_size = MLB_STRUCT_SIZE(mlb_buffer_desc, alignment);
    bd.size = size;
    mlb_buffer b = NULL;
    CHECK_INT_EQ(mlb_buffer_alloc(d, &bd, &b), MLB_OK);
    return b;
}

/* An op descriptor over caller-owned tensors. */
typedef struct test_op {
    mlb_op_desc desc;
    mlb_tensor_desc t[3];
    const mlb_tensor_desc *in[2];
    const mlb_tensor_desc *out[1];
    mlb_fill_attrs fill;
} test_op;

/* add: out[2,3] = a[2,3] + b[2,3], f32. */
static inline void make_add(test_op *op) {
    memset(op, 0, sizeof *op);
    const int64_t shape[2] = {2, 3};
    for (int i = 0; i < 3; ++i)
        mlb_tensor_desc_contiguous(&op->t[i], MLB_DTYPE_F32, 2, shape);
    op->in[0] = &op->t[0];
    op->in[1] = &op->t[1];
    op->out[0] = &op->t[2];
    op->desc.struct_size = MLB_STRUCT_SIZE(mlb_op_desc, attrs);
    op->desc.op = MLB_OP_ADD;
    op->desc.num_inputs = 2;
    op->desc.num_outputs = 1;
    op->desc.inputs = op->in;
    op->desc.outputs = op->out;
}

/* fill: out[n] = value, f32. */
static inline void make_fill(test_op *op, int64_t n, double value) {
    memset(op, 0, sizeof *op);
    mlb_tensor_desc_contiguous(&op->t[0], MLB_DTYPE_F32, 1, &n);
    op->out[0] = &op->t[0];
    op->fill.struct_size = MLB_STRUCT_SIZE(mlb_fill_attrs, int_value);
    op->fill.float_value = value;
    op->desc.struct_size = MLB_STRUCT_SIZE(mlb_op_desc, attrs);
    op->desc.op = MLB_OP_FILL;
    op->desc.num_outputs = 1;
    op->desc.outputs = op->out;
    op->desc.attrs = &op->fill;
}

/* Runs add end to end on `d`: alloc, copy in, launch, read back. Returns 1 on success. */
static inline int run_add(mlb_device d, float bias) {
    const float a[6] = {1, 2, 3, 4, 5, 6};
    float b[6], out[6] = {0};
    for (int i = 0; i < 6; ++i)
        b[i] = bias + (float)(10 * i);
    int ok = 1;
    mlb_buffer ba = alloc_buffer(d, sizeof a), bb = alloc_buffer(d, sizeof b),
               bo = alloc_buffer(d, sizeof out);
    mlb_stream s = NULL;
    mlb_kernel k = NULL;
    test_op op;
    make_add(&op);
    ok &= mlb_stream_create(d, 0, &s) == MLB_OK;
    ok &= mlb_kernel_create(d, &op.desc, &k) == MLB_OK;
    ok &= mlb_stream_copy_host_to_device(s, ba, 0, a, sizeof a) == MLB_OK;
    ok &= mlb_stream_copy_host_to_device(s, bb, 0, b, sizeof b) == MLB_OK;
    const mlb_buffer ins[2] = {ba, bb}, outs[1] = {bo};
    ok &= mlb_kernel_launch(k, s, ins, 2, outs, 1) == MLB_OK;
    ok &= mlb_stream_copy_device_to_host(s, out, bo, 0, sizeof out) == MLB_OK;
    ok &= mlb_stream_synchronize(s) == MLB_OK;
    for (int i = 0; i < 6; ++i)
        ok &= out[i] == a[i] + b[i];
    mlb_kernel_destroy(k);
    mlb_stream_destroy(s);
    mlb_buffer_free(ba);
    mlb_buffer_free(bb);
    mlb_buffer_free(bo);
    return ok;
}

/* Asserts that the good fixture loaded in ctx and runs add on its device 0. */
#define CHECK_GOOD_WORKS(ctx)                                                                      \
    do {                                                                                           \
        mlb_device gd_ = NULL;                                                                     \
        CHECK_INT_EQ(mlb_context_device_find(ctx, "fixture_good:0", &gd_), MLB_OK);                \
        if (gd_)                                                                                   \
            CHECK(run_add(gd_, 0.5f));                                                             \
    } while (0)

/* A fresh temporary folder; rm_tree() removes it (one level of files). */
static inline char *make_temp_dir(void) {
    static char dirs[8][64];
    static unsigned next;
    char *d = dirs[next++ % 8];
    snprintf(d, 64, "/tmp/mlb_test_XXXXXX");
    return mkdtemp(d);
}

static inline void rm_tree(const char *dir) {
    char cmd[PATH_MAX + 16];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
}

/* Writes `text` to dir/name; returns the path (static rotating storage). */
static inline const char *write_file(const char *dir, const char *name, const char *text) {
    static char paths[8][PATH_MAX];
    static unsigned next;
    char *p = paths[next++ % 8];
    snprintf(p, PATH_MAX, "%s/%s", dir, name);
    FILE *f = fopen(p, "w");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
    return p;
}

/* Copies a file byte for byte; returns 1 on success. */
static inline int copy_file(const char *from, const char *to) {
    FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
    int ok = in && out;
    char buf[65536];
    size_t n;
    while (ok && (n = fread(buf, 1, sizeof buf, in)) > 0)
        ok = fwrite(buf, 1, n, out) == n;
    if (in)
        fclose(in);
    if (out)
        fclose(out);
    return ok;
}

#endif /* MLB_TESTS_LOADER_UTIL_H */
