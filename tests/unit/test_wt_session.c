/* Unit tests for src/wt/wt_conn.c and wt_session.c: a WebTransport client
 * and server (wt_conn on h3_conn on quic_conn) joined in memory by
 * quic_pair, with a fake clock and a recording application. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "wt/wt_conn.h"
#include "quic_pair.h"

/* What one side's application saw. */
typedef struct app {
  wt_session *ss;
  int ready, refused, refused_status, closed, draining;
  bool bearer_challenge; /* the refusal carried "www-authenticate: Bearer" */
  uint32_t close_code;
  char reason[64];
  bool by_peer;
  int opened;
  wt_stream *ws;
  uint8_t data[256];
  size_t datalen;
  int fins, resets;
  uint64_t reset_code;
  int stream_closed;
  int datagrams;
  uint8_t dgram[64];
  size_t dgramlen;
  bool echo; /* server: answer stream data on the same stream, with FIN */
} app;

static void on_ready(wt_session *ss, void *ud) {
  app *a = ud;
  a->ss = ss;
  a->ready++;
}

static void on_refused(wt_session *ss, int status, void *ud) {
  app *a = ud;
  a->refused++;
  a->refused_status = status;
  a->bearer_challenge = wt_session_bearer_challenge(ss);
}

static void on_closed(wt_session *ss, uint32_t code, const uint8_t *reason, size_t len, bool by_peer,
                      void *ud) {
  (void)ss;
  app *a = ud;
  a->closed++;
  a->close_code = code;
  if (len >= sizeof(a->reason))
    len = sizeof(a->reason) - 1;
  memcpy(a->reason, reason, len);
  a->reason[len] = 0;
  a->by_peer = by_peer;
  a->ss = NULL;
}

static void on_draining(wt_session *ss, void *ud) {
  (void)ss;
  ((app *)ud)->draining++;
}

static void on_stream_open(wt_session *ss, wt_stream *ws, void *ud) {
  (void)ss;
  app *a = ud;
  a->opened++;
  a->ws = ws;
}

static void on_stream_data(wt_session *ss, wt_stream *ws, const uint8_t *data, size_t len, bool fin,
                           void *ud) {
  (void)ss;
  app *a = ud;
  if (len > sizeof(a->data) - a->datalen)
    len = sizeof(a->data) - a->datalen;
  if (len)
    memcpy(a->data + a->datalen, data, len);
  a->datalen += len;
  a->fins += fin;
  if (a->echo && len)
    wt_stream_send(ws, data, len, fin);
}

static void on_stream_reset(wt_session *ss, wt_stream *ws, uint64_t code, void *ud) {
  (void)ss;
  (void)ws;
  app *a = ud;
  a->resets++;
  a->reset_code = code;
}

static void on_stream_closed(wt_session *ss, wt_stream *ws, void *ud) {
  (void)ss;
  app *a = ud;
  a->stream_closed++;
  if (a->ws == ws)
    a->ws = NULL;
}

static void on_datagram(wt_session *ss, const uint8_t *data, size_t len, void *ud) {
  app *a = ud;
  a->datagrams++;
  a->dgramlen = len < sizeof(a->dgram) ? len : sizeof(a->dgram);
  memcpy(a->dgram, data, a->dgramlen);
  if (a->echo)
    wt_session_send_datagram(ss, data, len);
}

static const wt_app_ops ops = {
    .session_ready = on_ready,
    .session_refused = on_refused,
    .session_closed = on_closed,
    .session_draining = on_draining,
    .stream_open = on_stream_open,
    .stream_data = on_stream_data,
    .stream_reset = on_stream_reset,
    .stream_closed = on_stream_closed,
    .datagram = on_datagram,
};

typedef struct fixture {
  quic_pair *qp;
  wt_conn *cw, *sw;
  app c, s;
  const h3_access *access; /* the server's policy (NULL: anyone) */
  uint64_t refused;
} fixture;

static void on_server(quic_pair *p, quic_conn *qc, void *ud) {
  (void)p;
  fixture *f = ud;
  wt_conn_config cfg;
  wt_conn_config_default(&cfg);
  cfg.max_sessions = 1;
  cfg.access = f->access;
  cfg.access_refused = &f->refused;
  f->sw = wt_conn_new(&cfg, qc, &ops, &f->s);
}

static void tick(quic_pair *p, uint64_t now, void *ud) {
  (void)p;
  fixture *f = ud;
  if (f->sw && wt_conn_expiry(f->sw) <= now)
    wt_conn_timeout(f->sw, now);
  if (f->cw && wt_conn_expiry(f->cw) <= now)
    wt_conn_timeout(f->cw, now);
}

static const quic_pair_ops pair_ops = {.on_server = on_server, .tick = tick};

/* start_with opens a session for |path| from |origin| with |authorization|
 * (either may be NULL) to a server with the policy |access|. */
