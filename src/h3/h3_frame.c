/* HTTP/3 frame headers (RFC 9114 section 7). */
#include "h3/h3_frame.h"

#include "common/varint.h"
#include "h3/h3_error.h"

bool h3_frame_reserved_h2(uint64_t type) {
  return type == 0x02 || type == 0x06 || type == 0x08 || type == 0x09;
}

bool h3_is_grease(uint64_t id) { return id >= 0x21 && (id - 0x21) % 0x1f == 0; }

size_t h3_frame_hdr_parse(const uint8_t *p, size_t len, uint64_t *type, uint64_t *length) {
  return varint_pair_decode(p, len, type, length);
}

/* h3_frame_hdr_write returns 0 (and writes nothing) if |type| or |length|
 * exceeds VARINT_MAX. */
size_t h3_frame_hdr_write(uint8_t *p, uint64_t type, uint64_t length) {
  uint8_t *q;

  if (type > VARINT_MAX || length > VARINT_MAX) {
    return 0;
  }
  q = varint_encode(p, type);
  q = varint_encode(q, length);
  return (size_t)(q - p);
}

uint64_t h3_goaway_parse(const uint8_t *payload, size_t len, uint64_t *id) {
  uint64_t v;
  size_t n;

  n = varint_decode(payload, len, &v);
  if (n == 0 || n != len) {
    return H3_FRAME_ERROR;
  }
  *id = v;
  return 0;
}

/* h3_goaway_write returns 0 (and writes nothing) if |id| exceeds
 * VARINT_MAX. */
size_t h3_goaway_write(uint8_t *p, uint64_t id) {
  size_t idlen = varint_len(id), n;

  if (idlen == 0) {
    return 0;
  }
  n = h3_frame_hdr_write(p, H3_FRAME_GOAWAY, idlen);
  return (size_t)(varint_encode(p + n, id) - p);
}
