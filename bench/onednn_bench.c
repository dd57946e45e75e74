/*
 * onednn_bench.c - the oneDNN plugin through libmlb ("ours") against the same
 * oneDNN primitives called directly ("direct"), in one process, with the
 * cpu_ref plugin's speed and this machine's measured FP32 FMA peak beside
 * them. Cases:
 *
 *   matmul_1024_f32, matmul_1024_bf16   1024 x 1024 x 1024
 *   matmul_4096_f32                     4096 x 4096 x 4096
 *   bmm_32x128x64x128_f32               32 x (128x64 . 64x128)
 *   conv2d_1x64x56x56_3x3x64_f32, _bf16 NCHW, 3x3, stride 1, pad 1, 64 -> 64
 *   add_1024_f32                        1024 elements, OpenMP threads as set
 *   add_1024_f32_1t                     the same on one thread: launch overhead dominates
 *
 * ours: the plugin loaded with mlb_context_create (plugin path given, no
 * discovery), a stream, buffers with the inputs uploaded once, the kernel
 * created once; a run is mlb_kernel_launch + mlb_stream_synchronize, what a
 * framework pays (onednn_bench_loader.c). direct: the primitives built by
 * hand with the layouts and reorders the plugin's kernel layer picks,
 * created once; a run is their execution + dnnl_stream_wait
 * (onednn_bench_direct.c). Before timing, each side runs once into an output
 * filled with NaN and ours is compared with direct (so no side can time a
 * no-op). Then one untimed run of each side, one timed run of each that
 * picks `iters` (runs per sample, so that a sample takes about 0.1 s), and a
 * fixed number of rounds (21; 7 for 4096^3): a round times one sample of
 * each side, starting with a different side each round. Each side's time
 * per run is the median of its samples; ratio is the median of the rounds'
 * own ratios (direct's sample / ours, taken back to back, so a drift of the
 * machine's speed between rounds moves both sides of a ratio together).
 * GFLOP/s = 2*M*K*N (matmul), 2*N*OC*H*W*IC*KH*KW (conv2d), N (add) per
 * run, over that time.
 *
 * The launch-bound case (add) is timed in 7 trials of 9 rounds, each trial
 * with freshly built sides: on a small machine two identical setups differ
 * by a few percent from one set of objects to the next (where they land),
 * which one trial would report as the plugin's. Each trial also builds a
 * second direct side, the control, timed in the same rounds: aa is the
 * median of direct / control, what two identical setups show (1 up to the
 * bench's own error; a ratio closer to 1 than that is a tie). On more than
 * one thread oneDNN splits even 1024 elements across its OpenMP team, and
 * the team's fork and join cost several times the add itself; the plugin
 * runs such small kernels on the calling thread alone (ONEDNN_SERIAL_BYTES
 * in plugins/onednn/onednn_kernels.h), direct does not. The _1t case sets
 * one thread (omp_set_num_threads around the case: both sides run on this
 * thread), so that both run the same add and only the launch paths differ.
 * over_ns is ours' time per run minus direct's: what the loader and plugin
 * add to each launch.
 *
 * cpu_ref: the reference plugin through the loader the same way (its output
 * compared too); single-threaded, so one run, or the median of up to 5 when
 * they take under 1 s together; skipped for 4096^3 (tens of minutes).
 * fma_peak: fma_peak.c, on every OpenMP thread (oneDNN's threading); peak =
 * ours / fma_peak. bf16 cases can pass 1: AVX512_BF16 dot products do two
 * multiply-adds per f32 lane.
 *
 * Output: a line naming the devices and the load average, then
 * "fma_peak=<GFLOP/s> (<isa>, <threads> threads)", one line per case, and a
 * summary:
 *   <case>: ours=<GFLOP/s> direct=<GFLOP/s> ratio=<ours/direct, paired> cpu_ref=<GFLOP/s>
 *           peak=<fraction> [ours_us=<us per run> direct_us=<us> aa=<direct/control>]
 *           impl=<direct's steps>
 *   ratios: min=<ratio> (<case>) all>=0.95: yes|no load=<1-minute load average>
 * impl comes from the direct side (dnnl_query_impl_info_str); the plugin's
 * choice is not visible through the loader.
 *
 * Usage: onednn_bench [--plugin PATH] [--reference PATH] [--no-cpuref] [--rounds N]
 *                     [--case NAME]
 *   --plugin     "ours" (default <builddir>/plugins/onednn/.libs/mlb_onednn.so)
 *   --reference  cpu_ref (default <builddir>/plugins/cpu_ref/.libs/mlb_cpu_ref.so)
 *   --rounds     rounds (per trial) for every case instead of 21 / 7 / 9
 *   --case       only this case (one of the names above)
 * With cpu_ref as --plugin (a stand-in for the oneDNN plugin), 4096^3 is
 * skipped and rounds default to 3. Exit status 0 whatever the ratios (a bench
 * reports), 1 on any error (a plugin that does not load, a failed call,
 * outputs that differ). Threads: OpenMP,
 * OMP_NUM_THREADS as set by the caller (all cores by default). Not run by
 * make check.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dnnl.h>
#include <omp.h>

#include "onednn_bench.h"

#define MAX_ROUNDS 101
#define MAX_SAMPLES (MAX_ROUNDS * 7) /* rounds over all trials (7: the most a case has) */
#define SAMPLE_S 0.1
#define TARGET_RATIO 0.95
#define REF_MAX_RUNS 5
#define REF_BUDGET_S 1.0
#define NUM_CASES 8
#define STAND_IN_ROUNDS 3 /* cpu_ref as ours: 30 s per run of matmul_1024_bf16 */

