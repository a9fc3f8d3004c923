/* Unit tests for src/h3/h3_conn.c and h3_stream.c: two h3_conns with a
 * recording extension, joined in memory by quic_pair (fake clock, no
 * sockets). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "common/varint.h"
#include "h3/h3_conn.h"
#include "h3/h3_error.h"
#include "quic_pair.h"

/* What one side's extension saw. */
typedef struct side {
  h3_conn *hc;
  uint64_t claim_type; /* the stream type / bidi signal it claims (0: none) */
  int respond;         /* server: status to answer a request with (0: no hook) */
  int settings_calls;
  int claims;
  uint64_t last_claim_type;
  uint8_t data[256];
  size_t datalen;
  int fins;
  int requests;
  h3_request req;
  int responses, status;
  uint8_t body[256];
  size_t bodylen;
  int request_fins, losts;
  int stops;
  uint64_t stop_code;
  int goaways;
  uint64_t goaway_id;
  int datagrams;
  uint8_t dgram[64];
  size_t dgramlen;
  int closes;
} side;

static int x_claim(h3_conn *hc, h3_stream *hs, uint64_t type, void *ud) {
  (void)hc;
  side *s = ud;
  s->last_claim_type = type;
  if (s->claim_type == 0 || type != s->claim_type)
    return 0;
  s->claims++;
  h3_stream_claim(hs, s);
  return 1;
}

static int x_stream_data(h3_conn *hc, h3_stream *hs, const uint8_t *data, size_t len, bool fin,
                         void *ud) {
  (void)hc;
  (void)hs;
  side *s = ud;
  if (len > sizeof(s->data) - s->datalen)
    len = sizeof(s->data) - s->datalen;
  if (len)
    memcpy(s->data + s->datalen, data, len);
  s->datalen += len;
  s->fins += fin;
  return 0;
}

static void x_stream_stop(h3_conn *hc, h3_stream *hs, uint64_t code, void *ud) {
  (void)hc;
  (void)hs;
  side *s = ud;
  s->stops++;
  s->stop_code = code;
}

static void x_stream_close(h3_conn *hc, h3_stream *hs, void *ud) {
  (void)hc;
  (void)hs;
  ((side *)ud)->closes++;
}

static int x_request(h3_conn *hc, h3_stream *hs, const h3_request *req, void *ud) {
  (void)hc;
  side *s = ud;
  s->requests++;
  s->req = *req;
  if (s->respond != 200) {
    h3_stream_refuse(hs, s->respond);
    return 0;
  }
  h3_stream_claim(hs, s);
  return h3_stream_respond(hs, 200, NULL, 0, false);
}

static int x_response(h3_conn *hc, h3_stream *hs, int status, void *ud) {
  (void)hc;
  (void)hs;
  side *s = ud;
  s->responses++;
  s->status = status;
  return 0;
}

static int x_request_data(h3_conn *hc, h3_stream *hs, const uint8_t *data, size_t len, void *ud) {
  (void)hc;
  (void)hs;
  side *s = ud;
  if (len > sizeof(s->body) - s->bodylen)
    len = sizeof(s->body) - s->bodylen;
  memcpy(s->body + s->bodylen, data, len);
  s->bodylen += len;
  return 0;
}

static void x_request_fin(h3_conn *hc, h3_stream *hs, void *ud) {
  (void)hc;
  h3_stream_release(hs);
  ((side *)ud)->request_fins++;
}

static void x_request_lost(h3_conn *hc, h3_stream *hs, void *ud) {
  (void)hc;
  h3_stream_release(hs);
  ((side *)ud)->losts++;
}

static int x_settings(h3_conn *hc, const h3_settings *peer, void *ud) {
  (void)hc;
  (void)peer;
  ((side *)ud)->settings_calls++;
  return 0;
}

static void x_goaway(h3_conn *hc, uint64_t id, void *ud) {
  (void)hc;
  side *s = ud;
  s->goaways++;
  s->goaway_id = id;
}

static int x_datagram(h3_conn *hc, const uint8_t *data, size_t len, void *ud) {
  (void)hc;
  side *s = ud;
  s->datagrams++;
  s->dgramlen = len < sizeof(s->dgram) ? len : sizeof(s->dgram);
  memcpy(s->dgram, data, s->dgramlen);
  return 0;
}

static const h3_ext_ops full_ops = {
    .claim_stream = x_claim,
    .stream_data = x_stream_data,
    .stream_stop = x_stream_stop,
    .stream_close = x_stream_close,
    .request = x_request,
    .response = x_response,
    .request_data = x_request_data,
    .request_fin = x_request_fin,
    .request_lost = x_request_lost,
    .settings = x_settings,
    .goaway = x_goaway,
    .datagram = x_datagram,
};

/* The server's extension without a request hook. */
static h3_ext_ops no_request_ops;

static const h3_setting client_settings[] = {{H3_SETTING_H3_DATAGRAM, 1},
                                             {H3_SETTING_ENABLE_WEBTRANSPORT, 1}};
