#include "wt/wt_conn.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/varint.h"
#include "h3/h3_error.h"
#include "h3/h3_frame.h"
#include "h3/h3_qpack.h"
#include "h3/h3_request.h"
#include "wt/wt_capsule.h"
#include "wt/wt_error.h"
#include "wt/wt_stream.h"

/* How long a server keeps a connection after its last session ended, so the
 * FIN that answers the peer's CLOSE is delivered (Chromium never sends
 * CONNECTION_CLOSE, it just goes quiet). */
#define LINGER_MIN_NS (100 * 1000 * 1000ULL)
/* How long we wait for the peer to answer our CLOSE capsule. */
#define CLOSE_WAIT_NS (2 * 1000 * 1000 * 1000ULL)

enum ws_kind {
  WS_PENDING_BIDI, /* peer bidi stream, first varint unknown */
  WS_PENDING_UNI,  /* peer uni stream, stream type unknown */
  WS_WT_PREFACE,   /* got 0x41 / 0x54, reading the session id */
  WS_CONTROL_OUT,
  WS_CONTROL_IN,
  WS_QPACK_IN,
  WS_REQUEST, /* extended CONNECT stream (either role) */
  WS_WT,      /* WebTransport data stream */
  WS_DISCARD, /* everything that arrives is dropped */
};

enum fr_state { FR_TYPE, FR_LEN, FR_BUFFER, FR_DATA, FR_SKIP };
enum cp_state { CP_TYPE, CP_LEN, CP_BUFFER, CP_SKIP };

struct wt_stream {
  wt_conn *wc;
  quic_stream *qs;
  int64_t id;
  uint8_t kind;
  bool bidi, local;
  /* varint accumulation for stream types, frame and capsule headers */
  uint8_t hdr[VARINT_MAXLEN];
  uint8_t hdrlen;
  /* HTTP/3 frame parser */
  uint8_t fr;
  uint64_t ftype, fleft;
  uint8_t *buf; /* a buffered frame payload or capsule value */
  size_t buflen, bufcap;
  uint64_t wt_type; /* 0x41 or 0x54 while in WS_WT_PREFACE */
  /* capsule parser on a CONNECT stream's DATA */
  uint8_t cp;
  uint8_t chdr[VARINT_MAXLEN];
  uint8_t chdrlen;
  uint64_t ctype, cleft;
  /* request state */
  bool headers_seen;
  h3_request *pending_req; /* server: waiting for the client's SETTINGS */
  wt_session *ss;          /* the session this stream belongs to or carries */
  wt_stream *snext, *sprev; /* the session's data streams */
  wt_stream *anext, *aprev; /* every stream of the connection */
  void *app;
};

enum ss_state { SS_PENDING, SS_OPEN, SS_CLOSED };

struct wt_session {
  wt_conn *wc;
  wt_stream *connect;
  uint64_t id;
  uint8_t state;
  bool close_sent, close_received, fin_received;
  bool we_closed;       /* our CLOSE capsule went out first */
  uint64_t opened;      /* when it became ready (ns) */
  uint32_t our_code;    /* what we sent in it */
  char *our_reason;
  uint64_t close_deadline;
  wt_stream *streams;
  wt_session *next;
  void *app;
  /* client: the request, sent once the server's SETTINGS arrived */
  char *authority, *path, *origin;
};

struct wt_conn {
  quic_conn *qc;
  wt_conn_config cfg;
  const wt_app_ops *app;
  void *app_ud;
  h3_qpack *qpack;
  wt_stream *ctrl_out;
  bool have_ctrl_in, have_qenc_in, have_qdec_in;
  bool peer_settings_received;
  h3_settings peer;
  wt_session *sessions;
  unsigned nsessions;
  wt_stream *streams; /* every wt_stream, for wt_conn_free */
  unsigned requests_seen;
  bool goaway_sent, goaway_received;
  bool refusing; /* draining: new sessions get 503 */
  int64_t max_req_id;
  bool shutting_down;
  uint64_t linger_deadline;   /* close the connection then (UINT64_MAX: no) */
  uint64_t shutdown_deadline; /* force-close then */
};

static const quic_app_ops wt_quic_ops;

/* ------------------------------------------------------------ helpers */

static int conn_error(wt_conn *wc, uint64_t code, const char *why) {
  log_info("connection error 0x%" PRIx64 ": %s", code, why);
  quic_conn_close(wc->qc, code, why);
  return -1;
}

static uint64_t now_of(wt_conn *wc) { return quic_conn_now(wc->qc); }

static wt_stream *ws_new(wt_conn *wc, quic_stream *qs, uint8_t kind) {
  wt_stream *ws = calloc(1, sizeof(*ws));
  if (!ws)
    return NULL;
  ws->wc = wc;
  ws->qs = qs;
  ws->id = quic_stream_id(qs);
  ws->kind = kind;
  ws->bidi = (ws->id & 0x2) == 0;
  ws->local = quic_stream_is_local(qs);
  quic_stream_set_upper(qs, ws);
  ws->anext = wc->streams;
  if (wc->streams)
    wc->streams->aprev = ws;
  wc->streams = ws;
  return ws;
}

static void ws_free(wt_stream *ws) {
  wt_conn *wc = ws->wc;
  if (ws->aprev)
    ws->aprev->anext = ws->anext;
  else
    wc->streams = ws->anext;
  if (ws->anext)
    ws->anext->aprev = ws->aprev;
  free(ws->buf);
  free(ws->pending_req);
  free(ws);
}

/* hdr_fill accumulates one varint in |h| (|*hl| bytes so far) from |data|.
 * Returns the bytes of |data| used; sets |*done| and |*v| when complete. */
static size_t hdr_fill(uint8_t *h, uint8_t *hl, const uint8_t *data, size_t len, uint64_t *v,
                       bool *done) {
  size_t old = *hl;
  size_t take = VARINT_MAXLEN - old;
  if (take > len)
    take = len;
  memcpy(h + old, data, take);
  size_t n = varint_decode(h, old + take, v);
  if (n == 0) {
    *hl = (uint8_t)(old + take);
    *done = false;
    return take;
  }
  *hl = 0;
  *done = true;
  return n - old;
}

