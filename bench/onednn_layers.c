/*
 * onednn_layers.c - where a small launch's time goes. One op (the add of
 * 1024 f32 elements, onednn_bench's launch-bound case) timed at each layer
 * between a framework and oneDNN, in one process, in interleaved rounds:
 *
 *   direct   the oneDNN primitives called by hand (onednn_bench_direct.c)
 *   control  a second, identical direct side: what two identical setups differ by
 *   layer    the plugin's kernel layer linked in and called directly
 *            (onednn_kernel_run_exact; onednn_bench_layer.c)
 *   table    the plugin through its own function table, without libmlb:
 *            kernel_launch + stream_synchronize (onednn_bench_table.c)
 *   loader   the plugin through libmlb: mlb_kernel_launch + mlb_stream_synchronize,
 *            onednn_bench's "ours" (onednn_bench_loader.c)
 *
 * Before timing, every rung runs once into a NaN-filled output that is
 * compared with direct's. A round times one sample (about 20 ms of runs) of
 * each rung, starting with a different rung each round. Per rung:
 *   us       median time per run
 *   ratio    median over rounds of direct's sample / this rung's (onednn_bench's ratio)
 *   over_ns  median over rounds of (this rung - direct), per run
 *   step_ns  median over rounds of (this rung - the rung it builds on), per run: what this
 *            layer adds (control and layer build on direct, table on layer, loader on table)
 * Each figure is printed at one OpenMP thread (nothing but the add and the
 * layers is timed), then at the caller's thread count when that is more
 * (oneDNN's default: all cores; direct then forks oneDNN's team, while the
 * plugin runs a kernel this small on the calling thread alone).
 *
 * Usage: onednn_layers [--plugin PATH] [--rounds N] [--threads N] [--len N]
 *   --plugin   the oneDNN plugin (default <builddir>/plugins/onednn/.libs/mlb_onednn.so)
 *   --rounds   rounds per thread count (default 41)
 *   --threads  only this OpenMP thread count
 *   --len      elements of the add (default 1024, at most 2^24)
 * Exit status 0 whatever the figures, 1 on any error. Not run by make check.
 */
#include "config.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dnnl.h>
#include <omp.h>

#include "onednn_bench.h"

#define DEFAULT_ROUNDS 41
#define MAX_ROUNDS 201
#define SAMPLE_S 0.02
#define MAX_LEN (1L << 24) /* 64 MiB per f32 tensor; 15 tensors in all */

enum { R_DIRECT, R_CONTROL, R_LAYER, R_TABLE, R_LOADER, NUM_RUNGS };

static const char *const rung_name[NUM_RUNGS] = {"direct", "control", "layer", "table", "loader"};
/* The rung each one builds on (step_ns), -1 for direct. */
static const int rung_base[NUM_RUNGS] = {-1, R_DIRECT, R_DIRECT, R_LAYER, R_TABLE};

typedef struct options {
    const char *plugin;
    int rounds, threads;
    long len;
} options;

typedef struct ladder {
    direct_side *direct, *control;
    layer_side *layer;
    table_side *table;
    loader_side *loader;
} ladder;

/* Seconds per run of every rung in every round. */
typedef struct timings {
    double s[NUM_RUNGS][MAX_ROUNDS];
    int rounds;
} timings;

/* ---- options ------------------------------------------------------------------------------- */

static int usage(void) {
    fprintf(stderr,
            "usage: onednn_layers [--plugin PATH] [--rounds N (1-%d)] [--threads N] "
            "[--len N]\n",
            MAX_ROUNDS);
    return 1;
}

/* A whole decimal number in [lo, hi] into *out; 0 on success. */
static int parse_long(const char *s, long lo, long hi, long *out) {
    char *end;
    const long v = strtol(s, &end, 10);
    if (end == s || *end || v < lo || v > hi) {
        return -1;
    }
    *out = v;
    return 0;
}

