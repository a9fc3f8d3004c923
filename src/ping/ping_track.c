/* Matching pongs to pings over a window of sequence numbers. */
#include "ping/ping_track.h"

#include <stdlib.h>

/*
 * Per-slot states.  Slot seq % PING_TRACK_WINDOW describes |seq| for every
 * seq in [next_seq - PING_TRACK_WINDOW, next_seq); sent_ns is meaningful
 * only while a slot is PING_SLOT_IN_FLIGHT (a ping sent at time 0 is
 * valid).
 */
/* PING_SLOT_UNUSED: never used. */
#define PING_SLOT_UNUSED 0
/* PING_SLOT_IN_FLIGHT: sent, neither answered nor lost. */
#define PING_SLOT_IN_FLIGHT 1
/* PING_SLOT_ANSWERED: answered in time. */
#define PING_SLOT_ANSWERED 2
/* PING_SLOT_LOST: lost (timed out or pushed out of the window), no reply
   yet. */
#define PING_SLOT_LOST 3
/* PING_SLOT_LOST_ANSWERED: lost, then a late reply arrived. */
#define PING_SLOT_LOST_ANSWERED 4

/*
 * Invariant: next_seq - PING_TRACK_WINDOW <= oldest <= next_seq (the lower
 * bound once next_seq >= PING_TRACK_WINDOW), every seq below |oldest| is
 * finished or forgotten, and |oldest| is either next_seq or in flight.
 * |oldest| only moves forward, so keeping this is amortized O(1) per ping.
 */

static size_t slot_of(uint64_t seq) { return (size_t)(seq % PING_TRACK_WINDOW); }

/*
 * elapsed returns |now| - |then|, or 0 if the clock went backwards.
 */
static uint64_t elapsed(uint64_t now, uint64_t then) { return now >= then ? now - then : 0; }

/*
 * advance_oldest moves |t->oldest| past the finished pings at the front of
 * the window.
 */
static void advance_oldest(ping_track *t) {
  while (t->oldest < t->next_seq && t->state[slot_of(t->oldest)] != PING_SLOT_IN_FLIGHT) {
    ++t->oldest;
  }
}

/*
 * mark_lost marks the in-flight ping in |slot| as lost.
 */
static void mark_lost(ping_track *t, size_t slot) {
  t->state[slot] = PING_SLOT_LOST;
  ++t->lost;
}

int ping_track_init(ping_track *t, uint64_t timeout_ns) {
  t->timeout_ns = timeout_ns;
  t->next_seq = 0;
  t->oldest = 0;
  t->transmitted = 0;
  t->received = 0;
  t->lost = 0;
  t->duplicates = 0;
  t->late = 0;

  t->sent_ns = calloc(PING_TRACK_WINDOW, sizeof(t->sent_ns[0]));
  t->state = calloc(PING_TRACK_WINDOW, sizeof(t->state[0]));
  if (t->sent_ns == NULL || t->state == NULL) {
    free(t->sent_ns);
    free(t->state);
    t->sent_ns = NULL;
    t->state = NULL;
    return -1;
  }

  return 0;
}

void ping_track_free(ping_track *t) {
  free(t->sent_ns);
  free(t->state);
  t->sent_ns = NULL;
  t->state = NULL;
}

uint64_t ping_track_send(ping_track *t, uint64_t now) {
  uint64_t seq = t->next_seq;
  size_t slot = slot_of(seq);

  /* The window wrapped: seq - PING_TRACK_WINDOW is forgotten now.  If it
     was still in flight it is lost, and |oldest| must move past it before
     its slot is reused. */
  if (t->state[slot] == PING_SLOT_IN_FLIGHT) {
    mark_lost(t, slot);
    advance_oldest(t);
  }

  t->state[slot] = PING_SLOT_IN_FLIGHT;
  t->sent_ns[slot] = now;
  ++t->next_seq;
  ++t->transmitted;

  /* |oldest| is now either an earlier ping in flight or |seq|. */

  return seq;
}

ping_reply_kind ping_track_reply(ping_track *t, uint64_t seq, uint64_t now, uint64_t *rtt_ns) {
  size_t slot;
  uint64_t rtt;

  if (rtt_ns) {
    *rtt_ns = 0;
  }

  if (seq >= t->next_seq ||
      (t->next_seq > PING_TRACK_WINDOW && seq < t->next_seq - PING_TRACK_WINDOW)) {
    return PING_REPLY_UNKNOWN;
  }

  slot = slot_of(seq);

  switch (t->state[slot]) {
  case PING_SLOT_IN_FLIGHT:
    rtt = elapsed(now, t->sent_ns[slot]);
    if (rtt <= t->timeout_ns) {
      t->state[slot] = PING_SLOT_ANSWERED;
      ++t->received;
      if (rtt_ns) {
        *rtt_ns = rtt;
      }
      advance_oldest(t);
      return PING_REPLY_OK;
    }

    /* Timed out but not expired yet: it is lost, and this reply late. */
    mark_lost(t, slot);
    t->state[slot] = PING_SLOT_LOST_ANSWERED;
    ++t->late;
    advance_oldest(t);
    return PING_REPLY_LATE;
  case PING_SLOT_LOST:
    t->state[slot] = PING_SLOT_LOST_ANSWERED;
    ++t->late;
    return PING_REPLY_LATE;
  case PING_SLOT_ANSWERED:
  case PING_SLOT_LOST_ANSWERED:
    ++t->duplicates;
    return PING_REPLY_DUPLICATE;
  default:
    /* Unreachable: every seq in the window was sent. */
    return PING_REPLY_UNKNOWN;
  }
}

size_t ping_track_expire(ping_track *t, uint64_t now) {
  size_t n = 0;
  size_t slot;

  /* By the invariant |oldest| is in flight; send times are monotonic, so
     the first ping still in time ends the walk. */
  while (t->oldest < t->next_seq) {
    slot = slot_of(t->oldest);
    if (now < t->sent_ns[slot] || now - t->sent_ns[slot] < t->timeout_ns) {
      break;
    }

    mark_lost(t, slot);
    ++n;
    ++t->oldest;
    advance_oldest(t);
  }

  return n;
}

uint64_t ping_track_next_deadline(const ping_track *t) {
  uint64_t sent;

  if (t->oldest >= t->next_seq) {
    return UINT64_MAX;
  }

  sent = t->sent_ns[slot_of(t->oldest)];
  if (t->timeout_ns > UINT64_MAX - sent) {
    return UINT64_MAX;
  }

  return sent + t->timeout_ns;
}

uint64_t ping_track_outstanding(const ping_track *t) {
  return t->transmitted - t->received - t->lost;
}
