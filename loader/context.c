/*
 * context.c - creating and destroying a loader context; listing its plugins
 * and devices.
 */
#include "config.h"

#include "loader.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int valid_context(mlb_context c) {
    return c && c->tag == MLB_TAG_CONTEXT;
}

static void set_logger(mlb_logger *log, const mlb_context_options *o) {
    log->level = mlb_log_level_from_env();
    if (!o)
        return;
    if (o->log_level == MLB_LOG_OFF)
        log->level = 0;
    else if (o->log_level != MLB_LOG_FROM_ENV)
        log->level = o->log_level;
    log->fn = o->log;
    log->user_data = o->log_user_data;
}

/* Records a path that could not be used at all. */
static void reject_missing(mlb_context ctx, mlb_plugin_rec *p, int err) {
    p->ctx = ctx;
    p->state = MLB_PLUGIN_REJECTED;
    p->status = err == ENOENT || err == ENOTDIR ? MLB_ERROR_NOT_FOUND : MLB_ERROR_PLUGIN_LOAD;
    snprintf(p->reason, sizeof p->reason, "cannot use this path: %s", strerror(err));
}

static mlb_status list_devices(mlb_context ctx) {
    uint32_t n = 0;
    for (uint32_t i = 0; i < ctx->num_plugins; ++i)
        n += ctx->plugins[i].device_count;
    ctx->devices = calloc(n ? n : 1, sizeof *ctx->devices);
    if (!ctx->devices)
        return MLB_ERROR_OUT_OF_MEMORY;
    for (uint32_t i = 0; i < ctx->num_plugins; ++i)
        for (uint32_t j = 0; j < ctx->plugins[i].device_count; ++j)
            ctx->devices[ctx->num_devices++] = &ctx->plugins[i].devices[j];
    return MLB_OK;
}

MLB_API mlb_status mlb_context_create(const mlb_context_options *options, mlb_context *context) {
    if (!context)
        return mlb_fail(MLB_ERROR_INVALID_ARGUMENT, "mlb", "context_create: context is NULL");
    if (options && options->struct_size < MLB_STRUCT_SIZE(mlb_context_options, log_user_data))
        return mlb_fail(MLB_ERROR_INVALID_ARGUMENT, "mlb",
                        "context_create: options->struct_size %zu is too small",
                        options->struct_size);
    if (options && options->num_plugin_paths && !options->plugin_paths)
        return mlb_fail(MLB_ERROR_INVALID_ARGUMENT, "mlb",
                        "context_create: num_plugin_paths is %u but plugin_paths is NULL",
                        options->num_plugin_paths);
    mlb_context ctx = calloc(1, sizeof *ctx);
    if (!ctx)
        return mlb_fail(MLB_ERROR_OUT_OF_MEMORY, "mlb", "context_create: out of memory");
    ctx->tag = MLB_TAG_CONTEXT;
    atomic_init(&ctx->live_objects, 0);
    set_logger(&ctx->log, options);

    mlb_candidate *cands = NULL;
    uint32_t n = 0;
    mlb_status st = mlb_discover(&ctx->log, options ? options->plugin_paths : NULL,
                                 options ? options->num_plugin_paths : 0, &cands, &n);
    if (st == MLB_OK && n) {
        ctx->plugins = calloc(n, sizeof *ctx->plugins);
        if (!ctx->plugins)
            st = MLB_ERROR_OUT_OF_MEMORY;
    }
    if (st != MLB_OK) {
        mlb_candidates_free(cands, n);
        free(ctx);
        return mlb_fail(st, "mlb", "context_create: out of memory");
    }
    /* The records take the strings over. */
    for (uint32_t i = 0; i < n; ++i) {
        mlb_plugin_rec *p = &ctx->plugins[i];
        p->path = cands[i].path;
        p->real_path = cands[i].real_path;
        ctx->num_plugins++;
        if (cands[i].error)
            reject_missing(ctx, p, cands[i].error);
        else
            mlb_plugin_load(ctx, p);
        if (p->state == MLB_PLUGIN_LOADED)
            ctx->num_loaded++;
        else if (p->state == MLB_PLUGIN_REJECTED && cands[i].error)
            mlb_log(&ctx->log, MLB_LOG_WARN, "mlb", "rejected %s: %s", p->path, p->reason);
    }
    free(cands);
    if (list_devices(ctx) != MLB_OK) {
        mlb_context_destroy(ctx);
        return mlb_fail(MLB_ERROR_OUT_OF_MEMORY, "mlb", "context_create: out of memory");
    }
    *context = ctx;
    if (!ctx->num_loaded) {
        mlb_log(&ctx->log, MLB_LOG_WARN, "mlb", "no usable plugin (%u candidate%s)", n,
                n == 1 ? "" : "s");
        return mlb_fail(MLB_ERROR_NO_PLUGIN, "mlb",
                        "no usable plugin: %u candidate%s found, none loaded", n,
                        n == 1 ? "" : "s");
    }
    return MLB_OK;
}

