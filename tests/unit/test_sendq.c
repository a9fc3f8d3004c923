/* Unit tests for the stream send queue (src/common/sendq.c). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "common/sendq.h"

/* pattern returns the byte expected at stream offset |off|. */
static uint8_t pattern(uint64_t off) {
  return (uint8_t)((off * 31 + (off >> 8) * 7 + 5) & 0xff);
}

/* append_pattern appends |len| pattern bytes starting at stream offset
   q->end. */
static int append_pattern(sendq *q, size_t len) {
  uint8_t *buf = malloc(len ? len : 1);
  size_t i;
  int rv;

  assert_non_null(buf);
  for (i = 0; i < len; ++i) {
    buf[i] = pattern(q->end + i);
  }
  rv = sendq_append(q, buf, len);
  free(buf);
  return rv;
}

/* check_unsent verifies that sendq_peek yields exactly the unsent bytes,
   in order, and returns the iovec count. */
static size_t check_unsent(const sendq *q) {
  struct iovec iov[64];
  size_t n, i, j, total = 0;
  uint64_t off = q->sent;

  n = sendq_peek(q, iov, 64);
  for (i = 0; i < n; ++i) {
    const uint8_t *p = iov[i].iov_base;

    assert_true(iov[i].iov_len > 0);
    assert_true(iov[i].iov_len <= SENDQ_CHUNK_SIZE);
    for (j = 0; j < iov[i].iov_len; ++j) {
      assert_int_equal(p[j], pattern(off + j));
    }
    off += iov[i].iov_len;
    total += iov[i].iov_len;
  }
  assert_int_equal(total, sendq_unsent(q));
  return n;
}

static size_t count_chunks(const sendq *q) {
  const sendq_chunk *c;
  size_t n = 0;

  for (c = q->head; c; c = c->next) {
    ++n;
  }
  return n;
}

static void test_empty(void **state) {
  sendq *qp = *state;
  struct iovec iov[4];

  sendq_init(qp, 0);
  assert_int_equal(sendq_unsent(qp), 0);
  assert_int_equal(sendq_peek(qp, iov, 4), 0);
  assert_int_equal(sendq_room(qp), SIZE_MAX);
  assert_int_equal(sendq_append(qp, NULL, 0), 0);
  assert_null(qp->head);
  sendq_ack(qp, 100); /* clamped to sent == 0 */
  assert_int_equal(qp->acked, 0);
  sendq_free(qp);
}

static void test_append_small(void **state) {
  sendq *qp = *state;
  struct iovec iov[4];

  sendq_init(qp, 0);
  assert_int_equal(sendq_append(qp, (const uint8_t *)"hello", 5), 0);
  assert_int_equal(sendq_append(qp, (const uint8_t *)" world", 6), 0);
  assert_int_equal(sendq_unsent(qp), 11);
  assert_int_equal(count_chunks(qp), 1);
  assert_int_equal(sendq_peek(qp, iov, 4), 1);
  assert_int_equal(iov[0].iov_len, 11);
  assert_memory_equal(iov[0].iov_base, "hello world", 11);
  sendq_free(qp);
}

static void test_append_across_chunks(void **state) {
  sendq *qp = *state;
  struct iovec iov[8];

  sendq_init(qp, 0);
  /* Fill the first chunk to 100 bytes short, then cross two boundaries
     in one append. */
  assert_int_equal(append_pattern(qp, SENDQ_CHUNK_SIZE - 100), 0);
  assert_int_equal(count_chunks(qp), 1);
  assert_int_equal(append_pattern(qp, 100 + SENDQ_CHUNK_SIZE + 50), 0);
  assert_int_equal(count_chunks(qp), 3);
  assert_int_equal(qp->head->len, SENDQ_CHUNK_SIZE);
  assert_int_equal(qp->head->next->len, SENDQ_CHUNK_SIZE);
  assert_int_equal(qp->tail->len, 50);
  assert_int_equal(qp->end, 2 * SENDQ_CHUNK_SIZE + 50);

  assert_int_equal(check_unsent(qp), 3);
  assert_int_equal(sendq_peek(qp, iov, 8), 3);
  assert_int_equal(iov[0].iov_len, SENDQ_CHUNK_SIZE);
  assert_int_equal(iov[1].iov_len, SENDQ_CHUNK_SIZE);
  assert_int_equal(iov[2].iov_len, 50);

  /* Fewer iovecs than chunks. */
  assert_int_equal(sendq_peek(qp, iov, 2), 2);
  assert_int_equal(iov[1].iov_len, SENDQ_CHUNK_SIZE);
  assert_int_equal(sendq_peek(qp, iov, 0), 0);

  /* Exactly fill the tail: no new chunk. */
  assert_int_equal(append_pattern(qp, SENDQ_CHUNK_SIZE - 50), 0);
  assert_int_equal(count_chunks(qp), 3);
  assert_int_equal(append_pattern(qp, 1), 0);
  assert_int_equal(count_chunks(qp), 4);
  assert_int_equal(check_unsent(qp), 4);
  sendq_free(qp);
}

