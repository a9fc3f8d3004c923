/* An HTTP/3 connection (RFC 9114) on one QUIC connection, for both roles.
 *
 * Owns: our control stream and SETTINGS (GOAWAY later), the peer's control
 * and QPACK streams, the classification of every stream by its first varint,
 * request streams (HEADERS and DATA frames, the QPACK codec), the peer's
 * SETTINGS and GOAWAY. It knows nothing of what runs on top: an extension
 * (WebTransport, src/wt) gets hooks to claim streams whose first varint
 * HTTP/3 does not know, to take requests and the DATA of request streams it
 * owns, and to receive datagrams; the settings it needs are configuration.
 * Sans-I/O like the QUIC layer below: it never reads a clock. */
#ifndef WTPING_H3_CONN_H
#define WTPING_H3_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "h3/h3_qpack.h"
#include "h3/h3_request.h"
#include "h3/h3_settings.h"
#include "quic/quic_conn.h"

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

typedef struct h3_conn_config {
  bool server;
  size_t max_header_size; /* cap on a HEADERS payload we read */
  /* Settings sent after our QPACK ones (capacity 0, blocked streams 0),
   * in this order. The array is kept by reference. */
  const h3_setting *settings;
  size_t nsettings;
} h3_conn_config;

/* h3_conn_new attaches HTTP/3 to |qc| (it installs itself as |qc|'s
 * quic_app_ops) with the extension |ext| (may be NULL). Returns NULL on
 * allocation failure. */
h3_conn *h3_conn_new(const h3_conn_config *cfg, quic_conn *qc, const h3_ext_ops *ext,
                     void *ext_ud);

/* h3_conn_free frees the layer and its streams (not |qc|), without hooks. */
void h3_conn_free(h3_conn *hc);

quic_conn *h3_conn_quic(h3_conn *hc);

/* h3_conn_error closes the connection with HTTP/3 error |code| (|why| is
 * logged and sent as the reason). Returns -1. */
int h3_conn_error(h3_conn *hc, uint64_t code, const char *why);

/* h3_conn_peer_settings returns the peer's SETTINGS, or NULL before they
 * arrived. */
const h3_settings *h3_conn_peer_settings(const h3_conn *hc);

/* h3_conn_send_goaway (server) sends GOAWAY naming the first request stream
 * that will not be processed; requests opened after it are rejected. Once. */
void h3_conn_send_goaway(h3_conn *hc);
bool h3_conn_goaway_sent(const h3_conn *hc);

/* h3_conn_open_request (client) opens a request stream owned by |owner|.
 * Returns NULL when the peer's stream limit is reached or on allocation
 * failure. Send the request with h3_stream_send_headers. */
h3_stream *h3_conn_open_request(h3_conn *hc, void *owner);

/* h3_conn_open_stream opens a bidirectional or unidirectional stream owned
 * by |owner| whose bytes are the extension's (nothing of HTTP/3 is written).
 * Returns NULL when the peer's stream limit is reached or on allocation
 * failure. */
h3_stream *h3_conn_open_stream(h3_conn *hc, bool bidi, void *owner);

/* Streams */
int64_t h3_stream_id(const h3_stream *hs);
bool h3_stream_is_bidi(const h3_stream *hs);
bool h3_stream_is_local(const h3_stream *hs);
quic_stream *h3_stream_quic(const h3_stream *hs);
void *h3_stream_owner(const h3_stream *hs);

/* h3_stream_claim makes |owner| the owner of |hs| (from claim_stream, or a
 * request the extension accepted: its DATA then goes to request_data). */
void h3_stream_claim(h3_stream *hs, void *owner);

/* h3_stream_release drops the owner: everything that still arrives on |hs|
 * is discarded, and no hook is called for it again. */
void h3_stream_release(h3_stream *hs);

/* h3_stream_send_headers QPACK-encodes |n| headers and queues a HEADERS
 * frame (and a FIN). Returns 0, or -1 (nothing queued) if it does not fit. */
int h3_stream_send_headers(h3_stream *hs, const h3_header *hdrs, size_t n, bool fin);

/* h3_stream_respond sends a response: :status |status| then |extra|.
 * Returns 0, or -1 after a connection error. */
int h3_stream_respond(h3_stream *hs, int status, const h3_header *extra, size_t nextra, bool fin);

/* h3_stream_send_data queues one DATA frame with |payload| (and a FIN).
 * Returns 0, or -1 (nothing queued) if the send queue has no room. */
int h3_stream_send_data(h3_stream *hs, const uint8_t *payload, size_t len, bool fin);

/* h3_stream_refuse answers a request with |status| and FIN, asks the peer to
 * stop sending (H3_NO_ERROR) and discards the rest of the stream. */
void h3_stream_refuse(h3_stream *hs, int status);

/* h3_stream_reject resets a request stream with H3_REQUEST_REJECTED (not
 * processed: the client may retry it) and discards the rest. */
void h3_stream_reject(h3_stream *hs);

#endif