static int buf_reserve(wt_stream *ws, size_t n) {
  if (ws->bufcap >= n)
    return 0;
  uint8_t *p = realloc(ws->buf, n);
  if (!p)
    return -1;
  ws->buf = p;
  ws->bufcap = n;
  return 0;
}

static int send_frame(wt_stream *ws, uint64_t type, const uint8_t *payload, size_t len, bool fin) {
  uint8_t h[H3_FRAME_HDR_MAX];
  size_t hl = h3_frame_hdr_write(h, type, len);
  if (quic_stream_send_room(ws->qs) < hl + len)
    return -1;
  if (quic_stream_send(ws->qs, h, hl, false) != 0 ||
      quic_stream_send(ws->qs, payload, len, fin) != 0)
    return -1;
  return 0;
}

/* ------------------------------------------------------------ sessions */

static wt_session *session_find(wt_conn *wc, uint64_t id) {
  for (wt_session *ss = wc->sessions; ss; ss = ss->next)
    if (ss->id == id)
      return ss;
  return NULL;
}

static void session_unlink(wt_session *ss) {
  wt_conn *wc = ss->wc;
  for (wt_session **pp = &wc->sessions; *pp; pp = &(*pp)->next)
    if (*pp == ss) {
      *pp = ss->next;
      wc->nsessions--;
      return;
    }
}

static void session_free(wt_session *ss) {
  free(ss->our_reason);
  free(ss->authority);
  free(ss->path);
  free(ss->origin);
  free(ss);
}

static void session_stream_unlink(wt_stream *ws) {
  wt_session *ss = ws->ss;
  if (!ss || ws->kind != WS_WT)
    return;
  if (ws->sprev)
    ws->sprev->snext = ws->snext;
  else
    ss->streams = ws->snext;
  if (ws->snext)
    ws->snext->sprev = ws->sprev;
  ws->snext = ws->sprev = NULL;
}

static void maybe_linger(wt_conn *wc) {
  if (!wc->cfg.server || wc->nsessions > 0)
    return;
  uint64_t d = 3 * quic_conn_pto(wc->qc);
  if (d < LINGER_MIN_NS)
    d = LINGER_MIN_NS;
  wc->linger_deadline = now_of(wc) + d;
}

/* session_end finishes a session once: tells the application, resets its
 * streams with WT_SESSION_GONE and answers a peer's close with a FIN. */
static void session_end(wt_session *ss, uint32_t code, const uint8_t *reason, size_t reasonlen,
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
    ws->kind = WS_DISCARD;
    uint64_t gone = WT_SESSION_GONE;
    if (ws->bidi || ws->local)
      quic_stream_reset(ws->qs, gone, ws->bidi);
    else
      quic_stream_stop_reading(ws->qs, gone);
  }
  wt_stream *cs = ss->connect;
  if (cs) {
    cs->ss = NULL;
    cs->kind = WS_DISCARD;
    if (!ss->close_sent)
      quic_stream_send(cs->qs, NULL, 0, true); /* FIN answers the peer */
  }
  session_unlink(ss);
  session_free(ss);
  maybe_linger(wc);
}

static wt_session *session_new(wt_conn *wc, wt_stream *connect) {
  wt_session *ss = calloc(1, sizeof(*ss));
  if (!ss)
    return NULL;
  ss->wc = wc;
  ss->connect = connect;
  ss->id = (uint64_t)connect->id;
  ss->state = SS_PENDING;
  ss->close_deadline = UINT64_MAX;
  connect->ss = ss;
  ss->next = wc->sessions;
  wc->sessions = ss;
  wc->nsessions++;
  wc->linger_deadline = UINT64_MAX;
  return ss;
}

/* ------------------------------------------------------------ server requests */

static int send_response(wt_stream *ws, int status, bool draft02, bool fin) {
  wt_conn *wc = ws->wc;
  char st[4];
  snprintf(st, sizeof(st), "%03d", status);
  h3_header hdrs[2] = {{":status", 7, st, 3}, {"sec-webtransport-http3-draft", 28, "draft02", 7}};
  uint8_t payload[256];
  size_t n = h3_qpack_encode(wc->qpack, ws->id, hdrs, draft02 ? 2 : 1, payload, sizeof(payload));
  if (n == 0)
    return conn_error(wc, H3_INTERNAL_ERROR, "cannot encode response");
  if (send_frame(ws, H3_FRAME_HEADERS, payload, n, fin) != 0)
    return conn_error(wc, H3_INTERNAL_ERROR, "cannot queue response");
  return 0;
}

static void refuse_request(wt_stream *ws, int status) {
  log_debug("stream %" PRId64 ": request refused with %d", ws->id, status);
  if (send_response(ws, status, false, true) == 0)
    quic_stream_stop_reading(ws->qs, H3_NO_ERROR);
  ws->kind = WS_DISCARD;
}

/* handle_request decides on a complete request once the client's SETTINGS
 * are known. */
static int handle_request(wt_stream *ws, const h3_request *req) {
  wt_conn *wc = ws->wc;
  h3_verdict v = h3_request_verdict(req, wc->cfg.path);
  if (v != H3_VERDICT_ACCEPT_WT) {
    refuse_request(ws, (int)v);
    return 0;
  }
  if (!h3_settings_supports_wt(&wc->peer)) {
    refuse_request(ws, 400);
    return 0;
  }
  if (wc->refusing && !wc->goaway_sent && !wc->shutting_down) {
    refuse_request(ws, 503);
    return 0;
  }
  if (wc->goaway_sent || wc->shutting_down) {
    quic_stream_reset(ws->qs, H3_REQUEST_REJECTED, true);
    ws->kind = WS_DISCARD;
    return 0;
  }
  if (wc->nsessions >= wc->cfg.max_sessions) {
    refuse_request(ws, 429);
    return 0;
  }
  wt_session *ss = session_new(wc, ws);
  if (!ss)
    return conn_error(wc, H3_INTERNAL_ERROR, "out of memory");
  if (send_response(ws, 200, req->draft02, false) != 0)
    return -1;
  ss->state = SS_OPEN;
  ss->opened = now_of(wc);
  log_debug("session %" PRIu64 " open (%s%s%s)", ss->id, req->authority, req->path,
            req->draft02 ? ", draft02" : "");
  if (wc->app->session_ready)
    wc->app->session_ready(ss, wc->app_ud);
  return 0;
}

