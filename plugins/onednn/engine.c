/*
 * engine.c - the library's one oneDNN CPU engine (created on first use,
 * released by onednn_engine_release) and one oneDNN stream per calling thread
 * (created on the thread's first run, destroyed by a thread-exit destructor).
 * See onednn_kernels.h.
 */
#include <pthread.h>
#include <stdatomic.h>

#include <dnnl_debug.h>

#include "onednn_impl.h"

static pthread_mutex_t engine_mu = PTHREAD_MUTEX_INITIALIZER;
static _Atomic(dnnl_engine_t) the_engine; /* NULL until created; set and cleared under engine_mu */
static pthread_key_t stream_key;          /* valid while the engine exists */
static atomic_int live_kernels;

static void destroy_thread_stream(void *stream) {
    dnnl_stream_destroy((dnnl_stream_t)stream);
}

/* Creates the engine and the thread-stream key (engine_mu held). */
static mlb_status engine_create_locked(char *why, size_t why_len) {
    if (pthread_key_create(&stream_key, destroy_thread_stream) != 0) {
        return onednn_fail(MLB_ERROR_DEVICE, why, why_len,
                           "no thread-local key for oneDNN streams (too many keys)");
    }
    dnnl_engine_t e = NULL;
    dnnl_status_t s = dnnl_engine_create(&e, dnnl_cpu, 0);
    if (s != dnnl_success) {
        pthread_key_delete(stream_key);
        return onednn_fail(MLB_ERROR_DEVICE, why, why_len, "cannot create the CPU engine: %s",
                           dnnl_status2str(s));
    }
    atomic_store_explicit(&the_engine, e, memory_order_release);
    return MLB_OK;
}

mlb_status onednn_engine_get(dnnl_engine_t *engine, char *why, size_t why_len) {
    dnnl_engine_t e = atomic_load_explicit(&the_engine, memory_order_acquire);
    if (!e) {
        pthread_mutex_lock(&engine_mu);
        mlb_status st = atomic_load_explicit(&the_engine, memory_order_relaxed)
                            ? MLB_OK
                            : engine_create_locked(why, why_len);
        pthread_mutex_unlock(&engine_mu);
        if (st != MLB_OK) {
            return st;
        }
        e = atomic_load_explicit(&the_engine, memory_order_acquire);
    }
    *engine = e;
    return MLB_OK;
}

int onednn_engine_release(void) {
    pthread_mutex_lock(&engine_mu);
    dnnl_engine_t e = atomic_load_explicit(&the_engine, memory_order_relaxed);
    const int can = e && atomic_load(&live_kernels) == 0;
    if (can) {
        /* The calling thread's stream, if it ran a kernel; other threads' streams went with
         * their threads (the caller guarantees no other thread still runs kernels). */
        dnnl_stream_t s = pthread_getspecific(stream_key);
        if (s) {
            pthread_setspecific(stream_key, NULL);
            dnnl_stream_destroy(s);
        }
        pthread_key_delete(stream_key);
        atomic_store_explicit(&the_engine, NULL, memory_order_release);
        dnnl_engine_destroy(e);
    }
    pthread_mutex_unlock(&engine_mu);
    return can || !e;
}

void onednn_kernel_count(int delta) {
    atomic_fetch_add(&live_kernels, delta);
}

mlb_status onednn_thread_stream(dnnl_stream_t *stream, char *why, size_t why_len) {
    dnnl_engine_t engine = NULL;
    mlb_status st = onednn_engine_get(&engine, why, why_len);
    if (st != MLB_OK) {
        return st;
    }
    dnnl_stream_t s = pthread_getspecific(stream_key);
    if (!s) {
        dnnl_status_t ds = dnnl_stream_create(&s, engine, dnnl_stream_default_flags);
        if (ds != dnnl_success) {
            return onednn_status(ds, "stream_create", why, why_len);
        }
        if (pthread_setspecific(stream_key, s) != 0) {
            dnnl_stream_destroy(s);
            return onednn_fail(MLB_ERROR_OUT_OF_MEMORY, why, why_len,
                               "cannot keep the thread's stream");
        }
    }
    *stream = s;
    return MLB_OK;
}
