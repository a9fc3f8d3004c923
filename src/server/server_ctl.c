/* wtping-server's control socket (docs/control.md): what the server adds
 * to the commands both daemons share (ctl/ctl_daemon.c). The daemon sends
 * data as JSON, wtpctl renders it. */
#include <stdio.h>
#include <string.h>

#include "common/addr.h"
#include "common/log.h"
#include "ctl/ctl_daemon.h"
#include "server/server_internal.h"

/* most sessions listed by "sessions", then "truncated":true */
#define SESSIONS_MAX 1000

static void srv_info(void *ud, ctl_daemon_info *out) {
  server *s = ud;

  out->state = s->draining ? "draining" : "running";
  out->uptime = (double)(server_now_ns() - s->started_ns) / 1e9;
  out->config = s->opts.config_file;
}

static bool srv_ready(void *ud) {
  server *s = ud;

  return !s->shutting_down && s->nlisteners > 0;
}

static int srv_status(void *ud, json_object *w) {
  server *s = ud;
  const ping_stats *st = &s->ping.st;
  json_object *o;
  int r = 0;

  o = cj_add_array(w, "listen");
  r |= o == NULL;
  for (unsigned i = 0; i < s->nlisteners; i++) {
    char a[ADDR_STRLEN];

    r |= cj_push_str(o, addr_format((const struct sockaddr *)&s->listeners[i].addr, a, sizeof(a)));
  }
  r |= cj_add_str(w, "path", s->opts.path);
  r |= cj_add_uint(w, "connections", s->nconns);
  o = cj_add_object(w, "sessions");
  r |= cj_add_uint(o, "now", st->sessions_now);
  r |= cj_add_uint(o, "total", st->sessions_total);
  o = cj_add_object(w, "pings");
  r |= cj_add_uint(o, "stream", st->stream_pings);
  r |= cj_add_uint(o, "datagram", st->datagram_pings);
  o = cj_add_object(w, "errors");
  r |= cj_add_uint(o, "unknown_lines", st->unknown_lines);
  r |= cj_add_uint(o, "datagrams_dropped", st->datagrams_dropped);
  r |= cj_add_uint(o, "streams_reset", st->streams_reset);
  r |= cj_add_uint(o, "packets_dropped", s->packets_dropped);
  return r;
}

static int srv_reload(void *ud, char *err, size_t errlen) {
  if (server_reload(ud, err, errlen) != 0)
    return -1;
  log_notice("configuration reloaded");
  return 0;
}

static void srv_drain(void *ud) { server_drain(ud); }

static int cmd_stats(void *ud, const ctl_request *req, json_object *w, char *err, size_t errlen) {
  server *s = ud;
  const ping_stats *st = &s->ping.st;
  json_object *o = cj_add_object(w, "counters");
  int r = 0;

  (void)req;
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
  /* limits hit and requests refused (docs/security.md) */
  r |= cj_add_uint(o, "refused_connections", s->refused_connections);
  r |= cj_add_uint(o, "refused_connections_per_source", s->refused_per_source);
  r |= cj_add_uint(o, "refused_handshake_rate", s->refused_handshake_rate);
  r |= cj_add_uint(o, "refused_source_table", s->refused_source_table);
  r |= cj_add_uint(o, "refused_client_cert", s->refused_client_cert);
  r |= cj_add_uint(o, "refused_access", s->refused_access);
  r |= cj_add_uint(o, "datagrams_rate_limited", st->datagrams_rate_limited);
  r |= cj_add_uint(o, "handshakes_half_open", s->half_open);
  r |= cj_add_uint(o, "retries_sent", s->retries_sent);
  r |= cj_add_uint(o, "retry_tokens_invalid", s->retry_tokens_invalid);
  r |= cj_add_uint(o, "refused_control_clients",
                   s->ctl ? ctl_server_refused(ctl_daemon_server(s->ctl)) : 0);
  return r ? ctl_nomem(err, errlen) : 0;
}

/* add_session adds the session |ss| of |c| (peer |peer|, QUIC numbers
 * |cs|) to |arr|. */
static int add_session(json_object *arr, wt_session *ss, const char *peer,
                       const ngtcp2_conn_stat *cs, uint64_t now) {
  json_object *o = cj_push_object(arr);
  int r = 0;

  r |= cj_add_uint(o, "id", wt_session_id(ss));
  r |= cj_add_str(o, "peer", peer);
  r |= cj_add_double(o, "age", (double)(now - wt_session_opened(ss)) / 1e9);
  r |= cj_add_uint(o, "pings", ping_service_session_pings(ss));
  /* origin: the browser page's (absent for non-browser clients) */
  if (wt_session_origin(ss))
    r |= cj_add_str(o, "origin", wt_session_origin(ss));
  r |= cj_add_str(o, "auth", wt_session_auth(ss));
  r |= cj_add_double(o, "srtt_ms", (double)cs->smoothed_rtt / 1e6);
  r |= cj_add_double(o, "min_rtt_ms", (double)cs->min_rtt / 1e6);
  r |= cj_add_uint(o, "cwnd", cs->cwnd);
  return r;
}

static int cmd_sessions(void *ud, const ctl_request *req, json_object *w, char *err,
                        size_t errlen) {
  server *s = ud;
  uint64_t now = server_now_ns();
  unsigned n = 0;
  bool truncated = false;
  json_object *arr = cj_add_array(w, "sessions");
  int r = arr == NULL;

  (void)req;
  for (srv_conn *c = s->conns; c && !truncated && !r; c = c->next) {
    ngtcp2_conn_stat cs;
    char peer[ADDR_STRLEN];

    quic_conn_get_stat(c->qc, &cs);
    addr_format((const struct sockaddr *)quic_conn_path(c->qc)->remote.addr, peer, sizeof(peer));
    for (wt_session *ss = wt_conn_first_session(c->wc); ss && !r; ss = wt_session_next(ss)) {
      if (n++ == SESSIONS_MAX) {
        truncated = true;
        break;
      }
      r |= add_session(arr, ss, peer, &cs, now);
    }
  }
  if (truncated)
    r |= cj_add_bool(w, "truncated", true);
  return r ? ctl_nomem(err, errlen) : 0;
}

static const ctl_command server_commands[] = {
    {"stats", false, cmd_stats},
    {"sessions", false, cmd_sessions},
};

static const ctl_daemon_ops server_ops = {
    .name = "wtping-server",
    .info = srv_info,
    .ready = srv_ready,
    .status = srv_status,
    .reload = srv_reload,
    .drain = srv_drain,
    .cmds = server_commands,
    .ncmds = sizeof(server_commands) / sizeof(server_commands[0]),
};

void server_ctl_open(server *s) {
  s->ctl = ctl_daemon_start(s->ev, s->opts.control_socket, s->opts.control_mode, &server_ops, s);
  if (s->ctl)
    ctl_server_set_max_clients(ctl_daemon_server(s->ctl), s->opts.control_clients);
}

void server_ctl_close(server *s) {
  ctl_daemon_close(s->ctl);
  s->ctl = NULL;
}
