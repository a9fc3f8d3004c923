/* Fuzz harness: QUIC varints (src/common/varint.c). Decodes every varint
 * and pair in the input and checks the codec's own invariants: the decoded
 * value fits 62 bits, its minimal re-encoding decodes to the same value and
 * is never longer than the input form; and the incremental varint_fill,
 * fed the same bytes in pieces (sizes from the input), yields the same
 * values. */
#include <stdbool.h>
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
  /* varint_fill over pieces of 1..4 bytes (the piece sizes cycle through
   * the low bits of the first byte) gives the same sequence. */
  if (size > 0) {
    uint8_t acc[VARINT_MAXLEN], acclen = 0;
    size_t off = 0, doff = 0, k = 0;
    while (off < size) {
      size_t piece = 1 + ((data[0] >> (2 * (k++ % 4))) & 3);
      if (piece > size - off)
        piece = size - off;
      size_t used = 0;
      while (used < piece) {
        uint64_t v = 0, want = 0;
        bool done = false;
        size_t n = varint_fill(acc, &acclen, data + off + used, piece - used, &v, &done);
        FUZZ_CHECK(n >= 1 && n <= piece - used);
        used += n;
        if (done) {
          size_t m = varint_decode(data + doff, size - doff, &want);
          FUZZ_CHECK(m > 0 && v == want);
          doff += m;
          FUZZ_CHECK(doff == off + used && acclen == 0);
        } else {
          FUZZ_CHECK(used == piece && acclen > 0 && acclen < VARINT_MAXLEN);
        }
      }
      off += piece;
    }
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
