/* Unit tests for src/quic: a client and a server quic_conn joined by
 * quic_pair (fake clock). The server releases its TLS session once the
 * handshake is complete; streams, key updates and the close still work. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "quic/quic_conn.h"
#include "quic_pair.h"

typedef struct fixture {
  quic_pair *qp;
  quic_conn *server;
  uint8_t got[4096]; /* what the client received */
  size_t gotlen;
  bool got_fin;
} fixture;

/* the server echoes every stream */
static int srv_stream_data(quic_conn *qc, quic_stream *s, const uint8_t *data, size_t len,
                           bool fin, void *ud) {
  (void)qc;
  (void)ud;
  quic_stream_consume(s, len);
  return quic_stream_send(s, data, len, fin) == 0 ? 0 : -1;
}

static int cli_stream_data(quic_conn *qc, quic_stream *s, const uint8_t *data, size_t len,
                           bool fin, void *ud) {
  (void)qc;
  fixture *f = ud;
  quic_stream_consume(s, len);
  assert_true(f->gotlen + len <= sizeof(f->got));
  memcpy(f->got + f->gotlen, data, len);
  f->gotlen += len;
  f->got_fin |= fin;
  return 0;
}

static const quic_app_ops srv_app = {.stream_data = srv_stream_data};
static const quic_app_ops cli_app = {.stream_data = cli_stream_data};

static void on_server(quic_pair *p, quic_conn *qc, void *ud) {
  (void)p;
  fixture *f = ud;
  f->server = qc;
  quic_conn_set_app(qc, &srv_app, f);
}

static const quic_pair_ops pair_ops = {.on_server = on_server};

static int setup(void **state) {
  fixture *f = calloc(1, sizeof(*f));
  assert_non_null(f);
  f->qp = quic_pair_new(&pair_ops, f);
  assert_non_null(f->qp);
  quic_conn_set_app(quic_pair_client(f->qp), &cli_app, f);
  quic_pair_run(f->qp, 20);
  assert_non_null(f->server);
  assert_true(quic_conn_handshake_completed(quic_pair_client(f->qp)));
  *state = f;
  return 0;
}

static int teardown(void **state) {
  fixture *f = *state;
  quic_pair_free(f->qp);
  free(f);
  return 0;
}

static void echo(fixture *f, const char *msg, bool fin) {
  quic_conn *c = quic_pair_client(f->qp);
  quic_stream *s = quic_conn_open_stream(c, true);
  assert_non_null(s);
  size_t before = f->gotlen;
  assert_int_equal(quic_stream_send(s, (const uint8_t *)msg, strlen(msg), fin), 0);
  quic_conn_write(c, quic_pair_now(f->qp));
  quic_pair_run(f->qp, 10);
  assert_int_equal(f->gotlen - before, strlen(msg));
  assert_memory_equal(f->got + before, msg, strlen(msg));
}

static void test_server_releases_tls(void **state) {
  fixture *f = *state;
  assert_false(quic_conn_has_tls(f->server));
  assert_true(quic_conn_has_tls(quic_pair_client(f->qp))); /* a client keeps it */
  echo(f, "ping 1 2\n", true);
  assert_true(f->got_fin);
  assert_false(quic_conn_is_dead(f->server));
}

static void test_key_update_without_tls(void **state) {
  fixture *f = *state;
  quic_conn *c = quic_pair_client(f->qp);
  echo(f, "before\n", false);
  /* 1-RTT key updates use ngtcp2's crypto contexts, not the TLS session */
  for (int i = 0; i < 3; i++) {
    assert_int_equal(ngtcp2_conn_initiate_key_update(quic_conn_ngtcp2(c), quic_pair_now(f->qp)),
                     0);
    echo(f, "after a key update\n", false);
    quic_pair_run(f->qp, 200); /* the next update waits for 3 PTO */
  }
  assert_false(quic_conn_is_dead(f->server));
  assert_false(quic_conn_close_requested(c));
}

static void test_close_without_tls(void **state) {
  fixture *f = *state;
  quic_conn *c = quic_pair_client(f->qp);
  quic_conn_close(c, 0x100, "bye");
  quic_conn_write(c, quic_pair_now(f->qp));
  quic_pair_run(f->qp, 5);
  assert_int_equal(quic_conn_end(f->server), QUIC_END_PEER_CLOSE);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_server_releases_tls, setup, teardown),
      cmocka_unit_test_setup_teardown(test_key_update_without_tls, setup, teardown),
      cmocka_unit_test_setup_teardown(test_close_without_tls, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
