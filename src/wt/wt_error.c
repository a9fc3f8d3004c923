/* WebTransport application error codes <-> HTTP/3 error codes
 * (draft-ietf-webtrans-http3 section 4.4). The HTTP/3 range skips one
 * GREASE value (0x1f * N + 0x21) after every 0x1e WebTransport codes. */
#include "wt/wt_error.h"

#include <stdbool.h>

/* Same test as h3_is_grease(), kept local so that this module links alone. */
static bool is_grease(uint64_t v) { return v >= 0x21 && (v - 0x21) % 0x1f == 0; }

uint64_t wt_error_to_h3(uint32_t code) {
  uint64_t e = code;

  return WT_H3_ERROR_FIRST + e + e / 0x1e;
}

int wt_error_from_h3(uint64_t h3, uint32_t *code) {
  uint64_t s;

  if (h3 < WT_H3_ERROR_FIRST || h3 > WT_H3_ERROR_LAST || is_grease(h3)) {
    return -1;
  }
  s = h3 - WT_H3_ERROR_FIRST;
  *code = (uint32_t)(s - s / 0x1f);
  return 0;
}
