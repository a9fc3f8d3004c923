/* Fuzz harness: whole streams into the server's connection-level HTTP/3 and
 * WebTransport state machine (src/h3/h3_conn.c, h3_stream.c, src/wt/wt_conn.c,
 * wt_session.c) with the ping service on top, where all the parsers meet.
 *
 * A real server stack (quic_conn + h3_conn + wt_conn + ping_service) and a
 * bare QUIC client are joined in memory by tests/unit/quic_pair.c (fake
 * clock). After the handshake the input is read as a program for the client:
 *
 *   byte b: op = b & 7, arg = b >> 3
 *   0  open a bidirectional stream       1  open a unidirectional stream
 *   2  send the next N bytes (N = next byte) on stream arg % open streams
 *   3  FIN that stream                   4  send a datagram of the next N bytes
 *   5  reset that stream with code arg   6  let arg + 1 ms pass (packets flow)
 *   7  a canned piece, arg % 8: a control stream with SETTINGS; a CONNECT
 *      for /wtping on a new bidi stream; a WebTransport bidi or uni stream
 *      for session 0; "ping 1 2\n"; a datagram ping for session 0; a CONNECT
 *      with the right bearer token; a CONNECT from a disallowed origin
 *
 * The server runs an access policy (an origin allow-list and one bearer
 * token) so that the 401/403 paths are fuzzed too.
 *
 * so that the fuzzer reaches sessions quickly and can then mutate anything.
 * Checks: no crash, no sanitizer report, no leak; the server stays usable
 * or closes the connection (never stalls with a half-freed state). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/varint.h"
#include "fuzz.h"
#include "h3/h3_access.h"
#include "h3/h3_frame.h"
#include "h3/h3_qpack.h"
#include "h3/h3_request.h"
#include "h3/h3_settings.h"
#include "ping/ping_service.h"
#include "quic_pair.h"
#include "wt/wt_conn.h"
#include "wt/wt_stream.h"

#define MAX_STREAMS 16

#define TOKEN "fuzz-token-0123456789"

typedef struct harness {
  wt_conn_config wcfg;
  h3_access access;
  uint64_t refused;
  ping_service ping;
  wt_conn *server;
  quic_stream *streams[MAX_STREAMS];
  size_t nstreams;
} harness;

static void on_server(quic_pair *p, quic_conn *qc, void *ud) {
  (void)p;
  harness *h = ud;
  h->server = wt_conn_new(&h->wcfg, qc, ping_service_ops(), &h->ping);
}

static void tick(quic_pair *p, uint64_t now, void *ud) {
  (void)p;
  harness *h = ud;
  if (h->server && wt_conn_expiry(h->server) <= now)
    wt_conn_timeout(h->server, now);
}

static const quic_pair_ops pair_ops = {.on_server = on_server, .tick = tick};

/* on_client_stream_close forgets a client stream QUIC is about to free
 * (the server closed or reset it), so that the program cannot use it. */
static void on_client_stream_close(quic_conn *qc, quic_stream *s, uint64_t code, void *ud) {
  (void)qc;
  (void)code;
  harness *h = ud;
  for (size_t i = 0; i < h->nstreams; i++)
    if (h->streams[i] == s) {
      h->streams[i] = h->streams[--h->nstreams];
      break;
    }
}

/* the client takes the server's stream bytes as they come (QUIC consumes
 * them when there is no stream_data hook) and only tracks closes */
static const quic_app_ops client_ops = {.stream_close = on_client_stream_close};

static quic_stream *open_stream(quic_conn *qc, harness *h, bool bidi) {
  if (h->nstreams == MAX_STREAMS)
    return NULL;
  quic_stream *s = quic_conn_open_stream(qc, bidi);
  if (s)
    h->streams[h->nstreams++] = s;
  return s;
}

