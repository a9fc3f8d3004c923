#include "quic/quic_conn.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/crypto.h>
#include <ngtcp2/ngtcp2_crypto.h>

#include "common/log.h"

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
  gnutls_session_t tls;
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

/* ------------------------------------------------------------ helpers */

static void rand_cb(uint8_t *dest, size_t destlen, const ngtcp2_rand_ctx *ctx) {
  (void)ctx;
  (void)gnutls_rnd(GNUTLS_RND_RANDOM, dest, destlen);
}

static ngtcp2_conn *get_conn_cb(ngtcp2_crypto_conn_ref *ref) {
  quic_conn *qc = ref->user_data;
  return qc->conn;
}

static void debug_printf(void *ud, const char *fmt, ...) {
  (void)ud;
  va_list ap;
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
}

static quic_stream *stream_new(quic_conn *qc, int64_t id) {
  quic_stream *s = calloc(1, sizeof(*s));
  if (!s)
    return NULL;
  s->qc = qc;
  s->id = id;
  sendq_init(&s->sq, qc->cfg.sendq_limit);
  s->next = qc->streams;
  if (qc->streams)
    qc->streams->prev = s;
  qc->streams = s;
  return s;
}

static void sendlist_remove(quic_conn *qc, quic_stream *s) {
  if (!s->in_sendlist)
    return;
  quic_stream **pp = &qc->send_head;
  quic_stream *prev = NULL;
  while (*pp && *pp != s) {
    prev = *pp;
    pp = &(*pp)->snext;
  }
  if (*pp) {
    *pp = s->snext;
    if (qc->send_tail == s)
      qc->send_tail = prev;
  }
  s->snext = NULL;
  s->in_sendlist = false;
}

static void sendlist_push(quic_conn *qc, quic_stream *s) {
  if (s->in_sendlist || s->blocked || s->write_shut)
    return;
  s->snext = NULL;
  if (qc->send_tail)
    qc->send_tail->snext = s;
  else
    qc->send_head = s;
  qc->send_tail = s;
  s->in_sendlist = true;
}

static void stream_free(quic_conn *qc, quic_stream *s) {
  sendlist_remove(qc, s);
  if (s->prev)
    s->prev->next = s->next;
  else
    qc->streams = s->next;
  if (s->next)
    s->next->prev = s->prev;
  sendq_free(&s->sq);
  free(s);
}

/* get_stream returns the stream for |id|, creating the record for a peer
 * stream that ngtcp2 opened implicitly. */
static quic_stream *get_stream(quic_conn *qc, int64_t id, void *stream_user_data) {
  if (stream_user_data)
    return stream_user_data;
  quic_stream *s = stream_new(qc, id);
  if (!s)
    return NULL;
  if (ngtcp2_conn_set_stream_user_data(qc->conn, id, s) != 0) {
    stream_free(qc, s);
    return NULL;
  }
  return s;
}

static int fail_cb(quic_conn *qc) {
  (void)qc;
  return NGTCP2_ERR_CALLBACK_FAILURE;
}

static void release_credit(quic_stream *s) {
  if (!s->held_credit)
    return;
  if (s->sq.end - s->sq.acked > STREAM_SEND_HIGH_WATER)
    return;
  ngtcp2_conn_extend_max_stream_offset(s->qc->conn, s->id, s->held_credit);
  ngtcp2_conn_extend_max_offset(s->qc->conn, s->held_credit);
  s->held_credit = 0;
}

/* ------------------------------------------------------------ callbacks */

static int cb_stream_open(ngtcp2_conn *conn, int64_t stream_id, void *user_data) {
  (void)conn;
  quic_conn *qc = user_data;
  return get_stream(qc, stream_id, NULL) ? 0 : fail_cb(qc);
}

static int cb_recv_stream_data(ngtcp2_conn *conn, uint32_t flags, int64_t stream_id,
                               uint64_t offset, const uint8_t *data, size_t datalen,
                               void *user_data, void *stream_user_data) {
  (void)conn;
  (void)offset;
  quic_conn *qc = user_data;
  if (qc->close_requested)
    return fail_cb(qc);
  quic_stream *s = get_stream(qc, stream_id, stream_user_data);
  if (!s)
    return fail_cb(qc);
  bool fin = flags & NGTCP2_STREAM_DATA_FLAG_FIN;
  if (qc->app && qc->app->stream_data) {
    if (qc->app->stream_data(qc, s, data, datalen, fin, qc->app_ud) != 0 || qc->close_requested)
      return fail_cb(qc);
  } else {
    quic_stream_consume(s, datalen);
  }
  return 0;
}

static int cb_acked_stream_data_offset(ngtcp2_conn *conn, int64_t stream_id, uint64_t offset,
                                       uint64_t datalen, void *user_data, void *stream_user_data) {
  (void)conn;
  (void)stream_id;
  (void)user_data;
  quic_stream *s = stream_user_data;
  if (!s)
    return 0;
  sendq_ack(&s->sq, offset + datalen);
  release_credit(s);
  return 0;
}

