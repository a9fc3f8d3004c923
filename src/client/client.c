/* wtping-client's run, for both modes:
 * - one-shot (a URL on the command line): connect, ping, summarize, exit as
 *   ping(8) does;
 * - daemon (a configuration file): ping the configured server forever,
 *   reconnecting with backoff, with a control socket and sd_notify.
 * This file sets the run up (TLS, settings, event loop, signals) and
 * reports a one-shot run. One connection cycle is in client_conn.c, the
 * session's events in client_session.c, the daemon's own parts in
 * client_daemon.c. Name resolution runs off the loop (resolver.c); the
 * protocol is in quic/ and wt/, the ping logic in pinger.c, the backoff
 * policy in reconnect.c. */
#include "client/client.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <systemd/sd-daemon.h>
#include <systemd/sd-event.h>

#include "client/client_loop.h"
#include "client/report.h"
#include "common/default_path.h"
#include "common/log.h"
#include "common/secret_file.h"

uint64_t client_now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

void client_arm(sd_event_source *es, uint64_t t_ns) {
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

/* ------------------------------------------------------------ signals */

static int on_deadline(sd_event_source *es, uint64_t usec, void *ud) {
  (void)es;
  (void)usec;
  client *c = ud;
  if (c->state != CS_CONNECTED) {
    client_fail_run(c, "deadline reached before the session opened");
    return 0;
  }
  client_begin_finish(c);
  return 0;
}

static int on_signal(sd_event_source *es, const struct signalfd_siginfo *si, void *ud) {
  (void)es;
  client *c = ud;
  if (c->daemon) {
    sd_notify(0, "STOPPING=1\nSTATUS=stopping");
    log_notice("%s: stopping", strsignal((int)si->ssi_signo));
  }
  if (c->interrupted || c->multi) {
    client_targets_finish(c); /* several targets: every session closes at once */
    client_conn_close(c);
    client_done(c);
    return 0;
  }
  c->interrupted = true;
  client_begin_finish(c);
  return 0;
}

/* ------------------------------------------------------------ setup */

int client_tls_setup(client *c, const client_opts *o, quic_tls_client *tls, char *err,
                     size_t errlen) {
  /* the bearer token first: it is read before anything else can fail, and
   * only installed when everything worked */
  char authorization[CLIENT_AUTHORIZATION_MAX];
  const char *creddir = getenv("CREDENTIALS_DIRECTORY");
  if (client_token_load(creddir, o->token_file, authorization, err, errlen) != 0)
    return -1;
  if (quic_tls_client_init(tls, o->cafile[0] ? o->cafile : NULL, o->insecure, err, errlen) != 0)
    return -1;
  for (size_t i = 0; i < o->npins; i++)
    if (quic_tls_client_add_pin(tls, o->pins[i], err, errlen) != 0) {
      quic_tls_client_free(tls);
      return -1;
    }
  if (o->cert_file[0]) {
    /* our key for mutual TLS: the credential "key" first, and not one
     * that other users can read */
    char key[CLIENT_PATH_MAX + 64];
    bool from_cred;
    if (secret_file_resolve(creddir, "key", o->key_file, key, sizeof(key), &from_cred) != 0 ||
        (!from_cred && secret_file_check(key, err, errlen) != 0) ||
        quic_tls_client_set_cert(tls, o->cert_file, key, err, errlen) != 0) {
      quic_tls_client_free(tls);
      return -1;
    }
  }
  memcpy(c->authorization, authorization, sizeof(c->authorization));
  memset(authorization, 0, sizeof(authorization));
  return 0;
}

void client_apply_settings(client *c) {
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

pinger_config client_pinger_config(const client_opts *o) {
  pinger_config pc = {
      .datagram = o->mode == CLIENT_MODE_DATAGRAM,
      .pad = o->size,
      .count = o->count,
      .interval_ns = o->interval_ns,
      .timeout_ns = o->timeout_ns,
  };
  return pc;
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
  if (client_tls_setup(c, o, &c->tls, err, sizeof(err)) != 0) {
    log_err("%s", err);
    goto out;
  }
  tls_ok = true;
  client_apply_settings(c);
  pinger_config pc = client_pinger_config(o);
  if (pinger_init(&c->pg, &pc, &client_pinger_events, c) != 0) {
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
      sd_event_add_signal(c->ev, NULL, SIGHUP, client_on_sighup, c) < 0 ||
      sd_event_add_time(c->ev, &c->ping_timer, CLOCK_MONOTONIC, UINT64_MAX, 1,
                        client_on_ping_timer, c) < 0 ||
      sd_event_add_time(c->ev, &c->backoff_timer, CLOCK_MONOTONIC, UINT64_MAX, 1000,
                        client_on_backoff_timer, c) < 0) {
    log_err("cannot set up the event loop");
    goto out;
  }
  if (o->deadline_ns && !daemon)
    sd_event_add_time_relative(c->ev, &c->deadline_timer, CLOCK_MONOTONIC, o->deadline_ns / 1000,
                               1, on_deadline, c);
  c->started_ns = client_now_ns();
  if (daemon) {
    char nodir[sizeof(c->o.control_socket)];
    if (default_path_dir_missing(c->o.control_socket, CLIENT_DEFAULT_CONTROL, nodir,
                                 sizeof(nodir)))
      log_notice("no control socket: the default directory %s does not exist "
                 "(set control_socket or --control)",
                 nodir);
    else
      client_ctl_open(c);
    sd_event_set_watchdog(c->ev, 1);
    sd_event_add_time_relative(c->ev, &c->status_timer, CLOCK_MONOTONIC, 1000000, 1000,
                               client_on_status_timer, c);
    if (c->status_timer)
      sd_event_source_set_enabled(c->status_timer, SD_EVENT_ON);
  }
  if (daemon && client_targets_start(c) != 0) {
    log_err("out of memory");
    goto out;
  }
  if (!c->multi)
    client_start_cycle(c);
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
  client_targets_stop(c, true);
  if (c->res)
    resolver_destroy(c->res);
  client_conn_close(c);
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
