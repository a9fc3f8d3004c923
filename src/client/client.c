/* wtping-client's I/O layer and run loop, for both modes:
 * - one-shot (a URL on the command line): connect, ping, summarize, exit as
 *   ping(8) does;
 * - daemon (a configuration file): ping the configured server forever,
 *   reconnecting with backoff, with a control socket and sd_notify.
 * Name resolution runs off the loop (resolver.c); the protocol is in quic/
 * and wt/, the ping logic in pinger.c, the backoff policy in reconnect.c. */
#include "client/client.h"

#include <errno.h>
#include <inttypes.h>
#include <arpa/inet.h>
#include <netdb.h>
#include <stdio.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <gnutls/crypto.h>
#include <systemd/sd-daemon.h>
#include <systemd/sd-event.h>

#include "client/client_internal.h"
#include "client/report.h"
#include "common/log.h"
#include "h3/h3_error.h"
#include "ping/ping_service.h"

#define FINISH_WAIT_USEC (500 * 1000) /* for the server's answer to our CLOSE */

uint64_t client_now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void arm(sd_event_source *es, uint64_t t_ns) {
  if (!es)
    return;
  if (t_ns == UINT64_MAX) {
    sd_event_source_set_enabled(es, SD_EVENT_OFF);
    return;
  }
  sd_event_source_set_time(es, (t_ns + 999) / 1000);
  sd_event_source_set_enabled(es, SD_EVENT_ONESHOT);
}

const char *client_state_name(const client *c) {
  switch (c->state) {
  case CS_RESOLVING:
  case CS_CONNECTING:
    return "connecting";
  case CS_CONNECTED:
    return "connected";
  case CS_BACKOFF:
    return "backoff";
  case CS_FINISHING:
  case CS_DONE:
    return "stopping";
  }
  return "unknown";
}

static void start_cycle(client *c);
static void after_event(client *c);

/* ------------------------------------------------------------ status */

static void notify_status(client *c) {
  if (!c->daemon)
    return;
  char line[400];
  switch (c->state) {
  case CS_CONNECTED:
    if (c->have_rtt)
      snprintf(line, sizeof(line), "connected to %s, last RTT %.3f ms, %" PRIu64 "/%" PRIu64
               " pongs", c->addr, c->last_rtt_ms, c->pg.track.received, c->pg.track.transmitted);
    else
      snprintf(line, sizeof(line), "connected to %s", c->addr);
    break;
  case CS_BACKOFF:
    snprintf(line, sizeof(line), "reconnecting in %.1f s: %.300s",
             (double)(c->backoff_until - client_now_ns()) / 1e9, c->last_error);
    break;
  default:
    snprintf(line, sizeof(line), "connecting to %s", c->o.url.authority);
    break;
  }
  if (strcmp(line, c->status_line) == 0)
    return;
  snprintf(c->status_line, sizeof(c->status_line), "%s", line);
  sd_notifyf(0, "STATUS=%s", line);
}

static int on_status_timer(sd_event_source *es, uint64_t usec, void *ud) {
  notify_status(ud);
  sd_event_source_set_time(es, usec + 1000000);
  return 0;
}

/* ------------------------------------------------------------ the end */

static void done(client *c) {
  c->state = CS_DONE;
  if (!c->end_ns)
    c->end_ns = client_now_ns();
  sd_event_exit(c->ev, 0);
}

/* fail_run ends a one-shot run with an error (exit status 2). */
static void fail_run(client *c, const char *reason) {
  snprintf(c->error, sizeof(c->error), "%s", reason);
  done(c);
}

static void conn_close(client *c) {
  if (c->qc && !quic_conn_is_dead(c->qc) && quic_conn_end(c->qc) == QUIC_END_NONE) {
    /* leave cleanly: the server should not wait for its idle timeout */
    quic_conn_close(c->qc, H3_NO_ERROR, NULL);
    quic_conn_write(c->qc, client_now_ns());
  }
  c->io = sd_event_source_disable_unref(c->io);
  c->conn_timer = sd_event_source_disable_unref(c->conn_timer);
  c->connect_timer = sd_event_source_disable_unref(c->connect_timer);
  sd_event_source_set_enabled(c->ping_timer, SD_EVENT_OFF);
  pinger_stop(&c->pg);
  wt_conn_free(c->wc);
  quic_conn_free(c->qc);
  c->wc = NULL;
  c->qc = NULL;
  c->ss = NULL;
  if (c->fd >= 0)
    close(c->fd);
  c->fd = -1;
  c->broken = false;
}

