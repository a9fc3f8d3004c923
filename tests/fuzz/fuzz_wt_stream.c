/* Fuzz harness: WebTransport stream prefaces and HTTP datagrams
 * (src/wt/wt_stream.c). The first byte picks what the rest is read as:
 * even: a stream preface; odd: a datagram payload. */
#include "common/varint.h"
#include "fuzz.h"
#include "wt/wt_stream.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size == 0)
    return 0;
  const uint8_t *p = data + 1;
  size_t len = size - 1;
  if ((data[0] & 1) == 0) {
    uint64_t type, sid;
    size_t n = wt_stream_hdr_parse(p, len, &type, &sid);
    if (n) {
      FUZZ_CHECK(n <= len && n <= WT_STREAM_HDR_MAX);
      (void)wt_session_id_valid(sid);
      uint8_t out[WT_STREAM_HDR_MAX];
      size_t w = wt_stream_hdr_write(out, type, sid);
      uint64_t t2, s2;
      FUZZ_CHECK(w <= n && wt_stream_hdr_parse(out, w, &t2, &s2) == w && t2 == type && s2 == sid);
    }
  } else {
    uint64_t sid;
    const uint8_t *payload;
    size_t plen;
    if (wt_datagram_parse(p, len, &sid, &payload, &plen) == 0) {
      FUZZ_CHECK(sid % 4 == 0 && payload >= p && payload + plen == p + len);
      uint8_t out[8];
      size_t w = wt_datagram_hdr_write(out, sid);
      FUZZ_CHECK(w >= 1 && w <= 8 && w <= (size_t)(payload - p));
      uint64_t s2;
      const uint8_t *p2;
      size_t pl2;
      FUZZ_CHECK(wt_datagram_parse(out, w, &s2, &p2, &pl2) == 0 && s2 == sid && pl2 == 0);
    }
  }
  return 0;
}
