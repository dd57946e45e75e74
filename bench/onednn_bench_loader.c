/*
 * onednn_bench_loader.c - the loader side of onednn_bench ("ours" and
 * cpu_ref): a case run through libmlb's public API as a framework runs it.
 * Once per case: a stream, one buffer per tensor, the inputs uploaded with
 * mlb_stream_copy_host_to_device, the kernel created. Per run:
 * mlb_kernel_launch, then mlb_stream_synchronize.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "onednn_bench.h"

struct loader_side {
    mlb_stream stream;
    mlb_kernel kernel;
    mlb_buffer buf[3]; /* inputs 0 and 1, output */
    uint32_t num_inputs;
    uint64_t out_bytes;
};

static int ok(mlb_status s, const char *what) {
    if (s != MLB_OK) {
        fprintf(stderr, "onednn_bench: %s: %s: %s\n", what, mlb_status_name(s), mlb_last_error());
        return 0;
    }
    return 1;
}

mlb_context loader_open(const char *plugin, const char *reference) {
    const char *paths[2] = {plugin, reference};
    mlb_context_options o;
    memset(&o, 0, sizeof(o));
    o.struct_size = MLB_STRUCT_SIZE(mlb_context_options, log_user_data);
    o.plugin_paths = paths, o.num_plugin_paths = reference ? 2 : 1;
    o.log_level = MLB_LOG_FROM_ENV;
    mlb_context ctx = NULL;
    const mlb_status s = mlb_context_create(&o, &ctx);
    if (s != MLB_OK && s != MLB_ERROR_NO_PLUGIN) { /* NO_PLUGIN: ctx lists the reasons */
        ok(s, "mlb_context_create");
        return NULL;
    }
    return ctx;
}

/* The context's record of the plugin discovered from `path` (by real path, as the loader). */
static int find_plugin(mlb_context ctx, const char *path, mlb_plugin_info *info) {
    char real[PATH_MAX];
    const char *key = realpath(path, real) ? real : NULL;
    for (uint32_t i = 0; i < mlb_context_plugin_count(ctx); ++i) {
        memset(info, 0, sizeof(*info));
        info->struct_size = MLB_STRUCT_SIZE(mlb_plugin_info, features);
        if (mlb_context_plugin_info(ctx, i, info) == MLB_OK &&
            (key ? strcmp(info->real_path, key) == 0 : strcmp(info->path, path) == 0)) {
            return 0;
        }
    }
    return -1;
}

mlb_device loader_device(mlb_context ctx, const char *path) {
    mlb_plugin_info info;
    if (find_plugin(ctx, path, &info) != 0) {
        fprintf(stderr, "onednn_bench: %s: not among the discovered plugins\n", path);
        return NULL;
    }
    if (info.state != MLB_PLUGIN_LOADED || info.device_count == 0) {
        fprintf(stderr, "onednn_bench: cannot load plugin %s: %s (%s)\n", path,
                info.reason[0] ? info.reason : "no device", mlb_status_name(info.status));
        return NULL;
    }
    char name[128];
    snprintf(name, sizeof(name), "%s:0", info.name);
    mlb_device dev = NULL;
    return ok(mlb_context_device_find(ctx, name, &dev), name) ? dev : NULL;
}

static int alloc_buffers(loader_side *l, mlb_device dev, const bench_case *c) {
    for (int i = 0; i < 3; ++i) {
        mlb_buffer_desc bd;
        memset(&bd, 0, sizeof(bd));
        bd.struct_size = MLB_STRUCT_SIZE(mlb_buffer_desc, alignment);
        bd.size = c->bytes[i], bd.alignment = 64;
        if (!ok(mlb_buffer_alloc(dev, &bd, &l->buf[i]), "mlb_buffer_alloc")) {
            return -1;
        }
    }
    return 0;
}

loader_side *loader_create(mlb_device dev, const bench_case *c) {
    loader_side *l = calloc(1, sizeof(*l));
    if (!l) {
        return NULL;
    }
    l->num_inputs = c->desc.num_inputs, l->out_bytes = c->bytes[2];
    int good = ok(mlb_stream_create(dev, 0, &l->stream), "mlb_stream_create") &&
               alloc_buffers(l, dev, c) == 0;
    for (uint32_t i = 0; good && i < l->num_inputs; ++i) {
        good = ok(mlb_stream_copy_host_to_device(l->stream, l->buf[i], 0, c->data[i], c->bytes[i]),
                  "mlb_stream_copy_host_to_device");
    }
    good = good && ok(mlb_stream_synchronize(l->stream), "mlb_stream_synchronize") &&
           ok(mlb_kernel_create(dev, &c->desc, &l->kernel), "mlb_kernel_create");
    if (!good) {
        loader_destroy(l);
        return NULL;
    }
    return l;
}

int loader_run(loader_side *l) {
    return ok(mlb_kernel_launch(l->kernel, l->stream, l->buf, l->num_inputs, &l->buf[2], 1),
              "mlb_kernel_launch") &&
                   ok(mlb_stream_synchronize(l->stream), "mlb_stream_synchronize")
               ? 0
               : -1;
}

int loader_check_run(loader_side *l, void *host_out, double *seconds) {
    if (!ok(mlb_stream_memset(l->stream, l->buf[2], 0, 0xFF, l->out_bytes), "mlb_stream_memset") ||
        !ok(mlb_stream_synchronize(l->stream), "mlb_stream_synchronize")) {
        return -1;
    }
    const double t0 = bench_now_s();
    if (loader_run(l) != 0) {
        return -1;
    }
    *seconds = bench_now_s() - t0;
    return ok(mlb_stream_copy_device_to_host(l->stream, host_out, l->buf[2], 0, l->out_bytes),
              "mlb_stream_copy_device_to_host") &&
                   ok(mlb_stream_synchronize(l->stream), "mlb_stream_synchronize")
               ? 0
               : -1;
}

void loader_destroy(loader_side *l) {
    if (!l) {
        return;
    }
    if (l->stream) {
        mlb_stream_synchronize(l->stream);
    }
    mlb_kernel_destroy(l->kernel);
    for (int i = 0; i < 3; ++i) {
        mlb_buffer_free(l->buf[i]);
    }
    mlb_stream_destroy(l->stream);
    free(l);
}