static const h3_setting server_settings[] = {{H3_SETTING_ENABLE_CONNECT_PROTOCOL, 1},
                                             {H3_SETTING_WT_MAX_SESSIONS_DRAFT07, 7}};

typedef struct fixture {
  quic_pair *qp;
  side c, s;
  const h3_ext_ops *server_ops;
} fixture;

static void on_server(quic_pair *p, quic_conn *qc, void *ud) {
  (void)p;
  fixture *f = ud;
  h3_conn_config cfg = {.server = true, .max_header_size = 1024, .settings = server_settings,
                        .nsettings = 2};
  f->s.hc = h3_conn_new(&cfg, qc, f->server_ops, &f->s);
}

static const quic_pair_ops pair_ops = {.on_server = on_server};

static fixture *start(const h3_ext_ops *server_ops, int respond) {
  static fixture f;
  memset(&f, 0, sizeof(f));
  f.server_ops = server_ops;
  f.s.respond = respond;
  f.qp = quic_pair_new(&pair_ops, &f);
  assert_non_null(f.qp);
  h3_conn_config cfg = {.server = false, .max_header_size = 1024, .settings = client_settings,
                        .nsettings = 2};
  f.c.hc = h3_conn_new(&cfg, quic_pair_client(f.qp), &full_ops, &f.c);
  assert_non_null(f.c.hc);
  quic_pair_run(f.qp, 20);
  assert_non_null(f.s.hc);
  return &f;
}

static void stop(fixture *f) {
  h3_conn_free(f->c.hc);
  h3_conn_free(f->s.hc);
  quic_pair_free(f->qp);
}

static h3_stream *send_connect(fixture *f, const char *path) {
  h3_stream *hs = h3_conn_open_request(f->c.hc, &f->c);
  assert_non_null(hs);
  h3_header hdrs[8];
  size_t n = h3_request_build_connect(hdrs, "localhost", path, NULL);
  assert_int_equal(h3_stream_send_headers(hs, hdrs, n, false), 0);
  return hs;
}

static void test_settings_exchange(void **state) {
  (void)state;
  fixture *f = start(&full_ops, 200);
  assert_int_equal(f->c.settings_calls, 1);
  assert_int_equal(f->s.settings_calls, 1);
  const h3_settings *cs = h3_conn_peer_settings(f->c.hc); /* the server's */
  const h3_settings *ss = h3_conn_peer_settings(f->s.hc); /* the client's */
  assert_non_null(cs);
  assert_non_null(ss);
  assert_true(cs->enable_connect_protocol);
  assert_true(cs->wt_max_sessions == 7);
  assert_false(cs->h3_datagram);
  assert_true(cs->qpack_max_table_capacity == 0 && cs->qpack_blocked_streams == 0);
  assert_true(ss->h3_datagram && ss->enable_webtransport);
  assert_false(ss->enable_connect_protocol);
  assert_false(quic_conn_close_requested(quic_pair_server(f->qp)));
  stop(f);
}

static void test_request_response_data(void **state) {
  (void)state;
  fixture *f = start(&full_ops, 200);
  h3_stream *hs = send_connect(f, "/wtping");
  quic_pair_run(f->qp, 10);
  assert_int_equal(f->s.requests, 1);
  assert_string_equal(f->s.req.method, "CONNECT");
  assert_string_equal(f->s.req.protocol, "webtransport");
  assert_string_equal(f->s.req.path, "/wtping");
  assert_int_equal(f->c.responses, 1);
  assert_int_equal(f->c.status, 200);

  /* DATA frames reach the owner of the request stream, split or not. */
  assert_int_equal(h3_stream_send_data(hs, (const uint8_t *)"hel", 3, false), 0);
  assert_int_equal(h3_stream_send_data(hs, (const uint8_t *)"lo", 2, true), 0);
  quic_pair_run(f->qp, 10);
  assert_int_equal(f->s.bodylen, 5);
  assert_memory_equal(f->s.body, "hello", 5);
  assert_int_equal(f->s.request_fins, 1);
  assert_false(quic_conn_close_requested(quic_pair_server(f->qp)));
  stop(f);
}

static void test_request_refused(void **state) {
  (void)state;
  fixture *f = start(&full_ops, 429);
  send_connect(f, "/wtping");
  quic_pair_run(f->qp, 10);
  assert_int_equal(f->c.status, 429);
  stop(f);

  /* Without a request hook, HTTP/3 answers 404 on its own. */
  no_request_ops = full_ops;
  no_request_ops.request = NULL;
  f = start(&no_request_ops, 0);
  send_connect(f, "/wtping");
  quic_pair_run(f->qp, 10);
  assert_int_equal(f->c.status, 404);
  assert_int_equal(f->s.requests, 0);
  stop(f);
}

