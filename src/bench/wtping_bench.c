/* wtping-bench: a load generator on wtping's own client stack (quic_conn +
 * wt_conn), in one process and one sd-event loop.
 *
 * It opens N WebTransport sessions (one connection each, or several per
 * connection) and keeps M pings in flight on each (one stream per session,
 * or datagrams), or opens new sessions at a target rate (each: handshake,
 * CONNECT/200, one ping, close). Idle sessions can be added to measure
 * memory per session on the server. Progress goes to stderr once a second;
 * the final table (or --json) to stdout. It reports its own CPU per ping
 * and, with --server-pid, the server's CPU per pong and RSS.
 *
 * To stay out of the way of the server it measures: connections share a
 * few UDP sockets (demultiplexed by connection ID), datagrams are read with
 * recvmmsg and written with sendmmsg, and a connection that got several
 * packets in one batch is written once. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <netdb.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <gnutls/crypto.h>
#include <ngtcp2/ngtcp2.h>
#include <systemd/sd-event.h>

#include "bench/bench_hist.h"
#include "client/url.h"
#include "common/log.h"
#include "common/timer_slack.h"
#include "h3/h3_error.h"
#include "ping/ping_line.h"
#include "ping/ping_msg.h"
#include "quic/quic_cidmap.h"
#include "quic/quic_conn.h"
#include "quic/quic_tls.h"
#include "wt/wt_conn.h"

#define MAX_SOCKETS 64
#define RX_BATCH 64
#define RX_SLOT 2048
#define TX_BATCH 64
#define TX_SLOT 1500
#define DGRAM_LOSS_NS (1000 * 1000 * 1000ull) /* a datagram ping unanswered this long is lost */

/* ------------------------------------------------------------ options */

typedef struct bench_opts {
  wt_url url;
  unsigned sessions;      /* active sessions */
  unsigned per_conn;      /* sessions per connection */
  unsigned inflight;      /* pings in flight per session */
  unsigned idle;          /* extra idle sessions */
  bool datagram;
  double duration_s;      /* measurement window */
  double warmup_s;
  uint64_t count;         /* stop after this many pongs in the window (0: duration) */
  double rate;            /* new sessions per second (0: off) */
  double ping_rate;       /* pings per second in all (0: closed loop) */
  unsigned open_pending;  /* handshakes in progress at most, while opening */
  unsigned nsockets;
  size_t pad;
  bool insecure;
  char cafile[1024];
  long server_pid;
  bool json;
  bool quiet;
} bench_opts;

/* ------------------------------------------------------------ state */

typedef struct bench bench;
typedef struct bconn bconn;

enum sess_role { ROLE_ACTIVE, ROLE_IDLE, ROLE_ONESHOT };

typedef struct bsess {
  bconn *conn;
  wt_session *ss;
  wt_stream *stream;
  enum sess_role role;
  bool ready, closed, pinging;
  unsigned outstanding;
  uint64_t next_seq, seq_floor; /* datagram pongs below seq_floor are late */
  uint64_t last_rx_ns;
  ping_lines lines;
} bsess;

struct bconn {
  bench *b;
  unsigned sock;
  quic_conn *qc;
  wt_conn *wc;
  sd_event_source *timer;
  bsess *sess;
  unsigned nsess;
  uint64_t opened_ns;
  uint64_t timer_usec; /* what the timer is armed for (UINT64_MAX: off) */
  bool dirty, closing, counted_ready;
  bconn *dirty_next;
  bconn *prev, *next;
};

typedef struct tx_batch {
  struct mmsghdr msgs[TX_BATCH];
  struct iovec iov[TX_BATCH];
  uint8_t buf[TX_BATCH][TX_SLOT];
  unsigned n;
} tx_batch;

typedef struct bsock {
  bench *b;
  int fd;
  struct sockaddr_storage local;
  socklen_t locallen;
  sd_event_source *io;
  tx_batch tx;
} bsock;

typedef struct window {
  uint64_t start_ns, end_ns;
  uint64_t pongs, pings, errors, lost, late, sessions_done;
  uint64_t own_cpu0, own_cpu1, srv_cpu0, srv_cpu1;
  uint64_t io0[4], io1[4]; /* udp_rx, udp_tx, rx_calls, tx_calls at both ends */
  bench_hist rtt, hs;
} window;

enum phase { PH_OPENING, PH_WARMUP, PH_MEASURE, PH_DONE };

struct bench {
  bench_opts o;
  sd_event *ev;
  sd_event_source *tick, *progress;
  quic_tls_client tls;
  quic_tls_verify verify;
  quic_conn_config qcfg;
  wt_conn_config wcfg;
  quic_cidmap *cids;
  struct sockaddr_storage remote;
  socklen_t remotelen;
  bsock socks[MAX_SOCKETS];
  unsigned nsocks, next_sock;
  bconn *conns, *dirty;
  unsigned nconns;
  unsigned to_open_idle, to_open_active; /* sessions still to open */
  unsigned pending;                      /* handshakes in progress */
  unsigned ready_sessions, failed_sessions;
  uint64_t rate_opened;
  uint64_t paced_sent;      /* --ping-rate: pings sent by the pacer */
  uint64_t paced_start_ns;
  bconn *pace_cursor;       /* round robin over the connections */
  enum phase phase;
  uint64_t phase_ns, start_ns;
  long srv_rss_base_kib, srv_rss_loaded_kib;
  window w;                /* the measurement window */
  window sec;              /* the current second, for progress */
  uint64_t total_pongs;
  uint64_t io[4]; /* datagrams received, sent; recvmmsg, sendmmsg calls */
  int exit_code;
  uint8_t rxbuf[RX_BATCH][RX_SLOT];
  uint8_t txbuf[NGTCP2_MAX_PMTUD_UDP_PAYLOAD_SIZE > TX_SLOT ? NGTCP2_MAX_PMTUD_UDP_PAYLOAD_SIZE
                                                             : TX_SLOT];
  uint8_t msg[PING_MSG_HDR_MAX + 65536 + 2];
};

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * NGTCP2_SECONDS + (uint64_t)ts.tv_nsec;
}

static uint64_t own_cpu_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* server_cpu_ns reads the server's CPU time: utime + stime from
 * /proc/PID/stat (clock ticks), or the on-CPU nanoseconds of
 * /proc/PID/schedstat when present (finer). 0 when unknown. */
