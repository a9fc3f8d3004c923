#include "client/pinger.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ping/ping_msg.h"

int pinger_init(pinger *p, const pinger_config *cfg, const pinger_events *ev, void *ud) {
  memset(p, 0, sizeof(*p));
  p->cfg = *cfg;
  p->ev = ev;
  p->ud = ud;
  ping_stats_init(&p->stats);
  ping_lines_init(&p->lines);
  p->msgcap = PING_MSG_HDR_MAX + cfg->pad + 2;
  p->msg = malloc(p->msgcap);
  if (!p->msg || ping_track_init(&p->track, cfg->timeout_ns) != 0) {
    free(p->msg);
    return -1;
  }
  p->next_send = UINT64_MAX;
  return 0;
}

void pinger_free(pinger *p) {
  ping_track_free(&p->track);
  ping_stats_free(&p->stats);
  ping_lines_free(&p->lines);
  free(p->msg);
  p->msg = NULL;
}

static void fail(pinger *p, const char *msg) {
  if (p->failed)
    return;
  p->failed = true;
  p->next_send = UINT64_MAX;
  if (p->ev->error)
    p->ev->error(p->ud, msg);
}

int pinger_reconfigure(pinger *p, const pinger_config *cfg) {
  size_t cap = PING_MSG_HDR_MAX + cfg->pad + 2;
  uint8_t *m = realloc(p->msg, cap);
  if (!m)
    return -1;
  p->msg = m;
  p->msgcap = cap;
  p->cfg = *cfg;
  p->track.timeout_ns = cfg->timeout_ns;
  return 0;
}

int pinger_start(pinger *p, wt_session *ss, uint64_t now) {
  p->ss = ss;
  p->started = true;
  p->failed = false;
  p->lines.len = 0; /* a partial line of a previous stream means nothing now */
  if (p->cfg.datagram) {
    size_t need = ping_msg_len(UINT64_MAX, UINT64_MAX, p->cfg.pad, false);
    size_t max = wt_session_max_datagram(ss);
    if (max == 0) {
      fail(p, "the server does not accept datagrams");
      return -1;
    }
    if (need > max) {
      char m[160];
      snprintf(m, sizeof(m),
               "-s %zu is too large for a datagram: at most %zu bytes of padding fit one QUIC "
               "packet here",
               p->cfg.pad, max > PING_MSG_HDR_MAX ? max - PING_MSG_HDR_MAX : 0);
      fail(p, m);
      return -1;
    }
  } else {
    p->stream = wt_session_open_stream(ss, true);
    if (!p->stream) {
      fail(p, "cannot open a stream: the server allows none");
      return -1;
    }
  }
  p->next_send = now;
  return 0;
}

void pinger_stop(pinger *p) {
  p->ss = NULL;
  p->stream = NULL;
  p->next_send = UINT64_MAX;
}

static bool more_to_send(const pinger *p) {
  return !p->failed && p->ss && (p->cfg.count == 0 || p->track.transmitted < p->cfg.count);
}

static void expire(pinger *p, uint64_t now) {
  size_t n = ping_track_expire(&p->track, now);
  if (n && p->ev->lost)
    p->ev->lost(p->ud, n);
}

static void send_one(pinger *p, uint64_t now) {
  uint64_t seq = p->track.next_seq;
  size_t n = ping_msg_write(p->msg, p->msgcap, seq, now, p->cfg.pad, !p->cfg.datagram);
  if (n == 0) {
    fail(p, "internal error: ping message does not fit");
    return;
  }
  if (p->cfg.datagram) {
    /* a datagram the QUIC layer drops (queue full) is simply lost */
    (void)wt_session_send_datagram(p->ss, p->msg, n);
  } else if (wt_stream_send(p->stream, p->msg, n, false) != 0) {
    fail(p, "the stream does not accept more data (the server does not read?)");
    return;
  }
  ping_track_send(&p->track, now);
}

void pinger_tick(pinger *p, uint64_t now) {
  expire(p, now);
  while (more_to_send(p) && p->next_send <= now) {
    if (p->cfg.interval_ns == 0) {
      if (ping_track_outstanding(&p->track) > 0)
        break; /* one in flight at a time */
      send_one(p, now);
      p->next_send = now;
      break;
    }
    send_one(p, now);
    p->next_send += p->cfg.interval_ns;
    if (p->next_send < now)
      p->next_send = now + p->cfg.interval_ns; /* we fell behind: do not burst */
  }
}

uint64_t pinger_next_event(const pinger *p) {
  uint64_t t = ping_track_next_deadline(&p->track);
  if (more_to_send(p)) {
    uint64_t s = p->next_send;
    if (p->cfg.interval_ns == 0 && ping_track_outstanding(&p->track) > 0)
      s = UINT64_MAX; /* the reply (or its timeout) triggers the next one */
    if (s < t)
      t = s;
  }
  return t;
}

bool pinger_done(const pinger *p) {
  return p->cfg.count && p->track.transmitted >= p->cfg.count &&
         ping_track_outstanding(&p->track) == 0;
}

static void on_reply(pinger *p, const uint8_t *data, size_t len, size_t bytes, uint64_t now) {
  uint64_t seq, ts, rtt;
  if (ping_msg_parse_pong(data, len, &seq, &ts) != 0) {
    p->unknown++;
    return;
  }
  switch (ping_track_reply(&p->track, seq, now, &rtt)) {
  case PING_REPLY_OK: {
    double ms = (double)rtt / 1e6;
    ping_stats_add(&p->stats, ms);
    if (p->ev->pong)
      p->ev->pong(p->ud, seq, bytes, ms);
    break;
  }
  case PING_REPLY_LATE:
    if (p->ev->late)
      p->ev->late(p->ud, seq);
    break;
  case PING_REPLY_DUPLICATE:
    if (p->ev->duplicate)
      p->ev->duplicate(p->ud, seq);
    break;
  case PING_REPLY_UNKNOWN:
    p->unknown++;
    break;
  }
  if (p->cfg.interval_ns == 0)
    p->next_send = now;
}

struct line_ctx {
  pinger *p;
  uint64_t now;
};

static int on_line(void *ud, const uint8_t *line, size_t len) {
  struct line_ctx *c = ud;
  on_reply(c->p, line, len, len + 1, c->now);
  return 0;
}

void pinger_on_stream_data(pinger *p, wt_stream *ws, const uint8_t *data, size_t len, bool fin,
                           uint64_t now) {
  if (ws != p->stream)
    return;
  struct line_ctx c = {p, now};
  if (len && ping_lines_feed(&p->lines, data, len, on_line, &c) != 0) {
    fail(p, "the server sent a reply line longer than 65536 bytes");
    return;
  }
  if (fin && more_to_send(p))
    fail(p, "the server closed the ping stream");
}

void pinger_on_datagram(pinger *p, const uint8_t *data, size_t len, uint64_t now) {
  on_reply(p, data, len, len, now);
}

void pinger_on_stream_gone(pinger *p, wt_stream *ws, const char *why) {
  if (ws != p->stream)
    return;
  p->stream = NULL;
  if (more_to_send(p) || ping_track_outstanding(&p->track))
    fail(p, why);
}
