/* An HTTP/3 connection (RFC 9114) on one QUIC connection, for both roles.
 *
 * Owns: our control stream with SETTINGS and GOAWAY, the peer's control
 * and QPACK streams, the classification of every stream by its first varint,
 * request streams (HEADERS and DATA frames, the QPACK codec), the peer's
 * SETTINGS and GOAWAY. It knows nothing of what runs on top: an extension
 * (WebTransport, src/wt) gets hooks to claim streams whose first varint
 * HTTP/3 does not know, to take requests and the DATA of request streams it
 * owns, and to receive datagrams; the settings it needs are configuration
 * (h3_ext.h). The streams' API is h3_stream.h. Sans-I/O like the QUIC layer below: it never reads a clock. */
#ifndef WTPING_H3_CONN_H
#define WTPING_H3_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "h3/h3_ext.h"
#include "h3/h3_settings.h"
#include "h3/h3_stream.h"
#include "quic/quic_conn.h"

/* h3_conn_new attaches HTTP/3 to |qc| (it installs itself as |qc|'s
 * quic_app_ops) with the extension |ext| (may be NULL). Returns NULL on
 * allocation failure. */
h3_conn *h3_conn_new(const h3_conn_config *cfg, quic_conn *qc, const h3_ext_ops *ext,
                     void *ext_ud);

/* h3_conn_free frees the layer and its streams (not |qc|), without hooks. */
void h3_conn_free(h3_conn *hc);

quic_conn *h3_conn_quic(h3_conn *hc);

/* h3_conn_error closes the connection with HTTP/3 error |code| (|why| is
 * logged and sent as the reason). Returns -1. */
int h3_conn_error(h3_conn *hc, uint64_t code, const char *why);

/* h3_conn_peer_settings returns the peer's SETTINGS, or NULL before they
 * arrived. */
const h3_settings *h3_conn_peer_settings(const h3_conn *hc);

/* h3_conn_send_goaway (server) sends GOAWAY naming the first request stream
 * that will not be processed; requests opened after it are rejected. Once. */
void h3_conn_send_goaway(h3_conn *hc);
bool h3_conn_goaway_sent(const h3_conn *hc);

/* h3_conn_open_request (client) opens a request stream owned by |owner|.
 * Returns NULL when the peer's stream limit is reached or on allocation
 * failure. Send the request with h3_stream_send_headers. */
h3_stream *h3_conn_open_request(h3_conn *hc, void *owner);

/* h3_conn_open_stream opens a bidirectional or unidirectional stream owned
 * by |owner| whose bytes are the extension's (nothing of HTTP/3 is written).
 * Returns NULL when the peer's stream limit is reached or on allocation
 * failure. */
h3_stream *h3_conn_open_stream(h3_conn *hc, bool bidi, void *owner);

#endif