static uint64_t server_cpu_ns(long pid) {
  if (pid <= 0)
    return 0;
  char path[64];
  snprintf(path, sizeof(path), "/proc/%ld/schedstat", pid);
  FILE *f = fopen(path, "r");
  if (f) {
    unsigned long long ns;
    int ok = fscanf(f, "%llu", &ns) == 1;
    fclose(f);
    if (ok)
      return ns;
  }
  snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
  f = fopen(path, "r");
  if (!f)
    return 0;
  char buf[1024];
  size_t n = fread(buf, 1, sizeof(buf) - 1, f);
  fclose(f);
  buf[n] = '\0';
  char *p = strrchr(buf, ')'); /* the command name may hold spaces */
  unsigned long long ut = 0, st = 0;
  if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st) != 2)
    return 0;
  long hz = sysconf(_SC_CLK_TCK);
  return (ut + st) * (1000000000ull / (unsigned long long)(hz > 0 ? hz : 100));
}

static long server_rss_kib(long pid) {
  if (pid <= 0)
    return -1;
  char path[64], line[256];
  snprintf(path, sizeof(path), "/proc/%ld/status", pid);
  FILE *f = fopen(path, "r");
  if (!f)
    return -1;
  long kib = -1;
  while (fgets(line, sizeof(line), f))
    if (sscanf(line, "VmRSS: %ld kB", &kib) == 1)
      break;
  fclose(f);
  return kib;
}

/* ------------------------------------------------------------ sending */

static void sock_flush(bsock *s) {
  tx_batch *t = &s->tx;
  unsigned off = 0;
  while (off < t->n) {
    int r = sendmmsg(s->fd, t->msgs + off, t->n - off, MSG_DONTWAIT);
    s->b->io[3]++;
    if (r < 0) {
      if (errno == EINTR)
        continue;
      break; /* EAGAIN or an ICMP error: the rest is lost, QUIC recovers */
    }
    off += (unsigned)r;
  }
  s->b->io[1] += t->n;
  t->n = 0;
}

static void flush_all(bench *b) {
  for (unsigned i = 0; i < b->nsocks; i++)
    if (b->socks[i].tx.n)
      sock_flush(&b->socks[i]);
}

static void io_send_packet(quic_conn *qc, const ngtcp2_path *path, uint32_t ecn,
                           const uint8_t *data, size_t len, void *ud) {
  (void)qc;
  (void)path;
  (void)ecn;
  bconn *c = ud;
  bsock *s = &c->b->socks[c->sock];
  if (len > TX_SLOT)
    return; /* PMTUD probes beyond Ethernet size: treated as lost */
  tx_batch *t = &s->tx;
  if (t->n == TX_BATCH)
    sock_flush(s);
  memcpy(t->buf[t->n], data, len);
  t->iov[t->n].iov_base = t->buf[t->n];
  t->iov[t->n].iov_len = len;
  memset(&t->msgs[t->n], 0, sizeof(t->msgs[t->n]));
  t->msgs[t->n].msg_hdr.msg_iov = &t->iov[t->n];
  t->msgs[t->n].msg_hdr.msg_iovlen = 1;
  t->n++;
}

static int io_new_cid(quic_conn *qc, const ngtcp2_cid *cid, void *ud) {
  (void)qc;
  bconn *c = ud;
  return quic_cidmap_insert(c->b->cids, cid->data, cid->datalen, c) == 0 ? 0 : -1;
}

static void io_retire_cid(quic_conn *qc, const ngtcp2_cid *cid, void *ud) {
  (void)qc;
  bconn *c = ud;
  if (quic_cidmap_find(c->b->cids, cid->data, cid->datalen) == c)
    quic_cidmap_remove(c->b->cids, cid->data, cid->datalen);
}

static const quic_io_ops bench_io_ops = {
    .send_packet = io_send_packet,
    .new_cid = io_new_cid,
    .retire_cid = io_retire_cid,
};

/* ------------------------------------------------------------ pings */

static void count_error(bench *b, uint64_t n) {
  b->sec.errors += n;
  if (b->phase == PH_MEASURE)
    b->w.errors += n;
}

static void send_ping(bsess *s, uint64_t now) {
  bench *b = s->conn->b;
  bool dg = b->o.datagram;
  size_t n = ping_msg_write(b->msg, sizeof(b->msg), s->next_seq, now, b->o.pad, !dg);
  if (n == 0)
    return;
  int r = dg ? wt_session_send_datagram(s->ss, b->msg, n)
             : (s->stream ? wt_stream_send(s->stream, b->msg, n, false) : -1);
  if (r != 0) {
    if (!dg) {
      count_error(b, 1);
      s->pinging = false;
      return;
    }
    /* a datagram the queue dropped is simply lost: the loss sweep counts it */
  }
  s->next_seq++;
  s->outstanding++;
  b->sec.pings++;
  if (b->phase == PH_MEASURE)
    b->w.pings++;
  s->conn->dirty = true;
}

static void start_pinging(bsess *s, uint64_t now) {
  bench *b = s->conn->b;
  if (s->pinging || !s->ready || s->closed)
    return;
  if (!b->o.datagram && !s->stream) {
    s->stream = wt_session_open_stream(s->ss, true);
    if (!s->stream) {
      count_error(b, 1);
      return;
    }
  }
  s->pinging = true;
  s->last_rx_ns = now;
  if (b->o.ping_rate > 0 && s->role == ROLE_ACTIVE)
    return; /* the pacer sends */
  unsigned m = s->role == ROLE_ONESHOT ? 1 : b->o.inflight;
  while (s->outstanding < m && s->pinging)
    send_ping(s, now);
}

static void mark_dirty(bconn *c) {
  if (c->dirty_next || c->b->dirty == c)
    return;
  c->dirty_next = c->b->dirty ? c->b->dirty : c; /* self-loop marks the tail */
  c->b->dirty = c;
}

static void oneshot_done(bsess *s) {
  bconn *c = s->conn;
  bench *b = c->b;
  s->pinging = false;
  b->sec.sessions_done++;
  if (b->phase == PH_MEASURE)
    b->w.sessions_done++;
  wt_session_close(s->ss, 0, NULL);
  quic_conn_close(c->qc, H3_NO_ERROR, NULL);
  c->closing = true;
}

static void on_pong(bsess *s, const uint8_t *data, size_t len, uint64_t now) {
  bench *b = s->conn->b;
  uint64_t seq, ts;
  if (ping_msg_parse_pong(data, len, &seq, &ts) != 0 || ts > now) {
    count_error(b, 1);
    return;
  }
  if (seq < s->seq_floor) {
    b->sec.late++;
    if (b->phase == PH_MEASURE)
      b->w.late++;
    return;
  }
  if (s->outstanding)
    s->outstanding--;
  s->last_rx_ns = now;
  b->sec.pongs++;
  b->total_pongs++;
  bench_hist_add(&b->sec.rtt, now - ts);
  if (b->phase == PH_MEASURE) {
    b->w.pongs++;
    bench_hist_add(&b->w.rtt, now - ts);
    if (b->o.count && b->w.pongs >= b->o.count) {
      b->phase = PH_DONE;
      sd_event_exit(b->ev, 0);
    }
  }
  if (s->role == ROLE_ONESHOT) {
    oneshot_done(s);
    return;
  }
  if (s->pinging && b->phase != PH_DONE && b->o.ping_rate <= 0)
    send_ping(s, now);
}

