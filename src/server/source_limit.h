/* Per-source admission limits for new QUIC connections: how many
 * connections one source may hold at once and how many handshakes it may
 * start per second. A source is an IPv4 address or an IPv6 /64 (one
 * customer's LAN usually; an attacker owning a /64 gets one share).
 *
 * A fixed table, consulted for new connections only (never per packet):
 * open addressing with a keyed hash (random key from the caller) and a
 * bounded probe window, so the cost per Initial is bounded and an attacker
 * cannot aim at a slot; no allocation after init. Pure: time comes in as a
 * parameter. */
#ifndef WTPING_SOURCE_LIMIT_H
#define WTPING_SOURCE_LIMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

typedef struct source_key {
  uint8_t b[9]; /* b[0]: 4 or 6; then the IPv4 address or the IPv6 /64 */
} source_key;

typedef struct source_entry {
  source_key key;
  unsigned conns;      /* open connections from this source */
  uint64_t tokens_m;   /* handshake tokens, in thousandths */
  uint64_t last_ns;    /* last refill */
  bool used;
} source_entry;

#define SOURCE_LIMIT_PROBE 32 /* slots looked at per lookup */

typedef struct source_limit {
  source_entry *e;
  size_t cap;
  uint64_t k0, k1;      /* hash key */
  unsigned max_conns;   /* per source; 0: no limit */
  unsigned hs_per_sec;  /* per source; 0: no limit */
} source_limit;

typedef enum source_verdict {
  SOURCE_OK = 0,
  SOURCE_TOO_MANY_CONNS, /* the source holds max_conns already */
  SOURCE_TOO_FAST,       /* more than hs_per_sec handshakes this second */
  SOURCE_TABLE_FULL,     /* the source's slots are busy: refuse (fail closed) */
} source_verdict;

/* source_key_from_addr fills |k| for |sa| (AF_INET, AF_INET6; a v4-mapped
 * IPv6 address counts as IPv4). Returns 0, or -1 for another family. */
int source_key_from_addr(const struct sockaddr *sa, source_key *k);

/* source_limit_init allocates room for |cap| sources (use about twice the
 * sources expected at once) hashed with the random 16-byte |key|. Returns 0
 * or -1. */
int source_limit_init(source_limit *sl, size_t cap, const uint8_t key[16], unsigned max_conns,
                      unsigned hs_per_sec);
void source_limit_free(source_limit *sl);

/* source_limit_set changes the limits (on reload); counts are kept. */
void source_limit_set(source_limit *sl, unsigned max_conns, unsigned hs_per_sec);

/* source_limit_admit decides on a new connection from |k| at |now_ns|. On
 * SOURCE_OK the connection is counted (call source_limit_release when it
 * ends) and a handshake token spent. */
source_verdict source_limit_admit(source_limit *sl, const source_key *k, uint64_t now_ns);

/* source_limit_release ends one connection of |k|. */
void source_limit_release(source_limit *sl, const source_key *k);

/* source_limit_conns returns the open connections counted for |k|. */
unsigned source_limit_conns(const source_limit *sl, const source_key *k);

/* source_verdict_str names a verdict for logs and counters. */
const char *source_verdict_str(source_verdict v);

#endif
