/* A fixed-bucket RTT histogram for Prometheus (docs/control.md). */
#ifndef WTPING_PING_HIST_H
#define WTPING_PING_HIST_H

#include <stddef.h>
#include <stdint.h>

#define PING_HIST_BUCKETS 13 /* finite bounds; one more bucket for +Inf */

extern const double ping_hist_bounds_ms[PING_HIST_BUCKETS];

typedef struct ping_hist {
  uint64_t counts[PING_HIST_BUCKETS + 1]; /* not cumulative; last: above every bound */
  double sum_ms;
  uint64_t count;
} ping_hist;

/* ping_hist_add counts |ms| in the first bucket whose bound is >= |ms|. */
void ping_hist_add(ping_hist *h, double ms);

#endif
