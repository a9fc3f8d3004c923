/* Unit tests for the outstanding-ping tracker (src/ping/ping_track.c). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ping/ping_track.h"

#define W PING_TRACK_WINDOW

/* check_counters checks every counter of |t| and the accounting
   identity. */
static void check_counters(const ping_track *t, uint64_t transmitted, uint64_t received,
                           uint64_t lost, uint64_t duplicates, uint64_t late) {
  assert_true(t->transmitted == transmitted);
  assert_true(t->received == received);
  assert_true(t->lost == lost);
  assert_true(t->duplicates == duplicates);
  assert_true(t->late == late);
  assert_true(ping_track_outstanding(t) == transmitted - received - lost);
  assert_true(t->transmitted == t->received + t->lost + ping_track_outstanding(t));
}

static void test_init(void **state) {
  ping_track t;

  (void)state;

  assert_int_equal(ping_track_init(&t, 1000), 0);
  assert_non_null(t.sent_ns);
  assert_non_null(t.state);
  assert_true(t.next_seq == 0);
  assert_true(ping_track_next_deadline(&t) == UINT64_MAX);
  assert_true(ping_track_outstanding(&t) == 0);
  assert_int_equal(ping_track_expire(&t, UINT64_MAX), 0);
  check_counters(&t, 0, 0, 0, 0, 0);
  ping_track_free(&t);
  assert_null(t.sent_ns);
  assert_null(t.state);
  /* Freeing twice is harmless. */
  ping_track_free(&t);
}

static void test_in_order(void **state) {
  ping_track t;
  uint64_t rtt = 1;

  (void)state;

  assert_int_equal(ping_track_init(&t, 100), 0);

  /* A ping at time 0 is a real ping. */
  assert_true(ping_track_send(&t, 0) == 0);
  assert_true(ping_track_send(&t, 10) == 1);
  assert_true(ping_track_send(&t, 20) == 2);
  check_counters(&t, 3, 0, 0, 0, 0);
  assert_true(ping_track_next_deadline(&t) == 100);

  assert_int_equal(ping_track_reply(&t, 0, 50, &rtt), PING_REPLY_OK);
  assert_true(rtt == 50);
  assert_true(ping_track_next_deadline(&t) == 110);
  assert_int_equal(ping_track_reply(&t, 1, 61, &rtt), PING_REPLY_OK);
  assert_true(rtt == 51);
  assert_true(ping_track_next_deadline(&t) == 120);
  assert_int_equal(ping_track_reply(&t, 2, 72, &rtt), PING_REPLY_OK);
  assert_true(rtt == 52);
  check_counters(&t, 3, 3, 0, 0, 0);
  assert_true(ping_track_next_deadline(&t) == UINT64_MAX);
  assert_true(t.oldest == 3);
  assert_int_equal(ping_track_expire(&t, 100000), 0);
  check_counters(&t, 3, 3, 0, 0, 0);

  /* A NULL rtt pointer is accepted. */
  assert_true(ping_track_send(&t, 1000) == 3);
  assert_int_equal(ping_track_reply(&t, 3, 1001, NULL), PING_REPLY_OK);

  ping_track_free(&t);
}

