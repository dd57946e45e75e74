/*
 * event.c - events. Each record creates a mark, a small refcounted object
 * completed by the stream's worker when it reaches the record command. The
 * event points at its latest mark, so re-recording replaces the previous
 * record at once, while waits already queued keep the mark they captured
 * (a wait is for the record that was latest when it was enqueued, even if that
 * record completes after a newer one on another stream). A never-recorded
 * event has no mark and is complete. All marks and the events' `last` pointers
 * are guarded by the device's events_mu; events_cv is broadcast on completion.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cpu_ref.h"

/* Drops one reference; frees the mark on the last. Called with events_mu held. */
static void mark_unref_locked(cpuref_mark *m) {
    if (--m->refs == 0) {
        free(m);
    }
}

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

mlb_status cpuref_event_create(mlb_plugin_device device, uint32_t flags, mlb_plugin_event *event) {
    if (device != &cpuref_the_device) {
        return cpuref_error(MLB_ERROR_INVALID_HANDLE, "event_create: not a device of this plugin");
    }
    if (!event) {
        return cpuref_error(MLB_ERROR_INVALID_ARGUMENT, "event_create: event is NULL");
    }
    if (flags & ~(uint32_t)MLB_EVENT_TIMING) {
        return cpuref_error(MLB_ERROR_INVALID_ARGUMENT, "event_create: unknown flags 0x%x", flags);
    }
    mlb_plugin_event e = calloc(1, sizeof(*e));
    if (!e) {
        return cpuref_error(MLB_ERROR_OUT_OF_MEMORY, "event_create: no memory");
    }
    e->device = device;
    e->flags = flags;
    *event = e;
    return MLB_OK;
}

void cpuref_event_destroy(mlb_plugin_event e) {
    if (!e) {
        return;
    }
    /* Queued records and waits hold their own references to the mark. */
    pthread_mutex_lock(&e->device->events_mu);
    if (e->last) {
        mark_unref_locked(e->last);
    }
    pthread_mutex_unlock(&e->device->events_mu);
    free(e);
}

mlb_status cpuref_event_record(mlb_plugin_event e, mlb_plugin_stream s) {
    if (!e || !s) {
        return cpuref_error(MLB_ERROR_INVALID_HANDLE, "event_record: %s is NULL",
                            e ? "stream" : "event");
    }
    if (e->device != s->device) {
        return cpuref_error(MLB_ERROR_DEVICE_MISMATCH,
                            "event_record: event and stream of different devices");
    }
    cpuref_cmd *c = cpuref_cmd_new(CPUREF_CMD_RECORD, 0);
    cpuref_mark *m = calloc(1, sizeof(*m));
    if (!c || !m) {
        free(c);
        free(m);
        return cpuref_error(MLB_ERROR_OUT_OF_MEMORY, "event_record: no memory");
    }
    m->refs = 2; /* the event and the record command */
    m->timing = (e->flags & MLB_EVENT_TIMING) != 0;
#ifdef CPUREF_MUTANT_EARLY_EVENT
    /* MUTANT early_event: the mark is complete as soon as it is recorded, before the stream
     * reached it: query/synchronize/waits report the event done while earlier work runs. */
    m->done = 1;
#endif
    c->u.mark = m;
    pthread_mutex_lock(&e->device->events_mu);
    if (e->last) {
        mark_unref_locked(e->last);
    }
    e->last = m;
    pthread_mutex_unlock(&e->device->events_mu);
    cpuref_stream_enqueue(s, c);
    return MLB_OK;
}

cpuref_mark *cpuref_event_pending_mark(mlb_plugin_event e) {
    cpuref_mark *m = NULL;
    pthread_mutex_lock(&e->device->events_mu);
    if (e->last && !e->last->done) {
        m = e->last;
        ++m->refs;
    }
    pthread_mutex_unlock(&e->device->events_mu);
    return m;
}