static void test_byte_by_byte(void **state) {
  sendq *qp = *state;
  size_t i;

  sendq_init(qp, 0);
  for (i = 0; i < 3 * SENDQ_CHUNK_SIZE + 7; ++i) {
    assert_int_equal(append_pattern(qp, 1), 0);
  }
  assert_int_equal(count_chunks(qp), 4);
  assert_int_equal(check_unsent(qp), 4);
  sendq_free(qp);
}

static void test_mark_sent_partial(void **state) {
  sendq *qp = *state;
  struct iovec iov[8];

  sendq_init(qp, 0);
  assert_int_equal(append_pattern(qp, 2 * SENDQ_CHUNK_SIZE + 10), 0);

  sendq_mark_sent(qp, 10);
  assert_int_equal(sendq_unsent(qp), 2 * SENDQ_CHUNK_SIZE);
  assert_int_equal(sendq_peek(qp, iov, 8), 3);
  assert_ptr_equal(iov[0].iov_base, qp->head->data + 10);
  assert_int_equal(iov[0].iov_len, SENDQ_CHUNK_SIZE - 10);
  assert_int_equal(check_unsent(qp), 3);

  /* Land exactly on a chunk boundary: the first iovec starts the next
     chunk. */
  sendq_mark_sent(qp, SENDQ_CHUNK_SIZE - 10);
  assert_int_equal(sendq_peek(qp, iov, 8), 2);
  assert_ptr_equal(iov[0].iov_base, qp->head->next->data);
  assert_int_equal(check_unsent(qp), 2);

  sendq_mark_sent(qp, SENDQ_CHUNK_SIZE + 3);
  assert_int_equal(sendq_peek(qp, iov, 8), 1);
  assert_int_equal(iov[0].iov_len, 7);
  assert_int_equal(check_unsent(qp), 1);

  sendq_mark_sent(qp, 7);
  assert_int_equal(sendq_unsent(qp), 0);
  assert_int_equal(sendq_peek(qp, iov, 8), 0);

  /* Over-marking is clamped. */
  sendq_mark_sent(qp, 1);
  assert_int_equal(qp->sent, qp->end);
  sendq_free(qp);
}

