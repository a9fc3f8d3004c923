/* Unit tests for src/quic/quic_datagram.c: the outgoing datagram queue,
 * over a client and server joined in memory (tests/unit/quic_pair.c). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "quic/quic_conn.h"
#include "quic_pair.h"

typedef struct seen {
  int n;
  uint8_t last[64];
  size_t lastlen;
} seen;

static int on_datagram(quic_conn *qc, const uint8_t *data, size_t len, void *ud) {
  (void)qc;
  seen *s = ud;
  s->n++;
  s->lastlen = len < sizeof(s->last) ? len : sizeof(s->last);
  if (s->lastlen) /* an empty datagram comes with data NULL */
    memcpy(s->last, data, s->lastlen);
  return 0;
}

static const quic_app_ops server_ops = {.datagram = on_datagram};

static void on_server(quic_pair *p, quic_conn *qc, void *ud) {
  (void)p;
  quic_conn_set_app(qc, &server_ops, ud);
}

static const quic_pair_ops pair_ops = {.on_server = on_server};

/* A payload without a header (hdr NULL, hdrlen 0), a header without a
 * payload, and nothing at all: found by fuzz_h3_conn as a memcpy from NULL
 * (undefined even for 0 bytes; UBSan reports it) and an assertion in
 * ngtcp2. */
static void test_null_parts(void **state) {
  (void)state;
  static seen s;
  memset(&s, 0, sizeof(s));
  quic_pair *p = quic_pair_new(&pair_ops, &s);
  assert_non_null(p);
  quic_pair_run(p, 10);
  quic_conn *c = quic_pair_client(p);
  assert_true(quic_conn_handshake_completed(c));
  assert_int_equal(quic_conn_send_datagram(c, NULL, 0, (const uint8_t *)"ping", 4), 0);
  quic_pair_run(p, 3);
  assert_int_equal(s.n, 1);
  assert_int_equal(s.lastlen, 4);
  assert_memory_equal(s.last, "ping", 4);
  assert_int_equal(quic_conn_send_datagram(c, (const uint8_t *)"\x04", 1, NULL, 0), 0);
  quic_pair_run(p, 3);
  assert_int_equal(s.n, 2);
  assert_int_equal(s.lastlen, 1);
  /* an empty datagram: legal in QUIC; ngtcp2 0.12.1 aborts on an empty
   * vector element, which fuzz_h3_conn found */
  assert_int_equal(quic_conn_send_datagram(c, NULL, 0, NULL, 0), 0);
  quic_pair_run(p, 3);
  assert_int_equal(s.n, 3);
  assert_int_equal(s.lastlen, 0);
  assert_false(quic_conn_is_dead(c));
  quic_pair_free(p);
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_null_parts)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
