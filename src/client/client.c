/* wtping-client's I/O layer: name resolution, one connected UDP socket per
 * attempt, sd-event timers and signals, and the terminal output. The
 * protocol is in quic/ and wt/, the ping logic in pinger.c. */
#include "client/client.h"

#include <errno.h>
#include <inttypes.h>
#include <netdb.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <systemd/sd-event.h>

#include "client/pinger.h"
#include "client/report.h"
#include "common/addr.h"
#include "common/log.h"
#include "h3/h3_error.h"
#include "quic/quic_conn.h"
#include "quic/quic_tls.h"
#include "wt/wt_conn.h"

#define RX_BUF_SIZE 65536
#define TX_BUF_SIZE 1500
#define FINISH_WAIT_NS (500 * 1000 * 1000ULL) /* for the server's answer to our CLOSE */

enum phase { PH_CONNECTING, PH_RUNNING, PH_FINISHING, PH_DONE };
enum outcome { OUT_NONE, OUT_RETRY, OUT_FATAL, OUT_FINISHED };

typedef struct client {
  const client_opts *o;
  sd_event *ev;
  quic_tls_client tls;
  quic_tls_verify verify;
  quic_conn_config qcfg;
  wt_conn_config wcfg;
  pinger pg;
  bool pg_ready;

  /* the current attempt */
  int fd;
  struct sockaddr_storage local, remote;
  socklen_t locallen, remotelen;
  char addr[ADDR_STRLEN];      /* remote address and port */
  char addr_host[ADDR_STRLEN]; /* remote address only */
  quic_conn *qc;
  wt_conn *wc;
  wt_session *ss;
  sd_event_source *io, *conn_timer, *ping_timer, *connect_timer, *finish_timer;
  enum phase phase;
  enum outcome outcome;
  char reason[1500];

  uint64_t start_ns, end_ns;
  sd_event_source *deadline_timer;
  bool interrupted;
  uint8_t rxbuf[RX_BUF_SIZE];
  uint8_t txbuf[TX_BUF_SIZE];
} client;

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void arm(sd_event_source *es, uint64_t t_ns) {
  if (t_ns == UINT64_MAX) {
    sd_event_source_set_enabled(es, SD_EVENT_OFF);
    return;
  }
  uint64_t usec = (t_ns + 999) / 1000;
  sd_event_source_set_time(es, usec);
  sd_event_source_set_enabled(es, SD_EVENT_ONESHOT);
}

/* end_attempt records how this attempt ended and stops the loop. */
static void end_attempt(client *c, enum outcome out, const char *reason) {
  if (c->outcome != OUT_NONE)
    return;
  c->outcome = out;
  if (reason)
    snprintf(c->reason, sizeof(c->reason), "%s", reason);
  c->end_ns = now_ns();
  sd_event_exit(c->ev, 0);
}

static void begin_finish(client *c);

/* update re-arms the timers after any event and notices a dead connection. */
static void update(client *c) {
  if (c->outcome != OUT_NONE)
    return;
  if (quic_conn_is_dead(c->qc) || (c->phase == PH_FINISHING &&
                                   quic_conn_end(c->qc) == QUIC_END_LOCAL_CLOSE)) {
    if (c->phase == PH_FINISHING) {
      end_attempt(c, OUT_FINISHED, NULL);
      return;
    }
    char why[320];
    quic_conn_describe_end(c->qc, why, sizeof(why));
    /* A certificate or TLS problem will not go away on another address. */
    bool fatal = c->phase != PH_CONNECTING || quic_conn_end(c->qc) == QUIC_END_LOCAL_CLOSE ||
                 quic_conn_end(c->qc) == QUIC_END_PEER_CLOSE;
    end_attempt(c, fatal ? OUT_FATAL : OUT_RETRY, why);
    return;
  }
  if (c->phase == PH_FINISHING && quic_conn_end(c->qc) != QUIC_END_NONE) {
    end_attempt(c, OUT_FINISHED, NULL);
    return;
  }
  uint64_t t = quic_conn_expiry(c->qc), w = wt_conn_expiry(c->wc);
  arm(c->conn_timer, w < t ? w : t);
  if (c->pg_ready && c->phase == PH_RUNNING) {
    if (pinger_done(&c->pg)) {
      begin_finish(c);
      return;
    }
    arm(c->ping_timer, pinger_next_event(&c->pg));
  }
}

static void flush(client *c) {
  quic_conn_write(c->qc, now_ns());
  update(c);
}

