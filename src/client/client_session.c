/* wtping-client's reactions to its WebTransport session (ready, refused,
 * closed, draining, stream data, datagrams) and to the pinger's events
 * (pongs, duplicates, late and lost pings, errors). */
#include <inttypes.h>
#include <stdio.h>

#include "client/client_loop.h"
#include "client/report.h"
#include "common/log.h"
#include "ping/ping_service.h"

/* ------------------------------------------------------------ session events */

#define STALL_PINGS 3 /* lost in a row: an outage worth reporting */

static void ev_lost(void *ud, uint64_t count) {
  client *c = ud;
  c->lost_in_row += count;
  if (c->lost_in_row >= STALL_PINGS && !c->stalled && c->state == CS_CONNECTED) {
    c->stalled = true;
    uint64_t since = c->last_pong_ns ? c->last_pong_ns : c->run_start_ns;
    log_notice("outage: %" PRIu64 " pings lost in a row, no pong for %.1f s", c->lost_in_row,
               (double)(client_now_ns() - since) / 1e9);
  }
}

static void ev_pong(void *ud, uint64_t seq, size_t bytes, double ms) {
  client *c = ud;
  uint64_t now = client_now_ns();
  if (c->stalled)
    log_notice("pongs again after %.1f s, %" PRIu64 " pings lost",
               (double)(now - c->last_pong_ns) / 1e9, c->lost_in_row);
  c->stalled = false;
  c->lost_in_row = 0;
  c->last_pong_ns = now;
  c->last_rtt_ms = ms;
  c->have_rtt = true;
  ping_hist_add(&c->hist, ms);
  if (!c->daemon && !c->o.quiet)
    report_pong(stdout, c->o.url.host, c->addr_host, seq, bytes, ms);
}

static void ev_duplicate(void *ud, uint64_t seq) {
  client *c = ud;
  if (!c->daemon && !c->o.quiet)
    printf("pong from %s (%s): seq=%" PRIu64 " (DUP!)\n", c->o.url.host, c->addr_host, seq);
}

static void ev_late(void *ud, uint64_t seq) {
  client *c = ud;
  if (!c->daemon && !c->o.quiet)
    printf("pong from %s (%s): seq=%" PRIu64 " arrived after the timeout (counted lost)\n",
           c->o.url.host, c->addr_host, seq);
}

static void ev_error(void *ud, const char *msg) {
  client *c = ud;
  if (c->state == CS_FINISHING || c->broken)
    return; /* our own close tears the streams down */
  c->broken = true;
  c->broken_fatal = !c->daemon;
  snprintf(c->broken_reason, sizeof(c->broken_reason), "%s", msg);
}

const pinger_events client_pinger_events = {
    .pong = ev_pong,
    .duplicate = ev_duplicate,
    .late = ev_late,
    .lost = ev_lost,
    .error = ev_error,
};

static void app_session_ready(wt_session *ss, void *ud) {
  client *c = ud;
  uint64_t now = client_now_ns();
  c->ss = ss;
  c->state = CS_CONNECTED;
  c->retrying = false;
  c->refused = false;
  c->connect_timer = sd_event_source_disable_unref(c->connect_timer);
  reconnect_connected(&c->rc, now);
  client_targets_connected(c);
  if (c->down_since) {
    uint64_t out = now - c->down_since;
    c->downtime_total += out;
    if (out > c->longest_outage)
      c->longest_outage = out;
    c->down_since = 0;
    log_notice("reconnected to %s after %.3f s", c->addr, (double)out / 1e9);
  } else if (c->daemon) {
    log_notice("connected to %s (%s)", c->addr, c->o.url.authority);
  }
  if (!c->daemon && !c->o.quiet)
    printf("WTPING %s (%s) %s: %s mode, %zu bytes of padding\n", c->o.url.host, c->addr,
           c->o.url.path, c->o.mode == CLIENT_MODE_DATAGRAM ? "datagram" : "stream", c->o.size);
  if (!c->run_start_ns)
    c->run_start_ns = now;
  if (pinger_start(&c->pg, ss, now) == 0)
    pinger_tick(&c->pg, now);
  client_notify_status(c);
}

static void app_session_refused(wt_session *ss, int status, void *ud) {
  client *c = ud;
  c->broken = true;
  c->broken_fatal = true;
  if (status == 0)
    snprintf(c->broken_reason, sizeof(c->broken_reason),
             "no WebTransport support at %s: the server's HTTP/3 SETTINGS do not enable it",
             c->addr);
  else
    snprintf(c->broken_reason, sizeof(c->broken_reason),
             "no WebTransport at https://%s%s: the server answered %d%s", c->o.url.authority,
             c->o.url.path, status,
             status == 404                      ? " (Not Found: wrong path?)"
             : wt_session_bearer_challenge(ss) ? " (it asks for a bearer token: --token-file)"
                                               : "");
}

static void app_session_closed(wt_session *ss, uint32_t code, const uint8_t *reason, size_t len,
                               bool by_peer, void *ud) {
  (void)ss;
  client *c = ud;
  pinger_stop(&c->pg);
  c->ss = NULL;
  if (!by_peer || c->state == CS_FINISHING || c->broken)
    return;
  if (code == PING_CLOSE_GOING_AWAY)
    c->server_draining = true; /* a restart: come back at once */
  c->broken = true;
  c->broken_fatal = false;
  snprintf(c->broken_reason, sizeof(c->broken_reason),
           "the server closed the session: code %" PRIu32 "%s%.*s", code, len ? ", " : "",
           (int)(len > 1024 ? 1024 : len), (const char *)reason);
}

static void app_session_draining(wt_session *ss, void *ud) {
  (void)ss;
  client *c = ud;
  log_info("the server is draining (GOAWAY)");
  c->server_draining = true;
}

static void app_stream_data(wt_session *ss, wt_stream *ws, const uint8_t *data, size_t len,
                            bool fin, void *ud) {
  (void)ss;
  client *c = ud;
  pinger_on_stream_data(&c->pg, ws, data, len, fin, client_now_ns());
}

static void app_stream_reset(wt_session *ss, wt_stream *ws, uint64_t code, void *ud) {
  (void)ss;
  client *c = ud;
  char m[160];
  if (code == WT_CODE_NONE)
    snprintf(m, sizeof(m), "the server reset the ping stream");
  else
    snprintf(m, sizeof(m), "the server reset the ping stream with code %" PRIu64 "%s", code,
             code == 1 ? " (line too long)" : "");
  pinger_on_stream_gone(&c->pg, ws, m);
}

static void app_stream_closed(wt_session *ss, wt_stream *ws, void *ud) {
  (void)ss;
  client *c = ud;
  pinger_on_stream_gone(&c->pg, ws, "the ping stream closed");
}

static void app_datagram(wt_session *ss, const uint8_t *data, size_t len, void *ud) {
  (void)ss;
  client *c = ud;
  pinger_on_datagram(&c->pg, data, len, client_now_ns());
}

const wt_app_ops client_app_ops = {
    .session_ready = app_session_ready,
    .session_refused = app_session_refused,
    .session_closed = app_session_closed,
    .session_draining = app_session_draining,
    .stream_data = app_stream_data,
    .stream_reset = app_stream_reset,
    .stream_closed = app_stream_closed,
    .datagram = app_datagram,
};