struct line_ctx {
  bsess *s;
  uint64_t now;
};

static int on_line(void *ud, const uint8_t *line, size_t len) {
  struct line_ctx *lc = ud;
  on_pong(lc->s, line, len, lc->now);
  return 0;
}

/* ------------------------------------------------------------ wt callbacks */

static void app_session_ready(wt_session *ss, void *ud) {
  bconn *c = ud;
  bench *b = c->b;
  bsess *s = wt_session_get_app(ss);
  if (!s || s->ready)
    return;
  s->ready = true;
  uint64_t now = quic_conn_now(c->qc);
  bench_hist_add(&b->sec.hs, now - c->opened_ns);
  if (b->phase == PH_MEASURE)
    bench_hist_add(&b->w.hs, now - c->opened_ns);
  b->ready_sessions++;
  if (!c->counted_ready) {
    c->counted_ready = true;
    if (b->pending)
      b->pending--;
  }
  if (s->role == ROLE_ONESHOT || (s->role == ROLE_ACTIVE && b->phase != PH_OPENING))
    start_pinging(s, now);
}

static void session_lost(bconn *c, bsess *s) {
  bench *b = c->b;
  if (s->closed)
    return;
  s->closed = true;
  s->pinging = false;
  if (s->ready && b->ready_sessions)
    b->ready_sessions--;
  if (!c->closing && b->phase != PH_DONE) {
    b->failed_sessions++;
    count_error(b, 1);
  }
}

static void app_session_refused(wt_session *ss, int status, void *ud) {
  bconn *c = ud;
  bsess *s = wt_session_get_app(ss);
  if (!c->closing && !c->b->o.quiet)
    fprintf(stderr, "wtping-bench: session refused (status %d)\n", status);
  if (s)
    session_lost(c, s);
}

static void app_session_closed(wt_session *ss, uint32_t code, const uint8_t *reason,
                               size_t reasonlen, bool by_peer, void *ud) {
  (void)code;
  (void)reason;
  (void)reasonlen;
  (void)by_peer;
  bconn *c = ud;
  bsess *s = wt_session_get_app(ss);
  if (s) {
    session_lost(c, s);
    s->stream = NULL;
    s->ss = NULL;
  }
}

static void app_stream_data(wt_session *ss, wt_stream *ws, const uint8_t *data, size_t len,
                            bool fin, void *ud) {
  (void)fin;
  bconn *c = ud;
  bsess *s = wt_session_get_app(ss);
  if (!s || ws != s->stream)
    return;
  struct line_ctx lc = {s, quic_conn_now(c->qc)};
  if (ping_lines_feed(&s->lines, data, len, on_line, &lc) != 0)
    count_error(c->b, 1);
}

static void app_stream_closed(wt_session *ss, wt_stream *ws, void *ud) {
  (void)ud;
  bsess *s = wt_session_get_app(ss);
  if (s && ws == s->stream) {
    s->stream = NULL;
    s->pinging = false;
  }
}

static void app_datagram(wt_session *ss, const uint8_t *data, size_t len, void *ud) {
  bconn *c = ud;
  bsess *s = wt_session_get_app(ss);
  if (s)
    on_pong(s, data, len, quic_conn_now(c->qc));
}

static const wt_app_ops bench_app_ops = {
    .session_ready = app_session_ready,
    .session_refused = app_session_refused,
    .session_closed = app_session_closed,
    .stream_data = app_stream_data,
    .stream_closed = app_stream_closed,
    .datagram = app_datagram,
};

/* ------------------------------------------------------------ connections */

static void conn_free(bconn *c) {
  bench *b = c->b;
  if (!c->counted_ready && b->pending)
    b->pending--;
  for (unsigned i = 0; i < c->nsess; i++) {
    if (c->sess[i].ready && !c->sess[i].closed && b->ready_sessions)
      b->ready_sessions--;
    ping_lines_free(&c->sess[i].lines);
  }
  wt_conn_free(c->wc);
  quic_conn_free(c->qc); /* retires its CIDs from the map */
  sd_event_source_disable_unref(c->timer);
  if (b->pace_cursor == c)
    b->pace_cursor = c->next;
  if (c->prev)
    c->prev->next = c->next;
  else
    b->conns = c->next;
  if (c->next)
    c->next->prev = c->prev;
  b->nconns--;
  free(c->sess);
  free(c);
}

/* conn_update writes what is due, frees a dead connection or re-arms its
 * timer. Returns false when |c| was freed. */
static bool conn_update(bconn *c, uint64_t now) {
  quic_conn_write(c->qc, now);
  if (quic_conn_is_dead(c->qc)) {
    bench *b = c->b;
    if (!c->closing && b->phase != PH_DONE) {
      char why[256];
      quic_conn_describe_end(c->qc, why, sizeof(why));
      if (!b->o.quiet)
        fprintf(stderr, "wtping-bench: connection ended: %s\n", why);
      for (unsigned i = 0; i < c->nsess; i++)
        session_lost(c, &c->sess[i]);
    }
    conn_free(c);
    return false;
  }
  uint64_t t = quic_conn_expiry(c->qc);
  uint64_t w = wt_conn_expiry(c->wc);
  if (w < t)
    t = w;
  if (t == UINT64_MAX) {
    if (c->timer_usec != UINT64_MAX)
      sd_event_source_set_enabled(c->timer, SD_EVENT_OFF);
    c->timer_usec = UINT64_MAX;
    return true;
  }
  uint64_t usec = timer_slack_usec(t, now);
  if (usec == c->timer_usec)
    return true;
  sd_event_source_set_time(c->timer, usec);
  sd_event_source_set_enabled(c->timer, SD_EVENT_ONESHOT);
  c->timer_usec = usec;
  return true;
}

static int on_conn_timer(sd_event_source *es, uint64_t usec, void *ud) {
  (void)es;
  (void)usec;
  bconn *c = ud;
  bench *b = c->b;
  c->timer_usec = UINT64_MAX; /* a oneshot timer that fired is off */
  uint64_t now = now_ns();
  wt_conn_timeout(c->wc, now);
  quic_conn_timeout(c->qc, now);
  conn_update(c, now);
  flush_all(b);
  return 0;
}

