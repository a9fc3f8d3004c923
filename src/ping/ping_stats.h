/* RTT statistics as ping(8) and irtt report them: min/avg/max/mdev,
 * percentiles and jitter. Pure; samples are kept (bounded) for percentiles. */
#ifndef WTPING_PING_STATS_H
#define WTPING_PING_STATS_H

#include <stddef.h>
#include <stdint.h>

/* Percentiles are computed over the most recent PING_STATS_KEEP samples;
 * min/avg/max/mdev/jitter over all of them. */
#define PING_STATS_KEEP 100000

typedef struct ping_stats_acc {
  uint64_t n;
  double min, max, sum, sumsq; /* milliseconds */
  double last;                 /* previous sample, for jitter */
  double jitter_sum;           /* sum of |rtt_i - rtt_{i-1}| */
  double *samples;             /* ring of the last PING_STATS_KEEP samples, allocated lazily */
  size_t nsamples, next;
} ping_stats_acc;

typedef struct ping_stats_summary {
  uint64_t n;
  double min, avg, max, mdev; /* mdev = sqrt(E[x^2] - E[x]^2), as ping(8) */
  double p50, p90, p99;       /* nearest-rank percentiles */
  double jitter;              /* mean |difference| of consecutive RTTs; 0 if n < 2 */
} ping_stats_summary;

void ping_stats_init(ping_stats_acc *a);
void ping_stats_free(ping_stats_acc *a);

/* ping_stats_add records one RTT in milliseconds. Returns 0, or -1 when the
 * sample buffer cannot be allocated (the sample still counts for
 * min/avg/max/mdev/jitter). */
int ping_stats_add(ping_stats_acc *a, double rtt_ms);

/* ping_stats_summarize fills |s|. All fields are 0 when no sample exists. */
void ping_stats_summarize(const ping_stats_acc *a, ping_stats_summary *s);

/* ping_stats_percentile returns the nearest-rank |p|-th percentile (0 < p <=
 * 100) of |n| values at |v| (which it sorts in place). */
double ping_stats_percentile(double *v, size_t n, double p);

#endif
