/*
 * api_device.c - device calls: validate, then one dispatch to the plugin.
 * Structs handed to the plugin are the loader's own zeroed copies carrying
 * the loader's struct_size; the result is copied back up to the caller's.
 */
#include "config.h"

#include "loader.h"

#include <string.h>

#define DEVICE_OR_FAIL(d, what)                                                                    \
    do {                                                                                           \
        if (MLB_UNLIKELY(!mlb_valid_device(d)))                                                    \
            return mlb_fail_handle(what, "device", "mlb_device");                                  \
    } while (0)

/* Copies the loader's filled struct back into the caller's, up to the smaller size. */
static void copy_out(void *dst, const void *src, size_t dst_size, size_t src_size) {
    size_t n = dst_size < src_size ? dst_size : src_size;
    memcpy((char *)dst + sizeof(size_t), (const char *)src + sizeof(size_t), n - sizeof(size_t));
}

static mlb_status check_out_struct(const void *p, size_t min, const char *what, const char *arg) {
    if (!p || *(const size_t *)p < min)
        return mlb_fail(MLB_ERROR_INVALID_ARGUMENT, "mlb",
                        "%s: %s is NULL or its struct_size too small", what, arg);
    return MLB_OK;
}

MLB_API const char *mlb_device_name(mlb_device d) {
    return mlb_valid_device(d) ? d->name : NULL;
}

MLB_API const char *mlb_device_plugin_name(mlb_device d) {
    return mlb_valid_device(d) ? d->plugin->name : NULL;
}

MLB_API mlb_status mlb_device_get_props(mlb_device d, mlb_device_props *props) {
    DEVICE_OR_FAIL(d, "device_get_props");
    mlb_status st = check_out_struct(props, sizeof(size_t), "device_get_props", "props");
    if (st != MLB_OK)
        return st;
    mlb_device_props tmp;
    memset(&tmp, 0, sizeof tmp);
    tmp.struct_size = MLB_STRUCT_SIZE(mlb_device_props, uuid);
    st = d->plugin->fn.device_get_props(d->handle, &tmp);
    if (st != MLB_OK)
        return mlb_fail_plugin(d->plugin, st, "device_get_props");
    copy_out(props, &tmp, props->struct_size, MLB_STRUCT_SIZE(mlb_device_props, uuid));
    return MLB_OK;
}

MLB_API mlb_status mlb_device_get_memory_kind(mlb_device d, uint32_t index,
                                              mlb_memory_kind_info *info) {
    DEVICE_OR_FAIL(d, "device_get_memory_kind");
    mlb_status st = check_out_struct(info, sizeof(size_t), "device_get_memory_kind", "info");
    if (st != MLB_OK)
        return st;
    if (index >= d->memory_kind_count)
        return mlb_fail(MLB_ERROR_OUT_OF_RANGE, d->plugin->name,
                        "device_get_memory_kind: index %u >= memory kind count %u", index,
                        d->memory_kind_count);
    mlb_memory_kind_info tmp;
    memset(&tmp, 0, sizeof tmp);
    tmp.struct_size = MLB_STRUCT_SIZE(mlb_memory_kind_info, total_size);
    st = d->plugin->fn.device_get_memory_kind(d->handle, index, &tmp);
    if (st != MLB_OK)
        return mlb_fail_plugin(d->plugin, st, "device_get_memory_kind");
    copy_out(info, &tmp, info->struct_size, MLB_STRUCT_SIZE(mlb_memory_kind_info, total_size));
    return MLB_OK;
}

MLB_API mlb_status mlb_device_synchronize(mlb_device d) {
    DEVICE_OR_FAIL(d, "device_synchronize");
    mlb_status st = d->plugin->fn.device_synchronize(d->handle);
    return st == MLB_OK ? MLB_OK : mlb_fail_plugin(d->plugin, st, "device_synchronize");
}

