/* Internal to src/quic: the connection and stream records shared by the
 * files that make up one QUIC connection (quic_conn.c: lifecycle, reading,
 * timers and closing; quic_callbacks.c: ngtcp2's callbacks; quic_stream.c:
 * stream send queues and flow-control credit; quic_datagram.c: the outgoing
 * datagram ring; quic_write.c: the write loop). Nothing outside src/quic
 * includes it. */
#ifndef WTPING_QUIC_CONN_INTERNAL_H
#define WTPING_QUIC_CONN_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include <gnutls/gnutls.h>
#include <ngtcp2/ngtcp2.h>

#include "common/sendq.h"
#include "quic/quic_conn.h"
#include "quic/quic_tls.h"

/* Outgoing datagrams wait in a small ring of fixed slots, allocated on first
 * use. A datagram that finds the ring full is dropped (they are unreliable
 * anyway) and counted. */
#define DGQ_SLOTS 16
#define DGQ_SLOT_SIZE 1200

/* Flow-control credit is held back while this many bytes are unacked. */
#define STREAM_SEND_HIGH_WATER (128 * 1024)

/* At most this many packets per write call; then a zero timer continues. */
#define WRITE_BURST_MAX 64

enum quic_state { QS_ACTIVE, QS_CLOSING, QS_DRAINING, QS_DEAD };

struct quic_stream {
  quic_conn *qc;
  int64_t id;
  sendq sq;
  uint64_t held_credit; /* consumed bytes not yet credited */
  bool fin_queued, fin_sent;
  bool blocked;      /* flow control: waiting for extend_max_stream_data */
  bool in_sendlist;
  bool write_shut;   /* reset or STOP_SENDING received: nothing more to send */
  quic_stream *snext; /* send list */
  quic_stream *prev, *next; /* all streams */
  void *upper;
};

struct quic_conn {
  ngtcp2_conn *conn;
  gnutls_session_t tls; /* NULL once released after the server's handshake */
  bool release_tls;     /* the handshake completed: release |tls| after this read */
  /* the peer's certificate, kept when |tls| is released (quic_conn_peer_cert) */
  int peer_cert;        /* quic_tls_peer_cert's result: 1 present, 0 none */
  char peer_subject[256];
  uint8_t peer_sha256[32];
  quic_tls_ref ref; /* gnutls_session_get_ptr() points here */
  quic_conn_config cfg;
  bool server;
  enum quic_state state;

  const quic_io_ops *io;
  void *io_ud;
  const quic_app_ops *app;
  void *app_ud;

  quic_stream *streams;                 /* all live streams */
  quic_stream *send_head, *send_tail;   /* streams with data to send */

  /* datagram ring */
  uint8_t *dg_buf;
  uint16_t dg_len[DGQ_SLOTS];
  unsigned dg_head, dg_count;

  /* closing */
  bool close_requested;
  ngtcp2_connection_close_error ccerr;
  uint8_t *close_pkt;
  size_t close_pktlen;
  ngtcp2_path_storage close_path;
  ngtcp2_tstamp close_deadline;
  unsigned close_resends;
  bool burst_cut; /* the last write stopped at WRITE_BURST_MAX */
  ngtcp2_tstamp now; /* time of the current or last read, write or timeout */
  quic_end end;      /* why the connection ended, once it did */
  bool local_close_liberr; /* our close came from a library error */
  int liberr;
};

/* quic_stream.c */
quic_stream *quic_stream_new(quic_conn *qc, int64_t id);
void quic_stream_free(quic_conn *qc, quic_stream *s);
/* quic_stream_get returns the stream for |id|, creating the record for a
 * peer stream that ngtcp2 opened implicitly; NULL when out of memory. */
quic_stream *quic_stream_get(quic_conn *qc, int64_t id, void *stream_user_data);
void quic_sendlist_remove(quic_conn *qc, quic_stream *s);
void quic_sendlist_push(quic_conn *qc, quic_stream *s);
/* quic_stream_release_credit returns held flow-control credit unless the
 * unacknowledged send queue is above STREAM_SEND_HIGH_WATER. */
void quic_stream_release_credit(quic_stream *s);

/* quic_callbacks.c */
void quic_conn_fill_callbacks(ngtcp2_callbacks *cb, bool server);

/* quic_datagram.c */
void quic_dgq_pop(quic_conn *qc);

/* quic_conn.c */
/* quic_conn_close_liberr asks for a transport close for library error
 * |liberr| (a TLS alert for NGTCP2_ERR_CRYPTO). */
void quic_conn_close_liberr(quic_conn *qc, int liberr);
void quic_conn_enter_closing(quic_conn *qc, ngtcp2_tstamp now);

#endif