static void begin_finish(client *c) {
  if (c->phase != PH_RUNNING && c->phase != PH_CONNECTING)
    return;
  c->phase = PH_FINISHING;
  sd_event_source_set_enabled(c->ping_timer, SD_EVENT_OFF);
  c->end_ns = now_ns();
  wt_conn_shutdown(c->wc, 0, "done", c->end_ns);
  sd_event_add_time_relative(c->ev, &c->finish_timer, CLOCK_MONOTONIC, FINISH_WAIT_NS / 1000, 0,
                             NULL, NULL);
  /* a NULL handler exits the loop when it fires */
  flush(c);
}

/* ------------------------------------------------------------ events */

static void ev_pong(void *ud, uint64_t seq, size_t bytes, double ms) {
  client *c = ud;
  if (!c->o->quiet)
    report_pong(stdout, c->o->url.host, c->addr_host, seq, bytes, ms);
}

static void ev_duplicate(void *ud, uint64_t seq) {
  client *c = ud;
  if (!c->o->quiet)
    printf("pong from %s (%s): seq=%" PRIu64 " (DUP!)\n", c->o->url.host, c->addr_host, seq);
}

static void ev_late(void *ud, uint64_t seq) {
  client *c = ud;
  if (!c->o->quiet)
    printf("pong from %s (%s): seq=%" PRIu64 " arrived after the timeout (counted lost)\n",
           c->o->url.host, c->addr_host, seq);
}

static void ev_error(void *ud, const char *msg) {
  client *c = ud;
  if (c->phase == PH_FINISHING)
    return; /* our own close tears the streams down */
  end_attempt(c, OUT_FATAL, msg);
}

static const pinger_events pinger_ev = {
    .pong = ev_pong,
    .duplicate = ev_duplicate,
    .late = ev_late,
    .error = ev_error,
};

static void app_session_ready(wt_session *ss, void *ud) {
  client *c = ud;
  c->ss = ss;
  c->phase = PH_RUNNING;
  sd_event_source_set_enabled(c->connect_timer, SD_EVENT_OFF);
  if (!c->o->quiet)
    printf("WTPING %s (%s) %s: %s mode, %zu bytes of padding\n", c->o->url.host, c->addr,
           c->o->url.path, c->o->mode == CLIENT_MODE_DATAGRAM ? "datagram" : "stream", c->o->size);
  fflush(stdout);
  c->start_ns = now_ns();
  if (pinger_start(&c->pg, ss, c->start_ns) == 0)
    pinger_tick(&c->pg, c->start_ns);
}

static void app_session_refused(wt_session *ss, int status, void *ud) {
  (void)ss;
  client *c = ud;
  char m[1400];
  if (status == 0)
    snprintf(m, sizeof(m), "no WebTransport support at %s: the server's HTTP/3 SETTINGS do not "
                           "enable it",
             c->addr);
  else
    snprintf(m, sizeof(m), "no WebTransport at https://%s%s: the server answered %d%s",
             c->o->url.authority, c->o->url.path, status,
             status == 404 ? " (Not Found: wrong path?)" : "");
  end_attempt(c, OUT_FATAL, m);
}

static void app_session_closed(wt_session *ss, uint32_t code, const uint8_t *reason, size_t len,
                               bool by_peer, void *ud) {
  (void)ss;
  client *c = ud;
  pinger_stop(&c->pg);
  c->ss = NULL;
  if (!by_peer || c->phase == PH_FINISHING)
    return;
  char m[1200];
  snprintf(m, sizeof(m), "the server closed the session: code %" PRIu32 "%s%.*s", code,
           len ? ", " : "", (int)(len > 1024 ? 1024 : len), (const char *)reason);
  end_attempt(c, OUT_FATAL, m);
}

static void app_stream_data(wt_session *ss, wt_stream *ws, const uint8_t *data, size_t len,
                            bool fin, void *ud) {
  (void)ss;
  client *c = ud;
  pinger_on_stream_data(&c->pg, ws, data, len, fin, now_ns());
}

static void app_stream_reset(wt_session *ss, wt_stream *ws, uint64_t code, void *ud) {
  (void)ss;
  client *c = ud;
  char m[160];
  if (code == WT_CODE_NONE)
    snprintf(m, sizeof(m), "the server reset the ping stream");
  else
    snprintf(m, sizeof(m), "the server reset the ping stream with code %" PRIu64 "%s", code,
             code == 1 ? " (line too long)" : "");
  pinger_on_stream_gone(&c->pg, ws, m);
}

static void app_stream_closed(wt_session *ss, wt_stream *ws, void *ud) {
  (void)ss;
  client *c = ud;
  pinger_on_stream_gone(&c->pg, ws, "the ping stream closed");
}

