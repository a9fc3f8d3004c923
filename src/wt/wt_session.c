/* One WebTransport session on an HTTP/3 connection: the capsules on its
 * CONNECT stream (CLOSE, DRAIN), its data streams (0x41 / 0x54 preface,
 * payload, resets), its datagrams, and how it ends. wt_conn.c creates
 * sessions and routes what HTTP/3 hands over to them. */
#include "wt/wt_session.h"

#include <stdlib.h>
#include <string.h>

#include "h3/h3_error.h"
#include "quic/quic_conn.h"
#include "wt/wt_capsule.h"
#include "wt/wt_error.h"
#include "wt/wt_internal.h"
#include "wt/wt_stream.h"

enum cp_state { CP_TYPE, CP_LEN, CP_BUFFER, CP_SKIP };

/* ------------------------------------------------------------ sessions */

wt_session *wt_session_new(wt_conn *wc) {
  wt_session *ss = calloc(1, sizeof(*ss));
  if (!ss)
    return NULL;
  ss->wc = wc;
  ss->state = SS_PENDING;
  ss->close_deadline = UINT64_MAX;
  ss->next = wc->sessions;
  wc->sessions = ss;
  wc->nsessions++;
  wc->linger_deadline = UINT64_MAX;
  return ss;
}

wt_session *wt_session_find(wt_conn *wc, uint64_t id) {
  for (wt_session *ss = wc->sessions; ss; ss = ss->next)
    if (ss->id == id)
      return ss;
  return NULL;
}

void wt_session_free_quietly(wt_session *ss) {
  wt_conn *wc = ss->wc;
  for (wt_session **pp = &wc->sessions; *pp; pp = &(*pp)->next)
    if (*pp == ss) {
      *pp = ss->next;
      wc->nsessions--;
      break;
    }
  free(ss->our_reason);
  free(ss->authority);
  free(ss->path);
  free(ss->origin);
  if (ss->authorization) { /* a credential: wiped, not just freed */
    volatile char *v = ss->authorization;
    for (size_t i = 0; v[i]; i++)
      v[i] = 0;
    free(ss->authorization);
  }
  free(ss->buf);
  free(ss);
}

static void session_stream_link(wt_session *ss, wt_stream *ws) {
  ws->ss = ss;
  ws->snext = ss->streams;
  if (ss->streams)
    ss->streams->sprev = ws;
  ss->streams = ws;
}

static void session_stream_unlink(wt_stream *ws) {
  wt_session *ss = ws->ss;
  if (!ss || ws->state != WTS_OPEN)
    return;
  if (ws->sprev)
    ws->sprev->snext = ws->snext;
  else
    ss->streams = ws->snext;
  if (ws->snext)
    ws->snext->sprev = ws->sprev;
  ws->snext = ws->sprev = NULL;
}

/* last_session_ended: a server keeps the connection a little while after its
 * last session, so the FIN that answered the peer is delivered. */
static void last_session_ended(wt_conn *wc) {
  if (!wc->server || wc->nsessions > 0)
    return;
  uint64_t d = 3 * quic_conn_pto(wc->qc);
  if (d < WT_LINGER_MIN_NS)
    d = WT_LINGER_MIN_NS;
  wc->linger_deadline = quic_conn_now(wc->qc) + d;
}

void wt_session_end(wt_session *ss, uint32_t code, const uint8_t *reason, size_t reasonlen,
                    bool by_peer) {
  wt_conn *wc = ss->wc;
  if (ss->state == SS_CLOSED)
    return;
  bool was_open = ss->state == SS_OPEN;
  ss->state = SS_CLOSED;
  if (ss->we_closed) {
    /* report what we said, whatever the peer answered */
    code = ss->our_code;
    reason = (const uint8_t *)(ss->our_reason ? ss->our_reason : "");
    reasonlen = strlen((const char *)reason);
    by_peer = false;
  }
  if (was_open && wc->app->session_closed)
    wc->app->session_closed(ss, code, reason, reasonlen, by_peer, wc->app_ud);
  while (ss->streams) {
    wt_stream *ws = ss->streams;
    session_stream_unlink(ws);
    if (wc->app->stream_closed && was_open)
      wc->app->stream_closed(ss, ws, wc->app_ud);
    ws->app = NULL;
    ws->ss = NULL;
    ws->state = WTS_GONE;
    uint64_t gone = WT_SESSION_GONE;
    if (ws->bidi || ws->local)
      quic_stream_reset(ws->qs, gone, ws->bidi);
    else
      quic_stream_stop_reading(ws->qs, gone);
  }
  h3_stream *cs = ss->connect;
  if (cs) {
    h3_stream_release(cs);
    if (!ss->close_sent)
      quic_stream_send(h3_stream_quic(cs), NULL, 0, true); /* FIN answers the peer */
  }
  wt_session_free_quietly(ss);
  last_session_ended(wc);
}