static bconn *conn_open(bench *b, enum sess_role role, unsigned nsess, uint64_t now) {
  bconn *c = calloc(1, sizeof(*c));
  if (!c)
    return NULL;
  c->sess = calloc(nsess, sizeof(*c->sess));
  if (!c->sess) {
    free(c);
    return NULL;
  }
  c->b = b;
  c->nsess = nsess;
  c->sock = b->next_sock++ % b->nsocks;
  c->opened_ns = now;
  c->timer_usec = UINT64_MAX;
  bsock *sk = &b->socks[c->sock];
  ngtcp2_path path = {
      .local = {.addr = (ngtcp2_sockaddr *)&sk->local, .addrlen = sk->locallen},
      .remote = {.addr = (ngtcp2_sockaddr *)&b->remote, .addrlen = b->remotelen},
  };
  c->next = b->conns;
  if (b->conns)
    b->conns->prev = c;
  b->conns = c;
  b->nconns++;
  b->pending++;
  c->qc = quic_conn_client_new(&b->qcfg, &b->tls, &b->verify, &path, now, &bench_io_ops, c);
  if (!c->qc)
    goto fail;
  /* register the first source CID; later ones come through new_cid */
  ngtcp2_cid scids[8];
  size_t ns = ngtcp2_conn_get_scid(quic_conn_ngtcp2(c->qc), scids);
  for (size_t i = 0; i < ns && i < 8; i++)
    if (quic_cidmap_insert(b->cids, scids[i].data, scids[i].datalen, c) != 0)
      goto fail;
  if (!(c->wc = wt_conn_new(&b->wcfg, c->qc, &bench_app_ops, c)))
    goto fail;
  for (unsigned i = 0; i < nsess; i++) {
    bsess *s = &c->sess[i];
    s->conn = c;
    s->role = role;
    ping_lines_init(&s->lines);
    s->ss = wt_conn_connect(c->wc, b->o.url.authority, b->o.url.path, NULL);
    if (!s->ss)
      goto fail;
    wt_session_set_app(s->ss, s);
  }
  if (sd_event_add_time(b->ev, &c->timer, CLOCK_MONOTONIC, UINT64_MAX, 1, on_conn_timer, c) < 0)
    goto fail;
  conn_update(c, now);
  return c;
fail:
  c->closing = true;
  conn_free(c);
  return NULL;
}

/* ------------------------------------------------------------ receiving */

static void handle_packet(bench *b, const uint8_t *data, size_t len, uint64_t now) {
  ngtcp2_version_cid vc;
  if (ngtcp2_pkt_decode_version_cid(&vc, data, len, QUIC_SCID_LEN) != 0)
    return;
  bconn *c = quic_cidmap_find(b->cids, vc.dcid, vc.dcidlen);
  if (!c)
    return;
  bsock *sk = &b->socks[c->sock];
  ngtcp2_path path = {
      .local = {.addr = (ngtcp2_sockaddr *)&sk->local, .addrlen = sk->locallen},
      .remote = {.addr = (ngtcp2_sockaddr *)&b->remote, .addrlen = b->remotelen},
  };
  quic_conn_read(c->qc, &path, 0, data, len, now);
  mark_dirty(c);
}

static void write_dirty(bench *b, uint64_t now) {
  bconn *c = b->dirty;
  b->dirty = NULL;
  while (c) {
    bconn *next = c->dirty_next == c ? NULL : c->dirty_next;
    c->dirty_next = NULL;
    conn_update(c, now);
    c = next;
  }
}

static int on_readable(sd_event_source *es, int fd, uint32_t revents, void *ud) {
  (void)es;
  (void)revents;
  bsock *s = ud;
  bench *b = s->b;
  struct mmsghdr msgs[RX_BATCH];
  struct iovec iov[RX_BATCH];
  for (int round = 0; round < 4; round++) {
    for (unsigned i = 0; i < RX_BATCH; i++) {
      iov[i].iov_base = b->rxbuf[i];
      iov[i].iov_len = RX_SLOT;
      memset(&msgs[i].msg_hdr, 0, sizeof(msgs[i].msg_hdr));
      msgs[i].msg_hdr.msg_iov = &iov[i];
      msgs[i].msg_hdr.msg_iovlen = 1;
    }
    int n = recvmmsg(fd, msgs, RX_BATCH, MSG_DONTWAIT, NULL);
    b->io[2]++;
    if (n <= 0)
      break;
    b->io[0] += (unsigned)n;
    uint64_t now = now_ns();
    for (int i = 0; i < n; i++)
      if (!(msgs[i].msg_hdr.msg_flags & MSG_TRUNC))
        handle_packet(b, b->rxbuf[i], msgs[i].msg_len, now);
    write_dirty(b, now);
    flush_all(b);
    if (n < RX_BATCH)
      break;
  }
  return 0;
}

/* ------------------------------------------------------------ phases */

static void window_begin(bench *b, uint64_t now) {
  memset(&b->w, 0, sizeof(b->w));
  bench_hist_init(&b->w.rtt);
  bench_hist_init(&b->w.hs);
  b->w.start_ns = now;
  b->w.own_cpu0 = own_cpu_ns();
  b->w.srv_cpu0 = server_cpu_ns(b->o.server_pid);
  memcpy(b->w.io0, b->io, sizeof(b->io));
  b->phase = PH_MEASURE;
  b->phase_ns = now;
}

static void window_end(bench *b, uint64_t now) {
  b->w.end_ns = now;
  b->w.own_cpu1 = own_cpu_ns();
  b->w.srv_cpu1 = server_cpu_ns(b->o.server_pid);
  memcpy(b->w.io1, b->io, sizeof(b->io));
}

static void start_active(bench *b, uint64_t now) {
  for (bconn *c = b->conns; c; c = c->next) {
    for (unsigned i = 0; i < c->nsess; i++)
      if (c->sess[i].role == ROLE_ACTIVE)
        start_pinging(&c->sess[i], now);
    mark_dirty(c);
  }
  write_dirty(b, now);
  flush_all(b);
}

/* open_more opens sessions while fewer than open_pending handshakes run. */
static void open_more(bench *b, uint64_t now) {
  while ((b->to_open_idle || b->to_open_active) && b->pending < b->o.open_pending) {
    bool idle = b->to_open_idle > 0;
    unsigned *left = idle ? &b->to_open_idle : &b->to_open_active;
    unsigned k = b->o.per_conn < *left ? b->o.per_conn : *left;
    *left -= k;
    if (!conn_open(b, idle ? ROLE_IDLE : ROLE_ACTIVE, k, now)) {
      b->failed_sessions += k;
      count_error(b, k);
    }
  }
}

