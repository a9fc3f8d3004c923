/* The server's I/O layer: UDP listeners and timers on sd-event, packet
 * demultiplexing by connection ID, connection lifetime, signals. Protocol
 * logic lives in quic/, wt/ and ping/. */
#include "server/server.h"
#include "server/server_advertise.h"
#include "server/server_internal.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <gnutls/crypto.h>
#include <gnutls/x509.h>
#include <ngtcp2/ngtcp2_crypto.h>
#include <systemd/sd-daemon.h>
#include <systemd/sd-event.h>

#include "common/addr.h"
#include "common/default_path.h"
#include "common/log.h"
#include "common/secret_file.h"
#include "common/timer_slack.h"
#include "ping/ping_service.h"
#include "quic/quic_cidmap.h"
#include "quic/quic_conn.h"
#include "quic/quic_tls.h"
#include "server/reset_secret.h"
#include "server/server_access.h"
#include "server/server_cert.h"
#include "server/udp.h"
#include "wt/wt_conn.h"

#define RX_ROUNDS 2              /* recvmmsg batches per wakeup, then yield */
#define RESET_RATE_PER_SEC 100   /* stateless resets */
#define SHUTDOWN_GRACE_NS (3 * NGTCP2_SECONDS)

uint64_t server_now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * NGTCP2_SECONDS + (uint64_t)ts.tv_nsec;
}

/* ------------------------------------------------------------ TLS */

srv_tls *server_tls_load(const server_opts *o, char *err, size_t errlen) {
  srv_tls *t = calloc(1, sizeof(*t));
  if (!t) {
    snprintf(err, errlen, "out of memory");
    return NULL;
  }
  /* the private key: a systemd credential "key" first (not for
   * self-made certificates, whose keys rotate); a file others can read is
   * refused (docs/security.md) */
  char key[SERVER_PATH_MAX + 64];
  bool from_cred;
  if (secret_file_resolve(o->cert_self ? NULL : getenv("CREDENTIALS_DIRECTORY"), "key",
                          o->key_file, key, sizeof(key), &from_cred) != 0) {
    snprintf(err, errlen, "key: path too long");
    free(t);
    return NULL;
  }
  if (!from_cred && key[0] && secret_file_check(key, err, errlen) != 0) {
    free(t);
    return NULL;
  }
  if (quic_tls_server_load(&t->t, o->cert_file, key, err, errlen) != 0) {
    free(t);
    return NULL;
  }
  if (o->client_ca[0] &&
      quic_tls_server_set_client_auth(&t->t, o->client_ca,
                                       o->client_cert_optional ? QUIC_TLS_CLIENT_AUTH_OPTIONAL
                                                               : QUIC_TLS_CLIENT_AUTH_REQUIRE,
                                       err, errlen) != 0) {
    quic_tls_server_free(&t->t);
    free(t);
    return NULL;
  }
  t->refs = 1;
  gnutls_datum_t der;
  gnutls_x509_crt_t crt;
  if (gnutls_certificate_get_crt_raw(t->t.cred, 0, 0, &der) == 0 &&
      gnutls_x509_crt_init(&crt) == 0) {
    t->has_info = gnutls_x509_crt_import(crt, &der, GNUTLS_X509_FMT_DER) == 0 &&
                  cert_info_get(crt, &t->info) == 0;
    gnutls_x509_crt_deinit(crt);
  }
  return t;
}

void server_tls_unref(srv_tls *t) {
  if (t && --t->refs == 0) {
    quic_tls_server_free(&t->t);
    free(t);
  }
}

void server_tls_install(server *s, srv_tls *t) {
  server_tls_unref(s->tls);
  s->tls = t; /* existing connections keep the credentials they started with */
}

/* ------------------------------------------------------------ connections */

static void conn_free(srv_conn *c) {
  server *s = c->srv;
  if (c->dirty) { /* not reached today: the dirty list is emptied before any free */
    for (srv_conn **pp = &s->dirty; *pp; pp = &(*pp)->dirty_next)
      if (*pp == c) {
        *pp = c->dirty_next;
        break;
      }
  }
  if (c->odcid.datalen)
    quic_cidmap_remove(s->cids, c->odcid.data, c->odcid.datalen);
  wt_conn_free(c->wc);
  quic_conn_free(c->qc); /* retires its CIDs from the map, ends the qlog */
  qlog_file_close(c->qlog);
  sd_event_source_disable_unref(c->timer);
  server_tls_unref(c->tls);
  if (c->prev)
    c->prev->next = c->next;
  else
    s->conns = c->next;
  if (c->next)
    c->next->prev = c->prev;
  s->nconns--;
  if (!c->identity_checked)
    s->half_open--;
  source_limit_release(&s->sources, &c->source);
  free(c);
  if (s->shutting_down && s->nconns == 0)
    sd_event_exit(s->ev, 0);
}

/* conn_update frees a dead connection or re-arms its timer. Returns false
 * when |c| was freed. */
