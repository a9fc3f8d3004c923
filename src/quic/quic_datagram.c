/* The outgoing datagram ring of one connection: quic_conn_send_datagram
 * queues, the write loop (quic_write.c) takes from the front. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <ngtcp2/ngtcp2.h>

#include "quic/quic_conn_internal.h"

void quic_dgq_pop(quic_conn *qc) {
  qc->dg_head = (qc->dg_head + 1) % DGQ_SLOTS;
  qc->dg_count--;
}

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
  if (hdrlen) /* memcpy from NULL is undefined even for 0 bytes (fuzz_h3_conn) */
    memcpy(p, hdr, hdrlen);
  if (len)
    memcpy(p + hdrlen, data, len);
  qc->dg_len[slot] = (uint16_t)(hdrlen + len);
  qc->dg_count++;
  return 0;
}