static void test_reordered(void **state) {
  ping_track t;
  uint64_t rtt = 0;

  (void)state;

  assert_int_equal(ping_track_init(&t, 100), 0);
  ping_track_send(&t, 0);
  ping_track_send(&t, 10);
  ping_track_send(&t, 20);
  ping_track_send(&t, 30);

  assert_int_equal(ping_track_reply(&t, 2, 40, &rtt), PING_REPLY_OK);
  assert_true(rtt == 20);
  /* seq 0 still bounds the deadline. */
  assert_true(ping_track_next_deadline(&t) == 100);
  assert_int_equal(ping_track_reply(&t, 0, 45, &rtt), PING_REPLY_OK);
  assert_true(rtt == 45);
  assert_true(ping_track_next_deadline(&t) == 110);
  assert_int_equal(ping_track_reply(&t, 3, 50, &rtt), PING_REPLY_OK);
  assert_true(rtt == 20);
  assert_true(ping_track_next_deadline(&t) == 110);
  assert_true(ping_track_outstanding(&t) == 1);
  assert_int_equal(ping_track_reply(&t, 1, 60, &rtt), PING_REPLY_OK);
  assert_true(rtt == 50);
  /* oldest skipped the answered 2 and 3 in one go. */
  assert_true(t.oldest == 4);
  assert_true(ping_track_next_deadline(&t) == UINT64_MAX);
  check_counters(&t, 4, 4, 0, 0, 0);

  ping_track_free(&t);
}

static void test_duplicates(void **state) {
  ping_track t;
  uint64_t rtt = 0;

  (void)state;

  assert_int_equal(ping_track_init(&t, 100), 0);
  ping_track_send(&t, 1000);
  ping_track_send(&t, 1001);

  assert_int_equal(ping_track_reply(&t, 0, 1010, &rtt), PING_REPLY_OK);
  assert_true(rtt == 10);
  assert_int_equal(ping_track_reply(&t, 0, 1011, &rtt), PING_REPLY_DUPLICATE);
  assert_int_equal(ping_track_reply(&t, 0, 5000, &rtt), PING_REPLY_DUPLICATE);
  check_counters(&t, 2, 1, 0, 2, 0);
  assert_true(ping_track_outstanding(&t) == 1);

  assert_int_equal(ping_track_reply(&t, 1, 1020, &rtt), PING_REPLY_OK);
  assert_int_equal(ping_track_reply(&t, 1, 1020, &rtt), PING_REPLY_DUPLICATE);
  check_counters(&t, 2, 2, 0, 3, 0);

  ping_track_free(&t);
}

static void test_expire_then_late(void **state) {
  ping_track t;
  uint64_t rtt = 0;

  (void)state;

  assert_int_equal(ping_track_init(&t, 100), 0);
  ping_track_send(&t, 0);
  ping_track_send(&t, 50);
  ping_track_send(&t, 60);

  assert_int_equal(ping_track_expire(&t, 99), 0);
  check_counters(&t, 3, 0, 0, 0, 0);
  /* "sent at or before now - timeout": exactly at the deadline. */
  assert_true(ping_track_next_deadline(&t) == 100);
  assert_int_equal(ping_track_expire(&t, 100), 1);
  check_counters(&t, 3, 0, 1, 0, 0);
  assert_int_equal(ping_track_expire(&t, 100), 0);
  assert_true(ping_track_next_deadline(&t) == 150);

  /* Answer seq 1 in time; the expiry walk must skip it later. */
  assert_int_equal(ping_track_reply(&t, 1, 140, &rtt), PING_REPLY_OK);
  assert_true(ping_track_next_deadline(&t) == 160);
  assert_int_equal(ping_track_expire(&t, 1000), 1);
  check_counters(&t, 3, 1, 2, 0, 0);
  assert_true(ping_track_next_deadline(&t) == UINT64_MAX);

  /* First reply to an expired ping is late; it stays counted lost. */
  assert_int_equal(ping_track_reply(&t, 0, 1001, &rtt), PING_REPLY_LATE);
  check_counters(&t, 3, 1, 2, 0, 1);
  assert_int_equal(ping_track_reply(&t, 0, 1002, &rtt), PING_REPLY_DUPLICATE);
  check_counters(&t, 3, 1, 2, 1, 1);
  assert_int_equal(ping_track_reply(&t, 2, 1003, &rtt), PING_REPLY_LATE);
  assert_int_equal(ping_track_reply(&t, 2, 1004, &rtt), PING_REPLY_DUPLICATE);
  check_counters(&t, 3, 1, 2, 2, 2);
  assert_true(ping_track_outstanding(&t) == 0);

  ping_track_free(&t);
}