static int on_finish_timer(sd_event_source *es, uint64_t usec, void *ud) {
  (void)es;
  (void)usec;
  client *c = ud;
  conn_close(c);
  done(c);
  return 0;
}

/* begin_finish stops pinging and closes the session politely. */
static void begin_finish(client *c) {
  if (c->state == CS_FINISHING || c->state == CS_DONE)
    return;
  c->end_ns = client_now_ns();
  if (c->state != CS_CONNECTED || !c->wc) {
    conn_close(c);
    done(c);
    return;
  }
  c->state = CS_FINISHING;
  sd_event_source_set_enabled(c->ping_timer, SD_EVENT_OFF);
  wt_conn_shutdown(c->wc, 0, "done", client_now_ns());
  sd_event_add_time_relative(c->ev, &c->finish_timer, CLOCK_MONOTONIC, FINISH_WAIT_USEC, 1000,
                             on_finish_timer, c);
  quic_conn_write(c->qc, client_now_ns());
  after_event(c);
}

/* ------------------------------------------------------------ backoff */

static int on_backoff_timer(sd_event_source *es, uint64_t usec, void *ud) {
  (void)es;
  (void)usec;
  start_cycle(ud);
  return 0;
}

/* retry_later (daemon) waits, then starts a new cycle: resolve, connect. */
/* A refused connection means the server's host is up and the process is
 * (re)starting: retry at least this often, to be back within a second of
 * the server being ready. */
#define REFUSED_RETRY_CAP_NS 1000000000ULL

static void retry_later(client *c, bool immediate) {
  uint64_t rnd = 0;
  (void)gnutls_rnd(GNUTLS_RND_NONCE, &rnd, sizeof(rnd));
  uint64_t now = client_now_ns();
  uint64_t delay = c->refused && !immediate
                       ? reconnect_next_delay_capped(&c->rc, now, rnd, REFUSED_RETRY_CAP_NS)
                       : reconnect_next_delay(&c->rc, now, rnd, immediate);
  /* a state change is logged once; the retries of an outage at info */
  log_msg(c->state == CS_CONNECTED || !c->retrying ? LOG_NOTICE : LOG_INFO,
          "%s; reconnecting in %.2f s", c->last_error, (double)delay / 1e9);
  c->retrying = true;
  c->state = CS_BACKOFF;
  c->backoff_until = now + delay;
  arm(c->backoff_timer, c->backoff_until);
  notify_status(c);
}

/* cycle_failed: no address of the server could be reached. */
static void cycle_failed(client *c, const char *reason) {
  snprintf(c->last_error, sizeof(c->last_error), "%s", reason);
  if (!c->daemon) {
    fail_run(c, reason);
    return;
  }
  retry_later(c, false);
}

/* connection_lost: a working session ended. */
static void connection_lost(client *c, const char *reason, bool immediate) {
  snprintf(c->last_error, sizeof(c->last_error), "%s", reason);
  if (!c->daemon) {
    fail_run(c, reason);
    return;
  }
  c->reconnects++;
  c->down_since = client_now_ns();
  retry_later(c, immediate);
}

/* ------------------------------------------------------------ session events */

#define STALL_PINGS 3 /* lost in a row: an outage worth reporting */

static void ev_lost(void *ud, uint64_t count) {
  client *c = ud;
  c->lost_in_row += count;
  if (c->lost_in_row >= STALL_PINGS && !c->stalled && c->state == CS_CONNECTED) {
    c->stalled = true;
    uint64_t since = c->last_pong_ns ? c->last_pong_ns : c->run_start_ns;
    log_notice("outage: %" PRIu64 " pings lost in a row, no pong for %.1f s", c->lost_in_row,
               (double)(client_now_ns() - since) / 1e9);
  }
}

