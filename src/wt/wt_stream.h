/* WebTransport data stream prefaces: bidirectional streams start with the
 * signal 0x41 and the session id; unidirectional streams with the stream type
 * 0x54 and the session id. Both are varints (0x41 and 0x54 take 2 bytes). */
#ifndef WTPING_WT_STREAM_H
#define WTPING_WT_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WT_STREAM_SIGNAL_BIDI 0x41
#define WT_STREAM_TYPE_UNI 0x54
#define WT_STREAM_HDR_MAX 16

/* wt_stream_hdr_parse decodes a preface (signal or type, session id).
 * Returns the preface length, or 0 if |len| does not hold it yet. */
size_t wt_stream_hdr_parse(const uint8_t *p, size_t len, uint64_t *type, uint64_t *session_id);

/* wt_stream_hdr_write writes a preface and returns its length. |p| needs
 * WT_STREAM_HDR_MAX bytes. */
size_t wt_stream_hdr_write(uint8_t *p, uint64_t type, uint64_t session_id);

/* wt_session_id_valid returns true if |id| can name a session: a
 * client-initiated bidirectional stream id (id % 4 == 0). */
bool wt_session_id_valid(uint64_t id);

/* Quarter stream id framing of HTTP datagrams (RFC 9297 section 2.1). */
/* wt_datagram_parse splits a DATAGRAM payload into the session id (quarter
 * stream id * 4) and the WebTransport payload. Returns 0, or -1 if the
 * quarter stream id is truncated or too large (H3_DATAGRAM_ERROR). */
int wt_datagram_parse(const uint8_t *p, size_t len, uint64_t *session_id, const uint8_t **payload,
                      size_t *payloadlen);

/* wt_datagram_hdr_write writes the quarter stream id for |session_id| and
 * returns its length (room for 8 bytes). */
size_t wt_datagram_hdr_write(uint8_t *p, uint64_t session_id);

#endif