static int decode_request(wt_stream *ws) {
  wt_conn *wc = ws->wc;
  h3_request *req = malloc(sizeof(*req));
  if (!req)
    return conn_error(wc, H3_INTERNAL_ERROR, "out of memory");
  h3_request_init(req);
  uint64_t rv = h3_qpack_decode(wc->qpack, ws->id, ws->buf, ws->buflen, h3_request_add_field, req);
  if (rv != 0) {
    free(req);
    return conn_error(wc, QPACK_DECOMPRESSION_FAILED, "bad field section");
  }
  if (!wc->peer_settings_received) {
    ws->pending_req = req; /* draft-02 section 3: wait for the client's SETTINGS */
    return 0;
  }
  int r = handle_request(ws, req);
  free(req);
  return r;
}

/* ------------------------------------------------------------ client response */

static void send_connect(wt_session *ss) {
  wt_conn *wc = ss->wc;
  if (!h3_settings_supports_wt(&wc->peer)) {
    if (wc->app->session_refused)
      wc->app->session_refused(ss, 0, wc->app_ud);
    ss->state = SS_CLOSED;
    return;
  }
  quic_stream *qs = quic_conn_open_stream(wc->qc, true);
  wt_stream *ws = qs ? ws_new(wc, qs, WS_REQUEST) : NULL;
  if (!ws) {
    conn_error(wc, H3_INTERNAL_ERROR, "cannot open the CONNECT stream");
    return;
  }
  ss->connect = ws;
  ss->id = (uint64_t)ws->id;
  ws->ss = ss;
  h3_header hdrs[8];
  size_t n = h3_request_build_connect(hdrs, ss->authority, ss->path, ss->origin);
  uint8_t payload[2048];
  size_t len = h3_qpack_encode(wc->qpack, ws->id, hdrs, n, payload, sizeof(payload));
  if (len == 0 || send_frame(ws, H3_FRAME_HEADERS, payload, len, false) != 0)
    conn_error(wc, H3_INTERNAL_ERROR, "cannot send the CONNECT request");
}

static int handle_response(wt_stream *ws) {
  wt_conn *wc = ws->wc;
  wt_session *ss = ws->ss;
  int status = 0;
  uint64_t rv = h3_qpack_decode(wc->qpack, ws->id, ws->buf, ws->buflen, h3_response_add_field,
                                &status);
  if (rv != 0)
    return conn_error(wc, QPACK_DECOMPRESSION_FAILED, "bad field section");
  if (status <= 0) {
    quic_stream_reset(ws->qs, H3_MESSAGE_ERROR, true);
    status = 0;
  } else if (status < 200) {
    ws->headers_seen = false; /* interim response: the final one follows */
    return 0;
  }
  if (!ss || ss->state != SS_PENDING)
    return 0;
  if (status >= 200 && status < 300) {
    ss->state = SS_OPEN;
    ss->opened = now_of(wc);
    if (wc->app->session_ready)
      wc->app->session_ready(ss, wc->app_ud);
    return 0;
  }
  ss->state = SS_CLOSED;
  if (wc->app->session_refused)
    wc->app->session_refused(ss, status, wc->app_ud);
  ws->ss = NULL;
  ws->kind = WS_DISCARD;
  session_unlink(ss);
  session_free(ss);
  return 0;
}

/* ------------------------------------------------------------ capsules */

/* session_lost ends the session of a CONNECT stream that was reset,
 * stopped or closed underneath it: no CLOSE capsule, no FIN in answer. */
static void session_lost(wt_stream *ws) {
  wt_session *ss = ws->ss;
  if (!ss)
    return;
  ss->close_sent = true;
  session_end(ss, 0, NULL, 0, true);
}

static void connect_stream_error(wt_stream *ws, uint64_t code) {
  quic_stream_reset(ws->qs, code, true);
  session_lost(ws);
}

static void capsule_done(wt_stream *ws) {
  wt_session *ss = ws->ss;
  if (!ss)
    return;
  if (ws->ctype == WT_CAPSULE_CLOSE_SESSION) {
    uint32_t code;
    const uint8_t *reason;
    size_t rlen;
    if (wt_capsule_close_parse(ws->buf, ws->buflen, &code, &reason, &rlen) != 0) {
      connect_stream_error(ws, H3_MESSAGE_ERROR);
      return;
    }
    ss->close_received = true;
    session_end(ss, code, reason, rlen, !ss->close_sent);
  } else if (ws->ctype == WT_CAPSULE_DRAIN_SESSION) {
    if (ss->state == SS_OPEN && ss->wc->app->session_draining)
      ss->wc->app->session_draining(ss, ss->wc->app_ud);
  }
}

