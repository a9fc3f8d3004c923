/* ngtcp2's callbacks for one connection: they route stream data, stream
 * ends, datagrams and key events to the protocol layer (quic_app_ops) and
 * connection IDs to the I/O owner (quic_io_ops). */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <gnutls/crypto.h>
#include <ngtcp2/ngtcp2_crypto.h>

#include "quic/quic_conn_internal.h"

static void rand_cb(uint8_t *dest, size_t destlen, const ngtcp2_rand_ctx *ctx) {
  (void)ctx;
  (void)gnutls_rnd(GNUTLS_RND_RANDOM, dest, destlen);
}

static int fail_cb(quic_conn *qc) {
  (void)qc;
  return NGTCP2_ERR_CALLBACK_FAILURE;
}

/* ------------------------------------------------------------ callbacks */

static int cb_stream_open(ngtcp2_conn *conn, int64_t stream_id, void *user_data) {
  (void)conn;
  quic_conn *qc = user_data;
  return quic_stream_get(qc, stream_id, NULL) ? 0 : fail_cb(qc);
}

static int cb_recv_stream_data(ngtcp2_conn *conn, uint32_t flags, int64_t stream_id,
                               uint64_t offset, const uint8_t *data, size_t datalen,
                               void *user_data, void *stream_user_data) {
  (void)conn;
  (void)offset;
  quic_conn *qc = user_data;
  if (qc->close_requested)
    return fail_cb(qc);
  quic_stream *s = quic_stream_get(qc, stream_id, stream_user_data);
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
  quic_stream_release_credit(s);
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
  quic_stream_free(qc, s);
  return 0;
}

static int cb_stream_reset(ngtcp2_conn *conn, int64_t stream_id, uint64_t final_size,
                           uint64_t app_error_code, void *user_data, void *stream_user_data) {
  (void)conn;
  (void)final_size;
  quic_conn *qc = user_data;
  quic_stream *s = quic_stream_get(qc, stream_id, stream_user_data);
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
  quic_stream *s = quic_stream_get(qc, stream_id, stream_user_data);
  if (!s)
    return fail_cb(qc);
  /* ngtcp2 answers with RESET_STREAM itself; drop what we had queued. */
  s->write_shut = true;
  quic_sendlist_remove(qc, s);
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
      quic_sendlist_push(qc, s);
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

/* cb_recv_crypto_data hands CRYPTO data to TLS while the session exists.
 * After a server released it, a client's CRYPTO frame at 1-RTT (a TLS
 * message nobody asked for) ends the connection. */
static int cb_recv_crypto_data(ngtcp2_conn *conn, ngtcp2_crypto_level level, uint64_t offset,
                               const uint8_t *data, size_t len, void *user_data) {
  quic_conn *qc = user_data;
  if (!qc->tls)
    return NGTCP2_ERR_CRYPTO;
  return ngtcp2_crypto_recv_crypto_data_cb(conn, level, offset, data, len, user_data);
}

static int cb_handshake_completed(ngtcp2_conn *conn, void *user_data) {
  (void)conn;
  quic_conn *qc = user_data;
  /* A server needs nothing more from TLS once the handshake is complete:
   * no session tickets are sent (GNUTLS_NO_AUTO_SEND_TICKET), QUIC has no
   * TLS KeyUpdate, and packet protection and key updates use ngtcp2's own
   * crypto contexts. The session is released after this read. */
  if (qc->server)
    qc->release_tls = true;
  if (qc->app && qc->app->handshake_done && qc->app->handshake_done(qc, qc->app_ud) != 0)
    return fail_cb(qc);
  return 0;
}


void quic_conn_fill_callbacks(ngtcp2_callbacks *cb, bool server) {
  memset(cb, 0, sizeof(*cb));
  if (server) {
    cb->recv_client_initial = ngtcp2_crypto_recv_client_initial_cb;
  } else {
    cb->client_initial = ngtcp2_crypto_client_initial_cb;
    cb->recv_retry = ngtcp2_crypto_recv_retry_cb;
  }
  cb->recv_crypto_data = cb_recv_crypto_data;
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