static void ev_pong(void *ud, uint64_t seq, size_t bytes, double ms) {
  client *c = ud;
  uint64_t now = client_now_ns();
  if (c->stalled)
    log_notice("pongs again after %.1f s, %" PRIu64 " pings lost",
               (double)(now - c->last_pong_ns) / 1e9, c->lost_in_row);
  c->stalled = false;
  c->lost_in_row = 0;
  c->last_pong_ns = now;
  c->last_rtt_ms = ms;
  c->have_rtt = true;
  ping_hist_add(&c->hist, ms);
  if (!c->daemon && !c->o.quiet)
    report_pong(stdout, c->o.url.host, c->addr_host, seq, bytes, ms);
}

static void ev_duplicate(void *ud, uint64_t seq) {
  client *c = ud;
  if (!c->daemon && !c->o.quiet)
    printf("pong from %s (%s): seq=%" PRIu64 " (DUP!)\n", c->o.url.host, c->addr_host, seq);
}

static void ev_late(void *ud, uint64_t seq) {
  client *c = ud;
  if (!c->daemon && !c->o.quiet)
    printf("pong from %s (%s): seq=%" PRIu64 " arrived after the timeout (counted lost)\n",
           c->o.url.host, c->addr_host, seq);
}

static void ev_error(void *ud, const char *msg) {
  client *c = ud;
  if (c->state == CS_FINISHING || c->broken)
    return; /* our own close tears the streams down */
  c->broken = true;
  c->broken_fatal = !c->daemon;
  snprintf(c->broken_reason, sizeof(c->broken_reason), "%s", msg);
}

static const pinger_events pinger_ev = {
    .pong = ev_pong,
    .duplicate = ev_duplicate,
    .late = ev_late,
    .lost = ev_lost,
    .error = ev_error,
};

static void app_session_ready(wt_session *ss, void *ud) {
  client *c = ud;
  uint64_t now = client_now_ns();
  c->ss = ss;
  c->state = CS_CONNECTED;
  c->retrying = false;
  c->refused = false;
  c->connect_timer = sd_event_source_disable_unref(c->connect_timer);
  reconnect_connected(&c->rc, now);
  if (c->down_since) {
    uint64_t out = now - c->down_since;
    c->downtime_total += out;
    if (out > c->longest_outage)
      c->longest_outage = out;
    c->down_since = 0;
    log_notice("reconnected to %s after %.3f s", c->addr, (double)out / 1e9);
  } else if (c->daemon) {
    log_notice("connected to %s (%s)", c->addr, c->o.url.authority);
  }
  if (!c->daemon && !c->o.quiet)
    printf("WTPING %s (%s) %s: %s mode, %zu bytes of padding\n", c->o.url.host, c->addr,
           c->o.url.path, c->o.mode == CLIENT_MODE_DATAGRAM ? "datagram" : "stream", c->o.size);
  if (!c->run_start_ns)
    c->run_start_ns = now;
  if (pinger_start(&c->pg, ss, now) == 0)
    pinger_tick(&c->pg, now);
  notify_status(c);
}

static void app_session_refused(wt_session *ss, int status, void *ud) {
  (void)ss;
  client *c = ud;
  c->broken = true;
  c->broken_fatal = true;
  if (status == 0)
    snprintf(c->broken_reason, sizeof(c->broken_reason),
             "no WebTransport support at %s: the server's HTTP/3 SETTINGS do not enable it",
             c->addr);
  else
    snprintf(c->broken_reason, sizeof(c->broken_reason),
             "no WebTransport at https://%s%s: the server answered %d%s", c->o.url.authority,
             c->o.url.path, status, status == 404 ? " (Not Found: wrong path?)" : "");
}

static void app_session_closed(wt_session *ss, uint32_t code, const uint8_t *reason, size_t len,
                               bool by_peer, void *ud) {
  (void)ss;
  client *c = ud;
  pinger_stop(&c->pg);
  c->ss = NULL;
  if (!by_peer || c->state == CS_FINISHING || c->broken)
    return;
  if (code == PING_CLOSE_GOING_AWAY)
    c->server_draining = true; /* a restart: come back at once */
  c->broken = true;
  c->broken_fatal = false;
  snprintf(c->broken_reason, sizeof(c->broken_reason),
           "the server closed the session: code %" PRIu32 "%s%.*s", code, len ? ", " : "",
           (int)(len > 1024 ? 1024 : len), (const char *)reason);
}