/* sweep counts datagram pings that stayed unanswered as lost and sends new
 * ones in their place. Once a second; not on the hot path. */
static void sweep(bench *b, uint64_t now) {
  if (!b->o.datagram)
    return;
  for (bconn *c = b->conns; c; c = c->next)
    for (unsigned i = 0; i < c->nsess; i++) {
      bsess *s = &c->sess[i];
      if (!s->pinging || !s->outstanding || now - s->last_rx_ns < DGRAM_LOSS_NS)
        continue;
      b->sec.lost += s->outstanding;
      if (b->phase == PH_MEASURE)
        b->w.lost += s->outstanding;
      s->outstanding = 0;
      s->seq_floor = s->next_seq;
      s->last_rx_ns = now;
      unsigned m = s->role == ROLE_ONESHOT || b->o.ping_rate > 0 ? 0 : b->o.inflight;
      while (s->outstanding < m && s->pinging)
        send_ping(s, now);
      mark_dirty(c);
    }
}

/* pace_pings (--ping-rate) sends the pings due by now, round robin over
 * the sessions that have fewer than --inflight outstanding. */
static void pace_pings(bench *b, uint64_t now) {
  if (!b->paced_start_ns)
    b->paced_start_ns = now;
  uint64_t due = (uint64_t)((double)(now - b->paced_start_ns) / 1e9 * b->o.ping_rate);
  unsigned skipped = 0;
  while (b->paced_sent < due && b->conns && skipped <= b->nconns) {
    bconn *c = b->pace_cursor ? b->pace_cursor : b->conns;
    b->pace_cursor = c->next;
    bool sent = false;
    for (unsigned i = 0; i < c->nsess; i++) {
      bsess *s = &c->sess[i];
      if (s->role == ROLE_ACTIVE && s->pinging && s->outstanding < b->o.inflight) {
        send_ping(s, now);
        mark_dirty(c);
        b->paced_sent++;
        sent = true;
        break;
      }
    }
    skipped = sent ? 0 : skipped + 1;
  }
  if (b->paced_sent < due)
    b->paced_sent = due; /* every session is at its window: do not burst later */
}

static int on_tick(sd_event_source *es, uint64_t usec, void *ud) {
  bench *b = ud;
  uint64_t now = now_ns();
  double since = (double)(now - b->phase_ns) / 1e9;
  switch (b->phase) {
  case PH_OPENING:
    if (b->o.rate > 0) {
      b->phase = PH_WARMUP;
      b->phase_ns = now;
      break;
    }
    open_more(b, now);
    if (!b->to_open_idle && !b->to_open_active && b->pending == 0) {
      if (b->failed_sessions) {
        fprintf(stderr, "wtping-bench: %u of %u session(s) did not open\n", b->failed_sessions,
                b->o.sessions + b->o.idle);
        b->exit_code = 1;
        sd_event_exit(b->ev, 0);
        break;
      }
      b->srv_rss_loaded_kib = server_rss_kib(b->o.server_pid);
      b->phase = PH_WARMUP;
      b->phase_ns = now;
      start_active(b, now);
    }
    break;
  case PH_WARMUP:
    if (since >= b->o.warmup_s)
      window_begin(b, now);
    break;
  case PH_MEASURE:
    if (!b->o.count && since >= b->o.duration_s) {
      b->phase = PH_DONE;
      sd_event_exit(b->ev, 0);
    }
    break;
  case PH_DONE:
    break;
  }
  if (b->o.ping_rate > 0 && (b->phase == PH_WARMUP || b->phase == PH_MEASURE))
    pace_pings(b, now);
  if (b->o.rate > 0 && b->phase != PH_DONE) {
    /* open-loop arrivals: as many as the rate asks for by now */
    double elapsed = (double)(now - b->start_ns) / 1e9;
    uint64_t due = (uint64_t)(elapsed * b->o.rate);
    while (b->rate_opened < due && b->pending < b->o.open_pending) {
      b->rate_opened++;
      bconn *c = conn_open(b, ROLE_ONESHOT, 1, now);
      if (!c)
        count_error(b, 1);
    }
    if (b->rate_opened < due)
      b->rate_opened = due; /* too many pending: skip, do not burst later */
  }
  write_dirty(b, now);
  flush_all(b);
  /* Every millisecond while opening sessions or pacing; otherwise only at
   * the end of the warm-up or of the window, so that a latency run on one
   * core is not interrupted 1,000 times a second. */
  uint64_t next = usec + 1000;
  if (b->phase != PH_OPENING && b->o.rate <= 0 && b->o.ping_rate <= 0) {
    double left = b->phase == PH_WARMUP ? b->o.warmup_s
                  : b->phase == PH_MEASURE && !b->o.count ? b->o.duration_s
                                                          : 1.0;
    uint64_t end_usec = (b->phase_ns + (uint64_t)(left * 1e9)) / 1000;
    next = end_usec > usec ? end_usec : usec + 1000;
  }
  sd_event_source_set_time(es, next);
  return 0;
}

static void print_progress(bench *b, uint64_t now) {
  static const char *names[] = {"opening", "warm-up", "measuring", "done"};
  window *s = &b->sec;
  fprintf(stderr,
          "%6.1fs %-9s conns %u sessions %u pongs/s %" PRIu64 " p50 %.1f us p99 %.1f us "
          "errors %" PRIu64 " lost %" PRIu64 "%s",
          (double)(now - b->start_ns) / 1e9, names[b->phase], b->nconns, b->ready_sessions,
          s->pongs, bench_hist_quantile(&s->rtt, 0.5) / 1e3,
          bench_hist_quantile(&s->rtt, 0.99) / 1e3, s->errors, s->lost,
          b->o.rate > 0 ? "" : "\n");
  if (b->o.rate > 0)
    fprintf(stderr, " new sessions/s %" PRIu64 " open p50 %.2f ms\n", s->sessions_done,
            bench_hist_quantile(&s->hs, 0.5) / 1e6);
}

static int on_progress(sd_event_source *es, uint64_t usec, void *ud) {
  bench *b = ud;
  uint64_t now = now_ns();
  sweep(b, now);
  write_dirty(b, now);
  flush_all(b);
  if (!b->o.quiet)
    print_progress(b, now);
  memset(&b->sec, 0, sizeof(b->sec));
  bench_hist_init(&b->sec.rtt);
  bench_hist_init(&b->sec.hs);
  if (b->phase == PH_OPENING && now - b->start_ns > 120 * NGTCP2_SECONDS) {
    fprintf(stderr, "wtping-bench: sessions did not open within 120 s\n");
    b->exit_code = 1;
    sd_event_exit(b->ev, 0);
  }
  sd_event_source_set_time(es, usec + 1000000);
  return 0;
}

