/* wtping-client's control-socket commands (docs/control.md), daemon mode. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "client/client_internal.h"
#include "client/report.h"
#include "common/log.h"
#include "config.h"
#include "ctl/ctl_server.h"

static int nomem(char *err, size_t errlen) {
  snprintf(err, errlen, "out of memory");
  return -1;
}

static int cmd_version(void *ud, const ctl_request *req, json_object *w, char *err, size_t errlen) {
  (void)ud;
  (void)req;
  (void)err;
  (void)errlen;
  int r = 0;
  r |= cj_add_str(w, "daemon", "wtping-client");
  r |= cj_add_str(w, "version", PACKAGE_VERSION);
  return r ? nomem(err, errlen) : 0;
}

static int cmd_check(void *ud, const ctl_request *req, json_object *w, char *err, size_t errlen) {
  client *c = ud;
  int r = 0;
  if (req->argc == 1 && strcmp(req->argv[0], "ready") == 0) {
    r |= cj_add_bool(w, "ready", c->state == CS_CONNECTED);
  } else if (req->argc == 1 && strcmp(req->argv[0], "live") == 0) {
    r |= cj_add_bool(w, "live", true);
  } else {
    snprintf(err, errlen, "usage: check ready|live");
    return -1;
  }
  return r ? nomem(err, errlen) : 0;
}

static int cmd_status(void *ud, const ctl_request *req, json_object *w, char *err, size_t errlen) {
  (void)req;
  (void)err;
  (void)errlen;
  client *c = ud;
  uint64_t now = client_now_ns();
  const ping_track *t = &c->pg.track;
  ping_stats_summary sum;
  ping_stats_summarize(&c->pg.stats, &sum);
  int r = 0;
  r |= cj_add_str(w, "daemon", "wtping-client");
  r |= cj_add_str(w, "version", PACKAGE_VERSION);
  r |= cj_add_int(w, "pid", (int64_t)getpid());
  r |= cj_add_str(w, "state", client_state_name(c));
  r |= cj_add_double(w, "uptime", (double)(now - c->started_ns) / 1e9);
  if (c->o.config_file[0])
    r |= cj_add_str(w, "config", c->o.config_file);
  else
    r |= cj_add_null(w, "config");
  char url[URL_HOST_MAX + URL_PATH_MAX + 16];
  snprintf(url, sizeof(url), "https://%s%s", c->o.url.authority, c->o.url.path);
  r |= cj_add_str(w, "url", url);
  if (c->state == CS_CONNECTED)
    r |= cj_add_str(w, "server", c->addr);
  else
    r |= cj_add_null(w, "server");
  r |= cj_add_str(w, "mode", c->o.mode == CLIENT_MODE_DATAGRAM ? "datagram" : "stream");
  if (c->have_rtt) {
    json_object *o = cj_add_object(w, "rtt_ms");
    r |= o == NULL;
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
  if (c->last_error[0])
    r |= cj_add_str(w, "last_error", c->last_error);
  else
    r |= cj_add_null(w, "last_error");
  r |= cj_add_bool(w, "outage", c->stalled);
  r |= cj_add_uint(w, "lost_in_row", c->lost_in_row);
  if (c->state == CS_BACKOFF)
    r |= cj_add_double(w, "backoff_until",
                 c->backoff_until > now ? (double)(c->backoff_until - now) / 1e9 : 0.0);
  return r ? nomem(err, errlen) : 0;
}

static int cmd_stats(void *ud, const ctl_request *req, json_object *w, char *err, size_t errlen) {
  (void)req;
  (void)err;
  (void)errlen;
  client *c = ud;
  const ping_track *t = &c->pg.track;
  int r = 0;
  json_object *o = cj_add_object(w, "counters");
  r |= o == NULL;
  r |= cj_add_uint(o, "transmitted", t->transmitted);
  r |= cj_add_uint(o, "received", t->received);
  r |= cj_add_uint(o, "lost", t->lost);
  r |= cj_add_uint(o, "duplicates", t->duplicates);
  r |= cj_add_uint(o, "late", t->late);
  r |= cj_add_uint(o, "reconnects", c->reconnects);
  r |= cj_add_double(o, "downtime_seconds", (double)c->downtime_total / 1e9);
  r |= cj_add_uint(o, "connected_now", c->state == CS_CONNECTED);
  o = cj_add_object(w, "rtt_histogram");
  r |= o == NULL;
  json_object *a = cj_add_array(o, "bounds_ms");
  r |= a == NULL;
  for (size_t i = 0; i < PING_HIST_BUCKETS; i++)
    r |= cj_push_double(a, ping_hist_bounds_ms[i]);
  a = cj_add_array(o, "counts");
  r |= a == NULL;
  for (size_t i = 0; i <= PING_HIST_BUCKETS; i++)
    r |= cj_push_uint(a, c->hist.counts[i]);
  r |= cj_add_double(o, "sum_ms", c->hist.sum_ms);
  r |= cj_add_uint(o, "count", c->hist.count);
  return r ? nomem(err, errlen) : 0;
}

static int cmd_reload(void *ud, const ctl_request *req, json_object *w, char *err, size_t errlen) {
  (void)req;
  client *c = ud;
  log_notice("reload requested on the control socket");
  if (client_reload(c, err, errlen) != 0) {
    log_err("reload failed, keeping the old configuration: %s", err);
    return -1;
  }
  return cj_add_bool(w, "reloaded", true) ? nomem(err, errlen) : 0;
}

static int cmd_rebind(void *ud, const ctl_request *req, json_object *w, char *err, size_t errlen) {
  (void)req;
  client *c = ud;
  unsigned from, to;
  if (client_rebind(c, &from, &to, err, errlen) != 0)
    return -1;
  int r = 0;
  r |= cj_add_uint(w, "old_port", from);
  r |= cj_add_uint(w, "new_port", to);
  return r ? nomem(err, errlen) : 0;
}

static const ctl_command commands[] = {
    {"version", false, cmd_version}, {"check", false, cmd_check}, {"status", false, cmd_status},
    {"stats", false, cmd_stats},     {"reload", true, cmd_reload},  {"rebind", true, cmd_rebind},
};

void client_ctl_open(client *c) {
  c->ctl = ctl_server_start(c->ev, c->o.control_socket, c->o.control_mode, commands,
                            sizeof(commands) / sizeof(commands[0]), c);
}

void client_ctl_close(client *c) {
  if (c->ctl)
    ctl_server_close(c->ctl);
  c->ctl = NULL;
}
