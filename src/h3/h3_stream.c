/* One HTTP/3 stream's frames: the frame parser of the peer's control
 * stream and of request streams, which frames each may carry, what the
 * peer's SETTINGS and GOAWAY do, request and response header sections, and
 * what the extension may send on a stream. See h3_stream.h. */
#include "h3/h3_stream.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "h3/h3_error.h"
#include "h3/h3_frame.h"
#include "h3/h3_internal.h"

static int buf_reserve(h3_stream *hs, size_t n) {
  if (hs->bufcap >= n)
    return 0;
  uint8_t *p = realloc(hs->buf, n);
  if (!p)
    return -1;
  hs->buf = p;
  hs->bufcap = n;
  return 0;
}

static int send_frame(h3_stream *hs, uint64_t type, const uint8_t *payload, size_t len, bool fin) {
  uint8_t h[H3_FRAME_HDR_MAX];
  size_t hl = h3_frame_hdr_write(h, type, len);
  if (quic_stream_send_room(hs->qs) < hl + len)
    return -1;
  if (quic_stream_send(hs->qs, h, hl, false) != 0 ||
      quic_stream_send(hs->qs, payload, len, fin) != 0)
    return -1;
  return 0;
}

/* ------------------------------------------------------------ requests */

static int deliver_request(h3_stream *hs, const h3_request *req) {
  h3_conn *hc = hs->hc;
  if (!hc->ext->request) {
    h3_stream_refuse(hs, 404);
    return 0;
  }
  return hc->ext->request(hc, hs, req, hc->ext_ud);
}

static int decode_request(h3_stream *hs) {
  h3_conn *hc = hs->hc;
  h3_request *req = malloc(sizeof(*req));
  if (!req)
    return h3_fail(hc, H3_INTERNAL_ERROR, "out of memory");
  h3_request_init(req);
  uint64_t rv = h3_qpack_decode(hc->qpack, hs->id, hs->buf, hs->buflen, h3_request_add_field, req);
  if (rv != 0) {
    free(req);
    return h3_fail(hc, QPACK_DECOMPRESSION_FAILED, "bad field section");
  }
  if (!hc->peer_settings_received) {
    hs->pending_req = req; /* wait for the client's SETTINGS (WebTransport draft-02 section 3) */
    return 0;
  }
  int r = deliver_request(hs, req);
  free(req);
  return r;
}

static int handle_response(h3_stream *hs) {
  h3_conn *hc = hs->hc;
  h3_response resp = {0};
  uint64_t rv = h3_qpack_decode(hc->qpack, hs->id, hs->buf, hs->buflen, h3_response_field, &resp);
  int status = resp.status;
  hs->bearer_challenge = resp.bearer_challenge;
  if (rv != 0)
    return h3_fail(hc, QPACK_DECOMPRESSION_FAILED, "bad field section");
  if (status <= 0) {
    quic_stream_reset(hs->qs, H3_MESSAGE_ERROR, true);
    status = 0;
  } else if (status < 200) {
    hs->headers_seen = false; /* interim response: the final one follows */
    return 0;
  }
  if (!hs->owner || !hc->ext->response)
    return 0;
  return hc->ext->response(hc, hs, status, hc->ext_ud);
}

/* ------------------------------------------------------------ control stream */

static int settings_received(h3_conn *hc, h3_stream *hs) {
  uint64_t err = h3_settings_parse(hs->buf, hs->buflen, &hc->peer);
  if (err)
    return h3_fail(hc, err, "bad SETTINGS");
  hc->peer_settings_received = true;
  log_debug("peer SETTINGS: webtransport=%d datagram=%d/%d connect=%d wt_max_sessions=%" PRIu64,
            hc->peer.enable_webtransport, hc->peer.h3_datagram, hc->peer.h3_datagram_draft04,
            hc->peer.enable_connect_protocol, hc->peer.wt_max_sessions);
  if (hc->ext->settings && hc->ext->settings(hc, &hc->peer, hc->ext_ud) != 0)
    return -1;
  /* Requests that overtook the client's SETTINGS (e.g. after a loss). */
  for (h3_stream *rs = hc->streams, *next; rs; rs = next) {
    next = rs->next;
    if (!rs->pending_req)
      continue;
    h3_request *req = rs->pending_req;
    rs->pending_req = NULL;
    int r = rs->kind == HS_REQUEST ? deliver_request(rs, req) : 0;
    free(req);
    if (r != 0)
      return -1;
  }
  return 0;
}