/* feed_capsules parses CONNECT-stream DATA payload as capsules. */
static int feed_capsules(wt_stream *ws, const uint8_t *p, size_t len) {
  while (len > 0 && ws->kind == WS_REQUEST) {
    size_t used;
    bool done;
    switch (ws->cp) {
    case CP_TYPE:
      used = hdr_fill(ws->chdr, &ws->chdrlen, p, len, &ws->ctype, &done);
      if (done) {
        if (ws->ss && ws->ss->close_received) {
          connect_stream_error(ws, H3_MESSAGE_ERROR); /* data after CLOSE */
          return 0;
        }
        ws->cp = CP_LEN;
      }
      break;
    case CP_LEN:
      used = hdr_fill(ws->chdr, &ws->chdrlen, p, len, &ws->cleft, &done);
      if (!done)
        break;
      if (ws->ctype == WT_CAPSULE_CLOSE_SESSION) {
        if (ws->cleft > WT_CAPSULE_BUFFER_MAX) {
          connect_stream_error(ws, H3_MESSAGE_ERROR);
          return 0;
        }
        if (buf_reserve(ws, (size_t)ws->cleft ? (size_t)ws->cleft : 1) != 0)
          return conn_error(ws->wc, H3_INTERNAL_ERROR, "out of memory");
        ws->buflen = 0;
        ws->cp = CP_BUFFER;
      } else {
        ws->cp = CP_SKIP; /* DRAIN has no value; GREASE and others skipped */
      }
      if (ws->cleft == 0) {
        ws->buflen = 0;
        capsule_done(ws);
        ws->cp = CP_TYPE;
      }
      break;
    case CP_BUFFER:
    case CP_SKIP:
      used = len < ws->cleft ? len : (size_t)ws->cleft;
      if (ws->cp == CP_BUFFER) {
        memcpy(ws->buf + ws->buflen, p, used);
        ws->buflen += used;
      }
      ws->cleft -= used;
      if (ws->cleft == 0) {
        capsule_done(ws);
        ws->cp = CP_TYPE;
      }
      break;
    default:
      return conn_error(ws->wc, H3_INTERNAL_ERROR, "capsule parser state");
    }
    p += used;
    len -= used;
  }
  return 0;
}

/* ------------------------------------------------------------ frames */

static int control_frame_done(wt_stream *ws) {
  wt_conn *wc = ws->wc;
  switch (ws->ftype) {
  case H3_FRAME_SETTINGS: {
    uint64_t err = h3_settings_parse(ws->buf, ws->buflen, &wc->peer);
    if (err)
      return conn_error(wc, err, "bad SETTINGS");
    wc->peer_settings_received = true;
    log_debug("peer SETTINGS: webtransport=%d datagram=%d/%d connect=%d wt_max_sessions=%" PRIu64,
              wc->peer.enable_webtransport, wc->peer.h3_datagram, wc->peer.h3_datagram_draft04,
              wc->peer.enable_connect_protocol, wc->peer.wt_max_sessions);
    /* Requests that waited for these settings: a client's CONNECTs (sent
     * once the server allows them), or a server's parked requests (the
     * request overtook the client's SETTINGS, e.g. after a loss). */
    if (!wc->cfg.server) {
      for (wt_session *ss = wc->sessions; ss; ss = ss->next)
        if (ss->state == SS_PENDING && !ss->connect)
          send_connect(ss);
      return 0;
    }
    for (wt_stream *rs = wc->streams, *next; rs; rs = next) {
      next = rs->anext;
      if (!rs->pending_req)
        continue;
      h3_request *req = rs->pending_req;
      rs->pending_req = NULL;
      int r = rs->kind == WS_REQUEST ? handle_request(rs, req) : 0;
      free(req);
      if (r != 0)
        return -1;
    }
    return 0;
  }
  case H3_FRAME_GOAWAY: {
    uint64_t id;
    uint64_t err = h3_goaway_parse(ws->buf, ws->buflen, &id);
    if (err)
      return conn_error(wc, err, "bad GOAWAY");
    if (!wc->cfg.server && (id % 4 != 0))
      return conn_error(wc, H3_ID_ERROR, "GOAWAY id is not a request stream");
    wc->goaway_received = true;
    for (wt_session *ss = wc->sessions; ss; ss = ss->next)
      if (ss->state == SS_OPEN && wc->app->session_draining)
        wc->app->session_draining(ss, wc->app_ud);
    return 0;
  }
  default:
    return 0;
  }
}

/* frame_begin checks a frame type on a control or request stream and picks
 * how its payload is read. */
static int frame_begin(wt_stream *ws) {
  wt_conn *wc = ws->wc;
  uint64_t t = ws->ftype;
  if (h3_frame_reserved_h2(t))
    return conn_error(wc, H3_FRAME_UNEXPECTED, "HTTP/2 frame type");
  if (ws->kind == WS_CONTROL_IN) {
    if (!wc->peer_settings_received && t != H3_FRAME_SETTINGS)
      return conn_error(wc, H3_MISSING_SETTINGS, "control stream must start with SETTINGS");
    switch (t) {
    case H3_FRAME_SETTINGS:
      if (wc->peer_settings_received)
        return conn_error(wc, H3_FRAME_UNEXPECTED, "second SETTINGS");
      if (ws->fleft > H3_SETTINGS_MAX_LEN)
        return conn_error(wc, H3_EXCESSIVE_LOAD, "SETTINGS too large");
      ws->fr = FR_BUFFER;
      break;
    case H3_FRAME_GOAWAY:
      if (ws->fleft > VARINT_MAXLEN)
        return conn_error(wc, H3_FRAME_ERROR, "GOAWAY too large");
      ws->fr = FR_BUFFER;
      break;
    case H3_FRAME_DATA:
    case H3_FRAME_HEADERS:
    case H3_FRAME_PUSH_PROMISE:
      return conn_error(wc, H3_FRAME_UNEXPECTED, "frame not allowed on the control stream");
    case H3_FRAME_MAX_PUSH_ID:
      if (!wc->cfg.server)
        return conn_error(wc, H3_FRAME_UNEXPECTED, "MAX_PUSH_ID from a server");
      ws->fr = FR_SKIP;
      break;
    default:
      ws->fr = FR_SKIP; /* CANCEL_PUSH, PRIORITY_UPDATE, GREASE, unknown */
      break;
    }
  } else { /* WS_REQUEST */
    switch (t) {
    case H3_FRAME_HEADERS:
      if (ws->headers_seen)
        return conn_error(wc, H3_FRAME_UNEXPECTED, "HEADERS after the header section");
      if (ws->fleft > wc->cfg.max_header_size) {
        if (wc->cfg.server) {
          refuse_request(ws, 431);
          return 0;
        }
        return conn_error(wc, H3_EXCESSIVE_LOAD, "response header section too large");
      }
      ws->fr = FR_BUFFER;
      break;
    case H3_FRAME_DATA:
      if (!ws->headers_seen)
        return conn_error(wc, H3_FRAME_UNEXPECTED, "DATA before HEADERS");
      ws->fr = ws->ss ? FR_DATA : FR_SKIP;
      break;
    case H3_FRAME_SETTINGS:
    case H3_FRAME_GOAWAY:
    case H3_FRAME_MAX_PUSH_ID:
    case H3_FRAME_CANCEL_PUSH:
    case H3_FRAME_PUSH_PROMISE:
      return conn_error(wc, H3_FRAME_UNEXPECTED, "frame not allowed on a request stream");
    default:
      ws->fr = FR_SKIP;
      break;
    }
  }
  if (ws->fr == FR_BUFFER) {
    if (buf_reserve(ws, ws->fleft ? (size_t)ws->fleft : 1) != 0)
      return conn_error(wc, H3_INTERNAL_ERROR, "out of memory");
    ws->buflen = 0;
  }
  return 0;
}

