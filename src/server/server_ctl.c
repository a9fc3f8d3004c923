/* wtping-server's control-socket commands (docs/control.md): the daemon
 * sends data as JSON, wtpctl renders it. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/addr.h"
#include "common/log.h"
#include "config.h"
#include "ctl/ctl_server.h"
#include "server/server_internal.h"

static int nomem(char *err, size_t errlen) {
  snprintf(err, errlen, "out of memory");
  return -1;
}

static int common_status(server *s, json_object *w) {
  int r = 0;
  r |= cj_add_str(w, "daemon", "wtping-server");
  r |= cj_add_str(w, "version", PACKAGE_VERSION);
  r |= cj_add_int(w, "pid", (int64_t)getpid());
  r |= cj_add_str(w, "state", s->draining ? "draining" : "running");
  r |= cj_add_double(w, "uptime", (double)(server_now_ns() - s->started_ns) / 1e9);
  if (s->opts.config_file[0])
    r |= cj_add_str(w, "config", s->opts.config_file);
  else
    r |= cj_add_null(w, "config");
  return r;
}

static int cmd_version(void *ud, const ctl_request *req, json_object *w, char *err, size_t errlen) {
  (void)ud;
  (void)req;
  (void)err;
  (void)errlen;
  int r = 0;
  r |= cj_add_str(w, "daemon", "wtping-server");
  r |= cj_add_str(w, "version", PACKAGE_VERSION);
  return r ? nomem(err, errlen) : 0;
}

static int cmd_check(void *ud, const ctl_request *req, json_object *w, char *err, size_t errlen) {
  server *s = ud;
  if (req->argc != 1) {
    snprintf(err, errlen, "usage: check ready|live");
    return -1;
  }
  int r = 0;
  if (strcmp(req->argv[0], "ready") == 0) {
    r |= cj_add_bool(w, "ready", !s->shutting_down && s->nlisteners > 0);
  } else if (strcmp(req->argv[0], "live") == 0) {
    r |= cj_add_bool(w, "live", true); /* we are answering from the loop */
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
  server *s = ud;
  const ping_stats *st = &s->ping.st;
  int r = common_status(s, w);
  json_object *o = cj_add_array(w, "listen");
  r |= o == NULL;
  for (unsigned i = 0; i < s->nlisteners; i++) {
    char a[ADDR_STRLEN];
    r |= cj_push_str(o, addr_format((const struct sockaddr *)&s->listeners[i].addr, a, sizeof(a)));
  }
  r |= cj_add_str(w, "path", s->opts.path);
  r |= cj_add_uint(w, "connections", s->nconns);
  o = cj_add_object(w, "sessions");
  r |= o == NULL;
  r |= cj_add_uint(o, "now", st->sessions_now);
  r |= cj_add_uint(o, "total", st->sessions_total);
  o = cj_add_object(w, "pings");
  r |= o == NULL;
  r |= cj_add_uint(o, "stream", st->stream_pings);
  r |= cj_add_uint(o, "datagram", st->datagram_pings);
  o = cj_add_object(w, "errors");
  r |= o == NULL;
  r |= cj_add_uint(o, "unknown_lines", st->unknown_lines);
  r |= cj_add_uint(o, "datagrams_dropped", st->datagrams_dropped);
  r |= cj_add_uint(o, "streams_reset", st->streams_reset);
  r |= cj_add_uint(o, "packets_dropped", s->packets_dropped);
  return r ? nomem(err, errlen) : 0;
}

static int cmd_stats(void *ud, const ctl_request *req, json_object *w, char *err, size_t errlen) {
  (void)req;
  (void)err;
  (void)errlen;
  server *s = ud;
  const ping_stats *st = &s->ping.st;
  int r = 0;
  json_object *o = cj_add_object(w, "counters");
  r |= o == NULL;
  r |= cj_add_uint(o, "connections_now", s->nconns);
  r |= cj_add_uint(o, "connections_total", s->connections_total);
  r |= cj_add_uint(o, "sessions_now", st->sessions_now);
  r |= cj_add_uint(o, "sessions_total", st->sessions_total);
  r |= cj_add_uint(o, "pings_stream", st->stream_pings);
  r |= cj_add_uint(o, "pings_datagram", st->datagram_pings);
  r |= cj_add_uint(o, "errors_unknown_lines", st->unknown_lines);
  r |= cj_add_uint(o, "errors_datagrams_dropped", st->datagrams_dropped);
  r |= cj_add_uint(o, "errors_streams_reset", st->streams_reset);
  r |= cj_add_uint(o, "errors_packets_dropped", s->packets_dropped);
  return r ? nomem(err, errlen) : 0;
}

#define SESSIONS_MAX 1000

static int cmd_sessions(void *ud, const ctl_request *req, json_object *w, char *err, size_t errlen) {
  (void)req;
  (void)err;
  (void)errlen;
  server *s = ud;
  uint64_t now = server_now_ns();
  unsigned n = 0;
  bool truncated = false;
  int r = 0;
  json_object *arr = cj_add_array(w, "sessions");
  r |= arr == NULL;
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
      json_object *o = cj_push_object(arr);
      r |= o == NULL;
      r |= cj_add_uint(o, "id", wt_session_id(ss));
      r |= cj_add_str(o, "peer", peer);
      r |= cj_add_double(o, "age", (double)(now - wt_session_opened(ss)) / 1e9);
      r |= cj_add_uint(o, "pings", ping_service_session_pings(ss));
      r |= cj_add_double(o, "srtt_ms", (double)cs.smoothed_rtt / 1e6);
      r |= cj_add_double(o, "min_rtt_ms", (double)cs.min_rtt / 1e6);
      r |= cj_add_uint(o, "cwnd", cs.cwnd);
      if (r)
        break;
    }
  }
  if (truncated)
    r |= cj_add_bool(w, "truncated", true);
  return r ? nomem(err, errlen) : 0;
}

static int cmd_reload(void *ud, const ctl_request *req, json_object *w, char *err, size_t errlen) {
  (void)req;
  server *s = ud;
  log_notice("reload requested on the control socket");
  if (server_reload(s, err, errlen) != 0) {
    log_err("reload failed, keeping the old configuration: %s", err);
    return -1;
  }
  log_notice("configuration reloaded");
  return cj_add_bool(w, "reloaded", true) ? nomem(err, errlen) : 0;
}

static int cmd_drain(void *ud, const ctl_request *req, json_object *w, char *err, size_t errlen) {
  (void)req;
  (void)err;
  (void)errlen;
  server *s = ud;
  server_drain(s);
  return cj_add_bool(w, "draining", true) ? nomem(err, errlen) : 0;
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
