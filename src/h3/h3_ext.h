/* What an extension of HTTP/3 (WebTransport, src/wt) plugs into an
 * h3_conn (h3_conn.h): its hooks and the connection's configuration,
 * including the SETTINGS the extension needs. */
#ifndef WTPING_H3_EXT_H
#define WTPING_H3_EXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "h3/h3_request.h"
#include "h3/h3_settings.h"

typedef struct h3_conn h3_conn;
typedef struct h3_stream h3_stream;

/* The extension's hooks; every one is optional. |ud| is the pointer given
 * to h3_conn_new. A hook that returns int returns 0, or -1 after it called
 * h3_conn_error. A stream "owned" by the extension is one it claimed (by
 * claim_stream or h3_stream_claim) or opened; h3_stream_owner gives its
 * pointer back. */
typedef struct h3_ext_ops {
  /* claim_stream: a peer stream starts with |type|, a unidirectional stream
   * type that HTTP/3 does not know, or the first varint of a bidirectional
   * stream (normally a frame type). Return 1 after h3_stream_claim to take
   * the stream: its remaining bytes then go to stream_data. Return 0 to
   * leave it to HTTP/3 (an unknown uni stream is stopped with
   * H3_STREAM_CREATION_ERROR; a bidi stream is a request on a server). */
  int (*claim_stream)(h3_conn *hc, h3_stream *hs, uint64_t type, void *ud);
  /* stream_data: bytes of a claimed or extension-opened stream; |fin| at its
   * end (then |data| may be NULL and |len| 0). */
  int (*stream_data)(h3_conn *hc, h3_stream *hs, const uint8_t *data, size_t len, bool fin,
                     void *ud);
  /* stream_reset / stream_stop: the peer reset its side of an owned
   * (non-request) stream / asked us to stop sending, with HTTP/3 code |code|. */
  void (*stream_reset)(h3_conn *hc, h3_stream *hs, uint64_t code, void *ud);
  void (*stream_stop)(h3_conn *hc, h3_stream *hs, uint64_t code, void *ud);
  /* stream_close: an owned (non-request) stream is finished both ways and is
   * freed right after. */
  void (*stream_close)(h3_conn *hc, h3_stream *hs, void *ud);

  /* request (server): a complete request header section on |hs|, delivered
   * once the peer's SETTINGS are known. Answer with h3_stream_respond and
   * h3_stream_claim, or h3_stream_refuse / h3_stream_reject. Without this
   * hook every request is refused with 404. */
  int (*request)(h3_conn *hc, h3_stream *hs, const h3_request *req, void *ud);
  /* response (client): the final status on an owned request stream (2xx or
   * not), or 0 when the response was malformed (the stream was reset). */
  int (*response)(h3_conn *hc, h3_stream *hs, int status, void *ud);
  /* request_data: the payload of DATA frames on an owned request stream. */
  int (*request_data)(h3_conn *hc, h3_stream *hs, const uint8_t *data, size_t len, void *ud);
  /* request_fin: the peer finished an owned request stream cleanly. */
  void (*request_fin)(h3_conn *hc, h3_stream *hs, void *ud);
  /* request_lost: an owned request stream was reset, stopped or closed
   * underneath its owner (a reset was already answered with
   * H3_REQUEST_CANCELLED). After a close it is freed right after. */
  void (*request_lost)(h3_conn *hc, h3_stream *hs, void *ud);

  /* settings: the peer's SETTINGS arrived (before parked requests are
   * delivered). */
  int (*settings)(h3_conn *hc, const h3_settings *peer, void *ud);
  /* goaway: the peer sent GOAWAY with |id| (already validated). */
  void (*goaway)(h3_conn *hc, uint64_t id, void *ud);
  /* datagram: a QUIC DATAGRAM payload (RFC 9297 framing is the extension's);
   * without the hook datagrams are dropped. */
  int (*datagram)(h3_conn *hc, const uint8_t *data, size_t len, void *ud);
} h3_ext_ops;

#define H3_CONN_MAX_SETTINGS 14

typedef struct h3_conn_config {
  bool server;
  size_t max_header_size; /* cap on a HEADERS payload we read */
  /* Settings sent after our QPACK ones (capacity 0, blocked streams 0),
   * in this order; at most H3_CONN_MAX_SETTINGS. The array is kept by
   * reference. */
  const h3_setting *settings;
  size_t nsettings;
} h3_conn_config;

#endif