static int on_signal(sd_event_source *es, const struct signalfd_siginfo *si, void *ud) {
  (void)es;
  (void)si;
  bench *b = ud;
  if (b->phase == PH_MEASURE)
    b->phase = PH_DONE;
  else
    b->exit_code = 1;
  sd_event_exit(b->ev, 0);
  return 0;
}

/* ------------------------------------------------------------ report */

static double per_pong(const window *w, int i) {
  return w->pongs ? (double)(w->io1[i] - w->io0[i]) / (double)w->pongs : 0;
}

static void report(bench *b) {
  window *w = &b->w;
  double secs = w->end_ns > w->start_ns ? (double)(w->end_ns - w->start_ns) / 1e9 : 0;
  double pps = secs > 0 ? (double)w->pongs / secs : 0;
  double own_us = w->pongs ? (double)(w->own_cpu1 - w->own_cpu0) / 1e3 / (double)w->pongs : 0;
  bool srv = b->o.server_pid > 0 && w->srv_cpu1 >= w->srv_cpu0 && w->srv_cpu0;
  double srv_us = srv && w->pongs ? (double)(w->srv_cpu1 - w->srv_cpu0) / 1e3 / (double)w->pongs : 0;
  double srv_util = srv && secs > 0 ? (double)(w->srv_cpu1 - w->srv_cpu0) / 1e9 / secs : 0;
  double srv_cap = srv_us > 0 ? 1e6 / srv_us : 0;
  double own_util = secs > 0 ? (double)(w->own_cpu1 - w->own_cpu0) / 1e9 / secs : 0;
  unsigned total_sessions = b->o.sessions + b->o.idle;
  double rss_per = -1;
  if (b->srv_rss_base_kib > 0 && b->srv_rss_loaded_kib > 0 && total_sessions)
    rss_per = (double)(b->srv_rss_loaded_kib - b->srv_rss_base_kib) / total_sessions;
  double sps = secs > 0 ? (double)w->sessions_done / secs : 0;
  double srv_us_sess = srv && w->sessions_done
                           ? (double)(w->srv_cpu1 - w->srv_cpu0) / 1e3 / (double)w->sessions_done
                           : 0;
  double q[3] = {0.5, 0.99, 0.999};
  double rtt[3], hs[3];
  for (int i = 0; i < 3; i++) {
    rtt[i] = bench_hist_quantile(&w->rtt, q[i]) / 1e3;
    hs[i] = bench_hist_quantile(&w->hs, q[i]) / 1e3;
  }
  if (b->o.json) {
    printf("{\"mode\":\"%s\",\"sessions\":%u,\"sessions_per_connection\":%u,\"inflight\":%u,"
           "\"idle_sessions\":%u,\"rate\":%.0f,\"ping_rate\":%.0f,\"seconds\":%.3f,\"pings\":%" PRIu64
           ",\"pongs\":%" PRIu64 ",\"pongs_per_s\":%.0f,"
           "\"rtt_us\":{\"p50\":%.1f,\"p99\":%.1f,\"p999\":%.1f,\"mean\":%.1f},"
           "\"errors\":%" PRIu64 ",\"lost\":%" PRIu64 ",\"late\":%" PRIu64 ","
           "\"bench_cpu_us_per_pong\":%.2f,\"bench_cpu_util\":%.3f,",
           b->o.datagram ? "datagram" : "stream", b->o.sessions, b->o.per_conn, b->o.inflight,
           b->o.idle, b->o.rate, b->o.ping_rate, secs, w->pings, w->pongs, pps, rtt[0], rtt[1], rtt[2],
           w->rtt.n ? w->rtt.sum / (double)w->rtt.n / 1e3 : 0.0, w->errors, w->lost, w->late,
           own_us, own_util);
    printf("\"new_sessions\":%" PRIu64 ",\"new_sessions_per_s\":%.0f,"
           "\"open_us\":{\"p50\":%.1f,\"p99\":%.1f,\"p999\":%.1f},",
           w->sessions_done, sps, hs[0], hs[1], hs[2]);
    if (srv)
      printf("\"server_cpu_us_per_pong\":%.2f,\"server_pongs_per_cpu_s\":%.0f,"
             "\"server_cpu_util\":%.3f,\"server_cpu_us_per_new_session\":%.1f,",
             srv_us, srv_cap, srv_util, srv_us_sess);
    if (b->srv_rss_base_kib > 0)
      printf("\"server_rss_base_kib\":%ld,\"server_rss_loaded_kib\":%ld,"
             "\"server_rss_per_session_kib\":%.2f,",
             b->srv_rss_base_kib, b->srv_rss_loaded_kib, rss_per);
    printf("\"client_udp_rx_per_pong\":%.2f,\"client_udp_tx_per_pong\":%.2f,"
           "\"client_syscalls_per_pong\":%.2f,\"exit\":%d}\n",
           per_pong(w, 0), per_pong(w, 1), per_pong(w, 2) + per_pong(w, 3), b->exit_code);
    return;
  }
  printf("wtping-bench: %s, %u session(s) x %u in flight, %u per connection", 
         b->o.datagram ? "datagram" : "stream", b->o.sessions, b->o.inflight, b->o.per_conn);
  if (b->o.idle)
    printf(", %u idle", b->o.idle);
  if (b->o.rate > 0)
    printf(", new sessions at %.0f/s", b->o.rate);
  printf("\n");
  printf("  %-28s %.2f s\n", "window", secs);
  printf("  %-28s %" PRIu64 " (%" PRIu64 " pings)\n", "pongs", w->pongs, w->pings);
  printf("  %-28s %.0f\n", "pongs/s", pps);
  printf("  %-28s p50 %.1f  p99 %.1f  p99.9 %.1f  (us)\n", "RTT", rtt[0], rtt[1], rtt[2]);
  printf("  %-28s %" PRIu64 " errors, %" PRIu64 " lost, %" PRIu64 " late\n", "problems", w->errors,
         w->lost, w->late);
  printf("  %-28s %.2f us per pong (%.0f %% of a core)\n", "bench CPU", own_us, own_util * 100);
  if (srv)
    printf("  %-28s %.2f us per pong (%.0f %% of a core): %.0f pongs per CPU second\n",
           "server CPU", srv_us, srv_util * 100, srv_cap);
  if (b->o.rate > 0) {
    printf("  %-28s %.0f/s (%" PRIu64 " in the window)\n", "new sessions", sps, w->sessions_done);
    printf("  %-28s p50 %.2f  p99 %.2f  (ms, socket open to 200)\n", "new session latency",
           hs[0] / 1e3, hs[1] / 1e3);
    if (srv)
      printf("  %-28s %.1f us per new session: %.0f per CPU second\n", "server CPU",
             srv_us_sess, srv_us_sess > 0 ? 1e6 / srv_us_sess : 0);
  }
  printf("  %-28s %.2f datagrams in, %.2f out, %.2f syscalls (recvmmsg+sendmmsg)\n",
         "bench I/O per pong", per_pong(w, 0), per_pong(w, 1), per_pong(w, 2) + per_pong(w, 3));
  if (rss_per >= 0)
    printf("  %-28s %ld KiB before, %ld KiB with %u sessions: %.1f KiB per session\n",
           "server RSS", b->srv_rss_base_kib, b->srv_rss_loaded_kib, total_sessions, rss_per);
}