static void app_session_draining(wt_session *ss, void *ud) {
  (void)ss;
  client *c = ud;
  log_info("the server is draining (GOAWAY)");
  c->server_draining = true;
}

static void app_stream_data(wt_session *ss, wt_stream *ws, const uint8_t *data, size_t len,
                            bool fin, void *ud) {
  (void)ss;
  client *c = ud;
  pinger_on_stream_data(&c->pg, ws, data, len, fin, client_now_ns());
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
  pinger_on_datagram(&c->pg, data, len, client_now_ns());
}

static const wt_app_ops client_app_ops = {
    .session_ready = app_session_ready,
    .session_refused = app_session_refused,
    .session_closed = app_session_closed,
    .session_draining = app_session_draining,
    .stream_data = app_stream_data,
    .stream_reset = app_stream_reset,
    .stream_closed = app_stream_closed,
    .datagram = app_datagram,
};

/* ------------------------------------------------------------ connection */

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
  for (int i = 0; i < 64 && c->qc && !c->broken; i++) {
    ssize_t n = recv(fd, c->rxbuf, sizeof(c->rxbuf), MSG_DONTWAIT);
    if (n < 0) {
      if (errno == ECONNREFUSED) {
        /* ICMP port unreachable: nothing listens there (now) */
        c->broken = true;
        c->broken_fatal = false;
        c->refused = true;
        snprintf(c->broken_reason, sizeof(c->broken_reason),
                 "connection refused: nothing listens on UDP %s", c->addr);
      }
      break;
    }
    quic_conn_read(c->qc, &path, 0, c->rxbuf, (size_t)n, client_now_ns());
  }
  if (c->qc)
    quic_conn_write(c->qc, client_now_ns());
  after_event(c);
  return 0;
}

static int on_conn_timer(sd_event_source *es, uint64_t usec, void *ud) {
  (void)es;
  (void)usec;
  client *c = ud;
  uint64_t now = client_now_ns();
  if (c->wc)
    wt_conn_timeout(c->wc, now);
  if (c->qc)
    quic_conn_timeout(c->qc, now);
  after_event(c);
  return 0;
}

static int on_ping_timer(sd_event_source *es, uint64_t usec, void *ud) {
  (void)es;
  (void)usec;
  client *c = ud;
  pinger_tick(&c->pg, client_now_ns());
  if (c->qc)
    quic_conn_write(c->qc, client_now_ns());
  after_event(c);
  return 0;
}

static int on_connect_timer(sd_event_source *es, uint64_t usec, void *ud) {
  (void)es;
  (void)usec;
  client *c = ud;
  if (c->state != CS_CONNECTING || c->broken)
    return 0;
  c->broken = true;
  c->broken_fatal = false;
  snprintf(c->broken_reason, sizeof(c->broken_reason), "no answer from %s within %.3g s",
           c->addr, (double)c->o.timeout_ns / 1e9);
  after_event(c);
  return 0;
}