void wt_session_lost(wt_session *ss) {
  ss->close_sent = true;
  wt_session_end(ss, 0, NULL, 0, true);
}

/* ------------------------------------------------------------ capsules */

static void connect_stream_error(wt_session *ss, uint64_t code) {
  quic_stream_reset(h3_stream_quic(ss->connect), code, true);
  wt_session_lost(ss);
}

static int buf_reserve(wt_session *ss, size_t n) {
  if (ss->bufcap >= n)
    return 0;
  uint8_t *p = realloc(ss->buf, n);
  if (!p)
    return -1;
  ss->buf = p;
  ss->bufcap = n;
  return 0;
}

/* capsule_done acts on a complete capsule. Returns true if the session
 * ended (|ss| is gone). */
static bool capsule_done(wt_session *ss) {
  if (ss->ctype == WT_CAPSULE_CLOSE_SESSION) {
    uint32_t code;
    const uint8_t *reason;
    size_t rlen;
    if (wt_capsule_close_parse(ss->buf, ss->buflen, &code, &reason, &rlen) != 0) {
      connect_stream_error(ss, H3_MESSAGE_ERROR);
      return true;
    }
    ss->close_received = true;
    wt_session_end(ss, code, reason, rlen, !ss->close_sent);
    return true;
  }
  if (ss->ctype == WT_CAPSULE_DRAIN_SESSION) {
    if (ss->state == SS_OPEN && ss->wc->app->session_draining)
      ss->wc->app->session_draining(ss, ss->wc->app_ud);
  }
  return false;
}

int wt_session_capsules(wt_session *ss, const uint8_t *p, size_t len) {
  while (len > 0) {
    size_t used;
    bool done;
    switch (ss->cp) {
    case CP_TYPE:
      used = varint_fill(ss->chdr, &ss->chdrlen, p, len, &ss->ctype, &done);
      if (done) {
        if (ss->close_received) {
          connect_stream_error(ss, H3_MESSAGE_ERROR); /* data after CLOSE */
          return 0;
        }
        ss->cp = CP_LEN;
      }
      break;
    case CP_LEN:
      used = varint_fill(ss->chdr, &ss->chdrlen, p, len, &ss->cleft, &done);
      if (!done)
        break;
      if (ss->ctype == WT_CAPSULE_CLOSE_SESSION) {
        if (ss->cleft > WT_CAPSULE_BUFFER_MAX) {
          connect_stream_error(ss, H3_MESSAGE_ERROR);
          return 0;
        }
        if (buf_reserve(ss, (size_t)ss->cleft ? (size_t)ss->cleft : 1) != 0)
          return h3_conn_error(ss->wc->hc, H3_INTERNAL_ERROR, "out of memory");
        ss->buflen = 0;
        ss->cp = CP_BUFFER;
      } else {
        ss->cp = CP_SKIP; /* DRAIN has no value; GREASE and others skipped */
      }
      if (ss->cleft == 0) {
        ss->buflen = 0;
        ss->cp = CP_TYPE;
        if (capsule_done(ss))
          return 0;
      }
      break;
    case CP_BUFFER:
    case CP_SKIP:
      used = len < ss->cleft ? len : (size_t)ss->cleft;
      if (ss->cp == CP_BUFFER) {
        memcpy(ss->buf + ss->buflen, p, used);
        ss->buflen += used;
      }
      ss->cleft -= used;
      if (ss->cleft == 0) {
        ss->cp = CP_TYPE;
        if (capsule_done(ss))
          return 0;
      }
      break;
    default:
      return h3_conn_error(ss->wc->hc, H3_INTERNAL_ERROR, "capsule parser state");
    }
    p += used;
    len -= used;
  }
  return 0;
}

