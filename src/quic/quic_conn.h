/* One QUIC connection: ngtcp2 + GnuTLS, stream send queues, flow-control
 * credit, outgoing datagrams, timers and the closing/draining periods.
 *
 * Sans-I/O: time comes in as a parameter (ngtcp2 timestamps, nanoseconds on
 * CLOCK_MONOTONIC) and packets leave through the send_packet callback; the
 * caller owns sockets and timers. The layer above (HTTP/3, h3_conn.c) sees
 * streams and datagrams through quic_app_ops. */
#ifndef WTPING_QUIC_CONN_H
#define WTPING_QUIC_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ngtcp2/ngtcp2.h>

#include "common/sendq.h"
#include "quic/quic_tls.h"

#define QUIC_SCID_LEN 16
#define QUIC_STATIC_SECRET_LEN 32

typedef struct quic_conn quic_conn;
typedef struct quic_stream quic_stream;

/* The I/O owner's callbacks (the server or client program). */
typedef struct quic_io_ops {
  /* send_packet sends one UDP datagram on |path| (local and remote). */
  void (*send_packet)(quic_conn *qc, const ngtcp2_path *path, uint32_t ecn, const uint8_t *data,
                      size_t len, void *ud);
  /* new_cid / retire_cid: a server registers every CID it issues so that
   * packets can be routed by destination CID. new_cid returns 0 or -1. */
  int (*new_cid)(quic_conn *qc, const ngtcp2_cid *cid, void *ud);
  void (*retire_cid)(quic_conn *qc, const ngtcp2_cid *cid, void *ud);
  /* qlog (optional, diagnostics): qlog_open is asked once, while the
   * connection is created, with its original destination CID; returning 0
   * turns ngtcp2's qlog writer on for it, and its output (JSON-SEQ) goes to
   * qlog_write until a call with |fin|, at the latest from quic_conn_free. */
  int (*qlog_open)(quic_conn *qc, const ngtcp2_cid *odcid, bool server, void *ud);
  void (*qlog_write)(quic_conn *qc, const void *data, size_t len, bool fin, void *ud);
} quic_io_ops;

/* The protocol layer's callbacks. A callback that hit a connection error
 * calls quic_conn_close() first; returning nonzero then stops processing of
 * the packet. */
typedef struct quic_app_ops {
  int (*tx_key_ready)(quic_conn *qc, void *ud); /* 1-RTT key: 0.5-RTT data may go */
  int (*handshake_done)(quic_conn *qc, void *ud);
  int (*stream_data)(quic_conn *qc, quic_stream *s, const uint8_t *data, size_t len, bool fin,
                     void *ud);
  void (*stream_reset)(quic_conn *qc, quic_stream *s, uint64_t code, void *ud);
  void (*stream_stop_sending)(quic_conn *qc, quic_stream *s, uint64_t code, void *ud);
  /* stream_close: both directions are finished; |s| is freed right after. */
  void (*stream_close)(quic_conn *qc, quic_stream *s, uint64_t code, void *ud);
  int (*datagram)(quic_conn *qc, const uint8_t *data, size_t len, void *ud);
} quic_app_ops;

typedef struct quic_conn_config {
  ngtcp2_duration idle_timeout;     /* default 30 s */
  ngtcp2_duration handshake_timeout; /* default 10 s */
  uint64_t max_streams_bidi;        /* peer-initiated, concurrently */
  uint64_t max_streams_uni;
  uint64_t stream_window;           /* initial_max_stream_data_* */
  uint64_t conn_window;             /* initial_max_data */
  size_t sendq_limit;               /* per stream, unacknowledged bytes */
  const uint8_t *static_secret;     /* QUIC_STATIC_SECRET_LEN bytes: reset tokens */
  uint8_t *txbuf;                   /* shared scratch buffer for one packet */
  size_t txbuflen;                  /* >= NGTCP2_MAX_PMTUD_UDP_PAYLOAD_SIZE */
  bool debug;                       /* ngtcp2 debug log to stderr */
  ngtcp2_duration keepalive;        /* client: PING after this much quiet; 0 = off */
} quic_conn_config;

