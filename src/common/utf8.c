/* UTF-8 validation (RFC 3629 section 4 syntax; Unicode Table 3-7). */
#include "common/utf8.h"

static bool is_cont(uint8_t c) { return (c & 0xc0) == 0x80; }

/* utf8_valid walks the well-formed byte sequences of Unicode Table 3-7:
 * C0, C1 and F5..FF never appear; E0 needs A0..BF next (no overlongs), ED
 * needs 80..9F (no surrogates D800..DFFF), F0 needs 90..BF (no overlongs),
 * F4 needs 80..8F (nothing above U+10FFFF). */
bool utf8_valid(const uint8_t *p, size_t len) {
  size_t i = 0;

  while (i < len) {
    uint8_t c = p[i];
    uint8_t lo = 0x80, hi = 0xbf; /* allowed range of the second byte */
    size_t n, k;

    if (c < 0x80) {
      ++i;
      continue;
    }
    if (c < 0xc2) {
      return false; /* stray continuation byte, or overlong C0/C1 */
    }
    if (c < 0xe0) {
      n = 2;
    } else if (c < 0xf0) {
      n = 3;
      if (c == 0xe0) {
        lo = 0xa0;
      } else if (c == 0xed) {
        hi = 0x9f;
      }
    } else if (c < 0xf5) {
      n = 4;
      if (c == 0xf0) {
        lo = 0x90;
      } else if (c == 0xf4) {
        hi = 0x8f;
      }
    } else {
      return false;
    }
    if (len - i < n) {
      return false;
    }
    if (p[i + 1] < lo || p[i + 1] > hi) {
      return false;
    }
    for (k = 2; k < n; ++k) {
      if (!is_cont(p[i + k])) {
        return false;
      }
    }
    i += n;
  }
  return true;
}
