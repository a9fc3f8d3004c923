/* One stream of an HTTP/3 connection (h3_conn.h), as the extension that
 * owns it sees it: its identity, ownership, and what may be sent on it. */
#ifndef WTPING_H3_STREAM_H
#define WTPING_H3_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "h3/h3_qpack.h"
#include "quic/quic_conn.h"

typedef struct h3_stream h3_stream;

int64_t h3_stream_id(const h3_stream *hs);
bool h3_stream_is_bidi(const h3_stream *hs);
bool h3_stream_is_local(const h3_stream *hs);
quic_stream *h3_stream_quic(const h3_stream *hs);
void *h3_stream_owner(const h3_stream *hs);
/* h3_stream_bearer_challenge: (client) the final response carried
 * "www-authenticate: Bearer". */
bool h3_stream_bearer_challenge(const h3_stream *hs);

/* h3_stream_claim makes |owner| the owner of |hs| (from claim_stream, or a
 * request the extension accepted: its DATA then goes to request_data). */
void h3_stream_claim(h3_stream *hs, void *owner);

/* h3_stream_release drops the owner: everything that still arrives on |hs|
 * is discarded, and no hook is called for it again. */
void h3_stream_release(h3_stream *hs);

/* h3_stream_send_headers QPACK-encodes |n| headers and queues a HEADERS
 * frame (and a FIN). Returns 0, or -1 (nothing queued) if it does not fit. */
int h3_stream_send_headers(h3_stream *hs, const h3_header *hdrs, size_t n, bool fin);

/* h3_stream_respond sends a response: :status |status| then |extra|.
 * Returns 0, or -1 after a connection error. */
int h3_stream_respond(h3_stream *hs, int status, const h3_header *extra, size_t nextra, bool fin);

/* h3_stream_send_data queues one DATA frame with |payload| (and a FIN).
 * Returns 0, or -1 (nothing queued) if the send queue has no room. */
int h3_stream_send_data(h3_stream *hs, const uint8_t *payload, size_t len, bool fin);

/* h3_stream_refuse answers a request with |status| and FIN, asks the peer to
 * stop sending (H3_NO_ERROR) and discards the rest of the stream. */
void h3_stream_refuse(h3_stream *hs, int status);

/* h3_stream_refuse_with is h3_stream_refuse with |n| extra response fields
 * (www-authenticate with a 401). */
void h3_stream_refuse_with(h3_stream *hs, int status, const h3_header *extra, size_t n);

/* h3_stream_reject resets a request stream with H3_REQUEST_REJECTED (not
 * processed: the client may retry it) and discards the rest. */
void h3_stream_reject(h3_stream *hs);

#endif
