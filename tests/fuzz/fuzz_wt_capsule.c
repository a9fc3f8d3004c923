/* Fuzz harness: capsules on a WebTransport CONNECT stream
 * (src/wt/wt_capsule.c). The input is a capsule sequence; CLOSE values are
 * parsed, and a parsed close re-encoded with our writer must parse back. */
#include <string.h>

#include "common/utf8.h"
#include "fuzz.h"
#include "wt/wt_capsule.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  size_t off = 0;
  while (off < size) {
    uint64_t type, length;
    size_t n = wt_capsule_hdr_parse(data + off, size - off, &type, &length);
    if (n == 0)
      break;
    FUZZ_CHECK(n <= WT_CAPSULE_HDR_MAX);
    off += n;
    if (length > size - off)
      break;
    if (type == WT_CAPSULE_CLOSE_SESSION) {
      uint32_t code;
      const uint8_t *reason;
      size_t rlen;
      if (wt_capsule_close_parse(data + off, (size_t)length, &code, &reason, &rlen) == 0) {
        FUZZ_CHECK(length >= 4 && rlen == length - 4 && rlen <= WT_CLOSE_REASON_MAX);
        FUZZ_CHECK(reason == data + off + 4);
        uint8_t out[WT_CAPSULE_CLOSE_MAX];
        size_t w = wt_capsule_close_write(out, sizeof(out), code, (const char *)reason, rlen);
        uint64_t t2, l2;
        size_t h = wt_capsule_hdr_parse(out, w, &t2, &l2);
        FUZZ_CHECK(w && h && t2 == WT_CAPSULE_CLOSE_SESSION && h + l2 == w);
        uint32_t code2;
        const uint8_t *r2;
        size_t rl2;
        FUZZ_CHECK(wt_capsule_close_parse(out + h, (size_t)l2, &code2, &r2, &rl2) == 0);
        FUZZ_CHECK(code2 == code && rl2 == rlen && memcmp(r2, reason, rlen) == 0);
      }
    }
    off += (size_t)length;
  }
  /* The writer cuts an over-long or arbitrary reason at a UTF-8 boundary. */
  uint8_t out[WT_CAPSULE_CLOSE_MAX];
  size_t w = wt_capsule_close_write(out, sizeof(out), 7, (const char *)data, size);
  if (w) {
    uint64_t t, l;
    size_t h = wt_capsule_hdr_parse(out, w, &t, &l);
    FUZZ_CHECK(h && h + l == w && l >= 4 && l - 4 <= WT_CLOSE_REASON_MAX);
    /* valid UTF-8 in, a close that parses (valid UTF-8) out */
    uint32_t code;
    const uint8_t *r;
    size_t rl;
    if (utf8_valid(data, size))
      FUZZ_CHECK(wt_capsule_close_parse(out + h, (size_t)l, &code, &r, &rl) == 0 && code == 7);
  }
  uint8_t small[8];
  FUZZ_CHECK(wt_capsule_drain_write(small, sizeof(small)) > 0);
  return 0;
}