static void app_datagram(wt_session *ss, const uint8_t *data, size_t len, void *ud) {
  (void)ss;
  client *c = ud;
  pinger_on_datagram(&c->pg, data, len, now_ns());
}

static const wt_app_ops client_app_ops = {
    .session_ready = app_session_ready,
    .session_refused = app_session_refused,
    .session_closed = app_session_closed,
    .stream_data = app_stream_data,
    .stream_reset = app_stream_reset,
    .stream_closed = app_stream_closed,
    .datagram = app_datagram,
};

static void io_send_packet(quic_conn *qc, const ngtcp2_path *path, uint32_t ecn,
                           const uint8_t *data, size_t len, void *ud) {
  (void)qc;
  (void)path;
  (void)ecn;
  client *c = ud;
  if (send(c->fd, data, len, MSG_DONTWAIT) < 0 && errno != EAGAIN && errno != EWOULDBLOCK &&
      errno != ECONNREFUSED)
    log_debug("send: %s", strerror(errno));
}

static const quic_io_ops client_io_ops = {.send_packet = io_send_packet};

static int on_readable(sd_event_source *es, int fd, uint32_t revents, void *ud) {
  (void)es;
  (void)revents;
  client *c = ud;
  ngtcp2_path path = {
      .local = {.addr = (ngtcp2_sockaddr *)&c->local, .addrlen = c->locallen},
      .remote = {.addr = (ngtcp2_sockaddr *)&c->remote, .addrlen = c->remotelen},
  };
  for (int i = 0; i < 64 && c->outcome == OUT_NONE; i++) {
    ssize_t n = recv(fd, c->rxbuf, sizeof(c->rxbuf), MSG_DONTWAIT);
    if (n < 0) {
      if (errno == ECONNREFUSED && c->phase == PH_CONNECTING) {
        char m[200];
        snprintf(m, sizeof(m), "connection refused: nothing listens on UDP %s", c->addr);
        end_attempt(c, OUT_RETRY, m);
        return 0;
      }
      break;
    }
    quic_conn_read(c->qc, &path, 0, c->rxbuf, (size_t)n, now_ns());
  }
  if (c->outcome == OUT_NONE)
    flush(c);
  else
    quic_conn_write(c->qc, now_ns()); /* e.g. the FIN answering the server's CLOSE */
  return 0;
}

static int on_conn_timer(sd_event_source *es, uint64_t usec, void *ud) {
  (void)es;
  (void)usec;
  client *c = ud;
  uint64_t now = now_ns();
  wt_conn_timeout(c->wc, now);
  quic_conn_timeout(c->qc, now);
  update(c);
  return 0;
}

static int on_ping_timer(sd_event_source *es, uint64_t usec, void *ud) {
  (void)es;
  (void)usec;
  client *c = ud;
  pinger_tick(&c->pg, now_ns());
  flush(c);
  return 0;
}

static int on_connect_timer(sd_event_source *es, uint64_t usec, void *ud) {
  (void)es;
  (void)usec;
  client *c = ud;
  if (c->phase != PH_CONNECTING)
    return 0;
  char m[200];
  snprintf(m, sizeof(m), "no answer from %s within %.3g s", c->addr,
           (double)c->o->timeout_ns / 1e9);
  end_attempt(c, OUT_RETRY, m);
  return 0;
}

static int on_deadline(sd_event_source *es, uint64_t usec, void *ud) {
  (void)es;
  (void)usec;
  client *c = ud;
  if (c->phase == PH_CONNECTING) {
    end_attempt(c, OUT_FATAL, "deadline reached before the session opened");
    return 0;
  }
  begin_finish(c);
  return 0;
}

static int on_signal(sd_event_source *es, const struct signalfd_siginfo *si, void *ud) {
  (void)es;
  (void)si;
  client *c = ud;
  if (c->interrupted || c->phase != PH_RUNNING) {
    c->interrupted = true;
    if (c->phase == PH_CONNECTING)
      end_attempt(c, OUT_FATAL, "interrupted");
    else
      end_attempt(c, OUT_FINISHED, NULL);
    return 0;
  }
  c->interrupted = true;
  begin_finish(c);
  return 0;
}

/* ------------------------------------------------------------ attempts */