static int frame_done(wt_stream *ws) {
  if (ws->kind == WS_CONTROL_IN)
    return control_frame_done(ws);
  if (ws->ftype == H3_FRAME_HEADERS) {
    ws->headers_seen = true;
    return ws->wc->cfg.server ? decode_request(ws) : handle_response(ws);
  }
  return 0;
}

/* feed_frames runs the HTTP/3 frame parser of a control or request stream. */
static int feed_frames(wt_stream *ws, const uint8_t *p, size_t len) {
  uint8_t kind = ws->kind;
  while (len > 0 && ws->kind == kind) {
    size_t used;
    bool done;
    switch (ws->fr) {
    case FR_TYPE:
      used = hdr_fill(ws->hdr, &ws->hdrlen, p, len, &ws->ftype, &done);
      if (done)
        ws->fr = FR_LEN;
      break;
    case FR_LEN:
      used = hdr_fill(ws->hdr, &ws->hdrlen, p, len, &ws->fleft, &done);
      if (done) {
        if (frame_begin(ws) != 0)
          return -1;
        if (ws->kind != kind)
          return 0;
        if (ws->fleft == 0) {
          ws->fr = FR_TYPE;
          if (frame_done(ws) != 0)
            return -1;
        }
      }
      break;
    default:
      used = len < ws->fleft ? len : (size_t)ws->fleft;
      if (ws->fr == FR_BUFFER) {
        memcpy(ws->buf + ws->buflen, p, used);
        ws->buflen += used;
      } else if (ws->fr == FR_DATA) {
        if (feed_capsules(ws, p, used) != 0)
          return -1;
      }
      ws->fleft -= used;
      if (ws->fleft == 0) {
        ws->fr = FR_TYPE;
        if (frame_done(ws) != 0)
          return -1;
      }
      break;
    }
    p += used;
    len -= used;
  }
  return 0;
}

/* ------------------------------------------------------------ stream routing */

static void reject_wt_stream(wt_stream *ws, uint64_t code) {
  ws->kind = WS_DISCARD;
  if (ws->bidi)
    quic_stream_reset(ws->qs, code, true);
  else
    quic_stream_stop_reading(ws->qs, code);
}

static int wt_stream_attach(wt_stream *ws, uint64_t session_id) {
  wt_conn *wc = ws->wc;
  if (!wt_session_id_valid(session_id))
    return conn_error(wc, H3_ID_ERROR, "WebTransport session id is not a request stream");
  wt_session *ss = session_find(wc, session_id);
  if (!ss || ss->state != SS_OPEN) {
    /* A session that is not (or no longer) open: no buffering of early
     * streams; the peer sees WT_BUFFERED_STREAM_REJECTED. */
    reject_wt_stream(ws, ss ? WT_BUFFERED_STREAM_REJECTED : WT_SESSION_GONE);
    return 0;
  }
  ws->kind = WS_WT;
  ws->ss = ss;
  ws->snext = ss->streams;
  if (ss->streams)
    ss->streams->sprev = ws;
  ss->streams = ws;
  if (wc->app->stream_open)
    wc->app->stream_open(ss, ws, wc->app_ud);
  return 0;
}

static int classify_uni(wt_stream *ws, uint64_t type) {
  wt_conn *wc = ws->wc;
  switch (type) {
  case H3_STREAM_CONTROL:
    if (wc->have_ctrl_in)
      return conn_error(wc, H3_STREAM_CREATION_ERROR, "second control stream");
    wc->have_ctrl_in = true;
    ws->kind = WS_CONTROL_IN;
    ws->fr = FR_TYPE;
    return 0;
  case H3_STREAM_QPACK_ENCODER:
  case H3_STREAM_QPACK_DECODER: {
    bool *have = type == H3_STREAM_QPACK_ENCODER ? &wc->have_qenc_in : &wc->have_qdec_in;
    if (*have)
      return conn_error(wc, H3_STREAM_CREATION_ERROR, "second QPACK stream");
    *have = true;
    /* Our dynamic table capacity is 0 and we insert nothing: the peer's
     * instructions carry nothing we need. */
    ws->kind = WS_QPACK_IN;
    return 0;
  }
  case H3_STREAM_PUSH:
    return conn_error(wc, wc->cfg.server ? H3_STREAM_CREATION_ERROR : H3_ID_ERROR,
                      "push stream");
  case WT_STREAM_TYPE_UNI:
    ws->kind = WS_WT_PREFACE;
    ws->wt_type = type;
    return 0;
  default:
    ws->kind = WS_DISCARD;
    quic_stream_stop_reading(ws->qs, H3_STREAM_CREATION_ERROR);
    return 0;
  }
}