static fixture *start_with(const char *path, const h3_access *access, const char *origin,
                           const char *authorization) {
  static fixture f;
  memset(&f, 0, sizeof(f));
  f.access = access;
  f.s.echo = true;
  f.qp = quic_pair_new(&pair_ops, &f);
  assert_non_null(f.qp);
  wt_conn_config cfg;
  wt_conn_config_default(&cfg);
  cfg.server = false;
  f.cw = wt_conn_new(&cfg, quic_pair_client(f.qp), &ops, &f.c);
  assert_non_null(f.cw);
  assert_non_null(wt_conn_connect_with(f.cw, "localhost:4433", path, origin, authorization));
  quic_pair_run(f.qp, 20);
  assert_non_null(f.sw);
  return &f;
}

static fixture *start(const char *path) { return start_with(path, NULL, NULL, NULL); }

static void stop(fixture *f) {
  wt_conn_free(f->cw);
  wt_conn_free(f->sw);
  quic_pair_free(f->qp);
}

static void test_session_open(void **state) {
  (void)state;
  fixture *f = start("/wtping");
  assert_int_equal(f->c.ready, 1);
  assert_int_equal(f->s.ready, 1);
  assert_int_equal(wt_conn_sessions(f->sw), 1);
  assert_true(wt_session_id(f->s.ss) == 0 && wt_session_id(f->c.ss) == 0);
  assert_ptr_equal(wt_conn_first_session(f->sw), f->s.ss);
  assert_null(wt_session_next(f->s.ss));
  assert_true(wt_session_opened(f->s.ss) > 0);
  /* What the ping service logs: the peer's address, without reaching into
   * QUIC itself. */
  const struct sockaddr_in *peer = (const struct sockaddr_in *)wt_session_peer_addr(f->s.ss);
  assert_int_equal(peer->sin_family, AF_INET);
  assert_int_equal(ntohs(peer->sin_port), 50000);
  assert_true(ntohl(peer->sin_addr.s_addr) == INADDR_LOOPBACK);
  assert_true(wt_session_max_datagram(f->c.ss) > 1000);
  stop(f);
}

static void test_refused(void **state) {
  (void)state;
  fixture *f = start("/elsewhere");
  assert_int_equal(f->c.ready, 0);
  assert_int_equal(f->c.refused, 1);
  assert_int_equal(f->c.refused_status, 404);
  assert_int_equal(f->s.ready, 0);
  assert_int_equal(wt_conn_sessions(f->sw), 0);
  assert_int_equal(wt_conn_sessions(f->cw), 0);
  stop(f);
}

static void test_streams_and_datagrams(void **state) {
  (void)state;
  fixture *f = start("/wtping");
  wt_stream *ws = wt_session_open_stream(f->c.ss, true);
  assert_non_null(ws);
  assert_true(wt_stream_is_bidi(ws) && wt_stream_is_local(ws));
  assert_int_equal(wt_stream_send(ws, (const uint8_t *)"ping 1\n", 7, true), 0);
  quic_pair_run(f->qp, 10);
  assert_int_equal(f->s.opened, 1);
  assert_int_equal(f->s.datalen, 7);
  assert_int_equal(f->s.fins, 1);
  assert_int_equal(f->c.datalen, 7); /* the echo */
  assert_memory_equal(f->c.data, "ping 1\n", 7);
  assert_int_equal(f->c.fins, 1);
  assert_int_equal(f->s.stream_closed, 1);

  /* A uni stream, and a reset with a WebTransport code. */
  ws = wt_session_open_stream(f->c.ss, false);
  assert_non_null(ws);
  assert_int_equal(wt_stream_send(ws, (const uint8_t *)"x", 1, false), 0);
  quic_pair_run(f->qp, 10);
  assert_int_equal(f->s.opened, 2);
  wt_stream_reset(ws, 42);
  quic_pair_run(f->qp, 10);
  assert_int_equal(f->s.resets, 1);
  assert_true(f->s.reset_code == 42);

  assert_int_equal(wt_session_send_datagram(f->c.ss, (const uint8_t *)"dg", 2), 0);
  quic_pair_run(f->qp, 10);
  assert_int_equal(f->s.datagrams, 1);
  assert_int_equal(f->c.datagrams, 1);
  assert_int_equal(f->c.dgramlen, 2);
  assert_memory_equal(f->c.dgram, "dg", 2);
  stop(f);
}

static void test_close_by_client(void **state) {
  (void)state;
  fixture *f = start("/wtping");
  wt_stream *ws = wt_session_open_stream(f->c.ss, true);
  assert_int_equal(wt_stream_send(ws, (const uint8_t *)"a", 1, false), 0);
  quic_pair_run(f->qp, 10);
  assert_int_equal(f->s.opened, 1);
  wt_session_close(f->c.ss, 7, "bye");
  quic_pair_run(f->qp, 10);
  assert_int_equal(f->s.closed, 1);
  assert_true(f->s.close_code == 7);
  assert_string_equal(f->s.reason, "bye");
  assert_true(f->s.by_peer);
  assert_int_equal(f->s.stream_closed, 1); /* its streams went with it */
  assert_int_equal(f->c.closed, 1);
  assert_true(f->c.close_code == 7);
  assert_false(f->c.by_peer);
  assert_int_equal(wt_conn_sessions(f->sw), 0);
  /* The server lingers (at least 100 ms) so its FIN arrives, then closes
   * the connection with H3_NO_ERROR. */
  assert_false(quic_conn_close_requested(quic_pair_server(f->qp)));
  quic_pair_run(f->qp, 400);
  assert_true(quic_conn_close_requested(quic_pair_server(f->qp)));
  assert_int_equal(quic_conn_end(quic_pair_client(f->qp)), QUIC_END_PEER_CLOSE);
  stop(f);
}

