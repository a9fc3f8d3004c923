/* What h3_conn.c and h3_stream.c share: the structures behind h3_conn and
 * h3_stream and the functions one calls in the other. Not for use outside
 * src/h3. */
#ifndef WTPING_H3_INTERNAL_H
#define WTPING_H3_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <inttypes.h>

#include "common/log.h"
#include "common/varint.h"
#include "h3/h3_ext.h"
#include "h3/h3_qpack.h"
#include "h3/h3_request.h"
#include "h3/h3_settings.h"
#include "quic/quic_conn.h"

enum hs_kind {
  HS_PENDING_BIDI, /* peer bidi stream, first varint unknown */
  HS_PENDING_UNI,  /* peer uni stream, stream type unknown */
  HS_CONTROL_OUT,
  HS_CONTROL_IN,
  HS_QPACK_IN,
  HS_REQUEST, /* request stream (either role) */
  HS_EXT,     /* the extension's bytes (claimed or opened by it) */
  HS_DISCARD, /* everything that arrives is dropped */
};

enum fr_state { FR_TYPE, FR_LEN, FR_BUFFER, FR_DATA, FR_SKIP };

struct h3_stream {
  h3_conn *hc;
  quic_stream *qs;
  int64_t id;
  uint8_t kind;
  bool bidi, local;
  /* varint accumulation for stream types and frame headers */
  uint8_t hdr[VARINT_MAXLEN];
  uint8_t hdrlen;
  /* frame parser */
  uint8_t fr;
  uint64_t ftype, fleft;
  uint8_t *buf; /* a buffered frame payload */
  size_t buflen, bufcap;
  bool headers_seen;
  bool bearer_challenge;   /* client: the response asked for a Bearer token */
  h3_request *pending_req; /* server: waiting for the client's SETTINGS */
  void *owner;             /* the extension's pointer */
  h3_stream *next, *prev;  /* every stream of the connection */
};

struct h3_conn {
  quic_conn *qc;
  h3_conn_config cfg;
  const h3_ext_ops *ext;
  void *ext_ud;
  h3_qpack *qpack;
  h3_stream *ctrl_out;
  bool have_ctrl_in, have_qenc_in, have_qdec_in;
  bool peer_settings_received;
  h3_settings peer;
  h3_stream *streams;
  bool goaway_sent, goaway_received;
  int64_t max_req_id;
};

/* h3_fail closes the connection with HTTP/3 error |code| (|why| is logged
 * and sent as the reason) and returns -1: h3_conn_error for both files. */
static inline int h3_fail(h3_conn *hc, uint64_t code, const char *why) {
  log_info("connection error 0x%" PRIx64 ": %s", code, why);
  quic_conn_close(hc->qc, code, why);
  return -1;
}

/* h3_stream.c: h3_stream_read_frames runs the frame parser of the peer's
 * control stream or of a request stream over |len| bytes and acts on each
 * complete frame. Returns 0 or -1. */
int h3_stream_read_frames(h3_stream *hs, const uint8_t *p, size_t len);

#endif
