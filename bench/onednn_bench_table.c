/*
 * onednn_bench_table.c - a plugin called through its own function table,
 * without libmlb: the plugin file opened with dlopen, its entry point asked
 * for the table, init, device 0, a stream, one buffer per tensor with the
 * inputs uploaded, the kernel. A run is the table's kernel_launch +
 * stream_synchronize: the plugin's runtime and kernels without the loader's
 * checks and dispatch. The plugin stays loaded (a plugin may refuse to be
 * unloaded, and libmlb may hold it too).
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "onednn_bench.h"

struct table_side {
    const mlb_plugin_api *api;
    mlb_plugin_device dev;
    mlb_plugin_stream stream;
    mlb_plugin_kernel kernel;
    mlb_plugin_buffer buf[3]; /* inputs 0 and 1, output */
    uint64_t out_bytes;
    int initialized;
};

static int ok(const table_side *t, mlb_status s, const char *what) {
    if (s != MLB_OK) {
        const mlb_plugin_api *a = t->api;
        const char *why = a && a->struct_size >= MLB_STRUCT_SIZE(mlb_plugin_api, get_last_error) &&
                                  a->get_last_error
                              ? a->get_last_error()
                              : NULL;
        fprintf(stderr, "onednn_bench: plugin table: %s: %s: %s\n", what, mlb_status_name(s),
                why ? why : "");
        return 0;
    }
    return 1;
}

static int open_table(table_side *t, const char *path) {
    void *dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    mlb_plugin_get_api_fn entry = NULL;
    if (dl) {
        *(void **)&entry = dlsym(dl, MLB_PLUGIN_ENTRY_NAME);
    }
    if (!entry) {
        fprintf(stderr, "onednn_bench: plugin table: %s: %s\n", path,
                dl ? "no " MLB_PLUGIN_ENTRY_NAME : dlerror());
        return -1;
    }
    const mlb_loader_info info = {.struct_size = MLB_STRUCT_SIZE(mlb_loader_info, log_user_data),
                                  .abi_version = MLB_ABI_VERSION};
    if (!ok(t, entry(&info, &t->api), MLB_PLUGIN_ENTRY_NAME) || !ok(t, t->api->init(), "init")) {
        return -1;
    }
    t->initialized = 1;
    return ok(t, t->api->device_get(0, &t->dev), "device_get") ? 0 : -1;
}

static int upload(table_side *t, const bench_case *c) {
    for (int i = 0; i < 3; ++i) {
        mlb_buffer_desc bd;
        memset(&bd, 0, sizeof(bd));
        bd.struct_size = MLB_STRUCT_SIZE(mlb_buffer_desc, alignment);
        bd.size = c->bytes[i], bd.alignment = 64;
        if (!ok(t, t->api->buffer_alloc(t->dev, &bd, &t->buf[i]), "buffer_alloc")) {
            return -1;
        }
    }
    for (int i = 0; i < 2; ++i) {
        if (!ok(t, t->api->copy_host_to_device(t->stream, t->buf[i], 0, c->data[i], c->bytes[i]),
                "copy_host_to_device")) {
            return -1;
        }
    }
    return ok(t, t->api->stream_synchronize(t->stream), "stream_synchronize") ? 0 : -1;
}

table_side *table_create(const char *path, const bench_case *c) {
    table_side *t = calloc(1, sizeof(*t));
    if (!t) {
        return NULL;
    }
    t->out_bytes = c->bytes[2];
    if (open_table(t, path) != 0 ||
        !ok(t, t->api->stream_create(t->dev, 0, &t->stream), "stream_create") ||
        upload(t, c) != 0 ||
        !ok(t, t->api->kernel_create(t->dev, &c->desc, &t->kernel), "kernel_create")) {
        table_destroy(t);
        return NULL;
    }
    return t;
}

int table_run(table_side *t) {
    return ok(t, t->api->kernel_launch(t->kernel, t->stream, t->buf, 2, &t->buf[2], 1),
              "kernel_launch") &&
                   ok(t, t->api->stream_synchronize(t->stream), "stream_synchronize")
               ? 0
               : -1;
}

int table_check_run(table_side *t, void *host_out) {
    return ok(t, t->api->memset(t->stream, t->buf[2], 0, 0xFF, t->out_bytes), "memset") &&
                   table_run(t) == 0 &&
                   ok(t,
                      t->api->copy_device_to_host(t->stream, host_out, t->buf[2], 0, t->out_bytes),
                      "copy_device_to_host") &&
                   ok(t, t->api->stream_synchronize(t->stream), "stream_synchronize")
               ? 0
               : -1;
}

void table_destroy(table_side *t) {
    if (!t) {
        return;
    }
    if (t->api) {
        if (t->stream) {
            t->api->stream_synchronize(t->stream); /* no queued work may outlive the buffers */
        }
        t->api->kernel_destroy(t->kernel);
        for (int i = 0; i < 3; ++i) {
            t->api->buffer_free(t->buf[i]);
        }
        t->api->stream_destroy(t->stream);
        if (t->initialized) {
            t->api->shutdown();
        }
    }
    free(t);
}