static bool conn_update(srv_conn *c) {
  if (quic_conn_is_dead(c->qc)) {
    if (!c->identity_checked) {
      /* a handshake that failed: with mutual TLS, usually a client without
       * an acceptable certificate (the alert says which); no secret here */
      char why[256], addr[ADDR_STRLEN];
      const ngtcp2_path *p = quic_conn_path(c->qc);
      quic_conn_describe_end(c->qc, why, sizeof(why));
      if (c->srv->opts.client_ca[0])
        log_notice("handshake with %s failed: %s",
                   p ? addr_format((const struct sockaddr *)p->remote.addr, addr, sizeof(addr))
                     : "?",
                   why);
      else
        log_debug("handshake failed: %s", why);
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
  /* sd-event counts microseconds on CLOCK_MONOTONIC, as we do in ns. */
  uint64_t usec = timer_slack_usec(t, quic_conn_now(c->qc));
  if (usec == c->timer_usec)
    return true; /* armed for that already: no prioq update, no timerfd_settime */
  sd_event_source_set_time(c->timer, usec);
  sd_event_source_set_enabled(c->timer, SD_EVENT_ONESHOT);
  c->timer_usec = usec;
  return true;
}

/* tx_flush sends the packets waiting in the batch. */
static void tx_flush(server *s) {
  if (s->ntx == 0)
    return;
  listener *l = s->tx_l;
  int r = udp_send_batch(l->fd, s->tx, s->ntx, l->wildcard);
  if (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
    log_debug("sendmmsg: %s", strerror(errno));
  s->ntx = 0;
}

static void batch_begin(server *s) { s->batching = true; }

static void batch_end(server *s) {
  tx_flush(s);
  s->batching = false;
}

static int on_conn_timer(sd_event_source *es, uint64_t usec, void *ud) {
  (void)es;
  (void)usec;
  srv_conn *c = ud;
  server *s = c->srv;
  c->timer_usec = UINT64_MAX; /* a oneshot timer that fired is off */
  uint64_t now = server_now_ns();
  batch_begin(s);
  wt_conn_timeout(c->wc, now);
  quic_conn_timeout(c->qc, now);
  conn_update(c);
  batch_end(s);
  return 0;
}

static void io_send_packet(quic_conn *qc, const ngtcp2_path *path, uint32_t ecn,
                           const uint8_t *data, size_t len, void *ud) {
  (void)qc;
  (void)ecn;
  srv_conn *c = ud;
  listener *l = c->l;
  server *s = c->srv;
  if (s->batching && len <= TX_BUF_SIZE && path->remote.addrlen <= sizeof(struct sockaddr_storage) &&
      path->local.addrlen <= sizeof(struct sockaddr_storage)) {
    if (s->ntx == UDP_BATCH || (s->ntx && s->tx_l != l))
      tx_flush(s);
    udp_msg *m = &s->tx[s->ntx++];
    s->tx_l = l;
    memcpy(m->data, data, len);
    m->len = len;
    memcpy(&m->remote, path->remote.addr, path->remote.addrlen);
    m->remotelen = path->remote.addrlen;
    memcpy(&m->local, path->local.addr, path->local.addrlen);
    m->locallen = path->local.addrlen;
    return;
  }
  if (udp_send(l->fd, (const struct sockaddr *)path->local.addr,
               (const struct sockaddr *)path->remote.addr, path->remote.addrlen, data, len,
               l->wildcard) != 0 &&
      errno != EAGAIN && errno != EWOULDBLOCK)
    log_debug("sendmsg: %s", strerror(errno));
}

static int io_new_cid(quic_conn *qc, const ngtcp2_cid *cid, void *ud) {
  (void)qc;
  srv_conn *c = ud;
  return quic_cidmap_insert(c->srv->cids, cid->data, cid->datalen, c) == 0 ? 0 : -1;
}

static void io_retire_cid(quic_conn *qc, const ngtcp2_cid *cid, void *ud) {
  (void)qc;
  srv_conn *c = ud;
  if (quic_cidmap_find(c->srv->cids, cid->data, cid->datalen) == c)
    quic_cidmap_remove(c->srv->cids, cid->data, cid->datalen);
}

static int io_qlog_open(quic_conn *qc, const ngtcp2_cid *odcid, bool server_role, void *ud) {
  (void)qc;
  srv_conn *c = ud;
  const char *dir = c->srv->opts.qlog_dir;
  if (!dir[0])
    return -1;
  char err[512];
  c->qlog = qlog_file_open(dir, odcid->data, odcid->datalen, server_role ? "server" : "client",
                           err, sizeof(err));
  if (!c->qlog) {
    log_warn("%s", err);
    return -1;
  }
  return 0;
}

static void io_qlog_write(quic_conn *qc, const void *data, size_t len, bool fin, void *ud) {
  (void)qc;
  srv_conn *c = ud;
  qlog_file_write(c->qlog, data, len, fin);
}

static const quic_io_ops server_io_ops = {
    .send_packet = io_send_packet,
    .new_cid = io_new_cid,
    .retire_cid = io_retire_cid,
    .qlog_open = io_qlog_open,
    .qlog_write = io_qlog_write,
};

static srv_conn *conn_accept(server *s, listener *l, const ngtcp2_pkt_hd *hd,
                             const ngtcp2_cid *odcid, const ngtcp2_path *path, uint64_t now) {
  if (s->nconns >= s->opts.max_connections) {
    log_debug("connection limit (%u) reached: dropping an Initial", s->opts.max_connections);
    s->refused_connections++;
    return NULL;
  }
  source_key key;
  if (source_key_from_addr((const struct sockaddr *)path->remote.addr, &key) != 0)
    return NULL;
  source_verdict sv = source_limit_admit(&s->sources, &key, now);
  if (sv != SOURCE_OK) {
    log_debug("dropping an Initial: %s", source_verdict_str(sv));
    if (sv == SOURCE_TOO_MANY_CONNS)
      s->refused_per_source++;
    else if (sv == SOURCE_TOO_FAST)
      s->refused_handshake_rate++;
    else
      s->refused_source_table++;
    return NULL;
  }
  srv_conn *c = calloc(1, sizeof(*c));
  if (!c) {
    source_limit_release(&s->sources, &key);
    return NULL;
  }
  c->source = key;
  c->srv = s;
  c->l = l;
  c->tls = s->tls;
  c->tls->refs++;
  c->accepted_ns = now;
  c->timer_usec = UINT64_MAX;
  c->qc = quic_conn_server_new_retried(&s->qcfg, &c->tls->t, hd, odcid, path, now,
                                       &server_io_ops, c);
  if (!c->qc)
    goto fail;
  c->wc = wt_conn_new(&s->wcfg, c->qc, ping_service_ops(), &s->ping);
  if (!c->wc)
    goto fail;
  if (s->draining)
    wt_conn_refuse_sessions(c->wc);
  if (sd_event_add_time(s->ev, &c->timer, CLOCK_MONOTONIC, UINT64_MAX, 1, on_conn_timer, c) < 0)
    goto fail;
  /* Chromium's ClientHello spans two Initial packets: the second one still
   * carries the client's original DCID. */
  if (quic_cidmap_insert(s->cids, hd->dcid.data, hd->dcid.datalen, c) == 0)
    c->odcid = hd->dcid;
  c->next = s->conns;
  if (s->conns)
    s->conns->prev = c;
  s->conns = c;
  s->nconns++;
  s->half_open++;
  s->connections_total++;
  return c;
fail:
  wt_conn_free(c->wc);
  quic_conn_free(c->qc);
  qlog_file_close(c->qlog);
  sd_event_source_unref(c->timer);
  server_tls_unref(c->tls);
  source_limit_release(&s->sources, &c->source);
  free(c);
  return NULL;
}

/* handshake_done notes, once, that the handshake of |c| completed (the
 * client certificate, if any, is judged by wt_conn at the first request). */
static void handshake_done(server *s, srv_conn *c) {
  if (c->identity_checked || !quic_conn_handshake_completed(c->qc))
    return;
  c->identity_checked = true;
  s->half_open--;
}

/* ------------------------------------------------------------ packets */

static void send_version_negotiation(server *s, listener *l, const ngtcp2_version_cid *vc,
                                     const struct sockaddr_storage *local,
                                     const struct sockaddr_storage *remote, socklen_t rlen) {
  uint8_t rnd;
  (void)gnutls_rnd(GNUTLS_RND_NONCE, &rnd, 1);
  uint32_t sv[] = {NGTCP2_PROTO_VER_V1};
  ngtcp2_ssize n = ngtcp2_pkt_write_version_negotiation(s->txbuf, sizeof(s->txbuf), rnd, vc->scid,
                                                        vc->scidlen, vc->dcid, vc->dcidlen, sv, 1);
  if (n > 0)
    udp_send(l->fd, (const struct sockaddr *)local, (const struct sockaddr *)remote, rlen,
             s->txbuf, (size_t)n, l->wildcard);
}

/* Retry tokens are valid this long (a round trip, generously). */
#define RETRY_TOKEN_TIMEOUT (10 * NGTCP2_SECONDS)

/* retry_wanted: Retry always, or (auto) while retry_threshold handshakes
 * are half open - a sign of a flood, possibly from spoofed addresses. */
static bool retry_wanted(const server *s) {
  return s->opts.retry == SERVER_RETRY_ALWAYS ||
         (s->opts.retry == SERVER_RETRY_AUTO && s->half_open >= s->opts.retry_threshold);
}

/* send_retry answers the Initial |hd| with a Retry carrying a token that
 * binds the client's address and its original DCID (ngtcp2's format,
 * encrypted with a key derived from the server's secret). A Retry is
 * smaller than the Initial that caused it: no amplification. */
static void send_retry(server *s, listener *l, const ngtcp2_pkt_hd *hd,
                       const struct sockaddr_storage *local,
                       const struct sockaddr_storage *remote, socklen_t rlen, uint64_t now) {
  ngtcp2_cid scid;
  scid.datalen = QUIC_SCID_LEN;
  if (gnutls_rnd(GNUTLS_RND_NONCE, scid.data, scid.datalen) != 0)
    return;
  uint8_t token[NGTCP2_CRYPTO_MAX_RETRY_TOKENLEN];
  ngtcp2_ssize tl = ngtcp2_crypto_generate_retry_token(
      token, s->secret, sizeof(s->secret), hd->version, (const ngtcp2_sockaddr *)remote, rlen,
      &scid, &hd->dcid, now);
  if (tl < 0)
    return;
  ngtcp2_ssize n = ngtcp2_crypto_write_retry(s->txbuf, sizeof(s->txbuf), hd->version, &hd->scid,
                                             &scid, &hd->dcid, token, (size_t)tl);
  if (n <= 0)
    return;
  udp_send(l->fd, (const struct sockaddr *)local, (const struct sockaddr *)remote, rlen, s->txbuf,
           (size_t)n, l->wildcard);
  s->retries_sent++;
}

static void send_stateless_reset(server *s, listener *l, const uint8_t *dcid, size_t dcidlen,
                                 size_t pktlen, const struct sockaddr_storage *local,
                                 const struct sockaddr_storage *remote, socklen_t rlen,
                                 uint64_t now) {
  /* Only for packets big enough that the reset can be smaller (RFC 9000
   * 10.3.3), and at a bounded rate. */
  if (pktlen < QUIC_SCID_LEN + 22 || dcidlen != QUIC_SCID_LEN)
    return;
  if (now - s->reset_window >= NGTCP2_SECONDS) {
    s->reset_window = now;
    s->resets_in_window = 0;
  }
  if (s->resets_in_window >= RESET_RATE_PER_SEC)
    return;
  s->resets_in_window++;
  ngtcp2_cid cid;
  ngtcp2_cid_init(&cid, dcid, dcidlen);
  uint8_t token[NGTCP2_STATELESS_RESET_TOKENLEN];
  if (ngtcp2_crypto_generate_stateless_reset_token(token, s->secret, sizeof(s->secret), &cid) != 0)
    return;
  size_t randlen = pktlen - 1 - NGTCP2_STATELESS_RESET_TOKENLEN - 1;
  if (randlen > 40)
    randlen = 40;
  if (randlen < NGTCP2_MIN_STATELESS_RESET_RANDLEN)
    return;
  uint8_t rnd[40];
  (void)gnutls_rnd(GNUTLS_RND_NONCE, rnd, randlen);
  ngtcp2_ssize n = ngtcp2_pkt_write_stateless_reset(s->txbuf, sizeof(s->txbuf), token, rnd,
                                                    randlen);
  if (n > 0)
    udp_send(l->fd, (const struct sockaddr *)local, (const struct sockaddr *)remote, rlen,
             s->txbuf, (size_t)n, l->wildcard);
}

static void handle_packet(server *s, listener *l, const uint8_t *data, size_t len,
                          struct sockaddr_storage *local, socklen_t locallen,
                          struct sockaddr_storage *remote, socklen_t remotelen, uint64_t now) {
  ngtcp2_version_cid vc;
  int rv = ngtcp2_pkt_decode_version_cid(&vc, data, len, QUIC_SCID_LEN);
  if (rv == NGTCP2_ERR_VERSION_NEGOTIATION) {
    if (!s->shutting_down)
      send_version_negotiation(s, l, &vc, local, remote, remotelen);
    return;
  }
  if (rv != 0) {
    s->packets_dropped++;
    return;
  }
  ngtcp2_path path = {
      .local = {.addr = (ngtcp2_sockaddr *)local, .addrlen = locallen},
      .remote = {.addr = (ngtcp2_sockaddr *)remote, .addrlen = remotelen},
  };
  srv_conn *c = quic_cidmap_find(s->cids, vc.dcid, vc.dcidlen);
  if (!c) {
    if (!(data[0] & 0x80)) { /* short header: an unknown connection */
      send_stateless_reset(s, l, vc.dcid, vc.dcidlen, len, local, remote, remotelen, now);
      return;
    }
    if (s->shutting_down)
      return;
    ngtcp2_pkt_hd hd;
    if (ngtcp2_accept(&hd, data, len) != 0) {
      s->packets_dropped++;
      return;
    }
    ngtcp2_cid odcid;
    bool retried = false;
    if (hd.token.len > 0 && hd.token.base[0] == NGTCP2_CRYPTO_TOKEN_MAGIC_RETRY) {
      /* the answer to our Retry: the address is proven if the token is ours */
      if (ngtcp2_crypto_verify_retry_token(&odcid, hd.token.base, hd.token.len, s->secret,
                                           sizeof(s->secret), hd.version,
                                           (const ngtcp2_sockaddr *)remote, remotelen, &hd.dcid,
                                           RETRY_TOKEN_TIMEOUT, now) != 0) {
        s->retry_tokens_invalid++;
        return;
      }
      retried = true;
    } else if (retry_wanted(s)) {
      send_retry(s, l, &hd, local, remote, remotelen, now);
      return;
    }
    c = conn_accept(s, l, &hd, retried ? &odcid : NULL, &path, now);
    if (!c)
      return;
  }
  c->l = l;
  s->ping.now_ns = now; /* for ping_service's per-session datagram rate */
  quic_conn_read(c->qc, &path, 0, data, len, now);
  handshake_done(s, c);
  if (!c->dirty) { /* written once, after the whole batch was read */
    c->dirty = true;
    c->dirty_next = s->dirty;
    s->dirty = c;
  }
}

/* write_dirty writes each connection that read packets in this batch, once:
 * replies and ACKs for several packets share datagrams. */
static void write_dirty(server *s, uint64_t now) {
  while (s->dirty) {
    srv_conn *c = s->dirty;
    s->dirty = c->dirty_next;
    c->dirty = false;
    c->dirty_next = NULL;
    quic_conn_write(c->qc, now);
    conn_update(c);
  }
}

static int on_readable(sd_event_source *es, int fd, uint32_t revents, void *ud) {
  (void)es;
  (void)revents;
  listener *l = ud;
  server *s = l->srv;
  batch_begin(s);
  for (int round = 0; round < RX_ROUNDS; round++) {
    int n = udp_recv_batch(fd, &l->addr, &s->rx);
    if (n < 0) {
      if (errno != EAGAIN && errno != EWOULDBLOCK)
        log_warn("recvmmsg: %s", strerror(errno));
      break;
    }
    uint64_t now = server_now_ns();
    for (int i = 0; i < n; i++) {
      udp_msg *m = &s->rx.msg[i];
      if (m->len)
        handle_packet(s, l, m->data, m->len, &m->local, m->locallen, &m->remote, m->remotelen,
                      now);
    }
    write_dirty(s, now);
    if (n < UDP_BATCH)
      break; /* the socket is drained: no extra recvmmsg that ends in EAGAIN */
  }
  batch_end(s);
  return 0;
}

/* ------------------------------------------------------------ signals */

static int on_shutdown_timer(sd_event_source *es, uint64_t usec, void *ud) {
  (void)es;
  (void)usec;
  server *s = ud;
  log_notice("shutdown grace period over: dropping %u connection(s)", s->nconns);
  sd_event_exit(s->ev, 0);
  return 0;
}

static void notify_status(server *s, bool force);

void server_drain(server *s) {
  if (s->draining)
    return;
  s->draining = true;
  log_notice("draining: GOAWAY to %u connection(s), new sessions refused", s->nconns);
  server_advertise_withdraw(s); /* new clients should not find a draining server */
  uint64_t now = server_now_ns();
  for (srv_conn *c = s->conns, *next; c; c = next) {
    next = c->next;
    wt_conn_goaway(c->wc);
    quic_conn_write(c->qc, now);
    conn_update(c);
  }
  notify_status(s, true);
}

static void apply_settings(server *s) {
  s->qcfg.idle_timeout = (uint64_t)s->opts.idle_timeout_s * NGTCP2_SECONDS;
  s->qcfg.debug = s->opts.quic_debug;
  s->wcfg.path = s->opts.path;
  s->wcfg.max_sessions = s->opts.max_sessions;
  s->wcfg.access = s->access;
  s->wcfg.access_refused = &s->refused_access;
  s->wcfg.cert_refused = &s->refused_client_cert;
  s->qcfg.handshake_timeout = (uint64_t)s->opts.handshake_timeout_s * NGTCP2_SECONDS;
  s->qcfg.max_streams_bidi = s->opts.max_streams;
  s->qcfg.max_streams_uni = s->opts.max_streams;
  s->qcfg.stream_window = s->opts.stream_buffer;
  s->qcfg.conn_window = s->opts.connection_buffer;
  s->ping.datagrams_per_second = s->opts.datagrams_per_second;
  source_limit_set(&s->sources, s->opts.max_connections_per_source,
                   s->opts.handshakes_per_second);
  log_set_level(s->opts.log_level);
}

static bool same_listeners(const server_opts *a, const server_opts *b) {
  if (a->nlisten != b->nlisten)
    return false;
  for (unsigned i = 0; i < a->nlisten; i++)
    if (a->listen[i].addrlen != b->listen[i].addrlen ||
        memcmp(&a->listen[i].addr, &b->listen[i].addr, a->listen[i].addrlen) != 0)
      return false;
  return true;
}

/* log_access says which access policy is in force (never a token). */
static void log_access(const server *s, const char *token_source) {
  const h3_access *a = s->access;
  if (a->origin_any)
    log_info("origins: any");
  else
    log_info("origins: %u listed%s%s", (unsigned)a->norigins, a->origin_self ? " and self" : "",
             a->origin_file ? " and local files" : "");
  if (a->ntokens)
    log_info("bearer tokens: %zu from %s", a->ntokens, token_source);
  else
    log_info("bearer tokens: none required");
}

int server_reload(server *s, char *err, size_t errlen) {
  server_opts *n = malloc(sizeof(*n));
  if (!n) {
    snprintf(err, errlen, "out of memory");
    return -1;
  }
  bool test_only;
  int r = server_settings(n, s->argc, s->argv, &test_only, err, errlen);
  if (r != OPTS_RUN) {
    if (r != OPTS_EXIT_CONFIG)
      snprintf(err, errlen, "the command line no longer parses");
    free(n);
    return -1;
  }
  /* file mode: the certificate is loaded now, and a bad one fails the
   * reload; self-rotating: a worker thread makes what is due and loads it
   * (server_certs_reloaded); new connections get the current one until
   * the loop installs the result */
  srv_tls *t = NULL;
  if (server_certs_check(n, err, errlen) != 0 ||
      (!n->cert_self && !(t = server_tls_load(n, err, errlen)))) {
    free(n);
    return -1;
  }
  h3_access *acc = malloc(sizeof(*acc));
  char source[SERVER_PATH_MAX + 64];
  if (!acc || server_access_load(n, getenv("CREDENTIALS_DIRECTORY"), acc, source, sizeof(source),
                                 err, errlen) != 0) {
    if (!acc)
      snprintf(err, errlen, "out of memory");
    free(acc);
    server_tls_unref(t);
    free(n);
    return -1;
  }
  /* in place: connections hold a pointer to it, and new sessions on them
   * follow the new policy at once (a revoked token stops working) */
  *s->access = *acc;
  free(acc);
  log_access(s, source);
  if (!same_listeners(&s->opts, n))
    log_warn("reload: listen addresses changed: they take effect at the next restart");
  if (strcmp(s->opts.control_socket, n->control_socket) != 0 ||
      s->opts.control_mode != n->control_mode)
    log_warn("reload: control socket changes take effect at the next restart");
  /* keep what cannot change without a restart */
  memcpy(n->listen, s->opts.listen, sizeof(n->listen));
  n->nlisten = s->opts.nlisten;
  memcpy(n->control_socket, s->opts.control_socket, sizeof(n->control_socket));
  n->control_mode = s->opts.control_mode;
  s->opts = *n;
  free(n);
  if (t)
    server_tls_install(s, t);
  apply_settings(s);
  server_certs_reloaded(s);
  server_certs_arm(s);
  server_advertise_apply(s);
  return 0;
}

static void do_reload(server *s) {
  sd_notify(0, "RELOADING=1\nSTATUS=reloading the configuration");
  char err[512];
  if (server_reload(s, err, sizeof(err)) != 0)
    log_err("reload failed, keeping the old configuration: %s", err);
  else
    log_notice("configuration reloaded%s%s", s->opts.config_file[0] ? " from " : "",
               s->opts.config_file);
  s->status_line[0] = '\0';
  notify_status(s, true); /* READY=1 again */
}

static int on_sighup(sd_event_source *es, const struct signalfd_siginfo *si, void *ud) {
  (void)es;
  (void)si;
  do_reload(ud);
  return 0;
}

static int on_signal(sd_event_source *es, const struct signalfd_siginfo *si, void *ud) {
  (void)es;
  server *s = ud;
  if (s->shutting_down) {
    log_notice("second signal: exiting now");
    sd_event_exit(s->ev, 0);
    return 0;
  }
  s->shutting_down = true;
  sd_notify(0, "STOPPING=1\nSTATUS=shutting down");
  server_advertise_withdraw(s);
  log_notice("%s: closing %u connection(s)", strsignal((int)si->ssi_signo), s->nconns);
  uint64_t now = server_now_ns();
  /* GOAWAY, CLOSE_WEBTRANSPORT_SESSION to every session, then
   * CONNECTION_CLOSE once they are answered or after a bounded wait. */
  for (srv_conn *c = s->conns, *next; c; c = next) {
    next = c->next;
    wt_conn_shutdown(c->wc, PING_CLOSE_GOING_AWAY, "server shutting down", now);
    quic_conn_write(c->qc, now);
    conn_update(c);
  }
  if (s->nconns == 0) {
    sd_event_exit(s->ev, 0);
    return 0;
  }
  sd_event_add_time_relative(s->ev, &s->shutdown_timer, CLOCK_MONOTONIC,
                             SHUTDOWN_GRACE_NS / 1000, 0, on_shutdown_timer, s);
  return 0;
}

/* ------------------------------------------------------------ run */

static void notify_status(server *s, bool force) {
  char line[256];
  snprintf(line, sizeof(line),
           "%s%u session(s), %u connection(s), %" PRIu64 " stream + %" PRIu64
           " datagram pings answered",
           s->draining ? "draining: " : "", (unsigned)s->ping.st.sessions_now, s->nconns,
           s->ping.st.stream_pings, s->ping.st.datagram_pings);
  if (!force && strcmp(line, s->status_line) == 0)
    return;
  memcpy(s->status_line, line, sizeof(line));
  sd_notifyf(0, "%sSTATUS=%s", force ? "READY=1\n" : "", line);
}

static int on_status_timer(sd_event_source *es, uint64_t usec, void *ud) {
  server *s = ud;
  notify_status(s, false);
  sd_event_source_set_time(es, usec + 1000000);
  return 0;
}

static int setup(server *s) {
  char err[512];
  if (server_certs_prepare(s, &s->opts, err, sizeof(err)) != 0) {
    log_err("%s", err);
    return -1;
  }
  s->tls = server_tls_load(&s->opts, err, sizeof(err));
  if (!s->tls) {
    log_err("%s", err);
    return -1;
  }
  char source[SERVER_PATH_MAX + 64];
  s->access = malloc(sizeof(*s->access));
  if (!s->access) {
    log_err("out of memory");
    return -1;
  }
  if (server_access_load(&s->opts, getenv("CREDENTIALS_DIRECTORY"), s->access, source,
                         sizeof(source), err, sizeof(err)) != 0) {
    log_err("%s", err);
    return -1;
  }
  log_access(s, source);
  /* A source build's default (under /usr/local/var) usually has no
   * directory: say so once instead of failing to create the file. */
  char nodir[sizeof(s->opts.reset_secret)];
  bool no_secret_dir = default_path_dir_missing(s->opts.reset_secret, SERVER_DEFAULT_RESET_SECRET,
                                                nodir, sizeof(nodir));
  switch (reset_secret_load(getenv("CREDENTIALS_DIRECTORY"),
                            no_secret_dir ? "" : s->opts.reset_secret, s->secret, err,
                            sizeof(err))) {
  case RESET_SECRET_CREDENTIAL_FILE:
    log_info("stateless reset secret from the systemd credential");
    break;
  case RESET_SECRET_FILE:
    log_info("stateless reset secret from %s", s->opts.reset_secret);
    break;
  case RESET_SECRET_CREATED:
    log_notice("created the stateless reset secret %s", s->opts.reset_secret);
    break;
  case RESET_SECRET_EPHEMERAL:
    if (no_secret_dir)
      log_notice("stateless reset secret: a new one for this run, as the default directory %s "
                 "does not exist (set reset_secret or --reset-secret to keep one across "
                 "restarts)",
                 nodir);
    else
      log_info("stateless reset secret: a new one for this run");
    break;
  default:
    log_warn("stateless reset secret: %s (using one for this run only: clients of a restarted "
             "server will wait for their idle timeout)",
             err);
    break;
  }
  uint8_t key[16];
  if (gnutls_rnd(GNUTLS_RND_KEY, key, sizeof(key)) != 0 || !(s->cids = quic_cidmap_new(key))) {
    log_err("out of memory");
    return -1;
  }
  udp_rx_batch_init(&s->rx, &s->rxbufs[0][0], RX_BUF_SIZE);
  for (unsigned i = 0; i < UDP_BATCH; i++)
    s->tx[i].data = s->txbufs[i];
  quic_conn_config_default(&s->qcfg);
  s->qcfg.static_secret = s->secret;
  s->qcfg.txbuf = s->txbuf;
  s->qcfg.txbuflen = sizeof(s->txbuf);
  wt_conn_config_default(&s->wcfg);
  s->wcfg.server = true;
  /* one entry per connection, plus sources that only tried recently */
  uint8_t hkey[16];
  if (gnutls_rnd(GNUTLS_RND_KEY, hkey, sizeof(hkey)) != 0 ||
      source_limit_init(&s->sources, 2 * (size_t)s->opts.max_connections + 1024, hkey, 0, 0) !=
          0) {
    log_err("out of memory");
    return -1;
  }
  apply_settings(s);

  int r = sd_event_new(&s->ev);
  if (r < 0) {
    log_err("sd_event_new: %s", strerror(-r));
    return -1;
  }
  sigset_t mask;
  sigemptyset(&mask);
  sigaddset(&mask, SIGTERM);
  sigaddset(&mask, SIGINT);
  sigaddset(&mask, SIGHUP);
  sigprocmask(SIG_BLOCK, &mask, NULL);
  signal(SIGPIPE, SIG_IGN);
  if (sd_event_add_signal(s->ev, NULL, SIGTERM, on_signal, s) < 0 ||
      sd_event_add_signal(s->ev, NULL, SIGINT, on_signal, s) < 0 ||
      sd_event_add_signal(s->ev, NULL, SIGHUP, on_sighup, s) < 0) {
    log_err("cannot install signal handlers");
    return -1;
  }
  /* Socket activation (wtping-server.socket): systemd keeps the UDP
   * ports bound across restarts; then the listen setting is not used. */
  int nfds = sd_listen_fds(1);
  if (nfds < 0)
    log_warn("sd_listen_fds: %s", strerror(-nfds));
  if (nfds > SERVER_MAX_LISTEN) {
    log_err("%d sockets passed by systemd, at most %d are used", nfds, SERVER_MAX_LISTEN);
    return -1;
  }
  unsigned nlisten = nfds > 0 ? (unsigned)nfds : s->opts.nlisten;
  if (nfds > 0)
    log_notice("using %d socket(s) passed by systemd (socket activation)", nfds);
  for (unsigned i = 0; i < nlisten; i++) {
    listener *l = &s->listeners[i];
    l->srv = s;
    if (nfds > 0) {
      l->fd = SD_LISTEN_FDS_START + (int)i;
      if (sd_is_socket(l->fd, AF_UNSPEC, SOCK_DGRAM, -1) <= 0) {
        log_err("socket %d passed by systemd is not a datagram socket", l->fd);
        return -1;
      }
      if (udp_adopt(l->fd, &l->addr, &l->addrlen, err, sizeof(err)) != 0) {
        log_err("%s", err);
        return -1;
      }
    } else {
      l->addr = s->opts.listen[i].addr;
      l->addrlen = s->opts.listen[i].addrlen;
      l->fd = udp_bind((struct sockaddr *)&l->addr, l->addrlen, err, sizeof(err));
      if (l->fd < 0) {
        log_err("%s", err);
        return -1;
      }
    }
    l->wildcard = udp_is_wildcard((struct sockaddr *)&l->addr);
    s->nlisteners++;
    /* learn the port when 0 was asked for */
    socklen_t alen = sizeof(l->addr);
    getsockname(l->fd, (struct sockaddr *)&l->addr, &alen);
    if (sd_event_add_io(s->ev, &l->io, l->fd, EPOLLIN, on_readable, l) < 0) {
      log_err("sd_event_add_io failed");
      return -1;
    }
    char name[ADDR_STRLEN];
    log_notice("listening on %s (path %s)", addr_format((struct sockaddr *)&l->addr, name,
                                                        sizeof(name)), s->opts.path);
  }
  char nodir_ctl[sizeof(s->opts.control_socket)];
  if (default_path_dir_missing(s->opts.control_socket, SERVER_DEFAULT_CONTROL, nodir_ctl,
                               sizeof(nodir_ctl)))
    log_notice("no control socket: the default directory %s does not exist "
               "(set control_socket or --control)",
               nodir_ctl);
  else
    server_ctl_open(s);
  server_certs_arm(s);
  server_advertise_apply(s); /* with the port really bound */
  /* WATCHDOG=1 from the loop itself, at half of WatchdogSec, when systemd
   * asks for it (WATCHDOG_USEC): a hung loop stops the pings. */
  if (sd_event_set_watchdog(s->ev, 1) < 0)
    log_warn("cannot enable the systemd watchdog");
  if (sd_event_add_time_relative(s->ev, &s->status_timer, CLOCK_MONOTONIC, 1000000, 1000,
                                 on_status_timer, s) >= 0)
    sd_event_source_set_enabled(s->status_timer, SD_EVENT_ON);
  s->started_ns = server_now_ns();
  notify_status(s, true); /* READY=1: every socket is bound */
  return 0;
}

static void teardown(server *s) {
  server_advertise_free(s);
  while (s->conns)
    conn_free(s->conns);
  for (unsigned i = 0; i < s->nlisteners; i++) {
    sd_event_source_disable_unref(s->listeners[i].io);
    close(s->listeners[i].fd);
  }
  server_ctl_close(s);
  sd_event_source_disable_unref(s->shutdown_timer);
  sd_event_source_disable_unref(s->status_timer);
  sd_event_unref(s->ev);
  quic_cidmap_free(s->cids);
  server_tls_unref(s->tls);
  server_certs_free(s);
  free(s->access);
  source_limit_free(&s->sources);
}

int server_run(const server_opts *opts, int argc, char **argv) {
  server *s = calloc(1, sizeof(*s));
  if (!s) {
    log_err("out of memory");
    return 1;
  }
  s->opts = *opts;
  s->argc = argc;
  s->argv = argv;
  int rc = 1;
  if (setup(s) == 0) {
    int r = sd_event_loop(s->ev);
    if (r < 0)
      log_err("event loop: %s", strerror(-r));
    else
      rc = 0;
    log_notice("stopped: %" PRIu64 " sessions, %" PRIu64 " stream pings, %" PRIu64
               " datagram pings answered",
               s->ping.st.sessions_total, s->ping.st.stream_pings, s->ping.st.datagram_pings);
  }
  s->shutting_down = false; /* no sd_event_exit from teardown */
  teardown(s);
  free(s);
  return rc;
}

int server_check(const server_opts *opts, char *err, size_t errlen) {
  if (opts->cert_self)
    return 0; /* the server makes its certificates when it starts */
  srv_tls *t = server_tls_load(opts, err, errlen);
  if (!t)
    return -1;
  server_tls_unref(t);
  h3_access *acc = malloc(sizeof(*acc));
  char source[SERVER_PATH_MAX + 64];
  int rv = acc ? server_access_load(opts, getenv("CREDENTIALS_DIRECTORY"), acc, source,
                                    sizeof(source), err, errlen)
               : -1;
  if (!acc)
    snprintf(err, errlen, "out of memory");
  free(acc);
  return rv;
}
