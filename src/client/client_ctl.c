/* wtping-client's control socket (docs/control.md), daemon mode: what the
 * client adds to the commands both daemons share (ctl/ctl_daemon.c). */
#include <stdio.h>
#include <string.h>

#include "client/client_internal.h"
#include "client/client_loop.h"
#include "client/report.h"
#include "ctl/ctl_daemon.h"

static void cli_info(void *ud, ctl_daemon_info *out) {
  client *c = ud;

  out->state = c->multi ? client_targets_state(c) : client_state_name(c);
  out->uptime = (double)(client_now_ns() - c->started_ns) / 1e9;
  out->config = c->o.config_file;
}

static bool cli_ready(void *ud) {
  client *c = ud;

  return c->multi ? client_targets_ready(c) : c->state == CS_CONNECTED;
}

static int cli_status(void *ud, json_object *w) {
  client *c = ud;
  uint64_t now = client_now_ns();
  const ping_track *t = &c->pg.track;
  ping_stats_summary sum;
  char url[URL_HOST_MAX + URL_PATH_MAX + 16];
  int r = 0;

  if (c->multi) /* several targets: their rows and sums */
    return client_targets_status(c, w);
  ping_stats_summarize(&c->pg.stats, &sum);
  snprintf(url, sizeof(url), "https://%s%s", c->o.url.authority, c->o.url.path);
  r |= cj_add_str(w, "url", url);
  r |= cj_add_str(w, "server", c->state == CS_CONNECTED ? c->addr : NULL);
  r |= cj_add_str(w, "mode", c->o.mode == CLIENT_MODE_DATAGRAM ? "datagram" : "stream");
  if (c->have_rtt) {
    json_object *o = cj_add_object(w, "rtt_ms");

    r |= cj_add_double(o, "last", c->last_rtt_ms);
    r |= cj_add_double(o, "avg", sum.avg);
    r |= cj_add_double(o, "p99", sum.p99);
  } else {
    r |= cj_add_null(w, "rtt_ms");
  }
  r |= cj_add_uint(w, "transmitted", t->transmitted);
  r |= cj_add_uint(w, "received", t->received);
  r |= cj_add_double(w, "loss_percent", report_loss_percent(t));
  r |= cj_add_uint(w, "reconnects", c->reconnects);
  r |= cj_add_double(w, "downtime", (double)c->downtime_total / 1e9);
  r |= cj_add_double(w, "longest_outage", (double)c->longest_outage / 1e9);
  r |= cj_add_str(w, "last_error", c->last_error[0] ? c->last_error : NULL);
  r |= cj_add_bool(w, "outage", c->stalled);
  r |= cj_add_uint(w, "lost_in_row", c->lost_in_row);
  if (c->state == CS_BACKOFF)
    r |= cj_add_double(w, "backoff_until",
                       c->backoff_until > now ? (double)(c->backoff_until - now) / 1e9 : 0.0);
  r |= client_targets_status(c, w);
  return r;
}

static int cli_reload(void *ud, char *err, size_t errlen) { return client_reload(ud, err, errlen); }

static int cmd_stats(void *ud, const ctl_request *req, json_object *w, char *err, size_t errlen) {
  client *c = ud;
  ping_track sum = c->pg.track;
  const ping_track *t = &sum;
  json_object *o = cj_add_object(w, "counters"), *a;
  int r = 0;

  (void)req;
  if (c->multi) { /* several targets: the daemon's counters are their sums */
    memset(&sum, 0, sizeof(sum));
    for (size_t i = 0; i < c->nsessions; i++) {
      const ping_track *s = &c->sessions[i]->pg.track;
      sum.transmitted += s->transmitted;
      sum.received += s->received;
      sum.lost += s->lost;
      sum.duplicates += s->duplicates;
      sum.late += s->late;
    }
  }
  r |= cj_add_uint(o, "transmitted", t->transmitted);
  r |= cj_add_uint(o, "received", t->received);
  r |= cj_add_uint(o, "lost", t->lost);
  r |= cj_add_uint(o, "duplicates", t->duplicates);
  r |= cj_add_uint(o, "late", t->late);
  r |= cj_add_uint(o, "reconnects", c->reconnects);
  r |= cj_add_double(o, "downtime_seconds", (double)c->downtime_total / 1e9);
  r |= cj_add_uint(o, "connected_now", c->state == CS_CONNECTED);
  o = cj_add_object(w, "rtt_histogram");
  a = cj_add_array(o, "bounds_ms");
  for (size_t i = 0; i < PING_HIST_BUCKETS; i++)
    r |= cj_push_double(a, ping_hist_bounds_ms[i]);
  a = cj_add_array(o, "counts");
  for (size_t i = 0; i <= PING_HIST_BUCKETS; i++)
    r |= cj_push_uint(a, c->hist.counts[i]);
  r |= cj_add_double(o, "sum_ms", c->hist.sum_ms);
  r |= cj_add_uint(o, "count", c->hist.count);
  r |= client_targets_stats(c, w);
  return r ? ctl_nomem(err, errlen) : 0;
}

static int cmd_rebind(void *ud, const ctl_request *req, json_object *w, char *err, size_t errlen) {
  client *c = ud;
  unsigned from, to;

  (void)req;
  if (client_rebind(c, &from, &to, err, errlen) != 0)
    return -1;
  if ((cj_add_uint(w, "old_port", from) | cj_add_uint(w, "new_port", to)) != 0)
    return ctl_nomem(err, errlen);
  return 0;
}

static const ctl_command client_commands[] = {
    {"stats", false, cmd_stats},
    {"rebind", true, cmd_rebind},
};

static const ctl_daemon_ops client_ops = {
    .name = "wtping-client",
    .info = cli_info,
    .ready = cli_ready,
    .status = cli_status,
    .reload = cli_reload,
    .drain = NULL,
    .cmds = client_commands,
    .ncmds = sizeof(client_commands) / sizeof(client_commands[0]),
};

void client_ctl_open(client *c) {
  c->ctl = ctl_daemon_start(c->ev, c->o.control_socket, c->o.control_mode, &client_ops, c);
}

void client_ctl_close(client *c) {
  ctl_daemon_close(c->ctl);
  c->ctl = NULL;
}
