#include "quic_pair.h"

#include <arpa/inet.h>
#include <gnutls/x509.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "quic/quic_tls.h"

#define QP_SLOTS 256
#define QP_PKT 2048

typedef struct qp_queue {
  uint8_t data[QP_SLOTS][QP_PKT];
  size_t len[QP_SLOTS];
  size_t n;
} qp_queue;

struct quic_pair {
  const quic_pair_ops *ops;
  void *ud;
  quic_tls_server stls;
  quic_tls_client ctls;
  quic_tls_verify verify;
  quic_conn_config cfg;
  uint8_t secret[QUIC_STATIC_SECRET_LEN];
  uint8_t txbuf[QP_PKT];
  quic_conn *client, *server;
  struct sockaddr_in caddr, saddr;
  ngtcp2_path cpath, spath;
  uint64_t now;
  qp_queue to_server, to_client;
  char dir[64];
};

static void io_send(quic_conn *qc, const ngtcp2_path *path, uint32_t ecn, const uint8_t *data,
                    size_t len, void *ud) {
  (void)path;
  (void)ecn;
  quic_pair *p = ud;
  qp_queue *q = qc == p->client ? &p->to_server : &p->to_client;
  if (q->n == QP_SLOTS || len > QP_PKT)
    return; /* a lost packet */
  memcpy(q->data[q->n], data, len);
  q->len[q->n++] = len;
}

static const quic_io_ops pair_io = {.send_packet = io_send};

/* make_cert writes a self-signed P-256 certificate and key into p->dir. */
static int make_cert(quic_pair *p, char *cert, char *key, size_t cap) {
  gnutls_x509_privkey_t k = NULL;
  gnutls_x509_crt_t c = NULL;
  gnutls_datum_t out = {NULL, 0};
  int rv = -1;
  snprintf(p->dir, sizeof(p->dir), "/tmp/wtping-unit.XXXXXX");
  if (!mkdtemp(p->dir))
    return -1;
  snprintf(cert, cap, "%s/cert.pem", p->dir);
  snprintf(key, cap, "%s/key.pem", p->dir);
  time_t t = time(NULL);
  uint8_t serial[8] = {1, 2, 3, 4, 5, 6, 7, 8};
  if (gnutls_x509_privkey_init(&k) < 0 ||
      gnutls_x509_privkey_generate(k, GNUTLS_PK_ECDSA,
                                   GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0) < 0 ||
      gnutls_x509_crt_init(&c) < 0 || gnutls_x509_crt_set_version(c, 3) < 0 ||
      gnutls_x509_crt_set_serial(c, serial, sizeof(serial)) < 0 ||
      gnutls_x509_crt_set_activation_time(c, t - 3600) < 0 ||
      gnutls_x509_crt_set_expiration_time(c, t + 86400) < 0 ||
      gnutls_x509_crt_set_dn(c, "CN=localhost", NULL) < 0 || gnutls_x509_crt_set_key(c, k) < 0 ||
      gnutls_x509_crt_sign2(c, c, k, GNUTLS_DIG_SHA256, 0) < 0)
    goto done;
  FILE *f;
  if (gnutls_x509_crt_export2(c, GNUTLS_X509_FMT_PEM, &out) < 0 || !(f = fopen(cert, "w")))
    goto done;
  fwrite(out.data, 1, out.size, f);
  fclose(f);
  gnutls_free(out.data);
  out.data = NULL;
  if (gnutls_x509_privkey_export2(k, GNUTLS_X509_FMT_PEM, &out) < 0 || !(f = fopen(key, "w")))
    goto done;
  fwrite(out.data, 1, out.size, f);
  fclose(f);
  rv = 0;
done:
  gnutls_free(out.data);
  if (c)
    gnutls_x509_crt_deinit(c);
  if (k)
    gnutls_x509_privkey_deinit(k);
  return rv;
}

