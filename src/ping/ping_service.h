/* The server side of the wtping protocol (docs/protocol.md) on top of
 * WebTransport sessions: answers line pings on bidirectional streams, on
 * unidirectional streams (replies on one server-opened unidirectional stream
 * per client stream) and datagram pings; counts everything. */
#ifndef WTPING_PING_SERVICE_H
#define WTPING_PING_SERVICE_H

#include <stdint.h>

#include "common/rate.h"
#include "wt/wt_session.h"

typedef struct ping_stats {
  uint64_t sessions_total;
  uint64_t sessions_now;
  uint64_t stream_pings;   /* answered lines "ping ..." on streams */
  uint64_t datagram_pings; /* answered datagrams */
  uint64_t unknown_lines;  /* answered with "error unknown-message" */
  uint64_t datagrams_dropped; /* not a ping, or the reply could not be queued */
  uint64_t streams_reset;  /* line too long, reply queue overflow */
  uint64_t datagrams_rate_limited; /* over datagrams_per_second in a session */
} ping_stats;

typedef struct ping_service {
  ping_stats st;
  unsigned datagrams_per_second; /* per session; 0 = no limit */
  uint64_t now_ns; /* set by the program before it feeds packets in */
} ping_service;

/* CLOSE_WEBTRANSPORT_SESSION codes the server sends. */
#define PING_CLOSE_DONE 0
#define PING_CLOSE_GOING_AWAY 1 /* shutdown or restart: reconnect at once, no backoff */

/* Per-session state (the session's application pointer). */
typedef struct ping_session {
  uint64_t pings; /* stream and datagram pings answered */
  rate_bucket datagrams; /* datagrams_per_second */
} ping_session;

/* ping_service_session_pings returns the pings answered in |ss|. */
uint64_t ping_service_session_pings(const wt_session *ss);

/* ping_service_ops returns the callbacks to pass to wt_conn_new with a
 * ping_service as user data. */
const wt_app_ops *ping_service_ops(void);

#endif
