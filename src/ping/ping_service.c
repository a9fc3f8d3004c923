#include "ping/ping_service.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "common/addr.h"
#include "common/log.h"
#include "ping/ping_line.h"
#include "wt/wt_capsule.h"

/* Per WebTransport stream state. For a client unidirectional stream, |peer|
 * is the server-opened stream that carries its replies (and that stream's
 * state points back through |peer| too). */
typedef struct ping_stream {
  ping_lines lines;
  wt_stream *ws;
  struct ping_stream *peer;
  bool is_reply; /* a server-opened reply stream: no input */
  bool failed;
} ping_stream;

static void session_peer(wt_session *ss, char *buf, size_t cap) {
  addr_format(wt_session_peer_addr(ss), buf, cap);
}

static void count_ping(wt_session *ss) {
  ping_session *p = wt_session_get_app(ss);
  if (p)
    p->pings++;
}

uint64_t ping_service_session_pings(const wt_session *ss) {
  const ping_session *p = wt_session_get_app(ss);
  return p ? p->pings : 0;
}

static void on_session_ready(wt_session *ss, void *ud) {
  ping_service *ps = ud;
  wt_session_set_app(ss, calloc(1, sizeof(ping_session))); /* NULL: no per-session count */
  ps->st.sessions_total++;
  ps->st.sessions_now++;
  char peer[ADDR_STRLEN];
  session_peer(ss, peer, sizeof(peer));
  log_info("session %" PRIu64 " from %s open", wt_session_id(ss), peer);
}

/* printable copies |reason| for a log line: printable ASCII as is, quotes
 * and backslashes escaped, anything else as \xNN. */
static void printable(const uint8_t *s, size_t len, char *out, size_t cap) {
  size_t o = 0;
  for (size_t i = 0; i < len && o + 5 < cap; i++) {
    uint8_t c = s[i];
    if (c == '"' || c == '\\') {
      out[o++] = '\\';
      out[o++] = (char)c;
    } else if (c >= 0x20 && c < 0x7f) {
      out[o++] = (char)c;
    } else {
      o += (size_t)snprintf(out + o, cap - o, "\\x%02x", c);
    }
  }
  out[o] = '\0';
}

static void on_session_closed(wt_session *ss, uint32_t code, const uint8_t *reason, size_t len,
                              bool by_peer, void *ud) {
  ping_service *ps = ud;
  ps->st.sessions_now--;
  char peer[ADDR_STRLEN], r[4 * WT_CLOSE_REASON_MAX + 1];
  session_peer(ss, peer, sizeof(peer));
  printable(reason, len, r, sizeof(r));
  log_info("session %" PRIu64 " from %s closed by %s: code=%" PRIu32 " reason=\"%s\"",
           wt_session_id(ss), peer, by_peer ? "peer" : "server", code, r);
  free(wt_session_get_app(ss));
  wt_session_set_app(ss, NULL);
}

static ping_stream *pstream_new(wt_stream *ws) {
  ping_stream *p = calloc(1, sizeof(*p));
  if (!p)
    return NULL;
  ping_lines_init(&p->lines);
  p->ws = ws;
  wt_stream_set_app(ws, p);
  return p;
}

static void on_stream_open(wt_session *ss, wt_stream *ws, void *ud) {
  (void)ss;
  (void)ud;
  if (!pstream_new(ws))
    wt_stream_reset(ws, PING_ERR_INTERNAL);
}

static void stream_fail(ping_service *ps, ping_stream *p, uint32_t code) {
  if (p->failed)
    return;
  p->failed = true;
  ps->st.streams_reset++;
  wt_stream_reset(p->ws, code);
  if (p->peer)
    wt_stream_reset(p->peer->ws, code);
}

struct line_ctx {
  ping_service *ps;
  wt_session *ss;
  ping_stream *p;
};

/* reply_stream returns where replies to |p| go: the stream itself, or for a
 * client unidirectional stream a server-opened unidirectional stream. */
static wt_stream *reply_stream(struct line_ctx *c) {
  ping_stream *p = c->p;
  if (wt_stream_is_bidi(p->ws))
    return p->ws;
  if (p->peer)
    return p->peer->ws;
  wt_stream *out = wt_session_open_stream(c->ss, false);
  if (!out)
    return NULL;
  ping_stream *q = pstream_new(out);
  if (!q) {
    wt_stream_reset(out, PING_ERR_INTERNAL);
    return NULL;
  }
  q->is_reply = true;
  q->peer = p;
  p->peer = q;
  return out;
}

