/* The write loop: queued datagrams first, then stream data round robin,
 * ACKs and control frames, at most WRITE_BURST_MAX packets per call. */
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include <ngtcp2/ngtcp2.h>

#include "quic/quic_conn_internal.h"

static void send_pkt(quic_conn *qc, const ngtcp2_path *path, const ngtcp2_pkt_info *pi,
                     const uint8_t *data, size_t len) {
  qc->io->send_packet(qc, path, pi->ecn, data, len, qc->io_ud);
}

void quic_conn_write(quic_conn *qc, ngtcp2_tstamp now) {
  qc->now = now;
  if (qc->state != QS_ACTIVE)
    return;
  if (qc->close_requested) {
    quic_conn_enter_closing(qc, now);
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
      /* an empty DATAGRAM is legal, but ngtcp2 0.12.1 asserts that every
       * vector element has bytes: pass none then (fuzz_h3_conn) */
      nwrite = ngtcp2_conn_writev_datagram(qc->conn, &ps.path, &pi, buf, buflen, &accepted,
                                           NGTCP2_WRITE_DATAGRAM_FLAG_MORE, 0, &v, v.len ? 1 : 0,
                                           now);
      if (accepted)
        quic_dgq_pop(qc);
      if (nwrite == NGTCP2_ERR_WRITE_MORE)
        continue;
      if (nwrite == NGTCP2_ERR_INVALID_STATE || nwrite == NGTCP2_ERR_INVALID_ARGUMENT) {
        if (!accepted)
          quic_dgq_pop(qc); /* the peer takes no datagrams, or not this big */
        continue;
      }
      if (nwrite < 0) {
        quic_conn_close_liberr(qc, (int)nwrite);
        quic_conn_enter_closing(qc, now);
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
        quic_sendlist_remove(qc, s);
        continue;
      case NGTCP2_ERR_STREAM_SHUT_WR:
      case NGTCP2_ERR_STREAM_NOT_FOUND:
        s->write_shut = true;
        quic_sendlist_remove(qc, s);
        continue;
      case NGTCP2_ERR_WRITE_MORE:
        break; /* fall through to the accounting below */
      default:
        quic_conn_close_liberr(qc, (int)nwrite);
        quic_conn_enter_closing(qc, now);
        return;
      }
    }
    if (s && ndatalen >= 0) {
      sendq_mark_sent(&s->sq, (size_t)ndatalen);
      bool all = sendq_unsent(&s->sq) == 0;
      if (all && (flags & NGTCP2_WRITE_STREAM_FLAG_FIN))
        s->fin_sent = true;
      if (all && (!s->fin_queued || s->fin_sent)) {
        quic_sendlist_remove(qc, s);
      } else if (s->snext) {
        /* round robin between streams */
        quic_sendlist_remove(qc, s);
        quic_sendlist_push(qc, s);
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
   * sample exists (fixed upstream in 0.14). And pace only while something
   * still waits to be sent: the pacer's deadline is part of the connection's
   * expiry, so arming it after a write that emptied every queue schedules a
   * wake-up with nothing to do (one per reply when one ping is in flight).
   * The bytes written meanwhile still count: ngtcp2 adds them up until the
   * next update. */
  if (qc->send_head || qc->dg_count || qc->burst_cut) {
    ngtcp2_conn_stat st;
    ngtcp2_conn_get_conn_stat(qc->conn, &st);
    if (st.first_rtt_sample_ts != UINT64_MAX)
      ngtcp2_conn_update_pkt_tx_time(qc->conn, now);
  }
}
