/*
 * runtime_test.h - helpers shared by cpu_ref's runtime tests: a gate (a host
 * callback that blocks a stream until the test opens it) and small wrappers.
 */
#ifndef CPUREF_RUNTIME_TEST_H
#define CPUREF_RUNTIME_TEST_H

#include <pthread.h>
#include <time.h>

#include "check.h"
#include "ml_backend.h"

/* A host callback that blocks its stream until gate_open(). */
typedef struct gate {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int entered;       /* the callback has started */
    int open;          /* the test let it go */
    mlb_status status; /* what the callback was given */
} gate;

static inline void gate_init(gate *g) {
    pthread_mutex_init(&g->mu, NULL);
    pthread_cond_init(&g->cv, NULL);
    g->entered = g->open = 0;
    g->status = -1;
}

static inline void gate_fini(gate *g) {
    pthread_cond_destroy(&g->cv);
    pthread_mutex_destroy(&g->mu);
}

static inline void gate_callback(void *user_data, mlb_status status) {
    gate *g = user_data;
    pthread_mutex_lock(&g->mu);
    g->entered = 1;
    g->status = status;
    pthread_cond_broadcast(&g->cv);
    while (!g->open) {
        pthread_cond_wait(&g->cv, &g->mu);
    }
    pthread_mutex_unlock(&g->mu);
}

static inline void gate_open(gate *g) {
    pthread_mutex_lock(&g->mu);
    g->open = 1;
    pthread_cond_broadcast(&g->cv);
    pthread_mutex_unlock(&g->mu);
}

/* Waits until the stream reached the gate. */
static inline void gate_wait_entered(gate *g) {
    pthread_mutex_lock(&g->mu);
    while (!g->entered) {
        pthread_cond_wait(&g->cv, &g->mu);
    }
    pthread_mutex_unlock(&g->mu);
}

/* A callback that records the status it was given into an int. */
static inline void note_status(void *user_data, mlb_status status) {
    *(volatile mlb_status *)user_data = status;
}

static inline void sleep_ms(long ms) {
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static inline mlb_plugin_buffer alloc_buffer(const mlb_plugin_api *api, mlb_plugin_device dev,
                                             uint32_t kind, uint64_t size) {
    mlb_buffer_desc d = {MLB_STRUCT_SIZE(mlb_buffer_desc, alignment), kind, 0, size, 0};
    mlb_plugin_buffer b = NULL;
    CHECK_INT_EQ(api->buffer_alloc(dev, &d, &b), MLB_OK);
    return b;
}

/* A contiguous tensor descriptor. */
static inline mlb_tensor_desc tensor_1d(int32_t dtype, int64_t n) {
    mlb_tensor_desc t = {0};
    t.struct_size = MLB_STRUCT_SIZE(mlb_tensor_desc, byte_offset);
    t.dtype = dtype;
    t.rank = 1;
    t.shape[0] = n;
    t.strides[0] = 1;
    return t;
}

#endif /* CPUREF_RUNTIME_TEST_H */
