/* Per-source admission limits (see source_limit.h). */
#include "server/source_limit.h"

#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#define NS_PER_S UINT64_C(1000000000)

int source_key_from_addr(const struct sockaddr *sa, source_key *k) {
  memset(k, 0, sizeof(*k));
  if (sa->sa_family == AF_INET) {
    k->b[0] = 4;
    memcpy(k->b + 1, &((const struct sockaddr_in *)sa)->sin_addr, 4);
    return 0;
  }
  if (sa->sa_family == AF_INET6) {
    const struct in6_addr *a = &((const struct sockaddr_in6 *)sa)->sin6_addr;
    if (IN6_IS_ADDR_V4MAPPED(a)) {
      k->b[0] = 4;
      memcpy(k->b + 1, a->s6_addr + 12, 4);
    } else {
      k->b[0] = 6;
      memcpy(k->b + 1, a->s6_addr, 8); /* the /64 */
    }
    return 0;
  }
  return -1;
}

int source_limit_init(source_limit *sl, size_t cap, const uint8_t key[16], unsigned max_conns,
                      unsigned hs_per_sec) {
  memset(sl, 0, sizeof(*sl));
  memcpy(&sl->k0, key, 8);
  memcpy(&sl->k1, key + 8, 8);
  sl->e = calloc(cap ? cap : 1, sizeof(*sl->e));
  if (!sl->e)
    return -1;
  sl->cap = cap ? cap : 1;
  source_limit_set(sl, max_conns, hs_per_sec);
  return 0;
}

void source_limit_free(source_limit *sl) {
  free(sl->e);
  sl->e = NULL;
  sl->cap = 0;
}

void source_limit_set(source_limit *sl, unsigned max_conns, unsigned hs_per_sec) {
  sl->max_conns = max_conns;
  sl->hs_per_sec = hs_per_sec;
}

/* refill adds the tokens earned since e->last_ns (burst: one second's). */
static void refill(const source_limit *sl, source_entry *e, uint64_t now) {
  uint64_t full = (uint64_t)sl->hs_per_sec * 1000;
  if (now <= e->last_ns)
    return; /* no time passed (or the clock stepped back): nothing earned */
  uint64_t dt = now - e->last_ns;
  if (dt >= NS_PER_S) {
    e->tokens_m = full;
  } else {
    /* dt < 1e9 and hs_per_sec < 2^32: the product fits in 64 bits */
    uint64_t add = dt * sl->hs_per_sec / (NS_PER_S / 1000);
    e->tokens_m = e->tokens_m + add > full ? full : e->tokens_m + add;
  }
  e->last_ns = now;
}

/* idle returns true if |e| holds nothing worth keeping at |now|: no
 * connection and a bucket that would be full again. */
static bool idle(const source_entry *e, uint64_t now) {
  return !e->used || (e->conns == 0 && now >= e->last_ns && now - e->last_ns >= NS_PER_S);
}

/* mix: a keyed 64-bit hash of a key (multiply-xorshift rounds). */
static uint64_t mix(const source_limit *sl, const source_key *k) {
  uint64_t a, b = 0;
  memcpy(&a, k->b, 8);
  b = k->b[8];
  uint64_t h = sl->k0 ^ a;
  h *= UINT64_C(0x9e3779b97f4a7c15);
  h ^= h >> 29;
  h ^= sl->k1 ^ (b << 8);
  h *= UINT64_C(0xbf58476d1ce4e5b9);
  h ^= h >> 32;
  h *= UINT64_C(0x94d049bb133111eb);
  h ^= h >> 29;
  return h;
}

static source_entry *find(const source_limit *sl, const source_key *k) {
  size_t start = (size_t)(mix(sl, k) % sl->cap);
  for (size_t i = 0; i < SOURCE_LIMIT_PROBE && i < sl->cap; i++) {
    source_entry *e = &sl->e[(start + i) % sl->cap];
    if (e->used && memcmp(e->key.b, k->b, sizeof(k->b)) == 0)
      return e;
  }
  return NULL;
}

/* slot_for returns an idle slot in |k|'s probe window, or NULL. */
static source_entry *slot_for(const source_limit *sl, const source_key *k, uint64_t now) {
  size_t start = (size_t)(mix(sl, k) % sl->cap);
  for (size_t i = 0; i < SOURCE_LIMIT_PROBE && i < sl->cap; i++) {
    source_entry *e = &sl->e[(start + i) % sl->cap];
    if (idle(e, now))
      return e;
  }
  return NULL;
}

source_verdict source_limit_admit(source_limit *sl, const source_key *k, uint64_t now) {
  source_entry *e = find(sl, k);
  if (!e) {
    e = slot_for(sl, k, now);
    if (!e)
      return SOURCE_TABLE_FULL;
    memset(e, 0, sizeof(*e));
    e->used = true;
    e->key = *k;
    e->tokens_m = (uint64_t)sl->hs_per_sec * 1000;
    e->last_ns = now;
  }
  if (sl->max_conns && e->conns >= sl->max_conns)
    return SOURCE_TOO_MANY_CONNS;
  if (sl->hs_per_sec) {
    refill(sl, e, now);
    if (e->tokens_m < 1000)
      return SOURCE_TOO_FAST;
    e->tokens_m -= 1000;
  }
  e->conns++;
  return SOURCE_OK;
}

void source_limit_release(source_limit *sl, const source_key *k) {
  source_entry *e = find(sl, k);
  if (e && e->conns > 0)
    e->conns--;
}

unsigned source_limit_conns(const source_limit *sl, const source_key *k) {
  const source_entry *e = find(sl, k);
  return e ? e->conns : 0;
}

const char *source_verdict_str(source_verdict v) {
  switch (v) {
  case SOURCE_OK:
    return "ok";
  case SOURCE_TOO_MANY_CONNS:
    return "connections per source";
  case SOURCE_TOO_FAST:
    return "handshakes per second per source";
  case SOURCE_TABLE_FULL:
    return "source table full";
  }
  return "?";
}