typedef struct options {
    const char *plugin, *reference;
    const char *only; /* run only this case; NULL: all */
    int cpuref, rounds;
} options;

typedef struct devices {
    mlb_device ours, ref; /* ref NULL with --no-cpuref; == ours for a cpu_ref stand-in */
    int stand_in;
} devices;

/* One case's results. */
typedef struct result {
    double ours_s, direct_s, ref_s; /* seconds per run (medians); ref_s < 0: not measured */
    double ratio;                   /* median over rounds of direct's time / ours */
    double aa;                      /* the same for direct / the control; 0: no control */
    const char *ref_why;            /* why cpu_ref was not measured */
} result;

typedef struct summary {
    double min_ratio;
    char min_case[64];
    int errors, measured;
} summary;

static const char *const case_names[NUM_CASES] = {"matmul_1024_f32",
                                                  "matmul_1024_bf16",
                                                  "matmul_4096_f32",
                                                  "bmm_32x128x64x128_f32",
                                                  "conv2d_1x64x56x56_3x3x64_f32",
                                                  "conv2d_1x64x56x56_3x3x64_bf16",
                                                  "add_1024_f32",
                                                  "add_1024_f32_1t"};

/* ---- options ------------------------------------------------------------------------------- */

static int known_case(const char *name) {
    for (int i = 0; i < NUM_CASES; ++i) {
        if (strcmp(name, case_names[i]) == 0) {
            return 1;
        }
    }
    return 0;
}

static int usage(void) {
    fprintf(stderr, "usage: onednn_bench [--plugin PATH] [--reference PATH] [--no-cpuref] "
                    "[--rounds N] [--case NAME]\n");
    return -1;
}

static int parse_args(int argc, char **argv, options *o) {
    o->plugin = MLB_TOP_BUILDDIR "/plugins/onednn/.libs/mlb_onednn.so";
    o->reference = MLB_TOP_BUILDDIR "/plugins/cpu_ref/.libs/mlb_cpu_ref.so";
    o->only = NULL, o->cpuref = 1, o->rounds = 0;
    for (int i = 1; i < argc; ++i) {
        const int has_value = i + 1 < argc;
        if (strcmp(argv[i], "--no-cpuref") == 0) {
            o->cpuref = 0;
        } else if (strcmp(argv[i], "--plugin") == 0 && has_value) {
            o->plugin = argv[++i];
        } else if (strcmp(argv[i], "--reference") == 0 && has_value) {
            o->reference = argv[++i];
        } else if (strcmp(argv[i], "--case") == 0 && has_value) {
            o->only = argv[++i];
            if (!known_case(o->only)) {
                fprintf(stderr, "onednn_bench: no case named %s\n", o->only);
                return usage();
            }
        } else if (strcmp(argv[i], "--rounds") == 0 && has_value) {
            o->rounds = atoi(argv[++i]);
            if (o->rounds < 1 || o->rounds > MAX_ROUNDS) {
                return usage();
            }
        } else {
            return usage();
        }
    }
    return 0;
}

/* ---- timing -------------------------------------------------------------------------------- */

/* Seconds per run over `iters` back-to-back runs of one side; < 0 on error. */
static double sample(loader_side *l, direct_side *d, int iters) {
    const double t0 = bench_now_s();
    for (int i = 0; i < iters; ++i) {
        if ((l ? loader_run(l) : direct_run(d)) != 0) {
            return -1;
        }
    }
    return (bench_now_s() - t0) / iters;
}

