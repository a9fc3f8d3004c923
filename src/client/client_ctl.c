/* wtping-client's control-socket commands (docs/control.md), daemon mode. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "client/client_internal.h"
#include "client/report.h"
#include "common/json.h"
#include "common/log.h"
#include "config.h"
#include "ctl/ctl_server.h"

static int cmd_version(void *ud, const ctl_request *req, jw *w, char *err, size_t errlen) {
  (void)ud;
  (void)req;
  (void)err;
  (void)errlen;
  jw_kv_str(w, "daemon", "wtping-client");
  jw_kv_str(w, "version", PACKAGE_VERSION);
  return 0;
}

static int cmd_check(void *ud, const ctl_request *req, jw *w, char *err, size_t errlen) {
  client *c = ud;
  if (req->argc == 1 && strcmp(req->argv[0], "ready") == 0) {
    jw_kv_bool(w, "ready", c->state == CS_CONNECTED);
  } else if (req->argc == 1 && strcmp(req->argv[0], "live") == 0) {
    jw_kv_bool(w, "live", true);
  } else {
    snprintf(err, errlen, "usage: check ready|live");
    return -1;
  }
  return 0;
}

static int cmd_status(void *ud, const ctl_request *req, jw *w, char *err, size_t errlen) {
  (void)req;
  (void)err;
  (void)errlen;
  client *c = ud;
  uint64_t now = client_now_ns();
  const ping_track *t = &c->pg.track;
  ping_stats_summary sum;
  ping_stats_summarize(&c->pg.stats, &sum);
  jw_kv_str(w, "daemon", "wtping-client");
  jw_kv_str(w, "version", PACKAGE_VERSION);
  jw_kv_int(w, "pid", (int64_t)getpid());
  jw_kv_str(w, "state", client_state_name(c));
  jw_kv_double(w, "uptime", (double)(now - c->started_ns) / 1e9);
  if (c->o.config_file[0])
    jw_kv_str(w, "config", c->o.config_file);
  else
    jw_kv_null(w, "config");
  char url[URL_HOST_MAX + URL_PATH_MAX + 16];
  snprintf(url, sizeof(url), "https://%s%s", c->o.url.authority, c->o.url.path);
  jw_kv_str(w, "url", url);
  if (c->state == CS_CONNECTED)
    jw_kv_str(w, "server", c->addr);
  else
    jw_kv_null(w, "server");
  jw_kv_str(w, "mode", c->o.mode == CLIENT_MODE_DATAGRAM ? "datagram" : "stream");
  jw_key(w, "rtt_ms");
  if (c->have_rtt) {
    jw_obj_begin(w);
    jw_kv_double(w, "last", c->last_rtt_ms);
    jw_kv_double(w, "avg", sum.avg);
    jw_kv_double(w, "p99", sum.p99);
    jw_obj_end(w);
  } else {
    jw_null(w);
  }
  jw_kv_uint(w, "transmitted", t->transmitted);
  jw_kv_uint(w, "received", t->received);
  jw_kv_double(w, "loss_percent", report_loss_percent(t));
  jw_kv_uint(w, "reconnects", c->reconnects);
  jw_kv_double(w, "downtime", (double)c->downtime_total / 1e9);
  jw_kv_double(w, "longest_outage", (double)c->longest_outage / 1e9);
  if (c->last_error[0])
    jw_kv_str(w, "last_error", c->last_error);
  else
    jw_kv_null(w, "last_error");
  jw_kv_bool(w, "outage", c->stalled);
  jw_kv_uint(w, "lost_in_row", c->lost_in_row);
  if (c->state == CS_BACKOFF)
    jw_kv_double(w, "backoff_until",
                 c->backoff_until > now ? (double)(c->backoff_until - now) / 1e9 : 0.0);
  return 0;
}

static int cmd_stats(void *ud, const ctl_request *req, jw *w, char *err, size_t errlen) {
  (void)req;
  (void)err;
  (void)errlen;
  client *c = ud;
  const ping_track *t = &c->pg.track;
  jw_key(w, "counters");
  jw_obj_begin(w);
  jw_kv_uint(w, "transmitted", t->transmitted);
  jw_kv_uint(w, "received", t->received);
  jw_kv_uint(w, "lost", t->lost);
  jw_kv_uint(w, "duplicates", t->duplicates);
  jw_kv_uint(w, "late", t->late);
  jw_kv_uint(w, "reconnects", c->reconnects);
  jw_kv_double(w, "downtime_seconds", (double)c->downtime_total / 1e9);
  jw_kv_uint(w, "connected_now", c->state == CS_CONNECTED);
  jw_obj_end(w);
  jw_key(w, "rtt_histogram");
  jw_obj_begin(w);
  jw_key(w, "bounds_ms");
  jw_arr_begin(w);
  for (size_t i = 0; i < PING_HIST_BUCKETS; i++)
    jw_double(w, ping_hist_bounds_ms[i]);
  jw_arr_end(w);
  jw_key(w, "counts");
  jw_arr_begin(w);
  for (size_t i = 0; i <= PING_HIST_BUCKETS; i++)
    jw_uint(w, c->hist.counts[i]);
  jw_arr_end(w);
  jw_kv_double(w, "sum_ms", c->hist.sum_ms);
  jw_kv_uint(w, "count", c->hist.count);
  jw_obj_end(w);
  return 0;
}

static int cmd_reload(void *ud, const ctl_request *req, jw *w, char *err, size_t errlen) {
  (void)req;
  client *c = ud;
  log_notice("reload requested on the control socket");
  if (client_reload(c, err, errlen) != 0) {
    log_err("reload failed, keeping the old configuration: %s", err);
    return -1;
  }
  jw_kv_bool(w, "reloaded", true);
  return 0;
}

static int cmd_rebind(void *ud, const ctl_request *req, jw *w, char *err, size_t errlen) {
  (void)req;
  client *c = ud;
  unsigned from, to;
  if (client_rebind(c, &from, &to, err, errlen) != 0)
    return -1;
  jw_kv_uint(w, "old_port", from);
  jw_kv_uint(w, "new_port", to);
  return 0;
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
