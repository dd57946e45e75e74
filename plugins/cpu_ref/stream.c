/*
 * stream.c - streams: an in-order queue of commands served by one worker
 * thread per stream, the stream-ordered copies and memset, host callbacks.
 *
 * Enqueue calls validate their arguments, append a command and return at once.
 * The worker takes commands in order and runs them without holding any lock.
 * With the backend's run_when_idle, a command enqueued on an idle stream runs
 * at once on the calling thread instead (claimed by raising `pending` from 0;
 * synchronize and query of an idle, healthy stream take no lock).
 * The first command that fails sets the stream's sticky error: later copies,
 * memsets, launches and waits are skipped, events recorded later complete with
 * that error, callbacks receive it, and every synchronize/query returns it.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpu_ref.h"

cpuref_cmd *cpuref_cmd_new(cpuref_cmd_kind kind, uint64_t staging) {
    if (staging > SIZE_MAX - sizeof(cpuref_cmd)) {
        return NULL;
    }
    cpuref_cmd *c = malloc(sizeof(cpuref_cmd) + (size_t)staging);
    if (c) {
        memset(c, 0, sizeof(*c));
        c->kind = kind;
    }
    return c;
}

static mlb_status execute(mlb_plugin_stream s, cpuref_cmd *c, mlb_status sticky, char *why,
                          size_t why_len);

/* Commands a backend with run_when_idle runs on the enqueuing thread when the stream is idle:
 * never waits and callbacks, which may block or call back into the caller's code. */
static int may_run_inline(const cpuref_cmd *c) {
    return c->kind == CPUREF_CMD_LAUNCH || c->kind == CPUREF_CMD_COPY ||
           c->kind == CPUREF_CMD_MEMSET || c->kind == CPUREF_CMD_RECORD;
}

/* Records a failed command as the stream's sticky error (the first one wins). s->mu held. */
static void set_sticky_locked(mlb_plugin_stream s, mlb_status st, const char *why) {
    if (st != MLB_OK && s->sticky == MLB_OK) {
        snprintf(s->sticky_why, sizeof(s->sticky_why), "%s", why); /* the message first */
        atomic_store(&s->sticky, st);
        cpuref_log(MLB_LOG_ERROR, "%s", why);
    }
}

void cpuref_stream_wake_waiters(mlb_plugin_stream s) {
    pthread_mutex_lock(&s->mu);
    pthread_cond_broadcast(&s->idle_cv);
    pthread_mutex_unlock(&s->mu);
}

void cpuref_stream_unclaim_failed(mlb_plugin_stream s, mlb_status st, const char *why) {
    pthread_mutex_lock(&s->mu);
    set_sticky_locked(s, st, why);
    pthread_mutex_unlock(&s->mu);
}

int cpuref_stream_run_if_idle(mlb_plugin_stream s, cpuref_cmd *c) {
    if (!may_run_inline(c) || !cpuref_stream_claim(s)) {
        return 0;
    }
    char why[CPUREF_MSG_LEN];
    why[0] = '\0';
    cpuref_stream_unclaim(s, execute(s, c, atomic_load(&s->sticky), why, sizeof(why)), why);
    return 1;
}

void cpuref_stream_enqueue(mlb_plugin_stream s, cpuref_cmd *c) {
    c->next = NULL;
    if (cpuref_stream_run_if_idle(s, c)) {
        free(c);
        return;
    }
    pthread_mutex_lock(&s->mu);
    atomic_fetch_add(&s->pending, 1);
    if (s->tail) {
        s->tail->next = c;
    } else {
        s->head = c;
    }
    s->tail = c;
    pthread_cond_signal(&s->work_cv);
    pthread_mutex_unlock(&s->mu);
}

/* Runs one command. `sticky` is the stream's error when the command was dequeued. */
static mlb_status execute(mlb_plugin_stream s, cpuref_cmd *c, mlb_status sticky, char *why,
                          size_t why_len) {
    mlb_status st = MLB_OK;
    switch (c->kind) {
    case CPUREF_CMD_COPY:
        if (sticky == MLB_OK) {
            memcpy(c->u.copy.dst, c->u.copy.src, (size_t)c->u.copy.size);
        }
        break;
    case CPUREF_CMD_MEMSET:
        if (sticky == MLB_OK) {
            memset(c->u.memset.dst, c->u.memset.value, (size_t)c->u.memset.size);
        }
        break;
    case CPUREF_CMD_LAUNCH:
        if (sticky == MLB_OK) {
            st = cpuref_kernel_run(c, why, why_len);
        }
        cpuref_kernel_release(c->u.launch.kernel); /* the queued command's reference */
        break;
    case CPUREF_CMD_RECORD:
        /* Only the thread running this stream's commands (the worker, or a caller running one
         * inline; `pending` lets only one of them run at a time) writes sticky_why, so reading
         * it unlocked is safe. */
        cpuref_mark_complete(c->u.mark, sticky, s->sticky_why);
        break;
    case CPUREF_CMD_WAIT:
        if (sticky == MLB_OK) {
            cpuref_mark_wait(c->u.mark);
        } else {
            cpuref_mark_release(c->u.mark);
        }
        break;
    case CPUREF_CMD_CALLBACK:
        c->u.callback.fn(c->u.callback.user_data, sticky);
        break;
    }
    return st;
}

