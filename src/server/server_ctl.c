/* wtping-server's control-socket commands (docs/control.md): the daemon
 * sends data as JSON, wtpctl renders it. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/addr.h"
#include "common/json.h"
#include "common/log.h"
#include "config.h"
#include "ctl/ctl_server.h"
#include "server/server_internal.h"

static void common_status(server *s, jw *w) {
  jw_kv_str(w, "daemon", "wtping-server");
  jw_kv_str(w, "version", PACKAGE_VERSION);
  jw_kv_int(w, "pid", (int64_t)getpid());
  jw_kv_str(w, "state", s->draining ? "draining" : "running");
  jw_kv_double(w, "uptime", (double)(server_now_ns() - s->started_ns) / 1e9);
  if (s->opts.config_file[0])
    jw_kv_str(w, "config", s->opts.config_file);
  else
    jw_kv_null(w, "config");
}

static int cmd_version(void *ud, const ctl_request *req, jw *w, char *err, size_t errlen) {
  (void)ud;
  (void)req;
  (void)err;
  (void)errlen;
  jw_kv_str(w, "daemon", "wtping-server");
  jw_kv_str(w, "version", PACKAGE_VERSION);
  return 0;
}

static int cmd_check(void *ud, const ctl_request *req, jw *w, char *err, size_t errlen) {
  server *s = ud;
  if (req->argc != 1) {
    snprintf(err, errlen, "usage: check ready|live");
    return -1;
  }
  if (strcmp(req->argv[0], "ready") == 0) {
    jw_kv_bool(w, "ready", !s->shutting_down && s->nlisteners > 0);
  } else if (strcmp(req->argv[0], "live") == 0) {
    jw_kv_bool(w, "live", true); /* we are answering from the loop */
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
  server *s = ud;
  const ping_stats *st = &s->ping.st;
  common_status(s, w);
  jw_key(w, "listen");
  jw_arr_begin(w);
  for (unsigned i = 0; i < s->nlisteners; i++) {
    char a[ADDR_STRLEN];
    jw_str(w, addr_format((const struct sockaddr *)&s->listeners[i].addr, a, sizeof(a)));
  }
  jw_arr_end(w);
  jw_kv_str(w, "path", s->opts.path);
  jw_kv_uint(w, "connections", s->nconns);
  jw_key(w, "sessions");
  jw_obj_begin(w);
  jw_kv_uint(w, "now", st->sessions_now);
  jw_kv_uint(w, "total", st->sessions_total);
  jw_obj_end(w);
  jw_key(w, "pings");
  jw_obj_begin(w);
  jw_kv_uint(w, "stream", st->stream_pings);
  jw_kv_uint(w, "datagram", st->datagram_pings);
  jw_obj_end(w);
  jw_key(w, "errors");
  jw_obj_begin(w);
  jw_kv_uint(w, "unknown_lines", st->unknown_lines);
  jw_kv_uint(w, "datagrams_dropped", st->datagrams_dropped);
  jw_kv_uint(w, "streams_reset", st->streams_reset);
  jw_kv_uint(w, "packets_dropped", s->packets_dropped);
  jw_obj_end(w);
  return 0;
}

static int cmd_stats(void *ud, const ctl_request *req, jw *w, char *err, size_t errlen) {
  (void)req;
  (void)err;
  (void)errlen;
  server *s = ud;
  const ping_stats *st = &s->ping.st;
  jw_key(w, "counters");
  jw_obj_begin(w);
  jw_kv_uint(w, "connections_now", s->nconns);
  jw_kv_uint(w, "connections_total", s->connections_total);
  jw_kv_uint(w, "sessions_now", st->sessions_now);
  jw_kv_uint(w, "sessions_total", st->sessions_total);
  jw_kv_uint(w, "pings_stream", st->stream_pings);
  jw_kv_uint(w, "pings_datagram", st->datagram_pings);
  jw_kv_uint(w, "errors_unknown_lines", st->unknown_lines);
  jw_kv_uint(w, "errors_datagrams_dropped", st->datagrams_dropped);
  jw_kv_uint(w, "errors_streams_reset", st->streams_reset);
  jw_kv_uint(w, "errors_packets_dropped", s->packets_dropped);
  jw_obj_end(w);
  return 0;
}

#define SESSIONS_MAX 1000

static int cmd_sessions(void *ud, const ctl_request *req, jw *w, char *err, size_t errlen) {
  (void)req;
  (void)err;
  (void)errlen;
  server *s = ud;
  uint64_t now = server_now_ns();
  unsigned n = 0;
  bool truncated = false;
  jw_key(w, "sessions");
  jw_arr_begin(w);
  for (srv_conn *c = s->conns; c && !truncated; c = c->next) {
    ngtcp2_conn_stat cs;
    quic_conn_get_stat(c->qc, &cs);
    char peer[ADDR_STRLEN];
    addr_format((const struct sockaddr *)quic_conn_path(c->qc)->remote.addr, peer, sizeof(peer));
    for (wt_session *ss = wt_conn_first_session(c->wc); ss; ss = wt_session_next(ss)) {
      if (n++ == SESSIONS_MAX) {
        truncated = true;
        break;
      }
      jw_obj_begin(w);
      jw_kv_uint(w, "id", wt_session_id(ss));
      jw_kv_str(w, "peer", peer);
      jw_kv_double(w, "age", (double)(now - wt_session_opened(ss)) / 1e9);
      jw_kv_uint(w, "pings", ping_service_session_pings(ss));
      jw_kv_double(w, "srtt_ms", (double)cs.smoothed_rtt / 1e6);
      jw_kv_double(w, "min_rtt_ms", (double)cs.min_rtt / 1e6);
      jw_kv_uint(w, "cwnd", cs.cwnd);
      jw_obj_end(w);
    }
  }
  jw_arr_end(w);
  if (truncated)
    jw_kv_bool(w, "truncated", true);
  return 0;
}

static int cmd_reload(void *ud, const ctl_request *req, jw *w, char *err, size_t errlen) {
  (void)req;
  server *s = ud;
  log_notice("reload requested on the control socket");
  if (server_reload(s, err, errlen) != 0) {
    log_err("reload failed, keeping the old configuration: %s", err);
    return -1;
  }
  log_notice("configuration reloaded");
  jw_kv_bool(w, "reloaded", true);
  return 0;
}

static int cmd_drain(void *ud, const ctl_request *req, jw *w, char *err, size_t errlen) {
  (void)req;
  (void)err;
  (void)errlen;
  server *s = ud;
  server_drain(s);
  jw_kv_bool(w, "draining", true);
  return 0;
}

static const ctl_command commands[] = {
    {"version", false, cmd_version}, {"check", false, cmd_check},   {"status", false, cmd_status},
    {"stats", false, cmd_stats},     {"sessions", false, cmd_sessions}, {"reload", true, cmd_reload},
    {"drain", true, cmd_drain},
};

void server_ctl_open(server *s) {
  s->ctl = ctl_server_start(s->ev, s->opts.control_socket, s->opts.control_mode, commands,
                            sizeof(commands) / sizeof(commands[0]), s);
}

void server_ctl_close(server *s) {
  if (s->ctl)
    ctl_server_close(s->ctl);
  s->ctl = NULL;
}