/* conn_open starts a connection to address |i| of the resolution. */
static int conn_open(client *c, size_t i) {
  const struct sockaddr *sa = (const struct sockaddr *)&c->addrs.addr[i];
  memcpy(&c->remote, sa, c->addrs.len[i]);
  c->remotelen = c->addrs.len[i];
  addr_format(sa, c->addr, sizeof(c->addr));
  addr_format_host(sa, c->addr_host, sizeof(c->addr_host));
  c->refused = false;
  c->fd = socket(sa->sa_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_UDP);
  if (c->fd < 0 || connect(c->fd, sa, c->remotelen) != 0) {
    snprintf(c->broken_reason, sizeof(c->broken_reason), "%s: %s", c->addr, strerror(errno));
    return -1;
  }
  c->locallen = sizeof(c->local);
  getsockname(c->fd, (struct sockaddr *)&c->local, &c->locallen);
  uint64_t now = client_now_ns();
  ngtcp2_path path = {
      .local = {.addr = (ngtcp2_sockaddr *)&c->local, .addrlen = c->locallen},
      .remote = {.addr = (ngtcp2_sockaddr *)&c->remote, .addrlen = c->remotelen},
  };
  c->qc = quic_conn_client_new(&c->qcfg, &c->tls, &c->verify, &path, now, &client_io_ops, c);
  if (!c->qc || !(c->wc = wt_conn_new(&c->wcfg, c->qc, &client_app_ops, c)) ||
      !wt_conn_connect(c->wc, c->o.url.authority, c->o.url.path, NULL)) {
    snprintf(c->broken_reason, sizeof(c->broken_reason), "cannot set up a connection");
    return -1;
  }
  if (sd_event_add_io(c->ev, &c->io, c->fd, EPOLLIN, on_readable, c) < 0 ||
      sd_event_add_time(c->ev, &c->conn_timer, CLOCK_MONOTONIC, UINT64_MAX, 1, on_conn_timer,
                        c) < 0 ||
      sd_event_add_time_relative(c->ev, &c->connect_timer, CLOCK_MONOTONIC,
                                 c->o.timeout_ns / 1000, 1000, on_connect_timer, c) < 0) {
    snprintf(c->broken_reason, sizeof(c->broken_reason), "cannot set up the event loop");
    return -1;
  }
  c->state = CS_CONNECTING;
  log_info("connecting to %s (%s)", c->addr, c->o.url.authority);
  quic_conn_write(c->qc, now);
  return 0;
}

/* try_next tries the remaining addresses in order. */
static void try_next(client *c) {
  while (c->next_addr < c->addrs.n) {
    size_t i = c->next_addr++;
    c->broken = false;
    if (conn_open(c, i) == 0) {
      after_event(c);
      return;
    }
    snprintf(c->last_error, sizeof(c->last_error), "%s", c->broken_reason);
    conn_close(c);
  }
  cycle_failed(c, c->last_error[0] ? c->last_error : "no address to connect to");
}

static void on_resolved(void *ud, const resolver_result *res) {
  client *c = ud;
  c->res = NULL;
  if (c->restart_after_resolve) {
    /* a reload happened meanwhile: this answer is for the old settings */
    c->restart_after_resolve = false;
    start_cycle(c);
    return;
  }
  if (res->error || res->n == 0) {
    char m[400];
    snprintf(m, sizeof(m), "%s: %s", c->o.url.host,
             res->error ? gai_strerror(res->error) : "no address");
    cycle_failed(c, m);
    return;
  }
  c->addrs = *res;
  c->next_addr = 0;
  c->last_error[0] = '\0';
  try_next(c);
}

/* start_cycle resolves the server's name (every time: it may have moved)
 * and tries its addresses. */
static void start_cycle(client *c) {
  c->state = CS_RESOLVING;
  c->res = resolver_start(c->ev, c->o.url.host, c->o.url.port, on_resolved, c);
  if (!c->res)
    cycle_failed(c, "cannot start name resolution");
  notify_status(c);
}

/* after_event runs after every event of a connection: it notices a broken
 * or finished connection (never from inside ngtcp2's callbacks) and re-arms
 * the timers. */
static void after_event(client *c) {
  if (c->state == CS_DONE || !c->qc)
    return;
  if (!c->broken) {
    quic_end end = quic_conn_end(c->qc);
    if (c->state == CS_FINISHING && (end != QUIC_END_NONE || quic_conn_is_dead(c->qc))) {
      conn_close(c);
      done(c);
      return;
    }
    if (end != QUIC_END_NONE || quic_conn_is_dead(c->qc)) {
      c->broken = true;
      quic_conn_describe_end(c->qc, c->broken_reason, sizeof(c->broken_reason));
      /* a certificate or TLS problem will not go away on another address */
      c->broken_fatal = c->state == CS_CONNECTING &&
                        (end == QUIC_END_LOCAL_CLOSE || end == QUIC_END_PEER_CLOSE);
    }
  }
  if (c->broken) {
    bool was_connected = c->state == CS_CONNECTED;
    bool fatal = c->broken_fatal;
    bool immediate = c->server_draining;
    char reason[sizeof(c->broken_reason)];
    memcpy(reason, c->broken_reason, sizeof(reason));
    conn_close(c);
    c->server_draining = false;
    if (c->state == CS_FINISHING) {
      done(c);
    } else if (was_connected) {
      connection_lost(c, reason, immediate);
    } else {
      snprintf(c->last_error, sizeof(c->last_error), "%s", reason);
      if (!fatal && c->next_addr < c->addrs.n)
        try_next(c);
      else
        cycle_failed(c, reason);
    }
    return;
  }
  uint64_t t = quic_conn_expiry(c->qc), w = wt_conn_expiry(c->wc);
  arm(c->conn_timer, w < t ? w : t);
  if (c->state == CS_CONNECTED) {
    if (pinger_done(&c->pg)) {
      begin_finish(c);
      return;
    }
    arm(c->ping_timer, pinger_next_event(&c->pg));
  }
}