static void *worker_main(void *arg) {
    mlb_plugin_stream s = arg;
    char why[CPUREF_MSG_LEN];
    pthread_mutex_lock(&s->mu);
    for (;;) {
        while (!s->head && !s->stop) {
            pthread_cond_wait(&s->work_cv, &s->mu);
        }
        cpuref_cmd *c = s->head;
        if (!c) {
            break; /* stop was asked and the queue is empty */
        }
        s->head = c->next;
        if (!s->head) {
            s->tail = NULL;
        }
        mlb_status sticky = s->sticky;
#ifdef CPUREF_MUTANT_EARLY_SYNC
        if (!s->head) { /* MUTANT early_sync: "idle" as soon as the last command is taken */
            pthread_cond_broadcast(&s->idle_cv);
        }
#endif
        pthread_mutex_unlock(&s->mu);

        why[0] = '\0';
        mlb_status st = execute(s, c, sticky, why, sizeof(why));
        free(c);

        pthread_mutex_lock(&s->mu);
        set_sticky_locked(s, st, why);
        if (atomic_fetch_sub(&s->pending, 1) == 1) {
            pthread_cond_broadcast(&s->idle_cv);
        }
    }
    pthread_mutex_unlock(&s->mu);
    return NULL;
}

mlb_status cpuref_stream_create(mlb_plugin_device device, int32_t priority,
                                mlb_plugin_stream *stream) {
    if (device != &cpuref_the_device) {
        return cpuref_error(MLB_ERROR_INVALID_HANDLE, "stream_create: not a device of this plugin");
    }
    if (!stream) {
        return cpuref_error(MLB_ERROR_INVALID_ARGUMENT, "stream_create: stream is NULL");
    }
    if (priority != 0) {
        return cpuref_error(MLB_ERROR_INVALID_ARGUMENT, "stream_create: priority %d outside [0, 0]",
                            priority);
    }
    mlb_plugin_stream s = calloc(1, sizeof(*s));
    if (!s) {
        return cpuref_error(MLB_ERROR_OUT_OF_MEMORY, "stream_create: no memory");
    }
    s->device = device;
    atomic_init(&s->refs, 1);
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->work_cv, NULL);
    pthread_cond_init(&s->idle_cv, NULL);
    atomic_init(&s->sticky, MLB_OK);
    atomic_init(&s->pending, 0);
    atomic_init(&s->waiters, 0);

    /* The worker blocks every signal: the application's handlers run on its own threads. */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int err = pthread_create(&s->thread, NULL, worker_main, s);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (err != 0) {
        pthread_cond_destroy(&s->idle_cv);
        pthread_cond_destroy(&s->work_cv);
        pthread_mutex_destroy(&s->mu);
        free(s);
        return cpuref_error(MLB_ERROR_OUT_OF_MEMORY,
                            "stream_create: cannot start a worker thread: %s", strerror(err));
    }
    pthread_mutex_lock(&device->streams_mu);
    s->next_live = device->streams;
    device->streams = s;
    pthread_mutex_unlock(&device->streams_mu);
    *stream = s;
    return MLB_OK;
}

void cpuref_stream_release(mlb_plugin_stream s) {
    if (atomic_fetch_sub(&s->refs, 1) == 1) {
        pthread_cond_destroy(&s->idle_cv);
        pthread_cond_destroy(&s->work_cv);
        pthread_mutex_destroy(&s->mu);
        free(s);
    }
}

