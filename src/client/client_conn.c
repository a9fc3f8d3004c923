/* One connection cycle of wtping-client: resolve the server's name, try its
 * addresses, own the UDP socket and the connection's timers, notice a
 * broken or finished connection after every event, and end the run or the
 * connection politely. */
#include <errno.h>
#include <arpa/inet.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <systemd/sd-event.h>

#include "client/client_loop.h"
#include "common/log.h"
#include "h3/h3_error.h"

#define FINISH_WAIT_USEC (500 * 1000) /* for the server's answer to our CLOSE */

/* ------------------------------------------------------------ the end */

void client_done(client *c) {
  c->state = CS_DONE;
  if (!c->end_ns)
    c->end_ns = client_now_ns();
  sd_event_exit(c->ev, 0);
}

/* client_fail_run ends a one-shot run with an error (exit status 2). */
void client_fail_run(client *c, const char *reason) {
  snprintf(c->error, sizeof(c->error), "%s", reason);
  client_done(c);
}

void client_conn_close(client *c) {
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
  quic_conn_free(c->qc); /* ends the qlog */
  qlog_file_close(c->qlog);
  c->qlog = NULL;
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
  client_conn_close(c);
  client_done(c);
  return 0;
}

/* client_begin_finish stops pinging and closes the session politely. */
void client_begin_finish(client *c) {
  if (c->state == CS_FINISHING || c->state == CS_DONE)
    return;
  c->end_ns = client_now_ns();
  if (c->state != CS_CONNECTED || !c->wc) {
    client_conn_close(c);
    client_done(c);
    return;
  }
  c->state = CS_FINISHING;
  sd_event_source_set_enabled(c->ping_timer, SD_EVENT_OFF);
  wt_conn_shutdown(c->wc, 0, "done", client_now_ns());
  sd_event_add_time_relative(c->ev, &c->finish_timer, CLOCK_MONOTONIC, FINISH_WAIT_USEC, 1000,
                             on_finish_timer, c);
  quic_conn_write(c->qc, client_now_ns());
  client_after_event(c);
}

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

static int io_qlog_open(quic_conn *qc, const ngtcp2_cid *odcid, bool server, void *ud) {
  (void)qc;
  client *c = ud;
  if (!c->o.qlog_dir[0])
    return -1;
  char err[512];
  qlog_file_close(c->qlog); /* a connection that failed before it started */
  c->qlog = qlog_file_open(c->o.qlog_dir, odcid->data, odcid->datalen,
                           server ? "server" : "client", err, sizeof(err));
  if (!c->qlog) {
    log_warn("%s", err);
    return -1;
  }
  return 0;
}

static void io_qlog_write(quic_conn *qc, const void *data, size_t len, bool fin, void *ud) {
  (void)qc;
  client *c = ud;
  qlog_file_write(c->qlog, data, len, fin);
}

static const quic_io_ops client_io_ops = {
    .send_packet = io_send_packet,
    .qlog_open = io_qlog_open,
    .qlog_write = io_qlog_write,
};

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
  client_after_event(c);
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
  client_after_event(c);
  return 0;
}

int client_on_ping_timer(sd_event_source *es, uint64_t usec, void *ud) {
  (void)es;
  (void)usec;
  client *c = ud;
  pinger_tick(&c->pg, client_now_ns());
  if (c->qc)
    quic_conn_write(c->qc, client_now_ns());
  client_after_event(c);
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
  client_after_event(c);
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
      !wt_conn_connect_with(c->wc, c->o.url.authority, c->o.url.path, NULL,
                            c->authorization)) {
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
      client_after_event(c);
      return;
    }
    snprintf(c->last_error, sizeof(c->last_error), "%s", c->broken_reason);
    client_conn_close(c);
  }
  client_cycle_failed(c, c->last_error[0] ? c->last_error : "no address to connect to");
}

static void on_resolved(void *ud, const resolver_result *res) {
  client *c = ud;
  c->res = NULL;
  if (c->restart_after_resolve) {
    /* a reload happened meanwhile: this answer is for the old settings */
    c->restart_after_resolve = false;
    client_start_cycle(c);
    return;
  }
  if (res->error || res->n == 0) {
    char m[400];
    snprintf(m, sizeof(m), "%s: %s", c->o.url.host,
             res->error ? gai_strerror(res->error) : "no address");
    client_cycle_failed(c, m);
    return;
  }
  c->addrs = *res;
  c->next_addr = 0;
  c->last_error[0] = '\0';
  try_next(c);
}

/* client_start_cycle resolves the server's name (every time: it may have moved)
 * and tries its addresses. */
void client_start_cycle(client *c) {
  if (c->disc && client_targets_choose(c) != 0)
    return; /* waiting for discovery; it starts the cycle again */
  c->state = CS_RESOLVING;
  c->res = resolver_start(c->ev, c->o.url.host, c->o.url.port, on_resolved, c);
  if (!c->res)
    client_cycle_failed(c, "cannot start name resolution");
  client_notify_status(c);
}

/* client_after_event runs after every event of a connection: it notices a broken
 * or finished connection (never from inside ngtcp2's callbacks) and re-arms
 * the timers. */
void client_after_event(client *c) {
  if (c->state == CS_DONE || !c->qc)
    return;
  if (!c->broken) {
    quic_end end = quic_conn_end(c->qc);
    if (c->state == CS_FINISHING && (end != QUIC_END_NONE || quic_conn_is_dead(c->qc))) {
      client_conn_close(c);
      client_done(c);
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
    client_conn_close(c);
    c->server_draining = false;
    if (c->state == CS_FINISHING) {
      client_done(c);
    } else if (was_connected) {
      client_connection_lost(c, reason, immediate);
    } else {
      snprintf(c->last_error, sizeof(c->last_error), "%s", reason);
      if (!fatal && c->next_addr < c->addrs.n)
        try_next(c);
      else
        client_cycle_failed(c, reason);
    }
    return;
  }
  uint64_t t = quic_conn_expiry(c->qc), w = wt_conn_expiry(c->wc);
  client_arm(c->conn_timer, w < t ? w : t);
  if (c->state == CS_CONNECTED) {
    if (pinger_done(&c->pg)) {
      client_begin_finish(c);
      return;
    }
    client_arm(c->ping_timer, pinger_next_event(&c->pg));
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
  client_after_event(c);
  return 0;
}