void quic_conn_config_default(quic_conn_config *cfg);

/* quic_conn_server_new accepts a new connection from the first Initial
 * packet's header |hd| received on |path| at |now|. Returns NULL on failure
 * (allocation or TLS). */
quic_conn *quic_conn_server_new(const quic_conn_config *cfg, quic_tls_server *tls,
                                const ngtcp2_pkt_hd *hd, const ngtcp2_path *path, ngtcp2_tstamp now,
                                const quic_io_ops *io, void *io_ud);

/* quic_conn_server_new_retried is quic_conn_server_new for an Initial
 * that carried a valid Retry token: |odcid| is the DCID of the client's
 * first Initial (from the token), |hd|->dcid the SCID of our Retry. */
quic_conn *quic_conn_server_new_retried(const quic_conn_config *cfg, quic_tls_server *tls,
                                        const ngtcp2_pkt_hd *hd, const ngtcp2_cid *odcid,
                                        const ngtcp2_path *path, ngtcp2_tstamp now,
                                        const quic_io_ops *io, void *io_ud);

/* quic_conn_client_new starts a connection to |path|'s remote address.
 * |verify| (kept by reference) holds the expected host and receives the
 * reason of a certificate failure. Returns NULL on failure. */
quic_conn *quic_conn_client_new(const quic_conn_config *cfg, quic_tls_client *tls,
                                quic_tls_verify *verify, const ngtcp2_path *path,
                                ngtcp2_tstamp now, const quic_io_ops *io, void *io_ud);

void quic_conn_free(quic_conn *qc);

/* Why a connection ended. */
typedef enum quic_end {
  QUIC_END_NONE,
  QUIC_END_IDLE,
  QUIC_END_HANDSHAKE_TIMEOUT,
  QUIC_END_PEER_CLOSE,      /* CONNECTION_CLOSE received */
  QUIC_END_LOCAL_CLOSE,     /* we sent CONNECTION_CLOSE */
  QUIC_END_STATELESS_RESET, /* the peer no longer knows the connection */
  QUIC_END_DROPPED,
} quic_end;

quic_end quic_conn_end(const quic_conn *qc);

/* quic_conn_describe_end writes a one-line reason for a person: certificate
 * problems, TLS alerts (ALPN), the peer's close with its code and reason,
 * timeouts. */
void quic_conn_describe_end(quic_conn *qc, char *buf, size_t cap);

void quic_conn_set_app(quic_conn *qc, const quic_app_ops *ops, void *ud);

/* quic_conn_read processes one received UDP payload. Then call
 * quic_conn_write. Returns 0; a fatal condition moves the connection to the
 * closing or draining period (or dead), see quic_conn_is_dead. */
int quic_conn_read(quic_conn *qc, const ngtcp2_path *path, uint32_t ecn, const uint8_t *data,
                   size_t len, ngtcp2_tstamp now);

/* quic_conn_write sends everything that may be sent now: queued stream data,
 * datagrams, ACKs, a requested CONNECTION_CLOSE. */
void quic_conn_write(quic_conn *qc, ngtcp2_tstamp now);

/* quic_conn_expiry returns when quic_conn_timeout must be called next
 * (UINT64_MAX: never). */
ngtcp2_tstamp quic_conn_expiry(quic_conn *qc);

/* quic_conn_timeout handles timer expiry (loss detection, idle timeout,
 * pacing, end of the closing period) and writes. */
void quic_conn_timeout(quic_conn *qc, ngtcp2_tstamp now);

/* quic_conn_close asks for the connection to be closed with HTTP/3
 * application error |code| (|reason| may be NULL); the CONNECTION_CLOSE goes
 * out at the next write. The first call wins. */
void quic_conn_close(quic_conn *qc, uint64_t code, const char *reason);

