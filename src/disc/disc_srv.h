/* RFC 2782 target selection: SRV records ordered by priority, and within
 * one priority by the weighted random choice of the RFC's "Usage rules".
 * Pure: the randomness comes in as a function, so tests can seed it. */
#ifndef WTPING_DISC_SRV_H
#define WTPING_DISC_SRV_H

#include <stddef.h>
#include <stdint.h>

#define DISC_NAME_MAX 256 /* a DNS name in presentation form, with its NUL */

typedef struct disc_srv_rr {
  uint16_t priority; /* lower is preferred */
  uint16_t weight;   /* relative share among records of one priority */
  uint16_t port;
  char target[DISC_NAME_MAX]; /* host name, no trailing dot */
} disc_srv_rr;

/* disc_rand_fn returns 32 random bits; |ud| is the caller's state. */
typedef uint32_t (*disc_rand_fn)(void *ud);

/* disc_srv_order sorts |rr| (|n| records) into the order in which a client
 * should try them: ascending priority; within a priority, a weighted random
 * permutation (RFC 2782: records of weight 0 first in the candidate list,
 * then repeatedly pick r uniform in [0, sum of remaining weights] and take
 * the first record whose running sum is >= r). Stable for equal input and
 * equal random numbers. */
void disc_srv_order(disc_srv_rr *rr, size_t n, disc_rand_fn rnd, void *ud);

/* disc_srv_unavailable is true when the answer says "this service is
 * decidedly not available here": exactly one record, with target ".". The
 * caller stores "." as the empty target. */
int disc_srv_unavailable(const disc_srv_rr *rr, size_t n);

/* disc_rand_xorshift is a small deterministic generator for tests and for
 * callers that seed it from getrandom(): |state| must not be 0. */
uint32_t disc_rand_xorshift(void *state);

#endif