MLB_API mlb_status mlb_device_get_memory_stats(mlb_device d, mlb_memory_stats *stats) {
    DEVICE_OR_FAIL(d, "device_get_memory_stats");
    mlb_status st = check_out_struct(stats, sizeof(size_t), "device_get_memory_stats", "stats");
    if (st != MLB_OK)
        return st;
    if (!d->plugin->fn.device_get_memory_stats)
        return mlb_fail_unsupported(d->plugin, "device_get_memory_stats");
    mlb_memory_stats tmp;
    memset(&tmp, 0, sizeof tmp);
    tmp.struct_size = MLB_STRUCT_SIZE(mlb_memory_stats, total_bytes);
    st = d->plugin->fn.device_get_memory_stats(d->handle, &tmp);
    if (st != MLB_OK)
        return mlb_fail_plugin(d->plugin, st, "device_get_memory_stats");
    copy_out(stats, &tmp, stats->struct_size, MLB_STRUCT_SIZE(mlb_memory_stats, total_bytes));
    return MLB_OK;
}

MLB_API mlb_status mlb_device_reset_peak_memory(mlb_device d) {
    DEVICE_OR_FAIL(d, "device_reset_peak_memory");
    if (!d->plugin->fn.device_reset_peak_memory)
        return mlb_fail_unsupported(d->plugin, "device_reset_peak_memory");
    mlb_status st = d->plugin->fn.device_reset_peak_memory(d->handle);
    return st == MLB_OK ? MLB_OK : mlb_fail_plugin(d->plugin, st, "device_reset_peak_memory");
}

MLB_API mlb_status mlb_device_get_attribute(mlb_device d, const char *key, mlb_attr_value *value) {
    DEVICE_OR_FAIL(d, "device_get_attribute");
    mlb_status st = check_out_struct(value, sizeof(size_t), "device_get_attribute", "value");
    if (st != MLB_OK)
        return st;
    if (!key || !key[0])
        return mlb_fail(MLB_ERROR_INVALID_ARGUMENT, d->plugin->name,
                        "device_get_attribute: key is NULL or empty");
    if (!d->plugin->fn.device_get_attribute)
        return mlb_fail_unsupported(d->plugin, "device_get_attribute");
    mlb_attr_value tmp;
    memset(&tmp, 0, sizeof tmp);
    tmp.struct_size = MLB_STRUCT_SIZE(mlb_attr_value, str);
    st = d->plugin->fn.device_get_attribute(d->handle, key, &tmp);
    if (st != MLB_OK)
        return st == MLB_ERROR_NOT_FOUND
                   ? mlb_fail(st, d->plugin->name, "device_get_attribute: no attribute '%s'", key)
                   : mlb_fail_plugin(d->plugin, st, "device_get_attribute");
    tmp.str[sizeof tmp.str - 1] = '\0';
    copy_out(value, &tmp, value->struct_size, MLB_STRUCT_SIZE(mlb_attr_value, str));
    return MLB_OK;
}

MLB_API mlb_status mlb_device_host_alloc(mlb_device d, uint64_t size, void **ptr) {
    DEVICE_OR_FAIL(d, "device_host_alloc");
    if (!ptr || !size)
        return mlb_fail(MLB_ERROR_INVALID_ARGUMENT, d->plugin->name,
                        "device_host_alloc: ptr is NULL or size is 0");
    if (!d->plugin->fn.host_alloc || !d->plugin->fn.host_free)
        return mlb_fail_unsupported(d->plugin, "host_alloc");
    mlb_status st = d->plugin->fn.host_alloc(d->handle, size, ptr);
    return st == MLB_OK ? MLB_OK : mlb_fail_plugin(d->plugin, st, "host_alloc");
}

MLB_API void mlb_device_host_free(mlb_device d, void *ptr) {
    if (!ptr || !mlb_valid_device(d) || !d->plugin->fn.host_free)
        return;
    d->plugin->fn.host_free(d->handle, ptr);
}