void cpuref_mark_complete(cpuref_mark *m, mlb_status status, const char *why) {
    uint64_t t = m->timing ? now_ns() : 0; /* `timing` never changes after the record */
    pthread_mutex_lock(&cpuref_the_device.events_mu);
    m->done = 1;
    m->status = status;
    m->time_ns = t;
    if (status != MLB_OK) {
        snprintf(m->why, sizeof(m->why), "%s", why);
    }
    pthread_cond_broadcast(&cpuref_the_device.events_cv);
    mark_unref_locked(m);
    pthread_mutex_unlock(&cpuref_the_device.events_mu);
}

void cpuref_mark_wait(cpuref_mark *m) {
    pthread_mutex_lock(&cpuref_the_device.events_mu);
    while (!m->done) {
        pthread_cond_wait(&cpuref_the_device.events_cv, &cpuref_the_device.events_mu);
    }
    mark_unref_locked(m);
    pthread_mutex_unlock(&cpuref_the_device.events_mu);
}

void cpuref_mark_release(cpuref_mark *m) {
    pthread_mutex_lock(&cpuref_the_device.events_mu);
    mark_unref_locked(m);
    pthread_mutex_unlock(&cpuref_the_device.events_mu);
}

/* The status a completed mark answers, with its message as the thread's last error. */
static mlb_status mark_status_locked(const cpuref_mark *m) {
    if (m->status != MLB_OK) {
        return cpuref_error(m->status, "%s", m->why);
    }
    return MLB_OK;
}

mlb_status cpuref_event_synchronize(mlb_plugin_event e) {
    if (!e) {
        return cpuref_error(MLB_ERROR_INVALID_HANDLE, "event_synchronize: event is NULL");
    }
    mlb_status st = MLB_OK;
    pthread_mutex_lock(&e->device->events_mu);
    cpuref_mark *m = e->last;
    if (m) {
        ++m->refs; /* a concurrent re-record must not free it under us */
        while (!m->done) {
            pthread_cond_wait(&e->device->events_cv, &e->device->events_mu);
        }
        st = mark_status_locked(m);
        mark_unref_locked(m);
    }
    pthread_mutex_unlock(&e->device->events_mu);
    return st;
}

mlb_status cpuref_event_query(mlb_plugin_event e) {
    if (!e) {
        return cpuref_error(MLB_ERROR_INVALID_HANDLE, "event_query: event is NULL");
    }
    mlb_status st = MLB_OK;
    pthread_mutex_lock(&e->device->events_mu);
    if (e->last) {
        st = e->last->done ? mark_status_locked(e->last) : MLB_NOT_READY;
    }
    pthread_mutex_unlock(&e->device->events_mu);
    return st;
}

mlb_status cpuref_event_elapsed_ms(mlb_plugin_event start, mlb_plugin_event end, float *ms) {
    static const char fn[] = "event_elapsed_ms";
    if (!start || !end) {
        return cpuref_error(MLB_ERROR_INVALID_HANDLE, "%s: %s event is NULL", fn,
                            start ? "end" : "start");
    }
    if (!ms) {
        return cpuref_error(MLB_ERROR_INVALID_ARGUMENT, "%s: ms is NULL", fn);
    }
    if (!(start->flags & end->flags & MLB_EVENT_TIMING)) {
        return cpuref_error(MLB_ERROR_INVALID_STATE,
                            "%s: both events must be created with MLB_EVENT_TIMING", fn);
    }
    mlb_status st = MLB_OK;
    pthread_mutex_lock(&start->device->events_mu);
    const cpuref_mark *a = start->last, *b = end->last;
    if (!a || !b) {
        st = cpuref_error(MLB_ERROR_INVALID_STATE, "%s: the %s event was never recorded", fn,
                          a ? "end" : "start");
    } else if (!a->done || !b->done) {
        st = MLB_NOT_READY; /* not an error: ask again later */
    } else if (a->status != MLB_OK) {
        st = mark_status_locked(a);
    } else if (b->status != MLB_OK) {
        st = mark_status_locked(b);
    } else {
        *ms = (float)(((double)b->time_ns - (double)a->time_ns) / 1e6);
    }
    pthread_mutex_unlock(&start->device->events_mu);
    return st;
}
