#include "bench/bench_hist.h"

#include <math.h>
#include <string.h>

void bench_hist_init(bench_hist *h) {
  memset(h, 0, sizeof(*h));
  h->min = UINT64_MAX;
}

/* Values below 2*SUB have a bucket each. Above, a value whose top bit is
 * bit m (m >= 6) has exponent e = m - 5 and mantissa v >> e in [SUB, 2*SUB). */
unsigned bench_hist_index(uint64_t ns) {
  if (ns < 2 * BENCH_HIST_SUB)
    return (unsigned)ns;
  unsigned m = 63u - (unsigned)__builtin_clzll(ns);
  unsigned e = m - 5;
  unsigned mant = (unsigned)(ns >> e);
  return 2 * BENCH_HIST_SUB + (e - 1) * BENCH_HIST_SUB + (mant - BENCH_HIST_SUB);
}

uint64_t bench_hist_lower(unsigned idx) {
  if (idx < 2 * BENCH_HIST_SUB)
    return idx;
  unsigned k = idx - 2 * BENCH_HIST_SUB;
  unsigned e = k / BENCH_HIST_SUB + 1;
  uint64_t mant = BENCH_HIST_SUB + k % BENCH_HIST_SUB;
  return mant << e;
}

void bench_hist_add(bench_hist *h, uint64_t ns) {
  h->counts[bench_hist_index(ns)]++;
  h->n++;
  h->sum += (double)ns;
  if (ns < h->min)
    h->min = ns;
  if (ns > h->max)
    h->max = ns;
}

void bench_hist_merge(bench_hist *dst, const bench_hist *src) {
  for (unsigned i = 0; i < BENCH_HIST_BUCKETS; i++)
    dst->counts[i] += src->counts[i];
  dst->n += src->n;
  dst->sum += src->sum;
  if (src->min < dst->min)
    dst->min = src->min;
  if (src->max > dst->max)
    dst->max = src->max;
}

uint64_t bench_hist_quantile(const bench_hist *h, double q) {
  if (h->n == 0)
    return 0;
  if (q < 0)
    q = 0;
  if (q > 1)
    q = 1;
  uint64_t rank = (uint64_t)ceil(q * (double)h->n);
  if (rank == 0)
    rank = 1;
  uint64_t seen = 0;
  for (unsigned i = 0; i < BENCH_HIST_BUCKETS; i++) {
    seen += h->counts[i];
    if (seen >= rank) {
      uint64_t lo = bench_hist_lower(i);
      uint64_t hi = i + 1 < BENCH_HIST_BUCKETS ? bench_hist_lower(i + 1) : lo;
      uint64_t v = lo + (hi - lo) / 2;
      if (v < h->min)
        v = h->min;
      if (v > h->max)
        v = h->max;
      return v;
    }
  }
  return h->max;
}
