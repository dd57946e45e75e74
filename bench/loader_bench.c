/*
 * loader_bench.c - what libmlb's dispatch costs: the same calls made through
 * the loader and straight into the plugin's function table, in one run.
 *
 *   launch_sync   a one-element f32 add launched, then its stream synchronized
 *   op_supported  the query for the same add descriptor
 *
 * Rounds alternate which side runs first; the median nanoseconds per call of
 * each side and their ratio (loader / direct) are printed as
 *   <case>: direct_ns=... loader_ns=... ratio=...
 * Usage: loader_bench [PLUGIN.so] [ITERATIONS]; the plugin defaults to the
 * good test fixture ($MLB_TOP_BUILDDIR or ./tests/.libs/fixture_good.so; build
 * it with `make tests/fixture_good.la`). Not run by make check.
 */
#include "config.h"

#include "mlb.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define ROUNDS 21

static double now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v, int n) {
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return v[n / 2];
}

/* Both sides' objects. */
typedef struct direct_side {
    const mlb_plugin_api *api;
    mlb_plugin_device dev;
    mlb_plugin_stream stream;
    mlb_plugin_kernel kernel;
    mlb_plugin_buffer in[2], out[1];
} direct_side;

typedef struct loader_side {
    mlb_context ctx;
    mlb_device dev;
    mlb_stream stream;
    mlb_kernel kernel;
    mlb_buffer in[2], out[1];
} loader_side;

static mlb_op_desc desc;
static mlb_tensor_desc tensors[3];
static const mlb_tensor_desc *ins[2] = {&tensors[0], &tensors[1]}, *outs[1] = {&tensors[2]};

static double time_direct_launch(direct_side *d, long n) {
    double t0 = now_ns();
    for (long i = 0; i < n; ++i) {
        if (d->api->kernel_launch(d->kernel, d->stream, d->in, 2, d->out, 1) != MLB_OK ||
            d->api->stream_synchronize(d->stream) != MLB_OK)
            return -1;
    }
    return (now_ns() - t0) / (double)n;
}

static double time_loader_launch(loader_side *l, long n) {
    double t0 = now_ns();
    for (long i = 0; i < n; ++i) {
        if (mlb_kernel_launch(l->kernel, l->stream, l->in, 2, l->out, 1) != MLB_OK ||
            mlb_stream_synchronize(l->stream) != MLB_OK)
            return -1;
    }
    return (now_ns() - t0) / (double)n;
}

static double time_direct_query(direct_side *d, long n) {
    double t0 = now_ns();
    for (long i = 0; i < n; ++i)
        if (d->api->op_supported(d->dev, &desc) != MLB_OK)
            return -1;
    return (now_ns() - t0) / (double)n;
}

static double time_loader_query(loader_side *l, long n) {
    double t0 = now_ns();
    for (long i = 0; i < n; ++i)
        if (mlb_op_supported(l->dev, &desc) != MLB_OK)
            return -1;
    return (now_ns() - t0) / (double)n;
}

static int setup_direct(direct_side *d, const char *path) {
    void *dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!dl) {
        fprintf(stderr, "loader_bench: %s\n", dlerror());
        return -1;
    }
    mlb_plugin_get_api_fn entry;
    *(void **)&entry = dlsym(dl, MLB_PLUGIN_ENTRY_NAME);
    mlb_loader_info info = {.struct_size = MLB_STRUCT_SIZE(mlb_loader_info, log_user_data),
                            .abi_version = MLB_ABI_VERSION};
    mlb_buffer_desc bd = {.struct_size = MLB_STRUCT_SIZE(mlb_buffer_desc, alignment), .size = 4};
    if (!entry || entry(&info, &d->api) != MLB_OK || d->api->init() != MLB_OK ||
        d->api->device_get(0, &d->dev) != MLB_OK ||
        d->api->stream_create(d->dev, 0, &d->stream) != MLB_OK ||
        d->api->kernel_create(d->dev, &desc, &d->kernel) != MLB_OK ||
        d->api->buffer_alloc(d->dev, &bd, &d->in[0]) != MLB_OK ||
        d->api->buffer_alloc(d->dev, &bd, &d->in[1]) != MLB_OK ||
        d->api->buffer_alloc(d->dev, &bd, &d->out[0]) != MLB_OK) {
        fprintf(stderr, "loader_bench: direct setup failed on %s\n", path);
        return -1;
    }
    return 0;
}