static int stream_feed(wt_stream *ws, const uint8_t *p, size_t len, bool fin) {
  wt_conn *wc = ws->wc;
  while (len > 0) {
    size_t used;
    bool done;
    uint64_t v;
    switch (ws->kind) {
    case WS_PENDING_UNI:
      used = hdr_fill(ws->hdr, &ws->hdrlen, p, len, &v, &done);
      if (done && classify_uni(ws, v) != 0)
        return -1;
      break;
    case WS_PENDING_BIDI:
      used = hdr_fill(ws->hdr, &ws->hdrlen, p, len, &v, &done);
      if (!done)
        break;
      if (v == WT_STREAM_SIGNAL_BIDI) {
        ws->kind = WS_WT_PREFACE;
        ws->wt_type = v;
      } else if (wc->cfg.server) {
        /* a request stream: |v| was its first frame type */
        ws->kind = WS_REQUEST;
        ws->ftype = v;
        ws->fr = FR_LEN;
        wc->requests_seen++;
        if (ws->id > wc->max_req_id)
          wc->max_req_id = ws->id;
        if (wc->goaway_sent) {
          quic_stream_reset(ws->qs, H3_REQUEST_REJECTED, true);
          ws->kind = WS_DISCARD;
        }
      } else {
        return conn_error(wc, H3_STREAM_CREATION_ERROR, "server-initiated bidi stream");
      }
      break;
    case WS_WT_PREFACE:
      used = hdr_fill(ws->hdr, &ws->hdrlen, p, len, &v, &done);
      if (done && wt_stream_attach(ws, v) != 0)
        return -1;
      break;
    case WS_CONTROL_IN:
    case WS_REQUEST:
      return feed_frames(ws, p, len) != 0 ? -1 : (fin ? stream_feed(ws, NULL, 0, true) : 0);
    case WS_WT:
      if (wc->app->stream_data)
        wc->app->stream_data(ws->ss, ws, p, len, fin, wc->app_ud);
      return 0;
    case WS_QPACK_IN:
    case WS_DISCARD:
    default:
      used = len;
      break;
    }
    p += used;
    len -= used;
  }
  if (!fin)
    return 0;
  /* end of stream */
  switch (ws->kind) {
  case WS_CONTROL_IN:
  case WS_QPACK_IN:
    return conn_error(wc, H3_CLOSED_CRITICAL_STREAM, "critical stream closed");
  case WS_REQUEST:
    if (ws->fr != FR_TYPE || ws->hdrlen != 0)
      return conn_error(wc, H3_FRAME_ERROR, "stream ended inside a frame");
    if (ws->ss) {
      wt_session *ss = ws->ss;
      ss->fin_received = true;
      session_end(ss, 0, NULL, 0, !ss->close_sent);
    } else if (!ws->headers_seen && wc->cfg.server) {
      quic_stream_reset(ws->qs, H3_REQUEST_INCOMPLETE, false);
    }
    return 0;
  case WS_WT:
    if (wc->app->stream_data)
      wc->app->stream_data(ws->ss, ws, NULL, 0, true, wc->app_ud);
    return 0;
  case WS_PENDING_BIDI:
  case WS_PENDING_UNI:
  case WS_WT_PREFACE:
    /* a stream that ended before saying what it is: nothing to do */
    ws->kind = WS_DISCARD;
    return 0;
  default:
    return 0;
  }
}

/* ------------------------------------------------------------ quic callbacks */

static int q_tx_key_ready(quic_conn *qc, void *ud) {
  wt_conn *wc = ud;
  if (wc->ctrl_out)
    return 0;
  quic_stream *qs = quic_conn_open_stream(qc, false);
  wt_stream *ws = qs ? ws_new(wc, qs, WS_CONTROL_OUT) : NULL;
  if (!ws)
    return conn_error(wc, H3_INTERNAL_ERROR, "cannot open the control stream");
  wc->ctrl_out = ws;
  uint8_t buf[128];
  buf[0] = H3_STREAM_CONTROL;
  size_t n = h3_settings_write_ours(buf + 1, sizeof(buf) - 1, wc->cfg.max_sessions);
  if (n == 0 || quic_stream_send(qs, buf, n + 1, false) != 0)
    return conn_error(wc, H3_INTERNAL_ERROR, "cannot send SETTINGS");
  return 0;
}

static int q_stream_data(quic_conn *qc, quic_stream *qs, const uint8_t *data, size_t len, bool fin,
                         void *ud) {
  wt_conn *wc = ud;
  wt_stream *ws = quic_stream_get_upper(qs);
  if (!ws) {
    if (quic_stream_is_local(qs)) {
      quic_stream_consume(qs, len);
      return 0;
    }
    bool bidi = (quic_stream_id(qs) & 0x2) == 0;
    ws = ws_new(wc, qs, bidi ? WS_PENDING_BIDI : WS_PENDING_UNI);
    if (!ws)
      return conn_error(wc, H3_INTERNAL_ERROR, "out of memory");
  }
  int rv = stream_feed(ws, data, len, fin);
  if (!quic_conn_close_requested(qc))
    quic_stream_consume(qs, len);
  return rv;
}

static uint64_t map_code(uint64_t h3) {
  uint32_t code;
  return wt_error_from_h3(h3, &code) == 0 ? code : WT_CODE_NONE;
}

static void q_stream_reset(quic_conn *qc, quic_stream *qs, uint64_t code, void *ud) {
  (void)qc;
  wt_conn *wc = ud;
  wt_stream *ws = quic_stream_get_upper(qs);
  if (!ws)
    return;
  switch (ws->kind) {
  case WS_CONTROL_IN:
  case WS_QPACK_IN:
    conn_error(wc, H3_CLOSED_CRITICAL_STREAM, "critical stream reset");
    break;
  case WS_REQUEST:
    if (ws->ss) {
      quic_stream_reset(ws->qs, H3_REQUEST_CANCELLED, false); /* a reset answers a reset */
      session_lost(ws);
    }
    ws->kind = WS_DISCARD;
    break;
  case WS_WT:
    if (wc->app->stream_reset)
      wc->app->stream_reset(ws->ss, ws, map_code(code), wc->app_ud);
    break;
  default:
    break;
  }
}