static bool is_ping(const uint8_t *line, size_t len) {
  return len >= 4 && memcmp(line, "ping", 4) == 0 && (len == 4 || line[4] == ' ');
}

static int on_line(void *ud, const uint8_t *line, size_t len) {
  struct line_ctx *c = ud;
  wt_stream *out = reply_stream(c);
  if (!out)
    return PING_ERR_INTERNAL;
  size_t n = ping_reply_len(line, len);
  if (n > wt_stream_send_room(out))
    return PING_ERR_INTERNAL; /* the peer does not read its replies */
  uint8_t small[512];
  uint8_t *buf = n <= sizeof(small) ? small : malloc(n);
  if (!buf)
    return PING_ERR_INTERNAL;
  ping_reply_write(line, len, buf, n);
  int rv = wt_stream_send(out, buf, n, false);
  if (buf != small)
    free(buf);
  if (rv != 0)
    return PING_ERR_INTERNAL;
  if (is_ping(line, len)) {
    c->ps->st.stream_pings++;
    count_ping(c->ss);
  }
  else
    c->ps->st.unknown_lines++;
  return 0;
}

static void on_stream_data(wt_session *ss, wt_stream *ws, const uint8_t *data, size_t len, bool fin,
                           void *ud) {
  ping_service *ps = ud;
  ping_stream *p = wt_stream_get_app(ws);
  if (!p || p->failed || p->is_reply)
    return;
  struct line_ctx c = {ps, ss, p};
  if (len) {
    int rv = ping_lines_feed(&p->lines, data, len, on_line, &c);
    if (rv != 0) {
      stream_fail(ps, p, rv == PING_LINES_TOO_LONG ? PING_ERR_LINE_TOO_LONG : PING_ERR_INTERNAL);
      return;
    }
  }
  if (fin) {
    /* An unterminated last line is answered too: FIN ends the line. */
    if (ping_lines_pending(&p->lines) > 0) {
      if (on_line(&c, p->lines.buf, p->lines.len) != 0) {
        stream_fail(ps, p, PING_ERR_INTERNAL);
        return;
      }
      p->lines.len = 0;
    }
    if (wt_stream_is_bidi(ws))
      wt_stream_send(ws, NULL, 0, true);
    else if (p->peer)
      wt_stream_send(p->peer->ws, NULL, 0, true);
  }
}

static void on_stream_reset(wt_session *ss, wt_stream *ws, uint64_t code, void *ud) {
  (void)ss;
  (void)code;
  (void)ud;
  ping_stream *p = wt_stream_get_app(ws);
  if (p && p->peer && !p->failed) {
    /* the client gave up on its uni stream: so do its replies */
    p->failed = true;
    wt_stream_reset(p->peer->ws, PING_ERR_INTERNAL);
  }
}

static void on_stream_closed(wt_session *ss, wt_stream *ws, void *ud) {
  (void)ss;
  (void)ud;
  ping_stream *p = wt_stream_get_app(ws);
  if (!p)
    return;
  if (p->peer)
    p->peer->peer = NULL;
  ping_lines_free(&p->lines);
  free(p);
  wt_stream_set_app(ws, NULL);
}

static void on_datagram(wt_session *ss, const uint8_t *data, size_t len, void *ud) {
  ping_service *ps = ud;
  ping_session *pss = wt_session_get_app(ss);
  /* each datagram costs a reply: a session gets at most its share */
  if (pss && !rate_allow(&pss->datagrams, ps->datagrams_per_second, ps->now_ns)) {
    ps->st.datagrams_rate_limited++;
    return;
  }
  uint8_t out[1500];
  long n = ping_datagram_reply(data, len, out, sizeof(out));
  if (n < 0 || wt_session_send_datagram(ss, out, (size_t)n) != 0) {
    ps->st.datagrams_dropped++;
    return;
  }
  ps->st.datagram_pings++;
  count_ping(ss);
}

static const wt_app_ops ops = {
    .session_ready = on_session_ready,
    .session_closed = on_session_closed,
    .stream_open = on_stream_open,
    .stream_data = on_stream_data,
    .stream_reset = on_stream_reset,
    .stream_closed = on_stream_closed,
    .datagram = on_datagram,
};

const wt_app_ops *ping_service_ops(void) { return &ops; }