static int setup_loader(loader_side *l, const char *path) {
    const char *paths[1] = {path};
    mlb_context_options o = {.struct_size = MLB_STRUCT_SIZE(mlb_context_options, log_user_data)};
    o.plugin_paths = paths;
    o.num_plugin_paths = 1;
    mlb_buffer_desc bd = {.struct_size = MLB_STRUCT_SIZE(mlb_buffer_desc, alignment), .size = 4};
    if (mlb_context_create(&o, &l->ctx) != MLB_OK ||
        mlb_context_device_get(l->ctx, 0, &l->dev) != MLB_OK ||
        mlb_stream_create(l->dev, 0, &l->stream) != MLB_OK ||
        mlb_kernel_create(l->dev, &desc, &l->kernel) != MLB_OK ||
        mlb_buffer_alloc(l->dev, &bd, &l->in[0]) != MLB_OK ||
        mlb_buffer_alloc(l->dev, &bd, &l->in[1]) != MLB_OK ||
        mlb_buffer_alloc(l->dev, &bd, &l->out[0]) != MLB_OK) {
        fprintf(stderr, "loader_bench: loader setup failed: %s\n", mlb_last_error());
        return -1;
    }
    return 0;
}

/* Alternating A/B rounds; prints one result line. Returns 0 on success. */
static int compare(const char *name, double (*direct)(direct_side *, long),
                   double (*loader)(loader_side *, long), direct_side *d, loader_side *l, long n) {
    double a[ROUNDS], b[ROUNDS];
    direct(d, n / 10); /* warm up both */
    loader(l, n / 10);
    for (int r = 0; r < ROUNDS; ++r) {
        if (r % 2) {
            b[r] = loader(l, n);
            a[r] = direct(d, n);
        } else {
            a[r] = direct(d, n);
            b[r] = loader(l, n);
        }
        if (a[r] < 0 || b[r] < 0) {
            fprintf(stderr, "loader_bench: %s: a call failed\n", name);
            return -1;
        }
    }
    double ma = median(a, ROUNDS), mb = median(b, ROUNDS);
    printf("%s: direct_ns=%.2f loader_ns=%.2f ratio=%.3f\n", name, ma, mb, mb / ma);
    return 0;
}

int main(int argc, char **argv) {
    char def[4096];
    const char *top = getenv("MLB_TOP_BUILDDIR");
    snprintf(def, sizeof def, "%s/tests/.libs/fixture_good.so", top ? top : ".");
    const char *path = argc > 1 ? argv[1] : def;
    long n = argc > 2 ? atol(argv[2]) : 200000;
    if (n < 10)
        n = 10;

    const int64_t one = 1;
    for (int i = 0; i < 3; ++i)
        mlb_tensor_desc_contiguous(&tensors[i], MLB_DTYPE_F32, 1, &one);
    desc.struct_size = MLB_STRUCT_SIZE(mlb_op_desc, attrs);
    desc.op = MLB_OP_ADD;
    desc.num_inputs = 2;
    desc.num_outputs = 1;
    desc.inputs = ins;
    desc.outputs = outs;

    direct_side d = {0};
    loader_side l = {0};
    if (setup_direct(&d, path) != 0 || setup_loader(&l, path) != 0)
        return 1;
    printf("loader_bench: %s, %ld calls x %d rounds, median ns per call\n", path, n, ROUNDS);
    int rc = compare("launch_sync", time_direct_launch, time_loader_launch, &d, &l, n);
    rc |= compare("op_supported", time_direct_query, time_loader_query, &d, &l, n);

    mlb_kernel_destroy(l.kernel);
    mlb_stream_destroy(l.stream);
    for (int i = 0; i < 2; ++i)
        mlb_buffer_free(l.in[i]);
    mlb_buffer_free(l.out[0]);
    mlb_context_destroy(l.ctx);
    d.api->kernel_destroy(d.kernel);
    d.api->stream_destroy(d.stream);
    for (int i = 0; i < 2; ++i)
        d.api->buffer_free(d.in[i]);
    d.api->buffer_free(d.out[0]);
    d.api->shutdown();
    return rc ? 1 : 0;
}
