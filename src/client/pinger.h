/* The client's ping loop on one WebTransport session, sans-I/O: decides
 * when pings go out (time is a parameter), matches pongs through
 * ping_track, keeps the RTT statistics, and reports each event through
 * callbacks. Stream mode uses one bidirectional stream; datagram mode
 * HTTP datagrams. */
#ifndef WTPING_PINGER_H
#define WTPING_PINGER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ping/ping_line.h"
#include "ping/ping_stats.h"
#include "ping/ping_track.h"
#include "wt/wt_conn.h"

typedef struct pinger_config {
  bool datagram;
  size_t pad;
  uint64_t count;       /* 0: no limit */
  uint64_t interval_ns; /* 0: one ping in flight at a time */
  uint64_t timeout_ns;
} pinger_config;

typedef struct pinger_events {
  void (*pong)(void *ud, uint64_t seq, size_t bytes, double rtt_ms);
  void (*duplicate)(void *ud, uint64_t seq);
  void (*late)(void *ud, uint64_t seq);
  void (*lost)(void *ud, uint64_t count); /* pings that just timed out */
  /* fatal: the run cannot go on (message for a person) */
  void (*error)(void *ud, const char *msg);
} pinger_events;

typedef struct pinger {
  pinger_config cfg;
  const pinger_events *ev;
  void *ud;
  wt_session *ss;
  wt_stream *stream;
  ping_track track;
  ping_stats_acc stats;
  ping_lines lines;
  uint8_t *msg; /* one outgoing message */
  size_t msgcap;
  uint64_t next_send;
  uint64_t unknown; /* replies that were not a pong of ours */
  bool started, failed;
} pinger;

/* pinger_init prepares a pinger. Returns 0 or -1 (no memory). */
int pinger_init(pinger *p, const pinger_config *cfg, const pinger_events *ev, void *ud);
void pinger_free(pinger *p);

/* pinger_reconfigure changes the settings (reload); counters stay.
 * Returns 0 or -1 (no memory; nothing changed). */
int pinger_reconfigure(pinger *p, const pinger_config *cfg);

/* pinger_start begins pinging on |ss| at |now|. Returns 0, or -1 after
 * reporting an error (e.g. the padding does not fit a datagram). */
int pinger_start(pinger *p, wt_session *ss, uint64_t now);

/* pinger_stop forgets the session (it closed); counters stay. */
void pinger_stop(pinger *p);

/* pinger_tick sends the pings that are due and expires timed-out ones. */
void pinger_tick(pinger *p, uint64_t now);

/* pinger_next_event returns when pinger_tick must run next (UINT64_MAX:
 * nothing scheduled). */
uint64_t pinger_next_event(const pinger *p);

/* pinger_done returns true when --count pings were sent and each one was
 * answered or lost. */
bool pinger_done(const pinger *p);

/* Input from the session (wt_app_ops callbacks forward here). */
void pinger_on_stream_data(pinger *p, wt_stream *ws, const uint8_t *data, size_t len, bool fin,
                           uint64_t now);
void pinger_on_datagram(pinger *p, const uint8_t *data, size_t len, uint64_t now);
void pinger_on_stream_gone(pinger *p, wt_stream *ws, const char *why);

#endif