/* canned writes one of the pieces a real client sends (op 7). */
static void canned(quic_conn *qc, harness *h, unsigned which) {
  uint8_t buf[512];
  size_t n = 0;
  quic_stream *s;
  switch (which % 8) {
  case 0: { /* control stream: type 0, SETTINGS enabling WebTransport */
    static const h3_setting set[] = {{H3_SETTING_ENABLE_CONNECT_PROTOCOL, 1},
                                     {H3_SETTING_H3_DATAGRAM, 1},
                                     {H3_SETTING_ENABLE_WEBTRANSPORT, 1}};
    if (!(s = open_stream(qc, h, false)))
      return;
    buf[n++] = H3_STREAM_CONTROL;
    n += h3_settings_write(buf + n, sizeof(buf) - n, set, sizeof(set) / sizeof(set[0]));
    quic_stream_send(s, buf, n, false);
    return;
  }
  case 1:
  case 6:
  case 7: { /* a CONNECT for /wtping: plain, with the token, from elsewhere */
    h3_header hdrs[8];
    unsigned k = which % 8;
    size_t nh = h3_request_build_connect(hdrs, "localhost:4433", "/wtping",
                                         k == 7 ? "https://evil.example" : NULL);
    if (k == 6) {
      hdrs[nh].name = "authorization";
      hdrs[nh].namelen = 13;
      hdrs[nh].value = "Bearer " TOKEN;
      hdrs[nh].valuelen = strlen(hdrs[nh].value);
      nh++;
    }
    h3_qpack *q = h3_qpack_new();
    if (!q || !(s = open_stream(qc, h, true))) {
      h3_qpack_free(q);
      return;
    }
    uint8_t payload[400];
    size_t pl = h3_qpack_encode(q, quic_stream_id(s), hdrs, nh, payload, sizeof(payload));
    h3_qpack_free(q);
    n = h3_frame_hdr_write(buf, H3_FRAME_HEADERS, pl);
    memcpy(buf + n, payload, pl);
    quic_stream_send(s, buf, n + pl, false);
    return;
  }
  case 2:
  case 3: /* a WebTransport stream of session 0 */
    if (!(s = open_stream(qc, h, which % 8 == 2)))
      return;
    n = wt_stream_hdr_write(buf, which % 8 == 2 ? WT_STREAM_SIGNAL_BIDI : WT_STREAM_TYPE_UNI, 0);
    quic_stream_send(s, buf, n, false);
    return;
  case 4: /* a ping on the last stream */
    if (h->nstreams)
      quic_stream_send(h->streams[h->nstreams - 1], (const uint8_t *)"ping 1 2\n", 9, false);
    return;
  case 5: /* a datagram ping for session 0 */
    n = wt_datagram_hdr_write(buf, 0);
    quic_conn_send_datagram(qc, buf, n, (const uint8_t *)"ping 1 2", 8);
    return;
  default:
    return;
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static harness h;
  static bool verbose;
  static bool once;
  if (!once) {
    once = true;
    verbose = getenv("FUZZ_H3_CONN_VERBOSE") != NULL;
    log_set_level(verbose ? LOG_DEBUG : LOG_ERR);
  }
  memset(&h, 0, sizeof(h));
  wt_conn_config_default(&h.wcfg);
  h.wcfg.server = true;
  h.wcfg.path = "/wtping";
  h.wcfg.max_sessions = 4;
  /* browsers from one origin; tokens not required unless the input says so
   * (arg bit of the first byte), so both policies are explored */
  const char *why;
  h3_access_init(&h.access);
  h3_access_add_origin(&h.access, "https://ping.example.org", &why);
  if (size > 0 && (data[0] & 0x80))
    h3_access_add_token(&h.access, TOKEN, strlen(TOKEN), &why);
  h.wcfg.access = &h.access;
  h.wcfg.access_refused = &h.refused;
  quic_pair *p = quic_pair_new(&pair_ops, &h);
  if (!p)
    return 0;
  quic_conn *c = quic_pair_client(p);
  quic_conn_set_app(c, &client_ops, &h);
  quic_pair_run(p, 10); /* the handshake */
  size_t i = 0;
  while (i < size && !quic_conn_is_dead(c)) {
    unsigned op = data[i] & 7, arg = data[i] >> 3;
    i++;
    quic_stream *s = h.nstreams ? h.streams[arg % h.nstreams] : NULL;
    size_t n = 0;
    if (op == 2 || op == 4) {
      n = i < size ? data[i++] : 0;
      if (n > size - i)
        n = size - i;
    }
    switch (op) {
    case 0:
    case 1:
      open_stream(c, &h, op == 0);
      break;
    case 2:
      if (s)
        quic_stream_send(s, data + i, n, false);
      break;
    case 3:
      if (s)
        quic_stream_send(s, NULL, 0, true);
      break;
    case 4:
      quic_conn_send_datagram(c, NULL, 0, data + i, n);
      break;
    case 5:
      if (s)
        quic_stream_reset(s, arg, false);
      break;
    case 6:
      quic_pair_run(p, (int)arg + 1);
      break;
    default:
      canned(c, &h, arg);
      break;
    }
    i += n;
  }
  quic_pair_run(p, 30);
  /* the server either serves or has closed; it never holds more sessions
   * than allowed */
  FUZZ_CHECK(!h.server || wt_conn_sessions(h.server) <= h.wcfg.max_sessions);
  if (verbose)
    fprintf(stderr, "h3_conn: sessions %llu, stream pings %llu, datagram pings %llu\n",
            (unsigned long long)h.ping.st.sessions_total,
            (unsigned long long)h.ping.st.stream_pings,
            (unsigned long long)h.ping.st.datagram_pings);
  wt_conn_free(h.server);
  quic_pair_free(p);
  return 0;
}