static int cb_stream_close(ngtcp2_conn *conn, uint32_t flags, int64_t stream_id,
                           uint64_t app_error_code, void *user_data, void *stream_user_data) {
  quic_conn *qc = user_data;
  quic_stream *s = stream_user_data;
  if (!(flags & NGTCP2_STREAM_CLOSE_FLAG_APP_ERROR_CODE_SET))
    app_error_code = 0;
  if (!ngtcp2_conn_is_local_stream(conn, stream_id)) {
    if (ngtcp2_is_bidi_stream(stream_id))
      ngtcp2_conn_extend_max_streams_bidi(conn, 1);
    else
      ngtcp2_conn_extend_max_streams_uni(conn, 1);
  }
  if (!s)
    return 0;
  if (qc->app && qc->app->stream_close)
    qc->app->stream_close(qc, s, app_error_code, qc->app_ud);
  stream_free(qc, s);
  return 0;
}

static int cb_stream_reset(ngtcp2_conn *conn, int64_t stream_id, uint64_t final_size,
                           uint64_t app_error_code, void *user_data, void *stream_user_data) {
  (void)conn;
  (void)final_size;
  quic_conn *qc = user_data;
  quic_stream *s = get_stream(qc, stream_id, stream_user_data);
  if (!s)
    return fail_cb(qc);
  if (qc->app && qc->app->stream_reset)
    qc->app->stream_reset(qc, s, app_error_code, qc->app_ud);
  return qc->close_requested ? fail_cb(qc) : 0;
}

static int cb_stream_stop_sending(ngtcp2_conn *conn, int64_t stream_id, uint64_t app_error_code,
                                  void *user_data, void *stream_user_data) {
  (void)conn;
  quic_conn *qc = user_data;
  quic_stream *s = get_stream(qc, stream_id, stream_user_data);
  if (!s)
    return fail_cb(qc);
  /* ngtcp2 answers with RESET_STREAM itself; drop what we had queued. */
  s->write_shut = true;
  sendlist_remove(qc, s);
  if (qc->app && qc->app->stream_stop_sending)
    qc->app->stream_stop_sending(qc, s, app_error_code, qc->app_ud);
  return qc->close_requested ? fail_cb(qc) : 0;
}

static int cb_extend_max_stream_data(ngtcp2_conn *conn, int64_t stream_id, uint64_t max_data,
                                     void *user_data, void *stream_user_data) {
  (void)conn;
  (void)stream_id;
  (void)max_data;
  quic_conn *qc = user_data;
  quic_stream *s = stream_user_data;
  if (s && s->blocked) {
    s->blocked = false;
    if (sendq_unsent(&s->sq) || (s->fin_queued && !s->fin_sent))
      sendlist_push(qc, s);
  }
  return 0;
}

static int cb_recv_datagram(ngtcp2_conn *conn, uint32_t flags, const uint8_t *data,
                            size_t datalen, void *user_data) {
  (void)conn;
  (void)flags;
  quic_conn *qc = user_data;
  if (qc->close_requested)
    return fail_cb(qc);
  if (qc->app && qc->app->datagram && qc->app->datagram(qc, data, datalen, qc->app_ud) != 0)
    return fail_cb(qc);
  return qc->close_requested ? fail_cb(qc) : 0;
}

static int cb_get_new_connection_id(ngtcp2_conn *conn, ngtcp2_cid *cid, uint8_t *token,
                                    size_t cidlen, void *user_data) {
  (void)conn;
  quic_conn *qc = user_data;
  for (int tries = 0; tries < 8; tries++) {
    if (gnutls_rnd(GNUTLS_RND_RANDOM, cid->data, cidlen) != 0)
      return NGTCP2_ERR_CALLBACK_FAILURE;
    cid->datalen = cidlen;
    if (!qc->io->new_cid || qc->io->new_cid(qc, cid, qc->io_ud) == 0)
      break;
    if (tries == 7)
      return NGTCP2_ERR_CALLBACK_FAILURE;
  }
  if (ngtcp2_crypto_generate_stateless_reset_token(token, qc->cfg.static_secret,
                                                   QUIC_STATIC_SECRET_LEN, cid) != 0)
    return NGTCP2_ERR_CALLBACK_FAILURE;
  return 0;
}

static int cb_remove_connection_id(ngtcp2_conn *conn, const ngtcp2_cid *cid, void *user_data) {
  (void)conn;
  quic_conn *qc = user_data;
  if (qc->io->retire_cid)
    qc->io->retire_cid(qc, cid, qc->io_ud);
  return 0;
}

static int cb_recv_tx_key(ngtcp2_conn *conn, ngtcp2_crypto_level level, void *user_data) {
  (void)conn;
  quic_conn *qc = user_data;
  if (level != NGTCP2_CRYPTO_LEVEL_APPLICATION)
    return 0;
  if (qc->app && qc->app->tx_key_ready && qc->app->tx_key_ready(qc, qc->app_ud) != 0)
    return fail_cb(qc);
  return 0;
}

