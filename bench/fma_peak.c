/*
 * fma_peak.c - this machine's FP32 FMA peak, measured: every OpenMP thread
 * (the threading oneDNN uses; Debian's libdnnl is built with OpenMP) runs
 * CHAINS independent chains acc = acc * m + b of packed f32 FMAs, enough
 * chains to cover the FMA latency times the FMA units per core. AVX-512F
 * when the CPU has it, else AVX2 + FMA, chosen at run time
 * (__builtin_cpu_supports; the kernels carry target attributes, so the file
 * builds without -mavx*). The best of REPS timed runs of about 0.1 s each.
 */
#include <immintrin.h>
#include <omp.h>

#include "onednn_bench.h"

#define REPS 5
#define TARGET_S 0.1

typedef float (*chains_fn)(long iters);

/* The chains are named variables, not an array, so that they live in registers at -O1 too. */
#define REPEAT12(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11)
#define REPEAT16(X) REPEAT12(X) X(12) X(13) X(14) X(15)
#define AVX512_CHAINS 16
#define AVX2_CHAINS 12 /* 16 ymm registers: 12 chains, m and b */

#define DECL512(i) __m512 a##i = _mm512_set1_ps((float)(i));
#define STEP512(i) a##i = _mm512_fmadd_ps(a##i, m, b);
#define SUM512(i) s = _mm512_add_ps(s, a##i);

__attribute__((target("avx512f"))) static float chains_avx512(long iters) {
    const __m512 m = _mm512_set1_ps(0.999999f), b = _mm512_set1_ps(1e-6f);
    REPEAT16(DECL512)
    for (long n = 0; n < iters; ++n) {
        REPEAT16(STEP512)
    }
    __m512 s = _mm512_setzero_ps();
    REPEAT16(SUM512)
    return _mm512_reduce_add_ps(s);
}

#define DECL256(i) __m256 a##i = _mm256_set1_ps((float)(i));
#define STEP256(i) a##i = _mm256_fmadd_ps(a##i, m, b);
#define SUM256(i) s = _mm256_add_ps(s, a##i);

__attribute__((target("avx2,fma"))) static float chains_avx2(long iters) {
    const __m256 m = _mm256_set1_ps(0.999999f), b = _mm256_set1_ps(1e-6f);
    REPEAT12(DECL256)
    for (long n = 0; n < iters; ++n) {
        REPEAT12(STEP256)
    }
    __m256 s = _mm256_setzero_ps();
    REPEAT12(SUM256)
    float out[8];
    _mm256_storeu_ps(out, s);
    return out[0] + out[1] + out[2] + out[3] + out[4] + out[5] + out[6] + out[7];
}

/* Seconds for every thread to run `iters` iterations; *threads is the team size. */
static double timed(chains_fn fn, long iters, int *threads, volatile float *sink) {
    const double t0 = omp_get_wtime();
#pragma omp parallel
    {
        const float r = fn(iters);
#pragma omp critical
        *sink += r;
#pragma omp single
        *threads = omp_get_num_threads();
    }
    return omp_get_wtime() - t0;
}

int fma_peak_measure(fma_peak *p) {
    chains_fn fn;
    double flops_per_iter;
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f")) {
        fn = chains_avx512, p->isa = "avx512f", flops_per_iter = 2.0 * 16 * AVX512_CHAINS;
    } else if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
        fn = chains_avx2, p->isa = "avx2", flops_per_iter = 2.0 * 8 * AVX2_CHAINS;
    } else {
        return -1;
    }
    volatile float sink = 0;
    long iters = 1L << 18;
    double t = timed(fn, iters, &p->threads, &sink); /* warms up the threads, calibrates */
    iters = (long)((double)iters * TARGET_S / (t > 1e-6 ? t : 1e-6)) + 1;
    p->gflops = 0;
    for (int r = 0; r < REPS; ++r) {
        t = timed(fn, iters, &p->threads, &sink);
        const double g = flops_per_iter * (double)iters * p->threads / t * 1e-9;
        p->gflops = g > p->gflops ? g : p->gflops;
    }
    return 0;
}
