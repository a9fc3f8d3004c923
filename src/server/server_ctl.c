/* wtping-server's control socket (docs/control.md): what the server adds
 * to the commands both daemons share (ctl/ctl_daemon.c). The daemon sends
 * data as JSON, wtpctl renders it. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cert/cert_make.h"
#include "cert/cert_schedule.h"
#include "common/addr.h"
#include "common/log.h"
#include "ctl/ctl_daemon.h"
#include "server/server_advertise.h"
#include "server/server_cert.h"
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

/* ---- certificates ("cert", and the "certificate" member of "status") */

static void iso_time(int64_t t, char *buf, size_t cap) {
  time_t tt = (time_t)t;
  struct tm tm;
  if (!gmtime_r(&tt, &tm) || strftime(buf, cap, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
    snprintf(buf, cap, "%" PRId64, t);
}

static int add_time(json_object *o, const char *key, const char *key_unix, int64_t t) {
  char iso[32];
  iso_time(t, iso, sizeof(iso));
  return cj_add_str(o, key, iso) | cj_add_int(o, key_unix, t);
}

static int add_cert(json_object *w, const char *key, const cert_info *ci, int64_t now) {
  json_object *o = cj_add_object(w, key);
  char hex[65], b64[45];
  int r = o == NULL;
  if (r)
    return -1;
  cert_hash_hex(ci->sha256, hex);
  cert_hash_b64(ci->sha256, b64);
  r |= cj_add_str(o, "sha256", hex);
  r |= cj_add_str(o, "sha256_base64", b64);
  r |= add_time(o, "not_before", "not_before_unix", ci->not_before);
  r |= add_time(o, "not_after", "not_after_unix", ci->not_after);
  r |= cj_add_str(o, "key", ci->ecdsa_p256 ? "ECDSA P-256" : "other (not ECDSA P-256)");
  r |= cj_add_str(o, "expiry", cert_expiry_name(cert_expiry_state(ci->not_before, ci->not_after,
                                                                  now, CERT_WARN_BEFORE_S)));
  r |= cj_add_bool(o, "browser_ok", cert_browser_ok(ci));
  return r;
}

static int cmd_cert(void *ud, const ctl_request *req, json_object *w, char *err, size_t errlen) {
  server *s = ud;
  int64_t now = (int64_t)time(NULL);
  server_cert_view v;
  uint8_t hashes[2][CERT_HASH_LEN];
  size_t nh = 0;
  char js[512];
  int r = 0;

  (void)req;
  server_certs_view(s, now, &v);
  if (!v.has[0]) {
    snprintf(err, errlen, "no certificate information");
    return -1;
  }
  r |= cj_add_str(w, "mode", v.self_rotating ? "self-rotating" : "file");
  if (v.self_rotating) {
    r |= cj_add_int(w, "rotation_seconds", v.rotation_s);
    r |= add_time(w, "next_switch", "next_switch_unix", v.next_switch);
    r |= cj_add_str(w, "ca_file", v.ca_file);
  } else {
    r |= cj_add_str(w, "file", s->opts.cert_file);
  }
  r |= add_cert(w, "current", &v.info[0], now);
  if (v.has[1])
    r |= add_cert(w, "next", &v.info[1], now);
  else
    r |= cj_add_null(w, "next");
  for (int i = 0; i < 2; i++)
    if (v.has[i] && cert_browser_ok(&v.info[i]) && now < v.info[i].not_after)
      memcpy(hashes[nh++], v.info[i].sha256, CERT_HASH_LEN);
  if (nh && cert_hashes_js(js, sizeof(js), (const uint8_t(*)[CERT_HASH_LEN])hashes, nh) == 0)
    r |= cj_add_str(w, "server_certificate_hashes", js);
  else
    r |= cj_add_null(w, "server_certificate_hashes");
  return r ? ctl_nomem(err, errlen) : 0;
}

/* status_cert adds the "certificate" member of "status": the mode and the
 * current certificate's end, with its expiry state. */
static int status_cert(server *s, json_object *w) {
  int64_t now = (int64_t)time(NULL);
  server_cert_view v;
  json_object *o;
  int r = 0;

  server_certs_view(s, now, &v);
  if (!v.has[0])
    return 0;
  o = cj_add_object(w, "certificate");
  if (!o)
    return -1;
  r |= cj_add_str(o, "mode", v.self_rotating ? "self-rotating" : "file");
  r |= add_time(o, "not_after", "not_after_unix", v.info[0].not_after);
  r |= cj_add_str(o, "expiry", cert_expiry_name(v.expiry));
  if (v.self_rotating)
    r |= add_time(o, "next_switch", "next_switch_unix", v.next_switch);
  return r;
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
  r |= status_cert(s, w);
  o = cj_add_object(w, "advertise"); /* DNS-SD (docs/discovery.md) */
  r |= o == NULL;
  r |= cj_add_str(o, "state", server_advertise_state(s));
  r |= cj_add_str(o, "name", s->adv ? server_advertise_name(s) : NULL);
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
    {"cert", false, cmd_cert},
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
