#include "ping/ping_hist.h"

const double ping_hist_bounds_ms[PING_HIST_BUCKETS] = {0.1, 0.25, 0.5, 1,   2.5, 5,   10,
                                                       25,  50,   100, 250, 500, 1000};

void ping_hist_add(ping_hist *h, double ms) {
  size_t i = 0;
  while (i < PING_HIST_BUCKETS && ms > ping_hist_bounds_ms[i])
    i++;
  h->counts[i]++;
  h->sum_ms += ms;
  h->count++;
}
