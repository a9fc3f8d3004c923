/* WebTransport data stream prefaces and HTTP datagram framing. */
#include "wt/wt_stream.h"

#include "common/varint.h"

size_t wt_stream_hdr_parse(const uint8_t *p, size_t len, uint64_t *type, uint64_t *session_id) {
  return varint_pair_decode(p, len, type, session_id);
}

/* wt_stream_hdr_write returns 0 (and writes nothing) if |type| or
 * |session_id| exceeds VARINT_MAX. */
size_t wt_stream_hdr_write(uint8_t *p, uint64_t type, uint64_t session_id) {
  uint8_t *q;

  if (type > VARINT_MAX || session_id > VARINT_MAX) {
    return 0;
  }
  q = varint_encode(p, type);
  q = varint_encode(q, session_id);
  return (size_t)(q - p);
}

/* wt_session_id_valid also rejects ids above VARINT_MAX, which no stream
 * can have. */
bool wt_session_id_valid(uint64_t id) { return id <= VARINT_MAX && id % 4 == 0; }

int wt_datagram_parse(const uint8_t *p, size_t len, uint64_t *session_id, const uint8_t **payload,
                      size_t *payloadlen) {
  uint64_t qsid;
  size_t n;

  n = varint_decode(p, len, &qsid);
  if (n == 0) {
    return -1;
  }
  /* RFC 9297 section 2.1: the quarter stream id is at most 2^60 - 1, i.e.
   * qsid * 4 must still be a valid stream id. */
  if (qsid > VARINT_MAX / 4) {
    return -1;
  }
  *session_id = qsid * 4;
  *payload = p + n;
  *payloadlen = len - n;
  return 0;
}

/* wt_datagram_hdr_write returns 0 (and writes nothing) if |session_id| is
 * not a valid session id (see wt_session_id_valid). */
size_t wt_datagram_hdr_write(uint8_t *p, uint64_t session_id) {
  if (!wt_session_id_valid(session_id)) {
    return 0;
  }
  return (size_t)(varint_encode(p, session_id / 4) - p);
}