static void test_claimed_streams(void **state) {
  (void)state;
  static const uint8_t bidi[] = {0x40, 0x41, 'a', 'b', 'c'};
  static const uint8_t uni[] = {0x40, 0x54, 'x', 'y'};
  fixture *f = start(&full_ops, 200);
  f->s.claim_type = 0x41;
  h3_stream *hs = h3_conn_open_stream(f->c.hc, true, &f->c);
  assert_non_null(hs);
  assert_true(h3_stream_is_bidi(hs) && h3_stream_is_local(hs));
  assert_int_equal(quic_stream_send(h3_stream_quic(hs), bidi, sizeof(bidi), true), 0);
  quic_pair_run(f->qp, 10);
  assert_int_equal(f->s.claims, 1);
  assert_true(f->s.last_claim_type == 0x41);
  assert_int_equal(f->s.datalen, 3);
  assert_memory_equal(f->s.data, "abc", 3);
  assert_int_equal(f->s.fins, 1);

  f->s.claim_type = 0x54;
  f->s.datalen = 0;
  hs = h3_conn_open_stream(f->c.hc, false, &f->c);
  assert_non_null(hs);
  /* one byte at a time: the 2-byte stream type arrives in pieces */
  for (size_t i = 0; i < sizeof(uni); i++) {
    assert_int_equal(quic_stream_send(h3_stream_quic(hs), uni + i, 1, i + 1 == sizeof(uni)), 0);
    quic_pair_run(f->qp, 2);
  }
  quic_pair_run(f->qp, 10);
  assert_int_equal(f->s.claims, 2);
  assert_int_equal(f->s.datalen, 2);
  assert_memory_equal(f->s.data, "xy", 2);
  assert_false(quic_conn_close_requested(quic_pair_server(f->qp)));
  stop(f);
}

static void test_unclaimed_uni_stopped(void **state) {
  (void)state;
  static const uint8_t grease[] = {0x21, 'z'}; /* a reserved stream type */
  fixture *f = start(&full_ops, 200);
  h3_stream *hs = h3_conn_open_stream(f->c.hc, false, &f->c);
  assert_non_null(hs);
  assert_int_equal(quic_stream_send(h3_stream_quic(hs), grease, sizeof(grease), false), 0);
  quic_pair_run(f->qp, 10);
  assert_true(f->s.last_claim_type == 0x21);
  assert_int_equal(f->s.claims, 0);
  /* The server sent STOP_SENDING: ngtcp2 0.12.1 answers it with
   * RESET_STREAM by itself (its stream_stop_sending callback only reports
   * our own shutdown of reading), so the client's stream, which never sent
   * a FIN, is closed. */
  assert_int_equal(f->c.closes, 1);
  assert_false(quic_conn_close_requested(quic_pair_server(f->qp)));
  stop(f);
}

static void test_goaway(void **state) {
  (void)state;
  fixture *f = start(&full_ops, 200);
  send_connect(f, "/wtping"); /* stream 0 */
  quic_pair_run(f->qp, 10);
  h3_conn_send_goaway(f->s.hc);
  assert_true(h3_conn_goaway_sent(f->s.hc));
  quic_pair_run(f->qp, 10);
  assert_int_equal(f->c.goaways, 1);
  assert_true(f->c.goaway_id == 4);
  /* A request after GOAWAY is rejected: the client's owner loses it. */
  send_connect(f, "/wtping"); /* stream 4 */
  quic_pair_run(f->qp, 10);
  assert_int_equal(f->s.requests, 1);
  assert_int_equal(f->c.losts, 1);
  stop(f);
}

static void test_datagram(void **state) {
  (void)state;
  static const uint8_t hdr[] = {0x00};
  fixture *f = start(&full_ops, 200);
  assert_int_equal(
      quic_conn_send_datagram(quic_pair_client(f->qp), hdr, 1, (const uint8_t *)"dg", 2), 0);
  quic_pair_run(f->qp, 10);
  assert_int_equal(f->s.datagrams, 1);
  assert_int_equal(f->s.dgramlen, 3);
  assert_memory_equal(f->s.dgram, "\0dg", 3);
  stop(f);
}

static void test_second_control_stream(void **state) {
  (void)state;
  uint8_t buf[32];
  fixture *f = start(&full_ops, 200);
  h3_stream *hs = h3_conn_open_stream(f->c.hc, false, &f->c);
  assert_non_null(hs);
  buf[0] = 0x00; /* H3_STREAM_CONTROL */
  size_t n = h3_settings_write(buf + 1, sizeof(buf) - 1, NULL, 0);
  assert_int_equal(quic_stream_send(h3_stream_quic(hs), buf, n + 1, false), 0);
  quic_pair_run(f->qp, 10);
  assert_true(quic_conn_close_requested(quic_pair_server(f->qp)));
  char why[256];
  quic_conn_describe_end(quic_pair_client(f->qp), why, sizeof(why));
  assert_non_null(strstr(why, "0x103"));
  stop(f);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_settings_exchange), cmocka_unit_test(test_request_response_data),
      cmocka_unit_test(test_request_refused),   cmocka_unit_test(test_claimed_streams),
      cmocka_unit_test(test_unclaimed_uni_stopped), cmocka_unit_test(test_goaway),
      cmocka_unit_test(test_datagram),          cmocka_unit_test(test_second_control_stream),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