static int cb_recv_stateless_reset(ngtcp2_conn *conn, const ngtcp2_pkt_stateless_reset *sr,
                                   void *user_data) {
  (void)conn;
  (void)sr;
  quic_conn *qc = user_data;
  qc->end = QUIC_END_STATELESS_RESET;
  return 0;
}

static int cb_handshake_completed(ngtcp2_conn *conn, void *user_data) {
  (void)conn;
  quic_conn *qc = user_data;
  if (qc->app && qc->app->handshake_done && qc->app->handshake_done(qc, qc->app_ud) != 0)
    return fail_cb(qc);
  return 0;
}

/* ------------------------------------------------------------ lifecycle */

void quic_conn_config_default(quic_conn_config *cfg) {
  memset(cfg, 0, sizeof(*cfg));
  cfg->idle_timeout = 30 * NGTCP2_SECONDS;
  cfg->handshake_timeout = 10 * NGTCP2_SECONDS;
  cfg->max_streams_bidi = 100;
  cfg->max_streams_uni = 100;
  cfg->stream_window = 256 * 1024;
  cfg->conn_window = 1024 * 1024;
  cfg->sendq_limit = 512 * 1024;
}

static void fill_callbacks(ngtcp2_callbacks *cb, bool server) {
  memset(cb, 0, sizeof(*cb));
  if (server) {
    cb->recv_client_initial = ngtcp2_crypto_recv_client_initial_cb;
  } else {
    cb->client_initial = ngtcp2_crypto_client_initial_cb;
    cb->recv_retry = ngtcp2_crypto_recv_retry_cb;
  }
  cb->recv_crypto_data = ngtcp2_crypto_recv_crypto_data_cb;
  cb->encrypt = ngtcp2_crypto_encrypt_cb;
  cb->decrypt = ngtcp2_crypto_decrypt_cb;
  cb->hp_mask = ngtcp2_crypto_hp_mask_cb;
  cb->update_key = ngtcp2_crypto_update_key_cb;
  cb->delete_crypto_aead_ctx = ngtcp2_crypto_delete_crypto_aead_ctx_cb;
  cb->delete_crypto_cipher_ctx = ngtcp2_crypto_delete_crypto_cipher_ctx_cb;
  cb->get_path_challenge_data = ngtcp2_crypto_get_path_challenge_data_cb;
  cb->version_negotiation = ngtcp2_crypto_version_negotiation_cb;
  cb->rand = rand_cb;
  cb->get_new_connection_id = cb_get_new_connection_id;
  cb->remove_connection_id = cb_remove_connection_id;
  cb->stream_open = cb_stream_open;
  cb->recv_stream_data = cb_recv_stream_data;
  cb->acked_stream_data_offset = cb_acked_stream_data_offset;
  cb->stream_close = cb_stream_close;
  cb->stream_reset = cb_stream_reset;
  cb->stream_stop_sending = cb_stream_stop_sending;
  cb->extend_max_stream_data = cb_extend_max_stream_data;
  cb->recv_datagram = cb_recv_datagram;
  cb->recv_tx_key = cb_recv_tx_key;
  cb->handshake_completed = cb_handshake_completed;
  cb->recv_stateless_reset = cb_recv_stateless_reset;
}

static void fill_params(ngtcp2_transport_params *p, const quic_conn_config *cfg) {
  ngtcp2_transport_params_default(p);
  p->initial_max_stream_data_bidi_local = cfg->stream_window;
  p->initial_max_stream_data_bidi_remote = cfg->stream_window;
  p->initial_max_stream_data_uni = cfg->stream_window;
  p->initial_max_data = cfg->conn_window;
  p->initial_max_streams_bidi = cfg->max_streams_bidi;
  /* 3 for the peer's HTTP/3 control and QPACK streams. */
  p->initial_max_streams_uni = cfg->max_streams_uni + 3;
  p->max_idle_timeout = cfg->idle_timeout;
  p->active_connection_id_limit = 7;
  p->max_datagram_frame_size = 65535;
}

/* conn_alloc allocates the record both roles start from. */
static quic_conn *conn_alloc(const quic_conn_config *cfg, bool server, ngtcp2_tstamp now,
                             const quic_io_ops *io, void *io_ud) {
  quic_conn *qc = calloc(1, sizeof(*qc));
  if (!qc)
    return NULL;
  qc->cfg = *cfg;
  qc->server = server;
  qc->io = io;
  qc->io_ud = io_ud;
  qc->now = now;
  qc->ref.conn_ref.get_conn = get_conn_cb;
  qc->ref.conn_ref.user_data = qc;
  return qc;
}

/* fill_settings sets what both roles configure the same way. */
static void fill_settings(ngtcp2_settings *st, const quic_conn_config *cfg, ngtcp2_tstamp now,
                          const ngtcp2_cid *odcid) {
  ngtcp2_settings_default(st);
  st->initial_ts = now;
  st->handshake_timeout = cfg->handshake_timeout;
  st->max_window = 6 * cfg->conn_window;
  st->max_stream_window = 6 * cfg->stream_window;
  if (cfg->debug)
    st->log_printf = debug_printf;
  st->qlog.odcid = *odcid;
}