static int control_frame_done(h3_stream *hs) {
  h3_conn *hc = hs->hc;
  switch (hs->ftype) {
  case H3_FRAME_SETTINGS:
    return settings_received(hc, hs);
  case H3_FRAME_GOAWAY: {
    uint64_t id;
    uint64_t err = h3_goaway_parse(hs->buf, hs->buflen, &id);
    if (err)
      return h3_fail(hc, err, "bad GOAWAY");
    if (!hc->cfg.server && (id % 4 != 0))
      return h3_fail(hc, H3_ID_ERROR, "GOAWAY id is not a request stream");
    hc->goaway_received = true;
    if (hc->ext->goaway)
      hc->ext->goaway(hc, id, hc->ext_ud);
    return 0;
  }
  default:
    return 0;
  }
}

/* ------------------------------------------------------------ frames */

/* control_frame_begin checks a frame type on the peer's control stream. */
static int control_frame_begin(h3_stream *hs) {
  h3_conn *hc = hs->hc;
  uint64_t t = hs->ftype;
  if (!hc->peer_settings_received && t != H3_FRAME_SETTINGS)
    return h3_fail(hc, H3_MISSING_SETTINGS, "control stream must start with SETTINGS");
  switch (t) {
  case H3_FRAME_SETTINGS:
    if (hc->peer_settings_received)
      return h3_fail(hc, H3_FRAME_UNEXPECTED, "second SETTINGS");
    if (hs->fleft > H3_SETTINGS_MAX_LEN)
      return h3_fail(hc, H3_EXCESSIVE_LOAD, "SETTINGS too large");
    hs->fr = FR_BUFFER;
    return 0;
  case H3_FRAME_GOAWAY:
    if (hs->fleft > VARINT_MAXLEN)
      return h3_fail(hc, H3_FRAME_ERROR, "GOAWAY too large");
    hs->fr = FR_BUFFER;
    return 0;
  case H3_FRAME_DATA:
  case H3_FRAME_HEADERS:
  case H3_FRAME_PUSH_PROMISE:
    return h3_fail(hc, H3_FRAME_UNEXPECTED, "frame not allowed on the control stream");
  case H3_FRAME_MAX_PUSH_ID:
    if (!hc->cfg.server)
      return h3_fail(hc, H3_FRAME_UNEXPECTED, "MAX_PUSH_ID from a server");
    hs->fr = FR_SKIP;
    return 0;
  default:
    hs->fr = FR_SKIP; /* CANCEL_PUSH, PRIORITY_UPDATE, GREASE, unknown */
    return 0;
  }
}

/* request_frame_begin checks a frame type on a request stream. */
static int request_frame_begin(h3_stream *hs) {
  h3_conn *hc = hs->hc;
  switch (hs->ftype) {
  case H3_FRAME_HEADERS:
    if (hs->headers_seen)
      return h3_fail(hc, H3_FRAME_UNEXPECTED, "HEADERS after the header section");
    if (hs->fleft > hc->cfg.max_header_size) {
      if (hc->cfg.server) {
        h3_stream_refuse(hs, 431);
        return 0;
      }
      return h3_fail(hc, H3_EXCESSIVE_LOAD, "response header section too large");
    }
    hs->fr = FR_BUFFER;
    return 0;
  case H3_FRAME_DATA:
    if (!hs->headers_seen)
      return h3_fail(hc, H3_FRAME_UNEXPECTED, "DATA before HEADERS");
    hs->fr = hs->owner ? FR_DATA : FR_SKIP;
    return 0;
  case H3_FRAME_SETTINGS:
  case H3_FRAME_GOAWAY:
  case H3_FRAME_MAX_PUSH_ID:
  case H3_FRAME_CANCEL_PUSH:
  case H3_FRAME_PUSH_PROMISE:
    return h3_fail(hc, H3_FRAME_UNEXPECTED, "frame not allowed on a request stream");
  default:
    hs->fr = FR_SKIP;
    return 0;
  }
}

/* frame_begin checks a frame type on a control or request stream and picks
 * how its payload is read. */
static int frame_begin(h3_stream *hs) {
  if (h3_frame_reserved_h2(hs->ftype))
    return h3_fail(hs->hc, H3_FRAME_UNEXPECTED, "HTTP/2 frame type");
  int rv = hs->kind == HS_CONTROL_IN ? control_frame_begin(hs) : request_frame_begin(hs);
  if (rv != 0 || hs->fr != FR_BUFFER)
    return rv;
  if (buf_reserve(hs, hs->fleft ? (size_t)hs->fleft : 1) != 0)
    return h3_fail(hs->hc, H3_INTERNAL_ERROR, "out of memory");
  hs->buflen = 0;
  return 0;
}

