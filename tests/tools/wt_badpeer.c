/* wt_badpeer: a misbehaving HTTP/3 peer for integration tests. It opens a
 * real QUIC connection (our own client stack, certificate not verified),
 * sends one kind of malformed HTTP/3 or WebTransport input, and checks how
 * the server reacts: the connection-level error code of its
 * CONNECTION_CLOSE, or that the connection stays up.
 *
 * Usage: wt_badpeer HOST PORT SCENARIO
 * Exit: 0 when the server reacted as expected, 1 otherwise. */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/log.h"
#include "h3/h3_error.h"
#include "quic/quic_conn.h"
#include "quic/quic_tls.h"

#define ALIVE UINT64_MAX /* expectation: no close within the wait */

typedef struct scenario {
  const char *name;
  uint64_t expect; /* the server's application error code, or ALIVE */
  /* bytes for a new client uni stream (sent after our own valid control
   * stream when |with_control|), a client bidi stream, and a datagram */
  bool with_control;
  const uint8_t *uni;
  size_t unilen;
  const uint8_t *bidi;
  size_t bidilen;
  bool bidi_fin;
  const uint8_t *dgram;
  size_t dgramlen;
  bool control_fin; /* end our control stream */
  size_t bidi_repeat; /* send |bidi| this many times (0 = once) */
} scenario;

/* Our control stream: type 0, SETTINGS {0x33=1, 0x2b603742=1}. */
static const uint8_t ctrl_ok[] = {0x00, 0x04, 0x07, 0x33, 0x01, 0x80 | 0x2b, 0x60, 0x37, 0x42, 0x01};

static const uint8_t uni_data_first[] = {0x00, 0x00, 0x02, 'h', 'i'};
static const uint8_t uni_dup_setting[] = {0x00, 0x04, 0x04, 0x33, 0x01, 0x33, 0x01};
static const uint8_t uni_ctrl_then_h2[] = {0x00, 0x04, 0x07, 0x33, 0x01, 0x80 | 0x2b, 0x60,
                                          0x37, 0x42, 0x01, 0x02, 0x00};
static const uint8_t uni_second_control[] = {0x00, 0x04, 0x00};
static const uint8_t uni_push[] = {0x01, 0x00};
static const uint8_t uni_wt_bad_session[] = {0x40, 0x54, 0x02, 'p', 'i', 'n', 'g'};
static const uint8_t uni_unknown_type[] = {0x21, 'a', 'b', 'c'};
static const uint8_t bidi_bad_qpack[] = {0x01, 0x04, 0xff, 0xff, 0xff, 0xff};
static const uint8_t bidi_data_first[] = {0x00, 0x03, 'a', 'b', 'c'};
static const uint8_t bidi_truncated[] = {0x01, 0x40};
static const uint8_t bidi_huge_headers[] = {0x01, 0x80, 0x10, 0x00, 0x00, 0x00};
static const uint8_t bidi_settings[] = {0x04, 0x00};
static const uint8_t bidi_get[] = {
    /* HEADERS: :method GET, :scheme https, :path /, :authority x (static/literal) */
    0x01, 0x08, 0x00, 0x00, 0xd1, 0xd7, 0xc1, 0x50, 0x01, 'x'};
static const uint8_t dgram_bad[] = {0x40};
static const uint8_t dgram_unknown_session[] = {0x11, 'p', 'i', 'n', 'g'};