quic_conn *quic_conn_server_new(const quic_conn_config *cfg, quic_tls_server *tls,
                                const ngtcp2_pkt_hd *hd, const ngtcp2_path *path, ngtcp2_tstamp now,
                                const quic_io_ops *io, void *io_ud) {
  quic_conn *qc = conn_alloc(cfg, true, now, io, io_ud);
  if (!qc)
    return NULL;

  ngtcp2_callbacks cb;
  fill_callbacks(&cb, true);
  ngtcp2_settings settings;
  fill_settings(&settings, cfg, now, &hd->dcid);

  ngtcp2_transport_params params;
  fill_params(&params, cfg);
  params.original_dcid = hd->dcid;
  params.stateless_reset_token_present = 1;

  ngtcp2_cid scid;
  scid.datalen = QUIC_SCID_LEN;
  for (int tries = 0;; tries++) {
    if (tries == 8 || gnutls_rnd(GNUTLS_RND_RANDOM, scid.data, scid.datalen) != 0)
      goto fail;
    if (!io->new_cid || io->new_cid(qc, &scid, io_ud) == 0)
      break;
  }
  if (ngtcp2_crypto_generate_stateless_reset_token(params.stateless_reset_token, cfg->static_secret,
                                                   QUIC_STATIC_SECRET_LEN, &scid) != 0)
    goto fail_cid;

  if (quic_tls_server_session(tls, &qc->ref.conn_ref, &qc->tls) != 0)
    goto fail_cid;
  if (ngtcp2_conn_server_new(&qc->conn, &hd->scid, &scid, path, hd->version, &cb, &settings,
                             &params, NULL, qc) != 0) {
    gnutls_deinit(qc->tls);
    goto fail_cid;
  }
  ngtcp2_conn_set_tls_native_handle(qc->conn, qc->tls);
  return qc;

fail_cid:
  if (io->retire_cid)
    io->retire_cid(qc, &scid, io_ud);
fail:
  free(qc);
  return NULL;
}

quic_conn *quic_conn_client_new(const quic_conn_config *cfg, quic_tls_client *tls,
                                quic_tls_verify *verify, const ngtcp2_path *path,
                                ngtcp2_tstamp now, const quic_io_ops *io, void *io_ud) {
  quic_conn *qc = conn_alloc(cfg, false, now, io, io_ud);
  if (!qc)
    return NULL;
  qc->ref.verify = verify;

  ngtcp2_callbacks cb;
  fill_callbacks(&cb, false);
  ngtcp2_cid dcid, scid;
  dcid.datalen = 18;
  scid.datalen = QUIC_SCID_LEN;
  if (gnutls_rnd(GNUTLS_RND_RANDOM, dcid.data, dcid.datalen) != 0 ||
      gnutls_rnd(GNUTLS_RND_RANDOM, scid.data, scid.datalen) != 0)
    goto fail;
  ngtcp2_settings settings;
  fill_settings(&settings, cfg, now, &dcid);
  ngtcp2_transport_params params;
  fill_params(&params, cfg);

  if (quic_tls_client_session(tls, &qc->ref, &qc->tls) != 0)
    goto fail;
  if (ngtcp2_conn_client_new(&qc->conn, &dcid, &scid, path, NGTCP2_PROTO_VER_V1, &cb, &settings,
                             &params, NULL, qc) != 0) {
    gnutls_deinit(qc->tls);
    goto fail;
  }
  ngtcp2_conn_set_tls_native_handle(qc->conn, qc->tls);
  if (cfg->keepalive)
    ngtcp2_conn_set_keep_alive_timeout(qc->conn, cfg->keepalive);
  return qc;
fail:
  free(qc);
  return NULL;
}

void quic_conn_free(quic_conn *qc) {
  if (!qc)
    return;
  while (qc->streams)
    stream_free(qc, qc->streams);
  if (qc->conn) {
    /* Unregister every CID this connection still owns. */
    if (qc->io->retire_cid) {
      size_t n = ngtcp2_conn_get_num_scid(qc->conn);
      ngtcp2_cid *cids = n ? calloc(n, sizeof(*cids)) : NULL;
      if (cids) {
        n = ngtcp2_conn_get_scid(qc->conn, cids);
        for (size_t i = 0; i < n; i++)
          qc->io->retire_cid(qc, &cids[i], qc->io_ud);
        free(cids);
      }
    }
    ngtcp2_conn_del(qc->conn);
  }
  if (qc->tls)
    gnutls_deinit(qc->tls);
  free(qc->dg_buf);
  free(qc->close_pkt);
  free(qc);
}

void quic_conn_set_app(quic_conn *qc, const quic_app_ops *ops, void *ud) {
  qc->app = ops;
  qc->app_ud = ud;
}

