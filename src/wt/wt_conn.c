/* WebTransport over one HTTP/3 connection: the h3_conn extension that
 * accepts or requests sessions, claims WebTransport streams, routes
 * datagrams, and drains or shuts down every session. See wt_conn.h. */
#include "wt/wt_conn.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "common/addr.h"
#include "common/log.h"
#include "h3/h3_error.h"
#include "h3/h3_request.h"
#include "wt/wt_capsule.h"
#include "wt/wt_error.h"
#include "wt/wt_internal.h"
#include "wt/wt_stream.h"

/* ------------------------------------------------------------ server: requests */

static int x_request(h3_conn *hc, h3_stream *hs, const h3_request *req, void *ud) {
  wt_conn *wc = ud;
  h3_verdict v = h3_request_verdict(req, wc->path);
  if (v != H3_VERDICT_ACCEPT_WT) {
    h3_stream_refuse(hs, (int)v);
    return 0;
  }
  if (!h3_settings_supports_wt(h3_conn_peer_settings(hc))) {
    h3_stream_refuse(hs, 400);
    return 0;
  }
  if (!wc->peer_checked) {
    /* mutual TLS: the certificate GnuTLS verified against the client CA
     * must also be in the allow-list, if there is one */
    wc->peer_checked = true;
    /* the TLS session is gone after the handshake: quic_conn keeps this */
    char subject[256];
    uint8_t sha256[32];
    if (quic_conn_peer_cert(wc->qc, subject, sizeof(subject), sha256) == 1) {
      wt_conn_set_peer_cert(wc, subject);
      if (wc->access && !h3_access_cert_allowed(wc->access, subject, sha256)) {
        char addr[ADDR_STRLEN];
        const ngtcp2_path *path = quic_conn_path(wc->qc);
        log_notice("refusing sessions from %s: client certificate \"%s\" is not in "
                   "client_subjects or client_pins",
                   path ? addr_format((const struct sockaddr *)path->remote.addr, addr,
                                      sizeof(addr))
                        : "?",
                   subject);
        wc->peer_refused = true;
        if (wc->cert_refused)
          (*wc->cert_refused)++;
      }
    }
  }
  if (wc->peer_refused) {
    log_notice("session refused with 403: client certificate not allowed");
    if (wc->access_refused)
      (*wc->access_refused)++;
    h3_stream_refuse(hs, 403);
    return 0;
  }
  h3_auth auth = H3_AUTH_NONE;
  if (wc->access) {
    h3_access_reason why;
    h3_access_verdict av = h3_access_check(wc->access, req, &auth, &why);
    if (av != H3_ACCESS_OK) {
      /* the origin is no secret; the token is never logged */
      log_notice("session refused with %d: %s%s%s%s", (int)av, h3_access_reason_str(why),
                 req->has_origin ? " (origin \"" : "", req->has_origin ? req->origin : "",
                 req->has_origin ? "\")" : "");
      if (wc->access_refused)
        (*wc->access_refused)++;
      static const h3_header bearer = {"www-authenticate", 16, "Bearer", 6};
      h3_stream_refuse_with(hs, (int)av, &bearer, av == H3_ACCESS_UNAUTHORIZED ? 1 : 0);
      return 0;
    }
  }
  bool goaway = h3_conn_goaway_sent(hc);
  if (wc->refusing && !goaway && !wc->shutting_down) {
    h3_stream_refuse(hs, 503);
    return 0;
  }
  if (goaway || wc->shutting_down) {
    h3_stream_reject(hs);
    return 0;
  }
  if (wc->nsessions >= wc->max_sessions) {
    h3_stream_refuse(hs, 429);
    return 0;
  }
  wt_session *ss = wt_session_new(wc);
  if (!ss)
    return h3_conn_error(hc, H3_INTERNAL_ERROR, "out of memory");
  ss->connect = hs;
  ss->id = (uint64_t)h3_stream_id(hs);
  ss->auth_token = auth == H3_AUTH_TOKEN;
  if (req->has_origin && !(ss->origin = strdup(req->origin))) {
    wt_session_free_quietly(ss);
    return h3_conn_error(hc, H3_INTERNAL_ERROR, "out of memory");
  }
  h3_stream_claim(hs, ss);
  static const h3_header draft = {"sec-webtransport-http3-draft", 28, "draft02", 7};
  if (h3_stream_respond(hs, 200, &draft, req->draft02 ? 1 : 0, false) != 0)
    return -1;
  ss->state = SS_OPEN;
  ss->opened = quic_conn_now(wc->qc);
  log_debug("session %" PRIu64 " open (%s%s%s)", ss->id, req->authority, req->path,
            req->draft02 ? ", draft02" : "");
  if (wc->app->session_ready)
    wc->app->session_ready(ss, wc->app_ud);
  return 0;
}

