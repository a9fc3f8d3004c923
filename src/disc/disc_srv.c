#include "disc/disc_srv.h"

#include <string.h>

uint32_t disc_rand_xorshift(void *state) {
  uint64_t *s = state;
  uint64_t x = *s ? *s : 0x9e3779b97f4a7c15ull;
  x ^= x << 13;
  x ^= x >> 7;
  x ^= x << 17;
  *s = x;
  return (uint32_t)(x >> 32);
}

int disc_srv_unavailable(const disc_srv_rr *rr, size_t n) {
  return n == 1 && rr[0].target[0] == '\0';
}

/* sort_by_priority: insertion sort (stable; answers are small). */
static void sort_by_priority(disc_srv_rr *rr, size_t n) {
  for (size_t i = 1; i < n; i++) {
    disc_srv_rr t = rr[i];
    size_t j = i;
    while (j > 0 && rr[j - 1].priority > t.priority) {
      rr[j] = rr[j - 1];
      j--;
    }
    rr[j] = t;
  }
}

/* zero_weights_first moves the weight-0 records of rr[0..n) to its front,
 * keeping their order and that of the others. */
static void zero_weights_first(disc_srv_rr *rr, size_t n) {
  size_t z = 0;
  for (size_t i = 0; i < n; i++) {
    if (rr[i].weight != 0)
      continue;
    disc_srv_rr t = rr[i];
    memmove(&rr[z + 1], &rr[z], (i - z) * sizeof(*rr));
    rr[z++] = t;
  }
}

/* weighted_permutation orders one priority group rr[0..n) in place. */
static void weighted_permutation(disc_srv_rr *rr, size_t n, disc_rand_fn rnd, void *ud) {
  zero_weights_first(rr, n);
  for (size_t done = 0; done + 1 < n; done++) {
    uint64_t sum = 0;
    for (size_t i = done; i < n; i++)
      sum += rr[i].weight;
    /* uniform in [0, sum] (64 random bits: the modulo bias is negligible) */
    uint64_t r = ((uint64_t)rnd(ud) << 32 | rnd(ud)) % (sum + 1);
    size_t pick = done;
    uint64_t running = 0;
    for (size_t i = done; i < n; i++) {
      running += rr[i].weight;
      if (running >= r) {
        pick = i;
        break;
      }
    }
    disc_srv_rr t = rr[pick];
    memmove(&rr[done + 1], &rr[done], (pick - done) * sizeof(*rr));
    rr[done] = t;
  }
}

void disc_srv_order(disc_srv_rr *rr, size_t n, disc_rand_fn rnd, void *ud) {
  sort_by_priority(rr, n);
  for (size_t i = 0; i < n;) {
    size_t j = i + 1;
    while (j < n && rr[j].priority == rr[i].priority)
      j++;
    weighted_permutation(&rr[i], j - i, rnd, ud);
    i = j;
  }
}
