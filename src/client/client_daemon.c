/* What wtping-client's daemon mode adds to a run: STATUS= lines for
 * systemd, reconnecting with backoff when a cycle fails or a session ends (a
 * one-shot run ends instead), and reloading the configuration. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/crypto.h>
#include <systemd/sd-daemon.h>
#include <systemd/sd-event.h>

#include "client/client_loop.h"
#include "common/log.h"

/* ------------------------------------------------------------ status */

/* single_line: the STATUS= line of a daemon talking to one server. */
static void single_line(const client *c, char *line, size_t cap) {
  switch (c->state) {
  case CS_CONNECTED:
    if (c->have_rtt)
      snprintf(line, cap, "connected to %s, last RTT %.3f ms, %" PRIu64 "/%" PRIu64 " pongs",
               c->addr, c->last_rtt_ms, c->pg.track.received, c->pg.track.transmitted);
    else
      snprintf(line, cap, "connected to %s", c->addr);
    break;
  case CS_BACKOFF:
    snprintf(line, cap, "reconnecting in %.1f s: %.300s",
             (double)(c->backoff_until - client_now_ns()) / 1e9, c->last_error);
    break;
  default:
    snprintf(line, cap, "connecting to %s", c->o.url.authority);
    break;
  }
}

void client_notify_status(client *c) {
  if (!c->daemon)
    return;
  if (c->parent) { /* a session of several: the daemon speaks for all */
    client_notify_status(c->parent);
    return;
  }
  char line[400];
  if (c->multi)
    client_targets_status_line(c, line, sizeof(line));
  else
    single_line(c, line, sizeof(line));
  if (strcmp(line, c->status_line) == 0)
    return;
  snprintf(c->status_line, sizeof(c->status_line), "%s", line);
  sd_notifyf(0, "STATUS=%s", line);
}

int client_on_status_timer(sd_event_source *es, uint64_t usec, void *ud) {
  client_notify_status(ud);
  sd_event_source_set_time(es, usec + 1000000);
  return 0;
}

/* ------------------------------------------------------------ backoff */

int client_on_backoff_timer(sd_event_source *es, uint64_t usec, void *ud) {
  (void)es;
  (void)usec;
  client_start_cycle(ud);
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
  client_arm(c->backoff_timer, c->backoff_until);
  client_notify_status(c);
}

/* client_cycle_failed: no address of the server could be reached. */
void client_cycle_failed(client *c, const char *reason) {
  snprintf(c->last_error, sizeof(c->last_error), "%s", reason);
  if (!c->daemon) {
    client_fail_run(c, reason);
    return;
  }
  if (client_targets_fallback(c, reason))
    return; /* another server is being tried at once */
  retry_later(c, false);
}

/* client_connection_lost: a working session ended. */
void client_connection_lost(client *c, const char *reason, bool immediate) {
  snprintf(c->last_error, sizeof(c->last_error), "%s", reason);
  if (!c->daemon) {
    client_fail_run(c, reason);
    return;
  }
  c->reconnects++;
  c->down_since = client_now_ns();
  client_targets_lost(c);
  retry_later(c, immediate);
}

/* ------------------------------------------------------------ reload */

int client_on_sighup(sd_event_source *es, const struct signalfd_siginfo *si, void *ud) {
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
  if (client_tls_setup(c, n, &tls, err, errlen) != 0)
    goto out;
  pinger_config pc = client_pinger_config(n);
  if (pinger_reconfigure(&c->pg, &pc) != 0) {
    quic_tls_client_free(&tls);
    snprintf(err, errlen, "out of memory");
    goto out;
  }
  /* The connection uses the old credentials: close it, then start over
   * at once with the new settings. */
  bool was_up = c->state == CS_CONNECTED || c->state == CS_CONNECTING;
  client_conn_close(c);
  quic_tls_client_free(&c->tls);
  c->tls = tls;
  memcpy(n->control_socket, c->o.control_socket, sizeof(n->control_socket));
  n->control_mode = c->o.control_mode;
  c->o = *n;
  client_apply_settings(c);
  log_notice("configuration reloaded%s", was_up ? ": reconnecting" : "");
  c->status_line[0] = '\0';
  /* the targets may have changed: list and sessions anew */
  client_targets_stop(c, false);
  if (client_targets_start(c) != 0)
    log_err("reload: out of memory setting the targets up");
  if (c->multi)
    ; /* the sessions ping */
  else if (c->res)
    c->restart_after_resolve = true; /* on_resolved starts over */
  else
    client_start_cycle(c);
  rc = 0;
out:
  free(n);
  sd_notify(0, "READY=1");
  return rc;
}
