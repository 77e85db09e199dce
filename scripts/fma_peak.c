// One core's FP32 FMA peak: 12 independent AVX-512 FMA chains (enough to cover the FMA latency
// on current x86 cores), 2 flops per lane. docs/performance.md compares imine's step rate with
// it. Build and run:  gcc -O2 -mavx512f scripts/fma_peak.c -o fma_peak && ./fma_peak
#include <immintrin.h>
#include <stdio.h>
#include <time.h>

int main(void) {
  enum { kChains = 12 };
  const long iterations = 200000000;
  __m512 acc[kChains];
  const __m512 b = _mm512_set1_ps(1.0000001f), c = _mm512_set1_ps(0.999999f);
  for (int i = 0; i < kChains; ++i) acc[i] = _mm512_set1_ps((float)i);
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  for (long n = 0; n < iterations; ++n) {
#pragma GCC unroll 12
    for (int i = 0; i < kChains; ++i) acc[i] = _mm512_fmadd_ps(acc[i], b, c);
  }
  clock_gettime(CLOCK_MONOTONIC, &t1);
  const double s = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) * 1e-9;
  float sink = 0;  // keeps the chains alive
  for (int i = 0; i < kChains; ++i) sink += _mm512_reduce_add_ps(acc[i]);
  printf("%.1f GFLOP/s fp32 FMA on one core (checksum %g)\n",
         iterations * (double)kChains * 16 * 2 / s / 1e9, (double)sink);
  return 0;
}