static void test_goaway_and_shutdown(void **state) {
  (void)state;
  fixture *f = start("/wtping");
  wt_conn_goaway(f->sw);
  quic_pair_run(f->qp, 10);
  assert_true(f->c.draining >= 1); /* GOAWAY and the DRAIN capsule */
  assert_int_equal(f->c.closed, 0);
  /* draining sessions keep working */
  assert_int_equal(wt_session_send_datagram(f->c.ss, (const uint8_t *)"d", 1), 0);
  quic_pair_run(f->qp, 10);
  assert_int_equal(f->c.datagrams, 1);

  wt_conn_shutdown(f->sw, 1, "server shutting down", quic_pair_now(f->qp));
  quic_pair_run(f->qp, 20);
  assert_int_equal(f->c.closed, 1);
  assert_true(f->c.close_code == 1);
  assert_string_equal(f->c.reason, "server shutting down");
  assert_true(f->c.by_peer);
  assert_int_equal(f->s.closed, 1);
  assert_false(f->s.by_peer);
  assert_true(quic_conn_close_requested(quic_pair_server(f->qp)));
  stop(f);
}

static void test_session_limit(void **state) {
  (void)state;
  fixture *f = start("/wtping"); /* the server allows one session */
  wt_session *second = wt_conn_connect(f->cw, "localhost:4433", "/wtping", NULL);
  assert_non_null(second);
  quic_pair_run(f->qp, 10);
  assert_int_equal(f->c.refused, 1);
  assert_int_equal(f->c.refused_status, 429);
  assert_int_equal(f->c.ready, 1);
  stop(f);
}

/* The server's access policy on CONNECT: origins and bearer tokens. */
static void test_access(void **state) {
  (void)state;
  static h3_access acc;
  const char *why;
  h3_access_init(&acc);
  assert_int_equal(h3_access_add_origin(&acc, "https://ping.example.org", &why), 0);

  fixture *f = start_with("/wtping", &acc, "https://evil.example", NULL);
  assert_int_equal(f->c.ready, 0);
  assert_int_equal(f->c.refused, 1);
  assert_int_equal(f->c.refused_status, 403);
  assert_int_equal(wt_conn_sessions(f->sw), 0);
  assert_int_equal(f->refused, 1);
  stop(f);

  f = start_with("/wtping", &acc, "https://ping.example.org", NULL);
  assert_int_equal(f->c.ready, 1);
  assert_string_equal(wt_session_origin(f->s.ss), "https://ping.example.org");
  assert_string_equal(wt_session_auth(f->s.ss), "none");
  stop(f);

  /* tokens: 401 without, 403 wrong, a session with the right one */
  assert_int_equal(h3_access_add_token(&acc, "abcdefghijklmnop0123", 20, &why), 0);
  f = start_with("/wtping", &acc, NULL, NULL);
  assert_int_equal(f->c.refused_status, 401);
  /* the 401 says which scheme (RFC 9110 section 15.5.2): the client saw
   * "www-authenticate: Bearer" in the response the server sent */
  assert_true(f->c.bearer_challenge);
  stop(f);
  f = start_with("/wtping", &acc, NULL, "Bearer abcdefghijklmnop0124");
  assert_int_equal(f->c.refused_status, 403);
  assert_false(f->c.bearer_challenge); /* a 403 carries no challenge */
  assert_int_equal(f->refused, 1);
  stop(f);
  f = start_with("/wtping", &acc, NULL, "Bearer abcdefghijklmnop0123");
  assert_int_equal(f->c.ready, 1);
  assert_null(wt_session_origin(f->s.ss));
  assert_string_equal(wt_session_auth(f->s.ss), "token");
  wt_conn_set_peer_cert(f->sw, "CN=probe1");
  assert_string_equal(wt_session_auth(f->s.ss), "token+certificate");
  /* a certificate outside client_subjects: the next request gets 403 */
  wt_conn_refuse_peer(f->sw);
  f->c.refused = 0;
  assert_non_null(wt_conn_connect_with(f->cw, "localhost:4433", "/wtping", NULL,
                                       "Bearer abcdefghijklmnop0123"));
  quic_pair_run(f->qp, 10);
  assert_int_equal(f->c.refused, 1);
  assert_int_equal(f->c.refused_status, 403);
  stop(f);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_session_open),     cmocka_unit_test(test_refused),
      cmocka_unit_test(test_access),
      cmocka_unit_test(test_streams_and_datagrams), cmocka_unit_test(test_close_by_client),
      cmocka_unit_test(test_goaway_and_shutdown), cmocka_unit_test(test_session_limit),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