/* One untimed run of each side, then one timed: runs per sample for about SAMPLE_S. */
static int calibrate(loader_side *l, direct_side *d) {
    if (sample(l, NULL, 1) < 0 || sample(NULL, d, 1) < 0) {
        return -1;
    }
    const double to = sample(l, NULL, 1), td = sample(NULL, d, 1);
    if (to < 0 || td < 0) {
        return -1;
    }
    const double n = SAMPLE_S / (to > td ? to : td);
    return n < 1 ? 1 : n > 100000 ? 100000 : (int)n;
}

/* Every round's seconds per run of each side, and the rounds' own ratios, over all trials. */
typedef struct series {
    double ours[MAX_SAMPLES], direct[MAX_SAMPLES], ratio[MAX_SAMPLES], aa[MAX_SAMPLES];
    int n;
} series;

/* `rounds` rounds appended to `out`. A round times one sample of each side (ours, direct, and
 * the control d2 when there is one), starting with a different side each round; its ratio is
 * direct's sample / ours (taken back to back, so a drift of the machine's speed between rounds
 * moves both together), its A/A ratio direct's / the control's. */
static int time_rounds(int rounds, loader_side *l, direct_side *d, direct_side *d2, series *out) {
    const int iters = calibrate(l, d);
    if (iters < 0 || (d2 && sample(NULL, d2, 1) < 0)) {
        return -1;
    }
    const int sides = d2 ? 3 : 2;
    for (int k = 0; k < rounds && out->n < MAX_SAMPLES; ++k) {
        double t[3] = {0, 0, 0}; /* ours, direct, control */
        for (int j = 0; j < sides; ++j) {
            const int side = (j + k) % sides;
            t[side] = side == 0   ? sample(l, NULL, iters)
                      : side == 1 ? sample(NULL, d, iters)
                                  : sample(NULL, d2, iters);
            if (t[side] < 0) {
                return -1;
            }
        }
        const int i = out->n++;
        out->ours[i] = t[0], out->direct[i] = t[1], out->ratio[i] = t[1] / t[0];
        out->aa[i] = d2 ? t[1] / t[2] : 0;
    }
    return 0;
}

static void summarize(series *sr, int has_control, result *r) {
    r->ratio = bench_median(sr->ratio, sr->n);
    r->aa = has_control ? bench_median(sr->aa, sr->n) : 0;
    r->ours_s = bench_median(sr->ours, sr->n), r->direct_s = bench_median(sr->direct, sr->n);
}

/* ---- correctness --------------------------------------------------------------------------- */

/* One run of `l` into a NaN-filled output, compared with direct's output. */
static int check(const bench_case *c, const char *who, loader_side *l, const void *want,
                 double *seconds) {
    void *got = aligned_alloc(64, (c->bytes[2] + 63) & ~(size_t)63);
    int r = got ? loader_check_run(l, got, seconds) : -1;
    if (r == 0) {
        r = case_compare(c, who, got, want);
    }
    free(got);
    return r;
}

/* Direct's reference output: one run into a NaN-filled output. */
static int direct_check_run(const bench_case *c, direct_side *d) {
    memset(direct_output(d), 0xFF, c->bytes[2]);
    return direct_run(d);
}

/* cpu_ref: checked, then timed (the median of up to REF_MAX_RUNS runs within REF_BUDGET_S). */
static int time_ref(const bench_case *c, mlb_device dev, direct_side *d, result *r) {
    loader_side *l = loader_create(dev, c);
    double first = 0, s[REF_MAX_RUNS], total;
    int n = 0, st = l ? check(c, "cpu_ref", l, direct_output(d), &first) : -1;
    for (total = first; st == 0 && n < REF_MAX_RUNS && total < REF_BUDGET_S; total += s[n++]) {
        st = (s[n] = sample(l, NULL, 1)) < 0 ? -1 : 0;
    }
    if (st == 0) {
        r->ref_s = n ? bench_median(s, n) : first; /* the checked run counts only when alone */
    }
    loader_destroy(l);
    return st;
}

/* ---- one case ------------------------------------------------------------------------------ */

