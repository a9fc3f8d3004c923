/* wtping-client internals shared by client.c (run loop) and client_ctl.c
 * (control-socket commands). */
#ifndef WTPING_CLIENT_INTERNAL_H
#define WTPING_CLIENT_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include <systemd/sd-event.h>

#include "client/client_opts.h"
#include "client/client_token.h"
#include "client/pinger.h"
#include "client/reconnect.h"
#include "client/resolver.h"
#include "common/addr.h"
#include "common/qlog_file.h"
#include "disc/disc_found.h"
#include "ping/ping_hist.h"
#include "quic/quic_conn.h"
#include "quic/quic_tls.h"
#include "wt/wt_conn.h"

#define CLIENT_RX_BUF 65536
#define CLIENT_TX_BUF 1500

typedef struct ctl_daemon ctl_daemon;
typedef struct client_disc client_disc;

enum client_state { CS_RESOLVING, CS_CONNECTING, CS_CONNECTED, CS_BACKOFF, CS_FINISHING, CS_DONE };

typedef struct client {
  client_opts o; /* in force; replaced by a successful reload */
  bool daemon;
  int argc;
  char **argv;
  sd_event *ev;
  quic_tls_client tls;
  quic_tls_verify verify;
  char authorization[CLIENT_AUTHORIZATION_MAX]; /* "Bearer TOKEN" or "" */
  quic_conn_config qcfg;
  wt_conn_config wcfg;
  pinger pg;
  bool pg_ready;
  ping_hist hist;
  double last_rtt_ms;
  bool have_rtt;
  reconnect rc;

  /* resolution and addresses */
  resolver *res;
  bool restart_after_resolve;
  resolver_result addrs;
  size_t next_addr;

  /* the current connection */
  int fd;
  struct sockaddr_storage local, remote;
  socklen_t locallen, remotelen;
  char addr[ADDR_STRLEN];      /* remote address and port */
  char addr_host[ADDR_STRLEN]; /* remote address only */
  quic_conn *qc;
  qlog_file *qlog; /* --qlog */
  wt_conn *wc;
  wt_session *ss;
  sd_event_source *io, *conn_timer, *connect_timer;
  bool broken;       /* the connection failed or ended; after_event acts */
  bool broken_fatal; /* do not try the other addresses */
  bool server_draining;
  bool refused; /* the last attempt met ICMP port unreachable: a restart */
  char broken_reason[1500];

  sd_event_source *ping_timer, *backoff_timer, *deadline_timer, *finish_timer, *status_timer;
  enum client_state state;
  uint64_t started_ns, run_start_ns, end_ns;
  uint64_t reconnects;
  uint64_t down_since, downtime_total, longest_outage;
  uint64_t backoff_until;
  char last_error[1500];
  char error[1500]; /* one-shot: why the run failed */
  bool interrupted;
  bool retrying; /* in an outage: retries are logged at info */
  uint64_t lost_in_row;   /* pings lost since the last pong */
  uint64_t last_pong_ns;  /* when the last pong came */
  bool stalled;           /* the outage was reported */
  char status_line[400];
  ctl_daemon *ctl;

  /* discovery and several targets (client_targets.c) */
  client_disc *disc;         /* the daemon's target list, or NULL (one url, no discovery) */
  struct client *parent;     /* a session of several: the daemon that owns it */
  struct client **sessions;  /* several targets (multi): one session per target */
  size_t nsessions;
  bool multi;                /* the daemon pings through |sessions|, not itself */
  disc_found target;         /* the server of this cycle, when chosen from |disc| */
  bool have_target;
  bool disc_refreshed;       /* this cycle's DNS SRV lookup is done */
  bool waiting_disc;         /* waiting for a lookup or for a server to appear */
  bool disc_wait_logged;     /* "no server to try" was logged for this wait */
  sd_event_source *better_timer; /* one target: move back to a preferred server;
                                    several: look the SRV records up again */
  uint8_t rxbuf[CLIENT_RX_BUF];
  uint8_t txbuf[CLIENT_TX_BUF];
} client;

uint64_t client_now_ns(void);
const char *client_state_name(const client *c);

/* client_reload re-reads the configuration (SIGHUP, or "reload" on the
 * control socket) and reconnects with it. Returns 0, or -1 with the reason
 * in |err| (the old settings stay in force). */
int client_reload(client *c, char *err, size_t errlen);

/* client_rebind moves the connection to a new UDP socket (a new local
 * port) without telling the server, as a NAT rebinding would: the server
 * must validate the new path and keep the session. For tests and
 * diagnostics ("rebind" on the control socket). Returns 0 or -1 with |err|;
 * |old_port| and |new_port| get the local ports. */
int client_rebind(client *c, unsigned *old_port, unsigned *new_port, char *err, size_t errlen);

void client_ctl_open(client *c);
void client_ctl_close(client *c);

#endif