void wt_session_send_capsule(wt_session *ss, const uint8_t *cap, size_t n, bool fin) {
  if (!ss->connect)
    return;
  h3_stream_send_data(ss->connect, cap, n, fin);
}

/* ------------------------------------------------------------ data streams */

wt_stream *wt_stream_new(wt_conn *wc, h3_stream *hs, uint8_t state) {
  wt_stream *ws = calloc(1, sizeof(*ws));
  if (!ws)
    return NULL;
  ws->wc = wc;
  ws->hs = hs;
  ws->qs = h3_stream_quic(hs);
  ws->id = h3_stream_id(hs);
  ws->state = state;
  ws->bidi = h3_stream_is_bidi(hs);
  ws->local = h3_stream_is_local(hs);
  h3_stream_claim(hs, ws);
  ws->anext = wc->streams;
  if (wc->streams)
    wc->streams->aprev = ws;
  wc->streams = ws;
  return ws;
}

void wt_stream_free(wt_stream *ws) {
  wt_conn *wc = ws->wc;
  if (ws->aprev)
    ws->aprev->anext = ws->anext;
  else
    wc->streams = ws->anext;
  if (ws->anext)
    ws->anext->aprev = ws->aprev;
  free(ws);
}

static void reject_stream(wt_stream *ws, uint64_t code) {
  ws->state = WTS_GONE;
  if (ws->bidi)
    quic_stream_reset(ws->qs, code, true);
  else
    quic_stream_stop_reading(ws->qs, code);
}

static int stream_attach(wt_stream *ws, uint64_t session_id) {
  wt_conn *wc = ws->wc;
  if (!wt_session_id_valid(session_id))
    return h3_conn_error(wc->hc, H3_ID_ERROR, "WebTransport session id is not a request stream");
  wt_session *ss = wt_session_find(wc, session_id);
  if (!ss || ss->state != SS_OPEN) {
    /* A session that is not (or no longer) open: no buffering of early
     * streams; the peer sees WT_BUFFERED_STREAM_REJECTED. */
    reject_stream(ws, ss ? WT_BUFFERED_STREAM_REJECTED : WT_SESSION_GONE);
    return 0;
  }
  ws->state = WTS_OPEN;
  session_stream_link(ss, ws);
  if (wc->app->stream_open)
    wc->app->stream_open(ss, ws, wc->app_ud);
  return 0;
}

int wt_stream_input(wt_stream *ws, const uint8_t *p, size_t len, bool fin) {
  wt_conn *wc = ws->wc;
  while (len > 0 && ws->state == WTS_PREFACE) {
    uint64_t id;
    bool done;
    size_t used = varint_fill(ws->hdr, &ws->hdrlen, p, len, &id, &done);
    p += used;
    len -= used;
    if (done && stream_attach(ws, id) != 0)
      return -1;
  }
  switch (ws->state) {
  case WTS_PREFACE:
    if (fin)
      ws->state = WTS_GONE; /* ended before naming its session */
    return 0;
  case WTS_OPEN:
    if ((len > 0 || fin) && wc->app->stream_data)
      wc->app->stream_data(ws->ss, ws, len > 0 ? p : NULL, len, fin, wc->app_ud);
    return 0;
  default:
    return 0;
  }
}

void wt_stream_closed(wt_stream *ws) {
  wt_conn *wc = ws->wc;
  if (ws->state == WTS_OPEN && ws->ss) {
    wt_session *ss = ws->ss;
    session_stream_unlink(ws);
    if (wc->app->stream_closed)
      wc->app->stream_closed(ss, ws, wc->app_ud);
  }
  wt_stream_free(ws);
}

/* ------------------------------------------------------------ public */

uint64_t wt_session_id(const wt_session *ss) { return ss->id; }
uint64_t wt_session_opened(const wt_session *ss) { return ss->opened; }

bool wt_session_bearer_challenge(const wt_session *ss) { return ss->bearer_challenge; }

wt_session *wt_session_next(wt_session *ss) {
  for (ss = ss->next; ss; ss = ss->next)
    if (ss->state == SS_OPEN)
      return ss;
  return NULL;
}