static void test_ack(void **state) {
  sendq *qp = *state;
  sendq_chunk *second;

  sendq_init(qp, 0);
  assert_int_equal(append_pattern(qp, 3 * SENDQ_CHUNK_SIZE + 100), 0);
  assert_int_equal(count_chunks(qp), 4);
  second = qp->head->next;

  /* Ack beyond sent is clamped to sent. */
  sendq_mark_sent(qp, SENDQ_CHUNK_SIZE + 10);
  sendq_ack(qp, qp->end);
  assert_int_equal(qp->acked, SENDQ_CHUNK_SIZE + 10);
  assert_int_equal(count_chunks(qp), 3);
  assert_ptr_equal(qp->head, second);
  assert_int_equal(qp->head_off, SENDQ_CHUNK_SIZE);

  /* A backward ack changes nothing. */
  sendq_ack(qp, 5);
  assert_int_equal(qp->acked, SENDQ_CHUNK_SIZE + 10);

  /* Partial ack inside a chunk keeps it. */
  sendq_mark_sent(qp, SENDQ_CHUNK_SIZE);
  sendq_ack(qp, 2 * SENDQ_CHUNK_SIZE - 1);
  assert_int_equal(count_chunks(qp), 3);
  assert_ptr_equal(qp->head, second);

  /* Ack exactly to a chunk end frees it. */
  sendq_ack(qp, 2 * SENDQ_CHUNK_SIZE);
  assert_int_equal(count_chunks(qp), 2);
  assert_int_equal(qp->head_off, 2 * SENDQ_CHUNK_SIZE);
  assert_int_equal(check_unsent(qp), 2);

  /* Send and ack everything: one chunk survives, rewound. */
  sendq_mark_sent(qp, sendq_unsent(qp));
  sendq_ack(qp, qp->end);
  assert_int_equal(qp->acked, qp->end);
  assert_int_equal(count_chunks(qp), 1);
  assert_ptr_equal(qp->head, qp->tail);
  assert_int_equal(qp->tail->len, 0);
  assert_int_equal(qp->head_off, qp->end);

  /* The rewound chunk is reused for new data. */
  {
    sendq_chunk *keep = qp->tail;

    assert_int_equal(append_pattern(qp, 20), 0);
    assert_ptr_equal(qp->head, keep);
    assert_int_equal(count_chunks(qp), 1);
    assert_int_equal(check_unsent(qp), 1);
  }
  sendq_free(qp);
}

static void test_ack_sent_on_boundary(void **state) {
  sendq *qp = *state;

  sendq_init(qp, 0);
  /* Tail is full and |sent| is at its end: the tail must survive and
     appends must continue in a new chunk. */
  assert_int_equal(append_pattern(qp, 2 * SENDQ_CHUNK_SIZE), 0);
  sendq_mark_sent(qp, 2 * SENDQ_CHUNK_SIZE);
  sendq_ack(qp, 2 * SENDQ_CHUNK_SIZE);
  assert_int_equal(count_chunks(qp), 1);
  assert_int_equal(qp->head_off, qp->end);
  assert_int_equal(append_pattern(qp, SENDQ_CHUNK_SIZE + 1), 0);
  assert_int_equal(count_chunks(qp), 2);
  assert_int_equal(check_unsent(qp), 2);

  /* Tail full, partly acked, more appended. */
  sendq_mark_sent(qp, SENDQ_CHUNK_SIZE);
  sendq_ack(qp, qp->sent);
  assert_int_equal(count_chunks(qp), 1);
  assert_int_equal(check_unsent(qp), 1);
  sendq_free(qp);
}

static void test_stable_pointers(void **state) {
  sendq *qp = *state;
  struct iovec iov[8], first;
  uint8_t copy[SENDQ_CHUNK_SIZE];
  size_t i;

  sendq_init(qp, 0);
  assert_int_equal(append_pattern(qp, 1000), 0);
  assert_int_equal(sendq_peek(qp, iov, 8), 1);
  first = iov[0];
  memcpy(copy, first.iov_base, first.iov_len);
  sendq_mark_sent(qp, first.iov_len);

  /* Many later appends (filling the same chunk, then new ones) and a
     partial ack must not move or change the sent bytes. */
  for (i = 0; i < 20; ++i) {
    assert_int_equal(append_pattern(qp, 777), 0);
  }
  sendq_ack(qp, 500);
  assert_ptr_equal(qp->head->data, first.iov_base);
  assert_memory_equal(first.iov_base, copy, first.iov_len);

  /* Send the next 5000 bytes; remember where they live. */
  {
    struct iovec sent[8];
    size_t n, k;
    uint8_t *save[8];
    size_t savelen[8];
    uint8_t *bytes;
    size_t total = 0;

    n = sendq_peek(qp, sent, 8);
    assert_true(n >= 2);
    bytes = malloc(2 * SENDQ_CHUNK_SIZE);
    assert_non_null(bytes);
    for (k = 0; k < 2; ++k) {
      save[k] = sent[k].iov_base;
      savelen[k] = sent[k].iov_len;
      memcpy(bytes + total, save[k], savelen[k]);
      total += savelen[k];
    }
    sendq_mark_sent(qp, total);

    for (i = 0; i < 10; ++i) {
      assert_int_equal(append_pattern(qp, 3000), 0);
    }
    sendq_ack(qp, qp->sent - 1);
    /* The last sent byte is not acked: its chunk is still there. */
    assert_int_equal(memcmp(save[1] + savelen[1] - 1,
                            bytes + total - 1, 1), 0);
    assert_true(qp->head->data <= save[1] &&
                save[1] < qp->head->data + SENDQ_CHUNK_SIZE);
    free(bytes);
  }
  /* 3000 * 10 + 20 * 777 bytes remain unsent: more iovecs than offered. */
  assert_int_equal(sendq_peek(qp, iov, 8), 8);
  assert_true(check_unsent(qp) > 8);
  sendq_free(qp);
}