static uint16_t port_of(const struct sockaddr_storage *ss) {
  if (ss->ss_family == AF_INET6)
    return ntohs(((const struct sockaddr_in6 *)ss)->sin6_port);
  return ntohs(((const struct sockaddr_in *)ss)->sin_port);
}

int client_rebind(client *c, unsigned *old_port, unsigned *new_port, char *err, size_t errlen) {
  if (c->state != CS_CONNECTED || !c->qc) {
    snprintf(err, errlen, "not connected");
    return -1;
  }
  int fd = socket(c->remote.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_UDP);
  struct sockaddr_storage local;
  socklen_t locallen = sizeof(local);
  sd_event_source *io = NULL;
  if (fd < 0 || connect(fd, (struct sockaddr *)&c->remote, c->remotelen) != 0 ||
      getsockname(fd, (struct sockaddr *)&local, &locallen) != 0 ||
      sd_event_add_io(c->ev, &io, fd, EPOLLIN, on_readable, c) < 0) {
    snprintf(err, errlen, "new socket: %s", strerror(errno));
    if (fd >= 0)
      close(fd);
    return -1;
  }
  *old_port = port_of(&c->local);
  *new_port = port_of(&local);
  sd_event_source_disable_unref(c->io);
  close(c->fd);
  c->fd = fd;
  c->io = io;
  c->local = local;
  c->locallen = locallen;
  ngtcp2_addr a = {.addr = (ngtcp2_sockaddr *)&c->local, .addrlen = c->locallen};
  ngtcp2_conn_set_local_addr(quic_conn_ngtcp2(c->qc), &a);
  log_notice("moved to local UDP port %u (was %u), as a NAT rebinding would", *new_port,
             *old_port);
  pinger_tick(&c->pg, client_now_ns());
  quic_conn_write(c->qc, client_now_ns());
  after_event(c);
  return 0;
}

/* ------------------------------------------------------------ signals */

static int on_deadline(sd_event_source *es, uint64_t usec, void *ud) {
  (void)es;
  (void)usec;
  client *c = ud;
  if (c->state != CS_CONNECTED) {
    fail_run(c, "deadline reached before the session opened");
    return 0;
  }
  begin_finish(c);
  return 0;
}

static int on_signal(sd_event_source *es, const struct signalfd_siginfo *si, void *ud) {
  (void)es;
  client *c = ud;
  if (c->daemon) {
    sd_notify(0, "STOPPING=1\nSTATUS=stopping");
    log_notice("%s: stopping", strsignal((int)si->ssi_signo));
  }
  if (c->interrupted) {
    conn_close(c);
    done(c);
    return 0;
  }
  c->interrupted = true;
  begin_finish(c);
  return 0;
}

static int on_sighup(sd_event_source *es, const struct signalfd_siginfo *si, void *ud) {
  (void)es;
  (void)si;
  client *c = ud;
  char err[1024];
  if (!c->daemon)
    return 0;
  if (client_reload(c, err, sizeof(err)) != 0)
    log_err("reload failed, keeping the old configuration: %s", err);
  return 0;
}

/* ------------------------------------------------------------ setup */