static void test_late_before_expire(void **state) {
  ping_track t;
  uint64_t rtt = 0;

  (void)state;

  assert_int_equal(ping_track_init(&t, 100), 0);
  ping_track_send(&t, 0);
  ping_track_send(&t, 0);
  ping_track_send(&t, 0);

  /* now - sent == timeout is still in time. */
  assert_int_equal(ping_track_reply(&t, 1, 100, &rtt), PING_REPLY_OK);
  assert_true(rtt == 100);
  /* One tick later it is late and counts as lost, once. */
  assert_int_equal(ping_track_reply(&t, 0, 101, &rtt), PING_REPLY_LATE);
  check_counters(&t, 3, 1, 1, 0, 1);
  assert_true(ping_track_outstanding(&t) == 1);
  assert_true(ping_track_next_deadline(&t) == 100);

  /* Expiry does not count seq 0 again. */
  assert_int_equal(ping_track_expire(&t, 200), 1);
  check_counters(&t, 3, 1, 2, 0, 1);
  assert_int_equal(ping_track_reply(&t, 0, 201, &rtt), PING_REPLY_DUPLICATE);
  assert_int_equal(ping_track_reply(&t, 2, 202, &rtt), PING_REPLY_LATE);
  check_counters(&t, 3, 1, 2, 1, 2);

  ping_track_free(&t);
}

static void test_unknown(void **state) {
  ping_track t;
  uint64_t rtt = 0;
  uint64_t i;

  (void)state;

  assert_int_equal(ping_track_init(&t, 1000), 0);

  assert_int_equal(ping_track_reply(&t, 0, 0, &rtt), PING_REPLY_UNKNOWN);
  ping_track_send(&t, 5);
  assert_int_equal(ping_track_reply(&t, 1, 6, &rtt), PING_REPLY_UNKNOWN);
  assert_int_equal(ping_track_reply(&t, W, 6, &rtt), PING_REPLY_UNKNOWN);
  assert_int_equal(ping_track_reply(&t, UINT64_MAX, 6, &rtt), PING_REPLY_UNKNOWN);
  check_counters(&t, 1, 0, 0, 0, 0);
  assert_int_equal(ping_track_reply(&t, 0, 6, &rtt), PING_REPLY_OK);

  /* Push seq 0..4 out of the window. */
  for (i = 1; i < W + 5; ++i) {
    assert_true(ping_track_send(&t, 10) == i);
  }
  assert_true(t.next_seq == W + 5);
  /* 1..4 were in flight when their slots were reused. */
  check_counters(&t, W + 5, 1, 4, 0, 0);
  for (i = 0; i < 5; ++i) {
    assert_int_equal(ping_track_reply(&t, i, 20, &rtt), PING_REPLY_UNKNOWN);
  }
  assert_int_equal(ping_track_reply(&t, W + 5, 20, &rtt), PING_REPLY_UNKNOWN);
  check_counters(&t, W + 5, 1, 4, 0, 0);
  /* The oldest remembered seq. */
  assert_int_equal(ping_track_reply(&t, 5, 20, &rtt), PING_REPLY_OK);
  assert_true(rtt == 10);
  assert_int_equal(ping_track_reply(&t, W + 4, 20, &rtt), PING_REPLY_OK);
  check_counters(&t, W + 5, 3, 4, 0, 0);

  ping_track_free(&t);
}