static const scenario scenarios[] = {
    {"control-without-settings", H3_MISSING_SETTINGS, false, uni_data_first,
     sizeof(uni_data_first), NULL, 0, false, NULL, 0, false, 0},
    {"duplicate-setting", H3_SETTINGS_ERROR, false, uni_dup_setting, sizeof(uni_dup_setting), NULL,
     0, false, NULL, 0, false, 0},
    {"http2-frame-on-control", H3_FRAME_UNEXPECTED, false, uni_ctrl_then_h2,
     sizeof(uni_ctrl_then_h2), NULL, 0, false, NULL, 0, false, 0},
    {"second-control-stream", H3_STREAM_CREATION_ERROR, true, uni_second_control,
     sizeof(uni_second_control), NULL, 0, false, NULL, 0, false, 0},
    {"push-stream-from-client", H3_STREAM_CREATION_ERROR, true, uni_push, sizeof(uni_push), NULL, 0,
     false, NULL, 0, false, 0},
    {"control-stream-closed", H3_CLOSED_CRITICAL_STREAM, true, NULL, 0, NULL, 0, false, NULL, 0,
     true, 0},
    {"wt-stream-bad-session-id", H3_ID_ERROR, true, uni_wt_bad_session,
     sizeof(uni_wt_bad_session), NULL, 0, false, NULL, 0, false, 0},
    {"unknown-uni-stream-type", ALIVE, true, uni_unknown_type, sizeof(uni_unknown_type), NULL, 0,
     false, NULL, 0, false, 0},
    {"bad-qpack", QPACK_DECOMPRESSION_FAILED, true, NULL, 0, bidi_bad_qpack,
     sizeof(bidi_bad_qpack), false, NULL, 0, false, 0},
    {"data-before-headers", H3_FRAME_UNEXPECTED, true, NULL, 0, bidi_data_first,
     sizeof(bidi_data_first), false, NULL, 0, false, 0},
    {"frame-truncated-by-fin", H3_FRAME_ERROR, true, NULL, 0, bidi_truncated,
     sizeof(bidi_truncated), true, NULL, 0, false, 0},
    {"settings-on-request-stream", H3_FRAME_UNEXPECTED, true, NULL, 0, bidi_settings,
     sizeof(bidi_settings), false, NULL, 0, false, 0},
    {"huge-headers", ALIVE, true, NULL, 0, bidi_huge_headers, sizeof(bidi_huge_headers), false,
     NULL, 0, false, 0},
    {"plain-get", ALIVE, true, NULL, 0, bidi_get, sizeof(bidi_get), true, NULL, 0, false, 0},
    {"malformed-datagram", H3_DATAGRAM_ERROR, true, NULL, 0, NULL, 0, false, dgram_bad,
     sizeof(dgram_bad), false, 0},
    {"datagram-unknown-session", ALIVE, true, NULL, 0, NULL, 0, false, dgram_unknown_session,
     sizeof(dgram_unknown_session), false, 0},
    {"many-requests", ALIVE, true, NULL, 0, bidi_get, sizeof(bidi_get), true, NULL, 0, false, 300},
};

typedef struct peer {
  const scenario *sc;
  int fd;
  quic_conn *qc;
  bool injected;
  size_t bidi_sent;
  uint64_t answered; /* bidi streams that got data back */
} peer;

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void send_packet(quic_conn *qc, const ngtcp2_path *path, uint32_t ecn, const uint8_t *d,
                        size_t len, void *ud) {
  (void)qc;
  (void)path;
  (void)ecn;
  peer *p = ud;
  (void)send(p->fd, d, len, 0);
}

static int inject(peer *p) {
  const scenario *sc = p->sc;
  if (sc->with_control || sc->control_fin) {
    quic_stream *s = quic_conn_open_stream(p->qc, false);
    if (!s || quic_stream_send(s, ctrl_ok, sizeof(ctrl_ok), sc->control_fin) != 0)
      return -1;
  }
  if (sc->uni) {
    quic_stream *s = quic_conn_open_stream(p->qc, false);
    if (!s || quic_stream_send(s, sc->uni, sc->unilen, false) != 0)
      return -1;
  }
  if (sc->dgram) {
    if (quic_conn_send_datagram(p->qc, sc->dgram, sc->dgramlen, NULL, 0) != 0)
      return -1;
  }
  return 0;
}

/* more_bidi opens request streams while the server's stream limit allows. */
static void more_bidi(peer *p) {
  const scenario *sc = p->sc;
  size_t want = sc->bidi_repeat ? sc->bidi_repeat : (sc->bidi ? 1 : 0);
  while (p->bidi_sent < want) {
    quic_stream *s = quic_conn_open_stream(p->qc, true);
    if (!s)
      return; /* blocked by MAX_STREAMS: retried after the next packets */
    quic_stream_send(s, sc->bidi, sc->bidilen, sc->bidi_fin);
    p->bidi_sent++;
  }
}

static int on_handshake(quic_conn *qc, void *ud) {
  (void)qc;
  peer *p = ud;
  p->injected = true;
  if (inject(p) != 0) {
    fprintf(stderr, "wt_badpeer: cannot inject\n");
    return -1;
  }
  more_bidi(p);
  return 0;
}

static int on_stream_data(quic_conn *qc, quic_stream *s, const uint8_t *d, size_t len, bool fin,
                          void *ud) {
  (void)qc;
  (void)d;
  (void)fin;
  peer *p = ud;
  if (quic_stream_is_local(s) && len)
    p->answered++;
  quic_stream_consume(s, len);
  return 0;
}

static const quic_app_ops app_ops = {.handshake_done = on_handshake,
                                     .stream_data = on_stream_data};