ngtcp2_conn *quic_conn_ngtcp2(quic_conn *qc) { return qc->conn; }

bool quic_conn_is_dead(const quic_conn *qc) { return qc->state == QS_DEAD; }

bool quic_conn_close_requested(const quic_conn *qc) {
  return qc->close_requested || qc->state != QS_ACTIVE;
}

bool quic_conn_handshake_completed(const quic_conn *qc) {
  return ngtcp2_conn_get_handshake_completed(qc->conn);
}

void quic_conn_close(quic_conn *qc, uint64_t code, const char *reason) {
  if (qc->close_requested || qc->state != QS_ACTIVE)
    return;
  qc->close_requested = true;
  ngtcp2_connection_close_error_set_application_error(
      &qc->ccerr, code, (const uint8_t *)reason, reason ? strlen(reason) : 0);
}

static void close_liberr(quic_conn *qc, int liberr) {
  if (qc->close_requested)
    return;
  qc->close_requested = true;
  qc->local_close_liberr = true;
  qc->liberr = liberr;
  if (liberr == NGTCP2_ERR_CRYPTO)
    ngtcp2_connection_close_error_set_transport_error_tls_alert(
        &qc->ccerr, ngtcp2_conn_get_tls_alert(qc->conn), NULL, 0);
  else
    ngtcp2_connection_close_error_set_transport_error_liberr(&qc->ccerr, liberr, NULL, 0);
}

static ngtcp2_tstamp three_pto(quic_conn *qc) { return 3 * ngtcp2_conn_get_pto(qc->conn); }

/* enter_closing writes the CONNECTION_CLOSE once and keeps it for resending
 * while in the closing period. */
static void enter_closing(quic_conn *qc, ngtcp2_tstamp now) {
  if (qc->state != QS_ACTIVE)
    return;
  ngtcp2_path_storage_zero(&qc->close_path);
  ngtcp2_pkt_info pi = {0};
  ngtcp2_ssize n = ngtcp2_conn_write_connection_close(qc->conn, &qc->close_path.path, &pi,
                                                      qc->cfg.txbuf, qc->cfg.txbuflen, &qc->ccerr,
                                                      now);
  qc->state = QS_CLOSING;
  if (qc->end == QUIC_END_NONE)
    qc->end = QUIC_END_LOCAL_CLOSE;
  qc->close_deadline = now + three_pto(qc);
  if (n <= 0)
    return;
  qc->close_pkt = malloc((size_t)n);
  if (qc->close_pkt) {
    memcpy(qc->close_pkt, qc->cfg.txbuf, (size_t)n);
    qc->close_pktlen = (size_t)n;
  }
  qc->io->send_packet(qc, &qc->close_path.path, pi.ecn, qc->cfg.txbuf, (size_t)n, qc->io_ud);
}

static void enter_draining(quic_conn *qc, ngtcp2_tstamp now) {
  qc->state = QS_DRAINING;
  if (qc->end == QUIC_END_NONE)
    qc->end = QUIC_END_PEER_CLOSE;
  qc->close_deadline = now + three_pto(qc);
}

/* ------------------------------------------------------------ I/O */

int quic_conn_read(quic_conn *qc, const ngtcp2_path *path, uint32_t ecn, const uint8_t *data,
                   size_t len, ngtcp2_tstamp now) {
  qc->now = now;
  switch (qc->state) {
  case QS_DEAD:
  case QS_DRAINING:
    return 0;
  case QS_CLOSING:
    /* Answer with the saved CONNECTION_CLOSE, less and less often. */
    qc->close_resends++;
    if (qc->close_pkt && (qc->close_resends & (qc->close_resends - 1)) == 0)
      qc->io->send_packet(qc, &qc->close_path.path, 0, qc->close_pkt, qc->close_pktlen,
                          qc->io_ud);
    return 0;
  case QS_ACTIVE:
    break;
  }
  ngtcp2_pkt_info pi = {.ecn = ecn};
  int rv = ngtcp2_conn_read_pkt(qc->conn, path, &pi, data, len, now);
  if (rv == 0)
    return 0;
  switch (rv) {
  case NGTCP2_ERR_DRAINING:
    enter_draining(qc, now);
    break;
  case NGTCP2_ERR_DROP_CONN:
    if (qc->end == QUIC_END_NONE)
      qc->end = QUIC_END_DROPPED;
    qc->state = QS_DEAD;
    break;
  case NGTCP2_ERR_CALLBACK_FAILURE:
    if (!qc->close_requested)
      quic_conn_close(qc, 0x102 /* H3_INTERNAL_ERROR */, NULL);
    enter_closing(qc, now);
    break;
  default:
    log_debug("quic: read_pkt: %s", ngtcp2_strerror(rv));
    close_liberr(qc, rv);
    enter_closing(qc, now);
    break;
  }
  return 0;
}

static void send_pkt(quic_conn *qc, const ngtcp2_path *path, const ngtcp2_pkt_info *pi,
                     const uint8_t *data, size_t len) {
  qc->io->send_packet(qc, path, pi->ecn, data, len, qc->io_ud);
}