static void test_wrap(void **state) {
  ping_track t;
  uint64_t rtt = 0;
  uint64_t i;

  (void)state;

  assert_int_equal(ping_track_init(&t, 1000000), 0);

  /* Send W + 10 pings at times 0, 1, 2, ... without any reply. */
  for (i = 0; i < W + 10; ++i) {
    assert_true(ping_track_send(&t, i) == i);
    assert_true(t.transmitted == t.received + t.lost + ping_track_outstanding(&t));
    assert_true(ping_track_outstanding(&t) <= W);
  }
  check_counters(&t, W + 10, 0, 10, 0, 0);
  assert_true(ping_track_outstanding(&t) == W);
  assert_true(t.oldest == 10);
  /* The oldest in flight is seq 10, sent at 10. */
  assert_true(ping_track_next_deadline(&t) == 10 + 1000000);

  assert_int_equal(ping_track_reply(&t, 9, W + 20, &rtt), PING_REPLY_UNKNOWN);
  /* The oldest remembered ping is still in flight. */
  assert_int_equal(ping_track_reply(&t, 10, W + 20, &rtt), PING_REPLY_OK);
  assert_true(rtt == W + 10);
  assert_int_equal(ping_track_reply(&t, W + 9, W + 20, &rtt), PING_REPLY_OK);
  assert_true(rtt == 11);
  check_counters(&t, W + 10, 2, 10, 0, 0);

  /* One more send pushes seq 10 (answered) out: nothing new lost. */
  ping_track_send(&t, W + 30);
  check_counters(&t, W + 11, 2, 10, 0, 0);
  assert_true(ping_track_next_deadline(&t) == 11 + 1000000);
  /* And another pushes 11 (in flight) out. */
  ping_track_send(&t, W + 31);
  check_counters(&t, W + 12, 2, 11, 0, 0);
  assert_int_equal(ping_track_reply(&t, 12, W + 40, &rtt), PING_REPLY_OK);
  assert_int_equal(ping_track_reply(&t, 10, W + 40, &rtt), PING_REPLY_UNKNOWN);
  assert_int_equal(ping_track_reply(&t, 11, W + 40, &rtt), PING_REPLY_UNKNOWN);

  /* Wrap a second time with everything still in flight, then let all of
     it expire. */
  for (i = 0; i < 2 * W; ++i) {
    ping_track_send(&t, W + 50 + i);
  }
  assert_true(ping_track_outstanding(&t) == W);
  assert_true(t.transmitted == t.received + t.lost + ping_track_outstanding(&t));
  assert_int_equal(ping_track_expire(&t, UINT64_MAX), W);
  assert_true(ping_track_outstanding(&t) == 0);
  assert_true(ping_track_next_deadline(&t) == UINT64_MAX);
  assert_true(t.oldest == t.next_seq);
  check_counters(&t, 3 * W + 12, 3, 3 * W + 9, 0, 0);

  ping_track_free(&t);
}

static void test_wrap_late(void **state) {
  ping_track t;
  uint64_t rtt = 0;
  uint64_t i;

  (void)state;

  /* Timeout shorter than the window: seq 0 times out, and is then pushed
     out of its slot (counted lost once, not twice). */
  assert_int_equal(ping_track_init(&t, 100), 0);
  for (i = 0; i < W + 1; ++i) {
    ping_track_send(&t, i);
  }
  check_counters(&t, W + 1, 0, 1, 0, 0);
  assert_int_equal(ping_track_expire(&t, W + 1), W + 1 - 1 - 100 + 1);
  assert_int_equal(ping_track_reply(&t, 1, W + 2, &rtt), PING_REPLY_LATE);
  assert_int_equal(ping_track_reply(&t, 1, W + 3, &rtt), PING_REPLY_DUPLICATE);
  assert_true(t.transmitted == t.received + t.lost + ping_track_outstanding(&t));
  assert_true(t.late == 1 && t.duplicates == 1);

  ping_track_free(&t);
}

static void test_deadline_overflow(void **state) {
  ping_track t;

  (void)state;

  assert_int_equal(ping_track_init(&t, UINT64_MAX), 0);
  ping_track_send(&t, 5);
  assert_true(ping_track_next_deadline(&t) == UINT64_MAX);
  assert_int_equal(ping_track_expire(&t, UINT64_MAX - 1), 0);
  assert_int_equal(ping_track_reply(&t, 0, UINT64_MAX, NULL), PING_REPLY_OK);
  ping_track_free(&t);
}