static const quic_io_ops io_ops = {.send_packet = send_packet};

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: wt_badpeer HOST PORT SCENARIO\nscenarios:");
    for (size_t i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]); i++)
      fprintf(stderr, " %s", scenarios[i].name);
    fprintf(stderr, "\n");
    return 2;
  }
  log_init("wt_badpeer", LOG_WARNING);
  peer p = {0};
  for (size_t i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]); i++)
    if (strcmp(argv[3], scenarios[i].name) == 0)
      p.sc = &scenarios[i];
  if (!p.sc) {
    fprintf(stderr, "wt_badpeer: unknown scenario %s\n", argv[3]);
    return 2;
  }
  struct addrinfo hints = {.ai_socktype = SOCK_DGRAM}, *ai;
  if (getaddrinfo(argv[1], argv[2], &hints, &ai) != 0)
    return 2;
  p.fd = socket(ai->ai_family, SOCK_DGRAM | SOCK_NONBLOCK, 0);
  if (p.fd < 0 || connect(p.fd, ai->ai_addr, ai->ai_addrlen) != 0)
    return 2;
  struct sockaddr_storage local, remote;
  socklen_t locallen = sizeof(local);
  getsockname(p.fd, (struct sockaddr *)&local, &locallen);
  memcpy(&remote, ai->ai_addr, ai->ai_addrlen);
  ngtcp2_path path = {.local = {(ngtcp2_sockaddr *)&local, locallen},
                      .remote = {(ngtcp2_sockaddr *)&remote, ai->ai_addrlen}};
  quic_tls_client tls;
  char err[256];
  if (quic_tls_client_init(&tls, NULL, true, err, sizeof(err)) != 0)
    return 2;
  quic_tls_verify verify = {.policy = &tls};
  snprintf(verify.host, sizeof(verify.host), "%s", argv[1]);
  static uint8_t txbuf[1500];
  static const uint8_t secret[QUIC_STATIC_SECRET_LEN];
  quic_conn_config cfg;
  quic_conn_config_default(&cfg);
  cfg.txbuf = txbuf;
  cfg.txbuflen = sizeof(txbuf);
  cfg.static_secret = secret;
  p.qc = quic_conn_client_new(&cfg, &tls, &verify, &path, now_ns(), &io_ops, &p);
  if (!p.qc)
    return 2;
  quic_conn_set_app(p.qc, &app_ops, &p);
  quic_conn_write(p.qc, now_ns());

  uint64_t start = now_ns(), wait_end = UINT64_MAX;
  uint8_t buf[65536];
  while (!quic_conn_is_dead(p.qc) && quic_conn_end(p.qc) == QUIC_END_NONE) {
    uint64_t now = now_ns();
    if (now - start > 10ULL * 1000000000ULL)
      break;
    if (p.injected && wait_end == UINT64_MAX)
      wait_end = now + 1000000000ULL; /* give the server 1 s to react */
    if (now >= wait_end)
      break;
    uint64_t exp = quic_conn_expiry(p.qc);
    int to = exp <= now ? 0 : (int)((exp - now) / 1000000 + 1);
    if (to > 100)
      to = 100;
    struct pollfd pfd = {.fd = p.fd, .events = POLLIN};
    if (poll(&pfd, 1, to) > 0) {
      ssize_t n;
      while ((n = recv(p.fd, buf, sizeof(buf), 0)) > 0)
        quic_conn_read(p.qc, &path, 0, buf, (size_t)n, now_ns());
    }
    if (quic_conn_expiry(p.qc) <= now_ns())
      quic_conn_timeout(p.qc, now_ns());
    if (p.injected)
      more_bidi(&p);
    quic_conn_write(p.qc, now_ns());
  }

  int rc = 1;
  quic_end end = quic_conn_end(p.qc);
  char why[400];
  quic_conn_describe_end(p.qc, why, sizeof(why));
  if (!p.injected) {
    printf("%s: never got to inject (%s)\n", p.sc->name, why);
  } else if (p.sc->expect == ALIVE) {
    rc = end == QUIC_END_NONE ? 0 : 1;
    printf("%s: %s (%s; %" PRIu64 " request streams answered of %zu)\n", p.sc->name,
           rc == 0 ? "connection stayed up as expected" : "connection ended", why, p.answered,
           p.bidi_sent);
    if (p.sc->bidi_repeat && p.answered < p.sc->bidi_repeat)
      rc = 1;
  } else if (end == QUIC_END_PEER_CLOSE) {
    ngtcp2_connection_close_error ce;
    ngtcp2_conn_get_connection_close_error(quic_conn_ngtcp2(p.qc), &ce);
    rc = ce.error_code == p.sc->expect ? 0 : 1;
    printf("%s: server closed with 0x%" PRIx64 " (expected 0x%" PRIx64 ")\n", p.sc->name,
           ce.error_code, p.sc->expect);
  } else {
    printf("%s: expected a close with 0x%" PRIx64 ", got: %s\n", p.sc->name, p.sc->expect, why);
  }
  quic_conn_free(p.qc);
  quic_tls_client_free(&tls);
  freeaddrinfo(ai);
  close(p.fd);
  return rc;
}