static void print_result(const bench_case *c, const result *r, const fma_peak *peak,
                         const char *impl) {
    const double go = c->flops / r->ours_s * 1e-9, gd = c->flops / r->direct_s * 1e-9;
    printf("%s: ours=%.4g direct=%.4g ratio=%.3f", c->name, go, gd, r->ratio);
    if (r->ref_s > 0) {
        printf(" cpu_ref=%.4g", c->flops / r->ref_s * 1e-9);
    } else {
        printf(" cpu_ref=skipped (%s)", r->ref_why);
    }
    if (peak->gflops > 0) {
        printf(" peak=%.2f", go / peak->gflops);
    }
    if (c->show_us) {
        printf(" ours_us=%.2f direct_us=%.2f over_ns=%.0f", r->ours_s * 1e6, r->direct_s * 1e6,
               (r->ours_s - r->direct_s) * 1e9);
    }
    if (c->threads) {
        printf(" threads=%d", c->threads);
    }
    if (r->aa > 0) {
        printf(" aa=%.3f", r->aa);
    }
    printf(" impl=%s\n", impl);
    fflush(stdout);
}

static void tally(summary *s, const bench_case *c, const result *r) {
    if (!s->measured++ || r->ratio < s->min_ratio) {
        s->min_ratio = r->ratio;
        snprintf(s->min_case, sizeof(s->min_case), "%s", c->name);
    }
}

/* cpu_ref's figure: measured, taken from ours (stand-in), or skipped with the reason. */
static int ref_figure(const bench_case *c, const options *o, const devices *dv, direct_side *d,
                      result *r) {
    r->ref_s = -1;
    if (!o->cpuref) {
        r->ref_why = "--no-cpuref";
    } else if (c->large) {
        r->ref_why = "single-threaded, it would take tens of minutes";
    } else if (dv->ref == dv->ours) {
        r->ref_s = r->ours_s; /* ours is cpu_ref */
    } else {
        return time_ref(c, dv->ref, d, r);
    }
    return 0;
}

/* Builds both sides, checks ours against direct, times them. One trial keeps its direct side
 * in *dp (for cpu_ref's check and the impl string); the caller destroys it. */
static int trial(bench_case *c, const devices *dv, int rounds, int keep, direct_side **dp,
                 series *sr) {
    direct_side *d = direct_create(c);
    direct_side *d2 = d && c->trials > 1 ? direct_create(c) : NULL;
    loader_side *l = d && (d2 || c->trials == 1) ? loader_create(dv->ours, c) : NULL;
    double once;
    int st = l && direct_check_run(c, d) == 0 && check(c, "ours", l, direct_output(d), &once) == 0
                 ? 0
                 : -1;
    if (st == 0) {
        st = time_rounds(rounds, l, d, d2, sr);
    }
    loader_destroy(l); /* cpu_ref runs alone, not beside ours' idle threads */
    direct_destroy(d2);
    if (keep && st == 0) {
        *dp = d;
    } else {
        direct_destroy(d);
    }
    return st;
}

/* Sets the calling thread's OpenMP threads to n (0: leaves them); returns the previous count
 * to hand back, 0 when nothing changed. */
static int set_threads(int n) {
    const int was = omp_get_max_threads();
    if (n > 0 && n != was) {
        omp_set_num_threads(n);
        return was;
    }
    return 0;
}

static int measure(bench_case *c, const options *o, const devices *dv, const fma_peak *peak,
                   summary *s) {
    const int rounds = o->rounds ? o->rounds : dv->stand_in ? STAND_IN_ROUNDS : c->rounds;
    series *sr = calloc(1, sizeof(*sr));
    direct_side *d = NULL;
    result r = {0};
    int st = sr ? 0 : -1;
    const int restore = set_threads(c->threads);
    for (int t = 0; st == 0 && t < c->trials; ++t) {
        st = trial(c, dv, rounds, t == c->trials - 1, &d, sr);
    }
    set_threads(restore);
    if (st == 0) {
        summarize(sr, c->trials > 1, &r);
        st = ref_figure(c, o, dv, d, &r);
    }
    if (st == 0) {
        print_result(c, &r, peak, direct_impl(d));
        tally(s, c, &r);
    }
    direct_destroy(d);
    free(sr);
    return st;
}

static int build_case(int i, bench_case *c) {
    const char *n = case_names[i];
    switch (i) {
    case 0:
        return case_matmul(c, n, MLB_DTYPE_F32, 0, 1024, 1024, 1024);
    case 1:
        return case_matmul(c, n, MLB_DTYPE_BF16, 0, 1024, 1024, 1024);
    case 2:
        if (case_matmul(c, n, MLB_DTYPE_F32, 0, 4096, 4096, 4096) != 0) {
            return -1;
        }
        c->large = 1, c->rounds = 7;
        return 0;
    case 3:
        return case_matmul(c, n, MLB_DTYPE_F32, 32, 128, 64, 128);
    case 4:
        return case_conv2d(c, n, MLB_DTYPE_F32, 1, 64, 56, 56, 64, 3);
    case 5:
        return case_conv2d(c, n, MLB_DTYPE_BF16, 1, 64, 56, 56, 64, 3);
    case 6:
        return case_add(c, n, MLB_DTYPE_F32, 1024);
    default:
        if (case_add(c, n, MLB_DTYPE_F32, 1024) != 0) {
            return -1;
        }
        c->threads = 1;
        return 0;
    }
}

