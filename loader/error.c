/*
 * error.c - the per-thread detail of the last failing call.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "loader.h"

static _Thread_local char last_error[512];

MLB_API const char *mlb_last_error(void) {
    return last_error;
}

mlb_status mlb_fail(mlb_status status, const char *source, const char *fmt, ...) {
    int n = snprintf(last_error, sizeof last_error, "%s: ", source ? source : "mlb");
    if (n < 0 || (size_t)n >= sizeof last_error)
        return status;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(last_error + n, sizeof last_error - (size_t)n, fmt, ap);
    va_end(ap);
    return status;
}

/* The plugin's detail without a leading "<plugin name>: ", which the loader adds itself. */
const char *mlb_plugin_detail(const mlb_plugin_rec *plugin) {
    const char *detail = plugin->fn.get_last_error ? plugin->fn.get_last_error() : NULL;
    if (!detail)
        return NULL;
    const size_t n = strlen(plugin->name);
    if (n && strncmp(detail, plugin->name, n) == 0 && detail[n] == ':' && detail[n + 1] == ' ')
        detail += n + 2;
    return detail;
}

mlb_status mlb_fail_plugin(const mlb_plugin_rec *plugin, mlb_status status, const char *what) {
    const char *detail = mlb_plugin_detail(plugin);
    if (detail && detail[0])
        return mlb_fail(status, plugin->name, "%s", detail);
    return mlb_fail(status, plugin->name, "%s: %s (%s)", what, mlb_status_message(status),
                    mlb_status_name(status));
}

mlb_status mlb_fail_handle(const char *what, const char *arg, const char *type) {
    return mlb_fail(MLB_ERROR_INVALID_HANDLE, "mlb",
                    "%s: %s is not a valid %s (NULL, destroyed or another type)", what, arg, type);
}

mlb_status mlb_fail_unsupported(const mlb_plugin_rec *plugin, const char *slot) {
    return mlb_fail(MLB_ERROR_UNSUPPORTED, plugin->name, "%s is not implemented by this plugin",
                    slot);
}

mlb_status mlb_fail_mismatch(const char *what, const char *arg, mlb_device want, mlb_device got) {
    return mlb_fail(MLB_ERROR_DEVICE_MISMATCH, want->plugin->name,
                    "%s: %s belongs to device %s%s, not %s", what, arg, got->name,
                    got->ctx != want->ctx ? " of another context" : "", want->name);
}
