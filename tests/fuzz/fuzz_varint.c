/* Fuzz harness: QUIC varints (src/common/varint.c). Decodes every varint
 * and pair in the input and checks the codec's own invariants: the decoded
 * value fits 62 bits, its minimal re-encoding decodes to the same value and
 * is never longer than the input form. */
#include <string.h>

#include "common/varint.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  for (size_t off = 0; off < size;) {
    uint64_t v;
    size_t n = varint_decode(data + off, size - off, &v);
    if (n == 0) {
      /* truncated: the first byte announces more than is left */
      FUZZ_CHECK(((size_t)1 << (data[off] >> 6)) > size - off);
      break;
    }
    FUZZ_CHECK(n <= VARINT_MAXLEN && v <= VARINT_MAX);
    size_t m = varint_len(v);
    FUZZ_CHECK(m >= 1 && m <= n);
    uint8_t enc[VARINT_MAXLEN];
    FUZZ_CHECK((size_t)(varint_encode(enc, v) - enc) == m);
    uint64_t back;
    FUZZ_CHECK(varint_decode(enc, m, &back) == m && back == v);
    FUZZ_CHECK(m == 1 || varint_decode(enc, m - 1, &back) == 0);

    uint64_t a = 1, b = 2;
    size_t pn = varint_pair_decode(data + off, size - off, &a, &b);
    if (pn) {
      uint64_t b2;
      FUZZ_CHECK(a == v && pn > n && varint_decode(data + off + n, size - off - n, &b2) == pn - n &&
                 b2 == b);
    } else {
      FUZZ_CHECK(a == 1 && b == 2); /* untouched when incomplete */
    }
    off += n;
  }
  /* Values past 62 bits are refused, not truncated. */
  if (size >= 8) {
    uint64_t big;
    memcpy(&big, data, sizeof(big));
    if (big > VARINT_MAX) {
      uint8_t enc[VARINT_MAXLEN] = {0};
      FUZZ_CHECK(varint_len(big) == 0 && varint_encode(enc, big) == enc);
    }
  }
  return 0;
}
