/* A log-linear latency histogram for the benchmarks: values in nanoseconds,
 * 32 sub-buckets per power of two (relative error under 3.2 %), exact below
 * 64 ns, fixed size (no allocation), mergeable. Pure. */
#ifndef WTPING_BENCH_HIST_H
#define WTPING_BENCH_HIST_H

#include <stdint.h>

#define BENCH_HIST_SUB 32
#define BENCH_HIST_BUCKETS (2 * BENCH_HIST_SUB + 58 * BENCH_HIST_SUB)

typedef struct bench_hist {
  uint64_t counts[BENCH_HIST_BUCKETS];
  uint64_t n;
  uint64_t min, max;
  double sum;
} bench_hist;

void bench_hist_init(bench_hist *h);

/* bench_hist_add counts one value |ns|. */
void bench_hist_add(bench_hist *h, uint64_t ns);

/* bench_hist_merge adds every count of |src| to |dst|. */
void bench_hist_merge(bench_hist *dst, const bench_hist *src);

/* bench_hist_quantile returns the value at quantile |q| (0..1): the middle of
 * the bucket holding the ceil(q*n)-th smallest value, clamped to [min, max];
 * 0 when empty. */
uint64_t bench_hist_quantile(const bench_hist *h, double q);

/* bench_hist_index / bench_hist_lower map a value to its bucket and a bucket
 * to the smallest value it holds (exposed for the unit test). */
unsigned bench_hist_index(uint64_t ns);
uint64_t bench_hist_lower(unsigned idx);

#endif