static void q_stream_stop_sending(quic_conn *qc, quic_stream *qs, uint64_t code, void *ud) {
  (void)qc;
  wt_conn *wc = ud;
  wt_stream *ws = quic_stream_get_upper(qs);
  if (!ws)
    return;
  switch (ws->kind) {
  case WS_CONTROL_OUT:
    conn_error(wc, H3_CLOSED_CRITICAL_STREAM, "peer stopped our control stream");
    break;
  case WS_REQUEST:
    session_lost(ws);
    break;
  case WS_WT:
    if (wc->app->stream_stop)
      wc->app->stream_stop(ws->ss, ws, map_code(code), wc->app_ud);
    break;
  default:
    break;
  }
}

static void q_stream_close(quic_conn *qc, quic_stream *qs, uint64_t code, void *ud) {
  (void)qc;
  (void)code;
  wt_conn *wc = ud;
  wt_stream *ws = quic_stream_get_upper(qs);
  if (!ws)
    return;
  if (ws->kind == WS_WT && ws->ss) {
    wt_session *ss = ws->ss;
    session_stream_unlink(ws);
    if (wc->app->stream_closed)
      wc->app->stream_closed(ss, ws, wc->app_ud);
  } else if (ws->kind == WS_REQUEST) {
    session_lost(ws);
  }
  if (ws == wc->ctrl_out)
    wc->ctrl_out = NULL;
  quic_stream_set_upper(qs, NULL);
  ws_free(ws);
}

static int q_datagram(quic_conn *qc, const uint8_t *data, size_t len, void *ud) {
  (void)qc;
  wt_conn *wc = ud;
  uint64_t sid;
  const uint8_t *payload;
  size_t plen;
  if (wt_datagram_parse(data, len, &sid, &payload, &plen) != 0)
    return conn_error(wc, H3_DATAGRAM_ERROR, "malformed HTTP datagram");
  wt_session *ss = session_find(wc, sid);
  if (ss && ss->state == SS_OPEN && wc->app->datagram)
    wc->app->datagram(ss, payload, plen, wc->app_ud);
  return 0; /* datagrams for unknown sessions are dropped */
}

static const quic_app_ops wt_quic_ops = {
    .tx_key_ready = q_tx_key_ready,
    .stream_data = q_stream_data,
    .stream_reset = q_stream_reset,
    .stream_stop_sending = q_stream_stop_sending,
    .stream_close = q_stream_close,
    .datagram = q_datagram,
};

/* ------------------------------------------------------------ public */

void wt_conn_config_default(wt_conn_config *cfg) {
  memset(cfg, 0, sizeof(*cfg));
  cfg->server = true;
  cfg->path = "/wtping";
  cfg->max_sessions = 4;
  cfg->max_header_size = 16 * 1024;
}

wt_conn *wt_conn_new(const wt_conn_config *cfg, quic_conn *qc, const wt_app_ops *app,
                     void *app_ud) {
  wt_conn *wc = calloc(1, sizeof(*wc));
  if (!wc)
    return NULL;
  wc->qpack = h3_qpack_new();
  if (!wc->qpack) {
    free(wc);
    return NULL;
  }
  wc->qc = qc;
  wc->cfg = *cfg;
  wc->app = app;
  wc->app_ud = app_ud;
  wc->max_req_id = -1;
  wc->linger_deadline = UINT64_MAX;
  wc->shutdown_deadline = UINT64_MAX;
  quic_conn_set_app(qc, &wt_quic_ops, wc);
  return wc;
}

void wt_conn_free(wt_conn *wc) {
  if (!wc)
    return;
  /* The connection is gone: end every session so that the application frees
   * its per-session and per-stream state (and counts the session as over). */
  static const char lost[] = "connection lost";
  while (wc->sessions) {
    wt_session *ss = wc->sessions;
    if (ss->state == SS_CLOSED) {
      if (ss->connect)
        ss->connect->ss = NULL;
      session_unlink(ss);
      session_free(ss);
    } else {
      session_end(ss, 0, (const uint8_t *)lost, sizeof(lost) - 1, true);
    }
  }
  while (wc->streams) {
    wt_stream *ws = wc->streams;
    quic_stream_set_upper(ws->qs, NULL);
    ws_free(ws);
  }
  quic_conn_set_app(wc->qc, NULL, NULL);
  h3_qpack_free(wc->qpack);
  free(wc);
}

quic_conn *wt_conn_quic(wt_conn *wc) { return wc->qc; }

unsigned wt_conn_sessions(const wt_conn *wc) { return wc->nsessions; }

const h3_settings *wt_conn_peer_settings(const wt_conn *wc) {
  return wc->peer_settings_received ? &wc->peer : NULL;
}

uint64_t wt_conn_expiry(const wt_conn *wc) {
  if (wc->shutting_down && wc->nsessions == 0 && !quic_conn_close_requested(wc->qc))
    return 0; /* every session answered: close the connection now */
  uint64_t t = wc->linger_deadline;
  if (wc->shutdown_deadline < t)
    t = wc->shutdown_deadline;
  for (const wt_session *ss = wc->sessions; ss; ss = ss->next)
    if (ss->close_deadline < t)
      t = ss->close_deadline;
  return t;
}

void wt_conn_timeout(wt_conn *wc, uint64_t now) {
  /* Sessions whose peer never answered our CLOSE. */
  for (wt_session *ss = wc->sessions, *next; ss; ss = next) {
    next = ss->next;
    if (ss->close_deadline <= now) {
      wt_stream *cs = ss->connect;
      if (cs)
        quic_stream_reset(cs->qs, H3_NO_ERROR, true);
      session_end(ss, 0, NULL, 0, false);
    }
  }
  if (wc->linger_deadline <= now || wc->shutdown_deadline <= now ||
      (wc->shutting_down && wc->nsessions == 0)) {
    wc->linger_deadline = wc->shutdown_deadline = UINT64_MAX;
    quic_conn_close(wc->qc, H3_NO_ERROR, NULL);
  }
}

