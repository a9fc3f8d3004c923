/* An HTTP/3 connection: the streams' identities and lifetimes, our control
 * stream with our SETTINGS and GOAWAY, the classification of new streams by
 * their first varint, and the QUIC callbacks. Reading the frames of one
 * stream (including the peer's SETTINGS and GOAWAY) is h3_stream.c. */
#include "h3/h3_conn.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "h3/h3_error.h"
#include "h3/h3_frame.h"
#include "h3/h3_internal.h"

static const h3_ext_ops no_ext;

/* ------------------------------------------------------------ helpers */

int h3_conn_error(h3_conn *hc, uint64_t code, const char *why) { return h3_fail(hc, code, why); }

static h3_stream *hs_new(h3_conn *hc, quic_stream *qs, uint8_t kind) {
  h3_stream *hs = calloc(1, sizeof(*hs));
  if (!hs)
    return NULL;
  hs->hc = hc;
  hs->qs = qs;
  hs->id = quic_stream_id(qs);
  hs->kind = kind;
  hs->bidi = (hs->id & 0x2) == 0;
  hs->local = quic_stream_is_local(qs);
  quic_stream_set_upper(qs, hs);
  hs->next = hc->streams;
  if (hc->streams)
    hc->streams->prev = hs;
  hc->streams = hs;
  return hs;
}

static void hs_free(h3_stream *hs) {
  h3_conn *hc = hs->hc;
  if (hs->prev)
    hs->prev->next = hs->next;
  else
    hc->streams = hs->next;
  if (hs->next)
    hs->next->prev = hs->prev;
  quic_stream_set_upper(hs->qs, NULL);
  free(hs->buf);
  free(hs->pending_req);
  free(hs);
}

/* ------------------------------------------------------------ stream routing */

/* claim asks the extension whether it takes a stream starting with |type|.
 * Returns 1 (taken), 0 (not) or -1. */
static int claim(h3_stream *hs, uint64_t type) {
  h3_conn *hc = hs->hc;
  if (!hc->ext->claim_stream)
    return 0;
  int r = hc->ext->claim_stream(hc, hs, type, hc->ext_ud);
  if (r == 1)
    hs->kind = HS_EXT;
  return r;
}

static int classify_uni(h3_stream *hs, uint64_t type) {
  h3_conn *hc = hs->hc;
  switch (type) {
  case H3_STREAM_CONTROL:
    if (hc->have_ctrl_in)
      return h3_conn_error(hc, H3_STREAM_CREATION_ERROR, "second control stream");
    hc->have_ctrl_in = true;
    hs->kind = HS_CONTROL_IN;
    hs->fr = FR_TYPE;
    return 0;
  case H3_STREAM_QPACK_ENCODER:
  case H3_STREAM_QPACK_DECODER: {
    bool *have = type == H3_STREAM_QPACK_ENCODER ? &hc->have_qenc_in : &hc->have_qdec_in;
    if (*have)
      return h3_conn_error(hc, H3_STREAM_CREATION_ERROR, "second QPACK stream");
    *have = true;
    /* Our dynamic table capacity is 0 and we insert nothing: the peer's
     * instructions carry nothing we need. */
    hs->kind = HS_QPACK_IN;
    return 0;
  }
  case H3_STREAM_PUSH:
    return h3_conn_error(hc, hc->cfg.server ? H3_STREAM_CREATION_ERROR : H3_ID_ERROR,
                         "push stream");
  default: {
    int r = claim(hs, type);
    if (r != 0)
      return r < 0 ? -1 : 0;
    hs->kind = HS_DISCARD;
    quic_stream_stop_reading(hs->qs, H3_STREAM_CREATION_ERROR);
    return 0;
  }
  }
}

static int classify_bidi(h3_stream *hs, uint64_t v) {
  h3_conn *hc = hs->hc;
  int r = claim(hs, v);
  if (r != 0)
    return r < 0 ? -1 : 0;
  if (!hc->cfg.server)
    return h3_conn_error(hc, H3_STREAM_CREATION_ERROR, "server-initiated bidi stream");
  /* a request stream: |v| was its first frame type */
  hs->kind = HS_REQUEST;
  hs->ftype = v;
  hs->fr = FR_LEN;
  if (hs->id > hc->max_req_id)
    hc->max_req_id = hs->id;
  if (hc->goaway_sent)
    h3_stream_reject(hs);
  return 0;
}

static int stream_end(h3_stream *hs);