wt_conn *wt_session_conn(const wt_session *ss) { return ss->wc; }
void *wt_session_get_app(const wt_session *ss) { return ss->app; }
void wt_session_set_app(wt_session *ss, void *app) { ss->app = app; }

const char *wt_session_origin(const wt_session *ss) { return ss->origin; }

const char *wt_session_auth(const wt_session *ss) {
  if (ss->auth_token)
    return ss->wc->peer_cert ? "token+certificate" : "token";
  return ss->wc->peer_cert ? "certificate" : "none";
}

const struct sockaddr *wt_session_peer_addr(const wt_session *ss) {
  return (const struct sockaddr *)quic_conn_path(ss->wc->qc)->remote.addr;
}

void wt_session_close(wt_session *ss, uint32_t code, const char *reason) {
  if (ss->state != SS_OPEN || ss->close_sent)
    return;
  uint8_t cap[WT_CAPSULE_CLOSE_MAX];
  size_t n = wt_capsule_close_write(cap, sizeof(cap), code, reason, reason ? strlen(reason) : 0);
  ss->close_sent = true;
  ss->we_closed = true;
  ss->our_code = code;
  ss->our_reason = reason ? strndup(reason, WT_CLOSE_REASON_MAX) : NULL;
  wt_session_send_capsule(ss, cap, n, true);
  ss->close_deadline = quic_conn_now(ss->wc->qc) + WT_CLOSE_WAIT_NS;
  if (ss->fin_received)
    wt_session_end(ss, code, NULL, 0, false);
}

wt_stream *wt_session_open_stream(wt_session *ss, bool bidi) {
  wt_conn *wc = ss->wc;
  if (ss->state != SS_OPEN || ss->close_sent)
    return NULL;
  h3_stream *hs = h3_conn_open_stream(wc->hc, bidi, NULL);
  if (!hs)
    return NULL;
  wt_stream *ws = wt_stream_new(wc, hs, WTS_OPEN);
  if (!ws) {
    quic_stream_reset(h3_stream_quic(hs), H3_INTERNAL_ERROR, bidi);
    h3_stream_release(hs);
    return NULL;
  }
  uint8_t pre[WT_STREAM_HDR_MAX];
  size_t n = wt_stream_hdr_write(pre, bidi ? WT_STREAM_SIGNAL_BIDI : WT_STREAM_TYPE_UNI, ss->id);
  quic_stream_send(ws->qs, pre, n, false);
  session_stream_link(ss, ws);
  return ws;
}

int wt_session_send_datagram(wt_session *ss, const uint8_t *data, size_t len) {
  if (ss->state != SS_OPEN)
    return -1;
  uint8_t h[VARINT_MAXLEN];
  size_t hl = wt_datagram_hdr_write(h, ss->id);
  return quic_conn_send_datagram(ss->wc->qc, h, hl, data, len);
}

size_t wt_session_max_datagram(wt_session *ss) {
  size_t m = quic_conn_max_datagram_payload(ss->wc->qc);
  size_t hl = varint_len(ss->id / 4);
  return m > hl ? m - hl : 0;
}

int64_t wt_stream_id(const wt_stream *ws) { return ws->id; }
bool wt_stream_is_bidi(const wt_stream *ws) { return ws->bidi; }
bool wt_stream_is_local(const wt_stream *ws) { return ws->local; }
void *wt_stream_get_app(const wt_stream *ws) { return ws->app; }
void wt_stream_set_app(wt_stream *ws, void *app) { ws->app = app; }

int wt_stream_send(wt_stream *ws, const uint8_t *data, size_t len, bool fin) {
  if (ws->state != WTS_OPEN)
    return -1;
  return quic_stream_send(ws->qs, data, len, fin);
}

size_t wt_stream_send_room(const wt_stream *ws) {
  return ws->state == WTS_OPEN ? quic_stream_send_room(ws->qs) : 0;
}

void wt_stream_reset(wt_stream *ws, uint32_t code) {
  uint64_t h3 = wt_error_to_h3(code);
  if (ws->bidi || ws->local)
    quic_stream_reset(ws->qs, h3, ws->bidi);
  else
    quic_stream_stop_reading(ws->qs, h3);
}
