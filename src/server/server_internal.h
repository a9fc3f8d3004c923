/* wtping-server internals shared by server.c (I/O, connections, signals)
 * and server_ctl.c (control-socket commands). */
#ifndef WTPING_SERVER_INTERNAL_H
#define WTPING_SERVER_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include <systemd/sd-event.h>

#include "cert/cert_make.h"
#include "common/qlog_file.h"
#include "h3/h3_access.h"
#include "ping/ping_service.h"
#include "quic/quic_cidmap.h"
#include "quic/quic_conn.h"
#include "quic/quic_tls.h"
#include "server/server_opts.h"
#include "server/source_limit.h"
#include "server/udp.h"
#include "wt/wt_conn.h"

#define RX_BUF_SIZE 65536
#define TX_BUF_SIZE 1500

typedef struct ctl_daemon ctl_daemon;
typedef struct disc_advertise disc_advertise;

/* TLS credentials shared by the connections accepted while they were
 * current: a reload installs new ones without touching old sessions. */
typedef struct srv_tls {
  quic_tls_server t;
  unsigned refs;
  cert_info info; /* of the leaf certificate served */
  bool has_info;
} srv_tls;

typedef struct server server;

typedef struct listener {
  server *srv;
  int fd;
  struct sockaddr_storage addr;
  socklen_t addrlen;
  int wildcard;
  sd_event_source *io;
} listener;

typedef struct srv_conn {
  server *srv;
  listener *l;
  quic_conn *qc;
  wt_conn *wc;
  sd_event_source *timer;
  srv_tls *tls;
  uint64_t accepted_ns;
  ngtcp2_cid odcid; /* the client's first DCID, also routed to us */
  source_key source; /* counted in server.sources */
  bool identity_checked; /* the handshake completed (half_open counted down) */
  uint64_t timer_usec; /* what the timer is armed for (UINT64_MAX: off) */
  qlog_file *qlog;     /* --qlog */
  bool dirty;          /* read in this batch: write once at its end */
  struct srv_conn *dirty_next;
  struct srv_conn *prev, *next;
} srv_conn;

struct server {
  server_opts opts;  /* in force; replaced by a successful reload */
  int argc;          /* the command line, re-applied on reload */
  char **argv;
  sd_event *ev;
  listener listeners[SERVER_MAX_LISTEN];
  unsigned nlisteners;
  quic_cidmap *cids;
  srv_conn *conns;
  unsigned nconns;
  srv_tls *tls;      /* for new connections */
  h3_access *access; /* who may open sessions; replaced in place on reload */
  uint8_t secret[QUIC_STATIC_SECRET_LEN];
  quic_conn_config qcfg;
  wt_conn_config wcfg;
  ping_service ping;
  uint8_t txbuf[TX_BUF_SIZE];
  /* receive and send batches (recvmmsg / sendmmsg): while |batching|,
   * packets wait in |tx| and go out at the end of the event handler */
  uint8_t rxbufs[UDP_BATCH][RX_BUF_SIZE];
  udp_rx_batch rx;
  uint8_t txbufs[UDP_BATCH][TX_BUF_SIZE];
  udp_msg tx[UDP_BATCH];
  unsigned ntx;
  listener *tx_l;
  bool batching;
  srv_conn *dirty; /* connections that read packets in the current batch */
  bool shutting_down;
  sd_event_source *shutdown_timer;
  uint64_t reset_window;
  unsigned resets_in_window;
  uint64_t packets_dropped;
  source_limit sources; /* connections and handshakes per source */
  /* limits hit (wtpctl stats) */
  uint64_t refused_connections;  /* max_connections */
  uint64_t refused_per_source;   /* max_connections_per_source */
  uint64_t refused_handshake_rate; /* handshakes_per_second */
  uint64_t refused_source_table;  /* source table full */
  uint64_t refused_client_cert;   /* certificate not in the allow-list */
  uint64_t refused_access;        /* CONNECT refused: origin or token (401/403) */
  unsigned half_open;             /* connections whose handshake is not complete */
  uint64_t retries_sent;          /* Retry packets (address validation) */
  uint64_t retry_tokens_invalid;  /* Initials with a bad or expired Retry token */
  uint64_t connections_total;
  uint64_t started_ns;
  bool draining;
  ctl_daemon *ctl;
  struct srv_certs *certs; /* server_cert.c */
  sd_event_source *status_timer;
  char status_line[256]; /* the last STATUS= sent */
  disc_advertise *adv;   /* DNS-SD advertisement (server_advertise.c), or NULL */
  bool adv_loopback_noted; /* "loopback only: not advertising" was logged */
};

uint64_t server_now_ns(void);

/* server_tls_load loads the credentials |o| names. Returns NULL with |err|. */
srv_tls *server_tls_load(const server_opts *o, char *err, size_t errlen);

/* server_tls_unref drops a reference to |t| (NULL allowed). Loop thread
 * only, except for credentials no connection has seen yet. */
void server_tls_unref(srv_tls *t);

/* server_tls_install makes |t| the credentials of new connections; the
 * connections in progress keep theirs (the reload path). */
void server_tls_install(server *s, srv_tls *t);

/* server_reload re-reads the configuration and the certificate. Returns 0,
 * or -1 with the reason in |err| (the old settings stay in force). */
int server_reload(server *s, char *err, size_t errlen);

/* server_drain sends GOAWAY and DRAIN to every session and refuses new ones. */
void server_drain(server *s);

/* server_ctl_open starts the control socket (if configured; optional). */
void server_ctl_open(server *s);
void server_ctl_close(server *s);

#endif
