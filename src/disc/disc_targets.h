/* Target bookkeeping for a client that can be told its servers or find
 * them: which servers are known (configured, DNS SRV, mDNS), without
 * duplicates and up to a cap, which one to try next, and how long a target
 * that failed is passed over (a hold that doubles with each consecutive
 * failure). Sans-I/O: time comes in as a parameter. */
#ifndef WTPING_DISC_TARGETS_H
#define WTPING_DISC_TARGETS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "disc/disc_found.h"

#define DISC_TARGETS_MAX 64

typedef struct disc_target {
  disc_found f;         /* as the first source that found it reported it */
  unsigned sources;     /* bit (1 << disc_source) per source that reports it */
  char src_name[DISC_NSOURCES][DISC_NAME_MAX]; /* the name each source gives it */
  uint64_t order;       /* within its source: the source's preference order */
  uint64_t seen_ns;     /* when a source last reported it */
  unsigned failures;    /* consecutive failures */
  uint64_t hold_until;  /* not picked before this (0: not held) */
} disc_target;

typedef struct disc_targets {
  disc_target t[DISC_TARGETS_MAX];
  size_t n;
  size_t cap;           /* at most this many targets are kept */
  uint64_t hold_base_ns, hold_max_ns;
  uint64_t seq;         /* discovery order for sources without their own */
  uint64_t dropped;     /* reports not kept because of the cap */
} disc_targets;

/* disc_targets_init empties |ts|: keep at most |cap| targets (clamped to
 * 1..DISC_TARGETS_MAX); a failed target is held |hold_base_ns| after its
 * first failure, doubling per consecutive failure up to |hold_max_ns|. */
void disc_targets_init(disc_targets *ts, size_t cap, uint64_t hold_base_ns, uint64_t hold_max_ns);

/* disc_targets_same: are |a| and |b| the same server? The same numeric
 * address and port when both are resolved, else the same host name
 * (case-insensitive) and port; the path must be equal too. */
bool disc_targets_same(const disc_found *a, const disc_found *b);

/* disc_targets_add records that |f| was found at |now|, |order| being its
 * place in its source's preference (lower first). A server already known
 * (disc_targets_same) is updated, keeping its failure history. Returns its
 * index, or -1 when it is new and the cap is reached (counted in
 * |dropped|). */
int disc_targets_add(disc_targets *ts, const disc_found *f, uint64_t order, uint64_t now);

/* disc_targets_add_next is disc_targets_add with the next discovery
 * sequence number as |order| (mDNS: first found, first preferred). */
int disc_targets_add_next(disc_targets *ts, const disc_found *f, uint64_t now);

/* disc_targets_replace makes |found| (|n| entries, in preference order) the
 * complete answer of source |src|: entries are added in that order and
 * targets that only |src| reported and that are missing from |found| are
 * removed. Returns the number of entries not kept because of the cap. */
size_t disc_targets_replace(disc_targets *ts, disc_source src, const disc_found *found, size_t n,
                            uint64_t now);

/* disc_targets_remove: source |src| no longer reports the target named
 * |name| (an mDNS "remove"). It is dropped once no source reports it.
 * Returns true when a target was dropped. */
bool disc_targets_remove(disc_targets *ts, disc_source src, const char *name);

/* disc_targets_better_than: does target |a| come before |b|? Configured
 * targets first, then DNS SRV, then mDNS; within a source its order. */
bool disc_targets_better_than(const disc_target *a, const disc_target *b);

/* disc_targets_pick returns the index of the best target not held at
 * |now|, or -1. With -1 and targets present, |*wait_until| (if not NULL) is
 * when the first hold ends; with no targets it is UINT64_MAX. */
int disc_targets_pick(const disc_targets *ts, uint64_t now, uint64_t *wait_until);

/* disc_targets_failed: an attempt on target |i| failed (or its connection
 * was lost) at |now|: it is held, longer with each consecutive failure. */
void disc_targets_failed(disc_targets *ts, size_t i, uint64_t now);

/* disc_targets_connected: target |i| works: its failures are forgotten. */
void disc_targets_connected(disc_targets *ts, size_t i);

/* disc_targets_find returns the index of the target the same as |f|
 * (disc_targets_same, or for mDNS the same service instance name), or -1. */
int disc_targets_find(const disc_targets *ts, const disc_found *f);

#endif
