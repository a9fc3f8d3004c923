/* A token bucket (see rate.h). */
#include "common/rate.h"

#define NS_PER_S UINT64_C(1000000000)

bool rate_allow(rate_bucket *b, unsigned rate, uint64_t now) {
  if (rate == 0)
    return true;
  uint64_t full = (uint64_t)rate * 1000;
  if (!b->started) {
    b->started = true;
    b->tokens_m = full;
    b->last_ns = now;
  } else if (now > b->last_ns) {
    uint64_t dt = now - b->last_ns;
    /* dt < 1e9 and rate < 2^32: the product fits in 64 bits */
    uint64_t add = dt >= NS_PER_S ? full : dt * rate / (NS_PER_S / 1000);
    b->tokens_m = b->tokens_m + add > full ? full : b->tokens_m + add;
    b->last_ns = now;
  }
  if (b->tokens_m < 1000)
    return false;
  b->tokens_m -= 1000;
  return true;
}
