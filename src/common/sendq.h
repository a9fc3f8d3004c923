/* A stream's send queue. ngtcp2 does not copy stream data: it keeps pointers
 * to what it sent until the peer acknowledges it (and retransmits from them).
 * So bytes appended here stay at a stable address until sendq_ack() covers
 * them. Storage is a list of fixed-size chunks; memory per queue is bounded
 * by |limit|. */
#ifndef WTPING_SENDQ_H
#define WTPING_SENDQ_H

#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#define SENDQ_CHUNK_SIZE 4096
/* A queue that starts with a small message gets a chunk of this size first:
 * most streams (HTTP/3 control, CONNECT) only ever send a few dozen bytes,
 * and every queue keeps its last chunk as a spare. */
#define SENDQ_SMALL_CHUNK 256

typedef struct sendq_chunk {
  struct sendq_chunk *next;
  size_t len; /* bytes used in data */
  size_t cap; /* SENDQ_CHUNK_SIZE, or SENDQ_SMALL_CHUNK for a queue's first one */
  uint8_t data[];
} sendq_chunk;

typedef struct sendq {
  sendq_chunk *head, *tail;
  uint64_t head_off; /* stream offset of head->data[0] */
  uint64_t acked;    /* every byte below this offset was acknowledged */
  uint64_t sent;     /* bytes below this offset were handed to ngtcp2 */
  uint64_t end;      /* offset just past the last appended byte */
  size_t limit;      /* maximum end - acked; 0 = unlimited */
} sendq;

/* sendq_init prepares an empty queue holding at most |limit| unacknowledged
 * bytes (0: no limit). */
void sendq_init(sendq *q, size_t limit);

/* sendq_free releases every chunk. */
void sendq_free(sendq *q);

/* sendq_append copies |len| bytes to the end. Returns 0, or -1 when the
 * limit would be exceeded or memory is short (nothing is appended then). */
int sendq_append(sendq *q, const uint8_t *data, size_t len);

/* sendq_room returns how many bytes sendq_append would accept now. */
size_t sendq_room(const sendq *q);

/* sendq_unsent returns end - sent. */
size_t sendq_unsent(const sendq *q);

/* sendq_peek fills up to |n| iovecs with the unsent bytes (from |sent|) and
 * returns how many were filled. */
size_t sendq_peek(const sendq *q, struct iovec *iov, size_t n);

/* sendq_mark_sent records that |n| more bytes were handed to ngtcp2. */
void sendq_mark_sent(sendq *q, size_t n);

/* sendq_ack records that every byte below |offset| is acknowledged and frees
 * the chunks wholly below it. Offsets beyond |sent| are clamped. */
void sendq_ack(sendq *q, uint64_t offset);

#endif