static int tls_setup(client *c, const client_opts *o, quic_tls_client *tls, char *err,
                     size_t errlen) {
  if (quic_tls_client_init(tls, o->cafile[0] ? o->cafile : NULL, o->insecure, err, errlen) != 0)
    return -1;
  for (size_t i = 0; i < o->npins; i++)
    if (quic_tls_client_add_pin(tls, o->pins[i], err, errlen) != 0) {
      quic_tls_client_free(tls);
      return -1;
    }
  (void)c;
  return 0;
}

static void apply_settings(client *c) {
  quic_conn_config_default(&c->qcfg);
  c->qcfg.txbuf = c->txbuf;
  c->qcfg.txbuflen = sizeof(c->txbuf);
  c->qcfg.handshake_timeout = c->o.timeout_ns;
  c->qcfg.idle_timeout = c->o.idle_timeout_ns;
  c->qcfg.keepalive = c->daemon ? c->o.keepalive_ns : 0;
  c->qcfg.debug = c->o.quic_debug;
  static const uint8_t unused_secret[QUIC_STATIC_SECRET_LEN];
  c->qcfg.static_secret = unused_secret; /* a client's reset tokens are never checked by us */
  wt_conn_config_default(&c->wcfg);
  c->wcfg.server = false;
  c->verify.policy = &c->tls;
  snprintf(c->verify.host, sizeof(c->verify.host), "%s", c->o.url.host);
  reconnect_init(&c->rc, c->o.reconnect_min_ns, c->o.reconnect_max_ns, 0);
  log_set_level(c->o.log_level);
}

static pinger_config pinger_cfg(const client_opts *o) {
  pinger_config pc = {
      .datagram = o->mode == CLIENT_MODE_DATAGRAM,
      .pad = o->size,
      .count = o->count,
      .interval_ns = o->interval_ns,
      .timeout_ns = o->timeout_ns,
  };
  return pc;
}

int client_reload(client *c, char *err, size_t errlen) {
  sd_notify(0, "RELOADING=1\nSTATUS=reloading the configuration");
  client_opts *n = malloc(sizeof(*n));
  quic_tls_client tls;
  bool daemon;
  int rc = -1;
  if (!n) {
    snprintf(err, errlen, "out of memory");
    goto out;
  }
  int r = client_settings(n, c->argc, c->argv, &daemon, err, errlen);
  if (r != CLIENT_OPTS_RUN) {
    if (r != CLIENT_OPTS_EXIT_CONFIG)
      snprintf(err, errlen, "the command line no longer parses");
    goto out;
  }
  if (tls_setup(c, n, &tls, err, errlen) != 0)
    goto out;
  pinger_config pc = pinger_cfg(n);
  if (pinger_reconfigure(&c->pg, &pc) != 0) {
    quic_tls_client_free(&tls);
    snprintf(err, errlen, "out of memory");
    goto out;
  }
  /* The connection uses the old credentials: close it, then start over
   * at once with the new settings. */
  bool was_up = c->state == CS_CONNECTED || c->state == CS_CONNECTING;
  conn_close(c);
  quic_tls_client_free(&c->tls);
  c->tls = tls;
  memcpy(n->control_socket, c->o.control_socket, sizeof(n->control_socket));
  n->control_mode = c->o.control_mode;
  c->o = *n;
  apply_settings(c);
  log_notice("configuration reloaded%s", was_up ? ": reconnecting" : "");
  c->status_line[0] = '\0';
  if (c->res)
    c->restart_after_resolve = true; /* on_resolved starts over */
  else
    start_cycle(c);
  rc = 0;
out:
  free(n);
  sd_notify(0, "READY=1");
  return rc;
}

static int exit_status(const client *c) {
  const ping_track *t = &c->pg.track;
  if (c->error[0] && !c->interrupted)
    return 2;
  if (t->received == 0)
    return 1;
  if (c->o.count && c->o.deadline_ns && t->received < c->o.count)
    return 1;
  return 0;
}