/* ------------------------------------------------------------ setup */

static int usage(FILE *f) {
  fprintf(f,
          "usage: wtping-bench [options] https://HOST:PORT/PATH\n"
          "  -n, --sessions N         active sessions (default 1)\n"
          "  -P, --per-connection K   sessions per connection (default 1)\n"
          "  -m, --inflight M         pings in flight per session (default 1)\n"
          "      --idle N             extra idle sessions, opened first\n"
          "  -D, --datagram           ping with datagrams (default: one stream per session)\n"
          "  -d, --duration S         measurement window in seconds (default 5)\n"
          "  -w, --warmup S           seconds before the window (default 1)\n"
          "  -c, --count N            end the window after N pongs instead\n"
          "  -R, --ping-rate R        R pings per second in all, spread over the sessions\n"
          "                           (at most --inflight outstanding each); default:\n"
          "                           closed loop, a new ping for each pong\n"
          "  -r, --rate R             open R new sessions per second (connect, one ping,\n"
          "                           close) instead of keeping sessions open\n"
          "      --pending N          handshakes in progress at most (default 64)\n"
          "      --sockets K          UDP sockets shared by the connections (default 4)\n"
          "  -s, --size N             padding bytes per ping (default 0)\n"
          "  -k, --insecure           do not verify the certificate\n"
          "      --cafile FILE        trust this CA\n"
          "      --server-pid PID     read the server's CPU and RSS from /proc\n"
          "      --json               one JSON object on stdout\n"
          "  -q, --quiet              no progress lines\n");
  return f == stdout ? 0 : 2;
}

static int parse_uint(const char *s, unsigned long max, unsigned long *out) {
  char *end;
  errno = 0;
  unsigned long v = strtoul(s, &end, 10);
  if (errno || *end || end == s || v > max || s[0] == '-')
    return -1;
  *out = v;
  return 0;
}

static int parse_double(const char *s, double *out) {
  char *end;
  errno = 0;
  double v = strtod(s, &end);
  if (errno || *end || end == s || !(v >= 0) || !isfinite(v))
    return -1;
  *out = v;
  return 0;
}

static int parse_args(bench_opts *o, int argc, char **argv) {
  static const struct option longopts[] = {
      {"sessions", required_argument, NULL, 'n'}, {"per-connection", required_argument, NULL, 'P'},
      {"inflight", required_argument, NULL, 'm'}, {"idle", required_argument, NULL, 'I'},
      {"datagram", no_argument, NULL, 'D'},       {"duration", required_argument, NULL, 'd'},
      {"warmup", required_argument, NULL, 'w'},   {"count", required_argument, NULL, 'c'},
      {"rate", required_argument, NULL, 'r'},     {"pending", required_argument, NULL, 'p'},
      {"ping-rate", required_argument, NULL, 'R'},
      {"sockets", required_argument, NULL, 'S'},  {"size", required_argument, NULL, 's'},
      {"insecure", no_argument, NULL, 'k'},       {"cafile", required_argument, NULL, 'C'},
      {"server-pid", required_argument, NULL, 'X'}, {"json", no_argument, NULL, 'j'},
      {"quiet", no_argument, NULL, 'q'},          {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0},
  };
  memset(o, 0, sizeof(*o));
  o->sessions = 1;
  o->per_conn = 1;
  o->inflight = 1;
  o->duration_s = 5;
  o->warmup_s = 1;
  o->open_pending = 64;
  o->nsockets = 4;
  int ch;
  unsigned long v;
  while ((ch = getopt_long(argc, argv, "n:P:m:Dd:w:c:r:R:s:kqh", longopts, NULL)) != -1) {
    int bad = 0;
    switch (ch) {
    case 'n':
      bad = parse_uint(optarg, 1000000, &v) || v == 0;
      o->sessions = (unsigned)v;
      break;
    case 'P':
      bad = parse_uint(optarg, 64, &v) || v == 0;
      o->per_conn = (unsigned)v;
      break;
    case 'm':
      bad = parse_uint(optarg, 1024, &v) || v == 0;
      o->inflight = (unsigned)v;
      break;
    case 'I':
      bad = parse_uint(optarg, 1000000, &v);
      o->idle = (unsigned)v;
      break;
    case 'D':
      o->datagram = true;
      break;
    case 'd':
      bad = parse_double(optarg, &o->duration_s);
      break;
    case 'w':
      bad = parse_double(optarg, &o->warmup_s);
      break;
    case 'c':
      bad = parse_uint(optarg, ULONG_MAX, &v) || v == 0;
      o->count = v;
      break;
    case 'r':
      bad = parse_double(optarg, &o->rate) || o->rate <= 0;
      break;
    case 'p':
      bad = parse_uint(optarg, 100000, &v) || v == 0;
      o->open_pending = (unsigned)v;
      break;
    case 'R':
      bad = parse_double(optarg, &o->ping_rate) || o->ping_rate <= 0;
      break;
    case 'S':
      bad = parse_uint(optarg, MAX_SOCKETS, &v) || v == 0;
      o->nsockets = (unsigned)v;
      break;
    case 's':
      bad = parse_uint(optarg, 65536, &v);
      o->pad = v;
      break;
    case 'k':
      o->insecure = true;
      break;
    case 'C':
      bad = strlen(optarg) >= sizeof(o->cafile);
      if (!bad)
        memcpy(o->cafile, optarg, strlen(optarg) + 1);
      break;
    case 'X':
      bad = parse_uint(optarg, 1u << 30, &v) || v == 0;
      o->server_pid = (long)v;
      break;
    case 'j':
      o->json = true;
      break;
    case 'q':
      o->quiet = true;
      break;
    case 'h':
      exit(usage(stdout));
    default:
      return -1;
    }
    if (bad) {
      fprintf(stderr, "wtping-bench: bad value for -%c: %s\n", ch, optarg);
      return -1;
    }
  }
  if (optind != argc - 1)
    return -1;
  const char *err = NULL;
  if (url_parse(argv[optind], &o->url, &err) != 0) {
    fprintf(stderr, "wtping-bench: %s: %s\n", argv[optind], err ? err : "bad URL");
    return -1;
  }
  return 0;
}