/* ---- randomized run against a reference model ---- */

enum { M_IN_FLIGHT = 1, M_ANSWERED, M_LOST, M_LOST_ANSWERED };

typedef struct model {
  uint64_t timeout;
  uint64_t next;
  uint64_t *sent;    /* by seq */
  uint8_t *st;       /* by seq */
  uint64_t *flight;  /* unordered list of in-flight seqs */
  size_t *pos;       /* index of a seq in |flight| */
  size_t nflight;
  uint64_t transmitted, received, lost, duplicates, late;
} model;

static void model_remove(model *m, uint64_t seq) {
  size_t i = m->pos[seq];

  m->flight[i] = m->flight[--m->nflight];
  m->pos[m->flight[i]] = i;
}

static void model_lose(model *m, uint64_t seq) {
  m->st[seq] = M_LOST;
  ++m->lost;
  model_remove(m, seq);
}

static uint64_t rnd(uint64_t *s) {
  /* xorshift64* */
  *s ^= *s >> 12;
  *s ^= *s << 25;
  *s ^= *s >> 27;
  return *s * 2685821657736338717ull;
}

/* run_random runs |ops| random operations on a tracker and a model, with
   per-mille probabilities |p_send| and |p_reply| (the rest expires), time
   steps 0..|step| and the given |timeout|; next_deadline is compared every
   |deadline_every| operations. */