static int parse_args(int argc, char **argv, options *o) {
    o->plugin = MLB_TOP_BUILDDIR "/plugins/onednn/.libs/mlb_onednn.so";
    o->rounds = DEFAULT_ROUNDS, o->threads = 0, o->len = 1024;
    for (int i = 1; i < argc; ++i) {
        long v = 0;
        if (i + 1 >= argc) {
            return usage();
        }
        const char *flag = argv[i], *arg = argv[++i];
        if (strcmp(flag, "--plugin") == 0) {
            o->plugin = arg;
        } else if (strcmp(flag, "--rounds") == 0 && parse_long(arg, 1, MAX_ROUNDS, &v) == 0) {
            o->rounds = (int)v;
        } else if (strcmp(flag, "--threads") == 0 && parse_long(arg, 1, 4096, &v) == 0) {
            o->threads = (int)v;
        } else if (strcmp(flag, "--len") == 0 && parse_long(arg, 1, MAX_LEN, &v) == 0) {
            o->len = v;
        } else {
            fprintf(stderr, "onednn_layers: bad option or value: %s %s\n", flag, arg);
            return usage();
        }
    }
    return 0;
}

/* ---- the rungs ----------------------------------------------------------------------------- */

static int run_rung(ladder *l, int r) {
    switch (r) {
    case R_DIRECT:
        return direct_run(l->direct);
    case R_CONTROL:
        return direct_run(l->control);
    case R_LAYER:
        return layer_run(l->layer);
    case R_TABLE:
        return table_run(l->table);
    default:
        return loader_run(l->loader);
    }
}

/* One run of rung r into a NaN-filled output, downloaded into got. */
static int check_run(const bench_case *c, ladder *l, int r, void *got) {
    double seconds;
    void *out = r == R_CONTROL ? direct_output(l->control)
                : r == R_LAYER ? layer_output(l->layer)
                               : NULL;
    if (out) {
        memset(out, 0xFF, c->bytes[2]);
        if (run_rung(l, r) != 0) {
            return -1;
        }
        memcpy(got, out, c->bytes[2]);
        return 0;
    }
    return r == R_TABLE ? table_check_run(l->table, got)
                        : loader_check_run(l->loader, got, &seconds);
}

/* Every rung's output against direct's (so that no rung times a no-op). */
static int check_all(const bench_case *c, ladder *l) {
    memset(direct_output(l->direct), 0xFF, c->bytes[2]);
    void *got = malloc(c->bytes[2]);
    int st = got && direct_run(l->direct) == 0 ? 0 : -1;
    for (int r = R_CONTROL; st == 0 && r < NUM_RUNGS; ++r) {
        st = check_run(c, l, r, got) == 0
                 ? case_compare(c, rung_name[r], got, direct_output(l->direct))
                 : -1;
    }
    free(got);
    return st;
}

static int build(const options *o, const bench_case *c, mlb_context ctx, ladder *l) {
    mlb_device dev = loader_device(ctx, o->plugin);
    l->direct = direct_create(c);
    l->control = l->direct ? direct_create(c) : NULL;
    l->layer = l->control ? layer_create(c) : NULL;
    l->table = l->layer ? table_create(o->plugin, c) : NULL;
    l->loader = l->table && dev ? loader_create(dev, c) : NULL;
    return l->loader && check_all(c, l) == 0 ? 0 : -1;
}

static void teardown(ladder *l) {
    loader_destroy(l->loader);
    table_destroy(l->table);
    layer_destroy(l->layer);
    direct_destroy(l->control);
    direct_destroy(l->direct);
}

/* ---- timing -------------------------------------------------------------------------------- */

/* Seconds per run over `iters` back-to-back runs of rung r; < 0 on error. */
static double sample(ladder *l, int r, int iters) {
    const double t0 = bench_now_s();
    for (int i = 0; i < iters; ++i) {
        if (run_rung(l, r) != 0) {
            return -1;
        }
    }
    return (bench_now_s() - t0) / iters;
}