static int resolve(bench *b) {
  struct addrinfo hints = {.ai_socktype = SOCK_DGRAM, .ai_flags = AI_NUMERICSERV};
  struct addrinfo *res;
  char port[8];
  snprintf(port, sizeof(port), "%u", b->o.url.port);
  int r = getaddrinfo(b->o.url.host, port, &hints, &res);
  if (r != 0) {
    fprintf(stderr, "wtping-bench: %s: %s\n", b->o.url.host, gai_strerror(r));
    return -1;
  }
  memcpy(&b->remote, res->ai_addr, res->ai_addrlen);
  b->remotelen = res->ai_addrlen;
  freeaddrinfo(res);
  return 0;
}

static int open_sockets(bench *b) {
  for (unsigned i = 0; i < b->o.nsockets; i++) {
    bsock *s = &b->socks[i];
    s->b = b;
    s->fd = socket(b->remote.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_UDP);
    if (s->fd < 0 || connect(s->fd, (struct sockaddr *)&b->remote, b->remotelen) != 0) {
      perror("wtping-bench: socket");
      return -1;
    }
    int sz = 4 << 20; /* room for bursts of handshakes */
    if (setsockopt(s->fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz)) != 0)
      (void)setsockopt(s->fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
    if (setsockopt(s->fd, SOL_SOCKET, SO_SNDBUFFORCE, &sz, sizeof(sz)) != 0)
      (void)setsockopt(s->fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
    s->locallen = sizeof(s->local);
    if (getsockname(s->fd, (struct sockaddr *)&s->local, &s->locallen) != 0)
      return -1;
    b->nsocks++;
    if (sd_event_add_io(b->ev, &s->io, s->fd, EPOLLIN, on_readable, s) < 0)
      return -1;
  }
  return 0;
}

static int setup(bench *b) {
  char err[512];
  if (quic_tls_client_init(&b->tls, b->o.cafile[0] ? b->o.cafile : NULL, b->o.insecure, err,
                           sizeof(err)) != 0) {
    fprintf(stderr, "wtping-bench: %s\n", err);
    return -1;
  }
  b->verify.policy = &b->tls;
  snprintf(b->verify.host, sizeof(b->verify.host), "%s", b->o.url.host);
  quic_conn_config_default(&b->qcfg);
  b->qcfg.txbuf = b->txbuf;
  b->qcfg.txbuflen = sizeof(b->txbuf);
  b->qcfg.keepalive = 10 * NGTCP2_SECONDS; /* idle sessions outlive a 30 s idle timeout */
  static const uint8_t unused_secret[QUIC_STATIC_SECRET_LEN];
  b->qcfg.static_secret = unused_secret;
  wt_conn_config_default(&b->wcfg);
  b->wcfg.server = false;
  uint8_t key[16];
  if (gnutls_rnd(GNUTLS_RND_KEY, key, sizeof(key)) != 0 || !(b->cids = quic_cidmap_new(key)))
    return -1;
  if (resolve(b) != 0 || sd_event_new(&b->ev) < 0)
    return -1;
  sigset_t mask;
  sigemptyset(&mask);
  sigaddset(&mask, SIGINT);
  sigaddset(&mask, SIGTERM);
  sigprocmask(SIG_BLOCK, &mask, NULL);
  if (sd_event_add_signal(b->ev, NULL, SIGINT, on_signal, b) < 0 ||
      sd_event_add_signal(b->ev, NULL, SIGTERM, on_signal, b) < 0 || open_sockets(b) != 0)
    return -1;
  uint64_t usec;
  sd_event_now(b->ev, CLOCK_MONOTONIC, &usec);
  if (sd_event_add_time(b->ev, &b->tick, CLOCK_MONOTONIC, usec + 1000, 1, on_tick, b) < 0 ||
      sd_event_add_time(b->ev, &b->progress, CLOCK_MONOTONIC, usec + 1000000, 1000, on_progress,
                        b) < 0)
    return -1;
  sd_event_source_set_enabled(b->tick, SD_EVENT_ON);
  sd_event_source_set_enabled(b->progress, SD_EVENT_ON);
  b->start_ns = b->phase_ns = now_ns();
  b->srv_rss_base_kib = server_rss_kib(b->o.server_pid);
  b->to_open_idle = b->o.rate > 0 ? 0 : b->o.idle;
  b->to_open_active = b->o.rate > 0 ? 0 : b->o.sessions;
  bench_hist_init(&b->sec.rtt);
  bench_hist_init(&b->sec.hs);
  return 0;
}

/* close_all says goodbye to the server so that the next run starts from an
 * empty server instead of thousands of connections waiting for their idle
 * timeout. */
static void close_all(bench *b) {
  uint64_t now = now_ns();
  for (bconn *c = b->conns; c; c = c->next) {
    c->closing = true;
    quic_conn_close(c->qc, H3_NO_ERROR, NULL);
    quic_conn_write(c->qc, now);
    /* flush as we go: one CONNECTION_CLOSE each, the batch fills fast */
    flush_all(b);
  }
  flush_all(b);
}

int main(int argc, char **argv) {
  static bench b; /* big buffers: not on the stack */
  if (parse_args(&b.o, argc, argv) != 0)
    return usage(stderr);
  log_set_level(LOG_WARNING);
  if (setup(&b) != 0)
    return 1;
  int r = sd_event_loop(b.ev);
  if (r < 0) {
    fprintf(stderr, "wtping-bench: event loop: %s\n", strerror(-r));
    b.exit_code = 1;
  }
  window_end(&b, now_ns());
  if (b.w.start_ns)
    report(&b);
  else
    b.exit_code = 1;
  close_all(&b);
  while (b.conns)
    conn_free(b.conns);
  for (unsigned i = 0; i < b.nsocks; i++) {
    sd_event_source_disable_unref(b.socks[i].io);
    close(b.socks[i].fd);
  }
  sd_event_source_disable_unref(b.tick);
  sd_event_source_disable_unref(b.progress);
  sd_event_unref(b.ev);
  quic_cidmap_free(b.cids);
  quic_tls_client_free(&b.tls);
  if (b.exit_code == 0 && b.w.pongs == 0 && b.w.sessions_done == 0)
    b.exit_code = 1;
  return b.exit_code;
}