static void dg_pop(quic_conn *qc) {
  qc->dg_head = (qc->dg_head + 1) % DGQ_SLOTS;
  qc->dg_count--;
}

void quic_conn_write(quic_conn *qc, ngtcp2_tstamp now) {
  qc->now = now;
  if (qc->state != QS_ACTIVE)
    return;
  if (qc->close_requested) {
    enter_closing(qc, now);
    return;
  }
  ngtcp2_path_storage ps;
  ngtcp2_path_storage_zero(&ps);
  ngtcp2_pkt_info pi = {0};
  uint8_t *buf = qc->cfg.txbuf;
  size_t buflen = ngtcp2_conn_get_max_tx_udp_payload_size(qc->conn);
  if (buflen > qc->cfg.txbuflen)
    buflen = qc->cfg.txbuflen;
  size_t npkts = 0;
  qc->burst_cut = false;

  for (;;) {
    ngtcp2_ssize nwrite;
    if (qc->dg_count && quic_conn_handshake_completed(qc)) {
      int accepted = 0;
      ngtcp2_vec v = {.base = qc->dg_buf + (size_t)qc->dg_head * DGQ_SLOT_SIZE,
                      .len = qc->dg_len[qc->dg_head]};
      nwrite = ngtcp2_conn_writev_datagram(qc->conn, &ps.path, &pi, buf, buflen, &accepted,
                                           NGTCP2_WRITE_DATAGRAM_FLAG_MORE, 0, &v, 1, now);
      if (accepted)
        dg_pop(qc);
      if (nwrite == NGTCP2_ERR_WRITE_MORE)
        continue;
      if (nwrite == NGTCP2_ERR_INVALID_STATE || nwrite == NGTCP2_ERR_INVALID_ARGUMENT) {
        if (!accepted)
          dg_pop(qc); /* the peer takes no datagrams, or not this big */
        continue;
      }
      if (nwrite < 0) {
        close_liberr(qc, (int)nwrite);
        enter_closing(qc, now);
        return;
      }
      if (nwrite == 0) {
        if (!accepted)
          break; /* congestion-limited: keep it for later */
        continue;
      }
      send_pkt(qc, &ps.path, &pi, buf, (size_t)nwrite);
      if (++npkts >= WRITE_BURST_MAX) {
        qc->burst_cut = true;
        break;
      }
      continue;
    }

    quic_stream *s = qc->send_head;
    int64_t sid = -1;
    struct iovec iov[16];
    size_t niov = 0;
    uint32_t flags = NGTCP2_WRITE_STREAM_FLAG_MORE;
    if (s) {
      sid = s->id;
      niov = sendq_peek(&s->sq, iov, 16);
      size_t total = 0;
      for (size_t i = 0; i < niov; i++)
        total += iov[i].iov_len;
      if (s->fin_queued && !s->fin_sent && total == sendq_unsent(&s->sq))
        flags |= NGTCP2_WRITE_STREAM_FLAG_FIN;
    }
    ngtcp2_ssize ndatalen = -1;
    nwrite = ngtcp2_conn_writev_stream(qc->conn, &ps.path, &pi, buf, buflen, &ndatalen, flags, sid,
                                       (const ngtcp2_vec *)iov, niov, now);
    if (nwrite < 0) {
      switch (nwrite) {
      case NGTCP2_ERR_STREAM_DATA_BLOCKED:
        s->blocked = true;
        sendlist_remove(qc, s);
        continue;
      case NGTCP2_ERR_STREAM_SHUT_WR:
      case NGTCP2_ERR_STREAM_NOT_FOUND:
        s->write_shut = true;
        sendlist_remove(qc, s);
        continue;
      case NGTCP2_ERR_WRITE_MORE:
        break; /* fall through to the accounting below */
      default:
        close_liberr(qc, (int)nwrite);
        enter_closing(qc, now);
        return;
      }
    }
    if (s && ndatalen >= 0) {
      sendq_mark_sent(&s->sq, (size_t)ndatalen);
      bool all = sendq_unsent(&s->sq) == 0;
      if (all && (flags & NGTCP2_WRITE_STREAM_FLAG_FIN))
        s->fin_sent = true;
      if (all && (!s->fin_queued || s->fin_sent)) {
        sendlist_remove(qc, s);
      } else if (s->snext) {
        /* round robin between streams */
        sendlist_remove(qc, s);
        sendlist_push(qc, s);
      }
    }
    if (nwrite == NGTCP2_ERR_WRITE_MORE)
      continue;
    if (nwrite == 0)
      break;
    send_pkt(qc, &ps.path, &pi, buf, (size_t)nwrite);
    if (++npkts >= WRITE_BURST_MAX) {
      qc->burst_cut = true;
      break;
    }
  }
  /* ngtcp2 0.12.1's pacer uses the 333 ms initial RTT before the first RTT
   * sample, which stalls the handshake for ~22 ms: pace only once an RTT
   * sample exists (fixed upstream in 0.14). */
  ngtcp2_conn_stat st;
  ngtcp2_conn_get_conn_stat(qc->conn, &st);
  if (st.first_rtt_sample_ts != UINT64_MAX)
    ngtcp2_conn_update_pkt_tx_time(qc->conn, now);
}