/* ------------------------------------------------------------ client: CONNECT */

static void send_connect(wt_session *ss) {
  wt_conn *wc = ss->wc;
  if (!h3_settings_supports_wt(h3_conn_peer_settings(wc->hc))) {
    if (wc->app->session_refused)
      wc->app->session_refused(ss, 0, wc->app_ud);
    ss->state = SS_CLOSED;
    return;
  }
  h3_stream *hs = h3_conn_open_request(wc->hc, ss);
  if (!hs) {
    h3_conn_error(wc->hc, H3_INTERNAL_ERROR, "cannot open the CONNECT stream");
    return;
  }
  ss->connect = hs;
  ss->id = (uint64_t)h3_stream_id(hs);
  h3_header hdrs[8];
  size_t n = h3_request_build_connect(hdrs, ss->authority, ss->path, ss->origin);
  if (ss->authorization) { /* the 8th and last room in hdrs */
    hdrs[n].name = "authorization";
    hdrs[n].namelen = 13;
    hdrs[n].value = ss->authorization;
    hdrs[n].valuelen = strlen(ss->authorization);
    n++;
  }
  if (h3_stream_send_headers(hs, hdrs, n, false) != 0)
    h3_conn_error(wc->hc, H3_INTERNAL_ERROR, "cannot send the CONNECT request");
}

static int x_response(h3_conn *hc, h3_stream *hs, int status, void *ud) {
  (void)hc;
  wt_conn *wc = ud;
  wt_session *ss = h3_stream_owner(hs);
  if (ss->state != SS_PENDING)
    return 0;
  if (status >= 200 && status < 300) {
    ss->state = SS_OPEN;
    ss->opened = quic_conn_now(wc->qc);
    if (wc->app->session_ready)
      wc->app->session_ready(ss, wc->app_ud);
    return 0;
  }
  ss->state = SS_CLOSED;
  ss->bearer_challenge = h3_stream_bearer_challenge(hs);
  if (wc->app->session_refused)
    wc->app->session_refused(ss, status, wc->app_ud);
  h3_stream_release(hs);
  wt_session_free_quietly(ss);
  return 0;
}

static int x_settings(h3_conn *hc, const h3_settings *peer, void *ud) {
  (void)hc;
  (void)peer;
  wt_conn *wc = ud;
  /* A client's CONNECTs wait for the server's SETTINGS. */
  if (!wc->server)
    for (wt_session *ss = wc->sessions; ss; ss = ss->next)
      if (ss->state == SS_PENDING && !ss->connect)
        send_connect(ss);
  return 0;
}

/* ------------------------------------------------------------ CONNECT streams */

static int x_request_data(h3_conn *hc, h3_stream *hs, const uint8_t *data, size_t len, void *ud) {
  (void)hc;
  (void)ud;
  return wt_session_capsules(h3_stream_owner(hs), data, len);
}

static void x_request_fin(h3_conn *hc, h3_stream *hs, void *ud) {
  (void)hc;
  (void)ud;
  wt_session *ss = h3_stream_owner(hs);
  ss->fin_received = true;
  wt_session_end(ss, 0, NULL, 0, !ss->close_sent);
}

static void x_request_lost(h3_conn *hc, h3_stream *hs, void *ud) {
  (void)hc;
  (void)ud;
  wt_session_lost(h3_stream_owner(hs));
}

static void x_goaway(h3_conn *hc, uint64_t id, void *ud) {
  (void)hc;
  (void)id;
  wt_conn *wc = ud;
  for (wt_session *ss = wc->sessions; ss; ss = ss->next)
    if (ss->state == SS_OPEN && wc->app->session_draining)
      wc->app->session_draining(ss, wc->app_ud);
}

/* ------------------------------------------------------------ data streams, datagrams */

static int x_claim_stream(h3_conn *hc, h3_stream *hs, uint64_t type, void *ud) {
  wt_conn *wc = ud;
  if (type != (h3_stream_is_bidi(hs) ? WT_STREAM_SIGNAL_BIDI : WT_STREAM_TYPE_UNI))
    return 0;
  if (!wt_stream_new(wc, hs, WTS_PREFACE))
    return h3_conn_error(hc, H3_INTERNAL_ERROR, "out of memory");
  return 1;
}

static int x_stream_data(h3_conn *hc, h3_stream *hs, const uint8_t *data, size_t len, bool fin,
                         void *ud) {
  (void)hc;
  (void)ud;
  return wt_stream_input(h3_stream_owner(hs), data, len, fin);
}

