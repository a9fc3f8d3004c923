/* WebTransport sessions and their streams and datagrams, as the
 * application (the ping service, the client) sees them: the callbacks it
 * gets (wt_app_ops) and what it may do with a session or a stream. The
 * sessions live on a wt_conn (wt_conn.h), WebTransport over one HTTP/3
 * connection. This header does not expose the QUIC or HTTP/3 layers. */
#ifndef WTPING_WT_SESSION_H
#define WTPING_WT_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

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

/* Sessions */
/* wt_session_next returns the open session after |ss| (see
 * wt_conn_first_session), or NULL. */
wt_session *wt_session_next(wt_session *ss);
uint64_t wt_session_id(const wt_session *ss);
/* wt_session_opened returns when the session became ready (ns). */
uint64_t wt_session_opened(const wt_session *ss);

/* wt_session_bearer_challenge: (client, in session_refused) the refusal
 * carried "www-authenticate: Bearer": the server wants a token. */
bool wt_session_bearer_challenge(const wt_session *ss);
wt_conn *wt_session_conn(const wt_session *ss);
/* wt_session_peer_addr returns the peer's address (the current path's
 * remote address; valid until the next packet is processed). */
const struct sockaddr *wt_session_peer_addr(const wt_session *ss);
void *wt_session_get_app(const wt_session *ss);
/* wt_session_origin (server) returns the request's origin field, or NULL
 * when it had none; wt_session_auth how the client authenticated: "none",
 * "token", "certificate" or "token+certificate". */
const char *wt_session_origin(const wt_session *ss);
const char *wt_session_auth(const wt_session *ss);
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
