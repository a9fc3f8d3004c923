#include "quic/quic_conn.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/crypto.h>
#include <ngtcp2/ngtcp2_crypto.h>

#include "common/log.h"
#include "quic/quic_conn_internal.h"

/* ------------------------------------------------------------ helpers */

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

static void qlog_write_cb(void *user_data, uint32_t flags, const void *data, size_t len) {
  quic_conn *qc = user_data;
  qc->io->qlog_write(qc, data, len, flags & NGTCP2_QLOG_WRITE_FLAG_FIN, qc->io_ud);
}

/* fill_settings sets what both roles configure the same way. */
static void fill_settings(ngtcp2_settings *st, quic_conn *qc, const quic_conn_config *cfg,
                          ngtcp2_tstamp now, const ngtcp2_cid *odcid) {
  ngtcp2_settings_default(st);
  st->initial_ts = now;
  st->handshake_timeout = cfg->handshake_timeout;
  st->max_window = 6 * cfg->conn_window;
  st->max_stream_window = 6 * cfg->stream_window;
  /* ACK every ack-eliciting packet at once. With ngtcp2's default (every
   * second one, else after min(max_ack_delay, RTT/8)), a ping or a pong goes
   * out without the ACK of the packet that caused it, and a delayed-ACK timer
   * a few microseconds later sends a second, ACK-only packet: per exchange
   * one more datagram and one more wake-up on each side. Written right after
   * the read that triggers it, the ACK rides in the reply. */
  st->ack_thresh = 1;
  if (cfg->debug)
    st->log_printf = debug_printf;
  st->qlog.odcid = *odcid;
  if (qc->io->qlog_open && qc->io->qlog_write &&
      qc->io->qlog_open(qc, odcid, qc->server, qc->io_ud) == 0)
    st->qlog.write = qlog_write_cb;
}

quic_conn *quic_conn_server_new(const quic_conn_config *cfg, quic_tls_server *tls,
                                const ngtcp2_pkt_hd *hd, const ngtcp2_path *path, ngtcp2_tstamp now,
                                const quic_io_ops *io, void *io_ud) {
  return quic_conn_server_new_retried(cfg, tls, hd, NULL, path, now, io, io_ud);
}

quic_conn *quic_conn_server_new_retried(const quic_conn_config *cfg, quic_tls_server *tls,
                                        const ngtcp2_pkt_hd *hd, const ngtcp2_cid *odcid,
                                        const ngtcp2_path *path, ngtcp2_tstamp now,
                                        const quic_io_ops *io, void *io_ud) {
  quic_conn *qc = conn_alloc(cfg, true, now, io, io_ud);
  if (!qc)
    return NULL;

  ngtcp2_callbacks cb;
  quic_conn_fill_callbacks(&cb, true);
  ngtcp2_settings settings;
  fill_settings(&settings, qc, cfg, now, &hd->dcid);

  ngtcp2_transport_params params;
  fill_params(&params, cfg);
  params.original_dcid = hd->dcid;
  params.stateless_reset_token_present = 1;
  if (odcid) {
    /* after our Retry: the client's first DCID, and the SCID of the Retry
     * (which the client now uses as DCID) - RFC 9000 section 7.3 */
    params.original_dcid = *odcid;
    params.retry_scid = hd->dcid;
    params.retry_scid_present = 1;
    settings.token = hd->token; /* validated: the address is verified */
  }

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
  quic_conn_fill_callbacks(&cb, false);
  ngtcp2_cid dcid, scid;
  dcid.datalen = 18;
  scid.datalen = QUIC_SCID_LEN;
  if (gnutls_rnd(GNUTLS_RND_RANDOM, dcid.data, dcid.datalen) != 0 ||
      gnutls_rnd(GNUTLS_RND_RANDOM, scid.data, scid.datalen) != 0)
    goto fail;
  ngtcp2_settings settings;
  fill_settings(&settings, qc, cfg, now, &dcid);
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
    quic_stream_free(qc, qc->streams);
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

void quic_conn_close_liberr(quic_conn *qc, int liberr) {
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

/* quic_conn_enter_closing writes the CONNECTION_CLOSE once and keeps it for resending
 * while in the closing period. */
void quic_conn_enter_closing(quic_conn *qc, ngtcp2_tstamp now) {
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
  if (qc->release_tls) {
    /* ~11 KiB per connection (massif), outside GnuTLS's call stack */
    qc->release_tls = false;
    /* the layers above still ask who the peer is (mutual TLS) */
    qc->peer_cert = quic_tls_peer_cert(qc->tls, qc->peer_subject, sizeof(qc->peer_subject),
                                       qc->peer_sha256) == 1;
    ngtcp2_conn_set_tls_native_handle(qc->conn, NULL);
    gnutls_deinit(qc->tls);
    qc->tls = NULL;
  }
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
    quic_conn_enter_closing(qc, now);
    break;
  default:
    log_debug("quic: read_pkt: %s", ngtcp2_strerror(rv));
    quic_conn_close_liberr(qc, rv);
    quic_conn_enter_closing(qc, now);
    break;
  }
  return 0;
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
      quic_conn_close_liberr(qc, rv);
      quic_conn_enter_closing(qc, now);
      return;
    }
  }
  quic_conn_write(qc, now);
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

bool quic_conn_has_tls(const quic_conn *qc) { return qc->tls != NULL; }

int quic_conn_peer_cert(quic_conn *qc, char *subject, size_t cap, uint8_t sha256[32]) {
  if (qc->tls)
    return quic_tls_peer_cert(qc->tls, subject, cap, sha256);
  if (!qc->peer_cert)
    return 0;
  snprintf(subject, cap, "%s", qc->peer_subject);
  memcpy(sha256, qc->peer_sha256, 32);
  return 1;
}
