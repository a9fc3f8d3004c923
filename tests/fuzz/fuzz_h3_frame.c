/* Fuzz harness: HTTP/3 frames on a control stream (src/h3/h3_frame.c and
 * h3_settings.c as a control stream reader would use them). The input is
 * read as a sequence of frames; each whole frame is classified and, for
 * SETTINGS and GOAWAY, its payload parsed. */
#include "fuzz.h"
#include "h3/h3_error.h"
#include "h3/h3_frame.h"
#include "h3/h3_settings.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  size_t off = 0;
  while (off < size) {
    uint64_t type, length;
    size_t n = h3_frame_hdr_parse(data + off, size - off, &type, &length);
    if (n == 0)
      break;
    FUZZ_CHECK(n >= 2 && n <= H3_FRAME_HDR_MAX);
    uint8_t hdr[H3_FRAME_HDR_MAX];
    uint64_t t2, l2;
    size_t w = h3_frame_hdr_write(hdr, type, length);
    FUZZ_CHECK(w <= n && h3_frame_hdr_parse(hdr, w, &t2, &l2) == w && t2 == type && l2 == length);
    off += n;
    if (length > size - off)
      break; /* a reader waits for the rest */
    const uint8_t *payload = data + off;
    (void)h3_frame_reserved_h2(type);
    (void)h3_is_grease(type);
    if (type == H3_FRAME_SETTINGS) {
      h3_settings s;
      uint64_t rv = h3_settings_parse(payload, (size_t)length, &s);
      FUZZ_CHECK(rv == 0 || rv == H3_FRAME_ERROR || rv == H3_SETTINGS_ERROR ||
               rv == H3_EXCESSIVE_LOAD);
      if (rv == 0)
        (void)h3_settings_supports_wt(&s);
    } else if (type == H3_FRAME_GOAWAY) {
      uint64_t id = 0;
      uint64_t rv = h3_goaway_parse(payload, (size_t)length, &id);
      FUZZ_CHECK(rv == 0 || rv == H3_FRAME_ERROR);
      if (rv == 0) {
        uint8_t out[H3_FRAME_HDR_MAX + 8];
        uint64_t gt, gl, id2 = 0;
        size_t gw = h3_goaway_write(out, id);
        size_t gh = h3_frame_hdr_parse(out, gw, &gt, &gl);
        FUZZ_CHECK(gh && gt == H3_FRAME_GOAWAY && gh + gl == gw);
        FUZZ_CHECK(h3_goaway_parse(out + gh, (size_t)gl, &id2) == 0 && id2 == id);
      }
    }
    off += (size_t)length;
  }
  return 0;
}
