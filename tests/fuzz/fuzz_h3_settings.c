/* Fuzz harness: a SETTINGS payload (src/h3/h3_settings.c). Checks that a
 * failed parse returns one of the documented codes and that our own
 * SETTINGS frame always parses back. */
#include <string.h>

#include "common/varint.h"
#include "fuzz.h"
#include "h3/h3_error.h"
#include "h3/h3_frame.h"
#include "h3/h3_settings.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  h3_settings s;
  uint64_t rv = h3_settings_parse(data, size, &s);
  FUZZ_CHECK(rv == 0 || rv == H3_FRAME_ERROR || rv == H3_SETTINGS_ERROR ||
               rv == H3_EXCESSIVE_LOAD);
  if (rv == 0)
    (void)h3_settings_supports_wt(&s);

  /* A frame written by our writer from pairs taken from the input parses
   * back to the same values (when the pairs are valid settings). */
  h3_setting list[8];
  size_t n = 0, off = 0;
  while (n < 8 && off < size) {
    uint64_t id, value;
    size_t k = varint_pair_decode(data + off, size - off, &id, &value);
    if (k == 0)
      break;
    off += k;
    list[n].id = id;
    list[n].value = value;
    n++;
  }
  uint8_t frame[256];
  size_t w = h3_settings_write(frame, sizeof(frame), list, n);
  if (w) {
    uint64_t t, l;
    size_t h = h3_frame_hdr_parse(frame, w, &t, &l);
    FUZZ_CHECK(h && t == H3_FRAME_SETTINGS && h + l == w);
    h3_settings back;
    uint64_t rv2 = h3_settings_parse(frame + h, (size_t)l, &back);
    /* the same pairs: the same verdict as parsing them from the input */
    h3_settings direct;
    FUZZ_CHECK(rv2 == h3_settings_parse(data, off, &direct));
    if (rv2 == 0)
      FUZZ_CHECK(memcmp(&back, &direct, sizeof(back)) == 0);
  }
  return 0;
}
