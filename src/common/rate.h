/* A token bucket: at most |rate| events per second, with a burst of one
 * second's worth. Pure: time comes in as a parameter (ns, monotonic). */
#ifndef WTPING_RATE_H
#define WTPING_RATE_H

#include <stdbool.h>
#include <stdint.h>

typedef struct rate_bucket {
  uint64_t tokens_m; /* thousandths of an event */
  uint64_t last_ns;
  bool started;
} rate_bucket;

/* rate_allow spends one token of |b| at |now_ns| if there is one and
 * returns true; false means over the rate. |rate| 0 means no limit. A clock
 * that goes back earns nothing. */
bool rate_allow(rate_bucket *b, unsigned rate, uint64_t now_ns);

#endif