static void run_random(uint64_t seed, size_t ops, uint64_t timeout, uint64_t step,
                       unsigned p_send, unsigned p_reply, size_t deadline_every) {
  ping_track t;
  model m;
  uint64_t now = 1000, s = seed, r, seq, rtt, want_rtt, dl;
  ping_reply_kind got, want;
  size_t op, i, n, want_n;
  unsigned dice;

  memset(&m, 0, sizeof(m));
  m.timeout = timeout;
  m.sent = calloc(ops, sizeof(m.sent[0]));
  m.st = calloc(ops, sizeof(m.st[0]));
  m.flight = calloc(ops, sizeof(m.flight[0]));
  m.pos = calloc(ops, sizeof(m.pos[0]));
  assert_non_null(m.sent);
  assert_non_null(m.st);
  assert_non_null(m.flight);
  assert_non_null(m.pos);

  assert_int_equal(ping_track_init(&t, timeout), 0);

  for (op = 0; op < ops; ++op) {
    r = rnd(&s);
    now += r % (step + 1);
    dice = (unsigned)((r >> 32) % 1000);

    if (dice < p_send) {
      seq = ping_track_send(&t, now);
      assert_true(seq == m.next);
      if (seq >= W && m.st[seq - W] == M_IN_FLIGHT) {
        model_lose(&m, seq - W);
      }
      m.sent[seq] = now;
      m.st[seq] = M_IN_FLIGHT;
      m.pos[seq] = m.nflight;
      m.flight[m.nflight++] = seq;
      ++m.next;
      ++m.transmitted;
    } else if (dice < p_send + p_reply) {
      r = rnd(&s);
      switch (r % 10) {
      case 0:
      case 1:
      case 2:
      case 3:
      case 4:
        /* Something in flight. */
        seq = m.nflight ? m.flight[(r >> 8) % m.nflight] : 0;
        break;
      case 5:
      case 6:
      case 7:
        /* Something recent, possibly not sent yet. */
        seq = m.next + 3 - (r >> 8) % 64;
        break;
      case 8:
        /* Anywhere around the window. */
        seq = m.next + 5 - (r >> 8) % (W + 10);
        break;
      default:
        seq = (r >> 8) % 2 ? UINT64_MAX : m.next;
        break;
      }

      want_rtt = 0;
      if (seq >= m.next || (m.next > W && seq < m.next - W)) {
        want = PING_REPLY_UNKNOWN;
      } else {
        switch (m.st[seq]) {
        case M_IN_FLIGHT:
          if (now - m.sent[seq] <= m.timeout) {
            want = PING_REPLY_OK;
            want_rtt = now - m.sent[seq];
            m.st[seq] = M_ANSWERED;
            ++m.received;
            model_remove(&m, seq);
          } else {
            want = PING_REPLY_LATE;
            model_lose(&m, seq);
            m.st[seq] = M_LOST_ANSWERED;
            ++m.late;
          }
          break;
        case M_LOST:
          want = PING_REPLY_LATE;
          m.st[seq] = M_LOST_ANSWERED;
          ++m.late;
          break;
        default:
          want = PING_REPLY_DUPLICATE;
          ++m.duplicates;
          break;
        }
      }

      rtt = 12345;
      got = ping_track_reply(&t, seq, now, &rtt);
      if (got != want) {
        print_error("seed %llu op %zu: reply(%llu) = %d, want %d\n", (unsigned long long)seed,
                    op, (unsigned long long)seq, (int)got, (int)want);
      }
      assert_int_equal(got, want);
      if (want == PING_REPLY_OK) {
        assert_true(rtt == want_rtt);
      }
    } else {
      want_n = 0;
      for (i = 0; i < m.nflight;) {
        seq = m.flight[i];
        if (now - m.sent[seq] >= m.timeout) {
          model_lose(&m, seq);
          ++want_n;
        } else {
          ++i;
        }
      }
      n = ping_track_expire(&t, now);
      if (n != want_n) {
        print_error("seed %llu op %zu: expire = %zu, want %zu\n", (unsigned long long)seed, op,
                    n, want_n);
      }
      assert_int_equal(n, want_n);
    }

    assert_true(t.next_seq == m.next);
    assert_true(t.transmitted == m.transmitted);
    assert_true(t.received == m.received);
    assert_true(t.lost == m.lost);
    assert_true(t.duplicates == m.duplicates);
    assert_true(t.late == m.late);
    assert_true(ping_track_outstanding(&t) == m.nflight);
    assert_true(t.transmitted == t.received + t.lost + ping_track_outstanding(&t));

    if (op % deadline_every == 0) {
      dl = UINT64_MAX;
      for (i = 0; i < m.nflight; ++i) {
        if (m.sent[m.flight[i]] + m.timeout < dl) {
          dl = m.sent[m.flight[i]] + m.timeout;
        }
      }
      assert_true(ping_track_next_deadline(&t) == dl);
    }
  }

  ping_track_free(&t);
  free(m.sent);
  free(m.st);
  free(m.flight);
  free(m.pos);
}

static void test_random_short_timeout(void **state) {
  (void)state;
  /* Many timeouts and late replies, few pings in flight. */
  run_random(1, 100000, 1000, 20, 400, 450, 1);
}

static void test_random_medium_timeout(void **state) {
  (void)state;
  run_random(2, 100000, 5000, 3, 500, 400, 50);
}

static void test_random_wrap(void **state) {
  (void)state;
  /* Mostly sends, a long timeout: the window wraps and pushes pings out. */
  run_random(3, 150000, 1000000, 3, 750, 245, 1000);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_init),
      cmocka_unit_test(test_in_order),
      cmocka_unit_test(test_reordered),
      cmocka_unit_test(test_duplicates),
      cmocka_unit_test(test_expire_then_late),
      cmocka_unit_test(test_late_before_expire),
      cmocka_unit_test(test_unknown),
      cmocka_unit_test(test_wrap),
      cmocka_unit_test(test_wrap_late),
      cmocka_unit_test(test_deadline_overflow),
      cmocka_unit_test(test_random_short_timeout),
      cmocka_unit_test(test_random_medium_timeout),
      cmocka_unit_test(test_random_wrap),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