static uint64_t map_code(uint64_t h3) {
  uint32_t code;
  return wt_error_from_h3(h3, &code) == 0 ? code : WT_CODE_NONE;
}

static void x_stream_reset(h3_conn *hc, h3_stream *hs, uint64_t code, void *ud) {
  (void)hc;
  wt_conn *wc = ud;
  wt_stream *ws = h3_stream_owner(hs);
  if (ws->state == WTS_OPEN && wc->app->stream_reset)
    wc->app->stream_reset(ws->ss, ws, map_code(code), wc->app_ud);
}

static void x_stream_stop(h3_conn *hc, h3_stream *hs, uint64_t code, void *ud) {
  (void)hc;
  wt_conn *wc = ud;
  wt_stream *ws = h3_stream_owner(hs);
  if (ws->state == WTS_OPEN && wc->app->stream_stop)
    wc->app->stream_stop(ws->ss, ws, map_code(code), wc->app_ud);
}

static void x_stream_close(h3_conn *hc, h3_stream *hs, void *ud) {
  (void)hc;
  (void)ud;
  wt_stream_closed(h3_stream_owner(hs));
}

static int x_datagram(h3_conn *hc, const uint8_t *data, size_t len, void *ud) {
  wt_conn *wc = ud;
  uint64_t sid;
  const uint8_t *payload;
  size_t plen;
  if (wt_datagram_parse(data, len, &sid, &payload, &plen) != 0)
    return h3_conn_error(hc, H3_DATAGRAM_ERROR, "malformed HTTP datagram");
  wt_session *ss = wt_session_find(wc, sid);
  if (ss && ss->state == SS_OPEN && wc->app->datagram)
    wc->app->datagram(ss, payload, plen, wc->app_ud);
  return 0; /* datagrams for unknown sessions are dropped */
}

static const h3_ext_ops wt_ext_ops = {
    .claim_stream = x_claim_stream,
    .stream_data = x_stream_data,
    .stream_reset = x_stream_reset,
    .stream_stop = x_stream_stop,
    .stream_close = x_stream_close,
    .request = x_request,
    .response = x_response,
    .request_data = x_request_data,
    .request_fin = x_request_fin,
    .request_lost = x_request_lost,
    .settings = x_settings,
    .goaway = x_goaway,
    .datagram = x_datagram,
};

/* ------------------------------------------------------------ public */

void wt_conn_config_default(wt_conn_config *cfg) {
  memset(cfg, 0, sizeof(*cfg));
  cfg->server = true;
  cfg->path = "/wtping";
  cfg->max_sessions = 4;
  cfg->max_header_size = 16 * 1024;
}

wt_conn *wt_conn_new(const wt_conn_config *cfg, quic_conn *qc, const wt_app_ops *app,
                     void *app_ud) {
  wt_conn *wc = calloc(1, sizeof(*wc));
  if (!wc)
    return NULL;
  wc->qc = qc;
  wc->server = cfg->server;
  wc->path = cfg->path;
  wc->max_sessions = cfg->max_sessions;
  wc->access = cfg->access;
  wc->access_refused = cfg->access_refused;
  wc->cert_refused = cfg->cert_refused;
  wc->app = app;
  wc->app_ud = app_ud;
  wc->linger_deadline = UINT64_MAX;
  wc->shutdown_deadline = UINT64_MAX;
  /* What Chromium needs to speak WebTransport (draft-02 and draft-07). */
  wc->settings[0] = (h3_setting){H3_SETTING_ENABLE_CONNECT_PROTOCOL, 1};
  wc->settings[1] = (h3_setting){H3_SETTING_H3_DATAGRAM, 1};
  wc->settings[2] = (h3_setting){H3_SETTING_ENABLE_WEBTRANSPORT, 1};
  wc->settings[3] = (h3_setting){H3_SETTING_WT_MAX_SESSIONS_DRAFT07, cfg->max_sessions};
  h3_conn_config hcfg = {
      .server = cfg->server,
      .max_header_size = cfg->max_header_size,
      .settings = wc->settings,
      .nsettings = sizeof(wc->settings) / sizeof(wc->settings[0]),
  };
  wc->hc = h3_conn_new(&hcfg, qc, &wt_ext_ops, wc);
  if (!wc->hc) {
    free(wc);
    return NULL;
  }
  return wc;
}

void wt_conn_refuse_peer(wt_conn *wc) { wc->peer_refused = true; }

void wt_conn_set_peer_cert(wt_conn *wc, const char *subject) {
  free(wc->peer_cert);
  wc->peer_cert = subject ? strdup(subject) : NULL; /* NULL: reported as none */
}