static int frame_done(h3_stream *hs) {
  if (hs->kind == HS_CONTROL_IN)
    return control_frame_done(hs);
  if (hs->ftype == H3_FRAME_HEADERS) {
    hs->headers_seen = true;
    return hs->hc->cfg.server ? decode_request(hs) : handle_response(hs);
  }
  return 0;
}

int h3_stream_read_frames(h3_stream *hs, const uint8_t *p, size_t len) {
  h3_conn *hc = hs->hc;
  uint8_t kind = hs->kind;
  while (len > 0 && hs->kind == kind) {
    size_t used;
    bool done;
    switch (hs->fr) {
    case FR_TYPE:
      used = varint_fill(hs->hdr, &hs->hdrlen, p, len, &hs->ftype, &done);
      if (done)
        hs->fr = FR_LEN;
      break;
    case FR_LEN:
      used = varint_fill(hs->hdr, &hs->hdrlen, p, len, &hs->fleft, &done);
      if (done) {
        if (frame_begin(hs) != 0)
          return -1;
        if (hs->kind != kind)
          return 0;
        if (hs->fleft == 0) {
          hs->fr = FR_TYPE;
          if (frame_done(hs) != 0)
            return -1;
        }
      }
      break;
    default:
      used = len < hs->fleft ? len : (size_t)hs->fleft;
      if (hs->fr == FR_BUFFER) {
        memcpy(hs->buf + hs->buflen, p, used);
        hs->buflen += used;
      } else if (hs->fr == FR_DATA && hs->owner && hc->ext->request_data) {
        if (hc->ext->request_data(hc, hs, p, used, hc->ext_ud) != 0)
          return -1;
      }
      hs->fleft -= used;
      if (hs->fleft == 0) {
        hs->fr = FR_TYPE;
        if (frame_done(hs) != 0)
          return -1;
      }
      break;
    }
    p += used;
    len -= used;
  }
  return 0;
}

/* ------------------------------------------------------------ public */

int64_t h3_stream_id(const h3_stream *hs) { return hs->id; }
bool h3_stream_is_bidi(const h3_stream *hs) { return hs->bidi; }
bool h3_stream_is_local(const h3_stream *hs) { return hs->local; }
quic_stream *h3_stream_quic(const h3_stream *hs) { return hs->qs; }
void *h3_stream_owner(const h3_stream *hs) { return hs->owner; }
bool h3_stream_bearer_challenge(const h3_stream *hs) { return hs->bearer_challenge; }
void h3_stream_claim(h3_stream *hs, void *owner) { hs->owner = owner; }

void h3_stream_release(h3_stream *hs) {
  hs->owner = NULL;
  hs->kind = HS_DISCARD;
}

int h3_stream_send_headers(h3_stream *hs, const h3_header *hdrs, size_t n, bool fin) {
  uint8_t payload[2048];
  size_t len = h3_qpack_encode(hs->hc->qpack, hs->id, hdrs, n, payload, sizeof(payload));
  if (len == 0)
    return -1;
  return send_frame(hs, H3_FRAME_HEADERS, payload, len, fin);
}

int h3_stream_respond(h3_stream *hs, int status, const h3_header *extra, size_t nextra, bool fin) {
  h3_header hdrs[8];
  char st[4];
  if (status < 100 || status > 999 || nextra >= sizeof(hdrs) / sizeof(hdrs[0]))
    return h3_fail(hs->hc, H3_INTERNAL_ERROR, "cannot encode response");
  snprintf(st, sizeof(st), "%03d", status);
  hdrs[0] = (h3_header){":status", 7, st, 3};
  for (size_t i = 0; i < nextra; i++)
    hdrs[i + 1] = extra[i];
  if (h3_stream_send_headers(hs, hdrs, nextra + 1, fin) != 0)
    return h3_fail(hs->hc, H3_INTERNAL_ERROR, "cannot queue response");
  return 0;
}

int h3_stream_send_data(h3_stream *hs, const uint8_t *payload, size_t len, bool fin) {
  return send_frame(hs, H3_FRAME_DATA, payload, len, fin);
}

void h3_stream_refuse(h3_stream *hs, int status) { h3_stream_refuse_with(hs, status, NULL, 0); }

void h3_stream_refuse_with(h3_stream *hs, int status, const h3_header *extra, size_t n) {
  log_debug("stream %" PRId64 ": request refused with %d", hs->id, status);
  if (h3_stream_respond(hs, status, extra, n, true) == 0)
    quic_stream_stop_reading(hs->qs, H3_NO_ERROR);
  h3_stream_release(hs);
}

void h3_stream_reject(h3_stream *hs) {
  quic_stream_reset(hs->qs, H3_REQUEST_REJECTED, true);
  h3_stream_release(hs);
}