quic_pair *quic_pair_new(const quic_pair_ops *ops, void *ud) {
  quic_pair *p = calloc(1, sizeof(*p));
  if (!p)
    return NULL;
  p->ops = ops;
  p->ud = ud;
  p->now = 1000000000ULL;
  char cert[128], key[128], err[256];
  if (make_cert(p, cert, key, sizeof(cert)) != 0 ||
      quic_tls_server_load(&p->stls, cert, key, err, sizeof(err)) != 0) {
    free(p);
    return NULL;
  }
  if (quic_tls_client_init(&p->ctls, NULL, true, err, sizeof(err)) != 0) {
    quic_tls_server_free(&p->stls);
    free(p);
    return NULL;
  }
  p->verify.policy = &p->ctls;
  snprintf(p->verify.host, sizeof(p->verify.host), "localhost");
  quic_conn_config_default(&p->cfg);
  memset(p->secret, 7, sizeof(p->secret));
  p->cfg.static_secret = p->secret;
  p->cfg.txbuf = p->txbuf;
  p->cfg.txbuflen = sizeof(p->txbuf);
  p->caddr.sin_family = p->saddr.sin_family = AF_INET;
  p->caddr.sin_addr.s_addr = p->saddr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  p->caddr.sin_port = htons(50000);
  p->saddr.sin_port = htons(4433);
  p->cpath = (ngtcp2_path){.local = {(ngtcp2_sockaddr *)&p->caddr, sizeof(p->caddr)},
                           .remote = {(ngtcp2_sockaddr *)&p->saddr, sizeof(p->saddr)}};
  p->spath = (ngtcp2_path){.local = {(ngtcp2_sockaddr *)&p->saddr, sizeof(p->saddr)},
                           .remote = {(ngtcp2_sockaddr *)&p->caddr, sizeof(p->caddr)}};
  p->client = quic_conn_client_new(&p->cfg, &p->ctls, &p->verify, &p->cpath, p->now, &pair_io, p);
  if (!p->client) {
    quic_pair_free(p);
    return NULL;
  }
  return p;
}

void quic_pair_free(quic_pair *p) {
  if (!p)
    return;
  quic_conn_free(p->client);
  quic_conn_free(p->server);
  quic_tls_client_free(&p->ctls);
  quic_tls_server_free(&p->stls);
  char f[128];
  snprintf(f, sizeof(f), "%s/cert.pem", p->dir);
  unlink(f);
  snprintf(f, sizeof(f), "%s/key.pem", p->dir);
  unlink(f);
  rmdir(p->dir);
  free(p);
}

quic_conn *quic_pair_client(quic_pair *p) { return p->client; }
quic_conn *quic_pair_server(quic_pair *p) { return p->server; }
uint64_t quic_pair_now(const quic_pair *p) { return p->now; }

static void deliver_to_server(quic_pair *p) {
  qp_queue *q = &p->to_server;
  for (size_t i = 0; i < q->n; i++) {
    if (!p->server) {
      ngtcp2_pkt_hd hd;
      if (ngtcp2_accept(&hd, q->data[i], q->len[i]) != 0)
        continue;
      p->server = quic_conn_server_new(&p->cfg, &p->stls, &hd, &p->spath, p->now, &pair_io, p);
      if (!p->server)
        continue;
      if (p->ops && p->ops->on_server)
        p->ops->on_server(p, p->server, p->ud);
    }
    if (!quic_conn_is_dead(p->server))
      quic_conn_read(p->server, &p->spath, 0, q->data[i], q->len[i], p->now);
  }
  q->n = 0;
}

static void deliver_to_client(quic_pair *p) {
  qp_queue *q = &p->to_client;
  for (size_t i = 0; i < q->n; i++)
    if (!quic_conn_is_dead(p->client))
      quic_conn_read(p->client, &p->cpath, 0, q->data[i], q->len[i], p->now);
  q->n = 0;
}

static void fire(quic_conn *qc, uint64_t now) {
  if (qc && !quic_conn_is_dead(qc)) {
    if (quic_conn_expiry(qc) <= now)
      quic_conn_timeout(qc, now);
    quic_conn_write(qc, now);
  }
}

void quic_pair_run(quic_pair *p, int rounds) {
  for (int i = 0; i < rounds; i++) {
    fire(p->client, p->now);
    deliver_to_server(p);
    fire(p->server, p->now);
    deliver_to_client(p);
    fire(p->client, p->now);
    p->now += 1000000ULL;
    if (p->ops && p->ops->tick)
      p->ops->tick(p, p->now, p->ud);
  }
}