void cpuref_stream_destroy(mlb_plugin_stream s) {
    if (!s) {
        return;
    }
    struct mlb_plugin_device_s *d = s->device;
    pthread_mutex_lock(&d->streams_mu);
    for (mlb_plugin_stream *p = &d->streams; *p; p = &(*p)->next_live) {
        if (*p == s) {
            *p = s->next_live;
            break;
        }
    }
    pthread_mutex_unlock(&d->streams_mu);
    pthread_mutex_lock(&s->mu);
    s->stop = 1;
    pthread_cond_signal(&s->work_cv);
    pthread_mutex_unlock(&s->mu);
    pthread_join(s->thread, NULL); /* the worker drains the queue before it exits */
    cpuref_stream_release(s);
}

/* The sticky error with its message set as the thread's last error. Called with s->mu held. */
static mlb_status sticky_locked(mlb_plugin_stream s) {
    return cpuref_error(s->sticky, "%s", s->sticky_why);
}

CPUREF_HOT mlb_status cpuref_stream_synchronize(mlb_plugin_stream s) {
    if (CPUREF_UNLIKELY(!s)) {
        return cpuref_error(MLB_ERROR_INVALID_HANDLE, "stream_synchronize: stream is NULL");
    }
    mlb_status st = MLB_OK;
    if (CPUREF_LIKELY(atomic_load(&s->pending) == 0 && atomic_load(&s->sticky) == MLB_OK)) {
        return MLB_OK; /* idle and healthy: no lock */
    }
    pthread_mutex_lock(&s->mu);
    atomic_fetch_add(&s->waiters, 1);
#ifdef CPUREF_MUTANT_EARLY_SYNC
    while (s->head) { /* MUTANT early_sync: not waiting for the command being run */
#else
    while (atomic_load(&s->pending) != 0) {
#endif
        pthread_cond_wait(&s->idle_cv, &s->mu);
    }
    atomic_fetch_sub(&s->waiters, 1);
    if (s->sticky != MLB_OK) {
        st = sticky_locked(s);
    }
    pthread_mutex_unlock(&s->mu);
    return st;
}

mlb_status cpuref_stream_query(mlb_plugin_stream s) {
    if (!s) {
        return cpuref_error(MLB_ERROR_INVALID_HANDLE, "stream_query: stream is NULL");
    }
    mlb_status st = MLB_OK;
    if (atomic_load(&s->pending) == 0 && atomic_load(&s->sticky) == MLB_OK) {
        return MLB_OK;
    }
    pthread_mutex_lock(&s->mu);
    if (s->sticky != MLB_OK) {
        st = sticky_locked(s);
    } else if (atomic_load(&s->pending) != 0) {
        st = MLB_NOT_READY;
    }
    pthread_mutex_unlock(&s->mu);
    return st;
}

mlb_status cpuref_stream_wait_event(mlb_plugin_stream s, mlb_plugin_event event) {
    if (!s || !event) {
        return cpuref_error(MLB_ERROR_INVALID_HANDLE, "stream_wait_event: %s is NULL",
                            s ? "event" : "stream");
    }
    if (event->device != s->device) {
        return cpuref_error(MLB_ERROR_DEVICE_MISMATCH,
                            "stream_wait_event: event and stream of different devices");
    }
    cpuref_cmd *c = cpuref_cmd_new(CPUREF_CMD_WAIT, 0);
    if (!c) {
        return cpuref_error(MLB_ERROR_OUT_OF_MEMORY, "stream_wait_event: no memory");
    }
    c->u.mark = cpuref_event_pending_mark(event);
    if (!c->u.mark) {
        free(c); /* never recorded or already complete: nothing to wait for */
        return MLB_OK;
    }
    cpuref_stream_enqueue(s, c);
    return MLB_OK;
}

/* Common checks of the copy calls: handles, a host pointer, the byte range. */
static mlb_status check_copy(const char *fn, mlb_plugin_stream s, mlb_plugin_buffer b,
                             uint64_t offset, uint64_t size, const void *host) {
    if (!s || !b) {
        return cpuref_error(MLB_ERROR_INVALID_HANDLE, "%s: %s is NULL", fn,
                            s ? "buffer" : "stream");
    }
    if (b->device != s->device) {
        return cpuref_error(MLB_ERROR_DEVICE_MISMATCH, "%s: buffer and stream of different devices",
                            fn);
    }
    if (!host && size > 0) {
        return cpuref_error(MLB_ERROR_INVALID_ARGUMENT, "%s: host pointer is NULL", fn);
    }
    return cpuref_buffer_check_range(b, offset, size, fn);
}

mlb_status cpuref_copy_host_to_device(mlb_plugin_stream s, mlb_plugin_buffer dst,
                                      uint64_t dst_offset, const void *src, uint64_t size) {
    mlb_status st = check_copy("copy_host_to_device", s, dst, dst_offset, size, src);
    if (st != MLB_OK || size == 0) {
        return st;
    }
    /* Capture the source now: the caller may reuse it as soon as we return. */
    cpuref_cmd *c = cpuref_cmd_new(CPUREF_CMD_COPY, size);
    if (!c) {
        return cpuref_error(MLB_ERROR_OUT_OF_MEMORY,
                            "copy_host_to_device: no memory to stage %llu bytes",
                            (unsigned long long)size);
    }
    memcpy(c->staging, src, (size_t)size);
    c->u.copy.dst = dst->data + dst_offset;
    c->u.copy.src = c->staging;
    c->u.copy.size = size;
    cpuref_stream_enqueue(s, c);
    return MLB_OK;
}

mlb_status cpuref_copy_device_to_host(mlb_plugin_stream s, void *dst, mlb_plugin_buffer src,
                                      uint64_t src_offset, uint64_t size) {
    mlb_status st = check_copy("copy_device_to_host", s, src, src_offset, size, dst);
    if (st != MLB_OK || size == 0) {
        return st;
    }
    cpuref_cmd *c = cpuref_cmd_new(CPUREF_CMD_COPY, 0);
    if (!c) {
        return cpuref_error(MLB_ERROR_OUT_OF_MEMORY, "copy_device_to_host: no memory");
    }
    c->u.copy.dst = dst;
    c->u.copy.src = src->data + src_offset;
    c->u.copy.size = size;
    cpuref_stream_enqueue(s, c);
    return MLB_OK;
}

mlb_status cpuref_copy_device_to_device(mlb_plugin_stream s, mlb_plugin_buffer dst,
                                        uint64_t dst_offset, mlb_plugin_buffer src,
                                        uint64_t src_offset, uint64_t size) {
    static const char fn[] = "copy_device_to_device";
    mlb_status st = check_copy(fn, s, dst, dst_offset, size, dst);
    if (st == MLB_OK) {
        st = check_copy(fn, s, src, src_offset, size, src);
    }
    if (st != MLB_OK || size == 0) {
        return st;
    }
    if (dst == src && dst_offset < src_offset + size && src_offset < dst_offset + size) {
        return cpuref_error(MLB_ERROR_INVALID_ARGUMENT,
                            "%s: source [%llu, +%llu) and destination [%llu, +%llu) "
                            "overlap",
                            fn, (unsigned long long)src_offset, (unsigned long long)size,
                            (unsigned long long)dst_offset, (unsigned long long)size);
    }
    cpuref_cmd *c = cpuref_cmd_new(CPUREF_CMD_COPY, 0);
    if (!c) {
        return cpuref_error(MLB_ERROR_OUT_OF_MEMORY, "%s: no memory", fn);
    }
    c->u.copy.dst = dst->data + dst_offset;
    c->u.copy.src = src->data + src_offset;
    c->u.copy.size = size;
    cpuref_stream_enqueue(s, c);
    return MLB_OK;
}

mlb_status cpuref_memset(mlb_plugin_stream s, mlb_plugin_buffer dst, uint64_t offset, uint8_t value,
                         uint64_t size) {
    mlb_status st = check_copy("memset", s, dst, offset, size, dst);
    if (st != MLB_OK || size == 0) {
        return st;
    }
    cpuref_cmd *c = cpuref_cmd_new(CPUREF_CMD_MEMSET, 0);
    if (!c) {
        return cpuref_error(MLB_ERROR_OUT_OF_MEMORY, "memset: no memory");
    }
    c->u.memset.dst = dst->data + offset;
    c->u.memset.size = size;
    c->u.memset.value = value;
    cpuref_stream_enqueue(s, c);
    return MLB_OK;
}

mlb_status cpuref_stream_add_callback(mlb_plugin_stream s, mlb_host_fn fn, void *user_data) {
    if (!s) {
        return cpuref_error(MLB_ERROR_INVALID_HANDLE, "stream_add_callback: stream is NULL");
    }
    if (!fn) {
        return cpuref_error(MLB_ERROR_INVALID_ARGUMENT, "stream_add_callback: fn is NULL");
    }
    cpuref_cmd *c = cpuref_cmd_new(CPUREF_CMD_CALLBACK, 0);
    if (!c) {
        return cpuref_error(MLB_ERROR_OUT_OF_MEMORY, "stream_add_callback: no memory");
    }
    c->u.callback.fn = fn;
    c->u.callback.user_data = user_data;
    cpuref_stream_enqueue(s, c);
    return MLB_OK;
}