/* A model-based run: random appends, sends and acks, checking content of
   every byte sent (not yet acked) at its recorded address. */
static void test_random_model(void **state) {
  sendq *qp = *state;
  struct rec {
    const uint8_t *p;
    uint64_t off;
    size_t len;
  } recs[4096];
  size_t nrecs = 0, i, j, step;
  uint32_t rnd = 12345;

  sendq_init(qp, 64 * 1024);
  for (step = 0; step < 20000; ++step) {
    rnd = rnd * 1103515245u + 12345u;
    switch ((rnd >> 16) % 3) {
    case 0: {
      size_t len = (rnd >> 4) % 9000;
      size_t room = sendq_room(qp);

      if (len > room) {
        assert_int_equal(append_pattern(qp, len), -1);
      } else {
        assert_int_equal(append_pattern(qp, len), 0);
      }
      break;
    }
    case 1: {
      struct iovec iov[4];
      size_t n = sendq_peek(qp, iov, (rnd >> 8) % 4 + 1);

      for (i = 0; i < n && nrecs < 4096; ++i) {
        recs[nrecs].p = iov[i].iov_base;
        recs[nrecs].off = qp->sent;
        recs[nrecs].len = iov[i].iov_len;
        ++nrecs;
        sendq_mark_sent(qp, iov[i].iov_len);
      }
      break;
    }
    case 2: {
      uint64_t to = qp->acked + (rnd >> 4) % 6000;

      sendq_ack(qp, to);
      assert_true(qp->acked <= qp->sent);
      /* Drop records wholly acked. */
      for (i = 0, j = 0; i < nrecs; ++i) {
        if (recs[i].off + recs[i].len > qp->acked) {
          recs[j++] = recs[i];
        }
      }
      nrecs = j;
      break;
    }
    }
    assert_true(qp->head_off <= qp->acked);
    assert_true(qp->end - qp->acked <= 64 * 1024);
    /* Every unacked sent byte is still where ngtcp2 was told it is. */
    for (i = 0; i < nrecs; ++i) {
      for (j = 0; j < recs[i].len; ++j) {
        if (recs[i].off + j >= qp->acked) {
          assert_int_equal(recs[i].p[j], pattern(recs[i].off + j));
        }
      }
    }
    check_unsent(qp);
  }
  sendq_free(qp);
}

static void test_limit(void **state) {
  sendq *qp = *state;

  sendq_init(qp, 10000);
  assert_int_equal(sendq_room(qp), 10000);
  assert_int_equal(append_pattern(qp, 6000), 0);
  assert_int_equal(sendq_room(qp), 4000);
  /* Over the limit: refused, nothing appended. */
  assert_int_equal(append_pattern(qp, 4001), -1);
  assert_int_equal(qp->end, 6000);
  assert_int_equal(count_chunks(qp), 2);
  assert_int_equal(append_pattern(qp, 4000), 0);
  assert_int_equal(sendq_room(qp), 0);
  assert_int_equal(append_pattern(qp, 1), -1);
  assert_int_equal(append_pattern(qp, 0), 0);

  /* Sending frees nothing; acking does. */
  sendq_mark_sent(qp, 5000);
  assert_int_equal(sendq_room(qp), 0);
  sendq_ack(qp, 3000);
  assert_int_equal(sendq_room(qp), 3000);
  assert_int_equal(append_pattern(qp, 3000), 0);
  assert_int_equal(append_pattern(qp, 1), -1);
  /* Unsent: [5000, 13000) over chunks 1, 2 and 3. */
  assert_int_equal(check_unsent(qp), 3);
  sendq_free(qp);

  /* Limit 0 is unlimited. */
  sendq_init(qp, 0);
  assert_int_equal(append_pattern(qp, 100000), 0);
  assert_int_equal(sendq_room(qp), SIZE_MAX);
  sendq_free(qp);
}

