/* Capsules on the WebTransport CONNECT stream (RFC 9297 section 3). */
#include "wt/wt_capsule.h"

#include <stdbool.h>
#include <string.h>

#include "common/utf8.h"
#include "common/varint.h"

size_t wt_capsule_hdr_parse(const uint8_t *p, size_t len, uint64_t *type, uint64_t *length) {
  return varint_pair_decode(p, len, type, length);
}

int wt_capsule_close_parse(const uint8_t *value, size_t len, uint32_t *code, const uint8_t **reason,
                           size_t *reasonlen) {
  size_t rlen;

  if (len < 4) {
    return -1;
  }
  rlen = len - 4;
  if (rlen > WT_CLOSE_REASON_MAX || !utf8_valid(value + 4, rlen)) {
    return -1;
  }
  *code = (uint32_t)value[0] << 24 | (uint32_t)value[1] << 16 | (uint32_t)value[2] << 8 |
          (uint32_t)value[3];
  *reason = value + 4;
  *reasonlen = rlen;
  return 0;
}

/* wt_capsule_close_write: a reason longer than WT_CLOSE_REASON_MAX is cut
 * before the UTF-8 sequence that straddles the limit, so a valid |reason|
 * stays valid. The reason is not validated: the caller passes UTF-8. */
size_t wt_capsule_close_write(uint8_t *p, size_t cap, uint32_t code, const char *reason,
                              size_t reasonlen) {
  const uint8_t *r = (const uint8_t *)reason;
  size_t vlen, total;
  uint8_t *q;

  if (reasonlen > WT_CLOSE_REASON_MAX) {
    reasonlen = WT_CLOSE_REASON_MAX;
    /* r[reasonlen] is the first byte dropped; back off while it continues
     * a sequence that started inside the kept part (at most 3 bytes). */
    while (reasonlen > WT_CLOSE_REASON_MAX - 3 && (r[reasonlen] & 0xc0) == 0x80) {
      --reasonlen;
    }
  }
  vlen = 4 + reasonlen;
  total = varint_len(WT_CAPSULE_CLOSE_SESSION) + varint_len(vlen) + vlen;
  if (total > cap) {
    return 0;
  }

  q = varint_encode(p, WT_CAPSULE_CLOSE_SESSION);
  q = varint_encode(q, vlen);
  *q++ = (uint8_t)(code >> 24);
  *q++ = (uint8_t)(code >> 16);
  *q++ = (uint8_t)(code >> 8);
  *q++ = (uint8_t)code;
  if (reasonlen > 0) {
    memcpy(q, r, reasonlen);
    q += reasonlen;
  }
  return (size_t)(q - p);
}

size_t wt_capsule_drain_write(uint8_t *p, size_t cap) {
  size_t total = varint_len(WT_CAPSULE_DRAIN_SESSION) + varint_len(0);
  uint8_t *q;

  if (total > cap) {
    return 0;
  }
  q = varint_encode(p, WT_CAPSULE_DRAIN_SESSION);
  q = varint_encode(q, 0);
  return (size_t)(q - p);
}