static int stream_feed(h3_stream *hs, const uint8_t *p, size_t len, bool fin) {
  h3_conn *hc = hs->hc;
  while (len > 0) {
    size_t used;
    bool done;
    uint64_t v;
    switch (hs->kind) {
    case HS_PENDING_UNI:
    case HS_PENDING_BIDI:
      used = varint_fill(hs->hdr, &hs->hdrlen, p, len, &v, &done);
      if (done && (hs->kind == HS_PENDING_UNI ? classify_uni(hs, v) : classify_bidi(hs, v)) != 0)
        return -1;
      break;
    case HS_CONTROL_IN:
    case HS_REQUEST:
      if (h3_stream_read_frames(hs, p, len) != 0)
        return -1;
      return fin ? stream_feed(hs, NULL, 0, true) : 0;
    case HS_EXT:
      if (!hs->owner || !hc->ext->stream_data)
        return 0;
      return hc->ext->stream_data(hc, hs, p, len, fin, hc->ext_ud);
    case HS_QPACK_IN:
    case HS_DISCARD:
    default:
      used = len;
      break;
    }
    p += used;
    len -= used;
  }
  return fin ? stream_end(hs) : 0;
}

/* stream_end: the peer finished its side after all the bytes before. */
static int stream_end(h3_stream *hs) {
  h3_conn *hc = hs->hc;
  switch (hs->kind) {
  case HS_CONTROL_IN:
  case HS_QPACK_IN:
    return h3_conn_error(hc, H3_CLOSED_CRITICAL_STREAM, "critical stream closed");
  case HS_REQUEST:
    if (hs->fr != FR_TYPE || hs->hdrlen != 0)
      return h3_conn_error(hc, H3_FRAME_ERROR, "stream ended inside a frame");
    if (hs->owner) {
      if (hc->ext->request_fin)
        hc->ext->request_fin(hc, hs, hc->ext_ud);
    } else if (!hs->headers_seen && hc->cfg.server) {
      quic_stream_reset(hs->qs, H3_REQUEST_INCOMPLETE, false);
    }
    return 0;
  case HS_EXT:
    if (!hs->owner || !hc->ext->stream_data)
      return 0;
    return hc->ext->stream_data(hc, hs, NULL, 0, true, hc->ext_ud);
  case HS_PENDING_BIDI:
  case HS_PENDING_UNI:
    /* a stream that ended before saying what it is: nothing to do */
    hs->kind = HS_DISCARD;
    return 0;
  default:
    return 0;
  }
}

/* ------------------------------------------------------------ quic callbacks */

static int q_tx_key_ready(quic_conn *qc, void *ud) {
  h3_conn *hc = ud;
  if (hc->ctrl_out)
    return 0;
  quic_stream *qs = quic_conn_open_stream(qc, false);
  h3_stream *hs = qs ? hs_new(hc, qs, HS_CONTROL_OUT) : NULL;
  if (!hs)
    return h3_conn_error(hc, H3_INTERNAL_ERROR, "cannot open the control stream");
  hc->ctrl_out = hs;
  /* QPACK: dynamic table capacity 0, no blocked streams; then the
   * extension's settings. */
  h3_setting list[2 + H3_CONN_MAX_SETTINGS] = {{H3_SETTING_QPACK_MAX_TABLE_CAPACITY, 0},
                                               {H3_SETTING_QPACK_BLOCKED_STREAMS, 0}};
  size_t n = 2;
  if (hc->cfg.nsettings > H3_CONN_MAX_SETTINGS)
    return h3_conn_error(hc, H3_INTERNAL_ERROR, "cannot send SETTINGS");
  for (size_t i = 0; i < hc->cfg.nsettings; i++)
    list[n++] = hc->cfg.settings[i];
  uint8_t buf[256];
  buf[0] = H3_STREAM_CONTROL;
  size_t len = h3_settings_write(buf + 1, sizeof(buf) - 1, list, n);
  if (len == 0 || quic_stream_send(qs, buf, len + 1, false) != 0)
    return h3_conn_error(hc, H3_INTERNAL_ERROR, "cannot send SETTINGS");
  return 0;
}

static int q_stream_data(quic_conn *qc, quic_stream *qs, const uint8_t *data, size_t len, bool fin,
                         void *ud) {
  h3_conn *hc = ud;
  h3_stream *hs = quic_stream_get_upper(qs);
  if (!hs) {
    if (quic_stream_is_local(qs)) {
      quic_stream_consume(qs, len);
      return 0;
    }
    bool bidi = (quic_stream_id(qs) & 0x2) == 0;
    hs = hs_new(hc, qs, bidi ? HS_PENDING_BIDI : HS_PENDING_UNI);
    if (!hs)
      return h3_conn_error(hc, H3_INTERNAL_ERROR, "out of memory");
  }
  int rv = stream_feed(hs, data, len, fin);
  if (!quic_conn_close_requested(qc))
    quic_stream_consume(qs, len);
  return rv;
}

static void q_stream_reset(quic_conn *qc, quic_stream *qs, uint64_t code, void *ud) {
  (void)qc;
  h3_conn *hc = ud;
  h3_stream *hs = quic_stream_get_upper(qs);
  if (!hs)
    return;
  switch (hs->kind) {
  case HS_CONTROL_IN:
  case HS_QPACK_IN:
    h3_conn_error(hc, H3_CLOSED_CRITICAL_STREAM, "critical stream reset");
    break;
  case HS_REQUEST:
    if (hs->owner) {
      quic_stream_reset(hs->qs, H3_REQUEST_CANCELLED, false); /* a reset answers a reset */
      if (hc->ext->request_lost)
        hc->ext->request_lost(hc, hs, hc->ext_ud);
    }
    hs->kind = HS_DISCARD;
    break;
  case HS_EXT:
    if (hs->owner && hc->ext->stream_reset)
      hc->ext->stream_reset(hc, hs, code, hc->ext_ud);
    break;
  default:
    break;
  }
}

