/* A stream's send queue with stable byte addresses. */
#include "common/sendq.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/*
 * Invariants:
 *
 * - head_off <= acked <= sent <= end.
 * - Every chunk but the tail is full (len == cap) because sendq_append
 *   always fills the tail first.  So the chunks hold exactly the stream
 *   bytes [head_off, end).
 * - A chunk's cap is SENDQ_CHUNK_SIZE, except the first chunk of an empty
 *   queue when the append that creates it fits SENDQ_SMALL_CHUNK.
 * - With no chunk at all, head_off == end.
 *
 * A byte is never moved once written: chunks are only unlinked from the
 * front when every byte in them is acknowledged.  The tail is kept when it
 * becomes fully acknowledged and is rewound instead (the queue's single
 * spare), which is safe because ngtcp2 no longer refers to acknowledged
 * bytes.
 */

void sendq_init(sendq *q, size_t limit) {
  memset(q, 0, sizeof(*q));
  q->limit = limit;
}

void sendq_free(sendq *q) {
  sendq_chunk *c, *next;

  for (c = q->head; c; c = next) {
    next = c->next;
    free(c);
  }
  q->head = q->tail = NULL;
  q->head_off = q->acked = q->sent = q->end = 0;
}

size_t sendq_room(const sendq *q) {
  uint64_t used;

  if (q->limit == 0) {
    return SIZE_MAX;
  }
  used = q->end - q->acked;
  if (used >= q->limit) {
    return 0;
  }
  return q->limit - (size_t)used;
}

size_t sendq_unsent(const sendq *q) { return (size_t)(q->end - q->sent); }

int sendq_append(sendq *q, const uint8_t *data, size_t len) {
  sendq_chunk *first = NULL, *last = NULL, *c;
  size_t space, rest, n;

  if (len == 0) {
    return 0;
  }
  if (len > sendq_room(q)) {
    return -1;
  }

  space = q->tail ? q->tail->cap - q->tail->len : 0;

  /* Allocate every chunk needed before touching the queue so that a
     failure leaves it unchanged. */
  if (len > space) {
    for (rest = len - space; rest > 0; rest -= n) {
      size_t cap = !q->tail && !first && rest <= SENDQ_SMALL_CHUNK ? SENDQ_SMALL_CHUNK
                                                                   : SENDQ_CHUNK_SIZE;
      c = malloc(offsetof(sendq_chunk, data) + cap);
      if (c == NULL) {
        while (first) {
          c = first->next;
          free(first);
          first = c;
        }
        return -1;
      }
      c->next = NULL;
      c->len = 0;
      c->cap = cap;
      if (last) {
        last->next = c;
      } else {
        first = c;
      }
      last = c;
      n = rest < cap ? rest : cap;
    }
  }

  if (first) {
    if (q->tail) {
      q->tail->next = first;
    } else {
      q->head = first;
      q->head_off = q->end;
    }
  }

  /* Fill the current tail, then the new chunks in order. */
  c = q->tail ? q->tail : first;
  rest = len;
  for (;;) {
    n = c->cap - c->len;
    if (n > rest) {
      n = rest;
    }
    memcpy(c->data + c->len, data, n);
    c->len += n;
    data += n;
    rest -= n;
    if (rest == 0) {
      break;
    }
    c = c->next;
  }

  if (last) {
    q->tail = last;
  }
  q->end += len;

  return 0;
}

size_t sendq_peek(const sendq *q, struct iovec *iov, size_t n) {
  sendq_chunk *c;
  uint64_t off;
  size_t i = 0;

  if (n == 0 || q->sent == q->end) {
    return 0;
  }

  /* Find the chunk holding offset |sent|.  Every chunk before the tail is
     full, so a chunk whose end equals |sent| is skipped. */
  off = q->sent - q->head_off;
  for (c = q->head; off >= c->len; c = c->next) {
    off -= c->len;
  }

  for (; c && i < n; c = c->next, off = 0) {
    iov[i].iov_base = c->data + off;
    iov[i].iov_len = c->len - (size_t)off;
    ++i;
  }

  return i;
}

void sendq_mark_sent(sendq *q, size_t n) {
  if (n > q->end - q->sent) {
    /* Caller bug: never mark more than what is queued. */
    q->sent = q->end;
    return;
  }
  q->sent += n;
}

void sendq_ack(sendq *q, uint64_t offset) {
  sendq_chunk *c;

  if (offset > q->sent) {
    offset = q->sent;
  }
  if (offset <= q->acked) {
    return;
  }
  q->acked = offset;

  /* Unlink full chunks that lie wholly below |acked|.  The tail always
     stays: it holds (or is about to hold) |end|. */
  while (q->head != q->tail && q->head_off + q->head->cap <= q->acked) {
    c = q->head;
    q->head = c->next;
    q->head_off += c->cap;
    free(c);
  }

  /* Everything is acknowledged: rewind the tail for reuse. */
  if (q->head && q->acked == q->end) {
    q->head->len = 0;
    q->head_off = q->end;
  }
}