void wt_conn_free(wt_conn *wc) {
  if (!wc)
    return;
  /* The connection is gone: end every session so that the application frees
   * its per-session and per-stream state (and counts the session as over). */
  static const char lost[] = "connection lost";
  while (wc->sessions) {
    wt_session *ss = wc->sessions;
    if (ss->state == SS_CLOSED) {
      if (ss->connect)
        h3_stream_release(ss->connect);
      wt_session_free_quietly(ss);
    } else {
      wt_session_end(ss, 0, (const uint8_t *)lost, sizeof(lost) - 1, true);
    }
  }
  while (wc->streams)
    wt_stream_free(wc->streams);
  h3_conn_free(wc->hc);
  free(wc->peer_cert);
  free(wc);
}

quic_conn *wt_conn_quic(wt_conn *wc) { return wc->qc; }

unsigned wt_conn_sessions(const wt_conn *wc) { return wc->nsessions; }

const h3_settings *wt_conn_peer_settings(const wt_conn *wc) {
  return h3_conn_peer_settings(wc->hc);
}

uint64_t wt_conn_expiry(const wt_conn *wc) {
  if (wc->shutting_down && wc->nsessions == 0 && !quic_conn_close_requested(wc->qc))
    return 0; /* every session answered: close the connection now */
  uint64_t t = wc->linger_deadline;
  if (wc->shutdown_deadline < t)
    t = wc->shutdown_deadline;
  for (const wt_session *ss = wc->sessions; ss; ss = ss->next)
    if (ss->close_deadline < t)
      t = ss->close_deadline;
  return t;
}

void wt_conn_timeout(wt_conn *wc, uint64_t now) {
  /* Sessions whose peer never answered our CLOSE. */
  for (wt_session *ss = wc->sessions, *next; ss; ss = next) {
    next = ss->next;
    if (ss->close_deadline <= now) {
      if (ss->connect)
        quic_stream_reset(h3_stream_quic(ss->connect), H3_NO_ERROR, true);
      wt_session_end(ss, 0, NULL, 0, false);
    }
  }
  if (wc->linger_deadline <= now || wc->shutdown_deadline <= now ||
      (wc->shutting_down && wc->nsessions == 0)) {
    wc->linger_deadline = wc->shutdown_deadline = UINT64_MAX;
    quic_conn_close(wc->qc, H3_NO_ERROR, NULL);
  }
}

void wt_conn_refuse_sessions(wt_conn *wc) { wc->refusing = true; }

void wt_conn_goaway(wt_conn *wc) {
  if (!wc->server)
    return;
  wc->refusing = true;
  h3_conn_send_goaway(wc->hc);
  uint8_t cap[WT_CAPSULE_HDR_MAX];
  size_t n = wt_capsule_drain_write(cap, sizeof(cap));
  for (wt_session *ss = wc->sessions; ss; ss = ss->next)
    if (ss->state == SS_OPEN && !ss->close_sent)
      wt_session_send_capsule(ss, cap, n, false);
}

void wt_conn_shutdown(wt_conn *wc, uint32_t code, const char *reason, uint64_t now) {
  if (wc->shutting_down)
    return;
  wc->shutting_down = true;
  if (wc->server)
    h3_conn_send_goaway(wc->hc);
  for (wt_session *ss = wc->sessions, *next; ss; ss = next) {
    next = ss->next;
    wt_session_close(ss, code, reason);
  }
  wc->shutdown_deadline = now + WT_CLOSE_WAIT_NS;
  if (wc->nsessions == 0)
    quic_conn_close(wc->qc, H3_NO_ERROR, NULL);
}

wt_session *wt_conn_connect(wt_conn *wc, const char *authority, const char *path,
                            const char *origin) {
  return wt_conn_connect_with(wc, authority, path, origin, NULL);
}

wt_session *wt_conn_connect_with(wt_conn *wc, const char *authority, const char *path,
                                 const char *origin, const char *authorization) {
  wt_session *ss = wt_session_new(wc);
  if (!ss)
    return NULL;
  ss->authority = strdup(authority);
  ss->path = strdup(path);
  ss->origin = origin ? strdup(origin) : NULL;
  ss->authorization = authorization && *authorization ? strdup(authorization) : NULL;
  if (!ss->authority || !ss->path || (origin && !ss->origin) ||
      (authorization && *authorization && !ss->authorization)) {
    wt_session_free_quietly(ss);
    return NULL;
  }
  if (h3_conn_peer_settings(wc->hc))
    send_connect(ss);
  return ss;
}

wt_session *wt_conn_first_session(wt_conn *wc) {
  for (wt_session *ss = wc->sessions; ss; ss = ss->next)
    if (ss->state == SS_OPEN)
      return ss;
  return NULL;
}