static void q_stream_stop_sending(quic_conn *qc, quic_stream *qs, uint64_t code, void *ud) {
  (void)qc;
  h3_conn *hc = ud;
  h3_stream *hs = quic_stream_get_upper(qs);
  if (!hs)
    return;
  switch (hs->kind) {
  case HS_CONTROL_OUT:
    h3_conn_error(hc, H3_CLOSED_CRITICAL_STREAM, "peer stopped our control stream");
    break;
  case HS_REQUEST:
    if (hs->owner && hc->ext->request_lost)
      hc->ext->request_lost(hc, hs, hc->ext_ud);
    break;
  case HS_EXT:
    if (hs->owner && hc->ext->stream_stop)
      hc->ext->stream_stop(hc, hs, code, hc->ext_ud);
    break;
  default:
    break;
  }
}

static void q_stream_close(quic_conn *qc, quic_stream *qs, uint64_t code, void *ud) {
  (void)qc;
  (void)code;
  h3_conn *hc = ud;
  h3_stream *hs = quic_stream_get_upper(qs);
  if (!hs)
    return;
  if (hs->owner) {
    if (hs->kind == HS_REQUEST && hc->ext->request_lost)
      hc->ext->request_lost(hc, hs, hc->ext_ud);
    else if (hs->kind == HS_EXT && hc->ext->stream_close)
      hc->ext->stream_close(hc, hs, hc->ext_ud);
  }
  if (hs == hc->ctrl_out)
    hc->ctrl_out = NULL;
  hs_free(hs);
}

static int q_datagram(quic_conn *qc, const uint8_t *data, size_t len, void *ud) {
  (void)qc;
  h3_conn *hc = ud;
  return hc->ext->datagram ? hc->ext->datagram(hc, data, len, hc->ext_ud) : 0;
}

static const quic_app_ops h3_quic_ops = {
    .tx_key_ready = q_tx_key_ready,
    .stream_data = q_stream_data,
    .stream_reset = q_stream_reset,
    .stream_stop_sending = q_stream_stop_sending,
    .stream_close = q_stream_close,
    .datagram = q_datagram,
};

/* ------------------------------------------------------------ public */

h3_conn *h3_conn_new(const h3_conn_config *cfg, quic_conn *qc, const h3_ext_ops *ext,
                     void *ext_ud) {
  h3_conn *hc = calloc(1, sizeof(*hc));
  if (!hc)
    return NULL;
  hc->qpack = h3_qpack_new();
  if (!hc->qpack) {
    free(hc);
    return NULL;
  }
  hc->qc = qc;
  hc->cfg = *cfg;
  hc->ext = ext ? ext : &no_ext;
  hc->ext_ud = ext_ud;
  hc->max_req_id = -1;
  quic_conn_set_app(qc, &h3_quic_ops, hc);
  return hc;
}

void h3_conn_free(h3_conn *hc) {
  if (!hc)
    return;
  while (hc->streams)
    hs_free(hc->streams);
  quic_conn_set_app(hc->qc, NULL, NULL);
  h3_qpack_free(hc->qpack);
  free(hc);
}

quic_conn *h3_conn_quic(h3_conn *hc) { return hc->qc; }

const h3_settings *h3_conn_peer_settings(const h3_conn *hc) {
  return hc->peer_settings_received ? &hc->peer : NULL;
}

void h3_conn_send_goaway(h3_conn *hc) {
  if (hc->goaway_sent || !hc->ctrl_out)
    return;
  uint8_t buf[H3_FRAME_HDR_MAX + VARINT_MAXLEN];
  uint64_t id = hc->max_req_id < 0 ? 0 : (uint64_t)hc->max_req_id + 4;
  size_t n = h3_goaway_write(buf, id);
  if (quic_stream_send(hc->ctrl_out->qs, buf, n, false) == 0)
    hc->goaway_sent = true;
}

bool h3_conn_goaway_sent(const h3_conn *hc) { return hc->goaway_sent; }

h3_stream *h3_conn_open_request(h3_conn *hc, void *owner) {
  h3_stream *hs = h3_conn_open_stream(hc, true, owner);
  if (hs)
    hs->kind = HS_REQUEST;
  return hs;
}

h3_stream *h3_conn_open_stream(h3_conn *hc, bool bidi, void *owner) {
  quic_stream *qs = quic_conn_open_stream(hc->qc, bidi);
  if (!qs)
    return NULL;
  h3_stream *hs = hs_new(hc, qs, HS_EXT);
  if (!hs) {
    quic_stream_reset(qs, H3_INTERNAL_ERROR, bidi);
    return NULL;
  }
  hs->owner = owner;
  return hs;
}

