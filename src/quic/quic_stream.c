/* QUIC streams: the record per stream, the send queue and the round-robin
 * list of streams with data to send, and flow-control credit held back while
 * a stream's unacknowledged send queue is above its high-water mark. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include <ngtcp2/ngtcp2.h>

#include "quic/quic_conn_internal.h"

quic_stream *quic_stream_new(quic_conn *qc, int64_t id) {
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

void quic_sendlist_remove(quic_conn *qc, quic_stream *s) {
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

void quic_sendlist_push(quic_conn *qc, quic_stream *s) {
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

void quic_stream_free(quic_conn *qc, quic_stream *s) {
  quic_sendlist_remove(qc, s);
  if (s->prev)
    s->prev->next = s->next;
  else
    qc->streams = s->next;
  if (s->next)
    s->next->prev = s->prev;
  sendq_free(&s->sq);
  free(s);
}

/* quic_stream_get returns the stream for |id|, creating the record for a peer
 * stream that ngtcp2 opened implicitly. */
quic_stream *quic_stream_get(quic_conn *qc, int64_t id, void *stream_user_data) {
  if (stream_user_data)
    return stream_user_data;
  quic_stream *s = quic_stream_new(qc, id);
  if (!s)
    return NULL;
  if (ngtcp2_conn_set_stream_user_data(qc->conn, id, s) != 0) {
    quic_stream_free(qc, s);
    return NULL;
  }
  return s;
}

void quic_stream_release_credit(quic_stream *s) {
  if (!s->held_credit)
    return;
  if (s->sq.end - s->sq.acked > STREAM_SEND_HIGH_WATER)
    return;
  ngtcp2_conn_extend_max_stream_offset(s->qc->conn, s->id, s->held_credit);
  ngtcp2_conn_extend_max_offset(s->qc->conn, s->held_credit);
  s->held_credit = 0;
}


quic_stream *quic_conn_open_stream(quic_conn *qc, bool bidi) {
  int64_t id;
  int rv = bidi ? ngtcp2_conn_open_bidi_stream(qc->conn, &id, NULL)
                : ngtcp2_conn_open_uni_stream(qc->conn, &id, NULL);
  if (rv != 0)
    return NULL;
  quic_stream *s = quic_stream_new(qc, id);
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
    quic_sendlist_push(s->qc, s);
  return 0;
}

size_t quic_stream_send_room(const quic_stream *s) {
  if (s->fin_queued || s->write_shut)
    return 0;
  return sendq_room(&s->sq);
}

void quic_stream_consume(quic_stream *s, size_t n) {
  s->held_credit += n;
  quic_stream_release_credit(s);
}

void quic_conn_consume(quic_conn *qc, size_t n) { ngtcp2_conn_extend_max_offset(qc->conn, n); }

void quic_stream_reset(quic_stream *s, uint64_t code, bool stop) {
  s->write_shut = true;
  quic_sendlist_remove(s->qc, s);
  if (stop)
    ngtcp2_conn_shutdown_stream(s->qc->conn, s->id, code);
  else
    ngtcp2_conn_shutdown_stream_write(s->qc->conn, s->id, code);
}

void quic_stream_stop_reading(quic_stream *s, uint64_t code) {
  ngtcp2_conn_shutdown_stream_read(s->qc->conn, s->id, code);
}