int client_run(const client_opts *o, bool daemon, int argc, char **argv) {
  client *c = calloc(1, sizeof(*c));
  if (!c) {
    fprintf(stderr, "wtping-client: out of memory\n");
    return 2;
  }
  c->o = *o;
  c->daemon = daemon;
  c->argc = argc;
  c->argv = argv;
  c->fd = -1;
  int rc = 2;
  char err[1024];
  bool tls_ok = false;

  if (o->insecure)
    log_warn("warning: -k: the server's certificate is NOT verified");
  if (tls_setup(c, o, &c->tls, err, sizeof(err)) != 0) {
    log_err("%s", err);
    goto out;
  }
  tls_ok = true;
  apply_settings(c);
  pinger_config pc = pinger_cfg(o);
  if (pinger_init(&c->pg, &pc, &pinger_ev, c) != 0) {
    log_err("out of memory");
    goto out;
  }
  c->pg_ready = true;
  if (sd_event_new(&c->ev) < 0) {
    log_err("cannot create the event loop");
    goto out;
  }
  sigset_t mask;
  sigemptyset(&mask);
  sigaddset(&mask, SIGINT);
  sigaddset(&mask, SIGTERM);
  sigaddset(&mask, SIGHUP);
  sigprocmask(SIG_BLOCK, &mask, NULL);
  signal(SIGPIPE, SIG_IGN);
  if (sd_event_add_signal(c->ev, NULL, SIGINT, on_signal, c) < 0 ||
      sd_event_add_signal(c->ev, NULL, SIGTERM, on_signal, c) < 0 ||
      sd_event_add_signal(c->ev, NULL, SIGHUP, on_sighup, c) < 0 ||
      sd_event_add_time(c->ev, &c->ping_timer, CLOCK_MONOTONIC, UINT64_MAX, 1, on_ping_timer, c) <
          0 ||
      sd_event_add_time(c->ev, &c->backoff_timer, CLOCK_MONOTONIC, UINT64_MAX, 1000,
                        on_backoff_timer, c) < 0) {
    log_err("cannot set up the event loop");
    goto out;
  }
  if (o->deadline_ns && !daemon)
    sd_event_add_time_relative(c->ev, &c->deadline_timer, CLOCK_MONOTONIC, o->deadline_ns / 1000,
                               1, on_deadline, c);
  c->started_ns = client_now_ns();
  if (daemon) {
    client_ctl_open(c);
    sd_event_set_watchdog(c->ev, 1);
    sd_event_add_time_relative(c->ev, &c->status_timer, CLOCK_MONOTONIC, 1000000, 1000,
                               on_status_timer, c);
    if (c->status_timer)
      sd_event_source_set_enabled(c->status_timer, SD_EVENT_ON);
  }
  start_cycle(c);
  if (daemon)
    sd_notify(0, "READY=1"); /* the first connection attempt is under way */
  int r = sd_event_loop(c->ev);
  if (r < 0)
    snprintf(c->error, sizeof(c->error), "event loop: %s", strerror(-r));

  if (!daemon) {
    if (!c->end_ns)
      c->end_ns = client_now_ns();
    report_run rr = {
        .host = o->url.host,
        .address = c->run_start_ns ? c->addr : "",
        .mode = o->mode == CLIENT_MODE_DATAGRAM ? "datagram" : "stream",
        .elapsed_ns = c->run_start_ns && c->end_ns > c->run_start_ns ? c->end_ns - c->run_start_ns
                                                                     : 0,
        .unknown = c->pg.unknown,
        .error = c->error[0] ? c->error : NULL,
    };
    if (c->error[0])
      fprintf(stderr, "wtping-client: %s\n", c->error);
    if (o->json)
      report_json(stdout, &rr, &c->pg.track, &c->pg.stats);
    else if (c->pg.track.transmitted > 0)
      report_summary(stdout, &rr, &c->pg.track, &c->pg.stats);
    rc = exit_status(c);
  } else {
    rc = c->error[0] ? 1 : 0;
  }
out:
  if (c->res)
    resolver_destroy(c->res);
  conn_close(c);
  client_ctl_close(c);
  if (c->pg_ready)
    pinger_free(&c->pg);
  sd_event_source_disable_unref(c->deadline_timer);
  sd_event_source_disable_unref(c->finish_timer);
  sd_event_source_disable_unref(c->ping_timer);
  sd_event_source_disable_unref(c->backoff_timer);
  sd_event_source_disable_unref(c->status_timer);
  sd_event_unref(c->ev);
  if (tls_ok)
    quic_tls_client_free(&c->tls);
  free(c);
  return rc;
}
