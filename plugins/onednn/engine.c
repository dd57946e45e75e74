/*
 * engine.c - the process's one oneDNN CPU engine (created once, on first use)
 * and one oneDNN stream per calling thread (created on the thread's first
 * run, destroyed by a thread-exit destructor). See onednn_kernels.h.
 */
#include <pthread.h>

#include <dnnl_debug.h>

#include "onednn_impl.h"

static pthread_once_t engine_once = PTHREAD_ONCE_INIT;
static dnnl_engine_t the_engine;
static dnnl_status_t engine_status = dnnl_runtime_error;
static pthread_key_t stream_key;
static int stream_key_ok;

static void destroy_thread_stream(void *stream) {
    dnnl_stream_destroy((dnnl_stream_t)stream);
}

static void engine_init(void) {
    engine_status = dnnl_engine_create(&the_engine, dnnl_cpu, 0);
    stream_key_ok = pthread_key_create(&stream_key, destroy_thread_stream) == 0;
}

mlb_status onednn_engine_get(dnnl_engine_t *engine, char *why, size_t why_len) {
    pthread_once(&engine_once, engine_init);
    if (engine_status != dnnl_success) {
        return onednn_fail(MLB_ERROR_DEVICE, why, why_len, "cannot create the CPU engine: %s",
                           dnnl_status2str(engine_status));
    }
    *engine = the_engine;
    return MLB_OK;
}

mlb_status onednn_thread_stream(dnnl_stream_t *stream, char *why, size_t why_len) {
    dnnl_engine_t engine = NULL;
    mlb_status st = onednn_engine_get(&engine, why, why_len);
    if (st != MLB_OK) {
        return st;
    }
    if (!stream_key_ok) {
        return onednn_fail(MLB_ERROR_INTERNAL, why, why_len, "no thread-local key for streams");
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