/* Runs per sample: about SAMPLE_S for the slowest rung, after one untimed run of each. */
static int calibrate(ladder *l) {
    double slowest = 0;
    for (int r = 0; r < NUM_RUNGS; ++r) {
        double t = sample(l, r, 1) < 0 ? -1 : sample(l, r, 10);
        if (t < 0) {
            return -1;
        }
        slowest = t > slowest ? t : slowest;
    }
    const double n = SAMPLE_S / slowest;
    return n < 1 ? 1 : n > 1000000 ? 1000000 : (int)n;
}

static int time_rounds(ladder *l, int rounds, timings *t) {
    const int iters = calibrate(l);
    if (iters < 0) {
        return -1;
    }
    for (int k = 0; k < rounds; ++k) {
        for (int j = 0; j < NUM_RUNGS; ++j) {
            const int r = (j + k) % NUM_RUNGS;
            if ((t->s[r][k] = sample(l, r, iters)) < 0) {
                return -1;
            }
        }
    }
    t->rounds = rounds;
    return 0;
}

/* Median over rounds of f(rung a's sample, rung b's sample). */
static double median_of(const timings *t, int a, int b, double (*f)(double, double)) {
    double v[MAX_ROUNDS];
    for (int k = 0; k < t->rounds; ++k) {
        v[k] = f(t->s[a][k], b < 0 ? 0 : t->s[b][k]);
    }
    return bench_median(v, t->rounds);
}

static double first(double a, double b) {
    (void)b;
    return a;
}
static double quotient(double a, double b) {
    return b / a;
}
static double difference(double a, double b) {
    return a - b;
}

static void print_rungs(const timings *t) {
    for (int r = 0; r < NUM_RUNGS; ++r) {
        printf("  %-8s us=%.3f", rung_name[r], median_of(t, r, -1, first) * 1e6);
        if (r != R_DIRECT) {
            printf(" ratio=%.3f over_ns=%.0f step_ns=%.0f (over %s)",
                   median_of(t, r, R_DIRECT, quotient), median_of(t, r, R_DIRECT, difference) * 1e9,
                   median_of(t, r, rung_base[r], difference) * 1e9, rung_name[rung_base[r]]);
        }
        printf("\n");
    }
    fflush(stdout);
}

/* Times the ladder at n OpenMP threads (the calling thread's setting restored after). */
static int measure(ladder *l, int threads, int rounds) {
    const int was = omp_get_max_threads();
    omp_set_num_threads(threads);
    timings *t = calloc(1, sizeof(*t));
    const int st = t ? time_rounds(l, rounds, t) : -1;
    omp_set_num_threads(was);
    if (st == 0) {
        printf("threads=%d rounds=%d\n", threads, rounds);
        print_rungs(t);
    }
    free(t);
    return st;
}

int main(int argc, char **argv) {
    options o;
    bench_case c;
    ladder l;
    memset(&l, 0, sizeof(l));
    if (parse_args(argc, argv, &o) != 0) {
        return 1;
    }
    if (direct_init() != 0 || case_add(&c, "add", MLB_DTYPE_F32, o.len) != 0) {
        direct_fini();
        return 1;
    }
    mlb_context ctx = loader_open(o.plugin, NULL);
    int st = ctx ? build(&o, &c, ctx, &l) : -1;
    if (st == 0) {
        const dnnl_version_t *v = dnnl_version();
        printf("onednn_layers: add of %ld f32, plugin %s, oneDNN %d.%d.%d, impl=%s\n", o.len,
               o.plugin, v->major, v->minor, v->patch, direct_impl(l.direct));
        const int all = omp_get_max_threads();
        st = measure(&l, o.threads ? o.threads : 1, o.rounds);
        if (st == 0 && !o.threads && all > 1) {
            st = measure(&l, all, o.rounds);
        }
    }
    teardown(&l);
    mlb_context_destroy(ctx);
    case_free(&c);
    direct_fini();
    return st == 0 ? 0 : 1;
}