static void attempt_cleanup(client *c) {
  sd_event_source_disable_unref(c->io);
  sd_event_source_disable_unref(c->conn_timer);
  sd_event_source_disable_unref(c->ping_timer);
  sd_event_source_disable_unref(c->connect_timer);
  sd_event_source_disable_unref(c->finish_timer);
  c->io = c->conn_timer = c->ping_timer = c->connect_timer = c->finish_timer = NULL;
  wt_conn_free(c->wc);
  quic_conn_free(c->qc);
  c->wc = NULL;
  c->qc = NULL;
  c->ss = NULL;
  if (c->fd >= 0)
    close(c->fd);
  c->fd = -1;
}

static enum outcome attempt(client *c, const struct addrinfo *ai) {
  c->outcome = OUT_NONE;
  c->phase = PH_CONNECTING;
  c->reason[0] = '\0';
  memcpy(&c->remote, ai->ai_addr, ai->ai_addrlen);
  c->remotelen = ai->ai_addrlen;
  addr_format(ai->ai_addr, c->addr, sizeof(c->addr));
  addr_format_host(ai->ai_addr, c->addr_host, sizeof(c->addr_host));
  c->fd = socket(ai->ai_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_UDP);
  if (c->fd < 0 || connect(c->fd, ai->ai_addr, ai->ai_addrlen) != 0) {
    snprintf(c->reason, sizeof(c->reason), "%s: %s", c->addr, strerror(errno));
    return OUT_RETRY;
  }
  c->locallen = sizeof(c->local);
  getsockname(c->fd, (struct sockaddr *)&c->local, &c->locallen);
  uint64_t now = now_ns();
  ngtcp2_path path = {
      .local = {.addr = (ngtcp2_sockaddr *)&c->local, .addrlen = c->locallen},
      .remote = {.addr = (ngtcp2_sockaddr *)&c->remote, .addrlen = c->remotelen},
  };
  c->qc = quic_conn_client_new(&c->qcfg, &c->tls, &c->verify, &path, now, &client_io_ops, c);
  if (!c->qc || !(c->wc = wt_conn_new(&c->wcfg, c->qc, &client_app_ops, c)) ||
      !wt_conn_connect(c->wc, c->o->url.authority, c->o->url.path, NULL)) {
    snprintf(c->reason, sizeof(c->reason), "cannot set up the connection (out of memory?)");
    return OUT_FATAL;
  }
  if (sd_event_add_io(c->ev, &c->io, c->fd, EPOLLIN, on_readable, c) < 0 ||
      sd_event_add_time(c->ev, &c->conn_timer, CLOCK_MONOTONIC, UINT64_MAX, 1, on_conn_timer,
                        c) < 0 ||
      sd_event_add_time(c->ev, &c->ping_timer, CLOCK_MONOTONIC, UINT64_MAX, 1, on_ping_timer,
                        c) < 0 ||
      sd_event_add_time_relative(c->ev, &c->connect_timer, CLOCK_MONOTONIC,
                                 c->o->timeout_ns / 1000, 0, on_connect_timer, c) < 0) {
    snprintf(c->reason, sizeof(c->reason), "cannot set up the event loop");
    return OUT_FATAL;
  }
  flush(c);
  if (c->outcome == OUT_NONE) {
    int r = sd_event_loop(c->ev);
    if (r < 0 && c->outcome == OUT_NONE) {
      snprintf(c->reason, sizeof(c->reason), "event loop: %s", strerror(-r));
      c->outcome = OUT_FATAL;
    }
  }
  if (c->outcome == OUT_NONE) /* the finish timer (NULL handler) exited the loop */
    c->outcome = OUT_FINISHED;
  if (!quic_conn_is_dead(c->qc) && quic_conn_end(c->qc) == QUIC_END_NONE) {
    /* Leave cleanly: the server should not wait for its idle timeout. */
    quic_conn_close(c->qc, H3_NO_ERROR, NULL);
    quic_conn_write(c->qc, now_ns());
  }
  return c->outcome;
}

/* ------------------------------------------------------------ run */

static int exit_status(client *c, enum outcome out) {
  const ping_track *t = &c->pg.track;
  if (out == OUT_RETRY || (out == OUT_FATAL && !c->pg.started))
    return 2;
  if (out == OUT_FATAL && !c->interrupted)
    return 2; /* the run broke off: an error, whatever came before */
  if (t->received == 0)
    return 1;
  if (c->o->count && c->o->deadline_ns && t->received < c->o->count)
    return 1;
  return 0;
}