ngtcp2_tstamp quic_conn_expiry(quic_conn *qc) {
  switch (qc->state) {
  case QS_DEAD:
    return 0;
  case QS_CLOSING:
  case QS_DRAINING:
    return qc->close_deadline;
  case QS_ACTIVE:
    break;
  }
  if (qc->close_requested || qc->burst_cut)
    return 0; /* now */
  return ngtcp2_conn_get_expiry(qc->conn);
}

void quic_conn_timeout(quic_conn *qc, ngtcp2_tstamp now) {
  qc->now = now;
  switch (qc->state) {
  case QS_DEAD:
    return;
  case QS_CLOSING:
  case QS_DRAINING:
    if (now >= qc->close_deadline)
      qc->state = QS_DEAD;
    return;
  case QS_ACTIVE:
    break;
  }
  if (!qc->close_requested && ngtcp2_conn_get_expiry(qc->conn) <= now) {
    int rv = ngtcp2_conn_handle_expiry(qc->conn, now);
    if (rv == NGTCP2_ERR_IDLE_CLOSE || rv == NGTCP2_ERR_HANDSHAKE_TIMEOUT) {
      /* Idle timeout: drop silently, no CONNECTION_CLOSE (RFC 9000 10.1). */
      log_debug("quic: %s", rv == NGTCP2_ERR_IDLE_CLOSE ? "idle timeout" : "handshake timeout");
      qc->end = rv == NGTCP2_ERR_IDLE_CLOSE ? QUIC_END_IDLE : QUIC_END_HANDSHAKE_TIMEOUT;
      qc->state = QS_DEAD;
      return;
    }
    if (rv != 0) {
      close_liberr(qc, rv);
      enter_closing(qc, now);
      return;
    }
  }
  quic_conn_write(qc, now);
}

/* ------------------------------------------------------------ streams */

quic_stream *quic_conn_open_stream(quic_conn *qc, bool bidi) {
  int64_t id;
  int rv = bidi ? ngtcp2_conn_open_bidi_stream(qc->conn, &id, NULL)
                : ngtcp2_conn_open_uni_stream(qc->conn, &id, NULL);
  if (rv != 0)
    return NULL;
  quic_stream *s = stream_new(qc, id);
  if (!s) {
    ngtcp2_conn_shutdown_stream(qc->conn, id, 0x102);
    return NULL;
  }
  ngtcp2_conn_set_stream_user_data(qc->conn, id, s);
  return s;
}

int64_t quic_stream_id(const quic_stream *s) { return s->id; }
void *quic_stream_get_upper(const quic_stream *s) { return s->upper; }
void quic_stream_set_upper(quic_stream *s, void *upper) { s->upper = upper; }

bool quic_stream_is_local(const quic_stream *s) {
  return ngtcp2_conn_is_local_stream(s->qc->conn, s->id);
}

int quic_stream_send(quic_stream *s, const uint8_t *data, size_t len, bool fin) {
  if (s->fin_queued || s->write_shut)
    return -1;
  if (len && sendq_append(&s->sq, data, len) != 0)
    return -1;
  if (fin)
    s->fin_queued = true;
  if (len || fin)
    sendlist_push(s->qc, s);
  return 0;
}

size_t quic_stream_send_room(const quic_stream *s) {
  if (s->fin_queued || s->write_shut)
    return 0;
  return sendq_room(&s->sq);
}

void quic_stream_consume(quic_stream *s, size_t n) {
  s->held_credit += n;
  release_credit(s);
}

void quic_conn_consume(quic_conn *qc, size_t n) { ngtcp2_conn_extend_max_offset(qc->conn, n); }

void quic_stream_reset(quic_stream *s, uint64_t code, bool stop) {
  s->write_shut = true;
  sendlist_remove(s->qc, s);
  if (stop)
    ngtcp2_conn_shutdown_stream(s->qc->conn, s->id, code);
  else
    ngtcp2_conn_shutdown_stream_write(s->qc->conn, s->id, code);
}

void quic_stream_stop_reading(quic_stream *s, uint64_t code) {
  ngtcp2_conn_shutdown_stream_read(s->qc->conn, s->id, code);
}

/* ------------------------------------------------------------ datagrams */

size_t quic_conn_max_datagram_payload(quic_conn *qc) {
  const ngtcp2_transport_params *p = ngtcp2_conn_get_remote_transport_params(qc->conn);
  if (!p || p->max_datagram_frame_size == 0)
    return 0;
  /* Short header (1 + CID + 4-byte packet number), DATAGRAM frame type and
   * length (1 + 2), AEAD tag (16). */
  size_t pkt = ngtcp2_conn_get_max_tx_udp_payload_size(qc->conn);
  size_t overhead = 1 + 20 + 4 + 3 + 16;
  size_t room = pkt > overhead ? pkt - overhead : 0;
  if (room > DGQ_SLOT_SIZE)
    room = DGQ_SLOT_SIZE;
  if (room > p->max_datagram_frame_size)
    room = (size_t)p->max_datagram_frame_size;
  return room;
}

