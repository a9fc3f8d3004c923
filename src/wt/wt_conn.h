/* HTTP/3 and WebTransport over one QUIC connection, for both roles.
 *
 * Owns: our control stream (SETTINGS, GOAWAY), the peer's control and QPACK
 * streams, extended CONNECT request streams with their capsules, the
 * classification of every stream (control / QPACK / request / WebTransport
 * 0x41 or 0x54 / unknown), WebTransport sessions, and the demultiplexing of
 * HTTP datagrams by quarter stream id. The application (the ping service, or
 * the client) sees sessions, WebTransport streams and datagrams through
 * wt_app_ops. Sans-I/O like the QUIC layer below: time is a parameter. */
#ifndef WTPING_WT_CONN_H
#define WTPING_WT_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "h3/h3_settings.h"
#include "quic/quic_conn.h"

typedef struct wt_conn wt_conn;
typedef struct wt_session wt_session;
typedef struct wt_stream wt_stream;

/* A WebTransport stream error code that came from the peer but did not map
 * to a WebTransport code (e.g. 0x10f when Chrome tears down a session). */
#define WT_CODE_NONE UINT64_MAX

typedef struct wt_app_ops {
  /* session_ready: server: the 200 was sent; client: a 2xx arrived. */
  void (*session_ready)(wt_session *ss, void *ud);
  /* session_refused (client): the server answered |status| (not 2xx), or
   * does not support WebTransport (|status| 0). */
  void (*session_refused)(wt_session *ss, int status, void *ud);
  /* session_closed: the session ended. |by_peer| tells who closed it; code
   * and reason come from a CLOSE capsule (0 and "" for a plain FIN or a
   * reset). After this, |ss| and its streams are gone for the application. */
  void (*session_closed)(wt_session *ss, uint32_t code, const uint8_t *reason, size_t reasonlen,
                         bool by_peer, void *ud);
  /* session_draining: GOAWAY or DRAIN_WEBTRANSPORT_SESSION received. */
  void (*session_draining)(wt_session *ss, void *ud);
  /* stream_open: the peer opened a WebTransport stream (bidi or uni). */
  void (*stream_open)(wt_session *ss, wt_stream *ws, void *ud);
  /* stream_data: payload bytes; |fin| when the peer finished its side. */
  void (*stream_data)(wt_session *ss, wt_stream *ws, const uint8_t *data, size_t len, bool fin,
                      void *ud);
  /* stream_reset: the peer reset its sending side (RESET_STREAM) with WT code
   * |code| or WT_CODE_NONE. */
  void (*stream_reset)(wt_session *ss, wt_stream *ws, uint64_t code, void *ud);
  /* stream_stop: the peer asked us to stop sending (STOP_SENDING). */
  void (*stream_stop)(wt_session *ss, wt_stream *ws, uint64_t code, void *ud);
  /* stream_closed: the stream is finished both ways; free its app state. */
  void (*stream_closed)(wt_session *ss, wt_stream *ws, void *ud);
  void (*datagram)(wt_session *ss, const uint8_t *data, size_t len, void *ud);
  /* stream_writable: room opened up in a stream's send queue (optional). */
  void (*stream_writable)(wt_session *ss, wt_stream *ws, void *ud);
} wt_app_ops;

typedef struct wt_conn_config {
  bool server;
  const char *path;          /* server: the WebTransport path, e.g. "/wtping" */
  unsigned max_sessions;     /* per connection (server) */
  size_t max_header_size;    /* HEADERS payload cap */
} wt_conn_config;

void wt_conn_config_default(wt_conn_config *cfg);

/* wt_conn_new attaches the HTTP/3 + WebTransport layer to |qc| (it installs
 * itself as |qc|'s quic_app_ops). Returns NULL on allocation failure. */
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
wt_session *wt_session_next(wt_session *ss);

/* wt_conn_shutdown closes every session with |code| and |reason| and then the
 * connection (H3_NO_ERROR), once the peer has answered or after a bounded
 * time. */
void wt_conn_shutdown(wt_conn *wc, uint32_t code, const char *reason, uint64_t now);

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

/* Sessions */
uint64_t wt_session_id(const wt_session *ss);
/* wt_session_opened returns when the session became ready (ns). */
uint64_t wt_session_opened(const wt_session *ss);
wt_conn *wt_session_conn(const wt_session *ss);
void *wt_session_get_app(const wt_session *ss);
void wt_session_set_app(wt_session *ss, void *app);

/* wt_session_close sends CLOSE_WEBTRANSPORT_SESSION(|code|, |reason|) + FIN. */
void wt_session_close(wt_session *ss, uint32_t code, const char *reason);

/* wt_session_open_stream opens a bidirectional or unidirectional stream in
 * the session. Returns NULL when the peer's stream limit is reached. */
wt_stream *wt_session_open_stream(wt_session *ss, bool bidi);

/* wt_session_send_datagram sends one datagram. Returns 0, or -1 if it was
 * dropped (queue full, too large, datagrams not supported). */
int wt_session_send_datagram(wt_session *ss, const uint8_t *data, size_t len);

/* wt_session_max_datagram returns the largest payload that fits a packet. */
size_t wt_session_max_datagram(wt_session *ss);

/* Streams */
int64_t wt_stream_id(const wt_stream *ws);
bool wt_stream_is_bidi(const wt_stream *ws);
bool wt_stream_is_local(const wt_stream *ws);
void *wt_stream_get_app(const wt_stream *ws);
void wt_stream_set_app(wt_stream *ws, void *app);

/* wt_stream_send queues payload (and FIN). Returns 0 or -1 (queue limit or
 * the stream is finished or reset). */
int wt_stream_send(wt_stream *ws, const uint8_t *data, size_t len, bool fin);
size_t wt_stream_send_room(const wt_stream *ws);

/* wt_stream_reset resets the stream (both directions when bidi) with
 * WebTransport application error |code|. */
void wt_stream_reset(wt_stream *ws, uint32_t code);

#endif