static void run_case(int i, const options *o, const devices *dv, const fma_peak *peak, summary *s) {
    bench_case c;
    if (build_case(i, &c) != 0) {
        ++s->errors;
    } else if (c.large && dv->stand_in) {
        printf("%s: skipped (ours is the cpu_ref stand-in: single-threaded, it would take tens of "
               "minutes)\n",
               c.name);
    } else if (measure(&c, o, dv, peak, s) != 0) {
        printf("%s: error (see above)\n", c.name);
        ++s->errors;
    }
    case_free(&c);
}

static void run_cases(const options *o, const devices *dv, const fma_peak *peak, summary *s) {
    for (int i = 0; i < NUM_CASES; ++i) {
        if (!o->only || strcmp(o->only, case_names[i]) == 0) {
            run_case(i, o, dv, peak, s);
        }
    }
}

/* ---- main ---------------------------------------------------------------------------------- */

/* The 1-minute load average: other work on the cores makes every figure noisy. */
static const char *loadavg(char *buf, size_t len) {
    FILE *f = fopen("/proc/loadavg", "r");
    if (!f || !fgets(buf, (int)len, f)) {
        snprintf(buf, len, "?");
    }
    buf[strcspn(buf, " \n")] = '\0';
    if (f) {
        fclose(f);
    }
    return buf;
}

static void print_header(const options *o, const devices *dv, const fma_peak *peak) {
    const dnnl_version_t *v = dnnl_version();
    printf("onednn_bench: ours=%s (%s) direct=oneDNN %d.%d.%d", mlb_device_name(dv->ours),
           o->plugin, v->major, v->minor, v->patch);
    if (dv->ref) {
        printf(" cpu_ref=%s (%s)", mlb_device_name(dv->ref), o->reference);
    }
    char load[64];
    printf(" load=%s\n", loadavg(load, sizeof(load)));
    if (dv->stand_in) {
        printf("note: ours is cpu_ref, a stand-in for the oneDNN plugin: %d rounds, cpu_ref=ours\n",
               o->rounds ? o->rounds : STAND_IN_ROUNDS);
    }
    if (peak->gflops > 0) {
        printf("fma_peak=%.1f (%s, %d threads)\n", peak->gflops, peak->isa, peak->threads);
    } else {
        printf("fma_peak=unavailable (neither AVX-512F nor AVX2+FMA)\n");
    }
    fflush(stdout);
}

static int open_devices(mlb_context ctx, const options *o, devices *dv) {
    dv->ours = loader_device(ctx, o->plugin);
    dv->ref = o->cpuref && dv->ours ? loader_device(ctx, o->reference) : NULL;
    if (!dv->ours || (o->cpuref && !dv->ref)) {
        return -1;
    }
    dv->stand_in = strcmp(mlb_device_plugin_name(dv->ours), "cpu_ref") == 0;
    return 0;
}

int main(int argc, char **argv) {
    options o;
    devices dv;
    fma_peak peak = {0};
    summary s = {0};
    if (parse_args(argc, argv, &o) != 0 || direct_init() != 0) {
        return 1;
    }
    mlb_context ctx = loader_open(o.plugin, o.cpuref ? o.reference : NULL);
    if (!ctx || open_devices(ctx, &o, &dv) != 0) {
        mlb_context_destroy(ctx);
        direct_fini();
        return 1;
    }
    if (fma_peak_measure(&peak) != 0) {
        peak.gflops = 0;
    }
    print_header(&o, &dv, &peak);
    run_cases(&o, &dv, &peak, &s);
    if (s.measured) {
        char load[64];
        printf("ratios: min=%.3f (%s) all>=%.2f: %s load=%s\n", s.min_ratio, s.min_case,
               TARGET_RATIO, s.min_ratio >= TARGET_RATIO && !s.errors ? "yes" : "no",
               loadavg(load, sizeof(load)));
    }
    mlb_context_destroy(ctx);
    direct_fini();
    return s.errors ? 1 : 0;
}
