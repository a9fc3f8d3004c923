/* Matching pongs to pings: a window of outstanding pings by sequence
 * number, with send times, per-ping timeouts, and late / duplicate /
 * unknown replies. Sans-I/O: every call takes "now" (ns, monotonic). */
#ifndef WTPING_PING_TRACK_H
#define WTPING_PING_TRACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Sequence numbers further back than this are forgotten: a reply to one is
 * reported as PING_REPLY_UNKNOWN. */
#define PING_TRACK_WINDOW 65536

typedef enum ping_reply_kind {
  PING_REPLY_OK,        /* first reply in time: |rtt_ns| is valid */
  PING_REPLY_LATE,      /* first reply, after the ping timed out: counted lost */
  PING_REPLY_DUPLICATE, /* a second (or later) reply for the same sequence */
  PING_REPLY_UNKNOWN,   /* never sent, or too old to remember */
} ping_reply_kind;

typedef struct ping_track {
  uint64_t timeout_ns;
  uint64_t next_seq;     /* the next sequence number to send (starts at 0) */
  uint64_t oldest;       /* the oldest sequence still in the window */
  /* ring indexed by seq % PING_TRACK_WINDOW */
  uint64_t *sent_ns;     /* send time, 0 = not in flight */
  uint8_t *state;        /* per-slot state, see ping_track.c */
  uint64_t transmitted, received, lost, duplicates, late;
} ping_track;

/* ping_track_init prepares a tracker with a per-ping |timeout_ns|. Returns 0
 * or -1 (no memory). */
int ping_track_init(ping_track *t, uint64_t timeout_ns);
void ping_track_free(ping_track *t);

/* ping_track_send records that ping |t->next_seq| goes out at |now| and
 * returns its sequence number. */
uint64_t ping_track_send(ping_track *t, uint64_t now);

/* ping_track_reply classifies a reply for |seq| received at |now|; on
 * PING_REPLY_OK, |*rtt_ns| is now - send time. */
ping_reply_kind ping_track_reply(ping_track *t, uint64_t seq, uint64_t now, uint64_t *rtt_ns);

/* ping_track_expire marks every ping sent at or before now - timeout as lost
 * (once each) and returns how many it marked. */
size_t ping_track_expire(ping_track *t, uint64_t now);

/* ping_track_next_deadline returns when the oldest outstanding ping times
 * out, or UINT64_MAX when none is outstanding. */
uint64_t ping_track_next_deadline(const ping_track *t);

/* ping_track_outstanding returns the number of pings neither answered nor
 * lost. */
uint64_t ping_track_outstanding(const ping_track *t);

#endif