int client_run(const client_opts *o) {
  client *c = calloc(1, sizeof(*c));
  if (!c) {
    fprintf(stderr, "wtping-client: out of memory\n");
    return 2;
  }
  c->o = o;
  c->fd = -1;
  int rc = 2;
  char err[512];
  struct addrinfo *res = NULL;

  if (o->insecure)
    fprintf(stderr, "wtping-client: warning: -k: the server's certificate is NOT verified\n");
  if (quic_tls_client_init(&c->tls, o->cafile, o->insecure, err, sizeof(err)) != 0) {
    fprintf(stderr, "wtping-client: %s\n", err);
    goto out;
  }
  for (size_t i = 0; i < o->npins; i++)
    if (quic_tls_client_add_pin(&c->tls, o->pins[i], err, sizeof(err)) != 0) {
      fprintf(stderr, "wtping-client: %s\n", err);
      goto out;
    }
  c->verify.policy = &c->tls;
  snprintf(c->verify.host, sizeof(c->verify.host), "%s", o->url.host);

  quic_conn_config_default(&c->qcfg);
  c->qcfg.txbuf = c->txbuf;
  c->qcfg.txbuflen = sizeof(c->txbuf);
  c->qcfg.handshake_timeout = o->timeout_ns;
  c->qcfg.debug = o->quic_debug;
  static const uint8_t unused_secret[QUIC_STATIC_SECRET_LEN];
  c->qcfg.static_secret = unused_secret; /* a client's reset tokens are never checked by us */
  wt_conn_config_default(&c->wcfg);
  c->wcfg.server = false;

  pinger_config pc = {
      .datagram = o->mode == CLIENT_MODE_DATAGRAM,
      .pad = o->size,
      .count = o->count,
      .interval_ns = o->interval_ns,
      .timeout_ns = o->timeout_ns,
  };
  if (pinger_init(&c->pg, &pc, &pinger_ev, c) != 0) {
    fprintf(stderr, "wtping-client: out of memory\n");
    goto out;
  }
  c->pg_ready = true;

  if (sd_event_new(&c->ev) < 0) {
    fprintf(stderr, "wtping-client: cannot create the event loop\n");
    goto out;
  }
  sigset_t mask;
  sigemptyset(&mask);
  sigaddset(&mask, SIGINT);
  sigaddset(&mask, SIGTERM);
  sigprocmask(SIG_BLOCK, &mask, NULL);
  signal(SIGPIPE, SIG_IGN);
  sd_event_add_signal(c->ev, NULL, SIGINT, on_signal, c);
  sd_event_add_signal(c->ev, NULL, SIGTERM, on_signal, c);
  if (o->deadline_ns)
    sd_event_add_time_relative(c->ev, &c->deadline_timer, CLOCK_MONOTONIC, o->deadline_ns / 1000,
                               0, on_deadline, c);

  char port[8];
  snprintf(port, sizeof(port), "%u", o->url.port);
  struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_DGRAM,
                           .ai_protocol = IPPROTO_UDP};
  /* Resolution happens before the event loop runs, so blocking is fine. */
  int gai = getaddrinfo(o->url.host, port, &hints, &res);
  if (gai != 0) {
    fprintf(stderr, "wtping-client: %s: %s\n", o->url.host, gai_strerror(gai));
    goto out;
  }
  enum outcome out = OUT_RETRY;
  for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
    out = attempt(c, ai);
    if (out == OUT_RETRY && c->reason[0])
      log_info("%s", c->reason);
    if (out != OUT_RETRY)
      break;
    attempt_cleanup(c);
    if (c->interrupted)
      break;
  }
  if (!c->end_ns)
    c->end_ns = now_ns();
  report_run r = {
      .host = o->url.host,
      .address = c->pg.started ? c->addr : "",
      .mode = o->mode == CLIENT_MODE_DATAGRAM ? "datagram" : "stream",
      .elapsed_ns = c->pg.started && c->end_ns > c->start_ns ? c->end_ns - c->start_ns : 0,
      .unknown = c->pg.unknown,
      .error = out == OUT_FINISHED ? NULL : c->reason,
  };
  if (out != OUT_FINISHED)
    fprintf(stderr, "wtping-client: %s\n", c->reason[0] ? c->reason : "failed");
  if (o->json)
    report_json(stdout, &r, &c->pg.track, &c->pg.stats);
  else if (c->pg.track.transmitted > 0)
    report_summary(stdout, &r, &c->pg.track, &c->pg.stats);
  rc = exit_status(c, out);
  attempt_cleanup(c);
out:
  if (res)
    freeaddrinfo(res);
  if (c->pg_ready)
    pinger_free(&c->pg);
  sd_event_source_disable_unref(c->deadline_timer);
  sd_event_unref(c->ev);
  quic_tls_client_free(&c->tls);
  free(c);
  return rc;
}
