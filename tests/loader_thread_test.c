/*
 * loader_thread_test.c - many threads at once: creating and destroying
 * contexts that load the same plugins (the plugin's init/shutdown counting and
 * log sink are shared), launching work on their own streams of one shared
 * context, and getting their own per-thread error messages. Meant to run
 * clean under ThreadSanitizer.
 *
 * check.h's counters are not thread-safe, so threads count their own
 * failures and the main thread checks the totals.
 */
#include "config.h"

#include "loader_util.h"

#include <pthread.h>
#include <stdatomic.h>

#define THREADS 8
#define CONTEXT_ROUNDS 25
#define LAUNCH_ROUNDS 400

static mlb_context shared;
static atomic_int log_lines;
static const char *churn_paths[3]; /* set before any thread starts */

static void count_log(void *user, int32_t level, const char *source, const char *message) {
    (void)user;
    (void)level;
    (void)source;
    (void)message;
    atomic_fetch_add(&log_lines, 1);
}

/* Each round: a private context, a full add, teardown. */
static void *context_churn(void *arg) {
    intptr_t id = (intptr_t)arg;
    intptr_t failures = 0;
    for (int r = 0; r < CONTEXT_ROUNDS; ++r) {
        mlb_context_options o = {.struct_size =
                                     MLB_STRUCT_SIZE(mlb_context_options, log_user_data)};
        o.plugin_paths = churn_paths;
        o.num_plugin_paths = 3;
        o.log_level = MLB_LOG_DEBUG;
        o.log = count_log;
        mlb_context ctx = NULL;
        if (mlb_context_create(&o, &ctx) != MLB_OK) {
            ++failures;
            continue;
        }
        mlb_device d = NULL;
        if (mlb_context_device_get(ctx, (uint32_t)(id + r) % 2, &d) != MLB_OK)
            ++failures;
        mlb_buffer a = NULL, b = NULL, out = NULL;
        mlb_buffer_desc bd = {.struct_size = MLB_STRUCT_SIZE(mlb_buffer_desc, alignment),
                              .size = 24};
        mlb_stream s = NULL;
        mlb_kernel k = NULL;
        test_op op;
        make_add(&op);
        const float va[6] = {1, 2, 3, 4, 5, 6};
        float vb[6], res[6];
        for (int i = 0; i < 6; ++i)
            vb[i] = (float)(id * 100 + r);
        int ok = mlb_buffer_alloc(d, &bd, &a) == MLB_OK && mlb_buffer_alloc(d, &bd, &b) == MLB_OK &&
                 mlb_buffer_alloc(d, &bd, &out) == MLB_OK &&
                 mlb_stream_create(d, 0, &s) == MLB_OK &&
                 mlb_kernel_create(d, &op.desc, &k) == MLB_OK &&
                 mlb_stream_copy_host_to_device(s, a, 0, va, sizeof va) == MLB_OK &&
                 mlb_stream_copy_host_to_device(s, b, 0, vb, sizeof vb) == MLB_OK;
        const mlb_buffer ins[2] = {a, b}, outs[1] = {out};
        ok = ok && mlb_kernel_launch(k, s, ins, 2, outs, 1) == MLB_OK &&
             mlb_stream_copy_device_to_host(s, res, out, 0, sizeof res) == MLB_OK &&
             mlb_stream_synchronize(s) == MLB_OK;
        for (int i = 0; ok && i < 6; ++i)
            ok = res[i] == va[i] + vb[i];
        failures += !ok;
        mlb_kernel_destroy(k);
        mlb_stream_destroy(s);
        mlb_buffer_free(a);
        mlb_buffer_free(b);
        mlb_buffer_free(out);
        mlb_context_destroy(ctx);
    }
    return (void *)failures;
}

/* Many launches on this thread's own stream of the shared context, plus queries and
   errors whose messages must stay this thread's own. */