MLB_API void mlb_context_destroy(mlb_context ctx) {
    if (!valid_context(ctx))
        return;
    long live = atomic_load(&ctx->live_objects);
    if (live)
        mlb_log(&ctx->log, MLB_LOG_WARN, "mlb",
                "context destroyed with %ld buffer/stream/event/kernel handle%s still alive", live,
                live == 1 ? "" : "s");
    for (uint32_t i = ctx->num_plugins; i-- > 0;) {
        mlb_plugin_unload(&ctx->plugins[i]);
        free(ctx->plugins[i].path);
        free(ctx->plugins[i].real_path);
    }
    free(ctx->plugins);
    free(ctx->devices);
    ctx->tag = MLB_TAG_DEAD;
    free(ctx);
}

MLB_API uint32_t mlb_context_plugin_count(mlb_context ctx) {
    return valid_context(ctx) ? ctx->num_plugins : 0;
}

MLB_API mlb_status mlb_context_plugin_info(mlb_context ctx, uint32_t index, mlb_plugin_info *info) {
    if (!valid_context(ctx))
        return mlb_fail_handle("context_plugin_info", "context", "mlb_context");
    if (!info || info->struct_size < MLB_STRUCT_SIZE(mlb_plugin_info, features))
        return mlb_fail(MLB_ERROR_INVALID_ARGUMENT, "mlb",
                        "context_plugin_info: info is NULL or its struct_size too small");
    if (index >= ctx->num_plugins)
        return mlb_fail(MLB_ERROR_OUT_OF_RANGE, "mlb",
                        "context_plugin_info: index %u >= plugin count %u", index,
                        ctx->num_plugins);
    const mlb_plugin_rec *p = &ctx->plugins[index];
    size_t size = info->struct_size;
    info->path = p->path;
    info->real_path = p->real_path ? p->real_path : "";
    info->name = p->name;
    info->version = p->version;
    info->description = p->description;
    info->reason = p->reason;
    info->state = p->state;
    info->status = p->status;
    info->abi_version = p->abi_version;
    info->device_count = p->device_count;
    info->features = p->features;
    info->struct_size = size;
    return MLB_OK;
}

MLB_API uint32_t mlb_context_device_count(mlb_context ctx) {
    return valid_context(ctx) ? ctx->num_devices : 0;
}

MLB_API mlb_status mlb_context_device_get(mlb_context ctx, uint32_t index, mlb_device *device) {
    if (!valid_context(ctx))
        return mlb_fail_handle("context_device_get", "context", "mlb_context");
    if (!device)
        return mlb_fail(MLB_ERROR_INVALID_ARGUMENT, "mlb", "context_device_get: device is NULL");
    if (index >= ctx->num_devices)
        return mlb_fail(MLB_ERROR_OUT_OF_RANGE, "mlb",
                        "context_device_get: index %u >= device count %u", index, ctx->num_devices);
    *device = ctx->devices[index];
    return MLB_OK;
}

MLB_API mlb_status mlb_context_device_find(mlb_context ctx, const char *name, mlb_device *device) {
    if (!valid_context(ctx))
        return mlb_fail_handle("context_device_find", "context", "mlb_context");
    if (!name || !device)
        return mlb_fail(MLB_ERROR_INVALID_ARGUMENT, "mlb",
                        "context_device_find: name or device is NULL");
    for (uint32_t i = 0; i < ctx->num_devices; ++i) {
        if (strcmp(ctx->devices[i]->name, name) == 0) {
            *device = ctx->devices[i];
            return MLB_OK;
        }
    }
    return mlb_fail(MLB_ERROR_NOT_FOUND, "mlb", "context_device_find: no device named '%s'", name);
}
