/*
 * api_event.c - event calls: validate, then one dispatch to the plugin.
 */
#include "config.h"

#include "loader.h"

#include <stdlib.h>

#define EVENT_OR_FAIL(e, what, arg)                                                                \
    do {                                                                                           \
        if (MLB_UNLIKELY(!mlb_valid_event(e)))                                                     \
            return mlb_fail_handle(what, arg, "mlb_event");                                        \
    } while (0)

MLB_API mlb_status mlb_event_create(mlb_device d, uint32_t flags, mlb_event *out) {
    if (!mlb_valid_device(d))
        return mlb_fail_handle("event_create", "device", "mlb_device");
    if (!out)
        return mlb_fail(MLB_ERROR_INVALID_ARGUMENT, d->plugin->name, "event_create: event is NULL");
    if (flags & ~(uint32_t)MLB_EVENT_TIMING)
        return mlb_fail(MLB_ERROR_INVALID_ARGUMENT, d->plugin->name,
                        "event_create: unknown flags 0x%x", flags);
    struct mlb_event_s *e = malloc(sizeof *e);
    if (!e)
        return mlb_fail(MLB_ERROR_OUT_OF_MEMORY, d->plugin->name,
                        "event_create: out of host memory");
    mlb_status st = d->plugin->fn.event_create(d->handle, flags, &e->handle);
    if (st != MLB_OK) {
        free(e);
        return mlb_fail_plugin(d->plugin, st, "event_create");
    }
    e->tag = MLB_TAG_EVENT;
    e->device = d;
    mlb_object_created(d);
    *out = e;
    return MLB_OK;
}

MLB_API void mlb_event_destroy(mlb_event e) {
    if (!mlb_valid_event(e))
        return;
    mlb_device d = e->device;
    d->plugin->fn.event_destroy(e->handle);
    e->tag = MLB_TAG_DEAD;
    mlb_object_destroyed(d);
    free(e);
}

MLB_API mlb_status mlb_event_record(mlb_event e, mlb_stream s) {
    EVENT_OR_FAIL(e, "event_record", "event");
    if (!mlb_valid_stream(s))
        return mlb_fail_handle("event_record", "stream", "mlb_stream");
    if (s->device != e->device)
        return mlb_fail_mismatch("event_record", "stream", e->device, s->device);
    const mlb_plugin_rec *p = e->device->plugin;
    mlb_status st = p->fn.event_record(e->handle, s->handle);
    return st == MLB_OK ? MLB_OK : mlb_fail_plugin(p, st, "event_record");
}

MLB_API mlb_status mlb_event_synchronize(mlb_event e) {
    EVENT_OR_FAIL(e, "event_synchronize", "event");
    const mlb_plugin_rec *p = e->device->plugin;
    mlb_status st = p->fn.event_synchronize(e->handle);
    return st == MLB_OK ? MLB_OK : mlb_fail_plugin(p, st, "event_synchronize");
}

MLB_API mlb_status mlb_event_query(mlb_event e) {
    EVENT_OR_FAIL(e, "event_query", "event");
    const mlb_plugin_rec *p = e->device->plugin;
    mlb_status st = p->fn.event_query(e->handle);
    return st == MLB_OK || st == MLB_NOT_READY ? st : mlb_fail_plugin(p, st, "event_query");
}

MLB_API mlb_status mlb_event_elapsed_ms(mlb_event start, mlb_event end, float *ms) {
    EVENT_OR_FAIL(start, "event_elapsed_ms", "start");
    EVENT_OR_FAIL(end, "event_elapsed_ms", "end");
    if (end->device != start->device)
        return mlb_fail_mismatch("event_elapsed_ms", "end", start->device, end->device);
    const mlb_plugin_rec *p = start->device->plugin;
    if (!ms)
        return mlb_fail(MLB_ERROR_INVALID_ARGUMENT, p->name, "event_elapsed_ms: ms is NULL");
    if (!p->fn.event_elapsed_ms)
        return mlb_fail_unsupported(p, "event_elapsed_ms");
    mlb_status st = p->fn.event_elapsed_ms(start->handle, end->handle, ms);
    return st == MLB_OK ? MLB_OK : mlb_fail_plugin(p, st, "event_elapsed_ms");
}