/* quic_conn_close_requested returns true once quic_conn_close was called or
 * the connection is closing, draining or dead: callbacks stop working then. */
bool quic_conn_close_requested(const quic_conn *qc);

/* quic_conn_is_dead returns true when the owner must free the connection. */
bool quic_conn_is_dead(const quic_conn *qc);

/* quic_conn_has_tls returns true while the connection holds its GnuTLS
 * session: a server releases it once the handshake is complete. */
bool quic_conn_has_tls(const quic_conn *qc);

/* quic_conn_handshake_completed returns true after the TLS handshake. */
bool quic_conn_handshake_completed(const quic_conn *qc);

ngtcp2_conn *quic_conn_ngtcp2(quic_conn *qc);

/* quic_conn_peer_cert describes the certificate the peer presented, as
 * quic_tls_peer_cert does, also after a server released its TLS session
 * at the end of the handshake. Returns 1 (a certificate), 0 (none) or -1. */
int quic_conn_peer_cert(quic_conn *qc, char *subject, size_t cap, uint8_t sha256[32]);

/* quic_conn_open_stream opens a local stream (|bidi| or uni). Returns NULL
 * when the peer's stream limit is reached (or no memory). */
quic_stream *quic_conn_open_stream(quic_conn *qc, bool bidi);

/* quic_conn_send_datagram queues a DATAGRAM frame payload (|hdr| then
 * |data|; either may be NULL when its length is 0). Returns 0, or -1 if the queue is full, the payload cannot fit a
 * packet, or the peer does not accept datagrams. */
int quic_conn_send_datagram(quic_conn *qc, const uint8_t *hdr, size_t hdrlen, const uint8_t *data,
                            size_t len);

/* quic_conn_max_datagram_payload returns the largest DATAGRAM payload that
 * fits one packet now (0 if the peer takes none). */
size_t quic_conn_max_datagram_payload(quic_conn *qc);

/* Streams */
int64_t quic_stream_id(const quic_stream *s);
void *quic_stream_get_upper(const quic_stream *s);
void quic_stream_set_upper(quic_stream *s, void *upper);

/* quic_stream_send queues |len| bytes (and a FIN when |fin|). Returns 0, or
 * -1 if the send queue's limit would be exceeded (nothing queued) or the
 * stream was already finished. */
int quic_stream_send(quic_stream *s, const uint8_t *data, size_t len, bool fin);

/* quic_stream_send_room returns the bytes quic_stream_send accepts now. */
size_t quic_stream_send_room(const quic_stream *s);

/* quic_stream_consume returns flow-control credit for |n| received bytes.
 * Credit is held back while the stream's unacknowledged send queue is above
 * its high-water mark, so a peer that does not read its replies is stopped
 * by flow control instead of growing our memory. */
void quic_stream_consume(quic_stream *s, size_t n);

/* quic_conn_consume returns connection-level credit only (for bytes of a
 * stream that is gone). */
void quic_conn_consume(quic_conn *qc, size_t n);

/* quic_stream_reset resets the sending side (RESET_STREAM) and, when |stop|
 * is set, asks the peer to stop too (STOP_SENDING), with HTTP/3 error |code|. */
void quic_stream_reset(quic_stream *s, uint64_t code, bool stop);

/* quic_stream_stop_reading sends STOP_SENDING with |code|. */
void quic_stream_stop_reading(quic_stream *s, uint64_t code);

/* quic_stream_is_local returns true if we opened the stream. */
bool quic_stream_is_local(const quic_stream *s);

/* quic_conn_now returns the timestamp of the current (or last) read, write
 * or timeout call: callbacks use it as "now". */
ngtcp2_tstamp quic_conn_now(const quic_conn *qc);
ngtcp2_duration quic_conn_pto(quic_conn *qc);

/* Statistics. */
void quic_conn_get_stat(quic_conn *qc, ngtcp2_conn_stat *st);
const ngtcp2_path *quic_conn_path(quic_conn *qc);

#endif