static void *launch_storm(void *arg) {
    intptr_t id = (intptr_t)arg;
    intptr_t failures = 0;
    mlb_device d = NULL;
    if (mlb_context_device_get(shared, (uint32_t)id % 2, &d) != MLB_OK)
        return (void *)(intptr_t)1;
    mlb_stream s = NULL;
    mlb_kernel add = NULL, fill = NULL;
    test_op op_add, op_fill;
    make_add(&op_add);
    make_fill(&op_fill, 6, (double)id);
    mlb_buffer_desc bd = {.struct_size = MLB_STRUCT_SIZE(mlb_buffer_desc, alignment), .size = 24};
    mlb_buffer a = NULL, out = NULL, tiny = NULL;
    bd.size = 24;
    failures += mlb_stream_create(d, 0, &s) != MLB_OK;
    failures += mlb_kernel_create(d, &op_add.desc, &add) != MLB_OK;
    failures += mlb_kernel_create(d, &op_fill.desc, &fill) != MLB_OK;
    failures += mlb_buffer_alloc(d, &bd, &a) != MLB_OK;
    failures += mlb_buffer_alloc(d, &bd, &out) != MLB_OK;
    bd.size = (uint64_t)(4 + id); /* too small for any tensor: a per-thread error */
    failures += mlb_buffer_alloc(d, &bd, &tiny) != MLB_OK;
    if (failures)
        return (void *)failures;
    const mlb_buffer fill_out[1] = {a}, ins[2] = {a, a}, outs[1] = {out}, bad[1] = {tiny};
    char want[160];
    snprintf(want, sizeof want,
             "fixture_good: kernel_launch: output 0 needs 24 bytes but its buffer has %d",
             (int)(4 + id));
    for (int r = 0; r < LAUNCH_ROUNDS; ++r) {
        failures += mlb_kernel_launch(fill, s, NULL, 0, fill_out, 1) != MLB_OK;
        failures += mlb_kernel_launch(add, s, ins, 2, outs, 1) != MLB_OK;
        failures += mlb_op_supported(d, &op_add.desc) != MLB_OK;
        if (r % 16 == 0) {
            failures += mlb_kernel_launch(fill, s, NULL, 0, bad, 1) != MLB_ERROR_OUT_OF_RANGE;
            failures += strcmp(mlb_last_error(), want) != 0;
            failures += mlb_stream_synchronize(s) != MLB_OK;
            mlb_buffer extra = NULL;
            bd.size = 64;
            failures += mlb_buffer_alloc(d, &bd, &extra) != MLB_OK;
            mlb_buffer_free(extra);
        }
    }
    float res[6];
    failures += mlb_stream_copy_device_to_host(s, res, out, 0, sizeof res) != MLB_OK;
    failures += mlb_stream_synchronize(s) != MLB_OK;
    for (int i = 0; i < 6; ++i)
        failures += res[i] != (float)(2 * id);
    mlb_kernel_destroy(add);
    mlb_kernel_destroy(fill);
    mlb_buffer_free(a);
    mlb_buffer_free(out);
    mlb_buffer_free(tiny);
    mlb_stream_destroy(s);
    return (void *)failures;
}

static intptr_t run_threads(void *(*fn)(void *)) {
    pthread_t t[THREADS];
    intptr_t failures = 0;
    for (intptr_t i = 0; i < THREADS; ++i)
        if (pthread_create(&t[i], NULL, fn, (void *)i) != 0)
            ++failures;
    for (int i = 0; i < THREADS; ++i) {
        void *r = NULL;
        pthread_join(t[i], &r);
        failures += (intptr_t)r;
    }
    return failures;
}

int main(void) {
    if (fixtures_missing())
        return check_skip("fixture plugins not found (run under make check)");
    churn_paths[0] = fixture("good");
    churn_paths[1] = fixture("init_fails");
    churn_paths[2] = fixture("zero_devices");
    CHECK_INT_EQ(run_threads(context_churn), 0);
    CHECK(atomic_load(&log_lines) >= THREADS * CONTEXT_ROUNDS); /* a rejection line each */

    const char *paths[1] = {fixture("good")};
    CHECK_INT_EQ(open_paths(paths, 1, &shared), MLB_OK);
    CHECK_INT_EQ(run_threads(launch_storm), 0);
    /* Both at once: private contexts come and go while the shared one is busy. */
    pthread_t churn;
    CHECK_INT_EQ(pthread_create(&churn, NULL, context_churn, (void *)(intptr_t)3), 0);
    CHECK_INT_EQ(run_threads(launch_storm), 0);
    void *r = NULL;
    pthread_join(churn, &r);
    CHECK_INT_EQ((intptr_t)r, 0);
    mlb_context_destroy(shared);
    return check_finish();
}
