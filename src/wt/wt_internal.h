/* What wt_conn.c and wt_session.c share: the structures behind wt_conn,
 * wt_session and wt_stream, and the functions of wt_session.c that wt_conn.c
 * calls (never the other way). Not for use outside src/wt. */
#ifndef WTPING_WT_INTERNAL_H
#define WTPING_WT_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/varint.h"
#include "h3/h3_access.h"
#include "h3/h3_conn.h"

typedef struct wt_conn wt_conn;
typedef struct wt_session wt_session;
typedef struct wt_stream wt_stream;
struct wt_app_ops; /* wt_session.h */

/* How long a server keeps a connection after its last session ended, so the
 * FIN that answers the peer's CLOSE is delivered (Chromium never sends
 * CONNECTION_CLOSE, it just goes quiet). */
#define WT_LINGER_MIN_NS (100 * 1000 * 1000ULL)
/* How long we wait for the peer to answer our CLOSE capsule. */
#define WT_CLOSE_WAIT_NS (2 * 1000 * 1000 * 1000ULL)

enum wt_stream_state {
  WTS_PREFACE, /* peer stream after 0x41 / 0x54: reading the session id */
  WTS_OPEN,    /* a data stream of an open session */
  WTS_GONE,    /* rejected, or its session ended: the rest is dropped */
};

/* A WebTransport data stream; its h3_stream's owner. */
struct wt_stream {
  wt_conn *wc;
  h3_stream *hs;
  quic_stream *qs;
  int64_t id;
  uint8_t state;
  bool bidi, local;
  uint8_t hdr[VARINT_MAXLEN]; /* the session id of the preface */
  uint8_t hdrlen;
  wt_session *ss;
  wt_stream *snext, *sprev; /* the session's data streams */
  wt_stream *anext, *aprev; /* every wt_stream of the connection */
  void *app;
};

enum wt_session_state { SS_PENDING, SS_OPEN, SS_CLOSED };

/* A session; the owner of its CONNECT stream's h3_stream. */
struct wt_session {
  wt_conn *wc;
  h3_stream *connect;
  uint64_t id;
  uint8_t state;
  bool close_sent, close_received, fin_received;
  bool we_closed;    /* our CLOSE capsule went out first */
  bool bearer_challenge; /* client: refused with "www-authenticate: Bearer" */
  uint64_t opened;   /* when it became ready (ns) */
  uint32_t our_code; /* what we sent in it */
  char *our_reason;
  uint64_t close_deadline;
  wt_stream *streams;
  wt_session *next;
  void *app;
  /* client: the request, sent once the server's SETTINGS arrived;
   * server: origin is the request's (NULL without one) */
  char *authority, *path, *origin;
  bool auth_token; /* server: a valid bearer token came with the request */
  char *authorization; /* client: the authorization field to send */
  /* capsule parser over the CONNECT stream's DATA payload */
  uint8_t cp;
  uint8_t chdr[VARINT_MAXLEN];
  uint8_t chdrlen;
  uint64_t ctype, cleft;
  uint8_t *buf; /* a CLOSE capsule's value while it is read */
  size_t buflen, bufcap;
};

struct wt_conn {
  h3_conn *hc;
  quic_conn *qc;
  bool server;
  const char *path;       /* server: where sessions are accepted */
  unsigned max_sessions;  /* server: per connection */
  h3_setting settings[4]; /* the WebTransport SETTINGS, given to h3_conn */
  const struct wt_app_ops *app;
  void *app_ud;
  wt_session *sessions;
  unsigned nsessions;
  wt_stream *streams; /* every wt_stream, for wt_conn_free */
  bool refusing;      /* draining: new sessions get 503 */
  const h3_access *access; /* server: see wt_conn_config */
  uint64_t *access_refused;
  char *peer_cert;    /* server: the client certificate's subject (mutual TLS) */
  bool peer_refused;  /* server: that certificate is not allowed: 403 */
  bool peer_checked;  /* server: the certificate was looked at (first request) */
  uint64_t *cert_refused;
  bool shutting_down;
  uint64_t linger_deadline;   /* close the connection then (UINT64_MAX: no) */
  uint64_t shutdown_deadline; /* force-close then */
};

/* wt_session.c: sessions */
/* wt_session_new links a new pending session (no CONNECT stream yet) into
 * |wc|. Returns NULL on allocation failure. */
wt_session *wt_session_new(wt_conn *wc);
wt_session *wt_session_find(wt_conn *wc, uint64_t id);
/* wt_session_free_quietly unlinks and frees |ss| without telling anyone. */
void wt_session_free_quietly(wt_session *ss);
/* wt_session_end finishes a session once: tells the application, resets its
 * streams with WT_SESSION_GONE and answers a peer's close with a FIN. */
void wt_session_end(wt_session *ss, uint32_t code, const uint8_t *reason, size_t reasonlen,
                    bool by_peer);
/* wt_session_lost ends the session of a CONNECT stream that was reset,
 * stopped or closed underneath it: no CLOSE capsule, no FIN in answer. */
void wt_session_lost(wt_session *ss);
/* wt_session_capsules parses CONNECT-stream DATA payload as capsules.
 * Returns 0 (also when the session ended on the way), or -1 after a
 * connection error. */
int wt_session_capsules(wt_session *ss, const uint8_t *p, size_t len);
/* wt_session_send_capsule sends |cap| in a DATA frame on the CONNECT stream. */
void wt_session_send_capsule(wt_session *ss, const uint8_t *cap, size_t n, bool fin);

/* wt_session.c: data streams */
/* wt_stream_new makes the wt_stream owning |hs|. Returns NULL on allocation
 * failure. */
wt_stream *wt_stream_new(wt_conn *wc, h3_stream *hs, uint8_t state);
void wt_stream_free(wt_stream *ws);
/* wt_stream_input handles the bytes of a peer stream after its 0x41 / 0x54:
 * the session id, then payload for the application. Returns 0 or -1. */
int wt_stream_input(wt_stream *ws, const uint8_t *p, size_t len, bool fin);
/* wt_stream_closed: the QUIC stream is finished both ways; frees |ws|. */
void wt_stream_closed(wt_stream *ws);

#endif