int quic_conn_send_datagram(quic_conn *qc, const uint8_t *hdr, size_t hdrlen, const uint8_t *data,
                            size_t len) {
  if (hdrlen + len > quic_conn_max_datagram_payload(qc) || qc->dg_count == DGQ_SLOTS)
    return -1;
  if (!qc->dg_buf) {
    qc->dg_buf = malloc((size_t)DGQ_SLOTS * DGQ_SLOT_SIZE);
    if (!qc->dg_buf)
      return -1;
  }
  unsigned slot = (qc->dg_head + qc->dg_count) % DGQ_SLOTS;
  uint8_t *p = qc->dg_buf + (size_t)slot * DGQ_SLOT_SIZE;
  memcpy(p, hdr, hdrlen);
  if (len)
    memcpy(p + hdrlen, data, len);
  qc->dg_len[slot] = (uint16_t)(hdrlen + len);
  qc->dg_count++;
  return 0;
}

/* ------------------------------------------------------------ stats */

void quic_conn_get_stat(quic_conn *qc, ngtcp2_conn_stat *st) {
  ngtcp2_conn_get_conn_stat(qc->conn, st);
}

const ngtcp2_path *quic_conn_path(quic_conn *qc) { return ngtcp2_conn_get_path(qc->conn); }

ngtcp2_tstamp quic_conn_now(const quic_conn *qc) { return qc->now; }

ngtcp2_duration quic_conn_pto(quic_conn *qc) { return ngtcp2_conn_get_pto(qc->conn); }

quic_end quic_conn_end(const quic_conn *qc) { return qc->end; }

static const char *alert_name(uint8_t alert) {
  const char *n = gnutls_alert_get_strname((gnutls_alert_description_t)alert);
  return n ? n : "unknown";
}

void quic_conn_describe_end(quic_conn *qc, char *buf, size_t cap) {
  ngtcp2_connection_close_error ce;
  switch (qc->end) {
  case QUIC_END_NONE:
    snprintf(buf, cap, "connection open");
    return;
  case QUIC_END_IDLE:
    snprintf(buf, cap, "%s", quic_conn_handshake_completed(qc)
                                 ? "idle timeout: no packets from the peer"
                                 : "no answer from the server (timeout)");
    return;
  case QUIC_END_HANDSHAKE_TIMEOUT:
    snprintf(buf, cap, "handshake timed out: no answer from the server");
    return;
  case QUIC_END_STATELESS_RESET:
    snprintf(buf, cap, "the server reset the connection (it restarted or forgot it)");
    return;
  case QUIC_END_DROPPED:
    snprintf(buf, cap, "connection dropped");
    return;
  case QUIC_END_PEER_CLOSE:
    ngtcp2_conn_get_connection_close_error(qc->conn, &ce);
    if (ce.type == NGTCP2_CONNECTION_CLOSE_ERROR_CODE_TYPE_TRANSPORT && ce.error_code >= 0x100 &&
        ce.error_code <= 0x1ff) {
      uint8_t a = (uint8_t)(ce.error_code & 0xff);
      snprintf(buf, cap, "the peer refused the TLS handshake: alert %u (%s)%s", a, alert_name(a),
               a == 120 ? ": it does not speak HTTP/3 (ALPN h3)" : "");
    } else {
      snprintf(buf, cap, "closed by the peer: %s error 0x%" PRIx64 "%s%.*s",
               ce.type == NGTCP2_CONNECTION_CLOSE_ERROR_CODE_TYPE_APPLICATION ? "application"
                                                                             : "transport",
               ce.error_code, ce.reasonlen ? ": " : "", (int)ce.reasonlen,
               ce.reason ? (const char *)ce.reason : "");
    }
    return;
  case QUIC_END_LOCAL_CLOSE:
    if (qc->local_close_liberr && qc->liberr == NGTCP2_ERR_CRYPTO) {
      uint8_t a = ngtcp2_conn_get_tls_alert(qc->conn);
      if (qc->ref.verify && qc->ref.verify->reason[0])
        snprintf(buf, cap, "%s", qc->ref.verify->reason);
      else if (a == 120)
        snprintf(buf, cap, "ALPN mismatch: the server does not offer h3");
      else
        snprintf(buf, cap, "TLS handshake failed: alert %u (%s)", a, alert_name(a));
    } else if (qc->local_close_liberr) {
      snprintf(buf, cap, "QUIC error: %s", ngtcp2_strerror(qc->liberr));
    } else {
      snprintf(buf, cap, "connection closed (error 0x%" PRIx64 ")", qc->ccerr.error_code);
    }
    return;
  }
  snprintf(buf, cap, "connection ended");
}