/* A queue that starts small (an HTTP/3 control or CONNECT stream) keeps a
 * small spare; one that grows gets full chunks. */
static void test_small_first_chunk(void **state) {
  sendq *qp = *state;
  struct iovec iov[4];

  assert_int_equal(append_pattern(qp, 40), 0);
  assert_ptr_equal(qp->head, qp->tail);
  assert_int_equal(qp->head->cap, SENDQ_SMALL_CHUNK);
  sendq_mark_sent(qp, 40);
  sendq_ack(qp, 40);
  assert_int_equal(qp->tail->len, 0); /* the small spare, rewound */
  assert_int_equal(qp->tail->cap, SENDQ_SMALL_CHUNK);

  /* more than the small chunk holds: it is filled, then a full one follows */
  assert_int_equal(append_pattern(qp, SENDQ_SMALL_CHUNK + 10), 0);
  assert_int_equal(qp->head->len, SENDQ_SMALL_CHUNK);
  assert_int_equal(qp->tail->cap, SENDQ_CHUNK_SIZE);
  assert_int_equal(qp->tail->len, 10);
  assert_int_equal(sendq_peek(qp, iov, 4), 2);
  assert_int_equal(iov[0].iov_len, SENDQ_SMALL_CHUNK);
  assert_int_equal(iov[1].iov_len, 10);
  assert_int_equal(check_unsent(qp), 2); /* the bytes, in order */
  sendq_mark_sent(qp, SENDQ_SMALL_CHUNK + 10);
  /* acking past the small chunk frees it */
  sendq_ack(qp, 40 + SENDQ_SMALL_CHUNK);
  assert_ptr_equal(qp->head, qp->tail);
  assert_int_equal(qp->head_off, 40 + SENDQ_SMALL_CHUNK);
  assert_int_equal(qp->head->cap, SENDQ_CHUNK_SIZE);

  /* a first append too big for a small chunk gets full chunks only */
  sendq_free(qp);
  assert_int_equal(append_pattern(qp, SENDQ_SMALL_CHUNK + 1), 0);
  assert_int_equal(qp->head->cap, SENDQ_CHUNK_SIZE);
}

static void test_free_reinit(void **state) {
  sendq *qp = *state;

  sendq_init(qp, 0);
  assert_int_equal(append_pattern(qp, 10000), 0);
  sendq_free(qp);
  assert_null(qp->head);
  assert_int_equal(qp->end, 0);
  /* Freeing twice is harmless. */
  sendq_free(qp);
}

static int setup(void **state) {
  sendq *qp = malloc(sizeof(*qp));

  if (qp == NULL) {
    return -1;
  }
  sendq_init(qp, 0);
  *state = qp;
  return 0;
}

/* teardown frees the queue even when a test failed half way. */
static int teardown(void **state) {
  sendq *qp = *state;

  sendq_free(qp);
  free(qp);
  return 0;
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_empty, setup, teardown),
      cmocka_unit_test_setup_teardown(test_small_first_chunk, setup, teardown),
      cmocka_unit_test_setup_teardown(test_append_small, setup, teardown),
      cmocka_unit_test_setup_teardown(test_append_across_chunks, setup, teardown),
      cmocka_unit_test_setup_teardown(test_byte_by_byte, setup, teardown),
      cmocka_unit_test_setup_teardown(test_mark_sent_partial, setup, teardown),
      cmocka_unit_test_setup_teardown(test_ack, setup, teardown),
      cmocka_unit_test_setup_teardown(test_ack_sent_on_boundary, setup, teardown),
      cmocka_unit_test_setup_teardown(test_stable_pointers, setup, teardown),
      cmocka_unit_test_setup_teardown(test_random_model, setup, teardown),
      cmocka_unit_test_setup_teardown(test_limit, setup, teardown),
      cmocka_unit_test_setup_teardown(test_free_reinit, setup, teardown),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