static void send_goaway(wt_conn *wc) {
  if (wc->goaway_sent || !wc->ctrl_out)
    return;
  uint8_t buf[H3_FRAME_HDR_MAX + VARINT_MAXLEN];
  uint64_t id = wc->max_req_id < 0 ? 0 : (uint64_t)wc->max_req_id + 4;
  size_t n = h3_goaway_write(buf, id);
  if (quic_stream_send(wc->ctrl_out->qs, buf, n, false) == 0)
    wc->goaway_sent = true;
}

static void send_capsule(wt_session *ss, const uint8_t *cap, size_t n, bool fin) {
  if (!ss->connect)
    return;
  send_frame(ss->connect, H3_FRAME_DATA, cap, n, fin);
}

void wt_conn_refuse_sessions(wt_conn *wc) { wc->refusing = true; }

void wt_conn_goaway(wt_conn *wc) {
  if (!wc->cfg.server)
    return;
  wc->refusing = true;
  send_goaway(wc);
  uint8_t cap[WT_CAPSULE_HDR_MAX];
  size_t n = wt_capsule_drain_write(cap, sizeof(cap));
  for (wt_session *ss = wc->sessions; ss; ss = ss->next)
    if (ss->state == SS_OPEN && !ss->close_sent)
      send_capsule(ss, cap, n, false);
}

void wt_conn_shutdown(wt_conn *wc, uint32_t code, const char *reason, uint64_t now) {
  if (wc->shutting_down)
    return;
  wc->shutting_down = true;
  if (wc->cfg.server)
    send_goaway(wc);
  for (wt_session *ss = wc->sessions, *next; ss; ss = next) {
    next = ss->next;
    wt_session_close(ss, code, reason);
  }
  wc->shutdown_deadline = now + CLOSE_WAIT_NS;
  if (wc->nsessions == 0)
    quic_conn_close(wc->qc, H3_NO_ERROR, NULL);
}

wt_session *wt_conn_connect(wt_conn *wc, const char *authority, const char *path,
                            const char *origin) {
  wt_session *ss = calloc(1, sizeof(*ss));
  if (!ss)
    return NULL;
  ss->wc = wc;
  ss->state = SS_PENDING;
  ss->close_deadline = UINT64_MAX;
  ss->authority = strdup(authority);
  ss->path = strdup(path);
  ss->origin = origin ? strdup(origin) : NULL;
  if (!ss->authority || !ss->path || (origin && !ss->origin)) {
    session_free(ss);
    return NULL;
  }
  ss->next = wc->sessions;
  wc->sessions = ss;
  wc->nsessions++;
  if (wc->peer_settings_received)
    send_connect(ss);
  return ss;
}

uint64_t wt_session_id(const wt_session *ss) { return ss->id; }
uint64_t wt_session_opened(const wt_session *ss) { return ss->opened; }

wt_session *wt_conn_first_session(wt_conn *wc) {
  for (wt_session *ss = wc->sessions; ss; ss = ss->next)
    if (ss->state == SS_OPEN)
      return ss;
  return NULL;
}

wt_session *wt_session_next(wt_session *ss) {
  for (ss = ss->next; ss; ss = ss->next)
    if (ss->state == SS_OPEN)
      return ss;
  return NULL;
}
wt_conn *wt_session_conn(const wt_session *ss) { return ss->wc; }
void *wt_session_get_app(const wt_session *ss) { return ss->app; }
void wt_session_set_app(wt_session *ss, void *app) { ss->app = app; }

void wt_session_close(wt_session *ss, uint32_t code, const char *reason) {
  if (ss->state != SS_OPEN || ss->close_sent)
    return;
  uint8_t cap[WT_CAPSULE_CLOSE_MAX];
  size_t n = wt_capsule_close_write(cap, sizeof(cap), code, reason, reason ? strlen(reason) : 0);
  ss->close_sent = true;
  ss->we_closed = true;
  ss->our_code = code;
  ss->our_reason = reason ? strndup(reason, WT_CLOSE_REASON_MAX) : NULL;
  send_capsule(ss, cap, n, true);
  ss->close_deadline = now_of(ss->wc) + CLOSE_WAIT_NS;
  if (ss->fin_received)
    session_end(ss, code, NULL, 0, false);
}

wt_stream *wt_session_open_stream(wt_session *ss, bool bidi) {
  wt_conn *wc = ss->wc;
  if (ss->state != SS_OPEN || ss->close_sent)
    return NULL;
  quic_stream *qs = quic_conn_open_stream(wc->qc, bidi);
  if (!qs)
    return NULL;
  wt_stream *ws = ws_new(wc, qs, WS_WT);
  if (!ws) {
    quic_stream_reset(qs, H3_INTERNAL_ERROR, bidi);
    return NULL;
  }
  uint8_t pre[WT_STREAM_HDR_MAX];
  size_t n = wt_stream_hdr_write(pre, bidi ? WT_STREAM_SIGNAL_BIDI : WT_STREAM_TYPE_UNI, ss->id);
  quic_stream_send(qs, pre, n, false);
  ws->ss = ss;
  ws->snext = ss->streams;
  if (ss->streams)
    ss->streams->sprev = ws;
  ss->streams = ws;
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
  if (ws->kind != WS_WT)
    return -1;
  return quic_stream_send(ws->qs, data, len, fin);
}

size_t wt_stream_send_room(const wt_stream *ws) {
  return ws->kind == WS_WT ? quic_stream_send_room(ws->qs) : 0;
}

void wt_stream_reset(wt_stream *ws, uint32_t code) {
  uint64_t h3 = wt_error_to_h3(code);
  if (ws->bidi || ws->local)
    quic_stream_reset(ws->qs, h3, ws->bidi);
  else
    quic_stream_stop_reading(ws->qs, h3);
}
