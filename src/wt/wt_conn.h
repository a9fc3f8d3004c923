/* WebTransport over one HTTP/3 connection (h3_conn), for both roles.
 *
 * Owns the HTTP/3 connection it creates on the QUIC connection and plugs
 * into it as its extension: the WebTransport SETTINGS, accepting (server) or
 * sending (client) extended CONNECT requests, claiming 0x41 / 0x54 streams,
 * demultiplexing HTTP datagrams by quarter stream id, GOAWAY/drain and the
 * orderly shutdown of every session. One session's own protocol (capsules,
 * its streams and datagrams, how it ends) is wt_session.c. The application
 * sees sessions, WebTransport streams and datagrams through wt_app_ops
 * (wt_session.h). Sans-I/O like the layers below: time is a parameter. */
#ifndef WTPING_WT_CONN_H
#define WTPING_WT_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "h3/h3_access.h"
#include "h3/h3_settings.h"
#include "quic/quic_conn.h"
#include "wt/wt_session.h"

typedef struct wt_conn_config {
  bool server;
  const char *path;          /* server: the WebTransport path, e.g. "/wtping" */
  unsigned max_sessions;     /* per connection (server) */
  size_t max_header_size;    /* HEADERS payload cap */
  /* server: who may open sessions (origins, bearer tokens); NULL: anyone.
   * Read at each request, so the owner may change it in place. */
  const h3_access *access;
  uint64_t *access_refused;  /* server: counts requests it refused (optional) */
  uint64_t *cert_refused;    /* server: counts connections whose client
                                certificate is not allowed (optional) */
} wt_conn_config;

void wt_conn_config_default(wt_conn_config *cfg);

/* wt_conn_new attaches HTTP/3 (an h3_conn, which installs itself as |qc|'s
 * quic_app_ops) with WebTransport on top to |qc|. Returns NULL on allocation
 * failure. */
wt_conn *wt_conn_new(const wt_conn_config *cfg, quic_conn *qc, const wt_app_ops *app,
                     void *app_ud);

/* wt_conn_free frees the layer (not |qc|). Applications get no callbacks. */
void wt_conn_free(wt_conn *wc);

quic_conn *wt_conn_quic(wt_conn *wc);

/* wt_conn_expiry / wt_conn_timeout: the layer's own deadline (closing a
 * connection whose last session ended). Combine it with quic_conn_expiry. */
uint64_t wt_conn_expiry(const wt_conn *wc);
void wt_conn_timeout(wt_conn *wc, uint64_t now);

/* wt_conn_goaway (server) sends GOAWAY and DRAIN_WEBTRANSPORT_SESSION to
 * every session and refuses new requests. */
void wt_conn_goaway(wt_conn *wc);

/* wt_conn_refuse_sessions (server) answers new session requests with 503
 * from now on (draining); wt_conn_goaway implies it. */
void wt_conn_refuse_sessions(wt_conn *wc);

/* wt_conn_first_session / wt_session_next iterate over the open sessions. */
wt_session *wt_conn_first_session(wt_conn *wc);

/* wt_conn_shutdown closes every session with |code| and |reason| and then the
 * connection (H3_NO_ERROR), once the peer has answered or after a bounded
 * time. */
void wt_conn_shutdown(wt_conn *wc, uint32_t code, const char *reason, uint64_t now);

/* wt_conn_set_peer_cert (server) records that the client authenticated
 * with a certificate whose subject is |subject| (mutual TLS): its sessions
 * then report "certificate" (or "token+certificate"). */
void wt_conn_set_peer_cert(wt_conn *wc, const char *subject);

/* wt_conn_refuse_peer (server): every session request on this connection
 * gets 403 (counted like an access refusal). wt_conn does this itself when
 * the client certificate is not in the access policy's allow-list. */
void wt_conn_refuse_peer(wt_conn *wc);

/* wt_conn_sessions returns the number of live sessions. */
unsigned wt_conn_sessions(const wt_conn *wc);

/* wt_conn_peer_settings returns the peer's SETTINGS, or NULL before they
 * arrived. */
const h3_settings *wt_conn_peer_settings(const wt_conn *wc);

/* Client role: wt_conn_connect sends an extended CONNECT for |authority| and
 * |path| as soon as the server's SETTINGS allow it. Returns the session, or
 * NULL on failure. */
wt_session *wt_conn_connect(wt_conn *wc, const char *authority, const char *path,
                            const char *origin);

/* wt_conn_connect_with is wt_conn_connect with an authorization field
 * (|authorization|, e.g. "Bearer TOKEN"; NULL or "" for none), which is
 * kept only until the request is sent and wiped when the session ends. */
wt_session *wt_conn_connect_with(wt_conn *wc, const char *authority, const char *path,
                                 const char *origin, const char *authorization);

#endif
